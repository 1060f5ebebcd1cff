/* SPDX-License-Identifier: MIT */
/*
 * bpfvm ISA: the eBPF instruction encoding (RFC 9669, v1-v4) and the
 * load-time structural checks every program passes before it runs.
 *
 * Names carry a BPFVM_ prefix so this header can sit beside <linux/bpf.h>.
 */
#ifndef BPFVM_ISA_H
#define BPFVM_ISA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One 64-bit instruction slot, in the kernel's layout (little-endian). */
typedef struct bpfvm_insn {
	uint8_t code;
	uint8_t dst : 4;
	uint8_t src : 4;
	int16_t off;
	int32_t imm;
} bpfvm_insn;

#define BPFVM_NREGS 11 /* r0-r9 general purpose, r10 frame pointer */
#define BPFVM_STACK_SIZE 512 /* bytes of stack per call frame */
#define BPFVM_MAX_FRAMES 8 /* bpf-to-bpf call depth, as the kernel */
#define BPFVM_MAX_INSNS 1000000 /* the kernel's BPF_COMPLEXITY_LIMIT_INSNS */

/* Instruction class: the low three bits of code. */
#define BPFVM_CLASS(code) ((code) & 0x07)
enum {
	BPFVM_LD = 0x00,
	BPFVM_LDX = 0x01,
	BPFVM_ST = 0x02,
	BPFVM_STX = 0x03,
	BPFVM_ALU = 0x04,
	BPFVM_JMP = 0x05,
	BPFVM_JMP32 = 0x06,
	BPFVM_ALU64 = 0x07,
};

/* ALU and JMP classes: operation in the high four bits, source in bit 3. */
#define BPFVM_OP(code) ((code) & 0xf0)
#define BPFVM_SRC(code) ((code) & 0x08)
enum { BPFVM_K = 0x00, BPFVM_X = 0x08 };

enum {
	BPFVM_ADD = 0x00,
	BPFVM_SUB = 0x10,
	BPFVM_MUL = 0x20,
	BPFVM_DIV = 0x30, /* off = 1: signed (sdiv) */
	BPFVM_OR = 0x40,
	BPFVM_AND = 0x50,
	BPFVM_LSH = 0x60,
	BPFVM_RSH = 0x70,
	BPFVM_NEG = 0x80,
	BPFVM_MOD = 0x90, /* off = 1: signed (smod) */
	BPFVM_XOR = 0xa0,
	BPFVM_MOV = 0xb0, /* off = 8/16/32 with X: sign-extending (movsx) */
	BPFVM_ARSH = 0xc0,
	BPFVM_END = 0xd0, /* imm = 16/32/64; source bit: to LE (K) or BE (X) */
};

enum {
	BPFVM_JA = 0x00,
	BPFVM_JEQ = 0x10,
	BPFVM_JGT = 0x20,
	BPFVM_JGE = 0x30,
	BPFVM_JSET = 0x40,
	BPFVM_JNE = 0x50,
	BPFVM_JSGT = 0x60,
	BPFVM_JSGE = 0x70,
	BPFVM_CALL = 0x80,
	BPFVM_EXIT = 0x90,
	BPFVM_JLT = 0xa0,
	BPFVM_JLE = 0xb0,
	BPFVM_JSLT = 0xc0,
	BPFVM_JSLE = 0xd0,
};

/* Load and store classes: size in bits 3-4, mode in bits 5-7. */
#define BPFVM_SIZE(code) ((code) & 0x18)
#define BPFVM_MODE(code) ((code) & 0xe0)
enum { BPFVM_W = 0x00, BPFVM_H = 0x08, BPFVM_B = 0x10, BPFVM_DW = 0x18 };
enum {
	BPFVM_IMM = 0x00, /* LD only: the 64-bit immediate (lddw) */
	BPFVM_ABS = 0x20, /* legacy packet access */
	BPFVM_IND = 0x40, /* legacy packet access */
	BPFVM_MEM = 0x60,
	BPFVM_MEMSX = 0x80, /* sign-extending load (ldxs) */
	BPFVM_ATOMIC = 0xc0,
};

