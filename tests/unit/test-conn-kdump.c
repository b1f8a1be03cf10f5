/* test-conn-kdump.c: the kdump connector on kdump files built here (plain and flattened,
 * zlib/raw/zero/lzo/snappy/zstd pages, excluded pages, incomplete and truncated dumps,
 * hostile headers), and on files rearranged by the real makedumpfile when it is present. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#ifdef HAVE_LZO
#include <lzo/lzo1x.h>
#endif
#ifdef HAVE_SNAPPY
#include <snappy-c.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

#include "conn-test-util.h"
#include "pluginlib/bytes.h"

#define BS 4096u
#define MAXPFN 40u

enum kt_kind { KT_NONE, KT_ZLIB, KT_RAW, KT_ZERO, KT_LZO, KT_SNAPPY, KT_ZSTD, KT_BADZLIB, KT_EXCLUDED,
	/* hostile pages: a valid stream of only KT_SHORT_LEN bytes, or a full stream whose
	 * descriptor size cuts it short */
	KT_SHORTZLIB, KT_SHORTLZO, KT_SHORTSNAPPY, KT_SHORTZSTD, KT_CUTZLIB, KT_CUTZSTD };

#define KT_SHORT_LEN 100u

/* the test dump: what each pfn holds */
static enum kt_kind kt_layout[MAXPFN];

static const char kt_vmcoreinfo[] =
	"OSRELEASE=6.1.0-test-amd64\nPAGESIZE=4096\nSYMBOL(init_top_pgt)=ffffffff8c80a000\n"
	"NUMBER(phys_base)=-123469824\nKERNELOFFSET=b000000\nNUMBER(pgtable_l5_enabled)=0\n";

static void
kt_page(uint64_t pfn, uint8_t *p)
{
	for (unsigned i = 0; i < BS; i++)
		p[i] = (uint8_t)(pfn * 13 + i * 7 + (i >> 8));
}

static void
kt_setup_layout(void)
{
	memset(kt_layout, 0, sizeof kt_layout);
	kt_layout[0] = KT_ZLIB;
	kt_layout[1] = KT_RAW;
	kt_layout[2] = KT_ZERO;
	kt_layout[3] = KT_LZO;
	kt_layout[4] = KT_EXCLUDED;
	kt_layout[5] = KT_SNAPPY;
	kt_layout[6] = KT_ZSTD;
	kt_layout[7] = KT_ZERO;
	kt_layout[8] = KT_BADZLIB;
	for (int i = 16; i < 20; i++)
		kt_layout[i] = KT_ZLIB;
	kt_layout[33] = KT_RAW;
}

static size_t kt_compress_len(enum kt_kind kind, const uint8_t *page, size_t len, uint8_t *out, uint32_t *flags);

/* compress page with kind (the hostile kinds too); returns size and flags */
static size_t
kt_compress(enum kt_kind kind, const uint8_t *page, uint8_t *out, uint32_t *flags)
{
	switch (kind) {
	case KT_SHORTZLIB:
		return kt_compress_len(KT_ZLIB, page, KT_SHORT_LEN, out, flags);
	case KT_SHORTLZO:
		return kt_compress_len(KT_LZO, page, KT_SHORT_LEN, out, flags);
	case KT_SHORTSNAPPY:
		return kt_compress_len(KT_SNAPPY, page, KT_SHORT_LEN, out, flags);
	case KT_SHORTZSTD:
		return kt_compress_len(KT_ZSTD, page, KT_SHORT_LEN, out, flags);
	case KT_CUTZLIB:
		return kt_compress_len(KT_ZLIB, page, BS, out, flags) * 2 / 3;
	case KT_CUTZSTD:
		return kt_compress_len(KT_ZSTD, page, BS, out, flags) * 2 / 3;
	default:
		return kt_compress_len(kind, page, BS, out, flags);
	}
}

