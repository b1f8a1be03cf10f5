/* mf-dump: write the physical memory of any target (raw, LiME, ELF core, kdump-compressed)
 * or a process's memory (ELF core for gdb) to a file, safely: a temporary file in the
 * destination directory, fsynced and renamed into place; no file under the final name on
 * any failure.  The options and the messages; the writers, the atomic output and --keep
 * are libcommon/snapshot/, the progress line libmf's (mf_progress_new). */
#include "config.h"
#include "tool.h"
#include "snapshot/output.h"
#include "snapshot/snapshot.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static struct tool dump_tool;

/* Set by the SIGINT/SIGTERM/SIGHUP handler: the writers check it and abort cleanly. */
static volatile sig_atomic_t dump_signal;
/* The temporary output, for the cleanup on failure. */
static struct snap_out *dump_out;
/* The progress line of the pass (NULL: none drawn). */
static struct mf_progress *dump_prog;

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
	        "      --keep=N           after success, delete this target's oldest snapshots\n"
	        "                         beyond the newest N: only files PATH's pattern can name\n"
	        "                         that mf-dump marked as this target's\n"
	        "      --max-errors=N     fail when more than N pages cannot be read (default:\n"
	        "                         no limit; unreadable pages become holes)\n"
	        "  -o, --output=PATH      the file to write; %%-conversions of strftime(3) are\n"
	        "                         expanded (local time), %%{target} to the target's name\n"
	        "  -p, --pid=PID          the memory of process PID as an ELF core\n"
	        "      --rate-limit=RATE  read at most RATE bytes per second (K/M/G suffixes)\n"
	        "      --threads=N        kdump compression threads (default: the CPUs online)\n"
	        "      --utc              expand PATH in UTC\n"
	        "\nTarget (default: this machine, or a target record on stdin):\n"
	        "  -c, --connector=CONN   connector spec: NAME[:ARG][,KEY=VALUE...] or a dump file\n"
	        "      --os=OS            os layer spec: NAME[:ARG][,KEY=VALUE...]\n"
	        "  -t, --target=FILE      a target saved by mf-attach\n"
	        "\nMessages:\n"
	        "  -q, --quiet            no warnings, no progress line\n"
	        "  -v, --verbose          more messages (-vv: debug)\n"
	        "  -h, --help             this help\n"
	        "      --version          version and plugin directory\n");
	exit(status);
}

/* ---- the temporary file and failure ---------------------------------------------------- */

