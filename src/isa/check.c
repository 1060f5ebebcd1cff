/* SPDX-License-Identifier: MIT */
/*
 * Load-time structural checks: what the kernel refuses before (or in the
 * first passes of) verification, and what an interpreter needs to hold
 * before it can run a program at all. Messages use the kernel's words
 * where it has words for the rule.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bpfvm/isa.h"
#include "isa/opcodes.h"

#define ALL_REGS ((1u << BPFVM_NREGS) - 1)
#define ARG_REGS 0x3eu /* r1-r5: clobbered by calls */

struct checker {
	const bpfvm_insn *insns;
	int n;
	bpfvm_error *err;
	bool *lddw_tail; /* slot is the second half of an lddw */
	bool *func_start; /* slot begins a function (main or call target) */
	int *func_of; /* index of the function a slot belongs to */
	int *func_pc; /* first slot of each function */
	int nfuncs;
};

static bool is_alu(uint8_t code)
{
	return BPFVM_CLASS(code) == BPFVM_ALU ||
	       BPFVM_CLASS(code) == BPFVM_ALU64;
}

static bool is_jmp(uint8_t code)
{
	return BPFVM_CLASS(code) == BPFVM_JMP ||
	       BPFVM_CLASS(code) == BPFVM_JMP32;
}

static bool is_local_call(const bpfvm_insn *in)
{
	return in->code == BPFVM_OP_CALL && in->src == BPFVM_CALL_LOCAL;
}

/* lddw of a function's address (a callback for bpf_loop and friends). */
static bool is_func_ref(const bpfvm_insn *in)
{
	return in->code == BPFVM_OP_LDDW && in->src == BPFVM_PSEUDO_FUNC;
}

static bool is_cond_jump(uint8_t code)
{
	uint8_t op = BPFVM_OP(code);
	return is_jmp(code) && op != BPFVM_JA && op != BPFVM_CALL &&
	       op != BPFVM_EXIT;
}

/* Target slot of a jump or local call at pc (may be out of range). */
static long target_of(const bpfvm_insn *in, int pc)
{
	if (in->code == BPFVM_OP_JA32 || is_local_call(in) || is_func_ref(in))
		return (long)pc + in->imm + 1;
	return (long)pc + in->off + 1;
}

static bool valid_atomic_op(int32_t imm)
{
	switch (imm & ~BPFVM_FETCH) {
	case BPFVM_ADD:
	case BPFVM_OR:
	case BPFVM_AND:
	case BPFVM_XOR:
		return true;
	}
	return imm == BPFVM_XCHG || imm == BPFVM_CMPXCHG;
}

/* The values of variant-selecting fields (see opcodes.h). */
static int check_variant(const bpfvm_insn *in, int pc, bpfvm_error *err)
{
	uint8_t code = in->code, op = BPFVM_OP(code);

	if (is_alu(code) && (op == BPFVM_DIV || op == BPFVM_MOD)) {
		if (in->off != 0 && in->off != 1)
			return bpfvm_fail(err, pc, "invalid offset %d for %s "
				"(0: unsigned, 1: signed)", in->off,
				bpfvm_opinfo[code].name);
	} else if (is_alu(code) && op == BPFVM_MOV) {
		bool x = BPFVM_SRC(code) == BPFVM_X;
		bool wide = BPFVM_CLASS(code) == BPFVM_ALU64;
		if (in->off != 0 &&
		    !(x && (in->off == 8 || in->off == 16 ||
			    (wide && in->off == 32))))
			return bpfvm_fail(err, pc, "invalid offset %d for %s "
				"(movsx takes 8, 16%s from a register)",
				in->off, bpfvm_opinfo[code].name,
				wide ? " or 32" : "");
	} else if (is_alu(code) && op == BPFVM_END) {
		if (in->imm != 16 && in->imm != 32 && in->imm != 64)
			return bpfvm_fail(err, pc, "invalid width %d for byte "
				"swap (16, 32 or 64)", in->imm);
	} else if (code == BPFVM_OP_CALL) {
		if (in->src == BPFVM_CALL_KFUNC)
			return bpfvm_fail(err, pc, "kernel function calls "
				"(call src=2, BTF id %d) are not supported",
				in->imm);
		if (in->src != BPFVM_CALL_HELPER && in->src != BPFVM_CALL_LOCAL)
			return bpfvm_fail(err, pc, "invalid call source %d",
					  in->src);
	} else if (code == BPFVM_OP_LDDW) {
		if (in->src > BPFVM_PSEUDO_MAP_IDX_VALUE)
			return bpfvm_fail(err, pc, "invalid lddw source %d",
					  in->src);
		if (in->src == BPFVM_PSEUDO_BTF_ID ||
		    in->src == BPFVM_PSEUDO_MAP_IDX ||
		    in->src == BPFVM_PSEUDO_MAP_IDX_VALUE)
			return bpfvm_fail(err, pc, "lddw with pseudo source %d "
				"(%s) must be resolved by the loader before "
				"the program is loaded", in->src,
				in->src == BPFVM_PSEUDO_BTF_ID ? "kernel BTF id"
							       : "map index");
	} else if (BPFVM_CLASS(code) == BPFVM_STX &&
		   BPFVM_MODE(code) == BPFVM_ATOMIC) {
		if (!valid_atomic_op(in->imm))
			return bpfvm_fail(err, pc, "invalid atomic operation "
				"0x%x", (unsigned)in->imm);
	}
	return 0;
}

