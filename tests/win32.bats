#!/usr/bin/env bats
# The win32 os layer (x64) over raw images that tests/win32-mkimage.py builds: Wine's real
# ntoskrnl.exe (package libwine) mapped into kernel space through 4-level page tables,
# KUSER_SHARED_DATA, an EPROCESS list and a PsLoadedModuleList at the offsets of the
# installed build-19041 table.  The generator prints what must be found (the oracle); the
# broken variants (a cyclic process list, a wild pointer, a PE that lies) end in the right
# list or a one-line error, never a hang.  The real crash dump headers in
# tests/fixtures/third-party give their DirectoryTableBase to the layer.
load test_helper
load tools_helper
load win32_helper

NTOSKRNL=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/ntoskrnl.exe

setup_file() {
	[[ -r $NTOSKRNL ]] || return 0
	local v
	for v in full selfref cyclic wild lyingpe rsds crashdump; do
		/usr/bin/python3 "$MF_TOP_SRCDIR/tests/win32-mkimage.py" "$BATS_FILE_TMPDIR/$v.raw" "$v" "$NTOSKRNL" \
			>"$BATS_FILE_TMPDIR/$v.oracle"
	done
	mv "$BATS_FILE_TMPDIR/crashdump.raw" "$BATS_FILE_TMPDIR/crashdump.dmp"
	# a PDB whose types have another layout (tests/pdb/ntkernel.c), and an image laid out so
	command -v clang-14 >/dev/null && command -v lld-link-14 >/dev/null || return 0
	(cd "$BATS_FILE_TMPDIR" &&
	 clang-14 --target=x86_64-pc-windows-msvc -ffreestanding -fno-builtin -O0 -g -gcodeview \
		-c "$MF_TOP_SRCDIR/tests/pdb/ntkernel.c" -o ntkernel.obj &&
	 lld-link-14 /nodefaultlib /entry:main /subsystem:console /debug /out:ntkernel.exe /pdb:ntkernel.pdb \
		ntkernel.obj >/dev/null)
	cat >"$BATS_FILE_TMPDIR/pdb-layout.offsets" <<-EOF
		# the layout of tests/pdb/ntkernel.c (its static assertions)
		_KPROCESS.DirectoryTableBase 0x30
		_EPROCESS.UniqueProcessId 0x2e0
		_EPROCESS.ActiveProcessLinks 0x2e8
		_EPROCESS.CreateTime 0x300
		_EPROCESS.InheritedFromUniqueProcessId 0x3e0
		_EPROCESS.Peb 0x3f8
		_EPROCESS.WoW64Process 0x428
		_EPROCESS.ImageFileName 0x450
		_EPROCESS.SeAuditProcessCreationInfo 0x468
		_EPROCESS.ExitStatus 0x654
		_EPROCESS.VadRoot 0x658
		_EPROCESS.ExitTime 0x6c0
		_KLDR_DATA_TABLE_ENTRY.InLoadOrderLinks 0x0
		_KLDR_DATA_TABLE_ENTRY.DllBase 0x30
		_KLDR_DATA_TABLE_ENTRY.SizeOfImage 0x40
		_KLDR_DATA_TABLE_ENTRY.FullDllName 0x48
		_KLDR_DATA_TABLE_ENTRY.BaseDllName 0x58
		_EWOW64PROCESS.Peb 0x10
		_RTL_BALANCED_NODE.Left 0x0
		_RTL_BALANCED_NODE.Right 0x8
		_MMVAD_SHORT.StartingVpn 0x18
		_MMVAD_SHORT.EndingVpn 0x1c
		_MMVAD_SHORT.StartingVpnHigh 0x20
		_MMVAD_SHORT.EndingVpnHigh 0x21
		_MMVAD_SHORT.u 0x30
		_MMVAD_FLAGS.Protection 8:5
		_MMVAD_FLAGS.PrivateMemory 21:1
		_MMVAD.Subsection 0x48
		_SUBSECTION.ControlArea 0x0
		_CONTROL_AREA.FilePointer 0x40
		_FILE_OBJECT.FileName 0x58
	EOF
	/usr/bin/python3 "$MF_TOP_SRCDIR/tests/win32-mkimage.py" "$BATS_FILE_TMPDIR/pdb.raw" full "$NTOSKRNL" \
		"$BATS_FILE_TMPDIR/pdb-layout.offsets" >"$BATS_FILE_TMPDIR/pdb.oracle"
	# the same layout with a CodeView record in ntoskrnl, and a symbol server's cache that
	# holds the PDB under the name and GUID/age the record gives
	/usr/bin/python3 "$MF_TOP_SRCDIR/tests/win32-mkimage.py" "$BATS_FILE_TMPDIR/pdb-rsds.raw" rsds "$NTOSKRNL" \
		"$BATS_FILE_TMPDIR/pdb-layout.offsets" >"$BATS_FILE_TMPDIR/pdb-rsds.oracle"
	mkdir -p "$BATS_FILE_TMPDIR/sym/ntkrnlmp.pdb/131211101514171618191A1B1C1D1E1F3" "$BATS_FILE_TMPDIR/none"
	cp "$BATS_FILE_TMPDIR/ntkernel.pdb" "$BATS_FILE_TMPDIR/sym/ntkrnlmp.pdb/131211101514171618191A1B1C1D1E1F3/"
	mv "$BATS_FILE_TMPDIR/sym/ntkrnlmp.pdb/131211101514171618191A1B1C1D1E1F3/ntkernel.pdb" \
		"$BATS_FILE_TMPDIR/sym/ntkrnlmp.pdb/131211101514171618191A1B1C1D1E1F3/ntkrnlmp.pdb"
}

