/* value.c: typed values (u8 ... f64, ptr, str, wstr): names, parsing, little-endian
 * decoding and encoding, comparison, text, and the bytes a value string stands for. */
#include "mf-int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const value_names[] = {
	[MF_T_NONE] = "", [MF_T_U8] = "u8", [MF_T_U16] = "u16", [MF_T_U32] = "u32", [MF_T_U64] = "u64",
	[MF_T_I8] = "i8", [MF_T_I16] = "i16", [MF_T_I32] = "i32", [MF_T_I64] = "i64", [MF_T_F32] = "f32",
	[MF_T_F64] = "f64", [MF_T_PTR] = "ptr", [MF_T_STR] = "str", [MF_T_WSTR] = "wstr",
};

MF_API int
mf_type_parse(const char *s, enum mf_type *t)
{
	size_t i;

	for (i = 1; s != NULL && i < mf_countof(value_names); i++) {
		if (strcmp(s, value_names[i]) == 0) {
			*t = (enum mf_type)i;
			return 0;
		}
	}
	return MF_ERR_ARG;
}

MF_API const char *
mf_type_name(enum mf_type t)
{
	return (size_t)t < mf_countof(value_names) ? value_names[t] : "";
}

MF_API unsigned
mf_type_size(enum mf_type t, unsigned ptr_size)
{
	switch (t) {
	case MF_T_U8: case MF_T_I8: return 1;
	case MF_T_U16: case MF_T_I16: return 2;
	case MF_T_U32: case MF_T_I32: case MF_T_F32: return 4;
	case MF_T_U64: case MF_T_I64: case MF_T_F64: return 8;
	case MF_T_PTR: return ptr_size == 4 ? 4 : 8;
	default: return 0;
	}
}

MF_API bool
mf_type_signed(enum mf_type t)
{
	return t == MF_T_I8 || t == MF_T_I16 || t == MF_T_I32 || t == MF_T_I64;
}

MF_API bool
mf_type_float(enum mf_type t)
{
	return t == MF_T_F32 || t == MF_T_F64;
}

MF_API bool
mf_type_string(enum mf_type t)
{
	return t == MF_T_STR || t == MF_T_WSTR;
}

static int
value_bad(char *errbuf, enum mf_type t, const char *s)
{
	return mf_error(errbuf, MF_ERR_ARG, "invalid %s value '%s'", mf_type_name(t), s);
}

static int
value_range(char *errbuf, enum mf_type t, const char *s)
{
	return mf_error(errbuf, MF_ERR_RANGE, "value '%s' out of range for %s", s, mf_type_name(t));
}

MF_API int
mf_num_parse(enum mf_type t, unsigned ptr_size, const char *s, union mf_num *v, char *errbuf)
{
	unsigned sz = mf_type_size(t, ptr_size);
	int r;

	if (sz == 0)
		return mf_error(errbuf, MF_ERR_ARG, "%s is not a number type", t == MF_T_NONE ? "no type" : mf_type_name(t));
	if (s == NULL || *s == '\0')
		return value_bad(errbuf, t, s ? s : "");
	if (mf_type_float(t)) {
		char *end;
		double d;

		errno = 0;
		d = strtod(s, &end);
		if (end == s || *end != '\0')
			return value_bad(errbuf, t, s);
		v->f = t == MF_T_F32 ? (double)(float)d : d;
		return 0;
	}
	if (mf_type_signed(t)) {
		int64_t x;

		if ((r = mf_parse_i64(s, &x)) < 0)
			return r == MF_ERR_RANGE ? value_range(errbuf, t, s) : value_bad(errbuf, t, s);
		if (sz < 8) {
			int64_t lim = (int64_t)1 << (8 * sz - 1);

			if (x < -lim || x >= lim)
				return value_range(errbuf, t, s);
		}
		v->i = x;
		return 0;
	}
	{
		uint64_t x;

		if (s[0] == '-' && mf_parse_i64(s, &(int64_t){ 0 }) == 0)
			return value_range(errbuf, t, s);
		if ((r = mf_parse_u64(s, &x)) < 0)
			return r == MF_ERR_RANGE ? value_range(errbuf, t, s) : value_bad(errbuf, t, s);
		if (sz < 8 && x >> (8 * sz) != 0)
			return value_range(errbuf, t, s);
		v->u = x;
		return 0;
	}
}

