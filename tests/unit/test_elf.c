/* SPDX-License-Identifier: MIT */
/*
 * The ELF reader, result by result:
 *   (a) objects built byte by byte (elf_builder.h), where every linked
 *       instruction is known: calls relocated against function and
 *       section symbols and within a section, callback addresses, legacy
 *       and BTF maps, global data with section symbols and variables;
 *   (b) every refusal those objects can provoke, by message;
 *   (c) BTF: every kind parsed, `.maps` definitions, the value printer;
 *   (d) the SEC() name table;
 *   (e) the clang-built objects of tests/progs (build/progs/NAME.bpf.o),
 *       checked against their sources through marker constants.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfvm/elf.h"
#include "check.h"
#include "elf_builder.h"

static struct eb b;

static bpfvm_elf *open_built(bpfvm_error *err)
{
	bpfvm_elf *elf = NULL;
	size_t size = eb_build(&b);

	memset(err, 0, sizeof(*err));
	if (bpfvm_elf_open_mem(b.out, size, &elf, err))
		return NULL;
	return elf;
}

static void expect_refusal(const char *what, const char *fragment)
{
	bpfvm_error err;
	bpfvm_elf *elf = open_built(&err);

	CHECK(elf == NULL);
	if (elf) {
		fprintf(stderr, "%s: opened, expected \"%s\"\n", what,
			fragment);
		bpfvm_elf_close(elf);
		return;
	}
	if (!strstr(err.msg, fragment))
		fprintf(stderr, "%s: got \"%s\"\n", what, err.msg);
	CHECK_STR_CONTAINS(err.msg, fragment);
}

static void check_insn(const struct bpfvm_elf_prog *p, size_t pc, uint8_t code,
		       uint8_t src, int32_t imm)
{
	CHECK(pc < p->count);
	if (pc >= p->count)
		return;
	if (p->insns[pc].code != code || p->insns[pc].src != src ||
	    p->insns[pc].imm != imm)
		fprintf(stderr,
			"%s[%zu]: code 0x%02x src %u imm %d, expected "
			"0x%02x %u %d\n",
			p->name, pc, p->insns[pc].code, p->insns[pc].src,
			p->insns[pc].imm, code, src, imm);
	CHECK_U64(p->insns[pc].code, code);
	CHECK_U64(p->insns[pc].src, src);
	CHECK_U64((uint32_t)p->insns[pc].imm, (uint32_t)imm);
}

/* ---- (a) a hand-built object, linked to the instruction ---- */

enum { LDDW = 0x18, CALL = 0x85, EXIT = 0x95, MOV = 0xb7 };

/* Sections: .text xdp tc maps .data .bss .rodata.str1.1 license version. */
static void build_linking_object(void)
{
	static const uint64_t text[] = {
		/* f_global: calls f_static without relocation */
		EB_CALL(1, 1),
		EB_EXIT(),
		/* f_static */
		EB_MOV(0, 7),
		EB_EXIT(),
		/* cb */
		EB_MOV(0, 0),
		EB_EXIT(),
	};
	static const uint64_t xdp[] = {
		/* p1 */
		EB_CALL(1, -1),	   /* R_BPF_64_32 f_global */
		EB_CALL(1, 1),	   /* R_BPF_64_32 .text: 0 + 1 + 1 = f_static */
		EB_LDDW(2, 0, 32), /* R_BPF_64_64 .text + 32: cb */
		EB_LDDW(1, 0, 0),  /* m2 */
		EB_LDDW(1, 0, 4),  /* .data + 4 */
		EB_LDDW(1, 0, 0),  /* counter, .bss + 8 */
		EB_LDDW(1, 0, 3),  /* .rodata.str1.1 + 3 */
		EB_EXIT(),
		/* p2 */
		EB_CALL(1, -1), /* f_global */
		EB_EXIT(),
	};
	static const uint64_t tc[] = {
		/* tc_helper */
		EB_MOV(0, 7),
		EB_EXIT(),
		/* tc_main: a call into the same section, no relocation */
		EB_CALL(1, -3),
		EB_INSN(0x07, 0, 0, 0, 1),
		EB_EXIT(),
	};
	static const uint32_t maps[10] = { 2, 4, 8, 16, 0, 1, 8, 16, 32, 1 };
	static const uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t version[4] = { 0x00, 0x04, 0x05, 0x00 };
	int s_text, s_xdp, s_tc, s_maps, s_data, s_bss, s_str, text_sym;
	int data_sym, str_sym, f_global, m2, counter;

	eb_init(&b);
	s_text = eb_code(&b, ".text", text, 6);
	s_xdp = eb_code(&b, "xdp", xdp, 15);
	s_tc = eb_code(&b, "tc", tc, 5);
	s_maps = eb_sec(&b, "maps", EB_SHT_PROGBITS, 3, maps, sizeof(maps));
	s_data = eb_sec(&b, ".data", EB_SHT_PROGBITS, 3, data, 8);
	s_bss = eb_sec(&b, ".bss", EB_SHT_NOBITS, 3, NULL, 16);
	s_str = eb_sec(&b, ".rodata.str1.1", EB_SHT_PROGBITS, 0x32, "hi\0abc",
		       7);
	eb_sec(&b, "license", EB_SHT_PROGBITS, 3, "GPL", 4);
	eb_sec(&b, "version", EB_SHT_PROGBITS, 3, version, 4);

	text_sym = eb_sym(&b, "", s_text, 0, 0, EB_STT_SECTION, 0);
	data_sym = eb_sym(&b, "", s_data, 0, 0, EB_STT_SECTION, 0);
	str_sym = eb_sym(&b, "", s_str, 0, 0, EB_STT_SECTION, 0);
	f_global = eb_sym(&b, "f_global", s_text, 0, 16, EB_STT_FUNC, 1);
	eb_sym(&b, "f_static", s_text, 16, 16, EB_STT_FUNC, 0);
	eb_sym(&b, "cb", s_text, 32, 16, EB_STT_FUNC, 0);
	eb_sym(&b, "p1", s_xdp, 0, 104, EB_STT_FUNC, 1);
	eb_sym(&b, "p2", s_xdp, 104, 16, EB_STT_FUNC, 1);
	eb_sym(&b, "tc_helper", s_tc, 0, 16, EB_STT_FUNC, 0);
	eb_sym(&b, "tc_main", s_tc, 16, 24, EB_STT_FUNC, 1);
	eb_sym(&b, "m1", s_maps, 0, 20, EB_STT_OBJECT, 1);
	m2 = eb_sym(&b, "m2", s_maps, 20, 20, EB_STT_OBJECT, 1);
	counter = eb_sym(&b, "counter", s_bss, 8, 8, EB_STT_OBJECT, 1);

	eb_rel(&b, s_xdp, 0, EB_R_64_32, f_global);
	eb_rel(&b, s_xdp, 8, EB_R_64_32, text_sym);
	eb_rel(&b, s_xdp, 16, EB_R_64_64, text_sym);
	eb_rel(&b, s_xdp, 32, EB_R_64_64, m2);
	eb_rel(&b, s_xdp, 48, EB_R_64_64, data_sym);
	eb_rel(&b, s_xdp, 64, EB_R_64_64, counter);
	eb_rel(&b, s_xdp, 80, EB_R_64_64, str_sym);
	eb_rel(&b, s_xdp, 104, EB_R_64_32, f_global);
}

