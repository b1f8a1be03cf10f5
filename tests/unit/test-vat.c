/* test-vat.c: the translator on x86-64 4-level tables built by hand (Intel SDM vol. 3
 * ch. 4.5): page sizes, permissions, holes, non-canonical addresses, tables past memory,
 * recursive and random tables, batching, reads and writes, page map, walks. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <mftools/mf.h>
#include <mftools/vat.h>

#include "tap.h"
#include "vat-mem.h"

#define P   0x1ull
#define W   0x2ull
#define U   0x4ull
#define A   0x20ull
#define D   0x40ull
#define PS  0x80ull
#define G   0x100ull
#define PAT 0x1000ull   /* bit 12 of a large-page entry: PAT, not an address bit */
#define NX  (1ull << 63)
#define PWU (P | W | U)

#define R_  MF_VAT_R
#define W_  MF_VAT_W
#define U_  MF_VAT_U
#define X_  MF_VAT_X

/* tables */
#define PML4   0x1000
#define PDPT   0x2000
#define PD     0x3000
#define PT     0x4000
#define PDPT_B 0x5000
#define PD_B   0x6000
#define PT_B   0x7000
#define PML4_C 0x8000   /* PML4 with a recursive entry */
#define PML4_S 0x9000   /* every entry points at itself */
#define RANDOM 0xa000   /* random bytes */
#define MEMSIZE 0x800000

static struct vmem m;
static const struct mf_space sp_a = { .arch = MF_ARCH_X86_64, .root = PML4 };
static const struct mf_space sp_c = { .arch = MF_ARCH_X86_64, .root = PML4_C | 0x5 /* PCID */ };

static void
build(void)
{
	vmem_init(&m, MEMSIZE);
	for (uint64_t i = 0x10000; i < MEMSIZE; i++)
		m.mem[i] = (uint8_t)(i * 7 + (i >> 12));

	put64(&m, PML4 + 0 * 8, PDPT | PWU);
	put64(&m, PML4 + 1 * 8, PDPT_B | P | U);          /* W only missing at the top */
	put64(&m, PML4 + 2 * 8, PDPT_B | PWU | NX);       /* NX only at the top */
	put64(&m, PML4 + 3 * 8, PDPT_B | P | W);          /* supervisor only at the top */
	put64(&m, PML4 + 4 * 8, PDPT | PWU | PS);         /* PS is reserved in a PML4E */
	put64(&m, PML4 + 511 * 8, PDPT | P | W);          /* kernel half */

	put64(&m, PDPT + 0 * 8, PD | PWU);
	put64(&m, PDPT + 1 * 8, 0xc0000000 | P | W | PS | PAT); /* 1 GiB, supervisor */
	put64(&m, PDPT + 2 * 8, 0x7fff0000 | PWU);        /* a PD past the end of memory */

	put64(&m, PD + 0 * 8, PT | PWU);
	put64(&m, PD + 1 * 8, 0x600000 | PWU | PS | NX | PAT);  /* 2 MiB */

	put64(&m, PT + 1 * 8, 0x10000 | P | U);           /* read-only */
	put64(&m, PT + 2 * 8, 0x12000 | PWU | NX);
	put64(&m, PT + 3 * 8, 0x13000 | P | W);           /* supervisor */
	put64(&m, PT + 4 * 8, 0x14000 | W | U);           /* not present */
	put64(&m, PT + 5 * 8, 0x7ffff000 | PWU);          /* a page past the end of memory */
	put64(&m, PT + 6 * 8, 0x16000 | PWU | G | A | D);
	put64(&m, PT + 7 * 8, 0x17000 | PWU);
	put64(&m, PT + 8 * 8, 0x18000 | PWU);
	put64(&m, PT + 9 * 8, 0x19000 | PWU);
	put64(&m, PT + 10 * 8, 0x1b000 | PWU);
	put64(&m, PT + 511 * 8, 0x1f000 | PWU);

	put64(&m, PDPT_B, PD_B | PWU);
	put64(&m, PD_B, PT_B | PWU);
	put64(&m, PT_B, 0x11000 | PWU);

	put64(&m, PML4_C + 0 * 8, PDPT | PWU);
	put64(&m, PML4_C + 510 * 8, PML4_C | P | W);

	for (int i = 0; i < 512; i++)
		put64(&m, PML4_S + i * 8, PML4_S | PWU);
	srand(1234);
	/* random entries that point inside memory (4 KiB and large pages, NX mixed in) */
	for (int i = 0; i < 512; i++)
		put64(&m, RANDOM + i * 8, ((uint64_t)rand() << 32 | (uint64_t)rand()) & (NX | 0x7fffffull));
}

