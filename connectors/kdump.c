/* kdump.c: the kdump-compressed (diskdump) connector: makedumpfile and QEMU
 * `dump-guest-memory -f kdump-*` files, plain (`KDUMP   `, old `DISKDUMP`) and flattened
 * (`makedumpfile` + records), with zlib, LZO, snappy and zstd pages. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#ifdef HAVE_LZO
#include <lzo/lzo1x.h>
#endif
#ifdef HAVE_SNAPPY
#include <snappy-c.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

#include <mftools/plugin.h>
#include "pluginlib/bitmap.h"
#include "pluginlib/bytes.h"
#include "pluginlib/checked.h"
#include "pluginlib/fileio.h"
#include "pluginlib/rangemap.h"
#include "pluginlib/vmcoreinfo.h"

#define KDUMP_FLAT_HDR_SIZE 4096
#define KDUMP_FLAT_MAX_RECS ((size_t)1 << 24)
#define KDUMP_MAX_BITMAP_BYTES ((uint64_t)1 << 33)   /* per half: 2^36 pages, 256 TiB, what mf-dump writes */
#define KDUMP_DESC_SIZE 24
#define KDUMP_DESC_CACHE 256
#define KDUMP_PAGE_CACHE 64
#define KDUMP_MAX_RUNS ((size_t)1 << 26)   /* memory map runs */
#define KDUMP_SEG_PAGES 1u                  /* range-map kind: pages in the kdump page table */

#define KDUMP_F_ZLIB 0x1u
#define KDUMP_F_LZO 0x2u
#define KDUMP_F_SNAPPY 0x4u
#define KDUMP_F_ZSTD 0x20u

#define KDUMP_STATUS_INCOMPLETE 0x8u

struct kdump_rec {
	uint64_t loff;   /* logical offset in the plain file */
	uint64_t size;
	uint64_t foff;   /* where its data is in the flattened file */
};

struct kdump_page {
	uint64_t pfn;    /* UINT64_MAX: empty */
	uint8_t *data;
};

struct kdump {
	const struct mf_host *host;
	int fd;
	uint64_t fsize;
	int flat;
	struct kdump_rec *recs;
	size_t nrecs;
	uint64_t lsize;          /* size of the (logical) plain file */
	uint32_t block_size;
	uint32_t status;
	uint64_t max_pfn;        /* pages covered by the bitmap */
	struct bitmap bm;     /* the 2nd (dumpable) bitmap */
	uint64_t desc_off;
	uint64_t ndesc;          /* descriptors usable (present in the file, written) */
	struct rmap ranges;      /* runs of the dumpable bitmap (pages answered by kdump_read) */
	uint8_t *dcache;         /* KDUMP_DESC_CACHE descriptors */
	uint64_t dcache_first;
	uint64_t dcache_n;
	struct kdump_page pages[KDUMP_PAGE_CACHE];
	uint8_t *cbuf;
	uint32_t cbuf_size;
	int warned_unsupported;
	int warned_truncated;
};

static const char *const kdump_keys[] = { "path", NULL };

/* ---- the logical file: plain, or flattened records read in place ------------------- */

static int64_t
kdump_pread(struct kdump *k, void *buf, uint64_t len, uint64_t off)
{
	uint8_t *out = buf;
	uint64_t done = 0;
	size_t lo, hi;

	if (!k->flat)
		return fio_pread_full(k->fd, buf, len, off);
	if (off >= k->lsize)
		return 0;
	if (len > k->lsize - off)
		len = k->lsize - off;
	/* first record ending after off */
	lo = 0;
	hi = k->nrecs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->recs[mid].loff + k->recs[mid].size <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (done < len) {
		uint64_t pos = off + done;
		const struct kdump_rec *r = lo < k->nrecs ? &k->recs[lo] : NULL;

		if (r == NULL || r->loff > pos) {
			/* a gap of the plain file: zeros up to the next record */
			uint64_t n = len - done;

			if (r != NULL && r->loff - pos < n)
				n = r->loff - pos;
			memset(out + done, 0, n);
			done += n;
		} else {
			uint64_t in = pos - r->loff;
			uint64_t n = r->size - in;
			int64_t got;

			if (n > len - done)
				n = len - done;
			got = fio_pread_full(k->fd, out + done, n, r->foff + in);
			if (got < 0)
				return got;
			done += (uint64_t)got;
			if ((uint64_t)got < n)
				return (int64_t)done;
			lo++;
		}
	}
	return (int64_t)done;
}

