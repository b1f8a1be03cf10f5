/* native.c: the `native` os layer: this machine's processes, read from /proc.
 *
 * Processes, maps and modules come from /proc/PID/{stat,status,cmdline,exe,maps}; process
 * memory is read and written with batched process_vm_readv/process_vm_writev, falling back
 * to /proc/PID/mem where those cannot do the job (no syscall, or a write to a read-only
 * mapping, which /proc/PID/mem forces through as debuggers do).
 *
 * Every /proc file is read with one open/read/close into a caller-provided buffer (no
 * stdio); everything in /proc is treated as hostile input (comm with spaces, ')' and
 * newlines, huge command lines, absurd line lengths). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <mftools/plugin.h>

#include "threads.h"

#define NATIVE_CMDLINE_MAX (64u * 1024u)    /* command lines are truncated here */
#define NATIVE_SMALL_MAX 4096u             /* stat, status */
#define NATIVE_IOV_MAX 1024u               /* entries per process_vm_* call (IOV_MAX) */
#define NATIVE_CALL_MAX (1ull << 30)       /* bytes per call: below the kernel's MAX_RW_COUNT */
#define NATIVE_PAGE 4096ull
#define NATIVE_MAPS_BUF (64u * 1024u)      /* maps read buffer; longer lines are truncated */
#define NATIVE_MAX_PROCS (1u << 23)        /* cap on a /proc walk (pid_max is at most 4 Mi) */
#define NATIVE_MAX_MAPS (1u << 24)         /* cap on maps lines of one process */
#define NATIVE_MAX_KMODS (1u << 16)        /* cap on /proc/modules lines */
#ifndef NATIVE_PROC_MODULES
#define NATIVE_PROC_MODULES "/proc/modules"
#endif

#if defined(__x86_64__)
#define NATIVE_ARCH MF_ARCH_X86_64
#elif defined(__i386__)
#define NATIVE_ARCH MF_ARCH_X86_32
#elif defined(__aarch64__)
#define NATIVE_ARCH MF_ARCH_AARCH64
#else
#define NATIVE_ARCH MF_ARCH_UNKNOWN
#endif

struct native {
	const struct mf_host *host;
};

/* ---- small helpers ------------------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static int
native_err(char *errbuf, int code, const char *fmt, ...)
{
	va_list ap;

	if (errbuf != NULL) {
		va_start(ap, fmt);
		vsnprintf(errbuf, MF_ERRBUF_SIZE, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* "/proc/PID/WHAT" (or "/proc/WHAT" when pid < 0) into buf; no stdio on the hot path. */
static void
native_path(char *buf, size_t cap, long long pid, const char *what)
{
	char digits[24];
	size_t nd = 0, n = 0, wl = strlen(what);
	unsigned long long v = (unsigned long long)pid;

	memcpy(buf, "/proc/", 6);
	n = 6;
	if (pid >= 0) {
		do {
			digits[nd++] = (char)('0' + v % 10);
			v /= 10;
		} while (v != 0);
		while (nd > 0)
			buf[n++] = digits[--nd];
		buf[n++] = '/';
	}
	if (n + wl + 1 > cap)
		wl = cap - n - 1;
	memcpy(buf + n, what, wl);
	buf[n + wl] = '\0';
}

/* Read up to cap bytes of PATH into buf (one open, reads until EOF or full, close).
 * procfs answers a small file in one read, so a short read ends it without asking again
 * for the EOF.  Returns the length, or -errno. */
static ssize_t
native_slurp(const char *path, char *buf, size_t cap)
{
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	while (len < cap) {
		size_t want = cap - len;
		ssize_t r = read(fd, buf + len, want);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			close(fd);
			return len > 0 ? (ssize_t)len : r;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if ((size_t)r < want)
			break;   /* short read: the whole file */
	}
	close(fd);
	return (ssize_t)len;
}

static int
native_parse_dec(const char *s, const char *end, uint64_t *out, const char **next)
{
	uint64_t v = 0;
	const char *p = s;

	while (p < end && *p >= '0' && *p <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
		p++;
	}
	if (p == s)
		return -1;
	*out = v;
	if (next != NULL)
		*next = p;
	return 0;
}

static int
native_parse_hex(const char *s, const char *end, uint64_t *out, const char **next)
{
	uint64_t v = 0;
	const char *p = s;

	while (p < end) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (v >> 60)
			return -1;
		v = (v << 4) | (uint64_t)d;
		p++;
	}
	if (p == s)
		return -1;
	*out = v;
	if (next != NULL)
		*next = p;
	return 0;
}

static int
native_pid_ok(uint64_t pid)
{
	return pid > 0 && pid <= INT_MAX;
}

/* ---- processes ----------------------------------------------------------------------- */

/* Per-walk scratch: reentrant (callbacks may call back into the plugin). */
struct native_scratch {
	char stat[NATIVE_SMALL_MAX];
	char status[NATIVE_SMALL_MAX];
	char name[NATIVE_SMALL_MAX];
	char exe[PATH_MAX + 1];
	char state[8];
	char cmdline[NATIVE_CMDLINE_MAX + 1];
};

