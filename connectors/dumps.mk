# kdump, Windows crash dump and VMware connectors
connector_LTLIBRARIES += connectors/mf-connector-kdump.la connectors/mf-connector-crashdump.la \
	connectors/mf-connector-vmware.la

connectors_mf_connector_kdump_la_SOURCES = connectors/kdump.c connectors/fileio.h connectors/dumps-util.h
connectors_mf_connector_kdump_la_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS) $(LZO_CFLAGS) $(SNAPPY_CFLAGS) $(ZSTD_CFLAGS)
connectors_mf_connector_kdump_la_LIBADD = $(ZLIB_LIBS) $(LZO_LIBS) $(SNAPPY_LIBS) $(ZSTD_LIBS)
connectors_mf_connector_kdump_la_LDFLAGS = $(plugin_ldflags)

connectors_mf_connector_crashdump_la_SOURCES = connectors/crashdump.c connectors/fileio.h connectors/dumps-util.h
connectors_mf_connector_crashdump_la_LDFLAGS = $(plugin_ldflags)

connectors_mf_connector_vmware_la_SOURCES = connectors/vmware.c connectors/fileio.h connectors/dumps-util.h
connectors_mf_connector_vmware_la_LDFLAGS = $(plugin_ldflags)

# unit tests: build dumps in the test, load the plugin with tests/unit/plugin-harness.h
dumps_test_ldadd = $(tool_ldadd) $(LIBS)
dumps_test_ldflags =
check_PROGRAMS += tests/unit/test-conn-kdump tests/unit/test-conn-crashdump tests/unit/test-conn-vmware
TESTS += tests/unit/test-conn-kdump tests/unit/test-conn-crashdump tests/unit/test-conn-vmware
tests_unit_test_conn_kdump_SOURCES = tests/unit/test-conn-kdump.c tests/unit/conn-test-util.h
tests_unit_test_conn_kdump_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS) $(LZO_CFLAGS) $(SNAPPY_CFLAGS) $(ZSTD_CFLAGS)
tests_unit_test_conn_kdump_LDFLAGS = $(AM_LDFLAGS) $(dumps_test_ldflags)
tests_unit_test_conn_kdump_LDADD = $(dumps_test_ldadd) $(ZLIB_LIBS) $(LZO_LIBS) $(SNAPPY_LIBS) $(ZSTD_LIBS)
tests_unit_test_conn_crashdump_SOURCES = tests/unit/test-conn-crashdump.c tests/unit/conn-test-util.h
tests_unit_test_conn_crashdump_LDFLAGS = $(AM_LDFLAGS) $(dumps_test_ldflags)
tests_unit_test_conn_crashdump_LDADD = $(dumps_test_ldadd)
tests_unit_test_conn_vmware_SOURCES = tests/unit/test-conn-vmware.c tests/unit/conn-test-util.h
tests_unit_test_conn_vmware_LDFLAGS = $(AM_LDFLAGS) $(dumps_test_ldflags)
tests_unit_test_conn_vmware_LDADD = $(dumps_test_ldadd)
EXTRA_DIST += tests/fuzz/fuzz-kdump.c tests/fuzz/fuzz-crashdump.c tests/fuzz/fuzz-vmware.c tests/fuzz/fuzz-file-connector.h \
	tests/fuzz/seeds/crashdump/kernel8.dmp

# benchmarks: sequential physical read (raw and ELF, 2 GiB) next to cat
BENCH_TARGETS += bench-physread-run
dist_noinst_SCRIPTS += bench/bench-physread.sh
bench-physread-run: all
	PATH='$(abs_top_builddir)/tools:'"$$PATH" \
	MF_PLUGIN_PATH='$(abs_top_builddir)/connectors/.libs:$(abs_top_builddir)/os/.libs' \
	bash $(top_srcdir)/bench/bench-physread.sh
.PHONY: bench-physread-run

# benchmark: kdump-zlib read throughput next to zlib uncompress of the same pages
EXTRA_PROGRAMS += bench/bench-kdump
bench_bench_kdump_SOURCES = bench/bench-kdump.c
bench_bench_kdump_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
bench_bench_kdump_LDADD = $(ZLIB_LIBS)
BENCH_TARGETS += bench-kdump-run
dist_noinst_SCRIPTS += bench/bench-kdump.sh
bench-kdump-run: bench/bench-kdump$(EXEEXT) all
	PATH='$(abs_top_builddir)/tools:'"$$PATH" \
	MF_PLUGIN_PATH='$(abs_top_builddir)/connectors/.libs:$(abs_top_builddir)/os/.libs' \
	bash $(top_srcdir)/bench/bench-kdump.sh ./bench/bench-kdump$(EXEEXT)
.PHONY: bench-kdump-run
