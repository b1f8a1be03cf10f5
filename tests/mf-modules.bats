#!/usr/bin/env bats
# mf-modules: modules and maps of processes selected by options or by records on stdin.
load test_helper
load tools_helper

setup() {
	# a name of its own: other suites may run a "mfmarker" at the same time
	MARKNAME=mfmarker-$$
	bash -c "exec -a $MARKNAME sleep 600" 3>&- &
	MARKER=$!
	for ((i = 0; i < 100; i++)); do
		grep -q libc "/proc/$MARKER/maps" 2>/dev/null && [[ $(tr '\0' ' ' <"/proc/$MARKER/cmdline") == "$MARKNAME 600 " ]] && break
		sleep 0.05
	done
	LIBC=$(awk '$6 ~ /\/libc[.-][^\/]*so/ { print $6; exit }' "/proc/$MARKER/maps")
}

teardown() {
	kill "$MARKER" 2>/dev/null || true
	wait "$MARKER" 2>/dev/null || true
}

@test "mf-ps -n NAME | mf-modules lists its libc at the base /proc/PID/maps shows" {
	[[ -n $LIBC ]] || fail "no libc mapping in /proc/$MARKER/maps"
	run -0 --separate-stderr bash -c "mf-ps -n $MARKNAME | mf-modules -f json"
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
	run -0 --separate-stderr bash -c "mf-ps -f json -p $MARKER | jq -c . | mf-modules -f json"
	no_sanitizer
	assert_equal "$(jq -r --arg p "$LIBC" 'select(.type == "module" and .path == $p) | .base' <<<"$output")" \
		"$(maps_base "$MARKER" "$LIBC")"
	# the modules' own records fed back select nothing: no process records
	run -0 --separate-stderr bash -c "mf-modules -p $MARKER -f json | mf-modules -f json"
	assert_equal "$(jq -r .type <<<"$output" | sort -u)" "target"
	# jq can select by name in the middle of the pipe
	run -0 --separate-stderr bash -c "mf-ps -f json | jq -c 'select(.type == \"target\" or .cmdline == \"$MARKNAME 600\")' | mf-modules -f json"
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

@test "mf-modules: a process that is gone gives a warning, the others are listed, exit 1" {
	run -1 --separate-stderr mf-modules -p "2147483647,$MARKER" -f json </dev/null
	no_sanitizer
	assert_stderr --regexp '^mf-modules: warning: no process with pid 2147483647'
	[[ -n $(jq -c --argjson p "$MARKER" 'select(.type == "module" and .pid == $p)' <<<"$output") ]]
	# -q hides the warning, not the status
	run -1 --separate-stderr mf-modules -q -p 2147483647 -f json </dev/null
	assert_equal "$stderr" ""
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
