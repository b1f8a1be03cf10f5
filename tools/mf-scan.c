/* mf-scan: search physical memory, the kernel or processes for byte patterns, strings and
 * typed values (and rescan earlier hits: the CheatEngine workflow as a pipeline).  The
 * options, the regions to scan and the output; the engine and the matchers are
 * libcommon/scan/. */
#include "config.h"
#include "tool.h"
#include "scan/engine.h"
#include "scan/rescan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <mftools/vat.h>

enum {
	SCAN_OPT_ALIGN = TOOL_OPT_FIRST_OWN,
	SCAN_OPT_BETWEEN,
	SCAN_OPT_CONTEXT,
	SCAN_OPT_EQ,
	SCAN_OPT_GT,
	SCAN_OPT_KERNEL,
	SCAN_OPT_LT,
	SCAN_OPT_MAX_HITS,
	SCAN_OPT_PHYS,
	SCAN_OPT_RESCAN,
	SCAN_OPT_THREADS,
	SCAN_OPT_UTF16,
	SCAN_OPT_CHUNK,
};

#define SCAN_CONTEXT_MAX 4096u
#define SCAN_THREADS_MAX 64
#define SCAN_RESCAN_BATCH 4096

struct scan_state {
	struct tool *tl;
	enum scan_space space;
	uint64_t *pids;
	size_t npids;
	const char *pname;
	struct scan_pat *pats;
	size_t npats;
	struct scan_typed typed;
	bool have_typed;
	char typed_text[192];         /* "u32 eq 100", as given */
	const char *yara_file;        /* -Y */
	struct scan_yara *yara;
	size_t maxlen;                /* longest match */
	size_t context;
	uint64_t max_hits;
	unsigned threads;
	size_t chunk;
	struct mf_space ksp;
	struct scan_regions regions;
	struct scan_stats stats;
	struct mf_rec *rec;
	bool table_header;
	int status;
	/* rescans */
	const char *rescan;
	char **rescan_args;
	size_t nrescan_args;
};

static struct tool scan_tool;

static void
scan_usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "usage: mf-scan [options] [--phys | --kernel | -p PID | -n NAME] -x HEX | -s TEXT...\n"
	           "       mf-scan [options] [--phys | --kernel | -p PID | -n NAME] -T TYPE [--eq|--gt|--lt] VALUE\n"
	           "       mf-scan [options] [--phys | --kernel | -p PID | -n NAME] -T TYPE --between LOW HIGH\n"
	           "       mf-scan [options] [--phys | --kernel | -p PID | -n NAME] -Y RULES.yar\n"
	           "       mf-scan [options] --rescan MODE [VALUE...] < HITS\n");
	if (status) {
		fprintf(f, "Try 'mf-scan --help' for more information.\n");
		exit(status);
	}
	fprintf(f,
	        "\nSearch memory and write a hit record per match, in address order.  Without a\n"
	        "space option, the processes whose records arrive on stdin.  Only mapped memory is\n"
	        "searched; unreadable parts are skipped (counted; listed with -v).\n"
	        "Exit status: 0 when something was found, 1 when nothing was, 2 on usage errors.\n"
	        "\nSpace:\n"
	        "      --kernel           the kernel's mapped memory (its page tables)\n"
	        "  -n, --name=NAME        every process whose name or argv[0] matches NAME (a glob)\n"
	        "  -p, --pid=PID[,PID]    processes (readable mappings only)\n"
	        "      --phys             every range of physical memory\n"
	        "\nPatterns (-x and -s may be repeated):\n"
	        "  -i, --ignore-case      -s: ASCII letters in either case\n"
	        "  -s, --string=TEXT      a string (its bytes)\n"
	        "      --utf16            -s: also as UTF-16LE\n"
	        "  -x, --hex=HEX          bytes with wildcards: \"48 8b ?? ?? 05\"\n"
	        "  -Y, --yara=RULES       YARA rules (a source file): a hit per matched string\n"
	        "\nTyped values:\n"
	        "      --align=N          only at addresses that are multiples of N (default: the size)\n"
	        "      --between=LOW      LOW <= value <= HIGH (HIGH is the next argument)\n"
	        "      --eq=VALUE         value == VALUE (also a bare VALUE)\n"
	        "      --gt=VALUE         value > VALUE\n"
	        "      --lt=VALUE         value < VALUE\n"
	        "  -T, --type=TYPE        u8 u16 u32 u64 i8 i16 i32 i64 f32 f64\n"
	        "\nRescans (hit records on stdin, after the target record):\n"
	        "      --rescan=MODE      keep the hits whose value now is: unchanged (or equal),\n"
	        "                         changed, increased, decreased (than in the hit), or\n"
	        "                         eq VALUE, gt VALUE, lt VALUE, between LOW HIGH\n"
	        "\nScanning and output:\n"
	        "      --chunk=SIZE       bytes per chunk (default 16M)\n"
	        "      --context=N        bytes of data in each hit, from the match (default 16)\n"
	        "      --max-hits=N       stop after N hits\n"
	        "      --threads=N        scanning threads (default: online CPUs)\n");
	tool_usage_common(f, false);
	exit(status);
}

