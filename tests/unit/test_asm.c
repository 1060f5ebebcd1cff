/* SPDX-License-Identifier: MIT */
/*
 * The assembler and disassembler: text to bytes for every form of both
 * syntaxes, every error, and round trips (disassemble, reassemble, same
 * bytes) over every opcode, random slots and the conformance suite.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/asm.h"
#include "check.h"
#include "isa/asm_internal.h" /* the lexer, tested on its own */
#include "isa/opcodes.h"      /* which fields each opcode uses */

/* A slot as the little-endian u64 of its bytes, as `.insn` writes it. */
#define SLOT(code, dst, src, off, imm)                                         \
	((uint64_t)(code) | (uint64_t)(dst) << 8 | (uint64_t)(src) << 12 |     \
	 (uint64_t)(uint16_t)(off) << 16 | (uint64_t)(uint32_t)(imm) << 32)

static uint64_t slot_of(const bpfvm_insn *in)
{
	return SLOT(in->code, in->dst, in->src, in->off, in->imm);
}

static bpfvm_insn insn_of(uint64_t v)
{
	bpfvm_insn in;

	in.code = (uint8_t)v;
	in.dst = (v >> 8) & 0xf;
	in.src = (v >> 12) & 0xf;
	in.off = (int16_t)(uint16_t)(v >> 16);
	in.imm = (int32_t)(uint32_t)(v >> 32);
	return in;
}

/* ---- (a) text to bytes ---- */

/* Assemble text; it must give exactly the n slots want. */
static void expect_bytes(const char *text, size_t n, const uint64_t *want)
{
	bpfvm_error err = {0};
	bpfvm_insn *insns;
	size_t count;
	bool ok;

	check_count++;
	if (bpfvm_asm(text, &insns, &count, &err)) {
		check_failures++;
		fprintf(stderr, "FAIL assembling \"%s\": line %d: %s\n", text,
			err.line, err.msg);
		return;
	}
	ok = count == n;
	for (size_t i = 0; ok && i < n; i++)
		ok = slot_of(&insns[i]) == want[i];
	if (!ok) {
		check_failures++;
		fprintf(stderr, "FAIL \"%s\": got", text);
		for (size_t i = 0; i < count; i++)
			fprintf(stderr, " %016" PRIx64, slot_of(&insns[i]));
		fprintf(stderr, ", want");
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, " %016" PRIx64, want[i]);
		fprintf(stderr, "\n");
	}
	free(insns);
}

static void expect1(const char *text, uint64_t want)
{
	expect_bytes(text, 1, &want);
}

struct text_case {
	const char *text;
	size_t n;
	uint64_t slots[4];
};

