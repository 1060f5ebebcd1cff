/* SPDX-License-Identifier: MIT */
/*
 * The kernel syntax (verifier log, llvm-objdump): C-like statements over
 * registers rN (64-bit) and wN (32-bit), e.g. `w0 += 1`, `if r1 s> r2 goto
 * +3`, `*(u64 *)(r10 - 8) = r1`. An ALU or jump's width comes from its
 * registers; in loads, stores and atomics rN and wN are the same register.
 */
#include <string.h>

#include "isa/asm_internal.h"
#include "isa/opcodes.h"

struct kreg {
	uint8_t n;
	bool w; /* written wN */
};

static int expected(struct asm_state *st, struct asm_cur *c, const char *what)
{
	int left;

	asm_skip_ws(c);
	left = (int)(c->end - c->p);
	if (!left)
		return asm_error(st, "Syntax error: expected %s at the end",
				 what);
	return asm_error(st, "Syntax error: expected %s at '%.*s'", what,
			 left > 40 ? 40 : left, c->p);
}

static int finish(struct asm_state *st, struct asm_cur *c, struct asm_insn in)
{
	if (!asm_at_end(c))
		return expected(st, c, "the end of the line");
	return asm_emit(st, in);
}

static bool at_reg(const struct asm_cur *c)
{
	struct asm_cur t = *c;
	const char *w;
	size_t n = asm_word(&t, &w);

	return asm_reg_number(w, n, 0) >= 0;
}

static int k_reg(struct asm_state *st, struct asm_cur *c, struct kreg *r)
{
	struct asm_cur save = *c;
	const char *w;
	size_t n = asm_word(c, &w);
	int v = asm_reg_number(w, n, 0);

	if (v < 0) {
		*c = save;
		return expected(st, c, "a register");
	}
	if (v >= BPFVM_NREGS)
		return asm_error(st, "Invalid register: %.*s", (int)n, w);
	r->n = (uint8_t)v;
	r->w = w[0] == 'w';
	return 0;
}

/* A register as wide as the operation: rN for 64-bit, wN for 32-bit. */
static int k_reg_as(struct asm_state *st, struct asm_cur *c, bool w,
		    uint8_t *reg)
{
	struct kreg r;

	if (k_reg(st, c, &r))
		return -1;
	if (r.w != w)
		return asm_error(st,
				 "Invalid register: %c%d in a %d-bit operation",
				 r.w ? 'w' : 'r', r.n, w ? 32 : 64);
	*reg = r.n;
	return 0;
}

/* A register that must be a given one: `r0 = -r0`, cmpxchg's r0. */
static int k_same_reg(struct asm_state *st, struct asm_cur *c, uint8_t want,
		      const char *why)
{
	struct kreg r;

	if (k_reg(st, c, &r))
		return -1;
	if (r.n != want)
		return asm_error(st, "Invalid register: %c%d (%s r%d)",
				 r.w ? 'w' : 'r', r.n, why, want);
	return 0;
}

static int k_imm32(struct asm_state *st, struct asm_cur *c, int32_t *imm)
{
	struct asm_num num;
	const char *at;

	asm_skip_ws(c);
	at = c->p;
	if (!asm_num(c, true, &num) || !asm_num_imm32(&num, imm))
		return asm_error(st, "Invalid immediate: %.*s",
				 (int)asm_token_len(at, c->end), at);
	return 0;
}

/* A register (the X form) or an immediate (the K form). */
static int k_source(struct asm_state *st, struct asm_cur *c, bool w,
		    struct asm_insn *in)
{
	if (!at_reg(c))
		return k_imm32(st, c, &in->imm);
	in->code |= BPFVM_X;
	return k_reg_as(st, c, w, &in->src);
}

static int k_target(struct asm_state *st, struct asm_cur *c, bool in_imm,
		    struct asm_insn *in)
{
	const char *s;
	size_t n;

	asm_skip_ws(c);
	s = c->p;
	n = asm_token_len(s, c->end);
	if (!n)
		return expected(st, c, "a jump target");
	c->p += n;
	return asm_target(st, s, n, in_imm, in);
}

