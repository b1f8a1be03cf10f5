#!/usr/bin/env bats
# mf-scan --carve net: packets carved out of memory into a pcap that tshark (Debian
# tshark) reads: a raw image with packets at known addresses (tests/carve-mkraw.py, its
# checksums computed there), hostile frames, random memory, a process, and the test guest
# (QEMU's ELF dump and the live guest), whose /init sends UDP datagrams and pings over its
# loopback (the oracle section "net").
load test_helper
load tools_helper
. "$MF_TOP_SRCDIR/tests/guest/guest.bash"

setup_file() {
	export CD=$BATS_FILE_TMPDIR/carve
	mkdir -p "$CD"
	python3 "$MF_TOP_SRCDIR/tests/carve-mkraw.py" "$CD/img.raw" >"$CD/want"
	if guest_require; then
		guest_start
		guest_pause
		guest_dump elf "$BATS_FILE_TMPDIR/qemu.elf"   # the guest stays paused for the first test
	fi
}

teardown_file() {
	guest_stop_all
}

setup() {
	require_cmd tshark jq python3
}

# The hit records of a JSON stream as "addr len link proto src dst sport dport csum".
hits() {
	jq -r 'select(.type == "hit") | "\(.addr) \(.len) \(.link) \(.proto) \(.src) \(.dst) \(.sport // "-") \(.dport // "-") \(.csum)"' "$@"
}

# tshark over a pcap: fails on any error; fields as tab-separated lines.
tshark_fields() {
	local pcap=$1
	shift
	local args=() f
	for f in "$@"; do args+=(-e "$f"); done
	tshark -n -r "$pcap" -T fields "${args[@]}" 2>"$BATS_TEST_TMPDIR/tshark.err" ||
		fail "tshark -r $pcap failed: $(cat "$BATS_TEST_TMPDIR/tshark.err")"
	! grep -v '^Running as user' "$BATS_TEST_TMPDIR/tshark.err" | grep -q . ||
		fail "tshark: $(cat "$BATS_TEST_TMPDIR/tshark.err")"
}

hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }

@test "carve: the packets of a raw image, at their addresses, with their checksums; tshark agrees" {
	for chunk in 64K 16M; do
		run -0 --separate-stderr mf-scan -c "raw:$CD/img.raw" --phys --carve net -w "$CD/img.pcap" --chunk $chunk \
			-f json </dev/null
		no_sanitizer
		[ -z "$stderr" ] || fail "stderr: $stderr"
		printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/hits.json"
		diff -u "$CD/want" <(hits "$BATS_TEST_TMPDIR/hits.json") || fail "chunk $chunk: hits differ"
	done
	# frames in hit order, the link and MAC addresses of Ethernet frames in the record
	run -0 jq -r 'select(.type == "hit") | "\(.frame) \(.mac_src // "-") \(.mac_dst // "-") \(.ip)"' \
		"$BATS_TEST_TMPDIR/hits.json"
	[ "${lines[0]}" = "1 - - 4" ]
	[ "${lines[1]}" = "2 02:00:00:00:00:01 02:00:00:00:00:02 4" ]
	[ "${lines[3]}" = "4 - - 6" ]
	[ "${#lines[@]}" -eq 10 ]
	# the pcap: LINKTYPE_RAW, one frame per hit, the same addresses, ports and payloads
	run -0 tshark_fields "$CD/img.pcap" frame.number frame.len ip.src ipv6.dst udp.srcport udp.dstport udp.payload
	[ "${#lines[@]}" -eq 10 ]
	[ "${lines[0]}" = "$(printf '1\t40\t10.1.2.3\t\t40000\t53\t%s' "$(hex MFCARVE-UDP4)")" ]
	[ "${lines[1]}" = "$(printf '2\t40\t10.1.2.3\t\t40001\t69\t%s' "$(hex MFCARVE-ETH4)")" ]   # Ethernet header dropped
	[ "${lines[3]}" = "$(printf '4\t60\t\t::1\t40002\t53\t%s' "$(hex MFCARVE-UDP6)")" ]
	[ "${lines[6]}" = "$(printf '7\t40\t10.1.2.3\t\t40000\t53\t%s' "$(hex MFCARVE-UDP4)")" ]  # the copy, reported again
	[ "${lines[8]}" = "$(printf '9\t65\t\t::1\t\t\t')" ]                                   # ICMPv6 echo, code 0xc3
	[ "${lines[9]}" = "$(printf '10\t40\t10.1.2.3\t\t40008\t53\t%s' "$(hex MFCARVE-EDGE)")" ]
	run -0 capinfos -E "$CD/img.pcap"
	assert_output --partial "Raw IP"
	# tshark finds every IPv4 header checksum good
	run -0 --separate-stderr tshark -n -r "$CD/img.pcap" -o ip.check_checksum:TRUE -T fields -e ip.checksum.status
	[ "$(printf '%s\n' "${lines[@]}" | grep -c '^1$')" -eq 7 ]    # the IPv4 ones, all good
}

