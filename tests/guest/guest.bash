# guest.bash: boot the test guest under QEMU (TCG) and talk to it. Sourced by bats files
# (after `load test_helper`); see tests/guest/README.md for the interface.
#
#   guest_require                      skip unless QEMU, busybox and the kernel can be had
#                                      (from setup_file: returns 1, setup() skips; see below)
#   guest_start [--name N] [--arch A] [--nokaslr] [--la57] [--mem SIZE] [--append ARGS]
#               [--timeout S]          A: x86_64 (default: $GUEST_ARCH), arm64, i386-pae, i386
#   guest_use NAME                     make guest NAME current again (reloads GUEST_*)
#   guest_qmp JSON...                  one QMP command per argument; prints each reply
#   guest_hmp 'info registers'         one HMP command; prints its text (CRLF stripped)
#   guest_pause / guest_resume         QMP stop / cont
#   guest_dump elf|kdump-zlib PATH     QEMU dump-guest-memory, paging=false
#   guest_dump_paging PATH             the same as ELF with paging=true (virtual mappings)
#   guest_oracle SECTION               one section of the guest's ground truth
#   guest_stop [NAME]                  quit the guest (kill after a timeout)
#   guest_stop_all                     stop every guest this file started (teardown_file)

: "${MF_TOP_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${MF_TOP_BUILDDIR:=$MF_TOP_SRCDIR}"
GUEST_SRCDIR=$MF_TOP_SRCDIR/tests/guest
: "${GUEST_ARCH:=x86_64}"
: "${MF_GUEST_CACHE:=$MF_TOP_BUILDDIR/tests/guest/cache}"
: "${GUEST_PYTHON:=/usr/bin/python3}"
: "${GUEST_GPA_READ:=$MF_TOP_BUILDDIR/tests/guest/gpa-read}"
export GUEST_GPA_READ
export MF_GUEST_CACHE GUEST_ARCH

# Per-architecture QEMU facts: binary, its Debian package, machine, CPU (normal and
# 5-level paging: empty where there is none), console, the name of RAM in gpa2hva's answer
# and RAM's first guest physical address. Sets GUEST_QEMU_BIN, GUEST_RAM_BASE, guest__*.
guest__arch() {
	guest__ram_name=pc.ram
	GUEST_RAM_BASE=0x0
	case $GUEST_ARCH in
	x86_64 | x86_64-rt | x86_64-cloud | x86_64-6.12)
		GUEST_QEMU_BIN=qemu-system-x86_64
		guest__qemu_pkg=qemu-system-x86
		guest__machine='-machine pc -accel tcg'
		guest__cpu=qemu64
		guest__cpu_la57=max
		guest__console=ttyS0
		;;
	arm64)
		GUEST_QEMU_BIN=qemu-system-aarch64
		guest__qemu_pkg=qemu-system-arm
		guest__machine='-machine virt -accel tcg'
		guest__cpu=cortex-a57
		guest__cpu_la57=
		guest__console=ttyAMA0
		guest__ram_name=mach-virt.ram
		GUEST_RAM_BASE=0x40000000
		;;
	i386-pae)
		GUEST_QEMU_BIN=qemu-system-i386
		guest__qemu_pkg=qemu-system-x86
		guest__machine='-machine pc -accel tcg'
		guest__cpu=qemu32,+nx
		guest__cpu_la57=
		guest__console=ttyS0
		;;
	i386)
		GUEST_QEMU_BIN=qemu-system-i386
		guest__qemu_pkg=qemu-system-x86
		guest__machine='-machine pc -accel tcg'
		guest__cpu=qemu32
		guest__cpu_la57=
		guest__console=ttyS0
		;;
	*)
		echo "guest.bash: unsupported GUEST_ARCH '$GUEST_ARCH' (x86_64 x86_64-rt x86_64-cloud x86_64-6.12 arm64 i386-pae i386)" >&2
		return 1
		;;
	esac
}

guest__fail() {
	echo "guest.bash: $*" >&2
	return 1
}

