/* minidump.c: the minidump os layer: the one process of a Windows process minidump, over
 * the minidump connector (whose address space is the process's virtual memory, and whose
 * hint "minidump" holds the dump's metadata: pluginlib/minidump.c parses it, the same
 * parser the connector ran on the file).
 *   process   the pid from MiscInfoStream; the image path and command line from the
 *             PEB (the first thread's TEB, when the dump holds them), else the first
 *             module's path
 *   modules   ModuleListStream: paths, bases, sizes; the PDB from each CodeView record,
 *             else from the image's own debug directory when the dump holds its headers
 *   threads   ThreadListStream: ids, TEBs; registers from each thread's CONTEXT
 *   maps      MemoryInfoListStream (ranges, protections), else the memory ranges held
 *   symbols   each module's exports, read from the image in memory (pluginlib/pesyms.c)
 * Process memory is the connector's address space, read as it is. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <mftools/plugin.h>
#include "pluginlib/error.h"
#include "pluginlib/minidump.h"
#include "pluginlib/pe.h"
#include "pluginlib/peb.h"
#include "pluginlib/pesyms.h"

#define MDO_TEB_PEB64 0x60
#define MDO_TEB_PEB32 0x30

struct mdo {
	const struct mf_host *host;
	const struct mf_phys *phys;
	struct md m;
	int is64;
	int peb_state;             /* 0 not read yet, 1 read, -1 none */
	struct peb_info peb;
	char *name;                /* the image's name */
};

static const char *const mdo_keys[] = { NULL };

/* pe_read_fn over the process's memory */
static int
mdo_mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct mdo *o = ctx;
	struct mf_iov iov = { .addr = addr, .buf = buf, .len = len };
	int r = o->phys->read(o->phys->ctx, &iov, 1);

	return r < 0 ? r : iov.err;
}

static void
mdo_close(void *handle)
{
	struct mdo *o = handle;

	if (o == NULL)
		return;
	md_free(&o->m);
	if (o->peb_state == 1)
		peb_info_free(&o->peb);
	free(o->name);
	free(o);
}

