#!/usr/bin/env bats
# mf-scan: patterns, strings, typed values and rescans, compared with a python reference
# over the same bytes: raw and LiME files built here, the third-party LiME slice, and
# tests/mf-memtarget (a process with known memory).
load test_helper
load tools_helper

setup_file() {
	export SD=$BATS_FILE_TMPDIR/scan
	mkdir -p "$SD"
	# 1 MiB + 100 bytes of pseudo-random bytes (few zeros) with markers placed across the
	# 64 KiB chunk boundaries the tests use, UTF-16 and mixed-case copies, typed values
	python3 - "$SD" <<'EOF'
import random, struct, sys
d = sys.argv[1]
random.seed(7)
b = bytearray(random.getrandbits(8) for _ in range((1 << 20) + 100))
b[0x200:0x200 + 4096] = bytes(4096)                  # zeros
for off in (0, 0x1000, 0x10000 - 3, 0x20000 - 1, 0x30000 - 7, len(b) - 8):
    b[off:off + 8] = b'MFSCAN01'
b[0x5000:0x5010] = 'MFSCAN01'.encode('utf-16le')
b[0x6000:0x6008] = b'mfScAn01'
b[0x7000:0x7008] = b'MFSC\x00\x00\x00\x01'             # a zero-heavy needle
for off, v in ((0x8000, 1000), (0x8004, 1001), (0x8008, 999), (0x8010, 5000), (0x8021, 1000)):
    b[off:off + 4] = struct.pack('<I', v)
b[0x9000:0x9008] = struct.pack('<d', 2.5)
open(d + '/a.raw', 'wb').write(b)
# LiME: two ranges, a hole between them; the second starts at 0x100000 (the marker
# across 0x20000 is cut in two by the hole: found in neither)
def lime(start, data):
    return struct.pack('<IIQQQ', 0x4C694D45, 1, start, start + len(data) - 1, 0) + data
r1 = bytearray(b[:0x20000]); r2 = bytearray(b[0x20000:0x40000])
open(d + '/b.lime', 'wb').write(lime(0, r1) + lime(0x100000, r2))
EOF
}

# Offsets (0x...) where the python regex REGEX (bytes, DOTALL) matches FILE, overlapping,
# plus BASE.
ref_offsets() {
	python3 - "$@" <<'EOF'
import re, sys
f, rx, base = sys.argv[1], sys.argv[2].encode('latin-1'), int(sys.argv[3] if len(sys.argv) > 3 else '0', 0)
data = open(f, 'rb').read()
flags = re.S | (re.I if len(sys.argv) > 4 else 0)
for m in re.finditer(b'(?=' + rx + b')', data, flags):
    print(hex(base + m.start()))
EOF
}

# a second memtarget of a test, stopped when the test fails too
teardown() {
	[[ -z ${scan_p1-} ]] || kill "$scan_p1" 2>/dev/null || true
	stop_memtarget
}

hit_addrs() {
	jq -r 'select(.type == "hit") | .addr'
}

@test "mf-scan -s finds every match, across 64K chunk boundaries, exactly once" {
	run -0 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -s MFSCAN01 --chunk 64K --threads 3 -f json </dev/null
	no_sanitizer
	assert_equal "$(hit_addrs <<<"$output")" "$(ref_offsets "$SD/a.raw" 'MFSCAN01')"
	assert_equal "$(hit_addrs <<<"$output" | wc -l)" 6
	# grep agrees (non-overlapping byte offsets)
	assert_equal "$(hit_addrs <<<"$output" | xargs printf '%d\n')" "$(grep -obUaF MFSCAN01 "$SD/a.raw" | cut -d: -f1)"
	# every chunk size and thread count gives the same hits
	local want=$output
	run -0 mf-scan -c "raw:$SD/a.raw" --phys -s MFSCAN01 --chunk 4K --threads 1 -f json </dev/null
	assert_equal "$output" "$want"
	# the first record is the target, the data is the context from the match
	assert_equal "$(head -n1 <<<"$output" | jq -r .type)" target
	assert_equal "$(jq -r 'select(.type == "hit") | .data' <<<"$output" | sed -n 2p)" \
		"$(dd if="$SD/a.raw" bs=1 skip=$((0x1000)) count=16 status=none | od -An -v -tx1 | tr -d ' \n')"
	run -0 bash -c "mf-scan -c raw:$SD/a.raw --phys -s MFSCAN01 --context 4 -f json </dev/null | jq -r 'select(.type == \"hit\") | .data' | sort -u"
	assert_output "4d465343"
}

