/* SPDX-License-Identifier: MIT */
/*
 * The maps that hold objects by id: PROG_ARRAY (ids through a test
 * resolver, bpfvm_map_prog_at for tail calls), ARRAY_OF_MAPS and
 * HASH_OF_MAPS (inner spec checks, references held until removal and the
 * last unref), DEVMAP and DEVMAP_HASH values.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/maps.h"
#include "check.h"
#include "maps/map_internal.h" /* to watch reference counts */

/* The test's VM: ids 1..7 of programs and of maps. */
struct owner {
	int progs[8];
	bpfvm_map *maps[8];
};

static void *resolve(void *arg, uint32_t kind, uint32_t id)
{
	struct owner *o = arg;

	if (id == 0 || id >= 8)
		return NULL;
	if (kind == BPFVM_OBJ_PROG)
		return o->progs[id] ? &o->progs[id] : NULL;
	if (kind == BPFVM_OBJ_MAP)
		return o->maps[id];
	return NULL;
}

static bpfvm_map *mk(const struct bpfvm_map_spec *spec)
{
	bpfvm_error err = { 0 };
	bpfvm_map *map = bpfvm_map_new(spec, &err);

	if (!map)
		fprintf(stderr, "map_new: %s\n", err.msg);
	return map;
}

static void test_prog_array(void)
{
	struct bpfvm_map_spec spec = { .type = BPFVM_MAP_PROG_ARRAY,
				       .key_size = 4,
				       .value_size = 4,
				       .max_entries = 4 };
	struct owner o = { .progs = { [1] = 1, [2] = 1 } };
	bpfvm_map *pa = mk(&spec);
	uint32_t k = 1, id = 2, out, next;

	if (!pa)
		return;
	/* No resolver: no id means anything (the kernel's bad fd). */
	CHECK(bpfvm_map_update(pa, &k, &id, 0) == -EBADF);
	bpfvm_map_set_object_resolver(pa, resolve, &o);
	CHECK(bpfvm_map_update(pa, &k, &id, 0) == 0);
	CHECK(bpfvm_map_prog_at(pa, 1) == &o.progs[2]);
	CHECK(bpfvm_map_prog_at(pa, 0) == NULL);
	CHECK(bpfvm_map_prog_at(pa, 4) == NULL);
	CHECK(bpfvm_map_lookup(pa, &k, &out) == 0 && out == 2);
	k = 0;
	CHECK(bpfvm_map_lookup(pa, &k, &out) == -ENOENT);
	id = 3;
	CHECK(bpfvm_map_update(pa, &k, &id, 0) == -EBADF);
	id = 1;
	CHECK(bpfvm_map_update(pa, &k, &id, BPFVM_NOEXIST) == -EINVAL);
	CHECK(bpfvm_map_update(pa, &k, &id, BPFVM_EXIST) == -EINVAL);
	k = 4;
	CHECK(bpfvm_map_update(pa, &k, &id, 0) == -E2BIG);
	CHECK(bpfvm_map_delete(pa, &k) == -E2BIG);
	k = 0;
	CHECK(bpfvm_map_update(pa, &k, &id, 0) == 0);
	CHECK(bpfvm_map_prog_at(pa, 0) == &o.progs[1]);
	CHECK(bpfvm_map_delete(pa, &k) == 0);
	CHECK(bpfvm_map_delete(pa, &k) == -ENOENT);
	CHECK(bpfvm_map_prog_at(pa, 0) == NULL);
	/* Programs only tail-call through it. */
	CHECK(bpfvm_map_lookup_elem(pa, &k) == NULL);
	CHECK(bpfvm_map_update_elem(pa, &k, &id, 0) == -EINVAL);
	CHECK(bpfvm_map_delete_elem(pa, &k) == -EINVAL);
	CHECK(bpfvm_map_get_next_key(pa, NULL, &next) == 0 && next == 0);
	CHECK(bpfvm_map_prog_at(NULL, 0) == NULL);
	bpfvm_map_unref(pa);
}

static const struct bpfvm_map_spec inner_arr = { .type = BPFVM_MAP_ARRAY,
						 .key_size = 4,
						 .value_size = 8,
						 .max_entries = 4 };

