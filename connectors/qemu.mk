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

# bench: `make bench` boots a guest (tests/guest) and runs bench-qemu against it
EXTRA_PROGRAMS += bench/bench-qemu
BENCH_TARGETS += bench-qemu-run
bench_bench_qemu_SOURCES = bench/bench-qemu.c tests/unit/plugin-harness.h
bench_bench_qemu_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
bench_bench_qemu_LDADD = $(tool_ldadd)
bench-qemu-run: bench/bench-qemu$(EXEEXT) connectors/mf-connector-qemu.la tests/guest/gpa-read$(EXEEXT)
	MF_TOP_SRCDIR='$(abs_top_srcdir)' MF_TOP_BUILDDIR='$(abs_top_builddir)' bash -c '\
		. "$$MF_TOP_SRCDIR/tests/guest/guest.bash"; guest_require || exit 0; \
		trap "guest_stop_all; rm -rf \"\$$GUEST__ROOT\"" EXIT; guest_start --mem 1G || exit 1; \
		./bench/bench-qemu$(EXEEXT) "qemu:pid=$$GUEST_QEMU_PID"'
.PHONY: bench-qemu-run
