/* wine.c: Wine (and Proton) processes in the native layer: the Windows side of a process
 * that runs Wine's loader: /usr/lib/wine/wine64 (x64), or /usr/lib/wine/wine (i386, a
 * 32-bit task under the 64-bit kernel).  Its PEB is found from its main thread's TEB,
 * whose base ptrace's NT_PRSTATUS gives: x64 keeps it in gs (gs_base; TEB+0x30 points to
 * itself, TEB+0x60 is the PEB); i386 in fs, a TLS entry of the GDT set with
 * set_thread_area, whose base the kernel reports as fs_base to a 64-bit tracer (the same
 * base PTRACE_GET_THREAD_AREA gives for the fs selector's index; TEB32+0x18 points to
 * itself, TEB32+0x30 is the PEB).  From there pluginlib/peb.c walks the loader's list (the
 * PE modules) and the process parameters (the Windows image path and command line) in the
 * layout of the process's bitness, and pluginlib/pe.c reads each module's exports
 * (symbols, MODULE!EXPORT, forwarders followed across modules). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "native.h"
#include "threads.h"
#include "pluginlib/pe.h"
#include "pluginlib/peb.h"
#include "pluginlib/pesyms.h"

/* NT_TIB.Self and TEB.ProcessEnvironmentBlock, x64 and x86 */
#define WINE_TEB64_SELF 0x30
#define WINE_TEB64_PEB 0x60
#define WINE_TEB32_SELF 0x18
#define WINE_TEB32_PEB 0x30

static int
wine_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const uint64_t *pid = ctx;
	struct mf_iov iov = { .addr = addr, .buf = buf, .len = len };
	char eb[MF_ERRBUF_SIZE];
	int r = native_rw(*pid, &iov, 1, 0, eb);

	return r < 0 ? r : iov.err;
}

int
wine_is_process(uint64_t pid, int *is64)
{
	char path[64], exe[4096];
	ssize_t n;

	native_path(path, sizeof path, (long long)pid, "exe");
	if ((n = readlink(path, exe, sizeof exe - 1)) <= 0)
		return 0;
	exe[n] = '\0';
	return wine_exe(exe, is64);
}

int
wine_exe(const char *exe, int *is64)
{
	const char *b = strrchr(exe, '/');

	b = b != NULL ? b + 1 : exe;
	*is64 = strcmp(b, "wine64") == 0 || strcmp(b, "wine64-preloader") == 0;
	return *is64 || strcmp(b, "wine") == 0 || strcmp(b, "wine-preloader") == 0;
}

/* The PEB of Wine process pid, *is64 set: from its main thread's TEB (gs_base for x64,
 * fs_base for i386), checked by the TEB's Self pointer. */
static int
wine_peb(void *handle, uint64_t pid, uint64_t *peb, int *is64, char *errbuf)
{
	const struct mf_host *host = *(const struct mf_host *const *)handle;
	struct mf_regs regs;
	uint64_t teb, self = 0, p = 0;
	size_t word;
	const char *reg;
	int r;

	if (!wine_is_process(pid, is64))
		return plib_error(errbuf, MF_ERR_NOTFOUND, "pid %llu is not a Wine process", (unsigned long long)pid);
	memset(&regs, 0, sizeof regs);
	regs.struct_size = sizeof regs;
	if ((r = native_thread_regs(handle, pid, pid, &regs, errbuf)) < 0)
		return r;
	/* (little-endian: a 4-byte pointer read into the low half of a zeroed uint64_t) */
	word = *is64 ? 8 : 4;
	teb = *is64 ? regs.u.x86_64.gs_base : regs.u.x86_64.fs_base;
	reg = *is64 ? "gs_base" : "fs_base";
	if ((r = wine_read(&pid, teb + (*is64 ? WINE_TEB64_SELF : WINE_TEB32_SELF), &self, word)) < 0 ||
	    (r = wine_read(&pid, teb + (*is64 ? WINE_TEB64_PEB : WINE_TEB32_PEB), &p, word)) < 0)
		return plib_error(errbuf, r, "pid %llu: cannot read its TEB at 0x%llx (%s)", (unsigned long long)pid,
		                  (unsigned long long)teb, reg);
	if (self != teb || p == 0)
		return plib_error(errbuf, MF_ERR_FORMAT, "pid %llu: %s 0x%llx is no TEB (its Self is 0x%llx)",
		                  (unsigned long long)pid, reg, (unsigned long long)teb, (unsigned long long)self);
	*peb = p;
	if (host != NULL && host->log != NULL)
		host->log(1, "pid %llu: PEB at 0x%llx (TEB 0x%llx, %s of its main thread)", (unsigned long long)pid,
		          (unsigned long long)p, (unsigned long long)teb, reg);
	return 0;
}