setup() {
	require_file "$NTOSKRNL"
	require_cmd jq
	D=$BATS_FILE_TMPDIR
}


@test "win32: the processor start block gives the root, ntoskrnl.exe is found below its entry point, the build from NtBuildNumber and KUSER_SHARED_DATA" {
	run -0 --separate-stderr mf-attach -v -f json -c "raw:$D/full.raw" -o win32
	no_sanitizer
	assert_equal "$(grep -c . <<<"$output")" 1
	assert_equal "$(jq -r '.hints | "\(.kernel_dtb) \(.kernel_base) \(.build) \(.arch)"' <<<"$output")" \
		"$(oracle full dtb | cut -d' ' -f2) $(oracle full kernel | cut -d' ' -f2) 19041 x86_64"
	assert_equal "$(jq -r '.hints.ps_active_process_head' <<<"$output")" 0xfffff80312438500
	assert_equal "$(jq -r '.hints.ps_loaded_module_list' <<<"$output")" 0xfffff80312438540
	stderr_has 'mf-attach: win32: processor start block at physical 0x1000: CR3 0x100000, kernel entry 0xfffff80312422410' \
		'mf-attach: win32: page-table root 0x100000 (x86_64) from the processor start block at physical 0x1000' \
		'mf-attach: win32: ntoskrnl.exe at 0xfffff80312400000 (0x12d000 bytes), below the kernel entry point' \
		'mf-attach: win32: NtBuildNumber 0xf0004a61 (build 19041, free build)' \
		'mf-attach: win32: KUSER_SHARED_DATA: Windows 10.0 build 19041'
	grep -q '^mf-attach: win32: structure offsets from the table of build 19041 (.*/x86_64-19041.offsets)$' <<<"$stderr" ||
		fail "$stderr"
}

@test "win32: with no start block, a self-referencing PML4 found by scan gives the root, and ntoskrnl.exe is found by walking kernel space" {
	run -0 --separate-stderr mf-attach -v -f json -c "raw:$D/selfref.raw" -o win32
	no_sanitizer
	stderr_has 'mf-attach: win32: no processor start block in the first 1 MiB' \
		'mf-attach: win32: page-table root 0x100000 (x86_64) from a self-referencing top-level table (entry 493) found by scan'
	grep -q '^mf-attach: win32: ntoskrnl.exe at 0xfffff80312400000 (0x12d000 bytes), found by scanning kernel space' \
		<<<"$stderr" || fail "$stderr"
	run -0 ours_ps -c "raw:$D/selfref.raw" -o win32
	assert_output "$(oracle selfref process)"
}

