# benchmarks: fragments add programs to EXTRA_PROGRAMS and run targets to BENCH_TARGETS

# sequential reads through the raw and elf connectors next to cat
EXTRA_PROGRAMS += bench/bench-fileread
bench_bench_fileread_SOURCES = bench/bench-fileread.c
bench_bench_fileread_LDADD = $(LIBS)
BENCH_TARGETS += bench-fileread-run
bench-fileread-run: bench/bench-fileread$(EXEEXT) all
	MF_TOP_BUILDDIR='$(abs_top_builddir)' ./bench/bench-fileread$(EXEEXT)
.PHONY: bench-fileread-run

# mf-ps next to ps -e
BENCH_TARGETS += bench-ps
dist_noinst_SCRIPTS += bench/bench-ps.sh
bench-ps: all
	PATH='$(abs_top_builddir)/tools:'"$$PATH" \
	MF_PLUGIN_PATH='$(abs_top_builddir)/connectors/.libs:$(abs_top_builddir)/os/.libs' \
	$(SHELL) $(top_srcdir)/bench/bench-ps.sh
.PHONY: bench-ps
