/* plugin-abi.c: checking a plugin's descriptor and putting it behind the host's wrappers.
 *
 * The host never calls a plugin directly.  Each loaded plugin gets a descriptor whose
 * callbacks are wrappers around the plugin's own, and each handle a plugin opens is kept
 * behind a small struct of ours (struct abi_handle).  The wrappers
 * - serialise calls as the plugin's thread model asks (recursive locks: a callback may
 *   re-enter the plugin on the same thread);
 * - convert what an ABI-1 plugin hands over (its struct mf_phys layout, its records
 *   without struct_size) and fit ABI-2 records of another size, so the rest of libmf sees
 *   one shape: records with struct_size == sizeof ours;
 * - keep the arguments the plugin was opened with for its lifetime, marked as the user's
 *   (the symbol-file service opens only files named there).
 */
#include "mf-int.h"
#include "plugin-int.h"

#include <stdlib.h>
#include <stddef.h>
#include <string.h>

struct abi_handle {
	struct mfint_plugin *p;
	void *h;                       /* the plugin's own handle */
	pthread_mutex_t lock;          /* MF_THREAD_SERIALIZE_HANDLE */
	struct mf_args args;           /* what the plugin was opened with (the host's strings) */
	struct mfint_phys_v1 phys1;    /* ABI-1 os layers: physical memory in their layout */
};

static int
abi_lock_init(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;
	int r;

	if (pthread_mutexattr_init(&a) != 0)
		return MF_ERR_NOMEM;
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	r = pthread_mutex_init(m, &a) == 0 ? 0 : MF_ERR_NOMEM;
	pthread_mutexattr_destroy(&a);
	return r;
}

/* The lock a call through handle w takes, or NULL. */
static pthread_mutex_t *
abi_enter(struct abi_handle *w)
{
	pthread_mutex_t *l = w->p->thread_model == MF_THREAD_SERIALIZE_ALL ? &w->p->lock
	                   : w->p->thread_model == MF_THREAD_SERIALIZE_HANDLE ? &w->lock : NULL;

	if (l != NULL)
		pthread_mutex_lock(l);
	return l;
}

static void
abi_leave(pthread_mutex_t *l)
{
	if (l != NULL)
		pthread_mutex_unlock(l);
}

/* The plugin behind a host pointer we gave it (the per-plugin copy in struct mfint_plugin). */
static struct mfint_plugin *
abi_plugin_of(const struct mf_host *host)
{
	struct mfint_plugin *p = (struct mfint_plugin *)((char *)host - offsetof(struct mfint_plugin, host));

	return p->magic == MFINT_PLUGIN_MAGIC ? p : NULL;
}

