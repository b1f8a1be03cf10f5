#!/usr/bin/env bats
# A short libFuzzer run of every parser (the record stream, each dump format, page tables).
load test_helper

setup_file() {
	export MF_FUZZ_SECS=${MF_FUZZ_SECS:-10}
}

@test "every fuzz target builds and survives a short run" {
	require_cmd clang
	echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' >"$BATS_TEST_TMPDIR/t.c"
	clang -fsanitize=fuzzer "$BATS_TEST_TMPDIR/t.c" -o "$BATS_TEST_TMPDIR/t" 2>/dev/null || skip "clang cannot build libFuzzer targets (libclang-rt-dev missing)"
	run -0 --separate-stderr "$MF_TOP_SRCDIR/tests/fuzz/run" "$MF_FUZZ_SECS"
	assert_output --partial "Done"
}
