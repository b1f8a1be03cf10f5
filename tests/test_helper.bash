# Shared setup for the bats suites: bats-support/bats-assert, C locale, the build tree's
# tools, plugins and mf-scan's modules first (AM_TESTS_ENVIRONMENT sets MF_PLUGIN_PATH,
# MF_MODULE_DIR and PATH when run by make check; running a .bats file by hand from the
# source tree works too).
bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

export LC_ALL=C
unset MF_FORMAT
: "${MF_TOP_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${MF_TOP_BUILDDIR:=$MF_TOP_SRCDIR}"
export MF_TOP_SRCDIR MF_TOP_BUILDDIR
: "${MF_PLUGIN_PATH:=$MF_TOP_BUILDDIR/connectors/.libs:$MF_TOP_BUILDDIR/os/.libs}"
: "${MF_DATA_PATH:=$MF_TOP_BUILDDIR/tests/data}"
export MF_DATA_PATH
export MF_PLUGIN_PATH
: "${MF_MODULE_DIR:=$MF_TOP_BUILDDIR/libcommon/scan/.libs}"
export MF_MODULE_DIR
# no Hyperscan cache (mf-scan -F) unless a test makes one: every run compiles
: "${MF_CACHE_DIR=}"
export MF_CACHE_DIR
case ":$PATH:" in
*":$MF_TOP_BUILDDIR/tools:"*) ;;
*) PATH="$MF_TOP_BUILDDIR/tools:$PATH" ;;
esac
export PATH

# Fail a test (with the reason) unless a command exists: every tool the suite uses is
# installed by scripts/install-deps, so a missing one is a broken setup, not a skip.
require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || fail "needs $c (scripts/install-deps installs it)"
	done
}

# The third-party samples (written by other people's tools; see SOURCES.md there).
THIRD_PARTY=$MF_TOP_SRCDIR/tests/fixtures/third-party

# Fail a test unless each file exists and is readable: a missing fixture is a failure.
require_file() {
	local f
	for f in "$@"; do
		[[ -r $f ]] || fail "missing fixture $f"
	done
}
