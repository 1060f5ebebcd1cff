// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * ARRAY, HASH, PERCPU_ARRAY and PERCPU_HASH through the map helpers, with
 * the error codes of kernel/bpf/arraymap.c and hashtab.c. XDP programs,
 * so that the host test runs them in the kernel too and compares.
 */
#include "expect.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} pcpu_arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} pcpu_hash SEC(".maps");

/* Keys and values whose sizes are not multiples of 8. */
struct key7 {
	__u8 b[7];
};

struct val12 {
	__u32 w[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, struct key7);
	__type(value, struct val12);
} hash7 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct val12);
} pcpu12 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} lru_pcpu SEC(".maps");

/* Elements exist from the start, zeroed; none can be added or removed. */
SEC("xdp")
int array_ops(struct xdp_md *ctx)
{
	__u32 k0 = 0, k3 = 3, k4 = 4;
	__u64 v = 7, *p;

	p = bpf_map_lookup_elem(&arr, &k3);
	EXPECT(p != NULL, 1);
	if (p)
		EXPECT(*p, 0);
	EXPECT(bpf_map_lookup_elem(&arr, &k4) == NULL, 1);
	EXPECT(bpf_map_update_elem(&arr, &k0, &v, BPF_ANY), 0);
	EXPECT(bpf_map_update_elem(&arr, &k0, &v, BPF_EXIST), 0);
	EXPECT(bpf_map_update_elem(&arr, &k0, &v, BPF_NOEXIST), -EEXIST);
	EXPECT(bpf_map_update_elem(&arr, &k4, &v, BPF_ANY), -E2BIG);
	EXPECT(bpf_map_update_elem(&arr, &k0, &v, BPF_EXIST + 1), -EINVAL);
	EXPECT(bpf_map_update_elem(&arr, &k0, &v, BPF_F_LOCK), -EINVAL);
	EXPECT(bpf_map_delete_elem(&arr, &k0), -EINVAL);
	EXPECT(bpf_map_delete_elem(&arr, &k4), -EINVAL);
	p = bpf_map_lookup_elem(&arr, &k0);
	if (p) {
		EXPECT(*p, 7);
		*p += 35; /* a value pointer writes through to the map */
	}
	p = bpf_map_lookup_elem(&arr, &k0);
	if (p)
		EXPECT(*p, 42);
	return XDP_PASS;
}

SEC("xdp")
int hash_ops(struct xdp_md *ctx)
{
	__u32 k;
	__u64 v = 1, *p;

	k = 1;
	EXPECT(bpf_map_lookup_elem(&hash, &k) == NULL, 1);
	EXPECT(bpf_map_delete_elem(&hash, &k), -ENOENT);
	EXPECT(bpf_map_update_elem(&hash, &k, &v, BPF_EXIST), -ENOENT);
	EXPECT(bpf_map_update_elem(&hash, &k, &v, BPF_NOEXIST), 0);
	EXPECT(bpf_map_update_elem(&hash, &k, &v, BPF_NOEXIST), -EEXIST);
	v = 10;
	EXPECT(bpf_map_update_elem(&hash, &k, &v, BPF_EXIST), 0);
	EXPECT(bpf_map_update_elem(&hash, &k, &v, BPF_EXIST + 1), -EINVAL);
	EXPECT(bpf_map_update_elem(&hash, &k, &v, BPF_F_LOCK), -EINVAL);
	p = bpf_map_lookup_elem(&hash, &k);
	EXPECT(p != NULL, 1);
	if (p) {
		EXPECT(*p, 10);
		*p += 1;
	}
	/* Fill it: max_entries 4. */
	for (__u32 i = 2; i <= 4; i++) {
		k = i;
		v = i * 10;
		EXPECT(bpf_map_update_elem(&hash, &k, &v, BPF_ANY), 0);
	}
	k = 5;
	EXPECT(bpf_map_update_elem(&hash, &k, &v, BPF_ANY), -E2BIG);
	EXPECT(bpf_map_update_elem(&hash, &k, &v, BPF_NOEXIST), -E2BIG);
	EXPECT(bpf_map_update_elem(&hash, &k, &v, BPF_EXIST), -ENOENT);
	/* A full map still takes new values for its keys; the flags are
	 * checked before the room. */
	k = 4;
	v = 44;
	EXPECT(bpf_map_update_elem(&hash, &k, &v, BPF_NOEXIST), -EEXIST);
	EXPECT(bpf_map_update_elem(&hash, &k, &v, BPF_ANY), 0);
	EXPECT(bpf_map_update_elem(&hash, &k, &v, BPF_EXIST), 0);
	k = 2;
	EXPECT(bpf_map_delete_elem(&hash, &k), 0);
	EXPECT(bpf_map_delete_elem(&hash, &k), -ENOENT);
	EXPECT(bpf_map_lookup_elem(&hash, &k) == NULL, 1);
	k = 5;
	v = 50;
	EXPECT(bpf_map_update_elem(&hash, &k, &v, BPF_NOEXIST), 0);
	k = 1;
	p = bpf_map_lookup_elem(&hash, &k);
	if (p)
		EXPECT(*p, 11);
	return XDP_PASS;
}

