/* rangemap.c: sorted physical ranges -> file offsets; lookup, batched reads and writes. */
#include "pluginlib/rangemap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "pluginlib/fileio.h"

#define RMAP_BATCH 256                       /* iovecs per preadv */
#define RMAP_BATCH_BYTES ((uint64_t)1 << 30)

void
rmap_free(struct rmap *m)
{
	free(m->seg);
	free(m->ranges);
	memset(m, 0, sizeof *m);
}

int
rmap_add(struct rmap *m, uint64_t base, uint64_t size, uint64_t off, uint32_t kind, uint32_t aux)
{
	size_t max = m->max ? m->max : RMAP_MAX_SEGS;

	if (size == 0)
		return 0;
	if (base + size < base || base + size == 0)
		size = UINT64_MAX - base;   /* the top byte of the address space stays out */
	if (size == 0)
		return 0;
	if (m->n >= max)
		return MF_ERR_LIMIT;
	if (m->n == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 16;
		struct rmap_seg *p = realloc(m->seg, ncap * sizeof *p);

		if (p == NULL)
			return MF_ERR_NOMEM;
		m->seg = p;
		m->cap = ncap;
	}
	m->seg[m->n++] = (struct rmap_seg){ .base = base, .size = size, .off = off, .kind = kind, .aux = aux };
	return 0;
}

static int
rmap_seg_cmp(const void *a, const void *b)
{
	const struct rmap_seg *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

int
rmap_finish(struct rmap *m, int sort, size_t *bad)
{
	size_t i, k = 0;

	if (sort && m->n > 1)
		qsort(m->seg, m->n, sizeof *m->seg, rmap_seg_cmp);
	for (i = 1; i < m->n; i++)
		if (m->seg[i].base < m->seg[i - 1].base + m->seg[i - 1].size) {
			*bad = i;
			return MF_ERR_FORMAT;
		}
	free(m->ranges);
	m->nranges = 0;
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

ptrdiff_t
rmap_find(const struct rmap *m, uint64_t addr)
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

int
rmap_locate(void *ctx, uint64_t addr, uint64_t *foff, uint64_t *len)
{
	const struct rmap *m = ctx;
	ptrdiff_t si = rmap_find(m, addr);
	const struct rmap_seg *g;

	if (si < 0)
		return MF_ERR_UNMAPPED;
	g = &m->seg[si];
	*foff = g->off + (addr - g->base);
	*len = g->base + g->size - addr;
	return 0;
}

int
rmap_covered(const struct rmap *m, uint64_t addr, uint64_t len, size_t *first)
{
	ptrdiff_t i = rmap_find(m, addr);
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

int
rmap_view(const struct rmap *m, const struct fio_map *f, uint64_t addr, uint64_t len, const void **data)
{
	ptrdiff_t i = rmap_find(m, addr);
	uint64_t foff, end, send;

	if (i < 0 || f->data == NULL || len == 0 || addr + len < addr || m->seg[i].kind != RMAP_PLAIN)
		return MF_ERR_UNSUPPORTED;
	foff = m->seg[i].off + (addr - m->seg[i].base);
	end = addr + len;
	/* the segments after the first must continue it in memory and in the file */
	while (end > (send = m->seg[i].base + m->seg[i].size)) {
		const struct rmap_seg *g = &m->seg[i], *h;

		if ((size_t)i + 1 >= m->n)
			return MF_ERR_UNSUPPORTED;
		h = &m->seg[i + 1];
		if (h->base != send || h->kind != RMAP_PLAIN || h->off != g->off + g->size)
			return MF_ERR_UNSUPPORTED;
		i++;
	}
	if (foff > f->size || len > f->size - foff)
		return MF_ERR_UNSUPPORTED;
	*data = f->data + foff;
	return 0;
}

/* Pieces of plain segments waiting for one preadv: adjacent in the file. */
struct rmap_batch {
	struct iovec v[RMAP_BATCH];
	size_t owner[RMAP_BATCH];
	uint64_t start, total;
	size_t cnt;
};

static void
rmap_flush(int fd, struct rmap_batch *b, struct mf_iov *iov)
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
			int64_t g = fio_pread_full(fd, (char *)b->v[i].iov_base + have, len - have, b->start + at + have);

			if (g < 0 || (uint64_t)g != len - have)
				iov[b->owner[i]].err = MF_ERR_IO;
		}
		at += len;
	}
	b->cnt = 0;
	b->total = 0;
}