/* "(u32 *)": *size is a BPFVM_SIZE; *sx for the signed s8, s16, s32. */
static int k_size(struct asm_state *st, struct asm_cur *c, uint8_t *size,
		  bool *sx)
{
	const char *w;
	size_t n;

	if (!asm_lit(c, "("))
		return expected(st, c, "'('");
	n = asm_word(c, &w);
	for (uint8_t i = 0; i < 4; i++) {
		*size = (uint8_t)(i << 3);
		*sx = asm_span_is(w, n, bpfvm_kern_ssize[i]);
		if (*sx || asm_span_is(w, n, bpfvm_kern_usize[i]))
			goto found;
	}
	return asm_error(st, "Invalid access size: %.*s", (int)n, w);
found:
	if (!asm_lit(c, "* )"))
		return expected(st, c, "'*)'");
	return 0;
}

/* "rN + off", "rN - off" or "rN" (no parentheses). */
static int k_base_off(struct asm_state *st, struct asm_cur *c, uint8_t *base,
		      int16_t *off)
{
	struct asm_num num;
	struct kreg r;
	const char *at;

	if (k_reg(st, c, &r))
		return -1;
	*base = r.n;
	*off = 0;
	asm_skip_ws(c);
	at = c->p;
	if (c->p == c->end || (*c->p != '+' && *c->p != '-'))
		return 0;
	if (!asm_signed_num(c, &num))
		return expected(st, c, "an offset");
	if (!asm_num_off16(&num, off))
		return asm_error(st, "Invalid offset: %.*s", (int)(c->p - at),
				 at);
	return 0;
}

/* "(rN + off)" */
static int k_addr(struct asm_state *st, struct asm_cur *c, uint8_t *base,
		  int16_t *off)
{
	if (!asm_lit(c, "("))
		return expected(st, c, "'('");
	if (k_base_off(st, c, base, off))
		return -1;
	return asm_lit(c, ")") ? 0 : expected(st, c, "')'");
}

/* Atomics work on u32 and u64 only. */
static int atomic_size(struct asm_state *st, uint8_t size, bool sx)
{
	if (sx || (size != BPFVM_W && size != BPFVM_DW))
		return asm_error(
		    st,
		    "Invalid access size for an atomic operation (u32 or u64)");
	return 0;
}

/* `*(u32 *)(r10 - 4) = 5` and `*(u64 *)(r10 - 8) = r1`, after the '*' */
static int k_store(struct asm_state *st, struct asm_cur *c)
{
	struct asm_insn in = {0};
	uint8_t size;
	bool sx;

	if (k_size(st, c, &size, &sx) || k_addr(st, c, &in.dst, &in.off))
		return -1;
	if (sx)
		return asm_error(st, "Invalid access size: stores are unsigned "
				     "(u8, u16, u32, u64)");
	if (!asm_lit(c, "="))
		return expected(st, c, "'='");
	if (at_reg(c)) {
		struct kreg r;
		if (k_reg(st, c, &r))
			return -1;
		in.code = BPFVM_STX | BPFVM_MEM | size;
		in.src = r.n;
	} else {
		in.code = BPFVM_ST | BPFVM_MEM | size;
		if (k_imm32(st, c, &in.imm))
			return -1;
	}
	return finish(st, c, in);
}

/* `lock *(u64 *)(r10 - 8) += r1` */
static int k_lock(struct asm_state *st, struct asm_cur *c)
{
	struct asm_insn in = {0};
	const struct asm_atomic *a = NULL;
	struct kreg r;
	uint8_t size;
	bool sx;

	asm_lit(c, "*"); /* is_kernel_line saw it */
	if (k_size(st, c, &size, &sx) || atomic_size(st, size, sx) ||
	    k_addr(st, c, &in.dst, &in.off))
		return -1;
	for (size_t i = 0; i < bpfvm_asm_natomics && !a; i++)
		if (bpfvm_asm_atomics[i].kern_op &&
		    asm_lit(c, bpfvm_asm_atomics[i].kern_op))
			a = &bpfvm_asm_atomics[i];
	if (!a)
		return expected(st, c, "an atomic operator (+=, |=, &=, ^=)");
	if (k_reg(st, c, &r))
		return -1;
	in.code = BPFVM_STX | BPFVM_ATOMIC | size;
	in.src = r.n;
	in.imm = a->imm;
	return finish(st, c, in);
}

