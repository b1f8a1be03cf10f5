/* kdump.c: kdump-compressed (diskdump) with zlib, as makedumpfile and crash read it:
 * pages compressed on every core in rounds, written in PFN order; all-zero pages share one
 * stored page; both bitmaps, written a block at a time as the pages pass (blocks with no
 * page stay holes: memory near the 256 TiB limit costs what is present, not 8 GiB of
 * bitmap); VMCOREINFO from the hint, or found in memory. */
#include "config.h"
#include "snapshot-int.h"
#include "pluginlib/vmcoreinfo.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <zlib.h>

#define KD_BLOCK 4096u
#define KD_QUEUE 4096u          /* pages compressed per parallel round */
#define KD_OWN 64u              /* partial pages copied per round */
#define KD_SUBHDR 0x68u
#define KD_WBUF (1u << 20)
#define KD_MAX_MAPNR (1ull << 36)   /* 256 TiB of physical address space */

struct kd_result {
	uint32_t size;
	uint32_t flags;              /* 1 zlib, 0 raw */
	bool zero;
};

struct kd_worker {
	struct kdump *w;
	size_t from, to;
	z_stream zs;
	bool zinit;
	int err;
};

struct kdump {
	struct snap_file *f;
	const struct snap_source *src;
	uint64_t end;                /* end of the last range */
	uint64_t max_mapnr;
	uint8_t *bm_block;           /* the bitmap block of the pages being written */
	uint64_t bm_index;           /* its index in the bitmap */
	bool bm_dirty;
	uint64_t next_pfn;           /* pages are dumped in PFN order: the lowest next one */
	uint64_t bitmap_len;         /* bytes of one bitmap, block-aligned */
	uint32_t sub_blocks, bitmap_blocks;
	uint64_t off_bitmap, off_desc, off_data, off_zero;
	uint64_t ndesc, maxdesc;
	const char *vmci;            /* hint or found */
	char *vmci_found;
	uint64_t pend_pfn;           /* a partial page being assembled */
	bool pend;
	uint8_t *pend_buf;
	size_t nq;
	uint64_t q_pfn[KD_QUEUE];
	const uint8_t *q_src[KD_QUEUE];
	struct kd_result q_res[KD_QUEUE];
	uint8_t *own;                /* KD_OWN pages */
	size_t nown;
	uint8_t *zout;               /* KD_QUEUE * zbound */
	size_t zbound;
	uint8_t *desc;               /* KD_QUEUE * 24 */
	uint8_t *wbuf;
	size_t wlen;
	uint64_t wbuf_off;
	unsigned nthreads;
	struct kd_worker *workers;
};

/* Bytes of the MFTOOLS marker note (0 without a marker). */
static size_t
kd_mark_size(const struct snap_source *s)
{
	return s->mark ? snap_note_size("MFTOOLS", strlen(s->mark)) : 0;
}

/* The source's CPU notes (CORE registers, QEMU CPU states) go into the dump's notes, as
 * makedumpfile and QEMU put them there (crash reads the registers from them). */
struct kd_cpu {
	uint8_t *out;                /* NULL: count only */
	size_t len;
};

static int
kd_cpu_note(void *ctx, const char *name, uint32_t type, const uint8_t *desc, size_t descsz)
{
	struct kd_cpu *c = ctx;

	if (c->out)
		snap_note_put(c->out + c->len, name, type, desc, descsz);
	c->len += snap_note_size(name, descsz);
	return 0;
}

static size_t
kd_cpu_size(const struct snap_source *s)
{
	struct kd_cpu c = { 0 };

	if (s->cpu_notes)
		snap_cpu_notes_each(s->cpu_notes, s->cpu_notes_len, kd_cpu_note, &c);
	return c.len;
}

/* Bytes of the notes after the VMCOREINFO note. */
static size_t
kd_more_notes(const struct snap_source *s)
{
	return kd_mark_size(s) + kd_cpu_size(s);
}

/* Write the bitmap block held (to both bitmaps, which are the same), if it has a page. */
static int
kd_bitmap_flush(struct kdump *w)
{
	uint64_t at = w->off_bitmap + w->bm_index * KD_BLOCK;

	if (!w->bm_dirty)
		return 0;
	if (snap_pwrite(w->f, w->bm_block, KD_BLOCK, at) < 0 ||
	    snap_pwrite(w->f, w->bm_block, KD_BLOCK, at + w->bitmap_len) < 0)
		return -1;
	memset(w->bm_block, 0, KD_BLOCK);
	w->bm_dirty = false;
	return 0;
}

