/* dump-proc.c: a process's memory as an ELF core that gdb opens: one PT_LOAD per mapping
 * (p_filesz 0 where it cannot be read), NT_PRSTATUS (registers through ptrace on this
 * machine), NT_PRPSINFO, NT_AUXV and NT_FILE. */
#define _GNU_SOURCE 1
#include "config.h"
#include "dump.h"

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
proc_nt_file(struct dump_elf *e, const struct proc_state *s)
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
	((uint64_t *)(void *)d)[1] = DUMP_PAGE;
	pos = 16;
	for (i = 0; i < s->n; i++)
		if (s->map[i].path[0] == '/') {
			uint64_t v[3] = { s->map[i].start, s->map[i].end, s->map[i].offset / DUMP_PAGE };

			memcpy(d + pos, v, sizeof v);
			pos += sizeof v;
		}
	for (i = 0; i < s->n; i++)
		if (s->map[i].path[0] == '/') {
			size_t k = strlen(s->map[i].path) + 1;

			memcpy(d + pos, s->map[i].path, k);
			pos += k;
		}
	r = dump_elf_note(e, "CORE", NT_FILE, d, len);
	free(d);
	return r;
}

/* Stop the process with ptrace and read its registers (this machine only). */
static bool
proc_regs(uint64_t pid, struct elf_prstatus *pr, char *why, size_t whysize)
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
		if (errno != EINTR || dump_signal) {
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
proc_notes(struct dump_elf *e, const struct proc_state *s, uint64_t pid, bool native, bool *seized, int verbosity)
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
		*seized = proc_regs(pid, &pr, why, sizeof why);
		if (!*seized && verbosity >= 0)
			mf_log(0, "cannot stop pid %" PRIu64 " for its registers (%s): NT_PRSTATUS is zeroed", pid, why);
		else if (*why && verbosity >= 0)
			mf_log(0, "pid %" PRIu64 ": %s: registers zeroed", pid, why);
	} else {
		mf_log(1, "registers of pid %" PRIu64 " not available from this target: NT_PRSTATUS is zeroed", pid);
	}
	if (dump_elf_note(e, "CORE", NT_PRSTATUS, &pr, sizeof pr) < 0)
		return -1;
	ps.pr_pid = (int)pid;
	ps.pr_ppid = pr.pr_ppid;
	ps.pr_sname = 'R';
	if (s->have_info && s->info.uid >= 0)
		ps.pr_uid = (unsigned)s->info.uid;
	snprintf(ps.pr_fname, sizeof ps.pr_fname, "%s", s->name);
	snprintf(ps.pr_psargs, sizeof ps.pr_psargs, "%s", s->args);
	if (dump_elf_note(e, "CORE", NT_PRPSINFO, &ps, sizeof ps) < 0)
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
			if (n > 0 && dump_elf_note(e, "CORE", NT_AUXV, aux, (size_t)n) < 0)
				return -1;
		}
	}
	return proc_nt_file(e, s);
}

