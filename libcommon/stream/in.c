/* in.c: reading a record stream: msgpack maps or JSON objects, detected from the first
 * byte that is not white space ('{': JSON; a msgpack map marker: msgpack).
 *
 * The input is hostile.  Both readers first find where a record ends without allocating
 * anything for it (a resumable scan over the bytes read so far), and only then decode it,
 * so every length and count they trust has already been checked against bytes that exist.
 * (msgpack-c's unpacker is not used for reading: it allocates an array's storage from the
 * count in its header, so the 9 bytes 81 a1 78 dd 40 00 00 00 c0 make it ask for 32 GiB.)
 * Caps: one record at most 256 MiB, nesting MFINT_REC_MAX_DEPTH, IN_MAX_VALUES values.
 *
 * JSON: a sequence of objects separated by white space: one per line as written by
 * mf_out, or pretty-printed by jq.  Large unsigned values travel as "0x..." strings
 * (mf_rec_get_u64 reads them); an integer that does not fit in int64 is an error
 * ("too big integer"), never wrapped.  Non-negative integers become UINT, negative INT.
 *
 * msgpack: uint formats become UINT, int formats INT (mf_out writes INT fields with the
 * signed formats, so they come back as INT); ext types are refused.
 *
 * A "hits" record (mf-scan's dense hits: the fields of one hit, "addr" the first address,
 * "count" hits, "deltas" a bin of count - 1 ULEB128 distances, each > 0, from the address
 * before) is checked whole when it arrives and then handed out as its count "hit" records,
 * one per call, so no reader ever sees one.
 *
 * Every error names the byte offset at which the bad record starts. */
#include "record-int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IN_MAX_RECORD (256u << 20)
#define IN_MAX_VALUES (1u << 20)
#define IN_READ_SIZE (256u << 10)
#define IN_NOCOPY_BIN (64u << 10)
#define IN_PIPE_SIZE (1 << 20)

enum { IN_DETECT, IN_MSGPACK, IN_JSON, IN_DONE, IN_FAILED };

struct mf_in {
	int fd, mode;
	unsigned char *buf;
	size_t cap, pos, end;   /* buf[pos..end) read and not consumed */
	uint64_t off;           /* stream offset of buf[pos] */
	int eof;
	struct mf_rec *rec;
	int have, unread;
	int err;
	char msg[MF_ERRBUF_SIZE];

	/* the scan of the record starting at buf[pos], kept across reads */
	size_t scan;            /* offset (from pos) of the next byte to look at */
	uint64_t nvals;
	unsigned depth;
	uint64_t left[MFINT_REC_MAX_DEPTH + 2];   /* msgpack: items left at each level */
	int instr, esc;         /* JSON: inside a string, after a backslash */
	int started;
	int oversize;           /* the record claims more than IN_MAX_RECORD bytes */

	/* a "hits" record being handed out as hit records */
	struct mf_rec *pack;
	uint64_t pack_left;     /* hits still to hand out */
	uint64_t pack_addr;     /* the address of the last one handed out */
	const unsigned char *pack_deltas;
	size_t pack_ndeltas, pack_pos;
	int pack_first;         /* the next one is the first, at "addr" */
};

MF_API struct mf_in *
mf_in_new(int fd)
{
	struct mf_in *in = calloc(1, sizeof *in);
	struct stat st;

	if (in == NULL)
		return NULL;
	in->fd = fd;
#ifdef F_SETPIPE_SZ
	/* the writer may not be one of ours: a 1 MiB pipe doubles throughput */
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && fcntl(fd, F_GETPIPE_SZ) < IN_PIPE_SIZE)
		(void)fcntl(fd, F_SETPIPE_SZ, IN_PIPE_SIZE);
#else
	(void)st;
#endif
	if ((in->rec = mf_rec_new(NULL)) == NULL) {
		free(in);
		return NULL;
	}
	return in;
}

struct mf_in *
mfint_in_new_mem(const void *p, size_t n)
{
	struct mf_in *in = mf_in_new(-1);

	if (in == NULL)
		return NULL;
	if ((in->buf = malloc(n ? n : 1)) == NULL) {
		mf_in_free(in);
		return NULL;
	}
	memcpy(in->buf, p, n);
	in->cap = in->end = n;
	in->eof = 1;
	return in;
}

