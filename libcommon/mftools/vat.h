/* mftools/vat.h: batched virtual address translation over a physical read callback.
 *
 * A translator (struct mf_vat) walks the page tables of any address space (struct
 * mf_space: x86 32-bit, PAE, x86-64 4- and 5-level, AArch64 stage 1 with 4/16/64 KiB
 * granules, RISC-V Sv39/Sv48) reading physical memory only through a batched callback
 * with per-entry errors (struct mf_iov).  Translation of a batch proceeds level by level:
 * every table page needed at one level for all pending addresses is read once, in one
 * callback call.  Working memory is fixed (see mf_vat_memory): big batches are processed
 * in chunks.  A small TLB and a cache of table pages are kept across calls; drop them with
 * mf_vat_invalidate, or let them expire with mf_vat_set_ttl on live targets.
 *
 * Per-address results: an address that is not mapped (MF_ERR_NOTMAPPED), not canonical
 * for the architecture (MF_ERR_NONCANONICAL) or whose tables cannot be read (the error of
 * the physical read, e.g. MF_ERR_UNMAPPED) fails on its own; the call still returns 0.
 * Calls return a negative MF_ERR_* only when they could not be carried out at all: an
 * invalid or unsupported space (MF_ERR_ARG / MF_ERR_UNSUPPORTED), the physical callback
 * failing as a whole (its code), out of memory.
 *
 * A translator is not thread-safe: use one per thread.
 */
#ifndef MFTOOLS_VAT_H
#define MFTOOLS_VAT_H

#include <stddef.h>
#include <stdint.h>
#include <mftools/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mf_vat;

/* Reads (or writes) physical memory: the mf_phys / connector read contract. */
typedef int (*mf_vat_phys_fn)(void *ctx, struct mf_iov *iov, size_t n);

/* NULL on out of memory.  Free with mf_vat_free. */
struct mf_vat *mf_vat_new(mf_vat_phys_fn read, void *ctx);
void mf_vat_free(struct mf_vat *v);
/* Drop the TLB and the table cache (the target's page tables changed). */
void mf_vat_invalidate(struct mf_vat *v);
/* Live targets: cached translations and table pages expire after `ms` milliseconds;
 * 0 (the default) keeps them until mf_vat_invalidate. */
void mf_vat_set_ttl(struct mf_vat *v, unsigned ms);
/* The cap on table pages one mf_vat_page_map call visits (default 1M): a cyclic or
 * hostile table makes the walk stop with MF_ERR_LIMIT.  0 restores the default. */
void mf_vat_set_walk_limit(struct mf_vat *v, uint64_t tables);
/* Bytes of working memory the translator holds (TLB, table cache, batch and page-map
 * buffers); constant whatever the size of the requests. */
size_t mf_vat_memory(const struct mf_vat *v);
/* Physical read calls made so far (for tests and benchmarks). */
uint64_t mf_vat_phys_calls(const struct mf_vat *v);

/* Virtual reads and writes: each entry succeeds only if every byte of it translates and
 * is read (written); otherwise iov[i].err is MF_ERR_NOTMAPPED, MF_ERR_NONCANONICAL or
 * the physical error.  Pages of all entries are translated in one batch, then all
 * physical pieces (merged where contiguous) go out in one physical call.  A write entry
 * that does not translate completely is not written at all. */
int mf_vat_read(struct mf_vat *v, const struct mf_space *sp, struct mf_iov *iov, size_t n);
int mf_vat_write(struct mf_vat *v, mf_vat_phys_fn write, void *wctx, const struct mf_space *sp,
                 struct mf_iov *iov, size_t n);

/* Translation flags.  W: writable at every level.  X: executable by the privilege the
 * page belongs to (user pages in user mode, others in kernel mode): x86 no NX at any
 * level; AArch64 UXN/UXNTable (user) or PXN/PXNTable (kernel, and EL0-writable pages are
 * never kernel-executable); RISC-V X.  U: user accessible at every level (x86 U/S,
 * AArch64 AP[1] without APTable[0], RISC-V U).  R: readable (clear only for RISC-V
 * execute-only pages).  GLOBAL: x86 G, AArch64 !nG, RISC-V G at any level.  ACCESSED /
 * DIRTY: the leaf's A / D bits (x86, RISC-V; AArch64: AF, never DIRTY). */
#define MF_VAT_W        0x01u
#define MF_VAT_X        0x02u
#define MF_VAT_U        0x04u
#define MF_VAT_GLOBAL   0x08u
#define MF_VAT_ACCESSED 0x10u
#define MF_VAT_DIRTY    0x20u
#define MF_VAT_R        0x40u

/* One translation: set va; the call fills pa (of va itself, not of its page), page_size
 * (the size of the mapping page: 4 KiB, 2 MiB, ...), flags and err (0 or MF_ERR_*). */
struct mf_vat_xlat {
	uint64_t va;
	uint64_t pa;
	uint64_t page_size;
	uint32_t flags;
	int32_t err;
};
int mf_vat_translate(struct mf_vat *v, const struct mf_space *sp, struct mf_vat_xlat *x, size_t n);

/* One address, level by level (mf-vtop).  `level` counts from the top table (0);
 * mf_vat_level_name names it ("PML4", "PD", "L1", ...).  On entry *nsteps is the capacity
 * of steps, on return the number filled; the last step's err is set when the walk failed
 * there.  Returns 0 when the address translates (out filled), or out->err: MF_ERR_NOTMAPPED,
 * MF_ERR_NONCANONICAL, a physical read error; or MF_ERR_ARG for an invalid space. */
struct mf_vat_step {
	unsigned level;
	uint64_t table_pa;
	unsigned index;
	uint64_t entry_pa;
	uint64_t entry;
	int32_t err;
};
int mf_vat_walk(struct mf_vat *v, const struct mf_space *sp, uint64_t va,
                struct mf_vat_step *steps, size_t *nsteps, struct mf_vat_xlat *out);
const char *mf_vat_level_name(const struct mf_space *sp, unsigned level);

/* Every mapped range of [start, end) (end 0 = the top of the 64-bit space), in increasing
 * VA order, merged where contiguous in VA and PA with the same flags and page size.  The
 * callback returns non-zero to stop; that value is returned.  Returns 0, MF_ERR_LIMIT when
 * the walk visited more table pages than the walk limit (ranges found so far were
 * reported), or a whole-call error.  Unreadable tables are skipped. */
struct mf_vat_range {
	uint64_t va;
	uint64_t pa;
	uint64_t size;
	uint64_t page_size;
	uint32_t flags;
};
typedef int (*mf_vat_range_cb)(void *ctx, const struct mf_vat_range *r);
int mf_vat_page_map(struct mf_vat *v, const struct mf_space *sp, uint64_t start, uint64_t end,
                    mf_vat_range_cb cb, void *ctx);

/* Every virtual address that maps physical address pa (through the page map), in
 * increasing order: the first `max` are stored in vas, *found is the total number. */
int mf_vat_phys_to_virt(struct mf_vat *v, const struct mf_space *sp, uint64_t pa,
                        uint64_t *vas, size_t max, size_t *found);

#ifdef __cplusplus
}
#endif
#endif
