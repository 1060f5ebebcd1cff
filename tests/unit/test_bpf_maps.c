/* SPDX-License-Identifier: MIT */
/*
 * Every map type bpfvm has, used by BPF C programs (tests/bpf/maps_*.bpf.c)
 * and checked against the kernel's documented behaviour: what the
 * programs record (bpf_test.h), what they return, and map contents read
 * from the host. XDP programs run in the kernel too and must agree.
 *
 *   maps_basic    ARRAY, HASH, PERCPU_ARRAY, PERCPU_HASH: error codes
 *   maps_percpu   per-CPU values from four CPU slots (bpfvm_cpu_set)
 *   maps_lru      LRU_HASH, LRU_PERCPU_HASH: eviction under pressure
 *   maps_lpm      LPM_TRIE: longest prefix, full trie, walk order
 *   maps_queue    QUEUE, STACK: order, BPF_EXIST overwrite, host push/pop
 *   maps_ringbuf  RINGBUF: order, overflow, room after consuming, wrap
 *   maps_tailcall PROG_ARRAY: tail calls, the 33-call limit
 *   maps_inner    ARRAY_OF_MAPS, HASH_OF_MAPS: inner maps by map id
 *   maps_devmap   DEVMAP, DEVMAP_HASH: bpf_redirect_map, bpf_redirect
 */
#include "bpf_test.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void test_basic(void)
{
	static const struct {
		uint32_t key;
		int rc;
		uint64_t value;
	} hash_after[] = {
		{ 1, 0, 11 }, { 2, -ENOENT, 0 }, { 3, 0, 30 },
		{ 4, 0, 44 }, { 5, 0, 50 },	 { 6, -ENOENT, 0 },
	};
	struct bt b;
	uint64_t v;
	uint32_t k;

	if (bt_open(&b, "maps_basic", true))
		goto out;
	CHECK_U64(bt_xdp(&b, "array_ops"), BPFVM_XDP_PASS);
	k = 0;
	CHECK(bt_lookup(&b, "arr", &k, &v) == 0 && v == 42);
	k = 4;
	CHECK(bt_lookup(&b, "arr", &k, &v) == -ENOENT);
	CHECK(bpfvm_map_delete(bt_map(&b, "arr"), &k) == -EINVAL);

	CHECK_U64(bt_xdp(&b, "hash_ops"), BPFVM_XDP_PASS);
	for (size_t i = 0; i < ARRAY_SIZE(hash_after); i++) {
		v = 0;
		CHECK(bt_lookup(&b, "hash", &hash_after[i].key, &v) ==
		      hash_after[i].rc);
		CHECK_U64(v, hash_after[i].value);
	}
	CHECK_U64(bt_xdp(&b, "percpu_ops"), BPFVM_XDP_PASS);
	CHECK_U64(bt_xdp(&b, "odd_sizes"), BPFVM_XDP_PASS);
	/* Per-CPU values to the host: each CPU's 12 bytes, padded to 16
	 * with zeros, in CPU order. */
	uint8_t k7[7] = { 1, 2, 3, 4, 5, 6, 7 };
	uint32_t v12[3];
	CHECK(bt_lookup(&b, "hash7", k7, v12) == 0 && v12[1] == 11);
	k = 1;
	size_t size = bpfvm_map_host_value_size(bt_map(&b, "pcpu12"));
	uint32_t pv[4 * 64] = { 0 };
	CHECK_U64(size, 16 * bpfvm_ncpus());
	if (size <= sizeof(pv) && bt_lookup(&b, "pcpu12", &k, pv) == 0) {
		for (unsigned c = 0; c < bpfvm_ncpus(); c++) {
			CHECK_U64(pv[4 * c], 0xaaaaaaaa + c);
			CHECK_U64(pv[4 * c + 1], 0);
			CHECK_U64(pv[4 * c + 2], 0xcccccccc);
			CHECK_U64(pv[4 * c + 3], 0);
		}
	} else {
		CHECK(!"pcpu12 can be read");
	}
out:
	bt_close(&b);
}

/* Host mirror of maps_percpu's struct pcpu_io. */
struct pcpu_io {
	uint32_t key;
	uint32_t ncpus;
	uint64_t add;
	uint64_t cpu;
	uint64_t arr_sum;
	uint64_t hash_sum;
	uint64_t mine;
	int64_t beyond;
};

#define NCPUS 4

/* Each CPU slot adds its own amount, three rounds: every slot ends exact
 * and independent of the others. */
