/* dtb.c: the kernel's page-table root (CR3, "DirectoryTableBase") and its architecture.
 *
 * The architecture is the connector's hint `arch` when there is one (a 32-bit crash dump
 * header says x86 or x86-pae by its PaeEnabled byte); else each of x86_64, x86-pae and x86
 * is tried in that order.  The root, in order: `dtb=` from the user (then nothing else is
 * tried); the connector's hint `dtb` (a crash dump header's DirectoryTableBase); the x64
 * processor start block (PROCESSOR_START_BLOCK: the real-mode trampoline Windows leaves in
 * the first 1 MiB, with the boot processor's CR3 and the kernel's entry point, the test
 * memflow-win32 and pcileech use); else a table that maps itself, found by scanning
 * physical memory: Windows' self-map entry of an x64 PML4 (one kernel-half entry, the
 * index chosen at boot), of an x86 page directory (PDE 0x300: the directory at
 * 0xc0300000), or of a PAE kernel's last page directory (its entry 3: the directories at
 * 0xc0600000; its entries 0-3 are the PDPT's four, so the page serves as a root until the
 * System process's DirectoryTableBase names the real PDPT, w32_dtb_refine).  A candidate
 * root is taken only when ntoskrnl.exe is found through it (kernel.c).  Each step is
 * logged at verbose level (mf-attach -v). */
#include "config.h"

#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pluginlib/bytes.h"
#include "pluginlib/kfind.h"
#include "win32.h"

#define W32_PFN_MASK UINT64_C(0x000ffffffffff000)
#define W32_X86_SELFMAP 0x300u        /* x86: the PDE that maps the directory */
#define W32_PAE_SELFMAP 3u            /* PAE: the entry of the last directory that maps it */
#define W32_LOWSTUB_END ((uint64_t)1 << 20)
#define W32_SELFREF_TRIES 64          /* candidate self-mapping tables tried */
#define W32_SCAN_CHUNK ((size_t)1 << 20)

/* The architectures to try, in order: the connector's hint, else all three.  0 or
 * MF_ERR_UNSUPPORTED (message set) for a hint that names another architecture. */
struct w32_archs {
	uint32_t a[3];
	unsigned n;
	bool hinted;
};

static int
w32_archs_of(struct w32 *w, struct w32_archs *as, char *errbuf)
{
	const char *name = w->host->hint_get_str(w->hints, "arch");
	uint32_t a;

	if (name == NULL) {
		*as = (struct w32_archs){ { MF_ARCH_X86_64, MF_ARCH_X86_PAE, MF_ARCH_X86_32 }, 3, false };
		return 0;
	}
	if (w->host->arch_parse(name, &a) < 0 || (a != MF_ARCH_X86_64 && a != MF_ARCH_X86_PAE && a != MF_ARCH_X86_32))
		return w->host->error(errbuf, MF_ERR_UNSUPPORTED,
		                      "win32: %s kernels are not supported (x86_64, x86 and x86-pae only)", name);
	*as = (struct w32_archs){ { a }, 1, true };
	return 0;
}

/* Try ROOT as a root of ARCH: 0 when ntoskrnl.exe is found through it (logged with HOW). */
static int
w32_try_root(struct w32 *w, uint32_t arch, uint64_t root, uint64_t near, const char *how, char *errbuf)
{
	const char *an = w->host->arch_name(arch);
	int r;

	if (arch != MF_ARCH_X86_64 && root >> 32 != 0)
		return w->host->error(errbuf, MF_ERR_NOTFOUND, "a %s root is below 4 GiB", an);
	w32_set_kspace(w, arch, root);
	if ((r = w32_kernel_find(w, near, errbuf)) == 0) {
		w->host->log(1, "win32: page-table root 0x%" PRIx64 " (%s) from %s", w->kspace.root, an, how);
		return 0;
	}
	w->host->log(1, "win32: page-table root 0x%" PRIx64 " (%s) from %s: not used (%s)", w->kspace.root, an, how, errbuf);
	memset(&w->kspace, 0, sizeof w->kspace);
	return r;
}

