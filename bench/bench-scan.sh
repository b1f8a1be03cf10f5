#!/bin/sh
# bench-scan: mf-scan GB/s over a raw file (default 1 GiB; BENCH_SCAN_MB changes it) and
# over a process's memory, for a string and a zero-heavy pattern, next to the limits:
# cat to /dev/null (page cache), grep -c -F, and yara with one rule, as ratios.
set -eu
MB=${BENCH_SCAN_MB:-1024}
dir=$(mktemp -d "${TMPDIR:-/tmp}/bench-scan.XXXXXX")
trap 'rm -rf "$dir"; [ -n "${mt:-}" ] && kill "$mt" 2>/dev/null; true' EXIT INT TERM
f=$dir/mem.raw
# mostly zeros with some text, like real memory; a marker every 64 MiB
python3 - "$f" "$MB" <<'PY'
import os, sys
f, mb = sys.argv[1], int(sys.argv[2])
blk = bytearray(1 << 20)
text = b'the quick brown fox jumps over the lazy dog 0123456789 ' * 64
with open(f, 'wb') as o:
    for i in range(mb):
        b = bytearray(blk)
        if i % 4 == 0:
            b[4096:4096 + len(text)] = text
        if i % 64 == 0:
            b[100:112] = b'MFBENCHMARK!'
        o.write(b)
PY
cat "$f" >/dev/null
now() { date +%s.%N; }
rate() { awk -v b=$((MB << 20)) -v s="$1" 'BEGIN { printf "%.2f", b / s / 1e9 }'; }
timeit() { t0=$(now); "$@" >/dev/null 2>&1 || true; t1=$(now); awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }'; }
c=$(timeit cat "$f"); cat_r=$(rate "$c")
g=$(timeit grep -c -F MFBENCHMARK "$f"); grep_r=$(rate "$g")
s=$(timeit mf-scan -c "raw:$f" --phys -s MFBENCHMARK -f msgpack); s_r=$(rate "$s")
z=$(timeit mf-scan -c "raw:$f" --phys -x '00 00 00 00 4d 46 00 00' -f msgpack); z_r=$(rate "$z")
gz=$(timeit grep -c -P '\x00\x00\x00\x00MF\x00\x00' "$f"); gz_r=$(rate "$gz")
echo "$MB MiB raw file:"
printf '  %-40s %6s GB/s\n' "cat > /dev/null (page cache)" "$cat_r"
printf '  %-40s %6s GB/s (%.2fx cat)\n' "mf-scan -s STRING" "$s_r" "$(awk -v a="$s_r" -v b="$cat_r" 'BEGIN { print a / b }')"
printf '  %-40s %6s GB/s\n' "grep -c -F STRING" "$grep_r"
printf '  %-40s %6s GB/s (%.2fx cat)\n' "mf-scan -x zero-heavy" "$z_r" "$(awk -v a="$z_r" -v b="$cat_r" 'BEGIN { print a / b }')"
printf '  %-40s %6s GB/s\n' "grep -c -P zero-heavy" "$gz_r"
if command -v yara >/dev/null 2>&1 && mf-scan --help | grep -q -- --yara; then
	printf 'rule m { strings: $a = "MFBENCHMARK" condition: $a }\n' >"$dir/r.yar"
	y=$(timeit yara -s "$dir/r.yar" "$f"); y_r=$(rate "$y")
	ys=$(timeit mf-scan -c "raw:$f" --phys -Y "$dir/r.yar" -f msgpack); ys_r=$(rate "$ys")
	printf '  %-40s %6s GB/s\n' "yara -s (one rule)" "$y_r"
	printf '  %-40s %6s GB/s (%.2fx yara)\n' "mf-scan -Y (one rule)" "$ys_r" "$(awk -v a="$ys_r" -v b="$y_r" 'BEGIN { print a / b }')"
fi
# a process: tests/mf-memtarget's 256 MiB of zeros and 3 MiB of pattern, when built
if [ -x "${MF_TOP_BUILDDIR:-.}/tests/mf-memtarget" ]; then
	"${MF_TOP_BUILDDIR:-.}/tests/mf-memtarget" >"$dir/mt.out" &
	mt=$!
	sleep 0.5
	t0=$(now)
	mf-scan -p "$mt" -s MFBENCHMARK -f msgpack -v 2>"$dir/v" >/dev/null || true
	t1=$(now)
	echo "process $mt: $(grep -o 'scanned.*' "$dir/v")"
fi