static int
mdo_open(const struct mf_host *host, const struct mf_phys *phys, const struct mf_args *args, struct mf_hints *hints,
         void **handle, char *errbuf)
{
	struct md_blob_src src;
	const void *blob;
	struct mdo *o;
	size_t len;
	int r;

	(void)args;
	if ((blob = host->hint_get_bin(hints, "minidump", &len)) == NULL)
		return host->error(errbuf, MF_ERR_ARG, "minidump: the target is no minidump (open the .dmp file with -c "
		                   "minidump:FILE)");
	if ((r = md_blob_open(&src, blob, len, errbuf)) < 0)
		return r;
	if ((o = calloc(1, sizeof *o)) == NULL) {
		md_blob_close(&src);
		return host->error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	o->host = host;
	o->phys = phys;
	r = md_parse(&o->m, "minidump", md_blob_read, &src, src.fsize, 0, errbuf);
	md_blob_close(&src);
	if (r < 0) {
		free(o);
		return r;
	}
	if (!o->m.has_pid) {
		mdo_close(o);
		return host->error(errbuf, MF_ERR_FORMAT, "minidump: the dump names no process id (no MiscInfoStream with one)");
	}
	if (o->m.arch != MF_ARCH_X86_64 && o->m.arch != MF_ARCH_X86_32) {
		host->log(0, "minidump: processor architecture %u is not x86 or x64: no PEB, no registers", o->m.cpu_arch);
		o->peb_state = -1;
	}
	o->is64 = o->m.arch == MF_ARCH_X86_64;
	*handle = o;
	return 0;
}

/* The PEB from the first thread's TEB, read once. */
static const struct peb_info *
mdo_peb(struct mdo *o)
{
	char eb[MF_ERRBUF_SIZE];
	uint64_t peb = 0;
	uint32_t peb32;

	if (o->peb_state == 0) {
		o->peb_state = -1;
		if (o->m.nthreads == 0 || o->m.threads[0].teb == 0)
			return NULL;
		if (o->is64 ? mdo_mem_read(o, o->m.threads[0].teb + MDO_TEB_PEB64, &peb, 8) < 0
		            : mdo_mem_read(o, o->m.threads[0].teb + MDO_TEB_PEB32, &peb32, 4) < 0) {
			o->host->log(1, "minidump: the TEB at 0x%" PRIx64 " is not in the dump: no PEB", o->m.threads[0].teb);
			return NULL;
		}
		if (!o->is64)
			peb = peb32;
		if (peb == 0 || peb_read(peb, o->is64, mdo_mem_read, o, &o->peb, eb) < 0) {
			o->host->log(1, "minidump: no PEB at 0x%" PRIx64 " (TEB 0x%" PRIx64 ")", peb, o->m.threads[0].teb);
			return NULL;
		}
		o->host->log(1, "minidump: PEB at 0x%" PRIx64 " (TEB 0x%" PRIx64 ")", peb, o->m.threads[0].teb);
		o->peb_state = 1;
	}
	return o->peb_state == 1 ? &o->peb : NULL;
}

static int
mdo_check_pid(const struct mdo *o, uint64_t pid, char *errbuf)
{
	if (pid != o->m.pid)
		return o->host->error(errbuf, MF_ERR_NOTFOUND, "no process with pid %" PRIu64 " (the minidump is of pid %u)", pid,
		                      o->m.pid);
	return 0;
}

static int
mdo_processes(void *handle, mf_process_cb cb, void *ctx, char *errbuf)
{
	struct mdo *o = handle;
	const struct peb_info *peb = mdo_peb(o);
	const char *path = o->m.nmods ? o->m.mods[0].path : "";
	const char *name = o->m.nmods ? o->m.mods[0].name : "";
	struct mf_process p = {
		.struct_size = sizeof p, .pid = o->m.pid, .state = "", .uid = -1, .arch = o->m.arch, .cmdline = "",
	};

	(void)errbuf;
	if (peb != NULL && peb->image_path[0] != '\0') {
		const char *bs = strrchr(peb->image_path, '\\');

		path = peb->image_path;
		name = bs ? bs + 1 : path;
	}
	if (peb != NULL)
		p.cmdline = peb->cmdline;
	p.path = path;
	p.name = name;
	return cb(ctx, &p);
}

static int
mdo_process(void *handle, uint64_t pid, mf_process_cb cb, void *ctx, char *errbuf)
{
	struct mdo *o = handle;
	int r = mdo_check_pid(o, pid, errbuf);

	return r < 0 ? r : mdo_processes(handle, cb, ctx, errbuf);
}

static int
mdo_modules(void *handle, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf)
{
	struct mdo *o = handle;
	struct pe_image *pe = NULL;
	int r;

	if ((r = mdo_check_pid(o, pid, errbuf)) < 0)
		return r;
	for (size_t i = 0; i < o->m.nmods && r == 0; i++) {
		const struct md_module *d = &o->m.mods[i];
		struct mf_module mod = {
			.struct_size = sizeof mod, .pid = pid, .name = d->name, .path = d->path, .base = d->base,
			.size = d->size, .arch = o->m.arch, .format = "pe", .pdb = d->pdb, .pdb_id = d->pdb ? d->pdb_id : NULL,
		};
		struct pe_rsds rs;
		char why[MF_ERRBUF_SIZE], key[48];

		/* no CodeView record in the dump (Wine writes none): the image's own, if held */
		if (d->pdb == NULL && (pe != NULL || (pe = malloc(sizeof *pe)) != NULL) &&
		    pe_open(pe, d->base, mdo_mem_read, o, why) == 0 && pe_rsds(pe, &rs, why) == 0) {
			pe_rsds_key(&rs, key, sizeof key);
			mod.pdb = rs.pdb;
			mod.pdb_id = key;
		}
		r = cb(ctx, &mod);
	}
	free(pe);
	return r;
}

static int
mdo_maps(void *handle, uint64_t pid, mf_map_cb cb, void *ctx, char *errbuf)
{
	struct mdo *o = handle;
	const struct md *m = &o->m;
	int r;

	if ((r = mdo_check_pid(o, pid, errbuf)) < 0)
		return r;
	if (m->has_infos) {
		for (size_t i = 0; i < m->ninfos && r == 0; i++) {
			const struct md_info *in = &m->infos[i];
			const struct md_module *mod = in->type == 0x1000000 ? md_module_at(m, in->base) : NULL;
			struct mf_map map = { .struct_size = sizeof map, .pid = pid, .start = in->base, .path = mod ? mod->path : "" };
			char perms[5];

			if (in->state == 0x10000 || in->size == 0 || in->base + in->size < in->base)
				continue;   /* free */
			md_info_perms(in, perms);
			map.end = in->base + in->size;
			map.perms = perms;
			r = cb(ctx, &map);
		}
		return r;
	}
	/* no region list: the ranges the dump holds, adjacent ones of one module merged */
	for (size_t i = 0; i < m->nmem && r == 0; i++) {
		const struct md_module *mod = md_module_at(m, m->mem[i].va);
		struct mf_map map = { .struct_size = sizeof map, .pid = pid, .start = m->mem[i].va, .perms = "",
		                      .path = mod ? mod->path : "" };

		map.end = m->mem[i].va + m->mem[i].size;
		while (i + 1 < m->nmem && m->mem[i + 1].va == map.end && md_module_at(m, m->mem[i + 1].va) == mod) {
			i++;
			map.end = m->mem[i].va + m->mem[i].size;
		}
		r = cb(ctx, &map);
	}
	return r;
}

static int
mdo_read(void *handle, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct mdo *o = handle;
	int r;

	if ((r = mdo_check_pid(o, pid, errbuf)) < 0)
		return r;
	if ((r = o->phys->read(o->phys->ctx, iov, n)) < 0)
		return o->host->error(errbuf, r, "cannot read the minidump");
	for (size_t i = 0; i < n; i++)
		if (iov[i].err == MF_ERR_UNMAPPED)
			iov[i].err = MF_ERR_NOTMAPPED;   /* the dump does not hold it */
	return 0;
}

static int
mdo_threads(void *handle, uint64_t pid, mf_thread_cb cb, void *ctx, char *errbuf)
{
	struct mdo *o = handle;
	int r;

	if ((r = mdo_check_pid(o, pid, errbuf)) < 0)
		return r;
	for (size_t i = 0; i < o->m.nthreads && r == 0; i++) {
		struct mf_thread t = { .struct_size = sizeof t, .pid = pid, .tid = o->m.threads[i].tid, .name = "",
		                       .state = o->m.threads[i].suspend_count ? "T" : "", .addr = o->m.threads[i].teb };

		r = cb(ctx, &t);
	}
	return r;
}

static int
mdo_thread_regs(void *handle, uint64_t pid, uint64_t tid, struct mf_regs *regs, char *errbuf)
{
	struct mdo *o = handle;
	const struct md_thread *t;
	struct mf_regs tmp;
	size_t n;
	int r;

	if ((r = mdo_check_pid(o, pid, errbuf)) < 0)
		return r;
	if ((t = md_thread_find(&o->m, tid)) == NULL)
		return o->host->error(errbuf, MF_ERR_NOTFOUND, "no thread %" PRIu64 " in the minidump of pid %u", tid, o->m.pid);
	memset(&tmp, 0, sizeof tmp);
	if ((r = md_thread_regs(&o->m, t, &tmp, errbuf)) < 0)
		return r;
	/* write nothing beyond what the host's struct has */
	n = regs->struct_size < sizeof tmp ? regs->struct_size : sizeof tmp;
	tmp.struct_size = regs->struct_size;
	memcpy(regs, &tmp, n);
	return 0;
}

static int
mdo_environment(void *handle, uint64_t pid, uint8_t *buf, size_t cap, size_t *len, char *errbuf)
{
	struct mdo *o = handle;
	const struct peb_info *peb;
	int r;

	if ((r = mdo_check_pid(o, pid, errbuf)) < 0)
		return r;
	if ((peb = mdo_peb(o)) == NULL || peb->env_len == 0)
		return o->host->error(errbuf, MF_ERR_NOTFOUND, "pid %u: the minidump holds no environment (no PEB)", o->m.pid);
	*len = peb->env_len < cap ? peb->env_len : cap;
	memcpy(buf, peb->env, *len);
	return 0;
}

/* ---- symbols: the modules' exports ---- */

enum mdo_sym_op { MDO_SYMS, MDO_LOOKUP, MDO_AT };

static int
mdo_syms(struct mdo *o, uint64_t pid, enum mdo_sym_op op, const char *name, uint64_t addr, mf_symbol_cb cb, void *ctx,
         char *errbuf)
{
	struct pesyms s;
	int r;

	if ((r = mdo_check_pid(o, pid, errbuf)) < 0)
		return r;
	pesyms_init(&s, pid, mdo_mem_read, o);
	for (size_t i = 0; i < o->m.nmods && r == 0; i++)
		r = pesyms_add(&s, o->m.mods[i].name, o->m.mods[i].base, o->m.mods[i].size);
	if (r == 0)
		r = op == MDO_SYMS ? pesyms_symbols(&s, cb, ctx, errbuf) : op == MDO_LOOKUP ? pesyms_lookup(&s, name, cb, ctx, errbuf)
		                                                                          : pesyms_at(&s, addr, cb, ctx, errbuf);
	else
		o->host->error(errbuf, r, "out of memory");
	pesyms_free(&s);
	return r;
}

static int
mdo_symbols(void *handle, uint64_t pid, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	return mdo_syms(handle, pid, MDO_SYMS, NULL, 0, cb, ctx, errbuf);
}

static int
mdo_symbol_lookup(void *handle, uint64_t pid, const char *name, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	return mdo_syms(handle, pid, MDO_LOOKUP, name, 0, cb, ctx, errbuf);
}

static int
mdo_symbol_at(void *handle, uint64_t pid, uint64_t addr, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	return mdo_syms(handle, pid, MDO_AT, NULL, addr, cb, ctx, errbuf);
}

static const struct mf_os mdo_os = {
	MF_OS_INIT,
	.name = "minidump",
	.description = "the process of a Windows minidump (over the minidump connector)",
	.help = "  (no arguments) the process, modules, threads, registers, memory regions and exports of a\n"
		"  minidump opened with -c minidump:FILE (chosen by itself for such a target)\n",
	.keys = mdo_keys,
	.open = mdo_open,
	.close = mdo_close,
	.processes = mdo_processes,
	.process = mdo_process,
	.modules = mdo_modules,
	.maps = mdo_maps,
	.read = mdo_read,
	.symbols = mdo_symbols,
	.symbol_lookup = mdo_symbol_lookup,
	.symbol_at = mdo_symbol_at,
	.threads = mdo_threads,
	.thread_regs = mdo_thread_regs,
	.environment = mdo_environment,
};

MF_REGISTER_OS(mdo_os)
