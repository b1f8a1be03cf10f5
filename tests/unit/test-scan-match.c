/* test-scan-match: the scan matchers (libcommon/scan/): hex patterns with wildcards,
 * strings (ASCII, -i, UTF-16LE), typed values and their comparisons, rescan decisions. */
#include "config.h"
#include "scan/match.h"
#include "scan/rescan.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <mftools/mf.h>

struct hits {
	size_t off[64];
	size_t n;
	size_t stop_after;           /* 0: never stop */
};

static int
collect(void *ctx, size_t off)
{
	struct hits *h = ctx;

	if (h->n < sizeof h->off / sizeof *h->off)
		h->off[h->n] = off;
	h->n++;
	return h->stop_after && h->n >= h->stop_after ? 7 : 0;
}

static struct hits
run_pat(const struct scan_pat *p, const uint8_t *buf, size_t a, size_t b, size_t own)
{
	struct hits h = { .n = 0 };

	scan_pat_run(p, buf, a, b, own, collect, &h);
	return h;
}

static void
test_hex(void)
{
	static const uint8_t buf[] = { 0x48, 0x8b, 0x05, 0x11, 0x05, 0x00, 0x48, 0x8b, 0x99, 0x77, 0x05, 0x48, 0x8b };
	struct scan_pat p;
	struct hits h;
	char err[256];

	ok(scan_pat_hex(&p, "48 8b ?? ?? 05", err, sizeof err) == 0, "hex with wildcards parses");
	is_u64(p.len, 5, "five bytes");
	ok(!p.plain, "wildcards: not plain");
	is_u64(p.mask[2], 0, "?? has mask 0");
	h = run_pat(&p, buf, 0, sizeof buf, sizeof buf);
	is_u64(h.n, 2, "two matches of 48 8b ?? ?? 05");
	is_u64(h.off[0], 0, "first at 0");
	is_u64(h.off[1], 6, "second at 6");
	/* a match must lie inside [seg_start, seg_end): the second one ends at 11 */
	h = run_pat(&p, buf, 0, 10, sizeof buf);
	is_u64(h.n, 1, "seg_end cuts the match that does not fit");
	/* own_end: matches must start below it, but may run beyond */
	h = run_pat(&p, buf, 0, sizeof buf, 6);
	is_u64(h.n, 1, "own_end 6 excludes the match at 6");
	h = run_pat(&p, buf, 0, sizeof buf, 7);
	is_u64(h.n, 2, "own_end 7 includes the match at 6 that runs to 11");
	scan_pat_free(&p);

	ok(scan_pat_hex(&p, "488b?05", err, sizeof err) == 0, "compact form with a single ? parses");
	is_u64(p.len, 4, "488b?05: four bytes");
	scan_pat_free(&p);
	ok(scan_pat_hex(&p, "0x4142", err, sizeof err) == 0 && p.len == 2 && p.want[0] == 0x41, "leading 0x is skipped");
	scan_pat_free(&p);
	ok(scan_pat_hex(&p, "?? ??", err, sizeof err) < 0, "only wildcards is refused");
	is_str(err, "invalid hex pattern '?" "? ?" "?': only wildcards", "its message");
	ok(scan_pat_hex(&p, "4g", err, sizeof err) < 0, "a bad digit is refused");
	ok(scan_pat_hex(&p, "", err, sizeof err) < 0, "no bytes is refused");
	is_str(err, "invalid hex pattern '': no bytes", "its message");
}

