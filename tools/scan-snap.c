/* scan-snap.c: mf-scan's unknown initial value, the scanmem "snapshot" workflow.
 * mf-scan -T TYPE --snapshot FILE (no value) saves the memory a scan would search to FILE,
 * atomically: a record stream of the target record, a "snapshot" record (vtype, align) and
 * "mem" records (at most SCAN_SNAP_PIECE bytes each, only what could be read).
 * mf-scan --rescan MODE --snapshot FILE compares memory now with it, value by value, and
 * writes a hit for each value that passes (typed, with its value now), so the next rescans
 * work on hits as after any first scan. */
#include "config.h"
#include "scan-tool.h"
#include "snapshot/output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SCAN_SNAP_PIECE (1u << 20)

void
scan_out_publish(struct scan_state *st, struct snap_out *o)
{
	struct tool *tl = st->tl;
	int r;

	if ((r = snap_out_finish(o, tl->errbuf)) < 0)
		tool_die(tl, "%s", tl->errbuf);
	if (r > 0)
		tool_warn(tl, "%s", tl->errbuf);
}

struct scan_snap_w {
	struct scan_state *st;
	struct mf_out *out;
	struct mf_rec *rec;
	const struct mf_aspace_id *id;
	bool failed;
};

static int
scan_snap_piece_cb(void *ctx, const struct mf_span_piece *p)
{
	struct scan_snap_w *w = ctx;

	if (p->data == NULL) {
		w->st->stats.unreadable += p->len;
		return 0;
	}
	if (mf_mem_rec(w->id, p->addr, p->data, p->len, w->rec) < 0)
		tool_oom();
	if (mf_out_rec(w->out, w->rec) < 0)
		w->failed = true;
	w->st->stats.bytes += p->len;
	return w->failed ? 1 : 0;
}

void
scan_snap_write(struct scan_state *st)
{
	struct tool *tl = st->tl;
	struct scan_snap_w w = { .st = st };
	struct snap_out *so;
	uint8_t *buf = tool_xcalloc(SCAN_SNAP_PIECE, 1);
	size_t i;
	int r;

	if ((r = snap_out_open(st->snapshot, true, NULL, &so, tl->errbuf)) == MF_ERR_ARG)
		tool_usage_error(tl, "%s", tl->errbuf);
	if (r < 0)
		tool_die(tl, "%s", tl->errbuf);
	if ((w.out = mf_out_new(snap_out_fd(so), MF_FMT_MSGPACK)) == NULL || (w.rec = mf_rec_new("target")) == NULL)
		tool_oom();
	if ((r = mf_target_rec(tl->t, w.rec)) < 0)
		tool_die(tl, "cannot describe %s: %s", mf_target_name(tl->t), mf_strerror(r));
	w.failed = mf_out_rec(w.out, w.rec) < 0;
	mf_rec_reset(w.rec, "snapshot");
	if (mf_rec_add_str(w.rec, "vtype", mf_type_name(st->typed.type)) < 0 ||
	    mf_rec_add_uint(w.rec, "align", st->typed.align) < 0)
		tool_oom();
	w.failed |= mf_out_rec(w.out, w.rec) < 0;
	for (i = 0; i < st->regions.n && !w.failed; i++) {
		const struct scan_region *rg = &st->regions.v[i];
		struct mf_aspace *as = rg->space;
		uint64_t a;

		w.id = mf_aspace_id(as);
		if (scan_space_is_lost(st, w.id))
			continue;
		for (a = rg->start; a < rg->end && !w.failed;) {
			uint64_t n = rg->end - a < SCAN_SNAP_PIECE ? rg->end - a : SCAN_SNAP_PIECE;

			if ((r = mf_aspace_read_span_into(as, a, n, buf, SCAN_PIECE, SCAN_BATCH, scan_snap_piece_cb, &w,
			                                  tl->errbuf)) < 0 && !w.failed) {
				char msg[MF_ERRBUF_SIZE + 64];

				snprintf(msg, sizeof msg, "cannot read %s: %s", mf_aspace_name(as), tl->errbuf);
				scan_space_lost(st, w.id, r, msg);
				break;
			}
			a += n;
		}
	}
	free(buf);
	mf_rec_free(w.rec);
	if (mf_out_close(w.out) < 0 || w.failed) {
		r = errno;
		snap_out_discard(so);
		tool_die(tl, "cannot write %s: %s", st->snapshot, strerror(r));
	}
	scan_out_publish(st, so);
	scan_spaces_worked(st);
	mf_log(1, "saved %llu bytes of %zu regions to %s", (unsigned long long)st->stats.bytes, st->regions.n,
	       st->snapshot);
}

/* ---- the rescan against a snapshot ---- */

