#!/usr/bin/env bats
# mf-modules: modules and maps of processes selected by options or by records on stdin.
load test_helper
load tools_helper

setup() {
	marker_start "mfmarker-$$"
}

teardown() {
	marker_stop
}

@test "mf-ps -n NAME | mf-modules lists its libc at the base /proc/PID/maps shows" {
	[[ -n $LIBC ]] || fail "no libc mapping in /proc/$MARKER/maps"
	run -0 --separate-stderr bash -c "mf-ps -n $MARKNAME | mf-modules -f json" </dev/null
	no_sanitizer
	assert_equal "$stderr" ""
	local base
	base=$(jq -r --arg p "$LIBC" 'select(.type == "module" and .path == $p) | .base' <<<"$output")
	assert_equal "$base" "$(maps_base "$MARKER" "$LIBC")"
	assert_equal "$(jq -r --arg p "$LIBC" 'select(.type == "module" and .path == $p) | .pid' <<<"$output")" "$MARKER"
	# the executable too, and the target record first
	local exe
	exe=$(readlink "/proc/$MARKER/exe")
	[[ -n $(jq -c --arg p "$exe" 'select(.type == "module" and .path == $p)' <<<"$output") ]] || fail "no module for $exe in: $output"
	assert_equal "$(head -n1 <<<"$output" | jq -r .type)" "target"
}

@test "mf-modules -p and table output" {
	run -0 --separate-stderr mf-modules -p "$MARKER" -f table </dev/null
	no_sanitizer
	assert_line --index 0 --regexp '^ +PID +BASE +SIZE +NAME +PATH$'
	assert_line --regexp "^ *$MARKER +$(maps_base "$MARKER" "$LIBC") +0x[0-9a-f]+ +libc[^ ]* +$LIBC\$"
}

@test "mf-ps -f json | jq -c . | mf-modules round-trips; other records are ignored" {
	run -0 --separate-stderr bash -c "mf-ps -f json -p $MARKER | jq -c . | mf-modules -f json" </dev/null
	no_sanitizer
	assert_equal "$(jq -r --arg p "$LIBC" 'select(.type == "module" and .path == $p) | .base' <<<"$output")" \
		"$(maps_base "$MARKER" "$LIBC")"
	# the modules' own records fed back select nothing: no process records
	run -0 --separate-stderr bash -c "mf-modules -p $MARKER -f json | mf-modules -f json" </dev/null
	assert_equal "$(jq -r .type <<<"$output" | sort -u)" "target"
	# jq can select by name in the middle of the pipe
	run -0 --separate-stderr bash -c "mf-ps -f json | jq -c 'select(.type == \"target\" or .cmdline == \"$MARKNAME 600\")' | mf-modules -f json" </dev/null
	assert_equal "$(jq -r 'select(.type == "module") | .pid' <<<"$output" | sort -u)" "$MARKER"
}

@test "mf-modules --maps matches /proc/PID/maps" {
	run -0 --separate-stderr mf-modules --maps -p "$MARKER" -f json </dev/null
	no_sanitizer
	local got want
	got=$(jq -r 'select(.type == "map") | "\(.start) \(.end) \(.perms)"' <<<"$output")
	want=$(awk '{ split($1, a, "-"); print "0x" a[1], "0x" a[2], $2 }' "/proc/$MARKER/maps")
	assert_equal "$got" "$want"
	run -0 --separate-stderr mf-modules --maps -p "$MARKER" -f table </dev/null
	assert_line --index 0 --regexp '^ +PID +START +END +PERMS +OFFSET +PATH$'
}

@test "mf-modules: a pid given with -p that does not exist is an error, the others are listed, exit 1" {
	run -1 --separate-stderr mf-modules -p "2147483647,$MARKER" -f json </dev/null
	no_sanitizer
	assert_stderr "mf-modules: no process with pid 2147483647"
	[[ -n $(jq -c --argjson p "$MARKER" 'select(.type == "module" and .pid == $p)' <<<"$output") ]]
	# an error, not a warning: -q does not hide it
	run -1 --separate-stderr mf-modules -q -p 2147483647 -f json </dev/null
	assert_stderr "mf-modules: no process with pid 2147483647"
}

