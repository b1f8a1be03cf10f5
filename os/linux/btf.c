/* btf.c: the kernel's own BTF, read out of its memory (`__start_BTF`..`__stop_BTF`),
 * checked and parsed with libbpf, and a small type API over it: the offset and size of a
 * member path (recursing into anonymous struct/union members), the size of a struct.
 * libbpf 1.1 does not check the type graph (ids, cycles of typedefs): every id is
 * bounded here and every chain is walked at most LX_TYPE_DEPTH steps.  Every struct
 * offset the layer uses is looked up once, at open, into struct lx_off (offsets.c). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "linux.h"
#include "lxtypes.h"
#include "pluginlib/bytes.h"
#include "pluginlib/error.h"

#define LX_BTF_CHUNK (1u << 20)     /* kernel reads of the blob, per call */
#define LX_BTF_HDR_MIN 24u
#define LX_BTF_VMLINUX_MIN (256u << 10)   /* module blobs are kilobytes, vmlinux's megabytes */

int
lx_btf_check_header(const uint8_t *b, size_t len, char *errbuf)
{
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
	uint64_t types_end, strs_end;

	if (len < LX_BTF_HDR_MIN)
		return plib_error(errbuf, MF_ERR_FORMAT, "BTF of %zu bytes is shorter than its header", len);
	if (get_le16(b) != BTF_MAGIC)
		return plib_error(errbuf, MF_ERR_FORMAT, "no BTF magic (bytes %02x %02x)", b[0], b[1]);
	if (b[2] != BTF_VERSION)
		return plib_error(errbuf, MF_ERR_FORMAT, "BTF version %u (expected %u)", b[2], BTF_VERSION);
	hdr_len = get_le32(b + 4);
	type_off = get_le32(b + 8);
	type_len = get_le32(b + 12);
	str_off = get_le32(b + 16);
	str_len = get_le32(b + 20);
	if (hdr_len < LX_BTF_HDR_MIN || hdr_len > len)
		return plib_error(errbuf, MF_ERR_FORMAT, "BTF header length %u does not fit %zu bytes", hdr_len, len);
	types_end = (uint64_t)hdr_len + type_off + type_len;
	strs_end = (uint64_t)hdr_len + str_off + str_len;
	if (types_end > len || strs_end > len)
		return plib_error(errbuf, MF_ERR_FORMAT,
		                  "BTF sections (types %u+%u, strings %u+%u) end beyond its %zu bytes",
		                  type_off, type_len, str_off, str_len, len);
	if (type_len == 0 || str_len == 0)
		return plib_error(errbuf, MF_ERR_FORMAT, "BTF without types or strings");
	if (type_off % 4 != 0)
		return plib_error(errbuf, MF_ERR_FORMAT, "BTF type section at unaligned offset %u", type_off);
	return 0;
}

int
lx_types_parse(struct lx_types *t, const uint8_t *blob, size_t len, char *errbuf)
{
	int r;

	if ((r = lx_btf_check_header(blob, len, errbuf)) < 0)
		return r;
	errno = 0;
	t->btf = btf__new(blob, (uint32_t)len);
	if (t->btf == NULL) {   /* libbpf 1.x: NULL and errno */
		int e = errno ? errno : EINVAL;

		t->btf = NULL;
		return plib_error_errno(errbuf, MF_ERR_FORMAT, e, "BTF does not parse");
	}
	t->size = len;
	t->ntypes = btf__type_cnt(t->btf);
	return 0;
}

/* ---- reading it out of the kernel ----------------------------------------------------- */

static int
lx_btf_read(struct lx *lx, uint64_t start, uint64_t len, uint8_t *buf, char *errbuf)
{
	uint64_t done;
	int r;

	for (done = 0; done < len; done += LX_BTF_CHUNK) {
		size_t n = len - done < LX_BTF_CHUNK ? (size_t)(len - done) : LX_BTF_CHUNK;

		r = lx_kread(lx, start + done, buf + done, n);
		if (r < 0)
			return lx->host->error(errbuf, r, "cannot read the kernel's BTF at 0x%llx: %s",
			                       (unsigned long long)(start + done), lx->host->strerror(r));
	}
	return 0;
}

/* A whole vmlinux BTF header at VA: types right after the header, strings after them, a
 * size no module's blob has.  The blob's length in *len. */
