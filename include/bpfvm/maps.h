/* SPDX-License-Identifier: MIT */
/*
 * bpfvm maps: the kernel's map types with the kernel's semantics, flags and
 * error codes, usable from programs (through helpers) and from the host.
 *
 * Numbers are the kernel's (enum bpf_map_type, BPF_ANY, BPF_F_*) so objects
 * built for Linux work unchanged. Errors are negative errno values.
 *
 * Concurrency: any number of threads may run programs that use a map while
 * the host looks up, updates, deletes and iterates it. Element memory is
 * never returned to the allocator while the map lives (the kernel's
 * preallocation), so a value pointer a program holds stays valid memory
 * even when its element is deleted meanwhile; as in the kernel, it may then
 * be reused by another key. Per-CPU maps keep one value per CPU slot; a
 * thread uses the slot bpfvm_cpu_set gave it (0 by default).
 *
 * Operations a map type does not have return the kernel's code for them:
 * often -BPFVM_ENOTSUPP (524, the kernel's internal ENOTSUPP that bpf(2)
 * passes on), e.g. any lookup on a ring buffer.
 */
#ifndef BPFVM_MAPS_H
#define BPFVM_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BPFVM_ENOTSUPP 524

enum bpfvm_map_type {
	BPFVM_MAP_HASH = 1,
	BPFVM_MAP_ARRAY = 2,
	BPFVM_MAP_PROG_ARRAY = 3,
	BPFVM_MAP_PERCPU_HASH = 5,
	BPFVM_MAP_PERCPU_ARRAY = 6,
	BPFVM_MAP_LRU_HASH = 9,
	BPFVM_MAP_LRU_PERCPU_HASH = 10,
	BPFVM_MAP_LPM_TRIE = 11,
	BPFVM_MAP_ARRAY_OF_MAPS = 12,
	BPFVM_MAP_HASH_OF_MAPS = 13,
	BPFVM_MAP_DEVMAP = 14,
	BPFVM_MAP_QUEUE = 22,
	BPFVM_MAP_STACK = 23,
	BPFVM_MAP_DEVMAP_HASH = 25,
	BPFVM_MAP_RINGBUF = 27,
};

/* map_flags (BPF_F_*). */
enum {
	BPFVM_F_NO_PREALLOC = 1u << 0,
	BPFVM_F_NO_COMMON_LRU = 1u << 1,
	BPFVM_F_NUMA_NODE = 1u << 2,
	BPFVM_F_RDONLY = 1u << 3,
	BPFVM_F_WRONLY = 1u << 4,
	BPFVM_F_ZERO_SEED = 1u << 6,
	BPFVM_F_RDONLY_PROG = 1u << 7,
	BPFVM_F_WRONLY_PROG = 1u << 8,
	BPFVM_F_MMAPABLE = 1u << 10,
	BPFVM_F_INNER_MAP = 1u << 12,
};

/* Update flags. */
enum {
	BPFVM_ANY = 0,
	BPFVM_NOEXIST = 1,
	BPFVM_EXIST = 2,
	BPFVM_F_LOCK = 4,
};

/* A map's definition, as BTF `.maps` or `struct bpf_map_def` give it. */
struct bpfvm_map_spec {
	const char *name; /* copied; may be NULL */
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	/* ARRAY_OF_MAPS / HASH_OF_MAPS: the spec every inner map must match
	 * (type, key and value size, flags; for ARRAY inner maps also
	 * max_entries unless the inner spec has BPFVM_F_INNER_MAP: the
	 * kernel's map_meta_equal). Other types ignore it. */
	const struct bpfvm_map_spec *inner;
};

typedef struct bpfvm_map bpfvm_map;

/* Number of per-CPU slots every per-CPU map holds; set it before creating
 * maps (default: the CPUs online). A map keeps the count it was created
 * with. 0 restores the default; counts above BPFVM_MAX_CPUS are clamped. */
#define BPFVM_MAX_CPUS 1024
void bpfvm_set_ncpus(unsigned ncpus);
unsigned bpfvm_ncpus(void);
/* The per-CPU slot of the calling thread (bpf_get_smp_processor_id). A
 * map with fewer slots uses slot cpu % its slot count. */
void bpfvm_cpu_set(unsigned cpu);
unsigned bpfvm_cpu(void);

