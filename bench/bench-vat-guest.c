/* bench-vat-guest: the translator over a real guest's ELF dump (QEMU, x86-64, CR3 from its
 * note).  Times the whole page map of the kernel half, then translations per second of N
 * random mapped kernel addresses: batched, one call per address, and a naive walker that
 * preads each level's entry from the file (the baseline).
 *
 *   bench-vat-guest DUMP.elf [N]
 */
#include "config.h"

#include <mftools/mf.h>
#include <mftools/vat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct bvg_load {
	uint64_t pa, size, off;
};

struct bvg_ranges {
	struct mf_vat_range *r;
	size_t n, cap;
	uint64_t mapped;
};

static double
bvg_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
bvg_phys(void *ctx, struct mf_iov *iov, size_t n)
{
	char errbuf[MF_ERRBUF_SIZE];

	return mf_phys_read(ctx, iov, n, errbuf);
}

static int
bvg_range_cb(void *ctx, const struct mf_vat_range *r)
{
	struct bvg_ranges *rs = ctx;

	rs->mapped += r->size;
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 4096;
		void *p = realloc(rs->r, cap * sizeof *rs->r);

		if (p == NULL)
			return 1;
		rs->r = p;
		rs->cap = cap;
	}
	rs->r[rs->n++] = *r;
	return 0;
}

/* The naive baseline: PT_LOAD segments of the ELF, then one pread per level. */
static size_t
bvg_elf_loads(int fd, struct bvg_load *l, size_t max)
{
	unsigned char eh[64], ph[56];
	uint64_t phoff;
	unsigned phnum, phentsize, i;
	size_t n = 0;

	if (pread(fd, eh, sizeof eh, 0) != (ssize_t)sizeof eh || memcmp(eh, "\177ELF\2", 5) != 0)
		return 0;
	memcpy(&phoff, eh + 32, 8);
	phentsize = (unsigned)(eh[54] | eh[55] << 8);
	phnum = (unsigned)(eh[56] | eh[57] << 8);
	if (phentsize < sizeof ph)
		return 0;
	for (i = 0; i < phnum && n < max; i++) {
		uint32_t type;

		if (pread(fd, ph, sizeof ph, (off_t)(phoff + (uint64_t)i * phentsize)) != (ssize_t)sizeof ph)
			return 0;
		memcpy(&type, ph, 4);
		if (type != 1)
			continue;
		memcpy(&l[n].off, ph + 8, 8);
		memcpy(&l[n].pa, ph + 24, 8);
		memcpy(&l[n].size, ph + 32, 8);
		n++;
	}
	return n;
}

static int
bvg_naive_read8(int fd, const struct bvg_load *l, size_t nl, uint64_t pa, uint64_t *v)
{
	size_t i;

	for (i = 0; i < nl; i++)
		if (pa >= l[i].pa && pa - l[i].pa + 8 <= l[i].size)
			return pread(fd, v, 8, (off_t)(l[i].off + pa - l[i].pa)) == 8 ? 0 : -1;
	return -1;
}

/* 4-level x86-64, 4K/2M/1G pages: pa or ~0 */
static uint64_t
bvg_naive_walk(int fd, const struct bvg_load *l, size_t nl, uint64_t cr3, uint64_t va)
{
	uint64_t table = cr3 & 0x000ffffffffff000ull, e = 0;
	int level;

	for (level = 3; level >= 0; level--) {
		unsigned shift = 12 + 9 * (unsigned)level;

		if (bvg_naive_read8(fd, l, nl, table + ((va >> shift) & 511) * 8, &e) < 0 || !(e & 1))
			return ~0ull;
		if (level == 0 || (level < 3 && (e & 0x80)))
			return (e & 0x000ffffffffff000ull & ~((1ull << shift) - 1)) | (va & ((1ull << shift) - 1));
		table = e & 0x000ffffffffff000ull;
	}
	return ~0ull;
}

