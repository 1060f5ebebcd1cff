/* SPDX-License-Identifier: MIT */
/*
 * bpfvm plugin: the bpf_conformance plugin protocol. The program arrives
 * on stdin as hex bytes, the initial memory as a hex argument; r0 goes to
 * stdout in hex. On failure the error text goes to stdout (the runner
 * compares it with the test's expected error) and the exit code is 1.
 *
 * Works both as `bpfvm plugin [--interp|--jit] [MEMHEX]` and as the
 * runner's `--plugin_path bpfvm --plugin_options plugin`, which starts
 * `bpfvm MEMHEX plugin`: every argument made only of option words is an
 * option, the other one is the memory.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static bool option_words(const char *arg, enum engine *engine)
{
	char *copy = strdup(arg);
	bool all = copy != NULL && strspn(arg, " \t") != strlen(arg);

	for (char *w = copy ? strtok(copy, " \t") : NULL; w && all;
	     w = strtok(NULL, " \t"))
		all = !strcmp(w, "plugin") || parse_engine(w, engine);
	free(copy);
	return all;
}

static int fail(const char *stage, const bpfvm_error *err)
{
	printf("%s: insn %d: %s\n", stage, err->insn, err->msg);
	return 1;
}

int cmd_plugin(int argc, char **argv)
{
	enum engine engine = ENGINE_INTERP;
	const char *mem_hex = "";
	bpfvm_error err = { .insn = -1, .line = -1 };
	uint8_t *mem = NULL, *code = NULL;
	size_t mem_len = 0, code_len = 0, size;
	int rc = 1;

	for (int i = 1; i < argc; i++)
		if (!option_words(argv[i], &engine))
			mem_hex = argv[i];
	char *input = read_file("/dev/stdin", &size);
	if (!input || parse_hex_bytes(mem_hex, &mem, &mem_len) ||
	    parse_hex_bytes(input, &code, &code_len)) {
		printf("invalid input\n");
		goto out;
	}
	if (code_len % sizeof(bpfvm_insn)) {
		printf("program of %zu bytes is not whole instructions\n",
		       code_len);
		goto out;
	}
	bpfvm *vm = cli_vm();
	bpfvm_prog *prog = bpfvm_load(vm, (bpfvm_insn *)code,
				      code_len / sizeof(bpfvm_insn), &err);
	uint64_t r0;
	if (!prog)
		rc = fail("load", &err);
	else if (bpfvm_run(prog, mem, mem_len, &r0, &err))
		rc = fail("run", &err);
	else {
		printf("%" PRIx64 "\n", r0);
		rc = 0;
	}
	bpfvm_prog_free(prog);
	bpfvm_free(vm);
out:
	free(input);
	free(mem);
	free(code);
	return rc;
}
