/* SPDX-License-Identifier: MIT */
/*
 * Program contexts: what r1 points at for each program type.
 *
 * XDP programs see `struct xdp_md` exactly as the kernel exposes it: 32-bit
 * fields data, data_end and data_meta that the program turns into pointers.
 * The kernel rewrites those loads; bpfvm instead keeps every packet frame
 * in the low 4 GiB of the address space, so the 32-bit values *are* the
 * pointers and programs (interpreted or JIT-compiled) run unchanged.
 */
#ifndef BPFVM_CTX_H
#define BPFVM_CTX_H

#include <stddef.h>
#include <stdint.h>

#include "isa.h"
#include "vm.h"

#ifdef __cplusplus
extern "C" {
#endif

enum bpfvm_xdp_action {
	BPFVM_XDP_ABORTED = 0,
	BPFVM_XDP_DROP = 1,
	BPFVM_XDP_PASS = 2,
	BPFVM_XDP_TX = 3,
	BPFVM_XDP_REDIRECT = 4,
};

/* The kernel's struct xdp_md. */
struct bpfvm_xdp_md {
	uint32_t data;
	uint32_t data_end;
	uint32_t data_meta;
	uint32_t ingress_ifindex;
	uint32_t rx_queue_index;
	uint32_t egress_ifindex;
};

#define BPFVM_XDP_HEADROOM 256 /* XDP_PACKET_HEADROOM */
#define BPFVM_XDP_FRAME_SIZE 4096 /* one page per frame, as drivers use */
#define BPFVM_XDP_TAILROOM 320 /* room the kernel keeps for skb_shared_info */
#define BPFVM_XDP_MAX_PACKET                                                   \
	(BPFVM_XDP_FRAME_SIZE - BPFVM_XDP_HEADROOM - BPFVM_XDP_TAILROOM)

/* An XDP buffer: the context (md, first, so &buf->md is r1) and the frame
 * it describes. Where a redirect sends the packet is recorded here too. */
typedef struct bpfvm_xdp_buff {
	struct bpfvm_xdp_md md;
	uint8_t *frame; /* data_hard_start: frame[0, BPFVM_XDP_FRAME_SIZE) */
	uint32_t redirect_ifindex; /* set by bpf_redirect / redirect_map */
	uint32_t redirect_flags;
	void *redirect_map; /* the DEVMAP used, if any */
} bpfvm_xdp_buff;

/* A buffer with its frame in low memory; NULL when none can be had. */
bpfvm_xdp_buff *bpfvm_xdp_buff_new(void);
void bpfvm_xdp_buff_free(bpfvm_xdp_buff *buf);
/* Load a packet (len <= BPFVM_XDP_MAX_PACKET) at the usual headroom.
 * Returns 0 or -1 when the packet is too long. */
int bpfvm_xdp_buff_set(bpfvm_xdp_buff *buf, const void *pkt, size_t len,
		       uint32_t ifindex, uint32_t rx_queue);
/* The packet as the program left it. */
static inline uint8_t *bpfvm_xdp_data(const bpfvm_xdp_buff *buf, size_t *len)
{
	*len = buf->md.data_end - buf->md.data;
	return (uint8_t *)(uintptr_t)buf->md.data;
}

/* Run an XDP program on buf; *action gets r0 (an XDP action, or whatever
 * the program returned). Returns 0 or -1 with err set. */
int bpfvm_run_xdp(const bpfvm_prog *prog, bpfvm_xdp_buff *buf,
		  uint64_t *action, bpfvm_error *err);

/* Socket filters and tc programs see a __sk_buff; bpfvm fills the fields
 * a packet alone determines (len, protocol, data, data_end, ...). */
struct bpfvm_sk_buff {
	uint32_t len;
	uint32_t pkt_type;
	uint32_t mark;
	uint32_t queue_mapping;
	uint32_t protocol;
	uint32_t vlan_present;
	uint32_t vlan_tci;
	uint32_t vlan_proto;
	uint32_t priority;
	uint32_t ingress_ifindex;
	uint32_t ifindex;
	uint32_t tc_index;
	uint32_t cb[5];
	uint32_t hash;
	uint32_t tc_classid;
	uint32_t data;
	uint32_t data_end;
	uint32_t napi_id;
	uint32_t family;
	uint32_t remote_ip4;
	uint32_t local_ip4;
	uint32_t remote_ip6[4];
	uint32_t local_ip6[4];
	uint32_t remote_port;
	uint32_t local_port;
	uint32_t data_meta;
	uint64_t flow_keys;
	uint64_t tstamp;
	uint32_t wire_len;
	uint32_t gso_segs;
	uint64_t sk;
	uint32_t gso_size;
	uint8_t tstamp_type;
	uint8_t pad[3];
	uint64_t hwtstamp;
};

typedef struct bpfvm_skb {
	struct bpfvm_sk_buff md; /* first: r1 */
	uint8_t *frame;
} bpfvm_skb;

bpfvm_skb *bpfvm_skb_new(void);
void bpfvm_skb_free(bpfvm_skb *skb);
int bpfvm_skb_set(bpfvm_skb *skb, const void *pkt, size_t len,
		  uint32_t ifindex);
/* Run a socket filter or tc program on skb; *r0 its return value. */
int bpfvm_run_skb(const bpfvm_prog *prog, bpfvm_skb *skb, uint64_t *r0,
		  bpfvm_error *err);

#ifdef __cplusplus
}
#endif
#endif
