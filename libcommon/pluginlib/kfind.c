/* kfind.c: finding a Linux kernel in physical memory (see kfind.h). */
#include "pluginlib/kfind.h"
#include "pluginlib/bytes.h"
#include "pluginlib/vmcoreinfo.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define KFIND_CHUNK ((size_t)1 << 20)
#define KFIND_VMCI_DESC_MAX ((size_t)65536)   /* VMCOREINFO_BYTES is one page (64 KiB granule) */
#define KFIND_START_KERNEL_MAP 0xffffffff80000000ull
#define KFIND_X86_32_PAGE_OFFSET 0xc0000000ull
#define KFIND_PTE_ADDR 0x000ffffffffff000ull
#define KFIND_PTE_P 0x1ull
#define KFIND_PTE_PS 0x80ull

static int
kfind_phys_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct mf_phys *phys = ctx;
	struct mf_iov iov = { .addr = addr, .buf = buf, .len = len };
	int r = phys->read(phys->ctx, &iov, 1);

	return r < 0 ? r : iov.err;
}

void
kfind_src_phys(struct kfind_src *src, const struct mf_phys *phys)
{
	src->ctx = (void *)phys;
	src->read = kfind_phys_read;
	src->nranges = phys->ranges != NULL ? phys->ranges(phys->ctx, &src->ranges) : 0;
	if (src->nranges == 0)
		src->ranges = NULL;
}

/* Is [pa, pa + len) inside one range of the source? */
static bool
kfind_in_ram(const struct kfind_src *src, uint64_t pa, uint64_t len)
{
	size_t i;

	for (i = 0; i < src->nranges; i++)
		if (pa >= src->ranges[i].base && len <= src->ranges[i].size && pa - src->ranges[i].base <= src->ranges[i].size - len)
			return true;
	return false;
}

int
kfind_scan(const struct kfind_src *src, uint64_t from, kfind_chunk_cb hit, void *ctx)
{
	uint8_t *buf = malloc(KFIND_CHUNK);
	uint64_t done = 0;
	size_t i;
	int r = 0;

	if (buf == NULL)
		return MF_ERR_NOMEM;
	for (i = 0; i < src->nranges && r == 0; i++) {
		uint64_t base = src->ranges[i].base, end = base + src->ranges[i].size, pa;

		if (end <= from)
			continue;
		for (pa = base > from ? base : from; pa < end && r == 0 && done < KFIND_SCAN_MAX;) {
			size_t n = end - pa < KFIND_CHUNK ? (size_t)(end - pa) : KFIND_CHUNK;
			int e = src->read(src->ctx, pa, buf, n);

			if (e == 0)
				r = hit(ctx, src, pa, buf, n);
			else if (e != MF_ERR_UNMAPPED)
				r = e;
			done += n;
			if (n <= KFIND_OVERLAP || pa + n >= end)
				break;
			pa += n - KFIND_OVERLAP;
		}
	}
	free(buf);
	return r;
}

/* ---- VMCOREINFO ---- */

struct kfind_vmci {
	char *text;
	uint64_t pa;
};

static int
kfind_vmci_try(struct kfind_vmci *f, const struct kfind_src *src, uint64_t name_pa)
{
	uint8_t hdr[12];
	uint32_t descsz;
	char *desc;

	if (name_pa < 12 || src->read(src->ctx, name_pa - 12, hdr, sizeof hdr) < 0)
		return 0;
	descsz = get_le32(hdr + 4);
	if (get_le32(hdr) != 11 || get_le32(hdr + 8) != 0 || descsz < 32 || descsz > KFIND_VMCI_DESC_MAX)
		return 0;
	if ((desc = malloc(descsz)) == NULL)
		return MF_ERR_NOMEM;
	if (src->read(src->ctx, name_pa + 12, desc, descsz) < 0 || memcmp(desc, "OSRELEASE=", 10) != 0) {
		free(desc);
		return 0;
	}
	f->text = vmci_dup(desc, descsz);
	free(desc);
	if (f->text == NULL)
		return MF_ERR_NOMEM;
	if (strstr(f->text, "\nPAGESIZE=") == NULL) {
		free(f->text);
		f->text = NULL;
		return 0;
	}
	f->pa = name_pa - 12;
	return 1;
}

