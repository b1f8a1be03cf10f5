# connectors: each a loadable module mf-connector-NAME.so in $(connectordir).
# File formats, one source each: raw, lime (LiME, AVML), elf (ELF cores), kcore, kdump
# (diskdump, flattened), crashdump (Windows), vmware (.vmem + .vmss), minidump (a Windows
# process minidump: the process's virtual memory; os/minidump/ reads the rest); qemu:
# connectors/qemu/.
# What they share (file I/O, range maps, bitmaps, ELF cores, VMCOREINFO) is in
# libcommon/pluginlib/, linked into each.
connector_LTLIBRARIES += connectors/mf-connector-raw.la connectors/mf-connector-lime.la \
	connectors/mf-connector-elf.la connectors/mf-connector-kcore.la \
	connectors/mf-connector-kdump.la connectors/mf-connector-crashdump.la \
	connectors/mf-connector-vmware.la connectors/mf-connector-minidump.la

connectors_mf_connector_raw_la_SOURCES = connectors/raw.c
connectors_mf_connector_raw_la_LIBADD = $(pluginlib)
connectors_mf_connector_raw_la_LDFLAGS = $(plugin_ldflags)

connectors_mf_connector_lime_la_SOURCES = connectors/lime.c
connectors_mf_connector_lime_la_CFLAGS = $(AM_CFLAGS) $(SNAPPY_CFLAGS)
connectors_mf_connector_lime_la_LIBADD = $(pluginlib) $(SNAPPY_LIBS)
connectors_mf_connector_lime_la_LDFLAGS = $(plugin_ldflags)

connectors_mf_connector_elf_la_SOURCES = connectors/elf.c
connectors_mf_connector_elf_la_LIBADD = $(pluginlib)
connectors_mf_connector_elf_la_LDFLAGS = $(plugin_ldflags)

connectors_mf_connector_kcore_la_SOURCES = connectors/kcore.c
connectors_mf_connector_kcore_la_LIBADD = $(pluginlib)
connectors_mf_connector_kcore_la_LDFLAGS = $(plugin_ldflags)

connectors_mf_connector_kdump_la_SOURCES = connectors/kdump.c
connectors_mf_connector_kdump_la_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS) $(LZO_CFLAGS) $(SNAPPY_CFLAGS) $(ZSTD_CFLAGS)
connectors_mf_connector_kdump_la_LIBADD = $(pluginlib) $(ZLIB_LIBS) $(LZO_LIBS) $(SNAPPY_LIBS) $(ZSTD_LIBS)
connectors_mf_connector_kdump_la_LDFLAGS = $(plugin_ldflags)

connectors_mf_connector_crashdump_la_SOURCES = connectors/crashdump.c
connectors_mf_connector_crashdump_la_LIBADD = $(pluginlib)
connectors_mf_connector_crashdump_la_LDFLAGS = $(plugin_ldflags)

connectors_mf_connector_vmware_la_SOURCES = connectors/vmware.c
connectors_mf_connector_vmware_la_LIBADD = $(pluginlib)
connectors_mf_connector_vmware_la_LDFLAGS = $(plugin_ldflags)

connectors_mf_connector_minidump_la_SOURCES = connectors/minidump.c
connectors_mf_connector_minidump_la_LIBADD = $(pluginlib)
connectors_mf_connector_minidump_la_LDFLAGS = $(plugin_ldflags)
