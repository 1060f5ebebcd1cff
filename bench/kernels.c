/* SPDX-License-Identifier: MIT */
/*
 * The benchmark kernels, written once. Compiled natively (gcc -O2) into
 * bpfvm-bench and with clang -O2 -target bpf, where each kernel lands in
 * its own section bench_NAME that llvm-objcopy cuts out as raw bytecode.
 *
 * Raw bytecode has no relocations, so: no global data, no string
 * literals, no calls except to always-inline helpers. Each kernel checks
 * every access against len (bpfvm would stop it otherwise, and the native
 * build must not read past the buffer either). Multi-byte loads go
 * through plain pointers at aligned offsets, as BPF programs read packet
 * headers; see kernels.h for the layouts.
 */
#include <stddef.h>
#include <stdint.h>

#include "kernels.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the kernels assume a little-endian host and BPF target"
#endif

#ifdef __bpf__
#define KERNEL(name)                                                           \
	__attribute__((section("bench_" #name), used)) uint64_t name(          \
		uint8_t *mem, uint64_t len)
#else
#define KERNEL(name) uint64_t name(uint8_t *mem, uint64_t len)
#endif

#define INLINE static inline __attribute__((always_inline))

/* Loads at offsets the caller knows are aligned. */
INLINE uint16_t ld16(const uint8_t *p)
{
	return *(const uint16_t *)p;
}

INLINE uint32_t ld32(const uint8_t *p)
{
	return *(const uint32_t *)p;
}

INLINE uint16_t ntohs16(uint16_t v)
{
	return __builtin_bswap16(v);
}

INLINE uint32_t rol32(uint32_t word, unsigned int shift)
{
	return (word << (shift & 31)) | (word >> ((-shift) & 31));
}

/*
 * Bob Jenkins' lookup3, as the Linux kernel's include/linux/jhash.h.
 */
#define JHASH_INITVAL 0xdeadbeef

#define jhash_mix(a, b, c)                                                     \
	{                                                                      \
		a -= c;                                                        \
		a ^= rol32(c, 4);                                              \
		c += b;                                                        \
		b -= a;                                                        \
		b ^= rol32(a, 6);                                              \
		a += c;                                                        \
		c -= b;                                                        \
		c ^= rol32(b, 8);                                              \
		b += a;                                                        \
		a -= c;                                                        \
		a ^= rol32(c, 16);                                             \
		c += b;                                                        \
		b -= a;                                                        \
		b ^= rol32(a, 19);                                             \
		a += c;                                                        \
		c -= b;                                                        \
		c ^= rol32(b, 4);                                              \
		b += a;                                                        \
	}

#define jhash_final(a, b, c)                                                   \
	{                                                                      \
		c ^= b;                                                        \
		c -= rol32(b, 14);                                             \
		a ^= c;                                                        \
		a -= rol32(c, 11);                                             \
		b ^= a;                                                        \
		b -= rol32(a, 25);                                             \
		c ^= b;                                                        \
		c -= rol32(b, 16);                                             \
		a ^= c;                                                        \
		a -= rol32(c, 4);                                              \
		b ^= a;                                                        \
		b -= rol32(a, 14);                                             \
		c ^= b;                                                        \
		c -= rol32(b, 24);                                             \
	}

/* jhash(key, length, initval); key 4-byte aligned (the kernel reads it
 * with __get_unaligned_cpu32, a plain load on x86). */
INLINE uint32_t jhash_impl(const uint8_t *k, uint32_t length, uint32_t initval)
{
	uint32_t a, b, c;

	a = b = c = JHASH_INITVAL + length + initval;
	while (length > 12) {
		a += ld32(k);
		b += ld32(k + 4);
		c += ld32(k + 8);
		jhash_mix(a, b, c);
		length -= 12;
		k += 12;
	}
	switch (length) {
	case 12:
		c += (uint32_t)k[11] << 24;
		/* fallthrough */
	case 11:
		c += (uint32_t)k[10] << 16;
		/* fallthrough */
	case 10:
		c += (uint32_t)k[9] << 8;
		/* fallthrough */
	case 9:
		c += k[8];
		/* fallthrough */
	case 8:
		b += (uint32_t)k[7] << 24;
		/* fallthrough */
	case 7:
		b += (uint32_t)k[6] << 16;
		/* fallthrough */
	case 6:
		b += (uint32_t)k[5] << 8;
		/* fallthrough */
	case 5:
		b += k[4];
		/* fallthrough */
	case 4:
		a += (uint32_t)k[3] << 24;
		/* fallthrough */
	case 3:
		a += (uint32_t)k[2] << 16;
		/* fallthrough */
	case 2:
		a += (uint32_t)k[1] << 8;
		/* fallthrough */
	case 1:
		a += k[0];
		jhash_final(a, b, c);
		break;
	case 0:
		break;
	}
	return c;
}

INLINE uint32_t jhash_3words(uint32_t a, uint32_t b, uint32_t c,
			     uint32_t initval)
{
	initval += JHASH_INITVAL + (3 << 2);
	a += initval;
	b += initval;
	c += initval;
	jhash_final(a, b, c);
	return c;
}

/* loop_sum: the u32 values after the header, as many as it says and the
 * buffer holds. */
KERNEL(loop_sum)
{
	const uint8_t *p = mem + 8;
	uint64_t n, max, sum = 0;

	if (len < 8)
		return 0;
	n = ld32(mem);
	max = (len - 8) / 4;
	if (n > max)
		n = max;
	for (uint64_t i = 0; i < n; i++)
		sum += ld32(p + 4 * i);
	return sum;
}

/* fibonacci: iterative, fib(0) = 0, mod 2^64. */
KERNEL(fibonacci)
{
	uint64_t a = 0, b = 1, n;

	if (len < 4)
		return 0;
	n = ld32(mem);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t = a + b;
		a = b;
		b = t;
	}
	return a;
}

/* collatz: steps to reach 1 from each start, summed; at most 1 << 16
 * steps a start (no start below 2^32 needs 1200). */
KERNEL(collatz)
{
	uint64_t first, count, total = 0;

	if (len < 8)
		return 0;
	first = ld32(mem);
	count = ld32(mem + 4);
	for (uint64_t s = first; s < first + count; s++) {
		uint64_t n = s;
		uint32_t steps = 0;

		while (n > 1 && steps < (1u << 16)) {
			n = (n & 1) ? 3 * n + 1 : n >> 1;
			steps++;
		}
		total += steps;
	}
	return total;
}

/* fnv1a: 64-bit FNV-1a over the buffer. */
KERNEL(fnv1a)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (uint64_t i = 0; i < len; i++) {
		h ^= mem[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* jhash: the kernel's jhash over the buffer (at most 4 GiB of it). */
KERNEL(jhash)
{
	uint32_t length = len > 0xffffffffu ? 0xffffffffu : (uint32_t)len;

	return jhash_impl(mem, length, 0x5eed);
}

/* byte_search: the first occurrence of a 4-byte pattern, naively. */
KERNEL(byte_search)
{
	const uint8_t *h = mem + 8;
	uint8_t p0, p1, p2, p3;
	uint64_t n;

	if (len < 12)
		return ~0ull;
	p0 = mem[0];
	p1 = mem[1];
	p2 = mem[2];
	p3 = mem[3];
	n = len - 8;
	for (uint64_t i = 0; i + 4 <= n; i++) {
		if (h[i] != p0)
			continue;
		if (h[i + 1] == p1 && h[i + 2] == p2 && h[i + 3] == p3)
			return i;
	}
	return ~0ull;
}

/*
 * Packet headers, as they sit in the frame (big-endian fields).
 */
#define ETH_HLEN     14
#define ETH_P_IP     0x0800
#define IPPROTO_TCP_ 6
#define IP_MF	     0x2000
#define IP_OFFMASK   0x1fff
#define TCP_FIN	     0x01
#define TCP_SYN	     0x02
#define TCP_RST	     0x04

struct ip4_hdr {
	uint8_t ver_ihl;
	uint8_t tos;
	uint16_t tot_len;
	uint16_t id;
	uint16_t frag_off;
	uint8_t ttl;
	uint8_t protocol;
	uint16_t check;
	uint32_t saddr;
	uint32_t daddr;
};

struct tcp_hdr {
	uint16_t source;
	uint16_t dest;
	uint32_t seq;
	uint32_t ack_seq;
	uint8_t doff_res;
	uint8_t flags;
	uint16_t window;
	uint16_t check;
	uint16_t urg_ptr;
};

/* Ones' complement sum folded to 16 bits. */
INLINE uint16_t csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * The Ethernet and IPv4 checks both packet kernels share: on success the
 * IPv4 header's offset and length in *ip_off and *ihl_bytes and 0, else a
 * small non-zero reason.
 */
INLINE uint64_t parse_eth_ip4(const uint8_t *pkt, uint64_t plen,
			      uint64_t *ip_off, uint64_t *ihl_bytes)
{
	const struct ip4_hdr *ip;
	uint64_t ihl, tot;

	if (plen < ETH_HLEN + sizeof(struct ip4_hdr))
		return 1;
	if (ntohs16(ld16(pkt + 12)) != ETH_P_IP)
		return 2;
	ip = (const struct ip4_hdr *)(pkt + ETH_HLEN);
	if ((ip->ver_ihl >> 4) != 4)
		return 3;
	ihl = (uint64_t)(ip->ver_ihl & 0xf) * 4;
	tot = ntohs16(ip->tot_len);
	if (ihl < sizeof(struct ip4_hdr) || tot < ihl || tot > plen - ETH_HLEN)
		return 4;
	if (ntohs16(ip->frag_off) & (IP_MF | IP_OFFMASK))
		return 5;
	if (ip->protocol != IPPROTO_TCP_)
		return 6;
	*ip_off = ETH_HLEN;
	*ihl_bytes = ihl;
	return 0;
}

/*
 * ipv4_tcp_parse: what an XDP or tc program does before it looks a flow
 * up: Ethernet type, IPv4 sanity (version, IHL, total length, no
 * fragments, protocol), the IPv4 header checksum, TCP header bounds and
 * flags, the TCP options (MSS, window scale). Returns a hash of the
 * fields with the MSS and flags, or a small reason the packet is refused.
 */
KERNEL(ipv4_tcp_parse)
{
	const uint8_t *pkt = mem + BENCH_PKT_PAD;
	const struct ip4_hdr *ip;
	const struct tcp_hdr *tcp;
	uint64_t plen, ip_off, ihl, tot, doff, opt, end, sum = 0, ret;
	uint32_t mss = 0, wscale = 0xff, hash;
	uint8_t flags;

	if (len < BENCH_PKT_PAD)
		return 1;
	plen = len - BENCH_PKT_PAD;
	ret = parse_eth_ip4(pkt, plen, &ip_off, &ihl);
	if (ret)
		return ret;
	ip = (const struct ip4_hdr *)(pkt + ip_off);
	tot = ntohs16(ip->tot_len);
	for (uint64_t i = 0; i < ihl; i += 2)
		sum += ld16(pkt + ip_off + i);
	if (csum_fold(sum) != 0xffff)
		return 7;

	if (tot < ihl + sizeof(struct tcp_hdr))
		return 8;
	tcp = (const struct tcp_hdr *)(pkt + ip_off + ihl);
	doff = (uint64_t)(tcp->doff_res >> 4) * 4;
	if (doff < sizeof(struct tcp_hdr) || doff > tot - ihl)
		return 9;
	flags = tcp->flags;
	if ((flags & (TCP_SYN | TCP_FIN)) == (TCP_SYN | TCP_FIN) ||
	    (flags & (TCP_SYN | TCP_RST)) == (TCP_SYN | TCP_RST) || !flags)
		return 10;
	if (!tcp->source || !tcp->dest)
		return 11;

	/* Options: kind 0 ends, 1 pads, others carry a length. */
	opt = ip_off + ihl + sizeof(struct tcp_hdr);
	end = ip_off + ihl + doff;
	for (int n = 0; n < 40 && opt < end; n++) {
		uint8_t kind = pkt[opt], olen;

		if (kind == 0)
			break;
		if (kind == 1) {
			opt++;
			continue;
		}
		if (opt + 1 >= end)
			return 12;
		olen = pkt[opt + 1];
		if (olen < 2 || olen > end - opt)
			return 12;
		if (kind == 2 && olen == 4)
			mss = (uint32_t)pkt[opt + 2] << 8 | pkt[opt + 3];
		else if (kind == 3 && olen == 3)
			wscale = pkt[opt + 2];
		opt += olen;
	}

	hash = jhash_3words(ip->saddr, ip->daddr,
			    (uint32_t)tcp->source << 16 | tcp->dest,
			    ip->protocol);
	return (uint64_t)hash << 32 | (uint64_t)wscale << 24 |
	       (uint64_t)flags << 16 | mss;
}

/*
 * tcp_csum: verify the TCP checksum of an IPv4 packet (pseudo-header,
 * header and payload), as a program must without checksum offload.
 * Returns the TCP length and the folded complement (0 when it is right),
 * or a small reason the packet is refused.
 */
KERNEL(tcp_csum)
{
	const uint8_t *pkt = mem + BENCH_PKT_PAD;
	const struct ip4_hdr *ip;
	const uint8_t *seg;
	uint64_t plen, ip_off, ihl, tlen, sum, ret, i;

	if (len < BENCH_PKT_PAD)
		return 1;
	plen = len - BENCH_PKT_PAD;
	ret = parse_eth_ip4(pkt, plen, &ip_off, &ihl);
	if (ret)
		return ret;
	ip = (const struct ip4_hdr *)(pkt + ip_off);
	tlen = ntohs16(ip->tot_len) - ihl;
	if (tlen < sizeof(struct tcp_hdr))
		return 8;
	seg = pkt + ip_off + ihl;

	/* Summing host-order words gives the byte-swapped sum (RFC 1071
	 * 2(B)), so the pseudo-header's numbers go in swapped too. */
	sum = (uint64_t)(ip->saddr & 0xffff) + (ip->saddr >> 16) +
	      (ip->daddr & 0xffff) + (ip->daddr >> 16) + ntohs16(IPPROTO_TCP_) +
	      ntohs16((uint16_t)tlen);
	for (i = 0; i + 2 <= tlen; i += 2)
		sum += ld16(seg + i);
	if (tlen & 1)
		sum += seg[tlen - 1];
	return tlen << 16 | (uint16_t)~csum_fold(sum);
}

/* The hash flow_lookup buckets a key by. */
INLINE uint32_t flow_hash(const struct flow_key *k)
{
	return jhash_3words(k->saddr, k->daddr,
			    (uint32_t)k->sport << 16 | k->dport,
			    0x5eed ^ k->proto);
}

#ifndef __bpf__
uint32_t bench_flow_hash(const struct flow_key *key)
{
	return flow_hash(key);
}
#endif

/*
 * flow_lookup: look each query up in an open-addressed hash table (linear
 * probing, empty slots have proto 0), as a load balancer or connection
 * tracker does with its flow table. Returns the sum of the values found
 * with the number of hits in the top 16 bits.
 */
KERNEL(flow_lookup)
{
	const struct flow_hdr *h = (const struct flow_hdr *)mem;
	const struct flow_key *queries;
	const struct flow_entry *table;
	uint64_t nq, nb, qo, to, hits = 0, sum = 0;

	if (len < sizeof(*h))
		return 0;
	nq = h->nqueries;
	nb = h->nbuckets;
	qo = h->queries_off;
	to = h->table_off;
	if (!nb || (nb & (nb - 1)) || ((qo | to) & 7) || qo > len ||
	    (len - qo) / sizeof(*queries) < nq || to > len ||
	    (len - to) / sizeof(*table) < nb)
		return 0;
	queries = (const struct flow_key *)(mem + qo);
	table = (const struct flow_entry *)(mem + to);

	for (uint64_t i = 0; i < nq; i++) {
		const struct flow_key *q = &queries[i];
		uint64_t b = flow_hash(q);

		for (int probe = 0; probe < FLOW_MAX_PROBES; probe++) {
			const struct flow_key *e = &table[b & (nb - 1)].key;

			if (!e->proto)
				break;
			if (e->saddr == q->saddr && e->daddr == q->daddr &&
			    e->sport == q->sport && e->dport == q->dport &&
			    e->proto == q->proto) {
				hits++;
				sum += table[b & (nb - 1)].value;
				break;
			}
			b++;
		}
	}
	return hits << 48 | (sum & 0xffffffffffffull);
}
