#!/usr/bin/env bats
# Translation through real page tables of other architectures: Debian's arm64 kernel under
# qemu-system-aarch64 (4 KiB granule, 48-bit VA), its 686-pae kernel (PAE, NX) and its 686
# kernel (2-level, 4 MiB PSE pages) under qemu-system-i386, read through QEMU's own dumps,
# with the kernel root libmf derives (arm64: VMCOREINFO; i386: the QEMU note's CR3), checked
# against what each guest printed about itself (/proc/kallsyms, /proc/version, /proc/iomem).
# Their kallsyms has text symbols only (no KALLSYMS_ALL): linux_banner's place comes from
# the kernel image (mkguest's banner-offsets, relative to "Kernel code").  The linux os
# layer on them: arm64 (BTF, but no data symbols: BTF and init_task found in the image),
# i386 (no BTF: symbols only, and a clear refusal to list processes).
load test_helper
load linux_helper
. "$MF_TOP_SRCDIR/tests/guest/guest.bash"

FOREIGN_ARCHES='arm64 i386-pae i386'

# Boot each architecture once. An architecture that cannot be had here (no QEMU, apt
# cannot fetch its packages) leaves its reason in skip-ARCH; a broken boot leaves fail-ARCH.
setup_file() {
	local a
	for a in $FOREIGN_ARCHES; do
		GUEST_ARCH=$a
		GUEST_SKIP=
		if ! guest_require; then
			if [ -n "${GUEST_SKIP:-}" ]; then
				echo "$GUEST_SKIP" >"$BATS_FILE_TMPDIR/skip-$a"
			else
				echo "guest_require failed for $a" >"$BATS_FILE_TMPDIR/fail-$a"
			fi
			continue
		fi
		cp "$MF_GUEST_CACHE/$a/banner-offsets" "$BATS_FILE_TMPDIR/banner-$a"
		if guest_start --arch "$a" --name "$a" 2>"$BATS_FILE_TMPDIR/fail-$a" &&
			guest_dump elf "$BATS_FILE_TMPDIR/$a.elf" 2>>"$BATS_FILE_TMPDIR/fail-$a" &&
			{ [ "$a" != arm64 ] ||
				guest_dump kdump-zlib "$BATS_FILE_TMPDIR/$a.kdump" 2>>"$BATS_FILE_TMPDIR/fail-$a"; }; then
			rm -f "$BATS_FILE_TMPDIR/fail-$a"
		else
			echo "booting or dumping the $a guest failed" >>"$BATS_FILE_TMPDIR/fail-$a"
		fi
		guest_stop "$a"
	done
	GUEST_SKIP=
	export GUEST_SKIP
}
teardown_file() { guest_stop_all; }

# foreign_use ARCH: skip (with the reason) when ARCH's guest cannot be had here, fail when
# it could but did not boot; else make it current.
foreign_use() {
	if [ -f "$BATS_FILE_TMPDIR/skip-$1" ]; then
		skip "$(cat "$BATS_FILE_TMPDIR/skip-$1")"
	fi
	if [ -f "$BATS_FILE_TMPDIR/fail-$1" ]; then
		cat "$BATS_FILE_TMPDIR/fail-$1"
		return 1
	fi
	guest_use "$1"
	[ "$GUEST_ARCH" = "$1" ]
}

# The oracle's "Kernel code" start in /proc/iomem, as 0x...
kernel_code() {
	guest_oracle iomem | awk '$3 == "Kernel" && $4 == "code" { split($1, a, "-"); print "0x" a[1]; exit }'
}
# A kernel symbol's address from the oracle's kallsyms, as 0x...
ksym() { guest_oracle kallsyms | awk -v s="$1" '$3 == s { print "0x" $1; exit }'; }
inittext() { guest_oracle inittext | awk -v s="$1" '$3 == s { print "0x" $1; exit }'; }

# mf-vtop's pa for _stext is the "Kernel code" start of /proc/iomem, with ARCH and r-x
check_stext() { # DUMP ARCH
	run -0 mf-vtop -c "$1" -f json --kernel "$(ksym _stext)"
	run -0 jq -r 'select(.type == "xlat") | .pa + " " + .arch + " " + .perms' <<<"$output"
	assert_output "$(printf '0x%x' "$(kernel_code)") $2 r-xs"
}

