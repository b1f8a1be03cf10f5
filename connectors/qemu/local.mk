# qemu connector: live guest physical memory of a running QEMU process.
# find.c the process and its command line, qmp.c the QMP client, layout.c guest RAM
# layout (QMP or /proc/PID/maps), io.c reads and writes (process-memory engine), qemu.c
# open, close and the descriptor.
qemu_sources = connectors/qemu/qemu.h connectors/qemu/qemu.c connectors/qemu/find.c \
	connectors/qemu/qmp.c connectors/qemu/layout.c connectors/qemu/io.c
connector_LTLIBRARIES += connectors/mf-connector-qemu.la
connectors_mf_connector_qemu_la_SOURCES = $(qemu_sources)
connectors_mf_connector_qemu_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
connectors_mf_connector_qemu_la_LIBADD = $(pluginlib) $(JANSSON_LIBS)
connectors_mf_connector_qemu_la_LDFLAGS = $(plugin_ldflags)
