# Packet loads of the legacy group.
r6 = r1
ldabsb 12
ldindh %r6, -2
r0 = *(u32 *)skb[r6 + 4]
r0 = *(u16 *)skb[23]
stxb [%r10-1], %r0
lock fetch or32 [%r10-4], %r0
exit
