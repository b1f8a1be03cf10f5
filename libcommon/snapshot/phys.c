/* phys.c: a target's physical memory into a snapshot writer: each range read through the
 * span reader in windows of 64 MiB (64 pieces of 1 MiB per read call, failed pieces read
 * again page by page), data and holes handed to the writer in order, flushed per window;
 * progress per piece, an optional rate limit and the signal flag between windows. */
#include "config.h"
#include "snapshot-int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PHYS_PIECE (1u << 20)    /* bytes per scatter entry */
#define PHYS_BATCH 64u           /* entries per read call */

struct phys {
	struct mf_target *t;
	const struct snap_phys_opts *o;
	struct snap_file *f;
	struct snap_writer *w;
	struct snap_phys_result *res;
	uint64_t done;               /* bytes of the windows before this one */
	uint64_t win;                /* the current window's first address */
	double start;
	bool failed;                 /* the message is in f->err */
};

static uint64_t
phys_pages(uint64_t addr, uint64_t len)
{
	return (addr + len + SNAP_PAGE - 1) / SNAP_PAGE - addr / SNAP_PAGE;
}

static int
phys_piece(void *ctx, const struct mf_span_piece *p)
{
	struct phys *d = ctx;
	int r;

	if (p->data != NULL) {
		r = snap_writer_data(d->w, p->addr, p->data, (size_t)p->len);
	} else {
		d->res->unreadable += phys_pages(p->addr, p->len);
		mf_log(2, "0x%" PRIx64 ": %" PRIu64 " bytes unreadable: %s", p->addr, p->len, mf_strerror(p->err));
		if (d->o->max_errors != UINT64_MAX && d->res->unreadable > d->o->max_errors) {
			snprintf(d->f->err, MF_ERRBUF_SIZE, "%" PRIu64 " unreadable pages in %s (more than --max-errors %" PRIu64 ")",
			         d->res->unreadable, mf_target_name(d->t), d->o->max_errors);
			d->failed = true;
			return 1;
		}
		r = snap_writer_hole(d->w, p->addr, p->len);
	}
	if (r < 0) {
		d->failed = true;
		return 1;
	}
	if (d->o->progress)
		d->o->progress(d->o->ctx, d->done + (p->addr + p->len - d->win), d->res->total);
	return 0;
}

static void
phys_throttle(struct phys *d)
{
	double want, el;

	if (d->o->rate == 0)
		return;
	want = (double)d->done / (double)d->o->rate;
	el = snap_now() - d->start;
	if (want > el) {
		double s = want - el;
		struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9) };

		nanosleep(&ts, NULL);   /* a signal ends it early */
	}
}

/* One window of a range. */
static int
phys_window(struct phys *d, struct mf_aspace *as, uint8_t *buf, size_t batch, uint64_t a, uint64_t len)
{
	char errbuf[MF_ERRBUF_SIZE];
	int r;

	if (snap_check_stop(d->f) < 0)
		return -1;
	d->win = a;
	r = mf_aspace_read_span_into(as, a, len, buf, PHYS_PIECE, batch, phys_piece, d, errbuf);
	if (d->failed)
		return -1;
	if (r < 0) {
		snprintf(d->f->err, MF_ERRBUF_SIZE, "%s", errbuf);
		return -1;
	}
	if (snap_writer_flush(d->w) < 0)
		return -1;
	d->done += len;
	if (d->o->progress)
		d->o->progress(d->o->ctx, d->done, d->res->total);
	phys_throttle(d);
	return snap_check_stop(d->f);
}

static int
phys_ranges(struct phys *d, const struct snap_source *src)
{
	struct mf_aspace_id id = { .kind = MF_ASPACE_PHYS };
	struct mf_aspace *as;
	size_t batch = PHYS_BATCH, i;
	uint8_t *buf;
	int r = 0;

	if (d->o->rate > 0 && d->o->rate / PHYS_PIECE / 4 < PHYS_BATCH)
		batch = d->o->rate / PHYS_PIECE / 4 ? (size_t)(d->o->rate / PHYS_PIECE / 4) : 1;
	if (mf_aspace_open(d->t, &id, &as, d->f->err) < 0)
		return -1;
	if ((buf = malloc((size_t)PHYS_PIECE * batch)) == NULL) {
		mf_aspace_close(as);
		return snap_oom(d->f);
	}
	for (i = 0; i < src->nranges && r == 0; i++) {
		uint64_t a = src->ranges[i].base, end = a + src->ranges[i].size;

		if (end < a)
			end = UINT64_MAX;
		/* windows end at multiples of the window size, as the pieces always did */
		while (a < end && r == 0) {
			uint64_t win = (uint64_t)PHYS_PIECE * batch, k = win - a % win;

			if (k > end - a)
				k = end - a;
			r = phys_window(d, as, buf, batch, a, k);
			a += k;
		}
	}
	free(buf);
	mf_aspace_close(as);
	return r;
}

