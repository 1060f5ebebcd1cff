/* SPDX-License-Identifier: MIT */
/*
 * RINGBUF (kernel/bpf/ringbuf.c): one ring of max_entries bytes shared by
 * every producer, read in order by the host.
 *
 * A record is an 8-byte header (u32 length with the BUSY and DISCARD bits,
 * u32 offset of the header in the ring, where the kernel keeps its pg_off)
 * and its data, 8-byte aligned. Producers
 * reserve under a spinlock, as the kernel does; submit and discard only
 * flip the header's bits, so a record reserved later may be committed
 * earlier. The consumer stops at the first record still BUSY.
 *
 * The kernel maps the data pages twice, back to back, so a record that
 * wraps past the end is still contiguous. Here the data area is simply
 * twice as long: a record starting near the end runs on into the second
 * half. Positions are free-running 64-bit counters, as in the kernel;
 * (pos & mask) is where a record's header lives.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map_internal.h"

#define RB_BUSY_BIT	 (1u << 31)
#define RB_DISCARD_BIT	 (1u << 30)
#define RB_HDR_SZ	 8u
#define RB_MAX_RECORD_SZ (UINT32_MAX / 4)

struct rb_hdr {
	uint32_t len; /* atomic */
	uint32_t off; /* of the header from data[0] */
};

struct ringbuf {
	struct bpfvm_map map;
	struct map_lock lock; /* producers */
	pthread_mutex_t consumer_lock;
	uint64_t mask;
	uint64_t consumer_pos; /* atomic */
	uint64_t producer_pos; /* atomic */
	uint64_t pending_pos;  /* under lock: the oldest record not committed */
	char *data;
};

/* Where data starts in the allocation. */
#define RB_DATA_OFF ((sizeof(struct ringbuf) + 63) & ~(size_t)63)

static struct ringbuf *rb_of(struct bpfvm_map *map)
{
	return (struct ringbuf *)map;
}

static int rb_check(const struct bpfvm_map_spec *spec, bpfvm_error *err)
{
	uint32_t n = spec->max_entries;

	if (spec->key_size || spec->value_size)
		return map_spec_fail(err, EINVAL,
				     "key_size and value_size must be 0 for "
				     "ringbuf maps, not %u and %u",
				     spec->key_size, spec->value_size);
	if (!n || (n & (n - 1)) || n % MAP_PAGE_SIZE)
		return map_spec_fail(err, EINVAL,
				     "max_entries %u is invalid for ringbuf "
				     "maps: the data size must be a power of 2 "
				     "and a multiple of %u",
				     n, MAP_PAGE_SIZE);
	return 0;
}

static uint64_t rb_mem(const struct bpfvm_map_spec *spec, uint32_t ncpus)
{
	return RB_DATA_OFF + 2 * (uint64_t)spec->max_entries;
}

static struct bpfvm_map *rb_alloc(const struct bpfvm_map *proto)
{
	size_t size = proto->spec.max_entries;
	struct ringbuf *rb = aligned_alloc(64, RB_DATA_OFF + 2 * size);

	if (!rb)
		return NULL;
	memset(rb, 0, RB_DATA_OFF);
	rb->map = *proto;
	rb->mask = size - 1;
	rb->data = (char *)rb + RB_DATA_OFF;
	pthread_mutex_init(&rb->consumer_lock, NULL);
	return &rb->map;
}

static void rb_free(struct bpfvm_map *map)
{
	pthread_mutex_destroy(&rb_of(map)->consumer_lock);
	free(rb_of(map));
}

static struct rb_hdr *hdr_at(struct ringbuf *rb, uint64_t pos)
{
	return (struct rb_hdr *)(rb->data + (pos & rb->mask));
}

static uint64_t record_len(uint32_t len)
{
	return ((uint64_t)(len & ~(RB_BUSY_BIT | RB_DISCARD_BIT)) + RB_HDR_SZ +
		7) &
	       ~7ull;
}

/*
 * __bpf_ringbuf_reserve. Room is bounded twice: the producer may run at
 * most size - 1 bytes ahead of the consumer, and at most size - 1 bytes
 * ahead of the oldest record not yet committed (else a long-held record
 * could be overtaken and its header overwritten).
 */
static void *rb_reserve(struct ringbuf *rb, uint64_t size)
{
	uint64_t len, cons, pend, prod;
	struct rb_hdr *h;

	if (size > RB_MAX_RECORD_SZ)
		return NULL;
	len = (size + RB_HDR_SZ + 7) & ~7ull;
	if (len > rb->mask + 1)
		return NULL;
	cons = __atomic_load_n(&rb->consumer_pos, __ATOMIC_ACQUIRE);
	map_lock(&rb->lock);
	pend = rb->pending_pos;
	prod = rb->producer_pos;
	while (pend < prod) {
		uint32_t l = __atomic_load_n(&hdr_at(rb, pend)->len,
					     __ATOMIC_ACQUIRE);

		if (l & RB_BUSY_BIT)
			break;
		pend += record_len(l);
	}
	rb->pending_pos = pend;
	if (prod + len - cons > rb->mask || prod + len - pend > rb->mask) {
		map_unlock(&rb->lock);
		return NULL;
	}
	h = hdr_at(rb, prod);
	__atomic_store_n(&h->len, (uint32_t)size | RB_BUSY_BIT,
			 __ATOMIC_RELAXED);
	h->off = (uint32_t)(prod & rb->mask);
	__atomic_store_n(&rb->producer_pos, prod + len, __ATOMIC_RELEASE);
	map_unlock(&rb->lock);
	return h + 1;
}

