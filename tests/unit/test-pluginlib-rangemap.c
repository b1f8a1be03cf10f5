/* test-pluginlib-rangemap.c: the range map (pluginlib/rangemap.c): building (order,
 * overlap, caps, the top of the address space), the merged range list, lookup by binary
 * search, batched reads and writes against a real file, with pieces answered by a
 * callback, and views into the mapped file (fio_map). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pluginlib/fileio.h"
#include "pluginlib/rangemap.h"
#include "tap.h"

#define KIND_SLOW 7u

static uint8_t
pat(uint64_t off)
{
	return (uint8_t)(off * 31 + (off >> 9) + 3);
}

static void
test_build(void)
{
	struct rmap m = { 0 };
	size_t bad = 99;

	is_int(rmap_add(&m, 0x3000, 0x1000, 0, RMAP_PLAIN, 0), 0, "add a segment");
	is_int(rmap_add(&m, 0x1000, 0x1000, 0x1000, RMAP_PLAIN, 0), 0, "add one below it");
	is_int(rmap_add(&m, 0x2000, 0x1000, 0x5000, RMAP_PLAIN, 0), 0, "add the one between");
	is_int(rmap_add(&m, 0x9000, 0, 0, RMAP_PLAIN, 0), 0, "size 0 adds nothing");
	is_u64(m.n, 3, "three segments");
	is_int(rmap_finish(&m, 0, &bad), MF_ERR_FORMAT, "unsorted without sort is an error");
	is_u64(bad, 1, "... at segment 1");
	is_int(rmap_finish(&m, 1, &bad), 0, "sorted");
	ok(m.seg[0].base == 0x1000 && m.seg[1].base == 0x2000 && m.seg[2].base == 0x3000, "segments in order");
	is_u64(m.nranges, 1, "adjacent segments merge into one range");
	ok(m.ranges[0].base == 0x1000 && m.ranges[0].size == 0x3000, "the merged range 0x1000+0x3000");
	is_int(rmap_add(&m, 0x10000, 0x100, 0, RMAP_PLAIN, 0), 0, "a separate segment");
	is_int(rmap_finish(&m, 0, &bad), 0, "finish again");
	is_u64(m.nranges, 2, "two ranges");
	is_int(rmap_add(&m, 0x100ff, 0x10, 0, RMAP_PLAIN, 0), 0, "an overlapping segment");
	is_int(rmap_finish(&m, 1, &bad), MF_ERR_FORMAT, "overlap is an error");
	is_u64(bad, 4, "... at the later one");
	rmap_free(&m);
	ok(m.seg == NULL && m.n == 0 && m.ranges == NULL, "free zeroes the map");

	is_int(rmap_add(&m, UINT64_MAX - 0xfff, 0x2000, 0, RMAP_PLAIN, 0), 0, "a segment past the top");
	is_u64(m.seg[0].size, 0xfff, "is cut below the top byte");
	is_int(rmap_add(&m, 0, 0, 0, RMAP_PLAIN, 0), 0, "an empty segment at 0");
	is_u64(m.n, 1, "... adds nothing");
	is_int(rmap_add(&m, UINT64_MAX, 1, 0, RMAP_PLAIN, 0), 0, "the top byte alone");
	is_u64(m.n, 1, "... adds nothing");
	is_int(rmap_add(&m, 0x1000, UINT64_MAX - 0xfff, 0, RMAP_PLAIN, 0), 0, "a segment that ends exactly at 2^64");
	ok(m.n == 2 && m.seg[1].size == UINT64_MAX - 0x1000, "... is cut below the top byte");
	rmap_free(&m);

	m.max = 3;
	for (int i = 0; i < 3; i++)
		rmap_add(&m, (uint64_t)i * 0x2000, 0x1000, 0, RMAP_PLAIN, 0);
	is_int(rmap_add(&m, 0x10000, 0x1000, 0, RMAP_PLAIN, 0), MF_ERR_LIMIT, "the cap (max) is kept");
	is_u64(m.n, 3, "... with the segments below it");
	rmap_free(&m);
	is_int(rmap_finish(&m, 1, &bad), 0, "an empty map finishes");
	is_u64(m.nranges, 0, "... with no ranges");
	rmap_free(&m);
}

static void
test_find(void)
{
	struct rmap m = { 0 };
	size_t first = 0, bad;

	for (uint64_t i = 0; i < 1000; i++)   /* [i*0x3000, +0x2000) */
		rmap_add(&m, i * 0x3000, 0x2000, i * 0x2000, RMAP_PLAIN, 0);
	rmap_finish(&m, 0, &bad);
	is_int(rmap_find(&m, 0), 0, "find the first byte");
	is_int(rmap_find(&m, 0x1fff), 0, "find the last byte of segment 0");
	is_int(rmap_find(&m, 0x2000), -1, "a hole after it");
	is_int(rmap_find(&m, 0x2fff), -1, "the hole's last byte");
	is_int(rmap_find(&m, 0x3000), 1, "segment 1");
	is_int(rmap_find(&m, 999 * 0x3000 + 0x1fff), 999, "the last byte of the last segment");
	is_int(rmap_find(&m, 999 * 0x3000 + 0x2000), -1, "past the last segment");
	is_int(rmap_find(&m, UINT64_MAX), -1, "the top of the address space");
	{
		int wrong = 0;

		for (uint64_t a = 0; a < 1000 * 0x3000; a += 0x7ff)
			wrong += rmap_find(&m, a) != (a % 0x3000 < 0x2000 ? (ptrdiff_t)(a / 0x3000) : -1);
		is_int(wrong, 0, "binary search agrees with arithmetic over the whole map");
	}
	ok(rmap_covered(&m, 0x3000, 0x2000, &first) && first == 1, "a whole segment is covered");
	ok(!rmap_covered(&m, 0x3000, 0x2001, &first), "one byte into the hole is not");
	ok(!rmap_covered(&m, 0x1000, 0, &first), "length 0 is not covered");
	ok(!rmap_covered(&m, 0x1000, UINT64_MAX, &first), "a length that wraps is not covered");
	rmap_free(&m);

	rmap_add(&m, 0x1000, 0x1000, 0, RMAP_PLAIN, 0);
	rmap_add(&m, 0x2000, 0x1000, 0x8000, RMAP_PLAIN, 0);
	rmap_finish(&m, 0, &bad);
	ok(rmap_covered(&m, 0x1800, 0x1000, &first) && first == 0, "a span across adjacent segments is covered");
	rmap_free(&m);
}

