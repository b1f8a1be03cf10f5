/* offsets.c: every struct offset and size the linux layer's walkers use, looked up once in
 * the kernel's BTF (btf.c) into struct lx_off: one table, nothing compiled in for one
 * kernel.  Alternatives cover renames across versions (task_struct.state became __state
 * in 5.14; module.core_layout became mem[] in 6.4; mm_struct.mmap gave way to the maple
 * tree in 6.1). */
#include "config.h"

#include <string.h>

#include "lxtypes.h"
#include "pluginlib/error.h"

/* ---- the offsets the walkers use ---------------------------------------------------------- */

#define LX_F(field) offsetof(struct lx_off, field)
#define LX_REQ 1

/* TYPE, PATH ('|' separates alternatives, the first found wins), where, required. */
static const struct lx_off_spec {
	const char *type;
	const char *path;
	size_t where;
	int req;
} lx_off_specs[] = {
	{ "task_struct", "tasks", LX_F(task_tasks), LX_REQ },
	{ "task_struct", "pid", LX_F(task_pid), LX_REQ },
	{ "task_struct", "tgid", LX_F(task_tgid), LX_REQ },
	{ "task_struct", "real_parent", LX_F(task_real_parent), LX_REQ },
	{ "task_struct", "group_leader", LX_F(task_group_leader), 0 },
	{ "task_struct", "comm", LX_F(task_comm), LX_REQ },
	{ "task_struct", "__state|state", LX_F(task_state), LX_REQ },
	{ "task_struct", "exit_state", LX_F(task_exit_state), 0 },
	{ "task_struct", "flags", LX_F(task_flags), LX_REQ },
	{ "task_struct", "mm", LX_F(task_mm), LX_REQ },
	{ "task_struct", "real_cred|cred", LX_F(task_cred), 0 },
	{ "task_struct", "start_time", LX_F(task_start_time), 0 },
	{ "task_struct", "start_boottime|real_start_time", LX_F(task_start_boottime), 0 },
	{ "task_struct", "exit_code", LX_F(task_exit_code), 0 },
	{ "task_struct", "thread_group", LX_F(task_thread_group), 0 },
	{ "task_struct", "thread_node", LX_F(task_thread_node), 0 },
	{ "task_struct", "signal", LX_F(task_signal), 0 },
	{ "signal_struct", "thread_head", LX_F(signal_thread_head), 0 },
	{ "cred", "uid", LX_F(cred_uid), 0 },
	{ "cred", "gid", LX_F(cred_gid), 0 },
	{ "mm_struct", "pgd", LX_F(mm_pgd), LX_REQ },
	{ "mm_struct", "mm_mt.ma_root", LX_F(mm_mt_root), 0 },
	{ "mm_struct", "mm_mt.ma_flags", LX_F(mm_mt_flags), 0 },
	{ "mm_struct", "mmap", LX_F(mm_mmap), 0 },
	{ "mm_struct", "arg_start", LX_F(mm_arg_start), 0 },
	{ "mm_struct", "arg_end", LX_F(mm_arg_end), 0 },
	{ "mm_struct", "env_start", LX_F(mm_env_start), 0 },
	{ "mm_struct", "env_end", LX_F(mm_env_end), 0 },
	{ "mm_struct", "exe_file", LX_F(mm_exe_file), 0 },
	{ "mm_struct", "start_brk", LX_F(mm_start_brk), 0 },
	{ "mm_struct", "brk", LX_F(mm_brk), 0 },
	{ "mm_struct", "start_stack", LX_F(mm_start_stack), 0 },
	{ "mm_struct", "context.vdso", LX_F(mm_vdso), 0 },
	{ "vm_area_struct", "vm_start", LX_F(vma_start), 0 },
	{ "vm_area_struct", "vm_end", LX_F(vma_end), 0 },
	{ "vm_area_struct", "vm_flags", LX_F(vma_flags), 0 },
	{ "vm_area_struct", "vm_pgoff", LX_F(vma_pgoff), 0 },
	{ "vm_area_struct", "vm_file", LX_F(vma_file), 0 },
	{ "vm_area_struct", "vm_next", LX_F(vma_next), 0 },
	{ "vm_area_struct", "vm_ops", LX_F(vma_ops), 0 },
	{ "vm_area_struct", "vm_private_data", LX_F(vma_private), 0 },
	{ "file", "f_path.dentry", LX_F(file_dentry), 0 },
	{ "file", "f_path.mnt", LX_F(file_mnt), 0 },
	{ "dentry", "d_parent", LX_F(dentry_parent), 0 },
	{ "dentry", "d_name.name", LX_F(dentry_name), 0 },
	{ "dentry", "d_name.len", LX_F(dentry_len), 0 },
	{ "mount", "mnt", LX_F(mount_mnt), 0 },
	{ "mount", "mnt_parent", LX_F(mount_parent), 0 },
	{ "mount", "mnt_mountpoint", LX_F(mount_mountpoint), 0 },
	{ "vfsmount", "mnt_root", LX_F(vfsmount_root), 0 },
	{ "module", "list", LX_F(mod_list), 0 },
	{ "module", "name", LX_F(mod_name), 0 },
	{ "module", "state", LX_F(mod_state), 0 },
	{ "module", "core_layout.base", LX_F(mod_core_base), 0 },
	{ "module", "core_layout.size", LX_F(mod_core_size), 0 },
	{ "module", "mem", LX_F(mod_mem), 0 },
	{ "module", "mkobj.mod", LX_F(mod_mkobj_mod), 0 },
	{ "module_memory", "base", LX_F(mod_mem_base), 0 },
	{ "module_memory", "size", LX_F(mod_mem_size), 0 },
	/* the boot time: tk_core's timekeeper (6.13+: a struct tk_data) */
	{ "timekeeper", "offs_real", LX_F(tk_offs_real), 0 },
	{ "timekeeper", "offs_boot", LX_F(tk_offs_boot), 0 },
	{ "tk_data", "timekeeper", LX_F(tkd_timekeeper), 0 },
};

