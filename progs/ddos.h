/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/* Maps of ddos.bpf.c shared with the host side: keys, values, reasons. */
#ifndef DDOS_H
#define DDOS_H

#include <linux/types.h>

/* Why a packet got its verdict: index of the per-reason counters. */
enum ddos_reason {
	REASON_PASS = 0, /* nothing to act on */
	REASON_BLOCKLIST_V4,
	REASON_BLOCKLIST_V6,
	REASON_SYN_RATE,
	REASON_UDP_RATE,
	REASON_MALFORMED, /* truncated headers: dropped */
	REASON_MAX,
};

/* Per-source token buckets: one for TCP SYNs, one for UDP. */
enum ddos_class { CLASS_SYN = 1, CLASS_UDP = 2 };

struct lpm_v4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct lpm_v6 {
	__u32 prefixlen;
	__u8 addr[16];
};

/* A source address, IPv4 mapped into IPv6 (::ffff:a.b.c.d). */
struct source {
	__u8 addr[16];
};

struct bucket_key {
	struct source src;
	__u32 class;
};

struct bucket {
	__u64 tokens; /* in nanotokens: 1e9 per packet */
	__u64 last_ns;
};

/* config[0]: rates in packets per second per source, and burst sizes. */
struct ddos_config {
	__u64 syn_rate;
	__u64 syn_burst;
	__u64 udp_rate;
	__u64 udp_burst;
};

struct counter {
	__u64 packets;
	__u64 bytes;
};

#endif