# Every text symbol of the oracle's kallsyms translates, through DUMP, to Kernel code +
# (symbol - _stext): pa - (va - _stext) is one constant, the oracle's. Init text is the
# exception where the kernel unmapped it after boot (arm64's free_initmem): there the walk
# must report the address not mapped.
check_kallsyms() { # DUMP INIT_UNMAPPED(0|1)
	local dump=$1 syms
	guest_oracle kallsyms | awk '$2 ~ /^[TtWw]$/ { print "0x" $1 }' >"$BATS_TEST_TMPDIR/syms"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/syms")" -gt 20 ]
	mapfile -t syms <"$BATS_TEST_TMPDIR/syms"
	run --separate-stderr mf-vtop -c "$dump" -f json --kernel "${syms[@]}"
	# status 1 when some address did not translate: allowed only for unmapped init text
	# (the script below checks which failed)
	[ "$status" -eq 0 ] || { [ "$status" -eq 1 ] && [ "$2" = 1 ]; } ||
		{ echo "status $status: $stderr"; false; }
	jq -r 'select(.type == "xlat") | .va + " " + (.pa // "-") + " " + (.error // "-")' \
		<<<"$output" >"$BATS_TEST_TMPDIR/xlat"
	run -0 /usr/bin/python3 - "$BATS_TEST_TMPDIR/xlat" "$(ksym _stext)" "$(kernel_code)" \
		"$(inittext _sinittext)" "$(inittext _einittext)" "$2" <<'EOF'
import sys
stext, kcode, sinit, einit = (int(x, 16) for x in sys.argv[2:6])
init_unmapped = sys.argv[6] == "1"
n = ninit = 0
for line in open(sys.argv[1]):
    va, pa, err = line.split(" ", 2)
    va = int(va, 16)
    err = err.strip()
    if init_unmapped and sinit <= va < einit:
        if err != "address not mapped":
            print("0x%x (init text): %s %s, expected not mapped" % (va, pa, err)); sys.exit(1)
        ninit += 1
        continue
    if pa == "-":
        print("0x%x: %s" % (va, err)); sys.exit(1)
    if int(pa, 16) - (va - stext) != kcode:
        print("0x%x: pa %s, expected 0x%x" % (va, pa, kcode + va - stext)); sys.exit(1)
    n += 1
print("%d symbols" % (n + ninit))
EOF
	[ "$output" = "${#syms[@]} symbols" ]
}

# linux_banner: of the "Linux version " strings of the kernel image (mkguest found them,
# as offsets from Kernel code), each translates from _stext + offset to Kernel code +
# offset and reads "Linux version ", and exactly one reads the guest's /proc/version.
check_banner() { # DUMP
	local dump=$1 off offs va pa want got match=0 n=0
	want=$(guest_oracle version)
	[[ $want == "Linux version "* ]]
	# (not a while-read loop: the tools read a target record from stdin)
	mapfile -t offs <"$BATS_FILE_TMPDIR/banner-$GUEST_ARCH"
	for off in "${offs[@]}"; do
		va=$(printf '0x%x' $(( $(ksym _stext) + off )))
		pa=$(printf '0x%x' $(( $(kernel_code) + off )))
		run -0 mf-vtop -c "$dump" -f json --kernel "$va"
		run -0 jq -r 'select(.type == "xlat") | .pa' <<<"$output"
		assert_output "$pa"
		run -0 mf-read -c "$dump" -f raw --kernel "$va" "${#want}"
		got=$output
		[[ $got == "Linux version "* ]] || { echo "$va: $got"; false; }
		[ "$got" != "$want" ] || match=$((match + 1))
		n=$((n + 1))
	done
	[ "$n" -ge 1 ]
	[ "$match" -eq 1 ] || { echo "$match of $n banners read /proc/version: $want"; false; }
}

# The table rows of one walk (level names, then the result line)
walk_rows() { # DUMP VA
	local out
	out=$(mf-vtop -c "$1" -f table --kernel "$2") || return 1
	printf '%s\n' "$out" | tail -n +3
}