@test "win32: mf-ps lists the processes (pid, ppid, name) in list order, with path, command line and page-table root" {
	run -0 ours_ps -c "raw:$D/full.raw" -o win32
	assert_output "$(oracle full process)"
	assert_equal "${#lines[@]}" 5
	run -0 --separate-stderr mf-ps -f json -c "raw:$D/full.raw" -o win32
	run -0 jq -c 'select(.pid == 2044) | [.path, .cmdline, .dtb, .arch]' <<<"$output"
	assert_output '["\\Device\\HarddiskVolume3\\Windows\\explorer.exe","C:\\Windows\\Explorer.EXE /factory,{75dff2b7-6936-4c06-a8bb-676a7b00b24b}","0x203000","x86_64"]'
	# System: no PEB, no audit name; the root is the kernel's
	run -0 bash -c 'mf-ps -f json -c "raw:$1" -o win32 | jq -c "select(.pid == 4) | [.name, .path, .cmdline, .dtb]"' - "$D/full.raw"
	assert_output '["System","","","0x100000"]'
	# process memory through the process's own page-table root: PEB.ImageBaseAddress
	run -0 --separate-stderr mf-read -f json -c "raw:$D/full.raw" -o win32 -p 2044 0x7ffde010 8
	assert_equal "$(jq -r 'select(.type == "mem") | .data' <<<"$output")" 000000a0f67f0000
	# ImageFileName is 15 bytes: a longer name is cut there, as Windows cuts it
	run -0 bash -c 'mf-ps -f json -c "raw:$1" -o win32 | jq -r "select(.pid == 5120) | .name"' - "$D/full.raw"
	assert_output a_very_long_nam
}

@test "win32: each process's create time, and of one that exited its exit time and status (CreateTime, ExitTime, ExitStatus)" {
	w32_ptimes full
	# the exited one is listed with state Z; JSON and the --times table show the times
	run -0 --separate-stderr mf-ps -f json -c "raw:$D/full.raw" -o win32 -p 356
	assert_equal "$(jq -c 'select(.type == "process") | [.state, .start_time, .exit_time, .exit_status]' <<<"$output")" \
		'["Z","2025-06-01T08:00:07.123456700Z","2025-06-01T08:00:49.123465600Z",3221225786]'
	run -0 --separate-stderr mf-ps --times -f table -c "raw:$D/full.raw" -o win32 -p 356,468
	assert_line --index 1 --regexp '^ +356 +4  Z  2025-06-01T08:00:07Z  2025-06-01T08:00:49Z  3221225786  smss.exe$'
	assert_line --index 2 --regexp '^ +468 +356  -  2025-06-01T08:00:14Z  - +-  csrss.exe$'
}

@test "win32: mf-ps --threads lists a process's threads (ThreadListHead): ids, states, descriptions; a looping list ends with a warning" {
	w32_threads ""
}

@test "win32: mf-modules --kernel lists PsLoadedModuleList (found in ntoskrnl's .bss: Wine exports no PsLoadedModuleList)" {
	run -0 --separate-stderr mf-modules --kernel -f json -c "raw:$D/full.raw" -o win32
	run -0 jq -r 'select(.type == "module") | "module \(.base) \(.size) \(.name)"' <<<"$output"
	assert_output "$(oracle full module)"
	run -0 bash -c 'mf-modules --kernel -f json -c "raw:$1" -o win32 | jq -r "select(.name == \"ACPI.sys\") | .path"' - "$D/full.raw"
	assert_output '\SystemRoot\System32\drivers\ACPI.sys'
}

