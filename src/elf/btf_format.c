/* SPDX-License-Identifier: MIT */
/*
 * Map keys and values as C-like text, from their BTF type:
 *   { .saddr = 167772161, .proto = IPPROTO_TCP, .name = "eth0",
 *     .flags = 3, .counts = [ 1, 2, 3 ] }
 * Integers print signed or unsigned by their encoding, bools as true and
 * false, chars as 'c', char arrays holding text as strings, enums by
 * name, pointers in hex; bitfields are extracted bit by bit. Anything the
 * type does not describe (no BTF, type 0, a type larger than the data)
 * prints as hex bytes. Every read is checked against the data's size and
 * nesting stops at BTF_MAX_DEPTH, whatever the (possibly hostile) BTF says.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "elf/btf.h"
#include "elf/elf_internal.h"

struct out {
	char *buf;
	size_t cap; /* buflen */
	size_t len; /* characters stored, < cap */
	bool full;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full || !o->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len) {
		o->len = o->cap - 1;
		o->full = true;
	} else {
		o->len += (size_t)n;
	}
}

struct data {
	const uint8_t *p;
	size_t size;
};

/* nbits (<= 64) little-endian bits at bit_off, if inside the data. */
static bool get_bits(const struct data *d, uint64_t bit_off, uint32_t nbits,
		     bool is_signed, uint64_t *out)
{
	uint64_t v = 0;

	if (!nbits || nbits > 64 || bit_off / 8 >= d->size ||
	    (bit_off + nbits + 7) / 8 > d->size)
		return false;
	for (uint32_t i = 0; i < nbits; i++) {
		uint64_t b = bit_off + i;

		v |= (uint64_t)(d->p[b / 8] >> (b % 8) & 1) << i;
	}
	if (is_signed && nbits < 64 && (v >> (nbits - 1) & 1))
		v |= ~0ull << nbits;
	*out = v;
	return true;
}

static void hex_bytes(struct out *o, const struct data *d, uint64_t off,
		      uint64_t n)
{
	for (uint64_t i = 0; i < n && !o->full; i++) {
		if (off + i >= d->size) {
			put(o, "%s..", i ? " " : "");
			return;
		}
		put(o, "%s%02x", i ? " " : "", d->p[off + i]);
	}
}

static void print_char(struct out *o, uint8_t c)
{
	if (c == '\'' || c == '\\')
		put(o, "'\\%c'", c);
	else if (c >= 0x20 && c < 0x7f)
		put(o, "'%c'", c);
	else
		put(o, "%u", c);
}

static void format_at(struct out *o, const struct btf *btf, uint32_t id,
		      const struct data *d, uint64_t bit_off, uint32_t bitfield,
		      int depth);

static void format_int(struct out *o, const struct btf *btf,
		       const struct btf_type *t, const struct data *d,
		       uint64_t bit_off, uint32_t bitfield)
{
	uint32_t enc = btf_int_encoding(t);
	uint32_t bits = bitfield ? bitfield : btf_int_bits(t);
	bool sign = enc & BTF_INT_SIGNED;
	uint64_t v;

	if (!bitfield)
		bit_off += btf_int_offset(t);
	if (bits > 64) { /* __int128: hex, most significant byte first */
		put(o, "0x");
		for (uint32_t i = t->size_or_type; i-- > 0 && !o->full;)
			if (bit_off % 8 || bit_off / 8 + i >= d->size)
				put(o, "??");
			else
				put(o, "%02x", d->p[bit_off / 8 + i]);
		return;
	}
	if (!get_bits(d, bit_off, bits, sign, &v)) {
		put(o, "?");
		return;
	}
	if (enc & BTF_INT_BOOL)
		put(o, v ? "true" : "false");
	else if (bits == 8 &&
		 ((enc & BTF_INT_CHAR) || !strcmp(btf_name(btf, t), "char")))
		print_char(o, (uint8_t)v); /* clang: "char", signed, no CHAR */
	else if (sign)
		put(o, "%lld", (long long)v);
	else
		put(o, "%llu", (unsigned long long)v);
}

static void format_enum(struct out *o, const struct btf *btf,
			const struct btf_type *t, const struct data *d,
			uint64_t bit_off, uint32_t bitfield)
{
	uint32_t bits = bitfield ? bitfield : 8 * t->size_or_type;
	uint64_t v;

	if (!get_bits(d, bit_off, bits, t->kflag, &v)) {
		put(o, "?");
		return;
	}
	for (uint32_t i = 0; i < t->vlen; i++) {
		struct btf_enum e = btf_enum(btf, t, i);
		uint64_t ev = e.uvalue;

		if (bits < 64) /* compare in the field's width */
			ev &= ~(~0ull << bits), v &= ~(~0ull << bits);
		if (ev == v && e.name[0]) {
			put(o, "%s", e.name);
			return;
		}
	}
	if (t->kflag)
		put(o, "%lld", (long long)v);
	else
		put(o, "%llu", (unsigned long long)v);
}

/* Whether an array of n chars at off holds text: printable up to a NUL
 * (or the end), only NULs after it. */
static bool is_text(const struct data *d, uint64_t off, uint64_t n)
{
	bool ended = false;

	if (!n || off > d->size || n > d->size - off || !d->p[off])
		return false;
	for (uint64_t i = 0; i < n; i++) {
		uint8_t c = d->p[off + i];

		if (ended ? c != 0 : (c && (c < 0x20 || c >= 0x7f)))
			return false;
		ended |= c == 0;
	}
	return true;
}

