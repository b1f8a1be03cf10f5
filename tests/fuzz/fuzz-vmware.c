// fuzz-sources: connectors/vmware.c libcommon/error.c libcommon/args.c libcommon/hints.c libcommon/record.c libcommon/out.c libcommon/in.c
// fuzz-libs:  @MSGPACK_LIBS@ -ljansson
/* fuzz-vmware.c: libFuzzer target for the vmware connector (see fuzz-file-connector.h). */
#include "fuzz-file-connector.h"
