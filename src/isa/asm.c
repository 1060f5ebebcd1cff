/* SPDX-License-Identifier: MIT */
/*
 * The assembler's driver: split text into lines, strip comments, define
 * labels, tell the syntax of each line and hand it to its parser, then
 * patch jumps to labels once all are known.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/asm.h"
#include "isa/asm_internal.h"

/* Fill err: at a source line, and at the slot the failure concerns. */
static int vfail(bpfvm_error *err, int line, size_t slot, const char *fmt,
		 va_list ap) __attribute__((format(printf, 4, 0)));

static int vfail(bpfvm_error *err, int line, size_t slot, const char *fmt,
		 va_list ap)
{
	if (err) {
		err->line = line;
		err->insn = slot <= INT_MAX ? (int)slot : -1;
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	}
	return -1;
}

int asm_error(struct asm_state *st, const char *fmt, ...)
{
	va_list ap;

	/* st->n: the slot the failing line would have filled. */
	va_start(ap, fmt);
	vfail(st->err, st->line, st->n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Make room for one more element of size sz in *arr (capacity *cap). */
static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	size_t ncap = *cap ? *cap * 2 : 64;
	void *p;

	if (n < *cap)
		return 0;
	if (ncap > SIZE_MAX / sz || !(p = realloc(*arr, ncap * sz)))
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

int asm_emit(struct asm_state *st, struct asm_insn in)
{
	bpfvm_insn *slot;

	if (grow((void **)&st->insns, &st->cap, st->n, sizeof(*slot)))
		return asm_error(st, "out of memory");
	/* `ja exit` means the first exit unless `exit:` is defined. */
	if (in.code == BPFVM_OP_EXIT && st->first_exit < 0)
		st->first_exit = (long)st->n;
	slot = &st->insns[st->n++];
	slot->code = in.code;
	slot->dst = in.dst & 0xf;
	slot->src = in.src & 0xf;
	slot->off = in.off;
	slot->imm = in.imm;
	return 0;
}

int asm_emit_lddw(struct asm_state *st, uint8_t dst, uint64_t imm)
{
	struct asm_insn lo = {.code = BPFVM_OP_LDDW, .dst = dst};
	struct asm_insn hi = {0};

	lo.imm = (int32_t)(uint32_t)imm;
	hi.imm = (int32_t)(uint32_t)(imm >> 32);
	if (asm_emit(st, lo))
		return -1;
	return asm_emit(st, hi);
}

/* Labels live in an open-addressing hash table of label index + 1. */
static size_t label_hash(const char *name, size_t len)
{
	uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 0x100000001b3u;
	return (size_t)h;
}

static size_t label_find(const struct asm_state *st, const char *name,
			 size_t len)
{
	size_t mask = st->hash_cap - 1;

	if (!st->hash_cap)
		return SIZE_MAX;
	for (size_t h = label_hash(name, len) & mask; st->hash[h];
	     h = (h + 1) & mask) {
		const struct asm_label *l = &st->labels[st->hash[h] - 1];
		if (l->len == len && !memcmp(l->name, name, len))
			return st->hash[h] - 1;
	}
	return SIZE_MAX;
}

static void hash_insert(size_t *hash, size_t cap, const struct asm_label *l,
			size_t index)
{
	size_t h = label_hash(l->name, l->len) & (cap - 1);

	while (hash[h])
		h = (h + 1) & (cap - 1);
	hash[h] = index + 1;
}

/* Keep the table at most half full. */
static int hash_grow(struct asm_state *st)
{
	size_t cap = st->hash_cap ? st->hash_cap * 2 : 64;
	size_t *hash;

	if (st->nlabels * 2 < st->hash_cap)
		return 0;
	if (cap > SIZE_MAX / sizeof(*hash) ||
	    !(hash = calloc(cap, sizeof(*hash))))
		return -1;
	for (size_t i = 0; i < st->nlabels; i++)
		hash_insert(hash, cap, &st->labels[i], i);
	free(st->hash);
	st->hash = hash;
	st->hash_cap = cap;
	return 0;
}

static int label_define(struct asm_state *st, const char *name, size_t len)
{
	size_t i = label_find(st, name, len);

	if (i != SIZE_MAX)
		return asm_error(
		    st, "Duplicate label: %.*s (first defined on line %d)",
		    (int)len, name, st->labels[i].line);
	if (hash_grow(st) || grow((void **)&st->labels, &st->labels_cap,
				  st->nlabels, sizeof(*st->labels)))
		return asm_error(st, "out of memory");
	st->labels[st->nlabels] = (struct asm_label){
	    .name = name, .len = len, .slot = st->n, .line = st->line};
	hash_insert(st->hash, st->hash_cap, &st->labels[st->nlabels],
		    st->nlabels);
	st->nlabels++;
	return 0;
}

static bool is_label_name(const char *s, size_t n)
{
	if (!n || asm_is_digit(s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!asm_is_ident(s[i]))
			return false;
	return true;
}

int asm_target(struct asm_state *st, const char *s, size_t n, bool in_imm,
	       struct asm_insn *in)
{
	struct asm_cur c = {s, s + n};
	struct asm_num num;
	int32_t imm;
	int16_t off;

	if (is_label_name(s, n)) {
		if (grow((void **)&st->fixups, &st->fixups_cap, st->nfixups,
			 sizeof(*st->fixups)))
			return asm_error(st, "out of memory");
		st->fixups[st->nfixups++] =
		    (struct asm_fixup){.name = s,
				       .len = n,
				       .slot = st->n,
				       .line = st->line,
				       .in_imm = in_imm};
		return 0;
	}
	/* "+3", "-2", or the verifier log's "pc+3". */
	if (n > 2 && s[0] == 'p' && s[1] == 'c' && (s[2] == '+' || s[2] == '-'))
		c.p += 2;
	if (c.p == c.end || (*c.p != '+' && *c.p != '-'))
		return asm_error(st, "Invalid label: %.*s", (int)n, s);
	if (!asm_num(&c, true, &num) || c.p != c.end)
		return asm_error(st, "Invalid offset: %.*s", (int)n, s);
	num.hex = false; /* a jump offset is a signed distance, never bits */
	if (in_imm ? !asm_num_imm32(&num, &imm) : !asm_num_off16(&num, &off))
		return asm_error(st, "Invalid offset: %.*s (out of range)",
				 (int)n, s);
	if (in_imm)
		in->imm = imm;
	else
		in->off = off;
	return 0;
}

/* An error about a jump: at its line and slot. */
static int fixup_error(struct asm_state *st, const struct asm_fixup *f,
		       const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fixup_error(struct asm_state *st, const struct asm_fixup *f,
		       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(st->err, f->line, f->slot, fmt, ap);
	va_end(ap);
	return -1;
}

static int resolve_fixup(struct asm_state *st, const struct asm_fixup *f)
{
	size_t i = label_find(st, f->name, f->len);
	long long target, rel;
	bpfvm_insn *in = &st->insns[f->slot];

	if (i != SIZE_MAX)
		target = (long long)st->labels[i].slot;
	else if (asm_span_is(f->name, f->len, "exit") && st->first_exit >= 0)
		target = st->first_exit;
	else
		return fixup_error(st, f, "Invalid label: %.*s", (int)f->len,
				   f->name);
	rel = target - (long long)f->slot - 1;
	if (f->in_imm ? rel < INT32_MIN || rel > INT32_MAX
		      : rel < INT16_MIN || rel > INT16_MAX)
		return fixup_error(
		    st, f, "Invalid offset: label %.*s is %lld slots away",
		    (int)f->len, f->name, rel);
	if (f->in_imm)
		in->imm = (int32_t)rel;
	else
		in->off = (int16_t)rel;
	return 0;
}

/* `.insn 0x...`: one raw slot, as the little-endian u64 of its bytes. */
static int asm_directive_insn(struct asm_state *st, struct asm_cur *c)
{
	struct asm_num num;
	uint64_t v;
	struct asm_insn in;

	if (!asm_num(c, true, &num) || !asm_num_imm64(&num, &v) ||
	    !asm_at_end(c))
		return asm_error(st, "Invalid .insn: %.*s (one 64-bit value)",
				 (int)(c->end - c->p), c->p);
	in.code = (uint8_t)v;
	in.dst = (v >> 8) & 0xf;
	in.src = (v >> 12) & 0xf;
	in.off = (int16_t)(uint16_t)(v >> 16);
	in.imm = (int32_t)(uint32_t)(v >> 32);
	return asm_emit(st, in);
}

static bool is_hex_digit(char ch)
{
	return asm_is_digit(ch) || (ch >= 'a' && ch <= 'f') ||
	       (ch >= 'A' && ch <= 'F');
}

/* The kernel verifier log numbers its lines and shows the opcode in hex:
 * `12: (b7) r0 = 1`. */
static void skip_insn_index(struct asm_cur *c)
{
	struct asm_cur save = *c;
	struct asm_num num;

	if (!asm_num(c, false, &num) || num.hex || !asm_lit(c, ":")) {
		*c = save;
		return;
	}
	save = *c;
	if (asm_lit(c, "(") && c->end - c->p >= 3 && is_hex_digit(c->p[0]) &&
	    is_hex_digit(c->p[1]) && c->p[2] == ')')
		c->p += 3;
	else
		*c = save;
}

/* Whether the line at c (its first word w) is in the kernel syntax. */
static bool is_kernel_line(struct asm_cur *c, const char *w, size_t n)
{
	struct asm_cur after = *c;

	if (!n)
		return *c->p == '*'; /* `*(u32 *)(r1 + 0) = 1` */
	if (asm_span_is(w, n, "if") || asm_span_is(w, n, "goto") ||
	    asm_span_is(w, n, "gotol") || asm_reg_number(w, n, 0) >= 0)
		return true;
	/* `lock *(u64 *)...` versus `lock add [%r1+0], %r2` */
	return asm_span_is(w, n, "lock") && asm_lit(&after, "*");
}

static int asm_line(struct asm_state *st, const char *p, const char *end)
{
	struct asm_cur c = {p, end}, save;
	const char *w;
	size_t n;

	for (const char *q = p; q < end; q++)
		if (*q == '#' || *q == ';') {
			c.end = q;
			break;
		}
	while (c.end > c.p && asm_is_space(c.end[-1]))
		c.end--;
	skip_insn_index(&c);
	for (;;) { /* labels: `name:`, possibly before an instruction */
		save = c;
		n = asm_word(&c, &w);
		if (!is_label_name(w, n) || !asm_lit(&c, ":"))
			break;
		if (label_define(st, w, n))
			return -1;
	}
	c = save;
	if (asm_at_end(&c))
		return 0;
	n = asm_word(&c, &w);
	if (asm_span_is(w, n, ".insn"))
		return asm_directive_insn(st, &c);
	if (is_kernel_line(&c, w, n))
		return bpfvm_asm_kernel(st, save.p, c.end);
	return bpfvm_asm_conformance(st, save.p, c.end);
}

static void asm_free(struct asm_state *st)
{
	free(st->insns);
	free(st->labels);
	free(st->fixups);
	free(st->hash);
}

int bpfvm_asm(const char *text, bpfvm_insn **out, size_t *count,
	      bpfvm_error *err)
{
	struct asm_state st = {.first_exit = -1, .err = err};
	const char *p = text, *eol;
	int rc = 0;

	*out = NULL;
	*count = 0;
	for (;;) {
		eol = strchr(p, '\n');
		if (!eol)
			eol = p + strlen(p);
		if (st.line == INT_MAX) {
			rc = asm_error(&st, "too many lines");
			break;
		}
		st.line++;
		rc = asm_line(&st, p, eol);
		if (rc || !*eol)
			break;
		p = eol + 1;
	}
	for (size_t i = 0; !rc && i < st.nfixups; i++)
		rc = resolve_fixup(&st, &st.fixups[i]);
	if (!rc && !st.n) {
		rc = asm_error(&st, "Empty program: no instructions");
		if (err)
			err->line = err->insn = -1;
	}
	if (rc) {
		asm_free(&st);
		return -1;
	}
	*out = st.insns;
	*count = st.n;
	st.insns = NULL;
	asm_free(&st);
	return 0;
}
