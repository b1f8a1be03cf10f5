/* kallsyms-scan.c: the kallsyms tables of a kernel whose VMCOREINFO does not name them
 * (before 6.0, or no VMCOREINFO at all), found in the kernel image the way
 * vmlinux-to-elf finds them in a vmlinux file:
 *
 *   token_table   holds the single-character tokens "0".."9" next to each other; the
 *                 other tokens are found by walking the NUL-terminated strings both ways
 *   token_index   256 u16 offsets that match those strings, right after the table
 *   markers       u32 (4.20+) or u64 offsets into names, one per 256 symbols: 0, then
 *                 steps between 0x200 and 0x40000, before the token table (with
 *                 seqs_of_names between them on 6.2+)
 *   num_syms      a count in ((m-1)*256, m*256] for m markers, 8-aligned, with the names
 *                 8 bytes after it; walking the names' lengths lands on every marker
 *   addresses     relative_base and offsets before num_syms (4.6-6.3), or offsets and
 *                 relative_base after token_index (6.4+), or absolute u64 addresses
 *
 * Each layout that fits is decoded and checked against the kernel (lx_ksyms_try); the
 * first that passes wins.  Everything is bounded: the scan reads at most LX_KS_SCAN bytes
 * of the kernel image. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"
#include "linux.h"
#include "pluginlib/bytes.h"

#define LX_KS_BEFORE (16ull << 20)      /* scanned below the image address we know */
#define LX_KS_AFTER (48ull << 20)       /* and above it */
#define LX_KS_PAGE 4096u
#define LX_KS_NAMES_MAX ((uint64_t)32 << 20)
#define LX_KS_MARKERS_BACK ((uint64_t)16 << 20)
#define LX_KS_MIN_MARKERS 8             /* a kernel has thousands of symbols */

struct lx_ks_img {
	uint64_t va;       /* of b[0] */
	uint8_t *b;
	size_t len;
};

static uint64_t
ks_align8(uint64_t v)
{
	return (v + 7) & ~7ull;
}

/* The kernel image around lx->image_va; pages that cannot be read stay zero. */
static int
ks_img_read(const struct lx *lx, struct lx_ks_img *img)
{
	img->va = (lx->image_va & ~(uint64_t)(LX_KS_PAGE - 1)) - LX_KS_BEFORE;
	img->len = (size_t)(LX_KS_BEFORE + LX_KS_AFTER);
	if ((img->b = malloc(img->len)) == NULL)
		return MF_ERR_NOMEM;
	lx_kread_pages(lx, img->va, img->b, img->len / LX_KS_PAGE);
	return 0;
}

/* ---- token_table and token_index ---------------------------------------------------- */

/* Given the "0\0".."9\0" run at `digits`, the token table's start (*tt) and the token
 * index (*ti) as image offsets: 0, or -1 when the strings and an index do not agree. */
static int
ks_tokens_at(const struct lx_ks_img *img, size_t digits, size_t *tt, size_t *ti)
{
	size_t pos[256], p = digits, end, x;
	int k;

	/* tokens 0x2f down to 1: each ends with the NUL before the next one's start */
	for (k = '0'; k >= 1; k--) {
		pos[k] = p;
		if (k == 1)
			break;
		if (p < 2 || img->b[p - 1] != '\0')
			return -1;
		for (p -= 1; p > 0 && img->b[p - 1] != '\0'; p--)
			if (pos[k] - p > 255)
				return -1;
		if (p == 0 || p == pos[k] - 1)
			return -1;   /* an empty token */
	}
	/* tokens '0' up to 255 */
	for (p = digits, k = '0'; k <= 255; k++) {
		const uint8_t *nul;

		pos[k] = p;
		if (p >= img->len || (nul = memchr(img->b + p, '\0', img->len - p > 256 ? 256 : img->len - p)) == NULL ||
		    nul == img->b + p)
			return -1;
		p = (size_t)(nul - img->b) + 1;
	}
	end = p;
	/* the index: u16[i] - u16[1] == pos[i] - pos[1], u16[0] == 0, soon after the table */
	for (x = (end + 1) & ~(size_t)1; x <= end + 16 && x + 512 <= img->len; x += 2) {
		uint16_t base = get_le16(img->b + x + 2);

		if (get_le16(img->b + x) != 0 || base < 2 || base > pos[1])
			continue;
		for (k = 2; k < 256; k++)
			if ((size_t)get_le16(img->b + x + 2 * k) - base != pos[k] - pos[1])
				break;
		if (k == 256 && img->b[pos[1] - 1] == '\0') {
			*tt = pos[1] - base;
			*ti = x;
			return 0;
		}
	}
	return -1;
}

