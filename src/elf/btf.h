/* SPDX-License-Identifier: MIT */
/*
 * BTF, the BPF Type Format (docs.kernel.org/bpf/btf.html): the .BTF
 * section's header, type records and string table, checked once when read
 * so the accessors below can trust every id, offset and count they hand
 * out. Resolution helpers stop after BTF_MAX_DEPTH hops: a cycle of
 * typedefs or modifiers in a malformed file ends there, not in a loop.
 */
#ifndef BPFVM_ELF_BTF_H
#define BPFVM_ELF_BTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/isa.h"

enum btf_kind {
	BTF_KIND_UNKN = 0,
	BTF_KIND_INT = 1,
	BTF_KIND_PTR = 2,
	BTF_KIND_ARRAY = 3,
	BTF_KIND_STRUCT = 4,
	BTF_KIND_UNION = 5,
	BTF_KIND_ENUM = 6,
	BTF_KIND_FWD = 7,
	BTF_KIND_TYPEDEF = 8,
	BTF_KIND_VOLATILE = 9,
	BTF_KIND_CONST = 10,
	BTF_KIND_RESTRICT = 11,
	BTF_KIND_FUNC = 12,
	BTF_KIND_FUNC_PROTO = 13,
	BTF_KIND_VAR = 14,
	BTF_KIND_DATASEC = 15,
	BTF_KIND_FLOAT = 16,
	BTF_KIND_DECL_TAG = 17,
	BTF_KIND_TYPE_TAG = 18,
	BTF_KIND_ENUM64 = 19,
	BTF_KIND_MAX = 19,
};

/* INT encoding bits. */
enum { BTF_INT_SIGNED = 1, BTF_INT_CHAR = 2, BTF_INT_BOOL = 4 };

#define BTF_MAX_DEPTH 32

/* A type record, decoded. Extra data (members, params, enumerators,
 * secinfos) stays in the section and is read through the helpers. */
struct btf_type {
	uint32_t name_off;
	uint32_t kind;
	uint32_t vlen;
	bool kflag;
	uint32_t size_or_type; /* size for sized kinds, else a type id */
	uint8_t *extra;
};

struct btf_member {
	const char *name;
	uint32_t type;
	uint32_t bit_offset;
	uint32_t bitfield_size; /* 0: not a bitfield */
};

struct btf_array {
	uint32_t type;
	uint32_t index_type;
	uint32_t nelems;
};

struct btf_enum {
	const char *name;
	int64_t value; /* sign-extended for signed enums */
	uint64_t uvalue;
};

struct btf_secinfo {
	uint32_t type;
	uint32_t offset;
	uint32_t size;
};

struct btf;

/* Parse and check a .BTF section's bytes (kept by reference, and written
 * by the fixups below). name is for messages. */
int btf_parse(uint8_t *data, size_t size, const char *name, struct btf **out,
	      bpfvm_error *err);
void btf_free(struct btf *btf);

uint32_t btf_ntypes(const struct btf *btf); /* highest valid id */
/* Type id (1..ntypes); NULL for 0 (void) or out of range. */
const struct btf_type *btf_type(const struct btf *btf, uint32_t id);
/* A string by offset ("" when out of range; offsets were checked). */
const char *btf_str(const struct btf *btf, uint32_t off);
const char *btf_name(const struct btf *btf, const struct btf_type *t);

/* The i-th member / enumerator / array info / secinfo / param of t. */
struct btf_member btf_member(const struct btf *btf, const struct btf_type *t,
			     uint32_t i);
struct btf_enum btf_enum(const struct btf *btf, const struct btf_type *t,
			 uint32_t i);
struct btf_array btf_array(const struct btf_type *t);
struct btf_secinfo btf_secinfo(const struct btf_type *t, uint32_t i);
/* INT: encoding bits, bit offset and bit count. */
uint32_t btf_int_encoding(const struct btf_type *t);
uint32_t btf_int_offset(const struct btf_type *t);
uint32_t btf_int_bits(const struct btf_type *t);

/* Follow typedefs, const, volatile, restrict and type tags from id; the id
 * reached (0 for void or when the chain is too long) in *out_id. */
const struct btf_type *btf_skip_mods(const struct btf *btf, uint32_t id,
				     uint32_t *out_id);
/* The size in bytes of type id (-1: unsized, e.g. void, FWD, FUNC, or too
 * large/deep). */
int64_t btf_resolve_size(const struct btf *btf, uint32_t id);
/* clang leaves a DATASEC's size and its variables' offsets to the loader
 * (libbpf fills them from the ELF section and symbols): set them. */
void btf_set_datasec_size(struct btf *btf, uint32_t id, uint32_t size);
void btf_set_secinfo_offset(struct btf *btf, uint32_t id, uint32_t i,
			    uint32_t offset);
/* The DATASEC named name, or 0. */
uint32_t btf_find_datasec(const struct btf *btf, const char *name);

#endif
