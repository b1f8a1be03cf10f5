/* symbols.c: kernel symbols for the rest of the layer (lx_sym) and the symbol os
 * operations over the decoded kallsyms table: the kernel's symbols (pid 0); a process's
 * have no source here yet. */
#include "config.h"

#include <string.h>

#include "kallsyms.h"
#include "linux.h"

static int
sym_kernel_only(struct lx *lx, uint64_t pid, char *errbuf)
{
	if (pid != 0)
		return lx->host->error(errbuf, MF_ERR_UNSUPPORTED, "linux: symbols of processes are not supported (pid 0 is the kernel)");
	if (lx_ksyms_need(lx) < 0)
		return lx->host->error(errbuf, MF_ERR_NOTFOUND, "linux: no kernel symbols (%s)", lx->ksyms_why);
	return 0;
}

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

	if ((r = sym_kernel_only(lx, pid, errbuf)) < 0)
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

	if ((r = sym_kernel_only(lx, pid, errbuf)) < 0)
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

	if ((r = sym_kernel_only(lx, pid, errbuf)) < 0)
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
