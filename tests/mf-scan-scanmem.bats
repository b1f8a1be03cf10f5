#!/usr/bin/env bats
# mf-scan against scanmem (Debian's package, on the machine) on the same process: the same
# first-scan matches (a process's writable data: scanmem's default regions), and the
# counter of tests/mf-memtarget (its u32) narrowed the same way by each rescan mode; the
# compact hits records of a dense first scan, and what readers make of them.
load test_helper
load tools_helper

teardown() {
	[[ -z ${sm_pid-} ]] || kill "$sm_pid" 2>/dev/null || true
	[[ -z ${sleep_pid-} ]] || kill "$sleep_pid" 2>/dev/null || true
	stop_memtarget
}

need_scanmem() {
	command -v scanmem >/dev/null || skip "scanmem not installed (Debian package scanmem)"
}

# scanmem on mt_pid, its commands through a fifo, so that it keeps its matches while the
# test changes the counter between two of them.  sm_do CMD sends CMD and waits until
# scanmem has answered it (a "pid" sent after it has printed its line).
sm_start() {
	mkfifo "$BATS_TEST_TMPDIR/sm.in"
	scanmem -p "$mt_pid" <"$BATS_TEST_TMPDIR/sm.in" >"$BATS_TEST_TMPDIR/sm.out" 2>&1 3>&- &
	sm_pid=$!
	exec {sm_fd}>"$BATS_TEST_TMPDIR/sm.in"
}

sm_do() {
	local n k
	k=$(grep -c '^info: target pid is' "$BATS_TEST_TMPDIR/sm.out" || true)
	printf '%s\npid\n' "$1" >&"$sm_fd"
	for n in $(seq 600); do
		[[ $(grep -c '^info: target pid is' "$BATS_TEST_TMPDIR/sm.out" || true) -gt $k ]] && return 0
		kill -0 "$sm_pid" 2>/dev/null || fail "scanmem exited: $(tail -5 "$BATS_TEST_TMPDIR/sm.out")"
		sleep 0.1
	done
	fail "scanmem did not answer '$1'"
}

# The end of its input: scanmem exits.
sm_stop() {
	local n
	exec {sm_fd}>&-
	for n in $(seq 100); do
		kill -0 "$sm_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$sm_pid" 2>/dev/null || true
	wait "$sm_pid" 2>/dev/null || true
	sm_pid=
}

# tests/mf-memtarget, kept on one CPU: the kernel rewrites a thread's rseq area (glibc's,
# in its TLS: the CPU it runs on) when it moves, and the two scanners, reading at
# different moments, would see different values there.
start_pinned_memtarget() {
	start_memtarget
	taskset -p -c 0 "$mt_pid" >/dev/null
}

# Wait until PID is sleep(1) blocked in its (clock_)nanosleep: exec'd from taskset and
# through its start-up, so that nothing in its memory changes any more.  A fixed pause was
# too short on a loaded machine: the scans then saw its start-up at different moments.
wait_in_nanosleep() {
	local n nr comm
	for n in $(seq 200); do
		comm=$(cat "/proc/$1/comm" 2>/dev/null) || fail "process $1 is gone"
		# x86_64's clock_nanosleep and nanosleep
		read -r nr _ <"/proc/$1/syscall" || nr=
		[[ $comm == sleep && ( $nr == 230 || $nr == 35 ) ]] && return 0
		sleep 0.05
	done
	fail "process $1 ($comm) never went to sleep (syscall: $nr)"
}

# The match count of scanmem's last scan.
sm_count() {
	sed -n 's/^info: we currently have \([0-9]*\) matches\.$/\1/p' "$BATS_TEST_TMPDIR/sm.out" | tail -1
}

# scanmem's matches (its list command), as 0x addresses, sorted.
sm_list() {
	local before
	before=$(wc -l <"$BATS_TEST_TMPDIR/sm.out")
	sm_do list
	tail -n +$((before + 1)) "$BATS_TEST_TMPDIR/sm.out" | sed -n 's/^\[ *[0-9]*\] \([0-9a-f]*\),.*/0x\1/p' | sort
}

# The hit addresses of a record stream on stdin, sorted.
mf_list() {
	mf-cat -f json | jq -r 'select(.type == "hit") | .addr' | sort
}

