/* osops.c: the os operations of ABI 2 (symbols, threads, registers, suspending a process,
 * the auxiliary vector, the environment) for tools.
 *
 * An os layer may lack any of them: a missing lookup falls back to searching the symbol
 * list, anything else answers MF_ERR_UNSUPPORTED with the layer's name. */
#include "mf-int.h"
#include "plugin-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
mfint_os_unsupported(const struct mfint_plugin *os, const char *what, char *errbuf)
{
	return mf_error(errbuf, MF_ERR_UNSUPPORTED, "os layer %s cannot %s", os->name, what);
}

MF_API int
mf_symbols(struct mf_target *t, uint64_t pid, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct mfint_plugin *os;
	void *h;
	int r;

	if ((r = mfint_target_os(t, &os, &h, errbuf)) < 0)
		return r;
	if (os->u.os.symbols == NULL)
		return mfint_os_unsupported(os, "list symbols", errbuf);
	return os->u.os.symbols(h, pid, cb, ctx, errbuf);
}

/* ---- lookups through the list, for layers that only list ---- */

struct osops_find {
	const char *name;          /* by name: "name" or "module!name" */
	uint64_t addr;             /* by address */
	bool found;
	struct mf_symbol best;     /* strings owned (copied out of the callback) */
	char *module, *sym, *forward;
	int err;
};

static bool
osops_name_matches(const struct mf_symbol *s, const char *want)
{
	const char *bang = strchr(want, '!');
	size_t ml;

	if (bang == NULL)
		return strcmp(s->name ? s->name : "", want) == 0;
	ml = (size_t)(bang - want);
	return s->module != NULL && strlen(s->module) == ml && strncmp(s->module, want, ml) == 0 &&
	       strcmp(s->name ? s->name : "", bang + 1) == 0;
}

static int
osops_keep(struct osops_find *f, const struct mf_symbol *s)
{
	char *m = strdup(s->module ? s->module : ""), *n = strdup(s->name ? s->name : ""),
	     *fw = strdup(s->forward ? s->forward : "");

	if (m == NULL || n == NULL || fw == NULL) {
		free(m);
		free(n);
		free(fw);
		f->err = MF_ERR_NOMEM;
		return 1;
	}
	free(f->module);
	free(f->sym);
	free(f->forward);
	f->best = *s;
	f->best.module = f->module = m;
	f->best.name = f->sym = n;
	f->best.forward = f->forward = fw;
	f->found = true;
	return 0;
}

static int
osops_by_name_cb(void *ctx, const struct mf_symbol *s)
{
	struct osops_find *f = ctx;

	if (!osops_name_matches(s, f->name))
		return 0;
	osops_keep(f, s);
	return 1;   /* the first match: stop */
}

static int
osops_by_addr_cb(void *ctx, const struct mf_symbol *s)
{
	struct osops_find *f = ctx;

	if (s->addr > f->addr || (s->size != 0 && f->addr - s->addr >= s->size))
		return 0;
	if (f->found && s->addr <= f->best.addr)
		return 0;   /* the nearest below wins; on a tie, the first listed */
	return osops_keep(f, s);
}

static int
osops_find_end(struct osops_find *f, int r, mf_symbol_cb cb, void *ctx, const char *what, char *errbuf)
{
	if (f->err < 0)
		r = mf_error(errbuf, f->err, "out of memory");
	else if (r >= 0 && !f->found)
		r = mf_error(errbuf, MF_ERR_NOTFOUND, "no symbol %s", what);
	else if (r >= 0)
		r = cb(ctx, &f->best);
	free(f->module);
	free(f->sym);
	free(f->forward);
	return r;
}

MF_API int
mf_symbol_lookup(struct mf_target *t, uint64_t pid, const char *name, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct osops_find f = { .name = name };
	struct mfint_plugin *os;
	void *h;
	int r;

	if ((r = mfint_target_os(t, &os, &h, errbuf)) < 0)
		return r;
	if (os->u.os.symbol_lookup != NULL)
		return os->u.os.symbol_lookup(h, pid, name, cb, ctx, errbuf);
	if (os->u.os.symbols == NULL)
		return mfint_os_unsupported(os, "look up symbols", errbuf);
	r = os->u.os.symbols(h, pid, osops_by_name_cb, &f, errbuf);
	return osops_find_end(&f, r, cb, ctx, name, errbuf);
}

MF_API int
mf_symbol_at(struct mf_target *t, uint64_t pid, uint64_t addr, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct osops_find f = { .addr = addr };
	struct mfint_plugin *os;
	char what[40];
	void *h;
	int r;

	if ((r = mfint_target_os(t, &os, &h, errbuf)) < 0)
		return r;
	if (os->u.os.symbol_at != NULL)
		return os->u.os.symbol_at(h, pid, addr, cb, ctx, errbuf);
	if (os->u.os.symbols == NULL)
		return mfint_os_unsupported(os, "look up symbols", errbuf);
	r = os->u.os.symbols(h, pid, osops_by_addr_cb, &f, errbuf);
	snprintf(what, sizeof what, "at 0x%llx", (unsigned long long)addr);
	return osops_find_end(&f, r, cb, ctx, what, errbuf);
}

/* ---- threads and registers ---- */

MF_API int
mf_threads(struct mf_target *t, uint64_t pid, mf_thread_cb cb, void *ctx, char *errbuf)
{
	struct mfint_plugin *os;
	void *h;
	int r;

	if ((r = mfint_target_os(t, &os, &h, errbuf)) < 0)
		return r;
	if (os->u.os.threads == NULL)
		return mfint_os_unsupported(os, "list threads", errbuf);
	return os->u.os.threads(h, pid, cb, ctx, errbuf);
}

