// fuzz-sources: connectors/elf.c libcommon/libmf/error.c libcommon/pluginlib/error.c libcommon/libmf/args.c libcommon/libmf/symfile.c libcommon/libmf/hints.c libcommon/stream/record.c libcommon/stream/out.c libcommon/stream/in.c libcommon/pluginlib/elfcore.c libcommon/pluginlib/fileio.c libcommon/pluginlib/rangemap.c libcommon/pluginlib/vmcoreinfo.c
// fuzz-libs: -lpthread @MSGPACK_LIBS@ -ljansson
/* fuzz-elf: ELF core parsing (as a file core through the elf connector, and in kcore
 * mode through the shared parser) and reads. */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include "fuzz-host.h"
#include "pluginlib/elfcore.h"
#include "pluginlib/rangemap.h"

const struct mf_connector *mf_connector_entry(void);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fz_file(data, size);
	struct elfcore ec = { .host = fz_host(), .path = "kcore", .fsize = size, .mode = ELFCORE_KCORE };
	struct rmap map = { 0 };
	char err[MF_ERRBUF_SIZE];
	int fd;

	if (path == NULL)
		return 0;
	mf_connector_entry()->probe(data, size, size);
	fz_run(mf_connector_entry(), path);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ec.fd = fd;
	ec.hints = mf_hints_new();
	if (elfcore_parse(&ec, &map, err) == 0) {
		uint8_t buf[64];
		struct mf_iov v = { .addr = map.n ? map.seg[0].base : 0, .buf = buf, .len = sizeof buf };

		rmap_read(&map, fd, &v, 1, NULL, NULL);
	}
	rmap_free(&map);
	mf_hints_free(ec.hints);
	close(fd);
	return 0;
}
