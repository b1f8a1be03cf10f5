/* test-conn-crashdump.c: the Windows crash dump connector on two real third-party headers
 * (Windows 10 x64 and Windows 7 PAE full dumps, page data cut off) and on full, bitmap,
 * kernel-memory (RDMP, types 8/9/10) and 32-bit PAE dumps built here with page data, plus
 * hostile headers. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conn-test-util.h"
#include "pluginlib/bytes.h"

#define PG 4096u

static void
cdt_page(uint64_t pfn, uint8_t *p)
{
	for (unsigned i = 0; i < PG; i++)
		p[i] = (uint8_t)(pfn * 31 + i * 3 + (i >> 9));
}

/* A header filled with "PAGE" like Windows does, signature, type. */
static uint8_t *
cdt_header(int is64, uint32_t dump_type, size_t total)
{
	uint8_t *f = calloc(1, total);
	size_t hs = is64 ? 0x2000 : 0x1000;

	for (size_t i = 0; i < hs; i += 4)
		memcpy(f + i, "PAGE", 4);
	memcpy(f + 4, is64 ? "DU64" : "DUMP", 4);
	put_le32(f + 8, 15);
	put_le32(f + 12, 19041);
	if (is64) {
		put_le64(f + 0x10, 0x1aa000);
		put_le64(f + 0x18, 0xfffffa8000000000);
		put_le64(f + 0x20, 0xfffff80002a4b890);
		put_le64(f + 0x28, 0xfffff80002a2f940);
		put_le32(f + 0x30, 0x8664);
		put_le32(f + 0x34, 4);
		put_le32(f + 0x38, 0xe2);
		put_le64(f + 0x80, 0xfffff80002a0f0a0);
		put_le32(f + 0xf98, dump_type);
	} else {
		put_le32(f + 0x10, 0x185000);
		put_le32(f + 0x14, 0x81000000);
		put_le32(f + 0x18, 0x8298a810);
		put_le32(f + 0x1c, 0x829a0f18);
		put_le32(f + 0x20, 0x14c);
		put_le32(f + 0x24, 1);
		put_le32(f + 0x28, 0xe2);
		f[0x5c] = 1;
		put_le32(f + 0xf88, dump_type);
	}
	return f;
}

static int
cdt_open_err(const char *path, char *errbuf)
{
	struct mf_hints *hints = mf_hints_new();
	void *h = NULL;
	int rc = ct_open(path, &h, hints, errbuf);

	if (rc == 0)
		ct_conn->close(h);
	mf_hints_free(hints);
	return rc;
}

static void
cdt_check_ranges(void *h, const char *what, const struct mf_range *want, size_t n)
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

/* pages in [0, maxpfn): present ones read their bytes, the others are holes */
static void
cdt_check_pages(void *h, const char *what, const int *present, unsigned maxpfn)
{
	uint8_t want[PG], got[PG];
	int bad = 0;

	for (unsigned p = 0; p < maxpfn; p++) {
		int rc = ct_read(h, (uint64_t)p * PG, got, PG);

		if (rc != (present[p] ? 0 : MF_ERR_UNMAPPED)) {
			printf("# %s: pfn %u: got %d\n", what, p, rc);
			bad++;
			continue;
		}
		cdt_page(p, want);
		if (rc == 0 && memcmp(want, got, PG) != 0) {
			printf("# %s: pfn %u: wrong bytes\n", what, p);
			bad++;
		}
	}
	ok(bad == 0, "%s: present pages read their bytes, the others are holes", what);
}

