/* SPDX-License-Identifier: MIT */
/*
 * Map definitions, in the order libbpf creates maps: legacy `maps`
 * sections (struct bpf_map_def and its larger variants), then BTF-defined
 * maps in `.maps`, then one single-element array a global data section.
 *
 * Global data maps are named after their section (".data", ".rodata",
 * ".rodata.str1.1", ".bss"); libbpf prefixes the object's name
 * ("prog.data") for the kernel, which matters only there.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "elf/btf.h"
#include "elf/elf_internal.h"

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static bool is_map_in_map(uint32_t type)
{
	return type == BPFVM_MAP_ARRAY_OF_MAPS ||
	       type == BPFVM_MAP_HASH_OF_MAPS;
}

static struct bpfvm_elf_map *add_map(struct bpfvm_elf *elf, uint32_t sec,
				     uint64_t offset, uint64_t size,
				     bpfvm_error *err)
{
	if (elf->nmaps == elf->maps_cap) {
		size_t cap = elf->maps_cap ? 2 * elf->maps_cap : 16;
		struct bpfvm_elf_map *maps;
		struct elf_map_loc *locs;

		maps = realloc(elf->maps, cap * sizeof(*maps));
		if (maps)
			elf->maps = maps;
		locs = realloc(elf->map_locs, cap * sizeof(*locs));
		if (locs)
			elf->map_locs = locs;
		if (!maps || !locs) {
			bpfvm_fail(err, -1, "out of memory for %zu maps", cap);
			return NULL;
		}
		elf->maps_cap = cap;
	}
	elf->map_locs[elf->nmaps] = (struct elf_map_loc){ sec, offset, size };
	memset(&elf->maps[elf->nmaps], 0, sizeof(elf->maps[0]));
	return &elf->maps[elf->nmaps++];
}

static int cmp_key(const void *a, const void *b)
{
	const struct elf_map_key *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* User maps sorted by where they are defined, for elf_map_at. */
static int index_maps(struct bpfvm_elf *elf, bpfvm_error *err)
{
	elf->map_index = calloc(elf->nmaps + 1, sizeof(*elf->map_index));
	if (!elf->map_index)
		return bpfvm_fail(err, -1, "out of memory");
	for (size_t i = 0; i < elf->nmaps; i++) {
		if (elf->maps[i].kind != BPFVM_ELF_MAP_USER)
			continue;
		elf->map_index[elf->nmap_index++] =
			(struct elf_map_key){ elf->map_locs[i].sec,
					      elf->map_locs[i].offset, i };
	}
	qsort(elf->map_index, elf->nmap_index, sizeof(*elf->map_index),
	      cmp_key);
	return 0;
}

int elf_map_at(const struct bpfvm_elf *elf, uint32_t sec, uint64_t offset)
{
	struct elf_map_key key = { sec, offset, 0 };
	const struct elf_map_key *k;

	k = bsearch(&key, elf->map_index, elf->nmap_index,
		    sizeof(*elf->map_index), cmp_key);
	return k ? (int)k->map : -1;
}

/* ---- legacy `maps` sections ---- */

/*
 * The layouts seen in the wild share libbpf's five leading u32s (type,
 * key_size, value_size, max_entries, map_flags); past those:
 *   28 bytes, samples/bpf's bpf_map_def: inner_map_idx, numa_node
 *     (older iproute2 used the same size for id, pinning);
 *   36 bytes, iproute2's bpf_elf_map: id, pinning, inner_id, inner_idx.
 * Map-in-map definitions name their inner map by index among the legacy
 * maps (28 bytes) or by the inner map's id (36 bytes).
 */
enum {
	LEGACY_BASE = 20,
	LEGACY_SAMPLES = 28,
	LEGACY_IPROUTE2 = 36,
};

struct legacy_def {
	uint32_t f[9];
	uint32_t size;
	size_t map;
};

static int cmp_sym_place(const void *a, const void *b)
{
	const struct elf_sym *x = *(const struct elf_sym *const *)a;
	const struct elf_sym *y = *(const struct elf_sym *const *)b;

	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	return x->value < y->value ? -1 : x->value > y->value;
}

