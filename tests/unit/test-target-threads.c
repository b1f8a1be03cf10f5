/* test-target-threads.c: one target used from several threads at once.  Page tables in
 * the pattern connector's memory map 512 pages of virtual memory to scattered physical
 * pages; threads read them through address spaces of their own and through mf_virt_read,
 * and one walks the page map meanwhile: every byte must be the one its physical page holds
 * (translators are per call, never shared between threads).  Run under ASan here; the same
 * program runs under TSan in a -fsanitize=thread build. */
#include "config.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mftools/mf.h>
#include "tap.h"

#define TT_FLAGS 0x7u             /* present, writable, user */
#define TT_VA 0x400000ull         /* the mapped pages: TT_VA + i * 4096, i < 512 */
#define TT_PAGES 512u
#define TT_THREADS 4
#define TT_ROUNDS 200
#define TT_BATCH 16

static struct mf_target *tt_target;
static const struct mf_aspace_id tt_id = { .kind = MF_ASPACE_DTB, .sp = { .arch = MF_ARCH_X86_64, .root = 0x1000 } };

/* The physical page of virtual page i: a permutation over [0x100000, 0x300000). */
static uint64_t
tt_pa(unsigned i)
{
	return 0x100000 + (uint64_t)((i * 37u + 11u) % TT_PAGES) * 4096;
}

static unsigned char
tt_byte(uint64_t pa)
{
	return (unsigned char)(pa * 7 + (pa >> 12));   /* the pattern connector's formula */
}

static int
tt_write(uint64_t addr, const uint8_t *p)
{
	struct mf_iov iov = { .addr = addr, .buf = (void *)p, .len = 4096 };
	char err[MF_ERRBUF_SIZE];

	return mf_phys_write(tt_target, &iov, 1, err) == 0 ? iov.err : -1;
}

static void
tt_put64(uint8_t *page, unsigned index, uint64_t v)
{
	unsigned i;

	for (i = 0; i < 8; i++)
		page[index * 8 + i] = (uint8_t)(v >> (8 * i));
}

/* PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000 (the 512 pages at TT_VA). */
static int
tt_tables(void)
{
	uint8_t page[4096];
	unsigned i;
	int r = 0;

	memset(page, 0, sizeof page);
	tt_put64(page, 0, 0x2000 | TT_FLAGS);
	r |= tt_write(0x1000, page);
	memset(page, 0, sizeof page);
	tt_put64(page, 0, 0x3000 | TT_FLAGS);
	r |= tt_write(0x2000, page);
	memset(page, 0, sizeof page);
	tt_put64(page, 2, 0x4000 | TT_FLAGS);
	r |= tt_write(0x3000, page);
	memset(page, 0, sizeof page);
	for (i = 0; i < TT_PAGES; i++)
		tt_put64(page, i, tt_pa(i) | TT_FLAGS);
	r |= tt_write(0x4000, page);
	return r;
}

struct tt_worker {
	unsigned seed;
	unsigned long bad;            /* wrong bytes or failed entries */
	unsigned long calls_failed;
	pthread_t th;
};

/* Is the n-byte read of va what the pages hold? */
static bool
tt_check(uint64_t va, const uint8_t *p, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++) {
		uint64_t v = va + k;

		if (p[k] != tt_byte(tt_pa((unsigned)((v - TT_VA) / 4096)) + v % 4096))
			return false;
	}
	return true;
}

