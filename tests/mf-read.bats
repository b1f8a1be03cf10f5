#!/usr/bin/env bats
# mf-read: bytes, typed values, module offsets, pointer chains, gaps, writes, against
# tests/mf-memtarget (which prints the addresses of what it holds) and /proc/PID/mem.
load test_helper
load tools_helper

setup() {
	start_memtarget
	EXE=$(readlink "/proc/$mt_pid/exe")
	EXE_BASE=$(maps_base "$mt_pid" "$EXE")
}

teardown() {
	stop_memtarget
}

@test "mf-read -p returns the bytes /proc/PID/mem holds" {
	run -0 --separate-stderr mf-read -p "$mt_pid" -f raw "$mt_str" 64 </dev/null
	no_sanitizer
	assert_equal "$stderr" ""
	assert_equal "${output:0:24}" "mftools-memtarget-7f3a9c"
	run -0 bash -c "mf-read -p $mt_pid -f raw $mt_str 64 </dev/null | od -An -v -tx1 | tr -d ' \n'"
	assert_output "$(proc_mem_hex "$mt_pid" "$mt_str" 64)"
	# 3 MiB over several 1 MiB pieces, with decimal and K suffixes accepted
	run -0 bash -c "mf-read -p $mt_pid -f raw $mt_big 3M </dev/null | cmp - <(dd if=/proc/$mt_pid/mem bs=1M iflag=skip_bytes,count_bytes skip=$((mt_big)) count=$((3 << 20)) status=none) && echo same"
	assert_output "same"
	run -0 bash -c "mf-read -p $mt_pid -f raw $((mt_big + 5)) 3072K </dev/null | wc -c"
	assert_output "$((3 << 20))"
}

@test "mf-read table is a hexdump -C with absolute addresses" {
	run -0 --separate-stderr mf-read -p "$mt_pid" -f table "$mt_str" 32 </dev/null
	no_sanitizer
	local a=${mt_str#0x}
	assert_line --index 0 "$a  6d 66 74 6f 6f 6c 73 2d  6d 65 6d 74 61 72 67 65  |mftools-memtarge|"
	assert_line --index 1 "$(printf '%x' $((mt_str + 16)))  74 2d 37 66 33 61 39 63  00 00 00 00 00 00 00 00  |t-7f3a9c........|"
	assert_line --index 2 "$(printf '%x' $((mt_str + 32)))"
	# the same as hexdump -C apart from the offsets
	run -0 bash -c "mf-read -p $mt_pid -f table $mt_big 4096 </dev/null | cut -c$((${#a} + 1))- > '$BATS_TEST_TMPDIR/a';
		mf-read -p $mt_pid -f raw $mt_big 4096 </dev/null | hexdump -C | cut -c9- > '$BATS_TEST_TMPDIR/b';
		diff '$BATS_TEST_TMPDIR/a' '$BATS_TEST_TMPDIR/b' && echo same"
	assert_output "same"
}

@test "mf-read mem records in json and msgpack; the process record on stdin selects the space" {
	run -0 --separate-stderr mf-read -p "$mt_pid" -f json "$mt_big" 2M </dev/null
	no_sanitizer
	assert_equal "$(jq -r .type <<<"$output" | tr '\n' ' ')" "target mem mem "
	assert_equal "$(jq -r 'select(.type == "mem") | "\(.space) \(.pid) \(.addr)"' <<<"$output" | head -n1)" \
		"process $mt_pid $(printf '0x%x' $((mt_big)))"
	run -0 --separate-stderr bash -c "mf-ps -p $mt_pid | mf-read -f json $mt_str 24" </dev/null
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "mem") | .data' <<<"$output")" "$(proc_mem_hex "$mt_pid" "$mt_str" 24)"
	# several process records on stdin: each in turn, in the order they arrive
	run -0 --separate-stderr bash -c "{ mf-ps -p $mt_pid -f json; mf-ps -p $mt_pid -f json | tail -n +2; } | mf-read -f json $mt_str 24" </dev/null
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "mem") | "\(.pid) \(.data)"' <<<"$output" | tr '\n' ' ')" \
		"$mt_pid $(proc_mem_hex "$mt_pid" "$mt_str" 24) $mt_pid $(proc_mem_hex "$mt_pid" "$mt_str" 24) "
	run -0 bash -c "mf-read -p $mt_pid -f msgpack $mt_str 24 </dev/null | head -c1 | od -An -tx1"
	assert_output --regexp '^ 8[0-9a-f]$'
}