static void test_linking(void)
{
	const struct bpfvm_elf_prog *p;
	const struct bpfvm_elf_map *m;
	bpfvm_error err;
	bpfvm_elf *elf;

	build_linking_object();
	elf = open_built(&err);
	CHECK(elf != NULL);
	if (!elf) {
		fprintf(stderr, "linking object: %s\n", err.msg);
		return;
	}
	CHECK(!strcmp(bpfvm_elf_license(elf), "GPL"));
	CHECK_U64(bpfvm_elf_kern_version(elf), 0x050400);

	/* Maps: legacy by offset, then global data by section. */
	CHECK_U64(bpfvm_elf_nmaps(elf), 5);
	m = bpfvm_elf_map(elf, 0);
	CHECK(!strcmp(m->spec.name, "m1") && m->kind == BPFVM_ELF_MAP_USER);
	CHECK(m->spec.type == 2 && m->spec.key_size == 4 &&
	      m->spec.value_size == 8 && m->spec.max_entries == 16 &&
	      m->spec.map_flags == 0 && !m->has_inner);
	m = bpfvm_elf_map(elf, 1);
	CHECK(!strcmp(m->spec.name, "m2") && m->spec.type == 1 &&
	      m->spec.key_size == 8 && m->spec.value_size == 16 &&
	      m->spec.max_entries == 32 && m->spec.map_flags == 1);
	m = bpfvm_elf_map(elf, 2);
	CHECK(!strcmp(m->spec.name, ".data") && m->kind == BPFVM_ELF_MAP_DATA &&
	      m->spec.type == 2 && m->spec.key_size == 4 &&
	      m->spec.value_size == 8 && m->spec.max_entries == 1 &&
	      m->spec.map_flags == 0 && m->data_size == 8 && m->data &&
	      !memcmp(m->data, "\1\2\3\4\5\6\7\10", 8));
	m = bpfvm_elf_map(elf, 3);
	CHECK(!strcmp(m->spec.name, ".bss") && m->kind == BPFVM_ELF_MAP_BSS &&
	      m->spec.value_size == 16 && m->data == NULL &&
	      m->data_size == 16);
	m = bpfvm_elf_map(elf, 4);
	CHECK(!strcmp(m->spec.name, ".rodata.str1.1") &&
	      m->kind == BPFVM_ELF_MAP_RODATA && m->spec.value_size == 7 &&
	      m->spec.map_flags == BPFVM_F_RDONLY_PROG && m->data &&
	      !memcmp(m->data, "hi\0abc", 7));
	CHECK(bpfvm_elf_map(elf, 5) == NULL);

	CHECK_U64(bpfvm_elf_nprogs(elf), 4);
	p = bpfvm_elf_prog(elf, 0);
	CHECK(!strcmp(p->name, "p1") && !strcmp(p->section, "xdp") &&
	      p->type == BPFVM_PROG_XDP);
	/* p1 (13) + f_global at 13 + f_static at 15 + cb at 17. */
	CHECK_U64(p->count, 19);
	check_insn(p, 0, CALL, 1, 12);
	check_insn(p, 1, CALL, 1, 13);
	check_insn(p, 2, LDDW, BPFVM_PSEUDO_FUNC, 14);
	check_insn(p, 3, 0, 0, 0);
	check_insn(p, 4, LDDW, BPFVM_PSEUDO_MAP_IDX, 1);
	check_insn(p, 5, 0, 0, 0);
	check_insn(p, 6, LDDW, BPFVM_PSEUDO_MAP_IDX_VALUE, 2);
	check_insn(p, 7, 0, 0, 4);
	check_insn(p, 8, LDDW, BPFVM_PSEUDO_MAP_IDX_VALUE, 3);
	check_insn(p, 9, 0, 0, 8);
	check_insn(p, 10, LDDW, BPFVM_PSEUDO_MAP_IDX_VALUE, 4);
	check_insn(p, 11, 0, 0, 3);
	check_insn(p, 12, EXIT, 0, 0);
	check_insn(p, 13, CALL, 1, 1); /* f_global -> f_static */
	check_insn(p, 14, EXIT, 0, 0);
	check_insn(p, 15, MOV, 0, 7);
	check_insn(p, 17, MOV, 0, 0);
	check_insn(p, 18, EXIT, 0, 0);

	p = bpfvm_elf_prog(elf, 1);
	CHECK(!strcmp(p->name, "p2") && p->type == BPFVM_PROG_XDP);
	CHECK_U64(p->count, 6);
	check_insn(p, 0, CALL, 1, 1);
	check_insn(p, 2, CALL, 1, 1);
	check_insn(p, 4, MOV, 0, 7);

	/* Two programs of one section, one calling the other's code. */
	p = bpfvm_elf_prog(elf, 2);
	CHECK(!strcmp(p->name, "tc_helper") && !strcmp(p->section, "tc") &&
	      p->type == BPFVM_PROG_SCHED_CLS && p->count == 2);
	p = bpfvm_elf_prog(elf, 3);
	CHECK(!strcmp(p->name, "tc_main") && p->count == 5);
	check_insn(p, 0, CALL, 1, 2);
	check_insn(p, 3, MOV, 0, 7);

	CHECK(bpfvm_elf_find_prog(elf, "tc_main") == bpfvm_elf_prog(elf, 3));
	CHECK(bpfvm_elf_find_prog(elf, "xdp") == bpfvm_elf_prog(elf, 0));
	CHECK(bpfvm_elf_find_prog(elf, "nope") == NULL);
	bpfvm_elf_close(elf);
}

/* A callback address without relocation: relative within its section,
 * as libbpf reads it. A map index without relocation means nothing. */
static void test_unrelocated(void)
{
	static const uint64_t code[] = {
		EB_MOV(0, 0), EB_EXIT(),		      /* cb2 */
		EB_LDDW(2, BPFVM_PSEUDO_FUNC, -3), EB_EXIT(), /* prog */
	};
	const struct bpfvm_elf_prog *p;
	bpfvm_error err;
	bpfvm_elf *elf;
	int s;

	eb_init(&b);
	s = eb_code(&b, "xdp", code, 5);
	eb_sym(&b, "cb2", s, 0, 16, EB_STT_FUNC, 0);
	eb_sym(&b, "prog", s, 16, 24, EB_STT_FUNC, 1);
	elf = open_built(&err);
	CHECK(elf != NULL);
	if (elf) {
		p = bpfvm_elf_find_prog(elf, "prog");
		CHECK(p && p->count == 5);
		if (p) {
			check_insn(p, 0, LDDW, BPFVM_PSEUDO_FUNC, 2);
			check_insn(p, 3, MOV, 0, 0);
		}
		bpfvm_elf_close(elf);
	}
	b.sec[s].data[17] = BPFVM_PSEUDO_MAP_IDX << 4 | 2;
	expect_refusal("map index without relocation",
		       "offset 0x10 (in "
		       "'prog', program 'prog'): lddw with src 5 (a map "
		       "index) but no relocation");
}

/* Old objects: untyped, unsized global symbols; unnamed code; .text
 * only. */
static void test_old_layouts(void)
{
	static const uint64_t code[] = {
		EB_MOV(0, 1), EB_EXIT(), EB_MOV(0, 2), EB_MOV(0, 3), EB_EXIT(),
	};
	const struct bpfvm_elf_prog *p;
	bpfvm_error err;
	bpfvm_elf *elf;
	int s;

	eb_init(&b);
	s = eb_code(&b, "socket1", code, 5);
	eb_sym(&b, "first", s, 0, 0, EB_STT_NOTYPE, 1);
	eb_sym(&b, "second", s, 16, 0, EB_STT_NOTYPE, 1);
	eb_sym(&b, "LBB0_1", s, 24, 0, EB_STT_NOTYPE, 0); /* a label */
	eb_code(&b, "kprobe/nameless", code, 2);
	elf = open_built(&err);
	CHECK(elf != NULL);
	if (elf) {
		CHECK_U64(bpfvm_elf_nprogs(elf), 3);
		p = bpfvm_elf_prog(elf, 0);
		CHECK(!strcmp(p->name, "first") && p->count == 2 &&
		      p->type == BPFVM_PROG_SOCKET_FILTER);
		p = bpfvm_elf_prog(elf, 1);
		CHECK(!strcmp(p->name, "second") && p->count == 3);
		p = bpfvm_elf_prog(elf, 2);
		CHECK(!strcmp(p->name, "kprobe/nameless") &&
		      p->type == BPFVM_PROG_KPROBE && p->count == 2);
		bpfvm_elf_close(elf);
	}

	/* Only .text: its global functions are the programs. */
	eb_init(&b);
	s = eb_code(&b, ".text", code, 5);
	eb_sym(&b, "entry", s, 0, 16, EB_STT_FUNC, 1);
	eb_sym(&b, "local", s, 16, 24, EB_STT_FUNC, 0);
	elf = open_built(&err);
	CHECK(elf != NULL);
	if (elf) {
		CHECK_U64(bpfvm_elf_nprogs(elf), 1);
		p = bpfvm_elf_prog(elf, 0);
		CHECK(!strcmp(p->name, "entry") &&
		      !strcmp(p->section, ".text") &&
		      p->type == BPFVM_PROG_UNSPEC && p->count == 2);
		CHECK(!strcmp(bpfvm_elf_license(elf), ""));
		CHECK_U64(bpfvm_elf_kern_version(elf), 0);
		bpfvm_elf_close(elf);
	}
}

/* Legacy map-in-map: 28-byte samples layout (inner by index) and 36-byte
 * iproute2 layout (inner by id). */
static void test_legacy_inner(void)
{
	static const uint32_t samples[14] = {
		2,  4, 8, 4, 0, 0, 0, /* inner */
		12, 4, 0, 2, 0, 0, 0, /* array of maps, inner_map_idx 0 */
	};
	static const uint32_t iproute2[18] = {
		2,  4, 16, 1,  0, 7, 0, 0, UINT32_MAX, /* id 7 */
		13, 2, 4,  64, 0, 0, 2, 7, 0,	       /* pinned, inner_id 7 */
	};
	const struct bpfvm_elf_map *m;
	bpfvm_error err;
	bpfvm_elf *elf;
	int s;

	eb_init(&b);
	s = eb_sec(&b, "maps", EB_SHT_PROGBITS, 3, samples, sizeof(samples));
	eb_sym(&b, "inner", s, 0, 0, EB_STT_NOTYPE, 1);
	eb_sym(&b, "outer", s, 28, 0, EB_STT_NOTYPE, 1);
	elf = open_built(&err);
	CHECK(elf != NULL);
	if (elf) {
		m = bpfvm_elf_map(elf, 1);
		CHECK(!strcmp(m->spec.name, "outer") && m->has_inner &&
		      m->spec.inner == &m->inner && m->spec.value_size == 4 &&
		      m->inner.type == 2 && m->inner.value_size == 8 &&
		      m->inner.max_entries == 4);
		bpfvm_elf_close(elf);
	}

	eb_init(&b);
	s = eb_sec(&b, "maps", EB_SHT_PROGBITS, 3, iproute2, sizeof(iproute2));
	eb_sym(&b, "tmpl", s, 0, 36, EB_STT_OBJECT, 1);
	eb_sym(&b, "hom", s, 36, 36, EB_STT_OBJECT, 1);
	elf = open_built(&err);
	CHECK(elf != NULL);
	if (elf) {
		m = bpfvm_elf_map(elf, 1);
		CHECK(!strcmp(m->spec.name, "hom") && m->has_inner &&
		      m->inner.value_size == 16 &&
		      m->pinning == BPFVM_PIN_BY_NAME);
		CHECK(bpfvm_elf_map(elf, 0)->pinning == BPFVM_PIN_NONE);
		bpfvm_elf_close(elf);
	}

	/* An inner index that is no map. */
	eb_init(&b);
	s = eb_sec(&b, "maps", EB_SHT_PROGBITS, 3, samples, sizeof(samples));
	b.sec[s].data[28 + 20] = 5;
	eb_sym(&b, "inner", s, 0, 28, EB_STT_OBJECT, 1);
	eb_sym(&b, "outer", s, 28, 28, EB_STT_OBJECT, 1);
	expect_refusal("bad inner index", "map 'outer': its inner map "
					  "(index 5)");
}

