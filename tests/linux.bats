#!/usr/bin/env bats
# The linux os layer against a real guest (Debian's kernel under QEMU): from QEMU's own ELF
# and kdump-zlib dumps, the live guest, and mf-dump's LiME and raw files of it, with no
# symbol file, the processes, kernel modules, memory maps and process memory agree with
# what the guest printed about itself (the oracle, tests/guest/README.md).  mf-syms too
# (kernel symbols, --at, --save-btf), on the same guest; its filters and fields over the
# symos test os layer (module symbols, sizes, exports, forwarders).
load test_helper
load tools_helper
load linux_helper
. "$MF_TOP_SRCDIR/tests/guest/guest.bash"

setup_file() {
	if guest_require; then
		guest_start
		guest_pause
		guest_dump elf "$BATS_FILE_TMPDIR/qemu.elf"
		guest_dump kdump-zlib "$BATS_FILE_TMPDIR/qemu.kdump"
		mf-dump -q -c "$BATS_FILE_TMPDIR/qemu.elf" -F lime -o "$BATS_FILE_TMPDIR/ours.lime"
		mf-dump -q -c "$BATS_FILE_TMPDIR/qemu.elf" -F raw -o "$BATS_FILE_TMPDIR/ours.raw"
		mf-attach -q -c "$BATS_FILE_TMPDIR/qemu.elf" -o linux >"$BATS_FILE_TMPDIR/target"
	fi
}

teardown_file() {
	guest_stop_all
}

setup() {
	guest_require
	guest_use guest
	D=$BATS_FILE_TMPDIR
	E=$D/qemu.elf
	SYMOS_PATH=$MF_PLUGIN_PATH:$MF_TOP_BUILDDIR/tests/plugins/.libs
}

@test "mf-ps -o linux lists the guest's processes (pid, ppid, comm) from QEMU's ELF and kdump, our LiME and raw, and live" {
	oracle_ps >"$D/oracle.ps"
	for src in "$D/qemu.elf" "$D/qemu.kdump" "$D/ours.lime" "$D/ours.raw" "qemu:$GUEST_QEMU_PID"; do
		ours_ps -c "$src" -o linux >"$D/ours.ps" || fail "mf-ps -c $src -o linux failed"
		run same_processes "$D/oracle.ps" "$D/ours.ps"
		[ "$status" -eq 0 ] || fail "$src: $output"
	done
}

@test "the marker processes: command lines, exe paths, user ids, states and kernel threads" {
	m1=$(guest_oracle markers | awk '$1 == "mfmarker1" { print $2 }')
	holder=$(guest_oracle markers | awk '$1 == "mfholder" { print $2 }')
	run -0 mf-ps -c "$D/qemu.elf" -o linux -p "$m1" -f json
	assert_output --partial "\"pid\":$m1,\"ppid\":1,\"name\":\"mfmarker1\",\"path\":\"/bin/mfmarker1\",\"cmdline\":\"sleep 100000\",\"state\":\"S\",\"uid\":0"
	# the holder's shell script, newlines and all, as the guest's ps shows its start
	start=$(guest_oracle ps | awk -v p="$holder" '$1 == p { sub(/^ *[0-9]+ +[0-9]+ +[^ ]+ +\{[^}]*\} /, ""); print; exit }')
	run -0 mf-ps -c "$D/qemu.elf" -o linux -p "$holder" -f json
	got=$(printf '%s\n' "$output" | jq -r 'select(.type == "process") | .cmdline' | tr '\n\t' '  ')
	[[ $got == "${start%% }"* ]] || fail "cmdline '$got' does not start with '$start'"
	# kernel threads: kthreadd is pid 2, its children have no address space
	run -0 mf-ps -c "$D/qemu.elf" -o linux -p 2 -f json
	assert_output --partial '"pid":2,"ppid":0,"name":"kthreadd","path":"","cmdline":""'
	assert_output --partial '"dtb":"0x0"'
	# the whole list has no duplicates
	mf-ps -c "$D/qemu.elf" -o linux -f json | jq -r 'select(.type == "process") | .pid' | sort | uniq -d >"$D/dups"
	[ ! -s "$D/dups" ]
}

@test "start times: each process's is the guest's boot time + its start ticks (tk_core's timekeeper, no symbol file); a zombie's exit status" {
	guest_oracle times >"$D/times"
	zombie=$(guest_oracle markers | awk '$1 == "mfzombie" { print $2 }')
	[[ -n $zombie ]] || fail "no mfzombie in the oracle"
	for src in "$D/qemu.elf" "$D/qemu.kdump"; do
		mf-ps -c "$src" -o linux -f json | jq -r 'select(.type == "process") |
			"\(.pid) \(.start_time // "none" | sub("\\.[0-9]+Z$"; "Z") | if . == "none" then -1 else fromdate end) \(.state) \(.exit_status // "-")"' >"$D/ours.times" ||
			fail "mf-ps -c $src failed"
		# btime is cut down to the second: ours is up to 1 s later; a process started in the
		# second before a tick boundary rounds the same way in both (no slack needed below)
		run /usr/bin/python3 - "$D/times" "$D/ours.times" "$zombie" <<'PY'
import sys
times = open(sys.argv[1]).read().split("\n")
btime = int(next(l.split()[1] for l in times if l.startswith("btime ")))
tck = int(next(l.split()[1] for l in times if l.startswith("clk_tck ")))
ours = {l.split()[0]: l.split()[1:] for l in open(sys.argv[2]) if l.strip()}
bad, n = [], 0
for l in times:
    f = l.split()
    if len(f) != 4 or f[0] != "start" or f[1] not in ours:
        continue
    want = btime + int(f[2]) // tck
    got = int(ours[f[1]][0])
    n += 1
    if not (want <= got <= want + 1):
        bad.append("pid %s: start %d, the guest says %d (btime %d + %s ticks)" % (f[1], got, want, btime, f[2]))
z = ours.get(sys.argv[3])
if z is None or z[1:] != ["Z", "1280"]:
    bad.append("zombie %s: %s, want state Z and exit status 1280 (exit 5 << 8)" % (sys.argv[3], z))
if n < 40:
    bad.append("only %d processes compared" % n)
print("\n".join(bad) if bad else "%d start times agree" % n)
sys.exit(1 if bad else 0)
PY
		[ "$status" -eq 0 ] || fail "$src: $output"
	done
	# a running process has neither an exit time nor a status
	run -0 mf-ps -c "$E" -o linux -p 1 -f json
	assert_equal "$(jq -c 'select(.type == "process") | [.exit_time, .exit_status]' <<<"$output")" "[null,null]"
}