@test "carve: table, json and msgpack carry the same packets" {
	run -0 --separate-stderr mf-scan -c "raw:$CD/img.raw" --phys --carve net -w "$CD/t.pcap" -f table </dev/null
	[ "${lines[0]}" = "$(printf '%-18s %-13s %6s %-5s %-8s %-9s %s' ADDR SPACE LEN LINK PROTO CSUM 'SRC > DST')" ]
	[[ ${lines[2]} == "0x0000000000002000 phys              54 ether udp      ok        10.1.2.3:40001 > 10.9.8.7:69" ]]
	[[ ${lines[4]} == *" ip    udp      partial   [::1]:40002 > [::1]:53" ]]
	[[ ${lines[3]} == *" icmp     ok        127.0.0.1 > 127.0.0.1" ]]
	[ "${#lines[@]}" -eq 11 ]
	mf-scan -c "raw:$CD/img.raw" --phys --carve net -w "$CD/m.pcap" -f msgpack </dev/null | mf-cat -f json >"$BATS_TEST_TMPDIR/m.json"
	diff -u "$CD/want" <(hits "$BATS_TEST_TMPDIR/m.json")
	cmp "$CD/t.pcap" "$CD/m.pcap"
	# --max-hits: the first N, in the pcap too
	run -0 --separate-stderr mf-scan -c "raw:$CD/img.raw" --phys --carve net -w "$CD/two.pcap" --max-hits 2 -f json </dev/null
	[ "$(printf '%s\n' "$output" | hits | wc -l)" -eq 2 ]
	run -0 tshark_fields "$CD/two.pcap" frame.number
	[ "${#lines[@]}" -eq 2 ]
}

@test "carve: hostile frames are skipped: past the end of memory, across a hole, truncated headers" {
	# a LiME whose first range ends inside a packet and whose second starts with the rest;
	# then a range that ends within a header, one whose header claims more than there is
	python3 - "$CD" <<'EOF'
import struct, sys
d = sys.argv[1]
img = open(d + "/img.raw", "rb").read()
def lime(start, data):
    return struct.pack('<IIQQQ', 0x4C694D45, 1, start, start + len(data) - 1, 0) + data
pkt = img[0x1000:0x1000 + 40]
r1 = bytes(0x100) + pkt[:30]          # the packet cut by the end of the range
r2 = pkt[30:] + bytes(0xf6)           # its rest, after a hole
r3 = bytes(0x20) + pkt[:12]           # a truncated header
r4 = pkt[:20]                         # a whole header, 40 bytes claimed, 20 there
open(d + "/hostile.lime", "wb").write(lime(0, r1) + lime(0x10000, r2) + lime(0x20000, r3) + lime(0x30000, r4))
EOF
	run -1 --separate-stderr mf-scan -c "$CD/hostile.lime" --phys --carve net -w "$CD/h.pcap" -f json </dev/null
	no_sanitizer
	[ -z "$stderr" ] || fail "stderr: $stderr"
	[ "$(printf '%s\n' "$output" | hits | wc -l)" -eq 0 ]
	# an empty pcap, still one tshark reads
	run -0 tshark_fields "$CD/h.pcap" frame.number
	[ -z "$output" ]
}

@test "carve: random memory yields no packet with a bad IPv4 header checksum" {
	head -c 64M /dev/urandom >"$BATS_TEST_TMPDIR/random.raw"
	run --separate-stderr mf-scan -c "raw:$BATS_TEST_TMPDIR/random.raw" --phys --carve net -w "$BATS_TEST_TMPDIR/r.pcap" \
		-f json </dev/null
	[ "$status" -le 1 ]
	no_sanitizer
	n=$(printf '%s\n' "$output" | hits | wc -l)
	[ "$n" -lt 20 ] || fail "$n packets carved out of random bytes"
	run -0 tshark_fields "$BATS_TEST_TMPDIR/r.pcap" frame.number
	[ "${#lines[@]}" -eq "$n" ]
	run -0 --separate-stderr tshark -n -r "$BATS_TEST_TMPDIR/r.pcap" -o ip.check_checksum:TRUE -Y 'ip.checksum.status == 0'
	[ -z "$output" ] || fail "bad IPv4 header checksums: $output"
}

