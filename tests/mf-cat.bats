#!/usr/bin/env bats
# mf-cat: saved and piped record streams of the tools, printed as tables, JSON or msgpack
# (addresses typed again), every record type, several files, malformed streams.
load test_helper
load tools_helper

setup() {
	start_memtarget
}

teardown() {
	stop_memtarget
}

@test "mf-scan ... > hits; mf-cat hits: the hits as a table, at the addresses mf-scan found" {
	mf-scan -p "$mt_pid" -T u32 0xdeadbeef </dev/null >"$BATS_TEST_TMPDIR/hits"
	run -0 mf-scan -p "$mt_pid" -T u32 0xdeadbeef -f json </dev/null
	local want
	want=$(jq -r 'select(.type == "hit") | .addr' <<<"$output" | sort)
	[[ $want == *"$(printf '0x%x' "$mt_u32")"* ]] || fail "mf-scan did not find the value at $mt_u32: $want"
	run -0 --separate-stderr mf-cat "$BATS_TEST_TMPDIR/hits"
	no_sanitizer
	assert_equal "$stderr" ""
	assert_line --index 0 "# target: os=native"
	assert_line --index 1 --regexp '^ +ADDR  SPACE +PID +LEN  PATTERN +RULE +VALUE  DATA$'
	# one row per hit: its address, pid, length 4, the value and the bytes ef be ad de
	assert_equal "$(awk 'NR > 2 { print $1 }' <<<"$output" | sort)" "$want"
	assert_line --regexp "^ *$(printf '0x%x' "$mt_u32")  process +$mt_pid +4  u32 eq 0xdeadbeef +- +3735928559  efbeadde"
	# the same from stdin
	run -0 mf-cat <"$BATS_TEST_TMPDIR/hits"
	assert_equal "$(awk 'NR > 2 { print $1 }' <<<"$output" | sort)" "$want"
}

@test "mf-ps | mf-cat | less: a table in a pipe too, the processes mf-ps lists" {
	run -0 bash -c 'mf-ps </dev/null | mf-cat | cat'
	assert_line --index 0 "# target: os=native"
	assert_line --index 1 --regexp '^ +PID +PPID +UID  S  NAME +CMDLINE$'
	assert_line --regexp "^ *$mt_pid +$$ +[0-9]+  [A-Z]  mf-memtarget "
	# no msgpack: every line is text
	run -0 bash -c 'mf-ps </dev/null | mf-cat | LC_ALL=C grep -c "[^[:print:][:space:]]"' || true
	assert_output 0
	# mf-ps --tree keeps its tree names
	run -0 bash -c 'mf-ps --tree </dev/null | mf-cat'
	assert_line --regexp "^ *$mt_pid +$$ .* [|\`]-mf-memtarget|^ *$mt_pid +$$ .*  +mf-memtarget"
	# MF_FORMAT and -f choose otherwise
	run -0 bash -c 'mf-ps </dev/null | MF_FORMAT=json mf-cat | jq -r .type | sort -u'
	assert_output $'process\ntarget'
}

@test "json to msgpack and back: the addresses are addresses again" {
	mf-ps -f json </dev/null >"$BATS_TEST_TMPDIR/ps.json"
	run -0 bash -c 'mf-cat -f msgpack "$1" | mf-cat -f json' - "$BATS_TEST_TMPDIR/ps.json"
	# identical up to the processes that came and went: compare the target and our process
	assert_equal "${lines[0]}" "$(head -1 "$BATS_TEST_TMPDIR/ps.json")"
	assert_equal "$(jq -c --argjson p "$mt_pid" 'select(.pid == $p)' <<<"$output")" \
		"$(jq -c --argjson p "$mt_pid" 'select(.pid == $p)' "$BATS_TEST_TMPDIR/ps.json")"
	# msgpack's integers become "0x..." strings again, as mf-ps writes them
	run -0 jq -r --argjson p "$mt_pid" 'select(.pid == $p) | .dtb, .addr' <<<"$output"
	assert_output $'0x0\n0x0'
	# and a msgpack stream goes to JSON as the tool itself writes it
	mf-scan -p "$mt_pid" -T u32 0xdeadbeef -f msgpack </dev/null >"$BATS_TEST_TMPDIR/hits"
	mf-scan -p "$mt_pid" -T u32 0xdeadbeef -f json </dev/null >"$BATS_TEST_TMPDIR/hits.json"
	run -0 mf-cat -f json "$BATS_TEST_TMPDIR/hits"
	assert_equal "$output" "$(cat "$BATS_TEST_TMPDIR/hits.json")"
}