/* Mark pfn dumped; the descriptors follow the bitmap's order, so pfns must ascend. */
static int
kd_bitmap_set(struct kdump *w, uint64_t pfn)
{
	uint64_t index = pfn / (8 * KD_BLOCK), bit = pfn % (8 * KD_BLOCK);

	if (pfn < w->next_pfn) {
		snprintf(w->f->err, MF_ERRBUF_SIZE, "page 0x%" PRIx64 " comes after a higher one: kdump needs pages in order",
		         pfn * SNAP_PAGE);
		return -1;
	}
	if (index != w->bm_index) {
		if (kd_bitmap_flush(w) < 0)
			return -1;
		w->bm_index = index;
	}
	w->bm_block[bit / 8] |= (uint8_t)(1u << (bit % 8));
	w->bm_dirty = true;
	w->next_pfn = pfn + 1;
	return 0;
}

static void
kd_compress_range(struct kd_worker *k)
{
	struct kdump *w = k->w;
	size_t i;

	for (i = k->from; i < k->to; i++) {
		struct kd_result *r = &w->q_res[i];
		const uint8_t *src = w->q_src[i];
		uint8_t *dst = w->zout + i * w->zbound;

		r->zero = snap_is_zero(src, SNAP_PAGE);
		if (r->zero)
			continue;
		if (deflateReset(&k->zs) != Z_OK) {
			k->err = -1;
			return;
		}
		k->zs.next_in = (Bytef *)(uintptr_t)src;
		k->zs.avail_in = SNAP_PAGE;
		k->zs.next_out = dst;
		k->zs.avail_out = (uInt)w->zbound;
		if (deflate(&k->zs, Z_FINISH) == Z_STREAM_END && k->zs.total_out < SNAP_PAGE) {
			r->size = (uint32_t)k->zs.total_out;
			r->flags = 1;
		} else {
			r->size = SNAP_PAGE;
			r->flags = 0;
		}
	}
}

static void *
kd_thread(void *arg)
{
	kd_compress_range(arg);
	return NULL;
}

static int
kd_wflush(struct kdump *w)
{
	if (w->wlen == 0)
		return 0;
	if (snap_pwrite(w->f, w->wbuf, w->wlen, w->wbuf_off) < 0)
		return -1;
	w->wbuf_off += w->wlen;
	w->wlen = 0;
	return 0;
}

static int
kd_append(struct kdump *w, const uint8_t *p, size_t n)
{
	if (w->wlen + n > KD_WBUF && kd_wflush(w) < 0)
		return -1;
	memcpy(w->wbuf + w->wlen, p, n);
	w->wlen += n;
	return 0;
}

/* Compress the queued pages in parallel, then write data and descriptors in PFN order. */
static int
kd_round(struct kdump *w)
{
	pthread_t tid[64];
	bool started[64] = { false };
	size_t i, per;
	unsigned t, nt = w->nthreads;
	uint64_t desc_first = w->ndesc;
	int err = 0;

	if (w->nq == 0)
		return 0;
	if (nt > w->nq)
		nt = (unsigned)w->nq;
	per = (w->nq + nt - 1) / nt;
	for (t = 0; t < nt; t++) {
		struct kd_worker *k = &w->workers[t];

		k->from = t * per;
		k->to = k->from + per < w->nq ? k->from + per : w->nq;
		k->err = 0;
		if (t > 0 && k->from < k->to && pthread_create(&tid[t], NULL, kd_thread, k) == 0)
			started[t] = true;
		else if (t > 0)
			kd_compress_range(k);   /* no thread: do it here */
	}
	kd_compress_range(&w->workers[0]);
	for (t = 1; t < nt; t++)
		if (started[t])
			pthread_join(tid[t], NULL);
	for (t = 0; t < nt; t++)
		if (w->workers[t].err)
			err = -1;
	if (err) {
		snprintf(w->f->err, MF_ERRBUF_SIZE, "zlib compression failed");
		return -1;
	}
	for (i = 0; i < w->nq; i++) {
		const struct kd_result *r = &w->q_res[i];
		uint8_t *d = w->desc + (size_t)(w->ndesc - desc_first) * 24;

		if (w->ndesc >= w->maxdesc) {
			snprintf(w->f->err, MF_ERRBUF_SIZE, "more pages than the memory map announced");
			return -1;
		}
		if (r->zero) {
			put_le64(d, w->off_zero);
			put_le32(d + 8, SNAP_PAGE);
			put_le32(d + 12, 0);
		} else {
			put_le64(d, w->wbuf_off + w->wlen);
			put_le32(d + 8, r->size);
			put_le32(d + 12, r->flags);
			if (kd_append(w, r->flags ? w->zout + i * w->zbound : w->q_src[i], r->size) < 0)
				return -1;
		}
		put_le64(d + 16, 0);
		if (kd_bitmap_set(w, w->q_pfn[i]) < 0)
			return -1;
		w->ndesc++;
		w->f->written += SNAP_PAGE;
	}
	if (snap_pwrite(w->f, w->desc, (size_t)(w->ndesc - desc_first) * 24, w->off_desc + desc_first * 24) < 0)
		return -1;
	w->nq = 0;
	w->nown = 0;
	return 0;
}

