/* regions.c: the list of regions the scan engine reads, and the readable regions of a
 * libmf address space. */
#include "config.h"
#include "scan/engine.h"

#include <stdlib.h>

int
scan_regions_add(struct scan_regions *l, void *space, uint64_t start, uint64_t end, char *errbuf)
{
	if (end != 0 && end <= start)
		return 0;
	if (l->n > 0) {
		struct scan_region *last = &l->v[l->n - 1];

		if (last->space == space && last->end == start && last->end != 0) {
			last->end = end;
			return 0;
		}
	}
	if (l->n >= SCAN_REGIONS_MAX)
		return mf_error(errbuf, MF_ERR_LIMIT, "more than %u memory regions", SCAN_REGIONS_MAX);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct scan_region *v = realloc(l->v, cap * sizeof *v);

		if (v == NULL)
			return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct scan_region){ .space = space, .start = start, .end = end };
	return 0;
}

void
scan_regions_free(struct scan_regions *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

struct scan_regions_walk {
	struct scan_regions *l;
	struct mf_aspace *as;
	int err;
	char *errbuf;
};

static int
scan_regions_cb(void *ctx, const struct mf_region *r)
{
	struct scan_regions_walk *w = ctx;

	/* physical ranges have no permissions; of mappings, the readable ones */
	if (r->perms != NULL && r->perms[0] != '\0' && r->perms[0] != 'r')
		return 0;
	w->err = scan_regions_add(w->l, w->as, r->start, r->end, w->errbuf);
	return w->err < 0 ? 1 : 0;
}

int
scan_regions_aspace(struct scan_regions *l, struct mf_aspace *as, char *errbuf)
{
	struct scan_regions_walk w = { .l = l, .as = as, .errbuf = errbuf };
	int r = mf_aspace_regions(as, scan_regions_cb, &w, errbuf);

	return w.err < 0 ? w.err : r < 0 ? r : 0;
}
