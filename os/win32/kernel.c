/* kernel.c: ntoskrnl.exe in kernel space, and what it says about itself.
 *
 * The image is found by walking the page tables of the region x64 Windows loads it in
 * (0xfffff80000000000, 32 GiB: PML4 entry 496's first 32 PDPT entries) and looking at the
 * first bytes of each mapped page (4 KiB) or large page (2 MiB, 1 GiB) for "MZ"; a page that
 * starts a PE image whose export directory is named "ntoskrnl.exe" is the kernel.  When a
 * route knows an address inside the kernel (the start block's entry point), the pages
 * below it are tried first.  The build is NtBuildNumber's low 16 bits (the export), checked
 * against KUSER_SHARED_DATA.NtBuildNumber (0xfffff78000000260). */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pluginlib/bytes.h"
#include "win32.h"

#define W32_PFN_MASK UINT64_C(0x000ffffffffff000)
#define W32_KERNEL_REGION 0xfffff80000000000ull
#define W32_KERNEL_PML4I 496u
#define W32_KERNEL_PDPTS 32u          /* 32 GiB from the region's start */
#define W32_NEAR_PAGES 8192u          /* 32 MiB below a known address */
#define W32_KSD_BUILD 0x260u          /* KUSER_SHARED_DATA.NtBuildNumber (1607+) */
#define W32_KSD_MAJOR 0x26cu
#define W32_KSD_MINOR 0x270u

void
w32_kernel_free(struct w32 *w)
{
	if (w->kex_ok)
		pe_exports_free(&w->kex);
	w->kex_ok = false;
}

bool
w32_kernel_at(struct w32 *w, uint64_t base)
{
	struct pe_image pe;
	struct pe_exports ex;
	char eb[MF_ERRBUF_SIZE];

	if (pe_open(&pe, base, w32_pe_read, w, eb) < 0 || pe.machine != 0x8664 || !pe.is64)
		return false;
	if (pe_exports_load(&pe, &ex, eb) < 0)
		return false;
	if (strcasecmp(ex.dll, "ntoskrnl.exe") != 0) {
		pe_exports_free(&ex);
		return false;
	}
	w32_kernel_free(w);
	w->kpe = pe;
	w->kex = ex;
	w->kex_ok = true;
	w->kbase = base;
	w->ksize = pe.size;
	return true;
}

static int
w32_pread(const struct w32 *w, uint64_t pa, void *buf, size_t len)
{
	struct mf_iov iov = { .addr = pa, .buf = buf, .len = len };
	int r = w->phys->read(w->phys->ctx, &iov, 1);

	return r < 0 ? r : iov.err;
}

/* Candidate pages: physical address and virtual address, "MZ" looked at in batches. */
struct w32_cand {
	struct w32 *w;
	uint64_t va[256], pa[256];
	size_t n;
	unsigned seen;                 /* "MZ" pages looked into */
};

static bool
w32_cand_flush(struct w32_cand *c)
{
	struct mf_iov iov[256];
	uint8_t b[256][2];
	size_t i, n = c->n;

	c->n = 0;
	for (i = 0; i < n; i++)
		iov[i] = (struct mf_iov){ .addr = c->pa[i], .buf = b[i], .len = 2 };
	if (c->w->phys->read(c->w->phys->ctx, iov, n) < 0)
		return false;
	for (i = 0; i < n; i++) {
		if (iov[i].err != 0 || b[i][0] != 'M' || b[i][1] != 'Z')
			continue;
		c->seen++;
		if (w32_kernel_at(c->w, c->va[i]))
			return true;
	}
	return false;
}

static bool
w32_cand_add(struct w32_cand *c, uint64_t va, uint64_t pa)
{
	c->va[c->n] = va;
	c->pa[c->n++] = pa;
	return c->n == 256 && w32_cand_flush(c);
}

/* Walk the kernel region's tables for the candidates. */
static bool
w32_walk_region(struct w32 *w, struct w32_cand *c)
{
	uint8_t pdpt[4096], pd[4096], pt[4096];
	uint64_t e4, e3, e2, e1;
	unsigned i3, i2, i1;

	if (w32_pread(w, w->kspace.root + 8 * W32_KERNEL_PML4I, &e4, 8) < 0 || (e4 & 1) == 0 ||
	    w32_pread(w, e4 & W32_PFN_MASK, pdpt, sizeof pdpt) < 0)
		return false;
	for (i3 = 0; i3 < W32_KERNEL_PDPTS; i3++) {
		uint64_t va3 = W32_KERNEL_REGION + ((uint64_t)i3 << 30);

		e3 = get_le64(pdpt + 8 * i3);
		if ((e3 & 1) == 0)
			continue;
		if (e3 & 0x80) {
			if (w32_cand_add(c, va3, e3 & 0x000fffffc0000000ull))
				return true;
			continue;
		}
		if (w32_pread(w, e3 & W32_PFN_MASK, pd, sizeof pd) < 0)
			continue;
		for (i2 = 0; i2 < 512; i2++) {
			uint64_t va2 = va3 + ((uint64_t)i2 << 21);

			e2 = get_le64(pd + 8 * i2);
			if ((e2 & 1) == 0)
				continue;
			if (e2 & 0x80) {
				if (w32_cand_add(c, va2, e2 & 0x000fffffffe00000ull))
					return true;
				continue;
			}
			if (w32_pread(w, e2 & W32_PFN_MASK, pt, sizeof pt) < 0)
				continue;
			for (i1 = 0; i1 < 512; i1++) {
				e1 = get_le64(pt + 8 * i1);
				if ((e1 & 1) != 0 && w32_cand_add(c, va2 + ((uint64_t)i1 << 12), e1 & W32_PFN_MASK))
					return true;
			}
		}
	}
	return c->n > 0 && w32_cand_flush(c);
}

