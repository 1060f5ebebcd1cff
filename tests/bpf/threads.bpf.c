// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * Counting from several threads at once (tests/unit/test_bpf_threads.c).
 * Each run adds 1 to counts[key] `iters` times: an atomic add on the
 * value a lookup gives, or, when the key is absent, an insert with
 * BPF_NOEXIST, which only one thread wins; the others see -EEXIST and add
 * to the winner's element. Each run also adds `iters` to its CPU's slot
 * of a per-CPU array. The same work from a raw memory program (syscall
 * type) and from an XDP program that finds its orders in the packet.
 */
#include "expect.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} per_cpu SEC(".maps");

/* The orders and what came of them. */
struct thr_io {
	__u32 key;
	__u32 iters;
	__u64 inserted; /* inserts won */
	__u64 raced;	/* inserts lost to another thread (-EEXIST) */
	__u64 lost;	/* increments that found no element: must stay 0 */
};

#define MAX_ITERS 256

static __always_inline void bump(struct thr_io *io)
{
	__u32 k = io->key, zero = 0;
	__u64 one = 1, *v;
	long rc;

	for (__u32 i = 0; i < MAX_ITERS && i < io->iters; i++) {
		v = bpf_map_lookup_elem(&counts, &k);
		if (v) {
			__sync_fetch_and_add(v, 1);
			continue;
		}
		rc = bpf_map_update_elem(&counts, &k, &one, BPF_NOEXIST);
		if (!rc) {
			io->inserted++;
			continue;
		}
		v = bpf_map_lookup_elem(&counts, &k);
		if (rc == -EEXIST && v) {
			io->raced++;
			__sync_fetch_and_add(v, 1);
		} else {
			io->lost++;
		}
	}
	v = bpf_map_lookup_elem(&per_cpu, &zero);
	if (v)
		*v += io->iters; /* this CPU's slot: no other thread's */
}

SEC("syscall")
int count_raw(struct thr_io *io)
{
	bump(io);
	return 0;
}

/* struct thr_io at the start of the packet, written back there. */
SEC("xdp")
int count_xdp(struct xdp_md *ctx)
{
	struct thr_io io;

	if (bpf_xdp_load_bytes(ctx, 0, &io, sizeof(io)))
		return XDP_ABORTED;
	bump(&io);
	if (bpf_xdp_store_bytes(ctx, 0, &io, sizeof(io)))
		return XDP_ABORTED;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
