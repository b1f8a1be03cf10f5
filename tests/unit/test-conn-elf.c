/* test-conn-elf: the elf and kcore connectors on ELF cores built here: ELF64 and ELF32,
 * gaps, p_filesz < p_memsz, program headers after the section headers (as QEMU writes
 * them), PN_XNUM, QEMU/VMCOREINFO/MFTOOLS notes -> hints, truncation and bad input; a
 * kcore-like file through kcore's path=, and the real /proc/kcore when readable. */
#include "config.h"

#include <stdlib.h>

#include "conn-test.h"

static const struct mf_connector *elf, *kcore;

struct t_load {
	uint32_t type;
	uint64_t paddr, vaddr, filesz, memsz;
};

struct t_elf {
	int is64;
	uint16_t machine;
	uint16_t etype;
	int phdrs_last;      /* QEMU: phdrs after the section header, e_ehsize 8 */
	int xnum;            /* e_phnum = PN_XNUM, count in section header 0 */
	int pat_vaddr;       /* data pattern follows vaddr, not paddr */
	const struct t_load *ld;
	size_t nld;
	const struct ct_buf *notes;
};

static void
t_note(struct ct_buf *b, const char *name, uint32_t type, const void *desc, uint32_t n)
{
	uint32_t nl = (uint32_t)strlen(name) + 1;
	static const uint8_t zero[4];

	ct_u32(b, nl);
	ct_u32(b, n);
	ct_u32(b, type);
	ct_put(b, name, nl);
	ct_put(b, zero, (4 - nl % 4) % 4);
	ct_put(b, desc, n);
	ct_put(b, zero, (4 - n % 4) % 4);
}

static void
t_word(struct ct_buf *b, int is64, uint64_t v)
{
	if (is64)
		ct_u64(b, v);
	else
		ct_u32(b, (uint32_t)v);
}

static void
t_build(struct ct_buf *b, const struct t_elf *e)
{
	size_t ehsize = e->is64 ? 64 : 52, phsize = e->is64 ? 56 : 32, shsize = e->is64 ? 64 : 40;
	size_t nph = e->nld + (e->notes ? 1 : 0), i;
	uint64_t phoff, shoff, off, note_off = 0, *data_off = calloc(e->nld + 1, 8);
	uint8_t *eh;

	b->n = 0;
	eh = ct_put(b, NULL, ehsize);
	off = e->phdrs_last ? ehsize : ehsize + nph * phsize;
	ct_put(b, NULL, off - ehsize);
	if (e->notes) {
		note_off = b->n;
		ct_put(b, e->notes->p, e->notes->n);
	}
	for (i = 0; i < e->nld; i++) {
		uint64_t a = e->pat_vaddr ? e->ld[i].vaddr : e->ld[i].paddr;

		data_off[i] = b->n;
		ct_put_pat(b, a, e->ld[i].filesz);
	}
	shoff = b->n;
	ct_u32(b, 0); ct_u32(b, 0);                  /* sh_name, sh_type */
	t_word(b, e->is64, 0); t_word(b, e->is64, 0); t_word(b, e->is64, 0); t_word(b, e->is64, 0);
	ct_u32(b, 0);                                /* sh_link */
	ct_u32(b, e->xnum ? (uint32_t)nph : 0);      /* sh_info */
	t_word(b, e->is64, 0); t_word(b, e->is64, 0);
	phoff = e->phdrs_last ? b->n : ehsize;
	if (e->phdrs_last)
		ct_put(b, NULL, nph * phsize);
	eh = b->p;
	for (i = 0; i < nph; i++) {
		uint8_t *p = b->p + phoff + i * phsize;
		const struct t_load *l = e->notes ? (i == 0 ? NULL : &e->ld[i - 1]) : &e->ld[i];
		uint32_t type = l ? (l->type ? l->type : 1) : 4;
		uint64_t o = l ? data_off[l - e->ld] : note_off;
		uint64_t fs = l ? l->filesz : e->notes->n, ms = l ? l->memsz : 0;
		uint64_t va = l ? l->vaddr : 0, pa = l ? l->paddr : 0;

		put_le32(p, type);
		if (e->is64) {
			put_le32(p + 4, 4);
			put_le64(p + 8, o);
			put_le64(p + 16, va);
			put_le64(p + 24, pa);
			put_le64(p + 32, fs);
			put_le64(p + 40, ms);
		} else {
			put_le32(p + 4, (uint32_t)o);
			put_le32(p + 8, (uint32_t)va);
			put_le32(p + 12, (uint32_t)pa);
			put_le32(p + 16, (uint32_t)fs);
			put_le32(p + 20, (uint32_t)ms);
		}
	}
	memcpy(eh, "\177ELF", 4);
	eh[4] = e->is64 ? 2 : 1;
	eh[5] = 1;
	eh[6] = 1;
	eh[16] = (uint8_t)(e->etype ? e->etype : 4);
	eh[18] = (uint8_t)e->machine;
	eh[19] = (uint8_t)(e->machine >> 8);
	eh[20] = 1;
	if (e->is64) {
		put_le64(eh + 32, phoff);
		put_le64(eh + 40, shoff);
		eh[52] = e->phdrs_last ? 8 : 64;   /* e_ehsize: QEMU 7.2 writes 8 */
		eh[54] = 56;
		eh[56] = (uint8_t)(e->xnum ? 0xff : nph);
		eh[57] = (uint8_t)(e->xnum ? 0xff : nph >> 8);
		eh[58] = 64;
		eh[60] = 1;
	} else {
		put_le32(eh + 28, (uint32_t)phoff);
		put_le32(eh + 32, (uint32_t)shoff);
		eh[40] = e->phdrs_last ? 8 : 52;
		eh[42] = 32;
		eh[44] = (uint8_t)(e->xnum ? 0xff : nph);
		eh[45] = (uint8_t)(e->xnum ? 0xff : nph >> 8);
		eh[46] = 40;
		eh[48] = 1;
	}
	(void)shsize;
	free(data_off);
}

