/* elfcore.c: building an ELF64 core: notes, PT_LOAD segments that grow while contiguous,
 * program headers (PN_XNUM for many) and the header, written last. */
#include "config.h"
#include "snapshot-int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ELF_EHDR 64u
#define ELF_PHDR 56u
#define ELF_SHDR 64u
#define ELF_PN_XNUM 0xffffu

uint16_t
snap_elf_machine(uint32_t arch)
{
	switch (arch) {
	case MF_ARCH_X86_32:
	case MF_ARCH_X86_PAE:
		return 3;      /* EM_386 */
	case MF_ARCH_AARCH64:
		return 183;    /* EM_AARCH64 */
	case MF_ARCH_RISCV_SV39:
	case MF_ARCH_RISCV_SV48:
		return 243;    /* EM_RISCV */
	default:
		return 62;     /* EM_X86_64 */
	}
}

int
snap_elf_note(struct snap_elf *e, const char *name, uint32_t type, const void *desc, size_t n)
{
	size_t need, pos = e->notes_len;
	uint8_t *p;

	if (n > UINT32_MAX - 8) {
		snprintf(e->f->err, MF_ERRBUF_SIZE, "note %s too large", name);
		return -1;
	}
	need = snap_note_size(name, n);
	if ((p = realloc(e->notes, pos + need)) == NULL) {
		snprintf(e->f->err, MF_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	e->notes = p;
	snap_note_put(p + pos, name, type, desc, n);
	e->notes_len += need;
	return 0;
}

int
snap_elf_begin(struct snap_elf *e)
{
	if (e->ph_reserve > (1u << 20))
		e->ph_reserve = 1u << 20;
	e->notes_off = ELF_EHDR + (uint64_t)e->ph_reserve * ELF_PHDR;
	if (e->notes_len > 0 && snap_pwrite(e->f, e->notes, e->notes_len, e->notes_off) < 0)
		return -1;
	e->notes_written = e->notes_len;
	e->data_off = (e->notes_off + e->notes_len + e->notes_room + SNAP_PAGE - 1) & ~(uint64_t)(SNAP_PAGE - 1);
	return 0;
}

/* A new open segment at vaddr/paddr whose data starts at the next file offset; NULL with the
 * message in e->f->err. */
static struct snap_elf_seg *
snap_elf_newseg(struct snap_elf *e, uint64_t vaddr, uint64_t paddr, uint32_t flags)
{
	struct snap_elf_seg *n;

	if (e->nseg == e->segcap) {
		size_t cap = e->segcap ? e->segcap * 2 : 64;
		struct snap_elf_seg *s;

		if (cap > (1u << 24) || (s = realloc(e->seg, cap * sizeof *s)) == NULL) {
			snprintf(e->f->err, MF_ERRBUF_SIZE, cap > (1u << 24) ? "too many ELF segments" : "out of memory");
			return NULL;
		}
		e->seg = s;
		e->segcap = cap;
	}
	n = &e->seg[e->nseg++];
	*n = (struct snap_elf_seg){ .vaddr = vaddr, .paddr = paddr, .offset = e->data_off, .flags = flags };
	e->open = true;
	return n;
}

int
snap_elf_add(struct snap_elf *e, uint64_t vaddr, uint64_t paddr, const uint8_t *p, size_t n, uint32_t flags)
{
	struct snap_elf_seg *s = e->nseg ? &e->seg[e->nseg - 1] : NULL;

	if (n == 0)
		return 0;
	if (!(e->open && s != NULL && s->vaddr + s->memsz == vaddr && s->paddr + s->memsz == paddr &&
	      s->filesz == s->memsz && s->offset + s->filesz == e->data_off && s->flags == flags) &&
	    (s = snap_elf_newseg(e, vaddr, paddr, flags)) == NULL)
		return -1;
	if (snap_pwrite_sparse(e->f, p, n, e->data_off) < 0)
		return -1;
	s->filesz += n;
	s->memsz += n;
	e->data_off += n;
	return 0;
}

int
snap_elf_add_empty(struct snap_elf *e, uint64_t vaddr, uint64_t paddr, uint64_t memsz, uint32_t flags)
{
	struct snap_elf_seg *s = e->nseg ? &e->seg[e->nseg - 1] : NULL;

	if (e->open && s != NULL && s->filesz == 0 && s->vaddr + s->memsz == vaddr && s->paddr + s->memsz == paddr &&
	    s->flags == flags) {
		s->memsz += memsz;
		return 0;
	}
	if ((s = snap_elf_newseg(e, vaddr, paddr, flags)) == NULL)
		return -1;
	s->memsz = memsz;
	return 0;
}

void
snap_elf_close_seg(struct snap_elf *e)
{
	e->open = false;
}

int
snap_elf_finish(struct snap_elf *e)
{
	uint64_t phnum = e->nseg + 1, phoff = (e->data_off + 7) & ~7ull, shoff = 0;
	size_t tsize = (size_t)phnum * ELF_PHDR, i;
	uint8_t *ph, eh[ELF_EHDR] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	int r;

	if (e->notes_len > e->notes_written) {
		/* notes added while dumping, into the room left for them */
		if (e->notes_len - e->notes_written > e->notes_room) {
			snprintf(e->f->err, MF_ERRBUF_SIZE, "ELF notes outgrew their room (%zu bytes)", e->notes_room);
			return -1;
		}
		if (snap_pwrite(e->f, e->notes, e->notes_len, e->notes_off) < 0)
			return -1;
		e->notes_written = e->notes_len;
	}
	if ((ph = calloc(1, tsize + ELF_SHDR)) == NULL) {
		snprintf(e->f->err, MF_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	/* PT_NOTE first, as QEMU and the kernel write it */
	put_le32(ph + 0, 4);
	put_le64(ph + 8, e->notes_off);
	put_le64(ph + 32, e->notes_len);
	put_le64(ph + 40, e->notes_len);
	put_le64(ph + 48, 4);
	for (i = 0; i < e->nseg; i++) {
		uint8_t *p = ph + (i + 1) * ELF_PHDR;
		const struct snap_elf_seg *s = &e->seg[i];

		put_le32(p + 0, 1);   /* PT_LOAD */
		put_le32(p + 4, s->flags);
		put_le64(p + 8, s->offset);
		put_le64(p + 16, s->vaddr);
		put_le64(p + 24, s->paddr);
		put_le64(p + 32, s->filesz);
		put_le64(p + 40, s->memsz);
		put_le64(p + 48, 0);
	}
	if (phnum <= e->ph_reserve && phnum < ELF_PN_XNUM)
		phoff = ELF_EHDR;   /* where /proc/vmcore has them, and makedumpfile looks */
	if (phnum >= ELF_PN_XNUM) {
		/* the real count goes into section header 0's sh_info */
		shoff = phoff + tsize;
		put_le32(ph + tsize + 44, (uint32_t)phnum);
		tsize += ELF_SHDR;
	}
	r = snap_pwrite(e->f, ph, tsize, phoff);
	free(ph);
	if (r < 0)
		return -1;
	/* trailing zero pages were skipped: the file must still reach the end of the data */
	if (phoff == ELF_EHDR && ftruncate(e->f->fd, (off_t)e->data_off) < 0) {
		snprintf(e->f->err, MF_ERRBUF_SIZE, "cannot extend %s to %" PRIu64 " bytes: %s", e->f->name, e->data_off,
		         strerror(errno));
		return -1;
	}
	put_le16(eh + 16, 4);            /* ET_CORE */
	put_le16(eh + 18, e->machine);
	put_le32(eh + 20, 1);
	put_le64(eh + 32, phoff);
	put_le64(eh + 40, shoff);
	put_le16(eh + 52, ELF_EHDR);
	put_le16(eh + 54, ELF_PHDR);
	put_le16(eh + 56, phnum >= ELF_PN_XNUM ? ELF_PN_XNUM : (uint16_t)phnum);
	put_le16(eh + 58, shoff ? ELF_SHDR : 0);
	put_le16(eh + 60, shoff ? 1 : 0);
	return snap_pwrite(e->f, eh, sizeof eh, 0);
}

void
snap_elf_free(struct snap_elf *e)
{
	free(e->notes);
	free(e->seg);
	e->notes = NULL;
	e->seg = NULL;
}
