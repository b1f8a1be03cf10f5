/* hints.c: the small key -> value store connectors and os layers fill with what they know
 * (arch, dtb, kernel_base, format, vmcoreinfo ...) and target records carry. */
#include "mf-int.h"

#include <stdlib.h>
#include <string.h>

enum { HINT_U64, HINT_STR, HINT_BIN };

struct hint {
	char *key;
	int type;
	uint64_t u;
	void *p;       /* STR: NUL-terminated; BIN: n bytes (+ a NUL) */
	size_t n;
};

struct mf_hints {
	struct hint *v;
	size_t n, cap;
};

MF_API struct mf_hints *
mf_hints_new(void)
{
	return calloc(1, sizeof(struct mf_hints));
}

MF_API void
mf_hints_free(struct mf_hints *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n; i++) {
		free(h->v[i].key);
		free(h->v[i].p);
	}
	free(h->v);
	free(h);
}

static struct hint *
hints_find(const struct mf_hints *h, const char *key)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strcmp(h->v[i].key, key) == 0)
			return &h->v[i];
	return NULL;
}

/* Find or add the entry for key, clearing any old value. */
static struct hint *
hints_slot(struct mf_hints *h, const char *key)
{
	struct hint *e = hints_find(h, key);

	if (e != NULL) {
		free(e->p);
		e->p = NULL;
		e->n = 0;
		return e;
	}
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		struct hint *v = realloc(h->v, cap * sizeof *v);

		if (v == NULL)
			return NULL;
		h->v = v;
		h->cap = cap;
	}
	e = &h->v[h->n];
	memset(e, 0, sizeof *e);
	if ((e->key = strdup(key)) == NULL)
		return NULL;
	h->n++;
	return e;
}

MF_API int
mf_hints_set_u64(struct mf_hints *h, const char *key, uint64_t v)
{
	struct hint *e = hints_slot(h, key);

	if (e == NULL)
		return MF_ERR_NOMEM;
	e->type = HINT_U64;
	e->u = v;
	return 0;
}

MF_API int
mf_hints_set_bin(struct mf_hints *h, const char *key, const void *p, size_t n)
{
	struct hint *e = hints_slot(h, key);

	if (e == NULL)
		return MF_ERR_NOMEM;
	if ((e->p = malloc(n + 1)) == NULL)
		return MF_ERR_NOMEM;
	if (n)
		memcpy(e->p, p, n);
	((char *)e->p)[n] = '\0';
	e->n = n;
	e->type = HINT_BIN;
	return 0;
}

MF_API int
mf_hints_set_str(struct mf_hints *h, const char *key, const char *s)
{
	int r = mf_hints_set_bin(h, key, s, strlen(s));

	if (r == 0)
		hints_find(h, key)->type = HINT_STR;
	return r;
}

MF_API int
mf_hints_get_u64(const struct mf_hints *h, const char *key, uint64_t *v)
{
	const struct hint *e = hints_find(h, key);

	if (e == NULL)
		return MF_ERR_NOTFOUND;
	if (e->type != HINT_U64)
		return mf_parse_u64(e->p, v) < 0 ? MF_ERR_FORMAT : 0;
	*v = e->u;
	return 0;
}

MF_API const char *
mf_hints_get_str(const struct mf_hints *h, const char *key)
{
	const struct hint *e = hints_find(h, key);

	return e != NULL && e->type != HINT_U64 ? e->p : NULL;
}

MF_API const void *
mf_hints_get_bin(const struct mf_hints *h, const char *key, size_t *n)
{
	const struct hint *e = hints_find(h, key);

	if (e == NULL || e->type == HINT_U64)
		return NULL;
	*n = e->n;
	return e->p;
}

/* The number hints that are not addresses.  A connector or os layer adding a count or a
 * flag adds its key here. */
