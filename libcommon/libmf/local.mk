# libmf core: errors, the progress line, arguments, hints, the plugin loader, os records, typed values;
# targets (opening, arguments, file-format detection, saved records, I/O, the os layer,
# the kernel's root, the tools' way to open one); address spaces (opening, span reads,
# mapped regions, address expressions, choosing them)
libcommon_libmf_la_SOURCES += \
	libcommon/libmf/mf-int.h libcommon/libmf/hexval.h \
	libcommon/libmf/error.c \
	libcommon/libmf/progress.c \
	libcommon/libmf/args.c \
	libcommon/libmf/hints.c \
	libcommon/libmf/plugin-int.h \
	libcommon/libmf/plugin.c \
	libcommon/libmf/osrec.c \
	libcommon/libmf/value.c \
	libcommon/libmf/target-int.h \
	libcommon/libmf/plugin-abi.c \
	libcommon/libmf/symfile.c \
	libcommon/libmf/osops.c \
	libcommon/libmf/target.c \
	libcommon/libmf/target-args.c \
	libcommon/libmf/detect.c \
	libcommon/libmf/saved.c \
	libcommon/libmf/target-io.c \
	libcommon/libmf/target-os.c \
	libcommon/libmf/kernel-root.c \
	libcommon/libmf/tool-open.c \
	libcommon/libmf/aspace.c \
	libcommon/libmf/span.c \
	libcommon/libmf/regions.c \
	libcommon/libmf/addr.c \
	libcommon/libmf/select.c
