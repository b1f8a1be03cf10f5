#!/usr/bin/env bats
# Hostile dumps cost bounded work: small generated files whose headers claim huge bitmaps,
# many records or many notes open (or fail) within a generous CPU and memory limit; reads
# of huge spans take time by what is mapped; wrapped offsets, FIFOs, writes on a guess and
# known magic with a bad header are refused with one line.  Nothing large is committed:
# every file is generated here (sparse where it claims much).
load test_helper

# bounded CMD...: run CMD with a 30 s CPU limit, recording its peak RSS (KiB) in $rss_kib;
# sets status/output/stderr like run.
bounded() {
	run --separate-stderr bash -c 'ulimit -t 30; exec /usr/bin/time -f "rss %M" -o "$0" "$@"' "$BATS_TEST_TMPDIR/rss" "$@"
	rss_kib=$(awk '$1 == "rss" { print $2 }' "$BATS_TEST_TMPDIR/rss")
	echo "# rss ${rss_kib} KiB, status $status" >&3
	[ -n "$rss_kib" ] && [ "$rss_kib" -lt $((400 * 1024)) ]
}

# The generated dump's one page at 0x100000 holds 00 01 .. 0f: read in bounded memory.
reads_its_page() { # PATH
	bounded bash -c 'mf-read -c "$1" --phys -f raw 0x100000 16 | od -An -tx1 | tr -d " \n"; exit "${PIPESTATUS[0]}"' _ "$1"
	[ "$status" -eq 0 ]
	[ "$output" = 000102030405060708090a0b0c0d0e0f ]
}

# A plain kdump whose header claims a 1 GiB bitmap (each half), the file sparse, one page.
gen_kdump_big_bitmap() { # PATH FLAT(0|1)
	/usr/bin/python3 - "$1" "$2" <<'PY'
import struct, sys, zlib
path, flat = sys.argv[1], sys.argv[2] == "1"
bs = 4096
half = 1 << 30
bm_blocks = 2 * half // bs
h = bytearray(bs)
h[0:8] = b"KDUMP   "
struct.pack_into("<i", h, 8, 6)
h[0x0c + 4 * 65:0x0c + 4 * 65 + 6] = b"x86_64"
struct.pack_into("<IIIII", h, 0x1a8, 0, bs, 1, bm_blocks, 0)
struct.pack_into("<I", h, 0x1cc, 1)
sub = bytearray(bs)
struct.pack_into("<Q", sub, 0x60, 8 * half)
bm_off = 2 * bs
desc_off = bm_off + 2 * half
page = bytes(range(256)) * 16
desc = struct.pack("<QIIQ", desc_off + 24, bs, 0, 0)
# bit 0x100 of both bitmaps: pfn 0x100 is the one page
bit = bytearray(bs); bit[0x20] = 1
pieces = [(0, h), (bs, sub), (bm_off, bit), (bm_off + half, bit), (desc_off, desc + page)]
with open(path, "wb") as f:
    if not flat:
        for off, data in pieces:
            f.seek(off); f.write(data)
    else:
        hdr = bytearray(4096); hdr[0:12] = b"makedumpfile"
        struct.pack_into(">QQ", hdr, 16, 1, 1)
        f.write(hdr)
        for off, data in pieces:
            f.write(struct.pack(">QQ", off, len(data)) + data)
        f.write(struct.pack(">QQ", 2**64 - 1, 2**64 - 1))
PY
}

@test "kdump claiming a 1 GiB bitmap (sparse file): opens in bounded memory, reads its one page" {
	gen_kdump_big_bitmap "$BATS_TEST_TMPDIR/big.kdump" 0
	[ "$(du -k "$BATS_TEST_TMPDIR/big.kdump" | cut -f1)" -lt 1024 ]
	reads_its_page "$BATS_TEST_TMPDIR/big.kdump"
}

@test "flattened kdump claiming a 1 GiB bitmap (12 KB file): opens in bounded memory" {
	gen_kdump_big_bitmap "$BATS_TEST_TMPDIR/big.flat" 1
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/big.flat")" -lt 65536 ]
	reads_its_page "$BATS_TEST_TMPDIR/big.flat"
}