/* One piece of a plain segment: into the batch, or read at once when it is huge. */
static void
rmap_read_plain(int fd, struct rmap_batch *b, struct mf_iov *iov, size_t i, char *buf, uint64_t take, uint64_t off)
{
	if (b->cnt > 0 && (b->cnt == RMAP_BATCH || b->start + b->total != off || b->total + take > RMAP_BATCH_BYTES))
		rmap_flush(fd, b, iov);
	if (take > RMAP_BATCH_BYTES) {
		int64_t r = fio_pread_full(fd, buf, take, off);

		if (r < 0 || (uint64_t)r != take)
			iov[i].err = MF_ERR_IO;
		return;
	}
	if (b->cnt == 0)
		b->start = off;
	b->v[b->cnt].iov_base = buf;
	b->v[b->cnt].iov_len = take;
	b->owner[b->cnt] = i;
	b->cnt++;
	b->total += take;
}

/* One piece of an entry, inside segment g: answer it, setting iov[i].err on failure. */
typedef void (*rmap_piece_fn)(void *c, struct mf_iov *iov, size_t i, const struct rmap_seg *g, uint64_t addr,
                              char *buf, uint64_t take);

/* Cut every entry into its pieces, one per segment it spans; an entry that is not wholly
 * present fails with MF_ERR_UNMAPPED.  With stop, an entry's first error ends it. */
static void
rmap_walk(const struct rmap *m, struct mf_iov *iov, size_t n, int stop, rmap_piece_fn piece, void *c)
{
	size_t i, s;

	for (i = 0; i < n; i++) {
		uint64_t addr = iov[i].addr, left = iov[i].len;
		char *buf = iov[i].buf;

		iov[i].err = 0;
		if (left == 0)
			continue;
		if (!rmap_covered(m, addr, left, &s)) {
			iov[i].err = MF_ERR_UNMAPPED;
			continue;
		}
		while (left > 0 && !(stop && iov[i].err != 0)) {
			const struct rmap_seg *g = &m->seg[s];
			uint64_t in = addr - g->base;
			uint64_t take = g->size - in < left ? g->size - in : left;

			piece(c, iov, i, g, addr, buf, take);
			addr += take;
			buf += take;
			left -= take;
			s++;
		}
	}
}

struct rmap_reader {
	int fd;
	struct rmap_batch b;
	rmap_slow_fn slow;
	void *ctx;
};

static void
rmap_read_piece(void *c, struct mf_iov *iov, size_t i, const struct rmap_seg *g, uint64_t addr, char *buf,
                uint64_t take)
{
	struct rmap_reader *r = c;

	if (g->kind != RMAP_PLAIN) {
		int e = r->slow ? r->slow(r->ctx, g, addr, buf, take) : MF_ERR_UNSUPPORTED;

		if (e < 0)
			iov[i].err = e;
	} else {
		rmap_read_plain(r->fd, &r->b, iov, i, buf, take, g->off + (addr - g->base));
	}
}

void
rmap_read(const struct rmap *m, int fd, struct mf_iov *iov, size_t n, rmap_slow_fn slow, void *ctx)
{
	struct rmap_reader r = { .fd = fd, .slow = slow, .ctx = ctx };

	r.b.cnt = 0;
	r.b.total = 0;
	r.b.start = 0;
	rmap_walk(m, iov, n, 0, rmap_read_piece, &r);
	rmap_flush(fd, &r.b, iov);
}

static void
rmap_write_piece(void *c, struct mf_iov *iov, size_t i, const struct rmap_seg *g, uint64_t addr, char *buf,
                 uint64_t take)
{
	int64_t r;

	if (g->kind != RMAP_PLAIN) {
		iov[i].err = MF_ERR_READONLY;
		return;
	}
	r = fio_pwrite_full(*(const int *)c, buf, take, g->off + (addr - g->base));
	if (r < 0 || (uint64_t)r != take)
		iov[i].err = MF_ERR_IO;
}

void
rmap_write(const struct rmap *m, int fd, struct mf_iov *iov, size_t n)
{
	rmap_walk(m, iov, n, 1, rmap_write_piece, &fd);
}
