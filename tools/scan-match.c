/* scan-match.c: pattern and typed-value matching for mf-scan.
 *
 * A pattern is searched by its rarest fixed byte (the anchor): memchr finds candidates at
 * memory speed, then the whole pattern is compared.  Zero-heavy memory costs nothing
 * unless the anchor itself is zero, which happens only for an all-zero pattern (glibc
 * memmem, by contrast, degrades badly on needles full of zeros). */
#include "config.h"
#include "scan.h"

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

/* How common a byte is in memory (lower = rarer): zeros, then 0xff, small numbers, text. */
static int
scan_byte_rank(uint8_t b)
{
	if (b == 0x00)
		return 100;
	if (b == 0xff)
		return 60;
	if (b < 0x10)
		return 40;
	if (b == ' ' || b == 'e' || b == 't' || b == 'a' || b == 'o' || b == 'i' || b == 'n' || b == 's')
		return 30;
	if ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == 0x80 || b == 0x48 || b == 0x8b)
		return 20;
	if (b >= 0x20 && b < 0x7f)
		return 15;
	return 10;
}

static int
scan_pat_alloc(struct scan_pat *p, const char *text, size_t len)
{
	memset(p, 0, sizeof *p);
	p->text = strdup(text);
	p->want = calloc(len ? len : 1, 1);
	p->mask = calloc(len ? len : 1, 1);
	p->len = len;
	if (p->text == NULL || p->want == NULL || p->mask == NULL) {
		scan_pat_free(p);
		return -1;
	}
	return 0;
}

/* Choose the anchor; -1 if every byte is a wildcard. */
static int
scan_pat_finish(struct scan_pat *p)
{
	size_t i;
	int best = -1, rank = 1000;
	unsigned b;

	p->plain = true;
	for (i = 0; i < p->len; i++) {
		int r;

		if (p->mask[i] != 0xff)
			p->plain = false;
		if (p->mask[i] == 0)
			continue;
		r = scan_byte_rank(p->want[i]) + (p->mask[i] == 0xff ? 0 : 5);
		if (r < rank) {
			rank = r;
			best = (int)i;
		}
	}
	if (best < 0)
		return -1;
	p->anchor = (size_t)best;
	p->anchor_exact = p->mask[best] == 0xff;
	for (b = 0; b < 256; b++)
		p->accept[b] = (uint8_t)(((uint8_t)b & p->mask[best]) == p->want[best]);
	return 0;
}

static int
scan_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
scan_pat_hex(struct scan_pat *p, const char *text, char *err, size_t errsize)
{
	const char *s = text;
	size_t n = 0;

	if (scan_pat_alloc(p, text, strlen(text) / 2 + 1) < 0) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	while (*s) {
		int hi, lo;

		if (*s == ' ' || *s == '\t' || *s == ':' || *s == ',') {
			s++;
			continue;
		}
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && n == 0 && s == text) {
			s += 2;
			continue;
		}
		if (n >= SCAN_PAT_MAX) {
			snprintf(err, errsize, "invalid hex pattern '%s': longer than %d bytes", text, SCAN_PAT_MAX);
			goto fail;
		}
		if (s[0] == '?') {
			p->want[n] = 0;
			p->mask[n++] = 0;
			s += s[1] == '?' ? 2 : 1;
			continue;
		}
		hi = scan_hexval((unsigned char)s[0]);
		lo = hi < 0 ? -1 : scan_hexval((unsigned char)s[1]);
		if (hi < 0 || lo < 0) {
			snprintf(err, errsize, "invalid hex pattern '%s' at '%.8s' (expected bytes like \"48 8b ?? ?? 05\")",
			         text, s);
			goto fail;
		}
		p->want[n] = (uint8_t)(hi << 4 | lo);
		p->mask[n++] = 0xff;
		s += 2;
	}
	p->len = n;
	if (n == 0) {
		snprintf(err, errsize, "invalid hex pattern '%s': no bytes", text);
		goto fail;
	}
	if (scan_pat_finish(p) < 0) {
		snprintf(err, errsize, "invalid hex pattern '%s': only wildcards", text);
		goto fail;
	}
	return 0;
fail:
	scan_pat_free(p);
	return -1;
}

static void
scan_set(struct scan_pat *p, size_t *n, uint8_t b, bool icase)
{
	bool letter = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');

	p->want[*n] = icase && letter ? (uint8_t)(b & 0xdf) : b;
	p->mask[*n] = icase && letter ? 0xdf : 0xff;
	(*n)++;
}