/* Forms written out one by one, in both syntaxes. */
static const struct text_case text_cases[] = {
    /* neg, movsx, byte swaps */
    {"neg %r1", 1, {SLOT(0x87, 1, 0, 0, 0)}},
    {"neg32 %r1", 1, {SLOT(0x84, 1, 0, 0, 0)}},
    {"r1 = -r1", 1, {SLOT(0x87, 1, 0, 0, 0)}},
    {"w1 = -w1", 1, {SLOT(0x84, 1, 0, 0, 0)}},
    {"movsx864 %r1, %r2", 1, {SLOT(0xbf, 1, 2, 8, 0)}},
    {"movsx1664 %r1, %r2", 1, {SLOT(0xbf, 1, 2, 16, 0)}},
    {"movsx3264 %r1, %r2", 1, {SLOT(0xbf, 1, 2, 32, 0)}},
    {"movsx832 %r1, %r2", 1, {SLOT(0xbc, 1, 2, 8, 0)}},
    {"movsx1632 %r1, %r2", 1, {SLOT(0xbc, 1, 2, 16, 0)}},
    {"r1 = (s8)r2", 1, {SLOT(0xbf, 1, 2, 8, 0)}},
    {"r1 = (s16)r2", 1, {SLOT(0xbf, 1, 2, 16, 0)}},
    {"r1 = (s32)r2", 1, {SLOT(0xbf, 1, 2, 32, 0)}},
    {"w1 = (s8)w2", 1, {SLOT(0xbc, 1, 2, 8, 0)}},
    {"w1 = (s16)w2", 1, {SLOT(0xbc, 1, 2, 16, 0)}},
    {"le16 %r1", 1, {SLOT(0xd4, 1, 0, 0, 16)}},
    {"le32 %r1", 1, {SLOT(0xd4, 1, 0, 0, 32)}},
    {"le64 %r1", 1, {SLOT(0xd4, 1, 0, 0, 64)}},
    {"be16 %r1", 1, {SLOT(0xdc, 1, 0, 0, 16)}},
    {"be32 %r1", 1, {SLOT(0xdc, 1, 0, 0, 32)}},
    {"be64 %r1", 1, {SLOT(0xdc, 1, 0, 0, 64)}},
    {"bswap16 %r1", 1, {SLOT(0xd7, 1, 0, 0, 16)}},
    {"bswap32 %r1", 1, {SLOT(0xd7, 1, 0, 0, 32)}},
    {"bswap64 %r1", 1, {SLOT(0xd7, 1, 0, 0, 64)}},
    {"swap16 %r1", 1, {SLOT(0xd7, 1, 0, 0, 16)}},
    {"swap32 %r1", 1, {SLOT(0xd7, 1, 0, 0, 32)}},
    {"swap64 %r1", 1, {SLOT(0xd7, 1, 0, 0, 64)}},
    {"r1 = le16 r1", 1, {SLOT(0xd4, 1, 0, 0, 16)}},
    {"r1 = le64 r1", 1, {SLOT(0xd4, 1, 0, 0, 64)}},
    {"r0 = be16 r0", 1, {SLOT(0xdc, 0, 0, 0, 16)}},
    {"r1 = be32 r1", 1, {SLOT(0xdc, 1, 0, 0, 32)}},
    {"r1 = bswap16 r1", 1, {SLOT(0xd7, 1, 0, 0, 16)}},
    {"r0 = bswap64 r0", 1, {SLOT(0xd7, 0, 0, 0, 64)}},
    /* immediates */
    {"mov32 %r0, 0xffffffff", 1, {SLOT(0xb4, 0, 0, 0, -1)}},
    {"mov32 %r0, 2147483647", 1, {SLOT(0xb4, 0, 0, 0, INT32_MAX)}},
    {"mov32 %r0, -2147483648", 1, {SLOT(0xb4, 0, 0, 0, INT32_MIN)}},
    {"mov %r0, -0x80000000", 1, {SLOT(0xb7, 0, 0, 0, INT32_MIN)}},
    {"mov %r0, 0x80000000", 1, {SLOT(0xb7, 0, 0, 0, INT32_MIN)}},
    {"mov %r0, 0XABC", 1, {SLOT(0xb7, 0, 0, 0, 0xabc)}},
    {"w0 = 0xffffffff", 1, {SLOT(0xb4, 0, 0, 0, -1)}},
    {"r0 = -2147483648", 1, {SLOT(0xb7, 0, 0, 0, INT32_MIN)}},
    {"r0 = -0x10", 1, {SLOT(0xb7, 0, 0, 0, -16)}},
    /* lddw */
    {"lddw %r0, 0x1122334455667788",
     2,
     {SLOT(0x18, 0, 0, 0, 0x55667788), SLOT(0, 0, 0, 0, 0x11223344)}},
    {"lddw %r1, -1", 2, {SLOT(0x18, 1, 0, 0, -1), SLOT(0, 0, 0, 0, -1)}},
    {"lddw %r2, 18446744073709551615",
     2,
     {SLOT(0x18, 2, 0, 0, -1), SLOT(0, 0, 0, 0, -1)}},
    {"lddw %r3, -9223372036854775808",
     2,
     {SLOT(0x18, 3, 0, 0, 0), SLOT(0, 0, 0, 0, INT32_MIN)}},
    {"lddw %r4, 7", 2, {SLOT(0x18, 4, 0, 0, 7), SLOT(0, 0, 0, 0, 0)}},
    {"r0 = 0x1122334455667788 ll",
     2,
     {SLOT(0x18, 0, 0, 0, 0x55667788), SLOT(0, 0, 0, 0, 0x11223344)}},
    {"r9 = -1 ll", 2, {SLOT(0x18, 9, 0, 0, -1), SLOT(0, 0, 0, 0, -1)}},
    {"r5 = 7 ll", 2, {SLOT(0x18, 5, 0, 0, 7), SLOT(0, 0, 0, 0, 0)}},
    /* legacy packet loads */
    {"ldabsb 23", 1, {SLOT(0x30, 0, 0, 0, 23)}},
    {"ldabsh 4", 1, {SLOT(0x28, 0, 0, 0, 4)}},
    {"ldabsw -4", 1, {SLOT(0x20, 0, 0, 0, -4)}},
    {"ldindb %r1, 4", 1, {SLOT(0x50, 0, 1, 0, 4)}},
    {"ldindh %r2, 0", 1, {SLOT(0x48, 0, 2, 0, 0)}},
    {"ldindw %r3, -8", 1, {SLOT(0x40, 0, 3, 0, -8)}},
    {"r0 = *(u8 *)skb[23]", 1, {SLOT(0x30, 0, 0, 0, 23)}},
    {"r0 = *(u16 *)skb[4]", 1, {SLOT(0x28, 0, 0, 0, 4)}},
    {"r0 = *(u32 *)skb[-4]", 1, {SLOT(0x20, 0, 0, 0, -4)}},
    {"r0 = *(u8 *)skb[r1 + 4]", 1, {SLOT(0x50, 0, 1, 0, 4)}},
    {"r0 = *(u16 *)skb[r2]", 1, {SLOT(0x48, 0, 2, 0, 0)}},
    {"r0 = *(u32 *)skb[r3 - 8]", 1, {SLOT(0x40, 0, 3, 0, -8)}},
    {"r0 = *(u32 *)skb[r3 - 2147483648]", 1, {SLOT(0x40, 0, 3, 0, INT32_MIN)}},
    /* memory operands */
    {"ldxw %r0, [%r1]", 1, {SLOT(0x61, 0, 1, 0, 0)}},
    {"ldxw %r0, [%r1-32768]", 1, {SLOT(0x61, 0, 1, INT16_MIN, 0)}},
    {"ldxw %r0, [%r1+32767]", 1, {SLOT(0x61, 0, 1, INT16_MAX, 0)}},
    {"ldxb %r0, [%r1+0x2]", 1, {SLOT(0x71, 0, 1, 2, 0)}},
    {"ldxh %r0, [ %r1 + 4 ]", 1, {SLOT(0x69, 0, 1, 4, 0)}},
    {"stw [%r10-4], 0x80000001", 1, {SLOT(0x62, 10, 0, -4, 0x80000001)}},
    {"r0 = *(u32 *)(r1)", 1, {SLOT(0x61, 0, 1, 0, 0)}},
    {"r2 = *(u64*)(r1+0x1eef)", 1, {SLOT(0x79, 2, 1, 0x1eef, 0)}},
    {"w2 = *(u32 *)(r1 - 32768)", 1, {SLOT(0x61, 2, 1, INT16_MIN, 0)}},
    {"*(u32 *)(r10 -4) = w1", 1, {SLOT(0x63, 10, 1, -4, 0)}},
    {"*(u64 *)(r10 - 8) = -1", 1, {SLOT(0x7a, 10, 0, -8, -1)}},
    /* atomics: xchg and cmpxchg, and the lenient register widths */
    {"lock xchg [%r10-8], %r1", 1, {SLOT(0xdb, 10, 1, -8, 0xe1)}},
    {"lock xchg32 [%r10-8], %r1", 1, {SLOT(0xc3, 10, 1, -8, 0xe1)}},
    {"lock cmpxchg [%r10-8], %r1", 1, {SLOT(0xdb, 10, 1, -8, 0xf1)}},
    {"lock cmpxchg32 [%r10-8], %r1", 1, {SLOT(0xc3, 10, 1, -8, 0xf1)}},
    {"lock fetch xchg [%r1], %r2", 1, {SLOT(0xdb, 1, 2, 0, 0xe1)}},
    {"r1 = xchg_64(r10 - 8, r1)", 1, {SLOT(0xdb, 10, 1, -8, 0xe1)}},
    {"w1 = xchg32_32(r10 - 8, w1)", 1, {SLOT(0xc3, 10, 1, -8, 0xe1)}},
    {"w3 = xchg32_32(w10-4, w3)", 1, {SLOT(0xc3, 10, 3, -4, 0xe1)}},
    {"r0 = cmpxchg_64(r10 - 8, r0, r1)", 1, {SLOT(0xdb, 10, 1, -8, 0xf1)}},
    {"w0 = cmpxchg32_32(r10 - 8, w0, w1)", 1, {SLOT(0xc3, 10, 1, -8, 0xf1)}},
    {"lock *(u32 *)(r10 - 4) += r1", 1, {SLOT(0xc3, 10, 1, -4, 0)}},
    {"r2 = atomic_fetch_or((u64*)(r1+0x10),r2)",
     1,
     {SLOT(0xdb, 1, 2, 16, 0x41)}},
    /* calls and exit, spelled alike in both syntaxes */
    {"call 5", 1, {SLOT(0x85, 0, 0, 0, 5)}},
    {"call -1", 1, {SLOT(0x85, 0, 0, 0, -1)}},
    {"call 0x7fffffff", 1, {SLOT(0x85, 0, 0, 0, INT32_MAX)}},
    {"call local +3", 1, {SLOT(0x85, 0, 1, 0, 3)}},
    {"call local -2", 1, {SLOT(0x85, 0, 1, 0, -2)}},
    {"call pc+3", 1, {SLOT(0x85, 0, 1, 0, 3)}},
    {"call pc-2", 1, {SLOT(0x85, 0, 1, 0, -2)}},
    {"call %r2", 1, {SLOT(0x8d, 2, 0, 0, 0)}},
    {"callx r2", 1, {SLOT(0x8d, 2, 0, 0, 0)}},
    {"callx %r3", 1, {SLOT(0x8d, 3, 0, 0, 0)}},
    {"call r4", 1, {SLOT(0x8d, 4, 0, 0, 0)}},
    {"exit", 1, {SLOT(0x95, 0, 0, 0, 0)}},
    /* unconditional jumps */
    {"ja +3", 1, {SLOT(0x05, 0, 0, 3, 0)}},
    {"ja -1", 1, {SLOT(0x05, 0, 0, -1, 0)}},
    {"ja +0", 1, {SLOT(0x05, 0, 0, 0, 0)}},
    {"ja -32768", 1, {SLOT(0x05, 0, 0, INT16_MIN, 0)}},
    {"ja32 +70000", 1, {SLOT(0x06, 0, 0, 0, 70000)}},
    {"ja32 -2147483648", 1, {SLOT(0x06, 0, 0, 0, INT32_MIN)}},
    {"goto +3", 1, {SLOT(0x05, 0, 0, 3, 0)}},
    {"goto pc-1", 1, {SLOT(0x05, 0, 0, -1, 0)}},
    {"gotol +70000", 1, {SLOT(0x06, 0, 0, 0, 70000)}},
    {"gotol -70000", 1, {SLOT(0x06, 0, 0, 0, -70000)}},
    {"if r1 > 0x5 goto pc+3", 1, {SLOT(0x25, 1, 0, 3, 5)}},
    {"if w1 s< -5 goto -2", 1, {SLOT(0xc6, 1, 0, -2, -5)}},
    /* labels */
    {"ja L\nL:\nexit", 2, {SLOT(0x05, 0, 0, 0, 0), SLOT(0x95, 0, 0, 0, 0)}},
    {"jeq %r1, 1, out\nmov %r0, 1\nout:\nexit",
     3,
     {SLOT(0x15, 1, 0, 1, 1), SLOT(0xb7, 0, 0, 0, 1), SLOT(0x95, 0, 0, 0, 0)}},
    {"back: mov %r0, 1\njne %r0, 0, back\nexit",
     3,
     {SLOT(0xb7, 0, 0, 0, 1), SLOT(0x55, 0, 0, -2, 0), SLOT(0x95, 0, 0, 0, 0)}},
    {"call local f\nexit\nf:\nexit",
     3,
     {SLOT(0x85, 0, 1, 0, 1), SLOT(0x95, 0, 0, 0, 0), SLOT(0x95, 0, 0, 0, 0)}},
    {"ja32 t\nt: exit", 2, {SLOT(0x06, 0, 0, 0, 0), SLOT(0x95, 0, 0, 0, 0)}},
    {"lddw %r0, 1\nja over\nover:\nexit",
     4,
     {SLOT(0x18, 0, 0, 0, 1), SLOT(0, 0, 0, 0, 0), SLOT(0x05, 0, 0, 0, 0),
      SLOT(0x95, 0, 0, 0, 0)}},
    /* `exit` is the first exit unless defined */
    {"ja exit\nmov %r0, 1\nexit\nexit",
     4,
     {SLOT(0x05, 0, 0, 1, 0), SLOT(0xb7, 0, 0, 0, 1), SLOT(0x95, 0, 0, 0, 0),
      SLOT(0x95, 0, 0, 0, 0)}},
    {"ja exit\nexit\nexit:\nexit",
     3,
     {SLOT(0x05, 0, 0, 1, 0), SLOT(0x95, 0, 0, 0, 0), SLOT(0x95, 0, 0, 0, 0)}},
    {"goto L\nL: exit", 2, {SLOT(0x05, 0, 0, 0, 0), SLOT(0x95, 0, 0, 0, 0)}},
    {"if r1 == 1 goto out\nr0 = 1\nout:\nexit",
     3,
     {SLOT(0x15, 1, 0, 1, 1), SLOT(0xb7, 0, 0, 0, 1), SLOT(0x95, 0, 0, 0, 0)}},
    {"call f\nexit\nf: exit",
     3,
     {SLOT(0x85, 0, 1, 0, 1), SLOT(0x95, 0, 0, 0, 0), SLOT(0x95, 0, 0, 0, 0)}},
    {"gotol .LBB0_1\n.LBB0_1:\nexit",
     2,
     {SLOT(0x06, 0, 0, 0, 0), SLOT(0x95, 0, 0, 0, 0)}},
    /* comments, blanks, separators, verifier log prefixes */
    {"  mov %r0 , 1   # c\n; a comment\n\n\texit ; trailing\n",
     2,
     {SLOT(0xb7, 0, 0, 0, 1), SLOT(0x95, 0, 0, 0, 0)}},
    {"add %r1 %r2\r\nexit\r\n",
     2,
     {SLOT(0x0f, 1, 2, 0, 0), SLOT(0x95, 0, 0, 0, 0)}},
    {"add,%r1,,%r2", 1, {SLOT(0x0f, 1, 2, 0, 0)}},
    {"  0: (b7) r0 = 1\n  1: (95) exit",
     2,
     {SLOT(0xb7, 0, 0, 0, 1), SLOT(0x95, 0, 0, 0, 0)}},
    {"12: r0 = 1", 1, {SLOT(0xb7, 0, 0, 0, 1)}},
    {"0: (B7) r0 = 1", 1, {SLOT(0xb7, 0, 0, 0, 1)}},
    {"r0 = 99999999999 ll",
     2,
     {SLOT(0x18, 0, 0, 0, 0x4876e7ff), SLOT(0, 0, 0, 0, 0x17)}},
    {"mov %r0, 1\nr0 += 2\nexit",
     3,
     {SLOT(0xb7, 0, 0, 0, 1), SLOT(0x07, 0, 0, 0, 2), SLOT(0x95, 0, 0, 0, 0)}},
    /* raw slots */
    {".insn 0x0000000100000095", 1, {SLOT(0x95, 0, 0, 0, 1)}},
    {".insn 0xffffffffffffffff", 1, {SLOT(0xff, 15, 15, -1, -1)}},
    {".insn 0x12345678abcd9a18", 1, {0x12345678abcd9a18u}},
    {".insn 0", 1, {0}},
};