static int
kd_queue(struct kdump *w, uint64_t pfn, const uint8_t *page)
{
	if (w->nq == KD_QUEUE && kd_round(w) < 0)
		return -1;
	w->q_pfn[w->nq] = pfn;
	w->q_src[w->nq] = page;
	w->nq++;
	return 0;
}

static int
kd_pend_flush(struct kdump *w)
{
	uint8_t *copy;

	if (!w->pend)
		return 0;
	if ((w->nown == KD_OWN || w->nq == KD_QUEUE) && kd_round(w) < 0)
		return -1;
	copy = w->own + w->nown++ * SNAP_PAGE;
	memcpy(copy, w->pend_buf, SNAP_PAGE);
	w->pend = false;
	return kd_queue(w, w->pend_pfn, copy);
}

static int
kd_run(struct snap_writer *sw, uint64_t addr, const uint8_t *p, uint64_t n, bool valid)
{
	struct kdump *w = sw->priv;

	if (!valid)
		return 0;
	if (w->vmci == NULL && (w->vmci_found = snap_vmci_search(p, (size_t)n)) != NULL)
		w->vmci = w->vmci_found;
	while (n > 0) {
		uint64_t pfn = addr / SNAP_PAGE, in = addr % SNAP_PAGE;
		size_t k = SNAP_PAGE - in < n ? (size_t)(SNAP_PAGE - in) : n;

		if (w->pend && w->pend_pfn != pfn && kd_pend_flush(w) < 0)
			return -1;
		if (pfn >= w->max_mapnr)
			return 0;
		if (k == SNAP_PAGE && !w->pend) {
			if (kd_queue(w, pfn, p) < 0)
				return -1;
		} else {
			/* a page the memory map covers only in part: the rest reads as zeros */
			if (!w->pend) {
				memset(w->pend_buf, 0, SNAP_PAGE);
				w->pend = true;
				w->pend_pfn = pfn;
			}
			memcpy(w->pend_buf + in, p, k);
		}
		addr += k;
		p += k;
		n -= k;
	}
	return 0;
}