/* `if r1 > r2 goto +3`, `if w1 s< -5 goto L1` */
static int k_if(struct asm_state *st, struct asm_cur *c)
{
	struct asm_insn in = {0};
	struct kreg d;
	int op;

	if (k_reg(st, c, &d))
		return -1;
	op = asm_op(c, bpfvm_kern_jmp_ops, 16);
	if (op < 0)
		return expected(st, c, "a comparison");
	in.code = (uint8_t)((d.w ? BPFVM_JMP32 : BPFVM_JMP) | op << 4);
	in.dst = d.n;
	if (k_source(st, c, d.w, &in))
		return -1;
	if (!asm_word_is(c, "goto"))
		return expected(st, c, "'goto'");
	if (k_target(st, c, false, &in))
		return -1;
	return finish(st, c, in);
}

static int k_goto(struct asm_state *st, struct asm_cur *c, uint8_t code)
{
	struct asm_insn in = {.code = code};

	if (k_target(st, c, code == BPFVM_OP_JA32, &in))
		return -1;
	return finish(st, c, in);
}

/* Whether kern, a cast like "(s8)", is w in parentheses. */
static bool cast_is(const char *kern, const char *w, size_t n)
{
	return kern[0] == '(' && strlen(kern) == n + 2 &&
	       !memcmp(kern + 1, w, n) && kern[n + 1] == ')';
}

/* `r0 = (s8)r1`, after the '(' */
static int k_movsx(struct asm_state *st, struct asm_cur *c, struct kreg d,
		   struct asm_insn in)
{
	uint8_t cls = d.w ? BPFVM_ALU : BPFVM_ALU64;
	const struct asm_variant *v = NULL;
	const char *w;
	size_t n = asm_word(c, &w);

	for (size_t i = 0; i < bpfvm_asm_nvariants && !v; i++) {
		const struct asm_variant *t = &bpfvm_asm_variants[i];
		if (BPFVM_CLASS(t->code) == cls && cast_is(t->kern, w, n))
			v = t;
	}
	if (!v)
		return asm_error(
		    st, "Invalid sign extension: (%.*s) in a %d-bit move",
		    (int)n, w, d.w ? 32 : 64);
	if (!asm_lit(c, ")"))
		return expected(st, c, "')'");
	in.code = v->code;
	in.off = v->off;
	if (k_reg_as(st, c, d.w, &in.src))
		return -1;
	return finish(st, c, in);
}

/* Legacy packet loads, after `r0 = *(u8 *)`: `skb[4]`, `skb[r1 + 4]` */
static int k_skb(struct asm_state *st, struct asm_cur *c, struct kreg d,
		 uint8_t size, struct asm_insn in)
{
	struct asm_num num;
	struct kreg r;
	const char *at;

	if (d.n != 0)
		return asm_error(
		    st, "Invalid register: %c%d (legacy packet loads write r0)",
		    d.w ? 'w' : 'r', d.n);
	if (!asm_lit(c, "["))
		return expected(st, c, "'['");
	if (!at_reg(c)) {
		in.code = BPFVM_LD | BPFVM_ABS | size;
		if (k_imm32(st, c, &in.imm))
			return -1;
	} else {
		in.code = BPFVM_LD | BPFVM_IND | size;
		if (k_reg(st, c, &r))
			return -1;
		in.src = r.n;
		asm_skip_ws(c);
		at = c->p;
		if (asm_signed_num(c, &num) && !asm_num_imm32(&num, &in.imm))
			return asm_error(st, "Invalid immediate: %.*s",
					 (int)(c->p - at), at);
	}
	if (!bpfvm_opinfo[in.code].name)
		return asm_error(st, "Invalid access size: legacy packet loads "
				     "take u8, u16 or u32");
	if (!asm_lit(c, "]"))
		return expected(st, c, "']'");
	return finish(st, c, in);
}

/* `r0 = *(u32 *)(r1 + 8)`, `r0 = *(s8 *)(r1 - 1)`, after the '*' */
static int k_load(struct asm_state *st, struct asm_cur *c, struct kreg d,
		  struct asm_insn in)
{
	uint8_t size;
	bool sx;

