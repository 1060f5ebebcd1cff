/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the assembler and disassembler. The input is text:
 * it must assemble or fail cleanly, and a program it gives must come back
 * byte for byte from its disassembly in either syntax, with and without
 * labels. The same bytes read as raw slots must round-trip too, so the
 * disassembler sees encodings that text rarely reaches.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/asm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void reassemble(const char *text, const bpfvm_insn *insns, size_t n)
{
	bpfvm_error err = {0};
	bpfvm_insn *out;
	size_t count;

	if (bpfvm_asm(text, &out, &count, &err)) {
		fprintf(stderr,
			"disassembly does not assemble: line %d: %s\n%s\n",
			err.line, err.msg, text);
		abort();
	}
	if (count != n || memcmp(out, insns, n * sizeof(*out))) {
		fprintf(stderr, "round trip changed the bytes:\n%s\n", text);
		abort();
	}
	free(out);
}

/* Every slot through bpfvm_disasm_insn, one line each. */
static void roundtrip_slots(const bpfvm_insn *insns, size_t n,
			    bpfvm_syntax syntax)
{
	size_t cap = n * 160 + 1, len = 0;
	char *text = malloc(cap);
	int w;

	if (!text)
		return;
	text[0] = '\0';
	for (size_t pc = 0; pc < n; pc += (size_t)w) {
		w = bpfvm_disasm_insn(insns, n, pc, syntax, text + len, 159);
		if (w < 1 || w > 2 || (w == 2 && pc + 1 >= n))
			abort();
		len += strlen(text + len);
		text[len++] = '\n';
		text[len] = '\0';
	}
	reassemble(text, insns, n);
	free(text);
}

/* The whole program through bpfvm_disasm, with labels and indexes. */
static void roundtrip_program(const bpfvm_insn *insns, size_t n,
			      bpfvm_syntax syntax)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return;
	bpfvm_disasm(f, insns, n, syntax, 1, 1);
	fclose(f);
	reassemble(text, insns, n);
	free(text);
}

static void roundtrip(const bpfvm_insn *insns, size_t n)
{
	if (!n)
		return;
	for (int s = 0; s < 2; s++) {
		bpfvm_syntax syntax =
		    s ? BPFVM_SYNTAX_KERNEL : BPFVM_SYNTAX_CONFORMANCE;
		roundtrip_slots(insns, n, syntax);
		roundtrip_program(insns, n, syntax);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	bpfvm_insn *insns, *raw;
	bpfvm_error err;
	size_t count;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&err, 0xa5, sizeof(err));
	if (bpfvm_asm(text, &insns, &count, &err) == 0) {
		if (!count)
			abort();
		roundtrip(insns, count);
		free(insns);
	} else if (insns || !memchr(err.msg, '\0', sizeof(err.msg)) ||
		   !err.msg[0] || err.line == 0 || err.line < -1) {
		abort(); /* an error must say what and where */
	}
	free(text);

	raw = malloc(size / sizeof(*raw) * sizeof(*raw) + 1);
	if (raw) {
		memcpy(raw, data, size / sizeof(*raw) * sizeof(*raw));
		roundtrip(raw, size / sizeof(*raw));
		free(raw);
	}
	return 0;
}
