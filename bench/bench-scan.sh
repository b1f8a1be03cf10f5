#!/bin/sh
# bench-scan: mf-scan over a raw file in the page cache (default 512 MiB; BENCH_SCAN_MB
# changes it) and over a live process holding the same bytes, for a string, a wildcard
# pattern, an aligned u32 value, a zero-heavy needle, a list of 1,000 strings (-F: compiled,
# and loaded from the cache of compiled lists) and YARA,
# next to the limit loop (bench-scan-limit.c: memchr on the rarest byte + compare over the
# same bytes read into a buffer, on every core), grep -c -a and the yara command, as ratios.
# Each figure is the best of BENCH_SCAN_REPS runs (default 3), mf-scan's wall time from its
# start to its exit (the real binary, not libtool's wrapper script in a build tree).  Run
# from `make bench`.
set -eu
MB=${BENCH_SCAN_MB:-512}
REPS=${BENCH_SCAN_REPS:-3}
NCPU=$(nproc)
. "$(dirname "$0")/bench-lib.sh"
src=$MF_TOP_SRCDIR
bench_bin mf-scan
mfscan=$bench_bin_path
dir=$(mktemp -d "${TMPDIR:-/tmp}/bench-scan.XXXXXX")
trap 'rm -rf "$dir"; [ -n "${holder:-}" ] && kill "$holder" 2>/dev/null; true' EXIT INT TERM
f=$dir/mem.raw
${CC:-cc} -O2 -pthread -o "$dir/limit" "$src/bench/bench-scan-limit.c"
# mostly zeros with some text, like real memory; markers every 64 MiB: a string, a u32
# (aligned), a zero-heavy needle; and the 1,000-string list (none of which is in the file)
python3 - "$f" "$MB" "$dir/list.txt" <<'PY'
import os, random, sys
f, mb, lst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
blk = bytearray(1 << 20)
text = b'the quick brown fox jumps over the lazy dog 0123456789 ' * 64
with open(f, 'wb') as o:
    for i in range(mb):
        b = bytearray(blk)
        if i % 4 == 0:
            b[4096:4096 + len(text)] = text
        if i % 64 == 0:
            b[100:112] = b'MFBENCHMARK!'
            b[200:204] = (0x4d46beef).to_bytes(4, 'little')
            b[300:316] = bytes(7) + b'\xf1' + bytes(8)
        o.write(b)
r = random.Random(1)
al = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
with open(lst, 'w') as o:
    for i in range(1000):
        o.write(''.join(r.choice(al) for _ in range(12)) + '\n')
    o.write('MFBENCHMARK!\n')
