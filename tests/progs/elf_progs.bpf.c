// SPDX-License-Identifier: MIT
/*
 * Programs of several types sharing subprograms: two programs in one
 * section, static and global functions in .text called from several
 * programs (one of them through another subprogram), a bpf_loop callback
 * whose address is taken with lddw, a BTF map, license and version.
 *
 * Every subprogram computes with a marker constant (MARK_*) so the test
 * can tell, in the linked program, which function a call reached.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MARK_DEEP  0x4004
#define MARK_ADD3  0x1001
#define MARK_SCALE 0x2002
#define MARK_CB	   0x3003

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Reached only through add3: a subprogram's own callee. */
static __noinline __u64 deep(__u64 x)
{
	return x * MARK_DEEP;
}

static __noinline __u64 add3(__u64 x)
{
	return deep(x) + MARK_ADD3;
}

/* Global: called through its own symbol, not .text's section symbol. */
__noinline __u64 scale(__u64 x)
{
	return x * MARK_SCALE;
}

static int loop_cb(__u32 index, void *ctx)
{
	__u64 *sum = ctx;

	*sum += (__u64)index * MARK_CB;
	return 0;
}

SEC("xdp")
int xdp_first(struct xdp_md *ctx)
{
	__u64 v = ctx->data_end - ctx->data;

	return (int)(add3(v) + scale(v));
}

SEC("xdp")
int xdp_second(struct xdp_md *ctx)
{
	__u64 sum = ctx->ingress_ifindex;

	bpf_loop(8, loop_cb, &sum, 0);
	return (int)add3(sum);
}

SEC("kprobe/__x64_sys_open")
int kprobe_open(void *ctx)
{
	__u32 key = 0;
	__u64 *c = bpf_map_lookup_elem(&counters, &key);

	if (c)
		__sync_fetch_and_add(c, 1);
	return 0;
}

SEC("tc")
int tc_scale(struct __sk_buff *skb)
{
	return (int)scale(skb->len);
}

SEC("socket")
int sock_len(struct __sk_buff *skb)
{
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
__u32 VERSION SEC("version") = 0x050a00;
