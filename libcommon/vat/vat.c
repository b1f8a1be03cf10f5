/* vat.c: batched virtual address translation: page-table formats, the TLB, the table
 * cache, batched translation and single-address walks.
 *
 * The formats, in brief (our summary of the architecture manuals):
 * - x86 32-bit: CR3 -> page directory (1024 x 4-byte entries, VA 31:22) -> page table (VA
 *   21:12).  P bit 0, R/W bit 1, U/S bit 2, A 5, D 6, PS bit 7 in a PDE maps 4 MiB (PA 31:22
 *   from the entry, PA 39:32 from entry bits 20:13 with PSE-36), G bit 8.  No NX.
 * - PAE: CR3 (32-byte aligned) -> 4 PDPTEs (VA 31:30; only P and the address matter) ->
 *   PD (VA 29:21; PS maps 2 MiB) -> PT (VA 20:12).  8-byte entries, address bits 51:12,
 *   NX bit 63.
 * - x86-64: PML4 (VA 47:39) -> PDPT (38:30; PS maps 1 GiB) -> PD (29:21; PS maps 2 MiB) ->
 *   PT; LA57 adds PML5 (VA 56:48).  PS is reserved in PML4/PML5 entries.  Addresses must
 *   be sign-extended from bit 47 (56).
 * - AArch64 stage 1: granule 4/16/64 KiB, 8-byte descriptors, (granule shift - 3) VA bits
 *   per level, the top level takes what is left of the VA size.  Bit 0 valid; bit 1 set =
 *   table (or page at level 3), clear = block where the granule allows one (4 KiB: levels
 *   1 and 2; 16 KiB and 64 KiB: level 2).  Output address bits 47:granule (64 KiB: PA 51:48
 *   in bits 15:12).  Leaf AP[2] bit 7 read-only, AP[1] bit 6 EL0 access, AF 10, nG 11, PXN
 *   53, UXN 54; tables: PXNTable 59, UXNTable 60, APTable 62:61 (bit 62 no writes, bit 61 no
 *   EL0).  TTBR0 translates the VAs whose bits 63:va_bits are 0, TTBR1 those where they are
 *   all 1; ASID (TTBR 63:48) and CnP (bit 0) are not part of the address.
 * - RISC-V Sv39/Sv48: 3/4 levels of 512 8-byte PTEs, V bit 0, R 1, W 2, X 3, U 4, G 5, A 6,
 *   D 7, PPN bits 53:10.  R|W|X = 0: pointer to the next table; else a leaf at any level,
 *   whose PPN must be aligned to its size.  W without R is reserved.
 */
#include "vat-int.h"

#include <endian.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const vat_names_x86_32[] = { "PD", "PT" };
static const char *const vat_names_pae[] = { "PDPT", "PD", "PT" };
static const char *const vat_names_x86_64[] = { "PML4", "PDPT", "PD", "PT" };
static const char *const vat_names_la57[] = { "PML5", "PML4", "PDPT", "PD", "PT" };
static const char *const vat_names_arm[] = { "L0", "L1", "L2", "L3" };
static const char *const vat_names_rv[] = { "L3", "L2", "L1", "L0" };

static void
vat_levels(struct vat_fmt *f, unsigned n, unsigned gshift, unsigned per, unsigned va_bits)
{
	f->nlevels = n;
	f->gshift = gshift;
	f->va_bits = va_bits;
	for (unsigned l = 0; l < n; l++) {
		f->shift[l] = gshift + per * (n - 1 - l);
		f->bits[l] = per;
	}
	f->bits[0] = va_bits - f->shift[0];
}

