#!/usr/bin/env bats
# mf-attach: the target record, the summary, --list with a refused plugin.
load test_helper
load tools_helper

@test "mf-attach writes a target record for this machine" {
	run -0 --separate-stderr mf-attach -f json </dev/null
	no_sanitizer
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 1
	assert_equal "$(jq -r '[.type, .v, .os, .connector] | @tsv' <<<"$output")" "$(printf 'target\t1\tnative\t')"
	assert_equal "$(jq -r .hints.arch <<<"$output")" "$(uname -m | sed 's/^amd64$/x86_64/')"
	# msgpack by default in a pipe
	run -0 bash -c 'mf-attach </dev/null | head -c1 | od -An -tx1'
	assert_output --regexp '^ 8[0-9a-f]$'
}

@test "mf-attach table summary" {
	run -0 --separate-stderr mf-attach -f table </dev/null
	no_sanitizer
	assert_line --index 0 "target:     native"
	assert_line "connector:  (none)"
	assert_line "os layer:   native"
	assert_line --regexp "^  arch +$(uname -m)\$"
}

@test "mf-attach --list shows the plugins and a refused one with both ABIs" {
	local installed want="null false"
	[[ -e $BADABI_DIR/mf-connector-badabi.so ]] || fail "test plugin not built (make check builds it)"
	export MF_PLUGIN_PATH=$MF_PLUGIN_PATH:$BADABI_DIR
	# the build tree's plugins are used; an installed copy (scripts/quickstart puts one in
	# the plugin directory) is listed after them, shadowed
	installed=$(mf-attach --version | sed -n 's/^plugin directory: //p')/os/mf-os-native.so
	[[ -e $installed ]] && want+=$'\n'"null true $installed"
	run -0 --separate-stderr mf-attach --list -f table </dev/null
	no_sanitizer
	assert_line --regexp "^os +native +2 +$MF_TOP_BUILDDIR/os/.libs/mf-os-native.so\$"
	[[ ! -e $installed ]] || assert_line --regexp "^os +native +2 +$installed  \(shadowed by an earlier one\)\$"
	assert_line --regexp "^connector +badabi +99 +$BADABI_DIR/mf-connector-badabi.so\$"
	assert_line --regexp "^ +REFUSED: $BADABI_DIR/mf-connector-badabi.so has plugin ABI 99, this mftools has ABI 2"
	run -0 --separate-stderr mf-attach --list -f json </dev/null
	assert_equal "$(jq -r 'select(.name == "badabi") | [.type, .kind, .abi, .path] | @tsv' <<<"$output")" \
		"$(printf 'plugin\tconnector\t99\t%s' "$BADABI_DIR/mf-connector-badabi.so")"
	assert_equal "$(jq -r 'select(.name == "native") | "\(.refused) \(.shadowed)" + (if .shadowed then " \(.path)" else "" end)' <<<"$output")" "$want"
	# and using it fails with the same reason
	run -1 --separate-stderr mf-attach -c badabi </dev/null
	assert_stderr --regexp "^mf-attach: connector 'badabi' refused: $BADABI_DIR/mf-connector-badabi.so has plugin ABI 99, this mftools has ABI 2"
}

@test "mf-attach --version and --list name the plugin ABI" {
	run -0 --separate-stderr mf-attach --version
	assert_line --index 2 "plugin ABI: 2 (loads plugins of ABI 1 to 2)"
	run -0 --separate-stderr mf-attach --list -f table </dev/null
	assert_line "this mftools has plugin ABI 2 and loads ABI 1 to 2"
	assert_line --index 0 --regexp '^KIND +NAME +ABI +PATH$'
}

@test "mf-attach --list marks a shadowed plugin" {
	mkdir -p "$BATS_TEST_TMPDIR/p"
	cp "$MF_TOP_BUILDDIR/os/.libs/mf-os-native.so" "$BATS_TEST_TMPDIR/p/"
	MF_PLUGIN_PATH=$BATS_TEST_TMPDIR/p:$MF_PLUGIN_PATH run -0 --separate-stderr mf-attach --list -f json </dev/null
	no_sanitizer
	assert_equal "$(jq -r 'select(.name == "native") | "\(.path) \(.shadowed)"' <<<"$output" | head -n2 | tr '\n' ' ')" \
		"$BATS_TEST_TMPDIR/p/mf-os-native.so false $MF_TOP_BUILDDIR/os/.libs/mf-os-native.so true "
}

