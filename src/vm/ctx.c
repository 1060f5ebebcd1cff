/* SPDX-License-Identifier: MIT */
/*
 * Contexts for packet programs: XDP buffers and socket buffers whose
 * frames live in the low 4 GiB, so the 32-bit pointer fields of xdp_md and
 * __sk_buff hold real addresses.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bpfvm/ctx.h"
#include "vm/vm_internal.h"

_Static_assert(offsetof(struct bpfvm_sk_buff, data) == 76, "__sk_buff.data");
_Static_assert(offsetof(struct bpfvm_sk_buff, data_meta) == 140,
	       "__sk_buff.data_meta");
_Static_assert(offsetof(struct bpfvm_sk_buff, hwtstamp) == 184,
	       "__sk_buff.hwtstamp");
_Static_assert(sizeof(struct bpfvm_sk_buff) == 192, "__sk_buff size");
_Static_assert(sizeof(struct bpfvm_xdp_md) == 24, "xdp_md size");

#define LOW_LIMIT (1ull << 32)

/* A frame whose every byte has a 32-bit address. */
static uint8_t *low_frame(void)
{
	void *p = MAP_FAILED;

#ifdef MAP_32BIT
	p = mmap(NULL, BPFVM_XDP_FRAME_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
#endif
#ifdef MAP_FIXED_NOREPLACE
	/* Elsewhere: probe for a free page below 4 GiB. */
	for (uintptr_t hint = 0x10000000; p == MAP_FAILED && hint < LOW_LIMIT;
	     hint += 0x1000000)
		p = mmap((void *)hint, BPFVM_XDP_FRAME_SIZE,
			 PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
			 0);
#endif
	if (p == MAP_FAILED)
		return NULL;
	if ((uintptr_t)p + BPFVM_XDP_FRAME_SIZE > LOW_LIMIT) {
		munmap(p, BPFVM_XDP_FRAME_SIZE);
		return NULL;
	}
	return p;
}

static uint32_t low32(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

bpfvm_xdp_buff *bpfvm_xdp_buff_new(void)
{
	bpfvm_xdp_buff *buf = calloc(1, sizeof(*buf));

	if (buf && !(buf->frame = low_frame())) {
		free(buf);
		return NULL;
	}
	return buf;
}

void bpfvm_xdp_buff_free(bpfvm_xdp_buff *buf)
{
	if (!buf)
		return;
	munmap(buf->frame, BPFVM_XDP_FRAME_SIZE);
	free(buf);
}

int bpfvm_xdp_buff_set(bpfvm_xdp_buff *buf, const void *pkt, size_t len,
		       uint32_t ifindex, uint32_t rx_queue)
{
	uint8_t *data = buf->frame + BPFVM_XDP_HEADROOM;

	if (len > BPFVM_XDP_MAX_PACKET)
		return -1;
	memcpy(data, pkt, len);
	buf->md = (struct bpfvm_xdp_md){
		.data = low32(data),
		.data_end = low32(data + len),
		.data_meta = low32(data), /* no metadata yet */
		.ingress_ifindex = ifindex,
		.rx_queue_index = rx_queue,
	};
	buf->redirect_ifindex = 0;
	buf->redirect_flags = 0;
	buf->redirect_map = NULL;
	return 0;
}

/* Packet programs: the context read-only, the packet bounds from it. */
static int run_packet(const bpfvm_prog *prog, void *md, size_t md_size,
		      uint64_t *r0, bpfvm_error *err)
{
	bpfvm_exec exec;
	uint64_t args[5] = { (uintptr_t)md };

	bpfvm_exec_init(&exec, prog, md, md_size, false);
	bpfvm_exec_packet_bounds(&exec);
	if ((exec.budget -= prog->main_length) < 0)
		return bpfvm_fail(err, 0, "instruction budget exhausted");
	return bpfvm_interp(&exec, prog->code, args, r0, err);
}

int bpfvm_run_xdp(const bpfvm_prog *prog, bpfvm_xdp_buff *buf,
		  uint64_t *action, bpfvm_error *err)
{
	return run_packet(prog, &buf->md, sizeof(buf->md), action, err);
}

bpfvm_skb *bpfvm_skb_new(void)
{
	bpfvm_skb *skb = calloc(1, sizeof(*skb));

	if (skb && !(skb->frame = low_frame())) {
		free(skb);
		return NULL;
	}
	return skb;
}

void bpfvm_skb_free(bpfvm_skb *skb)
{
	if (!skb)
		return;
	munmap(skb->frame, BPFVM_XDP_FRAME_SIZE);
	free(skb);
}

int bpfvm_skb_set(bpfvm_skb *skb, const void *pkt, size_t len,
		  uint32_t ifindex)
{
	uint8_t *data = skb->frame + BPFVM_XDP_HEADROOM;
	const uint8_t *p = pkt;

	if (len > BPFVM_XDP_MAX_PACKET)
		return -1;
	memcpy(data, pkt, len);
	memset(&skb->md, 0, sizeof(skb->md));
	skb->md.len = (uint32_t)len;
	skb->md.wire_len = (uint32_t)len;
	/* protocol: the Ethernet type, in network order as the kernel has
	 * it (skb->protocol is __be16). */
	if (len >= 14)
		skb->md.protocol = (uint32_t)(p[12] | p[13] << 8);
	skb->md.ifindex = ifindex;
	skb->md.ingress_ifindex = ifindex;
	skb->md.data = low32(data);
	skb->md.data_end = low32(data + len);
	return 0;
}

int bpfvm_run_skb(const bpfvm_prog *prog, bpfvm_skb *skb, uint64_t *r0,
		  bpfvm_error *err)
{
	return run_packet(prog, &skb->md, sizeof(skb->md), r0, err);
}
