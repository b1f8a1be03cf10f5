# libmf core: errors, arguments, hints, the plugin loader, targets, os records
libcommon_libmf_la_SOURCES += \
	libcommon/libmf/mf-int.h \
	libcommon/libmf/error.c \
	libcommon/libmf/args.c \
	libcommon/libmf/hints.c \
	libcommon/libmf/plugin-int.h \
	libcommon/libmf/plugin.c \
	libcommon/libmf/plugin-abi.c \
	libcommon/libmf/symfile.c \
	libcommon/libmf/osops.c \
	libcommon/libmf/target.c \
	libcommon/libmf/osrec.c
