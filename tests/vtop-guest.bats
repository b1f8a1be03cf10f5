#!/usr/bin/env bats
# Translation through real page tables: Debian's x86_64 kernel under QEMU (KASLR, nokaslr,
# 5-level paging), read through QEMU's own ELF and kdump dumps, checked against what the
# guest printed about itself (/proc/kallsyms, /proc/version, /proc/iomem); and the linux
# os layer on the nokaslr and 5-level guests (the KASLR one is tests/linux.bats's).
load test_helper
load linux_helper
. "$MF_TOP_SRCDIR/tests/guest/guest.bash"

setup_file() {
	if guest_require; then
		guest_start --name kaslr
		guest_dump elf "$BATS_FILE_TMPDIR/kaslr.elf"
		guest_dump kdump-zlib "$BATS_FILE_TMPDIR/kaslr.kdump"
		guest_stop kaslr
		guest_start --name nokaslr --nokaslr
		guest_dump elf "$BATS_FILE_TMPDIR/nokaslr.elf"
		guest_stop nokaslr
		guest_start --name la57 --la57
		guest_dump elf "$BATS_FILE_TMPDIR/la57.elf"
		guest_stop la57
	fi
	# Debian's -rt-amd64 flavour: other struct layouts for the linux os layer
	GUEST_ARCH=x86_64-rt
	if guest_require; then
		guest_start --arch x86_64-rt --name rt
		guest_dump elf "$BATS_FILE_TMPDIR/rt.elf"
		guest_stop rt
	fi
	# and the -cloud-amd64 flavour: a small config for virtual machines, an LZ4 bzImage
	GUEST_ARCH=x86_64-cloud
	if guest_require; then
		guest_start --arch x86_64-cloud --name cloud
		guest_dump elf "$BATS_FILE_TMPDIR/cloud.elf"
		guest_stop cloud
	fi
	# and Debian 12's 6.12 kernel line: newer kallsyms, maple tree and module layouts
	GUEST_ARCH=x86_64-6.12
	if guest_require; then
		guest_start --arch x86_64-6.12 --name k612
		guest_dump elf "$BATS_FILE_TMPDIR/k612.elf"
		guest_stop k612
	fi
	GUEST_ARCH=x86_64
	export GUEST_ARCH
}
teardown_file() { guest_stop_all; }
setup() { guest_require; }

# The oracle's "Kernel code" start in /proc/iomem, as 0x...
kernel_code() {
	guest_oracle iomem | awk '$3 == "Kernel" && $4 == "code" { split($1, a, "-"); print "0x" a[1]; exit }'
}
# A kernel symbol's address from the oracle's kallsyms, as 0x...
ksym() { guest_oracle kallsyms | awk -v s="$1" '$3 == s { print "0x" $1; exit }'; }

# Every symbol of the oracle's kallsyms (absolute percpu offsets aside) translates, through
# DUMP, to Kernel code + (symbol - _stext).
check_kallsyms() { # NAME DUMP
	local name=$1 dump=$2 syms out
	guest_use "$name"
	guest_oracle kallsyms | awk '$2 != "A" && $2 != "a" { print $1 }' >"$BATS_TEST_TMPDIR/syms"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/syms")" -gt 60 ]
	mapfile -t syms < <(sed 's/^/0x/' "$BATS_TEST_TMPDIR/syms")
	run --separate-stderr mf-vtop -c "$dump" -f json --kernel "${syms[@]}"
	[ "$status" -eq 0 ] || { echo "status $status: $stderr"; false; }
	jq -r 'select(.type == "xlat") | .va + " " + .pa + " " + .arch' <<<"$output" >"$BATS_TEST_TMPDIR/xlat"
	run -0 /usr/bin/python3 - "$BATS_TEST_TMPDIR/xlat" "$(ksym _stext)" "$(kernel_code)" "$(ksym _end)" <<'EOF'
import sys
stext, kcode, end = (int(x, 16) for x in sys.argv[2:5])
n = 0
for line in open(sys.argv[1]):
    va, pa, arch = line.split()
    va, pa = int(va, 16), int(pa, 16)
    assert stext <= va <= end, "symbol 0x%x outside the kernel image" % va
    if pa != kcode + (va - stext):
        print("0x%x: pa 0x%x, expected 0x%x" % (va, pa, kcode + va - stext)); sys.exit(1)
    n += 1
print("%d symbols" % n)
EOF
	[ "$output" = "${#syms[@]} symbols" ]
}

# linux_banner read through the kernel's page tables is the guest's /proc/version
check_banner() { # NAME DUMP
	guest_use "$1"
	run -0 mf-read -c "$2" -f raw --kernel "$(ksym linux_banner)" 64
	[ "$output" = "$(guest_oracle version | head -c 64)" ]
	[[ $output == "Linux version "* ]]
}

# mf-vtop's pa for _stext is the "Kernel code" start of /proc/iomem
check_stext() { # NAME DUMP ARCH
	guest_use "$1"
	run -0 mf-vtop -c "$2" -f json --kernel "$(ksym _stext)"
	run -0 jq -r 'select(.type == "xlat") | .pa + " " + .arch + " " + .perms' <<<"$output"
	assert_output "$(printf '0x%x' "$(kernel_code)") $3 r-xs"
}

