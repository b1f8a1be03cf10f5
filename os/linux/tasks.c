/* tasks.c: processes and threads of a Linux kernel from init_task's list.  Each task is
 * one read of its task_struct (offsets from the kernel's BTF, lxtypes.h); the parent's
 * tgid, the credentials and the mm follow from it.  The user page-table root is the
 * physical address of mm->pgd, so the host reads process memory through it; the cmdline
 * is read through those page tables too.  The walk is bounded by a set of the tasks seen:
 * a cycle or a wild pointer is a warning and ends the walk with what was read. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tasks.h"

/* ---- one task ------------------------------------------------------------------------------ */

/* "RSDTtXZPI" as the kernel's task_state_index computes it. */
static char
lx_state_char(uint64_t state, uint64_t exit_state)
{
	static const char letters[] = "RSDTtXZPI";
	uint64_t s = (state | exit_state) & 0x7f;
	int i = 0;

	if (state == 0x402)   /* TASK_IDLE */
		return 'I';
	while (s != 0) {
		i++;
		s >>= 1;
	}
	return i < (int)sizeof letters - 1 ? letters[i] : '?';
}

int
lx_task_read(const struct lx *lx, uint64_t addr, struct lx_task *t)
{
	const struct lx_off *o = &lx->types->off;
	uint8_t *b;
	uint64_t parent, ptgid;
	uint8_t pb[4];
	int r;

	memset(t, 0, sizeof *t);
	if (!lx_kptr_ok(addr))
		return MF_ERR_FORMAT;
	if ((b = malloc(o->task_size)) == NULL)
		return MF_ERR_NOMEM;
	if ((r = lx_kread(lx, addr, b, o->task_size)) < 0) {
		free(b);
		return r;
	}
	t->addr = addr;
	t->pid = lx_get(b, o->task_size, o->task_pid);
	t->tgid = lx_get(b, o->task_size, o->task_tgid);
	t->mm = lx_get(b, o->task_size, o->task_mm);
	t->flags = lx_get(b, o->task_size, o->task_flags);
	t->cred = lx_get(b, o->task_size, o->task_cred);
	t->kthread = (t->flags & LX_PF_KTHREAD) != 0 || t->mm == 0;
	if (o->task_comm.off != LX_NONE && o->task_comm.size >= 16 && o->task_comm.off + 16 <= o->task_size)
		memcpy(t->comm, b + o->task_comm.off, 16);
	t->comm[16] = '\0';
	t->state[0] = lx_state_char(lx_get(b, o->task_size, o->task_state), lx_get(b, o->task_size, o->task_exit_state));
	t->start_boottime = lx_get(b, o->task_size, o->task_start_boottime);
	/* EXIT_ZOMBIE 0x20, EXIT_DEAD 0x10 */
	t->exited = (lx_get(b, o->task_size, o->task_exit_state) & 0x30) != 0;
	t->exit_code = (int32_t)lx_get(b, o->task_size, o->task_exit_code);
	parent = lx_get(b, o->task_size, o->task_real_parent);
	free(b);
	t->ppid = 0;
	if (parent == addr)
		t->ppid = t->tgid;
	else if (lx_kptr_ok(parent) && o->task_tgid.size == 4 &&
	         lx_kread(lx, parent + o->task_tgid.off, pb, sizeof pb) == 0) {
		ptgid = lx_get(pb, sizeof pb, (struct lx_field){ 0, 4 });
		t->ppid = ptgid;
	}
	return 0;
}

int
lx_task_space(const struct lx *lx, const struct lx_task *t, struct mf_space *sp)
{
	const struct lx_off *o = &lx->types->off;
	uint64_t pgd, pa;

	if (t->mm == 0 || !lx_kptr_ok(t->mm))
		return MF_ERR_NOTFOUND;
	if (lx_kread_u64(lx, t->mm + o->mm_pgd.off, &pgd) < 0 || !lx_kptr_ok(pgd) ||
	    lx->phys->vtop == NULL || lx->phys->vtop(lx->phys->ctx, &lx->kspace, pgd, &pa) < 0)
		return MF_ERR_NOTMAPPED;
	*sp = lx->kspace;
	sp->root = pa;
	sp->root_hi = 0;
	return 0;
}

/* ---- init_task ------------------------------------------------------------------------------ */

struct lx_swapper {
	const struct lx *lx;
	uint64_t task;
};

static int
lx_swapper_hit(void *ctx, uint64_t va)
{
	struct lx_swapper *f = ctx;
	const struct lx_off *o = &f->lx->types->off;
	uint64_t task = va - o->task_comm.off, next, prev;
	struct lx_task t;

	if (va < o->task_comm.off || lx_task_read(f->lx, task, &t) < 0 || t.pid != 0 || t.tgid != 0 ||
	    lx_kread_u64(f->lx, task + o->task_tasks.off, &next) < 0 || !lx_kptr_ok(next) ||
	    lx_kread_u64(f->lx, next + 8, &prev) < 0 || prev != task + o->task_tasks.off)
		return 0;
	f->task = task;
	return 1;
}

