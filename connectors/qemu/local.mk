# qemu connector: live guest physical memory of a running QEMU process
connector_LTLIBRARIES += connectors/mf-connector-qemu.la
connectors_mf_connector_qemu_la_SOURCES = connectors/qemu/qemu.c connectors/qemu/qemu.h
connectors_mf_connector_qemu_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
connectors_mf_connector_qemu_la_LIBADD = $(JANSSON_LIBS)
connectors_mf_connector_qemu_la_LDFLAGS = $(plugin_ldflags)