@test "carve: a process's memory (-p)" {
	python3 - "$CD/img.raw" "$BATS_TEST_TMPDIR/ready" <<'EOF' 3>&- &
import sys, time
held = bytearray(open(sys.argv[1], "rb").read())   # the image, in this process's heap
open(sys.argv[2], "w").write("ready\n")
time.sleep(60)
EOF
	pid=$!
	for i in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/ready" ] && break; sleep 0.1; done
	run -0 --separate-stderr mf-scan -p "$pid" --carve net -w "$BATS_TEST_TMPDIR/p.pcap" -f json </dev/null
	kill "$pid"
	no_sanitizer
	printf '%s\n' "$output" | jq -r 'select(.type == "hit") | "\(.space) \(.pid)"' | sort -u >"$BATS_TEST_TMPDIR/sp"
	[ "$(cat "$BATS_TEST_TMPDIR/sp")" = "process $pid" ]
	# the image's packets, at least once each (the file's bytes may be in memory twice)
	printf '%s\n' "$output" | hits | cut -d' ' -f2- | sort -u >"$BATS_TEST_TMPDIR/got"
	cut -d' ' -f2- "$CD/want" | sort -u >"$BATS_TEST_TMPDIR/exp"
	comm -23 "$BATS_TEST_TMPDIR/exp" "$BATS_TEST_TMPDIR/got" >"$BATS_TEST_TMPDIR/missing"
	[ ! -s "$BATS_TEST_TMPDIR/missing" ] || fail "missing: $(cat "$BATS_TEST_TMPDIR/missing")"
	run -0 tshark_fields "$BATS_TEST_TMPDIR/p.pcap" udp.payload
	assert_output --partial "$(hex MFCARVE-EDGE)"
}

@test "carve: usage errors" {
	run -2 --separate-stderr mf-scan -c "raw:$CD/img.raw" --phys --carve dns -w "$CD/x.pcap"
	[ "$stderr" = "mf-scan: unknown carver 'dns' (net)" ]
	run -2 --separate-stderr mf-scan -c "raw:$CD/img.raw" --phys --carve net
	[ "$stderr" = "mf-scan: --carve net needs -w FILE (the pcap to write)" ]
	run -2 --separate-stderr mf-scan -c "raw:$CD/img.raw" --phys -s abc -w "$CD/x.pcap"
	[ "$stderr" = "mf-scan: -w goes with --carve net" ]
	run -2 --separate-stderr mf-scan -c "raw:$CD/img.raw" --phys --carve net -s abc -w "$CD/x.pcap"
	[ "$stderr" = "mf-scan: --carve excludes -x, -s, -F, -T, -Y and --rescan" ]
	run -2 --separate-stderr mf-scan -c "raw:$CD/img.raw" --phys --carve net -w -
	[ "$stderr" = "mf-scan: -w -: stdout carries the hit records; give a file name" ]
	run -1 --separate-stderr mf-scan -c "raw:$CD/img.raw" --phys --carve net -w "$CD/no/such/dir/x.pcap" </dev/null
	[[ $stderr == "mf-scan: "*"$CD/no/such/dir"* ]] || fail "stderr: $stderr"
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	[ ! -e "$CD/x.pcap" ]
	# libpcap's module missing: one line, before anything is written
	MF_MODULE_DIR=$CD/no-modules run -1 --separate-stderr mf-scan -c "raw:$CD/img.raw" --phys --carve net -w "$CD/x.pcap" </dev/null
	assert_stderr "mf-scan: cannot load pcap support: $CD/no-modules/mf-scan-pcap.so: cannot open shared object file: No such file or directory"
	assert_output ""
	[ ! -e "$CD/x.pcap" ]
}