static bool is_legacy_sym(const struct bpfvm_elf *elf, const struct elf_sym *s)
{
	return s->shndx < elf->nsecs &&
	       elf->secs[s->shndx].role == SEC_MAPS_LEGACY &&
	       (s->type == STT_OBJECT || s->type == STT_NOTYPE) && s->name[0];
}

/* The n map symbols of section sec, sorted by offset (samples/bpf's
 * loader numbers maps that way, and inner_map_idx counts in it). */
static int legacy_section(struct bpfvm_elf *elf, size_t sec,
			  const struct elf_sym **syms, size_t n,
			  struct legacy_def *defs, size_t *ndefs,
			  bpfvm_error *err)
{
	const struct elf_sec *s = &elf->secs[sec];

	if (!s->data)
		return elf_fail_sec(elf, err, sec,
				    "map definitions in a "
				    "section without data (SHT_NOBITS)");
	for (size_t i = 0; i < n; i++) {
		const struct elf_sym *y = syms[i];
		uint64_t sz = y->size;
		struct legacy_def *d = &defs[(*ndefs)++];
		struct bpfvm_elf_map *m;

		/* Old compilers leave symbol sizes 0: libbpf then splits
		 * the section evenly. */
		if (!sz) {
			if (s->size % n)
				return elf_fail_sec(
					elf, err, sec,
					"cannot tell "
					"the size of %zu map "
					"definitions in %llu bytes",
					n, (unsigned long long)s->size);
			sz = s->size / n;
		}
		if (y->value > s->size || sz > s->size - y->value || sz > 4096)
			return elf_fail_sec(
				elf, err, sec,
				"map '%.64s' at "
				"offset 0x%llx + %llu bytes is past "
				"the %llu-byte section (or "
				"implausibly large)",
				y->name, (unsigned long long)y->value,
				(unsigned long long)sz,
				(unsigned long long)s->size);
		memset(d, 0, sizeof(*d));
		d->size = (uint32_t)sz;
		for (uint32_t k = 0; k < 9 && 4 * k + 4 <= sz; k++)
			d->f[k] = rd32(s->data + y->value + 4 * k);
		d->map = elf->nmaps;
		m = add_map(elf, (uint32_t)sec, y->value, sz, err);
		if (!m)
			return -1;
		m->spec.name = y->name;
		m->spec.type = d->f[0];
		m->spec.key_size = d->f[1];
		m->spec.value_size = d->f[2];
		m->spec.max_entries = d->f[3];
		m->spec.map_flags = d->f[4];
		m->kind = BPFVM_ELF_MAP_USER;
		/* Pinning: iproute2's field, unless the 28-byte word is the
		 * samples' numa_node (meaningful only with F_NUMA_NODE). */
		if (sz >= LEGACY_IPROUTE2 ||
		    (sz >= LEGACY_SAMPLES && !(d->f[4] & BPFVM_F_NUMA_NODE)))
			m->pinning =
				d->f[6] ? BPFVM_PIN_BY_NAME : BPFVM_PIN_NONE;
	}
	return 0;
}

static int legacy_inner(struct bpfvm_elf *elf, const struct legacy_def *defs,
			size_t ndefs, size_t i, bpfvm_error *err)
{
	const struct legacy_def *d = &defs[i];
	struct bpfvm_elf_map *m = &elf->maps[d->map];
	size_t inner = ndefs;

	if (d->size >= LEGACY_IPROUTE2) {
		for (size_t k = 0; d->f[7] && k < ndefs; k++) {
			if (k != i && defs[k].size >= LEGACY_IPROUTE2 &&
			    defs[k].f[5] == d->f[7]) {
				inner = k;
				break;
			}
		}
		if (!d->f[7])
			return 0; /* inner map given at run time */
	} else if (d->size >= LEGACY_SAMPLES) {
		inner = d->f[5];
	} else {
		return 0;
	}
	if (inner >= ndefs || inner == i)
		return bpfvm_fail(err, -1,
				  "map '%s': its inner map (%s %u) "
				  "is not another legacy map definition",
				  m->spec.name,
				  d->size >= LEGACY_IPROUTE2 ? "id" : "index",
				  d->size >= LEGACY_IPROUTE2 ? d->f[7]
							     : d->f[5]);
	m->has_inner = true;
	m->inner = elf->maps[defs[inner].map].spec;
	m->inner.inner = NULL;
	return 0;
}