/* One mem record of the snapshot against memory now. */
static void
scan_snap_compare(struct scan_state *st, const struct scan_rescan *rs, struct mf_aspace *as, uint64_t addr,
                  const uint8_t *old, size_t n, uint8_t *now, enum mf_type vt, unsigned size, unsigned align)
{
	struct mf_iov iov[SCAN_SNAP_PIECE / SCAN_PAGE];
	size_t np = 0, o;
	char err[MF_ERRBUF_SIZE];
	int r;

	/* page by page, so that a page unmapped since is only that page */
	for (o = 0; o < n; np++) {
		uint64_t a = addr + o, l = SCAN_PAGE - (a % SCAN_PAGE);

		if (l > n - o)
			l = n - o;
		iov[np] = (struct mf_iov){ .addr = a, .buf = now + o, .len = l };
		o += l;
	}
	if ((r = mf_aspace_read(as, iov, np, st->tl->errbuf)) < 0) {
		char msg[MF_ERRBUF_SIZE + 64];

		snprintf(msg, sizeof msg, "cannot read %s: %s", mf_aspace_name(as), st->tl->errbuf);
		scan_space_lost(st, mf_aspace_id(as), r, msg);
		return;
	}
	st->stats.bytes += n;
	o = (align - addr % align) % align;
	for (; o + size <= n; o += align) {
		size_t p0 = (size_t)((addr + o) / SCAN_PAGE - addr / SCAN_PAGE);
		size_t p1 = (size_t)((addr + o + size - 1) / SCAN_PAGE - addr / SCAN_PAGE);
		union mf_num then, v;

		if (iov[p0].err != 0 || iov[p1].err != 0)
			continue;
		then = mf_num_decode(vt, size, old + o);
		if ((r = scan_rescan_keep_hit(rs, vt, then, old + o, now + o, size, err)) < 0)
			tool_usage_error(st->tl, "%s", err);
		if (r == 0)
			continue;
		v = mf_num_decode(vt, size, now + o);
		scan_emit(st, mf_aspace_id(as), addr + o, size, st->typed_text, NULL, NULL, &vt, &v, now + o, size);
		st->stats.emitted++;
	}
}

void
scan_snap_rescan(struct scan_state *st, const struct scan_rescan *rs)
{
	struct tool *tl = st->tl;
	struct scan_fprogress fp;
	struct mf_in *in;
	const struct mf_rec *rec;
	uint8_t *now = tool_xcalloc(SCAN_SNAP_PIECE, 1);
	enum mf_type vt = MF_T_NONE;
	unsigned size = 0, align = 0;
	uint64_t u;
	int fd, r;

	if ((fd = open(st->snapshot, O_RDONLY | O_CLOEXEC)) < 0)
		tool_die(tl, "cannot open %s: %s", st->snapshot, strerror(errno));
	if ((in = mf_in_new(fd)) == NULL)
		tool_oom();
	scan_fprogress_begin(&fp, fd);
	while ((r = mf_in_next(in, &rec, tl->errbuf)) > 0) {
		const char *type = mf_rec_type(rec), *s;
		struct mf_aspace_id id;
		struct mf_aspace *as;
		const void *data;
		size_t n;

		if (strcmp(type, "snapshot") == 0) {
			char tb[16];

			if (mf_rec_get_str(rec, "vtype", &s, &n) == 0 && n < sizeof tb) {
				memcpy(tb, s, n);
				tb[n] = '\0';
			} else {
				tb[0] = '\0';
			}
			if (mf_type_parse(tb, &vt) < 0 ||
			    (size = mf_type_size(vt, 8)) == 0 || vt == MF_T_PTR || mf_rec_get_u64(rec, "align", &u) < 0 ||
			    u == 0 || u > 4096)
				tool_die(tl, "%s: not a snapshot of mf-scan -T (its snapshot record has no valid vtype and align)",
				         st->snapshot);
			align = (unsigned)u;
			snprintf(st->typed_text, sizeof st->typed_text, "%s %s", mf_type_name(vt), st->rescan);
			continue;
		}
		if (strcmp(type, "mem") != 0)
			continue;
		if (size == 0)
			tool_die(tl, "%s: mem record before the snapshot record (not a snapshot of mf-scan -T --snapshot)",
			         st->snapshot);
		if (mf_aspace_id_from_rec(rec, &id, tl->errbuf) < 0 || mf_rec_get_u64(rec, "addr", &u) < 0 ||
		    mf_rec_get_bin(rec, "data", &data, &n) < 0 || n > SCAN_SNAP_PIECE || u + n < u)
			tool_die(tl, "%s: bad mem record (space, addr and at most 1 MiB of data)", st->snapshot);
		if ((as = scan_space_get(st, &id)) == NULL)
			continue;
		scan_snap_compare(st, rs, as, u, data, n, now, vt, size, align);
		scan_fprogress_update(&fp);
	}
	mf_progress_end(fp.p);
	if (r < 0)
		tool_die(tl, "%s: %s", st->snapshot, tl->errbuf);
	if (size == 0)
		tool_die(tl, "%s: not a snapshot of mf-scan -T --snapshot (no snapshot record)", st->snapshot);
	mf_in_free(in);
	close(fd);
	free(now);
	scan_spaces_worked(st);
}
