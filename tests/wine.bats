#!/usr/bin/env bats
# The native layer's Wine support against a real Windows program: tests/win/peinfo.exe
# (mingw-w64) runs under Wine 8, 64-bit and (peinfo32.exe, i686) 32-bit, and prints its
# PEB address, its modules
# (EnumProcessModules + GetModuleInformation + GetModuleFileNameEx), its command line and
# GetProcAddress results (forwarded exports among them).  mftools finds the PEB by itself
# (the main thread's gs_base; fs_base for 32-bit) and must report the same; the exports are checked against
# the DLL files with llvm-readobj and objdump.  The PE and PEB parsers' hostile inputs
# are tests/unit/test-pluginlib-pe.c and tests/fuzz/fuzz-pe.c.

load test_helper
load tools_helper
load wine_helper

setup_file() {
	wine_prefix
	wine32_skip=$(wine32_missing)
	if [[ -z $wine32_skip ]]; then
		wine_start "$PEINFO32" 32 "bar baz" 'C:\a b\c.txt'
		wine32_pid=$wine_pid wine32_out=$wine_out
	fi
	wine_start "$PEINFO" foo "bar baz" 'C:\a b\c.txt'
	export WINEPREFIX WINEDEBUG wine_pid wine_out wine32_skip wine32_pid wine32_out
}

teardown_file() {
	wine_stop_all
}

# peinfo_lines FILE KIND: the program's own lines of one kind, without the kind; peinfo
# KIND those of the 64-bit one, peinfo32 KIND those of the 32-bit one.
peinfo_lines() {
	awk -v k="$2" '$1 == k { sub(/^[^ ]* /, ""); print }' "$1"
}
peinfo() {
	peinfo_lines "$wine_out" "$1"
}
peinfo32() {
	peinfo_lines "$wine32_out" "$1"
}

