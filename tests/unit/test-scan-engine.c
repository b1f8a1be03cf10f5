/* test-scan-engine: the scan engine (libcommon/scan/engine.c) over memory: a needle across a
 * chunk boundary is found once with the overlap the engine computes and missed when the
 * overlap is one byte short; unreadable pages are skipped and counted; hits come in address
 * order, also from several threads and when a chunk holds more hits than one pass keeps;
 * --max-hits stops the scan; the context ends at the readable run; a space that went away
 * is reported once, not once per region; all of it again with chunks taken from views
 * (without a copy), of every chunk or of every other one. */
#include "config.h"
#include "scan/engine.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#define MEM_SIZE (4u << 20)
#define CHUNK (64u << 10)

static uint8_t *mem;
static uint64_t bad_page = UINT64_MAX;   /* this page reads as unmapped */

struct got {
	uint64_t *addr;
	size_t n, cap;
	bool ordered;
	size_t last_dlen;
	size_t in_place;              /* hits whose data is mem itself (a view) */
	int fails;
	uint64_t gap_bytes;
};

static int space_tag;                    /* the one space: its address */
static int gone_tag;                     /* a space whose every read fails as a whole */
static int gone_calls;

/* The fill contract of mf_aspace_read_span_into, over mem, a page at a time. */
static int
mem_fill(void *ctx, void *space, uint64_t addr, uint64_t len, uint8_t *buf, mf_span_cb cb, void *cbctx,
         char *errbuf)
{
	uint64_t a = addr;
	int r;

	(void)ctx;
	if (space == &gone_tag) {
		__atomic_fetch_add(&gone_calls, 1, __ATOMIC_RELAXED);
		return mf_error(errbuf, MF_ERR_GONE, "process exited");
	}
	if (space != &space_tag)
		return mf_error(errbuf, MF_ERR_ARG, "wrong space");
	while (a < addr + len) {
		uint64_t k = SCAN_PAGE - a % SCAN_PAGE;
		struct mf_span_piece p = { .addr = a };

		if (k > addr + len - a)
			k = addr + len - a;
		p.len = k;
		if (a >= MEM_SIZE || (bad_page != UINT64_MAX && a >= bad_page && a < bad_page + SCAN_PAGE)) {
			p.err = MF_ERR_UNMAPPED;
		} else {
			memcpy(buf + (a - addr), mem + a, (size_t)k);
			p.data = buf + (a - addr);
		}
		if ((r = cb(cbctx, &p)) != 0)
			return r;
		a += k;
	}
	return 0;
}

/* Views of mem: none (0), of every chunk that holds no bad page (1), or only of those
 * starting in an even CHUNK (2: the others are filled, so a match may run from a view into
 * a filled chunk's overlap and back). */
static int view_mode;
static int view_calls, view_given;

static int
mem_view(void *ctx, void *space, uint64_t addr, uint64_t len, const uint8_t **data)
{
	(void)ctx;
	__atomic_fetch_add(&view_calls, 1, __ATOMIC_RELAXED);
	if (space != &space_tag || addr >= MEM_SIZE || len > MEM_SIZE - addr)
		return MF_ERR_UNSUPPORTED;
	if (bad_page != UINT64_MAX && bad_page < addr + len && addr < bad_page + SCAN_PAGE)
		return MF_ERR_UNSUPPORTED;
	if (view_mode == 2 && (addr / CHUNK) % 2 != 0)
		return MF_ERR_UNSUPPORTED;
	__atomic_fetch_add(&view_given, 1, __ATOMIC_RELAXED);
	*data = mem + addr;
	return 0;
}

static void
mem_fail(void *ctx, void *space, int err, const char *errbuf)
{
	struct got *g = ctx;

	(void)space;
	(void)err;
	(void)errbuf;
	g->fails++;
}

static void
mem_gap(void *ctx, void *space, uint64_t addr, uint64_t len, int err)
{
	struct got *g = ctx;

	(void)space;
	(void)addr;
	(void)err;
	g->gap_bytes += len;
}

