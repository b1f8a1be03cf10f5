/* proc.c: a process's memory as an ELF core that gdb opens: one PT_LOAD per mapping
 * (p_filesz 0 where it cannot be read), read through the span reader; one NT_PRSTATUS per
 * thread, NT_PRPSINFO, NT_AUXV and NT_FILE.  Everything comes from the target's os layer:
 * the process is suspended there while it is read (where the layer can), its threads and
 * their registers, its auxiliary vector. */
#include "config.h"
#include "snapshot-int.h"

#include <elf.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/procfs.h>

#define PROC_PIECE (1u << 20)
#define PROC_BATCH 16u
#define PROC_MAX_MAPS 1000000u
#define PROC_AUXV_MAX 65536u
#define PROC_MAX_THREADS 65536u   /* NT_PRSTATUS notes of one core (about 360 bytes each) */

struct proc_map {
	uint64_t start, end, offset;
	char perms[5];
	char *path;
};

struct proc_state {
	struct proc_map *map;
	size_t n, cap;
	bool oom;
	struct mf_process info;
	char name[16];
	char args[80];
	bool have_info;
};

static int
proc_map_cb(void *ctx, const struct mf_map *m)
{
	struct proc_state *s = ctx;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct proc_map *p;

		if (cap > PROC_MAX_MAPS || (p = realloc(s->map, cap * sizeof *p)) == NULL) {
			s->oom = true;
			return 1;
		}
		s->map = p;
		s->cap = cap;
	}
	if (m->end <= m->start)
		return 0;
	s->map[s->n] = (struct proc_map){ .start = m->start, .end = m->end, .offset = m->offset };
	snprintf(s->map[s->n].perms, sizeof s->map[s->n].perms, "%s", m->perms ? m->perms : "----");
	if ((s->map[s->n].path = strdup(m->path ? m->path : "")) == NULL) {
		s->oom = true;
		return 1;
	}
	s->n++;
	return 0;
}

static int
proc_info_cb(void *ctx, const struct mf_process *p)
{
	struct proc_state *s = ctx;

	s->info = *p;
	snprintf(s->name, sizeof s->name, "%s", p->name ? p->name : "");
	snprintf(s->args, sizeof s->args, "%s", p->cmdline && *p->cmdline ? p->cmdline : s->name);
	s->info.name = s->name;
	s->info.cmdline = s->args;
	s->info.path = NULL;
	s->info.state = NULL;
	s->have_info = true;
	return 0;
}

static uint32_t
proc_flags(const char *perms)
{
	return (perms[0] == 'r' ? PF_R : 0) | (perms[1] == 'w' ? PF_W : 0) | (perms[2] == 'x' ? PF_X : 0);
}

