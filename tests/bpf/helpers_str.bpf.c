// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * String helpers (kernel/bpf/helpers.c): strncmp, snprintf (through
 * libbpf's BPF_SNPRINTF), strtol and strtoul. The formatted strings are
 * checked against constant strings with strncmp and copied to `text` for
 * the host. XDP, run in the kernel too.
 */
#include "expect.h"

/* snprintf's output, for the host: one 64-byte line per call. */
#define LINES 14
char text[LINES][64];

static __always_inline int same(const char *s, const char *want)
{
	return bpf_strncmp(s, 64, want) == 0;
}

SEC("xdp")
int str_cmp(struct xdp_md *ctx)
{
	char s[16] = "hello";

	EXPECT(bpf_strncmp(s, 6, "hello"), 0);
	EXPECT(bpf_strncmp(s, 6, "hellp"), -1);
	EXPECT(bpf_strncmp(s, 6, "helln"), 1);
	EXPECT(bpf_strncmp(s, 6, "hell"), 1);	 /* 'o' against NUL */
	EXPECT(bpf_strncmp(s, 6, "hello!"), -1); /* NUL against '!' */
	EXPECT(bpf_strncmp(s, 4, "help"), -1);
	EXPECT(bpf_strncmp(s, 4, "hell!"), 0);	/* only 4 bytes */
	EXPECT(bpf_strncmp(s, 5, "hello!"), 0); /* only 5 bytes */
	EXPECT(bpf_strncmp(s, 1, "x"), -1);
	s[0] = (char)0xe9; /* compared as unsigned char */
	EXPECT(bpf_strncmp(s, 6, "zzz"), 1);
	s[0] = 0;
	EXPECT(bpf_strncmp(s, 16, ""), 0);
	return XDP_PASS;
}

/* Format into text[i]: the return value (bytes with the NUL), then the
 * text itself against want. */
#define FMT(i, want, ret, fmt, args...)                                        \
	({                                                                     \
		EXPECT(BPF_SNPRINTF(text[i], sizeof(text[i]), fmt, args),      \
		       ret);                                                   \
		EXPECT(same(text[i], want), 1);                                \
	})

SEC("xdp")
int str_snprintf(struct xdp_md *ctx)
{
	__u8 ip4[4] = { 10, 1, 2, 3 };
	char word[8] = "word";
	char small[8];
	__u64 big = 12345;
	__u8 ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	FMT(0, "-5 7 ff FF", 11, "%d %u %x %X", -5, 7, 255, 255);
	FMT(1, "[   42][42   ][00042]", 22, "[%5d][%-5d][%05d]", 42, 42, 42);
	FMT(2, "+3 -3  3", 9, "%+d %+d % d", 3, -3, 3);
	FMT(3, "18446744073709551615 -1", 24, "%llu %lld", -1LL, -1LL);
	FMT(4, "4294967295 ffffffff", 20, "%u %x", -1, -1);
	FMT(5, "c=A s=word %", 13, "c=%c s=%s %%", 'A', word);
	FMT(6, "10.1.2.3", 9, "%pI4", ip4);
	FMT(7, "010.001.002.003", 16, "%pi4", ip4);
	FMT(8, "0x1f", 5, "0x%lx", 31L);
	FMT(9, "", 1, "%s", "");
	FMT(11, "[   ab|cd   |    A|+0005|+5   |0|%7|]", 38,
	    "[%5s|%-5s|%5c|%+05d|%-+5d|%x|%%%d|%s]", "ab", "cd", 'A', 5, 5, 0,
	    7, (char *)0);
	FMT(12, "2001:0db8:0000:0000:0000:0000:0000:0001", 40, "%pI6", ip6);
	FMT(13, "20010db8000000000000000000000001", 33, "%pi6", ip6);
	/* Cut to the buffer; the return value is the whole length + 1. */
	EXPECT(BPF_SNPRINTF(small, sizeof(small), "%s world", "hello"), 12);
	EXPECT(bpf_strncmp(small, 8, "hello w"), 0);
	__builtin_memcpy(text[10], small, sizeof(small));
	EXPECT(BPF_SNPRINTF(small, 1, "%d", 12345), 6);
	EXPECT(small[0], 0);
	/* No buffer: only the length the output needs. */
	EXPECT(bpf_snprintf(NULL, 0, "%llu", &big, sizeof(big)), 6);
	return XDP_PASS;
}