static int
kfind_vmci_chunk(void *ctx, const struct kfind_src *src, uint64_t pa, const uint8_t *b, size_t n)
{
	static const char name[12] = "VMCOREINFO\0";
	const uint8_t *p = b, *end = b + n;

	while ((p = memchr(p, 'V', (size_t)(end - p))) != NULL) {
		if ((size_t)(end - p) >= sizeof name && memcmp(p, name, sizeof name) == 0) {
			int r = kfind_vmci_try(ctx, src, pa + (uint64_t)(p - b));

			if (r != 0)
				return r;
		}
		p++;
	}
	return 0;
}

char *
kfind_vmcoreinfo(const struct kfind_src *src, uint64_t *pa, int *err)
{
	struct kfind_vmci f = { NULL, 0 };
	int r = kfind_scan(src, 0, kfind_vmci_chunk, &f);

	if (r <= 0) {
		free(f.text);
		*err = r < 0 ? r : MF_ERR_NOTFOUND;
		return NULL;
	}
	*pa = f.pa;
	*err = 0;
	return f.text;
}

/* ---- the address space from VMCOREINFO ---- */

int
kfind_space_vmci(const char *vmci, struct mf_space *sp)
{
	uint64_t sym, v;

	if (sp->arch == MF_ARCH_UNKNOWN)
		sp->arch = vmci_arch(vmci);
	switch (sp->arch) {
	case MF_ARCH_X86_64:
	case MF_ARCH_X86_64_LA57:
		if (vmci_symbol(vmci, "init_top_pgt", &sym) < 0 || sym < KFIND_START_KERNEL_MAP)
			return MF_ERR_NOTFOUND;
		if (vmci_la57(vmci))
			sp->arch = MF_ARCH_X86_64_LA57;
		/* NUMBER(phys_base) (signed); a kdump header's own value is not trusted */
		if (vmci_phys_base(vmci, &v) < 0)
			v = 0;
		sp->root = (sym - KFIND_START_KERNEL_MAP + v) & ~0xfffull;
		return 0;
	case MF_ARCH_X86_32:
	case MF_ARCH_X86_PAE:
		if (vmci_symbol(vmci, "swapper_pg_dir", &sym) < 0 || sym < KFIND_X86_32_PAGE_OFFSET || sym >= 1ull << 32)
			return MF_ERR_NOTFOUND;
		sp->root = sym - KFIND_X86_32_PAGE_OFFSET;
		return 0;
	case MF_ARCH_AARCH64:
		if (vmci_symbol(vmci, "swapper_pg_dir", &sym) < 0 || vmci_number(vmci, "kimage_voffset", &v) < 0 || sym < v)
			return MF_ERR_NOTFOUND;
		sp->root = sp->root_hi = sym - v;
		if (vmci_number(vmci, "TCR_EL1_T1SZ", &v) == 0 && v >= 12 && v <= 39)
			sp->va_bits = (uint32_t)(64 - v);
		else if (vmci_number(vmci, "VA_BITS", &v) == 0 && v >= 25 && v <= 48)
			sp->va_bits = (uint32_t)v;
		if (vmci_pagesize(vmci, &v) == 0 && (v == 4096 || v == 16384 || v == 65536))
			sp->granule = (uint32_t)v;
		return 0;
	default:
		return MF_ERR_NOTFOUND;
	}
}

/* ---- the banner ---- */

struct kfind_ban {
	char *out;
	size_t outsz;
	uint64_t pa;
};

/* "Linux version R (" with R a release of [0-9A-Za-z.+_~-], then printable up to '\n'. */
static size_t
kfind_banner_len(const uint8_t *p, size_t avail)
{
	size_t i = 14, rel;

	for (rel = i; i < avail && i < 100; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      strchr(".+_~-", p[i]) != NULL) || p[i] == '\0')
			break;
	if (i == rel || p[rel] < '0' || p[rel] > '9' || i + 2 > avail || p[i] != ' ' || p[i + 1] != '(')
		return 0;
	for (; i < avail && i < 512; i++) {
		if (p[i] == '\n')
			return i;
		if (p[i] < 0x20 || p[i] > 0x7e)
			return 0;
	}
	return 0;
}

