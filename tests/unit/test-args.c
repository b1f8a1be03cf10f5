/* test-args.c: numbers, target specs, hints and architecture names. */
#include "config.h"
#include <stdlib.h>
#include <mftools/mf.h>
#include "tap.h"

static void
test_numbers(void)
{
	static const struct { const char *s; uint64_t v; int r; } cases[] = {
		{ "0", 0, 0 }, { "4096", 4096, 0 }, { "0x1f00", 0x1f00, 0 }, { "0X1F00", 0x1f00, 0 },
		{ "16K", 16384, 0 }, { "2M", 2 << 20, 0 }, { "1G", 1ull << 30, 0 }, { "1T", 1ull << 40, 0 },
		{ "4KiB", 4096, 0 }, { "0x10k", 0x4000, 0 }, { "18446744073709551615", UINT64_MAX, 0 },
		{ "0xffffffffffffffff", UINT64_MAX, 0 },
		{ "18446744073709551616", 0, MF_ERR_RANGE }, { "0x10000000000000000", 0, MF_ERR_RANGE },
		{ "17179869184G", 0, MF_ERR_RANGE },
		{ "", 0, MF_ERR_ARG }, { "abc", 0, MF_ERR_ARG }, { "-1", 0, MF_ERR_ARG }, { " 1", 0, MF_ERR_ARG },
		{ "0x", 0, MF_ERR_ARG }, { "12Q", 0, MF_ERR_ARG }, { "1KX", 0, MF_ERR_ARG }, { "1.5", 0, MF_ERR_ARG },
	};
	size_t i;
	int64_t iv;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint64_t v = 0;
		int r = mf_parse_u64(cases[i].s, &v);

		is_int(r, cases[i].r, "parse_u64('%s') returns %d", cases[i].s, cases[i].r);
		if (cases[i].r == 0)
			is_u64(v, cases[i].v, "parse_u64('%s') value", cases[i].s);
	}
	ok(mf_parse_i64("-0x10", &iv) == 0 && iv == -16, "parse_i64 negative hex");
	ok(mf_parse_i64("-9223372036854775808", &iv) == 0 && iv == INT64_MIN, "parse_i64 INT64_MIN");
	is_int(mf_parse_i64("9223372036854775808", &iv), MF_ERR_RANGE, "parse_i64 overflow");
	is_int(mf_parse_u64(NULL, (uint64_t *)&iv), MF_ERR_ARG, "parse_u64(NULL)");
}

static void
test_specs(void)
{
	char err[MF_ERRBUF_SIZE];
	struct mf_spec *s;

	ok(mf_spec_parse("lime:/srv/snap.lime", &s, err) == 0, "spec with default");
	is_str(s->name, "lime", "name");
	is_str(s->args.def, "/srv/snap.lime", "default");
	is_int(s->args.n, 0, "no pairs");
	mf_spec_free(s);

	ok(mf_spec_parse("qemu:win10,qmp=/tmp/q.sock,map=auto", &s, err) == 0, "default and pairs");
	is_str(s->args.def, "win10", "default before the first key=");
	is_int(s->args.n, 2, "two pairs");
	is_str(mf_args_get(&s->args, "qmp"), "/tmp/q.sock", "qmp value");
	is_str(mf_args_get(&s->args, "map"), "auto", "map value");
	ok(mf_args_get(&s->args, "nope") == NULL, "absent key");
	mf_spec_free(s);

	ok(mf_spec_parse("file:/data/a,b.raw,base=0x1000", &s, err) == 0, "comma inside the default");
	is_str(s->args.def, "/data/a,b.raw", "default keeps the comma that starts no key=");
	is_str(mf_args_get(&s->args, "base"), "0x1000", "base");
	mf_spec_free(s);

	ok(mf_spec_parse("qemu:name=win10,qmp=/s", &s, err) == 0 && s->args.def == NULL, "name:key=value has no default");
	is_str(mf_args_get(&s->args, "name"), "win10", "first pair after the colon");
	is_str(mf_args_get(&s->args, "qmp"), "/s", "second pair");
	mf_spec_free(s);
	ok(mf_spec_parse("raw:/x/a=b.raw", &s, err) == 0, "a path with '=' stays the default");
	is_str(s->args.def, "/x/a=b.raw", "its default");
	mf_spec_free(s);

	ok(mf_spec_parse("native", &s, err) == 0 && s->args.def == NULL && s->args.n == 0, "bare name");
	mf_spec_free(s);
	ok(mf_spec_parse("elf,path=/x.core", &s, err) == 0 && s->args.def == NULL, "pairs without default");
	is_str(mf_args_get(&s->args, "path"), "/x.core", "path pair");
	mf_spec_free(s);

	is_int(mf_spec_parse("", &s, err), MF_ERR_ARG, "empty spec");
	is_int(mf_spec_parse("Bad:x", &s, err), MF_ERR_ARG, "uppercase name refused");
	is_str(err, "invalid plugin name 'Bad': only a-z, 0-9, '_' and '-' are allowed", "its message");
	is_int(mf_spec_parse("../../tmp/evil", &s, err), MF_ERR_ARG, "path-like name refused");
	is_int(mf_spec_parse("lime,novalue", &s, err), MF_ERR_ARG, "pair without =");
	is_str(err, "invalid argument 'novalue' for lime: expected key=value", "its message");
	is_int(mf_spec_parse("lime,a=1,a=2", &s, err), MF_ERR_ARG, "duplicate key");
	is_str(err, "argument 'a' given twice for lime", "its message");
}

