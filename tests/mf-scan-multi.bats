#!/usr/bin/env bats
# mf-scan -F: a list of 1,000 random 12-byte strings and hex patterns, a needle and
# wildcard patterns, all found in one Hyperscan pass over an 8 MiB file, checked against a
# python reference; the list's syntax and its errors.
load test_helper
load tools_helper

setup_file() {
	export MD=$BATS_FILE_TMPDIR/multi
	mkdir -p "$MD"
	# mostly zeros with random and text stretches; 30 list entries and the needle planted,
	# some across the 64 KiB chunk and 256 KiB window seams, one at the very end
	python3 - "$MD" <<'EOF2'
import random, sys
d = sys.argv[1]
r = random.Random(13)
size = 8 << 20
b = bytearray(size)
for i in range(0, size, 1 << 20):
    b[i + 8192:i + 8192 + 65536] = bytes(r.getrandbits(8) for _ in range(65536))
    b[i + 200000:i + 200000 + 4400] = b'the quick brown fox jumps over the lazy dog ' * 100
al = b'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
lines = ['# an IOC list: text, hex: and { } lines', '']
pats = []                                          # (line number, bytes or None, regex or None)
for i in range(1000):
    if i % 2:
        s = bytes(r.choice(al) for _ in range(12))
        lines.append(s.decode())
    else:
        s = bytes(r.getrandbits(8) for _ in range(12))
        lines.append('hex:' + ' '.join('%02x' % c for c in s))
    pats.append((len(lines), s, None))
needle = b'MF-NEEDLE-42'
lines.append('str:' + needle.decode()); pats.append((len(lines), needle, None))
lines.append('{ 4d 46 2d ?? 45 45 }'); pats.append((len(lines), None, rb'MF-.EE'))
lines.append('hex:00 00 00 4d 46'); pats.append((len(lines), bytes.fromhex('000000 4d46'), None))
open(d + '/list.txt', 'w').write('\n'.join(lines) + '\n')
spots = [0x10000 - 5, 0x40000 - 14, 0x40000 - 1, 0x123456, 0x200000 - 6, 0x300000, 0x7fff00, size - 12]
for k in range(30):
    s = pats[r.randrange(1000)][1]
    off = r.choice([0x10000 * r.randrange(1, 128) - r.randrange(1, 12), r.randrange(0, size - 12)])
    b[off:off + 12] = s
for off in spots:
    b[off:off + 12] = needle
open(d + '/m.raw', 'wb').write(b)
# the reference: every start of every pattern, overlapping
import re
out = []
for line, s, rx in pats:
    if rx is not None:
        out += [(m.start(), line) for m in re.finditer(b'(?=' + rx + b')', b, re.S)]
        continue
    i = b.find(s)
    while i >= 0:
        out.append((i, line))
        i = b.find(s, i + 1)
# in mf-scan's order: by address, then by the pattern's place in the list
open(d + '/want', 'w').write(''.join('%s list.txt:%d\n' % (hex(a), l) for a, l in sorted(out)))
EOF2
}

teardown() {
	stop_memtarget
}

require_hs() {
	run mf-scan -c "raw:$MD/m.raw" --phys -F "$MD/list.txt" --max-hits 1 </dev/null
	[[ $output != *"needs Hyperscan"* ]] || skip "built without Hyperscan"
}

@test "mf-scan -F: 1,000 strings and hex patterns, a needle and wildcards in one pass, as the python reference finds them" {
	require_hs
	cd "$MD"
	run -0 --separate-stderr mf-scan -c raw:m.raw --phys -F list.txt -f json </dev/null
	no_sanitizer
	local got want all=$output
	got=$(jq -r 'select(.type == "hit") | "\(.addr) \(.source)"' <<<"$output")
	want=$(cat want)
	assert_equal "$(grep -c 'list.txt:1003$' <<<"$want")" 8     # the needle, planted 8 times
	[[ $(wc -l <<<"$want") -gt 40 ]] || fail "the reference found too little: $want"
	assert_equal "$got" "$want"
	# each hit names its pattern as written and its line
	run -0 bash -c "jq -r 'select(.type == \"hit\" and .source == \"list.txt:1003\") | \"\(.pattern) \(.len)\"' <<<'$output' | sort -u"
	assert_output "str:MF-NEEDLE-42 12"
	# small chunks and one thread: seams everywhere, the same hits
	run -0 mf-scan -c raw:m.raw --phys -F list.txt --chunk 64K --threads 1 -f json </dev/null
	assert_equal "$output" "$all"
	run -0 mf-scan -c raw:m.raw --phys -F list.txt --chunk 4K --threads 3 -f json </dev/null
	assert_equal "$output" "$all"
}

