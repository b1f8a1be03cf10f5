/* modsyms.c: the symbols of a process's modules (see modsyms.h). */
#include "pluginlib/modsyms.h"

#include <stdlib.h>
#include <string.h>

#include "pluginlib/elfdyn.h"
#include "pluginlib/error.h"

/* a callback's value that ends a search with its answer */
#define MS_FOUND 1

void
modsyms_init(struct modsyms *ms, uint64_t pid, modsyms_read_fn read, void *rctx)
{
	memset(ms, 0, sizeof *ms);
	ms->pid = pid;
	ms->read = read;
	ms->rctx = rctx;
}

int
modsyms_add(void *ctx, const struct mf_module *m)
{
	struct modsyms *ms = ctx;

	if (ms->n == ms->cap) {
		size_t ncap = ms->cap ? ms->cap * 2 : 32;
		struct modsyms_mod *nm = realloc(ms->mods, ncap * sizeof *nm);

		if (nm == NULL)
			return MF_ERR_NOMEM;
		ms->mods = nm;
		ms->cap = ncap;
	}
	if ((ms->mods[ms->n].name = strdup(m->name ? m->name : "")) == NULL)
		return MF_ERR_NOMEM;
	ms->mods[ms->n].base = m->base;
	ms->mods[ms->n].size = m->size;
	ms->n++;
	return 0;
}

void
modsyms_free(struct modsyms *ms)
{
	size_t i;

	for (i = 0; i < ms->n; i++)
		free(ms->mods[i].name);
	free(ms->mods);
	memset(ms, 0, sizeof *ms);
}

/* ---- one module ------------------------------------------------------------------------ */

struct ms_emit {
	const struct modsyms *ms;
	const struct modsyms_mod *m;
	mf_symbol_cb cb;
	void *ctx;
};

static int
ms_emit_elf(void *ctx, const struct elfdyn_sym *e)
{
	struct ms_emit *em = ctx;
	struct mf_symbol s = {
		.struct_size = sizeof s,
		.kind = MF_SYM_EXPORT,
		.pid = em->ms->pid,
		.module = em->m->name,
		.name = e->name,
		.addr = e->addr,
		.size = e->size,
		.forward = "",
	};

	return em->cb(em->ctx, &s);
}

int
modsyms_module(const struct modsyms *ms, const struct modsyms_mod *m, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct ms_emit em = { .ms = ms, .m = m, .cb = cb, .ctx = ctx };

	return elfdyn_symbols(ms->read, ms->rctx, m->base, m->size, ms_emit_elf, &em, errbuf);
}

/* ---- the operations -------------------------------------------------------------------- */

/* Does the user's module name WANT name the module called HAVE?  Exactly, or HAVE's name
 * up to ".so" or up to a "." following WANT ("libc", "libc.so" and "libc.so.6" all name
 * libc.so.6). */
static int
ms_name_matches(const char *want, const char *have)
{
	size_t n = strlen(want);

	if (strcmp(want, have) == 0)
		return 1;
	return strncmp(want, have, n) == 0 && n > 0 && have[n] == '.';
}

int
modsyms_symbols(struct modsyms *ms, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	char why[MF_ERRBUF_SIZE];
	size_t i, good = 0;
	int r;

	for (i = 0; i < ms->n; i++) {
		r = modsyms_module(ms, &ms->mods[i], cb, ctx, why);
		if (r > 0)
			return r;
		/* a module that tells nothing (a data file mapped as one, pages absent from a
		 * dump) does not hide the others */
		if (r == 0)
			good++;
	}
	if (good == 0 && ms->n > 0)
		return plib_error(errbuf, MF_ERR_NOTFOUND, "pid %llu: no module's symbols can be read (%s: %s)",
		                  (unsigned long long)ms->pid, ms->mods[ms->n - 1].name, why);
	return 0;
}

struct ms_find {
	const char *name;
	uint64_t addr;
	struct mf_symbol best;
	char *best_name;
	int found;
};