@test "win32: mf-modules -p lists a process's modules from its PEB's loader list, a WoW64 process's 32-bit list as x86; System has none" {
	run -0 --separate-stderr mf-modules -p 2044,5120 -f json -c "raw:$D/full.raw" -o win32
	no_sanitizer
	run -0 jq -r 'select(.type == "module") | "umodule \(.pid) \(.base) \(.size) \(.name) \(.path) \(.arch)"' <<<"$output"
	assert_output "$(oracle full umodule)"
	assert_equal "${#lines[@]}" 4
	run -0 --separate-stderr mf-modules -p 4 -f json -c "raw:$D/full.raw" -o win32
	assert_equal "$(jq -c 'select(.type == "module")' <<<"$output")" ""
	run -1 --separate-stderr mf-modules -p 9999 -f json -c "raw:$D/full.raw" -o win32
	assert_stderr --partial "no process 9999"
}

@test "win32: ntoskrnl.exe!NAME resolves through the kernel's exports: mf-read gives NtBuildNumber's bytes, mf-syms every export" {
	run -0 --separate-stderr mf-read -f json -c "raw:$D/full.raw" -o win32 --kernel 'ntoskrnl.exe!NtBuildNumber' 4
	run -0 jq -r 'select(.type == "mem") | "\(.addr) \(.data)"' <<<"$output"
	assert_output "0xfffff803124380ac 614a00f0"
	# KUSER_SHARED_DATA.NtBuildNumber through the same kernel space
	run -0 --separate-stderr mf-read -f json -c "raw:$D/full.raw" -o win32 --kernel 0xfffff78000000260 4
	assert_equal "$(jq -r 'select(.type == "mem") | .data' <<<"$output")" 614a0000
	# an address inside an export: the nearest one at or below it
	run -0 --separate-stderr mf-syms -f json -c "raw:$D/full.raw" -o win32 --at 0xfffff803124380ae
	assert_equal "$(jq -r 'select(.type == "symbol") | "\(.module)!\(.name) \(.addr)"' <<<"$output")" \
		"ntoskrnl.exe!NtBuildNumber 0xfffff803124380ac"
	# as many exports of ntoskrnl.exe as its export directory holds (pe-dump reads the file)
	run -0 --separate-stderr mf-syms -f json -c "raw:$D/full.raw" -o win32
	assert_equal "$(jq -r 'select(.type == "symbol" and .module == "ntoskrnl.exe") | .name' <<<"$output" | wc -l)" \
		"$(pe-dump "$NTOSKRNL" | grep -c '^\(export\|forward\) ')"
}

@test "win32: a saved target record reopens with no search and lists the same" {
	mf-attach -q -c "raw:$D/full.raw" -o win32 >"$D/t.mp"
	run -0 --separate-stderr mf-ps -v -f json -t "$D/t.mp"
	stderr_has 'mf-ps: win32: page-table root 0x100000 (x86_64), ntoskrnl.exe at 0xfffff80312400000 from the target record: no search'
	grep -q 'start block\|scan' <<<"$stderr" && fail "searched again: $stderr"
	run -0 bash -c 'mf-ps -f json -t "$1" | jq -r "select(.type == \"process\") | \"process \(.pid) \(.ppid) \(.name)\""' - "$D/t.mp"
	assert_output "$(oracle full process)"
}

@test "win32: dtb= from the user is used as given; a wrong or malformed one is a one-line error" {
	run -0 --separate-stderr mf-attach -v -f json -c "raw:$D/selfref.raw" -o win32:dtb=0x100000
	stderr_has 'mf-attach: win32: page-table root 0x100000 (x86_64) from dtb= (the user)'
	grep -q 'start block\|self-referencing' <<<"$stderr" && fail "searched: $stderr"
	run -1 --separate-stderr mf-attach -c "raw:$D/full.raw" -o win32:dtb=0x123000
	assert_stderr 'mf-attach: win32: no ntoskrnl.exe found through dtb=0x123000'
	run -1 --separate-stderr mf-attach -c "raw:$D/full.raw" -o win32:dtb=xyz
	assert_stderr "mf-attach: win32: invalid dtb 'xyz'"
}