@test "mf-scan: needles straddling every chunk boundary at every alignment, and at the very end" {
	local f=$BATS_TEST_TMPDIR/edges.raw
	# a 16-byte needle (the context's length) and a 40-byte one (longer) across each 64 KiB
	# boundary: starting 1, 2, 8, 15 bytes before it (one byte in the next chunk at 1... len-1),
	# ending on it, starting on it; the last copy ends on the last byte of memory
	python3 - "$f" <<'EOF2'
import random, sys
random.seed(11)
b = bytearray(random.getrandbits(8) | 1 for _ in range(20 * 0x10000 + 77))
n16, n40 = b'MFEDGE-0123456-X', b'MFEDGE-LONG-' + bytes(range(0x41, 0x41 + 28))
cuts = [(n16, 1), (n16, 2), (n16, 8), (n16, 15), (n16, 16), (n16, 0),
        (n40, 1), (n40, 20), (n40, 39), (n40, 40), (n40, 0), (n16, 1), (n40, 1)]
for i, (n, k) in enumerate(cuts):
    at = (i + 1) * 0x10000 - k
    b[at:at + len(n)] = n
b[len(b) - 16:] = n16
b[len(b) - 40 - 100:len(b) - 100] = n40
open(sys.argv[1], 'wb').write(b)
EOF2
	local want16 want40 chunk
	want16=$(ref_offsets "$f" 'MFEDGE-0123456-X')
	want40=$(ref_offsets "$f" 'MFEDGE-LONG-')
	assert_equal "$(wc -l <<<"$want16")" 8
	assert_equal "$(wc -l <<<"$want40")" 7
	for chunk in 64K 4K 128K; do
		run -0 --separate-stderr mf-scan -c "raw:$f" --phys -s MFEDGE-0123456-X --chunk "$chunk" --threads 2 -f json </dev/null
		no_sanitizer
		assert_equal "$(hit_addrs <<<"$output")" "$want16"
		run -0 --separate-stderr mf-scan -c "raw:$f" --phys -x "$(printf 'MFEDGE-LONG-' | od -An -v -tx1) ?? ?? 43" \
			--chunk "$chunk" --threads 3 -f json </dev/null
		assert_equal "$(hit_addrs <<<"$output")" "$want40"
		# the needle's own bytes are the context of the last hit, cut at the end of memory
		run -0 --separate-stderr mf-scan -c "raw:$f" --phys -s MFEDGE-0123456-X --chunk "$chunk" --context 64 -f json </dev/null
		assert_equal "$(jq -r 'select(.type == "hit") | .data' <<<"$output" | tail -n 1)" \
			"$(printf 'MFEDGE-0123456-X' | od -An -v -tx1 | tr -d ' \n')"
	done
}

@test "mf-scan -x: wildcards and zero-heavy needles" {
	# lone '?' wildcards between bytes: more bytes than half the text's characters
	run -0 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -x '4d?53?41?30' --chunk 64K -f json </dev/null
	no_sanitizer
	assert_equal "$(hit_addrs <<<"$output")" "$(ref_offsets "$SD/a.raw" 'M.S.A.0')"
	run -0 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -x '4d 46 ?? 43 41 ?? 30' --chunk 64K -f json </dev/null
	no_sanitizer
	assert_equal "$(hit_addrs <<<"$output")" "$(ref_offsets "$SD/a.raw" 'MF.CA.0')"
	run -0 mf-scan -c "raw:$SD/a.raw" --phys -x '00 00 00 01' -f json </dev/null
	assert_equal "$(hit_addrs <<<"$output")" "$(ref_offsets "$SD/a.raw" '\x00\x00\x00\x01')"
	run -0 mf-scan -c "raw:$SD/a.raw" --phys -x '4d465343????0001' -f json </dev/null
	assert_equal "$(hit_addrs <<<"$output")" "0x7000"
	# all zeros: every position of the zero page (and any zeros elsewhere)
	run -0 bash -c "mf-scan -c raw:$SD/a.raw --phys -x '00 00 00 00 00 00 00 00' -f json </dev/null | jq -r 'select(.type == \"hit\") | .addr' | wc -l"
	assert_output "$(ref_offsets "$SD/a.raw" '\x00{8}' | wc -l)"
	# --max-hits: the first N in address order
	run -0 mf-scan -c "raw:$SD/a.raw" --phys -s MFSCAN01 --max-hits 2 --chunk 64K -f json </dev/null
	assert_equal "$(hit_addrs <<<"$output" | tr '\n' ' ')" "0x0 0x1000 "
}

@test "mf-scan --utf16 and -i" {
	run -0 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -s MFSCAN01 --utf16 -f json </dev/null
	no_sanitizer
	assert_equal "$(jq -r 'select(.encoding == "utf-16le") | "\(.addr) \(.len)"' <<<"$output")" "0x5000 16"
	run -0 mf-scan -c "raw:$SD/a.raw" --phys -s mfscan01 -i -f json </dev/null
	assert_equal "$(hit_addrs <<<"$output")" "$(ref_offsets "$SD/a.raw" 'mfscan01' 0 i)"
	assert_line --partial '"addr":"0x6000"'
	run -0 mf-scan -c "raw:$SD/a.raw" --phys -s mfscan01 -i --utf16 -f json </dev/null
	assert_line --partial '"addr":"0x5000"'
}

