/* fuzz-elf.c: libFuzzer target for ELF cores: the elf connector opens, maps and reads
 * the input (fuzz-host.c), then the shared core parser reads it again in kcore mode. */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>
#include "fuzz-host.h"
#include "pluginlib/elfcore.h"
#include "pluginlib/rangemap.h"
#include "libmf/mf-int.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fz_file(0, data, size);
	struct elfcore ec = { .host = &mfint_host, .path = "kcore", .fsize = size, .mode = ELFCORE_KCORE };
	struct rmap map = { 0 };
	char err[MF_ERRBUF_SIZE];
	int fd;

	fz_connector_file(data, size);
	if (path == NULL || (fd = open(path, O_RDONLY)) < 0)
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