/* compress the first len bytes of page with kind; returns size and flags */
static size_t
kt_compress_len(enum kt_kind kind, const uint8_t *page, size_t len, uint8_t *out, uint32_t *flags)
{
	switch (kind) {
	case KT_ZLIB:
	case KT_BADZLIB: {
		uLongf n = compressBound(BS);

		compress2(out, &n, page, len, 6);
		*flags = 1;
		if (kind == KT_BADZLIB)
			out[n / 2] ^= 0x55, out[n / 2 + 1] ^= 0xaa, out[n - 1] ^= 0xff;
		return n;
	}
	case KT_LZO:
		*flags = 2;
#ifdef HAVE_LZO
		{
			static unsigned char wrk[LZO1X_1_MEM_COMPRESS];
			lzo_uint n = 0;

			lzo1x_1_compress(page, len, out, &n, wrk);
			return n;
		}
#else
		memset(out, 0x11, 100);
		return 100;
#endif
	case KT_SNAPPY:
		*flags = 4;
#ifdef HAVE_SNAPPY
		{
			size_t n = snappy_max_compressed_length(BS);

			snappy_compress((const char *)page, len, (char *)out, &n);
			return n;
		}
#else
		memset(out, 0x22, 100);
		return 100;
#endif
	case KT_ZSTD:
		*flags = 0x20;
#ifdef HAVE_ZSTD
		return ZSTD_compress(out, ZSTD_compressBound(BS), page, len, 1);
#else
		memset(out, 0x33, 100);
		return 100;
#endif
	default:
		memcpy(out, page, BS);
		*flags = 0;
		return BS;
	}
}

struct kt_opts {
	uint32_t status;
	int zero_last_descs;      /* leave the last N descriptors zero (incomplete dump) */
	uint64_t max_mapnr64;     /* 0: MAXPFN */
	uint32_t bitmap_blocks;   /* 0: 2 */
	int desc_past_eof;        /* descriptor of pfn 1 points past EOF */
	uint64_t last_desc_off;   /* not 0: the last descriptor's offset */
	int32_t version;
};

/* Build a plain kdump in memory; returns its size. */
static size_t
kt_build(uint8_t **out, const struct kt_opts *o)
{
	size_t cap = 1 << 20, data_off;
	uint8_t *f = calloc(1, cap), *page = malloc(BS), *cbuf = malloc(2 * BS + 1024);
	uint64_t ndesc = 0, zero_off = 0;
	uint64_t desc_base = (1 + 1 + 2) * BS;
	uint32_t bb = o->bitmap_blocks ? o->bitmap_blocks : 2;

	memcpy(f, "KDUMP   ", 8);
	put_le32(f + 8, (uint32_t)(o->version ? o->version : 6));
	strcpy((char *)f + 0x0c, "Linux");
	strcpy((char *)f + 0x0c + 2 * 65, "6.1.0-test-amd64");
	strcpy((char *)f + 0x0c + 4 * 65, "x86_64");
	put_le32(f + 0x1a8, o->status);
	put_le32(f + 0x1ac, BS);
	put_le32(f + 0x1b0, 1);
	put_le32(f + 0x1b4, bb);
	put_le32(f + 0x1b8, MAXPFN);
	put_le32(f + 0x1cc, 2);
	/* sub header */
	put_le64(f + BS + 0x00, 0x1234000);   /* QEMU's wrong phys_base: must not be used */
	put_le64(f + BS + 0x20, BS + 0x200);
	put_le64(f + BS + 0x28, strlen(kt_vmcoreinfo));
	memcpy(f + BS + 0x200, kt_vmcoreinfo, strlen(kt_vmcoreinfo));
	put_le64(f + BS + 0x60, o->max_mapnr64 ? o->max_mapnr64 : MAXPFN);
	/* bitmaps */
	for (unsigned p = 0; p < MAXPFN; p++) {
		if (kt_layout[p] == KT_NONE)
			continue;
		f[2 * BS + p / 8] |= (uint8_t)(1u << (p % 8));
		if (kt_layout[p] != KT_EXCLUDED) {
			f[3 * BS + p / 8] |= (uint8_t)(1u << (p % 8));
			ndesc++;
		}
	}
	/* the shared zero page first, then the pages in pfn order */
	data_off = desc_base + ndesc * 24;
	zero_off = data_off;
	data_off += BS;
	ndesc = 0;
	for (unsigned p = 0; p < MAXPFN; p++) {
		uint8_t *d;
		uint32_t flags;
		size_t n;

		if (kt_layout[p] == KT_NONE || kt_layout[p] == KT_EXCLUDED)
			continue;
		d = f + desc_base + ndesc * 24;
		ndesc++;
		if (kt_layout[p] == KT_ZERO) {
			put_le64(d, zero_off);
			put_le32(d + 8, BS);
			continue;
		}
		kt_page(p, page);
		n = kt_compress(kt_layout[p], page, cbuf, &flags);
		memcpy(f + data_off, cbuf, n);
		put_le64(d, data_off);
		put_le32(d + 8, (uint32_t)n);
		put_le32(d + 12, flags);
		if (p == 1 && o->desc_past_eof)
			put_le64(d, 0x40000000);
		data_off += n;
	}
	if (o->last_desc_off)
		put_le64(f + desc_base + (ndesc - 1) * 24, o->last_desc_off);
	for (int i = 0; i < o->zero_last_descs; i++)
		memset(f + desc_base + (ndesc - 1 - (uint64_t)i) * 24, 0, 24);
	free(page);
	free(cbuf);
	*out = f;
	return data_off;
}

