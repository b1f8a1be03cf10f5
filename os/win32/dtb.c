/* dtb.c: the kernel's page-table root (CR3, "DirectoryTableBase").
 *
 * In order: `dtb=` from the user (then nothing else is tried); the connector's hint `dtb`
 * (a crash dump header's DirectoryTableBase); the x64 processor start block
 * (PROCESSOR_START_BLOCK: the real-mode trampoline Windows leaves in the first 1 MiB, with
 * the boot processor's CR3 and the kernel's entry point, the test memflow-win32 and
 * pcileech use); else a top-level table that maps itself (Windows' self-map PML4 entry)
 * found by scanning physical memory.  A candidate root is taken only when ntoskrnl.exe is
 * found through it (kernel.c).  Each step is logged at verbose level (mf-attach -v). */
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
#define W32_LOWSTUB_END ((uint64_t)1 << 20)
#define W32_SELFREF_TRIES 64          /* candidate self-mapping tables tried */
#define W32_SCAN_CHUNK ((size_t)1 << 20)

/* Try ROOT: 0 when ntoskrnl.exe is found through it (logged with HOW). */
static int
w32_try_root(struct w32 *w, uint64_t root, uint64_t near, const char *how, char *errbuf)
{
	int r;

	w->kspace = (struct mf_space){ .arch = MF_ARCH_X86_64, .root = root & W32_PFN_MASK };
	if ((r = w32_kernel_find(w, near, errbuf)) == 0) {
		w->host->log(1, "win32: page-table root 0x%" PRIx64 " (x86_64) from %s", w->kspace.root, how);
		return 0;
	}
	w->host->log(1, "win32: page-table root 0x%" PRIx64 " from %s: not used (%s)", w->kspace.root, how, errbuf);
	memset(&w->kspace, 0, sizeof w->kspace);
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
		r = w32_try_root(w, cr3, entry, how, errbuf);
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
w32_selfref(const uint8_t *t, uint64_t pa, uint64_t maxpa, unsigned *slot)
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

/* Scan physical memory for self-mapping top-level tables, each tried in turn. */
static int
w32_selfref_scan(struct w32 *w, char *errbuf)
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
				unsigned slot;
				char how[96];

				if (!ok[k] || !w32_selfref(buf + k * 4096, pa, maxpa, &slot))
					continue;
				tries++;
				snprintf(how, sizeof how, "a self-referencing top-level table (entry %u) found by scan", slot);
				r = w32_try_root(w, pa, 0, how, errbuf);
				if (r < 0 && r != MF_ERR_NOTFOUND)
					goto out;
			}
		}
	}
out:
	free(buf);
	if (r == MF_ERR_NOTFOUND && tries == 0)
		w->host->log(1, "win32: no self-referencing top-level page table in physical memory");
	return r;
}

int
w32_dtb_find(struct w32 *w, char *errbuf)
{
	const struct mf_host *host = w->host;
	const char *s = host->arg(w->args, "dtb"), *arch = host->hint_get_str(w->hints, "arch");
	uint64_t v;
	int r;

	if (arch != NULL && (strcmp(arch, "x86") == 0 || strcmp(arch, "x86-pae") == 0)) {
		if (host->hint_get_u64(w->hints, "dtb", &v) == 0)
			host->log(1, "win32: DirectoryTableBase 0x%" PRIx64 " (%s) from the connector's hint", v, arch);
		return host->error(errbuf, MF_ERR_UNSUPPORTED, "win32: %s kernels are not supported yet (x86_64 only)", arch);
	}
	if (arch != NULL && strcmp(arch, "x86_64") != 0)
		return host->error(errbuf, MF_ERR_UNSUPPORTED, "win32: %s kernels are not supported (x86_64 only)", arch);
	if (s != NULL) {
		if (host->parse_u64(s, &v) < 0 || (v & ~W32_PFN_MASK & ~0xfffull) != 0)
			return host->error(errbuf, MF_ERR_ARG, "win32: invalid dtb '%s'", s);
		if ((r = w32_try_root(w, v, 0, "dtb= (the user)", errbuf)) < 0)
			return host->error(errbuf, r, "win32: no ntoskrnl.exe found through dtb=0x%" PRIx64, v & W32_PFN_MASK);
		return 0;
	}
	if (host->hint_get_u64(w->hints, "dtb", &v) == 0) {
		const char *fmt = host->hint_get_str(w->hints, "format");
		char how[96];

		snprintf(how, sizeof how, "the connector's hint (%s header)",
		         fmt != NULL && strncmp(fmt, "crashdump", 9) == 0 ? "crash dump" : fmt != NULL ? fmt : "dump");
		host->log(1, "win32: DirectoryTableBase 0x%" PRIx64 " from %s", v, how);
		if ((r = w32_try_root(w, v, 0, how, errbuf)) == 0)
			return 0;
		if (r != MF_ERR_NOTFOUND && r != MF_ERR_NOTMAPPED && r != MF_ERR_UNMAPPED)
			return r;
	}
	if ((r = w32_lowstub(w, errbuf)) != MF_ERR_NOTFOUND)
		return r;
	if ((r = w32_selfref_scan(w, errbuf)) != MF_ERR_NOTFOUND)
		return r;
	return host->error(errbuf, MF_ERR_NOTFOUND,
	                   "win32: no Windows kernel found (no page-table root through which ntoskrnl.exe is mapped)");
}
