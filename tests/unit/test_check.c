/* SPDX-License-Identifier: MIT */
/*
 * The load-time checks (bpfvm_check, and bpfvm_load on top of it): every
 * rule with a program it refuses, naming the instruction and why, and a
 * neighbouring program it accepts, so that no rule can pass by refusing
 * everything. Then sweeps over all 256 opcodes and every unused field, the
 * size limits, and random slots that must be judged without a crash.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/isa.h"
#include "bpfvm/vm.h"
#include "check.h"
#include "insn_macros.h"

#define DEFAULT_ENTRY (BPFVM_REG(1) | BPFVM_REG(2) | BPFVM_REG(10))
#define ANY_INSN      INT_MIN /* the message may name any instruction */

enum via {
	BOTH,	    /* bpfvm_check and bpfvm_load give the same verdict */
	CHECK_ONLY, /* bpfvm_check alone (entry registers, map references) */
	LOAD_ONLY,  /* bpfvm_check accepts, bpfvm_load decides (helpers) */
};

struct check_case {
	const char *name;
	const bpfvm_insn *insns;
	size_t n;
	const char *err; /* fragment of the message; NULL: accepted */
	int insn;	 /* the instruction the message names */
	enum via via;
	unsigned entry; /* bpfvm_check's entry registers; 0: r1, r2, r10 */
};

/* A program of 2n slots: main and n - 1 functions, each calling the next,
 * the last returning 1: a call chain n frames deep. */
#define LINK CALL_LOCAL(1), EXIT()
#define LEAF MOV64_IMM(0, 1), EXIT()

/* Set r3-r5, call helper 1, then read r[reg]. */
#define READ_AFTER_CALL(reg)                                                   \
	PROG(MOV64_IMM(3, 0), MOV64_IMM(4, 0), MOV64_IMM(5, 0), CALL(1),       \
	     MOV64_REG(0, reg), EXIT())

