/* SPDX-License-Identifier: MIT */
/*
 * The ELF reader's shared state. The reader works on its own copy of the
 * file; every name, section and symbol below points into that copy and has
 * been bounds-checked once, when it was read, so later stages index freely.
 */
#ifndef BPFVM_ELF_INTERNAL_H
#define BPFVM_ELF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/elf.h"

/* ELF constants this reader needs (no <elf.h>: the host's may lack EM_BPF). */
enum {
	ELF_EHDR_SIZE = 64,
	ELF_SHDR_SIZE = 64,
	ELF_SYM_SIZE = 24,
	ELF_REL_SIZE = 16,
	ELF_EM_BPF = 247,
	ELF_ET_REL = 1,
	SHT_NULL = 0,
	SHT_PROGBITS = 1,
	SHT_SYMTAB = 2,
	SHT_STRTAB = 3,
	SHT_RELA = 4,
	SHT_NOBITS = 8,
	SHT_REL = 9,
	SHF_WRITE = 0x1,
	SHF_ALLOC = 0x2,
	SHF_EXECINSTR = 0x4,
	SHN_UNDEF = 0,
	SHN_LORESERVE = 0xff00,
	SHN_ABS = 0xfff1,
	SHN_COMMON = 0xfff2,
	SHN_XINDEX = 0xffff,
	STB_LOCAL = 0,
	STB_GLOBAL = 1,
	STB_WEAK = 2,
	STT_NOTYPE = 0,
	STT_OBJECT = 1,
	STT_FUNC = 2,
	STT_SECTION = 3,
	STT_FILE = 4,
};

/* BPF relocation types (docs.kernel.org/bpf/llvm_reloc.html). */
enum {
	R_BPF_NONE = 0,
	R_BPF_64_64 = 1,       /* lddw: imm pair = S + A */
	R_BPF_64_ABS64 = 2,    /* data: 64 bits = S + A */
	R_BPF_64_ABS32 = 3,    /* data: 32 bits = S + A */
	R_BPF_64_NODYLD32 = 4, /* data: 32 bits, .BTF.ext and DWARF */
	R_BPF_64_32 = 10,      /* call: imm = (S + A) / 8 - 1 */
};

#define BPF_INSN_SIZE 8

/* What a section is to a BPF loader. */
enum elf_sec_role {
	SEC_OTHER = 0,	 /* ignored (debug info, .BTF.ext, eh_frame, ...) */
	SEC_CODE,	 /* executable: programs or subprograms */
	SEC_MAPS_BTF,	 /* .maps */
	SEC_MAPS_LEGACY, /* maps, maps/<anything> */
	SEC_DATA,	 /* .data, .data.* */
	SEC_RODATA,	 /* .rodata, .rodata.* */
	SEC_BSS,	 /* .bss */
	SEC_LICENSE,
	SEC_VERSION,
	SEC_BTF,
};

struct elf_rel {
	uint64_t offset; /* in the target section */
	uint32_t type;
	uint32_t sym;
};

struct elf_sec {
	const char *name;
	uint32_t type;
	uint64_t flags;
	uint64_t offset;
	uint64_t size;
	uint32_t link;
	uint32_t info;
	uint64_t entsize;
	const uint8_t *data; /* NULL for NOBITS and NULL sections */
	enum elf_sec_role role;
	int data_map; /* global data: its map index, else -1 */
	int rel_sec;  /* code and .maps: the REL section for it, else -1 */
	struct elf_rel *rels; /* code: sorted by offset */
	size_t nrels;
};

struct elf_sym {
	const char *name;
	uint64_t value;
	uint64_t size;
	uint16_t shndx;
	uint8_t type;
	uint8_t bind;
};

/* A function: a range of instructions of one code section. */
struct elf_func {
	const char *name;
	uint32_t sec;
	uint64_t start; /* instruction indexes in the section */
	uint64_t end;
	bool global; /* GLOBAL or WEAK binding */
	bool is_prog;
};

/* Where a map's definition or data lives, to resolve relocations. */
struct elf_map_loc {
	uint32_t sec;
	uint64_t offset;
	uint64_t size;
};

struct elf_map_key {
	uint32_t sec;
	uint64_t offset;
	size_t map;
};

struct btf;

struct bpfvm_elf {
	uint8_t *buf;
	size_t size;
	struct elf_sec *secs;
	size_t nsecs;
	struct elf_sym *syms;
	size_t nsyms;
	int symtab;	 /* section index, -1 if none */
	struct btf *btf; /* NULL when the object has no .BTF */
	struct bpfvm_elf_map *maps;
	struct elf_map_loc *map_locs;
	size_t nmaps;
	size_t maps_cap;
	struct elf_map_key *map_index; /* user maps by (section, offset) */
	size_t nmap_index;
	struct elf_func *funcs;
	size_t nfuncs;
	struct bpfvm_elf_prog *progs;
	size_t nprogs;
	size_t insn_budget; /* instructions all programs may still take */
	const char *license;
	uint32_t kern_version;
	char **strs; /* names the reader made up (inner map names) */
	size_t nstrs;
};

/* Fail naming a section: "section 5 (.text): <message>". */
int elf_fail_sec(const struct bpfvm_elf *elf, bpfvm_error *err, size_t sec,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* "section 5 (.text)" into buf, for messages built elsewhere. */
const char *elf_sec_desc(const struct bpfvm_elf *elf, size_t sec, char *buf,
			 size_t len);
/* A copy of a formatted string owned by elf (freed with it), or NULL. */
const char *elf_strdupf(struct bpfvm_elf *elf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* elf_file.c: header, sections, string tables, symbols. */
int elf_read_file(struct bpfvm_elf *elf, bpfvm_error *err);
/* The name of symbol i for messages (never NULL; "" for nameless). */
const char *elf_sym_name(const struct bpfvm_elf *elf, size_t i);

/* reloc.c: relocation sections, read and checked. */
int elf_read_relocs(struct bpfvm_elf *elf, bpfvm_error *err);
const struct elf_rel *elf_find_rel(const struct elf_sec *sec, uint64_t offset);

/* maps_def.c: maps of every kind, in the order relocations index them. */
int elf_read_maps(struct bpfvm_elf *elf, bpfvm_error *err);
/* The map defined at offset of section sec, or -1. */
int elf_map_at(const struct bpfvm_elf *elf, uint32_t sec, uint64_t offset);

/* progs.c: functions, programs, subprogram linking. */
int elf_read_progs(struct bpfvm_elf *elf, bpfvm_error *err);

#endif
