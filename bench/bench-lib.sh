# bench-lib.sh: the setup every bench/ script shares; sourced, in sh or bash:
#   . "$(dirname "$0")/bench-lib.sh"
# Sourcing it sets MF_TOP_SRCDIR (default: this tree) and MF_TOP_BUILDDIR (default: the
# current directory, where make bench runs), puts the build's tools first on PATH, its
# plugins in MF_PLUGIN_PATH and mf-scan's modules in MF_MODULE_DIR when unset, all exported.
#   bench_bin NAME        $bench_bin_path: the real binary of the tool NAME found on PATH,
#                         not libtool's wrapper script (its shell start would be timed),
#                         with LD_LIBRARY_PATH set for it (call it outside $(...))
#   bench_scratch NAME [DIR]
#                         $bench_dir: DIR when given and not empty (kept), else a new
#                         directory under $TMPDIR that is removed at exit
#   bench_best_us N CMD...
#                         the fastest of N runs of CMD (its output discarded), in
#                         microseconds
#   bench_guest_dump NAME (bash) boots a 2 GiB guest named bench (tests/guest), dumps it to
#                         $dump (QEMU's ELF) and leaves it running, stopped at exit; says
#                         "NAME: skipped: why" and exits 0 where no guest can boot

: "${MF_TOP_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${MF_TOP_BUILDDIR:=$PWD}"
: "${MF_PLUGIN_PATH:=$MF_TOP_BUILDDIR/connectors/.libs:$MF_TOP_BUILDDIR/os/.libs}"
: "${MF_MODULE_DIR:=$MF_TOP_BUILDDIR/libcommon/scan/.libs}"
PATH=$MF_TOP_BUILDDIR/tools:$PATH
export MF_TOP_SRCDIR MF_TOP_BUILDDIR MF_PLUGIN_PATH MF_MODULE_DIR PATH

bench_bin() {
	bench_bin_path=$(command -v "$1") || { echo "bench: $1 not found on PATH" >&2; exit 1; }
	bench_bin_dir=$(dirname "$bench_bin_path")
	if [ -x "$bench_bin_dir/.libs/$1" ]; then
		bench_bin_path=$bench_bin_dir/.libs/$1
		LD_LIBRARY_PATH=$(cd "$bench_bin_dir/../libcommon/.libs" && pwd)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
		export LD_LIBRARY_PATH
	fi
}

bench_scratch() {
	if [ -n "${2:-}" ]; then
		bench_dir=$2
		mkdir -p "$bench_dir"
	else
		bench_dir=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
		# shellcheck disable=SC2064
		trap "rm -rf '$bench_dir'" EXIT
	fi
}

bench_best_us() {
	bench_n=$1
	shift
	bench_b=
	while [ "$bench_n" -gt 0 ]; do
		bench_s=$(date +%s%N)
		"$@" >/dev/null
		bench_e=$(date +%s%N)
		bench_t=$(( (bench_e - bench_s) / 1000 ))
		if [ -z "$bench_b" ] || [ "$bench_t" -lt "$bench_b" ]; then bench_b=$bench_t; fi
		bench_n=$((bench_n - 1))
	done
	echo "$bench_b"
}

bench_guest_dump() {
	. "$MF_TOP_SRCDIR/tests/guest/guest.bash"
	if ! guest_require; then
		echo "$1: skipped: $GUEST_SKIP"
		exit 0
	fi
	trap 'guest_stop_all; rm -rf "$GUEST__ROOT"' EXIT
	guest_start --name bench --mem 2G
	dump=$GUEST__ROOT/bench.elf
	guest_dump elf "$dump"
}