static int slow_calls;

static int
slow_read(void *ctx, const struct rmap_seg *s, uint64_t addr, void *buf, uint64_t len)
{
	(void)ctx;
	slow_calls++;
	if (s->aux == 1)
		return MF_ERR_CORRUPT;
	memset(buf, (int)(addr - s->base + s->off) & 0xff, len);
	return 0;
}

/* A 64 KiB file of pat() bytes at path (a mkstemp template): its fd, its bytes in *file. */
static int
test_file(char *path, uint8_t **file)
{
	int fd = mkstemp(path);

	*file = malloc(0x10000);
	for (uint64_t k = 0; *file != NULL && k < 0x10000; k++)
		(*file)[k] = pat(k);
	if (fd < 0 || *file == NULL || write(fd, *file, 0x10000) != 0x10000) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	return fd;
}

/* The map of segments s[0, n), finished (unsorted). */
static void
test_map(struct rmap *m, const struct rmap_seg *s, size_t n, const char *what)
{
	size_t bad;

	for (size_t i = 0; i < n; i++)
		rmap_add(m, s[i].base, s[i].size, s[i].off, s[i].kind, s[i].aux);
	is_int(rmap_finish(m, 0, &bad), 0, "%s", what);
}

static const struct rmap_seg rw_segs[] = {
	{ 0x0000, 0x2000, 0x8000, RMAP_PLAIN, 0 }, { 0x2000, 0x1000, 0x1000, RMAP_PLAIN, 0 },
	{ 0x3000, 0x1000, 0x40, KIND_SLOW, 0 }, { 0x4000, 0x1000, 0, KIND_SLOW, 1 },
	{ 0x10000, 0x2000, 0xf000, RMAP_PLAIN, 0 },
};

