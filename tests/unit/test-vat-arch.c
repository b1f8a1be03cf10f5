/* test-vat-arch.c: the translator on hand-built tables of every other format: x86 32-bit
 * (PSE, PSE-36), PAE, x86-64 LA57, AArch64 (4/16/64 KiB granules, TTBR0/TTBR1, blocks,
 * AP/APTable, UXN/PXN), RISC-V Sv39/Sv48.  Expected results written out by hand from the
 * manuals' descriptions of the entry formats. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mftools/mf.h>
#include <mftools/vat.h>

#include "tap.h"
#include "vat-mem.h"

#define mf_countof(a) (sizeof(a) / sizeof((a)[0]))

#define R_  MF_VAT_R
#define W_  MF_VAT_W
#define U_  MF_VAT_U
#define X_  MF_VAT_X
#define G_  MF_VAT_GLOBAL
#define A_  MF_VAT_ACCESSED
#define D_  MF_VAT_DIRTY
#define PAT 0x1000u     /* bit 12 of a large-page entry: PAT, not an address bit */

struct expect {
	uint64_t va, pa, size;
	uint32_t flags;
	int err;
};

static struct vmem m;

static void
check(const char *what, const struct mf_space *sp, const struct expect *e, size_t n)
{
	struct mf_vat *v = mf_vat_new(vmem_read, &m);
	struct mf_vat_xlat x[64];

	for (size_t i = 0; i < n; i++)
		x[i].va = e[i].va;
	is_int(mf_vat_translate(v, sp, x, n), 0, "%s: batch", what);
	for (size_t i = 0; i < n; i++) {
		struct mf_vat_xlat w;
		size_t ns = 0;

		/* the single-address walk must agree with the batch */
		mf_vat_walk(v, sp, e[i].va, NULL, &ns, &w);
		is_int(x[i].err, e[i].err, "%s 0x%llx: error", what, (unsigned long long)e[i].va);
		ok(w.err == x[i].err && w.pa == x[i].pa && w.flags == x[i].flags,
		   "%s 0x%llx: walk agrees", what, (unsigned long long)e[i].va);
		if (e[i].err != 0)
			continue;
		is_u64(x[i].pa, e[i].pa, "%s 0x%llx: pa", what, (unsigned long long)e[i].va);
		is_u64(x[i].page_size, e[i].size, "%s 0x%llx: page size", what, (unsigned long long)e[i].va);
		is_u64(x[i].flags, e[i].flags, "%s 0x%llx: flags", what, (unsigned long long)e[i].va);
	}
	mf_vat_free(v);
}

struct rlist {
	struct mf_vat_range r[32];
	size_t n;
};

static int
rlist_cb(void *ctx, const struct mf_vat_range *r)
{
	struct rlist *l = ctx;

	if (l->n < 32)
		l->r[l->n] = *r;
	l->n++;
	return 0;
}

static void
check_map(const char *what, const struct mf_space *sp, const struct mf_vat_range *want, size_t n)
{
	struct mf_vat *v = mf_vat_new(vmem_read, &m);
	struct rlist l = { .n = 0 };
	size_t bad = 0;

	is_int(mf_vat_page_map(v, sp, 0, 0, rlist_cb, &l), 0, "%s: page map", what);
	is_u64(l.n, n, "%s: page map has %zu ranges", what, n);
	for (size_t i = 0; i < n && i < l.n; i++) {
		if (l.r[i].va != want[i].va || l.r[i].pa != want[i].pa || l.r[i].size != want[i].size ||
		    l.r[i].page_size != want[i].page_size || l.r[i].flags != want[i].flags) {
			bad++;
			printf("# %s range %zu: va 0x%llx pa 0x%llx size 0x%llx ps 0x%llx flags 0x%x\n", what, i,
			       (unsigned long long)l.r[i].va, (unsigned long long)l.r[i].pa,
			       (unsigned long long)l.r[i].size, (unsigned long long)l.r[i].page_size,
			       l.r[i].flags);
		}
	}
	is_u64(bad, 0, "%s: page map ranges as expected", what);
	mf_vat_free(v);
}

