/* SPDX-License-Identifier: MIT */
/*
 * Map helpers: lookup, update, delete, push, pop, peek, for_each. The maps
 * component has the kernel's semantics and error codes; these check what
 * the program passes and open returned values to it.
 */
#include <errno.h>

#include "helpers/helpers_internal.h"

static bool is_map_in_map(uint32_t type)
{
	return type == BPFVM_MAP_ARRAY_OF_MAPS ||
	       type == BPFVM_MAP_HASH_OF_MAPS;
}

/* Whether the program may write the values of map. DEVMAP values are
 * read-only to programs: the kernel forces BPF_F_RDONLY_PROG on them
 * (dev_map_alloc) because lookups point straight at the device entry. */
static bool value_writable(const struct bpfvm_map_spec *spec)
{
	if (spec->type == BPFVM_MAP_DEVMAP ||
	    spec->type == BPFVM_MAP_DEVMAP_HASH)
		return false;
	return !(spec->map_flags & BPFVM_F_RDONLY_PROG);
}

/* Let the program use a value it is handed; false (run stopped) when the
 * VM cannot track one more region. */
static bool open_value(bpfvm_exec *exec, const char *helper, const void *ptr,
		       size_t len, bool writable)
{
	if (!bpfvm_exec_allow(exec, ptr, len, writable))
		return true;
	bpfvm_h_abort(exec, helper,
		      "too many map values handed to the program in one run");
	return false;
}

uint64_t bpfvm_bpf_map_lookup_elem(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				   uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "map_lookup_elem";
	const struct bpfvm_map_spec *spec;
	bpfvm_map *map;
	void *value;

	map = bpfvm_h_map(exec, name, BPFVM_FUNC_map_lookup_elem, 1, r1);
	if (!map)
		return 0;
	spec = bpfvm_map_get_spec(map);
	if (!bpfvm_h_readable(exec, name, 2, r2, spec->key_size))
		return 0;
	value = bpfvm_map_lookup_elem(map, (const void *)(uintptr_t)r2);
	if (!value)
		return 0;
	/* An inner map is a map pointer to pass on, not memory to touch. */
	if (is_map_in_map(spec->type))
		bpfvm_h_inner_seen(r1, map, (const void *)(uintptr_t)r2, value);
	else if (!open_value(exec, name, value, spec->value_size,
			     value_writable(spec)))
		return 0;
	return (uintptr_t)value;
}

/* map_lookup_percpu_elem(map, key, cpu): the value of another CPU's
 * slot; NULL when cpu is not below the number of slots. */
uint64_t bpfvm_bpf_map_lookup_percpu_elem(bpfvm_exec *exec, uint64_t r1,
					  uint64_t r2, uint64_t r3, uint64_t r4,
					  uint64_t r5)
{
	static const char name[] = "map_lookup_percpu_elem";
	const struct bpfvm_map_spec *spec;
	bpfvm_map *map;
	void *value;

	map = bpfvm_h_map(exec, name, BPFVM_FUNC_map_lookup_percpu_elem, 1, r1);
	if (!map)
		return 0;
	spec = bpfvm_map_get_spec(map);
	if (!bpfvm_h_readable(exec, name, 2, r2, spec->key_size))
		return 0;
	value = bpfvm_map_lookup_percpu_elem(map, (const void *)(uintptr_t)r2,
					     (uint32_t)r3);
	if (!value || !open_value(exec, name, value, spec->value_size,
				  value_writable(spec)))
		return 0;
	return (uintptr_t)value;
}

uint64_t bpfvm_bpf_map_update_elem(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				   uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "map_update_elem";
	const struct bpfvm_map_spec *spec;
	bpfvm_map *map;

	map = bpfvm_h_map(exec, name, BPFVM_FUNC_map_update_elem, 1, r1);
	if (!map)
		return 0;
	spec = bpfvm_map_get_spec(map);
	if (!bpfvm_h_readable(exec, name, 2, r2, spec->key_size) ||
	    !bpfvm_h_readable(exec, name, 3, r3, spec->value_size))
		return 0;
	return (uint64_t)bpfvm_map_update_elem(map, (const void *)(uintptr_t)r2,
					       (const void *)(uintptr_t)r3, r4);
}

