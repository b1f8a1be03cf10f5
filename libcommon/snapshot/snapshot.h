/* snapshot/snapshot.h: writing snapshots: the output file, the physical-memory writers (raw,
 * LiME, ELF core with the MFTOOLS note, kdump-compressed with zlib), the loop that reads a
 * target's physical memory into them, and the process core for gdb.  The atomic publish and
 * the --keep rotation are in snapshot/output.h.  The library never prints (progress and
 * messages go through callbacks and f->err) and never exits.
 *
 * Files: file.c (the output file), writer.c (the format interface), raw.c, lime.c, elf.c,
 * kdump.c (one per format), elfcore.c (the ELF core builder elf.c and proc.c share),
 * phys.c (physical memory through the span reader), proc.c (process cores). */
#ifndef MF_SNAPSHOT_H
#define MF_SNAPSHOT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mftools/mf.h>

#define SNAP_PAGE 4096u

/* Our ELF notes are named "MFTOOLS"; their types are ours (readelf: unknown), never a core
 * note's.  Files written before these types carried the record as type 1 (readers accept it). */
#define SNAP_NT_MFTOOLS_RECORD 0x4d460001u  /* the source's target record, msgpack */
#define SNAP_NT_MFTOOLS_MARK 0x4d460002u    /* the marker text of snapshot/output.h */
#define SNAP_NT_MFTOOLS_OLD 1u

/* The file a snapshot is written to. */
struct snap_file {
	int fd;
	const char *name;            /* the final name, for messages */
	char *err;                   /* MF_ERRBUF_SIZE, the message of the first failure */
	uint64_t written;            /* bytes of data written (progress) */
	const volatile sig_atomic_t *stop;   /* non-zero (a signal number): abort; may be NULL */
};

/* Write n bytes at off: 0, or -1 with the message in f->err (disk full, *stop set). */
int snap_pwrite(struct snap_file *f, const void *p, size_t n, uint64_t off);
/* As snap_pwrite, but all-zero 4 KiB pages are skipped (the file stays sparse there; the
 * writer extends the file to its final size). */
int snap_pwrite_sparse(struct snap_file *f, const uint8_t *p, size_t n, uint64_t off);
bool snap_is_zero(const uint8_t *p, size_t n);
/* Seconds on the monotonic clock (progress and rate limits). */
double snap_now(void);
/* -1 with "interrupted by SIGNAL" in f->err when *f->stop is set, else 0. */
int snap_check_stop(struct snap_file *f);

/* ---- physical-memory writers --------------------------------------------------------- */

enum snap_format { SNAP_F_RAW, SNAP_F_LIME, SNAP_F_ELF, SNAP_F_KDUMP };

/* "raw", "lime", "elf", "kdump": 0 and *fmt, or -1. */
int snap_format_parse(const char *s, enum snap_format *fmt);
/* The format a file name's suffix names (.raw .img .lime .elf .core .kdump): 0, or -1. */
int snap_format_from_name(const char *path, enum snap_format *fmt);

/* What a writer knows about the source. */
struct snap_source {
	const struct mf_range *ranges;
	size_t nranges;
	uint32_t arch;               /* enum mf_arch, from the "arch" hint (UNKNOWN if none) */
	bool have_dtb;
	uint64_t dtb;
	const char *vmcoreinfo;      /* the "vmcoreinfo" hint, or NULL */
	const void *record;          /* the target record as msgpack, for the ELF MFTOOLS note */
	size_t record_len;
	const char *mark;            /* the marker (snapshot/output.h), or NULL */
	const uint8_t *cpu_notes;    /* the "cpu_notes" hint (ELF notes), or NULL */
	size_t cpu_notes_len;
	uint64_t cpus;
	unsigned threads;            /* compression threads (kdump) */
};

struct snap_writer;

/* Data and holes arrive in increasing address order; data stays valid until
 * snap_writer_flush returns.  Each returns 0, or -1 with the message in f->err. */
int snap_writer_new(enum snap_format fmt, struct snap_file *f, const struct snap_source *src,
                    struct snap_writer **out);
int snap_writer_data(struct snap_writer *w, uint64_t addr, const uint8_t *buf, size_t len);
/* Memory that could not be read: a hole in the snapshot (raw: sparse zeros). */
int snap_writer_hole(struct snap_writer *w, uint64_t addr, uint64_t len);
int snap_writer_flush(struct snap_writer *w);
int snap_writer_finish(struct snap_writer *w);
void snap_writer_free(struct snap_writer *w);
/* The VMCOREINFO text the ELF or kdump writer found in memory (NULL if none, the hint was
 * given, or another format). */
const char *snap_writer_found_vmcoreinfo(const struct snap_writer *w);

/* ---- a target's physical memory ------------------------------------------------------ */

struct snap_phys_opts {
	enum snap_format fmt;
	uint64_t max_errors;         /* unreadable pages allowed; UINT64_MAX = unlimited */
	unsigned threads;            /* kdump compression threads */
	uint64_t rate;               /* bytes per second at most; 0 = unlimited */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *ctx;
	const char *mark;            /* the marker for the ELF and kdump notes, or NULL */
};

struct snap_phys_result {
	uint64_t total;              /* bytes of physical memory */
	size_t nranges;
	uint64_t unreadable;         /* pages written as holes */
	bool vmcoreinfo_hint;        /* the target had a "vmcoreinfo" hint */
	bool vmcoreinfo_found;       /* kdump: VMCOREINFO found in memory instead */
};

/* Write t's physical memory in format o->fmt to f: 0, or -1 with the message in f->err. */
int snap_phys(struct mf_target *t, const struct snap_phys_opts *o, struct snap_file *f, struct snap_phys_result *res);

/* The target record without a nested "mftools_record" hint, as msgpack (the MFTOOLS note):
 * 0 and *buf (the caller's, free()) of *len bytes, or a negative MF_ERR_* with a message. */
int snap_target_record(struct mf_target *t, void **buf, size_t *len, char *errbuf);

/* ---- process cores ------------------------------------------------------------------- */

struct snap_proc_opts {
	uint64_t pid;
	int verbosity;               /* messages (mf_log) below 0 are quiet */
	uint64_t max_errors;         /* UINT64_MAX = unlimited */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *ctx;
};

/* Write the memory of process o->pid as an ELF core for gdb into f: one PT_LOAD per mapping
 * (no file data where it cannot be read), an NT_PRSTATUS per thread, NT_PRPSINFO, NT_AUXV,
 * NT_FILE.  0, or -1 with the message in f->err. */
int snap_proc(struct mf_target *t, const struct snap_proc_opts *o, struct snap_file *f);

#endif /* MF_SNAPSHOT_H */
