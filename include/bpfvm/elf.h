/* SPDX-License-Identifier: MIT */
/*
 * bpfvm ELF reader: clang-built BPF objects (`clang -O2 -g -target bpf`)
 * following libbpf's conventions, parsed into programs and map specs ready
 * to load into bpfvm (or, through libbpf, into the kernel).
 *
 * Programs: every function symbol in an executable section other than
 * .text, named by SEC(); functions in .text are subprograms, appended to
 * each program that calls them (bpf-to-bpf calls relocated, as libbpf
 * does). Older objects work too: untyped, unsized global symbols (old
 * clang, samples/bpf, iproute2) start a program running to the next
 * symbol, an executable section without symbols is one program named
 * after it, and an object with code only in .text (no SEC()) gets its
 * global .text functions as programs of section ".text".
 *
 * Maps, in this order: legacy definitions in `maps` (and `maps/<name>`)
 * sections, libbpf's 20-byte struct bpf_map_def or the 28-byte
 * (samples/bpf: inner_map_idx) and 36-byte (iproute2: id, pinning,
 * inner_id) variants; BTF-defined maps in `.maps`; then global data,
 * one single-element array map per non-empty .data, .data.*, .rodata,
 * .rodata.* (incl. .rodata.str1.1) and .bss section, named after the
 * section (libbpf prefixes the object name for the kernel: "obj.data").
 * Initial map-in-map and prog-array slots (`.values = { ... }`) are
 * checked but not recorded.
 *
 * Map references in instructions become `lddw` with src
 * BPFVM_PSEUDO_MAP_IDX (imm = index into the object's maps) or
 * BPFVM_PSEUDO_MAP_IDX_VALUE (imm = index, next imm = offset), the
 * kernel's fd_array encoding; function addresses (callbacks) become
 * BPFVM_PSEUDO_FUNC with a pc-relative imm. Calls to undefined (extern)
 * functions, kfuncs and extern variables (__ksym, __kconfig) are refused.
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
	struct bpfvm_map_spec inner; /* name: "<outer>.inner" for BTF maps,
				      * the inner map's for legacy ones */
	enum bpfvm_elf_map_kind kind;
	/* __uint(pinning, N) as given (BPFVM_PIN_BY_NAME is libbpf's; other
	 * loaders define more, e.g. Cilium's 16); legacy iproute2 pinning
	 * reads as BPFVM_PIN_BY_NAME. */
	uint32_t pinning;
	/* Global data: the section's bytes (NULL for .bss: zeros). */
	const void *data;
	size_t data_size;
	/* BTF type ids of key and value (0: unknown), for typed dumps;
	 * global data maps have their section's DATASEC as value type. */
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
