/* tool-space.c: the space options every tool spells the same, the selection they make,
 * and processes that exit while a tool works on them. */
#include "config.h"
#include "tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool
tool_name_match(const char *glob, const struct mf_process *p)
{
	return mf_process_name_match(glob, p);
}

static void
tool_space_kind(struct tool *tl, struct tool_spaces *sp, enum mf_aspace_kind k)
{
	if (sp->one != NULL && sp->kind != MF_ASPACE_NONE && sp->kind != k)
		tool_usage_error(tl, "%s", sp->one);
	sp->kind = k;
}

bool
tool_space_opt(struct tool *tl, struct tool_spaces *sp, int c, const char *arg)
{
	switch (c) {
	case 'n':
		tool_space_kind(tl, sp, MF_ASPACE_PROCESS);
		if (sp->one != NULL)
			sp->sel.nnames = 0;   /* the last -n counts */
		sp->names = tool_xrealloc(sp->names, sp->sel.nnames + 1, sizeof *sp->names);
		sp->names[sp->sel.nnames++] = arg;
		sp->sel.names = sp->names;
		return true;
	case 'p':
		tool_space_kind(tl, sp, MF_ASPACE_PROCESS);
		tool_parse_pids(tl, arg, &sp->pids, &sp->sel.npids);
		sp->sel.pids = sp->pids;
		return true;
	case TOOL_OPT_ARCH:
		sp->sel.arch = arg;
		return true;
	case TOOL_OPT_DTB:
		tool_space_kind(tl, sp, MF_ASPACE_DTB);
		sp->sel.dtb = arg;
		return true;
	case TOOL_OPT_KERNEL:
		tool_space_kind(tl, sp, MF_ASPACE_KERNEL);
		sp->sel.kernel = true;
		return true;
	case TOOL_OPT_PHYS:
		tool_space_kind(tl, sp, MF_ASPACE_PHYS);
		sp->sel.phys = true;
		return true;
	default:
		return false;
	}
}

bool
tool_spaces_given(const struct tool_spaces *sp)
{
	return sp->kind != MF_ASPACE_NONE;
}

void
tool_spaces_stdin(struct tool *tl, const struct tool_spaces *sp)
{
	tl->topt.read_stdin = !tool_spaces_given(sp) || (tl->topt.conn == NULL && tl->topt.os == NULL && tl->topt.tfile == NULL);
}

static int
tool_count_other(void *ctx, const struct mf_rec *r)
{
	(void)r;
	((struct tool *)ctx)->nother++;
	return 0;
}

void
tool_select_count(struct tool *tl, struct mf_select_opts *o)
{
	if (o->other == NULL) {
		o->other = tool_count_other;
		o->ctx = tl;
	}
}

void
tool_spaces_empty(struct tool *tl, const char *verb)
{
	if (tl->in == NULL)
		return;
	if (tl->nother == 0)
		tool_warn(tl, "stdin carried a target record and no process records: nothing to %s", verb);
	else
		tool_warn(tl, "stdin carried a target record and %zu other record%s, no process records: nothing to %s",
		          tl->nother, tl->nother == 1 ? "" : "s", verb);
}

struct mf_select *
tool_select(struct tool *tl, struct tool_spaces *sp, unsigned flags)
{
	struct mf_select *sel;
	int r;

	tl->spaces = sp;
	tool_select_count(tl, &sp->sel);
	sp->sel.flags |= flags | (sp->one != NULL ? MF_SELECT_ONE_NAME : 0);
	if ((r = mf_select_new(tl->t, tl->in, &sp->sel, &sel, tl->errbuf)) < 0) {
		if (r == MF_ERR_ARG)
			tool_usage_error(tl, "%s", tl->errbuf);
		tool_die(tl, "%s", tl->errbuf);
	}
	return sel;
}

struct mf_aspace *
tool_next_space(struct tool *tl, struct mf_select *sel)
{
	struct mf_aspace_id id;
	struct mf_aspace *as;
	int r;

	if ((r = mf_select_next(sel, &id, tl->errbuf)) < 0)
		tool_die(tl, "%s", tl->errbuf);
	while (r > 0) {
		if ((r = mf_aspace_open(tl->t, &id, &as, tl->errbuf)) == 0)
			return as;
		if (id.kind != MF_ASPACE_PROCESS || !tool_space_gone(tl, id.pid, r))
			tool_die(tl, "%s", tl->errbuf);
		if ((r = mf_select_next(sel, &id, tl->errbuf)) < 0)
			tool_die(tl, "%s", tl->errbuf);
	}
	return NULL;
}

static bool
tool_pid_given(const struct tool *tl, uint64_t pid)
{
	size_t i;

	for (i = 0; tl->spaces != NULL && i < tl->spaces->sel.npids; i++)
		if (tl->spaces->sel.pids[i] == pid)
			return true;
	return false;
}

bool
tool_space_gone(struct tool *tl, uint64_t pid, int err)
{
	if ((err != MF_ERR_NOTFOUND && err != MF_ERR_GONE && err != MF_ERR_PERM) || tool_pid_given(tl, pid))
		return false;
	if (err == MF_ERR_PERM)
		tool_warn(tl, "cannot read pid %llu: %s (skipped)", (unsigned long long)pid, mf_strerror(err));
	else
		tool_warn(tl, "pid %llu exited", (unsigned long long)pid);
	tl->ngone++;
	return true;
}

void
tool_space_worked(struct tool *tl)
{
	tl->nworked++;
}

int
tool_spaces_status(struct tool *tl, int status)
{
	if (tl->ngone > 0 && tl->nworked == 0)
		return TOOL_EXIT_FAIL;
	return status;
}

void
tool_space_fields(const struct mf_aspace_id *id, unsigned flags, struct mf_rec *r)
{
	if (mf_aspace_id_rec(id, flags, r) < 0)
		tool_oom();
}