/* The same bytes as a flattened file: records in a scrambled order, the header first
 * written as garbage and then rewritten (later records win). */
static size_t
kt_flatten(const uint8_t *plain, size_t n, uint8_t **out)
{
	size_t cap = 4096 + n * 2 + 64 * 1024, pos = 4096, chunk = 3000;
	uint8_t *f = calloc(1, cap), junk[512];
	size_t nchunks = (n + chunk - 1) / chunk;

	memcpy(f, "makedumpfile", 12);
	put_be64(f + 16, 1);
	put_be64(f + 24, 1);
	memset(junk, 0xee, sizeof junk);
	put_be64(f + pos, 100);
	put_be64(f + pos + 8, sizeof junk);
	memcpy(f + pos + 16, junk, sizeof junk);
	pos += 16 + sizeof junk;
	/* odd chunks first, then even ones: out of order on purpose */
	for (int pass = 1; pass >= 0; pass--) {
		for (size_t c = (size_t)pass; c < nchunks; c += 2) {
			size_t off = c * chunk, len = n - off < chunk ? n - off : chunk;
			int allzero = 1;

			for (size_t i = 0; i < len; i++)
				if (plain[off + i]) {
					allzero = 0;
					break;
				}
			if (allzero && c != nchunks - 1)
				continue;   /* holes of the plain file read as zeros */
			put_be64(f + pos, off);
			put_be64(f + pos + 8, len);
			memcpy(f + pos + 16, plain + off, len);
			pos += 16 + len;
		}
	}
	put_be64(f + pos, UINT64_MAX);
	put_be64(f + pos + 8, UINT64_MAX);
	pos += 16;
	*out = f;
	return pos;
}

static int
kt_expect(enum kt_kind k)
{
	switch (k) {
	case KT_NONE:
	case KT_EXCLUDED:
		return MF_ERR_UNMAPPED;
	case KT_BADZLIB:
	case KT_SHORTZLIB:
	case KT_CUTZLIB:
		return MF_ERR_CORRUPT;
	case KT_LZO:
	case KT_SHORTLZO:
#ifndef HAVE_LZO
		return MF_ERR_UNSUPPORTED;
#endif
		return k == KT_LZO ? 0 : MF_ERR_CORRUPT;
	case KT_SNAPPY:
	case KT_SHORTSNAPPY:
#ifndef HAVE_SNAPPY
		return MF_ERR_UNSUPPORTED;
#endif
		return k == KT_SNAPPY ? 0 : MF_ERR_CORRUPT;
	case KT_ZSTD:
	case KT_SHORTZSTD:
	case KT_CUTZSTD:
#ifndef HAVE_ZSTD
		return MF_ERR_UNSUPPORTED;
#endif
		return k == KT_ZSTD ? 0 : MF_ERR_CORRUPT;
	default:
		return 0;
	}
}