static void
test_read_write(void)
{
	char path[] = "/tmp/mf-test-rangemap-XXXXXX";
	uint8_t *file, buf[0x3000];
	int fd = test_file(path, &file);
	struct rmap m = { 0 };
	struct mf_iov v[8];
	int wrong = 0;

	/* phys 0x0000-0x1fff at file 0x8000; 0x2000-0x2fff at file 0x1000 (adjacent in phys,
	 * not in the file); 0x3000-0x3fff slow; 0x4000-0x4fff slow and failing; 0x10000 at
	 * file 0xf000 (0x2000 bytes: the second half is past end of file) */
	test_map(&m, rw_segs, sizeof rw_segs / sizeof rw_segs[0], "the test map");
	is_u64(m.nranges, 2, "two ranges: 0-0x4fff and 0x10000-0x11fff");

	memset(buf, 0, sizeof buf);
	v[0] = (struct mf_iov){ .addr = 0x1f00, .buf = buf, .len = 0x200 };
	v[1] = (struct mf_iov){ .addr = 0x3010, .buf = buf + 0x200, .len = 0x10 };
	v[2] = (struct mf_iov){ .addr = 0x4000, .buf = buf + 0x300, .len = 0x10 };
	v[3] = (struct mf_iov){ .addr = 0x5000, .buf = buf + 0x400, .len = 0x10 };
	v[4] = (struct mf_iov){ .addr = 0x10ff0, .buf = buf + 0x500, .len = 0x10 };
	v[5] = (struct mf_iov){ .addr = 0x11000, .buf = buf + 0x600, .len = 0x10 };
	v[6] = (struct mf_iov){ .addr = 0x0, .buf = buf + 0x700, .len = 0 };
	v[7] = (struct mf_iov){ .addr = 0x2ff0, .buf = buf + 0x800, .len = 0x20 };
	slow_calls = 0;
	rmap_read(&m, fd, v, 8, slow_read, NULL);
	is_int(v[0].err, 0, "a read across two plain segments");
	for (int k = 0; k < 0x100; k++)
		wrong += buf[k] != pat(0x8000 + 0x1f00 + (uint64_t)k) || buf[0x100 + k] != pat(0x1000 + (uint64_t)k);
	is_int(wrong, 0, "... has each segment's file bytes");
	is_int(v[1].err, 0, "a slow piece");
	ok(buf[0x200] == 0x50 && buf[0x20f] == 0x50, "... filled by the callback");
	is_int(v[2].err, MF_ERR_CORRUPT, "a slow piece's error is the entry's");
	is_int(v[3].err, MF_ERR_UNMAPPED, "a hole is MF_ERR_UNMAPPED");
	is_int(v[4].err, 0, "the last bytes of the file");
	ok(buf[0x500] == pat(0xfff0) && buf[0x50f] == pat(0xffff), "... their bytes");
	is_int(v[5].err, MF_ERR_IO, "bytes the map has but the file lacks: MF_ERR_IO");
	is_int(v[6].err, 0, "length 0 succeeds");
	is_int(v[7].err, 0, "a read from plain into slow");
	ok(buf[0x800] == pat(0x1ff0) && buf[0x810] == 0x40, "... both parts");
	is_int(slow_calls, 3, "the callback answered only the slow pieces");
	v[0] = (struct mf_iov){ .addr = 0x3000, .buf = buf, .len = 1 };
	rmap_read(&m, fd, v, 1, NULL, NULL);
	is_int(v[0].err, MF_ERR_UNSUPPORTED, "a slow piece without a callback");

	{   /* many entries: the batches of 256 iovecs and their flushes */
		struct mf_iov *w = calloc(600, sizeof *w);
		uint8_t *big = malloc(600 * 8);

		for (int k = 0; k < 600; k++)
			w[k] = (struct mf_iov){ .addr = (uint64_t)k * 8 % 0x2000, .buf = big + k * 8, .len = 8 };
		rmap_read(&m, fd, w, 600, NULL, NULL);
		wrong = 0;
		for (int k = 0; k < 600; k++)
			for (int j = 0; j < 8; j++)
				wrong += w[k].err != 0 || big[k * 8 + j] != pat(0x8000 + (uint64_t)k * 8 % 0x2000 + (uint64_t)j);
		is_int(wrong, 0, "600 small reads in batches");
		free(w);
		free(big);
	}

	memset(buf, 0xee, 0x20);
	v[0] = (struct mf_iov){ .addr = 0x1ff0, .buf = buf, .len = 0x20 };
	v[1] = (struct mf_iov){ .addr = 0x3000, .buf = buf, .len = 4 };
	v[2] = (struct mf_iov){ .addr = 0x6000, .buf = buf, .len = 4 };
	rmap_write(&m, fd, v, 3);
	is_int(v[0].err, 0, "a write across two plain segments");
	{
		uint8_t a[0x10], b[0x10];

		ok(pread(fd, a, 0x10, 0x9ff0) == 0x10 && pread(fd, b, 0x10, 0x1000) == 0x10 &&
		   a[0] == 0xee && a[15] == 0xee && b[0] == 0xee && b[15] == 0xee,
		   "... lands in both places in the file");
	}
	is_int(v[1].err, MF_ERR_READONLY, "writing a slow segment is MF_ERR_READONLY");
	is_int(v[2].err, MF_ERR_UNMAPPED, "writing a hole is MF_ERR_UNMAPPED");
	rmap_free(&m);
	free(file);
	close(fd);
	unlink(path);
}