@test "win32: a process list that loops, or leads into unmapped memory, gives the processes before the break and a warning" {
	w32_broken_lists ""
	grep -q '^mf-ps: warning: win32: the process at 0xffffa00012344bb8 cannot be read: the list ends there$' <<<"$stderr" ||
		fail "$stderr"
}

@test "win32: an ntoskrnl.exe whose export directory lies about its size is not taken: a one-line error, at once" {
	run -1 --separate-stderr timeout 60 mf-attach -c "raw:$D/lyingpe.raw" -o win32
	no_sanitizer
	assert_stderr 'mf-attach: win32: no Windows kernel found (no page-table root through which ntoskrnl.exe is mapped)'
	run -1 --separate-stderr mf-attach -c "raw:$D/full.raw.missing" -o win32
	run -1 --separate-stderr mf-attach -c "raw:$BATS_TEST_DIRNAME/fixtures/third-party/SOURCES.md" -o win32
	assert_equal "${#stderr_lines[@]}" 1
}

@test "win32: offsets: the nearest lower build's table, stated; none at or below the build is one line naming it; a broken table names file and line" {
	mkdir -p "$D/tables/win32" "$D/none" "$D/broken/win32"
	sed 's/^build 19041/build 19000/' "$MF_TOP_SRCDIR/os/win32/offsets/x86_64-19041.offsets" >"$D/tables/win32/x86_64-19000.offsets"
	cp "$D/tables/win32/x86_64-19000.offsets" "$D/tables/win32/x86_64-20000.offsets"
	MF_DATA_PATH=$D/tables run -0 --separate-stderr mf-attach -v -f json -c "raw:$D/full.raw" -o win32
	stderr_has "mf-attach: win32: structure offsets from the table of build 19000, the nearest lower build: none for 19041 ($D/tables/win32/x86_64-19000.offsets)"
	# no table: MF_DATA_PATH replaces the installed directory, and this one has no win32 tables
	MF_DATA_PATH=$D/none run -1 --separate-stderr mf-attach -c "raw:$D/full.raw" -o win32
	assert_equal "${#stderr_lines[@]}" 1
	assert_stderr --regexp '^mf-attach: win32: no structure offsets for build 19041: give pdb=FILE \(ntoskrnl.exe names no PDB: no debug directory; no table at or below the build in [^ ]*/none/win32\)$'
	grep -v VadRoot "$MF_TOP_SRCDIR/os/win32/offsets/x86_64-19041.offsets" >"$D/broken/win32/x86_64-19041.offsets"
	MF_DATA_PATH=$D/broken run -1 --separate-stderr mf-attach -c "raw:$D/full.raw" -o win32
	assert_stderr "mf-attach: $D/broken/win32/x86_64-19041.offsets: no _EPROCESS.VadRoot"
	sed 's/^_EPROCESS.Peb 0x550/_EPROCESS.Peb 0x55z/' "$MF_TOP_SRCDIR/os/win32/offsets/x86_64-19041.offsets" \
		>"$D/broken/win32/x86_64-19041.offsets"
	MF_DATA_PATH=$D/broken run -1 --separate-stderr mf-attach -c "raw:$D/full.raw" -o win32
	assert_stderr --regexp "^mf-attach: $D/broken/win32/x86_64-19041.offsets:[0-9]+: _EPROCESS.Peb: invalid offset '0x55z'\$"
}