/* A program's update of a per-CPU element sets its own CPU's value; an
 * element it creates starts at zero on the other CPUs. */
SEC("xdp")
int percpu_ops(struct xdp_md *ctx)
{
	__u32 cpu = bpf_get_smp_processor_id(), other, k0 = 0, k2 = 2;
	__u64 v = 5, *p, *q;

	other = cpu ? 0 : 1;
	p = bpf_map_lookup_elem(&pcpu_arr, &k0);
	q = bpf_map_lookup_percpu_elem(&pcpu_arr, &k0, cpu);
	EXPECT(p != NULL, 1);
	EXPECT(p == q, 1);
	if (p)
		*p += 3;
	q = bpf_map_lookup_percpu_elem(&pcpu_arr, &k0, cpu);
	if (q)
		EXPECT(*q, 3);
	EXPECT(bpf_map_lookup_percpu_elem(&pcpu_arr, &k2, cpu) == NULL, 1);
	EXPECT(bpf_map_lookup_percpu_elem(&pcpu_arr, &k0, 0xffffffff) == NULL,
	       1);
	EXPECT(bpf_map_update_elem(&pcpu_arr, &k0, &v, BPF_NOEXIST), -EEXIST);
	EXPECT(bpf_map_update_elem(&pcpu_arr, &k2, &v, BPF_ANY), -E2BIG);
	EXPECT(bpf_map_delete_elem(&pcpu_arr, &k0), -EINVAL);

	EXPECT(bpf_map_update_elem(&pcpu_hash, &k0, &v, BPF_NOEXIST), 0);
	EXPECT(bpf_map_update_elem(&pcpu_hash, &k0, &v, BPF_NOEXIST), -EEXIST);
	p = bpf_map_lookup_elem(&pcpu_hash, &k0);
	q = bpf_map_lookup_percpu_elem(&pcpu_hash, &k0, cpu);
	EXPECT(p != NULL && p == q, 1);
	if (p)
		EXPECT(*p, 5);
	q = bpf_map_lookup_percpu_elem(&pcpu_hash, &k0, other);
	EXPECT(q != NULL, 1);
	if (q)
		EXPECT(*q, 0);
	EXPECT(bpf_map_lookup_percpu_elem(&pcpu_hash, &k2, cpu) == NULL, 1);
	EXPECT(bpf_map_lookup_percpu_elem(&pcpu_hash, &k0, 0xffffffff) == NULL,
	       1);
	EXPECT(bpf_map_update_elem(&pcpu_hash, &k2, &v, BPF_ANY), 0);
	k2 = 3;
	EXPECT(bpf_map_update_elem(&pcpu_hash, &k2, &v, BPF_ANY), -E2BIG);
	EXPECT(bpf_map_delete_elem(&pcpu_hash, &k2), -ENOENT);
	k2 = 2;
	EXPECT(bpf_map_delete_elem(&pcpu_hash, &k2), 0);

	EXPECT(bpf_map_update_elem(&lru_pcpu, &k0, &v, BPF_NOEXIST), 0);
	p = bpf_map_lookup_percpu_elem(&lru_pcpu, &k0, cpu);
	EXPECT(p != NULL && *p == 5, 1);
	p = bpf_map_lookup_percpu_elem(&lru_pcpu, &k0, other);
	EXPECT(p != NULL && *p == 0, 1);
	NOTE(cpu);
	return XDP_PASS;
}

/* Keys compare on all 7 bytes; 12-byte values keep their 12 bytes. */
SEC("xdp")
int odd_sizes(struct xdp_md *ctx)
{
	struct key7 a = { { 1, 2, 3, 4, 5, 6, 7 } }, b = a;
	struct val12 va = { { 10, 11, 12 } }, vb = { { 20, 21, 22 } }, *p;
	__u32 k1 = 1;

	b.b[6] = 8;
	EXPECT(bpf_map_update_elem(&hash7, &a, &va, BPF_NOEXIST), 0);
	EXPECT(bpf_map_update_elem(&hash7, &b, &vb, BPF_NOEXIST), 0);
	p = bpf_map_lookup_elem(&hash7, &b);
	EXPECT(p != NULL && p->w[0] == 20 && p->w[2] == 22, 1);
	b.b[0] = 9;
	EXPECT(bpf_map_lookup_elem(&hash7, &b) == NULL, 1);
	/* Every CPU's value, so that the host sees the same whatever CPU
	 * this runs on. */
	for (__u32 c = 0; c < 64; c++) {
		p = bpf_map_lookup_percpu_elem(&pcpu12, &k1, c);
		if (!p)
			break;
		p->w[0] = 0xaaaaaaaa + c;
		p->w[2] = 0xcccccccc;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
