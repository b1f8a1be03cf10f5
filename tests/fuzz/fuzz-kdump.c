// fuzz-sources: connectors/kdump.c libcommon/error.c libcommon/args.c libcommon/hints.c libcommon/record.c libcommon/out.c libcommon/in.c
// fuzz-libs: -lz -llzo2 -lsnappy -lzstd @MSGPACK_LIBS@ -ljansson
/* fuzz-kdump.c: libFuzzer target for the kdump connector (see fuzz-file-connector.h). */
#include "fuzz-file-connector.h"
