/* threads.h: the native os layer's threads and thread registers (threads.c). */
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
/* PTRACE_SEIZE + PTRACE_INTERRUPT + PTRACE_GETREGSET(NT_PRSTATUS), then detach. */
int native_thread_regs(void *handle, uint64_t pid, uint64_t tid, struct mf_regs *regs, char *errbuf);

#endif
