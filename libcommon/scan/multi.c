/* multi.c: many patterns in one pass through Hyperscan.  Each pattern becomes an expression
 * of escaped bytes (\xHH, '.' for a wildcard with HS_FLAG_DOTALL, a class for a letter in
 * either case); its matches have the pattern's fixed length, so the start offset is the end
 * offset Hyperscan reports minus that length, without Hyperscan's costlier start-of-match
 * tracking.  The database is read-only once built; scratch spaces come from a pool so that
 * every scanning thread has its own.
 * The module mf-scan-hs.so, its functions reached through scan/multi.h's (optional.c; see
 * scan/module.h). */
#include "config.h"
#include "scan/multi.h"
#include "scan/multi-cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hs.h>

struct scan_multi {
	hs_database_t *db;
	uint32_t *lens;               /* each pattern's length */
	size_t n;
	pthread_mutex_t mu;
	hs_scratch_t *proto;          /* cloned for each thread that scans at once */
	hs_scratch_t **free;          /* idle scratch spaces */
	size_t nfree, capfree;
};

static void scan_multi_destroy(struct scan_multi *m);

/* The expression of one pattern into a new string; NULL when out of memory. */
static char *
scan_multi_expr(const struct scan_pat *p)
{
	char *e = malloc(p->len * 10 + 1), *o = e;
	size_t i;

	if (e == NULL)
		return NULL;
	for (i = 0; i < p->len; i++) {
		uint8_t w = p->want[i], m = p->mask[i];

		if (m == 0)
			*o++ = '.';
		else if (m == 0xff)
			o += sprintf(o, "\\x%02x", w);
		else    /* 0xdf: an ASCII letter in either case */
			o += sprintf(o, "[\\x%02x\\x%02x]", w, w | 0x20);
	}
	*o = '\0';
	return e;
}

static int
scan_multi_compile(const struct scan_pat *pats, size_t n, struct scan_multi **out, char *errbuf)
{
	struct scan_multi *m = calloc(1, sizeof *m);
	char **exprs = calloc(n ? n : 1, sizeof *exprs);
	unsigned *flags = calloc(n ? n : 1, sizeof *flags), *ids = calloc(n ? n : 1, sizeof *ids);
	hs_compile_error_t *ce = NULL;
	struct scan_hs_key key = { 0 };
	size_t i;
	int r = 0;

	*out = NULL;
	if (m == NULL || exprs == NULL || flags == NULL || ids == NULL || n > UINT32_MAX ||
	    (m->lens = calloc(n ? n : 1, sizeof *m->lens)) == NULL) {
		r = mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
		goto out;
	}
	pthread_mutex_init(&m->mu, NULL);
	m->n = n;
	for (i = 0; i < n; i++) {
		if ((exprs[i] = scan_multi_expr(&pats[i])) == NULL) {
			r = mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
			goto out;
		}
		flags[i] = HS_FLAG_DOTALL;
		ids[i] = (unsigned)i;
		m->lens[i] = (uint32_t)pats[i].len;
	}
	if (scan_hs_key_make((const char *const *)exprs, flags, ids, n, &key) < 0) {
		r = mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* compiled by an earlier run, else now (and kept for the next) */
	if ((m->db = scan_hs_cache_get(&key)) == NULL) {
		if (hs_compile_multi((const char *const *)exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, &m->db,
		                     &ce) != HS_SUCCESS) {
			if (ce != NULL && ce->expression >= 0 && (size_t)ce->expression < n)
				r = mf_error(errbuf, MF_ERR_ARG, "cannot compile pattern '%s' for Hyperscan: %s",
				             pats[ce->expression].text, ce->message);
			else
				r = mf_error(errbuf, MF_ERR_ARG, "cannot compile the patterns for Hyperscan: %s",
				             ce != NULL ? ce->message : "unknown error");
			hs_free_compile_error(ce);
			m->db = NULL;
			goto out;
		}
		scan_hs_cache_put(&key, m->db);
	}
	if (hs_alloc_scratch(m->db, &m->proto) != HS_SUCCESS)
		r = mf_error(errbuf, MF_ERR_NOMEM, "out of memory (Hyperscan scratch space)");
out:
	scan_hs_key_free(&key);
	for (i = 0; exprs != NULL && i < n; i++)
		free(exprs[i]);
	free(exprs);
	free(flags);
	free(ids);
	if (r < 0)
		scan_multi_destroy(m);
	else
		*out = m;
	return r;
}

static void
scan_multi_destroy(struct scan_multi *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nfree; i++)
		hs_free_scratch(m->free[i]);
	free(m->free);
	if (m->proto != NULL)
		hs_free_scratch(m->proto);
	if (m->db != NULL)
		hs_free_database(m->db);
	if (m->lens != NULL)
		pthread_mutex_destroy(&m->mu);
	free(m->lens);
	free(m);
}

/* A scratch space for this call: an idle one, or a new clone; NULL when out of memory. */
static hs_scratch_t *
scan_multi_take(struct scan_multi *m)
{
	hs_scratch_t *s = NULL;

	pthread_mutex_lock(&m->mu);
	if (m->nfree > 0)
		s = m->free[--m->nfree];
	else if (hs_clone_scratch(m->proto, &s) != HS_SUCCESS)
		s = NULL;
	pthread_mutex_unlock(&m->mu);
	return s;
}

static void
scan_multi_give(struct scan_multi *m, hs_scratch_t *s)
{
	pthread_mutex_lock(&m->mu);
	if (m->nfree == m->capfree) {
		size_t cap = m->capfree ? m->capfree * 2 : 8;
		hs_scratch_t **v = realloc(m->free, cap * sizeof *v);

		if (v == NULL) {
			pthread_mutex_unlock(&m->mu);
			hs_free_scratch(s);
			return;
		}
		m->free = v;
		m->capfree = cap;
	}
	m->free[m->nfree++] = s;
	pthread_mutex_unlock(&m->mu);
}

struct scan_multi_ctx {
	const struct scan_multi *m;
	size_t seg_start, own_end;
	scan_multi_fn cb;
	void *ctx;
	int stopped;
};

static int
scan_multi_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
	struct scan_multi_ctx *c = ctx;
	size_t off;

	(void)from;
	(void)flags;
	off = c->seg_start + (size_t)to - c->m->lens[id];
	if (off >= c->own_end)
		return 0;
	if (c->cb(c->ctx, off, id) != 0) {
		c->stopped = 1;
		return 1;
	}
	return 0;
}

static int
scan_multi_scan(struct scan_multi *m, const uint8_t *buf, size_t seg_start, size_t seg_end, size_t own_end,
               scan_multi_fn cb, void *ctx)
{
	struct scan_multi_ctx c = { .m = m, .seg_start = seg_start, .own_end = own_end, .cb = cb, .ctx = ctx };
	hs_scratch_t *s;
	hs_error_t r;

	if (seg_end <= seg_start || own_end <= seg_start)
		return 0;
	if (seg_end - seg_start > UINT32_MAX || (s = scan_multi_take(m)) == NULL)
		return -1;
	r = hs_scan(m->db, (const char *)buf + seg_start, (unsigned)(seg_end - seg_start), 0, s, scan_multi_match, &c);
	scan_multi_give(m, s);
	if (c.stopped)
		return 1;
	return r == HS_SUCCESS ? 0 : -1;
}

const struct scan_multi_module scan_hs_module = {
	.abi = SCAN_MODULE_ABI,
	.build = scan_multi_compile,
	.free = scan_multi_destroy,
	.run = scan_multi_scan,
};
