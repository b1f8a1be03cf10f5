/* pdb-types.c: the TPI stream of a PDB: record index, type records, names, sizes and
 * struct members (field lists with their continuations). */
#include "pluginlib/pdb-int.h"
#include "pluginlib/bytes.h"
#include "pluginlib/error.h"

#include <mftools/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TPI_HEADER 56u
#define PDB_FIELD_HOPS 1024u          /* LF_INDEX continuations of one field list */


/* ---- simple types ---- */

static const struct {
	uint8_t kind, size;
	const char *name;
} pdb_simple[] = {
	{ 0x03, 0, "void" }, { 0x08, 4, "HRESULT" }, { 0x10, 1, "signed char" }, { 0x20, 1, "unsigned char" },
	{ 0x70, 1, "char" }, { 0x71, 2, "wchar_t" }, { 0x7a, 2, "char16_t" }, { 0x7b, 4, "char32_t" },
	{ 0x7c, 1, "char8_t" }, { 0x68, 1, "__int8" }, { 0x69, 1, "unsigned __int8" }, { 0x11, 2, "short" },
	{ 0x21, 2, "unsigned short" }, { 0x72, 2, "short" }, { 0x73, 2, "unsigned short" }, { 0x12, 4, "long" },
	{ 0x22, 4, "unsigned long" }, { 0x74, 4, "int" }, { 0x75, 4, "unsigned" }, { 0x13, 8, "__int64" },
	{ 0x23, 8, "unsigned __int64" }, { 0x76, 8, "__int64" }, { 0x77, 8, "unsigned __int64" },
	{ 0x14, 16, "__int128" }, { 0x24, 16, "unsigned __int128" }, { 0x78, 16, "__int128" },
	{ 0x79, 16, "unsigned __int128" }, { 0x46, 2, "__half" }, { 0x40, 4, "float" }, { 0x45, 4, "float" },
	{ 0x44, 6, "__float48" }, { 0x41, 8, "double" }, { 0x42, 10, "long double" }, { 0x43, 16, "__float128" },
	{ 0x30, 1, "bool" }, { 0x31, 2, "__bool16" }, { 0x32, 4, "__bool32" }, { 0x33, 8, "__bool64" },
};
/* simple pointer modes 1..7: near, far, huge (16-bit), near32, far32, near64, near128 */
static const uint8_t pdb_simple_ptr[8] = { 0, 2, 4, 4, 4, 6, 8, 16 };

static int
pdb_simple_type(uint32_t ti, struct pdb_type *t, char *errbuf)
{
	size_t i;

	memset(t, 0, sizeof *t);
	t->ti = ti;
	t->kind = PDB_K_BASE;
	for (i = 0; i < sizeof pdb_simple / sizeof *pdb_simple; i++)
		if (pdb_simple[i].kind == (ti & 0xff)) {
			t->name = pdb_simple[i].name;
			t->size = pdb_simple[i].size;
		}
	if (t->name == NULL || (ti & ~0x7ffu) != 0)
		return plib_error(errbuf, MF_ERR_FORMAT, "type 0x%x: not a simple type", ti);
	if ((ti >> 8) & 7) {
		t->kind = PDB_K_POINTER;
		t->elem = ti & 0xff;
		t->size = pdb_simple_ptr[(ti >> 8) & 7];
	}
	return 0;
}

/* ---- numeric leaves and records ---- */

