#!/bin/bash
# bench-physread: sequential physical read of a 2 GiB raw image and of the same memory as
# an ELF core (written by mf-dump -F elf) with `mf-read --phys -f raw 0 SIZE >/dev/null`,
# next to `cat FILE >/dev/null`, page cache warm; best of 5 runs each.  Target: >= 0.9.
#
#   BENCH_PHYSREAD_SIZE=2G   memory size (default 2G; K/M/G suffixes as head -c takes them)
#   BENCH_PHYSREAD_DIR=DIR   scratch directory (default: a mktemp dir, removed at the end)
# Needs mf-read and mf-dump on PATH (make bench sets it) and MF_PLUGIN_PATH.
set -eu
. "$(dirname "$0")/bench-lib.sh"

size=${BENCH_PHYSREAD_SIZE:-2G}
bench_scratch bench-physread "${BENCH_PHYSREAD_DIR:-}"
dir=$bench_dir
bench_bin mf-read
mfread=$bench_bin_path
mfdump=$(command -v mf-dump)
# best of 5 wall-clock times in microseconds of "$@" >/dev/null
best() { bench_best_us 5 "$@"; }

raw=$dir/mem.raw
elf=$dir/mem.elf
head -c "$size" /dev/urandom >"$raw"
bytes=$(stat -c %s "$raw")
"$mfdump" -q -c "raw:$raw" -F elf -o "$elf"
printf '%-5s %12s %12s %10s %10s %7s\n' file bytes cat_us mf-read_us mf-read_MB/s ratio
for f in "$raw" "$elf"; do
	cat "$f" >/dev/null   # warm the page cache
	c=$(best cat "$f")
	m=$(best "$mfread" --phys -c "$f" -f raw 0 "$bytes")
	printf '%-5s %12s %12s %10s %10s %7s\n' "${f##*.}" "$bytes" "$c" "$m" \
		"$(( bytes / m ))" "$(echo "scale=3; $c / $m" | bc)"
done
