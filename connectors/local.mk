# connectors: see Makefile.am
