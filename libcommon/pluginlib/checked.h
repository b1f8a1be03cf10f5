/* pluginlib/checked.h: overflow-checked offset arithmetic for the parsers: every offset a
 * dump header makes (base + index * size) goes through these, so a hostile header that
 * would wrap is refused instead of pointing somewhere else.  Part of libmfplugin.la (see
 * vmcoreinfo.h for how to link it). */
#ifndef MF_PLUGINLIB_CHECKED_H
#define MF_PLUGINLIB_CHECKED_H

#include <stdint.h>

/* 1 and *r = the result when it fits 64 bits, else 0 (*r undefined). */
static inline int add_ok(uint64_t a, uint64_t b, uint64_t *r) { return !__builtin_add_overflow(a, b, r); }
static inline int mul_ok(uint64_t a, uint64_t b, uint64_t *r) { return !__builtin_mul_overflow(a, b, r); }
/* base + idx * size */
static inline int
offset_ok(uint64_t base, uint64_t idx, uint64_t size, uint64_t *r)
{
	uint64_t t;

	return mul_ok(idx, size, &t) && add_ok(base, t, r);
}

#endif