MF_API void
mf_in_free(struct mf_in *in)
{
	if (in == NULL)
		return;
	mf_rec_free(in->rec);
	mf_rec_free(in->pack);
	free(in->buf);
	free(in);
}

MF_API void
mf_in_unread(struct mf_in *in)
{
	if (in->have)
		in->unread = 1;
}

/* Fail the stream: the error sticks, later calls return it again. */
__attribute__((format(printf, 3, 4)))
static int
in_fail(struct mf_in *in, int code, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(in->msg, sizeof in->msg, "at byte %" PRIu64 ": ", in->off);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof in->msg)
		vsnprintf(in->msg + n, sizeof in->msg - (size_t)n, fmt, ap);
	va_end(ap);
	in->mode = IN_FAILED;
	in->err = code;
	in->have = 0;
	return code;
}

/* Read more: 1 when bytes arrived, 0 at end of input, or a failure. */
static int
in_fill(struct mf_in *in)
{
	ssize_t r;

	if (in->eof)
		return 0;
	if (in->cap - in->end < IN_READ_SIZE && in->pos > 0) {
		memmove(in->buf, in->buf + in->pos, in->end - in->pos);
		in->end -= in->pos;
		in->pos = 0;
	}
	if (in->cap - in->end < IN_READ_SIZE) {
		size_t cap = in->cap ? in->cap * 2 : IN_READ_SIZE * 2;
		unsigned char *b;

		/* the scans fail a record before it outgrows this */
		if (cap > IN_MAX_RECORD + 2 * IN_READ_SIZE)
			cap = IN_MAX_RECORD + 2 * IN_READ_SIZE;
		if (cap - in->end < IN_READ_SIZE)
			return in_fail(in, MF_ERR_LIMIT, "record larger than %u MiB", IN_MAX_RECORD >> 20);
		if ((b = realloc(in->buf, cap)) == NULL)
			return in_fail(in, MF_ERR_NOMEM, "out of memory");
		in->buf = b;
		in->cap = cap;
	}
	do
		r = read(in->fd, in->buf + in->end, in->cap - in->end);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		int e = errno;

		in_fail(in, MF_ERR_IO, "cannot read input: %s", strerror(e));
		errno = e;
		return MF_ERR_IO;
	}
	if (r == 0) {
		in->eof = 1;
		return 0;
	}
	in->end += (size_t)r;
	return 1;
}

static void
in_consume(struct mf_in *in, size_t n)
{
	in->pos += n;
	in->off += n;
	in->scan = 0;
	in->started = 0;
}

static uint64_t
in_be(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* ---- msgpack ---------------------------------------------------------------------- */

/* The shape of the item whose first byte is c: header size, and either a payload size
 * (from the header's length field, read by the caller) or a container count. */
struct in_mp_item {
	unsigned hdr;        /* bytes of header, type byte included */
	unsigned lenbytes;   /* width of the big-endian length/count field after the byte */
	uint64_t len;        /* payload bytes (fixed-size scalars, fixstr) */
	unsigned extra;      /* payload bytes beyond the length field's (ext8's type byte) */
	int kind;            /* 0 scalar, 1 array, 2 map, -1 invalid, -2 ext, 3 an ext that
	                      * can be a timestamp (its first payload byte is the type) */
};

static struct in_mp_item
in_mp_shape(unsigned c)
{
	struct in_mp_item it = { 1, 0, 0, 0, 0 };

	if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3)
		return it;
	if (c <= 0x8f) { it.kind = 2; it.len = c & 15; return it; }
	if (c <= 0x9f) { it.kind = 1; it.len = c & 15; return it; }
	if (c <= 0xbf) { it.len = c & 31; return it; }
	switch (c) {
	case 0xc4: case 0xd9: it.lenbytes = 1; break;   /* bin8, str8 */
	case 0xc5: case 0xda: it.lenbytes = 2; break;
	case 0xc6: case 0xdb: it.lenbytes = 4; break;
	case 0xca: it.len = 4; break;
	case 0xcb: it.len = 8; break;
	case 0xcc: case 0xd0: it.len = 1; break;
	case 0xcd: case 0xd1: it.len = 2; break;
	case 0xce: case 0xd2: it.len = 4; break;
	case 0xcf: case 0xd3: it.len = 8; break;
	case 0xdc: it.kind = 1; it.lenbytes = 2; break;
	case 0xdd: it.kind = 1; it.lenbytes = 4; break;
	case 0xde: it.kind = 2; it.lenbytes = 2; break;
	case 0xdf: it.kind = 2; it.lenbytes = 4; break;
	case 0xc1: it.kind = -1; break;
	/* the sizes a timestamp has: fixext4, fixext8, ext8 (12 bytes) */
	case 0xd6: it.kind = 3; it.len = 1 + 4; break;
	case 0xd7: it.kind = 3; it.len = 1 + 8; break;
	case 0xc7: it.kind = 3; it.lenbytes = 1; it.extra = 1; break;
	default: it.kind = -2; break;   /* the other ext and fixext */
	}
	it.hdr += it.lenbytes;
	return it;
}