static void
t_qemu_note(struct ct_buf *n, uint64_t cr3, uint64_t cr4)
{
	uint8_t st[0x1b8] = { 0 };

	put_le32(st, 1);
	put_le32(st + 4, 0x1b8);
	put_le64(st + 0x188, 0x80050033);
	put_le64(st + 0x1a0, cr3);
	put_le64(st + 0x1a8, cr4);
	t_note(n, "QEMU", 0, st, sizeof st);
}

static const char t_vmci[] =
	"OSRELEASE=6.1.0-18-amd64\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=ffffffff9da0a000\n"
	"NUMBER(phys_base)=65011712\nNUMBER(pgtable_l5_enabled)=0\nKERNELOFFSET=1c000000\n";

static void
test_qemu64(void)
{
	static const struct t_load ld[] = {
		{ 0, 0x0, 0x0, 0xa0000, 0xa0000 },
		{ 0, 0x100000, 0x100000, 0x100000, 0x200000 },   /* filesz < memsz: the rest is a hole */
		{ 0, 0x300000, 0x300000, 0x1000, 0x1000 },
		{ 0, 0x100000000ull, 0x100000000ull, 0x2000, 0x2000 },
	};
	struct ct_buf notes = { 0 }, b = { 0 };
	uint8_t prs[336] = { 0 }, rec[] = { 0x81, 0xa4, 't', 'y', 'p', 'e', 0xa6, 't', 'a', 'r', 'g', 'e', 't' };
	struct t_elf e = { .is64 = 1, .machine = 62, .phdrs_last = 1, .ld = ld, .nld = 4, .notes = &notes };
	struct ct_conn o;
	const struct mf_range *r;
	const void *bin;
	size_t n, bn;
	uint8_t x[64];

	t_note(&notes, "CORE", 1, prs, sizeof prs);
	t_note(&notes, "CORE", 1, prs, sizeof prs);
	t_qemu_note(&notes, 0x10a3f000 | 0x5 | (1ull << 63), (1u << 12) | (1u << 5));   /* PCID bits, LA57 */
	t_qemu_note(&notes, 0x2222000, 0x20);
	t_note(&notes, "VMCOREINFO", 0, t_vmci, sizeof t_vmci - 1);
	t_note(&notes, "MFTOOLS", 1, rec, sizeof rec);
	t_build(&b, &e);
	is_int(ct_open(&o, elf, ct_write("qemu.core", b.p, b.n)), 0, "QEMU-like ELF64 core opens (phdrs after shdrs, e_ehsize 8)");
	if (o.rc < 0) {
		printf("# %s\n", o.err);
		return;
	}
	is_str(ct_hint_str(&o, "format"), "elf-qemu", "format elf-qemu");
	is_str(ct_hint_str(&o, "arch"), "x86_64-la57", "arch from EM_X86_64 + CR4.LA57");
	is_u64(ct_hint_u64(&o, "dtb"), 0x10a3f000, "dtb = CPU 0's CR3 without PCID and flag bits");
	is_u64(ct_hint_u64(&o, "cpus"), 2, "cpus = NT_PRSTATUS count");
	is_u64(ct_hint_u64(&o, "kernel_offset"), 0x1c000000, "kernel_offset from VMCOREINFO");
	is_u64(ct_hint_u64(&o, "phys_base"), 65011712, "phys_base from VMCOREINFO");
	is_str(ct_hint_str(&o, "osrelease"), "6.1.0-18-amd64", "osrelease from VMCOREINFO");
	is_str(ct_hint_str(&o, "vmcoreinfo"), t_vmci, "vmcoreinfo text");
	bin = mf_hints_get_bin(o.hints, "mftools_record", &bn);
	ok(bin != NULL && bn == sizeof rec && memcmp(bin, rec, bn) == 0, "mftools_record carries the MFTOOLS note's bytes");
	n = elf->ranges(o.h, &r);
	ok(n == 4 && r[0].base == 0 && r[0].size == 0xa0000 && r[1].base == 0x100000 && r[1].size == 0x100000 &&
	   r[2].base == 0x300000 && r[3].base == 0x100000000ull, "ranges: present data only, sorted");
	ok(ct_read(&o, 0x9fff0, x, 16) == 0 && ct_is_pat(x, 0x9fff0, 16), "read at the end of the first PT_LOAD");
	ok(ct_read(&o, 0x1ffff0, x, 16) == 0 && ct_is_pat(x, 0x1ffff0, 16), "read at the end of p_filesz");
	is_int(ct_read(&o, 0x200000, x, 16), MF_ERR_UNMAPPED, "beyond p_filesz (inside p_memsz) is a hole");
	is_int(ct_read(&o, 0xa0000, x, 16), MF_ERR_UNMAPPED, "0xa0000 is not in the dump");
	ok(ct_read(&o, 0x100001000ull, x, 64) == 0 && ct_is_pat(x, 0x100001000ull, 64), "read above 4 GiB");
	{
		const void *d = NULL;

		ok(elf->view != NULL && elf->view(o.h, 0x1000, 0x9f000, &d) == 0 && ct_is_pat(d, 0x1000, 0x9f000),
		   "a view of the first PT_LOAD: its bytes in the file");
		ok(elf->view(o.h, 0x100000000ull, 0x2000, &d) == 0 && ct_is_pat(d, 0x100000000ull, 0x2000),
		   "a view above 4 GiB");
		is_int(elf->view(o.h, 0x1ffff0, 0x20, &d), MF_ERR_UNSUPPORTED, "a view beyond p_filesz is refused");
	}
	ct_close(&o);

	/* cut the file in the last PT_LOAD's data: opens with a warning, the rest is a hole.
	 * Phdrs are at the end here, so build a layout with phdrs first. */
	e.phdrs_last = 0;
	t_build(&b, &e);
	is_int(ct_open(&o, elf, ct_write("cut.core", b.p, b.n - 64 - 0x1000)), 0, "core cut in its last PT_LOAD opens");
	ok(ct_read(&o, 0x100000ff0ull, x, 16) == 0 && ct_is_pat(x, 0x100000ff0ull, 16), "present part reads");
	is_int(ct_read(&o, 0x100001000ull, x, 16), MF_ERR_UNMAPPED, "cut part is a hole");
	{
		const void *d = NULL;

		is_int(elf->view(o.h, 0x100000ff0ull, 0x20, &d), MF_ERR_UNSUPPORTED, "no view into the cut part");
	}
	ct_close(&o);
	free(b.p);
	free(notes.p);
}