struct alu_name {
	const char *conf, *kern;
	uint8_t code; /* ALU64 K */
	int16_t off;
};

static const struct alu_name alu_names[] = {
    {"add", "+=", 0x07, 0},   {"sub", "-=", 0x17, 0},
    {"mul", "*=", 0x27, 0},   {"div", "/=", 0x37, 0},
    {"or", "|=", 0x47, 0},    {"and", "&=", 0x57, 0},
    {"lsh", "<<=", 0x67, 0},  {"rsh", ">>=", 0x77, 0},
    {"mod", "%=", 0x97, 0},   {"xor", "^=", 0xa7, 0},
    {"mov", "=", 0xb7, 0},    {"arsh", "s>>=", 0xc7, 0},
    {"sdiv", "s/=", 0x37, 1}, {"smod", "s%=", 0x97, 1},
};

static const struct alu_name jmp_names[] = {
    {"jeq", "==", 0x15, 0},   {"jgt", ">", 0x25, 0},	{"jge", ">=", 0x35, 0},
    {"jset", "&", 0x45, 0},   {"jne", "!=", 0x55, 0},	{"jsgt", "s>", 0x65, 0},
    {"jsge", "s>=", 0x75, 0}, {"jlt", "<", 0xa5, 0},	{"jle", "<=", 0xb5, 0},
    {"jslt", "s<", 0xc5, 0},  {"jsle", "s<=", 0xd5, 0},
};

struct size_name {
	const char *conf, *kern, *ksigned;
	uint8_t size;
};

static const struct size_name sizes[] = {
    {"b", "u8", "s8", 0x10},
    {"h", "u16", "s16", 0x08},
    {"w", "u32", "s32", 0x00},
    {"dw", "u64", NULL, 0x18},
};

struct atomic_name {
	const char *conf, *kop, *kfn;
	int32_t imm;
};

static const struct atomic_name atomic_names[] = {
    {"add", "+=", "atomic_fetch_add", 0x00},
    {"or", "|=", "atomic_fetch_or", 0x40},
    {"and", "&=", "atomic_fetch_and", 0x50},
    {"xor", "^=", "atomic_fetch_xor", 0xa0},
};

static void test_alu_forms(void)
{
	char t[128];

	for (size_t i = 0; i < sizeof(alu_names) / sizeof(*alu_names); i++) {
		const struct alu_name *a = &alu_names[i];
		uint8_t c64 = a->code, c32 = (uint8_t)((a->code & ~7) | 4);

		snprintf(t, sizeof(t), "%s %%r3, -7", a->conf);
		expect1(t, SLOT(c64, 3, 0, a->off, -7));
		snprintf(t, sizeof(t), "%s %%r3, %%r4", a->conf);
		expect1(t, SLOT(c64 | 8, 3, 4, a->off, 0));
		snprintf(t, sizeof(t), "%s32 %%r3, 0xffffffff", a->conf);
		expect1(t, SLOT(c32, 3, 0, a->off, -1));
		snprintf(t, sizeof(t), "%s32 %%r10, %%r9", a->conf);
		expect1(t, SLOT(c32 | 8, 10, 9, a->off, 0));
		snprintf(t, sizeof(t), "r3 %s -7", a->kern);
		expect1(t, SLOT(c64, 3, 0, a->off, -7));
		snprintf(t, sizeof(t), "r3 %s r4", a->kern);
		expect1(t, SLOT(c64 | 8, 3, 4, a->off, 0));
		snprintf(t, sizeof(t), "w3 %s 0xffffffff", a->kern);
		expect1(t, SLOT(c32, 3, 0, a->off, -1));
		snprintf(t, sizeof(t), "w10 %s w9", a->kern);
		expect1(t, SLOT(c32 | 8, 10, 9, a->off, 0));
	}
}

static void test_jmp_forms(void)
{
	char t[128];

	for (size_t i = 0; i < sizeof(jmp_names) / sizeof(*jmp_names); i++) {
		const struct alu_name *j = &jmp_names[i];
		uint8_t c64 = j->code, c32 = (uint8_t)(j->code + 1);

		snprintf(t, sizeof(t), "%s %%r1, 5, +3", j->conf);
		expect1(t, SLOT(c64, 1, 0, 3, 5));
		snprintf(t, sizeof(t), "%s %%r1, %%r2, -2", j->conf);
		expect1(t, SLOT(c64 | 8, 1, 2, -2, 0));
		snprintf(t, sizeof(t), "%s32 %%r1, -5, +0", j->conf);
		expect1(t, SLOT(c32, 1, 0, 0, -5));
		snprintf(t, sizeof(t), "%s32 %%r1, %%r2, +32767", j->conf);
		expect1(t, SLOT(c32 | 8, 1, 2, INT16_MAX, 0));
		snprintf(t, sizeof(t), "if r1 %s 5 goto +3", j->kern);
		expect1(t, SLOT(c64, 1, 0, 3, 5));
		snprintf(t, sizeof(t), "if r1 %s r2 goto -2", j->kern);
		expect1(t, SLOT(c64 | 8, 1, 2, -2, 0));
		snprintf(t, sizeof(t), "if w1 %s -5 goto +0", j->kern);
		expect1(t, SLOT(c32, 1, 0, 0, -5));
		snprintf(t, sizeof(t), "if w1 %s w2 goto +32767", j->kern);
		expect1(t, SLOT(c32 | 8, 1, 2, INT16_MAX, 0));
	}
}