int
main(int argc, char **argv)
{
	char errbuf[MF_ERRBUF_SIZE];
	struct mf_target *t;
	struct mf_space sp;
	struct mf_vat *v;
	struct bvg_ranges rs = { 0 };
	struct bvg_load loads[64];
	struct mf_vat_xlat *x;
	uint64_t *vas, *pas, seed = 0x9e3779b97f4a7c15ull, sum;
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 0) : 1000000, i, nl, bad = 0;
	double t0, t_map, t_batch, t_one, t_naive, best = 1e9;
	int fd, rep, r;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-vat-guest DUMP.elf [N]\n");
		return 2;
	}
	if (mf_target_open(argv[1], NULL, 0, &t, errbuf) < 0 || mf_target_kernel_space(t, &sp, errbuf) < 0) {
		fprintf(stderr, "bench-vat-guest: %s\n", errbuf);
		return 1;
	}
	if (sp.arch != MF_ARCH_X86_64) {
		fprintf(stderr, "bench-vat-guest: %s: needs a 4-level x86-64 dump (the naive walker), not %s\n", argv[1],
		        mf_arch_name(sp.arch));
		return 1;
	}
	if ((v = mf_vat_new(bvg_phys, t)) == NULL)
		return 1;
	/* the whole kernel-half page map: cold (first walk), then warm (table cache) */
	for (rep = 0; rep < 5; rep++) {
		mf_vat_invalidate(v);
		rs.n = 0;
		rs.mapped = 0;
		t0 = bvg_now();
		if ((r = mf_vat_page_map(v, &sp, 0xffff800000000000ull, 0, bvg_range_cb, &rs)) < 0) {
			fprintf(stderr, "bench-vat-guest: page map: %s\n", mf_strerror(r));
			return 1;
		}
		t_map = bvg_now() - t0;
		if (t_map < best)
			best = t_map;
	}
	printf("kernel page map: %zu ranges, %.1f MiB mapped, best of 5 %.1f ms (table cache dropped each time), "
	       "translator memory %.2f MB\n",
	       rs.n, (double)rs.mapped / 1048576.0, best * 1e3, (double)mf_vat_memory(v) / 1e6);

	/* N random addresses inside mapped ranges (weighted by range count, so that small
	 * 4K-page ranges get their share) */
	vas = malloc(n * sizeof *vas);
	pas = malloc(n * sizeof *pas);
	x = malloc(n * sizeof *x);
	if (vas == NULL || pas == NULL || x == NULL || rs.n == 0)
		return 1;
	for (i = 0; i < n; i++) {
		const struct mf_vat_range *g;

		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		g = &rs.r[seed % rs.n];
		vas[i] = g->va + ((seed >> 20) % g->size & ~7ull);
	}

	mf_vat_invalidate(v);
	for (i = 0; i < n; i++)
		x[i].va = vas[i];
	t0 = bvg_now();
	mf_vat_translate(v, &sp, x, n);
	t_batch = bvg_now() - t0;
	for (i = 0; i < n; i++)
		pas[i] = x[i].err ? ~0ull : x[i].pa;

	mf_vat_invalidate(v);
	t0 = bvg_now();
	for (i = 0; i < n; i++) {
		struct mf_vat_xlat one = { .va = vas[i] };

		mf_vat_translate(v, &sp, &one, 1);
		if ((one.err ? ~0ull : one.pa) != pas[i])
			bad++;
	}
	t_one = bvg_now() - t0;

	if ((fd = open(argv[1], O_RDONLY)) < 0 || (nl = bvg_elf_loads(fd, loads, 64)) == 0) {
		fprintf(stderr, "bench-vat-guest: %s: cannot read the ELF program headers\n", argv[1]);
		return 1;
	}
	t0 = bvg_now();
	sum = 0;
	for (i = 0; i < n; i++) {
		uint64_t pa = bvg_naive_walk(fd, loads, nl, sp.root, vas[i]);

		if (pa != pas[i])
			bad++;
		sum += pa;
	}
	t_naive = bvg_now() - t0;
	close(fd);

	printf("%zu random mapped kernel addresses (%s):\n", n, bad ? "RESULTS DIFFER" : "all three agree");
	printf("  batched        %8.2f M/s  (%.1f ms)\n", (double)n / t_batch / 1e6, t_batch * 1e3);
	printf("  one by one     %8.2f M/s  (%.1f ms)\n", (double)n / t_one / 1e6, t_one * 1e3);
	printf("  naive pread    %8.2f M/s  (%.1f ms)  [baseline; checksum %llx]\n", (double)n / t_naive / 1e6,
	       t_naive * 1e3, (unsigned long long)sum);
	printf("  batched / naive: %.1fx\n", t_naive / t_batch);
	printf("  physical read calls: %llu\n", (unsigned long long)mf_vat_phys_calls(v));
	free(rs.r);
	free(vas);
	free(pas);
	free(x);
	mf_vat_free(v);
	mf_target_close(t);
	return bad ? 1 : 0;
}
