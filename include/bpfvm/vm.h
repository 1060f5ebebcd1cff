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
#include "maps.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Program types: the kernel's numbering (enum bpf_prog_type). The type
 * decides the context a program gets and (with the verifier) what it may
 * do. BPFVM_PROG_RAW is bpfvm's own: r1 = memory, r2 = its length. */
enum bpfvm_prog_type {
	BPFVM_PROG_UNSPEC = 0,
	BPFVM_PROG_SOCKET_FILTER = 1,
	BPFVM_PROG_KPROBE = 2,
	BPFVM_PROG_SCHED_CLS = 3,
	BPFVM_PROG_SCHED_ACT = 4,
	BPFVM_PROG_TRACEPOINT = 5,
	BPFVM_PROG_XDP = 6,
	BPFVM_PROG_PERF_EVENT = 7,
	BPFVM_PROG_CGROUP_SKB = 8,
	BPFVM_PROG_CGROUP_SOCK = 9,
	BPFVM_PROG_LWT_IN = 10,
	BPFVM_PROG_LWT_OUT = 11,
	BPFVM_PROG_LWT_XMIT = 12,
	BPFVM_PROG_SOCK_OPS = 13,
	BPFVM_PROG_SK_SKB = 14,
	BPFVM_PROG_CGROUP_DEVICE = 15,
	BPFVM_PROG_SK_MSG = 16,
	BPFVM_PROG_RAW_TRACEPOINT = 17,
	BPFVM_PROG_CGROUP_SOCK_ADDR = 18,
	BPFVM_PROG_LWT_SEG6LOCAL = 19,
	BPFVM_PROG_LIRC_MODE2 = 20,
	BPFVM_PROG_SK_REUSEPORT = 21,
	BPFVM_PROG_FLOW_DISSECTOR = 22,
	BPFVM_PROG_CGROUP_SYSCTL = 23,
	BPFVM_PROG_RAW_TRACEPOINT_WRITABLE = 24,
	BPFVM_PROG_CGROUP_SOCKOPT = 25,
	BPFVM_PROG_TRACING = 26,
	BPFVM_PROG_STRUCT_OPS = 27,
	BPFVM_PROG_EXT = 28,
	BPFVM_PROG_LSM = 29,
	BPFVM_PROG_SK_LOOKUP = 30,
	BPFVM_PROG_SYSCALL = 31,
	BPFVM_PROG_NETFILTER = 32,
	BPFVM_PROG_RAW = 0x10000,
};

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
 * for messages. fn NULL records only the name: programs calling the id
 * are refused naming it. Replaces an earlier registration. Returns 0 or
 * -1. */
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

/* The clock bpf_ktime_get_ns reads: fn (nanoseconds) instead of
 * CLOCK_MONOTONIC, e.g. packet timestamps when replaying a capture; NULL
 * restores the real clock. */
typedef uint64_t (*bpfvm_clock_fn)(void *user);
void bpfvm_set_clock(bpfvm *vm, bpfvm_clock_fn fn, void *user);

/* Printing from programs (bpf_trace_printk): each line goes to fn, by
 * default stderr in the kernel's trace_pipe format. */
typedef void (*bpfvm_print_fn)(void *user, const char *line);
void bpfvm_set_print(bpfvm *vm, bpfvm_print_fn fn, void *user);

/*
 * Maps and programs by id, as the kernel's file descriptors: an lddw with
 * src BPFVM_PSEUDO_MAP_FD names a map by id, PROG_ARRAY values and
 * map-in-map values are ids. bpfvm_add_map takes a reference and returns
 * the map's id (>= 1), or -1 when the table is full. Programs get ids when
 * loaded.
 */
int bpfvm_add_map(bpfvm *vm, bpfvm_map *map);
bpfvm_map *bpfvm_get_map(const bpfvm *vm, uint32_t id);
bpfvm_prog *bpfvm_get_prog(const bpfvm *vm, uint32_t id);

/*
 * Copy, check (bpfvm_check) and prepare a program of the given type (its
 * context decides which registers start initialised). lddw map references
 * (src BPFVM_PSEUDO_MAP_FD / MAP_VALUE) must name maps added to vm, helper
 * calls registered helpers. The program holds references to its maps and
 * to vm's tables: free programs before their vm.
 * bpfvm_load is bpfvm_load_typed with BPFVM_PROG_RAW and no name.
 * Returns NULL with err filled on rejection.
 */
