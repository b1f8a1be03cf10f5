/* pesyms.c: the exports of a process's PE modules as symbols (pesyms.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pluginlib/error.h"
#include "pluginlib/pesyms.h"

void
pesyms_init(struct pesyms *s, uint64_t pid, pe_read_fn read, void *rctx)
{
	memset(s, 0, sizeof *s);
	s->pid = pid;
	s->read = read;
	s->rctx = rctx;
}

int
pesyms_add(struct pesyms *s, const char *name, uint64_t base, uint64_t size)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct pesyms_mod *m = realloc(s->m, cap * sizeof *m);

		if (m == NULL)
			return MF_ERR_NOMEM;
		s->m = m;
		s->cap = cap;
	}
	memset(&s->m[s->n], 0, sizeof s->m[s->n]);
	s->m[s->n].base = base;
	s->m[s->n].size = size;
	if ((s->m[s->n].name = strdup(name)) == NULL)
		return MF_ERR_NOMEM;
	s->n++;
	return 0;
}

void
pesyms_free(struct pesyms *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->m[i].name);
		pe_exports_free(&s->m[i].ex);
	}
	free(s->m);
	s->m = NULL;
	s->n = s->cap = 0;
}

/* The module's headers and exports, read once. */
static int
pesyms_load(struct pesyms *s, struct pesyms_mod *m, char *errbuf)
{
	int r;

	if (m->state == 0) {
		r = pe_open(&m->pe, m->base, s->read, s->rctx, errbuf);
		if (r == 0)
			r = pe_exports_load(&m->pe, &m->ex, errbuf);
		m->state = r < 0 ? r : 1;
		return r;
	}
	if (m->state < 0)
		return plib_error(errbuf, m->state, "cannot read the exports of %s", m->name);
	return 0;
}

static int
pesyms_find(void *ctx, const char *module, const struct pe_image **pe, const struct pe_exports **ex, char *errbuf)
{
	struct pesyms *s = ctx;
	size_t i;
	int r;

	for (i = 0; i < s->n; i++) {
		if (!pe_modname_eq(s->m[i].name, module))
			continue;
		if ((r = pesyms_load(s, &s->m[i], errbuf)) < 0)
			return r;
		*pe = &s->m[i].pe;
		*ex = &s->m[i].ex;
		return 0;
	}
	return plib_error(errbuf, MF_ERR_NOTFOUND, "no module '%s' in pid %llu", module, (unsigned long long)s->pid);
}

struct pesyms_emit {
	struct pesyms *s;
	struct pesyms_mod *m;
	mf_symbol_cb cb;
	void *ctx;
	int forwarders;            /* 0: leave forwarders out (pesyms_at) */
	uint64_t at;               /* pesyms_at: the address, and the best below it */
	int found;
	struct mf_symbol best;
	char best_name[PE_MAX_NAME];
};

static int
pesyms_export_cb(void *ctx, const struct pe_export *e)
{
	struct pesyms_emit *w = ctx;
	struct mf_symbol sym = { .struct_size = sizeof sym, .pid = w->s->pid, .module = w->m->name };
	char ord[24], fmod[PE_MAX_NAME];
	const char *dot;

	if (e->name == NULL) {
		snprintf(ord, sizeof ord, "#%u", e->ordinal);
		sym.name = ord;
	} else {
		sym.name = e->name;
	}
	sym.kind = MF_SYM_EXPORT;
	sym.addr = w->m->base + e->rva;
	sym.forward = "";
	if (e->forward != NULL) {
		if (!w->forwarders)
			return 0;
		sym.kind = MF_SYM_FORWARDER;
		sym.forward = e->forward;
		/* the address the forwarder leads to, as GetProcAddress gives it; else the string's */
		if ((dot = strrchr(e->forward, '.')) != NULL && dot != e->forward) {
			uint64_t a;
			char eb[MF_ERRBUF_SIZE];

			snprintf(fmod, sizeof fmod, "%.*s", (int)(dot - e->forward), e->forward);
			if (pe_resolve(pesyms_find, w->s, fmod, dot + 1, &a, NULL, eb) == 0)
				sym.addr = a;
		}
	}
	if (w->cb != NULL)
		return w->cb(w->ctx, &sym);
	/* pesyms_at: the nearest export at or below the address */
	if (sym.addr <= w->at && (!w->found || sym.addr > w->best.addr)) {
		w->best = sym;
		snprintf(w->best_name, sizeof w->best_name, "%s", sym.name);
		w->best.name = w->best_name;
		w->found = 1;
	}
	return 0;
}

int
pesyms_symbols(struct pesyms *s, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct pesyms_emit w = { .s = s, .cb = cb, .ctx = ctx, .forwarders = 1 };
	size_t i;
	int r = 0;

	for (i = 0; i < s->n && r == 0; i++) {
		w.m = &s->m[i];
		if (pesyms_load(s, w.m, s->why) < 0)
			continue;   /* a module whose headers do not read: no exports from it */
		r = pe_exports_each(&w.m->pe, &w.m->ex, pesyms_export_cb, &w, NULL, errbuf);
	}
	return r;
}

int
pesyms_lookup(struct pesyms *s, const char *name, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct mf_symbol sym = { .struct_size = sizeof sym, .pid = s->pid, .kind = MF_SYM_EXPORT, .forward = "" };
	const char *bang = strchr(name, '!');
	char mod[PE_MAX_NAME], holder[PE_MAX_NAME];
	size_t i;
	int r;

	if (bang != NULL) {
		snprintf(mod, sizeof mod, "%.*s", (int)(bang - name), name);
		r = pe_resolve(pesyms_find, s, mod, bang + 1, &sym.addr, holder, errbuf);
		sym.name = bang + 1;
	} else {
		/* a bare name: the first module, in order, that exports it */
		r = plib_error(errbuf, MF_ERR_NOTFOUND, "no export '%s' in pid %llu", name, (unsigned long long)s->pid);
		for (i = 0; i < s->n; i++) {
			if (pesyms_load(s, &s->m[i], s->why) < 0)
				continue;
			if (pe_resolve(pesyms_find, s, s->m[i].name, name, &sym.addr, holder, s->why) == 0) {
				r = 0;
				break;
			}
		}
		sym.name = name;
	}
	if (r == 0) {
		for (i = 0; i < s->n && !pe_modname_eq(s->m[i].name, holder); i++)
			;
		sym.module = i < s->n ? s->m[i].name : holder;
		r = cb(ctx, &sym);
	}
	return r;
}

int
pesyms_at(struct pesyms *s, uint64_t addr, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct pesyms_emit w = { .s = s, .at = addr };
	size_t i;
	int r;

	r = plib_error(errbuf, MF_ERR_NOTFOUND, "no export at 0x%llx in pid %llu", (unsigned long long)addr,
	               (unsigned long long)s->pid);
	for (i = 0; i < s->n; i++) {
		if (addr < s->m[i].base || addr - s->m[i].base >= s->m[i].size)
			continue;
		w.m = &s->m[i];
		if ((r = pesyms_load(s, w.m, errbuf)) < 0)
			break;
		if ((r = pe_exports_each(&w.m->pe, &w.m->ex, pesyms_export_cb, &w, NULL, errbuf)) < 0)
			break;
		r = w.found ? cb(ctx, &w.best)
		            : plib_error(errbuf, MF_ERR_NOTFOUND, "no export of %s at or below 0x%llx", w.m->name,
		                         (unsigned long long)addr);
		break;
	}
	return r;
}
