#!/usr/bin/env bats
# The guest fixture's own tests: a broken fixture must show up here, not as failures of
# the code the fixture tests.
load test_helper
. "$MF_TOP_SRCDIR/tests/guest/guest.bash"

setup_file() {
	# bats 1.8 cannot skip from setup_file: guest_require returns 1 and setup() skips.
	if guest_require; then
		guest_start
	fi
}

teardown_file() {
	guest_stop_all
}

setup() {
	guest_require
	[ -x "$GUEST_GPA_READ" ] || fail "needs $GUEST_GPA_READ (built by make check)"
	guest_use guest
}

teardown() {
	# A test that failed while the guest was paused must not take the others with it.
	[ -n "${GUEST_SKIP:-}" ] || { guest_use guest && guest_resume 2>/dev/null; } || true
}

# Hex of a kallsyms symbol from the oracle (first match).
sym() {
	guest_oracle kallsyms | awk -v s="$1" '$3 == s { print $1; exit }'
}

# Physical address of the kernel image: start of "Kernel code" in /proc/iomem.
kernel_code_pa() {
	guest_oracle iomem | awk -F' : ' '$2 == "Kernel code" { sub(/^ */, "", $1); split($1, a, "-"); print a[1]; exit }'
}

# Bytes [GPA, GPA+LEN) of an ELF core, by its PT_LOAD physical addresses: reads a list
# of GPAs on stdin like gpa-read does.
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

# The description bytes (hex, no spaces) of the first ELF note of OWNER, by readelf.
note_desc() { # ELF OWNER
	readelf -nW "$1" | awk -v o="$2" '
		$1 == o { v = 1 }
		v && /description data:/ { sub(/.*data: */, ""); gsub(/ /, ""); print; exit }'
}

@test "guest: boots to READY with every oracle section" {
	run -0 tail -n 1 "$GUEST_CONSOLE"
	assert_output READY
	local s
	for s in markers ps secret kallsyms version uname cmdline iomem lsmod modules vmcoreinfo maps; do
		run -0 guest_oracle "$s"
		[ -n "$output" ] || fail "section $s is empty"
	done
	run -0 grep -c '^=== end ===$' "$GUEST_CONSOLE"
	assert_output 1
	run -1 guest_oracle nonesuch
	assert_output --partial "no section 'nonesuch'"
	echo "# boot: $(cat "$GUEST_DIR/boot-seconds") s" >&3
}

@test "guest: marker processes are in ps with their pids" {
	local name pid
	for name in mfmarker1 mfmarker2 mfholder; do
		pid=$(guest_oracle markers | awk -v n="$name" '$1 == n { print $2 }')
		[[ $pid =~ ^[0-9]+$ ]] || fail "no pid for $name"
		run -0 guest_oracle ps
		assert_line --regexp "^ *$pid +1 +$name( |$)"
	done
	pid=$(guest_oracle markers | awk '$1 == "mfmarker1" { print $2 }')
	run -0 guest_oracle ps
	assert_line --regexp "^ *$pid +1 +mfmarker1 +\{mfmarker1\} sleep 100000$"
	assert_line --regexp '^ +1 +0 +init '
	run -0 guest_oracle maps
	assert_line "pid $pid"
	assert_line --regexp ' r-xp [0-9a-f]+ [0-9a-f:]+ [0-9]+ +/bin/mfmarker1$'
	assert_line --regexp ' rw-p .*\[stack\]$'
}