/* Find the end of the msgpack record at pos: its length, 0 if more bytes are needed, or
 * a failure.  Resumes where the last call stopped. */
static int64_t
in_mp_scan(struct mf_in *in)
{
	const unsigned char *p = in->buf + in->pos;
	size_t avail = in->end - in->pos;

	if (!in->started) {
		in->started = 1;
		in->scan = 0;
		in->depth = 0;
		in->left[0] = 1;
		in->nvals = 0;
	}
	for (;;) {
		struct in_mp_item it;
		uint64_t n;

		while (in->depth > 0 && in->left[in->depth] == 0)
			in->depth--;
		if (in->depth == 0 && in->left[0] == 0)
			break;
		if (in->scan >= avail)
			return 0;
		it = in_mp_shape(p[in->scan]);
		if (it.kind == -1)
			return in_fail(in, MF_ERR_FORMAT, "invalid msgpack byte 0xc1 at offset %zu of the record", in->scan);
		if (it.kind == -2)
			return in_fail(in, MF_ERR_FORMAT, "msgpack extension types are not supported");
		if (avail - in->scan < it.hdr)
			return 0;
		n = (it.lenbytes ? in_be(p + in->scan + 1, it.lenbytes) : it.len) + it.extra;
		in->left[in->depth]--;
		if (++in->nvals > IN_MAX_VALUES)
			return in_fail(in, MF_ERR_LIMIT, "record has more than %u values", IN_MAX_VALUES);
		in->scan += it.hdr;
		if (it.kind == 0 || it.kind == 3) {
			if (n > IN_MAX_RECORD - in->scan) {
				in->oversize = 1;
				return 0;
			}
			in->scan += (size_t)n;
		} else {
			if (in->depth + 1 > MFINT_REC_MAX_DEPTH)
				return in_fail(in, MF_ERR_LIMIT, "record nested deeper than %d levels", MFINT_REC_MAX_DEPTH);
			in->left[++in->depth] = it.kind == 2 ? n * 2 : n;
		}
		if (in->scan > IN_MAX_RECORD) {
			in->oversize = 1;
			return 0;
		}
	}
	return in->scan <= avail ? (int64_t)in->scan : 0;
}

struct in_mp {
	struct mf_in *in;
	const unsigned char *p;
	size_t n, i;
};

static int in_mp_map(struct in_mp *d, struct mf_rec *r, uint64_t count);

/* A msgpack timestamp (extension type -1: 4 bytes of seconds; 8 bytes of 30-bit
 * nanoseconds and 34-bit seconds; 12 bytes of 32-bit nanoseconds and signed 64-bit
 * seconds) at p (type byte first), as a TIME value. */