static void
mem_emit(void *ctx, const struct scan_match *m)
{
	struct got *g = ctx;

	if (g->n > 0 && g->addr[g->n - 1] >= m->addr)
		g->ordered = false;
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 1024;
		g->addr = realloc(g->addr, g->cap * sizeof *g->addr);
	}
	g->addr[g->n++] = m->addr;
	g->last_dlen = m->dlen;
	if (m->data == mem + m->addr)
		g->in_place++;
}

/* Scan [0, MEM_SIZE) for one pattern; maxlen as given (the caller may lie to the engine). */
static struct got
scan(const struct scan_pat *p, size_t maxlen, size_t context, unsigned threads, uint64_t max_hits, size_t chunk)
{
	struct scan_regions rl = { 0 };
	struct scan_stats stats = { 0 };
	struct got g = { .ordered = true };
	char errbuf[MF_ERRBUF_SIZE];
	struct scan_job job = {
		.pats = p, .npats = 1, .maxlen = maxlen, .context = context, .chunk = chunk, .max_hits = max_hits,
		.threads = threads, .fill = mem_fill, .fail = mem_fail, .gap = mem_gap, .emit = mem_emit, .ctx = &g,
		.view = view_mode != 0 ? mem_view : NULL,
	};

	scan_regions_add(&rl, &space_tag, 0, MEM_SIZE, errbuf);
	ok(scan_engine_run(&job, &rl, &stats, errbuf) == 0, "engine runs (maxlen %zu, %u threads)", maxlen, threads);
	if (g.n != stats.emitted)
		ok(0, "emitted count %llu matches the hits %zu", (unsigned long long)stats.emitted, g.n);
	scan_regions_free(&rl);
	return g;
}

static void
put(uint64_t addr, const char *s)
{
	memcpy(mem + addr, s, strlen(s));
}

static void
test_boundary(void)
{
	struct scan_pat p;
	struct got g;
	char err[256];

	/* "NEEDLE" (6 bytes) starting at the last byte of chunk 1 */
	memset(mem, 0, MEM_SIZE);
	put(2 * CHUNK - 1, "NEEDLE");
	scan_pat_str(&p, "NEEDLE", false, false, err, sizeof err);
	g = scan(&p, p.len, 1, 2, 0, CHUNK);
	is_u64(g.n, 1, "a needle across a chunk boundary is found once (overlap = len - 1)");
	if (g.n == 1)
		is_u64(g.addr[0], 2 * CHUNK - 1, "at its address");
	free(g.addr);
	g = scan(&p, p.len - 1, 1, 2, 0, CHUNK);
	is_u64(g.n, 0, "with the overlap one byte short it is missed: neither chunk holds all of it");
	free(g.addr);
	/* one byte earlier, the short overlap is just enough */
	memset(mem + 2 * CHUNK - 1, 0, 6);
	put(2 * CHUNK - 2, "NEEDLE");
	g = scan(&p, p.len - 1, 1, 2, 0, CHUNK);
	is_u64(g.n, 1, "one byte earlier, the short overlap suffices");
	free(g.addr);
	/* the context, not the pattern, can set the overlap */
	memset(mem + 2 * CHUNK - 2, 0, 6);
	put(2 * CHUNK - 1, "NEEDLE");
	g = scan(&p, 1, 6, 1, 0, CHUNK);
	is_u64(g.n, 1, "a context of 6 gives the overlap a 6-byte match needs");
	is_u64(g.last_dlen, 6, "with its 6 bytes of data");
	free(g.addr);
	/* at the very end of the memory: data holds what there is */
	memset(mem + 2 * CHUNK - 1, 0, 6);
	put(MEM_SIZE - 6, "NEEDLE");
	g = scan(&p, p.len, 16, 3, 0, CHUNK);
	is_u64(g.n, 1, "a needle ending at the end of the region");
	is_u64(g.last_dlen, 6, "its context is clipped to the region");
	free(g.addr);
	memset(mem + MEM_SIZE - 6, 0, 6);
	scan_pat_free(&p);
}

