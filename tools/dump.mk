# mf-dump: snapshots of physical memory (raw, LiME, ELF, kdump) and process cores
bin_PROGRAMS += tools/mf-dump
tools_mf_dump_SOURCES = tools/mf-dump.c tools/dump.h tools/dump-fmt.c tools/dump-proc.c
tools_mf_dump_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS) -pthread
tools_mf_dump_LDADD = tools/libmftool.la $(tool_ldadd) $(ZLIB_LIBS) -lpthread
dist_man1_MANS += man/mf-dump.1

TESTS += tests/mf-dump.bats tests/dump-guest.bats
EXTRA_DIST += tests/mf-dump.bats tests/dump-guest.bats

# mf-dump -F kdump of a guest-sized ELF next to makedumpfile, and sequential reads next to cat
BENCH_TARGETS += bench-dump
dist_noinst_SCRIPTS += bench/bench-dump.sh
bench-dump: all
	PATH='$(abs_top_builddir)/tools:'"$$PATH" \
	MF_PLUGIN_PATH='$(abs_top_builddir)/connectors/.libs:$(abs_top_builddir)/os/.libs' \
	MF_TOP_SRCDIR='$(abs_top_srcdir)' MF_TOP_BUILDDIR='$(abs_top_builddir)' \
	$(SHELL) $(top_srcdir)/bench/bench-dump.sh
.PHONY: bench-dump
