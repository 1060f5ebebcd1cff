/* SPDX-License-Identifier: MIT */
/*
 * The format engine of trace_printk, trace_vprintk and snprintf: the
 * kernel's bpf_bprintf_prepare (kernel/bpf/helpers.c), which checks the
 * format and copies string arguments into a 512-byte buffer, followed by
 * bstr_printf (lib/vsprintf.c), which prints.
 *
 * Accepted, as in the kernel: %% and conversions `%[flags][width][l|ll]
 * {d,i,u,x,X}`, `%c`, `%s`, `%p`, `%pK`, `%px`, `%ps`, `%pS`, `%pB`,
 * `%pks`, `%pus`, `%pI4`, `%pi4`, `%pI6`, `%pi6`; flags from "0+- ";
 * width [1-9][0-9]*; no precision, no '#', no 'h'. Everything before the
 * NUL must be printable ASCII or white space. %s (and %p[ku]s) must be
 * followed by the end, a space or punctuation.
 *
 * Pointers print unhashed: %p, %pK and %px as 16 hex digits, %ps, %pS and
 * %pB as 0x<hex> (what the kernel prints for an address with no symbol).
 * A string argument that cannot be read prints as "" (the kernel's
 * copy_from_kernel_nofault failing); an address for %pI4/6 that cannot
 * be read prints as zeros.
 *
 * The whole format is parsed twice, by one parser: once to check it and
 * size the string arguments (the kernel's prepare step, which may fail
 * with -EINVAL or -ENOSPC before anything is printed), once to print. The
 * format lives in program memory another thread may change meanwhile, so
 * the printing pass re-checks everything and never reads past the length
 * found first nor beyond nargs arguments.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "helpers/helpers_internal.h"

#define FIELD_WIDTH_MAX ((1 << 23) - 1) /* lib/vsprintf.c */

enum { F_LEFT = 1, F_ZERO = 2, F_PLUS = 4, F_SPACE = 8 };

/* What one conversion prints. */
enum conv {
	C_PERCENT,   /* %% */
	C_SIGNED,    /* d i */
	C_UNSIGNED,  /* u */
	C_HEX,	     /* x */
	C_HEX_UPPER, /* X */
	C_CHAR,	     /* c */
	C_STRING,    /* s pks pus */
	C_POINTER,   /* p pK px */
	C_SYMBOL,    /* ps pS pB */
	C_IP,	     /* pI4 pi4 pI6 pi6 */
};

struct spec {
	enum conv conv;
	unsigned flags;
	int width;    /* -1: none */
	int size;     /* bytes of a numeric argument: 4 or 8 */
	char ext;     /* the letter after %p: K x s S B, or 0 */
	char ip_kind; /* 'I' (dotted / colons) or 'i' (padded / bare) */
	int ip_bytes; /* 4 or 16 */
};

/* The format: bytes past len read as NUL. */
struct fmt {
	const char *s;
	size_t len;
};

static char at(const struct fmt *f, size_t i)
{
	return i < f->len ? f->s[i] : 0;
}

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_punct(char c)
{
	return c > ' ' && c < 0x7f && !(c >= '0' && c <= '9') &&
	       !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z');
}

/* What may follow %s: the kernel refuses letters and digits there, so
 * that "%sfoo"-style extensions of vsprintf never reach it. */
static bool ends_string(char c)
{
	return !c || is_space(c) || is_punct(c);
}

/*
 * Parse the conversion whose '%' is at *i; on success *i is past it.
 * Returns 0 or -EINVAL.
 */