/* The architecture of an executable from its ELF header (one pread of 20 bytes).  Only a
 * 32-bit x86 executable changes the answer; anything else is the host's architecture. */
static uint32_t
native_exe_arch(long long pid)
{
	char path[64];
	unsigned char h[20];
	ssize_t r;
	int fd;

	native_path(path, sizeof path, pid, "exe");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return NATIVE_ARCH;
	r = pread(fd, h, sizeof h, 0);
	close(fd);
	if (r == (ssize_t)sizeof h && memcmp(h, "\x7f" "ELF", 4) == 0 && h[4] == 1 /* ELFCLASS32 */
	    && h[5] == 1 /* little endian */ && (h[18] | h[19] << 8) == 3 /* EM_386 */)
		return MF_ARCH_X86_32;
	return NATIVE_ARCH;
}

/* Fill p from /proc/PID.  Returns 0, MF_ERR_NOTFOUND when the process is not there (or
 * vanished meanwhile), or MF_ERR_FORMAT for a stat line that does not parse.  *tgid is
 * the thread group (0 when unknown). */
static int
native_read_proc(long long pid, struct native_scratch *s, struct mf_process *p, uint64_t *tgid)
{
	char path[64];
	ssize_t n, m;
	const char *open_paren, *close_paren, *q, *end;
	uint64_t ppid = 0, v;
	size_t i, namelen;

	*tgid = 0;
	native_path(path, sizeof path, pid, "stat");
	n = native_slurp(path, s->stat, sizeof s->stat - 1);
	if (n <= 0)
		return MF_ERR_NOTFOUND;
	s->stat[n] = '\0';
	end = s->stat + n;
	open_paren = memchr(s->stat, '(', (size_t)n);
	close_paren = NULL;
	for (q = end; q > s->stat; q--) {
		if (q[-1] == ')') {
			close_paren = q - 1;
			break;
		}
	}
	if (open_paren == NULL || close_paren == NULL || close_paren < open_paren)
		return MF_ERR_FORMAT;
	namelen = (size_t)(close_paren - open_paren - 1);
	if (namelen >= sizeof s->name)
		namelen = sizeof s->name - 1;
	memcpy(s->name, open_paren + 1, namelen);
	s->name[namelen] = '\0';
	/* ") S PPID ..." */
	q = close_paren + 1;
	if (end - q < 4 || q[0] != ' ' || q[2] != ' ')
		return MF_ERR_FORMAT;
	s->state[0] = q[1];
	s->state[1] = '\0';
	if (native_parse_dec(q + 3, end, &ppid, NULL) < 0) {
		/* ppid may be printed as a negative number in no kernel; be strict anyway */
		return MF_ERR_FORMAT;
	}

	/* status: real uid and thread group */
	p->uid = -1;
	native_path(path, sizeof path, pid, "status");
	m = native_slurp(path, s->status, sizeof s->status - 1);
	if (m < 0)
		return MF_ERR_NOTFOUND;
	s->status[m] = '\0';
	for (q = s->status; q < s->status + m;) {
		const char *eol = memchr(q, '\n', (size_t)(s->status + m - q));

		if (eol == NULL)
			eol = s->status + m;
		if (eol - q > 5 && memcmp(q, "Tgid:", 5) == 0) {
			const char *d = q + 5;

			while (d < eol && (*d == '\t' || *d == ' '))
				d++;
			if (native_parse_dec(d, eol, &v, NULL) == 0)
				*tgid = v;
		} else if (eol - q > 4 && memcmp(q, "Uid:", 4) == 0) {
			const char *d = q + 4;

			while (d < eol && (*d == '\t' || *d == ' '))
				d++;
			if (native_parse_dec(d, eol, &v, NULL) == 0 && v <= UINT32_MAX)
				p->uid = (int64_t)v;
			break;   /* Uid comes after Tgid */
		}
		q = eol + 1;
	}

	/* cmdline: NULs become spaces, the trailing NUL goes */
	native_path(path, sizeof path, pid, "cmdline");
	n = native_slurp(path, s->cmdline, NATIVE_CMDLINE_MAX);
	if (n < 0) {
		if (n == -ENOENT || n == -ESRCH)
			return MF_ERR_NOTFOUND;
		n = 0;
	}
	while (n > 0 && s->cmdline[n - 1] == '\0')
		n--;
	for (i = 0; i < (size_t)n; i++)
		if (s->cmdline[i] == '\0')
			s->cmdline[i] = ' ';
	s->cmdline[n] = '\0';

	/* exe: "" for kernel threads and when not permitted */
	native_path(path, sizeof path, pid, "exe");
	n = readlink(path, s->exe, sizeof s->exe - 1);
	if (n < 0)
		n = 0;
	s->exe[n] = '\0';

	p->pid = (uint64_t)pid;
	p->ppid = ppid;
	p->name = s->name;
	p->path = s->exe;
	p->cmdline = s->cmdline;
	p->state = s->state;
	p->arch = n > 0 ? native_exe_arch(pid) : NATIVE_ARCH;
	p->reserved = 0;
	p->dtb = 0;
	p->addr = 0;
	return 0;
}