@test "guest: kallsyms, version and cmdline are plausible (KASLR)" {
	local s
	for s in linux_banner init_task _stext _etext init_top_pgt startup_64 _text; do
		[[ $(sym "$s") =~ ^ffffffff[89a-f][0-9a-f]{7}$ ]] || fail "$s: '$(sym "$s")'"
	done
	run -0 guest_oracle kallsyms
	[ "${#lines[@]}" -ge 60 ] || fail "only ${#lines[@]} kallsyms lines"
	[ "$(sym _stext)" = "$(sym startup_64)" ]
	# KASLR slides the kernel in 2 MiB steps inside the top 1 GiB.
	(( (0x$(sym _stext) & 0x1fffff) == 0 ))
	(( 0x$(sym _etext) > 0x$(sym _stext) ))
	(( 0x$(sym linux_banner) > 0x$(sym _etext) ))
	run -0 guest_oracle uname
	assert_output "$(cat "$MF_GUEST_CACHE/$GUEST_ARCH/kernel-release")"
	run -0 guest_oracle version
	assert_output --regexp "^Linux version $(guest_oracle uname) \(.*Debian"
	run -0 guest_oracle cmdline
	assert_output 'console=ttyS0 panic=-1'
	run -0 guest_oracle lsmod
	assert_line --regexp '^qemu_fw_cfg +[0-9]+ +0'
	run -0 guest_oracle modules
	assert_line --regexp '^qemu_fw_cfg [0-9]+ 0 - Live 0xffffffffc[0-9a-f]{7}$'
	run -0 guest_oracle vmcoreinfo
	assert_output --regexp '^0x[0-9a-f]{16} [0-9]+$'
}

@test "guest: QEMU facts: RAM mapping at GUEST_RAM_HVA, QMP answers, errors fail" {
	local start=$((GUEST_RAM_HVA)) end
	end=$(awk -v s="$(printf '%x' "$start")" -F'[- ]' '$1 == s { print $2 }' "/proc/$GUEST_QEMU_PID/maps")
	[ -n "$end" ] || fail "no mapping of QEMU starts at $GUEST_RAM_HVA"
	[ $((0x$end - start)) -eq "$GUEST_MEM_BYTES" ]
	[ "$GUEST_MEM_BYTES" -eq $((512 << 20)) ]
	run -0 guest_qmp '{"execute":"query-status"}'
	assert_output --partial '"status": "running"'
	run -1 --separate-stderr guest_qmp '{"execute":"nonesuch"}'
	assert_output --partial '"error"'
	[[ $stderr == *"nonesuch failed: CommandNotFound"* ]]
	guest_pause
	run -0 guest_qmp '{"execute":"query-status"}'
	assert_output --partial '"status": "paused"'
	guest_resume
	run -0 guest_qmp '{"execute":"query-status"}'
	assert_output --partial '"status": "running"'
}

@test "guest: gpa-read finds linux_banner where the oracle says (live)" {
	local pa banner
	pa=$((0x$(kernel_code_pa) + 0x$(sym linux_banner) - 0x$(sym _stext)))
	banner=$(guest_oracle version)
	run -0 "$GUEST_GPA_READ" "$GUEST_QEMU_PID" "$GUEST_RAM_HVA" "$pa" "${#banner}"
	assert_output "$banner"
	# Physically 2 MiB aligned like the virtual slide.
	(( (0x$(kernel_code_pa) & 0x1fffff) == 0 ))
}

@test "guest: the secret string is in guest RAM, not in the initramfs" {
	local secret
	secret=$(guest_oracle secret | awk '$1 == "secret" { print $2 }')
	[[ $secret =~ ^mfsecret-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]]
	run -0 guest_oracle secret
	assert_line "pid $(guest_oracle markers | awk '$1 == "mfholder" { print $2 }')"
	zcat "$GUEST_INITRD" >"$BATS_TEST_TMPDIR/initrd.cpio"
	run -1 grep -c -a -F "$secret" "$BATS_TEST_TMPDIR/initrd.cpio"
	run -0 bash -c "set -o pipefail; '$GUEST_GPA_READ' -z '$GUEST_QEMU_PID' '$GUEST_RAM_HVA' 0 '$GUEST_MEM_BYTES' | grep -c -a -F '$secret'"
	[ "$output" -ge 1 ]
}