static void
test_elf32(void)
{
	static const struct t_load ld[] = {
		{ 0, 0x1000, 0xc0001000, 0x3000, 0x3000 },
		{ 0, 0x100000, 0xc0100000, 0x1000, 0x1000 },
	};
	struct ct_buf notes = { 0 }, b = { 0 };
	struct t_elf e = { .is64 = 0, .machine = 3, .ld = ld, .nld = 2, .notes = &notes };
	struct ct_conn o;
	uint8_t x[32];

	t_qemu_note(&notes, 0x1a2b3c60, 0x20);   /* PAE: PDPT 32-byte aligned */
	t_build(&b, &e);
	is_int(ct_open(&o, elf, ct_write("x86.core", b.p, b.n)), 0, "ELF32 EM_386 core opens");
	is_str(ct_hint_str(&o, "arch"), "x86-pae", "arch x86-pae from CR4.PAE");
	is_u64(ct_hint_u64(&o, "dtb"), 0x1a2b3c60, "PAE dtb keeps bits 5-11");
	ok(ct_read(&o, 0x3ff0, x, 16) == 0 && ct_is_pat(x, 0x3ff0, 16), "physical address = p_paddr");
	is_int(ct_read(&o, 0xc0001000, x, 16), MF_ERR_UNMAPPED, "p_vaddr is not used");
	ct_close(&o);
	notes.n = 0;
	t_qemu_note(&notes, 0x1a2b3c60, 0);
	t_build(&b, &e);
	ct_open(&o, elf, ct_write("x86np.core", b.p, b.n));
	is_str(ct_hint_str(&o, "arch"), "x86", "arch x86 without CR4.PAE");
	is_u64(ct_hint_u64(&o, "dtb"), 0x1a2b3000, "non-PAE dtb masks 12 bits");
	ct_close(&o);

	/* every p_paddr 0: p_vaddr is used (with a warning) */
	{
		static const struct t_load vl[] = {
			{ 0, 0, 0x400000, 0x1000, 0x1000 },
			{ 0, 0, 0x600000, 0x1000, 0x1000 },
		};
		struct t_elf ve = { .is64 = 1, .machine = 62, .ld = vl, .nld = 2, .pat_vaddr = 1 };

		t_build(&b, &ve);
		is_int(ct_open(&o, elf, ct_write("vaddr.core", b.p, b.n)), 0, "core with every p_paddr 0 opens");
		ok(ct_read(&o, 0x600010, x, 16) == 0 && ct_is_pat(x, 0x600010, 16), "p_vaddr serves as the address");
		is_str(ct_hint_str(&o, "format"), "elf", "format elf");
		ct_close(&o);
	}
	free(b.p);
	free(notes.p);
}

