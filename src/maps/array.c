/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_ARRAY and PERCPU_ARRAY (kernel/bpf/arraymap.c): max_entries
 * values, all present and zeroed from the start, indexed by a u32 key.
 * Values are contiguous and 8-byte aligned, each value_size rounded up to
 * 8, so a program's lookup is one bounds check and one multiply. Per-CPU
 * arrays keep one whole array per slot (slot-major), so threads on
 * different slots never share a cache line through their values.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map_internal.h"

struct array_map {
	struct bpfvm_map map;
	char *values;
};

static struct array_map *array_of(struct bpfvm_map *map)
{
	return (struct array_map *)map;
}

int array_check_spec(const struct bpfvm_map_spec *spec, bpfvm_error *err)
{
	const char *name = map_ops_of(spec->type)->name;
	bool percpu = spec->type == BPFVM_MAP_PERCPU_ARRAY;

	if (!spec->max_entries)
		return map_spec_fail(err, EINVAL,
				     "max_entries 0 is invalid for %s maps",
				     name);
	if (spec->key_size != 4)
		return map_spec_fail(err, EINVAL,
				     "key_size %u is invalid for %s maps: the "
				     "key is a u32 index",
				     spec->key_size, name);
	if (!spec->value_size)
		return map_spec_fail(err, EINVAL,
				     "value_size 0 is invalid for %s maps",
				     name);
	if (percpu && (spec->map_flags & BPFVM_F_NUMA_NODE))
		return map_spec_fail(err, EINVAL,
				     "BPF_F_NUMA_NODE is invalid for %s maps",
				     name);
	if (spec->value_size > INT_MAX)
		return map_spec_fail(err, E2BIG,
				     "value_size %u is too large for %s maps",
				     spec->value_size, name);
	if (percpu && round_up8(spec->value_size) > MAP_PCPU_MIN_UNIT_SIZE)
		return map_spec_fail(err, E2BIG,
				     "value_size %u is too large for %s maps "
				     "(at most %u)",
				     spec->value_size, name,
				     MAP_PCPU_MIN_UNIT_SIZE);
	return 0;
}

static uint64_t array_mem(const struct bpfvm_map_spec *spec, uint32_t ncpus)
{
	return sat_mul(sat_mul(spec->max_entries, round_up8(spec->value_size)),
		       ncpus);
}

static struct bpfvm_map *array_alloc(const struct bpfvm_map *proto)
{
	struct array_map *a = calloc(1, sizeof(*a));
	size_t n =
		(size_t)proto->spec.max_entries * proto->stride * proto->ncpus;

	if (!a)
		return NULL;
	a->values = calloc(1, n);
	if (!a->values) {
		free(a);
		return NULL;
	}
	a->map = *proto;
	return &a->map;
}

static void array_free(struct bpfvm_map *map)
{
	free(array_of(map)->values);
	free(array_of(map));
}

static inline uint32_t index_of(const void *key)
{
	uint32_t i;

	memcpy(&i, key, sizeof(i));
	return i;
}

static inline char *slot(struct bpfvm_map *map, uint32_t index, uint32_t cpu)
{
	size_t n = (size_t)cpu * map->spec.max_entries + index;

	return array_of(map)->values + n * map->stride;
}

/* The hot path of every packet program that counts. */
static void *array_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	uint32_t i = index_of(key);

	if (i >= map->spec.max_entries)
		return NULL;
	return array_of(map)->values + (size_t)i * map->stride;
}

static void *percpu_array_lookup(struct bpfvm_map *map, const void *key,
				 uint32_t cpu)
{
	uint32_t i = index_of(key);

	if (i >= map->spec.max_entries)
		return NULL;
	return slot(map, i, cpu);
}

/* array_map_update_elem: the kernel's order of checks decides which error
 * a combination of faults gets. */