/* The bitmap's source (struct bitmap_src): the logical file, and where it holds data. */
static int64_t
kdump_bitmap_read(void *ctx, void *buf, uint64_t len, uint64_t off)
{
	return kdump_pread(ctx, buf, len, off);
}

static uint64_t
kdump_next_data(void *ctx, uint64_t off)
{
	struct kdump *k = ctx;
	size_t lo = 0, hi = k->nrecs;

	if (!k->flat)
		return fio_next_data(k->fd, off);
	while (lo < hi) {   /* the first record ending after off; gaps between records are zeros */
		size_t mid = lo + (hi - lo) / 2;

		if (k->recs[mid].loff + k->recs[mid].size <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == k->nrecs)
		return UINT64_MAX;
	return k->recs[lo].loff > off ? k->recs[lo].loff : off;
}

/* Append a record as it comes in the flattened file (file order: later ones win). */
static int
kdump_rec_push(struct kdump_rec **recs, size_t *n, size_t *cap, uint64_t loff, uint64_t size, uint64_t foff)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct kdump_rec *nr = realloc(*recs, nc * sizeof *nr);

		if (nr == NULL)
			return MF_ERR_NOMEM;
		*recs = nr;
		*cap = nc;
	}
	(*recs)[(*n)++] = (struct kdump_rec){ loff, size, foff };
	return 0;
}

static int
kdump_rec_cmp(const void *a, const void *b)
{
	const struct kdump_rec *x = a, *y = b;

	return x->loff < y->loff ? -1 : x->loff > y->loff;
}

static int
kdump_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The heap of the records covering the sweep point, the latest (largest file index) on top. */
static void
kdump_heap_push(size_t *heap, size_t *n, size_t v)
{
	size_t i = (*n)++;

	while (i > 0 && heap[(i - 1) / 2] < v) {
		heap[i] = heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap[i] = v;
}

static void
kdump_heap_pop(size_t *heap, size_t *n)
{
	size_t v = heap[--*n], i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && heap[c + 1] > heap[c])
			c++;
		if (heap[c] <= v)
			break;
		heap[i] = heap[c];
		i = c;
	}
	if (*n)
		heap[i] = v;
}

/* Turn the records in file order (recs[i].foff ascending: later records override earlier
 * ones where they overlap) into k->recs: sorted, disjoint, adjacent pieces of one record
 * merged.  A sweep over the sorted boundaries with a heap of the covering records: n log n. */
static int
kdump_recs_resolve(struct kdump *k, struct kdump_rec *in, size_t n)
{
	uint64_t *bounds = NULL;
	size_t *heap = NULL, *order = NULL, nb = 0, nh = 0, next = 0, out = 0, cap = 0, i;
	int rc = 0, sorted = 1;

	for (i = 1; i < n && sorted; i++)
		sorted = in[i - 1].loff + in[i - 1].size <= in[i].loff;
	if (sorted) {   /* the usual case: nothing to resolve */
		k->recs = in;
		k->nrecs = n;
		return 0;
	}
	bounds = malloc(2 * n * sizeof *bounds);
	heap = malloc(n * sizeof *heap);
	order = malloc(n * sizeof *order);
	if (bounds == NULL || heap == NULL || order == NULL) {
		rc = MF_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		bounds[2 * i] = in[i].loff;
		bounds[2 * i + 1] = in[i].loff + in[i].size;
		order[i] = i;
	}
	qsort(bounds, 2 * n, sizeof *bounds, kdump_u64_cmp);
	for (i = 0; i < 2 * n; i++)
		if (nb == 0 || bounds[nb - 1] != bounds[i])
			bounds[nb++] = bounds[i];
	/* order: record indexes by start (ties in any order: the heap picks the latest) */
	{
		struct kdump_rec *tmp = malloc(n * sizeof *tmp);

		if (tmp == NULL) {
			rc = MF_ERR_NOMEM;
			goto out;
		}
		for (i = 0; i < n; i++)   /* carry the index in foff's place for the sort */
			tmp[i] = (struct kdump_rec){ in[i].loff, i, 0 };
		qsort(tmp, n, sizeof *tmp, kdump_rec_cmp);
		for (i = 0; i < n; i++)
			order[i] = (size_t)tmp[i].size;
		free(tmp);
	}
	k->recs = NULL;
	k->nrecs = 0;
	for (i = 0; i + 1 < nb; i++) {
		uint64_t lo = bounds[i], hi = bounds[i + 1];

		while (next < n && in[order[next]].loff <= lo)
			kdump_heap_push(heap, &nh, order[next++]);
		while (nh > 0 && in[heap[0]].loff + in[heap[0]].size <= lo)
			kdump_heap_pop(heap, &nh);   /* ended: lazily dropped when on top */
		if (nh == 0)
			continue;
		{
			const struct kdump_rec *r = &in[heap[0]];
			uint64_t foff = r->foff + (lo - r->loff);
			struct kdump_rec *last = out ? &k->recs[out - 1] : NULL;

			if (last && last->loff + last->size == lo && last->foff + last->size == foff) {
				last->size += hi - lo;
				continue;
			}
			if ((rc = kdump_rec_push(&k->recs, &out, &cap, lo, hi - lo, foff)) < 0)
				goto out;
			k->nrecs = out;
		}
	}
	k->nrecs = out;
out:
	free(bounds);
	free(heap);
	free(order);
	free(in);
	return rc;
}