static int
in_mp_timestamp(struct mf_in *in, const unsigned char *p, size_t n, struct mf_value *v)
{
	int64_t sec;
	uint64_t ns = 0, u;

	if ((int8_t)p[0] != -1)
		return in_fail(in, MF_ERR_FORMAT, "msgpack extension type %d is not supported", (int8_t)p[0]);
	if (n == 1 + 4) {
		sec = (int64_t)in_be(p + 1, 4);
	} else if (n == 1 + 8) {
		u = in_be(p + 1, 8);
		ns = u >> 34;
		sec = (int64_t)(u & ((UINT64_C(1) << 34) - 1));
	} else if (n == 1 + 12) {
		ns = in_be(p + 1, 4);
		sec = (int64_t)in_be(p + 5, 8);
	} else {
		return in_fail(in, MF_ERR_FORMAT, "a msgpack timestamp of %zu bytes", n - 1);
	}
	/* nanoseconds since the epoch fit in 64 bits from 1677 to 2262 */
	if (ns >= 1000000000 || sec > INT64_MAX / 1000000000 - 1 || sec < INT64_MIN / 1000000000 + 1)
		return in_fail(in, MF_ERR_FORMAT, "msgpack timestamp out of range");
	v->type = MF_V_TIME;
	v->v.i = sec * 1000000000 + (int64_t)ns;
	return 0;
}

/* Decode one item of the scanned record into *v; strings and arrays go to r's arena. */
static int
in_mp_value(struct in_mp *d, struct mf_rec *r, struct mf_value *v)
{
	const unsigned char *p = d->p;
	unsigned c;
	struct in_mp_item it;
	uint64_t n, i;
	int e;

	if (d->i >= d->n)
		return in_fail(d->in, MF_ERR_FORMAT, "truncated record");
	c = p[d->i];
	it = in_mp_shape(c);
	if (it.kind < 0 || d->n - d->i < it.hdr)
		return in_fail(d->in, MF_ERR_FORMAT, "invalid msgpack");
	n = (it.lenbytes ? in_be(p + d->i + 1, it.lenbytes) : it.len) + it.extra;
	d->i += it.hdr;
	if ((it.kind == 0 || it.kind == 3) && n > d->n - d->i)
		return in_fail(d->in, MF_ERR_FORMAT, "truncated record");
	memset(v, 0, sizeof *v);
	if (c <= 0x7f) {
		v->type = MF_V_UINT;
		v->v.u = c;
	} else if (c >= 0xe0) {
		v->type = MF_V_INT;
		v->v.i = (int8_t)c;
	} else if (c == 0xc0) {
		v->type = MF_V_NIL;
	} else if (c == 0xc2 || c == 0xc3) {
		v->type = MF_V_BOOL;
		v->v.b = c == 0xc3;
	} else if ((c >= 0xa0 && c <= 0xbf) || (c >= 0xd9 && c <= 0xdb) || (c >= 0xc4 && c <= 0xc6)) {
		v->type = c >= 0xc4 && c <= 0xc6 ? MF_V_BIN : MF_V_STR;
		/* large bytes are not copied: they stay in our buffer, which holds still until
		 * the next mf_in_next, as long as the record is valid (BIN needs no NUL) */
		if (v->type == MF_V_BIN && n >= IN_NOCOPY_BIN)
			v->v.s.p = (const char *)p + d->i;
		else if ((v->v.s.p = mfint_rec_strdup(r, p + d->i, (size_t)n)) == NULL)
			return in_fail(d->in, MF_ERR_NOMEM, "out of memory");
		v->v.s.n = (size_t)n;
		d->i += (size_t)n;
	} else if (c >= 0xcc && c <= 0xcf) {
		v->type = MF_V_UINT;
		v->v.u = in_be(p + d->i, (size_t)n);
		d->i += (size_t)n;
	} else if (c >= 0xd0 && c <= 0xd3) {
		uint64_t u = in_be(p + d->i, (size_t)n);
		unsigned bits = (unsigned)n * 8;

		v->type = MF_V_INT;
		/* sign-extend from `bits` */
		v->v.i = bits == 64 ? (int64_t)u : (int64_t)(u ^ (UINT64_C(1) << (bits - 1))) - (int64_t)(UINT64_C(1) << (bits - 1));
		d->i += (size_t)n;
	} else if (c == 0xca) {
		uint32_t u = (uint32_t)in_be(p + d->i, 4);
		float f;

		memcpy(&f, &u, sizeof f);
		v->type = MF_V_FLOAT;
		v->v.f = f;
		d->i += 4;
	} else if (c == 0xcb) {
		uint64_t u = in_be(p + d->i, 8);

		memcpy(&v->v.f, &u, sizeof v->v.f);
		v->type = MF_V_FLOAT;
		d->i += 8;
	} else if (it.kind == 3) {
		if ((e = in_mp_timestamp(d->in, p + d->i, (size_t)n, v)) < 0)
			return e;
		d->i += (size_t)n;
	} else if (it.kind == 2) {
		v->type = MF_V_MAP;
		if ((v->v.map = mfint_rec_kid(r)) == NULL)
			return in_fail(d->in, MF_ERR_NOMEM, "out of memory");
		return in_mp_map(d, v->v.map, n);
	} else if (it.kind == 1) {
		/* every item takes at least one byte: the scan bounded n by the record size */
		if (n > d->n - d->i)
			return in_fail(d->in, MF_ERR_FORMAT, "truncated record");
		v->type = MF_V_ARRAY;
		v->v.arr.n = (size_t)n;
		if (n > 0 && (v->v.arr.v = mfint_rec_alloc(r, (size_t)n * sizeof(struct mf_value))) == NULL)
			return in_fail(d->in, MF_ERR_NOMEM, "out of memory");
		for (i = 0; i < n; i++)
			if ((e = in_mp_value(d, r, &v->v.arr.v[i])) < 0)
				return e;
	} else {
		return in_fail(d->in, MF_ERR_FORMAT, "invalid msgpack");
	}
	return 0;
}

