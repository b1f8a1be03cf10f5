#!/usr/bin/env bats
# mf-ps: processes of this machine (native), filters, tree, formats, bad input.
load test_helper
load tools_helper

setup() {
	bash -c 'exec -a mfmarker sleep 600' 3>&- &
	MARKER=$!
	# wait until the exec happened
	for ((i = 0; i < 100; i++)); do
		[[ $(tr '\0' ' ' <"/proc/$MARKER/cmdline" 2>/dev/null) == "mfmarker 600 " ]] && break
		sleep 0.05
	done
}

teardown() {
	kill "$MARKER" 2>/dev/null || true
	wait "$MARKER" 2>/dev/null || true
}

@test "mf-ps lists a marked process with its pid, ppid and cmdline" {
	run -0 --separate-stderr mf-ps -f json </dev/null
	no_sanitizer
	assert_equal "$stderr" ""
	local line
	line=$(jq -c --argjson p "$MARKER" 'select(.type == "process" and .pid == $p)' <<<"$output")
	[[ -n $line ]] || fail "pid $MARKER not listed"
	assert_equal "$(jq -r .ppid <<<"$line")" "$$"
	assert_equal "$(jq -r .cmdline <<<"$line")" "mfmarker 600"
	assert_equal "$(jq -r .name <<<"$line")" "sleep"
	assert_equal "$(jq -r .path <<<"$line")" "$(readlink "/proc/$MARKER/exe")"
	assert_equal "$(jq -r .uid <<<"$line")" "$(id -u)"
	# the target record comes first
	assert_equal "$(head -n1 <<<"$output" | jq -r .type)" "target"
	assert_equal "$(head -n1 <<<"$output" | jq -r .os)" "native"
}

@test "mf-ps is sorted by pid and lists what /proc lists" {
	run -0 --separate-stderr mf-ps -f json </dev/null
	no_sanitizer
	local pids sorted
	pids=$(jq -r 'select(.type == "process") | .pid' <<<"$output")
	sorted=$(sort -n <<<"$pids")
	assert_equal "$pids" "$sorted"
	# pid 1 and this shell are there
	grep -qx 1 <<<"$pids"
	grep -qx "$$" <<<"$pids"
	# the whole set: every process in /proc before and after is listed; a listed one that
	# is in neither came and went during the run (it is gone now)
	local before after
	before=$(ls /proc | grep -E '^[0-9]+$' | sort -n)
	run -0 --separate-stderr mf-ps -f json </dev/null
	after=$(ls /proc | grep -E '^[0-9]+$' | sort -n)
	pids=$(jq -r 'select(.type == "process") | .pid' <<<"$output" | sort -n)
	local both missing extra p
	both=$(comm -12 <(sort <<<"$before") <(sort <<<"$after") | sort -n)
	missing=$(comm -23 <(sort <<<"$both") <(sort <<<"$pids"))
	[[ -z $missing ]] || fail "in /proc before and after, not listed: $(tr '\n' ' ' <<<"$missing")"
	extra=$(comm -13 <(sort -u <<<"$before"$'\n'"$after") <(sort <<<"$pids"))
	for p in $extra; do
		[[ ! -e /proc/$p ]] || fail "listed pid $p was in /proc neither before nor after, yet exists"
	done
	[[ $(wc -l <<<"$pids") -ge $(($(wc -l <<<"$both") )) ]]
}

@test "mf-ps -n matches argv[0] and the name by glob; -p takes lists" {
	run -0 --separate-stderr mf-ps -n 'mfmarke?' -f json </dev/null
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "process") | .pid' <<<"$output")" "$MARKER"
	run -0 --separate-stderr mf-ps -p "1,$MARKER" -f json </dev/null
	assert_equal "$(jq -r 'select(.type == "process") | .pid' <<<"$output" | tr '\n' ' ')" "1 $MARKER "
	run -0 --separate-stderr mf-ps -p 1 -p "$MARKER" -n mfmarker -f json </dev/null
	assert_equal "$(jq -r 'select(.type == "process") | .pid' <<<"$output")" "$MARKER"
}

