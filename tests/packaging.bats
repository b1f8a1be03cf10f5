#!/usr/bin/env bats
# The Debian package: dpkg-buildpackage in a copy of the tree, lintian, and the tools run
# from the unpacked .debs.  It builds everything again (about a minute on two cores, plus
# the C unit tests); MF_TEST_PACKAGING=0 skips it.
load test_helper

setup_file() {
	[ "${MF_TEST_PACKAGING:-1}" != 0 ] || return 0
	command -v dpkg-buildpackage >/dev/null 2>&1 && [ -x /usr/bin/dh ] || return 0
	export PKG_TOP=$BATS_FILE_TMPDIR/build
	export PKG_SRC=$PKG_TOP/mftools
	mkdir -p "$PKG_SRC"
	# a clean copy of the tree: git's files (committed or not) or, in a release tarball,
	# everything but a build directory
	# (a release tarball unpacked inside a git checkout, as distcheck does, is no checkout)
	if [ "$(git -C "$MF_TOP_SRCDIR" rev-parse --show-toplevel 2>/dev/null)" = "$(cd "$MF_TOP_SRCDIR" && pwd -P)" ]; then
		(cd "$MF_TOP_SRCDIR" && git ls-files -z -c -o --exclude-standard | xargs -0 tar -cf - --no-recursion) |
			tar -xf - -C "$PKG_SRC"
	else
		tar -C "$MF_TOP_SRCDIR" --exclude=./_build --exclude='./mftools-*' -cf - . | tar -xf - -C "$PKG_SRC"
	fi
	chmod -R u+w "$PKG_SRC"   # distcheck's source tree is read-only
	# unset what make check exports: the package build is a build from scratch
	(cd "$PKG_SRC" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MF_PLUGIN_PATH -u MF_MODULE_DIR -u MF_TOP_SRCDIR \
		-u MF_TOP_BUILDDIR DEB_BUILD_OPTIONS="parallel=2" \
		dpkg-buildpackage -us -uc -b) >"$PKG_TOP/build.log" 2>&1 || echo failed >"$PKG_TOP/build.failed"
}

setup() {
	[ "${MF_TEST_PACKAGING:-1}" != 0 ] || skip "MF_TEST_PACKAGING=0"
	require_cmd dpkg-buildpackage dpkg-deb
	[ -x /usr/bin/dh ] || fail "needs debhelper (scripts/install-deps installs it)"
	if [ -f "$PKG_TOP/build.failed" ]; then
		tail -n 40 "$PKG_TOP/build.log" >&3
		false
	fi
	ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
	TRIPLET=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
	VERSION=$(dpkg-parsechangelog -l "$PKG_SRC/debian/changelog" -SVersion)
}

deb() { # PACKAGE
	echo "$PKG_TOP/${1}_${VERSION}_$ARCH.deb"
}

@test "dpkg-buildpackage builds mftools, libmf0 and libmf-dev" {
	for p in mftools libmf0 libmf-dev; do
		[ -f "$(deb $p)" ] || { ls "$PKG_TOP" >&3; false; }
	done
	[ -f "$PKG_TOP/mftools_${VERSION}_$ARCH.changes" ]
	# the C unit tests ran in the package build
	grep -q 'make.*check-unit' "$PKG_TOP/build.log"
	grep -q '^# PASS: *[1-9]' "$PKG_TOP/build.log" || grep -q '^PASS: ' "$PKG_TOP/build.log"
}

@test "lintian reports no errors" {
	require_cmd lintian
	# lintian exits 0 unless it finds an error (its default --fail-on) or cannot run
	run -0 lintian --fail-on error --no-tag-display-limit "$PKG_TOP/mftools_${VERSION}_$ARCH.changes"
	echo "$output" >"$PKG_TOP/lintian.txt"
	refute_line --regexp '^E: '
}

@test "plugins are in the multiarch directory the loader searches" {
	run -0 dpkg-deb -c "$(deb mftools)"
	assert_line --regexp "\./usr/lib/$TRIPLET/mftools/connectors/mf-connector-[a-z0-9_-]+\.so$"
	assert_line --regexp "\./usr/lib/$TRIPLET/mftools/os/mf-os-native\.so$"
	# mf-scan's optional modules, beside them
	for m in yara hs pcap; do
		assert_line --regexp "\./usr/lib/$TRIPLET/mftools/modules/mf-scan-$m\.so$"
	done
	refute_line --regexp '\.la$'
	refute_line --regexp '\./usr/lib/mftools/'
	# the directory compiled into libmf is that one
	mkdir -p "$BATS_TEST_TMPDIR/x"
	dpkg-deb -x "$(deb libmf0)" "$BATS_TEST_TMPDIR/x"
	run -0 grep -c -a "/usr/lib/$TRIPLET/mftools" "$BATS_TEST_TMPDIR/x/usr/lib/$TRIPLET/libmf.so.0"
}

