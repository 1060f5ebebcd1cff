/* SPDX-License-Identifier: MIT */
/*
 * bpfvm_elf: opening an object (the stages in order: file structure, BTF,
 * license and version, relocations, maps, programs), its accessors, and
 * closing it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf/btf.h"
#include "elf/elf_internal.h"

/* Far beyond any real object (Cilium's biggest are a few MB); bounds what a
 * caller's mistake can make the reader copy. */
#define ELF_MAX_FILE (512u << 20)

const char *elf_strdupf(struct bpfvm_elf *elf, const char *fmt, ...)
{
	char **strs, *s;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	strs = realloc(elf->strs, (elf->nstrs + 1) * sizeof(*strs));
	if (!strs)
		return NULL;
	elf->strs = strs;
	s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	elf->strs[elf->nstrs++] = s;
	return s;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int cmp_sym_name(const void *a, const void *b)
{
	const struct elf_sym *x = *(const struct elf_sym *const *)a;
	const struct elf_sym *y = *(const struct elf_sym *const *)b;

	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* What libbpf does before using BTF: DATASECs named after a section get
 * its size, their variables their symbols' offsets (clang leaves both
 * to the loader). Variables without a symbol keep what BTF says. */
static int fixup_datasecs(struct bpfvm_elf *elf, bpfvm_error *err)
{
	const struct elf_sym **by_name;
	size_t n = 0;

	/* Data symbols by (section, name), to find each variable's. */
	by_name = calloc(elf->nsyms + 1, sizeof(*by_name));
	if (!by_name)
		return bpfvm_fail(err, -1, "out of memory");
	for (size_t i = 0; i < elf->nsyms; i++)
		if (elf->syms[i].type == STT_OBJECT)
			by_name[n++] = &elf->syms[i];
	qsort(by_name, n, sizeof(*by_name), cmp_sym_name);
	for (size_t sec = 1; sec < elf->nsecs; sec++) {
		uint32_t id = btf_find_datasec(elf->btf, elf->secs[sec].name);
		const struct btf_type *t = btf_type(elf->btf, id);

		if (!t || elf->secs[sec].size > UINT32_MAX)
			continue;
		btf_set_datasec_size(elf->btf, id,
				     (uint32_t)elf->secs[sec].size);
		for (uint32_t i = 0; i < t->vlen; i++) {
			const struct btf_type *var =
				btf_type(elf->btf, btf_secinfo(t, i).type);
			struct elf_sym key = { .shndx = (uint16_t)sec };
			const struct elf_sym *kp = &key, *const * found;

			if (!var || var->kind != BTF_KIND_VAR)
				continue;
			key.name = btf_name(elf->btf, var);
			found = bsearch(&kp, by_name, n, sizeof(*by_name),
					cmp_sym_name);
			if (found && (*found)->value <= UINT32_MAX)
				btf_set_secinfo_offset(
					elf->btf, id, i,
					(uint32_t)(*found)->value);
		}
	}
	free(by_name);
	return 0;
}

/* .BTF, license and version: the small sections read whole. */
static int read_meta(struct bpfvm_elf *elf, bpfvm_error *err)
{
	int btf_sec = -1;

	elf->license = "";
	for (size_t i = 1; i < elf->nsecs; i++) {
		const struct elf_sec *s = &elf->secs[i];

		switch (s->role) {
		case SEC_BTF:
			if (btf_sec >= 0)
				return elf_fail_sec(elf, err, i,
						    "a second .BTF "
						    "section (the first is %d)",
						    btf_sec);
			if (!s->data)
				return elf_fail_sec(elf, err, i,
						    "BTF without "
						    "data (SHT_NOBITS)");
			btf_sec = (int)i;
			if (btf_parse(elf->buf + s->offset, s->size, ".BTF",
				      &elf->btf, err))
				return -1;
			break;
		case SEC_LICENSE:
			if (!s->data)
				break;
			elf->license = elf_strdupf(
				elf, "%.*s",
				(int)strnlen((const char *)s->data,
					     s->size > 4096 ? 4096 : s->size),
				(const char *)s->data);
			if (!elf->license)
				return bpfvm_fail(err, -1, "out of memory");
			break;
		case SEC_VERSION:
			if (s->size != 4 || !s->data)
				return elf_fail_sec(
					elf, err, i,
					"%llu bytes, "
					"not a 4-byte kernel "
					"version",
					(unsigned long long)s->size);
			elf->kern_version = rd32(s->data);
			break;
		default:
			break;
		}
	}
	if (elf->btf && fixup_datasecs(elf, err))
		return -1;
	return 0;
}

int bpfvm_elf_open_mem(const void *data, size_t size, bpfvm_elf **out,
		       bpfvm_error *err)
{
	struct bpfvm_elf *elf;

	*out = NULL;
	if (!data && size)
		return bpfvm_fail(err, -1, "no data");
	if (size > ELF_MAX_FILE)
		return bpfvm_fail(err, -1,
				  "%zu bytes is larger than the %u "
				  "bytes an object may have",
				  size, ELF_MAX_FILE);
	elf = calloc(1, sizeof(*elf));
	if (!elf)
		return bpfvm_fail(err, -1, "out of memory");
	elf->buf = malloc(size ? size : 1);
	if (!elf->buf) {
		free(elf);
		return bpfvm_fail(err, -1, "out of memory for %zu bytes", size);
	}
	if (size)
		memcpy(elf->buf, data, size);
	elf->size = size;
	if (elf_read_file(elf, err) || read_meta(elf, err) ||
	    elf_read_relocs(elf, err) || elf_read_maps(elf, err) ||
	    elf_read_progs(elf, err)) {
		bpfvm_elf_close(elf);
		return -1;
	}
	*out = elf;
	return 0;
}

int bpfvm_elf_open(const char *path, bpfvm_elf **out, bpfvm_error *err)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t size = 0, cap = 0;
	int rc;

	*out = NULL;
	if (!f)
		return bpfvm_fail(err, -1, "%s: %s", path, strerror(errno));
	for (;;) {
		size_t n;

		if (size == cap) {
			uint8_t *nb;

			if (cap >= ELF_MAX_FILE) {
				fclose(f);
				free(buf);
				return bpfvm_fail(err, -1,
						  "%s: larger than the "
						  "%u bytes an object may have",
						  path, ELF_MAX_FILE);
			}
			cap = cap ? 2 * cap : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				fclose(f);
				free(buf);
				return bpfvm_fail(err, -1, "%s: out of memory",
						  path);
			}
			buf = nb;
		}
		n = fread(buf + size, 1, cap - size, f);
		size += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return bpfvm_fail(err, -1, "%s: read error", path);
	}
	fclose(f);
	rc = bpfvm_elf_open_mem(buf, size, out, err);
	free(buf);
	return rc;
}

