/* fuzz-rescan.c: libFuzzer target for mf-scan --rescan's input: the input is a stream of
 * hit records (msgpack or JSON, as mf-scan writes them).  Each hit's space, address,
 * length, type and value are read as the rescan reads them, then every mode decides on
 * it against the bytes of now (its own data, or a fixed pattern): unchanged and changed
 * must disagree, increased and decreased never both keep. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include "libmf/mf-int.h"
#include "scan/rescan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fz_keep(const char *mode, char *const *args, size_t nargs, const struct scan_rescan_hit *h, const uint8_t *old,
        const uint8_t *now)
{
	struct scan_rescan rs;
	char err[MF_ERRBUF_SIZE];

	if (scan_rescan_parse(&rs, mode, args, nargs) != 0)
		abort();
	return scan_rescan_keep_hit(&rs, h->vt, h->old, old, now, h->len, err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pattern[SCAN_PAT_MAX];
	static char *const vals[] = { "5", "-1", "0x10", "1.5", "nan" };
	char err[MF_ERRBUF_SIZE];
	const struct mf_rec *rec;
	struct mf_in *in;
	int n = 0;

	for (size_t i = 0; i < sizeof pattern; i++)
		pattern[i] = (uint8_t)(i * 13);
	mf_log_init("fuzz", -1);
	if ((in = mfint_in_new_mem(data, size)) == NULL)
		return 0;
	while (n++ < 256 && mf_in_next(in, &rec, err) > 0) {
		struct mf_aspace_id id;
		struct scan_rescan_hit h;
		const uint8_t *old = NULL, *now = pattern;
		const void *d;
		size_t dn;
		int u, c, inc, dec;

		if (strcmp(mf_rec_type(rec), "hit") != 0 || mf_aspace_id_from_rec(rec, &id, err) < 0 ||
		    scan_rescan_hit_parse(rec, &h, err) < 0)
			continue;
		if (h.len > SCAN_PAT_MAX)
			abort();   /* typed hits are 1 to 8 bytes, untyped ones at most a pattern */
		if (mf_rec_get_bin(rec, "data", &d, &dn) == 0 && dn >= h.len)
			old = d;
		for (int pass = 0; pass < 2; pass++, now = old != NULL ? old : pattern) {
			u = fz_keep("unchanged", NULL, 0, &h, old, now);
			c = fz_keep("changed", NULL, 0, &h, old, now);
			if (u < 0 || c < 0 || u == c)
				abort();
			if (h.vt == MF_T_NONE)
				continue;
			inc = fz_keep("increased", NULL, 0, &h, old, now);
			dec = fz_keep("decreased", NULL, 0, &h, old, now);
			if (inc < 0 || dec < 0 || (inc == 1 && dec == 1))
				abort();
			for (size_t v = 0; v < 5; v++) {
				fz_keep("eq", &vals[v], 1, &h, old, now);
				fz_keep("gt", &vals[v], 1, &h, old, now);
				if (v + 1 < 5)
					fz_keep("between", &vals[v], 2, &h, old, now);
			}
		}
	}
	mf_in_free(in);
	return 0;
}
