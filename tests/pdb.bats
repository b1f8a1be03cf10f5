#!/usr/bin/env bats
# mf-syms --pdb: our own MSF/PDB reader against llvm-pdbutil-14, on PDB files that
# clang-14 and lld-link-14 write at test time for tests/pdb/kstructs.c (types that mirror
# the Windows kernel's: _LIST_ENTRY, an EPROCESS with nested and anonymous unions,
# bitfields, arrays, pointers to forward-declared structs), x64 and x86.

load test_helper

ORACLE="$MF_TOP_SRCDIR/tests/pdb/llvm-oracle.py"
TYPES="_EPROCESS _KPROCESS _LIST_ENTRY _LARGE_INTEGER _EX_FAST_REF _UNICODE_STRING"

setup_file() {
	local arch
	for c in clang-14 lld-link-14 llvm-pdbutil-14 llvm-readobj-14 python3 jq; do
		command -v "$c" >/dev/null || return 0   # each test fails with require_cmd
	done
	for arch in x86_64 i686; do
		mkdir -p "$BATS_FILE_TMPDIR/$arch"
		(cd "$BATS_FILE_TMPDIR/$arch" &&
		 clang-14 --target=$arch-pc-windows-msvc -ffreestanding -fno-builtin -O0 -g -gcodeview \
			-c "$MF_TOP_SRCDIR/tests/pdb/kstructs.c" -o kstructs.obj &&
		 lld-link-14 /nodefaultlib /entry:main /subsystem:console /debug /out:kstructs.exe \
			/pdb:kstructs.pdb kstructs.obj >/dev/null &&
		 llvm-pdbutil-14 dump -types -globals -publics -section-headers kstructs.pdb >dump.txt)
	done
}

setup() {
	require_cmd clang-14 lld-link-14 llvm-pdbutil-14 llvm-readobj-14 python3 jq
	X64=$BATS_FILE_TMPDIR/x86_64
	X86=$BATS_FILE_TMPDIR/i686
	[[ -s $X64/dump.txt && -s $X86/dump.txt ]] || fail "the test PDBs were not built"
}

# mf-syms --type's member records as the oracle's lines
ours_members() {
	local pdb=$1 t
	shift
	for t in "$@"; do
		mf-syms --pdb "$pdb" --type "$t" -f json | jq -r --arg t "$t" '
			if .type == "member" then "\($t) \(.name) \(.offset) \(.size) \(.bit_pos // "-") \(.bits // "-")"
			else empty end' || return 1
		mf-syms --pdb "$pdb" --type "$t" -f json | jq -r --arg t "$t" 'select(.type == "type") | "\($t) sizeof \(.size)"'
	done
}

@test "x64: every member offset, size and bitfield of the kernel-like structs agrees with llvm-pdbutil" {
	python3 "$ORACLE" members "$X64/dump.txt" $TYPES >"$BATS_TEST_TMPDIR/want"
	run -0 ours_members "$X64/kstructs.pdb" $TYPES
	assert_output "$(cat "$BATS_TEST_TMPDIR/want")"
	# the comparison is not empty: known facts of the layout
	assert_line "_EPROCESS ActiveProcessLinks 88 16 - -"
	assert_line "_EPROCESS Spare 116 4 14 18"
	assert_line "_EPROCESS MoreBits 352 8 40 24"
	assert_line "_KPROCESS DirectoryTableBase 40 8 - -"
	assert_line "_EPROCESS sizeof 360"
	[[ $(grep -c '^_EPROCESS ' <<<"$output") -eq 44 ]]
}

@test "x86: the same layout checks on the 32-bit PDB" {
	python3 "$ORACLE" members "$X86/dump.txt" $TYPES >"$BATS_TEST_TMPDIR/want"
	run -0 ours_members "$X86/kstructs.pdb" $TYPES
	assert_output "$(cat "$BATS_TEST_TMPDIR/want")"
	assert_line "_LIST_ENTRY Blink 4 4 - -"
	assert_line "_EPROCESS sizeof 240"
}