/* ---- regions ---- */

static void
scan_add_region(struct scan_state *st, enum scan_space sp, uint64_t pid, uint64_t start, uint64_t end)
{
	if (scan_regions_add(&st->regions, sp, pid, start, end, st->tl->errbuf) < 0)
		tool_die(st->tl, "%s", st->tl->errbuf);
}

static int
scan_kmap_cb(void *ctx, const struct mf_vat_range *r)
{
	struct scan_state *st = ctx;

	scan_add_region(st, SCAN_SP_KERNEL, 0, r->va, r->va + r->size);
	return 0;
}

static int
scan_vat_phys(void *ctx, struct mf_iov *iov, size_t n)
{
	struct tool *tl = ctx;

	return mf_phys_read(tl->t, iov, n, tl->errbuf);
}

struct scan_mapctx {
	struct scan_state *st;
	uint64_t pid;
};

static int
scan_map_cb(void *ctx, const struct mf_map *m)
{
	struct scan_mapctx *c = ctx;

	if (m->perms == NULL || m->perms[0] != 'r' || m->end <= m->start)
		return 0;
	scan_add_region(c->st, SCAN_SP_PID, c->pid, m->start, m->end);
	return 0;
}

struct scan_namefind {
	const char *glob;
	struct scan_state *st;
};

static int
scan_name_cb(void *ctx, const struct mf_process *p)
{
	struct scan_namefind *f = ctx;

	if (tool_name_match(f->glob, p)) {
		f->st->pids = tool_xrealloc(f->st->pids, f->st->npids + 1, sizeof *f->st->pids);
		f->st->pids[f->st->npids++] = p->pid;
	}
	return 0;
}

static void
scan_build_regions(struct scan_state *st)
{
	struct tool *tl = st->tl;
	size_t i;
	int r;

	switch (st->space) {
	case SCAN_SP_PHYS: {
		const struct mf_range *rg;
		size_t n;

		if (!mf_target_has_phys(tl->t))
			tool_die(tl, "%s has no physical memory (give a connector with -c)", mf_target_name(tl->t));
		n = mf_phys_ranges(tl->t, &rg);
		for (i = 0; i < n; i++)
			if (rg[i].size > 0)
				scan_add_region(st, SCAN_SP_PHYS, 0, rg[i].base,
				                rg[i].base + rg[i].size < rg[i].base ? 0 : rg[i].base + rg[i].size);
		break;
	}
	case SCAN_SP_KERNEL: {
		struct mf_vat *v;

		if (!mf_target_has_phys(tl->t))
			tool_die(tl, "%s has no physical memory to find the kernel's page tables in (give a connector with -c)",
			         mf_target_name(tl->t));
		if (mf_target_kernel_space(tl->t, &st->ksp, tl->errbuf) < 0)
			tool_die(tl, "cannot find the kernel's address space: %s", tl->errbuf);
		if ((v = mf_vat_new(scan_vat_phys, tl)) == NULL)
			tool_oom();
		/* the kernel half: the upper half of the 64-bit space (the top of 32-bit ones) */
		r = mf_vat_page_map(v, &st->ksp, st->ksp.arch == MF_ARCH_X86_32 || st->ksp.arch == MF_ARCH_X86_PAE
		                                     ? 0x80000000ull : 0x8000000000000000ull,
		                    0, scan_kmap_cb, st);
		if (r == MF_ERR_LIMIT)
			tool_warn(tl, "the kernel's page map stopped after visiting too many page tables");
		else if (r < 0)
			tool_die(tl, "cannot walk the kernel's page tables: %s", mf_strerror(r));
		mf_vat_free(v);
		break;
	}
	case SCAN_SP_PID:
		for (i = 0; i < st->npids; i++) {
			struct scan_mapctx c = { .st = st, .pid = st->pids[i] };

			if ((r = mf_maps(tl->t, st->pids[i], scan_map_cb, &c, tl->errbuf)) < 0) {
				if (st->npids == 1)
					tool_die(tl, "cannot list the memory maps of pid %llu: %s", (unsigned long long)st->pids[i],
					         tl->errbuf);
				tool_err(tl, "cannot list the memory maps of pid %llu: %s", (unsigned long long)st->pids[i],
				         tl->errbuf);
				st->status = TOOL_EXIT_FAIL;
			}
		}
		break;
	default:
		break;
	}
}

