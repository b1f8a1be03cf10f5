/* processes.c: this machine's processes from /proc/PID/{stat,status,cmdline,exe}.  comm
 * may hold spaces, ')' and newlines; command lines are cut at NATIVE_CMDLINE_MAX. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "native.h"
#include "pluginlib/peb.h"

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
	if (r == (ssize_t)sizeof h && memcmp(h, "\x7f" "ELF", 4) == 0)
		return native_elf_arch(h);
	return NATIVE_ARCH;
}

/* Field `field` of a stat line (3 is the state, the first after the name), from the text
 * after the name's ')': its start, or NULL when the line is shorter. */
static const char *
native_stat_field(const char *after_name, const char *end, unsigned field)
{
	const char *q = after_name;
	unsigned f;

	for (f = 2; f < field; f++) {
		q = memchr(q, ' ', (size_t)(end - q));
		if (q == NULL || ++q >= end)
			return NULL;
	}
	return q;
}

/* When this machine booted, by the clock stat's start times count from (CLOCK_BOOTTIME,
 * which goes on in suspend), as nanoseconds of the wall clock; 0 if unknown.  The wall
 * clock is read between two reads of the boot clock and set against their midpoint, again
 * if the three reads were more than 20 us apart (the thread was preempted), so the offset
 * is good to well under a microsecond; it is then rounded to the millisecond (a start time
 * is only good to the clock tick anyway), and every listing gives the same times. */
static int64_t
native_boot_ns(void)
{
	struct timespec b1, real, b2;
	int64_t gap = 0, mid = 0;
	int tries;

	for (tries = 0; tries < 16; tries++) {
		if (clock_gettime(CLOCK_BOOTTIME, &b1) < 0 || clock_gettime(CLOCK_REALTIME, &real) < 0 ||
		    clock_gettime(CLOCK_BOOTTIME, &b2) < 0)
			return 0;
		gap = ((int64_t)b2.tv_sec - b1.tv_sec) * 1000000000 + (b2.tv_nsec - b1.tv_nsec);
		mid = ((int64_t)real.tv_sec - b1.tv_sec) * 1000000000 + (real.tv_nsec - b1.tv_nsec) - gap / 2;
		if (gap <= 20000)
			break;
	}
	return (mid + 500000) / 1000000 * 1000000;
}

/* Start time (field 22, clock ticks after boot) and, of a zombie, the exit code (field 52,
 * Linux 3.5 and later, as wait() gives it) from the stat line. */
static void
native_stat_times(const char *after_name, const char *end, struct mf_process *p)
{
	const char *f = native_stat_field(after_name, end, 22);
	long tck = sysconf(_SC_CLK_TCK);
	uint64_t ticks, code;
	int64_t boot;

	if (f != NULL && tck > 0 && native_parse_dec(f, end, &ticks, NULL) == 0 && (boot = native_boot_ns()) != 0 &&
	    ticks < (uint64_t)INT64_MAX / 1000000000)
		p->start_time = boot + (int64_t)(ticks * 1000000000 / (uint64_t)tck);
	if (after_name[1] == 'Z' && (f = native_stat_field(after_name, end, 52)) != NULL &&
	    native_parse_dec(f, end, &code, NULL) == 0 && code <= INT32_MAX) {
		p->exited = 1;
		p->exit_status = (int64_t)code;
	}
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
	*p = (struct mf_process){ .struct_size = sizeof *p };
	native_path(path, sizeof path, pid, "stat");
	n = fio_read_into(path, s->stat, sizeof s->stat - 1, FIO_PROCFS);
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
	native_stat_times(q, end, p);

	/* status: real uid and thread group */
	p->uid = -1;
	native_path(path, sizeof path, pid, "status");
	m = fio_read_into(path, s->status, sizeof s->status - 1, FIO_PROCFS);
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
	n = fio_read_into(path, s->cmdline, NATIVE_CMDLINE_MAX, FIO_PROCFS);
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
	return 0;
}

/* A Wine process: its Windows image path and command line (from the PEB's process
 * parameters) as path and cmdline, when its PEB can be read; else the Linux ones stay. */
static void
native_wine_names(void *handle, struct native_scratch *s, struct mf_process *p)
{
	struct peb_info info;
	char why[MF_ERRBUF_SIZE];
	int is64;

	if (!wine_exe(s->exe, &is64) || wine_process_info(handle, p->pid, &info, why) < 0)
		return;
	if (info.image_path[0] != '\0')
		snprintf(s->exe, sizeof s->exe, "%s", info.image_path);
	if (info.cmdline[0] != '\0')
		snprintf(s->cmdline, sizeof s->cmdline, "%s", info.cmdline);
	peb_info_free(&info);
}

int
native_processes(void *handle, mf_process_cb cb, void *ctx, char *errbuf)
{
	struct native_scratch *s;
	struct dirent *de;
	unsigned count = 0;
	int ret = 0;
	DIR *d;

	d = opendir("/proc");
	if (d == NULL)
		return plib_error_errno(errbuf, MF_ERR_IO, errno, "cannot open /proc");
	s = malloc(sizeof *s);
	if (s == NULL) {
		closedir(d);
		return plib_error(errbuf, MF_ERR_NOMEM, "cannot list processes: out of memory");
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
			ret = plib_error(errbuf, MF_ERR_LIMIT, "cannot list processes: more than %u in /proc",
			                 NATIVE_MAX_PROCS);
			break;
		}
		r = native_read_proc((long long)pid, s, &p, &tgid);
		if (r == MF_ERR_NOTFOUND)
			continue;   /* vanished during the walk */
		if (r < 0)
			continue;   /* an unparsable stat line: skip it rather than fail the walk */
		native_wine_names(handle, s, &p);
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

int
native_process(void *handle, uint64_t pid, mf_process_cb cb, void *ctx, char *errbuf)
{
	struct native_scratch *s;
	struct mf_process p;
	uint64_t tgid;
	int r;

	if (!native_pid_ok(pid))
		return plib_error(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu",
		                  (unsigned long long)pid);
	s = malloc(sizeof *s);
	if (s == NULL)
		return plib_error(errbuf, MF_ERR_NOMEM, "cannot read process %llu: out of memory",
		                  (unsigned long long)pid);
	r = native_read_proc((long long)pid, s, &p, &tgid);
	if (r == MF_ERR_NOTFOUND)
		r = plib_error(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu",
		               (unsigned long long)pid);
	else if (r < 0)
		r = plib_error(errbuf, r, "cannot parse /proc/%llu/stat", (unsigned long long)pid);
	else if (tgid != 0 && tgid != pid)
		r = plib_error(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu (it is a thread of process %llu)",
		               (unsigned long long)pid, (unsigned long long)tgid);
	else {
		native_wine_names(handle, s, &p);
		r = cb(ctx, &p);
	}
	free(s);
	return r;
}
