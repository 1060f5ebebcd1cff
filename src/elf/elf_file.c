/* SPDX-License-Identifier: MIT */
/*
 * ELF64 little-endian relocatable files: the header, the section table,
 * section names and the symbol table, each offset, size and index checked
 * against the file before anything is read through it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf_internal.h"

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

const char *elf_sec_desc(const struct bpfvm_elf *elf, size_t sec, char *buf,
			 size_t len)
{
	const char *name = sec < elf->nsecs ? elf->secs[sec].name : NULL;

	if (name)
		snprintf(buf, len, "section %zu (%.80s)", sec, name);
	else
		snprintf(buf, len, "section %zu", sec);
	return buf;
}

int elf_fail_sec(const struct bpfvm_elf *elf, bpfvm_error *err, size_t sec,
		 const char *fmt, ...)
{
	char what[sizeof(err->msg)], where[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return bpfvm_fail(err, -1, "%s: %s",
			  elf_sec_desc(elf, sec, where, sizeof(where)), what);
}

const char *elf_sym_name(const struct bpfvm_elf *elf, size_t i)
{
	const struct elf_sym *s;

	if (i >= elf->nsyms)
		return "?";
	s = &elf->syms[i];
	/* Section symbols are nameless; their section's name says more. */
	if (s->type == STT_SECTION && !s->name[0] && s->shndx < elf->nsecs)
		return elf->secs[s->shndx].name;
	return s->name;
}

static int read_header(struct bpfvm_elf *elf, uint64_t *shoff, uint32_t *shnum,
		       uint32_t *shstrndx, bpfvm_error *err)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };
	const uint8_t *d = elf->buf;
	uint16_t type, machine, shentsize;

	if (elf->size < ELF_EHDR_SIZE)
		return bpfvm_fail(err, -1,
				  "file is %zu bytes, too short for "
				  "the 64-byte ELF64 header",
				  elf->size);
	if (memcmp(d, magic, 4))
		return bpfvm_fail(err, -1,
				  "not an ELF file (bad magic "
				  "%02x %02x %02x %02x)",
				  d[0], d[1], d[2], d[3]);
	if (d[4] != 2)
		return bpfvm_fail(err, -1,
				  "ELF class %u is not ELFCLASS64: "
				  "BPF objects are 64-bit",
				  d[4]);
	if (d[5] != 1)
		return bpfvm_fail(err, -1,
				  "ELF data encoding %u is not "
				  "little-endian (big-endian BPF objects are "
				  "not supported)",
				  d[5]);
	if (d[6] != 1)
		return bpfvm_fail(err, -1, "ELF version %u is not 1", d[6]);
	type = rd16(d + 16);
	machine = rd16(d + 18);
	if (type != ELF_ET_REL)
		return bpfvm_fail(err, -1,
				  "ELF type %u is not ET_REL: only "
				  "relocatable objects (clang -c) are "
				  "loaded",
				  type);
	if (machine != ELF_EM_BPF)
		return bpfvm_fail(err, -1,
				  "machine %u is not BPF (EM_BPF = "
				  "247)",
				  machine);
	*shoff = rd64(d + 40);
	shentsize = rd16(d + 58);
	*shnum = rd16(d + 60);
	*shstrndx = rd16(d + 62);
	if (!*shnum)
		return bpfvm_fail(
			err, -1,
			*shoff ? "extended section "
				 "numbering (e_shnum 0) is not supported"
			       : "the file has no section headers");
	if (shentsize != ELF_SHDR_SIZE)
		return bpfvm_fail(err, -1, "section header size %u is not 64",
				  shentsize);
	if (*shoff > elf->size ||
	    (uint64_t)*shnum * ELF_SHDR_SIZE > elf->size - *shoff)
		return bpfvm_fail(err, -1,
				  "section header table at 0x%llx + "
				  "%u * 64 bytes is past the end of the "
				  "%zu-byte file",
				  (unsigned long long)*shoff, *shnum,
				  elf->size);
	if (*shstrndx == SHN_XINDEX || *shstrndx >= *shnum)
		return bpfvm_fail(err, -1,
				  "section name table index %u is "
				  "not one of the %u sections",
				  *shstrndx, *shnum);
	return 0;
}

/* Whether [off, off + size) lies in the file, without overflow. */
static bool in_file(const struct bpfvm_elf *elf, uint64_t off, uint64_t size)
{
	return off <= elf->size && size <= elf->size - off;
}

