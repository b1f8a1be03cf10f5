/* out.c: writing records as msgpack, JSON lines or aligned tables, and raw bytes.
 *
 * Everything goes through one 64 KiB buffer, written with write() looped over short writes
 * and EINTR when full and on flush/close.  The first error sticks: later calls return it,
 * and errno is set to the errno of the failed write (EPIPE: the reader went away, the tool
 * should exit quietly).  Writes to a terminal erase the progress line first
 * (mf_progress_hold), so that rows never land on its text.
 *
 * JSON: one object per line.  ADDR values are "0x<lowercase hex>" strings, and so are UINT
 * values above 2^53 (JSON numbers beyond that lose precision in jq and JavaScript; readers'
 * mf_rec_get_u64 accepts both forms).  BIN is a lowercase hex string.  Strings are UTF-8:
 * control characters are escaped (\n, \t, \u001b ...), a NUL is \u0000, and each byte that
 * does not begin a valid UTF-8 sequence (a Latin-1 process name, a truncated character)
 * becomes U+FFFD.  Floats are numbers with a '.' or exponent (NaN and infinities: null).
 *
 * Table: rows of one type are held back (up to OUT_TABLE_ROWS) so that columns align; a
 * header line starts each block.  Columns are separated by two spaces, the last column is
 * never followed by spaces; with a width set (mf_out_set_width: the terminal's), the last
 * column and the key=value lines are cut to fit, as ps(1) does.  Control characters (C0, C1) and bytes that are not UTF-8 in
 * strings and keys print as '?' (a process name is not allowed to drive the terminal);
 * missing, nil and empty values print as "-".  A record of a type without a layout prints
 * as `type key=value ...`, a "target" record as `# target: connector=... os=...`. */
#include "record-int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define OUT_BUF_SIZE (64u << 10)
#define OUT_TABLE_ROWS 1000
#define OUT_PIPE_SIZE (1 << 20)
#define OUT_BIN_SHOWN 32
#define OUT_JSON_MAX_EXACT (UINT64_C(1) << 53)

struct out_layout {
	char *type;
	struct mf_col *cols;   /* key and title strdup'ed */
	size_t ncols;
};

struct mf_out {
	int fd;
	enum mf_format fmt;
	int err, errnum;
	char *buf;
	size_t len;
	msgpack_packer pk;

	struct out_layout *lay;
	size_t nlay;
	/* the table block being held back: rows of layout `cur`, cells as text */
	const struct out_layout *cur;
	char *text;
	size_t tlen, tcap;
	size_t *cell;          /* per cell: offset into text; cell i's end = cell[i+1] */
	size_t ncell, ccap;
	size_t nrows;
	size_t width;          /* table lines are cut to this many columns; 0: never */
	bool tty;              /* fd is a terminal: writes erase the progress line first */
};

/* ---- formats ---------------------------------------------------------------------- */

static const char *const out_fmt_names[] = {
	[MF_FMT_AUTO] = "auto", [MF_FMT_TABLE] = "table", [MF_FMT_JSON] = "json",
	[MF_FMT_MSGPACK] = "msgpack", [MF_FMT_RAW] = "raw",
};

MF_API int
mf_format_parse(const char *s, enum mf_format *out, bool allow_raw)
{
	int f;

	if (s == NULL)
		return MF_ERR_ARG;
	for (f = MF_FMT_TABLE; f <= MF_FMT_RAW; f++) {
		if (strcmp(s, out_fmt_names[f]) != 0)
			continue;
		if (f == MF_FMT_RAW && !allow_raw)
			return MF_ERR_ARG;
		*out = (enum mf_format)f;
		return 0;
	}
	return MF_ERR_ARG;
}

MF_API const char *
mf_format_name(enum mf_format f)
{
	return (unsigned)f < mf_countof(out_fmt_names) ? out_fmt_names[f] : "unknown";
}

