/* SPDX-License-Identifier: MIT */
/*
 * XDP helpers: moving the packet's head, tail and metadata, redirecting,
 * and reading or writing the packet by offset. The rules and return codes
 * are those of net/core/filter.c for a single-buffer (no frags) xdp_buff.
 *
 * The frame: frame[0, 4096), of which the kernel keeps the first 40 bytes
 * for struct xdp_frame (written there when a packet is redirected or
 * transmitted) and the last 320 for skb_shared_info (BPFVM_XDP_TAILROOM);
 * metadata sits right before data, data_meta <= data <= data_end.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "bpfvm/ctx.h"
#include "helpers/helpers_internal.h"

#define XDP_FRAME_STRUCT  40 /* sizeof(struct xdp_frame) on 64-bit */
#define ETH_HLEN	  14
#define META_MAX	  255 /* type_max(skb_shared_info.meta_len) since 6.6 */
#define F_BROADCAST	  (1u << 3) /* BPF_F_BROADCAST */
#define F_EXCLUDE_INGRESS (1u << 4) /* BPF_F_EXCLUDE_INGRESS */
#define XDP_ACTION_MASK	  3u	    /* ABORTED | DROP | PASS | TX */

/* The running program's XDP buffer, with its packet pointers checked to
 * lie in order inside its frame (a program may have written them). With
 * r1 given, r1 must be the context. NULL with the run stopped otherwise. */
static bpfvm_xdp_buff *xdp_buff(bpfvm_exec *exec, const char *name,
				const uint64_t *r1)
{
	bpfvm_xdp_buff *buf = bpfvm_exec_ctx(exec);
	uintptr_t lo, hi;

	if (bpfvm_h_prog_type(exec) != BPFVM_PROG_XDP) {
		bpfvm_h_abort(exec, name, "only XDP programs may call it");
		return NULL;
	}
	if (r1 && *r1 != (uintptr_t)buf) {
		bpfvm_h_abort(exec, name,
			      "arg1 0x%" PRIx64 " is not the program's context",
			      *r1);
		return NULL;
	}
	lo = (uintptr_t)buf->frame;
	hi = lo + BPFVM_XDP_FRAME_SIZE;
	if (buf->md.data_meta < lo || buf->md.data_meta > buf->md.data ||
	    buf->md.data > buf->md.data_end || buf->md.data_end > hi) {
		bpfvm_h_abort(exec, name,
			      "the context's packet pointers are not in the "
			      "frame");
		return NULL;
	}
	return buf;
}

/* xdp_adjust_head(ctx, delta): data += delta, keeping at least ETH_HLEN
 * bytes of packet and the metadata (moved along) after the xdp_frame
 * area. 0 or -EINVAL. */
uint64_t bpfvm_bpf_xdp_adjust_head(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				   uint64_t r3, uint64_t r4, uint64_t r5)
{
	bpfvm_xdp_buff *buf = xdp_buff(exec, "xdp_adjust_head", &r1);
	int64_t delta = (int32_t)r2;
	int64_t data, meta_len, start;

	if (!buf)
		return 0;
	data = (int64_t)buf->md.data + delta;
	meta_len = (int64_t)buf->md.data - buf->md.data_meta;
	start = (int64_t)(uintptr_t)buf->frame + XDP_FRAME_STRUCT + meta_len;
	if (data < start || data > (int64_t)buf->md.data_end - ETH_HLEN)
		return BPFVM_ERR(EINVAL);
	if (meta_len)
		memmove((void *)(uintptr_t)(buf->md.data_meta + delta),
			(void *)(uintptr_t)buf->md.data_meta, (size_t)meta_len);
	buf->md.data_meta = (uint32_t)(buf->md.data_meta + delta);
	buf->md.data = (uint32_t)data;
	bpfvm_exec_packet_changed(exec);
	return 0;
}

/* xdp_adjust_tail(ctx, delta): data_end += delta, keeping ETH_HLEN bytes
 * and the tailroom; grown bytes are zeroed. 0 or -EINVAL. */
uint64_t bpfvm_bpf_xdp_adjust_tail(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				   uint64_t r3, uint64_t r4, uint64_t r5)
{
	bpfvm_xdp_buff *buf = xdp_buff(exec, "xdp_adjust_tail", &r1);
	int64_t delta = (int32_t)r2, end, hard_end;

	if (!buf)
		return 0;
	end = (int64_t)buf->md.data_end + delta;
	hard_end = (int64_t)(uintptr_t)buf->frame + BPFVM_XDP_FRAME_SIZE -
		   BPFVM_XDP_TAILROOM;
	if (end > hard_end || end < (int64_t)buf->md.data + ETH_HLEN)
		return BPFVM_ERR(EINVAL);
	if (delta > 0)
		memset((void *)(uintptr_t)buf->md.data_end, 0, (size_t)delta);
	buf->md.data_end = (uint32_t)end;
	bpfvm_exec_packet_changed(exec);
	return 0;
}

/* xdp_adjust_meta(ctx, delta): data_meta += delta, staying between the
 * xdp_frame area and data (-EINVAL); the metadata's length must be a
 * multiple of 4 and at most 255 bytes (-EACCES). */
