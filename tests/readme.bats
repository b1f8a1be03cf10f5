#!/usr/bin/env bats
# The README's tour, line by line, as written: each command line of its code blocks runs
# here and must exit 0, our tools with nothing but warnings on stderr.  Only what cannot be
# the same on this machine is substituted (SUBST below, applied to every line): the process
# the README calls 1234 (tests/mf-memtarget), its addresses and module, the value it holds,
# the dump files (the LiME fixture, dumps of the test guest taken by QEMU itself), the
# guest's name, gdb's -batch and cat for less (the README's gdb and less wait for keys), and
# the marker's name (other suites on this machine run their own "mfmarker").  The processes
# the tour names (sshd, mfmarker) are started here under those names.  Each line runs on a
# terminal (script(1)), as a user typing it has one.  The last test checks that no tour line
# is left out.
load test_helper
load tools_helper
. "$MF_TOP_SRCDIR/tests/guest/guest.bash"

: "${GUEST_TIMEOUT:=300}"   # a loaded machine boots the guest slowly
export GUEST_TIMEOUT
README=$MF_TOP_SRCDIR/README.md
LIME=$THIRD_PARTY/deb-x86_64-slice.lime

# The command lines of the README's tour: the indented lines of the sections "A short
# tour" (up to the next "## " heading), comments ("  # ...") dropped.
readme_tour() {
	awk '/^## A short tour/ { on = 1; next } /^## / { on = 0 } on && /^    [^ ]/' "$README" |
		sed -e 's/^    //' -e 's/ \+# .*$//' -e 's/ *$//'
}

setup_file() {
	: >"$BATS_FILE_TMPDIR/ran"
	: >"$BATS_FILE_TMPDIR/skipped"
	export QNAME="mfreadme-$$"
	mkdir -p "$BATS_FILE_TMPDIR/bin"
	local real
	real=$(command -v qemu-system-x86_64 || true)
	if [ -n "$real" ]; then
		printf '#!/bin/sh\nexec %s -name "guest=${QNAME}" "$@"\n' "$real" >"$BATS_FILE_TMPDIR/bin/qemu-system-x86_64"
		chmod +x "$BATS_FILE_TMPDIR/bin/qemu-system-x86_64"
	fi
	export PATH=$BATS_FILE_TMPDIR/bin:$PATH
	# the guest without KASLR: the tour's kernel addresses are the default ones
	if guest_require; then
		guest_start --nokaslr
		guest_pause
		guest_dump elf "$BATS_FILE_TMPDIR/vm.elf"
		guest_dump kdump-zlib "$BATS_FILE_TMPDIR/vm.kdump"
	fi
}

teardown_file() {
	guest_stop_all
}

setup() {
	start_memtarget
	bash -c 'exec -a sshd sleep 600' 3>&- &
	SSHD=$!
	bash -c "exec -a mfmarker-$$ sleep 600" 3>&- &
	MARKER=$!
	EXE_BASE=$(maps_base "$mt_pid" "$MEMTARGET")
	for ((i = 0; i < 100; i++)); do
		[[ $(tr '\0' ' ' <"/proc/$MARKER/cmdline" 2>/dev/null) == "mfmarker-$$ 600 " &&
			$(tr '\0' ' ' <"/proc/$SSHD/cmdline" 2>/dev/null) == "sshd 600 " && -n $EXE_BASE ]] && break
		sleep 0.05
		EXE_BASE=$(maps_base "$mt_pid" "$MEMTARGET")
	done
	cd "$BATS_TEST_TMPDIR"
}

teardown() {
	kill "$SSHD" "$MARKER" 2>/dev/null || true
	wait "$SSHD" "$MARKER" 2>/dev/null || true
	stop_memtarget
}

# What differs on this machine, "README text" -> "here" (see the top of the file).
subst() {
	local roff
	roff=$(printf '0x%x' $((mt_root - EXE_BASE)))
	SUBST=(
		"1234" "$mt_pid"
		"0x7ffd0000" "$mt_u32"
		"0x400000 4096" "$EXE_BASE 4096"
		"game+0x1f00" "mf-memtarget+$roff"
		"-T u32 100" "-T u32 0xdeadbeef"
		"/srv/vm.lime" "$LIME"
		"/srv/snap.lime" "$LIME"
		"/srv/vm.kdump" "$BATS_FILE_TMPDIR/vm.kdump"
		"/srv/vm.elf" "$BATS_FILE_TMPDIR/vm.elf"
		"name=web1" "name=$QNAME"
		"/usr/bin/app" "$MEMTARGET"
		"gdb " "gdb -batch "
		"mfmarker" "mfmarker-$$"
		"| less" "| cat"
		"-n nginx" "-n mfholder"
		"-s password" "-s mfsecret-"
		"ntkrnlmp.pdb" "$BATS_TEST_TMPDIR/kstructs.pdb"
	)
}

