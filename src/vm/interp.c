/* SPDX-License-Identifier: MIT */
/*
 * The interpreter: one jump table, every operation a few lines, threaded
 * dispatch (computed goto, through the handler decode stored in each
 * instruction). Registers live in a local array; the stack is the run's
 * (bpfvm_exec). The loop (interp_loop.h) is instantiated twice:
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

/*
 * The hot bounds: the context and the live stack frames. An access tests
 * the context first (decode proved most stack accesses, those at r10 +
 * off, and left the others unchecked), then the stack, then everything
 * else, out of line.
 */
struct bounds {
	uintptr_t ctx_lo;
	/* a - ctx_lo below these: 8 bytes at a are in the context (0 when
	 * it is shorter or, for ctx_write, read-only). Accesses in its last
	 * 7 bytes take the exact test, out of line. */
	size_t ctx_read, ctx_write;
	uintptr_t stack_lo;
	size_t stack_len;
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
	if (a - b->ctx_lo < (write ? b->ctx_write : b->ctx_read))
		return true;
	/* The stack is never shorter than size: a - lo past len - size
	 * (or below 0, wrapping) means outside. */
	if (a - b->stack_lo <= b->stack_len - size)
		return true;
	return bpfvm_exec_access_ok(b->exec, a, size, write);
}

/*
 * Whether a and b are the same instruction, in a way the compiler cannot
 * see through: JUMP, having checked that a guess in a register is the
 * target it loaded, must go on with the guess, and after a plain
 * comparison the compiler may use either (it takes the load). Other hosts
 * than x86-64 get the plain comparison: correct, only slower.
 */
static inline bool same(const struct vinsn *a, const struct vinsn *b)
{
#if defined(__x86_64__)
	bool eq;

	__asm__("cmp %2, %1" : "=@cce"(eq) : "r"(a), "r"(b));
	return eq;
#else
	return a == b;
#endif
}

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

#define INTERP_NAME    run_checked
#define INTERP_CHECKED 1
#include "vm/interp_loop.h"
#undef INTERP_NAME
#undef INTERP_CHECKED

#define INTERP_NAME    run_unchecked
#define INTERP_CHECKED 0
#include "vm/interp_loop.h"
#undef INTERP_NAME
#undef INTERP_CHECKED

int bpfvm_interp(bpfvm_exec *exec, const struct vinsn *start,
		 const uint64_t args[5], uint64_t *r0, bpfvm_error *err)
{
	return exec->checked ? run_checked(exec, start, args, r0, err, NULL)
			     : run_unchecked(exec, start, args, r0, err, NULL);
}

const void *const *bpfvm_interp_handlers(void)
{
	const void *const *handlers;

	run_checked(NULL, NULL, NULL, NULL, NULL, &handlers);
	return handlers;
}