static int check_fields(const bpfvm_insn *in, int pc, bpfvm_error *err)
{
	const struct opinfo *oi = &bpfvm_opinfo[in->code];
	uint8_t code = in->code;

	if (!oi->name)
		return bpfvm_fail(err, pc, "unknown opcode 0x%02x", code);
	if (!(oi->fields & F_DST) && in->dst)
		return bpfvm_fail(err, pc, "%s does not use dst, which must "
			"be 0 (is %d)", oi->name, in->dst);
	if (!(oi->fields & F_SRC) && in->src)
		return bpfvm_fail(err, pc, "%s does not use src, which must "
			"be 0 (is %d)", oi->name, in->src);
	if (!(oi->fields & F_OFF) && in->off)
		return bpfvm_fail(err, pc, "%s does not use off, which must "
			"be 0 (is %d)", oi->name, in->off);
	if (!(oi->fields & F_IMM) && in->imm)
		return bpfvm_fail(err, pc, "%s does not use imm, which must "
			"be 0 (is %d)", oi->name, in->imm);
	if (in->dst >= BPFVM_NREGS)
		return bpfvm_fail(err, pc, "invalid register r%d", in->dst);
	/* src is a register unless it selects a call or lddw variant. */
	if (code != BPFVM_OP_CALL && code != BPFVM_OP_LDDW &&
	    in->src >= BPFVM_NREGS)
		return bpfvm_fail(err, pc, "invalid register r%d", in->src);
	return check_variant(in, pc, err);
}

/* Registers an instruction reads and writes; calls clobber r1-r5. */
static void reg_effects(const bpfvm_insn *in, unsigned *reads,
			unsigned *writes, unsigned *clobbers)
{
	uint8_t code = in->code, cls = BPFVM_CLASS(code);
	unsigned d = BPFVM_REG(in->dst), s = BPFVM_REG(in->src);

	*reads = *writes = *clobbers = 0;
	switch (cls) {
	case BPFVM_ALU:
	case BPFVM_ALU64:
		*writes = d;
		if (BPFVM_OP(code) != BPFVM_MOV)
			*reads |= d;
		if (BPFVM_SRC(code) == BPFVM_X && BPFVM_OP(code) != BPFVM_END)
			*reads |= s;
		break;
	case BPFVM_JMP:
	case BPFVM_JMP32:
		if (code == BPFVM_OP_CALL) {
			*writes = BPFVM_REG(0);
			*clobbers = ARG_REGS;
		} else if (code == BPFVM_OP_CALLX) {
			*reads = d;
			*writes = BPFVM_REG(0);
			*clobbers = ARG_REGS;
		} else if (code == BPFVM_OP_EXIT) {
			*reads = BPFVM_REG(0);
		} else if (is_cond_jump(code)) {
			*reads = d | (BPFVM_SRC(code) == BPFVM_X ? s : 0);
		}
		break;
	case BPFVM_LD:
		if (code == BPFVM_OP_LDDW) {
			*writes = d;
		} else { /* legacy packet load: r0 = pkt[...]; a call */
			*reads = BPFVM_MODE(code) == BPFVM_IND ? s : 0;
			*writes = BPFVM_REG(0);
			*clobbers = ARG_REGS;
		}
		break;
	case BPFVM_LDX:
		*reads = s;
		*writes = d;
		break;
	case BPFVM_ST:
		*reads = d;
		break;
	case BPFVM_STX:
		*reads = d | s;
		if (BPFVM_MODE(code) == BPFVM_ATOMIC) {
			if (in->imm == BPFVM_CMPXCHG) {
				*reads |= BPFVM_REG(0);
				*writes = BPFVM_REG(0);
			} else if (in->imm & BPFVM_FETCH) {
				*writes = s;
			}
		}
		break;
	}
}

