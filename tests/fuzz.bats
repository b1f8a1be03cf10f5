#!/usr/bin/env bats
# The libFuzzer targets (tests/fuzz/local.mk): built with clang by make fuzz, each run
# over its committed seeds and then a fixed number of inputs from a fixed seed
# (make fuzz-check), so what this test runs is the same every time.
load test_helper

@test "make fuzz-check: every target replays its seeds and survives a fixed run" {
	local names n
	names=$(sed -n 's/^fuzz_names = //p' "$MF_TOP_SRCDIR/tests/fuzz/local.mk")
	[[ -n $names ]] || fail "no fuzz_names in tests/fuzz/local.mk"
	run -0 env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$MF_TOP_BUILDDIR" fuzz-check
	echo "$output"
	for n in $names; do
		assert_line --regexp "^fuzz-$n: [1-9][0-9]* seeds: cov [1-9][0-9]* ft [0-9]+; after [0-9]+ runs \(-seed=[0-9]+\): cov [1-9][0-9]* ft [0-9]+\$"
	done
	refute_output --partial FAILED
}

@test "the fuzz runner fails a target without seeds and one that crashes" {
	local d=$BATS_TEST_TMPDIR
	mkdir -p "$d/src/tests/fuzz/seeds/crash" "$d/bin"
	printf 'x' >"$d/src/tests/fuzz/seeds/crash/one"
	# a stand-in for a libFuzzer program: exits 1 the way a crash does
	printf '#!/bin/sh\necho "==1==ERROR: AddressSanitizer: heap-buffer-overflow"\nexit 1\n' >"$d/bin/fuzz-crash"
	chmod +x "$d/bin/fuzz-crash"
	run -1 --separate-stderr env MF_TOP_SRCDIR="$d/src" "$MF_TOP_SRCDIR/tests/fuzz/run" check "$d/bin" crash noseeds
	assert_line --index 0 "fuzz-crash: FAILED (exit 1); the end of $d/bin/out/crash.log:"
	assert_line "==1==ERROR: AddressSanitizer: heap-buffer-overflow"
	assert_line "fuzz-noseeds: FAILED: no seeds in $d/src/tests/fuzz/seeds/noseeds"
}