static void
cdt_real_headers(void)
{
	const char *top = getenv("MF_TOP_SRCDIR");
	char path[1024];
	struct mf_hints *hints;
	char errbuf[MF_ERRBUF_SIZE];
	uint8_t buf[PG];
	void *h;
	int rc;

	snprintf(path, sizeof path, "%s/tests/fixtures/third-party/coredump_win10_64bit_stripped.raw",
	         top ? top : ".");
	if (!ok(access(path, R_OK) == 0, "third-party crash dump headers in tests/fixtures (%s)", path))
		return;
	is_int(ct_probe_file(path), 100, "win10 header: probe");
	hints = mf_hints_new();
	rc = ct_open(path, &h, hints, errbuf);
	is_int(rc, 0, "win10 header: opens (%s)", errbuf);
	if (rc == 0) {
		const struct mf_range want[] = { { 0x1000, 0x9f000 }, { 0x100000, 0x7f7ef000 },
			                         { 0x7fbff000, 0x3e1000 }, { 0x100000000, 0x380000000 } };

		ok(strstr(ct_lastlog, "truncated") != NULL, "win10 header: truncation warning");
		cdt_check_ranges(h, "win10 header", want, 4);
		ok(ct_has_hint_u64(hints, "dtb", 0x3e6b1a000), "win10 header: dtb");
		ok(ct_has_hint_u64(hints, "ps_loaded_module_list", 0xfffff80510a2a2b0), "win10 header: PsLoadedModuleList");
		ok(ct_has_hint_u64(hints, "kd_debugger_data_block", 0xfffff80510a00b20), "win10 header: KdDebuggerDataBlock");
		ok(ct_has_hint_u64(hints, "cpus", 8), "win10 header: cpus");
		ok(ct_has_hint_u64(hints, "dump_type", 1), "win10 header: dump_type");
		ok(ct_has_hint_u64(hints, "build", 0x23f0), "win10 header: build");
		is_str(mf_hints_get_str(hints, "arch"), "x86_64", "win10 header: arch");
		is_str(mf_hints_get_str(hints, "format"), "crashdump-full64", "win10 header: format");
		is_int(ct_read(h, 0x1000, buf, PG), MF_ERR_UNMAPPED, "win10 header: first page is a hole (cut off)");
		is_int(ct_read(h, 0x100000000, buf, 16), MF_ERR_UNMAPPED, "win10 header: high page is a hole");
		is_int(ct_read(h, 0, buf, 16), MF_ERR_UNMAPPED, "win10 header: pfn 0 is not in a run");
		ct_conn->close(h);
	}
	mf_hints_free(hints);

	snprintf(path, sizeof path, "%s/tests/fixtures/third-party/coredump_win7_32bit_stripped.raw",
	         top ? top : ".");
	is_int(ct_probe_file(path), 100, "win7 header: probe");
	hints = mf_hints_new();
	rc = ct_open(path, &h, hints, errbuf);
	is_int(rc, 0, "win7 header: opens (%s)", errbuf);
	if (rc == 0) {
		const struct mf_range want[] = { { 0x1000, 0x9e000 }, { 0x100000, 0xbfedf000 } };

		cdt_check_ranges(h, "win7 header", want, 2);
		ok(ct_has_hint_u64(hints, "dtb", 0xbf62f2e0), "win7 header: dtb");
		is_str(mf_hints_get_str(hints, "arch"), "x86-pae", "win7 header: arch (PaeEnabled)");
		is_str(mf_hints_get_str(hints, "format"), "crashdump-full32", "win7 header: format");
		ok(ct_has_hint_u64(hints, "build", 7601), "win7 header: build");
		ok(!ct_has_hint_u64(hints, "kd_debugger_data_block", 0x45474150), "win7 header: unused field not a hint");
		is_int(ct_read(h, 0x2000, buf, PG), MF_ERR_UNMAPPED, "win7 header: pages are holes");
		ct_conn->close(h);
	}
	mf_hints_free(hints);
}

/* An RDMP dump (DumpType 8, 9 or 10) with the given PFN ranges and their pages; the range
 * table at 0x2030 has room for `slots` entries (MetadataSize = 0x10 + 16 * slots, the first
 * page right after the table). */
