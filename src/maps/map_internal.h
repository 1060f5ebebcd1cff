/* SPDX-License-Identifier: MIT */
/*
 * Inside the maps component: the map object every type embeds, the one
 * ops table indexed by map type, and what the types share (locks, value
 * copies that stay atomic per 8-byte word, the hash table that HASH, LRU,
 * HASH_OF_MAPS and DEVMAP_HASH are built on).
 */
#ifndef BPFVM_MAP_INTERNAL_H
#define BPFVM_MAP_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/maps.h"

/* Kernel limits the specs are checked against (x86-64 values):
 * KMALLOC_MAX_SIZE is 1 << (MAX_PAGE_ORDER + PAGE_SHIFT). */
#define MAP_KMALLOC_MAX_SIZE   (4u << 20)
#define MAP_PCPU_MIN_UNIT_SIZE 32768u
#define MAP_PAGE_SIZE	       4096u

#define MAP_F_ACCESS_MASK                                                      \
	(BPFVM_F_RDONLY | BPFVM_F_WRONLY | BPFVM_F_RDONLY_PROG |               \
	 BPFVM_F_WRONLY_PROG)

/* The cpu argument of update_elem when the value is the host's packed
 * all-CPU layout (bpf(2)) rather than one slot's value (a program). */
#define MAP_ALL_CPUS UINT32_MAX

/*
 * A spinlock for the short sections around buckets, queues and rings.
 * Waiters spin a little, then yield: programs may run on more threads
 * than there are CPUs, and a preempted holder must get to run.
 */
struct map_lock {
	uint32_t locked;
};

void map_lock_slow(struct map_lock *l);

static inline void map_lock(struct map_lock *l)
{
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		map_lock_slow(l);
}