@test "mf-scan -T: each comparison, alignment, floats" {
	local ref='import struct,sys
d=open(sys.argv[1],"rb").read(); op=sys.argv[2]; a=int(sys.argv[3]); b=int(sys.argv[4]) if len(sys.argv)>4 else 0; al=int(sys.argv[5]) if len(sys.argv)>5 else 4
for o in range(0, len(d) - 3, al):
    v=struct.unpack_from("<I", d, o)[0]
    if (op=="eq" and v==a) or (op=="gt" and v>a) or (op=="lt" and v<a) or (op=="between" and a<=v<=b): print(hex(o))'
	run -0 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -T u32 1000 -f json </dev/null
	no_sanitizer
	assert_equal "$(hit_addrs <<<"$output")" "$(python3 -c "$ref" "$SD/a.raw" eq 1000)"
	assert_equal "$(jq -r 'select(.type == "hit") | "\(.vtype) \(.value) \(.pattern)"' <<<"$output" | sort -u)" "u32 1000 u32 eq 1000"
	run -0 mf-scan -c "raw:$SD/a.raw" --phys -T u32 --eq 1000 --align 1 -f json </dev/null
	assert_equal "$(hit_addrs <<<"$output")" "$(python3 -c "$ref" "$SD/a.raw" eq 1000 0 1)"
	assert_line --partial '"addr":"0x8021"'
	run -0 mf-scan -c "raw:$SD/a.raw" --phys -T u32 --lt 2000 -f json </dev/null
	assert_equal "$(hit_addrs <<<"$output")" "$(python3 -c "$ref" "$SD/a.raw" lt 2000)"
	run -0 mf-scan -c "raw:$SD/a.raw" --phys -T u32 --gt 0xfff00000 -f json </dev/null
	assert_equal "$(hit_addrs <<<"$output")" "$(python3 -c "$ref" "$SD/a.raw" gt $((0xfff00000)))"
	run -0 mf-scan -c "raw:$SD/a.raw" --phys -T u32 --between 999 1001 -f json </dev/null
	assert_equal "$(hit_addrs <<<"$output")" "$(python3 -c "$ref" "$SD/a.raw" between 999 1001)"
	assert_equal "$(hit_addrs <<<"$output" | grep -c '^0x800[048]$')" 3
	run -0 mf-scan -c "raw:$SD/a.raw" --phys -T f64 --between 2.4 2.6 -f json </dev/null
	assert_line --partial '"addr":"0x9000"'
	assert_line --partial '"value":2.5'
	run -0 mf-scan -c "raw:$SD/a.raw" --phys -T i8 --eq -128 --max-hits 1 -f json </dev/null
	assert_equal "$(jq -r 'select(.type == "hit") | .value' <<<"$output")" -128
	# nothing found: exit 1, like grep
	run -1 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -s 'no such string here' -f json </dev/null
	assert_equal "$(jq -r .type <<<"$output")" target
}

@test "mf-scan -T: negative values are values, not options (scans, --between, rescans)" {
	python3 -c '
import struct, sys
b = bytearray(4096)
struct.pack_into("<iii", b, 0x10, -5, -7, -12)
struct.pack_into("<d", b, 0x20, -1.5)
struct.pack_into("<q", b, 0x40, -16)
open(sys.argv[1], "wb").write(b)' "$BATS_TEST_TMPDIR/neg.raw"
	local raw=raw:$BATS_TEST_TMPDIR/neg.raw
	run -0 --separate-stderr mf-scan -c "$raw" --phys -T i32 -5 -f json </dev/null
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "hit") | "\(.addr) \(.value) \(.pattern)"' <<<"$output")" "0x10 -5 i32 eq -5"
	# the value before the options, hex, a fraction without a leading digit
	run -0 mf-scan -5 -c "$raw" --phys -T i32 -f json </dev/null
	assert_equal "$(hit_addrs <<<"$output")" 0x10
	run -0 mf-scan -c "$raw" --phys -T i64 -0x10 -f json </dev/null
	assert_equal "$(hit_addrs <<<"$output")" 0x40
	run -0 mf-scan -c "$raw" --phys -T f64 -1.5 -q -f json </dev/null
	assert_equal "$(jq -r 'select(.type == "hit") | "\(.addr) \(.value)"' <<<"$output")" "0x20 -1.5"
	run -1 mf-scan -c "$raw" --phys -T f64 -.5 -f json </dev/null
	refute_output --partial '"type":"hit"'
	run -0 mf-scan -c "$raw" --phys -T i32 --between -10 -5 -f json </dev/null
	assert_equal "$(hit_addrs <<<"$output" | tr '\n' ' ')" "0x10 0x14 "
	# a live process: scan for its i32 (-123456) and f32 (-1.5), write -5 with mf-read,
	# rescan with negative values
	start_memtarget
	run -0 --separate-stderr mf-scan -p "$mt_pid" -T i32 -123456 -f json </dev/null
	no_sanitizer
	assert_line --partial "\"addr\":\"$mt_i32\""
	run -0 mf-scan -p "$mt_pid" -T f32 -1.5 -f json </dev/null
	assert_line --partial "\"addr\":\"$mt_f32\""
	mf-scan -p "$mt_pid" -T i32 --between -123457 -123455 -f msgpack </dev/null >"$BATS_TEST_TMPDIR/n1"
	mf-read -p "$mt_pid" -T i32 --write -5 "$mt_i32" </dev/null
	run -0 --separate-stderr bash -c "mf-scan --rescan eq -5 -f json <'$BATS_TEST_TMPDIR/n1'"
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "hit") | "\(.addr) \(.value)"' <<<"$output")" "$mt_i32 -5"
	run -0 bash -c "mf-scan --rescan between -10 -5 -f json <'$BATS_TEST_TMPDIR/n1' | jq -r 'select(.type == \"hit\") | .addr'"
	assert_output "$mt_i32"
	run -0 bash -c "mf-scan --rescan gt -6 -f json <'$BATS_TEST_TMPDIR/n1' | jq -r 'select(.type == \"hit\") | .addr'"
	assert_output "$mt_i32"
	run -1 --separate-stderr bash -c "mf-scan --rescan lt -5 -f json <'$BATS_TEST_TMPDIR/n1'"
	refute_output --partial '"type":"hit"'
	stop_memtarget
}