static const struct lx_size_spec {
	const char *type;
	size_t where;
	int req;
} lx_size_specs[] = {
	{ "task_struct", LX_F(task_size), LX_REQ },
	{ "mm_struct", LX_F(mm_size), LX_REQ },
	{ "vm_area_struct", LX_F(vma_size), 0 },
	{ "module", LX_F(module_size), 0 },
	{ "cred", LX_F(cred_size), 0 },
	{ "dentry", LX_F(dentry_size), 0 },
	{ "mount", LX_F(mount_size), 0 },
	{ "seqcount_raw_spinlock", LX_F(seqcount_raw_size), 0 },
};

/* One spec: the first alternative found.  0, MF_ERR_NOTFOUND, or another error. */
static int
lx_off_one(const struct lx_types *t, const struct lx_off_spec *s, struct lx_field *f)
{
	const char *p = s->path;
	char alt[64];
	uint64_t off, size;
	int r = MF_ERR_NOTFOUND;

	while (*p != '\0') {
		size_t len = strcspn(p, "|");

		if (len >= sizeof alt)
			return MF_ERR_ARG;
		memcpy(alt, p, len);
		alt[len] = '\0';
		r = lx_btf_member(t, s->type, alt, &off, &size);
		if (r == 0) {
			if (off >= LX_NONE || size >= LX_NONE)
				return MF_ERR_FORMAT;
			f->off = (uint32_t)off;
			f->size = (uint32_t)size;
			return 0;
		}
		if (r != MF_ERR_NOTFOUND)
			return r;
		p += len;
		if (*p == '|')
			p++;
	}
	return r;
}