static void test_mem_forms(void)
{
	char t[128];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		const struct size_name *s = &sizes[i];

		snprintf(t, sizeof(t), "ldx%s %%r0, [%%r1+8]", s->conf);
		expect1(t, SLOT(0x61 | s->size, 0, 1, 8, 0));
		snprintf(t, sizeof(t), "r0 = *(%s *)(r1 + 8)", s->kern);
		expect1(t, SLOT(0x61 | s->size, 0, 1, 8, 0));
		snprintf(t, sizeof(t), "st%s [%%r10-8], 5", s->conf);
		expect1(t, SLOT(0x62 | s->size, 10, 0, -8, 5));
		snprintf(t, sizeof(t), "*(%s *)(r10 - 8) = 5", s->kern);
		expect1(t, SLOT(0x62 | s->size, 10, 0, -8, 5));
		snprintf(t, sizeof(t), "stx%s [%%r10-8], %%r1", s->conf);
		expect1(t, SLOT(0x63 | s->size, 10, 1, -8, 0));
		snprintf(t, sizeof(t), "*(%s *)(r10 - 8) = r1", s->kern);
		expect1(t, SLOT(0x63 | s->size, 10, 1, -8, 0));
		if (!s->ksigned)
			continue;
		snprintf(t, sizeof(t), "ldxs%s %%r0, [%%r1-2]", s->conf);
		expect1(t, SLOT(0x81 | s->size, 0, 1, -2, 0));
		snprintf(t, sizeof(t), "r0 = *(%s *)(r1 - 2)", s->ksigned);
		expect1(t, SLOT(0x81 | s->size, 0, 1, -2, 0));
	}
}

static void test_atomic_forms(void)
{
	char t[128];

	for (size_t i = 0; i < sizeof(atomic_names) / sizeof(*atomic_names);
	     i++) {
		const struct atomic_name *a = &atomic_names[i];

		for (int w32 = 0; w32 < 2; w32++) {
			uint8_t code = w32 ? 0xc3 : 0xdb;
			const char *sfx = w32 ? "32" : "",
				   *ty = w32 ? "u32" : "u64";
			char r = w32 ? 'w' : 'r';

			snprintf(t, sizeof(t), "lock %s%s [%%r10-8], %%r1",
				 a->conf, sfx);
			expect1(t, SLOT(code, 10, 1, -8, a->imm));
			snprintf(t, sizeof(t),
				 "lock fetch %s%s [%%r10-8], %%r1", a->conf,
				 sfx);
			expect1(t, SLOT(code, 10, 1, -8, a->imm | 1));
			snprintf(t, sizeof(t), "lock *(%s *)(r10 - 8) %s %c1",
				 ty, a->kop, r);
			expect1(t, SLOT(code, 10, 1, -8, a->imm));
			snprintf(t, sizeof(t), "%c1 = %s((%s *)(r10 - 8), %c1)",
				 r, a->kfn, ty, r);
			expect1(t, SLOT(code, 10, 1, -8, a->imm | 1));
		}
	}
}

static void test_text(void)
{
	for (size_t i = 0; i < sizeof(text_cases) / sizeof(*text_cases); i++)
		expect_bytes(text_cases[i].text, text_cases[i].n,
			     text_cases[i].slots);
	test_alu_forms();
	test_jmp_forms();
	test_mem_forms();
	test_atomic_forms();
}

/* ---- the lexer ---- */

static bool lit(const char *s, const char *pattern, size_t *used)
{
	struct asm_cur c = {s, s + strlen(s)};
	bool ok = asm_lit(&c, pattern);

	*used = (size_t)(c.p - s);
	return ok;
}

static bool num(const char *s, bool sign, struct asm_num *n)
{
	struct asm_cur c = {s, s + strlen(s)};

	return asm_num(&c, sign, n) && c.p == c.end;
}

static void test_lexer(void)
{
	struct asm_num n;
	size_t used;
	int32_t imm;
	int16_t off;
	uint64_t imm64;

	/* A literal ending in a letter must end a word; blanks are free. */
	CHECK(!lit("llama", "ll", &used) && used == 0);
	CHECK(lit(" ll ", "ll", &used) && used == 3);
	CHECK(lit("*)", "* )", &used) && used == 2);
	CHECK(lit(" *  )x", "* )", &used) && used == 5);
	CHECK(!lit("*]", "* )", &used) && used == 0);
	/* Numbers: digits required, no trailing letters, 64 bits at most. */
	CHECK(!num("0x", false, &n) && !num("0x1g", false, &n));
	CHECK(!num("-1", false, &n) && num("-1", true, &n) && n.neg);
	CHECK(num("18446744073709551615", false, &n) && n.mag == UINT64_MAX);
	CHECK(!num("18446744073709551616", false, &n));
	CHECK(num("0xFFFFffffFFFFffff", false, &n) && n.hex);
	CHECK(!num("0x10000000000000000", false, &n));
	CHECK(num("+0x10", true, &n) && !n.neg && n.mag == 16);
	/* imm32: decimal is signed, hex is a bit pattern. */
	CHECK(num("0xffffffff", true, &n) && asm_num_imm32(&n, &imm) &&
	      imm == -1);
	CHECK(num("4294967295", true, &n) && !asm_num_imm32(&n, &imm));
	CHECK(num("-0x80000000", true, &n) && asm_num_imm32(&n, &imm) &&
	      imm == INT32_MIN);
	CHECK(num("-0x80000001", true, &n) && !asm_num_imm32(&n, &imm));
	CHECK(num("-32768", true, &n) && asm_num_off16(&n, &off) &&
	      off == INT16_MIN);
	CHECK(num("0x8000", true, &n) && !asm_num_off16(&n, &off));
	CHECK(num("-9223372036854775808", true, &n) &&
	      asm_num_imm64(&n, &imm64) && imm64 == (uint64_t)1 << 63);
	/* Registers: the syntax's spelling, canonical digits. */
	CHECK(asm_reg_number("r10", 3, 0) == 10);
	CHECK(asm_reg_number("w3", 2, 0) == 3);
	CHECK(asm_reg_number("%r5", 3, '%') == 5);
	CHECK(asm_reg_number("r11", 3, 0) == BPFVM_NREGS);
	CHECK(asm_reg_number("r99999999999", 12, 0) == BPFVM_NREGS);
	CHECK(asm_reg_number("r01", 3, 0) == -1);
	CHECK(asm_reg_number("%w5", 3, '%') == -1);
	CHECK(asm_reg_number("w3", 2, '%') == -1);
	CHECK(asm_reg_number("r", 1, 0) == -1);
	CHECK(asm_reg_number("rx", 2, 0) == -1);
}

/* ---- (b) errors ---- */

struct error_case {
	const char *text;
	int line;
	const char *msg;
};