static int read_legacy_maps(struct bpfvm_elf *elf, bpfvm_error *err)
{
	const struct elf_sym **syms;
	struct legacy_def *defs;
	size_t n = 0, ndefs = 0;
	int rc = 0;

	syms = calloc(elf->nsyms + 1, sizeof(*syms));
	defs = calloc(elf->nsyms + 1, sizeof(*defs));
	if (!syms || !defs) {
		free(syms);
		free(defs);
		return bpfvm_fail(err, -1, "out of memory");
	}
	for (size_t i = 0; i < elf->nsyms; i++)
		if (is_legacy_sym(elf, &elf->syms[i]))
			syms[n++] = &elf->syms[i];
	qsort(syms, n, sizeof(*syms), cmp_sym_place);
	for (size_t first = 0, k = 0; !rc && k < n; k++) {
		if (k + 1 < n && syms[k + 1]->shndx == syms[first]->shndx)
			continue;
		rc = legacy_section(elf, syms[first]->shndx, syms + first,
				    k + 1 - first, defs, &ndefs, err);
		first = k + 1;
	}
	for (size_t i = 0; !rc && i < ndefs; i++) {
		struct bpfvm_elf_map *m = &elf->maps[defs[i].map];

		if (!is_map_in_map(m->spec.type))
			continue;
		/* The kernel stores inner map ids: 4-byte values. */
		if (!m->spec.value_size)
			m->spec.value_size = 4;
		rc = legacy_inner(elf, defs, ndefs, i, err);
	}
	free(syms);
	free(defs);
	return rc;
}

/* ---- BTF-defined maps in .maps ---- */

struct btf_def {
	struct bpfvm_map_spec spec;
	uint32_t pinning; /* kept as given: libbpf knows 0 and 1, Cilium's
			   * loader more (16, PIN_REPLACE) */
	uint32_t numa_node;
	uint32_t map_extra;
	uint32_t key_type;
	uint32_t value_type;
	bool has_key_size;
	bool has_value_size;
	bool has_inner;
	struct bpfvm_map_spec inner;
};

struct btf_def_ctx {
	struct bpfvm_elf *elf;
	const char *map;
	bool is_inner;
	bpfvm_error *err;
};

static const char *kind_name(const struct btf_type *t)
{
	static const char *const names[BTF_KIND_MAX + 1] = {
		"void",	    "int",
		"pointer",  "array",
		"struct",   "union",
		"enum",	    "forward declaration",
		"typedef",  "volatile",
		"const",    "restrict",
		"function", "function prototype",
		"variable", "data section",
		"float",    "declaration tag",
		"type tag", "enum64",
	};

	return names[t ? t->kind : 0];
}

static int def_fail(const struct btf_def_ctx *c, const char *field,
		    const char *what, const struct btf_type *t)
{
	return bpfvm_fail(c->err, -1,
			  "map '%.64s'%s: field '%.64s' %s (BTF "
			  "%s)",
			  c->map, c->is_inner ? " (inner)" : "", field, what,
			  kind_name(t));
}

/* __uint(name, N) is `int (*name)[N]`: N is the array's length. */
static int field_uint(const struct btf_def_ctx *c, const struct btf_member *m,
		      uint32_t *out)
{
	const struct btf *btf = c->elf->btf;
	const struct btf_type *t = btf_skip_mods(btf, m->type, NULL);

	if (!t || t->kind != BTF_KIND_PTR)
		return def_fail(c, m->name,
				"is not __uint(): want a pointer "
				"to an array",
				t);
	t = btf_skip_mods(btf, t->size_or_type, NULL);
	if (!t || t->kind != BTF_KIND_ARRAY)
		return def_fail(c, m->name,
				"is not __uint(): want a pointer "
				"to an array",
				t);
	*out = btf_array(t).nelems;
	return 0;
}

