/* discovery.c: where the kernel is in physical memory, and how it is mapped.
 *
 * In order: the VMCOREINFO text (the dump's note, which the connectors hand over as the
 * `vmcoreinfo` hint, else the kernel's own note found in RAM) gives the architecture,
 * paging mode, page-table root, KASLR offset and phys_base directly.  Without it (a kernel
 * built without CRASH_CORE), the "Linux version" banner is found in RAM and a top-level
 * page table that maps it through the kernel text mapping gives the root; kallsyms.c then
 * finds its tables by scanning, and lx_discover_late derives the offsets from the symbols.
 * A CPU's CR3 from the dump (hint `kernel_dtb`) is used only when it maps the kernel.
 * Each step is logged at verbose level. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux.h"
#include "pluginlib/kfind.h"
#include "pluginlib/vmcoreinfo.h"

#define LX_START_KERNEL_MAP 0xffffffff80000000ull
/* x86-64 CONFIG_PHYSICAL_START default: the link-time kernel text is at map + 16 MiB */
#define LX_X86_64_LINK_TEXT 0xffffffff81000000ull
#define LX_BANNER_TRIES 16

/* Does SP map VA?  (the test of a candidate root) */
static bool
lx_space_maps(const struct lx *lx, const struct mf_space *sp, uint64_t va)
{
	uint64_t pa;

	return lx->phys->vtop != NULL && lx->phys->vtop(lx->phys->ctx, sp, va, &pa) == 0;
}

static const char *
lx_arch(const struct lx *lx, uint32_t arch)
{
	const char *s = lx->host->arch_name(arch);

	return s != NULL ? s : "unknown";
}

/* The VMCOREINFO text: the hint, else found in RAM (then kept as hints). */
static const char *
lx_vmcoreinfo(struct lx *lx, int *err)
{
	const struct mf_host *host = lx->host;
	const char *vmci = host->hint_get_str(lx->hints, "vmcoreinfo");
	struct kfind_src src;
	uint64_t pa;
	char *text;

	*err = 0;
	if (vmci != NULL && vmci[0] != '\0') {
		host->log(1, "linux: VMCOREINFO from the dump (%zu bytes)", strlen(vmci));
		return vmci;
	}
	kfind_src_phys(&src, lx->phys);
	if ((text = kfind_vmcoreinfo(&src, &pa, err)) == NULL) {
		if (*err == MF_ERR_NOTFOUND) {
			host->log(1, "linux: no VMCOREINFO note in RAM");
			*err = 0;
		}
		return NULL;
	}
	host->log(1, "linux: VMCOREINFO note found in RAM at physical 0x%" PRIx64 " (%zu bytes)", pa, strlen(text));
	if ((*err = host->hint_set_str(lx->hints, "vmcoreinfo", text)) == 0)
		*err = vmci_set_hints(host, lx->hints, text);
	free(text);
	return *err < 0 ? NULL : host->hint_get_str(lx->hints, "vmcoreinfo");
}

/* A CPU's page-table root from the dump (CR3), when it maps VA. */
static bool
lx_try_cr3(struct lx *lx, uint64_t va)
{
	struct mf_space sp = { 0 };
	const char *a = lx->host->hint_get_str(lx->hints, "arch");

	if (a == NULL || lx->host->arch_parse(a, &sp.arch) < 0 ||
	    (sp.arch != MF_ARCH_X86_64 && sp.arch != MF_ARCH_X86_64_LA57) ||
	    (lx->host->hint_get_u64(lx->hints, "kernel_dtb", &sp.root) < 0 &&
	     lx->host->hint_get_u64(lx->hints, "dtb", &sp.root) < 0))
		return false;
	sp.root &= ~0xfffull;
	if (va != 0 && !lx_space_maps(lx, &sp, va)) {
		lx->host->log(1, "linux: the dump's CR3 0x%" PRIx64 " does not map 0x%" PRIx64 ": not used", sp.root, va);
		return false;
	}
	lx->kspace = sp;
	lx->host->log(1, "linux: page-table root 0x%" PRIx64 " (%s) from the dump's CR3", sp.root, lx_arch(lx, sp.arch));
	return true;
}

