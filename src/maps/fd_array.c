/* SPDX-License-Identifier: MIT */
/*
 * PROG_ARRAY and ARRAY_OF_MAPS (the kernel's fd arrays, arraymap.c): u32
 * indexes to objects. The host stores an object's id, which the map's
 * resolver turns into the object; the map keeps the pointer, for tail
 * calls and for programs' lookups, and gives the host the id back.
 *
 * An ARRAY_OF_MAPS holds a reference to each inner map and accepts only
 * maps that match its inner spec. A PROG_ARRAY holds no reference: the
 * VM owns its programs and outlives the maps it made for them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map_internal.h"

struct fd_slot {
	void *ptr; /* atomic */
	uint32_t id;
};

struct fd_array {
	struct bpfvm_map map;
	pthread_mutex_t lock; /* writers, and id reads */
	struct fd_slot *slots;
	void *owner_type; /* PROG_ARRAY: type tag of the first program */
};

static struct fd_array *fda_of(struct bpfvm_map *map)
{
	return (struct fd_array *)map;
}

static bool holds_maps(const struct bpfvm_map *map)
{
	return map->spec.type == BPFVM_MAP_ARRAY_OF_MAPS;
}

/* fd_array_map_alloc_check, then the inner spec for ARRAY_OF_MAPS. */
static int fda_check(const struct bpfvm_map_spec *spec, bpfvm_error *err)
{
	const char *name = map_ops_of(spec->type)->name;
	int rc;

	if (spec->value_size != 4)
		return map_spec_fail(
			err, EINVAL,
			"value_size %u is invalid for %s maps: the "
			"value is a u32 %s id",
			spec->value_size, name,
			spec->type == BPFVM_MAP_PROG_ARRAY ? "program" : "map");
	if (spec->map_flags & (BPFVM_F_RDONLY_PROG | BPFVM_F_WRONLY_PROG))
		return map_spec_fail(err, EINVAL,
				     "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG "
				     "are invalid for %s maps",
				     name);
	rc = array_check_spec(spec, err);
	if (rc || spec->type != BPFVM_MAP_ARRAY_OF_MAPS)
		return rc;
	return map_check_inner(spec, err);
}

static uint64_t fda_mem(const struct bpfvm_map_spec *spec, uint32_t ncpus)
{
	return sat_mul(spec->max_entries, sizeof(struct fd_slot));
}

static struct bpfvm_map *fda_alloc(const struct bpfvm_map *proto)
{
	struct fd_array *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->slots = calloc(proto->spec.max_entries, sizeof(*a->slots));
	if (!a->slots) {
		free(a);
		return NULL;
	}
	a->map = *proto;
	pthread_mutex_init(&a->lock, NULL);
	return &a->map;
}

static void fda_free(struct bpfvm_map *map)
{
	struct fd_array *a = fda_of(map);

	if (holds_maps(map))
		for (uint32_t i = 0; i < map->spec.max_entries; i++)
			bpfvm_map_unref(a->slots[i].ptr);
	pthread_mutex_destroy(&a->lock);
	free(a->slots);
	free(a);
}

static uint32_t u32_at(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void *slot_ptr(struct fd_array *a, uint32_t i)
{
	return __atomic_load_n(&a->slots[i].ptr, __ATOMIC_ACQUIRE);
}

/* array_of_map_lookup_elem: the inner map itself. */
static void *aom_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	uint32_t i = u32_at(key);

	return i < map->spec.max_entries ? slot_ptr(fda_of(map), i) : NULL;
}

void *bpfvm_map_prog_at(bpfvm_map *map, uint32_t index)
{
	if (!map || map->spec.type != BPFVM_MAP_PROG_ARRAY ||
	    index >= map->spec.max_entries)
		return NULL;
	return slot_ptr(fda_of(map), index);
}

/* Swap in ptr (NULL to clear), returning what was there. */
static void *swap_slot(struct fd_array *a, uint32_t i, void *ptr, uint32_t id)
{
	void *old;

	pthread_mutex_lock(&a->lock);
	old = a->slots[i].ptr;
	a->slots[i].id = id;
	__atomic_store_n(&a->slots[i].ptr, ptr, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&a->lock);
	return old;
}

