/* dump-fmt.c: mf-dump's format writers: raw (sparse), LiME v1, ELF64 core and
 * kdump-compressed (zlib, pages compressed on every core, written in order). */
#include "config.h"
#include "dump.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <zlib.h>

volatile sig_atomic_t dump_signal;

/* ---- the output file ------------------------------------------------------------------ */

static int
dump_interrupted(struct dump_file *f)
{
	snprintf(f->err, MF_ERRBUF_SIZE, "interrupted by %s", strsignal(dump_signal));
	return -1;
}

int
dump_pwrite(struct dump_file *f, const void *p, size_t n, uint64_t off)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t k;

		if (dump_signal)
			return dump_interrupted(f);
		if (off > (uint64_t)INT64_MAX - n) {
			snprintf(f->err, MF_ERRBUF_SIZE, "cannot write %s: offset 0x%" PRIx64 " too large", f->name, off);
			return -1;
		}
		k = pwrite(f->fd, b, n > (1u << 30) ? (1u << 30) : n, (off_t)off);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			snprintf(f->err, MF_ERRBUF_SIZE, "cannot write %s: %s", f->name, strerror(errno));
			return -1;
		}
		if (k == 0) {
			snprintf(f->err, MF_ERRBUF_SIZE, "cannot write %s: no progress", f->name);
			return -1;
		}
		b += k;
		off += (uint64_t)k;
		n -= (size_t)k;
	}
	return 0;
}

bool
dump_is_zero(const uint8_t *p, size_t n)
{
	static const uint8_t zero[256];

	while (n >= sizeof zero) {
		if (memcmp(p, zero, sizeof zero) != 0)
			return false;
		p += sizeof zero;
		n -= sizeof zero;
	}
	return n == 0 || memcmp(p, zero, n) == 0;
}

int
dump_pwrite_sparse(struct dump_file *f, const uint8_t *p, size_t n, uint64_t off)
{
	size_t i = 0, start = 0;
	bool in = false;

	/* write maximal runs of non-zero pages; pages are counted from `off` */
	while (i < n) {
		size_t k = n - i < DUMP_PAGE ? n - i : DUMP_PAGE;
		bool z = dump_is_zero(p + i, k);

		if (!z && !in) {
			start = i;
			in = true;
		} else if (z && in) {
			if (dump_pwrite(f, p + start, i - start, off + start) < 0)
				return -1;
			in = false;
		}
		i += k;
	}
	if (in && dump_pwrite(f, p + start, n - start, off + start) < 0)
		return -1;
	f->written += n;
	return 0;
}

/* Maximal runs of equal validity in a chunk: cb(ctx, addr, p, n, valid). */
typedef int (*dump_run_cb)(void *ctx, uint64_t addr, const uint8_t *p, size_t n, bool valid);

static int
dump_runs(uint64_t addr, const uint8_t *buf, size_t len, const bool *valid, dump_run_cb cb, void *ctx)
{
	size_t pos = 0, k = 0;

	while (pos < len) {
		size_t start = pos;
		bool v = valid[k];

		while (pos < len && valid[k] == v) {
			uint64_t a = addr + pos, room = DUMP_PAGE - (a % DUMP_PAGE);

			pos += room < len - pos ? (size_t)room : len - pos;
			k++;
		}
		if (cb(ctx, addr + start, buf + start, pos - start, v) < 0)
			return -1;
	}
	return 0;
}

static void
dump_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
dump_le32(uint8_t *p, uint32_t v)
{
	dump_le16(p, (uint16_t)v);
	dump_le16(p + 2, (uint16_t)(v >> 16));
}

static void
dump_le64(uint8_t *p, uint64_t v)
{
	dump_le32(p, (uint32_t)v);
	dump_le32(p + 4, (uint32_t)(v >> 32));
}

/* ---- ELF core ------------------------------------------------------------------------- */

#define ELF_EHDR 64u
#define ELF_PHDR 56u
#define ELF_SHDR 64u
#define ELF_PN_XNUM 0xffffu

