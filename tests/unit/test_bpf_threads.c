/* SPDX-License-Identifier: MIT */
/*
 * One loaded BPF object (tests/bpf/threads.bpf.c) run by four threads at
 * once, two through bpfvm_run and two through bpfvm_run_xdp, each on its
 * own CPU slot: they count into shared HASH keys (atomic adds, inserts
 * with BPF_NOEXIST) and into their per-CPU array slot, while the main
 * thread walks the hash with get_next_key, reads the counted keys (never
 * going down), and deletes and re-adds other keys. Checked at the end:
 * no increment lost on the counted keys, every per-CPU slot exact, every
 * run completed. Runs stop after RUNS or after RUN_NS, whichever comes
 * first (the totals come from the runs actually made), so the test stays
 * short under ThreadSanitizer and valgrind too.
 */
#include <pthread.h>
#include <time.h>

#include "bpf_test.h"

#define THREADS 4
#define NKEYS	512    /* counted keys 0..511 */
#define CHURN	64     /* keys 1000..1063: deleted and re-added by the host */
#define ITERS	16     /* increments a run */
#define RUNS	100000 /* a thread's runs at most */
#define RUN_NS	800000000ull

struct thr_io {
	uint32_t key;
	uint32_t iters;
	uint64_t inserted;
	uint64_t raced;
	uint64_t lost;
};

struct worker {
	pthread_t th;
	unsigned id;
	bpfvm_prog *prog;
	bool xdp;
	uint64_t runs[NKEYS]; /* runs made on each key */
	uint64_t inserted, raced, lost, failed;
};

static uint32_t done; /* atomic: workers finished */
static pthread_barrier_t start;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	bpfvm_xdp_buff *buf = w->xdp ? bpfvm_xdp_buff_new() : NULL;
	uint8_t pkt[64] = { 0 };
	uint64_t r0, deadline;

	bpfvm_cpu_set(w->id);
	pthread_barrier_wait(&start);
	deadline = now_ns() + RUN_NS;
	for (unsigned run = 0; run < RUNS; run++) {
		/* Every thread takes the keys in the same order, from the
		 * same start: they race to insert each, then add to it
		 * together. */
		struct thr_io io = { .key = run % NKEYS, .iters = ITERS };
		bpfvm_error err = { .insn = -1, .line = -1 };
		int rc;

		if (run && run % 64 == 0 && now_ns() > deadline)
			break;
		if (w->xdp) {
			memcpy(pkt, &io, sizeof(io));
			rc = !buf ||
			     bpfvm_xdp_buff_set(buf, pkt, sizeof(pkt), 1, 0) ||
			     bpfvm_run_xdp(w->prog, buf, &r0, &err) ||
			     r0 != BPFVM_XDP_TX;
			if (!rc)
				memcpy(&io, (void *)(uintptr_t)buf->md.data,
				       sizeof(io));
		} else {
			rc = bpfvm_run(w->prog, &io, sizeof(io), &r0, &err) ||
			     r0 != 0;
		}
		if (rc) {
			if (!w->failed++)
				fprintf(stderr, "worker %u: run failed: %s\n",
					w->id, err.msg);
			break;
		}
		w->runs[io.key]++;
		w->inserted += io.inserted;
		w->raced += io.raced;
		w->lost += io.lost;
	}
	bpfvm_xdp_buff_free(buf);
	__atomic_add_fetch(&done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* The host's side while the workers run: walk, read, churn. */
static void host(bpfvm_map *counts, uint64_t *walks, uint64_t *backwards)
{
	uint64_t seen[NKEYS] = { 0 }, v;
	uint32_t key, next, j = 0;

	while (__atomic_load_n(&done, __ATOMIC_ACQUIRE) < THREADS) {
		const void *prev = NULL;
		unsigned steps = 0;

		/* A walk ends: -ENOENT after the last key (a deleted
		 * cursor restarts it, as in the kernel). */
		while (steps++ < 4096 &&
		       !bpfvm_map_get_next_key(counts, prev, &next)) {
			key = next;
			prev = &key;
		}
		(*walks)++;
		/* Counted keys only go up. */
		for (uint32_t k = 0; k < NKEYS; k++) {
			if (bpfvm_map_lookup(counts, &k, &v))
				continue;
			if (v < seen[k])
				(*backwards)++;
			seen[k] = v;
		}
		/* Churn: other keys come and go. */
		for (int i = 0; i < 8; i++, j++) {
			key = 1000 + j % CHURN;
			v = j;
			if (bpfvm_map_delete(counts, &key) == -ENOENT)
				bpfvm_map_update(counts, &key, &v,
						 BPFVM_NOEXIST);
		}
	}
}

int main(void)
{
	struct worker w[THREADS];
	uint64_t walks = 0, backwards = 0, v, vals[THREADS], slots[THREADS];
	uint64_t want[NKEYS] = { 0 }, inserted = 0, raced = 0, runs = 0;
	bpfvm_map *counts, *pcpu;
	struct bt b;
	uint32_t k;

	bpfvm_set_ncpus(THREADS);
	if (bt_open(&b, "threads", false))
		DONE();
	counts = bt_map(&b, "counts");
	pcpu = bt_map(&b, "per_cpu");
	if (!counts || !pcpu)
		DONE();
	/* Churn keys start in. */
	for (k = 1000; k < 1000 + CHURN; k++) {
		v = k;
		CHECK(bpfvm_map_update(counts, &k, &v, BPFVM_NOEXIST) == 0);
	}
	memset(w, 0, sizeof(w));
	pthread_barrier_init(&start, NULL, THREADS);
	for (unsigned i = 0; i < THREADS; i++) {
		w[i].id = i;
		w[i].xdp = i >= THREADS / 2;
		w[i].prog = bt_prog(&b, w[i].xdp ? "count_xdp" : "count_raw");
		CHECK(pthread_create(&w[i].th, NULL, work, &w[i]) == 0);
	}
	host(counts, &walks, &backwards); /* until every worker is done */
	for (unsigned i = 0; i < THREADS; i++)
		pthread_join(w[i].th, NULL);
	pthread_barrier_destroy(&start);

	for (unsigned i = 0; i < THREADS; i++) {
		uint64_t mine = 0;

		for (k = 0; k < NKEYS; k++) {
			want[k] += w[i].runs[k] * ITERS;
			mine += w[i].runs[k];
		}
		runs += mine;
		inserted += w[i].inserted;
		raced += w[i].raced;
		CHECK_U64(w[i].failed, 0);
		CHECK_U64(w[i].lost, 0);
		CHECK(mine > 0);
		vals[i] = mine * ITERS;
	}
	printf("%" PRIu64 " runs, %" PRIu64 " walks, %" PRIu64
	       " inserts lost to another thread\n",
	       runs, walks, raced);
	/* Every increment is there; every key reached was inserted once. */
	uint64_t reached = 0;
	for (k = 0; k < NKEYS; k++) {
		v = 0;
		CHECK(bpfvm_map_lookup(counts, &k, &v) ==
		      (want[k] ? 0 : -ENOENT));
		CHECK_U64(v, want[k]);
		reached += want[k] != 0;
	}
	CHECK_U64(inserted, reached);
	CHECK_U64(backwards, 0);
	CHECK(walks > 0);
	/* Each thread's slot holds its own increments only. */
	k = 0;
	CHECK(bpfvm_map_lookup(pcpu, &k, slots) == 0);
	for (unsigned i = 0; i < THREADS; i++)
		CHECK_U64(slots[i], vals[i]);
	bt_close(&b);
	bpfvm_set_ncpus(0);
	DONE();
}
