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