@test "mf-read typed values" {
	export MF_FORMAT=table
	run -0 --separate-stderr mf-read -p "$mt_pid" -T u32 "$mt_u32" </dev/null
	no_sanitizer
	assert_output "3735928559"
	run -0 mf-read -p "$mt_pid" -T u64 "$mt_u64" </dev/null
	assert_output "$((0x0123456789abcdef))"
	run -0 mf-read -p "$mt_pid" -T i32 "$mt_i32" </dev/null
	assert_output "-123456"
	run -0 mf-read -p "$mt_pid" -T i16 "$mt_i16" </dev/null
	assert_output "-2"
	run -0 mf-read -p "$mt_pid" -T f32 "$mt_f32" </dev/null
	assert_output "-1.5"
	run -0 mf-read -p "$mt_pid" -T f64 "$mt_f64" </dev/null
	assert_output "3.25"
	run -0 mf-read -p "$mt_pid" -T str "$mt_str" </dev/null
	assert_output "mftools-memtarget-7f3a9c"
	run -0 mf-read -p "$mt_pid" -T str "$mt_str" 8 </dev/null
	assert_output "mftools-"
	run -0 mf-read -p "$mt_pid" -T wstr "$mt_wstr" </dev/null
	assert_output "wide ünï€😀"
	run -0 mf-read -p "$mt_pid" -T u8 -N 4 "$mt_str" </dev/null
	assert_output "$(printf '%s\n' 109 102 116 111)"
	run -0 --separate-stderr mf-read -p "$mt_pid" -T u32 -f json "$mt_u32" </dev/null
	assert_equal "$(jq -c 'select(.type == "value") | [.space, .pid, .vtype, .value]' <<<"$output")" \
		"[\"process\",$mt_pid,\"u32\",3735928559]"
	run -0 --separate-stderr mf-read -p "$mt_pid" -T wstr -f json "$mt_wstr" </dev/null
	assert_equal "$(jq -r 'select(.type == "value") | .value' <<<"$output")" "wide ünï€😀"
}

@test "mf-read MODULE+OFF and pointer chains" {
	export MF_FORMAT=table
	local off=$(printf '0x%x' $((mt_str - EXE_BASE)))
	run -0 --separate-stderr mf-read -p "$mt_pid" -T str "mf-memtarget+$off" </dev/null
	no_sanitizer
	assert_output "mftools-memtarget-7f3a9c"
	# the chain root -> node1, +0x10 -> node2, +0x8 = final (0xfeedface12345678)
	local roff=$(printf '0x%x' $((mt_root - EXE_BASE)))
	run -0 --separate-stderr mf-read -v -p "$mt_pid" -T u64 "mf-memtarget+$roff,0x10,0x8" </dev/null
	no_sanitizer
	assert_output "18369614218089748088"
	assert_stderr --partial "= $mt_final"
	run -0 --separate-stderr mf-read -p "$mt_pid" -f json -T ptr "mf-memtarget+$roff,0x10" </dev/null
	assert_equal "$(jq -r 'select(.type == "value") | .value' <<<"$output")" "$(printf '0x%x' $((mt_final - 8)))"
	# a plain number starts a chain too; negative offsets
	run -0 --separate-stderr mf-read -v -p "$mt_pid" -T u8 "$mt_root,0x10,-0x8" </dev/null
	[[ $stderr == *"- 0x8 = $(printf '0x%x' $((mt_final - 16)))"* ]] || fail "chain: $stderr"
	# libc by its prefix: the same bytes as by its full name
	run -0 bash -c "mf-read -p $mt_pid -f raw libc+0 4 </dev/null | od -An -tx1"
	assert_output " 7f 45 4c 46"
	run -1 --separate-stderr mf-read -p "$mt_pid" nosuchlib+0x10 </dev/null
	assert_stderr "mf-read: no module or symbol 'nosuchlib' in pid $mt_pid"
	run -1 --separate-stderr mf-read -p "$mt_pid" -T u64 "$mt_final,0x0,0x0" </dev/null
	assert_stderr --regexp '^mf-read: cannot follow the pointer chain at step 2: cannot read 0xfeedface12345678: address not mapped$'
}

