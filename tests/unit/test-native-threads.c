/* test-native-threads.c: the native os layer's threads, thread registers and suspending
 * a process, against a child with two named threads; the second reports its stack, and its
 * stack pointer as read through ptrace must lie inside it. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mftools/mf.h>
#include <mftools/plugin.h>

#include "plugin-harness.h"
#include "tap.h"

struct report {
	uint64_t tid;
	uint64_t stack_lo, stack_hi;
};

static int child_pipe[2];

static void *
child_worker(void *arg)
{
	pthread_attr_t a;
	struct report rep = { 0 };
	void *lo;
	size_t size;

	(void)arg;
	prctl(PR_SET_NAME, "mfthr-worker");
	rep.tid = (uint64_t)syscall(SYS_gettid);
	if (pthread_getattr_np(pthread_self(), &a) == 0 && pthread_attr_getstack(&a, &lo, &size) == 0) {
		rep.stack_lo = (uint64_t)(uintptr_t)lo;
		rep.stack_hi = rep.stack_lo + size;
	}
	if (write(child_pipe[1], &rep, sizeof rep) != (ssize_t)sizeof rep)
		_exit(3);
	for (;;)
		pause();
	return NULL;
}

static void
child_main(void)
{
	pthread_t th;

	prctl(PR_SET_NAME, "mfthr-main");
	if (pthread_create(&th, NULL, child_worker, NULL) != 0)
		_exit(2);
	for (;;)
		pause();
}

struct seen {
	uint64_t tids[8];
	char names[8][32];
	char states[8][4];
	size_t n;
	uint64_t pid;
};

static int
seen_cb(void *ctx, const struct mf_thread *t)
{
	struct seen *s = ctx;

	if (s->n < 8) {
		s->tids[s->n] = t->tid;
		snprintf(s->names[s->n], sizeof s->names[0], "%s", t->name);
		snprintf(s->states[s->n], sizeof s->states[0], "%s", t->state);
		s->pid = t->pid;
		s->n++;
	}
	return 0;
}

static long
seen_find(const struct seen *s, uint64_t tid)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->tids[i] == tid)
			return (long)i;
	return -1;
}

/* The state letter of a task, from /proc (the test's own reading). */
static char
task_state(pid_t pid, uint64_t tid)
{
	char path[96], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "/proc/%d/task/%" PRIu64 "/stat", (int)pid, tid);
	if ((f = fopen(path, "r")) == NULL)
		return '?';
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' ? p[2] : '?';
}

/* Wait (up to 5 s) until a task sleeps: the worker has reached pause(). */
static char
task_wait_sleeping(pid_t pid, uint64_t tid)
{
	int i;

	for (i = 0; i < 500 && task_state(pid, tid) != 'S'; i++)
		usleep(10000);
	return task_state(pid, tid);
}

static uint64_t
regs_sp(const struct mf_regs *r)
{
	return r->arch == MF_ARCH_X86_64 ? r->u.x86_64.rsp : r->arch == MF_ARCH_AARCH64 ? r->u.aarch64.sp : 0;
}

static uint64_t
regs_pc(const struct mf_regs *r)
{
	return r->arch == MF_ARCH_X86_64 ? r->u.x86_64.rip : r->arch == MF_ARCH_AARCH64 ? r->u.aarch64.pc : 0;
}

