/* SPDX-License-Identifier: MIT */
/*
 * Functions, programs and linking, libbpf's way.
 *
 * Every function symbol of a code section is a function; those outside
 * .text are programs, those in .text subprograms. Each program gets its
 * own copy of every subprogram it reaches (calls and callback addresses),
 * appended after its code in the order they are first met, with calls and
 * `lddw` function addresses rewritten pc-relative to the copy, and map and
 * global-data references rewritten to map indexes.
 *
 * Older objects are accepted too: symbols without a type or size (old
 * clang, iproute2 and samples/bpf builds) start a function that runs to
 * the next one; a code section without any symbol is one program named
 * after the section; and an object whose only functions are in .text
 * (verifier test builds) gets its global .text functions as programs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf_internal.h"

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static bpfvm_insn decode(const uint8_t *p)
{
	bpfvm_insn in;

	in.code = p[0];
	in.dst = p[1] & 0xf;
	in.src = p[1] >> 4;
	in.off = (int16_t)(uint16_t)(p[2] | p[3] << 8);
	in.imm = (int32_t)rd32(p + 4);
	return in;
}

/* ---- functions ---- */

static bool is_func_sym(const struct bpfvm_elf *elf, const struct elf_sym *s)
{
	if (s->shndx >= elf->nsecs || elf->secs[s->shndx].role != SEC_CODE ||
	    !s->name[0])
		return false;
	return s->type == STT_FUNC ||
	       (s->type == STT_NOTYPE &&
		(s->bind == STB_GLOBAL || s->bind == STB_WEAK));
}

static int cmp_func(const void *a, const void *b)
{
	const struct elf_func *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* Sized before unsized at one address: aliases adopt the size. */
	return x->end > y->end ? -1 : x->end < y->end;
}

static int add_func(struct bpfvm_elf *elf, const struct elf_sym *y,
		    bpfvm_error *err)
{
	const struct elf_sec *s = &elf->secs[y->shndx];
	struct elf_func *f;

	if (y->value % BPF_INSN_SIZE || y->size % BPF_INSN_SIZE ||
	    y->value > s->size || y->size > s->size - y->value)
		return elf_fail_sec(elf, err, y->shndx,
				    "function '%.64s' at "
				    "offset 0x%llx + size 0x%llx is not whole "
				    "instructions inside the %llu-byte section",
				    y->name, (unsigned long long)y->value,
				    (unsigned long long)y->size,
				    (unsigned long long)s->size);
	f = &elf->funcs[elf->nfuncs++];
	f->name = y->name;
	f->sec = y->shndx;
	f->start = y->value / BPF_INSN_SIZE;
	f->end = y->size ? f->start + y->size / BPF_INSN_SIZE : 0;
	f->global = y->bind == STB_GLOBAL || y->bind == STB_WEAK;
	return 0;
}

/* One section's functions, sorted, [first, last): unsized ones get an
 * extent (an alias's at the same place, else up to the next function),
 * then overlaps are refused. */
static int settle_section(struct bpfvm_elf *elf, size_t first, size_t last,
			  bpfvm_error *err)
{
	struct elf_func *fs = elf->funcs;
	uint32_t sec = fs[first].sec;
	uint64_t next = elf->secs[sec].size / BPF_INSN_SIZE;

	for (size_t k = first + 1; k < last; k++)
		if (!fs[k].end && fs[k - 1].start == fs[k].start)
			fs[k].end = fs[k - 1].end;
	for (size_t k = last; k-- > first;) {
		if (k + 1 < last && fs[k + 1].start > fs[k].start)
			next = fs[k + 1].start;
		if (!fs[k].end)
			fs[k].end = next;
	}
	/* Sorted by start: any overlap shows between neighbours. */
	for (size_t k = first + 1; k < last; k++) {
		const struct elf_func *a = &fs[k - 1], *b = &fs[k];

		if (b->start < a->end &&
		    (b->start != a->start || b->end != a->end))
			return elf_fail_sec(elf, err, sec,
					    "functions '%.64s' "
					    "(instructions %llu-%llu) and "
					    "'%.64s' (%llu-%llu) overlap",
					    a->name,
					    (unsigned long long)a->start,
					    (unsigned long long)a->end, b->name,
					    (unsigned long long)b->start,
					    (unsigned long long)b->end);
	}
	return 0;
}