uint64_t bpfvm_bpf_xdp_adjust_meta(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				   uint64_t r3, uint64_t r4, uint64_t r5)
{
	bpfvm_xdp_buff *buf = xdp_buff(exec, "xdp_adjust_meta", &r1);
	int64_t meta, len;

	if (!buf)
		return 0;
	meta = (int64_t)buf->md.data_meta + (int32_t)r2;
	if (meta < (int64_t)(uintptr_t)buf->frame + XDP_FRAME_STRUCT ||
	    meta > (int64_t)buf->md.data)
		return BPFVM_ERR(EINVAL);
	len = (int64_t)buf->md.data - meta;
	if (len % 4 || len > META_MAX)
		return BPFVM_ERR(EACCES);
	buf->md.data_meta = (uint32_t)meta;
	bpfvm_exec_packet_changed(exec);
	return 0;
}

static void set_redirect(bpfvm_xdp_buff *buf, uint32_t ifindex, uint32_t flags,
			 bpfvm_map *map)
{
	buf->redirect_ifindex = ifindex;
	buf->redirect_flags = flags;
	buf->redirect_map = map;
}

/* redirect(ifindex, flags): XDP_REDIRECT to ifindex; any flag gives
 * XDP_ABORTED (bpf_xdp_redirect). */
uint64_t bpfvm_bpf_redirect(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
			    uint64_t r3, uint64_t r4, uint64_t r5)
{
	bpfvm_xdp_buff *buf = xdp_buff(exec, "redirect", NULL);

	if (!buf)
		return 0;
	if (r2)
		return BPFVM_XDP_ABORTED;
	set_redirect(buf, (uint32_t)r1, 0, NULL);
	return BPFVM_XDP_REDIRECT;
}

/*
 * redirect_map(map, key, flags) on a DEVMAP / DEVMAP_HASH
 * (__bpf_xdp_redirect_map): XDP_REDIRECT to the device at key; when key
 * has none, the redirect is cleared and the two low bits of flags are the
 * action returned (so XDP_PASS as flags means "pass if absent"). Flags
 * besides those bits, BPF_F_BROADCAST and BPF_F_EXCLUDE_INGRESS give
 * XDP_ABORTED. With BPF_F_BROADCAST the map itself is the target.
 */
uint64_t bpfvm_bpf_redirect_map(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "redirect_map";
	bpfvm_xdp_buff *buf = xdp_buff(exec, name, NULL);
	uint32_t key = (uint32_t)r2, ifindex = 0;
	const void *value;
	bpfvm_map *map;

	if (!buf)
		return 0;
	map = bpfvm_h_map(exec, name, BPFVM_FUNC_redirect_map, 1, r1);
	if (!map)
		return 0;
	if (r3 & ~(uint64_t)(XDP_ACTION_MASK | F_BROADCAST | F_EXCLUDE_INGRESS))
		return BPFVM_XDP_ABORTED;
	value = bpfvm_map_lookup_elem(map, &key);
	if (!value && !(r3 & F_BROADCAST)) {
		set_redirect(buf, 0, 0, NULL);
		return r3 & XDP_ACTION_MASK;
	}
	if (value && !(r3 & F_BROADCAST))
		memcpy(&ifindex, value,
		       sizeof(ifindex)); /* devmap val.ifindex */
	set_redirect(buf, ifindex, (uint32_t)r3, map);
	return BPFVM_XDP_REDIRECT;
}

uint64_t bpfvm_bpf_xdp_get_buff_len(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				    uint64_t r3, uint64_t r4, uint64_t r5)
{
	bpfvm_xdp_buff *buf = xdp_buff(exec, "xdp_get_buff_len", &r1);

	return buf ? buf->md.data_end - buf->md.data : 0;
}

/* The packet bytes [offset, offset + len) (bpf_xdp_pointer): -EFAULT for
 * an offset or length above 0xffff, -EINVAL past the packet's end. */
static int64_t packet_at(const bpfvm_xdp_buff *buf, uint32_t offset,
			 uint32_t len, void **ptr)
{
	if (offset > 0xffff || len > 0xffff)
		return -EFAULT;
	if ((uint64_t)offset + len > buf->md.data_end - buf->md.data)
		return -EINVAL;
	*ptr = (void *)(uintptr_t)(buf->md.data + offset);
	return 0;
}

/* xdp_load_bytes(ctx, offset, buf, len) */
uint64_t bpfvm_bpf_xdp_load_bytes(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				  uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "xdp_load_bytes";
	bpfvm_xdp_buff *buf = xdp_buff(exec, name, &r1);
	uint32_t len = (uint32_t)r4;
	void *pkt;
	int64_t err;

	if (!buf || !bpfvm_h_writable(exec, name, 3, r3, len))
		return 0;
	err = packet_at(buf, (uint32_t)r2, len, &pkt);
	if (err)
		return (uint64_t)err;
	memmove((void *)(uintptr_t)r3, pkt, len);
	return 0;
}

/* xdp_store_bytes(ctx, offset, buf, len) */
uint64_t bpfvm_bpf_xdp_store_bytes(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				   uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "xdp_store_bytes";
	bpfvm_xdp_buff *buf = xdp_buff(exec, name, &r1);
	uint32_t len = (uint32_t)r4;
	void *pkt;
	int64_t err;

	if (!buf || !bpfvm_h_readable(exec, name, 3, r3, len))
		return 0;
	err = packet_at(buf, (uint32_t)r2, len, &pkt);
	if (err)
		return (uint64_t)err;
	memmove(pkt, (const void *)(uintptr_t)r3, len);
	return 0;
}
