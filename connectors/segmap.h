/* segmap.h: the memory map of a file connector (physical ranges -> where their bytes are)
 * and the batched read that answers an iov list from it, coalescing entries that are
 * adjacent in the file into one preadv.  Header-only, everything static; include once per
 * connector.
 *
 * A segment is SMAP_PLAIN (bytes stored as is at `off`) or a kind of the connector's own,
 * answered through a callback (AVML's compressed blocks).  Segments are sorted and do not
 * overlap; ranges() reports them with adjacent segments merged, so a read entry may span
 * several segments: it is answered piece by piece, and fails with MF_ERR_UNMAPPED unless
 * every byte of it is present. */
#ifndef MF_CONNECTORS_SEGMAP_H
#define MF_CONNECTORS_SEGMAP_H

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/uio.h>

#include "fileio.h"

#define SMAP_MAX_SEGS (1u << 20)   /* ranges / program headers a file may have */
#define SMAP_PLAIN 0u
#define SMAP_BATCH 256             /* iovecs per preadv */
#define SMAP_BATCH_BYTES (1ull << 30)
#define SMAP_FN static __attribute__((unused))

struct smap_seg {
	uint64_t base;   /* physical address */
	uint64_t size;   /* bytes present */
	uint64_t off;    /* SMAP_PLAIN: file offset of base; else the connector's */
	uint32_t kind;   /* SMAP_PLAIN or the connector's own kind */
	uint32_t aux;    /* the connector's */
};

struct smap {
	struct smap_seg *seg;
	size_t n, cap;
	struct mf_range *ranges;   /* merged view for ranges() */
	size_t nranges;
};

/* Answer one piece of a non-plain segment: 0 or a negative MF_ERR_* for the entry. */
typedef int (*smap_slow_fn)(void *ctx, const struct smap_seg *s, uint64_t addr, void *buf,
                            uint64_t len);

SMAP_FN void
smap_free(struct smap *m)
{
	free(m->seg);
	free(m->ranges);
	memset(m, 0, sizeof *m);
}

/* Append a segment (no order check here; see smap_finish).  0, MF_ERR_LIMIT, MF_ERR_NOMEM. */
SMAP_FN int
smap_add(struct smap *m, uint64_t base, uint64_t size, uint64_t off, uint32_t kind, uint32_t aux)
{
	if (base + size < base || base + size == 0)
		size = UINT64_MAX - base;   /* the top byte of the address space stays out */
	if (size == 0)
		return 0;
	if (m->n >= SMAP_MAX_SEGS)
		return MF_ERR_LIMIT;
	if (m->n == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 16;
		struct smap_seg *p = realloc(m->seg, ncap * sizeof *p);

		if (p == NULL)
			return MF_ERR_NOMEM;
		m->seg = p;
		m->cap = ncap;
	}
	m->seg[m->n++] = (struct smap_seg){ .base = base, .size = size, .off = off, .kind = kind, .aux = aux };
	return 0;
}

