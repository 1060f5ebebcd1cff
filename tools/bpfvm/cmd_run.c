/* SPDX-License-Identifier: MIT */
/* bpfvm run: load a program, run it over memory, print r0. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_run(int argc, char **argv)
{
	const char *path = NULL, *mem_hex = NULL, *mem_file = NULL;
	const char *section = NULL;
	enum engine engine = ENGINE_INTERP;
	uint64_t budget = BPFVM_DEFAULT_BUDGET;
	uint8_t *mem = NULL;
	size_t mem_len = 0, count;
	bpfvm_insn *insns;
	bpfvm_error err = { .insn = -1, .line = -1 };
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_value = i + 1 < argc;
		if (parse_engine(a, &engine) || !strcmp(a, "--no-verify"))
			continue; /* no verifier yet: runs are always checked */
		if (!strcmp(a, "--mem") && has_value)
			mem_hex = argv[++i];
		else if (!strcmp(a, "--mem-file") && has_value)
			mem_file = argv[++i];
		else if (!strcmp(a, "--section") && has_value)
			section = argv[++i];
		else if (!strcmp(a, "--budget") && has_value)
			budget = strtoull(argv[++i], NULL, 0);
		else if (a[0] != '-' && !path)
			path = a;
		else {
			die_msg("run: unexpected argument '%s'", a);
			return 2;
		}
	}
	if (!path || (mem_hex && mem_file)) {
		die_msg("usage: bpfvm run FILE [--mem HEX | --mem-file F] "
			"[--interp] [--no-verify] [--section S] [--budget N]");
		return 2;
	}
	if (mem_hex && parse_hex_bytes(mem_hex, &mem, &mem_len))
		return 2;
	if (mem_file && !(mem = (uint8_t *)read_file(mem_file, &mem_len)))
		return 2;
	if (load_program_file(path, section, &insns, &count)) {
		free(mem);
		return 1;
	}
	bpfvm *vm = cli_vm();
	bpfvm_set_budget(vm, budget);
	bpfvm_prog *prog = bpfvm_load(vm, insns, count, &err);
	uint64_t r0;
	if (!prog)
		print_error(path, &err);
	else if (bpfvm_run(prog, mem, mem_len, &r0, &err))
		print_error(path, &err);
	else {
		printf("0x%" PRIx64 "\n", r0);
		rc = 0;
	}
	bpfvm_prog_free(prog);
	bpfvm_free(vm);
	free(insns);
	free(mem);
	return rc;
}