/* Create a map; NULL with err naming the field at fault ("key_size 0 is
 * invalid for hash maps", ...) when the kernel would refuse the spec, or
 * when the map could need more than BPFVM_MAP_MEM_MAX bytes. The map
 * starts with one reference. */
#define BPFVM_MAP_MEM_MAX (1ull << 30)
bpfvm_map *bpfvm_map_new(const struct bpfvm_map_spec *spec, bpfvm_error *err);
/* The checks of bpfvm_map_new alone: 0, or the kernel's -errno for the
 * spec (-EINVAL, -E2BIG, -BPFVM_ENOTSUPP) with err saying why. */
int bpfvm_map_check_spec(const struct bpfvm_map_spec *spec, bpfvm_error *err);
void bpfvm_map_ref(bpfvm_map *map);
void bpfvm_map_unref(bpfvm_map *map); /* frees on the last reference */
const struct bpfvm_map_spec *bpfvm_map_get_spec(const bpfvm_map *map);

/* Bytes of a value as the host sees it: value_size, or for per-CPU maps
 * ncpus values each rounded up to 8 bytes (as bpf(2) returns them). */
size_t bpfvm_map_host_value_size(const bpfvm_map *map);

/*
 * Host side (the bpf(2) commands), returning 0 or -errno:
 * lookup copies the value out (all CPUs' values for per-CPU maps);
 * update takes BPFVM_ANY/NOEXIST/EXIST; get_next_key with key NULL (or a
 * key not in the map) gives the first key, -ENOENT after the last;
 * lookup_and_delete pops QUEUE/STACK (key NULL) or removes a hash element.
 * As bpf(2), lookup and update on QUEUE/STACK peek and push (key NULL).
 * For map-in-map and PROG_ARRAY the host value is a u32 object id (see
 * bpfvm_map_set_object_resolver). DEVMAP/DEVMAP_HASH values are the
 * kernel's struct bpf_devmap_val { u32 ifindex; u32 prog; } cut to
 * value_size: the host stores a program id in prog (0 or negative as an
 * int: none) and reads the id back. BPFVM_F_RDONLY (BPFVM_F_WRONLY) maps
 * refuse host writes (reads) with -EPERM, as the kernel's map fds do.
 */
int bpfvm_map_lookup(bpfvm_map *map, const void *key, void *value);
int bpfvm_map_update(bpfvm_map *map, const void *key, const void *value,
		     uint64_t flags);
int bpfvm_map_delete(bpfvm_map *map, const void *key);
int bpfvm_map_get_next_key(bpfvm_map *map, const void *key, void *next_key);
int bpfvm_map_lookup_and_delete(bpfvm_map *map, const void *key, void *value);
/* Batch dump: up to *count elements after the cursor (in: NULL for the
 * start); keys and values (host layout) packed; *count updated; returns 0,
 * or -ENOENT when the dump is complete (with *count possibly nonzero).
 * A cursor is key_size bytes: the last key dumped (the kernel's
 * generic_map_lookup_batch), so out_cursor may be the next in_cursor.
 * Elements that vanish between the key walk and the copy are skipped.
 * -BPFVM_ENOTSUPP for QUEUE, STACK and RINGBUF. */
int bpfvm_map_lookup_batch(bpfvm_map *map, const void *in_cursor,
			   void *out_cursor, void *keys, void *values,
			   uint32_t *count);

/*
 * Program side (what helpers call), kernel helper semantics:
 * lookup_elem returns a pointer to the value in the map (this CPU's slot
 * for per-CPU maps; the inner map for map-in-map; NULL when absent),
 * 8-byte aligned. A program's update of a per-CPU element sets its own
 * slot (and zeroes the others when it creates the element). A call the
 * kernel's verifier would refuse for the map type (update on a PROG_ARRAY,
 * push on a HASH, ...) returns -EINVAL, or NULL for a lookup.
 * An inner map a program got stays valid while a reference to it lives:
 * the VM's table holds one; the outer map's own is dropped on removal.
 * LRU maps: a program's lookup marks the element used; eviction takes the
 * least recently inserted element not used since (second chance over one
 * global list, where the kernel has per-CPU approximations).
 */