/* __type(key, T) is `T *key`: the size is T's. */
static int field_type(const struct btf_def_ctx *c, const struct btf_member *m,
		      uint32_t *size, uint32_t *type_id, bool *has_size)
{
	const struct btf *btf = c->elf->btf;
	const struct btf_type *t = btf_skip_mods(btf, m->type, NULL);
	int64_t sz;

	if (!t || t->kind != BTF_KIND_PTR)
		return def_fail(c, m->name, "is not __type(): want a pointer",
				t);
	sz = btf_resolve_size(btf, t->size_or_type);
	if (sz <= 0)
		return def_fail(c, m->name,
				"has a type of unknown or zero "
				"size",
				btf_type(btf, t->size_or_type));
	if (*has_size && *size != (uint32_t)sz)
		return bpfvm_fail(c->err, -1,
				  "map '%.64s': %s type is %lld "
				  "bytes but its size is given as %u",
				  c->map, m->name, (long long)sz, *size);
	*size = (uint32_t)sz;
	*type_id = t->size_or_type;
	*has_size = true;
	return 0;
}

static int field_size(const struct btf_def_ctx *c, const struct btf_member *m,
		      uint32_t *size, bool *has_size)
{
	uint32_t v;

	if (field_uint(c, m, &v))
		return -1;
	if (*has_size && *size != v)
		return bpfvm_fail(c->err, -1,
				  "map '%.64s': %s %u conflicts with "
				  "its type's size %u",
				  c->map, m->name, v, *size);
	*size = v;
	*has_size = true;
	return 0;
}

static int parse_def(const struct btf_def_ctx *c, const struct btf_type *st,
		     struct btf_def *d);

/* __array(values, struct inner) is `struct inner *values[]`: the inner
 * map's definition (or, for prog arrays, `int (*values[])(void *)`). */
static int field_values(const struct btf_def_ctx *c, struct btf_def *d,
			const struct btf_member *m, bool last)
{
	const struct btf *btf = c->elf->btf;
	bool mim = is_map_in_map(d->spec.type);
	const struct btf_type *t;
	struct btf_def inner;
	struct btf_def_ctx ic = *c;

	memset(&inner, 0, sizeof(inner));
	if (c->is_inner)
		return def_fail(c, m->name,
				"nests a map in an inner map "
				"(one level only)",
				NULL);
	if (!last)
		return def_fail(c, m->name, "must be the last field", NULL);
	if (!mim && d->spec.type != BPFVM_MAP_PROG_ARRAY)
		return def_fail(c, m->name,
				"needs a map-in-map or prog-array "
				"type, given before it",
				NULL);
	if (d->has_value_size && d->spec.value_size != 4)
		return bpfvm_fail(c->err, -1,
				  "map '%.64s': value size %u, "
				  "but map-in-map and prog-array values are "
				  "4-byte ids",
				  c->map, d->spec.value_size);
	d->spec.value_size = 4;
	d->has_value_size = true;
	t = btf_skip_mods(btf, m->type, NULL);
	if (!t || t->kind != BTF_KIND_ARRAY)
		return def_fail(c, m->name, "is not __array(): want an array",
				t);
	t = btf_skip_mods(btf, btf_array(t).type, NULL);
	if (!t || t->kind != BTF_KIND_PTR)
		return def_fail(c, m->name,
				"is not __array(): want an array of "
				"pointers",
				t);
	t = btf_skip_mods(btf, t->size_or_type, NULL);
	if (!mim) {
		if (!t || t->kind != BTF_KIND_FUNC_PROTO)
			return def_fail(c, m->name,
					"of a prog array must "
					"point to functions",
					t);
		return 0;
	}
	if (!t || t->kind != BTF_KIND_STRUCT)
		return def_fail(c, m->name,
				"must point to the inner map's "
				"definition struct",
				t);
	ic.is_inner = true;
	if (parse_def(&ic, t, &inner))
		return -1;
	d->has_inner = true;
	d->inner = inner.spec;
	d->inner.name = elf_strdupf(c->elf, "%s.inner", c->map);
	return 0;
}