static int
kdump_index_flat(struct kdump *k, char *errbuf)
{
	const size_t win = 1u << 20;
	uint8_t *buf = malloc(win);
	uint64_t wbase = 0, wlen = 0, pos = KDUMP_FLAT_HDR_SIZE;
	struct kdump_rec *recs = NULL;
	size_t cap = 0, n = 0;
	int rc = 0, ended = 0;

	if (buf == NULL)
		return MF_ERR_NOMEM;
	while (pos < k->fsize) {
		uint8_t hdr[16];
		uint64_t loff, size;

		if (!(pos >= wbase && pos + 16 <= wbase + wlen)) {
			int64_t got = fio_pread_full(k->fd, buf, win, pos);

			if (got < 0) {
				rc = k->host->error_errno(errbuf, MF_ERR_IO, (int)-got, "cannot read flattened record at offset 0x%" PRIx64,
				         pos);
				goto out;
			}
			wbase = pos;
			wlen = (uint64_t)got;
			if (wlen < 16)
				break;
		}
		memcpy(hdr, buf + (pos - wbase), 16);
		loff = get_be64(hdr);
		size = get_be64(hdr + 8);
		if (loff == UINT64_MAX && size == UINT64_MAX) {
			ended = 1;
			break;
		}
		if (loff >> 62 || size >> 62) {
			rc = k->host->error(errbuf, MF_ERR_FORMAT,
			         "bad flattened record at offset 0x%" PRIx64 ": offset 0x%" PRIx64 " size 0x%" PRIx64,
			         pos, loff, size);
			goto out;
		}
		if (size > k->fsize - pos - 16) {
			k->host->log(0, "flattened kdump truncated: record at offset 0x%" PRIx64
			             " needs 0x%" PRIx64 " bytes, file ends at 0x%" PRIx64, pos, size, k->fsize);
			/* keep the part that is there */
			size = k->fsize - pos - 16;
			if (size)
				rc = kdump_rec_push(&recs, &n, &cap, loff, size, pos + 16);
			ended = 1;
			k->warned_truncated = 1;
			break;
		}
		if (n >= KDUMP_FLAT_MAX_RECS) {
			rc = k->host->error(errbuf, MF_ERR_LIMIT, "flattened kdump has more than %zu records", KDUMP_FLAT_MAX_RECS);
			goto out;
		}
		if (size) {
			rc = kdump_rec_push(&recs, &n, &cap, loff, size, pos + 16);
			if (rc < 0)
				goto out;
		}
		pos += 16 + size;
	}
	if (!ended) {
		k->host->log(0, "flattened kdump has no end record: file truncated at 0x%" PRIx64, k->fsize);
		k->warned_truncated = 1;
	}
	if (rc == 0) {
		rc = kdump_recs_resolve(k, recs, n);
		recs = NULL;
	}
	if (rc == MF_ERR_NOMEM)
		k->host->error(errbuf, rc, "cannot index the flattened records: out of memory");
	k->lsize = k->nrecs ? k->recs[k->nrecs - 1].loff + k->recs[k->nrecs - 1].size : 0;
out:
	free(recs);
	free(buf);
	return rc;
}

/* ---- pages -------------------------------------------------------------------------- */

