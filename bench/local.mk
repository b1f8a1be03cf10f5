# benchmarks: fragments add programs to EXTRA_PROGRAMS and run targets to BENCH_TARGETS

# mf-ps next to procps's ps -e
BENCH_TARGETS += bench-ps
dist_noinst_SCRIPTS += bench/bench-ps.sh
# the real binaries, not libtool's wrapper scripts (a shell start per run would dominate)
bench-ps: all
	PATH='$(abs_top_builddir)/tools/.libs:$(abs_top_builddir)/tools:'"$$PATH" \
	LD_LIBRARY_PATH='$(abs_top_builddir)/libcommon/.libs'"$${LD_LIBRARY_PATH:+:$$LD_LIBRARY_PATH}" \
	MF_PLUGIN_PATH='$(abs_top_builddir)/connectors/.libs:$(abs_top_builddir)/os/.libs' \
	$(SHELL) $(top_srcdir)/bench/bench-ps.sh
.PHONY: bench-ps
