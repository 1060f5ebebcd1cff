/* SPDX-License-Identifier: MIT */
/*
 * The ELF reader against broken input: every truncation of valid objects,
 * every section header field set to hostile values, string offsets past
 * their tables, broken BTF and random corruption. Each case must open or
 * be refused with a message; nothing may crash, read out of bounds (run
 * under ASan/UBSan and valgrind) or leak, and whatever opens must be
 * consistent (instructions inside their programs, map indexes inside the
 * map list, values formattable).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfvm/elf.h"
#include "check.h"
#include "elf_builder.h"

static struct eb b;
static int opened, refused;

static uint64_t rd(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* An object that opened must be usable as documented. */
static void check_consistent(const bpfvm_elf *elf)
{
	static uint8_t zeros[4096];
	char buf[256];

	for (size_t i = 0; i < bpfvm_elf_nprogs(elf); i++) {
		const struct bpfvm_elf_prog *p = bpfvm_elf_prog(elf, i);

		CHECK(p->name && p->section && p->insns && p->count);
		for (size_t pc = 0; pc < p->count; pc++) {
			const bpfvm_insn *in = &p->insns[pc];
			long t = (long)pc + 1 + in->imm;

			if (in->code == 0x85 && in->src == 1)
				CHECK(t >= 0 && t < (long)p->count);
			if (in->code != 0x18)
				continue;
			if (in->src == BPFVM_PSEUDO_FUNC)
				CHECK(t >= 0 && t < (long)p->count);
			if (in->src == BPFVM_PSEUDO_MAP_IDX ||
			    in->src == BPFVM_PSEUDO_MAP_IDX_VALUE)
				CHECK((size_t)in->imm < bpfvm_elf_nmaps(elf));
			pc++;
		}
	}
	for (size_t i = 0; i < bpfvm_elf_nmaps(elf); i++) {
		const struct bpfvm_elf_map *m = bpfvm_elf_map(elf, i);
		size_t n;

		n = bpfvm_elf_format(elf, m->btf_key_type, zeros,
				     m->spec.key_size % sizeof(zeros), buf,
				     sizeof(buf));
		CHECK(n < sizeof(buf));
		n = bpfvm_elf_format(
			elf, m->btf_value_type, m->data ? m->data : zeros,
			m->data ? m->data_size
				: m->spec.value_size % sizeof(zeros),
			buf, sizeof(buf));
		CHECK(n < sizeof(buf));
	}
	/* The first BTF types, on short and long data. */
	for (uint32_t id = 0; id < 12; id++) {
		bpfvm_elf_format(elf, id, zeros, id % 9, buf, 64);
		bpfvm_elf_format(elf, id, zeros, sizeof(zeros), buf,
				 sizeof(buf));
	}
	CHECK(bpfvm_elf_license(elf) != NULL);
}

/* Open; either outcome is fine, a refusal needs a message. */
static int try_open(const uint8_t *data, size_t size)
{
	bpfvm_error err = { 0 };
	bpfvm_elf *elf = NULL;

	if (bpfvm_elf_open_mem(data, size, &elf, &err)) {
		CHECK(elf == NULL);
		CHECK(err.msg[0] != '\0');
		refused++;
		return -1;
	}
	opened++;
	check_consistent(elf);
	bpfvm_elf_close(elf);
	return 0;
}