static int
kdump_desc(struct kdump *k, uint64_t idx, uint8_t out[KDUMP_DESC_SIZE])
{
	if (idx < k->dcache_first || idx >= k->dcache_first + k->dcache_n) {
		uint64_t first = idx - idx % KDUMP_DESC_CACHE;
		uint64_t n = k->ndesc - first < KDUMP_DESC_CACHE ? k->ndesc - first : KDUMP_DESC_CACHE;
		int64_t got = kdump_pread(k, k->dcache, n * KDUMP_DESC_SIZE, k->desc_off + first * KDUMP_DESC_SIZE);

		if (got < 0)
			return MF_ERR_IO;
		k->dcache_first = first;
		k->dcache_n = (uint64_t)got / KDUMP_DESC_SIZE;
		if (idx >= first + k->dcache_n)
			return MF_ERR_UNMAPPED;
	}
	memcpy(out, k->dcache + (idx - k->dcache_first) * KDUMP_DESC_SIZE, KDUMP_DESC_SIZE);
	return 0;
}

static uint32_t
kdump_supported_flags(void)
{
	uint32_t f = KDUMP_F_ZLIB;
#ifdef HAVE_LZO
	f |= KDUMP_F_LZO;
#endif
#ifdef HAVE_SNAPPY
	f |= KDUMP_F_SNAPPY;
#endif
#ifdef HAVE_ZSTD
	f |= KDUMP_F_ZSTD;
#endif
	return f;
}

static const char *
kdump_flag_name(uint32_t flags)
{
	return flags & KDUMP_F_ZLIB ? "zlib" : flags & KDUMP_F_LZO ? "lzo" : flags & KDUMP_F_SNAPPY ? "snappy"
	       : flags & KDUMP_F_ZSTD ? "zstd" : "unknown";
}

static int
kdump_decompress(struct kdump *k, uint32_t flags, const uint8_t *src, uint32_t n, uint8_t *dst)
{
	uint32_t bs = k->block_size;

	if (flags & KDUMP_F_ZLIB) {
		uLongf dl = bs;

		if (uncompress(dst, &dl, src, n) != Z_OK || dl != bs)
			return MF_ERR_CORRUPT;
		return 0;
	}
#ifdef HAVE_LZO
	if (flags & KDUMP_F_LZO) {
		lzo_uint dl = bs;

		if (lzo1x_decompress_safe(src, n, dst, &dl, NULL) != LZO_E_OK || dl != bs)
			return MF_ERR_CORRUPT;
		return 0;
	}
#endif
#ifdef HAVE_SNAPPY
	if (flags & KDUMP_F_SNAPPY) {
		size_t dl = bs;

		if (snappy_uncompressed_length((const char *)src, n, &dl) != SNAPPY_OK || dl != bs)
			return MF_ERR_CORRUPT;
		if (snappy_uncompress((const char *)src, n, (char *)dst, &dl) != SNAPPY_OK || dl != bs)
			return MF_ERR_CORRUPT;
		return 0;
	}
#endif
#ifdef HAVE_ZSTD
	if (flags & KDUMP_F_ZSTD) {
		size_t r = ZSTD_decompress(dst, bs, src, n);

		if (ZSTD_isError(r) || r != bs)
			return MF_ERR_CORRUPT;
		return 0;
	}
#endif
	return MF_ERR_UNSUPPORTED;
}

