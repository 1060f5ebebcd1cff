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
 * unpacked, every jump offset (ja32, local calls) in off, imm widened.
 */
struct vinsn {
	uint16_t op;
	uint8_t dst;
	uint8_t src;
	int32_t off;
	int64_t imm; /* lddw: the 64-bit value; local call: callee length */
};

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
	VOP_COUNT,
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
