/* elfcore.c: ELF core files (QEMU, VirtualBox, mf-dump, /proc/kcore): program headers to a
 * range map, notes to hints. */
#include "pluginlib/elfcore.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pluginlib/bytes.h"
#include "pluginlib/error.h"
#include "pluginlib/fileio.h"
#include "pluginlib/vmcoreinfo.h"

#define ELFCORE_MAX_PHDRS (1u << 20)
#define ELFCORE_MAX_NOTE_SEG (64u << 20)
#define ELFCORE_MAX_NOTES (1u << 20)
#define ELFCORE_MAX_CPU_NOTES (4u << 20)   /* the "cpu_notes" hint: 4096 CPUs' worth */

#define ELFCORE_EM_386 3
#define ELFCORE_EM_X86_64 62
#define ELFCORE_EM_AARCH64 183

#define ELFCORE_PT_LOAD 1
#define ELFCORE_PT_NOTE 4
#define ELFCORE_PN_XNUM 0xffffu

struct elfcore_load {
	uint64_t addr, memsz, present, off;
	uint64_t vaddr;
	uint32_t idx;
};

static int
elfcore_load_cmp(const void *a, const void *b)
{
	const struct elfcore_load *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->memsz != y->memsz)   /* larger first: kcore drops what the first contains */
		return x->memsz > y->memsz ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int
elfcore_name_is(const uint8_t *name, uint32_t namesz, const char *want)
{
	size_t n = strlen(want);

	return (namesz == n + 1 && name[n] == '\0' && memcmp(name, want, n) == 0) ||
	       (namesz == n && memcmp(name, want, n) == 0);
}

/* A VMCOREINFO note: the text as hint "vmcoreinfo" and what it says as hints. */
static int
elfcore_vmcoreinfo(struct elfcore *ec, const uint8_t *desc, uint32_t descsz)
{
	char *text = vmci_dup(desc, descsz);
	int e;

	if (text == NULL)
		return MF_ERR_NOMEM;
	e = ec->host->hint_set_str(ec->hints, "vmcoreinfo", text);
	if (e == 0)
		e = vmci_set_hints(ec->host, ec->hints, text);
	free(text);
	return e;
}

/* A CPU's note (CORE: registers; QEMU: its CPU state), kept whole for the "cpu_notes" hint
 * so that a snapshot of this file carries them on.  0, or MF_ERR_NOMEM. */
static int
elfcore_keep_cpu_note(struct elfcore *ec, const uint8_t *note, uint64_t n)
{
	uint64_t padded = (n + 3) & ~3ull;
	uint8_t *p;

	if (ec->cpu_notes_len > ELFCORE_MAX_CPU_NOTES || padded > ELFCORE_MAX_CPU_NOTES - ec->cpu_notes_len) {
		if (ec->cpu_notes_len <= ELFCORE_MAX_CPU_NOTES)
			ec->host->log(0, "%s: CPU notes hold more than %u MiB; a snapshot of it will not carry them",
			              ec->path, ELFCORE_MAX_CPU_NOTES >> 20);
		ec->cpu_notes_len = ELFCORE_MAX_CPU_NOTES + 1;   /* given up */
		return 0;
	}
	if ((p = realloc(ec->cpu_notes, ec->cpu_notes_len + padded)) == NULL)
		return MF_ERR_NOMEM;
	ec->cpu_notes = p;
	memcpy(p + ec->cpu_notes_len, note, n);
	memset(p + ec->cpu_notes_len + n, 0, padded - n);
	ec->cpu_notes_len += padded;
	return 0;
}

