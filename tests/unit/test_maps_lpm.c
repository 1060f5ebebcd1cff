/* SPDX-License-Identifier: MIT */
/*
 * LPM_TRIE: longest-prefix choice for IPv4 (/0 /8 /16 /24 /32) and IPv6,
 * the lookup key's own prefixlen, exact-prefix update and delete with
 * their flags and errors, a full trie, get_next_key's postorder (the
 * kernel's documented example), and a long random run checked against a
 * brute-force model, iteration included.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfvm/maps.h"
#include "check.h"

struct key4 {
	uint32_t prefixlen;
	uint8_t data[4];
};

struct key16 {
	uint32_t prefixlen;
	uint8_t data[16];
};

static struct key4 k4(uint32_t plen, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct key4 k = { plen, { a, b, c, d } };

	return k;
}

static bpfvm_map *mk_trie(uint32_t data_size, uint32_t max)
{
	struct bpfvm_map_spec spec = { .type = BPFVM_MAP_LPM_TRIE,
				       .key_size = 4 + data_size,
				       .value_size = 4,
				       .max_entries = max,
				       .map_flags = BPFVM_F_NO_PREALLOC };
	bpfvm_error err = { 0 };
	bpfvm_map *map = bpfvm_map_new(&spec, &err);

	if (!map)
		fprintf(stderr, "lpm: %s\n", err.msg);
	return map;
}

/* The value of the longest match for an address, or -1. */
static int64_t match4(bpfvm_map *map, uint8_t a, uint8_t b, uint8_t c,
		      uint8_t d)
{
	struct key4 k = k4(32, a, b, c, d);
	uint32_t *v = bpfvm_map_lookup_elem(map, &k), hv;
	int rc = bpfvm_map_lookup(map, &k, &hv);

	CHECK((v == NULL) == (rc == -ENOENT));
	if (v)
		CHECK(hv == *v);
	return v ? (int64_t)*v : -1;
}

static void put4(bpfvm_map *map, struct key4 k, uint32_t v, uint64_t flags,
		 int want)
{
	CHECK_U64((uint64_t)(int64_t)bpfvm_map_update_elem(map, &k, &v, flags),
		  (uint64_t)(int64_t)want);
}

static void test_ipv4(void)
{
	bpfvm_map *map = mk_trie(4, 16);
	struct key4 k;
	uint32_t v = 1;

	if (!map)
		return;
	CHECK(match4(map, 10, 1, 2, 3) == -1);
	put4(map, k4(0, 0, 0, 0, 0), 0, BPFVM_NOEXIST, 0);
	put4(map, k4(8, 10, 0, 0, 0), 8, BPFVM_ANY, 0);
	put4(map, k4(16, 10, 1, 0, 0), 16, BPFVM_ANY, 0);
	put4(map, k4(24, 10, 1, 2, 0), 24, BPFVM_ANY, 0);
	put4(map, k4(32, 10, 1, 2, 3), 32, BPFVM_ANY, 0);
	CHECK(match4(map, 10, 1, 2, 3) == 32);
	CHECK(match4(map, 10, 1, 2, 4) == 24);
	CHECK(match4(map, 10, 1, 3, 1) == 16);
	CHECK(match4(map, 10, 2, 0, 0) == 8);
	CHECK(match4(map, 11, 0, 0, 1) == 0);
	CHECK(match4(map, 255, 255, 255, 255) == 0);

	/* The lookup key's prefixlen bounds the match. */
	k = k4(16, 10, 1, 2, 3);
	CHECK(bpfvm_map_lookup_elem(map, &k) &&
	      *(uint32_t *)bpfvm_map_lookup_elem(map, &k) == 16);
	k = k4(7, 10, 1, 2, 3);
	CHECK(*(uint32_t *)bpfvm_map_lookup_elem(map, &k) == 0);

	/* Update and delete need the exact prefix. */
	put4(map, k4(16, 10, 1, 0, 0), 1, BPFVM_NOEXIST, -EEXIST);
	put4(map, k4(16, 10, 1, 0, 0), 161, BPFVM_EXIST, 0);
	CHECK(match4(map, 10, 1, 9, 9) == 161);
	put4(map, k4(17, 10, 1, 0, 0), 1, BPFVM_EXIST, -ENOENT);
	put4(map, k4(33, 10, 1, 0, 0), 1, BPFVM_ANY, -EINVAL);
	put4(map, k4(8, 10, 0, 0, 0), 1, 3, -EINVAL);
	put4(map, k4(8, 10, 0, 0, 0), 1, BPFVM_F_LOCK, -EINVAL);
	k = k4(15, 10, 1, 0, 0);
	CHECK(bpfvm_map_delete(map, &k) == -ENOENT);
	k = k4(33, 10, 1, 0, 0);
	CHECK(bpfvm_map_delete(map, &k) == -EINVAL);
	k = k4(16, 10, 1, 0, 0);
	CHECK(bpfvm_map_delete_elem(map, &k) == 0);
	CHECK(bpfvm_map_delete(map, &k) == -ENOENT);
	CHECK(match4(map, 10, 1, 3, 1) == 8);
	CHECK(match4(map, 10, 1, 2, 9) == 24);
	k = k4(0, 0, 0, 0, 0);
	CHECK(bpfvm_map_delete(map, &k) == 0);
	CHECK(match4(map, 11, 0, 0, 1) == -1);
	CHECK(bpfvm_map_update(map, &k, &v, BPFVM_NOEXIST) == 0);
	CHECK(match4(map, 11, 0, 0, 1) == 1);
	CHECK(bpfvm_map_for_each(map, NULL, NULL) == -EINVAL);
	bpfvm_map_unref(map);
}

