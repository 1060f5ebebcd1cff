/* SPDX-License-Identifier: MIT */
/*
 * The .data format: sections start with `-- NAME`; `#` comments. asm (the
 * program), mem (hex bytes), result (expected r0), error (expected error
 * text), raw (the program as 64-bit hex words or as hex bytes), and the
 * notes `c` and `no register offset`, which are skipped.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_file.h"

enum section { S_NONE, S_ASM, S_MEM, S_RESULT, S_ERROR, S_RAW, S_NOTE };

static const struct {
	const char *name;
	enum section section;
} sections[] = {
	{ "asm", S_ASM },	  { "mem", S_MEM },	{ "result", S_RESULT },
	{ "error", S_ERROR },	  { "raw", S_RAW },	{ "c", S_NOTE },
	{ "no register offset", S_NOTE },
};

/* A growable string. */
struct buf {
	char *p;
	size_t len, cap;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
	return 0;
}

static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = 0;
	return s;
}

/* Hex tokens: two-digit bytes, or 0x-prefixed 64-bit words (stored as the
 * eight little-endian bytes of an instruction slot). */
static int add_hex_tokens(struct buf *out, char *line, bool words)
{
	for (char *tok = strtok(line, " \t,"); tok; tok = strtok(NULL, " \t,")) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(tok, &end, 16);
		if (*end || errno || end == tok)
			return -1;
		if (words && !strncmp(tok, "0x", 2)) {
			uint8_t b[8];
			for (int i = 0; i < 8; i++)
				b[i] = (uint8_t)(v >> (8 * i));
			if (buf_add(out, (char *)b, 8))
				return -1;
		} else {
			uint8_t b = (uint8_t)v;
			if (v > 0xff || buf_add(out, (char *)&b, 1))
				return -1;
		}
	}
	return 0;
}

static int fail(char *msg, size_t msglen, int line, const char *what,
		const char *text)
{
	snprintf(msg, msglen, "line %d: %s '%s'", line, what, text);
	return -1;
}

int data_test_parse(const char *text, struct data_test *t, char *msg,
		    size_t msglen)
{
	struct buf asm_text = { 0 }, raw = { 0 }, mem = { 0 }, err = { 0 };
	enum section cur = S_NONE;
	char *copy = strdup(text), *save = NULL;
	int lineno = 0, rc = -1;

	memset(t, 0, sizeof(*t));
	if (!copy) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	for (char *line = copy; line; line = save) {
		save = strchr(line, '\n');
		if (save)
			*save++ = 0;
		lineno++;
		if (!strncmp(line, "--", 2)) {
			char *name = trim(line + 2);
			size_t i;
			for (i = 0; i < sizeof(sections) / sizeof(*sections); i++)
				if (!strcmp(name, sections[i].name))
					break;
			if (i == sizeof(sections) / sizeof(*sections)) {
				fail(msg, msglen, lineno,
				     "Invalid directive: unknown section", name);
				goto out;
			}
			cur = sections[i].section;
			continue;
		}
		if (cur == S_ASM) {
			if (buf_add(&asm_text, line, strlen(line)) ||
			    buf_add(&asm_text, "\n", 1))
				goto oom;
			continue;
		}
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		char *body = trim(line);
		if (!*body)
			continue;
		switch (cur) {
		case S_MEM:
			if (add_hex_tokens(&mem, body, false)) {
				fail(msg, msglen, lineno, "invalid mem bytes", body);
				goto out;
			}
			break;
		case S_RAW:
			if (add_hex_tokens(&raw, body, true)) {
				fail(msg, msglen, lineno, "invalid raw words", body);
				goto out;
			}
			break;
		case S_RESULT: {
			char *end;
			errno = 0;
			t->result = strtoull(body, &end, 0);
			if (*end || errno) {
				fail(msg, msglen, lineno, "invalid result", body);
				goto out;
			}
			t->has_result = true;
			break;
		}
		case S_ERROR:
			if (buf_add(&err, body, strlen(body)))
				goto oom;
			break;
		default:
			break;
		}
	}
	/* A file whose sections hold nothing still tells "no program". */
	if (raw.len % 8) {
		snprintf(msg, msglen, "raw section holds %zu bytes, not whole "
			 "8-byte instructions", raw.len);
		goto out;
	}
	t->asm_text = asm_text.p ? asm_text.p : strdup("");
	t->raw = (uint8_t *)raw.p;
	t->raw_len = raw.len;
	t->mem = (uint8_t *)mem.p;
	t->mem_len = mem.len;
	t->error = err.p;
	if (!t->asm_text)
		goto oom;
	free(copy);
	return 0;
oom:
	snprintf(msg, msglen, "out of memory");
out:
	free(asm_text.p);
	free(raw.p);
	free(mem.p);
	free(err.p);
	free(copy);
	memset(t, 0, sizeof(*t));
	return rc;
}

void data_test_free(struct data_test *t)
{
	free(t->asm_text);
	free(t->raw);
	free(t->mem);
	free(t->error);
	memset(t, 0, sizeof(*t));
}
