/* SPDX-License-Identifier: MIT */
/*
 * The hash table behind HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH,
 * HASH_OF_MAPS and DEVMAP_HASH (kernel/bpf/hashtab.c), and the HASH and
 * PERCPU_HASH types themselves.
 *
 * Buckets are a power of two (max_entries rounded up), each a chain under
 * its own spinlock; lookups take the lock too, which keeps them simple and
 * correct against concurrent updates for the price of two atomics.
 *
 * Elements come from a pool and go back to it, never to the allocator
 * while the map lives: a value pointer a program holds stays valid memory
 * after its element is deleted (it may be reused for another key, as with
 * the kernel's preallocated maps). By default the pool is carved whole at
 * creation; with BPF_F_NO_PREALLOC it grows in chunks on demand, up to the
 * same bound, and still keeps what it carved (the kernel would free such
 * elements after an RCU grace period instead).
 *
 * Replacing an existing key's value links a fresh element and unlinks the
 * old one, as the kernel does, so a lookup sees either value whole. For
 * that the pool holds a few spare elements beyond max_entries (the
 * kernel's per-CPU extra_elems); if more replacements than spares run at
 * once, the rest copy the new value in place. Per-CPU tables always update
 * values in place (pcpu_copy_value).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "maps/map_internal.h"

#define HTAB_SPARES 16u

/* ---- the hash function: seeded, word at a time, murmur-style finish ---- */