struct expect {
	uint64_t va, pa, size;
	uint32_t flags;
	int err;
};

static const struct expect x86_64_cases[] = {
	{ 0x1123, 0x10123, 0x1000, R_ | U_ | X_, 0 },
	{ 0x2000, 0x12000, 0x1000, R_ | W_ | U_, 0 },
	{ 0x3fff, 0x13fff, 0x1000, R_ | W_ | X_, 0 },
	{ 0x4000, 0, 0, 0, MF_ERR_NOTMAPPED },
	{ 0x5008, 0x7ffff008, 0x1000, R_ | W_ | U_ | X_, 0 },
	{ 0x6000, 0x16000, 0x1000, R_ | W_ | U_ | X_ | MF_VAT_GLOBAL | MF_VAT_ACCESSED | MF_VAT_DIRTY, 0 },
	{ 0x1fffff, 0x1ffff, 0x1000, R_ | W_ | U_ | X_, 0 },
	{ 0x212345, 0x612345, 0x200000, R_ | W_ | U_, 0 },
	{ 0x41234567, 0xc1234567, 0x40000000, R_ | W_ | X_, 0 },
	{ 0x80000000, 0, 0, 0, MF_ERR_UNMAPPED },
	{ 0xc0000000, 0, 0, 0, MF_ERR_NOTMAPPED },
	{ 0x8000000042, 0x11042, 0x1000, R_ | U_ | X_, 0 },
	{ 0x10000000042, 0x11042, 0x1000, R_ | W_ | U_, 0 },
	{ 0x18000000042, 0x11042, 0x1000, R_ | W_ | X_, 0 },
	{ 0x20000000000, 0, 0, 0, MF_ERR_NOTMAPPED },
	{ 0xffffff8000001010, 0x10010, 0x1000, R_ | X_, 0 },
	{ 0xffffff8000212345, 0x612345, 0x200000, R_ | W_, 0 },
	{ 0x0000800000000000, 0, 0, 0, MF_ERR_NONCANONICAL },
	{ 0xffff000000000000, 0, 0, 0, MF_ERR_NONCANONICAL },
	{ 0x7fffffffffff, 0, 0, 0, MF_ERR_NOTMAPPED },
	{ 0xffff800000000000, 0, 0, 0, MF_ERR_NOTMAPPED },
};

static void
check_x(const struct mf_vat_xlat *x, const struct expect *e, const char *what)
{
	is_int(x->err, e->err, "%s 0x%llx: error", what, (unsigned long long)e->va);
	if (e->err == 0) {
		is_u64(x->pa, e->pa, "%s 0x%llx: pa", what, (unsigned long long)e->va);
		is_u64(x->page_size, e->size, "%s 0x%llx: page size", what, (unsigned long long)e->va);
		is_u64(x->flags, e->flags, "%s 0x%llx: flags", what, (unsigned long long)e->va);
	}
}

static void
test_cases(void)
{
	struct mf_vat *v = mf_vat_new(vmem_read, &m);
	struct mf_vat_xlat x[32];
	size_t n = sizeof(x86_64_cases) / sizeof(x86_64_cases[0]);

	for (size_t i = 0; i < n; i++) {
		struct mf_vat_xlat one = xl(v, &sp_a, x86_64_cases[i].va);

		check_x(&one, &x86_64_cases[i], "one");
	}
	/* again from the TLB / cache, and batched with a fresh translator */
	for (size_t i = 0; i < n; i++) {
		struct mf_vat_xlat one = xl(v, &sp_a, x86_64_cases[i].va);

		check_x(&one, &x86_64_cases[i], "cached");
	}
	mf_vat_free(v);
	v = mf_vat_new(vmem_read, &m);
	for (size_t i = 0; i < n; i++)
		x[i].va = x86_64_cases[i].va;
	is_int(mf_vat_translate(v, &sp_a, x, n), 0, "a batch with failures succeeds as a batch");
	for (size_t i = 0; i < n; i++)
		check_x(&x[i], &x86_64_cases[i], "batch");
	mf_vat_free(v);
}

