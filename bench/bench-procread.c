/* bench-procread.c: process memory read throughput of the native os layer next to the
 * limit, process_vm_readv called directly in a minimal loop.
 *
 * A child holds 1 GiB of touched memory.  (a) read it in 1 MiB chunks, one chunk per call;
 * (b) read 262144 random 4 KiB pages in batches of 1024 (one read() call of the plugin,
 * one process_vm_readv of 1024 iovecs).  Best of 3; prints GB/s or pages/s and the ratio.
 * Run by `make bench`; MF_TOP_BUILDDIR names the build tree holding the plugin. */
#include "config.h"

#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mftools/mf.h>
#include <mftools/plugin.h>

#include "plugin-harness.h"

#define BENCH_SIZE (1ull << 30)
#define BENCH_CHUNK (1ull << 20)
#define BENCH_PAGE 4096ull
#define BENCH_PAGES 262144u
#define BENCH_BATCH 1024u
#define BENCH_RUNS 3

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t bench_rng = 0x9e3779b97f4a7c15ull;

static uint64_t
bench_rand(void)
{
	bench_rng ^= bench_rng << 13;
	bench_rng ^= bench_rng >> 7;
	bench_rng ^= bench_rng << 17;
	return bench_rng;
}

struct bench {
	const struct mf_os *os;
	void *h;
	pid_t pid;
	uint64_t base;
	uint8_t *buf;       /* BENCH_BATCH pages */
	uint64_t *offs;     /* BENCH_PAGES random page offsets */
	struct mf_iov *iov;
	struct iovec *local, *remote;
	int errors;
};

static double
bench_chunks_plugin(struct bench *b)
{
	char errbuf[MF_ERRBUF_SIZE];
	double t = bench_now();
	uint64_t off;

	for (off = 0; off < BENCH_SIZE; off += BENCH_CHUNK) {
		struct mf_iov iov = { .addr = b->base + off, .buf = b->buf, .len = BENCH_CHUNK };

		if (b->os->read(b->h, (uint64_t)b->pid, &iov, 1, errbuf) != 0 || iov.err != 0)
			b->errors++;
	}
	return bench_now() - t;
}

static double
bench_chunks_direct(struct bench *b)
{
	double t = bench_now();
	uint64_t off;

	for (off = 0; off < BENCH_SIZE; off += BENCH_CHUNK) {
		struct iovec l = { b->buf, BENCH_CHUNK };
		struct iovec r = { (void *)(uintptr_t)(b->base + off), BENCH_CHUNK };

		if (process_vm_readv(b->pid, &l, 1, &r, 1, 0) != (ssize_t)BENCH_CHUNK)
			b->errors++;
	}
	return bench_now() - t;
}

static double
bench_pages_plugin(struct bench *b)
{
	char errbuf[MF_ERRBUF_SIZE];
	double t = bench_now();
	unsigned i, j;

	for (i = 0; i < BENCH_PAGES; i += BENCH_BATCH) {
		for (j = 0; j < BENCH_BATCH; j++) {
			b->iov[j].addr = b->base + b->offs[i + j];
			b->iov[j].buf = b->buf + (uint64_t)j * BENCH_PAGE;
			b->iov[j].len = BENCH_PAGE;
		}
		if (b->os->read(b->h, (uint64_t)b->pid, b->iov, BENCH_BATCH, errbuf) != 0)
			b->errors++;
		for (j = 0; j < BENCH_BATCH; j++)
			b->errors += b->iov[j].err != 0;
	}
	return bench_now() - t;
}

static double
bench_pages_direct(struct bench *b)
{
	double t = bench_now();
	unsigned i, j;

	for (i = 0; i < BENCH_PAGES; i += BENCH_BATCH) {
		for (j = 0; j < BENCH_BATCH; j++) {
			b->local[j].iov_base = b->buf + (uint64_t)j * BENCH_PAGE;
			b->local[j].iov_len = BENCH_PAGE;
			b->remote[j].iov_base = (void *)(uintptr_t)(b->base + b->offs[i + j]);
			b->remote[j].iov_len = BENCH_PAGE;
		}
		if (process_vm_readv(b->pid, b->local, BENCH_BATCH, b->remote, BENCH_BATCH, 0)
		    != (ssize_t)(BENCH_BATCH * BENCH_PAGE))
			b->errors++;
	}
	return bench_now() - t;
}

/* Best of BENCH_RUNS for both, alternating them, so that load from elsewhere on the
 * machine falls on both alike. */
