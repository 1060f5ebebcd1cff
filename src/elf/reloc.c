/* SPDX-License-Identifier: MIT */
/*
 * Relocation sections (.rel<section>). Code relocations are read, checked
 * (the offset is an instruction of the right kind, the type one BPF code
 * uses, the symbol exists) and sorted, for progs.c to apply instruction by
 * instruction. As libbpf does, relocations of sections that are neither
 * code nor .maps (DWARF, .BTF, .BTF.ext, .eh_frame) are skipped: they only
 * matter to debuggers.
 */
#include <stdlib.h>

#include "elf/elf_internal.h"

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static const char *rel_type_name(uint32_t type)
{
	static const char *const names[] = {
		[R_BPF_NONE] = "R_BPF_NONE",
		[R_BPF_64_64] = "R_BPF_64_64",
		[R_BPF_64_ABS64] = "R_BPF_64_ABS64",
		[R_BPF_64_ABS32] = "R_BPF_64_ABS32",
		[R_BPF_64_NODYLD32] = "R_BPF_64_NODYLD32",
		[R_BPF_64_32] = "R_BPF_64_32",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "unknown";
}

static int cmp_rel(const void *a, const void *b)
{
	const struct elf_rel *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* A code relocation must sit on the instruction its type patches. */
static int check_code_rel(const struct bpfvm_elf *elf, size_t rsec,
			  const struct elf_sec *t, const struct elf_rel *r,
			  bpfvm_error *err)
{
	unsigned long long off = (unsigned long long)r->offset;
	uint8_t code;

	if (r->offset % BPF_INSN_SIZE || r->offset >= t->size)
		return elf_fail_sec(elf, err, rsec,
				    "relocation at offset "
				    "0x%llx against '%.64s' is not an "
				    "instruction of the %llu-byte %.64s",
				    off, elf_sym_name(elf, r->sym),
				    (unsigned long long)t->size, t->name);
	code = t->data[r->offset];
	if (r->type == R_BPF_64_64 && code == BPFVM_OP_LDDW &&
	    t->size - r->offset >= 2 * BPF_INSN_SIZE)
		return 0;
	if (r->type == R_BPF_64_32 && code == BPFVM_OP_CALL)
		return 0;
	if (r->type != R_BPF_64_64 && r->type != R_BPF_64_32)
		return elf_fail_sec(elf, err, rsec,
				    "relocation type %u (%s) "
				    "at offset 0x%llx against '%.64s' is not "
				    "supported in code",
				    r->type, rel_type_name(r->type), off,
				    elf_sym_name(elf, r->sym));
	return elf_fail_sec(
		elf, err, rsec,
		"%s at offset 0x%llx against "
		"'%.64s' patches an instruction with opcode 0x%02x, "
		"not %s",
		rel_type_name(r->type), off, elf_sym_name(elf, r->sym), code,
		r->type == R_BPF_64_64 ? "a complete lddw" : "a call");
}

/* .maps relocations set initial map-in-map and prog-array slots; bpfvm
 * does not prefill those, but a broken one is still refused. */
static int check_maps_rel(const struct bpfvm_elf *elf, size_t rsec,
			  const struct elf_sec *t, const struct elf_rel *r,
			  bpfvm_error *err)
{
	if (r->type != R_BPF_64_64 && r->type != R_BPF_64_ABS64)
		return elf_fail_sec(elf, err, rsec,
				    "relocation type %u (%s) "
				    "at offset 0x%llx is not supported in "
				    "%.64s",
				    r->type, rel_type_name(r->type),
				    (unsigned long long)r->offset, t->name);
	if (r->offset > t->size || t->size - r->offset < 8)
		return elf_fail_sec(elf, err, rsec,
				    "relocation at offset "
				    "0x%llx is past the %llu-byte %.64s",
				    (unsigned long long)r->offset,
				    (unsigned long long)t->size, t->name);
	return 0;
}

static int read_rel_section(struct bpfvm_elf *elf, size_t i, bpfvm_error *err)
{
	struct elf_sec *s = &elf->secs[i], *t;
	size_t n;

	if (!s->info || s->info >= elf->nsecs)
		return elf_fail_sec(elf, err, i,
				    "target section index "
				    "(sh_info) %u is not one of the %zu "
				    "sections",
				    s->info, elf->nsecs);
	t = &elf->secs[s->info];
	if (t->role != SEC_CODE && t->role != SEC_MAPS_BTF)
		return 0;
	if (s->type == SHT_RELA)
		return elf_fail_sec(elf, err, i,
				    "RELA relocations for %.64s "
				    "are not supported (BPF uses REL)",
				    t->name);
	if (elf->symtab < 0 || s->link != (uint32_t)elf->symtab)
		return elf_fail_sec(elf, err, i,
				    "symbol table index (sh_link) "
				    "%u is not the symbol table",
				    s->link);
	if (s->entsize != ELF_REL_SIZE || s->size % ELF_REL_SIZE)
		return elf_fail_sec(elf, err, i,
				    "entry size %llu and size "
				    "%llu do not make 16-byte relocations",
				    (unsigned long long)s->entsize,
				    (unsigned long long)s->size);
	if (t->rel_sec >= 0)
		return elf_fail_sec(elf, err, i,
				    "%.64s already has relocation "
				    "section %d",
				    t->name, t->rel_sec);
	t->rel_sec = (int)i;
	n = s->size / ELF_REL_SIZE;
	t->rels = calloc(n + 1, sizeof(*t->rels));
	if (!t->rels)
		return bpfvm_fail(err, -1,
				  "out of memory for %zu "
				  "relocations",
				  n);
	for (size_t k = 0; k < n; k++) {
		const uint8_t *p = s->data + k * ELF_REL_SIZE;
		uint64_t info = rd64(p + 8);
		struct elf_rel r = {
			.offset = rd64(p),
			.type = (uint32_t)info,
			.sym = (uint32_t)(info >> 32),
		};

		if (r.type == R_BPF_NONE)
			continue;
		if (!r.sym || r.sym >= elf->nsyms)
			return elf_fail_sec(elf, err, i,
					    "relocation %zu at "
					    "offset 0x%llx: symbol index %u is "
					    "not one of the %zu symbols",
					    k, (unsigned long long)r.offset,
					    r.sym, elf->nsyms);
		if (t->role == SEC_CODE ? check_code_rel(elf, i, t, &r, err)
					: check_maps_rel(elf, i, t, &r, err))
			return -1;
		t->rels[t->nrels++] = r;
	}
	qsort(t->rels, t->nrels, sizeof(*t->rels), cmp_rel);
	for (size_t k = 1; k < t->nrels; k++)
		if (t->rels[k].offset == t->rels[k - 1].offset)
			return elf_fail_sec(
				elf, err, i,
				"two relocations at "
				"offset 0x%llx",
				(unsigned long long)t->rels[k].offset);
	return 0;
}

int elf_read_relocs(struct bpfvm_elf *elf, bpfvm_error *err)
{
	for (size_t i = 1; i < elf->nsecs; i++) {
		uint32_t type = elf->secs[i].type;

		if ((type == SHT_REL || type == SHT_RELA) &&
		    read_rel_section(elf, i, err))
			return -1;
	}
	return 0;
}

const struct elf_rel *elf_find_rel(const struct elf_sec *sec, uint64_t offset)
{
	size_t lo = 0, hi = sec->nrels;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sec->rels[mid].offset == offset)
			return &sec->rels[mid];
		if (sec->rels[mid].offset < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
