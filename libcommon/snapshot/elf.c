/* elf.c: the ELF core of physical memory: PT_LOAD per present run (vaddr = paddr), and the
 * notes that carry the target's hints: MFTOOLS (the target record and the marker),
 * VMCOREINFO, the source ELF's own CPU notes (CORE registers, QEMU CPU states), else a QEMU
 * CPU state with the page-table root for x86 (so crash and our elf connector find it). */
#include "config.h"
#include "snapshot-int.h"

#include <stdlib.h>
#include <string.h>

#define ELF_PF_RWX 7u

struct elf_phys {
	struct snap_elf e;
	char *vmci_found;            /* VMCOREINFO found in memory (no hint) */
	bool search;                 /* still looking for it */
};

struct elf_cpu {
	struct snap_elf *e;
	int qemu;                    /* a QEMU CPU state was among them */
};

static int
elf_cpu_note(void *ctx, const char *name, uint32_t type, const uint8_t *desc, size_t descsz)
{
	struct elf_cpu *c = ctx;

	c->qemu |= name[0] == 'Q';
	return snap_elf_note(c->e, name, type, desc, descsz);
}

/* The source's own CPU notes (CORE registers, QEMU CPU states), so gdb and crash find the
 * registers: 1 when a QEMU CPU state was among them, 0 when not, -1 on error. */
static int
elf_cpu_notes(struct snap_elf *e, const uint8_t *p, size_t n)
{
	struct elf_cpu c = { .e = e };

	return snap_cpu_notes_each(p, n, elf_cpu_note, &c) < 0 ? -1 : c.qemu;
}

static int
elf_phys_notes(struct snap_writer *w, struct snap_elf *e)
{
	const struct snap_source *s = w->src;
	int have_qemu = 0;

	if (s->record && snap_elf_note(e, "MFTOOLS", SNAP_NT_MFTOOLS_RECORD, s->record, s->record_len) < 0)
		return -1;
	if (s->mark && snap_elf_note(e, "MFTOOLS", SNAP_NT_MFTOOLS_MARK, s->mark, strlen(s->mark)) < 0)
		return -1;
	if (s->vmcoreinfo && snap_elf_note(e, "VMCOREINFO", 0, s->vmcoreinfo, strlen(s->vmcoreinfo)) < 0)
		return -1;
	if (s->cpu_notes && (have_qemu = elf_cpu_notes(e, s->cpu_notes, s->cpu_notes_len)) < 0)
		return -1;
	if (!have_qemu && s->have_dtb && (e->machine == 62 || e->machine == 3)) {
		/* QEMUCPUState v1: version, size, ..., cr[0..4] at 0x188 */
		uint8_t q[0x1b8] = { 0 };
		uint64_t cr4 = 0;

		if (s->arch == MF_ARCH_X86_64 || s->arch == MF_ARCH_X86_64_LA57 || s->arch == MF_ARCH_X86_PAE ||
		    s->arch == MF_ARCH_UNKNOWN)
			cr4 |= 1u << 5;                 /* PAE */
		if (s->arch == MF_ARCH_X86_64_LA57)
			cr4 |= 1u << 12;                /* LA57 */
		put_le32(q, 1);
		put_le32(q + 4, sizeof q);
		put_le64(q + 0x188, 0x80000011u);   /* PG, ET, PE */
		put_le64(q + 0x1a0, s->dtb);
		put_le64(q + 0x1a8, cr4);
		if (snap_elf_note(e, "QEMU", 0, q, sizeof q) < 0)
			return -1;
	}
	return 0;
}

static int
elf_begin(struct snap_writer *w)
{
	struct elf_phys *d = calloc(1, sizeof *d);
	struct snap_elf *e;

	if ((w->priv = d) == NULL)
		return snap_oom(w->f);
	e = &d->e;
	e->f = w->f;
	e->machine = snap_elf_machine(w->src->arch);
	e->ph_reserve = w->src->nranges + 1 + 1024;
	/* without the hint, room for the kernel's VMCOREINFO if memory holds it (as kdump) */
	d->search = w->src->vmcoreinfo == NULL;
	if (d->search)
		e->notes_room = 12 + 12 + SNAP_VMCI_MAX;
	if (elf_phys_notes(w, e) < 0 || snap_elf_begin(e) < 0)
		return -1;
	return 0;
}

static int
elf_run(struct snap_writer *w, uint64_t addr, const uint8_t *p, uint64_t n, bool valid)
{
	struct elf_phys *d = w->priv;

	if (!valid) {
		snap_elf_close_seg(&d->e);
		return 0;
	}
	if (d->search && (d->vmci_found = snap_vmci_search(p, (size_t)n)) != NULL)
		d->search = false;
	return snap_elf_add(&d->e, addr, addr, p, (size_t)n, ELF_PF_RWX);
}

static int
elf_finish(struct snap_writer *w)
{
	struct elf_phys *d = w->priv;

	if (d->vmci_found && snap_elf_note(&d->e, "VMCOREINFO", 0, d->vmci_found, strlen(d->vmci_found)) < 0)
		return -1;
	return snap_elf_finish(&d->e);
}

static const char *
elf_found_vmcoreinfo(const struct snap_writer *w)
{
	const struct elf_phys *d = w->priv;

	return d ? d->vmci_found : NULL;
}

static void
elf_free(struct snap_writer *w)
{
	struct elf_phys *d = w->priv;

	if (d == NULL)
		return;
	snap_elf_free(&d->e);
	free(d->vmci_found);
	free(d);
}

const struct snap_format_ops snap_elf_ops = {
	.begin = elf_begin, .run = elf_run, .finish = elf_finish, .free = elf_free,
	.found_vmcoreinfo = elf_found_vmcoreinfo,
};