@test "mf-ps table output: columns, cmdline last" {
	run -0 --separate-stderr mf-ps -p "$MARKER" -f table </dev/null
	no_sanitizer
	assert_line --index 0 --regexp '^ +PID +PPID +UID +S +NAME +CMDLINE$'
	assert_line --index 1 --regexp "^ *$MARKER +$$ +$(id -u) +S +sleep +mfmarker 600\$"
}

@test "mf-ps: start times as the kernel counts them (boot time + /proc/PID/stat's clock ticks), a zombie's exit status" {
	# a zombie: sh exits 3 under a parent (the exec'd sleep) that never reaps it.  It exits
	# only once its parent is sleep: exiting earlier, it was reaped by the subshell's bash
	# before the exec (one CI run found no child at all)
	( sh -c 'while [ "$(cat /proc/$PPID/comm)" != sleep ]; do sleep 0.01; done; exit 3' & exec sleep 30 ) 3>&- &
	local parent=$! zombie= k
	for k in $(seq 400); do
		zombie=$(pgrep -P "$parent" || true)
		[[ $zombie =~ ^[0-9]+$ && $(awk '{ print $3 }' "/proc/$zombie/stat" 2>/dev/null) == Z ]] && break
		zombie=
		sleep 0.05
	done
	[[ -n $zombie ]] || fail "no zombie child of $parent after 20 s: $(ps -o pid=,stat=,comm= --ppid "$parent" | tr '\n' ';')"
	run -0 --separate-stderr mf-ps -p "$MARKER,$zombie" -f json </dev/null
	kill "$parent"
	no_sanitizer
	local btime ticks tck got want
	btime=$(awk '$1 == "btime" { print $2 }' /proc/stat)
	tck=$(getconf CLK_TCK)
	ticks=$(sed 's/.*) //' "/proc/$MARKER/stat" | awk '{ print $20 }')
	# btime is whole seconds (cut down): ours is the exact boot time, up to 1 s later
	want=$((btime + ticks / tck))
	got=$(jq -r --argjson p "$MARKER" 'select(.pid == $p) | .start_time | sub("\\.[0-9]+Z$"; "Z") | fromdate' <<<"$output")
	(( got >= want && got <= want + 1 )) || fail "start_time $got, /proc says $want (btime $btime + $ticks ticks)"
	# no exit for a running process
	assert_equal "$(jq -r --argjson p "$MARKER" 'select(.pid == $p) | [.exit_time, .exit_status] | tostring' <<<"$output")" "[null,null]"
	# the zombie: state Z, its wait status (exit 3 << 8)
	assert_equal "$(jq -r --argjson p "$zombie" 'select(.pid == $p) | "\(.state) \(.exit_status)"' <<<"$output")" "Z 768"
	# msgpack carries timestamps (extension type -1): mf-cat reads them back, to the
	# nanosecond (the boot time is rounded to the millisecond: the same in every listing)
	run -0 --separate-stderr bash -c "mf-ps -p $MARKER </dev/null | mf-cat -f json"
	assert_equal "$(jq -r 'select(.type == "process") | .start_time' <<<"$output")" \
		"$(mf-ps -p "$MARKER" -f json </dev/null | jq -r 'select(.type == "process") | .start_time')"
	if /usr/bin/python3 -c 'import msgpack' 2>/dev/null; then
		# and so does another msgpack reader, as a timestamp
		run -0 bash -c "mf-ps -p $MARKER </dev/null | /usr/bin/python3 -c 'import msgpack, sys
for r in msgpack.Unpacker(sys.stdin.buffer):
    if r[\"type\"] == \"process\": print(r[\"start_time\"].to_unix())'"
		assert_equal "${output%.*}" "$got"
	fi
	# --times: the table's columns
	run -0 --separate-stderr mf-ps --times -p "$MARKER" -f table </dev/null
	assert_line --index 0 --regexp '^ +PID +PPID  S  START +EXIT +STATUS  NAME$'
	assert_line --index 1 --regexp "^ *$MARKER +$$  S  $(date -u -d "@$got" +%Y-%m-%dT%H:%M:%SZ)  - +-  sleep\$"
}

@test "mf-ps --tree: children under their parent, with depth" {
	# the marker has no children: -p MARKER alone is one line at depth 0
	run -0 --separate-stderr mf-ps --tree -p "$MARKER" -f json </dev/null
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "process") | "\(.pid):\(.depth)"' <<<"$output" | tr '\n' ' ')" "$MARKER:0 "
	# this shell's subtree holds the marker at depth 1 (and mf-ps itself)
	run -0 --separate-stderr mf-ps --tree -p "$$" -f json </dev/null
	assert_equal "$(jq -r 'select(.type == "process") | "\(.pid):\(.depth)"' <<<"$output" | head -n2 | tr '\n' ' ')" "$$:0 $MARKER:1 "
	run -0 --separate-stderr mf-ps --tree -p "$$,$MARKER" -f table </dev/null
	assert_line --index 1 --regexp "^ *$$ .*  [^ ]"
	assert_line --index 2 --regexp "^ *$MARKER +$$ +[0-9]+ +S +  sleep +mfmarker 600\$"
	# the whole tree: every process once
	run -0 --separate-stderr mf-ps --tree -f json </dev/null
	local n m
	n=$(jq -r 'select(.type == "process") | .pid' <<<"$output" | sort -u | wc -l)
	m=$(jq -r 'select(.type == "process") | .pid' <<<"$output" | wc -l)
	assert_equal "$n" "$m"
	[[ $(jq -r 'select(.pid == 1) | .depth' <<<"$output") == 0 ]]
}

