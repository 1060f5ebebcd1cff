// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * DEVMAP and DEVMAP_HASH with bpf_redirect_map, and bpf_redirect
 * (net/core/filter.c): XDP_REDIRECT when the key has a device; else the
 * low two bits of flags are the action; unknown flags abort. The host
 * puts ifindex 1 (lo, which exists everywhere) at devmap[1] and
 * devhash[7]. XDP, run in the kernel too.
 */
#include "expect.h"

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} devmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} devhash SEC(".maps");

SEC("xdp")
int redir_dev(struct xdp_md *ctx)
{
	__u32 k1 = 1, k2 = 2;
	struct bpf_devmap_val *v = bpf_map_lookup_elem(&devmap, &k1);

	EXPECT(v != NULL, 1);
	if (v)
		EXPECT(v->ifindex, 1);
	EXPECT(bpf_map_lookup_elem(&devmap, &k2) == NULL, 1);
	return bpf_redirect_map(&devmap, 1, 0);
}

SEC("xdp")
int redir_hash(struct xdp_md *ctx)
{
	__u32 k7 = 7;
	struct bpf_devmap_val *v = bpf_map_lookup_elem(&devhash, &k7);

	EXPECT(v != NULL, 1);
	if (v)
		EXPECT(v->ifindex, 1);
	return bpf_redirect_map(&devhash, 7, 0);
}

/* Keys without a device: the flags' action. */
SEC("xdp")
int redir_miss(struct xdp_md *ctx)
{
	EXPECT(bpf_redirect_map(&devmap, 2, XDP_PASS), XDP_PASS);
	EXPECT(bpf_redirect_map(&devmap, 2, XDP_DROP), XDP_DROP);
	EXPECT(bpf_redirect_map(&devmap, 2, 0), XDP_ABORTED);
	EXPECT(bpf_redirect_map(&devmap, 100, XDP_TX), XDP_TX);
	EXPECT(bpf_redirect_map(&devhash, 8, XDP_PASS), XDP_PASS);
	EXPECT(bpf_redirect_map(&devmap, 1, 0x20), XDP_ABORTED);
	/* BPF_F_EXCLUDE_INGRESS alone changes nothing; BPF_F_BROADCAST
	 * redirects to the whole map, whatever the key. */
	EXPECT(bpf_redirect_map(&devmap, 2, BPF_F_EXCLUDE_INGRESS | XDP_PASS),
	       XDP_PASS);
	EXPECT(bpf_redirect_map(&devmap, 2, BPF_F_BROADCAST), XDP_REDIRECT);
	EXPECT(bpf_redirect_map(&devmap, 0,
				BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS),
	       XDP_REDIRECT);
	return bpf_redirect_map(&devhash, 1, XDP_DROP);
}

/* devmap[1], or XDP_PASS when the host took it out. */
SEC("xdp")
int redir_plain(struct xdp_md *ctx)
{
	return bpf_redirect_map(&devmap, 1, XDP_PASS);
}

SEC("xdp")
int redir_ifindex(struct xdp_md *ctx)
{
	EXPECT(bpf_redirect(1, 1), XDP_ABORTED);
	return bpf_redirect(1, 0);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