static const struct check_case cases[] = {
	/* Baseline. */
	{ "minimal", PROG(MOV64_IMM(0, 0), EXIT()) },
	{ "r0 from r1, r2 and r10",
	  PROG(MOV64_REG(0, 1), ALU64_REG(BPFVM_ADD, 0, 2),
	       ALU64_REG(BPFVM_ADD, 0, 10), EXIT()) },

	/* Unknown opcodes (all 256 are swept below). */
	{ "unknown 0x00", PROG(INSN(0x00, 0, 0, 0, 0), EXIT()),
	  "unknown opcode 0x00", 0 },
	{ "unknown 0x8e (callx in jmp32)",
	  PROG(MOV64_IMM(0, 0), INSN(0x8e, 0, 0, 0, 0), EXIT()),
	  "unknown opcode 0x8e", 1 },
	{ "unknown 0xff", PROG(MOV64_IMM(0, 0), EXIT(), INSN(0xff, 0, 0, 0, 0)),
	  "unknown opcode 0xff", 2 },
	{ "unknown 0xd3 (atomic byte)",
	  PROG(MOV64_IMM(0, 0), INSN(0xd3, 10, 0, -8, 0), EXIT()),
	  "unknown opcode 0xd3", 1 },
	{ "unknown 0x38 (ldabsdw)", PROG(INSN(0x38, 0, 0, 0, 0), EXIT()),
	  "unknown opcode 0x38", 0 },

	/* Unused fields must be zero: the conformance suite's negative
	 * programs (negative/unused-*.data), then a few more encodings. */
	{ "add64 imm, off", PROG(INSN(0x07, 0, 0, 1, 1), EXIT()),
	  "add does not use off", 0 },
	{ "add64 imm, src", PROG(INSN(0x07, 0, 1, 0, 1), EXIT()),
	  "add does not use src", 0 },
	{ "add64 reg, imm", PROG(INSN(0x0f, 0, 0, 0, 1), EXIT()),
	  "add does not use imm", 0 },
	{ "add64 reg, off", PROG(INSN(0x0f, 0, 0, 1, 0), EXIT()),
	  "add does not use off", 0 },
	{ "add32 imm, off", PROG(INSN(0x04, 0, 0, 1, 1), EXIT()),
	  "add32 does not use off", 0 },
	{ "add32 imm, src", PROG(INSN(0x04, 0, 1, 0, 1), EXIT()),
	  "add32 does not use src", 0 },
	{ "add32 reg, imm", PROG(INSN(0x0c, 0, 0, 0, 1), EXIT()),
	  "add32 does not use imm", 0 },
	{ "add32 reg, off", PROG(INSN(0x0c, 0, 0, 1, 0), EXIT()),
	  "add32 does not use off", 0 },
	{ "be16, src", PROG(INSN(0xdc, 0, 1, 0, 16), EXIT()),
	  "be does not use src", 0 },
	{ "call, dst", PROG(INSN(0x85, 1, 0, 0, 1), EXIT()),
	  "call does not use dst", 0 },
	{ "call, off", PROG(INSN(0x85, 0, 0, 1, 1), EXIT()),
	  "call does not use off", 0 },
	{ "exit, off", PROG(INSN(0x95, 0, 0, 1, 0), EXIT()),
	  "exit does not use off", 0 },
	{ "ja, dst", PROG(INSN(0x05, 1, 0, 0, 0), EXIT()),
	  "ja does not use dst", 0 },
	{ "ja, imm", PROG(INSN(0x05, 0, 0, 0, 1), EXIT()),
	  "ja does not use imm", 0 },
	{ "ja, src", PROG(INSN(0x05, 0, 1, 0, 0), EXIT()),
	  "ja does not use src", 0 },
	{ "jeq imm, src", PROG(INSN(0x15, 0, 1, 0, 0), EXIT()),
	  "jeq does not use src", 0 },
	{ "jeq reg, imm", PROG(INSN(0x1d, 0, 0, 0, 1), EXIT()),
	  "jeq does not use imm", 0 },
	{ "ldxdw, imm", PROG(INSN(0x79, 0, 10, -8, 1), EXIT()),
	  "ldxdw does not use imm", 0 },
	{ "ldxw, imm", PROG(INSN(0x61, 0, 10, -4, 1), EXIT()),
	  "ldxw does not use imm", 0 },
	{ "le16, off", PROG(INSN(0xd4, 0, 0, 1, 16), EXIT()),
	  "le does not use off", 0 },
	{ "le16, src", PROG(INSN(0xd4, 0, 1, 0, 16), EXIT()),
	  "le does not use src", 0 },
	{ "mov64 imm, off", PROG(INSN(0xb7, 0, 0, 1, 1), EXIT()),
	  "invalid offset 1 for mov ", 0 },
	{ "mov64 imm, src", PROG(INSN(0xb7, 0, 1, 0, 1), EXIT()),
	  "mov does not use src", 0 },
	{ "mov64 reg, imm", PROG(INSN(0xbf, 0, 0, 0, 1), EXIT()),
	  "mov does not use imm", 0 },
	{ "mov64 reg, off", PROG(INSN(0xbf, 0, 0, 1, 0), EXIT()),
	  "invalid offset 1 for mov ", 0 },
	{ "mov32 imm, off", PROG(INSN(0xb4, 0, 0, 1, 1), EXIT()),
	  "invalid offset 1 for mov32", 0 },
	{ "mov32 reg, imm", PROG(INSN(0xbc, 0, 0, 0, 1), EXIT()),
	  "mov32 does not use imm", 0 },
	{ "neg32, imm", PROG(INSN(0x84, 0, 0, 0, 1), EXIT()),
	  "neg32 does not use imm", 0 },
	{ "neg32, off", PROG(INSN(0x84, 0, 0, 1, 0), EXIT()),
	  "neg32 does not use off", 0 },
	{ "neg32, src", PROG(INSN(0x84, 0, 1, 0, 0), EXIT()),
	  "neg32 does not use src", 0 },
	{ "neg64, src", PROG(INSN(0x87, 0, 1, 0, 0), EXIT()),
	  "neg does not use src", 0 },
	{ "stdw, src", PROG(INSN(0x7a, 10, 1, -8, 0), EXIT()),
	  "stdw does not use src", 0 },
	{ "stw, src", PROG(INSN(0x62, 10, 1, -4, 0), EXIT()),
	  "stw does not use src", 0 },
	{ "stxdw, imm", PROG(INSN(0x7b, 10, 0, -8, 1), EXIT()),
	  "stxdw does not use imm", 0 },
	{ "stxw, imm", PROG(INSN(0x63, 10, 0, -4, 1), EXIT()),
	  "stxw does not use imm", 0 },
	{ "exit, dst", PROG(MOV64_IMM(0, 0), INSN(0x95, 1, 0, 0, 0)),
	  "exit does not use dst", 1 },
	{ "exit, imm", PROG(MOV64_IMM(0, 0), INSN(0x95, 0, 0, 0, 1)),
	  "exit does not use imm", 1 },
	{ "callx, src", PROG(MOV64_IMM(3, 1), INSN(0x8d, 3, 1, 0, 0), EXIT()),
	  "callx does not use src", 1 },
	{ "callx, imm", PROG(MOV64_IMM(3, 1), INSN(0x8d, 3, 0, 0, 1), EXIT()),
	  "callx does not use imm", 1 },
	{ "ja32, off", PROG(MOV64_IMM(0, 0), INSN(0x06, 0, 0, 1, 0), EXIT()),
	  "ja32 does not use off", 1 },
	{ "lddw, off",
	  PROG(INSN(0x18, 0, 0, 1, 1), INSN(0, 0, 0, 0, 0), EXIT()),
	  "lddw does not use off", 0 },
	{ "ldabsw, dst", PROG(INSN(0x20, 1, 0, 0, 0), EXIT()),
	  "ldabsw does not use dst", 0 },
	{ "ldindb, off", PROG(INSN(0x50, 0, 1, 1, 0), EXIT()),
	  "ldindb does not use off", 0 },
	{ "stxdw, every field used",
	  PROG(STX(BPFVM_DW, 10, 1, -8), MOV64_IMM(0, 0), EXIT()) },
	{ "stdw, every field used",
	  PROG(ST(BPFVM_DW, 10, -8, -1), MOV64_IMM(0, 0), EXIT()) },
	{ "le16, every field used", PROG(MOV64_IMM(0, 0), LE(0, 16), EXIT()) },

	/* Registers are r0-r10. */
	{ "dst r11", PROG(MOV64_IMM(11, 0), EXIT()), "invalid register r11",
	  0 },
	{ "dst r15 (add64 reg)", PROG(ALU64_REG(BPFVM_ADD, 15, 1), EXIT()),
	  "invalid register r15", 0 },
	{ "src r11 (mov64 reg)", PROG(MOV64_REG(0, 11), EXIT()),
	  "invalid register r11", 0 },
	{ "src r15 (ldxdw)", PROG(LDX(BPFVM_DW, 0, 15, 0), EXIT()),
	  "invalid register r15", 0 },
	{ "dst r12 (stxdw)",
	  PROG(MOV64_IMM(0, 0), STX(BPFVM_DW, 12, 0, 0), EXIT()),
	  "invalid register r12", 1 },
	{ "src r13 (jeq reg)",
	  PROG(MOV64_IMM(0, 0), JMP_REG(BPFVM_JEQ, 0, 13, 0), EXIT()),
	  "invalid register r13", 1 },
	{ "dst r11 (callx)", PROG(CALLX(11), EXIT()), "invalid register r11",
	  0 },
	{ "src r14 (ldindw)", PROG(LDIND(BPFVM_W, 14, 0), EXIT()),
	  "invalid register r14", 0 },
	{ "src r11 (atomic)",
	  PROG(MOV64_IMM(0, 0), ATOMIC(BPFVM_DW, BPFVM_ADD, 10, 11, -8),
	       EXIT()),
	  "invalid register r11", 1 },
	{ "src r10 is readable", PROG(MOV64_REG(0, 10), EXIT()) },

	/* r10 is read only. */
	{ "mov r10", PROG(MOV64_IMM(10, 0), MOV64_IMM(0, 0), EXIT()),
	  "frame pointer is read only", 0 },
	{ "add32 r10",
	  PROG(MOV64_IMM(0, 0), ALU32_IMM(BPFVM_ADD, 10, 1), EXIT()),
	  "frame pointer is read only", 1 },
	{ "ldxdw r10", PROG(LDX(BPFVM_DW, 10, 1, 0), MOV64_IMM(0, 0), EXIT()),
	  "frame pointer is read only", 0 },
	{ "lddw r10", PROG(MOV64_IMM(0, 0), LDDW(10, 5), EXIT()),
	  "frame pointer is read only", 1 },
	{ "neg r10", PROG(NEG64(10), MOV64_IMM(0, 0), EXIT()),
	  "frame pointer is read only", 0 },
	{ "le r10", PROG(LE(10, 16), MOV64_IMM(0, 0), EXIT()),
	  "frame pointer is read only", 0 },
	{ "movsx r10", PROG(MOVSX64(10, 1, 8), MOV64_IMM(0, 0), EXIT()),
	  "frame pointer is read only", 0 },
	{ "fetch_add into r10",
	  PROG(MOV64_IMM(0, 0),
	       ATOMIC(BPFVM_DW, BPFVM_ADD | BPFVM_FETCH, 10, 10, -8), EXIT()),
	  "frame pointer is read only", 1 },
	{ "xchg into r10",
	  PROG(MOV64_IMM(0, 0), ATOMIC(BPFVM_W, BPFVM_XCHG, 10, 10, -8),
	       EXIT()),
	  "frame pointer is read only", 1 },
	{ "add (no fetch) reads r10",
	  PROG(MOV64_IMM(0, 0), ATOMIC(BPFVM_DW, BPFVM_ADD, 10, 10, -8),
	       EXIT()) },
	{ "cmpxchg reads r10",
	  PROG(MOV64_IMM(0, 0), ATOMIC(BPFVM_DW, BPFVM_CMPXCHG, 10, 10, -8),
	       EXIT()) },
	{ "stxdw r10",
	  PROG(STX(BPFVM_DW, 10, 10, -8), MOV64_IMM(0, 0), EXIT()) },

	/* off of div and mod: 0 unsigned, 1 signed. */
	{ "div64 imm off 2",
	  PROG(MOV64_IMM(0, 1), INSN(0x37, 0, 0, 2, 1), EXIT()),
	  "invalid offset 2 for div ", 1 },
	{ "div32 reg off -1",
	  PROG(MOV64_IMM(0, 1), INSN(0x3c, 0, 1, -1, 0), EXIT()),
	  "invalid offset -1 for div32", 1 },
	{ "mod64 imm off 8",
	  PROG(MOV64_IMM(0, 1), INSN(0x97, 0, 0, 8, 1), EXIT()),
	  "invalid offset 8 for mod ", 1 },
	{ "mod32 reg off 1 (smod32)",
	  PROG(MOV64_IMM(0, 1), INSN(0x9c, 0, 1, 1, 0), EXIT()) },
	{ "div64 imm off 1 (sdiv)",
	  PROG(MOV64_IMM(0, 1), SDIV64_IMM(0, 3), EXIT()) },

	/* off of mov: movsx 8/16/32 (ALU64) or 8/16 (ALU), register only. */
	{ "movsx32 off 32", PROG(MOVSX32(0, 1, 32), EXIT()),
	  "invalid offset 32 for mov32", 0 },
	{ "mov64 imm off 8", PROG(INSN(0xb7, 0, 0, 8, 1), EXIT()),
	  "invalid offset 8 for mov ", 0 },
	{ "mov32 imm off 16", PROG(INSN(0xb4, 0, 0, 16, 1), EXIT()),
	  "invalid offset 16 for mov32", 0 },
	{ "movsx64 off 24", PROG(MOVSX64(0, 1, 24), EXIT()),
	  "invalid offset 24 for mov ", 0 },
	{ "movsx64 off 64", PROG(MOVSX64(0, 1, 64), EXIT()),
	  "invalid offset 64 for mov ", 0 },
	{ "movsx64 off 32", PROG(MOVSX64(0, 1, 32), EXIT()) },
	{ "movsx32 off 8 and 16",
	  PROG(MOVSX32(0, 1, 8), MOVSX32(0, 1, 16), EXIT()) },

	/* Byte swap widths. */
	{ "le 8", PROG(MOV64_IMM(0, 0), LE(0, 8), EXIT()),
	  "invalid width 8 for byte swap", 1 },
	{ "be 0", PROG(MOV64_IMM(0, 0), BE(0, 0), EXIT()), "invalid width 0",
	  1 },
	{ "bswap 128", PROG(MOV64_IMM(0, 0), BSWAP(0, 128), EXIT()),
	  "invalid width 128", 1 },
	{ "be -16", PROG(MOV64_IMM(0, 0), BE(0, -16), EXIT()),
	  "invalid width -16", 1 },
	{ "every width", PROG(MOV64_IMM(0, 0), LE(0, 16), LE(0, 32), LE(0, 64),
			      BE(0, 16), BE(0, 32), BE(0, 64), BSWAP(0, 16),
			      BSWAP(0, 32), BSWAP(0, 64), EXIT()) },

	/* Atomic operations. */
	{ "atomic sub",
	  PROG(MOV64_IMM(0, 0), ATOMIC(BPFVM_DW, BPFVM_SUB, 10, 0, -8), EXIT()),
	  "invalid atomic operation 0x10", 1 },
	{ "atomic xchg without fetch",
	  PROG(MOV64_IMM(0, 0), ATOMIC(BPFVM_W, 0xe0, 10, 0, -8), EXIT()),
	  "invalid atomic operation 0xe0", 1 },
	{ "atomic cmpxchg without fetch",
	  PROG(MOV64_IMM(0, 0), ATOMIC(BPFVM_DW, 0xf0, 10, 0, -8), EXIT()),
	  "invalid atomic operation 0xf0", 1 },
	{ "atomic 0x02",
	  PROG(MOV64_IMM(0, 0), ATOMIC(BPFVM_DW, 0x02, 10, 0, -8), EXIT()),
	  "invalid atomic operation 0x2", 1 },
	{ "atomic load-acquire (0x100)",
	  PROG(MOV64_IMM(0, 0), ATOMIC(BPFVM_DW, 0x100, 10, 0, -8), EXIT()),
	  "invalid atomic operation 0x100", 1 },
	{ "atomic add with a high bit",
	  PROG(MOV64_IMM(0, 0), ATOMIC(BPFVM_DW, 0x1001, 10, 0, -8), EXIT()),
	  "invalid atomic operation 0x1001", 1 },
	{ "every atomic operation",
	  PROG(MOV64_IMM(0, 0), MOV64_IMM(1, 0),
	       ATOMIC(BPFVM_DW, BPFVM_ADD, 10, 1, -8),
	       ATOMIC(BPFVM_DW, BPFVM_OR, 10, 1, -8),
	       ATOMIC(BPFVM_DW, BPFVM_AND, 10, 1, -8),
	       ATOMIC(BPFVM_DW, BPFVM_XOR, 10, 1, -8),
	       ATOMIC(BPFVM_W, BPFVM_ADD | BPFVM_FETCH, 10, 1, -8),
	       ATOMIC(BPFVM_W, BPFVM_OR | BPFVM_FETCH, 10, 1, -8),
	       ATOMIC(BPFVM_W, BPFVM_AND | BPFVM_FETCH, 10, 1, -8),
	       ATOMIC(BPFVM_W, BPFVM_XOR | BPFVM_FETCH, 10, 1, -8),
	       ATOMIC(BPFVM_DW, BPFVM_XCHG, 10, 1, -8),
	       ATOMIC(BPFVM_W, BPFVM_CMPXCHG, 10, 1, -8), EXIT()) },

	/* Call sources: 0 helper, 1 local; 2 (kfunc) is not supported. */
	{ "call src 3", PROG(INSN(0x85, 0, 3, 0, 1), EXIT()),
	  "invalid call source 3", 0 },
	{ "call src 15", PROG(INSN(0x85, 0, 15, 0, 1), EXIT()),
	  "invalid call source 15", 0 },
	{ "kfunc call", PROG(INSN(0x85, 0, BPFVM_CALL_KFUNC, 0, 7), EXIT()),
	  "kernel function calls (call src=2, BTF id 7) are not supported", 0 },
	{ "helper call", PROG(CALL(1), EXIT()) },

	/* lddw takes two slots; the second holds only imm. */
	{ "lddw without its second slot",
	  PROG(MOV64_IMM(0, 0), EXIT(), INSN(0x18, 0, 0, 0, 1)),
	  "lddw is missing its second slot", 2 },
	{ "lddw, second slot's code",
	  PROG(INSN(0x18, 0, 0, 0, 1), EXIT(), EXIT()),
	  "invalid second slot of lddw", 1 },
	{ "lddw, second slot's dst",
	  PROG(INSN(0x18, 0, 0, 0, 1), INSN(0, 1, 0, 0, 0), EXIT()),
	  "invalid second slot of lddw", 1 },
	{ "lddw, second slot's src",
	  PROG(INSN(0x18, 0, 0, 0, 1), INSN(0, 0, 1, 0, 0), EXIT()),
	  "invalid second slot of lddw", 1 },
	{ "lddw, second slot's off",
	  PROG(INSN(0x18, 0, 0, 0, 1), INSN(0, 0, 0, 1, 0), EXIT()),
	  "invalid second slot of lddw", 1 },
	{ "lddw, second slot's imm",
	  PROG(LDDW(0, 0xffffffff00000001), EXIT()) },
	{ "lddw src 3 (BTF id)", PROG(LDDW_SRC(0, 3, 1), EXIT()),
	  "lddw with pseudo source 3 (kernel BTF id)", 0 },
	{ "lddw src 5 (map index)", PROG(LDDW_SRC(0, 5, 1), EXIT()),
	  "lddw with pseudo source 5 (map index)", 0 },
	{ "lddw src 6 (map index value)", PROG(LDDW_SRC(0, 6, 1), EXIT()),
	  "lddw with pseudo source 6 (map index)", 0 },
	{ "lddw src 7", PROG(LDDW_SRC(0, 7, 1), EXIT()),
	  "invalid lddw source 7", 0 },
	{ "lddw src 15", PROG(LDDW_SRC(0, 15, 1), EXIT()),
	  "invalid lddw source 15", 0 },
	{ "lddw map fd, second imm",
	  PROG(LDDW_SRC(1, BPFVM_PSEUDO_MAP_FD, 0x100000001), MOV64_IMM(0, 0),
	       EXIT()),
	  "unrecognized bpf_ld_imm64", 0, CHECK_ONLY },
	{ "lddw map fd",
	  PROG(LDDW_SRC(1, BPFVM_PSEUDO_MAP_FD, 1), MOV64_IMM(0, 0), EXIT()),
	  .via = CHECK_ONLY },
	{ "lddw map value",
	  PROG(LDDW_SRC(1, BPFVM_PSEUDO_MAP_VALUE, 0x800000001),
	       MOV64_IMM(0, 0), EXIT()),
	  .via = CHECK_ONLY },
	{ "lddw function",
	  PROG(LDDW_SRC(1, BPFVM_PSEUDO_FUNC, 3), MOV64_IMM(0, 0), EXIT(),
	       MOV64_IMM(0, 1), EXIT()) },
	{ "lddw function, second imm",
	  PROG(LDDW_SRC(1, BPFVM_PSEUDO_FUNC, 0x100000003), MOV64_IMM(0, 0),
	       EXIT(), MOV64_IMM(0, 1), EXIT()),
	  "unrecognized bpf_ld_imm64", 0 },
	{ "lddw function out of range",
	  PROG(LDDW_SRC(1, BPFVM_PSEUDO_FUNC, 100), MOV64_IMM(0, 0), EXIT()),
	  "jump out of range from insn 0 to 101", 0 },

	/* Jump targets: inside the program, not into lddw, not out of
	 * their function. */
	{ "ja forward out of range", PROG(MOV64_IMM(0, 0), JA(5), EXIT()),
	  "jump out of range from insn 1 to 7", 1 },
	{ "ja to one past the end", PROG(MOV64_IMM(0, 0), JA(1), EXIT()),
	  "jump out of range from insn 1 to 3", 1 },
	{ "ja to the last insn", PROG(MOV64_IMM(0, 0), JA(0), EXIT()) },
	{ "ja backward out of range", PROG(MOV64_IMM(0, 0), JA(-3), EXIT()),
	  "jump out of range from insn 1 to -1", 1 },
	{ "ja backward to the first insn",
	  PROG(MOV64_IMM(0, 0), JMP_IMM(BPFVM_JEQ, 0, 1, -2), EXIT()) },
	{ "jeq off -32768",
	  PROG(MOV64_IMM(0, 0), JMP_IMM(BPFVM_JEQ, 0, 0, -32768), EXIT()),
	  "jump out of range from insn 1 to -32766", 1 },
	{ "jset32 reg forward out of range",
	  PROG(MOV64_IMM(0, 0), JMP32_REG(BPFVM_JSET, 0, 1, 2), EXIT()),
	  "jump out of range from insn 1 to 4", 1 },
	{ "ja32 forward out of range",
	  PROG(MOV64_IMM(0, 0), JA32(1000), EXIT()),
	  "jump out of range from insn 1 to 1002", 1 },
	{ "ja32 backward out of range",
	  PROG(MOV64_IMM(0, 0), JA32(INT32_MIN), EXIT()),
	  "jump out of range from insn 1 to -2147483646", 1 },
	{ "ja32 to itself", PROG(MOV64_IMM(0, 0), JA32(-1)) },
	{ "ja into the middle of lddw",
	  PROG(MOV64_IMM(0, 0), JA(1), LDDW(1, 5), EXIT()),
	  "jump into the middle of lddw at insn 2", 1 },
	{ "jne into the middle of lddw",
	  PROG(LDDW(0, 5), JMP_IMM(BPFVM_JNE, 0, 0, -2), EXIT()),
	  "jump into the middle of lddw at insn 0", 2 },
	{ "ja onto lddw", PROG(MOV64_IMM(0, 0), JA(0), LDDW(1, 5), EXIT()) },
	{ "jump from main into a function",
	  PROG(MOV64_IMM(0, 0), CALL_LOCAL(2), JA(2), EXIT(), MOV64_IMM(0, 1),
	       EXIT()),
	  "jump out of range from insn 2 to 5: outside its function", 2 },
	{ "jump from a function into main",
	  PROG(CALL_LOCAL(1), EXIT(), MOV64_IMM(0, 1),
	       JMP_IMM(BPFVM_JEQ, 0, 1, -3), EXIT()),
	  "outside its function", 3 },
	{ "local call out of range", PROG(CALL_LOCAL(100), EXIT()),
	  "jump out of range from insn 0 to 101", 0 },
	{ "local call before the start", PROG(CALL_LOCAL(-5), EXIT()),
	  "jump out of range from insn 0 to -4", 0 },
	{ "local call into the middle of lddw",
	  PROG(CALL_LOCAL(1), LDDW(0, 1), EXIT()),
	  "jump into the middle of lddw at insn 1", 0 },
	{ "local call onto lddw",
	  PROG(CALL_LOCAL(1), EXIT(), LDDW(0, 1), EXIT()) },

	/* Every function ends in exit or an unconditional jump. */
	{ "falls off the end", PROG(MOV64_IMM(0, 0)),
	  "last insn is not an exit or jmp: control falls off the end of the "
	  "program",
	  0 },
	{ "ends in a conditional jump",
	  PROG(MOV64_IMM(0, 0), JMP_IMM(BPFVM_JEQ, 0, 0, -2)),
	  "falls off the end of the program", 1 },
	{ "ends in a call", PROG(MOV64_IMM(0, 0), CALL(1)),
	  "falls off the end of the program", 1 },
	{ "ends in lddw", PROG(LDDW(0, 1)), "falls off the end of the program",
	  0 },
	{ "ends in ja", PROG(MOV64_IMM(0, 0), JA(-2)) },
	{ "subprogram falls into the next",
	  PROG(CALL_LOCAL(2), CALL_LOCAL(2), EXIT(), MOV64_IMM(0, 1),
	       MOV64_IMM(0, 2), EXIT()),
	  "falls off the end of the function", 3 },
	{ "last subprogram falls off the end",
	  PROG(CALL_LOCAL(1), EXIT(), MOV64_IMM(0, 1)),
	  "falls off the end of the function", 2 },
	{ "main falls into a subprogram",
	  PROG(CALL_LOCAL(1), MOV64_IMM(0, 1), MOV64_IMM(0, 2), EXIT()),
	  "falls off the end of the program", 1 },
	{ "subprogram ends in ja",
	  PROG(CALL_LOCAL(1), EXIT(), MOV64_IMM(0, 1), JA(0), EXIT()) },

	/* The call graph is acyclic... */
	{ "main calls itself", PROG(CALL_LOCAL(-1), EXIT()),
	  "recursive call from insn 0 to the function at insn 0", 0 },
	{ "function calls itself",
	  PROG(CALL_LOCAL(1), EXIT(), CALL_LOCAL(-1), EXIT()),
	  "recursive call from insn 2 to the function at insn 2", 2 },
	{ "mutual recursion",
	  PROG(CALL_LOCAL(1), EXIT(), CALL_LOCAL(1), EXIT(), CALL_LOCAL(-3),
	       EXIT()),
	  "recursive call from insn 4 to the function at insn 2", 4 },
	{ "recursion in a callback",
	  PROG(LDDW_SRC(1, BPFVM_PSEUDO_FUNC, 3), MOV64_IMM(0, 0), EXIT(),
	       CALL_LOCAL(-1), EXIT()),
	  "recursive call from insn 4 to the function at insn 4", 4 },
	/* Unreachable from main, yet a cycle (the kernel: "unreachable insn").
	 */
	{ "recursion in functions main never calls",
	  PROG(MOV64_IMM(0, 0), EXIT(), CALL_LOCAL(1), EXIT(), CALL_LOCAL(-3),
	       EXIT()),
	  "", ANY_INSN },
	{ "a function called twice",
	  PROG(CALL_LOCAL(2), CALL_LOCAL(1), EXIT(), MOV64_IMM(0, 1), EXIT()) },
	/* ... and at most 8 frames deep. */
	{ "8 frames", PROG(LINK, LINK, LINK, LINK, LINK, LINK, LINK, LEAF) },
	{ "9 frames",
	  PROG(LINK, LINK, LINK, LINK, LINK, LINK, LINK, LINK, LEAF),
	  "the call stack of 9 frames is too deep (max 8)", 0 },
	{ "9 frames on one branch of main",
	  PROG(CALL_LOCAL(3), JMP_IMM(BPFVM_JEQ, 0, 0, 1), CALL_LOCAL(3),
	       EXIT(), LEAF, LINK, LINK, LINK, LINK, LINK, LINK, LINK, LEAF),
	  "the call stack of 9 frames is too deep (max 8)", 2 },
	{ "9 frames through a deep callee",
	  PROG(CALL_LOCAL(1), EXIT(), LINK, LINK, LINK, LINK, LINK, LINK, LINK,
	       LEAF),
	  "too deep", 0 },

	/* No register is read before it is written on every path. */
	{ "r0 at exit", PROG(EXIT()), "Invalid read of r0", 0 },
	{ "r3 at entry", PROG(MOV64_REG(0, 3), EXIT()), "Invalid read of r3",
	  0 },
	{ "r9 at entry",
	  PROG(MOV64_IMM(0, 0), ALU64_REG(BPFVM_ADD, 0, 9), EXIT()),
	  "Invalid read of r9", 1 },
	{ "r0 by add", PROG(ALU64_IMM(BPFVM_ADD, 0, 1), EXIT()),
	  "Invalid read of r0", 0 },
	{ "r1 after a helper call", READ_AFTER_CALL(1), "Invalid read of r1",
	  4 },
	{ "r2 after a helper call", READ_AFTER_CALL(2), "Invalid read of r2",
	  4 },
	{ "r3 after a helper call", READ_AFTER_CALL(3), "Invalid read of r3",
	  4 },
	{ "r4 after a helper call", READ_AFTER_CALL(4), "Invalid read of r4",
	  4 },
	{ "r5 after a helper call", READ_AFTER_CALL(5), "Invalid read of r5",
	  4 },
	{ "r0 after a helper call", READ_AFTER_CALL(0) },
	{ "r6 across a helper call",
	  PROG(MOV64_IMM(6, 1), CALL(1), MOV64_REG(0, 6), EXIT()) },
	{ "r1 after a local call",
	  PROG(CALL_LOCAL(2), MOV64_REG(0, 1), EXIT(), MOV64_IMM(0, 1), EXIT()),
	  "Invalid read of r1", 1 },
	{ "r7 across a local call",
	  PROG(MOV64_IMM(7, 1), CALL_LOCAL(2), MOV64_REG(0, 7), EXIT(),
	       MOV64_IMM(0, 1), EXIT()) },
	{ "r6 in a subprogram",
	  PROG(MOV64_IMM(6, 1), CALL_LOCAL(1), EXIT(), MOV64_REG(0, 6), EXIT()),
	  "Invalid read of r6", 3 },
	{ "r1-r5 in a subprogram", PROG(CALL_LOCAL(1), EXIT(), MOV64_REG(0, 1),
					ALU64_REG(BPFVM_ADD, 0, 5),
					ALU64_REG(BPFVM_ADD, 0, 10), EXIT()) },
	{ "r0 at a subprogram's exit", PROG(CALL_LOCAL(1), EXIT(), EXIT()),
	  "Invalid read of r0", 2 },
	{ "r0 on one branch",
	  PROG(JMP_IMM(BPFVM_JEQ, 1, 0, 1), MOV64_IMM(0, 1), EXIT()),
	  "Invalid read of r0", 2 },
	{ "r0 on both branches",
	  PROG(JMP_IMM(BPFVM_JEQ, 1, 0, 2), MOV64_IMM(0, 1), JA(1),
	       MOV64_IMM(0, 2), EXIT()) },
	{ "r3 written late in a loop",
	  PROG(MOV64_IMM(2, 3), ALU64_IMM(BPFVM_ADD, 2, -1),
	       JMP_IMM(BPFVM_JEQ, 2, 0, 2), MOV64_IMM(3, 1), JA(-4),
	       MOV64_REG(0, 3), EXIT()),
	  "Invalid read of r3", 5 },
	{ "r3 written before a loop",
	  PROG(MOV64_IMM(3, 1), MOV64_IMM(2, 3), ALU64_IMM(BPFVM_ADD, 2, -1),
	       JMP_IMM(BPFVM_JEQ, 2, 0, 2), MOV64_IMM(3, 1), JA(-4),
	       MOV64_REG(0, 3), EXIT()) },
	{ "cmpxchg reads r0",
	  PROG(MOV64_IMM(1, 0), ATOMIC(BPFVM_DW, BPFVM_CMPXCHG, 10, 1, -8),
	       MOV64_IMM(0, 0), EXIT()),
	  "Invalid read of r0", 1 },
	{ "store through r3",
	  PROG(ST(BPFVM_W, 3, 0, 1), MOV64_IMM(0, 0), EXIT()),
	  "Invalid read of r3", 0 },
	{ "stxdw of r4",
	  PROG(STX(BPFVM_DW, 10, 4, -8), MOV64_IMM(0, 0), EXIT()),
	  "Invalid read of r4", 0 },
	{ "load through r5", PROG(LDX(BPFVM_B, 0, 5, 0), EXIT()),
	  "Invalid read of r5", 0 },
	{ "jump on r8",
	  PROG(MOV64_IMM(0, 0), JMP_REG(BPFVM_JGT, 0, 8, 0), EXIT()),
	  "Invalid read of r8", 1 },
	{ "callx of r6", PROG(CALLX(6), EXIT()), "Invalid read of r6", 0 },
	{ "ldindw of r7", PROG(LDIND(BPFVM_W, 7, 0), EXIT()),
	  "Invalid read of r7", 0 },
	{ "r1 after ldabs", PROG(LDABS(BPFVM_B, 0), MOV64_REG(0, 1), EXIT()),
	  "Invalid read of r1", 1 },
	{ "r0 from ldabs", PROG(LDABS(BPFVM_B, 0), EXIT()) },
	{ "fetch writes src",
	  PROG(ATOMIC(BPFVM_DW, BPFVM_ADD | BPFVM_FETCH, 10, 1, -8),
	       MOV64_REG(0, 1), EXIT()) },
	{ "mov does not read dst", PROG(MOV32_IMM(0, 1), EXIT()) },
	{ "le reads dst", PROG(LE(0, 16), EXIT()), "Invalid read of r0", 0 },
	{ "entry r10 only: r1", PROG(MOV64_REG(0, 1), EXIT()),
	  "Invalid read of r1", 0, CHECK_ONLY, BPFVM_REG(10) },
	/* r11 is no register: a mask of none of r0-r10 (0 means default). */
	{ "entry none: r10 still", PROG(MOV64_REG(0, 10), EXIT()),
	  .via = CHECK_ONLY, .entry = BPFVM_REG(11) },
	{ "entry r3", PROG(MOV64_REG(0, 3), EXIT()), .via = CHECK_ONLY,
	  .entry = BPFVM_REG(3) },

	/* Helpers called by id must be registered (bpfvm_load). */
	{ "helper 77", PROG(MOV64_IMM(0, 0), CALL(77), EXIT()),
	  "invalid func unknown#77", 1, LOAD_ONLY },
	{ "helper 0", PROG(CALL(0), EXIT()), "unknown#0", 0, LOAD_ONLY },
	{ "helper -1", PROG(CALL(-1), EXIT()), "unknown#-1", 0, LOAD_ONLY },
	{ "helper 1024", PROG(CALL(1024), EXIT()), "unknown#1024", 0,
	  LOAD_ONLY },
	{ "helper after lddw", PROG(LDDW(1, 0x8500000000), CALL(2), EXIT()),
	  "unknown#2", 2, LOAD_ONLY },
	{ "helper 1 and callx", PROG(CALL(1), CALLX(0), EXIT()) },
};