# The first range of the kernel's page map from START with page size SIZE and perms PERMS
first_range() { # DUMP START SIZE PERMS
	local out
	out=$(mf-vtop -c "$1" -f json --kernel --map "$2" 0 2>/dev/null) || return 1
	jq -r --arg s "$3" --arg p "$4" \
		'select(.type == "pagemap" and .page_size == $s and .perms == $p) | .va' <<<"$out" | head -n 1
}

# ---- arm64 -----------------------------------------------------------------------------

@test "arm64 ELF dump: _stext is Kernel code, 4 KiB granule walk with 4 levels, root from VMCOREINFO" {
	foreign_use arm64
	local dump=$BATS_FILE_TMPDIR/arm64.elf info root
	check_stext "$dump" aarch64
	# _stext is 64 KiB into the 2 MiB-aligned image: a 4 KiB page, L0..L3
	run -0 walk_rows "$dump" "$(ksym _stext)"
	assert_line --index 0 --regexp '^  L0 '
	assert_line --index 1 --regexp '^  L1 .* table'
	assert_line --index 2 --regexp '^  L2 .* table'
	assert_line --index 3 --regexp '^  L3 .* page '
	assert_line --index 4 --regexp "^  => PA $(printf '0x%x' "$(kernel_code)")  page 4K  r-xs"
	# the root: swapper_pg_dir - kimage_voffset, the guest's own VMCOREINFO
	run -0 mf-vtop -c "$dump" -f json --kernel "$(ksym _stext)"
	info=$(jq -r 'select(.type == "target") | .hints.vmcoreinfo' <<<"$output")
	root=$(( 0x$(sed -n 's/^SYMBOL(swapper_pg_dir)=//p' <<<"$info") - $(sed -n 's/^NUMBER(kimage_voffset)=//p' <<<"$info") ))
	run -0 jq -r 'select(.type == "xlat") | .dtb + " " + .dtb_hi' <<<"$output"
	assert_output "$(printf '0x%x 0x%x' "$root" "$root")"
}

@test "arm64 ELF dump: every kallsyms text symbol at Kernel code + (va - _stext); init text unmapped" {
	foreign_use arm64
	check_kallsyms "$BATS_FILE_TMPDIR/arm64.elf" 1
}

@test "arm64 ELF dump: linux_banner reads /proc/version" {
	foreign_use arm64
	check_banner "$BATS_FILE_TMPDIR/arm64.elf"
}

@test "arm64 kdump-zlib dump (64 KiB blocks): same translations as the ELF" {
	foreign_use arm64
	local dump=$BATS_FILE_TMPDIR/arm64.kdump
	# (QEMU's flattened kdump of an arm64 guest has block_size 65536, machine "Unknown")
	[ "$(head -c 12 "$dump")" = makedumpfile ]
	check_stext "$dump" aarch64
	check_banner "$dump"
	check_kallsyms "$dump" 1
}

