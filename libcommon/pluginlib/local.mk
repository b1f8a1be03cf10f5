# pluginlib: the convenience library of code shared by plugins, libmf and tools: byte
# order, error messages, file I/O, range maps, page bitmaps, ELF cores, VMCOREINFO, PDB files (msf, pdb), and the process-memory
# engine (procmem: batched process_vm_readv/writev, used by the qemu connector and the
# native os layer).  noinst, PIC and built with hidden symbols, so every object that links
# it keeps its own copy and exports none of it.
# Link: foo_la_LIBADD = $(pluginlib); foo_LDADD = $(tool_ldadd) $(pluginlib).
noinst_LTLIBRARIES += libcommon/pluginlib/libmfplugin.la
pluginlib = libcommon/pluginlib/libmfplugin.la
libcommon_pluginlib_libmfplugin_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden -prefer-pic
libcommon_pluginlib_libmfplugin_la_SOURCES = \
	libcommon/pluginlib/bytes.h libcommon/pluginlib/bytes.c \
	libcommon/pluginlib/checked.h \
	libcommon/pluginlib/error.h libcommon/pluginlib/error.c \
	libcommon/pluginlib/fileio.h libcommon/pluginlib/fileio.c \
	libcommon/pluginlib/rangemap.h libcommon/pluginlib/rangemap.c \
	libcommon/pluginlib/bitmap.h libcommon/pluginlib/bitmap.c \
	libcommon/pluginlib/elfcore.h libcommon/pluginlib/elfcore.c \
	libcommon/pluginlib/vmcoreinfo.h libcommon/pluginlib/vmcoreinfo.c \
	libcommon/pluginlib/kfind.h libcommon/pluginlib/kfind.c \
	libcommon/pluginlib/mapmods.h libcommon/pluginlib/mapmods.c \
	libcommon/pluginlib/modsyms.h libcommon/pluginlib/modsyms.c \
	libcommon/pluginlib/elfdyn.h libcommon/pluginlib/elfdyn.c \
	libcommon/pluginlib/procmem.h libcommon/pluginlib/procmem.c \
	libcommon/pluginlib/pe.h libcommon/pluginlib/pe.c \
	libcommon/pluginlib/peb.h libcommon/pluginlib/peb.c \
	libcommon/pluginlib/pesyms.h libcommon/pluginlib/pesyms.c \
	libcommon/pluginlib/minidump.h libcommon/pluginlib/minidump.c \
	libcommon/pluginlib/seen.h libcommon/pluginlib/seen.c \
	libcommon/pluginlib/msf.h libcommon/pluginlib/msf.c \
	libcommon/pluginlib/pdb.h libcommon/pluginlib/pdb-int.h libcommon/pluginlib/pdb.c \
	libcommon/pluginlib/pdb-types.c libcommon/pluginlib/pdb-members.c
# libmf links it too (its VMCOREINFO readers); its copy stays hidden inside libmf.so.
libcommon_libmf_la_LIBADD += $(pluginlib)