static void test_percpu(void)
{
	uint64_t want[NCPUS] = { 0 }, total = 0, vals[NCPUS];
	struct bt b;
	uint32_t k = 1;

	bpfvm_set_ncpus(NCPUS);
	if (bt_open(&b, "maps_percpu", false))
		goto out;
	CHECK_U64(bpfvm_map_host_value_size(bt_map(&b, "parr")), 8 * NCPUS);
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned cpu = 0; cpu < NCPUS; cpu++) {
			struct pcpu_io io = { .key = k, .ncpus = NCPUS };

			io.add = (cpu + 1) * 100 + round;
			want[cpu] += io.add;
			total += io.add;
			bpfvm_cpu_set(cpu);
			CHECK_U64(bt_run(&b, "pcpu_add", &io, sizeof(io)), 0);
			CHECK_U64(io.cpu, cpu);
			CHECK_U64(io.mine, want[cpu]);
			CHECK_U64(io.arr_sum, total);
			CHECK_U64(io.hash_sum, total);
			CHECK_U64(io.beyond, 1);
		}
	}
	bpfvm_cpu_set(0);
	CHECK(bt_lookup(&b, "parr", &k, vals) == 0);
	for (unsigned cpu = 0; cpu < NCPUS; cpu++)
		CHECK_U64(vals[cpu], want[cpu]);
	CHECK(bt_lookup(&b, "phash", &k, vals) == 0);
	for (unsigned cpu = 0; cpu < NCPUS; cpu++)
		CHECK_U64(vals[cpu], want[cpu]);
	/* A host update sets every CPU's value. */
	for (unsigned cpu = 0; cpu < NCPUS; cpu++)
		vals[cpu] = cpu * 7;
	CHECK(bt_update(&b, "phash", &k, vals, BPFVM_EXIST) == 0);
	memset(vals, 0xff, sizeof(vals));
	CHECK(bt_lookup(&b, "phash", &k, vals) == 0);
	for (unsigned cpu = 0; cpu < NCPUS; cpu++)
		CHECK_U64(vals[cpu], cpu * 7);
out:
	bt_close(&b);
	bpfvm_set_ncpus(0);
}

/* Host mirror of maps_lru's struct lru_io. */
struct lru_io {
	uint32_t n;
	uint32_t pad;
	uint32_t keys[32];
	int64_t out[32];
};

static void lru_io_keys(struct lru_io *io, uint32_t first, uint32_t n)
{
	memset(io, 0, sizeof(*io));
	io->n = n;
	for (uint32_t i = 0; i < n; i++)
		io->keys[i] = first + i;
}

/* Keys in an LRU map: count, and whether each of [first, first + n) is
 * in (bit i of *present). */
static unsigned lru_count(bpfvm_map *m, uint32_t first, uint32_t n,
			  uint64_t *present)
{
	uint32_t key, next;
	unsigned count = 0;
	const void *prev = NULL;

	*present = 0;
	while (count < 1000 && !bpfvm_map_get_next_key(m, prev, &next)) {
		count++;
		if (next >= first && next - first < n && next - first < 64)
			*present |= 1ull << (next - first);
		key = next;
		prev = &key;
	}
	return count;
}

static void test_lru(void)
{
	struct lru_io io;
	uint64_t present, vals[NCPUS];
	bpfvm_map *m;
	struct bt b;
	uint32_t k;

	bpfvm_set_ncpus(NCPUS);
	if (bt_open(&b, "maps_lru", false))
		goto out;
	m = bt_map(&b, "lru");
	bt_run(&b, "lru_flags", &io, sizeof(io));

	/* Fill (8), use 1-4, insert 9-12: 5-8 go, the used ones stay. */
	lru_io_keys(&io, 1, 8);
	bt_run(&b, "lru_insert", &io, sizeof(io));
	for (int i = 0; i < 8; i++)
		CHECK_U64(io.out[i], 0);
	lru_io_keys(&io, 1, 4);
	bt_run(&b, "lru_touch", &io, sizeof(io));
	for (int i = 0; i < 4; i++)
		CHECK_U64(io.out[i], (uint64_t)(i + 1) * 10);
	lru_io_keys(&io, 9, 4);
	bt_run(&b, "lru_insert", &io, sizeof(io));
	for (int i = 0; i < 4; i++)
		CHECK_U64(io.out[i], 0); /* an LRU update never fails */
	CHECK_U64(lru_count(m, 1, 12, &present), 8);
	CHECK_U64(present, 0xf0f); /* 1-4 and 9-12 */

	/* Use 1, 2 and 9-12; insert 13-16: 3 and 4 go first. */
	lru_io_keys(&io, 9, 4);
	io.keys[4] = 1;
	io.keys[5] = 2;
	io.n = 6;
	bt_run(&b, "lru_touch", &io, sizeof(io));
	for (int i = 0; i < 6; i++)
		CHECK(io.out[i] > 0);
	lru_io_keys(&io, 13, 2);
	bt_run(&b, "lru_insert", &io, sizeof(io));
	CHECK_U64(lru_count(m, 1, 16, &present), 8);
	CHECK_U64(present, 0x3f03); /* 1, 2, 9-14 */

	/* Pressure: 31 new keys, key 1 used before each insert: it stays,
	 * and the map never holds more than max_entries. */
	for (int round = 0; round < 20; round++) {
		lru_io_keys(&io, 1000 + round * 31, 32);
		io.keys[0] = 1;
		bt_run(&b, "lru_pressure", &io, sizeof(io));
		for (int i = 1; i < 32; i++)
			CHECK_U64(io.out[i], 0);
	}
	CHECK_U64(lru_count(m, 1, 1, &present), 8);
	CHECK_U64(present, 1);
	k = 1;
	CHECK(bpfvm_map_lookup(m, &k, vals) == 0 && vals[0] == 10);
	/* The last keys inserted are there. */
	lru_io_keys(&io, 1000 + 19 * 31 + 25, 6);
	bt_run(&b, "lru_touch", &io, sizeof(io));
	for (int i = 0; i < 6; i++)
		CHECK_U64(io.out[i], io.keys[i]);

	/* LRU_PERCPU_HASH: each CPU adds to its own value. */
	m = bt_map(&b, "lru_pcpu");
	for (unsigned cpu = 0; cpu < NCPUS; cpu++) {
		lru_io_keys(&io, 1, 8);
		bpfvm_cpu_set(cpu);
		bt_run(&b, "lru_pcpu_add", &io, sizeof(io));
		for (int i = 0; i < 8; i++)
			CHECK_U64(io.out[i], i + 1);
	}
	bpfvm_cpu_set(0);
	k = 3;
	CHECK(bpfvm_map_lookup(m, &k, vals) == 0);
	for (unsigned cpu = 0; cpu < NCPUS; cpu++)
		CHECK_U64(vals[cpu], 3);
	/* Room for 8: eight new keys evict the old ones, nothing fails. */
	lru_io_keys(&io, 100, 8);
	bpfvm_cpu_set(2);
	bt_run(&b, "lru_pcpu_add", &io, sizeof(io));
	bpfvm_cpu_set(0);
	for (int i = 0; i < 8; i++)
		CHECK_U64(io.out[i], 100 + i);
	CHECK_U64(lru_count(m, 100, 8, &present), 8);
	CHECK_U64(present, 0xff);
	k = 105;
	CHECK(bpfvm_map_lookup(m, &k, vals) == 0);
	CHECK(vals[0] == 0 && vals[1] == 0 && vals[2] == 105 && vals[3] == 0);
out:
	bt_close(&b);
	bpfvm_set_ncpus(0);
}

