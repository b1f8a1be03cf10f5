/* bench-fileread: sequential read throughput of the raw and elf connectors (1 MiB
 * batches of 256 x 4 KiB entries, through the plugin's read()) next to `cat FILE
 * >/dev/null`, both from the page cache.
 * Usage: bench-fileread [SIZE_MIB]   (default 2048; files in $TMPDIR, removed after) */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <mftools/plugin.h>

#include "plugin-harness.h"

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
bench_cat(const char *path)
{
	char cmd[1200];
	double t;

	snprintf(cmd, sizeof cmd, "cat '%s' >/dev/null", path);
	if (system(cmd) != 0)   /* warm the page cache */
		return 0;
	t = bench_now();
	if (system(cmd) != 0)
		return 0;
	return bench_now() - t;
}

static double
bench_conn(const char *name, const char *path, uint64_t *bytes)
{
	char err[MF_ERRBUF_SIZE];
	const struct mf_connector *c = harness_connector(harness_plugin_path("connector", name));
	struct mf_hints *hints = mf_hints_new();
	struct mf_kv kv = { "path", path };
	struct mf_args args = { NULL, 1, &kv };
	const struct mf_range *r;
	struct mf_iov v[256];
	uint8_t *buf = malloc(1 << 20);
	void *h;
	size_t n, i, k;
	double t;

	if (c == NULL) {
		fprintf(stderr, "bench-fileread: cannot load the %s connector\n", name);
		exit(1);
	}
	if (c->open(&harness_host, &args, 0, hints, &h, err) < 0) {
		fprintf(stderr, "bench-fileread: %s\n", err);
		exit(1);
	}
	*bytes = 0;
	n = c->ranges(h, &r);
	t = bench_now();
	for (i = 0; i < n; i++) {
		uint64_t a;

		for (a = r[i].base; a + (1 << 20) <= r[i].base + r[i].size; a += 1 << 20) {
			for (k = 0; k < 256; k++)
				v[k] = (struct mf_iov){ .addr = a + k * 4096, .buf = buf + k * 4096, .len = 4096 };
			c->read(h, v, 256, err);
			for (k = 0; k < 256; k++)
				if (v[k].err != 0) {
					fprintf(stderr, "bench-fileread: read 0x%llx failed\n", (unsigned long long)v[k].addr);
					exit(1);
				}
			*bytes += 1 << 20;
		}
	}
	t = bench_now() - t;
	c->close(h);
	mf_hints_free(hints);
	free(buf);
	return t;
}

int
main(int argc, char **argv)
{
	uint64_t mib = argc > 1 ? strtoull(argv[1], NULL, 0) : 2048, i, bytes;
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char rawp[1024], elfp[1024];
	uint8_t *chunk = malloc(1 << 20), eh[64 + 56] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	int fd;
	double tc, tr, te;

	snprintf(rawp, sizeof rawp, "%s/bench-fileread-%d.raw", tmp, (int)getpid());
	snprintf(elfp, sizeof elfp, "%s/bench-fileread-%d.core", tmp, (int)getpid());
	for (i = 0; i < (1 << 20); i++)
		chunk[i] = (uint8_t)(i * 131 + (i >> 12));
	/* ELF64 core: one PT_LOAD at physical 0, data right after the headers */
	eh[16] = 4; eh[18] = 62; eh[20] = 1; eh[32] = 64; eh[52] = 64; eh[54] = 56; eh[56] = 1;
	eh[64] = 1;
	memcpy(eh + 64 + 8, &(uint64_t){ 64 + 56 }, 8);
	memcpy(eh + 64 + 32, &(uint64_t){ mib << 20 }, 8);
	memcpy(eh + 64 + 40, &(uint64_t){ mib << 20 }, 8);
	fd = open(rawp, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	for (i = 0; fd >= 0 && i < mib; i++)
		if (write(fd, chunk, 1 << 20) != 1 << 20)
			return 1;
	close(fd);
	fd = open(elfp, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	if (fd < 0 || write(fd, eh, sizeof eh) != (ssize_t)sizeof eh)
		return 1;
	for (i = 0; i < mib; i++)
		if (write(fd, chunk, 1 << 20) != 1 << 20)
			return 1;
	close(fd);

	tc = bench_cat(rawp);
	tr = bench_conn("raw", rawp, &bytes);
	printf("raw  %6.2f GB/s   cat %6.2f GB/s   ratio %.2f\n", bytes / tr / 1e9, bytes / tc / 1e9, tc / tr);
	tc = bench_cat(elfp);
	te = bench_conn("elf", elfp, &bytes);
	printf("elf  %6.2f GB/s   cat %6.2f GB/s   ratio %.2f\n", bytes / te / 1e9, bytes / tc / 1e9, tc / te);
	unlink(rawp);
	unlink(elfp);
	free(chunk);
	return 0;
}