@test "an enum's enumerators (short, negative and 32-bit values) agree with llvm-pdbutil" {
	python3 "$ORACLE" enums "$X64/dump.txt" _POOL_TYPE _PS_PROTECTED_TYPE >"$BATS_TEST_TMPDIR/want"
	run -0 bash -c "for t in _POOL_TYPE _PS_PROTECTED_TYPE; do mf-syms --pdb '$X64/kstructs.pdb' --type \$t -f json |
		jq -r --arg t \$t 'select(.type == \"member\") | \"\\(\$t) \\(.name) \\(.value)\"'; done"
	assert_output "$(cat "$BATS_TEST_TMPDIR/want")"
	assert_line "_POOL_TYPE PoolTypeNegative -3"
	assert_line "_POOL_TYPE PoolTypeLarge 305419896"
	run -0 mf-syms --pdb "$X64/kstructs.pdb" --type POOL_TYPE -f table
	assert_line --index 1 --regexp '^_POOL_TYPE +enum +4 +5$'
	assert_line --index 2 --regexp '^ +VALUE +NAME$'
	assert_line --regexp '^ +512 +NonPagedPoolNx$'
}

@test "x64 and x86: public, global and file-static symbols at the RVAs llvm-pdbutil gives" {
	local d
	for d in "$X64" "$X86"; do
		python3 "$ORACLE" symbols "$d/dump.txt" >"$BATS_TEST_TMPDIR/want"
		run -0 --separate-stderr bash -c "mf-syms --pdb '$d/kstructs.pdb' -f json | jq -r '\"\(.scope) \(.name) \(.addr)\"' | sort"
		assert_output "$(cat "$BATS_TEST_TMPDIR/want")"
		assert_line --regexp '^global PsActiveProcessHead 0x3[0-9a-f]{3}$'
		assert_line --regexp '^local KeNumberProcessorsLocal 0x3[0-9a-f]{3}$'
	done
	# x86 publics are decorated
	run -0 mf-syms --pdb "$X86/kstructs.pdb" -f json '_main'
	assert_output --partial '"kind":"function","scope":"public"'
}