# tour LINE: LINE must be a tour line of the README; it runs with SUBST applied, on a
# terminal, and must exit 0 with only warnings on stderr.
tour() {
	local line=$1 cmd=$1 i
	readme_tour | grep -qxF -- "$line" || fail "not a tour line of the README: $line"
	printf '%s\n' "$line" >>"$BATS_FILE_TMPDIR/ran"
	subst
	for ((i = 0; i < ${#SUBST[@]}; i += 2)); do
		cmd=${cmd//"${SUBST[i]}"/"${SUBST[i + 1]}"}
	done
	# on a terminal, as the user has one (stdin and stdout; stderr to a file)
	local err=$BATS_TEST_TMPDIR/tour.stderr
	run env -u COLUMNS script -qec "exec 2>'$err'; $cmd" /dev/null
	output=${output//$'\r'/}
	mapfile -t lines <<<"$output"
	stderr=$(cat "$err")
	mapfile -t stderr_lines < <(printf '%s' "$stderr")
	no_sanitizer
	[[ $status -eq 0 ]] || fail "README line: $line
ran: $cmd
exit $status, stderr: $stderr"
	# our tools may only warn (what other programs, gdb, say is theirs)
	local l
	for l in "${stderr_lines[@]}"; do
		[[ $l != mf-* || $l == *": warning: "* ]] || fail "README line: $line
ran: $cmd
stderr: $stderr"
	done
}

@test "the tour on this machine: processes, modules, maps" {
	tour "mf-ps"
	assert_line --regexp "^ *$mt_pid +$$ .*mf-memtarget"
	tour "mf-ps -n 'ssh*' --tree"
	assert_line --regexp "^ *$SSHD +$$ .*  sshd 600$"
	tour "mf-ps -n sshd | mf-modules"
	# the records: sshd is sleep under another name, libc is among its modules
	[[ $output == *libc.so.6* ]] || fail "no libc in: $output"
	# uid 0's processes: pid 1 may be unreadable even to root (a sandbox's init holding
	# capabilities this root lacks): a warning, the others are listed
	tour "mf-ps -f json | jq -c 'select(.type == \"target\" or .uid == 0)' | mf-modules --maps"
	[[ $output == *"/usr/lib/x86_64-linux-gnu/libc.so.6"* ]] || fail "no maps listed"
}

@test "the tour on this machine: reads, typed values, raw bytes, pointer chains" {
	tour "mf-read -n mfmarker libc.so.6+0x1f00 64"
	assert_line --regexp '^[0-9a-f]{12,16}  ([0-9a-f]{2} ){8} ([0-9a-f]{2} ){8} \|.{16}\|$'
	tour "mf-read -p 1234 -T u32 0x7ffd0000"
	assert_output "3735928559"
	tour "mf-read -p 1234 -f raw 0x400000 4096 | strings"
	[[ $output == *ELF* || -n $output ]] || fail "no strings from the executable's first page"
	tour "mf-read -p 1234 'game+0x1f00,0x10,0x8' -T f32"
	# the chain ends at the u64 0xfeedface12345678, read as f32: its low half
	assert_output "$(python3 -c 'import struct; print("%.9g" % struct.unpack("<f", struct.pack("<I", 0x12345678))[0])')"
	tour "mf-syms -p 1234 'libc!mem*'"
	assert_line --regexp '^ +0x[0-9a-f]+ +0x[0-9a-f]+ +export +libc\.so\.6 +memcpy$'
}

@test "the tour on this machine: a CheatEngine-style scan and rescan" {
	tour "mf-scan -p 1234 -T u32 100 > hits"
	[[ -s hits ]] || fail "no hits file"
	# the value goes down between the two lines (in a game: you lose a life)
	mf-read -p "$mt_pid" -T u32 --write 1000 "$mt_u32" </dev/null
	tour "mf-scan --rescan decreased < hits"
	run -0 bash -c 'mf-scan --rescan decreased -f json < hits | jq -r "select(.type == \"hit\") | .addr"'
	assert_output "$mt_u32"
}

@test "the tour on snapshots: YARA over a LiME file" {
	require_file "$LIME"
	# a rule for what the LiME fixture holds (its SOURCES.md: a slice of a Debian guest)
	printf 'rule efi_pei { strings: $a = "PlatformPei.efi" condition: $a }\n' >rules.yar
	tour "mf-scan -c /srv/vm.lime --phys -Y rules.yar"
	run -0 bash -c "mf-scan -c '$LIME' --phys -Y rules.yar -f json </dev/null | jq -r 'select(.type == \"hit\") | .rule' | sort -u"
	assert_output "efi_pei"
}

@test "the tour on snapshots: an IOC list over a LiME file in one pass" {
	require_file "$LIME"
	printf '# what the LiME fixture holds\nPlatformPei.efi\nhex:4d5a\nno such indicator here\n' >iocs.txt
	tour "mf-scan -c /srv/vm.lime --phys -F iocs.txt"
	run -0 bash -c "mf-scan -c '$LIME' --phys -F iocs.txt -f json </dev/null | jq -r 'select(.type == \"hit\") | .pattern' | sort -u"
	assert_output "$(printf 'PlatformPei.efi\nhex:4d5a')"
}

@test "the tour on snapshots and a live guest: kdump, ELF, kernel memory, page walks, mf-dump" {
	guest_require
	guest_use guest
	tour "mf-attach -c /srv/vm.kdump"
	assert_line --regexp '^format: +kdump'
	tour "mf-read -c /srv/vm.elf --phys 0x1000 64"
	assert_line --regexp '^00001000  '
	tour "mf-read -c /srv/vm.elf --kernel 0xffffffff81e00100 64"
	assert_line --regexp '^ffffffff81e00100  '
	tour "mf-vtop -c /srv/vm.elf --kernel 0xffffffff81000000"
	assert_output --partial "PA"
	tour "mf-dump -c qemu:name=web1 -F kdump -o '%{target}-%Y%m%d-%H%M.kdump' --keep 24"
	run -0 bash -c 'ls -- *-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9].kdump | wc -l'
	assert_output 1
}

@test "the tour: a process core for gdb" {
	require_cmd gdb
	tour "mf-dump -p 1234 -o app.core && gdb /usr/bin/app app.core"
	[[ -s app.core ]] || fail "no core written"
	[[ $output == *"mf-memtarget"* ]] || fail "gdb did not load the core: $output"
}

@test "the tour: a saved target reused" {
	guest_require
	guest_use guest
	tour "mf-attach -c /srv/vm.kdump -o linux > vm.target"
	tour "mf-ps -t vm.target"
	assert_line --regexp "^ +1 +0 .* init "
	tour "mf-attach -c /srv/vm.kdump -o linux | mf-ps | mf-modules"
	assert_line --regexp "^ +[0-9]+ +0x400000 .* mfmarker1 +/bin/mfmarker1$"
}

@test "the tour inside a Linux guest: the linux os layer and mf-syms" {
	guest_require
	guest_use guest
	holder=$(guest_oracle markers | awk '$1 == "mfholder" { print $2 }')
	tour "mf-ps -c /srv/vm.elf -o linux --tree"
	assert_line --regexp "^ +$holder +1 .*   mfholder "
	tour "mf-modules -c /srv/vm.kdump -o linux --kernel"
	assert_line --regexp "^ +0 +0xffffffff81000000 .* vmlinux "
	tour "mf-modules -c /srv/vm.kdump -o linux -n nginx --maps"
	assert_line --regexp "^ +$holder .* \[heap\]$"
	tour "mf-read -c /srv/vm.elf -o linux --kernel linux_banner 128"
	assert_line --regexp "\|Linux version 6\."
	tour "mf-scan -c /srv/vm.kdump -o linux -n nginx -s password"
	assert_line --regexp " pid $holder "
	tour "mf-ps -c qemu:name=web1 -o linux --env -n nginx -f json | jq '.env // empty'"
	assert_output --partial '"/bin:/sbin:/usr/bin:/usr/sbin"'
	refute_output --partial null
	tour "mf-syms -c /srv/vm.elf -o linux 'tcp_v4_*'"
	assert_line --regexp " tcp_v4_connect$"
	tour "mf-syms -c /srv/vm.elf -o linux --at 0xffffffff81e0a1c8"
	assert_output --partial "+0x"
	require_cmd pahole
	tour "mf-syms -c /srv/vm.elf -o linux --save-btf vm.btf && pahole -F btf -C task_struct vm.btf"
	assert_line --regexp "^struct task_struct \{"
}

@test "the tour: saved streams printed with mf-cat" {
	tour "mf-scan -p 1234 -T u32 100 > hits; mf-cat hits"
	assert_line --regexp "^ *$mt_u32  process +$mt_pid "
	tour "mf-ps | mf-cat | less"
	assert_line --regexp "^ *$mt_pid +$$ .*mf-memtarget"
	mf-scan -p "$mt_pid" -T u32 0xdeadbeef </dev/null >hits
	tour "mf-cat -f json hits | jq -r .addr"
	assert_line "$mt_u32"
}

@test "the tour: a PDB file's symbols and a struct's layout" {
	require_cmd clang-14 lld-link-14
	clang-14 --target=x86_64-pc-windows-msvc -ffreestanding -fno-builtin -g -gcodeview \
		-c "$MF_TOP_SRCDIR/tests/pdb/kstructs.c" -o kstructs.obj
	lld-link-14 /nodefaultlib /entry:main /subsystem:console /debug /out:kstructs.exe /pdb:kstructs.pdb kstructs.obj
	tour "mf-syms --pdb ntkrnlmp.pdb 'Ps*'"
	assert_line --regexp '^ +0x3178 +data +global +3 +376 +PsActiveProcessHead$'
	tour "mf-syms --pdb ntkrnlmp.pdb --type _EPROCESS"
	assert_line --regexp '^ +88 +16 +- +- +- +ActiveProcessLinks +struct _LIST_ENTRY$'
}

@test "every command line of the README's tour is run by a test above" {
	local missing
	# (lines of a test that skipped with its reason count as covered)
	missing=$(readme_tour | grep -vxF -f "$BATS_FILE_TMPDIR/ran" | grep -vxF -f "$BATS_FILE_TMPDIR/skipped") || true
	[[ $(readme_tour | wc -l) -ge 20 ]] || fail "found only $(readme_tour | wc -l) tour lines in the README"
	[[ -z $missing ]] || fail "README tour lines no test runs:
$missing"
}
