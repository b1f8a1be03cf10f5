/* elf.c: ELF core files: QEMU dump-guest-memory, VirtualBox, generic cores, and the ELF
 * cores mftools writes.  PT_LOAD p_paddr is the physical address; see pluginlib/elfcore.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mftools/plugin.h>
#include "pluginlib/bytes.h"
#include "pluginlib/elfcore.h"
#include "pluginlib/fileio.h"
#include "pluginlib/rangemap.h"

struct elf {
	int fd;
	struct rmap map;
	struct fio_map fmap;   /* the file, mapped for views (none if it cannot be) */
};

static const char *const elf_keys[] = { "path", NULL };

static int
elf_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
	if (len < 18 || memcmp(head, "\177ELF", 4) != 0)
		return 0;
	if ((head[4] == 1 || head[4] == 2) && head[5] == 1 && get_le16(head + 16) == 4)
		return 100;
	return 10;   /* an ELF file but not a little-endian core: open says which */
}

static void
elf_close(void *handle)
{
	struct elf *x = handle;

	if (x == NULL)
		return;
	fio_unmap(&x->fmap);
	if (x->fd >= 0)
		close(x->fd);
	rmap_free(&x->map);
	free(x);
}

static int
elf_open(const struct mf_host *host, const struct mf_args *args, int writable,
         struct mf_hints *hints, void **handle, char *errbuf)
{
	const char *path = host->arg(args, "path");
	struct elfcore ec = { .host = host, .hints = hints, .path = path, .mode = ELFCORE_FILE };
	struct elf *x;
	int e;

	if (writable)
		return host->error(errbuf, MF_ERR_READONLY, "cannot open %s writable: elf cores are read-only",
		         path ? path : "elf");
	x = calloc(1, sizeof *x);
	if (x == NULL)
		return MF_ERR_NOMEM;
	x->fd = -1;
	if ((e = fio_open(path, 0, &x->fd, &ec.fsize, errbuf)) < 0)
		goto fail;
	ec.fd = x->fd;
	if ((e = elfcore_parse(&ec, &x->map, errbuf)) < 0)
		goto fail;
	fio_map(x->fd, ec.fsize, &x->fmap);   /* without it, views are refused and reads copy */
	*handle = x;
	return 0;
fail:
	elf_close(x);
	return e;
}

static int
elf_read(void *handle, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct elf *x = handle;

	rmap_read(&x->map, x->fd, iov, n, NULL, NULL);
	return 0;
}

static int
elf_view(void *handle, uint64_t addr, uint64_t len, const void **data)
{
	struct elf *x = handle;

	return rmap_view(&x->map, &x->fmap, addr, len, data);
}

static size_t
elf_ranges(void *handle, const struct mf_range **out)
{
	struct elf *x = handle;

	*out = x->map.ranges;
	return x->map.nranges;
}

static const struct mf_connector elf_connector = {
	MF_CONNECTOR_INIT,
	.name = "elf",
	.description = "ELF core file (QEMU dump-guest-memory, VirtualBox, generic)",
	.help = "  path=FILE   the core file\n",
	.keys = elf_keys,
	.flags = MF_CONN_FILE,
	.probe = elf_probe,
	.open = elf_open,
	.close = elf_close,
	.read = elf_read,
	.ranges = elf_ranges,
	.view = elf_view,
};

MF_REGISTER_CONNECTOR(elf_connector)
