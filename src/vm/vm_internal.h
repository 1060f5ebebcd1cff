/* SPDX-License-Identifier: MIT */
/* What the VM's files share: the program object, the decoded form the
 * interpreter runs, and the state of one run. */
#ifndef BPFVM_VM_INTERNAL_H
#define BPFVM_VM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfvm/vm.h"

struct helper {
	char *name;
	bpfvm_helper_fn fn;
};

#define BPFVM_MAX_OBJECTS 4096 /* maps and programs a VM holds by id */

struct bpfvm {
	struct helper helpers[BPFVM_MAX_HELPER_ID + 1];
	uint64_t budget;
	void *user;
	bpfvm_print_fn print;
	void *print_user;
	bpfvm_clock_fn clock;
	void *clock_user;
	bpfvm_map *maps[BPFVM_MAX_OBJECTS]; /* by id; [0] unused */
	bpfvm_prog *progs[BPFVM_MAX_OBJECTS];
};

/*
 * The interpreter's instruction: the opcode replaced by an operation that
 * names one behaviour (operations below 256 are the ISA's own opcodes;
 * variants selected by off or imm get their own numbers), registers
 * unpacked, imm widened.
 *
 * handler is the operation's code in the checked loop: a dispatch loads
 * it, not op and then a table (direct threading). target is where a jump
 * or local call goes, and off, for a jump, what taking it charges the
 * budget (its offset backwards, 0 forwards): in a loop the chain of pc
 * values is the interpreter's critical path, and a taken jump adds one
 * load to it, not a load and an address computation.
 *
 * Decode also fuses sequences clang emits often (decode.c lists them)
 * into one operation, on the sequence's first instruction. The others
 * keep their own decoding, which the fused code reads its operands from,
 * and their index, which a fault inside the sequence reports; control
 * never enters a sequence past its first instruction.
 */
struct vinsn {
	const void *handler;
	const struct vinsn *target;
	int64_t imm; /* lddw: the 64-bit value; local call: callee length */
	uint16_t op;
	uint8_t dst;
	uint8_t src;
	int32_t off;
};

/* Families of operations that vary with an ALU or jump opcode are 64
 * wide, indexed by the opcode's operation and source bits and its width. */
#define VOP_SLOT(code)                                                         \
	((((code) >> 3) << 1) |                                                \
	 (BPFVM_CLASS(code) == BPFVM_ALU || BPFVM_CLASS(code) == BPFVM_JMP32))

enum vop {
	VOP_SDIV64_K = 256,
	VOP_SDIV64_X,
	VOP_SDIV32_K,
	VOP_SDIV32_X,
	VOP_SMOD64_K,
	VOP_SMOD64_X,
	VOP_SMOD32_K,
	VOP_SMOD32_X,
	VOP_MOVSX64_8,
	VOP_MOVSX64_16,
	VOP_MOVSX64_32,
	VOP_MOVSX32_8,
	VOP_MOVSX32_16,
	VOP_ZEXT16, /* le16 on a little-endian host */
	VOP_ZEXT32,
	VOP_NOP64,
	VOP_BSWAP16,
	VOP_BSWAP32,
	VOP_BSWAP64,
	VOP_CALL_LOCAL,
	/* atomics: base + 0..3 add/or/and/xor, +4..7 with fetch, +8 xchg,
	 * +9 cmpxchg */
	VOP_ATOMIC64,
	VOP_ATOMIC32 = VOP_ATOMIC64 + 10,
	VOP_INVALID = VOP_ATOMIC32 + 10, /* second slot of lddw */
	/* + (opcode & 0x1f): ldx, st or stx at r10 + off inside the frame,
	 * which needs no bounds check (r10 is never written) */
	VOP_FRAME,