	if (k_size(st, c, &size, &sx))
		return -1;
	if (!sx && asm_word_is(c, "skb"))
		return k_skb(st, c, d, size, in);
	if (k_addr(st, c, &in.src, &in.off))
		return -1;
	in.code = BPFVM_LDX | (sx ? BPFVM_MEMSX : BPFVM_MEM) | size;
	return finish(st, c, in);
}

/* `r0 = be16 r0`: the operand is the destination again. */
static int k_swap(struct asm_state *st, struct asm_cur *c,
		  const struct asm_variant *v, struct asm_insn in)
{
	in.code = v->code;
	in.imm = v->imm;
	if (k_same_reg(st, c, in.dst, "a byte swap works in place on"))
		return -1;
	return finish(st, c, in);
}

/* Whether w is base followed by suffix: "xchg" "_64". */
static bool name_is(const char *w, size_t n, const char *base,
		    const char *suffix)
{
	size_t b = strlen(base);

	return n >= b && !memcmp(w, base, b) &&
	       asm_span_is(w + b, n - b, suffix);
}

/*
 * `r1 = atomic_fetch_add((u64 *)(r10 - 8), r1)`, `r1 = xchg_64(r10 - 8,
 * r1)`, `w0 = cmpxchg32_32(r10 - 8, w0, w1)`, after the '('. The fetched
 * value lands in the source register, so the destination must be it too.
 */
static int k_atomic(struct asm_state *st, struct asm_cur *c, struct kreg d,
		    const struct asm_atomic *a, uint8_t size,
		    struct asm_insn in)
{
	struct kreg r;
	bool sx;

	in.code = BPFVM_STX | BPFVM_ATOMIC;
	in.imm = a->imm | BPFVM_FETCH;
	in.src = d.n;
	if (a->kern_op) {
		if (k_size(st, c, &size, &sx) || atomic_size(st, size, sx) ||
		    k_addr(st, c, &in.dst, &in.off))
			return -1;
	} else if (k_base_off(st, c, &in.dst, &in.off)) {
		return -1;
	}
	in.code |= size;
	if (!asm_lit(c, ","))
		return expected(st, c, "','");
	if (a->imm == BPFVM_CMPXCHG) {
		if (d.n != 0)
			return asm_error(
			    st, "Invalid register: %c%d (cmpxchg writes r0)",
			    d.w ? 'w' : 'r', d.n);
		if (k_same_reg(st, c, 0, "cmpxchg compares"))
			return -1;
		if (!asm_lit(c, ","))
			return expected(st, c, "','");
		if (k_reg(st, c, &r))
			return -1;
		in.src = r.n;
	} else if (k_same_reg(st, c, in.src, "the fetched value goes to")) {
		return -1;
	}
	if (!asm_lit(c, ")"))
		return expected(st, c, "')'");
	return finish(st, c, in);
}

/* The function-like names of atomics; NULL if w is none of them. */
static const struct asm_atomic *atomic_named(const char *w, size_t n,
					     uint8_t *size)
{
	for (size_t i = 0; i < bpfvm_asm_natomics; i++) {
		const struct asm_atomic *a = &bpfvm_asm_atomics[i];
		/* With a lock form the size is in a cast; else in the name. */
		if (a->kern_op && asm_span_is(w, n, a->kern_fn))
			return a;
		*size = BPFVM_DW;
		if (!a->kern_op && name_is(w, n, a->kern_fn, "_64"))
			return a;
		*size = BPFVM_W;
		if (!a->kern_op && name_is(w, n, a->kern_fn, "32_32"))
			return a;
	}
	return NULL;
}

/* `r0 = 1`, `r0 = 0x1122334455667788 ll` */
static int k_imm(struct asm_state *st, struct asm_cur *c, struct kreg d,
		 struct asm_insn in)
{
	struct asm_num num;
	const char *at;
	uint64_t imm;

