/* SPDX-License-Identifier: MIT */
/*
 * The mnemonics the opcode table cannot hold, shared by the assembler and
 * the disassembler so that what one prints the other reads.
 */
#include <string.h>

#include "isa/asm_internal.h"
#include "isa/opcodes.h"

#define ALU64 BPFVM_ALU64
#define ALU32 BPFVM_ALU

/*
 * Entry-making macros; clang-format cannot lay out macros that expand to
 * several initializers, so it keeps out of them.
 */
/* clang-format off */
/* Signed division and modulo: off = 1. The operand picks K or X. */
#define SIGNED(op, name, kern)						\
	{ name, kern, ALU64 | op, V_ANYSRC, 1, 0 },			\
	{ name "32", kern, ALU32 | op, V_ANYSRC, 1, 0 }
/* Sign-extending moves: off = the source width, register source only. */
#define MOVSX(cls, bits, suffix)					\
	{ "movsx" #bits suffix, "(s" #bits ")",				\
	  cls | BPFVM_MOV | BPFVM_X, 0, bits, 0 }
/* Byte swaps: imm = the width. */
#define SWAP(code, name, flags)						\
	{ name "16", name "16", code, flags, 0, 16 },			\
	{ name "32", name "32", code, flags, 0, 32 },			\
	{ name "64", name "64", code, flags, 0, 64 }
/* clang-format on */

const struct asm_variant bpfvm_asm_variants[] = {
    SIGNED(BPFVM_DIV, "sdiv", "s/="),
    SIGNED(BPFVM_MOD, "smod", "s%="),
    MOVSX(ALU64, 8, "64"),
    MOVSX(ALU64, 16, "64"),
    MOVSX(ALU64, 32, "64"),
    MOVSX(ALU32, 8, "32"),
    MOVSX(ALU32, 16, "32"),
    SWAP(ALU32 | BPFVM_END | BPFVM_K, "le", 0),
    SWAP(ALU32 | BPFVM_END | BPFVM_X, "be", 0),
    SWAP(ALU64 | BPFVM_END | BPFVM_K, "bswap", 0),
    /* bpf_conformance's older name for the unconditional swap. */
    SWAP(ALU64 | BPFVM_END | BPFVM_K, "swap", V_ALIAS),
};
const size_t bpfvm_asm_nvariants =
    sizeof(bpfvm_asm_variants) / sizeof(bpfvm_asm_variants[0]);

const struct asm_atomic bpfvm_asm_atomics[] = {
    {"add", "+=", "atomic_fetch_add", BPFVM_ADD},
    {"or", "|=", "atomic_fetch_or", BPFVM_OR},
    {"and", "&=", "atomic_fetch_and", BPFVM_AND},
    {"xor", "^=", "atomic_fetch_xor", BPFVM_XOR},
    /* Always fetch; the kernel names them xchg_64 and xchg32_32. */
    {"xchg", NULL, "xchg", BPFVM_XCHG},
    {"cmpxchg", NULL, "cmpxchg", BPFVM_CMPXCHG},
};
const size_t bpfvm_asm_natomics =
    sizeof(bpfvm_asm_atomics) / sizeof(bpfvm_asm_atomics[0]);

const char *const bpfvm_kern_alu_ops[16] = {
    [BPFVM_ADD >> 4] = "+=",  [BPFVM_SUB >> 4] = "-=",
    [BPFVM_MUL >> 4] = "*=",  [BPFVM_DIV >> 4] = "/=",
    [BPFVM_OR >> 4] = "|=",   [BPFVM_AND >> 4] = "&=",
    [BPFVM_LSH >> 4] = "<<=", [BPFVM_RSH >> 4] = ">>=",
    [BPFVM_MOD >> 4] = "%=",  [BPFVM_XOR >> 4] = "^=",
    [BPFVM_MOV >> 4] = "=",   [BPFVM_ARSH >> 4] = "s>>=",
};

const char *const bpfvm_kern_jmp_ops[16] = {
    [BPFVM_JEQ >> 4] = "==",   [BPFVM_JGT >> 4] = ">",
    [BPFVM_JGE >> 4] = ">=",   [BPFVM_JSET >> 4] = "&",
    [BPFVM_JNE >> 4] = "!=",   [BPFVM_JSGT >> 4] = "s>",
    [BPFVM_JSGE >> 4] = "s>=", [BPFVM_JLT >> 4] = "<",
    [BPFVM_JLE >> 4] = "<=",   [BPFVM_JSLT >> 4] = "s<",
    [BPFVM_JSLE >> 4] = "s<=",
};

