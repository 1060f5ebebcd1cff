/* SPDX-License-Identifier: MIT */
/*
 * Instruction literals for tests that build programs by hand (no
 * assembler): each macro is a bpfvm_insn initializer, LDDW two of them.
 * Registers are plain numbers (0 for r0, 10 for r10). Jump and call
 * offsets are in slots, relative to the next instruction, as encoded.
 *
 *     static const bpfvm_insn prog[] = {
 *             MOV64_IMM(0, 1),
 *             JMP_IMM(BPFVM_JEQ, 1, 0, 1),
 *             ALU64_IMM(BPFVM_ADD, 0, 5),
 *             EXIT(),
 *     };
 *
 * PROG(...) and MEM(...) fill the .insns/.n and .mem/.mem_len members of a
 * test case from a list of instructions or bytes.
 */
#ifndef BPFVM_TEST_INSN_MACROS_H
#define BPFVM_TEST_INSN_MACROS_H

#include <stdint.h>

#include "bpfvm/isa.h"

/* One slot, every field given. */
/* clang-format off */
#define INSN(c, d, s, o, i)                                                    \
	{ .code = (uint8_t)(c), .dst = (d), .src = (s), .off = (int16_t)(o),   \
	  .imm = (int32_t)(i) }
/* clang-format on */

/* ALU: op is BPFVM_ADD ... BPFVM_END. */
#define ALU64_IMM(op, d, i) INSN(BPFVM_ALU64 | (op) | BPFVM_K, d, 0, 0, i)
#define ALU64_REG(op, d, s) INSN(BPFVM_ALU64 | (op) | BPFVM_X, d, s, 0, 0)
#define ALU32_IMM(op, d, i) INSN(BPFVM_ALU | (op) | BPFVM_K, d, 0, 0, i)
#define ALU32_REG(op, d, s) INSN(BPFVM_ALU | (op) | BPFVM_X, d, s, 0, 0)
#define MOV64_IMM(d, i)	    ALU64_IMM(BPFVM_MOV, d, i)
#define MOV64_REG(d, s)	    ALU64_REG(BPFVM_MOV, d, s)
#define MOV32_IMM(d, i)	    ALU32_IMM(BPFVM_MOV, d, i)
#define MOV32_REG(d, s)	    ALU32_REG(BPFVM_MOV, d, s)
/* movsx: bits = 8, 16 or 32 (ALU64) or 8, 16 (ALU). */
#define MOVSX64(d, s, bits)                                                    \
	INSN(BPFVM_ALU64 | BPFVM_MOV | BPFVM_X, d, s, bits, 0)
#define MOVSX32(d, s, bits) INSN(BPFVM_ALU | BPFVM_MOV | BPFVM_X, d, s, bits, 0)
/* Signed division and modulo: off = 1. */
#define SDIV64_IMM(d, i) INSN(BPFVM_ALU64 | BPFVM_DIV | BPFVM_K, d, 0, 1, i)
#define SDIV64_REG(d, s) INSN(BPFVM_ALU64 | BPFVM_DIV | BPFVM_X, d, s, 1, 0)
#define SMOD64_IMM(d, i) INSN(BPFVM_ALU64 | BPFVM_MOD | BPFVM_K, d, 0, 1, i)
#define SMOD64_REG(d, s) INSN(BPFVM_ALU64 | BPFVM_MOD | BPFVM_X, d, s, 1, 0)
#define NEG64(d)	 INSN(BPFVM_ALU64 | BPFVM_NEG, d, 0, 0, 0)
#define NEG32(d)	 INSN(BPFVM_ALU | BPFVM_NEG, d, 0, 0, 0)
/* Byte swaps: width = 16, 32 or 64. */
#define LE(d, width)	INSN(BPFVM_ALU | BPFVM_END | BPFVM_K, d, 0, 0, width)
#define BE(d, width)	INSN(BPFVM_ALU | BPFVM_END | BPFVM_X, d, 0, 0, width)
#define BSWAP(d, width) INSN(BPFVM_ALU64 | BPFVM_END, d, 0, 0, width)

