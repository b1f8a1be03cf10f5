/* symbols.c: the symbols of a process's modules, read out of its memory by the rule every
 * os layer shares (pluginlib/modsyms.h).  The kernel's symbols are the kcore connector's
 * and the linux layer's business: pid 0 is not answered here. */
#include "config.h"

#include "pluginlib/modsyms.h"
#include "native.h"

static int
native_syms_read(void *rctx, struct mf_iov *iov, size_t n)
{
	char errbuf[MF_ERRBUF_SIZE];

	return native_rw(*(const uint64_t *)rctx, iov, n, 0, errbuf);
}

/* The query answered over PID's modules, read through its memory. */
static int
native_syms(uint64_t pid, const struct modsyms_query *q, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct modsyms ms;
	int r;

	if (pid == 0)
		return plib_error(errbuf, MF_ERR_UNSUPPORTED,
		                  "native: kernel symbols are not listed here (read /proc/kallsyms, or use -c kcore -o linux)");
	modsyms_init(&ms, pid, native_syms_read, &pid);
	if ((r = native_modules(NULL, pid, modsyms_add, &ms, errbuf)) == 0)
		r = modsyms_answer(&ms, q, cb, ctx, errbuf);
	else if (r == MF_ERR_NOMEM)
		r = plib_error(errbuf, r, "native: out of memory listing modules");
	modsyms_free(&ms);
	return r;
}

int
native_symbols(void *handle, uint64_t pid, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	const struct modsyms_query q = { .op = MODSYMS_LIST };

	(void)handle;
	return native_syms(pid, &q, cb, ctx, errbuf);
}

int
native_symbol_lookup(void *handle, uint64_t pid, const char *name, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	const struct modsyms_query q = { .op = MODSYMS_LOOKUP, .name = name };

	(void)handle;
	return native_syms(pid, &q, cb, ctx, errbuf);
}

int
native_symbol_at(void *handle, uint64_t pid, uint64_t addr, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	const struct modsyms_query q = { .op = MODSYMS_AT, .addr = addr };

	(void)handle;
	return native_syms(pid, &q, cb, ctx, errbuf);
}
