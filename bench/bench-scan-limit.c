/* bench-scan-limit: the limit loop of bench-scan.sh: memchr on the rarest fixed byte of a
 * needle, then a masked compare, over a file read with pread in 16 MiB chunks (the bytes
 * come from the page cache, as they do for mf-scan's raw connector), split between threads.
 * Prints the hit count and the GB/s.
 *
 *   bench-scan-limit FILE HEX [ALIGN [THREADS [mmap]]]
 *
 * HEX is bytes with ?? wildcards ("4d 46 ?? 4b"); ALIGN keeps hits at multiples of it
 * (a typed value); "mmap" scans the file mapped instead (no copy: the loop alone). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (16u << 20)

static uint8_t want[256], mask[256];
static size_t len, anchor, align = 1;
static int fd;
static const uint8_t *map;

struct part {
	uint64_t from, to, hits;
	pthread_t th;
};

static int
rank(uint8_t b)
{
	return b == 0 ? 100 : b == 0xff ? 60 : b < 0x10 ? 40 : (b >= 'a' && b <= 'z') ? 20 : 10;
}

static uint64_t
search(const uint8_t *p, size_t n, uint64_t base)
{
	uint64_t hits = 0;
	const uint8_t *q = p + anchor, *e;

	if (n < len)
		return 0;
	e = p + (n - len) + anchor + 1;
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
	struct part *pt = arg;
	uint8_t *buf = map ? NULL : malloc(CHUNK + len);
	uint64_t a;

	for (a = pt->from; a < pt->to; a += CHUNK) {
		size_t own = pt->to - a < CHUNK ? (size_t)(pt->to - a) : CHUNK, n = own + len - 1;
		ssize_t got;

		if (map) {
			struct stat sb;

			fstat(fd, &sb);
			if (a + n > (uint64_t)sb.st_size)
				n = (size_t)(sb.st_size - (off_t)a);
			pt->hits += search(map + a, n < own + len - 1 ? n : n, a);
			continue;
		}
		got = pread(fd, buf, n, (off_t)a);
		if (got < 0) {
			perror("pread");
			exit(1);
		}
		pt->hits += search(buf, (size_t)got, a);
	}
	free(buf);
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *h;
	struct stat sb;
	struct timespec t0, t1;
	struct part pt[64];
	unsigned nth = 2, i;
	uint64_t hits = 0, per;
	double s;
	int best = 1000;

	if (argc < 3) {
		fprintf(stderr, "usage: bench-scan-limit FILE HEX [ALIGN [THREADS [mmap]]]\n");
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
			fprintf(stderr, "bad hex '%s'\n", argv[2]);
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
	if (len == 0 || align == 0 || nth == 0 || nth > 64)
		return 2;
	if ((fd = open(argv[1], O_RDONLY)) < 0 || fstat(fd, &sb) < 0) {
		perror(argv[1]);
		return 1;
	}
	if (argc > 5 && strcmp(argv[5], "mmap") == 0 &&
	    (map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0)) == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	per = ((uint64_t)sb.st_size / nth + CHUNK - 1) / CHUNK * CHUNK;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nth; i++) {
		pt[i].from = per * i < (uint64_t)sb.st_size ? per * i : (uint64_t)sb.st_size;
		pt[i].to = per * (i + 1) < (uint64_t)sb.st_size ? per * (i + 1) : (uint64_t)sb.st_size;
		pt[i].hits = 0;
		pthread_create(&pt[i].th, NULL, run, &pt[i]);
	}
	for (i = 0; i < nth; i++) {
		pthread_join(pt[i].th, NULL);
		hits += pt[i].hits;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%llu hits %.2f GB/s\n", (unsigned long long)hits, (double)sb.st_size / s / 1e9);
	return 0;
}
