/* crashdump.c: the Windows crash dump connector: 64-bit DUMP_HEADER64 (`PAGEDU64`) and
 * 32-bit DUMP_HEADER (`PAGEDUMP`), full dumps (DumpType 1, run-based), bitmap dumps
 * (DumpType 5 and 6, `SDMP`/`FDMP` header at 0x2000) and 64-bit kernel-memory dumps
 * (DumpType 8 kernel, 9 kernel+user, 10 complete: `RDMP` header at 0x2000).
 *
 * The RDMP layout, as kdmp-parser (0vercl0k/kdmp-parser, src/lib/kdmp-parser-structs.h:
 * RDMP_HEADER64, KERNEL_RDMP_HEADER64, FULL_RDMP_HEADER64; and its Rust port's
 * kernel_physmem) describes it, little-endian:
 *   0x2000 u32 marker 0x40, "RDMP", "DUMP", u32 unused, u64 MetadataSize @0x2010,
 *          u64 FirstPageOffset @0x2018 (always MetadataSize + 0x2020);
 *   0x2020 types 8/9: two unknown u64; type 10: u32 NumberOfRanges, 2 x u16,
 *          u64 TotalNumberOfPages @0x2028;
 *   0x2030 PFN ranges {u64 first pfn, u64 page count}, at most MetadataSize / 16 of them,
 *          ended early by a range with pfn 0 (and, for type 10, once the ranges add up to
 *          TotalNumberOfPages);
 *   FirstPageOffset: the pages of the ranges, one after the other in range order.
 * The sources cover 64-bit dumps only; 32-bit RDMP dumps are refused. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mftools/plugin.h>
#include "pluginlib/bitmap.h"
#include "pluginlib/bytes.h"
#include "pluginlib/checked.h"
#include "pluginlib/fileio.h"
#include "pluginlib/rangemap.h"

#define CD_PAGE 4096u
#define CD_FILL32 0x45474150u                    /* "PAGE" */
#define CD_FILL64 UINT64_C(0x4547415045474150)   /* "PAGEPAGE" */
#define CD_MAX_BITMAP_BYTES ((uint64_t)1 << 30)
#define CD_RDMP_MAX_RANGES (1u << 20)            /* 16 MiB of metadata */
#define CD_PFN_LIMIT (UINT64_C(1) << 52)
#define CD_RDMP_MAX_PAGES (UINT64_C(1) << 50)     /* keeps page offsets below 2^63 */
#define CD_MAX_RUNS ((size_t)1 << 26)            /* memory map runs */
#define CD_SEG_BITMAP 1u                         /* range-map kind: pages found through the bitmap */

struct cd {
	int fd;
	uint64_t fsize;
	int bitmap;               /* 1: bitmap dump */
	struct bitmap bm;
	uint64_t first_page;
	struct rmap map;          /* runs: file offsets; bitmap: the bitmap's runs (CD_SEG_BITMAP) */
};

static const char *const cd_keys[] = { "path", NULL };

static int
cd_probe(const uint8_t *head, size_t len, uint64_t file_size)
{
	if (len >= 8 && (memcmp(head, "PAGEDU64", 8) == 0 || memcmp(head, "PAGEDUMP", 8) == 0))
		return 100;
	return 0;
}

/* Where physical address addr is in the file and how many bytes from there are contiguous. */
static int
cd_locate(void *ctx, uint64_t addr, uint64_t *foff, uint64_t *len)
{
	struct cd *c = ctx;
	uint64_t pfn = addr / CD_PAGE, in = addr % CD_PAGE;

	if (c->bitmap) {
		uint64_t idx, n = 1;

		if (!bitmap_test(&c->bm, pfn))
			return MF_ERR_UNMAPPED;
		idx = bitmap_rank(&c->bm, pfn);
		while (n < 256 && bitmap_test(&c->bm, pfn + n))
			n++;
		if (!offset_ok(c->first_page, idx, CD_PAGE, foff) || !add_ok(*foff, in, foff))
			return MF_ERR_CORRUPT;   /* refused at open; never wrap to another offset */
		*len = n * CD_PAGE - in;
		return 0;
	}
	return rmap_locate(&c->map, addr, foff, len);
}

static int
cd_read(void *handle, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct cd *c = handle;

	fio_read_located(c->fd, c->fsize, iov, n, cd_locate, c);
	return 0;
}

/* The bitmap's source (struct bitmap_src): the file, skipping its holes. */
static int64_t
cd_bitmap_read(void *ctx, void *buf, uint64_t len, uint64_t off)
{
	return fio_pread_full(((struct cd *)ctx)->fd, buf, len, off);
}

