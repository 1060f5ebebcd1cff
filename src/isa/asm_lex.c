/* SPDX-License-Identifier: MIT */
/*
 * The assembler's lexer: a cursor over one line of text, numbers and
 * register names. Character classes are spelled out rather than taken
 * from <ctype.h>, so any byte, including negative chars, is safe.
 */
#include <string.h>

#include "isa/asm_internal.h"

void asm_skip_ws(struct asm_cur *c)
{
	while (c->p < c->end && asm_is_space(*c->p))
		c->p++;
}

bool asm_at_end(struct asm_cur *c)
{
	asm_skip_ws(c);
	return c->p == c->end;
}

bool asm_lit(struct asm_cur *c, const char *s)
{
	struct asm_cur save = *c;

	asm_skip_ws(c);
	for (; *s; s++) {
		if (*s == ' ') {
			asm_skip_ws(c);
			continue;
		}
		if (c->p == c->end || *c->p != *s)
			goto fail;
		c->p++;
	}
	/* "ll" must not match the start of "llama". */
	if (asm_is_ident(s[-1]) && c->p < c->end && asm_is_ident(*c->p))
		goto fail;
	return true;
fail:
	*c = save;
	return false;
}

size_t asm_word(struct asm_cur *c, const char **w)
{
	asm_skip_ws(c);
	*w = c->p;
	while (c->p < c->end && asm_is_ident(*c->p))
		c->p++;
	return (size_t)(c->p - *w);
}

bool asm_span_is(const char *s, size_t n, const char *w)
{
	return w && strlen(w) == n && !memcmp(s, w, n);
}

bool asm_word_is(struct asm_cur *c, const char *w)
{
	struct asm_cur save = *c;
	const char *s;
	size_t n = asm_word(c, &s);

	if (asm_span_is(s, n, w))
		return true;
	*c = save;
	return false;
}

int asm_op(struct asm_cur *c, const char *const *ops, size_t n)
{
	size_t best_len = 0, avail;
	int best = -1;

	asm_skip_ws(c);
	avail = (size_t)(c->end - c->p);
	for (size_t i = 0; i < n; i++) {
		size_t len = ops[i] ? strlen(ops[i]) : 0;
		if (len > best_len && len <= avail &&
		    !memcmp(c->p, ops[i], len)) {
			best = (int)i;
			best_len = len;
		}
	}
	c->p += best_len;
	return best;
}

static int digit_value(int ch, bool hex)
{
	if (asm_is_digit(ch))
		return ch - '0';
	if (hex && ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (hex && ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

bool asm_num(struct asm_cur *c, bool sign, struct asm_num *num)
{
	struct asm_cur save = *c;
	unsigned base;
	int d, digits = 0;

	asm_skip_ws(c);
	*num = (struct asm_num){0};
	if (sign && c->p < c->end && (*c->p == '-' || *c->p == '+'))
		num->neg = *c->p++ == '-';
	if (c->end - c->p > 2 && c->p[0] == '0' &&
	    (c->p[1] == 'x' || c->p[1] == 'X') &&
	    digit_value(c->p[2], true) >= 0) {
		num->hex = true;
		c->p += 2;
	}
	base = num->hex ? 16 : 10;
	while (c->p < c->end && (d = digit_value(*c->p, num->hex)) >= 0) {
		if (num->mag > (UINT64_MAX - (unsigned)d) / base)
			goto fail; /* more than 64 bits */
		num->mag = num->mag * base + (unsigned)d;
		digits++;
		c->p++;
	}
	/* "12abc" is not a number followed by a word. */
	if (!digits || (c->p < c->end && asm_is_ident(*c->p)))
		goto fail;
	return true;
fail:
	*c = save;
	return false;
}

bool asm_signed_num(struct asm_cur *c, struct asm_num *num)
{
	struct asm_cur save = *c;
	bool neg;

	asm_skip_ws(c);
	if (c->p == c->end || (*c->p != '+' && *c->p != '-'))
		return false;
	neg = *c->p++ == '-';
	if (!asm_num(c, false, num)) {
		*c = save;
		return false;
	}
	num->neg = neg;
	return true;
}

/*
 * Decimal means a signed 32-bit value; hex means its bit pattern, so
 * 0xffffffff is -1 and 0x100000000 does not fit. A minus sign before hex
 * negates it: -0x80000000 is INT32_MIN.
 */
bool asm_num_imm32(const struct asm_num *num, int32_t *imm)
{
	uint64_t limit = num->neg   ? 0x80000000u
			 : num->hex ? 0xffffffffu
				    : 0x7fffffffu;

	if (num->mag > limit)
		return false;
	*imm = (int32_t)(uint32_t)(num->neg ? 0 - num->mag : num->mag);
	return true;
}

/* Any 64-bit pattern; a negative value down to INT64_MIN. */
bool asm_num_imm64(const struct asm_num *num, uint64_t *imm)
{
	if (num->neg && num->mag > (uint64_t)1 << 63)
		return false;
	*imm = num->neg ? 0 - num->mag : num->mag;
	return true;
}

bool asm_num_off16(const struct asm_num *num, int16_t *off)
{
	if (num->mag > (num->neg ? 0x8000u : 0x7fffu))
		return false;
	*off = (int16_t)(num->neg ? -(int32_t)num->mag : (int32_t)num->mag);
	return true;
}

int asm_reg_number(const char *s, size_t n, char prefix)
{
	unsigned value = 0;
	size_t i = 0;

	if (prefix) {
		if (n < 1 || s[0] != prefix)
			return -1;
		i = 1;
	}
	if (i >= n || (s[i] != 'r' && (prefix || s[i] != 'w')))
		return -1;
	i++;
	/* Digits, without leading zeros: "r01" is not a register. */
	if (i >= n || (s[i] == '0' && i + 1 < n))
		return -1;
	for (; i < n; i++) {
		if (!asm_is_digit(s[i]))
			return -1;
		if (value < BPFVM_NREGS)
			value = value * 10 + (unsigned)(s[i] - '0');
	}
	return value < BPFVM_NREGS ? (int)value : BPFVM_NREGS;
}

size_t asm_token_len(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && !asm_is_space(*q) && *q != ',' && *q != ')' &&
	       *q != ']')
		q++;
	return (size_t)(q - p);
}
