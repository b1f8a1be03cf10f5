# guest fixture: a Debian-kernel Linux guest under QEMU (see tests/guest/README.md)
check_PROGRAMS += tests/guest/gpa-read
tests_guest_gpa_read_SOURCES = tests/guest/gpa-read.c
tests_guest_gpa_read_LDADD =

TESTS += tests/guest.bats tests/vtop-foreign.bats
EXTRA_DIST += tests/guest.bats tests/vtop-foreign.bats tests/guest/README.md tests/guest/mkguest \
	tests/guest/guest.bash tests/guest/qmp.py tests/guest/banner-offsets.py

# The kernel/initramfs cache (tests/guest/cache, a 70 MB download) survives make clean.
