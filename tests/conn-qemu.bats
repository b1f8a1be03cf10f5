#!/usr/bin/env bats
# The qemu connector against a real guest (tests/guest): layout, bytes, hints, writes and
# process selection, each checked against what QEMU, the guest or gpa-read say.
load test_helper
. "$MF_TOP_SRCDIR/tests/guest/guest.bash"

DRV=$MF_TOP_BUILDDIR/tests/unit/test-conn-qemu

setup_file() {
	# QEMU -name for the guest: a wrapper first in PATH adds it (guest.bash has no option).
	export QNAME="mfq-$$-guest"
	mkdir -p "$BATS_FILE_TMPDIR/bin"
	local real
	real=$(command -v qemu-system-x86_64 || true)
	if [ -n "$real" ]; then
		printf '#!/bin/sh\nexec %s -name "guest=${QNAME},debug-threads=on" "$@"\n' "$real" \
			>"$BATS_FILE_TMPDIR/bin/qemu-system-x86_64"
		chmod +x "$BATS_FILE_TMPDIR/bin/qemu-system-x86_64"
	fi
	export PATH=$BATS_FILE_TMPDIR/bin:$PATH
	if guest_require; then
		guest_start
		guest_pause
		guest_dump elf "$BATS_FILE_TMPDIR/guest.elf"
		/usr/bin/python3 -c '
import random, sys
r = random.Random(4711); mem = int(sys.argv[1]); out = []
while len(out) < 10000:
    p = r.randrange(0, mem >> 12) << 12
    if not 0xa0000 <= p < 0xc0000: out.append("0x%x" % p)
print("\n".join(out))' "$GUEST_MEM_BYTES" >"$BATS_FILE_TMPDIR/gpas"
	fi
}

teardown_file() {
	guest_stop_all
	rm -f "$BATS_FILE_TMPDIR/guest.elf"
}

setup() {
	guest_require
	[ -x "$GUEST_GPA_READ" ] && [ -x "$DRV" ] || fail "needs gpa-read and test-conn-qemu (make check builds them)"
	guest_use guest
}

sym() {
	guest_oracle kallsyms | awk -v s="$1" '$3 == s { print $1; exit }'
}

kernel_code_pa() {
	guest_oracle iomem | awk -F' : ' '$2 == "Kernel code" { sub(/^ */, "", $1); split($1, a, "-"); print a[1]; exit }'
}

# Bytes of an ELF core at GPAs read from stdin, LEN each, by PT_LOAD p_paddr/p_offset.
elf_pages() { # ELF LEN
	/usr/bin/python3 -c '
import mmap, struct, sys
f = open(sys.argv[1], "rb"); n = int(sys.argv[2])
m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
phoff, = struct.unpack_from("<Q", m, 0x20)
phentsize, phnum = struct.unpack_from("<HH", m, 0x36)
loads = []
for i in range(phnum):
    p_type, _, p_off, _, p_paddr, p_filesz = struct.unpack_from("<IIQQQQ", m, phoff + i * phentsize)
    if p_type == 1:
        loads.append((p_paddr, p_filesz, p_off))
out = sys.stdout.buffer
for tok in sys.stdin.read().split():
    gpa = int(tok, 0)
    for pa, sz, off in loads:
        if pa <= gpa and gpa + n <= pa + sz:
            out.write(m[off + gpa - pa: off + gpa - pa + n]); break
    else:
        sys.exit("no PT_LOAD holds 0x%x" % gpa)
' "$1" "$2"
}

