# Helpers for tests/wine.bats: Windows test programs (tests/win/) under Wine, 64-bit and
# 32-bit (peinfo32.exe, when wine32 and i686-w64-mingw32-gcc are installed).
# Each .bats file gets its own WINEPREFIX (created on first use: 6-20 s) in
# BATS_FILE_TMPDIR; wine_stop_all ends everything of it with `wineserver -k`.

PEINFO=$MF_TOP_BUILDDIR/tests/win/peinfo.exe
PEINFO32=$MF_TOP_BUILDDIR/tests/win/peinfo32.exe
# Debian's wine32:i386 installs the 32-bit loader here
WINE32_LOADER=/usr/lib/wine/wine

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

# Why 32-bit Windows programs cannot be run here, or nothing when they can.
wine32_missing() {
	if [[ ! -x $WINE32_LOADER ]]; then
		echo "wine32 is not installed ($WINE32_LOADER: apt-get install wine32:i386)"
	elif [[ ! -r $PEINFO32 ]]; then
		echo "tests/win/peinfo32.exe not built (needs i686-w64-mingw32-gcc: apt-get install gcc-mingw-w64-i686)"
	fi
}

# wine_start EXE ARGS...: run it in the background, wait for its "ready" line; its output
# (CR removed) in $wine_out, its Linux pid in $wine_pid (files named after EXE).
wine_start() {
	local tag i
	tag=$BATS_FILE_TMPDIR/$(basename "$1" .exe)
	local raw=$tag.raw
	wine_out=$tag.out
	wine "$@" >"$raw" 2>"$tag.err" 3>&- &
	for ((i = 0; i < 300; i++)); do
		grep -q '^ready' "$raw" 2>/dev/null && break
		sleep 0.1
	done
	tr -d '\r' <"$raw" >"$wine_out"
	grep -q '^ready$' "$wine_out" || fail "$1 did not start under Wine: $(tail -n 5 "$tag.err")"
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
# --coff-exports), "NAME fwd TARGET" for forwarders (x86_64-w64-mingw32-objdump -p); an
# export by ordinal only is named "#ORDINAL" (32-bit kernel32 has 120).
pe_oracle_exports() {
	local dll=$1 fwd=$BATS_TEST_TMPDIR/fwd.$$
	x86_64-w64-mingw32-objdump -p "$dll" |
		sed -n 's/^.*+base\[ *\([0-9]*\)\] [0-9a-f]* Forwarder RVA -- \(.*\)$/\1 \2/p' >"$fwd"
	llvm-readobj-14 --coff-exports "$dll" |
		awk -v F="$fwd" 'BEGIN { while ((getline l < F) > 0) { split(l, a, " "); fw[a[1]] = a[2] } }
			/Ordinal:/ { o = $2 } /Name:/ { n = NF >= 2 ? $2 : "#" o } /RVA:/ { if (n != "") print n, (o in fw ? "fwd " fw[o] : tolower($2)); n = "" }' |
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
