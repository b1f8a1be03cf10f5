# the record stream: records, output formats, input (msgpack and JSON lines)
libcommon_libmf_la_SOURCES += \
	libcommon/stream/record-int.h \
	libcommon/stream/record.c \
	libcommon/stream/out.c \
	libcommon/stream/in.c
