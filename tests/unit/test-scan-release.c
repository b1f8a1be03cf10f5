/* test-scan-release: scan_release (libcommon/scan/release.c) gives back the pages of a
 * read-only file mapping (its resident size in /proc/self/smaps falls to the partial pages
 * at the ends, its bytes still read as the file's) and leaves alone anonymous memory, the
 * heap and a writable private file mapping that was written to (dropping those would lose
 * their bytes). */
#include "config.h"
#include "scan/release.h"
#include "tap.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGES 64u

static size_t page;

/* The resident bytes of the mapping that starts at p (/proc/self/smaps), or -1. */
static long long
rss_of(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false;
	long long kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		uintptr_t lo, hi;

		/* a mapping's header line ("lo-hi perms ..."); its fields are "Name: value" */
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &lo, &hi) == 2) {
			in = lo == (uintptr_t)p;
			continue;
		}
		if (in && sscanf(line, "Rss: %lld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

static void
touch(const volatile uint8_t *p, size_t n)
{
	size_t i;
	unsigned sum = 0;

	for (i = 0; i < n; i += page)
		sum += p[i];
	(void)sum;
}

static bool
all(const uint8_t *p, size_t n, uint8_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void
test_file(void)
{
	char path[] = "/tmp/test-scan-release.XXXXXX";
	size_t size = PAGES * page;
	uint8_t *buf = malloc(size), *m, *w;
	struct scan_release r = { 0 };
	int fd = mkstemp(path);

	if (fd < 0 || buf == NULL) {
		ok(0, "a temporary file");
		return;
	}
	unlink(path);
	memset(buf, 0x5a, size);
	if (write(fd, buf, size) != (ssize_t)size || (m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED) {
		ok(0, "a read-only mapping of the file");
		close(fd);
		return;
	}
	touch(m, size);
	is_int(rss_of(m), (long long)size, "the read-only file mapping is resident once touched");
	/* from the middle of page 0 to the middle of the last page: pages 1..PAGES-2 go */
	scan_release(&r, m + page / 2, size - page);
	is_int(rss_of(m), 2 * (long long)page, "scan_release dropped the whole pages inside the range, not the partial ends");
	ok(all(m, size, 0x5a), "its bytes still read as the file's");
	munmap(m, size);

	/* a writable private mapping of the same file, written to: not dropped (asked about
	 * afresh: it may be where the first one was) */
	if ((w = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		ok(0, "a private writable mapping");
	} else {
		struct scan_release r2 = { 0 };

		memset(w, 0x33, size);
		scan_release(&r2, w, size);
		ok(all(w, size, 0x33), "a written private file mapping keeps its bytes");
		is_int(rss_of(w), (long long)size, "and stays resident");
		munmap(w, size);
	}
	close(fd);
	free(buf);
}

static void
test_anonymous(void)
{
	size_t size = PAGES * page;
	uint8_t *a = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *h = malloc(size);
	struct scan_release r = { 0 };

	if (a == MAP_FAILED || h == NULL) {
		ok(0, "anonymous memory");
		return;
	}
	memset(a, 0x77, size);
	memset(h, 0x66, size);
	scan_release(&r, a, size);
	ok(all(a, size, 0x77), "anonymous memory keeps its bytes");
	scan_release(&r, h, size);
	ok(all(h, size, 0x66), "the heap keeps its bytes");
	munmap(a, size);
	free(h);
}

int
main(void)
{
	page = (size_t)sysconf(_SC_PAGESIZE);
	test_file();
	test_anonymous();
	return done_testing();
}
