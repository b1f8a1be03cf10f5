#!/usr/bin/env bats
# The win32 os layer on x86 (2-level) and PAE (3-level) kernels, over images that
# tests/win32-mkimage.py builds around Wine's real 32-bit ntoskrnl.exe (libwine:i386, a
# PE32 image, machine 0x14c, fetched by tests/win32-ntoskrnl32.py into the guest cache:
# skipped with the reason when it cannot be had), with the structures at the offsets of
# the installed build-18363 x86 table.  The generator prints what must be found (the
# oracle), including the runs of pages the kernel's tables map (its own walk, in Python),
# which the host's page map (struct mf_phys page_map, seen through the test os layer
# tests/unit/pagemap-os.c) must give.  The real 32-bit crash dump header's PAE facts are
# checked in tests/win32.bats.
load test_helper
load tools_helper
load win32_helper

NTOSKRNL64=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/ntoskrnl.exe

setup_file() {
	local nt v rc=0
	nt=$(/usr/bin/python3 "$MF_TOP_SRCDIR/tests/win32-ntoskrnl32.py" 2>"$BATS_FILE_TMPDIR/fetch.err") || rc=$?
	if [[ $rc -ne 0 ]]; then
		{ [[ $rc -eq 77 ]] && sed -n 's/^win32-ntoskrnl32: skip: //p' "$BATS_FILE_TMPDIR/fetch.err"; } >"$BATS_FILE_TMPDIR/skip"
		[[ -s $BATS_FILE_TMPDIR/skip ]] || echo "win32-ntoskrnl32.py failed: $(cat "$BATS_FILE_TMPDIR/fetch.err")" \
			>"$BATS_FILE_TMPDIR/fail"
		return 0
	fi
	echo "$nt" >"$BATS_FILE_TMPDIR/ntoskrnl32"
	for v in x86-full x86-cyclic x86-wild x86-lyingpe x86-crashdump pae-full pae-crashdump; do
		/usr/bin/python3 "$MF_TOP_SRCDIR/tests/win32-mkimage.py" "$BATS_FILE_TMPDIR/$v.raw" "$v" "$nt" \
			>"$BATS_FILE_TMPDIR/$v.oracle"
	done
	mv "$BATS_FILE_TMPDIR/x86-crashdump.raw" "$BATS_FILE_TMPDIR/x86-crashdump.dmp"
	mv "$BATS_FILE_TMPDIR/pae-crashdump.raw" "$BATS_FILE_TMPDIR/pae-crashdump.dmp"
	if [[ -r $NTOSKRNL64 ]]; then
		/usr/bin/python3 "$MF_TOP_SRCDIR/tests/win32-mkimage.py" "$BATS_FILE_TMPDIR/full.raw" full "$NTOSKRNL64" \
			>"$BATS_FILE_TMPDIR/full.oracle"
	fi
}

setup() {
	D=$BATS_FILE_TMPDIR
	[[ ! -e $D/fail ]] || fail "$(cat "$D/fail")"
	[[ ! -s $D/skip ]] || skip "$(cat "$D/skip")"
	require_cmd jq
	NTOSKRNL32=$(cat "$D/ntoskrnl32")
}


@test "win32 x86: a page directory that maps itself at PDE 0x300 gives the root; ntoskrnl.exe (PE32, machine 0x14c) found in the kernel half; build, offsets, list heads" {
	run -0 --separate-stderr mf-attach -v -f json -c "raw:$D/x86-full.raw" -o win32
	no_sanitizer
	assert_equal "$(jq -r '.hints | "\(.arch) \(.kernel_dtb) \(.kernel_base) \(.build)"' <<<"$output")" \
		"x86 $(oracle x86-full dtb | cut -d' ' -f2) $(oracle x86-full kernel | cut -d' ' -f2) 18363"
	assert_equal "$(jq -r '.hints | "\(.ps_active_process_head) \(.ps_loaded_module_list)"' <<<"$output")" "0x82438500 0x82438540"
	# the PD's entry 0x300 read as an 8-byte PML4 entry looks like an x64 self-map too: tried first, not taken
	stderr_has 'mf-attach: win32: page-table root 0x100000 (x86_64) from a self-referencing top-level table (entry 384) found by scan: not used (no ntoskrnl.exe in kernel space (0 PE headers looked at))' \
		'mf-attach: win32: page-table root 0x100000 (x86) from a self-referencing page directory (entry 768) found by scan' \
		'mf-attach: win32: ntoskrnl.exe at 0x82400000 (0xff000 bytes), found by scanning kernel space (1 PE headers looked at)' \
		'mf-attach: win32: NtBuildNumber 0xf00047bb (build 18363, free build)' \
		'mf-attach: win32: KUSER_SHARED_DATA: Windows 10.0 build 18363'
	grep -q '^mf-attach: win32: structure offsets from the table of build 18363 (.*/x86-18363.offsets)$' <<<"$stderr" ||
		fail "$stderr"
}

