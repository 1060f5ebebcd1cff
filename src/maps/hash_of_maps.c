/* SPDX-License-Identifier: MIT */
/*
 * HASH_OF_MAPS (hashtab.c's fd htab): a hash table whose values are inner
 * maps. The host stores a map id; the table keeps the id (which the host
 * reads back) and the map, with a reference that it drops when the
 * element is deleted or replaced and when the table is freed. Programs'
 * lookups return the inner map.
 */
#include <errno.h>
#include <string.h>

#include "maps/map_internal.h"

/* The stored value: id first, so copying value_size (4) bytes out gives
 * the host its id. */
struct hom_value {
	uint32_t id;
	uint32_t pad;
	bpfvm_map *inner;
};

static struct htab *htab_of(struct bpfvm_map *map)
{
	return (struct htab *)map;
}

/* fd_htab_map_alloc_check, then the inner spec. */
static int hom_check(const struct bpfvm_map_spec *spec, bpfvm_error *err)
{
	int rc;

	if (spec->value_size != 4)
		return map_spec_fail(
			err, EINVAL,
			"value_size %u is invalid for hash_of_maps "
			"maps: the value is a u32 map id",
			spec->value_size);
	rc = hash_check_spec(spec, err);
	return rc ? rc : map_check_inner(spec, err);
}

static uint64_t hom_mem(const struct bpfvm_map_spec *spec, uint32_t ncpus)
{
	return htab_mem(spec, sizeof(struct hom_value), 1);
}

static void hom_release(struct htab *t, void *value)
{
	struct hom_value v;

	memcpy(&v, value, sizeof(v));
	bpfvm_map_unref(v.inner);
}

static struct bpfvm_map *hom_alloc(const struct bpfvm_map *proto)
{
	struct htab *t =
		htab_alloc(proto, sizeof(*t), sizeof(struct hom_value));

	if (!t)
		return NULL;
	t->release = hom_release;
	return &t->map;
}

static void hom_free(struct bpfvm_map *map)
{
	htab_free(htab_of(map));
}

static void *hom_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	struct hom_value *v = htab_lookup(htab_of(map), key, 0);

	return v ? __atomic_load_n(&v->inner, __ATOMIC_RELAXED) : NULL;
}

/* bpf_fd_htab_map_update_elem: resolve first (bad id: -EBADF, another
 * shape: -EINVAL), then the hash table's own rules and flags. */
static int hom_sys_update(struct bpfvm_map *map, const void *key,
			  const void *value, uint64_t flags)
{
	struct hom_value v = { 0 };
	long rc;

	memcpy(&v.id, value, sizeof(v.id));
	v.inner = map_resolve(map, BPFVM_OBJ_MAP, v.id);
	if (!v.inner)
		return -EBADF;
	if (!map_meta_equal(&map->inner, v.inner))
		return -EINVAL;
	bpfvm_map_ref(v.inner);
	rc = htab_update(htab_of(map), key, &v, flags, 0);
	if (rc)
		bpfvm_map_unref(v.inner);
	return (int)rc;
}

static int hom_sys_delete(struct bpfvm_map *map, const void *key)
{
	return (int)htab_delete(htab_of(map), key);
}

static int hom_sys_lookup(struct bpfvm_map *map, const void *key, void *value)
{
	return htab_copy_out(htab_of(map), key, value, sizeof(uint32_t), false);
}

static int hom_get_next_key(struct bpfvm_map *map, const void *key,
			    void *next_key)
{
	return htab_get_next_key(htab_of(map), key, next_key);
}

const struct map_ops hash_of_maps_map_ops = {
	.name = "hash_of_maps",
	.flags_ok = BPFVM_F_NO_PREALLOC | BPFVM_F_NO_COMMON_LRU |
		    BPFVM_F_NUMA_NODE | MAP_F_ACCESS_MASK | BPFVM_F_ZERO_SEED,
	.check = hom_check,
	.mem = hom_mem,
	.alloc = hom_alloc,
	.free = hom_free,
	.lookup_elem = hom_lookup,
	.get_next_key = hom_get_next_key,
	.sys_lookup = hom_sys_lookup,
	.sys_update = hom_sys_update,
	.sys_delete = hom_sys_delete,
};
