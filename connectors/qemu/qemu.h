/* qemu.h: internals of the qemu connector (connectors/qemu/): find.c (the QEMU process
 * and its command line), qmp.c (the QMP client), layout.c (guest RAM layout from QMP or
 * from /proc/PID/maps), io.c (reads and writes through the process-memory engine) and
 * qemu.c (open, close, the descriptor).  Shared with the unit test
 * (tests/unit/test-conn-qemu.c compiles these sources in). */
#ifndef MF_CONNECTORS_QEMU_H
#define MF_CONNECTORS_QEMU_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <mftools/plugin.h>

#include "pluginlib/error.h"
#include "pluginlib/fileio.h"

#define QEMU_NAME_MAX 128                  /* -name values are cut here */
#define QEMU_CMDLINE_MAX (1u << 20)        /* /proc/PID/cmdline read cap */
#define QEMU_MAX_PROCS (1u << 23)          /* cap on a /proc walk */
#define QEMU_MAX_CANDS 64u                 /* QEMU processes remembered in a scan */
#define QEMU_MAX_REGIONS 256u              /* memory-backed flat ranges we accept */
#define QEMU_REPLY_MAX (8u << 20)          /* one QMP reply */
#define QEMU_QMP_TIMEOUT_MS 5000           /* per QMP read */
#define QEMU_VGA_START 0xa0000ull
#define QEMU_VGA_END 0xc0000ull

struct qemu_cmdline {
	char *buf;
	char **argv;
	size_t argc;
	char name[QEMU_NAME_MAX];   /* -name's guest value, "" if none */
	int has_name;
};

/* One piece of guest physical memory backed by QEMU's address space. */
struct qemu_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t hva;       /* host address of gpa: the block's base (gpa2hva or the maps) + offset */
	uint64_t offset;    /* offset in the memory region (`@...` in info mtree -f) */
	int readonly;       /* rom: the guest cannot write it */
	char name[64];      /* memory region name: pc.ram, vga.vram, pc.bios */
};

/* An open connector. */
struct qemu {
	const struct mf_host *host;
	pid_t pid;
	int writable;
	size_t n;
	struct qemu_region reg[QEMU_MAX_REGIONS];
	struct mf_range ranges[QEMU_MAX_REGIONS];
};

/* A QMP connection (fd -1 when closed). */
struct qemu_qmp {
	int fd;
	char *buf;          /* received, not yet consumed */
	size_t len, size;
	const char *path;
};

/* qemu.c */
/* `info registers` text: arch (enum mf_arch) and page-table root. */
int qemu_parse_regs(const char *text, uint32_t *arch, uint64_t *dtb, char *errbuf);

/* find.c */
/* A whole small file in a fresh NUL-terminated buffer (at most cap bytes; the caller
 * frees *out).  Returns the length or -errno. */
/* Takes ownership of buf (len bytes of NUL-separated arguments, buf[len] readable). */
int qemu_cmdline_parse(char *buf, size_t len, struct qemu_cmdline **out);
void qemu_cmdline_free(struct qemu_cmdline *c);
/* The value of QEMU option opt ("-m") in argv (last one wins), or NULL. */
const char *qemu_opt(char *const *argv, size_t n, const char *opt);
/* The value of key (or of the implied first element) of "implied,key=value,...": 1 if
 * found (copied into out). */
int qemu_opt_value(const char *s, const char *key, char *out, size_t cap);
/* A QEMU size ("512", "512M", "5G", "1.5G"; default unit MiB). */
int qemu_parse_size(const char *s, uint64_t *out);
/* The QEMU process from pid= / name= / the only one running; its command line in *cmd. */
int qemu_find(const char *pid_arg, const char *name_arg, pid_t *out, struct qemu_cmdline **cmd,
              char *errbuf);
/* The QMP socket of `-qmp unix:PATH` on the command line (relative to QEMU's working
 * directory): 1 if found (path in out). */
int qemu_cmdline_qmp(pid_t pid, const struct qemu_cmdline *c, char *out, size_t cap);

/* qmp.c */
int qemu_qmp_connect(struct qemu_qmp *q, const char *path, char *errbuf);
/* Greeting and capabilities negotiation. */
int qemu_qmp_start(struct qemu_qmp *q, char *errbuf);
void qemu_qmp_close(struct qemu_qmp *q);
/* One HMP command's text (the caller frees it), NULL with the error in errbuf. */
char *qemu_hmp(struct qemu_qmp *q, const char *cmdline, char *errbuf);
/* gpa2hva: the host address of gpa, checked to be in the memory region `want`. */
int qemu_gpa2hva(struct qemu_qmp *q, uint64_t gpa, const char *want, uint64_t *hva, char *errbuf);

/* layout.c */
/* The memory-backed ranges of the system address space from `info mtree -f` text: sorted,
 * adjacent pieces of one region merged, the VGA window cut out.  hva is left 0. */
int qemu_parse_mtree(const char *text, struct qemu_region *reg, size_t cap, size_t *n, char *errbuf);
/* The RAM layout of a machine without QMP: ranges of a single RAM block of ram bytes,
 * offsets in the block in .offset; hva is left 0.  machine is -machine's type or NULL. */
int qemu_layout_guess(const char *prog, const char *machine, uint64_t ram, struct qemu_region *reg,
                      size_t cap, size_t *n, char *errbuf);
/* q->reg and q->n from QMP (info mtree -f, gpa2hva for each block). */
int qemu_layout_qmp(struct qemu *q, struct qemu_qmp *m, char *errbuf);
/* q->reg and q->n from /proc/PID/maps and -m (RAM size in *ram_out): qemu_layout_ram,
 * then qemu_maps_ram. */
int qemu_layout_maps(struct qemu *q, const struct qemu_cmdline *c, uint64_t *ram_out, char *errbuf);
/* The RAM size from -m (128 MiB without) and q->reg and q->n guessed for it and -machine
 * (qemu_layout_guess); hva is left 0. */
int qemu_layout_ram(struct qemu *q, const struct qemu_cmdline *c, uint64_t *ram, char *errbuf);
/* The base of the one rw mapping of ram bytes in maps, the text of /proc/PID/maps read from
 * path (cut up by strtok_r): 0, MF_ERR_NOTFOUND without a message when there is none, or
 * an error when there are several. */
int qemu_maps_ram(const struct mf_host *host, const char *path, char *maps, uint64_t ram, uint64_t *base,
                  char *errbuf);
/* The region holding gpa, or NULL. */
const struct qemu_region *qemu_lookup(const struct qemu *q, uint64_t gpa);

/* io.c: the connector's read and write callbacks. */
int qemu_read(void *handle, struct mf_iov *iov, size_t n, char *errbuf);
int qemu_write(void *handle, struct mf_iov *iov, size_t n, char *errbuf);

#endif
