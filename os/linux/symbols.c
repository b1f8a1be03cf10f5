/* symbols.c: kernel symbols for the rest of the layer (lx_sym) and the symbol os
 * operations: the kernel's (pid 0) over the decoded kallsyms table, a process's from its
 * modules' images in its memory (pluginlib/modsyms.h, the rule every layer shares). */
#include "config.h"

#include <string.h>

#include "pluginlib/modsyms.h"
#include "kallsyms.h"
#include "linux.h"
#include "maps.h"
#include "tasks.h"

static int
sym_kernel(struct lx *lx, char *errbuf)
{
	if (lx_ksyms_need(lx) < 0)
		return lx->host->error(errbuf, MF_ERR_NOTFOUND, "linux: no kernel symbols (%s)", lx->ksyms_why);
	return 0;
}

/* ---- a process's symbols ----------------------------------------------------------------- */

struct sym_user {
	const struct lx *lx;
	struct mf_space sp;
};

static int
sym_user_read(void *rctx, struct mf_iov *iov, size_t n)
{
	const struct sym_user *u = rctx;

	return u->lx->phys->vread(u->lx->phys->ctx, &u->sp, iov, n);
}

/* The query answered over PID's modules, read through its page tables. */
static int
sym_user(struct lx *lx, uint64_t pid, const struct modsyms_query *q, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct sym_user u = { .lx = lx };
	struct modsyms ms;
	struct lx_task t;
	int r;

	if ((r = lx_need_types(lx, errbuf)) < 0 || (r = lx_task_find(lx, pid, &t, errbuf)) < 0)
		return r;
	if (t.mm == 0)
		return lx->host->error(errbuf, MF_ERR_NOTFOUND, "pid %llu is a kernel thread: it has no modules",
		                       (unsigned long long)pid);
	if (lx_task_space(lx, &t, &u.sp) < 0)
		return lx->host->error(errbuf, MF_ERR_NOTMAPPED, "pid %llu: its page tables cannot be read",
		                       (unsigned long long)pid);
	modsyms_init(&ms, pid, sym_user_read, &u);
	if ((r = lx_modules(lx, pid, modsyms_add, &ms, errbuf)) == 0)
		r = modsyms_answer(&ms, q, cb, ctx, errbuf);
	else if (r == MF_ERR_NOMEM)
		r = lx->host->error(errbuf, r, "linux: out of memory listing modules");
	modsyms_free(&ms);
	return r;
}

/* ---- the kernel's symbols ---------------------------------------------------------------- */

static uint32_t
sym_kind(char type)
{
	switch (type) {
	case 'T': case 't': case 'W': case 'w':
		return MF_SYM_FUNCTION;
	case 'D': case 'd': case 'B': case 'b': case 'R': case 'r': case 'V': case 'v': case 'G': case 'g': case 'S': case 's':
		return MF_SYM_DATA;
	default:
		return MF_SYM_UNKNOWN;
	}
}

static int
sym_emit(const struct lx_ksyms *ks, size_t i, mf_symbol_cb cb, void *ctx)
{
	struct mf_symbol s = {
		.struct_size = sizeof s,
		.kind = sym_kind(ks->sym[i].type),
		.pid = 0,
		.module = "",
		.name = lx_ksym_name(ks, i),
		.addr = ks->sym[i].addr,
		.size = lx_ksym_size(ks, i),
		.forward = "",
	};

	return cb(ctx, &s);
}

int
lx_symbols(void *handle, uint64_t pid, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct lx *lx = handle;
	size_t i;
	int r;

	if (pid != 0)
		return sym_user(lx, pid, &(struct modsyms_query){ .op = MODSYMS_LIST }, cb, ctx, errbuf);
	if ((r = sym_kernel(lx, errbuf)) < 0)
		return r;
	for (i = 0; i < lx->ksyms->n; i++)
		if ((r = sym_emit(lx->ksyms, i, cb, ctx)) != 0)
			return r;
	return 0;
}

int
lx_symbol_lookup(void *handle, uint64_t pid, const char *name, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct lx *lx = handle;
	long i;
	int r;

	if (pid != 0)
		return sym_user(lx, pid, &(struct modsyms_query){ .op = MODSYMS_LOOKUP, .name = name }, cb, ctx, errbuf);
	if ((r = sym_kernel(lx, errbuf)) < 0)
		return r;
	/* "module!name": the kernel image itself is the module "" or "vmlinux" */
	if (strncmp(name, "vmlinux!", 8) == 0)
		name += 8;
	else if (name[0] == '!')
		name++;
	if ((i = lx_ksyms_find(lx->ksyms, name)) < 0)
		return lx->host->error(errbuf, MF_ERR_NOTFOUND, "no kernel symbol '%s'", name);
	sym_emit(lx->ksyms, (size_t)i, cb, ctx);
	return 0;
}

int
lx_symbol_at(void *handle, uint64_t pid, uint64_t addr, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct lx *lx = handle;
	long i;
	int r;

	if (pid != 0)
		return sym_user(lx, pid, &(struct modsyms_query){ .op = MODSYMS_AT, .addr = addr }, cb, ctx, errbuf);
	if ((r = sym_kernel(lx, errbuf)) < 0)
		return r;
	if ((i = lx_ksyms_at(lx->ksyms, addr)) < 0)
		return lx->host->error(errbuf, MF_ERR_NOTFOUND, "no kernel symbol at or below 0x%llx", (unsigned long long)addr);
	sym_emit(lx->ksyms, (size_t)i, cb, ctx);
	return 0;
}

int
lx_sym(const struct lx *lx, const char *name, uint64_t *va)
{
	long i;
	int r;

	if (lx->ksyms == NULL) {
		/* a saved target: the walkers' symbols are in the record; anything else decodes
		 * kallsyms now (the handle is the plugin's own, never const in fact) */
		if ((r = lx_walker_sym(lx, name, va)) != MF_ERR_UNSUPPORTED)
			return r;
		if (lx_ksyms_need((struct lx *)lx) < 0)
			return MF_ERR_NOTFOUND;
	}
	i = lx_ksyms_find(lx->ksyms, name);

	if (i < 0)
		return MF_ERR_NOTFOUND;
	*va = lx->ksyms->sym[i].addr;
	return 0;
}
