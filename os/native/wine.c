/* wine.c: Wine (and Proton) processes in the native layer: the Windows side of a process
 * that runs /usr/lib/wine/wine64.  Its PEB is found from its main thread's TEB (x64:
 * gs_base, read with ptrace; TEB+0x30 points to itself, TEB+0x60 is the PEB); from there
 * pluginlib/peb.c walks the loader's list (the PE modules) and the process parameters
 * (the Windows image path and command line), and pluginlib/pe.c reads each module's
 * exports (symbols, MODULE!EXPORT, forwarders followed across modules).  32-bit Wine
 * processes (i386 wine, a plain 32-bit PEB) are refused for now: no wine32 to test them. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "native.h"
#include "threads.h"
#include "pluginlib/pe.h"
#include "pluginlib/peb.h"

#define WINE_TEB_SELF 0x30
#define WINE_TEB_PEB 0x60

static int
wine_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const uint64_t *pid = ctx;
	struct mf_iov iov = { .addr = addr, .buf = buf, .len = len };
	char eb[MF_ERRBUF_SIZE];
	int r = native_rw(*pid, &iov, 1, 0, eb);

	return r < 0 ? r : iov.err;
}

int
wine_is_process(uint64_t pid, int *is64)
{
	char path[64], exe[4096];
	ssize_t n;

	native_path(path, sizeof path, (long long)pid, "exe");
	if ((n = readlink(path, exe, sizeof exe - 1)) <= 0)
		return 0;
	exe[n] = '\0';
	return wine_exe(exe, is64);
}

int
wine_exe(const char *exe, int *is64)
{
	const char *b = strrchr(exe, '/');

	b = b != NULL ? b + 1 : exe;
	*is64 = strcmp(b, "wine64") == 0 || strcmp(b, "wine64-preloader") == 0;
	return *is64 || strcmp(b, "wine") == 0 || strcmp(b, "wine-preloader") == 0;
}

int
wine_peb(void *handle, uint64_t pid, uint64_t *peb, char *errbuf)
{
	const struct mf_host *host = *(const struct mf_host *const *)handle;
	struct mf_regs regs;
	uint64_t teb, w[2];
	int r, is64;

	if (!wine_is_process(pid, &is64))
		return plib_error(errbuf, MF_ERR_NOTFOUND, "pid %llu is not a Wine process", (unsigned long long)pid);
	if (!is64)
		return plib_error(errbuf, MF_ERR_UNSUPPORTED, "pid %llu is a 32-bit Wine process (not supported yet)",
		                  (unsigned long long)pid);
	memset(&regs, 0, sizeof regs);
	regs.struct_size = sizeof regs;
	if ((r = native_thread_regs(handle, pid, pid, &regs, errbuf)) < 0)
		return r;
	teb = regs.u.x86_64.gs_base;
	if ((r = wine_read(&pid, teb + WINE_TEB_SELF, &w[0], 8)) < 0 ||
	    (r = wine_read(&pid, teb + WINE_TEB_PEB, &w[1], 8)) < 0)
		return plib_error(errbuf, r, "pid %llu: cannot read its TEB at 0x%llx (gs_base)", (unsigned long long)pid,
		                  (unsigned long long)teb);
	if (w[0] != teb || w[1] == 0)
		return plib_error(errbuf, MF_ERR_FORMAT, "pid %llu: gs_base 0x%llx is no TEB (its Self is 0x%llx)",
		                  (unsigned long long)pid, (unsigned long long)teb, (unsigned long long)w[0]);
	*peb = w[1];
	if (host != NULL && host->log != NULL)
		host->log(1, "pid %llu: PEB at 0x%llx (TEB 0x%llx, gs_base of its main thread)", (unsigned long long)pid,
		          (unsigned long long)w[1], (unsigned long long)teb);
	return 0;
}

int
wine_process_info(void *handle, uint64_t pid, struct peb_info *info, char *errbuf)
{
	uint64_t peb;
	int r;

	if ((r = wine_peb(handle, pid, &peb, errbuf)) < 0)
		return r;
	return peb_read(peb, 1, wine_read, &pid, info, errbuf);
}

/* ---- modules ---------------------------------------------------------------------------- */

struct wine_mods_ctx {
	uint64_t pid;
	mf_module_cb cb;
	void *ctx;
};

