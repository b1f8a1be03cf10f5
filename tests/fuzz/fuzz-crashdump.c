// fuzz-sources: connectors/crashdump.c libcommon/libmf/error.c libcommon/pluginlib/error.c libcommon/libmf/args.c libcommon/libmf/symfile.c libcommon/libmf/hints.c libcommon/stream/record.c libcommon/stream/out.c libcommon/stream/in.c libcommon/pluginlib/bitmap.c libcommon/pluginlib/fileio.c libcommon/pluginlib/rangemap.c
// fuzz-libs:  @MSGPACK_LIBS@ -ljansson -lpthread
/* fuzz-crashdump.c: libFuzzer target for the crashdump connector (see fuzz-file-connector.h). */
#include "fuzz-file-connector.h"
