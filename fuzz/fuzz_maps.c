/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the maps. The input is a map spec (every type,
 * sizes and flags drawn from the values that matter plus raw ones), an
 * inner spec for maps of maps, then a sequence of operations: host
 * commands, program-side helpers, iteration, batch dumps, ring buffer
 * reserve/commit/output/consume, CPU slot changes.
 *
 * Every spec must be judged the same by bpfvm_map_check_spec and
 * bpfvm_map_new. HASH, ARRAY, QUEUE, STACK, LPM_TRIE and RINGBUF run
 * against simple reference models that predict every return code, value,
 * iteration and consumed record; the other types are held to invariants
 * (no crash, LRU updates never fail for room, walks end within
 * max_entries). Buffers are allocated to their exact sizes so ASan sees
 * any access past them.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/maps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                              \
	do {                                                                   \
		fprintf(stderr, "fuzz_maps: " __VA_ARGS__);                    \
		fprintf(stderr, "\n");                                         \
		abort();                                                       \
	} while (0)

#define MAX_OPS 800
#define RB_MAX	(1u << 16) /* ring sizes the fuzzer creates */

/* ---- reading the input ---- */

struct input {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint32_t u32(struct input *in)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v |= (uint32_t)u8(in) << (8 * i);
	return v;
}

static uint64_t u64(struct input *in)
{
	return u32(in) | (uint64_t)u32(in) << 32;
}

static void fill(struct input *in, void *dst, size_t n)
{
	uint8_t *d = dst;

	for (size_t i = 0; i < n; i++)
		d[i] = u8(in);
}

static uint32_t pick(struct input *in, const uint32_t *choices, size_t n)
{
	uint8_t b = u8(in);

	return b < 0xf0 ? choices[b % n] : u32(in);
}

#define PICK(in, arr) pick(in, arr, sizeof(arr) / sizeof(arr[0]))

static const uint32_t types[] = {
	BPFVM_MAP_HASH,
	BPFVM_MAP_ARRAY,
	BPFVM_MAP_PROG_ARRAY,
	BPFVM_MAP_PERCPU_HASH,
	BPFVM_MAP_PERCPU_ARRAY,
	BPFVM_MAP_LRU_HASH,
	BPFVM_MAP_LRU_PERCPU_HASH,
	BPFVM_MAP_LPM_TRIE,
	BPFVM_MAP_ARRAY_OF_MAPS,
	BPFVM_MAP_HASH_OF_MAPS,
	BPFVM_MAP_DEVMAP,
	BPFVM_MAP_QUEUE,
	BPFVM_MAP_STACK,
	BPFVM_MAP_DEVMAP_HASH,
	BPFVM_MAP_RINGBUF,
	4,
};
static const uint32_t key_sizes[] = { 4,  8,  0,  1, 2,	  5,  6,
				      12, 16, 20, 3, 260, 261 };
static const uint32_t value_sizes[] = { 8, 4, 0, 1, 3, 16, 24, 100, 4096 };
static const uint32_t max_entries[] = { 1,   2,	   3, 4,    8,	   16,	    64,
					256, 4096, 0, 8192, 16384, 1u << 31 };
static const uint32_t known_flags[] = {
	BPFVM_F_NO_PREALLOC, BPFVM_F_NO_COMMON_LRU, BPFVM_F_NUMA_NODE,
	BPFVM_F_RDONLY,	     BPFVM_F_WRONLY,	    BPFVM_F_ZERO_SEED,
	BPFVM_F_RDONLY_PROG, BPFVM_F_WRONLY_PROG,   BPFVM_F_MMAPABLE,
	BPFVM_F_INNER_MAP,
};

static uint32_t pick_flags(struct input *in, uint32_t type)
{
	uint8_t b = u8(in);
	uint32_t f = 0;

	switch (b % 8) {
	case 0:
	case 1:
	case 2:
		/* What the type needs to be created at all. */
		return type == BPFVM_MAP_LPM_TRIE ? BPFVM_F_NO_PREALLOC : 0;
	case 3:
		return BPFVM_F_NO_PREALLOC;
	case 7:
		return u32(in);
	default:
		for (int i = 0; i < 3; i++)
			if (u8(in) & 1)
				f |= known_flags[u8(in) % 10];
		return f;
	}
}

