/* SPDX-License-Identifier: MIT */
/* One run's state, and what helpers may ask of it. */
#include <stdint.h>
#include <string.h>

#include "bpfvm/ctx.h"
#include "vm/vm_internal.h"

void bpfvm_exec_init(bpfvm_exec *exec, const bpfvm_prog *prog, void *ctx,
		     size_t ctx_len, bool ctx_writable)
{
	const bpfvm *vm = prog->vm;

	exec->prog = prog;
	exec->checked = true;
	exec->ctx = ctx;
	exec->ctx_lo = (uintptr_t)ctx;
	exec->ctx_len = ctx ? ctx_len : 0;
	exec->ctx_writable = ctx_writable;
	exec->pkt_lo = 0;
	exec->pkt_len = 0;
	exec->pkt_changed = false;
	exec->tail_target = NULL;
	exec->tail_calls = 0;
	exec->depth = 0;
	exec->budget = vm->budget && vm->budget < INT64_MAX
			       ? (int64_t)vm->budget
			       : INT64_MAX;
	exec->abort_msg = NULL;
	exec->failed = false;
	exec->nregions = 0;
	exec->next_region = 0;
	for (size_t i = 0; i < prog->nstatics; i++)
		bpfvm_exec_allow(exec, (void *)prog->statics[i].lo,
				 prog->statics[i].len,
				 prog->statics[i].writable);
	/* The first frame starts zeroed: no host data leaks into a program
	 * that reads stack it did not write. */
	memset(exec->stack + STACK_BYTES - BPFVM_STACK_SIZE, 0,
	       BPFVM_STACK_SIZE);
}

void bpfvm_exec_packet_bounds(bpfvm_exec *exec)
{
	uint32_t lo, hi;

	switch (exec->prog->type) {
	case BPFVM_PROG_XDP: {
		const struct bpfvm_xdp_md *md = exec->ctx;
		lo = md->data_meta;
		hi = md->data_end;
		break;
	}
	case BPFVM_PROG_SOCKET_FILTER:
	case BPFVM_PROG_SCHED_CLS:
	case BPFVM_PROG_SCHED_ACT: {
		const struct bpfvm_sk_buff *md = exec->ctx;
		lo = md->data_meta ? md->data_meta : md->data;
		hi = md->data_end;
		break;
	}
	default:
		return;
	}
	exec->pkt_lo = lo;
	exec->pkt_len = hi >= lo ? hi - lo : 0;
}

void *bpfvm_exec_user(const bpfvm_exec *exec)
{
	return exec->prog->vm->user;
}

const bpfvm_prog *bpfvm_exec_prog(const bpfvm_exec *exec)
{
	return exec->prog;
}

const bpfvm *bpfvm_exec_vm(const bpfvm_exec *exec)
{
	return exec->prog->vm;
}

void *bpfvm_exec_ctx(const bpfvm_exec *exec)
{
	return exec->ctx;
}

/* Regions helpers hand out: the same one twice takes one slot; when the
 * table is full the oldest is reused (a program that still holds that
 * pointer then faults, never the host). */
int bpfvm_exec_allow(bpfvm_exec *exec, const void *ptr, size_t len,
		     bool writable)
{
	struct region r = { (uintptr_t)ptr, len, writable };

	if (!exec->checked)
		return 0;
	for (int i = 0; i < exec->nregions; i++)
		if (exec->regions[i].lo == r.lo && exec->regions[i].len >= len &&
		    exec->regions[i].writable == writable)
			return 0;
	if (exec->nregions < BPFVM_MAX_REGIONS) {
		exec->regions[exec->nregions++] = r;
		return 0;
	}
	/* Global data (the first, static regions) stays. */
	int first = (int)exec->prog->nstatics;
	if (first >= BPFVM_MAX_REGIONS)
		return -1;
	if (exec->next_region < first)
		exec->next_region = first;
	exec->regions[exec->next_region] = r;
	exec->next_region = exec->next_region + 1 < BPFVM_MAX_REGIONS
				    ? exec->next_region + 1
				    : first;
	return 0;
}

bool bpfvm_exec_readable(const bpfvm_exec *exec, uint64_t addr, uint64_t len)
{
	return len == 0 || bpfvm_exec_access_ok(exec, addr, len, false);
}

