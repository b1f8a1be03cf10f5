/* fuzz-lxwalk.c: libFuzzer target for the linux layer's walkers of guest structures
 * (os/linux/tasks.c: the task list, threads, command lines; maps.c: the maple tree and the
 * VMA list; paths.c: dentry chains), which follow pointers through memory an attacker
 * may have written.  Input: a flags byte (bit 0: the VMA list instead of the maple tree),
 * then kernel memory mapped at FZ_KBASE, where init_task is; user memory reads see the
 * same bytes.  The struct layout is this file's own (lx_off below), small so that the
 * structures fit the input.  Every walk must end, whatever the bytes say. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-util.h"
#include "libmf/mf-int.h"
#include "linux.h"
#include "lxtypes.h"
#include "maps.h"
#include "tasks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_KBASE 0xffff888000000000ull
#define F(o, s) ((struct lx_field){ (o), (s) })
#define NONE F(LX_NONE, LX_NONE)

/* The kernel's page-table root is where it points in the input. */
static int
fz_vtop(void *ctx, const struct mf_space *sp, uint64_t va, uint64_t *pa)
{
	const struct fz_mem *m = ctx;

	(void)sp;
	if (va < FZ_KBASE || va - FZ_KBASE >= m->len)
		return MF_ERR_NOTMAPPED;
	*pa = va - FZ_KBASE;
	return 0;
}

static void
fz_layout(struct lx_off *o, int vma_list)
{
	memset(o, 0xff, sizeof *o);   /* every field LX_NONE unless set */
	o->task_size = 0xa0;
	o->task_tasks = F(0x10, 16);
	o->task_pid = F(0x20, 4);
	o->task_tgid = F(0x24, 4);
	o->task_real_parent = F(0x28, 8);
	o->task_group_leader = F(0x30, 8);
	o->task_comm = F(0x38, 16);
	o->task_state = F(0x48, 4);
	o->task_exit_state = F(0x4c, 4);
	o->task_flags = F(0x50, 4);
	o->task_mm = F(0x58, 8);
	o->task_cred = F(0x60, 8);
	o->task_start_time = F(0x68, 8);
	o->task_thread_group = F(0x70, 16);
	o->task_signal = F(0x80, 8);
	o->cred_size = 0x10;
	o->cred_uid = F(0x4, 4);
	o->cred_gid = F(0x8, 4);
	o->mm_size = 0x80;
	o->mm_pgd = F(0x0, 8);
	if (vma_list)
		o->mm_mmap = F(0x10, 8);
	else {
		o->mm_mt_flags = F(0x8, 4);
		o->mm_mt_root = F(0x10, 8);
	}
	o->mm_arg_start = F(0x18, 8);
	o->mm_arg_end = F(0x20, 8);
	o->mm_env_start = F(0x28, 8);
	o->mm_env_end = F(0x30, 8);
	o->mm_exe_file = F(0x38, 8);
	o->mm_start_brk = F(0x40, 8);
	o->mm_brk = F(0x48, 8);
	o->mm_start_stack = F(0x50, 8);
	o->mm_vdso = F(0x58, 8);
	o->vma_size = 0x48;
	o->vma_start = F(0x0, 8);
	o->vma_end = F(0x8, 8);
	o->vma_flags = F(0x10, 8);
	o->vma_pgoff = F(0x18, 8);
	o->vma_file = F(0x20, 8);
	o->vma_next = F(0x28, 8);
	o->vma_ops = F(0x30, 8);
	o->vma_private = F(0x38, 8);
	o->file_dentry = F(0x8, 8);
	o->file_mnt = F(0x0, 8);
	o->dentry_size = 0x30;
	o->dentry_parent = F(0x0, 8);
	o->dentry_name = F(0x10, 8);
	o->dentry_len = F(0x8, 4);
	o->mount_size = 0x40;
	o->mount_parent = F(0x0, 8);
	o->mount_mountpoint = F(0x8, 8);
	o->mount_mnt = F(0x10, 8);
	o->vfsmount_root = F(0x0, 8);
}

static int
fz_proc(void *ctx, const struct mf_process *p)
{
	uint64_t *pids = ctx;

	if (p->name == NULL || p->cmdline == NULL || p->path == NULL)
		abort();
	if (pids[0] < 4)
		pids[1 + pids[0]++] = p->pid;
	return 0;
}

static int
fz_map(void *ctx, const struct mf_map *m)
{
	(void)ctx;
	if (m->start >= m->end || m->perms == NULL || m->path == NULL)
		abort();
	return 0;
}

static int
fz_thread(void *ctx, const struct mf_thread *t)
{
	(void)ctx;
	if (t->name == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_mem mem = { .kbase = FZ_KBASE };
	struct mf_phys phys = { .struct_size = sizeof phys, .ctx = &mem, .vread = fz_vread, .vtop = fz_vtop };
	struct lx_types types;
	struct lx lx;
	char err[MF_ERRBUF_SIZE];
	uint64_t pids[5] = { 0 };
	size_t i;

	if (size < 1)
		return 0;
	mem.img = data + 1;
	mem.len = size - 1;
	memset(&types, 0, sizeof types);
	fz_layout(&types.off, data[0] & 1);
	memset(&lx, 0, sizeof lx);
	lx.host = &mfint_host;
	lx.phys = &phys;
	lx.kspace = (struct mf_space){ .arch = MF_ARCH_X86_64 };
	lx.init_task = FZ_KBASE;
	lx.page_offset_base = FZ_KBASE;
	lx.types = &types;
	snprintf(lx.ksyms_why, sizeof lx.ksyms_why, "no kallsyms in a fuzz input");
	lx_processes(&lx, fz_proc, pids, err);
	for (i = 0; i < pids[0]; i++) {
		lx_maps(&lx, pids[1 + i], fz_map, NULL, err);
		lx_threads(&lx, pids[1 + i], fz_thread, NULL, err);
	}
	return 0;
}