@test "mem and gap records: mf-read's own hexdump" {
	local a=$((mt_str - 16))
	mf-read -p "$mt_pid" -f msgpack "$a" 64 </dev/null >"$BATS_TEST_TMPDIR/mem"
	run -0 mf-read -p "$mt_pid" -f table "$a" 64 </dev/null
	local want=$output
	run -0 mf-cat "$BATS_TEST_TMPDIR/mem"
	assert_equal "${lines[0]}" "# target: os=native"
	assert_equal "$(tail -n +2 <<<"$output")" "$want"
	[[ $output == *"|mftools-memtarge|"* ]] || fail "no string in the dump: $output"
	# a gap (an unmapped page) is a gap line, between the same bytes
	run -0 --separate-stderr mf-cat <<-EOF
		{"type":"mem","space":"phys","addr":"0x1000","data":"7f454c46"}
		{"type":"gap","space":"phys","addr":"0x1004","len":"0xc","error":"not present in the source"}
		{"type":"mem","space":"phys","addr":"0x1010","data":"01020304"}
	EOF
	assert_output "$(printf '%s\n' \
		'00001000  7f 45 4c 46                                       |.ELF|' \
		'00001004  -- unreadable to 0000100f: 12 bytes (not present in the source) --' \
		'00001010  01 02 03 04                                       |....|' \
		'00001014')"
	assert_equal "$stderr" ""
}

@test "every record type of mftools(7) prints with its columns" {
	# modules and maps of a process, from mf-modules
	run -0 bash -c 'mf-modules -p "$1" </dev/null | mf-cat' - "$mt_pid"
	assert_line --index 1 --regexp '^ +PID +BASE +SIZE  NAME +PATH$'
	assert_line --regexp "^ *$mt_pid +0x[0-9a-f]+ +0x[0-9a-f]+  mf-memtarget +/.*/tests/mf-memtarget$"
	run -0 bash -c 'mf-modules --maps -p "$1" </dev/null | mf-cat' - "$mt_pid"
	assert_line --index 1 --regexp '^ +PID +START +END  PERMS +OFFSET  PATH$'
	assert_line --regexp "^ *$mt_pid +0x[0-9a-f]+ +0x[0-9a-f]+  r-xp +0x[0-9a-f]+  /.*/tests/mf-memtarget$"
	# translations, the page map and physical to virtual, from mf-vtop over one page table:
	# PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000, PT[1] maps va 0x1000 to 0x10000
	python3 -c 'import struct,sys
b = bytearray(0x20000)
for pa, v in ((0x1000, 0x2067), (0x2000, 0x3067), (0x3000, 0x4067), (0x4008, 0x10067)):
    struct.pack_into("<Q", b, pa, v)
open(sys.argv[1], "wb").write(b)' "$BATS_TEST_TMPDIR/pt.raw"
	local v=(mf-vtop -c "raw:$BATS_TEST_TMPDIR/pt.raw" --dtb 0x1000 --arch x86_64 -f msgpack)
	{ "${v[@]}" 0x1234; "${v[@]}" --map; "${v[@]}" --phys 0x10008; } </dev/null >"$BATS_TEST_TMPDIR/vtop"
	run -0 mf-cat "$BATS_TEST_TMPDIR/vtop"
	assert_line --regexp '^ +VA +PA +PAGE  PERMS  FLAGS  ERROR$'
	assert_line --regexp '^ +0x1234 +0x10234 +0x1000  rwxu +A D +-$'
	assert_line --regexp '^ +VA +END +PA +SIZE +PAGE  PERMS  FLAGS$'
	assert_line --regexp '^ +0x1000 +0x2000 +0x10000 +0x1000 +0x1000  rwxu +A D$'
	assert_line --regexp '^ +PA  VA$'
	assert_line --regexp '^ +0x10008  0x1008$'
	# symbols and threads (no tool of this tree writes them yet: records as mftools(7) has them)
	run -0 mf-cat <<-'EOF'
		{"type":"symbol","pid":0,"module":"vmlinux","name":"init_task","addr":"0xffffffff82a0c940","size":"0x2c40","kind":"data"}
		{"type":"thread","pid":42,"tid":43,"name":"worker","state":"S","addr":"0xffff888003a10000"}
		{"type":"plugin","kind":"os","name":"native"}
	EOF
	assert_output "$(printf '%s\n' \
		'    PID                ADDR      SIZE  KIND      MODULE            NAME' \
		'      0  0xffffffff82a0c940    0x2c40  data      vmlinux           init_task' \
		'    PID      TID  S                ADDR  NAME' \
		'     42       43  S  0xffff888003a10000  worker' \
		'plugin kind=os name=native')"
}

@test "several files in order, '-' for stdin; a missing file is skipped with exit 1" {
	printf '%s\n' '{"type":"p2v","pa":"0x1","va":"0x2"}' >"$BATS_TEST_TMPDIR/a"
	printf '%s\n' '{"type":"p2v","pa":"0x3","va":"0x4"}' >"$BATS_TEST_TMPDIR/b"
	run -0 bash -c 'mf-cat -f json "$1" - "$2" <<<"{\"type\":\"p2v\",\"pa\":\"0x5\",\"va\":\"0x6\"}"' - \
		"$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	assert_output "$(printf '%s\n' '{"type":"p2v","pa":"0x1","va":"0x2"}' '{"type":"p2v","pa":"0x5","va":"0x6"}' \
		'{"type":"p2v","pa":"0x3","va":"0x4"}')"
	run -1 --separate-stderr mf-cat -f json "$BATS_TEST_TMPDIR/none" "$BATS_TEST_TMPDIR/b"
	assert_equal "$stderr" "mf-cat: cannot open $BATS_TEST_TMPDIR/none: No such file or directory"
	assert_output '{"type":"p2v","pa":"0x3","va":"0x4"}'
	# an empty stream is no error
	run -0 --separate-stderr mf-cat </dev/null
	assert_output ""
	assert_equal "$stderr" ""
}