@test "mf-scan -p: by default the regions and matches of scanmem; --all-regions adds code and read-only data" {
	need_scanmem
	start_pinned_memtarget
	mf-read -p "$mt_pid" -T u32 --write 1000 "$mt_u32" </dev/null
	sm_start
	sm_do "option scan_data_type int8"
	sm_do 77
	run -0 --separate-stderr bash -c "mf-scan -p $mt_pid -T u8 77 </dev/null | mf-cat -f json | grep -c '\"type\":\"hit\"'"
	no_sanitizer
	assert_output "$(sm_count)"
	[[ $(sm_count) -gt 1000 ]] || fail "too few matches to compare: $(sm_count)"
	# unaligned 32-bit values, as scanmem reads them: the counter
	sm_do reset
	sm_do "option scan_data_type int32"
	sm_do 1000
	mf-scan -p "$mt_pid" -T u32 1000 --align 1 </dev/null >"$BATS_TEST_TMPDIR/h"
	assert_equal "$(mf_list <"$BATS_TEST_TMPDIR/h")" "$(sm_list)"
	mf_list <"$BATS_TEST_TMPDIR/h" | grep -qx "$mt_u32"
	sm_stop
	# the regions: scanmem's lregions, every readable and writable mapping but the
	# libraries' (libc's .data is not among them)
	run -0 scanmem -p "$mt_pid" -c 'lregions;exit'
	grep -q 'libc.so' <<<"$output" && fail "scanmem searched libc: $output"
	# --all-regions: libc's read-only data too (its version string), not by default
	run -1 --separate-stderr mf-scan -p "$mt_pid" -s 'GNU C Library' -f json </dev/null
	refute_output --partial '"type":"hit"'
	run -0 --separate-stderr bash -c "mf-scan -p $mt_pid --all-regions -s 'GNU C Library' -f json </dev/null | jq -r 'select(.type == \"hit\") | .addr' | wc -l"
	[[ $output -ge 1 ]]
	[[ $(mf-scan -p "$mt_pid" --all-regions -T u8 77 </dev/null | mf-cat -f json | grep -c '"type":"hit"') -gt $(sm_count) ]]
	# not where there are no mappings
	run -2 --separate-stderr mf-scan --phys --all-regions -c "raw:$BATS_TEST_TMPDIR/sm.out" -s x
	assert_stderr --partial "mf-scan: --all-regions goes with process spaces (-p, -n or process records), not --phys"
	run -2 --separate-stderr mf-scan --rescan unchanged --all-regions </dev/null
	assert_stderr --partial "not --rescan"
}

@test "mf-scan --rescan: the counter narrowed by each mode from a known value, as scanmem narrows it" {
	need_scanmem
	start_pinned_memtarget
	mf-read -p "$mt_pid" -T u32 --write 1000 "$mt_u32" </dev/null
	sm_start
	sm_do "option scan_data_type int32"
	sm_do 1000
	mf-scan -p "$mt_pid" -T u32 1000 --align 1 </dev/null >"$BATS_TEST_TMPDIR/h0"
	assert_equal "$(mf_list <"$BATS_TEST_TMPDIR/h0")" "$(sm_list)"
	local step mode cmd value prev=h0
	# value to write, mf-scan's mode, scanmem's command
	for step in "1500 increased >" "1200 decreased <" "- unchanged =" "1300 changed !=" "- eq:1300 1300"; do
		read -r value mode cmd <<<"$step"
		[[ $value == - ]] || mf-read -p "$mt_pid" -T u32 --write "$value" "$mt_u32" </dev/null
		sm_do "$cmd"
		mf-scan --rescan ${mode/:/ } <"$BATS_TEST_TMPDIR/$prev" >"$BATS_TEST_TMPDIR/h-$mode" || true
		assert_equal "$(mf_list <"$BATS_TEST_TMPDIR/h-$mode")" "$(sm_list)"
		assert_equal "$(mf_list <"$BATS_TEST_TMPDIR/h-$mode")" "$mt_u32"
		prev=h-$mode
	done
	# a mode that keeps nothing: scanmem has none left either
	sm_do ">"
	run -1 --separate-stderr bash -c "mf-scan --rescan increased -f json <'$BATS_TEST_TMPDIR/$prev'"
	refute_output --partial '"type":"hit"'
	assert_equal "$(sm_count)" 0
	sm_stop
}

