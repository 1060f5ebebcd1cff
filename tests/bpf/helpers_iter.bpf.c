// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * Callback helpers: bpf_loop (kernel/bpf/bpf_iter.c) and
 * bpf_for_each_map_elem over ARRAY, PERCPU_ARRAY and HASH
 * (arraymap.c, hashtab.c): the callback's return value stops the walk
 * (1) or goes on (0); the helper returns the number of calls made, the
 * one that stopped included. Callbacks may write values and delete
 * hash elements as they go. XDP, run in the kernel too.
 */
#include "expect.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} parr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} phash SEC(".maps");

struct walk {
	__u64 sum;
	__u64 calls;
	__u64 stop_at; /* return 1 when the key (or index) reaches it */
	__u64 keys;    /* sum of the keys seen */
};

static long loop_cb(__u32 i, struct walk *w)
{
	w->calls++;
	w->sum += i;
	return i == w->stop_at;
}

SEC("xdp")
int iter_loop(struct xdp_md *ctx)
{
	struct walk w = { .stop_at = ~0ULL };

	EXPECT(bpf_loop(10, loop_cb, &w, 0), 10);
	EXPECT(w.calls, 10);
	EXPECT(w.sum, 45);
	w = (struct walk){ .stop_at = 4 };
	EXPECT(bpf_loop(10, loop_cb, &w, 0), 5);
	EXPECT(w.calls, 5);
	EXPECT(w.sum, 10);
	w.calls = 0;
	EXPECT(bpf_loop(0, loop_cb, &w, 0), 0);
	EXPECT(w.calls, 0);
	EXPECT(bpf_loop(10, loop_cb, &w, 1), -EINVAL);
	/* More than BPF_MAX_LOOPS. The kernel's verifier inlines this call
	 * and its inlined code sets -E2BIG with a 32-bit move: the program
	 * sees 0xfffffff9, not -7 as from the helper itself. Compared as
	 * an int, both are -E2BIG. */
	EXPECT((int)bpf_loop((1 << 23) + 1, loop_cb, &w, 0), -E2BIG);
	EXPECT(w.calls, 0);
	return XDP_PASS;
}

/* for_each callbacks: (map, key, value, ctx). */
static long sum_cb(void *map, __u32 *key, __u64 *val, struct walk *w)
{
	w->calls++;
	w->sum += *val;
	w->keys += *key;
	return *key == w->stop_at;
}

static long double_cb(void *map, __u32 *key, __u64 *val, struct walk *w)
{
	*val *= 2;
	w->calls++;
	return 0;
}

static long del_even_cb(void *map, __u32 *key, __u64 *val, struct walk *w)
{
	w->calls++;
	w->sum += *val;
	if (!(*key & 1))
		bpf_map_delete_elem(map, key);
	return 0;
}

SEC("xdp")
int iter_array(struct xdp_md *ctx)
{
	struct walk w = { .stop_at = ~0ULL };
	__u32 cpu = bpf_get_smp_processor_id();
	__u64 *p;

	for (__u32 i = 0; i < 8; i++) {
		__u32 k = i;
		__u64 v = i * i;

		bpf_map_update_elem(&arr, &k, &v, BPF_ANY);
	}
	/* Every element, in index order. */
	EXPECT(bpf_for_each_map_elem(&arr, sum_cb, &w, 0), 8);
	EXPECT(w.calls, 8);
	EXPECT(w.sum, 140);
	EXPECT(w.keys, 28);
	w = (struct walk){ .stop_at = 3 };
	EXPECT(bpf_for_each_map_elem(&arr, sum_cb, &w, 0), 4);
	EXPECT(w.sum, 14);
	EXPECT(bpf_for_each_map_elem(&arr, sum_cb, &w, 1), -EINVAL);
	/* Values are writable from the callback. */
	w.calls = 0;
	EXPECT(bpf_for_each_map_elem(&arr, double_cb, &w, 0), 8);
	w = (struct walk){ .stop_at = ~0ULL };
	bpf_for_each_map_elem(&arr, sum_cb, &w, 0);
	EXPECT(w.sum, 280);

	/* Per-CPU: this CPU's values. */
	for (__u32 i = 0; i < 3; i++) {
		__u32 k = i;

		p = bpf_map_lookup_elem(&parr, &k);
		if (p)
			*p = 100 + i;
		p = bpf_map_lookup_percpu_elem(&parr, &k, cpu);
		EXPECT(p != NULL && *p == 100 + i, 1);
	}
	w = (struct walk){ .stop_at = ~0ULL };
	EXPECT(bpf_for_each_map_elem(&parr, sum_cb, &w, 0), 3);
	EXPECT(w.sum, 303);
	return XDP_PASS;
}