/* map-in-map over either outer type. */
static void map_in_map(uint32_t outer_type)
{
	struct bpfvm_map_spec ospec = { .type = outer_type,
					.key_size = 4,
					.value_size = 4,
					.max_entries = 4,
					.inner = &inner_arr };
	struct bpfvm_map_spec other = inner_arr, hs = { .type = BPFVM_MAP_HASH,
							.key_size = 4,
							.value_size = 8,
							.max_entries = 4 };
	struct owner o = { 0 };
	bpfvm_map *outer = mk(&ospec), *in1, *in2, *wrong, *wrong2;
	uint32_t k = 2, id, zero = 0;
	uint64_t v = 99, *p;

	other.max_entries = 8;
	in1 = mk(&inner_arr);
	in2 = mk(&inner_arr);
	wrong = mk(&other);
	wrong2 = mk(&hs);
	if (!outer || !in1 || !in2 || !wrong || !wrong2)
		return;
	CHECK(bpfvm_map_get_spec(outer)->inner != NULL &&
	      bpfvm_map_get_spec(outer)->inner->max_entries == 4);
	o.maps[1] = in1;
	o.maps[2] = in2;
	o.maps[3] = wrong;
	o.maps[4] = wrong2;
	bpfvm_map_set_object_resolver(outer, resolve, &o);

	id = 3; /* another max_entries */
	CHECK(bpfvm_map_update(outer, &k, &id, 0) == -EINVAL);
	id = 4; /* another type */
	CHECK(bpfvm_map_update(outer, &k, &id, 0) == -EINVAL);
	id = 5; /* nothing */
	CHECK(bpfvm_map_update(outer, &k, &id, 0) == -EBADF);
	id = 1;
	CHECK(bpfvm_map_update(outer, &k, &id, 0) == 0);
	CHECK_U64(in1->refcnt, 2);
	CHECK(bpfvm_map_lookup_elem(outer, &k) == in1);
	CHECK(bpfvm_map_lookup(outer, &k, &id) == 0 && id == 1);
	k = 3;
	CHECK(bpfvm_map_lookup_elem(outer, &k) == NULL);
	CHECK(bpfvm_map_lookup(outer, &k, &id) == -ENOENT);

	/* The test lets go of in1: the outer map keeps it alive. */
	o.maps[1] = NULL;
	bpfvm_map_unref(in1);
	CHECK_U64(in1->refcnt, 1);
	k = 2;
	CHECK(bpfvm_map_update_elem(bpfvm_map_lookup_elem(outer, &k), &zero, &v,
				    0) == 0);
	p = bpfvm_map_lookup_elem(bpfvm_map_lookup_elem(outer, &k), &zero);
	CHECK(p && *p == 99);

	/* Replacing in1 drops the last reference (ASan/valgrind see the
	 * free); in2 is then held twice. */
	id = 2;
	CHECK(bpfvm_map_update(outer, &k, &id, 0) == 0);
	CHECK(bpfvm_map_lookup_elem(outer, &k) == in2);
	CHECK_U64(in2->refcnt, 2);
	k = 1;
	CHECK(bpfvm_map_update(outer, &k, &id, 0) == 0);
	CHECK_U64(in2->refcnt, 3);
	CHECK(bpfvm_map_delete(outer, &k) == 0);
	CHECK(bpfvm_map_delete(outer, &k) == -ENOENT);
	CHECK_U64(in2->refcnt, 2);
	if (outer_type == BPFVM_MAP_HASH_OF_MAPS) {
		k = 7;
		CHECK(bpfvm_map_update(outer, &k, &id, BPFVM_EXIST) == -ENOENT);
		CHECK(bpfvm_map_update(outer, &k, &id, BPFVM_NOEXIST) == 0);
		CHECK(bpfvm_map_update(outer, &k, &id, BPFVM_NOEXIST) ==
		      -EEXIST);
		CHECK_U64(in2->refcnt, 3);
	} else {
		CHECK(bpfvm_map_update(outer, &k, &id, BPFVM_NOEXIST) ==
		      -EINVAL);
	}
	/* Programs only look up. */
	CHECK(bpfvm_map_update_elem(outer, &k, &id, 0) == -EINVAL);
	CHECK(bpfvm_map_delete_elem(outer, &k) == -EINVAL);
	CHECK(bpfvm_map_for_each(outer, NULL, NULL) == -EINVAL);

	/* Freeing the outer map lets go of what it holds. */
	bpfvm_map_unref(outer);
	CHECK_U64(in2->refcnt, 1);
	bpfvm_map_unref(in2);
	bpfvm_map_unref(wrong);
	bpfvm_map_unref(wrong2);
}

/* BPF_F_INNER_MAP: arrays of any size fit. Hash inner maps never compare
 * max_entries (bpf_map_meta_equal). */
