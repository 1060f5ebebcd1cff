/* SPDX-License-Identifier: MIT */
/*
 * The generic map: the ops table by type, creation and reference counts,
 * the host's bpf(2)-like commands with their permission checks, the
 * program-side entry points, and the batch dump. Everything here
 * dispatches through struct map_ops; a missing op answers what the kernel
 * answers for it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map_internal.h"

static const struct map_ops *const ops_table[] = {
	[BPFVM_MAP_HASH] = &hash_map_ops,
	[BPFVM_MAP_ARRAY] = &array_map_ops,
	[BPFVM_MAP_PROG_ARRAY] = &prog_array_map_ops,
	[BPFVM_MAP_PERCPU_HASH] = &percpu_hash_map_ops,
	[BPFVM_MAP_PERCPU_ARRAY] = &percpu_array_map_ops,
	[BPFVM_MAP_LRU_HASH] = &lru_hash_map_ops,
	[BPFVM_MAP_LRU_PERCPU_HASH] = &lru_percpu_hash_map_ops,
	[BPFVM_MAP_LPM_TRIE] = &lpm_trie_map_ops,
	[BPFVM_MAP_ARRAY_OF_MAPS] = &array_of_maps_map_ops,
	[BPFVM_MAP_HASH_OF_MAPS] = &hash_of_maps_map_ops,
	[BPFVM_MAP_DEVMAP] = &devmap_map_ops,
	[BPFVM_MAP_QUEUE] = &queue_map_ops,
	[BPFVM_MAP_STACK] = &stack_map_ops,
	[BPFVM_MAP_DEVMAP_HASH] = &devmap_hash_map_ops,
	[BPFVM_MAP_RINGBUF] = &ringbuf_map_ops,
};

const struct map_ops *map_ops_of(uint32_t type)
{
	if (type >= sizeof(ops_table) / sizeof(ops_table[0]))
		return NULL;
	return ops_table[type];
}

/* ---- creation and references ---- */

bpfvm_map *bpfvm_map_new(const struct bpfvm_map_spec *spec, bpfvm_error *err)
{
	struct bpfvm_map proto;
	const struct map_ops *ops;
	bpfvm_map *map;
	char *name = NULL;

	if (bpfvm_map_check_spec(spec, err))
		return NULL;
	ops = map_ops_of(spec->type);
	memset(&proto, 0, sizeof(proto));
	proto.spec = *spec;
	proto.spec.map_flags = map_effective_flags(spec);
	proto.spec.name = NULL;
	proto.spec.inner = NULL;
	if (spec->inner && (spec->type == BPFVM_MAP_ARRAY_OF_MAPS ||
			    spec->type == BPFVM_MAP_HASH_OF_MAPS)) {
		proto.inner = *spec->inner;
		proto.inner.name = NULL;
		proto.inner.inner = NULL;
	}
	proto.ops = ops;
	proto.refcnt = 1;
	proto.ncpus = ops->percpu ? bpfvm_ncpus() : 1;
	proto.stride = round_up8(spec->value_size);
	proto.host_value_size = ops->percpu ? (size_t)proto.stride * proto.ncpus
					    : spec->value_size;
	if (spec->name) {
		name = strdup(spec->name);
		if (!name)
			goto nomem;
	}
	map = ops->alloc(&proto);
	if (!map)
		goto nomem;
	map->name = name;
	map->spec.name = name;
	if (spec->inner && (spec->type == BPFVM_MAP_ARRAY_OF_MAPS ||
			    spec->type == BPFVM_MAP_HASH_OF_MAPS))
		map->spec.inner = &map->inner;
	pthread_mutex_init(&map->resolver_lock, NULL);
	return map;
nomem:
	free(name);
	bpfvm_fail(err, -1, "out of memory creating a %s map", ops->name);
	return NULL;
}

void bpfvm_map_ref(bpfvm_map *map)
{
	if (map)
		__atomic_add_fetch(&map->refcnt, 1, __ATOMIC_RELAXED);
}

void bpfvm_map_unref(bpfvm_map *map)
{
	char *name;

	if (!map || __atomic_sub_fetch(&map->refcnt, 1, __ATOMIC_ACQ_REL))
		return;
	name = map->name;
	pthread_mutex_destroy(&map->resolver_lock);
	map->ops->free(map);
	free(name);
}

