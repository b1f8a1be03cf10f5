/* auxv.c: the auxiliary vector of a process, /proc/PID/auxv as the kernel saved it at exec
 * (the AT_* pairs a core file's NT_AUXV holds). */
#include "config.h"

#include "native.h"

int
native_auxv(void *handle, uint64_t pid, uint8_t *buf, size_t cap, size_t *len, char *errbuf)
{
	char path[64];
	ssize_t n;

	(void)handle;
	*len = 0;
	if (!native_pid_ok(pid))
		return plib_error(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu", (unsigned long long)pid);
	native_path(path, sizeof path, (long long)pid, "auxv");
	if ((n = fio_read_into(path, (char *)buf, cap, FIO_PROCFS)) < 0)
		return native_open_err(errbuf, (int)n, pid, "the auxiliary vector");
	*len = (size_t)n;
	return 0;
}
