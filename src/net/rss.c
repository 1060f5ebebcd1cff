/* SPDX-License-Identifier: MIT */
/*
 * Receive-side scaling: which worker a packet goes to. Like a NIC, hash
 * the IP addresses (and ports) so one flow, and one source's flows, stay
 * on one CPU in capture order; per-source state then sees its packets in
 * time order, as it would in the kernel.
 */
#include <string.h>

#include "net/net_internal.h"

static uint32_t mix(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u; /* FNV-1a */
	return h;
}

uint32_t bpfvm_rss_hash(const uint8_t *pkt, size_t len)
{
	uint32_t h = 2166136261u;
	size_t off = 12;

	if (len < 14)
		return mix(h, pkt, len);
	/* Up to two VLAN tags. */
	for (int i = 0; i < 2 && off + 4 <= len; i++) {
		uint16_t type = (uint16_t)(pkt[off] << 8 | pkt[off + 1]);
		if (type != 0x8100 && type != 0x88a8)
			break;
		off += 4;
	}
	if (off + 2 > len)
		return mix(h, pkt, 12);
	uint16_t type = (uint16_t)(pkt[off] << 8 | pkt[off + 1]);
	off += 2;
	if (type == 0x0800 && off + 20 <= len)
		return mix(h, pkt + off + 12, 4); /* source address */
	if (type == 0x86dd && off + 40 <= len)
		return mix(h, pkt + off + 8, 16);
	return mix(h, pkt, 12); /* MAC addresses */
}
