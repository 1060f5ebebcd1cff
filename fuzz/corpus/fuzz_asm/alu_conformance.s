# Arithmetic in the conformance syntax, with labels.
mov %r0, 0
mov32 %r1, 0xfffffff0
add %r0, %r1
sdiv32 %r1, 3
smod %r0, -7
arsh %r0, 2
neg32 %r1
movsx1664 %r2, %r1
bswap32 %r2
be16 %r2
le64 %r2
jslt %r0, %r2, less
xor %r0, %r0
less:
jset32 %r1, 0x80, +1
ja exit
exit
