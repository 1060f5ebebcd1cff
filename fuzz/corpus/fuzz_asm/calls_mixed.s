# Both syntaxes, calls and raw slots.
mov %r1, 1
r2 = 5
call local twice
call 5
callx r2
call pc+1
gotol done
twice:
r0 = r1
r0 <<= 1
exit
done:
.insn 0x0000000000000095