static uint64_t stub(bpfvm_exec *exec, uint64_t r1, uint64_t r2, uint64_t r3,
		     uint64_t r4, uint64_t r5)
{
	return 0;
}

static void fail(const char *name, const char *what, int rc,
		 const bpfvm_error *err)
{
	check_failures++;
	fprintf(stderr, "FAIL %s: %s (rc %d, insn %d: %s)\n", name, what, rc,
		err->insn, rc ? err->msg : "");
}

/* One verdict against the case's expectation. */
static void expect(const struct check_case *c, const char *who, int rc,
		   const bpfvm_error *err)
{
	char what[64];

	check_count++;
	snprintf(what, sizeof(what), "%s should %s", who,
		 c->err ? "refuse it" : "accept it");
	if (!c->err) {
		if (rc != 0)
			fail(c->name, what, rc, err);
	} else if (rc != -1 || !strstr(err->msg, c->err) ||
		   (c->insn != ANY_INSN && err->insn != c->insn)) {
		fail(c->name, what, rc, err);
		fprintf(stderr, "    want insn %d: ...%s...\n", c->insn,
			c->err);
	}
}

static void run_case(bpfvm *vm, const struct check_case *c)
{
	/* An exact-size heap copy: a read past the end is a sanitizer
	 * (or valgrind) report. */
	bpfvm_insn *copy = malloc(c->n * sizeof(*copy));
	bpfvm_error err;
	bpfvm_prog *prog;
	int rc;

	if (!copy)
		abort();
	memcpy(copy, c->insns, c->n * sizeof(*copy));
	memset(&err, 0, sizeof(err));
	rc = bpfvm_check(copy, c->n, c->entry ? c->entry : DEFAULT_ENTRY, &err);
	if (c->via == LOAD_ONLY) {
		check_count++;
		if (rc != 0)
			fail(c->name, "bpfvm_check should accept it", rc, &err);
	} else {
		expect(c, "bpfvm_check", rc, &err);
	}
	if (c->via != CHECK_ONLY && !c->entry) {
		memset(&err, 0, sizeof(err));
		prog = bpfvm_load(vm, copy, c->n, &err);
		expect(c, "bpfvm_load", prog ? 0 : -1, &err);
		bpfvm_prog_free(prog);
	}
	free(copy);
}