/* The decompressed block of `pfn` (a cache slot), or a negative MF_ERR_*. */
static int
kdump_page_get(struct kdump *k, uint64_t pfn, const uint8_t **out)
{
	struct kdump_page *slot = &k->pages[pfn % KDUMP_PAGE_CACHE];
	uint8_t d[KDUMP_DESC_SIZE];
	uint64_t idx, off;
	uint32_t size, flags;
	int64_t got;
	int rc;

	if (slot->pfn == pfn) {
		*out = slot->data;
		return 0;
	}
	if (pfn >= k->max_pfn || !bitmap_test(&k->bm, pfn))
		return MF_ERR_UNMAPPED;
	idx = bitmap_rank(&k->bm, pfn);
	if (idx >= k->ndesc)
		return MF_ERR_UNMAPPED;
	rc = kdump_desc(k, idx, d);
	if (rc < 0)
		return rc;
	off = get_le64(d);
	size = get_le32(d + 8);
	flags = get_le32(d + 12);
	if (off == 0 && size == 0)
		return MF_ERR_UNMAPPED;   /* never written (incomplete dump) */
	if (off >> 62 || size == 0 || size > k->cbuf_size)
		return MF_ERR_CORRUPT;
	if (off >= k->lsize || size > k->lsize - off)
		return MF_ERR_UNMAPPED;   /* page data cut off */
	if (flags & ~(KDUMP_F_ZLIB | KDUMP_F_LZO | KDUMP_F_SNAPPY | KDUMP_F_ZSTD))
		return MF_ERR_UNSUPPORTED;
	if (flags && (flags & (flags - 1)))
		return MF_ERR_CORRUPT;    /* more than one compression */
	if (flags && !(flags & kdump_supported_flags())) {
		if (!k->warned_unsupported) {
			k->host->log(0, "kdump page at pfn 0x%" PRIx64 " uses %s compression, which this build lacks",
			             pfn, kdump_flag_name(flags));
			k->warned_unsupported = 1;
		}
		return MF_ERR_UNSUPPORTED;
	}
	if (flags == 0 && size != k->block_size)
		return MF_ERR_CORRUPT;
	if (slot->data == NULL) {
		slot->data = malloc(k->block_size);
		if (slot->data == NULL)
			return MF_ERR_NOMEM;
	}
	slot->pfn = UINT64_MAX;
	if (flags == 0) {
		got = kdump_pread(k, slot->data, size, off);
		if (got < 0)
			return MF_ERR_IO;
		if ((uint64_t)got < size)
			return MF_ERR_UNMAPPED;
	} else {
		got = kdump_pread(k, k->cbuf, size, off);
		if (got < 0)
			return MF_ERR_IO;
		if ((uint64_t)got < size)
			return MF_ERR_UNMAPPED;
		rc = kdump_decompress(k, flags, k->cbuf, size, slot->data);
		if (rc < 0)
			return rc;
	}
	slot->pfn = pfn;
	*out = slot->data;
	return 0;
}

static int
kdump_read(void *handle, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct kdump *k = handle;

	for (size_t i = 0; i < n; i++) {
		uint64_t addr = iov[i].addr, left = iov[i].len;
		uint8_t *buf = iov[i].buf;

		iov[i].err = 0;
		while (left) {
			uint64_t pfn = addr / k->block_size, in = addr % k->block_size;
			uint64_t c = k->block_size - in < left ? k->block_size - in : left;
			const uint8_t *page;
			int rc = kdump_page_get(k, pfn, &page);

			if (rc < 0) {
				iov[i].err = rc;
				break;
			}
			memcpy(buf, page + in, c);
			buf += c;
			addr += c;
			left -= c;
		}
	}
	return 0;
}

static size_t
kdump_ranges(void *handle, const struct mf_range **out)
{
	struct kdump *k = handle;

	*out = k->ranges.ranges;
	return k->ranges.nranges;
}

/* ---- open --------------------------------------------------------------------------- */

static int
kdump_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
	if (len >= 8 && memcmp(head, "KDUMP   ", 8) == 0)
		return 100;
	if (len >= 8 && memcmp(head, "DISKDUMP", 8) == 0)
		return 90;
	if (len >= 32 && memcmp(head, "makedumpfile", 12) == 0 && get_be64(head + 16) == 1) {
		/* the first record usually carries the main header */
		if (len >= KDUMP_FLAT_HDR_SIZE + 24 && memcmp(head + KDUMP_FLAT_HDR_SIZE + 16, "KDUMP   ", 8) == 0)
			return 100;
		return 20;   /* flattened, but maybe an ELF inside: open says so */
	}
	return 0;
}

static void
kdump_close(void *handle)
{
	struct kdump *k = handle;

	if (k == NULL)
		return;
	if (k->fd >= 0)
		close(k->fd);
	free(k->recs);
	bitmap_free(&k->bm);
	rmap_free(&k->ranges);
	free(k->dcache);
	for (int i = 0; i < KDUMP_PAGE_CACHE; i++)
		free(k->pages[i].data);
	free(k->cbuf);
	free(k);
}

/* What VMCOREINFO and the header's machine say: kernel_offset, phys_base, osrelease, arch. */
static void
kdump_hints_vmcoreinfo(struct kdump *k, struct mf_hints *hints, const char *vmci, const char *machine)
{
	uint32_t arch = vmci_arch_for_machine(machine, vmci);

	if (vmci)
		vmci_set_hints(k->host, hints, vmci);
	if (arch != MF_ARCH_UNKNOWN)
		k->host->hint_set_str(hints, "arch", k->host->arch_name(arch));
}