MF_API int
mf_format_default(int fd, enum mf_format *out, char *errbuf)
{
	const char *env = getenv("MF_FORMAT");

	if (env != NULL && *env != '\0') {
		if (mf_format_parse(env, out, false) < 0)
			return mf_error(errbuf, MF_ERR_ARG,
			                "invalid MF_FORMAT \"%.64s\": expected table, json or msgpack", env);
		return 0;
	}
	*out = isatty(fd) ? MF_FMT_TABLE : MF_FMT_MSGPACK;
	return 0;
}

/* ---- the buffer ------------------------------------------------------------------- */

static int
out_fail(struct mf_out *o, int errnum)
{
	if (o->err == 0) {
		o->err = MF_ERR_IO;
		o->errnum = errnum;
	}
	errno = o->errnum;
	return o->err;
}

static int
out_write_all(struct mf_out *o, const void *p, size_t n)
{
	const char *c = p;
	int e = 0;

	if (o->tty)
		mf_progress_hold();
	while (n > 0 && e == 0) {
		ssize_t w = write(o->fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = out_fail(o, w < 0 ? errno : EIO);
			break;
		}
		c += w;
		n -= (size_t)w;
	}
	if (o->tty)
		mf_progress_release();
	return e;
}

static int
out_drain(struct mf_out *o)
{
	int e;

	if (o->err)
		return out_fail(o, o->errnum);
	if (o->len == 0)
		return 0;
	e = out_write_all(o, o->buf, o->len);
	o->len = 0;
	return e;
}

static int
out_put(struct mf_out *o, const void *p, size_t n)
{
	if (o->err)
		return o->err;
	if (n > OUT_BUF_SIZE - o->len) {
		if (out_drain(o) < 0)
			return o->err;
		if (n >= OUT_BUF_SIZE)
			return out_write_all(o, p, n);
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	return 0;
}

static int
out_putc(struct mf_out *o, char c)
{
	if (o->len == OUT_BUF_SIZE && out_drain(o) < 0)
		return o->err;
	if (o->err)
		return o->err;
	o->buf[o->len++] = c;
	return 0;
}

static int
out_mp_write(void *data, const char *buf, size_t len)
{
	return out_put(data, buf, len) < 0 ? -1 : 0;
}

MF_API struct mf_out *
mf_out_new(int fd, enum mf_format fmt)
{
	struct mf_out *o = calloc(1, sizeof *o);
	struct stat st;

	if (o == NULL)
		return NULL;
	if ((o->buf = malloc(OUT_BUF_SIZE)) == NULL) {
		free(o);
		return NULL;
	}
	o->fd = fd;
	o->tty = isatty(fd);
	o->fmt = fmt == MF_FMT_AUTO ? (o->tty ? MF_FMT_TABLE : MF_FMT_MSGPACK) : fmt;
	msgpack_packer_init(&o->pk, o, out_mp_write);
#ifdef F_SETPIPE_SZ
	/* a 1 MiB pipe doubles throughput; not being allowed to is fine */
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && fcntl(fd, F_GETPIPE_SZ) < OUT_PIPE_SIZE)
		(void)fcntl(fd, F_SETPIPE_SZ, OUT_PIPE_SIZE);
#else
	(void)st;
#endif
	return o;
}

MF_API void
mf_out_set_width(struct mf_out *o, size_t width)
{
	o->width = width;
}

MF_API enum mf_format
mf_out_format(const struct mf_out *o)
{
	return o->fmt;
}