@test "mf-attach > t.mp; mf-ps -t t.mp, and mf-attach | mf-ps" {
	mf-attach -f msgpack >"$BATS_TEST_TMPDIR/t.mp"
	run -0 --separate-stderr mf-ps -t "$BATS_TEST_TMPDIR/t.mp" -p "$MARKER" -f json </dev/null
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "process") | .cmdline' <<<"$output")" "mfmarker 600"
	run -0 --separate-stderr bash -c "mf-attach | mf-ps -p $MARKER -f json" </dev/null
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "process") | .cmdline' <<<"$output")" "mfmarker 600"
	# JSON lines work as a target file too
	mf-attach -f json >"$BATS_TEST_TMPDIR/t.json"
	run -0 --separate-stderr mf-ps -t "$BATS_TEST_TMPDIR/t.json" -p "$MARKER" -f json </dev/null
	assert_equal "$(jq -r 'select(.type == "process") | .pid' <<<"$output")" "$MARKER"
}

@test "mf-ps: table on a terminal, msgpack in a pipe, MF_FORMAT" {
	require_cmd script
	run -0 script -qec "mf-ps -p $MARKER" /dev/null </dev/null
	assert_output --regexp 'PID +PPID'
	# in a pipe: msgpack (a fixmap first byte), not text
	run -0 bash -c "mf-ps -p $MARKER </dev/null | head -c1 | od -An -tx1"
	assert_output --regexp '^ 8[0-9a-f]$'
	run -0 bash -c "MF_FORMAT=json mf-ps -p $MARKER </dev/null | tail -n1 | jq -r .pid"
	assert_output "$MARKER"
	run -2 --separate-stderr env MF_FORMAT=bogus mf-ps </dev/null
	no_sanitizer
	assert_stderr --partial 'bogus'
	assert_equal "${#stderr_lines[@]}" 1
	run -2 --separate-stderr mf-ps -f bogus </dev/null
	assert_stderr "mf-ps: unknown format 'bogus' (use table, json, msgpack)"
}

@test "mf-ps: a pid that does not exist" {
	run -1 --separate-stderr mf-ps -p 2147483647 -f json </dev/null
	no_sanitizer
	assert_stderr "mf-ps: no process with pid 2147483647"
}

@test "mf-ps: bad numbers and options are usage errors" {
	run -2 --separate-stderr mf-ps -p abc </dev/null
	assert_stderr "mf-ps: invalid pid 'abc'"
	run -2 --separate-stderr mf-ps -p 99999999999999999999999 </dev/null
	assert_stderr "mf-ps: pid '99999999999999999999999' out of range"
	run -2 --separate-stderr mf-ps -p 4294967296 </dev/null
	assert_stderr "mf-ps: pid '4294967296' out of range"
	run -2 --separate-stderr mf-ps --bogus </dev/null
	assert_equal "${stderr_lines[0]}" "mf-ps: unrecognized option '--bogus'"
	assert_stderr --partial 'usage: mf-ps'
	assert_output ""
	run -2 --separate-stderr mf-ps extra </dev/null
	assert_stderr "mf-ps: unexpected argument 'extra'"
}

