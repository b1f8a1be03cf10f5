/* test-progress.c: the progress line (libcommon/libmf/progress.c, compiled in): the
 * threshold from MF_PROGRESS_MIN, the line's text and its fit to the terminal's width, no
 * line when stderr is not a terminal or logging is quiet, and on a pseudo-terminal four
 * threads adding at once while the main thread logs warnings: every warning on a line of
 * its own, no line left at the end, at most five redraws a second. */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mftools/mf.h>
#include "../../libcommon/libmf/mf-int.h"
#include "tap.h"

static void
test_min(void)
{
	uint64_t v = 1;

	is_int(mfint_progress_min(NULL, &v), 0, "no MF_PROGRESS_MIN");
	is_u64(v, MF_PROGRESS_MIN_DEFAULT, "the default: 256 MiB");
	is_int(mfint_progress_min("", &v), 0, "empty");
	is_u64(v, UINT64_C(256) << 20, "empty: the default");
	is_int(mfint_progress_min("64M", &v), 0, "64M");
	is_u64(v, UINT64_C(64) << 20, "64M is 64 MiB");
	is_int(mfint_progress_min("0", &v), 0, "0");
	is_u64(v, 0, "0: every pass");
	is_int(mfint_progress_min("lots", &v), MF_ERR_ARG, "not a number");
	is_u64(v, MF_PROGRESS_MIN_DEFAULT, "not a number: the default");
}

static void
test_line(void)
{
	char buf[512];
	size_t n;

	n = mfint_progress_line(buf, sizeof buf, "mf-dump", UINT64_C(1) << 30, UINT64_C(4) << 30, 2.0, 100);
	is_str(buf, "mf-dump [#######.......................]  25% 1.0 GiB / 4.0 GiB  512.0 MiB/s  ETA 0:00:06",
	       "a quarter of 4 GiB in 2 s, 100 columns");
	is_u64(n, strlen(buf), "the length returned");
	mfint_progress_line(buf, sizeof buf, "mf-scan", 3 << 20, 3 << 20, 1.0, 0);
	is_str(buf, "mf-scan [######################] 100% 3.0 MiB / 3.0 MiB  3.0 MiB/s  ETA 0:00:00",
	       "done, width unknown (80): 79 columns");
	mfint_progress_line(buf, sizeof buf, "mf-scan", 5 << 20, 3 << 20, 1.0, 0);
	ok(strstr(buf, " 100% 3.0 MiB / 3.0 MiB ") != NULL, "more than the total is shown as the total: %s", buf);
	mfint_progress_line(buf, sizeof buf, "mf-read", 1 << 20, UINT64_C(16) << 30, 0, 80);
	ok(strstr(buf, "-- B/s  ETA --:--:--") != NULL, "no time yet: no rate, no ETA: %s", buf);
	n = mfint_progress_line(buf, sizeof buf, "mf-dump", UINT64_C(1) << 30, UINT64_C(4) << 30, 2.0, 60);
	is_str(buf, "mf-dump  25% 1.0 GiB / 4.0 GiB  512.0 MiB/s  ETA 0:00:06", "60 columns: no room for a bar");
	ok(n < 60, "below the width");
	n = mfint_progress_line(buf, sizeof buf, "mf-dump", UINT64_C(1) << 30, UINT64_C(4) << 30, 2.0, 20);
	is_str(buf, "mf-dump  25% 1.0 Gi", "20 columns: cut at 19");
	is_u64(n, 19, "19 bytes");
	mfint_progress_line(buf, sizeof buf, "mf-scan", 1 << 20, 0, 1.0, 80);
	is_str(buf, "mf-scan 1.0 MiB  1.0 MiB/s", "no total yet: bytes and rate");
	mfint_progress_line(buf, sizeof buf, "mf-dump", 1, UINT64_C(1) << 40, 1000.0, 200);
	ok(strstr(buf, "ETA 99:59:59") != NULL, "an ETA beyond 100 hours is capped: %s", buf);
}

/* ---- on a pseudo-terminal ---- */

#define T_THREADS 4
#define T_ADDS 400
#define T_WARNINGS 12

struct t_reader {
	int fd;
	char *buf;
	size_t len, cap;
};

static void *
t_read(void *arg)
{
	struct t_reader *r = arg;
	ssize_t k;

	for (;;) {
		if (r->len + 4096 > r->cap) {
			r->cap = r->cap ? r->cap * 2 : 1 << 16;
			r->buf = realloc(r->buf, r->cap);
		}
		k = read(r->fd, r->buf + r->len, r->cap - r->len - 1);
		if (k <= 0)
			break;   /* EIO once the slave side is closed */
		r->len += (size_t)k;
	}
	r->buf[r->len] = '\0';
	return NULL;
}

