/* bench-stream.c: throughput of the record stream (make bench; run bench/bench-stream).
 * - process-like records: records/s writing and reading msgpack and JSON (via a memfd);
 * - 1 MiB mem records through a pipe (writer child, reader parent): MB/s, next to plain
 *   write()/read() of the same bytes through the same kind of pipe: the limit. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <mftools/mf.h>

#define BENCH_PROCS 200000
#define BENCH_MEM_MB 256

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
bench_proc(struct mf_rec *r, unsigned i)
{
	char name[32];

	snprintf(name, sizeof name, "worker-%u", i);
	mf_rec_reset(r, "process");
	mf_rec_add_uint(r, "pid", i + 1);
	mf_rec_add_uint(r, "ppid", 1);
	mf_rec_add_str(r, "name", name);
	mf_rec_add_str(r, "path", "/usr/lib/systemd/systemd-journald");
	mf_rec_add_str(r, "cmdline", "/usr/lib/systemd/systemd-journald --user");
	mf_rec_add_str(r, "state", "S");
	mf_rec_add_str(r, "arch", "x86_64");
	mf_rec_add_addr(r, "dtb", 0x10a2b3000ULL + i * 0x1000ULL);
	mf_rec_add_addr(r, "addr", 0xffff888003a10000ULL + i * 0x1c0ULL);
}

static void
bench_records(enum mf_format fmt)
{
	struct mf_rec *r = mf_rec_new("process");
	int fd = memfd_create("bench", 0);
	struct mf_out *o = mf_out_new(fd, fmt);
	struct mf_in *in;
	const struct mf_rec *got;
	char err[MF_ERRBUF_SIZE];
	double t0, tw, tr;
	unsigned i, n = 0;
	off_t size;

	t0 = bench_now();
	for (i = 0; i < BENCH_PROCS; i++) {
		bench_proc(r, i);
		mf_out_rec(o, r);
	}
	if (mf_out_close(o) != 0)
		exit(1);
	tw = bench_now() - t0;
	size = lseek(fd, 0, SEEK_CUR);
	lseek(fd, 0, SEEK_SET);
	in = mf_in_new(fd);
	t0 = bench_now();
	while (mf_in_next(in, &got, err) == 1)
		n++;
	tr = bench_now() - t0;
	if (n != BENCH_PROCS)
		fprintf(stderr, "bench-stream: read %u of %u records: %s\n", n, BENCH_PROCS, err);
	printf("%-8s process records: write %6.2f M/s, read %6.2f M/s (%.0f bytes/record)\n",
	       mf_format_name(fmt), BENCH_PROCS / tw / 1e6, BENCH_PROCS / tr / 1e6, (double)size / BENCH_PROCS);
	mf_in_free(in);
	mf_rec_free(r);
	close(fd);
}

/* MB/s of BENCH_MEM_MB moved through a pipe, as records (stream) or as plain bytes. */
static double
bench_pipe(int stream)
{
	size_t chunk = 1 << 20, total = 0;
	unsigned char *buf = malloc(chunk);
	int pfd[2], st;
	double t0;
	pid_t pid;

	memset(buf, 0xa5, chunk);
	if (pipe(pfd) < 0)
		exit(1);
	(void)fcntl(pfd[1], F_SETPIPE_SZ, 1 << 20);
	t0 = bench_now();
	if ((pid = fork()) == 0) {
		close(pfd[0]);
		if (stream) {
			struct mf_out *o = mf_out_new(pfd[1], MF_FMT_MSGPACK);
			struct mf_rec *r = mf_rec_new("mem");
			unsigned i;

			for (i = 0; i < BENCH_MEM_MB; i++) {
				mf_rec_reset(r, "mem");
				mf_rec_add_str(r, "space", "phys");
				mf_rec_add_addr(r, "addr", (uint64_t)i << 20);
				mf_rec_add_bin(r, "data", buf, chunk);
				mf_out_rec(o, r);
			}
			_exit(mf_out_close(o) == 0 ? 0 : 1);
		}
		for (unsigned i = 0; i < BENCH_MEM_MB; i++)
			for (size_t off = 0; off < chunk;) {
				ssize_t w = write(pfd[1], buf + off, chunk - off);

				if (w <= 0)
					_exit(1);
				off += (size_t)w;
			}
		_exit(0);
	}
	close(pfd[1]);
	if (stream) {
		struct mf_in *in = mf_in_new(pfd[0]);
		const struct mf_rec *r;
		char err[MF_ERRBUF_SIZE];
		const void *p;
		size_t n;

		while (mf_in_next(in, &r, err) == 1)
			if (mf_rec_get_bin(r, "data", &p, &n) == 0)
				total += n;
		mf_in_free(in);
	} else {
		ssize_t n;

		while ((n = read(pfd[0], buf, chunk)) > 0)
			total += (size_t)n;
	}
	close(pfd[0]);
	waitpid(pid, &st, 0);
	t0 = bench_now() - t0;
	free(buf);
	if (total != (size_t)BENCH_MEM_MB << 20)
		fprintf(stderr, "bench-stream: moved %zu bytes, expected %u MiB\n", total, BENCH_MEM_MB);
	return total / t0 / 1e6;
}

int
main(void)
{
	double s, raw;

	bench_records(MF_FMT_MSGPACK);
	bench_records(MF_FMT_JSON);
	raw = bench_pipe(0);
	s = bench_pipe(1);
	printf("1 MiB mem records through a pipe: %.0f MB/s; plain write/read: %.0f MB/s; ratio %.2f\n",
	       s, raw, s / raw);
	return 0;
}