static void
test_xnum(void)
{
	size_t nld = 0x10010, i;
	struct t_load *ld = calloc(nld, sizeof *ld);
	struct ct_buf b = { 0 };
	struct t_elf e = { .is64 = 1, .machine = 62, .phdrs_last = 1, .xnum = 1, .ld = ld, .nld = nld };
	struct ct_conn o;
	const struct mf_range *r;
	uint8_t x[16];

	for (i = 0; i < nld; i++)
		ld[i] = (struct t_load){ 0, 0x100000 + i * 0x2000, 0, 16, 16 };
	t_build(&b, &e);
	is_int(ct_open(&o, elf, ct_write("xnum.core", b.p, b.n)), 0, "core with PN_XNUM (65552 PT_LOADs) opens");
	is_u64(elf->ranges(o.h, &r), nld, "all 65552 ranges");
	ok(ct_read(&o, 0x100000 + (nld - 1) * 0x2000, x, 16) == 0 && ct_is_pat(x, 0x100000 + (nld - 1) * 0x2000, 16),
	   "the last PT_LOAD (beyond 0xffff) reads");
	ct_close(&o);
	/* e_phnum huge through PN_XNUM */
	{
		size_t sh = 64 + 16 * 0;   /* shdr right after the (empty) body: find it via e_shoff */
		uint64_t shoff = get_le32(b.p + 40);

		(void)sh;
		put_le32(b.p + shoff + 44, 0x7fffffff);
		ct_open_fails(elf, ct_write("huge.core", b.p, b.n), MF_ERR_LIMIT,
		              "too many program headers (2147483647, limit 1048576)", "e_phnum huge");
	}
	free(b.p);
	free(ld);
}

