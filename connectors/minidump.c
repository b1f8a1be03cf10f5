/* minidump.c: Windows process minidumps (MDMP: dbghelp's MiniDumpWriteDump, procdump,
 * Task Manager) as a one-process target.  The "physical" address space this connector
 * gives is the dumped process's virtual memory: its ranges are those of the
 * Memory64ListStream (full-memory dumps) or the MemoryListStream, each read from where
 * the file holds it; addresses outside them are per-entry errors.  The rest of the dump
 * (modules, threads and their contexts, memory regions, the process id) is parsed here by
 * pluginlib/minidump.c, which checks every field against the file's size, and handed to
 * the minidump os layer as the hint "minidump" (the bytes it read, so the layer parses
 * the same bytes without opening the file); the hint "default_os" names that layer, so
 * `-c app.dmp` needs no -o. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>

#include <mftools/plugin.h>
#include "pluginlib/fileio.h"
#include "pluginlib/minidump.h"
#include "pluginlib/rangemap.h"

struct mdc {
	int fd;
	uint64_t fsize;
	struct rmap map;
};

static const char *const mdc_keys[] = { "path", NULL };

static int
mdc_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
	(void)file_size;
	return md_probe(head, len);
}

static int
mdc_file_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	const struct mdc *c = ctx;

	return fio_pread_piece(c->fd, c->fsize, buf, len, off);
}

static void
mdc_close(void *handle)
{
	struct mdc *c = handle;

	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	rmap_free(&c->map);
	free(c);
}

static int
mdc_open(const struct mf_host *host, const struct mf_args *args, int writable, struct mf_hints *hints,
         void **handle, char *errbuf)
{
	const char *path = host->arg(args, "path");
	const uint8_t *blob;
	struct md m;
	struct mdc *c;
	size_t len, i;
	int rc;

	if (writable)
		return host->error(errbuf, MF_ERR_READONLY, "minidumps cannot be opened writable");
	if (path == NULL)
		path = args->def;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return MF_ERR_NOMEM;
	c->fd = -1;
	c->map.max = MD_MAX_RANGES;
	if ((rc = fio_open(path, 0, &c->fd, &c->fsize, errbuf)) < 0)
		goto fail;
	if ((rc = md_parse(&m, path, mdc_file_read, c, c->fsize, 1, errbuf)) < 0)
		goto fail;
	for (i = 0; i < m.nmem && rc == 0; i++)
		rc = rmap_add(&c->map, m.mem[i].va, m.mem[i].size, m.mem[i].off, RMAP_PLAIN, 0);
	if (rc == 0)
		rc = rmap_finish(&c->map, 0, &(size_t){ 0 });
	if (rc < 0) {
		host->error(errbuf, rc, "%s: cannot build the memory map of %zu ranges", path, m.nmem);
		md_free(&m);
		goto fail;
	}
	if (m.mem_cut)
		host->log(0, "%s: 0x%" PRIx64 " bytes of the minidump's memory ranges lie past the end of the file (0x%" PRIx64
		          " bytes: cut, or a range's size lies); they are holes", path, m.mem_cut, c->fsize);
	if (m.mem_overlaps)
		host->log(0, "%s: %zu minidump memory ranges overlap others; the first one read holds the bytes", path,
		          m.mem_overlaps);
	blob = md_blob(&m, &len);
	host->hint_set_str(hints, "format", m.mem64 ? "minidump-full" : "minidump");
	host->hint_set_str(hints, "default_os", "minidump");
	if (m.arch != MF_ARCH_UNKNOWN)
		host->hint_set_str(hints, "arch", host->arch_name(m.arch));
	if (m.has_pid)
		host->hint_set_u64(hints, "pid", m.pid);
	if (m.os_build)
		host->hint_set_u64(hints, "build", m.os_build);
	rc = host->hint_set_bin(hints, "minidump", blob, len);
	md_free(&m);
	if (rc < 0)
		goto fail;
	*handle = c;
	return 0;
fail:
	mdc_close(c);
	return rc;
}

static int
mdc_read(void *handle, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct mdc *c = handle;

	(void)errbuf;
	rmap_read(&c->map, c->fd, iov, n, NULL, NULL);
	return 0;
}

static size_t
mdc_ranges(void *handle, const struct mf_range **out)
{
	struct mdc *c = handle;

	*out = c->map.ranges;
	return c->map.nranges;
}

static const struct mf_connector mdc_connector = {
	MF_CONNECTOR_INIT,
	.name = "minidump",
	.description = "Windows process minidump (MDMP): the process's virtual memory; os layer minidump",
	.help = "  path=FILE   the .dmp file (MiniDumpWriteDump, procdump): its memory ranges are the address space\n",
	.keys = mdc_keys,
	.flags = MF_CONN_FILE,
	.probe = mdc_probe,
	.open = mdc_open,
	.close = mdc_close,
	.read = mdc_read,
	.ranges = mdc_ranges,
};

MF_REGISTER_CONNECTOR(mdc_connector)
