#!/usr/bin/env bats
# Windows process minidumps against real ones: tests/win/mdself.exe (mingw-w64) runs under
# Wine 8 (64-bit), fills a buffer with a known pattern, starts a thread that spins with a
# known r12, prints its pid, threads, buffer, modules (EnumProcessModules +
# GetModuleInformation + GetModuleFileNameEx) and command line, then writes a minidump
# of itself with Wine's dbghelp (MiniDumpWriteDump: MiniDumpWithFullMemory, and
# MiniDumpNormal).  The minidump connector and os layer must report the same; the
# spinner's registers are read by gdb from the core mf-dump writes of the dump.  Broken
# variants (tests/minidump-variants.py) give one line, never a crash.  The parser's
# hostile inputs are tests/fuzz/fuzz-minidump.c.

load test_helper
load tools_helper
load wine_helper

MDSELF=$MF_TOP_BUILDDIR/tests/win/mdself.exe

# mdself.exe writes DIR/NAME.dmp (MODE full or normal); its output (CR removed) in DIR/NAME.out
mdself_dump() {
	local name=$1 mode=$2 dir=$BATS_FILE_TMPDIR
	# the server of the run before must be gone: a wine that starts while it shuts down
	# fails ("wine client error:0: recvmsg: Connection reset by peer")
	wineserver -w
	timeout 300 wine "$MDSELF" "Z:${dir//\//\\}\\$name.dmp" "$mode" >"$dir/$name.raw" 2>"$dir/$name.err" 3>&- ||
		fail "mdself.exe $mode failed under Wine: $(tail -n 3 "$dir/$name.raw" "$dir/$name.err")"
	tr -d '\r' <"$dir/$name.raw" >"$dir/$name.out"
	grep -q '^dumped ' "$dir/$name.out" || fail "mdself.exe wrote no dump: $(tail -n 3 "$dir/$name.out")"
}

setup_file() {
	wine_prefix
	[[ -r $MDSELF ]] || fail "tests/win/mdself.exe not built (needs x86_64-w64-mingw32-gcc: scripts/install-deps)"
	# the Windows environment inherits it: mf-ps --env must find it in the PEB
	MDSELF_MARK=mdself-env-mark-4711 mdself_dump full full
	mdself_dump normal normal
	mkdir -p "$BATS_FILE_TMPDIR/var"
	python3 "$MF_TOP_SRCDIR/tests/minidump-variants.py" "$BATS_FILE_TMPDIR/normal.dmp" "$BATS_FILE_TMPDIR/full.dmp" \
		"$BATS_FILE_TMPDIR/var" || fail "cannot write the broken variants"
	export WINEPREFIX WINEDEBUG
}

teardown_file() {
	wine_stop_all
}

# What the program printed of one kind (full or normal run), without the kind.
said() {
	awk -v k="$2" '$1 == k { sub(/^[^ ]* /, ""); print }' "$BATS_FILE_TMPDIR/$1.out"
}

dump() {
	echo "$BATS_FILE_TMPDIR/$1.dmp"
}

@test "minidump: a bare path picks the connector by its MDMP signature and the os layer with it" {
	run -0 --separate-stderr mf-attach -c "$(dump full)" -f json
	no_sanitizer
	run -0 jq -r '"\(.connector) \(.os) \(.hints.format) \(.hints.arch) \(.hints.pid)"' <<<"$output"
	assert_output "minidump minidump minidump-full x86_64 $(said full pid)"
	# the target record reopens it: the process again, with no -c
	mf-attach -c "file:$(dump normal)" -f msgpack >"$BATS_TEST_TMPDIR/t.rec"
	run -0 --separate-stderr mf-ps -t "$BATS_TEST_TMPDIR/t.rec" -f json
	assert_equal "$(jq -r 'select(.type == "process") | .pid' <<<"$output")" "$(said normal pid)"
}