struct lpm_v4 {
	uint32_t prefixlen;
	uint8_t addr[4];
};

static bool lpm_contains(const struct lpm_v4 *a, const struct lpm_v4 *b)
{
	uint32_t x = (uint32_t)a->addr[0] << 24 | a->addr[1] << 16 |
		     a->addr[2] << 8 | a->addr[3];
	uint32_t y = (uint32_t)b->addr[0] << 24 | b->addr[1] << 16 |
		     b->addr[2] << 8 | b->addr[3];
	uint32_t mask = a->prefixlen ? ~0u << (32 - a->prefixlen) : 0;

	return a->prefixlen <= b->prefixlen && (x & mask) == (y & mask);
}

static void test_lpm(void)
{
	static const struct {
		uint8_t addr[4];
		uint32_t value; /* 0: no match */
	} lookups[] = {
		{ { 10, 1, 2, 200 }, 8 }, { { 10, 1, 2, 3 }, 2 },
		{ { 10, 7, 0, 0 }, 11 },  { { 172, 20, 1, 1 }, 70 },
		{ { 1, 1, 1, 1 }, 10 },	  { { 8, 8, 8, 8 }, 0 },
	};
	struct lpm_v4 keys[16], key;
	uint32_t v, n = 0;
	bpfvm_map *m;
	struct bt b;

	if (bt_open(&b, "maps_lpm", true))
		goto out;
	m = bt_map(&b, "lpm");
	CHECK_U64(bt_xdp(&b, "lpm_ops"), BPFVM_XDP_PASS);
	CHECK_U64(bt_xdp(&b, "lpm6_ops"), BPFVM_XDP_PASS);
	/* Host lookups match the longest prefix too. */
	for (size_t i = 0; i < ARRAY_SIZE(lookups); i++) {
		key.prefixlen = 32;
		memcpy(key.addr, lookups[i].addr, 4);
		v = 0;
		CHECK(bt_lookup(&b, "lpm", &key, &v) ==
		      (lookups[i].value ? 0 : -ENOENT));
		CHECK_U64(v, lookups[i].value);
	}
	/* The walk: every prefix once, more specific ones before the
	 * prefixes that contain them (kernel/bpf/lpm_trie.c). */
	while (n < ARRAY_SIZE(keys) &&
	       !bpfvm_map_get_next_key(m, n ? &keys[n - 1] : NULL, &keys[n]))
		n++;
	CHECK_U64(n, 6);
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = i + 1; j < n; j++) {
			CHECK(memcmp(&keys[i], &keys[j], sizeof(keys[i])));
			CHECK(!lpm_contains(&keys[i], &keys[j]) ||
			      keys[i].prefixlen == keys[j].prefixlen);
		}
	/* A key not in the trie starts the walk over. */
	key = (struct lpm_v4){ 24, { 9, 9, 9, 0 } };
	CHECK(bpfvm_map_get_next_key(m, &key, &keys[15]) == 0 &&
	      !memcmp(&keys[15], &keys[0], sizeof(key)));
	key = (struct lpm_v4){ 33, { 9, 9, 9, 0 } };
	v = 1;
	CHECK(bpfvm_map_update(m, &key, &v, BPFVM_ANY) == -EINVAL);
