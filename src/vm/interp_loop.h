/* SPDX-License-Identifier: MIT */
/*
 * The interpreter loop, included by interp.c once per mode: define
 * INTERP_NAME (the function) and INTERP_CHECKED (0 or 1) first. A template
 * by inclusion because the jump table holds label addresses, which C
 * allows only in the function that owns the labels.
 */
static int INTERP_NAME(bpfvm_exec *exec, const struct vinsn *start,
		       const uint64_t args[5], uint64_t *r0, bpfvm_error *err)
{
	const bool checked = INTERP_CHECKED;
	struct frame frames[BPFVM_MAX_FRAMES];
	const bpfvm_prog *prog = exec->prog;
	const struct bpfvm *vm = prog->vm;
	const struct vinsn *pc = start;
	const int base_depth = exec->depth;
	const uintptr_t stack_top = (uintptr_t)(exec->stack + STACK_BYTES);
	struct bounds b = {
		.stack_lo = stack_top - (size_t)(base_depth + 1) * BPFVM_STACK_SIZE,
		.stack_hi = stack_top,
		.ctx_lo = exec->ctx_lo,
		.ctx_len = exec->ctx_len,
		.ctx_writable = exec->ctx_writable,
		.exec = exec,
	};
	uint64_t regs[BPFVM_NREGS] = { 0 };
	int64_t budget = exec->budget;
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
/* The address of a size-byte access at base + off, or a fault. */
#define ADDR(base, size, write)                                         \
	({                                                              \
		uint64_t a_ = (base) + (uint64_t)(int64_t)pc->off;      \
		if (checked && !access_ok(&b, a_, (size), (write))) {   \
			fault_addr = a_;                                \
			fault_size = (size);                            \
			fault_write = (write);                          \
			goto fault;                                     \
		}                                                       \
		(void *)(uintptr_t)a_;                                  \
	})
#define LOAD(type, base)                                                \
	({                                                              \
		type v_;                                                \
		memcpy(&v_, ADDR(base, sizeof(type), false), sizeof(v_)); \
		v_;                                                     \
	})
#define STORE(type, base, value)                                        \
	do {                                                            \
		type v_ = (type)(value);                                \
		memcpy(ADDR(base, sizeof(type), true), &v_, sizeof(v_)); \
	} while (0)
/* Atomics must be naturally aligned, as the kernel's verifier demands. */
#define ATOMIC_ADDR(type)                                               \
	({                                                              \
		type *p_ = ADDR(DST, sizeof(type), true);               \
		if (checked && ((uintptr_t)p_ & (sizeof(type) - 1))) {  \
			fault_addr = (uintptr_t)p_;                     \
			fault_size = sizeof(type);                      \
			goto misaligned;                                \
		}                                                       \
		p_;                                                     \
	})

	/* Unlisted operations default to "invalid": the one override. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
	static const void *const table[VOP_COUNT] = {
		[0 ... VOP_COUNT - 1] = &&invalid,
#define A64(op, s) (BPFVM_ALU64 | BPFVM_##op | BPFVM_##s)
#define A32(op, s) (BPFVM_ALU | BPFVM_##op | BPFVM_##s)
#define J64(op, s) (BPFVM_JMP | BPFVM_##op | BPFVM_##s)
#define J32(op, s) (BPFVM_JMP32 | BPFVM_##op | BPFVM_##s)
#define ENTRY4(C, OP)                                                   \
	[C##64(OP, K)] = &&C##64_##OP##_K, [C##64(OP, X)] = &&C##64_##OP##_X, \
	[C##32(OP, K)] = &&C##32_##OP##_K, [C##32(OP, X)] = &&C##32_##OP##_X,
#define ALU_ENTRY(OP, o) ENTRY4(A, OP)
#define JMP_ENTRY(OP, o, s) ENTRY4(J, OP)
#define ALU_BINOPS(X) X(ADD, +) X(SUB, -) X(MUL, *) X(OR, |) X(AND, &) X(XOR, ^)
#define ALU_SHIFTS(X) X(LSH, <<) X(RSH, >>)
#define JMP_CONDS(X)                                                    \
	X(JEQ, ==, u) X(JNE, !=, u) X(JGT, >, u) X(JGE, >=, u)          \
	X(JLT, <, u) X(JLE, <=, u) X(JSET, &, u) X(JSGT, >, s)          \
	X(JSGE, >=, s) X(JSLT, <, s) X(JSLE, <=, s)
		ALU_BINOPS(ALU_ENTRY) ALU_SHIFTS(ALU_ENTRY) JMP_CONDS(JMP_ENTRY)
		ENTRY4(A, DIV) ENTRY4(A, MOD) ENTRY4(A, ARSH) ENTRY4(A, MOV)
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
		[BPFVM_OP_JA] = &&JA, [BPFVM_OP_CALL] = &&CALL,
		[BPFVM_OP_CALLX] = &&CALLX, [VOP_CALL_LOCAL] = &&CALL_LOCAL,
		[BPFVM_OP_EXIT] = &&EXIT, [BPFVM_OP_LDDW] = &&LDDW,
#define MEM_ENTRY(S, T)                                                     \
	[BPFVM_LDX | BPFVM_MEM | BPFVM_##S] = &&LDX_##S,                    \
	[BPFVM_ST | BPFVM_MEM | BPFVM_##S] = &&ST_##S,                      \
	[BPFVM_STX | BPFVM_MEM | BPFVM_##S] = &&STX_##S,
#define MEM_SIZES(X) X(B, uint8_t) X(H, uint16_t) X(W, uint32_t) X(DW, uint64_t)
#define SX_ENTRY(S, T) [BPFVM_LDX | BPFVM_MEMSX | BPFVM_##S] = &&LDXS_##S,
#define SX_SIZES(X) X(B, int8_t) X(H, int16_t) X(W, int32_t)
#define PKT_ENTRY(S, N)                                                     \
	[BPFVM_LD | BPFVM_ABS | BPFVM_##S] = &&LDABS_##S,                   \
	[BPFVM_LD | BPFVM_IND | BPFVM_##S] = &&LDIND_##S,
#define PKT_SIZES(X) X(B, 1) X(H, 2) X(W, 4)
		MEM_SIZES(MEM_ENTRY) SX_SIZES(SX_ENTRY) PKT_SIZES(PKT_ENTRY)
#define ATOMIC_ENTRY(W)                                                      \
	[VOP_ATOMIC##W + 0] = &&ATOMIC##W##_ADD,                             \
	[VOP_ATOMIC##W + 1] = &&ATOMIC##W##_OR,                              \
	[VOP_ATOMIC##W + 2] = &&ATOMIC##W##_AND,                             \
	[VOP_ATOMIC##W + 3] = &&ATOMIC##W##_XOR,                             \
	[VOP_ATOMIC##W + 4] = &&ATOMIC##W##_FETCH_ADD,                       \
	[VOP_ATOMIC##W + 5] = &&ATOMIC##W##_FETCH_OR,                        \
	[VOP_ATOMIC##W + 6] = &&ATOMIC##W##_FETCH_AND,                       \
	[VOP_ATOMIC##W + 7] = &&ATOMIC##W##_FETCH_XOR,                       \
	[VOP_ATOMIC##W + 8] = &&ATOMIC##W##_XCHG,                            \
	[VOP_ATOMIC##W + 9] = &&ATOMIC##W##_CMPXCHG,
		ATOMIC_ENTRY(64) ATOMIC_ENTRY(32)
	};
#pragma GCC diagnostic pop
#define NEXT goto *table[(++pc)->op]
#define JUMP()                                                          \
	do {                                                            \
		if (pc->off < 0 && (budget += pc->off) < 0)             \
			goto out_of_budget;                             \
		pc += pc->off + 1;                                      \
		goto *table[pc->op];                                    \
	} while (0)

	goto *table[pc->op];

	/* ALU: 32-bit results are zero-extended into the 64-bit register. */
#define ALU_BIN(OP, o)                                                        \
	A64_##OP##_K: DST = DST o (uint64_t)IMM; NEXT;                        \
	A64_##OP##_X: DST = DST o SRC; NEXT;                                  \
	A32_##OP##_K: DST = (uint32_t)((uint32_t)DST o (uint32_t)IMM); NEXT;  \
	A32_##OP##_X: DST = (uint32_t)((uint32_t)DST o (uint32_t)SRC); NEXT;
	ALU_BINOPS(ALU_BIN)
	/* Shift amounts are masked to the operand width. */
#define ALU_SHIFT(OP, o)                                                      \
	A64_##OP##_K: DST = DST o (IMM & 63); NEXT;                           \
	A64_##OP##_X: DST = DST o (SRC & 63); NEXT;                           \
	A32_##OP##_K: DST = (uint32_t)((uint32_t)DST o (IMM & 31)); NEXT;     \
	A32_##OP##_X: DST = (uint32_t)((uint32_t)DST o (SRC & 31)); NEXT;
	ALU_SHIFTS(ALU_SHIFT)
	A64_ARSH_K: DST = (uint64_t)((int64_t)DST >> (IMM & 63)); NEXT;
	A64_ARSH_X: DST = (uint64_t)((int64_t)DST >> (SRC & 63)); NEXT;
	A32_ARSH_K: DST = (uint32_t)((int32_t)DST >> (IMM & 31)); NEXT;
	A32_ARSH_X: DST = (uint32_t)((int32_t)DST >> (SRC & 31)); NEXT;
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
	BSWAP16: DST = bswap16((uint16_t)DST); NEXT;
	BSWAP32: DST = bswap32((uint32_t)DST); NEXT;
	BSWAP64: DST = bswap64(DST); NEXT;

	/* Jumps: 32-bit forms compare the low halves. */
#define JCOND(OP, o, s)                                                       \
	J64_##OP##_K: if ((s##64)DST o (s##64)IMM) JUMP(); NEXT;              \
	J64_##OP##_X: if ((s##64)DST o (s##64)SRC) JUMP(); NEXT;              \
	J32_##OP##_K: if ((s##32)DST o (s##32)IMM) JUMP(); NEXT;              \
	J32_##OP##_X: if ((s##32)DST o (s##32)SRC) JUMP(); NEXT;
#define u64 uint64_t
#define s64 int64_t
#define u32 uint32_t
#define s32 int32_t
	JMP_CONDS(JCOND)
	JA: JUMP();

	LDDW: DST = (uint64_t)IMM; pc++; NEXT;

#define MEM_OPS(S, T)                                                         \
	LDX_##S: DST = LOAD(T, SRC); NEXT;                                    \
	ST_##S: STORE(T, DST, IMM); NEXT;                                     \
	STX_##S: STORE(T, DST, SRC); NEXT;
	MEM_SIZES(MEM_OPS)
#define SX_OPS(S, T) LDXS_##S: DST = (uint64_t)(int64_t)LOAD(T, SRC); NEXT;
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
			goto *table[pc->op];
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
		if (checked) /* no stale data for unverified programs */
			memset((void *)b.stack_lo, 0, BPFVM_STACK_SIZE);
		depth++;
		pc += pc->off + 1;
		goto *table[pc->op];
	}
	EXIT:
		if (depth == 0) {
			*r0 = regs[0];
			exec->budget = budget;
			return 0;
		}
		depth--;
		pc = frames[depth].ret;
		prog = frames[depth].prog;
		memcpy(&regs[6], frames[depth].saved, sizeof(frames[depth].saved));
		regs[10] = frames[depth].fp;
		b.stack_lo += BPFVM_STACK_SIZE;
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
}

#undef DST
#undef SRC
#undef IMM
#undef NEXT
#undef JUMP
#undef ADDR
#undef LOAD
#undef STORE
#undef ATOMIC_ADDR
#undef A64
#undef A32
#undef J64
#undef J32
#undef ENTRY4
#undef ALU_ENTRY
#undef JMP_ENTRY
#undef ALU_BINOPS
#undef ALU_SHIFTS
#undef JMP_CONDS
#undef MEM_ENTRY
#undef MEM_SIZES
#undef SX_ENTRY
#undef SX_SIZES
#undef PKT_ENTRY
#undef PKT_SIZES
#undef ATOMIC_ENTRY
#undef ALU_BIN
#undef ALU_SHIFT
#undef UDIV
#undef UMOD
#undef SDIV
#undef SMOD
#undef JCOND
#undef u64
#undef s64
#undef u32
#undef s32
#undef MEM_OPS
#undef SX_OPS
#undef PKT_OPS
#undef ATOMIC_OPS
