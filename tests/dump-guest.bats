#!/usr/bin/env bats
# mf-dump and the dump readers against a real guest: QEMU's own ELF and kdump-zlib dumps
# and the paused guest's live RAM agree page for page; our kdump of QEMU's ELF reads in
# makedumpfile like QEMU's own kdump; an ELF round trip keeps QEMU's CR3.
load test_helper
. "$MF_TOP_SRCDIR/tests/guest/guest.bash"

setup_file() {
	if guest_require; then
		guest_start
		guest_pause
		guest_dump elf "$BATS_FILE_TMPDIR/qemu.elf"
		guest_dump kdump-zlib "$BATS_FILE_TMPDIR/qemu.kdump-flat"
		guest_dump_paging "$BATS_FILE_TMPDIR/qemu-paging.elf"
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

# The low-RAM and main-RAM pieces of a pc guest: 0-0x9ffff and 1 MiB to the end of RAM.
ram_end() { printf '0x%x' "$GUEST_MEM_BYTES"; }

@test "10,000 random pages: QEMU's ELF, QEMU's kdump (flattened, in place), our kdump and live RAM agree" {
	[ -x "$GUEST_GPA_READ" ] || fail "needs $GUEST_GPA_READ (built by make check)"
	end=$GUEST_MEM_BYTES
	[ "$end" -le $((3 << 30)) ] || skip "layout check written for guests below 3 GiB"
	run -0 mf-dump -q -c "$D/qemu.elf" -F kdump -o "$D/ours.kdump"
	len=$((end - 0x100000))
	for s in qemu.elf qemu.kdump-flat ours.kdump; do
		mf-read -c "$D/$s" --phys -f raw 0x100000 $len >"$D/$s.bin"
		[ "$(stat -c %s "$D/$s.bin")" -eq $len ]
	done
	# whole main RAM identical from the three files
	cmp "$D/qemu.elf.bin" "$D/qemu.kdump-flat.bin"
	cmp "$D/qemu.elf.bin" "$D/ours.kdump.bin"
	# 10,000 random pages (with the low 640 KiB among them) against the paused live RAM
	/usr/bin/python3 -c '
import random, sys
random.seed(int(sys.argv[2]))
end = int(sys.argv[1])
pages = [p for p in range(0, 0xa0) ] + random.sample(range(0x100, end // 4096), 10000 - 0xa0)
print("\n".join("0x%x" % (p * 4096) for p in pages))' "$end" "$RANDOM" >"$D/gpas"
	"$GUEST_GPA_READ" "$GUEST_QEMU_PID" "$GUEST_RAM_HVA" - 4096 <"$D/gpas" >"$D/live.bin"
	/usr/bin/python3 - "$D" <<'EOF'
import mmap, sys
d = sys.argv[1]
gpas = [int(x, 0) for x in open(d + "/gpas").read().split()]
live = open(d + "/live.bin", "rb").read()
assert len(live) == 4096 * len(gpas), "gpa-read returned %d bytes" % len(live)
main = {}
for s in ("qemu.elf", "qemu.kdump-flat", "ours.kdump"):
    f = open("%s/%s.bin" % (d, s), "rb")
    main[s] = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
bad = 0
for i, g in enumerate(gpas):
    want = live[i * 4096:(i + 1) * 4096]
    if g < 0x100000:
        continue   # low RAM: compared below with mf-read directly
    for s, m in main.items():
        if m[g - 0x100000:g - 0x100000 + 4096] != want:
            bad += 1
            if bad < 5:
                print("page 0x%x differs in %s" % (g, s))
sys.exit(1 if bad else 0)
EOF
	# low RAM (0-0x9ffff) from every source, against live RAM
	"$GUEST_GPA_READ" "$GUEST_QEMU_PID" "$GUEST_RAM_HVA" 0 $((0xa0000)) >"$D/low.live"
	for s in qemu.elf qemu.kdump-flat ours.kdump; do
		mf-read -c "$D/$s" --phys -f raw 0 $((0xa0000)) | cmp - "$D/low.live"
	done
}

@test "our kdump of QEMU's ELF: makedumpfile --dump-dmesg prints QEMU's kernel log" {
	require_cmd makedumpfile
	[ -f "$D/ours.kdump" ] || mf-dump -q -c "$D/qemu.elf" -F kdump -o "$D/ours.kdump"
	# QEMU's own kdump: unflatten, then fix its sub-header phys_base (QEMU parses the
	# decimal NUMBER(phys_base) as hex under KASLR) from its VMCOREINFO
	makedumpfile -R "$D/qemu.kdump" <"$D/qemu.kdump-flat"
	pb=$(mf-attach -c "$D/qemu.kdump" -f json | sed -n 's/.*"phys_base":"\(0x[0-9a-f]*\)".*/\1/p')
	[ -n "$pb" ]
	/usr/bin/python3 -c '
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(0x1ac); bs, = struct.unpack("<I", f.read(4))
    f.seek(bs); f.write(struct.pack("<Q", int(sys.argv[2], 0)))' "$D/qemu.kdump" "$pb"
	run -0 makedumpfile --dump-dmesg "$D/qemu.kdump" "$D/qemu.dmesg"
	run -0 makedumpfile --dump-dmesg "$D/ours.kdump" "$D/ours.dmesg"
	[ -s "$D/qemu.dmesg" ]
	cmp "$D/qemu.dmesg" "$D/ours.dmesg"
	# and it is the guest's log: the kernel banner is in it
	grep -qF "$(guest_oracle version | head -c 60)" "$D/ours.dmesg"
}

@test "our kdump without the VMCOREINFO hint finds it in memory" {
	require_cmd makedumpfile
	# a raw image of the guest has no hints at all
	run -0 mf-dump -q -c "$D/qemu.elf" -F raw -o "$D/guest.raw"
	run -0 mf-dump -c "raw:$D/guest.raw" -F kdump -o "$D/fromraw.kdump" -v
	assert_output --partial 'VMCOREINFO found in memory'
	run -0 makedumpfile --dump-dmesg "$D/fromraw.kdump" "$D/fromraw.dmesg"
	grep -qF "$(guest_oracle version | head -c 60)" "$D/fromraw.dmesg"
	rm -f "$D/guest.raw"
}

@test "ELF round trip keeps QEMU's CR3 (dtb) and VMCOREINFO; readelf accepts it" {
	require_cmd readelf
	dtb=$(mf-attach -c "$D/qemu.elf" -f json | sed -n 's/.*"dtb":"\(0x[0-9a-f]*\)".*/\1/p')
	[ -n "$dtb" ]
	run -0 mf-dump -q -c "$D/qemu.elf" -F elf -o "$D/ours.elf"
	run -0 mf-attach -c "$D/ours.elf" -f json
	assert_output --partial "\"dtb\":\"$dtb\""
	assert_output --partial '"arch":"x86_64"'
	assert_output --partial "\"osrelease\":\"$(guest_oracle uname)\""
	run -0 readelf -l -n "$D/ours.elf"
	assert_output --partial 'MFTOOLS'
	assert_output --partial 'VMCOREINFO'
	assert_output --partial 'QEMU'
	mf-read -c "$D/ours.elf" --phys -f raw 0x100000 $((GUEST_MEM_BYTES - 0x100000)) | cmp - "$D/qemu.elf.bin"
	# program headers right after the ELF header: makedumpfile reads our ELF (not QEMU's)
	require_cmd makedumpfile
	run -0 makedumpfile --dump-dmesg "$D/ours.elf" "$D/ours-elf.dmesg"
	grep -qF "$(guest_oracle version | head -c 60)" "$D/ours-elf.dmesg"
	rm -f "$D/ours.elf"
}

@test "QEMU's paging ELF (overlapping physical ranges): linux_banner and the kernel image read as in the plain ELF" {
	local kpa stext banner_va banner pa
	# really a paging dump: physical ranges of two PT_LOADs overlap
	run -0 /usr/bin/python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
phoff, = struct.unpack_from("<Q", d, 32); n, = struct.unpack_from("<H", d, 56)
segs = sorted((pa, pa + msz) for t, _, _, _, pa, _, msz, _ in
              (struct.unpack_from("<IIQQQQQQ", d, phoff + 56 * i) for i in range(n)) if t == 1)
print(sum(1 for a, b in zip(segs, segs[1:]) if b[0] < a[1]))' "$D/qemu-paging.elf"
	[ "$output" -gt 0 ]
	kpa=0x$(guest_oracle iomem | awk -F' : ' '$2 == "Kernel code" { sub(/^ */, "", $1); split($1, a, "-"); print a[1]; exit }')
	stext=0x$(guest_oracle kallsyms | awk '$3 == "_stext" { print $1; exit }')
	banner_va=0x$(guest_oracle kallsyms | awk '$3 == "linux_banner" { print $1; exit }')
	banner=$(guest_oracle version)
	pa=$((kpa + banner_va - stext))
	run -0 mf-read -c "$D/qemu-paging.elf" --phys -f raw "$pa" "${#banner}"
	assert_output "$banner"
	# the kernel image's first 8 MiB: the same bytes as QEMU's plain ELF
	mf-read -c "$D/qemu-paging.elf" --phys -f raw "$kpa" 8M >"$D/paging.kimg"
	mf-read -c "$D/qemu.elf" --phys -f raw "$kpa" 8M | cmp - "$D/paging.kimg"
}