@test "arm64 page map of the TTBR1 half: every System RAM range in the linear map, text r-x" {
	foreign_use arm64
	local dump=$BATS_FILE_TMPDIR/arm64.elf info
	run -0 --separate-stderr mf-vtop -c "$dump" -f json --kernel --map 0xffff000000000000 0
	info=$(jq -r 'select(.type == "target") | .hints.vmcoreinfo' <<<"$output")
	jq -r 'select(.type == "pagemap") | .va + " " + .end + " " + .pa + " " + .perms' <<<"$output" >"$BATS_TEST_TMPDIR/map"
	guest_oracle iomem | awk '/^[0-9a-f]+-[0-9a-f]+ : System RAM/ { print $1 }' >"$BATS_TEST_TMPDIR/ram"
	[ -s "$BATS_TEST_TMPDIR/ram" ]
	run -0 /usr/bin/python3 - "$BATS_TEST_TMPDIR/map" "$BATS_TEST_TMPDIR/ram" \
		"$(sed -n 's/^NUMBER(PHYS_OFFSET)=//p' <<<"$info")" "$(sed -n 's/^NUMBER(VA_BITS)=//p' <<<"$info")" \
		"$(ksym _stext)" "$(ksym _etext)" "$(kernel_code)" <<'EOF'
import bisect, sys
ranges = []
for line in open(sys.argv[1]):
    va, end, pa, perms = line.split()
    ranges.append((int(va, 16), int(end, 16), int(pa, 16), perms))
starts = [r[0] for r in ranges]
phys_offset, va_bits = int(sys.argv[3], 0), int(sys.argv[4])
stext, etext, kcode = (int(x, 16) for x in sys.argv[5:8])
page_offset = (1 << 64) - (1 << va_bits)   # start of the linear map (arm64, 6.1)
linear_end = page_offset + (1 << (va_bits - 1))

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
    # where the page map puts RAM's first byte, among the linear map's ranges
    hits = [r for r in ranges if page_offset <= r[0] < linear_end and r[2] <= s < r[2] + (r[1] - r[0])]
    if len(hits) != 1:
        print("System RAM %x-%x: %d linear-map ranges hold its start" % (s, e, len(hits))); sys.exit(1)
    va = hits[0][0] + (s - hits[0][2])
    # the linear map: va = pa - PHYS_OFFSET + PAGE_OFFSET (VMCOREINFO's PHYS_OFFSET)
    if va != (s - phys_offset + page_offset) % (1 << 64):
        print("System RAM %x: at 0x%x, VMCOREINFO says 0x%x" % (s, va, (s - phys_offset + page_offset) % (1 << 64))); sys.exit(1)
    err = covered(va, va + (e + 1 - s), s)
    if err:
        print("System RAM %x-%x: %s" % (s, e, err)); sys.exit(1)
    nram += 1
err = covered(stext, etext, kcode, "r-xs")
if err:
    print("kernel text: " + err); sys.exit(1)
print("%d RAM ranges, text ok, %d map ranges" % (nram, len(ranges)))
EOF
	assert_output --regexp '^[1-9] RAM ranges, text ok, [0-9]+ map ranges$'
}

# ---- i386 PAE ----------------------------------------------------------------------------

@test "i386 PAE ELF dump (CR3 from the QEMU note): _stext, kallsyms, linux_banner" {
	foreign_use i386-pae
	local dump=$BATS_FILE_TMPDIR/i386-pae.elf
	# the kernel is linked at 0xc0000000 + physical
	[ "$(( $(ksym _stext) - 0xc0000000 ))" -eq "$(( $(kernel_code) ))" ]
	check_stext "$dump" x86-pae
	check_kallsyms "$dump" 0
	check_banner "$dump"
}

@test "i386 PAE: 3 levels for 4 KiB pages, 2 MiB kernel pages, NX" {
	foreign_use i386-pae
	local dump=$BATS_FILE_TMPDIR/i386-pae.elf va
	# the last banner string (in this build linux_banner) is rodata in a 2 MiB page that
	# holds no text: PDPT, PD with PS and NX
	va=$(printf '0x%x' $(( $(ksym _stext) + $(tail -n 1 "$BATS_FILE_TMPDIR/banner-i386-pae") )))
	run -0 walk_rows "$dump" "$va"
	assert_line --index 0 --regexp '^  PDPT '
	assert_line --index 1 --regexp '^  PD .* PS .*NX'
	assert_line --index 2 --regexp '^  => PA 0x[0-9a-f]+  page 2M  r--s'
	# a 4 KiB data page of the kernel half: PDPT, PD, PT, not executable
	va=$(first_range "$dump" 0xc0000000 0x1000 rw-s)
	[ -n "$va" ]
	run -0 walk_rows "$dump" "$va"
	assert_line --index 0 --regexp '^  PDPT '
	assert_line --index 1 --regexp '^  PD '
	assert_line --index 2 --regexp '^  PT .* NX'
	assert_line --index 3 --regexp '^  => PA 0x[0-9a-f]+  page 4K  rw-s'
}

# ---- i386 without PAE --------------------------------------------------------------------

@test "i386 non-PAE ELF dump (CR3 from the QEMU note): _stext, kallsyms, linux_banner" {
	foreign_use i386
	local dump=$BATS_FILE_TMPDIR/i386.elf
	[ "$(( $(ksym _stext) - 0xc0000000 ))" -eq "$(( $(kernel_code) ))" ]
	check_stext "$dump" x86
	check_kallsyms "$dump" 0
	check_banner "$dump"
}

