# Packaging and scale-out (issue 5): the out-of-tree example connector, GNU parallel
# recipes, the Debian package; their man pages and the files the tarball must carry.
TESTS += tests/examples.bats tests/parallel.bats tests/contrib.bats tests/packaging.bats
EXTRA_DIST += tests/examples.bats tests/parallel.bats tests/contrib.bats tests/packaging.bats \
	examples/connector-memfile/Makefile examples/connector-memfile/memfile.c \
	examples/connector-memfile/README.md \
	contrib/mftools-snapshot.service contrib/mftools-snapshot.timer \
	contrib/mftools-snapshot.default \
	debian/changelog debian/control debian/copyright debian/rules debian/source/format \
	debian/mftools.install debian/mftools.examples debian/libmf0.install \
	debian/libmf-dev.install debian/libmf-dev.examples debian/bash_completion.d/mftools
dist_man_MANS = man/mftools-cron.7 man/mftools-parallel.7

# make distcheck installs under its own prefix: bash completions too.
AM_DISTCHECK_CONFIGURE_FLAGS = bashcompdir='$${datarootdir}/bash-completion/completions'

# The C unit tests alone (no bats suites, no QEMU guest): what the Debian package build
# runs.
check-unit:
	@tests=; for t in $(TESTS); do \
	  case $$t in *.bats) ;; *) tests="$$tests $$t" ;; esac; \
	done; \
	$(MAKE) $(AM_MAKEFLAGS) check TESTS="$$tests"
.PHONY: check-unit

# make check leaves libFuzzer binaries and corpora (tests/fuzz/run) and the guest kernel
# cache (tests/guest/mkguest, a 70 MB download) in the build tree: make clean removes
# the first, make distclean both (distcheck insists on a clean tree).
clean-local:
	-rm -rf tests/fuzz/bin
distclean-local:
	-rm -rf tests/guest/cache

# distcheck's `make check` runs in a fresh build tree: let it share this tree's guest
# cache (MF_GUEST_CACHE, honoured by tests/guest) instead of downloading the kernel again.
# In an ordinary build this is the default location.
AM_MAKEFLAGS = MF_GUEST_CACHE="$${MF_GUEST_CACHE:-$(abs_top_builddir)/tests/guest/cache}"