/* bpf_fd_array_map_update_elem: BPF_ANY only; an id nothing answers to
 * is the kernel's bad fd, an inner map of another shape -EINVAL. */
/* Every program of a PROG_ARRAY has the type of the first one stored. */
static bool prog_type_compatible(struct fd_array *a, uint32_t id)
{
	void *type = map_resolve(&a->map, BPFVM_OBJ_PROG_TYPE, id);
	bool ok;

	if (!type)
		return true; /* the resolver does not tell types */
	pthread_mutex_lock(&a->lock);
	if (!a->owner_type)
		a->owner_type = type;
	ok = a->owner_type == type;
	pthread_mutex_unlock(&a->lock);
	return ok;
}

static int fda_sys_update(struct bpfvm_map *map, const void *key,
			  const void *value, uint64_t flags)
{
	uint32_t i = u32_at(key), id = u32_at(value);
	bool maps = holds_maps(map);
	void *ptr, *old;

	if (flags != BPFVM_ANY)
		return -EINVAL;
	if (i >= map->spec.max_entries)
		return -E2BIG;
	ptr = map_resolve(map, maps ? BPFVM_OBJ_MAP : BPFVM_OBJ_PROG, id);
	if (!ptr)
		return -EBADF;
	if (maps) {
		if (!map_meta_equal(&map->inner, ptr))
			return -EINVAL;
		bpfvm_map_ref(ptr);
	} else if (!prog_type_compatible(fda_of(map), id)) {
		return -EINVAL;
	}
	old = swap_slot(fda_of(map), i, ptr, id);
	if (maps)
		bpfvm_map_unref(old);
	return 0;
}

static int fda_sys_delete(struct bpfvm_map *map, const void *key)
{
	uint32_t i = u32_at(key);
	void *old;

	if (i >= map->spec.max_entries)
		return -E2BIG;
	old = swap_slot(fda_of(map), i, NULL, 0);
	if (!old)
		return -ENOENT;
	if (holds_maps(map))
		bpfvm_map_unref(old);
	return 0;
}

/* The host reads ids (map_fd_sys_lookup_elem). */
static int fda_sys_lookup(struct bpfvm_map *map, const void *key, void *value)
{
	struct fd_array *a = fda_of(map);
	uint32_t i = u32_at(key), id = 0;
	bool present;

	if (i >= map->spec.max_entries)
		return -ENOENT;
	pthread_mutex_lock(&a->lock);
	present = a->slots[i].ptr != NULL;
	if (present)
		id = a->slots[i].id;
	pthread_mutex_unlock(&a->lock);
	if (!present)
		return -ENOENT;
	memcpy(value, &id, sizeof(id));
	return 0;
}

static int fda_get_next_key(struct bpfvm_map *map, const void *key,
			    void *next_key)
{
	return array_next_index(map->spec.max_entries, key, next_key);
}

const struct map_ops prog_array_map_ops = {
	.name = "prog_array",
	.flags_ok = BPFVM_F_NUMA_NODE | MAP_F_ACCESS_MASK,
	.check = fda_check,
	.mem = fda_mem,
	.alloc = fda_alloc,
	.free = fda_free,
	.get_next_key = fda_get_next_key,
	.sys_lookup = fda_sys_lookup,
	.sys_update = fda_sys_update,
	.sys_delete = fda_sys_delete,
};

const struct map_ops array_of_maps_map_ops = {
	.name = "array_of_maps",
	.flags_ok = BPFVM_F_NUMA_NODE | MAP_F_ACCESS_MASK,
	.check = fda_check,
	.mem = fda_mem,
	.alloc = fda_alloc,
	.free = fda_free,
	.lookup_elem = aom_lookup,
	.get_next_key = fda_get_next_key,
	.sys_lookup = fda_sys_lookup,
	.sys_update = fda_sys_update,
	.sys_delete = fda_sys_delete,
};
