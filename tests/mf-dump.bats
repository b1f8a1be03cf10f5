#!/usr/bin/env bats
# mf-dump: round trips through every format, holes, notes, the safe-output rules, process
# cores.  Fast, no guest (tests/dump-guest.bats has the real-guest checks).

load test_helper

SLICE=$THIRD_PARTY/deb-x86_64-slice.lime

setup() {
	T=$BATS_TEST_TMPDIR/w
	mkdir -p "$T"
	MNT=
}

teardown() {
	[ -z "$MNT" ] || umount "$MNT" 2>/dev/null || true
}

# A LiME with two ranges and a gap: 0x1000-0x2fff and 0x10000-0x10fff, pattern bytes.
mk_gap_lime() {
	/usr/bin/python3 - "$1" <<'EOF'
import struct, sys
def pat(a, n): return bytes(((x * 7) + (x >> 12)) & 0xff for x in range(a, a + n))
with open(sys.argv[1], 'wb') as f:
    for s, n in ((0x1000, 0x2000), (0x10000, 0x1000)):
        f.write(struct.pack('<IIQQQ', 0x4C694D45, 1, s, s + n - 1, 0))
        f.write(pat(s, n))
EOF
}

# A target record (JSON) for FILE with extra hints: arch, dtb, vmcoreinfo, kernel_base.
mk_target() {
	printf '{"type":"target","v":1,"connector":"lime","connector_args":{"path":"%s"},"os":null,"hints":{"format":"lime","arch":"x86_64","dtb":"0x1aa000","kernel_base":"0xffffffff81000000","vmcoreinfo":"OSRELEASE=6.1.0-mftest\\nPAGESIZE=4096\\nNUMBER(phys_base)=0\\n"}}\n' "$1"
}

# Wait (up to 20 s) until mf-dump PID has its temporary output in DIR open: the O_TMPFILE
# ("DIR/#INODE (deleted)") or the named temporary; then a moment for its marker.
wait_output() {
	local i fd l
	for i in $(seq 200); do
		for fd in /proc/"$1"/fd/*; do
			l=$(readlink "$fd" 2>/dev/null) || continue
			case $l in "$2"/'#'*|"$2"/.*.mf-dump-*) sleep 0.2; return 0 ;; esac
		done
		sleep 0.1
	done
	echo "mf-dump $1 never opened its output in $2"
	return 1
}

ranges_of() { # the memory lines of mf-attach's table
	mf-attach -c "$1" -f table | grep -E '^ +0x[0-9a-f]+-0x[0-9a-f]+'
}

@test "every format reads back byte-identical with the same memory map (third-party LiME slice)" {
	require_file "$SLICE"
	want=$(mf-read -c "$SLICE" --phys -f raw 0x1000 0x9f000 | sha256sum)
	wantr=$(ranges_of "$SLICE")
	for f in raw lime elf kdump; do
		run -0 --separate-stderr mf-dump -q -c "$SLICE" -F $f -o "$T/s.$f"
		assert_equal "$(mf-read -c "$T/s.$f" --phys -f raw 0x1000 0x9f000 | sha256sum)" "$want"
		[ $f = raw ] || assert_equal "$(ranges_of "$T/s.$f")" "$wantr"
	done
	# a LiME of a LiME is the same file
	cmp "$SLICE" "$T/s.lime"
}

@test "holes stay holes in lime, elf and kdump; raw is sparse zeros" {
	mk_gap_lime "$T/gap.lime"
	for f in lime elf kdump; do
		run -0 mf-dump -c "$T/gap.lime" -F $f -o "$T/g.$f"
		assert_equal "$(ranges_of "$T/g.$f")" "$(ranges_of "$T/gap.lime")"
		assert_equal "$(mf-read -c "$T/g.$f" --phys -f raw 0x1000 0x2000 | sha256sum)" \
			"$(mf-read -c "$T/gap.lime" --phys -f raw 0x1000 0x2000 | sha256sum)"
		assert_equal "$(mf-read -c "$T/g.$f" --phys -f raw 0x10000 0x1000 | sha256sum)" \
			"$(mf-read -c "$T/gap.lime" --phys -f raw 0x10000 0x1000 | sha256sum)"
		# the gap is reported, not zeros
		run -1 --separate-stderr mf-read -c "$T/g.$f" --phys -f json 0x3000 16
		assert_output --partial '"type":"gap"'
		assert_output --partial '"addr":"0x3000"'
	done
	run -0 mf-dump -c "$T/gap.lime" -F raw -o "$T/g.raw"
	[ "$(stat -c %s "$T/g.raw")" -eq $((0x11000)) ]
	cmp <(head -c $((0x3000)) "$T/g.raw" | tail -c $((0x2000))) <(mf-read -c "$T/gap.lime" --phys -f raw 0x1000 0x2000)
	cmp <(head -c $((0x10000)) "$T/g.raw" | tail -c $((0xd000))) <(head -c $((0xd000)) /dev/zero)
	# the gap takes no disk space: fewer blocks than the 0x11000 bytes
	[ "$(stat -c '%b * %B' "$T/g.raw" | bc)" -lt $((0x11000)) ]
}

@test "ELF: readelf accepts it; MFTOOLS, VMCOREINFO and QEMU notes carry the hints back" {
	require_cmd readelf
	mk_gap_lime "$T/gap.lime"
	mk_target "$T/gap.lime" >"$T/target.json"
	run -0 mf-dump -t "$T/target.json" -F elf -o "$T/t.elf"
	run -0 readelf -l -n "$T/t.elf"
	assert_output --partial 'Elf file type is CORE'
	assert_output --regexp 'LOAD +0x[0-9a-f]+ 0x0+1000 0x0+1000'
	assert_output --regexp 'LOAD +0x[0-9a-f]+ 0x0+10000 0x0+10000'
	assert_output --partial 'MFTOOLS'
	assert_output --partial 'VMCOREINFO'
	assert_output --partial 'QEMU'
	run -0 readelf -h "$T/t.elf"
	assert_output --partial 'Advanced Micro Devices X86-64'
	run -0 mf-attach -c "$T/t.elf" -f json
	assert_output --partial '"dtb":"0x1aa000"'
	assert_output --partial '"arch":"x86_64"'
	assert_output --partial '"osrelease":"6.1.0-mftest"'
	assert_output --partial '"mftools_record":'
	# libmf merges the saved record's hints into the target: kernel_base comes back
	assert_output --partial '"kernel_base":"0xffffffff81000000"'
	# and the note is the source's target record itself
	hex=$(mf-attach -c "$T/t.elf" -f json | sed -n 's/.*"mftools_record":"\([0-9a-f]*\)".*/\1/p')
	echo "$hex" | xxd -r -p >"$T/rec.msgpack"
	run -0 mf-attach -t "$T/rec.msgpack" -f json
	assert_output --partial '"kernel_base":"0xffffffff81000000"'
	assert_output --partial "\"path\":\"$T/gap.lime\""
}

