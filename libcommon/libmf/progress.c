/* progress.c: the progress line on stderr of every tool's long passes (see mftools/mf.h).
 *
 * One line per process, the one open: progress_cur.  Everything that writes to the
 * terminal is serialised by stderr's own stdio lock (flockfile, recursive): a draw takes it
 * with ftrylockfile (a worker thread whose update finds a redraw due skips the draw when
 * another thread holds it, and never waits), mf_progress_hold takes it and erases the
 * line, so a message or a table row never lands on the line's text.  The count is atomic:
 * workers add without a lock.  progress_drawn (a line is on the terminal) and progress_cur
 * are only touched with the lock held.  A signal that ends the tool (SIGINT, SIGTERM,
 * SIGHUP, when the tool has not taken them itself) erases the line first: the handler
 * reads progress_on_screen, a copy of progress_drawn it may read. */
#include "mf-int.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_PERIOD_NS 200000000ull   /* at most 5 redraws a second */
#define PROGRESS_BAR_MAX 30u              /* '#' and '.' cells at most */
#define PROGRESS_BAR_MIN 10u              /* narrower than this: no bar at all */
#define PROGRESS_WIDTH_DEFAULT 80u        /* when the terminal does not say */

struct mf_progress {
	_Atomic uint64_t done;
	_Atomic uint64_t total;
	_Atomic uint64_t next_ns;          /* no redraw before this (the first update draws) */
	uint64_t start_ns;
	uint64_t min;                      /* not drawn while the total is below it */
};

static struct mf_progress *progress_cur;
static bool progress_drawn;
static volatile sig_atomic_t progress_on_screen;   /* progress_drawn, for the signal handler */
static int progress_verbosity;
static bool progress_atexit;

void
mfint_progress_verbosity(int verbosity)
{
	progress_verbosity = verbosity;
}

static uint64_t
progress_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int
mfint_progress_min(const char *env, uint64_t *min)
{
	if (env == NULL || *env == '\0') {
		*min = MF_PROGRESS_MIN_DEFAULT;
		return 0;
	}
	if (mf_parse_u64(env, min) < 0) {
		*min = MF_PROGRESS_MIN_DEFAULT;
		return MF_ERR_ARG;
	}
	return 0;
}

static void
progress_human(char *buf, size_t size, double v)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned u = 0;

	while (v >= 1024 && u + 1 < mf_countof(unit)) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

