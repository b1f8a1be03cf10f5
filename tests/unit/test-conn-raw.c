/* test-conn-raw: the raw connector (reads, base=, write round trip) and how probe() picks
 * a connector for a file, as the host does: highest score among the file connectors. */
#include "config.h"

#include <stdlib.h>

#include "conn-test.h"

static const struct mf_connector *raw, *lime, *elf, *kcore;

/* The name of the connector whose probe scores highest for this file, or "none". */
static const char *
pick(const char *path)
{
	const struct mf_connector *all[] = { raw, lime, elf, kcore };
	uint8_t *head = malloc(65536);
	const char *best = "none";
	int best_score = 0;
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(head, 1, 65536, f) : 0;
	uint64_t size;
	size_t i;

	if (f == NULL)
		return "unreadable";
	fseek(f, 0, SEEK_END);
	size = (uint64_t)ftell(f);
	fclose(f);
	for (i = 0; i < sizeof all / sizeof all[0]; i++) {
		int s;

		if (!(all[i]->flags & MF_CONN_FILE) || all[i]->probe == NULL)
			continue;
		s = all[i]->probe(head, n, size);
		if (s > best_score) {
			best_score = s;
			best = all[i]->name;
		}
	}
	free(head);
	return best;
}

static void
test_probe(void)
{
	const char *lpath = ct_third_party("deb-x86_64-slice.lime");
	struct ct_buf b = { 0 };
	uint8_t lime_hdr[32] = { 0 };
	uint8_t elfh[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	size_t i;

	if (ok(lpath != NULL, "third-party LiME slice in tests/fixtures"))
		is_str(pick(lpath), "lime", "probe picks lime for the third-party LiME capture");
	lime_hdr[0] = 0x45; lime_hdr[1] = 0x4d; lime_hdr[2] = 0x69; lime_hdr[3] = 0x4c; lime_hdr[4] = 1;
	lime_hdr[16] = 0xff;   /* 0x0-0xfff */
	lime_hdr[17] = 0x0f;
	ct_put(&b, lime_hdr, 32);
	ct_put(&b, NULL, 4096);
	is_str(pick(ct_write("x.lime", b.p, b.n)), "lime", "probe picks lime for a LiME file");
	b.n = 0;
	elfh[16] = 4;
	elfh[18] = 62;
	ct_put(&b, elfh, 64);
	ct_put(&b, NULL, 4096 - 64);
	is_str(pick(ct_write("core", b.p, b.n)), "elf", "probe picks elf for an ELF core");
	b.p[16] = 2;
	is_str(pick(ct_write("exe", b.p, b.n)), "elf", "an ELF executable still goes to elf (which says what it is)");
	b.n = 0;
	for (i = 0; i < 8192; i++)
		ct_u8(&b, ct_pat(i));
	is_str(pick(ct_write("mem.bin", b.p, b.n)), "raw", "probe picks raw for an unknown 8 KiB file");
	is_str(pick(ct_write("odd.bin", b.p, 1001)), "none", "nothing takes an unknown 1001-byte file");
	b.p[0] = 0x1f;
	b.p[1] = 0x8b;
	is_str(pick(ct_write("x.gz", b.p, b.n)), "none", "nothing takes a gzip file, even of 4 KiB multiples");
	ok(kcore->probe == NULL && !(kcore->flags & MF_CONN_FILE), "kcore is not probed by magic");
	free(b.p);
}

static void
test_raw(void)
{
	struct ct_buf b = { 0 };
	struct ct_conn o;
	const struct mf_range *r;
	const char *path;
	uint8_t x[64], w[32], back[32];
	size_t i;
	FILE *f;

	ct_put_pat(&b, 0, 16384);
	path = ct_write("raw.bin", b.p, b.n);
	is_int(ct_open(&o, raw, path), 0, "raw opens");
	is_str(ct_hint_str(&o, "format"), "raw", "format raw");
	ok(raw->ranges(o.h, &r) == 1 && r[0].base == 0 && r[0].size == 16384, "one range 0-0x3fff");
	ok(ct_read(&o, 0x3fc0, x, 64) == 0 && ct_is_pat(x, 0x3fc0, 64), "read at the end");
	is_int(ct_read(&o, 0x3fe0, x, 64), MF_ERR_UNMAPPED, "read past the end is unmapped");
	{
		const void *d = NULL;

		ok(raw->view != NULL && raw->view(o.h, 0x100, 0x3f00, &d) == 0 && ct_is_pat(d, 0x100, 0x3f00),
		   "a view of 0x100-0x3fff: the file's bytes, without a copy");
		is_int(raw->view(o.h, 0x3f00, 0x101, &d), MF_ERR_UNSUPPORTED, "a view past the end is refused");
	}
	{
		struct mf_iov v = { .addr = 0, .buf = w, .len = 4 };
		char err[MF_ERRBUF_SIZE];

		raw->write(o.h, &v, 1, err);
		is_int(v.err, MF_ERR_READONLY, "write on a read-only open: MF_ERR_READONLY");
	}
	ct_close(&o);

	is_int(ct_open2(&o, raw, path, "base", "0x100000", 0), 0, "raw with base=0x100000");
	ok(raw->ranges(o.h, &r) == 1 && r[0].base == 0x100000, "range starts at base");
	ok(ct_read(&o, 0x100010, x, 16) == 0 && ct_is_pat(x, 0x10, 16), "physical base+N is byte N");
	{
		const void *d = NULL;

		ok(raw->view(o.h, 0x100010, 16, &d) == 0 && ct_is_pat(d, 0x10, 16), "... in a view too");
		is_int(raw->view(o.h, 0x10, 16, &d), MF_ERR_UNSUPPORTED, "no view below base");
	}
	is_int(ct_read(&o, 0x10, x, 16), MF_ERR_UNMAPPED, "below base is unmapped");
	ct_close(&o);
	ct_open2(&o, raw, path, "base", "0xfffffffffffff000", 0);
	ok(o.rc == MF_ERR_RANGE && strstr(o.err, "overflows 64 bits"), "base + size past 2^64 is refused");
	ct_close(&o);

	for (i = 0; i < sizeof w; i++)
		w[i] = (uint8_t)(0xa0 + i);
	is_int(ct_open2(&o, raw, path, NULL, NULL, 1), 0, "raw opens writable");
	{
		struct mf_iov v[2] = { { .addr = 0x1ff0, .buf = w, .len = 32 }, { .addr = 0x4000, .buf = w, .len = 1 } };
		char err[MF_ERRBUF_SIZE];

		const void *d = NULL;

		ok(raw->view(o.h, 0x1ff0, 32, &d) == 0 && ct_is_pat(d, 0x1ff0, 32), "writable: a view before the write");
		is_int(raw->write(o.h, v, 2, err), 0, "write batch");
		is_int(v[0].err, 0, "write of 32 bytes at 0x1ff0");
		is_int(v[1].err, MF_ERR_UNMAPPED, "write past the end is unmapped");
		ok(memcmp(d, w, 32) == 0, "the view shows the written bytes");
	}
	ct_close(&o);
	ct_open(&o, raw, path);
	ok(ct_read(&o, 0x1ff0, back, 32) == 0 && memcmp(back, w, 32) == 0, "reopened: the written bytes read back");
	ok(ct_read(&o, 0x1fe0, x, 16) == 0 && ct_is_pat(x, 0x1fe0, 16) && ct_read(&o, 0x2010, x, 16) == 0 &&
	   ct_is_pat(x, 0x2010, 16), "and their neighbours are untouched");
	ct_close(&o);
	f = fopen(path, "rb");
	ok(f != NULL && fseek(f, 0x1ff0, SEEK_SET) == 0 && fread(back, 1, 32, f) == 32 && memcmp(back, w, 32) == 0,
	   "the file itself holds them at offset 0x1ff0");
	if (f)
		fclose(f);
	ct_open_fails(raw, ct_write("empty", "", 0), MF_ERR_FORMAT, "empty file", "empty raw file");
	ct_open_fails(raw, ct_path("missing"), MF_ERR_NOTFOUND, "No such file or directory", "missing file");
	free(b.p);
}

int
main(void)
{
	raw = ct_connector("raw");
	lime = ct_connector("lime");
	elf = ct_connector("elf");
	kcore = ct_connector("kcore");
	test_probe();
	test_raw();
	return done_testing();
}
