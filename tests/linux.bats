#!/usr/bin/env bats
# The linux os layer against a real guest (Debian's kernel under QEMU): from QEMU's own ELF
# and kdump-zlib dumps, the live guest, and mf-dump's LiME and raw files of it, with no
# symbol file, the processes, kernel modules, memory maps and process memory agree with
# what the guest printed about itself (the oracle, tests/guest/README.md).
load test_helper
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
	fi
}

teardown_file() {
	guest_stop_all
}

setup() {
	guest_require
	guest_use guest
	D=$BATS_FILE_TMPDIR
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
