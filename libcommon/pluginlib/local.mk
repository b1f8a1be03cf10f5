# pluginlib: code shared by the plugins, one convenience library linked into each of them
# (never installed; its symbols stay hidden inside every plugin).
noinst_LTLIBRARIES += libcommon/pluginlib/libmfplugin.la
libcommon_pluginlib_libmfplugin_la_SOURCES = \
	libcommon/pluginlib/procmem.c libcommon/pluginlib/procmem.h
libcommon_pluginlib_libmfplugin_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
