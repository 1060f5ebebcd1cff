// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * LPM_TRIE (kernel/bpf/lpm_trie.c): longest-prefix match over IPv4
 * prefixes, exact-prefix update and delete, flags, the prefix length
 * limit and a full trie (-ENOSPC for new prefixes, replacing still
 * works). XDP, run in the kernel too.
 */
#include "expect.h"

struct lpm_v4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v4);
	__type(value, __u32);
} lpm SEC(".maps");

struct lpm_v6 {
	__u32 prefixlen;
	__u8 addr[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v6);
	__type(value, __u32);
} lpm6 SEC(".maps");

#define IP(a, b, c, d) ((__u32)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static __always_inline struct lpm_v4 key(__u32 ip, __u32 plen)
{
	struct lpm_v4 k = { .prefixlen = plen,
			    .addr = { ip >> 24, ip >> 16, ip >> 8, ip } };
	return k;
}

static __always_inline long add(__u32 ip, __u32 plen, __u32 val, __u64 flags)
{
	struct lpm_v4 k = key(ip, plen);

	return bpf_map_update_elem(&lpm, &k, &val, flags);
}

static __always_inline long del(__u32 ip, __u32 plen)
{
	struct lpm_v4 k = key(ip, plen);

	return bpf_map_delete_elem(&lpm, &k);
}

/* The value of the longest prefix of ip's first plen bits, or -1. */
static __always_inline __s64 match_len(__u32 ip, __u32 plen)
{
	struct lpm_v4 k = key(ip, plen);
	__u32 *v = bpf_map_lookup_elem(&lpm, &k);

	return v ? (__s64)*v : -1;
}

#define match(ip) match_len(ip, 32)

SEC("xdp")
int lpm_ops(struct xdp_md *ctx)
{
	EXPECT(match(IP(10, 1, 2, 3)), -1);
	EXPECT(add(IP(10, 0, 0, 0), 8, 1, BPF_NOEXIST), 0);
	EXPECT(add(IP(10, 1, 0, 0), 16, 2, BPF_ANY), 0);
	EXPECT(add(IP(10, 1, 2, 0), 24, 3, BPF_ANY), 0);
	EXPECT(add(IP(0, 0, 0, 0), 0, 4, BPF_ANY), 0);
	EXPECT(add(IP(10, 1, 2, 3), 32, 5, BPF_ANY), 0);
	EXPECT(add(IP(192, 168, 0, 0), 16, 6, BPF_ANY), 0);

	/* The longest matching prefix wins. */
	EXPECT(match(IP(10, 1, 2, 3)), 5);
	EXPECT(match(IP(10, 1, 2, 4)), 3);
	EXPECT(match(IP(10, 1, 3, 1)), 2);
	EXPECT(match(IP(10, 2, 0, 0)), 1);
	EXPECT(match(IP(11, 0, 0, 0)), 4);
	EXPECT(match(IP(192, 168, 255, 1)), 6);
	EXPECT(match(IP(192, 169, 0, 0)), 4);
	/* A lookup key's own prefix length bounds the match. */
	EXPECT(match_len(IP(10, 1, 2, 3), 20), 2);
	EXPECT(match_len(IP(10, 1, 2, 3), 8), 1);
	EXPECT(match_len(IP(10, 1, 2, 3), 0), 4);

	/* Updates work on exact prefixes; bits past the length don't count. */
	EXPECT(add(IP(10, 0, 0, 0), 8, 9, BPF_NOEXIST), -EEXIST);
	EXPECT(add(IP(10, 1, 2, 255), 24, 9, BPF_NOEXIST), -EEXIST);
	EXPECT(add(IP(10, 3, 0, 0), 16, 9, BPF_EXIST), -ENOENT);
	EXPECT(add(IP(10, 0, 0, 0), 8, 11, BPF_EXIST), 0);
	EXPECT(match(IP(10, 2, 0, 0)), 11);
	EXPECT(add(IP(10, 0, 0, 0), 8, 9, BPF_EXIST + 1), -EINVAL);
	EXPECT(add(IP(10, 0, 0, 0), 33, 9, BPF_ANY), -EINVAL);
	EXPECT(match(IP(10, 2, 0, 0)), 11);

	/* Full at 8: new prefixes are refused, existing ones replaced. */
	EXPECT(add(IP(172, 16, 0, 0), 12, 7, BPF_ANY), 0);
	EXPECT(add(IP(10, 1, 2, 128), 25, 8, BPF_ANY), 0);
	EXPECT(add(IP(1, 0, 0, 0), 8, 10, BPF_ANY), -ENOSPC);
	EXPECT(add(IP(172, 16, 0, 0), 12, 70, BPF_ANY), 0);
	EXPECT(match(IP(172, 31, 255, 255)), 70);
	EXPECT(match(IP(172, 32, 0, 0)), 4);
	EXPECT(match(IP(10, 1, 2, 200)), 8);
	EXPECT(match(IP(10, 1, 2, 127)), 3);

	/* Deleting a prefix uncovers the next shorter one. */
	EXPECT(del(IP(10, 1, 2, 0), 24), 0);
	EXPECT(del(IP(10, 1, 2, 0), 24), -ENOENT);
	EXPECT(del(IP(10, 1, 2, 0), 23), -ENOENT);
	EXPECT(del(IP(10, 1, 2, 0), 33), -EINVAL);
	EXPECT(match(IP(10, 1, 2, 4)), 2);
	EXPECT(match(IP(10, 1, 2, 3)), 5);
	EXPECT(match(IP(10, 1, 2, 200)), 8);
	EXPECT(del(IP(10, 1, 2, 3), 32), 0);
	EXPECT(match(IP(10, 1, 2, 3)), 2);
	EXPECT(del(IP(0, 0, 0, 0), 0), 0);
	EXPECT(match(IP(11, 0, 0, 0)), -1);
	/* Room again. */
	EXPECT(add(IP(1, 0, 0, 0), 8, 10, BPF_NOEXIST), 0);
	EXPECT(match(IP(1, 2, 3, 4)), 10);
	return XDP_PASS;
}

