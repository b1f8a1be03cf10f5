#!/bin/bash
# bench-linux.sh: the linux os layer on a real 2 GiB x86_64 guest (boots it under QEMU with
# tests/guest): cold discovery (mf-attach -o linux on QEMU's ELF dump: VMCOREINFO, kallsyms,
# BTF), a warm process list from the saved target record, all maps of all processes, and the
# live guest's process list, each next to one sequential read of the dump (what any scan
# for the kernel costs: the limit a searcher is up against) and, where installed, crash or
# drgn with the Debian -dbg vmlinux (what a user would otherwise run).
# Targets (issue): cold attach < 1 s, warm list < 50 ms, all maps < 200 ms.
set -eu
. "$(dirname "$0")/bench-lib.sh"
bench_guest_dump bench-linux
ms() { echo $(( ($2 - $1) / 1000000 )); }
best() { # best of 5 runs of "$@", in ms
	local i s e b=
	for i in 1 2 3 4 5; do
		s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
		[ -z "$b" ] || [ $(( (e - s) / 1000000 )) -ge "$b" ] || b=$(( (e - s) / 1000000 ))
		[ -n "$b" ] || b=$(( (e - s) / 1000000 ))
	done
	echo "$b"
}
cat "$dump" >/dev/null   # into the page cache: every figure is warm-cache
echo "guest: 2 GiB, $(stat -c %s "$dump") byte ELF dump (in the page cache)"
seq_ms=$(best cat "$dump")
cold=$(best mf-attach -q -c "$dump" -o linux -f msgpack)
mf-attach -q -c "$dump" -o linux >"$GUEST__ROOT/target"
warm=$(best mf-ps -t "$GUEST__ROOT/target" -f msgpack)
nproc=$(mf-ps -t "$GUEST__ROOT/target" -f json | grep -c '"type":"process"')
maps_all() { mf-ps -t "$GUEST__ROOT/target" -f msgpack | mf-modules --maps -f msgpack; }
maps=$(best maps_all)
live=$(best mf-ps -c "qemu:$GUEST_QEMU_PID" -o linux -f msgpack)
printf '%-44s %8s %s\n' "what" "ms" "next to"
printf '%-44s %8d %s\n' "one sequential read of the dump (cat)" "$seq_ms" "the limit of any scan"
printf '%-44s %8d %s\n' "cold mf-attach -o linux (discovery)" "$cold" "$(awk -v a="$cold" -v b="$seq_ms" 'BEGIN { printf "%.2fx the read; target < 1000 ms", a / b }')"
printf '%-44s %8d %s\n' "warm mf-ps -t target ($nproc processes)" "$warm" "target < 50 ms"
printf '%-44s %8d %s\n' "all maps of all processes" "$maps" "target < 200 ms"
printf '%-44s %8d %s\n' "live mf-ps -c qemu:PID -o linux" "$live" ""
vmlinux=$(ls /usr/lib/debug/boot/vmlinux-"$(cat "$MF_GUEST_CACHE/x86_64/kernel-release")" 2>/dev/null || true)
if [ -n "$vmlinux" ] && command -v crash >/dev/null; then
	s=$(date +%s%N); echo ps | crash -s "$vmlinux" "$dump" >/dev/null 2>&1 || true; e=$(date +%s%N)
	printf '%-44s %8d %s\n' "crash -s ps (the -dbg vmlinux)" "$(ms "$s" "$e")" "what a user would otherwise run"
else
	echo "crash/drgn with the Debian -dbg vmlinux: not installed here (an 860 MB download), not compared"
fi