@test "mf-read: unreadable memory gives gaps and a warning, never zeros" {
	local hole2=$(printf '0x%x' $((mt_hole + 4096))) last=$(printf '0x%x' $((mt_hole + 8191)))
	run -1 --separate-stderr mf-read -p "$mt_pid" -f json "$mt_hole" 12K </dev/null
	no_sanitizer
	assert_stderr "mf-read: warning: $hole2-$last unreadable: address not mapped"
	assert_equal "$(jq -c 'select(.type != "target") | [.type, .addr, (.len // (.data | length / 2))]' <<<"$output" | tr '\n' ' ')" \
		"[\"mem\",\"$mt_hole\",4096] [\"gap\",\"$hole2\",\"0x1000\"] [\"mem\",\"$(printf '0x%x' $((mt_hole + 8192)))\",4096] "
	assert_equal "$(jq -r 'select(.type == "gap") | .error' <<<"$output")" "address not mapped"
	run -1 --separate-stderr mf-read -p "$mt_pid" -f table "$mt_hole" 12K </dev/null
	assert_line --index 2 "${hole2#0x}  -- unreadable to ${last#0x}: 4096 bytes (address not mapped) --"
	# raw: an error unless --zero-fill
	run -1 --separate-stderr mf-read -p "$mt_pid" -f raw "$mt_hole" 12K </dev/null
	assert_stderr --partial "mf-read: cannot read $hole2-$last: address not mapped"
	assert_equal "${#output}" 4096
	run -1 --separate-stderr mf-read -p "$mt_pid" -f raw --zero-fill "$mt_hole" 12K </dev/null
	assert_stderr "mf-read: warning: $hole2-$last unreadable: address not mapped (zero-filled)"
	run -0 bash -c "mf-read -p $mt_pid -f raw --zero-fill $mt_hole 12K 2>/dev/null </dev/null | od -An -v -tx1 | tr -s ' \n' '\n\n' | sort | uniq -c | awk '{ print \$2 \"=\" \$1 }' | tr '\n' ' '"
	assert_output "=1 00=4096 41=4096 43=4096 "
}

@test "mf-read --write changes the process's memory" {
	export MF_FORMAT=table
	run -0 --separate-stderr mf-read -p "$mt_pid" -T u32 --write 1234 "$mt_u32" </dev/null
	no_sanitizer
	assert_equal "$(proc_mem_hex "$mt_pid" "$mt_u32" 4)" "d2040000"
	run -0 --separate-stderr mf-read -v -p "$mt_pid" --write "de ad be ef" "$mt_u32" </dev/null
	assert_stderr "mf-read: wrote 4 bytes at $mt_u32 in pid $mt_pid: de ad be ef"
	assert_equal "$(proc_mem_hex "$mt_pid" "$mt_u32" 4)" "deadbeef"
	run -0 mf-read -p "$mt_pid" -T str --write hi "$mt_str" </dev/null
	assert_equal "$(proc_mem_hex "$mt_pid" "$mt_str" 4)" "6869006f"
	run -0 mf-read -p "$mt_pid" -T i16 --write -5 "$mt_i16" </dev/null
	run -0 mf-read -p "$mt_pid" -T i16 "$mt_i16" </dev/null
	assert_output "-5"
	run -0 mf-read -p "$mt_pid" -T f64 --write 2.5 "$mt_f64" </dev/null
	run -0 mf-read -p "$mt_pid" -T f64 "$mt_f64" </dev/null
	assert_output "2.5"
	# a write to an unmapped page fails, exit 1
	run -1 --separate-stderr mf-read -p "$mt_pid" --write 00 "$((mt_hole + 4096))" </dev/null
	assert_stderr --regexp "^mf-read: cannot write 1 byte at 0x[0-9a-f]+ in pid $mt_pid: "
	run -2 --separate-stderr mf-read -p "$mt_pid" -T u8 --write 256 "$mt_u32" </dev/null
	assert_stderr "mf-read: value '256' out of range for u8"
	run -2 --separate-stderr mf-read -p "$mt_pid" --write xyz "$mt_u32" </dev/null
	assert_stderr --partial "mf-read: invalid hex data 'xyz'"
}

@test "mf-read: a process that exits during the read" {
	run -1 --separate-stderr bash -c "mf-read -p $mt_pid -f raw $mt_huge 256M </dev/null | { sleep 0.5; kill $mt_pid; sleep 0.3; cat >/dev/null; }; exit \${PIPESTATUS[0]}"
	no_sanitizer
	assert_stderr --regexp "^mf-read: cannot read 0x[0-9a-f]+ in pid $mt_pid: process $mt_pid exited$"
}

