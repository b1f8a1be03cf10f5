# linux os layer: a Linux kernel found in physical memory, no symbol files needed.
# linux.c open, close, kernel reads and the descriptor; discovery.c where the kernel is
# (VMCOREINFO, banner, page tables; shared finders in pluginlib/kfind.c); kallsyms.c the
# symbol-table decoder, kallsyms-mem.c the tables read from memory, kallsyms-scan.c
# found by scanning; symbols.c the symbol operations.
linux_os_sources = os/linux/linux.h os/linux/linux.c os/linux/discovery.c \
	os/linux/kallsyms.h os/linux/kallsyms.c os/linux/kallsyms-mem.c os/linux/kallsyms-scan.c \
	os/linux/symbols.c
os_LTLIBRARIES += os/mf-os-linux.la
os_mf_os_linux_la_SOURCES = $(linux_os_sources)
os_mf_os_linux_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/os/linux
os_mf_os_linux_la_LIBADD = $(pluginlib)
os_mf_os_linux_la_LDFLAGS = $(plugin_ldflags)
