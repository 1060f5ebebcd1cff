/* SPDX-License-Identifier: MIT */
/*
 * The interpreter: one jump table, every operation a few lines, threaded
 * dispatch (computed goto). Registers live in a local array, stack frames
 * in a local buffer. The loop (interp_loop.h) is instantiated twice: checked (every memory
 * access tested against the regions the program may touch) for programs
 * no verifier has proved, and unchecked for those it has.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vm/vm_internal.h"

#define STACK_BYTES (BPFVM_STACK_SIZE * BPFVM_MAX_FRAMES)

struct frame {
	const struct vinsn *ret;
	uint64_t saved[4]; /* r6-r9 */
	uint64_t fp;
};

/* Where a run may read and write besides its own stack. */
struct bounds {
	uintptr_t stack_lo, stack_hi; /* live frames only */
	uintptr_t ctx_lo;
	size_t ctx_len;
	bpfvm_exec *exec;
};

/* Regions handed out by helpers: the uncommon case, kept out of line. */
static __attribute__((noinline)) bool in_allowed(const bpfvm_exec *x,
						 uint64_t a, unsigned size,
						 bool write)
{
	for (int i = 0; i < x->nregions; i++) {
		const struct region *r = &x->regions[i];
		if (a - r->lo < r->len && r->len - (a - r->lo) >= size)
			return !write || r->writable;
	}
	return false;
}

static inline __attribute__((always_inline)) bool
access_ok(const struct bounds *b, uint64_t a, unsigned size, bool write)
{
	if (a - b->stack_lo <= b->stack_hi - b->stack_lo - size)
		return true;
	if (a - b->ctx_lo < b->ctx_len && b->ctx_len - (a - b->ctx_lo) >= size)
		return true;
	return in_allowed(b->exec, a, size, write);
}

static uint16_t bswap16(uint16_t v) { return __builtin_bswap16(v); }
static uint32_t bswap32(uint32_t v) { return __builtin_bswap32(v); }
static uint64_t bswap64(uint64_t v) { return __builtin_bswap64(v); }

/* Legacy packet loads read big-endian data from the context; a load
 * outside it ends the program with r0 = 0, as in the kernel. */
static bool load_packet(const struct bounds *b, int64_t off, unsigned size,
			uint64_t *out)
{
	const uint8_t *p = (const uint8_t *)b->ctx_lo;
	uint64_t v = 0;

	if (off < 0 || (uint64_t)off > b->ctx_len ||
	    b->ctx_len - (uint64_t)off < size)
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

int bpfvm_interp(const bpfvm_prog *prog, void *ctx, size_t len, bool checked,
		 uint64_t *r0, bpfvm_error *err)
{
	return checked ? run_checked(prog, ctx, len, r0, err)
		       : run_unchecked(prog, ctx, len, r0, err);
}
