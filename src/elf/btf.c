/* SPDX-License-Identifier: MIT */
/*
 * BTF parsing and checking. Every record is decoded once into a table
 * indexed by type id, after its extra data was found inside the type area
 * and every type id and string offset it holds was checked; later code
 * reads the table and the extra data without further bounds checks.
 */
#include <stdlib.h>
#include <string.h>

#include "elf/btf.h"

#define BTF_MAGIC     0xeb9f
#define BTF_HDR_MIN   24
#define BTF_TYPE_SIZE 12
/* info: vlen bits 0-15, kind bits 24-28, kind_flag bit 31. */
#define BTF_INFO_UNUSED 0x60ff0000u

struct btf {
	const char *strs;
	uint32_t strs_len;
	struct btf_type *types; /* types[0] is void */
	uint32_t ntypes;
	const char *section;
	uint32_t *datasecs; /* DATASEC ids sorted by name */
	uint32_t ndatasecs;
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Bytes of extra data after the 12-byte record, per kind. */
static const struct {
	uint8_t fixed;	  /* bytes always present */
	uint8_t per_vlen; /* bytes per vlen entry */
	const char *name;
} kind_info[BTF_KIND_MAX + 1] = {
	[BTF_KIND_INT] = { 4, 0, "INT" },
	[BTF_KIND_PTR] = { 0, 0, "PTR" },
	[BTF_KIND_ARRAY] = { 12, 0, "ARRAY" },
	[BTF_KIND_STRUCT] = { 0, 12, "STRUCT" },
	[BTF_KIND_UNION] = { 0, 12, "UNION" },
	[BTF_KIND_ENUM] = { 0, 8, "ENUM" },
	[BTF_KIND_FWD] = { 0, 0, "FWD" },
	[BTF_KIND_TYPEDEF] = { 0, 0, "TYPEDEF" },
	[BTF_KIND_VOLATILE] = { 0, 0, "VOLATILE" },
	[BTF_KIND_CONST] = { 0, 0, "CONST" },
	[BTF_KIND_RESTRICT] = { 0, 0, "RESTRICT" },
	[BTF_KIND_FUNC] = { 0, 0, "FUNC" },
	[BTF_KIND_FUNC_PROTO] = { 0, 8, "FUNC_PROTO" },
	[BTF_KIND_VAR] = { 4, 0, "VAR" },
	[BTF_KIND_DATASEC] = { 0, 12, "DATASEC" },
	[BTF_KIND_FLOAT] = { 0, 0, "FLOAT" },
	[BTF_KIND_DECL_TAG] = { 4, 0, "DECL_TAG" },
	[BTF_KIND_TYPE_TAG] = { 0, 0, "TYPE_TAG" },
	[BTF_KIND_ENUM64] = { 0, 12, "ENUM64" },
};

/* Kinds whose size_or_type field is a type id rather than a size. */
static bool kind_refers(uint32_t kind)
{
	switch (kind) {
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FUNC_PROTO:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
	case BTF_KIND_TYPE_TAG:
		return true;
	default:
		return false;
	}
}

static int fail_type(const struct btf *btf, bpfvm_error *err, uint32_t id,
		     const char *what, uint32_t value)
{
	const struct btf_type *t = &btf->types[id];
	uint32_t k = t->kind <= BTF_KIND_MAX ? t->kind : 0;

	return bpfvm_fail(err, -1, "%s: type [%u] %s: %s %u", btf->section, id,
			  kind_info[k].name ? kind_info[k].name : "?", what,
			  value);
}

static bool str_ok(const struct btf *btf, uint32_t off)
{
	return off < btf->strs_len;
}

static bool id_ok(const struct btf *btf, uint32_t id)
{
	return id <= btf->ntypes;
}

static bool pow2_size(uint32_t size, uint32_t max)
{
	return size && size <= max && !(size & (size - 1));
}

/* Check what a record refers to, now that the number of types is known. */
static int check_type(const struct btf *btf, uint32_t id, bpfvm_error *err)
{
	const struct btf_type *t = &btf->types[id];
	const uint8_t *x = t->extra;

	if (!str_ok(btf, t->name_off))
		return fail_type(btf, err, id, "name offset", t->name_off);
	if (kind_refers(t->kind) && !id_ok(btf, t->size_or_type))
		return fail_type(btf, err, id, "refers to missing type",
				 t->size_or_type);
	switch (t->kind) {
	case BTF_KIND_INT: {
		uint32_t bits = btf_int_bits(t), off = btf_int_offset(t);
		uint32_t enc = btf_int_encoding(t);

		if (!pow2_size(t->size_or_type, 16))
			return fail_type(btf, err, id, "size", t->size_or_type);
		if (bits > 128 || off + bits > t->size_or_type * 8)
			return fail_type(btf, err, id, "bit count", bits);
		if (enc & ~7u || (enc & (enc - 1)))
			return fail_type(btf, err, id, "encoding", enc);
		break;
	}
	case BTF_KIND_ARRAY: {
		struct btf_array a = btf_array(t);

		if (!id_ok(btf, a.type))
			return fail_type(btf, err, id, "element type", a.type);
		if (!id_ok(btf, a.index_type))
			return fail_type(btf, err, id, "index type",
					 a.index_type);
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (uint32_t i = 0; i < t->vlen; i++, x += 12) {
			if (!str_ok(btf, rd32(x)))
				return fail_type(btf, err, id,
						 "member name offset", rd32(x));
			if (!id_ok(btf, rd32(x + 4)))
				return fail_type(btf, err, id,
						 "member of missing type",
						 rd32(x + 4));
		}
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (!pow2_size(t->size_or_type, 8))
			return fail_type(btf, err, id, "size", t->size_or_type);
		for (uint32_t i = 0; i < t->vlen;
		     i++, x += kind_info[t->kind].per_vlen)
			if (!str_ok(btf, rd32(x)))
				return fail_type(btf, err, id,
						 "enumerator name offset",
						 rd32(x));
		break;
	case BTF_KIND_FUNC_PROTO:
		for (uint32_t i = 0; i < t->vlen; i++, x += 8) {
			if (!str_ok(btf, rd32(x)))
				return fail_type(btf, err, id,
						 "parameter name offset",
						 rd32(x));
			if (!id_ok(btf, rd32(x + 4)))
				return fail_type(btf, err, id,
						 "parameter of missing type",
						 rd32(x + 4));
		}
		break;
	case BTF_KIND_DATASEC:
		for (uint32_t i = 0; i < t->vlen; i++, x += 12)
			if (!id_ok(btf, rd32(x)))
				return fail_type(btf, err, id,
						 "variable of missing type",
						 rd32(x));
		break;
	case BTF_KIND_FLOAT:
		if (t->size_or_type != 2 && t->size_or_type != 4 &&
		    t->size_or_type != 8 && t->size_or_type != 12 &&
		    t->size_or_type != 16)
			return fail_type(btf, err, id, "size", t->size_or_type);
		break;
	default:
		break;
	}
	return 0;
}

static int check_header(const uint8_t *d, size_t size, const char *name,
			uint32_t *types_off, uint32_t *types_len,
			uint32_t *strs_off, uint32_t *strs_len,
			bpfvm_error *err)
{
	uint32_t hdr_len, toff, tlen, soff, slen;

	if (size < BTF_HDR_MIN)
		return bpfvm_fail(err, -1,
				  "%s: %zu bytes, too short for the "
				  "24-byte BTF header",
				  name, size);
	if (rd16(d) != BTF_MAGIC)
		return bpfvm_fail(err, -1,
				  "%s: bad magic 0x%04x (want 0xeb9f; "
				  "big-endian BTF is not supported)",
				  name, rd16(d));
	if (d[2] != 1)
		return bpfvm_fail(err, -1, "%s: unknown BTF version %u", name,
				  d[2]);
	hdr_len = rd32(d + 4);
	toff = rd32(d + 8);
	tlen = rd32(d + 12);
	soff = rd32(d + 16);
	slen = rd32(d + 20);
	if (hdr_len < BTF_HDR_MIN || hdr_len > size)
		return bpfvm_fail(err, -1,
				  "%s: header length %u is outside "
				  "[24, %zu]",
				  name, hdr_len, size);
	if (toff % 4 || (uint64_t)hdr_len + toff + tlen > size)
		return bpfvm_fail(err, -1,
				  "%s: type area at %u + %u is past "
				  "the %zu-byte section (or misaligned)",
				  name, toff, tlen, size - hdr_len);
	if ((uint64_t)hdr_len + soff + slen > size)
		return bpfvm_fail(err, -1,
				  "%s: string area at %u + %u is past "
				  "the %zu-byte section",
				  name, soff, slen, size - hdr_len);
	if (!slen || d[hdr_len + soff] != 0 || d[hdr_len + soff + slen - 1])
		return bpfvm_fail(err, -1,
				  "%s: the string area must start and "
				  "end with a NUL byte",
				  name);
	if ((uint64_t)toff < (uint64_t)soff + slen &&
	    (uint64_t)soff < (uint64_t)toff + tlen)
		return bpfvm_fail(err, -1, "%s: type and string areas overlap",
				  name);
	*types_off = hdr_len + toff;
	*types_len = tlen;
	*strs_off = hdr_len + soff;
	*strs_len = slen;
	return 0;
}

/* Walk the type area once: count records, checking each fits. */
static int count_types(const uint8_t *p, uint32_t len, const char *name,
		       uint32_t *count, bpfvm_error *err)
{
	uint32_t off = 0, n = 0;

	while (off < len) {
		uint32_t info, kind, need;

		if (len - off < BTF_TYPE_SIZE)
			return bpfvm_fail(err, -1,
					  "%s: type [%u] at offset %u "
					  "is cut short by the end of the type "
					  "area",
					  name, n + 1, off);
		info = rd32(p + off + 4);
		kind = info >> 24 & 0x1f;
		if (!kind || kind > BTF_KIND_MAX)
			return bpfvm_fail(err, -1,
					  "%s: type [%u] has unknown "
					  "kind %u",
					  name, n + 1, kind);
		if (info & BTF_INFO_UNUSED)
			return bpfvm_fail(err, -1,
					  "%s: type [%u] sets unused "
					  "info bits (0x%08x)",
					  name, n + 1, info);
		need = kind_info[kind].fixed +
		       kind_info[kind].per_vlen * (info & 0xffff);
		if (len - off - BTF_TYPE_SIZE < need)
			return bpfvm_fail(err, -1,
					  "%s: type [%u] %s needs %u "
					  "bytes past offset %u, the type area "
					  "has %u",
					  name, n + 1, kind_info[kind].name,
					  need, off, len - off - BTF_TYPE_SIZE);
		off += BTF_TYPE_SIZE + need;
		n++;
	}
	*count = n;
	return 0;
}

/* qsort and bsearch pass no context: compare through the names, which
 * index_datasecs resolves once into this pair. */
struct datasec_name {
	const char *name;
	uint32_t id;
};

static int cmp_datasec(const void *a, const void *b)
{
	const struct datasec_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->id > y->id) - (x->id < y->id);
}

static int index_datasecs(struct btf *btf)
{
	struct datasec_name *tmp;
	uint32_t n = 0;

	for (uint32_t id = 1; id <= btf->ntypes; id++)
		n += btf->types[id].kind == BTF_KIND_DATASEC;
	tmp = calloc((size_t)n + 1, sizeof(*tmp));
	btf->datasecs = calloc((size_t)n + 1, sizeof(*btf->datasecs));
	if (!tmp || !btf->datasecs) {
		free(tmp);
		return -1;
	}
	for (uint32_t id = 1; id <= btf->ntypes; id++)
		if (btf->types[id].kind == BTF_KIND_DATASEC)
			tmp[btf->ndatasecs++] = (struct datasec_name){
				btf_name(btf, &btf->types[id]), id
			};
	/* Equal names by id: the first DATASEC of a name wins. */
	qsort(tmp, btf->ndatasecs, sizeof(*tmp), cmp_datasec);
	for (uint32_t i = 0; i < btf->ndatasecs; i++)
		btf->datasecs[i] = tmp[i].id;
	free(tmp);
	return 0;
}

int btf_parse(uint8_t *data, size_t size, const char *name, struct btf **out,
	      bpfvm_error *err)
{
	uint32_t toff = 0, tlen = 0, soff = 0, slen = 0, n = 0, off = 0;
	struct btf *btf;

	*out = NULL;
	if (check_header(data, size, name, &toff, &tlen, &soff, &slen, err) ||
	    count_types(data + toff, tlen, name, &n, err))
		return -1;
	btf = calloc(1, sizeof(*btf));
	if (!btf ||
	    !(btf->types = calloc((size_t)n + 1, sizeof(*btf->types)))) {
		free(btf);
		return bpfvm_fail(err, -1, "%s: out of memory for %u types",
				  name, n);
	}
	btf->strs = (const char *)data + soff;
	btf->strs_len = slen;
	btf->ntypes = n;
	btf->section = name;
	for (uint32_t id = 1; id <= n; id++) {
		uint8_t *p = data + toff + off;
		struct btf_type *t = &btf->types[id];
		uint32_t info = rd32(p + 4);

		t->name_off = rd32(p);
		t->kind = info >> 24 & 0x1f;
		t->vlen = info & 0xffff;
		t->kflag = info >> 31;
		t->size_or_type = rd32(p + 8);
		t->extra = p + BTF_TYPE_SIZE;
		off += BTF_TYPE_SIZE + kind_info[t->kind].fixed +
		       kind_info[t->kind].per_vlen * t->vlen;
	}
	for (uint32_t id = 1; id <= n; id++) {
		if (check_type(btf, id, err)) {
			btf_free(btf);
			return -1;
		}
	}
	if (index_datasecs(btf)) {
		btf_free(btf);
		return bpfvm_fail(err, -1, "%s: out of memory", name);
	}
	*out = btf;
	return 0;
}

void btf_free(struct btf *btf)
{
	if (!btf)
		return;
	free(btf->datasecs);
	free(btf->types);
	free(btf);
}

uint32_t btf_ntypes(const struct btf *btf)
{
	return btf ? btf->ntypes : 0;
}

const struct btf_type *btf_type(const struct btf *btf, uint32_t id)
{
	if (!btf || !id || id > btf->ntypes)
		return NULL;
	return &btf->types[id];
}

const char *btf_str(const struct btf *btf, uint32_t off)
{
	return btf && off < btf->strs_len ? btf->strs + off : "";
}

const char *btf_name(const struct btf *btf, const struct btf_type *t)
{
	return t ? btf_str(btf, t->name_off) : "";
}

struct btf_member btf_member(const struct btf *btf, const struct btf_type *t,
			     uint32_t i)
{
	const uint8_t *x = t->extra + 12 * i;
	uint32_t off = rd32(x + 8);
	struct btf_member m = {
		.name = btf_str(btf, rd32(x)),
		.type = rd32(x + 4),
		.bit_offset = off,
	};

	/* With kind_flag, the offset word packs a bitfield's size. */
	if (t->kflag) {
		m.bit_offset = off & 0xffffff;
		m.bitfield_size = off >> 24;
	}
	return m;
}

struct btf_enum btf_enum(const struct btf *btf, const struct btf_type *t,
			 uint32_t i)
{
	struct btf_enum e;

	if (t->kind == BTF_KIND_ENUM64) {
		const uint8_t *x = t->extra + 12 * i;

		e.name = btf_str(btf, rd32(x));
		e.uvalue = (uint64_t)rd32(x + 8) << 32 | rd32(x + 4);
		e.value = (int64_t)e.uvalue;
	} else {
		const uint8_t *x = t->extra + 8 * i;
		uint32_t v = rd32(x + 4);

		/* kind_flag marks a signed enum: sign-extend its values. */
		e.name = btf_str(btf, rd32(x));
		e.value = t->kflag ? (int64_t)(int32_t)v : (int64_t)v;
		e.uvalue = (uint64_t)e.value;
	}
	return e;
}

struct btf_array btf_array(const struct btf_type *t)
{
	struct btf_array a = {
		.type = rd32(t->extra),
		.index_type = rd32(t->extra + 4),
		.nelems = rd32(t->extra + 8),
	};

