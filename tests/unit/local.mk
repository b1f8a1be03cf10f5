# C unit tests (TAP): libmf, the record stream, the translator, each connector and os layer.
# Connector tests dlopen the built plugins through tests/unit/plugin-harness.c.
EXTRA_DIST += tests/unit/tap.h

# libmf
check_PROGRAMS += tests/unit/test-args tests/unit/test-target tests/unit/test-stream
TESTS += tests/unit/test-args tests/unit/test-target tests/unit/test-stream
tests_unit_test_args_LDADD = $(tool_ldadd)
tests_unit_test_target_LDADD = $(tool_ldadd) $(LIBS)
tests_unit_test_stream_SOURCES = tests/unit/test-stream.c tests/unit/tap.h
tests_unit_test_stream_LDADD = $(tool_ldadd)
# typed values
check_PROGRAMS += tests/unit/test-symfile
TESTS += tests/unit/test-symfile
tests_unit_test_symfile_SOURCES = tests/unit/test-symfile.c tests/unit/tap.h
tests_unit_test_symfile_LDADD = $(tool_ldadd)
check_PROGRAMS += tests/unit/test-value
TESTS += tests/unit/test-value
tests_unit_test_value_SOURCES = tests/unit/test-value.c tests/unit/tap.h
tests_unit_test_value_LDADD = $(tool_ldadd)
# address spaces over the pattern connector
check_PROGRAMS += tests/unit/test-aspace
TESTS += tests/unit/test-aspace
tests_unit_test_aspace_SOURCES = tests/unit/test-aspace.c tests/unit/tap.h
tests_unit_test_aspace_LDADD = $(tool_ldadd) $(LIBS)

# one target used from several threads at once (over the pattern connector)
check_PROGRAMS += tests/unit/test-target-threads
TESTS += tests/unit/test-target-threads
tests_unit_test_target_threads_SOURCES = tests/unit/test-target-threads.c tests/unit/tap.h
tests_unit_test_target_threads_CFLAGS = $(AM_CFLAGS) -pthread
tests_unit_test_target_threads_LDADD = $(tool_ldadd) $(LIBS) -lpthread

# the plugin loader's ABI checks and conversions on descriptors built in the test
check_PROGRAMS += tests/unit/test-plugin-abi
TESTS += tests/unit/test-plugin-abi
tests_unit_test_plugin_abi_SOURCES = tests/unit/test-plugin-abi.c tests/unit/tap.h \
	libcommon/libmf/plugin-abi.c libcommon/libmf/plugin.c
tests_unit_test_plugin_abi_LDADD = $(tool_ldadd) $(LIBS)

# libmf's os operations (symbols, threads, registers) through the symos test os layer
# (tests/plugins) and native
check_PROGRAMS += tests/unit/test-osops
TESTS += tests/unit/test-osops
tests_unit_test_osops_SOURCES = tests/unit/test-osops.c tests/unit/tap.h
tests_unit_test_osops_LDADD = $(tool_ldadd)

# a test-only connector (tests/unit/.libs/mf-connector-pattern.so) for the target tests
check_LTLIBRARIES += tests/unit/mf-connector-pattern.la
tests_unit_mf_connector_pattern_la_SOURCES = tests/unit/pattern-connector.c
tests_unit_mf_connector_pattern_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -rpath $(abs_builddir)/tests/unit \
	-export-symbols-regex '^(mf_connector_entry|pattern_calls|pattern_entries)$$'

# a test-only os layer (tests/unit/.libs/mf-os-pagemap.so): the page map os layers get
check_LTLIBRARIES += tests/unit/mf-os-pagemap.la
tests_unit_mf_os_pagemap_la_SOURCES = tests/unit/pagemap-os.c
tests_unit_mf_os_pagemap_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -rpath $(abs_builddir)/tests/unit \
	-export-symbols-regex '^mf_os_entry$$'

# the translator: the tests compile it in (it depends on nothing else in libmf)
check_PROGRAMS += tests/unit/test-vat tests/unit/test-vat-arch
TESTS += tests/unit/test-vat tests/unit/test-vat-arch
tests_unit_test_vat_SOURCES = tests/unit/test-vat.c tests/unit/vat-mem.h tests/unit/tap.h $(vat_sources)
tests_unit_test_vat_arch_SOURCES = tests/unit/test-vat-arch.c tests/unit/vat-mem.h tests/unit/tap.h $(vat_sources)

# file connectors
conn_tests = tests/unit/test-conn-raw tests/unit/test-conn-lime tests/unit/test-conn-elf
check_PROGRAMS += $(conn_tests)
TESTS += $(conn_tests)
tests_unit_test_conn_raw_SOURCES = tests/unit/test-conn-raw.c tests/unit/conn-test.h tests/unit/plugin-harness.c tests/unit/plugin-harness.h
tests_unit_test_conn_raw_LDADD = $(tool_ldadd) $(pluginlib)
tests_unit_test_conn_lime_SOURCES = tests/unit/test-conn-lime.c tests/unit/conn-test.h tests/unit/plugin-harness.c tests/unit/plugin-harness.h
tests_unit_test_conn_lime_CFLAGS = $(AM_CFLAGS) $(SNAPPY_CFLAGS)
tests_unit_test_conn_lime_LDADD = $(tool_ldadd) $(pluginlib) $(SNAPPY_LIBS)
tests_unit_test_conn_elf_SOURCES = tests/unit/test-conn-elf.c tests/unit/conn-test.h tests/unit/plugin-harness.c tests/unit/plugin-harness.h
tests_unit_test_conn_elf_LDADD = $(tool_ldadd) $(pluginlib)

