/* fuzz-util.h: input helpers every fuzz target may use (fuzz-util.c): the input cut into
 * NUL-terminated parts, an input as a memfd, and an input as guest memory. */
#ifndef MF_FUZZ_UTIL_H
#define MF_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define FZ_PARTS_MAX 64

struct fz_parts {
	char *buf;                   /* the copy the parts point into */
	size_t n;
	char *p[FZ_PARTS_MAX];       /* each NUL-terminated (and may hold NULs: see len) */
	size_t len[FZ_PARTS_MAX];
};

/* Cut a copy of data at each sep (at most FZ_PARTS_MAX parts, the last takes the rest);
 * sep "" gives one part.  Aborts when out of memory. */
void fz_split(const uint8_t *data, size_t size, const char *sep, struct fz_parts *out);
void fz_parts_free(struct fz_parts *parts);

/* A memfd at offset 0 holding the n bytes at p (the caller closes it); aborts on failure. */
int fz_memfd(const void *p, size_t n);

/* The input as guest memory for the os layers' walkers: kernel addresses at or above
 * kbase read the input from kbase, lower (user) addresses read it from 0.  fz_vread is a
 * struct mf_phys vread over a struct fz_mem. */
struct fz_mem {
	const uint8_t *img;
	size_t len;
	uint64_t kbase;
};
struct mf_space;
struct mf_iov;
int fz_vread(void *ctx, const struct mf_space *sp, struct mf_iov *iov, size_t n);

#endif