out:
	bt_close(&b);
}

static void test_queue_stack(void)
{
	bpfvm_map *q, *s;
	struct bt b;
	uint32_t v;

	if (bt_open(&b, "maps_queue", true))
		goto out;
	q = bt_map(&b, "queue");
	s = bt_map(&b, "stack");
	CHECK_U64(bt_xdp(&b, "queue_ops"), BPFVM_XDP_PASS);
	CHECK_U64(bt_xdp(&b, "stack_ops"), BPFVM_XDP_PASS);
	/* A host lookup peeks: the head of the queue, the top of the stack. */
	CHECK(bt_lookup(&b, "queue", NULL, &v) == 0 && v == 5);
	CHECK(bt_lookup(&b, "stack", NULL, &v) == 0 && v == 6);
	CHECK_U64(bt_xdp(&b, "drain_left"), BPFVM_XDP_PASS);
	CHECK(bt_lookup(&b, "queue", NULL, &v) == -ENOENT);
	/* A host update pushes; BPF_EXIST overwrites when full. */
	for (v = 10; v <= 12; v++) {
		CHECK(bt_update(&b, "queue", NULL, &v, BPFVM_ANY) == 0);
		CHECK(bt_update(&b, "stack", NULL, &v, BPFVM_ANY) == 0);
	}
	v = 13;
	CHECK(bt_update(&b, "queue", NULL, &v, BPFVM_ANY) == -E2BIG);
	CHECK(bt_update(&b, "queue", NULL, &v, BPFVM_NOEXIST) == -EINVAL);
	CHECK(bt_update(&b, "queue", NULL, &v, BPFVM_EXIST) == 0);
	CHECK(bt_update(&b, "stack", NULL, &v, BPFVM_EXIST) == 0);
	CHECK_U64(bt_xdp(&b, "drain_host"), BPFVM_XDP_PASS);

	/* Host pop (lookup_and_delete), bpfvm only. */
	for (v = 21; v <= 22; v++) {
		CHECK(bpfvm_map_update(q, NULL, &v, BPFVM_ANY) == 0);
		CHECK(bpfvm_map_update(s, NULL, &v, BPFVM_ANY) == 0);
	}
	CHECK(bpfvm_map_lookup_and_delete(q, NULL, &v) == 0 && v == 21);
	CHECK(bpfvm_map_lookup_and_delete(q, NULL, &v) == 0 && v == 22);
	CHECK(bpfvm_map_lookup_and_delete(q, NULL, &v) == -ENOENT);
	CHECK(bpfvm_map_lookup_and_delete(s, NULL, &v) == 0 && v == 22);
	CHECK(bpfvm_map_lookup_and_delete(s, NULL, &v) == 0 && v == 21);
	CHECK(bpfvm_map_lookup_and_delete(s, NULL, &v) == -ENOENT);
	/* No keys: get_next_key and delete have no meaning. */
	CHECK(bpfvm_map_get_next_key(q, NULL, &v) == -EINVAL);
	CHECK(bpfvm_map_delete(q, NULL) == -EINVAL);
out:
	bt_close(&b);
}

struct rb_seen {
	unsigned n;
	uint64_t seq[16];
	size_t size[16];
	bool marks_ok;
};

static int rb_sample(void *ctx, const void *data, size_t size)
{
	struct rb_seen *s = ctx;
	uint64_t w[2];

	if (s->n >= 16 || size < 8)
		return 1;
	memcpy(w, data, 8);
	s->seq[s->n] = w[0];
	s->size[s->n] = size;
	if (size == 1000) {
		memcpy(&w[1], (const char *)data + 992, 8);
		if (w[1] != 0x5eb1e55edULL + w[0])
			s->marks_ok = false;
	}
	s->n++;
	return 0;
}