@test "mf-ps --env: the marker's environment (with its run-time variable) from the dump and live" {
	pid=$(guest_oracle environ | awk 'NR == 1 { print $2 }')
	guest_oracle environ | awk 'NR > 1' | sort >"$D/oracle.env"
	grep -q '^MFMARKER_ENV=mfenv-' "$D/oracle.env"
	for src in "$D/qemu.kdump" "qemu:$GUEST_QEMU_PID"; do
		mf-ps -c "$src" -o linux --env -p "$pid" -f json |
			jq -r 'select(.type == "process") | .env | to_entries[] | "\(.key)=\(.value)"' | sort >"$D/ours.env"
		diff -u "$D/oracle.env" "$D/ours.env"
	done
	# a kernel thread has none
	run -0 mf-ps -c "$D/qemu.elf" -o linux --env -p 2 -f json
	refute_output --partial '"env"'
}

@test "mf-ps --threads: one thread record per guest thread" {
	m1=$(guest_oracle markers | awk '$1 == "mfmarker1" { print $2 }')
	run -0 mf-ps -c "$D/qemu.elf" -o linux --threads -p "$m1",1 -f table
	assert_line --regexp "^ +1 +1 +S +0xffff[0-9a-f]+ +init$"
	assert_line --regexp "^ +$m1 +$m1 +S +0xffff[0-9a-f]+ +mfmarker1$"
	run -2 mf-ps --threads --tree
	assert_output "mf-ps: --threads lists threads: it goes with neither --tree nor --env"
}

@test "mf-ps --tree from a dump: the holder's sleep under the holder under init" {
	holder=$(guest_oracle markers | awk '$1 == "mfholder" { print $2 }')
	run -0 mf-ps -c "$D/qemu.kdump" -o linux --tree -p 1 -f table
	assert_line --regexp "^ +1 +0 .* init "
	assert_line --regexp "^ +$holder +1 .*   mfholder "
	assert_line --regexp "^ +[0-9]+ +$holder .*     sleep "
}

@test "mf-modules --kernel: the kernel image and qemu_fw_cfg at the address and size /proc/modules gives" {
	read -r name size _ _ _ addr < <(guest_oracle modules | grep '^qemu_fw_cfg ')
	stext=$(guest_oracle kallsyms | awk '$3 == "_stext" { print $1 }')
	for src in "$D/qemu.elf" "qemu:$GUEST_QEMU_PID"; do
		run -0 mf-modules -c "$src" -o linux --kernel -f table
		assert_line --regexp "^ +0 +0x$stext +0x[0-9a-f]+ +vmlinux +-$"
		assert_line --regexp "^ +0 +$addr +$(printf '0x%x' "$size") +qemu_fw_cfg +-$"
	done
}

@test "mf-modules --maps of a marker equals its /proc/PID/maps; its modules are its ELF files" {
	pid=$(guest_oracle maps | awk 'NR == 1 { print $2 }')
	oracle_maps >"$D/oracle.maps"
	for src in "$D/qemu.elf" "$D/ours.lime"; do
		ours_maps -c "$src" -o linux -p "$pid" >"$D/ours.maps"
		diff -u "$D/oracle.maps" "$D/ours.maps"
	done
	run -0 mf-modules -c "$D/qemu.elf" -o linux -p "$pid" -f table
	assert_line --regexp "^ +$pid +0x400000 .* mfmarker1 +/bin/mfmarker1$"
	assert_line --regexp "^ +$pid .* \[vdso\] +\[vdso\]$"
}