static struct abi_handle *
abi_handle_new(struct mfint_plugin *p, const struct mf_args *args)
{
	struct abi_handle *w = calloc(1, sizeof *w);

	if (w == NULL)
		return NULL;
	if (abi_lock_init(&w->lock) < 0) {
		free(w);
		return NULL;
	}
	w->p = p;
	if (args != NULL)
		w->args = *args;
	if (mf_args_trust(&w->args) < 0) {
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	return w;
}

static void
abi_handle_free(struct abi_handle *w)
{
	mf_args_untrust(&w->args);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

void *
mfint_plugin_real_handle(void *handle)
{
	return handle != NULL ? ((struct abi_handle *)handle)->h : NULL;
}

/* Open: under the plugin's lock for SERIALIZE_ALL (other handles may be in use). */
static int
abi_open_begin(const struct mf_host *host, const struct mf_args *args, struct abi_handle **w, char *errbuf)
{
	struct mfint_plugin *p = abi_plugin_of(host);

	if (p == NULL)
		return mf_error(errbuf, MF_ERR_GENERIC, "internal error: plugin opened without its host table");
	if ((*w = abi_handle_new(p, args)) == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	return 0;
}

static int
abi_open_end(struct abi_handle *w, int r, void **handle)
{
	if (r < 0) {
		abi_handle_free(w);
		return r;
	}
	*handle = w;
	return r;
}

/* ---- connectors ---- */

static int
abi_conn_open(const struct mf_host *host, const struct mf_args *args, int writable, struct mf_hints *hints,
              void **handle, char *errbuf)
{
	struct abi_handle *w;
	pthread_mutex_t *l;
	int r;

	if ((r = abi_open_begin(host, args, &w, errbuf)) < 0)
		return r;
	l = abi_enter(w);
	r = w->p->real.conn.open(host, &w->args, writable, hints, &w->h, errbuf);
	abi_leave(l);
	return abi_open_end(w, r, handle);
}

static void
abi_conn_close(void *handle)
{
	struct abi_handle *w = handle;
	pthread_mutex_t *l = abi_enter(w);

	w->p->real.conn.close(w->h);
	abi_leave(l);
	abi_handle_free(w);
}

static int
abi_conn_read(void *handle, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct abi_handle *w = handle;
	pthread_mutex_t *l = abi_enter(w);
	int r = w->p->real.conn.read(w->h, iov, n, errbuf);

	abi_leave(l);
	return r;
}

static int
abi_conn_write(void *handle, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct abi_handle *w = handle;
	pthread_mutex_t *l = abi_enter(w);
	int r = w->p->real.conn.write(w->h, iov, n, errbuf);

	abi_leave(l);
	return r;
}

static size_t
abi_conn_ranges(void *handle, const struct mf_range **out)
{
	struct abi_handle *w = handle;
	pthread_mutex_t *l = abi_enter(w);
	size_t n = w->p->real.conn.ranges(w->h, out);

	abi_leave(l);
	return n;
}

static int
abi_conn_view(void *handle, uint64_t addr, uint64_t len, const void **data)
{
	struct abi_handle *w = handle;
	pthread_mutex_t *l = abi_enter(w);
	int r = w->p->real.conn.view(w->h, addr, len, data);

	abi_leave(l);
	return r;
}

/* ---- os layers: records ---- */

/* An ABI-2 record of the plugin's size as one of ours: `in` itself when the sizes agree,
 * else a copy in buf (min of both sizes, the rest zero).  struct_size 0 means the size
 * of the struct in the plugin's ABI: zero_size, the struct's size when ABI 2 began. */
_Static_assert(offsetof(struct mf_process, start_time) == MF_PROCESS_SIZE_ABI2_FIRST,
               "MF_PROCESS_SIZE_ABI2_FIRST is where the later fields begin");

static const void *
abi_fit(const void *in, void *buf, size_t size, size_t zero_size)
{
	uint32_t s = *(const uint32_t *)in;

	if (s == size)
		return in;
	if (s == 0)
		s = (uint32_t)zero_size;
	memset(buf, 0, size);
	memcpy(buf, in, s > size ? size : s);
	*(uint32_t *)buf = (uint32_t)size;
	return buf;
}

struct abi_fit_ctx {
	uint32_t abi;
	void *cb;
	void *ctx;
};

static int
abi_fit_process(void *c, const struct mf_process *in)
{
	struct abi_fit_ctx *f = c;
	struct mf_process p;

	if (f->abi == 1) {
		const struct mfint_process_v1 *o = (const void *)in;

		p = (struct mf_process){
			.struct_size = sizeof p, .arch = o->arch, .pid = o->pid, .ppid = o->ppid, .name = o->name,
			.path = o->path, .cmdline = o->cmdline, .state = o->state, .uid = o->uid, .dtb = o->dtb,
			.addr = o->addr,
		};
		in = &p;
	} else {
		in = abi_fit(in, &p, sizeof p, MF_PROCESS_SIZE_ABI2_FIRST);
	}
	return ((mf_process_cb)f->cb)(f->ctx, in);
}

static int
abi_fit_module(void *c, const struct mf_module *in)
{
	struct abi_fit_ctx *f = c;
	struct mf_module m;

	if (f->abi == 1) {
		const struct mfint_module_v1 *o = (const void *)in;

		m = (struct mf_module){
			.struct_size = sizeof m, .arch = o->arch, .pid = o->pid, .name = o->name, .path = o->path,
			.base = o->base, .size = o->size,
		};
		in = &m;
	} else {
		in = abi_fit(in, &m, sizeof m, sizeof m);
	}
	return ((mf_module_cb)f->cb)(f->ctx, in);
}

static int
abi_fit_map(void *c, const struct mf_map *in)
{
	struct abi_fit_ctx *f = c;
	struct mf_map m;

	if (f->abi == 1) {
		const struct mfint_map_v1 *o = (const void *)in;

		m = (struct mf_map){
			.struct_size = sizeof m, .pid = o->pid, .start = o->start, .end = o->end, .perms = o->perms,
			.offset = o->offset, .path = o->path,
		};
		in = &m;
	} else {
		in = abi_fit(in, &m, sizeof m, sizeof m);
	}
	return ((mf_map_cb)f->cb)(f->ctx, in);
}

/* threads and symbols exist from ABI 2 on */
static int
abi_fit_thread(void *c, const struct mf_thread *in)
{
	struct abi_fit_ctx *f = c;
	struct mf_thread t;

	return ((mf_thread_cb)f->cb)(f->ctx, abi_fit(in, &t, sizeof t, sizeof t));
}

static int
abi_fit_symbol(void *c, const struct mf_symbol *in)
{
	struct abi_fit_ctx *f = c;
	struct mf_symbol s;

	return ((mf_symbol_cb)f->cb)(f->ctx, abi_fit(in, &s, sizeof s, sizeof s));
}

/* ---- os layers: calls ---- */

static int
abi_os_open(const struct mf_host *host, const struct mf_phys *phys, const struct mf_args *args,
            struct mf_hints *hints, void **handle, char *errbuf)
{
	const void *their_phys = phys;
	struct abi_handle *w;
	pthread_mutex_t *l;
	int r;

	if ((r = abi_open_begin(host, args, &w, errbuf)) < 0)
		return r;
	if (phys != NULL && w->p->abi == 1) {
		w->phys1 = (struct mfint_phys_v1){
			.ctx = phys->ctx, .read = phys->read, .write = phys->write, .ranges = phys->ranges,
			.vread = phys->vread, .vwrite = phys->vwrite, .vtop = phys->vtop,
		};
		their_phys = &w->phys1;
	}
	l = abi_enter(w);
	r = w->p->real.os.open(host, their_phys, &w->args, hints, &w->h, errbuf);
	abi_leave(l);
	return abi_open_end(w, r, handle);
}

static void
abi_os_close(void *handle)
{
	struct abi_handle *w = handle;
	pthread_mutex_t *l = abi_enter(w);

	w->p->real.os.close(w->h);
	abi_leave(l);
	abi_handle_free(w);
}

static int
abi_os_processes(void *handle, mf_process_cb cb, void *ctx, char *errbuf)
{
	struct abi_handle *w = handle;
	struct abi_fit_ctx f = { w->p->abi, (void *)cb, ctx };
	pthread_mutex_t *l = abi_enter(w);
	int r = w->p->real.os.processes(w->h, abi_fit_process, &f, errbuf);

	abi_leave(l);
	return r;
}

static int
abi_os_process(void *handle, uint64_t pid, mf_process_cb cb, void *ctx, char *errbuf)
{
	struct abi_handle *w = handle;
	struct abi_fit_ctx f = { w->p->abi, (void *)cb, ctx };
	pthread_mutex_t *l = abi_enter(w);
	int r = w->p->real.os.process(w->h, pid, abi_fit_process, &f, errbuf);

	abi_leave(l);
	return r;
}

static int
abi_os_modules(void *handle, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf)
{
	struct abi_handle *w = handle;
	struct abi_fit_ctx f = { w->p->abi, (void *)cb, ctx };
	pthread_mutex_t *l = abi_enter(w);
	int r = w->p->real.os.modules(w->h, pid, abi_fit_module, &f, errbuf);

	abi_leave(l);
	return r;
}

static int
abi_os_maps(void *handle, uint64_t pid, mf_map_cb cb, void *ctx, char *errbuf)
{
	struct abi_handle *w = handle;
	struct abi_fit_ctx f = { w->p->abi, (void *)cb, ctx };
	pthread_mutex_t *l = abi_enter(w);
	int r = w->p->real.os.maps(w->h, pid, abi_fit_map, &f, errbuf);

	abi_leave(l);
	return r;
}

static int
abi_os_read(void *handle, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct abi_handle *w = handle;
	pthread_mutex_t *l = abi_enter(w);
	int r = w->p->real.os.read(w->h, pid, iov, n, errbuf);

	abi_leave(l);
	return r;
}

static int
abi_os_write(void *handle, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct abi_handle *w = handle;
	pthread_mutex_t *l = abi_enter(w);
	int r = w->p->real.os.write(w->h, pid, iov, n, errbuf);

	abi_leave(l);
	return r;
}

static int
abi_os_symbols(void *handle, uint64_t pid, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct abi_handle *w = handle;
	struct abi_fit_ctx f = { w->p->abi, (void *)cb, ctx };
	pthread_mutex_t *l = abi_enter(w);
	int r = w->p->real.os.symbols(w->h, pid, abi_fit_symbol, &f, errbuf);

	abi_leave(l);
	return r;
}

static int
abi_os_symbol_lookup(void *handle, uint64_t pid, const char *name, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct abi_handle *w = handle;
	struct abi_fit_ctx f = { w->p->abi, (void *)cb, ctx };
	pthread_mutex_t *l = abi_enter(w);
	int r = w->p->real.os.symbol_lookup(w->h, pid, name, abi_fit_symbol, &f, errbuf);

	abi_leave(l);
	return r;
}

static int
abi_os_symbol_at(void *handle, uint64_t pid, uint64_t addr, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct abi_handle *w = handle;
	struct abi_fit_ctx f = { w->p->abi, (void *)cb, ctx };
	pthread_mutex_t *l = abi_enter(w);
	int r = w->p->real.os.symbol_at(w->h, pid, addr, abi_fit_symbol, &f, errbuf);

	abi_leave(l);
	return r;
}

static int
abi_os_threads(void *handle, uint64_t pid, mf_thread_cb cb, void *ctx, char *errbuf)
{
	struct abi_handle *w = handle;
	struct abi_fit_ctx f = { w->p->abi, (void *)cb, ctx };
	pthread_mutex_t *l = abi_enter(w);
	int r = w->p->real.os.threads(w->h, pid, abi_fit_thread, &f, errbuf);

	abi_leave(l);
	return r;
}

static int
abi_os_thread_regs(void *handle, uint64_t pid, uint64_t tid, struct mf_regs *regs, char *errbuf)
{
	struct abi_handle *w = handle;
	pthread_mutex_t *l = abi_enter(w);
	uint32_t size = regs->struct_size;
	int r = w->p->real.os.thread_regs(w->h, pid, tid, regs, errbuf);

	abi_leave(l);
	regs->struct_size = size;
	return r;
}

static int
abi_os_suspend(void *handle, uint64_t pid, char *errbuf)
{
	struct abi_handle *w = handle;
	pthread_mutex_t *l = abi_enter(w);
	int r = w->p->real.os.suspend(w->h, pid, errbuf);

	abi_leave(l);
	return r;
}

static void
abi_os_resume(void *handle, uint64_t pid)
{
	struct abi_handle *w = handle;
	pthread_mutex_t *l = abi_enter(w);

	w->p->real.os.resume(w->h, pid);
	abi_leave(l);
}

static int
abi_os_auxv(void *handle, uint64_t pid, uint8_t *buf, size_t cap, size_t *len, char *errbuf)
{
	struct abi_handle *w = handle;
	pthread_mutex_t *l = abi_enter(w);
	int r = w->p->real.os.auxv(w->h, pid, buf, cap, len, errbuf);

	abi_leave(l);
	return r;
}

static int
abi_os_environment(void *handle, uint64_t pid, uint8_t *buf, size_t cap, size_t *len, char *errbuf)
{
	struct abi_handle *w = handle;
	pthread_mutex_t *l = abi_enter(w);
	int r = w->p->real.os.environment(w->h, pid, buf, cap, len, errbuf);

	abi_leave(l);
	return r;
}

/* ---- adopting a descriptor ---- */

/* Bytes of a descriptor that must be present: up to the last mandatory callback. */
static size_t
abi_min_size(enum mf_plugin_kind kind)
{
	return kind == MF_PLUGIN_CONNECTOR ? offsetof(struct mf_connector, ranges) + sizeof(void *)
	                                   : offsetof(struct mf_os, maps) + sizeof(void *);
}

/* Our wrappers in place of the plugin's callbacks; optional ones stay NULL when absent. */
#define ABI_WRAP(dst, src, field, fn) ((dst).field = (src).field != NULL ? (fn) : NULL)

static void
abi_install(struct mfint_plugin *p)
{
	if (p->kind == MF_PLUGIN_CONNECTOR) {
		const struct mf_connector *c = &p->real.conn;

		p->u.conn = *c;
		p->u.conn.open = abi_conn_open;
		p->u.conn.close = abi_conn_close;
		p->u.conn.read = abi_conn_read;
		p->u.conn.ranges = abi_conn_ranges;
		ABI_WRAP(p->u.conn, *c, write, abi_conn_write);
		ABI_WRAP(p->u.conn, *c, view, abi_conn_view);
	} else {
		const struct mf_os *o = &p->real.os;

		p->u.os = *o;
		p->u.os.open = abi_os_open;
		p->u.os.close = abi_os_close;
		p->u.os.processes = abi_os_processes;
		ABI_WRAP(p->u.os, *o, process, abi_os_process);
		ABI_WRAP(p->u.os, *o, modules, abi_os_modules);
		ABI_WRAP(p->u.os, *o, maps, abi_os_maps);
		ABI_WRAP(p->u.os, *o, read, abi_os_read);
		ABI_WRAP(p->u.os, *o, write, abi_os_write);
		ABI_WRAP(p->u.os, *o, symbols, abi_os_symbols);
		ABI_WRAP(p->u.os, *o, symbol_lookup, abi_os_symbol_lookup);
		ABI_WRAP(p->u.os, *o, symbol_at, abi_os_symbol_at);
		ABI_WRAP(p->u.os, *o, threads, abi_os_threads);
		ABI_WRAP(p->u.os, *o, thread_regs, abi_os_thread_regs);
		ABI_WRAP(p->u.os, *o, auxv, abi_os_auxv);
		ABI_WRAP(p->u.os, *o, environment, abi_os_environment);
		/* a pair: a layer that can suspend must be able to resume */
		if (o->suspend != NULL && o->resume != NULL) {
			p->u.os.suspend = abi_os_suspend;
			p->u.os.resume = abi_os_resume;
		} else {
			p->u.os.suspend = NULL;
			p->u.os.resume = NULL;
		}
	}
}

/* The first mandatory callback the descriptor lacks, or NULL. */
static const char *
abi_missing_callback(const struct mfint_plugin *p)
{
	if (p->kind == MF_PLUGIN_CONNECTOR) {
		const struct mf_connector *c = &p->real.conn;

		return !c->open ? "open" : !c->close ? "close" : !c->read ? "read" : !c->ranges ? "ranges" : NULL;
	}
	return !p->real.os.open ? "open" : !p->real.os.close ? "close" : !p->real.os.processes ? "processes" : NULL;
}

int
mfint_plugin_adopt(struct mfint_plugin *p, enum mf_plugin_kind kind, const void *desc, const char *path,
                   const char *name, char *errbuf)
{
	const uint32_t *hdr = desc;
	const char *word = mfint_plugin_kind_word(kind), *dname, *missing;
	size_t ours = kind == MF_PLUGIN_CONNECTOR ? sizeof(struct mf_connector) : sizeof(struct mf_os);
	size_t have;

	p->kind = kind;
	p->abi = hdr[1];
	if (p->abi > MF_ABI_VERSION)
		return mf_error(errbuf, MF_ERR_ABI, "%s has plugin ABI %u, this mftools has ABI %u (the plugin is newer: upgrade mftools)",
		                path, p->abi, MF_ABI_VERSION);
	if (p->abi < MF_ABI_MIN_VERSION)
		return mf_error(errbuf, MF_ERR_ABI, "%s has plugin ABI %u, this mftools has ABI %u and loads ABI %u to %u (rebuild the plugin)",
		                path, p->abi, MF_ABI_VERSION, MF_ABI_MIN_VERSION, MF_ABI_VERSION);
	if (hdr[0] < abi_min_size(kind))
		return mf_error(errbuf, MF_ERR_ABI, "%s has a descriptor of %u bytes, at least %zu needed", path, hdr[0],
		                abi_min_size(kind));
	/* what the plugin's ABI defines and it has; the rest reads as zero */
	have = hdr[0];
	if (p->abi == 1 && have > (kind == MF_PLUGIN_CONNECTOR ? MFINT_CONNECTOR_V1_SIZE : MFINT_OS_V1_SIZE))
		have = kind == MF_PLUGIN_CONNECTOR ? MFINT_CONNECTOR_V1_SIZE : MFINT_OS_V1_SIZE;
	if (have > ours)
		have = ours;
	memset(&p->real, 0, sizeof p->real);
	memcpy(&p->real, desc, have);
	if (kind == MF_PLUGIN_CONNECTOR) {
		if (p->abi == 1)
			p->real.conn.thread_model = MF_THREAD_SERIALIZE_ALL;   /* a reserved field then */
		p->thread_model = p->real.conn.thread_model;
		dname = p->real.conn.name;
	} else {
		if (p->abi == 1)
			p->real.os.thread_model = MF_THREAD_SERIALIZE_ALL;
		p->thread_model = p->real.os.thread_model;
		dname = p->real.os.name;
	}
	if (p->thread_model > MF_THREAD_PARALLEL)
		return mf_error(errbuf, MF_ERR_ABI, "%s declares an unknown thread model %u", path, p->thread_model);
	if ((missing = abi_missing_callback(p)) != NULL)
		return mf_error(errbuf, MF_ERR_ABI, "%s: %s %s has no %s callback", path, word, name, missing);
	if (dname == NULL || strcmp(dname, name) != 0)
		return mf_error(errbuf, MF_ERR_ABI, "%s calls itself '%s', not '%s'", path, dname ? dname : "(null)", name);
	if (abi_lock_init(&p->lock) < 0)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	p->host = mfint_host;
	p->magic = MFINT_PLUGIN_MAGIC;
	abi_install(p);
	return 0;
}

void
mfint_plugin_drop(struct mfint_plugin *p)
{
	if (p->magic == MFINT_PLUGIN_MAGIC)
		pthread_mutex_destroy(&p->lock);
	p->magic = 0;
}
