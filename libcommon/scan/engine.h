/* scan/engine.h: the scan engine.  The caller's thread reads the regions in chunks plus an
 * overlap (in batches of 1 MiB pieces, unreadable pieces retried page by page) through a
 * read callback; worker threads run the matchers over each chunk's readable runs; the
 * hits come back to the caller's thread in address order.  A match belongs to the chunk
 * its first byte is in, so one across a chunk boundary is found once, by the chunk that
 * holds the overlap: overlap = max(longest match, context) - 1 bytes.  Implemented in
 * engine.c (reading and the pool) and regions.c. */
#ifndef MF_SCAN_ENGINE_H
#define MF_SCAN_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mftools/mf.h>
#include "scan/match.h"
#include "scan/yara.h"

#define SCAN_PIECE (1u << 20)           /* bytes per scatter entry */
#define SCAN_PAGE 4096u
#define SCAN_CHUNK_DEFAULT (16u << 20)  /* bytes per chunk: 16 pieces per read call */
#define SCAN_CHUNK_HITS_MAX (1u << 20)  /* hits held per chunk before it is emitted in parts */
#define SCAN_REGIONS_MAX (1u << 24)

enum scan_space { SCAN_SP_NONE, SCAN_SP_PHYS, SCAN_SP_KERNEL, SCAN_SP_PID };

/* "physical memory", "the kernel", "pid 42" (in buf), for messages. */
const char *scan_space_text(enum scan_space sp, uint64_t pid, char *buf, size_t size);

struct scan_region {
	enum scan_space space;
	uint64_t pid;
	uint64_t start, end;          /* end exclusive; end 0 = the top of the space */
};

struct scan_regions {
	struct scan_region *v;
	size_t n, cap;
};

/* Append [start, end) (end 0: to the top), merged with the previous region when adjacent in
 * the same space; empty ranges are ignored.  0, MF_ERR_LIMIT (more than SCAN_REGIONS_MAX)
 * or MF_ERR_NOMEM, with the message in errbuf. */
int scan_regions_add(struct scan_regions *l, enum scan_space sp, uint64_t pid, uint64_t start, uint64_t end,
                     char *errbuf);
void scan_regions_free(struct scan_regions *l);

/* Every range of t's physical memory. */
int scan_regions_phys(struct scan_regions *l, struct mf_target *t, char *errbuf);
/* The mapped pages of the kernel half of ksp, from its page tables: 0, MF_ERR_LIMIT when the
 * walk stopped after visiting too many page tables (what was found is kept), MF_ERR_NOMEM,
 * or the walk's error (the regions' errors come with a message in errbuf). */
int scan_regions_kernel(struct scan_regions *l, struct mf_target *t, const struct mf_space *ksp, char *errbuf);
/* The readable mappings of process pid: 0, or the error of the map listing (message in
 * errbuf); MF_ERR_LIMIT / MF_ERR_NOMEM with a message when the regions cannot hold them. */
int scan_regions_maps(struct scan_regions *l, struct mf_target *t, uint64_t pid, char *errbuf);

/* One hit, handed to the emit callback on the caller's thread.  data: dlen bytes from the
 * match on (up to the context, within the readable run), valid during the call. */
struct scan_match {
	enum scan_space space;
	uint64_t pid;
	uint64_t addr;
	uint32_t len;
	uint32_t pat;                 /* index into the job's patterns (0 for typed values) */
	const char *rule, *sid;       /* YARA: rule and string identifiers; NULL otherwise */
	const uint8_t *data;
	size_t dlen;
};

/* Read iov[0..n) of a space, each entry's err on its own; negative when the whole call
 * failed (message in errbuf). */
typedef int (*scan_read_fn)(void *ctx, enum scan_space sp, uint64_t pid, struct mf_iov *iov, size_t n,
                            char *errbuf);
/* The read of a region failed as a whole at addr (the process went away): the engine goes on
 * with the next region. */
typedef void (*scan_fail_fn)(void *ctx, enum scan_space sp, uint64_t pid, uint64_t addr, const char *errbuf);
typedef void (*scan_emit_fn)(void *ctx, const struct scan_match *m);

/* What to search for: patterns, or a typed value, or YARA rules (exactly one of them). */
struct scan_job {
	const struct scan_pat *pats;
	size_t npats;
	const struct scan_typed *typed;
	const struct scan_yara *yara;
	size_t maxlen;                /* the longest match (SCAN_YARA_OVERLAP for YARA) */
	size_t context;               /* bytes of data per hit, at least 1 */
	size_t chunk;                 /* bytes per chunk, a multiple of SCAN_PAGE */
	uint64_t max_hits;            /* 0: no limit */
	unsigned threads;             /* at least 1 */
	scan_read_fn read;
	scan_fail_fn fail;
	scan_emit_fn emit;
	void *ctx;
};

struct scan_stats {
	uint64_t bytes;               /* scanned */
	uint64_t unreadable;          /* skipped (logged at verbosity 1) */
	uint64_t emitted;             /* hits */
};

/* Scan the regions in order.  0 (the hits went to emit, in address order), or MF_ERR_NOMEM /
 * MF_ERR_GENERIC (a thread could not start) with the message in errbuf. */
int scan_engine_run(const struct scan_job *job, const struct scan_regions *rg, struct scan_stats *stats,
                    char *errbuf);

#endif /* MF_SCAN_ENGINE_H */