/* Pass 1: every slot on its own. */
static int check_slots(struct checker *c)
{
	for (int pc = 0; pc < c->n; pc++) {
		const bpfvm_insn *in = &c->insns[pc];
		unsigned r, w, k;

		if (check_fields(in, pc, c->err))
			return -1;
		reg_effects(in, &r, &w, &k);
		if (w & BPFVM_REG(10))
			return bpfvm_fail(c->err, pc,
				"frame pointer is read only (r10 written)");
		if (in->code != BPFVM_OP_LDDW)
			continue;
		if (pc + 1 >= c->n)
			return bpfvm_fail(c->err, pc,
				"lddw is missing its second slot");
		const bpfvm_insn *hi = &c->insns[pc + 1];
		if (hi->code || hi->dst || hi->src || hi->off)
			return bpfvm_fail(c->err, pc + 1, "invalid second slot "
				"of lddw: only imm may be set");
		if (hi->imm && (in->src == BPFVM_PSEUDO_MAP_FD ||
				in->src == BPFVM_PSEUDO_FUNC))
			return bpfvm_fail(c->err, pc, "unrecognized bpf_ld_imm64 "
				"insn: the second imm of a map or function "
				"reference must be 0");
		c->lddw_tail[++pc] = true;
	}
	return 0;
}

static int check_target(struct checker *c, int pc, long t)
{
	if (t < 0 || t >= c->n)
		return bpfvm_fail(c->err, pc, "jump out of range from insn %d "
			"to %ld", pc, t);
	if (c->lddw_tail[t])
		return bpfvm_fail(c->err, pc, "jump into the middle of lddw "
			"at insn %ld", t - 1);
	return 0;
}

/* Pass 2: find functions, then keep every jump inside its function and
 * make each function end in exit or an unconditional jump. */
static int check_functions(struct checker *c)
{
	c->func_start[0] = true;
	for (int pc = 0; pc < c->n; pc++) {
		const bpfvm_insn *in = &c->insns[pc];
		if (!is_local_call(in) && !is_func_ref(in))
			continue;
		long t = target_of(in, pc);
		if (check_target(c, pc, t))
			return -1;
		c->func_start[t] = true;
	}
	for (int pc = 0; pc < c->n; pc++) {
		if (c->func_start[pc])
			c->func_pc[c->nfuncs++] = pc;
		c->func_of[pc] = c->nfuncs - 1;
	}
	for (int f = 0; f < c->nfuncs; f++) {
		int end = f + 1 < c->nfuncs ? c->func_pc[f + 1] : c->n;
		int last = end - 1;
		uint8_t code = c->insns[last].code;
		if (c->lddw_tail[last])
			code = c->insns[--last].code;
		if (code != BPFVM_OP_EXIT && code != BPFVM_OP_JA &&
		    code != BPFVM_OP_JA32)
			return bpfvm_fail(c->err, last, "last insn is not an "
				"exit or jmp: control falls off the end of "
				"the %s", f ? "function" : "program");
	}
	for (int pc = 0; pc < c->n; pc++) {
		const bpfvm_insn *in = &c->insns[pc];
		if (c->lddw_tail[pc] || !is_jmp(in->code) || is_local_call(in))
			continue;
		uint8_t op = BPFVM_OP(in->code);
		if (op == BPFVM_CALL || op == BPFVM_EXIT)
			continue;
		long t = target_of(in, pc);
		if (check_target(c, pc, t))
			return -1;
		if (c->func_of[t] != c->func_of[pc])
			return bpfvm_fail(c->err, pc, "jump out of range from "
				"insn %d to %ld: outside its function", pc, t);
	}
	return 0;
}

/* Depth in frames of the deepest call chain from function f; -1 on a
 * cycle or a chain deeper than BPFVM_MAX_FRAMES (err filled). */
static int call_depth(struct checker *c, int f, int *depth, uint8_t *state)
{
	if (state[f] == 2)
		return depth[f];
	state[f] = 1;
	int end = f + 1 < c->nfuncs ? c->func_pc[f + 1] : c->n, best = 1;
	for (int pc = c->func_pc[f]; pc < end; pc++) {
		const bpfvm_insn *in = &c->insns[pc];
		/* A callback runs in a frame of its own too. */
		if (!is_local_call(in) && !is_func_ref(in))
			continue;
		int g = c->func_of[target_of(in, pc)];
		if (state[g] == 1)
			return bpfvm_fail(c->err, pc, "recursive call from "
				"insn %d to the function at insn %d", pc,
				c->func_pc[g]);
		int d = call_depth(c, g, depth, state);
		if (d < 0)
			return -1;
		if (d + 1 > BPFVM_MAX_FRAMES)
			return bpfvm_fail(c->err, pc, "the call stack of %d "
				"frames is too deep (max %d)", d + 1,
				BPFVM_MAX_FRAMES);
		if (d + 1 > best)
			best = d + 1;
	}
	state[f] = 2;
	return depth[f] = best;
}

