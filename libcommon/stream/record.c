/* record.c: records, the unit of the record stream: an ordered list of typed fields whose
 * strings, bytes and arrays live in the record's arena.  Records are reused (one per input
 * line or per process listed): mf_rec_reset keeps the field array, the arena chunks and the
 * pool of nested maps, so a steady stream of records of similar size allocates nothing. */
#include "record-int.h"

#include <stdlib.h>
#include <string.h>

/* Chunks larger than this are released on reset, so one huge record (a 100 MiB bin) does
 * not pin its memory for the rest of the stream. */
#define RECORD_KEEP_CHUNK (4u << 20)
#define RECORD_MIN_CHUNK 512u

struct record_chunk {
	struct record_chunk *next;
	size_t size, used;
	max_align_t data[];
};

struct mf_rec {
	struct mf_field *f;
	size_t n, cap;
	struct record_chunk *head, *cur;   /* arena: chunks in order, cur = the one filling */
	struct mf_rec **kids;              /* nested maps owned by this record */
	size_t nkids, nalloc, arrcap;      /* in use, allocated (all kept), array capacity */
};

void *
mfint_rec_alloc(struct mf_rec *r, size_t n)
{
	struct record_chunk *c, **tail;
	size_t size;

	if (n > SIZE_MAX - 16)
		return NULL;
	n = (n + 7) & ~(size_t)7;
	for (c = r->cur; c != NULL; c = c->next) {
		if (c->size - c->used >= n) {
			void *p = (char *)c->data + c->used;

			c->used += n;
			r->cur = c;
			return p;
		}
	}
	/* append a chunk: at least double the last one, at least n */
	size = RECORD_MIN_CHUNK;
	for (tail = &r->head; *tail != NULL; tail = &(*tail)->next)
		if ((*tail)->size <= RECORD_KEEP_CHUNK / 2 && (*tail)->size * 2 > size)
			size = (*tail)->size * 2;
	if (size < n)
		size = n;
	if ((c = malloc(sizeof *c + size)) == NULL)
		return NULL;
	c->next = NULL;
	c->size = size;
	c->used = n;
	*tail = c;
	r->cur = c;
	return c->data;
}

char *
mfint_rec_strdup(struct mf_rec *r, const void *p, size_t n)
{
	char *s;

	if (n == SIZE_MAX || (s = mfint_rec_alloc(r, n + 1)) == NULL)
		return NULL;
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static void
record_clear(struct mf_rec *r)
{
	struct record_chunk *c, **pp;
	size_t i;

	r->n = 0;
	for (pp = &r->head; (c = *pp) != NULL;) {
		if (c->size > RECORD_KEEP_CHUNK) {
			*pp = c->next;
			free(c);
			continue;
		}
		c->used = 0;
		pp = &c->next;
	}
	r->cur = r->head;
	for (i = 0; i < r->nkids; i++)
		record_clear(r->kids[i]);
	r->nkids = 0;
}

MF_API void
mf_rec_free(struct mf_rec *r)
{
	struct record_chunk *c, *next;
	size_t i;

	if (r == NULL)
		return;
	for (c = r->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	for (i = 0; i < r->nalloc; i++)
		mf_rec_free(r->kids[i]);
	free(r->kids);
	free(r->f);
	free(r);
}

MF_API struct mf_rec *
mf_rec_new(const char *type)
{
	struct mf_rec *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	if (type != NULL && mf_rec_add_str(r, "type", type) < 0) {
		mf_rec_free(r);
		return NULL;
	}
	return r;
}

MF_API void
mf_rec_reset(struct mf_rec *r, const char *type)
{
	record_clear(r);
	/* cannot fail after the first use: the field array and arena are kept */
	if (type != NULL)
		(void)mf_rec_add_str(r, "type", type);
}

MF_API const char *
mf_rec_type(const struct mf_rec *r)
{
	if (r != NULL && r->n > 0 && r->f[0].val.type == MF_V_STR && strcmp(r->f[0].key, "type") == 0)
		return r->f[0].val.v.s.p;
	return "";
}

struct mf_rec *
mfint_rec_kid(struct mf_rec *r)
{
	struct mf_rec *k;

	if (r->nkids < r->nalloc)
		return r->kids[r->nkids++];
	if (r->nalloc == r->arrcap) {
		size_t cap = r->arrcap ? r->arrcap * 2 : 4;
		struct mf_rec **v = realloc(r->kids, cap * sizeof *v);

		if (v == NULL)
			return NULL;
		r->kids = v;
		r->arrcap = cap;
	}
	if ((k = calloc(1, sizeof *k)) == NULL)
		return NULL;
	r->kids[r->nalloc++] = k;
	r->nkids++;
	return k;
}

int
mfint_rec_push(struct mf_rec *r, const char *key, size_t keylen, const struct mf_value *v)
{
	const char *k;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct mf_field *f = realloc(r->f, cap * sizeof *f);

		if (f == NULL)
			return MF_ERR_NOMEM;
		r->f = f;
		r->cap = cap;
	}
	if ((k = mfint_rec_strdup(r, key, keylen)) == NULL)
		return MF_ERR_NOMEM;
	r->f[r->n].key = k;
	r->f[r->n].val = *v;
	r->n++;
	return 0;
}

int
mfint_rec_type_first(struct mf_rec *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (strcmp(r->f[i].key, "type") != 0)
			continue;
		if (r->f[i].val.type != MF_V_STR || r->f[i].val.v.s.n == 0)
			return MF_ERR_NOTFOUND;
		if (i > 0) {
			struct mf_field t = r->f[i];

			memmove(&r->f[1], &r->f[0], i * sizeof t);
			r->f[0] = t;
		}
		return 0;
	}
	return MF_ERR_NOTFOUND;
}