@test "process memory through the guest's page tables: the holder's run-time secret, read where mf-scan finds it" {
	holder=$(guest_oracle secret | awk '$1 == "pid" { print $2 }')
	secret=$(guest_oracle secret | awk '$1 == "secret" { print $2 }')
	run -0 mf-scan -c "$D/qemu.elf" -o linux -p "$holder" -s "$secret" -f json
	addr=$(printf '%s\n' "$output" | jq -r 'select(.type == "hit") | .addr' | head -1)
	[ -n "$addr" ] || fail "no hit for the secret in pid $holder"
	run -0 mf-read -c "$D/qemu.kdump" -o linux -p "$holder" -f raw "$addr" ${#secret}
	[ "$output" = "$secret" ]
	# and the ELF header of the marker's executable at the base its maps give
	run -0 mf-read -c "$D/ours.raw" -o linux -n mfmarker1 -f raw 0x400000 4
	[ "$output" = $'\x7fELF' ]
}

@test "mf-dump -p of a guest process: a core gdb reads the secret from, at the address mf-scan gives" {
	holder=$(guest_oracle secret | awk '$1 == "pid" { print $2 }')
	secret=$(guest_oracle secret | awk '$1 == "secret" { print $2 }')
	addr=$(mf-scan -c "$D/qemu.elf" -o linux -p "$holder" -s "$secret" -f json | jq -r 'select(.type == "hit") | .addr' | head -1)
	run -0 mf-dump -q -c "$D/qemu.elf" --os linux -p "$holder" -o "$D/holder.core"
	run -0 readelf -n "$D/holder.core"
	assert_output --partial NT_PRPSINFO
	assert_output --partial NT_FILE
	run -0 gdb -nx -batch -c "$D/holder.core" -ex "x/s $addr"
	assert_output --partial "\"$secret"
}

@test "kernel symbols in address arguments: --kernel linux_banner reads the guest's /proc/version" {
	version=$(guest_oracle version)
	run -0 mf-read -c "$D/qemu.elf" -o linux --kernel -f raw linux_banner ${#version}
	[ "$output" = "$version" ]
	init=$(guest_oracle kallsyms | awk '$3 == "init_task" { print $1 }')
	run -0 mf-read -c "$D/qemu.elf" -o linux --kernel -v -f raw init_task+0x10 1
	assert_output --partial "init_task at 0x$init, +0x10"
	run -1 mf-read -c "$D/qemu.elf" -o linux --kernel no_such_symbol_here 8
	assert_output "mf-read: no symbol or module 'no_such_symbol_here' in the kernel"
	# mf-vtop takes them too: the walk of init_task+0x10 is the walk of its number
	run -0 mf-vtop -c "$D/qemu.elf" -o linux --kernel -f json init_task+0x10 "$(printf '0x%x' $((0x$init + 16)))"
	[ "$(printf '%s\n' "$output" | jq -r 'select(.type == "xlat") | .va' | sort -u)" = "$(printf '0x%x' $((0x$init + 16)))" ]
	[ "$(printf '%s\n' "$output" | jq -r 'select(.type == "xlat") | .pa' | sort -u | wc -l)" -eq 1 ]
}

@test "--kernel with no os layer on our raw and LiME: the page-table root found in RAM (VMCOREINFO note, else a table that maps the banner)" {
	version=$(guest_oracle version)
	banner=$(oracle_addr linux_banner)
	for src in "$D/ours.raw" "$D/ours.lime"; do
		run -0 --separate-stderr mf-read -c "$src" --kernel -v -f raw "$banner" ${#version} </dev/null
		[ "$output" = "$version" ] || fail "$src: $output"
		assert_stderr --partial "VMCOREINFO note found in RAM at physical"
	done
	raw_replace novmci-noos.raw 'VMCOREINFO\x00' 'VMCOREINFX\x00'
	run -0 --separate-stderr mf-read -c "$D/novmci-noos.raw" --kernel -v -f raw "$banner" ${#version} </dev/null
	[ "$output" = "$version" ]
	assert_stderr --partial "no VMCOREINFO; banner at physical"
	assert_stderr --partial "a top-level page table at"
	rm -f "$D/novmci-noos.raw"
	# no kernel at all: one line, the same advice as the options give
	truncate -s 64M "$D/zero-noos.raw"
	run -1 --separate-stderr mf-read -c "$D/zero-noos.raw" --kernel 0xffffffff81000000 8 </dev/null
	assert_stderr "mf-read: raw:$D/zero-noos.raw: no kernel found in physical memory (no VMCOREINFO, no page table that maps a Linux banner): give --arch and --dtb"
	run -2 --separate-stderr mf-read -c "$D/ours.raw" --arch x86_64 --kernel 0xffffffff81000000 8 </dev/null
	assert_stderr --partial "--arch goes with --dtb"
}

@test "mf-attach saves what discovery found: the next tool starts without a search" {
	run -0 mf-attach -c "$D/qemu.elf" -o linux -v -f msgpack
	assert_output --partial "VMCOREINFO"
	mf-attach -q -c "$D/qemu.elf" -o linux >"$D/target"
	run -0 mf-ps -t "$D/target" -v -p 1 -f table
	assert_output --partial "from the target record: no search"
	assert_output --partial "struct offsets and the walkers' symbols from the target record: kallsyms and BTF not read"
	refute_output --partial "from VMCOREINFO"
	assert_line --regexp "^ +1 +0 .* init "
	# maps and modules from the record too; a symbol decodes kallsyms then (from the
	# table addresses the record keeps)
	m1=$(guest_oracle markers | awk '$1 == "mfmarker1" { print $2 }')
	run -0 mf-modules -t "$D/target" -p "$m1" -f table
	assert_line --regexp "^ +$m1 +0x400000 .* mfmarker1 +/bin/mfmarker1$"
	version=$(guest_oracle version)
	run -0 mf-read -t "$D/target" --kernel -v -f raw linux_banner ${#version}
	assert_output --partial "tables from the target record"
	assert_output --partial "$version"
	# every kernel thread is listed by mf-modules --maps with no maps and no error
	run -0 --separate-stderr bash -c "mf-ps -t '$D/target' -f msgpack | mf-modules --maps -f json"
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

@test "not Linux: random and zeroed images are refused with one line, quickly" {
	head -c $((16 << 20)) /dev/urandom >"$D/random.raw"
	truncate -s 64M "$D/zero.raw"
	for f in random.raw zero.raw; do
		run -1 timeout 60 mf-ps -c "$D/$f" -o linux
		assert_output "mf-ps: no Linux kernel found in physical memory (no VMCOREINFO note, no \"Linux version\" banner)"
	done
}

# The physical address of kernel virtual address VA in a dump (our own page-table walk,
# which tests/vtop-guest.bats checks against QEMU's).
kpa() {
	mf-vtop -c "$1" --kernel "$2" -f json | jq -r 'select(.type == "xlat") | .pa'
}
kpa_t() {
	mf-vtop -t "$1" --kernel "$2" -f json | jq -r 'select(.type == "xlat") | .pa'
}

# Write the little-endian u64 VALUE at physical PA of a raw image.
poke_u64() {
	/usr/bin/python3 -c '
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2], 0))
    f.write(struct.pack("<Q", int(sys.argv[3], 0)))' "$@"
}

@test "hostile memory: a task list that loops back ends with a warning and what was read" {
	cp "$D/ours.raw" "$D/cycle.raw"
	mf-attach -q -c "$D/cycle.raw" -o linux >"$D/cycle.target"
	a=$(mf-ps -t "$D/cycle.target" -p 1 -f json | jq -r 'select(.type == "process") | .addr')
	b=$(mf-ps -t "$D/cycle.target" -p 2 -f json | jq -r 'select(.type == "process") | .addr')
	# tasks.next of pid 1 points at pid 2's tasks: the offset where A[off] == B + off
	mf-read -t "$D/cycle.target" --kernel -f raw "$a" 16384 >"$D/task1"
	off=$(/usr/bin/python3 -c '
import struct, sys
b = int(sys.argv[2], 0); d = open(sys.argv[1], "rb").read()
print(next(i for i in range(0, len(d) - 8, 8) if struct.unpack_from("<Q", d, i)[0] == b + i))' "$D/task1" "$b")
	next=$(printf '0x%x' $((a + off)))
	poke_u64 "$D/cycle.raw" "$(kpa_t "$D/cycle.target" "$next")" "$next"
	run -0 timeout 60 mf-ps -c "$D/cycle.raw" -o linux -f table
	assert_line --regexp "^ +1 +0 .* init "
	assert_line "mf-ps: warning: linux: task list loops back to $a (1 tasks read): stopped"
	refute_line --regexp "^ +2 +0 "
}

@test "hostile memory: a kernel whose BTF was overwritten: processes refused with the reason, symbols still work" {
	cp "$D/ours.raw" "$D/nobtf.raw"
	btf=$(mf-attach -c "$D/nobtf.raw" -o linux -f json | jq -r 'select(.type == "target") | .hints.btf_addr')
	[ -n "$btf" ] && [ "$btf" != null ]
	pa=$(kpa "$D/nobtf.raw" "$btf")
	poke_u64 "$D/nobtf.raw" "$pa" 0x4141414141414141
	run -1 mf-ps -c "$D/nobtf.raw" -o linux
	assert_output "mf-ps: cannot list processes of raw:$D/nobtf.raw/linux: linux: no kernel types (kernel BTF at $btf: no BTF magic (bytes 41 41))"
	version=$(guest_oracle version)
	run -0 mf-read -c "$D/nobtf.raw" -o linux --kernel -f raw linux_banner ${#version}
	[ "$output" = "$version" ]
}

# Copy the raw image to NAME and replace every FROM with TO (bytes of the same length).
raw_replace() {
	cp "$D/ours.raw" "$D/$1"
	/usr/bin/python3 - "$D/$1" "$2" "$3" <<'PY'
import mmap, sys
a, b = sys.argv[2].encode().decode("unicode_escape").encode("latin-1"), sys.argv[3].encode().decode("unicode_escape").encode("latin-1")
with open(sys.argv[1], "r+b") as f:
    m = mmap.mmap(f.fileno(), 0)
    n, i = 0, m.find(a)
    while i >= 0:
        m[i:i + len(b)] = b
        n, i = n + 1, m.find(a, i + 1)
    m.flush()
assert n > 0, "nothing replaced"
PY
}

@test "kallsyms found by scanning the kernel image when VMCOREINFO does not name the tables (kernels before 6.0)" {
	raw_replace nokall.raw 'SYMBOL(kallsyms_' 'SYMBOL(xallsyms_'
	oracle_ps >"$D/oracle.ps"
	run -0 mf-ps -c "$D/nokall.raw" -o linux -v -p 1 -f table
	assert_output --partial "tables from a scan of the kernel image"
	ours_ps -c "$D/nokall.raw" -o linux >"$D/ours.ps"
	run same_processes "$D/oracle.ps" "$D/ours.ps"
	[ "$status" -eq 0 ] || fail "$output"
}

@test "no VMCOREINFO at all: the banner, a page table that maps it, kallsyms by scan, KASLR from _text" {
	raw_replace novmci.raw 'VMCOREINFO\x00' 'VMCOREINFX\x00'
	run -0 mf-ps -c "$D/novmci.raw" -o linux -v -p 1 -f table
	assert_output --partial "linux: no VMCOREINFO note in RAM"
	assert_output --partial "(x86_64, found by scan)"
	assert_output --partial "tables from a scan of the kernel image"
	stext=$(guest_oracle kallsyms | awk '$3 == "_stext" { print $1 }')
	assert_output --partial "linux: _text 0x$stext at physical"
	assert_line --regexp "^ +1 +0 .* init "
	version=$(guest_oracle version)
	run -0 mf-read -c "$D/novmci.raw" -o linux --kernel -f raw linux_banner ${#version}
	[ "$output" = "$version" ]
}

# ---- mf-syms ----------------------------------------------------------------------------

# The guest up: a test of the guest skips with the reason when no guest can be had.
need_guest() {
	guest_require
	guest_use guest
}

# hex A+B (bash's arithmetic is signed: kernel addresses come out negative in decimal)
hexadd() {
	printf '0x%x' $(($1 + $2))
}

# The oracle's address of a kernel symbol (as 0x..., leading zeros dropped).
oracle_addr() {
	{ guest_oracle kallsyms; guest_oracle inittext; } | awk -v n="$1" '$3 == n { print $1; exit }' |
		sed -e 's/^0*/0x/' -e 's/^0x$/0x0/'
}

@test "a live guest of 5 GiB (RAM above the PCI hole) that forks without end: memory above 4 GiB reads right, every list is whole, no pid twice" {
	guest_require
	guest_start --name big --mem 5G --append mfforker
	local q="qemu:$GUEST_QEMU_PID" lst pids
	# RAM above 4 GiB is where the guest says it is, with the bytes QEMU holds there
	guest_oracle iomem | grep -q '^100000000-[0-9a-f]* : System RAM$' || fail "no RAM at 4 GiB: $(guest_oracle iomem)"
	guest_pause
	# (gpa-read knows QEMU's layout: 3 GiB low, the rest from 4 GiB up)
	"$GUEST_GPA_READ" -m "$GUEST_MEM_BYTES" "$GUEST_QEMU_PID" "$GUEST_RAM_HVA" 0x100005000 4096 | xxd -p >"$BATS_TEST_TMPDIR/want"
	[ -s "$BATS_TEST_TMPDIR/want" ] || fail "gpa-read read nothing"
	mf-read -c "$q" --phys -f raw 0x100005000 4096 </dev/null | xxd -p >"$BATS_TEST_TMPDIR/got"
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" || fail "guest physical 0x100005000 differs from QEMU's"
	run linux_agrees "$q"
	[ "$status" -eq 0 ] || fail "$output"
	guest_resume
	# the forker's children come and go while the task list is walked
	# (once a list exited 1 for a reason not yet seen again: at most one of six may, and
	# what it said is shown if more do.  A word list, not for ((i...)): bats's run sets a
	# global i through bats_any_in, so such a loop would never end.)
	local bad=0 why=
	for lst in 0 1 2 3 4 5; do
		run --separate-stderr timeout 120 mf-ps -c "$q" -o linux -f json </dev/null
		if [ "$status" -ne 0 ]; then
			bad=$((bad + 1)) why="$why [list $lst: exit $status: $stderr]"
			[ "$bad" -le 1 ] || fail "lists that failed:$why"
			continue
		fi
		[[ $status -ne 0 || -z $stderr || $stderr == *"linux: task list"* ]] || fail "list $lst: $stderr"
		pids=$(jq -r 'select(.type == "process") | .pid' <<<"$output")
		[[ -z $(sort <<<"$pids" | uniq -d) ]] || fail "list $lst has a pid twice: $(sort <<<"$pids" | uniq -d | head -3)"
		grep -qx 1 <<<"$pids" || fail "list $lst has no init"
		# (a child between fork and exec is an "mfforker" too: the one whose parent is init)
		[[ $(jq -r 'select(.type == "process" and .name == "mfforker" and .ppid == 1) | .pid' <<<"$output") =~ ^[0-9]+$ ]] ||
			fail "list $lst has no mfforker (stderr: $stderr)"
		[ "$(wc -l <<<"$pids")" -ge 40 ] || fail "list $lst has $(wc -l <<<"$pids") processes"
	done
	guest_stop big
}

@test "mf-syms --kernel: every /proc/kallsyms line of the guest, same name, address and kind, sorted by address (ELF and kdump)" {
	need_guest
	{ guest_oracle kallsyms; guest_oracle inittext; } >"$D/oracle.kallsyms"
	for src in "$E" "$D/qemu.kdump"; do
		run -0 --separate-stderr mf-syms -c "$src" -o linux --kernel -f json </dev/null
		no_sanitizer
		assert_equal "$stderr" ""
		assert_equal "$(head -n1 <<<"$output" | jq -r .type)" target
		jq -r 'select(.type == "symbol") | "\(.addr) \(.kind) \(.pid) \(.module) \(.name)"' <<<"$output" >"$D/ours.syms"
		run /usr/bin/python3 - "$D/oracle.kallsyms" "$D/ours.syms" <<'PY'
import sys
kinds = {"t": "function", "w": "function", "d": "data", "b": "data", "r": "data", "a": ""}
ours, prev, bad = set(), -1, []
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split(" ")
    addr, kind, pid, module, name = int(f[0], 16), f[1], f[2], f[3], " ".join(f[4:])
    if pid != "0" or module != "":
        bad.append("not a kernel-image symbol: " + line.strip())
    if addr < prev:
        bad.append("not sorted: %s after 0x%x" % (line.strip(), prev))
    prev = addr
    ours.add((addr, name, kind))
oracle = [l.split() for l in open(sys.argv[1]) if l.strip()]
for a, t, n in oracle:
    if (int(a, 16), n, kinds[t.lower()]) not in ours:
        bad.append("oracle %s %s %s: not ours" % (a, t, n))
if len(oracle) < 60 or len(ours) < 50000:
    bad.append("only %d oracle lines, %d symbols" % (len(oracle), len(ours)))
if bad:
    sys.exit("\n".join(bad[:20]))
PY
		[ "$status" -eq 0 ] || fail "$src: $output"
	done
}

@test "mf-syms --kernel: each symbol's size is the kernel's own (the /SIZE of its backtraces in /proc/PID/stack)" {
	need_guest
	guest_oracle stack | sed -n 's/^\[<[0-9a-f]*>\] \([A-Za-z0-9_.]*\)+0x[0-9a-f]*\/\(0x[0-9a-f]*\)$/\1 \2/p' | sort -u >"$D/oracle.sizes"
	[ "$(wc -l <"$D/oracle.sizes")" -ge 3 ] || fail "the guest printed too few stack lines: $(guest_oracle stack)"
	# every oracle function: one of the symbols of that name has exactly that size
	mf-syms -c "$E" -o linux --kernel -f json $(awk '{ print $1 }' "$D/oracle.sizes") </dev/null |
		jq -r 'select(.type == "symbol") | "\(.name) \(.size)"' | sort -u >"$D/ours.sizes"
	run -0 bash -c "while read -r n z; do grep -qx \"\$n \$z\" '$D/ours.sizes' || echo \"\$n \$z: ours \$(grep \"^\$n \" '$D/ours.sizes' | tr '\n' ' ')\"; done <'$D/oracle.sizes'"
	assert_output ""
}

@test "globs: NAME, MODULE!NAME (the kernel image is vmlinux), several at once; nothing matching is exit 1" {
	need_guest
	task=$(oracle_addr init_task) banner=$(oracle_addr linux_banner)
	run -0 --separate-stderr mf-syms -c "$E" -o linux -f table 'init_t?sk' </dev/null
	assert_equal "$stderr" ""
	assert_line --index 0 --regexp '^ +ADDR +SIZE +KIND +MODULE +NAME$'
	assert_line --index 1 --regexp "^ *$task +0x[1-9a-f][0-9a-f]* +data +- +init_task\$"
	assert_equal "${#lines[@]}" 2
	# two globs: both symbols, in address order (linux_banner is rodata, before init_task)
	run -0 mf-syms -c "$E" -o linux -f json 'vmlinux!init_task' linux_banner </dev/null
	assert_equal "$(jq -r 'select(.type == "symbol") | "\(.name) \(.addr)"' <<<"$output")" \
		"linux_banner $banner"$'\n'"init_task $task"
	# a pattern: every match starts with it, and the oracle's names are among them
	run -0 mf-syms -c "$E" -o linux -f json '__*BTF' </dev/null
	assert_equal "$(jq -r 'select(.type == "symbol") | .name' <<<"$output" | sort | tr '\n' ' ')" "__start_BTF __stop_BTF "
	run -1 --separate-stderr mf-syms -c "$E" -o linux -f table 'ext4!*' 'no_such_symbol_*' </dev/null
	assert_equal "$stderr" "mf-syms: no symbol matches 'ext4!*' (nor the other globs)"
	assert_equal "$output" ""
}

@test "a target from mf-attach: on stdin (the record passed on first) and with -t" {
	need_guest
	task=$(oracle_addr init_task)
	run -0 --separate-stderr bash -c "mf-attach -q -c '$E' -o linux | mf-syms -f json init_task"
	assert_equal "$(head -n1 <<<"$output" | jq -r '.type + " " + .os')" "target linux"
	assert_equal "$(jq -r 'select(.type == "symbol") | .addr' <<<"$output")" "$task"
	run -0 mf-syms -t "$D/target" -f json init_task </dev/null
	assert_equal "$(jq -r 'select(.type == "symbol") | .addr' <<<"$output")" "$task"
}

@test "--at: the symbol that contains an address, with the offset, from expressions and numbers" {
	need_guest
	task=$(oracle_addr init_task) banner=$(oracle_addr linux_banner)
	run -0 --separate-stderr mf-syms -t "$D/target" -f table --at init_task+0x10 --at "$(hexadd "$banner" 3)" </dev/null
	assert_equal "$stderr" ""
	assert_line --index 0 --regexp '^ +AT +SYMBOL +ADDR +KIND$'
	assert_line --index 1 --regexp "^ *$(hexadd "$task" 0x10) +init_task\\+0x10 +$task +data\$"
	assert_line --index 2 --regexp "^ *$(hexadd "$banner" 3) +linux_banner\\+0x3 +$banner +data\$"
	# json through jq: the symbol's own fields and at, offset, where
	run -0 mf-syms -t "$D/target" -f json --at "$(hexadd "$task" 0x123)" </dev/null
	assert_equal "$(jq -r 'select(.type == "symbol") | "\(.name) \(.addr) \(.at) \(.offset) \(.where)"' <<<"$output")" \
		"init_task $task $(hexadd "$task" 0x123) 0x123 init_task+0x123"
	# an expression that names nothing, or is malformed: its error
	run -1 --separate-stderr mf-syms -t "$D/target" -f table --at no_such_symbol_here </dev/null
	assert_equal "$stderr" "mf-syms: no symbol or module 'no_such_symbol_here' in the kernel"
	run -2 --separate-stderr mf-syms -t "$D/target" -f table --at '0x10,zz' </dev/null
	assert_equal "$stderr" "mf-syms: invalid offset 'zz' in '0x10,zz'"
}

@test "-p PID: a guest process's symbols are its modules' dynamic symbols: the [vdso]'s, as readelf reads its image" {
	need_guest
	m1=$(guest_oracle markers | awk '$1 == "mfmarker1" { print $2 }')
	run -0 mf-modules -t "$D/target" -p "$m1" -f json </dev/null
	base=$(printf '%s\n' "$output" | jq -r 'select(.type == "module" and .name == "[vdso]") | .base')
	size=$(printf '%s\n' "$output" | jq -r 'select(.type == "module" and .name == "[vdso]") | .size')
	[[ -n $base && -n $size ]] || fail "no [vdso] module: $output"
	# the image out of the guest's memory, and readelf's reading of its dynamic symbols
	# (a page the process never touched is not mapped: zeros in its place, and exit 1)
	mf-read -t "$D/target" -p "$m1" -f raw --zero-fill "$base" "$size" >"$D/vdso.so" 2>/dev/null </dev/null || true
	[ "$(stat -c %s "$D/vdso.so")" -eq $((size)) ] || fail "the [vdso] image is not $size bytes"
	readelf --dyn-syms -W "$D/vdso.so" | while read -r num value _ type _ _ ndx name; do
		[[ $num =~ ^[0-9]+:$ && $ndx != UND && $type != SECTION && $((16#$value)) -ne 0 ]] || continue
		printf '0x%x %s\n' $((base + 16#$value)) "${name%%@*}"
	done | sort >"$D/vdso.oracle"
	[ "$(wc -l <"$D/vdso.oracle")" -ge 5 ] || fail "readelf found no symbols: $(cat "$D/vdso.oracle")"
	run -0 mf-syms -t "$D/target" -p "$m1" -f json </dev/null
	printf '%s\n' "$output" | jq -r 'select(.type == "symbol") | "\(.addr) \(.name)"' | sort >"$D/vdso.ours"
	run diff "$D/vdso.oracle" "$D/vdso.ours"
	[ "$status" -eq 0 ] || fail "symbols differ from readelf's: $output"
	# MODULE!NAME in an address argument, and --at back to it
	addr=$(awk '$2 == "__vdso_clock_gettime" { print $1 }' "$D/vdso.oracle")
	# (clock_gettime is the same function: either name is the answer)
	run -0 mf-syms -t "$D/target" -p "$m1" -f json --at '[vdso]!__vdso_clock_gettime+0x10' </dev/null
	assert_output --regexp "\"name\":\"(__vdso_)?clock_gettime\",\"addr\":\"$addr\""
	assert_output --regexp '"where":"\[vdso\]!(__vdso_)?clock_gettime\+0x10"'
	# a kernel thread has none, and says so
	run -1 --separate-stderr mf-syms -t "$D/target" -p 2 </dev/null
	assert_equal "$stderr" "mf-syms: cannot list the symbols of pid 2: pid 2 is a kernel thread: it has no modules"
}

@test "every struct size and offset the layer uses (mf-attach -vv) is what pahole reads in the guest's own BTF" {
	need_guest
	require_cmd pahole
	run -0 mf-syms -c "$E" -o linux --save-btf "$D/offsets.btf" </dev/null
	run -0 --separate-stderr mf-attach -c "$E" -o linux -vv -f msgpack </dev/null
	no_sanitizer
	grep -E 'linux: BTF (size|offset) of ' <<<"$stderr" >"$D/ours.offsets" || fail "mf-attach -vv logged no offsets"
	# every member of the layer's table that this kernel has (6.1: no core_layout, no mmap)
	[ "$(grep -c 'BTF offset of' "$D/ours.offsets")" -ge 45 ] || fail "$(cat "$D/ours.offsets")"
	grep -q 'BTF offset of module.mkobj.mod: ' "$D/ours.offsets"
	run /usr/bin/python3 "$MF_TOP_SRCDIR/tests/pahole-offsets.py" "$D/offsets.btf" "$D/ours.offsets"
	[ "$status" -eq 0 ] || fail "$output"
}

@test "--save-btf: the guest's BTF blob (its sha256), which bpftool reads and whose task_struct offsets fit the guest's tasks" {
	need_guest
	require_cmd bpftool pahole sha256sum
	run -0 --separate-stderr mf-syms -c "$E" -o linux --save-btf "$D/vmlinux.btf" </dev/null
	no_sanitizer
	assert_equal "$output" ""
	assert_equal "$stderr" ""
	assert_equal "$(sha256sum <"$D/vmlinux.btf" | awk '{ print $1 }')" "$(guest_oracle btf | awk '{ print $1 }')"
	run -0 mf-syms -c "$D/qemu.kdump" -o linux --save-btf "$D/kdump.btf" </dev/null
	cmp "$D/kdump.btf" "$D/vmlinux.btf"
	run -0 bpftool btf dump file "$D/vmlinux.btf"
	assert_line --regexp "^\[[0-9]+\] STRUCT 'task_struct' size=[0-9]+ vlen=[0-9]+\$"
	# pahole's offsets read the marker's pid, comm and parent (init) out of its task_struct
	pahole -F btf -C task_struct "$D/vmlinux.btf" >"$D/task_struct.txt"
	off() { awk -v f="$1" '$0 ~ "[ *]" f "(\\[[0-9]+\\])?;" { sub(/.*\/\* */, ""); print $1; exit }' "$D/task_struct.txt"; }
	[[ -n $(off pid) && -n $(off comm) && -n $(off real_parent) ]] || fail "no offsets in: $(head -c 2000 "$D/task_struct.txt")"
	m1=$(guest_oracle markers | awk '$1 == "mfmarker1" { print $2 }')
	task=$(mf-ps -t "$D/target" -p "$m1" -f json </dev/null | jq -r 'select(.type == "process") | .addr')
	init=$(mf-ps -t "$D/target" -p 1 -f json </dev/null | jq -r 'select(.type == "process") | .addr')
	kread() { mf-read -t "$D/target" --kernel -f raw "$(hexadd "$task" "$1")" "$2" </dev/null; }
	assert_equal "$(kread "$(off pid)" 4 | od -An -tu4 | tr -d ' ')" "$m1"
	assert_equal "$(kread "$(off comm)" 9)" mfmarker1
	assert_equal "0x$(kread "$(off real_parent)" 8 | od -An -tx8 | tr -d ' ')" "$init"
	# atomic, and an existing file is kept unless --force
	echo old >"$D/old.btf"
	run -1 --separate-stderr mf-syms -c "$E" -o linux --save-btf "$D/old.btf" </dev/null
	[[ $stderr == "mf-syms: "*"$D/old.btf"* && $(wc -l <<<"$stderr") -eq 1 ]] || fail "stderr: $stderr"
	assert_equal "$(cat "$D/old.btf")" old
	run -0 mf-syms -c "$E" -o linux --save-btf "$D/old.btf" --force </dev/null
	cmp "$D/old.btf" "$D/vmlinux.btf"
	[[ -z $(find "$D" -maxdepth 1 -name '.*' -newer "$D/vmlinux.btf") ]] || fail "a temporary file was left"
}

@test "hostile memory: a saved target whose BTF was overwritten since: refused with the bytes found, no file" {
	need_guest
	cp "$E" "$D/poked.elf"
	chmod u+w "$D/poked.elf"
	mf-attach -q -c "$D/poked.elf" -o linux >"$D/poked.target"
	btf=$(mf-attach -c "$D/poked.elf" -o linux -f json </dev/null | jq -r 'select(.type == "target") | .hints.btf_addr')
	[[ $btf == 0x* ]] || fail "no btf_addr hint: $btf"
	pa=$(mf-vtop -t "$D/poked.target" --kernel "$btf" -f json </dev/null | jq -r 'select(.type == "xlat") | .pa')
	# the file offset of physical PA in the ELF dump (its PT_LOAD headers), written over
	/usr/bin/python3 - "$D/poked.elf" "$pa" <<'PY'
import struct, sys
pa = int(sys.argv[2], 0)
with open(sys.argv[1], "r+b") as f:
    h = f.read(64)
    phoff, phentsize, phnum = struct.unpack_from("<Q", h, 32)[0], *struct.unpack_from("<HH", h, 54)
    for i in range(phnum):
        f.seek(phoff + i * phentsize)
        typ, _, off, _, paddr, filesz = struct.unpack("<IIQQQQ", f.read(40))
        if typ == 1 and paddr <= pa < paddr + filesz:
            f.seek(off + pa - paddr)
            f.write(b"AAAA")
            sys.exit(0)
sys.exit("0x%x is in no PT_LOAD" % pa)
PY
	run -1 --separate-stderr mf-syms -t "$D/poked.target" --save-btf "$D/poked.btf" </dev/null
	no_sanitizer
	assert_equal "$stderr" "mf-syms: kernel BTF at $btf: no BTF magic (bytes 41 41)"
	[ ! -e "$D/poked.btf" ]
	rm -f "$D/poked.elf"
}

@test "bad input: a non-Linux image with -o linux, no BTF to save, unknown and conflicting options" {
	head -c $((16 << 20)) /dev/urandom >"$BATS_TEST_TMPDIR/random.raw"
	run -1 --separate-stderr timeout 60 mf-syms -c "$BATS_TEST_TMPDIR/random.raw" -o linux </dev/null
	no_sanitizer
	assert_equal "$stderr" "mf-syms: no Linux kernel found in physical memory (no VMCOREINFO note, no \"Linux version\" banner)"
	run -1 --separate-stderr timeout 60 mf-syms -c "$BATS_TEST_TMPDIR/random.raw" -o linux --save-btf "$BATS_TEST_TMPDIR/x.btf" </dev/null
	assert_equal "$stderr" "mf-syms: no Linux kernel found in physical memory (no VMCOREINFO note, no \"Linux version\" banner)"
	[ ! -e "$BATS_TEST_TMPDIR/x.btf" ]
	# this machine (native): no kernel symbols (its processes' are tests/mf-syms.bats'), no BTF hints
	run -1 --separate-stderr mf-syms </dev/null
	assert_equal "$stderr" "mf-syms: cannot list the symbols of the kernel: native: kernel symbols are not listed here (read /proc/kallsyms, or use -c kcore -o linux)"
	run -1 --separate-stderr mf-syms --save-btf "$BATS_TEST_TMPDIR/x.btf" </dev/null
	assert_equal "$stderr" "mf-syms: no kernel BTF in native (the os layer gave no btf_addr and btf_size hints)"
	[ ! -e "$BATS_TEST_TMPDIR/x.btf" ]
	# usage errors: exit 2, the usage on stderr
	run -2 --separate-stderr mf-syms --no-such-option </dev/null
	assert_equal "${stderr_lines[0]}" "mf-syms: unrecognized option '--no-such-option'"
	assert_equal "${stderr_lines[1]}" "usage: mf-syms [options] [--kernel | -p PID] [GLOB | MODULE!GLOB]..."
	run -2 --separate-stderr mf-syms --kernel -p 1 </dev/null
	assert_equal "$stderr" "mf-syms: give --kernel or -p, not both"
	run -2 --separate-stderr mf-syms --force </dev/null
	assert_equal "$stderr" "mf-syms: --force goes with --save-btf"
	run -2 --separate-stderr mf-syms --at 0x1000 'init_*' </dev/null
	assert_equal "$stderr" "mf-syms: --at takes no GLOB ('init_*')"
	run -2 --separate-stderr mf-syms --save-btf x.btf -p 1 </dev/null
	assert_equal "$stderr" "mf-syms: --save-btf takes no -p, --at or GLOB"
	run -2 --separate-stderr mf-syms -p 0 </dev/null
	assert_equal "$stderr" "mf-syms: pid '0' out of range (the kernel is --kernel)"
	run -2 --separate-stderr mf-syms -p x </dev/null
	assert_equal "$stderr" "mf-syms: invalid pid 'x'"
}

@test "symos: module symbols with sizes, MODULE!GLOB, a process's exports and forwarders, --at by the list" {
	export MF_PLUGIN_PATH=$SYMOS_PATH
	run -0 --separate-stderr mf-syms -o symos -f table </dev/null
	no_sanitizer
	assert_equal "$output" "              ADDR      SIZE  KIND      MODULE        NAME
0xffffffff81000000     0x100  function  -             _stext
0xffffffff82000000      0x40  data      -             init_task
0xffffffffc0000000       0x0  function  ext4          ext4_init
0xffffffffc0001000       0x8  function  ext4          init_task"
	run -0 mf-syms -o symos -f json 'ext?!init_*' </dev/null
	assert_equal "$(jq -r 'select(.type == "symbol") | "\(.module) \(.name) \(.addr) \(.size)"' <<<"$output")" \
		"ext4 init_task 0xffffffffc0001000 0x8"
	run -0 mf-syms -o symos -f json 'vmlinux!init_task' </dev/null
	assert_equal "$(jq -r 'select(.type == "symbol") | "\(.module)|\(.name) \(.addr)"' <<<"$output")" "|init_task 0xffffffff82000000"
	run -0 mf-syms -o symos -p 1 -f json </dev/null
	assert_equal "$(jq -c 'select(.type == "symbol") | [.pid, .module, .name, .kind, .forward]' <<<"$output")" \
		'[1,"libc.so.6","malloc","export",null]
[1,"kernel32.dll","HeapAlloc","forwarder","ntdll.RtlAllocateHeap"]'
	# --at through the list: inside a sized symbol, past its end (none), in an unsized one
	run -0 mf-syms -o symos -f json --at 0xffffffff8200003f --at 0xffffffffc0000fff </dev/null
	assert_equal "$(jq -r 'select(.type == "symbol") | .where' <<<"$output")" "init_task+0x3f
ext4!ext4_init+0xfff"
	run -1 --separate-stderr mf-syms -o symos --at 0xffffffff82000040 </dev/null
	assert_equal "$stderr" "mf-syms: no symbol at 0xffffffff82000040"
	run -1 --separate-stderr mf-syms -o symos -p 2 </dev/null
	assert_equal "$stderr" "mf-syms: cannot list the symbols of pid 2: no process with pid 2"
}
