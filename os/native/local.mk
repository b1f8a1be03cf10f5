# native os layer: this machine's processes over /proc.
# native.c open, close and the descriptor; procfs.c /proc file reading; processes.c the
# process list; maps.c memory maps; modules.c process and kernel modules; auxv.c the
# auxiliary vector; mem.c process memory (process-memory engine); symbols.c the symbols of
# a process's modules; threads.c threads, registers, suspending a process.
os_LTLIBRARIES += os/mf-os-native.la
os_mf_os_native_la_SOURCES = os/native/native.h os/native/native.c os/native/procfs.c \
	os/native/processes.c os/native/maps.c os/native/modules.c os/native/auxv.c os/native/mem.c \
	os/native/symbols.c \
	os/native/threads.h os/native/threads.c os/native/wine.c
os_mf_os_native_la_LIBADD = $(pluginlib)
os_mf_os_native_la_LDFLAGS = $(plugin_ldflags)
