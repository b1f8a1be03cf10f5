/* scan-pack.c: mf-scan's dense hits, packed.  A run of consecutive hits of one space with
 * the same pattern, length and matched bytes (a typed value: the same value) becomes "hits"
 * records: the fields of one hit, "addr" the first address, "count", and "deltas", the
 * distances from each address to the next as ULEB128 in one bin; a first -T u8 0 costs
 * about one byte a hit instead of some 100.  Every reader (mf_in_next) hands them out again
 * as ordinary hit records.  Only in msgpack output of a first typed scan (-T) without
 * --context, and of rescans of typed hits: a packed hit's data is its matched bytes, not
 * the context after them (a string's or pattern's hits keep their context: the bytes
 * around are what is read). */
#include "config.h"
#include "scan-tool.h"

#include <stdlib.h>
#include <string.h>

#define SCAN_PACK_MIN 8u              /* hits of a run before it is packed */
#define SCAN_PACK_MAX (1u << 20)      /* hits per record (its deltas: 1 to 10 MiB) */
#define SCAN_PACK_DATA 64u            /* the longest match packed */

struct scan_pack_hit {
	uint64_t addr;
	uint8_t data[SCAN_PACK_DATA];
	size_t dlen;
};

struct scan_pack {
	/* the run: what its hits share */
	size_t n;                     /* hits in it (0: none) */
	struct mf_aspace_id id;
	uint32_t len;
	char *pattern, *encoding, *source;   /* copies: a rescan's hits are freed in batches */
	bool typed;
	enum mf_type vt;
	union mf_num val;
	uint8_t match[SCAN_PACK_DATA];
	/* its first SCAN_PACK_MIN hits whole, then the deltas */
	struct scan_pack_hit first[SCAN_PACK_MIN];
	uint64_t last;
	uint8_t *deltas;
	size_t ndeltas, cap;
};

void
scan_pack_begin(struct scan_state *st)
{
	st->pack = tool_xcalloc(1, sizeof *st->pack);
}

static void
scan_pack_write(struct scan_state *st)
{
	struct scan_pack *p = st->pack;
	struct mf_rec *r = st->rec;

	mf_rec_reset(r, "hits");
	if (mf_aspace_id_rec(&p->id, 0, r) < 0 || mf_rec_add_addr(r, "addr", p->first[0].addr) < 0 ||
	    mf_rec_add_uint(r, "len", p->len) < 0 || mf_rec_add_str(r, "pattern", p->pattern) < 0 ||
	    (p->encoding != NULL && mf_rec_add_str(r, "encoding", p->encoding) < 0) ||
	    (p->source != NULL && mf_rec_add_str(r, "source", p->source) < 0))
		tool_oom();
	if (p->typed)
		scan_add_value(r, p->vt, p->val);
	if (mf_rec_add_bin(r, "data", p->match, p->len) < 0 || mf_rec_add_uint(r, "count", p->n) < 0 ||
	    mf_rec_add_bin(r, "deltas", p->deltas, p->ndeltas) < 0)
		tool_oom();
	tool_rec(st->tl, r);
}

static void
scan_pack_strings_free(struct scan_pack *p)
{
	free(p->pattern);
	free(p->encoding);
	free(p->source);
	p->pattern = p->encoding = p->source = NULL;
}

/* Two optional strings (NULL: none) the same? */
static bool
scan_pack_same_str(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

void
scan_pack_flush(struct scan_state *st)
{
	struct scan_pack *p = st->pack;
	size_t i;

	if (p == NULL || p->n == 0)
		return;
	if (p->n >= SCAN_PACK_MIN) {
		scan_pack_write(st);
	} else {
		for (i = 0; i < p->n; i++)
			scan_hit_rec(st, &p->id, p->first[i].addr, p->len, p->pattern, p->encoding, p->source,
			             p->typed ? &p->vt : NULL, p->typed ? &p->val : NULL, p->first[i].data, p->first[i].dlen);
	}
	p->n = 0;
	p->ndeltas = 0;
	scan_pack_strings_free(p);
}

static void
scan_pack_delta(struct scan_pack *p, uint64_t d)
{
	if (p->cap - p->ndeltas < 10) {
		p->cap = p->cap ? p->cap * 2 : 1u << 16;
		p->deltas = tool_xrealloc(p->deltas, p->cap, 1);
	}
	do {
		uint8_t b = d & 0x7f;

		d >>= 7;
		p->deltas[p->ndeltas++] = (uint8_t)(b | (d != 0 ? 0x80 : 0));
	} while (d != 0);
}

bool
scan_pack_hit(struct scan_state *st, const struct mf_aspace_id *id, uint64_t addr, uint32_t len, const char *pattern,
              const char *encoding, const char *source, const enum mf_type *vt, const union mf_num *val,
              const uint8_t *data, size_t dlen)
{
	struct scan_pack *p = st->pack;

	if (p == NULL)
		return false;
	if (len > SCAN_PACK_DATA || dlen < len || dlen > SCAN_PACK_DATA) {
		scan_pack_flush(st);
		return false;   /* written as it is, after the run before it */
	}
	if (p->n > 0 && (p->n >= SCAN_PACK_MAX || !scan_space_same(&p->id, id) || p->len != len || addr <= p->last ||
	                 strcmp(p->pattern, pattern) != 0 || !scan_pack_same_str(p->encoding, encoding) ||
	                 !scan_pack_same_str(p->source, source) || p->typed != (vt != NULL) ||
	                 memcmp(p->match, data, len) != 0))
		scan_pack_flush(st);
	if (p->n == 0) {
		p->id = *id;
		p->len = len;
		p->pattern = tool_xstrdup(pattern);
		p->encoding = encoding != NULL ? tool_xstrdup(encoding) : NULL;
		p->source = source != NULL ? tool_xstrdup(source) : NULL;
		p->typed = vt != NULL;
		if (vt != NULL) {
			p->vt = *vt;
			p->val = *val;
		}
		memcpy(p->match, data, len);
	}
	if (p->n < SCAN_PACK_MIN) {
		p->first[p->n] = (struct scan_pack_hit){ .addr = addr, .dlen = dlen };
		memcpy(p->first[p->n].data, data, dlen);
		if (p->n > 0)
			scan_pack_delta(p, addr - p->last);
	} else {
		scan_pack_delta(p, addr - p->last);
	}
	p->n++;
	p->last = addr;
	return true;
}

void
scan_pack_end(struct scan_state *st)
{
	if (st->pack == NULL)
		return;
	scan_pack_flush(st);
	free(st->pack->deltas);
	free(st->pack);
	st->pack = NULL;
}
