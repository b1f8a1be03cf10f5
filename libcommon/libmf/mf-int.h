/* mf-int.h: libmf internals shared between its source files.  Never installed. */
#ifndef MF_INT_H
#define MF_INT_H

#include "config.h"
#include <mftools/mf.h>

#define MF_API __attribute__((visibility("default")))

#define mf_countof(a) (sizeof(a) / sizeof((a)[0]))

/* The host services struct libmf gives plugins. */
extern const struct mf_host mfint_host;

/* hints <-> record maps (hints.c) */
int mfint_hints_to_rec(const struct mf_hints *h, struct mf_rec *map);
int mfint_hints_from_rec(struct mf_hints *h, const struct mf_rec *map);
int mfint_hints_merge_missing(struct mf_hints *dst, const struct mf_hints *src, const char *skip);

/* The value of a hex digit, or -1. */
#include "libmf/hexval.h"

/* A record reader over n bytes of memory (copied), as mf_in_new reads a file (stream/in.c). */
struct mf_in *mfint_in_new_mem(const void *p, size_t n);

/* Does the target's os layer read process memory itself (no page tables to walk)? (target.c) */
bool mfint_target_os_reads(const struct mf_target *t);
/* The target's translation for libmf's own callers, safe from any thread: each call uses a
 * translator no other thread uses meanwhile (target-io.c).  The page-map callback may read
 * through the target (another translator serves it).  Results as mf_vat_translate and
 * mf_vat_page_map; MF_ERR_UNSUPPORTED without physical memory, message in errbuf. */
struct mf_vat_xlat;
struct mf_vat_range;
int mfint_translate(struct mf_target *t, const struct mf_space *sp, struct mf_vat_xlat *x, size_t n, char *errbuf);
int mfint_page_map(struct mf_target *t, const struct mf_space *sp, uint64_t start, uint64_t end,
                   int (*cb)(void *ctx, const struct mf_vat_range *r), void *ctx, char *errbuf);
/* The absolute path an argument named when the host opened it as a symbol file by a
 * relative path (into buf): 0, or MF_ERR_NOTFOUND (not opened so) (symfile.c). */
struct mf_kv;
int mfint_symfile_abs(const struct mf_kv *kv, char *buf, size_t size);
/* The progress line (progress.c): the verbosity mf_log_init was given (below 0: no line);
 * the threshold from MF_PROGRESS_MIN's value (NULL or empty: MF_PROGRESS_MIN_DEFAULT), 0 or
 * MF_ERR_ARG (not a byte count: *min is the default); the line for done of total bytes
 * after elapsed seconds, below width columns (0: 80), into buf: its length. */
void mfint_progress_verbosity(int verbosity);
int mfint_progress_min(const char *env, uint64_t *min);
size_t mfint_progress_line(char *buf, size_t size, const char *name, uint64_t done, uint64_t total, double elapsed,
                           unsigned width);
/* The target an address space reads (aspace.c). */
struct mf_target *mfint_aspace_target(const struct mf_aspace *as);

#endif