@test "mf-scan -T u64: value is a \"0x...\" string in JSON whatever its size; rescans read older streams' numbers" {
	python3 -c '
import struct, sys
b = bytearray(4096)
struct.pack_into("<QQ", b, 0x40, 1000, 0xfffffffffffffff0)
open(sys.argv[1], "wb").write(b)' "$BATS_TEST_TMPDIR/u64.raw"
	local raw=raw:$BATS_TEST_TMPDIR/u64.raw
	run -0 --separate-stderr mf-scan -c "$raw" --phys -T u64 --gt 999 -f json </dev/null
	no_sanitizer
	assert_equal "$(jq -c 'select(.type == "hit") | [.addr, .value]' <<<"$output")" \
		"$(printf '%s\n' '["0x40","0x3e8"]' '["0x48","0xfffffffffffffff0"]')"
	# mf-read's typed values the same
	run -0 --separate-stderr mf-read -c "$raw" --phys -T u64 -N 2 -f json 0x40 </dev/null
	assert_equal "$(jq -r 'select(.type == "value") | .value | type' <<<"$output" | sort -u)" string
	# a stream of an older mf-scan (a number when small, a string when large) still rescans
	run -0 --separate-stderr bash -c "printf '%s\n' \
		'{\"type\":\"hit\",\"space\":\"phys\",\"addr\":\"0x40\",\"len\":8,\"vtype\":\"u64\",\"value\":1000}' \
		'{\"type\":\"hit\",\"space\":\"phys\",\"addr\":\"0x48\",\"len\":8,\"vtype\":\"u64\",\"value\":\"0xfffffffffffffff0\"}' |
		mf-scan --rescan unchanged -c '$raw' -f json"
	no_sanitizer
	assert_equal "$(jq -c 'select(.type == "hit") | [.addr, .value]' <<<"$output")" \
		"$(printf '%s\n' '["0x40","0x3e8"]' '["0x48","0xfffffffffffffff0"]')"
	# and a new stream rescans too
	mf-scan -c "$raw" --phys -T u64 --gt 999 -f json </dev/null >"$BATS_TEST_TMPDIR/u64.json"
	run -0 bash -c "mf-scan --rescan eq 1000 -f json <'$BATS_TEST_TMPDIR/u64.json' | jq -r 'select(.type == \"hit\") | .addr'"
	assert_output 0x40
}

@test "mf-scan --phys of a LiME file: addresses of both ranges, nothing from the hole" {
	run -0 --separate-stderr mf-scan -c "$SD/b.lime" --phys -s MFSCAN01 --chunk 64K -f json </dev/null
	no_sanitizer
	local want
	want=$( (python3 -c "import sys; sys.stdout.buffer.write(open(sys.argv[1],'rb').read()[:0x20000])" "$SD/a.raw" >"$SD/r1"
		python3 -c "import sys; sys.stdout.buffer.write(open(sys.argv[1],'rb').read()[0x20000:0x40000])" "$SD/a.raw" >"$SD/r2"
		ref_offsets "$SD/r1" MFSCAN01 0; ref_offsets "$SD/r2" MFSCAN01 0x100000))
	assert_equal "$(hit_addrs <<<"$output")" "$want"
	assert_equal "$(hit_addrs <<<"$output" | tr '\n' ' ')" "0x0 0x1000 0xfffd 0x10fff9 "
}

@test "mf-scan: raw, LiME and ELF dumps are scanned in place, kdump by copy, with the same hits" {
	local d=$BATS_TEST_TMPDIR f want
	head -c 1048576 "$SD/a.raw" >"$d/m.raw"
	want=$(ref_offsets "$d/m.raw" 'MFSCAN01|\x4d\x46.\x43' | sort -u)
	mf-dump -q -c "raw:$d/m.raw" -F lime -o "$d/m.lime"
	mf-dump -q -c "raw:$d/m.raw" -F elf -o "$d/m.elf"
	mf-dump -q -c "raw:$d/m.raw" -F kdump -o "$d/m.kdump"
	for f in "raw:$d/m.raw" "$d/m.lime" "$d/m.elf" "$d/m.kdump"; do
		run -0 --separate-stderr mf-scan -c "$f" --phys -s MFSCAN01 -x '4d 46 ?? 43' --chunk 64K -f json -v </dev/null
		no_sanitizer
		assert_equal "$(hit_addrs <<<"$output" | sort -u)" "$want"
		if [[ $f == *.kdump ]]; then
			[[ $stderr == *"scanned 1048576 bytes"*"; 0 in place, not copied"* ]] || fail "$f: copied: $stderr"
		else
			[[ $stderr == *"scanned 1048576 bytes"*"; 1048576 in place, not copied"* ]] || fail "$f: not in place: $stderr"
		fi
	done
}

