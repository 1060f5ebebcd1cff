/* SPDX-License-Identifier: MIT */
/*
 * Decoding checked bytecode into the interpreter's form: one operation per
 * behaviour, so no handler has to look at off or imm to know what to do.
 *
 * Then fusion: a few sequences clang emits everywhere (a copy before a
 * two-operand ALU operation, a rotate, an array element, a loop's latch)
 * become one operation each, so the interpreter dispatches once where it
 * would have dispatched up to five times. The fused code does exactly
 * what the sequence does, in order; a fault inside it reports the index
 * of the instruction that faulted, and the budget is charged as by the
 * single instructions. A sequence is fused only where control cannot
 * enter it past its first instruction.
 */
#include <stdlib.h>

#include "vm/vm_internal.h"

#define HOST_LE (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)

#define A64(op, s) (BPFVM_ALU64 | BPFVM_##op | BPFVM_##s)
#define A32(op, s) (BPFVM_ALU | BPFVM_##op | BPFVM_##s)

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
			return in->off == 8    ? VOP_MOVSX64_8
			       : in->off == 16 ? VOP_MOVSX64_16
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
	uint16_t base =
		BPFVM_SIZE(in->code) == BPFVM_DW ? VOP_ATOMIC64 : VOP_ATOMIC32;
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

/* A jump: ja, ja32 or conditional (an opcode, or an operation). */
static bool is_jump(uint16_t code)
{
	uint8_t cls = BPFVM_CLASS(code), op = BPFVM_OP(code);

	return code < 256 && (cls == BPFVM_JMP || cls == BPFVM_JMP32) &&
	       op != BPFVM_CALL && op != BPFVM_EXIT;
}

/* A load or store at r10 + off that stays inside the frame r10 points to,
 * which is live stack whatever the program does. */