enum def_field {
	F_TYPE,
	F_MAX_ENTRIES,
	F_MAP_FLAGS,
	F_NUMA_NODE,
	F_PINNING,
	F_MAP_EXTRA,
	F_KEY_SIZE,
	F_VALUE_SIZE,
	F_KEY,
	F_VALUE,
	F_VALUES,
};

static const struct {
	const char *name;
	enum def_field field;
	size_t offset; /* of the u32 for __uint() fields */
} def_fields[] = {
	{ "type", F_TYPE, offsetof(struct btf_def, spec.type) },
	{ "max_entries", F_MAX_ENTRIES,
	  offsetof(struct btf_def, spec.max_entries) },
	{ "map_flags", F_MAP_FLAGS, offsetof(struct btf_def, spec.map_flags) },
	{ "numa_node", F_NUMA_NODE, offsetof(struct btf_def, numa_node) },
	{ "pinning", F_PINNING, offsetof(struct btf_def, pinning) },
	{ "map_extra", F_MAP_EXTRA, offsetof(struct btf_def, map_extra) },
	{ "key_size", F_KEY_SIZE, 0 },
	{ "value_size", F_VALUE_SIZE, 0 },
	{ "key", F_KEY, 0 },
	{ "value", F_VALUE, 0 },
	{ "values", F_VALUES, 0 },
};

static int parse_member(const struct btf_def_ctx *c, struct btf_def *d,
			const struct btf_member *m, bool last)
{
	size_t i, n = sizeof(def_fields) / sizeof(def_fields[0]);

	for (i = 0; i < n && strcmp(def_fields[i].name, m->name); i++)
		;
	if (i == n)
		return def_fail(c, m->name, "is not a map definition field",
				btf_type(c->elf->btf, m->type));
	switch (def_fields[i].field) {
	case F_KEY_SIZE:
		return field_size(c, m, &d->spec.key_size, &d->has_key_size);
	case F_VALUE_SIZE:
		return field_size(c, m, &d->spec.value_size,
				  &d->has_value_size);
	case F_KEY:
		return field_type(c, m, &d->spec.key_size, &d->key_type,
				  &d->has_key_size);
	case F_VALUE:
		return field_type(c, m, &d->spec.value_size, &d->value_type,
				  &d->has_value_size);
	case F_VALUES:
		return field_values(c, d, m, last);
	default:
		return field_uint(
			c, m, (uint32_t *)((char *)d + def_fields[i].offset));
	}
}

static int parse_def(const struct btf_def_ctx *c, const struct btf_type *st,
		     struct btf_def *d)
{
	for (uint32_t i = 0; i < st->vlen; i++) {
		struct btf_member m = btf_member(c->elf->btf, st, i);

		if (parse_member(c, d, &m, i + 1 == st->vlen))
			return -1;
	}
	d->spec.name = c->map;
	return 0;
}

static int btf_map(struct bpfvm_elf *elf, size_t sec, const struct btf_type *ds,
		   uint32_t i, bpfvm_error *err)
{
	const struct btf *btf = elf->btf;
	struct btf_secinfo si = btf_secinfo(ds, i);
	const struct btf_type *var = btf_type(btf, si.type), *st;
	const struct elf_sec *s = &elf->secs[sec];
	struct btf_def d;
	struct btf_def_ctx c = { elf, NULL, false, err };
	struct bpfvm_elf_map *m;
	uint64_t off;

	memset(&d, 0, sizeof(d));
	if (!var || var->kind != BTF_KIND_VAR)
		return elf_fail_sec(elf, err, sec,
				    "DATASEC entry %u is a BTF "
				    "%s, not a variable",
				    i, kind_name(var));
	c.map = btf_name(btf, var);
	st = btf_skip_mods(btf, var->size_or_type, NULL);
	if (!st || st->kind != BTF_KIND_STRUCT)
		return bpfvm_fail(err, -1,
				  "map '%.64s': its definition is a "
				  "BTF %s, not a struct",
				  c.map, kind_name(st));
	off = si.offset; /* fixed from the symbols, as libbpf does */
	if (off > s->size || si.size > s->size - off)
		return elf_fail_sec(elf, err, sec,
				    "map '%.64s' at offset "
				    "0x%llx + %u bytes is past the %llu-byte "
				    "section",
				    c.map, (unsigned long long)off, si.size,
				    (unsigned long long)s->size);
	if (parse_def(&c, st, &d))
		return -1;
	m = add_map(elf, (uint32_t)sec, off, si.size, err);
	if (!m)
		return -1;
	m->spec = d.spec;
	m->has_inner = d.has_inner;
	m->inner = d.inner;
	m->kind = BPFVM_ELF_MAP_USER;
	m->pinning = d.pinning;
	m->btf_key_type = d.key_type;
	m->btf_value_type = d.value_type;
	return 0;
}

