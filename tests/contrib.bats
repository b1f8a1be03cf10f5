#!/usr/bin/env bats
# contrib/: the systemd snapshot service and timer, and the man pages that document them
# and the GNU parallel recipes.
load test_helper

setup() {
	C=$MF_TOP_SRCDIR/contrib
}

# The service's ExecStart as the shell would run it: systemd's %% unescaped, ${VAR} and
# $VAR from the environment file's syntax (KEY=VALUE lines).
exec_start() {
	sed -n 's/^ExecStart=//p' "$C/mftools-snapshot.service" | sed 's/%%/%/g'
}

@test "systemd-analyze verify accepts the service and the timer" {
	require_cmd systemd-analyze
	d=$BATS_TEST_TMPDIR/units
	mkdir -p "$d"
	# verify checks that ExecStart's program exists: point it at one that does
	sed "s|/usr/bin/mf-dump|$(command -v true)|" "$C/mftools-snapshot.service" >"$d/mftools-snapshot.service"
	cp "$C/mftools-snapshot.timer" "$d/"
	run -0 systemd-analyze verify --man=no "$d/mftools-snapshot.service" "$d/mftools-snapshot.timer"
	assert_output ""
}

@test "the timer starts the service hourly and the service reads /etc/default/mftools-snapshot" {
	run -0 grep -E '^(OnCalendar|Persistent|WantedBy)=' "$C/mftools-snapshot.timer"
	assert_output "OnCalendar=hourly
Persistent=true
WantedBy=timers.target"
	run -0 grep -E '^(Type|EnvironmentFile|ConditionPathExists|StateDirectory)=' "$C/mftools-snapshot.service"
	assert_output "ConditionPathExists=/etc/default/mftools-snapshot
Type=oneshot
EnvironmentFile=/etc/default/mftools-snapshot
StateDirectory=mftools"
	run -0 exec_start
	assert_output '/usr/bin/mf-dump -q -c ${MF_SNAPSHOT_TARGET} $MF_SNAPSHOT_OPTIONS -F ${MF_SNAPSHOT_FORMAT} -o /var/lib/mftools/%{target}-%Y%m%d-%H%M%S.${MF_SNAPSHOT_FORMAT} --keep ${MF_SNAPSHOT_KEEP}'
	# every variable it uses is set in the example environment file
	for v in MF_SNAPSHOT_TARGET MF_SNAPSHOT_OPTIONS MF_SNAPSHOT_FORMAT MF_SNAPSHOT_KEEP; do
		grep -q "^$v=" "$C/mftools-snapshot.default"
	done
}

@test "the service's command takes rotated snapshots (run by hand, as systemd would)" {
	command -v mf-dump >/dev/null 2>&1 || fail "mf-dump is not built"
	s=$BATS_TEST_TMPDIR/snaps
	mkdir -p "$s"
	head -c 65536 /dev/urandom >"$BATS_TEST_TMPDIR/ram.raw"
	# the example environment file, with a raw file as the target
	sed "s|^MF_SNAPSHOT_TARGET=.*|MF_SNAPSHOT_TARGET=raw:$BATS_TEST_TMPDIR/ram.raw|; s|^MF_SNAPSHOT_FORMAT=.*|MF_SNAPSHOT_FORMAT=raw|; s|^MF_SNAPSHOT_KEEP=.*|MF_SNAPSHOT_KEEP=2|" \
		"$C/mftools-snapshot.default" >"$BATS_TEST_TMPDIR/env"
	cmd=$(exec_start | sed "s|/usr/bin/mf-dump|mf-dump|; s|/var/lib/mftools|$s|")
	for i in 1 2 3; do
		(set -a; . "$BATS_TEST_TMPDIR/env"; set +a; eval "$cmd")
		sleep 1.1   # names have one-second resolution
	done
	run -0 bash -c "ls '$s' | wc -l"
	assert_output 2
	for f in "$s"/ram-*.raw; do
		[[ ${f##*/} =~ ^ram-[0-9]{8}-[0-9]{6}\.raw$ ]]
		cmp "$f" "$BATS_TEST_TMPDIR/ram.raw"
	done
}

@test "the man pages render without warnings" {
	require_cmd man
	for p in mftools-cron.7 mftools-parallel.7; do
		run -0 --separate-stderr env MANWIDTH=80 man --warnings -l "$MF_TOP_SRCDIR/man/$p"
		assert_equal "$stderr" ""
		assert_output --partial "SEE ALSO"
	done
}
