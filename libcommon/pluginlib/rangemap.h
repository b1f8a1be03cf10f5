/* pluginlib/rangemap.h: the memory map of a file connector: sorted, non-overlapping
 * physical ranges (segments), each saying where its bytes are, with lookup by binary
 * search, the merged range list a connector's ranges() returns, and the batched read and
 * write that answer an iov list from it (entries adjacent in the file coalesce into one
 * preadv).  Part of libmfplugin.la (see vmcoreinfo.h for how to link it).
 *
 * A segment is RMAP_PLAIN (its bytes are stored as is at file offset `off`) or of a kind
 * of the connector's own (AVML's compressed blocks, kdump's pages), answered through a
 * callback or by the connector itself.  The list view merges adjacent segments, so a read
 * entry may span several segments: it is answered piece by piece, and fails with
 * MF_ERR_UNMAPPED unless every byte of it is present. */
#ifndef MF_PLUGINLIB_RANGEMAP_H
#define MF_PLUGINLIB_RANGEMAP_H

#include <stddef.h>
#include <stdint.h>

#include <mftools/plugin.h>

#define RMAP_MAX_SEGS ((size_t)1 << 20)   /* default cap on segments (rmap.max == 0) */
#define RMAP_PLAIN 0u

struct rmap_seg {
	uint64_t base;   /* physical address */
	uint64_t size;   /* bytes present */
	uint64_t off;    /* RMAP_PLAIN: file offset of base; else the connector's */
	uint32_t kind;   /* RMAP_PLAIN or the connector's own kind */
	uint32_t aux;    /* the connector's */
};

/* Zero-initialise; set `max` before the first rmap_add to change the cap. */
struct rmap {
	struct rmap_seg *seg;
	size_t n, cap;
	size_t max;                /* most segments; 0 = RMAP_MAX_SEGS */
	struct mf_range *ranges;   /* merged view for ranges(), built by rmap_finish */
	size_t nranges;
};

/* Answer one piece of a segment that is not plain: 0 or a negative MF_ERR_*. */
typedef int (*rmap_slow_fn)(void *ctx, const struct rmap_seg *s, uint64_t addr, void *buf, uint64_t len);

/* Free the arrays and zero the map. */
void rmap_free(struct rmap *m);

/* Append [base, base+size) (order is checked by rmap_finish).  Size 0 adds nothing; a
 * size that reaches or runs past the top of the address space is cut so that the top byte
 * stays out.  0, MF_ERR_LIMIT past the cap, or MF_ERR_NOMEM. */
int rmap_add(struct rmap *m, uint64_t base, uint64_t size, uint64_t off, uint32_t kind, uint32_t aux);

/* Sort the segments by base (if sort), check that none overlaps the one before and build
 * the merged range list.  0, MF_ERR_NOMEM, or MF_ERR_FORMAT with *bad = i when segment i
 * (in sorted order) overlaps (or, unsorted, precedes) segment i-1. */
int rmap_finish(struct rmap *m, int sort, size_t *bad);

/* Index of the segment holding addr, or -1. */
ptrdiff_t rmap_find(const struct rmap *m, uint64_t addr);

/* The file offset of addr in a plain segment and the bytes from there to its end: 0, or
 * MF_ERR_UNMAPPED when no segment holds addr (the shape of fio_locate_fn, ctx = m). */
int rmap_locate(void *m, uint64_t addr, uint64_t *foff, uint64_t *len);

/* Is [addr, addr+len) present, contiguously?  Sets *first to its first segment. */
int rmap_covered(const struct rmap *m, uint64_t addr, uint64_t len, size_t *first);

/* A view of [addr, addr+len) in the mapped file f (the view callback of struct
 * mf_connector): 0 with *data when every byte lies in plain segments that follow each
 * other in memory and in the file, within f; else MF_ERR_UNSUPPORTED (the caller reads a
 * copy, which reports holes and short files). */
struct fio_map;
int rmap_view(const struct rmap *m, const struct fio_map *f, uint64_t addr, uint64_t len, const void **data);

/* Read every entry from fd; per-entry results in iov[i].err (a short read is
 * MF_ERR_IO).  `slow` answers the pieces of segments that are not plain; it may be NULL
 * when every segment is plain. */
void rmap_read(const struct rmap *m, int fd, struct mf_iov *iov, size_t n, rmap_slow_fn slow, void *ctx);

/* Write every entry into plain segments of fd (others answer MF_ERR_READONLY). */
void rmap_write(const struct rmap *m, int fd, struct mf_iov *iov, size_t n);

#endif