/* ---- x86 32-bit: 4-byte entries, PD -> PT, PS = 4 MiB, PSE-36 ---------------------- */

static void
test_x86_32(void)
{
	const struct mf_space sp = { .arch = MF_ARCH_X86_32, .root = 0x1000 };
	static const struct expect e[] = {
		{ 0x1234, 0x5234, 0x1000, R_ | W_ | U_ | X_ | G_, 0 },
		{ 0x2000, 0x6000, 0x1000, R_ | X_, 0 },
		{ 0x3000, 0, 0, 0, MF_ERR_NOTMAPPED },
		{ 0x412345, 0xc12345, 0x400000, R_ | W_ | X_ | A_ | D_, 0 },
		{ 0x801234, 0x301001234ull, 0x400000, R_ | W_ | U_ | X_, 0 },
		{ 0xc01000, 0x5000, 0x1000, R_ | U_ | X_ | G_, 0 },
		{ 0xffc00000, 0, 0, 0, MF_ERR_NOTMAPPED },
		{ 0x100000000ull, 0, 0, 0, MF_ERR_NONCANONICAL },
	};
	static const struct mf_vat_range map[] = {
		{ 0x1000, 0x5000, 0x1000, 0x1000, R_ | W_ | U_ | X_ | G_ },
		{ 0x2000, 0x6000, 0x1000, 0x1000, R_ | X_ },
		{ 0x400000, 0xc00000, 0x400000, 0x400000, R_ | W_ | X_ | A_ | D_ },
		{ 0x800000, 0x301000000ull, 0x400000, 0x400000, R_ | W_ | U_ | X_ },
		{ 0xc01000, 0x5000, 0x1000, 0x1000, R_ | U_ | X_ | G_ },
		{ 0xc02000, 0x6000, 0x1000, 0x1000, R_ | X_ },
	};

	memset(m.mem, 0, m.size);
	put32(&m, 0x1000 + 0 * 4, 0x2000 | 7);
	put32(&m, 0x1000 + 1 * 4, 0x00c00000 | PAT | 0x80 | 0x60 | 3);    /* 4 MiB, supervisor, A D */
	put32(&m, 0x1000 + 2 * 4, 0x01000000 | 3u << 13 | PAT | 0x80 | 7); /* PSE-36: PA 39:32 = 3 */
	put32(&m, 0x1000 + 3 * 4, 0x2000 | 5);                            /* read-only at the PD */
	put32(&m, 0x2000 + 1 * 4, 0x5000 | 0x100 | 7);                    /* global */
	put32(&m, 0x2000 + 2 * 4, 0x6000 | 1);                            /* supervisor, read-only */
	put32(&m, 0x2000 + 3 * 4, 0x7000 | 6);                            /* not present */
	check("x86", &sp, e, mf_countof(e));
	check_map("x86", &sp, map, mf_countof(map));
	is_str(mf_vat_level_name(&sp, 0), "PD", "x86: level 0 is the PD");
}

/* ---- PAE: 4 PDPTEs (32-byte aligned, no access rights) -> PD -> PT, NX bit 63 ------- */

