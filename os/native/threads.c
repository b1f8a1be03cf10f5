/* threads.c: the native os layer's threads (/proc/PID/task) and their registers.
 *
 * A thread's registers are read by stopping just that thread: PTRACE_SEIZE (which, unlike
 * PTRACE_ATTACH, sends no SIGSTOP), PTRACE_INTERRUPT, wait for the stop, PTRACE_GETREGSET
 * NT_PRSTATUS, PTRACE_DETACH.  A signal the stop caught instead is handed back at the
 * detach, so the thread sees nothing of the read but a short pause. */
#include "config.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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

static int
threads_ptrace_err(const struct mf_host *host, int e, uint64_t pid, uint64_t tid, char *errbuf)
{
	if (e == ESRCH)
		return host->error(errbuf, MF_ERR_GONE, "thread %llu of pid %llu exited", (unsigned long long)tid,
		                   (unsigned long long)pid);
	if (e == EPERM || e == EACCES)
		return host->error(errbuf, MF_ERR_PERM,
		                   "cannot stop thread %llu of pid %llu to read its registers: permission denied "
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

int
native_thread_regs(void *handle, uint64_t pid, uint64_t tid, struct mf_regs *regs, char *errbuf)
{
	const struct mf_host *host = threads_host(handle);
	threads_prstatus prs;
	struct iovec io = { &prs, sizeof prs };
	char comm[64], state[2];
	int r, e, sig = 0;

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
	if (ptrace(PTRACE_SEIZE, (pid_t)tid, NULL, NULL) < 0)
		return threads_ptrace_err(host, errno, pid, tid, errbuf);
	if (ptrace(PTRACE_INTERRUPT, (pid_t)tid, NULL, NULL) < 0) {
		e = errno;
		ptrace(PTRACE_DETACH, (pid_t)tid, NULL, NULL);
		return threads_ptrace_err(host, e, pid, tid, errbuf);
	}
	if ((r = threads_wait_stop((pid_t)tid, &sig)) < 0) {
		ptrace(PTRACE_DETACH, (pid_t)tid, NULL, NULL);
		return threads_ptrace_err(host, -r, pid, tid, errbuf);
	}
	r = ptrace(PTRACE_GETREGSET, (pid_t)tid, (void *)(uintptr_t)NT_PRSTATUS, &io) < 0 ? -errno : 0;
	ptrace(PTRACE_DETACH, (pid_t)tid, NULL, (void *)(uintptr_t)sig);
	if (r < 0)
		return host->error_errno(errbuf, MF_ERR_IO, -r, "cannot read the registers of thread %llu of pid %llu",
		                         (unsigned long long)tid, (unsigned long long)pid);
	if (io.iov_len != sizeof prs)
		return host->error(errbuf, MF_ERR_FORMAT, "thread %llu: the kernel returned %zu bytes of registers, not %zu",
		                   (unsigned long long)tid, io.iov_len, sizeof prs);
	regs->arch = THREADS_ARCH;
	memcpy(&regs->u.THREADS_MEMBER, &prs, sizeof prs);
	return 0;
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