	/* Fused sequences; t, d, s, a, b registers, k a constant. */
	/* + VOP_SLOT(alu): d = a; d op= b (the three-operand d = a op b) */
	VOP_MOV_ALU = VOP_FRAME + 32,
	/* + (width 32 ? 9 : 0) + 3 * op1 + op2, add 0, sub 1, xor 2:
	 * d op1= a; d op2= b (a hash's mixing) */
	VOP_ALU2 = VOP_MOV_ALU + 64,
	/* + VOP_SLOT(jump): a jump after d += k, d = s or d = k (a loop's
	 * latch, the copies before it, a return value) */
	VOP_ADD_JMP = VOP_ALU2 + 18,
	VOP_MOVX_JMP = VOP_ADD_JMP + 64,
	VOP_MOVK_JMP = VOP_MOVX_JMP + 64,
	/* + VOP_SLOT(jeq or jne): t = a; t &= k; if t == b goto (a test of
	 * flags), the and in 64 or 32 bits */
	VOP_TEST64_JMP = VOP_MOVK_JMP + 64,
	VOP_TEST32_JMP = VOP_TEST64_JMP + 64,
	/* t = x; t >>= r; d = x; d <<= l; d |= t (a rotate) */
	VOP_ROT32 = VOP_TEST32_JMP + 64,
	VOP_ROT64,
	/* + size >> 3: t = a; t += b; d = *(t + off) (an element a[b]) */
	VOP_LDX_INDEXED,
	/* + (size >> 3) * 2 + (xor ? 1 : 0): t = *(a + off); d += t or
	 * d ^= t (a sum or a hash), after a load or an indexed one */
	VOP_LDX_ACC = VOP_LDX_INDEXED + 4,
	VOP_INDEXED_ACC = VOP_LDX_ACC + 8,
	VOP_COUNT = VOP_INDEXED_ACC + 8,
};

/* A global-data value an lddw points into: open to the program. */
struct static_region {
	uintptr_t lo;
	size_t len;
	bool writable;
};

struct bpfvm_prog {
	bpfvm *vm;
	uint32_t id;
	enum bpfvm_prog_type type;
	char *name;
	bpfvm_insn *insns;
	size_t count;
	struct vinsn *code;
	int64_t main_length; /* instructions of the main function */
	bool *func_start; /* per slot: a function begins here */
	bpfvm_map **maps; /* referenced by lddw, with a reference each */
	size_t nmaps;
	struct static_region *statics;
	size_t nstatics;
};

#define BPFVM_MAX_REGIONS 64
#define STACK_BYTES (BPFVM_STACK_SIZE * BPFVM_MAX_FRAMES)

struct region {
	uintptr_t lo;
	size_t len;
	bool writable;
};

/*
 * One run: the memory it may touch and what helpers change. The stack is
 * shared by nested callback runs, so a callback can use pointers into its
 * caller's frames. The interpreter keeps hot copies of the bounds.
 */
struct bpfvm_exec {
	const bpfvm_prog *prog; /* the program running (after tail calls) */
	bool checked;
	void *ctx;
	uintptr_t ctx_lo;
	size_t ctx_len;
	bool ctx_writable;
	uintptr_t pkt_lo; /* packet (XDP, skb), 0 when none */
	size_t pkt_len;
	bool pkt_changed;
	const bpfvm_prog *tail_target;
	int tail_calls;
	int depth; /* frames in use, across nested callback runs */
	int64_t budget;
	const char *abort_msg;
	bool failed; /* a nested callback run failed with this error */
	bpfvm_error failure;
	int nregions;
	int next_region; /* round-robin victim when the table is full */
	struct region regions[BPFVM_MAX_REGIONS];
	_Alignas(16) uint8_t stack[STACK_BYTES];
};

/* Decode insns (already checked) into prog->code. */
int bpfvm_decode(bpfvm_prog *prog, bpfvm_error *err);

/* The checked loop's code for each operation, for vinsn.handler. */
const void *const *bpfvm_interp_handlers(void);

/* Start a run of prog on ctx: the exec's regions and budget. */
void bpfvm_exec_init(bpfvm_exec *exec, const bpfvm_prog *prog, void *ctx,
		     size_t ctx_len, bool ctx_writable);
/* Derive the packet bounds from the context (XDP and skb programs). */
void bpfvm_exec_packet_bounds(bpfvm_exec *exec);

/* Run the function at start with r1-r5 = args in the interpreter. */
int bpfvm_interp(bpfvm_exec *exec, const struct vinsn *start,
		 const uint64_t args[5], uint64_t *r0, bpfvm_error *err);

/* Whether [a, a + size) is inside a region the run may use. */
bool bpfvm_exec_access_ok(const bpfvm_exec *exec, uint64_t a, uint64_t size,
			  bool write);

#endif
