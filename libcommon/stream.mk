# record stream: libmf sources and their tests
libcommon_libmf_la_SOURCES += \
	libcommon/record-int.h \
	libcommon/record.c \
	libcommon/out.c \
	libcommon/in.c

check_PROGRAMS += tests/unit/test-stream
TESTS += tests/unit/test-stream
tests_unit_test_stream_SOURCES = tests/unit/test-stream.c tests/unit/tap.h
tests_unit_test_stream_LDADD = $(tool_ldadd)
EXTRA_DIST += tests/fuzz/fuzz-stream.c tests/fixtures/stream

# make bench: records/s and MB/s of the stream next to a plain pipe
noinst_PROGRAMS += bench/bench-stream
# (BENCH_TARGETS is first set in bench/local.mk, included after this fragment, so a
# `BENCH_TARGETS +=` here is an automake error: add the prerequisite directly)
bench: bench/bench-stream
bench_bench_stream_SOURCES = bench/bench-stream.c
bench_bench_stream_LDADD = $(tool_ldadd)