static void inner_sizes(void)
{
	struct bpfvm_map_spec in = inner_arr, big = inner_arr;
	struct bpfvm_map_spec hin = { .type = BPFVM_MAP_HASH,
				      .key_size = 4,
				      .value_size = 8,
				      .max_entries = 4 };
	struct bpfvm_map_spec hbig = hin;
	struct owner o = { 0 };
	uint32_t k = 0, id = 1;

	in.map_flags = BPFVM_F_INNER_MAP;
	big.map_flags = BPFVM_F_INNER_MAP;
	big.max_entries = 100;
	hbig.max_entries = 100;
	struct bpfvm_map_spec os = { .type = BPFVM_MAP_ARRAY_OF_MAPS,
				     .key_size = 4,
				     .value_size = 4,
				     .max_entries = 2,
				     .inner = &in };
	struct bpfvm_map_spec hos = os;

	hos.inner = &hin;
	bpfvm_map *outer = mk(&os), *houter = mk(&hos);
	bpfvm_map *m = mk(&big), *hm = mk(&hbig), *noflag = mk(&inner_arr);

	if (!outer || !houter || !m || !hm || !noflag)
		return;
	o.maps[1] = m;
	o.maps[2] = hm;
	o.maps[3] = noflag;
	bpfvm_map_set_object_resolver(outer, resolve, &o);
	bpfvm_map_set_object_resolver(houter, resolve, &o);
	CHECK(bpfvm_map_update(outer, &k, &id, 0) == 0);
	id = 3; /* the flags differ */
	CHECK(bpfvm_map_update(outer, &k, &id, 0) == -EINVAL);
	id = 2;
	CHECK(bpfvm_map_update(houter, &k, &id, 0) == 0);
	bpfvm_map_unref(outer);
	bpfvm_map_unref(houter);
	bpfvm_map_unref(m);
	bpfvm_map_unref(hm);
	bpfvm_map_unref(noflag);
}

/* HASH_OF_MAPS replacing in place (no spare element): the old inner map
 * is still let go of. */
static void hom_in_place(void)
{
	struct bpfvm_map_spec os = { .type = BPFVM_MAP_HASH_OF_MAPS,
				     .key_size = 4,
				     .value_size = 4,
				     .max_entries = 2,
				     .inner = &inner_arr };
	struct owner o = { 0 };
	bpfvm_map *outer = mk(&os), *a = mk(&inner_arr), *b = mk(&inner_arr);
	uint32_t k = 0, id = 1;

	if (!outer || !a || !b)
		return;
	o.maps[1] = a;
	o.maps[2] = b;
	bpfvm_map_set_object_resolver(outer, resolve, &o);
	CHECK(bpfvm_map_update(outer, &k, &id, 0) == 0);
	((struct htab *)outer)->spares = 0;
	id = 2;
	CHECK(bpfvm_map_update(outer, &k, &id, BPFVM_EXIST) == 0);
	CHECK(bpfvm_map_lookup_elem(outer, &k) == b);
	CHECK_U64(a->refcnt, 1);
	CHECK_U64(b->refcnt, 2);
	CHECK(bpfvm_map_lookup(outer, &k, &id) == 0 && id == 2);
	bpfvm_map_unref(outer);
	CHECK_U64(b->refcnt, 1);
	bpfvm_map_unref(a);
	bpfvm_map_unref(b);
}

struct devval {
	uint32_t ifindex, prog;
};

