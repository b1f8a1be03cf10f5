/* threads.c: the native os layer's threads (/proc/PID/task), their registers, and
 * suspending a whole process.
 *
 * A thread is stopped with PTRACE_SEIZE (which, unlike PTRACE_ATTACH, sends no SIGSTOP),
 * PTRACE_INTERRUPT and a wait for the stop; PTRACE_DETACH lets it go, handing back a
 * signal the stop caught instead, so the thread sees nothing but a pause.  A thread's
 * registers (PTRACE_GETREGSET NT_PRSTATUS) are read by stopping just that thread, unless
 * its process is suspended: then every thread of it is stopped until resume, and the
 * registers are read from the stopped thread as it is.
 *
 * Suspended processes are kept in one list for the whole plugin, not per handle: the
 * kernel lets a process trace a thread once, whichever handle asked. */
#include "config.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "threads.h"

#define THREADS_MAX (1u << 22)   /* cap on one process's task list (pid_max is 4 Mi) */
#define THREADS_STAT_MAX 1024u   /* /proc/PID/task/TID/stat: comm is 16 bytes, the rest numbers */
#define THREADS_SUSPEND_PASSES 64u   /* task-list passes while suspending (new threads may appear) */

static const struct mf_host *
threads_host(void *handle)
{
	return ((struct native_threads_handle *)handle)->host;
}

/* The stat line of a task: comm (between the first '(' and the last ')', which may hold
 * anything) and the state letter.  0 or -errno. */
