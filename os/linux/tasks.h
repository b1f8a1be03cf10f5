/* tasks.h: the task walker of the linux os layer (tasks.c) and the os operations over it.
 * Every task comes from init_task.tasks; the walk is bounded (LX_MAX_TASKS, a set of the
 * tasks seen) so a cycle or a wild pointer ends it with a warning and what was read. */
#ifndef MF_OS_LINUX_TASKS_H
#define MF_OS_LINUX_TASKS_H

#include <stdint.h>

#include "lxtypes.h"

#define LX_MAX_TASKS (1u << 22)      /* pid_max is at most 4 Mi */
#define LX_CMDLINE_MAX (64u * 1024u)  /* command lines are truncated here */
#define LX_PF_KTHREAD 0x00200000u

/* One task as read from its task_struct. */
struct lx_task {
	uint64_t addr;        /* the task_struct */
	uint64_t pid, tgid;
	uint64_t ppid;        /* real_parent->tgid */
	uint64_t mm;          /* 0 for kernel threads */
	uint64_t flags;
	uint64_t cred;
	char comm[17];
	char state[2];
	int kthread;
	uint64_t start_boottime;   /* ns after boot (CLOCK_BOOTTIME), 0 if unknown */
	int exited;                /* exit_state: a zombie (or dead) */
	int64_t exit_code;         /* its wait status, when exited */
};

/* lx->init_task: its symbol, a saved record's hint, else (no data symbols in kallsyms:
 * arm64) the task_struct in the kernel image whose comm is "swapper/0", pid 0, and whose
 * task list links back to it.  Stored as the hint `init_task`.  0 or MF_ERR_NOTFOUND. */
int lx_init_task_find(struct lx *lx);
/* Read the task at `addr`: 0 or MF_ERR_* (unreadable). */
int lx_task_read(const struct lx *lx, uint64_t addr, struct lx_task *t);
typedef int (*lx_task_cb)(void *ctx, const struct lx_task *t);
/* Every thread-group leader from init_task.tasks (init_task itself, pid 0, not): the
 * callback's non-zero value stops the walk and is returned.  A list that breaks is a
 * warning (host->log) and the walk ends with what it read: 0. */
int lx_task_walk(const struct lx *lx, lx_task_cb cb, void *ctx, char *errbuf);
/* The leader of process PID: 0, or MF_ERR_NOTFOUND. */
int lx_task_find(const struct lx *lx, uint64_t pid, struct lx_task *t, char *errbuf);
/* The address space of a task with an mm: its architecture and physical page-table
 * root.  MF_ERR_NOTFOUND for a kernel thread. */
int lx_task_space(const struct lx *lx, const struct lx_task *t, struct mf_space *sp);

/* the os operations */
int lx_processes(void *handle, mf_process_cb cb, void *ctx, char *errbuf);
int lx_process(void *handle, uint64_t pid, mf_process_cb cb, void *ctx, char *errbuf);
int lx_threads(void *handle, uint64_t pid, mf_thread_cb cb, void *ctx, char *errbuf);
int lx_environment(void *handle, uint64_t pid, uint8_t *buf, size_t cap, size_t *len, char *errbuf);

/* paths.c: the path of a struct file (d_path over dentries and mounts), bounded; "" when
 * it cannot be read.  Returns the length. */
size_t lx_file_path(const struct lx *lx, uint64_t file, char *buf, size_t cap);

#endif