@test "win32 PAE: the last page directory's self-map finds ntoskrnl.exe, then the System process's DirectoryTableBase (a PDPT at a 32-byte aligned address) is the root" {
	run -0 --separate-stderr mf-attach -v -f json -c "raw:$D/pae-full.raw" -o win32
	no_sanitizer
	assert_equal "$(oracle pae-full dtb)" "dtb 0xf00e0"
	assert_equal "$(jq -r '.hints | "\(.arch) \(.kernel_dtb) \(.kernel_base) \(.build)"' <<<"$output")" \
		"x86-pae 0xf00e0 $(oracle pae-full kernel | cut -d' ' -f2) 18363"
	local pd3
	pd3=$(oracle pae-full selfmap | cut -d' ' -f2)
	stderr_has "mf-attach: win32: page-table root $pd3 (x86-pae) from a self-referencing page directory, the last of a PDPT's four (entry 3) found by scan" \
		"mf-attach: win32: page-table root 0xf00e0 (x86-pae) from the System process's DirectoryTableBase (the self-map's directory $pd3 found it)"
}

@test "win32 x86, PAE: mf-ps lists the processes (pid, ppid, name) in list order, with path, command line, page-table root and architecture" {
	local v
	for v in x86-full pae-full; do
		run -0 ours_ps -c "raw:$D/$v.raw" -o win32
		assert_output "$(oracle $v process)"
		assert_equal "${#lines[@]}" 5
	done
	run -0 --separate-stderr mf-ps -f json -c "raw:$D/x86-full.raw" -o win32
	assert_equal "$(jq -c 'select(.pid == 2044) | [.path, .cmdline, .dtb, .arch]' <<<"$output")" \
		'["\\Device\\HarddiskVolume3\\Windows\\explorer.exe","C:\\Windows\\Explorer.EXE /factory,{75dff2b7-6936-4c06-a8bb-676a7b00b24b}","0x203000","x86"]'
	assert_equal "$(jq -c 'select(.pid == 4) | [.name, .path, .dtb]' <<<"$output")" '["System","","0x100000"]'
	assert_equal "$(jq -r 'select(.pid == 5120) | .name' <<<"$output")" a_very_long_nam
	# PAE roots of processes are 32-byte aligned PDPTs, kept as they are
	run -0 --separate-stderr mf-ps -f json -c "raw:$D/pae-full.raw" -o win32
	assert_equal "$(jq -r 'select(.type == "process") | "\(.pid) \(.dtb) \(.arch)"' <<<"$output" | paste -sd ' ')" \
		"4 0xf00e0 x86-pae 356 0x201020 x86-pae 468 0x202040 x86-pae 2044 0x203060 x86-pae 5120 0x204080 x86-pae"
	# process memory through the process's own PDPT: PEB.ImageBaseAddress (+8 in the x86 PEB)
	run -0 --separate-stderr mf-read -f json -c "raw:$D/pae-full.raw" -o win32 -p 2044 0x7ffde008 4
	assert_equal "$(jq -r 'select(.type == "mem") | .data' <<<"$output")" 0000c200
}