static int
kd_begin(struct snap_writer *sw)
{
	const struct snap_source *s = sw->src;
	struct kdump *w = calloc(1, sizeof *w);
	uint64_t pages = 0, bm;
	size_t i;
	unsigned t;
	uint8_t zero[SNAP_PAGE] = { 0 };

	if ((sw->priv = w) == NULL)
		return snap_oom(sw->f);
	w->f = sw->f;
	w->src = s;
	w->end = sw->end;
	for (i = 0; i < s->nranges; i++)
		pages += (s->ranges[i].size + SNAP_PAGE - 1) / SNAP_PAGE + 1;
	w->max_mapnr = w->end / SNAP_PAGE + (w->end % SNAP_PAGE != 0);   /* the end may be 2^64 - 1 */
	if (s->nranges > 0 && w->end == 0) {
		snprintf(w->f->err, MF_ERRBUF_SIZE, "physical memory ends at 2^64: too large for a kdump bitmap (256 TiB at most)");
		return -1;
	}
	if (w->max_mapnr > KD_MAX_MAPNR) {
		snprintf(w->f->err, MF_ERRBUF_SIZE, "physical memory ends at 0x%" PRIx64 ": too large for a kdump bitmap (256 TiB at most)",
		         w->end);
		return -1;
	}
	bm = (w->max_mapnr + 7) / 8;
	bm = (bm + KD_BLOCK - 1) / KD_BLOCK * KD_BLOCK;
	if (bm == 0)
		bm = KD_BLOCK;
	w->bitmap_len = bm;
	w->bitmap_blocks = (uint32_t)(2 * bm / KD_BLOCK);
	w->vmci = s->vmcoreinfo;
	/* sub header + one VMCOREINFO note; room for a note found in memory when there is no hint */
	{
		size_t vl = w->vmci ? strlen(w->vmci) : SNAP_VMCI_MAX;

		w->sub_blocks = (uint32_t)((KD_SUBHDR + 24 + vl + 4 + kd_more_notes(s) + KD_BLOCK - 1) / KD_BLOCK);
	}
	w->off_bitmap = (uint64_t)KD_BLOCK * (1 + w->sub_blocks);
	w->off_desc = w->off_bitmap + 2 * bm;
	w->maxdesc = pages;
	w->off_zero = (w->off_desc + pages * 24 + KD_BLOCK - 1) / KD_BLOCK * KD_BLOCK;
	w->off_data = w->off_zero + SNAP_PAGE;
	w->wbuf_off = w->off_data;
	w->zbound = compressBound(SNAP_PAGE);
	if ((w->bm_block = calloc(1, KD_BLOCK)) == NULL || (w->pend_buf = malloc(SNAP_PAGE)) == NULL ||
	    (w->own = malloc((size_t)KD_OWN * SNAP_PAGE)) == NULL || (w->zout = malloc(KD_QUEUE * w->zbound)) == NULL ||
	    (w->desc = malloc((size_t)KD_QUEUE * 24)) == NULL || (w->wbuf = malloc(KD_WBUF)) == NULL)
		return snap_oom(w->f);
	w->nthreads = s->threads < 1 ? 1 : s->threads > 64 ? 64 : s->threads;
	if ((w->workers = calloc(w->nthreads, sizeof *w->workers)) == NULL)
		return snap_oom(w->f);
	for (t = 0; t < w->nthreads; t++) {
		w->workers[t].w = w;
		if (deflateInit(&w->workers[t].zs, 1) != Z_OK) {
			snprintf(w->f->err, MF_ERRBUF_SIZE, "cannot initialise zlib");
			return -1;
		}
		w->workers[t].zinit = true;
	}
	/* the one all-zero page every zero page's descriptor points at, as QEMU does */
	return snap_pwrite(w->f, zero, sizeof zero, w->off_zero);
}

static int
kd_flush(struct snap_writer *sw)
{
	return kd_round(sw->priv);
}

