/* SPDX-License-Identifier: MIT */
/*
 * Maps, part one: spec validation with the kernel's error codes and our
 * messages, ARRAY and PERCPU_ARRAY, HASH (prealloc and not), PERCPU_HASH,
 * LRU_HASH and LRU_PERCPU_HASH eviction, QUEUE and STACK, batch dumps,
 * host permissions, and a lookup benchmark (printed, not asserted).
 * LPM tries, ring buffers and the id-holding maps have their own files.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfvm/maps.h"
#include "check.h"
#include "maps/map_internal.h" /* refcounts and element layout */

static bpfvm_map *mk(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max,
		     uint32_t flags)
{
	struct bpfvm_map_spec spec = { .name = "t",
				       .type = type,
				       .key_size = ks,
				       .value_size = vs,
				       .max_entries = max,
				       .map_flags = flags };
	bpfvm_error err = { 0 };
	bpfvm_map *map = bpfvm_map_new(&spec, &err);

	if (!map)
		fprintf(stderr, "map_new(type %u): %s\n", type, err.msg);
	return map;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- spec validation ---- */

static const struct bpfvm_map_spec hash_inner = {
	.type = BPFVM_MAP_HASH, .key_size = 4, .value_size = 8, .max_entries = 4
};
static const struct bpfvm_map_spec bad_inner = {
	.type = BPFVM_MAP_HASH, .key_size = 0, .value_size = 8, .max_entries = 4
};
static const struct bpfvm_map_spec aom_inner = {
	.type = BPFVM_MAP_ARRAY_OF_MAPS,
	.key_size = 4,
	.value_size = 4,
	.max_entries = 4,
	.inner = &hash_inner
};
static const struct bpfvm_map_spec prog_inner = { .type = BPFVM_MAP_PROG_ARRAY,
						  .key_size = 4,
						  .value_size = 4,
						  .max_entries = 4 };

#define NP BPFVM_F_NO_PREALLOC
static const struct spec_case {
	struct bpfvm_map_spec spec;
	int rc;
	const char *msg;
} spec_cases[] = {
	{ { .type = 4, .key_size = 4, .value_size = 4, .max_entries = 1 },
	  -EINVAL,
	  "map type 4 is not supported" },
	{ { .type = 999, .key_size = 4, .value_size = 4, .max_entries = 1 },
	  -EINVAL,
	  "not supported" },
	{ { .type = BPFVM_MAP_HASH,
	    .key_size = 0,
	    .value_size = 4,
	    .max_entries = 1 },
	  -EINVAL,
	  "key_size 0 is invalid for hash maps" },
	{ { .type = BPFVM_MAP_HASH,
	    .key_size = 4,
	    .value_size = 0,
	    .max_entries = 1 },
	  -EINVAL,
	  "value_size 0 is invalid for hash maps" },
	{ { .type = BPFVM_MAP_HASH, .key_size = 4, .value_size = 4 },
	  -EINVAL,
	  "max_entries 0 is invalid for hash maps" },
	{ { .type = BPFVM_MAP_HASH,
	    .key_size = 4,
	    .value_size = 4,
	    .max_entries = 1,
	    .map_flags = 1u << 20 },
	  -EINVAL,
	  "bits 0x100000 are invalid for hash maps" },
	{ { .type = BPFVM_MAP_HASH,
	    .key_size = 4,
	    .value_size = 4,
	    .max_entries = 1,
	    .map_flags = BPFVM_F_NO_COMMON_LRU },
	  -EINVAL,
	  "only for LRU maps" },
	{ { .type = BPFVM_MAP_LRU_HASH,
	    .key_size = 4,
	    .value_size = 4,
	    .max_entries = 1,
	    .map_flags = NP },
	  -BPFVM_ENOTSUPP,
	  "always preallocated" },
	{ { .type = BPFVM_MAP_PERCPU_HASH,
	    .key_size = 4,
	    .value_size = 4,
	    .max_entries = 1,
	    .map_flags = BPFVM_F_NUMA_NODE },
	  -EINVAL,
	  "NUMA" },
	{ { .type = BPFVM_MAP_HASH,
	    .key_size = 4u << 20,
	    .value_size = 4,
	    .max_entries = 1 },
	  -E2BIG,
	  "too large for hash maps" },
	{ { .type = BPFVM_MAP_PERCPU_HASH,
	    .key_size = 4,
	    .value_size = 40000,
	    .max_entries = 1 },
	  -E2BIG,
	  "at most 32768" },
	{ { .type = BPFVM_MAP_HASH,
	    .key_size = 4,
	    .value_size = 4,
	    .max_entries = (1u << 31) + 1,
	    .map_flags = NP },
	  -E2BIG,
	  "max_entries 2147483649 is too large" },
	{ { .type = BPFVM_MAP_HASH,
	    .key_size = 4,
	    .value_size = 4,
	    .max_entries = 1,
	    .map_flags = BPFVM_F_RDONLY | BPFVM_F_WRONLY },
	  -EINVAL,
	  "BPF_F_RDONLY and BPF_F_WRONLY" },
	{ { .type = BPFVM_MAP_ARRAY,
	    .key_size = 4,
	    .value_size = 4,
	    .max_entries = 1,
	    .map_flags = BPFVM_F_RDONLY_PROG | BPFVM_F_WRONLY_PROG },
	  -EINVAL,
	  "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG" },
	{ { .type = BPFVM_MAP_ARRAY,
	    .key_size = 8,
	    .value_size = 4,
	    .max_entries = 1 },
	  -EINVAL,
	  "key_size 8 is invalid for array maps" },
	{ { .type = BPFVM_MAP_ARRAY,
	    .key_size = 4,
	    .value_size = 4,
	    .max_entries = 1,
	    .map_flags = NP },
	  -EINVAL,
	  "invalid for array maps" },
	{ { .type = BPFVM_MAP_ARRAY, .key_size = 4, .value_size = 4 },
	  -EINVAL,
	  "max_entries 0 is invalid for array maps" },
	{ { .type = BPFVM_MAP_PERCPU_ARRAY,
	    .key_size = 4,
	    .value_size = 4,
	    .max_entries = 1,
	    .map_flags = BPFVM_F_MMAPABLE },
	  -EINVAL,
	  "invalid for percpu_array maps" },
	{ { .type = BPFVM_MAP_PERCPU_ARRAY,
	    .key_size = 4,
	    .value_size = 32769,
	    .max_entries = 1 },
	  -E2BIG,
	  "too large for percpu_array" },
	{ { .type = BPFVM_MAP_ARRAY,
	    .key_size = 4,
	    .value_size = 8,
	    .max_entries = 1u << 30 },
	  -E2BIG,
	  "1024 MiB" },
	{ { .type = BPFVM_MAP_LPM_TRIE,
	    .key_size = 8,
	    .value_size = 4,
	    .max_entries = 1 },
	  -EINVAL,
	  "need BPF_F_NO_PREALLOC" },
	{ { .type = BPFVM_MAP_LPM_TRIE,
	    .key_size = 4,
	    .value_size = 4,
	    .max_entries = 1,
	    .map_flags = NP },
	  -EINVAL,
	  "key_size 4 is invalid for lpm_trie" },
	{ { .type = BPFVM_MAP_LPM_TRIE,
	    .key_size = 261,
	    .value_size = 4,
	    .max_entries = 1,
	    .map_flags = NP },
	  -EINVAL,
	  "key_size 261" },
	{ { .type = BPFVM_MAP_LPM_TRIE,
	    .key_size = 8,
	    .value_size = 0,
	    .max_entries = 1,
	    .map_flags = NP },
	  -EINVAL,
	  "value_size 0 is invalid for lpm_trie" },
	{ { .type = BPFVM_MAP_QUEUE,
	    .key_size = 4,
	    .value_size = 4,
	    .max_entries = 1 },
	  -EINVAL,
	  "key_size must be 0 for queue maps" },
	{ { .type = BPFVM_MAP_STACK, .key_size = 0, .value_size = 4 },
	  -EINVAL,
	  "max_entries 0 is invalid for stack" },
	{ { .type = BPFVM_MAP_QUEUE,
	    .key_size = 0,
	    .value_size = 0,
	    .max_entries = 1 },
	  -EINVAL,
	  "value_size 0 is invalid for queue" },
	{ { .type = BPFVM_MAP_QUEUE,
	    .key_size = 0,
	    .value_size = 4,
	    .max_entries = 1,
	    .map_flags = NP },
	  -EINVAL,
	  "invalid for queue maps" },
	{ { .type = BPFVM_MAP_RINGBUF, .max_entries = 1000 },
	  -EINVAL,
	  "power of 2 and a multiple of 4096" },
	{ { .type = BPFVM_MAP_RINGBUF, .max_entries = 2048 },
	  -EINVAL,
	  "max_entries 2048" },
	{ { .type = BPFVM_MAP_RINGBUF, .key_size = 4, .max_entries = 4096 },
	  -EINVAL,
	  "must be 0 for ringbuf" },
	{ { .type = BPFVM_MAP_PROG_ARRAY,
	    .key_size = 4,
	    .value_size = 8,
	    .max_entries = 4 },
	  -EINVAL,
	  "u32 program id" },
	{ { .type = BPFVM_MAP_PROG_ARRAY,
	    .key_size = 4,
	    .value_size = 4,
	    .max_entries = 4,
	    .map_flags = BPFVM_F_RDONLY_PROG },
	  -EINVAL,
	  "BPF_F_RDONLY_PROG" },
	{ { .type = BPFVM_MAP_ARRAY_OF_MAPS,
	    .key_size = 4,
	    .value_size = 4,
	    .max_entries = 4 },
	  -EINVAL,
	  "need the spec of their inner maps" },
	{ { .type = BPFVM_MAP_ARRAY_OF_MAPS,
	    .key_size = 4,
	    .value_size = 4,
	    .max_entries = 4,
	    .inner = &aom_inner },
	  -EINVAL,
	  "one level only" },
	{ { .type = BPFVM_MAP_HASH_OF_MAPS,
	    .key_size = 4,
	    .value_size = 4,
	    .max_entries = 4,
	    .inner = &prog_inner },
	  -BPFVM_ENOTSUPP,
	  "prog_array cannot be an inner map" },
	{ { .type = BPFVM_MAP_HASH_OF_MAPS,
	    .key_size = 4,
	    .value_size = 4,
	    .max_entries = 4,
	    .inner = &bad_inner },
	  -EINVAL,
	  "inner map: key_size 0 is invalid for hash maps" },
	{ { .type = BPFVM_MAP_HASH_OF_MAPS,
	    .key_size = 4,
	    .value_size = 8,
	    .max_entries = 4,
	    .inner = &hash_inner },
	  -EINVAL,
	  "u32 map id" },
	{ { .type = BPFVM_MAP_DEVMAP,
	    .key_size = 4,
	    .value_size = 12,
	    .max_entries = 4 },
	  -EINVAL,
	  "value_size 12 is invalid for devmap" },
	{ { .type = BPFVM_MAP_DEVMAP_HASH,
	    .key_size = 8,
	    .value_size = 4,
	    .max_entries = 4 },
	  -EINVAL,
	  "key_size 8 is invalid for devmap_hash" },
	{ { .type = BPFVM_MAP_DEVMAP,
	    .key_size = 4,
	    .value_size = 4,
	    .max_entries = 4,
	    .map_flags = BPFVM_F_RDONLY_PROG },
	  -EINVAL,
	  "invalid for devmap" },
};

static void test_spec_validation(void)
{
	for (size_t i = 0; i < sizeof(spec_cases) / sizeof(spec_cases[0]);
	     i++) {
		const struct spec_case *c = &spec_cases[i];
		bpfvm_error err = { 0 };
		bpfvm_map *map;

		CHECK_U64(
			(uint64_t)(int64_t)bpfvm_map_check_spec(&c->spec, &err),
			(uint64_t)(int64_t)c->rc);
		CHECK_STR_CONTAINS(err.msg, c->msg);
		memset(&err, 0, sizeof(err));
		map = bpfvm_map_new(&c->spec, &err);
		CHECK(map == NULL);
		CHECK_STR_CONTAINS(err.msg, c->msg);
		bpfvm_map_unref(map);
	}
	CHECK(bpfvm_map_check_spec(NULL, NULL) == -EINVAL);
	CHECK(bpfvm_map_new(NULL, NULL) == NULL);

	/* Everything the kernel accepts is accepted. */
	static const struct bpfvm_map_spec good[] = {
		{ .type = BPFVM_MAP_HASH,
		  .key_size = 1,
		  .value_size = 1,
		  .max_entries = 1,
		  .map_flags = NP | BPFVM_F_ZERO_SEED | BPFVM_F_NUMA_NODE },
		{ .type = BPFVM_MAP_LRU_HASH,
		  .key_size = 4,
		  .value_size = 4,
		  .max_entries = 8,
		  .map_flags = BPFVM_F_NO_COMMON_LRU },
		{ .type = BPFVM_MAP_ARRAY,
		  .key_size = 4,
		  .value_size = 4,
		  .max_entries = 8,
		  .map_flags = BPFVM_F_MMAPABLE | BPFVM_F_RDONLY_PROG |
			       BPFVM_F_INNER_MAP },
		{ .type = BPFVM_MAP_LPM_TRIE,
		  .key_size = 260,
		  .value_size = 1,
		  .max_entries = 1,
		  .map_flags = NP },
		{ .type = BPFVM_MAP_RINGBUF, .max_entries = 1u << 20 },
		{ .type = BPFVM_MAP_STACK, .value_size = 3, .max_entries = 2 },
		{ .type = BPFVM_MAP_DEVMAP_HASH,
		  .key_size = 4,
		  .value_size = 8,
		  .max_entries = 4 },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		bpfvm_error err = { 0 };
		bpfvm_map *map = bpfvm_map_new(&good[i], &err);

		CHECK(map != NULL);
		if (!map)
			fprintf(stderr, "good spec %zu: %s\n", i, err.msg);
		bpfvm_map_unref(map);
	}
}

static void test_spec_copy(void)
{
	char name[] = "counters";
	struct bpfvm_map_spec spec = { .name = name,
				       .type = BPFVM_MAP_DEVMAP,
				       .key_size = 4,
				       .value_size = 4,
				       .max_entries = 2 };
	bpfvm_map *map = bpfvm_map_new(&spec, NULL);
	const struct bpfvm_map_spec *got = bpfvm_map_get_spec(map);

	name[0] = 'X';
	CHECK(got && !strcmp(got->name, "counters"));
	/* dev_map_init_map forces BPF_F_RDONLY_PROG. */
	CHECK(got && (got->map_flags & BPFVM_F_RDONLY_PROG));
	CHECK(bpfvm_map_get_spec(NULL) == NULL);
	CHECK(bpfvm_map_host_value_size(map) == 4);
	bpfvm_map_ref(map);
	CHECK_U64(map->refcnt, 2);
	bpfvm_map_unref(map);
	bpfvm_map_unref(map);
	bpfvm_map_unref(NULL);
}

/* ---- ARRAY ---- */

static long count_cb(bpfvm_map *map, const void *key, void *value, void *ctx)
{
	long *n = ctx;

	return ++*n == 3; /* stop at the third */
}

static void test_array(void)
{
	bpfvm_map *map = mk(BPFVM_MAP_ARRAY, 4, 5, 10, 0);
	uint32_t k, next;
	uint8_t v[5] = { 1, 2, 3, 4, 5 }, out[8];
	char *p0, *p1;
	long n = 0;

	if (!map)
		return;
	k = 0;
	p0 = bpfvm_map_lookup_elem(map, &k);
	k = 1;
	p1 = bpfvm_map_lookup_elem(map, &k);
	CHECK(p0 && p1 && p1 - p0 == 8 && ((uintptr_t)p0 & 7) == 0);
	CHECK(p0 && !memcmp(p0, "\0\0\0\0\0", 5)); /* zeroed */
	k = 10;
	CHECK(bpfvm_map_lookup_elem(map, &k) == NULL);
	CHECK(bpfvm_map_lookup(map, &k, out) == -ENOENT);
	CHECK(bpfvm_map_update(map, &k, v, BPFVM_ANY) == -E2BIG);
	k = 3;
	CHECK(bpfvm_map_update(map, &k, v, BPFVM_NOEXIST) == -EEXIST);
	CHECK(bpfvm_map_update(map, &k, v, BPFVM_F_LOCK) == -EINVAL);
	CHECK(bpfvm_map_update(map, &k, v, 8) == -EINVAL);
	CHECK(bpfvm_map_update(map, &k, v, BPFVM_EXIST) == 0);
	memset(out, 0xee, sizeof(out));
	CHECK(bpfvm_map_lookup(map, &k, out) == 0);
	CHECK(!memcmp(out, v, 5) && out[5] == 0xee);
	CHECK(bpfvm_map_update_elem(map, &k, v, BPFVM_ANY) == 0);
	CHECK(bpfvm_map_delete(map, &k) == -EINVAL);
	CHECK(bpfvm_map_delete_elem(map, &k) == -EINVAL);
	CHECK(bpfvm_map_lookup_and_delete(map, &k, out) == -BPFVM_ENOTSUPP);
	CHECK(bpfvm_map_push_elem(map, v, 0) == -EINVAL);
	CHECK(bpfvm_map_pop_elem(map, out) == -EINVAL);
	CHECK(bpfvm_map_lookup(map, NULL, out) == -EFAULT);
	CHECK(bpfvm_map_lookup_percpu_elem(map, &k, 0) == NULL);

	/* get_next_key: 0..9 then -ENOENT; NULL or a bad index restarts */
	CHECK(bpfvm_map_get_next_key(map, NULL, &next) == 0 && next == 0);
	for (k = 0; k < 9; k++)
		CHECK(bpfvm_map_get_next_key(map, &k, &next) == 0 &&
		      next == k + 1);
	CHECK(bpfvm_map_get_next_key(map, &k, &next) == -ENOENT);
	k = 77;
	CHECK(bpfvm_map_get_next_key(map, &k, &next) == 0 && next == 0);

	CHECK(bpfvm_map_for_each(map, count_cb, &n) == 3 && n == 3);
	bpfvm_map_unref(map);
}

/* BPF_F_RDONLY / BPF_F_WRONLY bind the host; programs are the VM's. */
static void test_permissions(void)
{
	bpfvm_map *ro = mk(BPFVM_MAP_ARRAY, 4, 8, 2, BPFVM_F_RDONLY);
	bpfvm_map *wo = mk(BPFVM_MAP_HASH, 4, 8, 2, BPFVM_F_WRONLY);
	uint32_t k = 0, next;
	uint64_t v = 7, out;

	if (!ro || !wo)
		return;
	CHECK(bpfvm_map_update(ro, &k, &v, 0) == -EPERM);
	CHECK(bpfvm_map_delete(ro, &k) == -EPERM);
	CHECK(bpfvm_map_lookup(ro, &k, &out) == 0);
	CHECK(bpfvm_map_update_elem(ro, &k, &v, 0) == 0);
	CHECK(bpfvm_map_lookup(ro, &k, &out) == 0 && out == 7);
	CHECK(bpfvm_map_update(wo, &k, &v, 0) == 0);
	CHECK(bpfvm_map_lookup(wo, &k, &out) == -EPERM);
	CHECK(bpfvm_map_get_next_key(wo, NULL, &next) == -EPERM);
	CHECK(bpfvm_map_lookup_and_delete(wo, &k, &out) == -EPERM);
	CHECK(bpfvm_map_lookup_elem(wo, &k) != NULL);
	bpfvm_map_unref(ro);
	bpfvm_map_unref(wo);
}

/* ---- HASH ---- */

static void hash_basics(uint32_t flags)
{
	bpfvm_map *map = mk(BPFVM_MAP_HASH, 8, 12, 16, flags);
	uint64_t k, next;
	uint8_t v[12], out[12];
	int seen[16] = { 0 }, n = 0;

	if (!map)
		return;
	memset(v, 0xab, sizeof(v));
	k = 1;
	CHECK(bpfvm_map_lookup_elem(map, &k) == NULL);
	CHECK(bpfvm_map_lookup(map, &k, out) == -ENOENT);
	CHECK(bpfvm_map_update(map, &k, v, BPFVM_EXIST) == -ENOENT);
	CHECK(bpfvm_map_update(map, &k, v, BPFVM_NOEXIST) == 0);
	CHECK(bpfvm_map_update(map, &k, v, BPFVM_NOEXIST) == -EEXIST);
	v[0] = 1;
	CHECK(bpfvm_map_update(map, &k, v, BPFVM_EXIST) == 0);
	CHECK(bpfvm_map_lookup(map, &k, out) == 0 && out[0] == 1 &&
	      out[11] == 0xab);
	CHECK(bpfvm_map_update(map, &k, v, BPFVM_F_LOCK) == -EINVAL);
	CHECK(bpfvm_map_update(map, &k, v, 3) == -EINVAL);
	CHECK(bpfvm_map_update_elem(map, &k, v, 1ull << 40) == -EINVAL);
	CHECK(bpfvm_map_delete(map, &k) == 0);
	CHECK(bpfvm_map_delete(map, &k) == -ENOENT);
	CHECK(bpfvm_map_delete_elem(map, &k) == -ENOENT);

	/* Fill it: the 17th key is -E2BIG, replacing one still works. */
	for (k = 100; k < 116; k++) {
		v[0] = (uint8_t)k;
		CHECK(bpfvm_map_update_elem(map, &k, v, BPFVM_ANY) == 0);
	}
	CHECK(bpfvm_map_update(map, &k, v, BPFVM_ANY) == -E2BIG);
	for (int round = 0; round < 40; round++) {
		k = 100 + (uint64_t)round % 16;
		v[0] = (uint8_t)(round + 1);
		CHECK(bpfvm_map_update(map, &k, v, BPFVM_EXIST) == 0);
	}
	CHECK(bpfvm_map_update(map, &k, v, BPFVM_ANY) == 0);

	/* Every key once through get_next_key. */
	for (int rc = bpfvm_map_get_next_key(map, NULL, &next); rc == 0;
	     rc = bpfvm_map_get_next_key(map, &k, &next)) {
		k = next;
		CHECK(k >= 100 && k < 116);
		if (k >= 100 && k < 116)
			seen[k - 100]++;
		n++;
	}
	CHECK(n == 16);
	for (int i = 0; i < 16; i++)
		CHECK(seen[i] == 1);
	/* A key not in the map starts over. */
	k = 5;
	CHECK(bpfvm_map_get_next_key(map, &k, &next) == 0 && next >= 100);

	/* lookup_and_delete */
	k = 103;
	CHECK(bpfvm_map_lookup_and_delete(map, &k, out) == 0);
	CHECK(bpfvm_map_lookup_and_delete(map, &k, out) == -ENOENT);
	CHECK(bpfvm_map_update(map, &k, v, BPFVM_NOEXIST) == 0);
	bpfvm_map_unref(map);
}

/* A value pointer outlives its element: deleting it leaves the memory in
 * the map (the kernel's preallocation), so stray writes stay harmless. */
static void test_hash_value_lifetime(void)
{
	bpfvm_map *map = mk(BPFVM_MAP_HASH, 4, 8, 4, 0);
	uint32_t k = 9;
	uint64_t v = 5, *p;

	if (!map)
		return;
	CHECK(bpfvm_map_update(map, &k, &v, 0) == 0);
	p = bpfvm_map_lookup_elem(map, &k);
	CHECK(p && *p == 5 && ((uintptr_t)p & 7) == 0);
	CHECK(bpfvm_map_delete(map, &k) == 0);
	if (p)
		*p += 1; /* still the map's memory */
	CHECK(bpfvm_map_lookup_elem(map, &k) == NULL);
	bpfvm_map_unref(map);
}

/* Replacing a value links a fresh element (readers of the old pointer
 * keep the old value whole, as in the kernel); with no spare element
 * left, the value is written in place instead. */
static void test_hash_replace(void)
{
	bpfvm_map *map = mk(BPFVM_MAP_HASH, 4, 8, 4, 0);
	struct htab *t = (struct htab *)map;
	uint32_t k = 1, spares;
	uint64_t v = 1, *p, *q;

	if (!map)
		return;
	CHECK(bpfvm_map_update(map, &k, &v, 0) == 0);
	p = bpfvm_map_lookup_elem(map, &k);
	v = 2;
	CHECK(bpfvm_map_update(map, &k, &v, BPFVM_EXIST) == 0);
	q = bpfvm_map_lookup_elem(map, &k);
	CHECK(p && q && p != q && *p == 1 && *q == 2);
	spares = t->spares;
	t->spares = 0;
	v = 3;
	CHECK(bpfvm_map_update(map, &k, &v, BPFVM_EXIST) == 0);
	CHECK(bpfvm_map_lookup_elem(map, &k) == q && q && *q == 3);
	t->spares = spares;
	bpfvm_map_unref(map);
}

/* bpf_for_each_map_elem may delete what it walks. */
static long delete_cb(bpfvm_map *map, const void *key, void *value, void *ctx)
{
	(*(int *)ctx)++;
	bpfvm_map_delete_elem(map, key);
	return 0;
}

static void test_hash_for_each(void)
{
	bpfvm_map *map = mk(BPFVM_MAP_HASH, 4, 4, 64, 0);
	uint32_t k, next;
	int n = 0;

	if (!map)
		return;
	for (k = 0; k < 50; k++)
		bpfvm_map_update(map, &k, &k, 0);
	CHECK(bpfvm_map_for_each(map, delete_cb, &n) == 50 && n == 50);
	CHECK(bpfvm_map_get_next_key(map, NULL, &next) == -ENOENT);
	bpfvm_map_unref(map);
}

static void test_hash_zero_seed(void)
{
	bpfvm_map *a = mk(BPFVM_MAP_HASH, 4, 4, 64, BPFVM_F_ZERO_SEED);
	bpfvm_map *b = mk(BPFVM_MAP_HASH, 4, 4, 64, BPFVM_F_ZERO_SEED);
	uint32_t k, ka, kb;
	int same = 1;

	if (!a || !b)
		return;
	for (k = 0; k < 40; k++) {
		bpfvm_map_update(a, &k, &k, 0);
		bpfvm_map_update(b, &k, &k, 0);
	}
	/* Same seed, same inserts: the same iteration order. */
	int ra = bpfvm_map_get_next_key(a, NULL, &ka);
	int rb = bpfvm_map_get_next_key(b, NULL, &kb);

	while (ra == 0 && rb == 0) {
		same &= ka == kb;
		ra = bpfvm_map_get_next_key(a, &ka, &ka);
		rb = bpfvm_map_get_next_key(b, &kb, &kb);
	}
	CHECK(same && ra == -ENOENT && rb == -ENOENT);
	bpfvm_map_unref(a);
	bpfvm_map_unref(b);
}

/* ---- per-CPU ---- */

struct slot_worker {
	bpfvm_map *map;
	unsigned cpu;
	int rounds;
};

static void *slot_work(void *arg)
{
	struct slot_worker *w = arg;
	uint32_t k = 1;

	bpfvm_cpu_set(w->cpu);
	for (int i = 0; i < w->rounds; i++) {
		uint64_t *v = bpfvm_map_lookup_elem(w->map, &k);

		if (v)
			*v += w->cpu + 1; /* this slot is ours alone */
	}
	return NULL;
}

static void test_percpu(void)
{
	bpfvm_map *arr, *hash;
	uint32_t k = 1;
	uint64_t v, all[4], *p;
	pthread_t th[2];
	struct slot_worker w[2];

	bpfvm_set_ncpus(4);
	CHECK(bpfvm_ncpus() == 4);
	arr = mk(BPFVM_MAP_PERCPU_ARRAY, 4, 4, 3, 0);
	hash = mk(BPFVM_MAP_PERCPU_HASH, 4, 8, 3, 0);
	bpfvm_set_ncpus(0);
	CHECK(bpfvm_ncpus() >= 1);
	if (!arr || !hash)
		return;
	CHECK(bpfvm_map_host_value_size(arr) == 32); /* 4 slots of 8 */
	CHECK(bpfvm_map_host_value_size(hash) == 32);

	/* Two threads on two slots of the same element. */
	for (int i = 0; i < 2; i++) {
		w[i] = (struct slot_worker){ arr, (unsigned)i + 1, 10000 };
		pthread_create(&th[i], NULL, slot_work, &w[i]);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	memset(all, 0xff, sizeof(all));
	CHECK(bpfvm_map_lookup(arr, &k, all) == 0);
	CHECK(all[0] == 0 && all[1] == 20000 && all[2] == 30000 && all[3] == 0);

	/* A program's update writes its slot; the host writes them all. */
	bpfvm_cpu_set(2);
	v = 42;
	CHECK(bpfvm_map_update_elem(arr, &k, &v, 0) == 0);
	CHECK(bpfvm_map_lookup(arr, &k, all) == 0 && all[2] == 42 &&
	      all[1] == 20000);
	for (int i = 0; i < 4; i++)
		all[i] = 100 + (uint64_t)i;
	CHECK(bpfvm_map_update(arr, &k, all, 0) == 0);
	p = bpfvm_map_lookup_elem(arr, &k);
	CHECK(p && *p == 102);
	p = bpfvm_map_lookup_percpu_elem(arr, &k, 3);
	CHECK(p && *p == 103);
	CHECK(bpfvm_map_lookup_percpu_elem(arr, &k, 4) == NULL);
	bpfvm_cpu_set(6); /* beyond the slots: 6 % 4 */
	p = bpfvm_map_lookup_elem(arr, &k);
	CHECK(p && *p == 102);

	/* PERCPU_HASH: a program's insert zeroes the other slots, its
	 * update of an existing element touches its slot only. */
	bpfvm_cpu_set(1);
	v = 7;
	CHECK(bpfvm_map_update_elem(hash, &k, &v, BPFVM_NOEXIST) == 0);
	CHECK(bpfvm_map_lookup(hash, &k, all) == 0 && all[0] == 0 &&
	      all[1] == 7 && all[2] == 0 && all[3] == 0);
	bpfvm_cpu_set(3);
	v = 9;
	CHECK(bpfvm_map_update_elem(hash, &k, &v, BPFVM_EXIST) == 0);
	CHECK(bpfvm_map_lookup(hash, &k, all) == 0 && all[1] == 7 &&
	      all[3] == 9);
	all[0] = 1, all[1] = 2, all[2] = 3, all[3] = 4;
	CHECK(bpfvm_map_update(hash, &k, all, BPFVM_EXIST) == 0);
	p = bpfvm_map_lookup_elem(hash, &k);
	CHECK(p && *p == 4);
	p = bpfvm_map_lookup_percpu_elem(hash, &k, 0);
	CHECK(p && *p == 1);
	CHECK(bpfvm_map_lookup_and_delete(hash, &k, all) == 0 && all[2] == 3);
	bpfvm_cpu_set(0);
	bpfvm_map_unref(arr);
	bpfvm_map_unref(hash);
}

/* ---- LRU ---- */

static int count_keys(bpfvm_map *map)
{
	uint32_t k, next;
	int n = 0;

	for (int rc = bpfvm_map_get_next_key(map, NULL, &next); rc == 0;
	     rc = bpfvm_map_get_next_key(map, &k, &next)) {
		k = next;
		n++;
	}
	return n;
}

static void lru_eviction(uint32_t type, uint32_t flags)
{
	bpfvm_map *map = mk(type, 4, 8, 64, flags);
	uint64_t v[BPFVM_MAX_CPUS] = { 0 };
	uint32_t k;
	int survived = 0, old_gone = 0;

	if (!map)
		return;
	for (k = 0; k < 64; k++)
		CHECK(bpfvm_map_update(map, &k, v, BPFVM_NOEXIST) == 0);
	CHECK(count_keys(map) == 64);
	/* Programs use keys 0..9. */
	for (k = 0; k < 10; k++)
		CHECK(bpfvm_map_lookup_elem(map, &k) != NULL);
	/* 20 more keys: never a failure, the map stays full. */
	for (k = 1000; k < 1020; k++)
		CHECK(bpfvm_map_update_elem(map, &k, v, BPFVM_ANY) == 0);
	CHECK(count_keys(map) == 64);
	for (k = 0; k < 10; k++)
		survived += bpfvm_map_lookup(map, &k, v) == 0;
	CHECK(survived == 10);
	/* The victims were the oldest keys nobody used: 10..29. */
	for (k = 10; k < 30; k++)
		old_gone += bpfvm_map_lookup(map, &k, v) == -ENOENT;
	CHECK(old_gone == 20);
	for (k = 1000; k < 1020; k++)
		CHECK(bpfvm_map_lookup(map, &k, v) == 0);
	/* Flags as for any hash; updating a key of a full map keeps it. */
	k = 1000;
	CHECK(bpfvm_map_update(map, &k, v, BPFVM_NOEXIST) == -EEXIST);
	k = 5000;
	CHECK(bpfvm_map_update(map, &k, v, BPFVM_EXIST) == -ENOENT);
	CHECK(bpfvm_map_update(map, &k, v, BPFVM_F_LOCK) == -EINVAL);
	for (k = 30; k < 64; k++)
		CHECK(bpfvm_map_update(map, &k, v, BPFVM_EXIST) == 0);
	CHECK(count_keys(map) == 64);
	k = 31;
	CHECK(bpfvm_map_delete(map, &k) == 0);
	CHECK(bpfvm_map_delete(map, &k) == -ENOENT);
	CHECK(count_keys(map) == 63);
	CHECK(bpfvm_map_lookup_and_delete(map, &k, v) == -ENOENT);
	k = 32;
	CHECK(bpfvm_map_lookup_and_delete(map, &k, v) == 0);
	CHECK(count_keys(map) == 62);
	/* Churn well past max_entries. */
	for (k = 0; k < 5000; k++)
		CHECK(bpfvm_map_update_elem(map, &k, v, BPFVM_ANY) == 0);
	CHECK(count_keys(map) == 64);
	bpfvm_map_unref(map);
}

/* ---- QUEUE / STACK ---- */

static void test_queue_stack(void)
{
	bpfvm_map *q = mk(BPFVM_MAP_QUEUE, 0, 4, 3, 0);
	bpfvm_map *s = mk(BPFVM_MAP_STACK, 0, 4, 3, 0);
	uint32_t v, out, k = 0, in[3], outc[3], count = 3;

	if (!q || !s)
		return;
	CHECK(bpfvm_map_pop_elem(q, &out) == -ENOENT);
	CHECK(bpfvm_map_peek_elem(s, &out) == -ENOENT);
	for (v = 1; v <= 3; v++) {
		CHECK(bpfvm_map_push_elem(q, &v, BPFVM_ANY) == 0);
		CHECK(bpfvm_map_push_elem(s, &v, BPFVM_ANY) == 0);
	}
	CHECK(bpfvm_map_push_elem(q, &v, BPFVM_ANY) == -E2BIG);
	CHECK(bpfvm_map_push_elem(q, &v, BPFVM_NOEXIST) == -EINVAL);
	CHECK(bpfvm_map_push_elem(q, &v, 4) == -EINVAL);
	CHECK(bpfvm_map_peek_elem(q, &out) == 0 && out == 1);
	CHECK(bpfvm_map_peek_elem(s, &out) == 0 && out == 3);
	/* BPF_EXIST drops the oldest, for both kinds. */
	v = 4;
	CHECK(bpfvm_map_push_elem(q, &v, BPFVM_EXIST) == 0);
	CHECK(bpfvm_map_push_elem(s, &v, BPFVM_EXIST) == 0);
	for (uint32_t want = 2; want <= 4; want++)
		CHECK(bpfvm_map_pop_elem(q, &out) == 0 && out == want);
	for (uint32_t want = 4; want >= 2; want--)
		CHECK(bpfvm_map_pop_elem(s, &out) == 0 && out == want);
	CHECK(bpfvm_map_pop_elem(q, &out) == -ENOENT);
	CHECK(bpfvm_map_pop_elem(s, &out) == -ENOENT);

	/* Wrap the ring a few times, two elements behind. */
	for (v = 0; v < 2; v++)
		CHECK(bpfvm_map_push_elem(q, &v, 0) == 0);
	for (v = 2; v < 20; v++) {
		CHECK(bpfvm_map_push_elem(q, &v, 0) == 0);
		CHECK(bpfvm_map_pop_elem(q, &out) == 0 && out == v - 2);
	}

	/* bpf(2): lookup peeks, update pushes, lookup_and_delete pops. */
	v = 77;
	CHECK(bpfvm_map_update(s, NULL, &v, 0) == 0);
	CHECK(bpfvm_map_lookup(s, NULL, &out) == 0 && out == 77);
	CHECK(bpfvm_map_lookup_and_delete(s, NULL, &out) == 0 && out == 77);
	CHECK(bpfvm_map_lookup_and_delete(s, NULL, &out) == -ENOENT);
	CHECK(bpfvm_map_lookup(s, &k, &out) == -EINVAL);
	CHECK(bpfvm_map_update(s, &k, &v, 0) == -EINVAL);
	CHECK(bpfvm_map_delete(s, NULL) == -EINVAL);
	CHECK(bpfvm_map_get_next_key(s, NULL, &out) == -EINVAL);
	CHECK(bpfvm_map_lookup_elem(s, NULL) == NULL);
	CHECK(bpfvm_map_update_elem(s, NULL, &v, 0) == -EINVAL);
	CHECK(bpfvm_map_delete_elem(s, NULL) == -EINVAL);
	CHECK(bpfvm_map_lookup_batch(q, NULL, outc, in, outc, &count) ==
	      -BPFVM_ENOTSUPP);
	bpfvm_map_unref(q);
	bpfvm_map_unref(s);
}

/* ---- batch dumps ---- */

static void test_batch(void)
{
	bpfvm_map *map = mk(BPFVM_MAP_HASH, 4, 8, 128, 0);
	bpfvm_map *arr = mk(BPFVM_MAP_ARRAY, 4, 4, 10, 0);
	uint32_t keys[7], cursor, count, k, total = 0;
	uint64_t vals[7];
	uint32_t akeys[16], avals[16];
	int seen[100] = { 0 }, rc, dup = 0;
	const void *in = NULL;

	if (!map || !arr)
		return;
	for (k = 0; k < 100; k++) {
		uint64_t v = k * 3;

		bpfvm_map_update(map, &k, &v, 0);
	}
	count = 0;
	CHECK(bpfvm_map_lookup_batch(map, NULL, &cursor, keys, vals, &count) ==
		      0 &&
	      count == 0);
	do {
		count = 7;
		rc = bpfvm_map_lookup_batch(map, in, &cursor, keys, vals,
					    &count);
		CHECK(rc == 0 || rc == -ENOENT);
		CHECK(count <= 7);
		for (uint32_t i = 0; i < count; i++) {
			if (keys[i] < 100) {
				dup |= seen[keys[i]]++;
				CHECK(vals[i] == keys[i] * 3);
			}
			total++;
		}
		in = &cursor;
	} while (rc == 0);
	CHECK(rc == -ENOENT && total == 100 && !dup);

	count = 16;
	CHECK(bpfvm_map_lookup_batch(arr, NULL, &cursor, akeys, avals,
				     &count) == -ENOENT);
	CHECK(count == 10 && akeys[9] == 9 && cursor == 9);
	count = 4;
	CHECK(bpfvm_map_lookup_batch(arr, NULL, &cursor, akeys, avals,
				     &count) == 0);
	CHECK(count == 4 && cursor == 3);
	bpfvm_map_unref(map);
	bpfvm_map_unref(arr);
}

/* ---- how fast a program's lookup is (printed, not asserted) ---- */

static void bench_one(const char *what, bpfvm_map *map, uint32_t nkeys)
{
	const int rounds = 2000000;
	volatile uintptr_t sink = 0;
	uint64_t t0, t1;

	t0 = now_ns();
	for (int i = 0; i < rounds; i++) {
		uint32_t k = (uint32_t)i % nkeys;

		sink += (uintptr_t)bpfvm_map_lookup_elem(map, &k);
	}
	t1 = now_ns();
	printf("bench: %-28s %6.1f ns/lookup\n", what,
	       (double)(t1 - t0) / rounds);
	(void)sink;
}

static void bench_lookup(void)
{
	bpfvm_map *arr = mk(BPFVM_MAP_ARRAY, 4, 8, 1024, 0);
	bpfvm_map *hash = mk(BPFVM_MAP_HASH, 4, 8, 1024, 0);
	bpfvm_map *lru = mk(BPFVM_MAP_LRU_HASH, 4, 8, 1024, 0);
	bpfvm_map *pcpu = mk(BPFVM_MAP_PERCPU_ARRAY, 4, 8, 1024, 0);
	uint64_t v = 1;

	if (!arr || !hash || !lru || !pcpu)
		return;
	bpfvm_cpu_set(1);
	for (uint32_t k = 0; k < 1024; k++) {
		bpfvm_map_update(hash, &k, &v, 0);
		bpfvm_map_update(lru, &k, &v, 0);
	}
	bench_one("array (1024 entries)", arr, 1024);
	bench_one("hash, u32 key (1024 entries)", hash, 1024);
	bench_one("lru_hash, u32 key (1024)", lru, 1024);
	bench_one("percpu_array (1024 entries)", pcpu, 1024);
	bpfvm_map_unref(pcpu);
	bpfvm_map_unref(arr);
	bpfvm_map_unref(hash);
	bpfvm_map_unref(lru);
}

int main(void)
{
	test_spec_validation();
	test_spec_copy();
	test_array();
	test_permissions();
	hash_basics(0);
	hash_basics(BPFVM_F_NO_PREALLOC);
	test_hash_value_lifetime();
	test_hash_replace();
	test_hash_for_each();
	test_hash_zero_seed();
	test_percpu();
	lru_eviction(BPFVM_MAP_LRU_HASH, 0);
	lru_eviction(BPFVM_MAP_LRU_HASH, BPFVM_F_NO_COMMON_LRU);
	lru_eviction(BPFVM_MAP_LRU_PERCPU_HASH, 0);
	test_queue_stack();
	test_batch();
	bench_lookup();
	DONE();
}
