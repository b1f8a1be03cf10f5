/* mf-dump: write the physical memory of any target (raw, LiME, ELF core, kdump-compressed)
 * or a process's memory (ELF core for gdb) to a file, safely: a temporary file in the
 * destination directory, fsynced and renamed into place; no file under the final name on
 * any failure. */
#define _GNU_SOURCE 1
#include "config.h"
#include "tool.h"
#include "dump.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum {
	DUMP_OPT_FORCE = TOOL_OPT_FIRST_OWN,
	DUMP_OPT_KEEP,
	DUMP_OPT_MAX_ERRORS,
	DUMP_OPT_OS,
	DUMP_OPT_RATE_LIMIT,
	DUMP_OPT_THREADS,
	DUMP_OPT_UTC,
};

#define DUMP_PIECE (1u << 20)     /* bytes per scatter entry */
#define DUMP_BATCH 64u            /* entries per mf_phys_read */
#define DUMP_SLOTS (DUMP_PIECE / DUMP_PAGE + 2)

static struct tool dump_tool;

/* The temporary output, for the cleanup on failure. */
static struct {
	int fd;
	int dirfd;
	char *tmpname;      /* named temporary (mkstemp fallback), relative to dirfd; NULL with O_TMPFILE */
	bool active;
} dump_tmp = { .fd = -1, .dirfd = -1 };

static void
dump_usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "usage: mf-dump [options] -F raw|lime|elf|kdump -o PATH\n"
	           "       mf-dump [options] -p PID -o PATH\n");
	if (status) {
		fprintf(f, "Try 'mf-dump --help' for more information.\n");
		exit(status);
	}
	fprintf(f,
	        "\nWrite the physical memory of the target (or with -p, a process's memory as an ELF\n"
	        "core for gdb) to PATH.  The file is written under a temporary name in the same\n"
	        "directory, fsynced and renamed: on any failure no file appears under PATH.\n"
	        "Unreadable pages are recorded as holes, never as zeros (raw: sparse regions).\n"
	        "\nSnapshot:\n"
	        "  -F, --format=FORMAT    raw, lime, elf or kdump (default: from PATH's suffix\n"
	        "                         .raw .img .lime .elf .core .kdump; -p: elf)\n"
	        "      --force            replace an existing PATH\n"
	        "      --keep=N           after success, delete the oldest files matching PATH's\n"
	        "                         pattern (each %%-conversion as *) beyond the newest N\n"
	        "      --max-errors=N     fail when more than N pages cannot be read (default:\n"
	        "                         no limit; unreadable pages become holes)\n"
	        "  -o, --output=PATH      the file to write; %%-conversions of strftime(3) are\n"
	        "                         expanded (local time)\n"
	        "  -p, --pid=PID          the memory of process PID as an ELF core\n"
	        "      --rate-limit=RATE  read at most RATE bytes per second (K/M/G suffixes)\n"
	        "      --threads=N        kdump compression threads (default: the CPUs online)\n"
	        "      --utc              expand PATH in UTC\n"
	        "\nTarget (default: this machine, or a target record on stdin):\n"
	        "  -c, --connector=CONN   connector spec: NAME[:ARG][,KEY=VALUE...] or a dump file\n"
	        "      --os=OS            os layer spec: NAME[:ARG][,KEY=VALUE...]\n"
	        "  -t, --target=FILE      a target saved by mf-attach\n"
	        "\nMessages:\n"
	        "  -q, --quiet            no progress bar, no warnings\n"
	        "  -v, --verbose          more messages (-vv: debug)\n"
	        "  -h, --help             this help\n"
	        "      --version          version and plugin directory\n");
	exit(status);
}

/* ---- the temporary file and failure ---------------------------------------------------- */

static void
dump_cleanup(void)
{
	if (!dump_tmp.active)
		return;
	dump_tmp.active = false;
	if (dump_tmp.tmpname != NULL)
		unlinkat(dump_tmp.dirfd, dump_tmp.tmpname, 0);
	if (dump_tmp.fd >= 0)
		close(dump_tmp.fd);
	dump_tmp.fd = -1;
}

static noreturn void __attribute__((format(printf, 1, 2)))
dump_fail(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	dump_cleanup();
	tool_die(&dump_tool, "%s", buf);
}

static void
dump_on_signal(int sig)
{
	dump_signal = sig;
}

