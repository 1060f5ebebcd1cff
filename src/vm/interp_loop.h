/* SPDX-License-Identifier: MIT */
/*
 * The interpreter loop, included by interp.c once per mode: define
 * INTERP_NAME (the function) and INTERP_CHECKED (0 or 1) first. A template
 * by inclusion because the jump table holds label addresses, which C
 * allows only in the function that owns the labels.
 *
 * Called with exec NULL, the function only stores its table in *handlers:
 * decode copies the checked loop's into each instruction (vinsn.handler),
 * and that loop dispatches through them. The unchecked loop, which no run
 * uses yet, dispatches through its own table by op.
 */
static int INTERP_NAME(bpfvm_exec *exec, const struct vinsn *start,
		       const uint64_t args[5], uint64_t *r0, bpfvm_error *err,
		       const void *const **handlers)
{
	// clang-format off
#define A64(op, s) (BPFVM_ALU64 | BPFVM_##op | BPFVM_##s)
#define A32(op, s) (BPFVM_ALU | BPFVM_##op | BPFVM_##s)
#define J64(op, s) (BPFVM_JMP | BPFVM_##op | BPFVM_##s)
#define J32(op, s) (BPFVM_JMP32 | BPFVM_##op | BPFVM_##s)
/* The ALU operations with a three-operand form, how each computes; the
 * conditions of jumps, how each compares. */
#define ALU_BINARY(X)                                                         \
	X(ADD, BIN, +) X(SUB, BIN, -) X(MUL, BIN, *) X(OR, BIN, |)            \
	X(AND, BIN, &) X(XOR, BIN, ^) X(LSH, SHIFT, <<) X(RSH, SHIFT, >>)     \
	X(ARSH, ARSH, >>)
#define JMP_CONDS(X)                                                          \
	X(JEQ, ==, u) X(JNE, !=, u) X(JGT, >, u) X(JGE, >=, u)                \
	X(JLT, <, u) X(JLE, <=, u) X(JSET, &, u) X(JSGT, >, s)                \
	X(JSGE, >=, s) X(JSLT, <, s) X(JSLE, <=, s)
/* The operations of d op1= a; d op2= b, in two lists because a macro does
 * not expand inside itself. */
#define MIX_OPS(X, ...)                                                       \
	X(__VA_ARGS__, ADD, +, 0) X(__VA_ARGS__, SUB, -, 1)                   \
	X(__VA_ARGS__, XOR, ^, 2)
#define MIX_OPS2(X, ...)                                                      \
	X(__VA_ARGS__, ADD, +, 0) X(__VA_ARGS__, SUB, -, 1)                   \
	X(__VA_ARGS__, XOR, ^, 2)
#define MEM_SIZES(X) X(B, uint8_t) X(H, uint16_t) X(W, uint32_t) X(DW, uint64_t)
#define SX_SIZES(X) X(B, int8_t) X(H, int16_t) X(W, int32_t)
#define PKT_SIZES(X) X(B, 1) X(H, 2) X(W, 4)

/* The four forms of an ALU or jump operation OP of class C (A or J): at
 * base + their opcode or, for a family, base + VOP_SLOT(opcode), the
 * labels prefix ## C64_OP_K and so on. */
#define FORMS(base, slot, prefix, C, OP)                                      \
	[base + slot(C##64(OP, K))] = &&prefix##C##64_##OP##_K,               \
	[base + slot(C##64(OP, X))] = &&prefix##C##64_##OP##_X,               \
	[base + slot(C##32(OP, K))] = &&prefix##C##32_##OP##_K,               \
	[base + slot(C##32(OP, X))] = &&prefix##C##32_##OP##_X,
#define OPCODE(code) (code)
#define ALU_ENTRY(OP, kind, o)                                                \
	FORMS(0, OPCODE, , A, OP) FORMS(VOP_MOV_ALU, VOP_SLOT, MOV_, A, OP)
#define MIX_ENTRY(W, w, A, a, i, B, b, j)                                     \
	[VOP_ALU2 + w + 3 * i + j] = &&ALU2_##W##_##A##_##B,
#define MIX_ROW(W, w, A, a, i) MIX_OPS2(MIX_ENTRY, W, w, A, a, i)
#define JMP_ENTRY(OP, o, s)                                                   \
	FORMS(0, OPCODE, , J, OP) FORMS(VOP_ADD_JMP, VOP_SLOT, ADD_, J, OP)   \
	FORMS(VOP_MOVX_JMP, VOP_SLOT, MOVX_, J, OP)                           \
	FORMS(VOP_MOVK_JMP, VOP_SLOT, MOVK_, J, OP)
#define MEM_ENTRY(S, T)                                                       \
	[BPFVM_LDX | BPFVM_MEM | BPFVM_##S] = &&LDX_##S,                      \
	[BPFVM_ST | BPFVM_MEM | BPFVM_##S] = &&ST_##S,                        \
	[BPFVM_STX | BPFVM_MEM | BPFVM_##S] = &&STX_##S,                      \
	[VOP_FRAME + (BPFVM_LDX | BPFVM_##S)] = &&FRAME_LDX_##S,              \
	[VOP_FRAME + (BPFVM_ST | BPFVM_##S)] = &&FRAME_ST_##S,                \
	[VOP_FRAME + (BPFVM_STX | BPFVM_##S)] = &&FRAME_STX_##S,              \
	[VOP_LDX_INDEXED + (BPFVM_##S >> 3)] = &&LDX_INDEXED_##S,             \
	[VOP_LDX_ACC + (BPFVM_##S >> 3) * 2] = &&LDX_ADD_##S,                 \
	[VOP_LDX_ACC + (BPFVM_##S >> 3) * 2 + 1] = &&LDX_XOR_##S,             \
	[VOP_INDEXED_ACC + (BPFVM_##S >> 3) * 2] = &&INDEXED_ADD_##S,         \
	[VOP_INDEXED_ACC + (BPFVM_##S >> 3) * 2 + 1] = &&INDEXED_XOR_##S,
#define SX_ENTRY(S, T) [BPFVM_LDX | BPFVM_MEMSX | BPFVM_##S] = &&LDXS_##S,
#define PKT_ENTRY(S, N)                                                       \
	[BPFVM_LD | BPFVM_ABS | BPFVM_##S] = &&LDABS_##S,                     \
	[BPFVM_LD | BPFVM_IND | BPFVM_##S] = &&LDIND_##S,
#define ATOMIC_ENTRY(W)                                                       \
	[VOP_ATOMIC##W + 0] = &&ATOMIC##W##_ADD,                              \
	[VOP_ATOMIC##W + 1] = &&ATOMIC##W##_OR,                               \
	[VOP_ATOMIC##W + 2] = &&ATOMIC##W##_AND,                              \
	[VOP_ATOMIC##W + 3] = &&ATOMIC##W##_XOR,                              \
	[VOP_ATOMIC##W + 4] = &&ATOMIC##W##_FETCH_ADD,                        \
	[VOP_ATOMIC##W + 5] = &&ATOMIC##W##_FETCH_OR,                         \
	[VOP_ATOMIC##W + 6] = &&ATOMIC##W##_FETCH_AND,                        \
	[VOP_ATOMIC##W + 7] = &&ATOMIC##W##_FETCH_XOR,                        \
	[VOP_ATOMIC##W + 8] = &&ATOMIC##W##_XCHG,                             \
	[VOP_ATOMIC##W + 9] = &&ATOMIC##W##_CMPXCHG,

	/* Unlisted operations default to "invalid": the one override. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
	static const void *const table[VOP_COUNT] = {
		[0 ... VOP_COUNT - 1] = &&invalid,
		ALU_BINARY(ALU_ENTRY)
		MIX_OPS(MIX_ROW, 64, 0) MIX_OPS(MIX_ROW, 32, 9)
		FORMS(0, OPCODE, , A, DIV) FORMS(0, OPCODE, , A, MOD)
		FORMS(0, OPCODE, , A, MOV)
		[A64(NEG, K)] = &&A64_NEG, [A32(NEG, K)] = &&A32_NEG,
		[VOP_SDIV64_K] = &&SDIV64_K, [VOP_SDIV64_X] = &&SDIV64_X,
		[VOP_SDIV32_K] = &&SDIV32_K, [VOP_SDIV32_X] = &&SDIV32_X,
		[VOP_SMOD64_K] = &&SMOD64_K, [VOP_SMOD64_X] = &&SMOD64_X,
		[VOP_SMOD32_K] = &&SMOD32_K, [VOP_SMOD32_X] = &&SMOD32_X,
		[VOP_MOVSX64_8] = &&MOVSX64_8, [VOP_MOVSX64_16] = &&MOVSX64_16,
		[VOP_MOVSX64_32] = &&MOVSX64_32, [VOP_MOVSX32_8] = &&MOVSX32_8,
		[VOP_MOVSX32_16] = &&MOVSX32_16,
		[VOP_ZEXT16] = &&ZEXT16, [VOP_ZEXT32] = &&ZEXT32,
		[VOP_NOP64] = &&NOP64, [VOP_BSWAP16] = &&BSWAP16,
		[VOP_BSWAP32] = &&BSWAP32, [VOP_BSWAP64] = &&BSWAP64,
		[VOP_ROT32] = &&ROT32, [VOP_ROT64] = &&ROT64,
		JMP_CONDS(JMP_ENTRY)
		FORMS(VOP_TEST64_JMP, VOP_SLOT, TEST64_, J, JEQ)
		FORMS(VOP_TEST64_JMP, VOP_SLOT, TEST64_, J, JNE)
		FORMS(VOP_TEST32_JMP, VOP_SLOT, TEST32_, J, JEQ)
		FORMS(VOP_TEST32_JMP, VOP_SLOT, TEST32_, J, JNE)
		[BPFVM_OP_JA] = &&JA,
		[VOP_MOVX_JMP + VOP_SLOT(BPFVM_OP_JA)] = &&MOVX_JA,
		[VOP_MOVK_JMP + VOP_SLOT(BPFVM_OP_JA)] = &&MOVK_JA,
		[BPFVM_OP_CALL] = &&CALL, [BPFVM_OP_CALLX] = &&CALLX,
		[VOP_CALL_LOCAL] = &&CALL_LOCAL,
		[BPFVM_OP_EXIT] = &&EXIT, [BPFVM_OP_LDDW] = &&LDDW,
		MEM_SIZES(MEM_ENTRY) SX_SIZES(SX_ENTRY) PKT_SIZES(PKT_ENTRY)
		ATOMIC_ENTRY(64) ATOMIC_ENTRY(32)
	};
#pragma GCC diagnostic pop
	// clang-format on

	if (!exec) {
		*handlers = table;
		return 0;
	}

	const bool checked = INTERP_CHECKED;
	struct frame frames[BPFVM_MAX_FRAMES];
	const bpfvm_prog *prog = exec->prog;
	const struct bpfvm *vm = prog->vm;
	const struct vinsn *pc = start;
	const int base_depth = exec->depth;
	const uintptr_t stack_top = (uintptr_t)(exec->stack + STACK_BYTES);
	const size_t ctx_fast = exec->ctx_len >= 8 ? exec->ctx_len - 7 : 0;
	struct bounds b = {
		.ctx_lo = exec->ctx_lo,
		.ctx_read = ctx_fast,
		.ctx_write = exec->ctx_writable ? ctx_fast : 0,
		.stack_lo =
			stack_top - (size_t)(base_depth + 1) * BPFVM_STACK_SIZE,
		.stack_len = (size_t)(base_depth + 1) * BPFVM_STACK_SIZE,
		.exec = exec,
	};
	uint64_t regs[BPFVM_NREGS] = { 0 };
	int64_t budget = exec->budget;
	const struct vinsn *recent[2] = { NULL, NULL }; /* see JUMP */
	const struct helper *helper = NULL;
	int depth = 0; /* frames this invocation pushed */
	uint64_t fault_addr = 0;
	unsigned fault_size = 0;
	bool fault_write = false;

	memcpy(&regs[1], args, 5 * sizeof(regs[0]));
	regs[10] = stack_top - (size_t)base_depth * BPFVM_STACK_SIZE;

#define DST regs[pc->dst]
#define SRC regs[pc->src]
#define IMM pc->imm
#if INTERP_CHECKED
#define DISPATCH() goto *(pc->handler)
#else
#define DISPATCH() goto *table[pc->op]
#endif
#define NEXT                                                                   \
	do {                                                                   \
		pc++;                                                          \
		DISPATCH();                                                    \
	} while (0)
/* Past a fused sequence of n instructions. */
#define SKIP(n)                                                                \
	do {                                                                   \
		pc += (n);                                                     \
		DISPATCH();                                                    \
	} while (0)
/*
 * Take the jump at p, pc or an instruction of the sequence pc starts,
 * charging the budget (off is 0 for jumps forwards).
 *
 * In a loop the interpreter's critical path is pc: each instruction's
 * comes from the one before, a taken jump's from a load (p->target),
 * several cycles an iteration. So the last two targets stay in host
 * registers and, when one is the target, pc is taken from it, not from
 * the load: the check is a branch the host predicts, off the path.
 */
#define JUMP(p)                                                                \
	do {                                                                   \
		const struct vinsn *to_ = (p)->target;                         \
		if ((budget += (p)->off) < 0) {                                \
			pc = (p);                                              \
			goto out_of_budget;                                    \
		}                                                              \
		if (same(recent[0], to_)) {                                    \
			pc = recent[0];                                        \
			DISPATCH();                                            \
		}                                                              \
		if (same(recent[1], to_)) {                                    \
			pc = recent[1];                                        \
			DISPATCH();                                            \
		}                                                              \
		recent[1] = recent[0];                                         \
		recent[0] = pc = to_;                                          \
		DISPATCH();                                                    \
	} while (0)
/* The address of a size-byte access at base + p->off, or a fault at p.
 * must_check is 0 for accesses decode proved inside the frame. */
#define ADDR(p, base, size, write, must_check)                                 \
	({                                                                     \
		uint64_t a_ = (base) + (uint64_t)(int64_t)(p)->off;            \
		if ((must_check) && !access_ok(&b, a_, (size), (write))) {     \
			pc = (p);                                              \
			fault_addr = a_;                                       \
			fault_size = (size);                                   \
			fault_write = (write);                                 \
			goto fault;                                            \
		}                                                              \
		(void *)(uintptr_t)a_;                                         \
	})
#define LOAD(p, type, base, must_check)                                        \
	({                                                                     \
		type v_;                                                       \
		memcpy(&v_, ADDR(p, base, sizeof(type), false, must_check),    \
		       sizeof(v_));                                            \
		v_;                                                            \
	})
#define STORE(p, type, base, value, must_check)                                \
	do {                                                                   \
		type v_ = (type)(value);                                       \
		memcpy(ADDR(p, base, sizeof(type), true, must_check), &v_,     \
		       sizeof(v_));                                            \
	} while (0)
/* Atomics must be naturally aligned, as the kernel's verifier demands. */
#define ATOMIC_ADDR(type)                                                      \
	({                                                                     \
		type *p_ = ADDR(pc, DST, sizeof(type), true, checked);         \
		if (checked && ((uintptr_t)p_ & (sizeof(type) - 1))) {         \
			fault_addr = (uintptr_t)p_;                            \
			fault_size = sizeof(type);                             \
			goto misaligned;                                       \
		}                                                              \
		p_;                                                            \
	})

	DISPATCH();

	// clang-format off
	/* ALU: 32-bit results are zero-extended into the 64-bit register;
	 * shift amounts are masked to the operand width. The binary
	 * operations also have a three-operand form, d = a; d op= b. */
#define BIN64(o, a, b) ((a) o (uint64_t)(b))
#define BIN32(o, a, b) ((uint32_t)((uint32_t)(a) o (uint32_t)(b)))
#define SHIFT64(o, a, b) ((a) o ((b) & 63))
#define SHIFT32(o, a, b) ((uint32_t)((uint32_t)(a) o ((b) & 31)))
#define ARSH64(o, a, b) ((uint64_t)((int64_t)(a) >> ((b) & 63)))
#define ARSH32(o, a, b) ((uint32_t)((int32_t)(a) >> ((b) & 31)))
#define ALU_OPS(OP, kind, o)                                                  \
	A64_##OP##_K: DST = kind##64(o, DST, IMM); NEXT;                      \
	A64_##OP##_X: DST = kind##64(o, DST, SRC); NEXT;                      \
	A32_##OP##_K: DST = kind##32(o, DST, IMM); NEXT;                      \
	A32_##OP##_X: DST = kind##32(o, DST, SRC); NEXT;                      \
	MOV_A64_##OP##_K: DST = kind##64(o, SRC, pc[1].imm); SKIP(2);         \
	MOV_A64_##OP##_X: DST = kind##64(o, SRC, regs[pc[1].src]); SKIP(2);   \
	MOV_A32_##OP##_K: DST = kind##32(o, SRC, pc[1].imm); SKIP(2);         \
	MOV_A32_##OP##_X: DST = kind##32(o, SRC, regs[pc[1].src]); SKIP(2);
	ALU_BINARY(ALU_OPS)
	/* d op1= a; d op2= b, each op add, sub or xor */
#define MIX_OP(W, w, A, a, i, B, b, j)                                        \
	ALU2_##W##_##A##_##B:                                                 \
		DST = BIN##W(a, DST, SRC);                                    \
		DST = BIN##W(b, DST, regs[pc[1].src]);                        \
		SKIP(2);
#define MIX_OP_ROW(W, w, A, a, i) MIX_OPS2(MIX_OP, W, w, A, a, i)
	MIX_OPS(MIX_OP_ROW, 64, 0) MIX_OPS(MIX_OP_ROW, 32, 9)
	A64_NEG: DST = -DST; NEXT;
	A32_NEG: DST = (uint32_t)-(uint32_t)DST; NEXT;
	A64_MOV_K: DST = (uint64_t)IMM; NEXT;
	A64_MOV_X: DST = SRC; NEXT;
	A32_MOV_K: DST = (uint32_t)IMM; NEXT;
	A32_MOV_X: DST = (uint32_t)SRC; NEXT;
	MOVSX64_8: DST = (uint64_t)(int64_t)(int8_t)SRC; NEXT;
	MOVSX64_16: DST = (uint64_t)(int64_t)(int16_t)SRC; NEXT;
	MOVSX64_32: DST = (uint64_t)(int64_t)(int32_t)SRC; NEXT;
	MOVSX32_8: DST = (uint32_t)(int32_t)(int8_t)SRC; NEXT;
	MOVSX32_16: DST = (uint32_t)(int32_t)(int16_t)SRC; NEXT;

	/* Division by zero gives 0; modulo by zero leaves dst (32-bit ops
	 * still zero-extend it). */
#define UDIV(T, d, s) ((s) ? (T)(d) / (T)(s) : 0)
#define UMOD(T, d, s) ((s) ? (T)(d) % (T)(s) : (T)(d))
	A64_DIV_K: DST = UDIV(uint64_t, DST, (uint64_t)IMM); NEXT;
	A64_DIV_X: DST = UDIV(uint64_t, DST, SRC); NEXT;
	A32_DIV_K: DST = UDIV(uint32_t, DST, (uint32_t)IMM); NEXT;
	A32_DIV_X: DST = UDIV(uint32_t, DST, (uint32_t)SRC); NEXT;
	A64_MOD_K: DST = UMOD(uint64_t, DST, (uint64_t)IMM); NEXT;
	A64_MOD_X: DST = UMOD(uint64_t, DST, SRC); NEXT;
	A32_MOD_K: DST = UMOD(uint32_t, DST, (uint32_t)IMM); NEXT;
	A32_MOD_X: DST = UMOD(uint32_t, DST, (uint32_t)SRC); NEXT;
	/* Signed: MIN / -1 is MIN and MIN % -1 is 0, as on the kernel's
	 * arm64 and x86 JITs (no trap). */
#define SDIV(T, UT, d, s)                                                     \
	((T)(s) == 0 ? 0 : (T)(s) == -1 ? (UT)0 - (UT)(d)                    \
					 : (UT)((T)(d) / (T)(s)))
#define SMOD(T, UT, d, s)                                                     \
	((T)(s) == 0 ? (UT)(d) : (T)(s) == -1 ? 0 : (UT)((T)(d) % (T)(s)))
	SDIV64_K: DST = SDIV(int64_t, uint64_t, DST, IMM); NEXT;
	SDIV64_X: DST = SDIV(int64_t, uint64_t, DST, SRC); NEXT;
	SDIV32_K: DST = (uint32_t)SDIV(int32_t, uint32_t, DST, IMM); NEXT;
	SDIV32_X: DST = (uint32_t)SDIV(int32_t, uint32_t, DST, SRC); NEXT;
	SMOD64_K: DST = SMOD(int64_t, uint64_t, DST, IMM); NEXT;
	SMOD64_X: DST = SMOD(int64_t, uint64_t, DST, SRC); NEXT;
	SMOD32_K: DST = (uint32_t)SMOD(int32_t, uint32_t, DST, IMM); NEXT;
	SMOD32_X: DST = (uint32_t)SMOD(int32_t, uint32_t, DST, SRC); NEXT;

	ZEXT16: DST = (uint16_t)DST; NEXT;
	ZEXT32: DST = (uint32_t)DST; NEXT;
	NOP64: NEXT;
	BSWAP16: DST = __builtin_bswap16((uint16_t)DST); NEXT;
	BSWAP32: DST = __builtin_bswap32((uint32_t)DST); NEXT;
	BSWAP64: DST = __builtin_bswap64(DST); NEXT;

	/* t = x; t >>= r; d = x; d <<= l; d |= t, t neither x nor d */
	ROT32: {
		uint32_t x = (uint32_t)SRC, t = x >> (pc[1].imm & 31);
		DST = t;
		regs[pc[2].dst] = (uint32_t)(x << (pc[3].imm & 31)) | t;
		SKIP(5);
	}
	ROT64: {
		uint64_t x = SRC, t = x >> (pc[1].imm & 63);
		DST = t;
		regs[pc[2].dst] = x << (pc[3].imm & 63) | t;
		SKIP(5);
	}

	/* Jumps: 32-bit forms compare the low halves. Each form also runs
	 * after pre, the instructions before it fused: then the jump is j,
	 * pc + 1 or pc + 2. */
#define COND(o, T, a, b) ((T)(a) o (T)(b))
#define JCC(j, cond)                                                          \
	do {                                                                  \
		if (cond)                                                     \
			JUMP(j);                                              \
		SKIP((j) - pc + 1);                                           \
	} while (0)
#define JMP_FORMS(prefix, pre, j, OP, o, s)                                   \
	prefix##J64_##OP##_K:                                                 \
		pre; JCC(j, COND(o, s##64, regs[(j)->dst], (j)->imm));        \
	prefix##J64_##OP##_X:                                                 \
		pre; JCC(j, COND(o, s##64, regs[(j)->dst], regs[(j)->src]));  \
	prefix##J32_##OP##_K:                                                 \
		pre; JCC(j, COND(o, s##32, regs[(j)->dst], (j)->imm));        \
	prefix##J32_##OP##_X:                                                 \
		pre; JCC(j, COND(o, s##32, regs[(j)->dst], regs[(j)->src]));
#define JMP_OPS(OP, o, s)                                                     \
	JMP_FORMS(, , pc, OP, o, s)                                           \
	JMP_FORMS(ADD_, DST += (uint64_t)IMM, pc + 1, OP, o, s)               \
	JMP_FORMS(MOVX_, DST = SRC, pc + 1, OP, o, s)                         \
	JMP_FORMS(MOVK_, DST = (uint64_t)IMM, pc + 1, OP, o, s)
/* t = a; t &= k; if t == b goto (or !=) */
#define TEST_OPS(OP, o, s)                                                    \
	JMP_FORMS(TEST64_, DST = SRC & (uint64_t)pc[1].imm, pc + 2, OP, o, s) \
	JMP_FORMS(TEST32_, DST = (uint32_t)SRC & (uint32_t)pc[1].imm, pc + 2, \
		  OP, o, s)
#define u64 uint64_t
#define s64 int64_t
#define u32 uint32_t
#define s32 int32_t
	JMP_CONDS(JMP_OPS)
	TEST_OPS(JEQ, ==, u)
	TEST_OPS(JNE, !=, u)
	JA: JUMP(pc);
	MOVX_JA: DST = SRC; JUMP(pc + 1);
	MOVK_JA: DST = (uint64_t)IMM; JUMP(pc + 1);

	LDDW: DST = (uint64_t)IMM; pc++; NEXT;

	/* Loads and stores, at r10 + off inside the frame without checks.
	 * Fused: t = a; t += b; d = *(t + off), an element a[b]; and a load
	 * into t, plain or of an element, then d += t or d ^= t. */
#define MEM_OPS(S, T)                                                         \
	LDX_##S: DST = LOAD(pc, T, SRC, checked); NEXT;                       \
	ST_##S: STORE(pc, T, DST, IMM, checked); NEXT;                        \
	STX_##S: STORE(pc, T, DST, SRC, checked); NEXT;                       \
	FRAME_LDX_##S: DST = LOAD(pc, T, SRC, false); NEXT;                   \
	FRAME_ST_##S: STORE(pc, T, DST, IMM, false); NEXT;                    \
	FRAME_STX_##S: STORE(pc, T, DST, SRC, false); NEXT;                   \
	LDX_INDEXED_##S: {                                                    \
		uint64_t t = SRC + regs[pc[1].src];                           \
		DST = t;                                                      \
		regs[pc[2].dst] = LOAD(pc + 2, T, t, checked);                \
		SKIP(3);                                                      \
	}                                                                     \
	ACC_OPS(S, T, ADD, +) ACC_OPS(S, T, XOR, ^)
#define ACC_OPS(S, T, OP, o)                                                  \
	LDX_##OP##_##S: {                                                     \
		uint64_t t = LOAD(pc, T, SRC, checked);                       \
		DST = t;                                                      \
		regs[pc[1].dst] = regs[pc[1].dst] o t;                        \
		SKIP(2);                                                      \
	}                                                                     \
	INDEXED_##OP##_##S: {                                                 \
		uint64_t a = SRC + regs[pc[1].src], t;                        \
		DST = a;                                                      \
		t = LOAD(pc + 2, T, a, checked);                              \
		regs[pc[2].dst] = t;                                          \
		regs[pc[3].dst] = regs[pc[3].dst] o t;                        \
		SKIP(4);                                                      \
	}
	MEM_SIZES(MEM_OPS)
#define SX_OPS(S, T)                                                          \
	LDXS_##S: DST = (uint64_t)(int64_t)LOAD(pc, T, SRC, checked); NEXT;
	SX_SIZES(SX_OPS)
#define PKT_OPS(S, N)                                                         \
	LDABS_##S:                                                            \
		if (!load_packet(exec, (int32_t)IMM, N, &regs[0]))              \
			goto pkt_out;                                         \
		NEXT;                                                         \
	LDIND_##S:                                                            \
		if (!load_packet(exec, (int32_t)((uint32_t)SRC + (uint32_t)IMM), \
				 N, &regs[0]))                                \
			goto pkt_out;                                         \
		NEXT;
	PKT_SIZES(PKT_OPS)

#define ATOMIC_OPS(W, T)                                                       \
	ATOMIC##W##_ADD: __atomic_fetch_add(ATOMIC_ADDR(T), (T)SRC, __ATOMIC_SEQ_CST); NEXT; \
	ATOMIC##W##_OR: __atomic_fetch_or(ATOMIC_ADDR(T), (T)SRC, __ATOMIC_SEQ_CST); NEXT;   \
	ATOMIC##W##_AND: __atomic_fetch_and(ATOMIC_ADDR(T), (T)SRC, __ATOMIC_SEQ_CST); NEXT; \
	ATOMIC##W##_XOR: __atomic_fetch_xor(ATOMIC_ADDR(T), (T)SRC, __ATOMIC_SEQ_CST); NEXT; \
	ATOMIC##W##_FETCH_ADD: SRC = __atomic_fetch_add(ATOMIC_ADDR(T), (T)SRC, __ATOMIC_SEQ_CST); NEXT; \
	ATOMIC##W##_FETCH_OR: SRC = __atomic_fetch_or(ATOMIC_ADDR(T), (T)SRC, __ATOMIC_SEQ_CST); NEXT;   \
	ATOMIC##W##_FETCH_AND: SRC = __atomic_fetch_and(ATOMIC_ADDR(T), (T)SRC, __ATOMIC_SEQ_CST); NEXT; \
	ATOMIC##W##_FETCH_XOR: SRC = __atomic_fetch_xor(ATOMIC_ADDR(T), (T)SRC, __ATOMIC_SEQ_CST); NEXT; \
	ATOMIC##W##_XCHG: SRC = __atomic_exchange_n(ATOMIC_ADDR(T), (T)SRC, __ATOMIC_SEQ_CST); NEXT;    \
	ATOMIC##W##_CMPXCHG: {                                                 \
		T expected_ = (T)regs[0];                                      \
		__atomic_compare_exchange_n(ATOMIC_ADDR(T), &expected_, (T)SRC, false, \
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
		regs[0] = expected_;                                           \
		NEXT;                                                          \
	}
	ATOMIC_OPS(64, uint64_t)
	ATOMIC_OPS(32, uint32_t)

	CALL:
		helper = &vm->helpers[IMM];
	call_helper:
		exec->budget = budget;
		exec->depth = base_depth + depth;
		regs[0] = helper->fn(exec, regs[1], regs[2], regs[3], regs[4],
				     regs[5]);
		budget = exec->budget;
		if (unlikely(exec->abort_msg))
			goto aborted;
		if (unlikely(exec->pkt_changed)) {
			exec->pkt_changed = false;
			bpfvm_exec_packet_bounds(exec);
		}
		if (unlikely(exec->tail_target != NULL)) {
			prog = exec->tail_target;
			exec->prog = prog;
			exec->tail_target = NULL;
			if ((budget -= prog->main_length) < 0)
				goto out_of_budget;
			pc = prog->code;
			DISPATCH();
		}
		NEXT;
	CALLX: {
		uint64_t id = DST;
		if (id == 0 || id > BPFVM_MAX_HELPER_ID || !vm->helpers[id].fn) {
			bpfvm_fail(err, (int)(pc - prog->code), "callx to helper "
				   "%" PRIu64 ", which is not provided", id);
			return -1;
		}
		helper = &vm->helpers[id];
		goto call_helper;
	}
	CALL_LOCAL: {
		struct frame *f = &frames[depth];
		if (base_depth + depth + 1 >= BPFVM_MAX_FRAMES) {
			bpfvm_fail(err, (int)(pc - prog->code), "the call stack "
				   "of %d frames is too deep",
				   base_depth + depth + 2);
			return -1;
		}
		if ((budget -= IMM) < 0)
			goto out_of_budget;
		f->ret = pc;
		f->prog = prog;
		memcpy(f->saved, &regs[6], sizeof(f->saved));
		f->fp = regs[10];
		regs[10] -= BPFVM_STACK_SIZE;
		b.stack_lo -= BPFVM_STACK_SIZE;
		b.stack_len += BPFVM_STACK_SIZE;
		if (checked) /* no stale data for unverified programs */
			memset((void *)b.stack_lo, 0, BPFVM_STACK_SIZE);
		depth++;
		pc = pc->target;
		DISPATCH();
	}
	EXIT:
		if (depth == 0) {
			*r0 = regs[0];
			exec->budget = budget;
			return 0;
		}
		depth--;
		pc = frames[depth].ret;
		/* The caller's program again, should the callee have
		 * tail-called. */
		prog = exec->prog = frames[depth].prog;
		memcpy(&regs[6], frames[depth].saved, sizeof(frames[depth].saved));
		regs[10] = frames[depth].fp;
		b.stack_lo += BPFVM_STACK_SIZE;
		b.stack_len -= BPFVM_STACK_SIZE;
		NEXT;

pkt_out:
	*r0 = 0;
	exec->budget = budget;
	return 0;
invalid:
	return bpfvm_fail(err, (int)(pc - prog->code), "invalid operation %u "
			  "reached (the program was not checked)", pc->op);
fault:
	return bpfvm_fail(err, (int)(pc - prog->code), "invalid memory access: "
			  "%s of %u bytes at 0x%" PRIx64 " is outside the stack, "
			  "the context and every region the program may use",
			  fault_write ? "write" : "read", fault_size, fault_addr);
misaligned:
	return bpfvm_fail(err, (int)(pc - prog->code), "misaligned atomic "
			  "access: %u bytes at 0x%" PRIx64, fault_size, fault_addr);
out_of_budget:
	return bpfvm_fail(err, (int)(pc - prog->code), "instruction budget of "
			  "%" PRIu64 " exhausted (a runaway loop?)", vm->budget);
aborted:
	if (exec->failed) { /* a callback's run failed: its error */
		if (err)
			*err = exec->failure;
		return -1;
	}
	return bpfvm_fail(err, (int)(pc - prog->code), "helper %s: %s",
			  helper ? helper->name : "?", exec->abort_msg);
	// clang-format on
}

#undef DST
#undef SRC
#undef IMM
#undef DISPATCH
#undef NEXT
#undef SKIP
#undef JUMP
#undef ADDR
#undef LOAD
#undef STORE
#undef ATOMIC_ADDR
#undef A64
#undef A32
#undef J64
#undef J32
#undef ALU_BINARY
#undef JMP_CONDS
#undef MIX_OPS
#undef MIX_OPS2
#undef MEM_SIZES
#undef SX_SIZES
#undef PKT_SIZES
#undef FORMS
#undef OPCODE
#undef ALU_ENTRY
#undef MIX_ENTRY
#undef MIX_ROW
#undef JMP_ENTRY
#undef MEM_ENTRY
#undef SX_ENTRY
#undef PKT_ENTRY
#undef ATOMIC_ENTRY
#undef BIN64
#undef BIN32
#undef SHIFT64
#undef SHIFT32
#undef ARSH64
#undef ARSH32
#undef ALU_OPS
#undef MIX_OP
#undef MIX_OP_ROW
#undef UDIV
#undef UMOD
#undef SDIV
#undef SMOD
#undef COND
#undef JCC
#undef JMP_FORMS
#undef JMP_OPS
#undef TEST_OPS
#undef u64
#undef s64
#undef u32
#undef s32
#undef MEM_OPS
#undef ACC_OPS
#undef SX_OPS
#undef PKT_OPS
#undef ATOMIC_OPS