@test "mf-attach: errors" {
	run -2 --separate-stderr mf-attach -c nosuch </dev/null
	no_sanitizer
	assert_stderr "mf-attach: unknown connector 'nosuch' (see mf-attach --list)"
	run -2 --separate-stderr mf-attach -o nosuch </dev/null
	assert_stderr "mf-attach: unknown os layer 'nosuch' (see mf-attach --list)"
	run -1 --separate-stderr mf-attach -c "$BATS_TEST_TMPDIR/missing.lime" </dev/null
	assert_stderr --regexp "^mf-attach: cannot open .*missing.lime: No such file or directory\$"
	run -1 --separate-stderr mf-attach -t "$BATS_TEST_TMPDIR/missing.mp" </dev/null
	assert_stderr --regexp "^mf-attach: cannot open target file .*missing.mp: No such file or directory\$"
	run -2 --separate-stderr mf-attach --list -c native </dev/null
	assert_stderr "mf-attach: --list takes no target"
	run -2 --separate-stderr mf-attach -x </dev/null
	assert_stderr --partial "usage: mf-attach"
	run -2 --separate-stderr env MF_FORMAT=yaml mf-attach </dev/null
	assert_equal "${#stderr_lines[@]}" 1
}

@test "hints print as what they are: counts in decimal, addresses in hex, in every format" {
	local f=$THIRD_PARTY/coredump_win10_64bit_stripped.raw
	require_file "$f"
	run -0 --separate-stderr mf-attach -f table -c "$f"
	assert_line '  dump_type        1'
	assert_line '  build            9200'
	assert_line '  cpus             8'
	assert_line '  dtb              0x3e6b1a000'
	run -0 --separate-stderr mf-attach -f json -c "$f"
	run -0 jq -c '.hints | [.cpus, .build, .dump_type, .dtb, .kd_debugger_data_block]' <<<"$output"
	assert_output '[8,9200,1,"0x3e6b1a000","0xfffff80510a00b20"]'
	# the same after a trip through msgpack, and passed on by the next tool
	run -0 bash -c 'mf-attach -c "$1" 2>/dev/null | mf-cat -f json | jq -c ".hints | [.cpus, .dtb]"' - "$f"
	assert_output '[8,"0x3e6b1a000"]'
	run -0 bash -c 'mf-attach -c "$1" 2>/dev/null | mf-read --phys -f json 0x1000 16 2>/dev/null | head -1 | jq -c ".hints | [.cpus, .dtb]"' - "$f"
	assert_output '[8,"0x3e6b1a000"]'
}

@test "a target string wrong as written is a usage error (exit 2), before anything is opened" {
	run -2 --separate-stderr mf-attach -c qemu:pid=abc </dev/null
	no_sanitizer
	assert_stderr "mf-attach: invalid pid 'abc' for connector qemu"
	run -2 --separate-stderr mf-ps -c qemu:pid=0 </dev/null
	assert_stderr "mf-ps: invalid pid '0' for connector qemu"
	run -2 --separate-stderr mf-read -c qemu:name=x,colour=red --phys 0 16 </dev/null
	assert_stderr "mf-read: unknown argument 'colour' for connector qemu (accepted: name, pid, qmp, map)"
	run -2 --separate-stderr mf-ps -o native:x </dev/null
	assert_stderr "mf-ps: os layer native takes no arguments"
	run -2 --separate-stderr mf-ps -c 'Qemu:x' </dev/null
	assert_stderr "mf-ps: invalid plugin name 'Qemu': only a-z, 0-9, '_' and '-' are allowed"
	# what only opening can tell stays a runtime error (exit 1)
	run -1 --separate-stderr mf-attach -c qemu:pid=2147483000 </dev/null
	assert_stderr --partial "2147483000"
}
