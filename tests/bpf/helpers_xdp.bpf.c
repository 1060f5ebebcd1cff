// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * The XDP packet helpers (net/core/filter.c, single-buffer frames):
 * xdp_adjust_head, xdp_adjust_tail, xdp_adjust_meta, xdp_get_buff_len,
 * xdp_load_bytes, xdp_store_bytes, and csum_diff on the packet's IPv4
 * header. Limits: the head may move down to the xdp_frame area (40 bytes
 * into the 4096-byte frame, after any metadata) and up to 14 bytes before
 * the end; the tail up to the 320 bytes kept for skb_shared_info and down
 * to 14 bytes after the head; metadata in 4-byte steps. The packet the
 * programs leave is compared with the kernel's too.
 */
#include <linux/if_ether.h>
#include <linux/ip.h>
#include "expect.h"

#define PKT_LEN	 64  /* the host's packet */
#define HEADROOM 256 /* XDP_PACKET_HEADROOM */
#define FRAME	 40  /* sizeof(struct xdp_frame) */
#define MAX_LEN	 (4096 - HEADROOM - 320)

static __always_inline __u32 len(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data;
}

SEC("xdp")
int xdp_head(struct xdp_md *ctx)
{
	__u8 *p;

	EXPECT(len(ctx), PKT_LEN);
	EXPECT(bpf_xdp_get_buff_len(ctx), PKT_LEN);
	EXPECT(bpf_xdp_adjust_head(ctx, -(HEADROOM - FRAME) - 1), -EINVAL);
	EXPECT(bpf_xdp_adjust_head(ctx, -(HEADROOM - FRAME)), 0);
	EXPECT(len(ctx), PKT_LEN + HEADROOM - FRAME);
	EXPECT(bpf_xdp_adjust_head(ctx, -1), -EINVAL);
	EXPECT(bpf_xdp_adjust_head(ctx, HEADROOM - FRAME - 8), 0);
	/* 8 new bytes in front: write them. */
	p = (void *)(long)ctx->data;
	if ((void *)(p + 8) > (void *)(long)ctx->data_end)
		return XDP_ABORTED;
	for (int i = 0; i < 8; i++)
		p[i] = 0xa0 + i;
	EXPECT(bpf_xdp_get_buff_len(ctx), PKT_LEN + 8);
	/* At least ETH_HLEN bytes stay. */
	EXPECT(bpf_xdp_adjust_head(ctx, PKT_LEN + 8 - ETH_HLEN + 1), -EINVAL);
	EXPECT(bpf_xdp_adjust_head(ctx, PKT_LEN + 8 - ETH_HLEN), 0);
	EXPECT(len(ctx), ETH_HLEN);
	EXPECT(bpf_xdp_adjust_head(ctx, -(PKT_LEN - ETH_HLEN)), 0);
	EXPECT(len(ctx), PKT_LEN);
	return XDP_PASS;
}

SEC("xdp")
int xdp_tail(struct xdp_md *ctx)
{
	__u8 buf[8];

	EXPECT(bpf_xdp_adjust_tail(ctx, MAX_LEN - PKT_LEN + 1), -EINVAL);
	EXPECT(bpf_xdp_adjust_tail(ctx, MAX_LEN - PKT_LEN), 0);
	EXPECT(bpf_xdp_get_buff_len(ctx), MAX_LEN);
	EXPECT(bpf_xdp_adjust_tail(ctx, 1), -EINVAL);
	/* Grown bytes read as zeros. */
	EXPECT(bpf_xdp_load_bytes(ctx, MAX_LEN - 8, buf, 8), 0);
	EXPECT(*(__u64 *)buf, 0);
	EXPECT(bpf_xdp_adjust_tail(ctx, -(MAX_LEN - ETH_HLEN) - 1), -EINVAL);
	EXPECT(bpf_xdp_adjust_tail(ctx, -(MAX_LEN - ETH_HLEN)), 0);
	EXPECT(bpf_xdp_get_buff_len(ctx), ETH_HLEN);
	EXPECT(bpf_xdp_adjust_tail(ctx, -1), -EINVAL);
	EXPECT(bpf_xdp_adjust_tail(ctx, 26), 0);
	EXPECT(len(ctx), 40);
	EXPECT(bpf_xdp_load_bytes(ctx, 32, buf, 8), 0);
	EXPECT(*(__u64 *)buf, 0);
	return XDP_PASS;
}

