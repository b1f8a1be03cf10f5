# linux os layer: a Linux kernel found in physical memory, no symbol files needed.
# linux.c open, close, kernel reads and the descriptor; discovery.c where the kernel is
# (VMCOREINFO, banner, page tables; shared finders in pluginlib/kfind.c); kallsyms.c the
# symbol-table decoder, kallsyms-mem.c the tables read from memory, kallsyms-scan.c
# found by scanning; symbols.c the symbol operations; btf.c the kernel's BTF (libbpf),
# offsets.c the struct offsets from it; tasks.c processes and threads, paths.c file paths,
# maps.c memory maps, modules.c kernel and process modules, modules-find.c the module
# list found in memory.
linux_os_sources = os/linux/linux.h os/linux/linux.c os/linux/discovery.c \
	os/linux/kallsyms.h os/linux/kallsyms.c os/linux/kallsyms-mem.c os/linux/kallsyms-scan.c \
	os/linux/symbols.c os/linux/lxtypes.h os/linux/btf.c os/linux/offsets.c \
	os/linux/saved.c os/linux/tasks.h os/linux/tasks.c os/linux/paths.c \
	os/linux/maps.h os/linux/maps.c os/linux/modules.c os/linux/modules-find.c
os_LTLIBRARIES += os/mf-os-linux.la
os_mf_os_linux_la_SOURCES = $(linux_os_sources)
os_mf_os_linux_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/os/linux
os_mf_os_linux_la_CFLAGS = $(AM_CFLAGS) $(LIBBPF_CFLAGS)
os_mf_os_linux_la_LIBADD = $(pluginlib) $(LIBBPF_LIBS)
os_mf_os_linux_la_LDFLAGS = $(plugin_ldflags)
