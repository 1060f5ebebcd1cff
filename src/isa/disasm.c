/* SPDX-License-Identifier: MIT */
/*
 * The disassembler: one line of text an instruction, in either syntax,
 * written so that the assembler reads it back to the identical bytes.
 * Encodings without a text form print as `.insn 0x...`.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/asm.h"
#include "isa/asm_internal.h"
#include "isa/opcodes.h"

/* A bounded string: output past cap is dropped, the text stays NUL-ended. */
struct out {
	char *buf;
	size_t cap;
	size_t len;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < o->cap - o->len ? (size_t)n
						      : o->cap - o->len - 1;
}

/* The instruction to print and what surrounds it. */
struct ctx {
	const bpfvm_insn *insns;
	size_t count;
	size_t pc;
	const bool *labels; /* labels[t]: slot t has a `L<t>:` line; or NULL */
	bool kern;	    /* kernel syntax, else conformance */
};

/* Small and negative values in decimal, large ones as hex bit patterns
 * (which both syntaxes read back as the same 32 bits). */
static void put_imm(struct out *o, int32_t imm)
{
	if (imm >= 0x10000)
		put(o, "0x%" PRIx32, (uint32_t)imm);
	else
		put(o, "%" PRId32, imm);
}

/* A jump target: its label if it has one, else the offset ("+3", "pc-2"). */
static void put_target(struct out *o, const struct ctx *x, int32_t rel,
		       const char *prefix)
{
	int64_t t = (int64_t)x->pc + rel + 1;

	if (x->labels && t >= 0 && (uint64_t)t <= x->count && x->labels[t])
		put(o, "L%" PRId64, t);
	else
		put(o, "%s%+" PRId32, prefix, rel);
}

