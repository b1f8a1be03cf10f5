/* regions.c: the mapped memory of an address space: physical ranges, os maps, or the page
 * map merged into regions of one permission. */
#include "mf-int.h"

#include <mftools/vat.h>

#include <string.h>

struct regions_pm {
	mf_region_cb cb;
	void *ctx;
	uint64_t start, end;      /* the pending region; empty when start == end */
	char perms[5];
};

static int
regions_pm_flush(struct regions_pm *pm)
{
	struct mf_region rg = { .start = pm->start, .end = pm->end, .perms = pm->perms, .path = "" };

	if (pm->start == pm->end)
		return 0;
	pm->start = pm->end = 0;
	return pm->cb(pm->ctx, &rg);
}

static int
regions_pm_cb(void *ctx, const struct mf_vat_range *r)
{
	struct regions_pm *pm = ctx;
	char perms[5] = { r->flags & MF_VAT_R ? 'r' : '-', r->flags & MF_VAT_W ? 'w' : '-',
	                  r->flags & MF_VAT_X ? 'x' : '-', 'p', '\0' };
	int e;

	if (pm->start != pm->end && (r->va != pm->end || strcmp(perms, pm->perms) != 0) &&
	    (e = regions_pm_flush(pm)) != 0)
		return e;
	if (pm->start == pm->end) {
		pm->start = r->va;
		memcpy(pm->perms, perms, sizeof perms);
	}
	pm->end = r->va + r->size;
	return 0;
}

static int
regions_page_map(struct mf_aspace *as, uint64_t start, mf_region_cb cb, void *ctx, char *errbuf)
{
	struct regions_pm pm = { .cb = cb, .ctx = ctx };
	int r, e;

	r = mfint_page_map(mfint_aspace_target(as), mf_aspace_space(as), start, 0, regions_pm_cb, &pm, errbuf);
	if (r == MF_ERR_UNSUPPORTED)
		return r;
	if (r == 0 || r == MF_ERR_LIMIT) {
		/* the last region, also when the walk stopped at its limit */
		if ((e = regions_pm_flush(&pm)) != 0 && r == 0)
			r = e;
	}
	if (r == MF_ERR_LIMIT)
		return mf_error(errbuf, r, "page map stopped after visiting too many page tables");
	if (r < 0)
		return mf_error(errbuf, r, "cannot walk the page tables: %s", mf_strerror(r));
	return r;
}

struct regions_maps {
	mf_region_cb cb;
	void *ctx;
};

static int
regions_map_cb(void *ctx, const struct mf_map *m)
{
	struct regions_maps *c = ctx;
	struct mf_region rg = { .start = m->start, .end = m->end, .perms = m->perms ? m->perms : "",
	                        .offset = m->offset, .path = m->path ? m->path : "" };

	return c->cb(c->ctx, &rg);
}

MF_API int
mf_aspace_regions(struct mf_aspace *as, mf_region_cb cb, void *ctx, char *errbuf)
{
	struct mf_target *t = mfint_aspace_target(as);
	const struct mf_aspace_id *id = mf_aspace_id(as);
	struct regions_maps c = { cb, ctx };
	const struct mf_range *rg;
	size_t n, i;
	int r;

	switch (id->kind) {
	case MF_ASPACE_PHYS:
		n = mf_phys_ranges(t, &rg);
		for (i = 0; i < n; i++) {
			struct mf_region x = { .start = rg[i].base, .end = rg[i].base + rg[i].size, .perms = "", .path = "" };

			if (rg[i].size > 0 && (r = cb(ctx, &x)) != 0)
				return r;
		}
		return 0;
	case MF_ASPACE_PROCESS:
		r = mf_maps(t, id->pid, regions_map_cb, &c, errbuf);
		if (r != MF_ERR_UNSUPPORTED || mf_aspace_space(as) == NULL)
			return r;
		return regions_page_map(as, 0, cb, ctx, errbuf);
	case MF_ASPACE_KERNEL:
		if (mf_aspace_space(as) == NULL)
			return mf_maps(t, 0, regions_map_cb, &c, errbuf);
		return regions_page_map(as, mf_arch_kernel_start(mf_aspace_arch(as)), cb, ctx, errbuf);
	case MF_ASPACE_DTB:
		return regions_page_map(as, 0, cb, ctx, errbuf);
	default:
		return mf_error(errbuf, MF_ERR_ARG, "no address space");
	}
}