static uint8_t *load(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/* The objects: the builder's, and tests/progs' when built. */
struct object {
	const char *name;
	uint8_t *data;
	size_t size;
};

static struct object objects[4];
static int nobjects;

static size_t build_sample(void)
{
	static const uint64_t text[] = { EB_MOV(0, 7), EB_EXIT() };
	static const uint64_t xdp[] = {
		EB_CALL(1, -1),
		EB_LDDW(1, 0, 0),
		EB_LDDW(1, 0, 2),
		EB_EXIT(),
	};
	static const uint32_t maps[5] = { 2, 4, 8, 1, 0 };
	int s_text, s_xdp, s_maps, s_data, f, m, d;

	eb_init(&b);
	s_text = eb_code(&b, ".text", text, 2);
	s_xdp = eb_code(&b, "xdp", xdp, 6);
	s_maps = eb_sec(&b, "maps", EB_SHT_PROGBITS, 3, maps, 20);
	s_data = eb_sec(&b, ".data", EB_SHT_PROGBITS, 3, "abcd", 4);
	eb_sec(&b, "license", EB_SHT_PROGBITS, 3, "GPL", 4);
	f = eb_sym(&b, "sub", s_text, 0, 16, EB_STT_FUNC, 1);
	eb_sym(&b, "prog", s_xdp, 0, 48, EB_STT_FUNC, 1);
	m = eb_sym(&b, "m", s_maps, 0, 20, EB_STT_OBJECT, 1);
	d = eb_sym(&b, "", s_data, 0, 0, EB_STT_SECTION, 0);
	eb_rel(&b, s_xdp, 0, EB_R_64_32, f);
	eb_rel(&b, s_xdp, 8, EB_R_64_64, m);
	eb_rel(&b, s_xdp, 24, EB_R_64_64, d);
	return eb_build(&b);
}

static void add_objects(void)
{
	static const char *const names[] = {
		"elf_progs.bpf.o",
		"elf_maps.bpf.o",
		"elf_legacy.bpf.o",
	};
	char exe[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t size = build_sample();

	objects[0].name = "built";
	objects[0].data = malloc(size);
	memcpy(objects[0].data, b.out, size);
	objects[0].size = size;
	nobjects = 1;
	if (n <= 0)
		return;
	exe[n] = '\0';
	if (strrchr(exe, '/'))
		*strrchr(exe, '/') = '\0';
	for (int i = 0; i < 3; i++) {
		struct object *o = &objects[nobjects];

		snprintf(path, sizeof(path), "%.4000s/progs/%s", exe, names[i]);
		o->data = load(path, &o->size);
		if (!o->data) {
			printf("SKIP part: %s is missing (tests/progs not "
			       "built)\n",
			       path);
			continue;
		}
		o->name = names[i];
		nobjects++;
	}
}

/* Every prefix of a valid object is refused: all of them for the first
 * two objects, every 7th for the others (valgrind time). */
static void test_truncation(void)
{
	for (int i = 0; i < nobjects; i++) {
		const struct object *o = &objects[i];
		size_t step = i < 2 ? 1 : 7, tries = 0;
		int before = refused;

		CHECK(try_open(o->data, o->size) == 0);
		for (size_t len = 0; len < o->size; len += step, tries++)
			try_open(o->data, len);
		if (refused - before != (int)tries)
			fprintf(stderr, "%s: %d of %zu truncations opened\n",
				o->name, (int)tries - (refused - before),
				tries);
		CHECK(refused - before == (int)tries);
	}
}

/* DWARF sections (and their relocations) are skipped whole by the reader:
 * corrupting them teaches little and costs valgrind time. */
static bool is_debug(const struct object *o, uint64_t shoff, unsigned s)
{
	unsigned shstrndx = (unsigned)rd(o->data + 62, 2);
	uint64_t names = rd(o->data + shoff + 64 * shstrndx + 24, 8);
	const char *name =
		(const char *)o->data + names + rd(o->data + shoff + 64 * s, 4);

	return !strncmp(name, ".debug", 6) || !strncmp(name, ".rel.debug", 10);
}

/* Each field of each section header, set to hostile values. */
static void test_section_headers(void)
{
	static const struct {
		int at, width;
	} fields[] = {
		{ 0, 4 },  /* name */
		{ 4, 4 },  /* type */
		{ 8, 8 },  /* flags */
		{ 24, 8 }, /* offset */
		{ 32, 8 }, /* size */
		{ 40, 4 }, /* link */
		{ 44, 4 }, /* info */
		{ 56, 8 }, /* entsize */
	};
	for (int i = 0; i < nobjects; i++) {
		const struct object *o = &objects[i];
		uint8_t *copy = malloc(o->size);
		uint64_t shoff = rd(o->data + 40, 8);
		unsigned shnum = (unsigned)rd(o->data + 60, 2);

		for (unsigned s = 0; s < shnum; s++) {
			if (is_debug(o, shoff, s))
				continue;
			for (size_t f = 0; f < sizeof(fields) / sizeof(*fields);
			     f++) {
				uint8_t *h =
					copy + shoff + 64 * s + fields[f].at;
				uint64_t orig = rd(o->data + shoff + 64 * s +
							   fields[f].at,
						   fields[f].width);
				const uint64_t values[] = {
					0,	    1,
					4,	    9,
					24,	    0xffffffff,
					UINT64_MAX, UINT64_MAX - 7,
					o->size,    o->size + 1,
					orig + 1,   orig - 8,
					orig * 2,   shnum,
				};

				for (size_t v = 0;
				     v < sizeof(values) / sizeof(*values);
				     v++) {
					memcpy(copy, o->data, o->size);
					eb_put(h, values[v], fields[f].width);
					try_open(copy, o->size);
				}
			}
		}
		free(copy);
	}
}

/* Symbol name offsets at and past the string table's end; section names
 * likewise. */
static void test_string_offsets(void)
{
	const struct object *o = &objects[0];
	uint8_t *copy = malloc(o->size);
	bpfvm_error err = { 0 };
	bpfvm_elf *elf;
	uint64_t symoff = b.sec[b.symtab].off;
	uint64_t strsize = b.sec[b.strtab].size;
	uint64_t shstrsize = b.sec[b.shstrtab].size;

	for (int sym = 1; sym < b.nsym; sym++) {
		memcpy(copy, o->data, o->size);
		/* The last byte of the table: an empty name, fine. */
		eb_put(copy + symoff + 24 * sym, strsize - 1, 4);
		CHECK(try_open(copy, o->size) == 0 ||
		      sym >= 1); /* may break linking, never memory */
		eb_put(copy + symoff + 24 * sym, strsize, 4);
		CHECK(bpfvm_elf_open_mem(copy, o->size, &elf, &err) == -1);
		CHECK_STR_CONTAINS(err.msg, "name offset");
		eb_put(copy + symoff + 24 * sym, UINT32_MAX, 4);
		CHECK(bpfvm_elf_open_mem(copy, o->size, &elf, &err) == -1);
		CHECK_STR_CONTAINS(err.msg, "name offset 4294967295");
	}
	for (int s = 1; s < b.nsec; s++) {
		memcpy(copy, o->data, o->size);
		eb_put(copy + b.shoff + 64 * s, shstrsize, 4);
		CHECK(bpfvm_elf_open_mem(copy, o->size, &elf, &err) == -1);
		CHECK_STR_CONTAINS(err.msg, "name offset");
	}
	free(copy);
}

/* [off, off + size) of the section named name, in a trusted object. */
static bool find_section(const struct object *o, const char *name,
			 uint64_t *off, uint64_t *size)
{
	uint64_t shoff = rd(o->data + 40, 8);
	unsigned shnum = (unsigned)rd(o->data + 60, 2);
	unsigned shstrndx = (unsigned)rd(o->data + 62, 2);
	uint64_t names = rd(o->data + shoff + 64 * shstrndx + 24, 8);

	for (unsigned s = 1; s < shnum; s++) {
		const uint8_t *h = o->data + shoff + 64 * s;

		if (!strcmp((const char *)o->data + names + rd(h, 4), name)) {
			*off = rd(h + 24, 8);
			*size = rd(h + 32, 8);
			return true;
		}
	}
	return false;
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* The .BTF sections of the clang objects: every header word and the
 * first type records' words set to hostile values, then random bytes. */
static void test_btf_corruption(void)
{
	static const uint32_t values[] = {
		0,	    1,		2,	    3,
		12,	    13,		19,	    20,
		0x7f,	    0xffff,	0x10000,    0x01000000,
		0x0d000003, 0x0f00ffff, 0x80000000, 0xffffffff,
	};

	for (int i = 1; i < nobjects; i++) {
		const struct object *o = &objects[i];
		uint8_t *copy = malloc(o->size);
		uint64_t off, size;

		if (!find_section(o, ".BTF", &off, &size)) {
			free(copy);
			continue;
		}
		for (uint64_t w = 0; w + 4 <= size && w < 24 + 12 * 40;
		     w += 4) {
			for (size_t v = 0; v < sizeof(values) / sizeof(*values);
			     v++) {
				memcpy(copy, o->data, o->size);
				eb_put(copy + off + w, values[v], 4);
				try_open(copy, o->size);
			}
		}
		for (int n = 0; n < 1500; n++) {
			memcpy(copy, o->data, o->size);
			for (int k = 1 + (int)(rnd() % 4); k > 0; k--)
				copy[off + rnd() % size] = (uint8_t)rnd();
			try_open(copy, o->size);
		}
		free(copy);
	}
}

/* Random bytes anywhere, most often in the structures that index the
 * rest: headers, symbols, relocations. */
static void test_random_corruption(void)
{
	for (int i = 0; i < nobjects; i++) {
		const struct object *o = &objects[i];
		uint8_t *copy = malloc(o->size);
		uint64_t shoff = rd(o->data + 40, 8);

		for (int n = 0; n < 2000; n++) {
			memcpy(copy, o->data, o->size);
			for (int k = 1 + (int)(rnd() % 8); k > 0; k--) {
				size_t at = rnd() % 3
						    ? rnd() % o->size
						    : shoff + rnd() % (o->size -
								       shoff);
				copy[at] =
					rnd() % 2
						? (uint8_t)rnd()
						: copy[at] ^ (1u << rnd() % 8);
			}
			try_open(copy, o->size);
		}
		free(copy);
	}
}

int main(void)
{
	add_objects();
	test_truncation();
	test_section_headers();
	test_string_offsets();
	test_btf_corruption();
	test_random_corruption();
	printf("%d opened, %d refused\n", opened, refused);
	for (int i = 0; i < nobjects; i++)
		free(objects[i].data);
	DONE();
}