/* ---- (b) refusals ---- */

static int refusal_object(int *xdp, int *text)
{
	static const uint64_t code[] = {
		EB_CALL(1, -1),
		EB_LDDW(1, 0, 0),
		EB_MOV(0, 0),
		EB_EXIT(),
	};
	static const uint64_t text_code[] = { EB_MOV(0, 1), EB_EXIT() };

	eb_init(&b);
	*text = eb_code(&b, ".text", text_code, 2);
	eb_sym(&b, "sub", *text, 0, 16, EB_STT_FUNC, 1);
	*xdp = eb_code(&b, "xdp", code, 5);
	return eb_sym(&b, "prog", *xdp, 0, 40, EB_STT_FUNC, 1);
}

static void test_refusals(void)
{
	int xdp, text, sym;

	refusal_object(&xdp, &text);
	sym = eb_sym(&b, "memset", 0, 0, 0, EB_STT_NOTYPE, 1);
	eb_rel(&b, xdp, 0, EB_R_64_32, sym);
	expect_refusal("extern call",
		       "section 2 (xdp): offset 0x0 (in "
		       "'prog', program 'prog'): call of undefined function "
		       "'memset'");

	refusal_object(&xdp, &text);
	sym = eb_sym(&b, "ext_var", 0, 0, 0, EB_STT_NOTYPE, 1);
	eb_rel(&b, xdp, 8, EB_R_64_64, sym);
	expect_refusal("extern variable", "lddw of undefined symbol "
					  "'ext_var'");

	refusal_object(&xdp, &text);
	sym = eb_sym(&b, "sub2", text, 0, 16, EB_STT_FUNC, 1);
	eb_rel(&b, xdp, 8, EB_R_ABS64, sym);
	expect_refusal("data relocation in code",
		       "relocation type 2 "
		       "(R_BPF_64_ABS64) at offset 0x8 against 'sub2' is not "
		       "supported in code");

	refusal_object(&xdp, &text);
	eb_rel(&b, xdp, 4, EB_R_64_32, 1);
	expect_refusal("misaligned relocation",
		       "relocation at offset 0x4 "
		       "against 'sub' is not an instruction");

	refusal_object(&xdp, &text);
	eb_rel(&b, xdp, 24, EB_R_64_64, 1);
	expect_refusal("lddw relocation on a mov",
		       "R_BPF_64_64 at offset "
		       "0x18 against 'sub' patches an instruction with "
		       "opcode 0xb7");

	refusal_object(&xdp, &text);
	eb_rel(&b, xdp, 0, EB_R_64_32, 1);
	eb_rel(&b, xdp, 0, EB_R_64_32, 1);
	expect_refusal("duplicate relocation", "two relocations at offset "
					       "0x0");

	refusal_object(&xdp, &text);
	sym = eb_sym(&b, "", text, 0, 0, EB_STT_SECTION, 0);
	eb_rel(&b, xdp, 0, EB_R_64_32, sym);
	b.sec[xdp].data[4] = 0; /* imm 0: .text + 0 + 1, mid-function */
	b.sec[xdp].data[5] = 0;
	b.sec[xdp].data[6] = 0;
	b.sec[xdp].data[7] = 0;
	expect_refusal("call into a function's middle",
		       "call or function "
		       "address target is not the start of a function of "
		       ".text");

	refusal_object(&xdp, &text);
	b.sec[xdp].data[4] = 0x40; /* call +64: past the section */
	b.sec[xdp].data[5] = b.sec[xdp].data[6] = b.sec[xdp].data[7] = 0;
	expect_refusal("call outside the section", "target is outside xdp");

	refusal_object(&xdp, &text);
	sym = eb_sym(&b, "", text, 0, 0, EB_STT_SECTION, 0);
	eb_rel(&b, xdp, 8, EB_R_64_64, sym);
	b.sec[xdp].data[12] = 8; /* .text + 8: not a function start */
	expect_refusal("callback mid-function", "not the start of a function");

	refusal_object(&xdp, &text);
	sym = eb_sec(&b, "maps", EB_SHT_PROGBITS, 3, NULL, 40);
	eb_sym(&b, "m", sym, 0, 20, EB_STT_OBJECT, 1);
	eb_rel(&b, xdp, 8, EB_R_64_64,
	       eb_sym(&b, "", sym, 0, 0, EB_STT_SECTION, 0));
	b.sec[xdp].data[12] = 4; /* maps + 4: inside m, not a map start */
	expect_refusal("map offset", "lddw of 'maps': no map is defined "
				     "there in maps");

	refusal_object(&xdp, &text);
	sym = eb_sec(&b, ".data", EB_SHT_PROGBITS, 3, NULL, 8);
	eb_rel(&b, xdp, 8, EB_R_64_64,
	       eb_sym(&b, "", sym, 0, 0, EB_STT_SECTION, 0));
	b.sec[xdp].data[12] = 9;
	expect_refusal("data offset", "lddw of '.data': the offset is "
				      "outside .data");

	refusal_object(&xdp, &text);
	sym = eb_sec(&b, "license", EB_SHT_PROGBITS, 3, "GPL", 4);
	eb_rel(&b, xdp, 8, EB_R_64_64,
	       eb_sym(&b, "lic", sym, 0, 4, EB_STT_OBJECT, 1));
	expect_refusal("lddw of the license",
		       "lddw of 'lic' in license, "
		       "which is neither a map, global data nor code");

	refusal_object(&xdp, &text);
	eb_rel(&b, xdp, 0, EB_R_64_32, 1);
	b.rel_type = EB_SHT_RELA;
	expect_refusal("RELA", "RELA relocations for xdp are not supported");

	refusal_object(&xdp, &text);
	eb_sym(&b, "odd", xdp, 4, 8, EB_STT_FUNC, 1);
	expect_refusal("misaligned function",
		       "function 'odd' at offset 0x4 "
		       "+ size 0x8 is not whole instructions");

	refusal_object(&xdp, &text);
	eb_sym(&b, "overlapping", xdp, 8, 16, EB_STT_FUNC, 1);
	expect_refusal("overlap", "functions 'prog' (instructions 0-5) and "
				  "'overlapping' (1-3) overlap");

	refusal_object(&xdp, &text);
	eb_sym(&b, "short", xdp, 40, 0, EB_STT_FUNC, 1); /* empty: ignored */
	b.sym[2].size = 16; /* prog ends inside its lddw */
	expect_refusal("cut lddw", "lddw is missing its second slot at the "
				   "end of 'prog'");

	refusal_object(&xdp, &text);
	eb_sec(&b, "version", EB_SHT_PROGBITS, 3, "abc", 3);
	expect_refusal("version", "section 3 (version): 3 bytes, not a 4-byte "
				  "kernel version");

	refusal_object(&xdp, &text);
	eb_sym(&b, "far", 200, 0, 0, EB_STT_OBJECT, 1);
	expect_refusal("symbol section", "symbol 3 'far': section index 200 "
					 "is not one of the");
}

