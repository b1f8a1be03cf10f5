# Shared by tests/win32.bats and tests/win32-x86.bats: the generator's oracle (the files
# tests/win32-mkimage.py printed into $D), our processes in its form, and the checks of the
# broken process lists of either architecture.

# oracle IMAGE KIND: the oracle's lines of that kind ("process", "module", "map", ...)
oracle() {
	grep "^$2 " "$D/$1.oracle"
}

# pid ppid name of each process, as mf-ps lists them
ours_ps() {
	mf-ps -f json "$@" | jq -r 'select(.type == "process") | "process \(.pid) \(.ppid) \(.name)"'
}

# w32_broken_lists PREFIX: the images PREFIXcyclic (the last process links back to the
# second) and PREFIXwild (the third's link leads into unmapped pool) give the processes
# before the break, with a warning, at once
w32_broken_lists() {
	run -0 --separate-stderr timeout 60 mf-ps -f json -c "raw:$D/${1}cyclic.raw" -o win32
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "process") | "process \(.pid) \(.ppid) \(.name)"' <<<"$output")" \
		"$(oracle "${1}cyclic" process)"
	grep -q '^mf-ps: warning: win32: the process list loops back to 0x[0-9a-f]*: the list ends there$' <<<"$stderr" || fail "$stderr"
	run -0 --separate-stderr timeout 60 mf-ps -f json -c "raw:$D/${1}wild.raw" -o win32
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "process") | "process \(.pid) \(.ppid) \(.name)"' <<<"$output")" \
		"$(oracle "${1}wild" process)"
	assert_equal "$(oracle "${1}wild" process | wc -l)" 3
	grep -q '^mf-ps: warning: win32: the process at 0x[0-9a-f]* cannot be read: the list ends there$' <<<"$stderr" ||
		fail "$stderr"
}

# stderr_has LINE...: the last run's stderr has each LINE, whole (else the test fails,
# showing it)
stderr_has() {
	local l
	for l in "$@"; do
		grep -qxF -- "$l" <<<"$stderr" || fail "no line '$l' in: $stderr"
	done
}

# w32_threads PREFIX: mf-ps --threads of the images PREFIXfull (explorer.exe's threads:
# ids, states, descriptions; every process's, each under its pid) and PREFIXcyclic (its
# last thread leads back to the second: a warning)
w32_threads() {
	local want
	want=$(oracle "${1}full" thread | awk 'BEGIN { split("- R R R X S W R S", st, " ") }
		$2 == 2044 { printf "thread %s %s %s %s\n", $2, $3, st[$4 + 1], $5 == "" ? "" : substr($0, index($0, $5)) }')
	[[ $(wc -l <<<"$want") -eq 3 ]] || fail "oracle: $want"
	run -0 --separate-stderr mf-ps --threads -f json -c "raw:$D/${1}full.raw" -o win32 -p 2044
	no_sanitizer
	assert_equal "$(jq -r 'select(.type == "thread") | "thread \(.pid) \(.tid) \(.state) \(.name)"' <<<"$output")" "$want"
	run -0 --separate-stderr mf-ps --threads -f json -c "raw:$D/${1}full.raw" -o win32
	assert_equal "$(jq -r 'select(.type == "thread") | "\(.pid) \(.tid)"' <<<"$output" | sort)" \
		"$(oracle "${1}full" thread | awk '{ print $2, $3 }' | sort)"
	run -0 --separate-stderr timeout 60 mf-ps --threads -f json -c "raw:$D/${1}cyclic.raw" -o win32 -p 2044
	assert_equal "$(jq -r 'select(.type == "thread") | .tid' <<<"$output" | tr '\n' ' ')" "2048 2052 3104 "
	grep -q '^mf-ps: warning: win32: a thread list loops back to 0x[0-9a-f]*: the list ends there$' <<<"$stderr" || fail "$stderr"
}

# w32_ptimes IMAGE: every process's create time, exit time and exit status as msgpack
# timestamps, read by another msgpack library, to the nanosecond (FILETIMEs are 100 ns
# units), as the oracle's ptime lines
w32_ptimes() {
	run -0 bash -c 'mf-ps -c "raw:$1" -o win32 | /usr/bin/python3 -c "
import msgpack, sys
for r in msgpack.Unpacker(sys.stdin.buffer):
    if r[\"type\"] == \"process\":
        print(\"ptime %d %d %d %s\" % (r[\"pid\"], r[\"start_time\"].to_unix_nano(),
              r[\"exit_time\"].to_unix_nano() if \"exit_time\" in r else 0,
              \"0x%x\" % r[\"exit_status\"] if \"exit_status\" in r else \"-\"))"' - "$D/$1.raw"
	assert_output "$(oracle "$1" ptime)"
}
