/* engine.c: the scan engine: the pool that reads chunks into slots and scans them.  The
 * caller's thread assigns chunks to free slots and emits the hits of finished slots in
 * sequence order; workers take the oldest slot to do, read its chunk (so that the copies
 * out of the connector run on every core, not on the caller's alone) and scan it.  What a
 * read found unreadable or failed goes back with the slot and is reported on the caller's
 * thread, in order.  A chunk with more hits than SCAN_CHUNK_HITS_MAX per pattern is emitted
 * in parts: the worker stops where the hits are complete, and scans again from there after
 * the emit. */
#include "config.h"
#include "scan/engine.h"
#include "scan/release.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct scan_hit {
	size_t off;                   /* in the slot's data */
	uint32_t pat;                 /* pattern index */
	uint32_t len;
	const char *rule, *sid;       /* YARA: the rule and string identifiers */
};

/* SLOT_FILL: to read and scan; SLOT_READY: read, to scan (again, from scan_from) */
enum scan_slot_state { SLOT_FREE, SLOT_FILL, SLOT_READY, SLOT_BUSY, SLOT_DONE };

struct scan_gap {
	uint64_t addr, len;
	int err;
};

struct scan_slot {
	enum scan_slot_state state;
	uint64_t seq;
	uint8_t *buf;                 /* where a chunk without a view is read to */
	const uint8_t *data;          /* the chunk's bytes: buf, or the space's own (a view) */
	bool viewed;                  /* data is a view */
	size_t size;                  /* bytes held (nominal + overlap) */
	size_t own;                   /* matches must start below this offset */
	uint64_t base;                /* address of data[0] */
	void *space;
	bool region_first;            /* the first chunk of its region */
	uint64_t region_end;          /* the region's end (0: the top of the space) */
	struct scan_gap *gaps;        /* unreadable pieces, reported at the emit */
	size_t ngaps, capgaps;
	uint64_t unreadable;
	int fail;                     /* the read failed as a whole (negative), message in failmsg */
	char failmsg[MF_ERRBUF_SIZE];
	size_t *segs;                 /* readable runs: [segs[2i], segs[2i+1]) */
	size_t nsegs, capsegs;
	size_t scan_from;             /* resume offset when a chunk is emitted in parts */
	size_t resume;                /* set by the worker: hits stop here, scan again from it */
	struct scan_hit *hits;
	size_t nhits, caphits;
	size_t pat_hits;              /* count of the current pattern's hits */
	bool oom;                     /* the worker could not hold its hits */
};

struct scan_engine {
	const struct scan_job *job;
	struct scan_stats *stats;
	struct scan_slot *slots;
	size_t nslots;
	pthread_mutex_t mu;
	pthread_cond_t cv_work, cv_done;
	bool quit;
	bool oom;
	const struct scan_slot *awaited; /* the slot the caller waits on (cv_done), or NULL */
	void *gone;                   /* the space whose read failed as a whole (emitted) */
	void *gone_read;              /* the same, as the workers know it: not read again */
	struct scan_release release;  /* the caller's: views given back once emitted */
};

/* ---- reading (worker threads) ---- */

static bool
scan_engine_seg_add(struct scan_slot *s, size_t a, size_t b)
{
	if (s->nsegs > 0 && s->segs[2 * s->nsegs - 1] == a) {
		s->segs[2 * s->nsegs - 1] = b;
		return true;
	}
	if (s->nsegs == s->capsegs) {
		size_t cap = s->capsegs ? s->capsegs * 2 : 16;
		size_t *v = realloc(s->segs, cap * 2 * sizeof *v);

		if (v == NULL)
			return false;
		s->segs = v;
		s->capsegs = cap;
	}
	s->segs[2 * s->nsegs] = a;
	s->segs[2 * s->nsegs + 1] = b;
	s->nsegs++;
	return true;
}

struct scan_engine_fill {
	struct scan_engine *e;
	struct scan_slot *s;
	bool oom;
};