@test "mf-ps: unknown connector (a usage error) and a plugin with the wrong ABI" {
	run -2 --separate-stderr mf-ps -c nosuch </dev/null
	no_sanitizer
	assert_stderr "mf-ps: unknown connector 'nosuch' (see mf-attach --list)"
	run -2 --separate-stderr mf-ps -c nosuch:x </dev/null
	assert_stderr "mf-ps: unknown connector 'nosuch' (see mf-attach --list)"
	run -2 --separate-stderr mf-ps -o nosuch </dev/null
	assert_stderr "mf-ps: unknown os layer 'nosuch' (see mf-attach --list)"
	[[ -e $BADABI_DIR/mf-connector-badabi.so ]] || fail "test plugin $BADABI_DIR/mf-connector-badabi.so not built (make check builds it)"
	MF_PLUGIN_PATH=$MF_PLUGIN_PATH:$BADABI_DIR run -1 --separate-stderr mf-ps -c badabi </dev/null
	no_sanitizer
	assert_equal "${#stderr_lines[@]}" 1
	assert_stderr --regexp "^mf-ps: connector 'badabi' refused: .*/mf-connector-badabi.so has plugin ABI 99, this mftools has ABI 2"
}

@test "mf-ps: garbage and truncated streams on stdin" {
	run -1 --separate-stderr bash -c 'printf "\xc1garbage" | mf-ps'
	no_sanitizer
	assert_stderr --regexp '^mf-ps: stdin: at byte [0-9]+: '
	assert_equal "${#stderr_lines[@]}" 1
	mf-attach -f msgpack >"$BATS_TEST_TMPDIR/t.mp"
	local size
	size=$(stat -c %s "$BATS_TEST_TMPDIR/t.mp")
	head -c $((size - 3)) "$BATS_TEST_TMPDIR/t.mp" >"$BATS_TEST_TMPDIR/cut.mp"
	run -1 --separate-stderr bash -c "mf-ps <'$BATS_TEST_TMPDIR/cut.mp'"
	no_sanitizer
	assert_stderr --regexp '^mf-ps: stdin: at byte [0-9]+: .*truncated'
	run -1 --separate-stderr mf-ps -t "$BATS_TEST_TMPDIR/cut.mp" </dev/null
	assert_stderr --regexp "^mf-ps: target file .*cut.mp: at byte [0-9]+: .*truncated"
	run -1 --separate-stderr bash -c 'echo "{\"type\": \"target\", \"v\": 1" | mf-ps'
	assert_stderr --regexp '^mf-ps: stdin: at byte [0-9]+'
}

@test "mf-ps --help and --version" {
	run -0 --separate-stderr mf-ps --help
	assert_line --index 0 'usage: mf-ps [options] [-p PID[,PID...]]... [-n NAME]... [--tree] [--env] [--threads]'
	assert_equal "$stderr" ""
	run -0 --separate-stderr mf-ps --version
	assert_line --index 0 --regexp '^mf-ps \(mftools\) [0-9]+\.[0-9]+'
	assert_line --index 1 --regexp '^plugin directory: /'
}

@test "stdin without a target record: a pipe or a file fails, a terminal or /dev/null is this machine" {
	# a pipe (empty, or holding other records) is no target: never this machine instead
	run -1 --separate-stderr bash -c 'true | mf-ps -f json'
	assert_equal "$stderr" "mf-ps: no target record on stdin"
	assert_output ""
	run -1 --separate-stderr bash -c "mf-ps -f json </dev/null | tail -n +2 | mf-modules"
	assert_equal "$stderr" "mf-modules: no target record on stdin"
	run -1 --separate-stderr bash -c "mf-attach -c '$BATS_TEST_TMPDIR/missing.lime' 2>/dev/null | mf-ps"
	assert_equal "$stderr" "mf-ps: no target record on stdin"
	# a regular file, empty
	: >"$BATS_TEST_TMPDIR/empty"
	run -1 --separate-stderr mf-ps <"$BATS_TEST_TMPDIR/empty"
	assert_equal "$stderr" "mf-ps: no target record on stdin"
	# -c given: stdin is not needed for the target
	run -0 --separate-stderr bash -c "true | mf-ps -o native -p $$ -f json"
	assert_equal "$(jq -r 'select(.type == "process") | .pid' <<<"$output")" "$$"
	# /dev/null (a character device): no stdin, this machine
	run -0 --separate-stderr mf-ps -p $$ -f json </dev/null
	assert_equal "$(jq -r 'select(.type == "process") | .pid' <<<"$output")" "$$"
	# a terminal: no stdin, this machine
	require_cmd script
	run -0 script -qec "mf-ps -p $$ -f json" /dev/null
	assert_output --partial "\"pid\":$$"
}