SEC("xdp")
int xdp_meta(struct xdp_md *ctx)
{
	__u32 *meta;

	EXPECT(ctx->data_meta == ctx->data, 1);
	EXPECT(bpf_xdp_adjust_meta(ctx, 4), -EINVAL); /* past data */
	EXPECT(bpf_xdp_adjust_meta(ctx, -(HEADROOM - FRAME) - 4), -EINVAL);
	EXPECT(bpf_xdp_adjust_meta(ctx, -3), -EACCES);
	EXPECT(bpf_xdp_adjust_meta(ctx, -8), 0);
	EXPECT(ctx->data - ctx->data_meta, 8);
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 2) > (void *)(long)ctx->data)
		return XDP_ABORTED;
	meta[0] = 0xfeedf00d;
	meta[1] = 0x01020304;
	EXPECT(bpf_xdp_adjust_meta(ctx, -2), -EACCES);
	/* The metadata keeps its bytes and moves with the head. */
	EXPECT(bpf_xdp_adjust_head(ctx, -16), 0);
	EXPECT(ctx->data - ctx->data_meta, 8);
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 2) > (void *)(long)ctx->data)
		return XDP_ABORTED;
	EXPECT(meta[0], 0xfeedf00d);
	EXPECT(meta[1], 0x01020304);
	/* The head cannot go into the metadata's room in the frame. */
	EXPECT(bpf_xdp_adjust_head(ctx, -(HEADROOM - FRAME - 8 - 16) - 1),
	       -EINVAL);
	EXPECT(bpf_xdp_adjust_head(ctx, 16), 0);
	EXPECT(bpf_xdp_adjust_meta(ctx, 4), 0);
	EXPECT(ctx->data - ctx->data_meta, 4);
	return XDP_PASS;
}

SEC("xdp")
int xdp_bytes(struct xdp_md *ctx)
{
	__u8 mac[ETH_ALEN] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
	__u8 buf[16] = {};
	__u16 proto = 0;

	EXPECT(bpf_xdp_load_bytes(ctx, 12, &proto, 2), 0);
	EXPECT(proto, 0x0008); /* ETH_P_IP, network order */
	EXPECT(bpf_xdp_load_bytes(ctx, PKT_LEN - 16, buf, 16), 0);
	EXPECT(buf[15], PKT_LEN - 1);
	EXPECT(bpf_xdp_load_bytes(ctx, PKT_LEN - 15, buf, 16), -EINVAL);
	EXPECT(bpf_xdp_load_bytes(ctx, 0x10000, buf, 1), -EFAULT);
	EXPECT(bpf_xdp_store_bytes(ctx, ETH_ALEN, mac, ETH_ALEN), 0);
	EXPECT(bpf_xdp_store_bytes(ctx, PKT_LEN - 5, mac, ETH_ALEN), -EINVAL);
	EXPECT(bpf_xdp_store_bytes(ctx, 0x10000, mac, 1), -EFAULT);
	EXPECT(bpf_xdp_load_bytes(ctx, ETH_ALEN, buf, ETH_ALEN), 0);
	EXPECT(buf[0] == 0x02 && buf[5] == 0xee, 1);
	return XDP_PASS;
}

static __always_inline __u16 fold(__u64 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* The IPv4 header's checksum with csum_diff: whole, then incrementally
 * after a change; the packet leaves with the new header and checksum. */
SEC("xdp")
int xdp_csum(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	__be32 from, to;
	__be32 odd = 0x00030201; /* 3 bytes used */
	__s64 sum;

	if ((void *)(ip + 1) > end)
		return XDP_ABORTED;
	/* A valid header sums to 0xffff. */
	sum = bpf_csum_diff(NULL, 0, (void *)ip, sizeof(*ip), 0);
	RECORD(sum);
	EXPECT(fold(sum), 0xffff);
	/* from only: the negated sum; both: the difference. */
	RECORD(bpf_csum_diff((void *)ip, sizeof(*ip), NULL, 0, 0));
	EXPECT(bpf_csum_diff(NULL, 0, NULL, 0, 0x1234), 0x1234);
	RECORD(bpf_csum_diff(NULL, 0, &odd, 3, 0));
	RECORD(bpf_csum_diff(&odd, 2, &odd, 3, 7));
	/* Rewrite the source address, patch the checksum. */
	from = ip->saddr;
	to = 0x04030201; /* 1.2.3.4 */
	sum = bpf_csum_diff(&from, 4, &to, 4, (__u16)~ip->check);
	RECORD(sum);
	ip->saddr = to;
	ip->check = ~fold(sum);
	sum = bpf_csum_diff(NULL, 0, (void *)ip, sizeof(*ip), 0);
	EXPECT(fold(sum), 0xffff);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
