/* bench-vat.c: translations per second of the batched translator over a realistic x86-64
 * 4-level page table in memory, next to single-address walkers and the memory bandwidth.
 *
 *   bench-vat [--pvr] [MIB_OF_4K_PAGES]
 *
 * A 2 GiB buffer stands for physical memory; its page tables (inside the buffer, as in a
 * real machine) direct-map all of it at 0xffff888000000000: the first MIB_OF_4K_PAGES MiB
 * (default 512) with 4 KiB pages, the rest with 2 MiB pages.  The physical read callback
 * copies from the buffer with memcpy (the cheapest connector there can be), or with
 * --pvr through process_vm_readv on ourselves, batched, as the qemu connector reads
 * guest memory (then every walk level of the naive walker is a syscall). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/uio.h>
#include <mftools/vat.h>

#define MEM (2ull << 30)
#define BASE 0xffff888000000000ull
#define NADDR (1u << 20)
#define PML4 0x100000ull
#define PDPT 0x101000ull
#define PD0  0x102000ull           /* two PDs: 0x102000, 0x103000 */
#define PT0  0x104000ull           /* PTs from here */

static uint8_t *mem;
static uint64_t calls;
static int use_pvr;     /* read through process_vm_readv, as the qemu connector does */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
bench_read(void *ctx __attribute__((unused)), struct mf_iov *iov, size_t n)
{
	struct iovec lv[512], rv[512];
	size_t k = 0;

	calls++;
	for (size_t i = 0; i < n; i++) {
		if (iov[i].addr > MEM || iov[i].len > MEM - iov[i].addr) {
			iov[i].err = MF_ERR_UNMAPPED;
			continue;
		}
		iov[i].err = 0;
		if (!use_pvr) {
			memcpy(iov[i].buf, mem + iov[i].addr, iov[i].len);
			continue;
		}
		lv[k].iov_base = iov[i].buf;
		lv[k].iov_len = iov[i].len;
		rv[k].iov_base = mem + iov[i].addr;
		rv[k].iov_len = iov[i].len;
		if (++k == 512 || i + 1 == n) {
			ssize_t want = 0;

			for (size_t j = 0; j < k; j++)
				want += (ssize_t)lv[j].iov_len;
			if (process_vm_readv(getpid(), lv, k, rv, k, 0) != want)
				for (size_t j = 0; j <= i; j++)
					iov[j].err = MF_ERR_IO;
			k = 0;
		}
	}
	if (use_pvr && k > 0) {
		ssize_t want = 0;

		for (size_t j = 0; j < k; j++)
			want += (ssize_t)lv[j].iov_len;
		if (process_vm_readv(getpid(), lv, k, rv, k, 0) != want)
			for (size_t j = 0; j < n; j++)
				iov[j].err = MF_ERR_IO;
	}
	return 0;
}

static void
put64(uint64_t pa, uint64_t v)
{
	memcpy(mem + pa, &v, 8);
}

static uint64_t
get64(uint64_t pa)
{
	uint64_t v;

	memcpy(&v, mem + pa, 8);
	return v;
}

/* The baseline: a minimal 4-level walker over the same callback, one call per entry,
 * as a translator without batching or caching does. */
static int
naive_walk(uint64_t cr3, uint64_t va, uint64_t *pa)
{
	uint64_t table = cr3 & 0x000ffffffffff000ull, e;

	for (int l = 0; l < 4; l++) {
		struct mf_iov iov = { .addr = table + ((va >> (39 - 9 * l)) & 511) * 8, .buf = &e, .len = 8 };

		bench_read(NULL, &iov, 1);
		if (iov.err < 0 || !(e & 1))
			return -1;
		if (l == 3 || (l > 0 && (e & 0x80))) {
			uint64_t size = 1ull << (39 - 9 * l);

			*pa = (e & 0x000ffffffffff000ull & ~(size - 1)) | (va & (size - 1));
			return 0;
		}
		table = e & 0x000ffffffffff000ull;
	}
	return -1;
}

/* The same walk with plain loads from the buffer: what the hardware walker does. */
static int
direct_walk(uint64_t cr3, uint64_t va, uint64_t *pa)
{
	uint64_t table = cr3 & 0x000ffffffffff000ull, e;

	for (int l = 0; l < 4; l++) {
		e = get64(table + ((va >> (39 - 9 * l)) & 511) * 8);
		if (!(e & 1))
			return -1;
		if (l == 3 || (l > 0 && (e & 0x80))) {
			uint64_t size = 1ull << (39 - 9 * l);

			*pa = (e & 0x000ffffffffff000ull & ~(size - 1)) | (va & (size - 1));
			return 0;
		}
		table = e & 0x000ffffffffff000ull;
	}
	return -1;
}

static int
count_range(void *ctx, const struct mf_vat_range *r)
{
	uint64_t *c = ctx;

	c[0]++;
	c[1] += r->size;
	return 0;
}