/* a value below 0x8000, or a kind and a value after it */
int
pdbint_num(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint16_t k;
	size_t n;

	if (end - p < 2)
		return -1;
	k = get_le16(p);
	p += 2;
	if (k < 0x8000) {
		*v = k;
		*pp = p;
		return 0;
	}
	switch (k) {
	case 0x8000: n = 1; break;                /* LF_CHAR */
	case 0x8001: case 0x8002: n = 2; break;   /* LF_SHORT, LF_USHORT */
	case 0x8003: case 0x8004: n = 4; break;   /* LF_LONG, LF_ULONG */
	case 0x8009: case 0x800a: n = 8; break;   /* LF_QUADWORD, LF_UQUADWORD */
	default: return -1;
	}
	if ((size_t)(end - p) < n)
		return -1;
	switch (k) {
	case 0x8000: *v = (uint64_t)(int64_t)(int8_t)p[0]; break;
	case 0x8001: *v = (uint64_t)(int64_t)(int16_t)get_le16(p); break;
	case 0x8002: *v = get_le16(p); break;
	case 0x8003: *v = (uint64_t)(int64_t)(int32_t)get_le32(p); break;
	case 0x8004: *v = get_le32(p); break;
	default: *v = get_le64(p); break;
	}
	*pp = p + n;
	return 0;
}

int
pdbint_rec(const struct pdb *p, uint32_t ti, const uint8_t **start, const uint8_t **end, char *errbuf)
{
	const struct pdb_rec *r;

	if (ti < PDB_TI_FIRST || ti - PDB_TI_FIRST >= p->info.ntypes)
		return plib_error(errbuf, MF_ERR_NOTFOUND, "type 0x%x: not in the TPI stream (0x%x..0x%x)", ti, PDB_TI_FIRST,
		                  PDB_TI_FIRST + p->info.ntypes - 1);
	r = &p->recs[ti - PDB_TI_FIRST];
	*start = p->tpi + r->off;
	*end = *start + r->len;
	return 0;
}

static bool
pdb_anonymous_name(const char *n)
{
	return n[0] == '\0' || strstr(n, "<unnamed-") != NULL || strstr(n, "__unnamed") != NULL ||
	       strstr(n, "<anonymous-") != NULL;
}

#define pdb_bad(errbuf, ti, what) plib_error(errbuf, MF_ERR_FORMAT, "type 0x%x: %s", ti, what)

/* One record as it is, forward references not followed; *uniq its unique name or NULL. */
static int
pdb_parse(const struct pdb *p, uint32_t ti, struct pdb_type *t, const char **uniq, char *errbuf)
{
	const uint8_t *r, *end, *q;
	uint16_t kind, prop = 0;
	int e;

	if (uniq != NULL)
		*uniq = NULL;
	if (ti < PDB_TI_FIRST)
		return pdb_simple_type(ti, t, errbuf);
	if ((e = pdbint_rec(p, ti, &r, &end, errbuf)) < 0)
		return e;
	memset(t, 0, sizeof *t);
	t->ti = ti;
	t->name = "";
	kind = get_le16(r);
	switch (kind) {
	case LF_MODIFIER:
		if (end - r < 8)
			return pdb_bad(errbuf, ti, "LF_MODIFIER too short");
		t->kind = PDB_K_MODIFIER;
		t->elem = get_le32(r + 2);
		t->mods = get_le16(r + 6);
		return 0;
	case LF_POINTER:
		if (end - r < 10)
			return pdb_bad(errbuf, ti, "LF_POINTER too short");
		t->kind = PDB_K_POINTER;
		t->elem = get_le32(r + 2);
		t->size = (get_le32(r + 6) >> 13) & 0x3f;
		if (t->size == 0)
			t->size = (get_le32(r + 6) & 0x1f) == 0x0c ? 8 : 4;   /* CV_PTR_64, else 32-bit */
		return 0;
	case LF_PROCEDURE:
	case LF_MFUNCTION:
		t->kind = PDB_K_FUNCTION;
		return 0;
	case LF_BITFIELD:
		if (end - r < 8)
			return pdb_bad(errbuf, ti, "LF_BITFIELD too short");
		t->kind = PDB_K_BITFIELD;
		t->elem = get_le32(r + 2);
		t->bits = r[6];
		t->bitpos = r[7];
		return 0;
	case LF_ARRAY:
		q = r + 10;
		if (end - r < 12 || pdbint_num(&q, end, &t->size) < 0)
			return pdb_bad(errbuf, ti, "LF_ARRAY without a size");
		t->kind = PDB_K_ARRAY;
		t->elem = get_le32(r + 2);
		return 0;
	case LF_CLASS:
	case LF_STRUCTURE:
		q = r + 18;
		if (end - r < 20 || pdbint_num(&q, end, &t->size) < 0)
			return pdb_bad(errbuf, ti, "LF_STRUCTURE without a size");
		t->kind = kind == LF_CLASS ? PDB_K_CLASS : PDB_K_STRUCT;
		break;
	case LF_UNION:
		q = r + 10;
		if (end - r < 12 || pdbint_num(&q, end, &t->size) < 0)
			return pdb_bad(errbuf, ti, "LF_UNION without a size");
		t->kind = PDB_K_UNION;
		break;
	case LF_ENUM:
		if (end - r < 15)
			return pdb_bad(errbuf, ti, "LF_ENUM too short");
		t->kind = PDB_K_ENUM;
		t->elem = get_le32(r + 6);
		q = r + 14;
		break;
	default:
		t->kind = PDB_K_OTHER;
		return 0;
	}
	/* struct, class, union, enum: count, property, field list, then the names */
	t->nfields = get_le16(r + 2);
	prop = get_le16(r + 4);
	t->fields = kind == LF_ENUM ? get_le32(r + 10) : get_le32(r + 6);
	t->forward = (prop & PROP_FWDREF) != 0;
	if (pdbint_str(q, end, &t->name, &q) < 0)
		return pdb_bad(errbuf, ti, "a struct, union or enum without a name");
	if ((prop & PROP_UNIQUE) && uniq != NULL && pdbint_str(q, end, uniq, NULL) < 0)
		return pdb_bad(errbuf, ti, "unique name missing");
	t->anonymous = pdb_anonymous_name(t->name);
	return 0;
}