uint16_t
dump_elf_machine(uint32_t arch)
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
dump_elf_note(struct dump_elf *e, const char *name, uint32_t type, const void *desc, size_t n)
{
	size_t namesz = strlen(name) + 1, need, pos = e->notes_len;
	uint8_t *p;

	if (n > UINT32_MAX - 8) {
		snprintf(e->f->err, MF_ERRBUF_SIZE, "note %s too large", name);
		return -1;
	}
	need = 12 + ((namesz + 3) & ~(size_t)3) + ((n + 3) & ~(size_t)3);
	if ((p = realloc(e->notes, pos + need)) == NULL) {
		snprintf(e->f->err, MF_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	e->notes = p;
	memset(p + pos, 0, need);
	dump_le32(p + pos, (uint32_t)namesz);
	dump_le32(p + pos + 4, (uint32_t)n);
	dump_le32(p + pos + 8, type);
	memcpy(p + pos + 12, name, namesz);
	if (n > 0)
		memcpy(p + pos + 12 + ((namesz + 3) & ~(size_t)3), desc, n);
	e->notes_len += need;
	return 0;
}

int
dump_elf_begin(struct dump_elf *e)
{
	if (e->ph_reserve > (1u << 20))
		e->ph_reserve = 1u << 20;
	e->notes_off = ELF_EHDR + (uint64_t)e->ph_reserve * ELF_PHDR;
	if (e->notes_len > 0 && dump_pwrite(e->f, e->notes, e->notes_len, e->notes_off) < 0)
		return -1;
	e->data_off = (e->notes_off + e->notes_len + DUMP_PAGE - 1) & ~(uint64_t)(DUMP_PAGE - 1);
	return 0;
}

static int
dump_elf_newseg(struct dump_elf *e)
{
	if (e->nseg == e->segcap) {
		size_t cap = e->segcap ? e->segcap * 2 : 64;
		struct dump_elf_seg *s;

		if (cap > (1u << 24) || (s = realloc(e->seg, cap * sizeof *s)) == NULL) {
			snprintf(e->f->err, MF_ERRBUF_SIZE, cap > (1u << 24) ? "too many ELF segments" : "out of memory");
			return -1;
		}
		e->seg = s;
		e->segcap = cap;
	}
	memset(&e->seg[e->nseg], 0, sizeof e->seg[0]);
	e->nseg++;
	return 0;
}

int
dump_elf_add(struct dump_elf *e, uint64_t vaddr, uint64_t paddr, const uint8_t *p, size_t n, uint32_t flags)
{
	struct dump_elf_seg *s = e->nseg ? &e->seg[e->nseg - 1] : NULL;

	if (n == 0)
		return 0;
	if (!(e->open && s != NULL && s->vaddr + s->memsz == vaddr && s->paddr + s->memsz == paddr &&
	      s->filesz == s->memsz && s->offset + s->filesz == e->data_off && s->flags == flags)) {
		if (dump_elf_newseg(e) < 0)
			return -1;
		s = &e->seg[e->nseg - 1];
		s->vaddr = vaddr;
		s->paddr = paddr;
		s->offset = e->data_off;
		s->flags = flags;
		e->open = true;
	}
	if (dump_pwrite_sparse(e->f, p, n, e->data_off) < 0)
		return -1;
	s->filesz += n;
	s->memsz += n;
	e->data_off += n;
	return 0;
}

int
dump_elf_add_empty(struct dump_elf *e, uint64_t vaddr, uint64_t paddr, uint64_t memsz, uint32_t flags)
{
	struct dump_elf_seg *s = e->nseg ? &e->seg[e->nseg - 1] : NULL;

	if (e->open && s != NULL && s->filesz == 0 && s->vaddr + s->memsz == vaddr && s->paddr + s->memsz == paddr &&
	    s->flags == flags) {
		s->memsz += memsz;
		return 0;
	}
	if (dump_elf_newseg(e) < 0)
		return -1;
	s = &e->seg[e->nseg - 1];
	s->vaddr = vaddr;
	s->paddr = paddr;
	s->offset = e->data_off;
	s->memsz = memsz;
	s->flags = flags;
	e->open = true;
	return 0;
}

void
dump_elf_close_seg(struct dump_elf *e)
{
	e->open = false;
}

int
dump_elf_finish(struct dump_elf *e)
{
	uint64_t phnum = e->nseg + 1, phoff = (e->data_off + 7) & ~7ull, shoff = 0;
	size_t tsize = (size_t)phnum * ELF_PHDR, i;
	uint8_t *ph, eh[ELF_EHDR] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	int r;

	if ((ph = calloc(1, tsize + ELF_SHDR)) == NULL) {
		snprintf(e->f->err, MF_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	/* PT_NOTE first, as QEMU and the kernel write it */
	dump_le32(ph + 0, 4);
	dump_le64(ph + 8, e->notes_off);
	dump_le64(ph + 32, e->notes_len);
	dump_le64(ph + 40, e->notes_len);
	dump_le64(ph + 48, 4);
	for (i = 0; i < e->nseg; i++) {
		uint8_t *p = ph + (i + 1) * ELF_PHDR;
		const struct dump_elf_seg *s = &e->seg[i];

		dump_le32(p + 0, 1);   /* PT_LOAD */
		dump_le32(p + 4, s->flags);
		dump_le64(p + 8, s->offset);
		dump_le64(p + 16, s->vaddr);
		dump_le64(p + 24, s->paddr);
		dump_le64(p + 32, s->filesz);
		dump_le64(p + 40, s->memsz);
		dump_le64(p + 48, 0);
	}
	if (phnum <= e->ph_reserve && phnum < ELF_PN_XNUM)
		phoff = ELF_EHDR;   /* where /proc/vmcore has them, and makedumpfile looks */
	if (phnum >= ELF_PN_XNUM) {
		/* the real count goes into section header 0's sh_info */
		shoff = phoff + tsize;
		dump_le32(ph + tsize + 44, (uint32_t)phnum);
		tsize += ELF_SHDR;
	}
	r = dump_pwrite(e->f, ph, tsize, phoff);
	free(ph);
	if (r < 0)
		return -1;
	/* trailing zero pages were skipped: the file must still reach the end of the data */
	if (phoff == ELF_EHDR && ftruncate(e->f->fd, (off_t)e->data_off) < 0) {
		snprintf(e->f->err, MF_ERRBUF_SIZE, "cannot extend %s to %" PRIu64 " bytes: %s", e->f->name, e->data_off,
		         strerror(errno));
		return -1;
	}
	dump_le16(eh + 16, 4);            /* ET_CORE */
	dump_le16(eh + 18, e->machine);
	dump_le32(eh + 20, 1);
	dump_le64(eh + 32, phoff);
	dump_le64(eh + 40, shoff);
	dump_le16(eh + 52, ELF_EHDR);
	dump_le16(eh + 54, ELF_PHDR);
	dump_le16(eh + 56, phnum >= ELF_PN_XNUM ? ELF_PN_XNUM : (uint16_t)phnum);
	dump_le16(eh + 58, shoff ? ELF_SHDR : 0);
	dump_le16(eh + 60, shoff ? 1 : 0);
	return dump_pwrite(e->f, eh, sizeof eh, 0);
}

void
dump_elf_free(struct dump_elf *e)
{
	free(e->notes);
	free(e->seg);
	e->notes = NULL;
	e->seg = NULL;
}

/* ---- writers -------------------------------------------------------------------------- */

#define KD_BLOCK 4096u
#define KD_QUEUE 4096u          /* pages compressed per parallel round */
#define KD_OWN 64u              /* partial pages copied per round */
#define KD_VMCI_MAX 4096u       /* the kernel's VMCOREINFO_BYTES */
#define KD_SUBHDR 0x68u
#define KD_WBUF (1u << 20)
#define KD_MAX_MAPNR (1ull << 36)   /* 256 TiB of physical address space */

struct kd_result {
	uint32_t size;
	uint32_t flags;              /* 1 zlib, 0 raw */
	bool zero;
};

struct kd_worker {
	struct dump_writer *w;
	size_t from, to;
	z_stream zs;
	bool zinit;
	int err;
};

struct dump_writer {
	enum dump_format fmt;
	struct dump_file *f;
	const struct dump_source *src;
	uint64_t end;                /* end of the last range */
	/* raw, lime */
	uint64_t off;                /* lime: next file offset */
	bool in_run;
	uint64_t run_start, run_next, run_hdr;
	/* elf */
	struct dump_elf elf;
	/* kdump */
	uint64_t max_mapnr;
	uint8_t *bitmap;
	size_t bitmap_len;           /* bytes of one bitmap, block-aligned */
	uint32_t sub_blocks, bitmap_blocks;
	uint64_t off_bitmap, off_desc, off_data, off_zero;
	uint64_t ndesc, maxdesc;
	const char *vmci;            /* hint or found */
	char *vmci_found;
	uint64_t pend_pfn;           /* a partial page being assembled */
	bool pend;
	uint8_t *pend_buf;
	size_t nq;
	uint64_t q_pfn[KD_QUEUE];
	const uint8_t *q_src[KD_QUEUE];
	struct kd_result q_res[KD_QUEUE];
	uint8_t *own;                /* KD_OWN pages */
	size_t nown;
	uint8_t *zout;               /* KD_QUEUE * zbound */
	size_t zbound;
	uint8_t *desc;               /* KD_QUEUE * 24 */
	uint8_t *wbuf;
	size_t wlen;
	uint64_t wbuf_off;
	unsigned nthreads;
	struct kd_worker *workers;
};

static int
dump_oom(struct dump_file *f)
{
	snprintf(f->err, MF_ERRBUF_SIZE, "out of memory");
	return -1;
}

/* raw: data at its physical address; holes and unreadable pages stay sparse */
static int
raw_run(void *ctx, uint64_t addr, const uint8_t *p, size_t n, bool valid)
{
	struct dump_writer *w = ctx;

	if (!valid)
		return 0;
	return dump_pwrite_sparse(w->f, p, n, addr);
}

/* LiME: a header in front of every present run, written when the run ends */
static int
lime_close_run(struct dump_writer *w)
{
	uint8_t h[32] = { 0 };

	if (!w->in_run)
		return 0;
	w->in_run = false;
	dump_le32(h, 0x4C694D45u);
	dump_le32(h + 4, 1);
	dump_le64(h + 8, w->run_start);
	dump_le64(h + 16, w->run_next - 1);
	return dump_pwrite(w->f, h, sizeof h, w->run_hdr);
}

static int
lime_run(void *ctx, uint64_t addr, const uint8_t *p, size_t n, bool valid)
{
	struct dump_writer *w = ctx;

	if (!valid)
		return lime_close_run(w);
	if (w->in_run && addr != w->run_next && lime_close_run(w) < 0)
		return -1;
	if (!w->in_run) {
		w->in_run = true;
		w->run_start = w->run_next = addr;
		w->run_hdr = w->off;
		w->off += 32;
	}
	if (dump_pwrite_sparse(w->f, p, n, w->off) < 0)
		return -1;
	w->off += n;
	w->run_next += n;
	return 0;
}

static int
elf_run(void *ctx, uint64_t addr, const uint8_t *p, size_t n, bool valid)
{
	struct dump_writer *w = ctx;

	if (!valid) {
		dump_elf_close_seg(&w->elf);
		return 0;
	}
	return dump_elf_add(&w->elf, addr, addr, p, n, 7);
}

/* The MFTOOLS, VMCOREINFO and QEMU notes of a physical ELF core. */
static int
elf_phys_notes(struct dump_writer *w)
{
	const struct dump_source *s = w->src;
	struct dump_elf *e = &w->elf;

	if (s->record && dump_elf_note(e, "MFTOOLS", 1, s->record, s->record_len) < 0)
		return -1;
	if (s->vmcoreinfo && dump_elf_note(e, "VMCOREINFO", 0, s->vmcoreinfo, strlen(s->vmcoreinfo)) < 0)
		return -1;
	if (s->have_dtb && (e->machine == 62 || e->machine == 3)) {
		/* QEMUCPUState v1: version, size, ..., cr[0..4] at 0x188 */
		uint8_t q[0x1b8] = { 0 };
		uint64_t cr4 = 0;

		if (s->arch == MF_ARCH_X86_64 || s->arch == MF_ARCH_X86_64_LA57 || s->arch == MF_ARCH_X86_PAE ||
		    s->arch == MF_ARCH_UNKNOWN)
			cr4 |= 1u << 5;                 /* PAE */
		if (s->arch == MF_ARCH_X86_64_LA57)
			cr4 |= 1u << 12;                /* LA57 */
		dump_le32(q, 1);
		dump_le32(q + 4, sizeof q);
		dump_le64(q + 0x188, 0x80000011u);   /* PG, ET, PE */
		dump_le64(q + 0x1a0, s->dtb);
		dump_le64(q + 0x1a8, cr4);
		if (dump_elf_note(e, "QEMU", 0, q, sizeof q) < 0)
			return -1;
	}
	return 0;
}

/* ---- kdump ---- */

/* A "KEY=value" line of VMCOREINFO text into out; false if absent. */
static bool
kd_vmci_get(const char *text, const char *key, char *out, size_t size)
{
	size_t kl = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
			const char *v = p + kl + 1, *e = strchr(v, '\n');
			size_t n = e ? (size_t)(e - v) : strlen(v);

			if (n >= size)
				n = size - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return true;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

/* Look for the kernel's VMCOREINFO ELF note (namesz 11, "VMCOREINFO", text starting with
 * OSRELEASE=) in a chunk of memory. */
static void
kd_vmci_search(struct dump_writer *w, const uint8_t *buf, size_t len)
{
	static const char needle[] = "OSRELEASE=";
	const uint8_t *p = buf, *end = buf + len;

	while (p < end && (p = memmem(p, (size_t)(end - p), needle, sizeof needle - 1)) != NULL) {
		if (p - buf >= 24) {
			const uint8_t *h = p - 24;
			uint32_t namesz = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
			uint32_t descsz = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
			uint32_t type = (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 | (uint32_t)h[11] << 24;

			if (namesz == 11 && type == 0 && memcmp(h + 12, "VMCOREINFO\0", 11) == 0 && descsz > 10 &&
			    descsz <= KD_VMCI_MAX && descsz <= (size_t)(end - p)) {
				size_t n = strnlen((const char *)p, descsz);

				if ((w->vmci_found = malloc(n + 1)) != NULL) {
					memcpy(w->vmci_found, p, n);
					w->vmci_found[n] = '\0';
					w->vmci = w->vmci_found;
				}
				return;
			}
		}
		p++;
	}
}

static void
kd_compress_range(struct kd_worker *k)
{
	struct dump_writer *w = k->w;
	size_t i;

	for (i = k->from; i < k->to; i++) {
		struct kd_result *r = &w->q_res[i];
		const uint8_t *src = w->q_src[i];
		uint8_t *dst = w->zout + i * w->zbound;

		r->zero = dump_is_zero(src, DUMP_PAGE);
		if (r->zero)
			continue;
		if (deflateReset(&k->zs) != Z_OK) {
			k->err = -1;
			return;
		}
		k->zs.next_in = (Bytef *)(uintptr_t)src;
		k->zs.avail_in = DUMP_PAGE;
		k->zs.next_out = dst;
		k->zs.avail_out = (uInt)w->zbound;
		if (deflate(&k->zs, Z_FINISH) == Z_STREAM_END && k->zs.total_out < DUMP_PAGE) {
			r->size = (uint32_t)k->zs.total_out;
			r->flags = 1;
		} else {
			r->size = DUMP_PAGE;
			r->flags = 0;
		}
	}
}

static void *
kd_thread(void *arg)
{
	kd_compress_range(arg);
	return NULL;
}

static int
kd_wflush(struct dump_writer *w)
{
	if (w->wlen == 0)
		return 0;
	if (dump_pwrite(w->f, w->wbuf, w->wlen, w->wbuf_off) < 0)
		return -1;
	w->wbuf_off += w->wlen;
	w->wlen = 0;
	return 0;
}

static int
kd_append(struct dump_writer *w, const uint8_t *p, size_t n)
{
	if (w->wlen + n > KD_WBUF && kd_wflush(w) < 0)
		return -1;
	memcpy(w->wbuf + w->wlen, p, n);
	w->wlen += n;
	return 0;
}

/* Compress the queued pages in parallel, then write data and descriptors in PFN order. */
static int
kd_round(struct dump_writer *w)
{
	pthread_t tid[64];
	bool started[64] = { false };
	size_t i, per;
	unsigned t, nt = w->nthreads;
	uint64_t desc_first = w->ndesc;
	int err = 0;

	if (w->nq == 0)
		return 0;
	if (nt > w->nq)
		nt = (unsigned)w->nq;
	per = (w->nq + nt - 1) / nt;
	for (t = 0; t < nt; t++) {
		struct kd_worker *k = &w->workers[t];

		k->from = t * per;
		k->to = k->from + per < w->nq ? k->from + per : w->nq;
		k->err = 0;
		if (t > 0 && k->from < k->to && pthread_create(&tid[t], NULL, kd_thread, k) == 0)
			started[t] = true;
		else if (t > 0)
			kd_compress_range(k);   /* no thread: do it here */
	}
	kd_compress_range(&w->workers[0]);
	for (t = 1; t < nt; t++)
		if (started[t])
			pthread_join(tid[t], NULL);
	for (t = 0; t < nt; t++)
		if (w->workers[t].err)
			err = -1;
	if (err) {
		snprintf(w->f->err, MF_ERRBUF_SIZE, "zlib compression failed");
		return -1;
	}
	for (i = 0; i < w->nq; i++) {
		const struct kd_result *r = &w->q_res[i];
		uint8_t *d = w->desc + (size_t)(w->ndesc - desc_first) * 24;

		if (w->ndesc >= w->maxdesc) {
			snprintf(w->f->err, MF_ERRBUF_SIZE, "more pages than the memory map announced");
			return -1;
		}
		if (r->zero) {
			dump_le64(d, w->off_zero);
			dump_le32(d + 8, DUMP_PAGE);
			dump_le32(d + 12, 0);
		} else {
			dump_le64(d, w->wbuf_off + w->wlen);
			dump_le32(d + 8, r->size);
			dump_le32(d + 12, r->flags);
			if (kd_append(w, r->flags ? w->zout + i * w->zbound : w->q_src[i], r->size) < 0)
				return -1;
		}
		dump_le64(d + 16, 0);
		w->bitmap[w->q_pfn[i] / 8] |= (uint8_t)(1u << (w->q_pfn[i] % 8));
		w->ndesc++;
		w->f->written += DUMP_PAGE;
	}
	if (dump_pwrite(w->f, w->desc, (size_t)(w->ndesc - desc_first) * 24, w->off_desc + desc_first * 24) < 0)
		return -1;
	w->nq = 0;
	w->nown = 0;
	return 0;
}

static int
kd_queue(struct dump_writer *w, uint64_t pfn, const uint8_t *page)
{
	if (w->nq == KD_QUEUE && kd_round(w) < 0)
		return -1;
	w->q_pfn[w->nq] = pfn;
	w->q_src[w->nq] = page;
	w->nq++;
	return 0;
}

static int
kd_pend_flush(struct dump_writer *w)
{
	uint8_t *copy;

	if (!w->pend)
		return 0;
	if ((w->nown == KD_OWN || w->nq == KD_QUEUE) && kd_round(w) < 0)
		return -1;
	copy = w->own + w->nown++ * DUMP_PAGE;
	memcpy(copy, w->pend_buf, DUMP_PAGE);
	w->pend = false;
	return kd_queue(w, w->pend_pfn, copy);
}

static int
kd_run(void *ctx, uint64_t addr, const uint8_t *p, size_t n, bool valid)
{
	struct dump_writer *w = ctx;

	if (!valid)
		return 0;
	while (n > 0) {
		uint64_t pfn = addr / DUMP_PAGE, in = addr % DUMP_PAGE;
		size_t k = DUMP_PAGE - in < n ? (size_t)(DUMP_PAGE - in) : n;

		if (w->pend && w->pend_pfn != pfn && kd_pend_flush(w) < 0)
			return -1;
		if (pfn >= w->max_mapnr)
			return 0;
		if (k == DUMP_PAGE && !w->pend) {
			if (kd_queue(w, pfn, p) < 0)
				return -1;
		} else {
			/* a page the memory map covers only in part: the rest reads as zeros */
			if (!w->pend) {
				memset(w->pend_buf, 0, DUMP_PAGE);
				w->pend = true;
				w->pend_pfn = pfn;
			}
			memcpy(w->pend_buf + in, p, k);
		}
		addr += k;
		p += k;
		n -= k;
	}
	return 0;
}

static int
kd_begin(struct dump_writer *w)
{
	const struct dump_source *s = w->src;
	uint64_t pages = 0, bm;
	size_t i;
	unsigned t;
	uint8_t zero[DUMP_PAGE] = { 0 };

	for (i = 0; i < s->nranges; i++)
		pages += (s->ranges[i].size + DUMP_PAGE - 1) / DUMP_PAGE + 1;
	w->max_mapnr = (w->end + DUMP_PAGE - 1) / DUMP_PAGE;
	if (w->max_mapnr > KD_MAX_MAPNR) {
		snprintf(w->f->err, MF_ERRBUF_SIZE, "physical memory ends at 0x%" PRIx64 ": too large for a kdump bitmap", w->end);
		return -1;
	}
	bm = (w->max_mapnr + 7) / 8;
	bm = (bm + KD_BLOCK - 1) / KD_BLOCK * KD_BLOCK;
	if (bm == 0)
		bm = KD_BLOCK;
	w->bitmap_len = (size_t)bm;
	w->bitmap_blocks = (uint32_t)(2 * bm / KD_BLOCK);
	w->vmci = s->vmcoreinfo;
	/* sub header + one VMCOREINFO note; room for a note found in memory when there is no hint */
	{
		size_t vl = w->vmci ? strlen(w->vmci) : KD_VMCI_MAX;

		w->sub_blocks = (uint32_t)((KD_SUBHDR + 24 + vl + 4 + KD_BLOCK - 1) / KD_BLOCK);
	}
	w->off_bitmap = (uint64_t)KD_BLOCK * (1 + w->sub_blocks);
	w->off_desc = w->off_bitmap + 2 * bm;
	w->maxdesc = pages;
	w->off_zero = (w->off_desc + pages * 24 + KD_BLOCK - 1) / KD_BLOCK * KD_BLOCK;
	w->off_data = w->off_zero + DUMP_PAGE;
	w->wbuf_off = w->off_data;
	w->zbound = compressBound(DUMP_PAGE);
	if ((w->bitmap = calloc(1, w->bitmap_len)) == NULL || (w->pend_buf = malloc(DUMP_PAGE)) == NULL ||
	    (w->own = malloc((size_t)KD_OWN * DUMP_PAGE)) == NULL || (w->zout = malloc(KD_QUEUE * w->zbound)) == NULL ||
	    (w->desc = malloc((size_t)KD_QUEUE * 24)) == NULL || (w->wbuf = malloc(KD_WBUF)) == NULL)
		return dump_oom(w->f);
	w->nthreads = s->threads < 1 ? 1 : s->threads > 64 ? 64 : s->threads;
	if ((w->workers = calloc(w->nthreads, sizeof *w->workers)) == NULL)
		return dump_oom(w->f);
	for (t = 0; t < w->nthreads; t++) {
		w->workers[t].w = w;
		if (deflateInit(&w->workers[t].zs, 1) != Z_OK) {
			snprintf(w->f->err, MF_ERRBUF_SIZE, "cannot initialise zlib");
			return -1;
		}
		w->workers[t].zinit = true;
	}
	/* the one all-zero page every zero page's descriptor points at, as QEMU does */
	return dump_pwrite(w->f, zero, sizeof zero, w->off_zero);
}

static int
kd_finish(struct dump_writer *w)
{
	const struct dump_source *s = w->src;
	uint8_t h[KD_BLOCK] = { 0 }, *sub;
	size_t vl = 0, sublen;
	char rel[65] = "", v[64];
	struct timeval tv;
	const char *machine;
	uint64_t phys_base = 0;
	int r;

	if (kd_pend_flush(w) < 0 || kd_round(w) < 0 || kd_wflush(w) < 0)
		return -1;
	/* both bitmaps: what exists and what is dumped are the same pages */
	if (dump_pwrite(w->f, w->bitmap, w->bitmap_len, w->off_bitmap) < 0 ||
	    dump_pwrite(w->f, w->bitmap, w->bitmap_len, w->off_bitmap + w->bitmap_len) < 0)
		return -1;
	if (w->vmci) {
		vl = strlen(w->vmci);
		if (vl > (size_t)w->sub_blocks * KD_BLOCK - KD_SUBHDR - 24 - 4)
			vl = (size_t)w->sub_blocks * KD_BLOCK - KD_SUBHDR - 24 - 4;
		kd_vmci_get(w->vmci, "OSRELEASE", rel, sizeof rel);
		if (kd_vmci_get(w->vmci, "NUMBER(phys_base)", v, sizeof v)) {
			int64_t pb;

			if (mf_parse_i64(v, &pb) == 0)
				phys_base = (uint64_t)pb;
		}
	}
	/* main header */
	memcpy(h, "KDUMP   ", 8);
	dump_le32(h + 0x008, 6);
	switch (s->arch) {
	case MF_ARCH_X86_32: case MF_ARCH_X86_PAE: machine = "i686"; break;
	case MF_ARCH_AARCH64: machine = "aarch64"; break;
	default: machine = "x86_64"; break;
	}
	memcpy(h + 0x00c, "Linux", 5);                  /* sysname */
	memcpy(h + 0x00c + 2 * 65, rel, strlen(rel));    /* release */
	memcpy(h + 0x00c + 4 * 65, machine, strlen(machine));
	gettimeofday(&tv, NULL);
	dump_le64(h + 0x198, (uint64_t)tv.tv_sec);
	dump_le64(h + 0x1a0, (uint64_t)tv.tv_usec);
	dump_le32(h + 0x1a8, 1);                         /* DUMP_DH_COMPRESSED_ZLIB */
	dump_le32(h + 0x1ac, KD_BLOCK);
	dump_le32(h + 0x1b0, w->sub_blocks);
	dump_le32(h + 0x1b4, w->bitmap_blocks);
	dump_le32(h + 0x1b8, w->max_mapnr > UINT32_MAX ? UINT32_MAX : (uint32_t)w->max_mapnr);
	dump_le32(h + 0x1bc, w->max_mapnr > UINT32_MAX ? UINT32_MAX : (uint32_t)w->max_mapnr);
	dump_le32(h + 0x1c8, 0);
	dump_le32(h + 0x1cc, s->cpus > 0 && s->cpus < 4096 ? (uint32_t)s->cpus : 1);
	if (dump_pwrite(w->f, h, sizeof h, 0) < 0)
		return -1;
	/* sub header, then the VMCOREINFO note */
	sublen = (size_t)w->sub_blocks * KD_BLOCK;
	if ((sub = calloc(1, sublen)) == NULL)
		return dump_oom(w->f);
	dump_le64(sub + 0x00, phys_base);
	dump_le32(sub + 0x08, 0);                        /* dump_level: everything */
	dump_le64(sub + 0x50, 0);
	dump_le64(sub + 0x58, w->max_mapnr);
	dump_le64(sub + 0x60, w->max_mapnr);
	dump_le64(sub + 0x10, 0);
	dump_le64(sub + 0x18, w->max_mapnr > UINT32_MAX ? UINT32_MAX : w->max_mapnr);
	if (vl > 0) {
		uint8_t *n = sub + KD_SUBHDR;

		dump_le32(n, 11);
		dump_le32(n + 4, (uint32_t)vl);
		dump_le32(n + 8, 0);
		memcpy(n + 12, "VMCOREINFO", 10);
		memcpy(n + 24, w->vmci, vl);
		dump_le64(sub + 0x20, KD_BLOCK + KD_SUBHDR + 24);
		dump_le64(sub + 0x28, vl);
		dump_le64(sub + 0x30, KD_BLOCK + KD_SUBHDR);
		dump_le64(sub + 0x38, 24 + ((vl + 3) & ~(size_t)3));
	}
	r = dump_pwrite(w->f, sub, sublen, KD_BLOCK);
	free(sub);
	return r;
}

/* ---- the interface ---- */

int
dump_writer_new(enum dump_format fmt, struct dump_file *f, const struct dump_source *src, struct dump_writer **out)
{
	struct dump_writer *w = calloc(1, sizeof *w);

	*out = NULL;
	if (w == NULL)
		return dump_oom(f);
	w->fmt = fmt;
	w->f = f;
	w->src = src;
	if (src->nranges > 0)
		w->end = src->ranges[src->nranges - 1].base + src->ranges[src->nranges - 1].size;
	*out = w;
	switch (fmt) {
	case DUMP_F_ELF:
		w->elf.f = f;
		w->elf.machine = dump_elf_machine(src->arch);
		w->elf.ph_reserve = src->nranges + 1 + 1024;
		if (elf_phys_notes(w) < 0 || dump_elf_begin(&w->elf) < 0)
			return -1;
		return 0;
	case DUMP_F_KDUMP:
		return kd_begin(w);
	default:
		return 0;
	}
}

int
dump_writer_data(struct dump_writer *w, uint64_t addr, const uint8_t *buf, size_t len, const bool *valid)
{
	switch (w->fmt) {
	case DUMP_F_RAW:
		return dump_runs(addr, buf, len, valid, raw_run, w);
	case DUMP_F_LIME:
		return dump_runs(addr, buf, len, valid, lime_run, w);
	case DUMP_F_ELF:
		return dump_runs(addr, buf, len, valid, elf_run, w);
	case DUMP_F_KDUMP:
		if (w->vmci == NULL)
			kd_vmci_search(w, buf, len);
		return dump_runs(addr, buf, len, valid, kd_run, w);
	}
	return 0;
}

int
dump_writer_flush(struct dump_writer *w)
{
	if (w->fmt == DUMP_F_KDUMP)
		return kd_round(w);
	return 0;
}

int
dump_writer_finish(struct dump_writer *w)
{
	switch (w->fmt) {
	case DUMP_F_RAW:
		if (ftruncate(w->f->fd, (off_t)w->end) < 0) {
			snprintf(w->f->err, MF_ERRBUF_SIZE, "cannot extend %s to %" PRIu64 " bytes: %s", w->f->name, w->end,
			         strerror(errno));
			return -1;
		}
		return 0;
	case DUMP_F_LIME:
		if (lime_close_run(w) < 0)
			return -1;
		if (ftruncate(w->f->fd, (off_t)w->off) < 0) {
			snprintf(w->f->err, MF_ERRBUF_SIZE, "cannot extend %s: %s", w->f->name, strerror(errno));
			return -1;
		}
		return 0;
	case DUMP_F_ELF:
		return dump_elf_finish(&w->elf);
	case DUMP_F_KDUMP:
		return kd_finish(w);
	}
	return 0;
}

const char *
dump_writer_found_vmcoreinfo(const struct dump_writer *w)
{
	return w ? w->vmci_found : NULL;
}

void
dump_writer_free(struct dump_writer *w)
{
	unsigned t;

	if (w == NULL)
		return;
	dump_elf_free(&w->elf);
	if (w->workers)
		for (t = 0; t < w->nthreads; t++)
			if (w->workers[t].zinit)
				deflateEnd(&w->workers[t].zs);
	free(w->workers);
	free(w->bitmap);
	free(w->pend_buf);
	free(w->own);
	free(w->zout);
	free(w->desc);
	free(w->wbuf);
	free(w->vmci_found);
	free(w);
}
