/* native.c: the `native` os layer: this machine's processes, read from /proc.
 *
 * Processes (processes.c), maps (maps.c) and modules (modules.c) come from
 * /proc/PID/{stat,status,cmdline,exe,maps}, read by procfs.c with one open/read/close into
 * a caller-provided buffer (no stdio), everything in /proc treated as hostile input.
 * Process memory (mem.c) is read and written by the process-memory engine: batched
 * process_vm_readv/process_vm_writev, falling back to /proc/PID/mem where those cannot do
 * the job (no syscall, or a write to a read-only mapping, which /proc/PID/mem forces
 * through as debuggers do).  This file: open, close and the descriptor. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "native.h"
#include "threads.h"

struct native {
	const struct mf_host *host;
};

static int
native_open(const struct mf_host *host, const struct mf_phys *phys, const struct mf_args *args,
            struct mf_hints *hints, void **handle, char *errbuf)
{
	struct native *h;
	struct utsname u;
	char hostname[256];

	(void)phys;
	(void)args;
	if (access("/proc/self/stat", R_OK) != 0)
		return host->error(errbuf, MF_ERR_UNSUPPORTED, "cannot open /proc: %s (is procfs mounted?)",
		                   strerror(errno));
	h = calloc(1, sizeof *h);
	if (h == NULL)
		return host->error(errbuf, MF_ERR_NOMEM, "cannot open native: out of memory");
	h->host = host;
	if (hints != NULL && host != NULL) {
		if (host->hint_set_str != NULL && host->arch_name != NULL && NATIVE_ARCH != MF_ARCH_UNKNOWN)
			host->hint_set_str(hints, "arch", host->arch_name(NATIVE_ARCH));
		if (host->hint_set_str != NULL) {
			host->hint_set_str(hints, "os", "native");
			if (gethostname(hostname, sizeof hostname) == 0) {
				hostname[sizeof hostname - 1] = '\0';
				host->hint_set_str(hints, "hostname", hostname);
			}
			if (uname(&u) == 0)
				host->hint_set_str(hints, "kernel", u.release);
		}
	}
	*handle = h;
	return 0;
}

static void
native_close(void *handle)
{
	native_threads_close(handle);
	free(handle);
}

static const char *const native_keys[] = { NULL };

static const struct mf_os native_os = {
	MF_OS_INIT,
	.name = "native",
	.description = "this machine's processes (/proc)",
	.help =
		"  (no arguments)\n"
		"  processes: every process from /proc (pid, ppid, name, path, cmdline, state, uid)\n"
		"  maps: /proc/PID/maps; modules: the mapped ELF files of a process, and with\n"
		"    pid 0 the kernel (/proc/kallsyms _stext.._etext) and /proc/modules\n"
		"  memory: batched process_vm_readv/writev, /proc/PID/mem for writes to\n"
		"    read-only mappings; needs CAP_SYS_PTRACE or ptrace rights over the process\n"
		"  threads: /proc/PID/task; registers of a thread: stopped for the read with ptrace\n"
		"  suspend: every thread of a process stopped with ptrace until resume\n"
		"  auxv: /proc/PID/auxv; environment: /proc/PID/environ\n"
		"  symbols: the dynamic symbols (exports) of a process's ELF modules, read from\n"
		"    its memory: mf-syms -p PID, and MODULE!SYMBOL in address arguments\n"
		"  Wine processes (64-bit): PE modules from the PEB's loader list, the Windows\n"
		"    image path and command line, the PE modules' exports as symbols\n",
	.keys = native_keys,
	.flags = MF_OS_NO_PHYS,
	.thread_model = MF_THREAD_PARALLEL,   /* state: the host pointer; suspended processes in threads.c, locked */
	.open = native_open,
	.close = native_close,
	.processes = native_processes,
	.process = native_process,
	.modules = native_modules,
	.maps = native_maps,
	.read = native_read,
	.write = native_write,
	.symbols = native_symbols,
	.symbol_lookup = native_symbol_lookup,
	.symbol_at = native_symbol_at,
	.threads = native_threads,
	.thread_regs = native_thread_regs,
	.suspend = native_suspend,
	.resume = native_resume,
	.auxv = native_auxv,
	.environment = native_environment,
};

MF_REGISTER_OS(native_os)