@test "i386 non-PAE: 4 MiB PSE kernel pages in one level, 2 levels for 4 KiB pages" {
	foreign_use i386
	local dump=$BATS_FILE_TMPDIR/i386.elf va
	run -0 walk_rows "$dump" "$(ksym _stext)"
	assert_line --index 0 --regexp '^  PD .* PS'
	assert_line --index 1 --regexp "^  => PA $(printf '0x%x' "$(kernel_code)")  page 4M  r-xs"
	# no NX without PAE: kernel data is rwx
	va=$(first_range "$dump" 0xc0000000 0x1000 rwxs)
	[ -n "$va" ]
	run -0 walk_rows "$dump" "$va"
	assert_line --index 0 --regexp '^  PD '
	assert_line --index 1 --regexp '^  PT '
	assert_line --index 2 --regexp '^  => PA 0x[0-9a-f]+  page 4K  rwxs'
}

@test "the linux os layer on arm64 (no data symbols in kallsyms): processes, a marker's maps and environment" {
	foreign_use arm64
	local T=$BATS_TEST_TMPDIR dump=$BATS_FILE_TMPDIR/arm64.elf
	oracle_ps >"$T/oracle.ps"
	ours_ps -c "$dump" -o linux >"$T/ours.ps"
	run same_processes "$T/oracle.ps" "$T/ours.ps"
	[ "$status" -eq 0 ] || fail "$output"
	run -0 mf-attach -c "$dump" -o linux -v -f msgpack
	assert_output --partial "no __start_BTF symbol: the kernel's BTF found in its image"
	assert_output --partial 'no init_task symbol: the task "swapper/0"'
	pid=$(guest_oracle maps | awk 'NR == 1 { print $2 }')
	oracle_maps >"$T/oracle.maps"
	ours_maps -c "$BATS_FILE_TMPDIR/arm64.kdump" -o linux -p "$pid" >"$T/ours.maps"
	diff -u "$T/oracle.maps" "$T/ours.maps"
	guest_oracle environ | awk 'NR > 1' | sort >"$T/oracle.env"
	mf-ps -c "$dump" -o linux --env -p "$pid" -f json |
		jq -r 'select(.type == "process") | .env | to_entries[] | "\(.key)=\(.value)"' | sort >"$T/ours.env"
	diff -u "$T/oracle.env" "$T/ours.env"
}

@test "the linux os layer on arm64 (no modules symbol): the module list found from a struct module in RAM, as /proc/modules" {
	foreign_use arm64
	local src
	read -r name size _ _ _ addr < <(guest_oracle modules | grep '^qemu_fw_cfg ')
	[ -n "$addr" ] || fail "the arm64 guest's /proc/modules has no qemu_fw_cfg"
	for src in "$BATS_FILE_TMPDIR/arm64.elf" "$BATS_FILE_TMPDIR/arm64.kdump"; do
		run -0 --separate-stderr mf-modules -c "$src" -o linux --kernel -v -f table
		[[ $stderr != *"runtime error:"* && $stderr != *"ERROR: AddressSanitizer"* ]] || fail "sanitizer: $stderr"
		assert_line --regexp "^ +0 +$addr +$(printf '0x%x' "$size") +qemu_fw_cfg +-$"
		assert_equal "$(grep -c -v vmlinux <<<"$output")" 2   # the header and the module
		[[ $stderr =~ "no modules symbol: the module list's head at 0x"[0-9a-f]+", from the module at 0x"[0-9a-f]+" found in memory" ]] ||
			fail "mf-modules -v did not say how it found the list: $stderr"
	done
}

@test "the linux os layer on i386 PAE (no BTF): kernel symbols work, processes are refused with the reason" {
	foreign_use i386-pae
	local dump=$BATS_FILE_TMPDIR/i386-pae.elf
	run -0 mf-read -c "$dump" -o linux --kernel -v -f raw _stext 4
	assert_output --partial "_stext at $(ksym _stext), +0x0"
	run -1 mf-ps -c "$dump" -o linux
	assert_output "mf-ps: cannot list processes of elf:$dump/linux: linux: no kernel types (kernel has no BTF (no __start_BTF symbol, none in its image))"
}