@test "mf-modules: a piped process that exited meanwhile is a warning, exit 0 if another was listed" {
	local ps=$BATS_TEST_TMPDIR/ps.json
	# the marker, and a process record whose process is gone by the time mf-modules reads it
	sleep 0 &
	local gone=$!
	wait "$gone"
	mf-ps -f json -p "$MARKER" </dev/null >"$ps"
	jq -c --argjson g "$gone" 'select(.type == "process") | .pid = $g' "$ps" >>"$ps"
	run -0 --separate-stderr mf-modules -f json <"$ps"
	no_sanitizer
	assert_stderr "mf-modules: warning: pid $gone exited"
	[[ -n $(jq -c --argjson p "$MARKER" 'select(.type == "module" and .pid == $p)' <<<"$output") ]]
	run -0 --separate-stderr mf-modules --maps -f json <"$ps"
	assert_stderr "mf-modules: warning: pid $gone exited"
	# nothing read at all: exit 1
	run -1 --separate-stderr bash -c "grep -v '\"pid\":$MARKER,' '$ps' | mf-modules -f json"
	assert_stderr "mf-modules: warning: pid $gone exited"
	# the README's line: mf-ps's own pid (and jq's) are gone when mf-modules reads them
	run --separate-stderr bash -c "mf-ps -f json | jq -c 'select(.type == \"target\" or .uid == $(id -u))' | mf-modules --maps -f json" </dev/null
	no_sanitizer
	if [[ $stderr != "" ]]; then
		# every line is a gone process, or a process this user may not read (/proc says so too)
		while IFS= read -r l; do
			[[ $l =~ ^mf-modules:\ warning:\ pid\ [0-9]+\ exited$ ]] && continue
			[[ $l =~ ^mf-modules:\ warning:\ cannot\ read\ pid\ ([0-9]+):\ permission\ denied\ \(skipped\)$ ]] || fail "unexpected: $l"
			! cat "/proc/${BASH_REMATCH[1]}/maps" >/dev/null 2>&1 || fail "pid ${BASH_REMATCH[1]} is readable: $l"
		done <<<"$stderr"
	fi
	# unreadable processes are warnings too: the line succeeds
	assert_equal "$status" 0
	[[ -n $(jq -c --argjson p "$MARKER" 'select(.type == "map" and .pid == $p)' <<<"$output") ]]
}

@test "mf-modules: -n that matches nothing is an error; an empty selection on stdin is not" {
	run -1 --separate-stderr mf-modules -n nosuchprocessname </dev/null
	assert_stderr "mf-modules: no process matches 'nosuchprocessname'"
	run -0 --separate-stderr bash -c "mf-attach -f json | mf-modules -f json" </dev/null
	assert_stderr "mf-modules: warning: stdin carried a target record and no process records: nothing to list"
	assert_equal "$(jq -r .type <<<"$output")" "target"
}

@test "mf-modules: nothing selected, bad input" {
	run -2 --separate-stderr mf-modules </dev/null
	assert_stderr --partial "mf-modules: no processes selected"
	run -2 --separate-stderr mf-modules -p 12x </dev/null
	assert_stderr "mf-modules: invalid pid '12x'"
	run -1 --separate-stderr bash -c 'printf "\x92\x01" | mf-modules'
	no_sanitizer
	assert_stderr --regexp '^mf-modules: stdin: at byte [0-9]+'
	mf-ps -f msgpack -p "$MARKER" </dev/null >"$BATS_TEST_TMPDIR/ps.mp"
	head -c $(($(stat -c %s "$BATS_TEST_TMPDIR/ps.mp") - 5)) "$BATS_TEST_TMPDIR/ps.mp" >"$BATS_TEST_TMPDIR/cut.mp"
	run -1 --separate-stderr bash -c "mf-modules -f json <'$BATS_TEST_TMPDIR/cut.mp'"
	no_sanitizer
	assert_stderr --regexp '^mf-modules: stdin: at byte [0-9]+: .*truncated'
	run -2 --separate-stderr mf-modules --nope </dev/null
	assert_stderr --partial 'usage: mf-modules'
}
