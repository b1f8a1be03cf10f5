/* test-value.c: typed values: names, parsing (negative numbers, ranges), decoding and
 * encoding, comparison, text, the bytes of a value string, UTF-16. */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <mftools/mf.h>
#include "tap.h"

static void
test_names(void)
{
	enum mf_type t = MF_T_NONE;

	ok(mf_type_parse("u32", &t) == 0 && t == MF_T_U32, "u32 parses");
	ok(mf_type_parse("wstr", &t) == 0 && t == MF_T_WSTR, "wstr parses");
	is_int(mf_type_parse("u128", &t), MF_ERR_ARG, "u128 does not");
	is_int(mf_type_parse("", &t), MF_ERR_ARG, "nor the empty name");
	is_str(mf_type_name(MF_T_F64), "f64", "name of f64");
	is_str(mf_type_name(MF_T_NONE), "", "name of none");
	is_int(mf_type_size(MF_T_I16, 8), 2, "i16 is 2 bytes");
	is_int(mf_type_size(MF_T_PTR, 4), 4, "ptr of a 32-bit space");
	is_int(mf_type_size(MF_T_PTR, 8), 8, "ptr of a 64-bit space");
	is_int(mf_type_size(MF_T_STR, 8), 0, "strings have no fixed size");
	ok(mf_type_signed(MF_T_I8) && !mf_type_signed(MF_T_U8) && mf_type_float(MF_T_F32) && mf_type_string(MF_T_WSTR),
	   "kinds");
}

static void
test_parse(void)
{
	char err[MF_ERRBUF_SIZE];
	union mf_num v;

	ok(mf_num_parse(MF_T_U32, 8, "0xdeadbeef", &v, err) == 0 && v.u == 0xdeadbeef, "hex u32");
	ok(mf_num_parse(MF_T_U16, 8, "4K", &v, err) == 0 && v.u == 4096, "a K suffix");
	ok(mf_num_parse(MF_T_I32, 8, "-123456", &v, err) == 0 && v.i == -123456, "negative i32");
	ok(mf_num_parse(MF_T_I8, 8, "-128", &v, err) == 0 && v.i == -128, "i8 minimum");
	ok(mf_num_parse(MF_T_I64, 8, "-0x10", &v, err) == 0 && v.i == -16, "negative hex");
	is_int(mf_num_parse(MF_T_I8, 8, "128", &v, err), MF_ERR_RANGE, "i8 128 out of range");
	is_str(err, "value '128' out of range for i8", "its message");
	is_int(mf_num_parse(MF_T_U8, 8, "256", &v, err), MF_ERR_RANGE, "u8 256 out of range");
	is_str(err, "value '256' out of range for u8", "its message");
	is_int(mf_num_parse(MF_T_U32, 8, "-1", &v, err), MF_ERR_RANGE, "a negative unsigned value");
	is_int(mf_num_parse(MF_T_U64, 8, "18446744073709551616", &v, err), MF_ERR_RANGE, "beyond 64 bits");
	is_int(mf_num_parse(MF_T_F32, 8, "abc", &v, err), MF_ERR_ARG, "not a float");
	is_str(err, "invalid f32 value 'abc'", "its message");
	is_int(mf_num_parse(MF_T_U32, 8, "", &v, err), MF_ERR_ARG, "empty");
	is_int(mf_num_parse(MF_T_U32, 8, "12x", &v, err), MF_ERR_ARG, "trailing junk");
	ok(mf_num_parse(MF_T_F32, 8, "-1.5", &v, err) == 0 && v.f == -1.5, "f32");
	ok(mf_num_parse(MF_T_F32, 8, "0.1", &v, err) == 0 && v.f == (double)0.1f, "f32 held as the float it is");
	ok(mf_num_parse(MF_T_PTR, 4, "0xffffffff", &v, err) == 0 && v.u == 0xffffffff, "32-bit pointer");
	is_int(mf_num_parse(MF_T_PTR, 4, "0x100000000", &v, err), MF_ERR_RANGE, "too big for a 32-bit pointer");
	is_int(mf_num_parse(MF_T_STR, 8, "x", &v, err), MF_ERR_ARG, "strings are no numbers");
}