static int
record_add(struct mf_rec *r, const char *key, const struct mf_value *v)
{
	return mfint_rec_push(r, key, strlen(key), v);
}

MF_API int
mf_rec_add_uint(struct mf_rec *r, const char *key, uint64_t u)
{
	struct mf_value v = { .type = MF_V_UINT, .v.u = u };

	return record_add(r, key, &v);
}

MF_API int
mf_rec_add_addr(struct mf_rec *r, const char *key, uint64_t u)
{
	struct mf_value v = { .type = MF_V_ADDR, .v.u = u };

	return record_add(r, key, &v);
}

MF_API int
mf_rec_add_time(struct mf_rec *r, const char *key, int64_t ns)
{
	struct mf_value v = { .type = MF_V_TIME, .v.i = ns };

	return record_add(r, key, &v);
}

MF_API int
mf_rec_add_int(struct mf_rec *r, const char *key, int64_t i)
{
	struct mf_value v = { .type = MF_V_INT, .v.i = i };

	return record_add(r, key, &v);
}

MF_API int
mf_rec_add_float(struct mf_rec *r, const char *key, double f)
{
	struct mf_value v = { .type = MF_V_FLOAT, .v.f = f };

	return record_add(r, key, &v);
}

MF_API int
mf_rec_add_bool(struct mf_rec *r, const char *key, bool b)
{
	struct mf_value v = { .type = MF_V_BOOL, .v.b = b };

	return record_add(r, key, &v);
}

MF_API int
mf_rec_add_nil(struct mf_rec *r, const char *key)
{
	struct mf_value v = { .type = MF_V_NIL };

	return record_add(r, key, &v);
}

static int
record_add_bytes(struct mf_rec *r, const char *key, enum mf_vtype t, const void *p, size_t n)
{
	struct mf_value v = { .type = t };

	if ((v.v.s.p = mfint_rec_strdup(r, p, n)) == NULL)
		return MF_ERR_NOMEM;
	v.v.s.n = n;
	return record_add(r, key, &v);
}

MF_API int
mf_rec_add_strn(struct mf_rec *r, const char *key, const char *s, size_t n)
{
	return record_add_bytes(r, key, MF_V_STR, s, n);
}

MF_API int
mf_rec_add_str(struct mf_rec *r, const char *key, const char *s)
{
	return record_add_bytes(r, key, MF_V_STR, s, s ? strlen(s) : 0);
}

MF_API int
mf_rec_add_bin(struct mf_rec *r, const char *key, const void *p, size_t n)
{
	return record_add_bytes(r, key, MF_V_BIN, p, n);
}

MF_API struct mf_rec *
mf_rec_add_map(struct mf_rec *r, const char *key)
{
	struct mf_value v = { .type = MF_V_MAP };

	if ((v.v.map = mfint_rec_kid(r)) == NULL)
		return NULL;
	if (record_add(r, key, &v) < 0) {
		r->nkids--;
		return NULL;
	}
	return v.v.map;
}