static inline uint64_t rotl64(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

uint32_t htab_hash(const struct htab *t, const void *key)
{
	const unsigned char *p = key;
	size_t n = t->key_size;
	uint64_t h = t->seed ^ (n * 0x9e3779b97f4a7c15ull), w;

	for (; n >= 8; n -= 8, p += 8) {
		memcpy(&w, p, 8);
		h ^= w * 0x87c37b91114253d5ull;
		h = rotl64(h, 27) * 0x4cf5ad432745937full + 0x52dce729;
	}
	if (n) {
		unsigned sh = 0;
		uint32_t lo;

		/* The tail: one load for u32 keys, bytes after that. */
		w = 0;
		if (n >= 4) {
			memcpy(&lo, p, 4);
			w = lo;
			p += 4;
			n -= 4;
			sh = 32;
		}
		for (; n; n--, sh += 8)
			w |= (uint64_t)*p++ << sh;
		h ^= w * 0x87c37b91114253d5ull;
		h = rotl64(h, 31) * 0x4cf5ad432745937full;
	}
	return (uint32_t)fmix64(h);
}

/* The kernel seeds each table with get_random_u32(); a seed that differs
 * per table and per run is what matters against chosen-key collisions. */
static uint64_t new_seed(const void *salt)
{
	static uint64_t counter;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return fmix64((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
		      (uintptr_t)salt ^
		      __atomic_add_fetch(&counter, 0x9e3779b97f4a7c15ull,
					 __ATOMIC_RELAXED));
}

/* ---- geometry, creation ---- */

static uint32_t spares_of(const struct bpfvm_map_spec *spec, uint32_t nslots)
{
	bool lru = spec->type == BPFVM_MAP_LRU_HASH ||
		   spec->type == BPFVM_MAP_LRU_PERCPU_HASH;

	if (lru || nslots > 1)
		return 0;
	return spec->max_entries < HTAB_SPARES ? spec->max_entries
					       : HTAB_SPARES;
}

static size_t elem_size_of(uint32_t key_size, uint32_t vsize, uint32_t nslots)
{
	return sizeof(struct htab_elem) + round_up8(key_size) +
	       (size_t)round_up8(vsize) * nslots;
}

uint64_t htab_mem(const struct bpfvm_map_spec *spec, uint32_t vsize,
		  uint32_t nslots)
{
	uint64_t nelem = (uint64_t)spec->max_entries + spares_of(spec, nslots);
	uint64_t elem = sat_add(sizeof(struct htab_elem),
				sat_add(round_up8(spec->key_size),
					sat_mul(round_up8(vsize), nslots)));

	return sat_add(sat_mul(roundup_pow2(spec->max_entries),
			       sizeof(struct htab_bucket)),
		       sat_mul(nelem, elem));
}

struct htab *htab_alloc(const struct bpfvm_map *proto, size_t obj_size,
			uint32_t vsize)
{
	const struct bpfvm_map_spec *spec = &proto->spec;
	uint64_t nbuckets = roundup_pow2(spec->max_entries);
	struct htab *t = calloc(1, obj_size);

	if (!t)
		return NULL;
	t->map = *proto;
	t->key_size = spec->key_size;
	t->key_stride = round_up8(spec->key_size);
	t->vsize = vsize;
	t->vstride = round_up8(vsize);
	t->nslots = proto->ops->percpu ? proto->ncpus : 1;
	t->elem_size = elem_size_of(spec->key_size, vsize, t->nslots);
	t->mask = (uint32_t)(nbuckets - 1);
	t->lru = spec->type == BPFVM_MAP_LRU_HASH ||
		 spec->type == BPFVM_MAP_LRU_PERCPU_HASH;
	t->seed = spec->map_flags & BPFVM_F_ZERO_SEED ? 0 : new_seed(t);
	t->spares = spares_of(spec, t->nslots);
	t->lru_head.prev = t->lru_head.next = &t->lru_head;
	t->buckets = calloc(nbuckets, sizeof(*t->buckets));
	/* Preallocated: one chunk with every element, like the kernel's
	 * prealloc_init, so a full map never allocates. */
	if (!t->buckets ||
	    !map_pool_init(&t->pool, t->elem_size,
			   (uint64_t)spec->max_entries + t->spares,
			   !(spec->map_flags & BPFVM_F_NO_PREALLOC)))
		goto fail;
	return t;
fail:
	htab_free(t);
	return NULL;
}

void htab_free(struct htab *t)
{
	if (t->release && t->buckets) {
		for (uint64_t i = 0; i <= t->mask; i++)
			for (struct htab_elem *e = t->buckets[i].head; e;
			     e = e->next)
				t->release(t, htab_elem_value(t, e, 0));
	}
	map_pool_destroy(&t->pool);
	free(t->buckets);
	free(t);
}

/* ---- elements in buckets ---- */

/* Element keys are 8-byte aligned; small keys compare in one load. */
static inline bool key_equal(const void *elem_key, const void *key, uint32_t n)
{
	uint32_t a4, b4;
	uint64_t a8, b8;

	switch (n) {
	case 4:
		memcpy(&a4, elem_key, 4);
		memcpy(&b4, key, 4);
		return a4 == b4;
	case 8:
		memcpy(&a8, elem_key, 8);
		memcpy(&b8, key, 8);
		return a8 == b8;
	default:
		return !memcmp(elem_key, key, n);
	}
}

struct htab_elem *htab_find(struct htab *t, struct htab_bucket *b,
			    uint32_t hash, const void *key)
{
	for (struct htab_elem *e = b->head; e; e = e->next)
		if (__atomic_load_n(&e->hash, __ATOMIC_RELAXED) == hash &&
		    key_equal(e->data, key, t->key_size))
			return e;
	return NULL;
}

bool htab_unlink(struct htab_bucket *b, struct htab_elem *e)
{
	for (struct htab_elem **pp = &b->head; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			return true;
		}
	}
	return false;
}

static void link_head(struct htab_bucket *b, struct htab_elem *e)
{
	e->next = b->head;
	b->head = e;
}

/* Key and hash of an element that is not in the table yet. */
static void fill_key(struct htab *t, struct htab_elem *e, const void *key,
		     uint32_t hash)
{
	memcpy(e->data, key, t->key_size);
	__atomic_store_n(&e->hash, hash, __ATOMIC_RELAXED);
}

static void store_slot(struct htab *t, void *dst, const void *src)
{
	map_copy_in(dst, src, t->vsize);
	map_zero((char *)dst + t->vsize, t->vstride - t->vsize);
}

void htab_fill_value(struct htab *t, struct htab_elem *e, const void *value,
		     uint32_t cpu)
{
	if (t->nslots == 1) {
		store_slot(t, htab_elem_value(t, e, 0), value);
		return;
	}
	for (uint32_t c = 0; c < t->nslots; c++) {
		void *dst = htab_elem_value(t, e, c);

		if (cpu == MAP_ALL_CPUS)
			map_copy_in(dst,
				    (const char *)value +
					    (size_t)c * t->vstride,
				    t->vstride);
		else if (c == cpu)
			store_slot(t, dst, value);
		else
			map_zero(dst, t->vstride); /* pcpu_init_value */
	}
}

void htab_write_value(struct htab *t, struct htab_elem *e, const void *value,
		      uint32_t cpu)
{
	if (t->nslots == 1 || cpu != MAP_ALL_CPUS) {
		map_copy_in(htab_elem_value(t, e, t->nslots > 1 ? cpu : 0),
			    value, t->vsize);
		return;
	}
	for (uint32_t c = 0; c < t->nslots; c++)
		map_copy_in(htab_elem_value(t, e, c),
			    (const char *)value + (size_t)c * t->vstride,
			    t->vstride);
}

void htab_dispose(struct htab *t, struct htab_elem *e)
{
	if (t->release)
		t->release(t, htab_elem_value(t, e, 0));
	if (t->lru) {
		htab_lru_push_free(t, e);
		return;
	}
	map_pool_put(&t->pool, e);
	__atomic_sub_fetch(&t->count, 1, __ATOMIC_RELEASE); /* only now */
}

/*
 * The count (elements in the table or reserved for an insert) and the
 * spares (elements left for replacements) bound what is out of the pool,
 * so a unit is given back (release) only after its element went back to
 * the pool, and taken (acquire) before one is taken from it.
 */
static bool take_count(struct htab *t)
{
	uint32_t c = __atomic_load_n(&t->count, __ATOMIC_ACQUIRE);

	do {
		if (c >= t->map.spec.max_entries)
			return false;
	} while (!__atomic_compare_exchange_n(&t->count, &c, c + 1, true,
					      __ATOMIC_ACQUIRE,
					      __ATOMIC_ACQUIRE));
	return true;
}

static bool take_spare(struct htab *t)
{
	uint32_t c = __atomic_load_n(&t->spares, __ATOMIC_ACQUIRE);

	do {
		if (!c)
			return false;
	} while (!__atomic_compare_exchange_n(&t->spares, &c, c - 1, true,
					      __ATOMIC_ACQUIRE,
					      __ATOMIC_ACQUIRE));
	return true;
}

/* check_flags: NOEXIST wants the key absent, EXIST present. */
static int check_flags(const struct htab_elem *old, uint64_t flags)
{
	if (old && flags == BPFVM_NOEXIST)
		return -EEXIST;
	if (!old && flags == BPFVM_EXIST)
		return -ENOENT;
	return 0;
}

/* ---- operations ---- */

void *htab_lookup(struct htab *t, const void *key, uint32_t cpu)
{
	uint32_t hash = htab_hash(t, key);
	struct htab_bucket *b = htab_bucket_of(t, hash);
	struct htab_elem *e;

	map_lock(&b->lock);
	e = htab_find(t, b, hash, key);
	if (e && t->lru)
		htab_set_ref(e); /* the LRU's "recently used" */
	map_unlock(&b->lock);
	if (!e)
		return NULL;
	return htab_elem_value(t, e, t->nslots > 1 ? cpu : 0);
}

/* Replace old (linked in b, bucket locked) by a fresh element; false
 * when no spare is left. Unlocks b on success. */
static bool replace_elem(struct htab *t, struct htab_bucket *b,
			 struct htab_elem *old, const void *key, uint32_t hash,
			 const void *value)
{
	struct htab_elem *e;

	if (!take_spare(t))
		return false;
	e = map_pool_get(&t->pool);
	if (!e) {
		__atomic_add_fetch(&t->spares, 1, __ATOMIC_RELEASE);
		return false;
	}
	fill_key(t, e, key, hash);
	htab_fill_value(t, e, value, 0);
	link_head(b, e);
	htab_unlink(b, old);
	map_unlock(&b->lock);
	if (t->release)
		t->release(t, htab_elem_value(t, old, 0));
	map_pool_put(&t->pool, old);
	__atomic_add_fetch(&t->spares, 1, __ATOMIC_RELEASE);
	return true;
}

/* No spare: write the new value over the old one, word by word. */
static void replace_in_place(struct htab *t, struct htab_bucket *b,
			     struct htab_elem *old, const void *value)
{
	uint64_t saved[4];
	void *v = htab_elem_value(t, old, 0);
	bool release = t->release && t->vstride <= sizeof(saved);

	if (release)
		map_copy_out(saved, v, t->vstride);
	store_slot(t, v, value);
	map_unlock(&b->lock);
	if (release)
		t->release(t, saved);
}

long htab_update(struct htab *t, const void *key, const void *value,
		 uint64_t flags, uint32_t cpu)
{
	uint32_t hash;
	struct htab_bucket *b;
	struct htab_elem *old, *e;
	int rc;

	if (t->lru)
		return htab_lru_update(t, key, value, flags, cpu);
	if (map_bad_flags(flags))
		return -EINVAL;
	hash = htab_hash(t, key);
	b = htab_bucket_of(t, hash);
	map_lock(&b->lock);
	old = htab_find(t, b, hash, key);
	rc = check_flags(old, flags);
	if (rc) {
		map_unlock(&b->lock);
		return rc;
	}
	if (old) {
		if (t->nslots > 1) {
			htab_write_value(t, old, value, cpu);
			map_unlock(&b->lock);
		} else if (!replace_elem(t, b, old, key, hash, value)) {
			replace_in_place(t, b, old, value);
		}
		return 0;
	}
	if (!take_count(t)) {
		map_unlock(&b->lock);
		return -E2BIG; /* the kernel's answer for a full hash */
	}
	e = map_pool_get(&t->pool);
	if (!e) { /* only BPF_F_NO_PREALLOC can run out of memory */
		__atomic_sub_fetch(&t->count, 1, __ATOMIC_RELEASE);
		map_unlock(&b->lock);
		return -ENOMEM;
	}
	fill_key(t, e, key, hash);
	htab_fill_value(t, e, value, cpu);
	link_head(b, e);
	map_unlock(&b->lock);
	return 0;
}

long htab_delete(struct htab *t, const void *key)
{
	uint32_t hash = htab_hash(t, key);
	struct htab_bucket *b = htab_bucket_of(t, hash);
	struct htab_elem *e;

	map_lock(&b->lock);
	e = htab_find(t, b, hash, key);
	if (!e) {
		map_unlock(&b->lock);
		return -ENOENT;
	}
	htab_unlink(b, e);
	map_unlock(&b->lock);
	htab_dispose(t, e);
	return 0;
}

int htab_copy_out(struct htab *t, const void *key, void *value, size_t n,
		  bool del)
{
	uint32_t hash = htab_hash(t, key);
	struct htab_bucket *b = htab_bucket_of(t, hash);
	struct htab_elem *e;

	map_lock(&b->lock);
	e = htab_find(t, b, hash, key);
	if (!e) {
		map_unlock(&b->lock);
		return -ENOENT;
	}
	map_copy_out(value, htab_elem_value(t, e, 0), n);
	if (del)
		htab_unlink(b, e);
	map_unlock(&b->lock);
	if (del)
		htab_dispose(t, e);
	return 0;
}

/* The first key in buckets [i, n_buckets): 0, or -ENOENT. */
static int first_from(struct htab *t, uint64_t i, void *next_key)
{
	for (; i <= t->mask; i++) {
		struct htab_bucket *b = &t->buckets[i];

		map_lock(&b->lock);
		if (b->head) {
			memcpy(next_key, b->head->data, t->key_size);
			map_unlock(&b->lock);
			return 0;
		}
		map_unlock(&b->lock);
	}
	return -ENOENT;
}

/* htab_map_get_next_key: the element after key in its chain, else the
 * first of the following buckets; a key not in the map (deleted meanwhile,
 * or never there) starts over from the first bucket. Each step moves
 * forward through the buckets, so a walk ends however the map changes. */
int htab_get_next_key(struct htab *t, const void *key, void *next_key)
{
	uint32_t hash;
	struct htab_bucket *b;
	struct htab_elem *e;

	if (!key)
		return first_from(t, 0, next_key);
	hash = htab_hash(t, key);
	b = htab_bucket_of(t, hash);
	map_lock(&b->lock);
	e = htab_find(t, b, hash, key);
	if (!e) {
		map_unlock(&b->lock);
		return first_from(t, 0, next_key);
	}
	if (e->next) {
		memcpy(next_key, e->next->data, t->key_size);
		map_unlock(&b->lock);
		return 0;
	}
	map_unlock(&b->lock);
	return first_from(t, (uint64_t)(hash & t->mask) + 1, next_key);
}

/*
 * bpf_for_each_hash_elem. The callback may update or delete elements of
 * this very map, so no lock is held while it runs: each bucket's keys are
 * copied and its value pointers taken under the lock, then the callbacks
 * run on the copies.
 */
struct walk_buf {
	char *keys;
	void **values;
	size_t cap;
};

static bool walk_reserve(struct walk_buf *w, size_t n, uint32_t key_stride)
{
	char *k;
	void **v;

	if (n <= w->cap)
		return true;
	k = realloc(w->keys, n * key_stride);
	if (!k)
		return false;
	w->keys = k;
	v = realloc(w->values, n * sizeof(*v));
	if (!v)
		return false;
	w->values = v;
	w->cap = n;
	return true;
}

long htab_for_each(struct htab *t, map_for_each_cb cb, void *ctx, uint32_t cpu)
{
	struct walk_buf w = { 0 };
	uint32_t slot = t->nslots > 1 ? cpu : 0;
	long visited = 0;

	for (uint64_t i = 0; i <= t->mask; i++) {
		struct htab_bucket *b = &t->buckets[i];
		size_t n = 0;
		struct htab_elem *e;

		map_lock(&b->lock);
		for (e = b->head; e; e = e->next)
			n++;
		if (!walk_reserve(&w, n, t->key_stride)) {
			map_unlock(&b->lock);
			break;
		}
		n = 0;
		for (e = b->head; e; e = e->next, n++) {
			memcpy(w.keys + n * t->key_stride, e->data,
			       t->key_size);
			w.values[n] = htab_elem_value(t, e, slot);
		}
		map_unlock(&b->lock);
		for (size_t j = 0; j < n; j++) {
			visited++;
			if (cb(&t->map, w.keys + j * t->key_stride, w.values[j],
			       ctx))
				goto out;
		}
	}
out:
	free(w.keys);
	free(w.values);
	return visited;
}

/* ---- the HASH and PERCPU_HASH types ---- */

/* htab_map_alloc_check, in the kernel's order. */
int hash_check_spec(const struct bpfvm_map_spec *spec, bpfvm_error *err)
{
	const char *name = map_ops_of(spec->type)->name;
	uint32_t t = spec->type, f = spec->map_flags;
	bool percpu =
		t == BPFVM_MAP_PERCPU_HASH || t == BPFVM_MAP_LRU_PERCPU_HASH;
	bool lru = t == BPFVM_MAP_LRU_HASH || t == BPFVM_MAP_LRU_PERCPU_HASH;
	bool percpu_lru = f & BPFVM_F_NO_COMMON_LRU;

	if (!lru && percpu_lru)
		return map_spec_fail(
			err, EINVAL,
			"BPF_F_NO_COMMON_LRU is only for LRU maps, "
			"not %s maps",
			name);
	if (lru && (f & BPFVM_F_NO_PREALLOC))
		return map_spec_fail(err, BPFVM_ENOTSUPP,
				     "%s maps are always preallocated: "
				     "BPF_F_NO_PREALLOC is not supported",
				     name);
	if ((f & BPFVM_F_NUMA_NODE) && (percpu || percpu_lru))
		return map_spec_fail(err, EINVAL,
				     "BPF_F_NUMA_NODE is invalid for per-CPU "
				     "values or LRU lists");
	if (!spec->max_entries)
		return map_spec_fail(err, EINVAL,
				     "max_entries 0 is invalid for %s maps",
				     name);
	if (!spec->key_size)
		return map_spec_fail(err, EINVAL,
				     "key_size 0 is invalid for %s maps", name);
	if (!spec->value_size)
		return map_spec_fail(err, EINVAL,
				     "value_size 0 is invalid for %s maps",
				     name);
	if ((uint64_t)spec->key_size + spec->value_size >=
	    MAP_KMALLOC_MAX_SIZE - sizeof(struct htab_elem))
		return map_spec_fail(err, E2BIG,
				     "key_size %u + value_size %u is too large "
				     "for %s maps",
				     spec->key_size, spec->value_size, name);
	if (percpu && round_up8(spec->value_size) > MAP_PCPU_MIN_UNIT_SIZE)
		return map_spec_fail(err, E2BIG,
				     "value_size %u is too large for %s maps "
				     "(at most %u)",
				     spec->value_size, name,
				     MAP_PCPU_MIN_UNIT_SIZE);
	if (spec->max_entries > 1u << 31)
		return map_spec_fail(err, E2BIG,
				     "max_entries %u is too large for %s maps",
				     spec->max_entries, name);
	return 0;
}

static uint64_t hash_mem(const struct bpfvm_map_spec *spec, uint32_t ncpus)
{
	return htab_mem(spec, spec->value_size, ncpus);
}

static struct htab *htab_of(struct bpfvm_map *map)
{
	return (struct htab *)map;
}

static struct bpfvm_map *hash_alloc(const struct bpfvm_map *proto)
{
	struct htab *t = htab_alloc(proto, sizeof(*t), proto->spec.value_size);

	return t ? &t->map : NULL;
}

static void hash_free(struct bpfvm_map *map)
{
	htab_free(htab_of(map));
}

static void *hash_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	return htab_lookup(htab_of(map), key, cpu);
}