@test "KASLR guest, ELF dump: every kallsyms symbol, linux_banner, _stext" {
	guest_use kaslr
	[ "$GUEST_KASLR" = 1 ]
	[ "$(ksym _stext)" != 0xffffffff81000000 ]
	check_stext kaslr "$BATS_FILE_TMPDIR/kaslr.elf" x86_64
	check_banner kaslr "$BATS_FILE_TMPDIR/kaslr.elf"
	check_kallsyms kaslr "$BATS_FILE_TMPDIR/kaslr.elf"
}

@test "nokaslr guest, ELF dump: _stext at 0xffffffff81000000 is physical 0x1000000" {
	guest_use nokaslr
	[ "$(ksym _stext)" = 0xffffffff81000000 ]
	[ "$(kernel_code)" = 0x01000000 ]
	check_stext nokaslr "$BATS_FILE_TMPDIR/nokaslr.elf" x86_64
	check_banner nokaslr "$BATS_FILE_TMPDIR/nokaslr.elf"
	check_kallsyms nokaslr "$BATS_FILE_TMPDIR/nokaslr.elf"
}

@test "5-level guest (-cpu max), ELF dump: arch x86_64-la57, five levels, kallsyms" {
	guest_use la57
	check_stext la57 "$BATS_FILE_TMPDIR/la57.elf" x86_64-la57
	run -0 mf-vtop -c "$BATS_FILE_TMPDIR/la57.elf" -f table --kernel "$(ksym linux_banner)"
	assert_line --index 2 --regexp '^  PML5 '
	assert_line --index 5 --regexp '^  PD '
	check_banner la57 "$BATS_FILE_TMPDIR/la57.elf"
	check_kallsyms la57 "$BATS_FILE_TMPDIR/la57.elf"
}

# The kernel half's page map against the guest's view: every System RAM range of
# /proc/iomem in the direct map at page_offset_base, and _stext.._etext mapped r-x at
# Kernel code.
check_pagemap() { # NAME DUMP KERNEL_HALF_START
	local name=$1 dump=$2 half=$3 pob
	guest_use "$name"
	# page_offset_base (a variable: KASLR moves the direct map) read from the dump
	run -0 mf-read -c "$dump" -f json --kernel -T u64 "$(ksym page_offset_base)"
	pob=$(jq -r 'select(.type == "value") | .value' <<<"$output")
	[ -n "$pob" ]
	run -0 --separate-stderr mf-vtop -c "$dump" -f json --kernel --map "$half" 0
	jq -r 'select(.type == "pagemap") | .va + " " + .end + " " + .pa + " " + .perms' <<<"$output" >"$BATS_TEST_TMPDIR/map"
	guest_oracle iomem | awk '/^[0-9a-f]+-[0-9a-f]+ : System RAM/ { print $1 }' >"$BATS_TEST_TMPDIR/ram"
	run -0 /usr/bin/python3 - "$BATS_TEST_TMPDIR/map" "$BATS_TEST_TMPDIR/ram" "$pob" "$(ksym _stext)" "$(ksym _etext)" "$(kernel_code)" <<'EOF'
import bisect, sys
ranges = []
for line in open(sys.argv[1]):
    va, end, pa, perms = line.split()
    ranges.append((int(va, 16), int(end, 16), int(pa, 16), perms))
starts = [r[0] for r in ranges]
pob = int(sys.argv[3], 0)
stext, etext, kcode = (int(x, 16) for x in sys.argv[4:7])

def covered(va, end, pa, want=None):
    """[va, end) mapped contiguously to pa.. (with perms `want` if given)"""
    while va < end:
        i = bisect.bisect_right(starts, va) - 1
        if i < 0 or ranges[i][1] <= va:
            return "0x%x not mapped" % va
        rva, rend, rpa, perms = ranges[i]
        if rpa + (va - rva) != pa:
            return "0x%x maps 0x%x, expected 0x%x" % (va, rpa + va - rva, pa)
        if want is not None and perms != want:
            return "0x%x is %s, expected %s" % (va, perms, want)
        step = min(rend, end) - va
        va += step
        pa += step
    return None

nram = 0
for line in open(sys.argv[2]):
    s, e = (int(x, 16) for x in line.split('-'))
    err = covered(pob + s, pob + e + 1, s)
    if err:
        print("System RAM %x-%x: %s" % (s, e, err)); sys.exit(1)
    nram += 1
err = covered(stext, etext, kcode, "r-xs")
if err:
    print("kernel text: " + err); sys.exit(1)
print("%d RAM ranges, text ok, %d map ranges" % (nram, len(ranges)))
EOF
	assert_output --regexp '^[2-9] RAM ranges, text ok, [0-9]+ map ranges$'
}

@test "page map of the kernel half (KASLR): System RAM in the direct map, text r-x at Kernel code" {
	check_pagemap kaslr "$BATS_FILE_TMPDIR/kaslr.elf" 0xffff800000000000
}