/*
 * An oracle for the opcode table, written from RFC 9669: which codes are
 * instructions, and which fields each uses (-1: not an instruction).
 * Fields that select a variant (off of div, mod and mov; imm of byte
 * swaps and atomics; src of call and lddw) count as used.
 */
enum { U_DST = 1, U_SRC = 2, U_OFF = 4, U_IMM = 8 };

static int alu_fields(uint8_t code)
{
	uint8_t op = BPFVM_OP(code);
	bool x = BPFVM_SRC(code) == BPFVM_X;

	if (op == BPFVM_NEG)
		return x ? -1 : U_DST;
	if (op == BPFVM_END)
		return x && BPFVM_CLASS(code) == BPFVM_ALU64 ? -1
							     : U_DST | U_IMM;
	if (op > BPFVM_END)
		return -1;
	return U_DST | (x ? U_SRC : U_IMM) |
	       (op == BPFVM_DIV || op == BPFVM_MOD || op == BPFVM_MOV ? U_OFF
								      : 0);
}

static int jmp_fields(uint8_t code)
{
	uint8_t op = BPFVM_OP(code);
	bool x = BPFVM_SRC(code) == BPFVM_X;
	bool j32 = BPFVM_CLASS(code) == BPFVM_JMP32;

	if (op == BPFVM_JA)
		return x ? -1 : j32 ? U_IMM : U_OFF;
	if (op == BPFVM_CALL)
		return j32 ? -1 : x ? U_DST : U_SRC | U_IMM;
	if (op == BPFVM_EXIT)
		return j32 || x ? -1 : 0;
	if (op > BPFVM_JSLE)
		return -1;
	return U_DST | U_OFF | (x ? U_SRC : U_IMM);
}

