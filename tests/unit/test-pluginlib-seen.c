/* test-pluginlib-seen.c: the visited-address set of the os layers' walks (pluginlib/seen.h):
 * an address added once is seen after, across the table's growth; addresses that collide
 * in the hash (the same bits above 4, spread over the low bits) stay apart. */
#include "config.h"

#include "pluginlib/seen.h"
#include "tap.h"

int
main(void)
{
	struct seen s = { 0 };
	uint64_t a;
	int again = 0, added = 0;

	is_int(seen_add(&s, 0xffffa00000001000ull), 1, "a new address is added");
	is_int(seen_add(&s, 0xffffa00000001000ull), 0, "the same address is seen");
	is_int(seen_add(&s, 0xffffa00000001008ull), 1, "an address 8 bytes on is another");
	/* 100000 list entries: past the first tables' sizes (1024, doubling at half full) */
	for (a = 0; a < 100000; a++)
		added += seen_add(&s, 0xfffff80000000000ull + a * 0x40) == 1;
	for (a = 0; a < 100000; a++)
		again += seen_add(&s, 0xfffff80000000000ull + a * 0x40) == 0;
	is_int(added, 100000, "100000 addresses added");
	is_int(again, 100000, "each of them seen after the table grew");
	is_u64(s.n, 100002, "the count holds every address once");
	ok(s.cap >= 2 * s.n, "the table stays at most half full (%zu of %zu)", s.n, s.cap);
	seen_free(&s);
	is_u64(s.n, 0, "freed: empty");
	is_int(seen_add(&s, 0x10), 1, "a freed set takes addresses again");
	seen_free(&s);
	return done_testing();
}
