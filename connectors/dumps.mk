# kdump, Windows crash dump and VMware connectors