MF_API int
mf_out_columns(struct mf_out *o, const char *type, const struct mf_col *cols, size_t ncols)
{
	struct out_layout *l = NULL, *v;
	size_t i;

	for (i = 0; i < o->nlay; i++)
		if (strcmp(o->lay[i].type, type) == 0)
			l = &o->lay[i];
	if (l == o->cur && l != NULL && mf_out_flush(o) < 0)   /* the held rows use the old layout */
		return o->err;
	if (l == NULL) {
		if ((v = realloc(o->lay, (o->nlay + 1) * sizeof *v)) == NULL)
			return MF_ERR_NOMEM;
		/* the block in progress points into the array */
		if (o->cur != NULL)
			o->cur = v + (o->cur - o->lay);
		o->lay = v;
		l = &o->lay[o->nlay];
		memset(l, 0, sizeof *l);
		if ((l->type = strdup(type)) == NULL)
			return MF_ERR_NOMEM;
		o->nlay++;
	} else {
		for (i = 0; i < l->ncols; i++) {
			free((char *)l->cols[i].key);
			free((char *)l->cols[i].title);
		}
		free(l->cols);
		l->cols = NULL;
		l->ncols = 0;
	}
	if (ncols == 0)
		return 0;
	if ((l->cols = calloc(ncols, sizeof *l->cols)) == NULL)
		return MF_ERR_NOMEM;
	for (i = 0; i < ncols; i++) {
		l->cols[i].width = cols[i].width;
		l->cols[i].key = strdup(cols[i].key);
		l->cols[i].title = strdup(cols[i].title ? cols[i].title : cols[i].key);
		l->ncols = i + 1;
		if (l->cols[i].key == NULL || l->cols[i].title == NULL)
			return MF_ERR_NOMEM;
	}
	return 0;
}

/* ---- msgpack ---------------------------------------------------------------------- */

static int out_mp_map(struct mf_out *o, const struct mf_rec *r);

static int
out_mp_value(struct mf_out *o, const struct mf_value *v)
{
	msgpack_packer *pk = &o->pk;
	size_t i;

	switch (v->type) {
	case MF_V_NIL: return msgpack_pack_nil(pk);
	case MF_V_BOOL: return v->v.b ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
	case MF_V_INT:
		/* negative values always use signed formats; non-negative ones too (fix_intN),
		 * so that readers get INT back rather than UINT */
		if (v->v.i < 0)
			return msgpack_pack_int64(pk, v->v.i);
		if (v->v.i <= INT8_MAX)
			return msgpack_pack_fix_int8(pk, (int8_t)v->v.i);
		if (v->v.i <= INT16_MAX)
			return msgpack_pack_fix_int16(pk, (int16_t)v->v.i);
		if (v->v.i <= INT32_MAX)
			return msgpack_pack_fix_int32(pk, (int32_t)v->v.i);
		return msgpack_pack_fix_int64(pk, v->v.i);
	case MF_V_UINT:
	case MF_V_ADDR: return msgpack_pack_uint64(pk, v->v.u);
	case MF_V_FLOAT: return msgpack_pack_double(pk, v->v.f);
	case MF_V_TIME: {
		msgpack_timestamp ts = { .tv_sec = v->v.i / 1000000000, .tv_nsec = (uint32_t)(v->v.i % 1000000000) };

		if (v->v.i % 1000000000 < 0) {   /* before 1970: nanoseconds count up from the second below */
			ts.tv_sec--;
			ts.tv_nsec = (uint32_t)(v->v.i % 1000000000 + 1000000000);
		}
		return msgpack_pack_timestamp(pk, &ts);
	}
	case MF_V_STR:
		if (msgpack_pack_str(pk, v->v.s.n) < 0)
			return -1;
		return msgpack_pack_str_body(pk, v->v.s.p, v->v.s.n);
	case MF_V_BIN:
		if (msgpack_pack_bin(pk, v->v.s.n) < 0)
			return -1;
		return msgpack_pack_bin_body(pk, v->v.s.p, v->v.s.n);
	case MF_V_MAP:
		return out_mp_map(o, v->v.map);
	case MF_V_ARRAY:
		if (msgpack_pack_array(pk, v->v.arr.n) < 0)
			return -1;
		for (i = 0; i < v->v.arr.n; i++)
			if (out_mp_value(o, &v->v.arr.v[i]) < 0)
				return -1;
		return 0;
	}
	return msgpack_pack_nil(pk);
}