static int
kfind_ban_chunk(void *ctx, const struct kfind_src *src, uint64_t pa, const uint8_t *b, size_t n)
{
	struct kfind_ban *f = ctx;
	const uint8_t *p = b, *end = b + n;

	(void)src;
	while ((p = memchr(p, 'L', (size_t)(end - p))) != NULL) {
		size_t avail = (size_t)(end - p), len;

		if (avail >= 14 && memcmp(p, "Linux version ", 14) == 0 && (len = kfind_banner_len(p, avail)) > 0) {
			if (len >= f->outsz)
				len = f->outsz - 1;
			memcpy(f->out, p, len);
			f->out[len] = '\0';
			f->pa = pa + (uint64_t)(p - b);
			return 1;
		}
		p++;
	}
	return 0;
}

int
kfind_banner(const struct kfind_src *src, uint64_t *pa, char *out, size_t outsz)
{
	struct kfind_ban f = { out, outsz, 0 };
	int r = kfind_scan(src, *pa, kfind_ban_chunk, &f);

	if (r < 0)
		return r;
	if (r == 0)
		return MF_ERR_NOTFOUND;
	*pa = f.pa;
	return 0;
}

/* ---- an x86-64 top-level table mapping the kernel image ---- */

struct kfind_root {
	uint64_t image_pa;
	uint64_t root;
	uint64_t va;
};

static int
kfind_entry(const struct kfind_src *src, uint64_t table, unsigned idx, uint64_t *e)
{
	uint8_t b[8];

	if (!kfind_in_ram(src, table, 4096) || src->read(src->ctx, table + idx * 8u, b, 8) < 0)
		return MF_ERR_NOTFOUND;
	*e = get_le64(b);
	return (*e & KFIND_PTE_P) ? 0 : MF_ERR_NOTFOUND;
}

/* Does the kernel text mapping under this PML4 entry map image_pa?  Its VA in *va. */
static bool
kfind_maps_image(const struct kfind_src *src, uint64_t pml4e, uint64_t image_pa, uint64_t *va)
{
	uint64_t pdpte, pd = 0, e;
	unsigned j;

	if ((pml4e & KFIND_PTE_PS) || kfind_entry(src, pml4e & KFIND_PTE_ADDR, 510, &pdpte) < 0 || (pdpte & KFIND_PTE_PS))
		return false;
	pd = pdpte & KFIND_PTE_ADDR;
	for (j = 0; j < 512; j++) {
		if (kfind_entry(src, pd, j, &e) < 0)
			continue;
		if (e & KFIND_PTE_PS) {
			if ((e & 0x000fffffffe00000ull) == (image_pa & ~0x1fffffull)) {
				*va = KFIND_START_KERNEL_MAP + ((uint64_t)j << 21) + (image_pa & 0x1fffff);
				return true;
			}
		} else {
			uint64_t pte;

			if (kfind_entry(src, e & KFIND_PTE_ADDR, (unsigned)((image_pa >> 12) & 511), &pte) == 0 &&
			    (pte & KFIND_PTE_ADDR) == (image_pa & ~0xfffull) &&
			    ((image_pa >> 12) & 511) == (((KFIND_START_KERNEL_MAP >> 12) + j * 512u) & 511)) {
				*va = KFIND_START_KERNEL_MAP + ((uint64_t)j << 21) + (image_pa & 0x1fffff);
				return true;
			}
		}
	}
	return false;
}

static int
kfind_root_chunk(void *ctx, const struct kfind_src *src, uint64_t pa, const uint8_t *b, size_t n)
{
	struct kfind_root *f = ctx;
	size_t off = (size_t)((4096 - (pa & 0xfff)) & 0xfff);

	for (; off + 4096 <= n; off += 4096) {
		uint64_t e = get_le64(b + off + 4088), va;

		/* a kernel PML4's last entry: present, writable, a table (not huge) */
		if ((e & 0x83) != 0x03 || (e >> 52) != 0 || !kfind_in_ram(src, e & KFIND_PTE_ADDR, 4096))
			continue;
		if (kfind_maps_image(src, e, f->image_pa, &va)) {
			f->root = pa + off;
			f->va = va;
			return 1;
		}
	}
	return 0;
}

int
kfind_x86_64_root(const struct kfind_src *src, uint64_t image_pa, struct mf_space *sp, uint64_t *va)
{
	struct kfind_root f = { image_pa, 0, 0 };
	int r = kfind_scan(src, 0, kfind_root_chunk, &f);

	if (r < 0)
		return r;
	if (r == 0)
		return MF_ERR_NOTFOUND;
	memset(sp, 0, sizeof *sp);
	sp->arch = MF_ARCH_X86_64;
	sp->root = f.root;
	*va = f.va;
	return 0;
}
