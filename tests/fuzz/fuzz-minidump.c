/* fuzz-minidump.c: libFuzzer target for Windows minidumps: the minidump connector opened
 * on the input and read (fuzz-host.c), and the parser (pluginlib/minidump.c) run on the
 * input from memory the way the connector and the os layer run it: once recording what
 * it reads, once more from that record (which must give the same dump: abort if not),
 * then every thread's registers and every region's permissions; last, the input itself
 * as the os layer's hint (a hostile target record). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz-host.h"
#include "pluginlib/minidump.h"

struct fz_buf {
	const uint8_t *p;
	size_t len;
};

static int
fz_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	const struct fz_buf *b = ctx;

	if (off > b->len || len > b->len - off)
		abort();   /* md_parse checks every offset against the size first */
	memcpy(buf, b->p + off, len);
	return 0;
}

static void
fz_use(const struct md *m)
{
	struct mf_regs regs;
	char eb[MF_ERRBUF_SIZE], perms[5];
	size_t i;

	for (i = 0; i < m->nthreads; i++) {
		memset(&regs, 0, sizeof regs);
		regs.struct_size = sizeof regs;
		md_thread_regs(m, &m->threads[i], &regs, eb);
		if (md_thread_find(m, m->threads[i].tid) == NULL)
			abort();
	}
	for (i = 0; i < m->ninfos; i++)
		md_info_perms(&m->infos[i], perms);
	for (i = 0; i < m->nmods; i++)
		if (md_module_at(m, m->mods[i].base) == NULL || strlen(m->mods[i].name) > strlen(m->mods[i].path))
			abort();
	for (i = 1; i < m->nmem; i++)
		if (m->mem[i].va < m->mem[i - 1].va + m->mem[i - 1].size)
			abort();   /* the ranges must be sorted and disjoint */
}

static void
fz_same(const struct md *a, const struct md *b)
{
	if (a->nmods != b->nmods || a->nthreads != b->nthreads || a->nmem != b->nmem || a->ninfos != b->ninfos ||
	    a->pid != b->pid || a->arch != b->arch)
		abort();
	for (size_t i = 0; i < a->nmods; i++)
		if (strcmp(a->mods[i].path, b->mods[i].path) != 0 || a->mods[i].base != b->mods[i].base)
			abort();
	if (a->nmem && memcmp(a->mem, b->mem, a->nmem * sizeof *a->mem) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_buf b = { data, size };
	struct md_blob_src src;
	struct md m, again;
	const uint8_t *blob;
	char eb[MF_ERRBUF_SIZE];
	size_t len;

	fz_connector_file(data, size);
	if (md_parse(&m, "fuzz", fz_read, &b, size, 1, eb) == 0) {
		fz_use(&m);
		blob = md_blob(&m, &len);
		if (md_blob_open(&src, blob, len, eb) != 0)
			abort();
		if (md_parse(&again, "fuzz", md_blob_read, &src, src.fsize, 0, eb) != 0)
			abort();   /* the record holds every byte the first parse read */
		fz_same(&m, &again);
		md_free(&again);
		md_blob_close(&src);
		md_free(&m);
	}
	/* the input as the hint the os layer parses */
	if (md_blob_open(&src, data, size, eb) == 0) {
		if (md_parse(&m, "fuzz", md_blob_read, &src, src.fsize, 0, eb) == 0) {
			fz_use(&m);
			md_free(&m);
		}
		md_blob_close(&src);
	}
	return 0;
}