@test "gpa-read: pc layout, holes and usage errors" {
	run -0 "$GUEST_GPA_READ" -M "$GUEST_QEMU_PID" "$GUEST_RAM_HVA"
	assert_output "$(printf '0x0 0xa0000 0x0\n0xc0000 0x%x 0xc0000' "$GUEST_MEM_BYTES")"
	run -0 "$GUEST_GPA_READ" -m 5G -M "$GUEST_QEMU_PID" "$GUEST_RAM_HVA"
	assert_output "$(printf '0x0 0xa0000 0x0\n0xc0000 0xc0000000 0xc0000\n0x100000000 0x180000000 0xc0000000')"
	run -1 --separate-stderr "$GUEST_GPA_READ" "$GUEST_QEMU_PID" "$GUEST_RAM_HVA" 0xa0000 16
	[ "$stderr" = "gpa-read: guest physical 0xa0000 is not RAM (VGA window)" ]
	run -1 --separate-stderr "$GUEST_GPA_READ" "$GUEST_QEMU_PID" "$GUEST_RAM_HVA" "$GUEST_MEM_BYTES" 1
	[ "$stderr" = "$(printf 'gpa-read: guest physical 0x%x is not RAM (hole in the pc layout)' "$GUEST_MEM_BYTES")" ]
	run -0 bash -c "set -o pipefail; '$GUEST_GPA_READ' -z '$GUEST_QEMU_PID' '$GUEST_RAM_HVA' 0x9f000 0x22000 | wc -c"
	assert_output $((0x22000))
	run -0 bash -c "set -o pipefail; '$GUEST_GPA_READ' -z '$GUEST_QEMU_PID' '$GUEST_RAM_HVA' 0xa0000 0x20000 | tr -d '\\0' | wc -c"
	assert_output 0
	run -2 "$GUEST_GPA_READ" "$GUEST_QEMU_PID" "$GUEST_RAM_HVA" 0x1000
	run -2 --separate-stderr "$GUEST_GPA_READ" "$GUEST_QEMU_PID" "$GUEST_RAM_HVA" 12z 1
	[ "$stderr" = "gpa-read: invalid guest physical address '12z'" ]
}

@test "guest: ELF dump has RAM loads and the CORE, QEMU and VMCOREINFO notes" {
	local elf=$BATS_TEST_TMPDIR/guest.elf t0 t1 cr3
	guest_pause
	t0=$(date +%s%N)
	guest_dump elf "$elf"
	t1=$(date +%s%N)
	echo "# elf dump: $(( (t1 - t0) / 1000000 )) ms, $(stat -c %s "$elf") bytes" >&3
	run -0 stat -c %a "$elf"
	assert_output 400
	run -0 file -b "$elf"
	assert_output --partial 'ELF 64-bit LSB core file, x86-64'
	run -0 readelf -lW "$elf"
	assert_line --regexp '^ +LOAD +0x[0-9a-f]+ 0x0+ 0x0+ 0x0*a0000 0x0*a0000 '
	assert_line --regexp "^ +LOAD +0x[0-9a-f]+ 0x0+c0000 0x0+c0000 $(printf '0x0*%x 0x0*%x' $((GUEST_MEM_BYTES - 0xc0000)) $((GUEST_MEM_BYTES - 0xc0000))) "
	run -0 readelf -nW "$elf"
	assert_line --regexp '^ +CORE +0x[0-9a-f]+\s+NT_PRSTATUS'
	assert_line --regexp '^ +QEMU +0x000001b8\s'
	assert_line --regexp '^ +VMCOREINFO +0x[0-9a-f]+\s'
	# VMCOREINFO text names this kernel; the QEMU note's CR3 is the paused CPU's.
	local info qemu
	info=$(note_desc "$elf" VMCOREINFO | xxd -r -p)
	[[ $info == *"OSRELEASE=$(guest_oracle uname)"* ]] || fail "VMCOREINFO: ${info:0:200}"
	[[ $info == *"SYMBOL(_stext)=$(sym _stext)"* ]]
	qemu=$(note_desc "$elf" QEMU)
	cr3=$(echo "${qemu:$((0x1a0 * 2)):16}" | sed 's/../& /g' | awk '{ for (i = NF; i >= 1; i--) printf "%s", $i }')
	local hmp_cr3
	hmp_cr3=$(guest_hmp 'info registers' | sed -n 's/.*CR3=\([0-9a-f]*\).*/\1/p')
	[ -n "$hmp_cr3" ] && [ $((0x$cr3)) -eq $((0x$hmp_cr3)) ] || fail "note CR3 $cr3, HMP CR3 $hmp_cr3"
	(( (0x$cr3 & 0xfff) == 0 && 0x$cr3 < GUEST_MEM_BYTES ))
	# 10,000 random RAM pages: the dump and the live process agree (guest still paused).
	/usr/bin/python3 -c '
import random, sys
r = random.Random(4242); mem = int(sys.argv[1]); out = []
while len(out) < 10000:
    p = r.randrange(0, mem >> 12) << 12
    if not 0xa0000 <= p < 0xc0000: out.append("0x%x" % p)
print("\n".join(out))' "$GUEST_MEM_BYTES" >"$BATS_TEST_TMPDIR/gpas"
	t0=$(date +%s%N)
	"$GUEST_GPA_READ" "$GUEST_QEMU_PID" "$GUEST_RAM_HVA" - 4096 <"$BATS_TEST_TMPDIR/gpas" >"$BATS_TEST_TMPDIR/live"
	t1=$(date +%s%N)
	echo "# gpa-read: 10000 random pages in $(( (t1 - t0) / 1000000 )) ms" >&3
	elf_pages "$elf" 4096 <"$BATS_TEST_TMPDIR/gpas" >"$BATS_TEST_TMPDIR/dumped"
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/live")" -eq $((10000 * 4096)) ]
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/dumped")" -eq $((10000 * 4096)) ]
	cmp "$BATS_TEST_TMPDIR/live" "$BATS_TEST_TMPDIR/dumped"
	guest_resume
	rm -f "$elf"
}

