// fuzz-sources: connectors/lime.c libcommon/libmf/error.c libcommon/pluginlib/error.c libcommon/libmf/args.c libcommon/libmf/symfile.c libcommon/libmf/hints.c libcommon/stream/record.c libcommon/stream/out.c libcommon/stream/in.c libcommon/pluginlib/fileio.c libcommon/pluginlib/rangemap.c
// fuzz-libs: -lsnappy -lpthread @MSGPACK_LIBS@ -ljansson
/* fuzz-lime: LiME and AVML parsing and reads in the lime connector. */
#include "config.h"

#include "fuzz-host.h"

const struct mf_connector *mf_connector_entry(void);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fz_file(data, size);

	if (path == NULL)
		return 0;
	mf_connector_entry()->probe(data, size, size);
	fz_run(mf_connector_entry(), path);
	return 0;
}
