/* scan/rescan.h: rescans, the CheatEngine workflow: which earlier hits to keep, given their
 * value then (in the hit) and their bytes now.  Implemented in rescan.c. */
#ifndef MF_SCAN_RESCAN_H
#define MF_SCAN_RESCAN_H

#include <stddef.h>
#include <stdint.h>
#include "scan/match.h"

enum scan_rmode { RS_UNCHANGED, RS_CHANGED, RS_INCREASED, RS_DECREASED, RS_EQ, RS_GT, RS_LT, RS_BETWEEN };

struct scan_rescan {
	enum scan_rmode mode;
	const char *args[2];         /* borrowed: the values of eq, gt, lt, between */
	size_t nargs;
};

/* The mode named `mode` ("unchanged", "equal", "changed", "increased", "decreased", "eq",
 * "gt", "lt", "between") with its values.  0; MF_ERR_NOTFOUND for an unknown name;
 * MF_ERR_ARG when nargs is not what the mode takes (rs->nargs then says how many). */
int scan_rescan_parse(struct scan_rescan *rs, const char *mode, char *const *args, size_t nargs);

/* Keep a hit of type vt (MF_T_NONE: untyped, compared by its len bytes olddata, which may
 * be NULL when the hit carried none) whose value was old, now that its bytes are now?
 * 1 keep, 0 drop; MF_ERR_UNSUPPORTED for an untyped hit and a mode that compares values;
 * MF_ERR_ARG when a mode value is not a valid vt (message in errbuf). */
int scan_rescan_keep_hit(const struct scan_rescan *rs, enum mf_type vt, union mf_num old, const uint8_t *olddata,
                         const uint8_t *now, size_t len, char *errbuf);

/* What a rescan needs of an incoming hit record: where, how many bytes, and for a typed
 * hit (vtype) its type and value then. */
struct scan_rescan_hit {
	uint64_t addr;
	uint64_t len;
	enum mf_type vt;             /* MF_T_NONE: untyped */
	union mf_num old;
};

/* Check and read addr, len, vtype and value of a hit record (its space is the caller's):
 * 0, or MF_ERR_FORMAT with the message in errbuf. */
int scan_rescan_hit_parse(const struct mf_rec *rec, struct scan_rescan_hit *h, char *errbuf);

#endif /* MF_SCAN_RESCAN_H */