void *bpfvm_map_lookup_elem(bpfvm_map *map, const void *key);
/* bpf_map_lookup_percpu_elem: the value of slot cpu of a per-CPU map;
 * NULL when cpu is not below the map's slot count, or for other maps. */
void *bpfvm_map_lookup_percpu_elem(bpfvm_map *map, const void *key,
				   uint32_t cpu);
long bpfvm_map_update_elem(bpfvm_map *map, const void *key, const void *value,
			   uint64_t flags);
long bpfvm_map_delete_elem(bpfvm_map *map, const void *key);
long bpfvm_map_push_elem(bpfvm_map *map, const void *value, uint64_t flags);
long bpfvm_map_pop_elem(bpfvm_map *map, void *value);
long bpfvm_map_peek_elem(bpfvm_map *map, void *value);
/* for_each_map_elem: cb(map, key, value, ctx) per element until it returns
 * nonzero; returns the number of elements visited (the one that stopped
 * the walk included). HASH and ARRAY kinds only, else -EINVAL. No map lock
 * is held while cb runs: it may update or delete elements of map. */
long bpfvm_map_for_each(bpfvm_map *map,
			long (*cb)(bpfvm_map *map, const void *key, void *value,
				   void *ctx),
			void *ctx);

/* Ring buffer (BPFVM_MAP_RINGBUF; max_entries = data size, a power of 2
 * and a multiple of the page size, as in the kernel). Records are 8-byte
 * aligned behind an 8-byte header; the ring holds at most max_entries - 8
 * bytes of records. reserve returns NULL when they do not fit (or for
 * nonzero flags); output returns -EAGAIN then. Wakeup flags are accepted
 * and have no effect. A sample passed to submit/discard must come from
 * reserve and be released once. */
enum {
	BPFVM_RB_NO_WAKEUP = 1,
	BPFVM_RB_FORCE_WAKEUP = 2,
};
enum {
	BPFVM_RB_AVAIL_DATA = 0,
	BPFVM_RB_RING_SIZE = 1,
	BPFVM_RB_CONS_POS = 2,
	BPFVM_RB_PROD_POS = 3,
};
void *bpfvm_ringbuf_reserve(bpfvm_map *map, uint64_t size, uint64_t flags);
void bpfvm_ringbuf_submit(void *sample, uint64_t flags);
void bpfvm_ringbuf_discard(void *sample, uint64_t flags);
long bpfvm_ringbuf_output(bpfvm_map *map, const void *data, uint64_t size,
			  uint64_t flags);
/* BPF_RB_AVAIL_DATA (0), RING_SIZE (1), CONS_POS (2), PROD_POS (3). */
uint64_t bpfvm_ringbuf_query(bpfvm_map *map, uint64_t flags);
/* Host consumer: cb per submitted sample in order (discarded ones are
 * skipped); stops at the first record still reserved, or after the sample
 * for which cb returns nonzero (that sample is consumed and counted).
 * Returns samples seen; -EINVAL when map is not a ring buffer. */
long bpfvm_ringbuf_consume(bpfvm_map *map,
			   int (*cb)(void *ctx, const void *data, size_t size),
			   void *ctx);

/*
 * Objects behind ids: PROG_ARRAY values are program ids, map-in-map
 * values are map ids, DEVMAP values are interface indexes. The owner (the
 * VM) resolves an id to the object when the host stores it; the map keeps
 * the pointer (maps: with a reference) and the host reads the id back.
 * BPFVM_OBJ_PROG_TYPE asks for a program's type as a non-NULL tag: a
 * PROG_ARRAY takes the type of the first program stored and refuses others
 * with -EINVAL, as the kernel's bpf_prog_map_compatible does (a resolver
 * returning NULL for it skips the check).
 */
typedef void *(*bpfvm_object_resolver)(void *owner, uint32_t kind, uint32_t id);
enum { BPFVM_OBJ_MAP = 1, BPFVM_OBJ_PROG = 2, BPFVM_OBJ_PROG_TYPE = 3 };
void bpfvm_map_set_object_resolver(bpfvm_map *map, bpfvm_object_resolver fn,
				   void *owner);
/* PROG_ARRAY: the program stored at index, or NULL. */
void *bpfvm_map_prog_at(bpfvm_map *map, uint32_t index);

#ifdef __cplusplus
}
#endif
#endif