/* The pieces of a chunk: readable runs become segments, gaps are counted and reported. */
static int
scan_engine_piece(void *ctx, const struct mf_span_piece *p)
{
	struct scan_engine_fill *f = ctx;
	struct scan_slot *s = f->s;
	const struct scan_job *job = f->e->job;
	size_t o = (size_t)(p->addr - s->base);

	if (p->data == NULL) {
		s->unreadable += p->len;
		if (job->gap == NULL)
			return 0;
		if (s->ngaps == s->capgaps) {
			size_t cap = s->capgaps ? s->capgaps * 2 : 16;
			struct scan_gap *v = realloc(s->gaps, cap * sizeof *v);

			if (v == NULL) {
				f->oom = true;
				return 1;
			}
			s->gaps = v;
			s->capgaps = cap;
		}
		s->gaps[s->ngaps++] = (struct scan_gap){ p->addr, p->len, p->err };
		return 0;
	}
	if (!scan_engine_seg_add(s, o, o + (size_t)p->len)) {
		f->oom = true;
		return 1;
	}
	return 0;
}

/* Read the slot's chunk (on a worker): its bytes where the space can show them without a
 * copy (a view), else read into the slot's buffer; its readable runs, gaps and failure are
 * kept in the slot; false when out of memory. */
static bool
scan_engine_read_slot(struct scan_engine *e, struct scan_slot *s)
{
	const struct scan_job *job = e->job;
	struct scan_engine_fill f = { .e = e, .s = s };

	s->nsegs = 0;
	s->ngaps = 0;
	s->unreadable = 0;
	s->fail = 0;
	/* the caller's feed may have taken the view already (to size the chunk) */
	if (!s->viewed)
		s->viewed = job->view != NULL && job->view(job->ctx, s->space, s->base, s->size, &s->data) == 0;
	if (s->viewed)
		return scan_engine_seg_add(s, 0, s->size);
	s->data = s->buf;
	s->fail = job->fill(job->ctx, s->space, s->base, s->size, s->buf, scan_engine_piece, &f, s->failmsg);
	if (s->fail > 0)
		s->fail = 0;
	return !f.oom;
}

/* ---- scanning (worker threads) ---- */

struct scan_wctx {
	const struct scan_job *job;
	struct scan_slot *s;
	uint32_t pat;
	size_t len;
	size_t cap;                   /* hits per pattern before the chunk is split */
};

static int
scan_engine_hit(void *ctx, size_t off)
{
	struct scan_wctx *w = ctx;
	struct scan_slot *s = w->s;

	if (s->nhits == s->caphits) {
		size_t nc = s->caphits ? s->caphits * 2 : 256;
		struct scan_hit *h = realloc(s->hits, nc * sizeof *h);

		if (h == NULL) {
			s->oom = true;
			return 1;
		}
		s->hits = h;
		s->caphits = nc;
	}
	s->hits[s->nhits++] = (struct scan_hit){ .off = off, .pat = w->pat, .len = (uint32_t)w->len };
	if (++s->pat_hits >= w->cap)
		return 1;
	return 0;
}

static int
scan_engine_hit_order(const void *a, const void *b)
{
	const struct scan_hit *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->pat < y->pat ? -1 : x->pat > y->pat;
}

struct scan_yctx {
	struct scan_wctx *w;
	size_t seg;                   /* offset of the scanned run in the slot */
	size_t from, own;
};

static int
scan_engine_yara_hit(void *ctx, size_t off, size_t len, const char *rule, const char *sid)
{
	struct scan_yctx *y = ctx;
	struct scan_slot *s = y->w->s;

	if (sid == NULL) {
		/* a rule matched without a string match: one hit over the region, from the first
		 * readable run of its first chunk (the rule matched that run) */
		uint64_t span;

		if (!s->region_first || s->nsegs == 0 || y->seg != s->segs[0] || s->scan_from > y->seg)
			return 0;
		span = s->region_end - (s->base + y->seg);   /* end 0 wraps to the distance to the top */
		len = span > UINT32_MAX ? UINT32_MAX : (size_t)span;
	}
	off += y->seg;
	if (off < y->from || off >= y->own)
		return 0;     /* before a resume point, or the next chunk's */
	y->w->len = len;
	if (scan_engine_hit(y->w, off) != 0 && s->oom)
		return 1;
	s->hits[s->nhits - 1].rule = rule;
	s->hits[s->nhits - 1].sid = sid;
	return 0;
}