/* ---- reading ---- */

static int
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

static void
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

static void
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
static void
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

static void
scan_run(struct scan_state *st)
{
	struct scan_job job = {
		.pats = st->pats, .npats = st->npats, .typed = st->have_typed ? &st->typed : NULL, .yara = st->yara,
		.maxlen = st->maxlen, .context = st->context, .chunk = st->chunk, .max_hits = st->max_hits,
		.threads = st->threads, .read = scan_read_cb, .fail = scan_fail_cb, .emit = scan_emit_match, .ctx = st,
	};
	char errbuf[MF_ERRBUF_SIZE];
	int r;

	if ((r = scan_engine_run(&job, &st->regions, &st->stats, errbuf)) == MF_ERR_NOMEM)
		tool_oom();
	else if (r < 0)
		tool_die(st->tl, "%s", errbuf);
}

/* ---- rescans ---- */

struct scan_rhit {
	struct mf_rec *rec;           /* the incoming hit */
	enum scan_space space;
	uint64_t pid, addr;
	uint32_t len;
	enum scan_type vt;
	union scan_num old;
	const uint8_t *olddata;       /* untyped hits: the bytes of the match, from data */
	uint8_t buf[8];
	uint8_t *big;                 /* untyped hits longer than 8 bytes */
};

static bool
scan_rescan_keep(struct scan_state *st, const struct scan_rescan *rs, struct scan_rhit *h, const uint8_t *now)
{
	char err[128];
	int r = scan_rescan_keep_hit(rs, h->vt, h->old, h->olddata, now, h->len, err, sizeof err);

	if (r == MF_ERR_UNSUPPORTED)
		tool_die(st->tl, "stdin: --rescan %s needs typed hits (mf-scan -T); this hit at 0x%llx has no vtype",
		         st->rescan, (unsigned long long)h->addr);
	if (r < 0)
		tool_usage_error(st->tl, "%s", err);
	return r == 1;
}