static int
native_processes(void *handle, mf_process_cb cb, void *ctx, char *errbuf)
{
	struct native_scratch *s;
	struct dirent *de;
	unsigned count = 0;
	int ret = 0;
	DIR *d;

	(void)handle;
	d = opendir("/proc");
	if (d == NULL)
		return native_err(errbuf, MF_ERR_IO, "cannot open /proc: %s", strerror(errno));
	s = malloc(sizeof *s);
	if (s == NULL) {
		closedir(d);
		return native_err(errbuf, MF_ERR_NOMEM, "cannot list processes: out of memory");
	}
	while ((de = readdir(d)) != NULL) {
		struct mf_process p;
		uint64_t pid, tgid;
		const char *end;
		int r;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (native_parse_dec(de->d_name, de->d_name + strlen(de->d_name), &pid, &end) < 0
		    || *end != '\0' || !native_pid_ok(pid))
			continue;
		if (++count > NATIVE_MAX_PROCS) {
			ret = native_err(errbuf, MF_ERR_LIMIT, "cannot list processes: more than %u in /proc",
			                 NATIVE_MAX_PROCS);
			break;
		}
		r = native_read_proc((long long)pid, s, &p, &tgid);
		if (r == MF_ERR_NOTFOUND)
			continue;   /* vanished during the walk */
		if (r < 0)
			continue;   /* an unparsable stat line: skip it rather than fail the walk */
		r = cb(ctx, &p);
		if (r != 0) {
			ret = r;
			break;
		}
	}
	free(s);
	closedir(d);
	return ret;
}

static int
native_process(void *handle, uint64_t pid, mf_process_cb cb, void *ctx, char *errbuf)
{
	struct native_scratch *s;
	struct mf_process p;
	uint64_t tgid;
	int r;

	(void)handle;
	if (!native_pid_ok(pid))
		return native_err(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu",
		                  (unsigned long long)pid);
	s = malloc(sizeof *s);
	if (s == NULL)
		return native_err(errbuf, MF_ERR_NOMEM, "cannot read process %llu: out of memory",
		                  (unsigned long long)pid);
	r = native_read_proc((long long)pid, s, &p, &tgid);
	if (r == MF_ERR_NOTFOUND)
		r = native_err(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu",
		               (unsigned long long)pid);
	else if (r < 0)
		r = native_err(errbuf, r, "cannot parse /proc/%llu/stat", (unsigned long long)pid);
	else if (tgid != 0 && tgid != pid)
		r = native_err(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu (it is a thread of process %llu)",
		               (unsigned long long)pid, (unsigned long long)tgid);
	else
		r = cb(ctx, &p);
	free(s);
	return r;
}

/* ---- maps ---------------------------------------------------------------------------- */

/* Parse one maps line "start-end perms offset dev inode   path" (no newline, NUL ended).
 * Returns 0 or -1 when it does not parse. */
static int
native_parse_map_line(char *line, size_t len, struct mf_map *m, char perms[8])
{
	const char *end = line + len, *p;
	size_t i;

	if (native_parse_hex(line, end, &m->start, &p) < 0 || p >= end || *p != '-')
		return -1;
	if (native_parse_hex(p + 1, end, &m->end, &p) < 0 || p >= end || *p != ' ')
		return -1;
	p++;
	for (i = 0; i < 4 && p < end && *p != ' '; i++)
		perms[i] = *p++;
	perms[i] = '\0';
	if (p >= end || *p != ' ')
		return -1;
	if (native_parse_hex(p + 1, end, &m->offset, &p) < 0 || p >= end || *p != ' ')
		return -1;
	/* dev (maj:min) and inode */
	p++;
	while (p < end && *p != ' ')
		p++;
	if (p < end)
		p++;
	while (p < end && *p != ' ')
		p++;
	while (p < end && *p == ' ')
		p++;
	m->path = p;
	m->perms = perms;
	return 0;
}

typedef int (*native_line_cb)(void *ctx, char *line, size_t len);

/* Read a /proc text file line by line through a heap buffer; a line longer than the buffer
 * is truncated to the buffer (the rest of it is skipped).  Returns 0, the callback's
 * non-zero value, or -errno from open (other read errors end the file). */
static int
native_lines(const char *path, native_line_cb cb, void *ctx, unsigned max_lines, int *over)
{
	char *buf;
	size_t have = 0;
	unsigned lines = 0;
	int skipping = 0, ret = 0, fd, eof = 0;

	*over = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	buf = malloc(NATIVE_MAPS_BUF + 1);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (!eof || have > 0) {
		char *start, *nl;

		if (!eof && have < NATIVE_MAPS_BUF) {
			ssize_t r = read(fd, buf + have, NATIVE_MAPS_BUF - have);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				eof = 1;
			else
				have += (size_t)r;
		}
		start = buf;
		while ((nl = memchr(start, '\n', have - (size_t)(start - buf))) != NULL) {
			*nl = '\0';
			if (!skipping) {
				if (++lines > max_lines) {
					*over = 1;
					goto out;
				}
				ret = cb(ctx, start, (size_t)(nl - start));
				if (ret != 0)
					goto out;
			}
			skipping = 0;
			start = nl + 1;
		}
		have -= (size_t)(start - buf);
		memmove(buf, start, have);
		if (have == NATIVE_MAPS_BUF || (eof && have > 0)) {
			/* a line that fills the buffer, or a last line without newline */
			buf[have] = '\0';
			if (!skipping) {
				if (++lines > max_lines) {
					*over = 1;
					goto out;
				}
				ret = cb(ctx, buf, have);
				if (ret != 0)
					goto out;
			}
			skipping = !eof;
			have = 0;
		}
	}
out:
	free(buf);
	close(fd);
	return ret;
}