int
vatint_fmt(const struct mf_space *sp, struct vat_fmt *f)
{
	memset(f, 0, sizeof(*f));
	if (sp == NULL)
		return MF_ERR_ARG;
	f->arch = sp->arch;
	f->esize = 8;
	switch (sp->arch) {
	case MF_ARCH_X86_32:
		f->esize = 4;
		vat_levels(f, 2, 12, 10, 32);
		f->root[0] = sp->root & 0xfffff000u;
		break;
	case MF_ARCH_X86_PAE:
		vat_levels(f, 3, 12, 9, 32);
		f->root[0] = sp->root & 0xffffffe0u;
		break;
	case MF_ARCH_X86_64:
		vat_levels(f, 4, 12, 9, 48);
		f->sext = 48;
		f->root[0] = sp->root & 0x000ffffffffff000ull;
		break;
	case MF_ARCH_X86_64_LA57:
		vat_levels(f, 5, 12, 9, 57);
		f->sext = 57;
		f->root[0] = sp->root & 0x000ffffffffff000ull;
		break;
	case MF_ARCH_RISCV_SV39:
		vat_levels(f, 3, 12, 9, 39);
		f->sext = 39;
		f->root[0] = sp->root & 0x00fffffffffff000ull;
		break;
	case MF_ARCH_RISCV_SV48:
		vat_levels(f, 4, 12, 9, 48);
		f->sext = 48;
		f->root[0] = sp->root & 0x00fffffffffff000ull;
		break;
	case MF_ARCH_AARCH64: {
		unsigned g = sp->granule ? sp->granule : 4096;
		unsigned gs = g == 4096 ? 12 : g == 16384 ? 14 : g == 65536 ? 16 : 0;
		unsigned vb = sp->va_bits ? sp->va_bits : 48;
		unsigned per, n;
		uint64_t tsize, mask;

		if (gs == 0)
			return MF_ERR_ARG;
		/* 52-bit VAs with 4/16 KiB granules need the LPA2 descriptor format */
		if (vb < 25 || vb > (gs == 16 ? 52u : 48u))
			return MF_ERR_UNSUPPORTED;
		per = gs - 3;
		n = (vb - gs + per - 1) / per;
		vat_levels(f, n, gs, per, vb);
		f->hwlevel0 = 4 - n;
		tsize = 8ull << f->bits[0];
		if (tsize < 64)
			tsize = 64;
		mask = 0x0000fffffffffffeull & ~(tsize - 1);
		f->root[0] = sp->root & mask;
		f->root[1] = sp->root_hi & mask;
		f->has_hi = sp->root_hi != 0;
		break;
	}
	default:
		return MF_ERR_ARG;
	}
	f->id = f->arch | (uint32_t)f->va_bits << 8 | (uint32_t)f->gshift << 16;
	return 0;
}

MF_API const char *
mf_vat_level_name(const struct mf_space *sp, unsigned level)
{
	struct vat_fmt f;

	if (vatint_fmt(sp, &f) < 0 || level >= f.nlevels)
		return "?";
	switch (f.arch) {
	case MF_ARCH_X86_32: return vat_names_x86_32[level];
	case MF_ARCH_X86_PAE: return vat_names_pae[level];
	case MF_ARCH_X86_64: return vat_names_x86_64[level];
	case MF_ARCH_X86_64_LA57: return vat_names_la57[level];
	case MF_ARCH_AARCH64: return vat_names_arm[f.hwlevel0 + level];
	default: return vat_names_rv[4 - f.nlevels + level];
	}
}

int
vatint_root(const struct vat_fmt *f, uint64_t va, uint64_t *root)
{
	if (f->arch == MF_ARCH_AARCH64) {
		uint64_t top = va >> f->va_bits;

		if (top == 0) {
			*root = f->root[0];
			return 0;
		}
		if (top != (~0ull >> f->va_bits))
			return MF_ERR_NONCANONICAL;
		if (!f->has_hi)
			return MF_ERR_NOTMAPPED;
		*root = f->root[1];
		return 0;
	}
	if (f->sext) {
		unsigned s = 64 - f->sext;

		if ((uint64_t)((int64_t)(va << s) >> s) != va)
			return MF_ERR_NONCANONICAL;
	} else if (va >> f->va_bits) {
		return MF_ERR_NONCANONICAL;
	}
	*root = f->root[0];
	return 0;
}