static void
dump_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = dump_on_signal;   /* no SA_RESTART: sleeps and reads return early */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* `ulimit -f`: an error from write(), not death */
	signal(SIGXFSZ, SIG_IGN);
}

static void
dump_check_signal(void)
{
	if (dump_signal)
		dump_fail("interrupted by %s: nothing written", strsignal(dump_signal));
}

/* Open the temporary output in the directory of `path`. */
static void
dump_open_tmp(const char *path, bool force, char **dir_out, char **base_out)
{
	char *d = tool_xstrdup(path), *b = tool_xstrdup(path), *dir, *base;
	struct stat st;

	dir = tool_xstrdup(dirname(d));
	base = tool_xstrdup(basename(b));
	free(d);
	free(b);
	if (*base == '\0' || strcmp(base, "/") == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
	    path[strlen(path) - 1] == '/')
		tool_usage_error(&dump_tool, "invalid output path '%s': not a file name", path);
	if ((dump_tmp.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		tool_die(&dump_tool, "cannot open directory %s: %s", dir, strerror(errno));
	if (fstatat(dump_tmp.dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!force)
			tool_die(&dump_tool, "%s exists (use --force to replace it)", path);
		if (S_ISDIR(st.st_mode))
			tool_die(&dump_tool, "%s is a directory", path);
	}
#ifdef O_TMPFILE
	dump_tmp.fd = openat(dump_tmp.dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
	if (dump_tmp.fd < 0) {
		/* no O_TMPFILE here: a hidden named temporary next to the target */
		size_t n = strlen(base) + 16;
		char *tmpl = tool_xmalloc(strlen(dir) + n + 2);
		int fd;

		sprintf(tmpl, "%s/.%s.XXXXXX", dir, base);
		if ((fd = mkostemp(tmpl, O_CLOEXEC)) < 0)
			tool_die(&dump_tool, "cannot create a temporary file in %s: %s", dir, strerror(errno));
		fchmod(fd, 0600);
		dump_tmp.fd = fd;
		dump_tmp.tmpname = tool_xstrdup(strrchr(tmpl, '/') + 1);
		free(tmpl);
	}
	dump_tmp.active = true;
	*dir_out = dir;
	*base_out = base;
}

static noreturn void
dump_publish_fail(const char *path)
{
	if (errno == EEXIST)
		dump_fail("cannot create %s: it appeared while dumping (use --force to replace it)", path);
	dump_fail("cannot create %s: %s", path, strerror(errno));
}

/* fsync, give the file its final name, fsync the directory. */
static void
dump_publish(const char *path, const char *base, bool force)
{
	char proc[64], tmp[256];
	unsigned i;

	if (fsync(dump_tmp.fd) < 0)
		dump_fail("cannot write %s: fsync: %s", path, strerror(errno));
	dump_check_signal();
	if (dump_tmp.tmpname == NULL) {
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", dump_tmp.fd);
		if (!force) {
			if (linkat(AT_FDCWD, proc, dump_tmp.dirfd, base, AT_SYMLINK_FOLLOW) < 0)
				dump_publish_fail(path);
		} else {
			for (i = 0;; i++) {
				snprintf(tmp, sizeof tmp, ".mf-dump.%ld.%u", (long)getpid(), i);
				if (linkat(AT_FDCWD, proc, dump_tmp.dirfd, tmp, AT_SYMLINK_FOLLOW) == 0)
					break;
				if (errno != EEXIST || i > 1000)
					dump_fail("cannot create %s: %s", path, strerror(errno));
			}
			dump_tmp.tmpname = tool_xstrdup(tmp);
			if (renameat(dump_tmp.dirfd, tmp, dump_tmp.dirfd, base) < 0)
				dump_fail("cannot rename to %s: %s", path, strerror(errno));
		}
	} else {
		int r;

		if (!force) {
			r = renameat2(dump_tmp.dirfd, dump_tmp.tmpname, dump_tmp.dirfd, base, RENAME_NOREPLACE);
			if (r < 0 && (errno == EINVAL || errno == ENOSYS)) {
				/* no RENAME_NOREPLACE: link (fails if it exists) and unlink */
				if ((r = linkat(dump_tmp.dirfd, dump_tmp.tmpname, dump_tmp.dirfd, base, 0)) == 0)
					unlinkat(dump_tmp.dirfd, dump_tmp.tmpname, 0);
			}
		} else {
			r = renameat(dump_tmp.dirfd, dump_tmp.tmpname, dump_tmp.dirfd, base);
		}
		if (r < 0)
			dump_publish_fail(path);
	}
	free(dump_tmp.tmpname);
	dump_tmp.tmpname = NULL;
	dump_tmp.active = false;
	if (fsync(dump_tmp.dirfd) < 0)
		tool_warn(&dump_tool, "cannot fsync the directory of %s: %s", path, strerror(errno));
	close(dump_tmp.fd);
	dump_tmp.fd = -1;
}

/* ---- names: strftime and --keep --------------------------------------------------------- */

static char *
dump_expand(const char *pattern, bool utc)
{
	time_t now = time(NULL);
	struct tm tm;
	size_t size = strlen(pattern) * 4 + 256;
	char *out;

	if (strchr(pattern, '%') == NULL)
		return tool_xstrdup(pattern);
	if ((utc ? gmtime_r(&now, &tm) : localtime_r(&now, &tm)) == NULL)
		tool_die(&dump_tool, "cannot get the time");
	out = tool_xmalloc(size);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	/* the pattern is the user's, as for date(1) */
	if (strftime(out, size, pattern, &tm) == 0)
		tool_usage_error(&dump_tool, "invalid output pattern '%s'", pattern);
#pragma GCC diagnostic pop
	return out;
}

/* The strftime pattern as a glob: each conversion becomes '*', glob characters escaped. */
static char *
dump_globify(const char *pattern)
{
	char *g = tool_xmalloc(strlen(pattern) * 2 + 2);
	size_t o = 0;
	const char *p;

	for (p = pattern; *p; p++) {
		if (*p == '%' && p[1] == '%') {
			g[o++] = '%';
			p++;
		} else if (*p == '%' && p[1] != '\0') {
			p++;
			while (*p && strchr("_-0^#EO", *p) != NULL && p[1] != '\0')
				p++;    /* flags and modifiers */
			if (o == 0 || g[o - 1] != '*')
				g[o++] = '*';
		} else {
			if (strchr("*?[]\\", *p) != NULL)
				g[o++] = '\\';
			g[o++] = *p;
		}
	}
	g[o] = '\0';
	return g;
}

struct dump_old {
	char *path;
	struct timespec mtime;
};

static int
dump_old_cmp(const void *a, const void *b)
{
	const struct dump_old *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->path, y->path);
}

static void
dump_keep(const char *pattern, uint64_t keep, const char *written)
{
	char *g = dump_globify(pattern);
	glob_t gl;
	struct dump_old *old;
	size_t i, n = 0;

	if (glob(g, GLOB_NOSORT, NULL, &gl) != 0) {
		free(g);
		return;
	}
	old = tool_xcalloc(gl.gl_pathc, sizeof *old);
	for (i = 0; i < gl.gl_pathc; i++) {
		struct stat st;

		if (lstat(gl.gl_pathv[i], &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		old[n].path = gl.gl_pathv[i];
		old[n].mtime = st.st_mtim;
		n++;
	}
	qsort(old, n, sizeof *old, dump_old_cmp);
	for (i = 0; n > keep && i < n - keep; i++) {
		if (strcmp(old[i].path, written) == 0)
			continue;   /* never the file just written */
		if (unlink(old[i].path) < 0)
			tool_warn(&dump_tool, "--keep: cannot delete %s: %s", old[i].path, strerror(errno));
		else
			mf_log(1, "deleted %s (--keep %" PRIu64 ")", old[i].path, keep);
	}
	free(old);
	globfree(&gl);
	free(g);
}

/* ---- progress --------------------------------------------------------------------------- */

static struct {
	bool on;
	bool shown;
	double start, last;
	uint64_t total;
} dump_prog;

static double
dump_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
dump_human(char *buf, size_t size, double v)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

static void
dump_progress(uint64_t done, uint64_t total)
{
	double now, el, rate;
	char a[32], b[32], r[32], eta[32] = "--:--";
	int pct;

	if (!dump_prog.on)
		return;
	now = dump_now();
	if (done < total && now - dump_prog.last < 0.2)
		return;
	dump_prog.last = now;
	el = now - dump_prog.start;
	rate = el > 0 ? (double)done / el : 0;
	if (rate > 0 && total >= done) {
		unsigned long s = (unsigned long)((double)(total - done) / rate);

		snprintf(eta, sizeof eta, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
	}
	pct = total ? (int)((double)done * 100.0 / (double)total) : 100;
	dump_human(a, sizeof a, (double)done);
	dump_human(b, sizeof b, (double)total);
	dump_human(r, sizeof r, rate);
	{
		char bar[31];
		int i, fill = pct * 30 / 100;

		for (i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		fprintf(stderr, "\r%s [%s] %3d%% %s / %s  %s/s  ETA %s \033[K", dump_tool.name, bar, pct, a, b, r, eta);
	}
	dump_prog.shown = true;
}

static void
dump_progress_end(void)
{
	if (dump_prog.shown)
		fputc('\n', stderr);
	dump_prog.shown = false;
}

/* ---- physical memory ---------------------------------------------------------------------- */

struct dump_phys {
	struct mf_target *t;
	struct dump_writer *w;
	struct dump_file *f;
	uint8_t *buf;
	bool *valid;                 /* DUMP_SLOTS per entry */
	struct mf_iov iov[DUMP_BATCH];
	size_t n;
	size_t batch;                /* entries per call (smaller under --rate-limit) */
	uint64_t max_errors;
	uint64_t unreadable;
	uint64_t done, total;
	uint64_t rate;
	double start;
};

static size_t
dump_slots(uint64_t addr, uint64_t len)
{
	return (size_t)((addr + len + DUMP_PAGE - 1) / DUMP_PAGE - addr / DUMP_PAGE);
}

/* An entry that failed as a whole: find the readable pages one by one. */
static void
dump_resolve(struct dump_phys *d, const struct mf_iov *e, bool *valid)
{
	struct mf_iov pv[DUMP_SLOTS];
	size_t n = 0, i;
	uint64_t a = e->addr, left = e->len;
	uint8_t *base = e->buf;

	while (left > 0 && n < DUMP_SLOTS) {
		uint64_t room = DUMP_PAGE - (a % DUMP_PAGE), k = left < room ? left : room;

		pv[n++] = (struct mf_iov){ .addr = a, .buf = base + (a - e->addr), .len = k };
		a += k;
		left -= k;
	}
	if (mf_phys_read(d->t, pv, n, dump_tool.errbuf) < 0)
		dump_fail("cannot read physical memory at 0x%" PRIx64 " of %s: %s", e->addr, mf_target_name(d->t),
		          dump_tool.errbuf);
	for (i = 0; i < n; i++) {
		valid[i] = pv[i].err == 0;
		if (!valid[i]) {
			d->unreadable++;
			mf_log(2, "0x%" PRIx64 ": unreadable: %s", pv[i].addr, mf_strerror(pv[i].err));
		}
	}
}

static void
dump_throttle(struct dump_phys *d)
{
	double want, el;

	if (d->rate == 0)
		return;
	want = (double)d->done / (double)d->rate;
	el = dump_now() - d->start;
	if (want > el) {
		double s = want - el;
		struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9) };

		nanosleep(&ts, NULL);   /* a signal ends it early */
	}
}

static void
dump_batch(struct dump_phys *d)
{
	size_t i;

	if (d->n == 0)
		return;
	dump_check_signal();
	if (mf_phys_read(d->t, d->iov, d->n, dump_tool.errbuf) < 0)
		dump_fail("cannot read physical memory at 0x%" PRIx64 " of %s: %s", d->iov[0].addr, mf_target_name(d->t),
		          dump_tool.errbuf);
	for (i = 0; i < d->n; i++) {
		bool *valid = d->valid + i * DUMP_SLOTS;
		size_t k, ns = dump_slots(d->iov[i].addr, d->iov[i].len);

		if (d->iov[i].err == 0) {
			for (k = 0; k < ns; k++)
				valid[k] = true;
		} else {
			dump_resolve(d, &d->iov[i], valid);
		}
	}
	if (d->max_errors != UINT64_MAX && d->unreadable > d->max_errors)
		dump_fail("%" PRIu64 " unreadable pages in %s (more than --max-errors %" PRIu64 ")", d->unreadable,
		          mf_target_name(d->t), d->max_errors);
	for (i = 0; i < d->n; i++) {
		if (dump_writer_data(d->w, d->iov[i].addr, d->iov[i].buf, (size_t)d->iov[i].len, d->valid + i * DUMP_SLOTS) < 0)
			dump_fail("%s", d->f->err);
		d->done += d->iov[i].len;
	}
	if (dump_writer_flush(d->w) < 0)
		dump_fail("%s", d->f->err);
	d->n = 0;
	dump_progress(d->done, d->total);
	dump_throttle(d);
	dump_check_signal();
}

/* The target record without a nested "mftools_record" hint, as msgpack. */
static void *
dump_record(struct mf_target *t, size_t *len)
{
	struct mf_rec *r = mf_rec_new("target"), *c = mf_rec_new("target"), *h, *ch;
	struct mf_out *o;
	int fd;
	size_t i;
	off_t end;
	void *buf;

	if (r == NULL || c == NULL)
		tool_oom();
	if (mf_target_rec(t, r) < 0)
		tool_die(&dump_tool, "cannot describe %s", mf_target_name(t));
	for (i = 0; i < mf_rec_count(r); i++) {
		const struct mf_field *fl = mf_rec_field(r, i);

		if (strcmp(fl->key, "type") == 0 || strcmp(fl->key, "hints") == 0)
			continue;
		if (mf_rec_add_value(c, fl->key, &fl->val) < 0)
			tool_oom();
	}
	if ((h = mf_rec_get_map(r, "hints")) != NULL) {
		if ((ch = mf_rec_add_map(c, "hints")) == NULL)
			tool_oom();
		for (i = 0; i < mf_rec_count(h); i++) {
			const struct mf_field *fl = mf_rec_field(h, i);

			if (strcmp(fl->key, "mftools_record") != 0 && mf_rec_add_value(ch, fl->key, &fl->val) < 0)
				tool_oom();
		}
	}
	if ((fd = memfd_create("mf-dump-record", MFD_CLOEXEC)) < 0)
		tool_die(&dump_tool, "cannot create a memory file: %s", strerror(errno));
	if ((o = mf_out_new(fd, MF_FMT_MSGPACK)) == NULL)
		tool_oom();
	if (mf_out_rec(o, c) < 0 || mf_out_close(o) < 0)
		tool_die(&dump_tool, "cannot encode the target record: %s", strerror(errno));
	end = lseek(fd, 0, SEEK_END);
	if (end <= 0 || end > (64 << 20))
		tool_die(&dump_tool, "cannot encode the target record");
	buf = tool_xmalloc((size_t)end);
	if (pread(fd, buf, (size_t)end, 0) != end)
		tool_die(&dump_tool, "cannot read back the target record: %s", strerror(errno));
	close(fd);
	mf_rec_free(r);
	mf_rec_free(c);
	*len = (size_t)end;
	return buf;
}

static void
dump_physical(struct mf_target *t, enum dump_format fmt, struct dump_file *f, uint64_t max_errors, unsigned threads,
              uint64_t rate)
{
	struct mf_hints *h = mf_target_hints(t);
	struct dump_source src = { .threads = threads };
	struct dump_phys d = { .t = t, .f = f, .max_errors = max_errors, .rate = rate };
	const char *arch = mf_hints_get_str(h, "arch");
	size_t i;

	if (!mf_target_has_phys(t))
		dump_fail("%s has no physical memory to dump (give -c, or -p PID for a process)", mf_target_name(t));
	src.nranges = mf_phys_ranges(t, &src.ranges);
	if (src.nranges == 0)
		dump_fail("%s reports no physical memory", mf_target_name(t));
	if (arch != NULL && mf_arch_parse(arch, &src.arch) < 0)
		src.arch = MF_ARCH_UNKNOWN;
	src.have_dtb = mf_hints_get_u64(h, "dtb", &src.dtb) == 0 || mf_hints_get_u64(h, "kernel_dtb", &src.dtb) == 0;
	src.vmcoreinfo = mf_hints_get_str(h, "vmcoreinfo");
	if (mf_hints_get_u64(h, "cpus", &src.cpus) < 0)
		src.cpus = 1;
	if (fmt == DUMP_F_ELF)
		src.record = dump_record(t, &src.record_len);
	for (i = 0; i < src.nranges; i++)
		d.total += src.ranges[i].size;
	d.batch = DUMP_BATCH;
	if (rate > 0 && rate / DUMP_PIECE / 4 < DUMP_BATCH)
		d.batch = rate / DUMP_PIECE / 4 ? (size_t)(rate / DUMP_PIECE / 4) : 1;
	if (dump_writer_new(fmt, f, &src, &d.w) < 0)
		dump_fail("%s", f->err);
	d.buf = tool_xmalloc((size_t)DUMP_PIECE * DUMP_BATCH);
	d.valid = tool_xcalloc((size_t)DUMP_SLOTS * DUMP_BATCH, sizeof *d.valid);
	d.start = dump_now();
	for (i = 0; i < src.nranges; i++) {
		uint64_t a = src.ranges[i].base, end = a + src.ranges[i].size;

		if (end < a)
			end = UINT64_MAX;
		while (a < end) {
			uint64_t k = DUMP_PIECE - (a % DUMP_PIECE);

			if (k > end - a)
				k = end - a;
			d.iov[d.n] = (struct mf_iov){ .addr = a, .buf = d.buf + (size_t)d.n * DUMP_PIECE, .len = k };
			d.n++;
			a += k;
			if (d.n == d.batch)
				dump_batch(&d);
		}
	}
	dump_batch(&d);
	if (dump_writer_finish(d.w) < 0)
		dump_fail("%s", f->err);
	dump_progress_end();
	if (fmt == DUMP_F_KDUMP && src.vmcoreinfo == NULL) {
		if (dump_writer_found_vmcoreinfo(d.w) != NULL)
			mf_log(1, "VMCOREINFO found in memory");
		else
			tool_warn(&dump_tool, "no VMCOREINFO in %s: makedumpfile and crash will not be able to read the kdump",
			          mf_target_name(t));
	}
	if (d.unreadable > 0)
		tool_warn(&dump_tool, "%" PRIu64 " unreadable page%s recorded as hole%s%s", d.unreadable,
		          d.unreadable == 1 ? "" : "s", d.unreadable == 1 ? "" : "s",
		          fmt == DUMP_F_RAW ? " (raw: sparse zeros)" : "");
	mf_log(1, "%s: %" PRIu64 " bytes of physical memory in %zu range%s, %.2f s", f->name, d.total, src.nranges,
	       src.nranges == 1 ? "" : "s", dump_now() - d.start);
	dump_writer_free(d.w);
	free(d.buf);
	free(d.valid);
	free((void *)src.record);
}

/* ---- main ----------------------------------------------------------------------------------- */

static enum dump_format
dump_parse_format(const char *s)
{
	if (strcmp(s, "raw") == 0)
		return DUMP_F_RAW;
	if (strcmp(s, "lime") == 0)
		return DUMP_F_LIME;
	if (strcmp(s, "elf") == 0)
		return DUMP_F_ELF;
	if (strcmp(s, "kdump") == 0)
		return DUMP_F_KDUMP;
	tool_usage_error(&dump_tool, "unknown format '%s' (use raw, lime, elf or kdump)", s);
}

static int
dump_format_from_name(const char *path)
{
	static const struct { const char *suffix; enum dump_format f; } map[] = {
		{ ".raw", DUMP_F_RAW }, { ".img", DUMP_F_RAW }, { ".lime", DUMP_F_LIME }, { ".elf", DUMP_F_ELF },
		{ ".core", DUMP_F_ELF }, { ".kdump", DUMP_F_KDUMP },
	};
	size_t i, n = strlen(path);

	for (i = 0; i < sizeof map / sizeof *map; i++) {
		size_t k = strlen(map[i].suffix);

		if (n > k && strcmp(path + n - k, map[i].suffix) == 0)
			return (int)map[i].f;
	}
	return -1;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "connector", required_argument, NULL, 'c' },
		{ "force", no_argument, NULL, DUMP_OPT_FORCE },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "keep", required_argument, NULL, DUMP_OPT_KEEP },
		{ "max-errors", required_argument, NULL, DUMP_OPT_MAX_ERRORS },
		{ "os", required_argument, NULL, DUMP_OPT_OS },
		{ "output", required_argument, NULL, 'o' },
		{ "pid", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "rate-limit", required_argument, NULL, DUMP_OPT_RATE_LIMIT },
		{ "target", required_argument, NULL, 't' },
		{ "threads", required_argument, NULL, DUMP_OPT_THREADS },
		{ "utc", no_argument, NULL, DUMP_OPT_UTC },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, TOOL_OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct tool *tl = &dump_tool;
	const char *fmt_arg = NULL, *out_arg = NULL;
	bool force = false, utc = false, have_pid = false;
	uint64_t keep = 0, max_errors = UINT64_MAX, pid = 0, rate = 0, threads = 0;
	char *path, *dir = NULL, *base = NULL;
	char errbuf[MF_ERRBUF_SIZE];
	struct dump_file f = { .fd = -1, .err = errbuf };
	enum dump_format fmt;
	long ncpu;
	int c;

	tool_init(tl, argv, "mf-dump", dump_usage);
	while ((c = getopt_long(argc, argv, "F:c:ho:p:qt:v", longopts, NULL)) != -1) {
		switch (c) {
		case 'F':
			fmt_arg = optarg;
			break;
		case 'o':
			out_arg = optarg;
			break;
		case 'p':
			pid = tool_parse_u64(tl, "pid", optarg);
			if (pid == 0 || pid > INT32_MAX)
				tool_usage_error(tl, "pid '%s' out of range", optarg);
			have_pid = true;
			break;
		case DUMP_OPT_FORCE:
			force = true;
			break;
		case DUMP_OPT_KEEP:
			keep = tool_parse_u64(tl, "--keep count", optarg);
			if (keep == 0)
				tool_usage_error(tl, "invalid --keep count '%s' (at least 1)", optarg);
			break;
		case DUMP_OPT_MAX_ERRORS:
			max_errors = tool_parse_u64(tl, "--max-errors count", optarg);
			break;
		case DUMP_OPT_OS:
			tl->topt.os = optarg;
			break;
		case DUMP_OPT_RATE_LIMIT:
			rate = tool_parse_u64(tl, "rate", optarg);
			if (rate < DUMP_PAGE)
				tool_usage_error(tl, "rate '%s' out of range (at least 4K)", optarg);
			break;
		case DUMP_OPT_THREADS:
			threads = tool_parse_u64(tl, "thread count", optarg);
			if (threads == 0 || threads > 64)
				tool_usage_error(tl, "thread count '%s' out of range (1-64)", optarg);
			break;
		case DUMP_OPT_UTC:
			utc = true;
			break;
		default:
			tool_common_opt(tl, c, optarg);
			break;
		}
	}
	if (optind < argc)
		tool_usage_error(tl, "unexpected argument '%s'", argv[optind]);
	if (out_arg == NULL || *out_arg == '\0')
		tool_usage_error(tl, "no output file (give -o PATH)");
	if (have_pid) {
		if (fmt_arg != NULL && strcmp(fmt_arg, "elf") != 0)
			tool_usage_error(tl, "-p writes an ELF core (-F elf), not '%s'", fmt_arg);
		fmt = DUMP_F_ELF;
	} else if (fmt_arg != NULL) {
		fmt = dump_parse_format(fmt_arg);
	} else {
		int g = dump_format_from_name(out_arg);

		if (g < 0)
			tool_usage_error(tl, "no format: give -F raw, lime, elf or kdump");
		fmt = (enum dump_format)g;
	}
	if (threads == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		threads = ncpu < 1 ? 1 : ncpu > 64 ? 64 : (uint64_t)ncpu;
	}
	tool_options_done(tl);
	dump_prog.on = tl->verbosity >= 0 && isatty(STDERR_FILENO);
	dump_prog.start = dump_prog.last = dump_now();

	path = dump_expand(out_arg, utc);
	tl->topt.read_stdin = tl->topt.conn == NULL && tl->topt.os == NULL && tl->topt.tfile == NULL;
	if (mf_tool_open(&tl->topt, &tl->t, &tl->in, tl->errbuf) < 0)
		tool_die(tl, "%s", tl->errbuf);
	dump_signals();
	dump_open_tmp(path, force, &dir, &base);
	f.fd = dump_tmp.fd;
	f.name = path;
	if (have_pid) {
		struct dump_proc_opts po = { .pid = pid, .verbosity = tl->verbosity, .max_errors = max_errors };

		if (dump_proc(tl->t, &po, &f, dump_progress) < 0)
			dump_fail("%s", f.err);
		dump_progress_end();
	} else {
		dump_physical(tl->t, fmt, &f, max_errors, (unsigned)threads, rate);
	}
	dump_check_signal();
	dump_publish(path, base, force);
	if (keep > 0) {
		char *pat = tool_xmalloc(strlen(out_arg) + 1);

		strcpy(pat, out_arg);
		dump_keep(pat, keep, path);
		free(pat);
	}
	close(dump_tmp.dirfd);
	free(path);
	free(dir);
	free(base);
	return tool_finish(tl, TOOL_EXIT_OK);
}
