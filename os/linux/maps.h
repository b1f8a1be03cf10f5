/* maps.h: the VMA walker of the linux os layer (maps.c) and the os operations over it
 * (maps here, process modules in modules.c). */
#ifndef MF_OS_LINUX_MAPS_H
#define MF_OS_LINUX_MAPS_H

#include <stdint.h>

#include "tasks.h"

/* One VMA as read from its vm_area_struct. */
struct lx_vma {
	uint64_t addr;            /* the vm_area_struct */
	uint64_t start, end;      /* end exclusive */
	uint64_t flags;           /* vm_flags: VM_READ 1, VM_WRITE 2, VM_EXEC 4, VM_MAYSHARE 0x80 */
	uint64_t pgoff;           /* in pages */
	uint64_t file;            /* struct file *, 0 for anonymous memory */
	uint64_t ops, priv;       /* vm_ops, vm_private_data (special mappings' names) */
};

typedef int (*lx_vma_cb)(void *ctx, const struct lx_vma *v);
/* Every VMA of task T in address order (none for a kernel thread): 0, the callback's
 * non-zero value, or MF_ERR_* when the walk cannot start.  A tree or list that breaks is a warning and ends the walk
 * with what was read (0). */
int lx_vma_walk(const struct lx *lx, const struct lx_task *t, lx_vma_cb cb, void *ctx, char *errbuf);
/* The maps of task T as mf_map records (perms, offset, path or [heap]/[stack]/[vdso]). */
int lx_task_maps(const struct lx *lx, const struct lx_task *t, mf_map_cb cb, void *ctx, char *errbuf);

/* the os operations */
int lx_maps(void *handle, uint64_t pid, mf_map_cb cb, void *ctx, char *errbuf);
int lx_modules(void *handle, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf);

#endif
