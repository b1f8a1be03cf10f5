/* kernel-root.c: the kernel's address space of a target: architecture and page-table root
 * from the hints (a CPU's CR3 in the dump, a saved record, VMCOREINFO from the dump),
 * else found in physical memory by the finders the linux os layer uses too
 * (pluginlib/kfind.h): the kernel's VMCOREINFO note, else an x86-64 top-level table that
 * maps the "Linux version" banner.  What a search finds is kept in the hints, so a target
 * record saved afterwards (mf-attach) opens without a new search. */
#include "mf-int.h"

#include "pluginlib/kfind.h"
#include "pluginlib/vmcoreinfo.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static int
kroot_phys_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct mf_iov iov = { .addr = addr, .buf = buf, .len = len };
	int r = mf_phys_read(ctx, &iov, 1, NULL);

	return r < 0 ? r : iov.err;
}

/* Search physical memory: the VMCOREINFO note (kept as the `vmcoreinfo` hint), else the
 * banner and a table that maps it.  0 or MF_ERR_NOTFOUND / a reader's error. */
static int
kroot_search(struct mf_target *t, struct mf_space *sp)
{
	struct mf_hints *h = mf_target_hints(t);
	struct kfind_src src = { .ctx = t, .read = kroot_phys_read };
	char banner[256], *vmci;
	uint64_t pa = 0, va;
	int r;

	src.nranges = mf_phys_ranges(t, &src.ranges);
	if ((vmci = kfind_vmcoreinfo(&src, &pa, &r)) != NULL) {
		mf_log(1, "VMCOREINFO note found in RAM at physical 0x%" PRIx64, pa);
		r = kfind_space_vmci(vmci, sp);
		if (r == 0 && mf_hints_get_str(h, "vmcoreinfo") == NULL)
			mf_hints_set_str(h, "vmcoreinfo", vmci);
		free(vmci);
		return r;
	}
	if (r != MF_ERR_NOTFOUND)
		return r;
	if ((r = kfind_banner(&src, &pa, banner, sizeof banner)) < 0)
		return r;
	mf_log(1, "no VMCOREINFO; banner at physical 0x%" PRIx64 ": %.60s", pa, banner);
	if ((r = kfind_x86_64_root(&src, pa, sp, &va)) == 0)
		mf_log(1, "a top-level page table at 0x%" PRIx64 " maps it at 0x%" PRIx64, sp->root, va);
	return r;
}

MF_API int
mf_target_kernel_space(struct mf_target *t, struct mf_space *sp, char *errbuf)
{
	struct mf_hints *h = mf_target_hints(t);
	const char *arch = mf_hints_get_str(h, "arch"), *vmci = mf_hints_get_str(h, "vmcoreinfo");
	uint64_t v;
	int r;

	memset(sp, 0, sizeof *sp);
	if (arch != NULL && mf_arch_parse(arch, &sp->arch) < 0)
		sp->arch = MF_ARCH_UNKNOWN;
	if (sp->arch != MF_ARCH_UNKNOWN &&
	    (mf_hints_get_u64(h, "kernel_dtb", &sp->root) == 0 || mf_hints_get_u64(h, "dtb", &sp->root) == 0)) {
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
	if (vmci != NULL && kfind_space_vmci(vmci, sp) == 0)
		return 0;
	if (!mf_target_has_phys(t))
		return mf_error(errbuf, MF_ERR_NOTFOUND, "%s: kernel page-table root unknown (give --arch and --dtb)",
		                mf_target_name(t));
	memset(sp, 0, sizeof *sp);
	if ((r = kroot_search(t, sp)) < 0) {
		if (r != MF_ERR_NOTFOUND)
			return mf_error(errbuf, r, "%s: cannot search physical memory for the kernel: %s", mf_target_name(t),
			                mf_strerror(r));
		return mf_error(errbuf, MF_ERR_NOTFOUND,
		                "%s: no kernel found in physical memory (no VMCOREINFO, no page table that maps a "
		                "Linux banner): give --arch and --dtb",
		                mf_target_name(t));
	}
	/* kept, so a record saved from this target opens without searching again */
	mf_hints_set_str(h, "arch", mf_arch_name(sp->arch));
	mf_hints_set_u64(h, "kernel_dtb", sp->root);
	if (sp->va_bits != 0)
		mf_hints_set_u64(h, "va_bits", sp->va_bits);
	if (sp->granule != 0)
		mf_hints_set_u64(h, "granule", sp->granule);
	return 0;
}