int
lx_init_task_find(struct lx *lx)
{
	static const char comm[] = "swapper/0";   /* init_idle() names the boot CPU's idle task */
	struct lx_swapper f = { lx, 0 };

	if (lx_sym(lx, "init_task", &lx->init_task) == 0)
		return 0;
	if (lx->hints != NULL && lx->host->hint_get_u64(lx->hints, "init_task", &lx->init_task) == 0)
		return 0;
	lx->init_task = 0;
	if (lx_image_scan(lx, comm, sizeof comm, lx_swapper_hit, &f) != 1)
		return MF_ERR_NOTFOUND;
	lx->init_task = f.task;
	lx->host->log(1, "linux: no init_task symbol: the task \"swapper/0\" at 0x%llx in the kernel image",
	              (unsigned long long)f.task);
	if (lx->hints != NULL)
		lx->host->hint_set_u64(lx->hints, "init_task", f.task);
	return 0;
}

/* ---- the list ------------------------------------------------------------------------------- */

int
lx_task_walk(const struct lx *lx, lx_task_cb cb, void *ctx, char *errbuf)
{
	const struct lx_off *o = &lx->types->off;
	struct seen seen = { 0 };
	struct lx_task t;
	uint64_t init, head, next;
	size_t n = 0;
	int r = 0;

	if ((init = lx->init_task) == 0)
		return lx->host->error(errbuf, MF_ERR_NOTFOUND, "linux: no init_task (no symbol, none found in the kernel image)");
	head = init + o->task_tasks.off;
	if ((r = lx_kread_u64(lx, head, &next)) < 0)
		return lx->host->error(errbuf, r, "linux: cannot read init_task.tasks at 0x%llx",
		                       (unsigned long long)head);
	seen_add(&seen, head);
	r = 0;
	while (next != head) {
		uint64_t task = next - o->task_tasks.off;
		int a;

		if (++n > LX_MAX_TASKS) {
			lx->host->log(0, "linux: task list longer than %u entries: stopped", LX_MAX_TASKS);
			break;
		}
		if (!lx_kptr_ok(next)) {
			lx->host->log(0, "linux: task list broken at 0x%llx (%zu tasks read): stopped",
			              (unsigned long long)next, n - 1);
			break;
		}
		a = seen_add(&seen, next);
		if (a < 0) {
			r = lx->host->error(errbuf, MF_ERR_NOMEM, "linux: out of memory walking tasks");
			break;
		}
		if (a == 0) {
			lx->host->log(0, "linux: task list loops back to 0x%llx (%zu tasks read): stopped",
			              (unsigned long long)task, n - 1);
			break;
		}
		if (lx_task_read(lx, task, &t) < 0 || lx_kread_u64(lx, next, &next) < 0) {
			lx->host->log(0, "linux: cannot read task 0x%llx (%zu tasks read): the list ends there",
			              (unsigned long long)task, n - 1);
			break;
		}
		if ((r = cb(ctx, &t)) != 0)
			break;
	}
	seen_free(&seen);
	return r;
}

struct lx_find_ctx {
	uint64_t pid;
	struct lx_task *out;
};

static int
lx_find_cb(void *ctx, const struct lx_task *t)
{
	struct lx_find_ctx *c = ctx;

	if (t->tgid != c->pid)
		return 0;
	*c->out = *t;
	return 1;
}

