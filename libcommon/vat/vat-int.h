/* vat-int.h: internals of the translator (vat.c, vat-rw.c, vat-map.c).  Never installed. */
#ifndef MF_VAT_INT_H
#define MF_VAT_INT_H

#include "libmf/mf-int.h"
#include <mftools/vat.h>

#define VAT_CHUNK 512            /* addresses (or pieces) per batch round */
#define VAT_TLB_SIZE 1024        /* direct-mapped on (root, va page) */
#define VAT_CACHE_SETS 128       /* table-page cache: 128 sets x 4 ways x 4 KiB = 2 MiB */
#define VAT_CACHE_WAYS 4
#define VAT_PAGE 4096u           /* the unit of table reads and of the cache */
#define VAT_MAXLEVELS 5
#define VAT_WALK_LIMIT (1u << 20) /* table pages (4 KiB units) one page map may visit */
#define VAT_MAPBUF (256u * 1024)  /* per-level page-map read buffer */
#define VAT_MAX_ROUNDS 64         /* safety net: a batch needs at most ~2 x levels rounds */

/* deny / accumulate bits while walking */
#define VAT_D_W   0x1u   /* a level forbids writes */
#define VAT_D_U   0x2u   /* a level forbids user access */
#define VAT_D_XU  0x4u   /* a level forbids user execution */
#define VAT_D_XK  0x8u   /* a level forbids kernel execution */
#define VAT_G_ANY 0x10u  /* RISC-V: G set at some level */

/* A page-table format, derived from a struct mf_space. */
struct vat_fmt {
	uint32_t arch;
	uint32_t id;             /* arch, VA size, granule: part of the TLB key */
	unsigned nlevels;
	unsigned esize;          /* entry size: 4 or 8 */
	unsigned shift[VAT_MAXLEVELS];
	unsigned bits[VAT_MAXLEVELS];
	unsigned gshift;         /* smallest page: 12, 14 or 16 */
	unsigned va_bits;        /* translated VA bits */
	unsigned sext;           /* canonical = sign-extended from this many bits (0: none) */
	unsigned hwlevel0;       /* AArch64: architectural level of the top table */
	uint64_t root[2];        /* table base for the low / high half */
	int has_hi;              /* AArch64: a TTBR1 table was given */
};

/* The walk state of one address. */
struct vat_ws {
	uint64_t va;
	uint64_t root;           /* top table used (TLB key) */
	uint64_t table;          /* current table */
	uint64_t pa;             /* result: physical address of va */
	uint64_t psize;
	uint32_t deny;
	uint32_t flags;
	int32_t err;
	uint16_t level;
	uint8_t state;           /* VAT_WS_* */
	uint8_t pad;
	uint32_t req;            /* VAT_WS_WAIT: the request index */
	uint32_t slot;           /* cache slot found for the current entry */
};
#define VAT_WS_DONE 0
#define VAT_WS_RUN  1
#define VAT_WS_WAIT 2

struct vat_tlbe {
	uint64_t root;
	uint64_t va;             /* page base */
	uint64_t pa;             /* page base */
	uint64_t size;
	uint64_t stamp;
	uint32_t id;             /* 0: empty */
	uint32_t flags;
};

struct vat_cslot {
	uint64_t pa;
	uint64_t stamp;
	uint32_t lru;
	uint32_t req;            /* while pending: the request index */
	uint8_t state;           /* 0 empty, 1 valid, 2 pending */
};

struct vat_req {
	uint64_t pa;
	uint32_t slot;
	int32_t err;
};

struct vat_piece {
	size_t idx;              /* iov entry */
	uint64_t len;
	uint8_t *buf;
};

struct mf_vat {
	mf_vat_phys_fn read;
	void *ctx;
	unsigned ttl;
	uint64_t now;            /* ms, refreshed per call when ttl is set */
	uint64_t walk_limit;
	uint64_t calls;
	uint32_t lru_clock;
	int fatal;               /* first whole-batch error of the physical callback this call */
	struct vat_tlbe *tlb;
	struct vat_cslot *cmeta;
	uint8_t *cdata;
	struct vat_ws *ws;
	struct vat_req *req;
	struct mf_iov *iov;
	/* read/write */
	struct vat_piece *pieces;
	struct mf_vat_xlat *px;
	struct mf_iov *piov;
	size_t *pidx;
	/* page map, allocated on first use */
	uint8_t *mapbuf;
};

int vatint_fmt(const struct mf_space *sp, struct vat_fmt *f);
/* select the top table for va: 0, MF_ERR_NONCANONICAL or MF_ERR_NOTMAPPED */
int vatint_root(const struct vat_fmt *f, uint64_t va, uint64_t *root);
/* decode entry e at level l into w: 0 = next table (w->table, w->level advanced),
 * 1 = leaf (w->pa = page base, w->psize, w->flags), or MF_ERR_NOTMAPPED */
int vatint_decode(const struct vat_fmt *f, struct vat_ws *w, uint64_t e);
uint64_t vatint_load(const struct vat_fmt *f, const uint8_t *p);
void vatint_clock(struct mf_vat *v);
int vatint_phys(struct mf_vat *v, mf_vat_phys_fn fn, void *ctx, struct mf_iov *iov, size_t n);
/* translate n <= VAT_CHUNK addresses in x */
int vatint_xlate(struct mf_vat *v, const struct vat_fmt *f, struct mf_vat_xlat *x, size_t n);

#endif