int
scan_pat_str(struct scan_pat *p, const char *text, bool utf16, bool icase, char *err, size_t errsize)
{
	size_t len = strlen(text), n = 0, i;

	if (len == 0) {
		snprintf(err, errsize, "empty string pattern");
		return -1;
	}
	if (len > SCAN_PAT_MAX / (utf16 ? 4 : 1)) {
		snprintf(err, errsize, "string pattern longer than %d bytes", SCAN_PAT_MAX / (utf16 ? 4 : 1));
		return -1;
	}
	if (scan_pat_alloc(p, text, utf16 ? len * 4 : len) < 0) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	if (!utf16) {
		for (i = 0; i < len; i++)
			scan_set(p, &n, (uint8_t)text[i], icase);
	} else {
		p->encoding = "utf-16le";
		for (i = 0; i < len;) {
			const uint8_t *u = (const uint8_t *)text + i;
			uint32_t c;
			size_t k;

			if (u[0] < 0x80) {
				c = u[0]; k = 1;
			} else if ((u[0] & 0xe0) == 0xc0 && i + 1 < len && (u[1] & 0xc0) == 0x80) {
				c = (u[0] & 0x1fu) << 6 | (u[1] & 0x3fu); k = 2;
			} else if ((u[0] & 0xf0) == 0xe0 && i + 2 < len && (u[1] & 0xc0) == 0x80 && (u[2] & 0xc0) == 0x80) {
				c = (u[0] & 0x0fu) << 12 | (u[1] & 0x3fu) << 6 | (u[2] & 0x3fu); k = 3;
			} else if ((u[0] & 0xf8) == 0xf0 && i + 3 < len && (u[1] & 0xc0) == 0x80 && (u[2] & 0xc0) == 0x80 &&
			           (u[3] & 0xc0) == 0x80) {
				c = (u[0] & 0x07u) << 18 | (u[1] & 0x3fu) << 12 | (u[2] & 0x3fu) << 6 | (u[3] & 0x3fu); k = 4;
			} else {
				snprintf(err, errsize, "invalid UTF-8 in string pattern '%s'", text);
				scan_pat_free(p);
				return -1;
			}
			if (c >= 0x10000) {
				uint32_t hi = 0xd800 + ((c - 0x10000) >> 10), lo = 0xdc00 + ((c - 0x10000) & 0x3ff);

				scan_set(p, &n, (uint8_t)hi, false);
				scan_set(p, &n, (uint8_t)(hi >> 8), false);
				scan_set(p, &n, (uint8_t)lo, false);
				scan_set(p, &n, (uint8_t)(lo >> 8), false);
			} else {
				scan_set(p, &n, (uint8_t)c, icase && c < 0x80);
				scan_set(p, &n, (uint8_t)(c >> 8), false);
			}
			i += k;
		}
	}
	p->len = n;
	if (scan_pat_finish(p) < 0) {
		snprintf(err, errsize, "string pattern '%s' has no fixed byte", text);
		scan_pat_free(p);
		return -1;
	}
	return 0;
}

void
scan_pat_free(struct scan_pat *p)
{
	free(p->text);
	free(p->want);
	free(p->mask);
	memset(p, 0, sizeof *p);
}

static bool
scan_pat_at(const struct scan_pat *p, const uint8_t *q)
{
	size_t i;

	if (p->plain)
		return memcmp(q, p->want, p->len) == 0;
	for (i = 0; i < p->len; i++)
		if ((q[i] & p->mask[i]) != p->want[i])
			return false;
	return true;
}

int
scan_pat_run(const struct scan_pat *p, const uint8_t *buf, size_t seg_start, size_t seg_end, size_t own_end,
             scan_hit_fn cb, void *ctx)
{
	size_t a = p->anchor, pos, last, limit;
	int r;

	if (seg_end < seg_start || seg_end - seg_start < p->len)
		return 0;
	last = seg_end - p->len;          /* the last start that fits */
	if (own_end <= seg_start)
		return 0;
	if (last > own_end - 1)
		last = own_end - 1;
	/* anchor positions run over [seg_start + a, last + a] */
	pos = seg_start + a;
	limit = last + a + 1;
	while (pos < limit) {
		const uint8_t *q;

		if (p->anchor_exact) {
			q = memchr(buf + pos, p->want[a], limit - pos);
			if (q == NULL)
				break;
		} else {
			const uint8_t *e = buf + limit;

			for (q = buf + pos; q < e && !p->accept[*q]; q++)
				;
			if (q == e)
				break;
		}
		pos = (size_t)(q - buf);
		if (scan_pat_at(p, q - a) && (r = cb(ctx, pos - a)) != 0)
			return r;
		pos++;
	}
	return 0;
}

/* ---- typed values ---- */

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
	unsigned i;

	ty->use_pat = false;
	if (ty->cmp != SCAN_EQ || scan_type_float(ty->type))
		return 0;
	if (scan_pat_alloc(&ty->pat, "", ty->size) < 0)
		return -1;
	for (i = 0; i < ty->size; i++) {
		ty->pat.want[i] = (uint8_t)(ty->a.u >> (8 * i));
		ty->pat.mask[i] = 0xff;
	}
	scan_pat_finish(&ty->pat);
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
