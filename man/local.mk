# man: hand-written pages, checked against --help by tests/docs.bats
dist_man1_MANS += man/mf-attach.1 man/mf-ps.1 man/mf-modules.1 man/mf-read.1 man/mf-vtop.1 \
	man/mf-dump.1 man/mf-scan.1 man/mf-syms.1 man/mf-cat.1
dist_man7_MANS = man/mftools.7 man/mftools-cron.7 man/mftools-parallel.7
