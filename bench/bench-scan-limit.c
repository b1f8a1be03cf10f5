/* bench-scan-limit: the limit loop of bench-scan.sh: memchr on the rarest fixed byte of a
 * needle, then a masked compare, over 1 MiB chunks read into a buffer (pread from a file
 * in the page cache, or process_vm_readv from a live process's readable mappings), the
 * chunks shared between threads.  Prints "HITS hits BYTES bytes GB/s".
 *
 *   bench-scan-limit FILE|pid:PID HEX [ALIGN [THREADS]]
 *
 * HEX is bytes with ?? wildcards ("4d 46 ?? 4b"); ALIGN keeps hits at multiples of it
 * (a typed value). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1u << 20)           /* as mf-scan: 16 MiB costs ~20% more CPU time here */
#define TASKS_MAX (1u << 20)

struct task {
	uint64_t addr, len;           /* len: the chunk's own bytes */
	uint64_t end;                 /* the end of its region (the overlap stops there) */
};

static uint8_t want[256], mask[256];
static size_t len, anchor, align = 1;
static int fd = -1;
static pid_t pid;
static struct task *tasks;
static size_t ntasks, next_task;
static uint64_t total_hits, total_bytes;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static int
rank(uint8_t b)
{
	return b == 0 ? 100 : b == 0xff ? 60 : b < 0x10 ? 40 : (b >= 'a' && b <= 'z') ? 20 : 10;
}

/* Matches starting in p[0, own) that fit in p[0, n). */
static uint64_t
search(const uint8_t *p, size_t n, size_t own, uint64_t base)
{
	uint64_t hits = 0;
	const uint8_t *q = p + anchor, *e;
	size_t last;

	if (n < len)
		return 0;
	last = n - len < own - 1 ? n - len : own - 1;
	e = p + last + anchor + 1;
	while (q < e && (q = memchr(q, want[anchor], (size_t)(e - q))) != NULL) {
		const uint8_t *s = q - anchor;
		size_t i;

		for (i = 0; i < len && (s[i] & mask[i]) == want[i]; i++)
			;
		if (i == len && (base + (uint64_t)(s - p)) % align == 0)
			hits++;
		q++;
	}
	return hits;
}

static void *
run(void *arg)
{
	uint8_t *buf = malloc(CHUNK + len);
	uint64_t hits = 0, bytes = 0;

	(void)arg;
	for (;;) {
		size_t k = __atomic_fetch_add(&next_task, 1, __ATOMIC_RELAXED);
		const struct task *t;
		size_t n;
		ssize_t got;

		if (k >= ntasks)
			break;
		t = &tasks[k];
		n = (size_t)(t->end - t->addr < t->len + len - 1 ? t->end - t->addr : t->len + len - 1);
		if (fd >= 0) {
			got = pread(fd, buf, n, (off_t)t->addr);
		} else {
			struct iovec l = { buf, n }, r = { (void *)(uintptr_t)t->addr, n };

			got = process_vm_readv(pid, &l, 1, &r, 1, 0);
		}
		if (got <= 0)
			continue;      /* an unreadable mapping ([vvar]): skipped, as mf-scan does */
		hits += search(buf, (size_t)got, (size_t)t->len, t->addr);
		bytes += t->len;
	}
	pthread_mutex_lock(&mu);
	total_hits += hits;
	total_bytes += bytes;
	pthread_mutex_unlock(&mu);
	free(buf);
	return NULL;
}

static void
add_region(uint64_t a, uint64_t e)
{
	for (; a < e; a += CHUNK) {
		if (ntasks == TASKS_MAX) {
			fprintf(stderr, "bench-scan-limit: too many chunks\n");
			exit(1);
		}
		tasks[ntasks].addr = a;
		tasks[ntasks].len = e - a < CHUNK ? e - a : CHUNK;
		tasks[ntasks++].end = e;
	}
}

int
main(int argc, char **argv)
{
	const char *h;
	struct timespec t0, t1;
	pthread_t th[64];
	unsigned nth = 2, i;
	double s;
	int best = 1000;

	if (argc < 3) {
		fprintf(stderr, "usage: bench-scan-limit FILE|pid:PID HEX [ALIGN [THREADS]]\n");
		return 2;
	}
	for (h = argv[2]; *h && len < sizeof want;) {
		unsigned v;

		if (*h == ' ') {
			h++;
			continue;
		}
		if (h[0] == '?') {
			mask[len] = 0;
			want[len++] = 0;
			h += h[1] == '?' ? 2 : 1;
			continue;
		}
		if (sscanf(h, "%2x", &v) != 1) {
			fprintf(stderr, "bench-scan-limit: bad hex '%s'\n", argv[2]);
			return 2;
		}
		want[len] = (uint8_t)v;
		mask[len++] = 0xff;
		h += 2;
	}
	for (i = 0; i < len; i++)
		if (mask[i] && rank(want[i]) < best) {
			best = rank(want[i]);
			anchor = i;
		}
	if (argc > 3)
		align = strtoul(argv[3], NULL, 0);
	if (argc > 4)
		nth = (unsigned)strtoul(argv[4], NULL, 0);
	if (len == 0 || best == 1000 || align == 0 || nth == 0 || nth > 64)
		return 2;
	if ((tasks = malloc(TASKS_MAX * sizeof *tasks)) == NULL)
		return 1;
	if (strncmp(argv[1], "pid:", 4) == 0) {
		char path[64], line[512];
		FILE *m;

		pid = (pid_t)strtol(argv[1] + 4, NULL, 10);
		snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
		if ((m = fopen(path, "r")) == NULL) {
			perror(path);
			return 1;
		}
		while (fgets(line, sizeof line, m) != NULL) {
			uint64_t a, e;
			char perms[8];

			if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s", &a, &e, perms) == 3 && perms[0] == 'r')
				add_region(a, e);
		}
		fclose(m);
	} else {
		struct stat sb;

		if ((fd = open(argv[1], O_RDONLY)) < 0 || fstat(fd, &sb) < 0) {
			perror(argv[1]);
			return 1;
		}
		add_region(0, (uint64_t)sb.st_size);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nth; i++)
		pthread_create(&th[i], NULL, run, NULL);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%" PRIu64 " hits %" PRIu64 " bytes %.2f GB/s\n", total_hits, total_bytes, (double)total_bytes / s / 1e9);
	free(tasks);
	return 0;
}