int
main(int argc, char **argv)
{
	uint64_t small = 512, ntables = 4, sink = 0, bad = 0, cr[2] = { 0, 0 };
	struct mf_space sp = { .arch = MF_ARCH_X86_64, .root = PML4 };
	struct mf_vat_xlat *x;
	uint64_t *va, s = 0x9e3779b97f4a7c15ull;
	struct mf_vat *v;
	double t, t_one, t_batch, t_naive, t_direct, t_map, t_bw;
	uint64_t c_one, c_batch;
	int r;

	if (argc > 1 && strcmp(argv[1], "--pvr") == 0) {
		use_pvr = 1;
		argc--;
		argv++;
	}
	if (argc > 1)
		small = strtoull(argv[1], NULL, 0);
	if (small > 2048)
		small = 2048;
	mem = malloc(MEM);
	if (mem)
		memset(mem, 0, MEM);   /* fault the pages in: memory of a running machine */
	x = calloc(NADDR, sizeof(*x));
	va = calloc(NADDR, sizeof(*va));
	if (!mem || !x || !va) {
		fprintf(stderr, "bench-vat: out of memory\n");
		return 1;
	}
	/* the direct map: PML4[273] -> PDPT -> 2 PDs; 4 KiB pages for the first `small` MiB */
	put64(PML4 + 273 * 8, PDPT | 3);
	for (uint64_t g = 0; g < 2; g++) {
		put64(PDPT + g * 8, (PD0 + g * 0x1000) | 3);
		for (uint64_t i = 0; i < 512; i++) {
			uint64_t pa = (g << 30) | (i << 21);

			if (pa < (small << 20)) {
				uint64_t pt = PT0 + (ntables - 4) * 0x1000;

				put64(PD0 + g * 0x1000 + i * 8, pt | 3);
				for (uint64_t k = 0; k < 512; k++)
					put64(pt + k * 8, (pa + (k << 12)) | 3 | (1ull << 63));
				ntables++;
			} else {
				put64(PD0 + g * 0x1000 + i * 8, pa | 0x83);
			}
		}
	}
	for (uint32_t i = 0; i < NADDR; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		va[i] = BASE + (s % MEM);
	}
	printf("bench-vat (%s): x86-64, 2 GiB direct map: %" PRIu64 " MiB in 4 KiB pages, %" PRIu64
	       " MiB in 2 MiB pages, %" PRIu64 " table pages\n", use_pvr ? "process_vm_readv" : "memcpy", small, 2048 - small, ntables);

	/* (a) one by one through mf_vat_translate */
	v = mf_vat_new(bench_read, NULL);
	if (v == NULL)
		return 1;
	calls = 0;
	t = now();
	for (uint32_t i = 0; i < NADDR; i++) {
		x[i].va = va[i];
		mf_vat_translate(v, &sp, &x[i], 1);
	}
	t_one = now() - t;
	c_one = calls;
	for (uint32_t i = 0; i < NADDR; i++)
		sink += x[i].pa;

	/* (b) batched, cold */
	mf_vat_invalidate(v);
	for (uint32_t i = 0; i < NADDR; i++)
		x[i].va = va[i];
	calls = 0;
	t = now();
	r = mf_vat_translate(v, &sp, x, NADDR);
	t_batch = now() - t;
	c_batch = calls;
	if (r < 0)
		bad++;

	/* baselines */
	calls = 0;
	t = now();
	for (uint32_t i = 0; i < NADDR; i++) {
		uint64_t pa = 0;

		if (naive_walk(PML4, va[i], &pa) < 0 || pa != x[i].pa || x[i].err != 0)
			bad++;
	}
	t_naive = now() - t;
	t = now();
	for (uint32_t i = 0; i < NADDR; i++) {
		uint64_t pa = 0;

		direct_walk(PML4, va[i], &pa);
		sink += pa;
	}
	t_direct = now() - t;

	/* (c) the page map of the whole space */
	mf_vat_invalidate(v);
	calls = 0;
	t = now();
	r = mf_vat_page_map(v, &sp, 0, 0, count_range, cr);
	t_map = now() - t;
	if (r != 0 || cr[1] != MEM)
		bad++;

	/* memory bandwidth: copy 256 MiB */
	t = now();
	memcpy(mem + (1ull << 30), mem + (1ull << 30) + (256ull << 20), 256ull << 20);
	t_bw = now() - t;
	sink += mem[(1ull << 30) + 4096];

	printf("  %-44s %8.2f M/s  (%.0f ns each, %" PRIu64 " physical calls)\n",
	       "mf_vat_translate, one address per call:", NADDR / t_one / 1e6, t_one / NADDR * 1e9, c_one);
	printf("  %-44s %8.2f M/s  (%.0f ns each, %" PRIu64 " physical calls)\n",
	       "mf_vat_translate, 1M addresses in one call:", NADDR / t_batch / 1e6, t_batch / NADDR * 1e9,
	       c_batch);
	printf("  %-44s %8.2f M/s  (%.0f ns each, 4 calls each)\n",
	       "baseline: naive walker, one call per entry:", NADDR / t_naive / 1e6, t_naive / NADDR * 1e9);
	printf("  %-44s %8.2f M/s  (%.0f ns each)\n",
	       "limit: walker with plain loads (no copies):", NADDR / t_direct / 1e6, t_direct / NADDR * 1e9);
	printf("  batched / naive walker: %.1fx\n", t_naive / t_batch);
	printf("  page map of the 2 GiB space: %.2f ms, %" PRIu64 " ranges, %" PRIu64 " MiB mapped, %"
	       PRIu64 " physical calls\n", t_map * 1e3, cr[0], cr[1] >> 20, calls);
	printf("  memory bandwidth (memcpy): %.1f GB/s: the %" PRIu64 " KiB of tables take %.3f ms to copy\n",
	       (256ull << 20) / t_bw / 1e9, ntables * 4, ntables * 4096.0 / ((256ull << 20) / t_bw) * 1e3);
	printf("  working memory of the translator: %.2f MB\n", mf_vat_memory(v) / 1e6);
	printf("  mismatches against the naive walker: %" PRIu64 "%s\n", bad, sink == 1 ? " " : "");
	mf_vat_free(v);
	free(mem);
	free(x);
	free(va);
	return bad ? 1 : 0;
}
