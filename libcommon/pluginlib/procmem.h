/* procmem.h: the process-memory engine: read and write another process's memory in
 * batches with process_vm_readv/process_vm_writev.
 *
 * Used by the native os layer (this machine's processes) and the qemu connector (guest
 * RAM inside the QEMU process).  A batch is a list of struct mf_iov pieces whose `addr`
 * is an address in the target process.  The pieces go to the kernel in as few calls as
 * possible (PROCMEM_IOV_MAX pieces, PROCMEM_CALL_MAX bytes a call); EINTR is retried; a
 * short transfer is resumed after the page it stopped in, and that page is retried alone,
 * so each piece gets its own result:
 *   0                   every byte transferred
 *   MF_ERR_NOTMAPPED    a page of the piece is not mapped (or not accessible) in the
 *                       process; the bytes before it may have been transferred
 *   MF_ERR_NOMEM, MF_ERR_IO   the kernel said so for that piece
 *   MF_ERR_ARG          len > 0 with a NULL buffer
 * A failure of the whole call (MF_ERR_GONE: the process exited, MF_ERR_PERM: no ptrace
 * rights, MF_ERR_IO: the syscall is missing) is returned with its message in errbuf and
 * set in every piece not yet done. */
#ifndef MF_PLUGINLIB_PROCMEM_H
#define MF_PLUGINLIB_PROCMEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <mftools/plugin.h>

#define PROCMEM_IOV_MAX 1024u            /* pieces per process_vm_* call (IOV_MAX) */
#define PROCMEM_CALL_MAX (1ull << 30)    /* bytes per call: below the kernel's MAX_RW_COUNT */
#define PROCMEM_PAGE 4096ull             /* the unit of the retry after a short transfer */

/* Fall back to /proc/PID/mem where process_vm_* cannot do the job: a kernel without the
 * syscalls, and writes to read-only mappings (which /proc/PID/mem forces through, as
 * debuggers do). */
#define PROCMEM_MEMFILE 0x1u

struct procmem {
	pid_t pid;
	/* The process in messages: NULL for "pid 12" / "process 12 exited", "qemu" for
	 * "qemu process 12" / "qemu process 12 exited". */
	const char *kind;
	unsigned flags;           /* PROCMEM_* */
};

/* Transfer the n pieces; see the top of this file for the results.  Returns 0 or the
 * whole-call error. */
int procmem_read(const struct procmem *pm, struct mf_iov *piece, size_t n, char *errbuf);
int procmem_write(const struct procmem *pm, struct mf_iov *piece, size_t n, char *errbuf);

/* The one permission message ("cannot read memory of pid 12: permission denied (needs
 * CAP_SYS_PTRACE ...; kernel.yama.ptrace_scope is N)") in errbuf.  Returns MF_ERR_PERM. */
int procmem_perm_error(const struct procmem *pm, int wr, char *errbuf);

#endif