static int
lx_discover_vmci(struct lx *lx, const char *vmci, char *errbuf)
{
	const struct mf_host *host = lx->host;
	struct mf_space sp = { 0 };
	const char *a = host->hint_get_str(lx->hints, "arch");
	uint64_t stext = 0, v;

	if (a != NULL && host->arch_parse(a, &sp.arch) < 0)
		sp.arch = MF_ARCH_UNKNOWN;
	vmci_osrelease(vmci, lx->osrelease, sizeof lx->osrelease);
	if (vmci_kernel_offset(vmci, &v) == 0)
		lx->kaslr_offset = v;
	if (vmci_phys_base(vmci, &v) == 0)
		lx->phys_base = (int64_t)v;
	vmci_symbol(vmci, "_stext", &stext);
	lx->image_va = stext;
	host->log(1, "linux: OSRELEASE %s, KERNELOFFSET 0x%" PRIx64 ", phys_base %" PRId64 ", _stext 0x%" PRIx64,
	          lx->osrelease[0] ? lx->osrelease : "(none)", lx->kaslr_offset, lx->phys_base, stext);
	if (kfind_space_vmci(vmci, &sp) == 0) {
		if (stext == 0 || lx_space_maps(lx, &sp, stext)) {
			lx->kspace = sp;
			host->log(1, "linux: page-table root 0x%" PRIx64 " (%s%s) from VMCOREINFO", sp.root, lx_arch(lx, sp.arch),
			          sp.va_bits ? ", VA bits from VMCOREINFO" : "");
			return 0;
		}
		host->log(1, "linux: VMCOREINFO's page-table root 0x%" PRIx64 " does not map _stext", sp.root);
	}
	if (lx_try_cr3(lx, stext))
		return 0;
	return host->error(errbuf, MF_ERR_NOTFOUND, "linux: VMCOREINFO found (%s) but no page-table root that maps the kernel",
	                   lx->osrelease[0] ? lx->osrelease : "no OSRELEASE");
}

/* No VMCOREINFO: the banner, and a top-level table that maps it. */
static int
lx_discover_banner(struct lx *lx, char *errbuf)
{
	const struct mf_host *host = lx->host;
	struct kfind_src src;
	char banner[512];
	uint64_t pa = 0, va;
	int i, r = MF_ERR_NOTFOUND, found = 0;

	kfind_src_phys(&src, lx->phys);
	for (i = 0; i < LX_BANNER_TRIES; i++, pa++) {
		struct mf_space sp;

		if ((r = kfind_banner(&src, &pa, banner, sizeof banner)) < 0)
			break;
		found++;
		host->log(1, "linux: banner at physical 0x%" PRIx64 ": %.80s", pa, banner);
		if ((r = kfind_x86_64_root(&src, pa, &sp, &va)) == 0) {
			const char *rel = banner + 14;
			size_t n = strcspn(rel, " ");

			if (n >= sizeof lx->osrelease)
				n = sizeof lx->osrelease - 1;
			memcpy(lx->osrelease, rel, n);
			lx->osrelease[n] = '\0';
			lx->kspace = sp;
			lx->image_va = va;
			host->log(1, "linux: page-table root 0x%" PRIx64 " maps the banner at 0x%" PRIx64 " (x86_64, found by scan)",
			          sp.root, va);
			return 0;
		}
		if (r != MF_ERR_NOTFOUND)
			break;
		host->log(1, "linux: no top-level page table maps that banner");
	}
	if (r != MF_ERR_NOTFOUND)
		return host->error(errbuf, r, "linux: cannot scan physical memory: %s", host->strerror(r));
	if (found == 0)
		return host->error(errbuf, MF_ERR_NOTFOUND,
		                   "no Linux kernel found in physical memory (no VMCOREINFO note, no \"Linux version\" banner)");
	return host->error(errbuf, MF_ERR_NOTFOUND,
	                   "no Linux kernel found in physical memory (a banner, but no page table that maps it)");
}

