/* scan/match.h: the matchers of the scan engine (byte patterns with wildcards, strings,
 * typed values with comparisons), independent of targets and threads: they look at one
 * buffer.  Implemented in pattern.c and typed.c. */
#ifndef MF_SCAN_MATCH_H
#define MF_SCAN_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mftools/mf.h>

#define SCAN_PAT_MAX 4096            /* bytes in one pattern */

/* A byte pattern: byte i matches b when (b & mask[i]) == want[i].  Wildcards have mask 0;
 * case-insensitive ASCII letters mask 0xdf. */
struct scan_pat {
	char *text;                  /* as the user gave it (for the hit records) */
	const char *encoding;        /* NULL, or "utf-16le" for the --utf16 form of a string */
	unsigned line;               /* its line in a pattern list (-F), 0 otherwise */
	size_t len;
	uint8_t *want;
	uint8_t *mask;
	bool plain;                  /* every mask is 0xff: memcmp */
	size_t anchor;               /* the rarest fixed byte's position */
	bool anchor_exact;           /* mask[anchor] == 0xff: memchr for want[anchor] */
	uint8_t accept[256];         /* bytes the anchor position accepts */
};

enum scan_cmp { SCAN_EQ, SCAN_GT, SCAN_LT, SCAN_BETWEEN };
extern const char *const scan_cmp_names[];   /* "eq", "gt", "lt", "between" */

/* A typed value to search for: one of libmf's number types (u8 ... f64; enum mf_type) and
 * a comparison with its operands. */
struct scan_typed {
	enum mf_type type;
	unsigned size;
	unsigned align;
	enum scan_cmp cmp;
	union mf_num a, b;           /* operands, in the type's domain */
	bool use_pat;                /* integer ==: the value's bytes as a pattern (memchr) */
	struct scan_pat pat;
};
/* The operands of "between LOW HIGH" as values of type t (libmf's number syntax): 0, or
 * MF_ERR_ARG with the message in errbuf (an invalid value, or "between 10 5: LOW is greater
 * than HIGH"). */
int scan_between_parse(enum mf_type t, const char *low, const char *high, union mf_num *a, union mf_num *b,
                       char *errbuf);
/* Set up use_pat/pat after type, size, align, cmp and a are set; -1 on out of memory. */
int scan_typed_prepare(struct scan_typed *ty);
void scan_typed_free(struct scan_typed *ty);

/* Parse "48 8b ?? ?? 05" (also "488b????05", '?' alone = one wildcard): 0, or -1 with a
 * message in err. */
int scan_pat_hex(struct scan_pat *p, const char *text, char *err, size_t errsize);
/* A string, as bytes (ascii) or UTF-16LE (utf16: UTF-8 converted); icase folds ASCII
 * letters.  0, or -1 with a message. */
int scan_pat_str(struct scan_pat *p, const char *text, bool utf16, bool icase, char *err, size_t errsize);
/* The n bytes at bytes, exactly (no wildcards); text is kept for the hit records.  0, or -1
 * when n is 0 or out of memory. */
int scan_pat_bytes(struct scan_pat *p, const char *text, const uint8_t *bytes, size_t n);
void scan_pat_free(struct scan_pat *p);

#define SCAN_LIST_MAX 1000000        /* patterns in one list */
/* A pattern list (mf-scan -F): one pattern a line, appended to *pats (*n of them, *cap
 * allocated).  A line is "hex:BYTES" or "{ BYTES }" (bytes as scan_pat_hex takes them),
 * "str:TEXT" or any other TEXT (its bytes, exactly); empty lines and lines starting with
 * '#' are skipped; a '\r' before the newline is dropped.  Each pattern's text is its line
 * as written and line its number.  0, or MF_ERR_IO / MF_ERR_ARG ("FILE:LINE: invalid hex
 * pattern ...") / MF_ERR_LIMIT / MF_ERR_NOMEM with the message in errbuf. */
int scan_pat_list(const char *path, struct scan_pat **pats, size_t *n, size_t *cap, char *errbuf);

/* Matches of p in buf[0, seg_end) that start below own_end: the callback gets each start
 * offset in increasing order and returns non-zero to stop (that value is returned). */
typedef int (*scan_hit_fn)(void *ctx, size_t off);
int scan_pat_run(const struct scan_pat *p, const uint8_t *buf, size_t seg_start, size_t seg_end,
                 size_t own_end, scan_hit_fn cb, void *ctx);

/* Does v pass ty's comparison? */
bool scan_typed_match(const struct scan_typed *ty, union mf_num v);
/* Aligned values in buf (whose first byte is at address base) like scan_pat_run. */
int scan_typed_run(const struct scan_typed *ty, uint64_t base, const uint8_t *buf, size_t seg_start, size_t seg_end,
                   size_t own_end, scan_hit_fn cb, void *ctx);
#endif /* MF_SCAN_MATCH_H */