/* The file header and section table. */
static void test_file_refusals(void)
{
	static const uint64_t code[] = { EB_MOV(0, 0), EB_EXIT() };
	bpfvm_error err = { 0 };
	bpfvm_elf *elf;
	size_t size;

	eb_init(&b);
	eb_sym(&b, "p", eb_code(&b, "xdp", code, 2), 0, 16, EB_STT_FUNC, 1);
	size = eb_build(&b);
	CHECK(bpfvm_elf_open_mem(b.out, size, &elf, &err) == 0);
	bpfvm_elf_close(elf);

#define REFUSE(mutate, fragment)                                               \
	do {                                                                   \
		eb_build(&b);                                                  \
		mutate;                                                        \
		memset(&err, 0, sizeof(err));                                  \
		CHECK(bpfvm_elf_open_mem(b.out, size, &elf, &err) == -1);      \
		CHECK(elf == NULL);                                            \
		CHECK_STR_CONTAINS(err.msg, fragment);                         \
	} while (0)

	REFUSE(b.out[0] = 'X', "not an ELF file (bad magic");
	REFUSE(b.out[4] = 1, "ELF class 1 is not ELFCLASS64");
	REFUSE(b.out[5] = 2, "not little-endian");
	REFUSE(b.out[16] = 2, "ELF type 2 is not ET_REL");
	REFUSE(b.out[18] = 62, "machine 62 is not BPF (EM_BPF = 247)");
	REFUSE(b.out[58] = 40, "section header size 40 is not 64");
	REFUSE(b.out[60] = 0xff, "section header table at 0x");
	REFUSE(b.out[62] = 0x30, "section name table index 48");
	REFUSE((b.out[60] = 0, b.out[61] = 0), "extended section numbering");
	REFUSE(eb_put(eb_shdr(&b, 1) + 24, 0x10000, 8),
	       "section 1 (xdp): offset 0x10000 + size 0x10 is past the end "
	       "of the");
	REFUSE(eb_put(eb_shdr(&b, 1) + 32, UINT64_MAX, 8),
	       "section 1 (xdp): offset 0x40 + size 0xffffffffffffffff is "
	       "past the end");
	REFUSE(eb_put(eb_shdr(&b, 1), 0x7000, 4),
	       "section 1: name offset 28672 is past");
	REFUSE(eb_put(eb_shdr(&b, b.symtab) + 40, 99, 4),
	       "string table index (sh_link) 99");
	REFUSE(eb_put(eb_shdr(&b, b.symtab) + 56, 16, 8),
	       "do not make 24-byte symbols");
	REFUSE(eb_put(eb_shdr(&b, b.shstrtab) + 4, 1, 4),
	       "the section name table has type 1");
	REFUSE(eb_put(eb_shdr(&b, 1) + 32, 12, 8),
	       "code size 12 is not a multiple of 8");
	/* The symbol's name, past the string table. */
	REFUSE(eb_put(b.out + b.sec[b.symtab].off + 24, 0x7000, 4),
	       "symbol 1: name offset 28672 is past");
	/* An unterminated string table. */
	REFUSE(b.out[b.sec[b.strtab].off + b.sec[b.strtab].size - 1] = 'x',
	       "string table does not end with a NUL byte");
	memset(&err, 0, sizeof(err));
	CHECK(bpfvm_elf_open_mem(b.out, 10, &elf, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "file is 10 bytes, too short");
	CHECK(bpfvm_elf_open("/nonexistent/x.o", &elf, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "/nonexistent/x.o: ");
#undef REFUSE
}

/* ---- (c) BTF ---- */

enum {
	T_INT = 1,
	T_UINT,
	T_CHAR,
	T_CHARS,
	T_ENUM,
	T_UNION,
	T_U8S,
	T_U8,
	T_BOOL,
	T_FLOAT,
	T_VOIDP,
	T_S,
	T_S_T,
	T_CONST,
	T_VAR_S,
	T_LOOP_A,
	T_LOOP_B,
	T_VAR_N,
	T_DATASEC,
	T_ENUM64,
	T_FWD,
	T_VOLATILE,
	T_RESTRICT,
	T_PROTO,
	T_FUNC,
	T_DECL_TAG,
	T_TYPE_TAG,
	T_INT128,
	T_ARR2,
	T_PARR2,
	T_ARR10,
	T_PARR10,
	T_PINT,
	T_PS,
	T_DEF,
	T_VAR_MAP,
	T_MAPS,
};

/* Every kind, a struct for the printer, and one .maps definition:
 * { __uint(type, 2); __uint(max_entries, 10); __type(key, int);
 *   __type(value, struct S); } mymap. variant selects a defect. */
static size_t voidp_at; /* where T_VOIDP's type id is in the blob */

static size_t build_btf(uint8_t *out, int variant)
{
	static struct bb t;
	uint32_t s_members = variant == 1 ? 5 : 4;

	bb_init(&t);
	bb_type(&t, "int", 1, 0, 0, 4), bb_u32(&t, 1u << 24 | 32);
	bb_type(&t, "unsigned int", 1, 0, 0, 4), bb_u32(&t, 32);
	bb_type(&t, "char", 1, 0, 0, 1), bb_u32(&t, 1u << 24 | 8);
	bb_type(&t, "", 3, 0, 0, 0), bb_u32(&t, T_CHAR), bb_u32(&t, T_UINT),
		bb_u32(&t, 6);
	bb_type(&t, "E", 6, 2, 0, 4);
	bb_u32(&t, bb_str(&t, "E_ONE")), bb_u32(&t, 1);
	bb_u32(&t, bb_str(&t, "E_TWO")), bb_u32(&t, 2);
	bb_type(&t, "U", 5, 2, 0, 4);
	bb_member(&t, "x", T_UINT, 0);
	bb_member(&t, "y", T_U8S, 0);
	bb_type(&t, "", 3, 0, 0, 0), bb_u32(&t, T_U8), bb_u32(&t, T_UINT),
		bb_u32(&t, 4);
	bb_type(&t, "unsigned char", 1, 0, 0, 1), bb_u32(&t, 8);
	bb_type(&t, "_Bool", 1, 0, 0, 1), bb_u32(&t, 4u << 24 | 8);
	bb_type(&t, "float", 16, 0, 0, 4);
	voidp_at = 24 + t.tlen + 8;
	bb_type(&t, "", 2, 0, 0, 0);
	bb_type(&t, "S", 4, 9, 1, 40);
	bb_member(&t, "a", T_INT, 0);
	bb_member(&t, "b", T_UINT, 3u << 24 | 32);
	bb_member(&t, "c", T_INT, 5u << 24 | 35);
	bb_member(&t, "name", T_CHARS, 64);
	bb_member(&t, "e", T_ENUM, 128);
	bb_member(&t, "u", T_UNION, 160);
	bb_member(&t, "f", T_BOOL, 192);
	bb_member(&t, "g", T_FLOAT, 224);
	bb_member(&t, "p", T_VOIDP, 256);
	bb_type(&t, "S_t", 8, 0, 0, T_S);
	bb_type(&t, "", 10, 0, 0, T_S_T);
	bb_type(&t, "s", 14, 0, 0, T_CONST), bb_u32(&t, 1);
	bb_type(&t, "loop_a", 8, 0, 0, T_LOOP_B);
	bb_type(&t, "loop_b", 8, 0, 0, T_LOOP_A);
	bb_type(&t, "n", 14, 0, 0, T_INT), bb_u32(&t, 1);
	bb_type(&t, ".data", 15, 2, 0, 0); /* size and offsets: fixed up */
	bb_u32(&t, T_VAR_S), bb_u32(&t, 0), bb_u32(&t, 40);
	bb_u32(&t, T_VAR_N), bb_u32(&t, 0), bb_u32(&t, 4);
	bb_type(&t, "E64", 19, 1, 0, 8);
	bb_u32(&t, bb_str(&t, "BIG")), bb_u32(&t, 0), bb_u32(&t, 1);
	bb_type(&t, "fwd", 7, 0, 0, 0);
	bb_type(&t, "", 9, 0, 0, T_INT);
	bb_type(&t, "", 11, 0, 0, T_VOIDP);
	bb_type(&t, "", 13, 1, 0, T_INT), bb_u32(&t, bb_str(&t, "x")),
		bb_u32(&t, T_INT);
	bb_type(&t, "fn", 12, 1, 0, T_PROTO);
	bb_type(&t, "tag", 17, 0, 0, T_S), bb_u32(&t, UINT32_MAX);
	bb_type(&t, "user", 18, 0, 0, T_INT);
	bb_type(&t, "__int128", 1, 0, 0, 16), bb_u32(&t, 1u << 24 | 128);
	bb_type(&t, "", 3, 0, 0, 0), bb_u32(&t, T_INT), bb_u32(&t, T_UINT),
		bb_u32(&t, 2);
	bb_type(&t, "", 2, 0, 0, T_ARR2);
	bb_type(&t, "", 3, 0, 0, 0), bb_u32(&t, T_INT), bb_u32(&t, T_UINT),
		bb_u32(&t, 10);
	bb_type(&t, "", 2, 0, 0, T_ARR10);
	bb_type(&t, "", 2, 0, 0, T_INT);
	bb_type(&t, "", 2, 0, 0, T_S);
	bb_type(&t, "", 4, s_members, 0, 32);
	bb_member(&t, "type", T_PARR2, 0);
	bb_member(&t, "max_entries", T_PARR10, 64);
	bb_member(&t, variant == 2 ? "keys" : "key",
		  variant == 3 ? T_INT : T_PINT, 128);
	bb_member(&t, "value", T_PS, 192);
	if (variant == 1)
		bb_member(&t, "value_size", T_PARR2, 256);
	bb_type(&t, "mymap", 14, 0, 0, variant == 4 ? T_INT : T_DEF),
		bb_u32(&t, 1);
	bb_type(&t, ".maps", 15, 1, 0, 0);
	bb_u32(&t, T_VAR_MAP), bb_u32(&t, 0), bb_u32(&t, 32);
	return bb_blob(&t, out);
}

static const uint8_t s_data[48] = {
	0xfb, 0xff, 0xff, 0xff, /* a = -5 */
	0xed, 0,    0,	  0,	/* b = 5 (bits 0-2), c = -3 (bits 3-7) */
	'h',  'i',  0,	  0,	0, 0, 0, 0, /* name */
	2,    0,    0,	  0,		    /* e = E_TWO */
	4,    3,    2,	  1,		    /* u */
	1,    0,    0,	  0,		    /* f */
	0,    0,    0xc0, 0x3f,		    /* g = 1.5f */
	0x34, 0x12, 0,	  0,	0, 0, 0, 0, /* p */
	42,   0,    0,	  0,	0, 0, 0, 0, /* n */
};

static void build_btf_object(int variant, bool with_btf)
{
	static uint8_t blob[4096];
	size_t n = build_btf(blob, variant);
	int maps, data;

	eb_init(&b);
	maps = eb_sec(&b, ".maps", EB_SHT_PROGBITS, 3, NULL, 32);
	data = eb_sec(&b, ".data", EB_SHT_PROGBITS, 3, s_data, 48);
	if (with_btf)
		eb_sec(&b, ".BTF", EB_SHT_PROGBITS, 0, blob, n);
	eb_sym(&b, "mymap", maps, 0, 32, EB_STT_OBJECT, 1);
	eb_sym(&b, "s", data, 0, 40, EB_STT_OBJECT, 1);
	eb_sym(&b, "n", data, 40, 4, EB_STT_OBJECT, 1);
}

static void expect_format(const bpfvm_elf *elf, uint32_t type, const void *data,
			  size_t size, const char *want)
{
	char buf[512];
	size_t n = bpfvm_elf_format(elf, type, data, size, buf, sizeof(buf));

	CHECK_U64(n, strlen(buf));
	if (strcmp(buf, want))
		fprintf(stderr, "format type %u: \"%s\"\n  expected \"%s\"\n",
			type, buf, want);
	CHECK(!strcmp(buf, want));
}

static void test_btf(void)
{
	static const char s_text[] =
		"{ .a = -5, .b = 5, .c = -3, .name = \"hi\", .e = E_TWO, "
		".u = { .x = 16909060, .y = [ 4, 3, 2, 1 ] }, .f = true, "
		".g = 1.5, .p = 0x1234 }";
	const struct bpfvm_elf_map *m;
	uint8_t big[16] = { 0 }, raw[8] = { 0, 0, 0, 0, 1, 0, 0, 0 };
	char buf[512], want[600];
	bpfvm_error err;
	bpfvm_elf *elf;
	size_t n;

	build_btf_object(0, true);
	elf = open_built(&err);
	CHECK(elf != NULL);
	if (!elf) {
		fprintf(stderr, "BTF object: %s\n", err.msg);
		return;
	}
	CHECK_U64(bpfvm_elf_nmaps(elf), 2);
	m = bpfvm_elf_map(elf, 0);
	CHECK(!strcmp(m->spec.name, "mymap") && m->spec.type == 2 &&
	      m->spec.key_size == 4 && m->spec.value_size == 40 &&
	      m->spec.max_entries == 10 && m->btf_key_type == T_INT &&
	      m->btf_value_type == T_S && !m->has_inner);
	m = bpfvm_elf_map(elf, 1);
	CHECK(m->kind == BPFVM_ELF_MAP_DATA && m->btf_value_type == T_DATASEC);

	/* The DATASEC, its offsets fixed from the symbols. */
	snprintf(want, sizeof(want), "{ .s = %s, .n = 42 }", s_text);
	expect_format(elf, m->btf_value_type, m->data, m->data_size, want);
	expect_format(elf, T_S, s_data, 40, s_text);
	expect_format(elf, T_CONST, s_data, 40, s_text);
	expect_format(elf, T_INT, s_data, 4, "-5");
	expect_format(elf, T_UINT, s_data, 4, "4294967291");
	expect_format(elf, T_TYPE_TAG, s_data, 4, "-5");
	expect_format(elf, T_VOLATILE, s_data, 4, "-5");
	expect_format(elf, T_CHAR, "A", 1, "'A'");
	expect_format(elf, T_CHARS, "\1\2\0\0\0\0", 6, "[ 1, 2, 0, 0, 0, 0 ]");
	expect_format(elf, T_U8S, "ab\0\0", 4, "[ 97, 98, 0, 0 ]");
	expect_format(elf, T_ENUM, "\7\0\0\0", 4, "7");
	expect_format(elf, T_ENUM64, raw, 8, "BIG");
	big[0] = 0x01, big[15] = 0x80;
	expect_format(elf, T_INT128, big, 16,
		      "0x80000000000000000000000000000001");
	expect_format(elf, T_RESTRICT, s_data + 32, 8, "0x1234");
	/* Nothing to print, or no size: hex. */
	expect_format(elf, 0, "\1\2", 2, "01 02");
	expect_format(elf, T_FWD, "\1\2", 2, "01 02");
	expect_format(elf, T_LOOP_A, "\1\2", 2, "01 02");
	expect_format(elf, T_FUNC, "\1\2", 2, "01 02");
	expect_format(elf, 9999, "\1\2", 2, "01 02");
	expect_format(
		elf, T_S, s_data, 39,
		"fb ff ff ff ed 00 00 00 68 69 00 "
		"00 00 00 00 00 02 00 00 00 04 03 02 01 01 00 00 00 00 00 "
		"c0 3f 34 12 00 00 00 00 00");
	expect_format(NULL, T_INT, "\1", 1, "01");
	/* Truncation keeps a prefix and says how much it wrote. */
	n = bpfvm_elf_format(elf, T_S, s_data, 40, buf, 10);
	CHECK_U64(n, 9);
	CHECK(!strncmp(buf, s_text, 9) && buf[9] == '\0');
	n = bpfvm_elf_format(elf, T_S, s_data, 40, buf, 1);
	CHECK(n == 0 && buf[0] == '\0');
	CHECK_U64(bpfvm_elf_format(elf, T_S, s_data, 40, NULL, 0), 0);
	bpfvm_elf_close(elf);

	build_btf_object(1, true);
	expect_refusal(".maps value_size conflict",
		       "map 'mymap': value_size "
		       "2 conflicts with its type's size 40");
	build_btf_object(2, true);
	expect_refusal(".maps unknown field", "map 'mymap': field 'keys' is "
					      "not a map definition field");
	build_btf_object(3, true);
	expect_refusal(".maps key not a pointer",
		       "map 'mymap': field 'key' "
		       "is not __type(): want a pointer (BTF int)");
	build_btf_object(4, true);
	expect_refusal(".maps not a struct", "map 'mymap': its definition is "
					     "a BTF int, not a struct");
	build_btf_object(0, false);
	expect_refusal(".maps without BTF", "section 1 (.maps): BTF-defined "
					    "maps need the object's BTF");
}

/* map-in-map and prog-array `values`. */
static void test_btf_inner(void)
{
	static struct bb t;
	static uint8_t blob[2048];
	const struct bpfvm_elf_map *m;
	bpfvm_error err;
	bpfvm_elf *elf;
	int maps;

	bb_init(&t);
	bb_type(&t, "int", 1, 0, 0, 4), bb_u32(&t, 1u << 24 | 32); /* 1 */
#define ARR(n)                                                                 \
	(bb_type(&t, "", 3, 0, 0, 0), bb_u32(&t, 1), bb_u32(&t, 1),            \
	 bb_u32(&t, n))
	ARR(12);			   /* 2: type 12 */
	bb_type(&t, "", 2, 0, 0, 2);	   /* 3 */
	ARR(2);				   /* 4: ARRAY type, max 2 */
	bb_type(&t, "", 2, 0, 0, 4);	   /* 5 */
	ARR(8);				   /* 6 */
	bb_type(&t, "", 2, 0, 0, 6);	   /* 7 */
	bb_type(&t, "", 2, 0, 0, 1);	   /* 8: int * */
	bb_type(&t, "inner", 4, 3, 0, 24); /* 9 */
	bb_member(&t, "type", 5, 0);
	bb_member(&t, "max_entries", 7, 64);
	bb_member(&t, "key", 8, 128);
	bb_type(&t, "", 2, 0, 0, 9); /* 10: struct inner * */
	bb_type(&t, "", 3, 0, 0, 0), bb_u32(&t, 10), bb_u32(&t, 1),
		bb_u32(&t, 0);	      /* 11: struct inner *[] */
	bb_type(&t, "", 4, 4, 0, 32); /* 12: outer def */
	bb_member(&t, "type", 3, 0);
	bb_member(&t, "max_entries", 5, 64);
	bb_member(&t, "key", 8, 128);
	bb_member(&t, "values", 11, 192);
	bb_type(&t, "outer", 14, 0, 0, 12), bb_u32(&t, 1); /* 13 */
	bb_type(&t, ".maps", 15, 1, 0, 0);		   /* 14 */
	bb_u32(&t, 13), bb_u32(&t, 0), bb_u32(&t, 40);
#undef ARR
	eb_init(&b);
	maps = eb_sec(&b, ".maps", EB_SHT_PROGBITS, 3, NULL, 40);
	eb_sec(&b, ".BTF", EB_SHT_PROGBITS, 0, blob, bb_blob(&t, blob));
	eb_sym(&b, "outer", maps, 0, 40, EB_STT_OBJECT, 1);
	elf = open_built(&err);
	CHECK(elf != NULL);
	if (!elf) {
		fprintf(stderr, "inner object: %s\n", err.msg);
		return;
	}
	m = bpfvm_elf_map(elf, 0);
	CHECK(m->spec.type == 12 && m->spec.key_size == 4 &&
	      m->spec.value_size == 4 && m->spec.max_entries == 2 &&
	      m->has_inner && m->spec.inner == &m->inner);
	CHECK(m->inner.type == 2 && m->inner.key_size == 4 &&
	      m->inner.max_entries == 8 && m->inner.name &&
	      !strcmp(m->inner.name, "outer.inner"));
	bpfvm_elf_close(elf);
}

/* Broken BTF, each refused by name. */
static void test_bad_btf(void)
{
	static const struct {
		size_t at; /* offset in the blob */
		uint32_t value;
		int width;
		const char *fragment;
	} cases[] = {
		{ 0, 0x9feb, 2, "bad magic 0x9feb" },
		{ 2, 2, 1, "unknown BTF version 2" },
		{ 4, 8, 4, "header length 8 is outside" },
		{ 12, 0x100000, 4, "type area at 0 + 1048576 is past" },
		{ 20, 0, 4, "the string area must start and end with a NUL" },
		{ 24 + 4, 20u << 24, 4, "type [1] has unknown kind 20" },
		{ 24 + 4, 1u << 24 | 1u << 16, 4, "sets unused info bits" },
		{ 24, 0x10000, 4, "type [1] INT: name offset 65536" },
		{ 24 + 12, 1u << 24 | 200, 4, "type [1] INT: bit count 200" },
		{ 24 + 8, 3, 4, "type [1] INT: size 3" },
		/* filled in below: the void * made to point past the end */
		{ SIZE_MAX, 5000, 4,
		  "type [11] PTR: refers to missing type 5000" },
	};
	static uint8_t blob[4096];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = build_btf(blob, 0);
		size_t at = cases[i].at == SIZE_MAX ? voidp_at : cases[i].at;
		int maps;

		eb_put(blob + at, cases[i].value, cases[i].width);
		eb_init(&b);
		maps = eb_sec(&b, ".maps", EB_SHT_PROGBITS, 3, NULL, 32);
		eb_sec(&b, ".BTF", EB_SHT_PROGBITS, 0, blob, n);
		eb_sym(&b, "mymap", maps, 0, 32, EB_STT_OBJECT, 1);
		expect_refusal("bad BTF", cases[i].fragment);
	}
	/* Cut short: the last type loses part of its extra data. */
	{
		size_t n = build_btf(blob, 0);
		uint32_t tlen = (uint32_t)blob[12] | (uint32_t)blob[13] << 8;

		eb_put(blob + 12, tlen - 4, 4);
		eb_init(&b);
		eb_sec(&b, ".BTF", EB_SHT_PROGBITS, 0, blob, n);
		expect_refusal("cut BTF", ".BTF: type [");
	}
}

/* ---- (d) section names ---- */

static void test_section_names(void)
{
	static const struct {
		const char *sec;
		enum bpfvm_prog_type type;
	} cases[] = {
		{ "xdp", BPFVM_PROG_XDP },
		{ "xdp.frags", BPFVM_PROG_XDP },
		{ "xdp/devmap", BPFVM_PROG_XDP },
		{ "socket", BPFVM_PROG_SOCKET_FILTER },
		{ "kprobe/__x64_sys_open", BPFVM_PROG_KPROBE },
		{ "kprobe", BPFVM_PROG_KPROBE },
		{ "kretprobe/do_exit", BPFVM_PROG_KPROBE },
		{ "uprobe//bin/bash:readline", BPFVM_PROG_KPROBE },
		{ "usdt/libc:probe", BPFVM_PROG_KPROBE },
		{ "tracepoint/syscalls/sys_enter_open", BPFVM_PROG_TRACEPOINT },
		{ "tp/sched/sched_switch", BPFVM_PROG_TRACEPOINT },
		{ "raw_tracepoint/sys_enter", BPFVM_PROG_RAW_TRACEPOINT },
		{ "raw_tp/sys_enter", BPFVM_PROG_RAW_TRACEPOINT },
		{ "raw_tp.w/bpf_test", BPFVM_PROG_RAW_TRACEPOINT_WRITABLE },
		{ "tc", BPFVM_PROG_SCHED_CLS },
		{ "tcx/ingress", BPFVM_PROG_SCHED_CLS },
		{ "classifier", BPFVM_PROG_SCHED_CLS },
		{ "action", BPFVM_PROG_SCHED_ACT },
		{ "cgroup/skb", BPFVM_PROG_CGROUP_SKB },
		{ "cgroup_skb/ingress", BPFVM_PROG_CGROUP_SKB },
		{ "cgroup/sock_create", BPFVM_PROG_CGROUP_SOCK },
		{ "cgroup/connect4", BPFVM_PROG_CGROUP_SOCK_ADDR },
		{ "cgroup/dev", BPFVM_PROG_CGROUP_DEVICE },
		{ "cgroup/sysctl", BPFVM_PROG_CGROUP_SYSCTL },
		{ "cgroup/getsockopt", BPFVM_PROG_CGROUP_SOCKOPT },
		{ "perf_event", BPFVM_PROG_PERF_EVENT },
		{ "sk_skb/stream_parser", BPFVM_PROG_SK_SKB },
		{ "sk_msg", BPFVM_PROG_SK_MSG },
		{ "lwt_in", BPFVM_PROG_LWT_IN },
		{ "lwt_xmit", BPFVM_PROG_LWT_XMIT },
		{ "lwt_seg6local", BPFVM_PROG_LWT_SEG6LOCAL },
		{ "flow_dissector", BPFVM_PROG_FLOW_DISSECTOR },
		{ "sockops", BPFVM_PROG_SOCK_OPS },
		{ "sk_lookup", BPFVM_PROG_SK_LOOKUP },
		{ "sk_reuseport", BPFVM_PROG_SK_REUSEPORT },
		{ "lirc_mode2", BPFVM_PROG_LIRC_MODE2 },
		{ "fentry/do_unlinkat", BPFVM_PROG_TRACING },
		{ "fexit/do_unlinkat", BPFVM_PROG_TRACING },
		{ "fmod_ret/x", BPFVM_PROG_TRACING },
		{ "tp_btf/sched_switch", BPFVM_PROG_TRACING },
		{ "iter/task", BPFVM_PROG_TRACING },
		{ "freplace/f", BPFVM_PROG_EXT },
		{ "lsm/file_open", BPFVM_PROG_LSM },
		{ "lsm.s/bprm", BPFVM_PROG_LSM },
		{ "struct_ops/tcp_init", BPFVM_PROG_STRUCT_OPS },
		{ "syscall", BPFVM_PROG_SYSCALL },
		{ "netfilter", BPFVM_PROG_NETFILTER },
		/* libbpf before 1.0: prefixes */
		{ "xdp1", BPFVM_PROG_XDP },
		{ "xdp_fwd", BPFVM_PROG_XDP },
		{ "socket2", BPFVM_PROG_SOCKET_FILTER },
		{ "cgroup/sock1", BPFVM_PROG_CGROUP_SOCK },
		{ "tc/tail", BPFVM_PROG_SCHED_CLS },
		{ "xdp_devmap/prog", BPFVM_PROG_XDP },
		/* unknown */
		{ "tcp_rtt", BPFVM_PROG_UNSPEC },
		{ "xdpsock", BPFVM_PROG_UNSPEC },
		{ "2/7", BPFVM_PROG_UNSPEC },
		{ "from-netdev", BPFVM_PROG_UNSPEC },
		{ ".text", BPFVM_PROG_UNSPEC },
		{ "", BPFVM_PROG_UNSPEC },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum bpfvm_prog_type t =
			bpfvm_prog_type_of_section(cases[i].sec);

		if (t != cases[i].type)
			fprintf(stderr,
				"section \"%s\": type %d, expected %d\n",
				cases[i].sec, t, cases[i].type);
		CHECK(t == cases[i].type);
	}
	CHECK(bpfvm_prog_type_of_section(NULL) == BPFVM_PROG_UNSPEC);
}

/* ---- (e) the clang-built objects ---- */

#define MARK_DEEP  0x4004
#define MARK_ADD3  0x1001
#define MARK_SCALE 0x2002
#define MARK_CB	   0x3003

static char progs_dir[PATH_MAX];

/* build/progs/, beside the test binary (or $BPFVM_TEST_PROGS). */
static bool find_progs(void)
{
	const char *env = getenv("BPFVM_TEST_PROGS");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env) {
		snprintf(progs_dir, sizeof(progs_dir), "%s", env);
		return true;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return false;
	*slash = '\0';
	snprintf(progs_dir, sizeof(progs_dir), "%.4000s/progs", exe);
	return true;
}

static bpfvm_elf *open_prog_object(const char *name)
{
	char path[PATH_MAX + 64];
	bpfvm_error err = { 0 };
	bpfvm_elf *elf;

	snprintf(path, sizeof(path), "%.4000s/%s", progs_dir, name);
	if (access(path, R_OK)) {
		printf("SKIP part: %s is missing (tests/progs not built: no "
		       "clang or libbpf-dev?)\n",
		       path);
		return NULL;
	}
	if (bpfvm_elf_open(path, &elf, &err)) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		CHECK(0);
		return NULL;
	}
	return elf;
}

