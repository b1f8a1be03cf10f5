/* The plugin header of ABI 1 (libcommon/mftools/plugin.h before ABI 2), kept unchanged so that
 * tests/examples.bats can build a plugin as it was built for ABI 1.  Do not edit. */
/* mftools/plugin.h: the ABI between mftools and its plugins (connectors, os layers).
 *
 * A plugin is a shared object that exports exactly one symbol:
 *   connectors: const struct mf_connector *mf_connector_entry(void);
 *   os layers:  const struct mf_os *mf_os_entry(void);
 * The descriptor starts with its struct size and the ABI version it was built for
 * (set both with MF_CONNECTOR_INIT / MF_OS_INIT).  The host refuses a newer ABI, copies
 * min(struct_size, sizeof ours) and zero-fills the rest, so new fields only ever go at the
 * end.  Plugins do not link against libmf: everything they need from the host arrives
 * through struct mf_host.
 *
 * Lifetimes: every pointer the host hands to a plugin (args, hints, host, phys) stays
 * valid until the plugin's close() returns.  Strings a plugin passes in a callback
 * (struct mf_process etc.) need only live until the callback returns.
 *
 * Errors: functions return 0 or a negative MF_ERR_* code.  Where a call takes
 * `char *errbuf` (MF_ERRBUF_SIZE bytes) the plugin writes a one-line, lowercase message
 * without a trailing period there on failure.  Plugins never print and never exit.
 */
#ifndef MFTOOLS_PLUGIN_H
#define MFTOOLS_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MF_ABI_VERSION 1
#define MF_ERRBUF_SIZE 256

/* Error codes (negative). mf_strerror() / host->strerror() name them. */
enum mf_error {
	MF_OK = 0,
	MF_ERR_GENERIC = -1,     /* see the message */
	MF_ERR_NOMEM = -2,       /* out of memory */
	MF_ERR_IO = -3,          /* an I/O call failed (errno in the message) */
	MF_ERR_UNMAPPED = -4,    /* physical address not present in the source (hole) */
	MF_ERR_PERM = -5,        /* permission denied */
	MF_ERR_NOTFOUND = -6,    /* no such file, process, plugin, symbol */
	MF_ERR_FORMAT = -7,      /* malformed input: dump header, stream, guest structure */
	MF_ERR_UNSUPPORTED = -8, /* operation, format or compression not supported */
	MF_ERR_ARG = -9,         /* bad argument */
	MF_ERR_ABI = -10,        /* plugin ABI mismatch */
	MF_ERR_NOTMAPPED = -11,  /* virtual address not mapped (page not present) */
	MF_ERR_RANGE = -12,      /* value out of range, offset beyond end */
	MF_ERR_GONE = -13,       /* the process exited */
	MF_ERR_READONLY = -14,   /* target not opened writable, or cannot be written */
	MF_ERR_CORRUPT = -15,    /* data failed a check (bad compressed page, checksum) */
	MF_ERR_NONCANONICAL = -16, /* virtual address not canonical for the architecture */
	MF_ERR_LIMIT = -17,      /* a walk or count exceeded its cap (cycle, absurd size) */
};

/* One entry of a scatter list.  Each entry succeeds or fails on its own: `err` is set to
 * 0 or a negative MF_ERR_* by the callee.  The host never passes an entry that crosses a
 * range boundary of the connector's memory map, so a file connector can answer each entry
 * from one place. */
struct mf_iov {
	uint64_t addr;
	void *buf;
	uint64_t len;
	int32_t err;
	uint32_t reserved;
};

/* key=value arguments, as parsed from "name:default,key=value,...".  `def` is the
 * positional argument (or NULL); the host has already checked that every key is one the
 * plugin declared in its `keys` list, and maps `def` to keys[0] when that key is absent. */
struct mf_kv {
	const char *key;
	const char *value;
};
struct mf_args {
	const char *def;
	size_t n;
	const struct mf_kv *kv;
};

/* Architectures of an address space (for translation and records). */
enum mf_arch {
	MF_ARCH_UNKNOWN = 0,
	MF_ARCH_X86_32,       /* 2-level, 4 KiB / 4 MiB */
	MF_ARCH_X86_PAE,      /* 3-level, 4 KiB / 2 MiB */
	MF_ARCH_X86_64,       /* 4-level, 4 KiB / 2 MiB / 1 GiB */
	MF_ARCH_X86_64_LA57,  /* 5-level */
	MF_ARCH_AARCH64,      /* granule and VA size from mf_space */
	MF_ARCH_RISCV_SV39,
	MF_ARCH_RISCV_SV48,
};