@test "mf-scan: a dump file that shrinks while it is scanned in place is a one-line error, exit 1" {
	local d=$BATS_TEST_TMPDIR
	python3 -c "import sys; open(sys.argv[1], 'wb').write(b'A' * (64 << 20))" "$d/shrink.raw"
	# every byte a hit: the scan stalls on the pipe nobody reads yet, with chunks mapped
	# ahead; the file loses them, then the pipe drains
	{ rc=0; mf-scan -c "raw:$d/shrink.raw" --phys -s AAAA -f msgpack 2>"$d/err" || rc=$?; echo "$rc" >"$d/rc"; } 3>&- |
		{ sleep 2; cat >/dev/null; } 3>&- &
	sleep 1
	truncate -s 4096 "$d/shrink.raw"
	wait
	assert_equal "$(cat "$d/rc")" 1
	assert_equal "$(cat "$d/err")" "mf-scan: cannot read raw:$d/shrink.raw: the file became shorter while it was scanned"
}

@test "mf-scan over the third-party LiME slice matches a python reference" {
	local f=$THIRD_PARTY/deb-x86_64-slice.lime
	require_file "$f"
	run -0 --separate-stderr mf-scan -c "$f" --phys -s __func__ -x '2e ?? 00' -f json </dev/null
	no_sanitizer
	local want
	want=$(python3 - "$f" <<'EOF'
import re, struct, sys
d = open(sys.argv[1], 'rb').read(); o = 0; hits = []
while o + 32 <= len(d):
    magic, ver, s, e, _ = struct.unpack_from('<IIQQQ', d, o)
    assert magic == 0x4C694D45
    n = e - s + 1; data = d[o + 32:o + 32 + n]
    for rx in (b'__func__', rb'\x2e.\x00'):
        hits += [(s + m.start(), rx) for m in re.finditer(b'(?=' + rx + b')', data, re.S)]
    o += 32 + n
for a, rx in sorted(hits, key=lambda h: (h[0], h[1] != rb'\x2e.\x00')):
    print(hex(a))
EOF
)
	[[ -n $want ]] || fail "the reference found nothing"
	assert_equal "$(hit_addrs <<<"$output")" "$want"
}

@test "mf-scan -p: strings and values in a live process; rescans after mf-read --write" {
	start_memtarget
	run -0 --separate-stderr mf-scan -p "$mt_pid" -s mftools-memtarget-7f3a9c -f json </dev/null
	no_sanitizer
	assert_line --partial "\"addr\":\"$mt_str\""
	assert_equal "$(jq -r 'select(.type == "hit") | "\(.space) \(.pid)"' <<<"$output" | sort -u)" "process $mt_pid"
	# the process record on stdin selects it
	run -0 --separate-stderr bash -c "mf-ps -p $mt_pid </dev/null | mf-scan -s mftools-memtarget-7f3a9c -f json"
	assert_line --partial "\"addr\":\"$mt_str\""
	# typed: the u32 0xdeadbeef; then change it and rescan
	mf-scan -p "$mt_pid" -T u32 0xdeadbeef -f msgpack </dev/null >"$BATS_TEST_TMPDIR/h1"
	run -0 bash -c "mf-scan --rescan unchanged -f json <'$BATS_TEST_TMPDIR/h1'"
	assert_line --partial "\"addr\":\"$mt_u32\""
	mf-read -p "$mt_pid" -T u32 --write 1000 "$mt_u32" </dev/null
	run -0 --separate-stderr bash -c "mf-scan --rescan decreased -f json <'$BATS_TEST_TMPDIR/h1'"
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "hit") | "\(.addr) \(.value) \(.vtype) \(.data)"' <<<"$output")" \
		"$mt_u32 1000 u32 e8030000"
	# nothing increased: exit 1 (no hits), not a failure, and no hit record
	run -1 --separate-stderr bash -c "mf-scan --rescan increased -f json <'$BATS_TEST_TMPDIR/h1'"
	refute_output --partial '"type":"hit"'
	# chained: decreased, then eq 1000, then after another write, changed / gt
	mf-scan --rescan decreased <"$BATS_TEST_TMPDIR/h1" >"$BATS_TEST_TMPDIR/h2"
	run -0 bash -c "mf-scan --rescan eq 1000 <'$BATS_TEST_TMPDIR/h2' | mf-scan --rescan unchanged -f json | jq -r 'select(.type == \"hit\") | .addr'"
	assert_output "$mt_u32"
	mf-read -p "$mt_pid" -T u32 --write 1500 "$mt_u32" </dev/null
	run -0 bash -c "mf-scan --rescan changed -f json <'$BATS_TEST_TMPDIR/h2' | jq -r 'select(.type == \"hit\") | \"\(.addr) \(.value)\"'"
	assert_output "$mt_u32 1500"
	run -0 bash -c "mf-scan --rescan between 1400 1600 -f json <'$BATS_TEST_TMPDIR/h2' | jq -r 'select(.type == \"hit\") | .addr'"
	assert_output "$mt_u32"
	# a string hit: unchanged until its bytes change
	mf-scan -p "$mt_pid" -s mftools-memtarget -f msgpack </dev/null >"$BATS_TEST_TMPDIR/s1"
	mf-read -p "$mt_pid" --write '4d' "$mt_str" </dev/null
	run -0 bash -c "mf-scan --rescan changed -f json <'$BATS_TEST_TMPDIR/s1' | jq -r 'select(.type == \"hit\") | .addr'"
	assert_output "$mt_str"
	run -1 --separate-stderr bash -c "mf-scan --rescan increased <'$BATS_TEST_TMPDIR/s1'"
	assert_stderr --partial "needs typed hits"
	stop_memtarget
}