static int
wine_module_cb(void *ctx, const struct peb_module *pm)
{
	struct wine_mods_ctx *c = ctx;
	struct mf_module m = {
		.struct_size = sizeof m, .pid = c->pid, .name = pm->name, .path = pm->path, .base = pm->base,
		.size = pm->size, .arch = MF_ARCH_X86_64, .format = "pe",
	};
	struct pe_image *pe = malloc(sizeof *pe);
	struct pe_rsds rs;
	char why[MF_ERRBUF_SIZE], key[48];
	int r;

	/* the PDB it names, for a symbol server or a symbol directory */
	if (pe != NULL && pe_open(pe, pm->base, wine_read, &c->pid, why) == 0 && pe_rsds(pe, &rs, why) == 0) {
		pe_rsds_key(&rs, key, sizeof key);
		m.pdb = rs.pdb;
		m.pdb_id = key;
	}
	free(pe);
	r = c->cb(c->ctx, &m);
	return r;
}

int
wine_modules(void *handle, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf)
{
	struct wine_mods_ctx c = { .pid = pid, .cb = cb, .ctx = ctx };
	struct peb_info info;
	int r;

	if ((r = wine_process_info(handle, pid, &info, errbuf)) < 0)
		return r;
	r = peb_modules(info.ldr, 1, PEB_LOAD_ORDER, wine_read, &pid, wine_module_cb, &c, errbuf);
	peb_info_free(&info);
	return r;
}

/* ---- exports as symbols ----------------------------------------------------------------- */

struct wine_mod {
	uint64_t base, size;
	char *name;
	int state;                 /* 0 not read yet, 1 read, < 0 the error reading it */
	struct pe_image pe;
	struct pe_exports ex;
};

struct wine_syms {
	uint64_t pid;
	struct wine_mod *m;
	size_t n, cap;
	char why[MF_ERRBUF_SIZE];
};

static int
wine_syms_add(void *ctx, const struct peb_module *pm)
{
	struct wine_syms *s = ctx;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct wine_mod *m = realloc(s->m, cap * sizeof *m);

		if (m == NULL)
			return MF_ERR_NOMEM;
		s->m = m;
		s->cap = cap;
	}
	memset(&s->m[s->n], 0, sizeof s->m[s->n]);
	s->m[s->n].base = pm->base;
	s->m[s->n].size = pm->size;
	if ((s->m[s->n].name = strdup(pm->name)) == NULL)
		return MF_ERR_NOMEM;
	s->n++;
	return 0;
}

static void
wine_syms_free(struct wine_syms *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->m[i].name);
		pe_exports_free(&s->m[i].ex);
	}
	free(s->m);
}

static int
wine_syms_open(void *handle, uint64_t pid, struct wine_syms *s, char *errbuf)
{
	struct peb_info info;
	int r, is64;

	memset(s, 0, sizeof *s);
	s->pid = pid;
	if (!wine_is_process(pid, &is64))
		return plib_error(errbuf, MF_ERR_UNSUPPORTED,
		                  "the native layer has symbols only for Wine processes (pid %llu is not one)",
		                  (unsigned long long)pid);
	if ((r = wine_process_info(handle, pid, &info, errbuf)) < 0)
		return r;
	r = peb_modules(info.ldr, 1, PEB_LOAD_ORDER, wine_read, &s->pid, wine_syms_add, s, errbuf);
	peb_info_free(&info);
	if (r == MF_ERR_NOMEM)
		r = plib_error(errbuf, r, "out of memory");
	if (r < 0 && r != MF_ERR_LIMIT) {
		wine_syms_free(s);
		return r;
	}
	return 0;   /* a list that loops: the modules before the loop */
}

/* The module's headers and exports, read once. */
static int
wine_mod_load(struct wine_syms *s, struct wine_mod *m, char *errbuf)
{
	int r;

	if (m->state == 0) {
		r = pe_open(&m->pe, m->base, wine_read, &s->pid, errbuf);
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
wine_find(void *ctx, const char *module, const struct pe_image **pe, const struct pe_exports **ex, char *errbuf)
{
	struct wine_syms *s = ctx;
	size_t i;
	int r;

	for (i = 0; i < s->n; i++) {
		if (!pe_modname_eq(s->m[i].name, module))
			continue;
		if ((r = wine_mod_load(s, &s->m[i], errbuf)) < 0)
			return r;
		*pe = &s->m[i].pe;
		*ex = &s->m[i].ex;
		return 0;
	}
	return plib_error(errbuf, MF_ERR_NOTFOUND, "no module '%s' in pid %llu", module, (unsigned long long)s->pid);
}

struct wine_emit {
	struct wine_syms *s;
	struct wine_mod *m;
	mf_symbol_cb cb;
	void *ctx;
	int forwarders;            /* 0: leave forwarders out (symbol_at) */
	uint64_t at;               /* symbol_at: the address, and the best below it */
	int found;
	struct mf_symbol best;
	char best_name[PE_MAX_NAME];
};

static int
wine_export_cb(void *ctx, const struct pe_export *e)
{
	struct wine_emit *w = ctx;
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
			if (pe_resolve(wine_find, w->s, fmod, dot + 1, &a, NULL, eb) == 0)
				sym.addr = a;
		}
	}
	if (w->cb != NULL)
		return w->cb(w->ctx, &sym);
	/* symbol_at: the nearest export at or below the address */
	if (sym.addr <= w->at && (!w->found || sym.addr > w->best.addr)) {
		w->best = sym;
		snprintf(w->best_name, sizeof w->best_name, "%s", sym.name);
		w->best.name = w->best_name;
		w->found = 1;
	}
	return 0;
}

