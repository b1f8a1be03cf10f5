/* kernel.c: ntoskrnl.exe in kernel space, and what it says about itself.
 *
 * The image is found through the host's page map of kernel space (struct mf_phys's
 * page_map, libmf's translator: every architecture, table pages read in batches): of the
 * region x64 Windows loads it in (0xfffff80000000000, 32 GiB), or of the kernel half of an
 * x86 or PAE kernel (0x80000000 up); the first bytes of each mapped 4 KiB page are looked
 * at for "MZ", and a page that starts a PE image of the space's machine (0x8664, or 0x14c)
 * whose export directory is named "ntoskrnl.exe" is the kernel.  When a route knows an
 * address inside the kernel (the start block's entry point), the pages below it are tried
 * first.  The build is NtBuildNumber's low 16 bits (the export), checked against
 * KUSER_SHARED_DATA.NtBuildNumber (+0x260 of 0xfffff78000000000, or of 0xffdf0000). */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pluginlib/bytes.h"
#include "win32.h"

#define W32_KERNEL_REGION 0xfffff80000000000ull
#define W32_KERNEL_REGION_SIZE (32ull << 30)     /* x64: 32 GiB from the region's start */
#define W32_KERNEL_HALF32 0x80000000ull          /* x86, PAE: the kernel half */
#define W32_MAX_PAGES (1u << 20)               /* 4 KiB pages looked at (4 GiB) */
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

	if (pe_open(&pe, base, w32_pe_read, w, eb) < 0 || pe.machine != (w->is64 ? 0x8664 : 0x14c) || pe.is64 != w->is64)
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

/* Candidate pages: physical address and virtual address, "MZ" looked at in batches. */
struct w32_cand {
	struct w32 *w;
	uint64_t va[256], pa[256];
	size_t n;
	unsigned pages;                /* 4 KiB pages looked at */
	unsigned runs;                 /* mapped runs the page map gave */
	unsigned seen;                 /* "MZ" pages looked into */
	bool found;
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

/* One mapped run of kernel space: each of its 4 KiB pages a candidate (an image need not
 * start a large page).  Non-zero stops the page map: found, or too many pages. */
static int
w32_cand_run(void *ctx, const struct mf_page_run *run)
{
	struct w32_cand *c = ctx;
	uint64_t off;

	c->runs++;
	for (off = (0x1000 - (run->va & 0xfff)) & 0xfff; off < run->len; off += 0x1000) {
		if (c->pages++ == W32_MAX_PAGES)
			return 1;
		c->va[c->n] = run->va + off;
		c->pa[c->n++] = run->pa + off;
		if (c->n == 256 && (c->found = w32_cand_flush(c)))
			return 1;
	}
	return 0;
}

/* Walk the kernel region's page map for the candidates: 0 (c->found says whether), or the
 * page map's error. */
static int
w32_walk_region(struct w32 *w, struct w32_cand *c)
{
	const struct mf_phys *ph = w->phys;
	uint64_t lo = w->is64 ? W32_KERNEL_REGION : W32_KERNEL_HALF32;
	uint64_t hi = w->is64 ? W32_KERNEL_REGION + W32_KERNEL_REGION_SIZE : 1ull << 32;
	int r;

	if (!MF_PHYS_HAS(ph, page_map))
		return MF_ERR_UNSUPPORTED;
	r = ph->page_map(ph->ctx, &w->kspace, lo, hi, w32_cand_run, c);
	if (r < 0 && r != MF_ERR_LIMIT)
		return r;
	if (r == MF_ERR_LIMIT)
		w->host->log(0, "win32: the kernel's page tables at 0x%" PRIx64 " are larger than the walk's cap: the scan ends"
		             " there", w->kspace.root);
	if (c->pages > W32_MAX_PAGES)
		w->host->log(0, "win32: more than %u mapped pages in kernel space: the scan ends there", W32_MAX_PAGES);
	if (!c->found && c->n > 0)
		c->found = w32_cand_flush(c);
	return 0;
}

/* The pages below NEAR, nearest first. */
static bool
w32_walk_near(struct w32 *w, uint64_t near)
{
	uint64_t va = near & ~0xfffull;
	unsigned i;

	for (i = 0; i < W32_NEAR_PAGES && w32_kptr_ok(w, va); i++, va -= 4096) {
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
	int r;

	if (near != 0 && w32_walk_near(w, near)) {
		w->host->log(1, "win32: ntoskrnl.exe at 0x%" PRIx64 " (0x%" PRIx32 " bytes), below the kernel entry point",
		             w->kbase, w->ksize);
		return 0;
	}
	if ((c = calloc(1, sizeof *c)) == NULL)
		return w->host->error(errbuf, MF_ERR_NOMEM, "out of memory");
	c->w = w;
	if ((r = w32_walk_region(w, c)) < 0) {
		free(c);
		return w->host->error(errbuf, r, "win32: the page map of kernel space: %s", w->host->strerror(r));
	}
	found = c->found;
	w->host->log(2, "win32: kernel space through 0x%" PRIx64 ": %u mapped runs, %u pages, %u PE headers looked at",
	             w->kspace.root, c->runs, c->pages, c->seen);
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
	if (w32_kread(w, w->is64 ? W32_KUSER_SHARED_DATA : W32_KUSER_SHARED_DATA32, ksd, sizeof ksd) == 0) {
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
	if (host->hint_get_u64(w->hints, "ps_active_process_head", &va) == 0 && w32_kptr_ok(w, va)) {
		w->ps_active_process_head = va;
		host->log(1, "win32: PsActiveProcessHead 0x%" PRIx64 " from the hints", va);
	}
	if (w32_kernel_export(w, "PsLoadedModuleList", &va) == 0) {
		w->ps_loaded_module_list = va;
		host->log(1, "win32: PsLoadedModuleList 0x%" PRIx64 " (the export)", va);
	} else if (host->hint_get_u64(w->hints, "ps_loaded_module_list", &va) == 0 && w32_kptr_ok(w, va)) {
		w->ps_loaded_module_list = va;
		host->log(1, "win32: PsLoadedModuleList 0x%" PRIx64 " from the hints", va);
	}
	return 0;
}