static int expected_fields(uint8_t code)
{
	uint8_t mode = BPFVM_MODE(code), size = BPFVM_SIZE(code);

	switch (BPFVM_CLASS(code)) {
	case BPFVM_ALU:
	case BPFVM_ALU64:
		return alu_fields(code);
	case BPFVM_JMP:
	case BPFVM_JMP32:
		return jmp_fields(code);
	case BPFVM_LD:
		if (code == BPFVM_OP_LDDW)
			return U_DST | U_SRC | U_IMM;
		if (size == BPFVM_DW)
			return -1;
		if (mode == BPFVM_ABS)
			return U_IMM;
		return mode == BPFVM_IND ? U_SRC | U_IMM : -1;
	case BPFVM_LDX:
		if (mode == BPFVM_MEM ||
		    (mode == BPFVM_MEMSX && size != BPFVM_DW))
			return U_DST | U_SRC | U_OFF;
		return -1;
	case BPFVM_ST:
		return mode == BPFVM_MEM ? U_DST | U_OFF | U_IMM : -1;
	default: /* BPFVM_STX */
		if (mode == BPFVM_MEM)
			return U_DST | U_SRC | U_OFF;
		if (mode == BPFVM_ATOMIC &&
		    (size == BPFVM_W || size == BPFVM_DW))
			return U_DST | U_SRC | U_OFF | U_IMM;
		return -1;
	}
}

