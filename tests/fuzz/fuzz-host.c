/* fuzz-host.c: the input file and driver of the connector fuzz targets (see
 * fuzz-host.h); the host is libmf's own, with its messages formatted and not shown. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fuzz-host.h"
#include "libmf/mf-int.h"

const char *
fz_file(int slot, const void *data, size_t size)
{
	static int fd[2] = { -1, -1 };
	static char path[2][64];

	if (slot < 0 || slot > 1)
		return NULL;
	if (fd[slot] < 0) {
		fd[slot] = memfd_create("mf-fuzz", MFD_CLOEXEC);
		if (fd[slot] < 0)
			return NULL;
		snprintf(path[slot], sizeof path[slot], "/proc/self/fd/%d", fd[slot]);
	}
	if (ftruncate(fd[slot], 0) < 0 ||
	    (size > 0 && pwrite(fd[slot], data, size, 0) != (ssize_t)size))
		return NULL;
	return path[slot];
}

/* Read the edges, the middle (possibly crossing the end) and just past the end of up to
 * eight ranges, twice; then page 0 and an unaligned span in page 5. */
static void
fz_read_map(const struct mf_connector *c, void *h)
{
	static uint8_t buf[3][70000];
	char err[MF_ERRBUF_SIZE];
	const struct mf_range *r;
	size_t n = c->ranges(h, &r);

	for (size_t i = 0; i < n; i++)
		if (r[i].size == 0 || (i > 0 && r[i].base < r[i - 1].base + r[i - 1].size))
			abort();   /* ranges must be non-empty, sorted and disjoint */
	for (size_t i = 0; i < n && i < 8; i++) {
		struct mf_iov v[4] = {
			{ .addr = r[i].base, .buf = buf[0],
			  .len = r[i].size < sizeof buf[0] ? r[i].size : sizeof buf[0] },
			{ .addr = r[i].base + r[i].size - 1, .buf = buf[1], .len = 1 },
			{ .addr = r[i].base + r[i].size / 2, .buf = buf[2], .len = 100 },
			{ .addr = r[i].base + r[i].size, .buf = buf[1], .len = 16 },
		};

		c->read(h, v, 4, err);
		c->read(h, v, 1, err);
	}
	{
		struct mf_iov v[2] = {
			{ .addr = 0, .buf = buf[0], .len = 4096 },
			{ .addr = 0x5000 + 123, .buf = buf[1], .len = 100 },
		};

		c->read(h, v, 2, err);
	}
}

/* Views, where the connector offers them, of each range's start, across its end and past
 * it: every byte a view shows is touched, and must be what a read of it returns. */
static void
fz_view_map(const struct mf_connector *c, void *h)
{
	static uint8_t buf[70000];
	char err[MF_ERRBUF_SIZE];
	const struct mf_range *r;
	size_t n = c->ranges(h, &r);

	for (size_t i = 0; i < n && i < 8 && c->view != NULL; i++) {
		const uint64_t at[3][2] = {
			{ r[i].base, r[i].size < sizeof buf ? r[i].size : sizeof buf },
			{ r[i].base + r[i].size - 1, 2 },
			{ r[i].base + r[i].size, 16 },
		};

		for (size_t k = 0; k < 3; k++) {
			struct mf_iov v = { .addr = at[k][0], .buf = buf, .len = at[k][1] };
			const void *d = NULL;

			if (c->view(h, v.addr, v.len, &d) != 0)
				continue;
			c->read(h, &v, 1, err);
			if (d == NULL || v.err != 0 || memcmp(d, buf, (size_t)v.len) != 0)
				abort();   /* a view that is not the bytes a read returns */
		}
	}
}

void
fz_run(const struct mf_args *args)
{
	const struct mf_connector *c = mf_connector_entry();
	struct mf_hints *hints = mf_hints_new();
	char err[MF_ERRBUF_SIZE];
	void *h = NULL;

	mf_log_init("fuzz", -1);
	if (hints == NULL)
		return;
	if (c->open(&mfint_host, args, 0, hints, &h, err) == 0) {
		fz_read_map(c, h);
		fz_view_map(c, h);
		c->close(h);
	}
	mf_hints_free(hints);
}

int
fz_connector_file(const uint8_t *data, size_t size)
{
	const char *path = fz_file(0, data, size);
	struct mf_kv kv = { "path", path };
	struct mf_args args = { NULL, 1, &kv };

	if (path == NULL)
		return 0;
	if (mf_connector_entry()->probe != NULL)
		mf_connector_entry()->probe(data, size < 65536 ? size : 65536, size);
	fz_run(&args);
	return 0;
}
