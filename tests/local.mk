# tests: see Makefile.am
include tests/guest/guest.mk