static int
kdump_open(const struct mf_host *host, const struct mf_args *args, int writable,
           struct mf_hints *hints, void **handle, char *errbuf)
{
	const char *path = host->arg(args, "path");
	struct kdump *k;
	uint8_t h[0x1d0], sub[0x68];
	char machine[66], release[66];
	uint32_t sub_hdr_size, bitmap_blocks, nr_cpus, max_mapnr32;
	int32_t version;
	uint64_t max_mapnr, bm_off, bm_half, bm_bits, desc_avail, last_needed = 0;
	char *vmci = NULL;
	int64_t got;
	int rc, old = 0;

	if (writable)
		return host->error(errbuf, MF_ERR_READONLY, "kdump files cannot be opened writable");
	if (path == NULL)
		path = args->def;
	k = calloc(1, sizeof *k);
	if (k == NULL)
		return MF_ERR_NOMEM;
	k->host = host;
	k->fd = -1;
#ifdef HAVE_LZO
	if (lzo_init() != LZO_E_OK) {
		free(k);
		return host->error(errbuf, MF_ERR_GENERIC, "cannot initialise the lzo library");
	}
#endif
	for (int i = 0; i < KDUMP_PAGE_CACHE; i++)
		k->pages[i].pfn = UINT64_MAX;
	rc = fio_open(path, 0, &k->fd, &k->fsize, errbuf);
	if (rc < 0)
		goto fail;
	k->lsize = k->fsize;

	got = fio_pread_full(k->fd, h, 32, 0);
	if (got < 0) {
		rc = host->error_errno(errbuf, MF_ERR_IO, (int)-got, "cannot read %s", path);
		goto fail;
	}
	if (got >= 32 && memcmp(h, "makedumpfile", 12) == 0) {
		if (get_be64(h + 16) != 1 || get_be64(h + 24) != 1) {
			rc = host->error(errbuf, MF_ERR_UNSUPPORTED, "%s: unsupported flattened format type %" PRIu64 " version %" PRIu64,
			         path, get_be64(h + 16), get_be64(h + 24));
			goto fail;
		}
		k->flat = 1;
		rc = kdump_index_flat(k, errbuf);
		if (rc < 0)
			goto fail;
	}
	got = kdump_pread(k, h, sizeof h, 0);
	if (got < 0) {
		rc = host->error_errno(errbuf, MF_ERR_IO, (int)-got, "cannot read %s", path);
		goto fail;
	}
	if (got >= 8 && memcmp(h, "\177ELF", 4) == 0 && k->flat) {
		rc = host->error(errbuf, MF_ERR_UNSUPPORTED, "%s: flattened file holds an ELF core, not a kdump "
		         "(rearrange it with makedumpfile -R)", path);
		goto fail;
	}
	if (got < 8 || (memcmp(h, "KDUMP   ", 8) != 0 && memcmp(h, "DISKDUMP", 8) != 0)) {
		rc = host->error(errbuf, MF_ERR_FORMAT, "%s: not a kdump file (no KDUMP signature)", path);
		goto fail;
	}
	old = memcmp(h, "DISKDUMP", 8) == 0;
	if ((uint64_t)got < sizeof h) {
		rc = host->error(errbuf, MF_ERR_FORMAT, "%s: kdump header cut off at %" PRId64 " bytes", path, got);
		goto fail;
	}
	version = (int32_t)get_le32(h + 0x8);
	memcpy(release, h + 0x0c + 2 * 65, 65);
	release[65] = '\0';
	memcpy(machine, h + 0x0c + 4 * 65, 65);
	machine[65] = '\0';
	k->status = get_le32(h + 0x1a8);
	k->block_size = get_le32(h + 0x1ac);
	sub_hdr_size = get_le32(h + 0x1b0);
	bitmap_blocks = get_le32(h + 0x1b4);
	max_mapnr32 = get_le32(h + 0x1b8);
	nr_cpus = get_le32(h + 0x1cc);
	if (version < 0 || version > 100) {
		rc = host->error(errbuf, MF_ERR_FORMAT, "%s: bad kdump header_version %" PRId32, path, version);
		goto fail;
	}
	if (version > 6)
		host->log(0, "%s: kdump header_version %" PRId32 " is newer than 6: reading it as 6", path, version);
	if (k->block_size < 512 || k->block_size > (1u << 20) || (k->block_size & (k->block_size - 1))) {
		rc = host->error(errbuf, MF_ERR_FORMAT, "%s: bad kdump block_size %" PRIu32, path, k->block_size);
		goto fail;
	}
	if (bitmap_blocks == 0 || bitmap_blocks % 2) {
		rc = host->error(errbuf, MF_ERR_FORMAT, "%s: bad kdump bitmap_blocks %" PRIu32, path, bitmap_blocks);
		goto fail;
	}
	max_mapnr = max_mapnr32;
	memset(sub, 0, sizeof sub);
	if (!old && sub_hdr_size > 0) {
		got = kdump_pread(k, sub, sizeof sub, k->block_size);
		if (got < 0 || (uint64_t)got < sizeof sub) {
			rc = host->error(errbuf, MF_ERR_FORMAT, "%s: kdump sub header at offset 0x%" PRIx32 " cut off", path,
			         k->block_size);
			goto fail;
		}
		if (version >= 6 && get_le64(sub + 0x60) != 0)
			max_mapnr = get_le64(sub + 0x60);
	}
	bm_off = (1 + (uint64_t)sub_hdr_size) * k->block_size;
	bm_half = (uint64_t)bitmap_blocks / 2 * k->block_size;
	if (bm_half > KDUMP_MAX_BITMAP_BYTES) {
		rc = host->error(errbuf, MF_ERR_LIMIT, "%s: kdump bitmap of %" PRIu64 " bytes is larger than the %" PRIu64
		         " supported", path, bm_half, KDUMP_MAX_BITMAP_BYTES);
		goto fail;
	}
	if (bm_off + 2 * bm_half > k->lsize) {
		rc = host->error(errbuf, MF_ERR_FORMAT, "%s: kdump bitmaps (0x%" PRIx64 "-0x%" PRIx64 ") beyond end of file (0x%"
		         PRIx64 ")", path, bm_off, bm_off + 2 * bm_half, k->lsize);
		goto fail;
	}
	bm_bits = bm_half * 8;
	if (max_mapnr == 0 || max_mapnr > bm_bits) {
		rc = host->error(errbuf, MF_ERR_FORMAT, "%s: kdump max_mapnr 0x%" PRIx64 " does not fit the bitmap (0x%" PRIx64
		         " pages)", path, max_mapnr, bm_bits);
		goto fail;
	}
	k->max_pfn = max_mapnr;
	/* the 2nd bitmap, read where the file holds data: its size costs nothing by itself */
	rc = bitmap_load(&k->bm, &(struct bitmap_src){ .ctx = k, .read = kdump_bitmap_read, .next_data = kdump_next_data,
	                                               .off = bm_off + bm_half }, max_mapnr);
	if (rc == MF_ERR_LIMIT)
		host->error(errbuf, rc, "%s: kdump has more than 2^32 dumpable pages", path);
	else if (rc == MF_ERR_IO)
		rc = host->error(errbuf, MF_ERR_FORMAT, "%s: cannot read the kdump bitmap at offset 0x%" PRIx64, path,
		         bm_off + bm_half);
	if (rc < 0)
		goto fail;