@test "mf-scan: a piped process that exited is one warning; rescans of several processes" {
	start_memtarget
	local p1=$mt_pid
	scan_p1=$p1
	mv "$BATS_TEST_TMPDIR/memtarget.out" "$BATS_TEST_TMPDIR/memtarget1.out"
	start_memtarget
	local p2=$mt_pid p2_u32=$mt_u32
	# hits of both processes in one stream: more than a rescan batch (4096) of the first
	mf-scan -p "$p1" -T u32 --lt 16 --max-hits 9000 -f json </dev/null >"$BATS_TEST_TMPDIR/h.json"
	assert_equal "$(grep -c '"type":"hit"' "$BATS_TEST_TMPDIR/h.json")" 9000
	mf-scan -p "$p2" -T u32 0xdeadbeef -f json </dev/null | grep '"type":"hit"' >>"$BATS_TEST_TMPDIR/h.json"
	mf-ps -p "$p1,$p2" -f msgpack </dev/null >"$BATS_TEST_TMPDIR/procs"
	# both alive: every hit is read again, each once
	run -0 --separate-stderr bash -c "mf-scan --rescan unchanged -f json <'$BATS_TEST_TMPDIR/h.json'"
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "hit") | .pid' <<<"$output" | sort | uniq -c | awk '{ print $1 }' | sort -n | tr '\n' ' ')" "1 9000 "
	assert_line --partial "\"addr\":\"$p2_u32\""
	kill "$p1"
	wait "$p1" 2>/dev/null || true
	# the first has exited: one warning, the second's hit, exit 0
	run -0 --separate-stderr bash -c "mf-scan --rescan unchanged -f json <'$BATS_TEST_TMPDIR/h.json'"
	no_sanitizer
	assert_stderr "mf-scan: warning: pid $p1 exited"
	assert_equal "$(jq -r 'select(.type == "hit") | "\(.pid) \(.addr)"' <<<"$output")" "$p2 $p2_u32"
	# a scan of the piped process records: the same
	run -0 --separate-stderr bash -c "mf-scan -T u32 0xdeadbeef -f json <'$BATS_TEST_TMPDIR/procs'"
	no_sanitizer
	assert_stderr "mf-scan: warning: pid $p1 exited"
	assert_equal "$(jq -r 'select(.type == "hit") | "\(.pid) \(.addr)"' <<<"$output")" "$p2 $p2_u32"
	stop_memtarget
	# every process exited: exit 1, a warning each
	run -1 --separate-stderr bash -c "mf-scan -T u32 0xdeadbeef -f json <'$BATS_TEST_TMPDIR/procs'"
	assert_equal "$(sort <<<"$stderr")" "$(printf 'mf-scan: warning: pid %s exited\n' "$p1" "$p2" | sort)"
	run -1 --separate-stderr bash -c "mf-scan --rescan unchanged -f json <'$BATS_TEST_TMPDIR/h.json'"
	assert_equal "$(sort <<<"$stderr")" "$(printf 'mf-scan: warning: pid %s exited\n' "$p1" "$p2" | sort)"
	# a pid given with -p is an error
	run -1 --separate-stderr mf-scan -p "$p1" -s x </dev/null
	assert_stderr --regexp "^mf-scan: cannot list the memory maps of pid $p1: "
}

@test "mf-scan --kernel needs physical memory and page tables" {
	run -1 --separate-stderr mf-scan --kernel -s x </dev/null
	no_sanitizer
	assert_stderr --regexp '^mf-scan: native has no physical memory'
}