@test "ELF: EM_386 for an x86-pae target, EM_AARCH64 for aarch64" {
	require_cmd readelf
	mk_gap_lime "$T/gap.lime"
	mk_target "$T/gap.lime" | sed 's/"arch":"x86_64"/"arch":"x86-pae"/' >"$T/pae.json"
	run -0 mf-dump -t "$T/pae.json" -F elf -o "$T/pae.elf"
	run -0 readelf -h "$T/pae.elf"
	assert_output --partial 'Intel 80386'
	run -0 mf-attach -c "$T/pae.elf" -f json
	assert_output --partial '"arch":"x86-pae"'
	mk_target "$T/gap.lime" | sed 's/"arch":"x86_64"/"arch":"aarch64"/' >"$T/a64.json"
	run -0 mf-dump -t "$T/a64.json" -F elf -o "$T/a64.elf"
	run -0 readelf -h "$T/a64.elf"
	assert_output --partial 'AArch64'
}

@test "kdump: file and makedumpfile accept it, VMCOREINFO and release in the header" {
	require_cmd file
	mk_gap_lime "$T/gap.lime"
	mk_target "$T/gap.lime" >"$T/target.json"
	run -0 mf-dump -t "$T/target.json" -F kdump -o "$T/t.kdump"
	run -0 file "$T/t.kdump"
	assert_output --partial 'Kdump compressed dump v6, system Linux, release 6.1.0-mftest, machine x86_64'
	run -0 mf-attach -c "$T/t.kdump" -f json
	assert_output --partial '"osrelease":"6.1.0-mftest"'
	assert_output --partial 'OSRELEASE=6.1.0-mftest'
	# release in the utsname of the main header
	run -0 dd if="$T/t.kdump" bs=1 skip=$((0xc + 130)) count=12 status=none
	assert_output '6.1.0-mftest'
	# makedumpfile itself needs a real kernel in the dump: tests/dump-guest.bats
}

