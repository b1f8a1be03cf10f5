# mf-scan: patterns, strings, typed values and rescans over physical, kernel and process memory
bin_PROGRAMS += tools/mf-scan
tools_mf_scan_SOURCES = tools/mf-scan.c tools/scan.h tools/scan-match.c
tools_mf_scan_CFLAGS = $(AM_CFLAGS) $(YARA_CFLAGS) -pthread
tools_mf_scan_LDADD = tools/libmftool.la $(tool_ldadd) $(YARA_LIBS) -lpthread -lm
dist_man1_MANS += man/mf-scan.1

TESTS += tests/mf-scan.bats
EXTRA_DIST += tests/mf-scan.bats
