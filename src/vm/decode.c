/* SPDX-License-Identifier: MIT */
/*
 * Decoding checked bytecode into the interpreter's form: one operation per
 * behaviour, so no handler has to look at off or imm to know what to do.
 */
#include <stdlib.h>

#include "vm/vm_internal.h"

#define HOST_LE (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)

static uint16_t alu_op(const bpfvm_insn *in)
{
	uint8_t code = in->code, op = BPFVM_OP(code);
	bool wide = BPFVM_CLASS(code) == BPFVM_ALU64;
	bool x = BPFVM_SRC(code) == BPFVM_X;

	if ((op == BPFVM_DIV || op == BPFVM_MOD) && in->off == 1) {
		uint16_t base = op == BPFVM_DIV ? VOP_SDIV64_K : VOP_SMOD64_K;
		return base + (wide ? 0 : 2) + (x ? 1 : 0);
	}
	if (op == BPFVM_MOV && in->off) {
		if (wide)
			return in->off == 8	? VOP_MOVSX64_8
			       : in->off == 16	? VOP_MOVSX64_16
						: VOP_MOVSX64_32;
		return in->off == 8 ? VOP_MOVSX32_8 : VOP_MOVSX32_16;
	}
	if (op == BPFVM_END) {
		/* bswap (ALU64) always swaps; le/be swap when the host's
		 * order differs, else only truncate to the width. */
		bool swap = wide || (x == HOST_LE);
		if (in->imm == 16)
			return swap ? VOP_BSWAP16 : VOP_ZEXT16;
		if (in->imm == 32)
			return swap ? VOP_BSWAP32 : VOP_ZEXT32;
		return swap ? VOP_BSWAP64 : VOP_NOP64;
	}
	return code;
}

static uint16_t atomic_op(const bpfvm_insn *in)
{
	uint16_t base = BPFVM_SIZE(in->code) == BPFVM_DW ? VOP_ATOMIC64
							 : VOP_ATOMIC32;
	if (in->imm == BPFVM_XCHG)
		return base + 8;
	if (in->imm == BPFVM_CMPXCHG)
		return base + 9;
	uint16_t idx = (in->imm & BPFVM_FETCH) ? 4 : 0;
	switch (in->imm & ~BPFVM_FETCH) {
	case BPFVM_OR:
		return base + idx + 1;
	case BPFVM_AND:
		return base + idx + 2;
	case BPFVM_XOR:
		return base + idx + 3;
	}
	return base + idx; /* add */
}

/* Length of the function starting at pc: up to the next local-call target
 * or the end (functions are contiguous, bpfvm_check made sure). */
static int64_t function_length(const bpfvm_prog *prog, const bool *starts,
			       size_t pc)
{
	size_t end = pc + 1;

	while (end < prog->count && !starts[end])
		end++;
	return (int64_t)(end - pc);
}

int bpfvm_decode(bpfvm_prog *prog, bpfvm_error *err)
{
	bool *starts = calloc(prog->count, sizeof(*starts));

	if (!starts)
		return bpfvm_fail(err, -1, "out of memory");
	/* Functions start at 0 and at every local call or callback target. */
	starts[0] = true;
	for (size_t pc = 0; pc < prog->count; pc++) {
		const bpfvm_insn *in = &prog->insns[pc];
		if ((in->code == BPFVM_OP_CALL && in->src == BPFVM_CALL_LOCAL) ||
		    (in->code == BPFVM_OP_LDDW && in->src == BPFVM_PSEUDO_FUNC))
			starts[pc + in->imm + 1] = true;
	}
	for (size_t pc = 0; pc < prog->count; pc++) {
		const bpfvm_insn *in = &prog->insns[pc];
		struct vinsn *v = &prog->code[pc];
		uint8_t cls = BPFVM_CLASS(in->code);

		v->op = in->code;
		v->dst = in->dst;
		v->src = in->src;
		v->off = in->off;
		v->imm = in->imm;
		if (cls == BPFVM_ALU || cls == BPFVM_ALU64) {
			v->op = alu_op(in);
		} else if (in->code == BPFVM_OP_JA32) {
			v->op = BPFVM_OP_JA;
			v->off = in->imm;
		} else if (in->code == BPFVM_OP_CALL &&
			   in->src == BPFVM_CALL_LOCAL) {
			v->op = VOP_CALL_LOCAL;
			v->off = in->imm;
			v->imm = function_length(prog, starts, pc + in->imm + 1);
		} else if (in->code == BPFVM_OP_LDDW) {
			v->imm = (int64_t)((uint64_t)(uint32_t)in->imm |
				((uint64_t)(uint32_t)in[1].imm << 32));
			prog->code[++pc].op = VOP_INVALID;
		} else if (cls == BPFVM_STX &&
			   BPFVM_MODE(in->code) == BPFVM_ATOMIC) {
			v->op = atomic_op(in);
		}
	}
	prog->main_length = function_length(prog, starts, 0);
	prog->func_start = starts;
	return 0;
}
