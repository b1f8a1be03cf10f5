/* pluginlib/kfind.h: finding a Linux kernel in physical memory with no prior knowledge:
 * its VMCOREINFO note by scanning RAM, the kernel's address space (architecture and
 * page-table root) from that text, and, for kernels that carry no VMCOREINFO, the
 * "Linux version" banner and an x86-64 top-level page table that maps it.  Shared by the
 * linux os layer, libmf's kernel-root.c (mf-read --kernel on raw images) and the qemu
 * connector (hints for a live guest): one implementation.
 *
 * Part of libmfplugin.la (see vmcoreinfo.h for how to link it).  Memory is hostile: every
 * scan is bounded (KFIND_SCAN_MAX bytes), every value read is checked before use. */
#ifndef MF_PLUGINLIB_KFIND_H
#define MF_PLUGINLIB_KFIND_H

#include <stddef.h>
#include <stdint.h>

#include <mftools/plugin.h>

/* The most physical memory a scan looks at (a RAM scan stops there). */
#define KFIND_SCAN_MAX ((uint64_t)64 << 30)

/* Physical memory to scan: a reader of LEN bytes at physical ADDR (0 or a negative
 * MF_ERR_*: a hole is MF_ERR_UNMAPPED) and the sorted ranges that hold data. */
struct kfind_src {
	void *ctx;
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
	const struct mf_range *ranges;
	size_t nranges;
};

/* A kfind_src over a struct mf_phys (an os layer's view of physical memory). */
void kfind_src_phys(struct kfind_src *src, const struct mf_phys *phys);

/* Calls `hit` with every chunk of RAM from physical address `from` on (up to KFIND_SCAN_MAX
 * bytes in all, consecutive chunks of one range overlapping by KFIND_OVERLAP bytes, so a
 * needle of up to that many bytes is seen whole in one of them): `hit` returns 0 to go on,
 * 1 to stop (found), or a negative error, which kfind_scan returns.  Holes inside a range
 * (a reader's MF_ERR_UNMAPPED) are skipped. */
#define KFIND_OVERLAP 64
typedef int (*kfind_chunk_cb)(void *ctx, const struct kfind_src *src, uint64_t pa, const uint8_t *b, size_t n);
int kfind_scan(const struct kfind_src *src, uint64_t from, kfind_chunk_cb hit, void *ctx);

/* The kernel's VMCOREINFO note found in RAM: an ELF note header (namesz 11, type 0, name
 * "VMCOREINFO") whose descriptor is text starting with "OSRELEASE=" and holding PAGESIZE=.
 * Returns the text (the caller frees it) with the note's physical address in *pa, or NULL
 * with *err set (MF_ERR_NOTFOUND when none, MF_ERR_NOMEM, or a reader's error). */
char *kfind_vmcoreinfo(const struct kfind_src *src, uint64_t *pa, int *err);

/* The kernel's address space from its VMCOREINFO text: the architecture (sp->arch when set,
 * else vmci_arch(text); x86_64 becomes x86_64-la57 when NUMBER(pgtable_l5_enabled)=1) and
 * the page-table root: x86-64 init_top_pgt - __START_KERNEL_map + phys_base; AArch64
 * swapper_pg_dir - kimage_voffset (VA size from TCR_EL1_T1SZ or VA_BITS, granule from
 * PAGESIZE; root_hi = root); 32-bit x86 swapper_pg_dir - PAGE_OFFSET.  0 or
 * MF_ERR_NOTFOUND (the text does not say). */
int kfind_space_vmci(const char *vmci, struct mf_space *sp);

/* The first "Linux version " banner in RAM that reads like the kernel's own (a release
 * and "(" after it, printable up to the newline): its physical address in *pa and its
 * text (up to the newline, NUL-terminated, cut to outsz - 1) in out.  0, MF_ERR_NOTFOUND or
 * a reader's error. */
int kfind_banner(const struct kfind_src *src, uint64_t *pa, char *out, size_t outsz);

/* An x86-64 4-level top-level page table that maps the kernel image: a page whose last
 * entry (0xffffff8000000000) leads, through the kernel text mapping at
 * 0xffffffff80000000, to the physical address `image_pa` (a known address inside the
 * kernel image, e.g. its banner).  On success sp is the space (arch x86_64, root) and *va
 * the virtual address of image_pa.  Bounded: at most KFIND_SCAN_MAX bytes scanned.
 * 0, MF_ERR_NOTFOUND or a reader's error. */
int kfind_x86_64_root(const struct kfind_src *src, uint64_t image_pa, struct mf_space *sp, uint64_t *va);

#endif
