/* SPDX-License-Identifier: MIT */
/*
 * bpfvm VM: load checked bytecode, register helpers, run programs.
 *
 * Embedding in five calls:
 *
 *     bpfvm *vm = bpfvm_new();
 *     bpfvm_register_helper(vm, 5, "ktime_get_ns", my_ktime);
 *     bpfvm_prog *prog = bpfvm_load(vm, insns, count, &err);
 *     if (!prog || bpfvm_run(prog, buf, len, &r0, &err) < 0)
 *             fprintf(stderr, "insn %d: %s\n", err.insn, err.msg);
 *     bpfvm_prog_free(prog); bpfvm_free(vm);
 *
 * A program starts with r1 = the context pointer, r2 = its length (the
 * "raw memory" program type) and r10 = the top of a fresh 512-byte stack.
 * Until a program has been verified, every load, store and atomic is
 * checked at run time against the regions it may touch: the stacks of its
 * live frames, the context it was given, and regions the host or a helper
 * allowed. A bad access stops it with an error naming the instruction and
 * address; it never touches other host memory.
 *
 * Objects are not thread-safe to build (new, register, load), but a loaded
 * program may run on several threads at once: runs share no mutable state.
 */
#ifndef BPFVM_VM_H
#define BPFVM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bpfvm bpfvm;
typedef struct bpfvm_prog bpfvm_prog;
typedef struct bpfvm_exec bpfvm_exec; /* one run in progress */

#define BPFVM_MAX_HELPER_ID 1023
#define BPFVM_DEFAULT_BUDGET 1000000000ull /* instructions a run may spend */

/*
 * A helper: called with the running program's state and r1-r5; its
 * return value becomes r0. Helpers may call bpfvm_exec_allow to let the
 * program access memory they hand out, and bpfvm_exec_abort to stop it.
 */
typedef uint64_t (*bpfvm_helper_fn)(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				    uint64_t r3, uint64_t r4, uint64_t r5);

bpfvm *bpfvm_new(void);
void bpfvm_free(bpfvm *vm);

/* Register fn as helper id (0 < id <= BPFVM_MAX_HELPER_ID); name is kept
 * for messages. Replaces an earlier registration. Returns 0 or -1. */
int bpfvm_register_helper(bpfvm *vm, uint32_t id, const char *name,
			  bpfvm_helper_fn fn);
/* Name of a registered helper, or NULL. */
const char *bpfvm_helper_name(const bpfvm *vm, uint32_t id);

/* Instruction budget of each run (0: unlimited). The count is charged
 * conservatively: a function's length on entry and a loop's length on each
 * back-edge, so a run never executes more than the budget. */
void bpfvm_set_budget(bpfvm *vm, uint64_t budget);

/* Opaque pointer handed to helpers through bpfvm_exec_user. */
void bpfvm_set_user(bpfvm *vm, void *user);

/*
 * Copy, check (bpfvm_check, r1|r2|r10 initialised) and prepare a program.
 * Calls to helpers must name registered ids. The program keeps a reference
 * to vm's helper table: free programs before their vm.
 * Returns NULL with err filled on rejection.
 */
bpfvm_prog *bpfvm_load(bpfvm *vm, const bpfvm_insn *insns, size_t count,
		       bpfvm_error *err);
void bpfvm_prog_free(bpfvm_prog *prog);

const bpfvm_insn *bpfvm_prog_insns(const bpfvm_prog *prog, size_t *count);

/*
 * Run prog with r1 = ctx, r2 = len; ctx[0, len) is readable and writable
 * by the program. On success *r0 holds the return value and 0 is returned;
 * on a run-time error (bad access, budget exhausted, call too deep, helper
 * abort) -1 is returned with err naming the instruction.
 */
int bpfvm_run(const bpfvm_prog *prog, void *ctx, size_t len, uint64_t *r0,
	      bpfvm_error *err);

/* For helpers. */
void *bpfvm_exec_user(const bpfvm_exec *exec);
/* Let the running program access [ptr, ptr + len) until it returns.
 * Returns 0, or -1 when the table of allowed regions is full. */
int bpfvm_exec_allow(bpfvm_exec *exec, const void *ptr, size_t len,
		     bool writable);
/* Stop the program once the helper returns; the run fails with msg. */
void bpfvm_exec_abort(bpfvm_exec *exec, const char *msg);

#ifdef __cplusplus
}
#endif
#endif
