# Fuzzing: one libFuzzer program per parser, each listed here with its sources.
#   make fuzz         build them with $(FUZZ_CC) (clang; configure checks that it can link
#                     a libFuzzer target, and make fuzz says why not when it cannot)
#   make fuzz-check   each target over its seeds (tests/fuzz/seeds/NAME), then FUZZ_RUNS
#                     inputs from -seed=FUZZ_SEED: the same inputs every time; prints the
#                     coverage (libFuzzer's cov/ft) per target; tests/fuzz.bats runs it
#   make fuzz-long    each target FUZZ_SECONDS, keeping what it finds in
#                     tests/fuzz/out/corpus-NAME of the build tree
# The programs compile their sources themselves (with clang's sanitizers, not the
# build's): nothing here links libmf.la or a plugin.
fuzz_names = stream vat lime elf kdump crashdump minidump vmware raw kcore qmp qemumaps args targetrec rescan pattern snapshot addr kallsyms elfdyn carve pe pdb lxwalk w32walk
fuzz_programs = tests/fuzz/fuzz-stream tests/fuzz/fuzz-vat tests/fuzz/fuzz-lime \
	tests/fuzz/fuzz-elf tests/fuzz/fuzz-kdump tests/fuzz/fuzz-crashdump tests/fuzz/fuzz-minidump tests/fuzz/fuzz-vmware \
	tests/fuzz/fuzz-raw tests/fuzz/fuzz-kcore tests/fuzz/fuzz-qmp tests/fuzz/fuzz-qemumaps \
	tests/fuzz/fuzz-args tests/fuzz/fuzz-targetrec tests/fuzz/fuzz-rescan tests/fuzz/fuzz-pattern \
	tests/fuzz/fuzz-snapshot tests/fuzz/fuzz-kallsyms
fuzz_programs += tests/fuzz/fuzz-addr tests/fuzz/fuzz-elfdyn tests/fuzz/fuzz-lxwalk tests/fuzz/fuzz-w32walk
# the packet carver of mf-scan --carve net
fuzz_programs += tests/fuzz/fuzz-carve
tests_fuzz_fuzz_carve_SOURCES = tests/fuzz/fuzz-carve.c libcommon/scan/carve.c
tests_fuzz_fuzz_carve_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_carve_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_carve_LDADD =
fuzz_programs += tests/fuzz/fuzz-pe
fuzz_programs += tests/fuzz/fuzz-pdb
EXTRA_PROGRAMS += $(fuzz_programs)

FUZZ_RUNS = 20000
FUZZ_SEED = 1
FUZZ_SECONDS = 300

# the parts of libmf a target needs, and the host of the connector targets
fuzz_libmf_sources = libcommon/libmf/error.c libcommon/libmf/progress.c libcommon/libmf/args.c libcommon/libmf/hints.c \
	libcommon/stream/record.c
fuzz_libmf_libs = $(MSGPACK_LIBS) $(JANSSON_LIBS) $(LIBS)
fuzz_host_sources = tests/fuzz/fuzz-host.c tests/fuzz/fuzz-host.h $(fuzz_libmf_sources) \
	libcommon/libmf/plugin.c libcommon/libmf/plugin-abi.c libcommon/libmf/symfile.c
# pluginlib, the code the plugins share (libcommon/pluginlib/local.mk), compiled in whole
fuzz_pluginlib_sources = $(libcommon_pluginlib_libmfplugin_la_SOURCES)

# all of libmf (with pluginlib), compiled once for the targets that need more than the
# parts above; the shared input helpers
EXTRA_LIBRARIES += tests/fuzz/libfuzzmf.a
tests_fuzz_libfuzzmf_a_SOURCES = $(libcommon_libmf_la_SOURCES) $(fuzz_pluginlib_sources)
tests_fuzz_libfuzzmf_a_CFLAGS = $(FUZZ_CFLAGS) $(MSGPACK_CFLAGS) $(JANSSON_CFLAGS)
fuzz_libmf_all = tests/fuzz/libfuzzmf.a $(fuzz_libmf_libs)
fuzz_util_sources = tests/fuzz/fuzz-util.c tests/fuzz/fuzz-util.h
# the host of the connector targets and pluginlib, compiled once for all of them
EXTRA_LIBRARIES += tests/fuzz/libfuzzplug.a
tests_fuzz_libfuzzplug_a_SOURCES = $(fuzz_host_sources) $(fuzz_pluginlib_sources)
tests_fuzz_libfuzzplug_a_CFLAGS = $(FUZZ_CFLAGS) $(MSGPACK_CFLAGS) $(JANSSON_CFLAGS)
fuzz_plug_all = tests/fuzz/libfuzzplug.a $(fuzz_libmf_libs)

tests_fuzz_fuzz_stream_SOURCES = tests/fuzz/fuzz-stream.c $(fuzz_util_sources) $(fuzz_libmf_sources) libcommon/pluginlib/error.c \
	libcommon/stream/out.c libcommon/stream/in.c
