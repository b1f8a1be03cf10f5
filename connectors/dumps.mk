# kdump, Windows crash dump and VMware connectors
connector_LTLIBRARIES += connectors/mf-connector-kdump.la connectors/mf-connector-crashdump.la \
	connectors/mf-connector-vmware.la

connectors_mf_connector_kdump_la_SOURCES = connectors/kdump.c connectors/fileio.h connectors/dumps-util.h
connectors_mf_connector_kdump_la_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS) $(LZO_CFLAGS) $(SNAPPY_CFLAGS) $(ZSTD_CFLAGS)
connectors_mf_connector_kdump_la_LIBADD = $(ZLIB_LIBS) $(LZO_LIBS) $(SNAPPY_LIBS) $(ZSTD_LIBS)
connectors_mf_connector_kdump_la_LDFLAGS = $(plugin_ldflags)

connectors_mf_connector_crashdump_la_SOURCES = connectors/crashdump.c connectors/fileio.h connectors/dumps-util.h
connectors_mf_connector_crashdump_la_LDFLAGS = $(plugin_ldflags)

connectors_mf_connector_vmware_la_SOURCES = connectors/vmware.c connectors/fileio.h connectors/dumps-util.h
connectors_mf_connector_vmware_la_LDFLAGS = $(plugin_ldflags)