static void test_ringbuf(void)
{
	static const struct {
		uint64_t seq;
		size_t size;
	} first[] = { { 0, 16 },   { 1, 16 },	{ 3, 16 }, { 4, 1000 },
		      { 5, 1000 }, { 6, 1000 }, { 7, 952 } },
	  second[] = { { 8, 1000 }, { 9, 1000 } };
	struct rb_seen seen = { .marks_ok = true };
	bpfvm_map *rb;
	struct bt b;
	uint32_t k = 0;
	uint64_t v;

	if (bt_open(&b, "maps_ringbuf", true))
		goto out;
	rb = bt_map(&b, "rb");
	CHECK_U64(bt_xdp(&b, "rb_fill"), BPFVM_XDP_PASS);
	/* Consuming is bpfvm's side only (the kernel's ring is mmapped). */
	b.bpfvm_only = true;
	CHECK_U64(bpfvm_ringbuf_consume(rb, rb_sample, &seen),
		  ARRAY_SIZE(first));
	CHECK_U64(seen.n, ARRAY_SIZE(first));
	for (size_t i = 0; i < ARRAY_SIZE(first) && i < seen.n; i++) {
		CHECK_U64(seen.seq[i], first[i].seq);
		CHECK_U64(seen.size[i], first[i].size);
	}
	CHECK(seen.marks_ok);
	CHECK_U64(bpfvm_ringbuf_query(rb, BPFVM_RB_CONS_POS), 4088);

	memset(&seen, 0, sizeof(seen));
	seen.marks_ok = true;
	CHECK_U64(bt_xdp(&b, "rb_more"), BPFVM_XDP_PASS);
	CHECK_U64(bpfvm_ringbuf_consume(rb, rb_sample, &seen),
		  ARRAY_SIZE(second));
	for (size_t i = 0; i < ARRAY_SIZE(second) && i < seen.n; i++) {
		CHECK_U64(seen.seq[i], second[i].seq);
		CHECK_U64(seen.size[i], second[i].size);
	}
	CHECK(seen.marks_ok);
	CHECK_U64(bpfvm_ringbuf_consume(rb, rb_sample, &seen), 0);
	CHECK_U64(bpfvm_ringbuf_query(rb, BPFVM_RB_AVAIL_DATA), 0);
	/* No keys, no values: the kernel's ringbuf map ops answer
	 * -ENOTSUPP. */
	CHECK(bpfvm_map_lookup(rb, NULL, &v) == -BPFVM_ENOTSUPP);
	CHECK(bpfvm_map_update(rb, NULL, &v, 0) == -BPFVM_ENOTSUPP);
	CHECK(bpfvm_map_get_next_key(rb, NULL, &k) == -BPFVM_ENOTSUPP);
out:
	bt_close(&b);
}

/* Host mirror of maps_tailcall's .bss. */
struct tc_state {
	uint32_t self_runs;
	uint32_t entry_runs;
	uint32_t leaf_runs;
	uint32_t fallthrough;
	uint32_t sub_ret;
	uint32_t sub_after;
};

static void test_tailcall(void)
{
	bpfvm_error err = { .insn = -1, .line = -1 };
	struct tc_state st;
	bpfvm_obj *other = NULL;
	bpfvm_elf *elf;
	bpfvm_map *jmp;
	uint32_t k, id;
	struct bt b;
	char path[512];

	if (bt_open(&b, "maps_tailcall", true))
		goto out;
	jmp = bt_map(&b, "jmp");
	/* libbpf fills the slots from .values; bpfvm leaves that to the
	 * host (elf.h), so the kernel's side has them already. */
	k = 0;
	id = bpfvm_prog_id(bt_prog(&b, "tc_self"));
	CHECK(bpfvm_map_update(jmp, &k, &id, BPFVM_ANY) == 0);
	k = 1;
	id = bpfvm_prog_id(bt_prog(&b, "tc_leaf"));
	CHECK(bpfvm_map_update(jmp, &k, &id, BPFVM_ANY) == 0);
	CHECK(bpfvm_map_lookup(jmp, &k, &id) == 0 &&
	      id == bpfvm_prog_id(bt_prog(&b, "tc_leaf")));
	k = 3;
	id = bpfvm_prog_id(bt_prog(&b, "tc_leaf2"));
	CHECK(bpfvm_map_update(jmp, &k, &id, BPFVM_ANY) == 0);

	CHECK_U64(bt_xdp(&b, "tc_self"), BPFVM_XDP_PASS);
	CHECK_U64(bt_xdp(&b, "tc_entry"), BPFVM_XDP_TX);
	CHECK_U64(bt_xdp(&b, "tc_missing"), BPFVM_XDP_DROP);
	CHECK_U64(bt_xdp(&b, "tc_sub"), BPFVM_XDP_PASS);
	k = 0;
	CHECK(bt_lookup(&b, ".bss", &k, &st) == 0);
	CHECK_U64(st.sub_ret, BPFVM_XDP_TX);
	CHECK_U64(st.sub_after, 1);
	CHECK_U64(st.self_runs, 34); /* 1 + MAX_TAIL_CALL_CNT (33) */
	CHECK_U64(st.entry_runs, 1);
	CHECK_U64(st.leaf_runs, 1);
	CHECK_U64(st.fallthrough, 3);

	/* Host updates: bpf_fd_array_map_update_elem's codes. */
	b.bpfvm_only = true;
	k = 2;
	id = 9999;
	CHECK(bpfvm_map_update(jmp, &k, &id, BPFVM_ANY) == -EBADF);
	id = bpfvm_prog_id(bt_prog(&b, "tc_leaf"));
	CHECK(bpfvm_map_update(jmp, &k, &id, BPFVM_NOEXIST) == -EINVAL);
	k = 4;
	CHECK(bpfvm_map_update(jmp, &k, &id, BPFVM_ANY) == -E2BIG);
	k = 2;
	CHECK(bpfvm_map_lookup(jmp, &k, &id) == -ENOENT);
	/* A program of another type cannot join an XDP program array
	 * (the kernel's bpf_prog_map_compatible: -EINVAL). */
	snprintf(path, sizeof(path), "%s/progs/maps_percpu.bpf.o", bt_build());
	if (!bpfvm_elf_open(path, &elf, &err)) {
		if (bpfvm_obj_load(b.vm, elf, NULL, &other, &err))
			bpfvm_elf_close(elf);
	}
	CHECK(other != NULL);
	if (other) {
		id = bpfvm_prog_id(bpfvm_obj_find_prog(other, "pcpu_add"));
		CHECK(bpfvm_map_update(jmp, &k, &id, BPFVM_ANY) == -EINVAL);
	}
	/* Without its slot, tc_entry falls through. */
	k = 1;
	CHECK(bpfvm_map_delete(jmp, &k) == 0);
	CHECK(bpfvm_map_delete(jmp, &k) == -ENOENT);
	CHECK_U64(bt_xdp(&b, "tc_entry"), BPFVM_XDP_ABORTED);
	k = 0;
	CHECK(bpfvm_map_lookup(bt_map(&b, ".bss"), &k, &st) == 0);
	CHECK_U64(st.entry_runs, 2);
	CHECK_U64(st.leaf_runs, 1);
	CHECK_U64(st.fallthrough, 4);
out:
	bpfvm_obj_free(other);
	bt_close(&b);
}

