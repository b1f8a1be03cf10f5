# mf-vtop: page-table walks, page maps and physical-to-virtual lookups (issue 4)
bin_PROGRAMS += tools/mf-vtop
tools_mf_vtop_SOURCES = tools/mf-vtop.c
tools_mf_vtop_LDADD = tools/libmftool.la $(tool_ldadd)
dist_man1_MANS += man/mf-vtop.1
TESTS += tests/vtop.bats tests/vtop-guest.bats
EXTRA_DIST += tests/vtop.bats tests/vtop-guest.bats bench/bench-vat-guest.sh

# benchmark on a real guest: `make bench` boots a 2 GiB guest, dumps it and runs both
EXTRA_PROGRAMS += bench/bench-vat-guest
bench_bench_vat_guest_SOURCES = bench/bench-vat-guest.c
bench_bench_vat_guest_CFLAGS = $(AM_CFLAGS) -O2
bench_bench_vat_guest_LDADD = $(tool_ldadd)
BENCH_TARGETS += bench-vat-guest-run
bench-vat-guest-run: bench/bench-vat-guest$(EXEEXT) tools/mf-vtop$(EXEEXT)
	$(SHELL) $(srcdir)/bench/bench-vat-guest.sh
.PHONY: bench-vat-guest-run