static void pick_spec(struct input *in, struct bpfvm_map_spec *s, bool inner)
{
	memset(s, 0, sizeof(*s));
	s->type = types[u8(in) % (sizeof(types) / sizeof(types[0]))];
	s->key_size = PICK(in, key_sizes);
	s->value_size = PICK(in, value_sizes);
	s->max_entries = PICK(in, max_entries);
	/* Shapes that make sense for the type, most of the time. */
	if (!(u8(in) & 3)) {
		static const uint32_t rb_sizes[] = { 4096, 8192, 16384 };

		switch (s->type) {
		case BPFVM_MAP_QUEUE:
		case BPFVM_MAP_STACK:
			s->key_size = 0;
			break;
		case BPFVM_MAP_RINGBUF:
			s->key_size = s->value_size = 0;
			s->max_entries = rb_sizes[u8(in) % 3];
			break;
		case BPFVM_MAP_ARRAY:
		case BPFVM_MAP_PERCPU_ARRAY:
		case BPFVM_MAP_DEVMAP:
		case BPFVM_MAP_DEVMAP_HASH:
			s->key_size = 4;
			break;
		case BPFVM_MAP_PROG_ARRAY:
		case BPFVM_MAP_ARRAY_OF_MAPS:
		case BPFVM_MAP_HASH_OF_MAPS:
			s->key_size = 4;
			s->value_size = 4;
			break;
		}
	}
	s->map_flags = pick_flags(in, s->type);
	if (inner && (s->type == BPFVM_MAP_ARRAY_OF_MAPS ||
		      s->type == BPFVM_MAP_HASH_OF_MAPS))
		s->type = BPFVM_MAP_ARRAY;
}

/* Small enough to create and walk quickly. */
static bool small(const struct bpfvm_map_spec *s, unsigned ncpus)
{
	uint64_t per = (uint64_t)s->key_size + s->value_size + 64;

	if (s->type == BPFVM_MAP_RINGBUF)
		return s->max_entries <= RB_MAX;
	return s->max_entries <= 16384 && s->key_size <= 1024 &&
	       s->value_size <= 65536 &&
	       per * s->max_entries * ncpus <= (64u << 20);
}

/* ---- the objects ids name ---- */

static int progs[4];
static bpfvm_map *objs[3];

static void *resolve(void *owner, uint32_t kind, uint32_t id)
{
	if (kind == BPFVM_OBJ_PROG)
		return id >= 1 && id <= 3 ? &progs[id] : NULL;
	if (kind == BPFVM_OBJ_MAP)
		return id >= 1 && id <= 2 ? objs[id] : NULL;
	return NULL;
}

/* ---- models ---- */

struct fz {
	bpfvm_map *map;
	uint32_t type, ks, vs, max;
	size_t hvs;
	bool model; /* a model follows this map */
	bool percpu, lru;
	/* buffers of exact sizes */
	uint8_t *key, *key2, *val, *hval, *hval2;
	/* HASH / ARRAY / LPM: n entries of key, value; QUEUE/STACK: ring */
	uint8_t *mkeys, *mvals;
	uint32_t *mplen;
	uint32_t n, qhead;
};

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

static int hash_find(struct fz *f, const uint8_t *key)
{
	for (uint32_t i = 0; i < f->n; i++)
		if (!memcmp(f->mkeys + (size_t)i * f->ks, key, f->ks))
			return (int)i;
	return -1;
}

static void hash_remove(struct fz *f, int i)
{
	f->n--;
	memmove(f->mkeys + (size_t)i * f->ks, f->mkeys + (size_t)f->n * f->ks,
		f->ks);
	memmove(f->mvals + (size_t)i * f->vs, f->mvals + (size_t)f->n * f->vs,
		f->vs);
}

static bool bad_flags(uint64_t flags)
{
	return (flags & ~(uint64_t)BPFVM_F_LOCK) > BPFVM_EXIST ||
	       (flags & BPFVM_F_LOCK);
}

/* LPM: data bits. */
static unsigned bit_of(const uint8_t *d, uint32_t i)
{
	return (d[i / 8] >> (7 - i % 8)) & 1;
}

static bool same_prefix(const uint8_t *a, const uint8_t *b, uint32_t plen)
{
	uint32_t i = 0;

	for (; i + 8 <= plen; i += 8)
		if (a[i / 8] != b[i / 8])
			return false;
	for (; i < plen; i++)
		if (bit_of(a, i) != bit_of(b, i))
			return false;
	return true;
}

static uint32_t key_plen(const uint8_t *key)
{
	uint32_t p;

	memcpy(&p, key, 4);
	return p;
}

static int lpm_find(struct fz *f, const uint8_t *key)
{
	uint32_t plen = key_plen(key);

	for (uint32_t i = 0; i < f->n; i++)
		if (f->mplen[i] == plen &&
		    same_prefix(f->mkeys + (size_t)i * f->ks + 4, key + 4,
				plen))
			return (int)i;
	return -1;
}

static int lpm_best(struct fz *f, const uint8_t *key)
{
	uint32_t plen = key_plen(key);
	int best = -1;

	for (uint32_t i = 0; i < f->n; i++)
		if (f->mplen[i] <= plen &&
		    same_prefix(f->mkeys + (size_t)i * f->ks + 4, key + 4,
				f->mplen[i]) &&
		    (best < 0 || f->mplen[i] > f->mplen[best]))
			best = (int)i;
	return best;
}

