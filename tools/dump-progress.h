/* dump-progress.h: mf-dump's progress bar on stderr (rate and ETA), redrawn at most five
 * times a second; the snapshot writers report through snap_progress_show. */
#ifndef MF_TOOLS_DUMP_PROGRESS_H
#define MF_TOOLS_DUMP_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct dump_progress {
	const char *name;            /* the tool's name, first on the line */
	bool on;                     /* draw at all (stderr a terminal, not -q) */
	bool shown;
	double start, last;
};

void dump_progress_init(struct dump_progress *p, const char *name, bool on);
/* The writers' progress callback: ctx is the struct dump_progress. */
void dump_progress_show(void *ctx, uint64_t done, uint64_t total);
/* End the bar's line, if one was drawn. */
void dump_progress_end(struct dump_progress *p);

#endif