static long array_update(struct bpfvm_map *map, const void *key,
			 const void *value, uint64_t flags, uint32_t cpu)
{
	uint32_t i = index_of(key);

	if ((flags & ~(uint64_t)BPFVM_F_LOCK) > BPFVM_EXIST)
		return -EINVAL;
	if (i >= map->spec.max_entries)
		return -E2BIG; /* all elements exist; none can be added */
	if (flags & BPFVM_NOEXIST)
		return -EEXIST;
	if (flags & BPFVM_F_LOCK)
		return -EINVAL; /* no bpf_spin_lock in the value */
	if (!map->ops->percpu || cpu != MAP_ALL_CPUS) {
		map_copy_in(slot(map, i, map->ops->percpu ? cpu : 0), value,
			    map->spec.value_size);
		return 0;
	}
	/* bpf_percpu_array_update: the host gives every slot's value,
	 * each rounded up to 8 bytes. */
	for (uint32_t c = 0; c < map->ncpus; c++)
		map_copy_in(slot(map, i, c),
			    (const char *)value + (size_t)c * map->stride,
			    map->stride);
	return 0;
}

static long array_delete(struct bpfvm_map *map, const void *key)
{
	return -EINVAL; /* elements cannot be removed */
}

int array_next_index(uint32_t max_entries, const void *key, void *next_key)
{
	uint32_t i = key ? index_of(key) : UINT32_MAX, next = 0;

	if (i < max_entries) {
		if (i == max_entries - 1)
			return -ENOENT;
		next = i + 1;
	}
	memcpy(next_key, &next, sizeof(next));
	return 0;
}

static int array_get_next_key(struct bpfvm_map *map, const void *key,
			      void *next_key)
{
	return array_next_index(map->spec.max_entries, key, next_key);
}

static int array_sys_lookup(struct bpfvm_map *map, const void *key, void *value)
{
	uint32_t i = index_of(key);

	if (i >= map->spec.max_entries)
		return -ENOENT;
	if (!map->ops->percpu) {
		map_copy_out(value, slot(map, i, 0), map->spec.value_size);
		return 0;
	}
	for (uint32_t c = 0; c < map->ncpus; c++)
		map_copy_out((char *)value + (size_t)c * map->stride,
			     slot(map, i, c), map->stride);
	return 0;
}

/* bpf_for_each_array_elem: every index, this slot's value for per-CPU
 * arrays; the element that stops the walk counts. */
static long array_for_each(struct bpfvm_map *map, map_for_each_cb cb, void *ctx,
			   uint32_t cpu)
{
	uint32_t c = map->ops->percpu ? cpu : 0;
	long n = 0;

	for (uint32_t i = 0; i < map->spec.max_entries; i++) {
		uint32_t key = i;

		n++;
		if (cb(map, &key, slot(map, i, c), ctx))
			break;
	}
	return n;
}

const struct map_ops array_map_ops = {
	.name = "array",
	.flags_ok = BPFVM_F_NUMA_NODE | BPFVM_F_MMAPABLE | MAP_F_ACCESS_MASK |
		    BPFVM_F_INNER_MAP,
	.check = array_check_spec,
	.mem = array_mem,
	.alloc = array_alloc,
	.free = array_free,
	.lookup_elem = array_lookup,
	.update_elem = array_update,
	.delete_elem = array_delete,
	.for_each = array_for_each,
	.get_next_key = array_get_next_key,
	.sys_lookup = array_sys_lookup,
};

const struct map_ops percpu_array_map_ops = {
	.name = "percpu_array",
	.flags_ok = BPFVM_F_NUMA_NODE | MAP_F_ACCESS_MASK,
	.percpu = true,
	.check = array_check_spec,
	.mem = array_mem,
	.alloc = array_alloc,
	.free = array_free,
	.lookup_elem = percpu_array_lookup,
	.update_elem = array_update,
	.delete_elem = array_delete,
	.for_each = array_for_each,
	.get_next_key = array_get_next_key,
	.sys_lookup = array_sys_lookup,
};
