/* SPDX-License-Identifier: MIT */
/*
 * Building small BPF ELF objects (and .BTF blobs) byte by byte, for tests
 * that need exact control of sections, symbols and relocations: the
 * expected linking results are then known to the instruction, and any
 * field can be corrupted on purpose.
 *
 *     struct eb b;
 *     eb_init(&b);
 *     int text = eb_code(&b, ".text", insns, n);
 *     int f = eb_sym(&b, "f", text, 0, 16, STT_FUNC, STB_GLOBAL);
 *     eb_rel(&b, prog_sec, 8, R_BPF_64_32, f);
 *     size_t size = eb_build(&b);   (the object is b.out[0, size))
 *
 * Sections get indexes in the order added (from 1); eb_build appends a
 * .rel<name> section per section with relocations, then .symtab, .strtab
 * and .shstrtab, then the section header table. Symbol 0 is the null
 * symbol; eb_sym returns indexes from 1.
 */
#ifndef BPFVM_TEST_ELF_BUILDER_H
#define BPFVM_TEST_ELF_BUILDER_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum {
	EB_SHT_PROGBITS = 1,
	EB_SHT_SYMTAB = 2,
	EB_SHT_STRTAB = 3,
	EB_SHT_RELA = 4,
	EB_SHT_NOBITS = 8,
	EB_SHT_REL = 9,
	EB_SHF_WRITE = 1,
	EB_SHF_ALLOC = 2,
	EB_SHF_EXEC = 4,
	EB_STT_NOTYPE = 0,
	EB_STT_OBJECT = 1,
	EB_STT_FUNC = 2,
	EB_STT_SECTION = 3,
	EB_STB_LOCAL = 0,
	EB_STB_GLOBAL = 1,
	EB_R_64_64 = 1,
	EB_R_ABS64 = 2,
	EB_R_64_32 = 10,
};

/* One instruction slot as its little-endian u64. */
#define EB_INSN(code, dst, src, off, imm)                                      \
	((uint64_t)(uint8_t)(code) | (uint64_t)((dst)&0xf) << 8 |              \
	 (uint64_t)((src)&0xf) << 12 | (uint64_t)(uint16_t)(off) << 16 |       \
	 (uint64_t)(uint32_t)(imm) << 32)
#define EB_MOV(dst, imm)       EB_INSN(0xb7, dst, 0, 0, imm)
#define EB_EXIT()	       EB_INSN(0x95, 0, 0, 0, 0)
#define EB_CALL(src, imm)      EB_INSN(0x85, 0, src, 0, imm)
#define EB_LDDW(dst, src, imm) EB_INSN(0x18, dst, src, 0, imm), 0

#define EB_MAX_SECS 32
#define EB_MAX_SYMS 64
#define EB_MAX_RELS 64
#define EB_MAX_OUT  (1 << 16)

struct eb_sec {
	const char *name;
	uint32_t type;
	uint64_t flags;
	uint8_t data[2048];
	size_t size;
	uint32_t link, info;
	uint64_t entsize;
	uint64_t off; /* set by eb_build */
};

struct eb {
	struct eb_sec sec[EB_MAX_SECS];
	int nsec;
	struct {
		const char *name;
		uint64_t value, size;
		uint8_t type, bind;
		uint16_t shndx;
	} sym[EB_MAX_SYMS];
	int nsym;
	struct {
		int sec;
		uint64_t off;
		uint32_t type;
		uint32_t sym;
	} rel[EB_MAX_RELS];
	int nrel;
	uint32_t rel_type; /* EB_SHT_REL, or EB_SHT_RELA to test refusal */
	int nuser;	   /* sections added by the test (eb_build adds more) */
	uint8_t out[EB_MAX_OUT];
	size_t len;
	/* Where eb_build put things, for tests that corrupt them. */
	uint64_t shoff;
	int symtab, strtab, shstrtab;
};

static inline void eb_init(struct eb *b)
{
	memset(b, 0, sizeof(*b));
	b->nsec = 1;
	b->nsym = 1;
	b->rel_type = EB_SHT_REL;
}

static inline void eb_put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline int eb_sec(struct eb *b, const char *name, uint32_t type,
			 uint64_t flags, const void *data, size_t size)
{
	struct eb_sec *s = &b->sec[b->nsec];

	memset(s, 0, sizeof(*s));
	s->name = name;
	s->type = type;
	s->flags = flags;
	s->size = size;
	if (data && size <= sizeof(s->data))
		memcpy(s->data, data, size);
	return b->nsec++;
}