@test "mf-read: bad input" {
	run -1 --separate-stderr mf-read -p 2147483647 0x1000 </dev/null
	no_sanitizer
	assert_stderr "mf-read: no process with pid 2147483647"
	run -2 --separate-stderr mf-read -p "$mt_pid" "$mt_str" abc </dev/null
	assert_stderr "mf-read: invalid length 'abc'"
	run -2 --separate-stderr mf-read -p "$mt_pid" 0x1zz </dev/null
	assert_stderr "mf-read: invalid address '0x1zz'"
	run -2 --separate-stderr mf-read -p "$mt_pid" 0x10000000000000000 </dev/null
	assert_stderr "mf-read: address '0x10000000000000000' out of range"
	run -2 --separate-stderr mf-read -p "$mt_pid" "$mt_str" 99999999999999999999999 </dev/null
	assert_stderr "mf-read: length '99999999999999999999999' out of range"
	run -2 --separate-stderr mf-read -p "$mt_pid" 0xffffffffffffff00 0x200 </dev/null
	assert_stderr --partial "runs beyond the end of the address space"
	run -2 --separate-stderr mf-read -p "$mt_pid" -T u32 "$mt_u32" 4 </dev/null
	assert_stderr "mf-read: -T u32 takes no LEN (use -N COUNT)"
	run -2 --separate-stderr mf-read -p "$mt_pid" -T u128 "$mt_u32" </dev/null
	assert_stderr --partial "mf-read: unknown type 'u128'"
	run -2 --separate-stderr mf-read "$mt_str" </dev/null
	assert_stderr --partial "mf-read: no address space"
	run -2 --separate-stderr mf-read -p "$mt_pid" --phys 0 </dev/null
	assert_stderr --partial "give one address space"
	run -1 --separate-stderr mf-read -n 'mf-memtarget*' -n x 0 </dev/null
	run -1 --separate-stderr mf-read -n nosuchprocessname 0 </dev/null
	assert_stderr "mf-read: no process matches 'nosuchprocessname'"
	run -1 --separate-stderr mf-read --phys 0 16 </dev/null
	no_sanitizer
	assert_stderr --partial "has no physical memory"
	run -2 --separate-stderr mf-read --bogus </dev/null
	assert_stderr --partial "usage: mf-read"
}

@test "mf-read -n NAME reads the one matching process" {
	# a name no other test (or parallel suite) uses: a copy of mf-memtarget
	local uniq="mfmt$$$RANDOM"
	uniq=${uniq:0:15}
	cp "$MEMTARGET" "$BATS_TEST_TMPDIR/$uniq"
	stop_memtarget
	MEMTARGET=$BATS_TEST_TMPDIR/$uniq start_memtarget
	export MF_FORMAT=table
	run -0 --separate-stderr mf-read -n "$uniq" -T str "$mt_str" </dev/null
	no_sanitizer
	assert_output "mftools-memtarget-7f3a9c"
	# two of them: an error listing both
	"$BATS_TEST_TMPDIR/$uniq" >/dev/null 3>&- &
	local second=$!
	sleep 0.2
	run -1 --separate-stderr mf-read -n "$uniq" -T str "$mt_str" </dev/null
	kill "$second"
	wait "$second" || true
	assert_stderr --regexp "^mf-read: '$uniq' matches 2 processes: .*$mt_pid \\($uniq\\).*\\(use -p PID\\)$"
}

@test "mf-read: a kernel thread has no user address space" {
	[[ $(cat /proc/2/comm 2>/dev/null) == kthreadd ]] || skip "pid 2 is not kthreadd here"
	run -1 --separate-stderr mf-read -p 2 0x400000 16 </dev/null
	no_sanitizer
	assert_stderr "mf-read: cannot read 0x400000 in pid 2: process 2 has no user address space (kernel thread)"
}

@test "mf-read: a zombie (its memory gone, its pid not yet) has exited, it is no kernel thread" {
	# sleep 600 never reaps its child: the short sleep stays a zombie
	bash -c 'sleep 0.1 & echo $! >"$1"; exec sleep 600' _ "$BATS_TEST_TMPDIR/zpid" 3>&- &
	local parent=$! z i
	for ((i = 0; i < 100; i++)); do
		z=$(cat "$BATS_TEST_TMPDIR/zpid" 2>/dev/null) || true
		[[ -n $z && $(awk '{ print $3 }' "/proc/$z/stat" 2>/dev/null) == Z ]] && break
		sleep 0.05
	done
	[[ -n $z ]] || fail "the zombie's pid was never written"
	run -1 --separate-stderr mf-read -p "$z" 0x400000 16 </dev/null
	kill "$parent"
	no_sanitizer
	assert_stderr "mf-read: cannot read 0x400000 in pid $z: process $z exited"
}

@test "mf-read: the hexdump's gap line prints both addresses as addresses" {
	# one page: the gap begins at 0x1000, whose end needs padding to look like an address
	head -c 4096 /dev/zero | tr '\0' A >"$BATS_TEST_TMPDIR/page.raw"
	run -1 --separate-stderr mf-read -c "raw:$BATS_TEST_TMPDIR/page.raw" --phys -f table 0xff8 24 </dev/null
	no_sanitizer
	assert_line --index 0 --regexp '^00000ff8  41 41 41 41 41 41 41 41 +\|AAAAAAAA\|$'
	assert_line --index 1 --regexp '^00001000  -- unreadable to 0000100f: 16 bytes \(.*\) --$'
}