static int
lx_btf_plausible(const struct lx *lx, uint64_t va, uint64_t *len)
{
	uint8_t h[LX_BTF_HDR_MIN];
	uint64_t total;

	if (lx_kread(lx, va, h, sizeof h) < 0 || get_le32(h + 4) != LX_BTF_HDR_MIN || get_le32(h + 8) != 0 ||
	    get_le32(h + 16) != get_le32(h + 12))
		return 0;
	total = (uint64_t)LX_BTF_HDR_MIN + get_le32(h + 16) + get_le32(h + 20);
	if (total < LX_BTF_VMLINUX_MIN || total > LX_BTF_MAX)
		return 0;
	*len = total;
	return 1;
}

struct lx_btf_find {
	const struct lx *lx;
	uint64_t va, len;
};

static int
lx_btf_hit(void *ctx, uint64_t va)
{
	struct lx_btf_find *f = ctx;

	if (!lx_btf_plausible(f->lx, va, &f->len))
		return 0;
	f->va = va;
	return 1;
}

/* Where the blob is: __start_BTF..__stop_BTF, else a saved record's hints, else (no data
 * symbols in kallsyms: arm64) the first whole vmlinux BTF header in the kernel image. */
static int
lx_btf_locate(struct lx *lx, uint64_t *start, uint64_t *stop, char *errbuf)
{
	static const uint8_t magic[8] = { 0x9f, 0xeb, 0x01, 0x00, LX_BTF_HDR_MIN, 0, 0, 0 };
	struct lx_btf_find f = { lx, 0, 0 };
	uint64_t len;

	if (lx_sym(lx, "__start_BTF", start) == 0 && lx_sym(lx, "__stop_BTF", stop) == 0)
		return 0;
	if (lx->hints != NULL && lx->host->hint_get_u64(lx->hints, "btf_addr", start) == 0 &&
	    lx->host->hint_get_u64(lx->hints, "btf_size", &len) == 0) {
		*stop = *start + len;
		return 0;
	}
	if (lx_image_scan(lx, magic, sizeof magic, lx_btf_hit, &f) == 1) {
		lx->host->log(1, "linux: no __start_BTF symbol: the kernel's BTF found in its image at 0x%llx",
		              (unsigned long long)f.va);
		*start = f.va;
		*stop = f.va + f.len;
		return 0;
	}
	return lx->host->error(errbuf, MF_ERR_NOTFOUND, "kernel has no BTF (no __start_BTF symbol, none in its image)");
}

int
lx_types_load(struct lx *lx, char *errbuf)
{
	struct lx_types *t;
	char why[MF_ERRBUF_SIZE];
	uint64_t start, stop;
	uint8_t *buf;
	int r;

	t = calloc(1, sizeof *t);
	if (t == NULL)
		return lx->host->error(errbuf, MF_ERR_NOMEM, "cannot load kernel types: out of memory");
	if ((r = lx_btf_locate(lx, &start, &stop, errbuf)) < 0) {
		lx_types_free(t);
		return r;
	}
	if (stop <= start || stop - start > LX_BTF_MAX) {
		lx_types_free(t);
		return lx->host->error(errbuf, MF_ERR_FORMAT, "kernel BTF bounds 0x%llx..0x%llx are not believable",
		                       (unsigned long long)start, (unsigned long long)stop);
	}
	buf = malloc(stop - start);
	if (buf == NULL) {
		lx_types_free(t);
		return lx->host->error(errbuf, MF_ERR_NOMEM, "cannot load kernel types: out of memory");
	}
	r = lx_btf_read(lx, start, stop - start, buf, errbuf);
	if (r == 0) {
		r = lx_types_parse(t, buf, stop - start, why);
		if (r == 0)
			r = lx_off_load(t, why);
		if (r < 0)
			r = lx->host->error(errbuf, r, "kernel BTF at 0x%llx: %s", (unsigned long long)start, why);
	}
	free(buf);   /* btf__new keeps its own copy */
	if (r < 0) {
		lx_types_free(t);
		return r;
	}
	t->va = start;
	lx->host->log(1, "linux: types from the kernel's BTF at 0x%llx (%llu bytes, %u types)",
	              (unsigned long long)start, (unsigned long long)t->size, t->ntypes);
	lx_off_log(t, lx->host);
	if (lx->hints != NULL) {
		lx->host->hint_set_u64(lx->hints, "btf_addr", start);
		lx->host->hint_set_u64(lx->hints, "btf_size", stop - start);
	}
	lx->types = t;
	return 0;
}

