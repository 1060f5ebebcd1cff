#!/usr/bin/env bash
# The CLI contract: run, asm, disasm, plugin and their errors.
. "$(dirname "$0")/testlib.bash"
ex=$SRC/examples

expect_out "run .s" "0x8" "$BPFVM" run "$ex/fib.s" --mem "06 00 00 00 00 00 00 00"
"$BPFVM" asm "$ex/fib.s" -o "$tmp/fib.bin" || fail "asm"
expect_out "run .bin" "0x27f80ddaa1ba7878" \
	"$BPFVM" run "$tmp/fib.bin" --mem "5a00000000000000"
expect_out "run --mem-file" "0x8" sh -c \
	"printf '\006\0\0\0\0\0\0\0' >'$tmp/m' && '$BPFVM' run '$tmp/fib.bin' --mem-file '$tmp/m'"

# disasm in both syntaxes assembles back to the same bytes.
for syntax in kernel conformance; do
	"$BPFVM" disasm "$tmp/fib.bin" --syntax $syntax >"$tmp/fib.$syntax.s" ||
		fail "disasm $syntax"
	"$BPFVM" asm "$tmp/fib.$syntax.s" -o "$tmp/fib.$syntax.bin" || fail "reasm $syntax"
	checks=$((checks + 1))
	cmp -s "$tmp/fib.bin" "$tmp/fib.$syntax.bin" || fail "round trip ($syntax) differs"
done

# Errors name the instruction or line and fail the command.
expect_err "out of bounds" "insn 0: invalid memory access" \
	"$BPFVM" run "$ex/oob.s" --mem "01 02 03 04"
printf 'mov %%r0, 1\nbogus %%r1\nexit\n' >"$tmp/bad.s"
expect_err "bad mnemonic" "line 2" "$BPFVM" run "$tmp/bad.s"
printf 'mov %%r0, 1\n' >"$tmp/noexit.s"
expect_err "falls off the end" "insn 0" "$BPFVM" run "$tmp/noexit.s"
printf 'loop:\nja loop\n' >"$tmp/loop.s"
expect_err "budget" "budget" "$BPFVM" run "$tmp/loop.s" --budget 1000
expect_err "bad hex" "invalid hex" "$BPFVM" run "$ex/fib.s" --mem "0g"
expect_err "missing file" "no/such/file" "$BPFVM" run no/such/file.s
printf '\x95\0\0\0\0\0\0\0\x95' >"$tmp/partial.bin"
expect_err "partial insn" "not a whole number" "$BPFVM" run "$tmp/partial.bin"
expect_err "unknown command" "unknown command" "$BPFVM" frobnicate
expect_err "jit not yet" "--jit" "$BPFVM" run "$ex/fib.s" --jit

# The bpf_conformance plugin protocol, both ways the runner may call it.
prog="b7 00 00 00 07 00 00 00 95 00 00 00 00 00 00 00" # r0 = 7; exit
expect_out "plugin" "7" sh -c "echo '$prog' | '$BPFVM' plugin"
expect_out "plugin as runner" "7" sh -c "echo '$prog' | '$BPFVM' '' plugin"
memprog="61 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00" # r0 = *(u32 *)r1
expect_out "plugin memory" "4030201" sh -c \
	"echo '$memprog' | '$BPFVM' plugin --interp '01 02 03 04'"
checks=$((checks + 1))
out=$(echo "95 00 01 00 00 00 00 00" | "$BPFVM" plugin) &&
	fail "plugin accepted a bad program" ||
	case $out in *"insn 0"*) ;; *) fail "plugin error text: $out" ;; esac
finish