/* ---- markers, num_syms, names -------------------------------------------------------- */

static uint64_t
ks_marker(const struct lx_ks_img *img, size_t at, unsigned width, size_t i)
{
	return width == 4 ? get_le32(img->b + at + 4 * i) : get_le64(img->b + at + 8 * i);
}

/* A markers array starting at `at`: its length (>= LX_KS_MIN_MARKERS), or 0. */
static size_t
ks_markers_len(const struct lx_ks_img *img, size_t at, size_t limit, unsigned width)
{
	size_t m;

	if (ks_marker(img, at, width, 0) != 0)
		return 0;
	for (m = 1; at + width * (m + 1) <= limit; m++) {
		uint64_t step = ks_marker(img, at, width, m) - ks_marker(img, at, width, m - 1);

		if (ks_marker(img, at, width, m) <= ks_marker(img, at, width, m - 1) || step < 0x200 || step > 0x40000)
			break;
	}
	return m >= LX_KS_MIN_MARKERS ? m : 0;
}

/* Walk the lengths of n names from `names`: every 256th must start where its marker says,
 * and the walk must end before `limit`.  0 or -1. */
static int
ks_names_fit(const struct lx_ks_img *img, size_t names, uint32_t n, size_t mk, unsigned width, size_t limit)
{
	size_t p = names, i;

	for (i = 0; i < n; i++) {
		size_t len;

		if (i % 256 == 0 && ks_marker(img, mk, width, i / 256) != p - names)
			return -1;
		if (p >= limit)
			return -1;
		len = img->b[p++];
		if (len & 0x80) {
			if (p >= limit)
				return -1;
			len = (len & 0x7f) | (size_t)img->b[p++] << 7;
		}
		if (len == 0 || len > limit - p)
			return -1;
		p += len;
	}
	return 0;
}

/* ---- the address tables, for one found num_syms ------------------------------------- */

static int
ks_try_layouts(struct lx *lx, const struct lx_ks_img *img, size_t c, uint32_t n, size_t tt, size_t ti,
               char *errbuf)
{
	struct lx_ksyms w;
	uint64_t va = img->va;
	size_t offs_len = (size_t)ks_align8((uint64_t)n * 4);
	int r = MF_ERR_NOTFOUND;

	memset(&w, 0, sizeof w);
	w.va_num_syms = va + c;
	w.va_names = va + c + 8;
	w.va_token_table = va + tt;
	w.va_token_index = va + ti;
	/* 4.6 - 6.3: offsets, relative_base, num_syms */
	if (c >= 8 + offs_len && (get_le64(img->b + c - 8) >> 63) != 0) {
		w.va_relative_base = va + c - 8;
		w.va_offsets = va + c - 8 - offs_len;
		if ((r = lx_ksyms_try(lx, &w, "a scan of the kernel image (offsets before the names)", errbuf)) == 0)
			return 0;
	}
	/* 6.4+: offsets and relative_base after token_index */
	w.va_offsets = va + ks_align8(ti + 512);
	w.va_relative_base = w.va_offsets + offs_len;
	if (ks_align8(ti + 512) + offs_len + 8 <= img->len &&
	    (get_le64(img->b + ks_align8(ti + 512) + offs_len) >> 63) != 0 &&
	    (r = lx_ksyms_try(lx, &w, "a scan of the kernel image (offsets after the token index)", errbuf)) == 0)
		return 0;
	/* before 4.6, or without KALLSYMS_BASE_RELATIVE: absolute addresses */
	w.va_offsets = w.va_relative_base = 0;
	if (c >= (size_t)n * 8) {
		w.va_addresses = va + c - (size_t)n * 8;
		if ((r = lx_ksyms_try(lx, &w, "a scan of the kernel image (absolute addresses)", errbuf)) == 0)
			return 0;
	}
	return r;
}