	asm_skip_ws(c);
	at = c->p;
	if (!asm_num(c, true, &num))
		return expected(st, c, "a register or a number");
	if (!asm_word_is(c, "ll")) {
		in.code = (d.w ? BPFVM_ALU : BPFVM_ALU64) | BPFVM_MOV;
		if (!asm_num_imm32(&num, &in.imm))
			return asm_error(st, "Invalid immediate: %.*s",
					 (int)(c->p - at), at);
		return finish(st, c, in);
	}
	if (d.w)
		return asm_error(
		    st, "Invalid register: w%d (lddw loads a 64-bit register)",
		    d.n);
	if (!asm_num_imm64(&num, &imm))
		return asm_error(st, "Invalid immediate: %.*s",
				 (int)(c->p - at), at);
	if (!asm_at_end(c))
		return expected(st, c, "the end of the line");
	return asm_emit_lddw(st, d.n, imm);
}

/* Everything after `rN =`. */
static int k_rhs(struct asm_state *st, struct asm_cur *c, struct kreg d,
		 struct asm_insn in)
{
	uint8_t cls = d.w ? BPFVM_ALU : BPFVM_ALU64, size = 0;
	struct asm_cur save = *c;
	const struct asm_variant *v;
	const struct asm_atomic *a;
	const char *w;
	size_t n;

	if (asm_lit(c, "-") && at_reg(c)) { /* r0 = -r0 */
		struct asm_cur at = *c;
		in.code = cls | BPFVM_NEG;
		if (k_reg_as(st, &at, d.w, &in.src) ||
		    k_same_reg(st, c, d.n, "neg works in place on"))
			return -1;
		in.src = 0;
		return finish(st, c, in);
	}
	*c = save;
	if (asm_lit(c, "("))
		return k_movsx(st, c, d, in);
	if (asm_lit(c, "*"))
		return k_load(st, c, d, in);
	n = asm_word(c, &w);
	if (asm_reg_number(w, n, 0) >= 0) { /* r0 = r1 */
		*c = save;
		in.code = cls | BPFVM_MOV | BPFVM_X;
		if (k_reg_as(st, c, d.w, &in.src))
			return -1;
		return finish(st, c, in);
	}
	v = bpfvm_asm_variant_named(w, n, true);
	if (v && asm_variant_by_imm(v->code))
		return k_swap(st, c, v, in);
	a = atomic_named(w, n, &size);
	if (a) {
		if (!asm_lit(c, "("))
			return expected(st, c, "'('");
		return k_atomic(st, c, d, a, size, in);
	}
	*c = save;
	return k_imm(st, c, d, in);
}

/* `r0 += r1`, `w0 s/= 3`, `r0 = ...` */
static int k_assign(struct asm_state *st, struct asm_cur *c)
{
	struct asm_insn in = {0};
	struct kreg d;
	uint8_t cls;
	int op;

	if (k_reg(st, c, &d))
		return -1;
	in.dst = d.n;
	cls = d.w ? BPFVM_ALU : BPFVM_ALU64;
	for (size_t i = 0; i < bpfvm_asm_nvariants; i++) { /* s/=, s%= */
		const struct asm_variant *v = &bpfvm_asm_variants[i];
		if (!(v->flags & V_ANYSRC) || BPFVM_CLASS(v->code) != cls ||
		    !asm_lit(c, v->kern))
			continue;
		in.code = v->code;
		in.off = v->off;
		if (k_source(st, c, d.w, &in))
			return -1;
		return finish(st, c, in);
	}
	op = asm_op(c, bpfvm_kern_alu_ops, 16);
	if (op < 0)
		return expected(st, c, "an assignment operator");
	if (op == BPFVM_MOV >> 4)
		return k_rhs(st, c, d, in);
	in.code = (uint8_t)(cls | op << 4);
	if (k_source(st, c, d.w, &in))
		return -1;
	return finish(st, c, in);
}

int bpfvm_asm_kernel(struct asm_state *st, const char *p, const char *end)
{
	struct asm_cur c = {p, end};

	if (asm_word_is(&c, "if"))
		return k_if(st, &c);
	if (asm_word_is(&c, "gotol"))
		return k_goto(st, &c, BPFVM_OP_JA32);
	if (asm_word_is(&c, "goto"))
		return k_goto(st, &c, BPFVM_OP_JA);
	if (asm_word_is(&c, "lock"))
		return k_lock(st, &c);
	if (asm_lit(&c, "*"))
		return k_store(st, &c);
	return k_assign(st, &c);
}