static bool
pdb_is_tag(enum pdb_kind k)
{
	return k == PDB_K_STRUCT || k == PDB_K_CLASS || k == PDB_K_UNION || k == PDB_K_ENUM;
}

int
pdb_type(const struct pdb *p, uint32_t ti, struct pdb_type *t, char *errbuf)
{
	const char *uniq;
	uint32_t def;
	int e;

	if ((e = pdb_parse(p, ti, t, &uniq, errbuf)) < 0)
		return e;
	if (!pdb_is_tag(t->kind) || !t->forward)
		return 0;
	if ((uniq != NULL && pdbint_name_find(p->uniq, p->nuniq, uniq, &def) == 0) ||
	    (!t->anonymous && pdbint_name_find(p->tags, p->ntags, t->name, &def) == 0)) {
		if ((e = pdb_parse(p, def, t, NULL, errbuf)) < 0)
			return e;
		t->forward = false;   /* the index holds definitions only */
	}
	return 0;
}

/* ---- loading: the record index and the names of the definitions ---- */

static int
pdb_name_cmp(const void *a, const void *b)
{
	const struct pdb_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->ti > y->ti) - (x->ti < y->ti);
}

void
pdbint_names_sort(struct pdb_name *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof *v, pdb_name_cmp);
}

int
pdbint_name_find(const struct pdb_name *v, size_t n, const char *name, uint32_t *ti)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == n || strcmp(v[lo].name, name) != 0)
		return MF_ERR_NOTFOUND;
	*ti = v[lo].ti;
	return 0;
}