static void lpm_remove(struct fz *f, int i)
{
	f->mplen[i] = f->mplen[f->n - 1];
	hash_remove(f, i);
}

/* Postorder: where two prefixes part, the 0 side first; a prefix after
 * those it contains. */
static int postorder_cmp(const uint8_t *a, const uint8_t *b)
{
	uint32_t la = key_plen(a), lb = key_plen(b);
	uint32_t common = la < lb ? la : lb;

	for (uint32_t i = 0; i < common; i++)
		if (bit_of(a + 4, i) != bit_of(b + 4, i))
			return bit_of(a + 4, i) ? 1 : -1;
	return la > lb ? -1 : la < lb;
}

/* ---- ring buffer model ---- */

#define RB_RECS (RB_MAX / 8) /* records such a ring can hold */
#define RB_OUT	16

struct rb_rec {
	uint64_t pos, len;
	uint32_t size;
	uint8_t tag;
	uint8_t state; /* 0 busy, 1 submitted, 2 discarded */
};

static struct {
	uint64_t cons, prod, mask;
	struct rb_rec recs[RB_RECS];
	uint32_t head, count;
	uint8_t *out[RB_OUT]; /* samples reserved, not committed */
	uint64_t out_pos[RB_OUT];
	uint8_t next_tag;
	/* consume expectations */
	uint32_t want_idx, stop_after, seen;
} rb;

static struct rb_rec *rb_at(uint32_t i)
{
	return &rb.recs[(rb.head + i) % RB_RECS];
}

static bool rb_fits(uint64_t size)
{
	uint64_t len = (size + 8 + 7) & ~7ull, pend = rb.prod;

	if (size > UINT32_MAX / 4 || len > rb.mask + 1)
		return false;
	for (uint32_t i = 0; i < rb.count; i++)
		if (rb_at(i)->state == 0) {
			pend = rb_at(i)->pos;
			break;
		}
	return rb.prod + len - rb.cons <= rb.mask &&
	       rb.prod + len - pend <= rb.mask;
}

static struct rb_rec *rb_push(uint32_t size, uint8_t state)
{
	struct rb_rec *r;

	if (rb.count == RB_RECS)
		FAIL("ringbuf: more records than the ring can hold");
	r = rb_at(rb.count++);

	r->pos = rb.prod;
	r->len = ((uint64_t)size + 8 + 7) & ~7ull;
	r->size = size;
	r->tag = rb.next_tag++;
	r->state = state;
	rb.prod += r->len;
	return r;
}

static int rb_cb(void *ctx, const void *data, size_t size)
{
	const uint8_t *d = data;
	struct rb_rec *r;

	/* Skip discarded records the way the consumer does. */
	while (rb.want_idx < rb.count && rb_at(rb.want_idx)->state == 2)
		rb.want_idx++;
	if (rb.want_idx >= rb.count)
		FAIL("ringbuf: a sample the model does not have");
	r = rb_at(rb.want_idx++);
	if (r->state != 1 || r->size != size)
		FAIL("ringbuf: sample of %zu bytes, want %u (state %u)", size,
		     r->size, r->state);
	for (size_t i = 0; i < size; i++)
		if (d[i] != (uint8_t)(r->tag + i))
			FAIL("ringbuf: sample bytes differ");
	rb.seen++;
	return rb.stop_after && rb.seen == rb.stop_after;
}

static void rb_consume(struct fz *f, struct input *in)
{
	uint32_t want = 0, i;
	long got;

	rb.stop_after = u8(in) % 4;
	rb.seen = 0;
	rb.want_idx = 0;
	/* The model's answer: records up to the first busy one, or up to
	 * and including the stop_after-th sample. */
	for (i = 0; i < rb.count && rb_at(i)->state != 0; i++) {
		if (rb_at(i)->state == 1 && ++want == rb.stop_after) {
			i++;
			break;
		}
	}
	got = bpfvm_ringbuf_consume(f->map, rb_cb, NULL);
	if (got != (long)want || rb.seen != want)
		FAIL("ringbuf: consumed %ld, want %u", got, want);
	for (uint32_t j = 0; j < i; j++)
		rb.cons += rb_at(j)->len;
	rb.head = (rb.head + i) % RB_RECS;
	rb.count -= i;
	if (bpfvm_ringbuf_query(f->map, BPFVM_RB_CONS_POS) != rb.cons)
		FAIL("ringbuf: consumer position");
}