static long hash_update(struct bpfvm_map *map, const void *key,
			const void *value, uint64_t flags, uint32_t cpu)
{
	return htab_update(htab_of(map), key, value, flags, cpu);
}

static long hash_delete(struct bpfvm_map *map, const void *key)
{
	return htab_delete(htab_of(map), key);
}

static long hash_for_each(struct bpfvm_map *map, map_for_each_cb cb, void *ctx,
			  uint32_t cpu)
{
	return htab_for_each(htab_of(map), cb, ctx, cpu);
}

static int hash_get_next_key(struct bpfvm_map *map, const void *key,
			     void *next_key)
{
	return htab_get_next_key(htab_of(map), key, next_key);
}

/* The host's lookups do not count as uses for the LRU (the kernel's
 * htab_lru_map_lookup_elem_sys). */
static int hash_sys_lookup(struct bpfvm_map *map, const void *key, void *value)
{
	return htab_copy_out(htab_of(map), key, value, map->host_value_size,
			     false);
}

static int hash_sys_lookup_and_delete(struct bpfvm_map *map, const void *key,
				      void *value)
{
	return htab_copy_out(htab_of(map), key, value, map->host_value_size,
			     true);
}

#define HASH_FLAGS                                                             \
	(BPFVM_F_NO_PREALLOC | BPFVM_F_NO_COMMON_LRU | BPFVM_F_NUMA_NODE |     \
	 MAP_F_ACCESS_MASK | BPFVM_F_ZERO_SEED)

#define HASH_OPS(type_name, is_percpu)                                         \
	{                                                                      \
		.name = type_name, .flags_ok = HASH_FLAGS,                     \
		.percpu = is_percpu, .check = hash_check_spec,                 \
		.mem = hash_mem, .alloc = hash_alloc, .free = hash_free,       \
		.lookup_elem = hash_lookup, .update_elem = hash_update,        \
		.delete_elem = hash_delete, .for_each = hash_for_each,         \
		.get_next_key = hash_get_next_key,                             \
		.sys_lookup = hash_sys_lookup,                                 \
		.sys_lookup_and_delete = hash_sys_lookup_and_delete,           \
	}

const struct map_ops hash_map_ops = HASH_OPS("hash", false);
const struct map_ops percpu_hash_map_ops = HASH_OPS("percpu_hash", true);
const struct map_ops lru_hash_map_ops = HASH_OPS("lru_hash", false);
const struct map_ops lru_percpu_hash_map_ops =
	HASH_OPS("lru_percpu_hash", true);
