/* scan/release.h: giving back the page-table entries of a view once its chunk is scanned
 * and emitted.  Scanning a dump file in place maps every page of it into the process, and
 * unmapping them all at the end (the connector's close) ran on one thread, after the scan:
 * over a 512 MiB dump with small page-cache folios about a fifth of the run.  Dropped per
 * chunk (madvise MADV_DONTNEED) on the caller's thread, that work overlaps the workers'.
 * Only a read-only file mapping is dropped (its pages come back from the file when touched
 * again, and nothing in it was written); the host asks /proc/self/maps, since a view may
 * be any memory a connector holds.  Implemented in release.c. */
#ifndef MF_SCAN_RELEASE_H
#define MF_SCAN_RELEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What is known of the mapping last asked about; zero-initialised, used by one thread, for
 * as long as the mappings asked about stay as they are (one scan: a mapping made later at
 * the same address would be taken for the one asked about). */
struct scan_release {
	uintptr_t lo, hi;             /* [lo, hi): one mapping of /proc/self/maps */
	bool droppable;               /* a read-only mapping of a file */
	bool unknown;                 /* /proc/self/maps could not be read: nothing is dropped */
};

/* Drop the whole pages inside [p, p + len) when they lie in one read-only file mapping. */
void scan_release(struct scan_release *r, const void *p, size_t len);

#endif /* MF_SCAN_RELEASE_H */