/* Walk the notes of one PT_NOTE segment held in buf. */
static int
elfcore_notes(struct elfcore *ec, uint32_t pi, uint64_t segoff, const uint8_t *buf, uint64_t size,
              uint32_t *count, char *errbuf)
{
	uint64_t pos = 0;
	int e;

	while (size - pos >= 12) {
		uint32_t namesz = get_le32(buf + pos), descsz = get_le32(buf + pos + 4);
		uint32_t type = get_le32(buf + pos + 8);
		uint64_t name = pos + 12, desc, left = size - name;
		const uint8_t *d;

		if (namesz == 0 && descsz == 0 && type == 0) {
			pos += 12;   /* zero padding */
			continue;
		}
		if (++*count > ELFCORE_MAX_NOTES)
			return plib_error(errbuf, MF_ERR_LIMIT, "cannot open %s: more than %u notes", ec->path, ELFCORE_MAX_NOTES);
		if (namesz > left)
			return plib_error(errbuf, MF_ERR_FORMAT,
			         "cannot open %s: note at offset 0x%" PRIx64 " in PT_NOTE %u: name size 0x%x runs past the segment (0x%" PRIx64 " bytes)",
			         ec->path, segoff + pos, pi, namesz, size);
		desc = name + (((uint64_t)namesz + 3) & ~3ull);
		if (desc > size || descsz > size - desc)
			return plib_error(errbuf, MF_ERR_FORMAT,
			         "cannot open %s: note at offset 0x%" PRIx64 " in PT_NOTE %u: descriptor size 0x%x runs past the segment (0x%" PRIx64 " bytes)",
			         ec->path, segoff + pos, pi, descsz, size);
		d = buf + desc;
		if (ec->mode == ELFCORE_FILE &&
		    (elfcore_name_is(buf + name, namesz, "CORE") || elfcore_name_is(buf + name, namesz, "QEMU")) &&
		    (e = elfcore_keep_cpu_note(ec, buf + pos, desc + descsz - pos)) < 0)
			return e;
		if (elfcore_name_is(buf + name, namesz, "CORE") && type == 1) {
			ec->cpus++;
		} else if (elfcore_name_is(buf + name, namesz, "QEMU") && type == 0) {
			/* QEMUCPUState: version, size, ..., cr[5] at 0x188 */
			if (!ec->have_qemu && descsz >= 0x1b0 && get_le32(d + 4) >= 0x1b0) {
				ec->have_qemu = 1;
				ec->cr0 = get_le64(d + 0x188);
				ec->cr3 = get_le64(d + 0x1a0);
				ec->cr4 = get_le64(d + 0x1a8);
			} else if (!ec->have_qemu) {
				ec->host->log(0, "%s: QEMU CPU note at offset 0x%" PRIx64 " is too small (0x%x bytes); no dtb from it",
				              ec->path, segoff + pos, descsz);
			}
		} else if (elfcore_name_is(buf + name, namesz, "VMCOREINFO")) {
			if ((e = elfcore_vmcoreinfo(ec, d, descsz)) < 0)
				return e;
		} else if (elfcore_name_is(buf + name, namesz, "MFTOOLS") && (type == 0x4d460001u || type == 1)) {
			/* mf-dump's target record: its own type, 1 in files written before it had one */
			if ((e = ec->host->hint_set_bin(ec->hints, "mftools_record", d, descsz)) < 0)
				return e;
		} else if (elfcore_name_is(buf + name, namesz, "VBCORE")) {
			ec->have_vbox = 1;
		}
		pos = desc + (((uint64_t)descsz + 3) & ~3ull);
		if (pos > size)
			break;
	}
	return 0;
}

