/* fuzz-w32walk.c: libFuzzer target for the win32 layer's walkers of guest structures
 * (os/win32/processes.c: the active process list, image paths, the PEB and its command
 * line; modules.c: PsLoadedModuleList, module names, each module's PE headers and
 * exports, a process's loader list (pid 2000's); maps.c: its VAD tree; threads.c: its thread list; the list head found from the System process), which follow pointers through
 * memory an attacker may have written.  Input: kernel memory mapped at FZ_KBASE, where
 * the "ntoskrnl image" is (its first 0x40 bytes: PsActiveProcessHead at +0,
 * PsLoadedModuleList at +0x10, PsInitialSystemProcess at +0x20); user memory reads see
 * the same bytes from 0.  The first byte's bit 0 drops the list-head hint (the head is
 * then found from the System process); bit 0 of the byte at 0x3f makes the kernel an x86
 * PAE one (4-byte pointers, the 32-bit UNICODE_STRING and loader lists, the kernel at
 * FZ_KBASE32).  The struct layout
 * is this file's own (fz_layout), small so that the structures fit the input.  Every walk
 * must end, whatever the bytes say. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz-util.h"
#include "libmf/mf-int.h"
#include "win32.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_KBASE 0xfffff80000000000ull
#define FZ_KBASE32 0x80000000ull

static void
fz_layout(uint64_t *o)
{
	o[W32_KPROCESS_DTB] = 0x08;
	o[W32_EPROCESS_PID] = 0x10;
	o[W32_EPROCESS_LINKS] = 0x18;
	o[W32_EPROCESS_CREATE_TIME] = 0x28;
	o[W32_EPROCESS_PPID] = 0x30;
	o[W32_EPROCESS_PEB] = 0x38;
	o[W32_EPROCESS_WOW64] = 0x40;
	o[W32_EPROCESS_NAME] = 0x48;
	o[W32_EPROCESS_AUDIT] = 0x58;
	o[W32_EPROCESS_EXIT_STATUS] = 0x60;
	o[W32_EPROCESS_VAD_ROOT] = 0x68;
	o[W32_EPROCESS_EXIT_TIME] = 0x70;
	o[W32_LDR_LINKS] = 0x00;
	o[W32_LDR_BASE] = 0x30;
	o[W32_LDR_SIZE] = 0x40;
	o[W32_LDR_FULL_NAME] = 0x48;
	o[W32_LDR_BASE_NAME] = 0x58;
	o[W32_EWOW64_PEB] = 0x00;
	o[W32_VAD_LEFT] = 0x00;
	o[W32_VAD_RIGHT] = 0x08;
	o[W32_VAD_START] = 0x18;
	o[W32_VAD_END] = 0x1c;
	o[W32_VAD_START_HIGH] = 0x20;
	o[W32_VAD_END_HIGH] = 0x21;
	o[W32_VAD_FLAGS] = 0x30;
	o[W32_VADF_PROTECTION] = W32_BITS(7, 5);
	o[W32_VADF_PRIVATE] = W32_BITS(20, 1);
	o[W32_VAD_SUBSECTION] = 0x48;
	o[W32_SUBSECTION_CA] = 0x00;
	o[W32_CA_FILE] = 0x40;
	o[W32_FILE_NAME] = 0x58;
	o[W32_EPROCESS_THREADS] = 0x78;
	o[W32_ETHREAD_LINKS] = 0x10;
	o[W32_ETHREAD_TID] = 0x20;
	o[W32_KTHREAD_STATE] = 0x28;
	o[W32_ETHREAD_NAME] = 0x30;
}

static int
fz_proc(void *ctx, const struct mf_process *p)
{
	(void)ctx;
	if (p->name == NULL || p->cmdline == NULL || p->path == NULL || p->state == NULL)
		abort();
	return 0;
}

static int
fz_mod(void *ctx, const struct mf_module *m)
{
	(void)ctx;
	if (m->name == NULL || m->path == NULL || m->pdb == NULL || m->pdb_id == NULL)
		abort();
	return 0;
}

static int
fz_map(void *ctx, const struct mf_map *m)
{
	(void)ctx;
	if (m->start >= m->end || m->perms == NULL || strlen(m->perms) != 4 || m->path == NULL)
		abort();
	return 0;
}

static int
fz_thread(void *ctx, const struct mf_thread *t)
{
	(void)ctx;
	if (t->name == NULL || t->state == NULL)
		abort();
	return 0;
}

static int
fz_sym(void *ctx, const struct mf_symbol *s)
{
	(void)ctx;
	if (s->name == NULL || s->module == NULL || s->forward == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_mem mem = { .img = data, .len = size, .kbase = FZ_KBASE };
	struct mf_phys phys = { .struct_size = sizeof phys, .ctx = &mem, .vread = fz_vread };
	struct w32 *w;
	uint64_t kbase;
	char err[MF_ERRBUF_SIZE];

	if (size < 0x40 || (w = calloc(1, sizeof *w)) == NULL)
		return 0;
	kbase = data[0x3f] & 1 ? FZ_KBASE32 : FZ_KBASE;
	mem.kbase = kbase;
	w->host = &mfint_host;
	w->phys = &phys;
	w32_set_kspace(w, data[0x3f] & 1 ? MF_ARCH_X86_PAE : MF_ARCH_X86_64, 0);
	w->kbase = kbase;
	w->ksize = 0x40;
	if ((data[0] & 1) == 0)
		w->ps_active_process_head = kbase;
	w->ps_loaded_module_list = kbase + 0x10;
	w->ps_initial_system_process = kbase + 0x20;
	fz_layout(w->off);
	w->have_vad = true;
	w->have_threads = true;
	w32_processes(w, fz_proc, NULL, err);
	w32_process(w, 4, fz_proc, NULL, err);
	w32_modules(w, 0, fz_mod, NULL, err);
	w32_modules(w, 2000, fz_mod, NULL, err);
	w32_maps(w, 2000, fz_map, NULL, err);
	w32_threads(w, 2000, fz_thread, NULL, err);
	w32_symbols(w, 0, fz_sym, NULL, err);
	w32_kernel_free(w);
	free(w);
	return 0;
}
