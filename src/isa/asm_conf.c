/* SPDX-License-Identifier: MIT */
/*
 * The conformance syntax (bpf_conformance's .data files): a mnemonic and
 * operands separated by commas and/or blanks, registers %r0-%r10, memory
 * as [%rN+off]. Also home of call, callx and exit, which both syntaxes
 * spell alike and which this parser reads in either.
 */
#include <string.h>

#include "isa/asm_internal.h"
#include "isa/opcodes.h"

#define MAX_TOKS 6 /* `lock fetch add [%r1+0], %r2` and one too many */

struct tok {
	const char *s;
	size_t n;
};

struct line {
	struct tok t[MAX_TOKS]; /* t[0]: the mnemonic */
	int nops; /* operands after the mnemonic; MAX_TOKS means too many */
};

static bool is_sep(char c)
{
	return asm_is_space(c) || c == ',';
}

/* A bracketed memory operand is one token, blanks inside and all. */
static void tokenize(const char *p, const char *end, struct line *l)
{
	int n = 0;

	/* A line of only separators is all mnemonic, for the message. */
	l->t[0] = (struct tok){p, (size_t)(end - p)};
	for (;;) {
		while (p < end && is_sep(*p))
			p++;
		if (p == end)
			break;
		if (n == MAX_TOKS) {
			n++;
			break;
		}
		const char *s = p;
		if (*p == '[') {
			while (p < end && *p != ']')
				p++;
			p += p < end; /* the ']' */
		} else {
			while (p < end && !is_sep(*p))
				p++;
		}
		l->t[n++] = (struct tok){s, (size_t)(p - s)};
	}
	l->nops = n > MAX_TOKS ? MAX_TOKS : n ? n - 1 : 0;
}

static int operand_count(struct asm_state *st, const struct line *l, int want)
{
	if (l->nops == want)
		return 0;
	return asm_error(st, "Invalid number of operands for %.*s",
			 (int)l->t[0].n, l->t[0].s);
}

static int reg_of(struct asm_state *st, const struct tok *t, char prefix,
		  uint8_t *reg)
{
	int r = asm_reg_number(t->s, t->n, prefix);

	if (r < 0 || r >= BPFVM_NREGS)
		return asm_error(st, "Invalid register: %.*s", (int)t->n, t->s);
	*reg = (uint8_t)r;
	return 0;
}

static int reg(struct asm_state *st, const struct tok *t, uint8_t *r)
{
	return reg_of(st, t, '%', r);
}

static int imm32(struct asm_state *st, const struct tok *t, int32_t *imm)
{
	struct asm_cur c = {t->s, t->s + t->n};
	struct asm_num num;

	if (!asm_num(&c, true, &num) || c.p != c.end ||
	    !asm_num_imm32(&num, imm))
		return asm_error(st, "Invalid immediate: %.*s", (int)t->n,
				 t->s);
	return 0;
}

/* A register operand selects the X form; anything else is an imm. */
static int source(struct asm_state *st, const struct tok *t,
		  struct asm_insn *in)
{
	if (t->n && t->s[0] == '%') {
		in->code |= BPFVM_X;
		return reg(st, t, &in->src);
	}
	return imm32(st, t, &in->imm);
}

/* [%rN], [%rN+off], [%rN-off] */
static int memory(struct asm_state *st, const struct tok *t, uint8_t *r,
		  int16_t *off)
{
	struct asm_cur c = {t->s, t->s + t->n};
	struct asm_num num;
	struct tok rt;

	*off = 0;
	if (!asm_lit(&c, "["))
		return asm_error(st, "Invalid memory operand: %.*s", (int)t->n,
				 t->s);
	asm_skip_ws(&c);
	rt.s = c.p;
	while (c.p < c.end && (*c.p == '%' || asm_is_ident(*c.p)))
		c.p++;
	rt.n = (size_t)(c.p - rt.s);
	if (reg(st, &rt, r))
		return -1;
	asm_skip_ws(&c);
	if (c.p < c.end && (*c.p == '+' || *c.p == '-')) {
		const char *o = c.p;
		if (!asm_signed_num(&c, &num) || !asm_num_off16(&num, off))
			return asm_error(st, "Invalid offset: %.*s",
					 (int)(c.end - o), o);
	}
	if (!asm_lit(&c, "]") || !asm_at_end(&c))
		return asm_error(st, "Invalid memory operand: %.*s", (int)t->n,
				 t->s);
	return 0;
}

static int target(struct asm_state *st, const struct tok *t, bool in_imm,
		  struct asm_insn *in)
{
	return asm_target(st, t->s, t->n, in_imm, in);
}