static const struct error_case error_cases[] = {
    /* the bpf_conformance negative tests */
    {"mov32 %r0, 2147483648\nexit", 1, "Invalid immediate"},
    {"mov32 %r0, 0x100000000\nexit", 1, "Invalid immediate"},
    {"ja NOT_A_LABEL\nexit", 1, "Invalid label: NOT_A_LABEL"},
    {"lock or [%r10-8]\nexit", 1, "Invalid number of operands for lock"},
    {"lock\nexit", 1, "Invalid number of operands for lock"},
    {"ldxb %r0, %r1\nexit", 1, "Invalid memory operand: %r1"},
    {"lddw %r0\nexit", 1, "Invalid number of operands for lddw"},
    /* registers */
    {"mov %r11, 1", 1, "Invalid register: %r11"},
    {"add %r0, %r15", 1, "Invalid register"},
    {"stxw [%r16], %r1", 1, "Invalid register"},
    {"ldxw %r0, [%r1 + %r2]", 1, "Invalid"},
    {"mov r0, 1", 1, "Invalid register: r0"},
    {"mov %r01, 1", 1, "Invalid register"},
    {"r11 = 1", 1, "Invalid register: r11"},
    {"w12 += 1", 1, "Invalid register"},
    {"callx %r11", 1, "Invalid register"},
    {"r0 += w1", 1, "Invalid register: w1"},
    {"if r1 > w2 goto +1", 1, "Invalid register"},
    {"w0 = 5 ll", 1, "Invalid register"},
    {"r0 = -r1", 1, "Invalid register"},
    {"r0 = -w0", 1, "Invalid register: w0 in a 64-bit operation"},
    {"r0 = be16 r1", 1, "Invalid register"},
    {"r1 = atomic_fetch_add((u64 *)(r10 - 8), r2)", 1, "Invalid register"},
    {"r1 = xchg_64(r10 - 8, r2)", 1, "Invalid register"},
    {"r1 = cmpxchg_64(r10 - 8, r0, r1)", 1, "Invalid register"},
    {"r0 = cmpxchg_64(r10 - 8, r1, r2)", 1, "Invalid register"},
    {"r1 = *(u8 *)skb[1]", 1, "Invalid register"},
    /* immediates and offsets */
    {"mov %r0, -2147483649", 1, "Invalid immediate"},
    {"mov %r0, -0x80000001", 1, "Invalid immediate"},
    {"mov %r0, 1abc", 1, "Invalid immediate"},
    {"mov %r0, 99999999999999999999999", 1, "Invalid immediate"},
    {"r0 = 0x100000000", 1, "Invalid immediate"},
    {"lddw %r0, 0x10000000000000000", 1, "Invalid immediate"},
    {"lddw %r0, -9223372036854775809", 1, "Invalid immediate"},
    {"ldxw %r0, [%r1+32768]", 1, "Invalid offset"},
    {"ldxw %r0, [%r1-32769]", 1, "Invalid offset"},
    {"r0 = *(u32 *)(r1 + 32768)", 1, "Invalid offset"},
    {"ja +32768", 1, "Invalid offset"},
    {"ja32 +2147483648", 1, "Invalid offset"},
    {"call local +2147483648", 1, "Invalid offset"},
    {"ja 5", 1, "Invalid label: 5"},
    {"goto", 1, "expected a jump target"},
    /* operand counts and mnemonics */
    {"mov %r0", 1, "Invalid number of operands for mov"},
    {"neg %r0, 1", 1, "Invalid number of operands for neg"},
    {"exit 1", 1, "Invalid number of operands for exit"},
    {"jeq %r1, 1", 1, "Invalid number of operands for jeq"},
    {"call", 1, "Invalid number of operands for call"},
    {"call local", 1, "Invalid number of operands for call"},
    {"call 1 2", 1, "Invalid number of operands for call"},
    {"lock fetch", 1, "Invalid number of operands for lock"},
    {"lock fetch add [%r1], %r2, %r3", 1,
     "Invalid number of operands for lock"},
    {"mov %r0, 1, 2, 3, 4, 5, 6, 7", 1, "Invalid number of operands for mov"},
    {"foo %r0", 1, "Invalid mnemonic: foo"},
    {"le %r0", 1, "Invalid mnemonic: le"},
    {"lock32 [%r1], %r2", 1, "Invalid mnemonic: lock32"},
    {",,,", 1, "Invalid mnemonic"},
    {"\x01\x02\xff\xfe", 1, "Invalid mnemonic"},
    {"lock foo [%r1], %r2", 1, "Invalid atomic operation: foo"},
    {"lock xor16 [%r1], %r2", 1, "Invalid atomic operation"},
    /* kernel syntax */
    {"r0 = 1 + 2", 1, "Syntax error"},
    {"r0 =", 1, "Syntax error"},
    {"r0", 1, "Syntax error"},
    {"if r1 goto +1", 1, "expected a comparison"},
    {"if r1 > 1 +1", 1, "expected 'goto'"},
    {"*(u32 *)(r1 + 0) == 1", 1, "Invalid immediate"},
    {"*(s8 *)(r1 + 0) = 1", 1, "Invalid access size"},
    {"*(u128 *)(r1 + 0) = 1", 1, "Invalid access size: u128"},
    {"lock *(u8 *)(r1 + 0) += r2", 1, "Invalid access size"},
    {"lock *(u64 *)(r1 + 0) -= r2", 1, "expected an atomic operator"},
    {"r0 = *(u64 *)skb[1]", 1, "Invalid access size"},
    {"r0 = (s64)r1", 1, "Invalid sign extension"},
    {"w0 = (s32)w1", 1, "Invalid sign extension"},
    {"r0 = (s8)w1", 1, "Invalid register"},
    {"r0 = foo", 1, "Syntax error"},
    {"r0 = 1 ll ll", 1, "Syntax error"},
    {"if 5 > r1 goto +1", 1, "expected a register"},
    {"if r11 > 1 goto +1", 1, "Invalid register: r11"},
    {"if r1 > 1 goto +40000", 1, "Invalid offset: +40000 (out of range)"},
    {"ldxw %r0", 1, "Invalid number of operands for ldxw"},
    {"r0 += r11", 1, "Invalid register: r11"},
    {"r0 s/= r11", 1, "Invalid register: r11"},
    {"r0 = r11", 1, "Invalid register: r11"},
    {"r0 = be16 r11", 1, "Invalid register: r11"},
    {"r0 = *u32", 1, "expected '('"},
    {"r0 = *(u32)(r1 + 0)", 1, "expected '*)'"},
    {"r0 = *(u32 *)r1", 1, "expected '('"},
    {"r0 = *(u32 *)(x + 1)", 1, "expected a register"},
    {"r0 = *(u32 *)(r11 + 1)", 1, "Invalid register: r11"},
    {"r0 = *(u32 *)(r1 + x)", 1, "expected an offset"},
    {"r0 = *(u32 *)(r1 + 1", 1, "expected ')'"},
    {"*(u32 *)(r1 + 0) r2", 1, "expected '='"},
    {"*(u32 *)(r1 + 0) = r11", 1, "Invalid register: r11"},
    {"lock *(u32 (r1 + 0) += r2", 1, "expected '*)'"},
    {"lock *(u32 *)(r1 + 0) += r11", 1, "Invalid register: r11"},
    {"r0 = (s8 r1", 1, "expected ')'"},
    {"r0 = *(u8 *)skb 4", 1, "expected '['"},
    {"r0 = *(u8 *)skb[r11]", 1, "Invalid register: r11"},
    {"r0 = *(u8 *)skb[r1 + 0x100000000]", 1, "Invalid immediate"},
    {"r0 = *(u8 *)skb[4", 1, "expected ']'"},
    {"r0 = *(u8 *)skb[0x100000000]", 1, "Invalid immediate"},
    {"r1 = atomic_fetch_add((u16 *)(r1 + 0), r1)", 1, "Invalid access size"},
    {"r1 = atomic_fetch_add(u64 *)(r1 + 0), r1)", 1, "expected '('"},
    {"r1 = xchg_64 r10", 1, "expected '('"},
    {"r1 = xchg_64(r11 - 8, r1)", 1, "Invalid register: r11"},
    {"r1 = xchg_64(r10 - 8 r1)", 1, "expected ','"},
    {"r1 = xchg_64(r10 - 8, r1", 1, "expected ')'"},
    {"r0 = cmpxchg_64(r10 - 8, r0 r1)", 1, "expected ','"},
    {"r0 = cmpxchg_64(r10 - 8, r0, r11)", 1, "Invalid register: r11"},
    {"r0 = -9223372036854775809 ll", 1, "Invalid immediate"},
    {"stw %r1, 1", 1, "Invalid memory operand: %r1"},
    {"ldxw %r0, [%r1+4", 1, "Invalid memory operand"},
    {"lock add [%r11], %r1", 1, "Invalid register: %r11"},
    {"ja +x", 1, "Invalid offset: +x"},
    {"goto pc+", 1, "Invalid offset"},
    /* directives */
    {".insn", 1, "Invalid .insn"},
    {".insn 0x1 0x2", 1, "Invalid .insn"},
    {".insn 0x10000000000000000", 1, "Invalid .insn"},
    /* labels, lines */
    {"L:\nL:\nexit", 2, "Duplicate label: L"},
    {"exit:\nexit\nexit:", 3, "Duplicate label: exit"},
    {"mov %r0, 1\n\nfoo", 3, "Invalid mnemonic: foo"},
    {"mov %r0,1\nja nowhere\nexit", 2, "Invalid label: nowhere"},
    {"call local nowhere\nexit", 1, "Invalid label: nowhere"},
    {"goto exit", 1, "Invalid label: exit"},
    {"", -1, "Empty program"},
    {"# only a comment\n\n", -1, "Empty program"},
    {"L:", -1, "Empty program"},
};