static void test_devmap(void)
{
	struct bpfvm_map_spec s8 = { .type = BPFVM_MAP_DEVMAP,
				     .key_size = 4,
				     .value_size = 8,
				     .max_entries = 4 };
	struct bpfvm_map_spec s4 = s8;
	struct owner o = { .progs = { [5] = 1 } };
	bpfvm_map *dm8, *dm4;
	struct devval v, out;
	uint32_t k = 1, ifi = 3, out4, next;
	const struct devval *p;

	s4.value_size = 4;
	dm8 = mk(&s8);
	dm4 = mk(&s4);
	if (!dm8 || !dm4)
		return;
	CHECK(bpfvm_map_get_spec(dm8)->map_flags & BPFVM_F_RDONLY_PROG);
	bpfvm_map_set_object_resolver(dm8, resolve, &o);
	CHECK(bpfvm_map_lookup_elem(dm8, &k) == NULL);
	CHECK(bpfvm_map_lookup(dm8, &k, &out) == -ENOENT);
	v = (struct devval){ 7, 0 };
	CHECK(bpfvm_map_update(dm8, &k, &v, 0) == 0);
	p = bpfvm_map_lookup_elem(dm8, &k);
	CHECK(p && p->ifindex == 7 && p->prog == 0);
	v = (struct devval){ 8, 5 };
	CHECK(bpfvm_map_update(dm8, &k, &v, BPFVM_EXIST) == 0);
	CHECK(bpfvm_map_lookup(dm8, &k, &out) == 0 && out.ifindex == 8 &&
	      out.prog == 5);
	v = (struct devval){ 8, 6 }; /* an unknown program */
	CHECK(bpfvm_map_update(dm8, &k, &v, 0) == -EINVAL);
	v = (struct devval){ 8, UINT32_MAX }; /* fd -1: none */
	CHECK(bpfvm_map_update(dm8, &k, &v, 0) == 0);
	CHECK(bpfvm_map_lookup(dm8, &k, &out) == 0 && out.prog == 0);
	v = (struct devval){ 0, 5 };
	CHECK(bpfvm_map_update(dm8, &k, &v, 0) == -EINVAL);
	CHECK(bpfvm_map_update(dm8, &k, &v, BPFVM_NOEXIST) == -EEXIST);
	CHECK(bpfvm_map_update(dm8, &k, &v, BPFVM_F_LOCK) == -EINVAL);
	v = (struct devval){ 0, 0 }; /* ifindex 0 empties the slot */
	CHECK(bpfvm_map_update(dm8, &k, &v, 0) == 0);
	CHECK(bpfvm_map_lookup_elem(dm8, &k) == NULL);
	k = 4;
	CHECK(bpfvm_map_update(dm8, &k, &v, 0) == -E2BIG);
	CHECK(bpfvm_map_delete(dm8, &k) == -EINVAL);
	k = 2;
	CHECK(bpfvm_map_delete(dm8, &k) == 0); /* empty is fine */
	CHECK(bpfvm_map_update_elem(dm8, &k, &v, 0) == -EINVAL);
	CHECK(bpfvm_map_get_next_key(dm8, &k, &next) == 0 && next == 3);

	/* value_size 4: the ifindex alone. */
	CHECK(bpfvm_map_update(dm4, &k, &ifi, 0) == 0);
	CHECK(bpfvm_map_lookup(dm4, &k, &out4) == 0 && out4 == 3);
	CHECK(bpfvm_map_lookup_elem(dm4, &k) &&
	      *(uint32_t *)bpfvm_map_lookup_elem(dm4, &k) == 3);
	bpfvm_map_unref(dm8);
	bpfvm_map_unref(dm4);
}

static void test_devmap_hash(void)
{
	struct bpfvm_map_spec s = { .type = BPFVM_MAP_DEVMAP_HASH,
				    .key_size = 4,
				    .value_size = 8,
				    .max_entries = 2 };
	struct owner o = { .progs = { [5] = 1 } };
	bpfvm_map *dh = mk(&s);
	struct devval v, out;
	uint32_t k = 1000, next;
	const struct devval *p;

	if (!dh)
		return;
	bpfvm_map_set_object_resolver(dh, resolve, &o);
	v = (struct devval){ 0, 0 };
	CHECK(bpfvm_map_update(dh, &k, &v, 0) == -EINVAL);
	v = (struct devval){ 4, 5 };
	/* BPF_EXIST does not insist on the key (__dev_map_hash_update_elem) */
	CHECK(bpfvm_map_update(dh, &k, &v, BPFVM_EXIST) == 0);
	CHECK(bpfvm_map_update(dh, &k, &v, BPFVM_NOEXIST) == -EEXIST);
	p = bpfvm_map_lookup_elem(dh, &k);
	CHECK(p && p->ifindex == 4 && p->prog == 5);
	k = 2000;
	CHECK(bpfvm_map_update(dh, &k, &v, 0) == 0);
	k = 3000;
	CHECK(bpfvm_map_update(dh, &k, &v, 0) == -E2BIG);
	v.prog = 6;
	CHECK(bpfvm_map_update(dh, &k, &v, 0) == -EINVAL);
	CHECK(bpfvm_map_delete(dh, &k) == -ENOENT);
	k = 1000;
	CHECK(bpfvm_map_lookup(dh, &k, &out) == 0 && out.ifindex == 4);
	CHECK(bpfvm_map_delete(dh, &k) == 0);
	CHECK(bpfvm_map_lookup(dh, &k, &out) == -ENOENT);
	CHECK(bpfvm_map_get_next_key(dh, NULL, &next) == 0 && next == 2000);
	CHECK(bpfvm_map_get_next_key(dh, &next, &next) == -ENOENT);
	bpfvm_map_unref(dh);
}

int main(void)
{
	test_prog_array();
	map_in_map(BPFVM_MAP_ARRAY_OF_MAPS);
	map_in_map(BPFVM_MAP_HASH_OF_MAPS);
	inner_sizes();
	hom_in_place();
	test_devmap();
	test_devmap_hash();
	DONE();
}