uint64_t
vatint_load(const struct vat_fmt *f, const uint8_t *p)
{
	if (f->esize == 4) {
		uint32_t e;

		memcpy(&e, p, 4);
		return le32toh(e);
	} else {
		uint64_t e;

		memcpy(&e, p, 8);
		return le64toh(e);
	}
}

static uint32_t
vat_final_flags(uint32_t deny, uint32_t flags)
{
	if (!(deny & VAT_D_W))
		flags |= MF_VAT_W;
	if (!(deny & VAT_D_U))
		flags |= MF_VAT_U;
	if (!(deny & ((flags & MF_VAT_U) ? VAT_D_XU : VAT_D_XK)))
		flags |= MF_VAT_X;
	return flags;
}

static int
vat_decode_x86(const struct vat_fmt *f, struct vat_ws *w, uint64_t e)
{
	unsigned l = w->level, last = f->nlevels - 1;
	uint64_t addr;

	if (!(e & 1))
		return MF_ERR_NOTMAPPED;
	if (f->arch == MF_ARCH_X86_PAE && l == 0) {
		/* PDPTEs carry no access rights */
		w->table = e & 0x000ffffffffff000ull;
		w->level++;
		return 0;
	}
	if (!(e & 2))
		w->deny |= VAT_D_W;
	if (!(e & 4))
		w->deny |= VAT_D_U;
	if (f->esize == 8 && (e >> 63))
		w->deny |= VAT_D_XU | VAT_D_XK;
	if (l < last && (e & 0x80)) {
		/* PS: a large page where the format has one, else a reserved bit */
		if (l + 3 < f->nlevels && f->arch != MF_ARCH_X86_32)
			return MF_ERR_NOTMAPPED;    /* PML4 / PML5 */
	} else if (l < last) {
		w->table = f->esize == 4 ? (e & 0xfffff000u) : (e & 0x000ffffffffff000ull);
		w->level++;
		return 0;
	}
	w->psize = 1ull << f->shift[l];
	if (f->esize == 4) {
		if (l == last)
			addr = e & 0xfffff000u;
		else
			addr = (e & 0xffc00000u) | ((e >> 13) & 0xff) << 32;   /* PSE-36 */
	} else {
		addr = e & 0x000ffffffffff000ull & ~(w->psize - 1);
	}
	w->pa = addr;
	w->flags = MF_VAT_R;
	if (e & 0x100)
		w->flags |= MF_VAT_GLOBAL;
	if (e & 0x20)
		w->flags |= MF_VAT_ACCESSED;
	if (e & 0x40)
		w->flags |= MF_VAT_DIRTY;
	return 1;
}

static int
vat_decode_arm(const struct vat_fmt *f, struct vat_ws *w, uint64_t e)
{
	unsigned hw = f->hwlevel0 + w->level;
	uint64_t addr = e & 0x0000ffffffffffffull;

	if (!(e & 1))
		return MF_ERR_NOTMAPPED;
	if (f->gshift == 16)
		addr |= ((e >> 12) & 0xf) << 48;     /* 52-bit output addresses (FEAT_LPA) */
	if (hw < 3 && (e & 2)) {
		w->table = addr & ~((1ull << f->gshift) - 1);
		if (e & (1ull << 62))
			w->deny |= VAT_D_W;
		if (e & (1ull << 61))
			w->deny |= VAT_D_U;
		if (e & (1ull << 60))
			w->deny |= VAT_D_XU;
		if (e & (1ull << 59))
			w->deny |= VAT_D_XK;
		w->level++;
		return 0;
	}
	if (hw == 3) {
		if (!(e & 2))
			return MF_ERR_NOTMAPPED;          /* reserved at level 3 */
	} else if (!(hw == 2 || (hw == 1 && f->gshift == 12))) {
		return MF_ERR_NOTMAPPED;              /* no block at this level */
	}
	w->psize = 1ull << f->shift[w->level];
	w->pa = addr & ~(w->psize - 1);
	if (e & 0x80)
		w->deny |= VAT_D_W;
	if (!(e & 0x40))
		w->deny |= VAT_D_U;
	else if (!(e & 0x80))
		w->deny |= VAT_D_XK;                  /* EL0-writable: never kernel-executable */
	if (e & (1ull << 53))
		w->deny |= VAT_D_XK;
	if (e & (1ull << 54))
		w->deny |= VAT_D_XU;
	w->flags = MF_VAT_R;
	if (!(e & 0x800))
		w->flags |= MF_VAT_GLOBAL;
	if (e & 0x400)
		w->flags |= MF_VAT_ACCESSED;
	return 1;
}

