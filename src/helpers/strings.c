/* SPDX-License-Identifier: MIT */
/*
 * String helpers: snprintf (format.c does the formatting), strncmp,
 * strtol and strtoul.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "helpers/helpers_internal.h"

/*
 * The kernel's ARG_PTR_TO_CONST_STR: a NUL-terminated string the
 * verifier can read at load time (in a frozen read-only map). Read-only
 * is a load-time property (bpfvm_exec_writable cannot tell it for
 * verified programs); at run time what matters is that the whole string,
 * NUL included, is readable. Returns its length, or -1 with the run
 * stopped.
 */
#define CONST_STR_MAX (1u << 20)

static long const_str(bpfvm_exec *exec, const char *helper, int arg,
		      uint64_t addr)
{
	long len = bpfvm_h_strlen(exec, addr, CONST_STR_MAX);

	if (len < 0)
		bpfvm_h_abort(
			exec, helper,
			"arg%d is not a NUL-terminated string the program "
			"may read",
			arg);
	return len;
}

/*
 * snprintf(str, str_size, fmt, data, data_len): format into str as the
 * kernel's bpf_snprintf: data holds data_len / 8 u64 arguments (at most
 * 12); str gets at most str_size - 1 bytes and a NUL. Returns the bytes
 * the whole output needs including its NUL, or -EINVAL / -ENOSPC.
 */
uint64_t bpfvm_bpf_snprintf(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
			    uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "snprintf";
	uint64_t args[BPFVM_BPRINTF_VARARGS];
	uint32_t str_size = (uint32_t)r2, data_len = (uint32_t)r5;
	long fmt_len, len;

	if (!bpfvm_h_writable(exec, name, 1, r1, str_size))
		return 0;
	fmt_len = const_str(exec, name, 3, r3);
	if (fmt_len < 0)
		return 0;
	if (data_len % 8 || data_len > sizeof(args) || (data_len && !r4))
		return BPFVM_ERR(EINVAL);
	if (!bpfvm_h_readable(exec, name, 4, r4, data_len))
		return 0;
	if (data_len) /* r4 may be NULL when there are no arguments */
		memcpy(args, (const void *)(uintptr_t)r4, data_len);
	len = bpfvm_h_format(exec, (const char *)(uintptr_t)r3,
			     (size_t)fmt_len + 1, args, data_len / 8,
			     (char *)(uintptr_t)r1, str_size);
	return len < 0 ? BPFVM_ERR(-len) : (uint64_t)len + 1;
}

/*
 * strncmp(s1, s1_sz, s2): the kernel's strncmp (lib/string.c) over at most
 * s1_sz bytes: -1, 0 or 1 as the first differing byte, compared unsigned,
 * is lower or higher in s1; 0 when equal up to a NUL or s1_sz bytes.
 */
uint64_t bpfvm_bpf_strncmp(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
			   uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "strncmp";
	const unsigned char *s1 = (const unsigned char *)(uintptr_t)r1;
	const unsigned char *s2 = (const unsigned char *)(uintptr_t)r3;
	uint32_t n = (uint32_t)r2;

	if (!n)
		return bpfvm_h_abort(exec, name, "arg2 s1_sz must be > 0");
	if (!bpfvm_h_readable(exec, name, 1, r1, n) ||
	    const_str(exec, name, 3, r3) < 0)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		if (s1[i] != s2[i])
			return s1[i] < s2[i] ? (uint64_t)-1 : 1;
		if (!s1[i])
			break;
	}
	return 0;
}

/*
 * strtol / strtoul (kernel/bpf/helpers.c __bpf_strtoull): skip white
 * space, take one '-', then the digits of base flags & 0x1f (0: "0x" hex,
 * "0" octal, else decimal; 16 allows "0x"), looking at 63 bytes at most.
 * Returns the bytes consumed, -EINVAL for bad flags or no digits, -ERANGE
 * on overflow; *res is 0 on failure (kernels since 6.11 zero it).
 */
#define STRTOX_BASE_MASK 0x1f
#define STRTOX_MAX	 63

static bool is_ws(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : 99;
}

static long strtoull_k(const char *buf, size_t len, uint64_t flags,
		       unsigned long long *res, bool *neg)
{
	unsigned base = flags & STRTOX_BASE_MASK;
	size_t i = 0, end, n = 0;
	bool overflow = false;
	int d;

	*res = 0;
	if (base != 0 && base != 8 && base != 10 && base != 16)
		return -EINVAL;
	if (flags & ~(uint64_t)STRTOX_BASE_MASK)
		return -EINVAL;
	while (i < len && is_ws(buf[i]))
		i++;
	*neg = i < len && buf[i] == '-';
	i += *neg;
	if (i == len)
		return -EINVAL;
	end = i + (len - i < STRTOX_MAX ? len - i : STRTOX_MAX);
	/* _parse_integer_fixup_radix */
	if (!base) {
		base = 10;
		if (buf[i] == '0') {
			base = 8;
			if (i + 2 < end && (buf[i + 1] | 0x20) == 'x' &&
			    digit(buf[i + 2]) < 16)
				base = 16;
		}
	}
	if (base == 16 && i + 1 < end && buf[i] == '0' &&
	    (buf[i + 1] | 0x20) == 'x')
		i += 2;
	for (; i < end && (d = digit(buf[i])) < (int)base; i++, n++) {
		if (*res > (ULLONG_MAX - (unsigned)d) / base)
			overflow = true;
		*res = *res * base + (unsigned)d;
	}
	if (overflow)
		return -ERANGE;
	return n ? (long)i : -EINVAL;
}

/* The checks both share: buf readable (buf_len > 0), res writable. */
static bool strtox_args(bpfvm_exec *exec, const char *name, uint64_t r1,
			uint64_t r2, uint64_t r4)
{
	if (!r2) {
		bpfvm_h_abort(exec, name, "arg2 buf_len must be > 0");
		return false;
	}
	return bpfvm_h_readable(exec, name, 1, r1, r2) &&
	       bpfvm_h_writable(exec, name, 4, r4, sizeof(long));
}

uint64_t bpfvm_bpf_strtol(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
			  uint64_t r3, uint64_t r4, uint64_t r5)
{
	unsigned long long v;
	long long out = 0;
	bool neg;
	long n;

	if (!strtox_args(exec, "strtol", r1, r2, r4))
		return 0;
	n = strtoull_k((const char *)(uintptr_t)r1, r2, r3, &v, &neg);
	if (n >= 0 && (neg ? v > (unsigned long long)LLONG_MAX + 1
			   : v > (unsigned long long)LLONG_MAX))
		n = -ERANGE;
	if (n >= 0)
		out = neg ? (long long)(0 - v) : (long long)v;
	memcpy((void *)(uintptr_t)r4, &out, sizeof(out));
	return (uint64_t)n;
}

uint64_t bpfvm_bpf_strtoul(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
			   uint64_t r3, uint64_t r4, uint64_t r5)
{
	unsigned long long v, out = 0;
	bool neg;
	long n;

	if (!strtox_args(exec, "strtoul", r1, r2, r4))
		return 0;
	n = strtoull_k((const char *)(uintptr_t)r1, r2, r3, &v, &neg);
	if (n >= 0 && neg)
		n = -EINVAL;
	if (n >= 0)
		out = v;
	memcpy((void *)(uintptr_t)r4, &out, sizeof(out));
	return (uint64_t)n;
}