# Where guest run directories go (sets GUEST__ROOT): the bats file's tmpdir, else one
# mktemp dir per shell. Not to be called in $(...): the variable must stick.
guest__root() {
	if [ -n "${BATS_FILE_TMPDIR:-}" ]; then
		GUEST__ROOT=$BATS_FILE_TMPDIR/guests
	elif [ -z "${GUEST__ROOT:-}" ]; then
		GUEST__ROOT=$(mktemp -d "${TMPDIR:-/tmp}/mfguest.XXXXXX") || return 1
	fi
	export GUEST__ROOT
	mkdir -p "$GUEST__ROOT"
}

# guest__skip REASON: in a test (or setup), skip it; in setup_file (bats 1.8 cannot skip
# from there), remember the reason in GUEST_SKIP for the tests' guest_require, and
# return 1.
guest__skip() {
	GUEST_SKIP=$1
	export GUEST_SKIP
	if [ -n "${BATS_TEST_NAME:-}" ]; then
		skip "$GUEST_SKIP"
	fi
	echo "guest.bash: skip: $GUEST_SKIP" >&2
	return 1
}

# guest_require: make sure a guest can be had (QEMU, python3, busybox, the kernel; builds
# the kernel/initramfs cache with mkguest). Returns 0 if so. If not: inside a test or
# setup() it skips the test with the reason; in setup_file it returns 1 and leaves the
# reason in GUEST_SKIP, so that setup() calling guest_require again skips every test.
# A broken build (mkguest failing other than "cannot be had") fails instead.
guest_require() {
	guest__arch || return 1
	[ -z "${GUEST_SKIP:-}" ] || { guest__skip "$GUEST_SKIP"; return 1; }
	if [ "${GUEST_KERNEL:-}" = "$MF_GUEST_CACHE/$GUEST_ARCH/vmlinuz" ] && [ -f "$GUEST_KERNEL" ] &&
		[ -f "${GUEST_INITRD:-}" ]; then
		return 0
	fi
	command -v "$GUEST_QEMU_BIN" >/dev/null 2>&1 ||
		{ guest__skip "needs $GUEST_QEMU_BIN (package $guest__qemu_pkg)"; return 1; }
	[ -x "$GUEST_PYTHON" ] || { guest__skip "needs $GUEST_PYTHON for QMP"; return 1; }
	local out status=0
	out=$("$GUEST_SRCDIR/mkguest" --quiet --arch "$GUEST_ARCH" --cache "$MF_GUEST_CACHE" 2>&1) || status=$?
	case $status in
	0) ;;
	77) guest__skip "${out##*skip: }"; return 1 ;;
	*) guest__fail "mkguest failed ($status): $out"; return 1 ;;
	esac
	GUEST_KERNEL=$MF_GUEST_CACHE/$GUEST_ARCH/vmlinuz
	GUEST_INITRD=$MF_GUEST_CACHE/$GUEST_ARCH/initramfs.cpio.gz
	export GUEST_KERNEL GUEST_INITRD
}

# Size with a K/M/G suffix (QEMU's -m syntax, M by default) to bytes.
guest__bytes() {
	local n=${1%[KkMmGg]} unit=${1##*[0-9]}
	[[ $n =~ ^[0-9]+$ ]] || return 1
	case $unit in
	K|k) echo $((n << 10)) ;;
	''|M|m) echo $((n << 20)) ;;
	G|g) echo $((n << 30)) ;;
	*) return 1 ;;
	esac
}