/* YARA over each readable run; matches are kept when they start in the chunk's own part. */
static void
scan_engine_slot_yara(const struct scan_job *job, struct scan_slot *s, struct scan_wctx *w)
{
	size_t i;

	for (i = 0; i < s->nsegs && !s->oom; i++) {
		size_t a = s->segs[2 * i], b = s->segs[2 * i + 1];
		struct scan_yctx y = { .w = w, .seg = a, .from = s->scan_from, .own = s->own };
		int r;

		if (b <= s->scan_from || a >= s->own)
			continue;
		if ((r = scan_yara_run(job->yara, s->data + a, b - a, scan_engine_yara_hit, &y)) != 0)
			mf_log(0, "YARA scan of 0x%llx-0x%llx failed (error %d)", (unsigned long long)(s->base + a),
			       (unsigned long long)(s->base + b - 1), r);
	}
}

static int
scan_engine_multi_hit(void *ctx, size_t off, uint32_t pat)
{
	struct scan_wctx *w = ctx;

	w->pat = pat;
	w->len = w->job->pats[pat].len;
	return scan_engine_hit(w, off);
}

/* Every pattern at once over each readable run, in windows of SCAN_MULTI_WINDOW starts
 * (the matcher reports in no set order): once a window leaves cap hits or more, the hits
 * are complete below its end, where the chunk is split.  The stop offset, or s->own. */
static size_t
scan_engine_slot_multi(const struct scan_job *job, struct scan_slot *s, struct scan_wctx *w, size_t cap)
{
	size_t i, over = job->maxlen - 1;

	for (i = 0; i < s->nsegs && !s->oom; i++) {
		size_t a = s->segs[2 * i], b = s->segs[2 * i + 1], from;

		if (b <= s->scan_from)
			continue;
		for (from = a < s->scan_from ? s->scan_from : a; from < b && from < s->own;) {
			size_t own = from + SCAN_MULTI_WINDOW < s->own ? from + SCAN_MULTI_WINDOW : s->own;
			size_t end = own + over < b ? own + over : b;

			if (scan_multi_run(job->multi, s->data, from, end, own, scan_engine_multi_hit, w) < 0) {
				mf_log(0, "many-pattern scan of 0x%llx-0x%llx failed", (unsigned long long)(s->base + from),
				       (unsigned long long)(s->base + end - 1));
				break;
			}
			if (s->oom)
				return s->own;
			from = own;
			if (s->nhits >= cap && from < s->own)
				return from;
		}
	}
	return s->own;
}