@test "without the hint, ELF and kdump alike carry the VMCOREINFO note found in memory" {
	require_cmd readelf
	# 1 MiB of raw memory with the kernel's VMCOREINFO note at 0x5a000 (past the first read batch)
	/usr/bin/python3 - "$T/k.raw" <<'EOF2'
import struct, sys
text = b"OSRELEASE=6.1.0-inmem\nPAGESIZE=4096\nNUMBER(phys_base)=0\n"
note = struct.pack("<III", 11, len(text), 0) + b"VMCOREINFO\0\0" + text
with open(sys.argv[1], "wb") as f:
    f.truncate(1 << 20)
    f.seek(0x5a000)
    f.write(note)
EOF2
	for f in elf kdump; do
		run -0 --separate-stderr mf-dump -c "raw:$T/k.raw" -F $f -o "$T/k.$f" -v
		assert_regex "$stderr" 'VMCOREINFO found in memory'
		run -0 mf-attach -c "$T/k.$f" -f json
		assert_output --partial '"osrelease":"6.1.0-inmem"'
		assert_output --partial 'PAGESIZE=4096'
		# the memory itself is unchanged by the room left for the note
		cmp <(mf-read -c "$T/k.$f" --phys -f raw 0 1M) "$T/k.raw"
	done
	run -0 readelf -n "$T/k.elf"
	assert_output --regexp 'VMCOREINFO +0x0+3[0-9a-f]'
	# memory without one: no note, and the ELF writer says nothing
	truncate -s 1M "$T/z.raw"
	run -0 --separate-stderr mf-dump -c "raw:$T/z.raw" -F elf -o "$T/z.elf"
	assert_equal "$stderr" ""
	run -0 readelf -n "$T/z.elf"
	refute_output --partial VMCOREINFO
}

@test "ELF of an ELF core: its CORE notes (registers) are copied, gdb reads rip; other notes are not" {
	require_cmd gdb readelf
	# an x86_64 ELF core: one NT_PRSTATUS (rip 0xffffffff81234567, rsp 0xffffc90000123f00),
	# a note of another owner, 8 KiB of memory at 0x1000
	/usr/bin/python3 - "$T/src.elf" <<'EOF2'
import struct, sys
def note(name, typ, desc):
    n = name + b"\0"
    return struct.pack("<III", len(n), len(desc), typ) + n.ljust((len(n) + 3) // 4 * 4, b"\0") + desc.ljust((len(desc) + 3) // 4 * 4, b"\0")
regs = [0] * 27
regs[16], regs[19] = 0xffffffff81234567, 0xffffc90000123f00   # rip, rsp (user_regs_struct)
prstatus = bytearray(336)
struct.pack_into("<I", prstatus, 32, 4242)                       # pr_pid
struct.pack_into("<27Q", prstatus, 112, *regs)
notes = note(b"CORE", 1, bytes(prstatus)) + note(b"EVIL", 1, b"not a cpu")
mem = bytes((i * 7) & 0xff for i in range(8192))
phoff, noff = 64, 64 + 2 * 56
loff = (noff + len(notes) + 4095) // 4096 * 4096
eh = b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, phoff, 0, 0, 64, 56, 2, 0, 0, 0)
ph = struct.pack("<IIQQQQQQ", 4, 0, noff, 0, 0, len(notes), len(notes), 4)
ph += struct.pack("<IIQQQQQQ", 1, 7, loff, 0x1000, 0x1000, len(mem), len(mem), 0)
with open(sys.argv[1], "wb") as f:
    f.write(eh + ph + notes)
    f.seek(loff)
    f.write(mem)
EOF2
	regs() { gdb -nx -batch -c "$1" -ex 'info registers rip' -ex 'info registers rsp' 2>&1; }
	run -0 regs "$T/src.elf"
	assert_output --regexp 'rip +0xffffffff81234567'
	want=$output
	run -0 mf-dump -c "$T/src.elf" -F elf -o "$T/ours.elf"
	run -0 regs "$T/ours.elf"
	assert_equal "$output" "$want"
	run -0 readelf -n "$T/ours.elf"
	assert_output --regexp 'CORE +0x00000150[[:space:]]+NT_PRSTATUS'
	refute_output --partial EVIL
	cmp <(mf-read -c "$T/ours.elf" --phys -f raw 0x1000 8192) <(mf-read -c "$T/src.elf" --phys -f raw 0x1000 8192)
}

