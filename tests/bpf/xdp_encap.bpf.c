// SPDX-License-Identifier: (MIT OR GPL-2.0)
/* Grow and shrink packets: IPv4 packets get an outer IPv4 header
 * (IP-in-IP, bpf_xdp_adjust_head), IPv6 ones lose 4 trailing bytes
 * (bpf_xdp_adjust_tail), the rest carry 8 bytes of metadata
 * (bpf_xdp_adjust_meta) whose sum becomes the action. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

static __always_inline __u16 ip_csum(struct iphdr *ip)
{
	__u32 sum = bpf_csum_diff(0, 0, (__be32 *)ip, sizeof(*ip), 0);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~((sum & 0xffff) + (sum >> 16));
}

static __always_inline int encap(struct xdp_md *ctx)
{
	struct ethhdr eth;
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *old = data;
	struct iphdr *inner = (void *)(old + 1), *outer;

	if ((void *)(inner + 1) > data_end)
		return XDP_PASS;
	__u16 len = bpf_ntohs(inner->tot_len);
	__builtin_memcpy(&eth, old, sizeof(eth));
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct iphdr)))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	struct ethhdr *neweth = data;
	outer = (void *)(neweth + 1);
	if ((void *)(outer + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(neweth, &eth, sizeof(eth));
	outer->version = 4;
	outer->ihl = 5;
	outer->tos = 0;
	outer->tot_len = bpf_htons(len + sizeof(*outer));
	outer->id = 0;
	outer->frag_off = 0;
	outer->ttl = 64;
	outer->protocol = IPPROTO_IPIP;
	outer->check = 0;
	outer->saddr = bpf_htonl(0xc0000201);
	outer->daddr = bpf_htonl(0xc0000202);
	outer->check = ip_csum(outer);
	return XDP_TX;
}

SEC("xdp")
int xdp_encap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return encap(ctx);
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		if (data_end - data < 64)
			return XDP_PASS;
		return bpf_xdp_adjust_tail(ctx, -4) ? XDP_ABORTED : XDP_PASS;
	}
	if (bpf_xdp_adjust_meta(ctx, -8))
		return XDP_ABORTED;
	__u32 *meta = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if ((void *)(meta + 2) > data)
		return XDP_ABORTED;
	meta[0] = 1;
	meta[1] = 1;
	return meta[0] + meta[1]; /* XDP_PASS */
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