static void
scan_engine_slot_scan(const struct scan_job *job, struct scan_slot *s)
{
	struct scan_wctx w = { .job = job, .s = s };
	size_t np = job->typed != NULL ? 1 : job->npats, p, i;
	size_t stop = s->own;           /* hits are complete below this offset */

	w.cap = SCAN_CHUNK_HITS_MAX;
	if (job->max_hits > 0 && job->max_hits < w.cap)
		w.cap = (size_t)job->max_hits;
	s->nhits = 0;
	s->resume = 0;
	if (job->yara != NULL) {
		/* YARA reports the matches of a run all at once: the per-chunk cap does not apply */
		w.cap = SIZE_MAX;
		s->pat_hits = 0;
		scan_engine_slot_yara(job, s, &w);
		np = 0;
	} else if (job->multi != NULL) {
		size_t cap = w.cap;

		w.cap = SIZE_MAX;
		s->pat_hits = 0;
		stop = scan_engine_slot_multi(job, s, &w, cap);
		np = 0;
	}
	for (p = 0; p < np && !s->oom; p++) {
		int r = 0;

		w.pat = (uint32_t)p;
		w.len = job->typed != NULL ? job->typed->size : job->pats[p].len;
		s->pat_hits = 0;
		for (i = 0; i < s->nsegs && r == 0; i++) {
			size_t a = s->segs[2 * i], b = s->segs[2 * i + 1];

			if (b <= s->scan_from)
				continue;
			if (a < s->scan_from)
				a = s->scan_from;
			if (job->typed != NULL)
				r = scan_typed_run(job->typed, s->base, s->data, a, b, stop, scan_engine_hit, &w);
			else
				r = scan_pat_run(&job->pats[p], s->data, a, b, stop, scan_engine_hit, &w);
		}
		if (r != 0 && s->nhits > 0) {
			/* this pattern's hits are complete up to and including the last one */
			size_t last = s->hits[s->nhits - 1].off + 1;

			if (last < stop)
				stop = last;
		}
	}
	if (s->oom)
		return;
	if (s->nhits > 1)
		qsort(s->hits, s->nhits, sizeof *s->hits, scan_engine_hit_order);
	if (stop < s->own) {
		while (s->nhits > 0 && s->hits[s->nhits - 1].off >= stop)
			s->nhits--;
		s->resume = stop;
	}
}

/* A worker has finished slot s (the engine's lock held): the caller is woken only when it
 * waits on this very slot, not for every slot done (each wake is a context switch). */
static void
scan_engine_done(struct scan_engine *e, struct scan_slot *s)
{
	s->state = SLOT_DONE;
	if (e->awaited == s)
		pthread_cond_signal(&e->cv_done);
}

static void *
scan_engine_worker(void *arg)
{
	struct scan_engine *e = arg;

	pthread_mutex_lock(&e->mu);
	for (;;) {
		struct scan_slot *s = NULL;
		bool fill;
		size_t i;

		for (i = 0; i < e->nslots; i++)
			if ((e->slots[i].state == SLOT_READY || e->slots[i].state == SLOT_FILL) &&
			    (s == NULL || e->slots[i].seq < s->seq))
				s = &e->slots[i];
		if (s == NULL) {
			if (e->quit)
				break;
			pthread_cond_wait(&e->cv_work, &e->mu);
			continue;
		}
		fill = s->state == SLOT_FILL;
		s->state = SLOT_BUSY;
		if (fill && s->space == e->gone_read) {
			/* a later chunk of a space whose read failed: dropped at the emit (the
			 * failed chunk, earlier in order, reports it) */
			size_t own = s->own;   /* the slot is the caller's again once done */

			s->fail = MF_ERR_GONE;
			scan_engine_done(e, s);
			pthread_mutex_unlock(&e->mu);
			mf_progress_add(e->job->progress, own);   /* passed over: done all the same */
			pthread_mutex_lock(&e->mu);
			continue;
		}
		pthread_mutex_unlock(&e->mu);
		if (fill && !scan_engine_read_slot(e, s))
			s->oom = true;
		else if (s->fail == 0)
			scan_engine_slot_scan(e->job, s);
		if (fill)
			mf_progress_add(e->job->progress, s->own);   /* atomic; draws when due */
		pthread_mutex_lock(&e->mu);
		if (s->fail < 0)
			e->gone_read = s->space;
		scan_engine_done(e, s);
	}
	pthread_mutex_unlock(&e->mu);
	return NULL;
}

/* ---- emitting (the caller's thread) ---- */

/* Hand a scanned slot's hits to emit; false when --max-hits is reached. */
static bool
scan_engine_emit_slot(struct scan_engine *e, struct scan_slot *s)
{
	const struct scan_job *job = e->job;
	size_t i;

	for (i = 0; i < s->nhits; i++) {
		const struct scan_hit *h = &s->hits[i];
		size_t seg_end = h->off + h->len, k;
		struct scan_match m = { .space = s->space, .addr = s->base + h->off, .len = h->len,
		                        .pat = h->pat, .rule = h->rule, .sid = h->sid, .data = s->data + h->off };

		/* the context runs to the end of the readable run the hit is in */
		for (k = 0; k < s->nsegs; k++)
			if (s->segs[2 * k] <= h->off && h->off < s->segs[2 * k + 1]) {
				seg_end = s->segs[2 * k + 1];
				break;
			}
		m.dlen = seg_end - h->off < job->context ? seg_end - h->off : job->context;
		job->emit(job->ctx, &m);
		if (++e->stats->emitted == job->max_hits && job->max_hits > 0)
			return false;
	}
	return true;
}

