/* fuzz-vat.c: libFuzzer target for the translator.  Input: a 16-byte header (arch
 * selector, granule/VA-size selector, root, count of VAs), that many 8-byte VAs, and the
 * rest is physical memory.  Translate, walk, read and page-map must not crash or hang. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <mftools/vat.h>

struct fuzz_mem {
	const uint8_t *p;
	uint64_t size;
};

static int
fuzz_read(void *ctx, struct mf_iov *iov, size_t n)
{
	struct fuzz_mem *m = ctx;

	for (size_t i = 0; i < n; i++) {
		if (iov[i].addr > m->size || iov[i].len > m->size - iov[i].addr) {
			iov[i].err = MF_ERR_UNMAPPED;
			continue;
		}
		memcpy(iov[i].buf, m->p + iov[i].addr, iov[i].len);
		iov[i].err = 0;
	}
	return 0;
}

static int
fuzz_range(void *ctx, const struct mf_vat_range *r)
{
	uint64_t *n = ctx;

	if (r->size == 0 || r->page_size == 0)
		abort();
	return ++*n > 100000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t archs[] = { MF_ARCH_X86_32, MF_ARCH_X86_PAE, MF_ARCH_X86_64,
		MF_ARCH_X86_64_LA57, MF_ARCH_AARCH64, MF_ARCH_RISCV_SV39, MF_ARCH_RISCV_SV48 };
	static const uint32_t granules[] = { 4096, 16384, 65536 };
	static const uint32_t vabits[] = { 39, 42, 47, 48, 52, 36, 25, 0 };
	struct mf_space sp = { 0 };
	struct fuzz_mem m;
	struct mf_vat *v;
	struct mf_vat_xlat x[64];
	struct mf_vat_step st[8];
	struct mf_iov iov[4];
	uint8_t buf[4][64];
	uint64_t root, nranges = 0, vas[4];
	size_t nva, ns, found;

	if (size < 16)
		return 0;
	sp.arch = archs[data[0] % 7];
	sp.granule = granules[data[1] % 3];
	sp.va_bits = vabits[(data[1] >> 2) % 8];
	memcpy(&root, data + 2, 6);
	root &= 0xffffffffffffull;
	sp.root = root % (size + 0x2000);
	sp.root_hi = (data[8] & 1) ? (sp.root + (uint64_t)data[9] * 0x1000) : 0;
	nva = data[10] % 65;
	data += 16;
	size -= 16;
	if (size < nva * 8)
		nva = size / 8;
	for (size_t i = 0; i < nva; i++)
		memcpy(&x[i].va, data + i * 8, 8);
	m.p = data + nva * 8;
	m.size = size - nva * 8;

	v = mf_vat_new(fuzz_read, &m);
	if (v == NULL)
		return 0;
	mf_vat_set_walk_limit(v, 512);
	mf_vat_translate(v, &sp, x, nva);
	for (size_t i = 0; i < nva && i < 4; i++) {
		ns = 8;
		mf_vat_walk(v, &sp, x[i].va, st, &ns, NULL);
		iov[i].addr = x[i].va - 8;
		iov[i].buf = buf[i];
		iov[i].len = sizeof(buf[i]);
	}
	if (nva > 0)
		mf_vat_read(v, &sp, iov, nva < 4 ? nva : 4);
	mf_vat_page_map(v, &sp, 0, 0, fuzz_range, &nranges);
	mf_vat_phys_to_virt(v, &sp, nva ? x[0].va & 0xffffff : 0, vas, 4, &found);
	mf_vat_free(v);
	return 0;
}