static void expect_error(const char *text, int line, const char *msg)
{
	bpfvm_error err = {.insn = -2, .line = -2};
	bpfvm_insn *insns = (bpfvm_insn *)&err; /* must become NULL */
	size_t count = 99;
	int rc = bpfvm_asm(text, &insns, &count, &err);

	CHECK(rc == -1);
	CHECK(insns == NULL);
	if (rc == 0)
		free(insns);
	if (rc != -1) {
		fprintf(stderr, "  \"%s\" assembled, expected \"%s\"\n", text,
			msg);
		return;
	}
	CHECK_STR_CONTAINS(err.msg, msg);
	CHECK(err.line == line);
	if (err.line != line)
		fprintf(stderr, "  \"%s\": line %d, expected %d\n", text,
			err.line, line);
}

/* `JUMP L`, then far exits, then `L: exit`. */
static char *far_jump(const char *jump, size_t far)
{
	char *text = malloc(far * 5 + 64);
	size_t len = (size_t)sprintf(text, "%s L\n", jump);

	for (size_t i = 0; i < far; i++)
		len += (size_t)sprintf(text + len, "exit\n");
	sprintf(text + len, "L: exit\n");
	return text;
}

static void test_errors(void)
{
	static const char exact[] = "Invalid number of operands for lock";
	bpfvm_error err;
	bpfvm_insn *insns;
	size_t count, far = 40000;
	char *big;

	for (size_t i = 0; i < sizeof(error_cases) / sizeof(*error_cases); i++)
		expect_error(error_cases[i].text, error_cases[i].line,
			     error_cases[i].msg);
	/* The lock message is exactly bpf_conformance's. */
	CHECK(bpfvm_asm("lock", &insns, &count, &err) == -1);
	CHECK(!strcmp(err.msg, exact));
	/* The slot a failing line would fill. */
	CHECK(bpfvm_asm("exit\nlddw %r0, 1\nfoo", &insns, &count, &err) == -1);
	CHECK(err.insn == 3 && err.line == 3);
	CHECK(bpfvm_asm("exit\nja nowhere", &insns, &count, &err) == -1);
	CHECK(err.insn == 1 && err.line == 2);
	/* A NULL err is allowed. */
	CHECK(bpfvm_asm("foo", &insns, &count, NULL) == -1);
	/* A label beyond int16 is out of reach for off, not for imm. */
	big = far_jump("ja", far);
	expect_error(big, 1, "Invalid offset: label L");
	free(big);
	big = far_jump("ja32", far);
	CHECK(bpfvm_asm(big, &insns, &count, &err) == 0);
	CHECK(count == far + 2);
	if (count == far + 2)
		CHECK_U64(insns[0].imm, far);
	free(insns);
	free(big);
}

/* ---- (c) round trips ---- */

static const char *syntax_name(bpfvm_syntax s)
{
	return s == BPFVM_SYNTAX_KERNEL ? "kernel" : "conformance";
}

/* Every slot on its own through bpfvm_disasm_insn and back. */
static int roundtrip_each(const bpfvm_insn *insns, size_t n,
			  bpfvm_syntax syntax)
{
	int failures = 0;
	char buf[160];

	for (size_t pc = 0; pc < n;) {
		bpfvm_error err = {0};
		bpfvm_insn *out;
		size_t count;
		int w =
		    bpfvm_disasm_insn(insns, n, pc, syntax, buf, sizeof(buf));
		bool ok = w == 1 || w == 2;

		if (ok && !bpfvm_asm(buf, &out, &count, &err)) {
			ok = count == (size_t)w &&
			     !memcmp(out, &insns[pc], count * sizeof(*out));
			free(out);
		} else {
			ok = false;
		}
		if (!ok && failures++ < 20)
			fprintf(stderr,
				"round trip (%s) of %016" PRIx64
				": \"%s\" %s\n",
				syntax_name(syntax), slot_of(&insns[pc]), buf,
				err.msg);
		pc += w > 0 ? (size_t)w : 1;
	}
	return failures;
}

/* The whole program through bpfvm_disasm and back. */
static bool roundtrip_whole(const bpfvm_insn *insns, size_t n,
			    bpfvm_syntax syntax, int labels, int show_pc)
{
	bpfvm_error err = {0};
	bpfvm_insn *out = NULL;
	char *text = NULL;
	size_t size = 0, count = 0;
	FILE *f = open_memstream(&text, &size);
	bool ok;

	if (!f)
		return false;
	bpfvm_disasm(f, insns, n, syntax, labels, show_pc);
	fclose(f);
	ok = !bpfvm_asm(text, &out, &count, &err) && count == n &&
	     !memcmp(out, insns, n * sizeof(*out));
	if (!ok) {
		fprintf(
		    stderr,
		    "whole round trip (%s, labels %d, pc %d): line %d: %s\n",
		    syntax_name(syntax), labels, show_pc, err.line, err.msg);
		for (size_t i = 0; out && i < n && i < count; i++)
			if (slot_of(&out[i]) != slot_of(&insns[i])) {
				fprintf(stderr,
					"  first difference at %zu: %016" PRIx64
					" != %016" PRIx64 "\n",
					i, slot_of(&out[i]),
					slot_of(&insns[i]));
				break;
			}
	}
	free(out);
	free(text);
	return ok;
}

static void roundtrip_all(const bpfvm_insn *insns, size_t n)
{
	for (int s = 0; s < 2; s++) {
		bpfvm_syntax syntax =
		    s ? BPFVM_SYNTAX_KERNEL : BPFVM_SYNTAX_CONFORMANCE;
		CHECK(roundtrip_each(insns, n, syntax) == 0);
		for (int labels = 0; labels < 2; labels++)
			CHECK(
			    roundtrip_whole(insns, n, syntax, labels, labels));
	}
}

static const int16_t off_vals[] = {
    0, 1, -1, 2, 8, 16, 32, -8, 3, INT16_MIN, INT16_MAX, 0x1234, -300,
};
static const int32_t imm_vals[] = {
    0,	    1,	     -1,	16,	   32,	  64,	  0x40, 0x41,
    0x50,   0x51,    0xa0,	0xa1,	   0xe1,  0xf1,	  0xe0, 0xf0,
    0xffff, 0x10000, INT32_MIN, INT32_MAX, 70000, -70000, 2,	-16,
};

#define NOFF (sizeof(off_vals) / sizeof(*off_vals))
#define NIMM (sizeof(imm_vals) / sizeof(*imm_vals))

/* dst and src pairs for an opcode that uses them; src of call and lddw
 * selects a kind (helper, local, kfunc; pseudo sources up to 6). */
static const uint8_t reg_pairs[][2] = {{0, 1}, {1, 0}, {10, 10}, {2, 6}};
#define NPAIR (sizeof(reg_pairs) / sizeof(*reg_pairs))

/* Room build_encodings needs at most. */
#define MAX_ENCODINGS (256 * (NPAIR * NOFF * NIMM + 16 * 16) * 2)

static void put_encoding(bpfvm_insn *v, size_t *n, bpfvm_insn in, size_t k)
{
	v[(*n)++] = in;
	if (in.code == BPFVM_OP_LDDW) { /* a second slot, proper or not */
		bpfvm_insn hi = {.imm = imm_vals[k % NIMM]};
		if (k % 7 == 0)
			hi.off = 1;
		v[(*n)++] = hi;
	}
}

/*
 * Every opcode with every combination of the off and imm values of
 * interest (the values that pick variants, the int16/int32 extremes) in
 * the fields it uses, unused fields zero. Then every opcode with every
 * dst and src, the other fields nonzero: mostly encodings without a text
 * form, which must survive as `.insn`.
 */
