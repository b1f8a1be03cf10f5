/* bitmap.c: page bitmaps with a rank index; their runs as range-map segments. */
#include "pluginlib/bitmap.h"

#include <stdlib.h>
#include <string.h>

int
bitmap_init(struct bitmap *bm, const uint8_t *bytes, uint64_t nbits)
{
	uint64_t nw = (nbits + 63) / 64, nbytes = (nbits + 7) / 8, acc = 0;

	memset(bm, 0, sizeof *bm);
	bm->words = calloc(nw ? nw : 1, sizeof(uint64_t));
	bm->rank = calloc(nw ? nw : 1, sizeof(uint32_t));
	if (bm->words == NULL || bm->rank == NULL) {
		bitmap_free(bm);
		return MF_ERR_NOMEM;
	}
	for (uint64_t i = 0; i < nw; i++) {
		uint64_t w = 0, base = i * 8;

		for (int b = 0; b < 8 && base + (uint64_t)b < nbytes; b++)
			w |= (uint64_t)bytes[base + (uint64_t)b] << (8 * b);
		if (i == nw - 1 && nbits % 64)
			w &= (UINT64_C(1) << (nbits % 64)) - 1;
		bm->words[i] = w;
		bm->rank[i] = (uint32_t)acc;
		acc += (uint64_t)__builtin_popcountll(w);
		if (acc > UINT32_MAX) {
			bitmap_free(bm);
			return MF_ERR_LIMIT;
		}
	}
	bm->nbits = nbits;
	bm->nwords = nw;
	bm->total = acc;
	return 0;
}

void
bitmap_free(struct bitmap *bm)
{
	free(bm->words);
	free(bm->rank);
	memset(bm, 0, sizeof *bm);
}

int
bitmap_test(const struct bitmap *bm, uint64_t bit)
{
	return bit < bm->nbits && (bm->words[bit / 64] >> (bit % 64) & 1);
}

uint64_t
bitmap_rank(const struct bitmap *bm, uint64_t bit)
{
	uint64_t w = bm->words[bit / 64];
	uint64_t below = bit % 64 ? w & ((UINT64_C(1) << (bit % 64)) - 1) : 0;

	return bm->rank[bit / 64] + (uint64_t)__builtin_popcountll(below);
}

int
bitmap_add_runs(const struct bitmap *bm, uint64_t limit_bits, uint64_t limit_rank, uint64_t unit,
                struct rmap *m, uint32_t kind)
{
	uint64_t run_start = 0, run_rank = 0, in_run = 0;
	uint64_t nbits = limit_bits < bm->nbits ? limit_bits : bm->nbits;
	int rc;

	for (uint64_t i = 0; i < bm->nwords && i * 64 < nbits; i++) {
		uint64_t w = bm->words[i];

		if ((w == 0 && !in_run) ||
		    (w == UINT64_MAX && in_run && bm->rank[i] + 64 <= limit_rank && (i + 1) * 64 <= nbits))
			continue;
		for (uint64_t b = 0; b < 64; b++) {
			uint64_t bit = i * 64 + b;
			int set = bit < nbits && (w >> b & 1) && bitmap_rank(bm, bit) < limit_rank;

			if (set && !in_run) {
				run_start = bit;
				run_rank = bitmap_rank(bm, bit);
				in_run = 1;
			} else if (!set && in_run) {
				rc = rmap_add(m, run_start * unit, (bit - run_start) * unit, run_rank, kind, 0);
				if (rc < 0)
					return rc;
				in_run = 0;
			}
		}
	}
	if (in_run)
		return rmap_add(m, run_start * unit, (nbits - run_start) * unit, run_rank, kind, 0);
	return 0;
}
