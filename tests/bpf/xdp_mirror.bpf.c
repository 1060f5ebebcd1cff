// SPDX-License-Identifier: (MIT OR GPL-2.0)
/* Answer IPv4 pings in place: swap MACs and addresses, turn the echo
 * request into a reply with an incrementally updated checksum, XDP_TX.
 * Everything else passes. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* linux/icmp.h pulls in libc headers; the two fields needed here: */
struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 rest;
};
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8

SEC("xdp")
int xdp_mirror(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct icmphdr *icmp;
	__u8 mac[ETH_ALEN];
	__u32 addr;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->ihl != 5 || ip->protocol != IPPROTO_ICMP)
		return XDP_PASS;
	icmp = (void *)(ip + 1);
	if ((void *)(icmp + 1) > data_end || icmp->type != ICMP_ECHO)
		return XDP_PASS;
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	icmp->type = ICMP_ECHOREPLY;
	/* RFC 1624: the type byte went from 8 to 0 in the high half. */
	__u32 sum = (__u16)~icmp->checksum + (__u16)~bpf_htons(ICMP_ECHO << 8) +
		    bpf_htons(ICMP_ECHOREPLY << 8);
	sum = (sum & 0xffff) + (sum >> 16);
	icmp->checksum = ~((sum & 0xffff) + (sum >> 16));
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
