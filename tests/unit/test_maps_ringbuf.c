/* SPDX-License-Identifier: MIT */
/*
 * RINGBUF: record layout, reserve/submit/discard/output, the consumer's
 * order and its stop at a record still reserved, query values, overflow
 * (reserve fails when full, works again after consuming), wraparound
 * with records straddling the end, and the operations it does not have.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/maps.h"
#include "check.h"

#define RING 4096u

static bpfvm_map *mk_ring(uint32_t size)
{
	struct bpfvm_map_spec spec = { .type = BPFVM_MAP_RINGBUF,
				       .max_entries = size };
	bpfvm_error err = { 0 };
	bpfvm_map *map = bpfvm_map_new(&spec, &err);

	if (!map)
		fprintf(stderr, "ringbuf: %s\n", err.msg);
	return map;
}

struct seen {
	int n;
	size_t sizes[512];
	uint8_t first[512];
	int stop_after; /* stop when n reaches it (0: never) */
	int bad;	/* a sample whose bytes are not its pattern */
};

/* Samples filled by fill(): byte i is (tag + i). */
static void fill(uint8_t *p, size_t n, uint8_t tag)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(tag + i);
}

static int collect(void *ctx, const void *data, size_t size)
{
	struct seen *s = ctx;
	const uint8_t *p = data;

	if (s->n < 512) {
		s->sizes[s->n] = size;
		s->first[s->n] = size ? p[0] : 0;
	}
	for (size_t i = 1; i < size; i++)
		if (p[i] != (uint8_t)(p[0] + i))
			s->bad++;
	if (((uintptr_t)data & 7) != 0)
		s->bad++;
	s->n++;
	return s->stop_after && s->n == s->stop_after;
}

static void test_basics(void)
{
	bpfvm_map *rb = mk_ring(RING);
	struct seen s = { 0 };
	uint8_t *a, *b, *c;
	uint32_t hdr[2];

	if (!rb)
		return;
	CHECK(bpfvm_ringbuf_query(rb, BPFVM_RB_RING_SIZE) == RING);
	CHECK(bpfvm_ringbuf_query(rb, BPFVM_RB_AVAIL_DATA) == 0);
	a = bpfvm_ringbuf_reserve(rb, 10, 0);
	CHECK(a && ((uintptr_t)a & 7) == 0);
	if (!a)
		return;
	/* An 8-byte header before the sample: length with the BUSY bit. */
	memcpy(hdr, a - 8, 8);
	CHECK(hdr[0] == (10u | 1u << 31));
	CHECK(bpfvm_ringbuf_query(rb, BPFVM_RB_PROD_POS) == 24);
	CHECK(bpfvm_ringbuf_query(rb, BPFVM_RB_AVAIL_DATA) == 24);
	CHECK(bpfvm_ringbuf_consume(rb, collect, &s) == 0); /* busy */
	fill(a, 10, 1);
	bpfvm_ringbuf_submit(a, BPFVM_RB_FORCE_WAKEUP);
	memcpy(hdr, a - 8, 8);
	CHECK(hdr[0] == 10);
	CHECK(bpfvm_ringbuf_consume(rb, collect, &s) == 1);
	CHECK(s.n == 1 && s.sizes[0] == 10 && s.first[0] == 1);
	CHECK(bpfvm_ringbuf_query(rb, BPFVM_RB_CONS_POS) == 24);
	CHECK(bpfvm_ringbuf_query(rb, BPFVM_RB_AVAIL_DATA) == 0);

	/* Committed out of order: the consumer waits for the first. */
	a = bpfvm_ringbuf_reserve(rb, 16, 0);
	b = bpfvm_ringbuf_reserve(rb, 3, 0);
	c = bpfvm_ringbuf_reserve(rb, 0, 0);
	CHECK(a && b && c);
	if (!a || !b || !c)
		return;
	fill(a, 16, 10);
	fill(b, 3, 20);
	bpfvm_ringbuf_submit(b, 0);
	bpfvm_ringbuf_discard(c, BPFVM_RB_NO_WAKEUP);
	s.n = 0;
	CHECK(bpfvm_ringbuf_consume(rb, collect, &s) == 0);
	bpfvm_ringbuf_submit(a, 0);
	CHECK(bpfvm_ringbuf_consume(rb, collect, &s) == 2);
	CHECK(s.n == 2 && s.first[0] == 10 && s.sizes[0] == 16 &&
	      s.first[1] == 20 && s.sizes[1] == 3 && !s.bad);

	/* output copies; bad flags are refused */
	uint8_t msg[5] = { 7, 8, 9, 10, 11 };

	CHECK(bpfvm_ringbuf_output(rb, msg, 5, BPFVM_RB_NO_WAKEUP) == 0);
	CHECK(bpfvm_ringbuf_output(rb, msg, 5, 4) == -EINVAL);
	CHECK(bpfvm_ringbuf_reserve(rb, 8, 1) == NULL);
	s.n = 0;
	CHECK(bpfvm_ringbuf_consume(rb, collect, &s) == 1 && s.first[0] == 7);

	/* The callback stops the walk after its sample. */
	for (int i = 0; i < 3; i++)
		CHECK(bpfvm_ringbuf_output(rb, msg, 2, 0) == 0);
	s.n = 0;
	s.stop_after = 1;
	CHECK(bpfvm_ringbuf_consume(rb, collect, &s) == 1);
	s.stop_after = 0;
	CHECK(bpfvm_ringbuf_consume(rb, collect, &s) == 2);
	bpfvm_ringbuf_submit(NULL, 0); /* harmless */
	bpfvm_map_unref(rb);
}