static uint64_t lddw_imm(const bpfvm_insn *in)
{
	return (uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;
}

/* The offset of a jump or local call, or false if in is neither. */
static bool jump_rel(const bpfvm_insn *in, int32_t *rel)
{
	uint8_t cls = BPFVM_CLASS(in->code), op = BPFVM_OP(in->code);

	if (in->code == BPFVM_OP_JA32 ||
	    (in->code == BPFVM_OP_CALL && in->src == BPFVM_CALL_LOCAL)) {
		*rel = in->imm;
		return true;
	}
	*rel = in->off;
	return (cls == BPFVM_JMP || cls == BPFVM_JMP32) && op != BPFVM_CALL &&
	       op != BPFVM_EXIT;
}

/* ---- conformance syntax ---- */

static void conf_mem(struct out *o, uint8_t reg, int16_t off)
{
	if (off)
		put(o, "[%%r%d%+d]", reg, off);
	else
		put(o, "[%%r%d]", reg);
}

static void conf_src(struct out *o, const bpfvm_insn *in)
{
	if (BPFVM_SRC(in->code) == BPFVM_X)
		put(o, "%%r%d", in->src);
	else
		put_imm(o, in->imm);
}

static void conf_alu(struct out *o, const bpfvm_insn *in)
{
	const struct asm_variant *v = bpfvm_asm_variant_of(in);
	const char *name = v ? v->name : bpfvm_opinfo[in->code].name;

	put(o, "%s %%r%d", name, in->dst);
	if (BPFVM_OP(in->code) == BPFVM_NEG || asm_variant_by_imm(in->code))
		return;
	put(o, ", ");
	if (v && !(v->flags & V_ANYSRC)) /* movsx */
		put(o, "%%r%d", in->src);
	else
		conf_src(o, in);
}

static void conf_jmp(struct out *o, const struct ctx *x, const bpfvm_insn *in)
{
	const char *name = bpfvm_opinfo[in->code].name;
	int32_t rel;

	if (in->code == BPFVM_OP_EXIT) {
		put(o, "exit");
	} else if (in->code == BPFVM_OP_CALLX) {
		put(o, "call %%r%d", in->dst);
	} else if (in->code == BPFVM_OP_CALL && in->src == BPFVM_CALL_HELPER) {
		put(o, "call %" PRId32, in->imm);
	} else if (in->code == BPFVM_OP_CALL) {
		put(o, "call local ");
		put_target(o, x, in->imm, "");
	} else if (jump_rel(in, &rel) && BPFVM_OP(in->code) == BPFVM_JA) {
		put(o, "%s ", name);
		put_target(o, x, rel, "");
	} else {
		put(o, "%s %%r%d, ", name, in->dst);
		conf_src(o, in);
		put(o, ", ");
		put_target(o, x, rel, "");
	}
}

static void conf_atomic(struct out *o, const bpfvm_insn *in)
{
	const struct asm_atomic *a = bpfvm_asm_atomic_of(in->imm);
	bool fetch = in->imm != a->imm; /* the bit beyond the operation */

	put(o, "lock %s%s%s ", fetch ? "fetch " : "", a->name,
	    BPFVM_SIZE(in->code) == BPFVM_W ? "32" : "");
	conf_mem(o, in->dst, in->off);
	put(o, ", %%r%d", in->src);
}

static void conf_insn(struct out *o, const struct ctx *x)
{
	const bpfvm_insn *in = &x->insns[x->pc];
	const char *name = bpfvm_opinfo[in->code].name;

	switch (BPFVM_CLASS(in->code)) {
	case BPFVM_ALU:
	case BPFVM_ALU64:
		conf_alu(o, in);
		break;
	case BPFVM_JMP:
	case BPFVM_JMP32:
		conf_jmp(o, x, in);
		break;
	case BPFVM_LD:
		if (in->code == BPFVM_OP_LDDW) {
			put(o, "lddw %%r%d, 0x%" PRIx64, in->dst, lddw_imm(in));
			break;
		}
		put(o, "%s ", name);
		if (BPFVM_MODE(in->code) == BPFVM_IND)
			put(o, "%%r%d, ", in->src);
		put_imm(o, in->imm);
		break;
	case BPFVM_LDX:
		put(o, "%s %%r%d, ", name, in->dst);
		conf_mem(o, in->src, in->off);
		break;
	case BPFVM_ST:
		put(o, "%s ", name);
		conf_mem(o, in->dst, in->off);
		put(o, ", ");
		put_imm(o, in->imm);
		break;
	case BPFVM_STX:
		if (BPFVM_MODE(in->code) == BPFVM_ATOMIC) {
			conf_atomic(o, in);
			break;
		}
		put(o, "%s ", name);
		conf_mem(o, in->dst, in->off);
		put(o, ", %%r%d", in->src);
		break;
	}
}

/* ---- kernel syntax ---- */

static char wreg(uint8_t code)
{
	uint8_t cls = BPFVM_CLASS(code);

	return cls == BPFVM_ALU || cls == BPFVM_JMP32 ? 'w' : 'r';
}

/* "(r10 - 8)", never "(r10 + -8)" */
static void kern_addr(struct out *o, uint8_t reg, int16_t off)
{
	put(o, "r%d %c %d", reg, off < 0 ? '-' : '+', off < 0 ? -off : off);
}

static void kern_size(struct out *o, uint8_t code)
{
	bool sx = BPFVM_MODE(code) == BPFVM_MEMSX;

	put(o, "(%s *)",
	    (sx ? bpfvm_kern_ssize : bpfvm_kern_usize)[BPFVM_SIZE(code) >> 3]);
}

static void kern_src(struct out *o, const bpfvm_insn *in)
{
	if (BPFVM_SRC(in->code) == BPFVM_X)
		put(o, "%c%d", wreg(in->code), in->src);
	else
		put_imm(o, in->imm);
}

static void kern_alu(struct out *o, const bpfvm_insn *in)
{
	const struct asm_variant *v = bpfvm_asm_variant_of(in);
	char w = wreg(in->code);
	uint8_t d = in->dst;

	if (BPFVM_OP(in->code) == BPFVM_NEG) {
		put(o, "%c%d = -%c%d", w, d, w, d);
	} else if (v && asm_variant_by_imm(in->code)) {
		put(o, "r%d = %s r%d", d, v->kern, d);
	} else if (v && !(v->flags & V_ANYSRC)) {
		put(o, "%c%d = %s%c%d", w, d, v->kern, w, in->src);
	} else {
		put(o, "%c%d %s ", w, d,
		    v ? v->kern : bpfvm_kern_alu_ops[BPFVM_OP(in->code) >> 4]);
		kern_src(o, in);
	}
}

static void kern_jmp(struct out *o, const struct ctx *x, const bpfvm_insn *in)
{
	int32_t rel;

	if (in->code == BPFVM_OP_EXIT) {
		put(o, "exit");
	} else if (in->code == BPFVM_OP_CALLX) {
		put(o, "callx r%d", in->dst);
	} else if (in->code == BPFVM_OP_CALL && in->src == BPFVM_CALL_HELPER) {
		put(o, "call %" PRId32, in->imm);
	} else if (in->code == BPFVM_OP_CALL) {
		put(o, "call ");
		put_target(o, x, in->imm, "pc");
	} else if (jump_rel(in, &rel) && BPFVM_OP(in->code) == BPFVM_JA) {
		put(o, in->code == BPFVM_OP_JA32 ? "gotol " : "goto ");
		put_target(o, x, rel, "");
	} else {
		put(o, "if %c%d %s ", wreg(in->code), in->dst,
		    bpfvm_kern_jmp_ops[BPFVM_OP(in->code) >> 4]);
		kern_src(o, in);
		put(o, " goto ");
		put_target(o, x, rel, "");
	}
}

static void kern_atomic(struct out *o, const bpfvm_insn *in)
{
	const struct asm_atomic *a = bpfvm_asm_atomic_of(in->imm);
	bool w32 = BPFVM_SIZE(in->code) == BPFVM_W;
	char w = w32 ? 'w' : 'r';

	if (in->imm == a->imm && a->kern_op) { /* no fetch */
		put(o, "lock *");
		kern_size(o, in->code);
		put(o, "(");
		kern_addr(o, in->dst, in->off);
		put(o, ") %s %c%d", a->kern_op, w, in->src);
	} else if (a->kern_op) {
		put(o, "%c%d = %s(", w, in->src, a->kern_fn);
		kern_size(o, in->code);
		put(o, "(");
		kern_addr(o, in->dst, in->off);
		put(o, "), %c%d)", w, in->src);
	} else {
		put(o, "%c%d = %s%s(", w, a->imm == BPFVM_CMPXCHG ? 0 : in->src,
		    a->kern_fn, w32 ? "32_32" : "_64");
		kern_addr(o, in->dst, in->off);
		if (a->imm == BPFVM_CMPXCHG)
			put(o, ", %c0", w);
		put(o, ", %c%d)", w, in->src);
	}
}

static void kern_ld(struct out *o, const bpfvm_insn *in)
{
	if (in->code == BPFVM_OP_LDDW) {
		put(o, "r%d = 0x%" PRIx64 " ll", in->dst, lddw_imm(in));
		return;
	}
	put(o, "r0 = *");
	kern_size(o, in->code);
	put(o, "skb[");
	if (BPFVM_MODE(in->code) == BPFVM_IND) {
		/* The sign goes outside: "r1 - 4", down to INT32_MIN. */
		int64_t imm = in->imm;
		put(o, "r%d %c %" PRId64, in->src, imm < 0 ? '-' : '+',
		    imm < 0 ? -imm : imm);
	} else {
		put_imm(o, in->imm);
	}
	put(o, "]");
}

static void kern_insn(struct out *o, const struct ctx *x)
{
	const bpfvm_insn *in = &x->insns[x->pc];

	switch (BPFVM_CLASS(in->code)) {
	case BPFVM_ALU:
	case BPFVM_ALU64:
		kern_alu(o, in);
		break;
	case BPFVM_JMP:
	case BPFVM_JMP32:
		kern_jmp(o, x, in);
		break;
	case BPFVM_LD:
		kern_ld(o, in);
		break;
	case BPFVM_LDX:
		put(o, "r%d = *", in->dst);
		kern_size(o, in->code);
		put(o, "(");
		kern_addr(o, in->src, in->off);
		put(o, ")");
		break;
	case BPFVM_ST:
	case BPFVM_STX:
		if (BPFVM_MODE(in->code) == BPFVM_ATOMIC) {
			kern_atomic(o, in);
			break;
		}
		put(o, "*");
		kern_size(o, in->code);
		put(o, "(");
		kern_addr(o, in->dst, in->off);
		put(o, ") = ");
		if (BPFVM_CLASS(in->code) == BPFVM_STX)
			put(o, "r%d", in->src);
		else
			put_imm(o, in->imm);
		break;
	}
}

/* ---- entry points ---- */

/* The raw slot: bits 0-7 code, 8-11 dst, 12-15 src, 16-31 off, 32-63 imm */
static void put_raw(struct out *o, const bpfvm_insn *in)
{
	uint64_t v = in->code | (uint64_t)in->dst << 8 |
		     (uint64_t)in->src << 12 |
		     (uint64_t)(uint16_t)in->off << 16 |
		     (uint64_t)(uint32_t)in->imm << 32;

	put(o, ".insn 0x%016" PRIx64, v);
}

static int disasm_one(const struct ctx *x, char *buf, size_t buflen)
{
	struct out o = {buf, buflen, 0};
	int width = 1;

	if (buflen)
		buf[0] = '\0';
	if (x->pc >= x->count)
		return 0;
	if (!bpfvm_asm_printable(x->insns, x->count, x->pc, &width))
		put_raw(&o, &x->insns[x->pc]);
	else if (x->kern)
		kern_insn(&o, x);
	else
		conf_insn(&o, x);
	return width;
}

int bpfvm_disasm_insn(const bpfvm_insn *insns, size_t count, size_t pc,
		      bpfvm_syntax syntax, char *buf, size_t buflen)
{
	struct ctx x = {insns, count, pc, NULL, syntax == BPFVM_SYNTAX_KERNEL};

	return disasm_one(&x, buf, buflen);
}

/*
 * labels[t] for every jump target t that starts a line (never the second
 * slot of lddw, which is not one); t == count, the end, may have one too.
 * NULL when out of memory: the jumps then print offsets.
 */
static bool *find_labels(const bpfvm_insn *insns, size_t count)
{
	bool *starts = calloc(count + 1, sizeof(bool));
	bool *labels = calloc(count + 1, sizeof(bool));
	int width;
	int32_t rel;

	if (!starts || !labels) {
		free(starts);
		free(labels);
		return NULL;
	}
	for (size_t pc = 0; pc < count; pc += (size_t)width) {
		starts[pc] = true;
		bpfvm_asm_printable(insns, count, pc, &width);
	}
	starts[count] = true;
	for (size_t pc = 0; pc < count; pc += (size_t)width) {
		if (!bpfvm_asm_printable(insns, count, pc, &width) ||
		    !jump_rel(&insns[pc], &rel))
			continue;
		int64_t t = (int64_t)pc + rel + 1;
		if (t >= 0 && (uint64_t)t <= count && starts[t])
			labels[t] = true;
	}
	free(starts);
	return labels;
}

void bpfvm_disasm(FILE *out, const bpfvm_insn *insns, size_t count,
		  bpfvm_syntax syntax, int labels, int show_pc)
{
	struct ctx x = {insns, count, 0, NULL, syntax == BPFVM_SYNTAX_KERNEL};
	bool *lab = labels ? find_labels(insns, count) : NULL;
	char line[160];
	int width;

	x.labels = lab;
	for (x.pc = 0; x.pc < count; x.pc += (size_t)width) {
		if (lab && lab[x.pc])
			fprintf(out, "L%zu:\n", x.pc);
		width = disasm_one(&x, line, sizeof(line));
		if (show_pc)
			fprintf(out, "%4zu: %s\n", x.pc, line);
		else
			fprintf(out, "%s\n", line);
	}
	if (lab && lab[count])
		fprintf(out, "L%zu:\n", count);
	free(lab);
}