/* ROOT tried as each architecture of AS in turn. */
static int
w32_try_archs(struct w32 *w, const struct w32_archs *as, uint64_t root, const char *how, char *errbuf)
{
	int r = MF_ERR_NOTFOUND;

	for (unsigned i = 0; i < as->n; i++)
		if ((r = w32_try_root(w, as->a[i], root, 0, how, errbuf)) != MF_ERR_NOTFOUND)
			return r;
	return r;
}

/* Read the physical chunk at base (len bytes, page multiple) page by page; ok[i] says
 * whether page i was read. */
static void
w32_phys_chunk(const struct w32 *w, uint64_t base, uint8_t *buf, size_t len, bool *ok)
{
	struct mf_iov iov[256];
	size_t i, n = len / 4096;

	for (i = 0; i < n; i++)
		iov[i] = (struct mf_iov){ .addr = base + i * 4096, .buf = buf + i * 4096, .len = 4096 };
	if (w->phys->read(w->phys->ctx, iov, n) < 0) {
		memset(ok, 0, n * sizeof *ok);
		return;
	}
	for (i = 0; i < n; i++)
		ok[i] = iov[i].err == 0;
}

/* The processor start block in the first 1 MiB: 0 and the root tried, MF_ERR_NOTFOUND. */
static int
w32_lowstub(struct w32 *w, char *errbuf)
{
	uint8_t *buf = malloc(W32_LOWSTUB_END);
	bool ok[W32_LOWSTUB_END / 4096];
	uint64_t pa;
	int r = MF_ERR_NOTFOUND, found = 0;

	if (buf == NULL)
		return w->host->error(errbuf, MF_ERR_NOMEM, "out of memory");
	w32_phys_chunk(w, 0, buf, W32_LOWSTUB_END, ok);
	for (pa = 0x1000; pa < W32_LOWSTUB_END && r != 0; pa += 4096) {
		const uint8_t *p = buf + pa;
		uint64_t entry, cr3;
		char how[96];

		if (!ok[pa / 4096] || (get_le64(p) & 0xffffffffffff00ffull) != 0x00000001000600e9ull)
			continue;
		entry = get_le64(p + 0x70);
		cr3 = get_le64(p + 0xa0);
		if ((entry & 0xfffff80000000003ull) != 0xfffff80000000000ull || (cr3 & 0xffffff0000000fffull) != 0)
			continue;
		found++;
		snprintf(how, sizeof how, "the processor start block at physical 0x%" PRIx64, pa);
		w->host->log(1, "win32: processor start block at physical 0x%" PRIx64 ": CR3 0x%" PRIx64
		             ", kernel entry 0x%" PRIx64, pa, cr3, entry);
		r = w32_try_root(w, MF_ARCH_X86_64, cr3, entry, how, errbuf);
		if (r < 0 && r != MF_ERR_NOTFOUND)
			break;
	}
	free(buf);
	if (found == 0)
		w->host->log(1, "win32: no processor start block in the first 1 MiB");
	return r;
}

/* Does the table page at pa (its bytes t) look like a PML4 that maps itself: a kernel-half
 * entry that is present, writable and points at pa, and every present entry within
 * physical memory (below maxpa)? */
static bool
w32_selfref64(const uint8_t *t, uint64_t pa, uint64_t maxpa, unsigned *slot)
{
	unsigned i, self = 0, present = 0;

	/* the self entry first: most pages have none, and are left after 256 loads */
	for (i = 256; i < 512 && self == 0; i++) {
		uint64_t e;

		memcpy(&e, t + 8 * i, sizeof e);   /* one load per entry: this runs over all of RAM */
		e = le64toh(e);
		if ((e & 3) == 3 && (e & W32_PFN_MASK) == pa)
			self = i;
	}
	if (self == 0)
		return false;
	for (i = 0; i < 512; i++) {
		uint64_t e = get_le64(t + 8 * i);

		if ((e & 1) == 0)
			continue;
		if ((e & W32_PFN_MASK) >= maxpa || (e & 0x80) != 0)
			return false;   /* out of RAM, or a large-page bit no PML4 entry has */
		present++;
	}
	*slot = self;
	return present >= 2;
}

