/* test-pluginlib-bitmap.c: page bitmaps with a rank index (pluginlib/bitmap.c) and their
 * runs as range-map segments, checked against a bit-by-bit count. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pluginlib/bitmap.h"
#include "tap.h"

static int
bit_of(const uint8_t *b, uint64_t i)
{
	return b[i / 8] >> (i % 8) & 1;
}

static void
test_small(void)
{
	static const uint8_t b[] = { 0x0f, 0x00, 0xff, 0x81, 0xff, 0xff, 0xff, 0xff, 0x01 };
	struct bitmap bm;

	is_int(bitmap_init(&bm, b, 65), 0, "init 65 bits");
	is_u64(bm.nblk, 1, "one block");
	is_u64(bm.total, 4 + 8 + 2 + 32 + 1, "set bits");
	ok(bitmap_test(&bm, 0) && bitmap_test(&bm, 3) && !bitmap_test(&bm, 4), "bits 0-3 set, 4 clear");
	ok(bitmap_test(&bm, 64) && !bitmap_test(&bm, 65) && !bitmap_test(&bm, UINT64_MAX), "bit 64 set, past nbits clear");
	is_u64(bitmap_rank(&bm, 16), 4, "rank of bit 16");
	is_u64(bitmap_rank(&bm, 31), 4 + 8 + 1, "rank of bit 31");
	is_u64(bitmap_rank(&bm, 64), 4 + 8 + 2 + 32, "rank of bit 64 (second word)");
	bitmap_free(&bm);
	ok(bm.blk == NULL && bm.nblk == 0 && bm.nbits == 0, "free zeroes it");

	is_int(bitmap_init(&bm, b, 4), 0, "init 4 bits of 0x0f");
	is_u64(bm.total, 4, "bits past nbits in the last byte are dropped");
	bitmap_free(&bm);
	is_int(bitmap_init(&bm, b, 2), 0, "init 2 bits");
	is_u64(bm.total, 2, "... two set");
	bitmap_free(&bm);
	is_int(bitmap_init(&bm, NULL, 0), 0, "an empty bitmap");
	ok(!bitmap_test(&bm, 0) && bm.total == 0, "... has no bits");
	bitmap_free(&bm);
}

static void
test_random(void)
{
	enum { NBITS = 50000 };
	uint8_t *b = malloc(NBITS / 8 + 1);
	struct bitmap bm;
	uint64_t rank = 0;
	int wrong_test = 0, wrong_rank = 0;

	srand(7);
	for (size_t i = 0; i < NBITS / 8 + 1; i++) {   /* runs of ones and zeros */
		int r = rand() % 4;

		b[i] = r == 0 ? 0 : r == 1 ? 0xff : (uint8_t)rand();
	}
	is_int(bitmap_init(&bm, b, NBITS), 0, "init 50000 bits");
	for (uint64_t i = 0; i < NBITS; i++) {
		wrong_test += bitmap_test(&bm, i) != bit_of(b, i);
		if (bit_of(b, i))
			wrong_rank += bitmap_rank(&bm, i) != rank++;
	}
	is_int(wrong_test, 0, "every bit as in the bytes");
	is_int(wrong_rank, 0, "every set bit's rank is its index among the set bits");
	is_u64(bm.total, rank, "total");

	{   /* runs: every set bit below the limits in exactly one segment, in order */
		struct rmap m = { 0 };
		uint64_t limit_bits = 40000, limit_rank = rank / 2, covered = 0, want = 0, r = 0;
		int wrong = 0;
		size_t bad;

		is_int(bitmap_add_runs(&bm, limit_bits, limit_rank, 4096, &m, 5), 0, "add the runs");
		is_int(rmap_finish(&m, 0, &bad), 0, "they are sorted and disjoint");
		for (uint64_t i = 0; i < limit_bits; i++) {
			int set = bit_of(b, i) && r < limit_rank;
			ptrdiff_t s = rmap_find(&m, i * 4096);

			if (bit_of(b, i))
				r++;
			want += set;
			wrong += set != (s >= 0);
			if (s >= 0 && set)
				wrong += m.seg[s].kind != 5 || m.seg[s].off + (i - m.seg[s].base / 4096) != bitmap_rank(&bm, i);
		}
		for (size_t i = 0; i < m.n; i++) {
			covered += m.seg[i].size / 4096;
			if (i > 0)
				wrong += m.seg[i].base == m.seg[i - 1].base + m.seg[i - 1].size;   /* runs are maximal */
		}
		is_int(wrong, 0, "segments hold exactly the set bits below the limits, off = rank");
		is_u64(covered, want, "their pages add up");
		is_u64(m.nranges, m.n, "maximal runs: nothing to merge");
		rmap_free(&m);
	}
	{
		struct rmap m = { .max = 2 };

		is_int(bitmap_add_runs(&bm, NBITS, UINT64_MAX, 1, &m, 1), MF_ERR_LIMIT, "the map's cap stops the runs");
		rmap_free(&m);
	}
	bitmap_free(&bm);
	free(b);
}

static void
test_full_words(void)
{
	uint8_t b[32];
	struct bitmap bm;
	struct rmap m = { 0 };

	memset(b, 0xff, sizeof b);
	bitmap_init(&bm, b, 256);
	is_int(bitmap_add_runs(&bm, 256, UINT64_MAX, 8, &m, 1), 0, "runs of an all-ones bitmap");
	ok(m.n == 1 && m.seg[0].base == 0 && m.seg[0].size == 256 * 8 && m.seg[0].off == 0, "one run of 256 bits");
	rmap_free(&m);
	is_int(bitmap_add_runs(&bm, 256, 100, 8, &m, 1), 0, "runs with a rank limit inside a full word");
	ok(m.n == 1 && m.seg[0].size == 100 * 8, "... stop at rank 100");
	rmap_free(&m);
	is_int(bitmap_add_runs(&bm, 70, UINT64_MAX, 8, &m, 1), 0, "runs with a bit limit");
	ok(m.n == 1 && m.seg[0].size == 70 * 8, "... stop at bit 70");
	rmap_free(&m);
	bitmap_free(&bm);
}

int
main(void)
{
	test_small();
	test_random();
	test_full_words();
	return done_testing();
}
