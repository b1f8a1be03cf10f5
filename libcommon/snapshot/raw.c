/* raw.c: the raw format: every byte at its physical address; holes and unreadable pages
 * stay sparse (they read as zeros). */
#include "config.h"
#include "snapshot-int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int
raw_begin(struct snap_writer *w)
{
	(void)w;
	return 0;
}

static int
raw_run(struct snap_writer *w, uint64_t addr, const uint8_t *p, uint64_t n, bool valid)
{
	if (!valid)
		return 0;
	return snap_pwrite_sparse(w->f, p, (size_t)n, addr);
}

static int
raw_finish(struct snap_writer *w)
{
	if (ftruncate(w->f->fd, (off_t)w->end) < 0) {
		snprintf(w->f->err, MF_ERRBUF_SIZE, "cannot extend %s to %" PRIu64 " bytes: %s", w->f->name, w->end,
		         strerror(errno));
		return -1;
	}
	return 0;
}

static void
raw_free(struct snap_writer *w)
{
	(void)w;
}

const struct snap_format_ops snap_raw_ops = {
	.begin = raw_begin, .run = raw_run, .finish = raw_finish, .free = raw_free,
};
