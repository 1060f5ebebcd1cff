// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * DDoS mitigation at XDP: drop sources in a CIDR blocklist (IPv4 and IPv6
 * LPM tries), rate-limit TCP SYNs and UDP per source with token buckets
 * (an LRU hash, so a spoofed flood cannot exhaust it), pass the rest.
 * Per-action and per-reason counters live in per-CPU arrays; the sources
 * dropped most are counted for a top-talkers view.
 *
 * Configuration (ddos.conf) fills blocklist_v4/_v6 and config[0].
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "ddos.h"

#define NSEC_PER_SEC 1000000000ull
#define MAX_VLAN_TAGS 2
#define MAX_IPV6_EXT 4

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct lpm_v4);
	__type(value, __u32);
} blocklist_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct lpm_v6);
	__type(value, __u32);
} blocklist_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct bucket_key);
	__type(value, struct bucket);
} buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ddos_config);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_REDIRECT + 1);
	__type(key, __u32);
	__type(value, struct counter);
} stats_action SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, REASON_MAX);
	__type(key, __u32);
	__type(value, struct counter);
} stats_reason SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct source);
	__type(value, __u64);
} dropped_sources SEC(".maps");

static __always_inline void count(void *map, __u32 index, __u64 bytes)
{
	struct counter *c = bpf_map_lookup_elem(map, &index);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline int verdict(int action, __u32 reason, __u64 bytes,
				   const struct source *src)
{
	count(&stats_action, action, bytes);
	count(&stats_reason, reason, bytes);
	if (action == XDP_DROP && src) {
		__u64 one = 1, *n = bpf_map_lookup_elem(&dropped_sources, src);
		if (n)
			__sync_fetch_and_add(n, 1);
		else
			bpf_map_update_elem(&dropped_sources, src, &one,
					    BPF_NOEXIST);
	}
	return action;
}

/* Take one token from the source's bucket; false when it is empty. */
static __always_inline int allow(const struct source *src, __u32 class,
				 __u64 rate, __u64 burst)
{
	struct bucket_key key = { .class = class };
	struct bucket *b, fresh;
	__u64 now = bpf_ktime_get_ns(), cap, elapsed;

	if (rate == 0)
		return 1; /* no limit configured */
	__builtin_memcpy(&key.src, src, sizeof(*src));
	cap = burst * NSEC_PER_SEC;
	b = bpf_map_lookup_elem(&buckets, &key);
	if (!b) {
		fresh.tokens = cap - NSEC_PER_SEC; /* a full bucket, minus this */
		fresh.last_ns = now;
		bpf_map_update_elem(&buckets, &key, &fresh, BPF_ANY);
		return burst > 0;
	}
	elapsed = now - b->last_ns;
	if (elapsed > cap / rate) /* refill at most to the cap */
		elapsed = cap / rate;
	b->tokens += elapsed * rate;
	if (b->tokens > cap)
		b->tokens = cap;
	b->last_ns = now;
	if (b->tokens < NSEC_PER_SEC)
		return 0;
	b->tokens -= NSEC_PER_SEC;
	return 1;
}

static __always_inline int limit_l4(void *l4, void *data_end, __u8 proto,
				    const struct source *src, __u64 bytes,
				    const struct ddos_config *cfg)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;
		if ((void *)(tcp + 1) > data_end)
			return verdict(XDP_DROP, REASON_MALFORMED, bytes, NULL);
		if (tcp->syn && !tcp->ack &&
		    !allow(src, CLASS_SYN, cfg->syn_rate, cfg->syn_burst))
			return verdict(XDP_DROP, REASON_SYN_RATE, bytes, src);
	} else if (proto == IPPROTO_UDP) {
		struct udphdr *udp = l4;
		if ((void *)(udp + 1) > data_end)
			return verdict(XDP_DROP, REASON_MALFORMED, bytes, NULL);
		if (!allow(src, CLASS_UDP, cfg->udp_rate, cfg->udp_burst))
			return verdict(XDP_DROP, REASON_UDP_RATE, bytes, src);
	}
	return verdict(XDP_PASS, REASON_PASS, bytes, NULL);
}

