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
EXTRA_PROGRAMS += bench/bench-stream
BENCH_TARGETS += bench-stream-run
bench-stream-run: bench/bench-stream$(EXEEXT)
	./bench/bench-stream$(EXEEXT)
.PHONY: bench-stream-run
bench_bench_stream_SOURCES = bench/bench-stream.c
bench_bench_stream_LDADD = $(tool_ldadd)
