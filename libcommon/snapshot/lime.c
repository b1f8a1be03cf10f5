/* lime.c: LiME v1: a 32-byte header in front of every run of present memory, written when
 * the run ends; unreadable pages end a run (a hole between two ranges). */
#include "config.h"
#include "snapshot-int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LIME_MAGIC 0x4C694D45u
#define LIME_HDR 32u

struct lime {
	uint64_t off;                /* next file offset */
	bool in_run;
	uint64_t run_start, run_next, run_hdr;
};

static int
lime_begin(struct snap_writer *w)
{
	if ((w->priv = calloc(1, sizeof(struct lime))) == NULL)
		return snap_oom(w->f);
	return 0;
}

static int
lime_close_run(struct snap_writer *w)
{
	struct lime *l = w->priv;
	uint8_t h[LIME_HDR] = { 0 };

	if (!l->in_run)
		return 0;
	l->in_run = false;
	put_le32(h, LIME_MAGIC);
	put_le32(h + 4, 1);
	put_le64(h + 8, l->run_start);
	put_le64(h + 16, l->run_next - 1);
	return snap_pwrite(w->f, h, sizeof h, l->run_hdr);
}

static int
lime_run(struct snap_writer *w, uint64_t addr, const uint8_t *p, uint64_t n, bool valid)
{
	struct lime *l = w->priv;

	if (!valid)
		return lime_close_run(w);
	if (l->in_run && addr != l->run_next && lime_close_run(w) < 0)
		return -1;
	if (!l->in_run) {
		l->in_run = true;
		l->run_start = l->run_next = addr;
		l->run_hdr = l->off;
		l->off += LIME_HDR;
	}
	if (snap_pwrite_sparse(w->f, p, (size_t)n, l->off) < 0)
		return -1;
	l->off += n;
	l->run_next += n;
	return 0;
}

static int
lime_finish(struct snap_writer *w)
{
	struct lime *l = w->priv;

	if (lime_close_run(w) < 0)
		return -1;
	if (ftruncate(w->f->fd, (off_t)l->off) < 0) {
		snprintf(w->f->err, MF_ERRBUF_SIZE, "cannot extend %s: %s", w->f->name, strerror(errno));
		return -1;
	}
	return 0;
}

static void
lime_free(struct snap_writer *w)
{
	free(w->priv);
}

const struct snap_format_ops snap_lime_ops = {
	.begin = lime_begin, .run = lime_run, .finish = lime_finish, .free = lime_free,
};
