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
/* The target an address space reads (aspace.c). */
struct mf_target *mfint_aspace_target(const struct mf_aspace *as);

#endif