/* A full trie takes no new prefix but replaces existing ones (the
 * kernel's behaviour since v6.14). */
static void test_full(void)
{
	bpfvm_map *map = mk_trie(4, 3);

	if (!map)
		return;
	put4(map, k4(8, 1, 0, 0, 0), 1, 0, 0);
	put4(map, k4(8, 2, 0, 0, 0), 2, 0, 0);
	put4(map, k4(8, 3, 0, 0, 0), 3, 0, 0);
	put4(map, k4(8, 4, 0, 0, 0), 4, 0, -ENOSPC);
	put4(map, k4(6, 0, 0, 0, 0), 4, 0, -ENOSPC); /* would cover two */
	put4(map, k4(8, 2, 0, 0, 0), 22, BPFVM_EXIST, 0);
	put4(map, k4(8, 3, 0, 0, 0), 33, BPFVM_ANY, 0);
	CHECK(match4(map, 2, 9, 9, 9) == 22 && match4(map, 3, 0, 0, 0) == 33);
	/* 0.0.0.0/6 holds 1/8, 2/8 and 3/8: an intermediate node, no entry */
	put4(map, k4(6, 0, 0, 0, 0), 9, BPFVM_EXIST, -ENOENT);
	put4(map, k4(8, 1, 0, 0, 0), 9, BPFVM_NOEXIST, -EEXIST);
	struct key4 k = k4(8, 1, 0, 0, 0);

	CHECK(bpfvm_map_delete(map, &k) == 0);
	put4(map, k4(6, 0, 0, 0, 0), 6, BPFVM_NOEXIST, 0);
	CHECK(match4(map, 1, 0, 0, 0) == 6 && match4(map, 2, 0, 0, 0) == 22);
	bpfvm_map_unref(map);
}

/* The example at the top of the kernel's lpm_trie.c and its documented
 * get_next_key order: more specific prefixes first. */
static void test_postorder(void)
{
	static const struct key4 want[] = {
		{ 24, { 192, 168, 0, 0 } },
		{ 24, { 192, 168, 1, 0 } },
		{ 24, { 192, 168, 128, 0 } },
		{ 16, { 192, 168, 0, 0 } },
	};
	bpfvm_map *map = mk_trie(4, 8);
	struct key4 k, next;
	int i = 0, rc;

	if (!map)
		return;
	CHECK(bpfvm_map_get_next_key(map, NULL, &next) == -ENOENT);
	put4(map, k4(16, 192, 168, 0, 0), 1, 0, 0);
	put4(map, k4(24, 192, 168, 0, 0), 2, 0, 0);
	put4(map, k4(24, 192, 168, 128, 0), 3, 0, 0);
	put4(map, k4(24, 192, 168, 1, 0), 4, 0, 0);
	for (rc = bpfvm_map_get_next_key(map, NULL, &next); rc == 0;
	     rc = bpfvm_map_get_next_key(map, &k, &next), i++) {
		CHECK(i < 4 && !memcmp(&next, &want[i], sizeof(next)));
		k = next;
	}
	CHECK(rc == -ENOENT && i == 4);
	/* A key not in the trie (or a bad prefixlen) starts over. */
	k = k4(20, 192, 168, 0, 0);
	CHECK(bpfvm_map_get_next_key(map, &k, &next) == 0 &&
	      !memcmp(&next, &want[0], sizeof(next)));
	k = k4(99, 1, 2, 3, 4);
	CHECK(bpfvm_map_get_next_key(map, &k, &next) == 0 &&
	      !memcmp(&next, &want[0], sizeof(next)));
	bpfvm_map_unref(map);
}