/* Room: at most size - 8 bytes of records at once, as in the kernel. */
static void test_overflow(void)
{
	bpfvm_map *rb = mk_ring(RING);
	struct seen s = { .stop_after = 1 };
	int n = 0;
	void *p;

	if (!rb)
		return;
	CHECK(bpfvm_ringbuf_reserve(rb, RING, 0) == NULL);
	CHECK(bpfvm_ringbuf_reserve(rb, RING - 15, 0) == NULL);
	p = bpfvm_ringbuf_reserve(rb, RING - 16, 0);
	CHECK(p != NULL);
	bpfvm_ringbuf_discard(p, 0);
	CHECK(bpfvm_ringbuf_consume(rb, collect, &s) == 0);
	CHECK(bpfvm_ringbuf_query(rb, BPFVM_RB_AVAIL_DATA) == 0);

	/* 100-byte samples take 112 bytes: 36 fit in 4095. */
	while ((p = bpfvm_ringbuf_reserve(rb, 100, 0)) != NULL) {
		fill(p, 100, (uint8_t)n);
		bpfvm_ringbuf_submit(p, 0);
		n++;
	}
	CHECK(n == 36);
	/* 63 bytes are left: a 64-byte record does not fit. */
	uint8_t buf[56] = { 0 };

	CHECK(bpfvm_ringbuf_output(rb, buf, 56, 0) == -EAGAIN);
	CHECK(bpfvm_ringbuf_query(rb, BPFVM_RB_AVAIL_DATA) == 36 * 112);
	CHECK(bpfvm_ringbuf_consume(rb, collect, &s) == 1);
	p = bpfvm_ringbuf_reserve(rb, 100, 0);
	CHECK(p != NULL);
	CHECK(bpfvm_ringbuf_reserve(rb, 100, 0) == NULL);
	if (p)
		bpfvm_ringbuf_submit(p, 0);
	bpfvm_map_unref(rb);
}

/* Many laps of mixed sizes: records that straddle the end still read
 * back whole and in order. */
static void test_wraparound(void)
{
	bpfvm_map *rb = mk_ring(RING);
	struct seen s = { 0 };
	size_t want_sizes[64];
	uint8_t want_first[64];
	int straddled = 0;

	if (!rb)
		return;
	for (int round = 0; round < 400; round++) {
		int k = 0;

		for (; k < 5; k++) {
			size_t size = (size_t)(round * 37 + k * 101) % 700;
			uint64_t pos =
				bpfvm_ringbuf_query(rb, BPFVM_RB_PROD_POS);
			uint8_t *p = bpfvm_ringbuf_reserve(rb, size, 0);

			if (!p)
				break;
			if ((pos & (RING - 1)) + 8 + size > RING)
				straddled++;
			fill(p, size, (uint8_t)(round + k));
			want_sizes[k] = size;
			want_first[k] = size ? (uint8_t)(round + k) : 0;
			bpfvm_ringbuf_submit(p, 0);
		}
		s.n = 0;
		CHECK(bpfvm_ringbuf_consume(rb, collect, &s) == k);
		for (int i = 0; i < k; i++)
			CHECK(s.sizes[i] == want_sizes[i] &&
			      s.first[i] == want_first[i]);
	}
	CHECK(!s.bad);
	CHECK(straddled > 10);
	CHECK(bpfvm_ringbuf_query(rb, BPFVM_RB_PROD_POS) > 100 * RING);
	CHECK(bpfvm_ringbuf_query(rb, BPFVM_RB_CONS_POS) ==
	      bpfvm_ringbuf_query(rb, BPFVM_RB_PROD_POS));
	bpfvm_map_unref(rb);
}

static void test_not_supported(void)
{
	bpfvm_map *rb = mk_ring(RING);
	struct bpfvm_map_spec hs = { .type = BPFVM_MAP_HASH,
				     .key_size = 4,
				     .value_size = 4,
				     .max_entries = 4 };
	bpfvm_map *hash = bpfvm_map_new(&hs, NULL);
	uint32_t x = 0, n = 4;

	if (!rb || !hash)
		return;
	CHECK(bpfvm_map_lookup(rb, NULL, &x) == -BPFVM_ENOTSUPP);
	CHECK(bpfvm_map_update(rb, NULL, &x, 0) == -BPFVM_ENOTSUPP);
	CHECK(bpfvm_map_delete(rb, NULL) == -BPFVM_ENOTSUPP);
	CHECK(bpfvm_map_get_next_key(rb, NULL, &x) == -BPFVM_ENOTSUPP);
	CHECK(bpfvm_map_lookup_and_delete(rb, NULL, &x) == -BPFVM_ENOTSUPP);
	CHECK(bpfvm_map_lookup_batch(rb, NULL, &x, &x, &x, &n) ==
	      -BPFVM_ENOTSUPP);
	CHECK(bpfvm_map_lookup_elem(rb, NULL) == NULL);
	CHECK(bpfvm_map_update_elem(rb, NULL, &x, 0) == -EINVAL);
	CHECK(bpfvm_map_host_value_size(rb) == 0);
	CHECK(bpfvm_ringbuf_query(rb, 9) == 0);
	CHECK(bpfvm_ringbuf_query(hash, BPFVM_RB_RING_SIZE) == 0);
	CHECK(bpfvm_ringbuf_reserve(hash, 8, 0) == NULL);
	CHECK(bpfvm_ringbuf_output(hash, &x, 4, 0) == -EINVAL);
	CHECK(bpfvm_ringbuf_consume(hash, collect, NULL) == -EINVAL);
	CHECK(bpfvm_ringbuf_reserve(rb, 1ull << 40, 0) == NULL);
	bpfvm_map_unref(rb);
	bpfvm_map_unref(hash);
}

int main(void)
{
	test_basics();
	test_overflow();
	test_wraparound();
	test_not_supported();
	DONE();
}