@test "win32: the real crash dump headers give their DirectoryTableBase and architecture to the layer (the stripped dumps hold no pages: no kernel)" {
	local f=$THIRD_PARTY/coredump_win10_64bit_stripped.raw
	require_file "$f" "$THIRD_PARTY/coredump_win7_32bit_stripped.raw"
	run -1 --separate-stderr mf-attach -v -c "$f" -o win32
	stderr_has 'mf-attach: win32: DirectoryTableBase 0x3e6b1a000 (x86_64) from the connector'"'"'s hint (crash dump header)'
	assert_equal "${stderr_lines[-1]}" 'mf-attach: win32: no Windows kernel found (no page-table root through which ntoskrnl.exe is mapped)'
	# Windows 7 x86: PaeEnabled 1, its DirectoryTableBase a PDPT (32-byte aligned, not a
	# page): tried as a PAE root as it is; only x86-pae tables are scanned for after it
	run -1 --separate-stderr mf-attach -v -c "$THIRD_PARTY/coredump_win7_32bit_stripped.raw" -o win32
	stderr_has 'mf-attach: win32: DirectoryTableBase 0xbf62f2e0 (x86-pae) from the connector'"'"'s hint (crash dump header)' \
		'mf-attach: win32: page-table root 0xbf62f2e0 (x86-pae) from the connector'"'"'s hint (crash dump header): not used (no ntoskrnl.exe in kernel space (0 PE headers looked at))' \
		'mf-attach: win32: no self-referencing page table (x86-pae) in physical memory'
	grep -q 'start block' <<<"$stderr" && fail "an x64 start block looked for: $stderr"
	assert_equal "${stderr_lines[-1]}" 'mf-attach: win32: no Windows kernel found (no page-table root through which ntoskrnl.exe is mapped)'
}

@test "win32: pdb= gives the offsets (a PDB lld-link wrote, types at another layout than the installed table)" {
	require_cmd clang-14 lld-link-14
	mkdir -p "$D/none"
	MF_DATA_PATH=$D/none run -0 --separate-stderr mf-ps -v -f json -c "raw:$D/pdb.raw" -o "win32:pdb=$D/ntkernel.pdb"
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "process") | "process \(.pid) \(.ppid) \(.name)"' <<<"$output")" \
		"$(oracle pdb process)"
	assert_equal "$(jq -r 'select(.pid == 2044) | .cmdline' <<<"$output")" \
		'C:\Windows\Explorer.EXE /factory,{75dff2b7-6936-4c06-a8bb-676a7b00b24b}'
	grep -q "^mf-ps: win32: structure offsets from the PDB $D/ntkernel.pdb ([0-9A-F]\{33,\})\$" <<<"$stderr" || fail "$stderr"
	run -0 bash -c 'MF_DATA_PATH=$2 mf-modules --kernel -f json -c "raw:$1" -o "win32:pdb=$3" |
		jq -r "select(.type == \"module\") | \"module \(.base) \(.size) \(.name)\""' - "$D/pdb.raw" "$D/none" "$D/ntkernel.pdb"
	assert_output "$(oracle pdb module)"
	# the VAD tree's flags at the PDB's bit positions
	run -0 bash -c 'MF_DATA_PATH=$2 mf-modules --maps -p 2044 -f json -c "raw:$1" -o "win32:pdb=$3" |
		jq -r "select(.type == \"map\") | \"map \(.pid) \(.start) \(.end) \(.perms) \(.path)\""' - "$D/pdb.raw" "$D/none" "$D/ntkernel.pdb"
	assert_output "$(oracle pdb map)"
	# the installed table does not fit this image: names are wrong or missing there
	run -0 --separate-stderr mf-ps -f json -c "raw:$D/pdb.raw" -o win32
	refute_output --partial '"explorer.exe"'
	# a PDB without the kernel's types, and a file that is no PDB: one line each
	run -1 --separate-stderr mf-attach -c "raw:$D/pdb.raw" -o "win32:pdb=$MF_TOP_SRCDIR/README.md"
	assert_equal "${#stderr_lines[@]}" 1
	assert_stderr --regexp "^mf-attach: win32: .*README.md: "
	run -1 --separate-stderr mf-attach -c "raw:$D/pdb.raw" -o "win32:pdb=$D/missing.pdb"
	assert_equal "${#stderr_lines[@]}" 1
}

