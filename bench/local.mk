# bench: see Makefile.am
BENCH_TARGETS =
