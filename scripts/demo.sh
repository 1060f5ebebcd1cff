#!/usr/bin/env bash
# make demo: the bundled examples, end to end.
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
say() { printf '\n== %s\n' "$*"; }

say "embedding API: examples/embed.c (a host helper called per byte)"
"$build/embed_example"

say "assemble examples/fib.s and disassemble it (kernel syntax)"
"$build/bpfvm" asm examples/fib.s -o "$build/fib.bin"
"$build/bpfvm" disasm "$build/fib.bin" --pc

say "run it: fib(90) with n in memory (r1 points at it)"
"$build/bpfvm" run "$build/fib.bin" --mem "5a 00 00 00 00 00 00 00"

say "a program that reads outside its memory is stopped, not the host"
"$build/bpfvm" run examples/oob.s --mem "01 02 03 04" || true