@test "a malformed or truncated stream: one line naming the file and the offset, exit 1" {
	local f=$MF_TOP_SRCDIR/tests/fixtures/stream
	run -1 --separate-stderr mf-cat "$f/truncated.msgpack"
	no_sanitizer
	assert_equal "$stderr" "mf-cat: $f/truncated.msgpack: at byte 0: truncated record"
	run -1 --separate-stderr mf-cat <"$f/garbage.bin"
	assert_equal "$stderr" "mf-cat: stdin: at byte 0: not a record stream (expected msgpack or JSON lines)"
	# the records before the bad line are printed, nothing after it (not the next file)
	run -1 --separate-stderr mf-cat -f json "$f/syntax-line3.jsonl" "$f/valid.jsonl"
	assert_equal "$stderr" "mf-cat: $f/syntax-line3.jsonl: at byte 14: invalid JSON: string or '}' expected near 'oops'"
	assert_output "$(head -1 "$f/syntax-line3.jsonl")"
	# a hit stream cut in the middle of a record: what mf-scan --rescan says about it
	mf-scan -p "$mt_pid" -T u32 0xdeadbeef -f msgpack </dev/null | head -c 200 >"$BATS_TEST_TMPDIR/cut"
	run -1 --separate-stderr mf-cat "$BATS_TEST_TMPDIR/cut"
	assert_stderr --regexp "^mf-cat: $BATS_TEST_TMPDIR/cut: at byte [0-9]+: truncated record$"
	# a directory
	run -1 --separate-stderr mf-cat "$BATS_TEST_TMPDIR"
	assert_equal "$stderr" "mf-cat: $BATS_TEST_TMPDIR: at byte 0: cannot read input: Is a directory"
}

@test "usage errors exit 2; mf-cat takes no target" {
	run -2 --separate-stderr mf-cat -f raw </dev/null
	assert_equal "$stderr" "mf-cat: unknown format 'raw' (use table, json, msgpack)"
	run -2 --separate-stderr mf-cat -c qemu </dev/null
	assert_equal "${stderr_lines[0]}" "mf-cat: invalid option -- 'c'"
	run -0 mf-cat --help
	assert_line --index 0 "usage: mf-cat [options] [FILE...]"
}

@test "tables fit the terminal: the last column is cut on a TTY, never in a pipe or a file" {
	require_cmd script
	local cmd
	cmd=$(tr '\0' ' ' <"/proc/$mt_pid/cmdline")
	cmd=${cmd% }
	[[ ${#cmd} -gt 20 ]] || fail "cmdline too short for the test: $cmd"
	# 60 columns: PID..NAME take 46, CMDLINE gets the 14 left
	run -0 script -qec "stty cols 60; mf-ps -p $mt_pid </dev/null" /dev/null
	assert_equal "${lines[0]%$'\r'}" "    PID     PPID    UID  S  NAME              CMDLINE"
	assert_equal "${lines[1]%$'\r'}" "$(printf '%7s  %7s  %5s  S  %-16s  %s' "$mt_pid" "$$" "$(id -u)" mf-memtarget "${cmd:0:14}")"
	# $COLUMNS wins, as for ps: 30 columns leave 2 for NAME
	run -0 script -qec "COLUMNS=30 mf-ps -p $mt_pid </dev/null" /dev/null
	assert_equal "${lines[0]%$'\r'}" "    PID     PPID    UID  S  NA"
	# mf-cat on a terminal too
	mf-ps -p "$mt_pid" </dev/null >"$BATS_TEST_TMPDIR/ps"
	run -0 script -qec "stty cols 60; mf-cat $BATS_TEST_TMPDIR/ps" /dev/null
	assert_equal "${lines[2]%$'\r'}" "$(printf '%7s  %7s  %5s  S  %-16s  %s' "$mt_pid" "$$" "$(id -u)" mf-memtarget "${cmd:0:14}")"
	# piped or redirected: whole lines, whatever COLUMNS says
	run -0 bash -c 'COLUMNS=30 mf-ps -f table -p "$1" </dev/null | cat' - "$mt_pid"
	assert_line --index 1 "$(printf '%7s  %7s  %5s  S  %-16s  %s' "$mt_pid" "$$" "$(id -u)" mf-memtarget "$cmd")"
	COLUMNS=30 mf-cat "$BATS_TEST_TMPDIR/ps" >"$BATS_TEST_TMPDIR/out"
	assert_equal "$(sed -n 3p "$BATS_TEST_TMPDIR/out")" "$(printf '%7s  %7s  %5s  S  %-16s  %s' "$mt_pid" "$$" "$(id -u)" mf-memtarget "$cmd")"
}