@test "qemu: QMP layout covers the guest's System RAM, skips the VGA window; hints" {
	run -0 --separate-stderr env QEMU_TEST_LOG=1 "$DRV" open "qemu:pid=$GUEST_QEMU_PID"
	assert_line "hint live 0x1"
	assert_line "hint format qemu"
	assert_line "hint qemu_map qmp"
	assert_line "hint arch x86_64"
	assert_line "hint guest_name $QNAME"
	assert_line "$(printf 'hint qemu_pid 0x%x' "$GUEST_QEMU_PID")"
	assert_line --regexp '^layout 0xfd000000-0xfe000000 vga.vram@0x0 hva 0x[0-9a-f]+$'
	assert_line --regexp '^layout 0xfffc0000-0x100000000 pc.bios@0x0 ro hva 0x[0-9a-f]+$'
	[[ $stderr == *"guest RAM layout of pid $GUEST_QEMU_PID from QMP (info mtree -f, gpa2hva) on $GUEST_QMP"* ]]
	# pc.ram is exactly [0, 0xa0000) + [0xc0000, RAM) at host offset GPA from GUEST_RAM_HVA
	local gpa off hva
	while read -r gpa off hva; do
		[ $((gpa)) -eq $((off)) ] && [ $((hva)) -eq $((GUEST_RAM_HVA + off)) ] ||
			fail "pc.ram at $gpa: offset $off, host $hva"
	done < <(printf '%s\n' "$output" | awk '$1 == "layout" && $3 ~ /^pc.ram@/ { split($2, r, "-"); print r[1], substr($3, 8), $NF }')
	local ram
	ram=$(printf '%s\n' "$output" | awk '$1 == "layout" && $3 ~ /^pc.ram@/ { split($2, r, "-"); print r[1], r[2] }' |
		/usr/bin/python3 -c '
import sys
iv = sorted(tuple(int(x, 16) for x in l.split()) for l in sys.stdin)
out = []
for s, e in iv:
    if out and out[-1][1] == s: out[-1][1] = e
    else: out.append([s, e])
print(" ".join("0x%x-0x%x" % (s, e) for s, e in out))')
	[ "$ram" = "$(printf '0x0-0xa0000 0xc0000-0x%x' "$GUEST_MEM_BYTES")" ] || fail "pc.ram: $ram"
	# every System RAM line of /proc/iomem lies in one range; no range touches the VGA window
	local ranges
	ranges=$(printf '%s\n' "$output" | awk '$1 == "range" { print $2, $3 }')
	local s e rb re found
	while IFS=- read -r s e; do
		found=0
		while read -r rb re; do
			(( rb <= 0x$s && 0x$e + 1 <= re )) && found=1
		done <<<"$ranges"
		[ "$found" = 1 ] || fail "System RAM $s-$e not in a range"
	done < <(guest_oracle iomem | awk -F' : ' '$2 == "System RAM" { sub(/^ */, "", $1); print $1 }')
	while read -r rb re; do
		(( rb >= 0xc0000 || re <= 0xa0000 )) || fail "range $rb-$re overlaps the VGA window"
	done <<<"$ranges"
	[ "$(guest_oracle iomem | grep -c 'System RAM')" -ge 2 ]
}

@test "qemu: 10,000 random pages equal gpa-read's and QEMU's ELF dump (paused guest)" {
	local t0 t1
	t0=$(date +%s%N)
	"$DRV" read "qemu:pid=$GUEST_QEMU_PID" 4096 <"$BATS_FILE_TMPDIR/gpas" >"$BATS_TEST_TMPDIR/conn"
	t1=$(date +%s%N)
	echo "# connector: 10000 random pages in $(( (t1 - t0) / 1000000 )) ms (with open)" >&3
	"$GUEST_GPA_READ" "$GUEST_QEMU_PID" "$GUEST_RAM_HVA" - 4096 <"$BATS_FILE_TMPDIR/gpas" >"$BATS_TEST_TMPDIR/gpa"
	elf_pages "$BATS_FILE_TMPDIR/guest.elf" 4096 <"$BATS_FILE_TMPDIR/gpas" >"$BATS_TEST_TMPDIR/elf"
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/conn")" -eq $((10000 * 4096)) ]
	cmp "$BATS_TEST_TMPDIR/conn" "$BATS_TEST_TMPDIR/gpa"
	cmp "$BATS_TEST_TMPDIR/conn" "$BATS_TEST_TMPDIR/elf"
	# the pages are not all zero: this compares something
	[ "$(tr -d '\0' <"$BATS_TEST_TMPDIR/conn" | head -c 1000000 | wc -c)" -gt 100000 ]
	# VGA vram through the connector equals the dump's vga.vram segment
	echo 0xfd000000 0xfd7ff000 >"$BATS_TEST_TMPDIR/vram"
	"$DRV" read "qemu:pid=$GUEST_QEMU_PID" 4096 <"$BATS_TEST_TMPDIR/vram" >"$BATS_TEST_TMPDIR/vconn"
	elf_pages "$BATS_FILE_TMPDIR/guest.elf" 4096 <"$BATS_TEST_TMPDIR/vram" >"$BATS_TEST_TMPDIR/velf"
	cmp "$BATS_TEST_TMPDIR/vconn" "$BATS_TEST_TMPDIR/velf"
	# holes fail: the VGA window and past RAM
	run -1 --separate-stderr bash -c "echo 0xa0000 | '$DRV' read 'qemu:pid=$GUEST_QEMU_PID' 16"
	[[ $stderr == "test-conn-qemu: cannot read 0xa0000 ("* ]] || fail "$stderr"
	run -1 --separate-stderr bash -c "echo $GUEST_MEM_BYTES | '$DRV' read 'qemu:pid=$GUEST_QEMU_PID' 16"
	[[ $stderr == "test-conn-qemu: cannot read $(printf '0x%x' "$GUEST_MEM_BYTES") ("* ]] || fail "$stderr"
}