static void rb_op(struct fz *f, struct input *in, uint8_t op)
{
	uint64_t size = u8(in) & 0x80 ? u32(in) % 20000 : u8(in) * 3u;
	uint64_t flags = u8(in) < 0xf8 ? 0 : u64(in);
	uint8_t *p, pattern[768];
	uint32_t slot;
	bool fits;

	switch (op % 5) {
	case 0: { /* reserve */
		struct rb_rec *r;

		slot = u8(in) % RB_OUT;
		if (rb.out[slot])
			break;
		fits = !flags && rb_fits(size);
		p = bpfvm_ringbuf_reserve(f->map, size, flags);
		if ((p != NULL) != fits)
			FAIL("ringbuf: reserve(%llu) %s",
			     (unsigned long long)size,
			     p ? "succeeded" : "failed");
		if (!p)
			break;
		if ((uintptr_t)p & 7)
			FAIL("ringbuf: sample not 8-byte aligned");
		r = rb_push((uint32_t)size, 0);
		for (uint64_t i = 0; i < size; i++)
			p[i] = (uint8_t)(r->tag + i);
		rb.out[slot] = p;
		rb.out_pos[slot] = r->pos;
		break;
	}
	case 1: /* submit or discard */
		slot = u8(in) % RB_OUT;
		if (!rb.out[slot])
			break;
		for (uint32_t i = 0; i < rb.count; i++) {
			struct rb_rec *r = rb_at(i);

			if (r->pos == rb.out_pos[slot] && r->state == 0) {
				r->state = (flags & 1) ? 2 : 1;
				break;
			}
		}
		if (flags & 1)
			bpfvm_ringbuf_discard(rb.out[slot], flags);
		else
			bpfvm_ringbuf_submit(rb.out[slot], flags);
		rb.out[slot] = NULL;
		break;
	case 2: { /* output */
		long rc, want;

		if (size > sizeof(pattern))
			size = sizeof(pattern);
		if (flags & ~3ull)
			want = -EINVAL;
		else
			want = rb_fits(size) ? 0 : -EAGAIN;
		for (uint64_t i = 0; i < size; i++)
			pattern[i] = (uint8_t)(rb.next_tag + i);
		rc = bpfvm_ringbuf_output(f->map, pattern, size, flags);
		if (rc != want)
			FAIL("ringbuf: output %ld, want %ld", rc, want);
		if (!rc)
			rb_push((uint32_t)size, 1);
		break;
	}
	case 3:
		rb_consume(f, in);
		break;
	default: {
		uint64_t q = u8(in) % 5, got = bpfvm_ringbuf_query(f->map, q);
		uint64_t want = q == 0	 ? rb.prod - rb.cons
				: q == 1 ? rb.mask + 1
				: q == 2 ? rb.cons
				: q == 3 ? rb.prod
					 : 0;

		if (got != want)
			FAIL("ringbuf: query %llu", (unsigned long long)q);
	}
	}
}

/* ---- operations ---- */

struct each_ctx {
	struct fz *f;
	uint32_t stop_at, n;
	bool del;
};

static long each_cb(bpfvm_map *map, const void *key, void *value, void *arg)
{
	struct each_ctx *c = arg;
	struct fz *f = c->f;
	volatile uint8_t sink = 0;

	for (uint32_t i = 0; i < f->vs; i++)
		sink += ((uint8_t *)value)[i];
	(void)sink;
	c->n++;
	if (c->del && bpfvm_map_delete_elem(map, key) == 0 && f->model &&
	    f->type == BPFVM_MAP_HASH) {
		int i = hash_find(f, key);

		if (i < 0)
			FAIL("for_each: deleted a key the model lacks");
		hash_remove(f, i);
	}
	return c->stop_at && c->n == c->stop_at;
}

/* A full walk: finite, and for model-checked maps the model's keys. */
static void walk(struct fz *f)
{
	uint32_t n = 0, limit = f->max + 2;
	int rc;

	if (f->type == BPFVM_MAP_QUEUE || f->type == BPFVM_MAP_STACK ||
	    f->type == BPFVM_MAP_RINGBUF || f->type == 4)
		return;
	for (rc = bpfvm_map_get_next_key(f->map, NULL, f->key2);
	     rc == 0 && n < limit;
	     rc = bpfvm_map_get_next_key(f->map, f->key, f->key2)) {
		if (f->model && f->type == BPFVM_MAP_HASH &&
		    hash_find(f, f->key2) < 0)
			FAIL("walk: a key the model lacks");
		if (f->model && f->type == BPFVM_MAP_LPM_TRIE) {
			if (lpm_find(f, f->key2) < 0)
				FAIL("walk: a prefix the model lacks");
			if (n && postorder_cmp(f->key, f->key2) >= 0)
				FAIL("walk: prefixes out of postorder");
		}
		memcpy(f->key, f->key2, f->ks);
		n++;
	}
	if (rc == -EPERM)
		return;
	if (rc != -ENOENT)
		FAIL("walk: type %u ended with %d after %u keys", f->type, rc,
		     n);
	if (f->model && f->type != BPFVM_MAP_ARRAY && n != f->n)
		FAIL("walk: %u keys, model has %u", n, f->n);
	if (f->type == BPFVM_MAP_ARRAY && n != f->max)
		FAIL("walk: array of %u gave %u keys", f->max, n);
}