static int
vat_decode_rv(const struct vat_fmt *f, struct vat_ws *w, uint64_t e)
{
	unsigned l = w->level;
	uint64_t addr = ((e >> 10) & ((1ull << 44) - 1)) << 12;

	if (!(e & 1) || (e & 6) == 4)
		return MF_ERR_NOTMAPPED;
	if (e & 0x20)
		w->deny |= VAT_G_ANY;
	if (!(e & 0xa)) {
		if (l == f->nlevels - 1)
			return MF_ERR_NOTMAPPED;
		w->table = addr;
		w->level++;
		return 0;
	}
	w->psize = 1ull << f->shift[l];
	if (addr & (w->psize - 1))
		return MF_ERR_NOTMAPPED;              /* misaligned superpage */
	w->pa = addr;
	w->flags = 0;
	if (e & 2)
		w->flags |= MF_VAT_R;
	if (!(e & 4))
		w->deny |= VAT_D_W;
	if (!(e & 8))
		w->deny |= VAT_D_XU | VAT_D_XK;
	if (!(e & 0x10))
		w->deny |= VAT_D_U;
	if (w->deny & VAT_G_ANY)
		w->flags |= MF_VAT_GLOBAL;
	if (e & 0x40)
		w->flags |= MF_VAT_ACCESSED;
	if (e & 0x80)
		w->flags |= MF_VAT_DIRTY;
	return 1;
}

int
vatint_decode(const struct vat_fmt *f, struct vat_ws *w, uint64_t e)
{
	int r;

	switch (f->arch) {
	case MF_ARCH_AARCH64: r = vat_decode_arm(f, w, e); break;
	case MF_ARCH_RISCV_SV39:
	case MF_ARCH_RISCV_SV48: r = vat_decode_rv(f, w, e); break;
	default: r = vat_decode_x86(f, w, e); break;
	}
	if (r == 1)
		w->flags = vat_final_flags(w->deny, w->flags);
	return r;
}

/* ---- translator, clock, physical calls ----------------------------------------------- */

