# bench: see Makefile.am
BENCH_TARGETS =

# benchmark: sequential reads through raw and elf next to cat (make bench)
noinst_PROGRAMS += bench/bench-fileread
bench_bench_fileread_SOURCES = bench/bench-fileread.c
bench_bench_fileread_LDADD = $(LIBS)
BENCH_TARGETS += bench/bench-fileread