static void
test_recursive(void)
{
	struct mf_vat *v = mf_vat_new(vmem_read, &m);
	struct mf_vat_xlat x;
	uint64_t vas[4];
	size_t found = 0;
	int r;

	/* PML4[510] -> PML4 itself: the PML4 is used as PDPT, PDPT as PD, PD as PT */
	x = xl(v, &sp_c, 0xffffff0000000000ull);
	is_int(x.err, 0, "recursive: translates");
	is_u64(x.pa, PT, "recursive: 510/0/0/0 maps the PT page");
	is_u64(x.flags, R_ | W_ | X_, "recursive: supervisor (U missing at the recursive entry)");
	x = xl(v, &sp_c, 0xffffff7fbfdfe123ull);
	is_u64(x.pa, PML4_C + 0x123, "recursive: 510/510/510/510 maps the PML4 itself");
	x = xl(v, &sp_c, 0xffffff7fbfdff000ull);
	is_int(x.err, MF_ERR_NOTMAPPED, "recursive: 510/510/510/511 not present");
	r = mf_vat_phys_to_virt(v, &sp_c, PML4_C + 8, vas, 4, &found);
	is_int(r, 0, "recursive: page map terminates");
	is_u64(found, 1, "recursive: the PML4 is mapped once");
	is_u64(vas[0], 0xffffff7fbfdfe008ull, "recursive: at its self-map address");
	mf_vat_free(v);
}

static int
count_cb(void *ctx, const struct mf_vat_range *r)
{
	(*(uint64_t *)ctx)++;
	return 0;
}

static void
test_hostile(void)
{
	struct mf_vat *v = mf_vat_new(vmem_read, &m);
	struct mf_space sp = { .arch = MF_ARCH_X86_64, .root = PML4_S };
	struct mf_vat_xlat *x = calloc(2000, sizeof(*x));
	uint64_t n = 0;
	int r;

	/* every level is the same page: every address maps it */
	for (int i = 0; i < 2000; i++)
		x[i].va = (uint64_t)i * 0x123456789ull;
	is_int(mf_vat_translate(v, &sp, x, 2000), 0, "self-table: batch");
	is_int(x[0].err, 0, "self-table: 0 translates");
	is_u64(x[0].pa, PML4_S, "self-table: 0 maps the table");
	is_u64(x[1].pa, PML4_S + 0x789, "self-table: 0x123456789 maps the table");
	mf_vat_set_walk_limit(v, 10000);
	r = mf_vat_page_map(v, &sp, 0, 0, count_cb, &n);
	is_int(r, MF_ERR_LIMIT, "self-table: page map stops at the walk limit");
	ok(n > 1000 && n <= 10000ull * 512, "self-table: page map reported %llu ranges before the limit",
	   (unsigned long long)n);

	/* a page of random bytes as the root: bounded, no crash */
	sp.root = RANDOM;
	mf_vat_set_walk_limit(v, 0);
	for (int i = 0; i < 2000; i++)
		x[i].va = ((uint64_t)rand() << 33) ^ ((uint64_t)rand() << 12) ^ (uint64_t)rand();
	is_int(mf_vat_translate(v, &sp, x, 2000), 0, "random root: batch returns");
	n = 0;
	r = mf_vat_page_map(v, &sp, 0, 0, count_cb, &n);
	ok(r == 0 || r == MF_ERR_LIMIT, "random root: page map ends (%d, %llu ranges)", r,
	   (unsigned long long)n);
	/* the root past the end of memory */
	sp.root = 0x7ffff000;
	x[0].va = 0x1000;
	mf_vat_translate(v, &sp, x, 1);
	is_int(x[0].err, MF_ERR_UNMAPPED, "root past memory: unmapped");
	n = 0;
	is_int(mf_vat_page_map(v, &sp, 0, 0, count_cb, &n), 0, "root past memory: empty page map");
	is_u64(n, 0, "root past memory: no ranges");
	free(x);
	mf_vat_free(v);
}

