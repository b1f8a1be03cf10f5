#!/usr/bin/env bats
# mf-vtop on page tables built here in raw files: usage, walks shown level by level,
# garbage roots and fan-out tables (bounded time, per-address errors, exit 1).
load test_helper

# mkmem FILE SIZE [PA:U64:COUNT:VALUE:STEP]...: a zero file with COUNT 64-bit little-endian
# entries at PA, the k-th VALUE + k * STEP
mkmem() {
	/usr/bin/python3 - "$@" <<'EOF'
import struct, sys
path, size = sys.argv[1], int(sys.argv[2], 0)
b = bytearray(size)
for spec in sys.argv[3:]:
    pa, count, value, step = (int(x, 0) for x in spec.split(':'))
    for k in range(count):
        struct.pack_into('<Q', b, pa + 8 * k, (value + k * step) & (2**64 - 1))
open(path, 'wb').write(b)
EOF
}

setup_file() {
	# x86-64: PML4 0x1000; PML4[0] -> PDPT 0x2000 (user, writable); PDPT[0] -> PD 0x3000;
	# PD[0] -> PT 0x4000; PD[1] = 2 MiB page at 0x200000, NX, read-only, global, accessed;
	# PT[0..3] = 4 KiB pages at 0x10000.., PT[1] NX; PML4[511] -> 0x9000000 (past the file)
	mkmem "$BATS_FILE_TMPDIR/x64.raw" 0x400000 \
		0x1000:1:0x2067:0 0x2000:1:0x3067:0 0x3000:1:0x4067:0 \
		0x3008:1:0x80000000002001a1:0 \
		0x4000:4:0x10067:0x1000 0x4008:1:0x8000000000011067:0 \
		0x1ff8:1:0x9000063:0
	# LA57 fan-out: every entry of each level points to the next table, the PT is empty:
	# 512^4 PTs, far beyond the walk limit
	mkmem "$BATS_FILE_TMPDIR/fan.raw" 0x10000 \
		0x1000:512:0x2003:0 0x2000:512:0x3003:0 0x3000:512:0x4003:0 0x4000:512:0x5003:0
	head -c 4096 /dev/zero >"$BATS_FILE_TMPDIR/rnd.raw"
	head -c 4096 /dev/urandom >>"$BATS_FILE_TMPDIR/rnd.raw"
	head -c 1048576 /dev/zero >>"$BATS_FILE_TMPDIR/rnd.raw"
}

x64() { mf-vtop -c "raw:$BATS_FILE_TMPDIR/x64.raw" --dtb 0x1000 --arch x86_64 "$@"; }

@test "a 4 KiB page: the walk level by level, then pa, page size and permissions" {
	run -0 x64 -f table 0x1234
	assert_line --index 0 'VA 0x0000000000001234'
	assert_line --index 2 --regexp '^  PML4   0x0000000000001000     0 0x0000000000001000 0x0000000000002067 P RW US A D$'
	assert_line --index 3 --regexp '^  PDPT   0x0000000000002000     0 0x0000000000002000 0x0000000000003067 '
	assert_line --index 4 --regexp '^  PD     0x0000000000003000     0 0x0000000000003000 0x0000000000004067 '
	assert_line --index 5 --regexp '^  PT     0x0000000000004000     1 0x0000000000004008 0x8000000000011067 P RW US A D NX$'
	assert_line --index 6 '  => PA 0x11234  page 4K  rw-u  A D'
}

@test "json xlat record: pa, page_size, perms and the steps" {
	run -0 x64 -f json 0x201234 0x2234
	[ "$(jq -r .type <<<"$output" | paste -sd' ')" = "target xlat xlat" ]
	run -0 jq -c '[.type, .space, .arch, .va, .pa, .page_size, .perms, .flags, (.steps | length), .steps[2].level, .steps[2].entry, .steps[2].flags]' <<<"${lines[1]}"
	assert_output '["xlat","dtb","x86_64","0x201234","0x201234","0x200000","r--s","G A",3,"PD","0x80000000002001a1","P A PS G NX"]'
	run -0 x64 -f json 0x2234
	run -0 jq -c 'select(.type == "xlat") | [.pa, .perms, .steps[3].index, .steps[3].entry_addr]' <<<"$output"
	assert_output '["0x12234","rwxu",2,"0x4010"]'
}

@test "failures per address: not present at a named level, non-canonical, unreadable table; exit 1" {
	run -1 x64 -f table 0x5000 0x400000 0x8000000000000000 0xffffff8000000000 0x1000
	assert_line '  => not mapped: PT entry 5 not present'
	assert_line '  => not mapped: PD entry 2 not present'
	assert_line '  => non-canonical address for x86_64'
	assert_line '  => cannot read PDPT table at 0x9000000: not present in the source'
	assert_line 'mf-vtop: 0x5000: not mapped: PT entry 5 not present'
	assert_line 'mf-vtop: 0x8000000000000000: non-canonical address for x86_64'
	# the good one among them still translates
	assert_line '  => PA 0x11000  page 4K  rw-u  A D'
	run -1 x64 -f json 0x8000000000000000
	run -0 jq -c 'select(.type == "xlat") | [.error, .message, (.steps | length)]' <<<"$(grep '^{' <<<"$output")"
	assert_output '["non-canonical address","non-canonical address for x86_64",0]'
}

