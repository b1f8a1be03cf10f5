/* regions.c: the list of regions the scan engine reads, and the regions of a libmf address
 * space that a scan selects (scanmem's by default: writable data, not code). */
#include "config.h"
#include "scan/engine.h"

#include <stdlib.h>
#include <string.h>

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

bool
scan_region_wanted(const struct scan_region_sel *sel, const char *perms, const char *path)
{
	/* physical ranges and page maps have no permissions: all of them */
	if (perms == NULL || perms[0] == '\0')
		return true;
	if (perms[0] != 'r')
		return false;
	if (sel->all)
		return true;
	/* scanmem's maps.c, region_scan_level 2: read and write, then anonymous (bss and
	 * the heap of mmap), the heap, a stack, or the executable's own mappings */
	if (perms[1] != 'w')
		return false;
	if (path == NULL || path[0] == '\0')
		return true;
	if (strcmp(path, "[heap]") == 0 || strncmp(path, "[stack", 6) == 0)
		return true;
	return sel->exe != NULL && sel->exe[0] != '\0' && strcmp(path, sel->exe) == 0;
}

struct scan_regions_walk {
	struct scan_regions *l;
	struct mf_aspace *as;
	const struct scan_region_sel *sel;
	int err;
	char *errbuf;
};

static int
scan_regions_cb(void *ctx, const struct mf_region *r)
{
	struct scan_regions_walk *w = ctx;

	if (!scan_region_wanted(w->sel, r->perms, r->path))
		return 0;
	w->err = scan_regions_add(w->l, w->as, r->start, r->end, w->errbuf);
	return w->err < 0 ? 1 : 0;
}

int
scan_regions_aspace(struct scan_regions *l, struct mf_aspace *as, const struct scan_region_sel *sel, char *errbuf)
{
	struct scan_regions_walk w = { .l = l, .as = as, .sel = sel, .errbuf = errbuf };
	int r = mf_aspace_regions(as, scan_regions_cb, &w, errbuf);

	return w.err < 0 ? w.err : r < 0 ? r : 0;
}
