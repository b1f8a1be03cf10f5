/* fuzz-pattern.c: libFuzzer target for mf-scan's matchers.  Input: a mode byte (hex with
 * wildcards, string, case-folded, UTF-16, both, or a typed value "TYPE CMP A [B]"), an
 * alignment/base byte, two bytes that place the segment and its owned part, the pattern
 * text up to a NUL, then the buffer.  Every hit the matcher reports, and only those, must
 * be what a byte-by-byte comparison finds (the scan engine relies on it at every chunk
 * edge). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scan/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz_hits {
	size_t n, cap;
	size_t *off;
};

static int
fz_hit(void *ctx, size_t off)
{
	struct fz_hits *h = ctx;

	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		if ((h->off = realloc(h->off, h->cap * sizeof *h->off)) == NULL)
			abort();
	}
	if (h->n > 0 && off <= h->off[h->n - 1])
		abort();   /* increasing order */
	h->off[h->n++] = off;
	return 0;
}

static bool
fz_pat_at(const struct scan_pat *p, const uint8_t *q)
{
	for (size_t i = 0; i < p->len; i++)
		if ((q[i] & p->mask[i]) != p->want[i])
			return false;
	return true;
}

/* The matcher's hits against the brute-force ones: same offsets, same order. */
static void
fz_check(const struct fz_hits *h, const char *what, bool (*match)(const void *, const uint8_t *, size_t),
         const void *m, size_t len, size_t align, uint64_t base, const uint8_t *buf, size_t s, size_t e, size_t own)
{
	size_t k = 0;

	for (size_t i = s; i < own && i + len <= e && len > 0; i++) {
		if ((base + i) % align != 0 || !match(m, buf, i))
			continue;
		if (k >= h->n || h->off[k] != i) {
			fprintf(stderr, "%s: a match at %zu not reported (segment %zu-%zu, own %zu)\n", what, i, s, e, own);
			abort();
		}
		k++;
	}
	if (k != h->n) {
		fprintf(stderr, "%s: %zu hits reported, %zu real (first wrong at %zu)\n", what, h->n, k, h->off[k]);
		abort();
	}
}

static bool
fz_pat_match(const void *m, const uint8_t *buf, size_t i)
{
	return fz_pat_at(m, buf + i);
}

static bool
fz_typed_match(const void *m, const uint8_t *buf, size_t i)
{
	const struct scan_typed *ty = m;

	return scan_typed_match(ty, mf_num_decode(ty->type, ty->size, buf + i));
}

/* "TYPE CMP A [B]" */
static int
fz_typed_parse(struct scan_typed *ty, char *text, unsigned align)
{
	char err[MF_ERRBUF_SIZE], *save = NULL, *t = strtok_r(text, " ", &save), *c = strtok_r(NULL, " ", &save);
	char *a = strtok_r(NULL, " ", &save), *b = strtok_r(NULL, " ", &save);
	size_t i;

	memset(ty, 0, sizeof *ty);
	if (t == NULL || c == NULL || a == NULL || mf_type_parse(t, &ty->type) < 0)
		return -1;
	ty->size = mf_type_size(ty->type, 8);
	if (ty->size == 0)
		return -1;
	for (i = 0; i < 4 && strcmp(scan_cmp_names[i], c) != 0; i++)
		;
	if (i == 4 || ((ty->cmp = (enum scan_cmp)i) == SCAN_BETWEEN) != (b != NULL))
		return -1;
	if (mf_num_parse(ty->type, 8, a, &ty->a, err) < 0 || (b != NULL && mf_num_parse(ty->type, 8, b, &ty->b, err) < 0))
		return -1;
	ty->align = align;
	return scan_typed_prepare(ty);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], *text;
	const uint8_t *nul, *buf;
	size_t n, s, e, own;
	unsigned mode, align;
	uint64_t base;
	struct fz_hits hits = { 0 };

	if (size < 4 || (nul = memchr(data + 4, '\0', size - 4)) == NULL)
		return 0;
	mode = data[0] % 6;
	align = 1u << (data[1] & 3);
	base = data[1] >> 2;
	if ((text = strndup((const char *)data + 4, (size_t)(nul - data) - 4)) == NULL)
		abort();
	buf = nul + 1;
	n = size - (size_t)(buf - data);
	/* the segment [s, e) of the buffer, owning the starts below own */
	s = n ? data[2] % (n + 1) : 0;
	e = n - (n ? data[3] % (n - s + 1) : 0);
	own = s + (e - s) * ((data[2] >> 4) + 1) / 16;
	if (e < s)
		e = s;
	if (mode < 5) {
		struct scan_pat p;
		int r = mode == 0 ? scan_pat_hex(&p, text, err, sizeof err)
		                  : scan_pat_str(&p, text, mode >= 3, mode == 2 || mode == 4, err, sizeof err);

		if (r == 0) {
			if (p.len == 0 || p.len > SCAN_PAT_MAX)
				abort();
			scan_pat_run(&p, buf, s, e, own, fz_hit, &hits);
			fz_check(&hits, text, fz_pat_match, &p, p.len, 1, 0, buf, s, e, own);
			scan_pat_free(&p);
		}
	} else {
		struct scan_typed ty;

		if (fz_typed_parse(&ty, text, align) == 0) {
			scan_typed_run(&ty, base, buf, s, e, own, fz_hit, &hits);
			fz_check(&hits, "typed", fz_typed_match, &ty, ty.size, align, base, buf, s, e, own);
		}
		scan_typed_free(&ty);
	}
	free(hits.off);
	free(text);
	return 0;
}
