# Helpers of the linux os layer's suites (tests/linux.bats, and the guests of
# tests/vtop-guest.bats and tests/vtop-foreign.bats): the guest's own process list (the
# oracle) against ours.

# The oracle's processes as "pid ppid comm" lines, sorted; the ps that printed them left out.
oracle_ps() {
	guest_oracle ps | awk 'NR > 1 && $3 != "ps" { print $1, $2, $3 }' | sort
}

# Our processes as "pid ppid comm", from a target (the arguments of mf-ps).
ours_ps() {
	mf-ps "$@" -f json </dev/null | jq -r 'select(.type == "process") | "\(.pid) \(.ppid) \(.name)"' | sort
}

# Every oracle process is ours with the same ppid; the comm the guest's ps shows starts
# with ours (a kworker's shows its workqueue after the comm).
same_processes() {
	local o=$1 u=$2
	/usr/bin/python3 - "$o" "$u" <<'PY'
import sys
oracle = [l.split(" ", 2) for l in open(sys.argv[1]).read().splitlines()]
ours = {l.split(" ", 2)[0]: l.split(" ", 2) for l in open(sys.argv[2]).read().splitlines()}
bad = []
for pid, ppid, comm in oracle:
    u = ours.get(pid)
    if u is None or u[1] != ppid or not comm.startswith(u[2][:15]):
        bad.append("oracle %s %s %s, ours %s" % (pid, ppid, comm, u))
if len(oracle) < 40:
    bad.append("only %d oracle processes" % len(oracle))
if bad:
    sys.exit("\n".join(bad))
PY
}

# The oracle's maps of its marker (the maps section) as "start-end perms offset path"
# ("-" for no path).
oracle_maps() {
	guest_oracle maps | awk 'NR > 1 { printf "%s %s %s %s\n", $1, $2, $3, ($6 == "" ? "-" : $6) }'
}

# Ours, in the same format as /proc/PID/maps writes its numbers (%08x): the arguments of
# mf-modules (target and -p PID).
ours_maps() {
	mf-modules "$@" --maps -f json </dev/null |
		jq -r 'select(.type == "map") | "\(.start) \(.end) \(.perms) \(.offset) \(if .path == "" then "-" else .path end)"' |
		/usr/bin/python3 -c '
import sys
for l in sys.stdin:
    s, e, p, o, path = l.split(" ", 4)
    print("%08x-%08x %s %08x %s" % (int(s, 0), int(e, 0), p, int(o, 0), path.rstrip("\n")))'
}

# The linux layer on DUMP agrees with the current guest's oracle: the processes, and the
# marker's maps.
linux_agrees() {
	local dump=$1 T=$BATS_TEST_TMPDIR pid
	oracle_ps >"$T/oracle.ps"
	ours_ps -c "$dump" -o linux >"$T/ours.ps"
	same_processes "$T/oracle.ps" "$T/ours.ps" || return 1
	pid=$(guest_oracle maps | awk 'NR == 1 { print $2 }')
	oracle_maps >"$T/oracle.maps"
	ours_maps -c "$dump" -o linux -p "$pid" >"$T/ours.maps"
	diff -u "$T/oracle.maps" "$T/ours.maps"
}