static void *
tt_reader(void *arg)
{
	struct tt_worker *w = arg;
	uint8_t buf[TT_BATCH][64];
	struct mf_aspace *as;
	char err[MF_ERRBUF_SIZE];
	unsigned x = w->seed * 2654435761u + 1, round, k;

	if (mf_aspace_open(tt_target, &tt_id, &as, err) < 0) {
		w->calls_failed++;
		return NULL;
	}
	for (round = 0; round < TT_ROUNDS; round++) {
		struct mf_iov iov[TT_BATCH];
		int r;

		for (k = 0; k < TT_BATCH; k++) {
			x = x * 1103515245u + 12345u;
			iov[k] = (struct mf_iov){ .addr = TT_VA + (uint64_t)((x >> 8) % TT_PAGES) * 4096 + (x >> 24) % 4000,
			                          .buf = buf[k], .len = 64 };
		}
		/* half through the space, half through the target */
		r = round % 2 ? mf_aspace_read(as, iov, TT_BATCH, err) : mf_virt_read(tt_target, &tt_id.sp, iov, TT_BATCH, err);
		if (r < 0) {
			w->calls_failed++;
			continue;
		}
		for (k = 0; k < TT_BATCH; k++)
			if (iov[k].err != 0 || !tt_check(iov[k].addr, buf[k], 64))
				w->bad++;
	}
	mf_aspace_close(as);
	return NULL;
}

struct tt_map {
	unsigned long regions, runs;
	bool ok;
};

static int
tt_region_cb(void *ctx, const struct mf_region *r)
{
	struct tt_map *m = ctx;

	m->regions++;
	m->ok = m->ok && r->start == TT_VA && r->end == TT_VA + TT_PAGES * 4096ull;
	return 0;
}

/* The page map of the space, again and again, while the readers run. */
static void *
tt_mapper(void *arg)
{
	struct tt_map *m = arg;
	struct mf_aspace *as;
	char err[MF_ERRBUF_SIZE];
	unsigned i;

	m->ok = mf_aspace_open(tt_target, &tt_id, &as, err) == 0;
	if (!m->ok)
		return NULL;
	for (i = 0; i < 20 && m->ok; i++) {
		unsigned long before = m->regions;

		m->ok = mf_aspace_regions(as, tt_region_cb, m, err) == 0 && m->regions == before + 1;
		m->runs++;
	}
	mf_aspace_close(as);
	return NULL;
}

int
main(void)
{
	const char *top = getenv("MF_TOP_BUILDDIR");
	struct tt_worker w[TT_THREADS];
	struct tt_map map = { 0 };
	pthread_t mth;
	char dir[4096], err[MF_ERRBUF_SIZE];
	unsigned long bad = 0, failed = 0;
	unsigned i, started = 0;
	bool mstarted;

	snprintf(dir, sizeof dir, "%s/tests/unit/.libs", top ? top : ".");
	setenv("MF_PLUGIN_PATH", dir, 1);
	if (!ok(mf_target_open("pattern:ranges=0-0x400000", NULL, MF_TARGET_WRITE, &tt_target, err) == 0,
	        "open the pattern connector")) {
		diag(err);
		return done_testing();
	}
	ok(tt_tables() == 0, "page tables written: 512 pages at 0x400000, scattered");

	memset(w, 0, sizeof w);
	for (i = 0; i < TT_THREADS; i++) {
		w[i].seed = i;
		if (pthread_create(&w[i].th, NULL, tt_reader, &w[i]) == 0)
			started++;
	}
	mstarted = pthread_create(&mth, NULL, tt_mapper, &map) == 0;
	for (i = 0; i < started; i++) {
		pthread_join(w[i].th, NULL);
		bad += w[i].bad;
		failed += w[i].calls_failed;
	}
	if (mstarted)
		pthread_join(mth, NULL);
	is_int((int)started, TT_THREADS, "4 reader threads started");
	ok(mstarted, "a page-map thread started");
	is_int((int)failed, 0, "no read call failed as a whole");
	is_int((int)bad, 0, "every byte of 12800 reads of 64 bytes is its physical page's, from 4 threads at once");
	ok(map.ok && map.runs == 20, "20 page maps meanwhile: one region 0x400000-0x600000 each time");

	/* the same target from this thread afterwards: the translators were given back */
	{
		uint8_t b[8];
		struct mf_iov iov = { .addr = TT_VA + 5 * 4096 + 3, .buf = b, .len = sizeof b };

		ok(mf_virt_read(tt_target, &tt_id.sp, &iov, 1, err) == 0 && iov.err == 0 && tt_check(iov.addr, b, sizeof b),
		   "a read after the threads");
	}
	mf_target_close(tt_target);
	return done_testing();
}
