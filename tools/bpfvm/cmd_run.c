/* SPDX-License-Identifier: MIT */
/* bpfvm run: load a program, run it over memory, print r0. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The context a program's type expects, built around the memory: a
 * packet for XDP and socket programs, the memory itself otherwise. */
static int run_by_type(const bpfvm_prog *prog, uint8_t *mem, size_t len,
		       uint64_t *r0, bpfvm_error *err)
{
	int rc = -1;

	switch (bpfvm_prog_get_type(prog)) {
	case BPFVM_PROG_XDP: {
		bpfvm_xdp_buff *buf = bpfvm_xdp_buff_new();
		if (!buf || bpfvm_xdp_buff_set(buf, mem, len, 1, 0))
			bpfvm_fail(err, -1, "no frame for a %zu-byte packet",
				   len);
		else
			rc = bpfvm_run_xdp(prog, buf, r0, err);
		bpfvm_xdp_buff_free(buf);
		return rc;
	}
	case BPFVM_PROG_SOCKET_FILTER:
	case BPFVM_PROG_SCHED_CLS:
	case BPFVM_PROG_SCHED_ACT: {
		bpfvm_skb *skb = bpfvm_skb_new();
		if (!skb || bpfvm_skb_set(skb, mem, len, 1))
			bpfvm_fail(err, -1, "no frame for a %zu-byte packet",
				   len);
		else
			rc = bpfvm_run_skb(prog, skb, r0, err);
		bpfvm_skb_free(skb);
		return rc;
	}
	default:
		return bpfvm_run(prog, mem, len, r0, err);
	}
}

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
	bpfvm *vm = cli_vm();
	bpfvm_obj *obj = NULL;
	bpfvm_prog *prog = NULL;
	uint64_t r0;
	bpfvm_set_budget(vm, budget);
	insns = NULL;
	if (is_elf_file(path)) {
		bpfvm_elf *elf;
		if (bpfvm_elf_open(path, &elf, &err))
			print_error(path, &err);
		else if (bpfvm_obj_load(vm, elf, section, &obj, &err)) {
			bpfvm_elf_close(elf);
			print_error(path, &err);
		} else
			prog = bpfvm_obj_find_prog(obj, section);
	} else if (!load_program_file(path, section, &insns, &count)) {
		prog = bpfvm_load(vm, insns, count, &err);
		if (!prog)
			print_error(path, &err);
	}
	if (prog && run_by_type(prog, mem, mem_len, &r0, &err))
		print_error(path, &err);
	else if (prog) {
		printf("0x%" PRIx64 "\n", r0);
		rc = 0;
	}
	if (obj)
		bpfvm_obj_free(obj);
	else
	bpfvm_prog_free(prog);
	bpfvm_free(vm);
	free(insns);
	free(mem);
	return rc;
}
