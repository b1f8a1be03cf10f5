/* scan/engine.h: the scan engine.  Worker threads read the regions in chunks plus an
 * overlap through a fill callback (for a libmf address space: mf_aspace_read_span_into,
 * batched, unreadable pieces retried page by page), or take a chunk as it is where a view
 * callback shows it without a copy (a mapped dump file), and run the matchers over each
 * chunk's readable runs; the hits, gaps and failures come back to the caller's thread in
 * address order.
 * A match belongs to the chunk its first byte is in, so one across a chunk boundary is
 * found once, by the chunk that holds the overlap: overlap = max(longest match, context) - 1
 * bytes.  The workers count the bytes done into the job's progress line, if any.
 * Implemented in engine.c and regions.c. */
#ifndef MF_SCAN_ENGINE_H
#define MF_SCAN_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mftools/mf.h>
#include "scan/match.h"
#include "scan/multi.h"
#include "scan/yara.h"

#define SCAN_PIECE (1u << 20)           /* bytes per scatter entry */
#define SCAN_BATCH 64u                  /* entries per read call */
#define SCAN_PAGE 4096u
/* bytes per chunk: small enough that the copy out of the connector is still in the cache
 * when the matcher reads it (16 MiB took about 20% more CPU time and waited longer for
 * memory); YARA's chunks are larger, as each has a SCAN_YARA_OVERLAP to scan again */
#define SCAN_CHUNK_DEFAULT (1u << 20)
#define SCAN_CHUNK_YARA_DEFAULT (4u << 20)
/* bytes per chunk scanned in place (a view): there is no copy to keep in the cache, and
 * each chunk costs a hand-off to the caller's thread (a context switch: over a 512 MiB
 * dump, 1 MiB chunks spent about 4 ms of 24 on them, 16 MiB chunks well under 1) */
#define SCAN_CHUNK_VIEW_DEFAULT (16u << 20)
#define SCAN_CHUNK_HITS_MAX (1u << 20)  /* hits held per chunk before it is emitted in parts */
#define SCAN_MULTI_WINDOW (256u << 10)  /* bytes per pass of the many-pattern matcher */
#define SCAN_REGIONS_MAX (1u << 24)

/* A region of a space; the engine hands `space` (for libmf: a struct mf_aspace *) back to
 * the callbacks and never looks into it. */
struct scan_region {
	void *space;
	uint64_t start, end;          /* end exclusive; end 0 = the top of the space */
};

/* The regions of one space are consecutive (the engine skips the rest of a space that
 * went away). */
struct scan_regions {
	struct scan_region *v;
	size_t n, cap;
};

/* Append [start, end) (end 0: to the top), merged with the previous region when adjacent in
 * the same space; empty ranges are ignored.  0, MF_ERR_LIMIT (more than SCAN_REGIONS_MAX)
 * or MF_ERR_NOMEM, with the message in errbuf. */
int scan_regions_add(struct scan_regions *l, void *space, uint64_t start, uint64_t end, char *errbuf);
/* Which mappings of a process are scanned.  By default scanmem's (its region_scan_level 2,
 * "heap, stack, executable and bss"): mappings that are readable *and* writable and either
 * anonymous, "[heap]", "[stack...]" or of the process's executable `exe` (its .data; a NULL
 * or "" exe: none is).  all: every readable mapping (code and read-only data too).
 * Physical ranges and page maps (the kernel, a dtb) carry no permissions: all of them. */
struct scan_region_sel {
	bool all;
	const char *exe;
};
/* Does a mapping with these perms and path pass sel? */
bool scan_region_wanted(const struct scan_region_sel *sel, const char *perms, const char *path);
/* The regions of a libmf address space that sel selects (mf_aspace_regions: physical
 * ranges, maps, page maps), appended: 0, or the error of mf_aspace_regions (MF_ERR_LIMIT:
 * the page map stopped early, what it found is kept) or of scan_regions_add, message in
 * errbuf. */
