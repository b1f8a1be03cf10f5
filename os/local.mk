# os: see Makefile.am
