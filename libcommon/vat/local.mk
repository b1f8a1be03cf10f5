# virtual address translation: the batched translator, reads/writes through it, page maps
vat_sources = libcommon/vat/vat-int.h libcommon/vat/vat.c libcommon/vat/vat-rw.c libcommon/vat/vat-map.c
libcommon_libmf_la_SOURCES += $(vat_sources)