static void
dump_cleanup(void)
{
	snap_out_abort(dump_out);
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

/* Open the temporary output in the directory of `path`, with the marker --keep looks for. */
static void
dump_open_out(const char *path, bool force, const char *mark, bool keep, bool in_notes)
{
	int r;

	if ((r = snap_out_open(path, force, mark, &dump_out, dump_tool.errbuf)) == MF_ERR_ARG)
		tool_usage_error(&dump_tool, "%s", dump_tool.errbuf);
	if (r < 0)
		tool_die(&dump_tool, "%s", dump_tool.errbuf);
	if ((r = snap_out_marked(dump_out)) != 0 && keep && !in_notes)
		tool_warn(&dump_tool, "--keep: %s cannot carry mftools' marker (extended attributes: %s): it will not be rotated",
		          path, strerror(r));
}

/* fsync, give the file its final name, fsync the directory. */
static void
dump_publish(void)
{
	int r;

	if (snap_out_sync(dump_out, dump_tool.errbuf) < 0)
		dump_fail("%s", dump_tool.errbuf);
	dump_check_signal();
	if ((r = snap_out_publish(dump_out, dump_tool.errbuf)) < 0)
		dump_fail("%s", dump_tool.errbuf);
	if (r > 0)
		tool_warn(&dump_tool, "%s", dump_tool.errbuf);
}

static void
dump_keep_done(void *ctx, const char *path, int err)
{
	uint64_t keep = *(const uint64_t *)ctx;

	if (err != 0)
		tool_warn(&dump_tool, "--keep: cannot delete %s: %s", path, strerror(err));
	else
		mf_log(1, "deleted %s (--keep %" PRIu64 ")", path, keep);
}

static void
dump_keep_skipped(void *ctx, const char *path)
{
	(void)ctx;
	mf_log(1, "--keep: %s is not mftools' snapshot of this target: kept", path);
}

/* After the publish: the older snapshots of this target beyond the newest keep. */
static void
dump_keep(const char *pattern, const char *shortname, const char *mark, uint64_t keep, const char *written)
{
	struct snap_keep_cb cb = { .done = dump_keep_done, .skipped = dump_keep_skipped, .ctx = &keep };

	if (snap_keep(pattern, shortname, mark, keep, written, &cb, dump_tool.errbuf) < 0)
		tool_die(&dump_tool, "%s (%s is written)", dump_tool.errbuf, written);
}

/* The writers' progress callback. */
static void
dump_progress(void *ctx, uint64_t done, uint64_t total)
{
	mf_progress_update(ctx, done, total);
}

/* ---- physical memory ---------------------------------------------------------------------- */

static void
dump_physical(struct mf_target *t, enum snap_format fmt, struct snap_file *f, uint64_t max_errors, unsigned threads,
              uint64_t rate, const char *mark)
{
	struct snap_phys_opts o = { .fmt = fmt, .max_errors = max_errors, .threads = threads, .rate = rate,
	                            .progress = dump_progress, .ctx = dump_prog, .mark = mark };
	struct snap_phys_result res;
	double start = snap_now();

	if (snap_phys(t, &o, f, &res) < 0) {
		dump_check_signal();
		dump_fail("%s", f->err);
	}
	mf_progress_end(dump_prog);
	dump_prog = NULL;
	if (res.vmcoreinfo_found)
		mf_log(1, "VMCOREINFO found in memory");
	else if (fmt == SNAP_F_KDUMP && !res.vmcoreinfo_hint)
		tool_warn(&dump_tool, "no VMCOREINFO in %s: makedumpfile and crash will not be able to read the kdump",
		          mf_target_name(t));
	if (res.unreadable > 0)
		tool_warn(&dump_tool, "%" PRIu64 " unreadable page%s recorded as hole%s%s", res.unreadable,
		          res.unreadable == 1 ? "" : "s", res.unreadable == 1 ? "" : "s",
		          fmt == SNAP_F_RAW ? " (raw: sparse zeros)" : "");
	mf_log(1, "%s: %" PRIu64 " bytes of physical memory in %zu range%s, %.2f s", f->name, res.total, res.nranges,
	       res.nranges == 1 ? "" : "s", snap_now() - start);
}

/* ---- main ----------------------------------------------------------------------------------- */

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
	char *path, *mark = NULL, *shortname = NULL;
	char errbuf[MF_ERRBUF_SIZE];
	struct snap_file f = { .fd = -1, .err = errbuf, .stop = &dump_signal };
	enum snap_format fmt;
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
			if (rate < SNAP_PAGE)
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
		fmt = SNAP_F_ELF;
	} else if (fmt_arg != NULL) {
		if (snap_format_parse(fmt_arg, &fmt) < 0)
			tool_usage_error(tl, "unknown format '%s' (use raw, lime, elf or kdump)", fmt_arg);
	} else if (snap_format_from_name(out_arg, &fmt) < 0) {
		tool_usage_error(tl, "no format: give -F raw, lime, elf or kdump");
	}
	if (threads == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		threads = ncpu < 1 ? 1 : ncpu > 64 ? 64 : (uint64_t)ncpu;
	}
	tool_options_done(tl);

	/* the pattern's errors before the target is opened; its name after */
	if ((c = snap_name_expand(out_arg, "target", utc, &path, tl->errbuf)) == MF_ERR_ARG ||
	    (c == 0 && keep > 0 && (c = snap_keep_check(out_arg, tl->errbuf)) == MF_ERR_ARG))
		tool_usage_error(tl, "%s", tl->errbuf);
	else if (c < 0)
		tool_die(tl, "%s", tl->errbuf);
	free(path);
	tl->topt.read_stdin = tl->topt.conn == NULL && tl->topt.os == NULL && tl->topt.tfile == NULL;
	if (mf_tool_open(&tl->topt, &tl->t, &tl->in, tl->errbuf) < 0 ||
	    snap_target_names(tl->t, &mark, &shortname, tl->errbuf) < 0 ||
	    snap_name_expand(out_arg, shortname, utc, &path, tl->errbuf) < 0)
		tool_die(tl, "%s", tl->errbuf);
	dump_signals();
	dump_open_out(path, force, mark, keep > 0, !have_pid && (fmt == SNAP_F_ELF || fmt == SNAP_F_KDUMP));
	f.fd = snap_out_fd(dump_out);
	f.name = path;
	dump_prog = mf_progress_new(0);   /* the writers give the total */
	if (have_pid) {
		struct snap_proc_opts po = { .pid = pid, .verbosity = tl->verbosity, .max_errors = max_errors,
		                             .progress = dump_progress, .ctx = dump_prog };

		if (snap_proc(tl->t, &po, &f) < 0) {
			dump_check_signal();
			dump_fail("%s", f.err);
		}
		mf_progress_end(dump_prog);
		dump_prog = NULL;
	} else {
		dump_physical(tl->t, fmt, &f, max_errors, (unsigned)threads, rate, mark);
	}
	dump_check_signal();
	dump_publish();
	if (keep > 0)
		dump_keep(out_arg, shortname, mark, keep, path);
	snap_out_free(dump_out);
	free(path);
	free(mark);
	free(shortname);
	return tool_finish(tl, TOOL_EXIT_OK);
}