static void check_rc(const char *what, long got, long want)
{
	if (got != want)
		FAIL("%s returned %ld, the model says %ld", what, got, want);
}

static uint64_t pick_update_flags(struct input *in)
{
	uint8_t b = u8(in);

	return b < 0xf0 ? b % 6 : u64(in);
}

/* Host update with the model's prediction. */
static void op_update(struct fz *f, struct input *in, bool prog)
{
	uint64_t flags = pick_update_flags(in);
	long rc;
	int i;

	fill(in, f->val, f->vs);
	fill(in, f->hval, f->hvs);
	/* Ids that name something now and then (map-in-map, PROG_ARRAY,
	 * DEVMAP's program). */
	if (f->hvs >= 4 && (u8(in) & 1)) {
		uint32_t id = u8(in) % 4;

		memcpy(f->hval + (f->hvs >= 8 && (u8(in) & 1) ? 4 : 0), &id, 4);
	}
	if (prog)
		rc = bpfvm_map_update_elem(f->map, f->key, f->val, flags);
	else
		rc = bpfvm_map_update(f->map, f->key, f->hval, flags);
	if (f->lru && !bad_flags(flags) && flags <= BPFVM_EXIST && rc != 0 &&
	    rc != -EEXIST && rc != -ENOENT && rc != -EPERM)
		FAIL("lru update failed with %ld", rc);
	if (!f->model || (!prog && rc == -EPERM))
		return;
	const uint8_t *v = prog ? f->val : f->hval;

	switch (f->type) {
	case BPFVM_MAP_HASH:
		i = hash_find(f, f->key);
		if (bad_flags(flags))
			check_rc("hash update", rc, -EINVAL);
		else if (i >= 0 && flags == BPFVM_NOEXIST)
			check_rc("hash update", rc, -EEXIST);
		else if (i < 0 && flags == BPFVM_EXIST)
			check_rc("hash update", rc, -ENOENT);
		else if (i < 0 && f->n == f->max)
			check_rc("hash update", rc, -E2BIG);
		else {
			check_rc("hash update", rc, 0);
			if (i < 0) {
				i = (int)f->n++;
				memcpy(f->mkeys + (size_t)i * f->ks, f->key,
				       f->ks);
			}
			memcpy(f->mvals + (size_t)i * f->vs, v, f->vs);
		}
		break;
	case BPFVM_MAP_ARRAY: {
		uint32_t idx;

		memcpy(&idx, f->key, 4);
		if ((flags & ~(uint64_t)BPFVM_F_LOCK) > BPFVM_EXIST)
			check_rc("array update", rc, -EINVAL);
		else if (idx >= f->max)
			check_rc("array update", rc, -E2BIG);
		else if (flags & BPFVM_NOEXIST)
			check_rc("array update", rc, -EEXIST);
		else if (flags & BPFVM_F_LOCK)
			check_rc("array update", rc, -EINVAL);
		else {
			check_rc("array update", rc, 0);
			memcpy(f->mvals + (size_t)idx * f->vs, v, f->vs);
		}
		break;
	}
	case BPFVM_MAP_LPM_TRIE:
		i = lpm_find(f, f->key);
		if (flags > BPFVM_EXIST || key_plen(f->key) > (f->ks - 4) * 8)
			check_rc("lpm update", rc, -EINVAL);
		else if (i >= 0 && flags == BPFVM_NOEXIST)
			check_rc("lpm update", rc, -EEXIST);
		else if (i < 0 && flags == BPFVM_EXIST)
			check_rc("lpm update", rc, -ENOENT);
		else if (i < 0 && f->n == f->max)
			check_rc("lpm update", rc, -ENOSPC);
		else {
			check_rc("lpm update", rc, 0);
			if (i < 0)
				i = (int)f->n++;
			f->mplen[i] = key_plen(f->key);
			memcpy(f->mkeys + (size_t)i * f->ks, f->key, f->ks);
			memcpy(f->mvals + (size_t)i * f->vs, v, f->vs);
		}
		break;
	case BPFVM_MAP_QUEUE:
	case BPFVM_MAP_STACK:
		/* keyed updates: -EINVAL from programs; the host pushes */
		if (prog)
			check_rc("queue update", rc, -EINVAL);
		break;
	}
}

