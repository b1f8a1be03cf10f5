/* test-conn-lime: the lime connector on a third-party LiME capture, on LiME and AVML
 * files built here (gaps, truncation, snappy framing, a corrupt checksum) and on bad
 * input. */
#include "config.h"

#include <stdlib.h>
#ifdef HAVE_SNAPPY
#include <snappy-c.h>
#endif

#include "conn-test.h"

static const struct mf_connector *lime;

static void
lime_hdr(struct ct_buf *b, uint32_t magic, uint32_t version, uint64_t s, uint64_t e)
{
	ct_u32(b, magic);
	ct_u32(b, version);
	ct_u64(b, s);
	ct_u64(b, e);
	ct_u64(b, 0);
}

static void
lime_range(struct ct_buf *b, uint64_t s, uint64_t len)
{
	lime_hdr(b, 0x4C694D45, 1, s, s + len - 1);
	ct_put_pat(b, s, len);
}

static void
test_third_party(void)
{
	const char *path = ct_third_party("deb-x86_64-slice.lime");
	const char *opath = ct_third_party("deb-x86_64-slice_0x1000_volatility3_out");
	uint8_t want[128], got[128];
	const struct mf_range *r;
	struct ct_conn o;
	FILE *f;
	size_t n;

	if (!ok(path != NULL && opath != NULL, "third-party LiME slice and its oracle in tests/fixtures"))
		return;
	f = fopen(opath, "rb");
	if (!ok(f != NULL && fread(want, 1, 128, f) == 128, "volatility3 oracle readable (%s)", opath)) {
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	is_int(ct_open(&o, lime, path), 0, "third-party slice opens");
	if (o.rc < 0) {
		printf("# %s\n", o.err);
		return;
	}
	is_str(ct_hint_str(&o, "format"), "lime", "format hint is lime");
	n = lime->ranges(o.h, &r);
	is_u64(n, 1, "one range");
	is_u64(r[0].base, 0x1000, "range starts at 0x1000");
	is_u64(r[0].base + r[0].size - 1, 0x9ffff, "range ends at 0x9ffff (inclusive)");
	is_int(ct_read(&o, 0x1000, got, 128), 0, "read 128 bytes at 0x1000");
	ok(memcmp(got, want, 128) == 0, "bytes at 0x1000 equal volatility3's");
	is_int(ct_read(&o, 0x0, got, 16), MF_ERR_UNMAPPED, "read at 0x0 is unmapped");
	is_int(ct_read(&o, 0xa0000, got, 16), MF_ERR_UNMAPPED, "read at 0xa0000 is unmapped");
	is_int(ct_read(&o, 0x9fff8, got, 16), MF_ERR_UNMAPPED, "read crossing 0xa0000 is unmapped");
	is_int(ct_read(&o, 0x9fff0, got, 16), 0, "read of the last 16 bytes");
	ct_close(&o);
}

static void
test_built(void)
{
	struct ct_buf b = { 0 };
	const struct mf_range *r;
	struct ct_conn o;
	uint8_t *big = malloc(0x3000), pages[3][4096], x[64];
	struct mf_iov v[6];
	char err[MF_ERRBUF_SIZE];
	size_t n, i;

	lime_range(&b, 0x1000, 0x2000);
	lime_range(&b, 0x3000, 0x1000);            /* adjacent: one range with the previous */
	lime_range(&b, 0x10000, 0x2000);
	lime_range(&b, 0x100000000ull, 0x1000);    /* above 4 GiB */
	is_int(ct_open(&o, lime, ct_write("built.lime", b.p, b.n)), 0, "built LiME opens");
	n = lime->ranges(o.h, &r);
	is_u64(n, 3, "adjacent ranges merge: 3 ranges");
	ok(n == 3 && r[0].base == 0x1000 && r[0].size == 0x3000 && r[1].base == 0x10000 && r[1].size == 0x2000 &&
	   r[2].base == 0x100000000ull && r[2].size == 0x1000, "ranges are 0x1000-0x3fff, 0x10000-0x11fff, 0x100000000-0x100000fff");
	is_int(ct_read(&o, 0x1000, big, 0x3000), 0, "one read across two file ranges");
	ok(ct_is_pat(big, 0x1000, 0x3000), "its bytes are right");
	/* a batch: adjacent pages (one preadv), a gap, a partial overlap, high memory */
	for (i = 0; i < 3; i++)
		v[i] = (struct mf_iov){ .addr = 0x1000 + i * 4096, .buf = pages[i], .len = 4096, .err = 99 };
	v[3] = (struct mf_iov){ .addr = 0x5000, .buf = x, .len = 16, .err = 99 };
	v[4] = (struct mf_iov){ .addr = 0x11ff0, .buf = x + 16, .len = 32, .err = 99 };
	v[5] = (struct mf_iov){ .addr = 0x100000ff0ull, .buf = x + 48, .len = 16, .err = 99 };
	is_int(lime->read(o.h, v, 6, err), 0, "batch read returns 0");
	ok(v[0].err == 0 && v[1].err == 0 && v[2].err == 0 && ct_is_pat(pages[0], 0x1000, 4096) &&
	   ct_is_pat(pages[1], 0x2000, 4096) && ct_is_pat(pages[2], 0x3000, 4096), "adjacent pages read right");
	is_int(v[3].err, MF_ERR_UNMAPPED, "gap 0x5000 is unmapped");
	is_int(v[4].err, MF_ERR_UNMAPPED, "entry crossing the end of a range is unmapped");
	ok(v[5].err == 0 && ct_is_pat(x + 48, 0x100000ff0ull, 16), "read above 4 GiB");
	{
		const void *d = NULL;

		ok(lime->view != NULL && lime->view(o.h, 0x1800, 0x1000, &d) == 0 && ct_is_pat(d, 0x1800, 0x1000),
		   "a view inside a range: its bytes in the file");
		is_int(lime->view(o.h, 0x2800, 0x1000, &d), MF_ERR_UNSUPPORTED,
		       "a view across two ranges apart in the file (a header between) is refused");
		is_int(lime->view(o.h, 0x4ff0, 0x20, &d), MF_ERR_UNSUPPORTED, "a view into a gap is refused");
	}
	ct_close(&o);

	/* truncated: the last range is cut in the middle */
	b.n -= 0x800;
	is_int(ct_open(&o, lime, ct_write("cut.lime", b.p, b.n)), 0, "LiME cut in its last range opens (with a warning)");
	n = lime->ranges(o.h, &r);
	ok(n == 3 && r[2].size == 0x800, "the cut range keeps its present 0x800 bytes");
	ok(ct_read(&o, 0x100000000ull, x, 16) == 0 && ct_is_pat(x, 0x100000000ull, 16), "present part reads");
	is_int(ct_read(&o, 0x100000800ull, x, 16), MF_ERR_UNMAPPED, "missing part is a hole");
	{
		const void *d = NULL;

		ok(lime->view(o.h, 0x100000000ull, 0x800, &d) == 0 && ct_is_pat(d, 0x100000000ull, 0x800),
		   "a view of the present part");
		is_int(lime->view(o.h, 0x100000000ull, 0x801, &d), MF_ERR_UNSUPPORTED, "no view past the cut");
	}
	ct_close(&o);
	free(b.p);
	free(big);
}

static void
test_bad(void)
{
	struct ct_buf b = { 0 };
	const char *top = getenv("MF_TOP_SRCDIR");
	char path[1024];

	snprintf(path, sizeof path, "%s/tests/fixtures/conn/cut-header.lime", top ? top : ".");
	ct_open_fails(lime, path, MF_ERR_FORMAT, "header of range 0 cut short (file size 0x14", "cut header");
	snprintf(path, sizeof path, "%s/tests/fixtures/conn/end-before-start.lime", top ? top : ".");
	ct_open_fails(lime, path, MF_ERR_FORMAT, "range 0 at offset 0x0: end 0xfff below start 0x2000", "end < start");

	lime_hdr(&b, 0x4C694D45, 1, 0x1000, 0x100fff);
	ct_open_fails(lime, ct_write("past.lime", b.p, b.n), MF_ERR_FORMAT,
	              "past.lime: range 0 at offset 0x0 claims 0x100000 bytes, past end of file (size 0x20)", "length past EOF");

	b.n = 0;
	lime_range(&b, 0x1000, 0x2000);
	lime_range(&b, 0x2000, 0x1000);
	ct_open_fails(lime, ct_write("overlap.lime", b.p, b.n), MF_ERR_FORMAT,
	              "range 1 at offset 0x2020 (0x2000-0x2fff) overlaps the previous range (0x1000-0x2fff)", "overlapping ranges");
	b.n = 0;
	lime_range(&b, 0x5000, 0x1000);
	lime_range(&b, 0x1000, 0x1000);
	ct_open_fails(lime, ct_write("decr.lime", b.p, b.n), MF_ERR_FORMAT,
	              "range 1 at offset 0x1020 (0x1000-0x1fff) is below the previous range (0x5000-0x5fff)", "decreasing ranges");
	b.n = 0;
	lime_range(&b, 0x1000, 0x1000);
	lime_hdr(&b, 0x12345678, 1, 0x3000, 0x3fff);
	ct_open_fails(lime, ct_write("magic.lime", b.p, b.n), MF_ERR_FORMAT,
	              "range 1 at offset 0x1020: bad header (magic 0x12345678 version 1", "bad magic in range 1");
	b.n = 0;
	lime_hdr(&b, 0x4C694D45, 1, 0, UINT64_MAX);
	ct_open_fails(lime, ct_write("all.lime", b.p, b.n), MF_ERR_FORMAT, "covers all of 64-bit memory", "range of all memory");
	free(b.p);
}

/* ---- AVML -------------------------------------------------------------------------- */

/* An independent bitwise CRC-32C. */
static uint32_t
t_crc32c(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
	}
	return ~c;
}

