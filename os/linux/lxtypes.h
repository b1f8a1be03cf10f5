/* lxtypes.h: the kernel's types (btf.c) as the walkers of the linux os layer use them:
 * a small lookup API over the kernel's BTF and the struct of offsets filled once at open
 * (tasks.c, maps.c, paths.c, modules.c read their fields through it).
 *
 * An offset or size that the kernel's BTF does not have is LX_NONE: a walker that needs
 * it says so; one that has an alternative (the VMA list before the maple tree) takes it. */
#ifndef MF_OS_LINUX_LXTYPES_H
#define MF_OS_LINUX_LXTYPES_H

#include <stddef.h>
#include <stdint.h>

#include "linux.h"

#define LX_NONE UINT32_MAX
#define LX_BTF_MAX (64u << 20)     /* a larger vmlinux BTF is not believed */
#define LX_TYPE_DEPTH 32           /* typedef/modifier chains and anonymous nesting */

/* A member: its byte offset in its struct and its size (LX_NONE when absent). */
struct lx_field {
	uint32_t off;
	uint32_t size;
};

/* Everything the walkers need, looked up once. */
struct lx_off {
	uint32_t task_size, mm_size, vma_size, module_size, cred_size, dentry_size, mount_size,
		seqcount_raw_size;
	/* task_struct */
	struct lx_field task_tasks, task_pid, task_tgid, task_real_parent, task_group_leader,
		task_comm, task_state, task_exit_state, task_flags, task_mm, task_cred,
		task_start_time, task_start_boottime, task_exit_code, task_thread_group,
		task_thread_node, task_signal;
	/* signal_struct (thread_head: 6.4+ thread list) */
	struct lx_field signal_thread_head;
	/* cred */
	struct lx_field cred_uid, cred_gid;
	/* mm_struct */
	struct lx_field mm_pgd, mm_mt_root, mm_mt_flags, mm_mmap, mm_arg_start, mm_arg_end,
		mm_env_start, mm_env_end, mm_exe_file, mm_start_brk, mm_brk, mm_start_stack,
		mm_vdso;
	/* vm_area_struct */
	struct lx_field vma_start, vma_end, vma_flags, vma_pgoff, vma_file, vma_next, vma_ops,
		vma_private;
	/* file, path, dentry, qstr, mount */
	struct lx_field file_dentry, file_mnt, dentry_parent, dentry_name, dentry_len,
		mount_mnt, mount_parent, mount_mountpoint, vfsmount_root;
	/* module: before 6.4 core_layout, after mem[] */
	struct lx_field mod_list, mod_name, mod_state, mod_core_base, mod_core_size, mod_mem,
		mod_mem_base, mod_mem_size, mod_mkobj_mod;
	uint32_t mod_mem_count, mod_mem_stride;
	/* timekeeper (in tk_core: after a seqcount_raw_spinlock_t, or tk_data.timekeeper) */
	struct lx_field tk_offs_real, tk_offs_boot, tkd_timekeeper;
};

struct btf;

struct lx_types {
	struct btf *btf;
	uint64_t va;              /* __start_BTF (0 when read from a file) */
	uint64_t size;
	uint32_t ntypes;          /* btf__type_cnt: ids 1..ntypes-1 */
	struct lx_off off;
};

/* lx_types_load (linux.h) reads the blob at __start_BTF in 1 MiB chunks, parses it and
 * fills the offsets.  The parsing step alone, on a buffer: header checked, btf__new (which
 * copies the blob), t->btf, t->size and t->ntypes set.  Free t->btf with lx_types_free. */
int lx_types_parse(struct lx_types *t, const uint8_t *blob, size_t len, char *errbuf);
/* Check the BTF header of a blob: 0, or MF_ERR_FORMAT with the reason in errbuf. */
int lx_btf_check_header(const uint8_t *blob, size_t len, char *errbuf);

/* The struct or union called NAME: its type id, or MF_ERR_NOTFOUND. */
int lx_btf_find(const struct lx_types *t, const char *name, uint32_t *id);
/* Size in bytes of struct/union NAME. */
int lx_btf_size(const struct lx_types *t, const char *name, uint64_t *size);
/* Offset and size of PATH in struct/union TYPE.  PATH is members separated by '.', each
 * found in the struct or in its anonymous struct/union members at any depth, with
 * optional [N] array indexes ("mm_mt.ma_root", "mem[0].base").  MF_ERR_NOTFOUND when a
 * member is missing, MF_ERR_UNSUPPORTED for a bitfield, MF_ERR_FORMAT for a broken type
 * graph, MF_ERR_RANGE for an index outside the array. */
int lx_btf_member(const struct lx_types *t, const char *type, const char *path, uint64_t *off,
                  uint64_t *size);
/* Number of elements of the array member PATH of TYPE. */
int lx_btf_nelems(const struct lx_types *t, const char *type, const char *path, uint32_t *n);

/* Fill t->off from t->btf.  Missing members are LX_NONE; members every kernel has
 * (task_struct.tasks, pid, comm ...) missing is MF_ERR_FORMAT. */
int lx_off_load(struct lx_types *t, char *errbuf);
/* Log (host->log level 2: mf-attach -vv) every size and offset lx_off_load found, as
 * "BTF offset of TYPE.PATH: OFF (SIZE bytes)", for checks against pahole. */
void lx_off_log(const struct lx_types *t, const struct mf_host *host);
/* An id of the table of offsets lx_off_load fills (its members and their order): a saved
 * struct lx_off is used only by a build with the same id. */
uint32_t lx_off_layout_id(void);

/* A field of a struct read into a buffer of `len` bytes: the value (little-endian, of
 * the member's size: 1, 2, 4 or 8 bytes), 0 when the field is absent or outside. */
uint64_t lx_get(const uint8_t *buf, size_t len, struct lx_field f);
static inline int lx_has(struct lx_field f) { return f.off != LX_NONE; }

#endif
