/* select.c: which address spaces a tool works on, from its options or from the process
 * records on stdin: the one rule set of mf.h ("choosing spaces"). */
#include "mf-int.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SELECT_NAME_LIST 10       /* processes named in an ambiguity message */

struct mf_select {
	struct mf_in *in;
	struct mf_aspace_id *ids;     /* from the options, in order */
	size_t n, next;
	bool explicit;
	bool default_kernel;          /* MF_SELECT_KERNEL, not yet given */
	int (*other)(void *ctx, const struct mf_rec *r);
	void *ctx;
};

MF_API bool
mf_process_name_match(const char *glob, const struct mf_process *p)
{
	const char *cmd = p->cmdline ? p->cmdline : "", *end, *base;
	char argv0[256];
	size_t n;

	if (fnmatch(glob, p->name ? p->name : "", 0) == 0)
		return true;
	/* the base name of argv[0] (the first word of the command line): `exec -a NAME` */
	end = cmd + strcspn(cmd, " ");
	for (base = end; base > cmd && base[-1] != '/'; base--)
		;
	n = (size_t)(end - base);
	if (n == 0 || n >= sizeof argv0)
		return false;
	memcpy(argv0, base, n);
	argv0[n] = '\0';
	return fnmatch(glob, argv0, 0) == 0;
}

static int
select_add(struct mf_select *s, const struct mf_aspace_id *id)
{
	struct mf_aspace_id *v = realloc(s->ids, (s->n + 1) * sizeof *v);

	if (v == NULL)
		return MF_ERR_NOMEM;
	s->ids = v;
	v[s->n++] = *id;
	return 0;
}

/* --dtb ROOT [--arch ARCH]: the arch defaults to the target's; AArch64 takes the same root
 * for both halves and the VA size and granule of the target. */
static int
select_dtb(struct mf_target *t, const struct mf_select_opts *o, struct mf_aspace_id *id, char *errbuf)
{
	struct mf_hints *h = mf_target_hints(t);
	const char *arch = o->arch ? o->arch : mf_hints_get_str(h, "arch");
	uint64_t v;
	int r;

	memset(id, 0, sizeof *id);
	id->kind = MF_ASPACE_DTB;
	if ((r = mf_parse_u64(o->dtb, &id->sp.root)) < 0)
		return mf_error(errbuf, MF_ERR_ARG, r == MF_ERR_RANGE ? "page-table root '%s' out of range"
		                                                      : "invalid page-table root '%s'", o->dtb);
	if (arch == NULL)
		return mf_error(errbuf, MF_ERR_ARG, "--dtb needs --arch (the target does not know its architecture)");
	if (mf_arch_parse(arch, &id->sp.arch) < 0 || id->sp.arch == MF_ARCH_UNKNOWN)
		return mf_error(errbuf, MF_ERR_ARG, "unknown architecture '%s'", arch);
	if (id->sp.arch == MF_ARCH_AARCH64) {
		id->sp.root_hi = id->sp.root;
		if (mf_hints_get_u64(h, "va_bits", &v) == 0)
			id->sp.va_bits = (uint32_t)v;
		if (mf_hints_get_u64(h, "granule", &v) == 0)
			id->sp.granule = (uint32_t)v;
	}
	return 0;
}

struct select_names {
	const struct mf_select_opts *o;
	uint64_t *pids;
	size_t n, cap;
	bool nomem;
	char list[512];               /* "1 (a), 2 (b), ..." for an ambiguity message */
};

static int
select_name_cb(void *ctx, const struct mf_process *p)
{
	struct select_names *f = ctx;
	size_t i, used;

	for (i = 0; i < f->o->nnames; i++)
		if (mf_process_name_match(f->o->names[i], p))
			break;
	if (i == f->o->nnames)
		return 0;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		uint64_t *v = realloc(f->pids, cap * sizeof *v);

		if (v == NULL) {
			f->nomem = true;
			return 1;
		}
		f->pids = v;
		f->cap = cap;
	}
	used = strlen(f->list);
	if (f->n < SELECT_NAME_LIST)
		snprintf(f->list + used, sizeof f->list - used, "%s%llu (%s)", f->n ? ", " : "", (unsigned long long)p->pid,
		         p->name ? p->name : "");
	else if (f->n == SELECT_NAME_LIST)
		snprintf(f->list + used, sizeof f->list - used, ", ...");
	f->pids[f->n++] = p->pid;
	return 0;
}