static void op_lookup(struct fz *f, bool prog)
{
	uint8_t *p = NULL;
	long rc = 0;
	int i;

	if (prog)
		p = bpfvm_map_lookup_elem(f->map, f->key);
	else
		rc = bpfvm_map_lookup(f->map, f->key, f->hval);
	if (prog && p) {
		if (f->type == BPFVM_MAP_ARRAY_OF_MAPS ||
		    f->type == BPFVM_MAP_HASH_OF_MAPS) {
			if (p != (uint8_t *)objs[1] && p != (uint8_t *)objs[2])
				FAIL("inner map lookup gave a stranger");
			return;
		}
		if ((uintptr_t)p & 7)
			FAIL("value pointer not 8-byte aligned");
		/* A program writes the value it got (the model too). */
		for (uint32_t j = 0; j < f->vs; j++)
			p[j] ^= 0x5a;
	}
	if (!f->model || rc == -EPERM)
		return;
	switch (f->type) {
	case BPFVM_MAP_HASH:
		i = hash_find(f, f->key);
		break;
	case BPFVM_MAP_ARRAY: {
		uint32_t idx;

		memcpy(&idx, f->key, 4);
		i = idx < f->max ? (int)idx : -1;
		break;
	}
	case BPFVM_MAP_LPM_TRIE:
		i = lpm_best(f, f->key);
		break;
	default:
		return;
	}
	if (prog) {
		if ((p != NULL) != (i >= 0))
			FAIL("lookup_elem: %s, the model says %s",
			     p ? "found" : "absent",
			     i >= 0 ? "present" : "absent");
		if (!p)
			return;
		for (uint32_t j = 0; j < f->vs; j++)
			f->mvals[(size_t)i * f->vs + j] ^= 0x5a;
		if (memcmp(p, f->mvals + (size_t)i * f->vs, f->vs))
			FAIL("lookup_elem: value differs from the model");
		return;
	}
	check_rc("lookup", rc, i >= 0 ? 0 : -ENOENT);
	if (i >= 0 && memcmp(f->hval, f->mvals + (size_t)i * f->vs, f->vs))
		FAIL("lookup: value differs from the model");
}

static void op_delete(struct fz *f, bool prog, bool and_lookup)
{
	long rc;
	int i;

	if (and_lookup)
		rc = bpfvm_map_lookup_and_delete(f->map, f->key, f->hval);
	else if (prog)
		rc = bpfvm_map_delete_elem(f->map, f->key);
	else
		rc = bpfvm_map_delete(f->map, f->key);
	if (!f->model || rc == -EPERM)
		return;
	switch (f->type) {
	case BPFVM_MAP_HASH:
		i = hash_find(f, f->key);
		check_rc("hash delete", rc, i >= 0 ? 0 : -ENOENT);
		if (i >= 0 && and_lookup &&
		    memcmp(f->hval, f->mvals + (size_t)i * f->vs, f->vs))
			FAIL("lookup_and_delete: value differs");
		if (i >= 0)
			hash_remove(f, i);
		break;
	case BPFVM_MAP_ARRAY:
		check_rc("array delete", rc,
			 and_lookup ? -BPFVM_ENOTSUPP : -EINVAL);
		break;
	case BPFVM_MAP_LPM_TRIE:
		if (and_lookup) {
			check_rc("lpm lookup_and_delete", rc, -BPFVM_ENOTSUPP);
			break;
		}
		i = lpm_find(f, f->key);
		if (key_plen(f->key) > (f->ks - 4) * 8)
			check_rc("lpm delete", rc, -EINVAL);
		else
			check_rc("lpm delete", rc, i >= 0 ? 0 : -ENOENT);
		if (i >= 0 && rc == 0)
			lpm_remove(f, i);
		break;
	}
}

