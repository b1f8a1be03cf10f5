/* win32.c: the `win32` os layer: a Windows kernel in physical memory.  Open finds the
 * page-table root and ntoskrnl.exe (dtb.c, kernel.c), the build and the structure offsets
 * (offsets.c), in that order, and keeps what it found as hints so that a saved target
 * record opens without a new search; this file also reads kernel virtual memory for the
 * other parts and holds the descriptor. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pluginlib/bytes.h"
#include "pluginlib/seen.h"
#include "win32.h"

int
w32_kread(const struct w32 *w, uint64_t va, void *buf, size_t len)
{
	struct mf_iov iov = { .addr = va, .buf = buf, .len = len };
	int r;

	if (len == 0)
		return 0;
	if (w->phys->vread == NULL)
		return MF_ERR_UNSUPPORTED;
	r = w->phys->vread(w->phys->ctx, &w->kspace, &iov, 1);
	return r < 0 ? r : iov.err;
}

int
w32_kread_ptr(const struct w32 *w, uint64_t va, uint64_t *v)
{
	uint8_t b[8];
	int r = w32_kread(w, va, b, w->ptr);

	if (r == 0)
		*v = w32_ptr_at(w, b);
	return r;
}

uint64_t
w32_root_of(uint32_t arch, uint64_t cr3)
{
	if (arch == MF_ARCH_X86_PAE)
		return cr3 & 0xffffffe0u;
	if (arch == MF_ARCH_X86_32)
		return cr3 & 0xfffff000u;
	return cr3 & UINT64_C(0x000ffffffffff000);
}

void
w32_set_kspace(struct w32 *w, uint32_t arch, uint64_t root)
{
	w->kspace = (struct mf_space){ .arch = arch, .root = w32_root_of(arch, root) };
	w->is64 = arch == MF_ARCH_X86_64;
	w->ptr = w->is64 ? 8 : 4;
}

int
w32_pe_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return w32_kread(ctx, addr, buf, len);
}

int
w32_uread(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct w32_uspace *u = ctx;
	struct mf_iov iov = { .addr = addr, .buf = buf, .len = len };
	int r;

	if (len == 0)
		return 0;
	r = u->w->phys->vread(u->w->phys->ctx, &u->sp, &iov, 1);
	return r < 0 ? r : iov.err;
}

int
w32_list_step(const struct w32 *w, struct seen *seen, uint64_t e, unsigned n, unsigned max, const char *what,
              char *errbuf)
{
	int r;

	if (n == max) {
		w->host->log(0, "win32: %s runs past %u entries: the list ends there", what, max);
		return 0;
	}
	if (!w32_kptr_ok(w, e)) {
		w->host->log(0, "win32: %s leads to 0x%" PRIx64 ", not a kernel object: the list ends there", what, e);
		return 0;
	}
	if ((r = seen_add(seen, e)) < 0)
		return w->host->error(errbuf, MF_ERR_NOMEM, "out of memory");
	if (r == 0)
		w->host->log(0, "win32: %s loops back to 0x%" PRIx64 ": the list ends there", what, e);
	return r;
}

/* What was found, as hints: the next tool reopens from them without a search. */
static void
w32_store_hints(struct w32 *w)
{
	const struct mf_host *host = w->host;

	host->hint_set_str(w->hints, "arch", host->arch_name(w->kspace.arch));
	host->hint_set_u64(w->hints, "kernel_dtb", w->kspace.root);
	host->hint_set_u64(w->hints, "win32_dtb", w->kspace.root);
	host->hint_set_u64(w->hints, "kernel_base", w->kbase);
	host->hint_set_u64(w->hints, "build", w->build);
	if (w->ps_active_process_head != 0)
		host->hint_set_u64(w->hints, "ps_active_process_head", w->ps_active_process_head);
	if (w->ps_loaded_module_list != 0)
		host->hint_set_u64(w->hints, "ps_loaded_module_list", w->ps_loaded_module_list);
}

/* A saved target record: the root and the kernel base, checked, instead of a search. */
static bool
w32_from_record(struct w32 *w)
{
	const char *an = w->host->hint_get_str(w->hints, "arch");
	uint64_t root, base;
	uint32_t arch = MF_ARCH_X86_64;

	if (w->host->hint_get_u64(w->hints, "win32_dtb", &root) < 0 ||
	    w->host->hint_get_u64(w->hints, "kernel_base", &base) < 0 ||
	    (an != NULL && w->host->arch_parse(an, &arch) < 0))
		return false;
	w32_set_kspace(w, arch, root);
	if (!w32_kernel_at(w, base)) {
		w->host->log(0, "win32: the target record's kernel base 0x%" PRIx64 " holds no ntoskrnl.exe: searching", base);
		memset(&w->kspace, 0, sizeof w->kspace);
		return false;
	}
	w->host->log(1, "win32: page-table root 0x%" PRIx64 " (%s), ntoskrnl.exe at 0x%" PRIx64
	             " from the target record: no search", root, w->host->arch_name(arch), base);
	return true;
}

