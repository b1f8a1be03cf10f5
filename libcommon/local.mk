# libcommon: libmf (libmf/ core, stream/ record stream, vat/ address translation) and
# its public headers (mftools/), installed with mftools.pc.
lib_LTLIBRARIES += libcommon/libmf.la
libcommon_libmf_la_SOURCES =
libcommon_libmf_la_CFLAGS = $(AM_CFLAGS) $(MSGPACK_CFLAGS) $(JANSSON_CFLAGS) -fvisibility=hidden
libcommon_libmf_la_LIBADD = $(MSGPACK_LIBS) $(JANSSON_LIBS) $(LIBS)
libcommon_libmf_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0
mftoolsincludedir = $(includedir)/mftools
mftoolsinclude_HEADERS = libcommon/mftools/mf.h libcommon/mftools/plugin.h libcommon/mftools/vat.h
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = libcommon/mftools.pc
