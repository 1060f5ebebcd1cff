; Stack traffic and atomics in the kernel syntax.
r1 = 0x1122334455667788 ll
*(u64 *)(r10 - 8) = r1
*(u32 *)(r10 - 12) = 7
w2 = *(u32 *)(r10 - 12)
r3 = *(s16 *)(r10 - 8)
lock *(u64 *)(r10 - 8) += r2
r2 = atomic_fetch_xor((u64 *)(r10 - 8), r2)
w4 = xchg32_32(r10 - 12, w4)
r0 = cmpxchg_64(r10 - 8, r0, r2)
if w2 s>= 3 goto +1
r0 = -r0
exit