/* `lock [fetch] OP[32] [%rD+off], %rS` */
static int conf_lock(struct asm_state *st, const struct line *l)
{
	bool fetch = l->nops > 0 && asm_span_is(l->t[1].s, l->t[1].n, "fetch");
	const struct tok *op = &l->t[1 + fetch];
	const struct asm_atomic *a = NULL;
	struct asm_insn in = {.code = BPFVM_STX | BPFVM_ATOMIC | BPFVM_DW};
	size_t n;

	if (operand_count(st, l, 3 + fetch))
		return -1;
	n = op->n;
	if (n > 2 && !memcmp(op->s + n - 2, "32", 2)) {
		in.code = BPFVM_STX | BPFVM_ATOMIC | BPFVM_W;
		n -= 2;
	}
	for (size_t i = 0; i < bpfvm_asm_natomics && !a; i++)
		if (asm_span_is(op->s, n, bpfvm_asm_atomics[i].name))
			a = &bpfvm_asm_atomics[i];
	if (!a)
		return asm_error(st, "Invalid atomic operation: %.*s",
				 (int)op->n, op->s);
	in.imm = a->imm | (fetch ? BPFVM_FETCH : 0);
	if (memory(st, &op[1], &in.dst, &in.off) || reg(st, &op[2], &in.src))
		return -1;
	return asm_emit(st, in);
}

static bool is_register(const struct tok *t)
{
	return asm_reg_number(t->s, t->n, '%') >= 0 ||
	       asm_reg_number(t->s, t->n, 0) >= 0;
}

/* A register in either syntax: `call %r2` or `callx r2`. */
static int any_reg(struct asm_state *st, const struct tok *t, uint8_t *r)
{
	return reg_of(st, t, t->n && t->s[0] == '%' ? '%' : 0, r);
}

/*
 * `call N` (helper), `call local TARGET`, `call pc+N` and `call LABEL`
 * (local), `call %rN` and `call rN` (callx).
 */
static int conf_call(struct asm_state *st, const struct line *l)
{
	struct asm_insn in = {.code = BPFVM_OP_CALL};
	const struct tok *t = &l->t[1];
	int rc;

	if (l->nops > 0 && asm_span_is(t->s, t->n, "local")) {
		in.src = BPFVM_CALL_LOCAL;
		rc = operand_count(st, l, 2) || target(st, &t[1], true, &in);
	} else if (operand_count(st, l, 1)) {
		return -1;
	} else if (is_register(t)) {
		in.code = BPFVM_OP_CALLX;
		rc = any_reg(st, t, &in.dst);
	} else if (t->n && (asm_is_digit(t->s[0]) || t->s[0] == '-' ||
			    t->s[0] == '+')) {
		rc = imm32(st, t, &in.imm);
	} else {
		in.src = BPFVM_CALL_LOCAL;
		rc = target(st, t, true, &in);
	}
	return rc ? -1 : asm_emit(st, in);
}

static int conf_variant(struct asm_state *st, const struct line *l,
			const struct asm_variant *v)
{
	struct asm_insn in = {.code = v->code, .off = v->off, .imm = v->imm};
	const struct tok *t = &l->t[1];
	int rc;

	if (asm_variant_by_imm(v->code)) /* le16 %r0 */
		rc = operand_count(st, l, 1) || reg(st, t, &in.dst);
	else if (v->flags & V_ANYSRC) /* sdiv %r0, 3 */
		rc = operand_count(st, l, 2) || reg(st, t, &in.dst) ||
		     source(st, &t[1], &in);
	else /* movsx864 %r0, %r1 */
		rc = operand_count(st, l, 2) || reg(st, t, &in.dst) ||
		     reg(st, &t[1], &in.src);
	return rc ? -1 : asm_emit(st, in);
}

static int conf_alu(struct asm_state *st, const struct line *l,
		    struct asm_insn in)
{
	const struct tok *t = &l->t[1];
	int rc;

	if (BPFVM_OP(in.code) == BPFVM_NEG)
		rc = operand_count(st, l, 1) || reg(st, t, &in.dst);
	else
		rc = operand_count(st, l, 2) || reg(st, t, &in.dst) ||
		     source(st, &t[1], &in);
	return rc ? -1 : asm_emit(st, in);
}

static int conf_jmp(struct asm_state *st, const struct line *l,
		    struct asm_insn in)
{
	const struct tok *t = &l->t[1];
	int rc;

