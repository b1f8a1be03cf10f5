/* bitmap.c: sparse page bitmaps with a rank index; their runs as range-map segments. */
#include "pluginlib/bitmap.h"

#include <stdlib.h>
#include <string.h>

#include "pluginlib/checked.h"

#define BITMAP_LOAD_CHUNK ((uint64_t)1 << 16)   /* bytes read per call (whole blocks) */

/* Append the block of bytes[0, len) (len <= BITMAP_BLOCK_BYTES) as block `index` when a
 * bit below nbits is set in it. */
static int
bitmap_add_block(struct bitmap *bm, uint64_t index, const uint8_t *bytes, uint64_t len, uint64_t nbits)
{
	struct bitmap_block *b;
	uint64_t first = index * BITMAP_BLOCK_BITS, acc = 0;
	uint64_t w[BITMAP_BLOCK_WORDS];

	memset(w, 0, sizeof w);
	for (uint64_t i = 0; i < len; i++)
		w[i / 8] |= (uint64_t)bytes[i] << (8 * (i % 8));
	for (unsigned i = 0; i < BITMAP_BLOCK_WORDS; i++) {
		uint64_t lo = first + 64 * (uint64_t)i;

		if (lo >= nbits)
			w[i] = 0;
		else if (nbits - lo < 64)
			w[i] &= (UINT64_C(1) << (nbits - lo)) - 1;
		acc |= w[i];
	}
	if (acc == 0)
		return 0;
	if (bm->nblk == bm->cap) {
		uint64_t nc = bm->cap ? bm->cap * 2 : 16;
		struct bitmap_block *nb = realloc(bm->blk, (size_t)nc * sizeof *nb);

		if (nb == NULL)
			return MF_ERR_NOMEM;
		bm->blk = nb;
		bm->cap = nc;
	}
	b = &bm->blk[bm->nblk++];
	b->index = index;
	b->rank = bm->total;
	acc = 0;
	for (unsigned i = 0; i < BITMAP_BLOCK_WORDS; i++) {
		b->words[i] = w[i];
		b->wrank[i] = (uint16_t)acc;
		acc += (uint64_t)__builtin_popcountll(w[i]);
	}
	bm->total += acc;
	return bm->total > UINT32_MAX ? MF_ERR_LIMIT : 0;
}

static int64_t
bitmap_mem_read(void *ctx, void *buf, uint64_t len, uint64_t off)
{
	memcpy(buf, (const uint8_t *)ctx + off, (size_t)len);
	return (int64_t)len;
}

int
bitmap_init(struct bitmap *bm, const uint8_t *bytes, uint64_t nbits)
{
	struct bitmap_src src = { .ctx = (void *)(uintptr_t)bytes, .read = bitmap_mem_read };

	return bitmap_load(bm, &src, nbits);
}

int
bitmap_load(struct bitmap *bm, const struct bitmap_src *src, uint64_t nbits)
{
	uint64_t nbytes = nbits / 8 + (nbits % 8 != 0), pos = 0;
	uint8_t *buf;
	int rc = 0;

	memset(bm, 0, sizeof *bm);
	bm->nbits = nbits;
	if (nbytes == 0)
		return 0;
	if ((buf = malloc(BITMAP_LOAD_CHUNK)) == NULL)
		return MF_ERR_NOMEM;
	while (pos < nbytes && rc == 0) {
		uint64_t want, done;
		int64_t got;

		if (src->next_data != NULL) {
			uint64_t d = src->next_data(src->ctx, src->off + pos);

			if (d == UINT64_MAX || d - src->off >= nbytes)
				break;   /* the rest is a hole: zeros */
			if (d > src->off + pos)
				pos = (d - src->off) / BITMAP_BLOCK_BYTES * BITMAP_BLOCK_BYTES;
		}
		want = nbytes - pos < BITMAP_LOAD_CHUNK ? nbytes - pos : BITMAP_LOAD_CHUNK;
		got = src->read(src->ctx, buf, want, src->off + pos);
		if (got < 0 || (uint64_t)got < want) {
			rc = MF_ERR_IO;
			break;
		}
		for (done = 0; done < want && rc == 0; done += BITMAP_BLOCK_BYTES) {
			uint64_t k = want - done < BITMAP_BLOCK_BYTES ? want - done : BITMAP_BLOCK_BYTES;

			rc = bitmap_add_block(bm, (pos + done) / BITMAP_BLOCK_BYTES, buf + done, k, nbits);
		}
		pos += want;
	}
	free(buf);
	if (rc < 0)
		bitmap_free(bm);
	return rc;
}