@test "qemu: dtb hint is the CR3 of QEMU's ELF note; banner at the oracle's physical and virtual address" {
	local qemu cr3 dtb pa banner
	qemu=$(readelf -nW "$BATS_FILE_TMPDIR/guest.elf" | awk '$1 == "QEMU" { v = 1 } v && /description data:/ { sub(/.*data: */, ""); gsub(/ /, ""); print; exit }')
	cr3=$(echo "${qemu:$((0x1a0 * 2)):16}" | sed 's/../& /g' | awk '{ for (i = NF; i >= 1; i--) printf "%s", $i }')
	[ -n "$cr3" ] || fail "no QEMU note"
	run -0 --separate-stderr "$DRV" open "qemu:pid=$GUEST_QEMU_PID"
	dtb=$(printf '%s\n' "$output" | awk '$2 == "dtb" { print $3 }')
	[ $((dtb)) -eq $((0x$cr3 & ~0xfff)) ] || fail "dtb $dtb, note CR3 $cr3"
	assert_line "hint kernel_dtb $dtb"
	banner=$(guest_oracle version)
	pa=$((0x$(kernel_code_pa) + 0x$(sym linux_banner) - 0x$(sym _stext)))
	run -0 bash -c "echo $pa | '$DRV' read 'qemu:pid=$GUEST_QEMU_PID' ${#banner}"
	assert_output "$banner"
	# through the arch/dtb hints: libmf translates the kernel's virtual address
	run -0 "$DRV" vread "qemu:pid=$GUEST_QEMU_PID" "0x$(sym linux_banner)" "${#banner}"
	assert_output "$banner"
}

