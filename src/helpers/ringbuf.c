/* SPDX-License-Identifier: MIT */
/*
 * Ring buffer helpers: output, reserve, submit, discard, query.
 *
 * submit and discard take back a sample that reserve handed out; the
 * kernel's verifier proves the pointer is one (and is released exactly
 * once). Here every reserved sample is recorded, per thread, until it is
 * released: submit or discard of anything else stops the run instead of
 * letting the ring buffer code read a header before a forged pointer.
 * Only samples not yet released are recorded, so a record left by an
 * earlier run on this thread is still a live reservation, safe to release.
 */
#include <errno.h>
#include <inttypes.h>

#include "helpers/helpers_internal.h"

#define RESERVED_MAX 32 /* samples a thread may hold at once */

static _Thread_local void *reserved[RESERVED_MAX];

/* ringbuf_output(ringbuf, data, size, flags): copy data in as one sample.
 * 0, -EINVAL for unknown flags, -EAGAIN when there is no room. */
uint64_t bpfvm_bpf_ringbuf_output(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				  uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "ringbuf_output";
	bpfvm_map *map =
		bpfvm_h_map(exec, name, BPFVM_FUNC_ringbuf_output, 1, r1);

	if (!map || !bpfvm_h_readable(exec, name, 2, r2, r3))
		return 0;
	if (r4 & ~(uint64_t)(BPFVM_RB_NO_WAKEUP | BPFVM_RB_FORCE_WAKEUP))
		return BPFVM_ERR(EINVAL);
	return (uint64_t)bpfvm_ringbuf_output(map, (const void *)(uintptr_t)r2,
					      r3, r4);
}

/* ringbuf_reserve(ringbuf, size, flags): a sample of size bytes the
 * program may write, or NULL (no room, flags not 0, or this thread holds
 * RESERVED_MAX samples already). */
uint64_t bpfvm_bpf_ringbuf_reserve(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				   uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "ringbuf_reserve";
	bpfvm_map *map =
		bpfvm_h_map(exec, name, BPFVM_FUNC_ringbuf_reserve, 1, r1);
	void **slot = NULL;
	void *sample;

	if (!map || r3)
		return 0;
	for (int i = 0; i < RESERVED_MAX && !slot; i++)
		if (!reserved[i])
			slot = &reserved[i];
	if (!slot)
		return 0;
	sample = bpfvm_ringbuf_reserve(map, r2, r3);
	if (!sample)
		return 0;
	if (bpfvm_exec_allow(exec, sample, r2, true)) {
		bpfvm_ringbuf_discard(sample, 0);
		return bpfvm_h_abort(exec, name,
				     "too many regions handed to the program "
				     "in one run");
	}
	*slot = sample;
	return (uintptr_t)sample;
}

/* Take sample out of the record; false (run stopped) if it is not in. */
static bool release(bpfvm_exec *exec, const char *name, uint64_t sample)
{
	for (int i = 0; i < RESERVED_MAX; i++) {
		if (reserved[i] && (uintptr_t)reserved[i] == sample) {
			reserved[i] = NULL;
			return true;
		}
	}
	bpfvm_h_abort(exec, name,
		      "arg1 0x%" PRIx64
		      " is not a sample from ringbuf_reserve, or was "
		      "released already",
		      sample);
	return false;
}

uint64_t bpfvm_bpf_ringbuf_submit(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				  uint64_t r3, uint64_t r4, uint64_t r5)
{
	if (release(exec, "ringbuf_submit", r1))
		bpfvm_ringbuf_submit((void *)(uintptr_t)r1, r2);
	return 0;
}

uint64_t bpfvm_bpf_ringbuf_discard(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				   uint64_t r3, uint64_t r4, uint64_t r5)
{
	if (release(exec, "ringbuf_discard", r1))
		bpfvm_ringbuf_discard((void *)(uintptr_t)r1, r2);
	return 0;
}

/* ringbuf_query(ringbuf, flags): BPF_RB_AVAIL_DATA, RING_SIZE, CONS_POS,
 * PROD_POS; 0 for other flags. */
uint64_t bpfvm_bpf_ringbuf_query(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
				 uint64_t r3, uint64_t r4, uint64_t r5)
{
	bpfvm_map *map = bpfvm_h_map(exec, "ringbuf_query",
				     BPFVM_FUNC_ringbuf_query, 1, r1);

	return map ? bpfvm_ringbuf_query(map, r2) : 0;
}
