# win32 os layer: a Windows kernel (x64, x86, x86 PAE) found in physical memory.
# win32.c open, close, kernel reads and the descriptor; dtb.c the page-table root and its
# architecture (dtb=, the connector's hint, the processor start block, a self-referencing
# table); kernel.c ntoskrnl.exe found through the host's page map of kernel space, its
# build; offsets.c the structure offsets
# (pdb=, else the installed tables in offsets/); processes.c the active process list;
# modules.c kernel and process modules, kernel exports; maps.c the VAD tree; threads.c a
# process's thread list.
win32_os_sources = os/win32/win32.h os/win32/win32.c os/win32/dtb.c os/win32/kernel.c \
	os/win32/offsets.c os/win32/processes.c os/win32/threads.c os/win32/modules.c os/win32/maps.c
os_LTLIBRARIES += os/mf-os-win32.la
os_mf_os_win32_la_SOURCES = $(win32_os_sources)
os_mf_os_win32_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/os/win32
os_mf_os_win32_la_LIBADD = $(pluginlib)
os_mf_os_win32_la_LDFLAGS = $(plugin_ldflags)
# the structure offsets, one table per build (format: os/win32/offsets/README.md)
win32offsetsdir = $(pkgdatadir)/win32
dist_win32offsets_DATA = os/win32/offsets/x86_64-19041.offsets os/win32/offsets/x86-18363.offsets
EXTRA_DIST += os/win32/offsets/README.md
# the tests read the tree's tables as the installed ones: MF_DATA_PATH=tests/data (its
# win32 a link to this directory)
check_DATA += tests/data/win32
tests/data/win32:
	$(MKDIR_P) tests/data && ln -sfn '$(abs_top_srcdir)/os/win32/offsets' $@
CLEANFILES += tests/data/win32