# dump connectors: the tests build dumps themselves
check_PROGRAMS += tests/unit/test-conn-kdump tests/unit/test-conn-crashdump tests/unit/test-conn-vmware
TESTS += tests/unit/test-conn-kdump tests/unit/test-conn-crashdump tests/unit/test-conn-vmware
tests_unit_test_conn_kdump_SOURCES = tests/unit/test-conn-kdump.c tests/unit/conn-test-util.h tests/unit/plugin-harness.c tests/unit/plugin-harness.h
tests_unit_test_conn_kdump_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS) $(LZO_CFLAGS) $(SNAPPY_CFLAGS) $(ZSTD_CFLAGS)
tests_unit_test_conn_kdump_LDADD = $(tool_ldadd) $(pluginlib) $(LIBS) $(ZLIB_LIBS) $(LZO_LIBS) $(SNAPPY_LIBS) $(ZSTD_LIBS)
tests_unit_test_conn_crashdump_SOURCES = tests/unit/test-conn-crashdump.c tests/unit/conn-test-util.h tests/unit/plugin-harness.c tests/unit/plugin-harness.h
tests_unit_test_conn_crashdump_LDADD = $(tool_ldadd) $(pluginlib) $(LIBS)
tests_unit_test_conn_vmware_SOURCES = tests/unit/test-conn-vmware.c tests/unit/conn-test-util.h tests/unit/plugin-harness.c tests/unit/plugin-harness.h
tests_unit_test_conn_vmware_LDADD = $(tool_ldadd) $(pluginlib) $(LIBS)

# qemu connector: its parsers (its sources compiled in); the same program drives tests/conn-qemu.bats
check_PROGRAMS += tests/unit/test-conn-qemu
TESTS += tests/unit/test-conn-qemu
tests_unit_test_conn_qemu_SOURCES = tests/unit/test-conn-qemu.c $(qemu_sources) tests/unit/tap.h
tests_unit_test_conn_qemu_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_conn_qemu_LDADD = $(tool_ldadd) $(pluginlib) $(JANSSON_LIBS)

# the process-memory engine (libcommon/pluginlib/procmem.c) against a child process
check_PROGRAMS += tests/unit/test-procmem
TESTS += tests/unit/test-procmem
tests_unit_test_procmem_SOURCES = tests/unit/test-procmem.c tests/unit/tap.h
tests_unit_test_procmem_LDADD = $(pluginlib)

# native os layer
check_PROGRAMS += tests/unit/test-native
TESTS += tests/unit/test-native
tests_unit_test_native_SOURCES = tests/unit/test-native.c tests/unit/tap.h tests/unit/plugin-harness.c tests/unit/plugin-harness.h
tests_unit_test_native_LDADD = $(tool_ldadd)
check_PROGRAMS += tests/unit/test-native-threads
TESTS += tests/unit/test-native-threads
tests_unit_test_native_threads_SOURCES = tests/unit/test-native-threads.c tests/unit/tap.h tests/unit/plugin-harness.c tests/unit/plugin-harness.h
tests_unit_test_native_threads_LDADD = $(tool_ldadd) $(LIBS)

# the scanners (libcommon/scan/): the matchers, the engine and the release of its views
check_PROGRAMS += tests/unit/test-scan-match tests/unit/test-scan-engine
TESTS += tests/unit/test-scan-match tests/unit/test-scan-engine
tests_unit_test_scan_match_SOURCES = tests/unit/test-scan-match.c tests/unit/tap.h
tests_unit_test_scan_match_LDADD = libcommon/scan/libmfscan.la $(tool_ldadd)
tests_unit_test_scan_engine_SOURCES = tests/unit/test-scan-engine.c tests/unit/tap.h
tests_unit_test_scan_engine_LDADD = libcommon/scan/libmfscan.la $(tool_ldadd)
check_PROGRAMS += tests/unit/test-scan-release
TESTS += tests/unit/test-scan-release
tests_unit_test_scan_release_SOURCES = tests/unit/test-scan-release.c tests/unit/tap.h
tests_unit_test_scan_release_LDADD = libcommon/scan/libmfscan.la $(tool_ldadd)

# pluginlib: one test per part
pluginlib_tests = tests/unit/test-pluginlib-bytes tests/unit/test-pluginlib-error tests/unit/test-pluginlib-fileio \
	tests/unit/test-pluginlib-rangemap tests/unit/test-pluginlib-bitmap tests/unit/test-pluginlib-vmcoreinfo