@test "mf-scan --snapshot: the counter from an unknown initial value, narrowed by each mode as scanmem narrows it" {
	need_scanmem
	start_pinned_memtarget
	mf-read -p "$mt_pid" -T u32 --write 1000 "$mt_u32" </dev/null
	sm_start
	sm_do "option scan_data_type int32"
	sm_do snapshot
	# unaligned, as scanmem: the counter and the three values that overlap its low byte
	run -0 --separate-stderr mf-scan -p "$mt_pid" -T i32 --align 1 --snapshot "$BATS_TEST_TMPDIR/snap" -f json </dev/null
	no_sanitizer
	refute_output --partial '"type":"hit"'
	[[ $(stat -c %a "$BATS_TEST_TMPDIR/snap") == 600 ]]
	mf-read -p "$mt_pid" -T u32 --write 1001 "$mt_u32" </dev/null
	sm_do ">"
	mf-scan --rescan increased --snapshot "$BATS_TEST_TMPDIR/snap" >"$BATS_TEST_TMPDIR/h-increased"
	assert_equal "$(mf_list <"$BATS_TEST_TMPDIR/h-increased")" "$(sm_list)"
	assert_equal "$(mf_list <"$BATS_TEST_TMPDIR/h-increased" | wc -l)" 4
	run -0 bash -c "mf-cat -f json '$BATS_TEST_TMPDIR/h-increased' | jq -r 'select(.type == \"hit\" and .addr == \"$mt_u32\") | \"\(.pattern) \(.vtype) \(.value)\"'"
	assert_output "i32 increased i32 1001"
	# then the hits, as after any first scan
	local step mode cmd value prev=h-increased
	for step in "990 decreased <" "- unchanged =" "995 changed !=" "- eq:995 995"; do
		read -r value mode cmd <<<"$step"
		[[ $value == - ]] || mf-read -p "$mt_pid" -T u32 --write "$value" "$mt_u32" </dev/null
		sm_do "$cmd"
		mf-scan --rescan ${mode/:/ } <"$BATS_TEST_TMPDIR/$prev" >"$BATS_TEST_TMPDIR/h-$mode" || true
		assert_equal "$(mf_list <"$BATS_TEST_TMPDIR/h-$mode")" "$(sm_list)"
		prev=h-$mode
	done
	assert_equal "$(mf_list <"$BATS_TEST_TMPDIR/$prev")" "$mt_u32"
	# the snapshot again, against memory now: every mode of it
	run -0 bash -c "mf-scan --rescan decreased --snapshot '$BATS_TEST_TMPDIR/snap' | mf-cat -f json | jq -r 'select(.type == \"hit\") | .addr' | grep -cx '$mt_u32'"
	assert_output 1
	run -0 bash -c "mf-scan --rescan eq 995 --snapshot '$BATS_TEST_TMPDIR/snap' | mf-cat -f json | jq -r 'select(.type == \"hit\") | .addr'"
	assert_output "$mt_u32"
	sm_stop
}

@test "mf-scan --snapshot: misuse and bad snapshot files" {
	run -2 --separate-stderr mf-scan -p $$ -T u32 1000 --snapshot "$BATS_TEST_TMPDIR/s" </dev/null
	assert_stderr "mf-scan: -T u32 --snapshot saves memory for an unknown value: no VALUE (compare later with --rescan MODE --snapshot FILE)"
	run -2 --separate-stderr mf-scan -p $$ -s x --snapshot "$BATS_TEST_TMPDIR/s" </dev/null
	assert_stderr "mf-scan: --snapshot goes with -T TYPE (a first scan for an unknown value) or --rescan MODE"
	run -1 --separate-stderr mf-scan --rescan changed --snapshot "$BATS_TEST_TMPDIR/none" </dev/null
	assert_stderr --partial "$BATS_TEST_TMPDIR/none"
	[[ ! -e $BATS_TEST_TMPDIR/s ]]
	# a stream that is not a snapshot: a target record and nothing else
	mf-ps -p $$ -f msgpack </dev/null >"$BATS_TEST_TMPDIR/ps"
	run -1 --separate-stderr mf-scan --rescan changed --snapshot "$BATS_TEST_TMPDIR/ps"
	assert_stderr "mf-scan: $BATS_TEST_TMPDIR/ps: not a snapshot of mf-scan -T --snapshot (no snapshot record)"
}