const struct bpfvm_map_spec *bpfvm_map_get_spec(const bpfvm_map *map)
{
	return map ? &map->spec : NULL;
}

size_t bpfvm_map_host_value_size(const bpfvm_map *map)
{
	return map ? map->host_value_size : 0;
}

void bpfvm_map_set_object_resolver(bpfvm_map *map, bpfvm_object_resolver fn,
				   void *owner)
{
	if (!map)
		return;
	pthread_mutex_lock(&map->resolver_lock);
	map->resolver = fn;
	map->owner = owner;
	pthread_mutex_unlock(&map->resolver_lock);
}

void *map_resolve(bpfvm_map *map, uint32_t kind, uint32_t id)
{
	bpfvm_object_resolver fn;
	void *owner;

	pthread_mutex_lock(&map->resolver_lock);
	fn = map->resolver;
	owner = map->owner;
	pthread_mutex_unlock(&map->resolver_lock);
	return fn ? fn(owner, kind, id) : NULL;
}

/* ---- host side ---- */

/* The kernel's map fd permissions: BPF_F_RDONLY maps take no writes from
 * user space, BPF_F_WRONLY maps no reads. */
static bool can_read(const bpfvm_map *map)
{
	return !(map->spec.map_flags & BPFVM_F_WRONLY);
}

static bool can_write(const bpfvm_map *map)
{
	return !(map->spec.map_flags & BPFVM_F_RDONLY);
}

/* __bpf_copy_key: a keyless map takes no key, others need one. */
static int check_key(const bpfvm_map *map, const void *key)
{
	if (map->spec.key_size)
		return key ? 0 : -EFAULT;
	return key ? -EINVAL : 0;
}

int bpfvm_map_lookup(bpfvm_map *map, const void *key, void *value)
{
	int rc;

	if (!map)
		return -EINVAL;
	if (!can_read(map))
		return -EPERM;
	rc = check_key(map, key);
	if (rc)
		return rc;
	if (!value && map->host_value_size)
		return -EFAULT;
	if (!map->ops->sys_lookup)
		return -BPFVM_ENOTSUPP;
	return map->ops->sys_lookup(map, key, value);
}

int bpfvm_map_update(bpfvm_map *map, const void *key, const void *value,
		     uint64_t flags)
{
	int rc;

	if (!map)
		return -EINVAL;
	if (!can_write(map))
		return -EPERM;
	rc = check_key(map, key);
	if (rc)
		return rc;
	if (!value && map->host_value_size)
		return -EFAULT;
	if (map->ops->sys_update)
		return map->ops->sys_update(map, key, value, flags);
	if (map->ops->update_elem)
		return (int)map->ops->update_elem(map, key, value, flags,
						  MAP_ALL_CPUS);
	return -BPFVM_ENOTSUPP;
}

int bpfvm_map_delete(bpfvm_map *map, const void *key)
{
	int rc;

	if (!map)
		return -EINVAL;
	if (!can_write(map))
		return -EPERM;
	rc = check_key(map, key);
	if (rc)
		return rc;
	if (map->ops->sys_delete)
		return map->ops->sys_delete(map, key);
	if (map->ops->delete_elem)
		return (int)map->ops->delete_elem(map, key);
	return -BPFVM_ENOTSUPP;
}

int bpfvm_map_get_next_key(bpfvm_map *map, const void *key, void *next_key)
{
	if (!map)
		return -EINVAL;
	if (!can_read(map))
		return -EPERM;
	if (key && !map->spec.key_size)
		return -EINVAL;
	if (!next_key && map->spec.key_size)
		return -EFAULT;
	if (!map->ops->get_next_key)
		return -BPFVM_ENOTSUPP;
	return map->ops->get_next_key(map, key, next_key);
}

int bpfvm_map_lookup_and_delete(bpfvm_map *map, const void *key, void *value)
{
	int rc;

	if (!map)
		return -EINVAL;
	if (!can_read(map) || !can_write(map))
		return -EPERM;
	rc = check_key(map, key);
	if (rc)
		return rc;
	if (!value)
		return -EFAULT;
	if (!map->ops->sys_lookup_and_delete)
		return -BPFVM_ENOTSUPP;
	return map->ops->sys_lookup_and_delete(map, key, value);
}