static int
out_mp_map(struct mf_out *o, const struct mf_rec *r)
{
	size_t i, n = r ? mf_rec_count(r) : 0;

	if (msgpack_pack_map(&o->pk, n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const struct mf_field *f = mf_rec_field(r, i);
		size_t kl = strlen(f->key);

		if (msgpack_pack_str(&o->pk, kl) < 0 || msgpack_pack_str_body(&o->pk, f->key, kl) < 0)
			return -1;
		if (out_mp_value(o, &f->val) < 0)
			return -1;
	}
	return 0;
}

/* ---- JSON ------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if the byte at p does not start
 * one (overlong forms, surrogates and code points past U+10FFFF are invalid). */
static size_t
out_utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static int
out_json_str(struct mf_out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	out_putc(o, '"');
	while (i < n) {
		unsigned char c = p[i];
		char esc[8];
		size_t l;

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
		if (c >= 0x80 && (l = out_utf8_len(p + i, n - i)) > 0) {
			i += l;
			run += l;
			continue;
		}
		out_put(o, p + i - run, run);
		run = 0;
		if (c >= 0x80) {
			out_put(o, "\xef\xbf\xbd", 3);   /* U+FFFD for a byte that is not UTF-8 */
		} else if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			out_put(o, esc, 2);
		} else if (c == '\n') {
			out_put(o, "\\n", 2);
		} else if (c == '\t') {
			out_put(o, "\\t", 2);
		} else if (c == '\r') {
			out_put(o, "\\r", 2);
		} else {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			out_put(o, esc, 6);
		}
		i++;
	}
	out_put(o, p + i - run, run);
	return out_putc(o, '"');
}

static int
out_hex(struct mf_out *o, const void *data, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = data;
	char tmp[512];
	size_t i, t = 0;

	for (i = 0; i < n; i++) {
		tmp[t++] = hex[p[i] >> 4];
		tmp[t++] = hex[p[i] & 15];
		if (t == sizeof tmp) {
			out_put(o, tmp, t);
			t = 0;
		}
	}
	return out_put(o, tmp, t);
}

static int out_json_map(struct mf_out *o, const struct mf_rec *r);

static int
out_json_value(struct mf_out *o, const struct mf_value *v)
{
	char tmp[40];
	size_t i;
	int n;

	switch (v->type) {
	case MF_V_NIL: return out_put(o, "null", 4);
	case MF_V_BOOL: return v->v.b ? out_put(o, "true", 4) : out_put(o, "false", 5);
	case MF_V_INT:
		n = snprintf(tmp, sizeof tmp, "%" PRId64, v->v.i);
		return out_put(o, tmp, (size_t)n);
	case MF_V_UINT:
		if (v->v.u <= OUT_JSON_MAX_EXACT) {
			n = snprintf(tmp, sizeof tmp, "%" PRIu64, v->v.u);
			return out_put(o, tmp, (size_t)n);
		}
		/* too large for a JSON number: carried like an address */
		/* fall through */
	case MF_V_ADDR:
		n = snprintf(tmp, sizeof tmp, "\"0x%" PRIx64 "\"", v->v.u);
		return out_put(o, tmp, (size_t)n);
	case MF_V_FLOAT:
		if (!isfinite(v->v.f))
			return out_put(o, "null", 4);
		n = snprintf(tmp, sizeof tmp, "%.17g", v->v.f);
		if (strpbrk(tmp, ".e") == NULL && n + 2 < (int)sizeof tmp) {
			memcpy(tmp + n, ".0", 3);   /* stays a real when read back */
			n += 2;
		}
		return out_put(o, tmp, (size_t)n);
	case MF_V_STR: return out_json_str(o, v->v.s.p, v->v.s.n);
	case MF_V_TIME:
		tmp[0] = '"';
		n = mf_time_text(v->v.i, true, tmp + 1, sizeof tmp - 2);
		tmp[n + 1] = '"';
		return out_put(o, tmp, (size_t)n + 2);
	case MF_V_BIN:
		out_putc(o, '"');
		out_hex(o, v->v.s.p, v->v.s.n);
		return out_putc(o, '"');
	case MF_V_MAP: return out_json_map(o, v->v.map);
	case MF_V_ARRAY:
		out_putc(o, '[');
		for (i = 0; i < v->v.arr.n; i++) {
			if (i > 0)
				out_putc(o, ',');
			out_json_value(o, &v->v.arr.v[i]);
		}
		return out_putc(o, ']');
	}
	return out_put(o, "null", 4);
}