@test "win32: with no table and no PDB, the error names the PDB that ntoskrnl.exe's CodeView record asks for; a PDB that is not it is a warning" {
	mkdir -p "$D/none"
	MF_DATA_PATH=$D/none run -1 --separate-stderr mf-attach -c "raw:$D/rsds.raw" -o win32
	no_sanitizer
	assert_equal "${#stderr_lines[@]}" 1
	assert_stderr --regexp '^mf-attach: win32: no structure offsets for build 19041: give pdb=FILE or symdir=DIR, from a symbol server ntkrnlmp.pdb/131211101514171618191A1B1C1D1E1F3/ntkrnlmp.pdb \(no table at or below the build in [^ ]*/none/win32\)$'
	run -0 bash -c 'mf-modules --kernel -f json -c "raw:$1" -o win32 | jq -r "select(.name == \"ntoskrnl.exe\") | \"\(.pdb) \(.pdb_id)\""' - "$D/rsds.raw"
	assert_output "ntkrnlmp.pdb 131211101514171618191A1B1C1D1E1F3"
	require_cmd clang-14 lld-link-14
	run -0 --separate-stderr mf-attach -f json -c "raw:$D/rsds.raw" -o "win32:pdb=$D/ntkernel.pdb"
	assert_stderr --regexp "^mf-attach: warning: win32: $D/ntkernel.pdb is [0-9A-F]+, ntoskrnl.exe names ntkrnlmp.pdb 131211101514171618191A1B1C1D1E1F3: offsets may not fit"
}

@test "win32: symdir=: the PDB ntoskrnl.exe's CodeView record names, from a symbol server's cache (DIR/NAME/GUIDAGE/NAME); not there: a warning, then the tables" {
	require_cmd clang-14 lld-link-14
	local pdb=$D/sym/ntkrnlmp.pdb/131211101514171618191A1B1C1D1E1F3/ntkrnlmp.pdb
	MF_DATA_PATH=$D/none run -0 --separate-stderr mf-ps -v -f json -c "raw:$D/pdb-rsds.raw" -o "win32:symdir=$D/sym"
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "process") | "process \(.pid) \(.ppid) \(.name)"' <<<"$output")" \
		"$(oracle pdb-rsds process)"
	grep -q "^mf-ps: win32: structure offsets from the PDB $pdb ([0-9A-F]\{33,\})\$" <<<"$stderr" || fail "$stderr"
	# the file in the cache is lld's, with its own GUID: said, as for pdb=
	grep -q "^mf-ps: warning: win32: $pdb is [0-9A-F]*, ntoskrnl.exe names ntkrnlmp.pdb 131211101514171618191A1B1C1D1E1F3: offsets may not fit" <<<"$stderr" ||
		fail "$stderr"
	# a relative symdir= in a saved target works from another directory
	(cd "$D" && MF_DATA_PATH=$D/none mf-attach -q -c "raw:$D/pdb-rsds.raw" -o win32:symdir=sym >"$D/symdir.target")
	run -0 bash -c 'cd / && MF_DATA_PATH=$2 mf-ps -q -f json -t "$1" | jq -r "select(.type == \"process\") | .pid" | paste -sd " "' \
		- "$D/symdir.target" "$D/none"
	assert_output "$(oracle pdb-rsds process | awk '{ print $2 }' | paste -sd ' ')"
	# a cache without this PDB: a warning naming what was looked for, then the installed table
	mkdir -p "$D/emptysym"
	run -0 --separate-stderr mf-ps -f json -c "raw:$D/rsds.raw" -o "win32:symdir=$D/emptysym"
	assert_equal "$(jq -r 'select(.type == "process") | "process \(.pid) \(.ppid) \(.name)"' <<<"$output")" \
		"$(oracle rsds process)"
	assert_stderr "mf-ps: warning: win32: $D/emptysym has no ntkrnlmp.pdb/131211101514171618191A1B1C1D1E1F3/ntkrnlmp.pdb"
	# ... and with no table either, the one-line error
	MF_DATA_PATH=$D/none run -1 --separate-stderr mf-ps -c "raw:$D/rsds.raw" -o "win32:symdir=$D/emptysym"
	assert_equal "${#stderr_lines[@]}" 2
	assert_stderr --regexp 'no structure offsets for build 19041: give pdb=FILE or symdir=DIR'
	# a symdir= that is no directory: one line, exit 1
	run -1 --separate-stderr mf-ps -c "raw:$D/rsds.raw" -o "win32:symdir=$D/rsds.raw"
	assert_equal "${#stderr_lines[@]}" 1
	assert_stderr --regexp "cannot open symdir directory $D/rsds.raw: Not a directory"
}

