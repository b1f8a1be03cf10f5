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
