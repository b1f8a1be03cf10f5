#!/bin/bash
# bench-kdump: kdump-zlib read throughput: `mf-read --phys -f raw` of a whole kdump-zlib
# file (written by mf-dump -F kdump from guest-like memory: text, zero pages, random pages,
# repeated structures) next to the limit, zlib uncompress() of the same pages from memory
# (bench/bench-kdump), page cache warm; best of 3.
#   BENCH_KDUMP_SIZE_MB=1024   memory size in MiB
# Needs mf-read, mf-dump on PATH, MF_PLUGIN_PATH, and the bench-kdump program (argument 1).
set -eu
. "$(dirname "$0")/bench-lib.sh"
limit=${1:?usage: bench-kdump.sh PATH/TO/bench-kdump}
mb=${BENCH_KDUMP_SIZE_MB:-1024}
bench_scratch bench-kdump
dir=$bench_dir
bench_bin mf-read
mfread=$bench_bin_path
# guest-like memory, per MiB: 1/4 zero, 1/4 text, 1/4 random, 1/4 small repeated records
python3 - "$dir/mem.raw" "$mb" <<'PY'
import os, sys
text = open('/usr/share/common-licenses/GPL-3', 'rb').read()
rec = b''.join(i.to_bytes(8, 'little') + b'\0' * 24 for i in range(32768))[:256 << 10]
with open(sys.argv[1], 'wb') as f:
    for i in range(int(sys.argv[2])):
        t = (text * 8)[(i * 4096) % len(text):][:256 << 10]
        f.write(b'\0' * (256 << 10) + t.ljust(256 << 10, b'\0') + os.urandom(256 << 10) + rec)
PY
mf-dump -q -c "raw:$dir/mem.raw" -F kdump -o "$dir/mem.kdump"
size=$(stat -c %s "$dir/mem.raw")
cat "$dir/mem.kdump" >/dev/null
best=$(bench_best_us 3 "$mfread" --phys -c "$dir/mem.kdump" -f raw --zero-fill -q 0 "$size")
read -r lbytes lmbs < <("$limit" "$dir/mem.kdump")
mbs=$(( size / best ))
echo "kdump-zlib: $(stat -c %s "$dir/mem.kdump") bytes for $size bytes of memory"
echo "mf-read:    $mbs MB/s"
echo "uncompress: $lmbs MB/s ($lbytes bytes)"
echo "ratio:      $(echo "scale=3; $mbs / $lmbs" | bc)"