static uint32_t
t_masked(const uint8_t *p, size_t n)
{
	uint32_t c = t_crc32c(p, n);

	return ((c >> 15) | (c << 17)) + 0xA282EAD8u;
}

static void
chunk_hdr(struct ct_buf *b, uint8_t type, uint32_t len)
{
	ct_u8(b, type);
	ct_u8(b, (uint8_t)len);
	ct_u8(b, (uint8_t)(len >> 8));
	ct_u8(b, (uint8_t)(len >> 16));
}

/* An AVML range with data = pattern, except [zero_from, zero_to) zeroed (compressible);
 * chunks of `chunk` bytes; `raw_every`: every such chunk is stored uncompressed.  Adds a
 * padding and a skippable chunk after the first data chunk.  Returns the offset of the
 * first data chunk's CRC. */
static size_t
avml_range(struct ct_buf *b, uint64_t s, size_t len, size_t chunk, int raw_every, int *ok_out)
{
	uint8_t *data = malloc(len);
	size_t start, i, off, first_crc = 0;
	int k = 0;

	for (i = 0; i < len; i++)
		data[i] = (i / 4096) % 2 ? 0 : ct_pat(s + i);   /* half the pages zero */
	ct_u32(b, 0x4C4D5641);
	ct_u32(b, 2);
	ct_u64(b, s);
	ct_u64(b, s + len - 1);
	ct_u64(b, 0);
	start = b->n;
	chunk_hdr(b, 0xff, 6);
	ct_put(b, "sNaPpY", 6);
	for (off = 0; off < len; off += chunk, k++) {
		size_t n = len - off < chunk ? len - off : chunk;
		uint32_t crc = t_masked(data + off, n);

		if (off == 0)
			first_crc = b->n + 4;
		if (raw_every && k % raw_every == raw_every - 1) {
			chunk_hdr(b, 0x01, (uint32_t)(4 + n));
			ct_u32(b, crc);
			ct_put(b, data + off, n);
		} else {
#ifdef HAVE_SNAPPY
			size_t cl = snappy_max_compressed_length(n);
			uint8_t *c = malloc(cl);

			if (snappy_compress((const char *)data + off, n, (char *)c, &cl) != SNAPPY_OK)
				*ok_out = 0;
			chunk_hdr(b, 0x00, (uint32_t)(4 + cl));
			ct_u32(b, crc);
			ct_put(b, c, cl);
			free(c);
#else
			chunk_hdr(b, 0x01, (uint32_t)(4 + n));
			ct_u32(b, crc);
			ct_put(b, data + off, n);
#endif
		}
		if (off == 0) {
			chunk_hdr(b, 0xfe, 5);   /* padding */
			ct_put(b, NULL, 5);
			chunk_hdr(b, 0x80, 3);   /* skippable */
			ct_put(b, "abc", 3);
		}
	}
	ct_u64(b, b->n - start);
	free(data);
	return first_crc;
}