/* Check {insn, exit (or the second slot of lddw), exit}. */
static int check_one(bpfvm_insn in, bpfvm_error *err)
{
	bpfvm_insn prog[3] = { in, EXIT(), EXIT() };

	if (in.code == BPFVM_OP_LDDW)
		prog[1] = (bpfvm_insn)INSN(0, 0, 0, 0, 0);

	memset(err, 0, sizeof(*err));
	return bpfvm_check(prog, 3, DEFAULT_ENTRY, err);
}

/* All 256 codes: the table, the names and the checker agree with the
 * oracle, and an unknown code is refused as such. */
static void test_opcodes(void)
{
	int nvalid = 0;

	for (int code = 0; code < 256; code++) {
		bool valid = expected_fields((uint8_t)code) >= 0;
		bpfvm_error err;
		char want[32];
		int rc;

		nvalid += valid;
		CHECK(!!bpfvm_opcode_valid((uint8_t)code) == valid);
		CHECK((bpfvm_opcode_name((uint8_t)code) != NULL) == valid);
		rc = check_one((bpfvm_insn)INSN(code, 0, 0, 0, 0), &err);
		snprintf(want, sizeof(want), "unknown opcode 0x%02x", code);
		check_count++;
		if (valid ? rc == 0 || !strstr(err.msg, "unknown opcode")
			  : rc == -1 && err.insn == 0 && strstr(err.msg, want))
			continue;
		check_failures++;
		fprintf(stderr, "FAIL opcode 0x%02x (%s): rc %d, insn %d: %s\n",
			code, valid ? "valid" : "invalid", rc, err.insn,
			err.msg);
	}
	/* 53 ALU, 26 JMP, 23 JMP32, 7 LD, 7 LDX, 4 ST, 6 STX. */
	CHECK_U64(nvalid, 126);
}

