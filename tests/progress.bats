#!/usr/bin/env bats
# The progress line of long passes (libmf's mf_progress_*: scans, rescans, dumps, reads):
# shown on stderr when it is a terminal (a pty from util-linux script), one line redrawn in
# place and erased at the end, never when stderr is a file, never with -q, never below the
# threshold (MF_PROGRESS_MIN, default 256 MiB), and never on the same line as a warning or
# a table row.
load test_helper

setup_file() {
	export PD=$BATS_FILE_TMPDIR/progress
	mkdir -p "$PD"
	# 64 MiB of random bytes with a marker at 40 MiB; a LiME of four 4 MiB ranges with
	# 4 MiB gaps between them
	/usr/bin/python3 - "$PD/img.raw" "$PD/gaps.lime" <<'EOF'
import os, struct, sys
with open(sys.argv[1], 'wb') as f:
    for i in range(64):
        f.write(os.urandom(1 << 20))
    f.seek(40 << 20)
    f.write(b'MFPROGRESSMARK')
with open(sys.argv[2], 'wb') as f:
    for k in range(4):
        s = k * (8 << 20)
        f.write(struct.pack('<IIQQQ', 0x4C694D45, 1, s, s + (4 << 20) - 1, 0))
        f.write(os.urandom(4 << 20))
EOF
}

setup() {
	require_cmd script jq
	unset MF_PROGRESS_MIN   # the tests set it where they mean to
	T=$BATS_TEST_TMPDIR
	cd "$T"
}

# Run a shell command line under a pseudo-terminal: what the terminal got is $output;
# the command's exit status must be $2 (default 0: script -e returns it).  script runs the
# line with $SHELL, /bin/sh when unset: bash is named so that what the terminal shows does
# not depend on the caller's shell (dash reports "Terminated" for a pipeline's first command
# killed by SIGTERM, bash does not).
on_tty() {
	run -"${2:-0}" env SHELL=/bin/bash script -qec "$1" /dev/null
}

# The progress lines the terminal got (each "\r...\033[K" drawn), one per line.
bars() {
	printf '%s' "$output" | tr '\r' '\n' | sed -n 's/\x1b\[K$//p' | grep -aE '^mf-[a-z]+ ' || true
}

# One progress line of TOOL over TOTAL: the bar, percent, bytes done of the total, the rate
# and the time left.
assert_bar() {
	local re="^$1 \\[[#.]+\\] +[0-9]+% [0-9.]+ (B|KiB|MiB|GiB) / $2  [0-9.]+ (B|KiB|MiB|GiB)/s  ETA [0-9]+:[0-9]{2}:[0-9]{2}\$"
	bars | grep -qaE "$re" || fail "no progress line like '$re' in: $(printf '%s' "$output" | od -c | head -20)"
}

# The lines left on the terminal once $output was written to it, as a terminal shows them
# ("\r" back to the line's start, "\e[K" erases to its end), the line the cursor is on last.
screen() {
	printf '%s' "$output" | /usr/bin/python3 -c '
import sys
t, lines, line, col = sys.stdin.buffer.read().decode("latin-1"), [], [], 0
i = 0
while i < len(t):
    if t.startswith("\x1b[K", i):
        del line[col:]
        i += 3
        continue
    c = t[i]
    i += 1
    if c == "\r":
        col = 0
    elif c == "\n":
        lines.append("".join(line))
        line, col = [], 0
    else:
        line[col:col + 1] = [c]
        col += 1
lines.append("".join(line))
print("\n".join(lines), end="")
'
}

# The line is gone at the end and never left behind: no line on the screen is one.
assert_gone() {
	local s
	s=$(screen)
	! grep -qaE '\[[#.]+\] |B/s  ETA' <<<"$s" || fail "a progress line is left on the terminal: $s"
}

@test "mf-dump to a file: a progress line on the terminal, erased at the end; the dump is right" {
	on_tty "MF_PROGRESS_MIN=1M mf-dump -c raw:$PD/img.raw -F raw -o $T/out.raw"
	assert_bar mf-dump "64.0 MiB"
	assert_gone
	cmp "$PD/img.raw" "$T/out.raw"
	# nothing else was printed: the terminal is left blank
	assert_equal "$(screen)" ""
	# the count moves per MiB read, not per 64 MiB window: the first line is drawn early
	bars | grep -qaE '^mf-dump \[[#.]+\] +[0-9]{1,2}% ' || fail "no line below 100%: $(bars)"
}