/* The pages below NEAR, nearest first. */
static bool
w32_walk_near(struct w32 *w, uint64_t near)
{
	uint64_t va = near & ~0xfffull;
	unsigned i;

	for (i = 0; i < W32_NEAR_PAGES && va >= W32_KERNEL_REGION; i++, va -= 4096) {
		uint8_t b[2];

		if (w32_kread(w, va, b, 2) == 0 && b[0] == 'M' && b[1] == 'Z' && w32_kernel_at(w, va) &&
		    near - va < w->ksize)
			return true;
	}
	return false;
}

int
w32_kernel_find(struct w32 *w, uint64_t near, char *errbuf)
{
	struct w32_cand *c;
	bool found;

	if (near != 0 && w32_walk_near(w, near)) {
		w->host->log(1, "win32: ntoskrnl.exe at 0x%" PRIx64 " (0x%" PRIx32 " bytes), below the kernel entry point",
		             w->kbase, w->ksize);
		return 0;
	}
	if ((c = calloc(1, sizeof *c)) == NULL)
		return w->host->error(errbuf, MF_ERR_NOMEM, "out of memory");
	c->w = w;
	found = w32_walk_region(w, c);
	if (found)
		w->host->log(1, "win32: ntoskrnl.exe at 0x%" PRIx64 " (0x%" PRIx32 " bytes), found by scanning kernel space"
		             " (%u PE headers looked at)", w->kbase, w->ksize, c->seen);
	else
		w->host->error(errbuf, MF_ERR_NOTFOUND, "no ntoskrnl.exe in kernel space (%u PE headers looked at)", c->seen);
	free(c);
	return found ? 0 : MF_ERR_NOTFOUND;
}

int
w32_kernel_export(struct w32 *w, const char *name, uint64_t *va)
{
	struct pe_export e;
	char nb[PE_MAX_NAME], fb[PE_MAX_NAME], eb[MF_ERRBUF_SIZE];

	if (!w->kex_ok || pe_export_find(&w->kpe, &w->kex, name, &e, nb, fb, eb) < 0 || e.forward != NULL)
		return MF_ERR_NOTFOUND;
	*va = w->kbase + e.rva;
	return 0;
}

int
w32_kernel_facts(struct w32 *w, char *errbuf)
{
	const struct mf_host *host = w->host;
	uint8_t b[4], ksd[0x280];
	uint64_t va;
	uint32_t nt = 0, kb = 0;
	bool have_nt = false, have_ksd = false;

	if (w32_kernel_export(w, "NtBuildNumber", &va) == 0 && w32_kread(w, va, b, 4) == 0) {
		nt = get_le32(b) & 0xffff;
		have_nt = true;
		host->log(1, "win32: NtBuildNumber 0x%08" PRIx32 " (build %" PRIu32 "%s)", get_le32(b), nt,
		          (get_le32(b) >> 28) == 0xf ? ", free build" : (get_le32(b) >> 28) == 0xc ? ", checked build" : "");
	}
	if (w32_kread(w, W32_KUSER_SHARED_DATA, ksd, sizeof ksd) == 0) {
		kb = get_le32(ksd + W32_KSD_BUILD);
		have_ksd = kb != 0;
		host->log(1, "win32: KUSER_SHARED_DATA: Windows %" PRIu32 ".%" PRIu32 " build %" PRIu32,
		          get_le32(ksd + W32_KSD_MAJOR), get_le32(ksd + W32_KSD_MINOR), kb);
	}
	if (have_nt && have_ksd && nt != kb)
		host->log(0, "win32: NtBuildNumber says build %" PRIu32 ", KUSER_SHARED_DATA %" PRIu32 ": using %" PRIu32,
		          nt, kb, nt);
	if (!have_nt && !have_ksd)
		return host->error(errbuf, MF_ERR_NOTFOUND,
		                   "win32: ntoskrnl.exe at 0x%" PRIx64 ", but no build number (no NtBuildNumber, no KUSER_SHARED_DATA)",
		                   w->kbase);
	w->build = have_nt ? nt : kb;
	if (w32_kernel_export(w, "PsInitialSystemProcess", &va) == 0)
		w->ps_initial_system_process = va;
	if (host->hint_get_u64(w->hints, "ps_active_process_head", &va) == 0 && w32_kptr_ok(va)) {
		w->ps_active_process_head = va;
		host->log(1, "win32: PsActiveProcessHead 0x%" PRIx64 " from the hints", va);
	}
	if (w32_kernel_export(w, "PsLoadedModuleList", &va) == 0) {
		w->ps_loaded_module_list = va;
		host->log(1, "win32: PsLoadedModuleList 0x%" PRIx64 " (the export)", va);
	} else if (host->hint_get_u64(w->hints, "ps_loaded_module_list", &va) == 0 && w32_kptr_ok(va)) {
		w->ps_loaded_module_list = va;
		host->log(1, "win32: PsLoadedModuleList 0x%" PRIx64 " from the hints", va);
	}
	return 0;
}