static void
test_bad(void)
{
	static const struct t_load ld[] = {
		{ 0, 0x1000, 0, 0x1000, 0x1000 },
		{ 0, 0x1800, 0, 0x1000, 0x1000 },
	};
	struct ct_buf b = { 0 }, notes = { 0 };
	struct t_elf e = { .is64 = 1, .machine = 62, .ld = ld, .nld = 2 };
	const char *top = getenv("MF_TOP_SRCDIR");
	char path[1024];
	uint8_t desc[8] = { 0 };

	t_build(&b, &e);
	ct_open_fails(elf, ct_write("overlap.core", b.p, b.n), MF_ERR_FORMAT,
	              "PT_LOAD 1 (0x1800-0x27ff) overlaps PT_LOAD 0 (0x1000-0x1fff)", "overlapping PT_LOADs");
	ct_open_fails(elf, ct_write("cut.core", b.p, 30), MF_ERR_FORMAT, "ELF header cut short (file size 0x1e)", "cut ELF header");
	e.nld = 1;
	t_build(&b, &e);
	ct_open_fails(elf, ct_write("past.core", b.p, b.n - 0x1000 - 64), MF_ERR_FORMAT,
	              "PT_LOAD 0 at offset 0x78 claims 0x1000 bytes, past end of file (size 0x78)", "PT_LOAD past EOF");
	b.p[16] = 2;
	ct_open_fails(elf, ct_write("exec.core", b.p, b.n), MF_ERR_FORMAT, "not an ELF core file (e_type 2)", "not a core");
	snprintf(path, sizeof path, "%s/tests/fixtures/conn/phoff-past-eof.core", top ? top : ".");
	ct_open_fails(elf, path, MF_ERR_FORMAT, "program headers at offset 0x10000 (1 x 56 bytes) run past end of file (size 0x40)",
	              "e_phoff past EOF");
	t_note(&notes, "CORE", 1, desc, sizeof desc);
	e.notes = &notes;
	t_build(&b, &e);
	/* the note header sits at its PT_NOTE's offset: 64 + 2 * 56 = 0xb0 */
	put_le32(b.p + 0xb0, 0x1000);
	ct_open_fails(elf, ct_write("note.core", b.p, b.n), MF_ERR_FORMAT,
	              "note at offset 0xb0 in PT_NOTE 0: name size 0x1000 runs past the segment (0x1c bytes)", "namesz past the segment");
	put_le32(b.p + 0xb0, 5);
	put_le32(b.p + 0xb4, 0xfffffff0);
	ct_open_fails(elf, ct_write("desc.core", b.p, b.n), MF_ERR_FORMAT,
	              "descriptor size 0xfffffff0 runs past the segment", "descsz past the segment");
	free(b.p);
	free(notes.p);
}