@test "mf-scan -F with -s and -x, --max-hits, and its table" {
	require_hs
	cd "$MD"
	printf 'MF-NEEDLE-42\n' >one.txt
	run -0 --separate-stderr mf-scan -c raw:m.raw --phys -F one.txt -s 'quick brown' -x '00 00 00 4d 46' -f json </dev/null
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "hit" and .pattern == "quick brown") | .addr' <<<"$output" | wc -l)" 800
	assert_equal "$(jq -r 'select(.type == "hit" and .pattern == "00 00 00 4d 46") | .addr' <<<"$output")" \
		"$(grep 'list.txt:1005$' want | cut -d' ' -f1)"
	# -s and -x hits name no list line
	assert_equal "$(jq -r 'select(.type == "hit" and .source != null) | .source' <<<"$output" | sort -u)" "one.txt:1"
	run -0 mf-scan -c raw:m.raw --phys -F list.txt --max-hits 3 -f json </dev/null
	assert_equal "$(jq -r 'select(.type == "hit") | .addr' <<<"$output")" "$(head -n3 want | cut -d' ' -f1)"
	# a hit limit below a chunk's hits: the chunk is scanned in parts, split at window ends
	run -0 mf-scan -c raw:m.raw --phys -F list.txt --max-hits 45 -f json </dev/null
	assert_equal "$(jq -r 'select(.type == "hit") | "\(.addr) \(.source)"' <<<"$output")" "$(head -n45 want)"
	run -0 --separate-stderr mf-scan -c raw:m.raw --phys -F one.txt --max-hits 1 -f table </dev/null
	assert_line --index 1 --regexp '^0x000000000000fffb phys +MF-NEEDLE-42 +4d 46 2d 4e'
}

@test "mf-scan -F bad lists: one line naming the file and line, usage exit codes" {
	require_hs
	cd "$MD"
	printf 'good\n# comment\nhex:4d 5x\n' >bad.txt
	run -2 --separate-stderr mf-scan -c raw:m.raw --phys -F bad.txt </dev/null
	no_sanitizer
	assert_stderr --regexp "^mf-scan: bad.txt:3: invalid hex pattern '4d 5x'"
	assert_equal "$(wc -l <<<"$stderr")" 1
	printf '{ ?? ?? }\n' >wild.txt
	run -2 --separate-stderr mf-scan -c raw:m.raw --phys -F wild.txt </dev/null
	assert_stderr --regexp "^mf-scan: wild.txt:1: invalid hex pattern ' \?\? \?\? ': only wildcards"
	printf '# nothing\n\n' >empty.txt
	run -2 --separate-stderr mf-scan -c raw:m.raw --phys -F empty.txt </dev/null
	assert_stderr --regexp "^mf-scan: empty.txt: no patterns"
	run -1 --separate-stderr mf-scan -c raw:m.raw --phys -F no-such.txt </dev/null
	assert_stderr --regexp "^mf-scan: cannot open no-such.txt: No such file"
	printf 'a\0b\n' >nul.txt
	run -2 --separate-stderr mf-scan -c raw:m.raw --phys -F nul.txt </dev/null
	assert_stderr --regexp "^mf-scan: nul.txt:1: a NUL byte"
	run -2 --separate-stderr mf-scan -c raw:m.raw --phys -F one.txt -T u32 5 </dev/null
	assert_stderr --partial "-T excludes -x, -s and -F"
	# a line too long for a pattern
	python3 -c "print('x' * 5000)" >long.txt
	run -2 --separate-stderr mf-scan -c raw:m.raw --phys -F long.txt </dev/null
	no_sanitizer
	assert_stderr --regexp "^mf-scan: long.txt:1: string pattern longer than 4096 bytes"
}

