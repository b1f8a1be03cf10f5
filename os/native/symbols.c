/* symbols.c: the symbols of a process's modules, read out of its memory by the rule every
 * os layer shares (pluginlib/modsyms.h); of a Wine process also its PE modules' exports
 * (wine.c), asked first, since MODULE!NAME there most likely means the Windows module.
 * The kernel's symbols are the kcore connector's and the linux layer's business: pid 0 is
 * not answered here. */
#include "config.h"


#include "pluginlib/modsyms.h"
#include "native.h"

static int
native_syms_read(void *rctx, struct mf_iov *iov, size_t n)
{
	char errbuf[MF_ERRBUF_SIZE];

	return native_rw(*(const uint64_t *)rctx, iov, n, 0, errbuf);
}

/* The query over a Wine process's PE modules: MF_ERR_NOTFOUND when they do not answer it
 * (the ELF modules may), a listing that cannot be had a warning. */
static int
native_pe_syms(void *handle, uint64_t pid, const struct modsyms_query *q, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	const struct mf_host *host = *(const struct mf_host *const *)handle;
	int r;

	switch (q->op) {
	case MODSYMS_LIST:
		if ((r = wine_symbols(handle, pid, cb, ctx, errbuf)) < 0 && host != NULL && host->log != NULL)
			host->log(0, "pid %llu: cannot list the exports of its PE modules: %s", (unsigned long long)pid,
			          errbuf);
		return r < 0 ? 0 : r;
	case MODSYMS_LOOKUP:
		return wine_symbol_lookup(handle, pid, q->name, cb, ctx, errbuf);
	case MODSYMS_AT:
		return wine_symbol_at(handle, pid, q->addr, cb, ctx, errbuf);
	}
	return MF_ERR_NOTFOUND;
}

/* The query answered over PID's modules, read through its memory. */
static int
native_syms(void *handle, uint64_t pid, const struct modsyms_query *q, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct modsyms ms;
	char pe_err[MF_ERRBUF_SIZE] = "";
	int r, is64, wine;

	if (pid == 0)
		return plib_error(errbuf, MF_ERR_UNSUPPORTED,
		                  "native: kernel symbols are not listed here (read /proc/kallsyms, or use -c kcore -o linux)");
	wine = wine_is_process(pid, &is64);
	if (wine && q->op != MODSYMS_LIST) {
		if ((r = native_pe_syms(handle, pid, q, cb, ctx, pe_err)) != MF_ERR_NOTFOUND)
			return r < 0 ? plib_error(errbuf, r, "%s", pe_err) : r;
	}
	modsyms_init(&ms, pid, native_syms_read, &pid);
	if ((r = native_map_modules(pid, modsyms_add, &ms, errbuf)) == 0)
		r = modsyms_answer(&ms, q, cb, ctx, errbuf);
	else if (r == MF_ERR_NOMEM)
		r = plib_error(errbuf, r, "native: out of memory listing modules");
	modsyms_free(&ms);
	if (wine && q->op == MODSYMS_LIST && r == 0)
		r = native_pe_syms(handle, pid, q, cb, ctx, errbuf);
	else if (wine && r == MF_ERR_NOTFOUND && pe_err[0] != '\0')
		r = plib_error(errbuf, r, "%s", pe_err);   /* neither has it: the Windows side's reason */
	return r;
}

int
native_symbols(void *handle, uint64_t pid, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	const struct modsyms_query q = { .op = MODSYMS_LIST };

	return native_syms(handle, pid, &q, cb, ctx, errbuf);
}

int
native_symbol_lookup(void *handle, uint64_t pid, const char *name, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	const struct modsyms_query q = { .op = MODSYMS_LOOKUP, .name = name };

	return native_syms(handle, pid, &q, cb, ctx, errbuf);
}

int
native_symbol_at(void *handle, uint64_t pid, uint64_t addr, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	const struct modsyms_query q = { .op = MODSYMS_AT, .addr = addr };

	return native_syms(handle, pid, &q, cb, ctx, errbuf);
}
