/* dump.h: the pieces of mf-dump shared by its files: the output file, the format writers
 * (dump-fmt.c) and the ELF writer that the process core (dump-proc.c) reuses.  Tools only. */
#ifndef MF_DUMP_H
#define MF_DUMP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mftools/mf.h>

#define DUMP_PAGE 4096u

/* Set by the SIGINT/SIGTERM/SIGHUP handler: every loop checks it and aborts cleanly. */
extern volatile sig_atomic_t dump_signal;

/* The output: a temporary file in the destination directory. */
struct dump_file {
	int fd;
	const char *name;            /* the final name, for messages */
	char *err;                   /* MF_ERRBUF_SIZE, the message of the first failure */
	uint64_t written;            /* bytes of data written (progress) */
};

/* Write n bytes at off: 0, or -1 with the message in f->err (disk full, signal). */
int dump_pwrite(struct dump_file *f, const void *p, size_t n, uint64_t off);
/* As dump_pwrite, but all-zero 4 KiB pages are skipped (the file stays sparse there;
 * the caller extends the file to its final size). */
int dump_pwrite_sparse(struct dump_file *f, const uint8_t *p, size_t n, uint64_t off);
bool dump_is_zero(const uint8_t *p, size_t n);

/* ---- physical-memory writers -------------------------------------------------------- */

enum dump_format { DUMP_F_RAW, DUMP_F_LIME, DUMP_F_ELF, DUMP_F_KDUMP };

/* What a writer knows about the source. */
struct dump_source {
	const struct mf_range *ranges;
	size_t nranges;
	uint32_t arch;               /* enum mf_arch, from the "arch" hint (UNKNOWN if none) */
	bool have_dtb;
	uint64_t dtb;
	const char *vmcoreinfo;      /* the "vmcoreinfo" hint, or NULL */
	const void *record;          /* the target record as msgpack, for the ELF MFTOOLS note */
	size_t record_len;
	uint64_t cpus;
	unsigned threads;            /* compression threads (kdump) */
};

struct dump_writer;

/* Data arrives in increasing address order.  `valid[k]` says whether the k-th 4 KiB page
 * slot of the chunk (slots aligned to absolute 4 KiB boundaries; the first and last may be
 * partial) could be read.  Chunks stay valid until dump_writer_flush returns. */
int dump_writer_new(enum dump_format fmt, struct dump_file *f, const struct dump_source *src,
                    struct dump_writer **out);
int dump_writer_data(struct dump_writer *w, uint64_t addr, const uint8_t *buf, size_t len, const bool *valid);
int dump_writer_flush(struct dump_writer *w);
int dump_writer_finish(struct dump_writer *w);
void dump_writer_free(struct dump_writer *w);
/* The VMCOREINFO text the kdump writer found in memory (NULL if none, or not kdump). */
const char *dump_writer_found_vmcoreinfo(const struct dump_writer *w);

/* ---- ELF core ---------------------------------------------------------------------- */

struct dump_elf_seg {
	uint64_t vaddr, paddr, offset, filesz, memsz;
	uint32_t flags;              /* PF_R 4, PF_W 2, PF_X 1 */
};

struct dump_elf {
	struct dump_file *f;
	uint16_t machine;
	uint8_t *notes;              /* the PT_NOTE contents */
	size_t notes_len;
	uint64_t notes_off;
	uint64_t data_off;           /* next file offset for segment data */
	struct dump_elf_seg *seg;
	size_t nseg, segcap;
	bool open;                   /* seg[nseg-1] can still grow */
	size_t ph_reserve;           /* program headers reserved after the ELF header (makedumpfile
	                              * and the kernel expect them there); more go after the data */
};

/* Append one note (name, type, descriptor) to e->notes. */
int dump_elf_note(struct dump_elf *e, const char *name, uint32_t type, const void *desc, size_t n);
/* Reserve the ELF header and ph_reserve program headers, write the notes; data follows
 * at a page boundary. */
int dump_elf_begin(struct dump_elf *e);
/* Bytes at vaddr/paddr: appended to the open segment when contiguous, else a new one. */
int dump_elf_add(struct dump_elf *e, uint64_t vaddr, uint64_t paddr, const uint8_t *p, size_t n, uint32_t flags);
/* A segment with no file data (p_filesz 0). */
int dump_elf_add_empty(struct dump_elf *e, uint64_t vaddr, uint64_t paddr, uint64_t memsz, uint32_t flags);
void dump_elf_close_seg(struct dump_elf *e);
/* Program headers after the data, then the ELF header. */
int dump_elf_finish(struct dump_elf *e);
void dump_elf_free(struct dump_elf *e);

uint16_t dump_elf_machine(uint32_t arch);

/* ---- process core (dump-proc.c) ---------------------------------------------------- */

struct dump_proc_opts {
	uint64_t pid;
	int verbosity;
	uint64_t max_errors;         /* UINT64_MAX = unlimited */
};
/* Write the core of process pid into f.  0, or -1 with the message in f->err. */
int dump_proc(struct mf_target *t, const struct dump_proc_opts *o, struct dump_file *f,
              void (*progress)(uint64_t done, uint64_t total));

#endif