static int record_copy_map(struct mf_rec *dst, const struct mf_rec *src, int depth);

/* Deep copy of *src into *dst, with everything it points to in r. */
static int
record_copy_value(struct mf_rec *r, struct mf_value *dst, const struct mf_value *src, int depth)
{
	size_t i;
	int e;

	if (depth > MFINT_REC_MAX_DEPTH * 2)
		return MF_ERR_LIMIT;
	*dst = *src;
	switch (src->type) {
	case MF_V_STR:
	case MF_V_BIN:
		if ((dst->v.s.p = mfint_rec_strdup(r, src->v.s.p, src->v.s.n)) == NULL)
			return MF_ERR_NOMEM;
		return 0;
	case MF_V_MAP:
		if ((dst->v.map = mfint_rec_kid(r)) == NULL)
			return MF_ERR_NOMEM;
		return src->v.map ? record_copy_map(dst->v.map, src->v.map, depth + 1) : 0;
	case MF_V_ARRAY:
		if (src->v.arr.n > SIZE_MAX / sizeof(struct mf_value))
			return MF_ERR_NOMEM;
		dst->v.arr.v = src->v.arr.n ? mfint_rec_alloc(r, src->v.arr.n * sizeof(struct mf_value)) : NULL;
		if (src->v.arr.n && dst->v.arr.v == NULL)
			return MF_ERR_NOMEM;
		for (i = 0; i < src->v.arr.n; i++)
			if ((e = record_copy_value(r, &dst->v.arr.v[i], &src->v.arr.v[i], depth + 1)) < 0)
				return e;
		return 0;
	default:
		return 0;
	}
}

static int
record_copy_map(struct mf_rec *dst, const struct mf_rec *src, int depth)
{
	size_t i;
	int e;

	for (i = 0; i < src->n; i++) {
		struct mf_value v;

		if ((e = record_copy_value(dst, &v, &src->f[i].val, depth)) < 0)
			return e;
		if ((e = record_add(dst, src->f[i].key, &v)) < 0)
			return e;
	}
	return 0;
}

MF_API int
mf_rec_add_value(struct mf_rec *r, const char *key, const struct mf_value *v)
{
	struct mf_value c;
	int e;

	if ((e = record_copy_value(r, &c, v, 0)) < 0)
		return e;
	return record_add(r, key, &c);
}

MF_API struct mf_rec *
mf_rec_dup(const struct mf_rec *r)
{
	struct mf_rec *d = mf_rec_new(NULL);

	if (d != NULL && record_copy_map(d, r, 0) < 0) {
		mf_rec_free(d);
		return NULL;
	}
	return d;
}

MF_API size_t
mf_rec_count(const struct mf_rec *r)
{
	return r->n;
}

MF_API const struct mf_field *
mf_rec_field(const struct mf_rec *r, size_t i)
{
	return i < r->n ? &r->f[i] : NULL;
}

MF_API const struct mf_value *
mf_rec_get(const struct mf_rec *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->f[i].key, key) == 0)
			return &r->f[i].val;
	return NULL;
}

/* "0x" + 1..16 hex digits, or 1..20 decimal digits that fit: nothing else (no sign, no
 * space, no unit suffix: this is data, not a command-line argument). */
static int
record_parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (n - 2 > 16)
			return MF_ERR_FORMAT;
		for (i = 2; i < n; i++) {
			int d = mfint_hexval((unsigned char)s[i]);

			if (d < 0)
				return MF_ERR_FORMAT;
			v = v << 4 | (uint64_t)d;
		}
		*out = v;
		return 0;
	}
	if (n == 0)
		return MF_ERR_FORMAT;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return MF_ERR_FORMAT;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

MF_API int
mf_rec_get_u64(const struct mf_rec *r, const char *key, uint64_t *out)
{
	const struct mf_value *v = mf_rec_get(r, key);

	if (v == NULL)
		return MF_ERR_NOTFOUND;
	switch (v->type) {
	case MF_V_UINT:
	case MF_V_ADDR:
		*out = v->v.u;
		return 0;
	case MF_V_INT:
		if (v->v.i < 0)
			return MF_ERR_FORMAT;
		*out = (uint64_t)v->v.i;
		return 0;
	case MF_V_STR:
		return record_parse_u64(v->v.s.p, v->v.s.n, out);
	default:
		return MF_ERR_FORMAT;
	}
}

