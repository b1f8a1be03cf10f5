/* proc.c: a process's memory as an ELF core that gdb opens: one PT_LOAD per mapping
 * (p_filesz 0 where it cannot be read), read through the span reader; NT_PRSTATUS
 * (registers through ptrace on this machine), NT_PRPSINFO, NT_AUXV and NT_FILE. */
#include "config.h"
#include "snapshot-int.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/procfs.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROC_PIECE (1u << 20)
#define PROC_BATCH 16u
#define PROC_MAX_MAPS 1000000u
#define PROC_AUXV_MAX 65536u

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

/* Stop the process with ptrace and read its registers (this machine only). */
static bool
proc_regs(uint64_t pid, struct elf_prstatus *pr, const volatile sig_atomic_t *stop, char *why, size_t whysize)
{
	struct iovec io = { .iov_base = &pr->pr_reg, .iov_len = sizeof pr->pr_reg };
	int st;

	if (ptrace(PTRACE_SEIZE, (pid_t)pid, NULL, NULL) < 0) {
		snprintf(why, whysize, "ptrace: %s", strerror(errno));
		return false;
	}
	if (ptrace(PTRACE_INTERRUPT, (pid_t)pid, NULL, NULL) < 0) {
		snprintf(why, whysize, "ptrace interrupt: %s", strerror(errno));
		ptrace(PTRACE_DETACH, (pid_t)pid, NULL, NULL);
		return false;
	}
	while (waitpid((pid_t)pid, &st, __WALL) < 0) {
		if (errno != EINTR || (stop != NULL && *stop)) {
			snprintf(why, whysize, "waitpid: %s", strerror(errno));
			ptrace(PTRACE_DETACH, (pid_t)pid, NULL, NULL);
			return false;
		}
	}
	if (!WIFSTOPPED(st)) {
		snprintf(why, whysize, "the process did not stop");
		return false;
	}
	if (ptrace(PTRACE_GETREGSET, (pid_t)pid, (void *)(uintptr_t)NT_PRSTATUS, &io) < 0) {
		snprintf(why, whysize, "ptrace getregset: %s", strerror(errno));
		memset(&pr->pr_reg, 0, sizeof pr->pr_reg);
	}
	return true;   /* stopped until detached: the memory stays consistent */
}

static int
proc_notes(struct snap_elf *e, const struct proc_state *s, uint64_t pid, bool native, bool *seized, int verbosity)
{
	struct elf_prstatus pr;
	struct elf_prpsinfo ps;
	char why[200] = "";

	memset(&pr, 0, sizeof pr);
	memset(&ps, 0, sizeof ps);
	pr.pr_pid = (pid_t)pid;
	pr.pr_ppid = s->have_info ? (pid_t)s->info.ppid : 0;
	*seized = false;
	if (native) {
		*seized = proc_regs(pid, &pr, e->f->stop, why, sizeof why);
		if (!*seized && verbosity >= 0)
			mf_log(0, "cannot stop pid %" PRIu64 " for its registers (%s): NT_PRSTATUS is zeroed", pid, why);
		else if (*why && verbosity >= 0)
			mf_log(0, "pid %" PRIu64 ": %s: registers zeroed", pid, why);
	} else {
		mf_log(1, "registers of pid %" PRIu64 " not available from this target: NT_PRSTATUS is zeroed", pid);
	}
	if (snap_elf_note(e, "CORE", NT_PRSTATUS, &pr, sizeof pr) < 0)
		return -1;
	ps.pr_pid = (int)pid;
	ps.pr_ppid = pr.pr_ppid;
	ps.pr_sname = 'R';
	if (s->have_info && s->info.uid >= 0)
		ps.pr_uid = (unsigned)s->info.uid;
	snprintf(ps.pr_fname, sizeof ps.pr_fname, "%s", s->name);
	snprintf(ps.pr_psargs, sizeof ps.pr_psargs, "%s", s->args);
	if (snap_elf_note(e, "CORE", NT_PRPSINFO, &ps, sizeof ps) < 0)
		return -1;
	if (native) {
		char p[64];
		uint8_t aux[PROC_AUXV_MAX];
		ssize_t n;
		int fd;

		snprintf(p, sizeof p, "/proc/%" PRIu64 "/auxv", pid);
		if ((fd = open(p, O_RDONLY | O_CLOEXEC)) >= 0) {
			n = read(fd, aux, sizeof aux);
			close(fd);
			if (n > 0 && snap_elf_note(e, "CORE", NT_AUXV, aux, (size_t)n) < 0)
				return -1;
		}
	}
	return proc_nt_file(e, s);
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
	bool native = !mf_target_has_phys(t), seized = false;
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
	if (proc_notes(&e, &s, o->pid, native, &seized, o->verbosity) < 0 || snap_elf_begin(&e) < 0)
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
	if (seized)
		ptrace(PTRACE_DETACH, (pid_t)o->pid, NULL, NULL);
	mf_aspace_close(as);
	snap_elf_free(&e);
	for (i = 0; i < s.n; i++)
		free(s.map[i].path);
	free(s.map);
	return rc;
}
