#!/bin/sh
# bench-carve: mf-scan --carve net GB/s over a raw file in the page cache (default 1 GiB;
# BENCH_CARVE_MB changes it) next to cat to /dev/null, as a ratio: over mostly-zero memory
# with some text (like an idle guest's RAM) and over random bytes (the worst case: one
# byte in eight passes the first-byte filter).
set -eu
MB=${BENCH_CARVE_MB:-1024}
dir=$(mktemp -d "${TMPDIR:-/tmp}/bench-carve.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
# zeros with a block of text every 4 MiB (letters pass the first-byte filter), like an idle
# guest's RAM; and random bytes
truncate -s $((MB << 20)) "$dir/zero.raw"
i=0
while [ $i -lt $((MB / 4)) ]; do
	printf 'Hello LOOK at `this`: the quick brown fox jumps over the lazy dog 0123456789 %.0s' $(seq 64) |
		dd of="$dir/zero.raw" bs=4096 seek=$((i * 1024 + 1)) conv=notrunc status=none
	i=$((i + 1))
done
head -c $((MB << 20)) /dev/urandom >"$dir/random.raw"
now() { date +%s.%N; }
rate() { awk -v b=$((MB << 20)) -v s="$1" 'BEGIN { printf "%.2f", b / s / 1e9 }'; }
timeit() { t0=$(now); "$@" >/dev/null 2>&1 || true; t1=$(now); awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }'; }
for kind in zero random; do
	f=$dir/$kind.raw
	cat "$f" >/dev/null
	c=$(timeit cat "$f"); cat_r=$(rate "$c")
	s=$(timeit mf-scan -c "raw:$f" --phys --carve net -w "$dir/out.pcap" -f msgpack); s_r=$(rate "$s")
	echo "$MB MiB raw file, $kind:"
	printf '  %-40s %6s GB/s\n' "cat > /dev/null (page cache)" "$cat_r"
	printf '  %-40s %6s GB/s (%.2fx cat)\n' "mf-scan --carve net" "$s_r" "$(awk -v a="$s_r" -v b="$cat_r" 'BEGIN { print a / b }')"
done
