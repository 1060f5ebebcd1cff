/* SPDX-License-Identifier: MIT */
/* bpfvm disasm: a program as text, in either syntax. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_disasm(int argc, char **argv)
{
	const char *path = NULL, *section = NULL;
	bpfvm_syntax syntax = BPFVM_SYNTAX_KERNEL;
	int labels = 0, show_pc = 0;
	bpfvm_insn *insns;
	size_t count;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--section") && i + 1 < argc)
			section = argv[++i];
		else if (!strcmp(a, "--syntax") && i + 1 < argc) {
			const char *s = argv[++i];
			if (!strcmp(s, "kernel"))
				syntax = BPFVM_SYNTAX_KERNEL;
			else if (!strcmp(s, "conformance"))
				syntax = BPFVM_SYNTAX_CONFORMANCE;
			else {
				die_msg("disasm: unknown syntax '%s' (kernel "
					"or conformance)", s);
				return 2;
			}
		} else if (!strcmp(a, "--labels"))
			labels = 1;
		else if (!strcmp(a, "--pc"))
			show_pc = 1;
		else if (a[0] != '-' && !path)
			path = a;
		else {
			die_msg("disasm: unexpected argument '%s'", a);
			return 2;
		}
	}
	if (!path) {
		die_msg("usage: bpfvm disasm FILE [--section S] [--syntax "
			"kernel|conformance] [--labels] [--pc]");
		return 2;
	}
	if (load_program_file(path, section, &insns, &count))
		return 1;
	bpfvm_disasm(stdout, insns, count, syntax, labels, show_pc);
	free(insns);
	return 0;
}
