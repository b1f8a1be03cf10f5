/* release.c: giving back the page-table entries of scanned views (scan/release.h). */
#include "config.h"
#include "scan/release.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Find the mapping that holds address a in /proc/self/maps: false when it cannot be read
 * or holds none. */
static bool
scan_release_lookup(struct scan_release *r, uintptr_t a)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512], perms[8];
	uintptr_t lo, hi;
	unsigned long long off, inode;
	bool found = false;

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s %llx %*s %llu", &lo, &hi, perms, &off, &inode) != 5 ||
		    a < lo || a >= hi)
			continue;
		r->lo = lo;
		r->hi = hi;
		/* a file (an inode) mapped readable, never writable: its pages come back from it */
		r->droppable = inode != 0 && perms[0] == 'r' && perms[1] == '-';
		found = true;
	}
	fclose(f);
	return found;
}

void
scan_release(struct scan_release *r, const void *p, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1), b = ((uintptr_t)p + len) & ~(page - 1);

	if (r->unknown || b <= a)
		return;
	if ((a < r->lo || b > r->hi) && !scan_release_lookup(r, a)) {
		r->unknown = true;
		return;
	}
	if (r->droppable && b <= r->hi)
		madvise((void *)a, b - a, MADV_DONTNEED);
}