@test "the packages hold the tools, man pages, completions, library, headers and pkg-config file" {
	run -0 dpkg-deb -c "$(deb mftools)"
	for t in mf-attach mf-ps mf-modules mf-read; do
		assert_line --regexp "\./usr/bin/$t$"
		assert_line --regexp "\./usr/share/man/man1/$t\.1\.gz$"
		assert_line --regexp "\./usr/share/bash-completion/completions/$t( -> mftools)?$"
	done
	assert_line --regexp '\./usr/share/man/man7/mftools-cron\.7\.gz$'
	assert_line --regexp '\./lib/systemd/system/mftools-snapshot\.timer$'
	assert_line --regexp '\./etc/bash_completion\.d/mftools$'
	run -0 dpkg-deb -c "$(deb libmf0)"
	assert_line --regexp "\./usr/lib/$TRIPLET/libmf\.so\.0 -> libmf\.so\.0\.0\.0$"
	run -0 dpkg-deb -c "$(deb libmf-dev)"
	assert_line --regexp '\./usr/include/mftools/plugin\.h$'
	assert_line --regexp '\./usr/include/mftools/mf\.h$'
	assert_line --regexp "\./usr/lib/$TRIPLET/pkgconfig/mftools\.pc$"
	assert_line --regexp "\./usr/lib/$TRIPLET/libmf\.so -> libmf\.so\.0\.0\.0$"
	assert_line --regexp '\./usr/share/doc/libmf-dev/examples/connector-memfile/memfile\.c$'
	run -0 dpkg-deb -f "$(deb mftools)" Depends
	assert_output --partial "libmf0 (>= "
	# what mf-scan's modules link (mf-scan itself does not): dpkg-shlibdeps read the modules
	assert_output --regexp 'libyara[0-9]'
	assert_output --regexp 'lib(hyperscan|vectorscan)[0-9]'
	assert_output --regexp 'libpcap0\.8'
}

@test "the staged tools run from the unpacked .debs" {
	st=$BATS_TEST_TMPDIR/root
	for p in mftools libmf0 libmf-dev; do dpkg-deb -x "$(deb $p)" "$st"; done
	export LD_LIBRARY_PATH=$st/usr/lib/$TRIPLET MF_PLUGIN_PATH=$st/usr/lib/$TRIPLET/mftools
	sleep 300 3>&- &
	spid=$!
	# the child is a copy of this shell until it has exec'd sleep: wait for that
	for _ in $(seq 100); do
		[[ $(cat /proc/$spid/comm 2>/dev/null) == sleep ]] && break
		sleep 0.05
	done
	run -0 --separate-stderr "$st/usr/bin/mf-ps" -f json </dev/null
	kill "$spid"
	run -0 jq -r "select(.type == \"process\" and .pid == $spid) | .name" <<<"$output"
	assert_output sleep
	run -0 --separate-stderr "$st/usr/bin/mf-attach" --list -f table
	assert_line --regexp "^connector +raw +[0-9]+ +$st/usr/lib/$TRIPLET/mftools/connectors/mf-connector-raw\.so$"
	assert_line --regexp "^os +native +[0-9]+ +$st/usr/lib/$TRIPLET/mftools/os/mf-os-native\.so$"
	refute_output --partial REFUSED
	# mf-scan loads its modules from the staged directory: -F (Hyperscan), -Y (libyara)
	printf 'xx MFPKGTEST! xx' >"$BATS_TEST_TMPDIR/mem"
	printf 'MFPKGTEST!\nnothere\n' >"$BATS_TEST_TMPDIR/list"
	printf 'rule r { strings: $a = "MFPKGTEST!" condition: $a }\n' >"$BATS_TEST_TMPDIR/r.yar"
	export MF_MODULE_DIR=$st/usr/lib/$TRIPLET/mftools/modules
	run -0 --separate-stderr "$st/usr/bin/mf-scan" -c "raw:$BATS_TEST_TMPDIR/mem" --phys -F "$BATS_TEST_TMPDIR/list" -f json
	assert_equal "$(jq -r 'select(.type == "hit") | .addr' <<<"$output")" 0x3
	run -0 --separate-stderr "$st/usr/bin/mf-scan" -c "raw:$BATS_TEST_TMPDIR/mem" --phys -Y "$BATS_TEST_TMPDIR/r.yar" -f json
	assert_equal "$(jq -r 'select(.type == "hit") | .addr' <<<"$output")" 0x3
	# the man page opens, the completion registers
	run -0 --separate-stderr env MANWIDTH=80 man -l "$st/usr/share/man/man1/mf-ps.1.gz"
	assert_line --regexp '^NAME'
	assert_line --partial 'mf-ps - '
	run -0 bash -c ". '$st/usr/share/bash-completion/completions/mftools' && complete -p mf-ps mf-read"
	assert_output --regexp '^complete -F [_a-z]+ mf-ps'
	grep -q '/usr/share/bash-completion/completions/mftools' "$st/etc/bash_completion.d/mftools"
	# the -dev package alone builds the example connector
	cp -r "$st/usr/share/doc/libmf-dev/examples/connector-memfile" "$BATS_TEST_TMPDIR/ex"
	PKG_CONFIG_PATH=$st/usr/lib/$TRIPLET/pkgconfig PKG_CONFIG_SYSROOT_DIR=$st \
		make -s -C "$BATS_TEST_TMPDIR/ex" CFLAGS='-O2 -Werror'
	head -c 8192 /dev/urandom >"$BATS_TEST_TMPDIR/img"
	MF_PLUGIN_PATH=$BATS_TEST_TMPDIR/ex:$MF_PLUGIN_PATH "$st/usr/bin/mf-read" -c "memfile:$BATS_TEST_TMPDIR/img" --phys -f raw 0 8192 |
		cmp - "$BATS_TEST_TMPDIR/img"
}
