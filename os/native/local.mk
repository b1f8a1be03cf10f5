# native os layer: this machine's processes over /proc
os_LTLIBRARIES += os/mf-os-native.la
os_mf_os_native_la_SOURCES = os/native/native.c os/native/threads.c os/native/threads.h
os_mf_os_native_la_LDFLAGS = $(plugin_ldflags)