/* Check every page of the dump against the layout; up to `written` pages descriptors. */
static void
kt_check_pages(void *h, const char *what, int holes_from_desc)
{
	uint8_t *want = malloc(BS), *got = malloc(BS);
	int bad = 0, ndesc = 0;

	for (unsigned p = 0; p < MAXPFN + 4; p++) {
		enum kt_kind k = p < MAXPFN ? kt_layout[p] : KT_NONE;
		int exp = kt_expect(k), rc;

		if (k != KT_NONE && k != KT_EXCLUDED && holes_from_desc >= 0 && ndesc++ >= holes_from_desc)
			exp = MF_ERR_UNMAPPED;
		memset(got, 0xa5, BS);
		rc = ct_read(h, (uint64_t)p * BS, got, BS);
		if (rc != exp) {
			printf("# %s: pfn %u: got %d (%s), want %d\n", what, p, rc, mf_strerror(rc), exp);
			bad++;
			continue;
		}
		if (rc == 0) {
			if (k == KT_ZERO)
				memset(want, 0, BS);
			else
				kt_page(p, want);
			if (memcmp(want, got, BS) != 0) {
				printf("# %s: pfn %u: wrong bytes\n", what, p);
				bad++;
			}
		}
	}
	ok(bad == 0, "%s: every page reads its bytes or its error", what);
	/* a small read inside a page and a read across two pages of one range */
	{
		uint8_t two[2 * BS];

		kt_page(16, want);
		is_int(ct_read(h, 16 * BS + 100, got, 50), 0, "%s: small read inside a page", what);
		ok(memcmp(got, want + 100, 50) == 0, "%s: small read bytes", what);
		if (holes_from_desc < 0) {
			is_int(ct_read(h, 16 * BS + 2048, two, 2 * BS), 0, "%s: read across pages", what);
			kt_page(17, want);
			ok(memcmp(two + 2048, want, BS) == 0, "%s: read across pages bytes", what);
		}
	}
	free(want);
	free(got);
}

static void
kt_check_ranges(void *h, const char *what, const struct mf_range *want, size_t n)
{
	const struct mf_range *r;
	size_t got = ct_conn->ranges(h, &r);
	int same = got == n;

	for (size_t i = 0; same && i < n; i++)
		same = r[i].base == want[i].base && r[i].size == want[i].size;
	ok(same, "%s: memory map (%zu ranges)", what, got);
	for (size_t i = 0; !same && i < got; i++)
		printf("#   range 0x%" PRIx64 " +0x%" PRIx64 "\n", r[i].base, r[i].size);
}

static void
kt_test_file(const char *path, const char *what, const char *format)
{
	struct mf_hints *hints = mf_hints_new();
	char errbuf[MF_ERRBUF_SIZE];
	void *h = NULL;
	int rc = ct_open(path, &h, hints, errbuf);
	const struct mf_range want[] = { { 0, 4 * BS }, { 5 * BS, 4 * BS }, { 16 * BS, 4 * BS }, { 33 * BS, BS } };
	const char *s;

	is_int(rc, 0, "%s: opens (%s)", what, errbuf);
	if (rc < 0) {
		mf_hints_free(hints);
		return;
	}
	is_str(mf_hints_get_str(hints, "format"), format, "%s: format hint", what);
	s = mf_hints_get_str(hints, "vmcoreinfo");
	ok(s && strcmp(s, kt_vmcoreinfo) == 0, "%s: vmcoreinfo hint is the text", what);
	ok(ct_has_hint_u64(hints, "phys_base", (uint64_t)-123469824LL), "%s: phys_base from VMCOREINFO", what);
	ok(ct_has_hint_u64(hints, "kernel_offset", 0xb000000), "%s: kernel_offset", what);
	ok(ct_has_hint_u64(hints, "block_size", BS), "%s: block_size", what);
	ok(ct_has_hint_u64(hints, "cpus", 2), "%s: cpus", what);
	is_str(mf_hints_get_str(hints, "osrelease"), "6.1.0-test-amd64", "%s: osrelease", what);
	is_str(mf_hints_get_str(hints, "arch"), "x86_64", "%s: arch", what);
	kt_check_ranges(h, what, want, 4);
	kt_check_pages(h, what, -1);
	ct_conn->close(h);
	mf_hints_free(hints);
}

