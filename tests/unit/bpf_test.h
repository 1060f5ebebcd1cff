/* SPDX-License-Identifier: MIT */
/*
 * Running the BPF C test objects (tests/bpf, built into $BUILD/progs) in
 * bpfvm and, for XDP programs, in the kernel (BPF_PROG_TEST_RUN of the
 * same object loaded through libbpf), and checking what they recorded.
 *
 * Test programs check themselves with EXPECT/RECORD/NOTE
 * (tests/bpf/expect.h): records in the `results` map. bt_run runs one
 * program in bpfvm and, when the kernel side is open and the program is
 * an XDP program, in the kernel; then every record of each side must
 * hold (got == want) and the two sides must agree record for record, in
 * return value and in the packet left behind. The records are cleared
 * after each run.
 *
 * The kernel side is opened when bpf(2) can load programs and the test
 * does not run under valgrind (which does not model what bpf(2) writes);
 * otherwise the reason is printed once and only bpfvm runs.
 */
#ifndef BPFVM_TEST_BPF_TEST_H
#define BPFVM_TEST_BPF_TEST_H

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/bpfvm.h"
#include "bpfvm/kernel.h"
#include "bpfvm/object.h"
#include "check.h"

/* tests/bpf/expect.h, host side. */
#define BT_MAX_RECS 128
enum { BT_EXPECT = 0, BT_RECORD = 1, BT_NOTE = 2 };

struct bt_rec {
	int64_t got;
	int64_t want;
	uint32_t line;
	uint32_t kind;
};

struct bt_results {
	uint32_t n;
	uint32_t pad;
	struct bt_rec r[BT_MAX_RECS];
};

struct bt {
	char name[64];
	bpfvm *vm;
	bpfvm_obj *obj;
	bpfvm_xdp_buff *buf;
	bpfvm_kobj *kobj;	     /* NULL: bpfvm only */
	bool bpfvm_only;	     /* set: bt_run leaves the kernel out */
	uint64_t ret;		     /* bpfvm's return value of the last run */
	uint32_t kret;		     /* the kernel's */
	struct bt_results res, kres; /* the last run's records */
	uint8_t kout[4096];	     /* the kernel's packet after the run */
	size_t kout_len;
};

static inline bool bt_kernel_ok(char *why, size_t len)
{
	const char *preload = getenv("LD_PRELOAD");

	if (getenv("BPFVM_TEST_NO_KERNEL")) {
		snprintf(why, len, "BPFVM_TEST_NO_KERNEL is set");
		return false;
	}
	if (preload && strstr(preload, "vgpreload")) {
		snprintf(why, len, "valgrind does not model bpf(2)");
		return false;
	}
	return bpfvm_kernel_available(why, len);
}

/* Whether the kernel side is used in this process, said once. */
static inline bool bt_kernel(void)
{
	static int state = -1;
	char why[256];

	if (state < 0) {
		state = bt_kernel_ok(why, sizeof(why));
		if (state)
			printf("kernel: comparing with the running kernel\n");
		else
			printf("kernel: comparison skipped: %s\n", why);
	}
	return state;
}

static inline const char *bt_build(void)
{
	const char *build = getenv("BUILD");

	return build ? build : ".";
}

/* Load $BUILD/progs/NAME.bpf.o into a fresh VM (helpers registered) and,
 * with kernel and bt_kernel(), into the kernel. 0 or -1 (reported). */
static inline int bt_open(struct bt *b, const char *name, bool kernel)
{
	bpfvm_error err = { .insn = -1, .line = -1 };
	char path[512];
	bpfvm_elf *elf;

	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "%s", name);
	snprintf(path, sizeof(path), "%s/progs/%s.bpf.o", bt_build(), name);
	b->vm = bpfvm_new();
	b->buf = bpfvm_xdp_buff_new();
	CHECK(b->vm && b->buf);
	if (!b->vm || !b->buf || bpfvm_register_kernel_helpers(b->vm))
		return -1;
	if (bpfvm_elf_open(path, &elf, &err)) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		CHECK(!"the object opens");
		return -1;
	}
	if (bpfvm_obj_load(b->vm, elf, NULL, &b->obj, &err)) {
		fprintf(stderr, "%s: bpfvm: %s\n", path, err.msg);
		bpfvm_elf_close(elf);
		CHECK(!"bpfvm loads the object");
		return -1;
	}
	if (kernel && bt_kernel() && bpfvm_kernel_load(path, &b->kobj, &err)) {
		fprintf(stderr, "%s: kernel: %s\n", path, err.msg);
		CHECK(!"the kernel loads the object");
	}
	return 0;
}