/* An x86 page directory that maps itself at PDE 0x300 (present, writable), with another
 * present entry. */
static bool
w32_selfref32(const uint8_t *t, uint64_t pa)
{
	uint32_t e = get_le32(t + 4 * W32_X86_SELFMAP);
	unsigned i, present = 0;

	if ((e & 3) != 3 || (e & 0xfffff000u) != pa || pa >> 32 != 0)
		return false;
	for (i = 0; i < 1024; i++)
		present += get_le32(t + 4 * i) & 1;
	return present >= 2;
}

/* A PAE kernel's last page directory: entry 3 maps itself (present, writable), entries 0-3
 * (the PDPT's four directories) present, within physical memory and no large pages. */
static bool
w32_selfref_pae(const uint8_t *t, uint64_t pa, uint64_t maxpa)
{
	uint64_t e = get_le64(t + 8 * W32_PAE_SELFMAP);
	unsigned i;

	if ((e & 3) != 3 || (e & W32_PFN_MASK) != pa)
		return false;
	for (i = 0; i < 4; i++) {
		e = get_le64(t + 8 * i);
		if ((e & 1) == 0 || (e & 0x80) != 0 || (e & W32_PFN_MASK) >= maxpa)
			return false;
	}
	return true;
}

/* Is the page at pa a self-map of architecture ARCH?  Its slot. */
static bool
w32_selfref(uint32_t arch, const uint8_t *t, uint64_t pa, uint64_t maxpa, unsigned *slot)
{
	if (arch == MF_ARCH_X86_64)
		return w32_selfref64(t, pa, maxpa, slot);
	*slot = arch == MF_ARCH_X86_PAE ? W32_PAE_SELFMAP : W32_X86_SELFMAP;
	return arch == MF_ARCH_X86_PAE ? w32_selfref_pae(t, pa, maxpa) : w32_selfref32(t, pa);
}

/* Scan physical memory for self-mapping tables, each tried in turn. */
static int
w32_selfref_scan(struct w32 *w, const struct w32_archs *as, char *errbuf)
{
	const struct mf_range *rg;
	size_t nr = w->phys->ranges(w->phys->ctx, &rg), i, k;
	uint64_t maxpa = nr ? rg[nr - 1].base + rg[nr - 1].size : 0, scanned = 0, a;
	uint8_t *buf = malloc(W32_SCAN_CHUNK);
	bool ok[W32_SCAN_CHUNK / 4096];
	int r = MF_ERR_NOTFOUND, tries = 0;

	if (buf == NULL)
		return w->host->error(errbuf, MF_ERR_NOMEM, "out of memory");
	for (i = 0; i < nr && r != 0 && tries < W32_SELFREF_TRIES && scanned < KFIND_SCAN_MAX; i++) {
		uint64_t lo = (rg[i].base + 4095) & ~4095ull, hi = (rg[i].base + rg[i].size) & ~4095ull;

		for (a = lo; a < hi && r != 0 && tries < W32_SELFREF_TRIES && scanned < KFIND_SCAN_MAX; a += W32_SCAN_CHUNK) {
			size_t len = hi - a < W32_SCAN_CHUNK ? (size_t)(hi - a) : W32_SCAN_CHUNK;

			w32_phys_chunk(w, a, buf, len, ok);
			scanned += len;
			for (k = 0; k < len / 4096 && r != 0 && tries < W32_SELFREF_TRIES; k++) {
				uint64_t pa = a + k * 4096;
				unsigned slot, j;
				char how[128];

				/* a page can look like the self-map of more than one architecture */
				for (j = 0; ok[k] && j < as->n && r != 0 && tries < W32_SELFREF_TRIES; j++) {
					uint32_t arch = as->a[j];

					if (!w32_selfref(arch, buf + k * 4096, pa, maxpa, &slot))
						continue;
					tries++;
					snprintf(how, sizeof how, "%s (entry %u) found by scan",
					         arch == MF_ARCH_X86_PAE ? "a self-referencing page directory, the last of a PDPT's four"
					         : arch == MF_ARCH_X86_32 ? "a self-referencing page directory"
					                                  : "a self-referencing top-level table", slot);
					w->root_selfmap = arch == MF_ARCH_X86_PAE;
					r = w32_try_root(w, arch, pa, 0, how, errbuf);
					if (r < 0 && r != MF_ERR_NOTFOUND)
						goto out;
				}
			}
		}
	}
out:
	free(buf);
	if (r == MF_ERR_NOTFOUND && tries == 0)
		w->host->log(1, "win32: no self-referencing page table (%s) in physical memory",
		             as->hinted ? w->host->arch_name(as->a[0]) : "x86_64, x86-pae, x86");
	return r;
}