static inline void map_unlock(struct map_lock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

struct map_ops;

struct bpfvm_map {
	struct bpfvm_map_spec spec;  /* name and inner point below */
	struct bpfvm_map_spec inner; /* map-in-map: the inner spec */
	char *name;
	const struct map_ops *ops;
	uint32_t refcnt; /* atomic */
	uint32_t ncpus;	 /* per-CPU slots; 1 for maps that are not per-CPU */
	uint32_t stride; /* value_size rounded up to 8 */
	size_t host_value_size;
	pthread_mutex_t resolver_lock;
	bpfvm_object_resolver resolver;
	void *owner;
};

typedef long (*map_for_each_cb)(bpfvm_map *map, const void *key, void *value,
				void *ctx);

/*
 * One table of these, indexed by map type (map.c). A NULL entry is an
 * operation the type does not have; map.c then returns the kernel's
 * answer for a missing op (NULL, -EINVAL from programs,
 * -BPFVM_ENOTSUPP from the host). Program-side entries get the slot of the
 * calling thread.
 */
struct map_ops {
	const char *name;  /* as bpftool names the type */
	uint32_t flags_ok; /* map_flags the type accepts */
	bool percpu;
	/* Type-specific spec checks after the generic ones: 0 or -errno. */
	int (*check)(const struct bpfvm_map_spec *spec, bpfvm_error *err);
	/* Bytes the map could need at most (saturating). */
	uint64_t (*mem)(const struct bpfvm_map_spec *spec, uint32_t ncpus);
	/* Allocate the type's object around a copy of proto. */
	struct bpfvm_map *(*alloc)(const struct bpfvm_map *proto);
	void (*free)(struct bpfvm_map *map);

	/* Program side. update_elem: cpu MAP_ALL_CPUS means host layout. */
	void *(*lookup_elem)(struct bpfvm_map *map, const void *key,
			     uint32_t cpu);
	long (*update_elem)(struct bpfvm_map *map, const void *key,
			    const void *value, uint64_t flags, uint32_t cpu);
	long (*delete_elem)(struct bpfvm_map *map, const void *key);
	long (*push_elem)(struct bpfvm_map *map, const void *value,
			  uint64_t flags);
	long (*pop_elem)(struct bpfvm_map *map, void *value);
	long (*peek_elem)(struct bpfvm_map *map, void *value);
	long (*for_each)(struct bpfvm_map *map, map_for_each_cb cb, void *ctx,
			 uint32_t cpu);

	/* Host side (bpf(2)); NULL update/delete fall back to update_elem
	 * with MAP_ALL_CPUS and delete_elem. */
	int (*get_next_key)(struct bpfvm_map *map, const void *key,
			    void *next_key);
	int (*sys_lookup)(struct bpfvm_map *map, const void *key, void *value);
	int (*sys_update)(struct bpfvm_map *map, const void *key,
			  const void *value, uint64_t flags);
	int (*sys_delete)(struct bpfvm_map *map, const void *key);
	int (*sys_lookup_and_delete)(struct bpfvm_map *map, const void *key,
				     void *value);
};

extern const struct map_ops array_map_ops, percpu_array_map_ops;
extern const struct map_ops hash_map_ops, percpu_hash_map_ops;
extern const struct map_ops lru_hash_map_ops, lru_percpu_hash_map_ops;
extern const struct map_ops lpm_trie_map_ops;
extern const struct map_ops queue_map_ops, stack_map_ops;
extern const struct map_ops ringbuf_map_ops;
extern const struct map_ops prog_array_map_ops, array_of_maps_map_ops;
extern const struct map_ops hash_of_maps_map_ops;
extern const struct map_ops devmap_map_ops, devmap_hash_map_ops;

/* The ops of a map type, or NULL for a type bpfvm does not have. */
const struct map_ops *map_ops_of(uint32_t type);

/* Fill err and return -errnum (spec.c). */
int map_spec_fail(bpfvm_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Whether an inner map fits the spec of an outer map's inner maps
 * (the kernel's map_meta_equal). */
bool map_meta_equal(const struct bpfvm_map_spec *meta, const bpfvm_map *inner);

/* Flags the kernel adds to a spec on creation (DEVMAP: RDONLY_PROG). */
uint32_t map_effective_flags(const struct bpfvm_map_spec *spec);

/* Resolve an object id through the map's resolver; NULL if unknown. */
void *map_resolve(bpfvm_map *map, uint32_t kind, uint32_t id);

/* The per-CPU slot a program on this thread uses in map. */
uint32_t map_this_cpu(const bpfvm_map *map);

/*
 * Value copies between map storage (8-byte aligned) and any buffer, one
 * relaxed atomic per aligned word: programs update values with atomic
 * instructions while the host copies them, and both sides stay defined.
 */
void map_copy_in(void *dst, const void *src, size_t n);
void map_copy_out(void *dst, const void *src, size_t n);
void map_zero(void *dst, size_t n);
/* Copy value_size bytes in and zero the rest of the stride. */
void map_store_value(const bpfvm_map *map, void *dst, const void *src);

/* Array rules (array.c) shared by the array-shaped types: the kernel's
 * array_map_alloc_check, and get_next_key over indexes 0..max-1. */
int array_check_spec(const struct bpfvm_map_spec *spec, bpfvm_error *err);
int array_next_index(uint32_t max_entries, const void *key, void *next_key);

/* Saturating arithmetic for memory estimates. */
static inline uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static inline uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

static inline uint32_t round_up8(uint32_t n)
{
	return (uint32_t)(((uint64_t)n + 7) & ~7ull);
}

static inline uint64_t roundup_pow2(uint64_t n)
{
	uint64_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* Update flags every type refuses: unknown bits and BPF_F_LOCK (no map
 * value here has a bpf_spin_lock). */
static inline bool map_bad_flags(uint64_t flags)
{
	return (flags & ~(uint64_t)BPFVM_F_LOCK) > BPFVM_EXIST ||
	       (flags & BPFVM_F_LOCK);
}

/*
 * Element pools (pool.c): fixed-size elements whose first word links the
 * free list; memory returns to the allocator only in map_pool_destroy.
 * Zero-initialise, then map_pool_init (false: out of memory).
 */
struct map_pool {
	struct map_lock lock;
	void *free;
	size_t elem_size;
	uint64_t cap, carved;
	char **chunks;
	size_t nchunks, chunks_cap;
};

bool map_pool_init(struct map_pool *p, size_t elem_size, uint64_t cap,
		   bool prealloc);
void *map_pool_get(struct map_pool *p); /* NULL: empty or no memory */
void map_pool_put(struct map_pool *p, void *elem);
void map_pool_destroy(struct map_pool *p);

/*
 * The hash table (hash.c): buckets with their own locks, elements from a
 * pool that returns memory to the allocator only when the map is freed.
 * Types built on it embed struct htab first and may set release, called
 * with an element's value when the element leaves the table.
 */
struct htab_lru_node {
	struct htab_lru_node *prev, *next;
};

struct htab_elem {
	struct htab_elem *next;	  /* bucket chain, or the free list */
	struct htab_lru_node lru; /* LRU maps: place in the LRU list */
	uint32_t hash;		  /* atomic: LRU eviction reads it unlocked */
	uint8_t ref;		  /* atomic: LRU referenced bit */
	uint8_t pad[3];
	uint64_t data[]; /* key, padded to 8, then the value(s) */
};

struct htab_bucket {
	struct map_lock lock;
	struct htab_elem *head;
};

struct htab {
	struct bpfvm_map map;
	struct htab_bucket *buckets;
	uint32_t mask; /* n_buckets - 1 */
	uint32_t key_size, key_stride;
	uint32_t vsize;	  /* bytes of a value as stored (one slot) */
	uint32_t vstride; /* vsize rounded up to 8 */
	uint32_t nslots;  /* values per element: ncpus or 1 */
	size_t elem_size;
	uint64_t seed;
	bool lru;
	void (*release)(struct htab *t, void *value);

	struct map_pool pool;

	/* Non-LRU accounting (atomics): elements in the table or reserved
	 * for an insert, and the spares left for replacements. */
	uint32_t count;
	uint32_t spares;

	/* LRU: every element taken from the pool is on this list, newest
	 * (or most recently given a second chance) first. */
	struct map_lock lru_lock;
	struct htab_lru_node lru_head;
	uint64_t lru_len;
};

/* Hash table geometry and creation: vsize is the stored value size. */
uint64_t htab_mem(const struct bpfvm_map_spec *spec, uint32_t vsize,
		  uint32_t nslots);
struct htab *htab_alloc(const struct bpfvm_map *proto, size_t obj_size,
			uint32_t vsize);
void htab_free(struct htab *t);

static inline void *htab_elem_key(struct htab_elem *e)
{
	return e->data;
}

static inline void *htab_elem_value(const struct htab *t, struct htab_elem *e,
				    uint32_t slot)
{
	return (char *)e->data + t->key_stride + (size_t)slot * t->vstride;
}

uint32_t htab_hash(const struct htab *t, const void *key);
/* Find under the bucket lock; the caller holds it. */
struct htab_elem *htab_find(struct htab *t, struct htab_bucket *b,
			    uint32_t hash, const void *key);
static inline struct htab_bucket *htab_bucket_of(struct htab *t, uint32_t hash)
{
	return &t->buckets[hash & t->mask];
}

/* Unlink e from b's chain if it is there (bucket locked). */
bool htab_unlink(struct htab_bucket *b, struct htab_elem *e);

/* Generic operations on the stored value layout (one value of vsize,
 * or for per-CPU tables a slot or MAP_ALL_CPUS). update dispatches to the
 * LRU variant for LRU tables. */
void *htab_lookup(struct htab *t, const void *key, uint32_t cpu);
long htab_update(struct htab *t, const void *key, const void *value,
		 uint64_t flags, uint32_t cpu);
long htab_delete(struct htab *t, const void *key);
int htab_get_next_key(struct htab *t, const void *key, void *next_key);
/* Copy the first n bytes of key's stored values out (for per-CPU tables
 * the values are already the host's packed layout) under the bucket
 * lock; with del, remove the element too. -ENOENT when absent. */
int htab_copy_out(struct htab *t, const void *key, void *value, size_t n,
		  bool del);
long htab_for_each(struct htab *t, map_for_each_cb cb, void *ctx, uint32_t cpu);
/* Values of an element being set up (not yet in the table): a program's
 * update sets its slot and zeroes the others. */
void htab_fill_value(struct htab *t, struct htab_elem *e, const void *value,
		     uint32_t cpu);
/* Values of an element in the table, in place: one slot (a program's
 * update), or for per-CPU tables all of them (MAP_ALL_CPUS). */
void htab_write_value(struct htab *t, struct htab_elem *e, const void *value,
		      uint32_t cpu);
/* An element left the table (unlinked): release its value and give its
 * memory back to the pool (or the LRU's free list). */
void htab_dispose(struct htab *t, struct htab_elem *e);

static inline void htab_set_ref(struct htab_elem *e)
{
	if (!__atomic_load_n(&e->ref, __ATOMIC_RELAXED))
		__atomic_store_n(&e->ref, 1, __ATOMIC_RELAXED);
}

/* LRU (lru.c). */
long htab_lru_update(struct htab *t, const void *key, const void *value,
		     uint64_t flags, uint32_t cpu);
void htab_lru_push_free(struct htab *t, struct htab_elem *e);

/* Hash rules (hash.c): the kernel's htab_map_alloc_check. */
int hash_check_spec(const struct bpfvm_map_spec *spec, bpfvm_error *err);
/* Inner map spec of a map-in-map (spec.c). */
int map_check_inner(const struct bpfvm_map_spec *spec, bpfvm_error *err);

#endif