@test "mf-scan -T u8 0: the first scan's and its rescans' hits are hits records, under 8 bytes a hit, as many as scanmem finds" {
	need_scanmem
	taskset -c 0 sleep 300 3>&- &
	sleep_pid=$!
	wait_in_nanosleep "$sleep_pid"
	# on one CPU (see start_pinned_memtarget), asleep (its start-up done), and once stopped
	# by scanmem's ptrace, which interrupts its sleep: after that its memory stays as it is
	scanmem -p "$sleep_pid" -c 'option scan_data_type int8;0;exit' >/dev/null 2>&1
	mf-scan -p "$sleep_pid" -T u8 0 </dev/null >"$BATS_TEST_TMPDIR/z"
	local hits bytes
	hits=$(mf-cat -f json "$BATS_TEST_TMPDIR/z" | grep -c '"type":"hit"')
	bytes=$(stat -c %s "$BATS_TEST_TMPDIR/z")
	run -0 scanmem -p "$sleep_pid" -c 'option scan_data_type int8;0;exit'
	assert_output --partial "we currently have $hits matches."
	[[ $hits -gt 100000 ]] || fail "only $hits zero bytes"
	((bytes < 8 * hits)) || fail "$bytes bytes for $hits hits"
	# as readers see them: plain hits of u8 0, each with its value and byte
	run -0 bash -c "mf-cat -f json '$BATS_TEST_TMPDIR/z' | jq -c 'select(.type == \"hit\") | [.pattern, .vtype, .value, .data, .len]' | sort | uniq -c"
	assert_output --regexp "^ *$hits \[\"u8 eq 0\",\"u8\",0,\"00\",1\]$"
	# a rescan reads them and packs what it keeps: under 8 bytes a hit again, the same hits
	# as its JSON output has, and every reader reads them (mf-cat, the next rescan)
	local d=$BATS_TEST_TMPDIR
	mf-scan --rescan unchanged <"$d/z" >"$d/z1"
	bytes=$(stat -c %s "$d/z1")
	((bytes < 8 * hits)) || fail "rescan: $bytes bytes for $hits hits"
	run -0 bash -c "mf-cat -f json '$d/z1' | grep -c '\"type\":\"hit\"'"
	assert_output "$hits"
	mf-scan --rescan unchanged -f json <"$d/z" >"$d/z1.json"
	run -1 grep -c '"type":"hits"' "$d/z1.json"
	assert_equal "$(mf-cat -f json "$d/z1")" "$(cat "$d/z1.json")"
	run -0 bash -c "mf-cat '$d/z1' | grep -c ' u8 eq 0 '"
	assert_output "$hits"
	run -0 bash -c "mf-scan --rescan eq 0 <'$d/z1' | tee '$d/z2' | mf-cat -f json | grep -c '\"type\":\"hit\"'"
	assert_output "$hits"
	bytes=$(stat -c %s "$d/z2")
	((bytes < 8 * hits)) || fail "second rescan: $bytes bytes for $hits hits"
	run -0 bash -c "mf-scan -p $sleep_pid -T u8 0 -f json </dev/null | grep -c '\"type\":\"hits\"'" || true
	assert_output 0
	run -0 bash -c "mf-scan -p $sleep_pid -T u8 0 --context 4 </dev/null | mf-cat -f json | jq -r 'select(.type == \"hit\") | .data | length' | sort -u"
	assert_line 8
}

@test "hits records: every reader expands them into hit records; bad ones are errors of the stream" {
	local h='"space":"phys","len":1,"pattern":"u8 eq 0","vtype":"u8","value":0,"data":"00"'
	run -0 --separate-stderr bash -c "printf '%s\n' '{\"type\":\"hits\",$h,\"addr\":\"0x10\",\"count\":4,\"deltas\":\"0102ff01\"}' | mf-cat -f json"
	assert_equal "$(jq -c '[.type, .addr, .pattern, .data]' <<<"$output")" \
'["hit","0x10","u8 eq 0","00"]
["hit","0x11","u8 eq 0","00"]
["hit","0x13","u8 eq 0","00"]
["hit","0x112","u8 eq 0","00"]'
	# one hit: no deltas
	run -0 --separate-stderr bash -c "printf '%s\n' '{\"type\":\"hits\",$h,\"addr\":\"0x10\",\"count\":1,\"deltas\":\"\"}' | mf-cat -f json"
	assert_output '{"type":"hit","space":"phys","len":1,"pattern":"u8 eq 0","vtype":"u8","value":0,"data":"00","addr":"0x10"}'
	local bad
	for bad in '"count":3,"deltas":"01"|count 3 but 1 bytes of deltas' \
		'"count":2,"deltas":"00"|delta 1 is 0 (addresses must increase)' \
		'"count":2,"deltas":"80"|delta 1 cut off or over 64 bits' \
		'"count":2,"deltas":"0101"|1 bytes after the last of 1 deltas' \
		'"count":0,"deltas":""|without a "count" of at least 1' \
		'"count":2,"deltas":"ffffffffffffffffff01"|delta 1 is past the top of the address space'; do
		run -1 --separate-stderr bash -c "printf '%s\n' '{\"type\":\"target\",\"v\":1}' '{\"type\":\"hits\",$h,\"addr\":\"0x10\",${bad%%|*}}' | mf-cat -f json"
		assert_stderr --partial "mf-cat: stdin: at byte 24: hits record"
		assert_stderr --partial "${bad#*|}"
	done
}
