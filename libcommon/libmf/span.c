/* span.c: reading a span of an address space in large batched pieces, with failed pieces
 * read again page by page, handed to the caller as data and gap pieces in order. */
#include "mf-int.h"

#include <stdlib.h>
#include <string.h>

#define SPAN_PIECE (1u << 20)
#define SPAN_BATCH 16
#define SPAN_BATCH_MAX 1024
#define SPAN_PAGE 4096u
#define SPAN_RETRY_BATCH 256      /* pages per call when a piece is read again */

struct span {
	struct mf_aspace *as;
	mf_span_cb cb;
	void *ctx;
	char *errbuf;
	/* the pending gap, merged while contiguous with the same error */
	bool gap;
	uint64_t gap_addr, gap_len;
	int gap_err;
};

static int
span_flush_gap(struct span *s)
{
	struct mf_span_piece p;

	if (!s->gap)
		return 0;
	s->gap = false;
	p = (struct mf_span_piece){ .addr = s->gap_addr, .len = s->gap_len, .data = NULL, .err = s->gap_err };
	return s->cb(s->ctx, &p);
}

static int
span_data(struct span *s, uint64_t addr, const uint8_t *data, uint64_t len)
{
	struct mf_span_piece p = { .addr = addr, .len = len, .data = data, .err = 0 };
	int r = span_flush_gap(s);

	return r != 0 ? r : s->cb(s->ctx, &p);
}

static int
span_gap(struct span *s, uint64_t addr, uint64_t len, int err)
{
	int r;

	if (s->gap && s->gap_addr + s->gap_len == addr && s->gap_err == err) {
		s->gap_len += len;
		return 0;
	}
	r = span_flush_gap(s);
	s->gap = true;
	s->gap_addr = addr;
	s->gap_len = len;
	s->gap_err = err;
	return r;
}

/* One batch; a whole-call failure becomes "cannot read 0xADDR in SPACE: why". */
static int
span_io(struct span *s, struct mf_iov *iov, size_t n)
{
	char why[MF_ERRBUF_SIZE];
	int r;

	why[0] = '\0';
	if ((r = mf_aspace_read(s->as, iov, n, why)) < 0)
		return mf_error(s->errbuf, r, "cannot read 0x%llx in %s: %s", (unsigned long long)iov[0].addr,
		                mf_aspace_name(s->as), why[0] ? why : mf_strerror(r));
	return 0;
}

/* A piece that failed as a whole: keep what is readable, page by page, in batches. */
static int
span_retry(struct span *s, uint64_t addr, uint8_t *buf, uint64_t len)
{
	struct mf_iov iov[SPAN_RETRY_BATCH];
	uint64_t a = addr, left = len;
	int r;

	while (left > 0) {
		size_t n = 0, i;

		while (left > 0 && n < SPAN_RETRY_BATCH) {
			uint64_t room = SPAN_PAGE - a % SPAN_PAGE, k = left < room ? left : room;

			iov[n++] = (struct mf_iov){ .addr = a, .buf = buf + (a - addr), .len = k };
			a += k;
			left -= k;
		}
		if ((r = span_io(s, iov, n)) < 0)
			return r;
		for (i = 0; i < n; i++) {
			r = iov[i].err == 0 ? span_data(s, iov[i].addr, iov[i].buf, iov[i].len)
			                    : span_gap(s, iov[i].addr, iov[i].len, iov[i].err);
			if (r != 0)
				return r;
		}
	}
	return 0;
}

/* The first mapped stretch of physical memory at or after addr, by the connector's
 * ranges: [*start, *end) (end 0: the top of the space).  false when none follows.  Other
 * spaces, and connectors that list no ranges, are mapped everywhere as far as this knows. */