static void
scan_rescan_flush(struct scan_state *st, const struct scan_rescan *rs, struct scan_rhit *hits, size_t n)
{
	struct mf_iov iov[SCAN_RESCAN_BATCH];
	size_t i, j;
	char sb[32];

	for (i = 0; i < n;) {
		size_t k = 0;
		int r;

		/* one call per run of hits in the same space */
		for (j = i; j < n && hits[j].space == hits[i].space && hits[j].pid == hits[i].pid; j++, k++)
			iov[k] = (struct mf_iov){ .addr = hits[j].addr, .buf = hits[j].big ? hits[j].big : hits[j].buf,
			                          .len = hits[j].len };
		if ((r = scan_io(st, hits[i].space, hits[i].pid, iov, k)) < 0) {
			tool_err(st->tl, "cannot read %s: %s", scan_space_text(hits[i].space, hits[i].pid, sb, sizeof sb),
			         st->tl->errbuf);
			st->status = TOOL_EXIT_FAIL;
			for (j = 0; j < k; j++)
				iov[j].err = r;
		}
		for (j = 0; j < k; j++) {
			struct scan_rhit *h = &hits[i + j];
			const uint8_t *now = iov[j].buf;
			union scan_num v;
			size_t f;

			if (iov[j].err != 0) {
				st->stats.unreadable += h->len;
				mf_log(1, "0x%llx in %s unreadable: %s (dropped)", (unsigned long long)h->addr,
				       scan_space_text(h->space, h->pid, sb, sizeof sb), mf_strerror(iov[j].err));
				continue;
			}
			if (!scan_rescan_keep(st, rs, h, now))
				continue;
			/* the hit again, with the value and the data of now */
			mf_rec_reset(st->rec, "hit");
			for (f = 1; f < mf_rec_count(h->rec); f++) {
				const struct mf_field *fl = mf_rec_field(h->rec, f);

				int e;

				if (strcmp(fl->key, "value") == 0 || strcmp(fl->key, "vtype") == 0 || strcmp(fl->key, "data") == 0)
					continue;
				/* numbers from msgpack arrive as plain integers: addresses stay addresses */
				if (strcmp(fl->key, "addr") == 0)
					e = mf_rec_add_addr(st->rec, "addr", h->addr);
				else if (strcmp(fl->key, "len") == 0)
					e = mf_rec_add_uint(st->rec, "len", h->len);
				else if (strcmp(fl->key, "pid") == 0)
					e = mf_rec_add_uint(st->rec, "pid", h->pid);
				else
					e = mf_rec_add_value(st->rec, fl->key, &fl->val);
				if (e < 0)
					tool_oom();
			}
			if (h->vt != SCAN_T_NONE) {
				v = scan_decode(h->vt, now);
				scan_add_value(st->rec, h->vt, v);
			}
			if (mf_rec_add_bin(st->rec, "data", now, h->len) < 0)
				tool_oom();
			if (st->tl->fmt == MF_FMT_TABLE) {
				char pbuf[128];

				tool_rec_str(h->rec, "pattern", pbuf, sizeof pbuf);
				v = h->vt != SCAN_T_NONE ? scan_decode(h->vt, now) : (union scan_num){ .u = 0 };
				scan_emit(st, h->space, h->pid, h->addr, h->len, pbuf, NULL, h->vt != SCAN_T_NONE ? &h->vt : NULL,
				          &v, now, h->len);
			} else {
				tool_rec(st->tl, st->rec);
			}
			st->stats.emitted++;
		}
		i = j;
	}
	for (i = 0; i < n; i++) {
		mf_rec_free(hits[i].rec);
		free(hits[i].big);
	}
}