@test "mf-scan: a progress line while scanning, the hit on stdout" {
	on_tty "MF_PROGRESS_MIN=1M mf-scan -c raw:$PD/img.raw --phys -s MFPROGRESSMARK -f json >$T/hits"
	assert_bar mf-scan "64.0 MiB"
	assert_gone
	run -0 jq -r 'select(.type == "hit") | .addr' "$T/hits"
	assert_output 0x2800000
}

@test "-F, -Y, --carve net and mf-read --phys -f raw show it too" {
	printf 'MFPROGRESSMARK\nhex:deadbeefcafe\n' >"$T/list"
	printf 'rule mark { strings: $a = "MFPROGRESSMARK" condition: $a }\n' >"$T/r.yar"
	on_tty "MF_PROGRESS_MIN=1M mf-scan -c raw:$PD/img.raw --phys -F $T/list -f json >$T/hits"
	assert_bar mf-scan "64.0 MiB"
	assert_gone
	on_tty "MF_PROGRESS_MIN=1M mf-scan -c raw:$PD/img.raw --phys -Y $T/r.yar -f json >$T/yhits"
	assert_bar mf-scan "64.0 MiB"
	assert_equal "$(jq -r 'select(.type == "hit") | .rule + " " + .addr' "$T/yhits")" "mark 0x2800000"
	# random bytes hold no packet: status 1, "nothing found" (an error would be on the screen)
	on_tty "MF_PROGRESS_MIN=1M mf-scan -c raw:$PD/img.raw --phys --carve net -w $T/c.pcap -f json >/dev/null; [ \$? -le 1 ]"
	assert_bar mf-scan "64.0 MiB"
	assert_gone
	assert_equal "$(screen)" ""
	on_tty "MF_PROGRESS_MIN=1M mf-read -c raw:$PD/img.raw --phys -f raw 0 64M >$T/read.raw"
	assert_bar mf-read "64.0 MiB"
	assert_gone
	cmp "$PD/img.raw" "$T/read.raw"
}

@test "mf-scan --rescan: a progress line over the hits file it reads, none from a pipe or with -q; --snapshot rescans too" {
	local n
	mf-scan -c "raw:$PD/img.raw" --phys -T u8 7 >"$T/hits"
	n=$(mf-cat -f json "$T/hits" | grep -c '"type":"hit"')
	[[ $n -gt 100000 ]] || fail "only $n hits"
	on_tty "MF_PROGRESS_MIN=1 mf-scan --rescan unchanged <$T/hits >$T/kept"
	assert_bar mf-scan "[0-9.]+ (KiB|MiB)"
	assert_gone
	assert_equal "$(screen)" ""
	assert_equal "$(mf-cat -f json "$T/kept" | grep -c '"type":"hit"')" "$n"
	# the hits arriving through a pipe: no size to measure against
	on_tty "cat $T/hits | MF_PROGRESS_MIN=1 mf-scan --rescan unchanged >$T/kept"
	assert_output ''
	on_tty "MF_PROGRESS_MIN=1 mf-scan -q --rescan unchanged <$T/hits >$T/kept"
	assert_output ''
	on_tty "MF_PROGRESS_MIN=1 mf-scan --rescan unchanged <$T/hits 2>$T/err >$T/kept"
	assert_output ''
	[ ! -s "$T/err" ]
	# a snapshot's rescan: over the snapshot file (64 MiB of memory in mem records)
	mf-scan -c "raw:$PD/img.raw" --phys -T u32 --snapshot "$T/snap"
	on_tty "MF_PROGRESS_MIN=1M mf-scan --rescan unchanged --snapshot $T/snap >$T/skept"
	assert_bar mf-scan "64.0 MiB"
	assert_gone
	assert_equal "$(screen)" ""
	[[ $(mf-cat -f json "$T/skept" | grep -c '"type":"hit"') -eq $((16 << 20)) ]] || fail "not every u32 unchanged"
}

@test "mf-dump -p: the process core's pass too, its warnings on their own lines" {
	sleep 60 3>&- &
	local pid=$!
	on_tty "MF_PROGRESS_MIN=1 mf-dump -p $pid -o $T/p.core </dev/null"
	kill "$pid"
	assert_bar mf-dump "[0-9.]+ (KiB|MiB)"
	assert_gone
	# what is left on the screen: warnings (its [vvar] pages cannot be read), whole
	local left
	left=$(screen | grep -avE '^(mf-dump: warning: [0-9]+ unreadable pages? of pid [0-9]+ recorded without data)?$' || true)
	assert_equal "$left" ""
	[ -s "$T/p.core" ]
}