static int
elfcore_note_cmp(const void *a, const void *b)
{
	const struct elfcore_load *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	if (x->memsz != y->memsz)   /* larger first: what it contains is dropped */
		return x->memsz > y->memsz ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Read and walk the PT_NOTE segments in file order, each distinct range once: a segment
 * that repeats or lies inside one already read is skipped, and the bytes read are capped,
 * so a hostile header listing one region many times costs one read. */
static int
elfcore_read_notes(struct elfcore *ec, struct elfcore_load *nt, uint64_t n, char *errbuf)
{
	uint64_t kept_end = 0, total = 0;
	uint32_t count = 0;
	int e = 0;

	qsort(nt, n, sizeof *nt, elfcore_note_cmp);
	for (uint64_t i = 0; i < n && e == 0; i++) {
		uint8_t *note;

		if (i > 0 && nt[i].off + nt[i].memsz <= kept_end)
			continue;   /* inside what was read */
		if (nt[i].memsz > ELFCORE_MAX_NOTE_SEG - total) {
			e = plib_error(errbuf, MF_ERR_LIMIT, "cannot open %s: PT_NOTE segments hold more than %u MiB",
			               ec->path, ELFCORE_MAX_NOTE_SEG >> 20);
			break;
		}
		total += nt[i].memsz;
		kept_end = nt[i].off + nt[i].memsz;
		if ((note = malloc(nt[i].memsz)) == NULL) {
			e = plib_error(errbuf, MF_ERR_NOMEM, "cannot open %s: out of memory", ec->path);
			break;
		}
		if (fio_pread_full(ec->fd, note, nt[i].memsz, nt[i].off) != (int64_t)nt[i].memsz)
			e = plib_error(errbuf, MF_ERR_IO, "cannot read %s at offset 0x%" PRIx64, ec->path, nt[i].off);
		else if ((e = elfcore_notes(ec, nt[i].idx, nt[i].off, note, nt[i].memsz, &count, errbuf)) == MF_ERR_NOMEM)
			plib_error(errbuf, e, "cannot open %s: out of memory", ec->path);
		free(note);
	}
	if (e == 0 && ec->cpu_notes_len > 0 && ec->cpu_notes_len <= ELFCORE_MAX_CPU_NOTES)
		e = ec->host->hint_set_bin(ec->hints, "cpu_notes", ec->cpu_notes, ec->cpu_notes_len);
	free(ec->cpu_notes);
	ec->cpu_notes = NULL;
	ec->cpu_notes_len = 0;
	return e;
}

static int
elfcore_set_arch(struct elfcore *ec, uint32_t arch)
{
	return ec->host->hint_set_str(ec->hints, "arch", ec->host->arch_name(arch));
}

/* Hints that need every note: arch, dtb, cpus, format. */
static int
elfcore_hints(struct elfcore *ec)
{
	const char *vmci = ec->host->hint_get_str(ec->hints, "vmcoreinfo");
	int e = 0;
	int l5 = vmci && vmci_la57(vmci);
	int pae = vmci && vmci_pae(vmci);

	switch (ec->machine) {
	case ELFCORE_EM_X86_64:
		if (ec->have_qemu)
			l5 = (ec->cr4 >> 12) & 1;
		e = elfcore_set_arch(ec, l5 ? MF_ARCH_X86_64_LA57 : MF_ARCH_X86_64);
		break;
	case ELFCORE_EM_386:
		if (ec->have_qemu)
			e = elfcore_set_arch(ec, (ec->cr4 >> 5) & 1 ? MF_ARCH_X86_PAE : MF_ARCH_X86_32);
		else if (vmci)
			e = elfcore_set_arch(ec, pae ? MF_ARCH_X86_PAE : MF_ARCH_X86_32);
		break;
	case ELFCORE_EM_AARCH64:
		e = elfcore_set_arch(ec, MF_ARCH_AARCH64);
		break;
	default:
		break;
	}
	if (e < 0)
		return e;
	if (ec->have_qemu && (ec->machine == ELFCORE_EM_X86_64 || ec->machine == ELFCORE_EM_386)) {
		/* PAE: the PDPT is 32-byte aligned; else a page.  Bits 63:52 are flags. */
		int is_pae = ec->machine == ELFCORE_EM_386 && ((ec->cr4 >> 5) & 1);
		uint64_t dtb = ec->cr3 & 0x000ffffffffff000ull;

		if (is_pae)
			dtb = ec->cr3 & 0xffffffe0ull;
		else if (ec->machine == ELFCORE_EM_386)
			dtb = ec->cr3 & 0xfffff000ull;
		if ((e = ec->host->hint_set_u64(ec->hints, "dtb", dtb)) < 0)
			return e;
	}
	if (ec->mode == ELFCORE_FILE && ec->cpus > 0 &&
	    (e = ec->host->hint_set_u64(ec->hints, "cpus", ec->cpus)) < 0)
		return e;
	return ec->host->hint_set_str(ec->hints, "format",
	                              ec->mode == ELFCORE_KCORE ? "kcore" :
	                              ec->have_qemu ? "elf-qemu" : ec->have_vbox ? "elf-vbox" : "elf");
}

int
elfcore_parse(struct elfcore *ec, struct rmap *map, char *errbuf)
{
	uint8_t eh[64], *ph = NULL;
	uint64_t phoff, shoff, phnum, i, nload = 0, present = 0;
	uint32_t phentsize, ehsize, phsize, shentsize;
	struct elfcore_load *ld = NULL, *nt = NULL;   /* PT_LOADs; PT_NOTEs (addr unused) */
	uint64_t nnote = 0;
	int e = 0, all_pzero = 1, any_v = 0, use_vaddr = 0;
	uint64_t trunc_count = 0, trunc_missing = 0, first_off = 0, first_claim = 0;
	uint32_t first_trunc = 0;
	size_t bad;

#define ELFCORE_FAIL(code, ...) do { e = plib_error(errbuf, (code), __VA_ARGS__); goto out; } while (0)
	if (ec->fsize < 16 || fio_pread_full(ec->fd, eh, 16, 0) != 16 || memcmp(eh, "\177ELF", 4) != 0)
		ELFCORE_FAIL(MF_ERR_FORMAT, "cannot open %s: not an ELF file", ec->path);
	if (eh[4] != 1 && eh[4] != 2)
		ELFCORE_FAIL(MF_ERR_FORMAT, "cannot open %s: bad ELF class %u", ec->path, eh[4]);
	if (eh[5] != 1)
		ELFCORE_FAIL(MF_ERR_UNSUPPORTED, "cannot open %s: big-endian ELF is not supported", ec->path);
	ec->is64 = eh[4] == 2;
	ehsize = ec->is64 ? 64 : 52;
	phsize = ec->is64 ? 56 : 32;
	if (ec->fsize < ehsize || fio_pread_full(ec->fd, eh, ehsize, 0) != (int64_t)ehsize)
		ELFCORE_FAIL(MF_ERR_FORMAT, "cannot open %s: ELF header cut short (file size 0x%" PRIx64 ")",
		             ec->path, ec->fsize);
	if (get_le16(eh + 16) != 4)
		ELFCORE_FAIL(MF_ERR_FORMAT, "cannot open %s: not an ELF core file (e_type %u)", ec->path, get_le16(eh + 16));
	ec->machine = get_le16(eh + 18);
	if (ec->is64) {
		phoff = get_le64(eh + 32);
		shoff = get_le64(eh + 40);
		phentsize = get_le16(eh + 54);
		phnum = get_le16(eh + 56);
		shentsize = get_le16(eh + 58);
	} else {
		phoff = get_le32(eh + 28);
		shoff = get_le32(eh + 32);
		phentsize = get_le16(eh + 42);
		phnum = get_le16(eh + 44);
		shentsize = get_le16(eh + 46);
	}
	if (phnum == ELFCORE_PN_XNUM) {
		uint8_t sh[64];
		uint32_t shsize = ec->is64 ? 64 : 40;

		if (shoff == 0 || shentsize < shsize || shoff > ec->fsize || ec->fsize - shoff < shsize)
			ELFCORE_FAIL(MF_ERR_FORMAT,
			             "cannot open %s: e_phnum is PN_XNUM but section header 0 (offset 0x%" PRIx64 ") is not in the file",
			             ec->path, shoff);
		if (fio_pread_full(ec->fd, sh, shsize, shoff) != (int64_t)shsize)
			ELFCORE_FAIL(MF_ERR_IO, "cannot read %s at offset 0x%" PRIx64, ec->path, shoff);
		phnum = get_le32(sh + (ec->is64 ? 44 : 28));
	}
	if (phnum == 0)
		ELFCORE_FAIL(MF_ERR_FORMAT, "cannot open %s: ELF core has no program headers", ec->path);
	if (phnum > ELFCORE_MAX_PHDRS)
		ELFCORE_FAIL(MF_ERR_LIMIT, "cannot open %s: too many program headers (%" PRIu64 ", limit %u)",
		             ec->path, phnum, ELFCORE_MAX_PHDRS);
	if (phentsize < phsize)
		ELFCORE_FAIL(MF_ERR_FORMAT, "cannot open %s: e_phentsize %u is smaller than a program header (%u)",
		             ec->path, phentsize, phsize);
	if (phoff > ec->fsize || (ec->fsize - phoff) / phentsize < phnum)
		ELFCORE_FAIL(MF_ERR_FORMAT,
		             "cannot open %s: program headers at offset 0x%" PRIx64 " (%" PRIu64 " x %u bytes) run past end of file (size 0x%" PRIx64 ")",
		             ec->path, phoff, phnum, phentsize, ec->fsize);
	ph = malloc(phnum * phentsize);
	ld = malloc(phnum * sizeof *ld);
	nt = malloc(phnum * sizeof *nt);
	if (ph == NULL || ld == NULL || nt == NULL)
		ELFCORE_FAIL(MF_ERR_NOMEM, "cannot open %s: out of memory", ec->path);
	if (fio_pread_full(ec->fd, ph, phnum * phentsize, phoff) != (int64_t)(phnum * phentsize))
		ELFCORE_FAIL(MF_ERR_IO, "cannot read %s at offset 0x%" PRIx64, ec->path, phoff);

	for (i = 0; i < phnum; i++) {
		const uint8_t *p = ph + i * phentsize;
		uint32_t type = get_le32(p);
		uint64_t off, vaddr, paddr, filesz, memsz;

		if (ec->is64) {
			off = get_le64(p + 8);
			vaddr = get_le64(p + 16);
			paddr = get_le64(p + 24);
			filesz = get_le64(p + 32);
			memsz = get_le64(p + 40);
		} else {
			off = get_le32(p + 4);
			vaddr = get_le32(p + 8);
			paddr = get_le32(p + 12);
			filesz = get_le32(p + 16);
			memsz = get_le32(p + 20);
		}
		if (type == ELFCORE_PT_NOTE && filesz > 0) {
			if (off > ec->fsize || filesz > ec->fsize - off) {
				ec->host->log(0, "%s is truncated: PT_NOTE %" PRIu64 " at offset 0x%" PRIx64 " (0x%" PRIx64 " bytes) runs past end of file; ignoring its notes",
				              ec->path, i, off, filesz);
				continue;
			}
			if (filesz > ELFCORE_MAX_NOTE_SEG)
				ELFCORE_FAIL(MF_ERR_LIMIT, "cannot open %s: PT_NOTE %" PRIu64 " holds 0x%" PRIx64 " bytes, more than %u MiB",
				             ec->path, i, filesz, ELFCORE_MAX_NOTE_SEG >> 20);
			nt[nnote++] = (struct elfcore_load){ .off = off, .memsz = filesz, .idx = (uint32_t)i };
			continue;
		}
		if (type != ELFCORE_PT_LOAD || memsz == 0)
			continue;
		if (ec->mode == ELFCORE_KCORE) {
			uint64_t none = ec->is64 ? UINT64_MAX : UINT32_MAX;

			if (paddr == none || paddr == 0)
				continue;   /* vmalloc, modules, vmemmap: no physical address */
		} else {
			if (paddr != 0)
				all_pzero = 0;
			if (vaddr != 0)
				any_v = 1;
		}
		ld[nload].addr = paddr;
		ld[nload].vaddr = vaddr;
		ld[nload].memsz = memsz;
		ld[nload].off = off;
		ld[nload].present = filesz < memsz ? filesz : memsz;
		ld[nload].idx = (uint32_t)i;
		nload++;
	}
	if ((e = elfcore_read_notes(ec, nt, nnote, errbuf)) < 0)
		goto out;
	if (nload == 0)
		ELFCORE_FAIL(MF_ERR_FORMAT, "cannot open %s: ELF core has no PT_LOAD segment%s", ec->path,
		             ec->mode == ELFCORE_KCORE ? " with a physical address" : "");
	use_vaddr = ec->mode == ELFCORE_FILE && all_pzero && any_v;
	if (use_vaddr)
		ec->host->log(0, "%s: every PT_LOAD has p_paddr 0; using p_vaddr as the physical address", ec->path);
	for (i = 0; i < nload; i++) {
		struct elfcore_load *l = &ld[i];

		if (use_vaddr) {
			const uint8_t *p = ph + (uint64_t)l->idx * phentsize;

			l->addr = ec->is64 ? get_le64(p + 16) : get_le32(p + 8);
		}
		if (l->addr + l->memsz < l->addr && l->addr + l->memsz != 0)
			ELFCORE_FAIL(MF_ERR_FORMAT,
			             "cannot open %s: PT_LOAD %u at 0x%" PRIx64 " with 0x%" PRIx64 " bytes runs past the top of the address space",
			             ec->path, l->idx, l->addr, l->memsz);
		if (l->present > 0 && (l->off > ec->fsize || l->present > ec->fsize - l->off)) {
			uint64_t have = l->off < ec->fsize ? ec->fsize - l->off : 0;

			if (trunc_count++ == 0) {
				first_trunc = l->idx;
				first_off = l->off;
				first_claim = l->present;
			}
			trunc_missing += l->present - have;
			l->present = have;
		}
		present += l->present;
	}
	if (present == 0 && trunc_count > 0)
		ELFCORE_FAIL(MF_ERR_FORMAT,
		             "cannot open %s: PT_LOAD %u at offset 0x%" PRIx64 " claims 0x%" PRIx64 " bytes, past end of file (size 0x%" PRIx64 ")",
		             ec->path, first_trunc, first_off, first_claim, ec->fsize);
	if (present == 0)
		ELFCORE_FAIL(MF_ERR_FORMAT, "cannot open %s: no PT_LOAD segment has data in the file", ec->path);
	if (trunc_count > 0)
		ec->host->log(0, "%s is truncated: %" PRIu64 " PT_LOAD segment(s) run past end of file (size 0x%" PRIx64 "); the missing 0x%" PRIx64 " bytes read as holes",
		              ec->path, trunc_count, ec->fsize, trunc_missing);
	qsort(ld, nload, sizeof *ld, elfcore_load_cmp);
	{
		uint64_t kept_end = 0;   /* end of the memory kept so far */
		int have_kept = 0, virt_maps = 0;

		for (i = 0; i < nload; i++) {
			struct elfcore_load *l = &ld[i];
			uint64_t skip = 0;

			/* overlapping physical ranges are an error, unless the segments are different
			 * virtual mappings of the same memory (QEMU's paging dump): then the memory
			 * kept first (lowest address, largest segment) answers, as for kcore */
			if (i > 0 && ec->mode == ELFCORE_FILE && l->addr < ld[i - 1].addr + ld[i - 1].memsz &&
			    (use_vaddr || l->vaddr == ld[i - 1].vaddr))
				ELFCORE_FAIL(MF_ERR_FORMAT,
				             "cannot open %s: PT_LOAD %u (0x%" PRIx64 "-0x%" PRIx64 ") overlaps PT_LOAD %u (0x%" PRIx64 "-0x%" PRIx64 ")",
				             ec->path, l->idx, l->addr, l->addr + l->memsz - 1, ld[i - 1].idx,
				             ld[i - 1].addr, ld[i - 1].addr + ld[i - 1].memsz - 1);
			if (have_kept && l->addr < kept_end) {
				/* the same physical memory seen twice (kernel text and the direct map) */
				if (ec->mode == ELFCORE_FILE && !virt_maps++)
					ec->host->log(1, "%s: PT_LOADs are virtual mappings (a paging dump): physical memory "
					              "mapped twice is read from the first", ec->path);
				skip = kept_end - l->addr;
				if (skip >= l->present) {
					if (l->addr + l->memsz > kept_end)
						kept_end = l->addr + l->memsz;
					continue;
				}
			}
			if ((e = rmap_add(map, l->addr + skip, l->present - skip, l->off + skip, RMAP_PLAIN, 0)) < 0)
				ELFCORE_FAIL(e, "cannot open %s: %s", ec->path, e == MF_ERR_NOMEM ? "out of memory" : "too many segments");
			if (!have_kept || l->addr + l->memsz > kept_end)
				kept_end = l->addr + l->memsz;
			have_kept = 1;
		}
	}
	if ((e = rmap_finish(map, 0, &bad)) < 0)
		ELFCORE_FAIL(e, "cannot open %s: %s", ec->path, e == MF_ERR_NOMEM ? "out of memory" : "segments overlap");
	if ((e = elfcore_hints(ec)) < 0)
		ELFCORE_FAIL(e, "cannot open %s: out of memory", ec->path);
out:
#undef ELFCORE_FAIL
	free(ph);
	free(ld);
	free(nt);
	return e;
}