static void
test_batch(void)
{
	struct mf_vat *v = mf_vat_new(vmem_read, &m), *v1;
	size_t n = 10000;
	struct mf_vat_xlat *x = calloc(n, sizeof(*x));
	unsigned calls0;
	size_t bad = 0;

	/* 10,000 addresses over PML4, PDPT, PD and PT (4 table pages), duplicates,
	 * holes and non-canonical addresses among them */
	for (size_t i = 0; i < n; i++) {
		uint64_t r = (uint64_t)rand();

		switch (i % 5) {
		case 0: x[i].va = r % 0x200000; break;              /* 4 KiB pages, some holes */
		case 1: x[i].va = 0x200000 + r % 0x200000; break;   /* the 2 MiB page */
		case 2: x[i].va = 0x40000000 + r % 0x40000000; break;           /* the 1 GiB page */
		case 3: x[i].va = 0x1000 + (r % 12) * 0x1000; break; /* duplicates */
		default: x[i].va = (r & 1) ? 0x800000001000ull : 0x400000 + r % 0x1000; break;
		}
	}
	calls0 = m.calls;
	is_int(mf_vat_translate(v, &sp_a, x, n), 0, "batch of 10000");
	ok(m.calls - calls0 <= 4, "10000 addresses over 4 table pages: %u physical calls",
	   m.calls - calls0);
	/* equal to one-by-one translation by a fresh translator each time */
	v1 = mf_vat_new(vmem_read, &m);
	for (size_t i = 0; i < n; i++) {
		struct mf_vat_xlat one;

		mf_vat_invalidate(v1);
		one = xl(v1, &sp_a, x[i].va);
		if (one.err != x[i].err || one.pa != x[i].pa || one.flags != x[i].flags ||
		    one.page_size != x[i].page_size)
			bad++;
	}
	mf_vat_free(v1);
	is_u64(bad, 0, "batch results equal one-by-one translation");

	/* mixed with an unreadable table: per address, and still few calls */
	for (size_t i = 0; i < n; i++)
		x[i].va = (i & 1) ? 0x80000000 + i * 0x1000 : 0x1000 * (i % 16);
	mf_vat_invalidate(v);
	calls0 = m.calls;
	mf_vat_translate(v, &sp_a, x, n);
	ok(m.calls - calls0 <= 3 * ((n + 511) / 512), "unreadable table: %u calls for 10000",
	   m.calls - calls0);
	is_int(x[1].err, MF_ERR_UNMAPPED, "unreadable table: that address fails");
	is_int(x[2].err, 0, "unreadable table: the others translate");
	is_u64(x[2].pa, 0x12000, "unreadable table: right pa");
	free(x);
	ok(mf_vat_memory(v) < 8u << 20, "working memory %zu bytes", mf_vat_memory(v));
	mf_vat_free(v);
}

static int
same_bytes(const uint8_t *buf, uint64_t pa, uint64_t len)
{
	return memcmp(buf, m.mem + pa, len) == 0;
}