@test "minidump: mf-ps shows the one process: MiscInfo's pid, the image, command line and environment from the PEB" {
	local pid
	pid=$(said full pid)
	run -0 --separate-stderr mf-ps -c "minidump:$(dump full)" -f json -v
	no_sanitizer
	assert_stderr --partial "minidump: PEB at 0x"
	run -0 jq -r 'select(.type == "process") | "\(.pid)|\(.name)|\(.path)|\(.cmdline)|\(.arch)"' <<<"$output"
	assert_output "$pid|mdself.exe|$(said full module | awk 'NR == 1 { print $3 }')|$(said full cmdline)|x86_64"
	run -0 --separate-stderr mf-ps -c "$(dump full)" --env -f json
	assert_equal "$(jq -r 'select(.type == "process") | .env.MDSELF_MARK' <<<"$output")" mdself-env-mark-4711
	# MiniDumpNormal holds no PEB: the name and path are the first module's
	run -0 --separate-stderr mf-ps -c "$(dump normal)" -f json -v
	assert_stderr --regexp "^mf-ps: minidump: the TEB at 0x[0-9a-f]+ is not in the dump: no PEB\$"
	run -0 jq -r 'select(.type == "process") | "\(.pid)|\(.name)|\(.path)"' <<<"$output"
	assert_output "$(said normal pid)|mdself.exe|$(said normal module | awk 'NR == 1 { print $3 }')"
	run -1 --separate-stderr mf-ps -c "$(dump full)" -p 4242 -f json
	assert_stderr "mf-ps: no process with pid 4242"
}

@test "minidump: mf-modules lists the modules EnumProcessModules gives (bases, sizes, paths), format pe" {
	local d want got
	for d in full normal; do
		want=$(said $d module | while read -r b s p; do echo "$(wine_hex "$b") $s $p"; done | sort)
		[[ $(wc -l <<<"$want") -ge 5 ]] || fail "the program listed too few modules: $want"
		run -0 --separate-stderr mf-modules -c "$(dump $d)" -p "$(said $d pid)" -f json
		no_sanitizer
		got=$(jq -r 'select(.type == "module" and .format == "pe") | "\(.base) \(.size) \(.path)"' <<<"$output" | sort)
		assert_equal "$got" "$want"
	done
	run -0 jq -r 'select(.type == "module") | .name' <<<"$output"
	assert_line mdself.exe
	assert_line kernel32.dll
}

@test "minidump: mdself.exe's PDB name, GUID and age from its image in the dump, as llvm-readobj reads the file" {
	local name id age
	require_cmd llvm-readobj-14
	read -r name id age < <(pe_oracle_pdb "$MDSELF") || fail "llvm-readobj shows no CodeView record in $MDSELF"
	run -0 --separate-stderr mf-modules -c "$(dump full)" -p "$(said full pid)" -f json
	run -0 jq -r 'select(.name == "mdself.exe") | "\(.pdb) \(.pdb_id)"' <<<"$output"
	assert_output "$name $id"
	# Wine's builtin DLLs have no debug directory
	run -0 jq -r 'select(.name == "kernel32.dll") | .pdb_id' <<<"$(mf-modules -c "$(dump full)" -p "$(said full pid)" -f json)"
	assert_output null
}

