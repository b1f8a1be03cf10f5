/* modules.c: kernel modules from PsLoadedModuleList, and their exports as the kernel's
 * symbols.
 *
 * The list head is the export PsLoadedModuleList, else a hint (a crash dump's debugger
 * data, a saved target record) or the PDB; else it is found in ntoskrnl's writable
 * sections: a LIST_ENTRY whose first entry is ntoskrnl's own KLDR_DATA_TABLE_ENTRY
 * (DllBase the image's base) and links back to it.  Each entry gives base, size, the full
 * and the base name; the module's CodeView record gives the PDB to fetch for it.  The
 * walk is bounded (W32_MAX_MODULES, a visited set).  A process's modules come from its
 * PEB's loader list (in load order), read through its own page tables (pluginlib/peb.c);
 * a WoW64 process's 32-bit list (its EWOW64PROCESS's PEB) follows, as x86 modules. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pluginlib/bytes.h"
#include "pluginlib/peb.h"
#include "pluginlib/seen.h"
#include "win32.h"

#define W32_SCN_WRITE 0x80000000u
#define W32_SCN_CHUNK 65536u

int
w32_module_list_find(struct w32 *w)
{
	const struct pe_image *pe = &w->kpe;
	uint8_t *buf = malloc(W32_SCN_CHUNK);
	uint32_t s, off;

	if (buf == NULL)
		return MF_ERR_NOMEM;
	for (s = 0; s < pe->nsections; s++) {
		const struct pe_section *sc = &pe->sec[s];

		if ((sc->flags & W32_SCN_WRITE) == 0)
			continue;
		for (off = 0; off < sc->vsize; off += W32_SCN_CHUNK) {
			uint32_t len = sc->vsize - off < W32_SCN_CHUNK ? sc->vsize - off : W32_SCN_CHUNK, i;
			uint64_t va = w->kbase + sc->rva + off;

			if (w32_kread(w, va, buf, len) < 0)
				continue;
			for (i = 0; i + 2 * w->ptr <= len; i += w->ptr) {
				uint64_t fl = w32_ptr_at(w, buf + i), bl = w32_ptr_at(w, buf + i + w->ptr), base, back;

				if (!w32_kptr_ok(w, fl) || !w32_kptr_ok(w, bl) || fl == va + i ||
				    w32_kread_ptr(w, fl - w->off[W32_LDR_LINKS] + w->off[W32_LDR_BASE], &base) < 0 || base != w->kbase ||
				    w32_kread_ptr(w, fl + w->ptr, &back) < 0 || back != va + i)
					continue;
				w->ps_loaded_module_list = va + i;
				w->host->log(1, "win32: PsLoadedModuleList 0x%" PRIx64 " (found in ntoskrnl's section %s)", va + i,
				             sc->name);
				free(buf);
				return 0;
			}
		}
	}
	free(buf);
	return MF_ERR_NOTFOUND;
}

/* One loader entry, read. */
struct w32_kmod {
	uint64_t base, size;
	char *name, *path;
};

typedef int (*w32_kmod_fn)(struct w32 *w, const struct w32_kmod *m, void *ctx, char *errbuf);

