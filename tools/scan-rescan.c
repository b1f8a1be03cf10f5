/* scan-rescan.c: mf-scan --rescan: the hit records on stdin read again in batches, those
 * whose value passes the mode written out with the value and data of now (in msgpack,
 * typed hits packed into hits records as a first scan's are: scan-pack.c). */
#include "config.h"
#include "scan-tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct scan_rhit {
	struct mf_rec *rec;           /* the incoming hit */
	struct mf_aspace_id id;
	struct mf_aspace *as;         /* NULL: the space could not be opened */
	uint64_t addr;
	uint32_t len;
	enum mf_type vt;
	union mf_num old;
	const uint8_t *olddata;       /* untyped hits: the bytes of the match, from data */
	uint8_t buf[8];
	uint8_t *big;                 /* untyped hits longer than 8 bytes */
};

static bool
scan_rescan_keep(struct scan_state *st, const struct scan_rescan *rs, struct scan_rhit *h, const uint8_t *now)
{
	char err[MF_ERRBUF_SIZE];
	int r = scan_rescan_keep_hit(rs, h->vt, h->old, h->olddata, now, h->len, err);

	if (r == MF_ERR_UNSUPPORTED)
		tool_die(st->tl, "stdin: --rescan %s needs typed hits (mf-scan -T); this hit at 0x%llx has no vtype",
		         st->rescan, (unsigned long long)h->addr);
	if (r < 0)
		tool_usage_error(st->tl, "%s", err);
	return r == 1;
}

struct mf_aspace *
scan_space_get(struct scan_state *st, const struct mf_aspace_id *id)
{
	struct mf_aspace *as;
	char msg[MF_ERRBUF_SIZE + 64];
	size_t i;
	int r;

	if (scan_space_is_lost(st, id))
		return NULL;
	for (i = 0; i < st->nspaces; i++)
		if (scan_space_same(mf_aspace_id(st->spaces[i]), id))
			return st->spaces[i];
	if ((r = mf_aspace_open(st->tl->t, id, &as, st->tl->errbuf)) < 0) {
		if (id->kind == MF_ASPACE_KERNEL)
			tool_die(st->tl, "cannot find the kernel's address space: %s", st->tl->errbuf);
		snprintf(msg, sizeof msg, "cannot read pid %llu: %s", (unsigned long long)id->pid, st->tl->errbuf);
		scan_space_lost(st, id, r, msg);
		return NULL;
	}
	st->spaces = tool_xrealloc(st->spaces, st->nspaces + 1, sizeof *st->spaces);
	st->spaces[st->nspaces++] = as;
	return as;
}

/* The string field key of a hit (NULL when absent); false when it is not a plain string
 * (another type, or a NUL inside). */
static bool
scan_rescan_str(const struct mf_rec *rec, const char *key, const char **out)
{
	const struct mf_field *f;
	size_t i;

	*out = NULL;
	for (i = 1; i < mf_rec_count(rec); i++) {
		f = mf_rec_field(rec, i);
		if (strcmp(f->key, key) != 0)
			continue;
		if (f->val.type != MF_V_STR || strlen(f->val.v.s.p) != f->val.v.s.n)
			return false;
		*out = f->val.v.s.p;
		return true;
	}
	return true;
}

/* May a kept typed hit go into a packed hits record (scan-pack.c)?  Only when it has no
 * field that one would not carry again: those of its space, addr, len, pattern, encoding,
 * source, vtype, value and data.  Then its strings are in *pattern, *encoding, *source. */
static bool
scan_rescan_packable(const struct scan_rhit *h, const char **pattern, const char **encoding, const char **source)
{
	static const char *const keys[] = { "space", "pid", "dtb", "arch", "addr", "len", "pattern", "encoding",
	                                    "source", "vtype", "value", "data" };
	size_t i, k;

	if (h->vt == MF_T_NONE)
		return false;
	for (i = 1; i < mf_rec_count(h->rec); i++) {
		const char *key = mf_rec_field(h->rec, i)->key;

		for (k = 0; k < sizeof keys / sizeof keys[0] && strcmp(key, keys[k]) != 0; k++)
			;
		if (k == sizeof keys / sizeof keys[0])
			return false;
	}
	return scan_rescan_str(h->rec, "pattern", pattern) && *pattern != NULL &&
	       scan_rescan_str(h->rec, "encoding", encoding) && scan_rescan_str(h->rec, "source", source);
}