static struct mf_progress *t_bar;

static void *
t_add(void *arg)
{
	struct timespec ts = { 0, 2000000 };   /* 400 adds, 2 ms apart: about 0.8 s */
	int i;

	(void)arg;
	for (i = 0; i < T_ADDS; i++) {
		mf_progress_add(t_bar, 1 << 20);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* The terminal's lines once text was written to it ('\r' to the line's start, "\e[K"
 * erases to its end), the cursor's line last; draws: how many progress lines were drawn. */
static size_t
t_screen(const char *t, char lines[][256], size_t max, size_t *draws)
{
	size_t n = 0, col = 0, end = 0;
	char *l = lines[0];

	*draws = 0;
	memset(lines, 0, max * sizeof *lines);
	for (; *t != '\0' && n < max; t++) {
		if (strncmp(t, "\033[K", 3) == 0) {
			end = col;
			l[end] = '\0';
			t += 2;
		} else if (*t == '\r') {
			col = 0;
			if (strncmp(t + 1, "test-progress [", 15) == 0)
				(*draws)++;
		} else if (*t == '\n') {
			l = lines[++n];
			col = end = 0;
		} else if (col < 255) {
			l[col++] = *t;
			if (col > end)
				end = col;
			l[end] = '\0';
		}
	}
	return n + 1;
}

static void
test_pty(void)
{
	int master, slave, saved = dup(STDERR_FILENO), i, bad = 0;
	struct winsize ws = { .ws_row = 24, .ws_col = 100 };
	struct t_reader r = { 0 };
	pthread_t th[T_THREADS], rd;
	static char lines[256][256];
	struct timespec t0, t1, gap = { 0, 60000000 };
	size_t n, draws, k;
	double secs;
	char want[64];

	if (openpty(&master, &slave, NULL, NULL, &ws) < 0) {
		ok(0, "openpty failed");
		return;
	}
	r.fd = master;
	pthread_create(&rd, NULL, t_read, &r);
	fflush(stderr);
	dup2(slave, STDERR_FILENO);
	mf_log_init("test-progress", -1);
	mfint_progress_verbosity(-1);
	ok(mf_progress_new(UINT64_C(1) << 30) == NULL, "quiet: no line");
	mf_log_init("test-progress", 0);
	mfint_progress_verbosity(0);
	ok(mf_progress_new(UINT64_C(255) << 20) == NULL, "below 256 MiB: no line");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	t_bar = mf_progress_new((uint64_t)T_THREADS * T_ADDS << 20);
	ok(t_bar != NULL, "a terminal, 1.6 GiB: a line");
	ok(mf_progress_new(UINT64_C(1) << 30) == NULL, "one line at a time");
	for (i = 0; i < T_THREADS; i++)
		pthread_create(&th[i], NULL, t_add, NULL);
	for (i = 0; i < T_WARNINGS; i++) {
		mf_log(0, "tick %d", i);
		nanosleep(&gap, NULL);
	}
	for (i = 0; i < T_THREADS; i++)
		pthread_join(th[i], NULL);
	mf_progress_end(t_bar);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(slave);
	pthread_join(rd, NULL);
	close(master);

	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	n = t_screen(r.buf, lines, 256, &draws);
	is_u64(n, T_WARNINGS + 1, "a line per warning, then the cursor's");
	for (k = 0; k + 1 < n && k < T_WARNINGS; k++) {
		snprintf(want, sizeof want, "test-progress: warning: tick %zu", k);
		if (strcmp(lines[k], want) != 0) {
			printf("#   line %zu: '%s'\n", k, lines[k]);
			bad++;
		}
	}
	ok(bad == 0, "every warning alone on its line, none mixed with the progress line");
	is_str(lines[n - 1], "", "no progress line left at the end");
	ok(draws >= 2, "the line was drawn (%zu times in %.2f s)", draws, secs);
	ok((double)draws <= secs * 5 + 2, "at most 5 redraws a second (%zu in %.2f s)", draws, secs);
	free(r.buf);
}

int
main(void)
{
	struct mf_progress *p;

	test_min();
	test_line();
	if (!isatty(STDERR_FILENO)) {
		p = mf_progress_new(UINT64_C(1) << 40);
		ok(p == NULL, "stderr not a terminal: no line");
		mf_progress_add(p, 1);   /* NULL is accepted everywhere */
		mf_progress_update(p, 1, 2);
		mf_progress_end(p);
	}
	test_pty();
	return done_testing();
}