tests_fuzz_fuzz_stream_CFLAGS = $(FUZZ_CFLAGS) $(MSGPACK_CFLAGS) $(JANSSON_CFLAGS)
tests_fuzz_fuzz_stream_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_stream_LDADD = $(fuzz_libmf_libs)

tests_fuzz_fuzz_vat_SOURCES = tests/fuzz/fuzz-vat.c $(vat_sources)
tests_fuzz_fuzz_vat_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_vat_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_vat_LDADD =

tests_fuzz_fuzz_lime_SOURCES = tests/fuzz/fuzz-lime.c connectors/lime.c
tests_fuzz_fuzz_lime_CFLAGS = $(FUZZ_CFLAGS) $(SNAPPY_CFLAGS)
tests_fuzz_fuzz_lime_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_lime_LDADD = $(SNAPPY_LIBS) $(fuzz_plug_all)

tests_fuzz_fuzz_elf_SOURCES = tests/fuzz/fuzz-elf.c connectors/elf.c
tests_fuzz_fuzz_elf_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_elf_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_elf_LDADD = $(fuzz_plug_all)

tests_fuzz_fuzz_kdump_SOURCES = tests/fuzz/fuzz-kdump.c connectors/kdump.c
tests_fuzz_fuzz_kdump_CFLAGS = $(FUZZ_CFLAGS) $(ZLIB_CFLAGS) $(LZO_CFLAGS) $(SNAPPY_CFLAGS) $(ZSTD_CFLAGS)
tests_fuzz_fuzz_kdump_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_kdump_LDADD = $(ZLIB_LIBS) $(LZO_LIBS) $(SNAPPY_LIBS) $(ZSTD_LIBS) $(fuzz_plug_all)

tests_fuzz_fuzz_crashdump_SOURCES = tests/fuzz/fuzz-crashdump.c connectors/crashdump.c
tests_fuzz_fuzz_crashdump_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_crashdump_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_crashdump_LDADD = $(fuzz_plug_all)

tests_fuzz_fuzz_minidump_SOURCES = tests/fuzz/fuzz-minidump.c connectors/minidump.c
tests_fuzz_fuzz_minidump_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_minidump_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_minidump_LDADD = $(fuzz_plug_all)

tests_fuzz_fuzz_vmware_SOURCES = tests/fuzz/fuzz-vmware.c connectors/vmware.c
tests_fuzz_fuzz_vmware_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_vmware_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_vmware_LDADD = $(fuzz_plug_all)

tests_fuzz_fuzz_raw_SOURCES = tests/fuzz/fuzz-raw.c connectors/raw.c $(fuzz_util_sources)
tests_fuzz_fuzz_raw_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_raw_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_raw_LDADD = $(fuzz_plug_all)

tests_fuzz_fuzz_kcore_SOURCES = tests/fuzz/fuzz-kcore.c connectors/kcore.c
tests_fuzz_fuzz_kcore_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_kcore_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_kcore_LDADD = $(fuzz_plug_all)

tests_fuzz_fuzz_qmp_SOURCES = tests/fuzz/fuzz-qmp.c $(qemu_sources)
tests_fuzz_fuzz_qmp_CFLAGS = $(FUZZ_CFLAGS) $(JANSSON_CFLAGS)
tests_fuzz_fuzz_qmp_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_qmp_LDADD = $(fuzz_plug_all)

tests_fuzz_fuzz_qemumaps_SOURCES = tests/fuzz/fuzz-qemumaps.c $(qemu_sources) $(fuzz_util_sources)
tests_fuzz_fuzz_qemumaps_CFLAGS = $(FUZZ_CFLAGS) $(JANSSON_CFLAGS)
tests_fuzz_fuzz_qemumaps_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_qemumaps_LDADD = $(fuzz_plug_all)

tests_fuzz_fuzz_args_SOURCES = tests/fuzz/fuzz-args.c $(fuzz_util_sources)
tests_fuzz_fuzz_args_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_args_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_args_LDADD = $(fuzz_libmf_all)

tests_fuzz_fuzz_targetrec_SOURCES = tests/fuzz/fuzz-targetrec.c
tests_fuzz_fuzz_targetrec_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_targetrec_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_targetrec_LDADD = $(fuzz_libmf_all)

tests_fuzz_fuzz_rescan_SOURCES = tests/fuzz/fuzz-rescan.c libcommon/scan/rescan.c libcommon/scan/typed.c \
	libcommon/scan/pattern.c
tests_fuzz_fuzz_rescan_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_rescan_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_rescan_LDADD = $(fuzz_libmf_all)

tests_fuzz_fuzz_pattern_SOURCES = tests/fuzz/fuzz-pattern.c libcommon/scan/pattern.c libcommon/scan/typed.c
tests_fuzz_fuzz_pattern_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_pattern_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_pattern_LDADD = $(fuzz_libmf_all)

