# tests/win: Windows test programs, built with mingw-w64 and run under Wine by
# tests/wine.bats (peinfo.exe prints its PEB, modules, command line and GetProcAddress
# results: the oracle for the native layer's Wine support, built for x64 and, as
# peinfo32.exe, for x86 and 32-bit Wine; GNU ld writes its PDB and the CodeView record
# that names it).  mdself.exe writes a minidump of itself with dbghelp's
# MiniDumpWriteDump and prints what a reader must find in it (tests/minidump.bats).
EXTRA_DIST += tests/win/peinfo.c tests/win/mdself.c tests/win/modlist.h
if HAVE_MINGW64
check_DATA += tests/win/peinfo.exe tests/win/mdself.exe
endif
# (peinfo32.exe: the same program for x86, run by 32-bit Wine, wine32:i386)
if HAVE_MINGW32
check_DATA += tests/win/peinfo32.exe
endif
tests/win/peinfo.exe tests/win/peinfo32.exe: tests/win/peinfo.c tests/win/modlist.h
	@$(MKDIR_P) tests/win
	$(AM_V_CC)case $@ in *32.exe) cc='$(MINGW32_CC)' ;; *) cc='$(MINGW64_CC)' ;; esac; \
	$$cc -O1 -Wall -Wextra -o $@ $(top_srcdir)/tests/win/peinfo.c -lpsapi -Wl,--pdb=$(@:.exe=.pdb)
CLEANFILES += tests/win/peinfo.exe tests/win/peinfo.pdb tests/win/peinfo32.exe tests/win/peinfo32.pdb
tests/win/mdself.exe: tests/win/mdself.c tests/win/modlist.h
	@$(MKDIR_P) tests/win
	$(AM_V_CC)$(MINGW64_CC) -O1 -Wall -Wextra -o $@ $(top_srcdir)/tests/win/mdself.c -lpsapi -ldbghelp \
		-Wl,--pdb=tests/win/mdself.pdb
CLEANFILES += tests/win/mdself.exe tests/win/mdself.pdb

# what pluginlib/pe.c reads of a PE file (mapped as a loader maps it), for the oracles
check_PROGRAMS += tests/pe-dump
tests_pe_dump_SOURCES = tests/pe-dump.c
tests_pe_dump_LDADD = $(pluginlib)

TESTS += tests/wine.bats tests/minidump.bats
EXTRA_DIST += tests/wine.bats tests/wine_helper.bash tests/minidump.bats tests/minidump-variants.py
