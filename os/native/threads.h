/* threads.h: the native os layer's threads, thread registers and suspending a process
 * (threads.c). */
#ifndef MF_NATIVE_THREADS_H
#define MF_NATIVE_THREADS_H

#include <mftools/plugin.h>

/* What threads.c needs of the native handle: native.c's struct native begins with the
 * host table pointer. */
struct native_threads_handle {
	const struct mf_host *host;
};

/* /proc/PID/task: tid, comm, state; addr 0. */
int native_threads(void *handle, uint64_t pid, mf_thread_cb cb, void *ctx, char *errbuf);
/* PTRACE_GETREGSET(NT_PRSTATUS) of a stopped thread: one of a suspended process as it is,
 * else stopped for the read (PTRACE_SEIZE + PTRACE_INTERRUPT) and let go. */
int native_thread_regs(void *handle, uint64_t pid, uint64_t tid, struct mf_regs *regs, char *errbuf);
/* Stop every thread of pid (seize and interrupt each, over the task list until no new one
 * appears) until native_resume; fails, with nothing left stopped, if one cannot be. */
int native_suspend(void *handle, uint64_t pid, char *errbuf);
/* Detach every stopped thread of pid, handing back the signals the stops caught. */
void native_resume(void *handle, uint64_t pid);
/* Resume what the handle still has suspended (from close). */
void native_threads_close(void *handle);

#endif