/* ALU instructions with imm == mark, in [from, to). */
static int count_mark(const struct bpfvm_elf_prog *p, size_t from, size_t to,
		      int32_t mark)
{
	int n = 0;

	for (size_t pc = from; pc < to && pc < p->count; pc++) {
		uint8_t cls = p->insns[pc].code & 7;

		if (p->insns[pc].code == LDDW) {
			pc++;
			continue;
		}
		n += (cls == BPFVM_ALU || cls == BPFVM_ALU64) &&
		     p->insns[pc].imm == mark;
	}
	return n;
}

/* The function starting at pc: up to its (first) exit. */
static size_t func_end(const struct bpfvm_elf_prog *p, size_t pc)
{
	while (pc < p->count && p->insns[pc].code != EXIT)
		pc += p->insns[pc].code == LDDW ? 2 : 1;
	return pc + 1;
}

/* Calls and callback addresses land on a function appended after the
 * program's code: right after an exit. */
static void check_targets(const struct bpfvm_elf_prog *p)
{
	for (size_t pc = 0; pc < p->count; pc++) {
		const bpfvm_insn *in = &p->insns[pc];
		long t = (long)pc + 1 + in->imm;
		bool local = (in->code == CALL && in->src == 1) ||
			     (in->code == LDDW && in->src == BPFVM_PSEUDO_FUNC);

		if (local) {
			CHECK(t > 0 && t < (long)p->count);
			if (t > 0 && t < (long)p->count)
				CHECK(p->insns[t - 1].code == EXIT);
		}
		if (in->code == LDDW)
			pc++;
	}
}

