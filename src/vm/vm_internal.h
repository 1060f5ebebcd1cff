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

struct bpfvm {
	struct helper helpers[BPFVM_MAX_HELPER_ID + 1];
	uint64_t budget;
	void *user;
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

struct bpfvm_prog {
	const bpfvm *vm;
	bpfvm_insn *insns;
	size_t count;
	struct vinsn *code;
	int64_t main_length; /* instructions of the main function */
};

#define BPFVM_MAX_REGIONS 32

struct region {
	uintptr_t lo;
	size_t len;
	bool writable;
};

struct bpfvm_exec {
	void *user;
	const char *abort_msg;
	int nregions;
	struct region regions[BPFVM_MAX_REGIONS];
};

/* Decode insns (already checked) into prog->code. */
int bpfvm_decode(bpfvm_prog *prog, bpfvm_error *err);

/* Run prog in the interpreter; checked: test every memory access. */
int bpfvm_interp(const bpfvm_prog *prog, void *ctx, size_t len, bool checked,
		 uint64_t *r0, bpfvm_error *err);

#endif