void
vatint_clock(struct mf_vat *v)
{
	struct timespec ts;

	v->fatal = 0;
	if (v->ttl == 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	v->now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
vat_fresh(const struct mf_vat *v, uint64_t stamp)
{
	return v->ttl == 0 || v->now - stamp < v->ttl;
}

int
vatint_phys(struct mf_vat *v, mf_vat_phys_fn fn, void *ctx, struct mf_iov *iov, size_t n)
{
	int r;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		iov[i].err = 0;
	v->calls++;
	r = fn(ctx, iov, n);
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			iov[i].err = r;
		if (v->fatal == 0)
			v->fatal = r;
	}
	return r;
}

MF_API struct mf_vat *
mf_vat_new(mf_vat_phys_fn read, void *ctx)
{
	struct mf_vat *v;

	if (read == NULL)
		return NULL;
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return NULL;
	v->read = read;
	v->ctx = ctx;
	v->walk_limit = VAT_WALK_LIMIT;
	v->tlb = calloc(VAT_TLB_SIZE, sizeof(*v->tlb));
	v->cmeta = calloc(VAT_CACHE_SETS * VAT_CACHE_WAYS, sizeof(*v->cmeta));
	v->cdata = malloc((size_t)VAT_CACHE_SETS * VAT_CACHE_WAYS * VAT_PAGE);
	v->ws = calloc(VAT_CHUNK, sizeof(*v->ws));
	v->req = calloc(VAT_CHUNK, sizeof(*v->req));
	v->iov = calloc(VAT_CHUNK, sizeof(*v->iov));
	v->pieces = calloc(VAT_CHUNK, sizeof(*v->pieces));
	v->px = calloc(VAT_CHUNK, sizeof(*v->px));
	v->piov = calloc(VAT_CHUNK, sizeof(*v->piov));
	v->pidx = calloc(VAT_CHUNK, sizeof(*v->pidx));
	if (!v->tlb || !v->cmeta || !v->cdata || !v->ws || !v->req || !v->iov || !v->pieces ||
	    !v->px || !v->piov || !v->pidx) {
		mf_vat_free(v);
		return NULL;
	}
	return v;
}

MF_API void
mf_vat_free(struct mf_vat *v)
{
	if (v == NULL)
		return;
	free(v->tlb);
	free(v->cmeta);
	free(v->cdata);
	free(v->ws);
	free(v->req);
	free(v->iov);
	free(v->pieces);
	free(v->px);
	free(v->piov);
	free(v->pidx);
	free(v->mapbuf);
	free(v);
}

MF_API void
mf_vat_invalidate(struct mf_vat *v)
{
	memset(v->tlb, 0, VAT_TLB_SIZE * sizeof(*v->tlb));
	memset(v->cmeta, 0, VAT_CACHE_SETS * VAT_CACHE_WAYS * sizeof(*v->cmeta));
}

MF_API void
mf_vat_set_ttl(struct mf_vat *v, unsigned ms)
{
	v->ttl = ms;
	/* stamps taken while the clock was off are 0: let them expire at once */
	vatint_clock(v);
}

MF_API void
mf_vat_set_walk_limit(struct mf_vat *v, uint64_t tables)
{
	v->walk_limit = tables ? tables : VAT_WALK_LIMIT;
}

MF_API size_t
mf_vat_memory(const struct mf_vat *v)
{
	size_t m = sizeof(*v);

	m += VAT_TLB_SIZE * sizeof(*v->tlb);
	m += (size_t)VAT_CACHE_SETS * VAT_CACHE_WAYS * (sizeof(*v->cmeta) + VAT_PAGE);
	m += VAT_CHUNK * (sizeof(*v->ws) + sizeof(*v->req) + sizeof(*v->iov) +
	                  sizeof(*v->pieces) + sizeof(*v->px) + sizeof(*v->piov) + sizeof(*v->pidx));
	if (v->mapbuf)
		m += (size_t)VAT_MAXLEVELS * VAT_MAPBUF;
	return m;
}

MF_API uint64_t
mf_vat_phys_calls(const struct mf_vat *v)
{
	return v->calls;
}

/* ---- TLB and table cache ------------------------------------------------------------ */

static inline uint64_t
vat_mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ull;
	x ^= x >> 29;
	return x;
}

static inline struct vat_tlbe *
vat_tlb_slot(struct mf_vat *v, const struct vat_fmt *f, uint64_t root, uint64_t va)
{
	return &v->tlb[vat_mix(root ^ f->id ^ (va >> 12) * 0x100000001b3ull) & (VAT_TLB_SIZE - 1)];
}

static int
vat_tlb_get(struct mf_vat *v, const struct vat_fmt *f, uint64_t root, struct mf_vat_xlat *x)
{
	struct vat_tlbe *t = vat_tlb_slot(v, f, root, x->va);

	if (t->id != f->id || t->root != root || x->va - t->va >= t->size || !vat_fresh(v, t->stamp))
		return 0;
	x->pa = t->pa + (x->va - t->va);
	x->page_size = t->size;
	x->flags = t->flags;
	x->err = 0;
	return 1;
}

