# Shared by the CLI tests: assertions that count and report.
# The runner sets BPFVM (the CLI), SRC (the source tree), SHARED, BUILD.
set -u
failures=0
checks=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { failures=$((failures + 1)); echo "FAIL: $*" >&2; }

# expect_out NAME EXPECTED_STDOUT CMD...: exit 0 and stdout equal.
expect_out() {
	local name=$1 want=$2 got rc
	shift 2
	checks=$((checks + 1))
	got=$("$@" 2>"$tmp/stderr") && rc=0 || rc=$?
	[ "$rc" -eq 0 ] && [ "$got" = "$want" ] ||
		fail "$name: exit $rc, stdout '$got' (want '$want'), stderr: $(cat "$tmp/stderr")"
}

# expect_err NAME STDERR_FRAGMENT CMD...: non-zero exit, stderr containing it.
expect_err() {
	local name=$1 want=$2 rc
	shift 2
	checks=$((checks + 1))
	"$@" >"$tmp/stdout" 2>"$tmp/stderr" && rc=0 || rc=$?
	[ "$rc" -ne 0 ] && { [ -z "$want" ] || grep -qF -- "$want" "$tmp/stderr"; } ||
		fail "$name: exit $rc, stderr '$(cat "$tmp/stderr")' lacks '$want'"
}

finish() {
	echo "$checks checks, $failures failed"
	[ "$failures" -eq 0 ]
}
