/* scan-space.c: mf-scan's spaces: the space options, the selection opened with the regions
 * to scan, and spaces lost on the way (a process that exited is a warning, once). */
#include "config.h"
#include "scan-tool.h"

#include <stdio.h>
#include <stdlib.h>

void
scan_space_opt(struct scan_state *st, int c, const char *arg)
{
	enum mf_aspace_kind before = st->sp.kind;

	tool_space_opt(st->tl, &st->sp, c, arg);
	if (before != MF_ASPACE_NONE && before != st->sp.kind)
		tool_usage_error(st->tl, "give one space (--phys, --kernel, -p or -n)");
}

bool
scan_space_same(const struct mf_aspace_id *a, const struct mf_aspace_id *b)
{
	return a->kind == b->kind && a->pid == b->pid &&
	       (a->kind != MF_ASPACE_DTB || (a->sp.root == b->sp.root && a->sp.arch == b->sp.arch));
}

bool
scan_space_is_lost(const struct scan_state *st, const struct mf_aspace_id *id)
{
	size_t i;

	for (i = 0; i < st->nfailed; i++)
		if (scan_space_same(&st->failed[i], id))
			return true;
	return false;
}

void
scan_space_lost(struct scan_state *st, const struct mf_aspace_id *id, int err, const char *msg)
{
	if (id->kind != MF_ASPACE_PROCESS || !tool_space_gone(st->tl, id->pid, err)) {
		tool_err(st->tl, "%s", msg);
		st->status = TOOL_EXIT_FAIL;
	}
	st->failed = tool_xrealloc(st->failed, st->nfailed + 1, sizeof *st->failed);
	st->failed[st->nfailed++] = *id;
}

void
scan_spaces_worked(struct scan_state *st)
{
	size_t i;

	for (i = 0; i < st->nspaces; i++) {
		const struct mf_aspace_id *id = mf_aspace_id(st->spaces[i]);

		if (id->kind == MF_ASPACE_PROCESS && !scan_space_is_lost(st, id))
			tool_space_worked(st->tl);
	}
}

/* The selected space could not be opened or listed. */
static void
scan_space_failed(struct scan_state *st, const struct mf_aspace_id *id, size_t nids, int r)
{
	struct tool *tl = st->tl;
	char msg[MF_ERRBUF_SIZE + 64];

	if (id->kind == MF_ASPACE_KERNEL && r == MF_ERR_LIMIT) {
		tool_warn(tl, "the kernel's page map stopped after visiting too many page tables");
		return;
	}
	if (id->kind == MF_ASPACE_KERNEL)
		tool_die(tl, "cannot walk the kernel's page tables: %s", mf_strerror(r));
	snprintf(msg, sizeof msg, "cannot list the memory maps of pid %llu: %s", (unsigned long long)id->pid,
	         tl->errbuf);
	if (id->kind != MF_ASPACE_PROCESS || (nids == 1 && (r != MF_ERR_NOTFOUND && r != MF_ERR_GONE)))
		tool_die(tl, "%s", msg);
	scan_space_lost(st, id, r, msg);
}

static int
scan_space_exe_cb(void *ctx, const struct mf_process *p)
{
	char **exe = ctx;

	free(*exe);
	*exe = tool_xstrdup(p->path != NULL ? p->path : "");
	return 0;
}

/* Open one space and list the regions to scan (of a process by default scanmem's: its
 * writable data; all readable ones with --all-regions). */
static void
scan_add_space(struct scan_state *st, const struct mf_aspace_id *id, size_t nids)
{
	struct tool *tl = st->tl;
	struct scan_region_sel sel = { .all = st->all_regions };
	char *exe = NULL;
	struct mf_aspace *as;
	int r;

	if ((r = mf_aspace_open(tl->t, id, &as, tl->errbuf)) < 0) {
		if (id->kind == MF_ASPACE_KERNEL)
			tool_die(tl, "cannot find the kernel's address space: %s", tl->errbuf);
		scan_space_failed(st, id, nids, r);
		return;
	}
	st->spaces = tool_xrealloc(st->spaces, st->nspaces + 1, sizeof *st->spaces);
	st->spaces[st->nspaces++] = as;
	/* the executable's path: its mappings are the program's data (a process gone by now
	 * fails in the regions walk below) */
	if (id->kind == MF_ASPACE_PROCESS && !sel.all && mf_process(tl->t, id->pid, scan_space_exe_cb, &exe, tl->errbuf) >= 0)
		sel.exe = exe;
	r = scan_regions_aspace(&st->regions, as, &sel, tl->errbuf);
	free(exe);
	if (r == MF_ERR_NOMEM || (r == MF_ERR_LIMIT && st->regions.n >= SCAN_REGIONS_MAX))
		tool_die(tl, "%s", tl->errbuf);
	if (r < 0)
		scan_space_failed(st, id, nids, r);
}

void
scan_open_spaces(struct scan_state *st)
{
	struct tool *tl = st->tl;
	struct mf_aspace_id *ids = NULL;
	struct mf_select *sel;
	size_t n = 0, i;
	int r;

	if (st->sp.kind == MF_ASPACE_PHYS && !mf_target_has_phys(tl->t))
		tool_die(tl, "%s has no physical memory (give a connector with -c)", mf_target_name(tl->t));
	if (st->sp.kind == MF_ASPACE_KERNEL && !mf_target_has_phys(tl->t))
		tool_die(tl, "%s has no physical memory to find the kernel's page tables in (give a connector with -c)",
		         mf_target_name(tl->t));
	sel = tool_select(tl, &st->sp, 0);
	for (;;) {
		ids = tool_xrealloc(ids, n + 1, sizeof *ids);
		if ((r = mf_select_next(sel, &ids[n], tl->errbuf)) <= 0)
			break;
		n++;
	}
	if (r < 0)
		tool_die(tl, "%s", tl->errbuf);
	mf_select_free(sel);
	if (n == 0 && tl->in == NULL)
		tool_usage_error(tl, "no space to scan: give --phys, --kernel, -p PID or -n NAME, or pipe in process records");
	if (n == 0)
		tool_spaces_empty(tl, "scan");
	for (i = 0; i < n; i++)
		scan_add_space(st, &ids[i], n);
	free(ids);
}
