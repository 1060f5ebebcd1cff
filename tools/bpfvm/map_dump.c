/* SPDX-License-Identifier: MIT */
/* --dump-maps: every map's entries, typed through BTF where possible. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *type_name(uint32_t type)
{
	static const char *const names[] = {
		[BPFVM_MAP_HASH] = "hash",
		[BPFVM_MAP_ARRAY] = "array",
		[BPFVM_MAP_PROG_ARRAY] = "prog_array",
		[BPFVM_MAP_PERCPU_HASH] = "percpu_hash",
		[BPFVM_MAP_PERCPU_ARRAY] = "percpu_array",
		[BPFVM_MAP_LRU_HASH] = "lru_hash",
		[BPFVM_MAP_LRU_PERCPU_HASH] = "lru_percpu_hash",
		[BPFVM_MAP_LPM_TRIE] = "lpm_trie",
		[BPFVM_MAP_ARRAY_OF_MAPS] = "array_of_maps",
		[BPFVM_MAP_HASH_OF_MAPS] = "hash_of_maps",
		[BPFVM_MAP_DEVMAP] = "devmap",
		[BPFVM_MAP_QUEUE] = "queue",
		[BPFVM_MAP_STACK] = "stack",
		[BPFVM_MAP_DEVMAP_HASH] = "devmap_hash",
		[BPFVM_MAP_RINGBUF] = "ringbuf",
	};
	return type < sizeof(names) / sizeof(names[0]) && names[type]
		       ? names[type]
		       : "?";
}

static void print_data(FILE *out, const bpfvm_elf *elf, uint32_t btf_type,
		       const uint8_t *data, size_t size)
{
	char buf[1024];

	if (btf_type) {
		bpfvm_elf_format(elf, btf_type, data, size, buf, sizeof(buf));
		fputs(buf, out);
		return;
	}
	for (size_t i = 0; i < size; i++)
		fprintf(out, "%s%02x", i ? " " : "", data[i]);
}

static bool iterable(uint32_t type)
{
	return type != BPFVM_MAP_QUEUE && type != BPFVM_MAP_STACK &&
	       type != BPFVM_MAP_RINGBUF;
}

static bool percpu(uint32_t type)
{
	return type == BPFVM_MAP_PERCPU_ARRAY ||
	       type == BPFVM_MAP_PERCPU_HASH ||
	       type == BPFVM_MAP_LRU_PERCPU_HASH;
}

static void dump_one(FILE *out, const bpfvm_elf *elf,
		     const struct bpfvm_elf_map *em, bpfvm_map *map)
{
	const struct bpfvm_map_spec *spec = bpfvm_map_get_spec(map);
	size_t hsize = bpfvm_map_host_value_size(map);
	uint8_t *key = calloc(1, spec->key_size + 1);
	uint8_t *next = calloc(1, spec->key_size + 1);
	uint8_t *value = calloc(1, hsize + 1);
	size_t entries = 0;

	fprintf(out, "map %s: %s, key %u, value %u, max_entries %u\n",
		spec->name ? spec->name : "?", type_name(spec->type),
		spec->key_size, spec->value_size, spec->max_entries);
	if (!key || !next || !value || !iterable(spec->type))
		goto out;
	for (const void *prev = NULL;
	     bpfvm_map_get_next_key(map, prev, next) == 0; prev = key) {
		memcpy(key, next, spec->key_size);
		if (bpfvm_map_lookup(map, key, value))
			continue; /* deleted meanwhile */
		entries++;
		fputs("  key: ", out);
		print_data(out, elf, em->btf_key_type, key, spec->key_size);
		if (!percpu(spec->type)) {
			fputs("  value: ", out);
			print_data(out, elf, em->btf_value_type, value,
				   spec->value_size);
			fputc('\n', out);
			continue;
		}
		size_t stride = (spec->value_size + 7) / 8 * 8;
		fputc('\n', out);
		for (size_t cpu = 0; cpu * stride < hsize; cpu++) {
			fprintf(out, "    cpu %zu: ", cpu);
			print_data(out, elf, em->btf_value_type,
				   value + cpu * stride, spec->value_size);
			fputc('\n', out);
		}
	}
	fprintf(out, "  (%zu entries)\n", entries);
out:
	free(key);
	free(next);
	free(value);
}

void map_dump(FILE *out, const bpfvm_obj *obj, const char *only)
{
	const bpfvm_elf *elf = bpfvm_obj_elf(obj);

	for (size_t i = 0; i < bpfvm_obj_nmaps(obj); i++) {
		const struct bpfvm_elf_map *em = bpfvm_elf_map(elf, i);
		if (!only || (em->spec.name && !strcmp(only, em->spec.name)))
			dump_one(out, elf, em, bpfvm_obj_map(obj, i));
	}
}