static void
test_pae(void)
{
	const struct mf_space sp = { .arch = MF_ARCH_X86_PAE, .root = 0x1020 };
	const uint64_t NX = 1ull << 63;
	static const struct expect e[] = {
		{ 0x5678, 0x123456789678ull, 0x1000, R_ | W_ | X_, 0 },
		{ 0x201234, 0x601234, 0x200000, R_ | W_ | U_, 0 },
		{ 0x40000000, 0, 0, 0, MF_ERR_NOTMAPPED },
		{ 0xffe05000, 0x123456789000ull, 0x1000, R_ | X_, 0 },
		{ 0xffe06000, 0, 0, 0, MF_ERR_NOTMAPPED },
		{ 0x100000000ull, 0, 0, 0, MF_ERR_NONCANONICAL },
	};
	struct mf_vat *v = mf_vat_new(vmem_read, &m);
	struct mf_vat_step st[4];
	size_t ns = 4;

	memset(m.mem, 0, m.size);
	put64(&m, 0x1020 + 0 * 8, 0x2000 | 1);               /* PDPTE: present only */
	put64(&m, 0x1020 + 3 * 8, 0x3000 | 1);
	put64(&m, 0x2000 + 0 * 8, 0x4000 | 7);
	put64(&m, 0x2000 + 1 * 8, 0x600000 | PAT | 0x80 | 7 | NX);
	put64(&m, 0x4000 + 5 * 8, 0x123456789000ull | 3);   /* supervisor, 45-bit PA */
	put64(&m, 0x3000 + 511 * 8, 0x4000 | 5);             /* read-only at the PD */
	check("pae", &sp, e, mf_countof(e));
	ok(mf_vat_walk(v, &sp, 0xffe05000, st, &ns, NULL) == 0 && ns == 3 && st[0].table_pa == 0x1020 &&
	   st[0].index == 3 && st[0].entry_pa == 0x1038 && st[1].index == 511 && st[2].index == 5,
	   "pae: walk steps from the 32-byte aligned PDPT");
	is_str(mf_vat_level_name(&sp, 0), "PDPT", "pae: level 0 is the PDPT");
	mf_vat_free(v);
}

/* ---- x86-64 LA57: PML5 -> PML4 -> PDPT -> PD -> PT, 57-bit canonical --------------- */

static void
test_la57(void)
{
	const struct mf_space sp = { .arch = MF_ARCH_X86_64_LA57, .root = 0x1000 };
	static const struct expect e[] = {
		{ 0x1000000003abcull, 0x9abc, 0x1000, R_ | W_ | U_ | X_, 0 },
		{ 0x1000040000123ull, 0x40000123, 0x40000000, R_ | W_ | U_ | X_, 0 },
		{ 0xffff000000003000ull, 0x9000, 0x1000, R_ | W_ | X_, 0 },
		{ 0x800000000000ull, 0, 0, 0, MF_ERR_NOTMAPPED },      /* canonical with 57 bits */
		{ 0x2000000000000ull, 0, 0, 0, MF_ERR_NOTMAPPED },     /* PS in a PML5E: reserved */
		{ 0x0100000000000000ull, 0, 0, 0, MF_ERR_NONCANONICAL },
		{ 0xfeff000000000000ull, 0, 0, 0, MF_ERR_NONCANONICAL },
	};

	memset(m.mem, 0, m.size);
	put64(&m, 0x1000 + 1 * 8, 0x2000 | 7);
	put64(&m, 0x1000 + 2 * 8, 0x2000 | 0x80 | 7);
	put64(&m, 0x1000 + 511 * 8, 0x2000 | 3);
	put64(&m, 0x2000, 0x3000 | 7);
	put64(&m, 0x3000, 0x4000 | 7);
	put64(&m, 0x3000 + 8, 0x40000000 | PAT | 0x80 | 7);
	put64(&m, 0x4000, 0x5000 | 7);
	put64(&m, 0x5000 + 3 * 8, 0x9000 | 7);
	check("la57", &sp, e, mf_countof(e));
	is_str(mf_vat_level_name(&sp, 0), "PML5", "la57: level 0 is the PML5");
}

/* ---- AArch64 ------------------------------------------------------------------------ */

#define AV     0x1ull            /* valid */
#define AT     0x3ull            /* table / page */
#define AF     0x400ull
#define AP1    0x40ull           /* EL0 access */
#define AP2    0x80ull           /* read-only */
#define NG     0x800ull
#define PXN    (1ull << 53)
#define UXN    (1ull << 54)
#define PXNT   (1ull << 59)
#define UXNT   (1ull << 60)
#define APT0   (1ull << 61)      /* no EL0 below */
#define APT1   (1ull << 62)      /* no writes below */