@test "mf-scan bad input: one-line errors, right exit codes" {
	run -2 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -x '48 8g' </dev/null
	no_sanitizer
	assert_stderr --regexp "^mf-scan: invalid hex pattern '48 8g'"
	assert_equal "$(wc -l <<<"$stderr")" 1
	run -2 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -x '?? ??' </dev/null
	assert_stderr "mf-scan: invalid hex pattern '?? ??': only wildcards"
	run -2 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -T u33 1 </dev/null
	assert_stderr "mf-scan: unknown type 'u33' (u8 u16 u32 u64 i8 i16 i32 i64 f32 f64)"
	run -2 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -T u8 256 </dev/null
	assert_stderr "mf-scan: value '256' out of range for u8"
	run -2 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -T f32 abc </dev/null
	assert_stderr "mf-scan: invalid f32 value 'abc'"
	run -2 --separate-stderr mf-scan -c "raw:$SD/a.raw" -s x </dev/null
	assert_stderr --partial "no space to scan"
	# an empty range is a mistake, not "nothing found"
	run -2 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -T u32 --between 10 5 </dev/null
	assert_stderr "mf-scan: between 10 5: LOW is greater than HIGH"
	run -2 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -T i32 --between -5 -10 </dev/null
	assert_stderr "mf-scan: between -5 -10: LOW is greater than HIGH"
	run -0 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -T u32 --between 1000 1000 --max-hits 1 </dev/null
	run -2 --separate-stderr bash -c "mf-scan -c raw:$SD/a.raw --phys -T u32 1000 -f msgpack </dev/null | mf-scan --rescan between 1001 999"
	no_sanitizer
	assert_stderr "mf-scan: between 1001 999: LOW is greater than HIGH"
	run -2 --separate-stderr mf-scan --rescan sideways </dev/null
	assert_stderr --partial "unknown rescan mode 'sideways'"
	# a process that does not exist
	run -1 --separate-stderr mf-scan -p 2147483000 -s x </dev/null
	no_sanitizer
	assert_stderr --regexp '^mf-scan: cannot list the memory maps of pid 2147483000: '
	assert_equal "$(wc -l <<<"$stderr")" 1
	# garbage and truncated streams on stdin
	run -1 --separate-stderr bash -c "head -c 300 /dev/urandom | mf-scan --rescan changed -c raw:$SD/a.raw"
	no_sanitizer
	assert_stderr --regexp '^mf-scan: stdin: '
	run -1 --separate-stderr bash -c "mf-scan -c raw:$SD/a.raw --phys -s MFSCAN01 -f msgpack </dev/null | head -c 150 | mf-scan --rescan unchanged -f json"
	no_sanitizer
	assert_stderr --regexp '^mf-scan: stdin: .*byte'
	run -1 --separate-stderr bash -c "printf '%s\n' '{\"type\":\"hit\",\"space\":\"phys\",\"addr\":\"0x10\",\"len\":99999}' | mf-scan --rescan changed -c raw:$SD/a.raw -f json"
	no_sanitizer
	assert_stderr "mf-scan: stdin: hit record with len 99999 (1 to 4096)"
}

@test "mf-scan table output" {
	run -0 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -s MFSCAN01 --max-hits 1 -f table </dev/null
	no_sanitizer
	assert_line --index 0 --regexp '^ADDR +SPACE +PATTERN +DATA$'
	assert_line --index 1 --regexp '^0x0000000000000000 phys +MFSCAN01 +4d 46 53 43 41 4e 30 31 .*\|MFSCAN01'
}

@test "mf-scan -Y: the same string matches as yara -s, across chunk boundaries" {
	require_cmd yara
	mf-scan --help | grep -q -- '--yara' || skip "built without libyara"
	cat >"$BATS_TEST_TMPDIR/r.yar" <<'EOF2'
rule mfscan_marker {
  strings:
    $a = "MFSCAN01"
    $b = { 4d 46 53 43 ?? 00 00 01 }
    $w = "MFSCAN01" wide
  condition:
    any of them
}
rule mfscan_none {
  strings:
    $n = "no such string in the file"
  condition:
    $n
}
EOF2
	run -0 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -Y "$BATS_TEST_TMPDIR/r.yar" --chunk 64K -f json </dev/null
	no_sanitizer
	local got want
	got=$(jq -r 'select(.type == "hit") | "\(.addr):\(.rule):\(.string)"' <<<"$output" | sort)
	want=$(yara -s "$BATS_TEST_TMPDIR/r.yar" "$SD/a.raw" | awk '/^mfscan_/ { r = $1; next } { split($0, f, ":"); print f[1] ":" r ":" f[2] }' | sort)
	[[ -n $want ]] || fail "yara found nothing"
	assert_equal "$got" "$want"
	assert_equal "$(grep -c ':\$a$' <<<"$got")" 6
	# hits in address order
	run -0 bash -c "jq -r 'select(.type == \"hit\") | .addr' <<<'$output' | xargs printf '%d\n' | sort -c -n && echo sorted"
	assert_output sorted
	# a rule file that does not compile: one line naming the file and line
	printf 'rule broken {\n condition: $x\n}\n' >"$BATS_TEST_TMPDIR/bad.yar"
	run -1 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -Y "$BATS_TEST_TMPDIR/bad.yar" </dev/null
	no_sanitizer
	assert_stderr --regexp "^mf-scan: cannot compile .*/bad\.yar: .*bad\.yar:[0-9]+: undefined string"
	assert_equal "$(wc -l <<<"$stderr")" 1
}

