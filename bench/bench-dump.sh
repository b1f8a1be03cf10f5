#!/bin/sh
# bench-dump: mf-dump -F kdump of a guest-sized ELF dump next to makedumpfile -c -d 0
# converting the same file (time and size), and a sequential physical read of the ELF
# with mf-read next to cat (page cache warm).
#
#   BENCH_DUMP_ELF=FILE   use this ELF dump (with a VMCOREINFO note) instead of booting
#   BENCH_DUMP_MEM=2G     guest memory when booting (default 2G)
#   BENCH_DUMP_DIR=DIR    scratch directory (default: a mktemp dir, removed at the end)
# Needs mf-dump, mf-read on PATH (make bench sets it), makedumpfile for the comparison.
set -eu

. "$(dirname "$0")/bench-lib.sh"
mem=${BENCH_DUMP_MEM:-2G}
bench_scratch bench-dump "${BENCH_DUMP_DIR:-}"
dir=$bench_dir

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }

elf=${BENCH_DUMP_ELF:-}
if [ -z "$elf" ]; then
	# a real guest of the benchmark's size, dumped by QEMU itself
	bash -c '
		. "$MF_TOP_SRCDIR/tests/guest/guest.bash"
		GUEST__ROOT=$1/guests; export GUEST__ROOT
		guest_require || exit 77
		guest_start --name bench --mem "$2" || exit 1
		guest_pause
		guest_dump elf "$1/guest.elf" || { guest_stop bench; exit 1; }
		guest_stop bench
	' bench-dump "$dir" "$mem" || {
		st=$?
		[ "$st" = 77 ] && { echo "bench-dump: skipped: no guest (qemu, kernel) to dump"; exit 0; }
		echo "bench-dump: cannot boot and dump the guest" >&2
		exit 1
	}
	elf=$dir/guest.elf
fi
size=$(stat -L -c %s "$elf")
echo "bench-dump: source $elf: $size bytes ($(nproc) CPUs)"

# page cache warm
cat "$elf" >/dev/null
cat "$elf" >/dev/null

# ---- kdump conversion ----
# makedumpfile looks for the program headers right after the ELF header, where QEMU 7.2
# does not put them: both tools convert mf-dump's ELF copy of the dump (same contents,
# same VMCOREINFO note, program headers at offset 64)
rm -f "$dir/ours.kdump" "$dir/mdf.kdump" "$dir/conv.elf"
mf-dump -q -c "$elf" -F elf -o "$dir/conv.elf"
cat "$dir/conv.elf" >/dev/null
t0=$(now)
mf-dump -q -c "$dir/conv.elf" -F kdump -o "$dir/ours.kdump"
t1=$(now)
ours_t=$(secs "$t0" "$t1")
ours_s=$(stat -c %s "$dir/ours.kdump")
printf '%-40s %8.2f s %12d bytes\n' "mf-dump -F kdump" "$ours_t" "$ours_s"
if command -v makedumpfile >/dev/null 2>&1; then
	t0=$(now)
	makedumpfile -c -d 0 "$dir/conv.elf" "$dir/mdf.kdump" >/dev/null 2>&1 || echo "bench-dump: makedumpfile failed"
	t1=$(now)
	mdf_t=$(secs "$t0" "$t1")
	mdf_s=$(stat -c %s "$dir/mdf.kdump" 2>/dev/null || echo 0)
	printf '%-40s %8.2f s %12d bytes\n' "makedumpfile -c -d 0" "$mdf_t" "$mdf_s"
	printf 'kdump: mf-dump is %.2fx the speed of makedumpfile; size ratio %.3f (target: faster, <= 1)\n' \
		"$(echo "$mdf_t / $ours_t" | bc -l)" "$(echo "$ours_s / $mdf_s" | bc -l)"
else
	echo "bench-dump: makedumpfile not installed: no comparison"
fi
rm -f "$dir/ours.kdump" "$dir/mdf.kdump" "$dir/conv.elf"

# ---- sequential physical read next to cat ----
# every range of the memory map, one mf-read each (the holes between them are not read)
mf-attach -c "$elf" -f table | awk '/^ +0x[0-9a-f]+-0x[0-9a-f]+/ { split($1, a, "-"); print a[1], a[2] }' >"$dir/ranges"
span=0
while read -r s e; do span=$((span + $(printf '%d' "$e") - $(printf '%d' "$s") + 1)); done <"$dir/ranges"
best_cat=0
best_mf=0
for i in 1 2 3; do
	t0=$(now); cat "$elf" >/dev/null; t1=$(now)
	c=$(secs "$t0" "$t1")
	t0=$(now)
	while read -r s e; do
		mf-read -q -c "$elf" --phys -f raw "$s" $(($(printf '%d' "$e") - $(printf '%d' "$s") + 1)) >/dev/null
	done <"$dir/ranges"
	t1=$(now)
	m=$(secs "$t0" "$t1")
	if [ "$i" = 1 ] || [ "$(echo "$c < $best_cat" | bc)" = 1 ]; then best_cat=$c; fi
	if [ "$i" = 1 ] || [ "$(echo "$m < $best_mf" | bc)" = 1 ]; then best_mf=$m; fi
done
cat_rate=$(echo "$size / $best_cat / 1000000" | bc -l)
mf_rate=$(echo "$span / $best_mf / 1000000" | bc -l)
printf '%-40s %8.3f s %8.0f MB/s\n' "cat ELF >/dev/null" "$best_cat" "$cat_rate"
printf '%-40s %8.3f s %8.0f MB/s\n' "mf-read --phys -f raw (each range)" "$best_mf" "$mf_rate"
printf 'sequential read: mf-read/cat throughput ratio %.2f (target >= 0.9)\n' "$(echo "$mf_rate / $cat_rate" | bc -l)"