static int
out_json_map(struct mf_out *o, const struct mf_rec *r)
{
	size_t i, n = r ? mf_rec_count(r) : 0;

	out_putc(o, '{');
	for (i = 0; i < n; i++) {
		const struct mf_field *f = mf_rec_field(r, i);

		if (i > 0)
			out_putc(o, ',');
		out_json_str(o, f->key, strlen(f->key));
		out_putc(o, ':');
		out_json_value(o, &f->val);
	}
	return out_putc(o, '}');
}

/* ---- table ------------------------------------------------------------------------ */

/* Append the text of one cell to o->text (grown as needed). */
static int
out_text(struct mf_out *o, const void *p, size_t n)
{
	if (n == 0)
		return 0;   /* o->text may still be NULL: no pointer arithmetic on it */
	if (n > o->tcap - o->tlen) {
		size_t cap = o->tcap ? o->tcap : 4096;
		char *t;

		while (cap - o->tlen < n) {
			if (cap > SIZE_MAX / 2)
				return MF_ERR_NOMEM;
			cap *= 2;
		}
		if ((t = realloc(o->text, cap)) == NULL)
			return MF_ERR_NOMEM;
		o->text = t;
		o->tcap = cap;
	}
	memcpy(o->text + o->tlen, p, n);
	o->tlen += n;
	return 0;
}

static int out_text_map(struct mf_out *o, const struct mf_rec *r, int depth);

/* Text that is safe on a terminal: C0 and C1 control characters and bytes that are not
 * UTF-8 become '?' (a process name must not be able to send escape sequences). */
static int
out_text_safe(struct mf_out *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, l;
	int e = 0;

	while (i < n && e == 0) {
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			i++;
			continue;
		}
		if (p[i] >= 0x80 && (l = out_utf8_len(p + i, n - i)) > 0 && !(p[i] == 0xc2 && p[i + 1] < 0xa0)) {
			i += l;
			continue;
		}
		l = p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] < 0xa0 ? 2 : 1;
		e = out_text(o, p + start, i - start);
		if (e == 0)
			e = out_text(o, "?", 1);
		i += l;
		start = i;
	}
	return e ? e : out_text(o, p + start, n - start);
}

MF_API int
mf_time_text(int64_t ns, bool frac, char *buf, size_t n)
{
	int64_t sec = ns / 1000000000, sub = ns % 1000000000;
	time_t t;
	struct tm tm;
	int k;

	if (sub < 0) {
		sec--;
		sub += 1000000000;
	}
	t = (time_t)sec;
	if (gmtime_r(&t, &tm) == NULL)
		return snprintf(buf, n, "%" PRId64 "ns", ns);
	k = snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	             tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (k < 0 || (size_t)k >= n)
		return k;
	if (frac && sub != 0)
		k += snprintf(buf + k, n - (size_t)k, ".%09" PRId64, sub);
	if ((size_t)k + 1 < n) {
		buf[k++] = 'Z';
		buf[k] = '\0';
	}
	return k;
}

MF_API int
mf_value_scalar_text(const struct mf_value *v, char *buf, size_t n)
{
	switch (v->type) {
	case MF_V_NIL: return snprintf(buf, n, "-");
	case MF_V_BOOL: return snprintf(buf, n, "%s", v->v.b ? "true" : "false");
	case MF_V_INT: return snprintf(buf, n, "%" PRId64, v->v.i);
	case MF_V_UINT: return snprintf(buf, n, "%" PRIu64, v->v.u);
	case MF_V_ADDR: return snprintf(buf, n, "0x%" PRIx64, v->v.u);
	case MF_V_FLOAT: return snprintf(buf, n, "%g", v->v.f);
	case MF_V_TIME: return mf_time_text(v->v.i, false, buf, n);
	default: return -1;
	}
}

