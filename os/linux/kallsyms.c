/* kallsyms.c: decoding the kernel's compressed symbol tables (every layout since 4.6, and
 * the absolute kallsyms_addresses before it) into one compact table sorted by address.
 *
 * kallsyms_names holds, per symbol, a length (one byte; since 6.1 two when the high bit
 * is set: low 7 bits, then the next byte << 7) and that many token numbers; each token is
 * a NUL-terminated string in token_table at token_index[token].  The first character of
 * the expanded name is the type.  Addresses: kallsyms_offsets (s32) against
 * kallsyms_relative_base, where with KALLSYMS_ABSOLUTE_PERCPU a non-negative offset is an
 * absolute (per-CPU) value and a negative one means relative_base - 1 - offset; or u64
 * kallsyms_addresses.  The input is hostile: every read is bounded. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"
#include "linux.h"
#include "pluginlib/bytes.h"
#include "pluginlib/error.h"

struct ks_token {
	const char *s;
	size_t len;
};

static int
ks_tokens(const struct lx_kraw *raw, struct ks_token *tok, char *errbuf)
{
	unsigned i;

	for (i = 0; i < 256; i++) {
		size_t off = get_le16(raw->token_index + 2 * i);
		const void *nul;

		if (off >= raw->token_table_len ||
		    (nul = memchr(raw->token_table + off, '\0', raw->token_table_len - off)) == NULL)
			return plib_error(errbuf, MF_ERR_CORRUPT, "kallsyms: token %u lies outside the token table", i);
		tok[i].s = (const char *)raw->token_table + off;
		tok[i].len = (size_t)((const uint8_t *)nul - (raw->token_table + off));
	}
	return 0;
}

static int
ks_pool_add(struct lx_ksyms *ks, size_t *cap, const char *s, size_t len, uint32_t *off)
{
	if (ks->pool_len + len + 1 > *cap) {
		size_t nc = *cap ? *cap * 2 : 1 << 20;
		char *np;

		while (nc < ks->pool_len + len + 1)
			nc *= 2;
		if (nc > UINT32_MAX || (np = realloc(ks->pool, nc)) == NULL)
			return MF_ERR_NOMEM;
		ks->pool = np;
		*cap = nc;
	}
	memcpy(ks->pool + ks->pool_len, s, len);
	ks->pool[ks->pool_len + len] = '\0';
	*off = (uint32_t)ks->pool_len;
	ks->pool_len += len + 1;
	return 0;
}

/* Symbol i's name from the names stream at *pos into name (its length returned), or a
 * negative error. */
static long
ks_expand(const struct lx_kraw *raw, const struct ks_token *tok, size_t *pos, char *name, char *errbuf)
{
	size_t p = *pos, len, j, out = 0;

	if (p >= raw->names_len)
		return plib_error(errbuf, MF_ERR_CORRUPT, "kallsyms: names end early");
	len = raw->names[p++];
	if (len & 0x80) {
		if (p >= raw->names_len)
			return plib_error(errbuf, MF_ERR_CORRUPT, "kallsyms: names end early");
		len = (len & 0x7f) | (size_t)raw->names[p++] << 7;
	}
	if (len == 0 || len > raw->names_len - p)
		return plib_error(errbuf, MF_ERR_CORRUPT, "kallsyms: a name of %zu tokens runs past the table", len);
	for (j = 0; j < len; j++) {
		const struct ks_token *t = &tok[raw->names[p + j]];

		if (out + t->len >= LX_KSYM_NAME_MAX)
			return plib_error(errbuf, MF_ERR_CORRUPT, "kallsyms: a name longer than %d bytes", LX_KSYM_NAME_MAX);
		memcpy(name + out, t->s, t->len);
		out += t->len;
	}
	name[out] = '\0';
	*pos = p + len;
	return (long)out;
}

static const struct lx_ksyms *ks_sort_ctx;

static int
ks_cmp_name(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int c = strcmp(ks_sort_ctx->pool + ks_sort_ctx->sym[x].name, ks_sort_ctx->pool + ks_sort_ctx->sym[y].name);

	return c != 0 ? c : (x > y) - (x < y);
}

static int
ks_cmp_addr(const void *a, const void *b)
{
	const struct lx_ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (x->name > y->name) - (x->name < y->name);   /* pool order is table order */
}

/* Addresses: per-CPU mode when most offsets are negative. */
static uint64_t
ks_addr(const struct lx_kraw *raw, int percpu, size_t i)
{
	int32_t off;

	if (raw->offsets == NULL)
		return raw->long_size == 4 ? get_le32(raw->addresses + 4 * i) : get_le64(raw->addresses + 8 * i);
	off = (int32_t)get_le32(raw->offsets + 4 * i);
	if (!percpu)
		return raw->long_size == 4 ? (uint32_t)(raw->relative_base + (uint32_t)off) : raw->relative_base + (uint32_t)off;
	if (off >= 0)
		return (uint64_t)off;
	return raw->relative_base - 1 - (uint64_t)(int64_t)off;
}

