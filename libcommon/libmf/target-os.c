/* target-os.c: a target's os layer: processes, modules, maps, process address spaces and
 * process memory. */
#include "target-int.h"

#include <string.h>

static int
target_need_os(struct mf_target *t, char *errbuf)
{
	if (t->os == NULL)
		return mf_error(errbuf, MF_ERR_UNSUPPORTED, "%s has no os layer (give one with -o)", t->name);
	return 0;
}

int
mfint_target_os(struct mf_target *t, struct mfint_plugin **os, void **handle, char *errbuf)
{
	int r = target_need_os(t, errbuf);

	*os = t->os;
	*handle = t->oh;
	return r;
}

MF_API int
mf_processes(struct mf_target *t, mf_process_cb cb, void *ctx, char *errbuf)
{
	int r = target_need_os(t, errbuf);

	return r < 0 ? r : t->os->u.os.processes(t->oh, cb, ctx, errbuf);
}

struct target_pid_find {
	uint64_t pid;
	mf_process_cb cb;
	void *ctx;
	int found;
};

static int
target_pid_cb(void *ctx, const struct mf_process *p)
{
	struct target_pid_find *f = ctx;

	if (p->pid != f->pid)
		return 0;
	f->found = 1;
	f->cb(f->ctx, p);
	return 1;   /* found: stop the walk */
}

MF_API int
mf_process(struct mf_target *t, uint64_t pid, mf_process_cb cb, void *ctx, char *errbuf)
{
	struct target_pid_find f = { pid, cb, ctx, 0 };
	int r = target_need_os(t, errbuf);

	if (r < 0)
		return r;
	if (t->os->u.os.process != NULL)
		return t->os->u.os.process(t->oh, pid, cb, ctx, errbuf);
	if ((r = t->os->u.os.processes(t->oh, target_pid_cb, &f, errbuf)) < 0)
		return r;
	if (!f.found)
		return mf_error(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu", (unsigned long long)pid);
	return 0;
}

MF_API int
mf_modules(struct mf_target *t, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf)
{
	int r = target_need_os(t, errbuf);

	if (r == 0 && t->os->u.os.modules == NULL)
		r = mfint_os_unsupported(t->os, "list modules", errbuf);
	return r < 0 ? r : t->os->u.os.modules(t->oh, pid, cb, ctx, errbuf);
}

MF_API int
mf_maps(struct mf_target *t, uint64_t pid, mf_map_cb cb, void *ctx, char *errbuf)
{
	int r = target_need_os(t, errbuf);

	if (r == 0 && t->os->u.os.maps == NULL)
		r = mfint_os_unsupported(t->os, "list memory maps", errbuf);
	return r < 0 ? r : t->os->u.os.maps(t->oh, pid, cb, ctx, errbuf);
}

static int
target_space_cb(void *ctx, const struct mf_process *p)
{
	struct mf_space *sp = ctx;

	sp->arch = p->arch;
	sp->root = p->dtb;
	return 0;
}

MF_API int
mf_target_proc_space(struct mf_target *t, uint64_t pid, struct mf_space *sp, char *errbuf)
{
	uint64_t v;
	bool hit;
	int r;

	if ((r = target_need_os(t, errbuf)) < 0)
		return r;
	if (t->os->u.os.read != NULL)
		return mf_error(errbuf, MF_ERR_UNSUPPORTED, "os layer %s reads process memory itself", t->os->name);
	pthread_mutex_lock(&t->lock);
	hit = t->space_valid && t->space_pid == pid;
	if (hit)
		*sp = t->space;
	pthread_mutex_unlock(&t->lock);
	if (hit)
		return 0;
	memset(sp, 0, sizeof *sp);
	if ((r = mf_process(t, pid, target_space_cb, sp, errbuf)) < 0)
		return r;
	if (sp->root == 0)
		return mf_error(errbuf, MF_ERR_NOTFOUND, "process %llu has no address space (kernel thread?)", (unsigned long long)pid);
	if (mf_hints_get_u64(t->hints, "va_bits", &v) == 0)
		sp->va_bits = (uint32_t)v;
	if (mf_hints_get_u64(t->hints, "granule", &v) == 0)
		sp->granule = (uint32_t)v;
	if (mf_hints_get_u64(t->hints, "dtb_hi", &v) == 0)
		sp->root_hi = v;
	pthread_mutex_lock(&t->lock);
	t->space = *sp;
	t->space_pid = pid;
	t->space_valid = true;
	pthread_mutex_unlock(&t->lock);
	return 0;
}

MF_API int
mf_proc_read(struct mf_target *t, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct mf_space sp;
	int r;

	if ((r = target_need_os(t, errbuf)) < 0)
		return r;
	if (t->os->u.os.read != NULL)
		return t->os->u.os.read(t->oh, pid, iov, n, errbuf);
	if ((r = mf_target_proc_space(t, pid, &sp, errbuf)) < 0)
		return r;
	return mf_virt_read(t, &sp, iov, n, errbuf);
}

MF_API int
mf_proc_write(struct mf_target *t, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct mf_space sp;
	int r;

	if ((r = target_need_os(t, errbuf)) < 0)
		return r;
	if (!(t->flags & MF_TARGET_WRITE))
		return mf_error(errbuf, MF_ERR_READONLY, "%s is not opened for writing (use --write)", t->name);
	if (t->os->u.os.read != NULL) {
		if (t->os->u.os.write == NULL)
			return mf_error(errbuf, MF_ERR_READONLY, "os layer %s cannot write process memory", t->os->name);
		return t->os->u.os.write(t->oh, pid, iov, n, errbuf);
	}
	if ((r = mf_target_proc_space(t, pid, &sp, errbuf)) < 0)
		return r;
	return mf_virt_write(t, &sp, iov, n, errbuf);
}

bool
mfint_target_os_reads(const struct mf_target *t)
{
	return t->os != NULL && t->os->u.os.read != NULL;
}
