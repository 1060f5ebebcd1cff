/* SPDX-License-Identifier: MIT */
/*
 * Checks every helper makes on its arguments: pointers, maps (with the
 * kernel verifier's map/helper compatibility rules) and inner maps.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "helpers/helpers_internal.h"

/* The message of an abort must outlive the helper: the VM reads it when
 * the run stops, on this thread, before any other helper runs here. */
static _Thread_local char abort_msg[256];

uint64_t bpfvm_h_abort(bpfvm_exec *exec, const char *helper, const char *fmt,
		       ...)
{
	va_list ap;
	int n;

	n = snprintf(abort_msg, sizeof(abort_msg), "%s: ", helper);
	va_start(ap, fmt);
	vsnprintf(abort_msg + n, sizeof(abort_msg) - n, fmt, ap);
	va_end(ap);
	bpfvm_exec_abort(exec, abort_msg);
	return 0;
}

bool bpfvm_h_readable(bpfvm_exec *exec, const char *helper, int arg,
		      uint64_t addr, uint64_t len)
{
	if (!len || bpfvm_exec_readable(exec, addr, len))
		return true;
	bpfvm_h_abort(exec, helper,
		      "arg%d [0x%" PRIx64 ", +%" PRIu64
		      ") is not memory the program may read",
		      arg, addr, len);
	return false;
}

bool bpfvm_h_writable(bpfvm_exec *exec, const char *helper, int arg,
		      uint64_t addr, uint64_t len)
{
	if (!len || bpfvm_exec_writable(exec, addr, len))
		return true;
	bpfvm_h_abort(exec, helper,
		      "arg%d [0x%" PRIx64 ", +%" PRIu64
		      ") is not memory the program may write",
		      arg, addr, len);
	return false;
}

long bpfvm_h_strlen(const bpfvm_exec *exec, uint64_t addr, size_t max)
{
	for (size_t i = 0; i < max; i++) {
		if (!bpfvm_exec_readable(exec, addr + i, 1))
			return -1;
		if (!*(const char *)(uintptr_t)(addr + i))
			return (long)i;
	}
	return -1;
}

enum bpfvm_prog_type bpfvm_h_prog_type(const bpfvm_exec *exec)
{
	return bpfvm_prog_get_type(bpfvm_exec_prog(exec));
}

/*
 * Which map types each map-taking helper accepts: the kernel verifier's
 * check_map_func_compatibility (kernel/bpf/verifier.c) restricted to the
 * types bpfvm has. Both of its directions are folded in: map-in-map and
 * DEVMAP take only lookups (and redirect_map), QUEUE/STACK only
 * push/pop/peek, PROG_ARRAY only tail_call, RINGBUF only ringbuf_*.
 */
#define M(t) (1ull << BPFVM_MAP_##t)
#define PLAIN_MAPS                                                             \
	(M(HASH) | M(ARRAY) | M(PERCPU_HASH) | M(PERCPU_ARRAY) | M(LRU_HASH) | \
	 M(LRU_PERCPU_HASH) | M(LPM_TRIE))
static const struct {
	uint32_t func_id;
	uint64_t types;
} map_fits[] = {
	{ BPFVM_FUNC_map_lookup_elem, PLAIN_MAPS | M(ARRAY_OF_MAPS) |
					      M(HASH_OF_MAPS) | M(DEVMAP) |
					      M(DEVMAP_HASH) },
	{ BPFVM_FUNC_map_update_elem, PLAIN_MAPS },
	{ BPFVM_FUNC_map_delete_elem, PLAIN_MAPS },
	{ BPFVM_FUNC_map_push_elem, M(QUEUE) | M(STACK) },
	{ BPFVM_FUNC_map_pop_elem, M(QUEUE) | M(STACK) },
	{ BPFVM_FUNC_map_peek_elem, M(QUEUE) | M(STACK) },
	/* maps with a map_for_each_callback: hash and array kinds */
	{ BPFVM_FUNC_for_each_map_elem, PLAIN_MAPS & ~M(LPM_TRIE) },
	{ BPFVM_FUNC_map_lookup_percpu_elem,
	  M(PERCPU_ARRAY) | M(PERCPU_HASH) | M(LRU_PERCPU_HASH) },
	{ BPFVM_FUNC_tail_call, M(PROG_ARRAY) },
	{ BPFVM_FUNC_redirect_map, M(DEVMAP) | M(DEVMAP_HASH) },
	{ BPFVM_FUNC_ringbuf_output, M(RINGBUF) },
	{ BPFVM_FUNC_ringbuf_reserve, M(RINGBUF) },
	{ BPFVM_FUNC_ringbuf_query, M(RINGBUF) },
};
#undef M

