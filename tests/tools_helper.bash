# Helpers for the tools' bats suites (mf-attach, mf-ps, mf-modules, mf-read, docs).

MEMTARGET=$MF_TOP_BUILDDIR/tests/mf-memtarget
BADABI_DIR=$MF_TOP_BUILDDIR/tests/plugins/.libs

# Fail if the last `run` left a sanitizer report on stderr (or in the output).
no_sanitizer() {
	local all="${stderr-}${output-}"
	if [[ $all == *"ERROR: AddressSanitizer"* || $all == *"ERROR: LeakSanitizer"* || $all == *"runtime error:"* ]]; then
		fail "sanitizer report: ${stderr-}"
	fi
}

# Start tests/mf-memtarget in the background; sets mt_pid, mt_str, mt_u32... (see its source).
# start_memtarget [--threads]: run tests/mf-memtarget, its facts as mt_* variables.
start_memtarget() {
	local out=$BATS_TEST_TMPDIR/memtarget.out pid waited
	[[ -x $MEMTARGET ]] || fail "tests/mf-memtarget not built (make check builds it)"
	"$MEMTARGET" "$@" >"$out" 3>&- &
	pid=$!
	# until it is ready, or has died; a loaded machine (ASan, guests booting) can take
	# seconds, so the bound is generous (60 s).  (No for ((i...)): see linux.bats.)
	for waited in $(seq 1 1200); do
		grep -q '^ready$' "$out" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	grep -q '^ready$' "$out" || fail "mf-memtarget did not start (after ${waited} polls: $(head -c 300 "$out"))"
	eval "$(grep '^[a-z0-9]*=' "$out" | sed 's/^/mt_/')"
}

stop_memtarget() {
	if [[ -n ${mt_pid-} ]]; then
		kill "$mt_pid" 2>/dev/null || true
		wait "$mt_pid" 2>/dev/null || true
	fi
}

# The bytes at ADDR (hex digits, one line) from /proc/PID/mem: the oracle.
proc_mem_hex() {
	local pid=$1 addr=$2 len=$3
	dd if="/proc/$pid/mem" bs=65536 iflag=skip_bytes,count_bytes skip=$((addr)) count=$((len)) status=none |
		od -An -v -tx1 | tr -d ' \n'
}

# The base of a file's first mapping in /proc/PID/maps, as 0x...
# marker_start NAME: a sleep 600 named NAME (a name of its own: other suites may run a
# "mfmarker" at the same time), waited for until its libc is mapped.  Sets MARKER (its pid)
# and LIBC (the path of its libc); the caller kills it in teardown.
marker_start() {
	MARKNAME=$1
	bash -c "exec -a $MARKNAME sleep 600" 3>&- &
	MARKER=$!
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q libc "/proc/$MARKER/maps" 2>/dev/null && [[ $(tr '\0' ' ' <"/proc/$MARKER/cmdline" 2>/dev/null) == "$MARKNAME 600 " ]] && break
		sleep 0.05
	done
	LIBC=$(awk '$6 ~ /\/libc[.-][^\/]*so/ { print $6; exit }' "/proc/$MARKER/maps")
}

marker_stop() {
	kill "$MARKER" 2>/dev/null || true
	wait "$MARKER" 2>/dev/null || true
}

maps_base() {
	local pid=$1 path=$2
	awk -v p="$path" '$6 == p { split($1, a, "-"); print "0x" a[1]; exit }' "/proc/$pid/maps"
}

# assert_stderr [--partial|--regexp] EXPECTED: Debian 12's bats-assert predates it.
if ! declare -F assert_stderr >/dev/null; then
	assert_stderr() {
		local mode=exact
		case $1 in
		--partial) mode=partial; shift ;;
		--regexp) mode=regexp; shift ;;
		esac
		local want=$1 ok=1
		case $mode in
		exact) [[ ${stderr-} == "$want" ]] || ok=0 ;;
		partial) [[ ${stderr-} == *"$want"* ]] || ok=0 ;;
		regexp) [[ ${stderr-} =~ $want ]] || ok=0 ;;
		esac
		((ok)) || fail "stderr does not match ($mode)
expected: $want
stderr:   ${stderr-}"
	}
fi