SEC("xdp")
int iter_hash(struct xdp_md *ctx)
{
	struct walk w = { .stop_at = ~0ULL };
	long n;

	EXPECT(bpf_for_each_map_elem(&hash, sum_cb, &w, 0), 0);
	for (__u32 i = 1; i <= 10; i++) {
		__u32 k = i;
		__u64 v = i * 100;

		bpf_map_update_elem(&hash, &k, &v, BPF_ANY);
	}
	EXPECT(bpf_for_each_map_elem(&hash, sum_cb, &w, 0), 10);
	EXPECT(w.sum, 5500);
	EXPECT(w.keys, 55);
	/* Stop at key 7: somewhere in the walk, counted. */
	w = (struct walk){ .stop_at = 7 };
	n = bpf_for_each_map_elem(&hash, sum_cb, &w, 0);
	EXPECT(n == w.calls, 1);
	EXPECT(n >= 1 && n <= 10, 1);
	NOTE(n); /* depends on the hash order */
	/* Delete the even keys while walking. */
	w = (struct walk){};
	EXPECT(bpf_for_each_map_elem(&hash, del_even_cb, &w, 0), 10);
	EXPECT(w.sum, 5500);
	w = (struct walk){ .stop_at = ~0ULL };
	EXPECT(bpf_for_each_map_elem(&hash, sum_cb, &w, 0), 5);
	EXPECT(w.keys, 25);
	EXPECT(w.sum, 2500);
	return XDP_PASS;
}

/* The other hash kinds: LRU (a walk is no use) and per-CPU (this CPU's
 * values). */
SEC("xdp")
int iter_hash_kinds(struct xdp_md *ctx)
{
	struct walk w = { .stop_at = ~0ULL };
	__u32 cpu = bpf_get_smp_processor_id(), other = cpu ? 0 : 1;
	__u64 *p;

	for (__u32 i = 1; i <= 4; i++) {
		__u32 k = i;
		__u64 v = i;

		bpf_map_update_elem(&lru, &k, &v, BPF_NOEXIST);
		bpf_map_update_elem(&phash, &k, &v, BPF_NOEXIST);
	}
	EXPECT(bpf_for_each_map_elem(&lru, sum_cb, &w, 0), 4);
	EXPECT(w.sum, 10);
	w = (struct walk){ .stop_at = ~0ULL };
	EXPECT(bpf_for_each_map_elem(&lru, double_cb, &w, 0), 4);
	w = (struct walk){ .stop_at = ~0ULL };
	EXPECT(bpf_for_each_map_elem(&phash, double_cb, &w, 0), 4);
	EXPECT(bpf_for_each_map_elem(&phash, sum_cb, &w, 0), 4);
	EXPECT(w.sum, 20);
	/* The callback doubled this CPU's values only. */
	__u32 k3 = 3;
	p = bpf_map_lookup_percpu_elem(&phash, &k3, other);
	EXPECT(p != NULL && *p == 0, 1);
	p = bpf_map_lookup_elem(&lru, &k3);
	EXPECT(p != NULL && *p == 6, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
