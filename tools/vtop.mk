# mf-vtop: page-table walks, page maps and physical-to-virtual lookups (issue 4)
bin_PROGRAMS += tools/mf-vtop
tools_mf_vtop_SOURCES = tools/mf-vtop.c
tools_mf_vtop_LDADD = tools/libmftool.la $(tool_ldadd)
dist_man1_MANS += man/mf-vtop.1
TESTS += tests/vtop.bats tests/vtop-guest.bats
EXTRA_DIST += tests/vtop.bats tests/vtop-guest.bats bench/bench-vat-guest.sh
