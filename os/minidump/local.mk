# minidump os layer: the one process of a Windows minidump, over the minidump connector
# (its hint "minidump" carries the dump's metadata; pluginlib/minidump.c parses it).
os_LTLIBRARIES += os/mf-os-minidump.la
os_mf_os_minidump_la_SOURCES = os/minidump/minidump.c
os_mf_os_minidump_la_LIBADD = $(pluginlib)
os_mf_os_minidump_la_LDFLAGS = $(plugin_ldflags)