static void
vat_tlb_put(struct mf_vat *v, const struct vat_fmt *f, const struct vat_ws *w)
{
	struct vat_tlbe *t = vat_tlb_slot(v, f, w->root, w->va);

	t->id = f->id;
	t->root = w->root;
	t->va = w->va & ~(w->psize - 1);
	t->pa = w->pa;
	t->size = w->psize;
	t->flags = w->flags;
	t->stamp = v->now;
}

static inline struct vat_cslot *
vat_cache_set(struct mf_vat *v, uint64_t pa)
{
	return &v->cmeta[(vat_mix(pa >> 12) & (VAT_CACHE_SETS - 1)) * VAT_CACHE_WAYS];
}

/* The slot holding (or being read for) table page pa, or NULL. */
static inline struct vat_cslot *
vat_cache_find(struct mf_vat *v, uint64_t pa)
{
	struct vat_cslot *s = vat_cache_set(v, pa);

	for (unsigned i = 0; i < VAT_CACHE_WAYS; i++) {
		if (s[i].state != 0 && s[i].pa == pa) {
			if (s[i].state == 1 && !vat_fresh(v, s[i].stamp)) {
				s[i].state = 0;
				return NULL;
			}
			return &s[i];
		}
	}
	return NULL;
}

/* A slot to read pa into: an empty one, else the least recently used; never one that
 * is pending in this round.  NULL when the whole set is pending. */
static struct vat_cslot *
vat_cache_alloc(struct mf_vat *v, uint64_t pa)
{
	struct vat_cslot *s = vat_cache_set(v, pa), *best = NULL;

	for (unsigned i = 0; i < VAT_CACHE_WAYS; i++) {
		if (s[i].state == 2)
			continue;
		if (s[i].state == 0)
			return &s[i];
		if (best == NULL || (int32_t)(s[i].lru - best->lru) < 0)
			best = &s[i];
	}
	return best;
}

static inline const uint8_t *
vat_slot_data(struct mf_vat *v, const struct vat_cslot *s)
{
	return v->cdata + (size_t)(s - v->cmeta) * VAT_PAGE;
}

static inline uint64_t
vat_entry_pa(const struct vat_fmt *f, const struct vat_ws *w)
{
	unsigned l = w->level;
	uint64_t idx = (w->va >> f->shift[l]) & ((1ull << f->bits[l]) - 1);

	return w->table + idx * f->esize;
}

static void
vat_finish(struct mf_vat *v, const struct vat_fmt *f, struct vat_ws *w, int r)
{
	w->state = VAT_WS_DONE;
	if (r < 0) {
		w->err = r;
		return;
	}
	w->err = 0;
	vat_tlb_put(v, f, w);
}

/* Decode the entry of w from a table page; leaves w running, waiting or done. */
static inline void
vat_step(struct mf_vat *v, const struct vat_fmt *f, struct vat_ws *w, const uint8_t *page)
{
	uint64_t epa = vat_entry_pa(f, w);
	int r = vatint_decode(f, w, vatint_load(f, page + (epa & (VAT_PAGE - 1))));

	if (r != 0)
		vat_finish(v, f, w, r);
}

