/* SPDX-License-Identifier: MIT */
/*
 * DEVMAP and DEVMAP_HASH (kernel/bpf/devmap.c): the targets of
 * bpf_redirect_map. A value is struct bpf_devmap_val { u32 ifindex;
 * u32 prog; } cut to value_size (4: the ifindex alone). Programs look
 * entries up (read-only: the kernel forces BPF_F_RDONLY_PROG); the host
 * stores them, a program id in prog (0, or negative as an int, for none),
 * which must name a program the map's resolver knows, else -EINVAL.
 * bpfvm has no devices to check an ifindex against: any nonzero one is
 * taken.
 *
 * DEVMAP is an array: ifindex 0 empties a slot, deleting one always
 * succeeds. DEVMAP_HASH is a hash table of u32 keys; as in the kernel,
 * BPF_EXIST does not insist on an existing key, and a full table says
 * -E2BIG.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map_internal.h"

struct devmap_val {
	uint32_t ifindex;
	uint32_t prog;
};

struct devmap {
	struct bpfvm_map map;
	uint64_t *slots; /* a struct devmap_val each, stored whole */
};

static struct devmap *dm_of(struct bpfvm_map *map)
{
	return (struct devmap *)map;
}

static struct htab *htab_of(struct bpfvm_map *map)
{
	return (struct htab *)map;
}

static int dm_check(const struct bpfvm_map_spec *spec, bpfvm_error *err)
{
	const char *name = map_ops_of(spec->type)->name;

	if (!spec->max_entries)
		return map_spec_fail(err, EINVAL,
				     "max_entries 0 is invalid for %s maps",
				     name);
	if (spec->key_size != 4)
		return map_spec_fail(err, EINVAL,
				     "key_size %u is invalid for %s maps: the "
				     "key is a u32",
				     spec->key_size, name);
	if (spec->value_size != 4 && spec->value_size != 8)
		return map_spec_fail(err, EINVAL,
				     "value_size %u is invalid for %s maps: 4 "
				     "(ifindex) or 8 (ifindex and program)",
				     spec->value_size, name);
	if (spec->type == BPFVM_MAP_DEVMAP_HASH && spec->max_entries > 1u << 31)
		return map_spec_fail(err, EINVAL,
				     "max_entries %u is too large for %s maps",
				     spec->max_entries, name);
	return 0;
}

static uint32_t u32_at(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The value the host gives, checked (__dev_map_alloc_node): the program
 * must resolve; without one, prog reads back as 0. */
static int host_value(struct bpfvm_map *map, const void *value,
		      struct devmap_val *v)
{
	memset(v, 0, sizeof(*v));
	memcpy(v, value, map->spec.value_size);
	if ((int32_t)v->prog <= 0) {
		v->prog = 0;
		return 0;
	}
	if (!v->ifindex)
		return -EINVAL; /* no program without a device */
	return map_resolve(map, BPFVM_OBJ_PROG, v->prog) ? 0 : -EINVAL;
}

/* ---- DEVMAP ---- */

static uint64_t dm_mem(const struct bpfvm_map_spec *spec, uint32_t ncpus)
{
	return sat_mul(spec->max_entries, sizeof(uint64_t));
}

static struct bpfvm_map *dm_alloc(const struct bpfvm_map *proto)
{
	struct devmap *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->slots = calloc(proto->spec.max_entries, sizeof(*d->slots));
	if (!d->slots) {
		free(d);
		return NULL;
	}
	d->map = *proto;
	return &d->map;
}

static void dm_free(struct bpfvm_map *map)
{
	free(dm_of(map)->slots);
	free(dm_of(map));
}

static uint64_t *dm_slot(struct bpfvm_map *map, uint32_t i)
{
	return &dm_of(map)->slots[i];
}

static bool empty(uint64_t word)
{
	struct devmap_val v;

	memcpy(&v, &word, sizeof(v));
	return !v.ifindex;
}

static void *dm_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	uint32_t i = u32_at(key);

	if (i >= map->spec.max_entries ||
	    empty(__atomic_load_n(dm_slot(map, i), __ATOMIC_RELAXED)))
		return NULL;
	return dm_slot(map, i);
}

