# virtual address translation: libmf sources and their tests
libcommon_libmf_la_SOURCES +=
