/* SPDX-License-Identifier: MIT */
/*
 * trafficgen: a deterministic pcap of mixed traffic for the DDoS demo and
 * tests. Legitimate TCP, UDP and ICMP flows over IPv4 and IPv6 (some
 * VLAN-tagged), a SYN flood from a handful of bots, a UDP flood, and
 * traffic from blocklisted ranges, interleaved over a few seconds.
 *
 * usage: trafficgen OUT.pcap [--seed N] [--scale N]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct packet {
	uint64_t ts_us;
	uint16_t len;
	uint8_t data[256];
};

struct gen {
	uint64_t rng;
	struct packet *pkts;
	size_t n, cap;
};

/* xorshift64*: deterministic across machines. */
static uint32_t rnd(struct gen *g)
{
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return (uint32_t)((g->rng * 0x2545f4914f6cdd1dull) >> 32);
}

static struct packet *add(struct gen *g, uint64_t ts_us)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 4096;
		g->pkts = realloc(g->pkts, g->cap * sizeof(*g->pkts));
		if (!g->pkts) {
			perror("trafficgen");
			exit(1);
		}
	}
	struct packet *p = &g->pkts[g->n++];
	memset(p, 0, sizeof(*p));
	p->ts_us = ts_us;
	return p;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

enum { TCP = 6, UDP = 17, ICMP = 1, ICMP6 = 58 };
enum { SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01 };

struct flow {
	int v6;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint16_t vlan; /* 0: untagged */
};

/* Ethernet (+ VLAN) + IP header; returns the L4 offset. */
static size_t l2l3(struct packet *p, const struct flow *f, uint8_t proto,
		   size_t l4len)
{
	static const uint8_t dmac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	uint8_t *d = p->data;
	size_t off = 12;

	memcpy(d, dmac, 6);
	d[6] = 0x02;
	memcpy(d + 7, f->v6 ? &f->src[11] : &f->src[0], 5);
	if (f->vlan) {
		put16(d + off, 0x8100);
		put16(d + off + 2, f->vlan);
		off += 4;
	}
	put16(d + off, f->v6 ? 0x86dd : 0x0800);
	off += 2;
	if (f->v6) {
		d[off] = 0x60;
		put16(d + off + 4, (uint16_t)l4len);
		d[off + 6] = proto;
		d[off + 7] = 64;
		memcpy(d + off + 8, f->src, 16);
		memcpy(d + off + 24, f->dst, 16);
		return off + 40;
	}
	d[off] = 0x45;
	put16(d + off + 2, (uint16_t)(20 + l4len));
	d[off + 8] = 64;
	d[off + 9] = proto;
	memcpy(d + off + 12, f->src, 4);
	memcpy(d + off + 16, f->dst, 4);
	put16(d + off + 10, csum(d + off, 20));
	return off + 20;
}

static void tcp(struct gen *g, uint64_t ts, const struct flow *f,
		uint8_t flags, size_t payload)
{
	struct packet *p = add(g, ts);
	size_t l4 = l2l3(p, f, TCP, 20 + payload);
	uint8_t *t = p->data + l4;

	put16(t, f->sport);
	put16(t + 2, f->dport);
	t[12] = 5 << 4;
	t[13] = flags;
	put16(t + 14, 64240);
	for (size_t i = 0; i < payload; i++)
		t[20 + i] = (uint8_t)rnd(g);
	p->len = (uint16_t)(l4 + 20 + payload);
}

static void udp(struct gen *g, uint64_t ts, const struct flow *f,
		size_t payload)
{
	struct packet *p = add(g, ts);
	size_t l4 = l2l3(p, f, UDP, 8 + payload);
	uint8_t *u = p->data + l4;

	put16(u, f->sport);
	put16(u + 2, f->dport);
	put16(u + 4, (uint16_t)(8 + payload));
	for (size_t i = 0; i < payload; i++)
		u[8 + i] = (uint8_t)rnd(g);
	p->len = (uint16_t)(l4 + 8 + payload);
}

static void icmp(struct gen *g, uint64_t ts, const struct flow *f)
{
	struct packet *p = add(g, ts);
	size_t l4 = l2l3(p, f, f->v6 ? ICMP6 : ICMP, 16);
	uint8_t *c = p->data + l4;

	c[0] = f->v6 ? 128 : 8; /* echo request */
	put16(c + 4, f->sport);
	p->len = (uint16_t)(l4 + 16);
}

static void v4(uint8_t *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w)
{
	a[0] = x, a[1] = y, a[2] = z, a[3] = w;
}

static void v6(uint8_t *a, const char *prefix, uint16_t host)
{
	inet_pton(AF_INET6, prefix, a);
	a[14] = host >> 8;
	a[15] = host & 0xff;
}

#define SECOND 1000000ull

/* A legitimate client: handshake, a few data segments, DNS, a ping. */
static void client(struct gen *g, struct flow f, uint64_t start)
{
	uint64_t t = start;
	struct flow dns = f;

	f.dport = 443;
	tcp(g, t, &f, SYN, 0);
	tcp(g, t += 900, &f, ACK, 0);
	for (int i = 0; i < 4; i++)
		tcp(g, t += 2000 + rnd(g) % 5000, &f, ACK | PSH, 40 + rnd(g) % 150);
	tcp(g, t += 3000, &f, FIN | ACK, 0);
	dns.dport = 53;
	for (int i = 0; i < 3; i++)
		udp(g, t += 10000 + rnd(g) % 20000, &dns, 30 + rnd(g) % 40);
	icmp(g, t + 5000, &f);
}