static int
in_mp_map(struct in_mp *d, struct mf_rec *r, uint64_t count)
{
	uint64_t k;
	int e;

	for (k = 0; k < count; k++) {
		struct mf_value key, val;

		if ((e = in_mp_value(d, r, &key)) < 0)
			return e;
		if (key.type != MF_V_STR)
			return in_fail(d->in, MF_ERR_FORMAT, "map key is not a string");
		if (memchr(key.v.s.p, '\0', key.v.s.n) != NULL)
			return in_fail(d->in, MF_ERR_FORMAT, "map key holds a NUL byte");
		if ((e = in_mp_value(d, r, &val)) < 0)
			return e;
		if (mfint_rec_push(r, key.v.s.p, key.v.s.n, &val) < 0)
			return in_fail(d->in, MF_ERR_NOMEM, "out of memory");
	}
	return 0;
}

/* A record that claims more than the cap fails either way; which error depends on
 * whether the bytes exist.  Count them without keeping them: a hostile length costs
 * reading, never memory. */
static int
in_mp_oversize(struct mf_in *in)
{
	uint64_t seen = in->end - in->pos;
	int e;

	for (;;) {
		if (seen > IN_MAX_RECORD)
			return in_fail(in, MF_ERR_LIMIT, "record larger than %u MiB", IN_MAX_RECORD >> 20);
		in->end = in->pos;
		if ((e = in_fill(in)) < 0)
			return e;
		if (e == 0)
			return in_fail(in, MF_ERR_FORMAT, "truncated record");
		seen += in->end - in->pos;
	}
}

static int
in_mp_next(struct mf_in *in)
{
	struct in_mp d = { .in = in };
	int64_t len;
	unsigned c;
	int e;

	for (;;) {
		if (in->pos == in->end) {
			if ((e = in_fill(in)) < 0)
				return e;
			if (e == 0)
				return 0;   /* a clean end: between records */
			continue;
		}
		c = in->buf[in->pos];
		if (!(c >= 0x80 && c <= 0x8f) && c != 0xde && c != 0xdf)
			return in_fail(in, MF_ERR_FORMAT, "record is not a map");
		if ((len = in_mp_scan(in)) < 0)
			return (int)len;
		if (len > 0)
			break;
		if (in->oversize)
			return in_mp_oversize(in);
		if ((e = in_fill(in)) < 0)
			return e;
		if (e == 0)
			return in_fail(in, MF_ERR_FORMAT, "truncated record");
	}
	d.p = in->buf + in->pos;
	d.n = (size_t)len;
	c = d.p[0];
	d.i = c <= 0x8f ? 1 : c == 0xde ? 3 : 5;
	mf_rec_reset(in->rec, NULL);
	if ((e = in_mp_map(&d, in->rec, c <= 0x8f ? c & 15 : in_be(d.p + 1, c == 0xde ? 2 : 4))) < 0)
		return e;
	if (d.i != d.n)   /* cannot happen: the scan and the decoder agree */
		return in_fail(in, MF_ERR_FORMAT, "invalid msgpack");
	if (mfint_rec_type_first(in->rec) < 0)
		return in_fail(in, MF_ERR_FORMAT, "record has no \"type\"");
	in_consume(in, d.n);
	return 1;
}