static size_t build_encodings(bpfvm_insn *v)
{
	size_t n = 0, k = 0;

	for (int code = 0; code < 256; code++) {
		uint8_t f = bpfvm_opinfo[code].fields;
		for (size_t i = 0; i < NPAIR * NOFF * NIMM; i++, k++) {
			bpfvm_insn in = {.code = (uint8_t)code};
			size_t p = i % NPAIR, o = i / NPAIR % NOFF;
			size_t m = i / NPAIR / NOFF;
			if ((!(f & F_OFF) && o) || (!(f & F_IMM) && m) ||
			    (!(f & (F_DST | F_SRC)) && p))
				continue; /* the same encoding again */
			in.dst = f & F_DST ? reg_pairs[p][0] : 0;
			in.src = f & F_SRC ? reg_pairs[p][1] : 0;
			in.off = f & F_OFF ? off_vals[o] : 0;
			in.imm = f & F_IMM ? imm_vals[m] : 0;
			put_encoding(v, &n, in, k);
		}
		for (size_t i = 0; i < 16 * 16; i++, k++) {
			bpfvm_insn in = {.code = (uint8_t)code};
			in.dst = i % 16;
			in.src = i / 16;
			in.off = off_vals[k % NOFF];
			in.imm = imm_vals[k % NIMM];
			put_encoding(v, &n, in, k);
		}
	}
	return n;
}

/* Instructions that print as text rather than `.insn`; every opcode the
 * table names must be among them. */
static size_t count_printable(const bpfvm_insn *insns, size_t n)
{
	bool seen[256] = {false};
	size_t printable = 0;
	char buf[160];
	int w;

	for (size_t pc = 0; pc < n; pc += (size_t)w) {
		w = bpfvm_disasm_insn(insns, n, pc, BPFVM_SYNTAX_KERNEL, buf,
				      sizeof(buf));
		if (!strncmp(buf, ".insn", 5))
			continue;
		printable++;
		seen[insns[pc].code] = true;
	}
	for (int code = 0; code < 256; code++) {
		CHECK(seen[code] == (bpfvm_opinfo[code].name != NULL));
		if (seen[code] != (bpfvm_opinfo[code].name != NULL))
			fprintf(stderr, "  opcode 0x%02x never printed\n",
				code);
	}
	return printable;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_roundtrip(void)
{
	size_t n, nrand = 100000;
	bpfvm_insn *v = malloc(MAX_ENCODINGS * sizeof(*v));
	uint64_t seed = 0x9e3779b97f4a7c15u;
	char small[8];

	n = build_encodings(v);
	printf("round trip: %zu encodings, %zu with a text form\n", n,
	       count_printable(v, n));
	roundtrip_all(v, n);

	/* Random slots, mostly invalid, some with lddw's code. */
	for (size_t i = 0; i < nrand; i++) {
		v[i] = insn_of(xorshift(&seed));
		if (i % 16 == 0)
			v[i].code = (uint8_t)(xorshift(&seed) % 2 ? 0x18 : 0);
	}
	printf("round trip: %zu random slots\n", nrand);
	roundtrip_all(v, nrand);

	/* A short buffer cuts the text, NUL-terminated, never overflows. */
	v[0] = insn_of(SLOT(0xdb, 10, 1, -8, 0x41));
	memset(small, 'x', sizeof(small));
	CHECK(bpfvm_disasm_insn(v, 1, 0, BPFVM_SYNTAX_KERNEL, small, 5) == 1);
	CHECK(!strcmp(small, "r1 =") && small[5] == 'x');
	CHECK(bpfvm_disasm_insn(v, 1, 0, BPFVM_SYNTAX_KERNEL, small, 0) == 1);
	CHECK(bpfvm_disasm_insn(v, 1, 1, BPFVM_SYNTAX_KERNEL, small, 8) == 0);
	/* lddw without its second slot, then with one. */
	v[0] = insn_of(SLOT(0x18, 1, 0, 0, 5));
	v[1] = insn_of(0);
	CHECK(bpfvm_disasm_insn(v, 1, 0, BPFVM_SYNTAX_CONFORMANCE, small,
				sizeof(small)) == 1);
	CHECK(bpfvm_disasm_insn(v, 2, 0, BPFVM_SYNTAX_CONFORMANCE, small,
				sizeof(small)) == 2);
	free(v);
}

/* The expected text of a few encodings, as documented. */
static void expect_disasm(uint64_t slot, bpfvm_syntax syntax, const char *want)
{
	bpfvm_insn in = insn_of(slot);
	char buf[160];

	bpfvm_disasm_insn(&in, 1, 0, syntax, buf, sizeof(buf));
	CHECK(!strcmp(buf, want));
	if (strcmp(buf, want))
		fprintf(stderr,
			"  disasm %016" PRIx64 ": \"%s\", want \"%s\"\n", slot,
			buf, want);
}

/* bpfvm_disasm's text for a whole program. */
static void expect_program(const bpfvm_insn *insns, size_t n,
			   bpfvm_syntax syntax, int labels, int show_pc,
			   const char *want)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return;
	bpfvm_disasm(f, insns, n, syntax, labels, show_pc);
	fclose(f);
	CHECK(!strcmp(text, want));
	if (strcmp(text, want))
		fprintf(stderr, "  program text:\n%s  want:\n%s", text, want);
	free(text);
}

static void test_disasm_program(void)
{
	const bpfvm_syntax C = BPFVM_SYNTAX_CONFORMANCE,
			   K = BPFVM_SYNTAX_KERNEL;
	bpfvm_insn p[6] = {
	    insn_of(SLOT(0x15, 1, 0, 3, 0)),  /* jeq r1, 0 -> 4 */
	    insn_of(SLOT(0x18, 0, 0, 0, 1)),  /* lddw */
	    insn_of(SLOT(0, 0, 0, 0, 0)),     /* its second slot */
	    insn_of(SLOT(0x05, 0, 0, -3, 0)), /* ja -> 1 */
	    insn_of(SLOT(0x85, 0, 1, 0, 0)),  /* call local -> 5 */
	    insn_of(SLOT(0x05, 0, 0, -1, 0)), /* ja -> 5: itself */
	};

	expect_program(p, 6, C, 1, 0,
		       "jeq %r1, 0, L4\n"
		       "L1:\n"
		       "lddw %r0, 0x1\n"
		       "ja L1\n"
		       "L4:\n"
		       "call local L5\n"
		       "L5:\n"
		       "ja L5\n");
	expect_program(p, 6, K, 0, 1,
		       "   0: if r1 == 0 goto +3\n"
		       "   1: r0 = 0x1 ll\n"
		       "   3: goto -3\n"
		       "   4: call pc+0\n"
		       "   5: goto -1\n");
	/* A jump to the end gets a label after the last line; one into the
	 * middle of lddw keeps its offset. */
	p[0] = insn_of(SLOT(0x05, 0, 0, 0, 0));
	p[1] = insn_of(SLOT(0x05, 0, 0, 1, 0));
	p[2] = insn_of(SLOT(0x18, 0, 0, 0, 1));
	p[3] = insn_of(SLOT(0, 0, 0, 0, 0));
	expect_program(p, 4, K, 1, 0,
		       "goto L1\n"
		       "L1:\n"
		       "goto +1\n"
		       "r0 = 0x1 ll\n");
	expect_program(p, 1, C, 1, 0, "ja L1\nL1:\n");
}