int
wine_process_info(void *handle, uint64_t pid, struct peb_info *info, char *errbuf)
{
	uint64_t peb;
	int r, is64;

	if ((r = wine_peb(handle, pid, &peb, &is64, errbuf)) < 0)
		return r;
	return peb_read(peb, is64, wine_read, &pid, info, errbuf);
}

/* ---- modules ---------------------------------------------------------------------------- */

struct wine_mods_ctx {
	uint64_t pid;
	uint32_t arch;                 /* MF_ARCH_X86_64 or MF_ARCH_X86_32 */
	mf_module_cb cb;
	void *ctx;
};

static int
wine_module_cb(void *ctx, const struct peb_module *pm)
{
	struct wine_mods_ctx *c = ctx;
	struct mf_module m = {
		.struct_size = sizeof m, .pid = c->pid, .name = pm->name, .path = pm->path, .base = pm->base,
		.size = pm->size, .arch = c->arch, .format = "pe",
	};
	struct pe_image *pe = malloc(sizeof *pe);
	struct pe_rsds rs;
	char why[MF_ERRBUF_SIZE], key[48];
	int r;

	/* the PDB it names, for a symbol server or a symbol directory */
	if (pe != NULL && pe_open(pe, pm->base, wine_read, &c->pid, why) == 0 && pe_rsds(pe, &rs, why) == 0) {
		pe_rsds_key(&rs, key, sizeof key);
		m.pdb = rs.pdb;
		m.pdb_id = key;
	}
	free(pe);
	r = c->cb(c->ctx, &m);
	return r;
}

int
wine_modules(void *handle, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf)
{
	struct wine_mods_ctx c = { .pid = pid, .cb = cb, .ctx = ctx };
	struct peb_info info;
	int r;

	if ((r = wine_process_info(handle, pid, &info, errbuf)) < 0)
		return r;
	c.arch = info.is64 ? MF_ARCH_X86_64 : MF_ARCH_X86_32;
	r = peb_modules(info.ldr, info.is64, PEB_LOAD_ORDER, wine_read, &pid, wine_module_cb, &c, errbuf);
	peb_info_free(&info);
	return r;
}

/* ---- exports as symbols (pluginlib/pesyms.c) --------------------------------------------- */

static int
wine_syms_add(void *ctx, const struct peb_module *pm)
{
	return pesyms_add(ctx, pm->name, pm->base, pm->size);
}

/* The process's modules from its loader list; s reads through *pid, which must outlive it. */
static int
wine_syms_open(void *handle, const uint64_t *pid, struct pesyms *s, char *errbuf)
{
	struct peb_info info;
	int r, is64;

	pesyms_init(s, *pid, wine_read, (void *)pid);
	if (!wine_is_process(*pid, &is64))
		return plib_error(errbuf, MF_ERR_UNSUPPORTED,
		                  "the native layer has symbols only for Wine processes (pid %llu is not one)",
		                  (unsigned long long)*pid);
	if ((r = wine_process_info(handle, *pid, &info, errbuf)) < 0)
		return r;
	r = peb_modules(info.ldr, info.is64, PEB_LOAD_ORDER, wine_read, (void *)pid, wine_syms_add, s, errbuf);
	peb_info_free(&info);
	if (r == MF_ERR_NOMEM)
		r = plib_error(errbuf, r, "out of memory");
	if (r < 0 && r != MF_ERR_LIMIT) {
		pesyms_free(s);
		return r;
	}
	return 0;   /* a list that loops: the modules before the loop */
}

int
wine_symbols(void *handle, uint64_t pid, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct pesyms s;
	int r;

	if ((r = wine_syms_open(handle, &pid, &s, errbuf)) < 0)
		return r;
	r = pesyms_symbols(&s, cb, ctx, errbuf);
	pesyms_free(&s);
	return r;
}

int
wine_symbol_lookup(void *handle, uint64_t pid, const char *name, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct pesyms s;
	int r;

	if ((r = wine_syms_open(handle, &pid, &s, errbuf)) < 0)
		return r;
	r = pesyms_lookup(&s, name, cb, ctx, errbuf);
	pesyms_free(&s);
	return r;
}

int
wine_symbol_at(void *handle, uint64_t pid, uint64_t addr, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct pesyms s;
	int r;

	if ((r = wine_syms_open(handle, &pid, &s, errbuf)) < 0)
		return r;
	r = pesyms_at(&s, addr, cb, ctx, errbuf);
	pesyms_free(&s);
	return r;
}