static int
threads_stat(uint64_t pid, uint64_t tid, char *comm, size_t commcap, char *state)
{
	char path[96], buf[THREADS_STAT_MAX + 1], *open_paren, *close_paren;
	ssize_t n;
	size_t len;
	int fd;

	snprintf(path, sizeof path, "/proc/%llu/task/%llu/stat", (unsigned long long)pid, (unsigned long long)tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	do
		n = read(fd, buf, THREADS_STAT_MAX);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (open_paren == NULL || close_paren == NULL || close_paren < open_paren || close_paren[1] != ' ' ||
	    close_paren[2] == '\0')
		return -EINVAL;
	len = (size_t)(close_paren - open_paren - 1);
	if (len >= commcap)
		len = commcap - 1;
	memcpy(comm, open_paren + 1, len);
	comm[len] = '\0';
	state[0] = close_paren[2];
	state[1] = '\0';
	return 0;
}

static int
threads_dir_err(const struct mf_host *host, int e, uint64_t pid, char *errbuf)
{
	if (e == ENOENT || e == ESRCH)
		return host->error(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu", (unsigned long long)pid);
	return host->error_errno(errbuf, e == EACCES || e == EPERM ? MF_ERR_PERM : MF_ERR_IO, e,
	                         "cannot list threads of pid %llu", (unsigned long long)pid);
}

int
native_threads(void *handle, uint64_t pid, mf_thread_cb cb, void *ctx, char *errbuf)
{
	const struct mf_host *host = threads_host(handle);
	char path[64], comm[64], state[2];
	struct dirent *de;
	unsigned count = 0;
	int r = 0;
	DIR *d;

	if (pid == 0 || pid > (uint64_t)INT32_MAX)
		return host->error(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu", (unsigned long long)pid);
	snprintf(path, sizeof path, "/proc/%llu/task", (unsigned long long)pid);
	if ((d = opendir(path)) == NULL)
		return threads_dir_err(host, errno, pid, errbuf);
	while (r == 0 && (de = readdir(d)) != NULL) {
		struct mf_thread t = { .struct_size = sizeof t, .pid = pid };
		char *end;
		unsigned long long tid;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		errno = 0;
		tid = strtoull(de->d_name, &end, 10);
		if (*end != '\0' || errno != 0)
			continue;
		if (++count > THREADS_MAX) {
			r = host->error(errbuf, MF_ERR_LIMIT, "cannot list threads of pid %llu: more than %u",
			                (unsigned long long)pid, THREADS_MAX);
			break;
		}
		if (threads_stat(pid, tid, comm, sizeof comm, state) < 0)
			continue;   /* the thread exited since readdir */
		t.tid = tid;
		t.name = comm;
		t.state = state;
		r = cb(ctx, &t);
	}
	closedir(d);
	return r;
}

/* ---- stopping threads ---- */

static int
threads_ptrace_err(const struct mf_host *host, int e, uint64_t pid, uint64_t tid, char *errbuf)
{
	if (e == ESRCH)
		return host->error(errbuf, MF_ERR_GONE, "thread %llu of pid %llu exited", (unsigned long long)tid,
		                   (unsigned long long)pid);
	if (e == EPERM || e == EACCES)
		return host->error(errbuf, MF_ERR_PERM,
		                   "cannot stop thread %llu of pid %llu: permission denied "
		                   "(needs CAP_SYS_PTRACE or ptrace rights over the process, see "
		                   "/proc/sys/kernel/yama/ptrace_scope; or a debugger holds it)",
		                   (unsigned long long)tid, (unsigned long long)pid);
	return host->error_errno(errbuf, MF_ERR_IO, e, "cannot stop thread %llu of pid %llu", (unsigned long long)tid,
	                         (unsigned long long)pid);
}

/* Wait for the seized thread's stop; the signal to hand back at detach in *sig. */
static int
threads_wait_stop(pid_t tid, int *sig)
{
	int st;

	*sig = 0;
	for (;;) {
		pid_t w = waitpid(tid, &st, __WALL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return -ESRCH;
		if (!WIFSTOPPED(st))
			continue;
		/* PTRACE_EVENT_STOP: our interrupt (or a group stop); else a signal it caught */
		if ((st >> 16) != PTRACE_EVENT_STOP)
			*sig = WSTOPSIG(st);
		return 0;
	}
}

/* Seize, interrupt and wait for the stop of one thread.  0 (stopped, traced by the
 * calling thread; the signal for the detach in *sig) or -errno (not traced). */
static int
threads_stop(pid_t tid, int *sig)
{
	int r;

	*sig = 0;
	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) < 0)
		return -errno;
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0) {
		r = -errno;
		ptrace(PTRACE_DETACH, tid, NULL, NULL);
		return r;
	}
	if ((r = threads_wait_stop(tid, sig)) < 0)
		ptrace(PTRACE_DETACH, tid, NULL, NULL);
	return r;
}

static void
threads_let_go(pid_t tid, int sig)
{
	int st;

	if (ptrace(PTRACE_DETACH, tid, NULL, (void *)(uintptr_t)sig) == 0 || errno != ESRCH)
		return;
	/* The thread is dying: a fatal signal reached its process as soon as another of its
	 * threads was let go.  Its tracer (us) must reap it, or the process can never be
	 * waited for (its leader stays a zombie until every thread is gone). */
	while (waitpid(tid, &st, __WALL) < 0 && errno == EINTR)
		;
}

/* ---- suspended processes ---- */

struct threads_stopped {
	uint64_t tid;
	int sig;
};

struct threads_suspended {
	struct threads_suspended *next;
	const void *handle;
	uint64_t pid;
	struct threads_stopped *t;
	size_t n, cap;
};

static pthread_mutex_t threads_lock = PTHREAD_MUTEX_INITIALIZER;
static struct threads_suspended *threads_list;

/* The entry of pid (lock held), or NULL. */
static struct threads_suspended *
threads_find(uint64_t pid)
{
	struct threads_suspended *s;

	for (s = threads_list; s != NULL; s = s->next)
		if (s->pid == pid)
			return s;
	return NULL;
}

static bool
threads_has(const struct threads_suspended *s, uint64_t tid)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->t[i].tid == tid)
			return true;
	return false;
}

static void
threads_release(struct threads_suspended *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		threads_let_go((pid_t)s->t[i].tid, s->t[i].sig);
	free(s->t);
	free(s);
}

struct threads_pass {
	const struct mf_host *host;
	struct threads_suspended *s;
	size_t added;
	char *errbuf;
};

