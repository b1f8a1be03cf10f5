/* scan-out.c: mf-scan's scan of the selected spaces through the engine (with a progress
 * line over their regions), and its hits as records or table rows. */
#include "config.h"
#include "scan-tool.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void
scan_add_value(struct mf_rec *r, enum mf_type t, union mf_num v)
{
	if (mf_rec_add_str(r, "vtype", mf_type_name(t)) < 0 || mf_num_rec_add(r, "value", t, v) < 0)
		tool_oom();
}

/* One hit to the output: record, or a table row. */
void
scan_emit(struct scan_state *st, const struct mf_aspace_id *id, uint64_t addr, uint32_t len, const char *pattern,
          const char *encoding, const char *source, const enum mf_type *vt, const union mf_num *val,
          const uint8_t *data, size_t dlen)
{
	struct tool *tl = st->tl;

	if (tl->fmt == MF_FMT_TABLE) {
		char line[512], sb[32], vtext[64];
		const char *what = pattern;
		size_t o, i;

		if (!st->table_header) {
			tool_printf(tl, "%-18s %-13s %-24s %s\n", "ADDR", "SPACE", vt ? "VALUE" : "PATTERN", "DATA");
			st->table_header = true;
		}
		if (vt != NULL) {
			mf_num_format(*vt, *val, vtext, sizeof vtext);
			what = vtext;
		}
		snprintf(sb, sizeof sb, id->kind == MF_ASPACE_PROCESS ? "pid %llu" : id->kind == MF_ASPACE_KERNEL ? "kernel" : "phys",
		         (unsigned long long)id->pid);
		o = (size_t)snprintf(line, sizeof line, "0x%016llx %-13s %-24.24s ", (unsigned long long)addr, sb, what);
		for (i = 0; i < dlen && i < 16; i++)
			o += (size_t)snprintf(line + o, sizeof line - o, "%02x ", data[i]);
		for (; i < 16; i++)
			o += (size_t)snprintf(line + o, sizeof line - o, "   ");
		line[o++] = '|';
		for (i = 0; i < dlen && i < 16; i++)
			line[o++] = data[i] >= 0x20 && data[i] < 0x7f ? (char)data[i] : '.';
		line[o++] = '|';
		line[o++] = '\n';
		tool_raw(tl, line, o);
		return;
	}
	if (!scan_pack_hit(st, id, addr, len, pattern, encoding, source, vt, val, data, dlen))
		scan_hit_rec(st, id, addr, len, pattern, encoding, source, vt, val, data, dlen);
}

void
scan_hit_rec(struct scan_state *st, const struct mf_aspace_id *id, uint64_t addr, uint32_t len, const char *pattern,
             const char *encoding, const char *source, const enum mf_type *vt, const union mf_num *val,
             const uint8_t *data, size_t dlen)
{
	mf_rec_reset(st->rec, "hit");
	if (mf_aspace_id_rec(id, 0, st->rec) < 0 || mf_rec_add_addr(st->rec, "addr", addr) < 0 ||
	    mf_rec_add_uint(st->rec, "len", len) < 0 || mf_rec_add_str(st->rec, "pattern", pattern) < 0)
		tool_oom();
	if (encoding != NULL && mf_rec_add_str(st->rec, "encoding", encoding) < 0)
		tool_oom();
	if (source != NULL && mf_rec_add_str(st->rec, "source", source) < 0)
		tool_oom();
	if (vt != NULL)
		scan_add_value(st->rec, *vt, *val);
	if (mf_rec_add_bin(st->rec, "data", data, dlen) < 0)
		tool_oom();
	tool_rec(st->tl, st->rec);
}

static void
scan_emit_rule(struct scan_state *st, const struct mf_aspace_id *id, const struct scan_match *m)
{
	struct tool *tl = st->tl;

	if (tl->fmt == MF_FMT_TABLE) {
		char what[160];

		snprintf(what, sizeof what, "%s%s%s", m->rule, m->sid != NULL ? ":" : "", m->sid != NULL ? m->sid : "");
		scan_emit(st, id, m->addr, m->len, what, NULL, NULL, NULL, NULL, m->data, m->dlen);
		return;
	}
	mf_rec_reset(st->rec, "hit");
	if (mf_aspace_id_rec(id, 0, st->rec) < 0 || mf_rec_add_addr(st->rec, "addr", m->addr) < 0 ||
	    mf_rec_add_uint(st->rec, "len", m->len) < 0 || mf_rec_add_str(st->rec, "rule", m->rule) < 0 ||
	    (m->sid != NULL && mf_rec_add_str(st->rec, "string", m->sid) < 0) ||
	    mf_rec_add_bin(st->rec, "data", m->data, m->dlen) < 0)
		tool_oom();
	tool_rec(tl, st->rec);
}