guest__alive() { # PID: running (not a zombie)
	local state
	[ -r "/proc/$1/stat" ] || return 1
	state=$(sed 's/^.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

guest__env_save() {
	{
		local v
		for v in GUEST_NAME GUEST_DIR GUEST_QEMU_PID GUEST_QMP GUEST_CONSOLE GUEST_CONSOLE_RAW \
			GUEST_RAM_HVA GUEST_MEM_BYTES GUEST_KASLR GUEST_LA57 GUEST_ARCH GUEST_RAM_BASE \
			GUEST_KERNEL GUEST_INITRD; do
			printf 'export %s=%q\n' "$v" "${!v}"
		done
	} >"$GUEST_DIR/env"
}

# guest_start [--name N] [--arch A] [--nokaslr] [--la57] [--mem SIZE] [--append ARGS]
#             [--timeout S]
# Boot a guest in the background and wait for READY on its console. --arch sets
# GUEST_ARCH (guest_require must have built that architecture's cache). Sets and exports
# GUEST_NAME GUEST_DIR GUEST_QEMU_PID GUEST_QMP GUEST_CONSOLE GUEST_CONSOLE_RAW
# GUEST_RAM_HVA GUEST_RAM_BASE GUEST_MEM_BYTES GUEST_KASLR GUEST_LA57 GUEST_ARCH.
guest_start() {
	local name=guest mem=512M append='' kaslr=1 la57=0 timeout=${GUEST_TIMEOUT:-90}
	while [ $# -gt 0 ]; do
		case $1 in
		--name) name=$2; shift 2 ;;
		--arch) GUEST_ARCH=$2; export GUEST_ARCH; shift 2 ;;
		--nokaslr) kaslr=0; shift ;;
		--la57) la57=1; shift ;;
		--mem) mem=$2; shift 2 ;;
		--append) append=$2; shift 2 ;;
		--timeout) timeout=$2; shift 2 ;;
		*) guest__fail "guest_start: unknown argument '$1'"; return 1 ;;
		esac
	done
	guest__arch || return 1
	GUEST_KERNEL=$MF_GUEST_CACHE/$GUEST_ARCH/vmlinuz
	GUEST_INITRD=$MF_GUEST_CACHE/$GUEST_ARCH/initramfs.cpio.gz
	export GUEST_KERNEL GUEST_INITRD
	[ -f "$GUEST_KERNEL" ] && [ -f "$GUEST_INITRD" ] ||
		guest__fail "guest_start: no $GUEST_ARCH guest built: call guest_require first" || return 1
	[[ $name =~ ^[A-Za-z0-9_.-]+$ ]] || guest__fail "guest_start: bad name '$name'" || return 1
	local bytes root dir cpu
	bytes=$(guest__bytes "$mem") || guest__fail "guest_start: bad memory size '$mem'" || return 1
	guest__root || return 1
	root=$GUEST__ROOT
	dir=$root/$name
	if [ -e "$dir" ]; then
		guest_stop "$name" 2>/dev/null || true
		rm -rf "$dir"
	fi
	mkdir -p "$dir" || return 1
	cpu=$guest__cpu
	if [ "$la57" = 1 ]; then
		[ -n "$guest__cpu_la57" ] ||
			guest__fail "guest_start: no 5-level paging on $GUEST_ARCH" || return 1
		cpu=$guest__cpu_la57
	fi
	local cmdline="console=$guest__console panic=-1"
	[ "$kaslr" = 1 ] || cmdline+=" nokaslr"
	[ -z "$append" ] || cmdline+=" $append"
	# Relative socket and file names: a long tmpdir must not overflow sun_path.
	# shellcheck disable=SC2086
	(
		cd "$dir" && exec "$GUEST_QEMU_BIN" $guest__machine -cpu "$cpu" -smp 1 -m "$mem" \
			-nographic -no-reboot -monitor none -serial file:console.log \
			-kernel "$GUEST_KERNEL" -initrd "$GUEST_INITRD" -append "$cmdline" \
			-qmp unix:qmp.sock,server=on,wait=off -pidfile qemu.pid \
			-device vmcoreinfo -nic none
	) </dev/null >"$dir/qemu.log" 2>&1 3>&- &
	local pid=$!
	echo "$pid" >"$dir/qemu.pid.bg"
	echo "$dir" >>"$root/.started"

	GUEST_NAME=$name
	GUEST_DIR=$dir
	GUEST_QEMU_PID=$pid
	GUEST_QMP=$dir/qmp.sock
	GUEST_CONSOLE_RAW=$dir/console.log
	GUEST_CONSOLE=$dir/console.txt
	GUEST_MEM_BYTES=$bytes
	GUEST_KASLR=$kaslr
	GUEST_LA57=$la57
	GUEST_RAM_HVA=
	export GUEST_NAME GUEST_DIR GUEST_QEMU_PID GUEST_QMP GUEST_CONSOLE GUEST_CONSOLE_RAW \
		GUEST_MEM_BYTES GUEST_KASLR GUEST_LA57 GUEST_RAM_HVA

	local t0=$SECONDS
	while ! grep -q $'^READY\r\\?$' "$GUEST_CONSOLE_RAW" 2>/dev/null; do
		if ! guest__alive "$pid"; then
			wait "$pid" 2>/dev/null
			{
				echo "guest.bash: QEMU exited before READY (guest $name)"
				tail -n 5 "$dir/qemu.log"
				echo "--- console tail ---"
				tail -n 30 "$GUEST_CONSOLE_RAW" 2>/dev/null | tr -d '\r'
			} >&2
			return 1
		fi
		if [ $((SECONDS - t0)) -ge "$timeout" ]; then
			{
				echo "guest.bash: no READY after ${timeout}s (guest $name)"
				echo "--- console tail ---"
				tail -n 30 "$GUEST_CONSOLE_RAW" 2>/dev/null | tr -d '\r'
			} >&2
			guest_stop "$name" >/dev/null 2>&1
			return 1
		fi
		sleep 0.2
	done
	echo $((SECONDS - t0)) >"$dir/boot-seconds"
	tr -d '\r' <"$GUEST_CONSOLE_RAW" >"$GUEST_CONSOLE"

	# Host address of RAM's first byte (guest physical GUEST_RAM_BASE: 0 on x86), from QEMU
	# itself (not guessed from the maps).
	local hmp
	hmp=$(guest_hmp "gpa2hva $GUEST_RAM_BASE") || { guest_stop "$name"; return 1; }
	GUEST_RAM_HVA=$(printf '%s\n' "$hmp" | sed -n "s/^Host virtual address for $GUEST_RAM_BASE ($guest__ram_name) is \(0x[0-9a-f]*\).*/\1/p")
	[ -n "$GUEST_RAM_HVA" ] ||
		{ guest__fail "guest_start: unexpected gpa2hva answer: $hmp"; guest_stop "$name"; return 1; }
	# And its size as QEMU sees it.
	local msize
	msize=$(guest_qmp '{"execute":"query-memory-size-summary"}' |
		sed -n 's/.*"base-memory": *\([0-9]*\).*/\1/p')
	[ "$msize" = "$GUEST_MEM_BYTES" ] ||
		{ guest__fail "guest_start: QEMU reports $msize bytes of RAM, asked for $GUEST_MEM_BYTES"; guest_stop "$name"; return 1; }
	export GUEST_RAM_HVA GUEST_RAM_BASE
	guest__env_save
}