static uint64_t
value_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = (v << 8) | p[n];
	return v;
}

static void
value_put_le(uint8_t *p, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

MF_API union mf_num
mf_num_decode(enum mf_type t, unsigned ptr_size, const uint8_t *p)
{
	unsigned sz = mf_type_size(t, ptr_size);
	uint64_t u = value_le(p, sz);
	union mf_num v = { .u = u };

	if (mf_type_signed(t) && sz < 8)
		v.i = (int64_t)(u << (64 - 8 * sz)) >> (64 - 8 * sz);
	else if (t == MF_T_F32) {
		uint32_t w = (uint32_t)u;
		float f;

		memcpy(&f, &w, 4);
		v.f = f;
	} else if (t == MF_T_F64) {
		memcpy(&v.f, &u, 8);
	}
	return v;
}

MF_API void
mf_num_encode(enum mf_type t, unsigned ptr_size, union mf_num v, uint8_t *p)
{
	unsigned sz = mf_type_size(t, ptr_size);
	uint64_t u = v.u;

	if (t == MF_T_F32) {
		float f = (float)v.f;
		uint32_t w;

		memcpy(&w, &f, 4);
		u = w;
	} else if (t == MF_T_F64) {
		memcpy(&u, &v.f, 8);
	}
	value_put_le(p, u, sz);
}

MF_API int
mf_num_cmp(enum mf_type t, union mf_num x, union mf_num y)
{
	if (mf_type_float(t)) {
		if (isnan(x.f) || isnan(y.f))
			return 2;
		return x.f < y.f ? -1 : x.f > y.f;
	}
	if (mf_type_signed(t))
		return x.i < y.i ? -1 : x.i > y.i;
	return x.u < y.u ? -1 : x.u > y.u;
}

MF_API void
mf_num_format(enum mf_type t, union mf_num v, char *buf, size_t size)
{
	if (t == MF_T_F32)
		snprintf(buf, size, "%.9g", v.f);
	else if (t == MF_T_F64)
		snprintf(buf, size, "%.17g", v.f);
	else if (mf_type_signed(t))
		snprintf(buf, size, "%lld", (long long)v.i);
	else if (t == MF_T_PTR)
		snprintf(buf, size, "0x%llx", (unsigned long long)v.u);
	else
		snprintf(buf, size, "%llu", (unsigned long long)v.u);
}

MF_API int
mf_num_rec_add(struct mf_rec *r, const char *key, enum mf_type t, union mf_num v)
{
	if (mf_type_float(t))
		return mf_rec_add_float(r, key, v.f);
	if (mf_type_signed(t))
		return mf_rec_add_int(r, key, v.i);
	/* a u64 goes as addresses do (a "0x..." string in JSON, whatever its size), not as a
	 * JSON number when small and a string when large */
	if (t == MF_T_PTR || t == MF_T_U64)
		return mf_rec_add_addr(r, key, v.u);
	return mf_rec_add_uint(r, key, v.u);
}

static int
value_hex(const char *s, uint8_t *out, size_t *n, char *errbuf)
{
	const char *p = s;
	size_t o = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	while (*p) {
		int hi, lo;

		if (*p == ' ' || *p == ':' || *p == '\t') {
			p++;
			continue;
		}
		hi = mfint_hexval((unsigned char)p[0]);
		lo = hi < 0 ? -1 : mfint_hexval((unsigned char)p[1]);
		if (hi < 0 || lo < 0)
			return mf_error(errbuf, MF_ERR_ARG, "invalid hex data '%s' (expected bytes like \"deadbeef\" or \"de ad be ef\")",
			                s);
		out[o++] = (uint8_t)(hi << 4 | lo);
		p += 2;
	}
	if (o == 0)
		return mf_error(errbuf, MF_ERR_ARG, "invalid hex data '%s': no bytes", s);
	*n = o;
	return 0;
}

/* One UTF-8 sequence at u (len bytes left): its code point and length, or 0 if invalid. */
static size_t
value_utf8_next(const uint8_t *u, size_t len, uint32_t *c)
{
	if (u[0] < 0x80) {
		*c = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0 && len > 1 && (u[1] & 0xc0) == 0x80) {
		*c = (u[0] & 0x1fu) << 6 | (u[1] & 0x3fu);
		return 2;
	}
	if ((u[0] & 0xf0) == 0xe0 && len > 2 && (u[1] & 0xc0) == 0x80 && (u[2] & 0xc0) == 0x80) {
		*c = (u[0] & 0x0fu) << 12 | (u[1] & 0x3fu) << 6 | (u[2] & 0x3fu);
		return 3;
	}
	if ((u[0] & 0xf8) == 0xf0 && len > 3 && (u[1] & 0xc0) == 0x80 && (u[2] & 0xc0) == 0x80 && (u[3] & 0xc0) == 0x80) {
		*c = (u[0] & 0x07u) << 18 | (u[1] & 0x3fu) << 12 | (u[2] & 0x3fu) << 6 | (u[3] & 0x3fu);
		return 4;
	}
	return 0;
}

static int
value_utf16(const char *s, uint8_t *out, size_t *n, char *errbuf)
{
	size_t len = strlen(s), i = 0, o = 0;

	while (i < len) {
		uint32_t c;
		size_t k = value_utf8_next((const uint8_t *)s + i, len - i, &c);

		if (k == 0)
			return mf_error(errbuf, MF_ERR_ARG, "invalid UTF-8 in '%s'", s);
		if (c >= 0x10000) {
			c -= 0x10000;
			value_put_le(out + o, 0xd800 + (c >> 10), 2);
			value_put_le(out + o + 2, 0xdc00 + (c & 0x3ff), 2);
			o += 4;
		} else {
			value_put_le(out + o, c, 2);
			o += 2;
		}
		i += k;
	}
	*n = o;
	return 0;
}

MF_API int
mf_value_bytes(enum mf_type t, unsigned ptr_size, const char *s, bool no_nul, uint8_t **out, size_t *n,
               char *errbuf)
{
	size_t len = strlen(s), o = 0;
	uint8_t *b;
	union mf_num v;
	int r = 0;

	*out = NULL;
	*n = 0;
	/* UTF-16 needs at most 2 bytes per input byte, plus the NUL */
	if (len > (SIZE_MAX - 16) / 2 || (b = malloc(len * 2 + 16)) == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	switch (t) {
	case MF_T_NONE:
		r = value_hex(s, b, &o, errbuf);
		break;
	case MF_T_STR:
		memcpy(b, s, len);
		o = len;
		if (!no_nul)
			b[o++] = 0;
		break;
	case MF_T_WSTR:
		if ((r = value_utf16(s, b, &o, errbuf)) == 0 && !no_nul) {
			b[o++] = 0;
			b[o++] = 0;
		}
		break;
	default:
		if ((r = mf_num_parse(t, ptr_size, s, &v, errbuf)) == 0) {
			mf_num_encode(t, ptr_size, v, b);
			o = mf_type_size(t, ptr_size);
		}
		break;
	}
	if (r < 0) {
		free(b);
		return r;
	}
	*out = b;
	*n = o;
	return 0;
}

MF_API size_t
mf_utf16le_to_utf8(const uint8_t *p, size_t n, char *out)
{
	size_t i = 0, o = 0;

	while (i + 1 < n) {
		uint32_t c = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;

		i += 2;
		if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
			uint32_t lo = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;

			if (lo >= 0xdc00 && lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			} else {
				c = 0xfffd;
			}
		} else if (c >= 0xd800 && c < 0xe000) {
			c = 0xfffd;
		}
		if (c < 0x80) {
			out[o++] = (char)c;
		} else if (c < 0x800) {
			out[o++] = (char)(0xc0 | c >> 6);
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			out[o++] = (char)(0xe0 | c >> 12);
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else {
			out[o++] = (char)(0xf0 | c >> 18);
			out[o++] = (char)(0x80 | ((c >> 12) & 0x3f));
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	return o;
}