@test "minidump: the threads of the ThreadList; the spinner's registers from its CONTEXT, as gdb reads them from mf-dump's core" {
	local pid tid spin r0 r1 r12 rip
	pid=$(said normal pid)
	tid=$(said normal tid)
	read -r spin r0 r1 r12 < <(said normal spinner)
	run -0 --separate-stderr mf-ps -c "$(dump normal)" -p "$pid" --threads -f json
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "thread") | .tid' <<<"$output" | sort)" "$(printf '%s\n' "$tid" "$spin" | sort)"
	require_cmd gdb
	run -0 --separate-stderr mf-dump -c "$(dump normal)" -p "$pid" -o "$BATS_TEST_TMPDIR/md.core"
	no_sanitizer
	# dbghelp keeps no context of the thread that writes the dump
	assert_stderr "mf-dump: warning: registers of 1 of 2 threads of pid $pid not available (thread $tid: the minidump holds no context for it): NT_PRSTATUS zeroed"
	run -0 gdb -nx -batch -ex "thread find LWP $spin" -ex 'thread 2' -ex 'printf "r12 0x%lx rip 0x%lx\n", $r12, $rip' \
		-c "$BATS_TEST_TMPDIR/md.core"
	assert_line --regexp "^Thread 2 has target id 'LWP $spin'"
	read -r _ r12_got _ rip < <(grep '^r12 ' <<<"$output")
	assert_equal "$r12_got" "$r12"
	(( rip >= 0x$r0 && rip < 0x$r1 )) || fail "the spinner's rip $rip is not in its loop [0x$r0, 0x$r1)"
}

@test "minidump: mf-read gives the buffer's bytes at its address; memory the dump lacks is a gap" {
	local addr len pid
	read -r addr len < <(said full buffer)
	addr=$(wine_hex "$addr")
	pid=$(said full pid)
	python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 7 + 3) & 0xff for i in range(int(sys.argv[1], 0))))' "$len" \
		>"$BATS_TEST_TMPDIR/want"
	mf-read -c "$(dump full)" -p "$pid" -f raw "$addr" "$len" >"$BATS_TEST_TMPDIR/got"
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# a MiniDumpNormal dump does not hold the buffer
	run -1 --separate-stderr mf-read -c "$(dump normal)" -p "$(said normal pid)" -f json "$addr" 16
	no_sanitizer
	assert_stderr --partial "unreadable: address not mapped"
	run -0 jq -r 'select(.type == "gap") | "\(.addr) \(.len)"' <<<"$output"
	assert_output "$addr 0x10"
}

@test "minidump: mf-scan finds the buffer's pattern at its address, and only there" {
	local addr pid
	read -r addr _ < <(said full buffer)
	addr=$(wine_hex "$addr")
	pid=$(said full pid)
	# bytes 0x100.. of the pattern: (0x100 * 7 + 3) & 0xff = 3, the same start as byte 0
	run -0 --separate-stderr mf-scan -c "$(dump full)" -p "$pid" -x '03 0a 11 18 1f 26 2d 34 3b 42 49 50 57 5e 65 6c' -f json
	no_sanitizer
	run -0 jq -r 'select(.type == "hit") | .addr' <<<"$output"
	assert_line "$addr"
	assert_line "$(printf '0x%x' $((addr + 0x100)))"
	# every hit lies in the buffer (the pattern repeats every 256 bytes)
	assert_equal "$(jq -r --arg a "$addr" 'select(.type == "hit") | .addr' <<<"$output" |
		while read -r h; do (( h >= addr && h < addr + 0x10000 )) || echo "$h"; done)" ""
}

@test "minidump: mf-modules --maps: the ranges the dump holds, the buffer's among them, module paths on images" {
	local addr pid base
	read -r addr _ < <(said full buffer)
	addr=$(wine_hex "$addr")
	pid=$(said full pid)
	base=$(wine_hex "$(said full module | awk 'NR == 1 { print $1 }')")
	run -0 --separate-stderr mf-modules -c "$(dump full)" -p "$pid" --maps -f json
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "map") | "\(.start) \(.end)"' <<<"$output" |
		while read -r s e; do (( s <= addr && addr < e )) && echo "$s"; done | wc -l)" 1
	run -0 jq -r 'select(.type == "map") | "\(.start) \(.path)"' <<<"$(mf-modules -c "$(dump full)" -p "$pid" --maps -f json)"
	assert_line "$base $(said full module | awk 'NR == 1 { print $3 }')"
}