static inline void bt_close(struct bt *b)
{
	bpfvm_kernel_close(b->kobj);
	bpfvm_obj_free(b->obj);
	bpfvm_xdp_buff_free(b->buf);
	bpfvm_free(b->vm);
	memset(b, 0, sizeof(*b));
}

static inline bpfvm_map *bt_map(struct bt *b, const char *name)
{
	bpfvm_map *m = bpfvm_obj_map_named(b->obj, name);

	if (!m) {
		fprintf(stderr, "%s: no map '%s'\n", b->name, name);
		CHECK(!"the map exists");
	}
	return m;
}

/* The id bpfvm gave the object's map name (for map-in-map values). */
static inline uint32_t bt_map_id(struct bt *b, const char *name)
{
	const bpfvm_elf *elf = bpfvm_obj_elf(b->obj);

	for (size_t i = 0; i < bpfvm_obj_nmaps(b->obj); i++) {
		const char *n = bpfvm_elf_map(elf, i)->spec.name;
		if (n && !strcmp(n, name))
			return bpfvm_obj_map_id(b->obj, i);
	}
	fprintf(stderr, "%s: no map '%s'\n", b->name, name);
	CHECK(!"the map exists");
	return 0;
}

static inline bpfvm_prog *bt_prog(struct bt *b, const char *name)
{
	bpfvm_prog *p = bpfvm_obj_find_prog(b->obj, name);

	if (!p) {
		fprintf(stderr, "%s: no program '%s'\n", b->name, name);
		CHECK(!"the program exists");
	}
	return p;
}

/* Copy out and clear one side's records. */
static inline void bt_take_results(struct bt *b, bool kernel,
				   struct bt_results *r)
{
	static const struct bt_results zero;
	bpfvm_error err = { .insn = -1, .line = -1 };
	uint32_t k = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	if (kernel) {
		rc = bpfvm_kernel_map_lookup(b->kobj, "results", &k, r,
					     sizeof(*r), &err);
		if (!rc)
			rc = bpfvm_kernel_map_update(b->kobj, "results", &k,
						     &zero, sizeof(zero), 0,
						     &err);
	} else {
		bpfvm_map *m = bt_map(b, "results");
		rc = m ? bpfvm_map_lookup(m, &k, r) : -1;
		if (!rc)
			rc = bpfvm_map_update(m, &k, &zero, 0);
	}
	if (rc) {
		fprintf(stderr, "%s: %s: cannot read the results: %s\n",
			b->name, kernel ? "kernel" : "bpfvm", err.msg);
		CHECK(!"the results can be read");
	}
	if (r->n > BT_MAX_RECS)
		r->n = BT_MAX_RECS;
}

/* Every expectation of one side's records. */
static inline void bt_check_side(struct bt *b, const char *prog,
				 const char *side, const struct bt_results *r)
{
	for (uint32_t i = 0; i < r->n; i++) {
		const struct bt_rec *x = &r->r[i];

		if (x->kind != BT_EXPECT)
			continue;
		check_count++;
		if (x->got == x->want)
			continue;
		check_failures++;
		fprintf(stderr,
			"%s: %s.bpf.c:%u (%s): got %" PRId64 " (0x%" PRIx64
			"), expected %" PRId64 "\n",
			side, b->name, x->line, prog, x->got, (uint64_t)x->got,
			x->want);
	}
}