@test "a global's size is its type's; GLOBs select; the module is the PDB's name" {
	run -0 mf-syms --pdb "$X64/kstructs.pdb" -f json 'PsInitial*Object'
	assert_line '{"type":"symbol","pid":0,"module":"kstructs","name":"PsInitialSystemProcessObject","addr":"0x3010","size":"0x0","kind":"data","scope":"public","section":3,"offset":16}'
	assert_line '{"type":"symbol","pid":0,"module":"kstructs","name":"PsInitialSystemProcessObject","addr":"0x3010","size":"0x168","kind":"data","scope":"global","section":3,"offset":16}'
	[[ ${#lines[@]} -eq 2 ]]
	run -1 --separate-stderr mf-syms --pdb "$X64/kstructs.pdb" 'NoSuch*'
	assert_equal "$stderr" "mf-syms: no symbol matches 'NoSuch*'"
}

@test "-v states the GUID and age the exe's RSDS record names" {
	local raw guid
	raw=$(llvm-readobj-14 --coff-debug-directory "$X64/kstructs.exe" | sed -n 's/.*PDBGUID: (\(.*\))/\1/p')
	[[ -n $raw ]]
	# the record's bytes: Data1..Data3 little-endian, then Data4
	guid=$(awk '{ printf "%s%s%s%s-%s%s-%s%s-%s%s-%s%s%s%s%s%s", $4,$3,$2,$1, $6,$5, $8,$7, $9,$10, $11,$12,$13,$14,$15,$16 }' <<<"$raw")
	run -0 --separate-stderr mf-syms -v --pdb "$X64/kstructs.pdb" -f json 'main'
	assert_equal "$stderr" "mf-syms: $X64/kstructs.pdb: GUID {$guid} age 1 (symbol server path kstructs.pdb/${guid//-/}1/kstructs.pdb), $(sed -n 's/^  Showing \([0-9]*\) records/\1/p' "$X64/dump.txt" | head -1) types, 4 sections"
}

@test "--type: a typedef name, nested member records in table form" {
	run -0 mf-syms --pdb "$X64/kstructs.pdb" --type EPROCESS -f table
	assert_line --index 0 --regexp '^TYPE +KIND +SIZE +MEMBERS$'
	assert_line --index 1 --regexp '^_EPROCESS +struct +360 +43$'
	assert_line --regexp '^ +208 +112 +- +- +2 +Nested +struct _EPROCESS::<unnamed-tag>\[2\]$'
	assert_line --regexp '^ +152 +8 +- +- +- +Job +struct _EJOB \*$'
	assert_line --regexp '^ +336 +8 +- +- +- +Self +const struct _EPROCESS \*$'
	assert_line --regexp '^ +116 +4 +10 +2 +- +AddressSpaceInitialized +unsigned long : 2$'
	# a saved stream prints the same through mf-cat
	mf-syms --pdb "$X64/kstructs.pdb" --type EPROCESS -f msgpack >"$BATS_TEST_TMPDIR/layout"
	run -0 mf-cat -f table "$BATS_TEST_TMPDIR/layout"
	assert_line --regexp '^ +152 +8 +- +- +- +Job +struct _EJOB \*$'
}

@test "--pdb errors: a missing type, a non-PDB, usage" {
	run -1 --separate-stderr mf-syms --pdb "$X64/kstructs.pdb" --type _NO_SUCH
	assert_equal "$stderr" "mf-syms: $X64/kstructs.pdb: no type '_NO_SUCH' in the PDB"
	run -1 --separate-stderr mf-syms --pdb "$X64/kstructs.exe"
	assert_equal "$stderr" "mf-syms: cannot read $X64/kstructs.exe: not a PDB file (no MSF 7.00 magic)"
	run -1 --separate-stderr mf-syms --pdb "$BATS_TEST_TMPDIR/none.pdb"
	assert_equal "$stderr" "mf-syms: cannot open $BATS_TEST_TMPDIR/none.pdb: No such file or directory"
	run -2 --separate-stderr mf-syms --type X
	assert_equal "${stderr_lines[0]}" "mf-syms: --type goes with --pdb, and --pdb takes no target, -p, --at or --save-btf"
	run -2 --separate-stderr mf-syms --pdb "$X64/kstructs.pdb" -p 1
	assert_equal "${stderr_lines[0]}" "mf-syms: --type goes with --pdb, and --pdb takes no target, -p, --at or --save-btf"
	run -2 --separate-stderr mf-syms --pdb "$X64/kstructs.pdb" --type X 'G*'
	assert_equal "${stderr_lines[0]}" "mf-syms: --type takes no GLOB ('G*')"
}

@test "hostile PDBs (lld-link's file, broken): one line naming what is wrong, exit 1" {
	local k pdb=$X64/kstructs.pdb bad=$BATS_TEST_TMPDIR/bad.pdb
	# (regular expressions: the block and type counts are lld-link's)
	declare -A want=(
		[blockmap]="cannot read $bad: the block map is at block [0-9]+, past the file's [0-9]+ blocks"
		[dircount]="cannot read $bad: the stream directory \\([0-9]+ bytes\\) claims 1073741824 streams"
		[streamblock]="cannot read $bad: stream 2 block 0 is block 134217727, past the file's [0-9]+ blocks"
		[tpibytes]="cannot read $bad: the TPI header \\(56 bytes\\) claims 2147483632 bytes of records in a stream of [0-9]+"
		[fieldloop]="$bad: type '_EPROCESS': field list 0x[0-9a-f]+: more than 1024 continuations \\(a loop\\?\\)"
	)
	for k in "${!want[@]}"; do
		python3 "$MF_TOP_SRCDIR/tests/pdb/corrupt.py" "$k" "$pdb" "$bad"
		run -1 --separate-stderr timeout 20 mf-syms --pdb "$bad" --type _EPROCESS -f json
		[[ ${#stderr_lines[@]} -eq 1 && $stderr =~ ^mf-syms:\ ${want[$k]}$ ]] || fail "$k: $stderr"
		assert_output ""
	done
	head -c 40000 "$pdb" >"$bad"
	run -1 --separate-stderr mf-syms --pdb "$bad"
	assert_equal "$stderr" "mf-syms: cannot read $bad: the MSF superblock claims $(($(stat -c %s "$pdb") / 4096)) blocks of 4096 bytes in a file of 40000 bytes"
}

# The value of a symbol field (addr, ...) and a member's offset, from mf-syms --pdb.
pdb_sym() { mf-syms --pdb "$1" -f json "$2" | jq -r --arg s "${3:-global}" 'select(.scope == $s) | .addr'; }
pdb_off() { mf-syms --pdb "$1" --type "$2" -f json | jq -r --arg m "$3" 'select(.type == "member" and .name == $m) | .offset'; }

@test "under Wine: the globals a running program set, read at the PDB's RVAs and member offsets" {
	require_cmd wine llvm-dlltool-14 wineserver
	local d=$BATS_TEST_TMPDIR prefix=$BATS_TEST_TMPDIR/wine pid="" p i base
	printf 'LIBRARY kernel32.dll\nEXPORTS\nSleep\n' >"$d/kernel32.def"
	llvm-dlltool-14 -m i386:x86-64 -d "$d/kernel32.def" -l "$d/kernel32.lib"
	clang-14 --target=x86_64-pc-windows-msvc -ffreestanding -fno-builtin -O0 -g -gcodeview -DKSTRUCTS_WAIT \
		-c "$MF_TOP_SRCDIR/tests/pdb/kstructs.c" -o "$d/kwait.obj"
	lld-link-14 /nodefaultlib /entry:main /subsystem:console /debug /out:"$d/kwait.exe" /pdb:"$d/kwait.pdb" \
		"$d/kwait.obj" "$d/kernel32.lib" >/dev/null
	# a prefix of our own (created by the first run, about 20 s), stopped in teardown
	WINE_PREFIX_USED=$prefix
	WINEPREFIX=$prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" timeout 120 wine wineboot -i >/dev/null 2>&1
	WINEPREFIX=$prefix WINEDEBUG=-all wine "$d/kwait.exe" >/dev/null 2>&1 3>&- &
	for ((i = 0; i < 200; i++)); do
		for p in $(pgrep -x kwait.exe); do
			tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "WINEPREFIX=$prefix" && pid=$p
		done
		[[ -n $pid ]] && break
		sleep 0.1
	done
	[[ -n $pid ]] || fail "kwait.exe did not start under Wine"
	# the image base: where Wine mapped the exe's headers
	for ((i = 0; i < 100; i++)); do
		base=$(awk -v f="$d/kwait.exe" '$6 == f { split($1, a, "-"); print "0x" a[1]; exit }' "/proc/$pid/maps")
		[[ -n $base ]] && break
		sleep 0.1
	done
	[[ -n $base ]] || fail "no mapping of kwait.exe in pid $pid"
	local pdb=$d/kwait.pdb
	local build=$(( base + $(pdb_sym "$pdb" NtBuildNumber) )) head=$(( base + $(pdb_sym "$pdb" PsActiveProcessHead) ))
	local obj=$(( base + $(pdb_sym "$pdb" PsInitialSystemProcessObject) )) probe=$(( base + $(pdb_sym "$pdb" MmUserProbeAddress) ))
	local links=$(pdb_off "$pdb" _EPROCESS ActiveProcessLinks) upid=$(pdb_off "$pdb" _EPROCESS UniqueProcessId)
	[[ $links -eq 88 && $upid -eq 80 ]]
	# main sets them at once; poll until it has
	for ((i = 0; i < 50; i++)); do
		run -0 mf-read -p "$pid" -T u64 -f json "$(printf 0x%x $probe)"
		[[ $output == *'"value":"0x7fffffff0000"'* ]] && break
		sleep 0.1
	done
	assert_line --partial '"value":"0x7fffffff0000"'
	run -0 mf-read -p "$pid" -T u32 -f json "$(printf 0x%x $build)"
	assert_line --partial "\"value\":$((0xF0004A61))"
	run -0 mf-read -p "$pid" -T u64 -f json "$(printf 0x%x $head)"
	assert_line --partial "\"value\":\"$(printf 0x%x $((obj + links)))\""
	run -0 mf-read -p "$pid" -T u64 -f json "$(printf 0x%x $((obj + upid)))"
	assert_line --partial '"value":"0x4"'
}

teardown() {
	if [[ -n ${WINE_PREFIX_USED:-} ]]; then
		WINEPREFIX=$WINE_PREFIX_USED wineserver -k 2>/dev/null || true
		rm -rf "$WINE_PREFIX_USED"
	fi
}