@test "win32 x86, PAE: kernel modules from PsLoadedModuleList (32-bit entries), a process's modules from its PEB's 32-bit loader list, its VAD tree as maps" {
	local v
	for v in x86-full pae-full; do
		run -0 bash -c 'mf-modules --kernel -f json -c "raw:$1" -o win32 | jq -r "select(.type == \"module\") | \"module \(.base) \(.size) \(.name)\""' - "$D/$v.raw"
		assert_output "$(oracle $v module)"
		run -0 bash -c 'mf-modules -p 2044 -f json -c "raw:$1" -o win32 | jq -r "select(.type == \"module\") | \"umodule \(.pid) \(.base) \(.size) \(.name) \(.path) \(.arch)\""' - "$D/$v.raw"
		assert_output "$(oracle $v umodule)"
		assert_equal "${#lines[@]}" 2
		run -0 bash -c 'mf-modules --maps -p 2044 -f json -c "raw:$1" -o win32 | jq -r "select(.type == \"map\") | \"map \(.pid) \(.start) \(.end) \(.perms) \(.path)\""' - "$D/$v.raw"
		assert_output "$(oracle $v map)"
		assert_equal "${#lines[@]}" 3
	done
	run -0 bash -c 'mf-modules --kernel -f json -c "raw:$1" -o win32 | jq -r "select(.name == \"ACPI.sys\") | .path"' - "$D/x86-full.raw"
	assert_output '\SystemRoot\System32\drivers\ACPI.sys'
	# System has no PEB: no modules
	run -0 --separate-stderr mf-modules -p 4 -f json -c "raw:$D/x86-full.raw" -o win32
	assert_equal "$(jq -c 'select(.type == "module")' <<<"$output")" ""
}

@test "win32 x86, PAE: each process's create time, and of one that exited its exit time and status" {
	w32_ptimes x86-full
	w32_ptimes pae-full
}

@test "win32 x86: mf-ps --threads lists a process's threads (the 32-bit ThreadListHead, ETHREAD and thread description); a looping list ends with a warning" {
	w32_threads x86-
}

@test "win32 x86: ntoskrnl.exe!NAME resolves through the 32-bit kernel's exports; mf-syms lists every one" {
	run -0 --separate-stderr mf-read -f json -c "raw:$D/x86-full.raw" -o win32 --kernel 'ntoskrnl.exe!NtBuildNumber' 4
	assert_equal "$(jq -r 'select(.type == "mem") | "\(.addr) \(.data)"' <<<"$output")" "0x8243886c bb4700f0"
	# KUSER_SHARED_DATA of x86, 0xffdf0000: its NtBuildNumber
	run -0 --separate-stderr mf-read -f json -c "raw:$D/x86-full.raw" -o win32 --kernel 0xffdf0260 4
	assert_equal "$(jq -r 'select(.type == "mem") | .data' <<<"$output")" bb470000
	run -0 --separate-stderr mf-syms -f json -c "raw:$D/x86-full.raw" -o win32
	assert_equal "$(jq -r 'select(.type == "symbol" and .module == "ntoskrnl.exe") | .name' <<<"$output" | wc -l)" \
		"$(pe-dump "$NTOSKRNL32" | grep -c '^\(export\|forward\) ')"
}

@test "win32 x86, PAE: a 32-bit full crash dump's header (PAGEDUMP, PaeEnabled 0 or 1) gives the architecture, the root and both list heads" {
	local v arch
	for v in x86-crashdump pae-crashdump; do
		arch=x86
		[[ $v == pae-* ]] && arch=x86-pae
		run -0 --separate-stderr mf-attach -v -f json -c "$D/$v.dmp" -o win32
		no_sanitizer
		assert_equal "$(jq -r '.hints | "\(.format) \(.arch) \(.kernel_dtb) \(.ps_active_process_head)"' <<<"$output")" \
			"crashdump-full32 $arch $(oracle $v dtb | cut -d' ' -f2) 0x82438500"
		stderr_has "mf-attach: win32: page-table root $(oracle $v dtb | cut -d' ' -f2) ($arch) from the connector's hint (crash dump header)"
		grep -q 'self-referencing\|found in ntoskrnl\|entry in ntoskrnl\|(x86_64)' <<<"$stderr" && fail "searched: $stderr"
		run -0 ours_ps -c "$D/$v.dmp" -o win32
		assert_output "$(oracle $v process)"
	done
}