@test "--map lists merged ranges with page sizes and permissions" {
	run -0 x64 -f json --map
	run -0 jq -c 'select(.type == "pagemap") | [.va, .end, .pa, .size, .page_size, .perms]' <<<"$output"
	assert_equal "$output" '["0x0","0x1000","0x10000","0x1000","0x1000","rwxu"]
["0x1000","0x2000","0x11000","0x1000","0x1000","rw-u"]
["0x2000","0x4000","0x12000","0x2000","0x1000","rwxu"]
["0x200000","0x400000","0x200000","0x200000","0x200000","r--s"]'
	run -0 x64 -f json --map 0x1000 0x3000
	[ "$(jq -r 'select(.type == "pagemap") | .va' <<<"$output" | paste -sd' ')" = "0x1000 0x2000" ]
}

@test "--phys lists the virtual addresses of a physical address" {
	run -0 x64 -f json --phys 0x12345 0x201000
	run -0 jq -r 'select(.type == "p2v") | .pa + " " + .va' <<<"$output"
	assert_equal "$output" '0x12345 0x2345
0x201000 0x201000'
	run -1 x64 -f json --phys 0x300000000
	assert_output --partial 'mf-vtop: 0x300000000: not mapped in dtb 0x1000'
}

@test "a random page as root: per-address errors, bounded, no crash, for every format" {
	local a
	for a in x86_64 x86_64-la57 x86 x86-pae aarch64 riscv-sv39 riscv-sv48; do
		run -1 timeout 20 mf-vtop -c "raw:$BATS_FILE_TMPDIR/rnd.raw" --dtb 0x1000 --arch $a -f table \
			0x0 0x1000 0x7fffffffe000 0xffffffff81000000 0xc0000000 0xffff800008000000
		assert_line --partial 'mf-vtop: 0xffffffff81000000: '
		refute_output --partial 'AddressSanitizer'
		run timeout 60 mf-vtop -c "raw:$BATS_FILE_TMPDIR/rnd.raw" --dtb 0x1000 --arch $a -f msgpack --map
		[ "$status" -le 1 ] || { echo "$a: status $status: $output"; false; }
		refute_output --partial 'AddressSanitizer'
	done
}

@test "fan-out tables over the whole space: the page map stops at the walk limit, exit 1" {
	# bounded work, measured in CPU seconds (a busy machine does not make it fail): about
	# 10 s under ASan, a killed walk (SIGXCPU) would not print the message
	run -1 bash -c 'ulimit -t 60; mf-vtop -c "raw:$1" --dtb 0x1000 --arch x86_64-la57 -f json --map >/dev/null' - "$BATS_FILE_TMPDIR/fan.raw"
	assert_output 'mf-vtop: page map of dtb 0x1000 stopped after visiting too many page tables (cyclic or corrupt tables?)'
	# a zero page as root: nothing mapped
	run -1 bash -c 'mf-vtop -c "raw:$1" --dtb 0x0 --arch x86_64 -f json --map >/dev/null' - "$BATS_FILE_TMPDIR/rnd.raw"
	assert_output 'mf-vtop: nothing mapped in [0x0, the top) of dtb 0x0'
}

@test "usage errors exit 2" {
	run -2 mf-vtop -c "raw:$BATS_FILE_TMPDIR/x64.raw" --dtb 0x1000 --arch x86_64
	assert_line --index 0 'mf-vtop: no address given'
	run -2 x64 --map 0x2000 0x1000
	assert_line --index 0 "mf-vtop: empty range: END '0x1000' is not above START '0x2000'"
	run -2 x64 --map --phys 0x1000
	assert_line --index 0 'mf-vtop: --map and --phys exclude each other'
	run -2 mf-vtop -c "raw:$BATS_FILE_TMPDIR/x64.raw" --dtb 0x1000 --arch vax 0x1000
	assert_line --index 0 "mf-vtop: unknown architecture 'vax'"
	run -2 x64 --va-bits 48 0x1000
	assert_line --index 0 'mf-vtop: --va-bits, --granule and --dtb-hi apply to aarch64, not x86_64'
	run -2 mf-vtop -c "raw:$BATS_FILE_TMPDIR/x64.raw" --kernel --dtb 0x1000 0x1
	assert_line --index 0 'mf-vtop: give one address space (-p, --kernel or --dtb)'
	run -1 mf-vtop -c "raw:$BATS_FILE_TMPDIR/x64.raw" --kernel 0x1
	assert_output --partial 'mf-vtop: cannot find the kernel'
}