/* A value as table text: hex addresses, safe strings, "-" for nothing. */
static int
out_text_value(struct mf_out *o, const struct mf_value *v, int depth)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[64];
	size_t i;
	int n, e = 0;

	if ((n = mf_value_scalar_text(v, tmp, sizeof tmp)) >= 0)
		return out_text(o, tmp, (size_t)n);
	switch (v->type) {
	case MF_V_STR:
		if (v->v.s.n == 0)
			return out_text(o, "-", 1);
		return out_text_safe(o, v->v.s.p, v->v.s.n);
	case MF_V_BIN: {
		const unsigned char *p = (const unsigned char *)v->v.s.p;
		size_t shown = v->v.s.n > OUT_BIN_SHOWN ? OUT_BIN_SHOWN : v->v.s.n;

		if (v->v.s.n == 0)
			return out_text(o, "-", 1);
		for (i = 0; i < shown && e == 0; i++) {
			tmp[0] = hex[p[i] >> 4];
			tmp[1] = hex[p[i] & 15];
			e = out_text(o, tmp, 2);
		}
		if (e == 0 && shown < v->v.s.n)
			e = out_text(o, "...", 3);
		return e;
	}
	case MF_V_MAP: return out_text_map(o, v->v.map, depth + 1);
	case MF_V_ARRAY:
		e = out_text(o, "[", 1);
		for (i = 0; i < v->v.arr.n && e == 0; i++) {
			if (i > 0)
				e = out_text(o, ",", 1);
			if (e == 0)
				e = out_text_value(o, &v->v.arr.v[i], depth + 1);
		}
		return e ? e : out_text(o, "]", 1);
	default: return out_text(o, "-", 1);
	}
}

