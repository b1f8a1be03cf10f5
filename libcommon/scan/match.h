/* scan/match.h: the matchers of the scan engine (byte patterns with wildcards, strings,
 * typed values with comparisons), independent of targets and threads: they look at one
 * buffer.  Implemented in pattern.c and typed.c. */
#ifndef MF_SCAN_MATCH_H
#define MF_SCAN_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCAN_PAT_MAX 4096            /* bytes in one pattern */

/* A byte pattern: byte i matches b when (b & mask[i]) == want[i].  Wildcards have mask 0;
 * case-insensitive ASCII letters mask 0xdf. */
struct scan_pat {
	char *text;                  /* as the user gave it (for the hit records) */
	const char *encoding;        /* NULL, or "utf-16le" for the --utf16 form of a string */
	size_t len;
	uint8_t *want;
	uint8_t *mask;
	bool plain;                  /* every mask is 0xff: memcmp */
	size_t anchor;               /* the rarest fixed byte's position */
	bool anchor_exact;           /* mask[anchor] == 0xff: memchr for want[anchor] */
	uint8_t accept[256];         /* bytes the anchor position accepts */
};

enum scan_type {
	SCAN_T_NONE, SCAN_T_U8, SCAN_T_U16, SCAN_T_U32, SCAN_T_U64, SCAN_T_I8, SCAN_T_I16, SCAN_T_I32,
	SCAN_T_I64, SCAN_T_F32, SCAN_T_F64,
};
extern const char *const scan_type_names[];

enum scan_cmp { SCAN_EQ, SCAN_GT, SCAN_LT, SCAN_BETWEEN };
extern const char *const scan_cmp_names[];   /* "eq", "gt", "lt", "between" */

union scan_num {
	uint64_t u;
	int64_t i;
	double f;
};

struct scan_typed {
	enum scan_type type;
	unsigned size;
	unsigned align;
	enum scan_cmp cmp;
	union scan_num a, b;         /* operands, in the type's domain */
	bool use_pat;                /* integer ==: the value's bytes as a pattern (memchr) */
	struct scan_pat pat;
};
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

/* Matches of p in buf[0, seg_end) that start below own_end: the callback gets each start
 * offset in increasing order and returns non-zero to stop (that value is returned). */
typedef int (*scan_hit_fn)(void *ctx, size_t off);
int scan_pat_run(const struct scan_pat *p, const uint8_t *buf, size_t seg_start, size_t seg_end,
                 size_t own_end, scan_hit_fn cb, void *ctx);

/* The value of a typed value at p (little-endian). */
union scan_num scan_decode(enum scan_type t, const uint8_t *p);
bool scan_type_signed(enum scan_type t);
bool scan_type_float(enum scan_type t);
unsigned scan_type_size(enum scan_type t);
enum scan_type scan_type_parse(const char *s);
/* Parse a value of type t: 0, or -1 (invalid or out of range) with a message. */
int scan_num_parse(enum scan_type t, const char *s, union scan_num *out, char *err, size_t errsize);
/* -1, 0, 1: x against y in t's domain (floats: NaN compares unequal, 2). */
int scan_num_cmp(enum scan_type t, union scan_num x, union scan_num y);
bool scan_typed_match(const struct scan_typed *ty, union scan_num v);
/* Aligned values in buf (whose first byte is at address base) like scan_pat_run. */
int scan_typed_run(const struct scan_typed *ty, uint64_t base, const uint8_t *buf, size_t seg_start, size_t seg_end,
                   size_t own_end, scan_hit_fn cb, void *ctx);
/* "100", "-3", "1.5": the value as text. */
void scan_num_text(enum scan_type t, union scan_num v, char *buf, size_t size);

#endif /* MF_SCAN_MATCH_H */