static void test_ipv6(void)
{
	bpfvm_map *map = mk_trie(16, 16);
	struct key16 k = { 0 };
	uint32_t v;

	if (!map)
		return;
	static const struct {
		uint32_t plen;
		uint8_t data[16];
		uint32_t value;
	} routes[] = {
		{ 0, { 0 }, 1 },
		{ 32, { 0x20, 0x01, 0x0d, 0xb8 }, 2 },
		{ 48, { 0x20, 0x01, 0x0d, 0xb8, 0, 1 }, 3 },
		{ 128, { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 }, 4 },
		{ 64, { 0xfe, 0x80 }, 5 },
	};
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		k.prefixlen = routes[i].plen;
		memcpy(k.data, routes[i].data, 16);
		CHECK(bpfvm_map_update(map, &k, &routes[i].value, 0) == 0);
	}
	static const struct {
		uint8_t addr[16];
		uint32_t want;
	} probes[] = {
		{ { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 }, 4 },
		{ { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2 }, 3 },
		{ { 0x20, 0x01, 0x0d, 0xb8, 0, 2 }, 2 },
		{ { 0x20, 0x01, 0x0d, 0xb9 }, 1 },
		{ { 0xfe, 0x80, [8] = 0xff }, 5 },
		{ { 0xfe, 0x81 }, 1 },
	};
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		k.prefixlen = 128;
		memcpy(k.data, probes[i].addr, 16);
		CHECK(bpfvm_map_lookup(map, &k, &v) == 0 &&
		      v == probes[i].want);
	}
	k.prefixlen = 129;
	CHECK(bpfvm_map_update(map, &k, &v, 0) == -EINVAL);
	bpfvm_map_unref(map);
}

/* ---- a random run against a brute-force model ---- */

#define MODEL_MAX 48

struct entry {
	uint32_t plen;
	uint8_t data[4]; /* as last written, bits past plen included */
	uint32_t value;
};

static struct entry model[MODEL_MAX];
static int model_n;

static unsigned bit_of(const uint8_t *d, uint32_t i)
{
	return (d[i / 8] >> (7 - i % 8)) & 1;
}

static bool same_prefix(const uint8_t *a, const uint8_t *b, uint32_t plen)
{
	for (uint32_t i = 0; i < plen; i++)
		if (bit_of(a, i) != bit_of(b, i))
			return false;
	return true;
}

static int model_find(uint32_t plen, const uint8_t *d)
{
	for (int i = 0; i < model_n; i++)
		if (model[i].plen == plen &&
		    same_prefix(model[i].data, d, plen))
			return i;
	return -1;
}

/* Postorder: where two prefixes part, the 0 side first; a prefix after
 * the longer ones it contains. */