struct strto_case {
	char s[24];
	__u64 len; /* 64 bits: no zero extension to lose its bounds */
	__u64 flags;
};

/* strtol/strtoul over the cases, against strto_want. Neither is const:
 * the compiler would then know every length and drop the bounds check
 * the verifier needs. */
#define NCASES 25
struct strto_case cases[NCASES] = {
	{ "123", 3, 0 },
	{ "  -45xyz", 8, 10 },
	{ "0x1F", 4, 0 },
	{ "0x1F", 4, 16 },
	{ "1F", 2, 16 },
	{ "0777", 4, 0 },
	{ "0777", 4, 10 },
	{ "0xg", 3, 0 },
	{ "z", 1, 0 },
	{ "  ", 2, 0 },
	{ "-", 1, 0 },
	{ "12345", 2, 10 },
	{ "9223372036854775807", 19, 10 },
	{ "9223372036854775808", 19, 10 },
	{ "-9223372036854775808", 20, 0 },
	{ "18446744073709551615", 20, 0 },
	{ "18446744073709551616", 20, 0 },
	{ "-1", 2, 0 },
	{ "7", 1, 2 },
	{ "7", 1, 0x20 | 10 },
	{ "+5", 2, 0 },
	{ " \t\n42", 5, 0 },
	{ "-0x10", 5, 0 },
	{ "0X1a", 4, 16 },
	{ "0x", 2, 16 },
};

struct strto_want {
	__s64 lret, lres, uret;
	__u64 ures;
};

// clang-format off
#define R(lret, lres, uret, ures) { lret, lres, uret, ures }
// clang-format on
struct strto_want strto_want[NCASES] = {
	R(3, 123, 3, 123),
	R(5, -45, -EINVAL, 0),
	R(4, 31, 4, 31),
	R(4, 31, 4, 31),
	R(2, 31, 2, 31),
	R(4, 511, 4, 511),
	R(4, 777, 4, 777),
	R(1, 0, 1, 0), /* "0x" without a hex digit: octal 0 */
	R(-EINVAL, 0, -EINVAL, 0),
	R(-EINVAL, 0, -EINVAL, 0),
	R(-EINVAL, 0, -EINVAL, 0),
	R(2, 12, 2, 12),
	R(19, 0x7fffffffffffffffLL, 19, 0x7fffffffffffffffULL),
	R(-ERANGE, 0, 19, 0x8000000000000000ULL),
	R(20, (-0x7fffffffffffffffLL - 1), -EINVAL, 0),
	R(-ERANGE, 0, 20, 0xffffffffffffffffULL),
	R(-ERANGE, 0, -ERANGE, 0),
	R(2, -1, -EINVAL, 0),
	R(-EINVAL, 0, -EINVAL, 0),
	R(-EINVAL, 0, -EINVAL, 0),
	R(-EINVAL, 0, -EINVAL, 0), /* no '+' */
	R(5, 42, 5, 42),
	R(5, -16, -EINVAL, 0),
	R(4, 26, 4, 26),
	R(-EINVAL, 0, -EINVAL, 0),
};

static long strto_one(__u32 i, void *unused)
{
	char buf[24];
	long lres = 99;
	unsigned long ures = 99;
	__u64 n;

	if (i >= NCASES)
		return 1;
	__builtin_memcpy(buf, cases[i].s, sizeof(buf));
	n = cases[i].len;
	if (n < 1 || n > sizeof(buf))
		return 1;
	EXPECT(bpf_strtol(buf, n, cases[i].flags, &lres), strto_want[i].lret);
	EXPECT(lres, strto_want[i].lres);
	EXPECT(bpf_strtoul(buf, n, cases[i].flags, &ures), strto_want[i].uret);
	EXPECT(ures, strto_want[i].ures);
	return 0;
}

SEC("xdp")
int str_strtox(struct xdp_md *ctx)
{
	EXPECT(bpf_loop(NCASES, strto_one, NULL, 0), NCASES);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