const char *const bpfvm_kern_usize[4] = {
    [BPFVM_W >> 3] = "u32",
    [BPFVM_H >> 3] = "u16",
    [BPFVM_B >> 3] = "u8",
    [BPFVM_DW >> 3] = "u64",
};

const char *const bpfvm_kern_ssize[4] = {
    [BPFVM_W >> 3] = "s32",
    [BPFVM_H >> 3] = "s16",
    [BPFVM_B >> 3] = "s8",
};

const struct asm_variant *bpfvm_asm_variant_named(const char *s, size_t n,
						  bool kern)
{
	for (size_t i = 0; i < bpfvm_asm_nvariants; i++) {
		const struct asm_variant *v = &bpfvm_asm_variants[i];
		if (asm_span_is(s, n, kern ? v->kern : v->name))
			return v;
	}
	return NULL;
}

const struct asm_variant *bpfvm_asm_variant_of(const bpfvm_insn *in)
{
	for (size_t i = 0; i < bpfvm_asm_nvariants; i++) {
		const struct asm_variant *v = &bpfvm_asm_variants[i];
		uint8_t code =
		    v->flags & V_ANYSRC ? in->code & ~BPFVM_X : in->code;
		if (code != v->code || (v->flags & V_ALIAS))
			continue;
		if (asm_variant_by_imm(code) ? in->imm == v->imm
					     : in->off == v->off)
			return v;
	}
	return NULL;
}

const struct asm_atomic *bpfvm_asm_atomic_of(int32_t imm)
{
	for (size_t i = 0; i < bpfvm_asm_natomics; i++) {
		const struct asm_atomic *a = &bpfvm_asm_atomics[i];
		/* The fetch bit is optional, but part of xchg's value. */
		if (imm == a->imm || imm == (a->imm | BPFVM_FETCH))
			return a;
	}
	return NULL;
}

int bpfvm_asm_opcode_named(const char *s, size_t n)
{
	for (int code = 0; code < 256; code++)
		if (bpfvm_opinfo[code].name &&
		    asm_span_is(s, n, bpfvm_opinfo[code].name))
			return code;
	return -1;
}

/* The second slot of lddw holds only the high half of imm. */
static bool lddw_tail_ok(const bpfvm_insn *insns, size_t count, size_t pc)
{
	const bpfvm_insn *hi;

	if (pc + 1 >= count)
		return false;
	hi = &insns[pc + 1];
	return !hi->code && !hi->dst && !hi->src && !hi->off;
}

/* The values of the variant-selecting fields (see check.c). */
static bool variant_ok(const bpfvm_insn *in)
{
	uint8_t code = in->code, cls = BPFVM_CLASS(code);

	if (cls == BPFVM_ALU || cls == BPFVM_ALU64) {
		bool selects = asm_variant_by_imm(code) ? true : in->off != 0;
		return !selects || bpfvm_asm_variant_of(in);
	}
	if (code == BPFVM_OP_CALL)
		return in->src == BPFVM_CALL_HELPER ||
		       in->src == BPFVM_CALL_LOCAL;
	if (code == BPFVM_OP_LDDW)
		return in->src == BPFVM_PSEUDO_NONE;
	if (cls == BPFVM_STX && BPFVM_MODE(code) == BPFVM_ATOMIC)
		return bpfvm_asm_atomic_of(in->imm) != NULL;
	return true;
}

bool bpfvm_asm_printable(const bpfvm_insn *insns, size_t count, size_t pc,
			 int *width)
{
	const bpfvm_insn *in = &insns[pc];
	const struct opinfo *oi = &bpfvm_opinfo[in->code];
	/* src is a register except where it selects a call or lddw kind. */
	bool src_reg = in->code != BPFVM_OP_CALL && in->code != BPFVM_OP_LDDW;

	*width = 1;
	if (!oi->name)
		return false;
	if ((!(oi->fields & F_DST) && in->dst) ||
	    (!(oi->fields & F_SRC) && in->src) ||
	    (!(oi->fields & F_OFF) && in->off) ||
	    (!(oi->fields & F_IMM) && in->imm))
		return false;
	if (in->dst >= BPFVM_NREGS || (src_reg && in->src >= BPFVM_NREGS))
		return false;
	if (!variant_ok(in))
		return false;
	if (in->code == BPFVM_OP_LDDW) {
		if (!lddw_tail_ok(insns, count, pc))
			return false;
		*width = 2;
	}
	return true;
}
