#!/bin/bash
# bench-physread: sequential physical read of a 2 GiB raw image and of the same memory as
# an ELF core (written by mf-dump -F elf) with `mf-read --phys -f raw 0 SIZE >/dev/null`,
# next to `cat FILE >/dev/null`, page cache warm; best of 5 runs each.  Target: >= 0.9.
#
#   BENCH_PHYSREAD_SIZE=2G   memory size (default 2G; K/M/G suffixes as head -c takes them)
#   BENCH_PHYSREAD_DIR=DIR   scratch directory (default: a mktemp dir, removed at the end)
# Needs mf-read and mf-dump on PATH (make bench sets it) and MF_PLUGIN_PATH.
set -eu

size=${BENCH_PHYSREAD_SIZE:-2G}
own_dir=0
if [ -z "${BENCH_PHYSREAD_DIR:-}" ]; then
	BENCH_PHYSREAD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/bench-physread.XXXXXX")
	own_dir=1
fi
dir=$BENCH_PHYSREAD_DIR
cleanup() { [ "$own_dir" = 0 ] || rm -rf "$dir"; }
trap cleanup EXIT

# run the real binaries, not libtool's wrapper scripts (a shell start per run would be
# counted against mf-read)
mfread=$(command -v mf-read)
mfdump=$(command -v mf-dump)
bindir=$(dirname "$mfread")
if [ -x "$bindir/.libs/mf-read" ]; then
	mfread=$bindir/.libs/mf-read
	LD_LIBRARY_PATH=$(cd "$bindir/../libcommon/.libs" 2>/dev/null && pwd)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	export LD_LIBRARY_PATH
fi

now() { date +%s%N; }
# best of 5 wall-clock times in microseconds of "$@" >/dev/null
best() {
	local b= s e t
	for _ in 1 2 3 4 5; do
		s=$(now)
		"$@" >/dev/null
		e=$(now)
		t=$(( (e - s) / 1000 ))
		if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
	done
	echo "$b"
}

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