int
wine_symbols(void *handle, uint64_t pid, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct wine_syms s;
	struct wine_emit w = { .cb = cb, .ctx = ctx, .forwarders = 1 };
	size_t i;
	int r = 0;

	if ((r = wine_syms_open(handle, pid, &s, errbuf)) < 0)
		return r;
	w.s = &s;
	for (i = 0; i < s.n && r == 0; i++) {
		w.m = &s.m[i];
		if (wine_mod_load(&s, w.m, s.why) < 0)
			continue;   /* a module whose headers do not read: no exports from it */
		r = pe_exports_each(&w.m->pe, &w.m->ex, wine_export_cb, &w, NULL, errbuf);
	}
	wine_syms_free(&s);
	return r;
}

int
wine_symbol_lookup(void *handle, uint64_t pid, const char *name, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct wine_syms s;
	struct mf_symbol sym = { .struct_size = sizeof sym, .pid = pid, .kind = MF_SYM_EXPORT, .forward = "" };
	const char *bang = strchr(name, '!');
	char mod[PE_MAX_NAME], holder[PE_MAX_NAME];
	size_t i;
	int r;

	if ((r = wine_syms_open(handle, pid, &s, errbuf)) < 0)
		return r;
	if (bang != NULL) {
		snprintf(mod, sizeof mod, "%.*s", (int)(bang - name), name);
		r = pe_resolve(wine_find, &s, mod, bang + 1, &sym.addr, holder, errbuf);
		sym.name = bang + 1;
	} else {
		/* a bare name: the first module, in load order, that exports it */
		r = plib_error(errbuf, MF_ERR_NOTFOUND, "no export '%s' in pid %llu", name, (unsigned long long)pid);
		for (i = 0; i < s.n; i++) {
			if (wine_mod_load(&s, &s.m[i], s.why) < 0)
				continue;
			if (pe_resolve(wine_find, &s, s.m[i].name, name, &sym.addr, holder, s.why) == 0) {
				r = 0;
				break;
			}
		}
		sym.name = name;
	}
	if (r == 0) {
		for (i = 0; i < s.n && !pe_modname_eq(s.m[i].name, holder); i++)
			;
		sym.module = i < s.n ? s.m[i].name : holder;
		r = cb(ctx, &sym);
	}
	wine_syms_free(&s);
	return r;
}

int
wine_symbol_at(void *handle, uint64_t pid, uint64_t addr, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct wine_syms s;
	struct wine_emit w = { .at = addr };
	size_t i;
	int r;

	if ((r = wine_syms_open(handle, pid, &s, errbuf)) < 0)
		return r;
	w.s = &s;
	r = plib_error(errbuf, MF_ERR_NOTFOUND, "no export at 0x%llx in pid %llu", (unsigned long long)addr,
	               (unsigned long long)pid);
	for (i = 0; i < s.n; i++) {
		if (addr < s.m[i].base || addr - s.m[i].base >= s.m[i].size)
			continue;
		w.m = &s.m[i];
		if ((r = wine_mod_load(&s, w.m, errbuf)) < 0)
			break;
		if ((r = pe_exports_each(&w.m->pe, &w.m->ex, wine_export_cb, &w, NULL, errbuf)) < 0)
			break;
		r = w.found ? cb(ctx, &w.best)
		            : plib_error(errbuf, MF_ERR_NOTFOUND, "no export of %s at or below 0x%llx", w.m->name,
		                         (unsigned long long)addr);
		break;
	}
	wine_syms_free(&s);
	return r;
}