static int
avml_is(const uint8_t *p, uint64_t s, uint64_t addr, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t rel = addr + i - s;
		uint8_t want = (rel / 4096) % 2 ? 0 : ct_pat(addr + i);

		if (p[i] != want)
			return 0;
	}
	return 1;
}

static void
test_avml(void)
{
	struct ct_buf b = { 0 };
	struct ct_conn o;
	const struct mf_range *r;
	uint8_t *buf = malloc(0x40000), x[64];
	struct mf_iov v[4];
	char err[MF_ERRBUF_SIZE];
	size_t crc1, n;
	int good = 1;

	crc1 = avml_range(&b, 0x100000, 0x30000, 65536, 3, &good);   /* 3 chunks, the third raw */
	avml_range(&b, 0x130000, 0x5000, 0x1800, 0, &good);           /* adjacent, small chunks */
	avml_range(&b, 0x1000000, 0x2000, 65536, 0, &good);
	ok(good, "test AVML file built");
#ifndef HAVE_SNAPPY
	ct_open_fails(lime, ct_write("x.avml", b.p, b.n), MF_ERR_UNSUPPORTED,
	              "avml compression needs libsnappy, which this build lacks", "avml without snappy");
	free(buf);
	free(b.p);
	return;
#endif
	is_int(ct_open(&o, lime, ct_write("x.avml", b.p, b.n)), 0, "AVML opens");
	if (o.rc < 0) {
		printf("# %d %s\n", o.rc, o.err);
		ct_close(&o);
		free(buf);
		free(b.p);
		return;
	}
	is_str(ct_hint_str(&o, "format"), "avml", "format hint is avml");
	n = lime->ranges(o.h, &r);
	ok(n == 2 && r[0].base == 0x100000 && r[0].size == 0x35000 && r[1].base == 0x1000000 && r[1].size == 0x2000,
	   "ranges: 0x100000-0x134fff and 0x1000000-0x1001fff");
	is_int(ct_read(&o, 0x100000, buf, 0x35000), 0, "read all of the first range (whole chunks)");
	ok(avml_is(buf, 0x100000, 0x100000, 0x30000) && avml_is(buf + 0x30000, 0x130000, 0x130000, 0x5000),
	   "its bytes are right (compressed and uncompressed chunks)");
	memset(buf, 0xaa, 0x40000);
	v[0] = (struct mf_iov){ .addr = 0x10fff0, .buf = x, .len = 32 };        /* across chunks 0/1 */
	v[1] = (struct mf_iov){ .addr = 0x12fff0, .buf = x + 32, .len = 32 };   /* across blocks */
	v[2] = (struct mf_iov){ .addr = 0x1001000, .buf = buf, .len = 0x1000 };
	v[3] = (struct mf_iov){ .addr = 0x1002000, .buf = buf + 0x1000, .len = 1 };
	is_int(lime->read(o.h, v, 4, err), 0, "batch read");
	ok(v[0].err == 0 && avml_is(x, 0x100000, 0x10fff0, 32), "partial chunks (cache) read right");
	ok(v[1].err == 0 && avml_is(x + 32, 0x100000, 0x12fff0, 16) && avml_is(x + 48, 0x130000, 0x130000, 16),
	   "a read across two AVML blocks");
	ok(v[2].err == 0 && avml_is(buf, 0x1000000, 0x1001000, 0x1000), "second block reads");
	is_int(v[3].err, MF_ERR_UNMAPPED, "past the last block is unmapped");
	ct_close(&o);

	/* a corrupted CRC: that chunk fails, the others read */
	b.p[crc1] ^= 0x01;
	is_int(ct_open(&o, lime, ct_write("crc.avml", b.p, b.n)), 0, "AVML with a bad chunk CRC opens");
	is_int(ct_read(&o, 0x100010, x, 16), MF_ERR_CORRUPT, "reading the bad chunk: MF_ERR_CORRUPT");
	is_int(ct_read(&o, 0x100000, buf, 0x10000), MF_ERR_CORRUPT, "whole bad chunk: MF_ERR_CORRUPT");
	ok(ct_read(&o, 0x110000, x, 16) == 0 && avml_is(x, 0x100000, 0x110000, 16), "the next chunk still reads");
	ct_close(&o);
	b.p[crc1] ^= 0x01;

	/* a corrupted compressed payload byte (CRC intact) */
	b.p[crc1 + 40] ^= 0x55;
	is_int(ct_open(&o, lime, ct_write("data.avml", b.p, b.n)), 0, "AVML with a damaged payload opens");
	is_int(ct_read(&o, 0x100000, x, 16), MF_ERR_CORRUPT, "damaged payload: MF_ERR_CORRUPT");
	ct_close(&o);
	b.p[crc1 + 40] ^= 0x55;

	/* trailer mismatch */
	b.p[b.n - 8] ^= 0x10;
	ct_open_fails(lime, ct_write("trailer.avml", b.p, b.n), MF_ERR_FORMAT, "trailer says", "bad trailer");
	b.p[b.n - 8] ^= 0x10;

	/* truncated in the last block: the first block stays readable */
	is_int(ct_open(&o, lime, ct_write("cut.avml", b.p, b.n - 200)), 0, "AVML cut in its last block opens");
	n = lime->ranges(o.h, &r);
	is_u64(n, 1, "only the complete first block is left");
	ok(ct_read(&o, 0x134000, x, 16) == 0 && avml_is(x, 0x130000, 0x134000, 16), "it reads");
	is_int(ct_read(&o, 0x1000000, x, 16), MF_ERR_UNMAPPED, "the cut block is a hole");
	ct_close(&o);
	ct_open_fails(lime, ct_write("cut0.avml", b.p, 60), MF_ERR_FORMAT, "compressed data is cut by the end of file",
	              "AVML cut in its first chunk");
	b.p[32] = 0x00;   /* no stream identifier */
	ct_open_fails(lime, ct_write("noid.avml", b.p, b.n), MF_ERR_FORMAT,
	              "snappy stream does not start with a stream identifier", "missing stream identifier");
	free(buf);
	free(b.p);
}

int
main(void)
{
	lime = ct_connector("lime");
	test_third_party();
	test_built();
	test_bad();
	test_avml();
	return done_testing();
}