int scan_regions_aspace(struct scan_regions *l, struct mf_aspace *as, const struct scan_region_sel *sel,
                        char *errbuf);
void scan_regions_free(struct scan_regions *l);
/* The bytes the regions cover (the total of a scan's progress line; engine.c). */
uint64_t scan_regions_bytes(const struct scan_regions *l);

/* One hit, handed to the emit callback on the caller's thread.  data: dlen bytes from the
 * match on (up to the context, within the readable run), valid during the call. */
struct scan_match {
	void *space;
	uint64_t addr;
	uint32_t len;
	uint32_t pat;                 /* index into the job's patterns (0 for typed values) */
	const char *rule, *sid;       /* YARA: rule and string identifiers; NULL otherwise */
	const uint8_t *data;
	size_t dlen;
};

/* Fill buf with [addr, addr + len) of space (called on the worker threads, several at once),
 * handing each piece to cb in address order:
 * mf_aspace_read_span_into's contract (data pieces are in buf at their offset).  Negative
 * when the read failed as a whole (message in errbuf): the engine reports it through fail,
 * once, and goes on with the regions of the next space (the process went away). */
typedef int (*scan_fill_fn)(void *ctx, void *space, uint64_t addr, uint64_t len, uint8_t *buf, mf_span_cb cb,
                            void *cbctx, char *errbuf);
/* Optional: [addr, addr + len) of space without a copy (for libmf: mf_aspace_view, a
 * mapped dump file), called on the worker threads, and on the caller's to size a chunk: 0
 * with *data (valid until the scan ends, every byte readable), or negative, and the engine
 * fills its buffer instead. */
typedef int (*scan_view_fn)(void *ctx, void *space, uint64_t addr, uint64_t len, const uint8_t **data);
/* A space whose read failed as a whole with err (the fill's negative return). */
typedef void (*scan_fail_fn)(void *ctx, void *space, int err, const char *errbuf);
/* An unreadable part of a region, skipped (counted in the stats). */
typedef void (*scan_gap_fn)(void *ctx, void *space, uint64_t addr, uint64_t len, int err);
typedef void (*scan_emit_fn)(void *ctx, const struct scan_match *m);

/* What to search for: patterns, or a typed value, or YARA rules (exactly one of them). */
struct scan_job {
	const struct scan_pat *pats;
	size_t npats;
	struct scan_multi *multi;     /* the patterns compiled into one pass (-F), or NULL */
	const struct scan_typed *typed;
	const struct scan_yara *yara;
	size_t maxlen;                /* the longest match (SCAN_YARA_OVERLAP for YARA) */
	size_t context;               /* bytes of data per hit, at least 1 */
	size_t chunk;                 /* bytes per chunk, a multiple of SCAN_PAGE */
	size_t view_chunk;            /* the same where view shows the chunk in place (used when
	                               * larger than chunk; 0: chunk everywhere) */
	uint64_t max_hits;            /* 0: no limit */
	unsigned threads;             /* at least 1 */
	scan_fill_fn fill;
	scan_view_fn view;            /* or NULL: every chunk is filled */
	scan_fail_fn fail;
	scan_gap_fn gap;
	scan_emit_fn emit;
	void *ctx;
	struct mf_progress *progress; /* each chunk's bytes are added once read and scanned, on
	                               * the worker (mf_progress_add), or NULL */
};

struct scan_stats {
	uint64_t bytes;               /* scanned */
	uint64_t unreadable;          /* skipped */
	uint64_t in_place;            /* of bytes, those scanned in a view (not copied) */
	uint64_t emitted;             /* hits */
};

/* Scan the regions in order.  0 (the hits went to emit, in address order), or MF_ERR_NOMEM /
 * MF_ERR_GENERIC (a thread could not start) with the message in errbuf. */
int scan_engine_run(const struct scan_job *job, const struct scan_regions *rg, struct scan_stats *stats,
                    char *errbuf);

#endif /* MF_SCAN_ENGINE_H */