static void test_disasm_text(void)
{
	const bpfvm_syntax C = BPFVM_SYNTAX_CONFORMANCE,
			   K = BPFVM_SYNTAX_KERNEL;

	expect_disasm(SLOT(0xb7, 0, 0, 0, 1), C, "mov %r0, 1");
	expect_disasm(SLOT(0xb7, 0, 0, 0, 1), K, "r0 = 1");
	expect_disasm(SLOT(0xb4, 0, 0, 0, -1), K, "w0 = -1");
	expect_disasm(SLOT(0x5f, 1, 2, 0, 0), K, "r1 &= r2");
	expect_disasm(SLOT(0x57, 1, 0, 0, 0xff0000), C, "and %r1, 0xff0000");
	expect_disasm(SLOT(0x3c, 1, 2, 1, 0), C, "sdiv32 %r1, %r2");
	expect_disasm(SLOT(0x3c, 1, 2, 1, 0), K, "w1 s/= w2");
	expect_disasm(SLOT(0xbf, 1, 2, 16, 0), C, "movsx1664 %r1, %r2");
	expect_disasm(SLOT(0xbc, 1, 2, 8, 0), K, "w1 = (s8)w2");
	expect_disasm(SLOT(0xd7, 1, 0, 0, 16), C, "bswap16 %r1");
	expect_disasm(SLOT(0xdc, 1, 0, 0, 32), K, "r1 = be32 r1");
	expect_disasm(SLOT(0x84, 3, 0, 0, 0), K, "w3 = -w3");
	expect_disasm(SLOT(0x79, 0, 1, -8, 0), C, "ldxdw %r0, [%r1-8]");
	expect_disasm(SLOT(0x79, 0, 1, 0, 0), C, "ldxdw %r0, [%r1]");
	expect_disasm(SLOT(0x89, 0, 1, -2, 0), K, "r0 = *(s16 *)(r1 - 2)");
	expect_disasm(SLOT(0x7b, 10, 1, -8, 0), K, "*(u64 *)(r10 - 8) = r1");
	expect_disasm(SLOT(0x62, 10, 0, 4, 5), K, "*(u32 *)(r10 + 4) = 5");
	expect_disasm(SLOT(0xc3, 10, 1, -4, 0x51), C,
		      "lock fetch and32 [%r10-4], %r1");
	expect_disasm(SLOT(0xdb, 10, 1, -8, 0), K,
		      "lock *(u64 *)(r10 - 8) += r1");
	expect_disasm(SLOT(0xc3, 10, 1, -8, 0xa1), K,
		      "w1 = atomic_fetch_xor((u32 *)(r10 - 8), w1)");
	expect_disasm(SLOT(0xdb, 10, 1, -8, 0xe1), C,
		      "lock xchg [%r10-8], %r1");
	expect_disasm(SLOT(0xc3, 10, 1, -8, 0xe1), K,
		      "w1 = xchg32_32(r10 - 8, w1)");
	expect_disasm(SLOT(0xdb, 10, 1, -8, 0xf1), K,
		      "r0 = cmpxchg_64(r10 - 8, r0, r1)");
	expect_disasm(SLOT(0x2d, 1, 2, 3, 0), K, "if r1 > r2 goto +3");
	expect_disasm(SLOT(0x26, 1, 0, -2, 5), K, "if w1 > 5 goto -2");
	expect_disasm(SLOT(0x16, 1, 0, -2, 5), C, "jeq32 %r1, 5, -2");
	expect_disasm(SLOT(0x05, 0, 0, 0, 0), C, "ja +0");
	expect_disasm(SLOT(0x06, 0, 0, 0, 70000), K, "gotol +70000");
	expect_disasm(SLOT(0x85, 0, 1, 0, 3), K, "call pc+3");
	expect_disasm(SLOT(0x85, 0, 1, 0, -2), C, "call local -2");
	expect_disasm(SLOT(0x85, 0, 0, 0, 5), K, "call 5");
	expect_disasm(SLOT(0x8d, 2, 0, 0, 0), C, "call %r2");
	expect_disasm(SLOT(0x8d, 2, 0, 0, 0), K, "callx r2");
	expect_disasm(SLOT(0x30, 0, 0, 0, 23), K, "r0 = *(u8 *)skb[23]");
	expect_disasm(SLOT(0x48, 0, 1, 0, 4), K, "r0 = *(u16 *)skb[r1 + 4]");
	expect_disasm(SLOT(0x40, 0, 1, 0, 4), C, "ldindw %r1, 4");
	expect_disasm(SLOT(0x85, 0, 2, 0, 7), K, ".insn 0x0000000700002085");
	expect_disasm(SLOT(0xff, 15, 15, -1, -1), C,
		      ".insn 0xffffffffffffffff");
}

/* ---- (d) the conformance suite ---- */

/* The lines of section `-- name`, or NULL. */
static char *data_section(const char *text, const char *name)
{
	size_t hl = strlen(name) + 3;
	const char *p = text, *start = NULL, *end;
	char *sec;

	while (*p) {
		const char *eol = strchr(p, '\n');
		eol = eol ? eol + 1 : p + strlen(p);
		if (!start && !strncmp(p, "-- ", 3) &&
		    !strncmp(p + 3, name, hl - 3) &&
		    (p[hl] == '\n' || p[hl] == '\r' || !p[hl]))
			start = eol;
		else if (start && !strncmp(p, "-- ", 3))
			break;
		p = eol;
	}
	if (!start)
		return NULL;
	end = p;
	sec = malloc((size_t)(end - start) + 1);
	memcpy(sec, start, (size_t)(end - start));
	sec[end - start] = '\0';
	return sec;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc((size_t)size + 1);
	if (fread(buf, 1, (size_t)size, f) != (size_t)size)
		size = 0;
	buf[size] = '\0';
	fclose(f);
	return buf;
}

/* `-- raw`: one 0x-prefixed 64-bit slot a line. */
static void check_raw(const char *path, const char *raw, const bpfvm_insn *in,
		      size_t n)
{
	size_t i = 0;

	for (const char *p = raw; *p; p++) {
		if (strncmp(p, "0x", 2))
			continue;
		uint64_t v = strtoull(p, (char **)&p, 16);
		CHECK(i < n && slot_of(&in[i]) == v);
		i++;
		p--;
	}
	CHECK(i == n);
	if (i != n)
		fprintf(stderr, "%s: -- raw has %zu slots, asm %zu\n", path, i,
			n);
}

static int conformance_file(const char *path, bool negative)
{
	char *text = read_all(path), *asm_text, *raw, *want;
	bpfvm_error err = {0};
	bpfvm_insn *insns;
	size_t count;
	int rc;

	if (!text)
		return 0;
	asm_text = data_section(text, "asm");
	if (!asm_text) {
		free(text);
		return 0;
	}
	rc = bpfvm_asm(asm_text, &insns, &count, &err);
	if (negative) {
		/* Refused, with the expected message if it names one. */
		want = data_section(text, "error");
		CHECK(rc == -1);
		if (rc == 0)
			free(insns);
		if (want && strchr(want, '\n'))
			*strchr(want, '\n') = '\0';
		if (rc == -1 && want && *want)
			CHECK_STR_CONTAINS(err.msg, want);
		free(want);
	} else if (rc) {
		check_count++;
		check_failures++;
		fprintf(stderr, "%s: line %d: %s\n", path, err.line, err.msg);
	} else {
		roundtrip_all(insns, count);
		raw = data_section(text, "raw");
		if (raw)
			check_raw(path, raw, insns, count);
		free(raw);
		free(insns);
	}
	free(asm_text);
	free(text);
	return 1;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.data file of dir; returns how many had an asm section. */
static int conformance_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0;
	int files = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 5, ".data"))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) <
		    (int)sizeof(path))
			files += conformance_file(path, false);
		free(names[i]);
	}
	free(names);
	return files;
}

static void test_conformance(void)
{
	static const char *const negative[] = {
	    "invalid_imm32_dec_range", "invalid_imm32_hex_range",
	    "invalid_label",	       "invalid_lock",
	    "invalid_lock2",	       "invalid_offset",
	    "invalid_operand_count",
	};
	const char *shared = getenv("SHARED");
	char dir[4096];
	int files;

	if (!shared || !*shared) {
		printf("skipping conformance round trip: SHARED not found\n");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/conformance/tests", shared);
	files = conformance_dir(dir);
	if (files < 0) {
		printf("skipping conformance round trip: SHARED not found\n");
		return;
	}
	CHECK(files > 0);
	printf("conformance round trip: %d files\n", files);
	/* The negative tests the assembler itself must refuse. */
	files = 0;
	for (size_t i = 0; i < sizeof(negative) / sizeof(*negative); i++) {
		snprintf(dir, sizeof(dir), "%s/conformance/negative/%s.data",
			 shared, negative[i]);
		files += conformance_file(dir, true);
	}
	printf("conformance negative: %d files refused\n", files);
}

int main(void)
{
	test_lexer();
	test_text();
	test_errors();
	test_disasm_text();
	test_disasm_program();
	test_roundtrip();
	test_conformance();
	DONE();
}