/* Every valid code with each field set to 1 alone: refused naming the
 * field if the encoding does not use it, never so if it does. */
static void test_fields(void)
{
	static const char *const names[] = { "dst", "src", "off", "imm" };

	for (int code = 0; code < 256; code++) {
		int used = expected_fields((uint8_t)code);

		if (used < 0)
			continue;
		for (int f = 0; f < 4; f++) {
			bpfvm_insn in =
				INSN(code, f == 0, f == 1, f == 2, f == 3);
			bool unused = !(used & (1 << f));
			bpfvm_error err;
			char want[48];
			int rc = check_one(in, &err);

			snprintf(want, sizeof(want), "%s does not use %s",
				 bpfvm_opcode_name((uint8_t)code), names[f]);
			check_count++;
			if (unused ? rc == -1 && err.insn == 0 &&
					     strstr(err.msg, want)
				   : rc == 0 ||
					     !strstr(err.msg, "does not use"))
				continue;
			check_failures++;
			fprintf(stderr,
				"FAIL opcode 0x%02x with %s = 1 (%s): rc %d, "
				"insn %d: %s\n",
				code, names[f], unused ? "unused" : "used", rc,
				err.insn, err.msg);
		}
	}
}

/* Empty and oversized programs: refused before any slot is read. */
static void test_sizes(void)
{
	size_t n = BPFVM_MAX_INSNS;
	bpfvm_insn *big = malloc((n + 1) * sizeof(*big));
	bpfvm_insn one = EXIT();
	bpfvm_error err;

	memset(&err, 0, sizeof(err));
	CHECK(bpfvm_check(&one, 0, DEFAULT_ENTRY, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "empty program");
	CHECK(err.insn == -1);

	if (!big)
		abort();
	for (size_t i = 0; i < n; i++)
		big[i] = (bpfvm_insn)MOV64_IMM(0, 1);
	big[n - 1] = (bpfvm_insn)EXIT();
	big[n] = (bpfvm_insn)EXIT();
	memset(&err, 0, sizeof(err));
	CHECK(bpfvm_check(big, n, DEFAULT_ENTRY, &err) == 0);
	memset(&err, 0, sizeof(err));
	CHECK(bpfvm_check(big, n + 1, DEFAULT_ENTRY, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "program too large: 1000001");
	CHECK(err.insn == -1);
	free(big);
}

/* A helper registered with a name but no function is refused by name
 * (vm.h: "fn NULL records only the name"). */
static void test_named_helper(bpfvm *vm)
{
	bpfvm_insn prog[] = { CALL(9), EXIT() };
	bpfvm_error err;
	bpfvm_prog *p;

	CHECK(bpfvm_register_helper(vm, 0, "zero", stub) == -1);
	CHECK(bpfvm_register_helper(vm, BPFVM_MAX_HELPER_ID + 1, "big", stub) ==
	      -1);
	CHECK(bpfvm_helper_name(vm, 1) &&
	      !strcmp(bpfvm_helper_name(vm, 1), "stub"));
	CHECK(bpfvm_helper_name(vm, 3) == NULL);

	CHECK(bpfvm_register_helper(vm, 9, "named_only", NULL) == 0);
	CHECK(bpfvm_helper_name(vm, 9) &&
	      !strcmp(bpfvm_helper_name(vm, 9), "named_only"));
	memset(&err, 0, sizeof(err));
	p = bpfvm_load(vm, prog, 2, &err);
	CHECK(p == NULL);
	CHECK_STR_CONTAINS(err.msg, "named_only");
	CHECK(err.insn == 0);
	bpfvm_prog_free(p);

	/* Registering the function later makes the same program load. */
	CHECK(bpfvm_register_helper(vm, 9, "named_only", stub) == 0);
	p = bpfvm_load(vm, prog, 2, &err);
	CHECK(p != NULL);
	bpfvm_prog_free(p);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Small random programs, mostly of valid opcodes with small fields and
 * registers that are written (r0 first, r1, r2): the checker judges each
 * without reading past the end, the same way twice, with a message naming
 * a slot of the program. */
static void test_random(bpfvm *vm)
{
	static const int32_t imms[] = { 0, 1, -1, 8, 16, 32, 64, 0xf1, 2, 5 };
	static const uint8_t regs[] = { 0, 1, 2, 10, 0, 1, 2, 3 };
	int accepted = 0;

	for (int i = 0; i < 20000; i++) {
		size_t n = 2 + rnd() % 10;
		bpfvm_insn *p = malloc(n * sizeof(*p));
		bpfvm_error e1, e2;
		bpfvm_prog *prog;
		int rc1, rc2;

		if (!p)
			abort();
		p[0] = (bpfvm_insn)MOV64_IMM(0, 0);
		for (size_t k = 1; k < n; k++) {
			uint64_t r = rnd();
			uint8_t code = (uint8_t)r;

			while (rnd() % 16 && !bpfvm_opcode_valid(code))
				code = (uint8_t)rnd();
			p[k] = (bpfvm_insn)INSN(
				code, regs[(r >> 8) % 3 + (r >> 62 == 0) * 4],
				regs[(r >> 12) % 8], (int)((r >> 16) % 5) - 2,
				imms[(r >> 32) % 10]);
			if (k == n - 1 || (r >> 59) == 0)
				p[k] = (bpfvm_insn)EXIT();
		}
		memset(&e1, 0, sizeof(e1));
		memset(&e2, 0, sizeof(e2));
		rc1 = bpfvm_check(p, n, DEFAULT_ENTRY, &e1);
		rc2 = bpfvm_check(p, n, DEFAULT_ENTRY, &e2);
		check_count++;
		if (rc1 != rc2 || (rc1 != 0 && rc1 != -1) ||
		    (rc1 && (!e1.msg[0] || e1.insn < 0 || e1.insn >= (int)n ||
			     e1.insn != e2.insn || strcmp(e1.msg, e2.msg)))) {
			check_failures++;
			fprintf(stderr,
				"FAIL random program %d: rc %d/%d, insn %d: "
				"%s\n",
				i, rc1, rc2, e1.insn, e1.msg);
		}
		accepted += rc1 == 0;
		prog = rc1 == 0 ? bpfvm_load(vm, p, n, &e1) : NULL;
		bpfvm_prog_free(prog);
		free(p);
	}
	/* The sweep reaches the later passes, not only the field checks. */
	printf("random programs: %d of 20000 accepted\n", accepted);
	CHECK(accepted > 1000);
}

int main(void)
{
	bpfvm *vm = bpfvm_new();

	if (!vm)
		return 1;
	CHECK(bpfvm_register_helper(vm, 1, "stub", stub) == 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(vm, &cases[i]);
	test_opcodes();
	test_fields();
	test_sizes();
	test_named_helper(vm);
	test_random(vm);
	bpfvm_free(vm);
	printf("%zu table cases\n", sizeof(cases) / sizeof(cases[0]));
	DONE();
}
