/* auxv.c: the auxiliary vector of a process, /proc/PID/auxv as the kernel saved it at exec
 * (the AT_* pairs a core file's NT_AUXV holds), and its environment, /proc/PID/environ
 * (the NAME=VALUE strings as the process holds them now). */
#include "config.h"

#include "native.h"

/* /proc/PID/FILE into buf (what: for the error line). */
static int
native_proc_blob(uint64_t pid, const char *file, const char *what, uint8_t *buf, size_t cap, size_t *len, char *errbuf)
{
	char path[64];
	ssize_t n;

	*len = 0;
	if (!native_pid_ok(pid))
		return plib_error(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu", (unsigned long long)pid);
	native_path(path, sizeof path, (long long)pid, file);
	if ((n = fio_read_into(path, (char *)buf, cap, FIO_PROCFS)) < 0)
		return native_open_err(errbuf, (int)n, pid, what);
	*len = (size_t)n;
	return 0;
}

int
native_auxv(void *handle, uint64_t pid, uint8_t *buf, size_t cap, size_t *len, char *errbuf)
{
	(void)handle;
	return native_proc_blob(pid, "auxv", "the auxiliary vector", buf, cap, len, errbuf);
}

int
native_environment(void *handle, uint64_t pid, uint8_t *buf, size_t cap, size_t *len, char *errbuf)
{
	(void)handle;
	return native_proc_blob(pid, "environ", "the environment", buf, cap, len, errbuf);
}
