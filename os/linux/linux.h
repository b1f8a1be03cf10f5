/* linux.h: internals of the linux os layer (os/linux/): a Linux kernel found in physical
 * memory with no prior knowledge of it.
 *
 * The parts, one file each:
 *   linux.c      the plugin descriptor, open (discovery, symbols, types in that order),
 *                close, and storing what was discovered in the hints (target record)
 *   discovery.c  where the kernel is: VMCOREINFO (a dump note, QEMU's device, or its text
 *                found in RAM), else the banner and a kallsyms scan; KASLR offset,
 *                phys_base, page-table root, 4/5-level paging, page_offset_base
 *   kallsyms.c   the kernel's symbol tables decoded from memory (every layout since 4.6)
 *   symbols.c    the symbol os operations (symbols, symbol_lookup, symbol_at) over kallsyms
 *   btf.c        the kernel's BTF read out of memory, parsed by libbpf; struct offsets
 *   tasks.c      processes and threads from init_task's list
 *   maps.c       memory maps (maple tree on 6.1+, the VMA list before)
 *   paths.c      file paths from dentries and mounts
 *   modules.c    kernel modules (the `modules` list) and process modules (mapped ELF files)
 *   modules-find.c  the `modules` list's head found from a struct module in RAM (no symbol)
 *
 * Every struct offset comes from the kernel's own BTF: nothing here is compiled in for a
 * particular kernel.  Guest memory is hostile: every pointer read from it is checked,
 * every list walk is bounded. */
#ifndef MF_OS_LINUX_H
#define MF_OS_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mftools/plugin.h>

#include "pluginlib/seen.h"

struct lx_ksyms;   /* kallsyms.c */
struct lx_types;   /* btf.c */

/* One opened kernel. */
struct lx {
	const struct mf_host *host;
	const struct mf_phys *phys;
	struct mf_hints *hints;
	struct mf_space kspace;        /* the kernel's address space (arch, root, va_bits) */
	uint64_t kaslr_offset;         /* KERNELOFFSET: link-time -> run-time virtual */
	int64_t phys_base;             /* x86_64: NUMBER(phys_base) */
	uint64_t page_offset_base;     /* start of the direct map of physical memory */
	char osrelease[65];            /* "6.1.0-27-amd64", or "" */
	uint64_t image_va;             /* an address inside the kernel image (_stext, the banner) */
	uint64_t init_task;            /* its symbol, else found by tasks.c (lx_init_task) */
	uint64_t wsym[6];              /* the walkers' symbols from a saved record (saved.c) */
	bool wsym_valid;
	char ksyms_why[MF_ERRBUF_SIZE];   /* why kallsyms could not be decoded on first use */
	struct lx_ksyms *ksyms;
	struct lx_types *types;        /* NULL when the kernel's BTF cannot be had: see types_why */
	char types_why[MF_ERRBUF_SIZE];
};

/* discovery.c: fill kspace, kaslr_offset, phys_base, osrelease; say how (host->log at
 * verbose level) so `mf-attach -v` states each step.  0 or MF_ERR_* with errbuf set. */
int lx_discover(struct lx *lx, char *errbuf);
/* After kallsyms: page_offset_base (the variable, read through its symbol) and checks of
 * what lx_discover found against the symbols.  0 or MF_ERR_*. */
int lx_discover_late(struct lx *lx, char *errbuf);
/* Store what discovery found as hints (kernel_dtb, kernel_offset, phys_base, arch,
 * vmcoreinfo, the kallsyms table addresses), so a saved target record opens without a
 * new search (linux.c). */
void lx_store_hints(struct lx *lx);

/* kallsyms.c */
int lx_ksyms_load(struct lx *lx, char *errbuf);
/* kallsyms decoded now if it was not yet (a saved target opens without it): 0, or an
 * error with the reason in lx->ksyms_why. */
int lx_ksyms_need(struct lx *lx);
void lx_ksyms_free(struct lx_ksyms *ks);
/* kallsyms-mem.c: the table addresses as hints (lx_store_hints); the tables at the
 * addresses in WHERE (its va_* fields) read, decoded and checked into lx->ksyms (FROM says
 * where the addresses came from, for the log): 0 or MF_ERR_* with errbuf set. */
