lib_LTLIBRARIES += libcommon/libmf.la
libcommon_libmf_la_SOURCES = \
	libcommon/mf-int.h \
	libcommon/error.c \
	libcommon/args.c \
	libcommon/hints.c \
	libcommon/plugin-int.h \
	libcommon/plugin.c \
	libcommon/target.c \
	libcommon/osrec.c
libcommon_libmf_la_CFLAGS = $(AM_CFLAGS) $(MSGPACK_CFLAGS) $(JANSSON_CFLAGS) -fvisibility=hidden
libcommon_libmf_la_LIBADD = $(MSGPACK_LIBS) $(JANSSON_LIBS) $(LIBS)
libcommon_libmf_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0
mftoolsincludedir = $(includedir)/mftools
mftoolsinclude_HEADERS = libcommon/mftools/mf.h libcommon/mftools/plugin.h
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = libcommon/mftools.pc

# record stream (record.c, out.c, in.c) and address translation (vat*.c) add to libmf here
include libcommon/stream.mk
include libcommon/vat.mk