void
bitmap_free(struct bitmap *bm)
{
	free(bm->blk);
	memset(bm, 0, sizeof *bm);
}

/* The first block whose index is >= index (nblk when none). */
static uint64_t
bitmap_find(const struct bitmap *bm, uint64_t index)
{
	uint64_t lo = 0, hi = bm->nblk;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (bm->blk[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
bitmap_test(const struct bitmap *bm, uint64_t bit)
{
	uint64_t i;
	const struct bitmap_block *b;

	if (bit >= bm->nbits)
		return 0;
	i = bitmap_find(bm, bit / BITMAP_BLOCK_BITS);
	if (i == bm->nblk || bm->blk[i].index != bit / BITMAP_BLOCK_BITS)
		return 0;
	b = &bm->blk[i];
	return (int)(b->words[bit % BITMAP_BLOCK_BITS / 64] >> (bit % 64) & 1);
}

/* Rank of `bit` within block b (bit in b). */
static uint64_t
bitmap_block_rank(const struct bitmap_block *b, uint64_t bit)
{
	unsigned wi = (unsigned)(bit % BITMAP_BLOCK_BITS / 64);
	uint64_t w = b->words[wi];
	uint64_t below = bit % 64 ? w & ((UINT64_C(1) << (bit % 64)) - 1) : 0;

	return b->rank + b->wrank[wi] + (uint64_t)__builtin_popcountll(below);
}

uint64_t
bitmap_rank(const struct bitmap *bm, uint64_t bit)
{
	uint64_t i = bitmap_find(bm, bit / BITMAP_BLOCK_BITS);

	if (i == bm->nblk)
		return bm->total;
	if (bm->blk[i].index != bit / BITMAP_BLOCK_BITS)
		return bm->blk[i].rank;
	return bitmap_block_rank(&bm->blk[i], bit);
}

struct bitmap_runs {
	struct rmap *m;
	uint64_t unit;
	uint32_t kind;
	int in_run;
	uint64_t start, rank;
};

static int
bitmap_run_end(struct bitmap_runs *r, uint64_t end)
{
	uint64_t base, size;

	if (!r->in_run)
		return 0;
	r->in_run = 0;
	if (!mul_ok(r->start, r->unit, &base) || !mul_ok(end - r->start, r->unit, &size) || !add_ok(base, size, &(uint64_t){ 0 }))
		return MF_ERR_RANGE;
	return rmap_add(r->m, base, size, r->rank, r->kind, 0);
}

int
bitmap_add_runs(const struct bitmap *bm, uint64_t limit_bits, uint64_t limit_rank, uint64_t unit,
                struct rmap *m, uint32_t kind)
{
	struct bitmap_runs r = { .m = m, .unit = unit, .kind = kind };
	uint64_t nbits = limit_bits < bm->nbits ? limit_bits : bm->nbits, next = 0;
	int rc;

	for (uint64_t k = 0; k < bm->nblk; k++) {
		const struct bitmap_block *b = &bm->blk[k];
		uint64_t first = b->index * BITMAP_BLOCK_BITS;

		if (first >= nbits || b->rank >= limit_rank)
			break;
		if (r.in_run && first != next && (rc = bitmap_run_end(&r, next)) < 0)
			return rc;
		for (unsigned wi = 0; wi < BITMAP_BLOCK_WORDS; wi++) {
			uint64_t w = b->words[wi], wbit = first + 64 * (uint64_t)wi;

			if (wbit >= nbits)
				break;
			if ((w == 0 && !r.in_run) ||
			    (w == UINT64_MAX && r.in_run && b->rank + b->wrank[wi] + 64 <= limit_rank && wbit + 64 <= nbits))
				continue;
			for (unsigned i = 0; i < 64; i++) {
				uint64_t bit = wbit + i;
				int set = bit < nbits && (w >> i & 1) && b->rank + b->wrank[wi] +
				          (uint64_t)__builtin_popcountll(i ? w & ((UINT64_C(1) << i) - 1) : 0) < limit_rank;

				if (set && !r.in_run) {
					r.in_run = 1;
					r.start = bit;
					r.rank = bitmap_block_rank(b, bit);
				} else if (!set && r.in_run && (rc = bitmap_run_end(&r, bit)) < 0) {
					return rc;
				}
			}
		}
		next = first + BITMAP_BLOCK_BITS;
	}
	if (r.in_run)
		return bitmap_run_end(&r, next < nbits ? next : nbits);
	return 0;
}
