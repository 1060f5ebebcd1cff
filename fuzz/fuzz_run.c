/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for loading and running raw bytecode in checked mode.
 *
 * Input layout:
 *     byte 0          ctx length L = byte 0 & 63; bit 6 set: no context at
 *                     all (r1 = NULL, r2 = L)
 *     bytes 1 .. L    the context (fewer if the input ends: L shrinks)
 *     the rest        instruction slots, 8 bytes each, little-endian;
 *                     a trailing partial slot is ignored
 *
 * The program is loaded (bpfvm_load: the structural checks, helpers by
 * id) and, if accepted, run with a budget of 100000 instructions against
 * the test helpers below. Any verdict and any result are fine; a crash, a
 * hang, a sanitizer report, a write outside the context, or an error
 * without a message naming a slot of the program is a bug.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BUDGET 100000
#define NO_CTX 0x40

static _Alignas(8) uint8_t ro_buf[24];

/* 1: a value from every argument. */
static uint64_t h_mix(bpfvm_exec *exec, uint64_t r1, uint64_t r2, uint64_t r3,
		      uint64_t r4, uint64_t r5)
{
	return r1 ^ (r2 << 1) ^ (r3 << 2) ^ (r4 << 3) ^ (r5 << 4);
}

/* 2: a read-only buffer. */
static uint64_t h_ro_buf(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
			 uint64_t r3, uint64_t r4, uint64_t r5)
{
	if (bpfvm_exec_allow(exec, ro_buf, sizeof(ro_buf), false))
		return 0;
	return (uintptr_t)ro_buf;
}

/* 3: a writable buffer of r1 % 64 bytes that lives until the run ends
 * (the run's caller frees it: see user_buf). */
static uint64_t h_rw_buf(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
			 uint64_t r3, uint64_t r4, uint64_t r5)
{
	uint8_t *buf = bpfvm_exec_user(exec);
	size_t len = r1 % 64;

	if (bpfvm_exec_allow(exec, buf, len, true))
		return 0;
	return (uintptr_t)buf;
}

/* 4: stop the run when r1 is odd. */
static uint64_t h_abort(bpfvm_exec *exec, uint64_t r1, uint64_t r2, uint64_t r3,
			uint64_t r4, uint64_t r5)
{
	if (r1 & 1)
		bpfvm_exec_abort(exec, "odd argument");
	return r1 + 1;
}

/* 5: an address the program was not allowed to use. */
static uint64_t h_hidden(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
			 uint64_t r3, uint64_t r4, uint64_t r5)
{
	return (uintptr_t)ro_buf + r1 % 32;
}

/* 6: allow r1 % 64 one-byte regions of the read-only buffer, until the
 * table is full; returns how many were allowed. */
static uint64_t h_allow_many(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
			     uint64_t r3, uint64_t r4, uint64_t r5)
{
	uint64_t n = 0;

	while (n < r1 % 64 &&
	       !bpfvm_exec_allow(exec, ro_buf + n % sizeof(ro_buf), 1, false))
		n++;
	return n;
}

/* 7: call the program's function r1 (any value: bpfvm must refuse what
 * is not a function) with r2-r5. */
static uint64_t h_callback(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
			   uint64_t r3, uint64_t r4, uint64_t r5)
{
	const uint64_t args[5] = { r2, r3, r4, r5, r1 };
	uint64_t ret;

	if (bpfvm_exec_callback(exec, r1, args, &ret))
		return (uint64_t)-1;
	return ret;
}

/* 8: tail-call the running program itself when r1 is nonzero. */
static uint64_t h_tail_self(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
			    uint64_t r3, uint64_t r4, uint64_t r5)
{
	if (!r1)
		return 0;
	return bpfvm_exec_tail_call(exec, bpfvm_exec_prog(exec)) ? 2 : 1;
}

static bpfvm *setup(uint8_t *user_buf)
{
	bpfvm *vm = bpfvm_new();

	if (!vm || bpfvm_register_helper(vm, 1, "mix", h_mix) ||
	    bpfvm_register_helper(vm, 2, "ro_buf", h_ro_buf) ||
	    bpfvm_register_helper(vm, 3, "rw_buf", h_rw_buf) ||
	    bpfvm_register_helper(vm, 4, "abort", h_abort) ||
	    bpfvm_register_helper(vm, 5, "hidden", h_hidden) ||
	    bpfvm_register_helper(vm, 6, "allow_many", h_allow_many) ||
	    bpfvm_register_helper(vm, 7, "callback", h_callback) ||
	    bpfvm_register_helper(vm, 8, "tail_self", h_tail_self))
		abort();
	bpfvm_set_budget(vm, BUDGET);
	bpfvm_set_user(vm, user_buf);
	for (size_t i = 0; i < sizeof(ro_buf); i++)
		ro_buf[i] = (uint8_t)(0x30 + i);
	return vm;
}

/* An error must say where (a slot of the program, or -1) and what. */
static void check_error(const bpfvm_error *err, size_t count)
{
	if (err->insn < -1 || err->insn >= (int)count ||
	    !memchr(err->msg, '\0', sizeof(err->msg)) || !err->msg[0]) {
		fprintf(stderr, "bad error: insn %d, message \"%.*s\"\n",
			err->insn, (int)sizeof(err->msg), err->msg);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The rw_buf helper's memory, at the end of a heap block so that
	 * the sanitizer sees any overrun; kept for the whole process. */
	static uint8_t *user_buf;
	static bpfvm *vm;
	size_t ctx_len, count;
	uint8_t *ctx = NULL;
	bpfvm_insn *insns;
	bpfvm_prog *prog;
	bpfvm_error err;
	uint64_t r0;
	bool no_ctx;

	if (!vm) {
		user_buf = malloc(64);
		if (!user_buf)
			abort();
		vm = setup(user_buf);
	}
	if (size < 1)
		return 0;
	no_ctx = data[0] & NO_CTX;
	ctx_len = data[0] & 63;
	if (ctx_len > size - 1)
		ctx_len = size - 1;
	count = (size - 1 - ctx_len) / sizeof(bpfvm_insn);
	if (count == 0)
		return 0;

	/* Exact-size heap copies: an access past either end is a report. */
	insns = malloc(count * sizeof(*insns));
	if (!no_ctx)
		ctx = malloc(ctx_len ? ctx_len : 1);
	if (!insns || (!no_ctx && !ctx))
		abort();
	memcpy(insns, data + 1 + ctx_len, count * sizeof(*insns));
	if (ctx)
		memcpy(ctx, data + 1, ctx_len);
	memset(user_buf, 0, 64);

	memset(&err, 0xa5, sizeof(err));
	prog = bpfvm_load(vm, insns, count, &err);
	if (!prog) {
		check_error(&err, count);
	} else {
		memset(&err, 0xa5, sizeof(err));
		if (bpfvm_run(prog, ctx, ctx_len, &r0, &err) != 0)
			check_error(&err, count);
		bpfvm_prog_free(prog);
	}
	free(insns);
	free(ctx);
	return 0;
}