@test "mf-ps --tree -p/-n: the matches and their descendants, as pstree" {
	# a child under the marker, so the subtree has two levels
	run -0 --separate-stderr mf-ps --tree -p "$PPID" -f json </dev/null
	no_sanitizer
	# the parent at depth 0, this shell among its descendants at depth 1 or more
	assert_equal "$(head -n2 <<<"$output" | tail -n1 | jq -r '"\(.pid) \(.depth)"')" "$PPID 0"
	assert_equal "$(jq -r --argjson p $$ 'select(.pid == $p) | .depth > 0' <<<"$output")" "true"
	# nothing outside the subtree: pid 1 is not under $PPID
	assert_equal "$(jq -r 'select(.pid == 1) | .pid' <<<"$output")" ""
	# every listed process but the root has its parent listed before it
	jq -r 'select(.type == "process") | "\(.pid) \(.ppid)"' <<<"$output" | awk -v root="$PPID" '
		NR == 1 { seen[$1] = 1; next }
		!($2 in seen) { print "parent of " $1 " not listed first"; bad = 1 }
		{ seen[$1] = 1 }
		END { exit bad }'
	# without --tree, -p is the one process
	run -0 --separate-stderr mf-ps -p "$PPID" -f json </dev/null
	assert_equal "$(jq -r 'select(.type == "process") | .pid' <<<"$output")" "$PPID"
}

@test "mf-ps -n that matches nothing exits 1, as pgrep" {
	run -1 --separate-stderr mf-ps -n nosuchprocessname -f json </dev/null
	assert_stderr "mf-ps: no process matches 'nosuchprocessname'"
	assert_equal "$(jq -r .type <<<"$output")" "target"
	run -1 --separate-stderr mf-ps --tree -n nosuchprocessname -f json </dev/null
	assert_stderr "mf-ps: no process matches 'nosuchprocessname'"
}

@test "mf-ps --env: the environment of a process as /proc/PID/environ has it" {
	MFPS_TEST_VAR='a value with = and spaces' bash -c 'exec -a mfenvmarker sleep 600' 3>&- &
	local pid=$!
	for ((i = 0; i < 100; i++)); do
		[[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == "mfenvmarker 600 " ]] && break
		sleep 0.05
	done
	local n
	# entries: one NUL each (values may hold newlines)
	n=$(tr -cd '\0' <"/proc/$pid/environ" | wc -c)
	run -0 mf-ps --env -p "$pid" -f json </dev/null
	kill "$pid"
	assert_equal "$(jq -r 'select(.type == "process") | .env.MFPS_TEST_VAR' <<<"$output")" 'a value with = and spaces'
	assert_equal "$(jq -r 'select(.type == "process") | .env | length' <<<"$output")" "$n"
	run -0 mf-ps --env -p "$MARKER" -f table </dev/null
	assert_line --index 0 --regexp '^ +PID +NAME +ENVIRONMENT$'
}

@test "mf-ps --threads: a thread record per thread, as /proc/PID/task lists them" {
	start_memtarget --threads
	run -0 mf-ps --threads -p "$mt_pid" -f json </dev/null
	stop_memtarget
	assert_equal "$(jq -r 'select(.type == "thread") | .tid' <<<"$output" | sort -n | tr '\n' ' ')" \
		"$mt_pid $mt_tid "
	assert_equal "$(jq -r 'select(.type == "thread" and .tid == '"$mt_tid"') | .name' <<<"$output")" "mt-worker"
}