static int parse_spec(const struct fmt *f, size_t *i, struct spec *sp)
{
	size_t j = *i + 1;
	char c;

	memset(sp, 0, sizeof(*sp));
	sp->width = -1;
	if (at(f, j) == '%') {
		sp->conv = C_PERCENT;
		*i = j + 1;
		return 0;
	}
	for (;; j++) {
		c = at(f, j);
		if (c == '0')
			sp->flags |= F_ZERO;
		else if (c == '+')
			sp->flags |= F_PLUS;
		else if (c == '-')
			sp->flags |= F_LEFT;
		else if (c == ' ')
			sp->flags |= F_SPACE;
		else
			break;
	}
	if (at(f, j) >= '1' && at(f, j) <= '9') {
		sp->width = 0;
		for (; at(f, j) >= '0' && at(f, j) <= '9'; j++) {
			sp->width = sp->width * 10 + (at(f, j) - '0');
			if (sp->width > FIELD_WIDTH_MAX)
				sp->width = FIELD_WIDTH_MAX;
		}
	}
	c = at(f, j);
	sp->size = 8;
	if (c == 'p') {
		char m = at(f, j + 1);

		if ((m == 'k' || m == 'u') && at(f, j + 2) == 's') {
			sp->conv = C_STRING;
			j += 3;
			goto string_end;
		}
		if (m == 'i' || m == 'I') {
			char v = at(f, j + 2);

			if (v != '4' && v != '6')
				return -EINVAL;
			sp->conv = C_IP;
			sp->ip_kind = m;
			sp->ip_bytes = v == '4' ? 4 : 16;
			*i = j + 3;
			return 0;
		}
		if (m == 's' || m == 'S' || m == 'B') {
			sp->conv = C_SYMBOL;
			sp->ext = m;
			*i = j + 2;
			return 0;
		}
		if (m == 'K' || m == 'x') {
			sp->conv = C_POINTER;
			sp->ext = m;
			*i = j + 2;
			return 0;
		}
		if (!m || is_space(m) || is_punct(m)) {
			sp->conv = C_POINTER;
			*i = j + 1;
			return 0;
		}
		return -EINVAL;
	}
	if (c == 's') {
		sp->conv = C_STRING;
		j++;
	string_end:
		if (!ends_string(at(f, j)))
			return -EINVAL;
		*i = j;
		return 0;
	}
	if (c == 'c') {
		sp->conv = C_CHAR;
		*i = j + 1;
		return 0;
	}
	sp->size = 4;
	if (c == 'l') {
		sp->size = 8;
		c = at(f, ++j);
		if (c == 'l')
			c = at(f, ++j);
	}
	switch (c) {
	case 'd':
	case 'i':
		sp->conv = C_SIGNED;
		break;
	case 'u':
		sp->conv = C_UNSIGNED;
		break;
	case 'x':
		sp->conv = C_HEX;
		break;
	case 'X':
		sp->conv = C_HEX_UPPER;
		break;
	default:
		return -EINVAL;
	}
	*i = j + 1;
	return 0;
}

/* Output: bytes beyond size are counted, not stored. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, long n)
{
	if (n <= 0)
		return;
	if (o->len + 1 >= o->size) {
		o->len += (size_t)n; /* nothing more is stored anyway */
		return;
	}
	while (n-- > 0)
		put(o, c);
}

/* A run of text with the field's width (strings, chars, symbols, IPs:
 * padded with spaces, as vsprintf pads strings). */
static void put_field(struct out *o, const struct spec *sp, const char *s,
		      size_t n)
{
	long w = sp->width - (long)n;

	if (!(sp->flags & F_LEFT))
		pad(o, ' ', w);
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->flags & F_LEFT)
		pad(o, ' ', w);
}

static void put_number(struct out *o, const struct spec *sp, uint64_t v,
		       bool neg, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	char sign = 0;
	int n = 0;
	long w;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (sp->conv == C_SIGNED && neg)
		sign = '-';
	else if (sp->conv == C_SIGNED && (sp->flags & F_PLUS))
		sign = '+';
	else if (sp->conv == C_SIGNED && (sp->flags & F_SPACE))
		sign = ' ';
	w = sp->width - n - (sign != 0);
	if (!(sp->flags & (F_LEFT | F_ZERO)))
		pad(o, ' ', w);
	if (sign)
		put(o, sign);
	if (!(sp->flags & F_LEFT) && (sp->flags & F_ZERO))
		pad(o, '0', w);
	while (n)
		put(o, tmp[--n]);
	if (sp->flags & F_LEFT)
		pad(o, ' ', w);
}

static void put_integer(struct out *o, const struct spec *sp, uint64_t arg)
{
	uint64_t v = sp->size == 4 ? (uint32_t)arg : arg;
	bool neg = false;

	if (sp->conv == C_SIGNED) {
		int64_t s = sp->size == 4 ? (int32_t)arg : (int64_t)arg;

		neg = s < 0;
		v = neg ? 0 - (uint64_t)s : (uint64_t)s;
	}
	put_number(o, sp, v, neg,
		   sp->conv == C_SIGNED || sp->conv == C_UNSIGNED ? 10 : 16,
		   sp->conv == C_HEX_UPPER);
}

/* %pI4 "1.2.3.4", %pi4 "001.002.003.004", %pI6 "2001:0db8:...", %pi6
 * 32 hex digits (lib/vsprintf.c ip4_string, ip6_string). */
static size_t ip_string(const bpfvm_exec *exec, const struct spec *sp,
			uint64_t addr, char *buf, size_t size)
{
	uint8_t a[16] = { 0 };
	size_t n = 0;

	if (bpfvm_exec_readable(exec, addr, sp->ip_bytes))
		memcpy(a, (const void *)(uintptr_t)addr, sp->ip_bytes);
	if (sp->ip_bytes == 4)
		return (size_t)snprintf(buf, size,
					sp->ip_kind == 'I'
						? "%u.%u.%u.%u"
						: "%03u.%03u.%03u.%03u",
					a[0], a[1], a[2], a[3]);
	for (int i = 0; i < 16; i += 2) {
		n += (size_t)snprintf(buf + n, size - n, "%02x%02x", a[i],
				      a[i + 1]);
		if (sp->ip_kind == 'I' && i != 14)
			buf[n++] = ':';
	}
	buf[n] = 0;
	return n;
}