static void
test_rw(void)
{
	struct mf_vat *v = mf_vat_new(vmem_read, &m);
	uint8_t b[4][64], w[32];
	struct mf_iov iov[4] = {
		{ .addr = 0x1ffff0, .buf = b[0], .len = 32 },      /* 4 KiB -> 2 MiB page */
		{ .addr = 0x3ff0, .buf = b[1], .len = 32 },        /* into a hole */
		{ .addr = 0x5000, .buf = b[2], .len = 16 },        /* past memory */
		{ .addr = 0xffffff8000002ff8ull, .buf = b[3], .len = 16 },  /* 0x12ff8, 0x13000 */
	};
	uint8_t big[0x3000];
	struct mf_iov one = { .addr = 0x7000, .buf = big, .len = sizeof(big) };
	unsigned calls0;

	memset(b, 0xee, sizeof(b));
	calls0 = m.calls;
	is_int(mf_vat_read(v, &sp_a, iov, 4), 0, "read: batch");
	is_int(iov[0].err, 0, "read across 4K/2M: ok");
	ok(same_bytes(b[0], 0x1fff0, 16) && same_bytes(b[0] + 16, 0x600000, 16),
	   "read across 4K/2M: the bytes of both pages");
	is_int(iov[1].err, MF_ERR_NOTMAPPED, "read into a hole: not mapped");
	is_int(iov[2].err, MF_ERR_UNMAPPED, "read past memory: unmapped");
	is_int(iov[3].err, 0, "read across two kernel pages: ok");
	ok(same_bytes(b[3], 0x12ff8, 16), "read across two kernel pages: bytes");
	ok(m.calls - calls0 <= 6, "read: %u physical calls (4 levels + 1 data + 1 kernel PML4 slot)",
	   m.calls - calls0);

	calls0 = m.calls;
	is_int(mf_vat_read(v, &sp_a, &one, 1), 0, "read 3 contiguous pages");
	is_int(one.err, 0, "read 3 contiguous pages: ok");
	ok(same_bytes(big, 0x17000, sizeof(big)), "read 3 contiguous pages: bytes");
	is_int(m.calls - calls0, 1, "read 3 contiguous pages: one physical call");
	is_int(m.last_n, 1, "read 3 contiguous pages: merged into one piece");

	/* writes */
	for (int i = 0; i < 32; i++)
		w[i] = (uint8_t)(0xa0 + i);
	iov[0] = (struct mf_iov){ .addr = 0x1ffff8, .buf = w, .len = 16 };
	iov[1] = (struct mf_iov){ .addr = 0x3ff8, .buf = w, .len = 16 };
	memset(m.mem + 0x13ff8, 0x55, 8);
	is_int(mf_vat_write(v, NULL, NULL, &sp_a, iov, 2), MF_ERR_READONLY, "write without a writer");
	is_int(mf_vat_write(v, vmem_write, &m, &sp_a, iov, 2), 0, "write: batch");
	is_int(iov[0].err, 0, "write across 4K/2M: ok");
	ok(same_bytes(w, 0x1fff8, 8) && same_bytes(w + 8, 0x600000, 8), "write across 4K/2M: bytes");
	is_int(iov[1].err, MF_ERR_NOTMAPPED, "write into a hole: fails");
	ok(m.mem[0x13ff8] == 0x55 && m.mem[0x13fff] == 0x55, "write into a hole: nothing written");
	mf_vat_free(v);
}

struct rlist {
	struct mf_vat_range r[64];
	size_t n;
};

static int
rlist_cb(void *ctx, const struct mf_vat_range *r)
{
	struct rlist *l = ctx;

	if (l->n < 64)
		l->r[l->n] = *r;
	l->n++;
	return 0;
}

static const struct mf_vat_range x86_64_map[] = {
	{ 0x1000, 0x10000, 0x1000, 0x1000, R_ | U_ | X_ },
	{ 0x2000, 0x12000, 0x1000, 0x1000, R_ | W_ | U_ },
	{ 0x3000, 0x13000, 0x1000, 0x1000, R_ | W_ | X_ },
	{ 0x5000, 0x7ffff000, 0x1000, 0x1000, R_ | W_ | U_ | X_ },
	{ 0x6000, 0x16000, 0x1000, 0x1000, R_ | W_ | U_ | X_ | MF_VAT_GLOBAL | MF_VAT_ACCESSED | MF_VAT_DIRTY },
	{ 0x7000, 0x17000, 0x3000, 0x1000, R_ | W_ | U_ | X_ },
	{ 0xa000, 0x1b000, 0x1000, 0x1000, R_ | W_ | U_ | X_ },
	{ 0x1ff000, 0x1f000, 0x1000, 0x1000, R_ | W_ | U_ | X_ },
	{ 0x200000, 0x600000, 0x200000, 0x200000, R_ | W_ | U_ },
	{ 0x40000000, 0xc0000000, 0x40000000, 0x40000000, R_ | W_ | X_ },
	{ 0x8000000000, 0x11000, 0x1000, 0x1000, R_ | U_ | X_ },
	{ 0x10000000000, 0x11000, 0x1000, 0x1000, R_ | W_ | U_ },
	{ 0x18000000000, 0x11000, 0x1000, 0x1000, R_ | W_ | X_ },
	{ 0xffffff8000001000, 0x10000, 0x1000, 0x1000, R_ | X_ },
	{ 0xffffff8000002000, 0x12000, 0x1000, 0x1000, R_ | W_ },
	{ 0xffffff8000003000, 0x13000, 0x1000, 0x1000, R_ | W_ | X_ },
	{ 0xffffff8000005000, 0x7ffff000, 0x1000, 0x1000, R_ | W_ | X_ },
	{ 0xffffff8000006000, 0x16000, 0x1000, 0x1000, R_ | W_ | X_ | MF_VAT_GLOBAL | MF_VAT_ACCESSED | MF_VAT_DIRTY },
	{ 0xffffff8000007000, 0x17000, 0x3000, 0x1000, R_ | W_ | X_ },
	{ 0xffffff800000a000, 0x1b000, 0x1000, 0x1000, R_ | W_ | X_ },
	{ 0xffffff80001ff000, 0x1f000, 0x1000, 0x1000, R_ | W_ | X_ },
	{ 0xffffff8000200000, 0x600000, 0x200000, 0x200000, R_ | W_ },
	{ 0xffffff8040000000, 0xc0000000, 0x40000000, 0x40000000, R_ | W_ | X_ },
};