static inline int eb_code(struct eb *b, const char *name, const uint64_t *insns,
			  size_t n)
{
	int i = eb_sec(b, name, EB_SHT_PROGBITS, EB_SHF_ALLOC | EB_SHF_EXEC,
		       NULL, 8 * n);

	for (size_t k = 0; k < n; k++)
		eb_put(b->sec[i].data + 8 * k, insns[k], 8);
	return i;
}

static inline int eb_sym(struct eb *b, const char *name, int shndx,
			 uint64_t value, uint64_t size, int type, int bind)
{
	b->sym[b->nsym].name = name;
	b->sym[b->nsym].value = value;
	b->sym[b->nsym].size = size;
	b->sym[b->nsym].type = (uint8_t)type;
	b->sym[b->nsym].bind = (uint8_t)bind;
	b->sym[b->nsym].shndx = (uint16_t)shndx;
	return b->nsym++;
}

static inline void eb_rel(struct eb *b, int sec, uint64_t off, uint32_t type,
			  int sym)
{
	b->rel[b->nrel].sec = sec;
	b->rel[b->nrel].off = off;
	b->rel[b->nrel].type = type;
	b->rel[b->nrel].sym = (uint32_t)sym;
	b->nrel++;
}

/* Append a string to a string table section; its offset. */
static inline uint32_t eb_str(struct eb_sec *s, const char *str)
{
	size_t n = strlen(str) + 1;
	uint32_t off = (uint32_t)s->size;

	memcpy(s->data + s->size, str, n);
	s->size += n;
	return off;
}

static inline size_t eb_build(struct eb *b)
{
	static char rel_names[EB_MAX_SECS][80];
	uint32_t name_off[EB_MAX_SECS];
	int nuser, relsec[EB_MAX_SECS] = { 0 };
	struct eb_sec *st, *sh;
	size_t pos;

	/* Building again (after changing a field) starts from the test's
	 * own sections. */
	if (b->nuser)
		b->nsec = b->nuser;
	else
		b->nuser = b->nsec;
	nuser = b->nsec;

	for (int i = 1; i < nuser; i++) {
		int n = 0;

		for (int r = 0; r < b->nrel; r++)
			n += b->rel[r].sec == i;
		if (!n)
			continue;
		snprintf(rel_names[i], sizeof(rel_names[i]), ".rel%s",
			 b->sec[i].name);
		relsec[i] = eb_sec(b, rel_names[i], b->rel_type, 0, NULL, 0);
		b->sec[relsec[i]].info = (uint32_t)i;
		b->sec[relsec[i]].entsize = 16;
		for (int r = 0; r < b->nrel; r++) {
			struct eb_sec *s = &b->sec[relsec[i]];

			if (b->rel[r].sec != i)
				continue;
			eb_put(s->data + s->size, b->rel[r].off, 8);
			eb_put(s->data + s->size + 8,
			       (uint64_t)b->rel[r].sym << 32 | b->rel[r].type,
			       8);
			s->size += 16;
		}
	}
	b->symtab = eb_sec(b, ".symtab", EB_SHT_SYMTAB, 0, NULL, 0);
	b->strtab = eb_sec(b, ".strtab", EB_SHT_STRTAB, 0, NULL, 0);
	b->shstrtab = eb_sec(b, ".shstrtab", EB_SHT_STRTAB, 0, NULL, 0);
	for (int i = 1; i < b->nsec; i++)
		if (b->sec[i].type == EB_SHT_REL ||
		    b->sec[i].type == EB_SHT_RELA)
			b->sec[i].link = (uint32_t)b->symtab;
	st = &b->sec[b->strtab];
	eb_str(st, "");
	b->sec[b->symtab].size = 24; /* the null symbol */
	b->sec[b->symtab].entsize = 24;
	b->sec[b->symtab].link = (uint32_t)b->strtab;
	b->sec[b->symtab].info = 1;
	for (int i = 1; i < b->nsym; i++) {
		uint8_t *p = b->sec[b->symtab].data + 24 * i;

		eb_put(p, eb_str(st, b->sym[i].name), 4);
		p[4] = (uint8_t)(b->sym[i].bind << 4 | b->sym[i].type);
		eb_put(p + 6, b->sym[i].shndx, 2);
		eb_put(p + 8, b->sym[i].value, 8);
		eb_put(p + 16, b->sym[i].size, 8);
		b->sec[b->symtab].size += 24;
	}
	sh = &b->sec[b->shstrtab];
	eb_str(sh, "");
	for (int i = 1; i < b->nsec; i++)
		name_off[i] = eb_str(sh, b->sec[i].name);
	name_off[0] = 0;

	memset(b->out, 0, sizeof(b->out));
	memcpy(b->out, "\177ELF", 4);
	b->out[4] = 2; /* ELFCLASS64 */
	b->out[5] = 1; /* little-endian */
	b->out[6] = 1;
	eb_put(b->out + 16, 1, 2);   /* ET_REL */
	eb_put(b->out + 18, 247, 2); /* EM_BPF */
	eb_put(b->out + 20, 1, 4);
	eb_put(b->out + 52, 64, 2);
	eb_put(b->out + 58, 64, 2);
	eb_put(b->out + 60, (uint64_t)b->nsec, 2);
	eb_put(b->out + 62, (uint64_t)b->shstrtab, 2);
	pos = 64;
	for (int i = 1; i < b->nsec; i++) {
		struct eb_sec *s = &b->sec[i];

		pos = (pos + 7) & ~(size_t)7;
		s->off = pos;
		if (s->type != EB_SHT_NOBITS) {
			memcpy(b->out + pos, s->data, s->size);
			pos += s->size;
		}
	}
	pos = (pos + 7) & ~(size_t)7;
	b->shoff = pos;
	eb_put(b->out + 40, pos, 8);
	for (int i = 1; i < b->nsec; i++) {
		struct eb_sec *s = &b->sec[i];
		uint8_t *h = b->out + pos + 64 * i;

		eb_put(h, name_off[i], 4);
		eb_put(h + 4, s->type, 4);
		eb_put(h + 8, s->flags, 8);
		eb_put(h + 24, s->off, 8);
		eb_put(h + 32, s->size, 8);
		eb_put(h + 40, s->link, 4);
		eb_put(h + 44, s->info, 4);
		eb_put(h + 48, 8, 8);
		eb_put(h + 56, s->entsize, 8);
	}
	b->len = pos + 64 * (size_t)b->nsec;
	return b->len;
}

