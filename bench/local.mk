# benchmarks (`make bench`): each prints our figure next to the physical limit and the
# tool a user would otherwise run.  Programs go to EXTRA_PROGRAMS, run targets to BENCH_TARGETS.
bench_env = PATH='$(abs_top_builddir)/tools:'"$$PATH" \
	MF_PLUGIN_PATH='$(abs_top_builddir)/connectors/.libs:$(abs_top_builddir)/os/.libs' \
	MF_MODULE_DIR='$(abs_top_builddir)/libcommon/scan/.libs' \
	MF_TOP_SRCDIR='$(abs_top_srcdir)' MF_TOP_BUILDDIR='$(abs_top_builddir)'

# sequential reads through the raw and elf connectors next to cat
EXTRA_PROGRAMS += bench/bench-fileread
bench_bench_fileread_SOURCES = bench/bench-fileread.c tests/unit/plugin-harness.h
bench_bench_fileread_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
bench_bench_fileread_LDADD = $(tool_ldadd)
BENCH_TARGETS += bench-fileread-run
bench-fileread-run: bench/bench-fileread$(EXEEXT) all
	$(bench_env) ./bench/bench-fileread$(EXEEXT)

# native process reads (1 MiB chunks, random pages) next to raw process_vm_readv
EXTRA_PROGRAMS += bench/bench-procread
BENCH_TARGETS += bench-procread-run
bench_bench_procread_SOURCES = bench/bench-procread.c tests/unit/plugin-harness.h
bench_bench_procread_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
bench_bench_procread_LDADD = $(tool_ldadd)
bench-procread-run: bench/bench-procread$(EXEEXT) os/mf-os-native.la
	$(bench_env) ./bench/bench-procread$(EXEEXT)

# the qemu connector on a booted guest next to raw process_vm_readv
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

# records/s and MB/s of the record stream next to a plain pipe
EXTRA_PROGRAMS += bench/bench-stream
BENCH_TARGETS += bench-stream-run
bench_bench_stream_SOURCES = bench/bench-stream.c
bench_bench_stream_LDADD = $(tool_ldadd)
bench-stream-run: bench/bench-stream$(EXEEXT)
	./bench/bench-stream$(EXEEXT)

# the translator: batched translations/s next to a pread-per-level walker
EXTRA_PROGRAMS += bench/bench-vat
bench_bench_vat_SOURCES = bench/bench-vat.c $(vat_sources)
bench_bench_vat_CFLAGS = $(AM_CFLAGS) -O2
BENCH_TARGETS += bench-vat-run
bench-vat-run: bench/bench-vat$(EXEEXT)
	./bench/bench-vat$(EXEEXT)

# the translator on a real guest: boots a 2 GiB guest, dumps it and runs both
EXTRA_PROGRAMS += bench/bench-vat-guest
bench_bench_vat_guest_SOURCES = bench/bench-vat-guest.c
bench_bench_vat_guest_CFLAGS = $(AM_CFLAGS) -O2
bench_bench_vat_guest_LDADD = $(tool_ldadd)
BENCH_TARGETS += bench-vat-guest-run bench-linux-run
# the linux os layer on a 2 GiB guest: discovery, warm lists, maps, live
bench-linux-run: tools/mf-ps$(EXEEXT) tools/mf-attach$(EXEEXT) os/mf-os-linux.la
	$(SHELL) $(srcdir)/bench/bench-linux.sh
bench-vat-guest-run: bench/bench-vat-guest$(EXEEXT) tools/mf-vtop$(EXEEXT)
	$(SHELL) $(srcdir)/bench/bench-vat-guest.sh

# kdump-zlib read throughput next to zlib uncompress of the same pages
EXTRA_PROGRAMS += bench/bench-kdump
bench_bench_kdump_SOURCES = bench/bench-kdump.c
bench_bench_kdump_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
bench_bench_kdump_LDADD = $(ZLIB_LIBS)
BENCH_TARGETS += bench-kdump-run
bench-kdump-run: bench/bench-kdump$(EXEEXT) all
	$(bench_env) bash $(top_srcdir)/bench/bench-kdump.sh ./bench/bench-kdump$(EXEEXT)

# scripts: mf-ps next to ps -e; physical reads next to cat; mf-dump next to makedumpfile;
# mf-scan next to the limit loop (bench-scan-limit.c, built by the script), grep and yara
# (BENCH_SCAN_MB sets the file size, default 512; BENCH_SCAN_REPS the runs, best of 3)
dist_noinst_SCRIPTS += bench/bench-ps.sh bench/bench-physread.sh bench/bench-dump.sh \
	bench/bench-scan.sh bench/bench-kdump.sh bench/bench-vat-guest.sh bench/bench-linux.sh
BENCH_TARGETS += bench-ps bench-physread-run bench-dump bench-scan
EXTRA_DIST += bench/bench-scan-limit.c
bench-ps: all
	$(bench_env) $(SHELL) $(top_srcdir)/bench/bench-ps.sh
bench-physread-run: all
	$(bench_env) bash $(top_srcdir)/bench/bench-physread.sh
bench-dump: all
	$(bench_env) $(SHELL) $(top_srcdir)/bench/bench-dump.sh
bench-scan: all
	$(bench_env) $(SHELL) $(top_srcdir)/bench/bench-scan.sh
# mf-scan --carve net next to cat (BENCH_CARVE_MB sets the file size, default 1024)
dist_noinst_SCRIPTS += bench/bench-carve.sh
BENCH_TARGETS += bench-carve
bench-carve: all
	$(bench_env) $(SHELL) $(top_srcdir)/bench/bench-carve.sh

bench: $(BENCH_TARGETS)
.PHONY: bench $(BENCH_TARGETS)

# a virtual span read through the translator next to cat of the same bytes;
# BENCH_VREAD_OLD=DIR (the build of another commit) runs its mf-read too, with the ratio
dist_noinst_SCRIPTS += bench/bench-vread.sh
EXTRA_DIST += bench/bench-lib.sh
BENCH_TARGETS += bench-vread-run
bench-vread-run: all
	$(bench_env) bash $(top_srcdir)/bench/bench-vread.sh $(BENCH_VREAD_OLD)