static int
range_eq(const struct mf_vat_range *a, const struct mf_vat_range *b)
{
	return a->va == b->va && a->pa == b->pa && a->size == b->size &&
	       a->page_size == b->page_size && a->flags == b->flags;
}

static void
test_page_map(void)
{
	struct mf_vat *v = mf_vat_new(vmem_read, &m);
	struct rlist l = { .n = 0 };
	size_t n = sizeof(x86_64_map) / sizeof(x86_64_map[0]), bad = 0;
	uint64_t vas[8];
	size_t found;

	is_int(mf_vat_page_map(v, &sp_a, 0, 0, rlist_cb, &l), 0, "page map: whole space");
	is_u64(l.n, n, "page map: %zu ranges", n);
	for (size_t i = 0; i < n && i < l.n; i++) {
		if (!range_eq(&l.r[i], &x86_64_map[i])) {
			bad++;
			printf("# range %zu: va 0x%llx pa 0x%llx size 0x%llx ps 0x%llx flags 0x%x\n", i,
			       (unsigned long long)l.r[i].va, (unsigned long long)l.r[i].pa,
			       (unsigned long long)l.r[i].size, (unsigned long long)l.r[i].page_size,
			       l.r[i].flags);
		}
	}
	is_u64(bad, 0, "page map: every range as expected");

	/* clipped: [0x8000, 0x201000) */
	l.n = 0;
	is_int(mf_vat_page_map(v, &sp_a, 0x8000, 0x201000, rlist_cb, &l), 0, "page map: clipped");
	is_u64(l.n, 4, "page map clipped: 4 ranges");
	ok(range_eq(&l.r[0], &(struct mf_vat_range){ 0x8000, 0x18000, 0x2000, 0x1000, R_ | W_ | U_ | X_ }),
	   "page map clipped: first range cut at start");
	ok(range_eq(&l.r[3], &(struct mf_vat_range){ 0x200000, 0x600000, 0x1000, 0x200000, R_ | W_ | U_ }),
	   "page map clipped: 2 MiB page cut at end");
	is_int(mf_vat_page_map(v, &sp_a, 5, 5, rlist_cb, &l), MF_ERR_ARG, "page map: empty range refused");

	is_int(mf_vat_phys_to_virt(v, &sp_a, 0x11234, vas, 8, &found), 0, "phys to virt");
	is_u64(found, 3, "phys to virt: 0x11234 mapped 3 times");
	ok(vas[0] == 0x8000000234ull && vas[1] == 0x10000000234ull && vas[2] == 0x18000000234ull,
	   "phys to virt: the three addresses");
	mf_vat_phys_to_virt(v, &sp_a, 0x10010, vas, 1, &found);
	is_u64(found, 2, "phys to virt: 0x10010 mapped twice");
	is_u64(vas[0], 0x1010, "phys to virt: only max stored");
	mf_vat_phys_to_virt(v, &sp_a, 0x612345, vas, 8, &found);
	ok(found == 2 && vas[0] == 0x212345 && vas[1] == 0xffffff8000212345ull,
	   "phys to virt: inside 2 MiB pages");
	mf_vat_phys_to_virt(v, &sp_a, 0x500000, vas, 8, &found);
	is_u64(found, 0, "phys to virt: unmapped pa");
	mf_vat_free(v);
}

