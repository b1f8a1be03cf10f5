# tests: bats suites (one per tool and per concern), the test helpers and targets;
# unit tests in tests/unit/, the QEMU guest in tests/guest/, fuzzing in tests/fuzz/.
EXTRA_DIST += tests/test_helper.bash tests/tools_helper.bash tests/linux_helper.bash tests/win32_helper.bash

# bats suites of the tools
tool_suites = tests/mf-attach.bats tests/mf-ps.bats tests/mf-modules.bats tests/mf-read.bats \
	tests/docs.bats tests/mf-dump.bats tests/dump-guest.bats tests/mf-scan.bats \
	tests/vtop.bats tests/vtop-guest.bats tests/conn-qemu.bats tests/hostile.bats \
	tests/linux.bats tests/mf-cat.bats tests/readme.bats tests/mf-syms.bats \
	tests/pdb.bats
# the progress line of long passes, on a pseudo-terminal (util-linux script)
tool_suites += tests/progress.bats
# mf-scan --carve net (tests/carve-mkraw.py builds its raw image)
tool_suites += tests/mf-scan-carve.bats
# mf-scan against scanmem on the same process (skipped without it)
tool_suites += tests/mf-scan-scanmem.bats
EXTRA_DIST += tests/carve-mkraw.py tests/pahole-offsets.py
# the win32 os layer (tests/win32-mkimage.py builds its images around Wine's ntoskrnl.exe)
tool_suites += tests/win32.bats tests/win32-x86.bats
EXTRA_DIST += tests/win32-mkimage.py tests/win32-ntoskrnl32.py
TESTS += $(tool_suites)
EXTRA_DIST += $(tool_suites)
TESTS += tests/mf-scan-multi.bats
EXTRA_DIST += tests/mf-scan-multi.bats
# the program whose PDB tests/pdb.bats builds, and its llvm-pdbutil oracle
EXTRA_DIST += tests/pdb/kstructs.c tests/pdb/llvm-oracle.py tests/pdb/corrupt.py tests/pdb/ntkernel.c

# a process with known memory contents, for the mf-read/mf-modules tests (not sanitized:
# it is the target, not the code under test)
check_PROGRAMS += tests/mf-memtarget
tests_mf_memtarget_SOURCES = tests/mf-memtarget.c
tests_mf_memtarget_CFLAGS = $(WARN_CFLAGS)
tests_mf_memtarget_LDFLAGS =
tests_mf_memtarget_LDADD = -lpthread

# a connector built for a newer plugin ABI: the loader must refuse it
check_LTLIBRARIES += tests/plugins/mf-connector-badabi.la
tests_plugins_mf_connector_badabi_la_SOURCES = tests/plugins/badabi.c
tests_plugins_mf_connector_badabi_la_LDFLAGS = $(plugin_ldflags) -rpath $(abs_builddir)/tests/plugins
# the ABI-1 plugin header, frozen: tests/examples.bats builds the example against it
EXTRA_DIST += tests/plugins/abi1/mftools/plugin.h
# an os layer with a symbol table and a symbol file, for the os-operation tests
check_LTLIBRARIES += tests/plugins/mf-os-symos.la
tests_plugins_mf_os_symos_la_SOURCES = tests/plugins/symos.c
tests_plugins_mf_os_symos_la_LDFLAGS = $(plugin_ldflags) -rpath $(abs_builddir)/tests/plugins

# Packaging and scale-out: the out-of-tree example connector, GNU parallel recipes, the
# Debian package, and the files the tarball must carry for them.
TESTS += tests/examples.bats tests/parallel.bats tests/contrib.bats tests/packaging.bats
EXTRA_DIST += tests/examples.bats tests/parallel.bats tests/contrib.bats tests/packaging.bats \
	examples/connector-memfile/Makefile examples/connector-memfile/memfile.c \
	examples/connector-memfile/README.md \
	contrib/mftools-snapshot.service contrib/mftools-snapshot.timer \
	contrib/mftools-snapshot.default \
	debian/changelog debian/control debian/copyright debian/rules debian/source/format \
	debian/mftools.install debian/mftools.examples debian/libmf0.install \
	debian/libmf-dev.install debian/libmf-dev.examples debian/bash_completion.d/mftools

EXTRA_DIST += tests/fixtures

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

# make check leaves libFuzzer corpora and logs (tests/fuzz/run) and the guest kernel
# cache (tests/guest/mkguest, a 70 MB download) in the build tree: make clean removes
# the first, make distclean both (distcheck insists on a clean tree).
clean-local:
	-rm -rf tests/fuzz/out
distclean-local:
	-rm -rf tests/guest/cache

# distcheck's `make check` runs in a fresh build tree: let it share this tree's guest
# cache (MF_GUEST_CACHE, honoured by tests/guest) instead of downloading the kernel again.
# In an ordinary build this is the default location.
AM_MAKEFLAGS = MF_GUEST_CACHE="$${MF_GUEST_CACHE:-$(abs_top_builddir)/tests/guest/cache}"
