/* pluginlib/bitmap.h: a bitmap over page frame numbers with a rank index (the number of
 * set bits before each 64-bit word), so "index of pfn among the present pages" costs one
 * popcount: the page bitmaps of kdump and Windows bitmap crash dumps.  Part of
 * libmfplugin.la (see vmcoreinfo.h for how to link it). */
#ifndef MF_PLUGINLIB_BITMAP_H
#define MF_PLUGINLIB_BITMAP_H

#include <stdint.h>

#include "pluginlib/rangemap.h"

struct bitmap {
	uint64_t *words;     /* nbits rounded up to whole words; bits past nbits are clear */
	uint32_t *rank;      /* rank[i] = set bits in words[0..i-1] */
	uint64_t nbits;
	uint64_t nwords;
	uint64_t total;      /* set bits */
};

/* Build from (nbits + 7) / 8 bytes of bitmap data (LSB first), keeping the first nbits;
 * the bytes are copied.  0, MF_ERR_NOMEM, or MF_ERR_LIMIT when more than 2^32-1 bits are
 * set.  On failure bm is zeroed. */
int bitmap_init(struct bitmap *bm, const uint8_t *bytes, uint64_t nbits);
void bitmap_free(struct bitmap *bm);

/* Is bit set (false past nbits)? */
int bitmap_test(const struct bitmap *bm, uint64_t bit);

/* Index of bit among the set bits (meaningful only when the bit is set). */
uint64_t bitmap_rank(const struct bitmap *bm, uint64_t bit);

/* Add to m, as segments of `kind` (off = the first bit's rank), the runs of set bits below
 * limit_bits whose rank is below limit_rank, each bit standing for `unit` bytes.  0 or
 * the first error of rmap_add. */
int bitmap_add_runs(const struct bitmap *bm, uint64_t limit_bits, uint64_t limit_rank, uint64_t unit,
                    struct rmap *m, uint32_t kind);

#endif