int
w32_dtb_find(struct w32 *w, char *errbuf)
{
	const struct mf_host *host = w->host;
	const char *s = host->arg(w->args, "dtb");
	struct w32_archs as = { 0 };
	uint64_t v;
	int r;

	if ((r = w32_archs_of(w, &as, errbuf)) < 0)
		return r;
	if (s != NULL) {
		if (host->parse_u64(s, &v) < 0 || (v & ~W32_PFN_MASK & ~0xfffull) != 0)
			return host->error(errbuf, MF_ERR_ARG, "win32: invalid dtb '%s'", s);
		if ((r = w32_try_archs(w, &as, v, "dtb= (the user)", errbuf)) < 0)
			return host->error(errbuf, r, "win32: no ntoskrnl.exe found through dtb=0x%" PRIx64, v);
		return 0;
	}
	if (host->hint_get_u64(w->hints, "dtb", &v) == 0) {
		const char *fmt = host->hint_get_str(w->hints, "format");
		char how[96];

		snprintf(how, sizeof how, "the connector's hint (%s header)",
		         fmt != NULL && strncmp(fmt, "crashdump", 9) == 0 ? "crash dump" : fmt != NULL ? fmt : "dump");
		host->log(1, "win32: DirectoryTableBase 0x%" PRIx64 "%s%s%s from %s", v, as.hinted ? " (" : "",
		          as.hinted ? host->arch_name(as.a[0]) : "", as.hinted ? ")" : "", how);
		if ((r = w32_try_archs(w, &as, v, how, errbuf)) == 0)
			return 0;
		if (r != MF_ERR_NOTFOUND && r != MF_ERR_NOTMAPPED && r != MF_ERR_UNMAPPED)
			return r;
	}
	if ((!as.hinted || as.a[0] == MF_ARCH_X86_64) && (r = w32_lowstub(w, errbuf)) != MF_ERR_NOTFOUND)
		return r;
	if ((r = w32_selfref_scan(w, &as, errbuf)) != MF_ERR_NOTFOUND)
		return r;
	return host->error(errbuf, MF_ERR_NOTFOUND,
	                   "win32: no Windows kernel found (no page-table root through which ntoskrnl.exe is mapped)");
}

int
w32_dtb_refine(struct w32 *w)
{
	struct mf_space found = w->kspace;
	uint64_t sys, dtb;

	if (!w->root_selfmap)
		return 0;
	w->root_selfmap = false;
	if (w->ps_initial_system_process == 0 || w32_kread_ptr(w, w->ps_initial_system_process, &sys) < 0 ||
	    !w32_kptr_ok(w, sys) || w32_kread_ptr(w, sys + w->off[W32_KPROCESS_DTB], &dtb) < 0 ||
	    w32_root_of(found.arch, dtb) == found.root || dtb >> 32 != 0)
		return 0;
	w32_set_kspace(w, found.arch, dtb);
	if (w32_kernel_at(w, w->kbase)) {
		w->host->log(1, "win32: page-table root 0x%" PRIx64 " (%s) from the System process's DirectoryTableBase (the"
		             " self-map's directory 0x%" PRIx64 " found it)", w->kspace.root, w->host->arch_name(found.arch),
		             found.root);
		return 0;
	}
	w->host->log(0, "win32: the System process's DirectoryTableBase 0x%" PRIx64 " does not map ntoskrnl.exe: the"
	             " directory 0x%" PRIx64 " stays the root", dtb, found.root);
	w->kspace = found;
	return w32_kernel_at(w, w->kbase) ? 0 : MF_ERR_NOTFOUND;
}
