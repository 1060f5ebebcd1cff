// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * RINGBUF (kernel/bpf/ringbuf.c): output, reserve, submit, discard and
 * query on a 4096-byte ring. Records take an 8-byte header and round up
 * to 8 bytes; the producer may run at most size - 1 bytes ahead of the
 * consumer, so a reservation that does not fit fails (NULL, or -EAGAIN
 * for output) until the host consumes. Every sample starts with its
 * sequence number; the host checks order, sizes and that discarded
 * samples never show. XDP: rb_fill runs in the kernel too (rb_more
 * needs the host to have consumed, which only bpfvm's side does).
 */
#include "expect.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

#define MARK 0x5eb1e55edULL

/* Sample data too large for the stack: seq first, MARK last. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[125]);
} scratch SEC(".maps");

static __always_inline __u64 *pad(__u64 seq)
{
	__u32 zero = 0;
	__u64 *p = bpf_map_lookup_elem(&scratch, &zero);

	if (p) {
		p[0] = seq;
		p[124] = MARK + seq;
	}
	return p;
}

struct small {
	__u64 seq;
	__u64 x;
};

static __always_inline long out(__u64 seq, __u64 flags)
{
	struct small s = { .seq = seq, .x = seq * 3 };

	return bpf_ringbuf_output(&rb, &s, sizeof(s), flags);
}

/* Reserve a 1000-byte sample: seq first, MARK last. */
static __always_inline __u64 *big(__u64 seq)
{
	__u64 *p = bpf_ringbuf_reserve(&rb, 1000, 0);

	if (p) {
		p[0] = seq;
		p[124] = MARK + seq; /* bytes 992..999 */
	}
	return p;
}

SEC("xdp")
int rb_fill(struct xdp_md *ctx)
{
	struct small *s;
	__u64 *a, *b, *c, *d, *p = pad(7);

	EXPECT(bpf_ringbuf_query(&rb, BPF_RB_RING_SIZE), 4096);
	EXPECT(bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA), 0);
	EXPECT(bpf_ringbuf_query(&rb, BPF_RB_PROD_POS), 0);
	EXPECT(bpf_ringbuf_query(&rb, BPF_RB_CONS_POS), 0);

	EXPECT(out(0, 0), 0);
	EXPECT(bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA), 24);
	s = bpf_ringbuf_reserve(&rb, sizeof(*s), 0);
	EXPECT(s != NULL, 1);
	if (s) {
		s->seq = 1;
		s->x = 3;
		bpf_ringbuf_submit(s, BPF_RB_NO_WAKEUP);
	}
	s = bpf_ringbuf_reserve(&rb, sizeof(*s), 0);
	EXPECT(s != NULL, 1);
	if (s) {
		s->seq = 2; /* never seen: discarded */
		bpf_ringbuf_discard(s, 0);
	}
	s = bpf_ringbuf_reserve(&rb, sizeof(*s), 0);
	if (s) {
		s->seq = 3;
		s->x = 9;
		bpf_ringbuf_submit(s, BPF_RB_FORCE_WAKEUP);
	}
	EXPECT(bpf_ringbuf_query(&rb, BPF_RB_PROD_POS), 96);

	/* Bad flags; more than the ring holds. */
	s = bpf_ringbuf_reserve(&rb, sizeof(*s), 1);
	EXPECT(s == NULL, 1);
	if (s)
		bpf_ringbuf_discard(s, 0);
	EXPECT(out(99, 4), -EINVAL);
	a = bpf_ringbuf_reserve(&rb, 8192, 0);
	EXPECT(a == NULL, 1);
	if (a)
		bpf_ringbuf_discard(a, 0);
	/* An empty sample is a header alone: 8 bytes, discarded. */
	a = bpf_ringbuf_reserve(&rb, 0, 0);
	EXPECT(a != NULL, 1);
	if (a)
		bpf_ringbuf_discard(a, 0);
	EXPECT(bpf_ringbuf_query(&rb, BPF_RB_PROD_POS), 104);

	/* 104 + 3 * 1008 = 3128 bytes fit in 4095; a fourth does not. */
	a = big(4);
	b = big(5);
	c = big(6);
	d = big(99);
	EXPECT(a && b && c, 1);
	EXPECT(d == NULL, 1);
	EXPECT(bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA), 3128);
	/* Committed out of order: the host still sees 4, 5, 6. */
	if (c)
		bpf_ringbuf_submit(c, 0);
	if (a)
		bpf_ringbuf_submit(a, 0);
	if (d)
		bpf_ringbuf_discard(d, 0);
	if (b)
		bpf_ringbuf_submit(b, 0);

	/* 3128 + 968 > 4095; 3128 + 960 fits; then not even a header. */
	if (!p)
		return XDP_ABORTED;
	EXPECT(bpf_ringbuf_output(&rb, p, 960, 0), -EAGAIN);
	EXPECT(bpf_ringbuf_output(&rb, p, 952, 0), 0);
	EXPECT(bpf_ringbuf_output(&rb, p, 0, 0), -EAGAIN);
	EXPECT(bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA), 4088);
	EXPECT(bpf_ringbuf_query(&rb, BPF_RB_PROD_POS), 4088);
	EXPECT(bpf_ringbuf_query(&rb, BPF_RB_CONS_POS), 0);
	return XDP_PASS;
}

/* After the host consumed everything: room again, and a sample that
 * wraps around the end of the ring reads back whole. */
SEC("xdp")
int rb_more(struct xdp_md *ctx)
{
	__u64 *a, *b, *p = pad(9);

	EXPECT(bpf_ringbuf_query(&rb, BPF_RB_CONS_POS), 4088);
	EXPECT(bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA), 0);
	a = big(8); /* header at 4088: the data wraps */
	EXPECT(a != NULL, 1);
	if (a)
		bpf_ringbuf_submit(a, 0);
	b = bpf_ringbuf_reserve(&rb, 2000, 0);
	EXPECT(b != NULL, 1);
	if (b)
		bpf_ringbuf_discard(b, 0);
	if (!p)
		return XDP_ABORTED;
	EXPECT(bpf_ringbuf_output(&rb, p, 1000, 0), 0);
	/* 1008 + 2008 + 1008 = 4024; 112 more do not fit. */
	b = bpf_ringbuf_reserve(&rb, 100, 0);
	EXPECT(b == NULL, 1);
	if (b)
		bpf_ringbuf_discard(b, 0);
	EXPECT(bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA), 4024);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
