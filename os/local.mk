# native os layer: this machine's processes over /proc
os_LTLIBRARIES += os/mf-os-native.la
os_mf_os_native_la_SOURCES = os/native.c
os_mf_os_native_la_LDFLAGS = $(plugin_ldflags)

check_PROGRAMS += tests/unit/test-native
TESTS += tests/unit/test-native
tests_unit_test_native_SOURCES = tests/unit/test-native.c tests/unit/tap.h tests/unit/plugin-harness.h
tests_unit_test_native_LDADD = $(tool_ldadd)

# bench: `make bench` builds and runs bench-procread
EXTRA_PROGRAMS += bench/bench-procread
BENCH_TARGETS += bench-procread-run
bench_bench_procread_SOURCES = bench/bench-procread.c tests/unit/plugin-harness.h
bench_bench_procread_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
bench_bench_procread_LDADD = $(tool_ldadd)
bench-procread-run: bench/bench-procread$(EXEEXT) os/mf-os-native.la
	MF_TOP_BUILDDIR='$(abs_top_builddir)' ./bench/bench-procread$(EXEEXT)
.PHONY: bench-procread-run