static const struct rmap_seg view_segs[] = {
	{ 0x0000, 0x1000, 0x2000, RMAP_PLAIN, 0 }, { 0x1000, 0x1000, 0x3000, RMAP_PLAIN, 0 },
	{ 0x2000, 0x1000, 0x8000, RMAP_PLAIN, 0 }, { 0x3000, 0x1000, 0x40, KIND_SLOW, 0 },
	{ 0x8000, 0x2000, 0xf000, RMAP_PLAIN, 0 },
};

/* Views: the bytes of plain segments that follow each other in memory and in the file, in
 * the mapping itself; anything else is refused (the connector then reads a copy). */
static void
test_view(void)
{
	char path[] = "/tmp/mf-test-rangemap-XXXXXX";
	uint8_t *file;
	int fd = test_file(path, &file);
	struct rmap m = { 0 };
	struct fio_map f = { 0 }, none = { 0 };
	const void *d = NULL;

	/* phys 0x0-0xfff at file 0x2000, 0x1000-0x1fff at file 0x3000 (continuing it in both),
	 * 0x2000-0x2fff at file 0x8000 (adjacent in phys only), 0x3000-0x3fff slow, 0x8000 at
	 * file 0xf000 (0x2000 bytes: the second half is past the end of the file) */
	test_map(&m, view_segs, sizeof view_segs / sizeof view_segs[0], "the view test map");
	is_int(rmap_view(&m, &none, 0x10, 0x10, &d), MF_ERR_UNSUPPORTED, "no mapping: no view");
	is_int(fio_map(fd, 0x10000, &f), 0, "the file maps");
	ok(f.data != NULL && f.size == 0x10000 && memcmp(f.data, file, 0x10000) == 0, "... with its bytes");
	ok(rmap_view(&m, &f, 0x10, 0x100, &d) == 0 && d == f.data + 0x2010, "a view inside one segment is its file offset");
	ok(rmap_view(&m, &f, 0xf00, 0x200, &d) == 0 && d == f.data + 0x2f00 && memcmp(d, file + 0x2f00, 0x200) == 0,
	   "a view across segments that continue each other in the file");
	is_int(rmap_view(&m, &f, 0x1f00, 0x200, &d), MF_ERR_UNSUPPORTED, "segments apart in the file: refused");
	ok(rmap_view(&m, &f, 0x2000, 0x1000, &d) == 0 && d == f.data + 0x8000, "the whole third segment");
	is_int(rmap_view(&m, &f, 0x3000, 0x10, &d), MF_ERR_UNSUPPORTED, "a segment that is not plain: refused");
	is_int(rmap_view(&m, &f, 0x4000, 0x10, &d), MF_ERR_UNSUPPORTED, "a hole: refused");
	is_int(rmap_view(&m, &f, 0x2ff0, 0x20, &d), MF_ERR_UNSUPPORTED, "running into a slow segment: refused");
	ok(rmap_view(&m, &f, 0x8ff0, 0x10, &d) == 0 && d == f.data + 0xfff0, "up to the end of the file");
	is_int(rmap_view(&m, &f, 0x8ff0, 0x11, &d), MF_ERR_UNSUPPORTED, "one byte past the end of the file: refused");
	is_int(rmap_view(&m, &f, 0x10, 0, &d), MF_ERR_UNSUPPORTED, "length 0: refused");
	is_int(rmap_view(&m, &f, 0x10, UINT64_MAX, &d), MF_ERR_UNSUPPORTED, "a length that wraps: refused");
	fio_unmap(&f);
	ok(f.data == NULL && f.size == 0, "unmap zeroes the map");
	fio_unmap(&f);
	is_int(fio_map(fd, 0, &f), MF_ERR_UNSUPPORTED, "an empty file does not map");
	rmap_free(&m);
	free(file);
	close(fd);
	unlink(path);
}

int
main(void)
{
	test_build();
	test_find();
	test_read_write();
	test_view();
	return done_testing();
}
