# pluginlib: the convenience library of code shared by plugins: the process-memory engine
# (procmem: batched process_vm_readv/writev, used by the qemu connector and the native os
# layer).  noinst, PIC and built with hidden symbols, so every object that links it keeps
# its own copy and exports none of it.  Link: foo_la_LIBADD = $(pluginlib); foo_LDADD =
# $(tool_ldadd) $(pluginlib).
noinst_LTLIBRARIES += libcommon/pluginlib/libmfplugin.la
pluginlib = libcommon/pluginlib/libmfplugin.la
libcommon_pluginlib_libmfplugin_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden -prefer-pic
libcommon_pluginlib_libmfplugin_la_SOURCES = \
	libcommon/pluginlib/procmem.h libcommon/pluginlib/procmem.c
