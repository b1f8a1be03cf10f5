#!/usr/bin/env bats
# Scale-out with GNU parallel (man mftools-parallel): one mf-read per snapshot file, the
# streams merged, each attributable to its file by the target record that starts it.
load test_helper

setup_file() {
	export PD=$BATS_FILE_TMPDIR/snaps
	mkdir -p "$PD"
	# three raw images and a LiME file, each with its own marker at physical 0x2000
	local n
	for n in a b c; do
		head -c 65536 /dev/zero >"$PD/$n.raw"
		printf 'mf-parallel-%s-\xa5\x5a\x00' "$n" | dd of="$PD/$n.raw" bs=1 seek=$((0x2000)) conv=notrunc status=none
	done
	# LiME: magic "EMiL", version 1, start, end (inclusive), reserved; then the bytes
	{
		printf 'EMiL\x01\x00\x00\x00'
		printf '\x00\x00\x00\x00\x00\x00\x00\x00'   # start 0
		printf '\xff\xff\x00\x00\x00\x00\x00\x00'   # end 0xffff
		printf '\x00\x00\x00\x00\x00\x00\x00\x00'
		head -c $((0x2000)) /dev/zero
		printf 'mf-parallel-d-\xa5\x5a\x00'
		head -c $((0x10000 - 0x2000 - 17)) /dev/zero
	} >"$PD/d.lime"
}

setup() {
	require_cmd parallel jq
	cd "$PD"
}

# hex of the 17 marker bytes of snapshot FILE, as the json format writes bin data
marker_hex() {
	printf 'mf-parallel-%s-\xa5\x5a\x00' "$1" | od -An -tx1 -v | tr -d ' \n'
}

# One line per record: "target PATH" or "mem ADDR DATA", in stream order.
summarise() {
	jq -r 'if .type == "target" then "target \(.connector_args.path)"
	       elif .type == "mem" then "mem \(.addr) \(.data)"
	       else "\(.type)" end'
}

@test "parallel -k: each file's stream starts with its target record, then its bytes" {
	run -0 --separate-stderr parallel -k mf-read -c {} --phys -f json 0x2000 17 ::: "$PD"/{a,b,c}.raw "$PD/d.lime"
	run -0 summarise <<<"$output"
	expected=
	for n in a b c; do
		expected+="target $PD/$n.raw"$'\n'"mem 0x2000 $(marker_hex $n)"$'\n'
	done
	expected+="target $PD/d.lime"$'\n'"mem 0x2000 $(marker_hex d)"
	assert_output "$expected"
}

@test "without -k, in any order, every record stays with its target" {
	run -0 --separate-stderr parallel -j4 mf-read -c {} --phys -f json 0x2000 17 ::: "$PD"/{a,b,c}.raw "$PD/d.lime"
	run -0 summarise <<<"$output"
	assert_equal "${#lines[@]}" 8
	local i file n
	for ((i = 0; i < 8; i += 2)); do
		[[ ${lines[i]} == "target $PD/"* ]]
		file=${lines[i]#target }
		n=${file##*/}
		n=${n%%.*}
		assert_equal "${lines[i + 1]}" "mem 0x2000 $(marker_hex "$n")"
	done
	# every file exactly once
	run -0 bash -c "printf '%s\n' \"\$@\" | grep '^target' | sort" _ "${lines[@]}"
	assert_output "target $PD/a.raw
target $PD/b.raw
target $PD/c.raw
target $PD/d.lime"
}

@test "a damaged snapshot fails its own job only, and says which file" {
	# a LiME header whose range ends before it starts (deterministic: no random bytes)
	head -c 100 /dev/zero >broken.lime
	printf 'EMiL\x01\x00\x00\x00\x00\x30\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00' |
		dd of=broken.lime conv=notrunc status=none
	run -1 --separate-stderr parallel -k --joblog "$BATS_TEST_TMPDIR/jobs" mf-read -c {} --phys -f json 0x2000 17 ::: "$PD"/{a.raw,broken.lime,c.raw}
	run -0 summarise <<<"$output"
	assert_output "target $PD/a.raw
mem 0x2000 $(marker_hex a)
target $PD/c.raw
mem 0x2000 $(marker_hex c)"
	# parallel's exit status counts the failed jobs; the job log names the one
	run -0 awk -F'\t' 'NR > 1 && $7 != 0 { print $7, $9 }' "$BATS_TEST_TMPDIR/jobs"
	assert_output --regexp '^1 mf-read -c .*/broken\.lime '
}

@test "parallel -k mf-scan: each file's hits follow its own target record" {
	run -0 --separate-stderr parallel -k mf-scan -c {} --phys -s mf-parallel- --context 17 -f json ::: "$PD"/{a.raw,d.lime,c.raw}
	run -0 jq -r 'if .type == "target" then "target \(.connector_args.path)"
	              elif .type == "hit" then "hit \(.addr) \(.data)" else .type end' <<<"$output"
	assert_output "target $PD/a.raw
hit 0x2000 $(marker_hex a)
target $PD/d.lime
hit 0x2000 $(marker_hex d)
target $PD/c.raw
hit 0x2000 $(marker_hex c)"
}