@test "guest: kdump-zlib dump is makedumpfile's flattened format" {
	local kd=$BATS_TEST_TMPDIR/guest.kdump t0 t1
	t0=$(date +%s%N)
	guest_dump kdump-zlib "$kd"
	t1=$(date +%s%N)
	echo "# kdump-zlib dump: $(( (t1 - t0) / 1000000 )) ms, $(stat -c %s "$kd") bytes" >&3
	run -0 stat -c %a "$kd"
	assert_output 400
	run -0 file -b "$kd"
	assert_output 'Flattened kdump compressed dump v6, machine x86_64'
	run -0 head -c 12 "$kd"
	assert_output makedumpfile
	require_cmd makedumpfile
	run -0 makedumpfile -R "$BATS_TEST_TMPDIR/plain.kdump" <"$kd"
	run -0 file -b "$BATS_TEST_TMPDIR/plain.kdump"
	assert_output 'Kdump compressed dump v6, machine x86_64'
	run -0 head -c 8 "$BATS_TEST_TMPDIR/plain.kdump"
	assert_output 'KDUMP   '
	rm -f "$kd" "$BATS_TEST_TMPDIR/plain.kdump"
	run -0 guest_qmp '{"execute":"query-status"}'
	assert_output --partial '"status": "running"'
}

@test "guest: --nokaslr puts the kernel at 0xffffffff81000000, physical 0x1000000" {
	guest_start --name nokaslr --nokaslr --mem 256M
	[ "$GUEST_NAME" = nokaslr ]
	[ "$GUEST_MEM_BYTES" -eq $((256 << 20)) ]
	run -0 guest_oracle cmdline
	assert_output 'console=ttyS0 panic=-1 nokaslr'
	[ "$(sym _stext)" = ffffffff81000000 ]
	[ "$(kernel_code_pa)" = 01000000 ]
	local banner pa
	banner=$(guest_oracle version)
	pa=$((0x1000000 + 0x$(sym linux_banner) - 0xffffffff81000000))
	run -0 "$GUEST_GPA_READ" "$GUEST_QEMU_PID" "$GUEST_RAM_HVA" "$pa" "${#banner}"
	assert_output "$banner"
	guest_stop nokaslr
	run -1 guest__alive "$GUEST_QEMU_PID"
	# The file's main guest is untouched.
	guest_use guest
	run -0 guest_qmp '{"execute":"query-status"}'
	assert_output --partial '"status": "running"'
}