static void
test_hints(void)
{
	struct mf_hints *h = mf_hints_new();
	uint64_t v = 0;
	size_t n = 0;
	const char *bin;

	ok(h != NULL, "hints_new");
	ok(mf_hints_set_u64(h, "dtb", 0x1aa000) == 0, "set dtb");
	ok(mf_hints_get_u64(h, "dtb", &v) == 0 && v == 0x1aa000, "get dtb");
	ok(mf_hints_set_u64(h, "dtb", 0x2000) == 0 && mf_hints_get_u64(h, "dtb", &v) == 0 && v == 0x2000, "overwrite");
	ok(mf_hints_set_str(h, "arch", "x86_64") == 0, "set arch");
	is_str(mf_hints_get_str(h, "arch"), "x86_64", "get arch");
	ok(mf_hints_get_str(h, "dtb") == NULL, "a number is not a string");
	is_int(mf_hints_get_u64(h, "nope", &v), MF_ERR_NOTFOUND, "absent");
	ok(mf_hints_set_str(h, "kernel_base", "0xffffffff81000000") == 0 &&
	   mf_hints_get_u64(h, "kernel_base", &v) == 0 && v == 0xffffffff81000000ull, "a hex string reads as a number");
	ok(mf_hints_set_bin(h, "blob", "a\0b", 3) == 0, "set bin");
	bin = mf_hints_get_bin(h, "blob", &n);
	ok(bin != NULL && n == 3 && bin[1] == '\0' && bin[2] == 'b', "get bin with a NUL inside");
	mf_hints_free(h);
}

static void
test_arch(void)
{
	uint32_t a;

	is_str(mf_arch_name(MF_ARCH_X86_64), "x86_64", "x86_64 name");
	is_str(mf_arch_name(MF_ARCH_X86_PAE), "x86-pae", "pae name");
	is_str(mf_arch_name(999), "unknown", "out of range");
	ok(mf_arch_parse("x86_64-la57", &a) == 0 && a == MF_ARCH_X86_64_LA57, "parse la57");
	ok(mf_arch_parse("arm64", &a) == 0 && a == MF_ARCH_AARCH64, "alias arm64");
	ok(mf_arch_parse("i386", &a) == 0 && a == MF_ARCH_X86_32, "alias i386");
	is_int(mf_arch_parse("mips", &a), MF_ERR_ARG, "unknown arch");
	is_str(mf_strerror(MF_ERR_NOTMAPPED), "address not mapped", "strerror");
}

int
main(void)
{
	test_numbers();
	test_specs();
	test_hints();
	test_arch();
	return done_testing();
}