static const struct {
	const char *key;
	enum mf_hint_kind kind;
} hints_kinds[] = {
	{ "block_size", MF_HINT_NUMBER },
	{ "build", MF_HINT_NUMBER },
	{ "cpus", MF_HINT_NUMBER },
	{ "dump_type", MF_HINT_NUMBER },
	{ "granule", MF_HINT_NUMBER },
	{ "live", MF_HINT_FLAG },
	{ "nr_cpus", MF_HINT_NUMBER },
	{ "page_size", MF_HINT_NUMBER },
	{ "pid", MF_HINT_NUMBER },
	{ "qemu_pid", MF_HINT_NUMBER },
	{ "va_bits", MF_HINT_NUMBER },
};

MF_API enum mf_hint_kind
mf_hint_kind(const char *key)
{
	size_t i;

	for (i = 0; key != NULL && i < mf_countof(hints_kinds); i++)
		if (strcmp(hints_kinds[i].key, key) == 0)
			return hints_kinds[i].kind;
	return MF_HINT_ADDR;
}

/* A number hint as a record value of its kind: address, unsigned number or bool. */
static int
hints_add_u64(struct mf_rec *map, const char *key, uint64_t v)
{
	switch (mf_hint_kind(key)) {
	case MF_HINT_NUMBER: return mf_rec_add_uint(map, key, v);
	case MF_HINT_FLAG: return mf_rec_add_bool(map, key, v != 0);
	default: return mf_rec_add_addr(map, key, v);
	}
}

/* Hints as a record map: numbers by their kind, strings as strings, bytes as bin. */
int
mfint_hints_to_rec(const struct mf_hints *h, struct mf_rec *map)
{
	size_t i;
	int r = 0;

	for (i = 0; i < h->n && r == 0; i++) {
		const struct hint *e = &h->v[i];

		switch (e->type) {
		case HINT_U64: r = hints_add_u64(map, e->key, e->u); break;
		case HINT_STR: r = mf_rec_add_strn(map, e->key, e->p, e->n); break;
		default: r = mf_rec_add_bin(map, e->key, e->p, e->n); break;
		}
	}
	return r;
}

int
mfint_hints_from_rec(struct mf_hints *h, const struct mf_rec *map)
{
	size_t i, n = mf_rec_count(map);
	int r = 0;

	for (i = 0; i < n && r == 0; i++) {
		const struct mf_field *f = mf_rec_field(map, i);
		const struct mf_value *v = &f->val;

		switch (v->type) {
		case MF_V_UINT:
		case MF_V_ADDR: r = mf_hints_set_u64(h, f->key, v->v.u); break;
		case MF_V_INT: r = mf_hints_set_u64(h, f->key, (uint64_t)v->v.i); break;
		case MF_V_BOOL: r = mf_hints_set_u64(h, f->key, v->v.b); break;
		case MF_V_STR: {
			uint64_t u;
			char *s = strndup(v->v.s.p, v->v.s.n);

			if (s == NULL)
				return MF_ERR_NOMEM;
			/* JSON carries addresses as "0x..." strings */
			if (v->v.s.n > 2 && s[0] == '0' && s[1] == 'x' && mf_parse_u64(s, &u) == 0)
				r = mf_hints_set_u64(h, f->key, u);
			else
				r = mf_hints_set_str(h, f->key, s);
			free(s);
			break;
		}
		case MF_V_BIN: r = mf_hints_set_bin(h, f->key, v->v.s.p, v->v.s.n); break;
		default: break;   /* nested values are not hints */
		}
	}
	return r;
}

/* Copy into dst every entry of src whose key dst lacks (except `skip`). */
int
mfint_hints_merge_missing(struct mf_hints *dst, const struct mf_hints *src, const char *skip)
{
	size_t i;
	int r = 0;

	for (i = 0; i < src->n && r == 0; i++) {
		const struct hint *e = &src->v[i];

		if (hints_find(dst, e->key) != NULL || (skip != NULL && strcmp(e->key, skip) == 0))
			continue;
		switch (e->type) {
		case HINT_U64: r = mf_hints_set_u64(dst, e->key, e->u); break;
		case HINT_STR: r = mf_hints_set_str(dst, e->key, e->p); break;
		default: r = mf_hints_set_bin(dst, e->key, e->p, e->n); break;
		}
	}
	return r;
}