struct native_maps_ctx {
	uint64_t pid;
	mf_map_cb cb;
	void *ctx;
};

static int
native_maps_line(void *ctx, char *line, size_t len)
{
	struct native_maps_ctx *c = ctx;
	struct mf_map m;
	char perms[8];

	if (native_parse_map_line(line, len, &m, perms) < 0)
		return 0;   /* not a maps line: skip */
	m.pid = c->pid;
	return c->cb(c->ctx, &m);
}

static int
native_open_err(char *errbuf, int err, uint64_t pid, const char *what)
{
	unsigned long long p = (unsigned long long)pid;

	if (err == -ENOENT || err == -ESRCH)
		return native_err(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu", p);
	if (err == -EACCES || err == -EPERM)
		return native_err(errbuf, MF_ERR_PERM, "cannot read %s of pid %llu: permission denied", what, p);
	if (err == -ENOMEM)
		return native_err(errbuf, MF_ERR_NOMEM, "cannot read %s of pid %llu: out of memory", what, p);
	return native_err(errbuf, MF_ERR_IO, "cannot read %s of pid %llu: %s", what, p, strerror(-err));
}

static int
native_maps(void *handle, uint64_t pid, mf_map_cb cb, void *ctx, char *errbuf)
{
	struct native_maps_ctx c = { .pid = pid, .cb = cb, .ctx = ctx };
	char path[64];
	int r, over;

	(void)handle;
	if (!native_pid_ok(pid))
		return native_err(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu", (unsigned long long)pid);
	native_path(path, sizeof path, (long long)pid, "maps");
	r = native_lines(path, native_maps_line, &c, NATIVE_MAX_MAPS, &over);
	if (r < 0)
		return native_open_err(errbuf, r, pid, "maps");
	if (over)
		return native_err(errbuf, MF_ERR_LIMIT, "cannot read maps of pid %llu: more than %u mappings",
		                  (unsigned long long)pid, NATIVE_MAX_MAPS);
	return r;
}

/* ---- memory -------------------------------------------------------------------------- */

static void
native_perm_msg(char *errbuf, const char *verb, uint64_t pid)
{
	char buf[16];
	ssize_t n = native_slurp("/proc/sys/kernel/yama/ptrace_scope", buf, sizeof buf - 1);
	unsigned long long p = (unsigned long long)pid;
	int scope = -1;

	if (n > 0 && buf[0] >= '0' && buf[0] <= '3')
		scope = buf[0] - '0';
	if (scope < 0)
		native_err(errbuf, MF_ERR_PERM, "cannot %s memory of pid %llu: permission denied "
		           "(needs CAP_SYS_PTRACE, or the same uid and a dumpable process)", verb, p);
	else if (scope == 0)
		native_err(errbuf, MF_ERR_PERM, "cannot %s memory of pid %llu: permission denied "
		           "(needs CAP_SYS_PTRACE, or the same uid and a dumpable process; "
		           "kernel.yama.ptrace_scope is 0)", verb, p);
	else if (scope == 1)
		native_err(errbuf, MF_ERR_PERM, "cannot %s memory of pid %llu: permission denied "
		           "(needs CAP_SYS_PTRACE, or kernel.yama.ptrace_scope is 1: ptrace_scope=1 "
		           "allows only descendants)", verb, p);
	else if (scope == 2)
		native_err(errbuf, MF_ERR_PERM, "cannot %s memory of pid %llu: permission denied "
		           "(needs CAP_SYS_PTRACE: kernel.yama.ptrace_scope is 2)", verb, p);
	else
		native_err(errbuf, MF_ERR_PERM, "cannot %s memory of pid %llu: permission denied "
		           "(kernel.yama.ptrace_scope is 3: no process may be traced)", verb, p);
}

/* A whole-call failure from errno: GONE or PERM (message written), else 0 (per entry). */
static int
native_call_err(int err, int wr, uint64_t pid, char *errbuf)
{
	if (err == ESRCH)
		return native_err(errbuf, MF_ERR_GONE, "process %llu exited", (unsigned long long)pid);
	if (err == EPERM || err == EACCES) {
		native_perm_msg(errbuf, wr ? "write" : "read", pid);
		return MF_ERR_PERM;
	}
	return 0;
}

static int
native_entry_err(int err)
{
	switch (err) {
	case EFAULT:
	case EIO:
	case EINVAL:   /* an offset /proc/PID/mem cannot take (beyond 2^63) */
		return MF_ERR_NOTMAPPED;
	case ENOMEM:
		return MF_ERR_NOMEM;
	default:
		return MF_ERR_IO;
	}
}

struct native_mem {
	uint64_t pid;
	int wr;
	int fd;           /* /proc/PID/mem, opened on first need; -1 before */
	char *errbuf;
};

/* Open /proc/PID/mem once per call.  0 or a whole-call error (or MF_ERR_IO for others). */
static int
native_mem_open(struct native_mem *mm)
{
	char path[64];

	if (mm->fd >= 0)
		return 0;
	native_path(path, sizeof path, (long long)mm->pid, "mem");
	mm->fd = open(path, (mm->wr ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOCTTY);
	if (mm->fd < 0) {
		int e = errno, r;

		if (e == ENOENT)
			e = ESRCH;
		r = native_call_err(e, mm->wr, mm->pid, mm->errbuf);
		if (r < 0)
			return r;
		return native_err(mm->errbuf, MF_ERR_IO, "cannot open %s: %s", path, strerror(e));
	}
	return 0;
}

/* Transfer [addr, addr+len) with pread/pwrite on /proc/PID/mem.  Returns 0, a per-entry
 * error (> -100 codes, all MF_ERR_*), with *whole set when the whole call must fail. */
static int
native_mem_rw(struct native_mem *mm, uint64_t addr, uint8_t *buf, uint64_t len, int *whole)
{
	int r;

	*whole = 0;
	r = native_mem_open(mm);
	if (r < 0) {
		*whole = 1;
		return r;
	}
	while (len > 0) {
		size_t chunk = len > NATIVE_CALL_MAX ? (size_t)NATIVE_CALL_MAX : (size_t)len;
		ssize_t n;

		if (addr > (uint64_t)INT64_MAX)
			return MF_ERR_NOTMAPPED;
		n = mm->wr ? pwrite(mm->fd, buf, chunk, (off_t)addr) : pread(mm->fd, buf, chunk, (off_t)addr);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = native_call_err(errno, mm->wr, mm->pid, mm->errbuf);
			if (r < 0) {
				*whole = 1;
				return r;
			}
			return native_entry_err(errno);
		}
		if (n == 0)
			return MF_ERR_NOTMAPPED;
		addr += (uint64_t)n;
		buf += n;
		len -= (uint64_t)n;
	}
	return 0;
}

static ssize_t
native_vm(int wr, pid_t pid, const struct iovec *l, const struct iovec *rmt, unsigned long n)
{
	return wr ? process_vm_writev(pid, l, n, rmt, n, 0) : process_vm_readv(pid, l, n, rmt, n, 0);
}

static int
native_rw(uint64_t pid, struct mf_iov *iov, size_t n, int wr, char *errbuf)
{
	struct iovec local[NATIVE_IOV_MAX], remote[NATIVE_IOV_MAX];
	uint32_t owner[NATIVE_IOV_MAX];
	struct native_mem mm = { .pid = pid, .wr = wr, .fd = -1, .errbuf = errbuf };
	size_t e = 0, i;
	uint64_t off = 0;   /* progress within entry e */
	int use_mem = 0, ret = 0;

	if (pid == 0 || !native_pid_ok(pid)) {
		ret = pid == 0 ? MF_ERR_UNSUPPORTED : MF_ERR_NOTFOUND;
		for (i = 0; i < n; i++)
			iov[i].err = ret;
		if (pid == 0)
			return native_err(errbuf, ret, "cannot %s kernel memory with the native os layer "
			                  "(use the kcore connector)", wr ? "write" : "read");
		return native_err(errbuf, ret, "no process with pid %llu", (unsigned long long)pid);
	}
	for (i = 0; i < n; i++) {
		iov[i].err = 0;
		if (iov[i].len > 0 && (iov[i].addr + iov[i].len < iov[i].addr || iov[i].buf == NULL))
			iov[i].err = iov[i].buf == NULL ? MF_ERR_ARG : MF_ERR_NOTMAPPED;
	}

	while (e < n) {
		size_t k = 0, pos;
		uint64_t budget = NATIVE_CALL_MAX, total = 0, done;
		size_t ce = e, e0 = e;
		uint64_t coff = off;
		ssize_t r;
		int err;

		/* skip finished entries: failed on entry or empty */
		if (off == 0 && (iov[e].err != 0 || iov[e].len == 0)) {
			e++;
			continue;
		}
		if (use_mem) {
			int whole, er = native_mem_rw(&mm, iov[e].addr + off, (uint8_t *)iov[e].buf + off,
			                              iov[e].len - off, &whole);

			if (whole) {
				ret = er;
				goto fail_rest;
			}
			iov[e].err = er;
			e++;
			off = 0;
			continue;
		}
		/* gather up to NATIVE_IOV_MAX pieces and NATIVE_CALL_MAX bytes from (e, off) */
		while (ce < n && k < NATIVE_IOV_MAX && budget > 0) {
			uint64_t rest, take;

			if (coff == 0 && (iov[ce].err != 0 || iov[ce].len == 0)) {
				ce++;
				continue;
			}
			rest = iov[ce].len - coff;
			take = rest < budget ? rest : budget;
			local[k].iov_base = (uint8_t *)iov[ce].buf + coff;
			local[k].iov_len = (size_t)take;
			remote[k].iov_base = (void *)(uintptr_t)(iov[ce].addr + coff);
			remote[k].iov_len = (size_t)take;
			owner[k] = (uint32_t)(ce - e);
			k++;
			budget -= take;
			total += take;
			if (take == rest) {
				ce++;
				coff = 0;
			} else {
				coff += take;
			}
		}
		if (k == 0)
			break;
		r = native_vm(wr, (pid_t)pid, local, remote, k);
		err = r < 0 ? errno : 0;
		if (r < 0) {
			if (err == EINTR)
				continue;
			if (err == ENOSYS) {
				use_mem = 1;
				continue;
			}
			ret = native_call_err(err, wr, pid, errbuf);
			if (ret < 0)
				goto fail_rest;
			done = 0;
		} else {
			done = (uint64_t)r;
		}
		/* account what was transferred: mark entries whose last byte was covered */
		for (pos = 0; pos < k; pos++) {
			uint64_t l = local[pos].iov_len;
			size_t owner_e = e0 + owner[pos];

			if (done >= l) {
				done -= l;
				if (owner_e != e) {
					e = owner_e;
					off = 0;
				}
				off += l;
				if (off == iov[e].len) {
					e++;
					off = 0;
				}
				continue;
			}
			/* the call stopped inside this piece */
			if (owner_e != e) {
				e = owner_e;
				off = 0;
			}
			off += done;
			break;
		}
		if (pos == k) {
			/* everything gathered was transferred; entries not finished continue */
			continue;
		}
		/* Stopped at (e, off): find exactly what fails.  Retry the page holding the
		 * stop alone: if it fails, the entry has an unreadable page and fails; if it
		 * works (a signal, a race), go on batched after it.  A write that hits a
		 * read-only mapping goes through /proc/PID/mem, which forces it as debuggers do. */
		{
			uint64_t a = iov[e].addr + off;
			uint64_t plen = NATIVE_PAGE - (a & (NATIVE_PAGE - 1));
			struct iovec l1, r1;
			ssize_t r2;

			if (plen > iov[e].len - off)
				plen = iov[e].len - off;
			l1.iov_base = (uint8_t *)iov[e].buf + off;
			l1.iov_len = (size_t)plen;
			r1.iov_base = (void *)(uintptr_t)a;
			r1.iov_len = (size_t)plen;
			do {
				r2 = native_vm(wr, (pid_t)pid, &l1, &r1, 1);
			} while (r2 < 0 && errno == EINTR);
			if (r2 == (ssize_t)plen) {
				off += plen;
				if (off == iov[e].len) {
					e++;
					off = 0;
				}
				continue;
			}
			err = r2 < 0 ? errno : EFAULT;
			if (r2 < 0) {
				ret = native_call_err(err, wr, pid, errbuf);
				if (ret < 0)
					goto fail_rest;
			}
			if (wr && err == EFAULT) {
				int whole, er = native_mem_rw(&mm, a, (uint8_t *)iov[e].buf + off,
				                              iov[e].len - off, &whole);

				if (whole) {
					ret = er;
					goto fail_rest;
				}
				iov[e].err = er;
			} else {
				iov[e].err = native_entry_err(err);
			}
			e++;
			off = 0;
		}
	}
	if (mm.fd >= 0)
		close(mm.fd);
	return 0;

fail_rest:
	for (; e < n; e++)
		if (iov[e].err == 0)
			iov[e].err = ret;
	if (mm.fd >= 0)
		close(mm.fd);
	return ret;
}

static int
native_read(void *handle, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf)
{
	(void)handle;
	return native_rw(pid, iov, n, 0, errbuf);
}

static int
native_write(void *handle, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf)
{
	(void)handle;
	return native_rw(pid, iov, n, 1, errbuf);
}

/* ---- modules ------------------------------------------------------------------------- */

struct native_mod {
	uint64_t base, end;
	char *path;
	uint8_t head[20];
	int32_t err;
};

struct native_mods_ctx {
	struct native_mod *mods;
	size_t n, cap;
	char **seen;          /* open-addressing set of paths that had a module candidate */
	size_t seen_cap, seen_n;
	int in_run;           /* the previous line extended mods[n-1] */
	int nomem;
};

static uint64_t
native_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h;
}

/* Add path to the seen set: 1 if added, 0 if it was there, -1 on out of memory. */
static int
native_seen_add(struct native_mods_ctx *c, const char *path)
{
	size_t i;

	if (c->seen_n * 2 >= c->seen_cap) {
		size_t ncap = c->seen_cap ? c->seen_cap * 2 : 256, j;
		char **ns = calloc(ncap, sizeof *ns);

		if (ns == NULL)
			return -1;
		for (j = 0; j < c->seen_cap; j++) {
			if (c->seen[j] == NULL)
				continue;
			for (i = native_hash(c->seen[j]) & (ncap - 1); ns[i] != NULL; i = (i + 1) & (ncap - 1))
				;
			ns[i] = c->seen[j];
		}
		free(c->seen);
		c->seen = ns;
		c->seen_cap = ncap;
	}
	for (i = native_hash(path) & (c->seen_cap - 1); c->seen[i] != NULL; i = (i + 1) & (c->seen_cap - 1))
		if (strcmp(c->seen[i], path) == 0)
			return 0;
	c->seen[i] = strdup(path);
	if (c->seen[i] == NULL)
		return -1;
	c->seen_n++;
	return 1;
}

static int
native_mods_line(void *ctx, char *line, size_t len)
{
	struct native_mods_ctx *c = ctx;
	struct mf_map m;
	char perms[8];
	int r;

	if (native_parse_map_line(line, len, &m, perms) < 0) {
		c->in_run = 0;
		return 0;
	}
	if (c->in_run && c->n > 0 && strcmp(c->mods[c->n - 1].path, m.path) == 0) {
		if (m.end > c->mods[c->n - 1].end)
			c->mods[c->n - 1].end = m.end;
		return 0;
	}
	c->in_run = 0;
	if (m.offset != 0 || !(m.path[0] == '/' || strcmp(m.path, "[vdso]") == 0))
		return 0;
	r = native_seen_add(c, m.path);
	if (r < 0) {
		c->nomem = 1;
		return 1;
	}
	if (r == 0)
		return 0;   /* one module per file: its first mapping at offset 0 */
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		struct native_mod *nm = realloc(c->mods, ncap * sizeof *nm);

		if (nm == NULL) {
			c->nomem = 1;
			return 1;
		}
		c->mods = nm;
		c->cap = ncap;
	}
	memset(&c->mods[c->n], 0, sizeof c->mods[c->n]);
	c->mods[c->n].base = m.start;
	c->mods[c->n].end = m.end;
	c->mods[c->n].path = strdup(m.path);
	if (c->mods[c->n].path == NULL) {
		c->nomem = 1;
		return 1;
	}
	c->n++;
	c->in_run = 1;
	return 0;
}