static uint8_t *
cdt_rdmp_build(uint32_t type, const uint64_t (*rg)[2], size_t nrg, size_t slots, size_t *len, int *present,
               unsigned maxpfn)
{
	uint64_t meta = 0x10 + 16 * slots, first = meta + 0x2020, pages = 0;
	uint8_t *f;

	for (size_t i = 0; i < nrg; i++)
		pages += rg[i][1];
	*len = first + pages * PG;
	f = cdt_header(1, type, *len);
	memset(f + 0x2000, 0, first - 0x2000);
	put_le32(f + 0x2000, 0x40);
	memcpy(f + 0x2004, "RDMPDUMP", 8);
	put_le64(f + 0x2010, meta);
	put_le64(f + 0x2018, first);
	if (type == 10) {
		put_le32(f + 0x2020, (uint32_t)nrg);
		put_le64(f + 0x2028, pages);
	}
	memset(present, 0, maxpfn * sizeof *present);
	pages = 0;
	for (size_t i = 0; i < nrg; i++) {
		put_le64(f + 0x2030 + 16 * i, rg[i][0]);
		put_le64(f + 0x2038 + 16 * i, rg[i][1]);
		for (uint64_t k = 0; k < rg[i][1]; k++, pages++) {
			cdt_page(rg[i][0] + k, f + first + pages * PG);
			present[rg[i][0] + k] = 1;
		}
	}
	return f;
}

