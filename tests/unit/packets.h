/* SPDX-License-Identifier: MIT */
/* Test packets built in code: the edge cases a capture may not hold. */
#ifndef BPFVM_TEST_PACKETS_H
#define BPFVM_TEST_PACKETS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct test_packet {
	const char *name;
	uint8_t data[128];
	size_t len;
};

static inline void tp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Ethernet header with the given type at p; returns 14. */
static inline size_t tp_eth(uint8_t *p, uint16_t type)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
	memcpy(p, macs, 12);
	tp_put16(p + 12, type);
	return 14;
}

static inline size_t tp_ipv4(uint8_t *p, uint8_t proto, uint8_t src_last,
		      size_t payload)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	tp_put16(p + 2, (uint16_t)(20 + payload));
	p[8] = 64;
	p[9] = proto;
	p[12] = 10, p[13] = 66, p[14] = 1, p[15] = src_last;
	p[16] = 192, p[17] = 0, p[18] = 2, p[19] = 10;
	return 20;
}

static inline size_t tp_ipv6(uint8_t *p, uint8_t next, size_t payload)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	tp_put16(p + 4, (uint16_t)payload);
	p[6] = next;
	p[7] = 64;
	p[8] = 0x20, p[9] = 0x01, p[10] = 0x0d, p[11] = 0xb8, p[23] = 1;
	p[24] = 0x20, p[25] = 0x01, p[26] = 0x0d, p[27] = 0xb8, p[39] = 2;
	return 40;
}

static inline size_t tp_l4(uint8_t *p, uint8_t proto, uint16_t dport, uint8_t flags)
{
	memset(p, 0, 20);
	tp_put16(p, 40000);
	tp_put16(p + 2, dport);
	if (proto == 6) {
		p[12] = 0x50;
		p[13] = flags;
		return 20;
	}
	if (proto == 17) {
		tp_put16(p + 4, 8);
		return 8;
	}
	p[0] = 8; /* ICMP echo request */
	return 8;
}

/* Fills out[] (at most max) and returns the count. */
static inline size_t test_packets(struct test_packet *out, size_t max)
{
	size_t n = 0;
#define NEXT_PACKET(label) \
	(n < max ? (out[n].name = (label), out[n].len = 0, &out[n++]) : NULL)
	struct test_packet *t;

	static const struct {
		const char *name;
		uint16_t eth;
		uint8_t proto;
		uint16_t dport;
		uint8_t flags;
		int vlan, ext, truncate;
	} shapes[] = {
		{ "ipv4 tcp syn", 0x0800, 6, 443, 0x02, 0, 0, 0 },
		{ "ipv4 tcp telnet", 0x0800, 6, 23, 0x18, 0, 0, 0 },
		{ "ipv4 udp dns", 0x0800, 17, 53, 0, 0, 0, 0 },
		{ "ipv4 udp chargen", 0x0800, 17, 19, 0, 0, 0, 0 },
		{ "ipv4 icmp echo", 0x0800, 1, 0, 0, 0, 0, 0 },
		{ "vlan ipv4 udp", 0x0800, 17, 53, 0, 1, 0, 0 },
		{ "ipv6 tcp syn", 0x86dd, 6, 80, 0x02, 0, 0, 0 },
		{ "ipv6 hop-by-hop udp", 0x86dd, 17, 19, 0, 0, 1, 0 },
		{ "ipv4 truncated tcp", 0x0800, 6, 443, 0x02, 0, 0, 10 },
		{ "ipv6 truncated", 0x86dd, 17, 53, 0, 0, 0, 30 },
		{ "arp", 0x0806, 0, 0, 0, 0, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		if (!(t = NEXT_PACKET(shapes[i].name)))
			break;
		uint8_t *p = t->data;
		size_t off = 0;
		if (shapes[i].vlan) {
			off = tp_eth(p, 0x8100);
			tp_put16(p + 12 + 2, 100);
			tp_put16(p + 16, shapes[i].eth);
			off = 18;
		} else {
			off = tp_eth(p, shapes[i].eth);
		}
		if (shapes[i].eth == 0x0806) {
			memset(p + off, 0x11, 28);
			t->len = off + 28;
			continue;
		}
		size_t l4len = shapes[i].proto == 6 ? 20 : 8;
		if (shapes[i].eth == 0x0800) {
			off += tp_ipv4(p + off, shapes[i].proto, (uint8_t)i,
				       l4len);
		} else {
			uint8_t next = shapes[i].ext ? 0 : shapes[i].proto;
			off += tp_ipv6(p + off, next, l4len + (shapes[i].ext ? 8 : 0));
			if (shapes[i].ext) {
				memset(p + off, 0, 8);
				p[off] = shapes[i].proto;
				off += 8;
			}
		}
		off += tp_l4(p + off, shapes[i].proto, shapes[i].dport,
			     shapes[i].flags);
		t->len = shapes[i].truncate ? off - (size_t)shapes[i].truncate
					    : off;
	}
	if ((t = NEXT_PACKET("runt (10 bytes)"))) {
		memset(t->data, 0xab, 10);
		t->len = 10;
	}
	if ((t = NEXT_PACKET("ethernet only"))) {
		t->len = tp_eth(t->data, 0x0800);
	}
#undef NEXT_PACKET
	return n;
}

#endif