/* Link map indexes as a loader would (index + 1 as the id) and run the
 * structural checks every program must pass. */
static void check_loadable(const struct bpfvm_elf_prog *p)
{
	bpfvm_insn *insns = malloc(p->count * sizeof(*insns));
	bpfvm_error err = { 0 };

	memcpy(insns, p->insns, p->count * sizeof(*insns));
	for (size_t pc = 0; pc + 1 < p->count; pc++) {
		if (insns[pc].code != LDDW)
			continue;
		if (insns[pc].src == BPFVM_PSEUDO_MAP_IDX ||
		    insns[pc].src == BPFVM_PSEUDO_MAP_IDX_VALUE) {
			insns[pc].src = insns[pc].src == BPFVM_PSEUDO_MAP_IDX
						? BPFVM_PSEUDO_MAP_FD
						: BPFVM_PSEUDO_MAP_VALUE;
			insns[pc].imm++;
		}
		pc++;
	}
	if (bpfvm_check(insns, p->count, BPFVM_REG(1) | BPFVM_REG(10), &err))
		fprintf(stderr, "%s: insn %d: %s\n", p->name, err.insn,
			err.msg);
	CHECK(bpfvm_check(insns, p->count, BPFVM_REG(1) | BPFVM_REG(10),
			  &err) == 0);
	free(insns);
}

