/* SPDX-License-Identifier: MIT */
/*
 * The interpreter, in checked mode (bpfvm_run): every ALU and jump
 * operation in both classes and both source forms with their edge cases
 * (tables of rows, one small program each), then programs for memory,
 * atomics, jumps, bpf-to-bpf calls, helpers, callbacks, legacy packet
 * loads, run-time errors and the instruction budget, then properties: the
 * budget bounds what runs, tail calls, a run never sees host data, long
 * jumps, and random programs never crash.
 *
 * Expected values follow the Linux kernel and RFC 9669. Memory and byte
 * swap expectations assume a little-endian host.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpfvm/vm.h"
#include "check.h"
#include "insn_macros.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "these expectations assume a little-endian host"
#endif

/* ---- helpers the programs call ---- */

enum {
	H_PACK = 1, /* r0 = the low bytes of r1-r5, r1's lowest */
	H_RO_BUF,   /* r0 = a 16-byte buffer (0xa0..0xaf), allowed read-only */
	H_RW_BUF,   /* r0 = the same buffer, allowed read-write */
	H_ABORT,    /* stops the run */
	H_HIDDEN_BUF, /* r0 = the buffer, not allowed */
	H_COUNT,      /* counts its calls */
	H_CALLBACK,   /* r0 = the program's function r1 called with r2-r5 */
	H_TAIL,	      /* tail call to tail_target; returns 1 if refused */
};

static _Alignas(8) uint8_t helper_buf[16];
static uint64_t helper_calls;

static uint64_t h_pack(bpfvm_exec *exec, uint64_t r1, uint64_t r2, uint64_t r3,
		       uint64_t r4, uint64_t r5)
{
	return (r1 & 0xff) | (r2 & 0xff) << 8 | (r3 & 0xff) << 16 |
	       (r4 & 0xff) << 24 | (r5 & 0xff) << 32;
}

static uint64_t buf_addr(void)
{
	for (int i = 0; i < 16; i++)
		helper_buf[i] = (uint8_t)(0xa0 + i);
	return (uintptr_t)helper_buf;
}

static uint64_t h_ro_buf(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
			 uint64_t r3, uint64_t r4, uint64_t r5)
{
	uint64_t addr = buf_addr();

	return bpfvm_exec_allow(exec, helper_buf, sizeof(helper_buf), false)
		       ? 0
		       : addr;
}

static uint64_t h_rw_buf(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
			 uint64_t r3, uint64_t r4, uint64_t r5)
{
	uint64_t addr = buf_addr();

	return bpfvm_exec_allow(exec, helper_buf, sizeof(helper_buf), true)
		       ? 0
		       : addr;
}

static uint64_t h_abort(bpfvm_exec *exec, uint64_t r1, uint64_t r2, uint64_t r3,
			uint64_t r4, uint64_t r5)
{
	bpfvm_exec_abort(exec, "stopped by the test");
	return 0;
}

static uint64_t h_hidden_buf(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
			     uint64_t r3, uint64_t r4, uint64_t r5)
{
	return buf_addr();
}

static uint64_t h_count(bpfvm_exec *exec, uint64_t r1, uint64_t r2, uint64_t r3,
			uint64_t r4, uint64_t r5)
{
	return ++helper_calls;
}

static uint64_t h_callback(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
			   uint64_t r3, uint64_t r4, uint64_t r5)
{
	const uint64_t args[5] = { r2, r3, r4, r5, 0 };
	uint64_t ret;

	return bpfvm_exec_callback(exec, r1, args, &ret) ? (uint64_t)-1 : ret;
}

static const bpfvm_prog *tail_target;

static uint64_t h_tail(bpfvm_exec *exec, uint64_t r1, uint64_t r2, uint64_t r3,
		       uint64_t r4, uint64_t r5)
{
	return bpfvm_exec_tail_call(exec, tail_target) ? 1 : 0;
}

static bpfvm *new_vm(void)
{
	bpfvm *vm = bpfvm_new();

	if (!vm || bpfvm_register_helper(vm, H_PACK, "pack", h_pack) ||
	    bpfvm_register_helper(vm, H_RO_BUF, "ro_buf", h_ro_buf) ||
	    bpfvm_register_helper(vm, H_RW_BUF, "rw_buf", h_rw_buf) ||
	    bpfvm_register_helper(vm, H_ABORT, "abort", h_abort) ||
	    bpfvm_register_helper(vm, H_HIDDEN_BUF, "hidden_buf",
				  h_hidden_buf) ||
	    bpfvm_register_helper(vm, H_COUNT, "count", h_count) ||
	    bpfvm_register_helper(vm, H_CALLBACK, "callback", h_callback) ||
	    bpfvm_register_helper(vm, H_TAIL, "tail", h_tail)) {
		fprintf(stderr, "cannot set up the VM\n");
		exit(1);
	}
	return vm;
}

/*
 * Load and run insns (an exact-size heap copy, so that a read past the
 * end is a sanitizer report) with ctx[0, len). Returns the run's result;
 * a load failure counts as a failed check and returns -2.
 */
static int run(bpfvm *vm, const char *name, const bpfvm_insn *insns, size_t n,
	       void *ctx, size_t len, uint64_t *r0, bpfvm_error *err)
{
	bpfvm_insn *copy = malloc(n * sizeof(*copy));
	bpfvm_prog *prog;
	int rc;

	if (!copy)
		abort();
	memcpy(copy, insns, n * sizeof(*copy));
	memset(err, 0, sizeof(*err));
	*r0 = 0xbad0bad0bad0bad0ull;
	prog = bpfvm_load(vm, copy, n, err);
	free(copy);
	if (!prog) {
		check_count++;
		check_failures++;
		fprintf(stderr, "FAIL %s: load: insn %d: %s\n", name, err->insn,
			err->msg);
		return -2;
	}
	rc = bpfvm_run(prog, ctx, len, r0, err);
	bpfvm_prog_free(prog);
	return rc;
}

/* ---- ALU: r0 = a; r1 = b; r0 op= (K: imm b | X: r1); exit ---- */

struct alu_row {
	uint8_t code;
	int16_t off;   /* 1: sdiv/smod; 8/16/32: movsx */
	uint64_t a, b; /* K forms: imm = b, which must fit (sign-extended) */
	uint64_t want;
};

/* clang-format off */
#define ROW(code, off, a, b, want) { (code), (off), (a), (b), (want) }
#define KX(cls, op, off, a, b, want)                                           \
	ROW((cls) | (op) | BPFVM_K, off, a, b, want),                          \
	ROW((cls) | (op) | BPFVM_X, off, a, b, want)