bool bpfvm_exec_writable(const bpfvm_exec *exec, uint64_t addr, uint64_t len)
{
	return len == 0 || bpfvm_exec_access_ok(exec, addr, len, true);
}

bpfvm_map *bpfvm_exec_map(const bpfvm_exec *exec, uint64_t ptr)
{
	const bpfvm_prog *prog = exec->prog;

	for (size_t i = 0; i < prog->nmaps; i++)
		if ((uintptr_t)prog->maps[i] == ptr)
			return prog->maps[i];
	return NULL;
}

void bpfvm_exec_abort(bpfvm_exec *exec, const char *msg)
{
	exec->abort_msg = msg ? msg : "aborted by a helper";
}

void bpfvm_exec_packet_changed(bpfvm_exec *exec)
{
	exec->pkt_changed = true;
}

int bpfvm_exec_tail_call(bpfvm_exec *exec, const bpfvm_prog *target)
{
	/* Helper ids and map ids mean other things in another VM. */
	if (!target || exec->tail_calls >= BPFVM_MAX_TAIL_CALLS ||
	    target->vm != exec->prog->vm)
		return -1;
	exec->tail_calls++;
	exec->tail_target = target;
	return 0;
}

int bpfvm_exec_callback(bpfvm_exec *exec, uint64_t fn, const uint64_t args[5],
			uint64_t *ret)
{
	const bpfvm_prog *prog = exec->prog;
	const struct vinsn *start = (const struct vinsn *)(uintptr_t)fn;
	int saved_depth = exec->depth, rc;

	/* fn must be a function of this program (the program may be
	 * unverified and pass anything). */
	if (fn < (uintptr_t)prog->code ||
	    fn >= (uintptr_t)(prog->code + prog->count) ||
	    (fn - (uintptr_t)prog->code) % sizeof(struct vinsn) ||
	    !prog->func_start[start - prog->code]) {
		bpfvm_exec_abort(exec, "callback is not a function of the "
				       "program");
		return -1;
	}
	if (exec->depth + 1 >= BPFVM_MAX_FRAMES) {
		bpfvm_exec_abort(exec, "callback: the call stack is too deep");
		return -1;
	}
	/* Charge the function's length, as a local call does. */
	size_t at = (size_t)(start - prog->code), end = at + 1;
	while (end < prog->count && !prog->func_start[end])
		end++;
	if ((exec->budget -= (int64_t)(end - at)) < 0) {
		bpfvm_fail(&exec->failure, (int)at, "instruction budget of "
			   "%llu exhausted (a runaway loop?)",
			   (unsigned long long)prog->vm->budget);
		exec->failed = true;
		exec->abort_msg = exec->failure.msg;
		return -1;
	}
	exec->depth++;
	if (exec->checked)
		memset(exec->stack + STACK_BYTES -
			       (size_t)(exec->depth + 1) * BPFVM_STACK_SIZE,
		       0, BPFVM_STACK_SIZE);
	rc = bpfvm_interp(exec, start, args, ret, &exec->failure);
	exec->depth = saved_depth;
	exec->prog = prog;
	if (rc) {
		exec->failed = true;
		exec->abort_msg = exec->failure.msg;
	}
	return rc;
}

bool bpfvm_exec_clock(const bpfvm_exec *exec, uint64_t *ns)
{
	const bpfvm *vm = exec->prog->vm;

	if (!vm->clock)
		return false;
	*ns = vm->clock(vm->clock_user);
	return true;
}

int bpfvm_exec_revoke(bpfvm_exec *exec, const void *ptr)
{
	for (int i = exec->nregions - 1; i >= (int)exec->prog->nstatics; i--)
		if (exec->regions[i].lo == (uintptr_t)ptr) {
			exec->regions[i] = exec->regions[--exec->nregions];
			if (exec->next_region > exec->nregions)
				exec->next_region = exec->nregions;
			return 0;
		}
	return -1;
}

void bpfvm_exec_print(bpfvm_exec *exec, const char *line)
{
	const bpfvm *vm = exec->prog->vm;
	vm->print(vm->print_user, line);
}