static void
test_strings(void)
{
	static const char text[] = "xxHeLLo hello HELLO hellx";
	static const uint8_t u16[] = { 'h', 0, 'i', 0, 0, 0, 'H', 0, 'I', 0, 0xac, 0x20 };
	struct scan_pat p;
	struct hits h;
	char err[256];

	ok(scan_pat_str(&p, "hello", false, false, err, sizeof err) == 0, "ascii string");
	ok(p.plain, "a case-sensitive string is plain");
	h = run_pat(&p, (const uint8_t *)text, 0, sizeof text - 1, sizeof text - 1);
	is_u64(h.n, 1, "case-sensitive: one hello");
	is_u64(h.off[0], 8, "at 8");
	scan_pat_free(&p);

	ok(scan_pat_str(&p, "hello", false, true, err, sizeof err) == 0, "-i string");
	is_u64(p.mask[0], 0xdf, "letters fold with mask 0xdf");
	h = run_pat(&p, (const uint8_t *)text, 0, sizeof text - 1, sizeof text - 1);
	is_u64(h.n, 3, "-i: HeLLo, hello, HELLO");
	is_u64(h.off[0], 2, "first at 2");
	is_u64(h.off[2], 14, "third at 14");
	scan_pat_free(&p);

	ok(scan_pat_str(&p, "hi", true, false, err, sizeof err) == 0, "utf-16 string");
	is_str(p.encoding, "utf-16le", "encoding named");
	is_u64(p.len, 4, "hi as UTF-16LE is 4 bytes");
	h = run_pat(&p, u16, 0, sizeof u16, sizeof u16);
	is_u64(h.n, 1, "utf-16: one hi");
	scan_pat_free(&p);
	ok(scan_pat_str(&p, "hi", true, true, err, sizeof err) == 0, "utf-16 with -i");
	h = run_pat(&p, u16, 0, sizeof u16, sizeof u16);
	is_u64(h.n, 2, "utf-16 -i: hi and HI");
	is_u64(h.off[1], 6, "HI at 6");
	scan_pat_free(&p);
	ok(scan_pat_str(&p, "\xe2\x82\xac", true, false, err, sizeof err) == 0, "utf-8 euro sign to utf-16");
	is_u64(p.len, 2, "U+20AC is one UTF-16 unit");
	is_u64(p.want[0], 0xac, "low byte first");
	is_u64(p.want[1], 0x20, "then the high byte");
	scan_pat_free(&p);
	ok(scan_pat_str(&p, "\xf0\x9f\x98\x80", true, false, err, sizeof err) == 0 && p.len == 4 &&
	   p.want[0] == 0x3d && p.want[1] == 0xd8 && p.want[2] == 0x00 && p.want[3] == 0xde,
	   "U+1F600 as the surrogate pair d83d de00");
	scan_pat_free(&p);
	ok(scan_pat_str(&p, "\xc3", true, false, err, sizeof err) < 0, "truncated UTF-8 is refused");
	ok(scan_pat_str(&p, "", false, false, err, sizeof err) < 0, "an empty string is refused");
}

static void
test_stop(void)
{
	static const uint8_t buf[] = "aaaaaaaa";
	struct scan_pat p;
	struct hits h = { .n = 0, .stop_after = 3 };
	char err[256];

	scan_pat_str(&p, "aa", false, false, err, sizeof err);
	is_int(scan_pat_run(&p, buf, 0, 8, 8, collect, &h), 7, "the callback's non-zero value is returned");
	is_u64(h.n, 3, "and the search stopped there");
	h = run_pat(&p, buf, 0, 8, 8);
	is_u64(h.n, 7, "overlapping matches are all found");
	scan_pat_free(&p);
}