static void
test_arm4k(void)
{
	const struct mf_space sp = { .arch = MF_ARCH_AARCH64, .va_bits = 48, .granule = 4096,
		.root = 0x1000 | 0x42ull << 48 | 1 /* ASID, CnP */, .root_hi = 0x7000 | 0x7ull << 48 };
	const struct mf_space sp_lo = { .arch = MF_ARCH_AARCH64, .root = 0x1000 };
	const struct mf_space sp39 = { .arch = MF_ARCH_AARCH64, .va_bits = 39, .root = 0x2000,
		.root_hi = 0x8000 };
	static const struct expect e[] = {
		{ 0x1abc, 0x9abc, 0x1000, R_ | W_ | U_ | A_, 0 },
		{ 0x2000, 0xa000, 0x1000, R_ | W_ | A_ | G_, 0 },
		{ 0x3000, 0, 0, 0, MF_ERR_NOTMAPPED },                  /* bit 1 clear at level 3 */
		{ 0x212345, 0x612345, 0x200000, R_ | X_ | A_ | G_, 0 },
		{ 0x400010, 0xc010, 0x1000, R_ | U_ | A_ | G_, 0 },   /* APTable[1], UXNTable */
		{ 0x600010, 0xd010, 0x1000, R_ | X_ | A_ | G_, 0 },   /* APTable[0] */
		{ 0x40001234, 0x40001234, 0x40000000, R_ | W_ | U_ | X_ | A_ | G_, 0 },
		{ 0x8000000000ull, 0, 0, 0, MF_ERR_NOTMAPPED },        /* no block at level 0 */
		{ 0xffffffffc0000042ull, 0x80000042, 0x40000000, R_ | W_ | X_ | A_ | G_, 0 },
		{ 0xffff000000000000ull, 0, 0, 0, MF_ERR_NOTMAPPED },
		{ 0x0001000000000000ull, 0, 0, 0, MF_ERR_NONCANONICAL },
		{ 0x00ff000000001000ull, 0, 0, 0, MF_ERR_NONCANONICAL },
	};
	static const struct expect e_lo[] = {
		{ 0x1abc, 0x9abc, 0x1000, R_ | W_ | U_ | A_, 0 },
		{ 0xffffffffc0000042ull, 0, 0, 0, MF_ERR_NOTMAPPED },  /* no TTBR1 */
	};
	static const struct expect e39[] = {
		{ 0x1abc, 0x9abc, 0x1000, R_ | W_ | U_ | A_, 0 },
		{ 0x8000000000ull, 0, 0, 0, MF_ERR_NONCANONICAL },
		{ 0xffffffffc0000042ull, 0x80000042, 0x40000000, R_ | W_ | X_ | A_ | G_, 0 },
	};
	static const struct mf_vat_range map[] = {
		{ 0x1000, 0x9000, 0x1000, 0x1000, R_ | W_ | U_ | A_ },
		{ 0x2000, 0xa000, 0x1000, 0x1000, R_ | W_ | A_ | G_ },
		{ 0x200000, 0x600000, 0x200000, 0x200000, R_ | X_ | A_ | G_ },
		{ 0x400000, 0xc000, 0x1000, 0x1000, R_ | U_ | A_ | G_ },
		{ 0x600000, 0xd000, 0x1000, 0x1000, R_ | X_ | A_ | G_ },
		{ 0x40000000, 0x40000000, 0x40000000, 0x40000000, R_ | W_ | U_ | X_ | A_ | G_ },
		{ 0xffffffffc0000000ull, 0x80000000, 0x40000000, 0x40000000, R_ | W_ | X_ | A_ | G_ },
	};

	memset(m.mem, 0, m.size);
	put64(&m, 0x1000 + 0 * 8, 0x2000 | AT);                        /* L0 */
	put64(&m, 0x1000 + 1 * 8, 0x8000000000ull | AV | AF);         /* block at L0: invalid */
	put64(&m, 0x2000 + 0 * 8, 0x3000 | AT);                        /* L1 */
	put64(&m, 0x2000 + 1 * 8, 0x40000000 | AV | AF | AP1);        /* 1 GiB, EL0 RW */
	put64(&m, 0x3000 + 0 * 8, 0x4000 | AT);                        /* L2 */
	put64(&m, 0x3000 + 1 * 8, 0x600000 | AV | AF | AP2 | UXN);    /* 2 MiB kernel RO */
	put64(&m, 0x3000 + 2 * 8, 0x5000 | AT | APT1 | UXNT);
	put64(&m, 0x3000 + 3 * 8, 0x6000 | AT | APT0);
	put64(&m, 0x4000 + 1 * 8, 0x9000 | AT | AF | AP1 | NG | UXN); /* L3: user RW, no exec */
	put64(&m, 0x4000 + 2 * 8, 0xa000 | AT | AF | PXN);            /* kernel RW no exec */
	put64(&m, 0x4000 + 3 * 8, 0xb000 | AV | AF);                  /* reserved at L3 */
	put64(&m, 0x5000, 0xc000 | AT | AF | AP1);                    /* user RW page below APT1 */
	put64(&m, 0x6000, 0xd000 | AT | AF | AP1 | AP2);              /* user RO page below APT0 */
	put64(&m, 0x7000 + 511 * 8, 0x8000 | AT);                      /* TTBR1 L0 */
	put64(&m, 0x8000 + 511 * 8, 0x80000000 | AV | AF);            /* L1 1 GiB kernel */
	check("arm 4k/48", &sp, e, mf_countof(e));
	check("arm 4k ttbr0 only", &sp_lo, e_lo, mf_countof(e_lo));
	check("arm 4k/39", &sp39, e39, mf_countof(e39));
	check_map("arm 4k/48", &sp, map, mf_countof(map));
	is_str(mf_vat_level_name(&sp, 0), "L0", "arm 4k/48: top is L0");
	is_str(mf_vat_level_name(&sp39, 0), "L1", "arm 4k/39: top is L1");
}