static void
w32_close(void *handle)
{
	struct w32 *w = handle;

	if (w == NULL)
		return;
	w32_kernel_free(w);
	free(w);
}

static int
w32_open(const struct mf_host *host, const struct mf_phys *phys, const struct mf_args *args,
         struct mf_hints *hints, void **handle, char *errbuf)
{
	struct w32 *w;
	int r;

	if (phys == NULL)
		return host->error(errbuf, MF_ERR_ARG, "the win32 os layer reads physical memory: give a connector with -c");
	if ((w = calloc(1, sizeof *w)) == NULL)
		return host->error(errbuf, MF_ERR_NOMEM, "out of memory");
	w->host = host;
	w->phys = phys;
	w->args = args;
	w->hints = hints;
	if (!w32_from_record(w) && (r = w32_dtb_find(w, errbuf)) < 0)
		goto fail;
	if ((r = w32_kernel_facts(w, errbuf)) < 0 || (r = w32_offsets_load(w, errbuf)) < 0)
		goto fail;
	if ((r = w32_dtb_refine(w)) < 0) {
		host->error(errbuf, r, "win32: ntoskrnl.exe at 0x%" PRIx64 " is no longer mapped", w->kbase);
		goto fail;
	}
	/* the list heads now, so that the target record carries them */
	if ((r = w32_process_head(w, errbuf)) < 0)
		host->log(1, "%s", errbuf);
	if (w->ps_loaded_module_list == 0 && (r = w32_module_list_find(w)) < 0) {
		if (r == MF_ERR_NOMEM)
			goto fail;
		host->log(1, "win32: no PsLoadedModuleList found in ntoskrnl.exe");
	}
	w32_store_hints(w);
	*handle = w;
	return 0;
fail:
	w32_close(w);
	return r;
}

static const char *const w32_keys[] = { "dtb", "pdb", "symdir", NULL };

static const struct mf_os w32_os = {
	MF_OS_INIT,
	.name = "win32",
	.description = "a Windows kernel in physical memory (x64, x86, x86 PAE; offsets from installed tables or a PDB)",
	.help =
		"  dtb=ADDR    the kernel's page-table root (CR3), when it is known\n"
		"  pdb=FILE    ntoskrnl's PDB (ntkrnlmp.pdb): structure offsets and symbols from it\n"
		"  symdir=DIR  a symbol server's cache: the PDB ntoskrnl.exe names, as\n"
		"              DIR/ntkrnlmp.pdb/GUIDAGE/ntkrnlmp.pdb (when no pdb= is given)\n"
		"  discovery: the architecture from the connector's hint, else x86_64, x86-pae\n"
		"    and x86 in turn; the page-table root from dtb=, else the connector's hint\n"
		"    (a crash dump's DirectoryTableBase), else the x64 processor start block in\n"
		"    low memory, else a self-referencing table found by scanning (x64 PML4, x86\n"
		"    directory, PAE last directory); then ntoskrnl.exe found by walking the page\n"
		"    map of kernel space for a PE image whose export directory names it, the\n"
		"    build from NtBuildNumber and KUSER_SHARED_DATA\n"
		"  offsets: the PDB, else the installed table of the build and architecture,\n"
		"    else of the nearest lower build (mf-attach -v says which)\n"
		"  processes (PsActiveProcessHead; create and exit times, exit status), their\n"
		"    threads (ThreadListHead), process modules (the PEB's loader lists, native\n"
		"    and WoW64), memory maps (the VAD tree), kernel modules\n"
		"    (PsLoadedModuleList) and their exports as the kernel's symbols\n",
	.keys = w32_keys,
	.thread_model = MF_THREAD_SERIALIZE_HANDLE,
	.open = w32_open,
	.close = w32_close,
	.processes = w32_processes,
	.process = w32_process,
	.modules = w32_modules,
	.maps = w32_maps,
	.threads = w32_threads,
	.symbols = w32_symbols,
};

MF_REGISTER_OS(w32_os)