/* Host mirror of maps_inner's .bss. */
struct probe {
	uint32_t arr_slot;
	uint32_t hash_key;
	int64_t arr_val;
	int64_t hash_val;
	uint32_t flex_key;
	uint32_t pad;
	int64_t flex_val;
};

static struct probe probe_run(struct bt *b, struct probe p)
{
	bpfvm_map *bss = bt_map(b, ".bss");
	uint32_t k = 0;

	CHECK(bpfvm_map_update(bss, &k, &p, BPFVM_ANY) == 0);
	CHECK_U64(bt_xdp(b, "mim_probe"), BPFVM_XDP_PASS);
	CHECK(bpfvm_map_lookup(bss, &k, &p) == 0);
	return p;
}

static int64_t mim_probe(struct bt *b, uint32_t arr_slot, uint32_t hash_key,
			 int64_t *hash_val)
{
	struct probe p = { .arr_slot = arr_slot, .hash_key = hash_key };

	p = probe_run(b, p);
	*hash_val = p.hash_val;
	return p.arr_val;
}

static bpfvm_map *new_map(uint32_t type, uint32_t vsize, uint32_t max,
			  uint32_t flags)
{
	struct bpfvm_map_spec spec = { .type = type,
				       .key_size = 4,
				       .value_size = vsize,
				       .max_entries = max,
				       .map_flags = flags };
	bpfvm_error err = { .insn = -1, .line = -1 };
	bpfvm_map *m = bpfvm_map_new(&spec, &err);

	if (!m)
		fprintf(stderr, "map_new: %s\n", err.msg);
	CHECK(m != NULL);
	return m;
}

