#!/usr/bin/env bats
# The out-of-tree example connector (examples/connector-memfile): built only against a
# staged install of this tree's headers and mftools.pc, loaded through MF_PLUGIN_PATH.
load test_helper

setup_file() {
	export EX_STAGE=$BATS_FILE_TMPDIR/stage EX_DIR=$BATS_FILE_TMPDIR/memfile EX_BAD=$BATS_FILE_TMPDIR/memfile-abi99
	# the same source built against the frozen ABI-1 header: a plugin from before ABI 2
	export EX_ABI1=$BATS_FILE_TMPDIR/memfile-abi1 EX_ABI1_INC=$MF_TOP_SRCDIR/tests/plugins/abi1
	# a real `make install` of what a plugin author gets (libmf-dev): headers + mftools.pc
	(unset MAKEFLAGS MFLAGS MAKELEVEL
	 make -s -C "$MF_TOP_BUILDDIR" install-mftoolsincludeHEADERS install-pkgconfigDATA DESTDIR="$EX_STAGE") >&2
	EX_PC=$(find "$EX_STAGE" -name mftools.pc -print -quit)
	export EX_PC
	export PKG_CONFIG_PATH=${EX_PC%/*} PKG_CONFIG_SYSROOT_DIR=$EX_STAGE PKG_CONFIG_LIBDIR=${EX_PC%/*}
	for d in "$EX_DIR" "$EX_BAD" "$EX_ABI1"; do
		mkdir -p "$d"
		cp "$MF_TOP_SRCDIR"/examples/connector-memfile/{Makefile,memfile.c} "$d/"
	done
	# the ABI this tree's header defines (the staged copy, not the source tree)
	EX_ABI=$(sed -n 's/^#define MF_ABI_VERSION \([0-9]*\).*/\1/p' "$(find "$EX_STAGE" -name plugin.h -print -quit)")
	export EX_ABI
	# random bytes with a known window: offset 0x3000, 64 KiB, at physical 0x100000
	export EX_IMG=$BATS_FILE_TMPDIR/image.bin
	head -c 262144 /dev/urandom >"$EX_IMG"
}

build_example() { # DIR [make args...]
	local d=$1
	shift
	(unset MAKEFLAGS MFLAGS MAKELEVEL; make -C "$d" "$@")
}

use_abi1_example() {
	[ -f "$EX_ABI1/mf-connector-memfile.so" ] || build_example "$EX_ABI1" CPPFLAGS="-I$EX_ABI1_INC" >/dev/null 2>&1
	export MF_PLUGIN_PATH=$EX_ABI1:$MF_PLUGIN_PATH
}

use_example() {
	[ -f "$EX_DIR/mf-connector-memfile.so" ] || build_example "$EX_DIR" >/dev/null 2>&1
	export MF_PLUGIN_PATH=$EX_DIR:$MF_PLUGIN_PATH
}

# the last run's stderr contains TEXT (bats-assert 2.0 in Debian 12 has no assert_stderr)
stderr_has() {
	[[ $stderr == *"$1"* ]] || { printf 'stderr does not contain: %s\nstderr: %s\n' "$1" "$stderr" >&2; return 1; }
}

# bytes [OFF, OFF+LEN) of FILE to stdout
file_bytes() {
	tail -c +$(($2 + 1)) "$1" | head -c "$3"
}

@test "the staged install has the plugin headers and pkg-config file, nothing of the source tree" {
	run -0 pkg-config --cflags mftools
	assert_output --partial "-I$EX_STAGE/"
	refute_output --partial "$MF_TOP_SRCDIR"
	run -0 pkg-config --variable=connectordir mftools
	assert_output --regexp '/mftools/connectors$'
	[ -n "$EX_ABI" ]
}

@test "the example builds against the staged install with its own Makefile" {
	run -0 build_example "$EX_DIR" CFLAGS='-O2 -g -Werror'
	assert_output --partial "-I$EX_STAGE/"
	refute_output --partial "$MF_TOP_SRCDIR"
	refute_output --partial "warning"
	[ -f "$EX_DIR/mf-connector-memfile.so" ]
	# one exported entry point, as the plugin ABI asks
	run -0 bash -c "nm -D --defined-only '$EX_DIR/mf-connector-memfile.so' | awk '{ print \$3 }'"
	assert_output "mf_connector_entry"
}

@test "mf-attach --list shows it, with its path, ABI and description" {
	use_example
	run -0 --separate-stderr mf-attach --list -f table
	assert_line --regexp "^connector +memfile +$EX_ABI +$EX_DIR/mf-connector-memfile\.so$"
	assert_line --partial "physical memory from a window of a file"
	run -0 --separate-stderr mf-attach --list -f json
	run -0 jq -r 'select(.name == "memfile") | "\(.kind) \(.abi) \(.path) \(.refused)"' <<<"$output"
	assert_output "connector $EX_ABI $EX_DIR/mf-connector-memfile.so null"
}

@test "mf-read --phys reads the file's window through it, byte for byte" {
	use_example
	spec="memfile:$EX_IMG,offset=0x3000,len=64K,base=0x100000"
	run -0 --separate-stderr bash -c "mf-read -c '$spec' --phys -f raw 0x100000 0x10000 | cmp - <(tail -c +$((0x3000 + 1)) '$EX_IMG' | head -c 65536) && echo same"
	assert_output same
	# a piece in the middle, crossing no boundary
	mf-read -c "$spec" --phys -f raw 0x10ff00 0x100 >"$BATS_TEST_TMPDIR/got"
	file_bytes "$EX_IMG" $((0x3000 + 0xff00)) 256 >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want"
	# the target record names our connector and its arguments
	run -0 --separate-stderr mf-read -c "$spec" --phys -f json 0x100000 16
	run -0 jq -r 'select(.type == "target") | "\(.connector) \(.connector_args.path) \(.connector_args.offset)"' <<<"$output"
	assert_output "memfile $EX_IMG 0x3000"
}

@test "memory outside the window is a gap, not zeros" {
	use_example
	spec="memfile:$EX_IMG,offset=0x3000,len=64K,base=0x100000"
	run -1 --separate-stderr mf-read -c "$spec" --phys -f raw 0x110000 16
	assert_output ""
	[ -n "$stderr" ]
	run --separate-stderr mf-read -c "$spec" --phys -f json 0xff000 0x2000
	[ "$status" -eq 1 ]
	run -0 jq -r 'select(.type == "gap") | "\(.addr) \(.len)"' <<<"$output"
	assert_output "0xff000 0x1000"
}

@test "fd=N reads an inherited descriptor" {
	use_example
	run -0 --separate-stderr bash -c "mf-read -c memfile:fd=3,offset=0x20000,base=0x1000 --phys -f raw 0x1000 4096 3<'$EX_IMG' | cmp - <(tail -c +$((0x20000 + 1)) '$EX_IMG' | head -c 4096) && echo same"
	assert_output same
}

@test "bad arguments are errors that say what is wrong" {
	use_example
	run -1 --separate-stderr mf-read -c "memfile:$EX_IMG,offset=1M" --phys 0 16
	stderr_has "offset 0x100000 is beyond the end of $EX_IMG (0x40000 bytes)"
	run -1 --separate-stderr mf-read -c "memfile:$EX_IMG,offset=0x3f000,len=8K" --phys 0 16
	stderr_has "runs beyond the end of $EX_IMG"
	run -1 --separate-stderr mf-read -c "memfile:$BATS_TEST_TMPDIR/nonexistent" --phys 0 16
	stderr_has "cannot open $BATS_TEST_TMPDIR/nonexistent: No such file or directory"
	run -1 --separate-stderr mf-read -c "memfile:fd=3,path=$EX_IMG" --phys 0 16
	stderr_has "give a file (memfile:FILE or path=FILE) or fd=N, not both"
}

@test "the same source builds against the frozen ABI-1 header" {
	run -0 grep -c '^#define MF_ABI_VERSION 1$' "$EX_ABI1_INC/mftools/plugin.h"
	[ "$EX_ABI" -ge 2 ]
	run -0 build_example "$EX_ABI1" CPPFLAGS="-I$EX_ABI1_INC" CFLAGS='-O2 -g -Werror'
	assert_output --partial "-I$EX_ABI1_INC"
	refute_output --partial "warning"
	[ -f "$EX_ABI1/mf-connector-memfile.so" ]
}

@test "the ABI-1 build still loads, is listed with ABI 1, and reads the right bytes" {
	use_abi1_example
	run -0 --separate-stderr mf-attach --list -f table
	assert_line --regexp "^connector +memfile +1 +$EX_ABI1/mf-connector-memfile\.so$"
	assert_line --partial "physical memory from a window of a file"
	spec="memfile:$EX_IMG,offset=0x3000,len=64K,base=0x100000"
	run -0 --separate-stderr bash -c "mf-read -c '$spec' --phys -f raw 0x100000 0x10000 | cmp - <(tail -c +$((0x3000 + 1)) '$EX_IMG' | head -c 65536) && echo same"
	assert_output same
	run --separate-stderr mf-read -c "$spec" --phys -f json 0xff000 0x2000
	[ "$status" -eq 1 ]
	run -0 jq -r 'select(.type == "gap") | "\(.addr) \(.len)"' <<<"$output"
	assert_output "0xff000 0x1000"
	run -1 --separate-stderr mf-read -c "memfile:$EX_IMG,offset=1M" --phys 0 16
	stderr_has "offset 0x100000 is beyond the end of $EX_IMG (0x40000 bytes)"
}

@test "a copy built for ABI 99 is refused with its file, its ABI and ours" {
	run -0 build_example "$EX_BAD" CPPFLAGS=-DEXAMPLE_ABI=99
	export MF_PLUGIN_PATH=$EX_BAD:$MF_PLUGIN_PATH
	bad=$EX_BAD/mf-connector-memfile.so
	run -0 --separate-stderr mf-attach --list -f table
	assert_line --regexp "^connector +memfile +99 +$bad$"
	assert_line --partial "REFUSED: $bad has plugin ABI 99, this mftools has ABI $EX_ABI"
	run -1 --separate-stderr mf-read -c "memfile:$EX_IMG" --phys 0 16
	assert_output ""
	stderr_has "connector 'memfile' refused: $bad has plugin ABI 99, this mftools has ABI $EX_ABI"
}

@test "the good copy earlier in MF_PLUGIN_PATH shadows the refused one" {
	use_example
	build_example "$EX_BAD" CPPFLAGS=-DEXAMPLE_ABI=99 >/dev/null 2>&1
	export MF_PLUGIN_PATH=$EX_DIR:$EX_BAD:$MF_PLUGIN_PATH
	run -0 --separate-stderr bash -c "mf-read -c 'memfile:$EX_IMG' --phys -f raw 0 64 | cmp - <(head -c 64 '$EX_IMG') && echo same"
	assert_output same
	run -0 --separate-stderr mf-attach --list -f table
	assert_line --regexp "^connector +memfile +99 +$EX_BAD/mf-connector-memfile\.so +\(shadowed by an earlier one\)$"
}