static void
test_typed(void)
{
	uint8_t buf[32] = { 0 };
	struct scan_typed ty = { .type = MF_T_U32, .size = 4, .align = 4, .cmp = SCAN_EQ, .a.u = 100 };
	struct hits h = { .n = 0 };

	buf[4] = 100;     /* aligned u32 100 at 4 */
	buf[10] = 100;    /* misaligned at 10 */
	buf[20] = 0x90;   /* 400 at 20 */
	buf[21] = 0x01;
	ok(scan_typed_prepare(&ty) == 0 && ty.use_pat, "u32 == goes through a byte pattern");
	scan_typed_run(&ty, 0, buf, 0, sizeof buf, sizeof buf, collect, &h);
	is_u64(h.n, 1, "u32 100: only the aligned one");
	is_u64(h.off[0], 4, "at 4");
	h.n = 0;
	scan_typed_run(&ty, 2, buf, 0, sizeof buf, sizeof buf, collect, &h);
	is_u64(h.n, 1, "with base 2, the one at 10 is aligned");
	is_u64(h.off[0], 10, "at 10");
	scan_typed_free(&ty);
	buf[10] = 0;
	ty.cmp = SCAN_GT;
	ty.a.u = 100;
	ok(scan_typed_prepare(&ty) == 0 && !ty.use_pat, "> compares decoded values");
	h.n = 0;
	scan_typed_run(&ty, 0, buf, 0, sizeof buf, sizeof buf, collect, &h);
	is_u64(h.n, 1, "u32 > 100: 400");
	is_u64(h.off[0], 20, "at 20");
	ty.cmp = SCAN_BETWEEN;
	ty.a.u = 100;
	ty.b.u = 400;
	h.n = 0;
	scan_typed_run(&ty, 0, buf, 0, sizeof buf, sizeof buf, collect, &h);
	is_u64(h.n, 2, "between 100 400 is inclusive");
	scan_typed_free(&ty);

	ty.type = MF_T_F32;
	ty.size = 4;
	ty.cmp = SCAN_LT;
	ty.a.f = 0.0;
	memset(buf, 0, sizeof buf);
	buf[14] = 0xc0;                 /* -2.0f at 12 */
	buf[15] = 0xc0;
	ok(scan_typed_prepare(&ty) == 0 && !ty.use_pat, "floats never go through a byte pattern");
	h.n = 0;
	scan_typed_run(&ty, 0, buf, 0, sizeof buf, sizeof buf, collect, &h);
	is_u64(h.n, 1, "f32 < 0: one");
	is_u64(h.off[0], 12, "at 12");
	/* own_end and seg_end bound typed values as they bound patterns */
	h.n = 0;
	scan_typed_run(&ty, 0, buf, 0, 15, sizeof buf, collect, &h);
	is_u64(h.n, 0, "a value that runs past seg_end is not read");
	h.n = 0;
	scan_typed_run(&ty, 0, buf, 0, sizeof buf, 12, collect, &h);
	is_u64(h.n, 0, "a value at own_end belongs to the next chunk");
	scan_typed_free(&ty);
}

static void
test_rescan(void)
{
	struct scan_rescan rs;
	char *args[] = { "5", "9" };
	uint8_t now[4] = { 7, 0, 0, 0 }, old[4] = { 7, 0, 0, 0 };
	union mf_num o = { .u = 6 };
	char err[MF_ERRBUF_SIZE];

	is_int(scan_rescan_parse(&rs, "sideways", args, 0), MF_ERR_NOTFOUND, "unknown mode");
	is_int(scan_rescan_parse(&rs, "between", args, 1), MF_ERR_ARG, "between with one value");
	is_u64(rs.nargs, 2, "says it takes two");
	is_int(scan_rescan_parse(&rs, "increased", args, 0), 0, "increased");
	is_int(scan_rescan_keep_hit(&rs, MF_T_U32, o, NULL, now, 4, err), 1, "6 -> 7 increased");
	scan_rescan_parse(&rs, "decreased", args, 0);
	is_int(scan_rescan_keep_hit(&rs, MF_T_U32, o, NULL, now, 4, err), 0, "6 -> 7 not decreased");
	is_int(scan_rescan_keep_hit(&rs, MF_T_NONE, o, old, now, 4, err), MF_ERR_UNSUPPORTED,
	       "decreased needs typed hits");
	scan_rescan_parse(&rs, "unchanged", args, 0);
	is_int(scan_rescan_keep_hit(&rs, MF_T_NONE, o, old, now, 4, err), 1, "untyped: same bytes");
	is_int(scan_rescan_keep_hit(&rs, MF_T_NONE, o, NULL, now, 4, err), 0, "untyped without data: changed");
	scan_rescan_parse(&rs, "between", args, 2);
	is_int(scan_rescan_keep_hit(&rs, MF_T_U32, o, NULL, now, 4, err), 1, "7 between 5 and 9");
	args[0] = "-1";
	scan_rescan_parse(&rs, "between", args, 2);
	is_int(scan_rescan_keep_hit(&rs, MF_T_U32, o, NULL, now, 4, err), MF_ERR_ARG, "-1 is no u32");
	is_str(err, "value '-1' out of range for u32", "its message");
}

int
main(void)
{
	test_hex();
	test_strings();
	test_stop();
	test_typed();
	test_rescan();
	return done_testing();
}
