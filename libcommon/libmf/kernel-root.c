/* kernel-root.c: the kernel's address space of a target: architecture and page-table root
 * from the hints, else (dumps without a CPU state: kdump, arm64 ELF) Linux's VMCOREINFO. */
#include "mf-int.h"

#include "pluginlib/vmcoreinfo.h"

#include <string.h>

#define KROOT_START_KERNEL_MAP 0xffffffff80000000ull   /* x86-64 __START_KERNEL_map */

/* x86-64 init_top_pgt - __START_KERNEL_map + phys_base; AArch64 swapper_pg_dir -
 * kimage_voffset (VA size from TCR_EL1_T1SZ or VA_BITS, granule from PAGESIZE); 32-bit x86
 * swapper_pg_dir - PAGE_OFFSET.  0 or MF_ERR_NOTFOUND. */
static int
kroot_vmci(const char *vmci, struct mf_space *sp)
{
	uint64_t sym, v;

	switch (sp->arch) {
	case MF_ARCH_X86_64:
	case MF_ARCH_X86_64_LA57:
		if (vmci_symbol(vmci, "init_top_pgt", &sym) < 0 || sym < KROOT_START_KERNEL_MAP)
			return MF_ERR_NOTFOUND;
		/* NUMBER(phys_base) (signed); a kdump header's own value is not trusted */
		if (vmci_phys_base(vmci, &v) < 0)
			v = 0;
		sp->root = (sym - KROOT_START_KERNEL_MAP + v) & ~0xfffull;
		return 0;
	case MF_ARCH_X86_32:
	case MF_ARCH_X86_PAE:
		if (vmci_symbol(vmci, "swapper_pg_dir", &sym) < 0 || sym < mf_arch_kernel_start(sp->arch) || sym >= 1ull << 32)
			return MF_ERR_NOTFOUND;
		sp->root = sym - mf_arch_kernel_start(sp->arch);
		return 0;
	case MF_ARCH_AARCH64:
		if (vmci_symbol(vmci, "swapper_pg_dir", &sym) < 0 || vmci_number(vmci, "kimage_voffset", &v) < 0 || sym < v)
			return MF_ERR_NOTFOUND;
		sp->root = sp->root_hi = sym - v;
		if (vmci_number(vmci, "TCR_EL1_T1SZ", &v) == 0 && v >= 12 && v <= 39)
			sp->va_bits = (uint32_t)(64 - v);
		else if (vmci_number(vmci, "VA_BITS", &v) == 0 && v >= 25 && v <= 48)
			sp->va_bits = (uint32_t)v;
		if (vmci_pagesize(vmci, &v) == 0 && (v == 4096 || v == 16384 || v == 65536))
			sp->granule = (uint32_t)v;
		return 0;
	default:
		return MF_ERR_NOTFOUND;
	}
}

MF_API int
mf_target_kernel_space(struct mf_target *t, struct mf_space *sp, char *errbuf)
{
	struct mf_hints *h = mf_target_hints(t);
	const char *arch = mf_hints_get_str(h, "arch"), *vmci = mf_hints_get_str(h, "vmcoreinfo");
	uint64_t v;

	memset(sp, 0, sizeof *sp);
	if (arch == NULL || mf_arch_parse(arch, &sp->arch) < 0)
		return mf_error(errbuf, MF_ERR_NOTFOUND, "%s: architecture unknown (give --arch)", mf_target_name(t));
	if (mf_hints_get_u64(h, "kernel_dtb", &sp->root) < 0 && mf_hints_get_u64(h, "dtb", &sp->root) < 0 &&
	    (vmci == NULL || kroot_vmci(vmci, sp) < 0))
		return mf_error(errbuf, MF_ERR_NOTFOUND, "%s: kernel page-table root unknown (give --dtb)", mf_target_name(t));
	if (mf_hints_get_u64(h, "dtb_hi", &v) == 0)
		sp->root_hi = v;
	else if (sp->arch == MF_ARCH_AARCH64)
		sp->root_hi = sp->root;   /* the kernel lives in the upper half (TTBR1) */
	if (mf_hints_get_u64(h, "va_bits", &v) == 0)
		sp->va_bits = (uint32_t)v;
	if (mf_hints_get_u64(h, "granule", &v) == 0)
		sp->granule = (uint32_t)v;
	return 0;
}