static uint64_t
cd_next_data(void *ctx, uint64_t off)
{
	return fio_next_data(((struct cd *)ctx)->fd, off);
}

static size_t
cd_ranges(void *handle, const struct mf_range **out)
{
	struct cd *c = handle;

	*out = c->map.ranges;
	return c->map.nranges;
}

static void
cd_close(void *handle)
{
	struct cd *c = handle;

	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	bitmap_free(&c->bm);
	rmap_free(&c->map);
	free(c);
}

/* DumpType 8, 9, 10: the RDMP header at 0x2000 and its PFN ranges (layout at the top). */
static int
cd_open_rdmp(const struct mf_host *host, struct cd *c, const char *path, uint32_t dump_type, char *errbuf)
{
	uint8_t rh[0x30];
	uint8_t *meta;
	uint64_t meta_size, first, maxr, total = 0, want_total = 0, end;
	size_t bad = 0;
	int64_t got;
	int rc;

	got = fio_pread_full(c->fd, rh, sizeof rh, 0x2000);
	if (got < (int64_t)sizeof rh)
		return host->error(errbuf, got < 0 ? MF_ERR_IO : MF_ERR_FORMAT, "%s: kernel dump RDMP header at 0x2000 cut off", path);
	if (get_le32(rh) != 0x40 || memcmp(rh + 4, "RDMP", 4) != 0 || memcmp(rh + 8, "DUMP", 4) != 0)
		return host->error(errbuf, MF_ERR_FORMAT, "%s: kernel dump header at 0x2000 has no RDMP signature", path);
	meta_size = get_le64(rh + 0x10);
	first = get_le64(rh + 0x18);
	if (meta_size < 0x20 || meta_size % 16 || meta_size > UINT64_MAX - 0x2020 || first != meta_size + 0x2020)
		return host->error(errbuf, MF_ERR_FORMAT, "%s: kernel dump MetadataSize 0x%" PRIx64 " and FirstPageOffset 0x%"
		         PRIx64 " disagree", path, meta_size, first);
	/* the ranges that lie wholly between 0x2030 and the first page */
	maxr = (first - 0x2030) / 16;
	if (first > c->fsize)
		return host->error(errbuf, MF_ERR_FORMAT, "%s: kernel dump PFN ranges (0x%" PRIx64 " bytes at 0x2030) end past the "
		         "end of file (0x%" PRIx64 ")", path, first - 0x2030, c->fsize);
	if (maxr > CD_RDMP_MAX_RANGES)
		return host->error(errbuf, MF_ERR_LIMIT, "%s: kernel dump MetadataSize 0x%" PRIx64 " means more than %u PFN ranges",
		         path, meta_size, CD_RDMP_MAX_RANGES);
	if (dump_type == 10)
		want_total = get_le64(rh + 0x28);
	meta = malloc(maxr ? maxr * 16 : 1);
	if (meta == NULL)
		return MF_ERR_NOMEM;
	got = fio_pread_full(c->fd, meta, maxr * 16, 0x2030);
	if (got < 0 || (uint64_t)got < maxr * 16) {
		free(meta);
		return host->error(errbuf, MF_ERR_IO, "%s: cannot read the kernel dump PFN ranges", path);
	}
	for (uint64_t i = 0; i < maxr; i++) {
		uint64_t base = get_le64(meta + 16 * i), count = get_le64(meta + 16 * i + 8);

		if (dump_type == 10 && total == want_total)
			break;
		if (base == 0)
			break;
		if (base >= CD_PFN_LIMIT || count >= CD_PFN_LIMIT - base || count > CD_RDMP_MAX_PAGES - total) {
			free(meta);
			return host->error(errbuf, MF_ERR_FORMAT, "%s: kernel dump PFN range %" PRIu64 " (pfn 0x%" PRIx64 ", 0x%" PRIx64
			         " pages) is out of range", path, i, base, count);
		}
		if (dump_type == 10 && count > want_total - total) {
			free(meta);
			return host->error(errbuf, MF_ERR_FORMAT, "%s: kernel dump PFN ranges hold more than TotalNumberOfPages 0x%"
			         PRIx64, path, want_total);
		}
		if (count == 0)
			continue;
		if ((rc = rmap_add(&c->map, base * CD_PAGE, count * CD_PAGE, first + total * CD_PAGE, RMAP_PLAIN, 0)) < 0) {
			free(meta);
			return rc;
		}
		total += count;
	}
	free(meta);
	if (dump_type == 10 && total != want_total)
		host->log(0, "%s: kernel dump TotalNumberOfPages 0x%" PRIx64 " differs from the ranges' 0x%" PRIx64, path,
		          want_total, total);
	rc = rmap_finish(&c->map, 1, &bad);
	if (rc == MF_ERR_FORMAT)
		host->error(errbuf, rc, "%s: kernel dump PFN range at pfn 0x%" PRIx64 " overlaps another", path,
		         c->map.seg[bad].base / CD_PAGE);
	if (rc < 0)
		return rc;
	end = first + total * CD_PAGE;
	if (end > c->fsize)
		host->log(0, "%s: crash dump truncated: page data needs 0x%" PRIx64 " bytes, file has 0x%" PRIx64
		          "; missing pages are holes", path, end, c->fsize);
	return 0;
}