static bool
span_mapped(struct mf_aspace *as, uint64_t addr, uint64_t *start, uint64_t *end)
{
	const struct mf_range *rg;
	size_t n = 0, lo = 0, hi;

	if (mf_aspace_id(as)->kind == MF_ASPACE_PHYS)
		n = mf_phys_ranges(mfint_aspace_target(as), &rg);
	if (n == 0) {
		*start = addr;
		*end = 0;
		return true;
	}
	for (hi = n; lo < hi;) {   /* the first range ending after addr */
		size_t mid = lo + (hi - lo) / 2;
		uint64_t e = rg[mid].base + rg[mid].size;

		if (e != 0 && e <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == n)
		return false;
	*start = rg[lo].base > addr ? rg[lo].base : addr;
	*end = rg[lo].base + rg[lo].size;
	while (++lo < n && *end != 0 && rg[lo].base == *end)   /* adjacent ranges: one stretch */
		*end = rg[lo].base + rg[lo].size;
	return true;
}

MF_API int
mf_aspace_next_mapped(struct mf_aspace *as, uint64_t addr, uint64_t *next)
{
	uint64_t end;

	return span_mapped(as, addr, next, &end) ? 0 : MF_ERR_NOTFOUND;
}

/* Read [addr, addr+len), mapped as far as anyone knows, in batches; data at
 * buf(addr) = into + (addr - start), or the reused buffer. */
static int
span_chunks(struct span *s, uint64_t addr, uint64_t len, uint8_t *into, uint64_t start, uint8_t *buf,
            struct mf_iov *iov, uint64_t piece, size_t batch)
{
	int r = 0;

	while (len > 0 && r == 0) {
		size_t n = 0, i;
		uint64_t off = 0;

		while (n < batch && len > 0) {
			uint64_t k = len < piece ? len : piece;

			iov[n++] = (struct mf_iov){ .addr = addr, .buf = (into ? into + (addr - start) : buf + off), .len = k };
			addr += k;
			off += k;
			len -= k;
		}
		if ((r = span_io(s, iov, n)) < 0)
			break;
		for (i = 0; i < n && r == 0; i++)
			r = iov[i].err == 0 ? span_data(s, iov[i].addr, iov[i].buf, iov[i].len)
			                    : span_retry(s, iov[i].addr, iov[i].buf, iov[i].len);
	}
	return r;
}

/* into: the caller's buffer of len bytes (the data stays there), or NULL for a buffer of
 * one batch, reused.  Unmapped stretches (the connector's ranges) are gaps without a read,
 * so the time taken follows what is mapped, not what was asked. */
static int
span_read(struct mf_aspace *as, uint64_t addr, uint64_t len, uint8_t *into, uint64_t piece, size_t batch,
          mf_span_cb cb, void *ctx, char *errbuf)
{
	struct span s = { .as = as, .cb = cb, .ctx = ctx, .errbuf = errbuf };
	struct mf_iov *iov;
	uint64_t bufsize;
	uint8_t *buf = into;
	uint64_t start = addr;
	int r = 0;

	if (len == 0)
		return 0;
	if (addr + (len - 1) < addr)
		return mf_error(errbuf, MF_ERR_RANGE, "0x%llx+0x%llx runs beyond the end of the address space",
		                (unsigned long long)addr, (unsigned long long)len);
	if (piece == 0)
		piece = SPAN_PIECE;
	if (batch == 0)
		batch = SPAN_BATCH;
	if (batch > SPAN_BATCH_MAX)
		batch = SPAN_BATCH_MAX;
	if (piece > (64u << 20))
		piece = 64u << 20;
	bufsize = piece * batch;
	if (len < bufsize)
		bufsize = len;
	iov = calloc(batch, sizeof *iov);
	if (into == NULL)
		buf = malloc((size_t)bufsize);
	if (iov == NULL || buf == NULL) {
		free(iov);
		if (into == NULL)
			free(buf);
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	while (len > 0 && r == 0) {
		uint64_t ms, me, k;

		if (!span_mapped(as, addr, &ms, &me) || ms - addr >= len) {
			r = span_gap(&s, addr, len, MF_ERR_UNMAPPED);
			break;
		}
		if (ms > addr) {
			if ((r = span_gap(&s, addr, ms - addr, MF_ERR_UNMAPPED)) != 0)
				break;
			len -= ms - addr;
			addr = ms;
		}
		k = me == 0 || me - addr > len ? len : me - addr;
		r = span_chunks(&s, addr, k, into, start, buf, iov, piece, batch);
		addr += k;
		len -= k;
	}
	if (r == 0)
		r = span_flush_gap(&s);
	free(iov);
	if (into == NULL)
		free(buf);
	return r;
}

MF_API int
mf_aspace_read_span(struct mf_aspace *as, uint64_t addr, uint64_t len, uint64_t piece, size_t batch,
                    mf_span_cb cb, void *ctx, char *errbuf)
{
	return span_read(as, addr, len, NULL, piece, batch, cb, ctx, errbuf);
}

MF_API int
mf_aspace_read_span_into(struct mf_aspace *as, uint64_t addr, uint64_t len, uint8_t *buf, uint64_t piece,
                         size_t batch, mf_span_cb cb, void *ctx, char *errbuf)
{
	return span_read(as, addr, len, buf, piece, batch, cb, ctx, errbuf);
}

/* The offset of the first terminator in buf[0, got), or got rounded down to the unit. */
static size_t
span_str_end(const uint8_t *buf, size_t got, bool wide, bool *term)
{
	size_t len, unit = wide ? 2 : 1;

	*term = false;
	for (len = 0; len + unit <= got; len += unit) {
		if (buf[len] == 0 && (!wide || buf[len + 1] == 0)) {
			*term = true;
			break;
		}
	}
	return len;
}

MF_API int
mf_aspace_read_str(struct mf_aspace *as, uint64_t addr, uint64_t max, bool wide, struct mf_str_read *s,
                   char *errbuf)
{
	struct span sp = { .as = as, .errbuf = errbuf };
	struct mf_iov iov[64];
	uint64_t a = addr, left = max;
	int r;

	memset(s, 0, sizeof *s);
	if (max > SIZE_MAX - 2 || (s->buf = malloc((size_t)max + 2)) == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	while (left > 0 && !s->term && s->err == 0) {
		size_t n = 0, i;

		while (left > 0 && n < mf_countof(iov)) {
			uint64_t room = SPAN_PAGE - a % SPAN_PAGE, k = left < room ? left : room;

			iov[n++] = (struct mf_iov){ .addr = a, .buf = s->buf + (a - addr), .len = k };
			a += k;
			left -= k;
		}
		if ((r = span_io(&sp, iov, n)) < 0) {
			free(s->buf);
			s->buf = NULL;
			return r;
		}
		for (i = 0; i < n; i++) {
			if (iov[i].err != 0) {
				s->err = iov[i].err;
				break;
			}
			s->got += (size_t)iov[i].len;
		}
		s->len = span_str_end(s->buf, s->got, wide, &s->term);
	}
	return 0;
}
