# tests: see Makefile.am
include tests/guest/guest.mk

# bats suites of the tools
TESTS += tests/mf-attach.bats tests/mf-ps.bats tests/mf-modules.bats tests/mf-read.bats tests/docs.bats
EXTRA_DIST += tests/mf-attach.bats tests/mf-ps.bats tests/mf-modules.bats tests/mf-read.bats tests/docs.bats

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