int
lx_ksyms_decode(const struct lx_kraw *raw, struct lx_ksyms **out, char *errbuf)
{
	struct ks_token tok[256];
	struct lx_ksyms *ks;
	char name[LX_KSYM_NAME_MAX];
	size_t i, pos = 0, cap = 0, neg = 0, unsorted = 0;
	uint64_t prev = 0;
	int r;

	*out = NULL;
	if (raw->num_syms == 0 || raw->num_syms > LX_KSYM_MAX_SYMS)
		return plib_error(errbuf, MF_ERR_CORRUPT, "kallsyms: implausible symbol count %u", raw->num_syms);
	if ((raw->offsets == NULL) == (raw->addresses == NULL) || raw->token_index == NULL || raw->token_table == NULL ||
	    raw->names == NULL)
		return plib_error(errbuf, MF_ERR_FORMAT, "kallsyms: tables missing");
	if ((r = ks_tokens(raw, tok, errbuf)) < 0)
		return r;
	if ((ks = calloc(1, sizeof *ks)) == NULL || (ks->sym = calloc(raw->num_syms, sizeof *ks->sym)) == NULL ||
	    (ks->by_name = calloc(raw->num_syms, sizeof *ks->by_name)) == NULL) {
		lx_ksyms_free(ks);
		return plib_error(errbuf, MF_ERR_NOMEM, "kallsyms: out of memory");
	}
	ks->n = raw->num_syms;
	if (raw->offsets != NULL) {
		for (i = 0; i < ks->n; i++)
			neg += (int32_t)get_le32(raw->offsets + 4 * i) < 0;
		ks->percpu = neg > ks->n / 2;
	}
	for (i = 0; i < ks->n; i++) {
		long len = ks_expand(raw, tok, &pos, name, errbuf);
		struct lx_ksym *s = &ks->sym[i];

		if (len < 0) {
			lx_ksyms_free(ks);
			return (int)len;
		}
		if (len < 2) {
			lx_ksyms_free(ks);
			return plib_error(errbuf, MF_ERR_CORRUPT, "kallsyms: symbol %zu has an empty name", i);
		}
		if (ks_pool_add(ks, &cap, name + 1, (size_t)len - 1, &s->name) < 0) {
			lx_ksyms_free(ks);
			return plib_error(errbuf, MF_ERR_NOMEM, "kallsyms: out of memory");
		}
		s->type = name[0];
		s->addr = ks_addr(raw, ks->percpu, i);
		/* the table is sorted by address; absolute per-CPU values sit apart */
		if (ks->percpu && (int32_t)get_le32(raw->offsets + 4 * i) >= 0)
			continue;
		unsorted += s->addr < prev;
		prev = s->addr;
	}
	if (unsorted > 0) {
		lx_ksyms_free(ks);
		return plib_error(errbuf, MF_ERR_CORRUPT, "kallsyms: addresses not sorted (%zu out of order)", unsorted);
	}
	qsort(ks->sym, ks->n, sizeof *ks->sym, ks_cmp_addr);
	for (i = 0; i < ks->n; i++)
		ks->by_name[i] = (uint32_t)i;
	ks_sort_ctx = ks;
	qsort(ks->by_name, ks->n, sizeof *ks->by_name, ks_cmp_name);
	ks_sort_ctx = NULL;
	*out = ks;
	return 0;
}

void
lx_ksyms_free(struct lx_ksyms *ks)
{
	if (ks == NULL)
		return;
	free(ks->sym);
	free(ks->by_name);
	free(ks->pool);
	free(ks);
}

long
lx_ksyms_find(const struct lx_ksyms *ks, const char *name)
{
	size_t lo = 0, hi;

	if (ks == NULL)
		return -1;
	hi = ks->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(lx_ksym_name(ks, ks->by_name[mid]), name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ks->n && strcmp(lx_ksym_name(ks, ks->by_name[lo]), name) == 0)
		return (long)ks->by_name[lo];
	return -1;
}

long
lx_ksyms_at(const struct lx_ksyms *ks, uint64_t addr)
{
	size_t lo = 0, hi;

	if (ks == NULL)
		return -1;
	hi = ks->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->sym[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? -1 : (long)lo - 1;
}

uint64_t
lx_ksym_size(const struct lx_ksyms *ks, size_t i)
{
	size_t j;

	for (j = i + 1; j < ks->n; j++)
		if (ks->sym[j].addr > ks->sym[i].addr)
			return ks->sym[j].addr - ks->sym[i].addr;
	return 0;
}