SMAP_FN int
smap_seg_cmp(const void *a, const void *b)
{
	const struct smap_seg *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

/* Sort (if asked), check order and build the merged range list.  Returns 0, MF_ERR_NOMEM,
 * or MF_ERR_FORMAT with *bad = i when segment i overlaps (or, unsorted, precedes) i-1. */
SMAP_FN int
smap_finish(struct smap *m, int sort, size_t *bad)
{
	size_t i, k = 0;

	if (sort && m->n > 1)
		qsort(m->seg, m->n, sizeof *m->seg, smap_seg_cmp);
	for (i = 1; i < m->n; i++)
		if (m->seg[i].base < m->seg[i - 1].base + m->seg[i - 1].size) {
			*bad = i;
			return MF_ERR_FORMAT;
		}
	free(m->ranges);
	m->ranges = calloc(m->n ? m->n : 1, sizeof *m->ranges);
	if (m->ranges == NULL)
		return MF_ERR_NOMEM;
	for (i = 0; i < m->n; i++) {
		if (k > 0 && m->ranges[k - 1].base + m->ranges[k - 1].size == m->seg[i].base) {
			m->ranges[k - 1].size += m->seg[i].size;
			continue;
		}
		m->ranges[k].base = m->seg[i].base;
		m->ranges[k].size = m->seg[i].size;
		k++;
	}
	m->nranges = k;
	return 0;
}

/* Index of the segment holding addr, or -1. */
SMAP_FN ptrdiff_t
smap_find(const struct smap *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {   /* first segment with base > addr */
		size_t mid = lo + (hi - lo) / 2;

		if (m->seg[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr - m->seg[lo - 1].base >= m->seg[lo - 1].size)
		return -1;
	return (ptrdiff_t)(lo - 1);
}

/* Is [addr, addr+len) present, contiguously?  Sets *first to its first segment. */
SMAP_FN int
smap_covered(const struct smap *m, uint64_t addr, uint64_t len, size_t *first)
{
	ptrdiff_t i = smap_find(m, addr);
	uint64_t end;

	if (i < 0 || len == 0 || addr + len < addr)
		return 0;
	*first = (size_t)i;
	end = addr + len;
	for (;;) {
		uint64_t send = m->seg[i].base + m->seg[i].size;

		if (end <= send)
			return 1;
		if ((size_t)i + 1 >= m->n || m->seg[i + 1].base != send)
			return 0;
		i++;
	}
}

struct smap_batch {
	struct iovec v[SMAP_BATCH];
	size_t owner[SMAP_BATCH];
	uint64_t start, total;
	size_t cnt;
};

SMAP_FN void
smap_flush(int fd, struct smap_batch *b, struct mf_iov *iov)
{
	ssize_t r;
	uint64_t at = 0;
	size_t i;

	if (b->cnt == 0)
		return;
	do
		r = preadv(fd, b->v, (int)b->cnt, (off_t)b->start);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		r = 0;
	for (i = 0; i < b->cnt; i++) {
		uint64_t len = b->v[i].iov_len;

		if (at + len > (uint64_t)r) {   /* short: retry this piece alone */
			uint64_t have = (uint64_t)r > at ? (uint64_t)r - at : 0;
			int64_t g = fio_pread_full(fd, (char *)b->v[i].iov_base + have, len - have,
			                           b->start + at + have);

			if (g < 0 || (uint64_t)g != len - have)
				iov[b->owner[i]].err = MF_ERR_IO;
		}
		at += len;
	}
	b->cnt = 0;
	b->total = 0;
}

/* Read every entry; per-entry results in iov[i].err.  `slow` may be NULL when every
 * segment is plain. */
SMAP_FN void
smap_read(const struct smap *m, int fd, struct mf_iov *iov, size_t n, smap_slow_fn slow, void *ctx)
{
	struct smap_batch b;
	size_t i, s;

	b.cnt = 0;
	b.total = 0;
	b.start = 0;
	for (i = 0; i < n; i++) {
		uint64_t addr = iov[i].addr, left = iov[i].len;
		char *buf = iov[i].buf;

		iov[i].err = 0;
		if (left == 0)
			continue;
		if (!smap_covered(m, addr, left, &s)) {
			iov[i].err = MF_ERR_UNMAPPED;
			continue;
		}
		while (left > 0) {
			const struct smap_seg *g = &m->seg[s];
			uint64_t in = addr - g->base;
			uint64_t take = g->size - in < left ? g->size - in : left;

			if (g->kind != SMAP_PLAIN) {
				int e = slow ? slow(ctx, g, addr, buf, take) : MF_ERR_UNSUPPORTED;

				if (e < 0)
					iov[i].err = e;
			} else {
				uint64_t off = g->off + in;

				if (b.cnt > 0 && (b.cnt == SMAP_BATCH || b.start + b.total != off ||
				                  b.total + take > SMAP_BATCH_BYTES))
					smap_flush(fd, &b, iov);
				if (take > SMAP_BATCH_BYTES) {
					int64_t r = fio_pread_full(fd, buf, take, off);

					if (r < 0 || (uint64_t)r != take)
						iov[i].err = MF_ERR_IO;
				} else {
					if (b.cnt == 0)
						b.start = off;
					b.v[b.cnt].iov_base = buf;
					b.v[b.cnt].iov_len = take;
					b.owner[b.cnt] = i;
					b.cnt++;
					b.total += take;
				}
			}
			addr += take;
			buf += take;
			left -= take;
			s++;
		}
	}
	smap_flush(fd, &b, iov);
}

/* Write every entry into plain segments (others answer MF_ERR_READONLY). */
SMAP_FN void
smap_write(const struct smap *m, int fd, struct mf_iov *iov, size_t n)
{
	size_t i, s;

	for (i = 0; i < n; i++) {
		uint64_t addr = iov[i].addr, left = iov[i].len;
		const char *buf = iov[i].buf;

		iov[i].err = 0;
		if (left == 0)
			continue;
		if (!smap_covered(m, addr, left, &s)) {
			iov[i].err = MF_ERR_UNMAPPED;
			continue;
		}
		while (left > 0 && iov[i].err == 0) {
			const struct smap_seg *g = &m->seg[s];
			uint64_t in = addr - g->base;
			uint64_t take = g->size - in < left ? g->size - in : left;

			if (g->kind != SMAP_PLAIN) {
				iov[i].err = MF_ERR_READONLY;
			} else {
				int64_t r = fio_pwrite_full(fd, buf, take, g->off + in);

				if (r < 0 || (uint64_t)r != take)
					iov[i].err = MF_ERR_IO;
			}
			addr += take;
			buf += take;
			left -= take;
			s++;
		}
	}
}

/* Little-endian loads from a byte buffer. */
static inline uint16_t
smap_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
smap_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t
smap_le64(const uint8_t *p)
{
	return (uint64_t)smap_le32(p) | (uint64_t)smap_le32(p + 4) << 32;
}

#endif