# guest_use NAME: make a guest started earlier (in this file) current again.
guest_use() {
	local root
	guest__root || return 1
	root=$GUEST__ROOT
	[ -f "$root/$1/env" ] || guest__fail "guest_use: no guest '$1'" || return 1
	# shellcheck disable=SC1090
	. "$root/$1/env"
}

# guest_qmp JSON...: send QMP commands to the current guest; prints one reply per line.
# Fails (status 1, the error on stderr) when QEMU answers {"error": ...}.
guest_qmp() {
	[ -n "${GUEST_QMP:-}" ] || guest__fail "guest_qmp: no guest started" || return 1
	"$GUEST_PYTHON" "$GUEST_SRCDIR/qmp.py" --timeout "${GUEST_QMP_TIMEOUT:-300}" "$GUEST_QMP" "$@"
}

# guest_hmp 'CMD': one human monitor command through QMP; prints its text output.
guest_hmp() {
	local json reply
	json=$("$GUEST_PYTHON" -c 'import json,sys; print(json.dumps({"execute":"human-monitor-command","arguments":{"command-line":sys.argv[1]}}))' "$1") || return 1
	reply=$(guest_qmp "$json") || return 1
	printf '%s\n' "$reply" | "$GUEST_PYTHON" -c 'import json,sys; sys.stdout.write(json.load(sys.stdin)["return"].replace("\r\n","\n"))'
}

guest_pause() { guest_qmp '{"execute":"stop"}' >/dev/null; }
guest_resume() { guest_qmp '{"execute":"cont"}' >/dev/null; }

