/* vat-rw.c: virtual reads and writes: split entries into pieces that stay inside one
 * smallest page, translate the pieces of many entries in one batch, then move the bytes
 * with one physical call (physically contiguous pieces of an entry merged). */
#include "vat-int.h"

#include <string.h>

/* Where the next piece starts: entry i, byte off. */
struct vatrw_cursor {
	size_t i;
	uint64_t off;
};

/* One chunk: up to VAT_CHUNK pieces translated, then (unless dry) read or written.
 * Returns 0 or a whole-call error of the physical callback. */
static int
vatrw_chunk(struct mf_vat *v, const struct vat_fmt *f, mf_vat_phys_fn fn, void *fctx,
            struct mf_iov *iov, size_t n, struct vatrw_cursor *cur, int dry)
{
	uint64_t pg = 1ull << f->gshift;
	size_t np = 0, nio = 0;
	int r;

	while (cur->i < n && np < VAT_CHUNK) {
		struct mf_iov *e = &iov[cur->i];
		uint64_t va, len;

		if (e->err < 0 || cur->off >= e->len) {
			cur->i++;
			cur->off = 0;
			continue;
		}
		va = e->addr + cur->off;
		len = pg - (va & (pg - 1));
		if (len > e->len - cur->off)
			len = e->len - cur->off;
		v->pieces[np].idx = cur->i;
		v->pieces[np].len = len;
		v->pieces[np].buf = (uint8_t *)e->buf + cur->off;
		v->px[np].va = va;
		np++;
		cur->off += len;
	}
	if (np == 0)
		return 0;
	r = vatint_xlate(v, f, v->px, np);
	for (size_t k = 0; k < np; k++) {
		struct mf_iov *e = &iov[v->pieces[k].idx];

		if (v->px[k].err < 0 && e->err == 0)
			e->err = v->px[k].err;
	}
	if (dry)
		return r;
	for (size_t k = 0; k < np; k++) {
		size_t idx = v->pieces[k].idx;
		uint64_t pa = v->px[k].pa;

		if (iov[idx].err < 0)
			continue;
		if (nio > 0 && v->pidx[nio - 1] == idx &&
		    v->piov[nio - 1].addr + v->piov[nio - 1].len == pa &&
		    (uint8_t *)v->piov[nio - 1].buf + v->piov[nio - 1].len == v->pieces[k].buf) {
			v->piov[nio - 1].len += v->pieces[k].len;
			continue;
		}
		v->piov[nio].addr = pa;
		v->piov[nio].buf = v->pieces[k].buf;
		v->piov[nio].len = v->pieces[k].len;
		v->pidx[nio] = idx;
		nio++;
	}
	if (nio > 0) {
		int p = vatint_phys(v, fn, fctx, v->piov, nio);

		if (p < 0 && r == 0)
			r = p;
		for (size_t k = 0; k < nio; k++) {
			struct mf_iov *e = &iov[v->pidx[k]];

			if (v->piov[k].err < 0 && e->err == 0)
				e->err = v->piov[k].err;
		}
	}
	return r;
}

static int
vatrw(struct mf_vat *v, mf_vat_phys_fn fn, void *fctx, const struct mf_space *sp,
      struct mf_iov *iov, size_t n, int write)
{
	struct vat_fmt f;
	struct vatrw_cursor cur = { 0, 0 };
	int r, fatal = 0;

	if (v == NULL || (iov == NULL && n > 0))
		return MF_ERR_ARG;
	r = vatint_fmt(sp, &f);
	if (r < 0)
		return r;
	vatint_clock(v);
	for (size_t i = 0; i < n; i++) {
		iov[i].err = 0;
		if (iov[i].len > 0 && iov[i].buf == NULL)
			iov[i].err = MF_ERR_ARG;
		else if (iov[i].len > 0 && iov[i].addr + (iov[i].len - 1) < iov[i].addr)
			iov[i].err = MF_ERR_NONCANONICAL;   /* wraps past the top of the space */
	}
	if (write) {
		/* translate everything first: an entry with a hole is not written at all */
		while (cur.i < n) {
			r = vatrw_chunk(v, &f, fn, fctx, iov, n, &cur, 1);
			if (r < 0 && fatal == 0)
				fatal = r;
		}
		cur.i = 0;
		cur.off = 0;
	}
	while (cur.i < n) {
		r = vatrw_chunk(v, &f, fn, fctx, iov, n, &cur, 0);
		if (r < 0 && fatal == 0)
			fatal = r;
	}
	return fatal;
}

MF_API int
mf_vat_read(struct mf_vat *v, const struct mf_space *sp, struct mf_iov *iov, size_t n)
{
	return vatrw(v, v ? v->read : NULL, v ? v->ctx : NULL, sp, iov, n, 0);
}

MF_API int
mf_vat_write(struct mf_vat *v, mf_vat_phys_fn write, void *wctx, const struct mf_space *sp,
             struct mf_iov *iov, size_t n)
{
	if (write == NULL)
		return MF_ERR_READONLY;
	return vatrw(v, write, wctx, sp, iov, n, 1);
}
