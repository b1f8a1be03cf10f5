#!/bin/bash
# bench-ps.sh: time to list this machine's processes: mf-ps (msgpack and table) next to
# procs's `ps -e`, over RUNS runs each (hyperfine when installed, else a bash loop).
# Environment: RUNS (default 50); PATH must find the mf-ps to measure (make bench does).
set -euo pipefail
export LC_ALL=C
runs=${RUNS:-50}

. "$(dirname "$0")/bench-lib.sh"
# the real binary, not libtool's wrapper script (~9 ms of bash, sed and ls per run)
bench_bin mf-ps
mfps=$bench_bin_path
command -v ps >/dev/null || { echo "bench-ps: ps (procps) not found" >&2; exit 1; }
"$mfps" -f msgpack </dev/null >/dev/null || { echo "bench-ps: mf-ps fails" >&2; exit 1; }

nproc_count=$(ps -e --no-headers | wc -l)
echo "bench-ps: listing $nproc_count processes, $runs runs each ($mfps)"

# mean seconds of a command over $runs runs (after 3 warm-up runs)
bench_mean() {
	local cmd=$1 i t0 t1
	if command -v hyperfine >/dev/null; then
		local json
		json=$(mktemp)
		hyperfine -N --warmup 3 --runs "$runs" --export-json "$json" "$cmd" >/dev/null 2>&1 || {
			rm -f "$json"; echo "bench-ps: hyperfine failed on: $cmd" >&2; exit 1; }
		# the mean, without needing jq
		grep -m1 '"mean"' "$json" | sed -E 's/.*"mean": *([0-9.eE+-]+).*/\1/'
		rm -f "$json"
		return
	fi
	for i in 1 2 3; do bash -c "$cmd" >/dev/null; done
	t0=$(date +%s%N)
	for ((i = 0; i < runs; i++)); do bash -c "$cmd" >/dev/null; done
	t1=$(date +%s%N)
	awk -v a="$t0" -v b="$t1" -v n="$runs" 'BEGIN { printf "%.6f\n", (b - a) / n / 1e9 }'
}

# hyperfine -N runs without a shell (no redirections; output discarded); -o native keeps
# mf-ps from looking at stdin for a target record
ps_t=$(bench_mean "ps -e")
mp_t=$(bench_mean "$mfps -f msgpack -o native")
tb_t=$(bench_mean "$mfps -f table -o native")

awk -v ps="$ps_t" -v mp="$mp_t" -v tb="$tb_t" 'BEGIN {
	printf "  %-22s %9.2f ms\n", "ps -e", ps * 1000
	printf "  %-22s %9.2f ms   %.2fx the time of ps -e\n", "mf-ps -f msgpack", mp * 1000, mp / ps
	printf "  %-22s %9.2f ms   %.2fx the time of ps -e\n", "mf-ps -f table", tb * 1000, tb / ps
}'