/* ---- JSON ------------------------------------------------------------------------- */

static int
in_space(unsigned c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Find the end of the JSON value at pos: an object ends at its matching '}' (strings and
 * escapes skipped), anything else at the end of its line.  0 if more bytes are needed. */
static int64_t
in_json_scan(struct mf_in *in)
{
	const unsigned char *p = in->buf + in->pos;
	size_t avail = in->end - in->pos, i;

	if (!in->started) {
		in->started = 1;
		in->scan = 0;
		in->left[0] = 0;
		in->instr = in->esc = 0;
	}
	i = in->scan;
	if (p[0] != '{') {
		const unsigned char *nl = memchr(p + i, '\n', avail - i);

		if (nl != NULL)
			return nl - p;
		i = avail;
	} else {
		for (; i < avail; i++) {
			unsigned c = p[i];

			if (in->instr) {
				if (in->esc)
					in->esc = 0;
				else if (c == '\\')
					in->esc = 1;
				else if (c == '"')
					in->instr = 0;
			} else if (c == '"') {
				in->instr = 1;
			} else if (c == '{' || c == '[') {
				in->left[0]++;
			} else if (c == '}' || c == ']') {
				if (--in->left[0] == 0) {
					in->scan = i + 1;
					return (int64_t)(i + 1);
				}
			}
		}
	}
	in->scan = i;
	if (i > IN_MAX_RECORD)
		return in_fail(in, MF_ERR_LIMIT, "record larger than %u MiB", IN_MAX_RECORD >> 20);
	return 0;
}

static int in_json_value(struct mf_in *in, struct mf_rec *r, json_t *j, struct mf_value *v, unsigned depth);

static int
in_json_object(struct mf_in *in, struct mf_rec *r, json_t *obj, unsigned depth)
{
	const char *key;
	json_t *val;
	int e;

	json_object_foreach(obj, key, val) {
		struct mf_value v;

		if ((e = in_json_value(in, r, val, &v, depth)) < 0)
			return e;
		if (mfint_rec_push(r, key, strlen(key), &v) < 0)
			return in_fail(in, MF_ERR_NOMEM, "out of memory");
	}
	return 0;
}

static int
in_json_value(struct mf_in *in, struct mf_rec *r, json_t *j, struct mf_value *v, unsigned depth)
{
	size_t i, n;
	int e;

	memset(v, 0, sizeof *v);
	if (++in->nvals > IN_MAX_VALUES)
		return in_fail(in, MF_ERR_LIMIT, "record has more than %u values", IN_MAX_VALUES);
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		if (depth + 1 > MFINT_REC_MAX_DEPTH)
			return in_fail(in, MF_ERR_LIMIT, "record nested deeper than %d levels", MFINT_REC_MAX_DEPTH);
		v->type = MF_V_MAP;
		if ((v->v.map = mfint_rec_kid(r)) == NULL)
			return in_fail(in, MF_ERR_NOMEM, "out of memory");
		return in_json_object(in, v->v.map, j, depth + 1);
	case JSON_ARRAY:
		if (depth + 1 > MFINT_REC_MAX_DEPTH)
			return in_fail(in, MF_ERR_LIMIT, "record nested deeper than %d levels", MFINT_REC_MAX_DEPTH);
		n = json_array_size(j);
		v->type = MF_V_ARRAY;
		v->v.arr.n = n;
		if (n > 0 && (v->v.arr.v = mfint_rec_alloc(r, n * sizeof(struct mf_value))) == NULL)
			return in_fail(in, MF_ERR_NOMEM, "out of memory");
		for (i = 0; i < n; i++)
			if ((e = in_json_value(in, r, json_array_get(j, i), &v->v.arr.v[i], depth + 1)) < 0)
				return e;
		return 0;
	case JSON_STRING:
		v->type = MF_V_STR;
		v->v.s.n = json_string_length(j);
		if ((v->v.s.p = mfint_rec_strdup(r, json_string_value(j), v->v.s.n)) == NULL)
			return in_fail(in, MF_ERR_NOMEM, "out of memory");
		return 0;
	case JSON_INTEGER: {
		json_int_t x = json_integer_value(j);

		if (x >= 0) {
			v->type = MF_V_UINT;
			v->v.u = (uint64_t)x;
		} else {
			v->type = MF_V_INT;
			v->v.i = (int64_t)x;
		}
		return 0;
	}
	case JSON_REAL:
		v->type = MF_V_FLOAT;
		v->v.f = json_real_value(j);
		return 0;
	case JSON_TRUE:
	case JSON_FALSE:
		v->type = MF_V_BOOL;
		v->v.b = json_is_true(j);
		return 0;
	default:
		v->type = MF_V_NIL;
		return 0;
	}
}