# The guest's datagrams and pings (oracle section "net") in a pcap carved from it: the
# DNS query and the TFTP request (whole, or inside the ICMP port-unreachable errors, which
# carry the whole datagram), the pings with their 0xc3 payload, IPv4 header checksums good.
guest_packets_agree() {
	local pcap=$1 json=$2 dns tftp
	guest_oracle net >"$BATS_TEST_TMPDIR/net"
	dns=$(awk '$1 == "dns" { print $4 }' "$BATS_TEST_TMPDIR/net")
	tftp=$(awk '$1 == "tftp" { print $4 }' "$BATS_TEST_TMPDIR/net")
	[ -n "$dns" ] && [ -n "$tftp" ] || fail "no net oracle: $(cat "$BATS_TEST_TMPDIR/net")"
	grep -q '^ping 127.0.0.1 3 37 c3 ok' "$BATS_TEST_TMPDIR/net" || fail "the guest's ping failed"
	run -0 tshark_fields "$pcap" frame.number
	[ "${#lines[@]}" -eq "$(hits "$json" | wc -l)" ]
	# DNS: to 127.0.0.1:53 from a port of its own, the query name in DNS's label form
	run -0 tshark_fields "$pcap" ip.dst udp.srcport udp.dstport udp.payload
	label=$(hex "${dns%%.*}")
	printf '%s\n' "${lines[@]}" | grep -E "(^|,)127\.0\.0\.1	[0-9]+	53	.*${label}076578616d706c6500" ||
		fail "no DNS query for $dns in: $output"
	# TFTP: a read request (opcode 1) for the file, to port 69
	printf '%s\n' "${lines[@]}" | grep -E "(^|,)127\.0\.0\.1	[0-9]+	69	0001$(hex "$tftp")00" ||
		fail "no TFTP request for $tftp in: $output"
	# pings: echo requests (type 8) and replies (0) with 37 data bytes: busybox's 4-byte
	# timestamp, then 0xc3
	run -0 tshark_fields "$pcap" ip.src ip.dst icmp.type data
	c3=$(printf 'c3%.0s' $(seq 33))
	printf '%s\n' "${lines[@]}" | grep -qE "^127\.0\.0\.1	127\.0\.0\.1	8	.{8}$c3$" || fail "no echo request: $output"
	printf '%s\n' "${lines[@]}" | grep -qE "^127\.0\.0\.1	127\.0\.0\.1	0	.{8}$c3$" || fail "no echo reply: $output"
	if grep -q '^ping6 ::1 3 37 c3 ok' "$BATS_TEST_TMPDIR/net"; then
		run -0 tshark_fields "$pcap" ipv6.src icmpv6.type data
		printf '%s\n' "${lines[@]}" | grep -qE "^::1	129	.{8}$c3$" || fail "no ICMPv6 echo reply: $output"
	fi
	run -0 --separate-stderr tshark -n -r "$pcap" -o ip.check_checksum:TRUE -Y 'ip.checksum.status == 0'
	[ -z "$output" ] || fail "bad IPv4 header checksums: $output"
}

@test "carve: QEMU's ELF dump of the guest: its datagrams and pings, read back by tshark" {
	guest_require
	guest_use guest
	run -0 --separate-stderr mf-scan -c "$BATS_FILE_TMPDIR/qemu.elf" --phys --carve net -w "$BATS_TEST_TMPDIR/g.pcap" \
		-f json </dev/null
	no_sanitizer
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/g.json"
	guest_packets_agree "$BATS_TEST_TMPDIR/g.pcap" "$BATS_TEST_TMPDIR/g.json"
	# the same packets at the same addresses in the live guest's RAM, still paused since the
	# dump, and the same pcap
	run -0 --separate-stderr mf-scan -c "qemu:pid=$GUEST_QEMU_PID,qmp=$GUEST_QMP" --phys --carve net \
		-w "$BATS_TEST_TMPDIR/live.pcap" -f json </dev/null
	no_sanitizer
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/live.json"
	diff -u <(hits "$BATS_TEST_TMPDIR/g.json") <(hits "$BATS_TEST_TMPDIR/live.json")
	cmp "$BATS_TEST_TMPDIR/g.pcap" "$BATS_TEST_TMPDIR/live.pcap"
}

@test "carve: the guest kernel's memory (--kernel) holds the loopback packets of its physical memory" {
	guest_require
	run -0 --separate-stderr mf-scan -c "$BATS_FILE_TMPDIR/qemu.elf" --kernel --carve net -w "$BATS_TEST_TMPDIR/k.pcap" \
		--context 4096 -f json </dev/null
	no_sanitizer
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/k.json"
	[ "$(jq -r 'select(.type == "hit") | .space' "$BATS_TEST_TMPDIR/k.json" | sort -u)" = kernel ]
	loopback='select(.type == "hit" and (.src == "127.0.0.1" or .src == "::1")) | .data'
	jq -r "$loopback" "$BATS_TEST_TMPDIR/k.json" | sort -u >"$BATS_TEST_TMPDIR/k.set"
	# the kernel maps all of RAM: the same packets (by content), at kernel addresses
	mf-scan -c "$BATS_FILE_TMPDIR/qemu.elf" --phys --carve net -w "$BATS_TEST_TMPDIR/p.pcap" --context 4096 -f json \
		</dev/null | jq -r "$loopback" | sort -u >"$BATS_TEST_TMPDIR/p.set"
	[ -s "$BATS_TEST_TMPDIR/p.set" ]
	missing=$(comm -23 "$BATS_TEST_TMPDIR/p.set" "$BATS_TEST_TMPDIR/k.set")
	[ -z "$missing" ] || fail "in physical memory, not in the kernel's: $missing"
}

@test "carve: the live guest, running: its datagrams and pings" {
	guest_require
	guest_use guest
	guest_resume
	run -0 --separate-stderr mf-scan -c "qemu:pid=$GUEST_QEMU_PID" --phys --carve net -w "$BATS_TEST_TMPDIR/l.pcap" \
		-f json </dev/null
	no_sanitizer
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/l.json"
	guest_packets_agree "$BATS_TEST_TMPDIR/l.pcap" "$BATS_TEST_TMPDIR/l.json"
}