/* One thread of the task list: stop it unless it is stopped already. */
static int
threads_pass_cb(void *ctx, const struct mf_thread *t)
{
	struct threads_pass *p = ctx;
	struct threads_suspended *s = p->s;
	int r, sig;

	if (threads_has(s, t->tid))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct threads_stopped *n = realloc(s->t, cap * sizeof *n);

		if (n == NULL)
			return p->host->error(p->errbuf, MF_ERR_NOMEM, "cannot suspend pid %llu: out of memory",
			                      (unsigned long long)s->pid);
		s->t = n;
		s->cap = cap;
	}
	if ((r = threads_stop((pid_t)t->tid, &sig)) == -ESRCH)
		return 0;   /* it exited since the listing */
	if (r < 0)
		return threads_ptrace_err(p->host, -r, s->pid, t->tid, p->errbuf);
	s->t[s->n++] = (struct threads_stopped){ .tid = t->tid, .sig = sig };
	p->added++;
	return 0;
}

int
native_suspend(void *handle, uint64_t pid, char *errbuf)
{
	const struct mf_host *host = threads_host(handle);
	struct threads_pass p = { .host = host, .errbuf = errbuf };
	unsigned pass;
	int r = 0;

	if (pid == 0 || pid > (uint64_t)INT32_MAX)
		return host->error(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu", (unsigned long long)pid);
	if (pid == (uint64_t)getpid())
		return host->error(errbuf, MF_ERR_UNSUPPORTED, "cannot suspend this process itself");
	if ((p.s = calloc(1, sizeof *p.s)) == NULL)
		return host->error(errbuf, MF_ERR_NOMEM, "cannot suspend pid %llu: out of memory", (unsigned long long)pid);
	p.s->handle = handle;
	p.s->pid = pid;
	pthread_mutex_lock(&threads_lock);
	if (threads_find(pid) != NULL) {
		pthread_mutex_unlock(&threads_lock);
		free(p.s);
		return host->error(errbuf, MF_ERR_ARG, "pid %llu is suspended already", (unsigned long long)pid);
	}
	/* until a pass over the task list finds no thread that is not stopped yet: a running
	 * thread may have started another meanwhile */
	for (pass = 0; r == 0; pass++) {
		if (pass == THREADS_SUSPEND_PASSES) {
			r = host->error(errbuf, MF_ERR_LIMIT, "cannot suspend pid %llu: it starts threads faster than "
			                "they can be stopped", (unsigned long long)pid);
			break;
		}
		p.added = 0;
		if ((r = native_threads(handle, pid, threads_pass_cb, &p, errbuf)) == 0 && p.added == 0)
			break;
	}
	if (r == 0 && p.s->n == 0)
		r = host->error(errbuf, MF_ERR_GONE, "pid %llu exited", (unsigned long long)pid);
	if (r < 0) {
		pthread_mutex_unlock(&threads_lock);
		threads_release(p.s);
		return r;
	}
	p.s->next = threads_list;
	threads_list = p.s;
	pthread_mutex_unlock(&threads_lock);
	return 0;
}

/* Unlink the entries of pid (any handle: pid != 0) or of a handle (pid 0) and let them go. */
static void
threads_resume_where(const void *handle, uint64_t pid)
{
	struct threads_suspended **pp, *s, *done = NULL;

	pthread_mutex_lock(&threads_lock);
	for (pp = &threads_list; (s = *pp) != NULL;) {
		if (pid != 0 ? s->pid == pid : s->handle == handle) {
			*pp = s->next;
			s->next = done;
			done = s;
		} else {
			pp = &s->next;
		}
	}
	pthread_mutex_unlock(&threads_lock);
	while ((s = done) != NULL) {
		done = s->next;
		threads_release(s);
	}
}

void
native_resume(void *handle, uint64_t pid)
{
	(void)handle;
	if (pid != 0)
		threads_resume_where(NULL, pid);
}

void
native_threads_close(void *handle)
{
	threads_resume_where(handle, 0);
}

/* ---- registers ---- */

#if defined(__x86_64__)
#define THREADS_ARCH MF_ARCH_X86_64
typedef struct user_regs_struct threads_prstatus;
#define THREADS_MEMBER x86_64
#elif defined(__aarch64__)
#define THREADS_ARCH MF_ARCH_AARCH64
typedef struct user_pt_regs threads_prstatus;
#define THREADS_MEMBER aarch64
#endif

#ifdef THREADS_ARCH
/* Our register sets have the layout of the kernel's NT_PRSTATUS set. */
_Static_assert(sizeof(threads_prstatus) == sizeof(((struct mf_regs *)0)->u.THREADS_MEMBER),
               "struct mf_regs member does not match NT_PRSTATUS");

/* The registers of a stopped thread traced by us into regs.  x86_64: PTRACE_GETREGS, which
 * gives our (64-bit) layout for any thread, a 32-bit task's too (its fs_base and gs_base
 * the bases of its fs and gs selectors' descriptors), where PTRACE_GETREGSET gives the
 * layout of the thread's own bitness (68 bytes for i386).  AArch64: PTRACE_GETREGSET. */
static int
threads_getregs(const struct mf_host *host, uint64_t pid, uint64_t tid, struct mf_regs *regs, char *errbuf)
{
	threads_prstatus prs;
	struct iovec io = { &prs, sizeof prs };
	long r;

#if defined(__x86_64__)
	r = ptrace(PTRACE_GETREGS, (pid_t)tid, NULL, &prs);
#else
	r = ptrace(PTRACE_GETREGSET, (pid_t)tid, (void *)(uintptr_t)NT_PRSTATUS, &io);
#endif
	if (r < 0)
		return host->error_errno(errbuf, MF_ERR_IO, errno, "cannot read the registers of thread %llu of pid %llu",
		                         (unsigned long long)tid, (unsigned long long)pid);
	if (io.iov_len != sizeof prs)
		return host->error(errbuf, MF_ERR_FORMAT, "thread %llu: the kernel returned %zu bytes of registers, not %zu",
		                   (unsigned long long)tid, io.iov_len, sizeof prs);
	regs->arch = THREADS_ARCH;
	memcpy(&regs->u.THREADS_MEMBER, &prs, sizeof prs);
	return 0;
}

int
native_thread_regs(void *handle, uint64_t pid, uint64_t tid, struct mf_regs *regs, char *errbuf)
{
	const struct mf_host *host = threads_host(handle);
	struct threads_suspended *s;
	char comm[64], state[2];
	int r, sig = 0;

	if (pid == 0 || pid > (uint64_t)INT32_MAX || tid == 0 || tid > (uint64_t)INT32_MAX)
		return host->error(errbuf, MF_ERR_NOTFOUND, "no thread %llu in pid %llu", (unsigned long long)tid,
		                   (unsigned long long)pid);
	if ((r = threads_stat(pid, tid, comm, sizeof comm, state)) < 0) {
		if (r == -ENOENT || r == -ESRCH)
			return host->error(errbuf, MF_ERR_NOTFOUND, "no thread %llu in pid %llu", (unsigned long long)tid,
			                   (unsigned long long)pid);
		return host->error_errno(errbuf, r == -EACCES ? MF_ERR_PERM : MF_ERR_IO, -r, "cannot read thread %llu of pid %llu",
		                         (unsigned long long)tid, (unsigned long long)pid);
	}
	if (pid == (uint64_t)getpid())
		return host->error(errbuf, MF_ERR_UNSUPPORTED, "cannot read the registers of this process's own threads");
	if (regs->struct_size < offsetof(struct mf_regs, u) + sizeof regs->u.THREADS_MEMBER)
		return host->error(errbuf, MF_ERR_ARG, "register struct of %u bytes is too small", regs->struct_size);
	pthread_mutex_lock(&threads_lock);
	if ((s = threads_find(pid)) != NULL && threads_has(s, tid)) {
		r = threads_getregs(host, pid, tid, regs, errbuf);   /* stopped until resume */
		pthread_mutex_unlock(&threads_lock);
		return r;
	}
	pthread_mutex_unlock(&threads_lock);
	if ((r = threads_stop((pid_t)tid, &sig)) < 0)
		return threads_ptrace_err(host, -r, pid, tid, errbuf);
	r = threads_getregs(host, pid, tid, regs, errbuf);
	threads_let_go((pid_t)tid, sig);
	return r;
}
#else
int
native_thread_regs(void *handle, uint64_t pid, uint64_t tid, struct mf_regs *regs, char *errbuf)
{
	(void)pid;
	(void)tid;
	(void)regs;
	return threads_host(handle)->error(errbuf, MF_ERR_UNSUPPORTED, "thread registers are not supported on this architecture");
}
#endif