static void
scan_rescan_run(struct scan_state *st, const struct scan_rescan *rs)
{
	struct tool *tl = st->tl;
	struct scan_rhit *hits = tool_xcalloc(SCAN_RESCAN_BATCH, sizeof *hits);
	const struct mf_rec *rec;
	size_t n = 0;
	int r;

	if (tl->in == NULL)
		tool_usage_error(tl, "--rescan reads hit records on stdin (mf-scan ... | mf-scan --rescan %s)", st->rescan);
	while ((r = mf_in_next(tl->in, &rec, tl->errbuf)) > 0) {
		struct scan_rhit *h;
		char sbuf[16], tbuf[16];
		uint64_t len;
		const void *d;
		size_t dn;

		if (strcmp(mf_rec_type(rec), "hit") != 0)
			continue;
		h = &hits[n];
		memset(h, 0, sizeof *h);
		tool_rec_str(rec, "space", sbuf, sizeof sbuf);
		if (strcmp(sbuf, "phys") == 0) {
			h->space = SCAN_SP_PHYS;
		} else if (strcmp(sbuf, "kernel") == 0) {
			h->space = SCAN_SP_KERNEL;
		} else if (strcmp(sbuf, "process") == 0) {
			h->space = SCAN_SP_PID;
			if (mf_rec_get_u64(rec, "pid", &h->pid) < 0)
				tool_die(tl, "stdin: hit record without a valid pid");
		} else {
			tool_die(tl, "stdin: hit record with unknown space '%s'", sbuf);
		}
		if (h->space != SCAN_SP_PID && !mf_target_has_phys(tl->t))
			tool_die(tl, "stdin: a %s hit, but %s has no physical memory", sbuf, mf_target_name(tl->t));
		if (h->space == SCAN_SP_KERNEL && st->ksp.arch == 0 &&
		    mf_target_kernel_space(tl->t, &st->ksp, tl->errbuf) < 0)
			tool_die(tl, "cannot find the kernel's address space: %s", tl->errbuf);
		if (mf_rec_get_u64(rec, "addr", &h->addr) < 0 || mf_rec_get_u64(rec, "len", &len) < 0)
			tool_die(tl, "stdin: hit record without a valid addr and len");
		tool_rec_str(rec, "vtype", tbuf, sizeof tbuf);
		if (tbuf[0] != '\0') {
			if ((h->vt = scan_type_parse(tbuf)) == SCAN_T_NONE)
				tool_die(tl, "stdin: hit record with unknown vtype '%s'", tbuf);
			if (len != scan_type_size(h->vt))
				tool_die(tl, "stdin: hit record of vtype %s with len %llu", tbuf, (unsigned long long)len);
			r = scan_type_float(h->vt) ? mf_rec_get_f64(rec, "value", &h->old.f)
			    : scan_type_signed(h->vt) ? mf_rec_get_i64(rec, "value", &h->old.i)
			                               : mf_rec_get_u64(rec, "value", &h->old.u);
			if (r < 0)
				tool_die(tl, "stdin: hit record at 0x%llx without a valid %s value", (unsigned long long)h->addr,
				         tbuf);
		} else {
			if (len == 0 || len > SCAN_PAT_MAX)
				tool_die(tl, "stdin: hit record with len %llu (1 to %d)", (unsigned long long)len, SCAN_PAT_MAX);
		}
		if (h->addr + len < h->addr && h->addr + len != 0)
			tool_die(tl, "stdin: hit record at 0x%llx runs beyond the end of the address space",
			         (unsigned long long)h->addr);
		h->len = (uint32_t)len;
		if (len > sizeof h->buf)
			h->big = tool_xmalloc((size_t)len);
		if ((h->rec = mf_rec_dup(rec)) == NULL)
			tool_oom();
		if (mf_rec_get_bin(h->rec, "data", &d, &dn) == 0 && dn >= len)
			h->olddata = d;
		if (++n == SCAN_RESCAN_BATCH) {
			scan_rescan_flush(st, rs, hits, n);
			n = 0;
		}
	}
	if (r < 0)
		tool_die(tl, "stdin: %s", tl->errbuf);
	scan_rescan_flush(st, rs, hits, n);
	free(hits);
}

static void
scan_parse_rescan(struct scan_state *st, struct scan_rescan *rs)
{
	int r = scan_rescan_parse(rs, st->rescan, st->rescan_args, st->nrescan_args);

	if (r == MF_ERR_ARG)
		tool_usage_error(st->tl, "--rescan %s takes %zu value%s", st->rescan, rs->nargs, rs->nargs == 1 ? "" : "s");
	if (r < 0)
		tool_usage_error(st->tl,
		                 "unknown rescan mode '%s' (unchanged, equal, changed, increased, decreased, eq, gt, lt, between)",
		                 st->rescan);
}

/* ---- main ---- */

static void
scan_set_space(struct scan_state *st, enum scan_space sp)
{
	if (st->space != SCAN_SP_NONE && st->space != sp)
		tool_usage_error(st->tl, "give one space (--phys, --kernel, -p or -n)");
	st->space = sp;
}