/* A job for one 4-byte pattern, 64 bytes of context, two threads, into g. */
static struct scan_job
job4(const struct scan_pat *p, struct got *g)
{
	return (struct scan_job){
		.pats = p, .npats = 1, .maxlen = 4, .context = 64, .chunk = CHUNK, .threads = 2,
		.fill = mem_fill, .fail = mem_fail, .gap = mem_gap, .emit = mem_emit, .ctx = g,
		.view = view_mode != 0 ? mem_view : NULL,
	};
}

static void
test_gaps(void)
{
	struct scan_pat p;
	struct scan_regions rl = { 0 };
	struct scan_stats stats = { 0 };
	struct got g = { .ordered = true };
	char errbuf[MF_ERRBUF_SIZE], err[256];
	struct scan_job job;

	memset(mem, 0, MEM_SIZE);
	put(0x5000 - 2, "GAP!");       /* across into the bad page */
	put(0x5800, "GAP!");           /* inside it */
	put(0x5000 - 40, "GAP!");      /* before the bad page: the context stops at it */
	bad_page = 0x5000;
	scan_pat_str(&p, "GAP!", false, false, err, sizeof err);
	job = job4(&p, &g);
	scan_regions_add(&rl, &space_tag, 0, 0x100000, errbuf);
	ok(scan_engine_run(&job, &rl, &stats, errbuf) == 0, "engine runs over a bad page");
	is_u64(stats.unreadable, SCAN_PAGE, "one page counted unreadable");
	is_u64(g.gap_bytes, SCAN_PAGE, "and reported as a gap");
	is_u64(stats.bytes, 0x100000, "the whole region counted scanned");
	is_u64(g.n, 1, "only the needle in readable memory is found");
	if (g.n == 1)
		is_u64(g.addr[0], 0x5000 - 40, "the one 40 bytes before the bad page");
	is_u64(g.last_dlen, 40, "its context ends where the readable run does");
	is_int(g.fails, 0, "no whole-call failure");
	bad_page = UINT64_MAX;
	free(g.addr);
	scan_regions_free(&rl);
	scan_pat_free(&p);
}

static void
test_gone(void)
{
	struct got g = { .ordered = true };
	struct scan_stats stats = { 0 };
	char errbuf[MF_ERRBUF_SIZE], err[256];
	struct scan_regions rl = { 0 };
	struct scan_job job;
	struct scan_pat p;
	uint64_t a;

	/* the space that went away has five regions (a process's maps); the next space's
	 * needle is still found */
	memset(mem, 0, MEM_SIZE);
	put(0x3000, "GONE");
	scan_pat_str(&p, "GONE", false, false, err, sizeof err);
	job = job4(&p, &g);
	for (a = 0; a < 5 * 0x20000; a += 0x20000)
		scan_regions_add(&rl, &gone_tag, a, a + 0x10000, errbuf);
	scan_regions_add(&rl, &space_tag, 0, 0x10000, errbuf);
	gone_calls = 0;
	ok(scan_engine_run(&job, &rl, &stats, errbuf) == 0, "engine runs over a space that went away");
	is_int(g.fails, 1, "its failure is reported once");
	/* reads run ahead on every worker: those begun before the first failure are the only
	 * ones that reach the space */
	ok(gone_calls >= 1 && gone_calls <= (int)job.threads, "and its other regions are not read (%d reads)",
	   gone_calls);
	is_u64(g.n, 1, "the next space is scanned");
	is_u64(stats.bytes, 0x10000, "only the next space counted scanned");
	free(g.addr);
	scan_regions_free(&rl);
	scan_pat_free(&p);
}