/* bpfvm's records against the kernel's. */
static inline void bt_compare(struct bt *b, const char *prog)
{
	const struct bt_results *v = &b->res, *k = &b->kres;

	check_count++;
	if (v->n != k->n) {
		check_failures++;
		fprintf(stderr,
			"%s (%s): bpfvm made %u records, the kernel %u\n",
			b->name, prog, v->n, k->n);
	}
	for (uint32_t i = 0; i < v->n && i < k->n; i++) {
		const struct bt_rec *x = &v->r[i], *y = &k->r[i];

		if (x->kind == BT_NOTE)
			continue;
		check_count++;
		if (x->line == y->line && x->got == y->got)
			continue;
		check_failures++;
		fprintf(stderr,
			"%s.bpf.c:%u (%s): bpfvm got %" PRId64
			", the kernel %" PRId64 " (line %u)\n",
			b->name, x->line, prog, x->got, y->got, y->line);
	}
}

/*
 * Run prog on ctx: an XDP program on a packet (ifindex 1, queue 0, as
 * BPF_PROG_TEST_RUN runs it), other programs on raw memory (ctx is
 * written back). The kernel runs XDP programs too. Returns bpfvm's
 * return value (also in b->ret); ~0 when the run failed.
 */
static inline uint64_t bt_run(struct bt *b, const char *name, void *ctx,
			      size_t len)
{
	bpfvm_error err = { .insn = -1, .line = -1 };
	bpfvm_prog *prog = bt_prog(b, name);
	bool xdp;
	int rc;

	b->ret = ~0ull;
	if (!prog)
		return b->ret;
	xdp = bpfvm_prog_get_type(prog) == BPFVM_PROG_XDP;
	if (xdp)
		rc = bpfvm_xdp_buff_set(b->buf, ctx, len, 1, 0) ||
		     bpfvm_run_xdp(prog, b->buf, &b->ret, &err);
	else
		rc = bpfvm_run(prog, ctx, len, &b->ret, &err);
	if (rc) {
		fprintf(stderr, "%s (%s): bpfvm run failed: insn %d: %s\n",
			b->name, name, err.insn, err.msg);
		CHECK(!"the program runs");
		b->ret = ~0ull;
	}
	bt_take_results(b, false, &b->res);
	bt_check_side(b, name, "bpfvm", &b->res);
	if (!xdp || !b->kobj || b->bpfvm_only)
		return b->ret;

	b->kout_len = sizeof(b->kout);
	if (bpfvm_kernel_test_run(b->kobj, name, ctx, len, b->kout,
				  &b->kout_len, &b->kret, 1, NULL, &err)) {
		fprintf(stderr, "%s (%s): kernel: %s\n", b->name, name,
			err.msg);
		CHECK(!"the kernel runs the program");
		return b->ret;
	}
	bt_take_results(b, true, &b->kres);
	bt_check_side(b, name, "kernel", &b->kres);
	bt_compare(b, name);
	check_count++;
	if (b->kret != b->ret) {
		check_failures++;
		fprintf(stderr,
			"%s (%s): bpfvm returned %" PRIu64 ", the kernel %u\n",
			b->name, name, b->ret, b->kret);
	}
	/* BPF_PROG_TEST_RUN gives [data_meta, data_end). */
	const uint8_t *out = (const uint8_t *)(uintptr_t)b->buf->md.data_meta;
	size_t out_len = b->buf->md.data_end - b->buf->md.data_meta;
	check_count++;
	if (out_len != b->kout_len || memcmp(out, b->kout, out_len)) {
		check_failures++;
		fprintf(stderr,
			"%s (%s): bpfvm left %zu packet bytes, the "
			"kernel %zu, or different ones\n",
			b->name, name, out_len, b->kout_len);
	}
	return b->ret;
}

/* The value of record number i of the last bpfvm run (NOTEs too). */
static inline int64_t bt_rec_got(const struct bt *b, uint32_t i)
{
	return i < b->res.n ? b->res.r[i].got : INT64_MIN;
}

/* Host update on both sides; returns bpfvm's code, checks that the
 * kernel agrees on success. */
static inline int bt_update(struct bt *b, const char *map, const void *key,
			    const void *value, uint64_t flags)
{
	bpfvm_error err = { .insn = -1, .line = -1 };
	bpfvm_map *m = bt_map(b, map);
	int rc = m ? bpfvm_map_update(m, key, value, flags) : -EINVAL;

	if (b->kobj && !b->bpfvm_only && m) {
		int krc = bpfvm_kernel_map_update(b->kobj, map, key, value,
						  bpfvm_map_host_value_size(m),
						  flags, &err);
		check_count++;
		if ((rc == 0) != (krc == 0)) {
			check_failures++;
			fprintf(stderr,
				"%s: update of '%s': bpfvm %d, kernel "
				"%s\n",
				b->name, map, rc, krc ? err.msg : "0");
		}
	}
	return rc;
}