static void test_map_in_map(void)
{
	static const struct {
		uint32_t type, vsize, max;
		int arr_rc, hash_rc; /* as an inner map of outer_arr, _hash */
	} inners[] = {
		{ BPFVM_MAP_ARRAY, 8, 4, 0, -EINVAL },
		{ BPFVM_MAP_ARRAY, 8, 8, -EINVAL, -EINVAL }, /* max_entries */
		{ BPFVM_MAP_ARRAY, 4, 4, -EINVAL, -EINVAL }, /* value_size */
		{ BPFVM_MAP_HASH, 8, 8, -EINVAL, 0 },
		{ BPFVM_MAP_HASH, 8, 64, -EINVAL, 0 }, /* size may differ */
		{ BPFVM_MAP_LRU_HASH, 8, 8, -EINVAL, -EINVAL },
	};
	bpfvm_map *oa, *oh, *m;
	uint32_t k, id;
	int64_t hv;
	uint64_t v;
	struct bt b;

	if (bt_open(&b, "maps_inner", true))
		goto out;
	oa = bt_map(&b, "outer_arr");
	oh = bt_map(&b, "outer_hash");
	/* The kernel's slots come from .values; bpfvm's from the host. */
	k = 0;
	id = bt_map_id(&b, "inner_a");
	CHECK(bpfvm_map_update(oa, &k, &id, BPFVM_ANY) == 0);
	k = 1;
	id = bt_map_id(&b, "inner_b");
	CHECK(bpfvm_map_update(oa, &k, &id, BPFVM_ANY) == 0);
	CHECK(bpfvm_map_lookup(oa, &k, &id) == 0 &&
	      id == bt_map_id(&b, "inner_b"));
	k = 3;
	id = bt_map_id(&b, "inner_h");
	CHECK(bpfvm_map_update(oh, &k, &id, BPFVM_NOEXIST) == 0);
	CHECK(bpfvm_map_update(oh, &k, &id, BPFVM_NOEXIST) == -EEXIST);

	k = 1;
	v = 100;
	CHECK(bt_update(&b, "inner_a", &k, &v, BPFVM_ANY) == 0);
	v = 200;
	CHECK(bt_update(&b, "inner_b", &k, &v, BPFVM_ANY) == 0);
	CHECK_U64(bt_xdp(&b, "mim_array"), BPFVM_XDP_PASS);
	CHECK_U64(bt_xdp(&b, "mim_hash"), BPFVM_XDP_PASS);
	CHECK(bt_lookup(&b, "inner_a", &k, &v) == 0 && v == 101);
	k = 2;
	CHECK(bt_lookup(&b, "inner_b", &k, &v) == 0 && v == 201);
	k = 5;
	CHECK(bt_lookup(&b, "inner_h", &k, &v) == 0 && v == 55);

	/* Maps the host made, put in by the id bpfvm_add_map gave. */
	b.bpfvm_only = true;
	for (size_t i = 0; i < ARRAY_SIZE(inners); i++) {
		m = new_map(inners[i].type, inners[i].vsize, inners[i].max, 0);
		if (!m)
			continue;
		id = (uint32_t)bpfvm_add_map(b.vm, m);
		k = 2;
		CHECK_U64(bpfvm_map_update(oa, &k, &id, BPFVM_ANY),
			  inners[i].arr_rc);
		k = 9;
		CHECK_U64(bpfvm_map_update(oh, &k, &id, BPFVM_ANY),
			  inners[i].hash_rc);
		k = 0;
		v = 1000 + i;
		CHECK(bpfvm_map_update(m, &k, &v, BPFVM_ANY) == 0);
		bpfvm_map_unref(m); /* the VM's table keeps it */
	}
	/* outer_arr[2] holds inners[0], outer_hash[9] inners[4]. */
	CHECK_U64(mim_probe(&b, 2, 9, &hv), 1000);
	CHECK_U64(hv, 1004);
	k = 2;
	id = 9999;
	CHECK(bpfvm_map_update(oa, &k, &id, BPFVM_ANY) == -EBADF);
	CHECK(bpfvm_map_update(oh, &k, &id, BPFVM_ANY) == -EBADF);
	id = bt_map_id(&b, "inner_a");
	CHECK(bpfvm_map_update(oa, &k, &id, BPFVM_NOEXIST) == -EINVAL);
	k = 4;
	CHECK(bpfvm_map_update(oa, &k, &id, BPFVM_ANY) == -E2BIG);
	/* Removed from the outer maps: NULL to programs. */
	k = 2;
	CHECK(bpfvm_map_delete(oa, &k) == 0);
	CHECK(bpfvm_map_lookup(oa, &k, &id) == -ENOENT);
	k = 9;
	CHECK(bpfvm_map_delete(oh, &k) == 0);
	CHECK(bpfvm_map_delete(oh, &k) == -ENOENT);
	CHECK_U64(mim_probe(&b, 2, 9, &hv), -1);
	CHECK_U64(hv, -1);
	/* inner_a at slot 0 still answers. */
	CHECK_U64(mim_probe(&b, 0, 3, &hv), 0);
	CHECK_U64(hv, -2);

	/* With BPF_F_INNER_MAP, an inner array of another size fits
	 * (array_map_meta_equal), and lookups use its own size; the flags
	 * must still be the same. */
	static const struct {
		uint32_t max, flags;
		int rc;
	} flex[] = {
		{ 16, BPFVM_F_INNER_MAP, 0 },
		{ 4, 0, -EINVAL },
		{ 2, BPFVM_F_INNER_MAP, 0 },
	};
	bpfvm_map *of = bt_map(&b, "outer_flex");
	struct probe p = { .flex_key = 10 };
	for (size_t i = 0; i < ARRAY_SIZE(flex); i++) {
		m = new_map(BPFVM_MAP_ARRAY, 8, flex[i].max, flex[i].flags);
		if (!m)
			continue;
		id = (uint32_t)bpfvm_add_map(b.vm, m);
		k = 10;
		v = 77 + i;
		if (flex[i].max > 10)
			CHECK(bpfvm_map_update(m, &k, &v, BPFVM_ANY) == 0);
		k = 0;
		CHECK_U64(bpfvm_map_update(of, &k, &id, BPFVM_ANY), flex[i].rc);
		bpfvm_map_unref(m);
		if (i == 0)
			CHECK_U64(probe_run(&b, p).flex_val, 77);
	}
	CHECK_U64(probe_run(&b, p).flex_val, -2); /* 2 entries: no [10] */
out:
	bt_close(&b);
}

/* struct bpf_devmap_val */
struct devmap_val {
	uint32_t ifindex;
	uint32_t prog;
};