static int
in_json_next(struct mf_in *in)
{
	json_error_t jerr;
	json_t *j;
	int64_t len;
	int e;

	for (;;) {
		while (in->pos < in->end && in_space(in->buf[in->pos]))
			in_consume(in, 1);
		if (in->pos == in->end) {
			if ((e = in_fill(in)) < 0)
				return e;
			if (e == 0)
				return 0;
			continue;
		}
		if ((len = in_json_scan(in)) < 0)
			return (int)len;
		if (len > 0)
			break;
		if ((e = in_fill(in)) < 0)
			return e;
		if (e == 0) {
			len = (int64_t)(in->end - in->pos);   /* let jansson say what is wrong */
			break;
		}
	}
	j = json_loadb((const char *)in->buf + in->pos, (size_t)len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (j == NULL)
		return in_fail(in, MF_ERR_FORMAT, "invalid JSON: %s", jerr.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return in_fail(in, MF_ERR_FORMAT, "record is not a map");
	}
	mf_rec_reset(in->rec, NULL);
	in->nvals = 0;
	e = in_json_object(in, in->rec, j, 0);
	json_decref(j);
	if (e < 0)
		return e;
	if (mfint_rec_type_first(in->rec) < 0)
		return in_fail(in, MF_ERR_FORMAT, "record has no \"type\"");
	in_consume(in, (size_t)len);
	return 1;
}

/* ---- "hits": many hits in one record --------------------------------------------- */

/* The ULEB128 at p[*pos..n) into *v: 0, or -1 when it is cut off or exceeds 64 bits. */
static int
in_uleb(const unsigned char *p, size_t n, size_t *pos, uint64_t *v)
{
	uint64_t x = 0;
	unsigned shift = 0;

	for (;;) {
		unsigned char b;

		if (*pos >= n || shift > 63)
			return -1;
		b = p[(*pos)++];
		if (shift == 63 && (b & 0x7e) != 0)
			return -1;
		x |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			break;
		shift += 7;
	}
	*v = x;
	return 0;
}

/* The next hit of the pack into in->rec: its fields but "count" and "deltas", the type
 * "hit" and the next address. */
static int
in_pack_next(struct mf_in *in)
{
	size_t i, n = mf_rec_count(in->pack);
	uint64_t d;

	/* the first hit is at "addr", each next one a delta on (checked by in_pack_start) */
	if (in->pack_first)
		in->pack_first = 0;
	else if (in_uleb(in->pack_deltas, in->pack_ndeltas, &in->pack_pos, &d) == 0)
		in->pack_addr += d;
	in->pack_left--;
	mf_rec_reset(in->rec, "hit");
	for (i = 1; i < n; i++) {
		const struct mf_field *f = mf_rec_field(in->pack, i);
		int e;

		if (strcmp(f->key, "count") == 0 || strcmp(f->key, "deltas") == 0)
			continue;
		e = strcmp(f->key, "addr") == 0 ? mf_rec_add_addr(in->rec, "addr", in->pack_addr)
		                                : mf_rec_add_value(in->rec, f->key, &f->val);
		if (e < 0)
			return in_fail(in, MF_ERR_NOMEM, "out of memory");
	}
	return 1;
}

/* in->rec is a "hits" record that started at byte off: check it whole, then hand out its
 * first hit. */
static int
in_pack_start(struct mf_in *in, uint64_t off)
{
	struct mf_rec *t;
	const void *dp = NULL;
	size_t dn = 0, pos = 0;
	uint64_t count, addr, a, d, k;

#define in_pack_fail(in, off, ...) ((in)->off = (off), in_fail((in), MF_ERR_FORMAT, __VA_ARGS__))

	if (in->pack == NULL && (in->pack = mf_rec_new(NULL)) == NULL)
		return in_fail(in, MF_ERR_NOMEM, "out of memory");
	t = in->pack;
	in->pack = in->rec;
	in->rec = t;
	if (mf_rec_get_u64(in->pack, "count", &count) < 0 || count == 0)
		return in_pack_fail(in, off, "hits record without a \"count\" of at least 1");
	if (mf_rec_get_u64(in->pack, "addr", &addr) < 0)
		return in_pack_fail(in, off, "hits record without an \"addr\"");
	if (mf_rec_get_bin(in->pack, "deltas", &dp, &dn) < 0)
		return in_pack_fail(in, off, "hits record without \"deltas\" (bin)");
	/* count - 1 deltas, each at least one byte: the count is bounded by the bytes */
	if (count - 1 > dn)
		return in_pack_fail(in, off, "hits record: count %" PRIu64 " but %zu bytes of deltas", count, dn);
	for (a = addr, k = 1; k < count; k++) {
		if (in_uleb(dp, dn, &pos, &d) < 0)
			return in_pack_fail(in, off, "hits record: delta %" PRIu64 " cut off or over 64 bits", k);
		if (d == 0 || a + d < a)
			return in_pack_fail(in, off, "hits record: delta %" PRIu64 " is %s", k,
			               d == 0 ? "0 (addresses must increase)" : "past the top of the address space");
		a += d;
	}
	if (pos != dn)
		return in_pack_fail(in, off, "hits record: %zu bytes after the last of %" PRIu64 " deltas", dn - pos,
		               count - 1);
	in->pack_deltas = dp;
	in->pack_ndeltas = dn;
	in->pack_pos = 0;
	in->pack_addr = addr;
	in->pack_left = count;
	in->pack_first = 1;
	return in_pack_next(in);
#undef in_pack_fail
}

/* ---- the stream ------------------------------------------------------------------- */

static int
in_detect(struct mf_in *in)
{
	unsigned c;
	int e;

	for (;;) {
		while (in->pos < in->end && in_space(in->buf[in->pos]))
			in_consume(in, 1);
		if (in->pos < in->end)
			break;
		if ((e = in_fill(in)) < 0)
			return e;
		if (e == 0)
			return 0;
	}
	c = in->buf[in->pos];
	if (c == '{')
		in->mode = IN_JSON;
	else if ((c >= 0x80 && c <= 0x8f) || c == 0xde || c == 0xdf)
		in->mode = IN_MSGPACK;
	else
		return in_fail(in, MF_ERR_FORMAT, "not a record stream (expected msgpack or JSON lines)");
	return 1;
}

MF_API int
mf_in_next(struct mf_in *in, const struct mf_rec **rec, char *errbuf)
{
	uint64_t off;
	int e;

	if (in->unread && in->have) {
		in->unread = 0;
		*rec = in->rec;
		return 1;
	}
	in->have = in->unread = 0;
	if (in->pack_left > 0 && in->mode != IN_FAILED) {
		e = in_pack_next(in);
		goto out;
	}
	if (in->mode == IN_DETECT) {
		if ((e = in_detect(in)) <= 0)
			goto out;
	}
	/* where the record starts, for the errors of a hits record (past the white space
	 * before a JSON object that has arrived) */
	while (in->mode == IN_JSON && in->pos < in->end && in_space(in->buf[in->pos]))
		in_consume(in, 1);
	off = in->off;
	switch (in->mode) {
	case IN_MSGPACK: e = in_mp_next(in); break;
	case IN_JSON: e = in_json_next(in); break;
	case IN_DONE: return 0;
	default: e = in->err; break;
	}
	if (e > 0 && strcmp(mf_rec_type(in->rec), "hits") == 0)
		e = in_pack_start(in, off);
out:
	if (e > 0) {
		in->have = 1;
		*rec = in->rec;
		return 1;
	}
	if (e == 0) {
		in->mode = IN_DONE;
		return 0;
	}
	if (errbuf != NULL)
		snprintf(errbuf, MF_ERRBUF_SIZE, "%s", in->msg);
	return e;
}