static void
test_kcore(void)
{
	static const struct t_load ld[] = {
		{ 0, UINT64_MAX, 0xffffc90000000000ull, 0x1000, 0x1000 },     /* vmalloc: no paddr */
		{ 0, 0x1000000, 0xffffffff81000000ull, 0x2000, 0x2000 },      /* kernel text, also in the direct map */
		{ 0, 0x1000, 0xffff888000001000ull, 0x9f000, 0x9f000 },
		{ 0, 0x100000, 0xffff888000100000ull, 0x1000000, 0x1000000 },
		{ 0, 0x1100000, 0xffff888001100000ull, 0x10000, 0x10000 },    /* adjacent to the one before */
		{ 0, 0, 0xffffffffc0000000ull, 0x1000, 0x1000 },              /* modules: paddr 0 */
	};
	struct ct_buf notes = { 0 }, b = { 0 };
	struct t_elf e = { .is64 = 1, .machine = 62, .ld = ld, .nld = 6, .notes = &notes };
	const struct mf_range *r;
	struct ct_conn o;
	uint8_t x[16];
	size_t n;

	memset(x, 0, sizeof x);
	t_note(&notes, "CORE", 1, x, sizeof x);
	t_note(&notes, "VMCOREINFO", 0, t_vmci, sizeof t_vmci - 1);
	t_build(&b, &e);
	is_int(ct_open(&o, kcore, ct_write("kcore", b.p, b.n)), 0, "a kcore-like file opens through path=");
	if (o.rc < 0) {
		printf("# %s\n", o.err);
		return;
	}
	is_str(ct_hint_str(&o, "format"), "kcore", "format kcore");
	is_str(ct_hint_str(&o, "arch"), "x86_64", "arch x86_64 (VMCOREINFO: 4-level)");
	is_u64(ct_hint_u64(&o, "kernel_offset"), 0x1c000000, "kernel_offset from VMCOREINFO");
	ok(mf_hints_get_u64(o.hints, "cpus", &(uint64_t){ 0 }) == MF_ERR_NOTFOUND, "no cpus hint from kcore");
	n = kcore->ranges(o.h, &r);
	ok(n == 2 && r[0].base == 0x1000 && r[0].size == 0x9f000 && r[1].base == 0x100000 && r[1].size == 0x1010000,
	   "ranges: the direct map only (text and vmalloc/modules dropped)");
	ok(ct_read(&o, 0x1000000, x, 16) == 0 && ct_is_pat(x, 0x1000000, 16), "physical 0x1000000 reads");
	ok(ct_read(&o, 0x10ffff8, x, 16) == 0 && ct_is_pat(x, 0x10ffff8, 16), "a read across two PT_LOADs");
	is_int(ct_read(&o, 0, x, 16), MF_ERR_UNMAPPED, "physical 0 is not there");
	ct_close(&o);
	free(b.p);
	free(notes.p);

	ct_open(&o, kcore, "/nonexistent/kcore");
	ok(o.rc == MF_ERR_NOTFOUND && strstr(o.err, "cannot open /nonexistent/kcore: No such file") != NULL,
	   "missing kcore: MF_ERR_NOTFOUND");
	ct_close(&o);

	if (geteuid() != 0 && access("/proc/kcore", F_OK) == 0) {
		ct_open(&o, kcore, "/proc/kcore");
		ok(o.rc == MF_ERR_PERM && strcmp(o.err, "cannot open /proc/kcore: permission denied (needs root / CAP_SYS_RAWIO)") == 0,
		   "/proc/kcore as a user: MF_ERR_PERM, says why");
		ct_close(&o);
	} else if (access("/proc/kcore", R_OK) == 0) {
		FILE *f = fopen("/proc/iomem", "r");
		char line[256];
		unsigned long long s = 0, t = 0;
		int found = 0;
		uint8_t *page = malloc(4096);

		while (f && fgets(line, sizeof line, f))
			if (strstr(line, "System RAM") && line[0] != ' ' &&
			    sscanf(line, "%llx-%llx", &s, &t) == 2 && t > s && s != 0) {
				found = 1;
				break;
			}
		if (f)
			fclose(f);
		is_int(ct_open(&o, kcore, "/proc/kcore"), 0, "/proc/kcore opens as root");
		if (found && o.rc == 0) {
			int rc = ct_read(&o, (s + 4095) & ~4095ull, page, 4096);

			is_int(rc, 0, "first page of System RAM 0x%llx reads through kcore", s);
		}
		ct_close(&o);
		free(page);
	} else {
		ct_skip("/proc/kcore is not readable here: no real kcore read");
	}
}

/* A PT_LOAD with no bytes in the file (p_filesz 0) at physical 0 adds no range; it used
 * to stand for the whole address space and make the next PT_LOAD "overlap" it. */
static void
test_empty_load(void)
{
	static const struct t_load ld[] = {
		{ 0, 0, 0, 0, 0x1000 },
		{ 0, 0x1000, 0, 0x1000, 0x1000 },
	};
	struct t_elf e = { .is64 = 1, .machine = 62, .ld = ld, .nld = 2 };
	struct ct_buf b = { 0 };
	struct ct_conn o;
	const struct mf_range *r;
	uint8_t x[16];
	size_t n;

	t_build(&b, &e);
	is_int(ct_open(&o, elf, ct_write("empty-load.core", b.p, b.n)), 0, "core with an empty PT_LOAD at 0 opens");
	if (o.rc == 0) {
		n = elf->ranges(o.h, &r);
		ok(n == 1 && r[0].base == 0x1000 && r[0].size == 0x1000, "ranges: only the PT_LOAD with data");
		is_int(ct_read(&o, 0x10, x, sizeof x), MF_ERR_UNMAPPED, "the empty PT_LOAD reads as a hole");
		ok(ct_read(&o, 0x1ff0, x, sizeof x) == 0 && ct_is_pat(x, 0x1ff0, sizeof x), "the other reads");
	}
	ct_close(&o);
	free(b.p);
}

int
main(void)
{
	elf = ct_connector("elf");
	kcore = ct_connector("kcore");
	test_qemu64();
	test_elf32();
	test_empty_load();
	test_xnum();
	test_bad();
	test_kcore();
	return done_testing();
}