static void
test_arm16k64k(void)
{
	const struct mf_space sp16 = { .arch = MF_ARCH_AARCH64, .va_bits = 47, .granule = 16384,
		.root = 0x10000 };
	const struct mf_space sp16_48 = { .arch = MF_ARCH_AARCH64, .va_bits = 48, .granule = 16384,
		.root = 0x1c000 };
	const struct mf_space sp64 = { .arch = MF_ARCH_AARCH64, .va_bits = 42, .granule = 65536,
		.root = 0x40000 };
	const struct mf_space sp64_52 = { .arch = MF_ARCH_AARCH64, .va_bits = 52, .granule = 65536,
		.root = 0x30000 };
	static const struct expect e16[] = {
		{ 0x4abc, 0x20abc, 0x4000, R_ | W_ | X_ | A_ | G_, 0 },
		{ 0x1ffc010, 0x24010, 0x4000, R_ | W_ | X_ | A_ | G_, 0 },
		{ 0x2345678, 0x4345678, 0x2000000, R_ | W_ | X_ | A_ | G_, 0 },
		{ 0x1000000000ull, 0, 0, 0, MF_ERR_NOTMAPPED },        /* no block at L1 with 16K */
		{ 0x800000000000ull, 0, 0, 0, MF_ERR_NONCANONICAL },
	};
	static const struct expect e16_48[] = {
		{ 0x4abc, 0x20abc, 0x4000, R_ | W_ | X_ | A_ | G_, 0 },
		{ 0x800000000000ull, 0, 0, 0, MF_ERR_NOTMAPPED },      /* L0 entry 1 */
	};
	static const struct expect e64[] = {
		{ 0x1abcd, 0x7abcd, 0x10000, R_ | W_ | X_ | A_ | G_, 0 },
		{ 0x1fff1234, 0x81234, 0x10000, R_ | W_ | X_ | A_ | G_, 0 },
		{ 0x21234567, 0x21234567, 0x20000000, R_ | W_ | X_ | A_ | G_, 0 },
		{ 0x40000000, 0, 0, 0, MF_ERR_NOTMAPPED },
		{ 0x40000000000ull, 0, 0, 0, MF_ERR_NONCANONICAL },
	};
	static const struct expect e64_52[] = {
		{ 0x1abcd, 0x7abcd, 0x10000, R_ | W_ | X_ | A_ | G_, 0 },
		{ 0x8000000000000ull, 0, 0, 0, MF_ERR_NOTMAPPED },
		{ 0x10000000000000ull, 0, 0, 0, MF_ERR_NONCANONICAL },
	};
	struct mf_vat *v = mf_vat_new(vmem_read, &m);
	struct mf_vat_xlat x = { .va = 0x1000 };
	struct mf_space bad = sp64;

	memset(m.mem, 0, m.size);
	put64(&m, 0x10000 + 0 * 8, 0x14000 | AT);                     /* L1 (16K tables) */
	put64(&m, 0x10000 + 1 * 8, 0x1000000000ull | AV | AF);       /* L1 block: not with 16K */
	put64(&m, 0x14000 + 0 * 8, 0x18000 | AT);                     /* L2 */
	put64(&m, 0x14000 + 1 * 8, 0x4000000 | AV | AF);             /* 32 MiB block */
	put64(&m, 0x18000 + 1 * 8, 0x20000 | AT | AF);
	put64(&m, 0x18000 + 2047 * 8, 0x24000 | AT | AF);             /* the table's last 4 KiB */
	put64(&m, 0x1c000 + 0 * 8, 0x10000 | AT);                     /* 16K/48: L0 has 2 entries */
	put64(&m, 0x40000 + 0 * 8, 0x50000 | AT);                     /* L2 (64K tables) */
	put64(&m, 0x40000 + 1 * 8, 0x20000000 | AV | AF);            /* 512 MiB block */
	put64(&m, 0x50000 + 1 * 8, 0x70000 | AT | AF);
	put64(&m, 0x50000 + 8191 * 8, 0x80000 | AT | AF);
	put64(&m, 0x30000 + 0 * 8, 0x40000 | AT);                     /* 64K/52: L1 -> the L2 */
	check("arm 16k/47", &sp16, e16, mf_countof(e16));
	check("arm 16k/48", &sp16_48, e16_48, mf_countof(e16_48));
	check("arm 64k/42", &sp64, e64, mf_countof(e64));
	check("arm 64k/52", &sp64_52, e64_52, mf_countof(e64_52));

	bad.granule = 8192;
	is_int(mf_vat_translate(v, &bad, &x, 1), MF_ERR_ARG, "arm: 8 KiB granule refused");
	bad.granule = 4096;
	bad.va_bits = 52;
	is_int(mf_vat_translate(v, &bad, &x, 1), MF_ERR_UNSUPPORTED, "arm: 52-bit VA with 4K (LPA2) unsupported");
	bad.arch = 99;
	is_int(mf_vat_translate(v, &bad, &x, 1), MF_ERR_ARG, "unknown arch refused");
	mf_vat_free(v);
}

