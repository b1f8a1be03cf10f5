/* fuzz-host.h: the host every fuzz target gives the connector it runs in-process
 * (header-only), and the memfd the input goes to (the connector opens it as
 * /proc/self/fd/N). */
#ifndef MF_FUZZ_HOST_H
#define MF_FUZZ_HOST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <mftools/mf.h>

#include "plugin-harness.h"

static void
fz_log(int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);   /* format every message: catches bad arguments */
	va_end(ap);
	(void)level;
}

/* The plugin harness's host (libmf's own functions: hints kept as the tools keep them, so
 * ASan sees every byte a connector hands over; symbol files opened only when the caller
 * trusted the args, which no fuzz input is), with log messages formatted and dropped. */
static const struct mf_host *
fz_host(void)
{
	static struct mf_host host;

	if (host.struct_size == 0) {
		host = harness_host;
		host.log = fz_log;
	}
	return &host;
}

/* Put the input in a memfd (made once) and return "/proc/self/fd/N", or NULL. */
static __attribute__((unused)) const char *
fz_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];

	if (fd < 0) {
		fd = memfd_create("mf-fuzz", MFD_CLOEXEC);
		if (fd < 0)
			return NULL;
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size))
		return NULL;
	return path;
}

/* Open the connector on the input, read a few places of each range, close. */
static __attribute__((unused)) void
fz_run(const struct mf_connector *c, const char *path)
{
	struct mf_kv kv = { "path", path };
	struct mf_args args = { NULL, 1, &kv };
	char err[MF_ERRBUF_SIZE];
	const struct mf_range *r;
	static uint8_t buf[3][70000];
	struct mf_hints *hints = mf_hints_new();
	void *h = NULL;
	size_t n, i;

	if (c->open(fz_host(), &args, 0, hints, &h, err) < 0) {
		mf_hints_free(hints);
		return;
	}
	n = c->ranges(h, &r);
	for (i = 0; i < n && i < 8; i++) {
		struct mf_iov v[4] = {
			{ .addr = r[i].base, .buf = buf[0], .len = r[i].size < sizeof buf[0] ? r[i].size : sizeof buf[0] },
			{ .addr = r[i].base + r[i].size - 1, .buf = buf[1], .len = 1 },
			{ .addr = r[i].base + r[i].size / 2, .buf = buf[2], .len = 100 },   /* may cross the end */
			{ .addr = r[i].base + r[i].size, .buf = buf[1], .len = 16 },
		};

		if (i > 0 && r[i].base < r[i - 1].base + r[i - 1].size)
			abort();   /* ranges must be sorted and disjoint */
		c->read(h, v, 4, err);
		c->read(h, v, 1, err);   /* again: from the cache */
	}
	c->close(h);
	mf_hints_free(hints);
}

#endif
