/* bench-qemu.c: the qemu connector's read throughput next to the limit, process_vm_readv
 * called directly on the same host addresses.
 *
 *   bench-qemu SPEC      e.g. qemu:pid=1234 (a running guest; `make bench` boots one)
 *
 * (a) 65536 random 4 KiB pages of pc.ram in batches of 1024 (one connector read() call,
 * one process_vm_readv of 1024 iovecs); (b) the first 256 MiB of pc.ram in 1 MiB reads,
 * one per call.  Both through the plugin directly (harness host, no libmf cache), best of
 * 3; prints pages/s or GB/s and the ratio connector/raw. */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <mftools/mf.h>
#include <mftools/plugin.h>

#include "plugin-harness.h"

#define BENCH_PAGE 4096ull
#define BENCH_PAGES 65536u
#define BENCH_BATCH 1024u
#define BENCH_CHUNK (1ull << 20)
#define BENCH_SEQ (256ull << 20)
#define BENCH_RUNS 3

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int
main(int argc, char **argv)
{
	char errbuf[MF_ERRBUF_SIZE] = "";
	const struct mf_connector *c = harness_connector(harness_plugin_path("connector", "qemu"));
	struct mf_spec *spec = NULL;
	struct mf_hints *hints = mf_hints_new();
	struct mf_iov *iov = calloc(BENCH_BATCH, sizeof *iov);
	struct iovec *lo = calloc(BENCH_BATCH, sizeof *lo), *re = calloc(BENCH_BATCH, sizeof *re);
	uint8_t *buf = malloc(BENCH_BATCH * BENCH_PAGE);
	uint64_t *gpa = malloc(BENCH_PAGES * sizeof *gpa), pid = 0, hva = 0, ram_end = 0;
	double best[4] = { 1e9, 1e9, 1e9, 1e9 };
	const char *layout;
	void *h = NULL;
	unsigned run, i, j;

	if (argc != 2 || c == NULL || hints == NULL || iov == NULL || lo == NULL || re == NULL ||
	    buf == NULL || gpa == NULL) {
		fprintf(stderr, "usage: bench-qemu SPEC (plugin built, MF_TOP_BUILDDIR set)\n");
		return 2;
	}
	if (mf_spec_parse(argv[1], &spec, errbuf) < 0 ||
	    c->open(&harness_host, &spec->args, 0, hints, &h, errbuf) < 0) {
		fprintf(stderr, "bench-qemu: %s\n", errbuf);
		return 1;
	}
	mf_hints_get_u64(hints, "qemu_pid", &pid);
	/* the pc.ram block at GPA 0: "0x0-0xa0000 pc.ram@0x0 hva 0x..." */
	layout = mf_hints_get_str(hints, "qemu_layout");
	if (layout == NULL || sscanf(layout, "0x0-%*x pc.ram@0x0 hva %" SCNx64, &hva) != 1) {
		fprintf(stderr, "bench-qemu: no pc.ram at GPA 0 in the layout\n");
		return 1;
	}
	for (; layout; layout = strchr(layout + 1, '\n')) {   /* end of pc.ram below 4 GiB */
		uint64_t s, e;
		char name[16];

		if (sscanf(layout + (layout[0] == '\n'), "0x%" SCNx64 "-0x%" SCNx64 " %15[^@]", &s, &e, name) == 3 &&
		    strcmp(name, "pc.ram") == 0 && e <= (1ull << 32) && e > ram_end)
			ram_end = e;
	}
	if (ram_end < BENCH_SEQ + (1u << 20)) {
		fprintf(stderr, "bench-qemu: guest needs more than %llu MiB of RAM below 4 GiB\n",
		        (unsigned long long)(BENCH_SEQ >> 20) + 1);
		return 1;
	}
	srand(42);
	for (i = 0; i < BENCH_PAGES; i++)   /* pages in [1 MiB, ram_end) */
		gpa[i] = ((1u << 20) + ((uint64_t)rand() % ((ram_end - (1u << 20)) / BENCH_PAGE)) * BENCH_PAGE);
	for (run = 0; run < BENCH_RUNS; run++) {
		double t;

		t = bench_now();
		for (i = 0; i < BENCH_PAGES; i += BENCH_BATCH) {
			for (j = 0; j < BENCH_BATCH; j++)
				iov[j] = (struct mf_iov){ .addr = gpa[i + j], .len = BENCH_PAGE,
				                          .buf = buf + j * BENCH_PAGE };
			if (c->read(h, iov, BENCH_BATCH, errbuf) < 0 || iov[0].err != 0) {
				fprintf(stderr, "bench-qemu: %s\n", errbuf);
				return 1;
			}
		}
		t = bench_now() - t;
		best[0] = t < best[0] ? t : best[0];
		t = bench_now();
		for (i = 0; i < BENCH_PAGES; i += BENCH_BATCH) {
			for (j = 0; j < BENCH_BATCH; j++) {
				lo[j] = (struct iovec){ buf + j * BENCH_PAGE, BENCH_PAGE };
				re[j] = (struct iovec){ (void *)(uintptr_t)(hva + gpa[i + j]), BENCH_PAGE };
			}
			if (process_vm_readv((pid_t)pid, lo, BENCH_BATCH, re, BENCH_BATCH, 0) != (ssize_t)(BENCH_BATCH * BENCH_PAGE))
				return 1;
		}
		t = bench_now() - t;
		best[1] = t < best[1] ? t : best[1];
		t = bench_now();
		for (i = 0; i < BENCH_SEQ / BENCH_CHUNK; i++) {
			struct mf_iov one = { .addr = (1u << 20) + i * BENCH_CHUNK, .len = BENCH_CHUNK, .buf = buf };

			if (c->read(h, &one, 1, errbuf) < 0 || one.err != 0)
				return 1;
		}
		t = bench_now() - t;
		best[2] = t < best[2] ? t : best[2];
		t = bench_now();
		for (i = 0; i < BENCH_SEQ / BENCH_CHUNK; i++) {
			struct iovec l1 = { buf, BENCH_CHUNK };
			struct iovec r1 = { (void *)(uintptr_t)(hva + (1u << 20) + i * BENCH_CHUNK), BENCH_CHUNK };

			if (process_vm_readv((pid_t)pid, &l1, 1, &r1, 1, 0) != (ssize_t)BENCH_CHUNK)
				return 1;
		}
		t = bench_now() - t;
		best[3] = t < best[3] ? t : best[3];
	}
	printf("random 4 KiB pages: connector %.0f pages/s, process_vm_readv %.0f pages/s, ratio %.2f\n",
	       BENCH_PAGES / best[0], BENCH_PAGES / best[1], best[1] / best[0]);
	printf("sequential 1 MiB:   connector %.2f GB/s, process_vm_readv %.2f GB/s, ratio %.2f\n",
	       BENCH_SEQ / best[2] / 1e9, BENCH_SEQ / best[3] / 1e9, best[3] / best[2]);
	c->close(h);
	mf_spec_free(spec);
	mf_hints_free(hints);
	free(iov);
	free(lo);
	free(re);
	free(buf);
	free(gpa);
	return 0;
}
