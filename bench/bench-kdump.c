/* bench-kdump: the limit for reading a kdump-zlib file: zlib uncompress() of every page
 * descriptor's data, from memory, in a tight loop.  Prints the decompressed bytes per second
 * (bench-kdump.sh sets it next to mf-read through the kdump connector).
 * Usage: bench-kdump FILE.kdump   (plain, not flattened, kdump-compressed file) */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

static uint64_t
bench_kdump_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static double
bench_kdump_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	FILE *fp;
	uint8_t *f, *page;
	long sz;
	uint64_t bs, sub, bmb, desc, ndesc = 0, bytes = 0, bm2;
	double t0, best = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: bench-kdump FILE.kdump\n");
		return 2;
	}
	if ((fp = fopen(argv[1], "rb")) == NULL || fseek(fp, 0, SEEK_END) != 0 || (sz = ftell(fp)) < 4096) {
		fprintf(stderr, "bench-kdump: cannot read %s\n", argv[1]);
		return 1;
	}
	rewind(fp);
	f = malloc((size_t)sz);
	if (f == NULL || fread(f, 1, (size_t)sz, fp) != (size_t)sz || memcmp(f, "KDUMP   ", 8) != 0) {
		fprintf(stderr, "bench-kdump: %s is not a plain kdump file\n", argv[1]);
		return 1;
	}
	fclose(fp);
	bs = bench_kdump_le(f + 0x1ac, 4);
	sub = bench_kdump_le(f + 0x1b0, 4);
	bmb = bench_kdump_le(f + 0x1b4, 4);
	bm2 = (1 + sub + bmb / 2) * bs;
	desc = (1 + sub + bmb) * bs;
	if (bs == 0 || bs > (1u << 20) || desc > (uint64_t)sz || bm2 > (uint64_t)sz) {
		fprintf(stderr, "bench-kdump: bad header\n");
		return 1;
	}
	for (uint64_t i = bm2; i < desc; i++)
		ndesc += (uint64_t)__builtin_popcount(f[i]);
	if (desc + ndesc * 24 > (uint64_t)sz) {
		fprintf(stderr, "bench-kdump: descriptors past the end of file\n");
		return 1;
	}
	page = malloc(bs);
	for (int run = 0; run < 3; run++) {
		double t;

		bytes = 0;
		t0 = bench_kdump_now();
		for (uint64_t d = 0; d < ndesc; d++) {
			const uint8_t *pd = f + desc + 24 * d;
			uint64_t off = bench_kdump_le(pd, 8), len = bench_kdump_le(pd + 8, 4);
			uint32_t flags = (uint32_t)bench_kdump_le(pd + 12, 4);
			uLongf out = (uLongf)bs;

			if (off > (uint64_t)sz || len > (uint64_t)sz - off)
				continue;
			if (flags & 1) {
				if (uncompress(page, &out, f + off, (uLong)len) != Z_OK)
					continue;
			} else if (flags == 0 && len == bs) {
				memcpy(page, f + off, bs);
			} else {
				continue;
			}
			bytes += bs;
		}
		t = bench_kdump_now() - t0;
		if (run == 0 || t < best)
			best = t;
	}
	printf("%llu %.0f\n", (unsigned long long)bytes, (double)bytes / best / 1e6);
	free(page);
	free(f);
	return 0;
}
