# libmf core: errors, arguments, hints, the plugin loader, targets, os records, typed values,
# address spaces (opening, span reads, mapped regions, choosing them)
libcommon_libmf_la_SOURCES += \
	libcommon/libmf/mf-int.h \
	libcommon/libmf/error.c \
	libcommon/libmf/args.c \
	libcommon/libmf/hints.c \
	libcommon/libmf/plugin-int.h \
	libcommon/libmf/plugin.c \
	libcommon/libmf/target.c \
	libcommon/libmf/osrec.c \
	libcommon/libmf/value.c \
	libcommon/libmf/aspace.c \
	libcommon/libmf/span.c \
	libcommon/libmf/regions.c \
	libcommon/libmf/select.c \
	libcommon/libmf/addr.c
