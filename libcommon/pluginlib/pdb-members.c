/* pdb-members.c: the members of a PDB's structs and unions (field lists and their
 * continuations), member paths, and the C spelling of types. */
#include "pluginlib/pdb-int.h"
#include "pluginlib/bytes.h"
#include "pluginlib/error.h"

#include <mftools/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PDB_FIELD_HOPS 1024u          /* LF_INDEX continuations of one field list */

/* One entry of a field list that names a type. */
struct pdb_field {
	uint16_t leaf;
	const char *name;
	uint32_t type;
	uint64_t offset;
};
typedef int (*pdb_field_fn)(void *ctx, const struct pdb_field *f);

/* The entry at q (within end) of field list fl: *next past it, f filled (leaf 0 for the
 * entries without a type or name), *cont the continuation of LF_INDEX. */
static int
pdb_field_entry(uint32_t fl, const uint8_t *q, const uint8_t *end, struct pdb_field *f, const uint8_t **next,
                uint32_t *cont, char *errbuf)
{
	uint64_t skip;
	uint16_t attr;
	const char *ignored;

	memset(f, 0, sizeof *f);
	if (end - q < 8 && !(end - q >= 4 && get_le16(q) == LF_ENUMERATE))
		goto bad;
	f->leaf = get_le16(q);
	switch (f->leaf) {
	case LF_MEMBER:
		f->type = get_le32(q + 4);
		q += 8;
		if (pdbint_num(&q, end, &f->offset) < 0 || pdbint_str(q, end, &f->name, next) < 0)
			goto bad;
		return 0;
	case LF_STMEMBER:
	case LF_NESTTYPE:
	case LF_METHOD:
		f->type = get_le32(q + 4);
		if (pdbint_str(q + 8, end, &f->name, next) < 0)
			goto bad;
		return 0;
	case LF_ENUMERATE:
		q += 4;
		if (pdbint_num(&q, end, &f->offset) < 0 || pdbint_str(q, end, &f->name, next) < 0)
			goto bad;
		return 0;
	case LF_BCLASS:
		q += 8;
		if (pdbint_num(&q, end, &skip) < 0)
			goto bad;
		break;
	case LF_VBCLASS:
	case LF_IVBCLASS:
		if (end - q < 12)
			goto bad;
		q += 12;
		if (pdbint_num(&q, end, &skip) < 0 || pdbint_num(&q, end, &skip) < 0)
			goto bad;
		break;
	case LF_VFUNCTAB:
		q += 8;
		break;
	case LF_INDEX:
		*cont = get_le32(q + 4);
		q += 8;
		break;
	case LF_ONEMETHOD:
		attr = get_le16(q + 2);
		q += 8;
		if (((attr >> 2) & 7) == 4 || ((attr >> 2) & 7) == 6) {   /* introducing virtual: vbaseoff */
			if (end - q < 4)
				goto bad;
			q += 4;
		}
		if (pdbint_str(q, end, &ignored, &q) < 0)
			goto bad;
		break;
	default:
		return plib_error(errbuf, MF_ERR_UNSUPPORTED, "field list 0x%x: unknown entry 0x%x", fl, f->leaf);
	}
	f->leaf = 0;
	*next = q;
	return 0;
bad:
	return plib_error(errbuf, MF_ERR_FORMAT, "field list 0x%x: an entry runs past the record", fl);
}

/* Each entry of field list fl and its continuations; cb's non-zero stops the walk. */
static int
pdb_fields(const struct pdb *p, uint32_t fl, pdb_field_fn cb, void *ctx, char *errbuf)
{
	unsigned hops;
	int e;

	for (hops = 0; fl != 0; hops++) {
		const uint8_t *r, *end, *q;
		uint32_t cont = 0, cur = fl;

		if (hops == PDB_FIELD_HOPS)
			return plib_error(errbuf, MF_ERR_LIMIT, "field list 0x%x: more than %u continuations (a loop?)", fl,
			                  PDB_FIELD_HOPS);
		if ((e = pdbint_rec(p, fl, &r, &end, errbuf)) < 0)
			return e;
		if (get_le16(r) != LF_FIELDLIST)
			return plib_error(errbuf, MF_ERR_FORMAT, "type 0x%x: not a field list (leaf 0x%x)", fl, get_le16(r));
		for (q = r + 2; q < end;) {
			struct pdb_field f;

			if (*q >= 0xf0) {   /* LF_PAD: the low nibble says how many bytes */
				q += (*q & 0x0f) ? (*q & 0x0f) : 1;
				continue;
			}
			if ((e = pdb_field_entry(cur, q, end, &f, &q, &cont, errbuf)) < 0)
				return e;
			if (f.leaf != 0 && (e = cb(ctx, &f)) != 0)
				return e;
		}
		fl = cont;
	}
	return 0;
}

