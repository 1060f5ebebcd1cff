#!/usr/bin/env bash
# Run one libFuzzer target for a bounded time from its seed corpus.
# usage: run.sh TARGET SEED_DIR WORK_DIR SECONDS
set -euo pipefail
target=$1 seeds=$2 work=$3 seconds=$4
mkdir -p "$work"
[ -d "$seeds" ] && cp -n "$seeds"/* "$work"/ 2>/dev/null || true
exec "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
	-print_final_stats=1 "$work"