@test "mf-scan -F keeps the compiled database: the next run loads it; a damaged or foreign one is compiled again" {
	require_hs
	cd "$MD"
	local d=$BATS_TEST_TMPDIR/c/hs all f size
	all=$(mf-scan -c raw:m.raw --phys -F list.txt -f json </dev/null)
	# the first run compiles and keeps it (the directories made, 0700)
	MF_CACHE_DIR=$d run -0 --separate-stderr mf-scan -c raw:m.raw --phys -F list.txt -f json -v </dev/null
	no_sanitizer
	assert_equal "$output" "$all"
	f=$(ls "$d"/hs-*.db)
	assert_stderr --partial "mf-scan: the Hyperscan database kept in $f"
	assert_equal "$(stat -c %a "$d") $(stat -c %a "$BATS_TEST_TMPDIR/c") $(stat -c %a "$f")" "700 700 600"
	size=$(stat -c %s "$f")
	# the next loads it, and finds the same
	MF_CACHE_DIR=$d run -0 --separate-stderr mf-scan -c raw:m.raw --phys -F list.txt -f json -v </dev/null
	assert_equal "$output" "$all"
	assert_stderr --partial "mf-scan: the Hyperscan database from the cache: $f"
	[[ $stderr != *"kept in"* ]] || fail "compiled again: $stderr"
	# another list is another file
	MF_CACHE_DIR=$d run -0 mf-scan -c raw:m.raw --phys -F one.txt -f json </dev/null
	assert_equal "$(ls "$d"/hs-*.db | wc -l)" 2
	# damaged: cut short, a flipped byte in the database (its CRC), a flipped byte in the key
	for damage in "truncate -s $((size / 2))" "flip $((size - 100))" "flip 20"; do
		case $damage in
		flip*) python3 -c "import sys; f = open(sys.argv[1], 'r+b'); f.seek(int(sys.argv[2])); b = f.read(1); f.seek(-1, 1); f.write(bytes([b[0] ^ 0x55]))" "$f" "${damage#flip }" ;;
		*) $damage "$f" ;;
		esac
		MF_CACHE_DIR=$d run -0 --separate-stderr mf-scan -c raw:m.raw --phys -F list.txt -f json -v </dev/null
		assert_equal "$output" "$all"
		assert_stderr --partial "mf-scan: $f is damaged or not this pattern set's Hyperscan database: compiled again"
		assert_stderr --partial "kept in $f"
		assert_equal "$(stat -c %s "$f")" "$size"
	done
	# foreign: another list's database under this list's name finds this list's hits
	cp "$(ls "$d"/hs-*.db | grep -v "$f")" "$f"
	MF_CACHE_DIR=$d run -0 --separate-stderr mf-scan -c raw:m.raw --phys -F list.txt -f json -v </dev/null
	assert_equal "$output" "$all"
	assert_stderr --partial "compiled again"
	# a directory that cannot be made: said at -v, the scan goes on
	touch "$BATS_TEST_TMPDIR/file"
	MF_CACHE_DIR=$BATS_TEST_TMPDIR/file/hs run -0 --separate-stderr mf-scan -c raw:m.raw --phys -F list.txt -f json -v </dev/null
	assert_equal "$output" "$all"
	assert_stderr --regexp "mf-scan: cannot keep the Hyperscan database in $BATS_TEST_TMPDIR/file/hs/hs-[0-9a-f]{16}\.db: Not a directory"
	# no file anywhere when MF_CACHE_DIR is empty, or relative (said at -v)
	HOME=$BATS_TEST_TMPDIR/h XDG_CACHE_HOME= MF_CACHE_DIR= run -0 mf-scan -c raw:m.raw --phys -F list.txt -f json </dev/null
	HOME=$BATS_TEST_TMPDIR/h MF_CACHE_DIR=rel run -0 --separate-stderr mf-scan -c raw:m.raw --phys -F list.txt -f json -v </dev/null
	assert_stderr --partial "mf-scan: ignoring the relative MF_CACHE_DIR 'rel': no Hyperscan cache"
	[[ ! -e $BATS_TEST_TMPDIR/h && ! -e rel ]] || fail "a cache was written: $(ls -R "$BATS_TEST_TMPDIR/h" rel 2>&1)"
	# unset: $XDG_CACHE_HOME/mftools, else $HOME/.cache/mftools
	env -u MF_CACHE_DIR XDG_CACHE_HOME="$BATS_TEST_TMPDIR/x" mf-scan -c raw:m.raw --phys -F one.txt -f json </dev/null >/dev/null
	ls "$BATS_TEST_TMPDIR"/x/mftools/hs-*.db
	env -u MF_CACHE_DIR -u XDG_CACHE_HOME HOME="$BATS_TEST_TMPDIR/h" mf-scan -c raw:m.raw --phys -F one.txt -f json </dev/null >/dev/null
	ls "$BATS_TEST_TMPDIR"/h/.cache/mftools/hs-*.db
}