# guest_dump elf|kdump-zlib|kdump-lzo|kdump-snappy|kdump-zstd|win-dmp PATH
# QEMU's own dump of the current guest (paging=false). The guest pauses while it is
# written and runs again after. QEMU creates the file mode 0400; an existing PATH is
# replaced.
guest_dump() {
	[ $# -eq 2 ] || guest__fail "usage: guest_dump FORMAT PATH" || return 1
	guest__dump "$1" "$2" false
}

# guest_dump_paging PATH: QEMU's ELF dump with paging=true: one PT_LOAD per virtual
# mapping of the current CPU's page tables, so physical ranges overlap (RAM mapped twice).
guest_dump_paging() {
	[ $# -eq 1 ] || guest__fail "usage: guest_dump_paging PATH" || return 1
	guest__dump elf "$1" true
}

guest__dump() {
	local format=$1 path=$2 paging=$3
	case $format in
	elf|kdump-zlib|kdump-lzo|kdump-snappy|kdump-zstd|win-dmp) ;;
	*) guest__fail "guest_dump: unknown format '$format'"; return 1 ;;
	esac
	case $path in
	/*) ;;
	*) path=$PWD/$path ;;
	esac
	case $path in
	*'"'*|*'\'*) guest__fail "guest_dump: unsupported character in path '$path'"; return 1 ;;
	esac
	rm -f "$path"
	guest_qmp "{\"execute\":\"dump-guest-memory\",\"arguments\":{\"paging\":$paging,\"protocol\":\"file:$path\",\"format\":\"$format\"}}" >/dev/null || return 1
	[ -s "$path" ] || guest__fail "guest_dump: QEMU wrote no $path" || return 1
}

# guest_oracle SECTION: print one section of the guest's ground truth (without the
# "=== SECTION ===" line). Sections: markers ps secret kallsyms version uname cmdline
# iomem lsmod modules vmcoreinfo maps environ btf. Fails if the section is missing.
guest_oracle() {
	[ -n "${GUEST_CONSOLE:-}" ] || guest__fail "guest_oracle: no guest started" || return 1
	awk -v want="=== $1 ===" '
		$0 == want { on = 1; found = 1; next }
		/^=== [a-z0-9_-]+ ===$/ { on = 0 }
		on { print }
		END { exit !found }' "$GUEST_CONSOLE" ||
		guest__fail "guest_oracle: no section '$1' in $GUEST_CONSOLE"
}

# guest_stop [NAME]: quit the guest (QMP quit, then SIGTERM, then SIGKILL).
guest_stop() {
	local name=${1:-${GUEST_NAME:-}} root dir pid
	[ -n "$name" ] || return 0
	guest__root || return 1
	root=$GUEST__ROOT
	dir=$root/$name
	[ -f "$dir/qemu.pid.bg" ] || return 0
	pid=$(cat "$dir/qemu.pid.bg")
	# Only ever signal the QEMU we started: its cwd is the guest's directory.
	if guest__alive "$pid" && [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$(cd "$dir" && pwd -P)" ]; then
		"$GUEST_PYTHON" "$GUEST_SRCDIR/qmp.py" --timeout 5 "$dir/qmp.sock" '{"execute":"quit"}' >/dev/null 2>&1
		local i
		for i in $(seq 1 50); do guest__alive "$pid" || break; sleep 0.1; done
		if guest__alive "$pid"; then
			kill -TERM "$pid" 2>/dev/null
			for i in $(seq 1 30); do guest__alive "$pid" || break; sleep 0.1; done
			guest__alive "$pid" && kill -KILL "$pid" 2>/dev/null
		fi
	fi
	wait "$pid" 2>/dev/null
	rm -f "$dir/qemu.pid.bg"
	return 0
}

# guest_stop_all: stop every guest started from this file (for teardown_file).
guest_stop_all() {
	local root dir
	guest__root || return 1
	root=$GUEST__ROOT
	[ -f "$root/.started" ] || return 0
	while read -r dir; do
		guest_stop "${dir##*/}"
	done <"$root/.started"
}