/* ---- members ---- */

/* A member of type `type` at `offset`: its size, bitfield, array facts. */
static int
pdb_member_fill(const struct pdb *p, const char *name, uint64_t offset, uint32_t type, struct pdb_member *m,
                char *errbuf)
{
	struct pdb_type t;
	uint64_t esize;
	int e;

	memset(m, 0, sizeof *m);
	m->name = name;
	m->offset = offset;
	m->type = type;
	if ((e = pdbint_strip(p, type, &t, errbuf)) < 0)
		return e;
	m->base = t.ti;
	if (t.kind == PDB_K_BITFIELD) {
		m->bitpos = t.bitpos;
		m->bits = t.bits;
		m->base = t.elem;
	} else if (t.kind == PDB_K_ARRAY) {
		m->elem = t.elem;
		if ((e = pdb_type_size(p, t.elem, &esize, errbuf)) < 0)
			return e;
		m->count = esize ? t.size / esize : 0;
	}
	return pdb_type_size(p, type, &m->size, errbuf);
}

struct pdb_mwalk {
	const struct pdb *p;
	pdb_member_fn cb;
	void *ctx;
	uint64_t base;
	int depth;
	char *errbuf;
};

static int pdb_members_at(struct pdb_mwalk *w, uint32_t ti);

static int
pdb_mwalk_field(void *ctx, const struct pdb_field *f)
{
	struct pdb_mwalk *w = ctx, sub;
	struct pdb_member m;
	int e;

	if (f->leaf != LF_MEMBER)
		return 0;
	if (f->name[0] == '\0') {   /* an anonymous member the compiler did not flatten */
		sub = *w;
		sub.base += f->offset;
		sub.depth++;
		return pdb_members_at(&sub, f->type);
	}
	if ((e = pdb_member_fill(w->p, f->name, w->base + f->offset, f->type, &m, w->errbuf)) < 0)
		return e;
	return w->cb(w->ctx, &m);
}

static int
pdb_members_at(struct pdb_mwalk *w, uint32_t ti)
{
	struct pdb_type t;
	int e;

	if (w->depth >= PDB_DEPTH_MAX)
		return plib_error(w->errbuf, MF_ERR_LIMIT, "type 0x%x: members nested more than %d deep", ti, PDB_DEPTH_MAX);
	if ((e = pdbint_strip(w->p, ti, &t, w->errbuf)) < 0)
		return e;
	if (t.kind != PDB_K_STRUCT && t.kind != PDB_K_CLASS && t.kind != PDB_K_UNION)
		return plib_error(w->errbuf, MF_ERR_ARG, "type 0x%x%s%s is not a struct or union", ti, t.name[0] ? " " : "",
		                  t.name);
	if (t.forward)
		return plib_error(w->errbuf, MF_ERR_NOTFOUND, "%s is declared in the PDB but never defined", t.name);
	return pdb_fields(w->p, t.fields, pdb_mwalk_field, w, w->errbuf);
}

int
pdb_members(const struct pdb *p, uint32_t ti, pdb_member_fn cb, void *ctx, char *errbuf)
{
	struct pdb_mwalk w = { .p = p, .cb = cb, .ctx = ctx, .errbuf = errbuf };

	return pdb_members_at(&w, ti);
}

struct pdb_ewalk {
	pdb_enum_fn cb;
	void *ctx;
	unsigned sign_bits;          /* a signed underlying type's width: values sign-extended from it */
};

static int
pdb_ewalk_field(void *ctx, const struct pdb_field *f)
{
	struct pdb_ewalk *w = ctx;
	uint64_t v = f->offset;

	if (f->leaf != LF_ENUMERATE)
		return 0;
	/* compilers write -3 of an int enum as LF_ULONG 0xfffffffd */
	if (w->sign_bits > 0 && w->sign_bits < 64 && (v >> (w->sign_bits - 1) & 1) && v >> w->sign_bits == 0)
		v |= ~0ull << w->sign_bits;
	return w->cb(w->ctx, f->name, (int64_t)v);
}

/* Is the simple type ti a signed integer (char, signed char, __int8, short, long, int,
 * __int64)? */