/* A read chunk's gaps and failure, reported in order; false when its space had gone (the
 * chunk is dropped: the failure is reported once, by the space's first failed chunk). */
static bool
scan_engine_report_read(struct scan_engine *e, struct scan_slot *s)
{
	const struct scan_job *job = e->job;
	size_t i;

	if (s->space == e->gone)
		return false;
	if (s->fail < 0) {
		e->gone = s->space;
		job->fail(job->ctx, s->space, s->fail, s->failmsg);
		return false;
	}
	for (i = 0; i < s->ngaps; i++)
		job->gap(job->ctx, s->space, s->gaps[i].addr, s->gaps[i].len, s->gaps[i].err);
	e->stats->unreadable += s->unreadable;
	e->stats->bytes += s->own;
	if (s->viewed)
		e->stats->in_place += s->own;
	return true;
}

/* Wait for the slot holding the oldest chunk, emit it; false when output should stop. */
static bool
scan_engine_emit_next(struct scan_engine *e, uint64_t *next_emit)
{
	struct scan_slot *s = &e->slots[*next_emit % e->nslots];
	bool more, first = true;

	for (;;) {
		pthread_mutex_lock(&e->mu);
		e->awaited = s;
		while (s->state != SLOT_DONE)
			pthread_cond_wait(&e->cv_done, &e->mu);
		e->awaited = NULL;
		pthread_mutex_unlock(&e->mu);
		if (s->oom) {
			e->oom = true;
			more = false;
			break;
		}
		if (first && !scan_engine_report_read(e, s)) {
			more = true;
			break;
		}
		first = false;
		more = scan_engine_emit_slot(e, s);
		if (!more || s->resume == 0)
			break;
		/* the chunk had more hits than one pass holds: scan on from where it stopped */
		pthread_mutex_lock(&e->mu);
		s->scan_from = s->resume;
		s->state = SLOT_READY;
		pthread_cond_signal(&e->cv_work);
		pthread_mutex_unlock(&e->mu);
	}
	if (s->viewed)
		scan_release(&e->release, s->data, s->own);   /* its overlap is the next chunk's */
	pthread_mutex_lock(&e->mu);
	s->state = SLOT_FREE;
	pthread_mutex_unlock(&e->mu);
	(*next_emit)++;
	return more;
}

/* The bytes of the chunk at addr (left of its region): job->view_chunk where the space
 * shows them in place (*data: the view, taken here), job->chunk where they are copied or
 * the worker is to take the view (*data NULL). */
static size_t
scan_engine_chunk_own(const struct scan_job *job, void *space, uint64_t addr, uint64_t left, size_t overlap,
                      const uint8_t **data)
{
	size_t own = left < job->chunk ? (size_t)left : job->chunk;

	*data = NULL;
	if (job->view != NULL && job->view_chunk > own && left > own) {
		size_t vown = left < job->view_chunk ? (size_t)left : job->view_chunk;
		size_t vsize = left - vown < overlap ? (size_t)left : vown + overlap;

		if (job->view(job->ctx, space, addr, vsize, data) == 0)
			own = vown;
		else
			*data = NULL;
	}
	return own;
}

/* Hand every region to the slots in chunks, in order; false when output stopped (or out of
 * memory). */