void bpfvm_elf_close(bpfvm_elf *elf)
{
	if (!elf)
		return;
	for (size_t i = 0; elf->secs && i < elf->nsecs; i++)
		free(elf->secs[i].rels);
	for (size_t i = 0; elf->progs && i < elf->nprogs; i++)
		free(elf->progs[i].insns);
	for (size_t i = 0; i < elf->nstrs; i++)
		free(elf->strs[i]);
	free(elf->strs);
	free(elf->progs);
	free(elf->funcs);
	free(elf->maps);
	free(elf->map_locs);
	free(elf->map_index);
	btf_free(elf->btf);
	free(elf->syms);
	free(elf->secs);
	free(elf->buf);
	free(elf);
}

size_t bpfvm_elf_nprogs(const bpfvm_elf *elf)
{
	return elf->nprogs;
}

const struct bpfvm_elf_prog *bpfvm_elf_prog(const bpfvm_elf *elf, size_t i)
{
	return i < elf->nprogs ? &elf->progs[i] : NULL;
}

const struct bpfvm_elf_prog *bpfvm_elf_find_prog(const bpfvm_elf *elf,
						 const char *name)
{
	for (size_t i = 0; name && i < elf->nprogs; i++)
		if (!strcmp(elf->progs[i].section, name) ||
		    !strcmp(elf->progs[i].name, name))
			return &elf->progs[i];
	return NULL;
}

size_t bpfvm_elf_nmaps(const bpfvm_elf *elf)
{
	return elf->nmaps;
}

const struct bpfvm_elf_map *bpfvm_elf_map(const bpfvm_elf *elf, size_t i)
{
	return i < elf->nmaps ? &elf->maps[i] : NULL;
}

const char *bpfvm_elf_license(const bpfvm_elf *elf)
{
	return elf->license ? elf->license : "";
}

uint32_t bpfvm_elf_kern_version(const bpfvm_elf *elf)
{
	return elf->kern_version;
}