static int collect_funcs(struct bpfvm_elf *elf, bpfvm_error *err)
{
	size_t nprogs = 0, w = 0;
	bool *named;

	elf->funcs = calloc(elf->nsyms + elf->nsecs + 1, sizeof(*elf->funcs));
	named = calloc(elf->nsecs + 1, sizeof(*named));
	if (!elf->funcs || !named) {
		free(named);
		return bpfvm_fail(err, -1, "out of memory");
	}
	for (size_t i = 0; i < elf->nsyms; i++) {
		const struct elf_sym *y = &elf->syms[i];

		if (!is_func_sym(elf, y))
			continue;
		if (add_func(elf, y, err)) {
			free(named);
			return -1;
		}
		named[y->shndx] = true;
	}
	/* Code nobody named: one program called after its section. */
	for (size_t sec = 1; sec < elf->nsecs; sec++) {
		const struct elf_sec *s = &elf->secs[sec];
		struct elf_func *f;

		if (s->role != SEC_CODE || named[sec] || !s->size)
			continue;
		f = &elf->funcs[elf->nfuncs++];
		f->name = s->name;
		f->sec = (uint32_t)sec;
		f->end = s->size / BPF_INSN_SIZE;
		f->global = true;
	}
	free(named);
	qsort(elf->funcs, elf->nfuncs, sizeof(*elf->funcs), cmp_func);
	for (size_t k = 0, first = 0; k < elf->nfuncs; k++) {
		if (k + 1 < elf->nfuncs &&
		    elf->funcs[k + 1].sec == elf->funcs[first].sec)
			continue;
		if (settle_section(elf, first, k + 1, err))
			return -1;
		first = k + 1;
	}
	/* Empty functions (a symbol at the very end) hold nothing. */
	for (size_t k = 0; k < elf->nfuncs; k++)
		if (elf->funcs[k].end > elf->funcs[k].start)
			elf->funcs[w++] = elf->funcs[k];
	elf->nfuncs = w;
	for (size_t k = 0; k < elf->nfuncs; k++) {
		struct elf_func *f = &elf->funcs[k];

		f->is_prog = strcmp(elf->secs[f->sec].name, ".text") != 0;
		nprogs += f->is_prog;
	}
	for (size_t k = 0; !nprogs && k < elf->nfuncs; k++)
		elf->funcs[k].is_prog = elf->funcs[k].global;
	return 0;
}

/* The function of section sec starting at instruction idx, or -1. */
static long func_at(const struct bpfvm_elf *elf, uint32_t sec, uint64_t idx)
{
	size_t lo = 0, hi = elf->nfuncs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct elf_func *f = &elf->funcs[mid];

		if (f->sec < sec || (f->sec == sec && f->start < idx))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < elf->nfuncs && elf->funcs[lo].sec == sec &&
	    elf->funcs[lo].start == idx)
		return (long)lo;
	return -1;
}

/* ---- linking one program ---- */

struct link {
	struct bpfvm_elf *elf;
	const struct elf_func *prog;
	size_t *order; /* functions in output order */
	size_t norder;
	uint64_t *out_off; /* per function: its output offset... */
	uint32_t *placed;  /* ...if placed[k] is this program's generation */
	uint32_t gen;
	bpfvm_insn *out;
	size_t count;
	size_t cap;
	bpfvm_error *err;
};