/*
 * generic_map_lookup_batch: walk keys with get_next_key from the cursor,
 * copying each element out. An element that vanished between the two
 * steps is passed over (the kernel retries it, then gives up with
 * -EINTR); empty PROG_ARRAY or DEVMAP slots are passed over the same way.
 */
int bpfvm_map_lookup_batch(bpfvm_map *map, const void *in_cursor,
			   void *out_cursor, void *keys, void *values,
			   uint32_t *count)
{
	uint32_t ks, max, n = 0;
	size_t vs;
	char *prev = NULL, *key;
	int rc = 0;

	if (!map || !count)
		return -EINVAL;
	if (!can_read(map))
		return -EPERM;
	if (!map->ops->get_next_key || !map->ops->sys_lookup ||
	    !map->spec.key_size)
		return -BPFVM_ENOTSUPP;
	max = *count;
	*count = 0;
	if (!max)
		return 0;
	if (!keys || !values || !out_cursor)
		return -EFAULT;
	ks = map->spec.key_size;
	vs = map->host_value_size;
	key = malloc(2 * (size_t)ks);
	if (!key)
		return -ENOMEM;
	if (in_cursor) {
		prev = key + ks;
		memcpy(prev, in_cursor, ks);
	}
	while (n < max) {
		char *next = prev == key ? key + ks : key;

		rc = map->ops->get_next_key(map, prev, next);
		if (rc)
			break;
		prev = next;
		rc = map->ops->sys_lookup(map, next, (char *)values + n * vs);
		if (rc == -ENOENT)
			continue;
		if (rc)
			break;
		memcpy((char *)keys + (size_t)n * ks, next, ks);
		n++;
	}
	if (prev)
		memcpy(out_cursor, prev, ks);
	free(key);
	*count = n;
	return rc;
}

/* ---- program side ---- */

void *bpfvm_map_lookup_elem(bpfvm_map *map, const void *key)
{
	if (!map || !map->ops->lookup_elem || (!key && map->spec.key_size))
		return NULL;
	return map->ops->lookup_elem(map, key, map_this_cpu(map));
}

void *bpfvm_map_lookup_percpu_elem(bpfvm_map *map, const void *key,
				   uint32_t cpu)
{
	if (!map || !map->ops->percpu || cpu >= map->ncpus || !key)
		return NULL;
	return map->ops->lookup_elem(map, key, cpu);
}

long bpfvm_map_update_elem(bpfvm_map *map, const void *key, const void *value,
			   uint64_t flags)
{
	if (!map || !map->ops->update_elem)
		return -EINVAL;
	if ((!key && map->spec.key_size) || !value)
		return -EFAULT;
	return map->ops->update_elem(map, key, value, flags, map_this_cpu(map));
}

long bpfvm_map_delete_elem(bpfvm_map *map, const void *key)
{
	if (!map || !map->ops->delete_elem)
		return -EINVAL;
	if (!key && map->spec.key_size)
		return -EFAULT;
	return map->ops->delete_elem(map, key);
}

long bpfvm_map_push_elem(bpfvm_map *map, const void *value, uint64_t flags)
{
	if (!map || !map->ops->push_elem)
		return -EINVAL;
	if (!value)
		return -EFAULT;
	return map->ops->push_elem(map, value, flags);
}

long bpfvm_map_pop_elem(bpfvm_map *map, void *value)
{
	if (!map || !map->ops->pop_elem)
		return -EINVAL;
	if (!value)
		return -EFAULT;
	return map->ops->pop_elem(map, value);
}

long bpfvm_map_peek_elem(bpfvm_map *map, void *value)
{
	if (!map || !map->ops->peek_elem)
		return -EINVAL;
	if (!value)
		return -EFAULT;
	return map->ops->peek_elem(map, value);
}

long bpfvm_map_for_each(bpfvm_map *map,
			long (*cb)(bpfvm_map *map, const void *key, void *value,
				   void *ctx),
			void *ctx)
{
	if (!map || !cb || !map->ops->for_each)
		return -EINVAL;
	return map->ops->for_each(map, cb, ctx, map_this_cpu(map));
}
