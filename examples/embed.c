/* SPDX-License-Identifier: MIT */
/*
 * Embedding bpfvm: assemble a program that calls a host helper on every
 * byte of a buffer, load it, run it, print r0.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bpfvm/bpfvm.h"

/* Helper 1000, our own: r0 = r1 * r2. */
static uint64_t host_mul(bpfvm_exec *exec, uint64_t a, uint64_t b, uint64_t c,
			 uint64_t d, uint64_t e)
{
	return a * b;
}

int main(void)
{
	static const char source[] =
		"# r0 = sum over bytes of byte * 3 (through helper 1000)\n"
		"mov %r6, %r1          # r6 = data\n"
		"mov %r7, %r2          # r7 = length\n"
		"mov %r8, 0            # r8 = sum\n"
		"loop:\n"
		"jeq %r7, 0, done\n"
		"ldxb %r1, [%r6]\n"
		"mov %r2, 3\n"
		"call 1000\n"
		"add %r8, %r0\n"
		"add %r6, 1\n"
		"sub %r7, 1\n"
		"ja loop\n"
		"done:\n"
		"mov %r0, %r8\n"
		"exit\n";
	unsigned char data[] = { 1, 2, 3, 4 };
	bpfvm_error err = { 0 };
	bpfvm_insn *insns;
	size_t count;
	uint64_t r0;
	int rc = 1;

	if (bpfvm_asm(source, &insns, &count, &err)) {
		fprintf(stderr, "line %d: %s\n", err.line, err.msg);
		return 1;
	}
	bpfvm *vm = bpfvm_new();
	bpfvm_register_helper(vm, 1000, "host_mul", host_mul);
	bpfvm_prog *prog = bpfvm_load(vm, insns, count, &err);
	if (!prog)
		fprintf(stderr, "load: insn %d: %s\n", err.insn, err.msg);
	else if (bpfvm_run(prog, data, sizeof(data), &r0, &err))
		fprintf(stderr, "run: insn %d: %s\n", err.insn, err.msg);
	else {
		printf("r0 = %llu\n", (unsigned long long)r0); /* 30 */
		rc = 0;
	}
	bpfvm_prog_free(prog);
	bpfvm_free(vm);
	free(insns);
	return rc;
}