static bool
pdb_simple_signed(uint32_t ti)
{
	static const uint8_t kinds[] = { 0x70, 0x10, 0x68, 0x11, 0x72, 0x12, 0x74, 0x13, 0x76 };
	size_t i;

	for (i = 0; ti < PDB_TI_FIRST && i < sizeof kinds; i++)
		if (ti == kinds[i])
			return true;
	return false;
}

int
pdb_enumerators(const struct pdb *p, uint32_t ti, pdb_enum_fn cb, void *ctx, char *errbuf)
{
	struct pdb_ewalk w = { cb, ctx, 0 };
	struct pdb_type t;
	uint64_t size;
	int e;

	if ((e = pdbint_strip(p, ti, &t, errbuf)) < 0)
		return e;
	if (t.kind != PDB_K_ENUM)
		return plib_error(errbuf, MF_ERR_ARG, "type 0x%x is not an enum", ti);
	if (t.forward)
		return plib_error(errbuf, MF_ERR_NOTFOUND, "%s is declared in the PDB but never defined", t.name);
	if (pdb_simple_signed(t.elem) && pdb_type_size(p, t.elem, &size, errbuf) == 0)
		w.sign_bits = (unsigned)size * 8;
	return pdb_fields(p, t.fields, pdb_ewalk_field, &w, errbuf);
}

struct pdb_mfind {
	const char *name;
	size_t len;
	struct pdb_member m;
};

static int
pdb_mfind_cb(void *ctx, const struct pdb_member *m)
{
	struct pdb_mfind *f = ctx;

	if (strlen(m->name) != f->len || memcmp(m->name, f->name, f->len) != 0)
		return 0;
	f->m = *m;
	return 1;
}

int
pdb_member_path(const struct pdb *p, uint32_t ti, const char *path, struct pdb_member *m, char *errbuf)
{
	const char *s = path;
	uint64_t off = 0, idx, esize;
	struct pdb_mfind f;
	int e, n;

	for (n = 0;; n++) {
		if (n == PDB_DEPTH_MAX)
			return plib_error(errbuf, MF_ERR_LIMIT, "member path '%s': more than %d parts", path, PDB_DEPTH_MAX);
		f.name = s;
		f.len = strcspn(s, ".[");
		if (f.len == 0)
			return plib_error(errbuf, MF_ERR_ARG, "member path '%s': an empty name", path);
		if ((e = pdb_members(p, ti, pdb_mfind_cb, &f, errbuf)) < 0)
			return e;
		if (e == 0)
			return plib_error(errbuf, MF_ERR_NOTFOUND, "member path '%s': no member '%.*s'", path, (int)f.len, s);
		off += f.m.offset;
		s += f.len;
		while (*s == '[') {
			char *endp;

			idx = strtoull(s + 1, &endp, 0);
			if (endp == s + 1 || *endp != ']')
				return plib_error(errbuf, MF_ERR_ARG, "member path '%s': a bad index", path);
			if (f.m.count == 0 && f.m.elem == 0)
				return plib_error(errbuf, MF_ERR_ARG, "member path '%s': '%s' is not an array", path, f.m.name);
			if (idx >= f.m.count)
				return plib_error(errbuf, MF_ERR_RANGE, "member path '%s': index %llu past the %llu elements", path,
				                  (unsigned long long)idx, (unsigned long long)f.m.count);
			if ((e = pdb_type_size(p, f.m.elem, &esize, errbuf)) < 0)
				return e;
			off += idx * esize;
			if ((e = pdb_member_fill(p, f.m.name, 0, f.m.elem, &f.m, errbuf)) < 0)
				return e;
			s = endp + 1;
		}
		if (*s == '\0')
			break;
		if (*s != '.')
			return plib_error(errbuf, MF_ERR_ARG, "member path '%s': '%c' after a name", path, *s);
		s++;
		ti = f.m.type;
	}
	*m = f.m;
	m->offset = off;
	return 0;
}

int
pdb_offset(const struct pdb *p, const char *type, const char *path, uint64_t *off, uint64_t *size, char *errbuf)
{
	struct pdb_member m;
	uint32_t ti;
	int e;

	if ((e = pdb_type_find(p, type, &ti, errbuf)) < 0 || (e = pdb_member_path(p, ti, path, &m, errbuf)) < 0)
		return e;
	*off = m.offset;
	if (size != NULL)
		*size = m.size;
	return 0;
}

/* ---- names ---- */

