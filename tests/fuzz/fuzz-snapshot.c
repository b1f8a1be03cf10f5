/* fuzz-snapshot.c: libFuzzer target for mf-dump's physical-memory writers (raw, LiME, ELF
 * core, kdump) fed a hostile source.  Input: format, architecture, number of ranges (up to
 * 8), flags (dtb, VMCOREINFO hint, saved record, threads), then per range a gap from the
 * previous end and a size (u64 each, little-endian: ranges may end at the top of the
 * address space); the VMCOREINFO text up to a NUL; the saved record up to a NUL; the rest
 * is memory.  Each range is written as data while input lasts (some of it in pieces) and
 * as a hole after, in address order as mf-dump does, into a memfd. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fuzz-util.h"
#include "snapshot/snapshot.h"

#define FZ_SNAP_RANGES 8
#define FZ_SNAP_SIZE_MASK ((1ull << 22) - 1)   /* 4 MiB a range: the work stays small */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t
fz_u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* A NUL-terminated string at *p (of *n bytes left), or NULL when there is no NUL. */
static const char *
fz_cstr(const uint8_t **p, size_t *n)
{
	const uint8_t *nul = memchr(*p, '\0', *n);
	const char *s = (const char *)*p;

	if (nul == NULL)
		return NULL;
	*n -= (size_t)(nul - *p) + 1;
	*p = nul + 1;
	return s;
}

static int
fz_write(struct snap_writer *w, const struct mf_range *r, size_t nr, const uint8_t *mem, size_t mlen, unsigned piece)
{
	for (size_t i = 0; i < nr; i++) {
		uint64_t at = r[i].base, left = r[i].size;

		while (left > 0 && mlen > 0) {
			size_t k = left < mlen ? (size_t)left : mlen;

			if (k > piece)
				k = piece;
			if (snap_writer_data(w, at, mem, k) < 0)
				return -1;
			at += k;
			left -= k;
			mem += k;
			mlen -= k;
		}
		if ((left > 0 && snap_writer_hole(w, at, left) < 0) || snap_writer_flush(w) < 0)
			return -1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t arches[] = { MF_ARCH_UNKNOWN, MF_ARCH_X86_64, MF_ARCH_X86_PAE, MF_ARCH_X86_32,
	                                   MF_ARCH_AARCH64, MF_ARCH_X86_64_LA57 };
	static const enum snap_format fmts[] = { SNAP_F_RAW, SNAP_F_LIME, SNAP_F_ELF, SNAP_F_KDUMP };
	struct mf_range r[FZ_SNAP_RANGES];
	struct snap_source src = { 0 };
	char err[MF_ERRBUF_SIZE] = "";
	struct snap_file f = { .fd = -1, .name = "fuzz.out", .err = err };
	struct snap_writer *w = NULL;
	const uint8_t *p = data + 4;
	size_t n = size - 4, nr, i;
	uint64_t end = 0;
	const char *vmci, *record;

	if (size < 4)
		return 0;
	nr = data[2] % (FZ_SNAP_RANGES + 1);
	if (n < nr * 16)
		return 0;
	for (i = 0; i < nr; i++, p += 16, n -= 16) {
		uint64_t gap = fz_u64(p), sz = fz_u64(p + 8) & FZ_SNAP_SIZE_MASK;

		if (sz == 0)
			sz = 1;
		if ((i > 0 && end == 0) || end + gap < end || end + gap + sz - 1 < end + gap)
			break;   /* past the top of the address space */
		r[i].base = end + gap;
		r[i].size = sz;
		end = r[i].base + sz;   /* 0 for a range that ends at the top */
	}
	nr = i;
	if ((vmci = fz_cstr(&p, &n)) == NULL || (record = fz_cstr(&p, &n)) == NULL)
		return 0;
	src.ranges = r;
	src.nranges = nr;
	src.arch = arches[data[1] % (sizeof arches / sizeof *arches)];
	src.have_dtb = data[3] & 1;
	src.dtb = 0x1000ull * data[1];
	src.vmcoreinfo = data[3] & 2 ? vmci : NULL;
	src.record = data[3] & 4 ? record : NULL;
	src.record_len = data[3] & 4 ? strlen(record) : 0;
	src.cpus = data[1] & 7;
	src.threads = data[3] & 8 ? 2 : 1;
	/* the CPU notes and the marker: hostile too (the notes may come from a piped record) */
	src.cpu_notes = data[3] & 32 ? p : NULL;
	src.cpu_notes_len = data[3] & 32 ? n : 0;
	src.mark = data[3] & 64 ? record : NULL;
	f.fd = fz_memfd(NULL, 0);
	if (snap_writer_new(fmts[data[0] % 4], &f, &src, &w) == 0 &&
	    fz_write(w, r, nr, p, n, data[3] & 16 ? 4096 : 1000) == 0)
		(void)snap_writer_finish(w);
	if (w != NULL)
		snap_writer_free(w);
	close(f.fd);
	return 0;
}