/* Host lookup on both sides into value (bpfvm's); returns bpfvm's code,
 * checks that the kernel gives the same code and bytes. */
static inline int bt_lookup(struct bt *b, const char *map, const void *key,
			    void *value)
{
	bpfvm_error err = { .insn = -1, .line = -1 };
	bpfvm_map *m = bt_map(b, map);
	size_t size = m ? bpfvm_map_host_value_size(m) : 0;
	int rc = m ? bpfvm_map_lookup(m, key, value) : -EINVAL;

	if (b->kobj && !b->bpfvm_only && m && size <= sizeof(b->kout)) {
		int krc = bpfvm_kernel_map_lookup(b->kobj, map, key, b->kout,
						  size, &err);
		check_count++;
		if (rc != krc || (!rc && memcmp(value, b->kout, size))) {
			check_failures++;
			fprintf(stderr,
				"%s: lookup in '%s': bpfvm %d, kernel "
				"%d, or different values\n",
				b->name, map, rc, krc);
		}
	}
	return rc;
}

/* A UDP/IPv4 packet, 64 bytes, with a valid IPv4 header checksum. */
static inline size_t bt_packet(uint8_t *pkt)
{
	static const uint8_t hdr[] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0x02, /* dst */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* src */
		0x08, 0x00,			    /* IPv4 */
		0x45, 0x00, 0x00, 0x32, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11,
		0x00, 0x00, 10,	  1,	2,    3,    10,	  9,	8,    7,
		0x30, 0x39, 0x00, 0x35, 0x00, 0x1e, 0x00, 0x00, /* UDP */
	};
	uint32_t sum = 0;

	memset(pkt, 0, 64);
	memcpy(pkt, hdr, sizeof(hdr));
	for (int i = 14; i < 34; i += 2)
		sum += (uint32_t)pkt[i] << 8 | pkt[i + 1];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	pkt[24] = (uint8_t)(~sum >> 8);
	pkt[25] = (uint8_t)~sum;
	for (int i = 42; i < 64; i++)
		pkt[i] = (uint8_t)i;
	return 64;
}

/* Run an XDP program on the standard packet. */
static inline uint64_t bt_xdp(struct bt *b, const char *name)
{
	uint8_t pkt[64];
	size_t len = bt_packet(pkt);

	return bt_run(b, name, pkt, len);
}

/* Call fn on every test object ($BUILD/progs/maps_*.bpf.o,
 * helpers_*.bpf.o, threads.bpf.o); returns how many there were, and
 * checks that there are all of them. */
#define BT_OBJECTS 16
static inline unsigned
bt_for_each_object(void (*fn)(const bpfvm_elf *elf, void *ctx), void *ctx)
{
	char path[1024];
	unsigned objects = 0;
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/progs", bt_build());
	dir = opendir(path);
	CHECK(dir != NULL);
	while (dir && (d = readdir(dir))) {
		bpfvm_error err = { .insn = -1, .line = -1 };
		size_t n = strlen(d->d_name);
		bpfvm_elf *elf;

		if (n < 7 || strcmp(d->d_name + n - 6, ".bpf.o") ||
		    (strncmp(d->d_name, "maps_", 5) &&
		     strncmp(d->d_name, "helpers_", 8) &&
		     strcmp(d->d_name, "threads.bpf.o")))
			continue;
		snprintf(path, sizeof(path), "%s/progs/%s", bt_build(),
			 d->d_name);
		if (bpfvm_elf_open(path, &elf, &err)) {
			fprintf(stderr, "%s: %s\n", path, err.msg);
			CHECK(!"the object opens");
			continue;
		}
		objects++;
		fn(elf, ctx);
		bpfvm_elf_close(elf);
	}
	if (dir)
		closedir(dir);
	CHECK_U64(objects, BT_OBJECTS);
	return objects;
}

#endif
