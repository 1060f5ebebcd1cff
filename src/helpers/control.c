/* SPDX-License-Identifier: MIT */
/* Control flow: tail_call and loop. */
#include <errno.h>
#include <inttypes.h>

#include "helpers/helpers_internal.h"

/*
 * tail_call(ctx, prog_array, index): go on in the program at index once
 * this helper returns, with the same context and stack top. As in the
 * kernel (___bpf_prog_run, JMP_TAIL_CALL) a tail call that cannot be made
 * does nothing and the caller goes on with its next instruction: index
 * out of range or an empty slot (r0 = -ENOENT here), the 33-call limit
 * reached (-ELOOP), or a program of another type (-EINVAL; the kernel
 * refuses to store one at map update). The kernel leaves r0 undefined
 * after a failed tail call (the helper is RET_VOID), so the codes are
 * bpfvm's.
 */
uint64_t bpfvm_bpf_tail_call(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
			     uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "tail_call";
	const bpfvm_prog *target;
	bpfvm_map *map;
	uint32_t index = (uint32_t)r3;

	if (r1 != (uintptr_t)bpfvm_exec_ctx(exec))
		return bpfvm_h_abort(
			exec, name,
			"arg1 0x%" PRIx64 " is not the program's context", r1);
	map = bpfvm_h_map(exec, name, BPFVM_FUNC_tail_call, 2, r2);
	if (!map)
		return 0;
	if (index >= bpfvm_map_get_spec(map)->max_entries)
		return BPFVM_ERR(ENOENT);
	target = bpfvm_map_prog_at(map, index);
	if (!target)
		return BPFVM_ERR(ENOENT);
	if (bpfvm_prog_get_type(target) != bpfvm_h_prog_type(exec))
		return BPFVM_ERR(EINVAL);
	if (bpfvm_exec_tail_call(exec, target))
		return BPFVM_ERR(ELOOP);
	return 0;
}

/*
 * loop(nr_loops, callback_fn, callback_ctx, flags): call callback(i, ctx)
 * for i = 0 .. nr_loops - 1 until it returns nonzero (the verifier allows
 * 0 and 1 only); returns the number of calls made. flags must be 0
 * (-EINVAL), nr_loops at most BPF_MAX_LOOPS, 8M (-E2BIG), as
 * kernel/bpf/bpf_iter.c bpf_loop.
 */
#define MAX_LOOPS (8u * 1024 * 1024)

uint64_t bpfvm_bpf_loop(bpfvm_exec *exec, uint64_t r1, uint64_t r2, uint64_t r3,
			uint64_t r4, uint64_t r5)
{
	uint32_t nr_loops = (uint32_t)r1;
	uint64_t args[5] = { 0, r3, 0, 0, 0 }, ret;
	uint32_t i;

	if (r4)
		return BPFVM_ERR(EINVAL);
	if (nr_loops > MAX_LOOPS)
		return BPFVM_ERR(E2BIG);
	for (i = 0; i < nr_loops; i++) {
		args[0] = i;
		/* a failed callback fails the run: r0 no longer matters */
		if (bpfvm_exec_callback(exec, r2, args, &ret))
			return BPFVM_ERR(EINVAL);
		if (ret)
			return i + 1;
	}
	return i;
}
