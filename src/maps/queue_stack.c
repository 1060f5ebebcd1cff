/* SPDX-License-Identifier: MIT */
/*
 * QUEUE and STACK (kernel/bpf/queue_stack_maps.c): keyless, max_entries
 * values in a ring of max_entries + 1 slots. Push adds at head; a queue
 * pops the oldest (at tail), a stack the newest (below head). Pushing onto
 * a full map fails with -E2BIG unless the flags say BPF_EXIST, which
 * drops the oldest element to make room, for either kind.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map_internal.h"

struct qs_map {
	struct bpfvm_map map;
	struct map_lock lock;
	uint32_t head, tail, size;
	char *elements;
};

static struct qs_map *qs_of(struct bpfvm_map *map)
{
	return (struct qs_map *)map;
}

static int qs_check(const struct bpfvm_map_spec *spec, bpfvm_error *err)
{
	const char *name = map_ops_of(spec->type)->name;

	if (!spec->max_entries)
		return map_spec_fail(err, EINVAL,
				     "max_entries 0 is invalid for %s maps",
				     name);
	if (spec->key_size)
		return map_spec_fail(err, EINVAL,
				     "key_size must be 0 for %s maps, not %u",
				     name, spec->key_size);
	if (!spec->value_size)
		return map_spec_fail(err, EINVAL,
				     "value_size 0 is invalid for %s maps",
				     name);
	if (spec->value_size > MAP_KMALLOC_MAX_SIZE)
		return map_spec_fail(err, E2BIG,
				     "value_size %u is too large for %s maps",
				     spec->value_size, name);
	return 0;
}

static uint64_t qs_mem(const struct bpfvm_map_spec *spec, uint32_t ncpus)
{
	return sat_mul((uint64_t)spec->max_entries + 1,
		       round_up8(spec->value_size));
}

static struct bpfvm_map *qs_alloc(const struct bpfvm_map *proto)
{
	struct qs_map *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->map = *proto;
	q->size = proto->spec.max_entries + 1;
	q->elements = calloc(q->size, proto->stride);
	if (!q->elements) {
		free(q);
		return NULL;
	}
	return &q->map;
}

static void qs_free(struct bpfvm_map *map)
{
	free(qs_of(map)->elements);
	free(qs_of(map));
}

static char *elem(struct qs_map *q, uint32_t i)
{
	return q->elements + (size_t)i * q->map.stride;
}

static uint32_t next(const struct qs_map *q, uint32_t i)
{
	return i + 1 == q->size ? 0 : i + 1;
}

static long qs_push(struct bpfvm_map *map, const void *value, uint64_t flags)
{
	struct qs_map *q = qs_of(map);

	if ((flags & BPFVM_NOEXIST) || flags > BPFVM_EXIST)
		return -EINVAL;
	map_lock(&q->lock);
	if (next(q, q->head) == q->tail) {
		if (flags != BPFVM_EXIST) {
			map_unlock(&q->lock);
			return -E2BIG;
		}
		q->tail = next(q, q->tail); /* overwrite the oldest */
	}
	memcpy(elem(q, q->head), value, map->spec.value_size);
	q->head = next(q, q->head);
	map_unlock(&q->lock);
	return 0;
}

/* Copy out the element a queue or stack would give next; remove it too
 * with del. */
static long qs_get(struct bpfvm_map *map, void *value, bool del, bool stack)
{
	struct qs_map *q = qs_of(map);
	uint32_t i;

	map_lock(&q->lock);
	if (q->head == q->tail) {
		map_unlock(&q->lock);
		return -ENOENT;
	}
	i = stack ? (q->head ? q->head - 1 : q->size - 1) : q->tail;
	memcpy(value, elem(q, i), map->spec.value_size);
	if (del) {
		if (stack)
			q->head = i;
		else
			q->tail = next(q, q->tail);
	}
	map_unlock(&q->lock);
	return 0;
}

static long queue_pop(struct bpfvm_map *map, void *value)
{
	return qs_get(map, value, true, false);
}

static long queue_peek(struct bpfvm_map *map, void *value)
{
	return qs_get(map, value, false, false);
}

static long stack_pop(struct bpfvm_map *map, void *value)
{
	return qs_get(map, value, true, true);
}

static long stack_peek(struct bpfvm_map *map, void *value)
{
	return qs_get(map, value, false, true);
}

/* Keyed operations have no meaning here: the kernel answers -EINVAL. */
static long qs_update(struct bpfvm_map *map, const void *key, const void *value,
		      uint64_t flags, uint32_t cpu)
{
	return -EINVAL;
}

static long qs_delete(struct bpfvm_map *map, const void *key)
{
	return -EINVAL;
}

static int qs_get_next_key(struct bpfvm_map *map, const void *key,
			   void *next_key)
{
	return -EINVAL;
}

/* bpf(2) maps lookup to peek, update to push, lookup_and_delete to pop. */
static int qs_sys_update(struct bpfvm_map *map, const void *key,
			 const void *value, uint64_t flags)
{
	return (int)qs_push(map, value, flags);
}

static int queue_sys_lookup(struct bpfvm_map *map, const void *key, void *value)
{
	return (int)queue_peek(map, value);
}

static int queue_sys_pop(struct bpfvm_map *map, const void *key, void *value)
{
	return (int)queue_pop(map, value);
}

static int stack_sys_lookup(struct bpfvm_map *map, const void *key, void *value)
{
	return (int)stack_peek(map, value);
}

static int stack_sys_pop(struct bpfvm_map *map, const void *key, void *value)
{
	return (int)stack_pop(map, value);
}

#define QS_OPS(type_name, pop, peek, sys_lookup_fn, sys_pop)                   \
	{                                                                      \
		.name = type_name,                                             \
		.flags_ok = BPFVM_F_NUMA_NODE | MAP_F_ACCESS_MASK,             \
		.check = qs_check, .mem = qs_mem, .alloc = qs_alloc,           \
		.free = qs_free, .update_elem = qs_update,                     \
		.delete_elem = qs_delete, .push_elem = qs_push,                \
		.pop_elem = pop, .peek_elem = peek,                            \
		.get_next_key = qs_get_next_key, .sys_lookup = sys_lookup_fn,  \
		.sys_update = qs_sys_update, .sys_lookup_and_delete = sys_pop, \
	}

const struct map_ops queue_map_ops =
	QS_OPS("queue", queue_pop, queue_peek, queue_sys_lookup, queue_sys_pop);
const struct map_ops stack_map_ops =
	QS_OPS("stack", stack_pop, stack_peek, stack_sys_lookup, stack_sys_pop);