int
snap_phys(struct mf_target *t, const struct snap_phys_opts *o, struct snap_file *f, struct snap_phys_result *res)
{
	struct mf_hints *h = mf_target_hints(t);
	struct snap_source src = { .threads = o->threads, .mark = o->mark };
	struct phys d = { .t = t, .o = o, .f = f, .res = res };
	const char *arch = mf_hints_get_str(h, "arch");
	size_t i;
	int r;

	memset(res, 0, sizeof *res);
	if (!mf_target_has_phys(t)) {
		snprintf(f->err, MF_ERRBUF_SIZE, "%s has no physical memory to dump (give -c, or -p PID for a process)",
		         mf_target_name(t));
		return -1;
	}
	src.nranges = mf_phys_ranges(t, &src.ranges);
	if (src.nranges == 0) {
		snprintf(f->err, MF_ERRBUF_SIZE, "%s reports no physical memory", mf_target_name(t));
		return -1;
	}
	if (arch != NULL && mf_arch_parse(arch, &src.arch) < 0)
		src.arch = MF_ARCH_UNKNOWN;
	src.have_dtb = mf_hints_get_u64(h, "dtb", &src.dtb) == 0 || mf_hints_get_u64(h, "kernel_dtb", &src.dtb) == 0;
	src.vmcoreinfo = mf_hints_get_str(h, "vmcoreinfo");
	src.cpu_notes = mf_hints_get_bin(h, "cpu_notes", &src.cpu_notes_len);
	if (mf_hints_get_u64(h, "cpus", &src.cpus) < 0)
		src.cpus = 1;
	if (o->fmt == SNAP_F_ELF && snap_target_record(t, (void **)&src.record, &src.record_len, f->err) < 0)
		return -1;
	for (i = 0; i < src.nranges; i++)
		res->total += src.ranges[i].size;
	res->nranges = src.nranges;
	res->vmcoreinfo_hint = src.vmcoreinfo != NULL;
	d.start = snap_now();
	r = snap_writer_new(o->fmt, f, &src, &d.w);
	if (r == 0)
		r = phys_ranges(&d, &src);
	if (r == 0)
		r = snap_writer_finish(d.w);
	res->vmcoreinfo_found = snap_writer_found_vmcoreinfo(d.w) != NULL;
	snap_writer_free(d.w);
	free((void *)src.record);
	return r < 0 ? -1 : 0;
}

/* Hints that describe where the memory was read from (a live QEMU process, its host
 * addresses, a nested saved record) rather than the memory, and the CPU notes (carried as
 * notes of their own): not carried into a snapshot's record. */
static bool
snap_source_hint(const char *key)
{
	static const char *const drop[] = { "mftools_record", "cpu_notes", "live", "qemu_pid", "qemu_map", "qemu_layout" };
	size_t i, n = strlen(key);

	for (i = 0; i < sizeof drop / sizeof *drop; i++)
		if (strcmp(key, drop[i]) == 0)
			return true;
	/* host virtual addresses */
	return (n > 4 && strcmp(key + n - 4, "_hva") == 0) || strncmp(key, "host_", 5) == 0;
}

int
snap_target_record(struct mf_target *t, void **out, size_t *len, char *errbuf)
{
	struct mf_rec *r = mf_rec_new("target"), *c = mf_rec_new("target"), *h, *ch;
	struct mf_out *o;
	int fd = -1, e = MF_ERR_NOMEM;
	size_t i;
	off_t end;
	void *buf = NULL;

	*out = NULL;
	if (r == NULL || c == NULL)
		goto fail;
	if (mf_target_rec(t, r) < 0) {
		e = mf_error(errbuf, MF_ERR_GENERIC, "cannot describe %s", mf_target_name(t));
		goto out;
	}
	for (i = 0; i < mf_rec_count(r); i++) {
		const struct mf_field *fl = mf_rec_field(r, i);

		if (strcmp(fl->key, "type") == 0 || strcmp(fl->key, "hints") == 0)
			continue;
		if (mf_rec_add_value(c, fl->key, &fl->val) < 0)
			goto fail;
	}
	if ((h = mf_rec_get_map(r, "hints")) != NULL) {
		if ((ch = mf_rec_add_map(c, "hints")) == NULL)
			goto fail;
		for (i = 0; i < mf_rec_count(h); i++) {
			const struct mf_field *fl = mf_rec_field(h, i);

			if (!snap_source_hint(fl->key) && mf_rec_add_value(ch, fl->key, &fl->val) < 0)
				goto fail;
		}
	}
	/* the record stream's own encoder, into a memory file */
	if ((fd = memfd_create("mf-dump-record", MFD_CLOEXEC)) < 0) {
		e = mf_error_errno(errbuf, MF_ERR_IO, errno, "cannot create a memory file");
		goto out;
	}
	if ((o = mf_out_new(fd, MF_FMT_MSGPACK)) == NULL)
		goto fail;
	e = mf_out_rec(o, c);
	if (mf_out_close(o) < 0 || e < 0) {
		e = mf_error_errno(errbuf, MF_ERR_IO, errno, "cannot encode the target record");
		goto out;
	}
	end = lseek(fd, 0, SEEK_END);
	if (end <= 0 || end > (64 << 20)) {
		e = mf_error(errbuf, MF_ERR_GENERIC, "cannot encode the target record");
		goto out;
	}
	if ((buf = malloc((size_t)end)) == NULL)
		goto fail;
	if (pread(fd, buf, (size_t)end, 0) != end) {
		e = mf_error_errno(errbuf, MF_ERR_IO, errno, "cannot read back the target record");
		goto out;
	}
	*out = buf;
	*len = (size_t)end;
	buf = NULL;
	e = 0;
	goto out;
fail:
	e = mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	mf_rec_free(r);
	mf_rec_free(c);
	return e;
}
