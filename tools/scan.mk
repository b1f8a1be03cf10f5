# mf-scan: patterns, strings, typed values and rescans over physical, kernel and process memory
bin_PROGRAMS += tools/mf-scan
tools_mf_scan_SOURCES = tools/mf-scan.c tools/scan.h tools/scan-match.c
tools_mf_scan_CFLAGS = $(AM_CFLAGS) $(YARA_CFLAGS) -pthread
tools_mf_scan_LDADD = tools/libmftool.la $(tool_ldadd) $(YARA_LIBS) -lpthread -lm
dist_man1_MANS += man/mf-scan.1

TESTS += tests/mf-scan.bats
EXTRA_DIST += tests/mf-scan.bats

# scan GB/s next to cat, grep and yara (BENCH_SCAN_MB sets the file size, default 1024)
BENCH_TARGETS += bench-scan
dist_noinst_SCRIPTS += bench/bench-scan.sh
bench-scan: all
	PATH='$(abs_top_builddir)/tools:'"$$PATH" \
	MF_PLUGIN_PATH='$(abs_top_builddir)/connectors/.libs:$(abs_top_builddir)/os/.libs' \
	MF_TOP_SRCDIR='$(abs_top_srcdir)' MF_TOP_BUILDDIR='$(abs_top_builddir)' \
	$(SHELL) $(top_srcdir)/bench/bench-scan.sh
.PHONY: bench-scan