static void test_devmap(void)
{
	struct devmap_val lo = { .ifindex = 1 }, got;
	bpfvm_map *dm, *dh;
	struct bt b;
	uint32_t k;

	if (bt_open(&b, "maps_devmap", true))
		goto out;
	dm = bt_map(&b, "devmap");
	dh = bt_map(&b, "devhash");
	k = 1;
	CHECK(bt_update(&b, "devmap", &k, &lo, BPFVM_ANY) == 0);
	k = 7;
	CHECK(bt_update(&b, "devhash", &k, &lo, BPFVM_NOEXIST) == 0);
	CHECK(bt_lookup(&b, "devhash", &k, &got) == 0 && got.ifindex == 1);

	CHECK_U64(bt_xdp(&b, "redir_dev"), BPFVM_XDP_REDIRECT);
	CHECK_U64(b.buf->redirect_ifindex, 1);
	CHECK(b.buf->redirect_map == dm);
	CHECK_U64(bt_xdp(&b, "redir_hash"), BPFVM_XDP_REDIRECT);
	CHECK(b.buf->redirect_map == dh);
	CHECK_U64(bt_xdp(&b, "redir_miss"), BPFVM_XDP_DROP);
	CHECK(b.buf->redirect_map == NULL);
	CHECK_U64(bt_xdp(&b, "redir_plain"), BPFVM_XDP_REDIRECT);
	CHECK_U64(bt_xdp(&b, "redir_ifindex"), BPFVM_XDP_REDIRECT);
	CHECK_U64(b.buf->redirect_ifindex, 1);
	CHECK(b.buf->redirect_map == NULL);

	/* Host codes (dev_map_update_elem, dev_map_hash_update_elem). */
	b.bpfvm_only = true;
	k = 1;
	CHECK(bpfvm_map_update(dm, &k, &lo, BPFVM_NOEXIST) == -EEXIST);
	k = 4;
	CHECK(bpfvm_map_update(dm, &k, &lo, BPFVM_ANY) == -E2BIG);
	k = 2;
	CHECK(bpfvm_map_lookup(dm, &k, &got) == -ENOENT);
	k = 7;
	CHECK(bpfvm_map_update(dh, &k, &lo, BPFVM_NOEXIST) == -EEXIST);
	for (k = 20; k < 23; k++)
		CHECK(bpfvm_map_update(dh, &k, &lo, BPFVM_ANY) == 0);
	CHECK(bpfvm_map_update(dh, &k, &lo, BPFVM_ANY) == -E2BIG);
	CHECK(bpfvm_map_delete(dh, &k) == -ENOENT);
	k = 7;
	CHECK(bpfvm_map_delete(dh, &k) == 0);
	k = 1;
	CHECK(bpfvm_map_delete(dm, &k) == 0);
	CHECK(bpfvm_map_lookup(dm, &k, &got) == -ENOENT);
	CHECK_U64(bt_xdp(&b, "redir_plain"), BPFVM_XDP_PASS);
out:
	bt_close(&b);
}

/* Every map type bpfvm has is used by some test object. */
static void map_types(const bpfvm_elf *elf, void *ctx)
{
	bool *used = ctx;

	for (size_t i = 0; i < bpfvm_elf_nmaps(elf); i++) {
		const struct bpfvm_elf_map *m = bpfvm_elf_map(elf, i);

		if (m->spec.type < 64)
			used[m->spec.type] = true;
		if (m->has_inner && m->inner.type < 64)
			used[m->inner.type] = true;
	}
}

static void test_map_coverage(void)
{
	static const uint32_t types[] = {
		BPFVM_MAP_HASH,
		BPFVM_MAP_ARRAY,
		BPFVM_MAP_PROG_ARRAY,
		BPFVM_MAP_PERCPU_HASH,
		BPFVM_MAP_PERCPU_ARRAY,
		BPFVM_MAP_LRU_HASH,
		BPFVM_MAP_LRU_PERCPU_HASH,
		BPFVM_MAP_LPM_TRIE,
		BPFVM_MAP_ARRAY_OF_MAPS,
		BPFVM_MAP_HASH_OF_MAPS,
		BPFVM_MAP_DEVMAP,
		BPFVM_MAP_QUEUE,
		BPFVM_MAP_STACK,
		BPFVM_MAP_DEVMAP_HASH,
		BPFVM_MAP_RINGBUF,
	};
	bool used[64] = { false };

	bt_for_each_object(map_types, used);
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		check_count++;
		if (!used[types[i]]) {
			check_failures++;
			fprintf(stderr, "map type %u: no test object has one\n",
				types[i]);
		}
	}
	/* And nothing else: a type bpfvm adds needs a test here. */
	for (uint32_t t = 1; t < 64; t++) {
		struct bpfvm_map_spec spec = { .type = t };
		bpfvm_error err = { .insn = -1, .line = -1 };
		bool listed = false;

		for (size_t i = 0; i < ARRAY_SIZE(types); i++)
			listed |= types[i] == t;
		if (listed || (bpfvm_map_check_spec(&spec, &err) &&
			       strstr(err.msg, "is not supported")))
			continue;
		check_count++;
		check_failures++;
		fprintf(stderr, "map type %u is accepted but not tested\n", t);
	}
}

int main(void)
{
	test_basic();
	test_percpu();
	test_lru();
	test_lpm();
	test_queue_stack();
	test_ringbuf();
	test_tailcall();
	test_map_in_map();
	test_devmap();
	test_map_coverage();
	DONE();
}