static int check_range(const struct bpfvm_elf *elf, size_t i, bpfvm_error *err)
{
	const struct elf_sec *s = &elf->secs[i];

	if (s->type == SHT_NOBITS || s->type == SHT_NULL)
		return 0;
	if (!in_file(elf, s->offset, s->size))
		return elf_fail_sec(elf, err, i,
				    "offset 0x%llx + size 0x%llx "
				    "is past the end of the %zu-byte file",
				    (unsigned long long)s->offset,
				    (unsigned long long)s->size, elf->size);
	return 0;
}

/* A string table is usable when its last byte ends the last string:
 * then every offset inside it starts a NUL-terminated string. */
static int check_strtab(const struct bpfvm_elf *elf, size_t i, bpfvm_error *err)
{
	const struct elf_sec *s = &elf->secs[i];

	if (s->type != SHT_STRTAB)
		return elf_fail_sec(elf, err, i,
				    "type %u is not a string "
				    "table (SHT_STRTAB)",
				    s->type);
	if (s->size && s->data[s->size - 1])
		return elf_fail_sec(elf, err, i,
				    "string table does not end "
				    "with a NUL byte");
	return 0;
}

static bool has_prefix(const char *s, const char *pfx)
{
	return !strncmp(s, pfx, strlen(pfx));
}

/* A name, or a name followed by ".anything" (".rodata.str1.1"). */
static bool is_dotted(const char *s, const char *base)
{
	size_t n = strlen(base);

	return !strncmp(s, base, n) && (!s[n] || s[n] == '.');
}

/* The loader's view of a section, from its flags and name (libbpf's). */
static enum elf_sec_role role_of(const struct elf_sec *s)
{
	static const struct {
		const char *name;
		enum elf_sec_role role;
	} exact[] = {
		{ ".maps", SEC_MAPS_BTF },  { "maps", SEC_MAPS_LEGACY },
		{ "license", SEC_LICENSE }, { "version", SEC_VERSION },
		{ ".BTF", SEC_BTF },
	};

	if (s->type == SHT_PROGBITS && (s->flags & SHF_EXECINSTR))
		return SEC_CODE;
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (!strcmp(s->name, exact[i].name))
			return exact[i].role;
	/* iproute2 and older samples name legacy map sections maps/<map>. */
	if (has_prefix(s->name, "maps/"))
		return SEC_MAPS_LEGACY;
	if (s->type != SHT_PROGBITS && s->type != SHT_NOBITS)
		return SEC_OTHER;
	if (is_dotted(s->name, ".data"))
		return SEC_DATA;
	if (is_dotted(s->name, ".rodata"))
		return SEC_RODATA;
	if (!strcmp(s->name, ".bss")) /* libbpf has no .bss.* maps */
		return SEC_BSS;
	return SEC_OTHER;
}

static int read_sections(struct bpfvm_elf *elf, uint64_t shoff, uint32_t shnum,
			 uint32_t shstrndx, bpfvm_error *err)
{
	const struct elf_sec *names;

	elf->secs = calloc(shnum, sizeof(*elf->secs));
	if (!elf->secs)
		return bpfvm_fail(err, -1, "out of memory for %u sections",
				  shnum);
	elf->nsecs = shnum;
	for (uint32_t i = 0; i < shnum; i++) {
		const uint8_t *h = elf->buf + shoff + (uint64_t)i * 64;
		struct elf_sec *s = &elf->secs[i];

		s->type = rd32(h + 4);
		s->flags = rd64(h + 8);
		s->offset = rd64(h + 24);
		s->size = rd64(h + 32);
		s->link = rd32(h + 40);
		s->info = rd32(h + 44);
		s->entsize = rd64(h + 56);
		s->data_map = -1;
		s->rel_sec = -1;
	}
	/* Names first (messages use them), through a checked name table. */
	names = &elf->secs[shstrndx];
	if (names->type != SHT_STRTAB)
		return elf_fail_sec(elf, err, shstrndx,
				    "the section name "
				    "table has type %u, not SHT_STRTAB",
				    names->type);
	if (check_range(elf, shstrndx, err))
		return -1;
	elf->secs[shstrndx].data = elf->buf + names->offset;
	if (check_strtab(elf, shstrndx, err))
		return -1;
	for (uint32_t i = 0; i < shnum; i++) {
		uint32_t off = rd32(elf->buf + shoff + (uint64_t)i * 64);

		if (off >= names->size)
			return elf_fail_sec(elf, err, i,
					    "name offset %u is "
					    "past the %llu-byte section name "
					    "table",
					    off,
					    (unsigned long long)names->size);
		elf->secs[i].name = (const char *)names->data + off;
	}
	for (uint32_t i = 0; i < shnum; i++) {
		struct elf_sec *s = &elf->secs[i];

		if (check_range(elf, i, err))
			return -1;
		if (s->type != SHT_NOBITS && s->type != SHT_NULL)
			s->data = elf->buf + s->offset;
		if (i)
			s->role = role_of(s);
		if (s->role == SEC_CODE && s->size % BPF_INSN_SIZE)
			return elf_fail_sec(elf, err, i,
					    "code size %llu is "
					    "not a multiple of 8",
					    (unsigned long long)s->size);
	}
	return 0;
}

