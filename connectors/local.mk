# connectors: each a loadable module mf-connector-NAME.so in $(connectordir)
# raw, lime/avml, elf, kcore: here; kdump, Windows crash dumps, VMware: connectors/dumps.mk
include connectors/dumps.mk
include connectors/qemu.mk