static bool map_fits_func(uint32_t func_id, uint32_t type)
{
	for (size_t i = 0; i < sizeof(map_fits) / sizeof(map_fits[0]); i++)
		if (map_fits[i].func_id == func_id)
			return type < 64 && (map_fits[i].types >> type & 1);
	return false;
}

/*
 * Inner maps. map_lookup_elem on ARRAY_OF_MAPS / HASH_OF_MAPS hands the
 * program a map that is not among its own, so bpfvm_exec_map does not
 * know it. Each lookup that returns one is remembered here (per thread,
 * the last few) with the outer map and key. A pointer is accepted as an
 * inner map only while the outer map is one of the running program's
 * maps and still holds that map at that key: so a stale entry, left by an
 * earlier run, can never name a map the program could not look up itself
 * right now, nor a freed one.
 */
#define INNER_SEEN    16
#define INNER_KEY_MAX 256

struct inner_seen {
	uint64_t outer_ptr; /* the program's value for outer */
	bpfvm_map *outer;
	bpfvm_map *inner;
	uint32_t key_size;
	uint8_t key[INNER_KEY_MAX];
};

static _Thread_local struct inner_seen inner_seen[INNER_SEEN];
static _Thread_local unsigned inner_next;

void bpfvm_h_inner_seen(uint64_t outer_ptr, bpfvm_map *outer, const void *key,
			bpfvm_map *inner)
{
	uint32_t key_size = bpfvm_map_get_spec(outer)->key_size;
	struct inner_seen *s;

	if (key_size > INNER_KEY_MAX)
		return; /* then bpfvm_h_map refuses it, naming it */
	for (unsigned i = 0; i < INNER_SEEN; i++) {
		s = &inner_seen[i];
		if (s->outer_ptr == outer_ptr && s->inner == inner &&
		    !memcmp(s->key, key, key_size))
			return;
	}
	s = &inner_seen[inner_next++ % INNER_SEEN];
	s->outer_ptr = outer_ptr;
	s->outer = outer;
	s->inner = inner;
	s->key_size = key_size;
	memcpy(s->key, key, key_size);
}

static bpfvm_map *inner_map(const bpfvm_exec *exec, uint64_t ptr)
{
	for (unsigned i = 0; i < INNER_SEEN; i++) {
		struct inner_seen *s = &inner_seen[i];

		if (!s->inner || (uintptr_t)s->inner != ptr)
			continue;
		if (bpfvm_exec_map(exec, s->outer_ptr) != s->outer)
			continue;
		if (bpfvm_map_lookup_elem(s->outer, s->key) == s->inner)
			return s->inner;
	}
	return NULL;
}

bpfvm_map *bpfvm_h_map(bpfvm_exec *exec, const char *helper, uint32_t func_id,
		       int arg, uint64_t ptr)
{
	bpfvm_map *map = bpfvm_exec_map(exec, ptr);
	uint32_t type;

	if (!map)
		map = inner_map(exec, ptr);
	if (!map) {
		bpfvm_h_abort(exec, helper,
			      "arg%d 0x%" PRIx64 " is not a map of the program",
			      arg, ptr);
		return NULL;
	}
	type = bpfvm_map_get_spec(map)->type;
	if (!map_fits_func(func_id, type)) {
		bpfvm_h_abort(exec, helper,
			      "cannot pass map_type %u into func bpf_%s#%u",
			      type, helper, func_id);
		return NULL;
	}
	return map;
}