# assert_wine_ps PID FILE EXE ARG1: mf-ps -p PID shows the Windows image path the program
# (its output FILE) has for its module EXE, the command line it printed (ARG1 "bar baz"
# "C:\a b\c.txt", as setup_file started it) and EXE as its name.
assert_wine_ps() {
	local pid=$1 out=$2 name=$3 arg1=$4 exe
	exe=$(peinfo_lines "$out" module | awk -v n="$name" '{ p = $0; sub(/^[^ ]* [^ ]* /, "", p) }
		tolower(p) ~ ("\\\\" tolower(n) "$") { print p; exit }')
	[[ $exe == *"\\$name" ]] || fail "the program did not list itself: $(peinfo_lines "$out" module)"
	run -0 --separate-stderr mf-ps -p "$pid" -f json
	no_sanitizer
	run -0 jq -r 'select(.type == "process") | .path, .cmdline, .name' <<<"$output"
	assert_equal "${lines[0]}" "$exe"
	assert_equal "${lines[1]}" "$(peinfo_lines "$out" cmdline)"
	assert_equal "${lines[1]}" "\"$exe\" $arg1 \"bar baz\" \"C:\\a b\\c.txt\""
	assert_equal "${lines[2]}" "$name"
}

# assert_getprocaddress PID FILE: every GetProcAddress line of the program (pid PID, its
# output FILE) resolved by mf-syms as MODULE!NAME to the same address; HeapAlloc is
# kernel32's forwarder to ntdll's RtlAllocateHeap, listed at that function's address.
assert_getprocaddress() {
	local pid=$1 out=$2 mod name addr n=0
	while read -r mod name addr; do
		run -0 --separate-stderr mf-syms -p "$pid" --at "$mod!$name" -f json </dev/null
		no_sanitizer
		run -0 jq -r 'select(.type == "symbol") | .at' <<<"$output"
		assert_output "$(wine_hex "$addr")"
		n=$((n + 1))
	done < <(peinfo_lines "$out" proc)
	[[ $n -ge 8 ]] || fail "only $n GetProcAddress lines"
	run -0 --separate-stderr mf-syms -p "$pid" -f json 'kernel32.dll!HeapAlloc'
	run -0 jq -r 'select(.type == "symbol") | "\(.kind) \(.forward) \(.addr)"' <<<"$output"
	assert_output "forwarder NTDLL.RtlAllocateHeap $(wine_hex "$(peinfo_lines "$out" proc | awk '$2 == "RtlAllocateHeap" { print $3 }')")"
}

# A 32-bit test: skipped with the reason when wine32 or i686-w64-mingw32-gcc is missing.
need_wine32() {
	[[ -z $wine32_skip ]] || skip "$wine32_skip"
	[[ -d /proc/$wine32_pid ]] || fail "the 32-bit peinfo (pid $wine32_pid) is gone"
}

@test "wine: mftools finds the PEB the program has, from its main thread's TEB" {
	run -0 --separate-stderr mf-ps -v -p "$wine_pid" -f json
	no_sanitizer
	assert_stderr --partial "pid $wine_pid: PEB at $(wine_hex "$(peinfo peb)") (TEB "
}

@test "wine: mf-modules lists the PE modules EnumProcessModules gives (bases, sizes, Windows paths)" {
	local want got
	want=$(peinfo module | while read -r b s p; do echo "$(wine_hex "$b") $s $p"; done | sort)
	[[ $(wc -l <<<"$want") -ge 5 ]] || fail "the program listed too few modules: $want"
	run -0 --separate-stderr mf-modules -p "$wine_pid" -f json
	no_sanitizer
	got=$(jq -r 'select(.type == "module" and .format == "pe") | "\(.base) \(.size) \(.path)"' <<<"$output" | sort)
	assert_equal "$got" "$want"
	# the names are the loader's BaseDllName
	run -0 jq -r 'select(.format == "pe") | .name' <<<"$output"
	assert_line kernel32.dll
	assert_line peinfo.exe
}

@test "wine: a PE module's CodeView record names its PDB (GUID and age as llvm-readobj and llvm-pdbutil read them)" {
	local name id age
	require_cmd llvm-readobj-14 llvm-pdbutil-14
	read -r name id age < <(pe_oracle_pdb "$PEINFO") || fail "llvm-readobj shows no CodeView record in $PEINFO"
	run -0 --separate-stderr mf-modules -p "$wine_pid" -f json
	run -0 jq -r 'select(.name == "peinfo.exe") | "\(.pdb) \(.pdb_id)"' <<<"$output"
	assert_output "$name $id"
	# the PDB the linker wrote has the same GUID and age
	run -0 llvm-pdbutil-14 dump -summary "$MF_TOP_BUILDDIR/tests/win/peinfo.pdb"
	assert_output --partial "GUID: {${id:0:8}-${id:8:4}-${id:12:4}-${id:16:4}-${id:20:12}}"
	assert_output --regexp "Age: $age"
	# Wine's builtin DLLs have no debug directory: no pdb fields
	run -0 jq -r 'select(.name == "kernel32.dll") | .pdb_id' <<<"$(mf-modules -p "$wine_pid" -f json)"
	assert_output null
}

@test "wine: the ELF mappings stay, told apart by the format field" {
	run -0 --separate-stderr mf-modules -p "$wine_pid" -f json
	run -0 jq -r 'select(.type == "module") | "\(.format) \(.name)"' <<<"$output"
	assert_line "elf ntdll.so"
	assert_line "elf libc.so.6"
	assert_line "pe ntdll.dll"
	refute_line --regexp '^null '
}

@test "wine: mf-ps shows the Windows image path and command line" {
	assert_wine_ps "$wine_pid" "$wine_out" peinfo.exe foo
	# and the process list has it the same way
	run -0 --separate-stderr mf-ps -f json
	run -0 jq -r --argjson p "$wine_pid" 'select(.pid == $p) | .cmdline' <<<"$output"
	assert_output "$(peinfo cmdline)"
}

@test "wine: MODULE!EXPORT resolves to GetProcAddress's answers, forwarders followed" {
	assert_getprocaddress "$wine_pid" "$wine_out"
}

@test "wine: module names are case-insensitive with .dll added; +OFF reads the right bytes" {
	local a want
	a=$(wine_hex "$(peinfo proc | awk '$1 == "kernel32.dll" && $2 == "GetProcAddress" { print $3 }')")
	run -0 --separate-stderr mf-syms -p "$wine_pid" --at 'KERNEL32!GetProcAddress' -f json
	run -0 jq -r 'select(.type == "symbol") | "\(.at) \(.module) \(.name)"' <<<"$output"
	assert_output "$a kernel32.dll GetProcAddress"
	want=$(proc_mem_hex "$wine_pid" $((a + 0x10)) 16)
	mf-read -p "$wine_pid" -f raw 'Kernel32.DLL!GetProcAddress+0x10' 16 >"$BATS_TEST_TMPDIR/bytes"
	assert_equal "$(od -An -v -tx1 "$BATS_TEST_TMPDIR/bytes" | tr -d ' \n')" "$want"
	run -1 --separate-stderr mf-syms -p "$wine_pid" --at 'kernel32!NoSuchExport'
	assert_stderr --partial "no export 'NoSuchExport' in kernel32"
}

@test "wine: a Wine process has its ELF modules' symbols too; MODULE!NAME means the PE module first" {
	run -0 --separate-stderr mf-syms -p "$wine_pid" -f json 'libc!malloc' 'ntdll.dll!NtClose'
	run -0 jq -r 'select(.type == "symbol") | "\(.module) \(.name) \(.kind)"' <<<"$output"
	assert_line "libc.so.6 malloc export"
	assert_line "ntdll.dll NtClose export"
	run -0 --separate-stderr mf-syms -p "$wine_pid" --at 'ntdll!NtClose' -f json
	run -0 jq -r 'select(.type == "symbol") | "\(.at) \(.module)"' <<<"$output"
	assert_output "$(wine_hex "$(peinfo proc | awk '$2 == "NtClose" { print $3 }')") ntdll.dll"
}

@test "wine: mf-syms lists kernel32's exports as the DLL file has them (llvm-readobj, objdump)" {
	local dll=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/kernel32.dll base want got
	require_cmd llvm-readobj-14 x86_64-w64-mingw32-objdump
	base=$(peinfo module | awk '$3 ~ /kernel32.dll$/ { print $1 }')
	want=$(pe_oracle_exports "$dll")
	[[ $(grep -c ' fwd ' <<<"$want") -ge 50 ]] || fail "objdump shows too few forwarders"
	run -0 --separate-stderr mf-syms -p "$wine_pid" -f json 'kernel32.dll!*'
	no_sanitizer
	got=$(mf_exports_rel "0x$base" <<<"$output")
	[[ $(wc -l <<<"$want") -ge 1000 ]] || fail "llvm-readobj lists too few exports"
	assert_equal "$got" "$want"
	# a bare module name (any case, .dll added) lists the same
	run -0 --separate-stderr mf-syms -p "$wine_pid" -f json KERNEL32
	assert_equal "$(jq -r 'select(.type == "symbol") | .name' <<<"$output" | sort)" "$(cut -d' ' -f1 <<<"$want")"
}

@test "wine: the PE reader on real files: ntoskrnl.exe's exports and imports, peinfo.exe's sections and PDB record" {
	local nt=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/ntoskrnl.exe want
	require_cmd llvm-readobj-14 x86_64-w64-mingw32-objdump
	run -0 pe-dump "$nt"
	want=$(pe_oracle_exports "$nt")
	[[ $(wc -l <<<"$want") -ge 1500 ]] || fail "llvm-readobj lists too few exports of ntoskrnl.exe"
	assert_equal "$(awk '$1 == "export" { print $2, $4 } $1 == "forward" { print $2, "fwd", $4 }' <<<"$output" | sort)" "$want"
	want=$(pe_oracle_imports "$nt")
	[[ $(wc -l <<<"$want") -ge 100 ]] || fail "objdump lists too few imports of ntoskrnl.exe"
	assert_equal "$(awk '$1 == "import" { print $2, $3, $4 }' <<<"$output" | sort)" "$want"
	run -0 pe-dump "$PEINFO"
	assert_equal "$(awk '$1 == "import" { print $2, $3, $4 }' <<<"$output" | sort)" "$(pe_oracle_imports "$PEINFO")"
	# (a name longer than 8 bytes is "/N", an offset into the file's string table, which
	# is not mapped: only llvm-readobj, reading the file, can show it)
	assert_equal "$(awk '$1 == "section" { print (length($2) > 8 || $2 ~ /^\// ? "long" : $2), $3, $4 }' <<<"$output")" \
		"$(llvm-readobj-14 --sections "$PEINFO" | awk '/ Name: / { n = length($2) > 8 ? "long" : $2 }
			/VirtualSize:/ { v = tolower($2) } /VirtualAddress:/ { print n, tolower($2), v }')"
	assert_line --regexp "^rsds [0-9A-F]{33,} peinfo.pdb\$"
	# not a PE file: one line, exit 1
	run -1 --separate-stderr pe-dump "$MEMTARGET"
	assert_stderr "pe-dump: no PE image at 0x140000000 (no MZ header)"
}

@test "wine: a process that is not Wine has no PE modules, and no Windows exports" {
	start_memtarget
	run -0 --separate-stderr mf-modules -p "$mt_pid" -f json
	run -0 jq -r 'select(.type == "module") | .format' <<<"$output"
	refute_line pe
	run -1 --separate-stderr mf-syms -p "$mt_pid" --at 'kernel32.dll!HeapAlloc'
	assert_stderr "mf-syms: pid $mt_pid: no symbol 'kernel32.dll!HeapAlloc'"
	stop_memtarget
}

@test "wine32: a 32-bit Wine process: its PEB from its main thread's fs_base, modules x86" {
	local want got mods
	need_wine32
	[[ $(file -L "/proc/$wine32_pid/exe") == *"ELF 32-bit"*"Intel 80386"* ]] || fail "pid $wine32_pid does not run an i386 ELF"
	run -0 --separate-stderr mf-ps -v -p "$wine32_pid" -f json
	no_sanitizer
	assert_stderr --partial "pid $wine32_pid: PEB at $(wine_hex "$(peinfo32 peb)") (TEB "
	assert_stderr --partial ", fs_base of its main thread)"
	# the 32-bit PEB and loader list: every module EnumProcessModules gives, as it gives it
	want=$(peinfo32 module | while read -r b s p; do echo "$(wine_hex "$b") $s $p"; done | sort)
	[[ $(wc -l <<<"$want") -ge 5 ]] || fail "the program listed too few modules: $want"
	run -0 --separate-stderr mf-modules -p "$wine32_pid" -f json
	no_sanitizer
	mods=$output
	got=$(jq -r 'select(.type == "module" and .format == "pe") | "\(.base) \(.size) \(.path)"' <<<"$mods" | sort)
	assert_equal "$got" "$want"
	run -0 jq -r 'select(.format == "pe") | "\(.arch) \(.name)"' <<<"$mods"
	assert_line "x86 kernel32.dll"
	assert_line "x86 peinfo32.exe"
	refute_line --regexp '^x86_64 '
	# its PDB record, as llvm-readobj reads the file
	if command -v llvm-readobj-14 >/dev/null; then
		local name id age
		read -r name id age < <(pe_oracle_pdb "$PEINFO32") || fail "llvm-readobj shows no CodeView record in $PEINFO32"
		run -0 jq -r 'select(.name == "peinfo32.exe") | "\(.pdb) \(.pdb_id)"' <<<"$mods"
		assert_output "$name $id"
	fi
}

@test "wine32: mf-ps shows the Windows image path and command line of a 32-bit Wine process" {
	need_wine32
	assert_wine_ps "$wine32_pid" "$wine32_out" peinfo32.exe 32
	run -0 jq -r 'select(.type == "process") | .arch' <<<"$(mf-ps -p "$wine32_pid" -f json)"
	assert_output x86
}

@test "wine32: MODULE!EXPORT resolves to GetProcAddress's answers in a 32-bit process, forwarders followed" {
	local addr
	need_wine32
	# the addresses are 32-bit ones (%p prints 8 digits), not those of the 64-bit process
	[[ $(peinfo32 proc | awk '{ print length($3) }' | sort -u) == 8 ]] || fail "not 32-bit addresses: $(peinfo32 proc)"
	assert_getprocaddress "$wine32_pid" "$wine32_out"
	# +OFF reads the right bytes
	addr=$(wine_hex "$(peinfo32 proc | awk '$1 == "kernel32.dll" && $2 == "GetProcAddress" { print $3 }')")
	mf-read -p "$wine32_pid" -f raw 'KERNEL32!GetProcAddress+0x10' 16 >"$BATS_TEST_TMPDIR/bytes"
	assert_equal "$(od -An -v -tx1 "$BATS_TEST_TMPDIR/bytes" | tr -d ' \n')" "$(proc_mem_hex "$wine32_pid" $((addr + 0x10)) 16)"
}

@test "wine32: its ELF side stays: the i386 libc mapped, its malloc where the file's symbol puts it" {
	local libc=/usr/lib/i386-linux-gnu/libc.so.6 base val
	need_wine32
	require_cmd readelf
	run -0 --separate-stderr mf-modules -p "$wine32_pid" -f json
	base=$(jq -r --arg p "$libc" 'select(.type == "module" and .format == "elf" and .path == $p) | .base' <<<"$output")
	[[ -n $base ]] || fail "no ELF module $libc: $(jq -r 'select(.format == "elf") | .path' <<<"$output")"
	val=$(readelf -Ws --dyn-syms "$libc" | awk '$8 ~ /^malloc@@/ { print $2; exit }')
	[[ -n $val ]] || fail "readelf shows no malloc in $libc"
	run -0 --separate-stderr mf-syms -p "$wine32_pid" -f json 'libc!malloc'
	run -0 jq -r 'select(.type == "symbol") | "\(.module) \(.addr)"' <<<"$output"
	assert_output "libc.so.6 $(printf '0x%x' $((base + 0x$val)))"
}

@test "wine32: mf-syms lists the 32-bit kernel32's exports as the DLL file has them (llvm-readobj, objdump)" {
	local dll=/usr/lib/i386-linux-gnu/wine/i386-windows/kernel32.dll base want got
	need_wine32
	require_cmd llvm-readobj-14 x86_64-w64-mingw32-objdump
	base=$(peinfo32 module | awk '$3 ~ /kernel32.dll$/ { print $1 }')
	want=$(pe_oracle_exports "$dll")
	[[ $(wc -l <<<"$want") -ge 1000 ]] || fail "llvm-readobj lists too few exports"
	[[ $(grep -c ' fwd ' <<<"$want") -ge 50 ]] || fail "objdump shows too few forwarders"
	run -0 --separate-stderr mf-syms -p "$wine32_pid" -f json 'kernel32.dll!*'
	no_sanitizer
	got=$(mf_exports_rel "0x$base" <<<"$output")
	# nothing the file lacks; what the file has and the listing lacks is an export whose
	# address-table entry the running process holds as 0 (32-bit Wine's kernel32 has
	# FT_Thunk's cleared once loaded)
	assert_equal "$(comm -13 <(echo "$want") <(echo "$got"))" ""
	local eat ordbase name ord n=0
	eat=$(x86_64-w64-mingw32-objdump -p "$dll" | awk '/^Table Addresses/ { t = 1 } t && /Export Address Table/ { print $NF; exit }')
	ordbase=$(x86_64-w64-mingw32-objdump -p "$dll" | awk '/^Ordinal Base/ { print $NF; exit }')
	[[ -n $eat && -n $ordbase ]] || fail "objdump shows no export address table"
	while read -r name _; do
		ord=$(llvm-readobj-14 --coff-exports "$dll" | awk -v n="$name" '/Ordinal:/ { o = $2 } /Name:/ && $2 == n { print o; exit }')
		[[ -n $ord ]] || fail "no ordinal for $name"
		assert_equal "$name $(proc_mem_hex "$wine32_pid" $((0x$base + 0x$eat + 4 * (ord - ordbase))) 4)" "$name 00000000"
		n=$((n + 1))
	done < <(comm -23 <(echo "$want") <(echo "$got"))
	[[ $n -le 3 ]] || fail "$n exports of the file are not listed"
}