static bool frame_access(const bpfvm_insn *in)
{
	static const int bytes[4] = { 4, 2, 1, 8 }; /* W H B DW */
	uint8_t cls = BPFVM_CLASS(in->code);
	int base = cls == BPFVM_LDX ? in->src : in->dst;

	return (cls == BPFVM_LDX || cls == BPFVM_ST || cls == BPFVM_STX) &&
	       BPFVM_MODE(in->code) == BPFVM_MEM && base == 10 &&
	       in->off >= -BPFVM_STACK_SIZE &&
	       in->off + bytes[BPFVM_SIZE(in->code) >> 3] <= 0;
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

static void decode_one(const bpfvm_prog *prog, size_t pc, const bool *starts)
{
	const bpfvm_insn *in = &prog->insns[pc];
	struct vinsn *v = &prog->code[pc];
	uint8_t cls = BPFVM_CLASS(in->code);

	v->target = NULL;
	v->op = in->code;
	v->dst = in->dst;
	v->src = in->src;
	v->off = in->off;
	v->imm = in->imm;
	if (cls == BPFVM_ALU || cls == BPFVM_ALU64) {
		v->op = alu_op(in);
	} else if (in->code == BPFVM_OP_CALL && in->src == BPFVM_CALL_LOCAL) {
		v->op = VOP_CALL_LOCAL;
		v->target = &prog->code[pc + in->imm + 1];
		v->imm = function_length(prog, starts, pc + in->imm + 1);
	} else if (is_jump(in->code)) {
		int32_t off = in->code == BPFVM_OP_JA32 ? in->imm : in->off;

		if (in->code == BPFVM_OP_JA32)
			v->op = BPFVM_OP_JA;
		v->target = &prog->code[pc + off + 1];
		v->off = off < 0 ? off : 0;
	} else if (in->code == BPFVM_OP_LDDW) {
		v->imm = (int64_t)((uint64_t)(uint32_t)in->imm |
				   ((uint64_t)(uint32_t)in[1].imm << 32));
	} else if (cls == BPFVM_STX && BPFVM_MODE(in->code) == BPFVM_ATOMIC) {
		v->op = atomic_op(in);
	} else if (frame_access(in)) {
		v->op = VOP_FRAME + (in->code & 0x1f);
	}
}

/*
 * The fused sequences. Each matcher looks at decoded instructions from v
 * on, as many as its entry in fusions[] says, and returns the operation
 * that runs them, or 0. The interpreter's code for a sequence reads its
 * operands from the sequence's instructions and does what they do in
 * their order; where it keeps a value in a host register instead of
 * reading it back, the matcher makes sure no instruction in between
 * changes it.
 */

/* An ALU operation with a three-operand form (d = a op b). */
static bool alu_binary(uint16_t op)
{
	static const bool binary[16] = {
		[BPFVM_ADD >> 4] = true,  [BPFVM_SUB >> 4] = true,
		[BPFVM_MUL >> 4] = true,  [BPFVM_OR >> 4] = true,
		[BPFVM_AND >> 4] = true,  [BPFVM_XOR >> 4] = true,
		[BPFVM_LSH >> 4] = true,  [BPFVM_RSH >> 4] = true,
		[BPFVM_ARSH >> 4] = true,
	};

	return op < 256 &&
	       (BPFVM_CLASS(op) == BPFVM_ALU64 ||
		BPFVM_CLASS(op) == BPFVM_ALU) &&
	       binary[BPFVM_OP(op) >> 4];
}

/* The opcode of an ldx, checked or in the frame (a fused sequence checks
 * its loads whatever their base), or 0. */
static uint8_t load_code(uint16_t op)
{
	if (op >= VOP_FRAME && op < VOP_FRAME + 32)
		op = (uint16_t)(op - VOP_FRAME) | BPFVM_MEM;
	if (op < 256 && BPFVM_CLASS(op) == BPFVM_LDX &&
	    BPFVM_MODE(op) == BPFVM_MEM)
		return (uint8_t)op;
	return 0;
}

/* d = a; d op= b: the two-operand ISA's d = a op b (b not d, whose value
 * the copy changed). A 32-bit copy zero-extends, which a 64-bit op would
 * see; a 32-bit op reads only the low half either way. */
static uint16_t fuse_mov_alu(const struct vinsn *v)
{
	bool wide = BPFVM_CLASS(v[1].op) == BPFVM_ALU64;

	if (!(v[0].op == A64(MOV, X) || (!wide && v[0].op == A32(MOV, X))) ||
	    !alu_binary(v[1].op) || v[1].dst != v[0].dst ||
	    (BPFVM_SRC(v[1].op) == BPFVM_X && v[1].src == v[0].dst))
		return 0;
	return VOP_MOV_ALU + VOP_SLOT(v[1].op);
}

/* Add, sub or xor of a register, in ALU class cls: their index in
 * VOP_ALU2, or -1. */
static int mixing(uint16_t op, uint8_t cls)
{
	if (op >= 256 || BPFVM_CLASS(op) != cls || BPFVM_SRC(op) != BPFVM_X)
		return -1;
	switch (BPFVM_OP(op)) {
	case BPFVM_ADD:
		return 0;
	case BPFVM_SUB:
		return 1;
	case BPFVM_XOR:
		return 2;
	}
	return -1;
}

/* d op1= a; d op2= b, both add, sub or xor, in the same width: how
 * hashes mix (jhash: a -= c; a ^= rol32(c, 4)). */
static uint16_t fuse_alu_pair(const struct vinsn *v)
{
	uint8_t cls = BPFVM_CLASS(v[0].op);
	int first = mixing(v[0].op, cls), second = mixing(v[1].op, cls);

	if ((cls != BPFVM_ALU64 && cls != BPFVM_ALU) || first < 0 ||
	    second < 0 || v[1].dst != v[0].dst)
		return 0;
	return VOP_ALU2 + (cls == BPFVM_ALU ? 9 : 0) + 3 * first + second;
}

/* d += k, then a conditional jump: a counted loop's latch. */
static uint16_t fuse_add_jump(const struct vinsn *v)
{
	if (v[0].op != A64(ADD, K) || !is_jump(v[1].op) ||
	    v[1].op == BPFVM_OP_JA)
		return 0;
	return VOP_ADD_JMP + VOP_SLOT(v[1].op);
}

/* d = s or d = k, then a jump: the copies clang puts before a loop's
 * latch, or a return value set before leaving. */
static uint16_t fuse_mov_jump(const struct vinsn *v)
{
	if (!is_jump(v[1].op))
		return 0;
	if (v[0].op == A64(MOV, X))
		return VOP_MOVX_JMP + VOP_SLOT(v[1].op);
	if (v[0].op == A64(MOV, K))
		return VOP_MOVK_JMP + VOP_SLOT(v[1].op);
	return 0;
}

/* t = a; t &= k; if t == b goto (or !=): a test of flags. */
static uint16_t fuse_bit_test(const struct vinsn *v)
{
	if (!fuse_mov_alu(v) || BPFVM_OP(v[1].op) != BPFVM_AND ||
	    BPFVM_SRC(v[1].op) != BPFVM_K || !is_jump(v[2].op) ||
	    (BPFVM_OP(v[2].op) != BPFVM_JEQ &&
	     BPFVM_OP(v[2].op) != BPFVM_JNE) ||
	    v[2].dst != v[0].dst)
		return 0;
	return (BPFVM_CLASS(v[1].op) == BPFVM_ALU64 ? VOP_TEST64_JMP
						    : VOP_TEST32_JMP) +
	       VOP_SLOT(v[2].op);
}

/* t = x; t >>= r; d = x; d <<= l; d |= t: clang's rotate (jhash has a
 * dozen). t must not be x, which the second copy reads, nor d. */
static uint16_t fuse_rotate(const struct vinsn *v)
{
	uint8_t t = v[0].dst, x = v[0].src, d = v[2].dst;

	for (int wide = 0; wide < 2; wide++) {
		uint8_t cls = wide ? BPFVM_ALU64 : BPFVM_ALU;

		if (v[0].op == (cls | BPFVM_MOV | BPFVM_X) &&
		    v[1].op == (cls | BPFVM_RSH | BPFVM_K) && v[1].dst == t &&
		    v[2].op == (cls | BPFVM_MOV | BPFVM_X) && v[2].src == x &&
		    v[3].op == (cls | BPFVM_LSH | BPFVM_K) && v[3].dst == d &&
		    v[4].op == (cls | BPFVM_OR | BPFVM_X) && v[4].dst == d &&
		    v[4].src == t && t != x && d != t)
			return wide ? VOP_ROT64 : VOP_ROT32;
	}
	return 0;
}

/* t = a; t += b; d = *(t + off): an array element a[b] (b not t). */
static uint16_t fuse_indexed_load(const struct vinsn *v)
{
	uint8_t t = v[0].dst;

	if (v[0].op != A64(MOV, X) || v[1].op != A64(ADD, X) || v[1].dst != t ||
	    v[1].src == t || !load_code(v[2].op) || v[2].src != t)
		return 0;
	return VOP_LDX_INDEXED + (BPFVM_SIZE(load_code(v[2].op)) >> 3);
}

/* After a load into t, d += t or d ^= t: a sum or a hash over memory.
 * The index in VOP_LDX_ACC and VOP_INDEXED_ACC, or -1. */
static int accumulates(const struct vinsn *load, const struct vinsn *alu)
{
	uint8_t code = load_code(load->op);

	if (!code || (alu->op != A64(ADD, X) && alu->op != A64(XOR, X)) ||
	    alu->src != load->dst)
		return -1;
	return (BPFVM_SIZE(code) >> 3) * 2 + (alu->op == A64(XOR, X));
}

static uint16_t fuse_load_acc(const struct vinsn *v)
{
	int acc = accumulates(&v[0], &v[1]);

	return acc < 0 ? 0 : VOP_LDX_ACC + acc;
}

static uint16_t fuse_indexed_acc(const struct vinsn *v)
{
	int acc = fuse_indexed_load(v) ? accumulates(&v[2], &v[3]) : -1;

	return acc < 0 ? 0 : VOP_INDEXED_ACC + acc;
}

/* Longest first: at each instruction the first that matches wins. */
static const struct fusion {
	int len;
	uint16_t (*match)(const struct vinsn *v);
} fusions[] = {
	// clang-format off
	{ 5, fuse_rotate },
	{ 4, fuse_indexed_acc },
	{ 3, fuse_indexed_load },
	{ 3, fuse_bit_test },
	{ 2, fuse_load_acc },
	{ 2, fuse_mov_alu },
	{ 2, fuse_alu_pair },
	{ 2, fuse_add_jump },
	{ 2, fuse_mov_jump },
	// clang-format on
};

/* Where control may arrive other than from the instruction before: the
 * functions' starts (calls, callbacks, tail calls, already in entry), jump
 * targets, and where calls return. */
static void mark_entries(const bpfvm_prog *prog, bool *entry)
{
	for (size_t pc = 0; pc < prog->count; pc++) {
		uint8_t code = prog->insns[pc].code;

		if (is_jump(code))
			entry[prog->code[pc].target - prog->code] = true;
		else if (code == BPFVM_OP_CALL || code == BPFVM_OP_CALLX)
			entry[pc + 1] = true; /* the checker: not the last */
		else if (code == BPFVM_OP_LDDW)
			pc++;
	}
}

static void fuse(bpfvm_prog *prog, const bool *entry)
{
	for (size_t pc = 0; pc < prog->count; pc++) {
		for (size_t i = 0; i < sizeof(fusions) / sizeof(fusions[0]);
		     i++) {
			size_t len = (size_t)fusions[i].len, n = 1;
			uint16_t op = 0;

			while (n < len && pc + n < prog->count &&
			       !entry[pc + n])
				n++;
			if (n == len)
				op = fusions[i].match(&prog->code[pc]);
			if (op) {
				prog->code[pc].op = op;
				pc += len - 1;
				break;
			}
		}
	}
}

int bpfvm_decode(bpfvm_prog *prog, bpfvm_error *err)
{
	const void *const *handlers = bpfvm_interp_handlers();
	bool *starts = calloc(prog->count, sizeof(*starts));
	bool *entry = calloc(prog->count, sizeof(*entry));

	if (!starts || !entry) {
		free(starts);
		free(entry);
		return bpfvm_fail(err, -1, "out of memory");
	}
	/* Functions start at 0 and at every local call or callback target. */
	starts[0] = true;
	for (size_t pc = 0; pc < prog->count; pc++) {
		const bpfvm_insn *in = &prog->insns[pc];
		if ((in->code == BPFVM_OP_CALL &&
		     in->src == BPFVM_CALL_LOCAL) ||
		    (in->code == BPFVM_OP_LDDW && in->src == BPFVM_PSEUDO_FUNC))
			starts[pc + in->imm + 1] = true;
	}
	for (size_t pc = 0; pc < prog->count; pc++) {
		decode_one(prog, pc, starts);
		if (prog->insns[pc].code == BPFVM_OP_LDDW)
			prog->code[++pc].op = VOP_INVALID;
	}
	for (size_t pc = 0; pc < prog->count; pc++)
		entry[pc] = starts[pc];
	mark_entries(prog, entry);
	fuse(prog, entry);
	for (size_t pc = 0; pc < prog->count; pc++)
		prog->code[pc].handler = handlers[prog->code[pc].op];
	free(entry);
	prog->main_length = function_length(prog, starts, 0);
	prog->func_start = starts;
	return 0;
}
