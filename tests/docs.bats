#!/usr/bin/env bats
# The man pages and the bash completion agree with each tool's --help.
load test_helper
load tools_helper

TOOLS=(mf-attach mf-ps mf-modules mf-read mf-vtop mf-dump mf-scan mf-syms mf-cat)

# The long options of a tool's --help; fails the test when --help fails or lists none
# (a loop over an empty list would pass whatever the man page says).
help_options() {
	local help opts
	help=$("$1" --help) || fail "$1 --help failed"
	opts=$(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$help" | sort -u)
	[[ $(wc -l <<<"$opts") -ge 3 ]] || fail "$1 --help lists no long options"
	printf '%s\n' "$opts"
}

# A man page's source with the roff escapes of '-' undone and fonts dropped.
man_text() {
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(dq/"/g' "$MF_TOP_SRCDIR/man/$1"
}

@test "every long option of --help is in the man page" {
	local t o opts missing=
	for t in "${TOOLS[@]}"; do
		opts=$(help_options "$t") || return 1
		for o in $opts; do
			man_text "$t.1" | grep -qE -- "$o([^a-z0-9-]|\$)" || missing+=" $t:$o"
		done
	done
	[[ -z $missing ]] || fail "not in the man page:$missing"
}

@test "the SYNOPSIS is the --help usage" {
	local t want got
	for t in "${TOOLS[@]}"; do
		want=$("$t" --help | sed -n '/^usage: /,/^$/p' | sed -e '/^$/d' -e 's/^usage: //' -e 's/^       //')
		[[ $want == "$t "* ]] || fail "$t --help has no usage line"
		got=$(man_text "$t.1" | sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' | grep -v '^\.')
		assert_equal "$got" "$want"
	done
}

@test "every long option of --help is offered by the bash completion" {
	local t o opts missing=
	# shellcheck source=/dev/null
	source "$MF_TOP_SRCDIR/completions/mftools"
	for t in "${TOOLS[@]}"; do
		COMP_WORDS=("$t" --)
		COMP_CWORD=1
		"_${t//-/_}"
		opts=$(help_options "$t") || return 1
		for o in $opts; do
			[[ " ${COMPREPLY[*]} " == *" $o "* ]] || missing+=" $t:$o"
		done
	done
	[[ -z $missing ]] || fail "not completed:$missing"
}

@test "the completion knows formats, types, archs and plugin names" {
	source "$MF_TOP_SRCDIR/completions/mftools"
	COMP_WORDS=(mf-read -f "")
	COMP_CWORD=2
	_mf_read
	assert_equal "${COMPREPLY[*]}" "table json msgpack raw"
	COMP_WORDS=(mf-ps --format=j)
	COMP_CWORD=1
	_mf_ps
	assert_equal "${COMPREPLY[*]}" "json"
	COMP_WORDS=(mf-read -T "u1")
	COMP_CWORD=2
	_mf_read
	assert_equal "${COMPREPLY[*]}" "u16"
	COMP_WORDS=(mf-read --arch x86_64-)
	COMP_CWORD=2
	_mf_read
	assert_equal "${COMPREPLY[*]}" "x86_64-la57"
	COMP_WORDS=(mf-ps -o na)
	COMP_CWORD=2
	_mf_ps
	assert_equal "${COMPREPLY[*]}" "native"
}

@test "the man pages render without warnings" {
	require_cmd man groff
	local p err
	for p in mf-attach.1 mf-ps.1 mf-modules.1 mf-read.1 mf-vtop.1 mf-dump.1 mf-scan.1 mf-syms.1 mf-cat.1 mftools.7; do
		err=$(MANWIDTH=80 man --warnings -l "$MF_TOP_SRCDIR/man/$p" 2>&1 >/dev/null)
		[[ -z $err ]] || fail "$p: $err"
	done
}

@test "mftools(7) names every tool and every record type" {
	local page=$MF_TOP_SRCDIR/man/mftools.7 f t
	for f in "$MF_TOP_SRCDIR"/tools/mf-*.c; do
		t=$(basename "$f" .c)
		grep -qF ".BR ${t//-/\\-} (1)" "$page" || fail "mftools(7) does not list $t"
	done
	# the record types the code writes: mf_rec_new("T") and mf_rec_reset(r, "T")
	local types
	types=$(cat "$MF_TOP_SRCDIR"/tools/*.c "$MF_TOP_SRCDIR"/libcommon/*/*.c |
		grep -o 'mf_rec_\(new\|reset\)([^")]*"[a-z0-9_]*"' | sed 's/.*"\(.*\)"/\1/' | sort -u)
	[[ $types == *process* && $types == *hit* ]] || fail "found no record types: $types"
	for t in $types; do
		grep -qx ".B $t" "$page" || fail "mftools(7) does not describe the $t record"
	done
}

@test "the man pages carry one date" {
	local dates
	dates=$(grep -h '^\.TH' "$MF_TOP_SRCDIR"/man/*.[1-8] | awk '{ print $4 }' | sort -u)
	assert_equal "$(wc -l <<<"$dates")" 1
}

@test "the completion: -c q<Tab> gives 'qemu:' with no space after it, a file name a space" {
	source "$MF_TOP_SRCDIR/completions/mftools"
	local opts=()
	compopt() { opts+=("$*"); }
	cd "$BATS_TEST_TMPDIR"
	COMP_WORDS=(mf-ps -c q)
	COMP_CWORD=2
	_mf_ps
	assert_equal "${COMPREPLY[*]}" "qemu:"
	[[ " ${opts[*]} " == *" -o nospace "* ]] || fail "no nospace: ${opts[*]}"
	# a dump file next to the connector names: no nospace, bash ends the file name
	touch lime-dump.raw
	opts=()
	COMP_WORDS=(mf-read -c li)
	_mf_read
	assert_equal "${COMPREPLY[*]}" "lime: lime-dump.raw"
	[[ " ${opts[*]} " != *" -o nospace "* ]] || fail "nospace for a file: ${opts[*]}"
	COMP_WORDS=(mf-cat -f "")
	_mf_cat
	assert_equal "${COMPREPLY[*]}" "table json msgpack"
}