static int check_calls(struct checker *c)
{
	int *depth = calloc((size_t)c->nfuncs, sizeof(*depth));
	uint8_t *state = calloc((size_t)c->nfuncs, 1);
	int rc = 0;

	if (!depth || !state)
		rc = bpfvm_fail(c->err, -1, "out of memory");
	/* Every function: recursion is refused even where main never calls. */
	for (int f = 0; f < c->nfuncs && !rc; f++)
		rc = call_depth(c, f, depth, state) < 0 ? -1 : 0;
	free(depth);
	free(state);
	return rc;
}

/*
 * Pass 3: a forward must-be-written analysis over the control-flow graph.
 * in[pc] is the set of registers written on every path to pc; a read of a
 * register outside it is refused, as the kernel refuses "R%d !read_ok".
 */
static int check_init(struct checker *c, unsigned entry_regs)
{
	uint16_t *in = malloc((size_t)c->n * sizeof(*in));
	int *work = malloc((size_t)c->n * sizeof(*work));
	bool *queued = calloc((size_t)c->n, sizeof(*queued));
	bool *seen = calloc((size_t)c->n, sizeof(*seen));
	int top = 0, rc = 0;

	if (!in || !work || !queued || !seen) {
		rc = bpfvm_fail(c->err, -1, "out of memory");
		goto out;
	}
	for (int f = c->nfuncs - 1; f >= 0; f--) {
		int pc = c->func_pc[f];
		in[pc] = f ? (ARG_REGS | BPFVM_REG(10))
			   : ((entry_regs & ALL_REGS) | BPFVM_REG(10));
		work[top++] = pc;
		queued[pc] = seen[pc] = true;
	}
	while (top > 0) {
		int pc = work[--top];
		const bpfvm_insn *insn = &c->insns[pc];
		unsigned r, w, k, missing;
		long succ[2];
		int nsucc = 0;

		queued[pc] = false;
		reg_effects(insn, &r, &w, &k);
		missing = r & ~(unsigned)in[pc];
		if (missing) {
			int reg = __builtin_ctz(missing);
			rc = bpfvm_fail(c->err, pc, "Invalid read of r%d: it is "
				"not written on every path to here (R%d "
				"!read_ok)", reg, reg);
			goto out;
		}
		unsigned outset = ((in[pc] & ~k) | w) & ALL_REGS;
		uint8_t op = BPFVM_OP(insn->code);
		if (insn->code == BPFVM_OP_EXIT)
			nsucc = 0;
		else if (insn->code == BPFVM_OP_JA ||
			 insn->code == BPFVM_OP_JA32)
			succ[nsucc++] = target_of(insn, pc);
		else {
			succ[nsucc++] = pc + (insn->code == BPFVM_OP_LDDW ? 2 : 1);
			if (is_jmp(insn->code) && op != BPFVM_CALL)
				succ[nsucc++] = target_of(insn, pc);
		}
		for (int i = 0; i < nsucc; i++) {
			int s = (int)succ[i];
			unsigned meet = seen[s] ? in[s] & outset : outset;
			if (seen[s] && meet == in[s])
				continue;
			seen[s] = true;
			in[s] = (uint16_t)meet;
			if (!queued[s]) {
				queued[s] = true;
				work[top++] = s;
			}
		}
	}
out:
	free(in);
	free(work);
	free(queued);
	free(seen);
	return rc;
}

int bpfvm_check(const bpfvm_insn *insns, size_t count, unsigned entry_regs,
		bpfvm_error *err)
{
	struct checker c = { .insns = insns, .err = err };
	int rc = -1;

	if (count == 0)
		return bpfvm_fail(err, -1, "empty program: no instructions");
	if (count > BPFVM_MAX_INSNS)
		return bpfvm_fail(err, -1, "program too large: %zu "
			"instructions (max %d)", count, BPFVM_MAX_INSNS);
	c.n = (int)count;
	c.lddw_tail = calloc(count, sizeof(bool));
	c.func_start = calloc(count, sizeof(bool));
	c.func_of = calloc(count, sizeof(int));
	c.func_pc = calloc(count, sizeof(int));
	if (!c.lddw_tail || !c.func_start || !c.func_of || !c.func_pc)
		bpfvm_fail(err, -1, "out of memory");
	else if (!check_slots(&c) && !check_functions(&c) && !check_calls(&c))
		rc = check_init(&c, entry_regs);
	free(c.lddw_tail);
	free(c.func_start);
	free(c.func_of);
	free(c.func_pc);
	return rc;
}