static void
cd_hint(const struct mf_host *host, struct mf_hints *hints, const char *key, uint64_t v, int is64)
{
	if (is64 ? v == CD_FILL64 : v == CD_FILL32)
		return;   /* unused field */
	host->hint_set_u64(hints, key, v);
}

static int
cd_open(const struct mf_host *host, const struct mf_args *args, int writable, struct mf_hints *hints,
        void **handle, char *errbuf)
{
	const char *path = host->arg(args, "path");
	uint8_t h[0x2000];
	struct cd *c;
	int is64, rc;
	uint32_t hdr_size, dump_type, nruns, max_runs, machine, cpus;
	uint64_t npages, total = 0, end;
	int64_t got;
	const uint8_t *rd;
	const char *fmt;

	if (writable)
		return host->error(errbuf, MF_ERR_READONLY, "windows crash dumps cannot be opened writable");
	if (path == NULL)
		path = args->def;
	c = calloc(1, sizeof *c);
	if (c == NULL)
		return MF_ERR_NOMEM;
	c->fd = -1;
	c->map.max = CD_MAX_RUNS;
	rc = fio_open(path, 0, &c->fd, &c->fsize, errbuf);
	if (rc < 0)
		goto fail;
	memset(h, 0, sizeof h);
	got = fio_pread_full(c->fd, h, sizeof h, 0);
	if (got < 0) {
		rc = host->error_errno(errbuf, MF_ERR_IO, (int)-got, "cannot read %s", path);
		goto fail;
	}
	if (got < 8 || (memcmp(h, "PAGEDU64", 8) != 0 && memcmp(h, "PAGEDUMP", 8) != 0)) {
		rc = host->error(errbuf, MF_ERR_FORMAT, "%s: not a windows crash dump (no PAGEDU64/PAGEDUMP signature)", path);
		goto fail;
	}
	is64 = memcmp(h + 4, "DU64", 4) == 0;
	hdr_size = is64 ? 0x2000 : 0x1000;
	if ((uint64_t)got < hdr_size) {
		rc = host->error(errbuf, MF_ERR_FORMAT, "%s: crash dump header cut off at %" PRId64 " of %" PRIu32 " bytes",
		         path, got, hdr_size);
		goto fail;
	}
	dump_type = get_le32(h + (is64 ? 0xf98 : 0xf88));
	if (is64) {
		machine = get_le32(h + 0x30);
		cpus = get_le32(h + 0x34);
		rd = h + 0x88;
		nruns = get_le32(rd);
		npages = get_le64(rd + 8);
		max_runs = (0x348 - 0x98) / 16;
	} else {
		machine = get_le32(h + 0x20);
		cpus = get_le32(h + 0x24);
		rd = h + 0x64;
		nruns = get_le32(rd);
		npages = get_le32(rd + 4);
		max_runs = (0x320 - 0x6c) / 8;
	}

	switch (dump_type) {
	case 1:
		fmt = is64 ? "crashdump-full64" : "crashdump-full32";
		break;
	case 5:
	case 6:
		if (!is64) {
			rc = host->error(errbuf, MF_ERR_UNSUPPORTED, "%s: 32-bit bitmap crash dumps (DumpType %" PRIu32 ") are not supported",
			         path, dump_type);
			goto fail;
		}
		fmt = "crashdump-bitmap64";
		break;
	case 8:
	case 9:
	case 10:
		if (!is64) {
			rc = host->error(errbuf, MF_ERR_UNSUPPORTED, "%s: 32-bit kernel-memory crash dumps (DumpType %" PRIu32
			         ", RDMP layout) are not supported", path, dump_type);
			goto fail;
		}
		fmt = dump_type == 10 ? "crashdump-complete64" : "crashdump-kernel64";
		break;
	case 2:
	case 4:
		rc = host->error(errbuf, MF_ERR_UNSUPPORTED, "%s: crash dump DumpType %" PRIu32 " (%s) holds no physical memory image",
		         path, dump_type, dump_type == 2 ? "kernel summary" : "minidump");
		goto fail;
	default:
		rc = host->error(errbuf, MF_ERR_UNSUPPORTED, "%s: unknown crash dump DumpType %" PRIu32, path, dump_type);
		goto fail;
	}

	if (dump_type == 1) {
		if (nruns == CD_FILL32) {
			rc = host->error(errbuf, MF_ERR_FORMAT, "%s: crash dump has no physical memory descriptor", path);
			goto fail;
		}
		if (nruns > max_runs) {
			rc = host->error(errbuf, MF_ERR_FORMAT, "%s: crash dump NumberOfRuns %" PRIu32 " exceeds the header's room (%"
			         PRIu32 ")", path, nruns, max_runs);
			goto fail;
		}
		for (uint32_t i = 0; i < nruns; i++) {
			uint64_t base = is64 ? get_le64(rd + 0x10 + 16 * i) : get_le32(rd + 8 + 8 * i);
			uint64_t count = is64 ? get_le64(rd + 0x18 + 16 * i) : get_le32(rd + 12 + 8 * i);

			if (count == 0)
				continue;
			if (base >= (UINT64_C(1) << 52) || count >= (UINT64_C(1) << 52) - base) {
				rc = host->error(errbuf, MF_ERR_FORMAT, "%s: crash dump run %" PRIu32 " (base 0x%" PRIx64 ", 0x%" PRIx64
				         " pages) is out of range", path, i, base, count);
				goto fail;
			}
			if (c->map.n && base * CD_PAGE < c->map.seg[c->map.n - 1].base + c->map.seg[c->map.n - 1].size) {
				rc = host->error(errbuf, MF_ERR_FORMAT, "%s: crash dump run %" PRIu32 " (base 0x%" PRIx64
				         ") overlaps or precedes the previous run", path, i, base);
				goto fail;
			}
			if (!offset_ok(hdr_size, total + count, CD_PAGE, &end)) {
				rc = host->error(errbuf, MF_ERR_FORMAT, "%s: crash dump run %" PRIu32 " ends past 2^64 bytes of file",
				         path, i);
				goto fail;
			}
			rc = rmap_add(&c->map, base * CD_PAGE, count * CD_PAGE, hdr_size + total * CD_PAGE, RMAP_PLAIN, 0);
			if (rc < 0)
				goto fail;
			total += count;
		}
		if ((rc = rmap_finish(&c->map, 0, &(size_t){ 0 })) < 0)
			goto fail;
		if (total != npages)
			host->log(0, "%s: crash dump NumberOfPages 0x%" PRIx64 " differs from the runs' 0x%" PRIx64, path,
			          npages, total);
		end = hdr_size + total * CD_PAGE;
		if (end > c->fsize)
			host->log(0, "%s: crash dump truncated: page data needs 0x%" PRIx64 " bytes, file has 0x%" PRIx64
			          "; missing pages are holes", path, end, c->fsize);
	} else if (dump_type >= 8) {
		rc = cd_open_rdmp(host, c, path, dump_type, errbuf);
		if (rc < 0)
			goto fail;
	} else {
		uint8_t bh[0x38];
		uint64_t bits, bytes, present;

		got = fio_pread_full(c->fd, bh, sizeof bh, 0x2000);
		if (got < (int64_t)sizeof bh) {
			rc = host->error(errbuf, MF_ERR_FORMAT, "%s: bitmap dump header at 0x2000 cut off", path);
			goto fail;
		}
		if ((memcmp(bh, "SDMP", 4) != 0 && memcmp(bh, "FDMP", 4) != 0) || memcmp(bh + 4, "DUMP", 4) != 0) {
			rc = host->error(errbuf, MF_ERR_FORMAT, "%s: bitmap dump header at 0x2000 has no SDMP/FDMP signature", path);
			goto fail;
		}
		c->first_page = get_le64(bh + 0x20);
		present = get_le64(bh + 0x28);
		bits = get_le64(bh + 0x30);
		bytes = bits / 8 + (bits % 8 != 0);
		if (bits == 0 || bytes > CD_MAX_BITMAP_BYTES || bytes > c->fsize - 0x2038 || c->fsize < 0x2038) {
			rc = host->error(errbuf, MF_ERR_FORMAT, "%s: bitmap dump bitmap of 0x%" PRIx64 " pages does not fit the file",
			         path, bits);
			goto fail;
		}
		if (c->first_page < 0x2038 + bytes || c->first_page % CD_PAGE) {
			rc = host->error(errbuf, MF_ERR_FORMAT, "%s: bitmap dump FirstPage 0x%" PRIx64 " is not a page after the bitmap",
			         path, c->first_page);
			goto fail;
		}
		/* read where the file holds data: a sparse file's claimed bitmap costs nothing */
		rc = bitmap_load(&c->bm, &(struct bitmap_src){ .ctx = c, .read = cd_bitmap_read, .next_data = cd_next_data,
		                                               .off = 0x2038 }, bits);
		if (rc == MF_ERR_IO)
			rc = host->error(errbuf, MF_ERR_IO, "%s: cannot read the crash dump bitmap", path);
		if (rc == MF_ERR_LIMIT)
			host->error(errbuf, rc, "%s: bitmap dump has more than 2^32 pages", path);
		if (rc < 0)
			goto fail;
		if (!offset_ok(c->first_page, c->bm.total, CD_PAGE, &end)) {
			rc = host->error(errbuf, MF_ERR_FORMAT, "%s: bitmap dump FirstPage 0x%" PRIx64 " + 0x%" PRIx64
			         " pages runs past 2^64 bytes of file", path, c->first_page, c->bm.total);
			goto fail;
		}
		c->bitmap = 1;
		if (present != c->bm.total)
			host->log(0, "%s: bitmap dump TotalPresentPages 0x%" PRIx64 " differs from the bitmap's 0x%" PRIx64,
			          path, present, c->bm.total);
		if (end > c->fsize)
			host->log(0, "%s: crash dump truncated: page data needs 0x%" PRIx64 " bytes, file has 0x%" PRIx64
			          "; missing pages are holes", path, end, c->fsize);
		rc = bitmap_add_runs(&c->bm, bits, UINT64_MAX, CD_PAGE, &c->map, CD_SEG_BITMAP);
		if (rc == 0)
			rc = rmap_finish(&c->map, 0, &(size_t){ 0 });
		if (rc < 0) {
			if (rc == MF_ERR_LIMIT)
				host->error(errbuf, rc, "%s: bitmap dump memory map has too many runs", path);
			goto fail;
		}
	}

	host->hint_set_str(hints, "format", fmt);
	host->hint_set_u64(hints, "dump_type", dump_type);
	host->hint_set_u64(hints, "build", get_le32(h + 0xc));
	if (cpus != CD_FILL32 && cpus > 0 && cpus < 65536)
		host->hint_set_u64(hints, "cpus", cpus);
	cd_hint(host, hints, "bugcheck_code", get_le32(h + (is64 ? 0x38 : 0x28)), 0);
	if (is64) {
		cd_hint(host, hints, "dtb", get_le64(h + 0x10), 1);
		cd_hint(host, hints, "pfn_database", get_le64(h + 0x18), 1);
		cd_hint(host, hints, "ps_loaded_module_list", get_le64(h + 0x20), 1);
		cd_hint(host, hints, "ps_active_process_head", get_le64(h + 0x28), 1);
		cd_hint(host, hints, "kd_debugger_data_block", get_le64(h + 0x80), 1);
		if (machine == 0x8664)
			host->hint_set_str(hints, "arch", "x86_64");
		else if (machine == 0xaa64)
			host->hint_set_str(hints, "arch", "aarch64");
	} else {
		cd_hint(host, hints, "dtb", get_le32(h + 0x10), 0);
		cd_hint(host, hints, "pfn_database", get_le32(h + 0x14), 0);
		cd_hint(host, hints, "ps_loaded_module_list", get_le32(h + 0x18), 0);
		cd_hint(host, hints, "ps_active_process_head", get_le32(h + 0x1c), 0);
		cd_hint(host, hints, "kd_debugger_data_block", get_le32(h + 0x60), 0);
		if (machine == 0x14c)
			host->hint_set_str(hints, "arch", h[0x5c] == 1 ? "x86-pae" : "x86");
	}
	*handle = c;
	return 0;
fail:
	cd_close(c);
	return rc;
}

static const struct mf_connector cd_connector = {
	MF_CONNECTOR_INIT,
	.name = "crashdump",
	.description = "Windows crash dumps (PAGEDU64/PAGEDUMP): full, bitmap and kernel-memory (RDMP)",
	.help = "  path=FILE   the .dmp file (full dump DumpType 1, bitmap dump 5/6, kernel-memory dump 8/9/10)\n",
	.keys = cd_keys,
	.flags = MF_CONN_FILE,
	.probe = cd_probe,
	.open = cd_open,
	.close = cd_close,
	.read = cd_read,
	.ranges = cd_ranges,
};

MF_REGISTER_CONNECTOR(cd_connector)