/* ---- RISC-V -------------------------------------------------------------------------- */

#define RV(pa) (((uint64_t)(pa) >> 12) << 10)
#define RVV 0x1
#define RVR 0x2
#define RVW 0x4
#define RVX 0x8
#define RVU 0x10
#define RVG 0x20
#define RVA 0x40
#define RVD 0x80

static void
test_riscv(void)
{
	const struct mf_space sv39 = { .arch = MF_ARCH_RISCV_SV39, .root = 0x1000 };
	const struct mf_space sv48 = { .arch = MF_ARCH_RISCV_SV48, .root = 0x7000 };
	static const struct expect e39[] = {
		{ 0x1234, 0x5234, 0x1000, R_ | W_ | U_ | A_ | D_, 0 },
		{ 0x2000, 0x6000, 0x1000, X_, 0 },                        /* execute-only */
		{ 0x3000, 0, 0, 0, MF_ERR_NOTMAPPED },                    /* pointer at the last level */
		{ 0x212345, 0x212345, 0x200000, R_ | U_, 0 },
		{ 0x40001234, 0x40001234, 0x40000000, R_ | W_ | X_ | A_ | D_, 0 },
		{ 0x80000000, 0, 0, 0, MF_ERR_NOTMAPPED },                /* misaligned superpage */
		{ 0xc0000000, 0, 0, 0, MF_ERR_NOTMAPPED },                /* W without R */
		{ 0xffffffc000001000ull, 0x5000, 0x1000, R_ | W_ | U_ | A_ | D_ | G_, 0 },
		{ 0x4000000000ull, 0, 0, 0, MF_ERR_NONCANONICAL },
	};
	static const struct expect e48[] = {
		{ 0x1234, 0x5234, 0x1000, R_ | W_ | U_ | A_ | D_, 0 },
		{ 0x40001234, 0x40001234, 0x40000000, R_ | W_ | X_ | A_ | D_, 0 },
		{ 0x8000000000ull, 0, 0, 0, MF_ERR_NOTMAPPED },
		{ 0x800000000000ull, 0, 0, 0, MF_ERR_NONCANONICAL },
	};
	static const struct mf_vat_range map39[] = {
		{ 0x1000, 0x5000, 0x1000, 0x1000, R_ | W_ | U_ | A_ | D_ },
		{ 0x2000, 0x6000, 0x1000, 0x1000, X_ },
		{ 0x200000, 0x200000, 0x200000, 0x200000, R_ | U_ },
		{ 0x40000000, 0x40000000, 0x40000000, 0x40000000, R_ | W_ | X_ | A_ | D_ },
		{ 0xffffffc000001000ull, 0x5000, 0x1000, 0x1000, R_ | W_ | U_ | A_ | D_ | G_ },
		{ 0xffffffc000002000ull, 0x6000, 0x1000, 0x1000, X_ | G_ },
		{ 0xffffffc000200000ull, 0x200000, 0x200000, 0x200000, R_ | U_ | G_ },
	};

	memset(m.mem, 0, m.size);
	put64(&m, 0x1000 + 0 * 8, RV(0x2000) | RVV);
	put64(&m, 0x1000 + 1 * 8, RV(0x40000000) | RVV | RVR | RVW | RVX | RVA | RVD);
	put64(&m, 0x1000 + 2 * 8, RV(0x40200000) | RVV | RVR);
	put64(&m, 0x1000 + 3 * 8, RV(0x50000000) | RVV | RVW);
	put64(&m, 0x1000 + 256 * 8, RV(0x2000) | RVV | RVG);
	put64(&m, 0x2000 + 0 * 8, RV(0x3000) | RVV);
	put64(&m, 0x2000 + 1 * 8, RV(0x200000) | RVV | RVR | RVU);
	put64(&m, 0x3000 + 1 * 8, RV(0x5000) | RVV | RVR | RVW | RVU | RVA | RVD);
	put64(&m, 0x3000 + 2 * 8, RV(0x6000) | RVV | RVX);
	put64(&m, 0x3000 + 3 * 8, RV(0x4000) | RVV);
	put64(&m, 0x7000 + 0 * 8, RV(0x1000) | RVV);
	check("sv39", &sv39, e39, mf_countof(e39));
	check("sv48", &sv48, e48, mf_countof(e48));
	check_map("sv39", &sv39, map39, mf_countof(map39));
	is_str(mf_vat_level_name(&sv39, 0), "L2", "sv39: top is level 2");
}

int
main(void)
{
	vmem_init(&m, 0x100000);
	test_x86_32();
	test_pae();
	test_la57();
	test_arm4k();
	test_arm16k64k();
	test_riscv();
	free(m.mem);
	return done_testing();
}