static int by_time(const void *a, const void *b)
{
	const struct packet *x = a, *y = b;
	return x->ts_us < y->ts_us ? -1 : x->ts_us > y->ts_us;
}

int main(int argc, char **argv)
{
	struct gen g = { .rng = 0x9e3779b97f4a7c15ull };
	const char *out = NULL;
	unsigned scale = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			g.rng ^= strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--scale") && i + 1 < argc)
			scale = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!out && argv[i][0] != '-')
			out = argv[i];
		else {
			fprintf(stderr, "usage: trafficgen OUT.pcap [--seed N] "
					"[--scale N]\n");
			return 2;
		}
	}
	if (!out || scale == 0 || scale > 100) {
		fprintf(stderr, "usage: trafficgen OUT.pcap [--seed N] "
				"[--scale 1-100]\n");
		return 2;
	}
	const uint8_t server4[4] = { 192, 0, 2, 10 };
	uint8_t server6[16];
	v6(server6, "2001:db8:100::", 10);

	/* Legitimate clients: 198.51.100.0/24 and 2001:db8:1::/64, every
	 * eighth behind a VLAN. */
	for (unsigned i = 0; i < 240 * scale; i++) {
		struct flow f = { .sport = (uint16_t)(1024 + rnd(&g) % 60000),
				  .vlan = i % 8 == 0 ? 100 : 0 };
		if (i % 4 == 3) {
			f.v6 = 1;
			v6(f.src, "2001:db8:1::", (uint16_t)(i + 1));
			memcpy(f.dst, server6, 16);
		} else {
			v4(f.src, 198, 51, 100 + (uint8_t)(i / 250),
			   (uint8_t)(1 + i % 250));
			memcpy(f.dst, server4, 4);
		}
		client(&g, f, rnd(&g) % (3 * SECOND));
	}
	/* SYN flood: 12 bots at 2,000 SYNs/s each for 1.5 s. */
	for (unsigned b = 0; b < 12; b++) {
		struct flow f = { .dport = 443 };
		v4(f.src, 203, 0, 113, (uint8_t)(10 + b));
		memcpy(f.dst, server4, 4);
		for (unsigned k = 0; k < 3000 * scale; k++) {
			f.sport = (uint16_t)(1024 + rnd(&g) % 60000);
			tcp(&g, SECOND / 2 + k * 500 / scale + rnd(&g) % 500,
			    &f, SYN, 0);
		}
	}
	/* UDP flood from 4 sources (one IPv6) at 4,000 packets/s. */
	for (unsigned b = 0; b < 4; b++) {
		struct flow f = { .dport = 123, .sport = 40000 };
		if (b == 3) {
			f.v6 = 1;
			v6(f.src, "2001:db8:66::", 7);
			memcpy(f.dst, server6, 16);
		} else {
			v4(f.src, 192, 0, 2, (uint8_t)(200 + b));
			memcpy(f.dst, server4, 4);
		}
		for (unsigned k = 0; k < 4000 * scale; k++)
			udp(&g, SECOND + k * 250 / scale, &f, 48);
	}
	/* Blocklisted ranges: 10.66.0.0/16 and 2001:db8:bad::/48. */
	for (unsigned k = 0; k < 2500 * scale; k++) {
		struct flow f = { .sport = (uint16_t)(1024 + k % 60000),
				  .dport = k % 2 ? 80 : 53 };
		if (k % 5 == 4) {
			f.v6 = 1;
			v6(f.src, "2001:db8:bad:1::", (uint16_t)(k % 300 + 1));
			memcpy(f.dst, server6, 16);
		} else {
			v4(f.src, 10, 66, (uint8_t)(k % 200), (uint8_t)(k % 251));
			memcpy(f.dst, server4, 4);
		}
		uint64_t t = rnd(&g) % (3 * SECOND);
		if (f.dport == 80)
			tcp(&g, t, &f, SYN, 0);
		else
			udp(&g, t, &f, 32);
	}
	qsort(g.pkts, g.n, sizeof(*g.pkts), by_time);

	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = dead ? pcap_dump_open(dead, out) : NULL;
	if (!d) {
		fprintf(stderr, "trafficgen: %s: %s\n", out,
			dead ? pcap_geterr(dead) : "pcap_open_dead failed");
		return 1;
	}
	const uint64_t epoch = 1764000000ull * SECOND; /* 2025-11-24 */
	for (size_t i = 0; i < g.n; i++) {
		struct pcap_pkthdr h = {
			.ts = { .tv_sec = (time_t)((epoch + g.pkts[i].ts_us) / SECOND),
				.tv_usec = (suseconds_t)((epoch + g.pkts[i].ts_us) % SECOND) },
			.caplen = g.pkts[i].len,
			.len = g.pkts[i].len,
		};
		pcap_dump((u_char *)d, &h, g.pkts[i].data);
	}
	pcap_dump_close(d);
	pcap_close(dead);
	printf("trafficgen: wrote %zu packets to %s\n", g.n, out);
	free(g.pkts);
	return 0;
}
