#!/bin/bash
# bench-vat-guest.sh: the translator on a real 2 GiB x86_64 guest's ELF dump (boots it
# under QEMU with tests/guest): mf-vtop --map over the kernel half (wall time and the
# translator's working memory), then bench-vat-guest (page-map walk alone; batched, one by
# one and naive-pread translations per second).  Usage: bench-vat-guest.sh [N]
set -eu
. "$(dirname "$0")/bench-lib.sh"
bench_guest_dump bench-vat-guest
guest_stop bench
echo "guest: 2 GiB, $(stat -c %s "$dump") byte ELF dump"
start=$(date +%s%N)
mf-vtop -c "$dump" -f msgpack -v --kernel --map 0xffff800000000000 0 2>"$GUEST__ROOT/vtop.err" >/dev/null
end=$(date +%s%N)
echo "mf-vtop --map over the kernel half: $(( (end - start) / 1000000 )) ms wall (process, open, output)"
sed 's/^/  /' "$GUEST__ROOT/vtop.err"
"$MF_TOP_BUILDDIR/bench/bench-vat-guest" "$dump" "${1:-1000000}"