static void
cdt_rdmp(void)
{
	/* type 8: ranges out of order (stored pages follow the table order), 0xfd table slots so
	 * that the first page is at 0x3000, the first empty slot (pfn 0) ending the table */
	static const uint64_t k8[][2] = { { 9, 3 }, { 1, 2 }, { 4, 1 } };
	/* type 10: TotalNumberOfPages ends the table, junk after it is ignored */
	static const uint64_t k10[][2] = { { 1, 0x9f }, { 0x100, 4 }, { 0x200, 1 } };
	char errbuf[MF_ERRBUF_SIZE];
	struct mf_hints *hints;
	int present[0x210];
	const char *p;
	uint8_t *f, w[PG], big[2 * PG];
	size_t n;
	void *h;

	f = cdt_rdmp_build(8, k8, 3, 0xfd, &n, present, 16);
	is_u64(get_le64(f + 0x2018), 0x3000, "rdmp type 8: first page at 0x3000");
	p = ct_path("kernel8.dmp");
	ct_write(p, f, n);
	hints = mf_hints_new();
	is_int(ct_open(p, &h, hints, errbuf), 0, "rdmp type 8: opens (%s)", errbuf);
	is_int(ct_nlogs, 0, "rdmp type 8: no warning");
	{
		const struct mf_range want[] = { { 1 * PG, 2 * PG }, { 4 * PG, PG }, { 9 * PG, 3 * PG } };

		cdt_check_ranges(h, "rdmp type 8", want, 3);
	}
	cdt_check_pages(h, "rdmp type 8", present, 16);
	is_int(ct_read(h, 2 * PG + 100, big, PG + 200), MF_ERR_UNMAPPED, "rdmp type 8: read over the hole at pfn 3");
	is_int(ct_read(h, 9 * PG + 7, big, 2 * PG), 0, "rdmp type 8: read across pages of a range");
	cdt_page(10, w);
	ok(memcmp(big + PG - 7, w, PG) == 0, "rdmp type 8: bytes across pages");
	is_str(mf_hints_get_str(hints, "format"), "crashdump-kernel64", "rdmp type 8: format");
	ok(ct_has_hint_u64(hints, "dump_type", 8), "rdmp type 8: dump_type hint");
	ok(ct_has_hint_u64(hints, "dtb", 0x1aa000), "rdmp type 8: dtb");
	ok(ct_has_hint_u64(hints, "kd_debugger_data_block", 0xfffff80002a0f0a0), "rdmp type 8: KdDebuggerDataBlock");
	ct_conn->close(h);
	mf_hints_free(hints);
	/* type 9 reads the same way */
	put_le32(f + 0xf98, 9);
	p = ct_path("kernel9.dmp");
	ct_write(p, f, n);
	hints = mf_hints_new();
	is_int(ct_open(p, &h, hints, errbuf), 0, "rdmp type 9: opens (%s)", errbuf);
	cdt_check_pages(h, "rdmp type 9", present, 16);
	ct_conn->close(h);
	mf_hints_free(hints);
	put_le32(f + 0xf98, 8);

	/* truncated: the last stored page (pfn 4) is a hole, with a warning */
	p = ct_path("kernel8-cut.dmp");
	ct_write(p, f, n - 1);
	hints = mf_hints_new();
	is_int(ct_open(p, &h, hints, errbuf), 0, "rdmp truncated: opens (%s)", errbuf);
	ok(strstr(ct_lastlog, "truncated") != NULL, "rdmp truncated: warning (%s)", ct_lastlog);
	present[4] = 0;
	cdt_check_pages(h, "rdmp truncated", present, 16);
	ct_conn->close(h);
	mf_hints_free(hints);

	/* cut RDMP header, cut range table */
	p = ct_path("rdmp-cut.dmp");
	ct_write(p, f, 0x2010);
	is_int(cdt_open_err(p, errbuf), MF_ERR_FORMAT, "rdmp header cut: format error");
	ok(strstr(errbuf, "RDMP header at 0x2000 cut off") != NULL, "rdmp header cut: message (%s)", errbuf);
	p = ct_path("rdmp-cut2.dmp");
	ct_write(p, f, 0x2100);
	is_int(cdt_open_err(p, errbuf), MF_ERR_FORMAT, "rdmp range table past EOF: format error");
	ok(strstr(errbuf, "end past the end of file") != NULL, "rdmp range table past EOF: message (%s)", errbuf);
	/* MetadataSize and FirstPageOffset disagree */
	put_le64(f + 0x2018, 0x4000);
	p = ct_path("rdmp-first.dmp");
	ct_write(p, f, n);
	is_int(cdt_open_err(p, errbuf), MF_ERR_FORMAT, "rdmp FirstPageOffset: format error");
	ok(strstr(errbuf, "MetadataSize 0xfe0 and FirstPageOffset 0x4000 disagree") != NULL,
	   "rdmp FirstPageOffset: message (%s)", errbuf);
	/* absurd MetadataSize (and the matching FirstPageOffset) */
	put_le64(f + 0x2010, UINT64_C(0x10000000000));
	put_le64(f + 0x2018, UINT64_C(0x10000002020));
	p = ct_path("rdmp-hugemeta.dmp");
	ct_write(p, f, n);
	is_int(cdt_open_err(p, errbuf), MF_ERR_FORMAT, "rdmp MetadataSize 2^40: format error");
	ok(strstr(errbuf, "past the end of file") != NULL, "rdmp MetadataSize 2^40: message (%s)", errbuf);
	put_le64(f + 0x2010, UINT64_MAX - 0xf);
	put_le64(f + 0x2018, UINT64_C(0x2010));
	p = ct_path("rdmp-wrapmeta.dmp");
	ct_write(p, f, n);
	is_int(cdt_open_err(p, errbuf), MF_ERR_FORMAT, "rdmp MetadataSize 2^64-16: format error (%s)", errbuf);
	put_le64(f + 0x2010, 0xfe0);
	put_le64(f + 0x2018, 0x3000);
	/* absurd page count, overlapping ranges, bad marker */
	put_le64(f + 0x2038, UINT64_C(1) << 60);
	p = ct_path("rdmp-hugecount.dmp");
	ct_write(p, f, n);
	is_int(cdt_open_err(p, errbuf), MF_ERR_FORMAT, "rdmp range of 2^60 pages: format error");
	ok(strstr(errbuf, "PFN range 0 (pfn 0x9, 0x1000000000000000 pages) is out of range") != NULL,
	   "rdmp range of 2^60 pages: message (%s)", errbuf);
	put_le64(f + 0x2038, 3);
	put_le64(f + 0x2040, 10);
	p = ct_path("rdmp-overlap.dmp");
	ct_write(p, f, n);
	is_int(cdt_open_err(p, errbuf), MF_ERR_FORMAT, "rdmp overlapping ranges: format error");
	ok(strstr(errbuf, "overlaps") != NULL, "rdmp overlapping ranges: message (%s)", errbuf);
	put_le64(f + 0x2040, 1);
	put_le32(f + 0x2000, 0x41);
	p = ct_path("rdmp-marker.dmp");
	ct_write(p, f, n);
	is_int(cdt_open_err(p, errbuf), MF_ERR_FORMAT, "rdmp marker 0x41: format error (%s)", errbuf);
	put_le32(f + 0x2000, 0x40);
	/* 32-bit RDMP dumps are refused */
	free(f);
	f = cdt_header(0, 8, 0x3000);
	p = ct_path("rdmp32.dmp");
	ct_write(p, f, 0x3000);
	is_int(cdt_open_err(p, errbuf), MF_ERR_UNSUPPORTED, "32-bit DumpType 8: unsupported");
	ok(strstr(errbuf, "32-bit kernel-memory crash dumps (DumpType 8, RDMP layout) are not supported") != NULL,
	   "32-bit DumpType 8: message (%s)", errbuf);
	free(f);

	/* type 10 (complete): 3 ranges, 6 table slots, slot 3 holds junk past TotalNumberOfPages */
	f = cdt_rdmp_build(10, k10, 3, 6, &n, present, 0x210);
	put_le64(f + 0x2030 + 16 * 3, 0x300);
	put_le64(f + 0x2038 + 16 * 3, 0x10);
	p = ct_path("complete10.dmp");
	ct_write(p, f, n);
	hints = mf_hints_new();
	is_int(ct_open(p, &h, hints, errbuf), 0, "rdmp type 10: opens (%s)", errbuf);
	is_int(ct_nlogs, 0, "rdmp type 10: no warning");
	{
		const struct mf_range want[] = { { PG, 0x9f * PG }, { 0x100 * PG, 4 * PG }, { 0x200 * PG, PG } };

		cdt_check_ranges(h, "rdmp type 10", want, 3);
	}
	cdt_check_pages(h, "rdmp type 10", present, 0x210);
	is_str(mf_hints_get_str(hints, "format"), "crashdump-complete64", "rdmp type 10: format");
	ct_conn->close(h);
	mf_hints_free(hints);
	/* TotalNumberOfPages smaller than the first range */
	put_le64(f + 0x2028, 5);
	p = ct_path("complete10-total.dmp");
	ct_write(p, f, n);
	is_int(cdt_open_err(p, errbuf), MF_ERR_FORMAT, "rdmp type 10 TotalNumberOfPages 5: format error");
	ok(strstr(errbuf, "more than TotalNumberOfPages 0x5") != NULL, "rdmp type 10 total: message (%s)", errbuf);
	free(f);
}