/* key=value key=value (no braces at depth 0, {...} inside). */
static int
out_text_map(struct mf_out *o, const struct mf_rec *r, int depth)
{
	size_t i, n = r ? mf_rec_count(r) : 0;
	int e = 0, first = 1;

	if (depth > 0)
		e = out_text(o, "{", 1);
	for (i = 0; i < n && e == 0; i++) {
		const struct mf_field *f = mf_rec_field(r, i);

		if (depth == 0 && i == 0 && strcmp(f->key, "type") == 0)
			continue;
		if (!first)
			e = out_text(o, " ", 1);
		first = 0;
		if (e == 0)
			e = out_text_safe(o, f->key, strlen(f->key));
		if (e == 0)
			e = out_text(o, "=", 1);
		if (e == 0)
			e = out_text_value(o, &f->val, depth);
	}
	if (e == 0 && depth > 0)
		e = out_text(o, "}", 1);
	return e;
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t
out_width(const char *s, size_t n)
{
	size_t i, w = 0;

	for (i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

static void
out_pad(struct mf_out *o, size_t n)
{
	static const char spaces[] = "                                ";

	while (n > 0) {
		size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;

		out_put(o, spaces, k);
		n -= k;
	}
}

/* The bytes of s (n bytes) that fill at most `cols` display columns. */
static size_t
out_cut(const char *s, size_t n, size_t cols)
{
	size_t i, w = 0;

	for (i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && w++ == cols)
			break;
	}
	return i;
}

static void
out_row(struct mf_out *o, const struct out_layout *l, const size_t *w, const char *const *cell,
        const size_t *len)
{
	size_t c, n, pos, room = 0, ncols = l->ncols;

	/* on a terminal: drop the columns that start past its width, cut the last one that is
	 * left-aligned (a right-aligned one is shown whole or not at all) */
	while (o->width > 0 && ncols > 1) {
		for (pos = 0, c = 0; c + 1 < ncols; c++)
			pos += w[c] + 2;
		room = o->width > pos ? o->width - pos : 0;
		if (room > 0 && (l->cols[ncols - 1].width < 0 || w[ncols - 1] <= room))
			break;
		ncols--;
	}
	for (c = 0; c < ncols; c++) {
		size_t cw = out_width(cell[c], len[c]);
		int last = c + 1 == ncols, left = l->cols[c].width < 0;

		n = len[c];
		if (c > 0)
			out_put(o, "  ", 2);
		if (last && o->width > 0 && ncols > 1 && left && cw > room) {
			n = out_cut(cell[c], len[c], room);
			cw = room;
		}
		if (!left)
			out_pad(o, w[c] - cw);
		out_put(o, cell[c], n);
		if (left && !last)
			out_pad(o, w[c] - cw);
	}
	out_putc(o, '\n');
}

/* Write the held-back rows with a header, columns as wide as their widest cell. */
static int
out_table_flush(struct mf_out *o)
{
	const struct out_layout *l = o->cur;
	size_t *w, *len, r, c;
	const char **cell;

	if (l == NULL)
		return o->err;
	o->cur = NULL;
	if (o->nrows == 0 || l->ncols == 0)
		goto done;
	w = calloc(l->ncols, sizeof *w);
	len = calloc(l->ncols, sizeof *len);
	cell = calloc(l->ncols, sizeof *cell);
	if (w == NULL || len == NULL || cell == NULL) {
		free(w);
		free(len);
		free(cell);
		o->nrows = o->ncell = o->tlen = 0;
		return MF_ERR_NOMEM;
	}
	for (c = 0; c < l->ncols; c++) {
		int mw = l->cols[c].width;

		w[c] = mw < 0 ? (size_t)-(long)mw : (size_t)mw;
		if (out_width(l->cols[c].title, strlen(l->cols[c].title)) > w[c])
			w[c] = out_width(l->cols[c].title, strlen(l->cols[c].title));
	}
	for (r = 0; r < o->nrows; r++)
		for (c = 0; c < l->ncols; c++) {
			size_t i = r * l->ncols + c;
			size_t cw = out_width(o->text + o->cell[i], o->cell[i + 1] - o->cell[i]);

			if (cw > w[c])
				w[c] = cw;
		}
	for (c = 0; c < l->ncols; c++) {
		cell[c] = l->cols[c].title;
		len[c] = strlen(l->cols[c].title);
	}
	out_row(o, l, w, cell, len);
	for (r = 0; r < o->nrows; r++) {
		for (c = 0; c < l->ncols; c++) {
			size_t i = r * l->ncols + c;

			cell[c] = o->text + o->cell[i];
			len[c] = o->cell[i + 1] - o->cell[i];
		}
		out_row(o, l, w, cell, len);
	}
	free(w);
	free(len);
	free(cell);
done:
	o->nrows = o->ncell = o->tlen = 0;
	return o->err;
}

static int
out_table_row(struct mf_out *o, const struct out_layout *l, const struct mf_rec *r)
{
	size_t c;
	int e;

	if (o->cur != l && (e = out_table_flush(o)) < 0)
		return e;
	o->cur = l;
	if (o->ncell + l->ncols + 1 > o->ccap) {
		size_t cap = o->ccap ? o->ccap : 256;
		size_t *v;

		while (cap < o->ncell + l->ncols + 1)
			cap *= 2;
		if ((v = realloc(o->cell, cap * sizeof *v)) == NULL)
			return MF_ERR_NOMEM;
		o->cell = v;
		o->ccap = cap;
	}
	for (c = 0; c < l->ncols; c++) {
		const struct mf_value *v = mf_rec_get(r, l->cols[c].key);

		o->cell[o->ncell + c] = o->tlen;
		e = v != NULL ? out_text_value(o, v, 0) : out_text(o, "-", 1);
		if (e < 0) {
			o->tlen = o->cell[o->ncell];
			return e;
		}
	}
	o->ncell += l->ncols;
	o->cell[o->ncell] = o->tlen;
	o->nrows++;
	if (o->nrows >= OUT_TABLE_ROWS)
		return out_table_flush(o);
	return 0;
}

/* One line of text built in o->text: "type key=value ..." or "# target: ...". */
static int
out_table_line(struct mf_out *o, const struct mf_rec *r, const char *type)
{
	int e;

	if ((e = out_table_flush(o)) < 0)
		return e;
	if (strcmp(type, "target") == 0) {
		size_t i, n = mf_rec_count(r);

		e = out_text(o, "# target:", 9);
		for (i = 1; i < n && e == 0; i++) {
			const struct mf_field *f = mf_rec_field(r, i);

			/* the version and the hints are for programs */
			if (strcmp(f->key, "v") == 0 || strcmp(f->key, "hints") == 0)
				continue;
			if (f->val.type == MF_V_NIL || (f->val.type == MF_V_STR && f->val.v.s.n == 0) ||
			    (f->val.type == MF_V_MAP && mf_rec_count(f->val.v.map) == 0))
				continue;
			e = out_text(o, " ", 1);
			if (e == 0)
				e = out_text_safe(o, f->key, strlen(f->key));
			if (e == 0)
				e = out_text(o, "=", 1);
			if (e == 0)
				e = out_text_value(o, &f->val, 1);
		}
	} else {
		e = out_text_safe(o, type, strlen(type));
		if (e == 0 && mf_rec_count(r) > 1)
			e = out_text(o, " ", 1);
		if (e == 0)
			e = out_text_map(o, r, 0);
	}
	if (e == 0 && o->width > 0)
		o->tlen = out_cut(o->text, o->tlen, o->width);
	if (e == 0)
		e = out_text(o, "\n", 1);
	if (e == 0)
		out_put(o, o->text, o->tlen);
	o->tlen = 0;
	return e ? e : o->err;
}

/* ---- records ---------------------------------------------------------------------- */

MF_API int
mf_out_rec(struct mf_out *o, const struct mf_rec *r)
{
	const char *type;
	size_t i;

	if (o->err)
		return out_fail(o, o->errnum);
	switch (o->fmt) {
	case MF_FMT_MSGPACK:
		out_mp_map(o, r);
		break;
	case MF_FMT_JSON:
		out_json_map(o, r);
		out_putc(o, '\n');
		break;
	case MF_FMT_TABLE:
		type = mf_rec_type(r);
		for (i = 0; i < o->nlay; i++)
			if (strcmp(o->lay[i].type, type) == 0 && o->lay[i].ncols > 0)
				return out_table_row(o, &o->lay[i], r);
		return out_table_line(o, r, type);
	default:
		return MF_ERR_UNSUPPORTED;
	}
	return o->err ? out_fail(o, o->errnum) : 0;
}

MF_API int
mf_out_raw(struct mf_out *o, const void *p, size_t n)
{
	if (o->err)
		return out_fail(o, o->errnum);
	if (o->cur != NULL && out_table_flush(o) < 0)
		return o->err ? out_fail(o, o->errnum) : MF_ERR_NOMEM;
	out_put(o, p, n);
	return o->err ? out_fail(o, o->errnum) : 0;
}

MF_API int
mf_out_flush(struct mf_out *o)
{
	int e = out_table_flush(o);

	if (o->err)
		return out_fail(o, o->errnum);
	if (e < 0)
		return e;
	return out_drain(o);
}

MF_API int
mf_out_close(struct mf_out *o)
{
	int e, errnum;
	size_t i, c;

	if (o == NULL)
		return 0;
	e = mf_out_flush(o);
	errnum = o->errnum;
	for (i = 0; i < o->nlay; i++) {
		for (c = 0; c < o->lay[i].ncols; c++) {
			free((char *)o->lay[i].cols[c].key);
			free((char *)o->lay[i].cols[c].title);
		}
		free(o->lay[i].cols);
		free(o->lay[i].type);
	}
	free(o->lay);
	free(o->text);
	free(o->cell);
	free(o->buf);
	free(o);
	if (e < 0 && errnum)
		errno = errnum;
	return e;
}