MF_API int
mf_thread_regs(struct mf_target *t, uint64_t pid, uint64_t tid, struct mf_regs *regs, char *errbuf)
{
	struct mfint_plugin *os;
	void *h;
	int r;

	memset(regs, 0, sizeof *regs);
	regs->struct_size = sizeof *regs;
	regs->tid = tid;
	if ((r = mfint_target_os(t, &os, &h, errbuf)) < 0)
		return r;
	if (os->u.os.thread_regs == NULL)
		return mfint_os_unsupported(os, "read thread registers", errbuf);
	if ((r = os->u.os.thread_regs(h, pid, tid, regs, errbuf)) < 0)
		return r;
	if (regs->arch == MF_ARCH_UNKNOWN)
		return mf_error(errbuf, MF_ERR_FORMAT, "os layer %s returned registers of no architecture", os->name);
	regs->tid = tid;
	return 0;
}

/* ---- suspending a process, its auxiliary vector ---- */

MF_API int
mf_suspend(struct mf_target *t, uint64_t pid, char *errbuf)
{
	struct mfint_plugin *os;
	void *h;
	int r;

	if ((r = mfint_target_os(t, &os, &h, errbuf)) < 0)
		return r;
	if (os->u.os.suspend == NULL)
		return mfint_os_unsupported(os, "suspend processes", errbuf);
	return os->u.os.suspend(h, pid, errbuf);
}

MF_API void
mf_resume(struct mf_target *t, uint64_t pid)
{
	struct mfint_plugin *os;
	void *h;

	if (mfint_target_os(t, &os, &h, NULL) == 0 && os->u.os.resume != NULL)
		os->u.os.resume(h, pid);
}

/* An os operation that fills a caller's buffer (auxv, environment): checked the same way. */
enum osops_buf_op { OSOPS_AUXV, OSOPS_ENVIRONMENT };

static int
osops_buf(struct mf_target *t, enum osops_buf_op op, const char *what, uint64_t pid, uint8_t *buf, size_t cap, size_t *len,
          char *errbuf)
{
	int (*fn)(void *handle, uint64_t pid, uint8_t *buf, size_t cap, size_t *len, char *errbuf);
	struct mfint_plugin *os;
	void *h;
	int r;

	*len = 0;
	if ((r = mfint_target_os(t, &os, &h, errbuf)) < 0)
		return r;
	fn = op == OSOPS_AUXV ? os->u.os.auxv : os->u.os.environment;
	if (fn == NULL)
		return mfint_os_unsupported(os, what, errbuf);
	if ((r = fn(h, pid, buf, cap, len, errbuf)) < 0) {
		*len = 0;
		return r;
	}
	if (*len > cap) {
		*len = 0;
		return mf_error(errbuf, MF_ERR_FORMAT, "os layer %s returned more than its buffer holds (%s)", os->name, what);
	}
	return 0;
}

MF_API int
mf_auxv(struct mf_target *t, uint64_t pid, uint8_t *buf, size_t cap, size_t *len, char *errbuf)
{
	return osops_buf(t, OSOPS_AUXV, "read auxiliary vectors", pid, buf, cap, len, errbuf);
}

MF_API int
mf_environment(struct mf_target *t, uint64_t pid, uint8_t *buf, size_t cap, size_t *len, char *errbuf)
{
	return osops_buf(t, OSOPS_ENVIRONMENT, "read environments", pid, buf, cap, len, errbuf);
}

MF_API bool
mf_target_reads_proc(struct mf_target *t)
{
	return mfint_target_os_reads(t);
}

/* ---- records ---- */

static const char *const osops_sym_kind[] = { "", "function", "data", "export", "forwarder" };

MF_API int
mf_symbol_rec(const struct mf_symbol *s, struct mf_rec *r)
{
	int e;

	mf_rec_reset(r, "symbol");
	if ((e = mf_rec_add_uint(r, "pid", s->pid)) < 0 ||
	    (e = mf_rec_add_str(r, "module", s->module ? s->module : "")) < 0 ||
	    (e = mf_rec_add_str(r, "name", s->name ? s->name : "")) < 0 ||
	    (e = mf_rec_add_addr(r, "addr", s->addr)) < 0 ||
	    (e = mf_rec_add_addr(r, "size", s->size)) < 0 ||
	    (e = mf_rec_add_str(r, "kind", s->kind < mf_countof(osops_sym_kind) ? osops_sym_kind[s->kind] : "")) < 0)
		return e;
	if (s->kind == MF_SYM_FORWARDER && (e = mf_rec_add_str(r, "forward", s->forward ? s->forward : "")) < 0)
		return e;
	return 0;
}

MF_API int
mf_thread_rec(const struct mf_thread *th, struct mf_rec *r)
{
	int e;

	mf_rec_reset(r, "thread");
	if ((e = mf_rec_add_uint(r, "pid", th->pid)) < 0 ||
	    (e = mf_rec_add_uint(r, "tid", th->tid)) < 0 ||
	    (e = mf_rec_add_str(r, "name", th->name ? th->name : "")) < 0 ||
	    (e = mf_rec_add_str(r, "state", th->state ? th->state : "")) < 0 ||
	    (e = mf_rec_add_addr(r, "addr", th->addr)) < 0)
		return e;
	return 0;
}