static void
test_walk(void)
{
	struct mf_vat *v = mf_vat_new(vmem_read, &m);
	struct mf_vat_step st[8];
	struct mf_vat_xlat out;
	size_t ns = 8;
	int r;

	r = mf_vat_walk(v, &sp_a, 0x2345, st, &ns, &out);
	is_int(r, 0, "walk: ok");
	is_u64(ns, 4, "walk: 4 steps");
	ok(st[0].level == 0 && st[0].table_pa == PML4 && st[0].index == 0 && st[0].entry_pa == PML4 &&
	   st[0].entry == (PDPT | PWU), "walk: PML4 step");
	ok(st[1].table_pa == PDPT && st[1].entry == (PD | PWU), "walk: PDPT step");
	ok(st[2].table_pa == PD && st[2].entry == (PT | PWU), "walk: PD step");
	ok(st[3].level == 3 && st[3].index == 2 && st[3].entry_pa == PT + 16 &&
	   st[3].entry == (0x12000 | PWU | NX) && st[3].err == 0, "walk: PT step");
	is_u64(out.pa, 0x12345, "walk: pa");
	is_str(mf_vat_level_name(&sp_a, 0), "PML4", "level name 0");
	is_str(mf_vat_level_name(&sp_a, 3), "PT", "level name 3");

	ns = 8;
	r = mf_vat_walk(v, &sp_a, 0x212345, st, &ns, &out);
	ok(r == 0 && ns == 3 && out.page_size == 0x200000 && out.pa == 0x612345, "walk: 2 MiB page, 3 steps");
	ns = 8;
	r = mf_vat_walk(v, &sp_a, 0x4000, st, &ns, &out);
	ok(r == MF_ERR_NOTMAPPED && ns == 4 && st[3].err == MF_ERR_NOTMAPPED && st[3].entry == (0x14000 | W | U),
	   "walk: not present at the PT");
	ns = 8;
	r = mf_vat_walk(v, &sp_a, 0x80000000, st, &ns, &out);
	ok(r == MF_ERR_UNMAPPED && ns == 3 && st[2].table_pa == 0x7fff0000 && st[2].err == MF_ERR_UNMAPPED,
	   "walk: table past memory");
	ns = 2;
	r = mf_vat_walk(v, &sp_a, 0x2345, st, &ns, &out);
	ok(r == 0 && ns == 2 && out.pa == 0x12345, "walk: steps capped at capacity");
	ns = 8;
	r = mf_vat_walk(v, &sp_a, 0x800000000000ull, st, &ns, &out);
	ok(r == MF_ERR_NONCANONICAL && ns == 0, "walk: non-canonical, no steps");
	mf_vat_free(v);
}

static void
test_ttl(void)
{
	struct mf_vat *v = mf_vat_new(vmem_read, &m);
	struct mf_vat_xlat x;

	x = xl(v, &sp_a, 0x1000);
	is_u64(x.pa, 0x10000, "ttl: before");
	put64(&m, PT + 1 * 8, 0x1c000 | P | U);
	x = xl(v, &sp_a, 0x1000);
	is_u64(x.pa, 0x10000, "ttl: cached without ttl");
	mf_vat_invalidate(v);
	x = xl(v, &sp_a, 0x1000);
	is_u64(x.pa, 0x1c000, "invalidate: sees the change");
	put64(&m, PT + 1 * 8, 0x10000 | P | U);
	mf_vat_set_ttl(v, 1);
	{
		struct timespec ts = { 0, 3000000 };
		nanosleep(&ts, NULL);
	}
	x = xl(v, &sp_a, 0x1000);
	is_u64(x.pa, 0x10000, "ttl: expired entries are reread");
	mf_vat_free(v);
}

int
main(void)
{
	build();
	test_cases();
	test_recursive();
	test_hostile();
	test_batch();
	test_rw();
	test_page_map();
	test_walk();
	test_ttl();
	free(m.mem);
	return done_testing();
}
