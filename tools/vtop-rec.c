/* vtop-rec.c: mf-vtop's records: `xlat` (a walk with its steps) and `pagemap` (a range). */
#include "config.h"
#include "tool.h"
#include "vtop-fmt.h"

int
vtop_xlat_rec(struct mf_rec *rec, struct mf_rec *const *steprec, const struct vtop_walk *w)
{
	const struct mf_space *sp = &w->id->sp;
	struct mf_value arr, items[VTOP_MAXSTEPS];
	char fl[160], pm[5], xf[16];
	size_t i;

	mf_rec_reset(rec, "xlat");
	tool_space_fields(w->id, MF_ASPACE_REC_TABLES, rec);
	if (mf_rec_add_addr(rec, "va", w->va) < 0)
		return MF_ERR_NOMEM;
	if (w->r == 0) {
		if (mf_rec_add_addr(rec, "pa", w->x.pa) < 0 || mf_rec_add_addr(rec, "page_size", w->x.page_size) < 0 ||
		    mf_rec_add_str(rec, "perms", vtop_perms(w->x.flags, pm)) < 0 ||
		    mf_rec_add_str(rec, "flags", vtop_xflags(w->x.flags, xf, sizeof xf)) < 0)
			return MF_ERR_NOMEM;
	} else if (mf_rec_add_str(rec, "error", mf_strerror(w->r)) < 0 || mf_rec_add_str(rec, "message", w->why) < 0) {
		return MF_ERR_NOMEM;
	}
	for (i = 0; i < w->ns && i < VTOP_MAXSTEPS; i++) {
		const struct mf_vat_step *st = &w->steps[i];
		struct mf_rec *s = steprec[i];

		mf_rec_reset(s, NULL);
		vtop_entry_flags(sp, st->entry, w->r == 0 && i + 1 == w->ns, fl, sizeof fl);
		if (mf_rec_add_str(s, "level", mf_vat_level_name(sp, st->level)) < 0 ||
		    mf_rec_add_addr(s, "table", st->table_pa) < 0 || mf_rec_add_uint(s, "index", st->index) < 0 ||
		    mf_rec_add_addr(s, "entry_addr", st->entry_pa) < 0 || mf_rec_add_addr(s, "entry", st->entry) < 0 ||
		    mf_rec_add_str(s, "flags", fl) < 0 ||
		    (st->err < 0 && mf_rec_add_str(s, "error", mf_strerror(st->err)) < 0))
			return MF_ERR_NOMEM;
		items[i].type = MF_V_MAP;
		items[i].v.map = s;
	}
	arr.type = MF_V_ARRAY;
	arr.v.arr.v = items;
	arr.v.arr.n = i;
	return mf_rec_add_value(rec, "steps", &arr) < 0 ? MF_ERR_NOMEM : 0;
}

int
vtop_pagemap_rec(struct mf_rec *rec, const struct mf_vat_range *rg)
{
	char pm[5], xf[16];

	mf_rec_reset(rec, "pagemap");
	if (mf_rec_add_addr(rec, "va", rg->va) < 0 || mf_rec_add_addr(rec, "end", rg->va + rg->size) < 0 ||
	    mf_rec_add_addr(rec, "pa", rg->pa) < 0 || mf_rec_add_addr(rec, "size", rg->size) < 0 ||
	    mf_rec_add_addr(rec, "page_size", rg->page_size) < 0 ||
	    mf_rec_add_str(rec, "perms", vtop_perms(rg->flags, pm)) < 0 ||
	    mf_rec_add_str(rec, "flags", vtop_xflags(rg->flags, xf, sizeof xf)) < 0)
		return MF_ERR_NOMEM;
	return 0;
}
