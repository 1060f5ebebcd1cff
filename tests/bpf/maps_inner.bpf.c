// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * ARRAY_OF_MAPS and HASH_OF_MAPS: a lookup in the outer map gives the
 * inner map, used like any map (lookup, update, delete); an empty or
 * absent slot gives NULL. The kernel's outer slots are filled by libbpf
 * from .values (ARRAY_OF_MAPS slots 0 and 1, HASH_OF_MAPS key 3); bpfvm's
 * by the host, by map id. XDP, run in the kernel too.
 */
#include "expect.h"

struct inner_arr {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct inner_hash {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} inner_h SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_arr);
} outer_arr SEC(".maps") = {
	.values = { [0] = &inner_a, [1] = &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_hash);
} outer_hash SEC(".maps") = {
	.values = { [3] = &inner_h },
};

/* BPF_F_INNER_MAP: inner arrays of any size. Left empty for the host. */
struct inner_flex {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__uint(map_flags, BPF_F_INNER_MAP);
	__type(key, __u32);
	__type(value, __u64);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct inner_flex);
} outer_flex SEC(".maps");

/* inner[key] of outer[slot], or -1 (no inner map) or -2 (no element). */
static __always_inline __s64 get(void *outer, __u32 slot, __u32 key)
{
	void *inner = bpf_map_lookup_elem(outer, &slot);
	__u64 *v;

	if (!inner)
		return -1;
	v = bpf_map_lookup_elem(inner, &key);
	return v ? (__s64)*v : -2;
}

SEC("xdp")
int mim_array(struct xdp_md *ctx)
{
	__u32 k0 = 0, k1 = 1, k2 = 2, k9 = 9;
	__u64 v = 201, *p;
	void *m;

	/* The host set inner_a[1] = 100 and inner_b[1] = 200. */
	EXPECT(get(&outer_arr, 0, 1), 100);
	EXPECT(get(&outer_arr, 1, 1), 200);
	EXPECT(get(&outer_arr, 0, 4), -2);
	EXPECT(get(&outer_arr, 2, 1), -1);
	EXPECT(get(&outer_arr, 9, 1), -1);
	m = bpf_map_lookup_elem(&outer_arr, &k0);
	if (m) {
		p = bpf_map_lookup_elem(m, &k1);
		if (p)
			*p += 1;
	}
	m = bpf_map_lookup_elem(&outer_arr, &k1);
	EXPECT(m != NULL, 1);
	if (m) {
		EXPECT(bpf_map_update_elem(m, &k2, &v, BPF_ANY), 0);
		EXPECT(bpf_map_update_elem(m, &k2, &v, BPF_NOEXIST), -EEXIST);
		EXPECT(bpf_map_update_elem(m, &k9, &v, BPF_ANY), -E2BIG);
		EXPECT(bpf_map_delete_elem(m, &k2), -EINVAL);
	}
	EXPECT(get(&outer_arr, 0, 1), 101);
	EXPECT(get(&outer_arr, 1, 2), 201);
	return XDP_PASS;
}

SEC("xdp")
int mim_hash(struct xdp_md *ctx)
{
	__u32 k3 = 3, k5 = 5, k6 = 6;
	__u64 v = 55;
	void *m;

	EXPECT(get(&outer_hash, 4, 5), -1);
	EXPECT(get(&outer_hash, 3, 5), -2);
	m = bpf_map_lookup_elem(&outer_hash, &k3);
	EXPECT(m != NULL, 1);
	if (!m)
		return XDP_ABORTED;
	EXPECT(bpf_map_update_elem(m, &k5, &v, BPF_NOEXIST), 0);
	EXPECT(bpf_map_update_elem(m, &k5, &v, BPF_NOEXIST), -EEXIST);
	EXPECT(bpf_map_update_elem(m, &k6, &v, BPF_ANY), 0);
	EXPECT(bpf_map_delete_elem(m, &k6), 0);
	EXPECT(bpf_map_delete_elem(m, &k6), -ENOENT);
	EXPECT(get(&outer_hash, 3, 5), 55);
	EXPECT(get(&outer_hash, 3, 6), -2);
	return XDP_PASS;
}

/* What the host changed since: read the slots it names in probe. */
struct probe {
	__u32 arr_slot;
	__u32 hash_key;
	__s64 arr_val;
	__s64 hash_val;
	__u32 flex_key;
	__u32 pad;
	__s64 flex_val;
} probe;

SEC("xdp")
int mim_probe(struct xdp_md *ctx)
{
	probe.arr_val = get(&outer_arr, probe.arr_slot, 0);
	probe.hash_val = get(&outer_hash, probe.hash_key, 0);
	probe.flex_val = get(&outer_flex, 0, probe.flex_key);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
