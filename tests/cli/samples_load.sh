#!/usr/bin/env bash
# Every object of ../shared/samples is loaded into bpfvm (maps created,
# programs checked and prepared) or refused with a specific reason: a map,
# a section or an instruction named, and why. Counts per project.
. "$(dirname "$0")/testlib.bash"
dir=$SHARED/samples
if [ ! -d "$dir" ]; then
	echo "skipping: $dir not found (the samples corpus runs in CI)"
	exit 77
fi
for project in "$dir"/*/; do
	loaded=0 refused=0
	for obj in "$project"*.o; do
		checks=$((checks + 1))
		if "$BPFVM" map dump "$obj" >/dev/null 2>"$tmp/err"; then
			loaded=$((loaded + 1))
			continue
		fi
		refused=$((refused + 1))
		grep -qE "(insn [0-9]+|map '|section [0-9]+|program ')" "$tmp/err" ||
			fail "$obj: refusal names nothing: $(cat "$tmp/err")"
		grep -q "Sanitizer\|Segmentation" "$tmp/err" && fail "$obj: crashed"
	done
	printf '%-12s loaded %3d, refused %3d\n' "$(basename "$project")" \
		"$loaded" "$refused"
done
finish