struct pdb_sb {
	char *b;
	size_t size, len;
};

static void
pdb_sb_add(struct pdb_sb *sb, const char *s)
{
	size_t n = strlen(s);

	if (sb->len + 1 >= sb->size)
		return;
	if (n > sb->size - 1 - sb->len)
		n = sb->size - 1 - sb->len;
	memcpy(sb->b + sb->len, s, n);
	sb->len += n;
	sb->b[sb->len] = '\0';
}

static int
pdb_name_r(const struct pdb *p, uint32_t ti, struct pdb_sb *sb, int depth, char *errbuf)
{
	static const char *const tag[] = { [PDB_K_STRUCT] = "struct ", [PDB_K_CLASS] = "class ",
		                           [PDB_K_UNION] = "union ", [PDB_K_ENUM] = "enum " };
	struct pdb_type t, el;
	char num[32];
	uint64_t dims[PDB_DEPTH_MAX], esize;
	int e, nd = 0, i;

	if (depth >= PDB_DEPTH_MAX)
		return plib_error(errbuf, MF_ERR_LIMIT, "type 0x%x: named more than %d types deep", ti, PDB_DEPTH_MAX);
	if ((e = pdb_type(p, ti, &t, errbuf)) < 0)
		return e;
	switch (t.kind) {
	case PDB_K_BASE:
		pdb_sb_add(sb, t.name);
		return 0;
	case PDB_K_POINTER:
		if ((e = pdb_name_r(p, t.elem, sb, depth + 1, errbuf)) < 0)
			return e;
		pdb_sb_add(sb, sb->len > 0 && sb->b[sb->len - 1] == '*' ? "*" : " *");
		return 0;
	case PDB_K_MODIFIER:
		if ((e = pdbint_strip(p, t.elem, &el, errbuf)) < 0)
			return e;
		if (el.kind != PDB_K_POINTER) {
			pdb_sb_add(sb, t.mods & PDB_MOD_CONST ? "const " : "");
			pdb_sb_add(sb, t.mods & PDB_MOD_VOLATILE ? "volatile " : "");
		}
		if ((e = pdb_name_r(p, t.elem, sb, depth + 1, errbuf)) < 0)
			return e;
		if (el.kind == PDB_K_POINTER) {
			pdb_sb_add(sb, t.mods & PDB_MOD_CONST ? " const" : "");
			pdb_sb_add(sb, t.mods & PDB_MOD_VOLATILE ? " volatile" : "");
		}
		return 0;
	case PDB_K_ARRAY:
		for (el = t; el.kind == PDB_K_ARRAY && nd < PDB_DEPTH_MAX && depth + nd < PDB_DEPTH_MAX; nd++) {
			if ((e = pdb_type_size(p, el.elem, &esize, errbuf)) < 0)
				return e;
			dims[nd] = esize ? el.size / esize : 0;
			if ((e = pdb_type(p, el.elem, &el, errbuf)) < 0)
				return e;
		}
		if ((e = pdb_name_r(p, el.ti, sb, depth + nd, errbuf)) < 0)
			return e;
		for (i = 0; i < nd; i++) {
			snprintf(num, sizeof num, "[%llu]", (unsigned long long)dims[i]);
			pdb_sb_add(sb, num);
		}
		return 0;
	case PDB_K_STRUCT:
	case PDB_K_CLASS:
	case PDB_K_UNION:
	case PDB_K_ENUM:
		pdb_sb_add(sb, tag[t.kind]);
		pdb_sb_add(sb, t.name);
		return 0;
	case PDB_K_BITFIELD:
		if ((e = pdb_name_r(p, t.elem, sb, depth + 1, errbuf)) < 0)
			return e;
		snprintf(num, sizeof num, " : %u", (unsigned)t.bits);
		pdb_sb_add(sb, num);
		return 0;
	case PDB_K_FUNCTION:
		pdb_sb_add(sb, "function");
		return 0;
	default:
		snprintf(num, sizeof num, "type 0x%x", (unsigned)ti);
		pdb_sb_add(sb, num);
		return 0;
	}
}

int
pdb_type_name(const struct pdb *p, uint32_t ti, char *buf, size_t size, char *errbuf)
{
	struct pdb_sb sb = { buf, size, 0 };
	int e;

	if (size == 0)
		return 0;
	buf[0] = '\0';
	if ((e = pdb_name_r(p, ti, &sb, 0, errbuf)) < 0)
		snprintf(buf, size, "?");
	return e;
}