/* Bytes of the string at addr the kernel's prepare step would copy into
 * the room left in its buffer: the string up to its NUL, cut to room - 1
 * bytes; 0 when a byte before that cannot be read. *used gets what the
 * copy takes of the room (with the NUL). */
static size_t string_bytes(const bpfvm_exec *exec, uint64_t addr, size_t room,
			   size_t *used)
{
	for (size_t i = 0; i + 1 < room; i++) {
		if (!bpfvm_exec_readable(exec, addr + i, 1)) {
			*used = 1;
			return 0;
		}
		if (!*(const char *)(uintptr_t)(addr + i)) {
			*used = i + 1;
			return i;
		}
	}
	*used = room;
	return room - 1;
}

/* Room for a numeric argument in the prepare buffer: 4-byte aligned. */
static bool take_number(size_t *pos, size_t room, int size)
{
	*pos = (*pos + 3) & ~(size_t)3;
	if (*pos > room || room - *pos < (size_t)size)
		return false;
	*pos += (size_t)size;
	return true;
}

/*
 * One pass over the format. Without an output it is the kernel's prepare
 * step: check every character and conversion, account the 512-byte
 * buffer and record how much of each string argument will print. With
 * one it prints, using what the first pass recorded.
 */
static long format_pass(const bpfvm_exec *exec, const struct fmt *f,
			const uint64_t *args, unsigned nargs,
			size_t strlens[BPFVM_BPRINTF_VARARGS], struct out *o)
{
	char tmp[48];
	size_t room = BPFVM_BPRINTF_BUF, pos = 0, used, n;
	unsigned k = 0;
	struct spec sp;

	for (size_t i = 0; i < f->len;) {
		char c = f->s[i];

		if ((unsigned char)c >= 0x80 ||
		    (!(c >= ' ' && c < 0x7f) && !is_space(c)))
			return -EINVAL;
		if (c != '%') {
			if (o)
				put(o, c);
			i++;
			continue;
		}
		if (at(f, i + 1) != '%' && k >= nargs)
			return -EINVAL;
		if (parse_spec(f, &i, &sp))
			return -EINVAL;
		switch (sp.conv) {
		case C_PERCENT:
			if (o)
				put(o, '%');
			continue;
		case C_STRING:
			if (!o) {
				if (pos == room)
					return -ENOSPC;
				strlens[k] = string_bytes(exec, args[k],
							  room - pos, &used);
				pos += used;
				break;
			}
			/* re-read: stop early should the string have shrunk */
			n = string_bytes(exec, args[k], strlens[k] + 1, &used);
			put_field(o, &sp, (const char *)(uintptr_t)args[k], n);
			break;
		case C_CHAR:
			if (!o && pos++ == room)
				return -ENOSPC;
			tmp[0] = (char)args[k];
			if (o)
				put_field(o, &sp, tmp, 1);
			break;
		case C_IP:
			n = ip_string(exec, &sp, args[k], tmp, sizeof(tmp));
			if (!o && room - pos < (size_t)sp.ip_bytes)
				return -ENOSPC;
			pos += n + 1;
			if (o)
				put_field(o, &sp, tmp, n);
			break;
		case C_SYMBOL:
			n = (size_t)snprintf(tmp, sizeof(tmp), "0x%" PRIx64,
					     args[k]);
			/* the kernel prints %pB into its buffer at once and
			 * keeps %ps / %pS as a number */
			if (sp.ext == 'B')
				pos += n + 1;
			else if (!take_number(&pos, room, 8) && !o)
				return -ENOSPC;
			if (o)
				put_field(o, &sp, tmp, n);
			break;
		case C_POINTER:
			if (sp.width < 0) {
				sp.width = 16;
				sp.flags |= F_ZERO;
			}
			sp.conv = C_HEX;
			/* fall through */
		default:
			if (!take_number(&pos, room, sp.size) && !o)
				return -ENOSPC;
			if (o)
				put_integer(o, &sp, args[k]);
			break;
		}
		if (pos > room)
			pos = room;
		k++;
	}
	return 0;
}

long bpfvm_h_format(const bpfvm_exec *exec, const char *fmt, size_t fmt_len,
		    const uint64_t *args, unsigned nargs, char *out,
		    size_t size)
{
	size_t strlens[BPFVM_BPRINTF_VARARGS] = { 0 };
	const char *nul = memchr(fmt, 0, fmt_len);
	struct fmt f = { .s = fmt };
	struct out o = { .buf = out, .size = size };
	long err;

	if (!nul || nargs > BPFVM_BPRINTF_VARARGS)
		return -EINVAL;
	f.len = (size_t)(nul - fmt);
	err = format_pass(exec, &f, args, nargs, strlens, NULL);
	if (err)
		return err;
	format_pass(exec, &f, args, nargs, strlens, &o);
	if (size)
		out[o.len < size ? o.len : size - 1] = 0;
	return (long)o.len;
}
