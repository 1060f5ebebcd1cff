/* SPDX-License-Identifier: MIT */
/*
 * bpfvm conformance: run bpf_conformance .data files. A file passes when
 * its program returns the expected r0, or, when it expects an error (an
 * `-- error` section, or every file under --negative), when it is refused
 * with a message containing the expected text.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "data_file.h"

enum verdict { PASS, FAIL, SKIP };

struct outcome {
	bool refused; /* by the parser, assembler or loader, or at run time */
	uint64_t r0;
	char msg[300];
};

static void run_test(bpfvm *vm, const struct data_test *t, struct outcome *o)
{
	bpfvm_error err = { .insn = -1, .line = -1 };
	bpfvm_insn *insns = NULL;
	size_t count = 0;

	if (t->raw_len) {
		count = t->raw_len / sizeof(bpfvm_insn);
		insns = malloc(t->raw_len);
		if (insns)
			memcpy(insns, t->raw, t->raw_len);
	} else if (bpfvm_asm(t->asm_text, &insns, &count, &err)) {
		o->refused = true;
		if (err.line > 0)
			snprintf(o->msg, sizeof(o->msg), "assembler: line %d: "
				 "%s", err.line, err.msg);
		else
			snprintf(o->msg, sizeof(o->msg), "assembler: %s",
				 err.msg);
		return;
	}
	bpfvm_prog *prog = bpfvm_load(vm, insns, count, &err);
	if (!prog) {
		o->refused = true;
		snprintf(o->msg, sizeof(o->msg), "load: insn %d: %s", err.insn,
			 err.msg);
	} else {
		/* The program may write its memory: run on a copy. */
		uint8_t *mem = t->mem_len ? malloc(t->mem_len) : NULL;
		if (mem)
			memcpy(mem, t->mem, t->mem_len);
		if (bpfvm_run(prog, mem, t->mem_len, &o->r0, &err)) {
			o->refused = true;
			snprintf(o->msg, sizeof(o->msg), "run: insn %d: %s",
				 err.insn, err.msg);
		}
		free(mem);
	}
	bpfvm_prog_free(prog);
	free(insns);
}

static enum verdict judge(bpfvm *vm, const char *path, bool negative,
			  char *why, size_t whylen)
{
	struct data_test t;
	struct outcome o = { 0 };
	size_t size;
	char *text = read_file(path, &size);
	enum verdict v;

	if (!text) {
		snprintf(why, whylen, "cannot read");
		return FAIL;
	}
	if (data_test_parse(text, &t, o.msg, sizeof(o.msg))) {
		free(text);
		o.refused = true;
		snprintf(why, whylen, "%s", o.msg);
		return negative ? PASS : FAIL;
	}
	free(text);
	bool expect_error = negative || t.error;
	if (!expect_error && !t.has_result) {
		snprintf(why, whylen, "no -- result or -- error section");
		data_test_free(&t);
		return SKIP;
	}
	run_test(vm, &t, &o);
	if (expect_error) {
		if (!o.refused) {
			snprintf(why, whylen, "accepted (r0 = 0x%" PRIx64 "), "
				 "expected an error%s%s", o.r0,
				 t.error ? " containing " : "",
				 t.error ? t.error : "");
			v = FAIL;
		} else if (t.error && !strstr(o.msg, t.error)) {
			snprintf(why, whylen, "refused with \"%s\", expected "
				 "\"%s\"", o.msg, t.error);
			v = FAIL;
		} else {
			snprintf(why, whylen, "%s", o.msg);
			v = PASS;
		}
	} else if (o.refused) {
		snprintf(why, whylen, "%s", o.msg);
		v = FAIL;
	} else if (o.r0 != t.result) {
		snprintf(why, whylen, "r0 = 0x%" PRIx64 ", expected 0x%" PRIx64,
			 o.r0, t.result);
		v = FAIL;
	} else {
		why[0] = 0;
		v = PASS;
	}
	data_test_free(&t);
	return v;
}

int cmd_conformance(int argc, char **argv)
{
	static const char *const names[] = { "PASS", "FAIL", "SKIP" };
	enum engine engine = ENGINE_INTERP;
	bool negative = false, verbose = false;
	int counts[3] = { 0 }, files = 0;
	bpfvm *vm = cli_vm();

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char why[400];
		if (parse_engine(a, &engine))
			continue;
		if (!strcmp(a, "--negative")) {
			negative = true;
			continue;
		}
		if (!strcmp(a, "-v")) {
			verbose = true;
			continue;
		}
		if (a[0] == '-') {
			die_msg("conformance: unknown option '%s'", a);
			bpfvm_free(vm);
			return 2;
		}
		enum verdict v = judge(vm, a, negative, why, sizeof(why));
		counts[v]++;
		files++;
		if (v != PASS || verbose)
			printf("%s %s%s%s\n", names[v], a, why[0] ? ": " : "",
			       why);
		else
			printf("PASS %s\n", a);
	}
	bpfvm_free(vm);
	if (!files) {
		die_msg("usage: bpfvm conformance [--interp | --jit] "
			"[--negative] [-v] FILE.data...");
		return 2;
	}
	printf("%d passed, %d failed", counts[PASS], counts[FAIL]);
	if (counts[SKIP])
		printf(", %d skipped", counts[SKIP]);
	printf("\n");
	return counts[FAIL] ? 1 : 0;
}
