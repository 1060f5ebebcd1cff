#!/usr/bin/env bash
# The bpf_conformance suite from ../shared: every test passes, every
# negative file is refused with its expected message.
. "$(dirname "$0")/testlib.bash"
dir=$SHARED/conformance
if [ ! -d "$dir/tests" ]; then
	echo "skipping: $dir not found (the shared conformance suite runs in CI)"
	exit 77
fi

n=$(ls "$dir"/tests/*.data | wc -l)
"$BPFVM" conformance --interp "$dir"/tests/*.data >"$tmp/pos" 2>&1 || true
tail -n 1 "$tmp/pos"
checks=$((checks + 1))
grep -qx "$n passed, 0 failed" "$tmp/pos" || {
	grep -v '^PASS' "$tmp/pos" >&2
	fail "conformance tests: want '$n passed, 0 failed'"
}

# invalid_unknown_directive.data holds an unknown section before its
# "-- error" text, so that text is never read (upstream's runner skips the
# file): bpfvm refuses it naming the unknown directive.
exception=invalid_unknown_directive.data
n=$(ls "$dir"/negative/*.data | wc -l)
"$BPFVM" conformance -v --negative "$dir"/negative/*.data >"$tmp/neg" 2>&1 || true
tail -n 1 "$tmp/neg"
checks=$((checks + 1))
bad=$(grep -v '^PASS' "$tmp/neg" | grep -v '^[0-9]* passed' || true)
[ -z "$bad" ] || fail "negative files not refused as expected: $bad"
checks=$((checks + 1))
grep -q "$exception: .*Invalid directive" "$tmp/neg" ||
	fail "$exception: want a refusal naming the unknown directive"
finish
