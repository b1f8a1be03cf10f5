# benchmarks: fragments add programs to EXTRA_PROGRAMS and run targets to BENCH_TARGETS