static int read_symbol(struct bpfvm_elf *elf, const struct elf_sec *strs,
		       size_t i, const uint8_t *p, bpfvm_error *err)
{
	struct elf_sym *s = &elf->syms[i];
	uint32_t name = rd32(p);

	if (name >= strs->size)
		return elf_fail_sec(elf, err, elf->symtab,
				    "symbol %zu: name "
				    "offset %u is past the %llu-byte string "
				    "table",
				    i, name, (unsigned long long)strs->size);
	s->name = (const char *)strs->data + name;
	s->type = p[4] & 0xf;
	s->bind = p[4] >> 4;
	s->shndx = rd16(p + 6);
	s->value = rd64(p + 8);
	s->size = rd64(p + 16);
	if (s->shndx == SHN_XINDEX ||
	    (s->shndx >= elf->nsecs && s->shndx < SHN_LORESERVE))
		return elf_fail_sec(elf, err, elf->symtab,
				    "symbol %zu '%.64s': "
				    "section index %u is not one of the %zu "
				    "sections",
				    i, s->name, s->shndx, elf->nsecs);
	return 0;
}

static int read_symbols(struct bpfvm_elf *elf, bpfvm_error *err)
{
	const struct elf_sec *tab, *strs;

	elf->symtab = -1;
	for (size_t i = 1; i < elf->nsecs; i++) {
		if (elf->secs[i].type != SHT_SYMTAB)
			continue;
		if (elf->symtab >= 0)
			return elf_fail_sec(elf, err, i,
					    "a second symbol "
					    "table (the first is section %d)",
					    elf->symtab);
		elf->symtab = (int)i;
	}
	if (elf->symtab < 0)
		return 0; /* nothing refers to symbols then; checked later */
	tab = &elf->secs[elf->symtab];
	if (tab->entsize != ELF_SYM_SIZE || tab->size % ELF_SYM_SIZE)
		return elf_fail_sec(elf, err, elf->symtab,
				    "entry size %llu "
				    "and size %llu do not make 24-byte "
				    "symbols",
				    (unsigned long long)tab->entsize,
				    (unsigned long long)tab->size);
	if (!tab->link || tab->link >= elf->nsecs)
		return elf_fail_sec(elf, err, elf->symtab,
				    "string table "
				    "index (sh_link) %u is not one of the %zu "
				    "sections",
				    tab->link, elf->nsecs);
	if (check_strtab(elf, tab->link, err))
		return -1;
	strs = &elf->secs[tab->link];
	elf->nsyms = tab->size / ELF_SYM_SIZE;
	elf->syms = calloc(elf->nsyms + 1, sizeof(*elf->syms));
	if (!elf->syms)
		return bpfvm_fail(err, -1, "out of memory for %zu symbols",
				  elf->nsyms);
	for (size_t i = 0; i < elf->nsyms; i++)
		if (read_symbol(elf, strs, i, tab->data + i * ELF_SYM_SIZE,
				err))
			return -1;
	return 0;
}

int elf_read_file(struct bpfvm_elf *elf, bpfvm_error *err)
{
	uint64_t shoff = 0;
	uint32_t shnum = 0, shstrndx = 0;

	if (read_header(elf, &shoff, &shnum, &shstrndx, err) ||
	    read_sections(elf, shoff, shnum, shstrndx, err) ||
	    read_symbols(elf, err))
		return -1;
	return 0;
}
