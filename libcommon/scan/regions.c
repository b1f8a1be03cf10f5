/* regions.c: the list of regions the scan engine reads, and how spaces are named. */
#include "config.h"
#include "scan/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <mftools/vat.h>

const char *
scan_space_text(enum scan_space sp, uint64_t pid, char *buf, size_t size)
{
	switch (sp) {
	case SCAN_SP_PHYS: return "physical memory";
	case SCAN_SP_KERNEL: return "the kernel";
	case SCAN_SP_PID: snprintf(buf, size, "pid %llu", (unsigned long long)pid); return buf;
	default: return "?";
	}
}

int
scan_regions_add(struct scan_regions *l, enum scan_space sp, uint64_t pid, uint64_t start, uint64_t end,
                 char *errbuf)
{
	if (end != 0 && end <= start)
		return 0;
	if (l->n > 0) {
		struct scan_region *last = &l->v[l->n - 1];

		if (last->space == sp && last->pid == pid && last->end == start && last->end != 0) {
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
	l->v[l->n++] = (struct scan_region){ .space = sp, .pid = pid, .start = start, .end = end };
	return 0;
}

void
scan_regions_free(struct scan_regions *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

int
scan_regions_phys(struct scan_regions *l, struct mf_target *t, char *errbuf)
{
	const struct mf_range *rg;
	size_t n = mf_phys_ranges(t, &rg), i;
	int r;

	for (i = 0; i < n; i++) {
		uint64_t end = rg[i].base + rg[i].size;

		if (rg[i].size == 0)
			continue;
		if ((r = scan_regions_add(l, SCAN_SP_PHYS, 0, rg[i].base, end < rg[i].base ? 0 : end, errbuf)) < 0)
			return r;
	}
	return 0;
}

struct scan_regions_walk {
	struct scan_regions *l;
	struct mf_target *t;
	uint64_t pid;
	int err;
	char *errbuf;
	char readbuf[MF_ERRBUF_SIZE];
};

static int
scan_regions_vat_read(void *ctx, struct mf_iov *iov, size_t n)
{
	struct scan_regions_walk *w = ctx;

	return mf_phys_read(w->t, iov, n, w->readbuf);
}

static int
scan_regions_kmap_cb(void *ctx, const struct mf_vat_range *r)
{
	struct scan_regions_walk *w = ctx;

	w->err = scan_regions_add(w->l, SCAN_SP_KERNEL, 0, r->va, r->va + r->size, w->errbuf);
	return w->err < 0 ? 1 : 0;
}

int
scan_regions_kernel(struct scan_regions *l, struct mf_target *t, const struct mf_space *ksp, char *errbuf)
{
	struct scan_regions_walk w = { .l = l, .t = t, .errbuf = errbuf };
	struct mf_vat *v;
	int r;

	if ((v = mf_vat_new(scan_regions_vat_read, &w)) == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	/* the kernel half: the upper half of the 64-bit space (the top of 32-bit ones) */
	r = mf_vat_page_map(v, ksp, ksp->arch == MF_ARCH_X86_32 || ksp->arch == MF_ARCH_X86_PAE
	                                ? 0x80000000ull : 0x8000000000000000ull,
	                    0, scan_regions_kmap_cb, &w);
	mf_vat_free(v);
	return w.err < 0 ? w.err : r;
}

static int
scan_regions_map_cb(void *ctx, const struct mf_map *m)
{
	struct scan_regions_walk *w = ctx;

	if (m->perms == NULL || m->perms[0] != 'r' || m->end <= m->start)
		return 0;
	w->err = scan_regions_add(w->l, SCAN_SP_PID, w->pid, m->start, m->end, w->errbuf);
	return w->err < 0 ? 1 : 0;
}

int
scan_regions_maps(struct scan_regions *l, struct mf_target *t, uint64_t pid, char *errbuf)
{
	struct scan_regions_walk w = { .l = l, .t = t, .pid = pid, .errbuf = errbuf };
	int r = mf_maps(t, pid, scan_regions_map_cb, &w, errbuf);

	return w.err < 0 ? w.err : r < 0 ? r : 0;
}