/* QUEUE / STACK against a ring of the model's own. */
static void op_queue(struct fz *f, struct input *in, uint8_t op)
{
	bool stack = f->type == BPFVM_MAP_STACK;
	uint64_t flags = pick_update_flags(in);
	long rc;
	uint32_t at;

	switch (op % 4) {
	case 0: /* push, from a program or the host */
		fill(in, f->val, f->vs);
		rc = (op & 4) ? bpfvm_map_update(f->map, NULL, f->val, flags)
			      : bpfvm_map_push_elem(f->map, f->val, flags);
		if (rc == -EPERM)
			return;
		if ((flags & BPFVM_NOEXIST) || flags > BPFVM_EXIST) {
			check_rc("push", rc, -EINVAL);
			return;
		}
		if (f->n == f->max && flags != BPFVM_EXIST) {
			check_rc("push", rc, -E2BIG);
			return;
		}
		check_rc("push", rc, 0);
		if (f->n == f->max) { /* the oldest goes */
			f->qhead = (f->qhead + 1) % f->max;
			f->n--;
		}
		memcpy(f->mvals + (size_t)((f->qhead + f->n) % f->max) * f->vs,
		       f->val, f->vs);
		f->n++;
		return;
	default: { /* pop or peek, from a program or the host */
		bool pop = op % 4 == 1, host = op & 4;

		if (host)
			rc = pop ? bpfvm_map_lookup_and_delete(f->map, NULL,
							       f->val)
				 : bpfvm_map_lookup(f->map, NULL, f->val);
		else
			rc = pop ? bpfvm_map_pop_elem(f->map, f->val)
				 : bpfvm_map_peek_elem(f->map, f->val);
		if (rc == -EPERM)
			return;
		if (!f->n) {
			check_rc("pop", rc, -ENOENT);
			return;
		}
		check_rc("pop", rc, 0);
		at = stack ? (f->qhead + f->n - 1) % f->max : f->qhead;
		if (memcmp(f->val, f->mvals + (size_t)at * f->vs, f->vs))
			FAIL("pop: value differs from the model");
		if (pop) {
			if (!stack)
				f->qhead = (f->qhead + 1) % f->max;
			f->n--;
		}
	}
	}
}

static void op_batch(struct fz *f, struct input *in)
{
	uint32_t count = u8(in) % 20, n;
	uint8_t *keys = xmalloc((size_t)count * f->ks);
	uint8_t *vals = xmalloc(count * f->hvs);
	uint8_t *cursor = xmalloc(f->ks);
	const void *start = u8(in) & 1 ? f->key : NULL;
	int rc;

	n = count;
	rc = bpfvm_map_lookup_batch(f->map, start, cursor, keys, vals, &n);
	if (rc == 0 && n != count)
		FAIL("batch: 0 with %u of %u elements", n, count);
	if (n > count)
		FAIL("batch: count grew");
	free(keys);
	free(vals);
	free(cursor);
}

static void pick_key(struct fz *f, struct input *in)
{
	uint8_t b = u8(in);

	fill(in, f->key, f->ks);
	if (f->ks >= 4 && (b & 3) == 0) {
		/* Small numbers and prefix lengths hit more often. */
		uint32_t small_v = u8(in) % (f->type == BPFVM_MAP_LPM_TRIE
						     ? (f->ks - 4) * 8 + 2
						     : f->max + 2);

		memcpy(f->key, &small_v, 4);
	}
	if (f->model && f->n && (b & 3) == 1) { /* a key the model holds */
		uint32_t i = u8(in) % f->n;

		if (f->type == BPFVM_MAP_HASH || f->type == BPFVM_MAP_LPM_TRIE)
			memcpy(f->key, f->mkeys + (size_t)i * f->ks, f->ks);
	}
}

static void run_ops(struct fz *f, struct input *in)
{
	for (int ops = 0; in->n && ops < MAX_OPS; ops++) {
		uint8_t op = u8(in);
		struct each_ctx c = { f, 0, 0, false };

		if (f->type == BPFVM_MAP_RINGBUF && op % 8 < 6) {
			rb_op(f, in, op / 8);
			continue;
		}
		if (f->model &&
		    (f->type == BPFVM_MAP_QUEUE ||
		     f->type == BPFVM_MAP_STACK) &&
		    op % 8 < 6) {
			op_queue(f, in, op / 8);
			continue;
		}
		pick_key(f, in);
		switch (op % 16) {
		case 0:
		case 1:
			op_update(f, in, op & 16);
			break;
		case 2:
		case 3:
			op_lookup(f, op & 16);
			break;
		case 4:
			op_delete(f, op & 16, false);
			break;
		case 5:
			op_delete(f, false, true);
			break;
		case 6:
			bpfvm_map_get_next_key(
				f->map, (op & 16) ? f->key : NULL, f->key2);
			break;
		case 7:
			walk(f);
			break;
		case 8:
			c.stop_at = u8(in) % 8;
			c.del = u8(in) & 1;
			bpfvm_map_for_each(f->map, each_cb, &c);
			break;
		case 9:
			op_batch(f, in);
			break;
		case 10:
			bpfvm_cpu_set(u8(in) % 12);
			break;
		case 11: {
			uint8_t *p = bpfvm_map_lookup_percpu_elem(
				f->map, f->key, u8(in) % 10);

			if (p && !f->percpu)
				FAIL("percpu lookup on a map that is not");
			for (uint32_t j = 0; p && j < f->vs; j++)
				p[j]++;
			if (p && f->model)
				FAIL("percpu lookup on a modelled map");
			break;
		}
		case 12:
			bpfvm_map_prog_at(f->map, u32(in) % (f->max + 2));
			break;
		case 13:
			if (f->model)
				break; /* the queue models see these above */
			fill(in, f->val, f->vs);
			bpfvm_map_push_elem(f->map, f->val,
					    pick_update_flags(in));
			bpfvm_map_pop_elem(f->map, f->val);
			bpfvm_map_peek_elem(f->map, f->val);
			break;
		default:
			/* ring buffer calls on any map */
			if (f->type != BPFVM_MAP_RINGBUF) {
				if (bpfvm_ringbuf_reserve(f->map, 8, 0) ||
				    bpfvm_ringbuf_output(f->map, f->key, 0,
							 0) != -EINVAL)
					FAIL("ringbuf call on type %u",
					     f->type);
			}
			break;
		}
	}
}

