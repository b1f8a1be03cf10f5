// fuzz-sources: connectors/vmware.c libcommon/libmf/error.c libcommon/pluginlib/error.c libcommon/libmf/args.c libcommon/libmf/symfile.c libcommon/libmf/hints.c libcommon/stream/record.c libcommon/stream/out.c libcommon/stream/in.c libcommon/pluginlib/fileio.c libcommon/pluginlib/rangemap.c
// fuzz-libs:  @MSGPACK_LIBS@ -ljansson -lpthread
/* fuzz-vmware.c: libFuzzer target for the vmware connector (see fuzz-file-connector.h). */
#include "fuzz-file-connector.h"