int
vatint_xlate(struct mf_vat *v, const struct vat_fmt *f, struct mf_vat_xlat *x, size_t n)
{
	struct vat_ws *ws = v->ws;
	size_t pending = 0;

	for (size_t i = 0; i < n; i++) {
		struct vat_ws *w = &ws[i];
		int r;

		w->state = VAT_WS_DONE;
		w->va = x[i].va;
		r = vatint_root(f, w->va, &w->root);
		if (r < 0) {
			w->err = r;
			continue;
		}
		if (vat_tlb_get(v, f, w->root, &x[i])) {
			w->err = -1000;     /* marker: x[i] already filled */
			continue;
		}
		w->table = w->root;
		w->level = 0;
		w->deny = 0;
		w->flags = 0;
		w->state = VAT_WS_RUN;
		pending++;
	}

	for (unsigned round = 0; pending > 0; round++) {
		size_t nreq = 0;

		if (round >= VAT_MAX_ROUNDS) {
			for (size_t i = 0; i < n; i++)
				if (ws[i].state != VAT_WS_DONE)
					vat_finish(v, f, &ws[i], MF_ERR_LIMIT);
			break;
		}
		/* the reads of the last round, before any slot is reused */
		for (size_t i = 0; i < n; i++) {
			struct vat_ws *w = &ws[i];
			const struct vat_req *q;

			if (w->state != VAT_WS_WAIT)
				continue;
			q = &v->req[w->req];
			w->state = VAT_WS_RUN;
			if (q->err < 0)
				vat_finish(v, f, w, q->err);
			else
				vat_step(v, f, w, vat_slot_data(v, &v->cmeta[q->slot]));
		}
		/* Walk down through cached tables one level per pass, all addresses at a
		 * time: the first loop finds each entry's table page and prefetches the
		 * entry, the second decodes it, so the memory loads of different addresses
		 * overlap.  Missing pages are requested for the one read of this round. */
		for (;;) {
			uint64_t lastpage = 1;         /* never a page address */
			struct vat_cslot *last = NULL;
			size_t advanced = 0;

			for (size_t i = 0; i < n; i++) {
				struct vat_ws *w = &ws[i];
				uint64_t epa, page;
				struct vat_cslot *s;

				if (w->state != VAT_WS_RUN)
					continue;
				epa = vat_entry_pa(f, w);
				page = epa & ~(uint64_t)(VAT_PAGE - 1);
				if (page != lastpage) {
					last = vat_cache_find(v, page);
					lastpage = page;
				}
				s = last;
				w->slot = s ? (uint32_t)(s - v->cmeta) : UINT32_MAX;
				if (s != NULL && s->state == 1)
					__builtin_prefetch(vat_slot_data(v, s) + (epa & (VAT_PAGE - 1)));
			}
			for (size_t i = 0; i < n; i++) {
				struct vat_ws *w = &ws[i];
				uint64_t page;
				struct vat_cslot *s;

				if (w->state != VAT_WS_RUN)
					continue;
				page = vat_entry_pa(f, w) & ~(uint64_t)(VAT_PAGE - 1);
				s = w->slot == UINT32_MAX ? NULL : &v->cmeta[w->slot];
				if (s != NULL && (s->state == 0 || s->pa != page))
					s = vat_cache_find(v, page);   /* reused by a request since */
				if (s != NULL && s->state == 1) {
					s->lru = ++v->lru_clock;
					vat_step(v, f, w, vat_slot_data(v, s));
					advanced++;
					continue;
				}
				if (s == NULL) {
					s = vat_cache_alloc(v, page);
					if (s == NULL)
						continue;        /* the set is busy: next round */
					s->state = 2;
					s->pa = page;
					s->req = (uint32_t)nreq;
					s->lru = ++v->lru_clock;
					v->req[nreq].pa = page;
					v->req[nreq].slot = (uint32_t)(s - v->cmeta);
					v->req[nreq].err = 0;
					v->iov[nreq].addr = page;
					v->iov[nreq].buf = v->cdata + (size_t)(s - v->cmeta) * VAT_PAGE;
					v->iov[nreq].len = VAT_PAGE;
					nreq++;
				}
				w->req = s->req;
				w->state = VAT_WS_WAIT;
			}
			if (advanced == 0)
				break;
		}
		if (nreq > 0) {
			vatint_phys(v, v->read, v->ctx, v->iov, nreq);
			for (size_t k = 0; k < nreq; k++) {
				struct vat_cslot *s = &v->cmeta[v->req[k].slot];

				v->req[k].err = v->iov[k].err;
				s->state = v->iov[k].err < 0 ? 0 : 1;
				s->stamp = v->now;
			}
		}
		pending = 0;
		for (size_t i = 0; i < n; i++)
			if (ws[i].state != VAT_WS_DONE)
				pending++;
	}

	for (size_t i = 0; i < n; i++) {
		struct vat_ws *w = &ws[i];

		if (w->err == -1000)
			continue;
		x[i].err = w->err;
		if (w->err < 0) {
			x[i].pa = 0;
			x[i].page_size = 0;
			x[i].flags = 0;
		} else {
			x[i].pa = w->pa + (w->va & (w->psize - 1));
			x[i].page_size = w->psize;
			x[i].flags = w->flags;
		}
	}
	return v->fatal;
}

