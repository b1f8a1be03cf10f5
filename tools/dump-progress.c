/* dump-progress.c: mf-dump's progress bar (see dump-progress.h). */
#include "config.h"
#include "dump-progress.h"

#include <stdio.h>

#include "snapshot/snapshot.h"

void
dump_progress_init(struct dump_progress *p, const char *name, bool on)
{
	*p = (struct dump_progress){ .name = name, .on = on };
	p->start = p->last = snap_now();
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

void
dump_progress_show(void *ctx, uint64_t done, uint64_t total)
{
	struct dump_progress *p = ctx;
	double now, el, rate;
	char a[32], b[32], r[32], eta[32] = "--:--", bar[31];
	int pct, i, fill;

	if (!p->on)
		return;
	now = snap_now();
	if (done < total && now - p->last < 0.2)
		return;
	p->last = now;
	el = now - p->start;
	rate = el > 0 ? (double)done / el : 0;
	if (rate > 0 && total >= done) {
		unsigned long s = (unsigned long)((double)(total - done) / rate);

		snprintf(eta, sizeof eta, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
	}
	pct = total ? (int)((double)done * 100.0 / (double)total) : 100;
	dump_human(a, sizeof a, (double)done);
	dump_human(b, sizeof b, (double)total);
	dump_human(r, sizeof r, rate);
	fill = pct * 30 / 100;
	for (i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	fprintf(stderr, "\r%s [%s] %3d%% %s / %s  %s/s  ETA %s \033[K", p->name, bar, pct, a, b, r, eta);
	p->shown = true;
}

void
dump_progress_end(struct dump_progress *p)
{
	if (p->shown)
		fputc('\n', stderr);
	p->shown = false;
}