static void
test_many(void)
{
	struct scan_pat p;
	struct got g;
	char err[256];
	size_t i;
	bool all = true;

	/* every 4 KiB in 4 MiB: 1024 hits, scanned by 4 threads in small chunks */
	memset(mem, 0, MEM_SIZE);
	for (i = 0; i < MEM_SIZE / 4096; i++)
		put(i * 4096 + 100, "MFHIT");
	scan_pat_str(&p, "MFHIT", false, false, err, sizeof err);
	g = scan(&p, p.len, 16, 4, 0, 16384);
	is_u64(g.n, MEM_SIZE / 4096, "every needle found with 4 threads");
	ok(g.ordered, "in address order");
	for (i = 0; i < g.n && i < MEM_SIZE / 4096; i++)
		if (g.addr[i] != i * 4096 + 100)
			all = false;
	ok(all, "each at its address");
	free(g.addr);
	g = scan(&p, p.len, 16, 4, 10, 16384);
	is_u64(g.n, 10, "--max-hits 10 stops at 10");
	ok(g.n == 10 && g.addr[9] == 9 * 4096 + 100, "the first ten");
	free(g.addr);
	scan_pat_free(&p);

	/* more hits in one chunk than a pass holds: the chunk is emitted in parts */
	memset(mem, 'A', (size_t)SCAN_CHUNK_HITS_MAX + 4096);
	scan_pat_str(&p, "A", false, false, err, sizeof err);
	g = scan(&p, 1, 1, 2, 0, 2u << 20);
	ok(g.n >= (size_t)SCAN_CHUNK_HITS_MAX + 4096, "more than %u hits in one chunk are all emitted (%zu)",
	   SCAN_CHUNK_HITS_MAX, g.n);
	ok(g.ordered, "in order, each once");
	free(g.addr);
	scan_pat_free(&p);
}

static void
test_regions(void)
{
	struct scan_regions rl = { 0 };
	char errbuf[MF_ERRBUF_SIZE];
	int other;

	scan_regions_add(&rl, &space_tag, 0x1000, 0x2000, errbuf);
	scan_regions_add(&rl, &space_tag, 0x2000, 0x3000, errbuf);
	is_u64(rl.n, 1, "adjacent ranges of one space merge");
	is_u64(rl.v[0].end, 0x3000, "to one region");
	scan_regions_add(&rl, &other, 0x3000, 0x4000, errbuf);
	is_u64(rl.n, 2, "another space does not merge");
	scan_regions_add(&rl, &other, 0x5000, 0x5000, errbuf);
	is_u64(rl.n, 2, "an empty range is ignored");
	scan_regions_add(&rl, &other, 0xfffffffffffff000ull, 0, errbuf);
	is_u64(rl.n, 3, "a range to the top of the space (end 0)");
	scan_regions_free(&rl);
}

/* The same with views: of every chunk, then of every other one (the rest filled); a hit in
 * a viewed chunk hands out the space's own bytes. */
static void
test_views(void)
{
	struct scan_pat p;
	struct got g;
	char err[256];

	for (view_mode = 1; view_mode <= 2; view_mode++) {
		printf("# views of %s\n", view_mode == 1 ? "every chunk" : "every other chunk");
		view_calls = view_given = 0;
		test_boundary();
		test_gaps();
		test_gone();
		test_many();
		ok(view_given > 0 && (view_mode == 1 || view_given < view_calls), "views were taken (%d of %d asked)",
		   view_given, view_calls);
	}
	memset(mem, 0, MEM_SIZE);
	put(2 * CHUNK + 7, "INPLACE");
	put(3 * CHUNK + 7, "INPLACE");
	scan_pat_str(&p, "INPLACE", false, false, err, sizeof err);
	view_mode = 2;
	g = scan(&p, p.len, 16, 2, 0, CHUNK);
	ok(g.n == 2 && g.addr[0] == 2 * CHUNK + 7 && g.addr[1] == 3 * CHUNK + 7, "both needles found");
	is_u64(g.in_place, 1, "the one in a viewed chunk carries the space's own bytes, the other a copy");
	view_mode = 0;
	free(g.addr);
	scan_pat_free(&p);
}

int
main(void)
{
	if ((mem = malloc(MEM_SIZE)) == NULL)
		return 1;
	test_boundary();
	test_gaps();
	test_gone();
	test_many();
	test_regions();
	test_views();
	free(mem);
	return done_testing();
}
