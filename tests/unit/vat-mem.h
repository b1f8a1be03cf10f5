/* vat-mem.h: a memory buffer that stands for physical memory in the translator tests.
 * Bytes past its size fail with MF_ERR_UNMAPPED; calls and entries are counted. */
#ifndef MF_VAT_MEM_H
#define MF_VAT_MEM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <mftools/vat.h>

struct vmem {
	uint8_t *mem;
	uint64_t size;
	unsigned calls;        /* read calls */
	unsigned wcalls;       /* write calls */
	uint64_t entries;      /* iov entries read */
	size_t last_n;         /* entries of the last call */
};

static int
vmem_rw(struct vmem *m, struct mf_iov *iov, size_t n, int write)
{
	m->last_n = n;
	for (size_t i = 0; i < n; i++) {
		if (iov[i].addr > m->size || iov[i].len > m->size - iov[i].addr) {
			iov[i].err = MF_ERR_UNMAPPED;
			continue;
		}
		if (write)
			memcpy(m->mem + iov[i].addr, iov[i].buf, iov[i].len);
		else
			memcpy(iov[i].buf, m->mem + iov[i].addr, iov[i].len);
		iov[i].err = 0;
	}
	return 0;
}

__attribute__((unused)) static int
vmem_read(void *ctx, struct mf_iov *iov, size_t n)
{
	struct vmem *m = ctx;

	m->calls++;
	m->entries += n;
	return vmem_rw(m, iov, n, 0);
}

__attribute__((unused)) static int
vmem_write(void *ctx, struct mf_iov *iov, size_t n)
{
	struct vmem *m = ctx;

	m->wcalls++;
	return vmem_rw(m, iov, n, 1);
}

__attribute__((unused)) static void
vmem_init(struct vmem *m, uint64_t size)
{
	memset(m, 0, sizeof(*m));
	m->mem = calloc(1, size);
	m->size = size;
	if (m->mem == NULL)
		abort();
}

__attribute__((unused)) static void
put64(struct vmem *m, uint64_t pa, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		m->mem[pa + i] = (uint8_t)(v >> (8 * i));
}

__attribute__((unused)) static void
put32(struct vmem *m, uint64_t pa, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		m->mem[pa + i] = (uint8_t)(v >> (8 * i));
}

/* one translation through a translator */
__attribute__((unused)) static struct mf_vat_xlat
xl(struct mf_vat *v, const struct mf_space *sp, uint64_t va)
{
	struct mf_vat_xlat x = { .va = va };

	mf_vat_translate(v, sp, &x, 1);
	return x;
}

#endif