PY
cat "$f" >/dev/null
bytes=$((MB << 20))
marks=$(( (MB + 63) / 64 ))
now() { date +%s.%N; }
# best wall time of REPS runs of a command (its output discarded)
best() {
	b=
	for _ in $(seq "$REPS"); do
		t0=$(now); "$@" >/dev/null 2>&1 || true; t1=$(now)
		b=$(awk -v a="$t0" -v c="$t1" -v b="$b" 'BEGIN { t = c - a; if (b == "" || t < b) b = t; printf "%.4f", b }')
	done
	echo "$b"
}
gbs() { awk -v n="$2" -v s="$1" 'BEGIN { printf "%.2f", n / s / 1e9 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
# best GB/s of the limit loop (its own timing, without the start)
limit_gbs() {
	b=0
	for _ in $(seq "$REPS"); do
		g=$("$dir/limit" "$@" "$NCPU" | awk '{ print $(NF - 1) }')
		b=$(awk -v a="$g" -v b="$b" 'BEGIN { print (a > b ? a : b) }')
	done
	echo "$b"
}
hits() { "$@" -f json 2>/dev/null | grep -c '"type":"hit"' || true; }
export LC_ALL=C
echo "$MB MiB raw file in the page cache, $NCPU threads; ratios are mf-scan / the other"
inplace=$("$mfscan" -c "raw:$f" --phys -s MFBENCHMARK! -f msgpack -v 2>&1 >/dev/null | sed -n 's/.*; \([0-9]*\) in place.*/\1/p')
if [ "${inplace:-0}" = "$bytes" ]; then
	echo "(mf-scan scans the file in place, through the raw connector's view of its mapping; the limit loop reads copies)"
else
	echo "(mf-scan reads copies of the file's chunks, as the limit loop does)"
fi
printf '  %-24s %7s %7s %5s %5s %7s %5s %7s %5s  %s\n' search mf-scan limit ratio want grep ratio yara ratio "hits (want)"
# row NAME LIMIT-HEX ALIGN GREP-REGEX YARA-STRING WANT-HITS WANT-RATIO -- MF-SCAN-ARGS...: one line
row() {
	name=$1 lhex=$2 al=$3 gre=$4 ystr=$5 want=$6 wratio=$7
	shift 8
	m=$(gbs "$(best "$mfscan" -c "raw:$f" --phys "$@" -f msgpack)" $bytes)
	l=$(limit_gbs "$f" "$lhex" "$al")
	g=$(gbs "$(best grep -c -a -P "$gre" "$f")" $bytes)
	printf 'rule r { strings: $a = %s condition: $a }\n' "$ystr" >"$dir/r.yar"
	y=$(gbs "$(best yara -s "$dir/r.yar" "$f")" $bytes)
	n=$(hits "$mfscan" -c "raw:$f" --phys "$@")
	printf '  %-24s %7s %7s %5s %5s %7s %5s %7s %5s  %s (%s)\n' "$name" "$m" "$l" "$(ratio "$m" "$l")" "$wratio" \
		"$g" "$(ratio "$m" "$g")" "$y" "$(ratio "$m" "$y")" "$n" "$want"
	last=$m
}
row "string -s" '4d 46 42 45 4e 43 48 4d 41 52 4b 21' 1 'MFBENCHMARK!' '"MFBENCHMARK!"' $marks '>=0.8' -- -s MFBENCHMARK!
str_gbs=$last
str_limit=$l
row "wildcard -x" '4d 46 ?? 45 4e 43 48' 1 'MF.ENCH' '{ 4d 46 ?? 45 4e 43 48 }' $marks '>=0.8' -- -x '4d 46 ?? 45 4e 43 48'
row "aligned u32 -T" 'ef be 46 4d' 4 '\xef\xbe\x46\x4d' '{ ef be 46 4d }' $marks '>=0.8' -- -T u32 0x4d46beef
row "zero-heavy -x" '00 00 00 00 00 00 00 f1 00 00 00 00' 1 '\x00{7}\xf1\x00{4}' \
	'{ 00 00 00 00 00 00 00 f1 00 00 00 00 }' $marks - -- -x '00 00 00 00 00 00 00 f1 00 00 00 00'
echo "  zero-heavy / string: $(ratio "$last" "$str_gbs") (want >= 0.5)"
# many patterns: 1,000 random strings and the needle, next to the one-string limit; each
# run compiling the list (no cache), and loading what the first run compiled (the cache)
export MF_CACHE_DIR
MF_CACHE_DIR=
mfc=$(best "$mfscan" -c "raw:$f" --phys -F "$dir/list.txt" -f msgpack)
if [ "$("$mfscan" -c "raw:$f" --phys -F "$dir/list.txt" --max-hits 1 2>&1 >/dev/null)" = "" ]; then
	MF_CACHE_DIR=$dir/cache
	mfk=$(best "$mfscan" -c "raw:$f" --phys -F "$dir/list.txt" -f msgpack)
	n=$(hits "$mfscan" -c "raw:$f" --phys -F "$dir/list.txt")
	for k in compiled cached; do
		if [ $k = compiled ]; then m=$(gbs "$mfc" $bytes); else m=$(gbs "$mfk" $bytes); fi
		printf '  %-24s %7s %7s %5s  %s hits (%s), want ratio >= 0.5 of the one-string limit\n' "-F 1,001 ($k)" \
			"$m" "$str_limit" "$(ratio "$m" "$str_limit")" "$n" $marks
	done
else
	echo "  -F: built without Hyperscan"
fi
# YARA: the same rule through mf-scan -Y (every core) and the yara command (one file: one
# thread); libyara's scan of a chunk costs what the command's costs per byte, so the ratio
# is what the cores give, less the chunks' overlaps
if "$mfscan" --help | grep -q -- --yara; then
	printf 'rule r { strings: $a = "MFBENCHMARK!" $b = { 4d 46 ?? 45 4e 43 48 } condition: any of them }\n' >"$dir/r.yar"
	ym=$(gbs "$(best "$mfscan" -c "raw:$f" --phys -Y "$dir/r.yar" -f msgpack)" $bytes)
	yy=$(gbs "$(best yara -s "$dir/r.yar" "$f")" $bytes)
	printf '  %-24s %7s  yara %s GB/s, ratio %s (want >= 2)\n' "-Y two strings" "$ym" "$yy" "$(ratio "$ym" "$yy")"
fi
# a live process holding the same bytes in its heap
python3 -c 'import sys, time; b = bytearray(open(sys.argv[1], "rb").read()); print("ready", flush=True); time.sleep(3600)' \
	"$f" >"$dir/holder.out" &
holder=$!
while ! grep -q ready "$dir/holder.out" 2>/dev/null; do sleep 0.2; done
pm=$(best "$mfscan" -p "$holder" -s MFBENCHMARK! -f msgpack)
pbytes=$("$mfscan" -p "$holder" -s MFBENCHMARK! -f msgpack -v 2>&1 >/dev/null | sed -n 's/.*scanned \([0-9]*\) bytes.*/\1/p')
pl=$(limit_gbs "pid:$holder" '4d 46 42 45 4e 43 48 4d 41 52 4b 21' 1)
echo "process $holder ($((pbytes >> 20)) MiB of writable data scanned, the file's bytes in its heap):"
printf '  %-24s %7s %7s %5s %5s  %s hits (at least %s)\n' "string -s" "$(gbs "$pm" "$pbytes")" "$pl" \
	"$(ratio "$(gbs "$pm" "$pbytes")" "$pl")" '>=0.8' "$(hits "$mfscan" -p "$holder" -s MFBENCHMARK!)" $marks