tests_fuzz_fuzz_kallsyms_SOURCES = tests/fuzz/fuzz-kallsyms.c os/linux/kallsyms.c os/linux/kallsyms.h \
	libcommon/pluginlib/bytes.c libcommon/pluginlib/error.c
tests_fuzz_fuzz_kallsyms_CFLAGS = $(FUZZ_CFLAGS) -I$(top_srcdir)/os/linux
tests_fuzz_fuzz_kallsyms_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_kallsyms_LDADD =

tests_fuzz_fuzz_pdb_SOURCES = tests/fuzz/fuzz-pdb.c libcommon/pluginlib/msf.c libcommon/pluginlib/pdb.c \
	libcommon/pluginlib/pdb-types.c libcommon/pluginlib/pdb-members.c libcommon/pluginlib/error.c \
	libcommon/pluginlib/bytes.c
tests_fuzz_fuzz_pdb_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_pdb_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_pdb_LDADD =

tests_fuzz_fuzz_elfdyn_SOURCES = tests/fuzz/fuzz-elfdyn.c libcommon/pluginlib/elfdyn.c \
	libcommon/pluginlib/bytes.c libcommon/pluginlib/error.c
tests_fuzz_fuzz_elfdyn_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_elfdyn_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_elfdyn_LDADD =

tests_fuzz_fuzz_lxwalk_SOURCES = tests/fuzz/fuzz-lxwalk.c $(fuzz_util_sources) $(linux_os_sources)
tests_fuzz_fuzz_lxwalk_CFLAGS = $(FUZZ_CFLAGS) $(LIBBPF_CFLAGS) -I$(top_srcdir)/os/linux
tests_fuzz_fuzz_lxwalk_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_lxwalk_LDADD = $(fuzz_libmf_all) $(LIBBPF_LIBS)

tests_fuzz_fuzz_w32walk_SOURCES = tests/fuzz/fuzz-w32walk.c $(fuzz_util_sources) $(win32_os_sources)
tests_fuzz_fuzz_w32walk_CFLAGS = $(FUZZ_CFLAGS) -I$(top_srcdir)/os/win32
tests_fuzz_fuzz_w32walk_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_w32walk_LDADD = $(fuzz_libmf_all)

tests_fuzz_fuzz_addr_SOURCES = tests/fuzz/fuzz-addr.c $(fuzz_util_sources)
tests_fuzz_fuzz_addr_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_addr_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_addr_LDADD = $(fuzz_libmf_all)

tests_fuzz_fuzz_pe_SOURCES = tests/fuzz/fuzz-pe.c libcommon/pluginlib/pe.c libcommon/pluginlib/peb.c \
	libcommon/pluginlib/bytes.c libcommon/pluginlib/error.c
tests_fuzz_fuzz_pe_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_pe_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_pe_LDADD =

fuzz_snapshot_sources = libcommon/snapshot/file.c libcommon/snapshot/writer.c libcommon/snapshot/raw.c \
	libcommon/snapshot/lime.c libcommon/snapshot/elf.c libcommon/snapshot/kdump.c libcommon/snapshot/elfcore.c
tests_fuzz_fuzz_snapshot_SOURCES = tests/fuzz/fuzz-snapshot.c $(fuzz_snapshot_sources) $(fuzz_util_sources) \
	$(fuzz_pluginlib_sources)
tests_fuzz_fuzz_snapshot_CFLAGS = $(FUZZ_CFLAGS) $(ZLIB_CFLAGS) -pthread
tests_fuzz_fuzz_snapshot_LDFLAGS = $(FUZZ_CFLAGS) -pthread
tests_fuzz_fuzz_snapshot_LDADD = $(ZLIB_LIBS)

fuzz:
	@test -n "$(FUZZ_CC)" || { echo "make fuzz: $(FUZZ_MISSING)" >&2; exit 1; }
	@$(MAKE) $(AM_MAKEFLAGS) CC='$(FUZZ_CC)' $(fuzz_programs)

fuzz_run = MF_TOP_SRCDIR='$(abs_top_srcdir)' FUZZ_RUNS='$(FUZZ_RUNS)' FUZZ_SEED='$(FUZZ_SEED)' \
	FUZZ_SECONDS='$(FUZZ_SECONDS)' $(SHELL) $(top_srcdir)/tests/fuzz/run
fuzz-check: fuzz
	@$(fuzz_run) check tests/fuzz $(fuzz_names)
fuzz-long: fuzz
	@$(fuzz_run) long tests/fuzz $(fuzz_names)
.PHONY: fuzz fuzz-check fuzz-long

TESTS += tests/fuzz.bats
EXTRA_DIST += tests/fuzz.bats tests/fuzz/run tests/fuzz/minidump-seeds.py tests/fuzz/vat-seeds.py tests/fuzz/more-seeds.py tests/fuzz/kallsyms-seeds.py tests/fuzz/lxwalk-seeds.py tests/fuzz/w32walk-seeds.py tests/fuzz/seeds
EXTRA_DIST += tests/fuzz/coverage.md