void lx_ksyms_store_hints(struct lx *lx);
int lx_ksyms_try(struct lx *lx, const struct lx_ksyms *where, const char *from, char *errbuf);
/* kallsyms-scan.c: the tables found by scanning the kernel image around lx->image_va,
 * each layout candidate tried with lx_ksyms_try. */
int lx_ksyms_scan(struct lx *lx, char *errbuf);
/* The run-time address of kernel symbol NAME: 0, or MF_ERR_NOTFOUND. */
int lx_sym(const struct lx *lx, const char *name, uint64_t *va);

/* saved.c: the struct offsets and the walkers' symbols kept in the target record.
 * lx_saved_load: taken from the hints when they fit this kernel (then kallsyms and BTF
 * need not be read): 0, or MF_ERR_NOTFOUND / MF_ERR_FORMAT.  lx_saved_store: written. */
#define LX_NWSYMS 6
extern const char *const lx_walker_sym_names[LX_NWSYMS];
int lx_saved_load(struct lx *lx);
void lx_saved_store(struct lx *lx);
/* A walker's symbol from the saved record: 0, MF_ERR_NOTFOUND (the kernel has none), or
 * MF_ERR_UNSUPPORTED (not one of them, or no saved record). */
int lx_walker_sym(const struct lx *lx, const char *name, uint64_t *va);

/* symbols.c: the os operations over kallsyms (pid 0 only) */
int lx_symbols(void *handle, uint64_t pid, mf_symbol_cb cb, void *ctx, char *errbuf);
int lx_symbol_lookup(void *handle, uint64_t pid, const char *name, mf_symbol_cb cb, void *ctx, char *errbuf);
int lx_symbol_at(void *handle, uint64_t pid, uint64_t addr, mf_symbol_cb cb, void *ctx, char *errbuf);

/* Scan the kernel image (LX_IMAGE_BEFORE below lx->image_va to LX_IMAGE_AFTER above, what
 * is mapped of it) for NEEDLE: hit(ctx, va) for each place, in address order, until it
 * returns non-zero (that value is returned) or the end (0).  A kernel that lacks
 * KALLSYMS_ALL (arm64) lists no data symbols: its BTF and init_task are found this way. */
#define LX_IMAGE_BEFORE ((uint64_t)16 << 20)
#define LX_IMAGE_AFTER ((uint64_t)96 << 20)
#define LX_IMAGE_CHUNK ((size_t)1 << 20)
int lx_image_scan(const struct lx *lx, const void *needle, size_t nlen, int (*hit)(void *ctx, uint64_t va), void *ctx);

/* NPAGES pages of kernel virtual memory at VA (page-aligned) into buf, page by page: pages
 * that are not mapped (the gaps between the image's segments) read as zeros. */
void lx_kread_pages(const struct lx *lx, uint64_t va, uint8_t *buf, size_t npages);

/* Kernel virtual memory, all LEN bytes or an error (MF_ERR_NOTMAPPED, MF_ERR_IO). */
int lx_kread(const struct lx *lx, uint64_t va, void *buf, size_t len);
int lx_kread_u64(const struct lx *lx, uint64_t va, uint64_t *v);

/* A pointer read from the guest that can be a kernel object: kernel half, 8-aligned. */
static inline int
lx_kptr_ok(uint64_t p)
{
	return (p >> 63) != 0 && (p & 7) == 0;
}

/* modules-find.c: the head of the module list when kallsyms has no `modules` symbol,
 * found from a struct module in RAM: 0, MF_ERR_NOTFOUND (no module loaded: logged), or
 * another error with errbuf set. */
int lx_modules_find(const struct lx *lx, uint64_t *head, char *errbuf);

/* btf.c */
int lx_types_load(struct lx *lx, char *errbuf);
/* linux.c: 0 when the kernel's types are loaded, else MF_ERR_UNSUPPORTED with why (the
 * walkers of tasks, maps and modules need them; symbols and memory do not). */
int lx_need_types(const struct lx *lx, char *errbuf);
void lx_types_free(struct lx_types *t);

#endif