static void
scan_set_cmp(struct scan_state *st, enum scan_cmp c, bool *set)
{
	if (*set)
		tool_usage_error(st->tl, "give one comparison (--eq, --gt, --lt or --between)");
	*set = true;
	st->typed.cmp = c;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		TOOL_LONGOPTS_COMMON,
		{ "align", required_argument, NULL, SCAN_OPT_ALIGN },
		{ "between", required_argument, NULL, SCAN_OPT_BETWEEN },
		{ "chunk", required_argument, NULL, SCAN_OPT_CHUNK },
		{ "context", required_argument, NULL, SCAN_OPT_CONTEXT },
		{ "eq", required_argument, NULL, SCAN_OPT_EQ },
		{ "gt", required_argument, NULL, SCAN_OPT_GT },
		{ "hex", required_argument, NULL, 'x' },
		{ "ignore-case", no_argument, NULL, 'i' },
		{ "kernel", no_argument, NULL, SCAN_OPT_KERNEL },
		{ "lt", required_argument, NULL, SCAN_OPT_LT },
		{ "max-hits", required_argument, NULL, SCAN_OPT_MAX_HITS },
		{ "name", required_argument, NULL, 'n' },
		{ "phys", no_argument, NULL, SCAN_OPT_PHYS },
		{ "pid", required_argument, NULL, 'p' },
		{ "rescan", required_argument, NULL, SCAN_OPT_RESCAN },
		{ "string", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, SCAN_OPT_THREADS },
		{ "type", required_argument, NULL, 'T' },
		{ "utf16", no_argument, NULL, SCAN_OPT_UTF16 },
		{ "yara", required_argument, NULL, 'Y' },
		{ NULL, 0, NULL, 0 },
	};
	struct scan_state st = { .tl = &scan_tool, .context = 16, .chunk = SCAN_CHUNK_DEFAULT };
	struct tool *tl = &scan_tool;
	const char **hexes = NULL, **strs = NULL, *cmp_a = NULL, *cmp_b = NULL, *align_arg = NULL;
	size_t nhex = 0, nstr = 0, i;
	bool icase = false, utf16 = false, cmp_set = false;
	struct scan_rescan rs = { .mode = RS_UNCHANGED };
	char err[256];
	long ncpu;
	uint64_t v;
	int c;

	tool_init(tl, argv, "mf-scan", scan_usage);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	st.threads = ncpu < 1 ? 1 : ncpu > SCAN_THREADS_MAX ? SCAN_THREADS_MAX : (unsigned)ncpu;
	while ((c = getopt_long(argc, argv, "T:Y:c:f:hin:o:p:qs:t:vx:", longopts, NULL)) != -1) {
		switch (c) {
		case 'T':
			if ((st.typed.type = scan_type_parse(optarg)) == SCAN_T_NONE)
				tool_usage_error(tl, "unknown type '%s' (u8 u16 u32 u64 i8 i16 i32 i64 f32 f64)", optarg);
			st.have_typed = true;
			break;
		case 'Y':
			st.yara_file = optarg;
			break;
		case 'i':
			icase = true;
			break;
		case 'n':
			scan_set_space(&st, SCAN_SP_PID);
			st.pname = optarg;
			break;
		case 'p':
			scan_set_space(&st, SCAN_SP_PID);
			tool_parse_pids(tl, optarg, &st.pids, &st.npids);
			break;
		case 's':
			strs = tool_xrealloc(strs, nstr + 1, sizeof *strs);
			strs[nstr++] = optarg;
			break;
		case 'x':
			hexes = tool_xrealloc(hexes, nhex + 1, sizeof *hexes);
			hexes[nhex++] = optarg;
			break;
		case SCAN_OPT_ALIGN:
			align_arg = optarg;
			break;
		case SCAN_OPT_BETWEEN:
			scan_set_cmp(&st, SCAN_BETWEEN, &cmp_set);
			cmp_a = optarg;
			if (optind >= argc)
				tool_usage_error(tl, "--between takes LOW and HIGH");
			cmp_b = argv[optind++];
			break;
		case SCAN_OPT_CHUNK:
			v = tool_parse_u64(tl, "chunk size", optarg);
			if (v < SCAN_PAGE || v > (1u << 30) || v % SCAN_PAGE != 0)
				tool_usage_error(tl, "invalid chunk size '%s' (4K to 1G, a multiple of 4K)", optarg);
			st.chunk = (size_t)v;
			break;
		case SCAN_OPT_CONTEXT:
			v = tool_parse_u64(tl, "context", optarg);
			if (v > SCAN_CONTEXT_MAX)
				tool_usage_error(tl, "context '%s' out of range (at most %u)", optarg, SCAN_CONTEXT_MAX);
			st.context = (size_t)v;
			break;
		case SCAN_OPT_EQ:
			scan_set_cmp(&st, SCAN_EQ, &cmp_set);
			cmp_a = optarg;
			break;
		case SCAN_OPT_GT:
			scan_set_cmp(&st, SCAN_GT, &cmp_set);
			cmp_a = optarg;
			break;
		case SCAN_OPT_LT:
			scan_set_cmp(&st, SCAN_LT, &cmp_set);
			cmp_a = optarg;
			break;
		case SCAN_OPT_KERNEL:
			scan_set_space(&st, SCAN_SP_KERNEL);
			break;
		case SCAN_OPT_MAX_HITS:
			st.max_hits = tool_parse_u64(tl, "hit count", optarg);
			if (st.max_hits == 0)
				tool_usage_error(tl, "invalid hit count '%s'", optarg);
			break;
		case SCAN_OPT_PHYS:
			scan_set_space(&st, SCAN_SP_PHYS);
			break;
		case SCAN_OPT_RESCAN:
			st.rescan = optarg;
			break;
		case SCAN_OPT_THREADS:
			v = tool_parse_u64(tl, "thread count", optarg);
			if (v == 0 || v > SCAN_THREADS_MAX)
				tool_usage_error(tl, "thread count '%s' out of range (1 to %d)", optarg, SCAN_THREADS_MAX);
			st.threads = (unsigned)v;
			break;
		case SCAN_OPT_UTF16:
			utf16 = true;
			break;
		default:
			tool_common_opt(tl, c, optarg);
			break;
		}
	}

	if (st.yara_file != NULL) {
		if (st.rescan != NULL || nhex || nstr || st.have_typed || cmp_set)
			tool_usage_error(tl, "-Y excludes -x, -s, -T and --rescan");
		if (optind < argc)
			tool_usage_error(tl, "unexpected argument '%s'", argv[optind]);
		if (scan_yara_load(st.yara_file, &st.yara, tl->errbuf) < 0)
			tool_die(tl, "%s", tl->errbuf);
		if (st.threads > scan_yara_max_threads())
			st.threads = scan_yara_max_threads();
		st.maxlen = SCAN_YARA_OVERLAP;
	} else if (st.rescan != NULL) {
		if (nhex || nstr || st.have_typed || st.space != SCAN_SP_NONE || cmp_set)
			tool_usage_error(tl, "--rescan takes its hits from stdin: no patterns, types or spaces");
		st.rescan_args = argv + optind;
		st.nrescan_args = (size_t)(argc - optind);
		scan_parse_rescan(&st, &rs);
	} else if (st.have_typed) {
		if (nhex || nstr)
			tool_usage_error(tl, "-T excludes -x and -s");
		if (!cmp_set && optind < argc)
			cmp_a = argv[optind++];
		if (cmp_a == NULL)
			tool_usage_error(tl, "-T %s needs a value (VALUE, --eq, --gt, --lt or --between)",
			                 scan_type_names[st.typed.type]);
		if (optind < argc)
			tool_usage_error(tl, "unexpected argument '%s'", argv[optind]);
		st.typed.size = scan_type_size(st.typed.type);
		if (scan_num_parse(st.typed.type, cmp_a, &st.typed.a, err, sizeof err) < 0 ||
		    (cmp_b != NULL && scan_num_parse(st.typed.type, cmp_b, &st.typed.b, err, sizeof err) < 0))
			tool_usage_error(tl, "%s", err);
		st.typed.align = st.typed.size;
		if (align_arg != NULL) {
			v = tool_parse_u64(tl, "alignment", align_arg);
			if (v == 0 || v > 4096)
				tool_usage_error(tl, "alignment '%s' out of range (1 to 4096)", align_arg);
			st.typed.align = (unsigned)v;
		}
		if (cmp_b != NULL)
			snprintf(st.typed_text, sizeof st.typed_text, "%s between %s %s", scan_type_names[st.typed.type],
			         cmp_a, cmp_b);
		else
			snprintf(st.typed_text, sizeof st.typed_text, "%s %s %s", scan_type_names[st.typed.type],
			         scan_cmp_names[st.typed.cmp], cmp_a);
		if (scan_typed_prepare(&st.typed) < 0)
			tool_oom();
		st.maxlen = st.typed.size;
	} else {
		if (cmp_set || align_arg != NULL)
			tool_usage_error(tl, "--eq, --gt, --lt, --between and --align go with -T");
		if (optind < argc)
			tool_usage_error(tl, "unexpected argument '%s'", argv[optind]);
		if (nhex + nstr == 0)
			tool_usage_error(tl, "nothing to search for: give -x HEX, -s TEXT or -T TYPE VALUE");
		if ((icase || utf16) && nstr == 0)
			tool_usage_error(tl, "-i and --utf16 go with -s");
		st.pats = tool_xcalloc(nhex + nstr * 2, sizeof *st.pats);
		for (i = 0; i < nhex; i++)
			if (scan_pat_hex(&st.pats[st.npats++], hexes[i], err, sizeof err) < 0)
				tool_usage_error(tl, "%s", err);
		for (i = 0; i < nstr; i++) {
			if (scan_pat_str(&st.pats[st.npats++], strs[i], false, icase, err, sizeof err) < 0)
				tool_usage_error(tl, "%s", err);
			if (utf16 && scan_pat_str(&st.pats[st.npats++], strs[i], true, icase, err, sizeof err) < 0)
				tool_usage_error(tl, "%s", err);
		}
		for (i = 0; i < st.npats; i++)
			if (st.pats[i].len > st.maxlen)
				st.maxlen = st.pats[i].len;
	}
	if (st.context == 0)
		st.context = 1;   /* the overlap arithmetic needs one byte; data holds at least it */
	tool_options_done(tl);
	tl->topt.read_stdin = st.space == SCAN_SP_NONE || (tl->topt.conn == NULL && tl->topt.os == NULL && tl->topt.tfile == NULL);
	tool_open(tl, false);
	if ((st.rec = mf_rec_new("hit")) == NULL)
		tool_oom();

	if (st.rescan != NULL) {
		tool_write_target(tl);
		scan_rescan_run(&st, &rs);
	} else {
		struct timespec t0, t1;
		double secs;

		if (st.pname != NULL) {
			struct scan_namefind f = { .glob = st.pname, .st = &st };

			if (mf_processes(tl->t, scan_name_cb, &f, tl->errbuf) < 0)
				tool_die(tl, "cannot list processes of %s: %s", mf_target_name(tl->t), tl->errbuf);
			if (st.npids == 0)
				tool_die(tl, "no process named '%s'", st.pname);
		}
		if (st.space == SCAN_SP_NONE && tl->in != NULL) {
			const struct mf_rec *rec;
			int r;

			while ((r = mf_in_next(tl->in, &rec, tl->errbuf)) > 0) {
				if (strcmp(mf_rec_type(rec), "process") != 0)
					continue;
				if (mf_rec_get_u64(rec, "pid", &v) < 0)
					tool_die(tl, "stdin: process record without a valid pid");
				st.pids = tool_xrealloc(st.pids, st.npids + 1, sizeof *st.pids);
				st.pids[st.npids++] = v;
			}
			if (r < 0)
				tool_die(tl, "stdin: %s", tl->errbuf);
			if (st.npids > 0)
				st.space = SCAN_SP_PID;
		}
		if (st.space == SCAN_SP_NONE)
			tool_usage_error(tl, "no space to scan: give --phys, --kernel, -p PID or -n NAME, or pipe in process records");
		scan_build_regions(&st);
		tool_write_target(tl);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		scan_run(&st);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		mf_log(1, "scanned %llu bytes in %zu regions in %.3f s (%.2f GB/s), %llu hits, %llu bytes unreadable",
		       (unsigned long long)st.stats.bytes, st.regions.n, secs,
		       secs > 0 ? (double)st.stats.bytes / secs / 1e9 : 0.0, (unsigned long long)st.stats.emitted,
		       (unsigned long long)st.stats.unreadable);
	}
	if (st.stats.unreadable > 0 && tl->verbosity < 1)
		mf_log(1, "%llu bytes unreadable, skipped", (unsigned long long)st.stats.unreadable);
	for (i = 0; i < st.npats; i++)
		scan_pat_free(&st.pats[i]);
	free(st.pats);
	scan_typed_free(&st.typed);
	free(hexes);
	free(strs);
	free(st.pids);
	scan_regions_free(&st.regions);
	mf_rec_free(st.rec);
	scan_yara_free(st.yara);
	c = tool_finish(tl, st.status);
	if (c != TOOL_EXIT_OK)
		return c;
	return st.stats.emitted > 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}