void
lx_types_free(struct lx_types *t)
{
	if (t == NULL)
		return;
	btf__free(t->btf);
	free(t);
}

/* ---- the type API ---------------------------------------------------------------------- */

/* Type `id`, or NULL when the id is outside the table. */
static const struct btf_type *
lx_btf_type(const struct lx_types *t, uint32_t id)
{
	if (id == 0 || id >= t->ntypes)
		return NULL;
	return btf__type_by_id(t->btf, id);
}

/* Skip typedefs and modifiers: the id of the type underneath, 0 for void or a broken
 * graph (out-of-range id, a chain longer than LX_TYPE_DEPTH). */
static uint32_t
lx_btf_strip(const struct lx_types *t, uint32_t id)
{
	const struct btf_type *ty;
	int depth;

	for (depth = 0; depth < LX_TYPE_DEPTH; depth++) {
		ty = lx_btf_type(t, id);
		if (ty == NULL)
			return 0;
		switch (btf_kind(ty)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = ty->type;
			break;
		default:
			return id;
		}
	}
	return 0;
}

static int
lx_btf_is_composite(const struct btf_type *ty)
{
	return ty != NULL && (btf_kind(ty) == BTF_KIND_STRUCT || btf_kind(ty) == BTF_KIND_UNION);
}

/* Byte size of type id, bounded. */
static int
lx_btf_type_size(const struct lx_types *t, uint32_t id, uint64_t *size)
{
	const struct btf_type *ty;
	uint64_t mul = 1;
	int depth;

	for (depth = 0; depth < LX_TYPE_DEPTH; depth++) {
		id = lx_btf_strip(t, id);
		ty = lx_btf_type(t, id);
		if (ty == NULL)
			return MF_ERR_FORMAT;
		switch (btf_kind(ty)) {
		case BTF_KIND_INT:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_DATASEC:
		case BTF_KIND_FLOAT:
			*size = mul * ty->size;
			return *size > LX_BTF_MAX ? MF_ERR_FORMAT : 0;
		case BTF_KIND_PTR:
			*size = mul * 8;
			return 0;
		case BTF_KIND_ARRAY:
			mul *= btf_array(ty)->nelems;
			if (mul > LX_BTF_MAX)
				return MF_ERR_FORMAT;
			id = btf_array(ty)->type;
			break;
		default:
			return MF_ERR_FORMAT;
		}
	}
	return MF_ERR_FORMAT;
}

int
lx_btf_find(const struct lx_types *t, const char *name, uint32_t *id)
{
	int32_t r;

	r = btf__find_by_name_kind(t->btf, name, BTF_KIND_STRUCT);
	if (r <= 0)
		r = btf__find_by_name_kind(t->btf, name, BTF_KIND_UNION);
	if (r <= 0 || (uint32_t)r >= t->ntypes)
		return MF_ERR_NOTFOUND;
	*id = (uint32_t)r;
	return 0;
}

int
lx_btf_size(const struct lx_types *t, const char *name, uint64_t *size)
{
	uint32_t id;
	int r;

	if ((r = lx_btf_find(t, name, &id)) < 0)
		return r;
	return lx_btf_type_size(t, id, size);
}

/* Member NAME (len bytes) of composite `id`, in it or in its anonymous members at any
 * depth: its bit offset from the start of `id` and its type. */