static bool is_char_type(const struct btf *btf, const struct btf_type *t)
{
	return t && t->kind == BTF_KIND_INT && t->size_or_type == 1 &&
	       ((btf_int_encoding(t) & BTF_INT_CHAR) ||
		!strcmp(btf_name(btf, t), "char"));
}

static void format_array(struct out *o, const struct btf *btf,
			 const struct btf_type *t, const struct data *d,
			 uint64_t bit_off, int depth)
{
	struct btf_array a = btf_array(t);
	const struct btf_type *et = btf_skip_mods(btf, a.type, NULL);
	int64_t esz = btf_resolve_size(btf, a.type);

	if (esz <= 0 || bit_off % 8) {
		put(o, "[?]");
		return;
	}
	if (is_char_type(btf, et) && is_text(d, bit_off / 8, a.nelems)) {
		const char *s = (const char *)d->p + bit_off / 8;

		put(o, "\"%.*s\"", (int)strnlen(s, a.nelems), s);
		return;
	}
	put(o, "[");
	for (uint32_t i = 0; i < a.nelems && !o->full; i++) {
		put(o, i ? ", " : " ");
		format_at(o, btf, a.type, d, bit_off + (uint64_t)i * esz * 8, 0,
			  depth + 1);
	}
	put(o, a.nelems ? " ]" : "]");
}

static void format_members(struct out *o, const struct btf *btf,
			   const struct btf_type *t, const struct data *d,
			   uint64_t bit_off, int depth)
{
	put(o, "{");
	for (uint32_t i = 0; i < t->vlen && !o->full; i++) {
		struct btf_member m = btf_member(btf, t, i);

		put(o, i ? ", " : " ");
		if (m.name[0])
			put(o, ".%s = ", m.name);
		format_at(o, btf, m.type, d, bit_off + m.bit_offset,
			  m.bitfield_size, depth + 1);
	}
	put(o, t->vlen ? " }" : "}");
}

static void format_datasec(struct out *o, const struct btf *btf,
			   const struct btf_type *t, const struct data *d,
			   uint64_t bit_off, int depth)
{
	put(o, "{");
	for (uint32_t i = 0; i < t->vlen && !o->full; i++) {
		struct btf_secinfo si = btf_secinfo(t, i);
		const struct btf_type *var = btf_type(btf, si.type);

		put(o, i ? ", " : " ");
		if (var && var->kind == BTF_KIND_VAR)
			put(o, ".%s = ", btf_name(btf, var));
		format_at(o, btf, si.type, d, bit_off + (uint64_t)si.offset * 8,
			  0, depth + 1);
	}
	put(o, t->vlen ? " }" : "}");
}

static void format_at(struct out *o, const struct btf *btf, uint32_t id,
		      const struct data *d, uint64_t bit_off, uint32_t bitfield,
		      int depth)
{
	const struct btf_type *t = btf_skip_mods(btf, id, NULL);
	uint64_t v;

	if (depth > BTF_MAX_DEPTH) {
		put(o, "...");
		return;
	}
	if (!t) {
		put(o, "?");
		return;
	}
	switch (t->kind) {
	case BTF_KIND_INT:
		format_int(o, btf, t, d, bit_off, bitfield);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		format_enum(o, btf, t, d, bit_off, bitfield);
		break;
	case BTF_KIND_PTR:
		if (get_bits(d, bit_off, 64, false, &v))
			put(o, "0x%llx", (unsigned long long)v);
		else
			put(o, "?");
		break;
	case BTF_KIND_FLOAT:
		if (t->size_or_type == 4 && get_bits(d, bit_off, 32, 0, &v)) {
			float f;
			uint32_t u = (uint32_t)v;

			memcpy(&f, &u, 4);
			put(o, "%g", (double)f);
		} else if (t->size_or_type == 8 &&
			   get_bits(d, bit_off, 64, 0, &v)) {
			double f;

			memcpy(&f, &v, 8);
			put(o, "%g", f);
		} else {
			hex_bytes(o, d, bit_off / 8, t->size_or_type);
		}
		break;
	case BTF_KIND_ARRAY:
		format_array(o, btf, t, d, bit_off, depth);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		format_members(o, btf, t, d, bit_off, depth);
		break;
	case BTF_KIND_DATASEC:
		format_datasec(o, btf, t, d, bit_off, depth);
		break;
	case BTF_KIND_VAR:
		format_at(o, btf, t->size_or_type, d, bit_off, 0, depth + 1);
		break;
	default: /* FWD, FUNC, FUNC_PROTO, DECL_TAG: nothing to print */
		put(o, "?");
		break;
	}
}

size_t bpfvm_elf_format(const bpfvm_elf *elf, uint32_t type_id,
			const void *data, size_t size, char *buf, size_t buflen)
{
	const struct btf *btf = elf ? elf->btf : NULL;
	struct out o = { buf, buflen, 0, false };
	struct data d = { data, data ? size : 0 };
	int64_t tsize = btf_resolve_size(btf, type_id);

	if (buflen)
		buf[0] = '\0';
	if (tsize < 0 || (uint64_t)tsize > d.size)
		hex_bytes(&o, &d, 0, d.size);
	else
		format_at(&o, btf, type_id, &d, 0, 0, 0);
	return o.len;
}
