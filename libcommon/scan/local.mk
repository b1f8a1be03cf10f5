# the scanners: the chunked, multi-threaded scan engine, the matchers (byte patterns with
# wildcards, strings, typed values, rescans), many patterns at once (Hyperscan) and the
# YARA adapter; linked into mf-scan
noinst_LTLIBRARIES += libcommon/scan/libmfscan.la
libcommon_scan_libmfscan_la_SOURCES = libcommon/scan/match.h libcommon/scan/pattern.c libcommon/scan/typed.c \
	libcommon/scan/rescan.h libcommon/scan/rescan.c libcommon/scan/engine.h libcommon/scan/engine.c \
	libcommon/scan/regions.c libcommon/scan/yara.h libcommon/scan/yara.c \
	libcommon/scan/multi.h libcommon/scan/multi.c
libcommon_scan_libmfscan_la_CFLAGS = $(AM_CFLAGS) $(YARA_CFLAGS) $(HS_CFLAGS) -pthread
libcommon_scan_libmfscan_la_LIBADD = $(YARA_LIBS) $(HS_LIBS) -lpthread
# the packet carver (mf-scan --carve net)
libcommon_scan_libmfscan_la_SOURCES += libcommon/scan/carve.h libcommon/scan/carve.c
