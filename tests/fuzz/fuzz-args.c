/* fuzz-args.c: libFuzzer target for libmf's argument and number parsing: each input line
 * as a number (mf_parse_u64/i64, every value type's mf_num_parse and mf_value_bytes), an
 * architecture name, a target spec ("name:default,key=value") and a connector or os
 * argument string (normalised against a key list, through a target record and back).
 * What parses must print and parse back to the same value. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz-util.h"
#include "libmf/target-int.h"

static void
fz_numbers(const char *s)
{
	char buf[64], err[MF_ERRBUF_SIZE];
	uint64_t u, u2;
	int64_t i, i2;

	if (mf_parse_u64(s, &u) == 0) {
		snprintf(buf, sizeof buf, "0x%" PRIx64, u);
		if (mf_parse_u64(buf, &u2) != 0 || u2 != u)
			abort();
		snprintf(buf, sizeof buf, "%" PRIu64, u);
		if (mf_parse_u64(buf, &u2) != 0 || u2 != u)
			abort();
	}
	if (mf_parse_i64(s, &i) == 0) {
		snprintf(buf, sizeof buf, "%" PRId64, i);
		if (mf_parse_i64(buf, &i2) != 0 || i2 != i)
			abort();
	}
	for (enum mf_type t = MF_T_U8; t <= MF_T_WSTR; t++) {
		union mf_num v, v2;
		uint8_t *bytes = NULL;
		size_t n = 0;
		unsigned size = mf_type_size(t, 8);

		if (size > 0 && mf_num_parse(t, 8, s, &v, err) == 0) {
			mf_num_format(t, v, buf, sizeof buf);
			if (mf_num_parse(t, 8, buf, &v2, err) != 0 || (mf_num_cmp(t, v, v2) != 0 && mf_num_cmp(t, v, v2) != 2)) {
				fprintf(stderr, "%s '%s' printed as '%s' does not parse back\n", mf_type_name(t), s, buf);
				abort();
			}
		}
		if (mf_value_bytes(t, 8, s, false, &bytes, &n, err) == 0 && size > 0 && n != size)
			abort();   /* a number is its type's size */
		free(bytes);
	}
	{
		uint8_t *hex = NULL;
		size_t n = 0;

		if (mf_value_bytes(MF_T_NONE, 8, s, true, &hex, &n, err) == 0 && n == 0)
			abort();   /* hex bytes: at least one */
		free(hex);
	}
}

static void
fz_arch(const char *s)
{
	uint32_t a, b;

	if (mf_arch_parse(s, &a) == 0 && (mf_arch_parse(mf_arch_name(a), &b) != 0 || a != b))
		abort();
}

/* A spec as a plugin's arguments, normalised, into a target record and back. */
static void
fz_targs(const char *s, bool conn)
{
	static const char *const keys[] = { "path", "base", "pid", NULL };
	struct mfint_targs a = { 0 }, b = { 0 };
	char err[MF_ERRBUF_SIZE];
	struct mf_spec *spec;
	struct mf_rec *r;

	if (mf_spec_parse(s, &spec, err) == 0) {
		for (size_t i = 0; i < spec->args.n; i++)
			if (mf_args_get(&spec->args, spec->args.kv[i].key) == NULL)
				abort();
		mf_spec_free(spec);
	}
	if (mfint_targs_from_string(&a, s, conn, err) == 0 && mfint_targs_normalise(&a, "connector", keys, err) == 0 &&
	    (r = mf_rec_new("target")) != NULL) {
		if (mfint_targs_to_rec(r, "connector", "connector_args", &a) == 0) {
			if (mfint_targs_from_rec(&b, r, "connector", "connector_args", err) != 0 || b.n != a.n ||
			    strcmp(a.name, b.name) != 0)
				abort();
			for (size_t i = 0; i < a.n; i++)
				if (strcmp(a.kv[i].key, b.kv[i].key) != 0 || strcmp(a.kv[i].value, b.kv[i].value) != 0)
					abort();   /* what we save, we read back */
		}
		mf_rec_free(r);
	}
	mfint_targs_clear(&a);
	mfint_targs_clear(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_parts in;

	mf_log_init("fuzz", -1);
	fz_split(data, size, "\n", &in);
	for (size_t i = 0; i < in.n; i++) {
		fz_numbers(in.p[i]);
		fz_arch(in.p[i]);
		fz_targs(in.p[i], i % 2 == 1);
	}
	fz_parts_free(&in);
	return 0;
}