static int
kd_finish(struct snap_writer *sw)
{
	struct kdump *w = sw->priv;
	const struct snap_source *s = w->src;
	uint8_t h[KD_BLOCK] = { 0 }, *sub;
	size_t vl = 0, sublen, notes = 0, more = kd_more_notes(w->src);
	char rel[65] = "";
	struct timeval tv;
	const char *machine;
	uint64_t phys_base = 0;
	int r;

	if (kd_pend_flush(w) < 0 || kd_round(w) < 0 || kd_wflush(w) < 0)
		return -1;
	/* both bitmaps: what exists and what is dumped are the same pages */
	if (kd_bitmap_flush(w) < 0)
		return -1;
	if (w->vmci) {
		vl = strlen(w->vmci);
		if (vl > (size_t)w->sub_blocks * KD_BLOCK - KD_SUBHDR - 24 - 4 - more)
			vl = (size_t)w->sub_blocks * KD_BLOCK - KD_SUBHDR - 24 - 4 - more;
		vmci_osrelease(w->vmci, rel, sizeof rel);
		if (vmci_phys_base(w->vmci, &phys_base) < 0)
			phys_base = 0;
	}
	/* main header */
	memcpy(h, "KDUMP   ", 8);
	put_le32(h + 0x008, 6);
	switch (s->arch) {
	case MF_ARCH_X86_32: case MF_ARCH_X86_PAE: machine = "i686"; break;
	case MF_ARCH_AARCH64: machine = "aarch64"; break;
	default: machine = "x86_64"; break;
	}
	memcpy(h + 0x00c, "Linux", 5);                  /* sysname */
	memcpy(h + 0x00c + 2 * 65, rel, strlen(rel));    /* release */
	memcpy(h + 0x00c + 4 * 65, machine, strlen(machine));
	gettimeofday(&tv, NULL);
	put_le64(h + 0x198, (uint64_t)tv.tv_sec);
	put_le64(h + 0x1a0, (uint64_t)tv.tv_usec);
	put_le32(h + 0x1a8, 1);                         /* DUMP_DH_COMPRESSED_ZLIB */
	put_le32(h + 0x1ac, KD_BLOCK);
	put_le32(h + 0x1b0, w->sub_blocks);
	put_le32(h + 0x1b4, w->bitmap_blocks);
	put_le32(h + 0x1b8, w->max_mapnr > UINT32_MAX ? UINT32_MAX : (uint32_t)w->max_mapnr);
	put_le32(h + 0x1bc, w->max_mapnr > UINT32_MAX ? UINT32_MAX : (uint32_t)w->max_mapnr);
	put_le32(h + 0x1c8, 0);
	put_le32(h + 0x1cc, s->cpus > 0 && s->cpus < 4096 ? (uint32_t)s->cpus : 1);
	if (snap_pwrite(w->f, h, sizeof h, 0) < 0)
		return -1;
	/* sub header, then the VMCOREINFO note */
	sublen = (size_t)w->sub_blocks * KD_BLOCK;
	if ((sub = calloc(1, sublen)) == NULL)
		return snap_oom(w->f);
	put_le64(sub + 0x00, phys_base);
	put_le32(sub + 0x08, 0);                        /* dump_level: everything */
	put_le64(sub + 0x50, 0);
	put_le64(sub + 0x58, w->max_mapnr);
	put_le64(sub + 0x60, w->max_mapnr);
	put_le64(sub + 0x10, 0);
	put_le64(sub + 0x18, w->max_mapnr > UINT32_MAX ? UINT32_MAX : w->max_mapnr);
	if (vl > 0) {
		uint8_t *n = sub + KD_SUBHDR;

		put_le32(n, 11);
		put_le32(n + 4, (uint32_t)vl);
		put_le32(n + 8, 0);
		memcpy(n + 12, "VMCOREINFO", 10);
		memcpy(n + 24, w->vmci, vl);
		put_le64(sub + 0x20, KD_BLOCK + KD_SUBHDR + 24);
		put_le64(sub + 0x28, vl);
		notes = 24 + ((vl + 3) & ~(size_t)3);
	}
	if (s->mark) {
		/* the marker after it, in the same notes */
		snap_note_put(sub + KD_SUBHDR + notes, "MFTOOLS", SNAP_NT_MFTOOLS_MARK, s->mark, strlen(s->mark));
		notes += kd_mark_size(s);
	}
	if (s->cpu_notes) {
		struct kd_cpu c = { .out = sub + KD_SUBHDR + notes };

		snap_cpu_notes_each(s->cpu_notes, s->cpu_notes_len, kd_cpu_note, &c);
		notes += c.len;
	}
	if (notes > 0) {
		put_le64(sub + 0x30, KD_BLOCK + KD_SUBHDR);
		put_le64(sub + 0x38, notes);
	}
	r = snap_pwrite(w->f, sub, sublen, KD_BLOCK);
	free(sub);
	return r;
}

static const char *
kd_found_vmcoreinfo(const struct snap_writer *sw)
{
	const struct kdump *w = sw->priv;

	return w ? w->vmci_found : NULL;
}

static void
kd_free(struct snap_writer *sw)
{
	struct kdump *w = sw->priv;
	unsigned t;

	if (w == NULL)
		return;
	if (w->workers)
		for (t = 0; t < w->nthreads; t++)
			if (w->workers[t].zinit)
				deflateEnd(&w->workers[t].zs);
	free(w->workers);
	free(w->bm_block);
	free(w->pend_buf);
	free(w->own);
	free(w->zout);
	free(w->desc);
	free(w->wbuf);
	free(w->vmci_found);
	free(w);
}

const struct snap_format_ops snap_kdump_ops = {
	.begin = kd_begin, .run = kd_run, .flush = kd_flush, .finish = kd_finish, .free = kd_free,
	.found_vmcoreinfo = kd_found_vmcoreinfo,
};
