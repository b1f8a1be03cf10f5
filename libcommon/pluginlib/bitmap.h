/* pluginlib/bitmap.h: a bitmap over page frame numbers with a rank index (the number of
 * set bits before each block and word), so "index of pfn among the present pages" costs a
 * binary search and one popcount: the page bitmaps of kdump and Windows bitmap crash
 * dumps.  The bitmap is sparse: only blocks of BITMAP_BLOCK_BITS bits with a set bit are
 * kept, so the memory it takes follows the set bits a file holds, not the size its header
 * claims; loading from a file skips its holes.  Part of libmfplugin.la (see vmcoreinfo.h
 * for how to link it). */
#ifndef MF_PLUGINLIB_BITMAP_H
#define MF_PLUGINLIB_BITMAP_H

#include <stdint.h>

#include "pluginlib/rangemap.h"

#define BITMAP_BLOCK_WORDS 64
#define BITMAP_BLOCK_BITS (BITMAP_BLOCK_WORDS * 64)
#define BITMAP_BLOCK_BYTES (BITMAP_BLOCK_BITS / 8)

struct bitmap_block {
	uint64_t index;                        /* bits index * BITMAP_BLOCK_BITS ... */
	uint64_t rank;                         /* set bits in the blocks before */
	uint64_t words[BITMAP_BLOCK_WORDS];    /* bits past nbits are clear */
	uint16_t wrank[BITMAP_BLOCK_WORDS];    /* set bits in words[0..i-1] */
};

struct bitmap {
	struct bitmap_block *blk;   /* blocks with a set bit, by index */
	uint64_t nblk, cap;
	uint64_t nbits;
	uint64_t total;             /* set bits */
};

/* Where a bitmap is read from (bitmap_load): its bytes (LSB first) at byte `off` of a
 * source read by read(ctx, buf, len, off) (bytes read or -errno; short only at the end),
 * and, when next_data is not NULL, next_data(ctx, off): the first offset at or after off
 * that may hold a non-zero byte (UINT64_MAX: none), so holes are never read. */
struct bitmap_src {
	void *ctx;
	int64_t (*read)(void *ctx, void *buf, uint64_t len, uint64_t off);
	uint64_t (*next_data)(void *ctx, uint64_t off);
	uint64_t off;
};

/* Build from (nbits + 7) / 8 bytes of bitmap data (LSB first), keeping the first nbits.
 * bitmap_init: from memory (the bytes are copied); bitmap_load: from a source, in pieces.
 * 0, MF_ERR_NOMEM, MF_ERR_IO (the source failed or ended early), or MF_ERR_LIMIT when
 * more than 2^32-1 bits are set.  On failure bm is zeroed. */
int bitmap_init(struct bitmap *bm, const uint8_t *bytes, uint64_t nbits);
int bitmap_load(struct bitmap *bm, const struct bitmap_src *src, uint64_t nbits);
void bitmap_free(struct bitmap *bm);

/* Is bit set (false past nbits)? */
int bitmap_test(const struct bitmap *bm, uint64_t bit);

/* Index of bit among the set bits (meaningful only when the bit is set). */
uint64_t bitmap_rank(const struct bitmap *bm, uint64_t bit);

/* Add to m, as segments of `kind` (off = the first bit's rank), the runs of set bits below
 * limit_bits whose rank is below limit_rank, each bit standing for `unit` bytes.  0 or
 * the first error of rmap_add (MF_ERR_RANGE when a run's address overflows 64 bits). */
int bitmap_add_runs(const struct bitmap *bm, uint64_t limit_bits, uint64_t limit_rank, uint64_t unit,
                    struct rmap *m, uint32_t kind);

#endif