int
lx_task_find(const struct lx *lx, uint64_t pid, struct lx_task *t, char *errbuf)
{
	struct lx_find_ctx c = { .pid = pid, .out = t };
	int r = lx_task_walk(lx, lx_find_cb, &c, errbuf);

	if (r < 0)
		return r;
	if (r == 0)
		return lx->host->error(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu", (unsigned long long)pid);
	return 0;
}

/* ---- process records -------------------------------------------------------------------------- */

/* The bytes [mm->START, mm->END) of a process (its arguments, its environment) through
 * its page tables, at most cap, up to the first page that cannot be read: the length. */
static size_t
lx_mm_range(const struct lx *lx, const struct lx_task *t, const struct mf_space *sp, struct lx_field fstart,
            struct lx_field fend, uint8_t *buf, size_t cap)
{
	struct mf_iov iov[16];
	uint64_t start, end, a;
	size_t len = 0, n, i;

	if (!lx_has(fstart) || !lx_has(fend) || lx->phys->vread == NULL ||
	    lx_kread_u64(lx, t->mm + fstart.off, &start) < 0 || lx_kread_u64(lx, t->mm + fend.off, &end) < 0 ||
	    end <= start)
		return 0;
	if (end - start > cap)
		end = start + cap;
	for (a = start; a < end;) {
		for (n = 0; a < end && n < sizeof iov / sizeof iov[0]; n++) {
			uint64_t stop = (a | 4095) + 1;

			if (stop > end)
				stop = end;
			iov[n] = (struct mf_iov){ .addr = a, .buf = buf + (a - start), .len = stop - a };
			a = stop;
		}
		if (lx->phys->vread(lx->phys->ctx, sp, iov, n) < 0)
			return len;
		for (i = 0; i < n; i++) {
			if (iov[i].err != 0)
				return len;
			len += iov[i].len;
		}
	}
	return len;
}

/* The command line: the arguments with NULs as spaces (as ps shows them). */
static void
lx_cmdline(const struct lx *lx, const struct lx_task *t, const struct mf_space *sp, char *buf)
{
	const struct lx_off *o = &lx->types->off;
	size_t len = lx_mm_range(lx, t, sp, o->mm_arg_start, o->mm_arg_end, (uint8_t *)buf, LX_CMDLINE_MAX), i;

	while (len > 0 && buf[len - 1] == '\0')
		len--;
	for (i = 0; i < len; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[len] = '\0';
}

int
lx_environment(void *handle, uint64_t pid, uint8_t *buf, size_t cap, size_t *len, char *errbuf)
{
	struct lx *lx = handle;
	const struct lx_off *o;
	struct mf_space sp;
	struct lx_task t;
	int r;

	*len = 0;
	if ((r = lx_need_types(lx, errbuf)) < 0)
		return r;
	o = &lx->types->off;
	if ((r = lx_task_find(lx, pid, &t, errbuf)) < 0)
		return r;
	if (t.mm == 0 || lx_task_space(lx, &t, &sp) < 0)
		return lx->host->error(errbuf, MF_ERR_ARG, "pid %llu has no user address space (kernel thread)",
		                       (unsigned long long)pid);
	*len = lx_mm_range(lx, &t, &sp, o->mm_env_start, o->mm_env_end, buf, cap);
	return 0;
}

/* The wall-clock time of boot, as getboottime64 computes it (timekeeper.offs_real -
 * offs_boot, read from tk_core): nanoseconds since the epoch, 0 if unknown (no tk_core
 * symbol: Debian's arm64 kallsyms has no data symbols). */
static int64_t
lx_boot_ns(const struct lx *lx)
{
	const struct lx_off *o = &lx->types->off;
	uint64_t tk, real, boot;
	uint32_t at;

	if (!lx_has(o->tk_offs_real) || !lx_has(o->tk_offs_boot) || o->tk_offs_real.size != 8 ||
	    o->tk_offs_boot.size != 8 || lx_sym(lx, "tk_core", &tk) < 0)
		return 0;
	if (lx_has(o->tkd_timekeeper))
		at = o->tkd_timekeeper.off;
	else if (o->seqcount_raw_size != LX_NONE)
		at = (o->seqcount_raw_size + 7) & ~7u;   /* the struct after it, 8-aligned */
	else
		return 0;
	if (lx_kread_u64(lx, tk + at + o->tk_offs_real.off, &real) < 0 ||
	    lx_kread_u64(lx, tk + at + o->tk_offs_boot.off, &boot) < 0)
		return 0;
	return (int64_t)(real - boot);
}

struct lx_proc_ctx {
	const struct lx *lx;
	int64_t boot_ns;     /* lx_boot_ns, once a walk */
	mf_process_cb cb;
	void *ctx;
	char *cmdline;   /* LX_CMDLINE_MAX + 1 */
	char path[4096];
};

static int
lx_proc_cb(void *ctx, const struct lx_task *t)
{
	struct lx_proc_ctx *c = ctx;
	const struct lx *lx = c->lx;
	const struct lx_off *o = &lx->types->off;
	struct mf_process p = { .struct_size = sizeof p };
	struct mf_space sp = { 0 };
	uint8_t u[4];

	p.pid = t->tgid;
	p.ppid = t->ppid;
	p.name = t->comm;
	p.state = t->state;
	p.uid = -1;
	p.arch = lx->kspace.arch;
	p.addr = t->addr;
	p.path = "";
	p.cmdline = "";
	if (c->boot_ns > 0 && t->start_boottime != 0 && t->start_boottime < (uint64_t)INT64_MAX - (uint64_t)c->boot_ns)
		p.start_time = c->boot_ns + (int64_t)t->start_boottime;
	p.exited = (uint32_t)t->exited;
	p.exit_status = t->exited ? t->exit_code : 0;
	if (lx_kptr_ok(t->cred) && lx_has(o->cred_uid) && lx_kread(lx, t->cred + o->cred_uid.off, u, 4) == 0)
		p.uid = (int64_t)lx_get(u, 4, (struct lx_field){ 0, 4 });
	if (!t->kthread && lx_task_space(lx, t, &sp) == 0) {
		uint64_t exe;

		p.dtb = sp.root;
		lx_cmdline(lx, t, &sp, c->cmdline);
		p.cmdline = c->cmdline;
		if (lx_has(o->mm_exe_file) && lx_kread_u64(lx, t->mm + o->mm_exe_file.off, &exe) == 0 &&
		    lx_kptr_ok(exe) && lx_file_path(lx, exe, c->path, sizeof c->path) > 0)
			p.path = c->path;
	}
	return c->cb(c->ctx, &p);
}

static int
lx_proc_walk(struct lx *lx, int one, uint64_t pid, mf_process_cb cb, void *ctx, char *errbuf)
{
	struct lx_proc_ctx *c;
	struct lx_task t;
	int r;

	if ((r = lx_need_types(lx, errbuf)) < 0)
		return r;
	c = calloc(1, sizeof *c);
	if (c == NULL || (c->cmdline = malloc(LX_CMDLINE_MAX + 1)) == NULL) {
		free(c);
		return lx->host->error(errbuf, MF_ERR_NOMEM, "linux: out of memory listing processes");
	}
	c->lx = lx;
	c->boot_ns = lx_boot_ns(lx);
	c->cb = cb;
	c->ctx = ctx;
	if (one) {
		r = lx_task_find(lx, pid, &t, errbuf);
		if (r == 0)
			r = lx_proc_cb(c, &t);
	} else {
		r = lx_task_walk(lx, lx_proc_cb, c, errbuf);
	}
	free(c->cmdline);
	free(c);
	return r;
}

int
lx_processes(void *handle, mf_process_cb cb, void *ctx, char *errbuf)
{
	return lx_proc_walk(handle, 0, 0, cb, ctx, errbuf);
}

int
lx_process(void *handle, uint64_t pid, mf_process_cb cb, void *ctx, char *errbuf)
{
	return lx_proc_walk(handle, 1, pid, cb, ctx, errbuf);
}

/* ---- threads: the leader's thread_group ring (signal->thread_head from 6.7) ------------------ */

int
lx_threads(void *handle, uint64_t pid, mf_thread_cb cb, void *ctx, char *errbuf)
{
	struct lx *lx = handle;
	const struct lx_off *o;
	struct seen seen = { 0 };
	struct lx_task leader, t;
	uint64_t head, next, loff;
	size_t n = 0;
	int r;

	if ((r = lx_need_types(lx, errbuf)) < 0)
		return r;
	o = &lx->types->off;
	if ((r = lx_task_find(lx, pid, &leader, errbuf)) < 0)
		return r;
	if (lx_has(o->task_thread_group)) {
		loff = o->task_thread_group.off;
		head = leader.addr + loff;
		if (cb(ctx, &(struct mf_thread){ .struct_size = sizeof(struct mf_thread), .pid = pid,
		                                 .tid = leader.pid, .name = leader.comm,
		                                 .state = leader.state, .addr = leader.addr }) != 0)
			return 1;
	} else if (lx_has(o->task_thread_node) && lx_has(o->task_signal) && lx_has(o->signal_thread_head)) {
		uint64_t sig;

		loff = o->task_thread_node.off;
		if (lx_kread_u64(lx, leader.addr + o->task_signal.off, &sig) < 0 || !lx_kptr_ok(sig))
			return lx->host->error(errbuf, MF_ERR_FORMAT, "linux: pid %llu has no readable signal_struct",
			                       (unsigned long long)pid);
		head = sig + o->signal_thread_head.off;
	} else {
		return lx->host->error(errbuf, MF_ERR_UNSUPPORTED, "linux: BTF has no thread list");
	}
	if (lx_kread_u64(lx, head, &next) < 0)
		return lx->host->error(errbuf, MF_ERR_NOTMAPPED, "linux: cannot read the threads of pid %llu",
		                       (unsigned long long)pid);
	seen_add(&seen, head);
	r = 0;
	while (next != head) {
		if (++n > LX_MAX_TASKS || !lx_kptr_ok(next) || seen_add(&seen, next) != 1 ||
		    lx_task_read(lx, next - loff, &t) < 0 || lx_kread_u64(lx, next, &next) < 0) {
			lx->host->log(0, "linux: thread list of pid %llu broken after %zu threads: stopped",
			              (unsigned long long)pid, n - 1);
			break;
		}
		r = cb(ctx, &(struct mf_thread){ .struct_size = sizeof(struct mf_thread), .pid = pid,
		                                 .tid = t.pid, .name = t.comm, .state = t.state,
		                                 .addr = t.addr });
		if (r != 0)
			break;
	}
	seen_free(&seen);
	return r;
}
