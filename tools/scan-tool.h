/* scan-tool.h: what the files of mf-scan share: its state (from the options), its spaces
 * (scan-space.c), the scan and its hits (scan-out.c) and rescans (scan-rescan.c).  mf-scan
 * only. */
#ifndef MF_SCAN_TOOL_H
#define MF_SCAN_TOOL_H

#include "tool.h"
#include "tool-getopt.h"
#include "scan/engine.h"
#include "scan/rescan.h"

#define SCAN_RESCAN_BATCH 4096

struct scan_state {
	struct tool *tl;
	struct tool_spaces sp;        /* --phys, --kernel, -p, -n; none: process records on stdin */
	struct mf_aspace **spaces;    /* opened, one per selected space */
	size_t nspaces;
	struct mf_aspace_id *failed;  /* spaces lost: not opened, or gone while read */
	size_t nfailed;
	struct scan_pat *pats;
	size_t npats;
	struct scan_typed typed;
	bool have_typed;
	char typed_text[192];         /* "u32 eq 100", as given */
	const char *list_file;        /* -F */
	struct scan_multi *multi;     /* every pattern in one pass (with -F) */
	const char *yara_file;        /* -Y */
	struct scan_yara *yara;
	const char *carve;            /* --carve KIND */
	const char *pcap_path;        /* -w */
	size_t maxlen;                /* longest match */
	size_t context;
	bool context_given;           /* --context: every hit with its context, none packed */
	struct scan_pack *pack;       /* dense hits being packed, or NULL (scan-pack.c) */
	uint64_t max_hits;
	unsigned threads;
	size_t chunk;
	size_t view_chunk;            /* bytes per chunk scanned in place (0: chunk) */
	struct scan_regions regions;
	bool all_regions;             /* --all-regions: a process's code and read-only data too */
	struct scan_stats stats;
	struct mf_rec *rec;
	bool table_header;
	int status;
	/* rescans */
	const char *rescan;
	const char *snapshot;         /* --snapshot FILE: written by a first scan, read by a rescan */
	char **rescan_args;
	size_t nrescan_args;
};

/* The options (scan-opts.c): st->tl (zeroed) initialised, st and rs filled; patterns, the
 * typed value or the rules compiled; exits on usage errors. */
void scan_parse_opts(struct scan_state *st, struct scan_rescan *rs, int argc, char **argv);
/* A space option (-p, -n, --phys, --kernel; one kind of space). */
void scan_space_opt(struct scan_state *st, int c, const char *arg);
/* The spaces to scan by libmf's rule (the options, else the process records on stdin),
 * opened, with the regions to scan in st->regions (see scan_region_sel); exits on errors. */
void scan_open_spaces(struct scan_state *st);
/* Do two ids name the same space? */
bool scan_space_same(const struct mf_aspace_id *a, const struct mf_aspace_id *b);
/* A space that could not be opened or went away (err) while read: a process that exited is
 * a warning ("pid N exited"), anything else the error msg; later calls skip it. */
void scan_space_lost(struct scan_state *st, const struct mf_aspace_id *id, int err, const char *msg);
bool scan_space_is_lost(const struct scan_state *st, const struct mf_aspace_id *id);
/* A space of a hit (or snapshot), opened once (kept in st->spaces); NULL when it failed
 * (lost: a warning or an error, once). */
struct mf_aspace *scan_space_get(struct scan_state *st, const struct mf_aspace_id *id);
/* After the scan: count the processes read (tool_space_worked), for the exit status. */
void scan_spaces_worked(struct scan_state *st);
/* The "vtype" and "value" fields of a hit record. */
void scan_add_value(struct mf_rec *r, enum mf_type t, union mf_num v);
/* One hit to the output: a record, or a table row (vt and val for typed hits, else NULL;
 * source: the "FILE:LINE" of the pattern in an -F list, or NULL). */
void scan_emit(struct scan_state *st, const struct mf_aspace_id *id, uint64_t addr, uint32_t len, const char *pattern,
               const char *encoding, const char *source, const enum mf_type *vt, const union mf_num *val,
               const uint8_t *data, size_t dlen);
/* The hit record of scan_emit, never packed. */
void scan_hit_rec(struct scan_state *st, const struct mf_aspace_id *id, uint64_t addr, uint32_t len,
                  const char *pattern, const char *encoding, const char *source, const enum mf_type *vt,
                  const union mf_num *val, const uint8_t *data, size_t dlen);
/* The progress line of a rescan, over the bytes of the file it reads (fd: the hits on
 * stdin, or a snapshot), when that is a regular file: a pipe has no size to measure the
 * pass against (and the scan writing into it draws its own line); p NULL then.  Update it
 * after each batch; end it with mf_progress_end(fp->p). */
struct scan_fprogress {
	struct mf_progress *p;
	int fd;
	uint64_t size;
};
void scan_fprogress_begin(struct scan_fprogress *fp, int fd);
void scan_fprogress_update(const struct scan_fprogress *fp);
/* Dense hits packed into "hits" records (scan-pack.c): begin (st->pack set) before the scan
 * and end (the last run written, st->pack freed) after it.  scan_pack_hit takes a hit into
 * the run (true), or writes the run so far and leaves the hit to the caller (false; always
 * false without st->pack).  scan_pack_flush writes the run so far. */
void scan_pack_begin(struct scan_state *st);
bool scan_pack_hit(struct scan_state *st, const struct mf_aspace_id *id, uint64_t addr, uint32_t len, const char *pattern,
                   const char *encoding, const char *source, const enum mf_type *vt, const union mf_num *val,
                   const uint8_t *data, size_t dlen);
void scan_pack_flush(struct scan_state *st);
void scan_pack_end(struct scan_state *st);
/* -F: the list's patterns appended to st->pats, and all of them compiled into st->multi
 * (scan-list.c); exits on errors. */
void scan_list_load(struct scan_state *st);
/* Scan st->regions with the engine, writing the hits; exits on failure. */
void scan_run(struct scan_state *st);
/* --rescan MODE [VALUE...]: check the mode, then keep the hits on stdin that pass it. */
void scan_parse_rescan(struct scan_state *st, struct scan_rescan *rs);
void scan_rescan_run(struct scan_state *st, const struct scan_rescan *rs);

/* -T TYPE --snapshot FILE: st->regions saved to the snapshot file; --rescan MODE --snapshot
 * FILE: memory now against it, a hit per value that passes (scan-snap.c). */
void scan_snap_write(struct scan_state *st);
/* A file written through snapshot/output.c (the snapshot, the pcap) synced and put in
 * place, o freed; exits on failure. */
struct snap_out;
void scan_out_publish(struct scan_state *st, struct snap_out *o);
void scan_snap_rescan(struct scan_state *st, const struct scan_rescan *rs);

/* --carve net -w FILE (scan-carve.c): check the options (patterns: -x, -s or -F given; typed:
 * -T's comparisons or --align; operand: the first operand left, or NULL); exits on misuse. */
void scan_carve_opts(struct scan_state *st, bool patterns, bool typed, const char *operand);
/* Carve the packets of st->regions into the pcap, writing a hit per packet; exits on failure. */
void scan_carve_run(struct scan_state *st);

#endif /* MF_SCAN_TOOL_H */
