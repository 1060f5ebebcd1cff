/* SPDX-License-Identifier: MIT */
/* Loading a parsed ELF object into a VM (bpfvm's bpf_object__load). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/object.h"

struct bpfvm_obj {
	bpfvm *vm;
	bpfvm_elf *elf;
	bpfvm_map **maps;
	uint32_t *map_ids;
	size_t nmaps;
	bpfvm_prog **progs;
	size_t nprogs;
};

static int create_map(bpfvm_obj *obj, size_t i, bpfvm_error *err)
{
	const struct bpfvm_elf_map *em = bpfvm_elf_map(obj->elf, i);
	struct bpfvm_map_spec spec = em->spec;
	bpfvm_error merr = { .insn = -1, .line = -1 };
	uint32_t zero = 0;

	if (em->has_inner)
		spec.inner = &em->inner;
	bpfvm_map *map = bpfvm_map_new(&spec, &merr);
	if (!map)
		return bpfvm_fail(err, -1, "map '%s': %s",
				  spec.name ? spec.name : "?", merr.msg);
	obj->maps[i] = map;
	if (em->kind != BPFVM_ELF_MAP_USER && em->data) {
		int rc = bpfvm_map_update(map, &zero, em->data, BPFVM_ANY);
		if (rc)
			return bpfvm_fail(err, -1, "map '%s': cannot set its "
				"initial data (%d)", spec.name, rc);
	}
	int id = bpfvm_add_map(obj->vm, map);
	if (id < 0)
		return bpfvm_fail(err, -1, "map '%s': the VM holds too many "
			"maps", spec.name);
	obj->map_ids[i] = (uint32_t)id;
	return 0;
}

/* The kernel's fd_array encoding (map index) becomes map ids. */
static int link_maps(const bpfvm_obj *obj, bpfvm_insn *insns, size_t count,
		     const char *prog, bpfvm_error *err)
{
	for (size_t pc = 0; pc + 1 < count; pc++) {
		bpfvm_insn *in = &insns[pc];
		if (in->code != BPFVM_OP_LDDW)
			continue;
		if (in->src == BPFVM_PSEUDO_MAP_IDX ||
		    in->src == BPFVM_PSEUDO_MAP_IDX_VALUE) {
			if ((uint32_t)in->imm >= obj->nmaps)
				return bpfvm_fail(err, (int)pc, "program '%s': "
					"map index %d out of range", prog,
					in->imm);
			in->imm = (int32_t)obj->map_ids[in->imm];
			in->src = in->src == BPFVM_PSEUDO_MAP_IDX
					  ? BPFVM_PSEUDO_MAP_FD
					  : BPFVM_PSEUDO_MAP_VALUE;
		}
		pc++;
	}
	return 0;
}

static int load_prog(bpfvm_obj *obj, size_t i, bpfvm_error *err)
{
	const struct bpfvm_elf_prog *ep = bpfvm_elf_prog(obj->elf, i);
	bpfvm_insn *insns = malloc(ep->count * sizeof(*insns));
	int rc = -1;

	if (!insns)
		return bpfvm_fail(err, -1, "out of memory");
	memcpy(insns, ep->insns, ep->count * sizeof(*insns));
	if (!link_maps(obj, insns, ep->count, ep->name, err)) {
		enum bpfvm_prog_type type = ep->type == BPFVM_PROG_UNSPEC
						    ? BPFVM_PROG_RAW
						    : ep->type;
		obj->progs[i] = bpfvm_load_typed(obj->vm, type, ep->name,
						 insns, ep->count, err);
		rc = obj->progs[i] ? 0 : -1;
	}
	free(insns);
	if (rc && err) {
		char why[sizeof(err->msg)];
		memcpy(why, err->msg, sizeof(why));
		snprintf(err->msg, sizeof(err->msg), "program '%s' (%s): %.200s",
			 ep->name, ep->section, why);
	}
	return rc;
}