/* Where section i's header is in the built object. */
static inline uint8_t *eb_shdr(struct eb *b, int i)
{
	return b->out + b->shoff + 64 * (size_t)i;
}

/* ---- .BTF blobs ---- */

struct bb {
	uint8_t types[4096];
	size_t tlen;
	char strs[1024];
	size_t slen;
	uint32_t n; /* types so far */
};

static inline void bb_init(struct bb *t)
{
	memset(t, 0, sizeof(*t));
	t->slen = 1;
}

static inline uint32_t bb_str(struct bb *t, const char *s)
{
	size_t n = strlen(s) + 1;
	uint32_t off = (uint32_t)t->slen;

	if (!*s)
		return 0;
	memcpy(t->strs + t->slen, s, n);
	t->slen += n;
	return off;
}

static inline void bb_u32(struct bb *t, uint32_t v)
{
	eb_put(t->types + t->tlen, v, 4);
	t->tlen += 4;
}

/* A type record; returns its id. Extra words follow with bb_u32. */
static inline uint32_t bb_type(struct bb *t, const char *name, uint32_t kind,
			       uint32_t vlen, int kflag, uint32_t size_or_type)
{
	bb_u32(t, bb_str(t, name));
	bb_u32(t, (uint32_t)kflag << 31 | kind << 24 | vlen);
	bb_u32(t, size_or_type);
	return ++t->n;
}

/* A member / param / enumerator / secinfo: name then words. */
static inline void bb_member(struct bb *t, const char *name, uint32_t type,
			     uint32_t offset)
{
	bb_u32(t, bb_str(t, name));
	bb_u32(t, type);
	bb_u32(t, offset);
}

/* The .BTF section's bytes into out; their size. */
static inline size_t bb_blob(const struct bb *t, uint8_t *out)
{
	memset(out, 0, 24);
	eb_put(out, 0xeb9f, 2);
	out[2] = 1;
	eb_put(out + 4, 24, 4);
	eb_put(out + 8, 0, 4);
	eb_put(out + 12, t->tlen, 4);
	eb_put(out + 16, t->tlen, 4);
	eb_put(out + 20, t->slen, 4);
	memcpy(out + 24, t->types, t->tlen);
	memcpy(out + 24 + t->tlen, t->strs, t->slen);
	return 24 + t->tlen + t->slen;
}

#endif