@test "kdump: all-zero pages share one stored page; compression shrinks pattern-free data" {
	truncate -s 64M "$T/zero.raw"
	run -0 mf-dump -c "raw:$T/zero.raw" -F kdump -o "$T/z.kdump"
	# 16384 descriptors of 24 bytes, bitmaps, one zero page: far below 1 MiB
	[ "$(stat -c %s "$T/z.kdump")" -lt $((1024 * 1024)) ]
	assert_equal "$(mf-read -c "$T/z.kdump" --phys -f raw 0x3ff0000 4096 | sha256sum)" \
		"$(head -c 4096 /dev/zero | sha256sum)"
	run -0 mf-attach -c "$T/z.kdump" -f table
	assert_output --partial '0x0000000000000000-0x0000000003ffffff'
}

@test "an existing file is an error without --force, replaced with it" {
	mk_gap_lime "$T/gap.lime"
	echo precious >"$T/out.lime"
	run -1 --separate-stderr mf-dump -c "$T/gap.lime" -F lime -o "$T/out.lime"
	assert_equal "$stderr" "mf-dump: $T/out.lime exists (use --force to replace it)"
	assert_equal "$(cat "$T/out.lime")" precious
	run -0 mf-dump -c "$T/gap.lime" -F lime -o "$T/out.lime" --force
	cmp "$T/gap.lime" "$T/out.lime"
	[ "$(ls -A "$T" | wc -l)" -eq 2 ]
}

@test "usage errors: no output, unknown format, -p with another format" {
	run -2 --separate-stderr mf-dump -c x -F raw
	assert_equal "${stderr_lines[0]}" "mf-dump: no output file (give -o PATH)"
	run -2 --separate-stderr mf-dump -c x -F zip -o "$T/x"
	assert_equal "${stderr_lines[0]}" "mf-dump: unknown format 'zip' (use raw, lime, elf or kdump)"
	run -2 --separate-stderr mf-dump -c x -o "$T/x.bin"
	assert_equal "${stderr_lines[0]}" "mf-dump: no format: give -F raw, lime, elf or kdump"
	run -2 --separate-stderr mf-dump -p 1 -F kdump -o "$T/x"
	assert_equal "${stderr_lines[0]}" "mf-dump: -p writes an ELF core (-F elf), not 'kdump'"
	[ -z "$(ls -A "$T")" ]
}

@test "disk full (ulimit -f): exit 1, clear error, no file, no temporary" {
	require_file "$SLICE"
	mkdir "$T/out"
	for f in raw lime elf kdump; do
		run -1 --separate-stderr bash -c "ulimit -f 16; exec mf-dump -q -c '$SLICE' -F $f -o '$T/out/d.$f'"
		assert_regex "$stderr" "^mf-dump: cannot write $T/out/d.$f: File too large$"
		[ -z "$(ls -A "$T/out")" ]
	done
}

@test "disk full on a tiny tmpfs, if mount works" {
	head -c 1M /dev/urandom >"$T/rnd.raw"
	mkdir "$T/mnt"
	mount -t tmpfs -o size=256k tmpfs "$T/mnt" 2>/dev/null || skip "cannot mount a tmpfs"
	MNT=$T/mnt
	run -1 --separate-stderr mf-dump -q -c "raw:$T/rnd.raw" -F lime -o "$T/mnt/d.lime"
	ls -A "$T/mnt" >"$T/left"
	assert_equal "$stderr" "mf-dump: cannot write $T/mnt/d.lime: No space left on device"
	[ ! -s "$T/left" ]
}

@test "SIGTERM mid-dump: exit 1, clear error, no file, no temporary" {
	truncate -s 2G "$T/big.raw"
	mkdir "$T/out"
	mf-dump -c "raw:$T/big.raw" -F elf -o "$T/out/big.elf" --rate-limit 64M 2>"$T/err" 3>&- &
	pid=$!
	sleep 1
	kill -TERM $pid
	status=0
	wait $pid || status=$?
	[ "$status" -eq 1 ]
	assert_equal "$(cat "$T/err")" "mf-dump: interrupted by Terminated: nothing written"
	[ -z "$(ls -A "$T/out")" ]
}

