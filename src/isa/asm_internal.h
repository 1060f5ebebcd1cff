/* SPDX-License-Identifier: MIT */
/*
 * Private to the assembler and disassembler: the lexer, the tables of
 * mnemonics that bpfvm_opinfo does not hold (encodings told apart by off
 * or imm, the kernel syntax's operators), and the assembler's state.
 */
#ifndef BPFVM_ISA_ASM_INTERNAL_H
#define BPFVM_ISA_ASM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfvm/isa.h"

/* ---- Tables (asm_tables.c) ---- */

/*
 * An encoding selected by a field beyond the opcode: off for sdiv, smod
 * and movsx, imm for the byte swaps. code holds BPFVM_K; with V_ANYSRC the
 * operand picks K or X, otherwise code is complete.
 */
enum { V_ANYSRC = 1, V_ALIAS = 2 /* accepted, never printed */ };

struct asm_variant {
	const char *name; /* conformance mnemonic */
	const char *kern; /* kernel syntax: operator, cast or swap name */
	uint8_t code;
	uint8_t flags;
	int16_t off;
	int32_t imm;
};

/* Atomic operations (imm of STX|ATOMIC), without the fetch bit. */
struct asm_atomic {
	const char *name;    /* after `lock [fetch]`; a "32" suffix for W */
	const char *kern_op; /* `lock *(u64 *)(r1 + 0) += r2`; NULL: none */
	const char *kern_fn; /* `atomic_fetch_add(...)`, `xchg_64(...)` */
	int32_t imm;
};

extern const struct asm_variant bpfvm_asm_variants[];
extern const size_t bpfvm_asm_nvariants;
extern const struct asm_atomic bpfvm_asm_atomics[];
extern const size_t bpfvm_asm_natomics;

/* Kernel-syntax operators by BPFVM_OP(code) >> 4 (NULL: no operator). */
extern const char *const bpfvm_kern_alu_ops[16];
extern const char *const bpfvm_kern_jmp_ops[16];
/* Kernel-syntax access sizes by BPFVM_SIZE(code) >> 3: "u32", "s16". */
extern const char *const bpfvm_kern_usize[4];
extern const char *const bpfvm_kern_ssize[4];

/* Whether op (BPFVM_OP of an ALU code) picks a variant through imm. */
static inline bool asm_variant_by_imm(uint8_t code)
{
	return BPFVM_OP(code) == BPFVM_END;
}

/* The variant named s (its kernel name if kern), or NULL. */
const struct asm_variant *bpfvm_asm_variant_named(const char *s, size_t n,
						  bool kern);
/* The variant an ALU encoding selects; NULL for the plain operation. */
const struct asm_variant *bpfvm_asm_variant_of(const bpfvm_insn *in);
/* The atomic operation of imm (fetch bit ignored), or NULL. */
const struct asm_atomic *bpfvm_asm_atomic_of(int32_t imm);
/* The lowest opcode bpfvm_opinfo names s, or -1. */
int bpfvm_asm_opcode_named(const char *s, size_t n);
/* Whether the encoding at insns[pc] has a text form; *width is the number
 * of slots it takes (2 for lddw). */
bool bpfvm_asm_printable(const bpfvm_insn *insns, size_t count, size_t pc,
			 int *width);

/* ---- Lexer (asm_lex.c) ---- */

/* A number as written: sign, magnitude, and whether it was hex. */
struct asm_num {
	uint64_t mag;
	bool neg;
	bool hex;
};

/* A position in one line of text; end is exclusive. */
struct asm_cur {
	const char *p;
	const char *end;
};

static inline bool asm_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline bool asm_is_ident(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       asm_is_digit(c) || c == '_' || c == '.';
}

static inline bool asm_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

void asm_skip_ws(struct asm_cur *c);
bool asm_at_end(struct asm_cur *c);
/* Skip blanks, then match s (blanks in s match any run of blanks, a
 * trailing letter of s must end a word). */
bool asm_lit(struct asm_cur *c, const char *s);
/* Skip blanks, then take an identifier (possibly empty). */
size_t asm_word(struct asm_cur *c, const char **w);
bool asm_word_is(struct asm_cur *c, const char *w);
bool asm_span_is(const char *s, size_t n, const char *w);
/* The longest of ops[0..n) at the cursor (after blanks), or -1. */
int asm_op(struct asm_cur *c, const char *const *ops, size_t n);
/* Take a number; sign says whether a leading '+' or '-' is allowed. */
bool asm_num(struct asm_cur *c, bool sign, struct asm_num *num);
/* Take "+ N" or "- N" (blanks allowed after the sign). */
bool asm_signed_num(struct asm_cur *c, struct asm_num *num);
bool asm_num_imm32(const struct asm_num *num, int32_t *imm);
bool asm_num_imm64(const struct asm_num *num, uint64_t *imm);
bool asm_num_off16(const struct asm_num *num, int16_t *off);
/* Register number of "rN"/"wN" (prefix 0, kernel) or "%rN" (prefix '%',
 * conformance): 0-10; BPFVM_NREGS when shaped like a register but out of
 * range ("r11"); -1 when not shaped like a register. */
int asm_reg_number(const char *s, size_t n, char prefix);
/* Length of the token at p: up to a blank, ',' or a closing bracket. */
size_t asm_token_len(const char *p, const char *end);

/* ---- Assembler state (asm.c) ---- */

/* An instruction being assembled: bpfvm_insn without bit-fields, so that
 * parsers can take the address of every field. */
struct asm_insn {
	uint8_t code;
	uint8_t dst;
	uint8_t src;
	int16_t off;
	int32_t imm;
};

struct asm_label {
	const char *name;
	size_t len;
	size_t slot;
	int line;
};

/* A jump whose target is a label: patched once every label is known. */
struct asm_fixup {
	const char *name;
	size_t len;
	size_t slot;
	int line;
	bool in_imm; /* target offset goes to imm (ja32, call local) */
};

struct asm_state {
	bpfvm_insn *insns;
	size_t n, cap;
	struct asm_label *labels;
	size_t nlabels, labels_cap;
	size_t *hash;	 /* label index + 1 by name; 0: empty */
	size_t hash_cap; /* a power of two */
	struct asm_fixup *fixups;
	size_t nfixups, fixups_cap;
	long first_exit; /* the implicit `exit` label; -1 until one exists */
	int line;
	bpfvm_error *err;
};

/* Fail at the current line. Always -1. */
int asm_error(struct asm_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int asm_emit(struct asm_state *st, struct asm_insn in);
int asm_emit_lddw(struct asm_state *st, uint8_t dst, uint64_t imm);
/* Set the off (or imm) of the slot about to be emitted to a jump target:
 * "+N"/"-N" (also "pc+N" when pc is set) or a label. */
int asm_target(struct asm_state *st, const char *s, size_t n, bool in_imm,
	       struct asm_insn *in);

/* One instruction line (no label, comment or surrounding blanks). */
int bpfvm_asm_conformance(struct asm_state *st, const char *p, const char *end);
int bpfvm_asm_kernel(struct asm_state *st, const char *p, const char *end);

#endif