@test "flattened kdump with 200,000 records in descending order opens in bounded time" {
	/usr/bin/python3 - "$BATS_TEST_TMPDIR/many.flat" <<'PY'
import struct, sys
bs = 4096
h = bytearray(bs); h[0:8] = b"KDUMP   "
struct.pack_into("<i", h, 8, 6)
struct.pack_into("<IIIII", h, 0x1a8, 0, bs, 0, 2, 8)
bit = bytearray(bs); bit[0] = 0xff
desc = b"".join(struct.pack("<QIIQ", 3 * bs + 8 * 24 + i * bs, bs, 0, 0) for i in range(8))
pages = b"".join(bytes([i]) * bs for i in range(8))
plain = bytes(h) + bytes(bs) + bytes(bit) + desc + pages
with open(sys.argv[1], "wb") as f:
    hdr = bytearray(4096); hdr[0:12] = b"makedumpfile"
    struct.pack_into(">QQ", hdr, 16, 1, 1)
    f.write(hdr)
    n = 200000
    # a tail of 8-byte records, last first, then the real content over it at the end
    for i in reversed(range(n)):
        f.write(struct.pack(">QQ", len(plain) + 8 * i, 8) + b"\xaa" * 8)
    f.write(struct.pack(">QQ", 0, len(plain)) + plain)
    f.write(struct.pack(">QQ", 2**64 - 1, 2**64 - 1))
PY
	bounded mf-read -c "$BATS_TEST_TMPDIR/many.flat" --phys -f raw $((5 * 4096)) 4
	[ "$status" -eq 0 ]
	[ "$(mf-read -c "$BATS_TEST_TMPDIR/many.flat" --phys -f raw $((5 * 4096)) 4 | od -An -tx1 | tr -d ' \n')" = 05050505 ]
}

@test "huge spans of a 1 MiB raw image take time by what is mapped" {
	head -c 1M /dev/zero | tr '\0' 'A' >"$BATS_TEST_TMPDIR/m.raw"
	bounded mf-read -c "$BATS_TEST_TMPDIR/m.raw" --phys -f raw 0 1T
	[ "$status" -eq 1 ]
	[ "$stderr" = "mf-read: cannot read 0x100000-0xffffffffff: not present in the source (with -f raw, --zero-fill writes zeros instead)" ]
	[ "${#output}" -eq $((1 << 20)) ]
	bounded mf-read -c "$BATS_TEST_TMPDIR/m.raw" --phys -f json 0 0xfffffffffff
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = '{"type":"gap","space":"phys","addr":"0x100000","len":"0xfffffefffff","error":"not present in the source"}' ]
	bounded mf-read -c "$BATS_TEST_TMPDIR/m.raw" --phys -f json -T u64 -N 0xffffffffffff 0
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq $((131072 + 2)) ]
	[ "${lines[-1]}" = '{"type":"gap","space":"phys","addr":"0x100000","len":"0x7ffffffeffff8","error":"not present in the source"}' ]
}

