# pluginlib: the convenience library of code shared by plugins, libmf and tools
# (noinst, PIC, symbols hidden, so every object that links it keeps its own copy and
# exports none of it).  Link: foo_la_LIBADD = $(pluginlib); foo_LDADD = ... $(pluginlib).
noinst_LTLIBRARIES += libcommon/pluginlib/libmfplugin.la
pluginlib = libcommon/pluginlib/libmfplugin.la
libcommon_pluginlib_libmfplugin_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden -prefer-pic
libcommon_pluginlib_libmfplugin_la_SOURCES = \
	libcommon/pluginlib/vmcoreinfo.h libcommon/pluginlib/vmcoreinfo.c
# libmf links it too (its VMCOREINFO readers); its copy stays hidden inside libmf.so.
libcommon_libmf_la_LIBADD += $(pluginlib)