MF_API int
mf_rec_get_i64(const struct mf_rec *r, const char *key, int64_t *out)
{
	const struct mf_value *v = mf_rec_get(r, key);
	uint64_t u;

	if (v == NULL)
		return MF_ERR_NOTFOUND;
	switch (v->type) {
	case MF_V_INT:
	case MF_V_TIME:   /* nanoseconds since the epoch */
		*out = v->v.i;
		return 0;
	case MF_V_UINT:
	case MF_V_ADDR:
		if (v->v.u > INT64_MAX)
			return MF_ERR_FORMAT;
		*out = (int64_t)v->v.u;
		return 0;
	case MF_V_STR:
		if (v->v.s.n > 1 && v->v.s.p[0] == '-') {
			if (record_parse_u64(v->v.s.p + 1, v->v.s.n - 1, &u) < 0 || u > (uint64_t)INT64_MAX + 1)
				return MF_ERR_FORMAT;
			*out = (int64_t)(0 - u);
			return 0;
		}
		if (record_parse_u64(v->v.s.p, v->v.s.n, &u) < 0 || u > INT64_MAX)
			return MF_ERR_FORMAT;
		*out = (int64_t)u;
		return 0;
	default:
		return MF_ERR_FORMAT;
	}
}

MF_API int
mf_rec_get_f64(const struct mf_rec *r, const char *key, double *out)
{
	const struct mf_value *v = mf_rec_get(r, key);

	if (v == NULL)
		return MF_ERR_NOTFOUND;
	switch (v->type) {
	case MF_V_FLOAT: *out = v->v.f; return 0;
	case MF_V_INT: *out = (double)v->v.i; return 0;
	case MF_V_UINT:
	case MF_V_ADDR: *out = (double)v->v.u; return 0;
	default: return MF_ERR_FORMAT;
	}
}

MF_API int
mf_rec_get_str(const struct mf_rec *r, const char *key, const char **s, size_t *n)
{
	const struct mf_value *v = mf_rec_get(r, key);

	if (v == NULL)
		return MF_ERR_NOTFOUND;
	if (v->type != MF_V_STR)
		return MF_ERR_FORMAT;
	*s = v->v.s.p;
	if (n != NULL)
		*n = v->v.s.n;
	return 0;
}

/* A hex string (what JSON carries for bytes) is decoded once into the arena and the field
 * becomes BIN in place: later getters and writers see the bytes. */
MF_API int
mf_rec_get_bin(const struct mf_rec *r, const char *key, const void **p, size_t *n)
{
	struct mf_value *v = (struct mf_value *)mf_rec_get(r, key);
	unsigned char *b;
	size_t i;

	if (v == NULL)
		return MF_ERR_NOTFOUND;
	if (v->type == MF_V_STR) {
		if (v->v.s.n % 2 != 0)
			return MF_ERR_FORMAT;
		for (i = 0; i < v->v.s.n; i++)
			if (mfint_hexval((unsigned char)v->v.s.p[i]) < 0)
				return MF_ERR_FORMAT;
		/* the record is the caller's const view; its arena is ours to extend */
		if ((b = mfint_rec_alloc((struct mf_rec *)r, v->v.s.n / 2 + 1)) == NULL)
			return MF_ERR_NOMEM;
		for (i = 0; i < v->v.s.n / 2; i++)
			b[i] = (unsigned char)(mfint_hexval((unsigned char)v->v.s.p[2 * i]) << 4 |
			                       mfint_hexval((unsigned char)v->v.s.p[2 * i + 1]));
		b[v->v.s.n / 2] = 0;
		v->v.s.n /= 2;
		v->v.s.p = (const char *)b;
		v->type = MF_V_BIN;
	}
	if (v->type != MF_V_BIN)
		return MF_ERR_FORMAT;
	*p = v->v.s.p;
	*n = v->v.s.n;
	return 0;
}

MF_API struct mf_rec *
mf_rec_get_map(const struct mf_rec *r, const char *key)
{
	const struct mf_value *v = mf_rec_get(r, key);

	return v != NULL && v->type == MF_V_MAP ? v->v.map : NULL;
}
