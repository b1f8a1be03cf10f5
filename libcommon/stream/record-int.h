/* record-int.h: record internals shared by record.c, out.c and in.c.  Never installed. */
#ifndef MF_RECORD_INT_H
#define MF_RECORD_INT_H

#include "libmf/mf-int.h"

/* Nesting cap for maps and arrays inside one record (readers check it; writers trust the
 * records they were given, which can only be built that deep on purpose). */
#define MFINT_REC_MAX_DEPTH 32

/* n bytes (8-aligned) from r's arena, valid until mf_rec_reset/mf_rec_free; NULL on out of
 * memory. */
void *mfint_rec_alloc(struct mf_rec *r, size_t n);
/* A copy of p[0..n) plus a NUL in r's arena; NULL on out of memory. */
char *mfint_rec_strdup(struct mf_rec *r, const void *p, size_t n);
/* An empty typeless map owned by r (from r's pool: no malloc in steady state), for maps
 * inside arrays. */
struct mf_rec *mfint_rec_kid(struct mf_rec *r);
/* Append a field whose key is copied; *v is stored as is (its strings, arrays and maps must
 * already belong to r). */
int mfint_rec_push(struct mf_rec *r, const char *key, size_t keylen, const struct mf_value *v);
/* Move the first STR field named "type" to the front; 0, or MF_ERR_NOTFOUND if there is no
 * non-empty string "type". */
int mfint_rec_type_first(struct mf_rec *r);

#endif
