# qemu connector: live guest physical memory of a running QEMU process
connector_LTLIBRARIES += connectors/mf-connector-qemu.la
connectors_mf_connector_qemu_la_SOURCES = connectors/qemu.c connectors/qemu.h
connectors_mf_connector_qemu_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
connectors_mf_connector_qemu_la_LIBADD = $(JANSSON_LIBS)
connectors_mf_connector_qemu_la_LDFLAGS = $(plugin_ldflags)

# parser tests (qemu.c compiled in); the same program drives tests/conn-qemu.bats
check_PROGRAMS += tests/unit/test-conn-qemu
TESTS += tests/unit/test-conn-qemu tests/conn-qemu.bats
tests_unit_test_conn_qemu_SOURCES = tests/unit/test-conn-qemu.c connectors/qemu.c connectors/qemu.h \
	tests/unit/tap.h
tests_unit_test_conn_qemu_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_conn_qemu_LDADD = $(tool_ldadd) $(JANSSON_LIBS)
EXTRA_DIST += tests/conn-qemu.bats