static int postorder_cmp(const struct entry *a, const struct entry *b)
{
	uint32_t common = a->plen < b->plen ? a->plen : b->plen;

	for (uint32_t i = 0; i < common; i++)
		if (bit_of(a->data, i) != bit_of(b->data, i))
			return bit_of(a->data, i) ? 1 : -1;
	return a->plen > b->plen ? -1 : a->plen < b->plen;
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void random_key(struct key4 *k)
{
	/* Few distinct bits, so prefixes nest and collide often. */
	k->prefixlen = rnd() % 33;
	k->data[0] = (uint8_t)(rnd() % 4 * 64);
	k->data[1] = (uint8_t)(rnd() % 3 << 6);
	k->data[2] = (uint8_t)(rnd() % 2);
	k->data[3] = (uint8_t)(rnd() & 3);
}

static void check_iteration(bpfvm_map *map)
{
	struct entry got[MODEL_MAX + 1];
	struct key4 k, next;
	int n = 0, rc;

	for (rc = bpfvm_map_get_next_key(map, NULL, &next);
	     rc == 0 && n <= MODEL_MAX;
	     rc = bpfvm_map_get_next_key(map, &k, &next)) {
		int i = model_find(next.prefixlen, next.data);

		CHECK(i >= 0 && !memcmp(model[i].data, next.data, 4));
		got[n].plen = next.prefixlen;
		memcpy(got[n].data, next.data, 4);
		if (n > 0)
			CHECK(postorder_cmp(&got[n - 1], &got[n]) < 0);
		n++;
		k = next;
	}
	CHECK(rc == -ENOENT && n == model_n);
}

static void test_random(void)
{
	bpfvm_map *map = mk_trie(4, MODEL_MAX);

	if (!map)
		return;
	for (int step = 0; step < 20000; step++) {
		struct key4 k;
		uint32_t v = (uint32_t)step, op = rnd() % 8;
		int i, want, best = -1;

		random_key(&k);
		i = model_find(k.prefixlen, k.data);
		if (op < 3) { /* update with random flags */
			uint64_t flags = rnd() % 3;

			if (i >= 0)
				want = flags == BPFVM_NOEXIST ? -EEXIST : 0;
			else if (flags == BPFVM_EXIST)
				want = -ENOENT;
			else
				want = model_n == MODEL_MAX ? -ENOSPC : 0;
			CHECK_U64((uint64_t)(int64_t)bpfvm_map_update(
					  map, &k, &v, flags),
				  (uint64_t)(int64_t)want);
			if (want == 0 && i < 0)
				i = model_n++;
			if (want == 0) {
				model[i].plen = k.prefixlen;
				memcpy(model[i].data, k.data, 4);
				model[i].value = v;
			}
		} else if (op < 5) {
			want = i >= 0 ? 0 : -ENOENT;
			CHECK_U64((uint64_t)(int64_t)bpfvm_map_delete(map, &k),
				  (uint64_t)(int64_t)want);
			if (i >= 0)
				model[i] = model[--model_n];
		} else { /* longest prefix match */
			uint32_t *got = bpfvm_map_lookup_elem(map, &k);

			for (int j = 0; j < model_n; j++)
				if (model[j].plen <= k.prefixlen &&
				    same_prefix(model[j].data, k.data,
						model[j].plen) &&
				    (best < 0 ||
				     model[j].plen > model[best].plen))
					best = j;
			CHECK((got == NULL) == (best < 0));
			if (got && best >= 0)
				CHECK(*got == model[best].value);
		}
		if (step % 500 == 0)
			check_iteration(map);
	}
	check_iteration(map);

	/* Batch dumps walk the same keys. */
	struct key4 keys[MODEL_MAX + 1], cursor;
	uint32_t vals[MODEL_MAX + 1], count = MODEL_MAX + 1;

	CHECK(bpfvm_map_lookup_batch(map, NULL, &cursor, keys, vals, &count) ==
	      -ENOENT);
	CHECK((int)count == model_n);
	for (uint32_t j = 0; j < count; j++) {
		int i = model_find(keys[j].prefixlen, keys[j].data);

		CHECK(i >= 0 && model[i].value == vals[j]);
	}
	bpfvm_map_unref(map);
}

/* How fast a program's lookup is (printed, not asserted): 1024 routes
 * from /8 to /32, addresses that hit each length. */
static void bench_lookup(void)
{
	bpfvm_map *map = mk_trie(4, 1024);
	const int rounds = 1000000;
	volatile uintptr_t sink = 0;
	struct timespec t0, t1;

	if (!map)
		return;
	for (uint32_t i = 0; i < 1024; i++) {
		struct key4 k = k4(8 + i % 25, (uint8_t)(i >> 2), (uint8_t)i,
				   (uint8_t)(i * 7), (uint8_t)(i * 13));

		bpfvm_map_update(map, &k, &i, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < rounds; i++) {
		struct key4 k = k4(32, (uint8_t)(i >> 2), (uint8_t)i,
				   (uint8_t)(i * 7), (uint8_t)(i * 11));

		sink += (uintptr_t)bpfvm_map_lookup_elem(map, &k);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("bench: %-28s %6.1f ns/lookup\n", "lpm_trie IPv4 (1024 routes)",
	       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) /
		       rounds);
	(void)sink;
	bpfvm_map_unref(map);
}

int main(void)
{
	test_ipv4();
	test_full();
	test_postorder();
	test_ipv6();
	test_random();
	bench_lookup();
	DONE();
}
