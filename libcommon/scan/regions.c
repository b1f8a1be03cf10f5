/* regions.c: the list of regions the scan engine reads, and how spaces are named. */
#include "config.h"
#include "scan/engine.h"

#include <stdio.h>
#include <stdlib.h>

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