static void
scan_rescan_flush(struct scan_state *st, const struct scan_rescan *rs, struct scan_rhit *hits, size_t n)
{
	struct mf_iov iov[SCAN_RESCAN_BATCH];
	size_t i, j;

	for (i = 0; i < n;) {
		size_t k = 0;
		int r;

		/* one call per run of hits in the same space */
		for (j = i; j < n && hits[j].as == hits[i].as; j++, k++)
			iov[k] = (struct mf_iov){ .addr = hits[j].addr, .buf = hits[j].big ? hits[j].big : hits[j].buf,
			                          .len = hits[j].len, .err = MF_ERR_GONE };
		if (hits[i].as != NULL && scan_space_is_lost(st, mf_aspace_id(hits[i].as))) {
			for (j = 0; j < k; j++)
				iov[j].err = MF_ERR_GONE;
		} else if (hits[i].as != NULL && (r = mf_aspace_read(hits[i].as, iov, k, st->tl->errbuf)) < 0) {
			char msg[MF_ERRBUF_SIZE + 64];

			snprintf(msg, sizeof msg, "cannot read %s: %s", mf_aspace_name(hits[i].as), st->tl->errbuf);
			scan_space_lost(st, mf_aspace_id(hits[i].as), r, msg);
			for (j = 0; j < k; j++)
				iov[j].err = r;
		} else if (hits[i].as != NULL && mf_aspace_id(hits[i].as)->kind == MF_ASPACE_PROCESS) {
			tool_space_worked(st->tl);
		}
		for (j = 0; j < k; j++) {
			struct scan_rhit *h = &hits[i + j];
			const uint8_t *now = iov[j].buf;
			const char *pattern, *encoding, *source;
			union mf_num v;
			size_t f;

			if (iov[j].err != 0) {
				st->stats.unreadable += h->len;
				mf_log(1, "0x%llx in %s unreadable: %s (dropped)", (unsigned long long)h->addr,
				       h->as != NULL ? mf_aspace_name(h->as) : "a space that cannot be read", mf_strerror(iov[j].err));
				continue;
			}
			if (!scan_rescan_keep(st, rs, h, now))
				continue;
			st->stats.emitted++;
			v = h->vt != MF_T_NONE ? mf_num_decode(h->vt, h->len, now) : (union mf_num){ .u = 0 };
			if (st->pack != NULL && scan_rescan_packable(h, &pattern, &encoding, &source)) {
				scan_emit(st, &h->id, h->addr, h->len, pattern, encoding, source, &h->vt, &v, now, h->len);
				continue;
			}
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
					e = mf_rec_add_uint(st->rec, "pid", h->id.pid);
				else
					e = mf_rec_add_value(st->rec, fl->key, &fl->val);
				if (e < 0)
					tool_oom();
			}
			if (h->vt != MF_T_NONE)
				scan_add_value(st->rec, h->vt, v);
			if (mf_rec_add_bin(st->rec, "data", now, h->len) < 0)
				tool_oom();
			if (st->tl->fmt == MF_FMT_TABLE) {
				char pbuf[128];

				tool_rec_str(h->rec, "pattern", pbuf, sizeof pbuf);
				scan_emit(st, &h->id, h->addr, h->len, pbuf, NULL, NULL, h->vt != MF_T_NONE ? &h->vt : NULL, &v, now,
				          h->len);
			} else {
				scan_pack_flush(st);   /* after the packed run before it */
				tool_rec(st->tl, st->rec);
			}
		}
		i += k;
	}
	for (i = 0; i < n; i++) {
		mf_rec_free(hits[i].rec);
		free(hits[i].big);
	}
}

void
scan_fprogress_begin(struct scan_fprogress *fp, int fd)
{
	struct stat sb;

	fp->fd = fd;
	fp->size = 0;
	fp->p = NULL;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) {
		fp->size = (uint64_t)sb.st_size;
		fp->p = mf_progress_new(fp->size);
	}
}

void
scan_fprogress_update(const struct scan_fprogress *fp)
{
	off_t at;

	/* the file's offset: what the record reader has read of it (a buffer ahead) */
	if (fp->p != NULL && (at = lseek(fp->fd, 0, SEEK_CUR)) >= 0)
		mf_progress_update(fp->p, (uint64_t)at, fp->size);
}

void
scan_rescan_run(struct scan_state *st, const struct scan_rescan *rs)
{
	struct tool *tl = st->tl;
	struct scan_rhit *hits = tool_xcalloc(SCAN_RESCAN_BATCH, sizeof *hits);
	struct scan_fprogress fp;
	const struct mf_rec *rec;
	size_t n = 0;
	int r;

	if (tl->in == NULL)
		tool_usage_error(tl, "--rescan reads hit records on stdin (mf-scan ... | mf-scan --rescan %s)", st->rescan);
	scan_fprogress_begin(&fp, STDIN_FILENO);
	while ((r = mf_in_next(tl->in, &rec, tl->errbuf)) > 0) {
		struct scan_rhit *h;
		struct scan_rescan_hit hi;
		uint64_t len;
		const void *d;
		size_t dn;

		if (strcmp(mf_rec_type(rec), "hit") != 0)
			continue;
		h = &hits[n];
		memset(h, 0, sizeof *h);
		if (mf_aspace_id_from_rec(rec, &h->id, tl->errbuf) < 0)
			tool_die(tl, "stdin: %s", tl->errbuf);
		if (h->id.kind != MF_ASPACE_PROCESS && !mf_target_has_phys(tl->t))
			tool_die(tl, "stdin: a %s hit, but %s has no physical memory",
			         h->id.kind == MF_ASPACE_KERNEL ? "kernel" : h->id.kind == MF_ASPACE_PHYS ? "phys" : "dtb",
			         mf_target_name(tl->t));
		h->as = scan_space_get(st, &h->id);
		if (scan_rescan_hit_parse(rec, &hi, tl->errbuf) < 0)
			tool_die(tl, "stdin: %s", tl->errbuf);
		h->addr = hi.addr;
		h->vt = hi.vt;
		h->old = hi.old;
		len = hi.len;
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
			scan_fprogress_update(&fp);
		}
	}
	if (r < 0)
		tool_die(tl, "stdin: %s", tl->errbuf);
	scan_rescan_flush(st, rs, hits, n);
	scan_fprogress_update(&fp);
	mf_progress_end(fp.p);
	free(hits);
}

void
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