@test "mf-scan -F and -Y with their module missing: one line, exit 1, nothing on stdout" {
	require_hs
	cd "$MD"
	printf 'rule r { strings: $a = "MF-NEEDLE-42" condition: $a }\n' >one.yar
	MF_MODULE_DIR=$MD/none run -1 --separate-stderr mf-scan -c raw:m.raw --phys -F list.txt </dev/null
	assert_stderr "mf-scan: cannot load Hyperscan support: $MD/none/mf-scan-hs.so: cannot open shared object file: No such file or directory"
	assert_output ""
	MF_MODULE_DIR=$MD/none run -1 --separate-stderr mf-scan -c raw:m.raw --phys -Y one.yar </dev/null
	assert_stderr "mf-scan: cannot load YARA support: $MD/none/mf-scan-yara.so: cannot open shared object file: No such file or directory"
	assert_output ""
	# not a shared object; another module under its name (no scan_hs_module in it)
	mkdir -p "$MD/bad"
	echo text >"$MD/bad/mf-scan-hs.so"
	MF_MODULE_DIR=$MD/bad run -1 --separate-stderr mf-scan -c raw:m.raw --phys -F list.txt </dev/null
	assert_stderr "mf-scan: cannot load Hyperscan support: $MD/bad/mf-scan-hs.so: file too short"
	assert_equal "$(wc -l <<<"$stderr")" 1
	cp "$MF_MODULE_DIR/mf-scan-pcap.so" "$MD/bad/mf-scan-hs.so"
	MF_MODULE_DIR=$MD/bad run -1 --separate-stderr mf-scan -c raw:m.raw --phys -F list.txt </dev/null
	assert_stderr "mf-scan: cannot load Hyperscan support: $MD/bad/mf-scan-hs.so is not this mf-scan's module (scan_hs_module missing)"
}

@test "mf-scan -Y on every thread: the same matches as yara -s over the 8 MiB file, at any chunk size" {
	require_cmd yara
	mf-scan --help | grep -q -- '--yara' || skip "built without libyara"
	cd "$MD"
	{
		echo 'rule needles { strings:'
		echo '  $n = "MF-NEEDLE-42"'
		echo '  $w = { 4d 46 2d ?? 45 45 }'
		sed -n '3,40p' list.txt | grep -v '^hex:' | awk '{ printf "  $s%d = \"%s\"\n", NR, $0 }'
		echo 'condition: any of them }'
	} >r.yar
	local want got c
	want=$(yara -s r.yar m.raw | awk '/^needles / { next } { split($0, f, ":"); print f[1] ":" f[2] }' | sort)
	[[ $(wc -l <<<"$want") -ge 16 ]] || fail "yara found too little: $want"
	for c in 16M 64K; do
		run -0 --separate-stderr mf-scan -c raw:m.raw --phys -Y r.yar --chunk "$c" --threads 4 -f json </dev/null
		no_sanitizer
		got=$(jq -r 'select(.type == "hit") | "\(.addr):\(.string)"' <<<"$output" | sort)
		assert_equal "$got" "$want"
	done
}

@test "mf-scan -F over a live process: the list's string at its address, its hits rescanned" {
	require_hs
	start_memtarget
	printf '# memtarget\nmftools-memtarget-7f3a9c\nhex:ef be ad de\n' >"$BATS_TEST_TMPDIR/mt.txt"
	run -0 --separate-stderr mf-scan -p "$mt_pid" -F "$BATS_TEST_TMPDIR/mt.txt" -f json </dev/null
	no_sanitizer
	assert_equal "$(jq -r "select(.type == \"hit\" and .addr == \"$mt_str\") | .source" <<<"$output")" \
		"$BATS_TEST_TMPDIR/mt.txt:2"
	assert_equal "$(jq -r "select(.type == \"hit\" and .addr == \"$mt_u32\") | .pattern" <<<"$output")" "hex:ef be ad de"
	# the hits go through a rescan with their source (a context as long as the string: a
	# rescan compares the hit's data)
	run -0 bash -c "mf-scan -p $mt_pid -F '$BATS_TEST_TMPDIR/mt.txt' --context 32 -f msgpack </dev/null | mf-scan --rescan unchanged -f json"
	assert_equal "$(jq -r "select(.type == \"hit\" and .addr == \"$mt_str\") | .source" <<<"$output")" \
		"$BATS_TEST_TMPDIR/mt.txt:2"
}
