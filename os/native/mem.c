/* mem.c: process memory, through the process-memory engine (batched process_vm_readv and
 * process_vm_writev, /proc/PID/mem for writes to read-only mappings). */
#include "config.h"

#include "pluginlib/procmem.h"
#include "native.h"

int
native_rw(uint64_t pid, struct mf_iov *iov, size_t n, int wr, char *errbuf)
{
	const struct procmem pm = { .pid = (pid_t)pid, .flags = PROCMEM_MEMFILE };
	size_t i;
	int r;

	if (pid == 0 || !native_pid_ok(pid)) {
		r = pid == 0 ? MF_ERR_UNSUPPORTED : MF_ERR_NOTFOUND;
		for (i = 0; i < n; i++)
			iov[i].err = r;
		if (pid == 0)
			return plib_error(errbuf, r, "cannot %s kernel memory with the native os layer "
			                  "(use the kcore connector)", wr ? "write" : "read");
		return plib_error(errbuf, r, "no process with pid %llu", (unsigned long long)pid);
	}
	return wr ? procmem_write(&pm, iov, n, errbuf) : procmem_read(&pm, iov, n, errbuf);
}

int
native_read(void *handle, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf)
{
	(void)handle;
	return native_rw(pid, iov, n, 0, errbuf);
}

int
native_write(void *handle, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf)
{
	(void)handle;
	return native_rw(pid, iov, n, 1, errbuf);
}