/* An address space: what the translator needs to walk it. */
struct mf_space {
	uint32_t arch;      /* enum mf_arch */
	uint32_t va_bits;   /* AArch64: VA size (T1SZ = 64 - va_bits); 0 = default (48) */
	uint64_t root;      /* x86: CR3; AArch64: TTBR0 (user half); RISC-V: satp PPN << 12 */
	uint64_t root_hi;   /* AArch64: TTBR1 (kernel half); 0 = none */
	uint32_t granule;   /* AArch64: 4096, 16384 or 65536; 0 = 4096 */
	uint32_t reserved;
};

/* A physical memory range the source holds. */
struct mf_range {
	uint64_t base;
	uint64_t size;
};

/* Hints: a small key -> value store owned by the host (arch, dtb, kernel_base,
 * format, vmcoreinfo, ...).  Connectors fill it at open; os layers read it and add what
 * they discover; mf-attach writes it into the target record. */
struct mf_hints;

/* Physical memory as the host presents it to os layers: batched, split at range
 * boundaries, cached.  `ctx` is opaque. */
struct mf_phys {
	void *ctx;
	int (*read)(void *ctx, struct mf_iov *iov, size_t n);
	int (*write)(void *ctx, struct mf_iov *iov, size_t n);   /* NULL when read-only */
	size_t (*ranges)(void *ctx, const struct mf_range **out);
	/* virtual memory of an address space, translated by the host */
	int (*vread)(void *ctx, const struct mf_space *sp, struct mf_iov *iov, size_t n);
	int (*vwrite)(void *ctx, const struct mf_space *sp, struct mf_iov *iov, size_t n);
	/* virtual -> physical for one address; 0 or MF_ERR_NOTMAPPED / MF_ERR_NONCANONICAL */
	int (*vtop)(void *ctx, const struct mf_space *sp, uint64_t va, uint64_t *pa);
};

