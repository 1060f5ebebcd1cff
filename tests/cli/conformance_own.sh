#!/usr/bin/env bash
# bpfvm's own .data tests (tests/data): they need nothing from ../shared.
. "$(dirname "$0")/testlib.bash"
pos=$(ls "$SRC"/tests/data/*.data | grep -v '/neg-' | wc -l)
neg=$(ls "$SRC"/tests/data/neg-*.data | wc -l)
expect_out "own tests" "$(printf '%s\n' "$pos passed, 0 failed")" \
	sh -c "'$BPFVM' conformance \$(ls '$SRC'/tests/data/*.data | grep -v /neg-) | tail -n 1"
expect_out "own negative tests" "$neg passed, 0 failed" \
	sh -c "'$BPFVM' conformance --negative '$SRC'/tests/data/neg-*.data | tail -n 1"
# A failing test must make the command fail.
printf -- '-- asm\nmov %%r0, 1\nexit\n-- result\n0x2\n' >"$tmp/wrong.data"
expect_err "wrong result fails" "" "$BPFVM" conformance "$tmp/wrong.data"
checks=$((checks + 1))
"$BPFVM" conformance "$tmp/wrong.data" | grep -q 'FAIL .*r0 = 0x1, expected 0x2' ||
	fail "wrong result: want a FAIL line naming both values"
finish
