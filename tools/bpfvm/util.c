/* SPDX-License-Identifier: MIT */
/* Helpers the subcommands share: files, hex, programs, the VM. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void die_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("bpfvm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void print_error(const char *what, const bpfvm_error *err)
{
	if (err->line > 0)
		fprintf(stderr, "bpfvm: %s: line %d: %s\n", what, err->line,
			err->msg);
	else if (err->insn >= 0)
		fprintf(stderr, "bpfvm: %s: insn %d: %s\n", what, err->insn,
			err->msg);
	else
		fprintf(stderr, "bpfvm: %s: %s\n", what, err->msg);
}

char *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		die_msg("%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			char *grown = realloc(buf, cap + 1);
			if (!grown) {
				die_msg("%s: out of memory", path);
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = grown;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		die_msg("%s: read error", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[len] = 0;
	*size = len;
	return buf;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int parse_hex_bytes(const char *text, uint8_t **out, size_t *len)
{
	size_t cap = strlen(text) / 2 + 1, n = 0;
	uint8_t *buf = malloc(cap);
	const char *p = text;

	if (!buf) {
		die_msg("out of memory");
		return -1;
	}
	while (*p) {
		if (isspace((unsigned char)*p) || *p == ',') {
			p++;
			continue;
		}
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		int hi = hex_value((unsigned char)p[0]);
		int lo = hi < 0 ? -1 : hex_value((unsigned char)p[1]);
		if (lo < 0) {
			die_msg("invalid hex byte at offset %td: '%.8s'",
				p - text, p);
			free(buf);
			return -1;
		}
		buf[n++] = (uint8_t)(hi << 4 | lo);
		p += 2;
	}
	*out = buf;
	*len = n;
	return 0;
}

bool is_elf_file(const char *path)
{
	unsigned char magic[4] = { 0 };
	FILE *f = fopen(path, "rb");
	bool elf = f && fread(magic, 1, 4, f) == 4 && !memcmp(magic, "\177ELF", 4);

	if (f)
		fclose(f);
	return elf;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

/* Text if every byte is printable or whitespace. */
static bool looks_like_text(const char *buf, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (!isprint(c) && !isspace(c))
			return false;
	}
	return true;
}

int load_program_file(const char *path, const char *section,
		      bpfvm_insn **insns, size_t *count)
{
	size_t size;
	char *buf = read_file(path, &size);
	bpfvm_error err = { .insn = -1, .line = -1 };
	int rc = -1;

	if (!buf)
		return -1;
	if (size >= 4 && !memcmp(buf, "\177ELF", 4)) {
		die_msg("%s: ELF objects are not supported yet: extract the "
			"section with `llvm-objcopy -O binary --only-section=%s`",
			path, section ? section : "SECTION");
	} else if (has_suffix(path, ".s") || has_suffix(path, ".asm") ||
		   (!has_suffix(path, ".bin") && looks_like_text(buf, size))) {
		if (bpfvm_asm(buf, insns, count, &err))
			print_error(path, &err);
		else
			rc = 0;
	} else if (size % sizeof(bpfvm_insn)) {
		die_msg("%s: %zu bytes is not a whole number of 8-byte "
			"instructions", path, size);
	} else if (!(*insns = malloc(size ? size : 1))) {
		die_msg("%s: out of memory", path);
	} else {
		memcpy(*insns, buf, size);
		*count = size / sizeof(bpfvm_insn);
		rc = 0;
	}
	free(buf);
	return rc;
}

bpfvm *cli_vm(void)
{
	bpfvm *vm = bpfvm_new();

	if (!vm || bpfvm_register_kernel_helpers(vm)) {
		die_msg("out of memory");
		exit(1);
	}
	return vm;
}

bool parse_engine(const char *arg, enum engine *engine)
{
	if (!strcmp(arg, "--interp")) {
		*engine = ENGINE_INTERP;
		return true;
	}
	if (!strcmp(arg, "--jit")) {
		die_msg("--jit: this build has no JIT yet; use --interp");
		exit(2);
	}
	return false;
}