static int
proc_write_map(struct mf_target *t, const struct dump_proc_opts *o, struct dump_elf *e, const struct proc_map *m,
               uint8_t *buf, uint64_t *done, uint64_t *unreadable, uint64_t total,
               void (*progress)(uint64_t, uint64_t))
{
	uint32_t fl = proc_flags(m->perms);
	uint64_t a = m->start;
	char errbuf[MF_ERRBUF_SIZE];

	dump_elf_close_seg(e);
	if (m->perms[0] != 'r')
		return dump_elf_add_empty(e, m->start, 0, m->end - m->start, fl);
	while (a < m->end) {
		struct mf_iov iov[PROC_BATCH];
		size_t n = 0, i;

		while (n < PROC_BATCH && a < m->end) {
			uint64_t k = m->end - a < PROC_PIECE ? m->end - a : PROC_PIECE;

			iov[n] = (struct mf_iov){ .addr = a, .buf = buf + n * PROC_PIECE, .len = k };
			n++;
			a += k;
		}
		if (dump_signal) {
			snprintf(e->f->err, MF_ERRBUF_SIZE, "interrupted by %s", strsignal(dump_signal));
			return -1;
		}
		if (mf_proc_read(t, o->pid, iov, n, errbuf) < 0) {
			snprintf(e->f->err, MF_ERRBUF_SIZE, "cannot read pid %" PRIu64 ": %.200s", o->pid, errbuf);
			return -1;
		}
		for (i = 0; i < n; i++) {
			if (iov[i].err == 0) {
				if (dump_elf_add(e, iov[i].addr, 0, iov[i].buf, (size_t)iov[i].len, fl) < 0)
					return -1;
			} else {
				/* page by page: what can be read goes in, the rest has no file data */
				uint64_t p;

				for (p = 0; p < iov[i].len; p += DUMP_PAGE) {
					uint64_t k = iov[i].len - p < DUMP_PAGE ? iov[i].len - p : DUMP_PAGE;
					struct mf_iov one = { .addr = iov[i].addr + p, .buf = (uint8_t *)iov[i].buf + p, .len = k };

					if (mf_proc_read(t, o->pid, &one, 1, errbuf) < 0) {
						snprintf(e->f->err, MF_ERRBUF_SIZE, "cannot read pid %" PRIu64 ": %.200s", o->pid, errbuf);
						return -1;
					}
					if (one.err == 0) {
						if (dump_elf_add(e, one.addr, 0, one.buf, (size_t)k, fl) < 0)
							return -1;
					} else {
						(*unreadable)++;
						dump_elf_close_seg(e);
						if (dump_elf_add_empty(e, one.addr, 0, k, fl) < 0)
							return -1;
						dump_elf_close_seg(e);
					}
				}
			}
			*done += iov[i].len;
		}
		if (o->max_errors != UINT64_MAX && *unreadable > o->max_errors) {
			snprintf(e->f->err, MF_ERRBUF_SIZE, "%" PRIu64 " unreadable pages in pid %" PRIu64 " (more than --max-errors %" PRIu64 ")",
			         *unreadable, o->pid, o->max_errors);
			return -1;
		}
		if (progress)
			progress(*done, total);
	}
	return 0;
}

int
dump_proc(struct mf_target *t, const struct dump_proc_opts *o, struct dump_file *f,
          void (*progress)(uint64_t done, uint64_t total))
{
	struct proc_state s = { 0 };
	struct dump_elf e = { .f = f };
	char errbuf[MF_ERRBUF_SIZE];
	uint64_t done = 0, total = 0, unreadable = 0;
	uint8_t *buf = NULL;
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
			total += s.map[i].end - s.map[i].start;
	e.ph_reserve = s.n * 2 + 64;
	if (proc_notes(&e, &s, o->pid, native, &seized, o->verbosity) < 0 || dump_elf_begin(&e) < 0)
		goto out;
	if ((buf = malloc((size_t)PROC_PIECE * PROC_BATCH)) == NULL) {
		snprintf(f->err, MF_ERRBUF_SIZE, "out of memory");
		goto out;
	}
	for (i = 0; i < s.n; i++)
		if (proc_write_map(t, o, &e, &s.map[i], buf, &done, &unreadable, total, progress) < 0)
			goto out;
	if (dump_elf_finish(&e) < 0)
		goto out;
	if (unreadable > 0 && o->verbosity >= 0)
		mf_log(0, "%" PRIu64 " unreadable page%s of pid %" PRIu64 " recorded without data", unreadable,
		       unreadable == 1 ? "" : "s", o->pid);
	rc = 0;
out:
	if (seized)
		ptrace(PTRACE_DETACH, (pid_t)o->pid, NULL, NULL);
	free(buf);
	dump_elf_free(&e);
	for (i = 0; i < s.n; i++)
		free(s.map[i].path);
	free(s.map);
	return rc;
}
