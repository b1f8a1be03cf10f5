/* dumps-util.h: helpers shared by the kdump, crashdump and vmware connectors
 * (header-only, all static inline; not installed). */
#ifndef MF_CONNECTORS_DUMPS_UTIL_H
#define MF_CONNECTORS_DUMPS_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <mftools/plugin.h>
#include "fileio.h"

static inline uint16_t
du_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t
du_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t
du_le64(const uint8_t *p)
{
	return (uint64_t)du_le32(p) | (uint64_t)du_le32(p + 4) << 32;
}

static inline uint64_t
du_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* A bitmap over page frame numbers with a rank index: the number of set bits before
 * each 64-bit word, so "index of pfn among the present pages" costs one popcount. */
struct du_bitmap {
	uint64_t *words;     /* nbits rounded up to whole words; bits past nbits are clear */
	uint32_t *rank;      /* rank[i] = set bits in words[0..i-1] */
	uint64_t nbits;
	uint64_t nwords;
	uint64_t total;      /* set bits */
};

/* Take ownership of `bytes` bytes of bitmap data (LSB first), keeping the first nbits.
 * Returns 0, MF_ERR_NOMEM, or MF_ERR_LIMIT when more than 2^32-1 bits are set. */
static inline int
du_bitmap_init(struct du_bitmap *bm, const uint8_t *bytes, uint64_t nbits)
{
	uint64_t nw = (nbits + 63) / 64, acc = 0;

	memset(bm, 0, sizeof *bm);
	bm->words = calloc(nw ? nw : 1, sizeof(uint64_t));
	bm->rank = calloc(nw ? nw : 1, sizeof(uint32_t));
	if (bm->words == NULL || bm->rank == NULL) {
		free(bm->words);
		free(bm->rank);
		bm->words = NULL;
		bm->rank = NULL;
		return MF_ERR_NOMEM;
	}
	for (uint64_t i = 0; i < nw; i++) {
		uint64_t w = 0;
		uint64_t base = i * 8;
		uint64_t nbytes = (nbits + 7) / 8;

		for (int b = 0; b < 8 && base + (uint64_t)b < nbytes; b++)
			w |= (uint64_t)bytes[base + (uint64_t)b] << (8 * b);
		if (i == nw - 1 && nbits % 64)
			w &= (UINT64_C(1) << (nbits % 64)) - 1;
		bm->words[i] = w;
		bm->rank[i] = (uint32_t)acc;
		acc += (uint64_t)__builtin_popcountll(w);
		if (acc > UINT32_MAX) {
			free(bm->words);
			free(bm->rank);
			bm->words = NULL;
			bm->rank = NULL;
			return MF_ERR_LIMIT;
		}
	}
	bm->nbits = nbits;
	bm->nwords = nw;
	bm->total = acc;
	return 0;
}

static inline void
du_bitmap_free(struct du_bitmap *bm)
{
	free(bm->words);
	free(bm->rank);
	memset(bm, 0, sizeof *bm);
}

static inline int
du_bitmap_test(const struct du_bitmap *bm, uint64_t bit)
{
	return bit < bm->nbits && (bm->words[bit / 64] >> (bit % 64) & 1);
}

/* Index of `bit` among the set bits (only meaningful when the bit is set). */
static inline uint64_t
du_bitmap_rank(const struct du_bitmap *bm, uint64_t bit)
{
	uint64_t w = bm->words[bit / 64];
	uint64_t below = bit % 64 ? w & ((UINT64_C(1) << (bit % 64)) - 1) : 0;

	return bm->rank[bit / 64] + (uint64_t)__builtin_popcountll(below);
}

/* A growing array of sorted ranges; adjacent additions merge. */
struct du_ranges {
	struct mf_range *v;
	size_t n, cap;
};

#define DU_RANGES_MAX ((size_t)1 << 26)

/* Append [base, base+size); must not start below the end of the last range.
 * Returns 0, MF_ERR_NOMEM, or MF_ERR_LIMIT past DU_RANGES_MAX ranges. */
static inline int
du_ranges_add(struct du_ranges *r, uint64_t base, uint64_t size)
{
	if (size == 0)
		return 0;
	if (r->n && r->v[r->n - 1].base + r->v[r->n - 1].size == base) {
		r->v[r->n - 1].size += size;
		return 0;
	}
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 16;
		struct mf_range *nv;

		if (r->n >= DU_RANGES_MAX)
			return MF_ERR_LIMIT;
		nv = realloc(r->v, nc * sizeof *nv);
		if (nv == NULL)
			return MF_ERR_NOMEM;
		r->v = nv;
		r->cap = nc;
	}
	r->v[r->n].base = base;
	r->v[r->n].size = size;
	r->n++;
	return 0;
}

/* Ranges of the set bits below `limit_bits` whose rank is below `limit_rank`, each bit
 * standing for `unit` bytes. */
static inline int
du_ranges_from_bitmap(struct du_ranges *r, const struct du_bitmap *bm, uint64_t limit_bits,
                      uint64_t limit_rank, uint64_t unit)
{
	uint64_t run_start = 0, in_run = 0;
	uint64_t nbits = limit_bits < bm->nbits ? limit_bits : bm->nbits;
	int rc;

	for (uint64_t i = 0; i < bm->nwords && i * 64 < nbits; i++) {
		uint64_t w = bm->words[i];

		if ((w == 0 && !in_run) || (w == UINT64_MAX && in_run && bm->rank[i] + 64 <= limit_rank &&
		                            (i + 1) * 64 <= nbits))
			continue;
		for (uint64_t b = 0; b < 64; b++) {
			uint64_t bit = i * 64 + b;
			int set = bit < nbits && (w >> b & 1) && du_bitmap_rank(bm, bit) < limit_rank;

			if (set && !in_run) {
				run_start = bit;
				in_run = 1;
			} else if (!set && in_run) {
				rc = du_ranges_add(r, run_start * unit, (bit - run_start) * unit);
				if (rc < 0)
					return rc;
				in_run = 0;
			}
		}
	}
	if (in_run) {
		uint64_t end = nbits;

		rc = du_ranges_add(r, run_start * unit, (end - run_start) * unit);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Read one piece of page data at file offset off: 0, MF_ERR_UNMAPPED when the file is cut
 * short before it (a truncated dump), or MF_ERR_IO. */
static inline int
du_pread_piece(int fd, uint64_t fsize, void *buf, uint64_t len, uint64_t off)
{
	int64_t got;

	if (off >= fsize || len > fsize - off)
		return MF_ERR_UNMAPPED;
	got = fio_pread_full(fd, buf, len, off);
	if (got < 0)
		return MF_ERR_IO;
	return (uint64_t)got < len ? MF_ERR_UNMAPPED : 0;
}
#endif