/* Services the host gives every plugin. */
struct mf_host {
	uint32_t struct_size;
	uint32_t abi_version;
	/* logging to the tool's stderr, honouring -q/-v: level 0 warning, 1 info, 2 debug */
	void (*log)(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
	const char *(*strerror)(int code);
	/* numbers: 0x hex, decimal, K/M/G/T suffixes (binary); 0 or MF_ERR_ARG/MF_ERR_RANGE */
	int (*parse_u64)(const char *s, uint64_t *out);
	/* argument lookup: the value of `key`, or NULL */
	const char *(*arg)(const struct mf_args *args, const char *key);
	/* hints */
	int (*hint_set_u64)(struct mf_hints *h, const char *key, uint64_t v);
	int (*hint_set_str)(struct mf_hints *h, const char *key, const char *s);
	int (*hint_set_bin)(struct mf_hints *h, const char *key, const void *p, size_t n);
	int (*hint_get_u64)(const struct mf_hints *h, const char *key, uint64_t *v);   /* 0 or MF_ERR_NOTFOUND */
	const char *(*hint_get_str)(const struct mf_hints *h, const char *key);        /* NULL if absent */
	const void *(*hint_get_bin)(const struct mf_hints *h, const char *key, size_t *n);
	/* architecture names: "x86_64", "x86_64-la57", "x86", "x86-pae", "aarch64", "riscv-sv39", "riscv-sv48" */
	const char *(*arch_name)(uint32_t arch);
	int (*arch_parse)(const char *s, uint32_t *arch);
};

/* ---- connectors -------------------------------------------------------------------- */

#define MF_CONN_FILE    0x1u   /* reads a file: `probe` recognises it by its first bytes */
#define MF_CONN_WRITE   0x2u   /* supports opening writable */

struct mf_connector {
	uint32_t struct_size;
	uint32_t abi_version;
	const char *name;          /* [a-z0-9_-]+, equal to the file name's NAME */
	const char *description;   /* one line */
	const char *help;          /* the arguments, one per line: "  path=FILE   the dump to read" */
	const char *const *keys;   /* NULL-terminated list of accepted keys; keys[0] takes the positional argument */
	uint32_t flags;            /* MF_CONN_* */
	uint32_t reserved;
	/* Is this file ours?  `head` holds the first min(len, 64 KiB) bytes of a file of
	 * `file_size` bytes.  Returns 0 for no, else a confidence 1..100. */
	int (*probe)(const uint8_t *head, size_t len, uint64_t file_size);
	int (*open)(const struct mf_host *host, const struct mf_args *args, int writable,
	            struct mf_hints *hints, void **handle, char *errbuf);
	void (*close)(void *handle);
	/* Return 0 when the batch was processed (per-entry results in iov[i].err), or a
	 * negative code when the whole source failed (message in errbuf). */
	int (*read)(void *handle, struct mf_iov *iov, size_t n, char *errbuf);
	int (*write)(void *handle, struct mf_iov *iov, size_t n, char *errbuf);  /* NULL if read-only */
	/* The memory map: sorted, non-overlapping ranges; the array lives until close. */
	size_t (*ranges)(void *handle, const struct mf_range **out);
	/* Optional (MF_CONN_FILE): like probe, but also given the file's path, for formats
	 * recognised by name and neighbours (a VMware .vmem next to its .vmss).  When set,
	 * the host calls it instead of probe. */
	int (*probe_path)(const char *path, const uint8_t *head, size_t len, uint64_t file_size);
};

/* ---- os layers --------------------------------------------------------------------- */

#define MF_OS_NO_PHYS 0x1u   /* works without a connector (e.g. native: /proc) */

struct mf_process {
	uint64_t pid;
	uint64_t ppid;
	const char *name;      /* kernel comm / image name */
	const char *path;      /* executable path, "" if unknown */
	const char *cmdline;   /* arguments joined by spaces, "" if none */
	const char *state;     /* "R", "S", ... "" if unknown */
	int64_t uid;           /* -1 if unknown */
	uint32_t arch;         /* enum mf_arch of its address space */
	uint32_t reserved;
	uint64_t dtb;          /* page-table root, 0 if not applicable */
	uint64_t addr;         /* kernel object (task_struct, EPROCESS), 0 if none */
};

struct mf_module {
	uint64_t pid;          /* 0 = kernel */
	const char *name;
	const char *path;
	uint64_t base;
	uint64_t size;
	uint32_t arch;
	uint32_t reserved;
};

struct mf_map {
	uint64_t pid;
	uint64_t start;
	uint64_t end;          /* exclusive */
	const char *perms;     /* "r-xp" style */
	uint64_t offset;       /* file offset of start */
	const char *path;      /* "" for anonymous */
};

/* Callbacks return 0 to continue, non-zero to stop the walk (that value is returned). */
typedef int (*mf_process_cb)(void *ctx, const struct mf_process *p);
typedef int (*mf_module_cb)(void *ctx, const struct mf_module *m);
typedef int (*mf_map_cb)(void *ctx, const struct mf_map *m);

struct mf_os {
	uint32_t struct_size;
	uint32_t abi_version;
	const char *name;
	const char *description;
	const char *help;
	const char *const *keys;
	uint32_t flags;            /* MF_OS_* */
	uint32_t reserved;
	/* `phys` is NULL for MF_OS_NO_PHYS layers opened without a connector. */
	int (*open)(const struct mf_host *host, const struct mf_phys *phys,
	            const struct mf_args *args, struct mf_hints *hints, void **handle, char *errbuf);
	void (*close)(void *handle);
	int (*processes)(void *handle, mf_process_cb cb, void *ctx, char *errbuf);
	/* One process by pid: MF_ERR_NOTFOUND if there is none.  Optional. */
	int (*process)(void *handle, uint64_t pid, mf_process_cb cb, void *ctx, char *errbuf);
	int (*modules)(void *handle, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf);
	int (*maps)(void *handle, uint64_t pid, mf_map_cb cb, void *ctx, char *errbuf);
	/* Process memory.  Optional: when NULL the host translates through the process's
	 * arch and dtb over phys.  Same per-entry contract as connector reads. */
	int (*read)(void *handle, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf);
	int (*write)(void *handle, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf);
};

#define MF_CONNECTOR_INIT .struct_size = sizeof(struct mf_connector), .abi_version = MF_ABI_VERSION
#define MF_OS_INIT .struct_size = sizeof(struct mf_os), .abi_version = MF_ABI_VERSION

#define MF_CONNECTOR_ENTRY_SYM "mf_connector_entry"
#define MF_OS_ENTRY_SYM "mf_os_entry"

/* Register a descriptor: MF_REGISTER_CONNECTOR(my_connector); */
#define MF_REGISTER_CONNECTOR(desc) \
	__attribute__((visibility("default"))) const struct mf_connector *mf_connector_entry(void); \
	const struct mf_connector *mf_connector_entry(void) { return &(desc); }
#define MF_REGISTER_OS(desc) \
	__attribute__((visibility("default"))) const struct mf_os *mf_os_entry(void); \
	const struct mf_os *mf_os_entry(void) { return &(desc); }

#ifdef __cplusplus
}
#endif
#endif