	if (in.code == BPFVM_OP_EXIT)
		rc = operand_count(st, l, 0);
	else if (in.code == BPFVM_OP_JA || in.code == BPFVM_OP_JA32)
		rc = operand_count(st, l, 1) ||
		     target(st, t, in.code == BPFVM_OP_JA32, &in);
	else
		rc = operand_count(st, l, 3) || reg(st, t, &in.dst) ||
		     source(st, &t[1], &in) || target(st, &t[2], false, &in);
	return rc ? -1 : asm_emit(st, in);
}

static int conf_ld(struct asm_state *st, const struct line *l,
		   struct asm_insn in)
{
	const struct tok *t = &l->t[1];
	struct asm_cur c;
	struct asm_num num;
	uint64_t imm;
	int rc;

	if (BPFVM_MODE(in.code) != BPFVM_IMM) {
		if (BPFVM_MODE(in.code) == BPFVM_ABS) /* ldabsw 4 */
			rc = operand_count(st, l, 1) || imm32(st, t, &in.imm);
		else /* ldindw %r1, 4 */
			rc = operand_count(st, l, 2) || reg(st, t, &in.src) ||
			     imm32(st, &t[1], &in.imm);
		return rc ? -1 : asm_emit(st, in);
	}
	/* lddw %r0, 0x1122334455667788 */
	if (operand_count(st, l, 2) || reg(st, t, &in.dst))
		return -1;
	c = (struct asm_cur){t[1].s, t[1].s + t[1].n};
	if (!asm_num(&c, true, &num) || c.p != c.end ||
	    !asm_num_imm64(&num, &imm))
		return asm_error(st, "Invalid immediate: %.*s", (int)t[1].n,
				 t[1].s);
	return asm_emit_lddw(st, in.dst, imm);
}

/* Loads and stores: ldxw %r0, [%r1+2]; stw [%r1+2], 1; stxw [%r1+2], %r0 */
static int conf_mem(struct asm_state *st, const struct line *l,
		    struct asm_insn in)
{
	const struct tok *t = &l->t[1];
	int rc = operand_count(st, l, 2);

	if (rc)
		return -1;
	if (BPFVM_CLASS(in.code) == BPFVM_LDX)
		rc = reg(st, t, &in.dst) || memory(st, &t[1], &in.src, &in.off);
	else if (BPFVM_CLASS(in.code) == BPFVM_ST)
		rc = memory(st, t, &in.dst, &in.off) ||
		     imm32(st, &t[1], &in.imm);
	else
		rc = memory(st, t, &in.dst, &in.off) || reg(st, &t[1], &in.src);
	return rc ? -1 : asm_emit(st, in);
}

/* Opcodes the table names without the field that completes the name:
 * le/be/bswap need a width, lock/lock32 an operation. */
static bool needs_variant(uint8_t code)
{
	uint8_t cls = BPFVM_CLASS(code);

	if (cls == BPFVM_ALU || cls == BPFVM_ALU64)
		return BPFVM_OP(code) == BPFVM_END;
	return cls == BPFVM_STX && BPFVM_MODE(code) == BPFVM_ATOMIC;
}

int bpfvm_asm_conformance(struct asm_state *st, const char *p, const char *end)
{
	struct line l = {0};
	const struct tok *mn = &l.t[0];
	const struct asm_variant *v;
	struct asm_insn in = {0};
	int code;

	tokenize(p, end, &l);
	if (asm_span_is(mn->s, mn->n, "lock"))
		return conf_lock(st, &l);
	if (asm_span_is(mn->s, mn->n, "call"))
		return conf_call(st, &l);
	if (asm_span_is(mn->s, mn->n, "callx")) {
		in.code = BPFVM_OP_CALLX;
		if (operand_count(st, &l, 1) || any_reg(st, &l.t[1], &in.dst))
			return -1;
		return asm_emit(st, in);
	}
	v = bpfvm_asm_variant_named(mn->s, mn->n, false);
	if (v)
		return conf_variant(st, &l, v);
	/* The table's K form; a register operand turns it into X. */
	code = bpfvm_asm_opcode_named(mn->s, mn->n);
	if (code < 0 || needs_variant((uint8_t)code))
		return asm_error(st, "Invalid mnemonic: %.*s", (int)mn->n,
				 mn->s);
	in.code = (uint8_t)code;
	switch (BPFVM_CLASS(in.code)) {
	case BPFVM_ALU:
	case BPFVM_ALU64:
		return conf_alu(st, &l, in);
	case BPFVM_JMP:
	case BPFVM_JMP32:
		return conf_jmp(st, &l, in);
	case BPFVM_LD:
		return conf_ld(st, &l, in);
	default:
		return conf_mem(st, &l, in);
	}
}
