/* SPDX-License-Identifier: MIT */
/*
 * An ELF object loaded into a VM, the way libbpf loads one into the
 * kernel: every map created (global data filled in), map references in
 * the programs turned into map ids, programs loaded.
 */
#ifndef BPFVM_OBJECT_H
#define BPFVM_OBJECT_H

#include <stddef.h>

#include "elf.h"
#include "maps.h"
#include "vm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bpfvm_obj bpfvm_obj;

/*
 * Load elf into vm. only: load just the program with that section or
 * function name (NULL: every program). Returns 0, or -1 with err naming the
 * map or program that failed and why. The object keeps elf (closed with
 * it) and references to its maps.
 */
int bpfvm_obj_load(bpfvm *vm, bpfvm_elf *elf, const char *only,
		   bpfvm_obj **out, bpfvm_error *err);
void bpfvm_obj_free(bpfvm_obj *obj);

const bpfvm_elf *bpfvm_obj_elf(const bpfvm_obj *obj);
/* Maps in the ELF's order (bpfvm_elf_map(elf, i) describes map i). */
size_t bpfvm_obj_nmaps(const bpfvm_obj *obj);
bpfvm_map *bpfvm_obj_map(const bpfvm_obj *obj, size_t i);
bpfvm_map *bpfvm_obj_map_named(const bpfvm_obj *obj, const char *name);
uint32_t bpfvm_obj_map_id(const bpfvm_obj *obj, size_t i);
/* Loaded programs (NULL where only skipped one). */
size_t bpfvm_obj_nprogs(const bpfvm_obj *obj);
bpfvm_prog *bpfvm_obj_prog(const bpfvm_obj *obj, size_t i);
/* The program with that section or function name; with name NULL the
 * first loaded one. */
bpfvm_prog *bpfvm_obj_find_prog(const bpfvm_obj *obj, const char *name);

/*
 * Fill maps from text, one entry a line: `MAP KEY-FIELDS = VALUE-FIELDS`,
 * fields TYPE:VALUE (u8-u64, s8-s64, be16-be64, ip4, ip6, cidr4, cidr6,
 * mac, hex, pad; see map_init.c). `#` starts a comment. Returns 0, or -1
 * with err->line naming the line.
 */
int bpfvm_obj_map_init(const bpfvm_obj *obj, const char *text,
		       bpfvm_error *err);
/* The same text, entry by entry: fn gets each map name, key and value
 * (e.g. to fill the kernel's maps). Stops at fn's first nonzero return;
 * err->line names the line. */
typedef int (*bpfvm_map_init_fn)(void *ctx, const char *map, const void *key,
				 size_t key_len, const void *value,
				 size_t value_len, bpfvm_error *err);
int bpfvm_map_init_each(const char *text, bpfvm_map_init_fn fn, void *ctx,
			bpfvm_error *err);
/* Parse space-separated fields of that format into out (at most cap
 * bytes); *len gets the byte count. Returns 0 or -1 with err. */
int bpfvm_parse_fields(const char *text, void *out, size_t cap, size_t *len,
		       bpfvm_error *err);

#ifdef __cplusplus
}
#endif
#endif