int
main(void)
{
	const struct mf_os *os = harness_os(harness_plugin_path("os", "native"));
	struct mf_args args = { NULL, 0, NULL };
	struct mf_regs regs;
	struct report rep;
	struct seen s = { 0 };
	char err[MF_ERRBUF_SIZE];
	void *h = NULL;
	pid_t child;
	long wi, mi;
	bool can_suspend = false;
	int r, st;

	if (os == NULL || os->threads == NULL || os->thread_regs == NULL) {
		ok(0, "the native os layer has threads and thread_regs");
		return done_testing();
	}
	ok(os->open(mf_host(), NULL, &args, NULL, &h, err) == 0, "open native");
	if (pipe(child_pipe) < 0)
		return 1;
	if ((child = fork()) == 0) {
		close(child_pipe[0]);
		child_main();
	}
	close(child_pipe[1]);
	if (read(child_pipe[0], &rep, sizeof rep) != (ssize_t)sizeof rep) {
		ok(0, "the child reports its worker thread");
		kill(child, SIGKILL);
		return done_testing();
	}
	ok(rep.stack_lo != 0 && rep.stack_hi > rep.stack_lo, "the worker knows its stack 0x%" PRIx64 "-0x%" PRIx64,
	   rep.stack_lo, rep.stack_hi);

	/* threads */
	task_wait_sleeping(child, rep.tid);
	task_wait_sleeping(child, (uint64_t)child);
	r = os->threads(h, (uint64_t)child, seen_cb, &s, err);
	is_int(r, 0, "threads of the child");
	is_u64(s.n, 2, "two threads");
	is_u64(s.pid, (uint64_t)child, "records carry the pid");
	mi = seen_find(&s, (uint64_t)child);
	wi = seen_find(&s, rep.tid);
	ok(mi >= 0 && strcmp(s.names[mi], "mfthr-main") == 0, "the main thread: tid = pid, its name");
	ok(wi >= 0 && strcmp(s.names[wi], "mfthr-worker") == 0, "the worker thread: its tid and name");
	ok(wi >= 0 && strcmp(s.states[wi], "S") == 0, "the worker sleeps (state %s)", wi >= 0 ? s.states[wi] : "?");

	/* registers */
	memset(&regs, 0, sizeof regs);
	regs.struct_size = sizeof regs;
	r = os->thread_regs(h, (uint64_t)child, rep.tid, &regs, err);
	if (r == MF_ERR_PERM) {
		printf("ok %d # SKIP ptrace not permitted here: %s\n", ++tap_count, err);
	} else {
		is_int(r, 0, "registers of the worker (%s)", r < 0 ? err : "ok");
#if defined(__x86_64__)
		is_u64(regs.arch, MF_ARCH_X86_64, "x86_64 registers");
#elif defined(__aarch64__)
		is_u64(regs.arch, MF_ARCH_AARCH64, "aarch64 registers");
#endif
		ok(regs_sp(&regs) >= rep.stack_lo && regs_sp(&regs) < rep.stack_hi,
		   "its stack pointer 0x%" PRIx64 " is inside its stack", regs_sp(&regs));
		ok(regs_pc(&regs) != 0, "its program counter is set (0x%" PRIx64 ")", regs_pc(&regs));
#if defined(__x86_64__)
		ok(regs.u.x86_64.fs_base != 0, "fs_base (its TLS) is set");
#endif
		is_u64(regs.struct_size, sizeof regs, "struct_size is left alone");
		ok(task_wait_sleeping(child, rep.tid) == 'S', "the worker runs on after the read (not stopped: %c)",
		   task_state(child, rep.tid));
		memset(&regs, 0, sizeof regs);
		regs.struct_size = sizeof regs;
		is_int(os->thread_regs(h, (uint64_t)child, (uint64_t)child, &regs, err), 0, "registers of the main thread");
		ok(regs_sp(&regs) != 0 && (regs_sp(&regs) < rep.stack_lo || regs_sp(&regs) >= rep.stack_hi),
		   "its stack pointer is on another stack");
		regs.struct_size = 16;
		is_int(os->thread_regs(h, (uint64_t)child, rep.tid, &regs, err), MF_ERR_ARG, "a struct too small is refused");
	}

	/* suspend and resume */
	if (os->suspend == NULL || os->resume == NULL) {
		ok(0, "the native os layer has suspend and resume");
	} else if ((r = os->suspend(h, (uint64_t)child, err)) == MF_ERR_PERM) {
		printf("ok %d # SKIP ptrace not permitted here: %s\n", ++tap_count, err);
		os->resume(h, (uint64_t)child);
	} else {
		is_int(r, 0, "suspend the child (%s)", r < 0 ? err : "ok");
		ok(task_state(child, (uint64_t)child) == 't' && task_state(child, rep.tid) == 't',
		   "both threads are stopped (%c %c)", task_state(child, (uint64_t)child), task_state(child, rep.tid));
		memset(&regs, 0, sizeof regs);
		regs.struct_size = sizeof regs;
		r = os->thread_regs(h, (uint64_t)child, rep.tid, &regs, err);
		is_int(r, 0, "registers of the suspended worker (%s)", r < 0 ? err : "ok");
		ok(regs_sp(&regs) >= rep.stack_lo && regs_sp(&regs) < rep.stack_hi, "its stack pointer is inside its stack");
		ok(task_state(child, rep.tid) == 't', "the worker stays stopped after the read (%c)", task_state(child, rep.tid));
		memset(&regs, 0, sizeof regs);
		regs.struct_size = sizeof regs;
		is_int(os->thread_regs(h, (uint64_t)child, (uint64_t)child, &regs, err), 0, "registers of the suspended main thread");
		ok(regs_pc(&regs) != 0, "its program counter is set");
		is_int(os->suspend(h, (uint64_t)child, err), MF_ERR_ARG, "a suspended process cannot be suspended again");
		ok(strstr(err, "is suspended already") != NULL, "says so (%s)", err);
		os->resume(h, (uint64_t)child);
		ok(task_wait_sleeping(child, (uint64_t)child) == 'S' && task_wait_sleeping(child, rep.tid) == 'S',
		   "resume lets both threads run on (%c %c)", task_state(child, (uint64_t)child), task_state(child, rep.tid));
		os->resume(h, (uint64_t)child);
		ok(task_state(child, rep.tid) == 'S', "a second resume does nothing");
		/* close resumes what is still suspended */
		r = os->suspend(h, (uint64_t)child, err);
		is_int(r, 0, "suspend again (%s)", r < 0 ? err : "ok");
		ok(task_state(child, rep.tid) == 't', "stopped again");
		os->close(h);
		h = NULL;
		ok(task_wait_sleeping(child, (uint64_t)child) == 'S' && task_wait_sleeping(child, rep.tid) == 'S',
		   "close lets them run (%c %c)", task_state(child, (uint64_t)child), task_state(child, rep.tid));
		ok(os->open(mf_host(), NULL, &args, NULL, &h, err) == 0, "open native again");
		can_suspend = true;
	}
	is_int(os->suspend(h, (uint64_t)getpid(), err), MF_ERR_UNSUPPORTED, "not this process itself");
	is_int(os->suspend(h, 0, err), MF_ERR_NOTFOUND, "pid 0");

	/* errors */
	is_int(os->thread_regs(h, (uint64_t)child, 1, &regs, err), MF_ERR_NOTFOUND, "a tid of another process");
	ok(strstr(err, "no thread 1 in pid") != NULL, "says so (%s)", err);
	regs.struct_size = sizeof regs;
	is_int(os->thread_regs(h, (uint64_t)getpid(), (uint64_t)getpid(), &regs, err), MF_ERR_UNSUPPORTED,
	       "not this process's own threads");
	/* a signal that arrives while the child is suspended waits for the resume (its end) */
	if (can_suspend && os->suspend(h, (uint64_t)child, err) == 0) {
		pid_t w;
		int i;

		kill(child, SIGUSR1);
		usleep(50000);
		is_int(waitpid(child, &st, WNOHANG), 0, "SIGUSR1 waits while the child is suspended");
		os->resume(h, (uint64_t)child);
		for (i = 0; i < 500 && (w = waitpid(child, &st, WNOHANG)) == 0; i++)
			usleep(10000);
		ok(w == child && WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1, "and ends it once resumed");
	}
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	is_int(os->suspend(h, (uint64_t)child, err), MF_ERR_NOTFOUND, "suspend an exited process");
	s.n = 0;
	is_int(os->threads(h, (uint64_t)child, seen_cb, &s, err), MF_ERR_NOTFOUND, "threads of an exited process");
	ok(strstr(err, "no process with pid") != NULL, "says so (%s)", err);
	is_int(os->thread_regs(h, (uint64_t)child, (uint64_t)child, &regs, err), MF_ERR_NOTFOUND,
	       "registers of an exited process");
	os->close(h);
	return done_testing();
}