@test "bitmap crash dump whose FirstPage wraps past 2^64 is refused, not served from its header" {
	/usr/bin/python3 - "$BATS_TEST_TMPDIR/wrap.dmp" <<'PY'
import struct, sys
h = bytearray(0x2000)
h[0:8] = b"PAGEDU64"
struct.pack_into("<I", h, 0x30, 0x8664)
struct.pack_into("<I", h, 0xf98, 5)
bh = bytearray(0x38 + 8)
bh[0:8] = b"SDMPDUMP"
struct.pack_into("<QQQ", bh, 0x20, 0xFFFFFFFFFFFFF000, 2, 64)
bh[0x38] = 0x03   # pfns 0 and 1
open(sys.argv[1], "wb").write(bytes(h) + bytes(bh) + bytes(0x3000))
PY
	run -1 --separate-stderr mf-read -c "$BATS_TEST_TMPDIR/wrap.dmp" --phys -f raw 0x1000 8
	[ "$output" = "" ]
	[ "$stderr" = "mf-read: $BATS_TEST_TMPDIR/wrap.dmp: bitmap dump FirstPage 0xfffffffffffff000 + 0x2 pages runs past 2^64 bytes of file" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "a FIFO given as a dump is refused at once, by detection and by a named connector" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	run -1 --separate-stderr timeout 10 mf-read -c "$BATS_TEST_TMPDIR/fifo" --phys 0 16
	[ "$stderr" = "mf-read: cannot open $BATS_TEST_TMPDIR/fifo: not a regular file or block device (a FIFO)" ]
	run -1 --separate-stderr timeout 10 mf-read -c "raw:$BATS_TEST_TMPDIR/fifo" --phys 0 16
	[ "$stderr" = "mf-read: cannot open $BATS_TEST_TMPDIR/fifo: not a regular file or block device (a FIFO)" ]
}

@test "--write on a file with no known magic needs -c raw:PATH; the file is untouched" {
	head -c 8192 /dev/zero >"$BATS_TEST_TMPDIR/w.img"
	run -1 --separate-stderr mf-read -c "$BATS_TEST_TMPDIR/w.img" --phys --write "de ad" 0
	[[ $stderr == "mf-read: cannot open $BATS_TEST_TMPDIR/w.img for writing: no known format; to write it as a raw image, name the connector (-c raw:"*")" ]]
	[ "$(od -An -tx1 -N2 "$BATS_TEST_TMPDIR/w.img" | tr -d ' ')" = 0000 ]
	run -0 mf-read -c "raw:$BATS_TEST_TMPDIR/w.img" --phys --write "de ad" 0
	[ "$(od -An -tx1 -N2 "$BATS_TEST_TMPDIR/w.img" | tr -d ' ')" = dead ]
}

@test "a 4 KiB file with LiME magic and version 0 is an error naming the format, not raw" {
	{ printf 'EMiL\0\0\0\0'; head -c 4088 /dev/zero; } >"$BATS_TEST_TMPDIR/v0.lime"
	run -1 --separate-stderr mf-read -c "$BATS_TEST_TMPDIR/v0.lime" --phys 0 16
	[ "$stderr" = "mf-read: cannot open $BATS_TEST_TMPDIR/v0.lime: lime header with unsupported version 0 (want 1)" ]
}

@test "bitmap crash dump claiming a 1 GiB bitmap (sparse file): opens in bounded memory, reads its one page" {
	/usr/bin/python3 - "$BATS_TEST_TMPDIR/big.dmp" <<'PY'
import struct, sys
bits = 8 << 30                      # 2^33 pages: a 1 GiB bitmap
first = (0x2038 + bits // 8 + 0xfff) & ~0xfff
h = bytearray(0x2000)
h[0:8] = b"PAGEDU64"
struct.pack_into("<I", h, 0x30, 0x8664)
struct.pack_into("<I", h, 0xf98, 5)
bh = bytearray(0x38)
bh[0:8] = b"SDMPDUMP"
struct.pack_into("<QQQ", bh, 0x20, first, 1, bits)
bit = bytearray(0x1000); bit[0x20] = 1     # pfn 0x100 is the one page
with open(sys.argv[1], "wb") as f:
    f.write(bytes(h) + bytes(bh))
    f.seek(0x2038); f.write(bit)
    f.seek(first); f.write(bytes(range(256)) * 16)
PY
	[ "$(du -k "$BATS_TEST_TMPDIR/big.dmp" | cut -f1)" -lt 1024 ]
	reads_its_page "$BATS_TEST_TMPDIR/big.dmp"
}

# An ELF64 core: PT_LOAD of the 00..ff page at physical 0x100000; PHENTSIZE bytes a
# header, NPH headers (PN_XNUM past 0xfffe), each extra one a PT_NOTE of the NOTE bytes
# (written once, after the headers) when NOTE is given, else PT_NULL; sparse.
gen_elf_core() { # PATH PHENTSIZE NPH NOTE(0|1) [PADDR of the page, default 0x100000]
	/usr/bin/python3 - "$@" <<'PY'
import struct, sys
path, phent, nph, with_note = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
paddr = int(sys.argv[5], 0) if len(sys.argv) > 5 else 0x100000
xnum = nph >= 0xffff
phoff = 128
data = (phoff + nph * phent + 0xfff) & ~0xfff
note = b""
if with_note:
    text = b"OSRELEASE=6.1.0-hostile\n"
    note = struct.pack("<III", 11, len(text), 0) + b"VMCOREINFO\0\0" + text
    note += bytes((4 << 20) - len(note))     # 4 MiB: the rest zero padding, walked 12 bytes a step
page_off = data + len(note)
eh = bytearray(64)
eh[0:6] = b"\x7fELF\x02\x01"; eh[6] = 1
struct.pack_into("<HHIQQQIHHHHHH", eh, 16, 4, 62, 1, 0, phoff, 64 if xnum else 0, 0, 64, phent,
                 0xffff if xnum else nph, 64, 1 if xnum else 0, 0)
sh = bytearray(64)
struct.pack_into("<I", sh, 44, nph if xnum else 0)
with open(path, "wb") as f:
    f.write(eh + sh)
    load = struct.pack("<IIQQQQQQ", 1, 7, page_off, 0, paddr, 4096, 4096, 4096)
    f.seek(phoff); f.write(load)
    if with_note:
        pn = struct.pack("<IIQQQQQQ", 4, 0, data, 0, 0, len(note), 0, 4)
        f.write(pn * (nph - 1))
    f.seek(data); f.write(note)
    f.seek(page_off); f.write(bytes(range(256)) * 16)
PY
}

@test "ELF core with e_phentsize 0xffff (a sparse 4 GiB of headers): opens in bounded memory" {
	gen_elf_core "$BATS_TEST_TMPDIR/wide.elf" 65535 65534 0
	[ "$(du -k "$BATS_TEST_TMPDIR/wide.elf" | cut -f1)" -lt 1024 ]
	reads_its_page "$BATS_TEST_TMPDIR/wide.elf"
}

@test "ELF core with 100,000 PT_NOTEs over one 4 MiB region reads it once, in bounded time" {
	gen_elf_core "$BATS_TEST_TMPDIR/notes.elf" 56 100001 1
	bounded mf-attach -c "$BATS_TEST_TMPDIR/notes.elf" -f json </dev/null
	[ "$status" -eq 0 ]
	[ "$(jq -r .hints.osrelease <<<"$output")" = 6.1.0-hostile ]
	reads_its_page "$BATS_TEST_TMPDIR/notes.elf"
}

# A kdump with two pages: pfn 0x100 a zlib page that is hostile (MODE short: a valid
# stream of 100 bytes; cut: the page's stream, its size cut to two thirds), pfn 0x101 the
# 00..ff page uncompressed.  MODE wrap: pfn 0x100 is the 00..ff page, the descriptor of
# pfn 0x101 (the last) has the offset 0xfffffffffffffff0, whose end wraps past 2^64.
gen_kdump_bad_page() { # PATH MODE
	/usr/bin/python3 - "$1" "$2" <<'PY'
import struct, sys, zlib
path, mode = sys.argv[1], sys.argv[2]
bs = 4096
h = bytearray(bs)
h[0:8] = b"KDUMP   "
struct.pack_into("<i", h, 8, 6)
h[0x0c + 4 * 65:0x0c + 4 * 65 + 6] = b"x86_64"
struct.pack_into("<IIIII", h, 0x1a8, 0, bs, 1, 2, 0x200)
sub = bytearray(bs)
struct.pack_into("<Q", sub, 0x60, 0x200)
bit = bytearray(bs); bit[0x20] = 3         # pfns 0x100 (the hostile page) and 0x101
page = bytes(range(256)) * 16
data = 4 * bs + 2 * 24
if mode == "wrap":
    desc = struct.pack("<QIIQ", data, bs, 0, 0) + struct.pack("<QIIQ", 2**64 - 16, bs, 0, 0)
    z = b""
else:
    if mode == "short":                   # a valid stream of 100 bytes
        z = zlib.compress(page[:100]); zsize = len(z)
    else:                                 # the page's stream, its size cut to two thirds
        z = zlib.compress(page); zsize = len(z) * 2 // 3
    desc = struct.pack("<QIIQ", data, zsize, 1, 0) + struct.pack("<QIIQ", data + len(z), bs, 0, 0)
open(path, "wb").write(bytes(h) + bytes(sub) + bytes(bit) + bytes(bit) + desc + z + page)
PY
}

@test "kdump zlib page that decompresses short of a block, or is cut short: the read fails (zero-filled: a warning, exit 1), the next page reads" {
	for mode in short cut; do
		gen_kdump_bad_page "$BATS_TEST_TMPDIR/$mode.kdump" $mode
		run -1 --separate-stderr mf-read -c "$BATS_TEST_TMPDIR/$mode.kdump" --phys -f raw 0x100000 16
		[ "$output" = "" ]
		[ "$stderr" = "mf-read: cannot read 0x100000-0x10000f: corrupt data (with -f raw, --zero-fill writes zeros instead)" ]
		run -1 --separate-stderr bash -c 'mf-read -c "$1" --phys -f raw --zero-fill 0x100ff0 32 | od -An -tx1 | tr -d " \n"; exit "${PIPESTATUS[0]}"' _ "$BATS_TEST_TMPDIR/$mode.kdump"
		[ "$stderr" = "mf-read: warning: 0x100ff0-0x100fff unreadable: corrupt data (zero-filled)" ]
		[ "$output" = 00000000000000000000000000000000000102030405060708090a0b0c0d0e0f ]
	done
}

@test "kdump whose last page descriptor wraps past 2^64: a truncation warning, that page fails, the other reads" {
	gen_kdump_bad_page "$BATS_TEST_TMPDIR/wrap.kdump" wrap
	local size
	size=$(stat -c %s "$BATS_TEST_TMPDIR/wrap.kdump")
	run -0 --separate-stderr bash -c 'mf-read -c "$1" --phys -f raw 0x100000 16 | od -An -tx1 | tr -d " \n"; exit "${PIPESTATUS[0]}"' _ "$BATS_TEST_TMPDIR/wrap.kdump"
	[ "$output" = 000102030405060708090a0b0c0d0e0f ]
	[ "$stderr" = "mf-read: warning: $BATS_TEST_TMPDIR/wrap.kdump: kdump truncated: the last page's data (0x1000 bytes at 0xfffffffffffffff0) runs past the end of the file ($(printf 0x%x "$size")); missing pages are holes" ]
	run -1 --separate-stderr mf-read -c "$BATS_TEST_TMPDIR/wrap.kdump" --phys -f raw 0x101000 16
	[ "$output" = "" ]
	[ "${stderr_lines[-1]}" = "mf-read: cannot read 0x101000-0x10100f: corrupt data (with -f raw, --zero-fill writes zeros instead)" ]
}

# mf-dump -F kdump of the ELF core at $1 into $2: bounded, and the result sparse.
dump_kdump_bounded() { # ELF OUT
	bounded mf-dump -c "$1" -F kdump -o "$2" </dev/null
}

@test "mf-dump -F kdump of memory ending at 128 TiB: bitmaps cost what is present (sparse file, bounded memory)" {
	gen_elf_core "$BATS_TEST_TMPDIR/high.elf" 56 1 0 0x7ffffffff000
	dump_kdump_bounded "$BATS_TEST_TMPDIR/high.elf" "$BATS_TEST_TMPDIR/high.kdump"
	[ "$status" -eq 0 ]
	# 2 bitmaps of 4 GiB each in the file's size, a few blocks of it written
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/high.kdump")" -gt $((8 << 30)) ]
	[ "$(du -k "$BATS_TEST_TMPDIR/high.kdump" | cut -f1)" -lt 1024 ]
	run -0 --separate-stderr bash -c 'mf-read -c "$1" --phys -f raw 0x7fffffffff00 16 | od -An -tx1 | tr -d " \n"; exit "${PIPESTATUS[0]}"' _ "$BATS_TEST_TMPDIR/high.kdump"
	[ "$output" = 000102030405060708090a0b0c0d0e0f ]
	run -1 --separate-stderr mf-read -c "$BATS_TEST_TMPDIR/high.kdump" --phys -f raw 0x7fffffffe000 16
	[ "${stderr_lines[-1]}" = "mf-read: cannot read 0x7fffffffe000-0x7fffffffe00f: not present in the source (with -f raw, --zero-fill writes zeros instead)" ]
}

@test "mf-dump -F kdump of memory ending past 256 TiB, or at the top of the address space: refused with one line, no file left" {
	gen_elf_core "$BATS_TEST_TMPDIR/over.elf" 56 1 0 0x1000000000000
	dump_kdump_bounded "$BATS_TEST_TMPDIR/over.elf" "$BATS_TEST_TMPDIR/over.kdump"
	[ "$status" -eq 1 ]
	[ "$stderr" = "mf-dump: physical memory ends at 0x1000000001000: too large for a kdump bitmap (256 TiB at most)" ]
	gen_elf_core "$BATS_TEST_TMPDIR/top.elf" 56 1 0 0xfffffffffffff000
	dump_kdump_bounded "$BATS_TEST_TMPDIR/top.elf" "$BATS_TEST_TMPDIR/top.kdump"
	[ "$status" -eq 1 ]
	[ "$stderr" = "mf-dump: physical memory ends at 0xffffffffffffffff: too large for a kdump bitmap (256 TiB at most)" ]
	[ ! -e "$BATS_TEST_TMPDIR/over.kdump" ] && [ ! -e "$BATS_TEST_TMPDIR/top.kdump" ]
}