MF_API int
mf_vat_translate(struct mf_vat *v, const struct mf_space *sp, struct mf_vat_xlat *x, size_t n)
{
	struct vat_fmt f;
	int r, fatal = 0;

	if (v == NULL || (x == NULL && n > 0))
		return MF_ERR_ARG;
	r = vatint_fmt(sp, &f);
	if (r < 0)
		return r;
	vatint_clock(v);
	for (size_t i = 0; i < n; i += VAT_CHUNK) {
		size_t m = n - i < VAT_CHUNK ? n - i : VAT_CHUNK;

		r = vatint_xlate(v, &f, x + i, m);
		if (r < 0 && fatal == 0)
			fatal = r;
	}
	return fatal;
}

/* ---- one address, level by level ---------------------------------------------------- */

MF_API int
mf_vat_walk(struct mf_vat *v, const struct mf_space *sp, uint64_t va,
            struct mf_vat_step *steps, size_t *nsteps, struct mf_vat_xlat *out)
{
	struct vat_fmt f;
	struct vat_ws w;
	size_t cap = nsteps ? *nsteps : 0, ns = 0;
	struct mf_vat_xlat tmp;
	int r;

	if (out == NULL)
		out = &tmp;
	memset(out, 0, sizeof(*out));
	out->va = va;
	if (nsteps)
		*nsteps = 0;
	if (v == NULL || (steps == NULL && cap > 0))
		return MF_ERR_ARG;
	r = vatint_fmt(sp, &f);
	if (r < 0)
		return r;
	vatint_clock(v);
	memset(&w, 0, sizeof(w));
	w.va = va;
	r = vatint_root(&f, va, &w.root);
	if (r < 0) {
		out->err = r;
		return r;
	}
	w.table = w.root;
	for (;;) {
		uint64_t epa = vat_entry_pa(&f, &w), page = epa & ~(uint64_t)(VAT_PAGE - 1);
		struct vat_cslot *s = vat_cache_find(v, page);
		struct mf_vat_step st;
		uint64_t e;

		if (s == NULL || s->state != 1) {
			s = vat_cache_alloc(v, page);    /* nothing is pending outside a batch */
			if (s == NULL)
				return out->err = MF_ERR_LIMIT;
			v->iov[0].addr = page;
			v->iov[0].buf = v->cdata + (size_t)(s - v->cmeta) * VAT_PAGE;
			v->iov[0].len = VAT_PAGE;
			vatint_phys(v, v->read, v->ctx, v->iov, 1);
			s->pa = page;
			s->stamp = v->now;
			s->state = v->iov[0].err < 0 ? 0 : 1;
		}
		s->lru = ++v->lru_clock;
		st.level = w.level;
		st.table_pa = w.table;
		st.index = (unsigned)((va >> f.shift[w.level]) & ((1ull << f.bits[w.level]) - 1));
		st.entry_pa = epa;
		st.entry = 0;
		st.err = 0;
		if (s->state != 1) {
			r = v->iov[0].err;
		} else {
			e = vatint_load(&f, vat_slot_data(v, s) + (epa & (VAT_PAGE - 1)));
			st.entry = e;
			r = vatint_decode(&f, &w, e);
		}
		if (r < 0)
			st.err = r;
		if (ns < cap)
			steps[ns] = st;
		ns++;
		if (r != 0)
			break;
	}
	if (nsteps)
		*nsteps = ns < cap ? ns : cap;
	if (r < 0) {
		out->err = r;
		return r;
	}
	vat_tlb_put(v, &f, &w);
	out->pa = w.pa + (va & (w.psize - 1));
	out->page_size = w.psize;
	out->flags = w.flags;
	return 0;
}
