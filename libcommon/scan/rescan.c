/* rescan.c: the rescan modes and the decision which earlier hits to keep. */
#include "config.h"
#include "scan/rescan.h"

#include <stdio.h>
#include <string.h>
#include <mftools/mf.h>

int
scan_rescan_parse(struct scan_rescan *rs, const char *mode, char *const *args, size_t nargs)
{
	static const struct {
		const char *name;
		enum scan_rmode mode;
		size_t nargs;
	} modes[] = {
		{ "unchanged", RS_UNCHANGED, 0 }, { "equal", RS_UNCHANGED, 0 }, { "changed", RS_CHANGED, 0 },
		{ "increased", RS_INCREASED, 0 }, { "decreased", RS_DECREASED, 0 }, { "eq", RS_EQ, 1 },
		{ "gt", RS_GT, 1 }, { "lt", RS_LT, 1 }, { "between", RS_BETWEEN, 2 },
	};
	size_t i;

	for (i = 0; i < sizeof modes / sizeof *modes; i++) {
		if (strcmp(mode, modes[i].name) != 0)
			continue;
		rs->mode = modes[i].mode;
		rs->nargs = modes[i].nargs;
		if (nargs != modes[i].nargs)
			return MF_ERR_ARG;
		for (i = 0; i < rs->nargs; i++)
			rs->args[i] = args[i];
		return 0;
	}
	return MF_ERR_NOTFOUND;
}

int
scan_rescan_keep_hit(const struct scan_rescan *rs, enum mf_type vt, union mf_num old, const uint8_t *olddata,
                     const uint8_t *now, size_t len, char *errbuf)
{
	union mf_num v, a, b;
	int c;

	if (vt == MF_T_NONE) {
		bool same = olddata != NULL && memcmp(now, olddata, len) == 0;

		switch (rs->mode) {
		case RS_UNCHANGED: return same;
		case RS_CHANGED: return !same;
		default: return MF_ERR_UNSUPPORTED;
		}
	}
	v = mf_num_decode(vt, 8, now);
	c = mf_num_cmp(vt, v, old);
	switch (rs->mode) {
	case RS_UNCHANGED: return c == 0;
	case RS_CHANGED: return c != 0;
	case RS_INCREASED: return c == 1;
	case RS_DECREASED: return c == -1;
	default: break;
	}
	if (rs->mode == RS_BETWEEN ? scan_between_parse(vt, rs->args[0], rs->args[1], &a, &b, errbuf) < 0
	                           : mf_num_parse(vt, 8, rs->args[0], &a, errbuf) < 0)
		return MF_ERR_ARG;
	c = mf_num_cmp(vt, v, a);
	switch (rs->mode) {
	case RS_EQ: return c == 0;
	case RS_GT: return c == 1;
	case RS_LT: return c == -1;
	case RS_BETWEEN: return (c == 0 || c == 1) && mf_num_cmp(vt, v, b) <= 0;
	default: return 0;
	}
}

int
scan_rescan_hit_parse(const struct mf_rec *rec, struct scan_rescan_hit *h, char *errbuf)
{
	char tbuf[16];
	const char *s;
	size_t n;
	int r;

	memset(h, 0, sizeof *h);
	if (mf_rec_get_u64(rec, "addr", &h->addr) < 0 || mf_rec_get_u64(rec, "len", &h->len) < 0)
		return mf_error(errbuf, MF_ERR_FORMAT, "hit record without a valid addr and len");
	tbuf[0] = '\0';
	if (mf_rec_get_str(rec, "vtype", &s, &n) == 0)
		snprintf(tbuf, sizeof tbuf, "%.*s", n < sizeof tbuf ? (int)n : (int)sizeof tbuf - 1, s);
	if (tbuf[0] != '\0') {
		if (mf_type_parse(tbuf, &h->vt) < 0 || mf_type_size(h->vt, 8) == 0 || h->vt == MF_T_PTR)
			return mf_error(errbuf, MF_ERR_FORMAT, "hit record with unknown vtype '%s'", tbuf);
		if (h->len != mf_type_size(h->vt, 8))
			return mf_error(errbuf, MF_ERR_FORMAT, "hit record of vtype %s with len %llu", tbuf,
			                (unsigned long long)h->len);
		r = mf_type_float(h->vt) ? mf_rec_get_f64(rec, "value", &h->old.f)
		    : mf_type_signed(h->vt) ? mf_rec_get_i64(rec, "value", &h->old.i)
		                               : mf_rec_get_u64(rec, "value", &h->old.u);
		if (r < 0)
			return mf_error(errbuf, MF_ERR_FORMAT, "hit record at 0x%llx without a valid %s value",
			                (unsigned long long)h->addr, tbuf);
	} else {
		h->vt = MF_T_NONE;
		if (h->len == 0 || h->len > SCAN_PAT_MAX)
			return mf_error(errbuf, MF_ERR_FORMAT, "hit record with len %llu (1 to %d)", (unsigned long long)h->len,
			                SCAN_PAT_MAX);
	}
	if (h->addr + h->len < h->addr && h->addr + h->len != 0)
		return mf_error(errbuf, MF_ERR_FORMAT, "hit record at 0x%llx runs beyond the end of the address space",
		                (unsigned long long)h->addr);
	return 0;
}
