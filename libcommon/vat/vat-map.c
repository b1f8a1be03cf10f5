/* vat-map.c: the page map of an address space (every mapped range, merged) and physical
 * to virtual lookups.  Depth-first in VA order; the child tables of a table are read in
 * groups, one physical call per group, into a fixed buffer per level.  The number of
 * table pages visited is capped, so cyclic tables end in bounded time. */
#include "vat-int.h"

#include <stdlib.h>
#include <string.h>

struct vatmap {
	struct mf_vat *v;
	const struct vat_fmt *f;
	uint64_t start, last;     /* inclusive bounds */
	mf_vat_range_cb cb;
	void *ctx;
	struct mf_vat_range cur;
	int have;
	int stop;                 /* callback's non-zero value, or MF_ERR_LIMIT */
	int done;                 /* passed `last` */
	uint64_t visited;         /* 4 KiB units of table read */
};

#define VATMAP_GROUP 64            /* child tables read per physical call */

struct vatmap_child {
	uint64_t table;
	uint64_t va;              /* the subtree's first VA (before sign extension) */
	uint32_t deny;
};

static uint64_t
vatmap_canon(const struct vat_fmt *f, uint64_t va)
{
	unsigned s;

	if (f->sext == 0)
		return va;
	s = 64 - f->sext;
	return (uint64_t)((int64_t)(va << s) >> s);
}

static uint64_t
vatmap_tsize(const struct vat_fmt *f, unsigned level)
{
	return (uint64_t)f->esize << f->bits[level];
}

static void
vatmap_emit(struct vatmap *m, uint64_t va, uint64_t pa, uint64_t psize, uint32_t flags)
{
	uint64_t s = va > m->start ? va : m->start;
	uint64_t e = va + (psize - 1) < m->last ? va + (psize - 1) : m->last;
	uint64_t size = e - s + 1;
	struct mf_vat_range *c = &m->cur;

	pa += s - va;
	if (m->have && c->va + c->size == s && c->pa + c->size == pa && c->flags == flags &&
	    c->page_size == psize) {
		c->size += size;
		return;
	}
	if (m->have) {
		int r = m->cb(m->ctx, c);

		if (r != 0) {
			m->stop = r;
			m->have = 0;
			return;
		}
	}
	c->va = s;
	c->pa = pa;
	c->size = size;
	c->page_size = psize;
	c->flags = flags;
	m->have = 1;
}

static void vatmap_table(struct vatmap *m, unsigned level, const uint8_t *tbl, uint64_t va0,
                         uint32_t deny);

/* Read the child tables of one group (one physical call) and walk each in order. */
static void
vatmap_group(struct vatmap *m, unsigned level, const struct vatmap_child *ch, size_t n)
{
	struct mf_vat *v = m->v;
	uint64_t tsize = vatmap_tsize(m->f, level);
	uint8_t *buf = v->mapbuf + (size_t)level * VAT_MAPBUF;
	struct mf_iov *iov = v->iov;
	uint64_t units = (tsize + VAT_PAGE - 1) / VAT_PAGE;
	int32_t err[VATMAP_GROUP];

	if (n == 0 || m->stop || n > VATMAP_GROUP)
		return;
	if (m->visited + units * n > m->v->walk_limit) {
		m->stop = MF_ERR_LIMIT;
		return;
	}
	m->visited += units * n;
	for (size_t k = 0; k < n; k++) {
		iov[k].addr = ch[k].table;
		iov[k].buf = buf + k * tsize;
		iov[k].len = tsize;
	}
	vatint_phys(v, v->read, v->ctx, iov, n);
	/* deeper levels reuse iov: keep the results */
	for (size_t k = 0; k < n; k++)
		err[k] = iov[k].err;
	for (size_t k = 0; k < n && !m->stop && !m->done; k++) {
		if (err[k] < 0)
			continue;                  /* unreadable table: nothing mapped there */
		vatmap_table(m, level, buf + k * tsize, ch[k].va, ch[k].deny);
	}
}

