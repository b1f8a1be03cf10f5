#!/bin/bash
# bench-vread: a virtual span read through the translator: `mf-read --dtb ROOT -f raw` of
# BENCH_VREAD_MB MiB (default 256) mapped by 4 KiB pages in a raw image, next to `cat` of
# the same bytes (page cache warm), best of 5.  With another build directory as argument
# 1 (e.g. one of the commit before libmf locked its targets for threads), its mf-read and
# raw connector run too and the ratio new/old is printed (> 1: the build on PATH is slower).
#   BENCH_VREAD_MB=256        size of the span
#   BENCH_VREAD_DIR=DIR       scratch directory (default: a mktemp dir, removed at the end)
# Needs mf-read on PATH (make bench sets it), MF_PLUGIN_PATH, python3.
set -eu
. "$(dirname "$0")/bench-lib.sh"
mb=${BENCH_VREAD_MB:-256}
bench_scratch bench-vread "${BENCH_VREAD_DIR:-}"
img=$bench_dir/mem.raw
va=0x10000000000    # 1 TiB: four levels of tables, one PT per 2 MiB
# PML4 at 0x1000, PDPT 0x2000, PD 0x3000, PTs from 0x4000; the data from 16 MiB
python3 - "$img" "$mb" <<'PY'
import os, struct, sys
path, mb = sys.argv[1], int(sys.argv[2])
pages = mb << 8
npt = (pages + 511) // 512
data = 16 << 20
assert 0x4000 + npt * 4096 <= data and npt <= 512
with open(path, "wb") as f:
    f.truncate(data + (pages << 12))
    f.seek(0x1000 + 8 * 2); f.write(struct.pack("<Q", 0x2000 | 3))      # VA 1 TiB: PML4 slot 2
    f.seek(0x2000); f.write(struct.pack("<Q", 0x3000 | 3))
    f.seek(0x3000); f.write(b"".join(struct.pack("<Q", (0x4000 + i * 4096) | 3) for i in range(npt)))
    f.seek(0x4000); f.write(b"".join(struct.pack("<Q", (data + (i << 12)) | 3) for i in range(pages)))
    f.seek(data)
    for _ in range(mb):
        f.write(os.urandom(1 << 20))
PY
bytes=$((mb << 20))
bench_bin mf-read
new=$bench_bin_path
cat "$img" >/dev/null
# the span must read whole and hold the image's data
cmp <("$new" -c "raw:$img" --dtb 0x1000 --arch x86_64 -f raw "$va" "$bytes") <(tail -c "$bytes" "$img")
c=$(bench_best_us 5 tail -c "$bytes" "$img")
n=$(bench_best_us 5 "$new" -c "raw:$img" --dtb 0x1000 --arch x86_64 -f raw "$va" "$bytes")
printf '%-44s %10s us %8s MB/s\n' "tail -c (the same bytes)" "$c" "$((bytes / c))"
printf '%-44s %10s us %8s MB/s\n' "mf-read --dtb ($new)" "$n" "$((bytes / n))"
if [ -n "${1:-}" ]; then
	old=$(cd "$1" && pwd)/tools/.libs/mf-read
	run_old() {
		LD_LIBRARY_PATH=$1/libcommon/.libs MF_PLUGIN_PATH=$1/connectors/.libs \
			"$old" -c "raw:$img" --dtb 0x1000 --arch x86_64 -f raw "$va" "$bytes"
	}
	cmp <(run_old "$1") <(tail -c "$bytes" "$img")
	o=$(bench_best_us 5 run_old "$1")
	printf '%-44s %10s us %8s MB/s\n' "mf-read --dtb ($old)" "$o" "$((bytes / o))"
	printf 'ratio new/old time: %s\n' "$(echo "scale=3; $n / $o" | bc)"
fi