int bpfvm_obj_load(bpfvm *vm, bpfvm_elf *elf, const char *only,
		   bpfvm_obj **out, bpfvm_error *err)
{
	bpfvm_obj *obj = calloc(1, sizeof(*obj));
	bool found = only == NULL;

	*out = NULL;
	if (!obj)
		return bpfvm_fail(err, -1, "out of memory");
	obj->vm = vm;
	obj->elf = elf;
	obj->nmaps = bpfvm_elf_nmaps(elf);
	obj->nprogs = bpfvm_elf_nprogs(elf);
	obj->maps = calloc(obj->nmaps + 1, sizeof(*obj->maps));
	obj->map_ids = calloc(obj->nmaps + 1, sizeof(*obj->map_ids));
	obj->progs = calloc(obj->nprogs + 1, sizeof(*obj->progs));
	if (!obj->maps || !obj->map_ids || !obj->progs) {
		bpfvm_fail(err, -1, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < obj->nmaps; i++)
		if (create_map(obj, i, err))
			goto fail;
	for (size_t i = 0; i < obj->nprogs; i++) {
		const struct bpfvm_elf_prog *ep = bpfvm_elf_prog(elf, i);
		if (only && strcmp(only, ep->section) && strcmp(only, ep->name))
			continue;
		found = true;
		if (load_prog(obj, i, err))
			goto fail;
	}
	if (!found) {
		bpfvm_fail(err, -1, "no program with section or name '%s'",
			   only);
		goto fail;
	}
	*out = obj;
	return 0;
fail:
	obj->elf = NULL; /* the caller keeps elf on failure */
	bpfvm_obj_free(obj);
	return -1;
}

void bpfvm_obj_free(bpfvm_obj *obj)
{
	if (!obj)
		return;
	for (size_t i = 0; obj->progs && i < obj->nprogs; i++)
		bpfvm_prog_free(obj->progs[i]);
	for (size_t i = 0; obj->maps && i < obj->nmaps; i++)
		if (obj->maps[i])
			bpfvm_map_unref(obj->maps[i]);
	free(obj->maps);
	free(obj->map_ids);
	free(obj->progs);
	bpfvm_elf_close(obj->elf);
	free(obj);
}

const bpfvm_elf *bpfvm_obj_elf(const bpfvm_obj *obj)
{
	return obj->elf;
}

size_t bpfvm_obj_nmaps(const bpfvm_obj *obj)
{
	return obj->nmaps;
}

bpfvm_map *bpfvm_obj_map(const bpfvm_obj *obj, size_t i)
{
	return i < obj->nmaps ? obj->maps[i] : NULL;
}

uint32_t bpfvm_obj_map_id(const bpfvm_obj *obj, size_t i)
{
	return i < obj->nmaps ? obj->map_ids[i] : 0;
}

bpfvm_map *bpfvm_obj_map_named(const bpfvm_obj *obj, const char *name)
{
	for (size_t i = 0; i < obj->nmaps; i++) {
		const char *n = bpfvm_elf_map(obj->elf, i)->spec.name;
		if (n && !strcmp(n, name))
			return obj->maps[i];
	}
	return NULL;
}

size_t bpfvm_obj_nprogs(const bpfvm_obj *obj)
{
	return obj->nprogs;
}

bpfvm_prog *bpfvm_obj_prog(const bpfvm_obj *obj, size_t i)
{
	return i < obj->nprogs ? obj->progs[i] : NULL;
}

bpfvm_prog *bpfvm_obj_find_prog(const bpfvm_obj *obj, const char *name)
{
	for (size_t i = 0; i < obj->nprogs; i++) {
		const struct bpfvm_elf_prog *ep = bpfvm_elf_prog(obj->elf, i);
		if (obj->progs[i] &&
		    (!name || !strcmp(name, ep->section) ||
		     !strcmp(name, ep->name)))
			return obj->progs[i];
	}
	return NULL;
}