@test "win32: a full crash dump's header gives the root and both list heads (no start block, no self-map in it)" {
	run -0 --separate-stderr mf-attach -v -f json -c "$D/crashdump.dmp" -o win32
	no_sanitizer
	assert_equal "$(jq -r '.hints | "\(.format) \(.kernel_dtb) \(.ps_active_process_head)"' <<<"$output")" \
		"crashdump-full64 0x100000 0xfffff80312438500"
	stderr_has "mf-attach: win32: page-table root 0x100000 (x86_64) from the connector's hint (crash dump header)"
	grep -q 'start block\|self-referencing\|found in ntoskrnl\|entry in ntoskrnl' <<<"$stderr" && fail "searched: $stderr"
	stderr_has 'mf-attach: win32: PsActiveProcessHead 0xfffff80312438500 from the hints' \
		'mf-attach: win32: PsLoadedModuleList 0xfffff80312438540 from the hints'
	run -0 ours_ps -c "$D/crashdump.dmp" -o win32
	assert_output "$(oracle crashdump process)"
	run -0 bash -c 'mf-modules --kernel -f json -c "$1" -o win32 | jq -r "select(.type == \"module\") | .name" | paste -sd " "' - "$D/crashdump.dmp"
	assert_output "ntoskrnl.exe hal.dll ACPI.sys"
}

@test "win32: mf-modules --maps lists a process's VAD tree in address order, with protections and mapped files; a looping tree ends with a warning" {
	run -0 --separate-stderr mf-modules --maps -p 2044 -f json -c "raw:$D/full.raw" -o win32
	no_sanitizer
	run -0 jq -r 'select(.type == "map") | "map \(.pid) \(.start) \(.end) \(.perms) \(.path)"' <<<"$output"
	assert_output "$(oracle full map)"
	assert_equal "${#lines[@]}" 3
	run -0 --separate-stderr timeout 60 mf-modules --maps -p 2044 -f json -c "raw:$D/cyclic.raw" -o win32
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "map") | "map \(.pid) \(.start) \(.end) \(.perms) \(.path)"' <<<"$output")" \
		"$(oracle cyclic map)"
	grep -q '^mf-modules: warning: win32: pid 2044: the VAD tree loops back to 0x[0-9a-f]*: the walk ends there$' <<<"$stderr" ||
		fail "$stderr"
	# a table without the VAD members: processes still; the layer lists no maps, so
	# mf-modules --maps gives the page tables' (no file names)
	mkdir -p "$D/novad/win32"
	grep -v '_MMVAD\|_RTL_BALANCED\|_SUBSECTION\|_CONTROL_AREA\|_FILE_OBJECT' \
		"$MF_TOP_SRCDIR/os/win32/offsets/x86_64-19041.offsets" >"$D/novad/win32/x86_64-19041.offsets"
	MF_DATA_PATH=$D/novad run -0 --separate-stderr mf-attach -v -f json -c "raw:$D/full.raw" -o win32
	stderr_has "mf-attach: win32: $D/novad/win32/x86_64-19041.offsets has no _RTL_BALANCED_NODE.Left: no memory maps"
	MF_DATA_PATH=$D/novad run -0 ours_ps -c "raw:$D/full.raw" -o win32
	assert_output "$(oracle full process)"
	MF_DATA_PATH=$D/novad run -0 --separate-stderr mf-modules --maps -p 2044 -f json -c "raw:$D/full.raw" -o win32
	assert_equal "$(jq -r 'select(.type == "map") | "\(.start) \(.end) \(.path)"' <<<"$output" | head -1)" "0x7ffde000 0x7ffe0000 "
	refute_output --partial explorer.exe
}
