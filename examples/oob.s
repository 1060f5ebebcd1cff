# Reads 4 bytes past the end of its 4-byte memory: refused at run time.
ldxw %r0, [%r1+4]
exit
