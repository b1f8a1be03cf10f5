/* fuzz-targetrec.c: libFuzzer target for saved target records: the input is a record
 * stream (msgpack or JSON, as mf-attach writes and the tools read on stdin).  Of each
 * record: the connector and os arguments (they must save and read back the same), the
 * address space it names; and the whole input as the record a snapshot carries, merged
 * into a target's hints as libmf does when it opens one. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include "libmf/target-int.h"

static void
fz_args_roundtrip(const struct mf_rec *rec, const char *key, const char *argkey)
{
	struct mfint_targs a = { 0 }, b = { 0 };
	char err[MF_ERRBUF_SIZE];
	struct mf_rec *r;

	if (mfint_targs_from_rec(&a, rec, key, argkey, err) == 0 && (r = mf_rec_new("target")) != NULL) {
		if (mfint_targs_to_rec(r, key, argkey, &a) == 0) {
			if (mfint_targs_from_rec(&b, r, key, argkey, err) != 0 || b.n != a.n ||
			    (a.name == NULL) != (b.name == NULL) || (a.name != NULL && strcmp(a.name, b.name) != 0))
				abort();
			for (size_t i = 0; i < a.n; i++)
				if (strcmp(a.kv[i].key, b.kv[i].key) != 0 || strcmp(a.kv[i].value, b.kv[i].value) != 0)
					abort();
		}
		mf_rec_free(r);
	}
	mfint_targs_clear(&a);
	mfint_targs_clear(&b);
}

static void
fz_merge_saved(const uint8_t *data, size_t size)
{
	struct mf_target t;
	uint64_t kb;

	memset(&t, 0, sizeof t);
	t.cargs.name = (char *)"fuzz";
	if ((t.hints = mf_hints_new()) == NULL)
		return;
	if (mf_hints_set_str(t.hints, "format", "elf") == 0 && mf_hints_set_u64(t.hints, "cpus", 2) == 0 &&
	    mf_hints_set_bin(t.hints, "mftools_record", data, size) == 0) {
		mfint_target_merge_saved(&t);
		/* what the connector found stays */
		if (mf_hints_get_u64(t.hints, "cpus", &kb) != 0 || kb != 2)
			abort();
	}
	mf_hints_free(t.hints);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[MF_ERRBUF_SIZE];
	const struct mf_rec *rec;
	struct mf_in *in;
	int n = 0;

	mf_log_init("fuzz", -1);
	if ((in = mfint_in_new_mem(data, size)) != NULL) {
		while (n++ < 64 && mf_in_next(in, &rec, err) > 0) {
			struct mf_aspace_id id;

			fz_args_roundtrip(rec, "connector", "connector_args");
			fz_args_roundtrip(rec, "os", "os_args");
			(void)mf_aspace_id_from_rec(rec, &id, err);
		}
		mf_in_free(in);
	}
	fz_merge_saved(data, size);
	return 0;
}
