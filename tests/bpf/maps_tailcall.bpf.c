// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * PROG_ARRAY and bpf_tail_call: a tail call replaces the caller and does
 * not return; one that cannot be made (empty slot, index out of range,
 * the limit of 33 tail calls in a run reached) falls through to the next
 * instruction. tc_self tail-calls itself until the limit stops it: 34
 * runs. The kernel's slots are filled by libbpf from .values; bpfvm's
 * by the host, by program id. XDP, run in the kernel too.
 */
#include "expect.h"

int tc_self(struct xdp_md *ctx);
int tc_leaf(struct xdp_md *ctx);
int tc_leaf2(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} jmp SEC(".maps") = {
	.values = { [0] = (void *)&tc_self,
		    [1] = (void *)&tc_leaf,
		    [3] = (void *)&tc_leaf2 },
};

struct tc_state {
	__u32 self_runs;
	__u32 entry_runs;
	__u32 leaf_runs;
	__u32 fallthrough;
	__u32 sub_ret;
	__u32 sub_after;
} st;

/* A map only tc_sub uses. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sub_only SEC(".maps");

SEC("xdp")
int tc_self(struct xdp_md *ctx)
{
	st.self_runs++;
	bpf_tail_call(ctx, &jmp, 0);
	/* Only once the limit stops the chain: 1 + 33 runs. */
	EXPECT(st.self_runs, 34);
	return XDP_PASS;
}

SEC("xdp")
int tc_entry(struct xdp_md *ctx)
{
	st.entry_runs++;
	bpf_tail_call(ctx, &jmp, 1);
	st.fallthrough++;
	return XDP_ABORTED;
}

SEC("xdp")
int tc_leaf(struct xdp_md *ctx)
{
	st.leaf_runs++;
	EXPECT(st.entry_runs, st.leaf_runs);
	return XDP_TX;
}

/* Tail calls that cannot be made fall through. */
SEC("xdp")
int tc_missing(struct xdp_md *ctx)
{
	__u32 idx = 4;

	bpf_tail_call(ctx, &jmp, 2); /* empty slot */
	st.fallthrough++;
	bpf_tail_call(ctx, &jmp, idx); /* past max_entries */
	st.fallthrough++;
	bpf_tail_call(ctx, &jmp, 0xffffffff);
	st.fallthrough++;
	EXPECT(st.fallthrough, 3);
	return XDP_DROP;
}

SEC("xdp")
int tc_leaf2(struct xdp_md *ctx)
{
	return XDP_TX;
}

/* A tail call from a subprogram: the target replaces the subprogram,
 * and what it returns is the subprogram's return value in its caller,
 * which goes on (with its own maps). The fallthrough value is not a
 * constant, so that clang cannot assume it is what the call returns. */
static __noinline int sub_tail(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jmp, 3);
	return 100 + ctx->rx_queue_index;
}

SEC("xdp")
int tc_sub(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v;
	int r;

	r = sub_tail(ctx);
	st.sub_ret = r;
	v = bpf_map_lookup_elem(&sub_only, &k);
	if (v) {
		*v += 1;
		st.sub_after = *v;
	}
	EXPECT(r, XDP_TX);
	EXPECT(v != NULL, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