/* Atomic operations, in imm of STX|ATOMIC. */
enum {
	BPFVM_FETCH = 0x01,
	BPFVM_XCHG = 0xe0 | BPFVM_FETCH,
	BPFVM_CMPXCHG = 0xf0 | BPFVM_FETCH,
};

/* src of LD|IMM|DW: how the loader reads imm (RFC 9669 section 5.4). */
enum {
	BPFVM_PSEUDO_NONE = 0, /* imm64 is the value */
	BPFVM_PSEUDO_MAP_FD = 1, /* map by fd */
	BPFVM_PSEUDO_MAP_VALUE = 2, /* address of a map value (fd, off) */
	BPFVM_PSEUDO_BTF_ID = 3, /* kernel variable by BTF id */
	BPFVM_PSEUDO_FUNC = 4, /* address of a local function */
	BPFVM_PSEUDO_MAP_IDX = 5, /* map by index */
	BPFVM_PSEUDO_MAP_IDX_VALUE = 6, /* address of a map value (idx, off) */
};

/* src of JMP|CALL. */
enum {
	BPFVM_CALL_HELPER = 0, /* imm: helper id */
	BPFVM_CALL_LOCAL = 1, /* imm: pc-relative target (bpf-to-bpf) */
	BPFVM_CALL_KFUNC = 2, /* imm: kernel function BTF id */
};

/* The code of a few whole opcodes, for readability. */
#define BPFVM_OP_LDDW (BPFVM_LD | BPFVM_IMM | BPFVM_DW)
#define BPFVM_OP_CALL (BPFVM_JMP | BPFVM_CALL)
#define BPFVM_OP_CALLX (BPFVM_JMP | BPFVM_CALL | BPFVM_X)
#define BPFVM_OP_EXIT (BPFVM_JMP | BPFVM_EXIT)
#define BPFVM_OP_JA (BPFVM_JMP | BPFVM_JA)
#define BPFVM_OP_JA32 (BPFVM_JMP32 | BPFVM_JA) /* gotol: 32-bit offset in imm */

/*
 * An error from any bpfvm component: where (instruction index and, for
 * text, source line; -1 when not applicable) and a one-line message.
 */
typedef struct bpfvm_error {
	int insn;
	int line;
	char msg[256];
} bpfvm_error;

/* Print a message into err (err may be NULL). Always returns -1. */
int bpfvm_fail(bpfvm_error *err, int insn, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Whether code names an instruction of the ISA (any of its encodings). */
int bpfvm_opcode_valid(uint8_t code);

/* The conformance-syntax base mnemonic of an opcode ("add32", "ldxdw",
 * "jeq"), or NULL for an unknown opcode. Encodings selected by off or imm
 * (sdiv, movsx, atomics, byte swaps) have their own names, which the
 * disassembler (asm.h) prints. */
const char *bpfvm_opcode_name(uint8_t code);

/*
 * Structural checks the kernel performs before verification (and that an
 * interpreter needs to run safely): known opcodes with only the fields they
 * use set; registers r0-r10 and r10 never written; jumps inside the program
 * and not into the second slot of lddw; local calls to instruction starts,
 * an acyclic call graph at most BPFVM_MAX_FRAMES deep; no registers read
 * before they are written (entry_regs: bitmask of the registers the program
 * type initialises, e.g. r1|r10); no path falling off the end of a function.
 * Returns 0, or -1 with err naming the first bad instruction and why.
 */
int bpfvm_check(const bpfvm_insn *insns, size_t count, unsigned entry_regs,
		bpfvm_error *err);

/* Register bitmask helper for entry_regs. */
#define BPFVM_REG(n) (1u << (n))

#ifdef __cplusplus
}
#endif
#endif
