/* scan/multi.h: many byte patterns in one pass (mf-scan -F): the patterns compiled into one
 * Hyperscan database, run over a buffer by any number of threads at once (each takes a
 * scratch space from a pool).  Implemented in multi.c, the module mf-scan-hs.so, which the
 * first scan_multi_build opens (optional.c, scan/module.h); built without Hyperscan, or
 * with the module missing, building fails with MF_ERR_UNSUPPORTED. */
#ifndef MF_SCAN_MULTI_H
#define MF_SCAN_MULTI_H

#include <stddef.h>
#include <stdint.h>
#include "scan/match.h"
#include "scan/module.h"

struct scan_multi;

/* Compile the n patterns (each byte exact, a wildcard, or an ASCII letter in either case).
 * 0, or a negative MF_ERR_* with the message in errbuf. */
int scan_multi_build(const struct scan_pat *pats, size_t n, struct scan_multi **out, char *errbuf);
void scan_multi_free(struct scan_multi *m);

/* Matches of every pattern in buf[seg_start, seg_end) that start below own_end, in no
 * particular order: the callback gets the start offset and the pattern's index and returns
 * non-zero to stop (the scan then returns 1).  0, 1, or -1 when Hyperscan failed. */
typedef int (*scan_multi_fn)(void *ctx, size_t off, uint32_t pat);
int scan_multi_run(struct scan_multi *m, const uint8_t *buf, size_t seg_start, size_t seg_end, size_t own_end,
                   scan_multi_fn cb, void *ctx);

/* The table mf-scan-hs.so exports as scan_hs_module: the functions above. */
struct scan_multi_module {
	uint32_t abi;                 /* SCAN_MODULE_ABI */
	int (*build)(const struct scan_pat *pats, size_t n, struct scan_multi **out, char *errbuf);
	void (*free)(struct scan_multi *m);
	int (*run)(struct scan_multi *m, const uint8_t *buf, size_t seg_start, size_t seg_end, size_t own_end,
	           scan_multi_fn cb, void *ctx);
};

#endif /* MF_SCAN_MULTI_H */