@test "mf-scan -Y: odd-length strings matching often, rules without strings, includes only beside the rules" {
	require_cmd yara
	mf-scan --help | grep -q -- '--yara' || skip "built without libyara"
	local d=$BATS_TEST_TMPDIR/rules
	mkdir -p "$d/sub"
	# a 7-byte string (its match data leaves the next match misaligned in libyara's notebook)
	# matching six times, and a rule with no strings
	cat >"$d/sub/odd.yar" <<'EOF2'
rule odd7 {
  strings:
    $o = "MFSCAN0"
  condition:
    $o
}
EOF2
	printf 'include "odd.yar"\nrule always {\n  condition:\n    true\n}\n' >"$d/sub/main.yar"
	run -0 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -Y "$d/sub/main.yar" --chunk 64K -f json </dev/null
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "hit" and .rule == "odd7") | "\(.addr):\(.len):\(.string)"' <<<"$output")" \
		"$(yara -s "$d/sub/odd.yar" "$SD/a.raw" | awk -F: '/^0x/ { print $1 ":7:" $2 }')"
	assert_equal "$(jq -r 'select(.type == "hit" and .rule == "odd7") | .addr' <<<"$output" | wc -l)" 6
	# the rule without strings: one hit over the scanned range, no string
	assert_equal "$(jq -c 'select(.type == "hit" and .rule == "always") | [.addr, .len, .string]' <<<"$output")" \
		"[\"0x0\",$(stat -c %s "$SD/a.raw"),null]"
	# alone it is a hit too: exit 0; over a LiME file, one per range
	printf 'rule always { condition: true }\n' >"$d/always.yar"
	run -0 --separate-stderr mf-scan -c "$SD/b.lime" --phys -Y "$d/always.yar" --chunk 64K -f json </dev/null
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "hit") | "\(.addr) \(.len) \(.rule)"' <<<"$output")" \
		"$(printf '0x0 %d always\n0x100000 %d always' $((0x20000)) $((0x20000)))"
	# includes: relative to the rules file's directory, nothing outside it
	printf 'include "../always.yar"\n' >"$d/sub/up.yar"
	run -1 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -Y "$d/sub/up.yar" </dev/null
	no_sanitizer
	assert_stderr --regexp "^mf-scan: cannot compile .*/sub/up\.yar: .*include '\.\./always\.yar' refused: only files in .*/sub$"
	printf 'include "/etc/passwd"\n' >"$d/sub/abs.yar"
	run -1 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -Y "$d/sub/abs.yar" </dev/null
	assert_stderr --regexp "include '/etc/passwd' refused"
	ln -s /etc/passwd "$d/sub/link.yar"
	printf 'include "link.yar"\n' >"$d/sub/ln.yar"
	run -1 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -Y "$d/sub/ln.yar" </dev/null
	assert_stderr --regexp "include 'link\.yar' refused"
	assert_equal "$(wc -l <<<"$stderr")" 1
	printf 'include "missing.yar"\n' >"$d/sub/miss.yar"
	run -1 --separate-stderr mf-scan -c "raw:$SD/a.raw" --phys -Y "$d/sub/miss.yar" </dev/null
	assert_stderr --regexp "cannot include 'missing\.yar': No such file or directory$"
}

# scan_exits_midway SOURCE: mf-scan -T u8 0 of a fresh mf-memtarget (SOURCE "-p": by -p PID,
# "piped": its mf-ps record on stdin) that is killed in the middle of the scan; sets pid,
# status, output (mf-scan's stderr) and leaves the hits read before the exit in $out.
# -T u8 0 matches every byte of the 256 MiB zero mapping: far more output than the pipe holds,
# so mf-scan is blocked mid-scan until the reader has taken 256 KiB; only then is the process
# killed, and the rest of its regions (and chunks) cannot be read.
scan_exits_midway() {
	start_memtarget
	pid=$mt_pid out=$BATS_TEST_TMPDIR/mid.out
	local err=$BATS_TEST_TMPDIR/mid.err scan="mf-scan -p $pid"
	if [[ $1 == piped ]]; then
		mf-ps -p "$pid" -f msgpack </dev/null >"$BATS_TEST_TMPDIR/mid.proc"
		scan="mf-scan <'$BATS_TEST_TMPDIR/mid.proc'"
	else
		scan+=" </dev/null"
	fi
	run bash -c "set -o pipefail; $scan -T u8 0 --threads 1 -f msgpack 2>'$err' |
		{ head -c 262144 >'$out'; kill $pid; cat >>'$out'; }"
	status_scan=$status
	wait "$pid" 2>/dev/null || true
	mt_pid=
	run cat "$err"
	status=$status_scan
	no_sanitizer
	# what was read before the exit is a valid stream of hits
	assert [ "$(stat -c %s "$out")" -gt 262144 ]
	assert_equal "$(mf-cat -f json "$out" | jq -r 'select(.type == "hit") | .value' | sort -u)" "0"
}

@test "mf-scan: a process that exits in the middle of the scan is one line, and the hits read before it are kept" {
	# piped in: a warning, exit 0 (hits were found)
	scan_exits_midway piped
	assert_equal "$status" 0
	assert_output "mf-scan: warning: pid $pid exited"
	# named by -p: an error (the user asked for it), once, exit 1
	scan_exits_midway -p
	assert_equal "$status" 1
	assert_output --regexp "^mf-scan: cannot read 0x[0-9a-f]+ in pid $pid: process $pid exited$"
}
