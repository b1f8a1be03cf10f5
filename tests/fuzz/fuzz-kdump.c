// fuzz-sources: connectors/kdump.c libcommon/libmf/error.c libcommon/pluginlib/error.c libcommon/libmf/args.c libcommon/libmf/symfile.c libcommon/libmf/hints.c libcommon/stream/record.c libcommon/stream/out.c libcommon/stream/in.c libcommon/pluginlib/bitmap.c libcommon/pluginlib/fileio.c libcommon/pluginlib/rangemap.c libcommon/pluginlib/vmcoreinfo.c
// fuzz-libs: -lz -llzo2 -lsnappy -lzstd @MSGPACK_LIBS@ -ljansson -lpthread
/* fuzz-kdump.c: libFuzzer target for the kdump connector (see fuzz-file-connector.h). */
#include "fuzz-file-connector.h"