bpfvm_prog *bpfvm_load_typed(bpfvm *vm, enum bpfvm_prog_type type,
			     const char *name, const bpfvm_insn *insns,
			     size_t count, bpfvm_error *err);
bpfvm_prog *bpfvm_load(bpfvm *vm, const bpfvm_insn *insns, size_t count,
		       bpfvm_error *err);
void bpfvm_prog_free(bpfvm_prog *prog);

const bpfvm_insn *bpfvm_prog_insns(const bpfvm_prog *prog, size_t *count);
bpfvm *bpfvm_prog_vm(const bpfvm_prog *prog);
uint32_t bpfvm_prog_id(const bpfvm_prog *prog);
enum bpfvm_prog_type bpfvm_prog_get_type(const bpfvm_prog *prog);
const char *bpfvm_prog_name(const bpfvm_prog *prog);

/*
 * Run prog with r1 = ctx, r2 = len; ctx[0, len) is readable and writable
 * by the program. On success *r0 holds the return value and 0 is returned;
 * on a run-time error (bad access, budget exhausted, call too deep, helper
 * abort) -1 is returned with err naming the instruction.
 * (XDP and socket programs run through ctx.h.)
 */
int bpfvm_run(const bpfvm_prog *prog, void *ctx, size_t len, uint64_t *r0,
	      bpfvm_error *err);

/*
 * For helpers.
 */
void *bpfvm_exec_user(const bpfvm_exec *exec);
const bpfvm_prog *bpfvm_exec_prog(const bpfvm_exec *exec);
const bpfvm *bpfvm_exec_vm(const bpfvm_exec *exec);
/* The context the run started with (r1), e.g. a bpfvm_xdp_buff. */
void *bpfvm_exec_ctx(const bpfvm_exec *exec);
/* Let the running program access [ptr, ptr + len) until it returns.
 * When the table of regions is full the oldest a helper allowed is
 * reused (a program still holding that pointer then faults, never the
 * host). Returns 0 (-1 only if global data fills the whole table). */
int bpfvm_exec_allow(bpfvm_exec *exec, const void *ptr, size_t len,
		     bool writable);
/* Withdraw the latest region allowed at ptr (a submitted ring buffer
 * sample, a for_each element). Returns 0, or -1 if none. */
int bpfvm_exec_revoke(bpfvm_exec *exec, const void *ptr);
/* Whether the program may read (write) [addr, addr + len): helpers check
 * the pointers they are given. Always true for verified programs. */
bool bpfvm_exec_readable(const bpfvm_exec *exec, uint64_t addr, uint64_t len);
bool bpfvm_exec_writable(const bpfvm_exec *exec, uint64_t addr, uint64_t len);
/* The map behind a value the program passed as a map pointer, or NULL if
 * it is not one of the program's maps. */
bpfvm_map *bpfvm_exec_map(const bpfvm_exec *exec, uint64_t ptr);
/* Stop the program once the helper returns; the run fails with msg. */
void bpfvm_exec_abort(bpfvm_exec *exec, const char *msg);
/* The packet moved (xdp_adjust_head/tail/meta): re-derive its bounds. */
void bpfvm_exec_packet_changed(bpfvm_exec *exec);
/* Tail call: continue in target when the helper returns. Returns 0, or
 * -1 after BPFVM_MAX_TAIL_CALLS or when target belongs to another VM. */
int bpfvm_exec_tail_call(bpfvm_exec *exec, const bpfvm_prog *target);
/* Call the program's function at fn (a BPFVM_PSEUDO_FUNC value) with
 * r1-r5; its r0 in *ret. Returns 0, or -1 when fn is not a function of
 * the program or the call fails (the run then fails too). */
int bpfvm_exec_callback(bpfvm_exec *exec, uint64_t fn, const uint64_t args[5],
			uint64_t *ret);
/* The time for bpf_ktime_get_ns: the VM's clock if one is set (returns
 * true), else false and the helper reads CLOCK_MONOTONIC. */
bool bpfvm_exec_clock(const bpfvm_exec *exec, uint64_t *ns);
/* Print a line through the VM's print function. */
void bpfvm_exec_print(bpfvm_exec *exec, const char *line);

#define BPFVM_MAX_TAIL_CALLS 33 /* MAX_TAIL_CALL_CNT */

#ifdef __cplusplus
}
#endif
#endif
