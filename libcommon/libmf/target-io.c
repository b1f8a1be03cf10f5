/* target-io.c: a target's physical memory (batches split at range boundaries), virtual
 * memory through its one translator, and the physical-memory view its os layer gets. */
#include "target-int.h"

#include <mftools/vat.h>

#include <stdlib.h>
#include <string.h>

#define IO_SPLIT_CHUNK 1024

/* Index of the range holding addr, or -1. */
static long
io_range_find(const struct mf_target *t, uint64_t addr)
{
	size_t lo = 0, hi = t->nranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->ranges[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -1;
	lo--;
	if (addr - t->ranges[lo].base < t->ranges[lo].size)
		return (long)lo;
	return -1;
}

/* Does [addr, addr+len) lie in one range?  0 yes, 1 needs splitting over adjacent ranges,
 * -1 some byte is absent. */
static int
io_entry_class(const struct mf_target *t, uint64_t addr, uint64_t len)
{
	long r = io_range_find(t, addr);
	uint64_t cur, end;

	if (len == 0)
		return 0;
	if (r < 0 || addr + len < addr)
		return -1;
	if (len <= t->ranges[r].size - (addr - t->ranges[r].base))
		return 0;
	/* spans: every following byte must be in an adjacent range */
	cur = t->ranges[r].base + t->ranges[r].size;
	end = addr + len;
	for (r++; (size_t)r < t->nranges && cur < end; r++) {
		if (t->ranges[r].base != cur)
			return -1;
		cur += t->ranges[r].size;
	}
	return cur >= end ? 1 : -1;
}

typedef int (*io_fn)(void *h, struct mf_iov *iov, size_t n, char *errbuf);

/* Run a batch through the connector, splitting entries at range boundaries. */
static int
io_phys(struct mf_target *t, io_fn fn, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct mf_iov *pieces = NULL;
	size_t *owner = NULL, i, np = 0;
	int r = 0, any_split = 0;

	if (t->nranges == 0)
		return fn(t->ch, iov, n, errbuf);
	for (i = 0; i < n; i++) {
		int c = io_entry_class(t, iov[i].addr, iov[i].len);

		iov[i].err = c < 0 ? MF_ERR_UNMAPPED : 0;
		if (c != 0)
			any_split = 1;
	}
	if (!any_split)
		return fn(t->ch, iov, n, errbuf);

	pieces = malloc(IO_SPLIT_CHUNK * sizeof *pieces);
	owner = malloc(IO_SPLIT_CHUNK * sizeof *owner);
	if (pieces == NULL || owner == NULL) {
		free(pieces);
		free(owner);
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i <= n && r == 0; i++) {
		uint64_t addr, left;
		char *buf;

		/* flush when full or at the end */
		if (i == n || np + 64 > IO_SPLIT_CHUNK) {
			size_t k;

			if (np > 0 && (r = fn(t->ch, pieces, np, errbuf)) == 0)
				for (k = 0; k < np; k++)
					if (pieces[k].err != 0 && iov[owner[k]].err == 0)
						iov[owner[k]].err = pieces[k].err;
			np = 0;
			if (i == n)
				break;
		}
		if (iov[i].err != 0 || iov[i].len == 0)
			continue;
		addr = iov[i].addr;
		left = iov[i].len;
		buf = iov[i].buf;
		while (left > 0) {
			long ri = io_range_find(t, addr);
			uint64_t room = t->ranges[ri].size - (addr - t->ranges[ri].base);
			uint64_t len = left < room ? left : room;

			if (np == IO_SPLIT_CHUNK) {
				/* an entry spanning very many ranges: do it piece by piece */
				size_t k;

				if ((r = fn(t->ch, pieces, np, errbuf)) != 0)
					break;
				for (k = 0; k < np; k++)
					if (pieces[k].err != 0 && iov[owner[k]].err == 0)
						iov[owner[k]].err = pieces[k].err;
				np = 0;
			}
			pieces[np] = (struct mf_iov){ .addr = addr, .buf = buf, .len = len };
			owner[np++] = i;
			addr += len;
			buf += len;
			left -= len;
		}
	}
	free(pieces);
	free(owner);
	return r;
}

MF_API int
mf_phys_read(struct mf_target *t, struct mf_iov *iov, size_t n, char *errbuf)
{
	if (t->conn == NULL)
		return mf_error(errbuf, MF_ERR_UNSUPPORTED, "%s has no physical memory (give a connector with -c)", t->name);
	return io_phys(t, t->conn->u.conn.read, iov, n, errbuf);
}

MF_API int
mf_phys_write(struct mf_target *t, struct mf_iov *iov, size_t n, char *errbuf)
{
	if (t->conn == NULL)
		return mf_error(errbuf, MF_ERR_UNSUPPORTED, "%s has no physical memory (give a connector with -c)", t->name);
	if (!(t->flags & MF_TARGET_WRITE))
		return mf_error(errbuf, MF_ERR_READONLY, "%s is not opened for writing (use --write)", t->name);
	if (t->conn->u.conn.write == NULL)
		return mf_error(errbuf, MF_ERR_READONLY, "connector %s cannot write", t->conn->name);
	return io_phys(t, t->conn->u.conn.write, iov, n, errbuf);
}

MF_API int
mf_phys_view(struct mf_target *t, uint64_t addr, uint64_t len, const uint8_t **data)
{
	const void *p = NULL;
	int r;

	if (t->conn == NULL || t->conn->u.conn.view == NULL || len == 0)
		return MF_ERR_UNSUPPORTED;
	if (t->nranges > 0 && io_entry_class(t, addr, len) < 0)
		return MF_ERR_UNMAPPED;
	if ((r = t->conn->u.conn.view(t->ch, addr, len, &p)) != 0)
		return r < 0 ? r : MF_ERR_UNSUPPORTED;
	if (p == NULL)
		return MF_ERR_UNSUPPORTED;   /* a plugin that said yes and gave nothing */
	*data = p;
	return 0;
}

MF_API size_t
mf_phys_ranges(struct mf_target *t, const struct mf_range **out)
{
	*out = t->ranges;
	return t->nranges;
}

/* ---- virtual memory ----
 *
 * A target may be used from several threads (a plugin's thread model says how its calls
 * overlap).  A translator holds per-call working memory and caches, so no two calls may use
 * one at once: each call takes an idle translator (or makes one) and gives it back.  A
 * single-threaded program keeps using the same one; N threads at once use N (each
 * mf_vat_memory bytes).  Every translator's physical reads go through the target. */

struct mfint_xl {
	struct mf_target *t;
	struct mf_vat *vat;
	struct mfint_xl *next_free, *next_all;
	char errbuf[MF_ERRBUF_SIZE];   /* the message of its last failed physical call */
};

static int
io_xl_read(void *ctx, struct mf_iov *iov, size_t n)
{
	struct mfint_xl *x = ctx;

	return mf_phys_read(x->t, iov, n, x->errbuf);
}

static int
io_xl_write(void *ctx, struct mf_iov *iov, size_t n)
{
	struct mfint_xl *x = ctx;

	return mf_phys_write(x->t, iov, n, x->errbuf);
}

/* An idle translator, or a new one: 0, or MF_ERR_UNSUPPORTED / MF_ERR_NOMEM with a message. */
static int
io_xl_get(struct mf_target *t, struct mfint_xl **out, char *errbuf)
{
	struct mfint_xl *x;
	uint64_t live;

	if (t->conn == NULL)
		return mf_error(errbuf, MF_ERR_UNSUPPORTED,
		                "%s has no physical memory to translate over (give a connector with -c)", t->name);
	pthread_mutex_lock(&t->lock);
	if ((x = t->xl_free) != NULL)
		t->xl_free = x->next_free;
	pthread_mutex_unlock(&t->lock);
	if (x != NULL) {
		x->errbuf[0] = '\0';
		*out = x;
		return 0;
	}
	if ((x = calloc(1, sizeof *x)) == NULL || (x->vat = mf_vat_new(io_xl_read, x)) == NULL) {
		free(x);
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	x->t = t;
	/* live sources change under us: let cached translations expire */
	if (mf_hints_get_u64(t->hints, "live", &live) == 0 && live)
		mf_vat_set_ttl(x->vat, 100);
	pthread_mutex_lock(&t->lock);
	x->next_all = t->xl_all;
	t->xl_all = x;
	pthread_mutex_unlock(&t->lock);
	*out = x;
	return 0;
}

static void
io_xl_put(struct mf_target *t, struct mfint_xl *x)
{
	pthread_mutex_lock(&t->lock);
	x->next_free = t->xl_free;
	t->xl_free = x;
	pthread_mutex_unlock(&t->lock);
}

/* A whole-call failure r of a translator: its physical read's message, else the code's. */
static int
io_xl_error(const struct mfint_xl *x, int r, char *errbuf)
{
	return mf_error(errbuf, r, "%s", x->errbuf[0] ? x->errbuf : mf_strerror(r));
}

void
mfint_target_free_vats(struct mf_target *t)
{
	struct mfint_xl *x, *next;

	for (x = t->xl_all; x != NULL; x = next) {
		next = x->next_all;
		mf_vat_free(x->vat);
		free(x);
	}
	t->xl_all = t->xl_free = t->xl_own = NULL;
}

MF_API struct mf_vat *
mf_target_vat(struct mf_target *t, char *errbuf)
{
	struct mfint_xl *x;

	pthread_mutex_lock(&t->lock);
	x = t->xl_own;
	pthread_mutex_unlock(&t->lock);
	if (x != NULL)
		return x->vat;
	if (io_xl_get(t, &x, errbuf) < 0)
		return NULL;
	pthread_mutex_lock(&t->lock);
	if (t->xl_own == NULL) {
		t->xl_own = x;
		x = NULL;
	}
	pthread_mutex_unlock(&t->lock);
	if (x != NULL)
		io_xl_put(t, x);   /* another thread was first */
	return t->xl_own->vat;
}

MF_API int
mf_virt_read(struct mf_target *t, const struct mf_space *sp, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct mfint_xl *x;
	int r;

	if ((r = io_xl_get(t, &x, errbuf)) < 0)
		return r;
	if ((r = mf_vat_read(x->vat, sp, iov, n)) < 0)
		io_xl_error(x, r, errbuf);
	io_xl_put(t, x);
	return r;
}

MF_API int
mf_virt_write(struct mf_target *t, const struct mf_space *sp, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct mfint_xl *x;
	int r;

	if (!(t->flags & MF_TARGET_WRITE))
		return mf_error(errbuf, MF_ERR_READONLY, "%s is not opened for writing (use --write)", t->name);
	if ((r = io_xl_get(t, &x, errbuf)) < 0)
		return r;
	if ((r = mf_vat_write(x->vat, io_xl_write, x, sp, iov, n)) < 0)
		io_xl_error(x, r, errbuf);
	io_xl_put(t, x);
	return r;
}

int
mfint_translate(struct mf_target *t, const struct mf_space *sp, struct mf_vat_xlat *xl, size_t n, char *errbuf)
{
	struct mfint_xl *x;
	int r;

	if ((r = io_xl_get(t, &x, errbuf)) < 0)
		return r;
	if ((r = mf_vat_translate(x->vat, sp, xl, n)) < 0)
		io_xl_error(x, r, errbuf);
	io_xl_put(t, x);
	return r;
}

int
mfint_page_map(struct mf_target *t, const struct mf_space *sp, uint64_t start, uint64_t end,
               int (*cb)(void *ctx, const struct mf_vat_range *r), void *ctx, char *errbuf)
{
	struct mfint_xl *x;
	int r;

	if ((r = io_xl_get(t, &x, errbuf)) < 0)
		return r;
	r = mf_vat_page_map(x->vat, sp, start, end, cb, ctx);
	io_xl_put(t, x);
	return r;
}

/* struct mf_phys callbacks for os layers (which may call them from several threads: each
 * call has its own message buffer; an os layer gets only the code) */

static int
io_os_read(void *ctx, struct mf_iov *iov, size_t n)
{
	char errbuf[MF_ERRBUF_SIZE];

	return mf_phys_read(ctx, iov, n, errbuf);
}

static int
io_os_write(void *ctx, struct mf_iov *iov, size_t n)
{
	char errbuf[MF_ERRBUF_SIZE];

	return mf_phys_write(ctx, iov, n, errbuf);
}

static size_t
io_os_ranges(void *ctx, const struct mf_range **out)
{
	return mf_phys_ranges(ctx, out);
}

static int
io_os_vread(void *ctx, const struct mf_space *sp, struct mf_iov *iov, size_t n)
{
	char errbuf[MF_ERRBUF_SIZE];

	return mf_virt_read(ctx, sp, iov, n, errbuf);
}

static int
io_os_vwrite(void *ctx, const struct mf_space *sp, struct mf_iov *iov, size_t n)
{
	char errbuf[MF_ERRBUF_SIZE];

	return mf_virt_write(ctx, sp, iov, n, errbuf);
}

static int
io_os_vtop(void *ctx, const struct mf_space *sp, uint64_t va, uint64_t *pa)
{
	struct mf_vat_xlat x = { .va = va };
	char errbuf[MF_ERRBUF_SIZE];
	int r;

	if ((r = mfint_translate(ctx, sp, &x, 1, errbuf)) < 0)
		return r;
	if (x.err < 0)
		return x.err;
	*pa = x.pa;
	return 0;
}

/* page_map: the translator's ranges, handed on as struct mf_page_run */
_Static_assert(MF_PAGE_W == MF_VAT_W && MF_PAGE_X == MF_VAT_X && MF_PAGE_U == MF_VAT_U,
               "MF_PAGE_* are the translator's flags");

struct io_os_runs {
	mf_page_run_cb cb;
	void *ctx;
};

static int
io_os_run_cb(void *ctx, const struct mf_vat_range *r)
{
	struct io_os_runs *o = ctx;
	struct mf_page_run run = {
		.va = r->va,
		.pa = r->pa,
		.len = r->size,
		.page_size = r->page_size,
		.flags = r->flags & (MF_PAGE_W | MF_PAGE_X | MF_PAGE_U),
	};

	return o->cb(o->ctx, &run);
}

static int
io_os_page_map(void *ctx, const struct mf_space *sp, uint64_t start, uint64_t end, mf_page_run_cb cb, void *cbctx)
{
	struct io_os_runs o = { cb, cbctx };
	char errbuf[MF_ERRBUF_SIZE];

	if (cb == NULL)
		return MF_ERR_ARG;
	return mfint_page_map(ctx, sp, start, end, io_os_run_cb, &o, errbuf);
}

void
mfint_target_os_phys(struct mf_target *t)
{
	t->phys = (struct mf_phys){
		.struct_size = sizeof t->phys,
		.ctx = t,
		.read = io_os_read,
		.write = (t->flags & MF_TARGET_WRITE) ? io_os_write : NULL,
		.ranges = io_os_ranges,
		.vread = io_os_vread,
		.vwrite = (t->flags & MF_TARGET_WRITE) ? io_os_vwrite : NULL,
		.vtop = io_os_vtop,
		.page_map = io_os_page_map,
	};
}