@test "%-strftime names and --keep 2 after 3 dumps leave the newest 2" {
	mk_gap_lime "$T/gap.lime"
	mkdir "$T/snap"
	echo other >"$T/snap/notes.txt"
	for i in 1 2 3; do
		run -0 mf-dump -c "$T/gap.lime" -F lime -o "$T/snap/g-%Y%m%d-%H%M%S.lime" --keep 2 --utc
		ls "$T/snap" >>"$T/seen"
		sleep 1.1
	done
	run -0 ls "$T/snap"
	assert_equal "${#lines[@]}" 3
	assert_line notes.txt
	# the two left are the last two written
	assert_equal "$(ls "$T/snap" | grep '^g-' | tr '\n' ' ')" "$(grep '^g-' "$T/seen" | sort -u | tail -n 2 | tr '\n' ' ')"
	assert_regex "$(ls "$T/snap" | grep '^g-' | head -n 1)" '^g-[0-9]{8}-[0-9]{6}\.lime$'
	# the UTC date is in the name
	assert_regex "$(ls "$T/snap" | grep '^g-' | head -n 1)" "^g-$(date -u +%Y%m%d)"
}

@test "process core: gdb shows the right string at a known address" {
	require_cmd gdb
	"$MF_TOP_BUILDDIR/tests/mf-memtarget" >"$T/mt.out" 3>&- &
	tpid=$!
	for _ in $(seq 50); do grep -q '^ready' "$T/mt.out" && break; sleep 0.1; done
	str=$(sed -n 's/^str=//p' "$T/mt.out")
	run -0 --separate-stderr mf-dump -p $tpid -o "$T/p.core" </dev/null
	kill $tpid
	run -0 readelf -n "$T/p.core"
	assert_output --partial 'NT_PRSTATUS'
	assert_output --partial 'NT_PRPSINFO'
	assert_output --partial 'NT_FILE'
	run -0 gdb -nx -batch -ex 'info proc mappings' -ex "x/s $str" -ex 'info registers rip' \
		"$MF_TOP_BUILDDIR/tests/mf-memtarget" "$T/p.core"
	assert_output --partial "$str <memtarget_str>:	\"mftools-memtarget-7f3a9c\""
	assert_output --regexp 'libc\.so\.6'
	refute_output --regexp 'rip +0x0 '
}

