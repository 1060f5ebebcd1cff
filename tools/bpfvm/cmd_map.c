/* SPDX-License-Identifier: MIT */
/*
 * bpfvm map: act on the maps of an object loaded into bpfvm (after
 * --map-init), and show the result: dump every map or one, look up,
 * update or delete an entry given as typed fields (see object.h).
 *
 *   bpfvm map dump OBJ [MAP] [--map-init F]
 *   bpfvm map lookup OBJ MAP KEY-FIELDS [--map-init F]
 *   bpfvm map update OBJ MAP KEY-FIELDS = VALUE-FIELDS [--map-init F]
 *   bpfvm map delete OBJ MAP KEY-FIELDS [--map-init F]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_FIELD_BYTES 4096

static int usage(void)
{
	die_msg("usage: bpfvm map dump|lookup|update|delete OBJ [MAP "
		"[KEY-FIELDS [= VALUE-FIELDS]]] [--map-init F]");
	return 2;
}

/* Join argv words into one string (the fields). */
static char *join(int argc, char **argv)
{
	size_t n = 1;
	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	char *s = calloc(1, n);
	for (int i = 0; s && i < argc; i++) {
		strcat(s, argv[i]);
		strcat(s, " ");
	}
	return s;
}

static int apply(const char *op, const bpfvm_obj *obj, const char *name,
		 char *fields)
{
	bpfvm_map *map = bpfvm_obj_map_named(obj, name);
	bpfvm_error err = { .insn = -1, .line = -1 };
	static uint8_t key[MAX_FIELD_BYTES], value[MAX_FIELD_BYTES];
	size_t klen = 0, vlen = 0;
	char *eq = strchr(fields, '=');
	int rc;

	if (!map) {
		die_msg("map: no map named '%s'", name);
		return 1;
	}
	const struct bpfvm_map_spec *spec = bpfvm_map_get_spec(map);
	if (eq)
		*eq = 0;
	if (bpfvm_parse_fields(fields, key, sizeof(key), &klen, &err) ||
	    (eq && bpfvm_parse_fields(eq + 1, value, sizeof(value), &vlen,
				      &err))) {
		print_error("map", &err);
		return 1;
	}
	if (klen != spec->key_size || (!strcmp(op, "update") &&
				       (!eq || vlen != spec->value_size))) {
		die_msg("map %s: takes a %u-byte key%s, given %zu%s", name,
			spec->key_size, !strcmp(op, "update")
				? " = a value of the value size" : "",
			klen, eq ? " and a value" : "");
		return 1;
	}
	if (!strcmp(op, "update")) {
		/* An update is a one-line map file (per-CPU values and all). */
		char *line = malloc(strlen(name) + strlen(fields) +
				    strlen(eq + 1) + 8);
		if (!line)
			return 1;
		sprintf(line, "%s %s = %s", name, fields, eq + 1);
		rc = bpfvm_obj_map_init(obj, line, &err);
		free(line);
		if (rc) {
			print_error("map", &err);
			return 1;
		}
	} else if (!strcmp(op, "delete")) {
		rc = bpfvm_map_delete(map, key);
	} else {
		uint8_t *out = calloc(1, bpfvm_map_host_value_size(map) + 1);
		rc = out ? bpfvm_map_lookup(map, key, out) : -ENOMEM;
		for (size_t i = 0; rc == 0 && i < bpfvm_map_host_value_size(map);
		     i++)
			printf("%s%02x", i ? " " : "", out[i]);
		if (rc == 0)
			printf("\n");
		free(out);
	}
	if (rc) {
		die_msg("map %s: %s failed: %s", name, op, strerror(-rc));
		return 1;
	}
	return 0;
}

int cmd_map(int argc, char **argv)
{
	const char *init = NULL;
	char *words[64];
	int nwords = 0, rc = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--map-init") && i + 1 < argc)
			init = argv[++i];
		else if (nwords < 64)
			words[nwords++] = argv[i];
		else
			return usage();
	}
	if (nwords < 2)
		return usage();
	const char *op = words[0], *path = words[1];
	bool dump = !strcmp(op, "dump");
	if (!dump && strcmp(op, "lookup") && strcmp(op, "update") &&
	    strcmp(op, "delete"))
		return usage();
	if (!dump && nwords < 4)
		return usage();

	bpfvm *vm = cli_vm();
	bpfvm_error err = { .insn = -1, .line = -1 };
	bpfvm_elf *elf;
	bpfvm_obj *obj = NULL;
	if (bpfvm_elf_open(path, &elf, &err)) {
		print_error(path, &err);
		goto out;
	}
	if (bpfvm_obj_load(vm, elf, NULL, &obj, &err)) {
		bpfvm_elf_close(elf);
		print_error(path, &err);
		goto out;
	}
	if (init) {
		size_t size;
		char *text = read_file(init, &size);
		if (!text)
			goto out;
		int bad = bpfvm_obj_map_init(obj, text, &err);
		free(text);
		if (bad) {
			print_error(init, &err);
			goto out;
		}
	}
	if (dump) {
		map_dump(stdout, obj, nwords > 2 ? words[2] : NULL);
		rc = 0;
	} else {
		char *fields = join(nwords - 3, words + 3);
		rc = fields ? apply(op, obj, words[2], fields) : 1;
		free(fields);
		if (rc == 0 && strcmp(op, "lookup"))
			map_dump(stdout, obj, words[2]);
	}
out:
	bpfvm_obj_free(obj);
	bpfvm_free(vm);
	return rc;
}