	return a;
}

struct btf_secinfo btf_secinfo(const struct btf_type *t, uint32_t i)
{
	const uint8_t *x = t->extra + 12 * i;
	struct btf_secinfo s = {
		.type = rd32(x),
		.offset = rd32(x + 4),
		.size = rd32(x + 8),
	};

	return s;
}

uint32_t btf_int_encoding(const struct btf_type *t)
{
	return rd32(t->extra) >> 24 & 0x0f;
}

uint32_t btf_int_offset(const struct btf_type *t)
{
	return rd32(t->extra) >> 16 & 0xff;
}

uint32_t btf_int_bits(const struct btf_type *t)
{
	return rd32(t->extra) & 0xff;
}

static bool is_mod(uint32_t kind)
{
	return kind == BTF_KIND_TYPEDEF || kind == BTF_KIND_VOLATILE ||
	       kind == BTF_KIND_CONST || kind == BTF_KIND_RESTRICT ||
	       kind == BTF_KIND_TYPE_TAG;
}

const struct btf_type *btf_skip_mods(const struct btf *btf, uint32_t id,
				     uint32_t *out_id)
{
	const struct btf_type *t = btf_type(btf, id);

	for (int depth = 0; t && is_mod(t->kind); depth++) {
		if (depth == BTF_MAX_DEPTH) {
			t = NULL;
			id = 0;
			break;
		}
		id = t->size_or_type;
		t = btf_type(btf, id);
	}
	if (!t)
		id = 0;
	if (out_id)
		*out_id = id;
	return t;
}

int64_t btf_resolve_size(const struct btf *btf, uint32_t id)
{
	uint64_t mult = 1;

	for (int depth = 0; depth < BTF_MAX_DEPTH; depth++) {
		const struct btf_type *t = btf_type(btf, id);

		if (!t)
			return -1;
		switch (t->kind) {
		case BTF_KIND_INT:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_FLOAT:
		case BTF_KIND_DATASEC:
			mult *= t->size_or_type;
			return mult > UINT32_MAX ? -1 : (int64_t)mult;
		case BTF_KIND_PTR:
			mult *= 8;
			return mult > UINT32_MAX ? -1 : (int64_t)mult;
		case BTF_KIND_ARRAY: {
			struct btf_array a = btf_array(t);

			mult *= a.nelems;
			if (mult > UINT32_MAX)
				return -1;
			id = a.type;
			break;
		}
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
		case BTF_KIND_VAR:
			id = t->size_or_type;
			break;
		default: /* FWD, FUNC, FUNC_PROTO, DECL_TAG: no size */
			return -1;
		}
	}
	return -1;
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

void btf_set_datasec_size(struct btf *btf, uint32_t id, uint32_t size)
{
	struct btf_type *t = id && id <= btf->ntypes ? &btf->types[id] : NULL;

	if (t && t->kind == BTF_KIND_DATASEC) {
		t->size_or_type = size;
		wr32(t->extra - 4, size); /* the record's size word */
	}
}

void btf_set_secinfo_offset(struct btf *btf, uint32_t id, uint32_t i,
			    uint32_t offset)
{
	const struct btf_type *t = btf_type(btf, id);

	if (t && t->kind == BTF_KIND_DATASEC && i < t->vlen)
		wr32(t->extra + 12 * i + 4, offset);
}

uint32_t btf_find_datasec(const struct btf *btf, const char *name)
{
	uint32_t lo = 0, hi = btf ? btf->ndatasecs : 0;

	/* The leftmost of equal names, as a linear search would find. */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (strcmp(btf_name(btf, &btf->types[btf->datasecs[mid]]),
			   name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < (btf ? btf->ndatasecs : 0) &&
	    !strcmp(btf_name(btf, &btf->types[btf->datasecs[lo]]), name))
		return btf->datasecs[lo];
	return 0;
}
