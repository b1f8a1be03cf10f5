/* typed.c: searching for typed values (libmf's number types) with a comparison; integer
 * equality goes through the byte-pattern search (memchr on the rarest byte). */
#include "config.h"
#include "scan/match.h"

#include <stdlib.h>
#include <string.h>

const char *const scan_cmp_names[] = { "eq", "gt", "lt", "between" };

bool
scan_typed_match(const struct scan_typed *ty, union mf_num v)
{
	int c = mf_num_cmp(ty->type, v, ty->a);

	switch (ty->cmp) {
	case SCAN_EQ: return c == 0;
	case SCAN_GT: return c == 1;
	case SCAN_LT: return c == -1;
	case SCAN_BETWEEN: return (c == 0 || c == 1) && mf_num_cmp(ty->type, v, ty->b) <= 0;
	}
	return false;
}

int
scan_between_parse(enum mf_type t, const char *low, const char *high, union mf_num *a, union mf_num *b, char *errbuf)
{
	if (mf_num_parse(t, 8, low, a, errbuf) < 0 || mf_num_parse(t, 8, high, b, errbuf) < 0)
		return MF_ERR_ARG;
	if (mf_num_cmp(t, *a, *b) > 0)
		return mf_error(errbuf, MF_ERR_ARG, "between %s %s: LOW is greater than HIGH", low, high);
	return 0;
}

int
scan_typed_prepare(struct scan_typed *ty)
{
	uint8_t b[8];

	ty->use_pat = false;
	if (ty->cmp != SCAN_EQ || mf_type_float(ty->type) || ty->size == 0 || ty->size > sizeof b)
		return 0;
	mf_num_encode(ty->type, ty->size, ty->a, b);
	if (scan_pat_bytes(&ty->pat, "", b, ty->size) < 0)
		return -1;
	ty->use_pat = true;
	return 0;
}

void
scan_typed_free(struct scan_typed *ty)
{
	if (ty->use_pat)
		scan_pat_free(&ty->pat);
	ty->use_pat = false;
}

struct scan_align_ctx {
	const struct scan_typed *ty;
	uint64_t base;
	scan_hit_fn cb;
	void *ctx;
};

static int
scan_align_cb(void *ctx, size_t off)
{
	struct scan_align_ctx *a = ctx;

	if ((a->base + off) % a->ty->align != 0)
		return 0;
	return a->cb(a->ctx, off);
}

int
scan_typed_run(const struct scan_typed *ty, uint64_t base, const uint8_t *buf, size_t seg_start, size_t seg_end,
               size_t own_end, scan_hit_fn cb, void *ctx)
{
	size_t pos, sz = ty->size;
	uint64_t mis;
	int r;

	if (ty->use_pat) {
		struct scan_align_ctx a = { .ty = ty, .base = base, .cb = cb, .ctx = ctx };

		return scan_pat_run(&ty->pat, buf, seg_start, seg_end, own_end, scan_align_cb, &a);
	}
	mis = (base + seg_start) % ty->align;
	pos = seg_start + (mis ? ty->align - (size_t)mis : 0);
	for (; pos < own_end && pos <= seg_end && seg_end - pos >= sz; pos += ty->align)
		if (scan_typed_match(ty, mf_num_decode(ty->type, ty->size, buf + pos)) && (r = cb(ctx, pos)) != 0)
			return r;
	return 0;
}
