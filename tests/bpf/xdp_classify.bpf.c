// SPDX-License-Identifier: (MIT OR GPL-2.0)
/* Walk Ethernet, VLAN, IPv4/IPv6 (with extension headers, via bpf_loop)
 * and TCP/UDP; count per protocol in a hash and per action in a per-CPU
 * array; drop TCP to port 23 and UDP to port 19, pass the rest. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} protocols SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, __u64);
} actions SEC(".maps");

struct walk {
	void *data_end;
	__u8 *cur;
	__u8 nexthdr;
	__u8 done;
};

static long ext_step(__u64 i, struct walk *w)
{
	__u8 *p = w->cur;

	if (w->nexthdr != IPPROTO_HOPOPTS && w->nexthdr != IPPROTO_ROUTING &&
	    w->nexthdr != IPPROTO_DSTOPTS)
		return 1;
	if ((void *)(p + 2) > w->data_end) {
		w->done = 1;
		return 1;
	}
	w->nexthdr = p[0];
	w->cur = p + (p[1] + 1) * 8;
	return 0;
}

static __always_inline int finish(int action, __u32 proto)
{
	__u64 one = 1, *n = bpf_map_lookup_elem(&protocols, &proto);
	__u32 key = action;

	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&protocols, &proto, &one, BPF_NOEXIST);
	n = bpf_map_lookup_elem(&actions, &key);
	if (n)
		(*n)++;
	return action;
}

SEC("xdp")
int xdp_classify(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 *l3, *l4, proto;
	__u16 type;

	if ((void *)(eth + 1) > data_end)
		return finish(XDP_DROP, 0xffff);
	type = eth->h_proto;
	l3 = (void *)(eth + 1);
	if (type == bpf_htons(ETH_P_8021Q)) {
		if ((void *)(l3 + 4) > data_end)
			return finish(XDP_DROP, 0xfffe);
		type = *(__u16 *)(l3 + 2);
		l3 += 4;
	}
	if (type == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)l3;
		if ((void *)(ip + 1) > data_end || ip->ihl < 5)
			return finish(XDP_DROP, 0x10000);
		proto = ip->protocol;
		l4 = l3 + ip->ihl * 4;
	} else if (type == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)l3;
		struct walk w = { .data_end = data_end };
		if ((void *)(ip6 + 1) > data_end)
			return finish(XDP_DROP, 0x10001);
		w.nexthdr = ip6->nexthdr;
		w.cur = (void *)(ip6 + 1);
		bpf_loop(8, ext_step, &w, 0);
		if (w.done)
			return finish(XDP_DROP, 0x10002);
		proto = w.nexthdr;
		l4 = w.cur;
	} else {
		return finish(XDP_PASS, 0x20000 | bpf_ntohs(type));
	}
	if (proto == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)l4;
		if ((void *)(tcp + 1) > data_end)
			return finish(XDP_DROP, 0x10003);
		if (tcp->dest == bpf_htons(23))
			return finish(XDP_DROP, proto);
	} else if (proto == IPPROTO_UDP) {
		struct udphdr *udp = (void *)l4;
		if ((void *)(udp + 1) > data_end)
			return finish(XDP_DROP, 0x10004);
		if (udp->dest == bpf_htons(19))
			return finish(XDP_DROP, proto);
	}
	return finish(XDP_PASS, proto);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