size_t
mfint_progress_line(char *buf, size_t size, const char *name, uint64_t done, uint64_t total, double elapsed,
                    unsigned width)
{
	char a[32], b[32], r[32], eta[32] = "--:--:--", tail[160], bar[PROGRESS_BAR_MAX + 1];
	double rate = elapsed > 0 ? (double)done / elapsed : 0;
	size_t n, tl, nl = strlen(name), room, cells, fill, i;
	int pct;

	if (size == 0)
		return 0;
	if (width == 0)
		width = PROGRESS_WIDTH_DEFAULT;
	if (total > 0 && done > total)
		done = total;
	if (rate > 0 && total > done) {
		double s = (double)(total - done) / rate;
		unsigned long long k = s > 359999.0 ? 359999ull : (unsigned long long)s;

		snprintf(eta, sizeof eta, "%llu:%02llu:%02llu", k / 3600, k / 60 % 60, k % 60);
	} else if (total > 0 && done == total) {
		snprintf(eta, sizeof eta, "0:00:00");
	}
	pct = total > 0 ? (int)((double)done * 100.0 / (double)total) : 0;
	progress_human(a, sizeof a, (double)done);
	progress_human(b, sizeof b, (double)total);
	if (rate > 0)
		progress_human(r, sizeof r, rate);
	else
		snprintf(r, sizeof r, "-- B");
	if (total > 0)
		snprintf(tail, sizeof tail, " %3d%% %s / %s  %s/s  ETA %s", pct, a, b, r, eta);
	else
		snprintf(tail, sizeof tail, " %s  %s/s", a, r);
	tl = strlen(tail);
	/* the line stays below the terminal's width: a wrapped one could not be redrawn */
	room = width - 1 > nl + 3 + tl ? width - 1 - (nl + 3 + tl) : 0;
	cells = room < PROGRESS_BAR_MAX ? room : PROGRESS_BAR_MAX;
	if (total > 0 && cells >= PROGRESS_BAR_MIN) {
		fill = (size_t)pct * cells / 100;
		for (i = 0; i < cells; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[cells] = '\0';
		n = (size_t)snprintf(buf, size, "%s [%s]%s", name, bar, tail);
	} else {
		n = (size_t)snprintf(buf, size, "%s%s", name, tail);
	}
	if (n >= size)
		n = size - 1;
	if (n > width - 1) {
		n = width - 1;
		buf[n] = '\0';
	}
	return n;
}

/* ---- the terminal (stderr locked) ---- */

static void
progress_erase(void)
{
	if (progress_drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		progress_drawn = false;
		progress_on_screen = 0;
	}
}

static void
progress_draw(struct mf_progress *p, uint64_t now)
{
	struct winsize ws;
	unsigned width = 0;
	char line[512];
	size_t n;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		width = ws.ws_col;
	n = mfint_progress_line(line, sizeof line, mf_progname(), atomic_load_explicit(&p->done, memory_order_relaxed),
	                        atomic_load_explicit(&p->total, memory_order_relaxed), (double)(now - p->start_ns) / 1e9,
	                        width);
	fputc('\r', stderr);
	fwrite(line, 1, n, stderr);
	fputs("\033[K", stderr);
	fflush(stderr);
	progress_drawn = true;
	progress_on_screen = 1;
	atomic_store_explicit(&p->next_ns, now + PROGRESS_PERIOD_NS, memory_order_relaxed);
}

static void
progress_maybe_draw(struct mf_progress *p)
{
	uint64_t now = progress_now_ns();

	if (now < atomic_load_explicit(&p->next_ns, memory_order_relaxed) ||
	    atomic_load_explicit(&p->total, memory_order_relaxed) < p->min)
		return;
	if (ftrylockfile(stderr) != 0)
		return;   /* another thread draws, or prints a message */
	if (progress_cur == p && now >= atomic_load_explicit(&p->next_ns, memory_order_relaxed))
		progress_draw(p, now);
	funlockfile(stderr);
}

static void
progress_at_exit(void)
{
	/* an exit in the middle of a pass leaves no line behind */
	flockfile(stderr);
	progress_erase();
	funlockfile(stderr);
}

/* A signal that ends the tool: erase the line (write(2) is safe here), then die of it. */
static void
progress_on_signal(int sig)
{
	if (progress_on_screen) {
		ssize_t r = write(STDERR_FILENO, "\r\033[K", 4);

		(void)r;
	}
	raise(sig);   /* SA_RESETHAND: the default action now */
}

/* For each signal that would end the tool with its default action: our handler. */
static void
progress_catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = progress_on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < mf_countof(sigs); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL && !(old.sa_flags & SA_SIGINFO))
			sigaction(sigs[i], &sa, NULL);
}

/* ---- the API ---- */

MF_API struct mf_progress *
mf_progress_new(uint64_t total)
{
	static int min_state;              /* 0: not parsed; 1: parsed */
	static uint64_t min;
	struct mf_progress *p;
	const char *env;

	if (progress_verbosity < 0 || !isatty(STDERR_FILENO))
		return NULL;
	if (!min_state) {
		env = getenv("MF_PROGRESS_MIN");
		if (mfint_progress_min(env, &min) < 0)
			mf_log(0, "invalid MF_PROGRESS_MIN \"%.64s\": expected a byte count (using %llu)", env,
			       (unsigned long long)min);
		min_state = 1;
	}
	if (total > 0 && total < min)
		return NULL;
	if ((p = calloc(1, sizeof *p)) == NULL)
		return NULL;
	atomic_init(&p->done, 0);
	atomic_init(&p->total, total);
	atomic_init(&p->next_ns, 0);
	p->start_ns = progress_now_ns();
	p->min = min;
	flockfile(stderr);
	if (progress_cur != NULL) {
		funlockfile(stderr);
		free(p);
		return NULL;
	}
	progress_cur = p;
	if (!progress_atexit) {
		progress_atexit = atexit(progress_at_exit) == 0;
		progress_catch_signals();
	}
	funlockfile(stderr);
	return p;
}

MF_API void
mf_progress_add(struct mf_progress *p, uint64_t n)
{
	if (p == NULL)
		return;
	atomic_fetch_add_explicit(&p->done, n, memory_order_relaxed);
	progress_maybe_draw(p);
}

MF_API void
mf_progress_update(struct mf_progress *p, uint64_t done, uint64_t total)
{
	if (p == NULL)
		return;
	atomic_store_explicit(&p->done, done, memory_order_relaxed);
	atomic_store_explicit(&p->total, total, memory_order_relaxed);
	progress_maybe_draw(p);
}

MF_API void
mf_progress_end(struct mf_progress *p)
{
	if (p == NULL)
		return;
	flockfile(stderr);
	if (progress_cur == p) {
		progress_erase();
		progress_cur = NULL;
	}
	funlockfile(stderr);
	free(p);
}

MF_API void
mf_progress_hold(void)
{
	flockfile(stderr);
	progress_erase();
}

MF_API void
mf_progress_release(void)
{
	funlockfile(stderr);
}
