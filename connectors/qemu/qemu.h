/* qemu.h: internals of the qemu connector (connectors/qemu/), shared with its parser
 * unit test (tests/unit/test-conn-qemu.c compiles qemu.c in). */
#ifndef MF_CONNECTORS_QEMU_H
#define MF_CONNECTORS_QEMU_H

#include <stddef.h>
#include <stdint.h>

#define QEMU_NAME_MAX 128                  /* -name values are cut here */
#define QEMU_CMDLINE_MAX (1u << 20)        /* /proc/PID/cmdline read cap */
#define QEMU_MAX_PROCS (1u << 23)          /* cap on a /proc walk */
#define QEMU_MAX_CANDS 64u                 /* QEMU processes remembered in a scan */
#define QEMU_MAX_REGIONS 256u              /* memory-backed flat ranges we accept */
#define QEMU_REPLY_MAX (8u << 20)          /* one QMP reply */
#define QEMU_QMP_TIMEOUT_MS 5000           /* per QMP read */
#define QEMU_IOV_MAX 1024u                 /* pieces per process_vm_* call */
#define QEMU_PIECE_MAX (64ull << 20)       /* bytes per piece */
#define QEMU_CALL_MAX (1ull << 30)         /* bytes per call (below MAX_RW_COUNT) */
#define QEMU_PAGE 4096ull
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

/* Takes ownership of buf (len bytes of NUL-separated arguments, buf[len] readable). */
int qemu_cmdline_parse(char *buf, size_t len, struct qemu_cmdline **out);
void qemu_cmdline_free(struct qemu_cmdline *c);
/* A QEMU size ("512", "512M", "5G", "1.5G"; default unit MiB). */
int qemu_parse_size(const char *s, uint64_t *out);
/* The memory-backed ranges of the system address space from `info mtree -f` text: sorted,
 * adjacent pieces of one region merged, the VGA window cut out.  hva is left 0. */
int qemu_parse_mtree(const char *text, struct qemu_region *reg, size_t cap, size_t *n, char *errbuf);
/* `info registers` text: arch (enum mf_arch) and page-table root. */
int qemu_parse_regs(const char *text, uint32_t *arch, uint64_t *dtb, char *errbuf);
/* The RAM layout of a machine without QMP: ranges of a single RAM block of ram bytes,
 * offsets in the block in .offset; hva is left 0.  machine is -machine's type or NULL. */
int qemu_layout_guess(const char *prog, const char *machine, uint64_t ram, struct qemu_region *reg,
                      size_t cap, size_t *n, char *errbuf);

#endif