/* NT_FILE: count, page size, (start, end, offset in pages) per file mapping, then names. */
static int
proc_nt_file(struct snap_elf *e, const struct proc_state *s)
{
	size_t i, cnt = 0, names = 0, len, pos;
	uint8_t *d;
	int r;

	for (i = 0; i < s->n; i++)
		if (s->map[i].path[0] == '/') {
			cnt++;
			names += strlen(s->map[i].path) + 1;
		}
	len = 16 + cnt * 24 + names;
	if ((d = calloc(1, len)) == NULL) {
		snprintf(e->f->err, MF_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	((uint64_t *)(void *)d)[0] = cnt;
	((uint64_t *)(void *)d)[1] = SNAP_PAGE;
	pos = 16;
	for (i = 0; i < s->n; i++)
		if (s->map[i].path[0] == '/') {
			uint64_t v[3] = { s->map[i].start, s->map[i].end, s->map[i].offset / SNAP_PAGE };

			memcpy(d + pos, v, sizeof v);
			pos += sizeof v;
		}
	for (i = 0; i < s->n; i++)
		if (s->map[i].path[0] == '/') {
			size_t k = strlen(s->map[i].path) + 1;

			memcpy(d + pos, s->map[i].path, k);
			pos += k;
		}
	r = snap_elf_note(e, "CORE", NT_FILE, d, len);
	free(d);
	return r;
}

/* ---- NT_PRSTATUS: one per thread ---- */

/* struct elf_prstatus of LP64 Linux (x86_64 and AArch64 alike): siginfo (12), cursig (2 +
 * 2 padding), sigpend, sighold (8 each), pid, ppid, pgrp, sid (4 each), four struct timeval
 * (16 each), then the register set, then pr_fpvalid (4), padded to 8. */
#define PRS_PID 32u
#define PRS_PPID 36u
#define PRS_REG 112u
#define PRS_X86_64_REGS (27u * 8u)
#define PRS_AARCH64_REGS (34u * 8u)
#define PRS_MAX (PRS_REG + PRS_AARCH64_REGS + 8u)

#if defined(__x86_64__)
_Static_assert(offsetof(struct elf_prstatus, pr_pid) == PRS_PID && offsetof(struct elf_prstatus, pr_reg) == PRS_REG &&
               sizeof(elf_gregset_t) == PRS_X86_64_REGS && sizeof(struct elf_prstatus) == PRS_REG + PRS_X86_64_REGS + 8u,
               "the x86_64 prstatus layout");
#elif defined(__aarch64__)
_Static_assert(offsetof(struct elf_prstatus, pr_pid) == PRS_PID && offsetof(struct elf_prstatus, pr_reg) == PRS_REG &&
               sizeof(elf_gregset_t) == PRS_AARCH64_REGS && sizeof(struct elf_prstatus) == PRS_REG + PRS_AARCH64_REGS + 8u,
               "the aarch64 prstatus layout");
#endif

/* The register arch whose set an ELF core of `machine` holds. */
static uint32_t
proc_regs_arch(uint16_t machine)
{
	return machine == EM_AARCH64 ? MF_ARCH_AARCH64 : MF_ARCH_X86_64;
}

/* The NT_PRSTATUS of thread tid for a core of `machine`: the registers from regs when it
 * holds that set (little-endian, as both architectures are), else zeros.  The length. */
static size_t
proc_prstatus(uint8_t *out, uint16_t machine, uint64_t tid, uint64_t ppid, const struct mf_regs *regs)
{
	bool aarch64 = proc_regs_arch(machine) == MF_ARCH_AARCH64;
	size_t nregs = (aarch64 ? PRS_AARCH64_REGS : PRS_X86_64_REGS) / 8u, len = PRS_REG + nregs * 8u + 8u, i;
	const uint64_t *v = regs->u.raw;   /* either set, from the start of the union */
	bool have = regs->arch == proc_regs_arch(machine);

	memset(out, 0, len);
	put_le32(out + PRS_PID, (uint32_t)tid);
	put_le32(out + PRS_PPID, (uint32_t)ppid);
	for (i = 0; have && i < nregs; i++)
		put_le64(out + PRS_REG + i * 8u, v[i]);
	return len;
}

_Static_assert(sizeof(struct mf_regs_x86_64) == PRS_X86_64_REGS && sizeof(struct mf_regs_aarch64) == PRS_AARCH64_REGS,
               "struct mf_regs sets are the prstatus register sets, in order");

struct proc_threads {
	uint64_t *tid;
	size_t n, cap;
	bool over, oom;
};

static int
proc_thread_cb(void *ctx, const struct mf_thread *th)
{
	struct proc_threads *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		uint64_t *p;

		if (cap > PROC_MAX_THREADS) {
			l->over = true;
			return 1;
		}
		if ((p = realloc(l->tid, cap * sizeof *p)) == NULL) {
			l->oom = true;
			return 1;
		}
		l->tid = p;
		l->cap = cap;
	}
	l->tid[l->n++] = th->tid;
	return 0;
}

/* The threads of pid, the main thread (tid == pid) first as the kernel writes them; just
 * the main thread when the os layer cannot list them. */
static int
proc_thread_list(struct mf_target *t, uint64_t pid, struct proc_threads *l, int verbosity, struct snap_file *f)
{
	char errbuf[MF_ERRBUF_SIZE];
	size_t i;
	int r = mf_threads(t, pid, proc_thread_cb, l, errbuf);

	if (l->oom)
		return snap_oom(f);
	if (l->over && verbosity >= 0)
		mf_log(0, "pid %" PRIu64 " has more than %u threads: the rest have no NT_PRSTATUS", pid, PROC_MAX_THREADS);
	if (r < 0) {
		if (r == MF_ERR_UNSUPPORTED || verbosity >= 0)
			mf_log(r == MF_ERR_UNSUPPORTED ? 1 : 0, "cannot list the threads of pid %" PRIu64 " (%s): one NT_PRSTATUS",
			       pid, errbuf);
		l->n = 0;
	}
	if (l->n == 0) {
		if (l->cap == 0 && (l->tid = malloc(sizeof *l->tid)) == NULL)
			return snap_oom(f);
		l->tid[0] = pid;
		l->n = 1;
	}
	for (i = 1; i < l->n; i++)
		if (l->tid[i] == pid) {
			memmove(l->tid + 1, l->tid, i * sizeof *l->tid);
			l->tid[0] = pid;
			break;
		}
	return 0;
}

/* One NT_PRSTATUS per thread, with the registers the os layer gives (zeros, and one
 * message, for those it cannot). */
static int
proc_prstatus_notes(struct snap_elf *e, struct mf_target *t, const struct proc_state *s, uint64_t pid, int verbosity)
{
	struct proc_threads l = { 0 };
	uint8_t prs[PRS_MAX];
	char errbuf[MF_ERRBUF_SIZE], first[MF_ERRBUF_SIZE] = "";
	size_t i, missing = 0;
	int first_code = 0, rc = -1;

	if (proc_thread_list(t, pid, &l, verbosity, e->f) < 0)
		return -1;
	for (i = 0; i < l.n; i++) {
		struct mf_regs regs;
		int r = mf_thread_regs(t, pid, l.tid[i], &regs, errbuf);

		if (r == 0 && regs.arch != proc_regs_arch(e->machine)) {
			r = MF_ERR_UNSUPPORTED;
			snprintf(errbuf, sizeof errbuf, "registers of %s, not of the core's architecture",
			         mf_arch_name(regs.arch));
		}
		if (r < 0 && missing++ == 0) {
			first_code = r;
			snprintf(first, sizeof first, "%s", errbuf);
		}
		if (snap_elf_note(e, "CORE", NT_PRSTATUS, prs,
		                  proc_prstatus(prs, e->machine, l.tid[i], s->have_info ? s->info.ppid : 0, &regs)) < 0)
			goto out;
	}
	if (missing > 0 && (first_code == MF_ERR_UNSUPPORTED || verbosity >= 0))
		mf_log(first_code == MF_ERR_UNSUPPORTED ? 1 : 0,
		       "registers of %zu of %zu thread%s of pid %" PRIu64 " not available (%s): NT_PRSTATUS zeroed", missing,
		       l.n, l.n == 1 ? "" : "s", pid, first);
	rc = 0;
out:
	free(l.tid);
	return rc;
}

static int
proc_notes(struct snap_elf *e, struct mf_target *t, const struct proc_state *s, uint64_t pid, int verbosity)
{
	struct elf_prpsinfo ps;
	char errbuf[MF_ERRBUF_SIZE];
	uint8_t aux[PROC_AUXV_MAX];
	size_t n;
	int r;

	if (proc_prstatus_notes(e, t, s, pid, verbosity) < 0)
		return -1;
	memset(&ps, 0, sizeof ps);
	ps.pr_pid = (int)pid;
	ps.pr_ppid = s->have_info ? (int)s->info.ppid : 0;
	ps.pr_sname = 'R';
	if (s->have_info && s->info.uid >= 0)
		ps.pr_uid = (unsigned)s->info.uid;
	snprintf(ps.pr_fname, sizeof ps.pr_fname, "%s", s->name);
	snprintf(ps.pr_psargs, sizeof ps.pr_psargs, "%s", s->args);
	if (snap_elf_note(e, "CORE", NT_PRPSINFO, &ps, sizeof ps) < 0)
		return -1;
	if ((r = mf_auxv(t, pid, aux, sizeof aux, &n, errbuf)) < 0)
		mf_log(r == MF_ERR_UNSUPPORTED ? 2 : 1, "no NT_AUXV for pid %" PRIu64 ": %s", pid, errbuf);
	else if (n > 0 && snap_elf_note(e, "CORE", NT_AUXV, aux, n) < 0)
		return -1;
	return proc_nt_file(e, s);
}

/* Stop the process while it is read, so that memory and registers agree; a target that
 * cannot (a snapshot does not change) or is refused is read as it goes. */
static bool
proc_suspend(struct mf_target *t, uint64_t pid, int verbosity)
{
	char errbuf[MF_ERRBUF_SIZE];
	int r = mf_suspend(t, pid, errbuf);

	if (r == MF_ERR_UNSUPPORTED)
		mf_log(1, "pid %" PRIu64 " is not stopped while it is dumped: %s", pid, errbuf);
	else if (r < 0 && verbosity >= 0)
		mf_log(0, "cannot stop pid %" PRIu64 " while it is dumped (%s): its memory may change meanwhile", pid,
		       errbuf);
	return r == 0;
}

struct proc_write {
	struct snap_elf *e;
	const struct snap_proc_opts *o;
	uint32_t flags;
	uint64_t done, total, unreadable;
	bool failed;                 /* the message is in e->f->err */
};

static int
proc_piece(void *ctx, const struct mf_span_piece *p)
{
	struct proc_write *w = ctx;
	uint64_t a;

	if (p->data != NULL) {
		if (snap_elf_add(w->e, p->addr, 0, p->data, (size_t)p->len, w->flags) < 0)
			goto fail;
	} else {
		/* what cannot be read has no file data: a segment per page */
		for (a = p->addr; a < p->addr + p->len; a += SNAP_PAGE) {
			uint64_t k = p->addr + p->len - a < SNAP_PAGE ? p->addr + p->len - a : SNAP_PAGE;

			w->unreadable++;
			snap_elf_close_seg(w->e);
			if (snap_elf_add_empty(w->e, a, 0, k, w->flags) < 0)
				goto fail;
			snap_elf_close_seg(w->e);
		}
		if (w->o->max_errors != UINT64_MAX && w->unreadable > w->o->max_errors) {
			snprintf(w->e->f->err, MF_ERRBUF_SIZE,
			         "%" PRIu64 " unreadable pages in pid %" PRIu64 " (more than --max-errors %" PRIu64 ")",
			         w->unreadable, w->o->pid, w->o->max_errors);
			goto fail;
		}
	}
	w->done += p->len;
	if (w->o->progress)
		w->o->progress(w->o->ctx, w->done, w->total);
	if (snap_check_stop(w->e->f) < 0)
		goto fail;
	return 0;
fail:
	w->failed = true;
	return 1;
}

static int
proc_write_map(struct mf_aspace *as, struct proc_write *w, const struct proc_map *m)
{
	char errbuf[MF_ERRBUF_SIZE];
	int r;

	snap_elf_close_seg(w->e);
	w->flags = proc_flags(m->perms);
	if (m->perms[0] != 'r')
		return snap_elf_add_empty(w->e, m->start, 0, m->end - m->start, w->flags);
	if (snap_check_stop(w->e->f) < 0)
		return -1;
	r = mf_aspace_read_span(as, m->start, m->end - m->start, PROC_PIECE, PROC_BATCH, proc_piece, w, errbuf);
	if (w->failed)
		return -1;
	if (r < 0) {
		snprintf(w->e->f->err, MF_ERRBUF_SIZE, "%s", errbuf);
		return -1;
	}
	return 0;
}

int
snap_proc(struct mf_target *t, const struct snap_proc_opts *o, struct snap_file *f)
{
	struct proc_state s = { 0 };
	struct snap_elf e = { .f = f };
	struct proc_write w = { .e = &e, .o = o };
	struct mf_aspace_id id = { .kind = MF_ASPACE_PROCESS, .pid = o->pid };
	struct mf_aspace *as = NULL;
	char errbuf[MF_ERRBUF_SIZE];
	bool suspended = false;
	int rc = -1;
	size_t i;

#if defined(__aarch64__)
	e.machine = EM_AARCH64;
#elif defined(__i386__)
	e.machine = EM_386;
#else
	e.machine = EM_X86_64;
#endif
	if (mf_process(t, o->pid, proc_info_cb, &s, errbuf) < 0) {
		snprintf(f->err, MF_ERRBUF_SIZE, "%s", errbuf);
		goto out;
	}
	if (s.info.arch == MF_ARCH_X86_64 || s.info.arch == MF_ARCH_AARCH64)
		e.machine = snap_elf_machine(s.info.arch);
	suspended = proc_suspend(t, o->pid, o->verbosity);
	if (mf_maps(t, o->pid, proc_map_cb, &s, errbuf) < 0) {
		snprintf(f->err, MF_ERRBUF_SIZE, "cannot list the mappings of pid %" PRIu64 ": %.200s", o->pid, errbuf);
		goto out;
	}
	if (s.oom) {
		snprintf(f->err, MF_ERRBUF_SIZE, "pid %" PRIu64 ": too many mappings, or out of memory", o->pid);
		goto out;
	}
	if (s.n == 0) {
		snprintf(f->err, MF_ERRBUF_SIZE, "pid %" PRIu64 " has no mappings", o->pid);
		goto out;
	}
	for (i = 0; i < s.n; i++)
		if (s.map[i].perms[0] == 'r')
			w.total += s.map[i].end - s.map[i].start;
	e.ph_reserve = s.n * 2 + 64;
	if (proc_notes(&e, t, &s, o->pid, o->verbosity) < 0 || snap_elf_begin(&e) < 0)
		goto out;
	if (mf_aspace_open(t, &id, &as, errbuf) < 0) {
		snprintf(f->err, MF_ERRBUF_SIZE, "%s", errbuf);
		goto out;
	}
	for (i = 0; i < s.n; i++)
		if (proc_write_map(as, &w, &s.map[i]) < 0)
			goto out;
	if (snap_elf_finish(&e) < 0)
		goto out;
	if (w.unreadable > 0 && o->verbosity >= 0)
		mf_log(0, "%" PRIu64 " unreadable page%s of pid %" PRIu64 " recorded without data", w.unreadable,
		       w.unreadable == 1 ? "" : "s", o->pid);
	rc = 0;
out:
	if (suspended)
		mf_resume(t, o->pid);
	mf_aspace_close(as);
	snap_elf_free(&e);
	for (i = 0; i < s.n; i++)
		free(s.map[i].path);
	free(s.map);
	return rc;
}
