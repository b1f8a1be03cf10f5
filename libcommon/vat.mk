# virtual address translation: libmf sources and their tests
libcommon_libmf_la_SOURCES += \
	libcommon/vat-int.h \
	libcommon/vat.c \
	libcommon/vat-rw.c \
	libcommon/vat-map.c
mftoolsinclude_HEADERS += libcommon/mftools/vat.h

check_PROGRAMS += tests/unit/test-vat tests/unit/test-vat-arch
TESTS += tests/unit/test-vat tests/unit/test-vat-arch
# The tests and the benchmark compile the translator in: it depends on nothing else in
# libmf, and they need not wait for the rest of the library to link.
vat_sources = libcommon/vat-int.h libcommon/vat.c libcommon/vat-rw.c libcommon/vat-map.c
tests_unit_test_vat_SOURCES = tests/unit/test-vat.c tests/unit/vat-mem.h tests/unit/tap.h $(vat_sources)
tests_unit_test_vat_arch_SOURCES = tests/unit/test-vat-arch.c tests/unit/vat-mem.h tests/unit/tap.h $(vat_sources)

# benchmark: `make bench` builds and runs it
EXTRA_PROGRAMS += bench/bench-vat
bench_bench_vat_SOURCES = bench/bench-vat.c $(vat_sources)
bench_bench_vat_CFLAGS = $(AM_CFLAGS) -O2
BENCH_TARGETS += bench-vat-run
bench-vat-run: bench/bench-vat$(EXEEXT)
	./bench/bench-vat$(EXEEXT)
.PHONY: bench-vat-run

EXTRA_DIST += tests/fuzz/fuzz-vat.c