uint64_t bpfvm_bpf_map_delete_elem(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				   uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "map_delete_elem";
	bpfvm_map *map;

	map = bpfvm_h_map(exec, name, BPFVM_FUNC_map_delete_elem, 1, r1);
	if (!map || !bpfvm_h_readable(exec, name, 2, r2,
				      bpfvm_map_get_spec(map)->key_size))
		return 0;
	return (uint64_t)bpfvm_map_delete_elem(map,
					       (const void *)(uintptr_t)r2);
}

uint64_t bpfvm_bpf_map_push_elem(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				 uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "map_push_elem";
	bpfvm_map *map;

	map = bpfvm_h_map(exec, name, BPFVM_FUNC_map_push_elem, 1, r1);
	if (!map || !bpfvm_h_readable(exec, name, 2, r2,
				      bpfvm_map_get_spec(map)->value_size))
		return 0;
	return (uint64_t)bpfvm_map_push_elem(map, (const void *)(uintptr_t)r2,
					     r3);
}

/* pop and peek fill value_size bytes the program provides (the kernel's
 * ARG_PTR_TO_MAP_VALUE | MEM_UNINIT). */
static bpfvm_map *out_value_map(bpfvm_exec *exec, const char *name,
				uint32_t func_id, uint64_t r1, uint64_t r2)
{
	bpfvm_map *map = bpfvm_h_map(exec, name, func_id, 1, r1);

	if (!map || !bpfvm_h_writable(exec, name, 2, r2,
				      bpfvm_map_get_spec(map)->value_size))
		return NULL;
	return map;
}

uint64_t bpfvm_bpf_map_pop_elem(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				uint64_t r3, uint64_t r4, uint64_t r5)
{
	bpfvm_map *map = out_value_map(exec, "map_pop_elem",
				       BPFVM_FUNC_map_pop_elem, r1, r2);

	if (!map)
		return 0;
	return (uint64_t)bpfvm_map_pop_elem(map, (void *)(uintptr_t)r2);
}

uint64_t bpfvm_bpf_map_peek_elem(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				 uint64_t r3, uint64_t r4, uint64_t r5)
{
	bpfvm_map *map = out_value_map(exec, "map_peek_elem",
				       BPFVM_FUNC_map_peek_elem, r1, r2);

	if (!map)
		return 0;
	return (uint64_t)bpfvm_map_peek_elem(map, (void *)(uintptr_t)r2);
}

/* for_each_map_elem: one callback per element, as the kernel's
 * map_for_each_callback: callback(map, key, value, ctx), 0 to go on, 1 to
 * stop. The key is read-only to the callback, the value writable unless
 * the map is read-only to programs. */
struct for_each {
	bpfvm_exec *exec;
	uint64_t map_ptr, fn, ctx;
	bool writable;
	bool failed;
};

static long for_each_cb(bpfvm_map *map, const void *key, void *value, void *arg)
{
	static const char name[] = "for_each_map_elem";
	const struct bpfvm_map_spec *spec = bpfvm_map_get_spec(map);
	struct for_each *fe = arg;
	uint64_t args[5] = { fe->map_ptr, (uintptr_t)key, (uintptr_t)value,
			     fe->ctx, 0 };
	uint64_t ret;

	if (!open_value(fe->exec, name, key, spec->key_size, false) ||
	    !open_value(fe->exec, name, value, spec->value_size,
			fe->writable) ||
	    bpfvm_exec_callback(fe->exec, fe->fn, args, &ret)) {
		fe->failed = true;
		return 1;
	}
	return ret != 0;
}

uint64_t bpfvm_bpf_for_each_map_elem(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				     uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct for_each fe = {
		.exec = exec, .map_ptr = r1, .fn = r2, .ctx = r3
	};
	bpfvm_map *map;
	long n;

	map = bpfvm_h_map(exec, "for_each_map_elem",
			  BPFVM_FUNC_for_each_map_elem, 1, r1);
	if (!map)
		return 0;
	if (r4)
		return BPFVM_ERR(EINVAL);
	fe.writable = value_writable(bpfvm_map_get_spec(map));
	n = bpfvm_map_for_each(map, for_each_cb, &fe);
	return fe.failed ? BPFVM_ERR(EINVAL) : (uint64_t)n;
}