static int
select_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
select_names(struct mf_select *s, struct mf_target *t, const struct mf_select_opts *o, char *errbuf)
{
	struct select_names f = { .o = o };
	char why[MF_ERRBUF_SIZE];
	size_t i;
	int r;

	why[0] = '\0';
	r = mf_processes(t, select_name_cb, &f, why);
	if (f.nomem) {
		r = mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (r < 0) {
		mf_error(errbuf, r, "cannot list processes of %s: %s", mf_target_name(t), why);
		goto out;
	}
	r = 0;
	if (f.n == 0) {
		/* pgrep's rule: a name that matches nothing is an error */
		r = mf_error(errbuf, MF_ERR_NOTFOUND, "no process matches '%s'%s", o->names[0],
		             o->nnames > 1 ? " (nor the other -n)" : "");
		goto out;
	}
	if (o->flags & MF_SELECT_ONE_NAME) {
		if (f.n > 1) {
			r = mf_error(errbuf, MF_ERR_GENERIC, "'%s' matches %zu processes: %s (use -p PID)", o->names[0], f.n, f.list);
			goto out;
		}
	}
	if (f.n > 0)
		qsort(f.pids, f.n, sizeof *f.pids, select_u64_cmp);
	for (i = 0; i < f.n && r == 0; i++) {
		struct mf_aspace_id id = { .kind = MF_ASPACE_PROCESS, .pid = f.pids[i] };

		if (i > 0 && f.pids[i] == f.pids[i - 1])
			continue;
		if ((r = select_add(s, &id)) < 0)
			mf_error(errbuf, r, "out of memory");
	}
out:
	free(f.pids);
	return r;
}

static int
select_options(struct mf_select *s, struct mf_target *t, const struct mf_select_opts *o, char *errbuf)
{
	struct mf_aspace_id id;
	size_t i;
	int r;

	if (o->phys && (r = select_add(s, &(struct mf_aspace_id){ .kind = MF_ASPACE_PHYS })) < 0)
		return mf_error(errbuf, r, "out of memory");
	if (o->kernel && (r = select_add(s, &(struct mf_aspace_id){ .kind = MF_ASPACE_KERNEL })) < 0)
		return mf_error(errbuf, r, "out of memory");
	if (o->dtb != NULL) {
		if ((r = select_dtb(t, o, &id, errbuf)) < 0)
			return r;
		if ((r = select_add(s, &id)) < 0)
			return mf_error(errbuf, r, "out of memory");
	}
	for (i = 0; i < o->npids; i++)
		if ((r = select_add(s, &(struct mf_aspace_id){ .kind = MF_ASPACE_PROCESS, .pid = o->pids[i] })) < 0)
			return mf_error(errbuf, r, "out of memory");
	if (o->nnames > 0)
		return select_names(s, t, o, errbuf);
	return 0;
}

MF_API int
mf_select_new(struct mf_target *t, struct mf_in *in, const struct mf_select_opts *o, struct mf_select **out,
              char *errbuf)
{
	struct mf_select *s;
	int r;

	*out = NULL;
	if ((s = calloc(1, sizeof *s)) == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	s->explicit = o->phys || o->kernel || o->dtb != NULL || o->npids > 0 || o->nnames > 0;
	s->other = o->other;
	s->ctx = o->ctx;
	if (s->explicit) {
		if ((r = select_options(s, t, o, errbuf)) < 0) {
			mf_select_free(s);
			return r;
		}
	} else {
		s->in = in;
		s->default_kernel = (o->flags & MF_SELECT_KERNEL) != 0;
	}
	*out = s;
	return 0;
}

MF_API int
mf_select_next(struct mf_select *s, struct mf_aspace_id *id, char *errbuf)
{
	const struct mf_rec *rec;
	char why[MF_ERRBUF_SIZE];
	int r;

	memset(id, 0, sizeof *id);
	if (s->explicit) {
		if (s->next == s->n)
			return 0;
		*id = s->ids[s->next++];
		return 1;
	}
	while (s->in != NULL && (r = mf_in_next(s->in, &rec, why)) != 0) {
		if (r < 0)
			return mf_error(errbuf, r, "stdin: %s", why);
		if (strcmp(mf_rec_type(rec), "process") != 0) {
			if (s->other != NULL && (r = s->other(s->ctx, rec)) != 0)
				return r;
			continue;
		}
		if (mf_rec_get_u64(rec, "pid", &id->pid) < 0)
			return mf_error(errbuf, MF_ERR_FORMAT, "stdin: process record without a valid pid");
		id->kind = MF_ASPACE_PROCESS;
		s->default_kernel = false;
		return 1;
	}
	s->in = NULL;
	if (s->default_kernel) {
		s->default_kernel = false;
		id->kind = MF_ASPACE_KERNEL;
		return 1;
	}
	return 0;
}

MF_API bool
mf_select_explicit(const struct mf_select *s)
{
	return s->explicit;
}

MF_API void
mf_select_free(struct mf_select *s)
{
	if (s == NULL)
		return;
	free(s->ids);
	free(s);
}