static __always_inline int handle_ipv4(struct iphdr *ip, void *data_end,
				       __u64 bytes,
				       const struct ddos_config *cfg)
{
	struct lpm_v4 key = { .prefixlen = 32 };
	struct source src = { .addr = { [10] = 0xff, [11] = 0xff } };

	if ((void *)(ip + 1) > data_end || ip->ihl < 5)
		return verdict(XDP_DROP, REASON_MALFORMED, bytes, NULL);
	__builtin_memcpy(key.addr, &ip->saddr, 4);
	__builtin_memcpy(&src.addr[12], &ip->saddr, 4);
	if (bpf_map_lookup_elem(&blocklist_v4, &key))
		return verdict(XDP_DROP, REASON_BLOCKLIST_V4, bytes, &src);
	/* Later fragments carry no transport header. */
	if (ip->frag_off & bpf_htons(0x1fff))
		return verdict(XDP_PASS, REASON_PASS, bytes, NULL);
	return limit_l4((void *)ip + ip->ihl * 4, data_end, ip->protocol, &src,
			bytes, cfg);
}

static __always_inline int ipv6_ext(__u8 nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	       nexthdr == IPPROTO_DSTOPTS;
}

static __always_inline int handle_ipv6(struct ipv6hdr *ip6, void *data_end,
				       __u64 bytes,
				       const struct ddos_config *cfg)
{
	struct lpm_v6 key = { .prefixlen = 128 };
	struct source src;
	void *l4 = ip6 + 1;
	__u8 nexthdr;

	if ((void *)(ip6 + 1) > data_end)
		return verdict(XDP_DROP, REASON_MALFORMED, bytes, NULL);
	__builtin_memcpy(key.addr, &ip6->saddr, 16);
	__builtin_memcpy(src.addr, &ip6->saddr, 16);
	if (bpf_map_lookup_elem(&blocklist_v6, &key))
		return verdict(XDP_DROP, REASON_BLOCKLIST_V6, bytes, &src);
	nexthdr = ip6->nexthdr;
#pragma unroll
	for (int i = 0; i < MAX_IPV6_EXT; i++) {
		__u8 *ext = l4;
		if (!ipv6_ext(nexthdr))
			break;
		if ((void *)(ext + 2) > data_end)
			return verdict(XDP_DROP, REASON_MALFORMED, bytes, NULL);
		nexthdr = ext[0];
		l4 += (ext[1] + 1) * 8;
	}
	if (nexthdr == IPPROTO_FRAGMENT)
		return verdict(XDP_PASS, REASON_PASS, bytes, NULL);
	return limit_l4(l4, data_end, nexthdr, &src, bytes, cfg);
}

SEC("xdp")
int ddos(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u64 bytes = data_end - data;
	__u32 zero = 0;
	struct ddos_config *cfg = bpf_map_lookup_elem(&config, &zero);
	void *l3;
	__u16 proto;

	if (!cfg)
		return XDP_ABORTED;
	if ((void *)(eth + 1) > data_end)
		return verdict(XDP_DROP, REASON_MALFORMED, bytes, NULL);
	proto = eth->h_proto;
	l3 = eth + 1;
#pragma unroll
	for (int i = 0; i < MAX_VLAN_TAGS; i++) {
		struct vlan_hdr *vlan = l3;
		if (proto != bpf_htons(ETH_P_8021Q) &&
		    proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vlan + 1) > data_end)
			return verdict(XDP_DROP, REASON_MALFORMED, bytes, NULL);
		proto = vlan->proto;
		l3 = vlan + 1;
	}
	if (proto == bpf_htons(ETH_P_IP))
		return handle_ipv4(l3, data_end, bytes, cfg);
	if (proto == bpf_htons(ETH_P_IPV6))
		return handle_ipv6(l3, data_end, bytes, cfg);
	return verdict(XDP_PASS, REASON_PASS, bytes, NULL);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