static int
w32_kmods_each(struct w32 *w, w32_kmod_fn fn, void *ctx, char *errbuf)
{
	struct seen seen = { 0 };
	uint64_t head, e;
	unsigned n;
	int r = 0;

	if (w->ps_loaded_module_list == 0 && (r = w32_module_list_find(w)) < 0) {
		if (r == MF_ERR_NOMEM)
			return w->host->error(errbuf, r, "out of memory");
		return w->host->error(errbuf, r, "win32: no PsLoadedModuleList (not exported, no hint, no PDB, none found in"
		                      " ntoskrnl.exe)");
	}
	head = w->ps_loaded_module_list;
	if (w32_kread_ptr(w, head, &e) < 0)
		return w->host->error(errbuf, MF_ERR_NOTMAPPED, "win32: PsLoadedModuleList 0x%" PRIx64 " cannot be read", head);
	for (n = 0; e != head && r == 0; n++) {
		uint64_t le = e - w->off[W32_LDR_LINKS];
		struct w32_kmod m = { 0 };
		uint8_t b[4];
		char eb[MF_ERRBUF_SIZE];

		if ((r = w32_list_step(w, &seen, e, n, W32_MAX_MODULES, "the kernel module list", errbuf)) <= 0)
			break;
		if (w32_kread_ptr(w, le + w->off[W32_LDR_BASE], &m.base) < 0 ||
		    w32_kread(w, le + w->off[W32_LDR_SIZE], b, 4) < 0) {
			w->host->log(0, "win32: the kernel module entry at 0x%" PRIx64 " cannot be read: the list ends there", le);
			r = 0;
			break;
		}
		m.size = get_le32(b);
		peb_ustring(le + w->off[W32_LDR_BASE_NAME], w->is64, w32_pe_read, w, &m.name, eb);
		peb_ustring(le + w->off[W32_LDR_FULL_NAME], w->is64, w32_pe_read, w, &m.path, eb);
		r = fn(w, &m, ctx, errbuf);
		free(m.name);
		free(m.path);
		if (r == 0 && w32_kread_ptr(w, e, &e) < 0) {
			w->host->log(0, "win32: the kernel module list entry at 0x%" PRIx64 " cannot be read: the list ends there", e);
			break;
		}
	}
	seen_free(&seen);
	return r;
}

struct w32_mod_emit {
	mf_module_cb cb;
	void *ctx;
};

static int
w32_module_emit(struct w32 *w, const struct w32_kmod *km, void *ctx, char *errbuf)
{
	struct w32_mod_emit *me = ctx;
	struct pe_image pe;
	struct pe_rsds rs;
	char key[41] = "", eb[MF_ERRBUF_SIZE];
	const char *pdb = "";

	(void)errbuf;
	if (pe_open(&pe, km->base, w32_pe_read, w, eb) == 0 && pe_rsds(&pe, &rs, eb) == 0) {
		const char *slash = strrchr(rs.pdb, '\\');

		pe_rsds_key(&rs, key, sizeof key);
		pdb = slash != NULL ? slash + 1 : rs.pdb;
	}
	struct mf_module m = {
		.struct_size = sizeof m,
		.pid = 0,
		.name = km->name != NULL ? km->name : "",
		.path = km->path != NULL ? km->path : "",
		.base = km->base,
		.size = km->size,
		.arch = w->kspace.arch,
		.format = "pe",
		.pdb = pdb,
		.pdb_id = key,
	};
	return me->cb(me->ctx, &m);
}

/* ---- process modules: the PEB's loader list ---- */

struct w32_pmod_emit {
	uint64_t pid;
	uint32_t arch;                 /* of the list's modules: x86_64, or x86 (WoW64) */
	mf_module_cb cb;
	void *ctx;
};

static int
w32_pmod_cb(void *ctx, const struct peb_module *pm)
{
	struct w32_pmod_emit *pe = ctx;
	struct mf_module m = {
		.struct_size = sizeof m,
		.pid = pe->pid,
		.name = pm->name,
		.path = pm->path,
		.base = pm->base,
		.size = pm->size,
		.arch = pe->arch,
		.format = "pe",
		.pdb = "",
		.pdb_id = "",
	};

	return pe->cb(pe->ctx, &m);
}

/* One loader list: the PEB at peb (is64: the native one, else WoW64's), its modules. */
static int
w32_ldr_list(struct w32 *w, struct w32_uspace *us, uint64_t peb, int is64, struct w32_pmod_emit *pe, char *errbuf)
{
	struct peb_info info;
	char why[MF_ERRBUF_SIZE];
	int r;

	if ((r = peb_read(peb, is64, w32_uread, us, &info, why)) < 0)
		return w->host->error(errbuf, r, "win32: pid %" PRIu64 ": %s", pe->pid, why);
	pe->arch = is64 ? MF_ARCH_X86_64 : w->is64 ? MF_ARCH_X86_32 : w->kspace.arch;
	r = info.ldr != 0 ? peb_modules(info.ldr, is64, PEB_LOAD_ORDER, w32_uread, us, w32_pmod_cb, pe, why) : 0;
	peb_info_free(&info);
	if (r == MF_ERR_LIMIT || r == MF_ERR_FORMAT || r == MF_ERR_NOTMAPPED || r == MF_ERR_UNMAPPED) {
		w->host->log(0, "win32: pid %" PRIu64 ": %s: the list ends there", pe->pid, why);
		r = 0;
	} else if (r < 0) {
		r = w->host->error(errbuf, r, "win32: pid %" PRIu64 ": %s", pe->pid, why);
	}
	return r;
}