/* clang-format on */
#define A64(op, a, b, want) KX(BPFVM_ALU64, BPFVM_##op, 0, a, b, want)
#define A32(op, a, b, want) KX(BPFVM_ALU, BPFVM_##op, 0, a, b, want)
#define S64(op, a, b, want) KX(BPFVM_ALU64, BPFVM_##op, 1, a, b, want)
#define S32(op, a, b, want) KX(BPFVM_ALU, BPFVM_##op, 1, a, b, want)
/* Register form only: b does not fit an immediate. */
#define X64(op, off, a, b, want)                                               \
	ROW(BPFVM_ALU64 | BPFVM_##op | BPFVM_X, off, a, b, want)
#define X32(op, off, a, b, want)                                               \
	ROW(BPFVM_ALU | BPFVM_##op | BPFVM_X, off, a, b, want)
#define NEG(cls, a, want) ROW((cls) | BPFVM_NEG, 0, a, 0, want)
#define MOVSX(cls, bits, b, want)                                              \
	ROW((cls) | BPFVM_MOV | BPFVM_X, bits, 0, b, want)
#define END(code, width, want) ROW(code, 0, 0x0123456789abcdefull, width, want)

static const struct alu_row alu_rows[] = {
	A64(ADD, 0x7fffffffffffffff, 1, 0x8000000000000000),
	A64(ADD, 5, -7, 0xfffffffffffffffe),
	A32(ADD, 0x1ffffffff, 1, 0),
	A32(ADD, 5, -1, 4),
	A32(ADD, 0xffffffff00000000, 0x7fffffff, 0x7fffffff),

	A64(SUB, 0, 1, 0xffffffffffffffff),
	A64(SUB, 10, -5, 15),
	A32(SUB, 0, 1, 0xffffffff),
	A32(SUB, 0x100000005, 3, 2),

	A64(MUL, 3, -2, 0xfffffffffffffffa),
	A64(MUL, 0x8000000000000000, -1, 0x8000000000000000),
	X64(MUL, 0, 0x100000000, 0x100000000, 0),
	A32(MUL, 0xffffffff, -1, 1),
	A32(MUL, 3, -2, 0xfffffffa),
	A32(MUL, 0x100000003, 2, 6),

	/* Unsigned division; by zero gives 0. */
	A64(DIV, 0xffffffffffffffff, 2, 0x7fffffffffffffff),
	A64(DIV, 0xffffffffffffffff, -1, 1),
	A64(DIV, 7, 0, 0),
	X64(DIV, 0, 0x500000000, 0x100000000, 5),
	A32(DIV, 0x100000010, 3, 5),
	A32(DIV, 0xfffffffe, -1, 0),
	A32(DIV, 0x80000000, 2, 0x40000000),
	A32(DIV, 0xffffffffffffffff, 0, 0),
	X32(DIV, 0, 7, 0x100000000, 0),

	/* Unsigned modulo; by zero leaves dst (zero-extended in 32 bits). */
	A64(MOD, 17, 5, 2),
	A64(MOD, 5, -1, 5),
	A64(MOD, 0xdeadbeefcafe, 0, 0xdeadbeefcafe),
	X64(MOD, 0, 0x500000003, 0x100000000, 3),
	A32(MOD, 0x100000011, 5, 2),
	A32(MOD, 0xfffffffe, -1, 0xfffffffe),
	A32(MOD, 0x123456789, 0, 0x23456789),
	A32(MOD, 0xffffffff00000007, 0, 7),
	X32(MOD, 0, 0xffffffff00000007, 0x100000000, 7),

	A64(OR, 0, -1, 0xffffffffffffffff),
	A64(OR, 0x1234000000000000, 0x5678, 0x1234000000005678),
	A32(OR, 0xffffffff00000000, 0x10, 0x10),
	A32(OR, 0, -1, 0xffffffff),

	A64(AND, 0x123456789abcdef0, 0x0f0f0f0f, 0x0a0c0e00),
	A64(AND, 0x123456789abcdef0, -16, 0x123456789abcdef0),
	A64(AND, 0x123456789abcdef0, INT32_MIN, 0x1234567880000000),
	A32(AND, 0xffffffffffffffff, 0xff, 0xff),
	A32(AND, 0xffffffff12345678, -1, 0x12345678),

	A64(XOR, 0xff00ff00ff00ff00, -1, 0x00ff00ff00ff00ff),
	A32(XOR, 0xffffffffffffffff, 0, 0xffffffff),
	A32(XOR, 0x12345678, 0x12345678, 0),

	/* Shift amounts are masked to 63 and 31. */
	A64(LSH, 0x123, 0, 0x123),
	A64(LSH, 1, 31, 0x80000000),
	A64(LSH, 1, 32, 0x100000000),
	A64(LSH, 1, 63, 0x8000000000000000),
	A64(LSH, 3, 64, 3),
	A64(LSH, 1, 65, 2),
	A64(LSH, 1, -1, 0x8000000000000000),
	X64(LSH, 0, 1, 0xffffffff00000004, 16),
	A32(LSH, 0x100000001, 1, 2),
	A32(LSH, 1, 31, 0x80000000),
	A32(LSH, 3, 32, 3),
	A32(LSH, 0xffffffff00000003, 32, 3),
	A32(LSH, 1, 33, 2),
	A32(LSH, 0xffffffff, 4, 0xfffffff0),

	A64(RSH, 0xff00, 0, 0xff00),
	A64(RSH, 0x8000000000000000, 63, 1),
	A64(RSH, 0x8000000000000000, 64, 0x8000000000000000),
	A64(RSH, 0xffffffffffffffff, 32, 0xffffffff),
	A32(RSH, 0xffffffff80000000, 31, 1),
	A32(RSH, 0xffffffff80000000, 32, 0x80000000),
	A32(RSH, 0x80000000, 63, 1),

	A64(ARSH, 0x8000000000000000, 63, 0xffffffffffffffff),
	A64(ARSH, -16, 2, 0xfffffffffffffffc),
	A64(ARSH, 0x8000000000000000, 64, 0x8000000000000000),
	A64(ARSH, 0x7000000000000000, 60, 7),
	A32(ARSH, 0x80000000, 31, 0xffffffff),
	A32(ARSH, 0xffffffff00000010, 1, 8),
	A32(ARSH, 0x80000000, 32, 0x80000000),
	A32(ARSH, 0xfffffff0, 2, 0xfffffffc),
	A32(ARSH, 0xfffffff0, 36, 0xffffffff),

	NEG(BPFVM_ALU64, 1, 0xffffffffffffffff),
	NEG(BPFVM_ALU64, 0x8000000000000000, 0x8000000000000000),
	NEG(BPFVM_ALU64, 0, 0),
	NEG(BPFVM_ALU, 1, 0xffffffff),
	NEG(BPFVM_ALU, 0x80000000, 0x80000000),
	NEG(BPFVM_ALU, 0x100000000, 0),
	NEG(BPFVM_ALU, 0xffffffff00000005, 0xfffffffb),

	A64(MOV, 0x1234, -1, 0xffffffffffffffff),
	A64(MOV, 0, 0x7fffffff, 0x7fffffff),
	A32(MOV, 0x1234, -1, 0xffffffff),
	X64(MOV, 0, 0, 0x123456789abcdef0, 0x123456789abcdef0),
	X32(MOV, 0, 0, 0x123456789abcdef0, 0x9abcdef0),

	/* movsx: 8/16/32 -> 64, or 8/16 -> 32 zero-extended. */
	MOVSX(BPFVM_ALU64, 8, 0x80, 0xffffffffffffff80),
	MOVSX(BPFVM_ALU64, 8, 0x8000, 0),
	MOVSX(BPFVM_ALU64, 8, 0x80000000, 0),
	MOVSX(BPFVM_ALU64, 8, 0xffffffffffffff7f, 0x7f),
	MOVSX(BPFVM_ALU64, 16, 0x80, 0x80),
	MOVSX(BPFVM_ALU64, 16, 0x8000, 0xffffffffffff8000),
	MOVSX(BPFVM_ALU64, 16, 0x80000000, 0),
	MOVSX(BPFVM_ALU64, 32, 0x80, 0x80),
	MOVSX(BPFVM_ALU64, 32, 0x8000, 0x8000),
	MOVSX(BPFVM_ALU64, 32, 0x80000000, 0xffffffff80000000),
	MOVSX(BPFVM_ALU64, 32, 0x1ffffffff, 0xffffffffffffffff),
	MOVSX(BPFVM_ALU, 8, 0x80, 0xffffff80),
	MOVSX(BPFVM_ALU, 8, 0x8000, 0),
	MOVSX(BPFVM_ALU, 8, 0x80000000, 0),
	MOVSX(BPFVM_ALU, 8, 0xffffffff0000007f, 0x7f),
	MOVSX(BPFVM_ALU, 16, 0x80, 0x80),
	MOVSX(BPFVM_ALU, 16, 0x8000, 0xffff8000),
	MOVSX(BPFVM_ALU, 16, 0x80000000, 0),
	MOVSX(BPFVM_ALU, 16, 0x1234ffff, 0xffffffff),

	/* sdiv: MIN / -1 = MIN, by zero 0. */
	S64(DIV, 0x8000000000000000, -1, 0x8000000000000000),
	S64(DIV, 0x8000000000000000, 1, 0x8000000000000000),
	S64(DIV, -7, 2, 0xfffffffffffffffd),
	S64(DIV, 7, -2, 0xfffffffffffffffd),
	S64(DIV, -7, -2, 3),
	S64(DIV, -7, 0, 0),
	S32(DIV, 0x80000000, -1, 0x80000000),
	S32(DIV, 0xfffffff9, 2, 0xfffffffd),
	S32(DIV, 0x1fffffff9, 2, 0xfffffffd),
	S32(DIV, 7, -2, 0xfffffffd),
	S32(DIV, 0xfffffff9, 0, 0),
	X32(DIV, 1, 0x80000000, 0x1ffffffff, 0x80000000),
	X32(DIV, 1, 0xfffffff9, 0x100000000, 0),

	/* smod: MIN % -1 = 0, sign of the dividend, by zero leaves dst. */
	S64(MOD, 0x8000000000000000, -1, 0),
	S64(MOD, -7, 2, 0xffffffffffffffff),
	S64(MOD, 7, -2, 1),
	S64(MOD, -7, -2, 0xffffffffffffffff),
	S64(MOD, -7, 0, 0xfffffffffffffff9),
	S64(MOD, 5, -1, 0),
	S32(MOD, 0x80000000, -1, 0),
	S32(MOD, 0xfffffff9, 2, 0xffffffff),
	S32(MOD, 0xfffffffffffffff9, 0, 0xfffffff9),
	S32(MOD, 7, -2, 1),
	S32(MOD, 0x100000005, -1, 0),
	S32(MOD, 0x1fffffff9, -2, 0xffffffff),

	/* Byte swaps of 0x0123456789abcdef. */
	END(BPFVM_ALU | BPFVM_END | BPFVM_K, 16, 0xcdef),
	END(BPFVM_ALU | BPFVM_END | BPFVM_K, 32, 0x89abcdef),
	END(BPFVM_ALU | BPFVM_END | BPFVM_K, 64, 0x0123456789abcdef),
	END(BPFVM_ALU | BPFVM_END | BPFVM_X, 16, 0xefcd),
	END(BPFVM_ALU | BPFVM_END | BPFVM_X, 32, 0xefcdab89),
	END(BPFVM_ALU | BPFVM_END | BPFVM_X, 64, 0xefcdab8967452301),
	END(BPFVM_ALU64 | BPFVM_END, 16, 0xefcd),
	END(BPFVM_ALU64 | BPFVM_END, 32, 0xefcdab89),
	END(BPFVM_ALU64 | BPFVM_END, 64, 0xefcdab8967452301),
};

/* Whether b, as an immediate, means the same as in a register. */
static bool imm_fits(uint8_t code, uint64_t b)
{
	bool wide = BPFVM_CLASS(code) == BPFVM_ALU64 ||
		    BPFVM_CLASS(code) == BPFVM_JMP;

	return !wide || (uint64_t)(int64_t)(int32_t)b == b;
}

static void lddw_into(bpfvm_insn *slot, int reg, uint64_t value)
{
	slot[0] = (bpfvm_insn)INSN(BPFVM_OP_LDDW, reg, 0, 0, value);
	slot[1] = (bpfvm_insn)INSN(0, 0, 0, 0, value >> 32);
}

static void test_alu(bpfvm *vm)
{
	for (size_t i = 0; i < sizeof(alu_rows) / sizeof(alu_rows[0]); i++) {
		const struct alu_row *row = &alu_rows[i];
		uint8_t op = BPFVM_OP(row->code);
		bool reg = BPFVM_SRC(row->code) == BPFVM_X && op != BPFVM_END;
		bpfvm_insn prog[6];
		bpfvm_error err;
		uint64_t r0;
		char name[96];
		int rc;

		snprintf(name, sizeof(name),
			 "alu row %zu (code 0x%02x off %d a 0x%" PRIx64
			 " b 0x%" PRIx64 ")",
			 i, row->code, row->off, row->a, row->b);
		if (!reg && op != BPFVM_END && op != BPFVM_NEG &&
		    !imm_fits(row->code, row->b)) {
			fprintf(stderr, "BAD TABLE %s: b is no imm\n", name);
			check_failures++;
			continue;
		}
		lddw_into(&prog[0], 0, row->a);
		lddw_into(&prog[2], 1, row->b);
		prog[4] = (bpfvm_insn)INSN(row->code, 0, reg, row->off,
					   reg ? 0 : row->b);
		prog[5] = (bpfvm_insn)EXIT();
		rc = run(vm, name, prog, 6, NULL, 0, &r0, &err);
		if (rc == -2)
			continue;
		check_count++;
		if (rc != 0 || r0 != row->want) {
			check_failures++;
			fprintf(stderr,
				"FAIL %s: rc %d, r0 = 0x%" PRIx64
				", want 0x%" PRIx64 " %s\n",
				name, rc, r0, row->want, rc ? err.msg : "");
		}
	}
}

/* ---- jumps: r0 = a; r1 = b; if (r0 op (K: imm b | X: r1)) r0 = 1
 * else r0 = 0 ---- */

struct jmp_row {
	uint8_t code;
	uint64_t a, b;
	bool taken;
};

/* clang-format off */
#define JROW(cls, op, a, b, t)                                                 \
	{ (cls) | BPFVM_##op | BPFVM_K, (a), (b), (t) },                       \
	{ (cls) | BPFVM_##op | BPFVM_X, (a), (b), (t) }
#define J64(op, a, b, t)  JROW(BPFVM_JMP, op, a, b, t)
#define J32(op, a, b, t)  JROW(BPFVM_JMP32, op, a, b, t)
/* Register form only: b does not fit an immediate. */
#define J64X(op, a, b, t) { BPFVM_JMP | BPFVM_##op | BPFVM_X, (a), (b), (t) }
#define J32X(op, a, b, t) { BPFVM_JMP32 | BPFVM_##op | BPFVM_X, (a), (b), (t) }
/* clang-format on */

static const struct jmp_row jmp_rows[] = {
	J64(JEQ, 5, 5, 1),
	J64(JEQ, 5, 6, 0),
	J64(JEQ, 0xffffffffffffffff, -1, 1),
	J64(JEQ, 0xffffffff, -1, 0),
	J64(JEQ, 0x100000005, 5, 0),
	J32(JEQ, 0x100000005, 5, 1),
	J32(JEQ, 0xffffffff, -1, 1),
	J32(JEQ, 5, 6, 0),

	J64(JNE, 5, 6, 1),
	J64(JNE, 5, 5, 0),
	J64(JNE, 0x100000005, 5, 1),
	J32(JNE, 0x100000005, 5, 0),
	J32(JNE, 1, 2, 1),

	/* Unsigned comparisons of negative values. */
	J64(JGT, -1, 1, 1),
	J64(JGT, 1, -1, 0),
	J64(JGT, 2, 2, 0),
	J64(JGT, 0x100000000, 1, 1),
	J32(JGT, 0x100000000, 1, 0),
	J32(JGT, 0xffffffff, 1, 1),
	J32(JGT, 0x80000000, 0x7fffffff, 1),

	J64(JGE, 2, 2, 1),
	J64(JGE, 1, 2, 0),
	J64(JGE, 0x7fffffffffffffff, -1, 0),
	J32(JGE, 0x1000000ff, 0xff, 1),
	J32(JGE, 0x100000000, 1, 0),

	J64(JLT, 1, -1, 1),
	J64(JLT, -1, 1, 0),
	J64(JLT, 2, 2, 0),
	J32(JLT, 0x100000000, 1, 1),
	J32(JLT, 0xffffffff, 1, 0),

	J64(JLE, 2, 2, 1),
	J64(JLE, 3, 2, 0),
	J64(JLE, 1, -1, 1),
	J32(JLE, 0x1ffffffff, 0, 0),
	J32(JLE, 0x100000000, 0, 1),

	J64(JSET, 0x10, 0x11, 1),
	J64(JSET, 0x10, 0x01, 0),
	J64(JSET, 0x8000000000000000, -1, 1),
	J64X(JSET, 0x100000000, 0x100000000, 1),
	J32X(JSET, 0x100000000, 0x100000000, 0),
	J32(JSET, 0x80000000, -1, 1),
	J32(JSET, 0xffffffff00000000, -1, 0),

	/* Signed comparisons: the same bits, other answers. */
	J64(JSGT, -1, 1, 0),
	J64(JSGT, 1, -1, 1),
	J64(JSGT, 2, 2, 0),
	J64(JSGT, 0x80000000, 0, 1),
	J32(JSGT, 0x80000000, 0, 0),
	J32(JSGT, 0xffffffff, -2, 1),

	J64(JSGE, -1, -1, 1),
	J64(JSGE, -2, -1, 0),
	J64(JSGE, 0, -1, 1),
	J32(JSGE, 0x80000000, 0, 0),
	J32(JSGE, 0x100000000, 0, 1),

	J64(JSLT, -1, 1, 1),
	J64(JSLT, 1, -1, 0),
	J64(JSLT, 1, 1, 0),
	J64(JSLT, 0x80000000, 0, 0),
	J32(JSLT, 0x80000000, 0, 1),
	J32(JSLT, 0x7fffffff, INT32_MIN, 0),

	J64(JSLE, -1, -1, 1),
	J64(JSLE, 0, -1, 0),
	J64(JSLE, -5, 3, 1),
	J64(JSLE, 0xffffffff, 0, 0),
	J32(JSLE, 0xffffffff, 0, 1),
};

static void test_jumps(bpfvm *vm)
{
	for (size_t i = 0; i < sizeof(jmp_rows) / sizeof(jmp_rows[0]); i++) {
		const struct jmp_row *row = &jmp_rows[i];
		bool reg = BPFVM_SRC(row->code) == BPFVM_X;
		bpfvm_insn prog[9];
		bpfvm_error err;
		uint64_t r0;
		char name[96];
		int rc;

		snprintf(name, sizeof(name),
			 "jump row %zu (code 0x%02x a 0x%" PRIx64
			 " b 0x%" PRIx64 ")",
			 i, row->code, row->a, row->b);
		if (!reg && !imm_fits(row->code, row->b)) {
			fprintf(stderr, "BAD TABLE %s: b is no imm\n", name);
			check_failures++;
			continue;
		}
		lddw_into(&prog[0], 0, row->a);
		lddw_into(&prog[2], 1, row->b);
		prog[4] = (bpfvm_insn)INSN(row->code, 0, reg, 2,
					   reg ? 0 : row->b);
		prog[5] = (bpfvm_insn)MOV64_IMM(0, 0);
		prog[6] = (bpfvm_insn)EXIT();
		prog[7] = (bpfvm_insn)MOV64_IMM(0, 1);
		prog[8] = (bpfvm_insn)EXIT();
		rc = run(vm, name, prog, 9, NULL, 0, &r0, &err);
		if (rc == -2)
			continue;
		check_count++;
		if (rc != 0 || r0 != row->taken) {
			check_failures++;
			fprintf(stderr, "FAIL %s: rc %d, %s, want %s %s\n",
				name, rc, r0 ? "taken" : "not taken",
				row->taken ? "taken" : "not taken",
				rc ? err.msg : "");
		}
	}
}

/* ---- programs ---- */

struct run_case {
	const char *name;
	const bpfvm_insn *insns;
	size_t n;
	const uint8_t *mem; /* the context (copied); NULL: none, r1 = 0 */
	size_t mem_len;
	uint64_t r0;
	const char *err; /* run-time error fragment; NULL: the run succeeds */
	int insn;	 /* ... naming this instruction (-1: any) */
	uint64_t budget; /* 0: the default */
	const uint8_t *mem_after; /* the context after the run, or NULL */
};

/* clang-format off */
#define MEM_AFTER(...) .mem_after = (const uint8_t[]){ __VA_ARGS__ }
/* clang-format on */
#define MEM16                                                                  \
	MEM(0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,  \
	    0x0b, 0x0c, 0x0d, 0x0e, 0x0f)
#define ZERO8 0, 0, 0, 0, 0, 0, 0, 0
#define FAULT "invalid memory access"

/* Atomics on [r10-8] = INIT with r1 = OPND (and r0 = r0v), then return
 * the memory, the source register or r0. */
#define INIT 0x11111111fffffff0ull
#define OPND 0x222222220000003cull
#define ATOMIC_PROG(size, op, r0v, ...)                                        \
	PROG(LDDW(2, INIT), STX(BPFVM_DW, 10, 2, -8), LDDW(1, OPND),           \
	     LDDW(0, r0v), ATOMIC(BPFVM_##size, op, 10, 1, -8), __VA_ARGS__)
#define RET_MEM LDX(BPFVM_DW, 0, 10, -8), EXIT()
#define RET_SRC MOV64_REG(0, 1), EXIT()
#define RET_R0	EXIT()
/* Two cases: what memory holds and what the source register holds. */
/* clang-format off */
#define ATOMIC_CASE(name, size, op, mem, src)                                  \
	{ name " (memory)", ATOMIC_PROG(size, op, 0, RET_MEM), .r0 = (mem) },  \
	{ name " (src)", ATOMIC_PROG(size, op, 0, RET_SRC), .r0 = (src) }
/* clang-format on */

/* Call chains: each LINK calls the function right after it. */
#define LINK CALL_LOCAL(1), EXIT()

static const struct run_case cases[] = {
	/* Loads from the context, every size, both offset signs. */
	{ "ldxb ctx", PROG(LDX(BPFVM_B, 0, 1, 15), EXIT()), MEM16, .r0 = 0x0f },
	{ "ldxh ctx", PROG(LDX(BPFVM_H, 0, 1, 2), EXIT()), MEM16,
	  .r0 = 0x0302 },
	{ "ldxw ctx", PROG(LDX(BPFVM_W, 0, 1, 4), EXIT()), MEM16,
	  .r0 = 0x07060504 },
	{ "ldxdw ctx", PROG(LDX(BPFVM_DW, 0, 1, 8), EXIT()), MEM16,
	  .r0 = 0x0f0e0d0c0b0a0908 },
	{ "ldxb ctx, negative offset",
	  PROG(ALU64_IMM(BPFVM_ADD, 1, 16), LDX(BPFVM_B, 0, 1, -1), EXIT()),
	  MEM16, .r0 = 0x0f },
	{ "ldxh ctx, negative offset",
	  PROG(ALU64_IMM(BPFVM_ADD, 1, 16), LDX(BPFVM_H, 0, 1, -16), EXIT()),
	  MEM16, .r0 = 0x0100 },
	{ "ldxw ctx, negative offset",
	  PROG(ALU64_IMM(BPFVM_ADD, 1, 16), LDX(BPFVM_W, 0, 1, -8), EXIT()),
	  MEM16, .r0 = 0x0b0a0908 },
	{ "ldxdw ctx, negative offset",
	  PROG(ALU64_IMM(BPFVM_ADD, 1, 16), LDX(BPFVM_DW, 0, 1, -16), EXIT()),
	  MEM16, .r0 = 0x0706050403020100 },
	{ "ldxdw into its own base register",
	  PROG(LDX(BPFVM_DW, 1, 1, 8), MOV64_REG(0, 1), EXIT()), MEM16,
	  .r0 = 0x0f0e0d0c0b0a0908 },
	{ "r2 is the context's length", PROG(MOV64_REG(0, 2), EXIT()), MEM16,
	  .r0 = 16 },

	/* Stores into the context. */
	{ "st every size into ctx",
	  PROG(ST(BPFVM_B, 1, 0, 0x1234), ST(BPFVM_H, 1, 2, 0x1234),
	       ST(BPFVM_W, 1, 4, -2), ST(BPFVM_DW, 1, 8, -2), MOV64_IMM(0, 0),
	       EXIT()),
	  MEM(ZERO8, ZERO8),
	  MEM_AFTER(0x34, 0, 0x34, 0x12, 0xfe, 0xff, 0xff, 0xff, 0xfe, 0xff,
		    0xff, 0xff, 0xff, 0xff, 0xff, 0xff) },
	{ "stx every size into ctx",
	  PROG(LDDW(2, 0x0123456789abcdef), STX(BPFVM_B, 1, 2, 0),
	       STX(BPFVM_H, 1, 2, 2), STX(BPFVM_W, 1, 2, 4),
	       STX(BPFVM_DW, 1, 2, 8), MOV64_IMM(0, 0), EXIT()),
	  MEM(ZERO8, ZERO8),
	  MEM_AFTER(0xef, 0, 0xef, 0xcd, 0xef, 0xcd, 0xab, 0x89, 0xef, 0xcd,
		    0xab, 0x89, 0x67, 0x45, 0x23, 0x01) },
	{ "st into ctx, negative offsets (stdw sign-extends)",
	  PROG(ALU64_IMM(BPFVM_ADD, 1, 16), ST(BPFVM_B, 1, -16, 0x11),
	       ST(BPFVM_H, 1, -14, 0x2233), ST(BPFVM_W, 1, -12, 0x44556677),
	       ST(BPFVM_DW, 1, -8, 0x8899aabb), MOV64_IMM(0, 0), EXIT()),
	  MEM(ZERO8, ZERO8),
	  MEM_AFTER(0x11, 0, 0x33, 0x22, 0x77, 0x66, 0x55, 0x44, 0xbb, 0xaa,
		    0x99, 0x88, 0xff, 0xff, 0xff, 0xff) },

	/* The stack. */
	{ "stack: dw stored, h read",
	  PROG(LDDW(1, 0x0123456789abcdef), STX(BPFVM_DW, 10, 1, -16),
	       LDX(BPFVM_H, 0, 10, -14), EXIT()),
	  .r0 = 0x89ab },
	{ "stack: dw stored, w read",
	  PROG(LDDW(1, 0x0123456789abcdef), STX(BPFVM_DW, 10, 1, -16),
	       LDX(BPFVM_W, 0, 10, -12), EXIT()),
	  .r0 = 0x01234567 },
	{ "stack: dw stored, b read",
	  PROG(LDDW(1, 0x0123456789abcdef), STX(BPFVM_DW, 10, 1, -16),
	       LDX(BPFVM_B, 0, 10, -9), EXIT()),
	  .r0 = 0x01 },
	{ "stack: every size stored, dw read",
	  PROG(ST(BPFVM_DW, 10, -8, 0), ST(BPFVM_B, 10, -8, 0x11),
	       ST(BPFVM_H, 10, -6, 0x2233), ST(BPFVM_W, 10, -4, 0x44556677),
	       LDX(BPFVM_DW, 0, 10, -8), EXIT()),
	  .r0 = 0x4455667722330011 },
	{ "stack: stx every size, dw read",
	  PROG(ST(BPFVM_DW, 10, -16, 0), ST(BPFVM_DW, 10, -8, 0),
	       MOV64_IMM(1, -1), STX(BPFVM_B, 10, 1, -16),
	       STX(BPFVM_H, 10, 1, -14), STX(BPFVM_W, 10, 1, -12),
	       LDX(BPFVM_DW, 0, 10, -16), EXIT()),
	  .r0 = 0xffffffffffff00ff },
	{ "stack: positive offset from a pointer",
	  PROG(MOV64_REG(2, 10), ALU64_IMM(BPFVM_ADD, 2, -16),
	       ST(BPFVM_DW, 2, 8, 77), LDX(BPFVM_DW, 0, 10, -8), EXIT()),
	  .r0 = 77 },
	{ "stack: the bottom slot",
	  PROG(ST(BPFVM_DW, 10, -512, 5), LDX(BPFVM_DW, 0, 10, -512), EXIT()),
	  .r0 = 5 },
	{ "stack: the top byte",
	  PROG(ST(BPFVM_B, 10, -1, 0x5a), LDX(BPFVM_B, 0, 10, -1), EXIT()),
	  .r0 = 0x5a },

	/* Sign-extending loads. */
	{ "ldxsb negative", PROG(LDXS(BPFVM_B, 0, 1, 0), EXIT()),
	  MEM(0x80, 0x7f, 0x00, 0x80, 0xff, 0x7f, 0, 0),
	  .r0 = 0xffffffffffffff80 },
	{ "ldxsb positive", PROG(LDXS(BPFVM_B, 0, 1, 1), EXIT()),
	  MEM(0x80, 0x7f, 0x00, 0x80, 0xff, 0x7f, 0, 0), .r0 = 0x7f },
	{ "ldxsh negative", PROG(LDXS(BPFVM_H, 0, 1, 2), EXIT()),
	  MEM(0x80, 0x7f, 0x00, 0x80, 0xff, 0x7f, 0, 0),
	  .r0 = 0xffffffffffff8000 },
	{ "ldxsh positive", PROG(LDXS(BPFVM_H, 0, 1, 4), EXIT()),
	  MEM(0x80, 0x7f, 0x00, 0x80, 0xff, 0x7f, 0, 0), .r0 = 0x7fff },
	{ "ldxsw negative", PROG(LDXS(BPFVM_W, 0, 1, 0), EXIT()),
	  MEM(0x00, 0x00, 0x00, 0x80, 0xff, 0xff, 0xff, 0x7f),
	  .r0 = 0xffffffff80000000 },
	{ "ldxsw positive", PROG(LDXS(BPFVM_W, 0, 1, 4), EXIT()),
	  MEM(0x00, 0x00, 0x00, 0x80, 0xff, 0xff, 0xff, 0x7f),
	  .r0 = 0x7fffffff },
	{ "ldxsb, negative offset into ctx",
	  PROG(ALU64_IMM(BPFVM_ADD, 1, 8), LDXS(BPFVM_B, 0, 1, -8), EXIT()),
	  MEM(0x80, 0x7f, 0x00, 0x80, 0xff, 0x7f, 0, 0),
	  .r0 = 0xffffffffffffff80 },
	{ "ldxsw from the stack",
	  PROG(ST(BPFVM_W, 10, -4, -5), LDXS(BPFVM_W, 0, 10, -4), EXIT()),
	  .r0 = 0xfffffffffffffffb },
	{ "ldxb zero-extends", PROG(LDX(BPFVM_B, 0, 1, 0), EXIT()),
	  MEM(0x80, 0x7f, 0x00, 0x80, 0xff, 0x7f, 0, 0), .r0 = 0x80 },

	/* lddw. */
	{ "lddw", PROG(LDDW(0, 0x0123456789abcdef), EXIT()),
	  .r0 = 0x0123456789abcdef },
	{ "lddw does not sign-extend", PROG(LDDW(0, 0x80000000), EXIT()),
	  .r0 = 0x80000000 },
	{ "lddw -1", PROG(LDDW(0, -1), EXIT()), .r0 = 0xffffffffffffffff },
	{ "lddw high half only", PROG(LDDW(0, 0xffffffff00000000), EXIT()),
	  .r0 = 0xffffffff00000000 },

	/* Atomics, with and without fetch, 64 and 32 bits: INIT =
	 * 0x11111111fffffff0 in memory, OPND = 0x222222220000003c. */
	ATOMIC_CASE("add", DW, BPFVM_ADD, 0x333333340000002c, OPND),
	ATOMIC_CASE("or", DW, BPFVM_OR, 0x33333333fffffffc, OPND),
	ATOMIC_CASE("and", DW, BPFVM_AND, 0x30, OPND),
	ATOMIC_CASE("xor", DW, BPFVM_XOR, 0x33333333ffffffcc, OPND),
	ATOMIC_CASE("fetch_add", DW, BPFVM_ADD | BPFVM_FETCH,
		    0x333333340000002c, INIT),
	ATOMIC_CASE("fetch_or", DW, BPFVM_OR | BPFVM_FETCH, 0x33333333fffffffc,
		    INIT),
	ATOMIC_CASE("fetch_and", DW, BPFVM_AND | BPFVM_FETCH, 0x30, INIT),
	ATOMIC_CASE("fetch_xor", DW, BPFVM_XOR | BPFVM_FETCH,
		    0x33333333ffffffcc, INIT),
	ATOMIC_CASE("xchg", DW, BPFVM_XCHG, OPND, INIT),
	ATOMIC_CASE("add32", W, BPFVM_ADD, 0x111111110000002c, OPND),
	ATOMIC_CASE("or32", W, BPFVM_OR, 0x11111111fffffffc, OPND),
	ATOMIC_CASE("and32", W, BPFVM_AND, 0x1111111100000030, OPND),
	ATOMIC_CASE("xor32", W, BPFVM_XOR, 0x11111111ffffffcc, OPND),
	ATOMIC_CASE("fetch_add32", W, BPFVM_ADD | BPFVM_FETCH,
		    0x111111110000002c, 0xfffffff0),
	ATOMIC_CASE("fetch_or32", W, BPFVM_OR | BPFVM_FETCH, 0x11111111fffffffc,
		    0xfffffff0),
	ATOMIC_CASE("fetch_and32", W, BPFVM_AND | BPFVM_FETCH,
		    0x1111111100000030, 0xfffffff0),
	ATOMIC_CASE("fetch_xor32", W, BPFVM_XOR | BPFVM_FETCH,
		    0x11111111ffffffcc, 0xfffffff0),
	ATOMIC_CASE("xchg32", W, BPFVM_XCHG, 0x111111110000003c, 0xfffffff0),
	{ "cmpxchg success (memory)",
	  ATOMIC_PROG(DW, BPFVM_CMPXCHG, INIT, RET_MEM), .r0 = OPND },
	{ "cmpxchg success (r0)", ATOMIC_PROG(DW, BPFVM_CMPXCHG, INIT, RET_R0),
	  .r0 = INIT },
	{ "cmpxchg success (src)",
	  ATOMIC_PROG(DW, BPFVM_CMPXCHG, INIT, RET_SRC), .r0 = OPND },
	{ "cmpxchg failure (memory)",
	  ATOMIC_PROG(DW, BPFVM_CMPXCHG, 5, RET_MEM), .r0 = INIT },
	{ "cmpxchg failure (r0)", ATOMIC_PROG(DW, BPFVM_CMPXCHG, 5, RET_R0),
	  .r0 = INIT },
	{ "cmpxchg failure on the high half (memory)",
	  ATOMIC_PROG(DW, BPFVM_CMPXCHG, 0xfffffff0, RET_MEM), .r0 = INIT },
	{ "cmpxchg failure on the high half (r0)",
	  ATOMIC_PROG(DW, BPFVM_CMPXCHG, 0xfffffff0, RET_R0), .r0 = INIT },
	{ "cmpxchg32 success, high half of r0 ignored (memory)",
	  ATOMIC_PROG(W, BPFVM_CMPXCHG, 0xdeadbeeffffffff0, RET_MEM),
	  .r0 = 0x111111110000003c },
	{ "cmpxchg32 success (r0 zero-extended)",
	  ATOMIC_PROG(W, BPFVM_CMPXCHG, 0xdeadbeeffffffff0, RET_R0),
	  .r0 = 0xfffffff0 },
	{ "cmpxchg32 failure (memory)",
	  ATOMIC_PROG(W, BPFVM_CMPXCHG, 0x11111111fffffff1, RET_MEM),
	  .r0 = INIT },
	{ "cmpxchg32 failure (r0)",
	  ATOMIC_PROG(W, BPFVM_CMPXCHG, 0x11111111fffffff1, RET_R0),
	  .r0 = 0xfffffff0 },
	{ "atomic add into ctx",
	  PROG(MOV64_IMM(2, 41), ATOMIC(BPFVM_DW, BPFVM_ADD, 1, 2, 0),
	       LDX(BPFVM_DW, 0, 1, 0), EXIT()),
	  MEM(1, 0, 0, 0, 0, 0, 0, 0), .r0 = 42,
	  MEM_AFTER(42, 0, 0, 0, 0, 0, 0, 0) },
	{ "fetch_add32 into ctx at offset 4",
	  PROG(MOV64_IMM(2, 2),
	       ATOMIC(BPFVM_W, BPFVM_ADD | BPFVM_FETCH, 1, 2, 4),
	       MOV64_REG(0, 2), EXIT()),
	  MEM(0, 0, 0, 0, 7, 0, 0, 0), .r0 = 7,
	  MEM_AFTER(0, 0, 0, 0, 9, 0, 0, 0) },
	{ "atomic through another register, positive offset",
	  PROG(MOV64_REG(3, 10), ALU64_IMM(BPFVM_ADD, 3, -16),
	       ST(BPFVM_DW, 3, 8, 7), MOV64_IMM(2, 1),
	       ATOMIC(BPFVM_DW, BPFVM_ADD, 3, 2, 8), LDX(BPFVM_DW, 0, 10, -8),
	       EXIT()),
	  .r0 = 8 },
	{ "xchg with src = dst",
	  PROG(MOV64_REG(2, 10), ALU64_IMM(BPFVM_ADD, 2, -8),
	       ST(BPFVM_DW, 10, -8, 99), ATOMIC(BPFVM_DW, BPFVM_XCHG, 2, 2, 0),
	       MOV64_REG(0, 2), EXIT()),
	  .r0 = 99 },
	{ "aligned atomic32 at r10-4",
	  PROG(ST(BPFVM_W, 10, -4, 1), MOV64_IMM(1, 2),
	       ATOMIC(BPFVM_W, BPFVM_ADD, 10, 1, -4), LDX(BPFVM_W, 0, 10, -4),
	       EXIT()),
	  .r0 = 3 },

	/* Jumps. */
	{ "ja forward", PROG(MOV64_IMM(0, 1), JA(1), MOV64_IMM(0, 2), EXIT()),
	  .r0 = 1 },
	{ "ja backward (a loop)",
	  PROG(MOV64_IMM(0, 0), MOV64_IMM(1, 5), ALU64_IMM(BPFVM_ADD, 0, 2),
	       ALU64_IMM(BPFVM_SUB, 1, 1), JMP_IMM(BPFVM_JEQ, 1, 0, 1), JA(-4),
	       EXIT()),
	  .r0 = 10 },
	{ "ja32 forward",
	  PROG(MOV64_IMM(0, 1), JA32(1), MOV64_IMM(0, 2), EXIT()), .r0 = 1 },
	{ "ja32 backward",
	  PROG(MOV64_IMM(0, 0), JA32(2), ALU64_IMM(BPFVM_ADD, 0, 10), EXIT(),
	       ALU64_IMM(BPFVM_ADD, 0, 1), JA32(-4)),
	  .r0 = 11 },
	{ "conditional jump by 0",
	  PROG(MOV64_IMM(0, 3), JMP_IMM(BPFVM_JEQ, 0, 3, 0), EXIT()), .r0 = 3 },
	{ "jeq over lddw",
	  PROG(MOV64_IMM(0, 3), JMP_IMM(BPFVM_JEQ, 0, 3, 2), LDDW(0, 7),
	       EXIT()),
	  .r0 = 3 },

	/* bpf-to-bpf calls. */
	{ "local call: arguments and result",
	  PROG(MOV64_IMM(1, 3), MOV64_IMM(2, 4), CALL_LOCAL(1), EXIT(),
	       MOV64_REG(0, 1), ALU64_REG(BPFVM_MUL, 0, 2), EXIT()),
	  .r0 = 12 },
	{ "local call: r6-r9 preserved",
	  PROG(MOV64_IMM(6, 6), MOV64_IMM(7, 7), MOV64_IMM(8, 8),
	       MOV64_IMM(9, 9), CALL_LOCAL(8), MOV64_REG(0, 6),
	       ALU64_IMM(BPFVM_LSH, 0, 8), ALU64_REG(BPFVM_OR, 0, 7),
	       ALU64_IMM(BPFVM_LSH, 0, 8), ALU64_REG(BPFVM_OR, 0, 8),
	       ALU64_IMM(BPFVM_LSH, 0, 8), ALU64_REG(BPFVM_OR, 0, 9), EXIT(),
	       MOV64_IMM(6, 0x66), MOV64_IMM(7, 0x77), MOV64_IMM(8, 0x88),
	       MOV64_IMM(9, 0x99), MOV64_IMM(0, 0), EXIT()),
	  .r0 = 0x06070809 },
	{ "local call: the callee's r10 is 512 below",
	  PROG(MOV64_REG(6, 10), CALL_LOCAL(3), ALU64_REG(BPFVM_SUB, 6, 0),
	       MOV64_REG(0, 6), EXIT(), MOV64_REG(0, 10), EXIT()),
	  .r0 = 512 },
	{ "local call: the callee's stack is its own",
	  PROG(ST(BPFVM_DW, 10, -8, 0x11), CALL_LOCAL(4),
	       LDX(BPFVM_DW, 1, 10, -8), ALU64_IMM(BPFVM_LSH, 1, 8),
	       ALU64_REG(BPFVM_OR, 0, 1), EXIT(), ST(BPFVM_DW, 10, -8, 0x22),
	       LDX(BPFVM_DW, 0, 10, -8), EXIT()),
	  .r0 = 0x1122 },
	{ "local call: the callee reads the caller's stack through r1",
	  PROG(ST(BPFVM_DW, 10, -8, 42), MOV64_REG(1, 10),
	       ALU64_IMM(BPFVM_ADD, 1, -8), CALL_LOCAL(1), EXIT(),
	       LDX(BPFVM_DW, 0, 1, 0), EXIT()),
	  .r0 = 42 },
	{ "local call: the callee writes the caller's stack through r1",
	  PROG(ST(BPFVM_DW, 10, -8, 1), MOV64_REG(1, 10),
	       ALU64_IMM(BPFVM_ADD, 1, -8), CALL_LOCAL(2),
	       LDX(BPFVM_DW, 0, 10, -8), EXIT(), ST(BPFVM_DW, 1, 0, 77),
	       MOV64_IMM(0, 0), EXIT()),
	  .r0 = 77 },
	{ "local call: 8 frames, the deepest uses its whole frame",
	  PROG(MOV64_REG(6, 10), CALL_LOCAL(3), ALU64_REG(BPFVM_SUB, 6, 0),
	       MOV64_REG(0, 6), EXIT(), LINK, LINK, LINK, LINK, LINK, LINK,
	       ST(BPFVM_DW, 10, -512, 3), LDX(BPFVM_DW, 1, 10, -512),
	       MOV64_REG(0, 10), ALU64_REG(BPFVM_SUB, 0, 1), EXIT()),
	  .r0 = 7 * 512 + 3 },
	{ "local call: the same function twice",
	  PROG(MOV64_IMM(1, 1), CALL_LOCAL(4), MOV64_REG(6, 0), MOV64_IMM(1, 2),
	       CALL_LOCAL(1), EXIT(), ALU64_IMM(BPFVM_ADD, 1, 10),
	       MOV64_REG(0, 1), EXIT()),
	  .r0 = 12 },

	/* Helpers. */
	{ "helper gets r1-r5",
	  PROG(MOV64_IMM(1, 1), MOV64_IMM(2, 2), MOV64_IMM(3, 3),
	       MOV64_IMM(4, 4), MOV64_IMM(5, 5), CALL(H_PACK), EXIT()),
	  .r0 = 0x0504030201 },
	{ "helper result used",
	  PROG(MOV64_IMM(1, 7), MOV64_IMM(2, 0), MOV64_IMM(3, 0),
	       MOV64_IMM(4, 0), MOV64_IMM(5, 0), CALL(H_PACK),
	       ALU64_IMM(BPFVM_ADD, 0, 1), EXIT()),
	  .r0 = 8 },
	{ "helper keeps r6-r9",
	  PROG(MOV64_IMM(6, 6), MOV64_IMM(9, 9), CALL(H_COUNT), MOV64_REG(0, 6),
	       ALU64_REG(BPFVM_MUL, 0, 9), EXIT()),
	  .r0 = 54 },
	{ "read a buffer a helper allowed",
	  PROG(CALL(H_RO_BUF), LDX(BPFVM_DW, 0, 0, 8), EXIT()),
	  .r0 = 0xafaeadacabaaa9a8 },
	{ "write a buffer a helper allowed writable",
	  PROG(CALL(H_RW_BUF), ST(BPFVM_DW, 0, 0, 0x55), LDX(BPFVM_DW, 0, 0, 0),
	       EXIT()),
	  .r0 = 0x55 },
	{ "callx",
	  PROG(MOV64_IMM(1, 9), MOV64_IMM(2, 8), MOV64_IMM(3, 7),
	       MOV64_IMM(4, 6), MOV64_IMM(5, 5), MOV64_IMM(6, H_PACK), CALLX(6),
	       EXIT()),
	  .r0 = 0x0506070809 },

	/* Legacy packet loads: big-endian, out of bounds ends with 0. */
	{ "ldabsw", PROG(LDABS(BPFVM_W, 0), EXIT()),
	  MEM(1, 2, 3, 4, 5, 6, 7, 8), .r0 = 0x01020304 },
	{ "ldabsw, last word", PROG(LDABS(BPFVM_W, 4), EXIT()),
	  MEM(1, 2, 3, 4, 5, 6, 7, 8), .r0 = 0x05060708 },
	{ "ldabsh", PROG(LDABS(BPFVM_H, 2), EXIT()),
	  MEM(1, 2, 3, 4, 5, 6, 7, 8), .r0 = 0x0304 },
	{ "ldabsb", PROG(LDABS(BPFVM_B, 7), EXIT()),
	  MEM(1, 2, 3, 4, 5, 6, 7, 8), .r0 = 0x08 },
	{ "ldabsb replaces r0",
	  PROG(MOV64_IMM(0, -1), LDABS(BPFVM_B, 0), EXIT()),
	  MEM(1, 2, 3, 4, 5, 6, 7, 8), .r0 = 0x01 },
	{ "ldindw", PROG(MOV64_IMM(3, 2), LDIND(BPFVM_W, 3, 2), EXIT()),
	  MEM(1, 2, 3, 4, 5, 6, 7, 8), .r0 = 0x05060708 },
	{ "ldindh, negative imm",
	  PROG(MOV64_IMM(3, 6), LDIND(BPFVM_H, 3, -2), EXIT()),
	  MEM(1, 2, 3, 4, 5, 6, 7, 8), .r0 = 0x0506 },
	{ "ldindb", PROG(MOV64_IMM(3, 7), LDIND(BPFVM_B, 3, 0), EXIT()),
	  MEM(1, 2, 3, 4, 5, 6, 7, 8), .r0 = 0x08 },
	{ "ldabsw past the end returns 0",
	  PROG(LDABS(BPFVM_W, 5), MOV64_IMM(0, 1), EXIT()),
	  MEM(1, 2, 3, 4, 5, 6, 7, 8), .r0 = 0 },
	{ "ldabsb at the length returns 0",
	  PROG(LDABS(BPFVM_B, 8), MOV64_IMM(0, 1), EXIT()),
	  MEM(1, 2, 3, 4, 5, 6, 7, 8), .r0 = 0 },
	{ "ldabsb, negative offset returns 0",
	  PROG(LDABS(BPFVM_B, -1), MOV64_IMM(0, 1), EXIT()),
	  MEM(1, 2, 3, 4, 5, 6, 7, 8), .r0 = 0 },
	{ "ldindw past the end returns 0",
	  PROG(MOV64_IMM(3, 100), LDIND(BPFVM_W, 3, 0), MOV64_IMM(0, 1),
	       EXIT()),
	  MEM(1, 2, 3, 4, 5, 6, 7, 8), .r0 = 0 },
	{ "ldindb, huge register returns 0",
	  PROG(LDDW(3, 0x7fffffffffffffff), LDIND(BPFVM_B, 3, 0),
	       MOV64_IMM(0, 1), EXIT()),
	  MEM(1, 2, 3, 4, 5, 6, 7, 8), .r0 = 0 },
	{ "ldabsb without a context returns 0",
	  PROG(LDABS(BPFVM_B, 0), MOV64_IMM(0, 1), EXIT()), .r0 = 0 },

	/* Run-time errors: every access outside the stack of a live frame,
	 * the context and the allowed regions. */
	{ "read r10+0", PROG(LDX(BPFVM_B, 0, 10, 0), EXIT()),
	  .err = FAULT ": read of 1 bytes", .insn = 0 },
	{ "read r10+7", PROG(MOV64_IMM(0, 0), LDX(BPFVM_B, 0, 10, 7), EXIT()),
	  .err = FAULT, .insn = 1 },
	{ "read host memory above the stack",
	  PROG(LDX(BPFVM_DW, 0, 10, 64), EXIT()), .err = FAULT, .insn = 0 },
	{ "read across the top of the stack",
	  PROG(LDX(BPFVM_DW, 0, 10, -4), EXIT()),
	  .err = FAULT ": read of 8 bytes", .insn = 0 },
	{ "write r10+0", PROG(MOV64_IMM(0, 0), ST(BPFVM_B, 10, 0, 1), EXIT()),
	  .err = FAULT ": write of 1 bytes", .insn = 1 },
	{ "write r10+7", PROG(MOV64_IMM(0, 0), STX(BPFVM_B, 10, 0, 7), EXIT()),
	  .err = FAULT ": write of 1 bytes", .insn = 1 },
	{ "read r10-513", PROG(LDX(BPFVM_B, 0, 10, -513), EXIT()), .err = FAULT,
	  .insn = 0 },
	{ "write across the bottom of the stack",
	  PROG(MOV64_IMM(0, 0), ST(BPFVM_DW, 10, -516, 0), EXIT()),
	  .err = FAULT ": write of 8 bytes", .insn = 1 },
	{ "read ctx+len", PROG(LDX(BPFVM_B, 0, 1, 8), EXIT()), MEM(ZERO8),
	  .err = FAULT, .insn = 0 },
	{ "read across the end of ctx", PROG(LDX(BPFVM_DW, 0, 1, 1), EXIT()),
	  MEM(ZERO8), .err = FAULT ": read of 8 bytes", .insn = 0 },
	{ "read ctx-1", PROG(LDX(BPFVM_B, 0, 1, -1), EXIT()), MEM(ZERO8),
	  .err = FAULT, .insn = 0 },
	{ "write ctx+len leaves ctx alone",
	  PROG(MOV64_IMM(0, 0), ST(BPFVM_B, 1, 0, 7), ST(BPFVM_W, 1, 6, 7),
	       EXIT()),
	  MEM(ZERO8), .err = FAULT ": write of 4 bytes", .insn = 2,
	  MEM_AFTER(7, 0, 0, 0, 0, 0, 0, 0) },
	{ "read NULL", PROG(MOV64_IMM(1, 0), LDX(BPFVM_B, 0, 1, 0), EXIT()),
	  .err = FAULT, .insn = 1 },
	{ "read through r1 without a context",
	  PROG(LDX(BPFVM_B, 0, 1, 0), EXIT()), .err = FAULT, .insn = 0 },
	{ "write a wild address",
	  PROG(MOV64_IMM(0, 0), LDDW(1, 0x4141414141414141),
	       STX(BPFVM_DW, 1, 1, 0), EXIT()),
	  .err = FAULT, .insn = 3 },
	{ "read the last byte of the address space",
	  PROG(LDDW(1, -1), LDX(BPFVM_DW, 0, 1, 0), EXIT()), .err = FAULT,
	  .insn = 2 },
	{ "address wraps to 0",
	  PROG(LDDW(1, -1), LDX(BPFVM_B, 0, 1, 1), EXIT()), .err = FAULT,
	  .insn = 2 },
	{ "read the stack of a returned frame",
	  PROG(CALL_LOCAL(2), LDX(BPFVM_DW, 0, 0, -8), EXIT(),
	       ST(BPFVM_DW, 10, -8, 7), MOV64_REG(0, 10), EXIT()),
	  .err = FAULT, .insn = 1 },
	{ "write the stack of a returned frame",
	  PROG(CALL_LOCAL(2), ST(BPFVM_DW, 0, -8, 1), EXIT(), MOV64_REG(0, 10),
	       EXIT()),
	  .err = FAULT, .insn = 1 },
	{ "a callee reads below its frame",
	  PROG(CALL_LOCAL(1), EXIT(), LDX(BPFVM_B, 0, 10, -513), EXIT()),
	  .err = FAULT, .insn = 2 },
	{ "the 8th frame reads below the whole stack",
	  PROG(LINK, LINK, LINK, LINK, LINK, LINK, LINK,
	       LDX(BPFVM_B, 0, 10, -513), EXIT()),
	  .err = FAULT, .insn = 14 },
	{ "write a buffer a helper allowed read-only",
	  PROG(CALL(H_RO_BUF), ST(BPFVM_B, 0, 0, 1), EXIT()),
	  .err = FAULT ": write of 1 bytes", .insn = 1 },
	{ "read past a helper's buffer",
	  PROG(CALL(H_RW_BUF), LDX(BPFVM_DW, 0, 0, 12), EXIT()), .err = FAULT,
	  .insn = 1 },
	{ "read memory no helper allowed (nor an earlier run)",
	  PROG(CALL(H_HIDDEN_BUF), LDX(BPFVM_B, 0, 0, 0), EXIT()), .err = FAULT,
	  .insn = 1 },
	{ "atomic add to a read-only buffer",
	  PROG(CALL(H_RO_BUF), MOV64_IMM(1, 1),
	       ATOMIC(BPFVM_DW, BPFVM_ADD, 0, 1, 0), EXIT()),
	  .err = FAULT ": write of 8 bytes", .insn = 2 },
	{ "atomic outside the stack",
	  PROG(MOV64_IMM(0, 0), ATOMIC(BPFVM_DW, BPFVM_ADD, 10, 0, 0), EXIT()),
	  .err = FAULT, .insn = 1 },
	{ "misaligned atomic64",
	  PROG(ST(BPFVM_DW, 10, -16, 0), MOV64_IMM(0, 1),
	       ATOMIC(BPFVM_DW, BPFVM_ADD, 10, 0, -12), EXIT()),
	  .err = "misaligned", .insn = 2 },
	{ "misaligned atomic32",
	  PROG(ST(BPFVM_DW, 10, -8, 0), MOV64_IMM(0, 1),
	       ATOMIC(BPFVM_W, BPFVM_XCHG, 10, 0, -6), EXIT()),
	  .err = "misaligned", .insn = 2 },
	{ "misaligned cmpxchg in ctx",
	  PROG(MOV64_IMM(0, 0), ATOMIC(BPFVM_DW, BPFVM_CMPXCHG, 1, 2, 4),
	       EXIT()),
	  MEM(ZERO8, ZERO8), .err = "misaligned", .insn = 1 },
	{ "helper abort",
	  PROG(MOV64_IMM(0, 0), CALL(H_ABORT), MOV64_IMM(0, 1), EXIT()),
	  .err = "abort: stopped by the test", .insn = 1 },
	{ "callx abort", PROG(MOV64_IMM(6, H_ABORT), CALLX(6), EXIT()),
	  .err = "stopped by the test", .insn = 1 },
	{ "callx to an unregistered id",
	  PROG(MOV64_IMM(6, 99), CALLX(6), EXIT()), .err = "callx to helper 99",
	  .insn = 1 },
	{ "callx to 0", PROG(MOV64_IMM(0, 0), CALLX(0), EXIT()),
	  .err = "callx to helper 0", .insn = 1 },
	{ "callx to an id with high bits",
	  PROG(LDDW(6, 0x100000001), CALLX(6), EXIT()),
	  .err = "callx to helper 4294967297", .insn = 2 },
	{ "callx to -1", PROG(MOV64_IMM(6, -1), CALLX(6), EXIT()),
	  .err = "callx to helper 18446744073709551615", .insn = 1 },

	/* Callbacks: a helper calls a function of the program (lddw of a
	 * function, src 4) on the same stack, one frame deeper. */
	{ "callback: arguments, a helper inside, the result",
	  PROG(LDDW_SRC(1, BPFVM_PSEUDO_FUNC, 7), MOV64_IMM(2, 1),
	       MOV64_IMM(3, 2), MOV64_IMM(4, 3), MOV64_IMM(5, 4),
	       CALL(H_CALLBACK), EXIT(), CALL(H_PACK), EXIT()),
	  .r0 = 0x04030201 },
	{ "callback: its frame is 512 below",
	  PROG(LDDW_SRC(1, BPFVM_PSEUDO_FUNC, 4), MOV64_REG(2, 10),
	       CALL(H_CALLBACK), EXIT(), MOV64_REG(0, 1),
	       ALU64_REG(BPFVM_SUB, 0, 10), EXIT()),
	  .r0 = 512 },
	{ "callback: reads the caller's stack through a pointer",
	  PROG(ST(BPFVM_DW, 10, -8, 42), LDDW_SRC(1, BPFVM_PSEUDO_FUNC, 5),
	       MOV64_REG(2, 10), ALU64_IMM(BPFVM_ADD, 2, -8), CALL(H_CALLBACK),
	       EXIT(), LDX(BPFVM_DW, 0, 1, 0), EXIT()),
	  .r0 = 42 },
	{ "callback: a number is no function",
	  PROG(MOV64_IMM(1, 12345), CALL(H_CALLBACK), EXIT()),
	  .err = "callback is not a function of the program", .insn = 1 },
	{ "callback: into the middle of a function",
	  PROG(LDDW_SRC(1, BPFVM_PSEUDO_FUNC, 4), ALU64_IMM(BPFVM_ADD, 1, 1),
	       CALL(H_CALLBACK), EXIT(), MOV64_IMM(0, 1), EXIT()),
	  .err = "callback is not a function of the program", .insn = 3 },
	{ "callback: recursion stops at 8 frames",
	  PROG(LDDW_SRC(1, BPFVM_PSEUDO_FUNC, 4), MOV64_REG(2, 1),
	       CALL(H_CALLBACK), EXIT(), MOV64_REG(2, 1), CALL(H_CALLBACK),
	       EXIT()),
	  .err = "too deep", .insn = -1 },
	{ "callback: a fault inside fails the run",
	  PROG(LDDW_SRC(1, BPFVM_PSEUDO_FUNC, 4), CALL(H_CALLBACK),
	       MOV64_IMM(0, 0), EXIT(), LDX(BPFVM_B, 0, 10, -513), EXIT()),
	  .err = FAULT, .insn = 5 },
	{ "callback: an endless loop inside meets the budget",
	  PROG(LDDW_SRC(1, BPFVM_PSEUDO_FUNC, 4), CALL(H_CALLBACK),
	       MOV64_IMM(0, 0), EXIT(), MOV64_IMM(0, 0), JA(-1)),
	  .err = "budget", .insn = -1, .budget = 1000 },

	/* The instruction budget: main's length on entry, a loop's span on
	 * each back-edge. 10 iterations of a 3-insn loop in a 6-insn
	 * program: 6 + 9 * 3 = 33, exactly what it runs. */
	{ "loop within its budget",
	  PROG(MOV64_IMM(0, 0), MOV64_IMM(1, 10), ALU64_IMM(BPFVM_ADD, 0, 1),
	       ALU64_IMM(BPFVM_SUB, 1, 1), JMP_IMM(BPFVM_JNE, 1, 0, -3),
	       EXIT()),
	  .r0 = 10, .budget = 33 },
	{ "loop one past its budget",
	  PROG(MOV64_IMM(0, 0), MOV64_IMM(1, 10), ALU64_IMM(BPFVM_ADD, 0, 1),
	       ALU64_IMM(BPFVM_SUB, 1, 1), JMP_IMM(BPFVM_JNE, 1, 0, -3),
	       EXIT()),
	  .err = "instruction budget of 32 exhausted", .insn = 4,
	  .budget = 32 },
	{ "budget below main's length",
	  PROG(MOV64_IMM(0, 0), MOV64_IMM(1, 10), ALU64_IMM(BPFVM_ADD, 0, 1),
	       ALU64_IMM(BPFVM_SUB, 1, 1), JMP_IMM(BPFVM_JNE, 1, 0, -3),
	       EXIT()),
	  .err = "budget", .insn = 0, .budget = 5 },
	{ "infinite ja", PROG(MOV64_IMM(0, 0), JA(-1)), .err = "budget",
	  .insn = 1, .budget = 1000 },
	{ "infinite ja32", PROG(MOV64_IMM(0, 0), JA32(-1)), .err = "budget",
	  .insn = 1, .budget = 1000 },
	{ "infinite loop through a call",
	  PROG(MOV64_IMM(0, 0), CALL_LOCAL(1), JA(-2), MOV64_IMM(0, 1), EXIT()),
	  .err = "budget", .insn = -1, .budget = 100000 },
};

static void run_case(bpfvm *vm, const struct run_case *c)
{
	_Alignas(16) uint8_t mem[64];
	bpfvm_error err;
	uint64_t r0;
	int rc;

	if (c->mem_len > sizeof(mem))
		abort();
	if (c->mem)
		memcpy(mem, c->mem, c->mem_len);
	bpfvm_set_budget(vm, c->budget ? c->budget : BPFVM_DEFAULT_BUDGET);
	rc = run(vm, c->name, c->insns, c->n, c->mem ? mem : NULL, c->mem_len,
		 &r0, &err);
	if (rc == -2)
		return;
	check_count++;
	if (c->err ? rc != -1 || !strstr(err.msg, c->err) ||
			     (c->insn >= 0 && err.insn != c->insn)
		   : rc != 0 || r0 != c->r0) {
		check_failures++;
		fprintf(stderr,
			"FAIL %s: rc %d, r0 0x%" PRIx64 ", insn %d: %s\n",
			c->name, rc, r0, err.insn, err.msg);
		if (c->err)
			fprintf(stderr, "    want insn %d: ...%s...\n", c->insn,
				c->err);
		else
			fprintf(stderr, "    want r0 0x%" PRIx64 "\n", c->r0);
	}
	if (c->mem_after) {
		check_count++;
		if (memcmp(mem, c->mem_after, c->mem_len)) {
			check_failures++;
			fprintf(stderr,
				"FAIL %s: the context after the run:", c->name);
			for (size_t i = 0; i < c->mem_len; i++)
				fprintf(stderr, " %02x", mem[i]);
			fprintf(stderr, "\n");
		}
	}
}

/* ---- properties ---- */

/*
 * The budget is an upper bound on what runs. A loop of 20 iterations
 * calls a counting helper and a 2-insn function:
 *     0: r6 = 0
 *     1: r1 = r6            <-+
 *     2: call count           |
 *     3: call f               |
 *     4: r6 += 1              |
 *     5: if r6 < 20 goto 1  --+
 *     6: r0 = r6
 *     7: exit
 *     8: f: r0 = 1
 *     9: exit
 * It runs 1 + 20 * 7 + 2 = 143 instructions, and is charged 8 (main) +
 * 20 * 2 (f) + 19 * 5 (back-edges) = 143. For every budget: a run that
 * stops has executed no more than the budget (counting the instruction
 * it stopped at), and runs succeed from exactly 143 on.
 */
static void test_budget_bound(bpfvm *vm)
{
	static const bpfvm_insn prog[] = {
		MOV64_IMM(6, 0),
		MOV64_REG(1, 6),
		CALL(H_COUNT),
		CALL_LOCAL(4),
		ALU64_IMM(BPFVM_ADD, 6, 1),
		JMP_IMM(BPFVM_JLT, 6, 20, -5),
		MOV64_REG(0, 6),
		EXIT(),
		MOV64_IMM(0, 1),
		EXIT(),
	};

	uint64_t r0;
	bpfvm_error err;

	for (uint64_t budget = 1; budget <= 200; budget++) {
		uint64_t k, executed;
		int rc;

		bpfvm_set_budget(vm, budget);
		helper_calls = 0;
		rc = run(vm, "budget bound", prog, 10, NULL, 0, &r0, &err);
		if (rc == -2)
			return;
		k = helper_calls;
		if (rc == 0)
			executed = 143;
		else if (err.insn == 0)
			executed = 0;
		else if (err.insn == 3) /* stopped calling f in round k */
			executed = 1 + 7 * (k - 1) + 3;
		else if (err.insn == 5) /* stopped at the back-edge */
			executed = 1 + 7 * k;
		else
			executed = UINT64_MAX;
		check_count++;
		if (executed > budget || (rc == 0) != (budget >= 143) ||
		    (rc == 0 && r0 != 20) ||
		    (rc != 0 && !strstr(err.msg, "budget"))) {
			check_failures++;
			fprintf(stderr,
				"FAIL budget %" PRIu64 ": rc %d, %" PRIu64
				" helper calls, insn %d: %s\n",
				budget, rc, k, err.insn, err.msg);
		}
	}

	/* 0: no limit. */
	bpfvm_set_budget(vm, 0);
	CHECK(run(vm, "budget 0", prog, 10, NULL, 0, &r0, &err) == 0);
	CHECK_U64(r0, 20);
	bpfvm_set_budget(vm, BPFVM_DEFAULT_BUDGET);
}

/*
 * Tail calls (a helper calls bpfvm_exec_tail_call): the target runs in
 * the caller's place and its r0 is the result; at most 33 in a row, each
 * charged the target's length.
 */
static void test_tail_calls(bpfvm *vm)
{
	static const bpfvm_insn target[] = {
		LDX(BPFVM_B, 0, 1, 0),
		ALU64_IMM(BPFVM_ADD, 0, 1000),
		EXIT(),
	};
	static const bpfvm_insn caller[] = {
		CALL(H_TAIL),
		MOV64_IMM(0, 1),
		EXIT(),
	};
	/* main calls f, f tail-calls: the target returns to main. */
	static const bpfvm_insn from_function[] = {
		CALL_LOCAL(2),	 ALU64_IMM(BPFVM_ADD, 0, 1),
		EXIT(),		 CALL(H_TAIL),
		MOV64_IMM(0, 7), EXIT(),
	};
	/* Count the runs in ctx[0], tail-call itself until refused. */
	static const bpfvm_insn self[] = {
		MOV64_REG(6, 1),
		LDX(BPFVM_W, 2, 6, 0),
		ALU64_IMM(BPFVM_ADD, 2, 1),
		STX(BPFVM_W, 6, 2, 0),
		MOV64_REG(1, 6),
		CALL(H_TAIL),
		LDX(BPFVM_W, 0, 6, 0),
		EXIT(),
	};
	_Alignas(8) uint8_t ctx[4] = { 5 };
	bpfvm_prog *t, *s;
	bpfvm_error err;
	uint64_t r0;

	t = bpfvm_load(vm, target, 3, &err);
	s = bpfvm_load(vm, self, 8, &err);
	CHECK(t && s);
	if (!t || !s)
		goto out;
	tail_target = t;
	CHECK(run(vm, "tail call", caller, 3, ctx, 4, &r0, &err) == 0);
	CHECK_U64(r0, 1005);
	CHECK(run(vm, "tail call from a function", from_function, 6, ctx, 4,
		  &r0, &err) == 0);
	CHECK_U64(r0, 1006);

	tail_target = s;
	memset(ctx, 0, sizeof(ctx));
	CHECK(bpfvm_run(s, ctx, 4, &r0, &err) == 0);
	CHECK_U64(r0, 1 + BPFVM_MAX_TAIL_CALLS);
	/* 34 runs of 8 instructions: a budget of 272 is enough, 271 not. */
	bpfvm_set_budget(vm, 34 * 8);
	memset(ctx, 0, sizeof(ctx));
	CHECK(bpfvm_run(s, ctx, 4, &r0, &err) == 0);
	CHECK_U64(r0, 34);
	bpfvm_set_budget(vm, 34 * 8 - 1);
	memset(ctx, 0, sizeof(ctx));
	CHECK(bpfvm_run(s, ctx, 4, &r0, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "budget");
	bpfvm_set_budget(vm, BPFVM_DEFAULT_BUDGET);
out:
	tail_target = NULL;
	bpfvm_prog_free(t);
	bpfvm_prog_free(s);
}

static uint64_t h_nine(bpfvm_exec *exec, uint64_t r1, uint64_t r2, uint64_t r3,
		       uint64_t r4, uint64_t r5)
{
	return 9;
}

/*
 * A tail call to a program of another VM, whose helper ids mean other
 * helpers: refused, or run with its own VM's helpers, never a crash. In a
 * child process, so that a crash fails this check alone.
 */
static void test_tail_call_other_vm(bpfvm *vm)
{
	static const bpfvm_insn caller[] = { CALL(H_TAIL), EXIT() };
	static const bpfvm_insn target[] = { CALL(2), EXIT() };
	int status = -1;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		bpfvm *other = bpfvm_new();
		bpfvm_prog *t = NULL;
		bpfvm_error err;
		uint64_t r0;
		int rc;

		if (other && !bpfvm_register_helper(other, 2, "nine", h_nine))
			t = bpfvm_load(other, target, 2, &err);
		if (!t)
			_exit(2);
		tail_target = t;
		rc = run(vm, "tail call to another VM", caller, 2, NULL, 0, &r0,
			 &err);
		/* Refused (the caller's r0: the helper's 1) or run (9). */
		if (rc == 0 && (r0 == 1 || r0 == 9))
			_exit(0);
		fprintf(stderr,
			"tail call to another VM: rc %d, r0 0x%" PRIx64
			" (helper 2 of the caller's VM ran?)\n",
			rc, r0);
		_exit(3);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	check_count++;
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		check_failures++;
		fprintf(stderr,
			"FAIL tail call to a program of another VM: %s "
			"%d\n",
			WIFSIGNALED(status) ? "signal" : "status",
			WIFSIGNALED(status) ? WTERMSIG(status)
					    : WEXITSTATUS(status));
	}
}

/* Jumps beyond 16-bit offsets (ja32) and at the limits of off. */
static void test_long_jumps(bpfvm *vm)
{
	size_t n = 40000 + 6, far = 32770;
	bpfvm_insn *p = malloc((n > far ? n : far) * sizeof(*p));
	bpfvm_error err;
	uint64_t r0;

	if (!p)
		abort();
	/*
	 *     0: r0 = 0
	 *     1: ja32 +40002 (to 40004)
	 *     2: r0 += 1          <- back here
	 *     3: exit
	 *     4 .. 40003: r0 = 99 (never run)
	 * 40004: r0 += 10
	 * 40005: ja32 -40004 (to 2)
	 */
	for (size_t i = 0; i < n; i++)
		p[i] = (bpfvm_insn)MOV64_IMM(0, 99);
	p[0] = (bpfvm_insn)MOV64_IMM(0, 0);
	p[1] = (bpfvm_insn)JA32(40002);
	p[2] = (bpfvm_insn)ALU64_IMM(BPFVM_ADD, 0, 1);
	p[3] = (bpfvm_insn)EXIT();
	p[40004] = (bpfvm_insn)ALU64_IMM(BPFVM_ADD, 0, 10);
	p[40005] = (bpfvm_insn)JA32(-40004);
	CHECK(run(vm, "ja32 40000 slots", p, n, NULL, 0, &r0, &err) == 0);
	CHECK_U64(r0, 11);

	/*
	 *     0: r0 = 0
	 *     1: if r0 == 0 goto +32767 (to 32769)
	 *     2: r0 += 1          <- back here
	 *     3: exit
	 *     4 .. 32768: r0 = 99 (never run)
	 * 32769: goto -32768 (to 2)
	 */
	for (size_t i = 0; i < far; i++)
		p[i] = (bpfvm_insn)MOV64_IMM(0, 99);
	p[0] = (bpfvm_insn)MOV64_IMM(0, 0);
	p[1] = (bpfvm_insn)JMP_IMM(BPFVM_JEQ, 0, 0, 32767);
	p[2] = (bpfvm_insn)ALU64_IMM(BPFVM_ADD, 0, 1);
	p[3] = (bpfvm_insn)EXIT();
	p[32769] = (bpfvm_insn)JA(-32768);
	CHECK(run(vm, "off 32767 and -32768", p, far, NULL, 0, &r0, &err) == 0);
	CHECK_U64(r0, 1);
	free(p);
}

/* Leave a pattern in the host stack below the caller's frame, where the
 * interpreter's frames will be. */
static __attribute__((noinline)) void dirty_host_stack(void)
{
	volatile uint8_t junk[32768];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = 0x5a;
}

/*
 * A run never sees host data: stack a program has not written reads as
 * zero, in main's frame and a callee's (the kernel's verifier refuses such
 * reads; without it, they must not leak what the host left there).
 */
static void test_fresh_stack(bpfvm *vm)
{
	static const bpfvm_insn prog[] = {
		/* r0 = the OR of a callee's frame, then of main's own. */
		CALL_LOCAL(7),
		MOV64_REG(2, 10),
		ALU64_IMM(BPFVM_ADD, 2, -512),
		LDX(BPFVM_DW, 3, 2, 0),
		ALU64_REG(BPFVM_OR, 0, 3),
		ALU64_IMM(BPFVM_ADD, 2, 8),
		JMP_REG(BPFVM_JLT, 2, 10, -4),
		EXIT(),
		MOV64_IMM(0, 0),
		MOV64_REG(2, 10),
		ALU64_IMM(BPFVM_ADD, 2, -512),
		LDX(BPFVM_DW, 3, 2, 0),
		ALU64_REG(BPFVM_OR, 0, 3),
		ALU64_IMM(BPFVM_ADD, 2, 8),
		JMP_REG(BPFVM_JLT, 2, 10, -4),
		EXIT(),
	};
	bpfvm_error err;
	uint64_t r0;
	int rc;

	dirty_host_stack();
	rc = run(vm, "fresh stack", prog, sizeof(prog) / sizeof(prog[0]), NULL,
		 0, &r0, &err);
	CHECK(rc == 0);
	CHECK_U64(r0, 0);
}

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A random instruction of a valid opcode (lddw aside) with its unused
 * fields zero and its variant fields valid, so most pass bpfvm_check. */
static bpfvm_insn random_insn(void)
{
	static const int32_t imms[] = { 0,    1,	  -1,	  2,
					7,    8,	  16,	  31,
					32,   63,	  64,	  -8,
					-512, 0x7fffffff, H_PACK, H_RW_BUF };
	static const int16_t offs[] = { 0,  1,	2,   -1,  -2,	-3, 8,
					-8, 16, -16, -64, -512, 4,  3 };
	static const int32_t atomics[] = {
		BPFVM_ADD, BPFVM_OR,   BPFVM_AND,
		BPFVM_XOR, BPFVM_XCHG, BPFVM_CMPXCHG
	};
	uint64_t r = rnd();
	uint8_t code = (uint8_t)r, op;
	bpfvm_insn in;

	while (!bpfvm_opcode_valid(code) || code == BPFVM_OP_LDDW)
		code = (uint8_t)rnd();
	op = BPFVM_OP(code);
	in = (bpfvm_insn)INSN(code, (r >> 8) % 10, (r >> 12) % 11,
			      offs[(r >> 16) % 14], imms[(r >> 32) % 16]);
	switch (BPFVM_CLASS(code)) {
	case BPFVM_ALU:
	case BPFVM_ALU64:
		in.off = 0;
		if (BPFVM_SRC(code) == BPFVM_X)
			in.imm = 0;
		else
			in.src = 0;
		if (op == BPFVM_DIV || op == BPFVM_MOD)
			in.off = (r >> 40) & 1;
		if (op == BPFVM_MOV && BPFVM_SRC(code) == BPFVM_X)
			in.off = (int16_t[]){ 0, 8, 16, 0 }[(r >> 40) % 4];
		if (op == BPFVM_NEG)
			in.imm = 0;
		if (op == BPFVM_END) {
			in.src = 0;
			in.imm = 16 << (r >> 40) % 3;
		}
		break;
	case BPFVM_JMP:
	case BPFVM_JMP32:
		if (op == BPFVM_JA || op == BPFVM_EXIT)
			in.dst = in.src = 0;
		if (code == BPFVM_OP_JA || code == BPFVM_OP_EXIT)
			in.imm = 0;
		if (code == BPFVM_OP_JA32 || code == BPFVM_OP_EXIT)
			in.off = 0;
		if (code == BPFVM_OP_JA32)
			in.imm = in.off % 4;
		if (code == BPFVM_OP_CALL) {
			in.dst = in.off = 0;
			in.src = (r >> 40) & 1;
			in.imm = in.src ? (int32_t)(r >> 41) % 8 - 4
					: (int32_t)(r >> 41) % 7 + 1;
		}
		if (code == BPFVM_OP_CALLX)
			in.src = in.off = in.imm = 0;
		if (op != BPFVM_JA && op != BPFVM_CALL && op != BPFVM_EXIT) {
			if (BPFVM_SRC(code) == BPFVM_X)
				in.imm = 0;
			else
				in.src = 0;
		}
		if (op != BPFVM_CALL && op != BPFVM_EXIT)
			in.off %= 4;
		break;
	case BPFVM_LD:
		in.dst = in.off = 0;
		if (BPFVM_MODE(code) == BPFVM_ABS)
			in.src = 0;
		break;
	case BPFVM_LDX:
		in.imm = 0;
		break;
	case BPFVM_ST:
		in.src = 0;
		break;
	default:
		if (BPFVM_MODE(code) == BPFVM_ATOMIC)
			in.imm = atomics[(r >> 40) % 6] |
				 (int32_t)((r >> 44) & BPFVM_FETCH);
		else
			in.imm = 0;
	}
	return in;
}

/*
 * Random programs after a prologue that writes every register (r2 and r3
 * point into the stack, r1 at the context): whatever is accepted runs to
 * a result or a clean error, never a crash (the sanitizers and valgrind
 * watch), and nothing around the context is written.
 */
static void test_random_runs(bpfvm *vm)
{
	enum { PRO = 11, GUARD = 16, CTX = 48 };
	int ran = 0, ok = 0;

	bpfvm_set_budget(vm, 10000);
	for (int i = 0; i < 6000; i++) {
		size_t n = PRO + 2 + rnd() % 14;
		_Alignas(16) uint8_t buf[GUARD + CTX + GUARD];
		bpfvm_insn p[PRO + 16];
		bpfvm_error err;
		uint64_t r0;
		bpfvm_prog *prog;
		int rc;

		p[0] = (bpfvm_insn)MOV64_IMM(0, 0);
		p[1] = (bpfvm_insn)MOV64_REG(2, 10);
		p[2] = (bpfvm_insn)ALU64_IMM(BPFVM_ADD, 2, -64);
		p[3] = (bpfvm_insn)MOV64_REG(3, 10);
		p[4] = (bpfvm_insn)ALU64_IMM(BPFVM_ADD, 3, -8);
		for (int r = 4; r <= 8; r++)
			p[r + 1] = (bpfvm_insn)MOV64_IMM(r, rnd() % 64);
		p[10] = (bpfvm_insn)MOV64_IMM(9, -1);
		for (size_t k = PRO; k < n - 1; k++)
			p[k] = random_insn();
		p[n - 1] = (bpfvm_insn)EXIT();
		memset(&err, 0, sizeof(err));
		prog = bpfvm_load(vm, p, n, &err);
		if (!prog)
			continue;
		ran++;
		memset(buf, 0xee, sizeof(buf));
		memset(buf + GUARD, 0, CTX);
		memset(&err, 0, sizeof(err));
		rc = bpfvm_run(prog, buf + GUARD, CTX, &r0, &err);
		ok += rc == 0;
		check_count++;
		if ((rc != 0 && rc != -1) || (rc && !err.msg[0]) ||
		    (rc && (err.insn < 0 || err.insn >= (int)n))) {
			check_failures++;
			fprintf(stderr,
				"FAIL random run %d: rc %d, insn %d: %s\n", i,
				rc, err.insn, err.msg);
		}
		for (int g = 0; g < GUARD; g++) {
			if (buf[g] != 0xee || buf[GUARD + CTX + g] != 0xee) {
				check_failures++;
				fprintf(stderr,
					"FAIL random run %d: wrote "
					"outside the context\n",
					i);
				break;
			}
		}
		bpfvm_prog_free(prog);
	}
	bpfvm_set_budget(vm, BPFVM_DEFAULT_BUDGET);
	printf("random programs: %d ran, %d to the end\n", ran, ok);
	/* Enough of them get through the checks and run to the end. */
	CHECK(ran > 1000);
	CHECK(ok > 200);
}

int main(void)
{
	bpfvm *vm = new_vm();
	size_t nalu = sizeof(alu_rows) / sizeof(alu_rows[0]);
	size_t njmp = sizeof(jmp_rows) / sizeof(jmp_rows[0]);
	size_t nrun = sizeof(cases) / sizeof(cases[0]);

	test_alu(vm);
	test_jumps(vm);
	for (size_t i = 0; i < nrun; i++)
		run_case(vm, &cases[i]);
	test_budget_bound(vm);
	test_tail_calls(vm);
	test_tail_call_other_vm(vm);
	test_long_jumps(vm);
	test_fresh_stack(vm);
	test_random_runs(vm);
	bpfvm_free(vm);
	printf("%zu alu rows, %zu jump rows, %zu programs\n", nalu, njmp, nrun);
	DONE();
}
