# benchmarks: fragments add programs to EXTRA_PROGRAMS and run targets to BENCH_TARGETS

# mf-ps next to procps's ps -e
BENCH_TARGETS += bench-ps
dist_noinst_SCRIPTS += bench/bench-ps.sh
bench-ps: all
	PATH='$(abs_top_builddir)/tools:'"$$PATH" \
	MF_PLUGIN_PATH='$(abs_top_builddir)/connectors/.libs:$(abs_top_builddir)/os/.libs' \
	$(SHELL) $(top_srcdir)/bench/bench-ps.sh
.PHONY: bench-ps