@test "minidump: mf-syms lists kernel32's exports from the dump as the DLL file has them (llvm-readobj, objdump)" {
	local dll=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/kernel32.dll base want got
	require_cmd llvm-readobj-14 x86_64-w64-mingw32-objdump
	base=$(said full module | awk '$3 ~ /kernel32.dll$/ { print $1 }')
	want=$(pe_oracle_exports "$dll")
	[[ $(wc -l <<<"$want") -ge 1000 ]] || fail "llvm-readobj lists too few exports"
	run -0 --separate-stderr mf-syms -c "$(dump full)" -p "$(said full pid)" -f json 'kernel32.dll!*'
	no_sanitizer
	got=$(mf_exports_rel "0x$base" <<<"$output")
	assert_equal "$got" "$want"
	# MODULE!EXPORT in an address argument: the bytes there are kernel32's own
	run -0 --separate-stderr mf-read -c "$(dump full)" -p "$(said full pid)" -f json 'kernel32!GetProcAddress' 2
	assert_equal "$(jq -r 'select(.type == "mem") | .addr' <<<"$output")" \
		"$(printf '0x%x' $((0x$base + $(awk '$1 == "GetProcAddress" { print $2 }' <<<"$want"))))"
}

@test "minidump: broken dumps give one line and exit 1: cut directory, a stream past the end, absurd counts and lengths" {
	local v=$BATS_FILE_TMPDIR/var
	run -1 --separate-stderr mf-ps -c "$v/cut-directory.dmp" -f json
	no_sanitizer
	assert_stderr --regexp "^mf-ps: $v/cut-directory.dmp: the stream directory \(0x[0-9a-f]+ bytes at 0x20\) runs past the end of the file \(0x[0-9a-f]+ bytes\)\$"
	run -1 --separate-stderr mf-ps -c "$v/dir-past-end.dmp" -f json
	assert_stderr --regexp "^mf-ps: $v/dir-past-end.dmp: stream [0-9]+ \(type 4, 0x[0-9a-f]+ bytes at 0x[0-9a-f]+\) runs past the end of the file \(0x[0-9a-f]+ bytes\)\$"
	run -1 --separate-stderr mf-ps -c "$v/module-count.dmp" -f json
	assert_stderr "mf-ps: $v/module-count.dmp: the module list claims 4294967295 entries (at most 65536 are read)"
	run -1 --separate-stderr mf-ps -c "$v/name-length.dmp" -f json
	assert_stderr --regexp "^mf-ps: $v/name-length.dmp: a module's name at 0x[0-9a-f]+ is 0x7ffffffe bytes long \(at most 0x10000\)\$"
	# a file that is no minidump, named as one
	printf 'MDMX%060d' 0 >"$BATS_TEST_TMPDIR/not.dmp"
	run -1 --separate-stderr mf-ps -c "minidump:$BATS_TEST_TMPDIR/not.dmp" -f json
	assert_stderr "mf-ps: $BATS_TEST_TMPDIR/not.dmp: not a minidump (no MDMP signature)"
	# a dump is read-only
	run -1 --separate-stderr mf-read -c "minidump:$(dump normal)" -p "$(said normal pid)" --write 0x1000 -T u8 1
	assert_stderr "mf-read: connector minidump cannot write"
	# the layer over another connector
	run -1 --separate-stderr mf-ps -c "raw:$BATS_TEST_TMPDIR/not.dmp" -o minidump -f json
	assert_stderr "mf-ps: minidump: the target is no minidump (open the .dmp file with -c minidump:FILE)"
}