static void
bench_best(struct bench *b, double (*plugin)(struct bench *), double (*direct)(struct bench *),
           double *tp, double *td)
{
	int i;

	*tp = *td = 1e30;
	for (i = 0; i < BENCH_RUNS; i++) {
		double t = direct(b);

		if (t < *td)
			*td = t;
		t = plugin(b);
		if (t < *tp)
			*tp = t;
	}
}

/* Does the page just read hold what the child wrote there (its offset in every word)? */
static int
bench_check(struct bench *b, uint64_t off, const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return v == off;
}

int
main(void)
{
	char errbuf[MF_ERRBUF_SIZE] = "";
	struct bench b = { 0 };
	int ready[2], hold[2];
	double a_p, a_d, b_p, b_d;
	unsigned i;
	char c;

	b.os = harness_os(harness_plugin_path("os", "native"));
	if (b.os == NULL) {
		fprintf(stderr, "bench-procread: cannot load the native plugin\n");
		return 1;
	}
	if (b.os->open(&harness_host, NULL, &(struct mf_args){ 0 }, NULL, &b.h, errbuf) != 0) {
		fprintf(stderr, "bench-procread: cannot open native: %s\n", errbuf);
		return 1;
	}
	if (pipe(ready) != 0 || pipe(hold) != 0)
		return perror("bench-procread: pipe"), 1;
	b.pid = fork();
	if (b.pid == 0) {
		uint8_t *m = mmap(NULL, BENCH_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint64_t off;

		close(ready[0]);
		close(hold[1]);
		if (m == MAP_FAILED)
			_exit(1);
		for (off = 0; off < BENCH_SIZE; off += BENCH_PAGE)
			memcpy(m + off, &off, sizeof off);   /* touch every page */
		off = (uint64_t)(uintptr_t)m;
		if (write(ready[1], &off, sizeof off) != (ssize_t)sizeof off)
			_exit(1);
		while (read(hold[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	if (read(ready[0], &b.base, sizeof b.base) != (ssize_t)sizeof b.base) {
		fprintf(stderr, "bench-procread: the child did not start\n");
		return 1;
	}
	b.buf = malloc(BENCH_BATCH * BENCH_PAGE);
	b.offs = malloc(BENCH_PAGES * sizeof *b.offs);
	b.iov = calloc(BENCH_BATCH, sizeof *b.iov);
	b.local = calloc(BENCH_BATCH, sizeof *b.local);
	b.remote = calloc(BENCH_BATCH, sizeof *b.remote);
	if (!b.buf || !b.offs || !b.iov || !b.local || !b.remote)
		return fprintf(stderr, "bench-procread: out of memory\n"), 1;
	memset(b.buf, 0, BENCH_BATCH * BENCH_PAGE);
	for (i = 0; i < BENCH_PAGES; i++)
		b.offs[i] = (bench_rand() % (BENCH_SIZE / BENCH_PAGE)) * BENCH_PAGE;

	printf("bench-procread: child %d holds 1 GiB; best of %d\n", (int)b.pid, BENCH_RUNS);
	bench_best(&b, bench_chunks_plugin, bench_chunks_direct, &a_p, &a_d);
	if (!bench_check(&b, BENCH_SIZE - BENCH_CHUNK, b.buf))
		b.errors++;
	printf("(a) 1 MiB chunks:      native read() %6.2f GB/s   process_vm_readv %6.2f GB/s   ratio %.2f\n",
	       BENCH_SIZE / a_p / 1e9, BENCH_SIZE / a_d / 1e9, a_d / a_p);
	bench_best(&b, bench_pages_plugin, bench_pages_direct, &b_p, &b_d);
	for (i = 0; i < BENCH_BATCH; i++)
		if (!bench_check(&b, b.offs[BENCH_PAGES - BENCH_BATCH + i], b.buf + (uint64_t)i * BENCH_PAGE))
			b.errors++;
	printf("(b) random 4 KiB pages: native read() %6.3f M/s    process_vm_readv %6.3f M/s    ratio %.2f"
	       "  (batches of %u)\n", BENCH_PAGES / b_p / 1e6, BENCH_PAGES / b_d / 1e6, b_d / b_p,
	       BENCH_BATCH);

	close(hold[1]);
	waitpid(b.pid, NULL, 0);
	b.os->close(b.h);
	free(b.buf);
	free(b.offs);
	free(b.iov);
	free(b.local);
	free(b.remote);
	if (b.errors) {
		fprintf(stderr, "bench-procread: %d reads failed or returned wrong bytes\n", b.errors);
		return 1;
	}
	return 0;
}