static bool
scan_engine_feed(struct scan_engine *e, const struct scan_regions *rl, size_t overlap, uint64_t *seq,
                 uint64_t *next_emit)
{
	const struct scan_job *job = e->job;
	size_t i;

	for (i = 0; i < rl->n; i++) {
		const struct scan_region *rg = &rl->v[i];
		uint64_t addr = rg->start;

		for (;;) {
			uint64_t left = rg->end - addr;   /* end 0: wraps to the distance to the top */
			size_t own, size;
			const uint8_t *view;
			struct scan_slot *s;

			/* a space's regions are consecutive (scan_regions_aspace adds them so): once
			 * it has gone, its other regions are skipped, reported once */
			if (left == 0 || rg->space == e->gone)
				break;
			own = scan_engine_chunk_own(job, rg->space, addr, left, overlap, &view);
			size = left - own < overlap ? (size_t)left : own + overlap;
			s = &e->slots[*seq % e->nslots];
			while (*seq - *next_emit >= e->nslots)
				if (!scan_engine_emit_next(e, next_emit))
					return false;
			s->base = addr;
			s->size = size;
			s->own = own;
			s->space = rg->space;
			s->region_first = addr == rg->start;
			s->region_end = rg->end;
			s->seq = (*seq)++;
			s->scan_from = 0;
			s->fail = 0;
			s->viewed = view != NULL;
			s->data = view;
			pthread_mutex_lock(&e->mu);
			s->state = SLOT_FILL;
			pthread_cond_signal(&e->cv_work);
			pthread_mutex_unlock(&e->mu);
			addr += own;
			if (addr == 0)
				break;                        /* the top of the space */
		}
	}
	return true;
}

static void
scan_engine_stop(struct scan_engine *e, pthread_t *th, size_t nth)
{
	size_t i;

	pthread_mutex_lock(&e->mu);
	e->quit = true;
	pthread_cond_broadcast(&e->cv_work);
	pthread_mutex_unlock(&e->mu);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
}

uint64_t
scan_regions_bytes(const struct scan_regions *l)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < l->n; i++)
		n += l->v[i].end - l->v[i].start;   /* end 0 wraps to the distance to the top */
	return n;
}

int
scan_engine_run(const struct scan_job *job, const struct scan_regions *rg, struct scan_stats *stats, char *errbuf)
{
	size_t overlap = (job->maxlen > job->context ? job->maxlen : job->context) - 1, i, nth = 0;
	struct scan_engine e = { .job = job, .stats = stats };
	uint64_t seq = 0, next_emit = 0;
	pthread_t *th = calloc(job->threads, sizeof *th);
	int r = 0;

	e.nslots = job->threads + 2;
	e.slots = calloc(e.nslots, sizeof *e.slots);
	if (th == NULL || e.slots == NULL)
		goto oom;
	for (i = 0; i < e.nslots; i++)
		if ((e.slots[i].buf = malloc(job->chunk + overlap)) == NULL)
			goto oom;
	pthread_mutex_init(&e.mu, NULL);
	pthread_cond_init(&e.cv_work, NULL);
	pthread_cond_init(&e.cv_done, NULL);
	for (nth = 0; nth < job->threads; nth++)
		if ((r = pthread_create(&th[nth], NULL, scan_engine_worker, &e)) != 0)
			break;
	if (r != 0) {
		scan_engine_stop(&e, th, nth);
		r = mf_error_errno(errbuf, MF_ERR_GENERIC, r, "cannot start a scanning thread");
	} else {
		if (scan_engine_feed(&e, rg, overlap, &seq, &next_emit))
			while (!e.oom && next_emit < seq && scan_engine_emit_next(&e, &next_emit))
				;
		/* slots still being scanned finish before the workers see quit */
		scan_engine_stop(&e, th, nth);
		if (e.oom)
			r = mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	pthread_mutex_destroy(&e.mu);
	pthread_cond_destroy(&e.cv_work);
	pthread_cond_destroy(&e.cv_done);
	goto out;
oom:
	r = mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
out:
	for (i = 0; e.slots != NULL && i < e.nslots; i++) {
		free(e.slots[i].buf);
		free(e.slots[i].segs);
		free(e.slots[i].gaps);
		free(e.slots[i].hits);
	}
	free(e.slots);
	free(th);
	return r;
}