static int read_btf_maps(struct bpfvm_elf *elf, bpfvm_error *err)
{
	for (size_t sec = 1; sec < elf->nsecs; sec++) {
		const struct btf_type *ds;
		uint32_t id;

		if (elf->secs[sec].role != SEC_MAPS_BTF)
			continue;
		if (!elf->btf)
			return elf_fail_sec(elf, err, sec,
					    "BTF-defined maps "
					    "need the object's BTF, and it has "
					    "no .BTF section");
		id = btf_find_datasec(elf->btf, elf->secs[sec].name);
		if (!id) {
			if (!elf->secs[sec].size)
				continue;
			return elf_fail_sec(elf, err, sec,
					    "BTF has no DATASEC "
					    "describing its maps");
		}
		ds = btf_type(elf->btf, id);
		for (uint32_t i = 0; i < ds->vlen; i++)
			if (btf_map(elf, sec, ds, i, err))
				return -1;
	}
	return 0;
}

/* ---- global data ---- */

static const struct {
	enum elf_sec_role role;
	enum bpfvm_elf_map_kind kind;
	uint32_t flags;
} data_kinds[] = {
	{ SEC_DATA, BPFVM_ELF_MAP_DATA, 0 },
	{ SEC_RODATA, BPFVM_ELF_MAP_RODATA, BPFVM_F_RDONLY_PROG },
	{ SEC_BSS, BPFVM_ELF_MAP_BSS, 0 },
};

static int read_data_maps(struct bpfvm_elf *elf, bpfvm_error *err)
{
	for (size_t sec = 1; sec < elf->nsecs; sec++) {
		struct elf_sec *s = &elf->secs[sec];
		struct bpfvm_elf_map *m;
		size_t k;

		for (k = 0; k < 3 && data_kinds[k].role != s->role; k++)
			;
		/* An empty section holds nothing a program could use; the
		 * kernel refuses zero-sized values anyway. */
		if (k == 3 || !s->size)
			continue;
		if (s->size > UINT32_MAX)
			return elf_fail_sec(elf, err, sec,
					    "%llu bytes of data "
					    "do not fit a map value",
					    (unsigned long long)s->size);
		s->data_map = (int)elf->nmaps;
		m = add_map(elf, (uint32_t)sec, 0, s->size, err);
		if (!m)
			return -1;
		m->spec.name = s->name;
		m->spec.type = BPFVM_MAP_ARRAY;
		m->spec.key_size = 4;
		m->spec.value_size = (uint32_t)s->size;
		m->spec.max_entries = 1;
		m->spec.map_flags = data_kinds[k].flags;
		m->kind = data_kinds[k].kind;
		m->data = s->type == SHT_NOBITS ? NULL : s->data;
		m->data_size = s->size;
		m->btf_value_type = btf_find_datasec(elf->btf, s->name);
	}
	return 0;
}

int elf_read_maps(struct bpfvm_elf *elf, bpfvm_error *err)
{
	if (read_legacy_maps(elf, err) || read_btf_maps(elf, err) ||
	    read_data_maps(elf, err) || index_maps(elf, err))
		return -1;
	/* The array is final: point each outer spec at its inner one. */
	for (size_t i = 0; i < elf->nmaps; i++)
		if (elf->maps[i].has_inner)
			elf->maps[i].spec.inner = &elf->maps[i].inner;
	return 0;
}