/* r[d] = value, a 64-bit constant in two slots. */
#define LDDW(d, value) LDDW_SRC(d, BPFVM_PSEUDO_NONE, value)
/* lddw with a pseudo source (map id, function offset, ...). */
#define LDDW_SRC(d, s, value)                                                  \
	INSN(BPFVM_OP_LDDW, d, s, 0, (uint32_t)(uint64_t)(value)),             \
		INSN(0, 0, 0, 0, (uint32_t)((uint64_t)(value) >> 32))

/* Memory: size is BPFVM_B, BPFVM_H, BPFVM_W or BPFVM_DW. */
#define LDX(size, d, s, off) INSN(BPFVM_LDX | BPFVM_MEM | (size), d, s, off, 0)
#define LDXS(size, d, s, off)                                                  \
	INSN(BPFVM_LDX | BPFVM_MEMSX | (size), d, s, off, 0)
#define ST(size, d, off, i)  INSN(BPFVM_ST | BPFVM_MEM | (size), d, 0, off, i)
#define STX(size, d, s, off) INSN(BPFVM_STX | BPFVM_MEM | (size), d, s, off, 0)
/* Atomic op (BPFVM_ADD, BPFVM_OR | BPFVM_FETCH, BPFVM_XCHG, ...) on
 * [r[d] + off] with r[s]; size BPFVM_W or BPFVM_DW. */
#define ATOMIC(size, op, d, s, off)                                            \
	INSN(BPFVM_STX | BPFVM_ATOMIC | (size), d, s, off, op)
/* Legacy packet loads: r0 = big-endian ctx[imm] / ctx[r[s] + imm]. */
#define LDABS(size, i)	  INSN(BPFVM_LD | BPFVM_ABS | (size), 0, 0, 0, i)
#define LDIND(size, s, i) INSN(BPFVM_LD | BPFVM_IND | (size), 0, s, 0, i)

/* Jumps: op is BPFVM_JEQ ... BPFVM_JSLE. */
#define JMP_IMM(op, d, i, off) INSN(BPFVM_JMP | (op) | BPFVM_K, d, 0, off, i)
#define JMP_REG(op, d, s, off) INSN(BPFVM_JMP | (op) | BPFVM_X, d, s, off, 0)
#define JMP32_IMM(op, d, i, off)                                               \
	INSN(BPFVM_JMP32 | (op) | BPFVM_K, d, 0, off, i)
#define JMP32_REG(op, d, s, off)                                               \
	INSN(BPFVM_JMP32 | (op) | BPFVM_X, d, s, off, 0)
#define JA(off)	  INSN(BPFVM_OP_JA, 0, 0, off, 0)
#define JA32(off) INSN(BPFVM_OP_JA32, 0, 0, 0, off)

/* Calls: a helper by id, a local function at pc + off + 1, a helper by the
 * id in r[d]. */
#define CALL(id)	INSN(BPFVM_OP_CALL, 0, BPFVM_CALL_HELPER, 0, id)
#define CALL_LOCAL(off) INSN(BPFVM_OP_CALL, 0, BPFVM_CALL_LOCAL, 0, off)
#define CALLX(d)	INSN(BPFVM_OP_CALLX, d, 0, 0, 0)
#define EXIT()		INSN(BPFVM_OP_EXIT, 0, 0, 0, 0)

/* .insns and .n of a test case, from a list of instructions. */
#define PROG(...)                                                              \
	.insns = (const bpfvm_insn[]){ __VA_ARGS__ },                          \
	.n = sizeof((const bpfvm_insn[]){ __VA_ARGS__ }) / sizeof(bpfvm_insn)
/* .mem and .mem_len of a test case, from a list of bytes. */
#define MEM(...)                                                               \
	.mem = (const uint8_t[]){ __VA_ARGS__ },                               \
	.mem_len = sizeof((const uint8_t[]){ __VA_ARGS__ })

#endif
