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

@test "our kdump and our ELF without the VMCOREINFO hint find it in memory: makedumpfile prints the log" {
	require_cmd makedumpfile
	# a raw image of the guest has no hints at all
	run -0 mf-dump -q -c "$D/qemu.elf" -F raw -o "$D/guest.raw"
	for f in kdump elf; do
		run -0 mf-dump -c "raw:$D/guest.raw" -F $f -o "$D/fromraw.$f" -v
		assert_output --partial 'VMCOREINFO found in memory'
		run -0 makedumpfile --dump-dmesg "$D/fromraw.$f" "$D/fromraw-$f.dmesg"
		grep -qF "$(guest_oracle version | head -c 60)" "$D/fromraw-$f.dmesg"
		rm -f "$D/fromraw.$f"
	done
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

@test "our ELF of QEMU's ELF keeps every CPU's registers: gdb prints QEMU's rip, readelf the same CPU notes" {
	require_cmd gdb readelf
	[ -f "$D/ours-regs.elf" ] || mf-dump -q -c "$D/qemu.elf" -F elf -o "$D/ours-regs.elf"
	# the CPU notes (CORE registers, QEMU CPU states) of both files, in order
	cpu_notes() { readelf -n "$1" | awk '$1 == "CORE" || $1 == "QEMU" { print $1, $2, $3, $4, $5 }'; }
	qemu_notes=$(cpu_notes "$D/qemu.elf")
	assert_regex "$qemu_notes" 'CORE 0x[0-9a-f]+ NT_PRSTATUS'
	assert_equal "$(cpu_notes "$D/ours-regs.elf")" "$qemu_notes"
	regs() { gdb -nx -batch -c "$1" -ex 'info registers rip' -ex 'info registers rsp' 2>&1; }
	run -0 regs "$D/qemu.elf"
	assert_output --regexp 'rip +0x[0-9a-f]+'
	want=$output
	run -0 regs "$D/ours-regs.elf"
	refute_output --partial "Couldn't find general-purpose registers"
	assert_equal "$output" "$want"
	# and the elf connector still finds QEMU's CR3 and the CPU count in our copy
	run -0 mf-attach -c "$D/qemu.elf" -f json
	dtb=$(grep -oE '"dtb":"0x[0-9a-f]+"' <<<"$output")
	cpus=$(grep -oE '"cpus":[^,}]+' <<<"$output")
	[ -n "$dtb" ]
	[ -n "$cpus" ]
	run -0 mf-attach -c "$D/ours-regs.elf" -f json
	assert_output --partial "$dtb"
	assert_output --partial "$cpus"
	# our kdump of QEMU's ELF carries the same CPU notes in its notes (where crash reads them)
	[ -f "$D/ours.kdump" ] || mf-dump -q -c "$D/qemu.elf" -F kdump -o "$D/ours.kdump"
	run -0 /usr/bin/python3 - "$D/qemu.elf" "$D/ours.kdump" <<'EOF'
import struct, sys
def cpu(b):
    pos, out = 0, []
    while pos + 12 <= len(b):
        nsz, dsz, typ = struct.unpack_from("<III", b, pos)
        name, desc = b[pos + 12:pos + 12 + nsz].rstrip(b"\0"), pos + 12 + (nsz + 3) // 4 * 4
        if name in (b"CORE", b"QEMU"):
            out.append((name, typ, b[desc:desc + dsz]))
        pos = desc + (dsz + 3) // 4 * 4
    return out
with open(sys.argv[1], "rb") as f:
    d = f.read(1 << 20)
    phoff, = struct.unpack_from("<Q", d, 32); n, = struct.unpack_from("<H", d, 56)
    src = []
    for i in range(n):
        t, _, off, _, _, fsz = struct.unpack_from("<IIQQQQ", d, phoff + 56 * i)
        if t == 4:
            f.seek(off); src += cpu(f.read(fsz))
with open(sys.argv[2], "rb") as f:
    bs, = struct.unpack_from("<I", f.read(4096), 0x1ac)
    f.seek(bs); off, size = struct.unpack_from("<QQ", f.read(0x40), 0x30)
    f.seek(off); ours = cpu(f.read(size))
print("prstatus %d, same %s" % (sum(1 for x in src if x[0] == b"CORE" and x[1] == 1), src == ours))
EOF
	assert_regex "$output" '^prstatus [1-9][0-9]*, same True$'
	rm -f "$D/ours-regs.elf"
}

@test "our ELF of the live guest: no hints of the QEMU process, its VMCOREINFO, makedumpfile prints the log" {
	require_cmd makedumpfile
	# the live source has hints that describe the QEMU process, not the guest's memory
	run -0 mf-attach -c "qemu:pid=$GUEST_QEMU_PID" -f json
	assert_output --partial '"qemu_pid":'
	assert_output --partial '"live":'
	run -0 mf-dump -q -c "qemu:pid=$GUEST_QEMU_PID" -F elf -o "$D/live.elf"
	run -0 mf-attach -c "$D/live.elf" -f json
	refute_output --partial '"live"'
	refute_output --partial 'qemu_pid'
	refute_output --partial 'qemu_map'
	refute_output --partial 'qemu_layout'
	refute_output --regexp '_hva"|"host_'
	assert_output --partial "\"osrelease\":\"$(guest_oracle uname)\""
	run -0 makedumpfile --dump-dmesg "$D/live.elf" "$D/live.dmesg"
	grep -qF "$(guest_oracle version | head -c 60)" "$D/live.dmesg"
	rm -f "$D/live.elf"
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
