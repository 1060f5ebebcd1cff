/* SPDX-License-Identifier: MIT */
/*
 * Map specs: the kernel's checks on BPF_MAP_CREATE, in the kernel's
 * order where it matters for the error code, each with a message naming
 * the field at fault. The generic part is here (known type, flag bits the
 * type accepts, access flags that contradict each other, the memory
 * bound); each type's own rules are its ops->check.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "maps/map_internal.h"

int map_spec_fail(bpfvm_error *err, int errnum, const char *fmt, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bpfvm_fail(err, -1, "%s", msg);
	return -errnum;
}

/* bpf_map_flags_access_ok: read-only and write-only at once is nonsense
 * on either side. */
static int check_access(const struct bpfvm_map_spec *spec, bpfvm_error *err)
{
	uint32_t f = spec->map_flags;

	if ((f & BPFVM_F_RDONLY) && (f & BPFVM_F_WRONLY))
		return map_spec_fail(err, EINVAL,
				     "map_flags: BPF_F_RDONLY and BPF_F_WRONLY "
				     "exclude each other");
	if ((f & BPFVM_F_RDONLY_PROG) && (f & BPFVM_F_WRONLY_PROG))
		return map_spec_fail(err, EINVAL,
				     "map_flags: BPF_F_RDONLY_PROG and "
				     "BPF_F_WRONLY_PROG exclude each other");
	return 0;
}

int bpfvm_map_check_spec(const struct bpfvm_map_spec *spec, bpfvm_error *err)
{
	const struct map_ops *ops;
	uint64_t mem;
	uint32_t extra;
	int rc;

	if (!spec)
		return map_spec_fail(err, EINVAL, "no map spec");
	ops = map_ops_of(spec->type);
	if (!ops)
		return map_spec_fail(err, EINVAL,
				     "map type %u is not supported",
				     spec->type);
	extra = spec->map_flags & ~ops->flags_ok;
	if (extra)
		return map_spec_fail(
			err, EINVAL,
			"map_flags 0x%x: bits 0x%x are invalid for "
			"%s maps",
			spec->map_flags, extra, ops->name);
	rc = check_access(spec, err);
	if (rc)
		return rc;
	rc = ops->check(spec, err);
	if (rc)
		return rc;
	mem = ops->mem(spec, ops->percpu ? bpfvm_ncpus() : 1);
	if (mem > BPFVM_MAP_MEM_MAX)
		return map_spec_fail(
			err, E2BIG,
			"%s map of max_entries %u, key_size %u, "
			"value_size %u could need more than the "
			"%llu MiB a map may use",
			ops->name, spec->max_entries, spec->key_size,
			spec->value_size,
			(unsigned long long)(BPFVM_MAP_MEM_MAX >> 20));
	return 0;
}

uint32_t map_effective_flags(const struct bpfvm_map_spec *spec)
{
	/* dev_map_init_map: lookups point straight at the device entry,
	 * so programs must not write it. */
	if (spec->type == BPFVM_MAP_DEVMAP ||
	    spec->type == BPFVM_MAP_DEVMAP_HASH)
		return spec->map_flags | BPFVM_F_RDONLY_PROG;
	return spec->map_flags;
}

/* bpf_map_meta_equal, and array_map_meta_equal's exception: arrays must
 * agree on max_entries too unless the inner spec says BPF_F_INNER_MAP. */
bool map_meta_equal(const struct bpfvm_map_spec *meta, const bpfvm_map *inner)
{
	const struct bpfvm_map_spec *s = &inner->spec;

	if (meta->type != s->type || meta->key_size != s->key_size ||
	    meta->value_size != s->value_size ||
	    map_effective_flags(meta) != s->map_flags)
		return false;
	if (meta->type == BPFVM_MAP_ARRAY &&
	    !(meta->map_flags & BPFVM_F_INNER_MAP))
		return meta->max_entries == s->max_entries;
	return true;
}

/*
 * bpf_map_meta_alloc: the inner spec of ARRAY_OF_MAPS / HASH_OF_MAPS must
 * describe a map the kernel could create, one level deep only, and of a
 * type that can be compared (PROG_ARRAY has no map_meta_equal).
 */
int map_check_inner(const struct bpfvm_map_spec *spec, bpfvm_error *err)
{
	const struct bpfvm_map_spec *in = spec->inner;
	bpfvm_error ierr = { .insn = -1, .line = -1 };
	int rc;

	if (!in)
		return map_spec_fail(
			err, EINVAL,
			"%s maps need the spec of their inner maps",
			map_ops_of(spec->type)->name);
	if (in->type == BPFVM_MAP_ARRAY_OF_MAPS ||
	    in->type == BPFVM_MAP_HASH_OF_MAPS)
		return map_spec_fail(err, EINVAL,
				     "inner map: maps of maps nest one level "
				     "only");
	if (in->type == BPFVM_MAP_PROG_ARRAY)
		return map_spec_fail(err, BPFVM_ENOTSUPP,
				     "inner map: a prog_array cannot be an "
				     "inner map");
	rc = bpfvm_map_check_spec(in, &ierr);
	if (rc)
		return map_spec_fail(err, -rc, "inner map: %s", ierr.msg);
	return 0;
}
