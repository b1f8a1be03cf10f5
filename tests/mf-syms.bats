#!/usr/bin/env bats
# mf-syms -p PID on this machine (the native layer): a process's symbols are its modules'
# dynamic symbols, read out of its memory, as readelf reads them from the files; they work
# in every address argument (MODULE!NAME+OFF) and --at finds them back.  The kernel's and a
# guest's are tests/linux.bats'.
load test_helper
load tools_helper

setup() {
	marker_start "mfsyms-$$"
	[[ -n $LIBC ]] || fail "no libc mapping in /proc/$MARKER/maps"
	BASE=$(maps_base "$MARKER" "$LIBC")
}

teardown() {
	marker_stop
}

# "ADDR NAME" of each symbol a dynamic linker can bind to in FILE loaded at BASE: defined,
# global/weak/unique, not TLS, not a hidden version (one "@"), as readelf lists them.
readelf_exports() {
	readelf --dyn-syms -W "$1" | while read -r num value _ type bind _ ndx name; do
		[[ $num =~ ^[0-9]+:$ && $ndx != UND && $type != TLS && $type != SECTION && $type != FILE ]] || continue
		[[ $bind == GLOBAL || $bind == WEAK || $bind == UNIQUE ]] || continue
		[[ $((16#$value)) -ne 0 && ( $name != *@* || $name == *@@* ) ]] || continue
		printf '0x%x %s\n' $(($2 + 16#$value)) "${name%%@*}"
	done | sort
}

@test "mf-syms -p: every libc export at the address readelf gives plus the base /proc/PID/maps shows" {
	readelf_exports "$LIBC" "$BASE" >"$BATS_TEST_TMPDIR/oracle"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/oracle")" -gt 1000 ] || fail "readelf listed too few: $(head "$BATS_TEST_TMPDIR/oracle")"
	run -0 --separate-stderr mf-syms -p "$MARKER" -f json 'libc!*' </dev/null
	no_sanitizer
	assert_equal "$stderr" ""
	jq -r 'select(.type == "symbol") | "\(.addr) \(.name)"' <<<"$output" | sort >"$BATS_TEST_TMPDIR/ours"
	run diff "$BATS_TEST_TMPDIR/oracle" "$BATS_TEST_TMPDIR/ours"
	[ "$status" -eq 0 ] || fail "libc's symbols differ from readelf's: $output"
	# fields: module name, size, kind
	size=$(readelf --dyn-syms -W "$LIBC" | awk '$8 ~ /^malloc@@/ { print $3; exit }')
	run -0 mf-syms -p "$MARKER" -f json 'libc.so.6!malloc' </dev/null
	assert_output --partial "\"module\":\"$(basename "$LIBC")\",\"name\":\"malloc\""
	assert_output --partial "\"size\":\"0x$(printf %x "$size")\",\"kind\":\"export\""
	# the executable and the dynamic linker have theirs; sorted by address in a table
	run -0 mf-syms -p "$MARKER" -f table 'ld-linux*!_dl_catch_exception' </dev/null
	assert_line --index 0 --regexp '^ +ADDR +SIZE +KIND +MODULE +NAME$'
	assert_line --index 1 --regexp ' export +ld-linux[^ ]* +_dl_catch_exception$'
}

@test "MODULE!NAME+OFF in address arguments: mf-read reads what /proc/PID/mem holds there; --at finds it back" {
	addr=$(readelf_exports "$LIBC" "$BASE" | awk '$2 == "malloc" { print $1 }')
	dd if="/proc/$MARKER/mem" bs=1 skip=$((addr + 16)) count=16 status=none | od -An -tx1 | tr -d ' \n' >"$BATS_TEST_TMPDIR/want"
	mf-read -p "$MARKER" -f raw 'libc!malloc+0x10' 16 >"$BATS_TEST_TMPDIR/got" </dev/null
	assert_equal "$(od -An -tx1 "$BATS_TEST_TMPDIR/got" | tr -d ' \n')" "$(cat "$BATS_TEST_TMPDIR/want")"
	run -0 mf-syms -p "$MARKER" -f json --at "$(printf '0x%x' $((addr + 5)))" </dev/null
	assert_output --partial "\"where\":\"$(basename "$LIBC")!malloc+0x5\""
	# a bare NAME is searched in every module
	run -0 mf-syms -p "$MARKER" -f json --at 'malloc' </dev/null
	assert_output --partial "\"where\":\"$(basename "$LIBC")!malloc+0x0\""
}

@test "errors: no such symbol, no such module, an address no module holds, a pid that does not exist" {
	run -1 --separate-stderr mf-read -p "$MARKER" 'libc!no_such_symbol_here' 8 </dev/null
	no_sanitizer
	assert_equal "$stderr" "mf-read: pid $MARKER: no symbol 'libc!no_such_symbol_here'"
	run -1 --separate-stderr mf-read -p "$MARKER" 'nosuchlib!malloc' 8 </dev/null
	assert_equal "$stderr" "mf-read: pid $MARKER: no symbol 'nosuchlib!malloc'"
	run -1 --separate-stderr mf-syms -p "$MARKER" 'nosuchlib!*' </dev/null
	assert_equal "$stderr" "mf-syms: no symbol matches 'nosuchlib!*'"
	run -1 --separate-stderr mf-syms -p "$MARKER" --at 0x10 </dev/null
	assert_equal "$stderr" "mf-syms: pid $MARKER: no module holds 0x10"
	run -1 --separate-stderr mf-syms -p 999999999 </dev/null
	assert_output ""
	[[ $stderr == "mf-syms: "*999999999* ]] || fail "$stderr"
}