static int
w32_process_modules(struct w32 *w, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf)
{
	uint64_t ep, dtb;
	struct w32_pmod_emit pe = { .pid = pid, .cb = cb, .ctx = ctx };
	struct w32_uspace us = { .w = w, .sp = { .arch = w->kspace.arch } };
	uint64_t peb = 0, wow64 = 0, peb32 = 0;
	int r;

	if ((r = w32_process_object(w, pid, &ep, &dtb, errbuf)) < 0)
		return r;
	us.sp.root = dtb;
	/* System and the minimal processes have no PEB: no modules */
	if (w32_kread_ptr(w, ep + w->off[W32_EPROCESS_PEB], &peb) == 0 && peb != 0 &&
	    (r = w32_ldr_list(w, &us, peb, w->is64, &pe, errbuf)) != 0)
		return r;
	/* a WoW64 process (x64): its 32-bit PEB (below 4 GiB) and loader list too */
	if (w->is64 && w32_kread_ptr(w, ep + w->off[W32_EPROCESS_WOW64], &wow64) == 0 && w32_kptr_ok(w, wow64) &&
	    w32_kread_ptr(w, wow64 + w->off[W32_EWOW64_PEB], &peb32) == 0 && peb32 != 0 && peb32 >> 32 == 0)
		r = w32_ldr_list(w, &us, peb32, 0, &pe, errbuf);
	return r;
}

int
w32_modules(void *handle, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf)
{
	struct w32 *w = handle;
	struct w32_mod_emit me = { .cb = cb, .ctx = ctx };

	if (pid != 0)
		return w32_process_modules(w, pid, cb, ctx, errbuf);
	return w32_kmods_each(w, w32_module_emit, &me, errbuf);
}

/* ---- symbols: each kernel module's exports ---- */

struct w32_sym_emit {
	const struct w32_kmod *m;
	mf_symbol_cb cb;
	void *ctx;
};

static int
w32_export_cb(void *ctx, const struct pe_export *e)
{
	struct w32_sym_emit *se = ctx;
	char ord[24];
	struct mf_symbol s = {
		.struct_size = sizeof s,
		.kind = e->forward != NULL ? MF_SYM_FORWARDER : MF_SYM_EXPORT,
		.pid = 0,
		.module = se->m->name != NULL ? se->m->name : "",
		.name = e->name,
		.addr = se->m->base + e->rva,
		.forward = e->forward != NULL ? e->forward : "",
	};

	if (e->name == NULL) {
		snprintf(ord, sizeof ord, "#%u", e->ordinal);
		s.name = ord;
	}
	return se->cb(se->ctx, &s);
}

static int
w32_module_syms(struct w32 *w, const struct w32_kmod *km, void *ctx, char *errbuf)
{
	struct w32_sym_emit *se = ctx;
	struct pe_image pe;
	struct pe_exports ex;
	char eb[MF_ERRBUF_SIZE];
	int r;

	(void)errbuf;
	if (pe_open(&pe, km->base, w32_pe_read, w, eb) < 0 || pe_exports_load(&pe, &ex, eb) < 0) {
		w->host->log(2, "win32: no exports from %s: %s", km->name != NULL ? km->name : "?", eb);
		return 0;   /* an image whose headers are paged out: no exports from it */
	}
	se->m = km;
	r = pe_exports_each(&pe, &ex, w32_export_cb, se, NULL, eb);
	pe_exports_free(&ex);
	return r > 0 ? r : 0;
}

int
w32_symbols(void *handle, uint64_t pid, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct w32 *w = handle;
	struct w32_sym_emit se = { .cb = cb, .ctx = ctx };

	if (pid != 0)
		return w->host->error(errbuf, MF_ERR_UNSUPPORTED, "win32: process symbols are not read yet (pid 0 only)");
	return w32_kmods_each(w, w32_module_syms, &se, errbuf);
}