@test "win32 x86, PAE: dtb= is tried as x86_64, x86-pae and x86 in turn; a saved target record reopens as the architecture found" {
	run -0 --separate-stderr mf-attach -v -f json -c "raw:$D/pae-full.raw" -o win32:dtb=0xf00e0
	stderr_has 'mf-attach: win32: page-table root 0xf00e0 (x86-pae) from dtb= (the user)'
	grep -q 'self-referencing' <<<"$stderr" && fail "searched: $stderr"
	run -0 --separate-stderr mf-attach -v -f json -c "raw:$D/x86-full.raw" -o win32:dtb=0x100000
	stderr_has 'mf-attach: win32: page-table root 0x100000 (x86) from dtb= (the user)'
	run -1 --separate-stderr mf-attach -c "raw:$D/x86-full.raw" -o win32:dtb=0x123000
	assert_stderr 'mf-attach: win32: no ntoskrnl.exe found through dtb=0x123000'
	mf-attach -q -c "raw:$D/pae-full.raw" -o win32 >"$D/t.mp"
	run -0 --separate-stderr mf-ps -v -f json -t "$D/t.mp"
	stderr_has 'mf-ps: win32: page-table root 0xf00e0 (x86-pae), ntoskrnl.exe at 0x82400000 from the target record: no search'
	assert_equal "$(jq -r 'select(.type == "process") | "process \(.pid) \(.ppid) \(.name)"' <<<"$output")" "$(oracle pae-full process)"
}

@test "win32 x86: a looping or wild process list, a looping VAD tree, an export directory that lies: the right lists or one line, at once" {
	w32_broken_lists x86-
	grep -q '^mf-ps: warning: win32: the process at 0x96344f48 cannot be read: the list ends there$' <<<"$stderr" ||
		fail "$stderr"
	run -0 --separate-stderr timeout 60 mf-modules --maps -p 2044 -f json -c "raw:$D/x86-cyclic.raw" -o win32
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "map") | "map \(.pid) \(.start) \(.end) \(.perms) \(.path)"' <<<"$output")" \
		"$(oracle x86-cyclic map)"
	grep -q '^mf-modules: warning: win32: pid 2044: the VAD tree loops back to 0x[0-9a-f]*: the walk ends there$' <<<"$stderr" ||
		fail "$stderr"
	run -1 --separate-stderr timeout 60 mf-attach -c "raw:$D/x86-lyingpe.raw" -o win32
	no_sanitizer
	assert_stderr 'mf-attach: win32: no Windows kernel found (no page-table root through which ntoskrnl.exe is mapped)'
}

@test "the host's page map (mf_phys page_map, through a test os layer) gives the runs the kernels' tables map: x86, PAE, x86-64" {
	local v arch va pa len want
	export MF_PLUGIN_PATH=$MF_PLUGIN_PATH:$MF_TOP_BUILDDIR/tests/unit/.libs
	[[ -e $MF_TOP_BUILDDIR/tests/unit/.libs/mf-os-pagemap.so ]] || fail "no tests/unit/.libs/mf-os-pagemap.so (make check builds it)"
	for v in x86-full pae-full full; do
		case $v in x86-*) arch=x86 ;; pae-*) arch=x86-pae ;; *) arch=x86_64 ;; esac
		[[ -e $D/$v.oracle ]] || fail "no $v image"
		want=$(oracle $v run | while read -r _ va pa len; do printf 'run 0x%x 0x%x %s\n' "$va" "$((va + len))" "$pa"; done)
		[[ $(wc -l <<<"$want") -ge 4 ]] || fail "too few runs in the oracle: $want"
		run -0 bash -c 'mf-modules --kernel --maps -f json -c "raw:$1" -o "pagemap:arch=$2,root=$3" |
			jq -r "select(.type == \"map\") | \"run \(.start) \(.end) \(.offset)\""' - "$D/$v.raw" "$arch" "$(oracle $v dtb | cut -d' ' -f2)"
		assert_output "$want"
	done
}