static void
vatmap_table(struct vatmap *m, unsigned level, const uint8_t *tbl, uint64_t va0, uint32_t deny)
{
	const struct vat_fmt *f = m->f;
	uint64_t nent = 1ull << f->bits[level];
	uint64_t span = 1ull << f->shift[level];
	uint64_t tsize_next = level + 1 < f->nlevels ? vatmap_tsize(f, level + 1) : 0;
	size_t gmax = tsize_next ? VAT_MAPBUF / tsize_next : 0;
	struct vatmap_child ch[VATMAP_GROUP];
	size_t nch = 0;
	uint64_t i;

	if (gmax > mf_countof(ch))
		gmax = mf_countof(ch);
	for (i = 0; i < nent && !m->stop && !m->done; i++) {
		uint64_t va = va0 | i << f->shift[level];
		uint64_t cva = vatmap_canon(f, va);
		struct vat_ws w;
		int r;

		if (cva + (span - 1) < m->start)
			continue;
		if (cva > m->last)
			break;                     /* past the end: flush the group, then stop */
		memset(&w, 0, sizeof(w));
		w.va = cva;
		w.level = (uint16_t)level;
		w.deny = deny;
		r = vatint_decode(f, &w, vatint_load(f, tbl + i * f->esize));
		if (r < 0)
			continue;
		if (r == 0) {
			ch[nch].table = w.table;
			ch[nch].va = va;
			ch[nch].deny = w.deny;
			if (++nch == gmax) {
				vatmap_group(m, level + 1, ch, nch);
				nch = 0;
			}
			continue;
		}
		if (nch > 0) {
			vatmap_group(m, level + 1, ch, nch);
			nch = 0;
			if (m->stop || m->done)
				break;
		}
		vatmap_emit(m, cva, w.pa, w.psize, w.flags);
	}
	if (nch > 0 && !m->stop && !m->done)
		vatmap_group(m, level + 1, ch, nch);
	if (i < nent)
		m->done = 1;
}

MF_API int
mf_vat_page_map(struct mf_vat *v, const struct mf_space *sp, uint64_t start, uint64_t end,
                mf_vat_range_cb cb, void *ctx)
{
	struct vat_fmt f;
	struct vatmap m;
	int r;

	if (v == NULL || cb == NULL || (end != 0 && end <= start))
		return MF_ERR_ARG;
	r = vatint_fmt(sp, &f);
	if (r < 0)
		return r;
	if (v->mapbuf == NULL) {
		v->mapbuf = malloc((size_t)VAT_MAXLEVELS * VAT_MAPBUF);
		if (v->mapbuf == NULL)
			return MF_ERR_NOMEM;
	}
	vatint_clock(v);
	memset(&m, 0, sizeof(m));
	m.v = v;
	m.f = &f;
	m.start = start;
	m.last = end ? end - 1 : UINT64_MAX;
	m.cb = cb;
	m.ctx = ctx;
	for (int half = 0; half < 2 && !m.stop && !m.done; half++) {
		struct vatmap_child root;
		uint64_t tsize = vatmap_tsize(&f, 0);
		struct mf_iov *iov = v->iov;

		if (half == 1 && !f.has_hi)
			break;
		root.table = f.root[half];
		root.va = half ? ~0ull << f.va_bits : 0;
		root.deny = 0;
		if (m.visited + (tsize + VAT_PAGE - 1) / VAT_PAGE > v->walk_limit) {
			m.stop = MF_ERR_LIMIT;
			break;
		}
		m.visited += (tsize + VAT_PAGE - 1) / VAT_PAGE;
		iov[0].addr = root.table;
		iov[0].buf = v->mapbuf;
		iov[0].len = tsize;
		vatint_phys(v, v->read, v->ctx, iov, 1);
		if (iov[0].err < 0)
			continue;
		vatmap_table(&m, 0, v->mapbuf, root.va, 0);
	}
	/* the last range (also when the walk limit cut the walk short) */
	if (m.have) {
		r = cb(ctx, &m.cur);
		if (r != 0)
			return r;
	}
	if (m.stop)
		return m.stop;
	return v->fatal;
}

struct vatmap_p2v {
	uint64_t pa;
	uint64_t *vas;
	size_t max;
	size_t found;
};

static int
vatmap_p2v_cb(void *ctx, const struct mf_vat_range *r)
{
	struct vatmap_p2v *p = ctx;

	if (p->pa >= r->pa && p->pa - r->pa < r->size) {
		if (p->found < p->max)
			p->vas[p->found] = r->va + (p->pa - r->pa);
		p->found++;
	}
	return 0;
}

MF_API int
mf_vat_phys_to_virt(struct mf_vat *v, const struct mf_space *sp, uint64_t pa,
                    uint64_t *vas, size_t max, size_t *found)
{
	struct vatmap_p2v p = { pa, vas, max, 0 };
	int r;

	if (found)
		*found = 0;
	if (vas == NULL && max > 0)
		return MF_ERR_ARG;
	r = mf_vat_page_map(v, sp, 0, 0, vatmap_p2v_cb, &p);
	if (found)
		*found = p.found;
	return r;
}