/* Where call number n (0-based) of p goes. */
static long nth_call_target(const struct bpfvm_elf_prog *p, int n)
{
	for (size_t pc = 0; pc < p->count; pc++) {
		const bpfvm_insn *in = &p->insns[pc];

		if (in->code == CALL && in->src == 1 && n-- == 0)
			return (long)pc + 1 + in->imm;
		if (in->code == LDDW)
			pc++;
	}
	return -1;
}

static void test_progs_object(void)
{
	static const struct {
		const char *name, *section;
		enum bpfvm_prog_type type;
		int deep, add3, scale, cb; /* marker counts */
	} want[] = {
		{ "xdp_first", "xdp", BPFVM_PROG_XDP, 1, 1, 1, 0 },
		{ "xdp_second", "xdp", BPFVM_PROG_XDP, 1, 1, 0, 1 },
		{ "kprobe_open", "kprobe/__x64_sys_open", BPFVM_PROG_KPROBE, 0,
		  0, 0, 0 },
		{ "tc_scale", "tc", BPFVM_PROG_SCHED_CLS, 0, 0, 1, 0 },
		{ "sock_len", "socket", BPFVM_PROG_SOCKET_FILTER, 0, 0, 0, 0 },
	};
	bpfvm_elf *elf = open_prog_object("elf_progs.bpf.o");
	const struct bpfvm_elf_map *m;
	const struct bpfvm_elf_prog *p;
	long t, t2;

	if (!elf)
		return;
	CHECK(!strcmp(bpfvm_elf_license(elf), "GPL"));
	CHECK_U64(bpfvm_elf_kern_version(elf), 0x050a00);
	CHECK_U64(bpfvm_elf_nmaps(elf), 1);
	m = bpfvm_elf_map(elf, 0);
	CHECK(!strcmp(m->spec.name, "counters") &&
	      m->spec.type == BPFVM_MAP_ARRAY && m->spec.key_size == 4 &&
	      m->spec.value_size == 8 && m->spec.max_entries == 4 &&
	      m->btf_key_type && m->btf_value_type);
	expect_format(elf, m->btf_value_type, "\5\0\0\0\0\0\0\0", 8, "5");
	CHECK_U64(bpfvm_elf_nprogs(elf), 5);
	for (size_t i = 0; i < 5 && i < bpfvm_elf_nprogs(elf); i++) {
		p = bpfvm_elf_prog(elf, i);
		CHECK(!strcmp(p->name, want[i].name));
		CHECK(!strcmp(p->section, want[i].section));
		CHECK(p->type == want[i].type);
		/* Each subprogram appended once, only where used. */
		CHECK(count_mark(p, 0, p->count, MARK_DEEP) == want[i].deep);
		CHECK(count_mark(p, 0, p->count, MARK_ADD3) == want[i].add3);
		CHECK(count_mark(p, 0, p->count, MARK_SCALE) == want[i].scale);
		CHECK(count_mark(p, 0, p->count, MARK_CB) == want[i].cb);
		check_targets(p);
		check_loadable(p);
	}

	/* xdp_first: add3(v) + scale(v); add3 calls deep. */
	p = bpfvm_elf_prog(elf, 0);
	t = nth_call_target(p, 0);
	t2 = nth_call_target(p, 1);
	CHECK(t > 0 &&
	      count_mark(p, (size_t)t, func_end(p, (size_t)t), MARK_ADD3) == 1);
	CHECK(t2 > 0 && count_mark(p, (size_t)t2, func_end(p, (size_t)t2),
				   MARK_SCALE) == 1);
	/* The third call is add3's, to deep. */
	t = nth_call_target(p, 2);
	CHECK(t > 0 &&
	      count_mark(p, (size_t)t, func_end(p, (size_t)t), MARK_DEEP) == 1);

	/* xdp_second: bpf_loop(8, loop_cb, ...): the callback's address. */
	p = bpfvm_elf_prog(elf, 1);
	t = -1;
	for (size_t pc = 0; pc + 1 < p->count; pc++) {
		if (p->insns[pc].code == LDDW &&
		    p->insns[pc].src == BPFVM_PSEUDO_FUNC) {
			CHECK(t < 0);
			t = (long)pc + 1 + p->insns[pc].imm;
			CHECK(p->insns[pc + 1].imm == 0);
			CHECK(p->insns[pc].dst == 2);
		}
	}
	CHECK(t > 0 &&
	      count_mark(p, (size_t)t, func_end(p, (size_t)t), MARK_CB) == 1);

	/* kprobe_open: the map by index. */
	p = bpfvm_elf_prog(elf, 2);
	for (size_t pc = 0; pc + 1 < p->count; pc++)
		if (p->insns[pc].code == LDDW) {
			CHECK(p->insns[pc].src == BPFVM_PSEUDO_MAP_IDX &&
			      p->insns[pc].imm == 0 &&
			      p->insns[pc + 1].imm == 0);
			pc++;
		}
	bpfvm_elf_close(elf);
}

/* Must match tests/progs/elf_maps.bpf.c's types (the BPF and the x86-64
 * layouts agree for these). */
struct flow_key {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint8_t proto, pad[3];
};

struct flow_stats {
	uint64_t packets;
	int64_t delta;
	int verdict;
	char ifname[8];
	uint32_t flags : 3;
	uint32_t level : 5;
	int32_t skew : 12;
	union {
		uint32_t raw;
		uint8_t bytes[4];
	} u;
};

static int map_index(const bpfvm_elf *elf, const char *name)
{
	for (size_t i = 0; i < bpfvm_elf_nmaps(elf); i++)
		if (!strcmp(bpfvm_elf_map(elf, i)->spec.name, name))
			return (int)i;
	return -1;
}