	k->desc_off = bm_off + 2 * bm_half;
	desc_avail = k->lsize > k->desc_off ? (k->lsize - k->desc_off) / KDUMP_DESC_SIZE : 0;
	k->ndesc = k->bm.total < desc_avail ? k->bm.total : desc_avail;
	k->dcache = malloc(KDUMP_DESC_CACHE * KDUMP_DESC_SIZE);
	k->cbuf_size = 2 * k->block_size + 4096;
	k->cbuf = malloc(k->cbuf_size);
	if (k->dcache == NULL || k->cbuf == NULL) {
		rc = MF_ERR_NOMEM;
		goto fail;
	}
	if (k->ndesc < k->bm.total) {
		host->log(0, "%s: kdump truncated: %" PRIu64 " of %" PRIu64 " page descriptors present; the rest are holes",
		          path, k->ndesc, k->bm.total);
		k->warned_truncated = 1;
	}
	if (k->status & KDUMP_STATUS_INCOMPLETE) {
		/* descriptors are written in order: find the first never-written (zero) one */
		uint64_t lo = 0, hi = k->ndesc;
		uint8_t d[KDUMP_DESC_SIZE];

		while (lo < hi) {
			uint64_t mid = lo + (hi - lo) / 2;

			rc = kdump_desc(k, mid, d);
			if (rc < 0 && rc != MF_ERR_UNMAPPED)
				goto fail;
			if (rc == 0 && (get_le64(d) != 0 || get_le32(d + 8) != 0))
				lo = mid + 1;
			else
				hi = mid;
		}
		rc = 0;
		host->log(0, "%s: incomplete kdump (status 0x%" PRIx32 "): %" PRIu64 " of %" PRIu64
		          " pages written; the rest are holes", path, k->status, lo, k->bm.total);
		k->ndesc = lo;
	}
	/* a sample of descriptors: truncated page data, compressions this build lacks */
	if (k->ndesc) {
		uint8_t d[KDUMP_DESC_SIZE];
		uint64_t n = k->ndesc < 4096 ? k->ndesc : 4096;
		uint32_t lacking = 0;

		for (uint64_t i = 0; i < n; i++) {
			if (kdump_desc(k, i, d) < 0)
				break;
			lacking |= get_le32(d + 12) & ~kdump_supported_flags();
		}
		if (lacking & (KDUMP_F_LZO | KDUMP_F_SNAPPY | KDUMP_F_ZSTD)) {
			host->log(0, "%s: kdump pages use %s compression, which this build lacks: those pages fail",
			          path, kdump_flag_name(lacking));
			k->warned_unsupported = 1;
		}
		if (!k->warned_truncated && kdump_desc(k, k->ndesc - 1, d) == 0 &&
		    (!add_ok(get_le64(d), get_le32(d + 8), &last_needed) || last_needed > k->lsize)) {
			host->log(0, "%s: kdump truncated: the last page's data (0x%" PRIx32 " bytes at 0x%" PRIx64
			          ") runs past the end of the file (0x%" PRIx64 "); missing pages are holes",
			          path, get_le32(d + 8), get_le64(d), k->lsize);
			k->warned_truncated = 1;
		}
	}
	k->ranges.max = KDUMP_MAX_RUNS;
	rc = bitmap_add_runs(&k->bm, k->max_pfn, k->ndesc, k->block_size, &k->ranges, KDUMP_SEG_PAGES);
	if (rc == MF_ERR_LIMIT)
		host->error(errbuf, rc, "%s: kdump memory map has more than %zu runs", path, KDUMP_MAX_RUNS);
	if (rc == 0)
		rc = rmap_finish(&k->ranges, 0, &(size_t){ 0 });
	if (rc < 0)
		goto fail;