@test "stderr to a file: no progress bytes at all, on the terminal or in the file" {
	on_tty "MF_PROGRESS_MIN=1M mf-dump -c raw:$PD/img.raw -F raw -o $T/out.raw 2>$T/err"
	assert_output ''
	[ ! -s "$T/err" ]
	on_tty "MF_PROGRESS_MIN=1M mf-scan -c raw:$PD/img.raw --phys -s MFPROGRESSMARK -f json 2>$T/err >$T/hits"
	assert_output ''
	[ ! -s "$T/err" ]
	# and without any terminal
	MF_PROGRESS_MIN=1M mf-scan -c "raw:$PD/img.raw" --phys -s MFPROGRESSMARK -f json 2>"$T/err" >"$T/hits"
	[ ! -s "$T/err" ]
	cmp "$PD/img.raw" "$T/out.raw"
}

@test "-q: no progress line" {
	on_tty "MF_PROGRESS_MIN=1M mf-dump -q -c raw:$PD/img.raw -F raw -o $T/out.raw"
	assert_output ''
	on_tty "MF_PROGRESS_MIN=1M mf-scan -q -c raw:$PD/img.raw --phys -s MFPROGRESSMARK -f json >$T/hits"
	assert_output ''
	cmp "$PD/img.raw" "$T/out.raw"
}

@test "below the threshold (default 256 MiB, or MF_PROGRESS_MIN): no progress line" {
	on_tty "mf-dump -c raw:$PD/img.raw -F raw -o $T/out.raw"
	assert_output ''
	on_tty "MF_PROGRESS_MIN=65M mf-scan -c raw:$PD/img.raw --phys -s MFPROGRESSMARK -f json >$T/hits"
	assert_output ''
	on_tty "MF_PROGRESS_MIN=64M mf-scan -c raw:$PD/img.raw --phys -s MFPROGRESSMARK -f json >$T/hits"
	assert_bar mf-scan "64.0 MiB"
}

@test "an invalid MF_PROGRESS_MIN is warned about once, the default kept" {
	on_tty "MF_PROGRESS_MIN=lots mf-scan -c raw:$PD/img.raw --phys -s MFPROGRESSMARK -f json >$T/hits"
	assert_equal "$(printf '%s' "$output" | tr -d '\r')" \
		"mf-scan: warning: invalid MF_PROGRESS_MIN \"lots\": expected a byte count (using 268435456)"
}

@test "warnings are never on the progress line: it is erased before each" {
	# three gaps, each a warning with --zero-fill, between reads that redraw the line
	on_tty "MF_PROGRESS_MIN=1M mf-read -c $PD/gaps.lime --phys -f raw --zero-fill 0 28M >$T/read.raw" 1
	assert_bar mf-read "28.0 MiB"
	assert_gone
	assert_equal "$(screen)" "$(for a in 0x400000-0x7fffff 0xc00000-0xffffff 0x1400000-0x17fffff; do
		printf 'mf-read: warning: %s unreadable: not present in the source (zero-filled)\n' $a; done)"
	[ "$(stat -c %s "$T/read.raw")" -eq $((28 << 20)) ]
}

@test "table rows to the terminal are never on the progress line" {
	on_tty "MF_PROGRESS_MIN=1M mf-scan -c raw:$PD/img.raw --phys -s MFPROGRESSMARK -f table"
	assert_bar mf-scan "64.0 MiB"
	assert_gone
	mf-scan -c "raw:$PD/img.raw" --phys -s MFPROGRESSMARK -f table >"$T/table"
	[[ $(wc -l <"$T/table") -eq 2 ]]
	assert_equal "$(screen)" "$(cat "$T/table")"
}

@test "Ctrl-C (SIGINT), SIGTERM, SIGHUP in the middle of a pass: the line is erased, the tool dies of the signal" {
	local sig
	for sig in INT TERM HUP; do
		# mf-read is blocked writing to a pipe nobody reads after 8 MiB: its line is on the
		# terminal when the signal comes.  The signals' default actions are restored for it
		# (env --default-signal): a test run in the background (nohup, &) inherits them
		# ignored, and a tool leaves an ignored signal alone
		on_tty "MF_PROGRESS_MIN=1M env --default-signal=INT,TERM,HUP mf-read -c raw:$PD/img.raw --phys -f raw 0 64M | { head -c 8M >/dev/null; kill -$sig \$(pgrep -P \$\$ -x mf-read); sleep 0.5; }; wait; echo done"
		assert_bar mf-read "64.0 MiB"
		assert_gone
		assert_equal "$(screen | tr -d '\r')" "done"
	done
	# a tool that takes the signal itself (mf-dump: no half-written snapshot) keeps its handler
	on_tty "MF_PROGRESS_MIN=1M mf-dump -c raw:$PD/img.raw -F raw -o $T/d.raw & sleep 0.3; kill -INT \$!; wait \$!; echo \"status \$?\"" 0
	assert_gone
}