/* The engine's hits, in address order. */
static void
scan_emit_match(void *ctx, const struct scan_match *m)
{
	struct scan_state *st = ctx;
	const struct mf_aspace_id *id = mf_aspace_id(m->space);
	union mf_num v;

	if (m->rule != NULL) {
		scan_emit_rule(st, id, m);
	} else if (st->have_typed) {
		v = mf_num_decode(st->typed.type, st->typed.size, m->data);
		scan_emit(st, id, m->addr, m->len, st->typed_text, NULL, NULL, &st->typed.type, &v, m->data, m->dlen);
	} else {
		const struct scan_pat *p = &st->pats[m->pat];
		char src[4096 + 16];

		if (p->line > 0)
			snprintf(src, sizeof src, "%s:%u", st->list_file, p->line);
		scan_emit(st, id, m->addr, m->len, p->text, p->encoding, p->line > 0 ? src : NULL, NULL, NULL, m->data,
		          m->dlen);
	}
}

/* ---- the scan ---- */

static int
scan_fill_cb(void *ctx, void *space, uint64_t addr, uint64_t len, uint8_t *buf, mf_span_cb cb, void *cbctx,
             char *errbuf)
{
	(void)ctx;
	return mf_aspace_read_span_into(space, addr, len, buf, SCAN_PIECE, SCAN_BATCH, cb, cbctx, errbuf);
}

static int
scan_view_cb(void *ctx, void *space, uint64_t addr, uint64_t len, const uint8_t **data)
{
	(void)ctx;
	return mf_aspace_view(space, addr, len, data);
}

static void
scan_fail_cb(void *ctx, void *space, int err, const char *errbuf)
{
	scan_space_lost(ctx, mf_aspace_id(space), err, errbuf);
}

static void
scan_gap_cb(void *ctx, void *space, uint64_t addr, uint64_t len, int err)
{
	(void)ctx;
	mf_log(1, "skipped 0x%llx-0x%llx in %s: %s", (unsigned long long)addr, (unsigned long long)(addr + len - 1),
	       mf_aspace_name(space), mf_strerror(err));
}

/* A chunk taken from a view is the dump file's own mapped bytes: a file that became
 * shorter since it was opened makes the next touch of what it lost raise SIGBUS.  That is
 * an error of the input, said in one line (the progress line erased first), not a crash. */
static char scan_sigbus_msg[512];
static size_t scan_sigbus_len;

static void
scan_on_sigbus(int sig, siginfo_t *si, void *uc)
{
	ssize_t w;

	(void)uc;
	if (si->si_code != BUS_ADRERR) {
		/* not a mapped file's lost page (a machine check...): the default, once back */
		signal(sig, SIG_DFL);
		return;
	}
	w = write(STDERR_FILENO, scan_sigbus_msg, scan_sigbus_len);
	(void)w;
	_exit(TOOL_EXIT_FAIL);
}

static void
scan_catch_sigbus(struct scan_state *st, bool erase)
{
	struct sigaction sa;
	int n;

	n = snprintf(scan_sigbus_msg, sizeof scan_sigbus_msg,
	             "%s%s: cannot read %s: the file became shorter while it was scanned\n", erase ? "\r\033[K" : "",
	             st->tl->name, mf_target_name(st->tl->t));
	scan_sigbus_len = n < 0 ? 0 : (size_t)n < sizeof scan_sigbus_msg ? (size_t)n : sizeof scan_sigbus_msg - 1;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = scan_on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

void
scan_run(struct scan_state *st)
{
	struct scan_job job = {
		.pats = st->pats, .npats = st->npats, .multi = st->multi, .typed = st->have_typed ? &st->typed : NULL, .yara = st->yara,
		.maxlen = st->maxlen, .context = st->context, .chunk = st->chunk, .view_chunk = st->view_chunk, .max_hits = st->max_hits,
		.threads = st->threads, .fill = scan_fill_cb, .view = scan_view_cb, .fail = scan_fail_cb, .gap = scan_gap_cb,
		.emit = scan_emit_match, .ctx = st,
	};
	char errbuf[MF_ERRBUF_SIZE];
	struct timespec t0, t1;
	double secs;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	job.progress = mf_progress_new(scan_regions_bytes(&st->regions));
	scan_catch_sigbus(st, job.progress != NULL);
	r = scan_engine_run(&job, &st->regions, &st->stats, errbuf);
	mf_progress_end(job.progress);
	if (r == MF_ERR_NOMEM)
		tool_oom();
	else if (r < 0)
		tool_die(st->tl, "%s", errbuf);
	scan_spaces_worked(st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	mf_log(1, "scanned %llu bytes in %zu regions in %.3f s (%.2f GB/s; %llu in place, not copied), %llu hits, "
	       "%llu bytes unreadable",
	       (unsigned long long)st->stats.bytes, st->regions.n, secs,
	       secs > 0 ? (double)st->stats.bytes / secs / 1e9 : 0.0, (unsigned long long)st->stats.in_place,
	       (unsigned long long)st->stats.emitted, (unsigned long long)st->stats.unreadable);
}
