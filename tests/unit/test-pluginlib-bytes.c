/* test-pluginlib-bytes.c: the little- and big-endian loads and stores (pluginlib/bytes.h):
 * exact byte layouts, unaligned addresses, extreme values, round trips. */
#include "config.h"

#include <string.h>

#include "pluginlib/bytes.h"
#include "tap.h"

static void
test_loads(void)
{
	static const uint8_t b[9] = { 0xff, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
	const uint8_t *p = b + 1;   /* odd address */

	is_u64(get_le16(p), 0x2301, "le16 of 01 23");
	is_u64(get_le32(p), 0x67452301, "le32 of 01 23 45 67");
	is_u64(get_le64(p), 0xefcdab8967452301ull, "le64 of 01 .. ef");
	is_u64(get_be16(p), 0x0123, "be16 of 01 23");
	is_u64(get_be32(p), 0x01234567, "be32 of 01 23 45 67");
	is_u64(get_be64(p), 0x0123456789abcdefull, "be64 of 01 .. ef");
	is_u64(get_le16(b), 0x01ff, "le16 keeps the high byte (no sign extension)");
	is_u64(get_le32((const uint8_t *)"\xff\xff\xff\xff"), 0xffffffffu, "le32 all ones");
	is_u64(get_le64((const uint8_t *)"\0\0\0\0\0\0\0\x80"), 0x8000000000000000ull, "le64 top bit");
	is_u64(get_be64((const uint8_t *)"\x80\0\0\0\0\0\0\0"), 0x8000000000000000ull, "be64 top bit");
	is_u64(get_be32((const uint8_t *)"\0\0\0\x01"), 1, "be32 of 1");
}

static void
test_stores(void)
{
	uint8_t b[10];

	memset(b, 0xaa, sizeof b);
	put_le16(b + 1, 0x1234);
	ok(memcmp(b, "\xaa\x34\x12\xaa", 4) == 0, "le16 store bytes, neighbours untouched");
	memset(b, 0xaa, sizeof b);
	put_le32(b + 1, 0x12345678);
	ok(memcmp(b, "\xaa\x78\x56\x34\x12\xaa", 6) == 0, "le32 store bytes");
	memset(b, 0xaa, sizeof b);
	put_le64(b + 1, 0x0123456789abcdefull);
	ok(memcmp(b, "\xaa\xef\xcd\xab\x89\x67\x45\x23\x01\xaa", 10) == 0, "le64 store bytes");
	memset(b, 0xaa, sizeof b);
	put_be16(b + 1, 0x1234);
	ok(memcmp(b, "\xaa\x12\x34\xaa", 4) == 0, "be16 store bytes");
	memset(b, 0xaa, sizeof b);
	put_be32(b + 1, 0x12345678);
	ok(memcmp(b, "\xaa\x12\x34\x56\x78\xaa", 6) == 0, "be32 store bytes");
	memset(b, 0xaa, sizeof b);
	put_be64(b + 1, 0x0123456789abcdefull);
	ok(memcmp(b, "\xaa\x01\x23\x45\x67\x89\xab\xcd\xef\xaa", 10) == 0, "be64 store bytes");
}

static void
test_round_trips(void)
{
	static const uint64_t v[] = { 0, 1, 0x80, 0xff, 0x100, 0x7fffffff, 0x80000000u, 0xffffffffu,
	                              0x100000000ull, 0x8000000000000000ull, UINT64_MAX, 0x0123456789abcdefull };
	uint8_t b[8];
	int bad16 = 0, bad32 = 0, bad64 = 0;

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		put_le16(b, (uint16_t)v[i]);
		bad16 += get_le16(b) != (uint16_t)v[i];
		put_be16(b, (uint16_t)v[i]);
		bad16 += get_be16(b) != (uint16_t)v[i];
		put_le32(b, (uint32_t)v[i]);
		bad32 += get_le32(b) != (uint32_t)v[i];
		put_be32(b, (uint32_t)v[i]);
		bad32 += get_be32(b) != (uint32_t)v[i];
		put_le64(b, v[i]);
		bad64 += get_le64(b) != v[i];
		put_be64(b, v[i]);
		bad64 += get_be64(b) != v[i];
	}
	is_int(bad16, 0, "16-bit stores load back");
	is_int(bad32, 0, "32-bit stores load back");
	is_int(bad64, 0, "64-bit stores load back");
	put_le64(b, 0x1122334455667788ull);
	is_u64(get_be64(b), 0x8877665544332211ull, "le store, be load: bytes reversed");
}

int
main(void)
{
	test_loads();
	test_stores();
	test_round_trips();
	return done_testing();
}