	/* hints */
	host->hint_set_str(hints, "format", k->flat ? "kdump-flattened" : old ? "diskdump" : "kdump");
	host->hint_set_u64(hints, "block_size", k->block_size);
	if (nr_cpus > 0 && nr_cpus < 65536)
		host->hint_set_u64(hints, "cpus", nr_cpus);
	if (!old && version >= 3) {
		uint64_t vo = get_le64(sub + 0x20), vs = get_le64(sub + 0x28);

		if (vs > 0 && vs <= VMCI_MAX_BYTES && vo < k->lsize && vs <= k->lsize - vo) {
			vmci = malloc(vs + 1);
			if (vmci == NULL) {
				rc = MF_ERR_NOMEM;
				goto fail;
			}
			got = kdump_pread(k, vmci, vs, vo);
			if (got < 0 || (uint64_t)got < vs) {
				free(vmci);
				vmci = NULL;
			} else {
				vmci[vs] = '\0';
				host->hint_set_str(hints, "vmcoreinfo", vmci);
			}
		} else if (vs > 0) {
			host->log(0, "%s: kdump VMCOREINFO (offset 0x%" PRIx64 ", size 0x%" PRIx64 ") is out of bounds: ignored",
			          path, vo, vs);
		}
	}
	if (release[0] && !(vmci && vmci_find(vmci, "OSRELEASE", &(size_t){ 0 })))
		host->hint_set_str(hints, "osrelease", release);
	kdump_hints_vmcoreinfo(k, hints, vmci, machine);
	free(vmci);
	*handle = k;
	return 0;
fail:
	kdump_close(k);
	return rc;
}

static const struct mf_connector kdump_connector = {
	MF_CONNECTOR_INIT,
	.name = "kdump",
	.description = "kdump-compressed dumps (makedumpfile, QEMU kdump-*), plain or flattened",
	.help = "  path=FILE   the kdump file (KDUMP, DISKDUMP or makedumpfile-flattened)\n",
	.keys = kdump_keys,
	.flags = MF_CONN_FILE,
	.probe = kdump_probe,
	.open = kdump_open,
	.close = kdump_close,
	.read = kdump_read,
	.ranges = kdump_ranges,
};

MF_REGISTER_CONNECTOR(kdump_connector)
