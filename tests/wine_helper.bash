# Helpers for tests/wine.bats: Windows test programs (tests/win/) under Wine, 64-bit.
# Each .bats file gets its own WINEPREFIX (created on first use: 6-20 s) in
# BATS_FILE_TMPDIR; wine_stop_all ends everything of it with `wineserver -k`.

PEINFO=$MF_TOP_BUILDDIR/tests/win/peinfo.exe

# setup_file: the prefix, created once, headless (no DISPLAY), Wine quiet.
wine_prefix() {
	require_cmd wine wineserver
	[[ -r $PEINFO ]] || fail "tests/win/peinfo.exe not built (needs x86_64-w64-mingw32-gcc: scripts/install-deps)"
	export WINEPREFIX=$BATS_FILE_TMPDIR/wineprefix WINEDEBUG=-all
	unset DISPLAY WAYLAND_DISPLAY
	if [[ ! -d $WINEPREFIX ]]; then
		timeout 180 wine wineboot -i >"$BATS_FILE_TMPDIR/wineboot.log" 2>&1 ||
			fail "cannot create the Wine prefix: $(tail -n 3 "$BATS_FILE_TMPDIR/wineboot.log")"
	fi
}

# wine_start EXE ARGS...: run it in the background, wait for its "ready" line; its output
# (CR removed) in $wine_out, its Linux pid in $wine_pid.
wine_start() {
	local raw=$BATS_FILE_TMPDIR/wine.raw i
	wine_out=$BATS_FILE_TMPDIR/wine.out
	wine "$@" >"$raw" 2>"$BATS_FILE_TMPDIR/wine.err" 3>&- &
	for ((i = 0; i < 300; i++)); do
		grep -q '^ready' "$raw" 2>/dev/null && break
		sleep 0.1
	done
	tr -d '\r' <"$raw" >"$wine_out"
	grep -q '^ready$' "$wine_out" || fail "$1 did not start under Wine: $(tail -n 5 "$BATS_FILE_TMPDIR/wine.err")"
	wine_pid=$(awk '$1 == "pid" { print $2 }' "$wine_out")
	[[ -d /proc/$wine_pid ]] || fail "$1 printed pid '$wine_pid', which is no process"
}

# teardown_file: every process of the prefix, the wineserver among them.
wine_stop_all() {
	[[ -n ${WINEPREFIX-} ]] && wineserver -k 2>/dev/null || true
}

# "0x..." lower-case, no leading zeros, from what %p printed (0000000170029A50).
wine_hex() {
	printf '0x%x\n' "0x$1"
}

# The exports of a PE file as the oracles read them, sorted: "NAME 0xRVA" (llvm-readobj-14
# --coff-exports), "NAME fwd TARGET" for forwarders (x86_64-w64-mingw32-objdump -p).
pe_oracle_exports() {
	local dll=$1 fwd=$BATS_TEST_TMPDIR/fwd.$$
	x86_64-w64-mingw32-objdump -p "$dll" |
		sed -n 's/^.*+base\[ *\([0-9]*\)\] [0-9a-f]* Forwarder RVA -- \(.*\)$/\1 \2/p' >"$fwd"
	llvm-readobj-14 --coff-exports "$dll" |
		awk -v F="$fwd" 'BEGIN { while ((getline l < F) > 0) { split(l, a, " "); fw[a[1]] = a[2] } }
			/Ordinal:/ { o = $2 } /Name:/ { n = $2 } /RVA:/ { if (n != "") print n, (o in fw ? "fwd " fw[o] : tolower($2)); n = "" }' |
		sort
}

# Its imports, sorted: "DLL NAME HINT" (objdump -p's import tables).
pe_oracle_imports() {
	x86_64-w64-mingw32-objdump -p "$1" |
		awk '/DLL Name:/ { dll = $3; next } /^\tvma:/ { next } dll != "" && NF == 0 { dll = ""; next }
			dll != "" && NF >= 3 && $1 ~ /^[0-9a-f]+$/ { print dll, $3, $2 }' | sort
}

# The CodeView record of a PE file as llvm-readobj-14 reads it: "PDB ID AGE", ID as symbol
# servers name it (the GUID's Data1..3 byte-swapped, the rest as stored, then the age in
# hex); fails when the file has none.
pe_oracle_pdb() {
	local dd guid age name
	dd=$(llvm-readobj-14 --coff-debug-directory "$1")
	guid=$(sed -n 's/.*PDBGUID: (\(.*\))/\1/p' <<<"$dd" | tr -d ' ')
	age=$(awk '/PDBAge:/ { print $2 }' <<<"$dd")
	name=$(sed -n 's/.*PDBFileName: //p' <<<"$dd")
	[[ ${#guid} -eq 32 && -n $age && -n $name ]] || return 1
	echo "$name ${guid:6:2}${guid:4:2}${guid:2:2}${guid:0:2}${guid:10:2}${guid:8:2}${guid:14:2}${guid:12:2}${guid:16:16}$(printf '%X' "$age") $age"
}

# mf-syms records (JSON lines on stdin) of the module mapped at BASE as pe_oracle_exports
# prints the file's exports, sorted: "NAME 0xRVA", or "NAME fwd TARGET" for forwarders.
mf_exports_rel() {
	local base=$1 n a f
	jq -r 'select(.type == "symbol") | if .kind == "forwarder" then "\(.name) fwd \(.forward)" else "\(.name) \(.addr)" end' |
		while read -r n a f; do
			if [[ $a == fwd ]]; then echo "$n fwd $f"; else printf '%s 0x%x\n' "$n" $((a - base)); fi
		done | sort
}