/* __dev_map_update_elem */
static int dm_sys_update(struct bpfvm_map *map, const void *key,
			 const void *value, uint64_t flags)
{
	uint32_t i = u32_at(key);
	struct devmap_val v;
	uint64_t word;
	int rc;

	if (flags > BPFVM_EXIST)
		return -EINVAL;
	if (i >= map->spec.max_entries)
		return -E2BIG;
	if (flags == BPFVM_NOEXIST)
		return -EEXIST;
	rc = host_value(map, value, &v);
	if (rc)
		return rc;
	memcpy(&word, &v, sizeof(word));
	__atomic_store_n(dm_slot(map, i), word, __ATOMIC_RELAXED);
	return 0;
}

static int dm_sys_delete(struct bpfvm_map *map, const void *key)
{
	uint32_t i = u32_at(key);

	if (i >= map->spec.max_entries)
		return -EINVAL;
	__atomic_store_n(dm_slot(map, i), 0, __ATOMIC_RELAXED);
	return 0;
}

static int dm_sys_lookup(struct bpfvm_map *map, const void *key, void *value)
{
	uint32_t i = u32_at(key);
	uint64_t word;

	if (i >= map->spec.max_entries)
		return -ENOENT;
	word = __atomic_load_n(dm_slot(map, i), __ATOMIC_RELAXED);
	if (empty(word))
		return -ENOENT;
	memcpy(value, &word, map->spec.value_size);
	return 0;
}

static int dm_get_next_key(struct bpfvm_map *map, const void *key,
			   void *next_key)
{
	return array_next_index(map->spec.max_entries, key, next_key);
}

const struct map_ops devmap_map_ops = {
	.name = "devmap",
	.flags_ok = BPFVM_F_NUMA_NODE | BPFVM_F_RDONLY | BPFVM_F_WRONLY,
	.check = dm_check,
	.mem = dm_mem,
	.alloc = dm_alloc,
	.free = dm_free,
	.lookup_elem = dm_lookup,
	.get_next_key = dm_get_next_key,
	.sys_lookup = dm_sys_lookup,
	.sys_update = dm_sys_update,
	.sys_delete = dm_sys_delete,
};

/* ---- DEVMAP_HASH ---- */

static uint64_t dmh_mem(const struct bpfvm_map_spec *spec, uint32_t ncpus)
{
	return htab_mem(spec, sizeof(struct devmap_val), 1);
}

static struct bpfvm_map *dmh_alloc(const struct bpfvm_map *proto)
{
	struct htab *t =
		htab_alloc(proto, sizeof(*t), sizeof(struct devmap_val));

	return t ? &t->map : NULL;
}

static void dmh_free(struct bpfvm_map *map)
{
	htab_free(htab_of(map));
}

static void *dmh_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	return htab_lookup(htab_of(map), key, 0);
}

/* __dev_map_hash_update_elem: ifindex 0 is invalid here; only NOEXIST
 * is checked against the table. */
static int dmh_sys_update(struct bpfvm_map *map, const void *key,
			  const void *value, uint64_t flags)
{
	struct devmap_val v;
	int rc;

	memset(&v, 0, sizeof(v));
	memcpy(&v, value, map->spec.value_size);
	if (flags > BPFVM_EXIST || !v.ifindex)
		return -EINVAL;
	rc = host_value(map, value, &v);
	if (rc)
		return rc;
	return (int)htab_update(htab_of(map), key, &v,
				flags == BPFVM_EXIST ? BPFVM_ANY : flags, 0);
}

static int dmh_sys_delete(struct bpfvm_map *map, const void *key)
{
	return (int)htab_delete(htab_of(map), key);
}

static int dmh_sys_lookup(struct bpfvm_map *map, const void *key, void *value)
{
	return htab_copy_out(htab_of(map), key, value, map->spec.value_size,
			     false);
}

static int dmh_get_next_key(struct bpfvm_map *map, const void *key,
			    void *next_key)
{
	return htab_get_next_key(htab_of(map), key, next_key);
}

const struct map_ops devmap_hash_map_ops = {
	.name = "devmap_hash",
	.flags_ok = BPFVM_F_NUMA_NODE | BPFVM_F_RDONLY | BPFVM_F_WRONLY,
	.check = dm_check,
	.mem = dmh_mem,
	.alloc = dmh_alloc,
	.free = dmh_free,
	.lookup_elem = dmh_lookup,
	.get_next_key = dmh_get_next_key,
	.sys_lookup = dmh_sys_lookup,
	.sys_update = dmh_sys_update,
	.sys_delete = dmh_sys_delete,
};