static int
ms_find_name_cb(void *ctx, const struct mf_symbol *s)
{
	struct ms_find *f = ctx;

	if (strcmp(s->name, f->name) != 0)
		return 0;
	f->best = *s;
	f->best.name = f->name;   /* s->name lives only as long as the walk */
	return MS_FOUND;
}

int
modsyms_lookup(struct modsyms *ms, const char *name, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	const char *bang = strchr(name, '!');
	char why[MF_ERRBUF_SIZE], *want = NULL;
	struct ms_find f = { .name = bang ? bang + 1 : name };
	size_t i;
	int r = 0;

	if (bang != NULL && (want = strndup(name, (size_t)(bang - name))) == NULL)
		return plib_error(errbuf, MF_ERR_NOMEM, "out of memory");
	for (i = 0; i < ms->n; i++) {
		if (want != NULL && !ms_name_matches(want, ms->mods[i].name))
			continue;
		if ((r = modsyms_module(ms, &ms->mods[i], ms_find_name_cb, &f, why)) == MS_FOUND)
			break;
	}
	free(want);
	if (r != MS_FOUND)
		return plib_error(errbuf, MF_ERR_NOTFOUND, "pid %llu: no symbol '%s'", (unsigned long long)ms->pid, name);
	cb(ctx, &f.best);
	return 0;
}

/* Keep the symbol nearest below f->addr that contains it; its name is copied (the
 * module's tables go away after the walk). */
static int
ms_find_at_cb(void *ctx, const struct mf_symbol *s)
{
	struct ms_find *f = ctx;
	char *nm;

	if (s->addr > f->addr || (s->size != 0 && f->addr - s->addr >= s->size))
		return 0;
	if (f->found && s->addr <= f->best.addr)
		return 0;
	if ((nm = strdup(s->name)) == NULL)
		return MF_ERR_NOMEM;
	free(f->best_name);
	f->best = *s;
	f->best.name = f->best_name = nm;
	f->found = 1;
	return 0;
}

int
modsyms_at(struct modsyms *ms, uint64_t addr, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct ms_find f = { .addr = addr };
	char why[MF_ERRBUF_SIZE];
	size_t i;
	int r = 0;

	for (i = 0; i < ms->n; i++)
		if (addr >= ms->mods[i].base && addr - ms->mods[i].base < ms->mods[i].size)
			break;
	if (i == ms->n)
		return plib_error(errbuf, MF_ERR_NOTFOUND, "pid %llu: no module holds 0x%llx", (unsigned long long)ms->pid,
		                  (unsigned long long)addr);
	r = modsyms_module(ms, &ms->mods[i], ms_find_at_cb, &f, why);
	if (r == MF_ERR_NOMEM) {
		free(f.best_name);
		return plib_error(errbuf, r, "out of memory");
	}
	if (!f.found) {
		free(f.best_name);
		if (r < 0)
			return plib_error(errbuf, MF_ERR_NOTFOUND, "pid %llu: %s: %s", (unsigned long long)ms->pid,
			                  ms->mods[i].name, why);
		return plib_error(errbuf, MF_ERR_NOTFOUND, "pid %llu: no symbol of %s at or below 0x%llx",
		                  (unsigned long long)ms->pid, ms->mods[i].name, (unsigned long long)addr);
	}
	cb(ctx, &f.best);
	free(f.best_name);
	return 0;
}

int
modsyms_answer(struct modsyms *ms, const struct modsyms_query *q, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	switch (q->op) {
	case MODSYMS_LIST:
		return modsyms_symbols(ms, cb, ctx, errbuf);
	case MODSYMS_LOOKUP:
		return modsyms_lookup(ms, q->name, cb, ctx, errbuf);
	case MODSYMS_AT:
		return modsyms_at(ms, q->addr, cb, ctx, errbuf);
	}
	return plib_error(errbuf, MF_ERR_ARG, "no such symbol query");
}
