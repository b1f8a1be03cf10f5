/* scan-out.c: mf-scan's reading of the target for the engine, and its hits as records or
 * table rows. */
#include "config.h"
#include "scan-tool.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int
scan_io(struct scan_state *st, enum scan_space sp, uint64_t pid, struct mf_iov *iov, size_t n)
{
	struct tool *tl = st->tl;

	switch (sp) {
	case SCAN_SP_PHYS:
		return mf_phys_read(tl->t, iov, n, tl->errbuf);
	case SCAN_SP_KERNEL:
		return mf_virt_read(tl->t, &st->ksp, iov, n, tl->errbuf);
	case SCAN_SP_PID:
		return mf_proc_read(tl->t, pid, iov, n, tl->errbuf);
	default:
		return mf_error(tl->errbuf, MF_ERR_ARG, "no address space");
	}
}

/* ---- output ---- */

void
scan_space_fields(struct mf_rec *r, enum scan_space sp, uint64_t pid)
{
	int e;

	switch (sp) {
	case SCAN_SP_PID:
		e = mf_rec_add_str(r, "space", "process");
		if (e == 0)
			e = mf_rec_add_uint(r, "pid", pid);
		break;
	case SCAN_SP_KERNEL:
		e = mf_rec_add_str(r, "space", "kernel");
		break;
	default:
		e = mf_rec_add_str(r, "space", "phys");
		break;
	}
	if (e < 0)
		tool_oom();
}

void
scan_add_value(struct mf_rec *r, enum scan_type t, union scan_num v)
{
	int e;

	if (mf_rec_add_str(r, "vtype", scan_type_names[t]) < 0)
		tool_oom();
	if (scan_type_float(t))
		e = mf_rec_add_float(r, "value", v.f);
	else if (scan_type_signed(t))
		e = mf_rec_add_int(r, "value", v.i);
	else
		e = mf_rec_add_uint(r, "value", v.u);
	if (e < 0)
		tool_oom();
}

/* One hit to the output: record, or a table row. */
void
scan_emit(struct scan_state *st, enum scan_space sp, uint64_t pid, uint64_t addr, uint32_t len, const char *pattern,
          const char *encoding, const enum scan_type *vt, const union scan_num *val, const uint8_t *data, size_t dlen)
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
			scan_num_text(*vt, *val, vtext, sizeof vtext);
			what = vtext;
		}
		snprintf(sb, sizeof sb, sp == SCAN_SP_PID ? "pid %llu" : sp == SCAN_SP_KERNEL ? "kernel" : "phys",
		         (unsigned long long)pid);
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
	mf_rec_reset(st->rec, "hit");
	scan_space_fields(st->rec, sp, pid);
	if (mf_rec_add_addr(st->rec, "addr", addr) < 0 || mf_rec_add_uint(st->rec, "len", len) < 0 ||
	    mf_rec_add_str(st->rec, "pattern", pattern) < 0)
		tool_oom();
	if (encoding != NULL && mf_rec_add_str(st->rec, "encoding", encoding) < 0)
		tool_oom();
	if (vt != NULL)
		scan_add_value(st->rec, *vt, *val);
	if (mf_rec_add_bin(st->rec, "data", data, dlen) < 0)
		tool_oom();
	tool_rec(tl, st->rec);
}

static void
scan_emit_rule(struct scan_state *st, const struct scan_match *m)
{
	struct tool *tl = st->tl;

	if (tl->fmt == MF_FMT_TABLE) {
		char what[160];

		snprintf(what, sizeof what, "%s:%s", m->rule, m->sid);
		scan_emit(st, m->space, m->pid, m->addr, m->len, what, NULL, NULL, NULL, m->data, m->dlen);
		return;
	}
	mf_rec_reset(st->rec, "hit");
	scan_space_fields(st->rec, m->space, m->pid);
	if (mf_rec_add_addr(st->rec, "addr", m->addr) < 0 || mf_rec_add_uint(st->rec, "len", m->len) < 0 ||
	    mf_rec_add_str(st->rec, "rule", m->rule) < 0 || mf_rec_add_str(st->rec, "string", m->sid) < 0 ||
	    mf_rec_add_bin(st->rec, "data", m->data, m->dlen) < 0)
		tool_oom();
	tool_rec(tl, st->rec);
}

/* The engine's hits, in address order. */
static void
scan_emit_match(void *ctx, const struct scan_match *m)
{
	struct scan_state *st = ctx;
	union scan_num v;

	if (m->rule != NULL) {
		scan_emit_rule(st, m);
	} else if (st->have_typed) {
		v = scan_decode(st->typed.type, m->data);
		scan_emit(st, m->space, m->pid, m->addr, m->len, st->typed_text, NULL, &st->typed.type, &v, m->data,
		          m->dlen);
	} else {
		scan_emit(st, m->space, m->pid, m->addr, m->len, st->pats[m->pat].text, st->pats[m->pat].encoding, NULL,
		          NULL, m->data, m->dlen);
	}
}

/* ---- the scan ---- */

static int
scan_read_cb(void *ctx, enum scan_space sp, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct scan_state *st = ctx;
	int r = scan_io(st, sp, pid, iov, n);

	if (r < 0)
		snprintf(errbuf, MF_ERRBUF_SIZE, "%s", st->tl->errbuf);
	return r;
}

static void
scan_fail_cb(void *ctx, enum scan_space sp, uint64_t pid, uint64_t addr, const char *errbuf)
{
	struct scan_state *st = ctx;
	char sb[32];

	tool_err(st->tl, "cannot read 0x%llx in %s: %s", (unsigned long long)addr, scan_space_text(sp, pid, sb, sizeof sb),
	         errbuf);
	st->status = TOOL_EXIT_FAIL;
}

void
scan_run(struct scan_state *st)
{
	struct scan_job job = {
		.pats = st->pats, .npats = st->npats, .typed = st->have_typed ? &st->typed : NULL, .yara = st->yara,
		.maxlen = st->maxlen, .context = st->context, .chunk = st->chunk, .max_hits = st->max_hits,
		.threads = st->threads, .read = scan_read_cb, .fail = scan_fail_cb, .emit = scan_emit_match, .ctx = st,
	};
	char errbuf[MF_ERRBUF_SIZE];
	struct timespec t0, t1;
	double secs;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((r = scan_engine_run(&job, &st->regions, &st->stats, errbuf)) == MF_ERR_NOMEM)
		tool_oom();
	else if (r < 0)
		tool_die(st->tl, "%s", errbuf);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	mf_log(1, "scanned %llu bytes in %zu regions in %.3f s (%.2f GB/s), %llu hits, %llu bytes unreadable",
	       (unsigned long long)st->stats.bytes, st->regions.n, secs,
	       secs > 0 ? (double)st->stats.bytes / secs / 1e9 : 0.0, (unsigned long long)st->stats.emitted,
	       (unsigned long long)st->stats.unreadable);
}