pluginlib_tests += tests/unit/test-pluginlib-pe tests/unit/test-pluginlib-seen
check_PROGRAMS += $(pluginlib_tests)
TESTS += $(pluginlib_tests)
pluginlib_test_cppflags = $(AM_CPPFLAGS) -DTEST_TOP_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_pluginlib_vmcoreinfo_SOURCES = tests/unit/test-pluginlib-vmcoreinfo.c tests/unit/tap.h tests/unit/plugin-harness.c tests/unit/plugin-harness.h
tests_unit_test_pluginlib_vmcoreinfo_CPPFLAGS = $(pluginlib_test_cppflags)
tests_unit_test_pluginlib_vmcoreinfo_LDADD = $(tool_ldadd) $(pluginlib)
tests_unit_test_pluginlib_seen_SOURCES = tests/unit/test-pluginlib-seen.c tests/unit/tap.h
tests_unit_test_pluginlib_seen_LDADD = $(pluginlib)
tests_unit_test_pluginlib_bytes_SOURCES = tests/unit/test-pluginlib-bytes.c tests/unit/tap.h
tests_unit_test_pluginlib_bytes_LDADD = $(pluginlib)
tests_unit_test_pluginlib_error_SOURCES = tests/unit/test-pluginlib-error.c tests/unit/tap.h
tests_unit_test_pluginlib_error_LDADD = $(tool_ldadd) $(pluginlib)
tests_unit_test_pluginlib_fileio_SOURCES = tests/unit/test-pluginlib-fileio.c tests/unit/tap.h
tests_unit_test_pluginlib_fileio_LDADD = $(pluginlib)
tests_unit_test_pluginlib_rangemap_SOURCES = tests/unit/test-pluginlib-rangemap.c tests/unit/tap.h
tests_unit_test_pluginlib_rangemap_LDADD = $(pluginlib)
tests_unit_test_pluginlib_bitmap_SOURCES = tests/unit/test-pluginlib-bitmap.c tests/unit/tap.h
tests_unit_test_pluginlib_bitmap_LDADD = $(pluginlib)
tests_unit_test_pluginlib_pe_SOURCES = tests/unit/test-pluginlib-pe.c tests/unit/tap.h
tests_unit_test_pluginlib_pe_LDADD = $(pluginlib)

# the MSF/PDB reader (pluginlib/msf.c, pdb*.c) on PDBs the test builds, and hostile ones
check_PROGRAMS += tests/unit/test-pdb
TESTS += tests/unit/test-pdb
tests_unit_test_pdb_SOURCES = tests/unit/test-pdb.c tests/unit/tap.h
tests_unit_test_pdb_LDADD = $(pluginlib)

# the snapshot writers (libcommon/snapshot/): read back through the file connectors
check_PROGRAMS += tests/unit/test-snapshot-writers tests/unit/test-snapshot-output
TESTS += tests/unit/test-snapshot-writers tests/unit/test-snapshot-output
tests_unit_test_snapshot_writers_SOURCES = tests/unit/test-snapshot-writers.c tests/unit/tap.h
tests_unit_test_snapshot_writers_LDADD = libcommon/snapshot/libmfsnapshot.la $(tool_ldadd)
tests_unit_test_snapshot_output_SOURCES = tests/unit/test-snapshot-output.c tests/unit/tap.h
tests_unit_test_snapshot_output_LDADD = libcommon/snapshot/libmfsnapshot.la $(tool_ldadd)

# the linux os layer's BTF reader and type API (os/linux/btf.c, offsets.c), with a fake
# kernel for lx_sym/lx_kread
check_PROGRAMS += tests/unit/test-linux-btf
TESTS += tests/unit/test-linux-btf
tests_unit_test_linux_btf_SOURCES = tests/unit/test-linux-btf.c tests/unit/tap.h \
	os/linux/btf.c os/linux/offsets.c os/linux/lxtypes.h os/linux/linux.h
tests_unit_test_linux_btf_CFLAGS = $(AM_CFLAGS) $(LIBBPF_CFLAGS)
tests_unit_test_linux_btf_LDADD = $(tool_ldadd) $(pluginlib) $(LIBBPF_LIBS)

# the tools' getopt_long with negative numbers as operands (compiled in: tools/ is no library
# of the tests)
check_PROGRAMS += tests/unit/test-tool-getopt
TESTS += tests/unit/test-tool-getopt
tests_unit_test_tool_getopt_SOURCES = tests/unit/test-tool-getopt.c tests/unit/tap.h \
	tools/tool-getopt.c tools/tool-getopt.h
tests_unit_test_tool_getopt_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools

# the progress line (compiled in): its text, threshold, and threads drawing on a pty
check_PROGRAMS += tests/unit/test-progress
TESTS += tests/unit/test-progress
tests_unit_test_progress_SOURCES = tests/unit/test-progress.c tests/unit/tap.h libcommon/libmf/progress.c
tests_unit_test_progress_CFLAGS = $(AM_CFLAGS) -pthread
tests_unit_test_progress_LDADD = $(tool_ldadd) $(LIBS) -lpthread
