/* SPDX-License-Identifier: MIT */
/*
 * bpfvm ELF reader: clang-built BPF objects (`clang -O2 -g -target bpf`)
 * following libbpf's conventions, parsed into programs and map specs ready
 * to load into bpfvm (or, through libbpf, into the kernel).
 *
 * Programs: every function symbol in an executable section other than
 * .text, named by SEC(); functions in .text are subprograms, appended to
 * each program that calls them (bpf-to-bpf calls relocated, as libbpf
 * does). Maps: BTF-defined in `.maps`, legacy `struct bpf_map_def` in
 * `maps`, and global data (.data, .rodata, .bss, .rodata.str*) as
 * single-element array maps. Map references in instructions become
 * `lddw` with src BPFVM_PSEUDO_MAP_IDX (imm = index into the object's
 * maps) or BPFVM_PSEUDO_MAP_IDX_VALUE (imm = index, next imm = offset),
 * the kernel's fd_array encoding; function addresses (callbacks) become
 * BPFVM_PSEUDO_FUNC with a pc-relative imm.
 *
 * Malformed, truncated or unsupported objects are refused with a message
 * naming the section, symbol or offset at fault; nothing is trusted.
 */
#ifndef BPFVM_ELF_H
#define BPFVM_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa.h"
#include "maps.h"
#include "vm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bpfvm_elf bpfvm_elf;

enum bpfvm_elf_map_kind {
	BPFVM_ELF_MAP_USER, /* .maps (BTF) or maps (bpf_map_def) */
	BPFVM_ELF_MAP_DATA, /* .data */
	BPFVM_ELF_MAP_RODATA, /* .rodata, .rodata.str*, .rodata.* */
	BPFVM_ELF_MAP_BSS, /* .bss */
};

enum { BPFVM_PIN_NONE = 0, BPFVM_PIN_BY_NAME = 1 };

struct bpfvm_elf_map {
	struct bpfvm_map_spec spec; /* name: the variable or section name */
	bool has_inner; /* map-in-map: spec.inner points at inner */
	struct bpfvm_map_spec inner;
	enum bpfvm_elf_map_kind kind;
	uint32_t pinning;
	/* Global data: the section's bytes (NULL for .bss: zeros). */
	const void *data;
	size_t data_size;
	/* BTF type ids of key and value (0: unknown), for typed dumps. */
	uint32_t btf_key_type;
	uint32_t btf_value_type;
};

struct bpfvm_elf_prog {
	const char *name; /* the function's symbol */
	const char *section; /* SEC() name, e.g. "xdp", "kprobe/sys_open" */
	enum bpfvm_prog_type type; /* from the section name, libbpf's rules */
	bpfvm_insn *insns; /* relocated, subprograms appended */
	size_t count;
};

/* Parse an object held in memory (copied) or in a file. Returns 0, or -1
 * with err->msg naming what is wrong and where. */
int bpfvm_elf_open_mem(const void *data, size_t size, bpfvm_elf **out,
		       bpfvm_error *err);
int bpfvm_elf_open(const char *path, bpfvm_elf **out, bpfvm_error *err);
void bpfvm_elf_close(bpfvm_elf *elf);

size_t bpfvm_elf_nprogs(const bpfvm_elf *elf);
const struct bpfvm_elf_prog *bpfvm_elf_prog(const bpfvm_elf *elf, size_t i);
/* The program whose section or function name is name, or NULL. */
const struct bpfvm_elf_prog *bpfvm_elf_find_prog(const bpfvm_elf *elf,
						 const char *name);
size_t bpfvm_elf_nmaps(const bpfvm_elf *elf);
const struct bpfvm_elf_map *bpfvm_elf_map(const bpfvm_elf *elf, size_t i);
const char *bpfvm_elf_license(const bpfvm_elf *elf); /* "" if none */
uint32_t bpfvm_elf_kern_version(const bpfvm_elf *elf);

/* Print data of BTF type type_id as C-like text ("{ .saddr = 167772161,
 * .count = 3 }"); falls back to hex when the type is unknown. Returns
 * the length written (truncated to buflen - 1). */
size_t bpfvm_elf_format(const bpfvm_elf *elf, uint32_t type_id,
			const void *data, size_t size, char *buf,
			size_t buflen);

/* The section-name rules: a program type for SEC() name, or
 * BPFVM_PROG_UNSPEC when libbpf wouldn't know it either. */
enum bpfvm_prog_type bpfvm_prog_type_of_section(const char *section);

#ifdef __cplusplus
}
#endif
#endif