/* From a token table: markers before it, num_syms and names before those. */
static int
ks_from_tokens(struct lx *lx, const struct lx_ks_img *img, size_t tt, size_t ti, char *errbuf)
{
	size_t lowest = tt > LX_KS_MARKERS_BACK ? tt - LX_KS_MARKERS_BACK : 0, mk, c;
	unsigned width;
	int r = MF_ERR_NOTFOUND;

	for (width = 4; width <= 8; width += 4) {
		for (mk = (tt - width) & ~(size_t)(width - 1); mk >= lowest && mk >= width; mk -= width) {
			size_t m = ks_markers_len(img, mk, tt, width);
			size_t names_lowest;

			if (m == 0)
				continue;
			names_lowest = mk > LX_KS_NAMES_MAX + 8 ? mk - (size_t)LX_KS_NAMES_MAX - 8 : 0;
			for (c = (mk - 8) & ~(size_t)7; c >= names_lowest && c >= 8; c -= 8) {
				uint32_t n = get_le32(img->b + c);

				/* what follows the markers can pass for one or two more of them */
				if (get_le32(img->b + c + 4) != 0 || n <= (m > 3 ? m - 3 : 0) * 256 || n > m * 256 ||
				    ks_names_fit(img, c + 8, n, mk, width, mk) < 0)
					continue;
				m = (n + 255) / 256;
				lx->host->log(1, "linux: kallsyms by scan: token table at 0x%" PRIx64 ", %zu markers at 0x%" PRIx64
				              ", %u symbols, names at 0x%" PRIx64,
				              img->va + tt, m, img->va + mk, n, img->va + c + 8);
				if ((r = ks_try_layouts(lx, img, c, n, tt, ti, errbuf)) == 0)
					return 0;
				break;   /* this count fit the markers: no other will */
			}
		}
	}
	return r;
}

int
lx_ksyms_scan(struct lx *lx, char *errbuf)
{
	static const char digits[] = "0\0" "1\0" "2\0" "3\0" "4\0" "5\0" "6\0" "7\0" "8\0" "9";
	struct lx_ks_img img;
	size_t at = 0, tt, ti;
	const uint8_t *hit;
	int r = MF_ERR_NOTFOUND, tries = 0;

	if (lx->image_va == 0 || lx->phys->vread == NULL)
		return lx->host->error(errbuf, MF_ERR_NOTFOUND, "kallsyms: no tables named and no kernel image address to scan");
	if ((r = ks_img_read(lx, &img)) < 0)
		return lx->host->error(errbuf, r, "kallsyms: out of memory");
	lx->host->log(1, "linux: scanning 0x%" PRIx64 "..0x%" PRIx64 " for the kallsyms tables", img.va, img.va + img.len);
	r = MF_ERR_NOTFOUND;
	while (at < img.len && tries < 64 &&
	       (hit = memmem(img.b + at, img.len - at, digits, sizeof digits)) != NULL) {
		size_t d = (size_t)(hit - img.b);

		at = d + 1;
		tries++;
		if (ks_tokens_at(&img, d, &tt, &ti) < 0)
			continue;
		if ((r = ks_from_tokens(lx, &img, tt, ti, errbuf)) == 0)
			break;
	}
	free(img.b);
	if (r < 0 && r != MF_ERR_NOMEM)
		return lx->host->error(errbuf, MF_ERR_NOTFOUND, "kallsyms: no symbol tables found in the kernel image around 0x%" PRIx64,
		                       lx->image_va);
	return r;
}