static int
kt_open_err(const char *path, char *errbuf)
{
	struct mf_hints *hints = mf_hints_new();
	void *h = NULL;
	int rc = ct_open(path, &h, hints, errbuf);

	if (rc == 0)
		ct_conn->close(h);
	mf_hints_free(hints);
	return rc;
}

int
main(void)
{
	struct kt_opts o;
	uint8_t *plain, *flat;
	size_t n, fn;
	char errbuf[MF_ERRBUF_SIZE];
	const char *p;

	ct_init("kdump");
	if (!ok(ct_conn != NULL, "kdump connector loads"))
		return done_testing();
	kt_setup_layout();

	memset(&o, 0, sizeof o);
	n = kt_build(&plain, &o);
	p = ct_path("plain.kdump");
	ct_write(p, plain, n);
	is_int(ct_probe_file(p), 100, "probe: plain kdump");
	kt_test_file(p, "plain", "kdump");

	fn = kt_flatten(plain, n, &flat);
	p = ct_path("flat.kdump");
	ct_write(p, flat, fn);
	is_int(ct_probe_file(p), 20, "probe: flattened kdump whose first record is not the header");
	kt_test_file(p, "flattened", "kdump-flattened");

	/* makedumpfile -R rearranges our flattened file: read what the real tool wrote (a test
	 * tool scripts/install-deps installs: missing, it fails) */
	if (system("command -v makedumpfile >/dev/null 2>&1") == 0) {
		char cmd[1200];
		const char *out = ct_path("rearranged.kdump");

		snprintf(cmd, sizeof cmd, "makedumpfile -R '%s' < '%s' >/dev/null 2>&1", out, p);
		if (ok(system(cmd) == 0, "makedumpfile -R rearranges the flattened file"))
			kt_test_file(out, "makedumpfile -R", "kdump");
	} else {
		ok(0, "makedumpfile -R: needs makedumpfile (scripts/install-deps installs it)");
	}

	/* old DISKDUMP signature (no sub header is read) */
	memcpy(plain, "DISKDUMP", 8);
	p = ct_path("disk.dump");
	ct_write(p, plain, n);
	{
		struct mf_hints *hints = mf_hints_new();
		void *h;

		is_int(ct_open(p, &h, hints, errbuf), 0, "DISKDUMP opens (%s)", errbuf);
		is_str(mf_hints_get_str(hints, "format"), "diskdump", "DISKDUMP format hint");
		ok(mf_hints_get_str(hints, "vmcoreinfo") == NULL, "DISKDUMP: no vmcoreinfo");
		kt_check_pages(h, "DISKDUMP", -1);
		ct_conn->close(h);
		mf_hints_free(hints);
	}
	free(plain);
	free(flat);

	/* incomplete: the last two descriptors were never written */
	memset(&o, 0, sizeof o);
	o.status = 0x8;
	o.zero_last_descs = 2;
	n = kt_build(&plain, &o);
	p = ct_path("incomplete.kdump");
	ct_write(p, plain, n);
	{
		struct mf_hints *hints = mf_hints_new();
		const struct mf_range want[] = { { 0, 4 * BS }, { 5 * BS, 4 * BS }, { 16 * BS, 3 * BS } };
		void *h;

		is_int(ct_open(p, &h, hints, errbuf), 0, "incomplete dump opens (%s)", errbuf);
		ok(strstr(ct_lastlog, "incomplete") != NULL, "incomplete dump: warning logged");
		kt_check_ranges(h, "incomplete", want, 3);
		kt_check_pages(h, "incomplete", 11);
		ct_conn->close(h);
		mf_hints_free(hints);
	}
	free(plain);

	/* truncated in the middle of the page data */
	memset(&o, 0, sizeof o);
	n = kt_build(&plain, &o);
	p = ct_path("truncated.kdump");
	ct_write(p, plain, n - BS - 10);
	{
		struct mf_hints *hints = mf_hints_new();
		uint8_t buf[BS];
		void *h;

		is_int(ct_open(p, &h, hints, errbuf), 0, "truncated dump opens (%s)", errbuf);
		ok(strstr(ct_lastlog, "truncated") != NULL, "truncated dump: warning logged");
		is_int(ct_read(h, 33 * BS, buf, BS), MF_ERR_UNMAPPED, "truncated dump: the cut page is a hole");
		is_int(ct_read(h, 16 * BS, buf, BS), 0, "truncated dump: earlier pages read");
		ct_conn->close(h);
		mf_hints_free(hints);
	}
	/* cut header */
	p = ct_path("cut.kdump");
	ct_write(p, plain, 100);
	is_int(kt_open_err(p, errbuf), MF_ERR_FORMAT, "cut header: format error");
	ok(strstr(errbuf, "header cut off") != NULL, "cut header: message (%s)", errbuf);
	/* cut inside the bitmaps */
	p = ct_path("cutbitmap.kdump");
	ct_write(p, plain, 3 * BS + 10);
	is_int(kt_open_err(p, errbuf), MF_ERR_FORMAT, "bitmap past EOF: format error");
	ok(strstr(errbuf, "beyond end of file") != NULL, "bitmap past EOF: message (%s)", errbuf);
	free(plain);

	/* absurd max_mapnr */
	memset(&o, 0, sizeof o);
	o.max_mapnr64 = UINT64_C(1) << 40;
	n = kt_build(&plain, &o);
	p = ct_path("mapnr.kdump");
	ct_write(p, plain, n);
	is_int(kt_open_err(p, errbuf), MF_ERR_FORMAT, "max_mapnr 2^40: format error");
	ok(strstr(errbuf, "max_mapnr 0x10000000000 does not fit the bitmap") != NULL, "max_mapnr: message (%s)",
	   errbuf);
	free(plain);

	/* absurd bitmap_blocks */
	memset(&o, 0, sizeof o);
	o.bitmap_blocks = 0x7ffffffe;
	n = kt_build(&plain, &o);
	p = ct_path("bitmapblocks.kdump");
	ct_write(p, plain, n);
	is_int(kt_open_err(p, errbuf), MF_ERR_LIMIT, "huge bitmap_blocks: limit error");
	ok(strstr(errbuf, "bitmap of") != NULL, "huge bitmap_blocks: message (%s)", errbuf);
	free(plain);

	/* bad header version */
	memset(&o, 0, sizeof o);
	o.version = -5;
	n = kt_build(&plain, &o);
	p = ct_path("version.kdump");
	ct_write(p, plain, n);
	is_int(kt_open_err(p, errbuf), MF_ERR_FORMAT, "negative header_version: format error (%s)", errbuf);
	free(plain);

	/* a descriptor pointing past EOF: that page is a hole, the others read */
	memset(&o, 0, sizeof o);
	o.desc_past_eof = 1;
	n = kt_build(&plain, &o);
	p = ct_path("descpast.kdump");
	ct_write(p, plain, n);
	{
		struct mf_hints *hints = mf_hints_new();
		uint8_t buf[BS], want[BS];
		void *h;

		is_int(ct_open(p, &h, hints, errbuf), 0, "descriptor past EOF: opens (%s)", errbuf);
		is_int(ct_read(h, 1 * BS, buf, BS), MF_ERR_UNMAPPED, "descriptor past EOF: page is a hole");
		kt_page(0, want);
		ok(ct_read(h, 0, buf, BS) == 0 && memcmp(buf, want, BS) == 0, "descriptor past EOF: pfn 0 reads");
		ct_conn->close(h);
		mf_hints_free(hints);
	}
	free(plain);

	/* pages whose compressed data is short of a block (a valid stream of 100 bytes) or cut
	 * short by its descriptor's size: each read fails as corrupt, every time, and the good
	 * page beside them reads */
	memset(kt_layout, 0, sizeof kt_layout);
	{
		static const enum kt_kind bad[] = { KT_SHORTZLIB, KT_SHORTLZO, KT_SHORTSNAPPY, KT_SHORTZSTD,
		                                    KT_CUTZLIB, KT_CUTZSTD };
		static const char *const names[] = { "zlib", "lzo", "snappy", "zstd", "cut zlib", "cut zstd" };
		struct mf_hints *hints = mf_hints_new();
		uint8_t buf[BS], want[BS];
		void *h;

		for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
			kt_layout[2 * i] = bad[i];
		kt_layout[1] = KT_ZLIB;
		memset(&o, 0, sizeof o);
		n = kt_build(&plain, &o);
		p = ct_path("shortpages.kdump");
		ct_write(p, plain, n);
		is_int(ct_open(p, &h, hints, errbuf), 0, "short pages: opens (%s)", errbuf);
		for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			memset(buf, 0xa5, BS);
			is_int(ct_read(h, 2 * i * BS, buf, BS), kt_expect(bad[i]), "short %s page: read fails", names[i]);
			is_int(ct_read(h, 2 * i * BS + 10, buf, 16), kt_expect(bad[i]), "short %s page: read again fails",
			       names[i]);
		}
		kt_page(1, want);
		ok(ct_read(h, BS, buf, BS) == 0 && memcmp(buf, want, BS) == 0, "short pages: the good page reads");
		ct_conn->close(h);
		mf_hints_free(hints);
		free(plain);
	}

	/* the last descriptor's offset + size wraps past 2^64: truncated, not page data that
	 * ends early in the file; that page is corrupt, the others read */
	kt_setup_layout();
	memset(&o, 0, sizeof o);
	o.last_desc_off = UINT64_C(0xfffffffffffffff0);
	n = kt_build(&plain, &o);
	p = ct_path("descwrap.kdump");
	ct_write(p, plain, n);
	{
		struct mf_hints *hints = mf_hints_new();
		uint8_t buf[BS], want[BS];
		void *h;

		ct_lastlog[0] = '\0';
		is_int(ct_open(p, &h, hints, errbuf), 0, "descriptor offset wraps: opens (%s)", errbuf);
		ok(strstr(ct_lastlog, "the last page's data (0x1000 bytes at 0xfffffffffffffff0) runs past the end") != NULL,
		   "descriptor offset wraps: truncation logged (%s)", ct_lastlog);
		is_int(ct_read(h, 33 * BS, buf, BS), MF_ERR_CORRUPT, "descriptor offset wraps: that page is corrupt");
		kt_page(16, want);
		ok(ct_read(h, 16 * BS, buf, BS) == 0 && memcmp(buf, want, BS) == 0, "descriptor offset wraps: pfn 16 reads");
		ct_conn->close(h);
		mf_hints_free(hints);
	}
	free(plain);

	/* not a kdump at all */
	p = ct_path("junk.bin");
	ct_write(p, "hello world, not a dump at all, really not", 40);
	is_int(ct_probe_file(p), 0, "probe: junk is not ours");
	is_int(kt_open_err(p, errbuf), MF_ERR_FORMAT, "junk: format error");
	is_int(kt_open_err(ct_path("missing"), errbuf), MF_ERR_NOTFOUND, "missing file: not found (%s)", errbuf);

	ct_cleanup();
	return done_testing();
}