int
main(void)
{
	char errbuf[MF_ERRBUF_SIZE];
	struct mf_hints *hints;
	const char *p;
	uint8_t *f;
	void *h;
	size_t n;
	int present[16];

	ct_init("crashdump");
	if (!ok(ct_conn != NULL, "crashdump connector loads"))
		return done_testing();
	cdt_real_headers();

	/* full 64-bit: runs (2,3) (10,2) */
	n = 0x2000 + 5 * PG;
	f = cdt_header(1, 1, n);
	put_le32(f + 0x88, 2);
	put_le64(f + 0x90, 5);
	put_le64(f + 0x98, 2);
	put_le64(f + 0xa0, 3);
	put_le64(f + 0xa8, 10);
	put_le64(f + 0xb0, 2);
	memset(present, 0, sizeof present);
	{
		unsigned pfns[] = { 2, 3, 4, 10, 11 };

		for (unsigned i = 0; i < 5; i++) {
			cdt_page(pfns[i], f + 0x2000 + i * PG);
			present[pfns[i]] = 1;
		}
	}
	p = ct_path("full64.dmp");
	ct_write(p, f, n);
	hints = mf_hints_new();
	is_int(ct_open(p, &h, hints, errbuf), 0, "full64: opens (%s)", errbuf);
	is_int(ct_nlogs, 0, "full64: no warning");
	{
		const struct mf_range want[] = { { 2 * PG, 3 * PG }, { 10 * PG, 2 * PG } };
		uint8_t big[3 * PG], w[PG];

		cdt_check_ranges(h, "full64", want, 2);
		cdt_check_pages(h, "full64", present, 16);
		is_int(ct_read(h, 2 * PG + 5, big, 3 * PG - 5), 0, "full64: read across a run");
		cdt_page(4, w);
		ok(memcmp(big + 2 * PG - 5, w, PG) == 0, "full64: read across a run bytes");
		ok(ct_has_hint_u64(hints, "dtb", 0x1aa000), "full64: dtb");
		ok(ct_has_hint_u64(hints, "ps_active_process_head", 0xfffff80002a2f940), "full64: PsActiveProcessHead");
		ok(ct_has_hint_u64(hints, "pfn_database", 0xfffffa8000000000), "full64: PfnDataBase");
		ok(ct_has_hint_u64(hints, "bugcheck_code", 0xe2), "full64: bugcheck_code");
	}
	ct_conn->close(h);
	mf_hints_free(hints);

	/* cut header, too many runs, overlapping runs, RDMP, unknown type */
	p = ct_path("cut.dmp");
	ct_write(p, f, 100);
	is_int(cdt_open_err(p, errbuf), MF_ERR_FORMAT, "cut header: format error");
	ok(strstr(errbuf, "header cut off at 100 of 8192 bytes") != NULL, "cut header: message (%s)", errbuf);
	put_le32(f + 0x88, 1000);
	p = ct_path("runs.dmp");
	ct_write(p, f, n);
	is_int(cdt_open_err(p, errbuf), MF_ERR_FORMAT, "NumberOfRuns 1000: format error");
	ok(strstr(errbuf, "NumberOfRuns 1000 exceeds") != NULL, "NumberOfRuns: message (%s)", errbuf);
	put_le32(f + 0x88, 2);
	put_le64(f + 0xa8, 3);
	p = ct_path("overlap.dmp");
	ct_write(p, f, n);
	is_int(cdt_open_err(p, errbuf), MF_ERR_FORMAT, "overlapping runs: format error");
	ok(strstr(errbuf, "overlaps") != NULL, "overlapping runs: message (%s)", errbuf);
	put_le64(f + 0xa8, UINT64_C(0xffffffffffffff00));
	p = ct_path("hugebase.dmp");
	ct_write(p, f, n);
	is_int(cdt_open_err(p, errbuf), MF_ERR_FORMAT, "run base 2^64-256: format error");
	ok(strstr(errbuf, "out of range") != NULL, "run base: message (%s)", errbuf);
	put_le32(f + 0xf98, 8);
	p = ct_path("rdmp-nosig.dmp");
	ct_write(p, f, n);
	is_int(cdt_open_err(p, errbuf), MF_ERR_FORMAT, "DumpType 8 without RDMP header: format error");
	ok(strstr(errbuf, "has no RDMP signature") != NULL, "DumpType 8 without RDMP: message (%s)", errbuf);
	free(f);
	cdt_rdmp();

	/* full 32-bit PAE: runs (1,2) (6,1) */
	n = 0x1000 + 3 * PG;
	f = cdt_header(0, 1, n);
	put_le32(f + 0x64, 2);
	put_le32(f + 0x68, 3);
	put_le32(f + 0x6c, 1);
	put_le32(f + 0x70, 2);
	put_le32(f + 0x74, 6);
	put_le32(f + 0x78, 1);
	memset(present, 0, sizeof present);
	{
		unsigned pfns[] = { 1, 2, 6 };

		for (unsigned i = 0; i < 3; i++) {
			cdt_page(pfns[i], f + 0x1000 + i * PG);
			present[pfns[i]] = 1;
		}
	}
	p = ct_path("full32.dmp");
	ct_write(p, f, n);
	hints = mf_hints_new();
	is_int(ct_open(p, &h, hints, errbuf), 0, "full32 PAE: opens (%s)", errbuf);
	cdt_check_pages(h, "full32 PAE", present, 16);
	is_str(mf_hints_get_str(hints, "arch"), "x86-pae", "full32 PAE: arch");
	ok(ct_has_hint_u64(hints, "dtb", 0x185000), "full32 PAE: dtb");
	ok(ct_has_hint_u64(hints, "ps_loaded_module_list", 0x8298a810), "full32 PAE: PsLoadedModuleList");
	ct_conn->close(h);
	mf_hints_free(hints);
	f[0x5c] = 0;
	p = ct_path("full32np.dmp");
	ct_write(p, f, n);
	hints = mf_hints_new();
	is_int(ct_open(p, &h, hints, errbuf), 0, "full32 non-PAE: opens (%s)", errbuf);
	is_str(mf_hints_get_str(hints, "arch"), "x86", "full32 non-PAE: arch");
	ct_conn->close(h);
	mf_hints_free(hints);
	free(f);

	/* bitmap dump (type 5): present pfns 1,2,3,7,9, FirstPage 0x3000 */
	n = 0x3000 + 5 * PG;
	f = cdt_header(1, 5, n);
	memcpy(f + 0x2000, "SDMPDUMP", 8);
	put_le64(f + 0x2020, 0x3000);
	put_le64(f + 0x2028, 5);
	put_le64(f + 0x2030, 16);
	memset(present, 0, sizeof present);
	{
		unsigned pfns[] = { 1, 2, 3, 7, 9 };

		for (unsigned i = 0; i < 5; i++) {
			f[0x2038 + pfns[i] / 8] |= (uint8_t)(1u << (pfns[i] % 8));
			cdt_page(pfns[i], f + 0x3000 + i * PG);
			present[pfns[i]] = 1;
		}
	}
	p = ct_path("bitmap.dmp");
	ct_write(p, f, n);
	hints = mf_hints_new();
	is_int(ct_open(p, &h, hints, errbuf), 0, "bitmap: opens (%s)", errbuf);
	{
		const struct mf_range want[] = { { 1 * PG, 3 * PG }, { 7 * PG, PG }, { 9 * PG, PG } };

		cdt_check_ranges(h, "bitmap", want, 3);
	}
	cdt_check_pages(h, "bitmap", present, 16);
	is_str(mf_hints_get_str(hints, "format"), "crashdump-bitmap64", "bitmap: format");
	ct_conn->close(h);
	mf_hints_free(hints);
	/* truncated bitmap dump: the last page is a hole */
	p = ct_path("bitmap-cut.dmp");
	ct_write(p, f, n - 100);
	hints = mf_hints_new();
	is_int(ct_open(p, &h, hints, errbuf), 0, "bitmap truncated: opens (%s)", errbuf);
	ok(strstr(ct_lastlog, "truncated") != NULL, "bitmap truncated: warning");
	present[9] = 0;
	cdt_check_pages(h, "bitmap truncated", present, 16);
	ct_conn->close(h);
	mf_hints_free(hints);
	/* a bitmap larger than the file */
	put_le64(f + 0x2030, UINT64_C(1) << 40);
	p = ct_path("bitmap-huge.dmp");
	ct_write(p, f, n);
	is_int(cdt_open_err(p, errbuf), MF_ERR_FORMAT, "bitmap of 2^40 pages: format error");
	ok(strstr(errbuf, "does not fit the file") != NULL, "huge bitmap: message (%s)", errbuf);
	/* no SDMP header */
	put_le64(f + 0x2030, 16);
	memcpy(f + 0x2000, "XXXX", 4);
	p = ct_path("bitmap-nosig.dmp");
	ct_write(p, f, n);
	is_int(cdt_open_err(p, errbuf), MF_ERR_FORMAT, "bitmap without SDMP: format error (%s)", errbuf);
	free(f);

	p = ct_path("junk");
	ct_write(p, "PAGEJUNKxxxxxxxxxxxxxxxxxxxx", 28);
	is_int(ct_probe_file(p), 0, "probe: PAGEJUNK is not ours");
	is_int(cdt_open_err(p, errbuf), MF_ERR_FORMAT, "PAGEJUNK: format error (%s)", errbuf);

	ct_cleanup();
	return done_testing();
}