int
lx_off_load(struct lx_types *t, char *errbuf)
{
	struct lx_off *o = &t->off;
	size_t i;
	int r;

	for (i = 0; i < sizeof lx_size_specs / sizeof lx_size_specs[0]; i++) {
		const struct lx_size_spec *s = &lx_size_specs[i];
		uint32_t *dst = (uint32_t *)((char *)o + s->where);
		uint64_t size;

		*dst = LX_NONE;
		r = lx_btf_size(t, s->type, &size);
		if (r == 0 && size < LX_NONE)
			*dst = (uint32_t)size;
		else if (s->req)
			return plib_error(errbuf, MF_ERR_FORMAT, "BTF has no usable struct %s", s->type);
	}
	for (i = 0; i < sizeof lx_off_specs / sizeof lx_off_specs[0]; i++) {
		const struct lx_off_spec *s = &lx_off_specs[i];
		struct lx_field *f = (struct lx_field *)((char *)o + s->where);

		f->off = LX_NONE;
		f->size = 0;
		r = lx_off_one(t, s, f);
		if (r < 0 && (s->req || r == MF_ERR_FORMAT))
			return plib_error(errbuf, MF_ERR_FORMAT, "BTF: %s.%s: %s", s->type, s->path,
			                  r == MF_ERR_NOTFOUND ? "no such member" :
			                  r == MF_ERR_UNSUPPORTED ? "a bitfield" : "broken type");
	}
	/* module.mem[]: its element count and stride */
	o->mod_mem_count = 0;
	o->mod_mem_stride = 0;
	if (lx_has(o->mod_mem)) {
		uint64_t off0, size;

		if (lx_btf_nelems(t, "module", "mem", &o->mod_mem_count) < 0 || o->mod_mem_count == 0 ||
		    lx_btf_member(t, "module", "mem[0]", &off0, &size) < 0 || size == 0 || size >= LX_NONE)
			return plib_error(errbuf, MF_ERR_FORMAT, "BTF: module.mem: broken type");
		o->mod_mem_stride = (uint32_t)size;
	}
	return 0;
}

void
lx_off_log(const struct lx_types *t, const struct mf_host *host)
{
	size_t i;

	for (i = 0; i < sizeof lx_size_specs / sizeof lx_size_specs[0]; i++) {
		uint32_t size = *(const uint32_t *)((const char *)&t->off + lx_size_specs[i].where);

		if (size != LX_NONE)
			host->log(2, "linux: BTF size of %s: %u", lx_size_specs[i].type, size);
	}
	for (i = 0; i < sizeof lx_off_specs / sizeof lx_off_specs[0]; i++) {
		const struct lx_off_spec *s = &lx_off_specs[i];
		const struct lx_field *f = (const struct lx_field *)((const char *)&t->off + s->where);
		const char *p = s->path;
		char alt[64];
		uint64_t off, size;

		if (!lx_has(*f))
			continue;
		/* the alternative that was found: the first one BTF has */
		while (*p != '\0') {
			size_t len = strcspn(p, "|");

			if (len >= sizeof alt)
				break;
			memcpy(alt, p, len);
			alt[len] = '\0';
			if (lx_btf_member(t, s->type, alt, &off, &size) == 0) {
				host->log(2, "linux: BTF offset of %s.%s: %u (%u bytes)", s->type, alt, f->off, f->size);
				break;
			}
			p += len;
			if (*p == '|')
				p++;
		}
	}
}

uint32_t
lx_off_layout_id(void)
{
	uint32_t h = 2166136261u;
	size_t i;
	const char *p;

	for (i = 0; i < sizeof lx_off_specs / sizeof lx_off_specs[0]; i++) {
		for (p = lx_off_specs[i].type; *p; p++)
			h = (h ^ (uint8_t)*p) * 16777619u;
		for (p = lx_off_specs[i].path; *p; p++)
			h = (h ^ (uint8_t)*p) * 16777619u;
		h = (h ^ (uint32_t)lx_off_specs[i].where) * 16777619u;
	}
	for (i = 0; i < sizeof lx_size_specs / sizeof lx_size_specs[0]; i++)
		h = (h ^ (uint32_t)lx_size_specs[i].where) * 16777619u;
	return h ^ (uint32_t)sizeof(struct lx_off);
}