static int link_fail(const struct link *l, const struct elf_func *f,
		     uint64_t idx, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int link_fail(const struct link *l, const struct elf_func *f,
		     uint64_t idx, const char *fmt, ...)
{
	char where[128], what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return bpfvm_fail(l->err, -1,
			  "%s: offset 0x%llx (in '%.48s', "
			  "program '%.48s'): %s",
			  elf_sec_desc(l->elf, f->sec, where, sizeof(where)),
			  (unsigned long long)(idx * BPF_INSN_SIZE), f->name,
			  l->prog->name, what);
}

/* Append function k to the program unless it is there already. */
static int place(struct link *l, size_t k)
{
	const struct elf_func *f = &l->elf->funcs[k];
	const struct elf_sec *s = &l->elf->secs[f->sec];
	size_t len = (size_t)(f->end - f->start);

	if (l->placed[k] == l->gen)
		return 0;
	if (len > BPFVM_MAX_INSNS - l->count)
		return bpfvm_fail(l->err, -1,
				  "program '%.64s' with its "
				  "subprograms exceeds %d instructions",
				  l->prog->name, BPFVM_MAX_INSNS);
	if (len > l->elf->insn_budget)
		return bpfvm_fail(l->err, -1,
				  "program '%.64s': the object's "
				  "programs with their subprograms exceed the "
				  "instruction budget of a %zu-byte file (64 "
				  "copies of its code)",
				  l->prog->name, l->elf->size);
	if (l->count + len > l->cap) {
		size_t cap = l->cap ? l->cap : 64;
		bpfvm_insn *out;

		while (cap < l->count + len)
			cap *= 2;
		out = realloc(l->out, cap * sizeof(*out));
		if (!out)
			return bpfvm_fail(l->err, -1,
					  "out of memory for %zu "
					  "instructions",
					  cap);
		l->out = out;
		l->cap = cap;
	}
	for (size_t i = 0; i < len; i++)
		l->out[l->count + i] =
			decode(s->data + (f->start + i) * BPF_INSN_SIZE);
	l->elf->insn_budget -= len;
	l->out_off[k] = l->count;
	l->placed[k] = l->gen;
	l->count += len;
	l->order[l->norder++] = k;
	return 0;
}

/* Point the instruction at output pc to function k (placing it): the
 * kernel's pc-relative encoding, target - pc - 1. */
static int target_func(struct link *l, const struct elf_func *f, uint64_t idx,
		       uint32_t sec, int64_t target, size_t pc)
{
	const struct elf_sec *s = &l->elf->secs[sec];
	long k;

	if (target < 0 || (uint64_t)target >= s->size / BPF_INSN_SIZE)
		return link_fail(l, f, idx,
				 "call or function address target "
				 "is outside %s",
				 s->name);
	k = func_at(l->elf, sec, (uint64_t)target);
	if (k < 0)
		return link_fail(l, f, idx,
				 "call or function address target "
				 "is not the start of a function of %s",
				 s->name);
	if (place(l, (size_t)k))
		return -1;
	l->out[pc].imm = (int32_t)((int64_t)l->out_off[k] - (int64_t)pc - 1);
	return 0;
}

/* A call or function address without relocation: a static function of
 * the same section, imm already relative within the section (libbpf's
 * rule too). */
static int link_local(struct link *l, const struct elf_func *f, uint64_t idx,
		      size_t pc)
{
	int64_t target = (int64_t)idx + 1 + l->out[pc].imm;

	if (target >= (int64_t)f->start && target < (int64_t)f->end)
		return 0; /* inside this copy: offset unchanged */
	return target_func(l, f, idx, f->sec, target, pc);
}

static int link_lddw(struct link *l, const struct elf_func *f, uint64_t idx,
		     const struct elf_rel *r, size_t pc)
{
	const struct bpfvm_elf *elf = l->elf;
	const struct elf_sym *sym = &elf->syms[r->sym];
	const char *name = elf_sym_name(elf, r->sym);
	int64_t off = (int64_t)sym->value + l->out[pc].imm;
	const struct elf_sec *t;
	int map;

	if (sym->shndx == SHN_UNDEF)
		return link_fail(l, f, idx,
				 "lddw of undefined symbol '%.48s' "
				 "(extern variables, __ksym and __kconfig, "
				 "are not supported)",
				 name);
	if (sym->shndx >= elf->nsecs)
		return link_fail(l, f, idx,
				 "lddw of '%.48s', an absolute or "
				 "common symbol",
				 name);
	t = &elf->secs[sym->shndx];
	switch (t->role) {
	case SEC_MAPS_BTF:
	case SEC_MAPS_LEGACY:
		map = off < 0 ? -1 : elf_map_at(elf, sym->shndx, (uint64_t)off);
		if (map < 0)
			return link_fail(l, f, idx,
					 "lddw of '%.48s': no map is "
					 "defined there in %.48s",
					 name, t->name);
		l->out[pc].src = BPFVM_PSEUDO_MAP_IDX;
		l->out[pc].imm = map;
		l->out[pc + 1].imm = 0;
		return 0;
	case SEC_DATA:
	case SEC_RODATA:
	case SEC_BSS:
		if (t->data_map < 0 || off < 0 || (uint64_t)off > t->size)
			return link_fail(l, f, idx,
					 "lddw of '%.48s': the "
					 "offset is outside %.48s",
					 name, t->name);
		l->out[pc].src = BPFVM_PSEUDO_MAP_IDX_VALUE;
		l->out[pc].imm = t->data_map;
		l->out[pc + 1].imm = (int32_t)(uint32_t)off;
		return 0;
	case SEC_CODE:
		if (off < 0 || off % BPF_INSN_SIZE)
			return link_fail(
				l, f, idx,
				"lddw of function '%.48s': "
				"offset is not an instruction of %.48s",
				name, t->name);
		l->out[pc].src = BPFVM_PSEUDO_FUNC;
		l->out[pc + 1].imm = 0;
		return target_func(l, f, idx, sym->shndx, off / BPF_INSN_SIZE,
				   pc);
	default:
		return link_fail(l, f, idx,
				 "lddw of '%.48s' in %.48s, which is "
				 "neither a map, global data nor code",
				 name, t->name);
	}
}

static int link_call(struct link *l, const struct elf_func *f, uint64_t idx,
		     const struct elf_rel *r, size_t pc)
{
	const struct bpfvm_elf *elf = l->elf;
	const struct elf_sym *sym;
	const char *name;
	int64_t target;

	if (!r)
		return link_local(l, f, idx, pc);
	sym = &elf->syms[r->sym];
	name = elf_sym_name(elf, r->sym);
	if (sym->shndx == SHN_UNDEF)
		return link_fail(l, f, idx,
				 "call of undefined function "
				 "'%.48s' (extern functions and kfuncs are "
				 "not supported)",
				 name);
	if (sym->shndx >= elf->nsecs || elf->secs[sym->shndx].role != SEC_CODE)
		return link_fail(l, f, idx,
				 "call of '%.48s', which is not in "
				 "a code section",
				 name);
	if (l->out[pc].src != BPFVM_CALL_LOCAL)
		return link_fail(l, f, idx,
				 "call of '%.48s' is relocated but "
				 "is not a bpf-to-bpf call (src 1)",
				 name);
	if (sym->value % BPF_INSN_SIZE)
		return link_fail(l, f, idx,
				 "call of '%.48s': symbol value is "
				 "not an instruction",
				 name);
	/* Symbol's instruction + imm + 1: for a global function imm is -1;
	 * against a section symbol imm is the callee's index - 1. */
	target = (int64_t)(sym->value / BPF_INSN_SIZE) + l->out[pc].imm + 1;
	return target_func(l, f, idx, sym->shndx, target, pc);
}

static int link_func(struct link *l, size_t k)
{
	const struct elf_func *f = &l->elf->funcs[k];
	const struct elf_sec *s = &l->elf->secs[f->sec];
	uint64_t len = f->end - f->start;

	for (uint64_t i = 0; i < len; i++) {
		uint64_t idx = f->start + i;
		const struct elf_rel *r = elf_find_rel(s, idx * BPF_INSN_SIZE);
		size_t pc = (size_t)(l->out_off[k] + i);
		uint8_t code = l->out[pc].code;

		if (code == BPFVM_OP_LDDW) {
			if (i + 1 == len)
				return link_fail(l, f, idx,
						 "lddw is missing "
						 "its second slot at the end "
						 "of '%.48s'",
						 f->name);
			if (!r &&
			    (l->out[pc].src == BPFVM_PSEUDO_MAP_IDX ||
			     l->out[pc].src == BPFVM_PSEUDO_MAP_IDX_VALUE))
				return link_fail(l, f, idx,
						 "lddw with src %u "
						 "(a map index) but no "
						 "relocation to say which map",
						 l->out[pc].src);
			if (r ? link_lddw(l, f, idx, r, pc)
			      : l->out[pc].src == BPFVM_PSEUDO_FUNC &&
					    link_local(l, f, idx, pc))
				return -1;
			if (elf_find_rel(s, (idx + 1) * BPF_INSN_SIZE))
				return link_fail(l, f, idx + 1,
						 "relocation "
						 "on the second slot of an "
						 "lddw");
			i++;
		} else if (code == BPFVM_OP_CALL &&
			   (r || l->out[pc].src == BPFVM_CALL_LOCAL)) {
			if (link_call(l, f, idx, r, pc))
				return -1;
		}
	}
	return 0;
}

static int link_prog(struct bpfvm_elf *elf, size_t k, struct link *l,
		     struct bpfvm_elf_prog *p)
{
	const struct elf_func *f = &elf->funcs[k];

	l->prog = f;
	l->norder = 0;
	l->count = 0;
	l->gen++; /* forgets every placement of the previous program */
	if (place(l, k))
		return -1;
	/* order grows while it is walked: callees of callees follow. */
	for (size_t i = 0; i < l->norder; i++)
		if (link_func(l, l->order[i]))
			return -1;
	p->name = f->name;
	p->section = elf->secs[f->sec].name;
	p->type = bpfvm_prog_type_of_section(p->section);
	p->count = l->count;
	p->insns = malloc(l->count * sizeof(*p->insns));
	if (!p->insns)
		return bpfvm_fail(l->err, -1, "out of memory");
	memcpy(p->insns, l->out, l->count * sizeof(*p->insns));
	return 0;
}

int elf_read_progs(struct bpfvm_elf *elf, bpfvm_error *err)
{
	struct link l = { .elf = elf, .err = err };
	size_t code = 0;
	int rc = -1;

	if (collect_funcs(elf, err))
		return -1;
	for (size_t k = 0; k < elf->nfuncs; k++) {
		code += elf->funcs[k].end - elf->funcs[k].start;
		elf->nprogs += elf->funcs[k].is_prog;
	}
	/* Subprograms are copied into every program using them: bound the
	 * total by the input, not by what a crafted call graph asks. */
	elf->insn_budget =
		code < BPFVM_MAX_INSNS / 64 ? BPFVM_MAX_INSNS : 64 * code;
	elf->progs = calloc(elf->nprogs + 1, sizeof(*elf->progs));
	l.order = calloc(elf->nfuncs + 1, sizeof(*l.order));
	l.out_off = calloc(elf->nfuncs + 1, sizeof(*l.out_off));
	l.placed = calloc(elf->nfuncs + 1, sizeof(*l.placed));
	if (!elf->progs || !l.order || !l.out_off || !l.placed) {
		bpfvm_fail(err, -1, "out of memory");
		goto out;
	}
	for (size_t k = 0, n = 0; k < elf->nfuncs; k++)
		if (elf->funcs[k].is_prog &&
		    link_prog(elf, k, &l, &elf->progs[n++]))
			goto out;
	rc = 0;
out:
	free(l.order);
	free(l.out_off);
	free(l.placed);
	free(l.out);
	return rc;
}
