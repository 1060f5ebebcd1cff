/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * Checks made inside test programs. EXPECT(got, want) records the line,
 * the value an operation gave and the value the kernel's documentation
 * says it gives, in the one element of the `results` map; the host test
 * (tests/unit/bpf_test.h) reports every record whose two values differ,
 * and, when it ran the object in the kernel too, every record where
 * bpfvm and the kernel saw different values. RECORD(got) has no
 * expectation: bpfvm and the kernel must agree on it. NOTE(got) is kept
 * for the host to read and never compared (CPU numbers, times).
 */
#ifndef BPFVM_TEST_EXPECT_H
#define BPFVM_TEST_EXPECT_H

#include <linux/bpf.h>
#include <linux/errno.h>
#include <bpf/bpf_helpers.h>

#define MAX_RECS 128

enum rec_kind { REC_EXPECT = 0, REC_RECORD = 1, REC_NOTE = 2 };

struct rec {
	__s64 got;
	__s64 want;
	__u32 line;
	__u32 kind;
};

struct results {
	__u32 n;
	__u32 pad;
	struct rec r[MAX_RECS];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct results);
} results SEC(".maps");

static __noinline __attribute__((unused)) void rec(__u32 line, __s64 got,
						   __s64 want, __u32 kind)
{
	__u32 zero = 0, n;
	struct results *r = bpf_map_lookup_elem(&results, &zero);

	if (!r)
		return;
	n = r->n;
	if (n >= MAX_RECS)
		return;
	r->r[n].got = got;
	r->r[n].want = want;
	r->r[n].line = line;
	r->r[n].kind = kind;
	r->n = n + 1;
}

#define EXPECT(got, want) rec(__LINE__, (__s64)(got), (__s64)(want), REC_EXPECT)
#define RECORD(got)	  rec(__LINE__, (__s64)(got), 0, REC_RECORD)
#define NOTE(got)	  rec(__LINE__, (__s64)(got), 0, REC_NOTE)

#endif
