/* SPDX-License-Identifier: MIT */
/*
 * The interpreter: one jump table, every operation a few lines, threaded
 * dispatch (computed goto). Registers live in a local array; the stack is
 * the run's (bpfvm_exec). The loop (interp_loop.h) is instantiated twice:
 * checked (every memory access tested against the regions the program may
 * touch) for programs no verifier has proved, and unchecked for those it
 * has.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vm/vm_internal.h"

#define unlikely(x) __builtin_expect(!!(x), 0)

struct frame {
	const struct vinsn *ret;
	const bpfvm_prog *prog;
	uint64_t saved[4]; /* r6-r9 */
	uint64_t fp;
};

/* The hot bounds: the live stack frames and the context. */
struct bounds {
	uintptr_t stack_lo, stack_hi;
	uintptr_t ctx_lo;
	size_t ctx_len;
	bool ctx_writable;
	bpfvm_exec *exec;
};

static inline bool within(uint64_t a, uint64_t size, uintptr_t lo, size_t len)
{
	return a - lo < len && len - (a - lo) >= size;
}

bool bpfvm_exec_access_ok(const bpfvm_exec *x, uint64_t a, uint64_t size,
			  bool write)
{
	uintptr_t top = (uintptr_t)(x->stack + STACK_BYTES);
	size_t live = (size_t)(x->depth + 1) * BPFVM_STACK_SIZE;

	if (!x->checked)
		return true;
	if (within(a, size, top - live, live))
		return true;
	if (within(a, size, x->ctx_lo, x->ctx_len))
		return !write || x->ctx_writable;
	if (x->pkt_lo && within(a, size, x->pkt_lo, x->pkt_len))
		return true;
	for (int i = 0; i < x->nregions; i++) {
		const struct region *r = &x->regions[i];
		if (within(a, size, r->lo, r->len))
			return !write || r->writable;
	}
	return false;
}

static inline __attribute__((always_inline)) bool
access_ok(const struct bounds *b, uint64_t a, unsigned size, bool write)
{
	if (a - b->stack_lo <= b->stack_hi - b->stack_lo - size)
		return true;
	if (within(a, size, b->ctx_lo, b->ctx_len) && (!write || b->ctx_writable))
		return true;
	/* The packet and helper-given regions: less common, out of line. */
	return bpfvm_exec_access_ok(b->exec, a, size, write);
}

static uint16_t bswap16(uint16_t v) { return __builtin_bswap16(v); }
static uint32_t bswap32(uint32_t v) { return __builtin_bswap32(v); }
static uint64_t bswap64(uint64_t v) { return __builtin_bswap64(v); }

/* Legacy packet loads read big-endian data from the packet (the context
 * for raw programs); a load outside it ends the program with r0 = 0, as
 * in the kernel. */
static bool load_packet(const bpfvm_exec *x, int64_t off, unsigned size,
			uint64_t *out)
{
	const uint8_t *p = (const uint8_t *)(x->pkt_lo ? x->pkt_lo : x->ctx_lo);
	size_t len = x->pkt_lo ? x->pkt_len : x->ctx_len;
	uint64_t v = 0;

	if (!p || off < 0 || (uint64_t)off > len || len - (uint64_t)off < size)
		return false;
	for (unsigned i = 0; i < size; i++)
		v = v << 8 | p[off + i];
	*out = v;
	return true;
}

#define INTERP_NAME run_checked
#define INTERP_CHECKED 1
#include "vm/interp_loop.h"
#undef INTERP_NAME
#undef INTERP_CHECKED

#define INTERP_NAME run_unchecked
#define INTERP_CHECKED 0
#include "vm/interp_loop.h"
#undef INTERP_NAME
#undef INTERP_CHECKED

int bpfvm_interp(bpfvm_exec *exec, const struct vinsn *start,
		 const uint64_t args[5], uint64_t *r0, bpfvm_error *err)
{
	return exec->checked ? run_checked(exec, start, args, r0, err)
			     : run_unchecked(exec, start, args, r0, err);
}