@test "qemu: a write to a page the guest does not use reads back (connector and gpa-read)" {
	# Physical page 0 is not System RAM to Linux (iomem starts at 0x1000); 0xf00 is past
	# the real-mode IVT and BIOS data area.  The original bytes are restored.
	local orig
	orig=$("$GUEST_GPA_READ" "$GUEST_QEMU_PID" "$GUEST_RAM_HVA" 0xf00 16 | xxd -p)
	run -0 "$DRV" write "qemu:pid=$GUEST_QEMU_PID" 0xf00 "mf-qemu-$$"
	assert_output "mf-qemu-$$"
	run -0 "$GUEST_GPA_READ" "$GUEST_QEMU_PID" "$GUEST_RAM_HVA" 0xf00 ${#output}
	assert_output "mf-qemu-$$"
	run -0 "$DRV" write "qemu:pid=$GUEST_QEMU_PID" 0xf00 "hex:$orig"
	assert_output "$orig"
	run -0 bash -c "'$GUEST_GPA_READ' '$GUEST_QEMU_PID' '$GUEST_RAM_HVA' 0xf00 16 | xxd -p"
	assert_output "$orig"
	# ROM (pc.bios) is read-only to the guest and so to the connector
	run -1 --separate-stderr "$DRV" write "qemu:pid=$GUEST_QEMU_PID" 0xfffc0000 x
	[[ $stderr == "test-conn-qemu: cannot write 0xfffc0000 ("* ]] || fail "$stderr"
}

@test "qemu: name=, positional name, pid=, no arguments, and their errors" {
	run -0 "$DRV" open "qemu:name=$QNAME"
	assert_line "$(printf 'hint qemu_pid 0x%x' "$GUEST_QEMU_PID")"
	run -0 "$DRV" open "qemu:$QNAME"
	assert_line "$(printf 'hint qemu_pid 0x%x' "$GUEST_QEMU_PID")"
	run -0 "$DRV" open "qemu:$GUEST_QEMU_PID"
	assert_line "hint guest_name $QNAME"
	run -1 --separate-stderr "$DRV" open "qemu:name=nonesuch-$$"
	[ "$stderr" = "test-conn-qemu: no QEMU process with -name nonesuch-$$ (not found)" ] || fail "$stderr"
	run -1 --separate-stderr "$DRV" open "qemu:pid=$$"
	[ "$stderr" = "test-conn-qemu: process $$ is not a qemu-system process (invalid argument)" ] || fail "$stderr"
	run -1 --separate-stderr "$DRV" open "qemu:pid=$GUEST_QEMU_PID,name=other"
	[[ $stderr == "test-conn-qemu: qemu process $GUEST_QEMU_PID has -name '$QNAME', not -name other ("* ]] || fail "$stderr"
	run -1 --separate-stderr "$DRV" open "qemu:pid=$GUEST_QEMU_PID,qmp=$BATS_TEST_TMPDIR/none.sock"
	[[ $stderr == "test-conn-qemu: cannot connect to QMP socket $BATS_TEST_TMPDIR/none.sock: No such file or directory ("* ]] || fail "$stderr"
	run -1 --separate-stderr "$DRV" open "qemu:pid=$GUEST_QEMU_PID,map=guess"
	[[ $stderr == "test-conn-qemu: invalid map 'guess' (auto, qmp or maps) ("* ]] || fail "$stderr"
	# no arguments: this guest if it is the only QEMU, else an error naming it (other
	# QEMUs may run on this machine)
	local n
	n=$(for c in /proc/[0-9]*/comm; do cat "$c" 2>/dev/null; done | grep -c '^qemu-system-') || true
	run --separate-stderr "$DRV" open qemu
	if [ "$n" -eq 1 ]; then
		assert_equal "$status" 0
		assert_line "$(printf 'hint qemu_pid 0x%x' "$GUEST_QEMU_PID")"
	else
		[ "$status" -eq 1 ]
		[[ $stderr == "test-conn-qemu: "*" QEMU processes are running, choose one with pid= or name=: "*"$GUEST_QEMU_PID (-name $QNAME)"* ]] ||
			[[ $stderr == *", ..."* ]] || fail "$stderr"
	fi
	# a QEMU-looking process with a -name but no guest RAM
	(exec -a qemu-system-x86_64 /usr/bin/python3 -c 'import time; time.sleep(30)' -name "fake-$$" 3>&-) &
	local fake=$!
	sleep 0.3
	run -1 --separate-stderr "$DRV" open "qemu:name=fake-$$"
	kill "$fake"
	wait "$fake" 2>/dev/null || true
	[[ $stderr == "test-conn-qemu: cannot find guest RAM in /proc/$fake/maps: no rw mapping of 134217728 bytes (-m default; give qmp=) (not found)" ]] || fail "$stderr"
}

@test "qemu: a number is a pid, a name a name, in the target record; hints as counts and flags" {
	run -0 --separate-stderr mf-attach -c "qemu:$GUEST_QEMU_PID" -f json </dev/null
	run -0 jq -c '[.connector_args, .hints.qemu_pid, .hints.live]' <<<"$output"
	assert_output "[{\"pid\":\"$GUEST_QEMU_PID\"},$GUEST_QEMU_PID,true]"
	run -0 --separate-stderr mf-attach -c "qemu:$QNAME" -f json </dev/null
	run -0 jq -c .connector_args <<<"$output"
	assert_output "{\"name\":\"$QNAME\"}"
	# the saved record reopens the same process
	mf-attach -c "qemu:$GUEST_QEMU_PID" </dev/null >"$BATS_TEST_TMPDIR/t"
	run -0 --separate-stderr mf-read -t "$BATS_TEST_TMPDIR/t" --phys -f json 0x1000 16 </dev/null
	[[ ${lines[0]} == *"\"qemu_pid\":$GUEST_QEMU_PID,"* ]] || fail "${lines[0]}"
	run -0 --separate-stderr mf-attach -c "qemu:$GUEST_QEMU_PID" -f table </dev/null
	assert_line "  qemu_pid         $GUEST_QEMU_PID"
	assert_line "  live             true"
}

@test "qemu: without QMP (map=maps, and a QEMU with no QMP at all) the layout gives the same bytes" {
	run -0 --separate-stderr env QEMU_TEST_LOG=1 "$DRV" open "qemu:pid=$GUEST_QEMU_PID,map=maps"
	assert_line "hint qemu_map maps"
	assert_line "range 0x0 0xa0000"
	assert_line "$(printf 'range 0xc0000 0x%x' "$GUEST_MEM_BYTES")"
	[[ $stderr == *"guest RAM layout of pid $GUEST_QEMU_PID from /proc/$GUEST_QEMU_PID/maps and -m (536870912 bytes)"* ]]
	"$DRV" read "qemu:pid=$GUEST_QEMU_PID,map=maps" 4096 <"$BATS_FILE_TMPDIR/gpas" >"$BATS_TEST_TMPDIR/maps"
	"$GUEST_GPA_READ" "$GUEST_QEMU_PID" "$GUEST_RAM_HVA" - 4096 <"$BATS_FILE_TMPDIR/gpas" >"$BATS_TEST_TMPDIR/gpa"
	cmp "$BATS_TEST_TMPDIR/maps" "$BATS_TEST_TMPDIR/gpa"
	# a QEMU with no QMP socket (paused at reset, nothing booted): maps, no arch hints
	(cd "$BATS_TEST_TMPDIR" && exec qemu-system-x86_64 -machine pc -accel tcg -m 64M -S -nographic \
		-monitor none -serial none -nic none </dev/null >/dev/null 2>&1 3>&-) &
	local bare=$! i
	for i in $(seq 50); do
		run --separate-stderr env QEMU_TEST_LOG=1 "$DRV" open "qemu:pid=$bare"
		[ "$status" -eq 0 ] && break
		sleep 0.1
	done
	kill "$bare"; wait "$bare" 2>/dev/null || true
	[ "$status" -eq 0 ] || fail "$stderr"
	assert_line "hint qemu_map maps"
	assert_line "range 0xc0000 0x4000000"
	refute_line --regexp '^hint (arch|dtb) '
	[[ $stderr == *"no QMP socket (no qmp= and no -qmp unix: on the command line of $bare)"* ]] || fail "$stderr"
	[[ $stderr == *"no QMP: no arch or dtb hints"* ]] || fail "$stderr"
}

@test "qemu: a 5 GiB guest: the range above 4 GiB (QMP and maps) matches gpa-read" {
	guest_start --name big --mem 5G
	run -0 "$DRV" open "qemu:pid=$GUEST_QEMU_PID"
	assert_line "range 0x100000000 0x180000000"
	assert_line --regexp '^layout 0x100000000-0x180000000 pc.ram@0xc0000000 hva 0x[0-9a-f]+$'
	assert_line "range 0x100000 0xc0000000"
	guest_pause
	/usr/bin/python3 -c '
import random
r = random.Random(5)
print("\n".join("0x%x" % ((r.randrange(0x100000, 0x180000) << 12)) for _ in range(200)))
print("0x100000000 0x17ffff000 0xbffff000 0x1000")' >"$BATS_TEST_TMPDIR/high"
	"$DRV" read "qemu:pid=$GUEST_QEMU_PID" 4096 <"$BATS_TEST_TMPDIR/high" >"$BATS_TEST_TMPDIR/qmp"
	"$DRV" read "qemu:pid=$GUEST_QEMU_PID,map=maps" 4096 <"$BATS_TEST_TMPDIR/high" >"$BATS_TEST_TMPDIR/maps"
	"$GUEST_GPA_READ" -m 5G "$GUEST_QEMU_PID" "$GUEST_RAM_HVA" - 4096 <"$BATS_TEST_TMPDIR/high" >"$BATS_TEST_TMPDIR/gpa"
	cmp "$BATS_TEST_TMPDIR/qmp" "$BATS_TEST_TMPDIR/gpa"
	cmp "$BATS_TEST_TMPDIR/maps" "$BATS_TEST_TMPDIR/gpa"
	# the guest wrote above 4 GiB: not all zero
	[ "$(tr -d '\0' <"$BATS_TEST_TMPDIR/qmp" | wc -c)" -gt 0 ]
	guest_stop big
}