static void
test_codec(void)
{
	static const uint8_t le[8] = { 0xfe, 0xff, 0xff, 0xff, 0x78, 0x56, 0x34, 0x12 };
	uint8_t b[8];
	union mf_num v;
	char text[64];

	is_int(mf_num_decode(MF_T_I16, 8, le).i, -2, "i16 sign-extended");
	is_u64(mf_num_decode(MF_T_U16, 8, le).u, 0xfffe, "u16 not");
	is_int(mf_num_decode(MF_T_I32, 8, le).i, -2, "i32");
	is_u64(mf_num_decode(MF_T_U64, 8, le).u, 0x12345678fffffffeull, "u64 little-endian");
	is_u64(mf_num_decode(MF_T_PTR, 4, le).u, 0xfffffffeu, "ptr of 4 bytes");
	v.f = -1.5;
	mf_num_encode(MF_T_F32, 8, v, b);
	ok(b[0] == 0 && b[1] == 0 && b[2] == 0xc0 && b[3] == 0xbf, "f32 -1.5 encoded");
	ok(mf_num_decode(MF_T_F32, 8, b).f == -1.5, "and decoded");
	v.f = 3.25;
	mf_num_encode(MF_T_F64, 8, v, b);
	ok(mf_num_decode(MF_T_F64, 8, b).f == 3.25, "f64 round trip");
	v.i = -3;
	memset(b, 0xaa, sizeof b);
	mf_num_encode(MF_T_I16, 8, v, b);
	ok(b[0] == 0xfd && b[1] == 0xff && b[2] == 0xaa, "i16 encodes 2 bytes only");

	v.i = -3;
	mf_num_format(MF_T_I8, v, text, sizeof text);
	is_str(text, "-3", "i8 text");
	v.u = 3735928559u;
	mf_num_format(MF_T_U32, v, text, sizeof text);
	is_str(text, "3735928559", "u32 text");
	v.u = 0x7ffd0000;
	mf_num_format(MF_T_PTR, v, text, sizeof text);
	is_str(text, "0x7ffd0000", "ptr text");
	v.f = (double)0.1f;
	mf_num_format(MF_T_F32, v, text, sizeof text);
	is_str(text, "0.100000001", "f32 text, 9 digits");
}

static void
test_cmp(void)
{
	union mf_num a = { .i = -1 }, b = { .i = 1 }, n = { .f = NAN }, f = { .f = 1.0 };

	is_int(mf_num_cmp(MF_T_I32, a, b), -1, "signed: -1 < 1");
	is_int(mf_num_cmp(MF_T_U64, a, b), 1, "unsigned: 0xff..ff > 1");
	is_int(mf_num_cmp(MF_T_U64, b, b), 0, "equal");
	is_int(mf_num_cmp(MF_T_F64, n, f), 2, "NaN is unordered");
	is_int(mf_num_cmp(MF_T_F64, f, f), 0, "1.0 == 1.0");
}

static void
test_bytes(void)
{
	static const uint8_t wide[] = { 'h', 0, 0xfc, 0, 0x3d, 0xd8, 0x00, 0xde, 0, 0 };
	char err[MF_ERRBUF_SIZE], u8[32];
	uint8_t *b;
	size_t n;

	ok(mf_value_bytes(MF_T_NONE, 8, "de ad:BE ef", false, &b, &n, err) == 0 && n == 4 && b[0] == 0xde && b[3] == 0xef,
	   "hex bytes with separators");
	free(b);
	ok(mf_value_bytes(MF_T_NONE, 8, "0xdeadbeef", false, &b, &n, err) == 0 && n == 4 && b[1] == 0xad, "0x prefix");
	free(b);
	is_int(mf_value_bytes(MF_T_NONE, 8, "dea", false, &b, &n, err), MF_ERR_ARG, "an odd hex digit");
	ok(b == NULL, "nothing returned on error");
	is_int(mf_value_bytes(MF_T_NONE, 8, "  ", false, &b, &n, err), MF_ERR_ARG, "no bytes");
	is_str(err, "invalid hex data '  ': no bytes", "its message");
	ok(mf_value_bytes(MF_T_U32, 8, "1234", false, &b, &n, err) == 0 && n == 4 && b[0] == 0xd2 && b[1] == 0x04 &&
	   b[2] == 0 && b[3] == 0, "u32 1234 little-endian");
	free(b);
	ok(mf_value_bytes(MF_T_I16, 8, "-2", false, &b, &n, err) == 0 && n == 2 && b[0] == 0xfe && b[1] == 0xff, "i16 -2");
	free(b);
	ok(mf_value_bytes(MF_T_STR, 8, "ab", false, &b, &n, err) == 0 && n == 3 && memcmp(b, "ab", 3) == 0, "str with NUL");
	free(b);
	ok(mf_value_bytes(MF_T_STR, 8, "ab", true, &b, &n, err) == 0 && n == 2, "str without");
	free(b);
	ok(mf_value_bytes(MF_T_WSTR, 8, "h\xc3\xbc\xf0\x9f\x98\x80", false, &b, &n, err) == 0 && n == sizeof wide &&
	   memcmp(b, wide, n) == 0, "wstr: UTF-8 to UTF-16LE with a surrogate pair and the NUL");
	free(b);
	is_int(mf_value_bytes(MF_T_WSTR, 8, "\xff", false, &b, &n, err), MF_ERR_ARG, "invalid UTF-8");
	is_int(mf_value_bytes(MF_T_U8, 8, "256", false, &b, &n, err), MF_ERR_RANGE, "u8 range");

	n = mf_utf16le_to_utf8(wide, sizeof wide - 2, u8);
	ok(n == 7 && memcmp(u8, "h\xc3\xbc\xf0\x9f\x98\x80", 7) == 0, "UTF-16LE back to UTF-8");
	n = mf_utf16le_to_utf8((const uint8_t *)"\x3d\xd8" "a\0", 4, u8);
	ok(n == 4 && memcmp(u8, "\xef\xbf\xbd" "a", 4) == 0, "an unpaired surrogate becomes U+FFFD");
}

int
main(void)
{
	test_names();
	test_parse();
	test_codec();
	test_cmp();
	test_bytes();
	return done_testing();
}
