# connectors: each a loadable module mf-connector-NAME.so in $(connectordir)
# raw, lime/avml, elf, kcore: here; kdump, Windows crash dumps, VMware: connectors/dumps.mk
connector_LTLIBRARIES += connectors/mf-connector-raw.la connectors/mf-connector-lime.la \
	connectors/mf-connector-elf.la connectors/mf-connector-kcore.la

connectors_mf_connector_raw_la_SOURCES = connectors/raw.c connectors/fileio.h connectors/segmap.h
connectors_mf_connector_raw_la_LDFLAGS = $(plugin_ldflags)

connectors_mf_connector_lime_la_SOURCES = connectors/lime.c connectors/fileio.h connectors/segmap.h
connectors_mf_connector_lime_la_CFLAGS = $(AM_CFLAGS) $(SNAPPY_CFLAGS)
connectors_mf_connector_lime_la_LIBADD = $(SNAPPY_LIBS)
connectors_mf_connector_lime_la_LDFLAGS = $(plugin_ldflags)

connectors_mf_connector_elf_la_SOURCES = connectors/elf.c connectors/elfcore.h \
	connectors/fileio.h connectors/segmap.h
connectors_mf_connector_elf_la_LDFLAGS = $(plugin_ldflags)

connectors_mf_connector_kcore_la_SOURCES = connectors/kcore.c connectors/elfcore.h \
	connectors/fileio.h connectors/segmap.h
connectors_mf_connector_kcore_la_LDFLAGS = $(plugin_ldflags)

# unit tests of these connectors (they dlopen the built plugins)
conn_tests = tests/unit/test-conn-raw tests/unit/test-conn-lime tests/unit/test-conn-elf
check_PROGRAMS += $(conn_tests)
TESTS += $(conn_tests)
tests_unit_test_conn_raw_SOURCES = tests/unit/test-conn-raw.c tests/unit/conn-test.h
tests_unit_test_conn_raw_LDADD = $(tool_ldadd)
tests_unit_test_conn_lime_SOURCES = tests/unit/test-conn-lime.c tests/unit/conn-test.h
tests_unit_test_conn_lime_CFLAGS = $(AM_CFLAGS) $(SNAPPY_CFLAGS)
tests_unit_test_conn_lime_LDADD = $(tool_ldadd) $(SNAPPY_LIBS)
tests_unit_test_conn_elf_SOURCES = tests/unit/test-conn-elf.c tests/unit/conn-test.h
tests_unit_test_conn_elf_LDADD = $(tool_ldadd)

EXTRA_DIST += tests/fuzz/fuzz-lime.c tests/fuzz/fuzz-elf.c tests/fuzz/fuzz-host.h \
	tests/fuzz/seeds/lime/two-ranges.lime tests/fuzz/seeds/lime/small.avml tests/fuzz/seeds/elf/qemu.core \
	tests/fixtures/conn/README.md tests/fixtures/conn/cut-header.lime \
	tests/fixtures/conn/end-before-start.lime tests/fixtures/conn/phoff-past-eof.core

include connectors/dumps.mk
include connectors/qemu.mk