static void
native_mods_free(struct native_mods_ctx *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->mods[i].path);
	for (i = 0; i < c->seen_cap; i++)
		free(c->seen[i]);
	free(c->mods);
	free(c->seen);
}

/* The first bytes of a mapped file from the file itself: /proc/PID/map_files (works for
 * deleted files and other mount namespaces), else its path. */
static int
native_file_head(uint64_t pid, const struct native_mod *md, uint8_t *head, size_t n)
{
	char path[96];
	int fd;
	ssize_t r;

	snprintf(path, sizeof path, "/proc/%llu/map_files/%llx-%llx", (unsigned long long)pid,
	         (unsigned long long)md->base, (unsigned long long)md->end);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && md->path[0] == '/')
		fd = open(md->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -1;
	r = pread(fd, head, n, 0);
	close(fd);
	return r == (ssize_t)n ? 0 : -1;
}

static uint32_t
native_elf_arch(const uint8_t *h)
{
	if (h[4] == 1 && h[5] == 1 && (h[18] | h[19] << 8) == 3)
		return MF_ARCH_X86_32;
	return NATIVE_ARCH;
}

static int
native_kernel_modules(uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf);

static int
native_modules(void *handle, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf)
{
	struct native_mods_ctx c;
	struct mf_iov *iov = NULL;
	char path[64];
	size_t i;
	int r, over;

	(void)handle;
	if (pid == 0)
		return native_kernel_modules(pid, cb, ctx, errbuf);
	if (!native_pid_ok(pid))
		return native_err(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu", (unsigned long long)pid);
	memset(&c, 0, sizeof c);
	native_path(path, sizeof path, (long long)pid, "maps");
	r = native_lines(path, native_mods_line, &c, NATIVE_MAX_MAPS, &over);
	if (r < 0) {
		native_mods_free(&c);
		return native_open_err(errbuf, r, pid, "maps");
	}
	if (c.nomem) {
		native_mods_free(&c);
		return native_err(errbuf, MF_ERR_NOMEM, "cannot list modules of pid %llu: out of memory",
		                  (unsigned long long)pid);
	}
	if (over) {
		native_mods_free(&c);
		return native_err(errbuf, MF_ERR_LIMIT, "cannot read maps of pid %llu: more than %u mappings",
		                  (unsigned long long)pid, NATIVE_MAX_MAPS);
	}
	/* the ELF headers of all candidates in one batched read */
	if (c.n > 0) {
		iov = calloc(c.n, sizeof *iov);
		if (iov == NULL) {
			native_mods_free(&c);
			return native_err(errbuf, MF_ERR_NOMEM, "cannot list modules of pid %llu: out of memory",
			                  (unsigned long long)pid);
		}
		for (i = 0; i < c.n; i++) {
			iov[i].addr = c.mods[i].base;
			iov[i].buf = c.mods[i].head;
			iov[i].len = sizeof c.mods[i].head;
		}
		r = native_rw(pid, iov, c.n, 0, errbuf);
		if (r == MF_ERR_GONE) {
			free(iov);
			native_mods_free(&c);
			return r;
		}
		/* MF_ERR_PERM: no memory access, so look at the files */
		for (i = 0; i < c.n; i++)
			if (r < 0 || iov[i].err != 0)
				c.mods[i].err = native_file_head(pid, &c.mods[i], c.mods[i].head,
				                                 sizeof c.mods[i].head);
		free(iov);
	}
	r = 0;
	for (i = 0; i < c.n; i++) {
		const struct native_mod *md = &c.mods[i];
		const char *slash = strrchr(md->path, '/');
		struct mf_module m;

		if (md->err != 0 || memcmp(md->head, "\x7f" "ELF", 4) != 0)
			continue;
		m.pid = pid;
		m.name = slash ? slash + 1 : md->path;
		m.path = md->path;
		m.base = md->base;
		m.size = md->end - md->base;
		m.arch = native_elf_arch(md->head);
		m.reserved = 0;
		r = cb(ctx, &m);
		if (r != 0)
			break;
	}
	native_mods_free(&c);
	return r;
}

/* ---- kernel modules (pid 0) ---------------------------------------------------------- */

struct native_kmods_ctx {
	mf_module_cb cb;
	void *ctx;
	uint64_t stext, etext;
	int have_stext, have_etext;
};

/* "name size refcount deps state address [taint]" */
static int
native_kmods_line(void *ctx, char *line, size_t len)
{
	struct native_kmods_ctx *c = ctx;
	const char *end = line + len, *p = line, *name = line;
	struct mf_module m;
	uint64_t size = 0, base = 0;
	int field;

	while (p < end && *p != ' ')
		p++;
	if (p == name || p >= end)
		return 0;
	line[p - line] = '\0';
	p++;
	if (native_parse_dec(p, end, &size, &p) < 0)
		return 0;
	/* skip refcount, deps, state to the address */
	for (field = 0; field < 3; field++) {
		while (p < end && *p == ' ')
			p++;
		while (p < end && *p != ' ')
			p++;
	}
	while (p < end && *p == ' ')
		p++;
	if (end - p > 2 && p[0] == '0' && p[1] == 'x')
		p += 2;
	if (native_parse_hex(p, end, &base, NULL) < 0)
		base = 0;
	m.pid = 0;
	m.name = name;
	m.path = "";
	m.base = base;
	m.size = size;
	m.arch = NATIVE_ARCH;
	m.reserved = 0;
	return c->cb(c->ctx, &m);
}

/* "ffffffff81000000 T _stext": stop once both ends of the kernel text are known. */
static int
native_kallsyms_line(void *ctx, char *line, size_t len)
{
	struct native_kmods_ctx *c = ctx;
	const char *end = line + len, *p;
	uint64_t a;

	if (native_parse_hex(line, end, &a, &p) < 0 || end - p < 4 || p[0] != ' ' || p[2] != ' ')
		return 0;
	p += 3;
	if ((size_t)(end - p) == 6 && memcmp(p, "_stext", 6) == 0) {
		c->stext = a;
		c->have_stext = 1;
	} else if ((size_t)(end - p) == 6 && memcmp(p, "_etext", 6) == 0) {
		c->etext = a;
		c->have_etext = 1;
	}
	return c->have_stext && c->have_etext ? 2 : 0;
}

static int
native_kernel_modules(uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf)
{
	struct native_kmods_ctx c = { .cb = cb, .ctx = ctx };
	int r, over;

	(void)pid;
	/* the kernel itself, when kallsyms shows addresses (kptr_restrict) */
	r = native_lines("/proc/kallsyms", native_kallsyms_line, &c, 1u << 24, &over);
	if (r == 2 && c.stext != 0 && c.etext > c.stext) {
		struct mf_module m = {
			.pid = 0, .name = "vmlinux", .path = "", .base = c.stext,
			.size = c.etext - c.stext, .arch = NATIVE_ARCH,
		};

		r = cb(ctx, &m);
		if (r != 0)
			return r;
	}
	r = native_lines(NATIVE_PROC_MODULES, native_kmods_line, &c, NATIVE_MAX_KMODS, &over);
	if (r == -ENOENT)
		return 0;   /* a kernel without loadable modules */
	if (r < 0)
		return native_err(errbuf, r == -EACCES || r == -EPERM ? MF_ERR_PERM : MF_ERR_IO,
		                  "cannot read /proc/modules: %s", strerror(-r));
	if (over)
		return native_err(errbuf, MF_ERR_LIMIT, "cannot read /proc/modules: more than %u modules",
		                  NATIVE_MAX_KMODS);
	return r;
}

/* ---- open, close, descriptor --------------------------------------------------------- */

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
		return native_err(errbuf, MF_ERR_UNSUPPORTED, "cannot open /proc: %s (is procfs mounted?)",
		                  strerror(errno));
	h = calloc(1, sizeof *h);
	if (h == NULL)
		return native_err(errbuf, MF_ERR_NOMEM, "cannot open native: out of memory");
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
		"  threads: /proc/PID/task; registers of a thread: stopped for the read with ptrace\n",
	.keys = native_keys,
	.flags = MF_OS_NO_PHYS,
	.thread_model = MF_THREAD_PARALLEL,   /* no state but the host pointer */
	.open = native_open,
	.close = native_close,
	.processes = native_processes,
	.process = native_process,
	.modules = native_modules,
	.maps = native_maps,
	.read = native_read,
	.write = native_write,
	.threads = native_threads,
	.thread_regs = native_thread_regs,
};

MF_REGISTER_OS(native_os)
