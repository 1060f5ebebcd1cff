/* SPDX-License-Identifier: MIT */
/*
 * Maps under concurrency: three threads act as programs (atomic
 * increments through HASH lookups, per-CPU array increments on their own
 * slots, LRU updates, ring buffer producers, LPM lookups, churn on HASH
 * keys) while the main thread acts as the host (iterates, deletes and
 * re-adds, copies values out, consumes the ring, rewrites the trie).
 * Checked: no increment lost on the keys the host leaves alone, every
 * per-CPU slot exact, every ring record seen once and in each producer's
 * order, every iteration finite. Time-bounded (about a second), and
 * meant to be run under ThreadSanitizer too.
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

#define WORKERS 3
#define STABLE	4  /* hash keys 0..3: only incremented */
#define CHURN	64 /* hash keys 100..163: deleted and re-added */
#define LRU_MAX 128
#define RUN_NS	500000000ull

struct record {
	uint32_t worker;
	uint32_t pad;
	uint64_t seq;
};

static struct {
	bpfvm_map *hash, *pcpu, *lru, *rb, *lpm;
	uint32_t stop; /* atomic */
} g;

struct worker {
	pthread_t th;
	unsigned id;
	uint64_t incs, pcpu_incs, produced, lru_fail, missing;
};

struct lpm_key {
	uint32_t prefixlen;
	uint8_t data[4];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bpfvm_map *mk(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max,
		     uint32_t flags)
{
	struct bpfvm_map_spec spec = { .type = type,
				       .key_size = ks,
				       .value_size = vs,
				       .max_entries = max,
				       .map_flags = flags };
	bpfvm_error err = { 0 };
	bpfvm_map *map = bpfvm_map_new(&spec, &err);

	if (!map)
		fprintf(stderr, "map_new(%u): %s\n", type, err.msg);
	return map;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	uint32_t rnd = 2463534242u * (w->id + 1);

	bpfvm_cpu_set(w->id);
	for (uint64_t i = 0; !__atomic_load_n(&g.stop, __ATOMIC_RELAXED); i++) {
		uint32_t k = (uint32_t)(i % STABLE), zero = 0;
		uint64_t *v = bpfvm_map_lookup_elem(g.hash, &k), val = i;
		struct record r = { w->id, 0, w->produced };
		struct lpm_key lk = { 32, { 10, (uint8_t)i, 1, 1 } };

		if (v) {
			__atomic_fetch_add(v, 1, __ATOMIC_RELAXED);
			w->incs++;
		} else {
			w->missing++;
		}

		rnd ^= rnd << 13, rnd ^= rnd >> 17, rnd ^= rnd << 5;
		k = 100 + rnd % CHURN;
		bpfvm_map_update_elem(g.hash, &k, &val, BPFVM_ANY);
		v = bpfvm_map_lookup_elem(g.hash, &k);
		if (v)
			__atomic_fetch_add(v, 1, __ATOMIC_RELAXED);

		v = bpfvm_map_lookup_elem(g.pcpu, &zero);
		if (v) {
			__atomic_fetch_add(v, 1, __ATOMIC_RELAXED);
			w->pcpu_incs++;
		}

		k = rnd % 512;
		if (bpfvm_map_update_elem(g.lru, &k, &val, BPFVM_ANY))
			w->lru_fail++;
		v = bpfvm_map_lookup_elem(g.lru, &k);
		if (v)
			__atomic_fetch_add(v, 1, __ATOMIC_RELAXED);

		if (bpfvm_ringbuf_output(g.rb, &r, sizeof(r), 0) == 0)
			w->produced++;

		v = bpfvm_map_lookup_elem(g.lpm, &lk);
		if (v)
			(void)__atomic_load_n(v, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* ---- the host's side ---- */

static uint64_t next_seq[WORKERS], consumed, order_errors;

static int on_record(void *ctx, const void *data, size_t size)
{
	struct record r;

	if (size != sizeof(r)) {
		order_errors++;
		return 0;
	}
	memcpy(&r, data, sizeof(r));
	if (r.worker >= WORKERS || r.seq != next_seq[r.worker])
		order_errors++;
	else
		next_seq[r.worker]++;
	consumed++;
	return 0;
}

/* A full walk of any map ends; count the keys it saw. */
static long walk(bpfvm_map *map, uint32_t key_size, long limit)
{
	uint8_t k[8], next[8];
	long n = 0;
	int rc;

	for (rc = bpfvm_map_get_next_key(map, NULL, next); rc == 0 && n < limit;
	     rc = bpfvm_map_get_next_key(map, k, next)) {
		memcpy(k, next, key_size);
		n++;
	}
	CHECK(rc == -ENOENT || n == limit);
	return n;
}

static long sum_cb(bpfvm_map *map, const void *key, void *value, void *ctx)
{
	*(uint64_t *)ctx +=
		__atomic_load_n((uint64_t *)value, __ATOMIC_RELAXED);
	return 0;
}

static void host_round(uint64_t round)
{
	uint64_t val = 0, sum = 0, vals[16];
	uint32_t keys[16], cursor, count = 16;
	struct lpm_key lk = { 16 + round % 17, { 10, (uint8_t)round, 0, 0 } };

	/* Walks end even while the maps change under them. A walk whose
	 * key vanishes restarts from the first bucket (as the kernel's),
	 * so it may see a key twice: only its end is checked here. */
	walk(g.hash, 4, 2000);
	walk(g.lru, 4, 2000);

	for (uint32_t k = 100; k < 100 + CHURN; k += 2) {
		uint32_t key = k + (uint32_t)(round % 2);

		bpfvm_map_delete(g.hash, &key);
		bpfvm_map_update(g.hash, &key, &val, BPFVM_ANY);
	}
	for (uint32_t k = 0; k < STABLE; k++)
		CHECK(bpfvm_map_lookup(g.hash, &k, &val) == 0);
	bpfvm_map_for_each(g.hash, sum_cb, &sum);
	bpfvm_map_lookup_batch(g.hash, NULL, &cursor, keys, vals, &count);

	for (uint32_t k = 0; k < 512; k += 7)
		bpfvm_map_delete(g.lru, &k);

	bpfvm_ringbuf_consume(g.rb, on_record, NULL);

	if (round % 2)
		bpfvm_map_update(g.lpm, &lk, &val, BPFVM_ANY);
	else
		bpfvm_map_delete(g.lpm, &lk);
}

int main(void)
{
	struct worker w[WORKERS];
	uint64_t t0, rounds = 0, total = 0, per_slot[4] = { 0 };
	uint32_t zero = 0;

	bpfvm_set_ncpus(4);
	g.hash = mk(BPFVM_MAP_HASH, 4, 8, STABLE + CHURN + 8, 0);
	g.pcpu = mk(BPFVM_MAP_PERCPU_ARRAY, 4, 8, 1, 0);
	g.lru = mk(BPFVM_MAP_LRU_HASH, 4, 8, LRU_MAX, 0);
	g.rb = mk(BPFVM_MAP_RINGBUF, 0, 0, 16384, 0);
	g.lpm = mk(BPFVM_MAP_LPM_TRIE, 8, 8, 64, BPFVM_F_NO_PREALLOC);
	bpfvm_set_ncpus(0);
	if (!g.hash || !g.pcpu || !g.lru || !g.rb || !g.lpm)
		return 1;
	for (uint32_t k = 0; k < STABLE; k++) {
		uint64_t v = 0;

		CHECK(bpfvm_map_update(g.hash, &k, &v, BPFVM_NOEXIST) == 0);
	}

	for (unsigned i = 0; i < WORKERS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = i;
		pthread_create(&w[i].th, NULL, work, &w[i]);
	}
	t0 = now_ns();
	while (now_ns() - t0 < RUN_NS)
		host_round(rounds++);
	__atomic_store_n(&g.stop, 1, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < WORKERS; i++)
		pthread_join(w[i].th, NULL);
	while (bpfvm_ringbuf_consume(g.rb, on_record, NULL) > 0)
		;

	/* No lost increments on the keys nobody deleted. */
	for (uint32_t k = 0; k < STABLE; k++) {
		uint64_t v = 0;

		CHECK(bpfvm_map_lookup(g.hash, &k, &v) == 0);
		total += v;
	}
	uint64_t incs = 0, produced = 0, lru_fail = 0, missing = 0;

	for (unsigned i = 0; i < WORKERS; i++) {
		incs += w[i].incs;
		produced += w[i].produced;
		lru_fail += w[i].lru_fail;
		missing += w[i].missing;
	}
	CHECK_U64(total, incs);
	CHECK_U64(missing, 0);
	CHECK_U64(lru_fail, 0); /* LRU updates never fail */
	CHECK(walk(g.lru, 4, 100000) <= LRU_MAX);

	/* Every slot holds exactly its thread's increments. */
	CHECK(bpfvm_map_lookup(g.pcpu, &zero, per_slot) == 0);
	for (unsigned i = 0; i < WORKERS; i++)
		CHECK_U64(per_slot[i], w[i].pcpu_incs);
	CHECK_U64(per_slot[3], 0);

	/* Every record once, in each producer's order. */
	CHECK_U64(order_errors, 0);
	CHECK_U64(consumed, produced);
	for (unsigned i = 0; i < WORKERS; i++)
		CHECK_U64(next_seq[i], w[i].produced);

	printf("%llu host rounds, %llu increments, %llu records\n",
	       (unsigned long long)rounds, (unsigned long long)incs,
	       (unsigned long long)produced);
	bpfvm_map_unref(g.hash);
	bpfvm_map_unref(g.pcpu);
	bpfvm_map_unref(g.lru);
	bpfvm_map_unref(g.rb);
	bpfvm_map_unref(g.lpm);
	DONE();
}
