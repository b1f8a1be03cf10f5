/* raw.c: a raw (padded) physical memory image: byte N of the file is physical address
 * base + N.  The fallback for files no other connector recognises. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mftools/plugin.h>
#include "pluginlib/fileio.h"
#include "pluginlib/rangemap.h"

struct raw {
	int fd;
	int writable;
	struct rmap map;
	struct fio_map fmap;   /* the file, mapped for views (none if it cannot be) */
};

static const char *const raw_keys[] = { "path", "base", NULL };

/* Magic of compressed files: never raw memory, whatever their size. */
static int
raw_is_compressed(const uint8_t *h, size_t len)
{
	static const struct { const char *m; size_t n; } magic[] = {
		{ "\x1f\x8b", 2 },                  /* gzip */
		{ "\xfd" "7zXZ\0", 6 },             /* xz */
		{ "\x28\xb5\x2f\xfd", 4 },          /* zstd */
		{ "BZh", 3 },                       /* bzip2 */
		{ "\x04\x22\x4d\x18", 4 },          /* lz4 */
		{ "PK\x03\x04", 4 },                /* zip */
		{ "7z\xbc\xaf\x27\x1c", 6 },        /* 7-zip */
		{ "\xff\x06\0\0sNaPpY", 10 },       /* snappy framed */
	};
	size_t i;

	for (i = 0; i < sizeof magic / sizeof magic[0]; i++)
		if (len >= magic[i].n && memcmp(h, magic[i].m, magic[i].n) == 0)
			return 1;
	return 0;
}

static int
raw_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
	if (file_size == 0 || file_size % 4096 != 0 || raw_is_compressed(head, len))
		return 0;
	return 1;
}

static void
raw_close(void *handle)
{
	struct raw *r = handle;

	if (r == NULL)
		return;
	fio_unmap(&r->fmap);
	if (r->fd >= 0)
		close(r->fd);
	rmap_free(&r->map);
	free(r);
}

static int
raw_open(const struct mf_host *host, const struct mf_args *args, int writable,
         struct mf_hints *hints, void **handle, char *errbuf)
{
	const char *path = host->arg(args, "path"), *sbase = host->arg(args, "base");
	uint64_t base = 0, size;
	struct raw *r;
	int err;

	if (sbase != NULL && host->parse_u64(sbase, &base) < 0)
		return host->error(errbuf, MF_ERR_ARG, "bad base=%s: not a number", sbase);
	r = calloc(1, sizeof *r);
	if (r == NULL)
		return MF_ERR_NOMEM;
	r->fd = -1;
	r->writable = writable;
	err = fio_open(path, writable, &r->fd, &size, errbuf);
	if (err < 0)
		goto fail;
	if (size == 0) {
		err = host->error(errbuf, MF_ERR_FORMAT, "cannot open %s: empty file", path);
		goto fail;
	}
	if (base + size < base) {
		err = host->error(errbuf, MF_ERR_RANGE,
		         "cannot open %s: base 0x%" PRIx64 " + 0x%" PRIx64 " bytes overflows 64 bits",
		         path, base, size);
		goto fail;
	}
	if ((err = rmap_add(&r->map, base, size, 0, RMAP_PLAIN, 0)) < 0 ||
	    (err = rmap_finish(&r->map, 0, &(size_t){ 0 })) < 0)
		goto fail;
	if ((err = host->hint_set_str(hints, "format", "raw")) < 0)
		goto fail;
	fio_map(r->fd, size, &r->fmap);   /* without it, views are refused and reads copy */
	*handle = r;
	return 0;
fail:
	if (err == MF_ERR_NOMEM)
		host->error(errbuf, err, "cannot open %s: out of memory", path);
	raw_close(r);
	return err;
}

static int
raw_read(void *handle, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct raw *r = handle;

	rmap_read(&r->map, r->fd, iov, n, NULL, NULL);
	return 0;
}

static int
raw_write(void *handle, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct raw *r = handle;
	size_t i;

	if (!r->writable) {
		for (i = 0; i < n; i++)
			iov[i].err = MF_ERR_READONLY;
		return 0;
	}
	rmap_write(&r->map, r->fd, iov, n);
	return 0;
}

static int
raw_view(void *handle, uint64_t addr, uint64_t len, const void **data)
{
	struct raw *r = handle;

	return rmap_view(&r->map, &r->fmap, addr, len, data);
}

static size_t
raw_ranges(void *handle, const struct mf_range **out)
{
	struct raw *r = handle;

	*out = r->map.ranges;
	return r->map.nranges;
}

static const struct mf_connector raw_connector = {
	MF_CONNECTOR_INIT,
	.name = "raw",
	.description = "raw physical memory image (byte N is address base+N)",
	.help = "  path=FILE   the image\n"
	        "  base=ADDR   physical address of the first byte (default 0)\n",
	.keys = raw_keys,
	.flags = MF_CONN_FILE | MF_CONN_WRITE,
	.probe = raw_probe,
	.open = raw_open,
	.close = raw_close,
	.read = raw_read,
	.thread_model = MF_THREAD_PARALLEL,   /* pread on a shared fd, the map read-only */
	.write = raw_write,
	.ranges = raw_ranges,
	.view = raw_view,
};

MF_REGISTER_CONNECTOR(raw_connector)