static int
lx_btf_find_member(const struct lx_types *t, uint32_t id, const char *name, size_t len, int depth,
                   uint64_t *bitoff, uint32_t *type)
{
	const struct btf_type *ty = lx_btf_type(t, id);
	const struct btf_member *m;
	uint16_t i, n;
	int r;

	if (depth > LX_TYPE_DEPTH || !lx_btf_is_composite(ty))
		return MF_ERR_FORMAT;
	m = btf_members(ty);
	n = btf_vlen(ty);
	for (i = 0; i < n; i++) {
		const char *mname = btf__name_by_offset(t->btf, m[i].name_off);
		uint32_t mid;

		if (mname == NULL)
			return MF_ERR_FORMAT;
		if (mname[0] != '\0') {
			if (strlen(mname) != len || memcmp(mname, name, len) != 0)
				continue;
			if (btf_member_bitfield_size(ty, i) != 0 || btf_member_bit_offset(ty, i) % 8 != 0)
				return MF_ERR_UNSUPPORTED;
			*bitoff = btf_member_bit_offset(ty, i);
			*type = m[i].type;
			return 0;
		}
		mid = lx_btf_strip(t, m[i].type);
		if (!lx_btf_is_composite(lx_btf_type(t, mid)))
			continue;
		r = lx_btf_find_member(t, mid, name, len, depth + 1, bitoff, type);
		if (r == 0) {
			*bitoff += btf_member_bit_offset(ty, i);
			return 0;
		}
		if (r != MF_ERR_NOTFOUND)
			return r;
	}
	return MF_ERR_NOTFOUND;
}

/* Walk PATH from composite `id`: offset, size, and the type at the end. */
static int
lx_btf_walk(const struct lx_types *t, const char *type, const char *path, uint64_t *off,
            uint64_t *size, uint32_t *end_type)
{
	uint32_t id, cur;
	uint64_t o = 0, bit;
	const char *p = path;
	int r, steps = 0;

	if ((r = lx_btf_find(t, type, &id)) < 0)
		return r;
	cur = id;
	while (*p != '\0') {
		if (++steps > LX_TYPE_DEPTH)
			return MF_ERR_FORMAT;
		if (*p == '[') {
			const struct btf_type *ty;
			uint64_t elem;
			char *e;
			unsigned long idx;

			ty = lx_btf_type(t, lx_btf_strip(t, cur));
			if (ty == NULL || btf_kind(ty) != BTF_KIND_ARRAY)
				return MF_ERR_ARG;
			errno = 0;
			idx = strtoul(p + 1, &e, 10);
			if (e == p + 1 || *e != ']' || errno != 0)
				return MF_ERR_ARG;
			if (idx >= btf_array(ty)->nelems)
				return MF_ERR_RANGE;
			if ((r = lx_btf_type_size(t, btf_array(ty)->type, &elem)) < 0)
				return r;
			o += idx * elem;
			cur = btf_array(ty)->type;
			p = e + 1;
			if (*p == '.')
				p++;
			continue;
		}
		{
			size_t len = strcspn(p, ".[");

			if (len == 0)
				return MF_ERR_ARG;
			r = lx_btf_find_member(t, lx_btf_strip(t, cur), p, len, 0, &bit, &cur);
			if (r < 0)
				return r;
			o += bit / 8;
			p += len;
			if (*p == '.')
				p++;
		}
	}
	if (o > LX_BTF_MAX)
		return MF_ERR_FORMAT;
	if ((r = lx_btf_type_size(t, cur, size)) < 0)
		return r;
	*off = o;
	if (end_type != NULL)
		*end_type = cur;
	return 0;
}

int
lx_btf_member(const struct lx_types *t, const char *type, const char *path, uint64_t *off,
              uint64_t *size)
{
	return lx_btf_walk(t, type, path, off, size, NULL);
}

int
lx_btf_nelems(const struct lx_types *t, const char *type, const char *path, uint32_t *n)
{
	const struct btf_type *ty;
	uint64_t off, size;
	uint32_t end;
	int r;

	if ((r = lx_btf_walk(t, type, path, &off, &size, &end)) < 0)
		return r;
	ty = lx_btf_type(t, lx_btf_strip(t, end));
	if (ty == NULL || btf_kind(ty) != BTF_KIND_ARRAY)
		return MF_ERR_ARG;
	*n = btf_array(ty)->nelems;
	return 0;
}

uint64_t
lx_get(const uint8_t *buf, size_t len, struct lx_field f)
{
	if (f.off == LX_NONE || f.size == 0 || f.size > len || f.off > len - f.size)
		return 0;
	switch (f.size) {
	case 1: return buf[f.off];
	case 2: return get_le16(buf + f.off);
	case 4: return get_le32(buf + f.off);
	case 8: return get_le64(buf + f.off);
	default: return 0;
	}
}