@test "page map of the kernel half (5-level): System RAM in the direct map, text r-x at Kernel code" {
	check_pagemap la57 "$BATS_FILE_TMPDIR/la57.elf" 0xff00000000000000
}

@test "kdump-zlib dump (no CR3): kernel root from VMCOREINFO; same translation as the ELF" {
	local banner
	guest_use kaslr
	banner=$(ksym linux_banner)
	run -0 mf-vtop -c "$BATS_FILE_TMPDIR/kaslr.kdump" -f json --kernel "$banner" "$(ksym _stext)"
	run -0 jq -r 'select(.type == "xlat") | .pa' <<<"$output"
	assert_line --index 1 "$(printf '0x%x' "$(kernel_code)")"
	check_banner kaslr "$BATS_FILE_TMPDIR/kaslr.kdump"
	# the root is init_top_pgt's physical address, where the ELF's CR3 may be a process's
	run -0 mf-vtop -c "$BATS_FILE_TMPDIR/kaslr.kdump" -f json --kernel "$banner"
	run -0 jq -r 'select(.type == "xlat") | .dtb' <<<"$output"
	assert_output "$(printf '0x%x' $(( $(ksym init_top_pgt) - $(ksym _stext) + $(kernel_code) )))"
}

@test "mf-modules --maps --kernel without an os layer: the page map, kernel half, text r-xp" {
	guest_use kaslr
	run -0 --separate-stderr mf-modules --maps --kernel -c "$BATS_FILE_TMPDIR/kaslr.elf" -f json
	run -0 jq -r 'select(.type == "map") | .start + " " + .end + " " + .perms' <<<"$output"
	# the text (_stext.._etext, 2 MiB pages) lies in one r-xp map; nothing below the kernel half
	run -0 /usr/bin/python3 -c '
import sys
stext, etext = int(sys.argv[1], 16), int(sys.argv[2], 16)
maps = [(int(a, 16), int(b, 16), p) for a, b, p in (l.split() for l in sys.stdin)]
assert all(a >= 1 << 63 for a, b, p in maps), "a user-half map"
hit = [m for m in maps if m[0] <= stext < m[1]]
assert hit and hit[0][2] == "r-xp" and hit[0][1] >= etext, hit
print("ok", len(maps))' "$(ksym _stext)" "$(ksym _etext)" <<<"$output"
	assert_output --regexp '^ok [0-9]+$'
}

@test "the linux os layer without KASLR and with 5-level paging: the guest's processes and a marker's maps" {
	local g
	for g in nokaslr la57; do
		guest_use "$g"
		run linux_agrees "$BATS_FILE_TMPDIR/$g.elf"
		[ "$status" -eq 0 ] || fail "$g: $output"
	done
	run -0 mf-attach -c "$BATS_FILE_TMPDIR/nokaslr.elf" -o linux -v -f msgpack
	assert_output --partial "KERNELOFFSET 0x0,"
	run -0 mf-attach -c "$BATS_FILE_TMPDIR/la57.elf" -o linux -v -f msgpack
	assert_output --partial "(x86_64-la57) from VMCOREINFO"
}

# The guest NAME of GUEST_ARCH ARCH (booted in setup_file): processes and maps agree with
# its oracle, and mf-attach names its release, which ends in SUFFIX.
flavour_agrees() { # ARCH NAME SUFFIX
	GUEST_ARCH=$1 guest_require
	guest_use "$2"
	run linux_agrees "$BATS_FILE_TMPDIR/$2.elf"
	[ "$status" -eq 0 ] || fail "$output"
	run -0 mf-attach -c "$BATS_FILE_TMPDIR/$2.elf" -o linux -v -f msgpack
	assert_output --partial "OSRELEASE $(guest_oracle uname)"
	[[ $(guest_oracle uname) == *"$3" ]]
}

@test "the linux os layer on Debian's -rt-amd64 flavour (another config, other struct layouts)" {
	flavour_agrees x86_64-rt rt -rt-amd64
}

@test "the linux os layer on Debian's -cloud-amd64 flavour (a config for virtual machines)" {
	flavour_agrees x86_64-cloud cloud -cloud-amd64
}

@test "the linux os layer on Debian 12's 6.12 kernel: processes, maps, kernel modules as /proc/modules" {
	GUEST_ARCH=x86_64-6.12 guest_require
	guest_use k612
	run linux_agrees "$BATS_FILE_TMPDIR/k612.elf"
	[ "$status" -eq 0 ] || fail "$output"
	[[ $(guest_oracle uname) == 6.12.* ]]
	# the module list of 6.4+ (module memory regions): qemu_fw_cfg where /proc/modules has it
	base=$(guest_oracle modules | awk '$1 == "qemu_fw_cfg" { print $6 }')
	run -0 mf-modules -c "$BATS_FILE_TMPDIR/k612.elf" -o linux --kernel -f json </dev/null
	assert_output --partial "\"name\":\"qemu_fw_cfg\",\"path\":\"\",\"base\":\"$base\""
}
