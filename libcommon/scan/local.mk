# the scanners: the chunked, multi-threaded scan engine, the matchers (byte patterns with
# wildcards, strings, typed values, rescans), the packet carver, and the front ends of the
# optional modules; linked into mf-scan
noinst_LTLIBRARIES += libcommon/scan/libmfscan.la
libcommon_scan_libmfscan_la_SOURCES = libcommon/scan/match.h libcommon/scan/pattern.c libcommon/scan/typed.c \
	libcommon/scan/rescan.h libcommon/scan/rescan.c libcommon/scan/engine.h libcommon/scan/engine.c \
	libcommon/scan/regions.c libcommon/scan/yara.h libcommon/scan/multi.h libcommon/scan/pcap.h \
	libcommon/scan/module.h libcommon/scan/module.c libcommon/scan/optional.c \
	libcommon/scan/release.h libcommon/scan/release.c
libcommon_scan_libmfscan_la_CFLAGS = $(AM_CFLAGS) -pthread
libcommon_scan_libmfscan_la_LIBADD = -ldl -lpthread
# the packet carver (mf-scan --carve net)
libcommon_scan_libmfscan_la_SOURCES += libcommon/scan/carve.h libcommon/scan/carve.c

# mf-scan's optional modules (scan/module.h), each linked to its large library, opened
# only by the scans that need them
scanmoddir = $(pkglibdir)/modules
scanmod_LTLIBRARIES = libcommon/scan/mf-scan-pcap.la
scanmod_ldflags = $(AM_LDFLAGS) -module -avoid-version -shared -export-symbols-regex '^scan_[a-z]+_module$$'
libcommon_scan_mf_scan_pcap_la_SOURCES = libcommon/scan/pcap.h libcommon/scan/module.h libcommon/scan/pcap.c
libcommon_scan_mf_scan_pcap_la_CFLAGS = $(AM_CFLAGS) $(PCAP_CFLAGS)
libcommon_scan_mf_scan_pcap_la_LDFLAGS = $(scanmod_ldflags)
libcommon_scan_mf_scan_pcap_la_LIBADD = libcommon/libmf.la $(PCAP_LIBS)
if HAVE_YARA
scanmod_LTLIBRARIES += libcommon/scan/mf-scan-yara.la
libcommon_scan_mf_scan_yara_la_SOURCES = libcommon/scan/yara.h libcommon/scan/module.h libcommon/scan/yara.c
libcommon_scan_mf_scan_yara_la_CFLAGS = $(AM_CFLAGS) $(YARA_CFLAGS)
libcommon_scan_mf_scan_yara_la_LDFLAGS = $(scanmod_ldflags)
libcommon_scan_mf_scan_yara_la_LIBADD = libcommon/libmf.la $(YARA_LIBS)
endif
if HAVE_HS
scanmod_LTLIBRARIES += libcommon/scan/mf-scan-hs.la
libcommon_scan_mf_scan_hs_la_SOURCES = libcommon/scan/multi.h libcommon/scan/match.h libcommon/scan/module.h \
	libcommon/scan/multi.c libcommon/scan/multi-cache.h libcommon/scan/multi-cache.c
libcommon_scan_mf_scan_hs_la_CFLAGS = $(AM_CFLAGS) $(HS_CFLAGS) -pthread
libcommon_scan_mf_scan_hs_la_LDFLAGS = $(scanmod_ldflags)
libcommon_scan_mf_scan_hs_la_LIBADD = libcommon/libmf.la $(HS_LIBS) -lpthread
endif
