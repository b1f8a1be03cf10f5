/* typed.c: typed values (little-endian integers and IEEE floats) and the comparisons
 * mf-scan searches them with; integer equality goes through the byte-pattern search. */
#include "config.h"
#include "scan/match.h"

#include <endian.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const scan_type_names[] = {
	[SCAN_T_NONE] = "", [SCAN_T_U8] = "u8", [SCAN_T_U16] = "u16", [SCAN_T_U32] = "u32",
	[SCAN_T_U64] = "u64", [SCAN_T_I8] = "i8", [SCAN_T_I16] = "i16", [SCAN_T_I32] = "i32",
	[SCAN_T_I64] = "i64", [SCAN_T_F32] = "f32", [SCAN_T_F64] = "f64",
};

const char *const scan_cmp_names[] = { "eq", "gt", "lt", "between" };

unsigned
scan_type_size(enum scan_type t)
{
	switch (t) {
	case SCAN_T_U8: case SCAN_T_I8: return 1;
	case SCAN_T_U16: case SCAN_T_I16: return 2;
	case SCAN_T_U32: case SCAN_T_I32: case SCAN_T_F32: return 4;
	case SCAN_T_U64: case SCAN_T_I64: case SCAN_T_F64: return 8;
	default: return 0;
	}
}

bool
scan_type_signed(enum scan_type t)
{
	return t == SCAN_T_I8 || t == SCAN_T_I16 || t == SCAN_T_I32 || t == SCAN_T_I64;
}

bool
scan_type_float(enum scan_type t)
{
	return t == SCAN_T_F32 || t == SCAN_T_F64;
}

enum scan_type
scan_type_parse(const char *s)
{
	size_t i;

	for (i = 1; i < sizeof scan_type_names / sizeof *scan_type_names; i++)
		if (strcmp(s, scan_type_names[i]) == 0)
			return (enum scan_type)i;
	return SCAN_T_NONE;
}

union scan_num
scan_decode(enum scan_type t, const uint8_t *p)
{
	union scan_num v = { .u = 0 };
	uint8_t b8;
	uint16_t b16;
	uint32_t b32;
	uint64_t b64;
	float f;

	switch (t) {
	case SCAN_T_U8: memcpy(&b8, p, 1); v.u = b8; break;
	case SCAN_T_I8: memcpy(&b8, p, 1); v.i = (int8_t)b8; break;
	case SCAN_T_U16: memcpy(&b16, p, 2); v.u = le16toh(b16); break;
	case SCAN_T_I16: memcpy(&b16, p, 2); v.i = (int16_t)le16toh(b16); break;
	case SCAN_T_U32: memcpy(&b32, p, 4); v.u = le32toh(b32); break;
	case SCAN_T_I32: memcpy(&b32, p, 4); v.i = (int32_t)le32toh(b32); break;
	case SCAN_T_U64: memcpy(&b64, p, 8); v.u = le64toh(b64); break;
	case SCAN_T_I64: memcpy(&b64, p, 8); v.i = (int64_t)le64toh(b64); break;
	case SCAN_T_F32: memcpy(&b32, p, 4); b32 = le32toh(b32); memcpy(&f, &b32, 4); v.f = f; break;
	case SCAN_T_F64: memcpy(&b64, p, 8); b64 = le64toh(b64); memcpy(&v.f, &b64, 8); break;
	default: break;
	}
	return v;
}

int
scan_num_parse(enum scan_type t, const char *s, union scan_num *out, char *err, size_t errsize)
{
	unsigned sz = scan_type_size(t);
	char *end;

	if (*s == '\0')
		goto bad;
	if (scan_type_float(t)) {
		double d = strtod(s, &end);

		if (end == s || *end != '\0')
			goto bad;
		out->f = t == SCAN_T_F32 ? (double)(float)d : d;
		return 0;
	}
	if (scan_type_signed(t)) {
		long long v;

		if (s[0] == '-' && s[1] == '0' && (s[2] == 'x' || s[2] == 'X')) {
			unsigned long long m = strtoull(s + 1, &end, 16);

			if (end == s + 1 || *end != '\0' || m > (1ull << 63))
				goto bad;
			v = (long long)(0 - m);
		} else {
			v = strtoll(s, &end, 0);
			if (end == s || *end != '\0')
				goto bad;
		}
		if (sz < 8) {
			long long lim = 1ll << (8 * sz - 1);

			if (v < -lim || v >= lim)
				goto range;
		}
		out->i = v;
		return 0;
	}
	{
		unsigned long long v;

		if (s[0] == '-')
			goto range;
		v = strtoull(s, &end, 0);
		if (end == s || *end != '\0')
			goto bad;
		if (sz < 8 && v >> (8 * sz) != 0)
			goto range;
		out->u = v;
		return 0;
	}
bad:
	snprintf(err, errsize, "invalid %s value '%s'", scan_type_names[t], s);
	return -1;
range:
	snprintf(err, errsize, "value '%s' out of range for %s", s, scan_type_names[t]);
	return -1;
}

int
scan_num_cmp(enum scan_type t, union scan_num x, union scan_num y)
{
	if (scan_type_float(t)) {
		if (isnan(x.f) || isnan(y.f))
			return 2;
		return x.f < y.f ? -1 : x.f > y.f;
	}
	if (scan_type_signed(t))
		return x.i < y.i ? -1 : x.i > y.i;
	return x.u < y.u ? -1 : x.u > y.u;
}

bool
scan_typed_match(const struct scan_typed *ty, union scan_num v)
{
	int c = scan_num_cmp(ty->type, v, ty->a);

	switch (ty->cmp) {
	case SCAN_EQ: return c == 0;
	case SCAN_GT: return c == 1;
	case SCAN_LT: return c == -1;
	case SCAN_BETWEEN: return (c == 0 || c == 1) && scan_num_cmp(ty->type, v, ty->b) <= 0;
	}
	return false;
}

int
scan_typed_prepare(struct scan_typed *ty)
{
	uint8_t b[8];
	unsigned i;

	ty->use_pat = false;
	if (ty->cmp != SCAN_EQ || scan_type_float(ty->type))
		return 0;
	for (i = 0; i < ty->size && i < sizeof b; i++)
		b[i] = (uint8_t)(ty->a.u >> (8 * i));
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
		if (scan_typed_match(ty, scan_decode(ty->type, buf + pos)) && (r = cb(ctx, pos)) != 0)
			return r;
	return 0;
}

void
scan_num_text(enum scan_type t, union scan_num v, char *buf, size_t size)
{
	if (t == SCAN_T_F32)
		snprintf(buf, size, "%.9g", v.f);
	else if (t == SCAN_T_F64)
		snprintf(buf, size, "%.17g", v.f);
	else if (scan_type_signed(t))
		snprintf(buf, size, "%lld", (long long)v.i);
	else
		snprintf(buf, size, "%llu", (unsigned long long)v.u);
}