/* 2001:db8:<g2>:<g3>:: with the last byte set to low. */
static __always_inline struct lpm_v6 key6(__u16 g2, __u16 g3, __u8 low,
					  __u32 plen)
{
	struct lpm_v6 k = { .prefixlen = plen,
			    .addr = { 0x20, 0x01, 0x0d, 0xb8, g2 >> 8, g2,
				      g3 >> 8, g3 } };

	k.addr[15] = low;
	return k;
}

static __always_inline long add6(__u16 g2, __u16 g3, __u32 plen, __u32 val)
{
	struct lpm_v6 k = key6(g2, g3, 0, plen);

	return bpf_map_update_elem(&lpm6, &k, &val, BPF_ANY);
}

static __always_inline __s64 match6(__u16 g2, __u16 g3, __u8 low)
{
	struct lpm_v6 k = key6(g2, g3, low, 128);
	__u32 *v = bpf_map_lookup_elem(&lpm6, &k);

	return v ? (__s64)*v : -1;
}

/* IPv6: prefixes that part inside a byte and across bytes. */
SEC("xdp")
int lpm6_ops(struct xdp_md *ctx)
{
	struct lpm_v6 k = { .prefixlen = 0 };
	__u32 v = 4;

	EXPECT(add6(0, 0, 32, 1), 0);
	EXPECT(add6(1, 0, 48, 2), 0);
	EXPECT(add6(1, 2, 64, 3), 0);
	EXPECT(bpf_map_update_elem(&lpm6, &k, &v, BPF_ANY), 0); /* ::/0 */
	EXPECT(add6(0x8000, 0, 33, 5), 0);
	EXPECT(add6(1, 2, 127, 6), 0);
	EXPECT(add6(1, 2, 128, 7), 0);
	EXPECT(add6(1, 2, 129, 8), -EINVAL);
	EXPECT(match6(1, 2, 5), 3);
	EXPECT(match6(1, 2, 1), 6);
	EXPECT(match6(1, 2, 0), 7);
	EXPECT(match6(1, 2, 2), 3);
	EXPECT(match6(1, 3, 0), 2);
	EXPECT(match6(2, 0, 0), 1);
	EXPECT(match6(0x8000, 0, 1), 5);
	EXPECT(match6(0x7fff, 0, 1), 1);
	k = key6(0, 0, 0, 128);
	k.addr[3] = 0xb9; /* 2001:db9:: */
	EXPECT(bpf_map_lookup_elem(&lpm6, &k) != NULL, 1);
	k = key6(1, 2, 0, 127);
	EXPECT(bpf_map_delete_elem(&lpm6, &k), 0);
	EXPECT(match6(1, 2, 1), 3);
	EXPECT(match6(1, 2, 0), 7);
	k = key6(0, 0, 0, 32);
	EXPECT(bpf_map_delete_elem(&lpm6, &k), 0);
	EXPECT(match6(2, 0, 0), 4);
	EXPECT(match6(0x8000, 0, 1), 5);
	EXPECT(match6(1, 7, 0), 2);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
