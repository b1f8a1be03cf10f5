/* kcore.c: this machine's physical memory through /proc/kcore, an ELF core whose
 * PT_LOADs for the direct map (and kernel text) carry the physical address in p_paddr.
 * Segments without one (vmalloc, modules, vmemmap: p_paddr -1 or 0) are skipped.
 * Reading physical address pa = pread at p_offset + (pa - p_paddr).  Needs root. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mftools/plugin.h>
#include "pluginlib/elfcore.h"
#include "pluginlib/fileio.h"
#include "pluginlib/rangemap.h"

#define KCORE_PATH "/proc/kcore"

struct kcore {
	int fd;
	struct rmap map;
};

static const char *const kcore_keys[] = { "path", NULL };

static void
kcore_close(void *handle)
{
	struct kcore *k = handle;

	if (k == NULL)
		return;
	if (k->fd >= 0)
		close(k->fd);
	rmap_free(&k->map);
	free(k);
}

static int
kcore_open(const struct mf_host *host, const struct mf_args *args, int writable,
           struct mf_hints *hints, void **handle, char *errbuf)
{
	const char *path = host->arg(args, "path");
	struct elfcore ec = { .host = host, .hints = hints, .mode = ELFCORE_KCORE };
	struct kcore *k;
	struct stat st;
	int e;

	if (path == NULL || *path == '\0')
		path = KCORE_PATH;
	ec.path = path;
	if (writable)
		return host->error(errbuf, MF_ERR_READONLY, "cannot open %s writable: kcore is read-only", path);
	k = calloc(1, sizeof *k);
	if (k == NULL)
		return MF_ERR_NOMEM;
	k->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (k->fd < 0) {
		int en = errno;

		if (en == EACCES || en == EPERM)
			e = host->error(errbuf, MF_ERR_PERM, "cannot open %s: permission denied (needs root / CAP_SYS_RAWIO)", path);
		else
			e = host->error_errno(errbuf, en == ENOENT ? MF_ERR_NOTFOUND : MF_ERR_IO, en, "cannot open %s", path);
		goto fail;
	}
	if (fstat(k->fd, &st) < 0) {
		e = host->error_errno(errbuf, MF_ERR_IO, errno, "cannot stat %s", path);
		goto fail;
	}
	/* /proc/kcore reports the end of its highest segment as its size; 0 means unknown */
	ec.fsize = st.st_size > 0 ? (uint64_t)st.st_size : UINT64_MAX;
	ec.fd = k->fd;
	if ((e = elfcore_parse(&ec, &k->map, errbuf)) < 0)
		goto fail;
	*handle = k;
	return 0;
fail:
	kcore_close(k);
	return e;
}

static int
kcore_read(void *handle, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct kcore *k = handle;

	rmap_read(&k->map, k->fd, iov, n, NULL, NULL);
	return 0;
}

static size_t
kcore_ranges(void *handle, const struct mf_range **out)
{
	struct kcore *k = handle;

	*out = k->map.ranges;
	return k->map.nranges;
}

static const struct mf_connector kcore_connector = {
	MF_CONNECTOR_INIT,
	.name = "kcore",
	.description = "this machine's physical memory through /proc/kcore (needs root)",
	.help = "  path=FILE   the kcore file (default /proc/kcore)\n",
	.keys = kcore_keys,
	.flags = 0,
	.open = kcore_open,
	.close = kcore_close,
	.read = kcore_read,
	.ranges = kcore_ranges,
};

MF_REGISTER_CONNECTOR(kcore_connector)