/* ---- one input ---- */

static void setup_fz(struct fz *f, bpfvm_map *map,
		     const struct bpfvm_map_spec *spec)
{
	memset(f, 0, sizeof(*f));
	f->map = map;
	f->type = spec->type;
	f->ks = spec->key_size;
	f->vs = spec->value_size;
	f->max = spec->max_entries;
	f->hvs = bpfvm_map_host_value_size(map);
	f->percpu = f->type == BPFVM_MAP_PERCPU_HASH ||
		    f->type == BPFVM_MAP_PERCPU_ARRAY ||
		    f->type == BPFVM_MAP_LRU_PERCPU_HASH;
	f->lru = f->type == BPFVM_MAP_LRU_HASH ||
		 f->type == BPFVM_MAP_LRU_PERCPU_HASH;
	f->key = xmalloc(f->ks);
	f->key2 = xmalloc(f->ks);
	f->val = xmalloc(f->vs);
	f->hval = xmalloc(f->hvs);
	switch (f->type) {
	case BPFVM_MAP_HASH:
	case BPFVM_MAP_ARRAY:
	case BPFVM_MAP_LPM_TRIE:
	case BPFVM_MAP_QUEUE:
	case BPFVM_MAP_STACK:
		f->model = true;
		f->mkeys = calloc((size_t)f->max, f->ks ? f->ks : 1);
		f->mvals = calloc((size_t)f->max, f->vs);
		f->mplen = calloc((size_t)f->max, sizeof(uint32_t));
		if (!f->mkeys || !f->mvals || !f->mplen)
			abort();
		break;
	case BPFVM_MAP_RINGBUF:
		memset(&rb, 0, sizeof(rb));
		rb.mask = f->max - 1;
		break;
	}
}

static void free_fz(struct fz *f)
{
	free(f->key);
	free(f->key2);
	free(f->val);
	free(f->hval);
	free(f->mkeys);
	free(f->mvals);
	free(f->mplen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct bpfvm_map_spec spec, inner, other;
	bpfvm_error err = { 0 };
	unsigned ncpus = 1 + u8(&in) % 8;
	bpfvm_map *map;
	struct fz f;
	int rc;

	bpfvm_set_ncpus(ncpus);
	bpfvm_cpu_set(u8(&in) % 10);
	pick_spec(&in, &spec, false);
	pick_spec(&in, &inner, true);
	if (spec.type == BPFVM_MAP_ARRAY_OF_MAPS ||
	    spec.type == BPFVM_MAP_HASH_OF_MAPS)
		spec.inner = u8(&in) % 8 ? &inner : NULL;
	if (spec.type == BPFVM_MAP_RINGBUF && spec.max_entries > (1u << 20))
		spec.max_entries = 4096;

	rc = bpfvm_map_check_spec(&spec, &err);
	if (rc > 0 || (rc && !err.msg[0]))
		FAIL("check_spec: %d without a message", rc);
	if (!small(&spec, ncpus) || (spec.inner && !small(&inner, ncpus)))
		goto out;
	map = bpfvm_map_new(&spec, &err);
	if ((map == NULL) != (rc != 0))
		FAIL("map_new and check_spec disagree (%d: %s)", rc, err.msg);
	if (!map)
		goto out;

	/* The objects behind ids: an inner-shaped map and another. */
	other = inner;
	other.max_entries = u8(&in) & 1 ? inner.max_entries : 3;
	objs[1] = small(&inner, ncpus) ? bpfvm_map_new(&inner, NULL) : NULL;
	objs[2] = small(&other, ncpus) ? bpfvm_map_new(&other, NULL) : NULL;
	if (u8(&in) % 8)
		bpfvm_map_set_object_resolver(map, resolve, NULL);

	setup_fz(&f, map, &spec);
	run_ops(&f, &in);
	walk(&f);
	free_fz(&f);
	bpfvm_map_unref(map);
	bpfvm_map_unref(objs[1]);
	bpfvm_map_unref(objs[2]);
	objs[1] = objs[2] = NULL;
out:
	bpfvm_set_ncpus(0);
	bpfvm_cpu_set(0);
	return 0;
}