@test "minidump: lying sizes, overlaps, a cut memory part: one warning, bounded ranges, the rest read right" {
	local v=$BATS_FILE_TMPDIR/var va size held off1 off2 want
	# MemoryList range 0 claims 4 GiB: what the file holds past it is all it can have
	read -r _ va size held < <(grep '^lying_range ' "$v/facts")
	run -0 --separate-stderr mf-modules -c "$v/lying-size.dmp" -p "$(said normal pid)" --maps -f json
	no_sanitizer
	assert_stderr --regexp "^mf-modules: warning: $v/lying-size.dmp: 0x[0-9a-f]+ bytes of the minidump's memory ranges lie past the end of the file \(0x[0-9a-f]+ bytes: cut, or a range's size lies\); they are holes\$"
	run -1 --separate-stderr mf-read -c "$v/lying-size.dmp" -p "$(said normal pid)" -f json "$((va + held))" 1
	assert_output --partial '"type":"gap"'
	# range 2 moved onto range 1: range 1 keeps its own bytes (the file's at its RVA)
	read -r _ va off1 off2 < <(grep '^overlap ' "$v/facts")
	run -0 --separate-stderr mf-read -c "$v/overlap.dmp" -p "$(said normal pid)" -f raw "$va" 16
	assert_stderr "mf-read: warning: $v/overlap.dmp: 1 minidump memory ranges overlap others; the first one read holds the bytes"
	want=$(od -An -tx1 -j "$off1" -N 16 "$v/overlap.dmp")
	assert_equal "$(mf-read -c "$v/overlap.dmp" -p "$(said normal pid)" -f raw "$va" 16 2>/dev/null | od -An -tx1)" "$want"
	# the full dump cut at 16 MiB: its metadata whole; the range it cuts reads to the cut
	read -r _ va held size < <(grep '^cut_range ' "$v/facts")
	run -0 --separate-stderr mf-modules -c "$v/cut-memory.dmp" -p "$(said full pid)" -f json
	assert_stderr --partial "mf-modules: warning: $v/cut-memory.dmp: 0x"
	assert_equal "$(jq -r 'select(.type == "module") | .name' <<<"$output" | wc -l)" "$(said full module | wc -l)"
	run -0 --separate-stderr mf-read -c "$v/cut-memory.dmp" -p "$(said full pid)" -f json "$((va + held - 1))" 1
	run -1 --separate-stderr mf-read -c "$v/cut-memory.dmp" -p "$(said full pid)" -f json "$((va + held))" 1
	assert_output --partial '"type":"gap"'
	# Memory64List range 0 claims 2^62 bytes: every later range lies past the end
	run -0 --separate-stderr mf-ps -c "$v/lying-size64.dmp" -f json
	no_sanitizer
	assert_stderr --partial "mf-ps: warning: $v/lying-size64.dmp: 0x40000000"
}

@test "minidump: a MemoryInfoList's regions and protections, RSDS and NB10 CodeView records, a padded module list" {
	local seeds=$MF_TOP_SRCDIR/tests/fuzz/seeds/minidump d
	# tests/fuzz/minidump-seeds.py writes them (Wine's dbghelp writes neither stream)
	for d in memlist memory64; do
		run -0 --separate-stderr mf-modules -c "$seeds/$d.dmp" -p 4242 --maps -f json
		no_sanitizer
		run -0 jq -r 'select(.type == "map") | "\(.start) \(.end) \(.perms) \(.path)"' <<<"$output"
		# image EXECUTE_READ, private READWRITE, reserved; the free region is left out
		assert_output "0x140000000 0x140010000 r-xp C:\\app\\app.exe
0x7f0000 0x800000 rw-p 
0x800000 0x810000 ---p "
		run -0 --separate-stderr mf-modules -c "$seeds/$d.dmp" -p 4242 -f json
		run -0 jq -r 'select(.type == "module") | "\(.name) \(.pdb) \(.pdb_id)"' <<<"$output"
		# RSDS: GUID bytes 00..0f (Data1..3 little-endian), age 3; NB10: timestamp 0x5f000000, age 2
		assert_output "app.exe app.pdb 030201000504070608090A0B0C0D0E0F3
ntdll.dll ntdll.pdb 5F0000002"
	done
}
