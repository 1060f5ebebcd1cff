/* SPDX-License-Identifier: MIT */
/*
 * csum_diff(from, from_size, to, to_size, seed): the ones'-complement sum
 * of to minus that of from, plus seed, as the kernel computes it since
 * 6.13 (net/core/filter.c, "bpf_csum_diff: optimize and homogenize for
 * all archs"):
 *
 *	both sizes:  from32to16(csum_sub(csum_partial(to, seed),
 *					  csum_partial(from, 0)))
 *	to only:     from32to16(csum_partial(to, seed))
 *	from only:   from32to16(~csum_partial(from, ~seed))
 *	neither:     seed
 *
 * So the result is folded to 16 bits but not complemented (csum_fold
 * would complement it), any sizes work, odd ones included. Kernels before
 * 6.13 refused sizes not a multiple of 4 or adding up to more than 512
 * (-EINVAL) and returned the architecture's unfolded 32-bit sum; that
 * sum folds to the same 16 bits, so programs that fold the result
 * themselves (all that work on several architectures) see no difference.
 */
#include "helpers/helpers_internal.h"

static uint32_t add32(uint32_t a, uint32_t b)
{
	uint32_t r = a + b;

	return r + (r < a); /* end-around carry */
}

/* lib/checksum.c semantics: 16-bit words in memory order (host byte
 * order), a final odd byte as the low byte of a word, plus sum. */
static uint32_t csum_partial(const uint8_t *p, size_t len, uint32_t sum)
{
	uint64_t acc = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;
	if (len & 1)
		acc += p[len - 1];
	while (acc >> 32)
		acc = (acc & 0xffffffffu) + (acc >> 32);
	return add32((uint32_t)acc, sum);
}

static uint16_t from32to16(uint32_t x)
{
	x += x >> 16 | x << 16;
	return (uint16_t)(x >> 16);
}

uint64_t bpfvm_bpf_csum_diff(bpfvm_exec *exec, uint64_t r1, uint64_t r2,
			     uint64_t r3, uint64_t r4, uint64_t r5)
{
	const uint8_t *from = (const uint8_t *)(uintptr_t)r1;
	const uint8_t *to = (const uint8_t *)(uintptr_t)r3;
	uint32_t from_size = (uint32_t)r2, to_size = (uint32_t)r4;
	uint32_t seed = (uint32_t)r5;

	if (!bpfvm_h_readable(exec, "csum_diff", 1, r1, from_size) ||
	    !bpfvm_h_readable(exec, "csum_diff", 3, r3, to_size))
		return 0;
	if (from_size && to_size)
		return from32to16(add32(csum_partial(to, to_size, seed),
					~csum_partial(from, from_size, 0)));
	if (to_size)
		return from32to16(csum_partial(to, to_size, seed));
	if (from_size)
		return from32to16(~csum_partial(from, from_size, ~seed));
	return seed;
}
