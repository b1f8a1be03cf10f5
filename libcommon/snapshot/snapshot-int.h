/* snapshot-int.h: the parts of the snapshot library its files share: the out-of-memory
 * message, the ELF core builder (elfcore.c, used by elf.c and proc.c) and the interface each
 * format file implements (writer.c dispatches to it).  Inside libcommon/snapshot/ only. */
#ifndef MF_SNAPSHOT_INT_H
#define MF_SNAPSHOT_INT_H

#include "snapshot/snapshot.h"
#include "pluginlib/bytes.h"

/* "out of memory" in f->err; returns -1. */
int snap_oom(struct snap_file *f);

#define SNAP_VMCI_MAX 4096u      /* the kernel's VMCOREINFO_BYTES */
/* The text of the kernel's VMCOREINFO ELF note (namesz 11, "VMCOREINFO", descriptor
 * starting with OSRELEASE=, at most SNAP_VMCI_MAX bytes) in a chunk of memory: a copy to
 * free(), or NULL when there is none (or no memory).  For the writers without the hint. */
char *snap_vmci_search(const uint8_t *buf, size_t len);

/* ELF notes (name NUL-terminated, name and descriptor 4-byte aligned): the bytes of one, and
 * one written at out (snap_note_size bytes, the padding zero). */
size_t snap_note_size(const char *name, size_t descsz);
void snap_note_put(uint8_t *out, const char *name, uint32_t type, const void *desc, size_t descsz);
/* fn for each CORE and QEMU note of the source's "cpu_notes" hint p (the elf connector's
 * CPU notes; the hint may come from a piped record: whole CORE and QEMU notes only, the
 * rest is skipped): 0 when all went through, else fn's negative return. */
int snap_cpu_notes_each(const uint8_t *p, size_t n,
                        int (*fn)(void *ctx, const char *name, uint32_t type, const uint8_t *desc, size_t descsz),
                        void *ctx);

/* ---- the ELF core builder ------------------------------------------------------------ */

struct snap_elf_seg {
	uint64_t vaddr, paddr, offset, filesz, memsz;
	uint32_t flags;              /* PF_R 4, PF_W 2, PF_X 1 */
};

struct snap_elf {
	struct snap_file *f;
	uint16_t machine;
	uint8_t *notes;              /* the PT_NOTE contents */
	size_t notes_len;
	size_t notes_room;           /* bytes reserved for notes added before snap_elf_finish */
	size_t notes_written;
	uint64_t notes_off;
	uint64_t data_off;           /* next file offset for segment data */
	struct snap_elf_seg *seg;
	size_t nseg, segcap;
	bool open;                   /* seg[nseg-1] can still grow */
	size_t ph_reserve;           /* program headers reserved after the ELF header (makedumpfile
	                              * and the kernel expect them there); more go after the data */
};

/* Append one note (name, type, descriptor) to e->notes. */
int snap_elf_note(struct snap_elf *e, const char *name, uint32_t type, const void *desc, size_t n);
/* Reserve the ELF header and ph_reserve program headers, write the notes (and leave
 * notes_room bytes after them); data follows at a page boundary. */
int snap_elf_begin(struct snap_elf *e);
/* Bytes at vaddr/paddr: appended to the open segment when contiguous, else a new one. */
int snap_elf_add(struct snap_elf *e, uint64_t vaddr, uint64_t paddr, const uint8_t *p, size_t n, uint32_t flags);
/* A segment with no file data (p_filesz 0). */
int snap_elf_add_empty(struct snap_elf *e, uint64_t vaddr, uint64_t paddr, uint64_t memsz, uint32_t flags);
void snap_elf_close_seg(struct snap_elf *e);
/* The notes again if some were added (within notes_room), the program headers, then the
 * ELF header. */
int snap_elf_finish(struct snap_elf *e);
void snap_elf_free(struct snap_elf *e);
/* e_machine for an architecture (EM_X86_64 when unknown). */
uint16_t snap_elf_machine(uint32_t arch);

/* ---- the formats --------------------------------------------------------------------- */

struct snap_writer {
	const struct snap_format_ops *ops;
	struct snap_file *f;
	const struct snap_source *src;
	uint64_t end;                /* end of the last range */
	void *priv;                  /* the format's state */
};

/* One format.  run: a run of data (valid) or of a hole (p NULL), in address order. */
struct snap_format_ops {
	int (*begin)(struct snap_writer *w);
	int (*run)(struct snap_writer *w, uint64_t addr, const uint8_t *p, uint64_t n, bool valid);
	int (*flush)(struct snap_writer *w);      /* NULL: nothing held */
	int (*finish)(struct snap_writer *w);
	void (*free)(struct snap_writer *w);
	const char *(*found_vmcoreinfo)(const struct snap_writer *w);   /* NULL: never */
};

extern const struct snap_format_ops snap_raw_ops, snap_lime_ops, snap_elf_ops, snap_kdump_ops;

#endif /* MF_SNAPSHOT_INT_H */
