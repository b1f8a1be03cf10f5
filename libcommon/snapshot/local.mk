# the snapshot writers: the output file and its atomic publish, --keep rotation, one
# writer per format (raw, LiME, ELF core, kdump-compressed with zlib), physical memory
# through the span reader, and process cores; linked into mf-dump
noinst_LTLIBRARIES += libcommon/snapshot/libmfsnapshot.la
libcommon_snapshot_libmfsnapshot_la_SOURCES = libcommon/snapshot/snapshot.h libcommon/snapshot/snapshot-int.h \
	libcommon/snapshot/output.h libcommon/snapshot/file.c libcommon/snapshot/output.c libcommon/snapshot/rotate.c libcommon/snapshot/mark.c \
	libcommon/snapshot/writer.c libcommon/snapshot/raw.c libcommon/snapshot/lime.c libcommon/snapshot/elf.c \
	libcommon/snapshot/kdump.c libcommon/snapshot/elfcore.c libcommon/snapshot/phys.c libcommon/snapshot/proc.c
libcommon_snapshot_libmfsnapshot_la_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS) -pthread
libcommon_snapshot_libmfsnapshot_la_LIBADD = $(pluginlib) $(ZLIB_LIBS) -lpthread