int
lx_discover(struct lx *lx, char *errbuf)
{
	const char *vmci;
	int err;

	if (lx->host->hint_get_u64(lx->hints, "linux_root", &lx->kspace.root) == 0) {
		/* a saved target record (mf-attach) says where everything is */
		const char *a = lx->host->hint_get_str(lx->hints, "linux_arch");
		uint64_t v;

		if (a != NULL && lx->host->arch_parse(a, &lx->kspace.arch) == 0) {
			if (lx->host->hint_get_u64(lx->hints, "linux_root_hi", &v) == 0)
				lx->kspace.root_hi = v;
			if (lx->host->hint_get_u64(lx->hints, "va_bits", &v) == 0)
				lx->kspace.va_bits = (uint32_t)v;
			if (lx->host->hint_get_u64(lx->hints, "granule", &v) == 0)
				lx->kspace.granule = (uint32_t)v;
			if (lx->host->hint_get_u64(lx->hints, "kernel_offset", &v) == 0)
				lx->kaslr_offset = v;
			if (lx->host->hint_get_u64(lx->hints, "phys_base", &v) == 0)
				lx->phys_base = (int64_t)v;
			a = lx->host->hint_get_str(lx->hints, "osrelease");
			if (a != NULL)
				snprintf(lx->osrelease, sizeof lx->osrelease, "%s", a);
			lx->host->log(1, "linux: page-table root 0x%" PRIx64 " (%s) from the target record: no search",
			              lx->kspace.root, lx_arch(lx, lx->kspace.arch));
			return 0;
		}
		memset(&lx->kspace, 0, sizeof lx->kspace);
	}
	vmci = lx_vmcoreinfo(lx, &err);
	if (err < 0)
		return lx->host->error(errbuf, err, "linux: cannot look for VMCOREINFO: %s", lx->host->strerror(err));
	if (vmci != NULL)
		return lx_discover_vmci(lx, vmci, errbuf);
	return lx_discover_banner(lx, errbuf);
}

int
lx_discover_late(struct lx *lx, char *errbuf)
{
	const struct mf_host *host = lx->host;
	uint64_t va, text, pa;

	(void)errbuf;
	if ((lx->kspace.arch == MF_ARCH_X86_64 || lx->kspace.arch == MF_ARCH_X86_64_LA57) &&
	    host->hint_get_str(lx->hints, "vmcoreinfo") == NULL && lx_sym(lx, "_text", &text) == 0 &&
	    lx->phys->vtop(lx->phys->ctx, &lx->kspace, text, &pa) == 0 && host->hint_get_u64(lx->hints, "linux_root", &va) < 0) {
		/* no VMCOREINFO: what it would have said, from the symbols */
		lx->kaslr_offset = text - LX_X86_64_LINK_TEXT;
		lx->phys_base = (int64_t)(pa - (text - LX_START_KERNEL_MAP));
		host->log(1, "linux: _text 0x%" PRIx64 " at physical 0x%" PRIx64 ": KASLR offset 0x%" PRIx64 ", phys_base %" PRId64,
		          text, pa, lx->kaslr_offset, lx->phys_base);
	}
	if ((lx->kspace.arch == MF_ARCH_X86_64 || lx->kspace.arch == MF_ARCH_X86_64_LA57) &&
	    lx_sym(lx, "page_offset_base", &va) == 0 && lx_kread_u64(lx, va, &lx->page_offset_base) == 0)
		host->log(1, "linux: page_offset_base 0x%" PRIx64 " (direct map)", lx->page_offset_base);
	if (lx->kspace.arch == MF_ARCH_AARCH64) {
		/* 5.4+: the linear map starts at the bottom of the kernel half */
		unsigned bits = lx->kspace.va_bits ? lx->kspace.va_bits : 48;

		lx->page_offset_base = ~0ull << bits;
	}
	return 0;
}

void
lx_store_hints(struct lx *lx)
{
	const struct mf_host *host = lx->host;
	const char *arch = host->arch_name(lx->kspace.arch);

	host->hint_set_u64(lx->hints, "linux_root", lx->kspace.root);
	if (arch != NULL) {
		host->hint_set_str(lx->hints, "linux_arch", arch);
		host->hint_set_str(lx->hints, "arch", arch);
	}
	/* libmf's --kernel space (kernel-root.c) reads these */
	host->hint_set_u64(lx->hints, "kernel_dtb", lx->kspace.root);
	if (lx->kspace.root_hi != 0)
		host->hint_set_u64(lx->hints, "linux_root_hi", lx->kspace.root_hi);
	if (lx->kspace.va_bits != 0)
		host->hint_set_u64(lx->hints, "va_bits", lx->kspace.va_bits);
	if (lx->kspace.granule != 0)
		host->hint_set_u64(lx->hints, "granule", lx->kspace.granule);
	host->hint_set_u64(lx->hints, "kernel_offset", lx->kaslr_offset);
	host->hint_set_u64(lx->hints, "phys_base", (uint64_t)lx->phys_base);
	if (lx->osrelease[0] != '\0')
		host->hint_set_str(lx->hints, "osrelease", lx->osrelease);
	lx_ksyms_store_hints(lx);
	lx_saved_store(lx);
}