@test "process core: every thread with its registers; gdb backtraces name the target's functions" {
	require_cmd gdb
	"$MF_TOP_BUILDDIR/tests/mf-memtarget" --threads >"$T/mt.out" 3>&- &
	tpid=$!
	for _ in $(seq 50); do grep -q '^ready' "$T/mt.out" && break; sleep 0.1; done
	wtid=$(sed -n 's/^tid=//p' "$T/mt.out")
	run -0 --separate-stderr mf-dump -p $tpid -o "$T/p.core" </dev/null
	# the process runs on after the dump: no thread is left stopped
	for _ in $(seq 50); do
		grep -q '^State:.*[tT]' /proc/$tpid/status /proc/$tpid/task/*/status || break
		sleep 0.1
	done
	run -0 cat /proc/$tpid/task/$tpid/stat /proc/$tpid/task/$wtid/stat
	kill $tpid
	refute_output --regexp '\) [tT] '
	run -0 readelf -n "$T/p.core"
	assert_equal "$(grep -c NT_PRSTATUS <<<"$output")" 2
	assert_output --partial 'NT_AUXV'
	run -0 gdb -nx -batch -ex 'info threads' -ex 'thread apply all bt' \
		"$MF_TOP_BUILDDIR/tests/mf-memtarget" "$T/p.core"
	# two threads: the main one first (LWP = pid), then the worker
	assert_equal "$(grep -cE '^[* ] +[0-9]+ +(Thread|LWP)' <<<"$output")" 2
	grep -qE "^\* 1 +.*LWP $tpid\)" <<<"$output"
	grep -qE "^  2 +.*LWP $wtid\)" <<<"$output"
	assert_output --regexp 'in memtarget_worker_wait \('
	assert_output --regexp 'in memtarget_worker \('
	assert_output --regexp 'in memtarget_main_wait \('
	assert_output --regexp 'in main \('
}

@test "process core: --max-errors 0 fails on unreadable pages (vvar), no file" {
	"$MF_TOP_BUILDDIR/tests/mf-memtarget" >"$T/mt.out" 3>&- &
	tpid=$!
	for _ in $(seq 50); do grep -q '^ready' "$T/mt.out" && break; sleep 0.1; done
	grep -q '\[vvar\]' /proc/$tpid/maps || { kill $tpid; skip "no [vvar] mapping"; }
	run -1 --separate-stderr mf-dump -p $tpid -o "$T/p.core" --max-errors 0 </dev/null
	kill $tpid
	assert_regex "$stderr" "^mf-dump: [0-9]+ unreadable pages in pid $tpid \\(more than --max-errors 0\\)$"
	[ ! -e "$T/p.core" ]
}

@test "man page and --help name the same options" {
	opts_help=$(mf-dump --help | grep -oE -- '--[a-z][a-z-]*' | sort -u)
	# the loop below proves nothing over an empty list
	[ "$(wc -w <<<"$opts_help")" -ge 15 ]
	grep -qx -- --keep <<<"$opts_help"
	man_src="$MF_TOP_SRCDIR/man/mf-dump.1"
	for o in $opts_help; do
		grep -qF -- "$(echo "$o" | sed 's/-/\\-/g')" "$man_src" || { echo "missing in man: $o"; false; }
	done
}

# ---- --keep touches only mftools' own snapshots of the same target --------------------------

@test "--keep 1 with -o '%Y%m%d%H%M%S' deletes none of the user's files in the directory" {
	mk_gap_lime "$T/gap.lime"
	mkdir "$T/home"
	cd "$T/home"
	echo key >id_rsa
	echo notes >notes.txt
	echo thesis >thesis.tex
	# named as the pattern could name it, but not written by mf-dump
	echo mine >20200101000000
	for i in 1 2; do
		run -0 --separate-stderr mf-dump -c "$T/gap.lime" -F lime -o '%Y%m%d%H%M%S' --keep 1 -v
		sleep 1.1
	done
	assert_equal "$(cat id_rsa notes.txt thesis.tex 20200101000000 | tr '\n' ' ')" "key notes thesis mine "
	assert_regex "$stderr" "--keep: \./20200101000000 is not mftools' snapshot of this target: kept"
	# of the two snapshots the newest is left
	run -0 ls
	assert_equal "${#lines[@]}" 5
	snaps=$(ls | grep -E '^[0-9]{14}$' | grep -vx 20200101000000)
	assert_equal "$(wc -l <<<"$snaps")" 1
	cmp "$T/gap.lime" "$snaps"
}

@test "--keep 1 with -o 'keep/%Y%m%d-%H%M%S.kdump' leaves keep/web2-evidence.kdump" {
	mk_gap_lime "$T/gap.lime"
	mkdir "$T/keep"
	run -0 mf-dump -c "$T/gap.lime" -F kdump -o "$T/keep/web2-evidence.kdump"
	cd "$T"
	for i in 1 2; do
		run -0 mf-dump -c "$T/gap.lime" -o 'keep/%Y%m%d-%H%M%S.kdump' --keep 1
		sleep 1.1
	done
	[ -f keep/web2-evidence.kdump ]
	run -0 ls keep
	assert_equal "${#lines[@]}" 2
}

@test "two targets' timers in one directory do not prune each other; %{target} names them" {
	mk_gap_lime "$T/web1.lime"
	cp "$T/web1.lime" "$T/web2.lime"
	mkdir "$T/snap"
	# the same pattern for both (the old unit files): the marker tells them apart
	for i in 1 2; do
		for t in web1 web2; do
			run -0 mf-dump -c "$T/$t.lime" -F elf -o "$T/snap/s-%Y%m%d-%H%M%S.elf" --keep 1
			sleep 1.1
		done
	done
	run -0 ls "$T/snap"
	assert_equal "${#lines[@]}" 2
	# one of each target's: the MFTOOLS note names each source
	assert_equal "$(cat "$T"/snap/* | grep -ao "mftools snapshot of connector=lime,path=$T/web[12].lime" | sort | tr '\n' ' ')" \
		"mftools snapshot of connector=lime,path=$T/web1.lime mftools snapshot of connector=lime,path=$T/web2.lime "
	# %{target}: the target's short name in the file name
	rm "$T"/snap/*
	for i in 1 2; do
		for t in web1 web2; do
			run -0 mf-dump -c "$T/$t.lime" -F kdump -o "$T/snap/%{target}-%Y%m%d-%H%M%S.kdump" --keep 1
		done
		sleep 1.1
	done
	run -0 ls "$T/snap"
	assert_equal "${#lines[@]}" 2
	assert_regex "${lines[0]}" '^web1-[0-9]{8}-[0-9]{6}\.kdump$'
	assert_regex "${lines[1]}" '^web2-[0-9]{8}-[0-9]{6}\.kdump$'
}

@test "--keep: a copied ELF or kdump snapshot (no extended attributes) is known by its MFTOOLS note" {
	mk_gap_lime "$T/gap.lime"
	mkdir "$T/snap"
	for f in elf kdump; do
		run -0 mf-dump -c "$T/gap.lime" -F $f -o "$T/old.$f"
		# cp drops extended attributes: the note is the marker left
		cp "$T/old.$f" "$T/snap/a-20200101.$f"
		touch -d 2020-01-01 "$T/snap/a-20200101.$f"
		run -0 mf-dump -c "$T/gap.lime" -F $f -o "$T/snap/a-%Y%m%d.$f" --keep 1 --utc
		[ ! -e "$T/snap/a-20200101.$f" ]
		[ -f "$T/snap/a-$(date -u +%Y%m%d).$f" ]
	done
	# a raw or LiME file has no place for a note: without the attribute it is not ours
	run -0 mf-dump -c "$T/gap.lime" -F raw -o "$T/old.raw"
	cp "$T/old.raw" "$T/snap/a-20200101.raw"
	run -0 mf-dump -c "$T/gap.lime" -F raw -o "$T/snap/a-%Y%m%d.raw" --keep 1 --utc
	[ -f "$T/snap/a-20200101.raw" ]
}

@test "--keep: conversions with no fixed form, or in the directory, are usage errors before any dump" {
	run -2 --separate-stderr mf-dump -c x -F raw -o "$T/s-%c.raw" --keep 2
	assert_equal "$stderr" "mf-dump: --keep cannot match %c in '$T/s-%c.raw': use conversions of a fixed form (%Y %m %d %H %M %S %s %F %T ...)"
	run -2 --separate-stderr mf-dump -c x -F raw -o "$T/%Y/s.raw" --keep 2
	assert_equal "$stderr" "mf-dump: --keep needs the %-conversions of '$T/%Y/s.raw' in the file name, not in its directory"
	run -2 --separate-stderr mf-dump -c x -F raw -o "$T/%{host}.raw"
	assert_equal "$stderr" "mf-dump: invalid output pattern '$T/%{host}.raw': unknown conversion %{host} (%{target} is the only one)"
	[ -z "$(ls -A "$T")" ]
}

# ---- publishing and temporaries -------------------------------------------------------------

@test "a file created at the final name during the dump survives; mf-dump says so and exits 1" {
	truncate -s 256M "$T/big.raw"
	# O_TMPFILE, then the named temporary
	for hook in "" MF_DUMP_NO_TMPFILE=1; do
		rm -f "$T/out.elf"
		env $hook mf-dump -c "raw:$T/big.raw" -F elf -o "$T/out.elf" --rate-limit 128M 2>"$T/err" 3>&- &
		pid=$!
		wait_output $pid "$T"
		echo precious >"$T/out.elf"
		status=0
		wait $pid || status=$?
		[ "$status" -eq 1 ]
		assert_equal "$(cat "$T/err")" "mf-dump: cannot create $T/out.elf: it appeared while dumping (use --force to replace it)"
		assert_equal "$(cat "$T/out.elf")" precious
		[ "$(ls -A "$T" | sort | tr '\n' ' ')" = "big.raw err out.elf " ]
	done
}

@test "no O_TMPFILE: a SIGKILLed dump's temporary is removed by the next run for that output, no other file is" {
	truncate -s 1G "$T/big.raw"
	mkdir "$T/out"
	export MF_DUMP_NO_TMPFILE=1
	mf-dump -c "raw:$T/big.raw" -F lime -o "$T/out/d.lime" --rate-limit 64M 2>/dev/null 3>&- &
	pid=$!
	wait_output $pid "$T/out"
	kill -KILL $pid
	wait $pid || true
	stale=$(ls -A "$T/out")
	assert_regex "$stale" '^\.d\.lime\.mf-dump-[A-Za-z0-9]{6}$'
	# named like ours but not ours (no marker), and rsync's way of naming
	echo other >"$T/out/.d.lime.mf-dump-abcdef"
	echo rsync >"$T/out/.d.lime.Ab12Cd"
	run -0 --separate-stderr mf-dump -c "raw:$T/big.raw" -F lime -o "$T/out/d.lime" --max-errors 0
	assert_equal "$stderr" "mf-dump: warning: removed $stale, the temporary of an earlier mf-dump for $T/out/d.lime that did not finish"
	[ ! -e "$T/out/$stale" ]
	assert_equal "$(cat "$T/out/.d.lime.mf-dump-abcdef" "$T/out/.d.lime.Ab12Cd" | tr '\n' ' ')" "other rsync "
	assert_equal "$(ls -A "$T/out" | sort | tr '\n' ' ')" ".d.lime.Ab12Cd .d.lime.mf-dump-abcdef d.lime "
	# a live dump's temporary stays: start one, then a run for the same output
	mf-dump -c "raw:$T/big.raw" -F lime -o "$T/out/e.lime" --rate-limit 64M 2>"$T/live.err" 3>&- &
	live=$!
	wait_output $live "$T/out"
	run -0 --separate-stderr mf-dump -c "raw:$T/big.raw" -F lime -o "$T/out/e.lime"
	assert_equal "$stderr" ""
	# the live one kept its temporary: it fails at the publish, not before
	status=0
	wait $live || status=$?
	[ "$status" -eq 1 ]
	assert_equal "$(cat "$T/live.err")" "mf-dump: cannot create $T/out/e.lime: it appeared while dumping (use --force to replace it)"
	assert_equal "$(ls -A "$T/out" | sort | tr '\n' ' ')" ".d.lime.Ab12Cd .d.lime.mf-dump-abcdef d.lime e.lime "
}

# ---- our notes ------------------------------------------------------------------------------

@test "ELF: our MFTOOLS notes are not NT_PRSTATUS; files with the old type 1 still read" {
	require_cmd readelf
	mk_gap_lime "$T/gap.lime"
	mk_target "$T/gap.lime" >"$T/target.json"
	run -0 mf-dump -t "$T/target.json" -F elf -o "$T/t.elf"
	run -0 readelf -n "$T/t.elf"
	refute_output --partial 'NT_PRSTATUS'
	assert_output --regexp 'MFTOOLS +0x[0-9a-f]+[[:space:]]+Unknown note type: \(0x4d460001\)'
	assert_output --regexp 'MFTOOLS +0x[0-9a-f]+[[:space:]]+Unknown note type: \(0x4d460002\)'
	# the old files: the record note with type 1
	/usr/bin/python3 - "$T/t.elf" <<'EOF2'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    d = f.read()
    ph = struct.unpack_from("<Q", d, 32)[0]
    off, size = struct.unpack_from("<Q", d, ph + 8)[0], struct.unpack_from("<Q", d, ph + 32)[0]
    pos = off
    while pos < off + size:
        nsz, dsz, typ = struct.unpack_from("<III", d, pos)
        if d[pos + 12:pos + 12 + nsz] == b"MFTOOLS\0" and typ == 0x4d460001:
            f.seek(pos + 8); f.write(struct.pack("<I", 1))
        pos += 12 + (nsz + 3) // 4 * 4 + (dsz + 3) // 4 * 4
EOF2
	run -0 readelf -n "$T/t.elf"
	assert_output --regexp 'MFTOOLS +0x[0-9a-f]+[[:space:]]+NT_PRSTATUS'
	run -0 mf-attach -c "$T/t.elf" -f json
	assert_output --partial '"mftools_record":'
	assert_output --partial '"kernel_base":"0xffffffff81000000"'
}

@test "a snapshot's record drops the hints of the source process (live, qemu_pid, host addresses)" {
	mk_gap_lime "$T/gap.lime"
	mk_target "$T/gap.lime" | sed 's/"hints":{/"hints":{"live":1,"qemu_pid":4242,"ram_hva":"0x7f0000000000","qemu_layout":"pc","guest_name":"web2",/' >"$T/live.json"
	run -0 mf-dump -t "$T/live.json" -F elf -o "$T/%{target}.elf"
	[ -f "$T/web2.elf" ]
	run -0 mf-attach -c "$T/web2.elf" -f json
	assert_output --partial '"guest_name":"web2"'
	assert_output --partial '"kernel_base":"0xffffffff81000000"'
	refute_output --partial '"live"'
	refute_output --partial 'qemu_pid'
	refute_output --partial 'ram_hva'
	refute_output --partial 'qemu_layout'
}