int
pdbint_types_load(struct pdb *p, uint32_t len, char *errbuf)
{
	uint32_t hdr, begin, end, bytes, n, i, pos;

	if (len < TPI_HEADER)
		return plib_error(errbuf, MF_ERR_FORMAT, "the TPI stream holds %u bytes, less than its header", len);
	hdr = get_le32(p->tpi + 4);
	begin = get_le32(p->tpi + 8);
	end = get_le32(p->tpi + 12);
	bytes = get_le32(p->tpi + 16);
	if (hdr < TPI_HEADER || hdr > len || bytes > len - hdr)
		return plib_error(errbuf, MF_ERR_FORMAT, "the TPI header (%u bytes) claims %u bytes of records in a stream of %u",
		                  hdr, bytes, len);
	if (begin != PDB_TI_FIRST || end < begin || (end - begin) > bytes / 4)
		return plib_error(errbuf, MF_ERR_FORMAT, "the TPI header claims type indexes 0x%x..0x%x in %u bytes", begin, end,
		                  bytes);
	n = end - begin;
	if ((p->recs = malloc(((size_t)n + 1) * sizeof *p->recs)) == NULL ||
	    (p->tags = malloc(((size_t)n + 1) * sizeof *p->tags)) == NULL ||
	    (p->uniq = malloc(((size_t)n + 1) * sizeof *p->uniq)) == NULL)
		return plib_error(errbuf, MF_ERR_NOMEM, "out of memory");
	for (i = 0, pos = hdr; i < n; i++) {
		uint16_t rlen;

		if (pos + 4 > hdr + bytes || (rlen = get_le16(p->tpi + pos)) < 2 || pos + 2 + rlen > hdr + bytes)
			return plib_error(errbuf, MF_ERR_FORMAT, "the TPI stream ends in type 0x%x of the 0x%x..0x%x it claims",
			                  begin + i, begin, end - 1);
		p->recs[i].off = pos + 2;
		p->recs[i].len = rlen;
		pos += 2u + rlen;
	}
	p->info.ntypes = n;
	for (i = 0; i < n; i++) {
		struct pdb_type t;
		const char *uniq;

		if (pdb_parse(p, begin + i, &t, &uniq, errbuf) < 0)
			return MF_ERR_FORMAT;
		if (!pdb_is_tag(t.kind) || t.forward)
			continue;
		if (!t.anonymous)
			p->tags[p->ntags++] = (struct pdb_name){ t.name, begin + i };
		if (uniq != NULL)
			p->uniq[p->nuniq++] = (struct pdb_name){ uniq, begin + i };
	}
	pdbint_names_sort(p->tags, p->ntags);
	pdbint_names_sort(p->uniq, p->nuniq);
	pdbint_names_sort(p->udts, p->nudts);
	return 0;
}

/* ---- lookups ---- */

int
pdb_type_find(const struct pdb *p, const char *name, uint32_t *ti, char *errbuf)
{
	struct pdb_type t;
	int e;

	if (pdbint_name_find(p->tags, p->ntags, name, ti) == 0)
		return 0;
	if (pdbint_name_find(p->udts, p->nudts, name, ti) == 0) {
		if ((e = pdb_type(p, *ti, &t, errbuf)) < 0)
			return e;
		*ti = t.ti;
		return 0;
	}
	return plib_error(errbuf, MF_ERR_NOTFOUND, "no type '%s' in the PDB", name);
}

int
pdbint_strip(const struct pdb *p, uint32_t ti, struct pdb_type *t, char *errbuf)
{
	int e, depth;

	for (depth = 0; depth < PDB_DEPTH_MAX; depth++) {
		if ((e = pdb_type(p, ti, t, errbuf)) < 0)
			return e;
		if (t->kind != PDB_K_MODIFIER)
			return 0;
		ti = t->elem;
	}
	return plib_error(errbuf, MF_ERR_LIMIT, "type 0x%x: more than %d modifiers deep", ti, PDB_DEPTH_MAX);
}

int
pdb_type_size(const struct pdb *p, uint32_t ti, uint64_t *size, char *errbuf)
{
	struct pdb_type t;
	int e, depth;

	for (depth = 0; depth < PDB_DEPTH_MAX; depth++, ti = t.elem) {
		if ((e = pdbint_strip(p, ti, &t, errbuf)) < 0)
			return e;
		if (t.kind != PDB_K_ENUM && t.kind != PDB_K_BITFIELD) {
			*size = t.size;
			return 0;
		}
	}
	return plib_error(errbuf, MF_ERR_LIMIT, "type 0x%x: more than %d types deep", ti, PDB_DEPTH_MAX);
}