void *bpfvm_ringbuf_reserve(bpfvm_map *map, uint64_t size, uint64_t flags)
{
	if (!map || map->spec.type != BPFVM_MAP_RINGBUF || flags)
		return NULL;
	return rb_reserve(rb_of(map), size);
}

/* bpf_ringbuf_commit: clearing BUSY (with release order) publishes the
 * data. The kernel finds the ring from the header to wake its poller;
 * without one, the wakeup flags mean nothing and the record is enough. */
static void rb_commit(void *sample, bool discard)
{
	struct rb_hdr *h;
	uint32_t len;

	if (!sample)
		return;
	h = (struct rb_hdr *)sample - 1;
	len = __atomic_load_n(&h->len, __ATOMIC_RELAXED) & ~RB_BUSY_BIT;
	if (discard)
		len |= RB_DISCARD_BIT;
	__atomic_store_n(&h->len, len, __ATOMIC_RELEASE);
}

void bpfvm_ringbuf_submit(void *sample, uint64_t flags)
{
	rb_commit(sample, false);
}

void bpfvm_ringbuf_discard(void *sample, uint64_t flags)
{
	rb_commit(sample, true);
}

long bpfvm_ringbuf_output(bpfvm_map *map, const void *data, uint64_t size,
			  uint64_t flags)
{
	void *rec;

	if (!map || map->spec.type != BPFVM_MAP_RINGBUF)
		return -EINVAL;
	if (flags & ~(uint64_t)(BPFVM_RB_NO_WAKEUP | BPFVM_RB_FORCE_WAKEUP))
		return -EINVAL;
	if (size && !data)
		return -EFAULT;
	rec = rb_reserve(rb_of(map), size);
	if (!rec)
		return -EAGAIN;
	if (size)
		memcpy(rec, data, size);
	rb_commit(rec, false);
	return 0;
}

uint64_t bpfvm_ringbuf_query(bpfvm_map *map, uint64_t flags)
{
	struct ringbuf *rb;
	uint64_t cons, prod;

	if (!map || map->spec.type != BPFVM_MAP_RINGBUF)
		return 0;
	rb = rb_of(map);
	switch (flags) {
	case BPFVM_RB_AVAIL_DATA:
		cons = __atomic_load_n(&rb->consumer_pos, __ATOMIC_ACQUIRE);
		prod = __atomic_load_n(&rb->producer_pos, __ATOMIC_ACQUIRE);
		return prod - cons;
	case BPFVM_RB_RING_SIZE:
		return rb->mask + 1;
	case BPFVM_RB_CONS_POS:
		return __atomic_load_n(&rb->consumer_pos, __ATOMIC_ACQUIRE);
	case BPFVM_RB_PROD_POS:
		return __atomic_load_n(&rb->producer_pos, __ATOMIC_ACQUIRE);
	default:
		return 0;
	}
}

/* libbpf's ringbuf_process_ring, for one consumer at a time. */
long bpfvm_ringbuf_consume(bpfvm_map *map,
			   int (*cb)(void *ctx, const void *data, size_t size),
			   void *ctx)
{
	struct ringbuf *rb;
	uint64_t cons, prod;
	long n = 0;

	if (!map || map->spec.type != BPFVM_MAP_RINGBUF || !cb)
		return -EINVAL;
	rb = rb_of(map);
	pthread_mutex_lock(&rb->consumer_lock);
	cons = __atomic_load_n(&rb->consumer_pos, __ATOMIC_RELAXED);
	prod = __atomic_load_n(&rb->producer_pos, __ATOMIC_ACQUIRE);
	while (cons < prod) {
		struct rb_hdr *h = hdr_at(rb, cons);
		uint32_t len = __atomic_load_n(&h->len, __ATOMIC_ACQUIRE);
		int stop = 0;

		if (len & RB_BUSY_BIT)
			break;
		cons += record_len(len);
		if (!(len & RB_DISCARD_BIT)) {
			n++;
			stop = cb(ctx, h + 1, len & ~RB_DISCARD_BIT);
		}
		__atomic_store_n(&rb->consumer_pos, cons, __ATOMIC_RELEASE);
		if (stop)
			break;
		if (cons == prod)
			prod = __atomic_load_n(&rb->producer_pos,
					       __ATOMIC_ACQUIRE);
	}
	pthread_mutex_unlock(&rb->consumer_lock);
	return n;
}

const struct map_ops ringbuf_map_ops = {
	.name = "ringbuf",
	.flags_ok = BPFVM_F_NUMA_NODE,
	.check = rb_check,
	.mem = rb_mem,
	.alloc = rb_alloc,
	.free = rb_free,
};
