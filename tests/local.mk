# tests: see Makefile.am
include tests/guest/guest.mk

# libmf unit tests
check_PROGRAMS += tests/unit/test-args
tests_unit_test_args_LDADD = $(tool_ldadd)
TESTS += tests/unit/test-args
EXTRA_DIST += tests/unit/tap.h tests/unit/plugin-harness.h tests/test_helper.bash

# a test-only connector (tests/unit/.libs/mf-connector-pattern.so) and the target tests
check_LTLIBRARIES += tests/unit/mf-connector-pattern.la
tests_unit_mf_connector_pattern_la_SOURCES = tests/unit/pattern-connector.c
tests_unit_mf_connector_pattern_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -rpath $(abs_builddir)/tests/unit \
	-export-symbols-regex '^(mf_connector_entry|pattern_calls|pattern_entries)$$'
check_PROGRAMS += tests/unit/test-target
tests_unit_test_target_LDADD = $(tool_ldadd) $(LIBS)
TESTS += tests/unit/test-target

# short fuzz runs of every parser
TESTS += tests/fuzz.bats
EXTRA_DIST += tests/fuzz.bats tests/fuzz/run

# bats suites of the tools
TESTS += tests/mf-attach.bats tests/mf-ps.bats tests/mf-modules.bats tests/mf-read.bats tests/docs.bats
EXTRA_DIST += tests/mf-attach.bats tests/mf-ps.bats tests/mf-modules.bats tests/mf-read.bats tests/docs.bats \
	tests/tools_helper.bash

# a process with known memory contents, for the mf-read/mf-modules tests (not sanitized:
# it is the target, not the code under test)
check_PROGRAMS += tests/mf-memtarget
tests_mf_memtarget_SOURCES = tests/mf-memtarget.c
tests_mf_memtarget_CFLAGS = $(WARN_CFLAGS)
tests_mf_memtarget_LDFLAGS =

# a connector built for a newer plugin ABI: the loader must refuse it
check_LTLIBRARIES += tests/plugins/mf-connector-badabi.la
tests_plugins_mf_connector_badabi_la_SOURCES = tests/plugins/badabi.c
tests_plugins_mf_connector_badabi_la_LDFLAGS = $(plugin_ldflags) -rpath $(abs_builddir)/tests/plugins
include tests/pkg.mk