static void test_maps_object(void)
{
	static const struct {
		const char *name;
		uint32_t type, key, value, max, flags, pinning;
		bool inner, key_btf, value_btf;
		enum bpfvm_elf_map_kind kind;
	} want[] = {
		{ "inner1", 2, 4, 8, 8, 0, 0, false, true, true, 0 },
		{ "outer", 12, 4, 4, 2, 0, 0, true, true, false, 0 },
		{ "flows", 1, 16, 40, 1024, 0, 0, false, true, true, 0 },
		{ "stats", 6, 4, 8, 16, 0, 0, false, false, false, 0 },
		{ "recent", 9, 8, 4, 128, 2, 1, false, true, true, 0 },
		{ "outer_hash", 13, 4, 4, 4, 0, 0, true, true, false, 0 },
		{ "events", 27, 0, 0, 4096, 0, 0, false, false, false, 0 },
		{ "jumps", 3, 4, 4, 4, 0, 0, false, false, false, 0 },
		{ ".data", 2, 4, 20, 1, 0, 0, false, false, true,
		  BPFVM_ELF_MAP_DATA },
		{ ".rodata", 2, 4, 12, 1, 0x80, 0, false, false, true,
		  BPFVM_ELF_MAP_RODATA },
		{ ".bss", 2, 4, 8, 1, 0, 0, false, false, true,
		  BPFVM_ELF_MAP_BSS },
		{ ".rodata.str1.1", 2, 4, 9, 1, 0x80, 0, false, false, false,
		  BPFVM_ELF_MAP_RODATA },
	};
	bpfvm_elf *elf = open_prog_object("elf_maps.bpf.o");
	const struct bpfvm_elf_map *m;
	const struct bpfvm_elf_prog *p;
	struct flow_stats st;
	struct flow_key key;
	bool used[16] = { false };
	char buf[512];

	if (!elf)
		return;
	CHECK(!strcmp(bpfvm_elf_license(elf), "Dual MIT/GPL"));
	CHECK_U64(bpfvm_elf_nmaps(elf), 12);
	for (size_t i = 0; i < 12 && i < bpfvm_elf_nmaps(elf); i++) {
		m = bpfvm_elf_map(elf, i);
		if (strcmp(m->spec.name, want[i].name))
			fprintf(stderr, "map %zu: %s, expected %s\n", i,
				m->spec.name, want[i].name);
		CHECK(!strcmp(m->spec.name, want[i].name));
		CHECK_U64(m->spec.type, want[i].type);
		CHECK_U64(m->spec.key_size, want[i].key);
		CHECK_U64(m->spec.value_size, want[i].value);
		CHECK_U64(m->spec.max_entries, want[i].max);
		CHECK_U64(m->spec.map_flags, want[i].flags);
		CHECK_U64(m->pinning, want[i].pinning);
		CHECK(m->has_inner == want[i].inner);
		CHECK((m->btf_key_type != 0) == want[i].key_btf);
		CHECK((m->btf_value_type != 0) == want[i].value_btf);
		CHECK(m->kind == want[i].kind);
	}
	m = bpfvm_elf_map(elf, 1);
	CHECK(m->spec.inner == &m->inner && m->inner.type == 2 &&
	      m->inner.key_size == 4 && m->inner.value_size == 8 &&
	      m->inner.max_entries == 8 &&
	      !strcmp(m->inner.name, "outer.inner"));
	m = bpfvm_elf_map(elf, 5);
	CHECK(m->inner.type == 1 && m->inner.key_size == 4 &&
	      m->inner.value_size == 2 && m->inner.max_entries == 16);

	/* Keys and values printed from their BTF. */
	memset(&key, 0, sizeof(key));
	key.saddr = 0x0a000001;
	key.dport = 80;
	key.proto = 6;
	m = bpfvm_elf_map(elf, 2);
	expect_format(elf, m->btf_key_type, &key, sizeof(key),
		      "{ .saddr = 167772161, .daddr = 0, .sport = 0, "
		      ".dport = 80, .proto = 6, .pad = [ 0, 0, 0 ] }");
	memset(&st, 0, sizeof(st));
	st.packets = 10;
	st.delta = -3;
	st.verdict = 2;
	strcpy(st.ifname, "eth0");
	st.flags = 5;
	st.level = 17;
	st.skew = -100;
	st.u.raw = 0x01020304;
	CHECK(sizeof(st) == 40);
	expect_format(elf, m->btf_value_type, &st, sizeof(st),
		      "{ .packets = 10, .delta = -3, .verdict = VERDICT_DROP, "
		      ".ifname = \"eth0\", .flags = 5, .level = 17, "
		      ".skew = -100, .u = { .raw = 16909060, "
		      ".bytes = [ 4, 3, 2, 1 ] } }");
	/* Global data, offsets from the symbols. */
	m = bpfvm_elf_map(elf, 8);
	expect_format(elf, m->btf_value_type, m->data, m->data_size,
		      "{ .hits = 7, .last_key = { .saddr = 167772161, "
		      ".daddr = 0, .sport = 0, .dport = 0, .proto = 6, "
		      ".pad = [ 0, 0, 0 ] } }");
	m = bpfvm_elf_map(elf, 9);
	expect_format(elf, m->btf_value_type, m->data, m->data_size,
		      "{ .limit = 100, .banner = \"bpfvm\" }");
	m = bpfvm_elf_map(elf, 10);
	CHECK(m->data == NULL && m->data_size == 8);
	m = bpfvm_elf_map(elf, 11);
	CHECK(m->data && !memcmp(m->data, "seen %d\n", 9));
	bpfvm_elf_format(elf, 0, m->data, m->data_size, buf, sizeof(buf));
	CHECK(!strcmp(buf, "73 65 65 6e 20 25 64 0a 00"));

	/* The program reaches every map but inner1, by index. */
	CHECK_U64(bpfvm_elf_nprogs(elf), 1);
	p = bpfvm_elf_prog(elf, 0);
	CHECK(p && !strcmp(p->name, "xdp_maps"));
	for (size_t pc = 0; p && pc + 1 < p->count; pc++) {
		const bpfvm_insn *in = &p->insns[pc];

		if (in->code != LDDW)
			continue;
		CHECK(in->src == BPFVM_PSEUDO_MAP_IDX ||
		      in->src == BPFVM_PSEUDO_MAP_IDX_VALUE);
		if (in->imm >= 0 && in->imm < 16)
			used[in->imm] = true;
		if (in->src == BPFVM_PSEUDO_MAP_IDX)
			CHECK(in[1].imm == 0 && in->imm < 8);
		else
			CHECK(in->imm >= 8 && in->imm < 12 &&
			      (uint32_t)in[1].imm <=
				      bpfvm_elf_map(elf, (size_t)in->imm)
					      ->spec.value_size);
		pc++;
	}
	for (int i = 0; i < 12; i++)
		CHECK(used[i] == (i != map_index(elf, "inner1")));
	if (p)
		check_loadable(p);
	bpfvm_elf_close(elf);
}

static void test_legacy_object(void)
{
	bpfvm_elf *elf = open_prog_object("elf_legacy.bpf.o");
	const struct bpfvm_elf_map *m;
	const struct bpfvm_elf_prog *p;

	if (!elf)
		return;
	CHECK(!strcmp(bpfvm_elf_license(elf), "GPL"));
	CHECK_U64(bpfvm_elf_kern_version(elf), 0x040e00);
	CHECK_U64(bpfvm_elf_nmaps(elf), 3);
	m = bpfvm_elf_map(elf, 0);
	CHECK(!strcmp(m->spec.name, "inner_arr") && m->spec.type == 2 &&
	      m->spec.key_size == 4 && m->spec.value_size == 8 &&
	      m->spec.max_entries == 4);
	m = bpfvm_elf_map(elf, 1);
	CHECK(!strcmp(m->spec.name, "counts") && m->spec.type == 1 &&
	      m->spec.max_entries == 64 &&
	      m->spec.map_flags == BPFVM_F_NO_PREALLOC);
	m = bpfvm_elf_map(elf, 2);
	CHECK(!strcmp(m->spec.name, "aom") && m->spec.type == 12 &&
	      m->spec.value_size == 4 && m->has_inner &&
	      m->spec.inner == &m->inner && m->inner.type == 2 &&
	      m->inner.value_size == 8 && m->inner.max_entries == 4);
	CHECK_U64(bpfvm_elf_nprogs(elf), 2);
	p = bpfvm_elf_prog(elf, 0);
	CHECK(!strcmp(p->name, "count_proto") &&
	      !strcmp(p->section, "socket1") &&
	      p->type == BPFVM_PROG_SOCKET_FILTER);
	for (size_t pc = 0; pc + 1 < p->count; pc++)
		if (p->insns[pc].code == LDDW) {
			CHECK(p->insns[pc].src == BPFVM_PSEUDO_MAP_IDX &&
			      p->insns[pc].imm == 1);
			pc++;
		}
	check_loadable(p);
	p = bpfvm_elf_prog(elf, 1);
	CHECK(!strcmp(p->name, "count_writes") && p->type == BPFVM_PROG_KPROBE);
	check_loadable(p);
	bpfvm_elf_close(elf);
}

int main(void)
{
	test_linking();
	test_unrelocated();
	test_old_layouts();
	test_legacy_inner();
	test_refusals();
	test_file_refusals();
	test_btf();
	test_btf_inner();
	test_bad_btf();
	test_section_names();
	if (find_progs()) {
		test_progs_object();
		test_maps_object();
		test_legacy_object();
	}
	DONE();
}
