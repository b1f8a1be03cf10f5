/* mftools/plugin.h: the ABI between mftools and its plugins (connectors, os layers).
 *
 * A plugin is a shared object that exports exactly one symbol:
 *   connectors: const struct mf_connector *mf_connector_entry(void);
 *   os layers:  const struct mf_os *mf_os_entry(void);
 * Plugins do not link against libmf: everything they need from the host arrives through
 * struct mf_host.  This header is ABI 2 (MF_ABI_VERSION).
 *
 * Compatibility (the way nbdkit grows its API):
 * - Every struct that crosses the boundary and may grow starts with `uint32_t struct_size`
 *   (sizeof the struct as the writer's header defines it).  New fields only ever go at the
 *   end.  A reader takes min(struct_size, its own sizeof) bytes and zero-fills the rest,
 *   so a field a writer does not know reads as 0 (zero is always "absent"/"default").
 *   The descriptors start with struct_size and abi_version; MF_CONNECTOR_INIT /
 *   MF_OS_INIT stamp both.
 * - The host loads plugins of ABI MF_ABI_MIN_VERSION to MF_ABI_VERSION: an ABI-1 plugin
 *   (records without struct_size, struct mf_phys without it) is converted by the loader,
 *   so the rest of the host sees one shape.  A plugin of a newer ABI is refused with an
 *   error naming its file, its ABI and the host's.
 * - Fixed-form structs carry no size: struct mf_iov and struct mf_range are elements of
 *   arrays (a per-element size would cost bandwidth on the hot path and could differ
 *   between elements), struct mf_kv and struct mf_args are read-only views the host builds,
 *   struct mf_space is a fixed value type, and struct mf_page_run is a value the host
 *   hands to a callback, once per run of a page walk.  They are frozen: a new shape of
 *   request would be a new struct and a new callback.
 * - struct mf_phys grows at its end too: a plugin checks MF_PHYS_HAS(phys, field) before
 *   it calls a callback added after the first ABI-2 layout (page_map).
 * - A plugin may use every host service its own header declares: the host's struct
 *   mf_host is always at least that large (host->struct_size tells a plugin built against
 *   a newer header what an older host has).
 *
 * Lifetimes: every pointer the host hands to a plugin (args, hints, host, phys) stays
 * valid until the plugin's close() returns.  Strings and structs a plugin passes in a
 * callback (struct mf_process etc.) need only live until the callback returns; what the
 * host passes to a plugin's callback likewise.  The memory map from ranges() lives until
 * close.  A symbol file's bytes live until close_symbol_file().
 *
 * Threads: a descriptor declares its thread model (MF_THREAD_*; 0, the default and what
 * ABI-1 plugins get, is the safest).  The host may call a plugin from several threads
 * (tools that read ahead on worker threads); libmf serialises its calls as the plugin
 * asks: SERIALIZE_ALL: one call at a time into the plugin, over all its handles;
 * SERIALIZE_HANDLE: one call at a time per handle, different handles in parallel;
 * PARALLEL: any calls at once.  A call may re-enter the same plugin on the same thread
 * (an os layer's callback into a tool that reads process memory): the locks are
 * recursive.  probe() and probe_path() must be pure functions of their arguments.
 *
 * Errors: functions return 0 or a negative MF_ERR_* code.  Where a call takes
 * `char *errbuf` (MF_ERRBUF_SIZE bytes) the plugin writes a one-line, lowercase message
 * without a trailing period there on failure, best with host->error():
 *   return host->error(errbuf, MF_ERR_IO, "cannot read %s", path);
 * Plugins never print and never exit.
 *
 * Files: os layers never open files themselves, and never a path taken from guest data.
 * A symbol file (a BTF blob, a PDB) is a user argument (-o linux:btf=/path,
 * -o win32:pdb=/path) that the plugin asks the host to open with open_symbol_file().
 */
#ifndef MFTOOLS_PLUGIN_H
#define MFTOOLS_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MF_ABI_VERSION 2       /* the ABI this header describes */
#define MF_ABI_MIN_VERSION 1   /* the oldest plugin ABI a host of this ABI still loads */
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
 * they discover; mf-attach writes it into the target record.  A connector whose format
 * implies its os layer sets "default_os" to that layer's name (the minidump connector:
 * "minidump"); the host opens it when the user names no os layer. */
struct mf_hints;

/* A run of mapped pages of an address space, as its page tables give it (mf_phys's
 * page_map): `len` bytes from `va` map `len` contiguous bytes from `pa`, every page of the
 * run `page_size` bytes large (4 KiB, 2 MiB, 4 MiB, 1 GiB ...) with the same MF_PAGE_*
 * flags.  Like struct mf_iov a fixed-form, frozen struct: the host writes it, plugins
 * read it. */
#define MF_PAGE_W 0x1u   /* writable at every level */
#define MF_PAGE_X 0x2u   /* executable (no NX at any level) */
#define MF_PAGE_U 0x4u   /* user accessible at every level */
struct mf_page_run {
	uint64_t va;
	uint64_t pa;
	uint64_t len;
	uint64_t page_size;
	uint32_t flags;     /* MF_PAGE_* */
	uint32_t reserved;  /* 0 */
};
typedef int (*mf_page_run_cb)(void *ctx, const struct mf_page_run *run);

/* Physical memory as the host presents it to os layers: batched, split at range
 * boundaries, cached.  `ctx` is opaque. */
struct mf_phys {
	uint32_t struct_size;
	uint32_t reserved;
	void *ctx;
	int (*read)(void *ctx, struct mf_iov *iov, size_t n);
	int (*write)(void *ctx, struct mf_iov *iov, size_t n);   /* NULL when read-only */
	size_t (*ranges)(void *ctx, const struct mf_range **out);
	/* virtual memory of an address space, translated by the host */
	int (*vread)(void *ctx, const struct mf_space *sp, struct mf_iov *iov, size_t n);
	int (*vwrite)(void *ctx, const struct mf_space *sp, struct mf_iov *iov, size_t n);
	/* virtual -> physical for one address; 0 or MF_ERR_NOTMAPPED / MF_ERR_NONCANONICAL */
	int (*vtop)(void *ctx, const struct mf_space *sp, uint64_t va, uint64_t *pa);
	/* ---- ABI 2, added later: check MF_PHYS_HAS(phys, page_map) before the call (an
	 * older host's struct ends before it) ---- */
	/* The page map of address space sp between start and end (exclusive; 0 = the top of
	 * the space): every mapped run, in increasing VA order, merged where VA and PA are
	 * contiguous with the same page size and flags (and the same accessed, dirty and
	 * global bits, which a run does not carry: two adjacent runs can show the same
	 * flags), one callback each (the host's
	 * translator walks the tables, reading whole table pages in batches, for every
	 * architecture of enum mf_arch).  The callback may read memory through this struct
	 * (vread etc.); it returns non-zero to stop, and page_map returns that value.
	 * Unreadable tables map nothing.  Returns 0, MF_ERR_LIMIT when hostile or cyclic
	 * tables made the walk visit more table pages than its cap (the runs found before
	 * were given), MF_ERR_ARG / MF_ERR_UNSUPPORTED for a space it cannot walk. */
	int (*page_map)(void *ctx, const struct mf_space *sp, uint64_t start, uint64_t end, mf_page_run_cb cb,
	                void *cbctx);
};
/* Does this host's struct mf_phys have FIELD (a callback added after the first ABI-2
 * layout), and is it set? */
#define MF_PHYS_HAS(phys, field) \
	((phys)->struct_size >= offsetof(struct mf_phys, field) + sizeof((phys)->field) && (phys)->field != NULL)

/* A symbol file the user named in a plugin's arguments, opened by the host: its bytes,
 * read-only, until close_symbol_file(). */
struct mf_symfile {
	uint32_t struct_size;   /* the plugin sets it before open_symbol_file() */
	uint32_t reserved;
	const uint8_t *data;
	uint64_t size;
	const char *path;       /* as the user gave it, for messages */
	void *host_data;        /* the host's: do not touch */
};

/* One directory (name NULL) or file of host->data_files. */
typedef int (*mf_data_file_cb)(void *ctx, const char *dir, const char *name);

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
	/* ---- ABI 2 ---- */
	/* Format the message into errbuf (MF_ERRBUF_SIZE bytes; errbuf may be NULL) and return
	 * `code`: `return host->error(errbuf, MF_ERR_ARG, "invalid offset '%s'", s);`. */
	int (*error)(char *errbuf, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
	/* The same, with ": strerror(errnum)" appended. */
	int (*error_errno)(char *errbuf, int code, int errnum, const char *fmt, ...)
		__attribute__((format(printf, 4, 5)));
	/* Open the file the user named as the value of `key` in `args` (which must be the
	 * very args the host passed to this plugin's open: a path built by the plugin, or read
	 * from guest memory, is refused with MF_ERR_PERM) and map its bytes into `file`.
	 * MF_ERR_NOTFOUND (message set) only when the user gave no such argument, so the
	 * caller can go on without it; a named file that cannot be opened is MF_ERR_ARG (it
	 * does not exist), MF_ERR_PERM or MF_ERR_IO.  Set file->struct_size first.  Free with
	 * close_symbol_file. */
	int (*open_symbol_file)(const struct mf_args *args, const char *key, struct mf_symfile *file,
	                        char *errbuf);
	void (*close_symbol_file)(struct mf_symfile *file);
	/* ---- ABI 2, added later: present when struct_size covers it (MF_HOST_HAS) ---- */
	/* Open NAME inside the directory the user named as the value of `key` (a symbol
	 * server's cache, symdir=DIR, holding DIR/ntkrnlmp.pdb/GUIDAGE/ntkrnlmp.pdb).  The
	 * plugin builds NAME (from what it read of the target); the host takes only a relative
	 * path of plain names (no "..", ".", empty part or leading '/': MF_ERR_PERM) and
	 * resolves it beneath DIR (a symbolic link that leads out is MF_ERR_PERM).  A NAME
	 * that is not there is MF_ERR_NOTFOUND (message set), as is a `key` the user did not
	 * give; the rest as open_symbol_file, and close_symbol_file frees it. */
	int (*open_symbol_file_in)(const struct mf_args *args, const char *key, const char *name,
	                           struct mf_symfile *file, char *errbuf);
	/* Data files installed with mftools for a plugin (an os layer's structure tables), by
	 * KIND, a plain name ("win32"): the directories of a kind are DIR/KIND for each DIR of
	 * $MF_DATA_PATH (colon-separated) when it is set, else the installed PKGDATADIR/KIND.
	 * data_files calls cb for each directory in that order, first with name NULL (the
	 * directory itself, for messages), then with each regular file's name in it; a
	 * non-zero return stops the walk and is returned.  open_data_file maps NAME (a plain
	 * file name) from the first directory that has it, as open_symbol_file does
	 * (MF_ERR_NOTFOUND when none has it; free with close_symbol_file).  A plugin reads no
	 * file itself: these are its way to its data. */
	int (*data_files)(const char *kind, mf_data_file_cb cb, void *ctx);
	int (*open_data_file)(const char *kind, const char *name, struct mf_symfile *file, char *errbuf);
};
/* Does the host (a struct mf_host *) have service MEMBER (one added to ABI 2 later)? */
#define MF_HOST_HAS(host, member) \
	((host)->struct_size >= offsetof(struct mf_host, member) + sizeof((host)->member) && (host)->member != NULL)

/* Thread models (see the top of this file). */
enum mf_thread_model {
	MF_THREAD_SERIALIZE_ALL = 0,     /* one call at a time into the plugin (the default) */
	MF_THREAD_SERIALIZE_HANDLE = 1,  /* one call at a time per handle */
	MF_THREAD_PARALLEL = 2,          /* any number of calls at once */
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
	uint32_t thread_model;     /* enum mf_thread_model (ABI 1: reserved, always serialize-all) */
	/* Is this file ours?  `head` holds the first min(len, 64 KiB) bytes of a file of
	 * `file_size` bytes.  Returns 0 for no, else a confidence 1..100. */
	int (*probe)(const uint8_t *head, size_t len, uint64_t file_size);
	/* Mandatory: open, close, read, ranges. */
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
	/* ---- ABI 2, added later (NULL in older plugins: the host copies through read) ---- */
	/* Optional: [addr, addr + len) of physical memory without a copy.  0, with *data
	 * pointing at those len bytes, when the source holds the whole range as it is, in one
	 * piece (a stretch of a file, mapped read-only at open); else a negative MF_ERR_*
	 * (MF_ERR_UNSUPPORTED for a hole, compressed data, a range whose pieces lie apart in
	 * the file or past its end) and the host reads a copy with read(), which reports what
	 * is wrong.  The host never writes through *data; the bytes stay valid until close()
	 * (a write through write() shows in them).  Called under the thread model, like read.
	 * A file that shrinks while mapped makes the host's next access to the lost bytes
	 * raise SIGBUS: a host that uses views catches it (mf-scan exits with a message). */
	int (*view)(void *handle, uint64_t addr, uint64_t len, const void **data);
};

/* ---- os layers --------------------------------------------------------------------- */

/* Works without a connector (native: /proc); such a layer reads process memory itself
 * with its read/write operations, since there is no physical memory to translate over. */
#define MF_OS_NO_PHYS 0x1u

/* Records an os layer hands to the host's callbacks.  The plugin sets struct_size to
 * sizeof the struct (its header's); 0 means the size the struct has in the ABI the
 * plugin declares, so a zero-initialised record is right.  After the 8-byte header the
 * ABI-2 records have the fields of ABI 1, in the same order and with the same names, so
 * the source of an ABI-1 plugin builds unchanged against this header.  Strings are ""
 * when unknown, never NULL. */
struct mf_process {
	uint32_t struct_size;
	uint32_t reserved0;    /* 0 */
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
	/* ---- ABI 2, added later (zero from older plugins; a record whose struct_size is 0
	 * is taken to end before them) ---- */
	int64_t start_time;    /* when it started: nanoseconds since 1970-01-01 UTC; 0 if unknown */
	int64_t exit_time;     /* when it exited, same clock; 0 if it has not or it is unknown */
	int64_t exit_status;   /* with `exited`: Linux the exit code as wait() gives it, Windows
	                        * the NTSTATUS (ExitStatus) */
	uint32_t exited;       /* 1: it has exited and is still listed (a zombie; an EPROCESS
	                        * whose handles keep it); 0: running or unknown */
	uint32_t reserved2;    /* 0 */
};
#define MF_PROCESS_SIZE_ABI2_FIRST 88u   /* sizeof before start_time: what struct_size 0 means */

struct mf_module {
	uint32_t struct_size;
	uint32_t reserved0;    /* 0 */
	uint64_t pid;          /* 0 = kernel */
	const char *name;
	const char *path;
	uint64_t base;
	uint64_t size;
	uint32_t arch;
	uint32_t reserved;
	/* ---- ABI 2, added later (zero from older plugins) ---- */
	const char *format;    /* the image format: "elf", "pe"; NULL or "" if unknown */
	const char *pdb;       /* PE: the PDB its CodeView (RSDS) record names; NULL or "" if none */
	const char *pdb_id;    /* PE: that record's GUID and age as a symbol server names them
	                        * (32 hex digits, then the age in hex); NULL or "" if none */
};

struct mf_map {
	uint32_t struct_size;
	uint32_t reserved0;    /* 0 */
	uint64_t pid;
	uint64_t start;
	uint64_t end;          /* exclusive */
	const char *perms;     /* "r-xp" style */
	uint64_t offset;       /* file offset of start */
	const char *path;      /* "" for anonymous */
};

/* A thread of a process (tid as the os numbers them: Linux TID, Windows thread id). */
struct mf_thread {
	uint32_t struct_size;
	uint32_t reserved;
	uint64_t pid;
	uint64_t tid;
	const char *name;      /* Linux comm, Windows thread description; "" if none */
	const char *state;     /* "R", "S", "T", ... "" if unknown */
	uint64_t addr;         /* kernel object (task_struct, ETHREAD), 0 if none */
};

enum mf_symbol_kind {
	MF_SYM_UNKNOWN = 0,
	MF_SYM_FUNCTION,
	MF_SYM_DATA,
	MF_SYM_EXPORT,         /* an exported name (PE export table, ELF dynamic symbol) */
	MF_SYM_FORWARDER,      /* an export forwarded to another module: see `forward` */
};

/* A symbol: of the kernel (pid 0: kallsyms, BTF, the kernel PDB, its modules' exports) or
 * of a process's modules. */
struct mf_symbol {
	uint32_t struct_size;
	uint32_t kind;         /* enum mf_symbol_kind */
	uint64_t pid;          /* 0 = kernel */
	const char *module;    /* module name; "" for the kernel image itself */
	const char *name;
	uint64_t addr;
	uint64_t size;         /* 0 if unknown */
	const char *forward;   /* MF_SYM_FORWARDER: "module.name"; else "" */
};

/* Registers of a stopped thread.  Each architecture's set has the layout of Linux's
 * NT_PRSTATUS register set (x86_64: struct user_regs_struct; AArch64: struct
 * user_pt_regs), so a core-file writer copies it as it is.  `arch` says which member of
 * `u` is filled; `raw` pads the union to 512 bytes, so a larger set fits later without
 * moving anything.  The host zero-fills the struct and sets struct_size before the call;
 * the plugin writes nothing beyond struct_size. */
struct mf_regs_x86_64 {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi, orig_rax;
	uint64_t rip, cs, rflags, rsp, ss;
	uint64_t fs_base, gs_base, ds, es, fs, gs;
};
struct mf_regs_aarch64 {
	uint64_t x[31];        /* x0..x30 (x29 frame pointer, x30 link register) */
	uint64_t sp, pc, pstate;
};
struct mf_regs {
	uint32_t struct_size;
	uint32_t arch;         /* enum mf_arch: MF_ARCH_X86_64 or MF_ARCH_AARCH64 so far */
	uint64_t tid;
	union {
		struct mf_regs_x86_64 x86_64;
		struct mf_regs_aarch64 aarch64;
		uint64_t raw[64];
	} u;
};

/* Callbacks return 0 to continue, non-zero to stop the walk (that value is returned). */
typedef int (*mf_process_cb)(void *ctx, const struct mf_process *p);
typedef int (*mf_module_cb)(void *ctx, const struct mf_module *m);
typedef int (*mf_map_cb)(void *ctx, const struct mf_map *m);
typedef int (*mf_thread_cb)(void *ctx, const struct mf_thread *t);
typedef int (*mf_symbol_cb)(void *ctx, const struct mf_symbol *s);

struct mf_os {
	uint32_t struct_size;
	uint32_t abi_version;
	const char *name;
	const char *description;
	const char *help;
	const char *const *keys;
	uint32_t flags;            /* MF_OS_* */
	uint32_t thread_model;     /* enum mf_thread_model (ABI 1: reserved, always serialize-all) */
	/* Mandatory: open, close, processes.  `phys` is NULL for MF_OS_NO_PHYS layers opened
	 * without a connector. */
	int (*open)(const struct mf_host *host, const struct mf_phys *phys,
	            const struct mf_args *args, struct mf_hints *hints, void **handle, char *errbuf);
	void (*close)(void *handle);
	int (*processes)(void *handle, mf_process_cb cb, void *ctx, char *errbuf);
	/* One process by pid: MF_ERR_NOTFOUND if there is none.  Optional. */
	int (*process)(void *handle, uint64_t pid, mf_process_cb cb, void *ctx, char *errbuf);
	int (*modules)(void *handle, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf);
	int (*maps)(void *handle, uint64_t pid, mf_map_cb cb, void *ctx, char *errbuf);
	/* Process memory: the operation that reads a process when there is no physical
	 * memory (MF_OS_NO_PHYS), or when the layer knows better than a page-table walk.
	 * Optional: when NULL the host translates through the process's arch and dtb over
	 * phys.  Same per-entry contract as connector reads. */
	int (*read)(void *handle, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf);
	int (*write)(void *handle, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf);
	/* ---- ABI 2; every one optional (the host answers MF_ERR_UNSUPPORTED) ---- */
	/* Symbols of the kernel (pid 0) or of a process's modules, one callback each. */
	int (*symbols)(void *handle, uint64_t pid, mf_symbol_cb cb, void *ctx, char *errbuf);
	/* The symbol NAME ("name" or "module!name"): one callback, or MF_ERR_NOTFOUND.  When
	 * NULL the host searches the list from symbols(). */
	int (*symbol_lookup)(void *handle, uint64_t pid, const char *name, mf_symbol_cb cb, void *ctx,
	                     char *errbuf);
	/* The nearest symbol at or below ADDR that contains it (one of unknown size contains
	 * every address above it): one callback, or MF_ERR_NOTFOUND.  The caller's offset is
	 * addr - symbol->addr.  When NULL the host searches the list from symbols(). */
	int (*symbol_at)(void *handle, uint64_t pid, uint64_t addr, mf_symbol_cb cb, void *ctx, char *errbuf);
	/* Threads of a process, one callback each. */
	int (*threads)(void *handle, uint64_t pid, mf_thread_cb cb, void *ctx, char *errbuf);
	/* Registers of one thread (stopped for the read, then let go), into *regs. */
	int (*thread_regs)(void *handle, uint64_t pid, uint64_t tid, struct mf_regs *regs, char *errbuf);
	/* Stop every thread of process PID, for a snapshot that stays consistent while it is
	 * read, until resume(PID).  While suspended, thread_regs() of each of its threads must
	 * work (without letting the thread run), and so must reads of its memory.  The host
	 * makes suspend, thread_regs, resume of one process from one thread of its own (a
	 * ptrace tracer is a thread), and resumes before it closes the handle; a layer also
	 * resumes what is still suspended in its close().  A layer whose target is not live
	 * (a snapshot) may leave suspend NULL.  Suspending a suspended process is MF_ERR_ARG. */
	int (*suspend)(void *handle, uint64_t pid, char *errbuf);
	/* Let every thread of PID run again, as it was; nothing when PID is not suspended. */
	void (*resume)(void *handle, uint64_t pid);
	/* The auxiliary vector of process PID (Linux: its saved AT_* pairs, as NT_AUXV holds
	 * them) into buf: at most cap bytes, the length in *len. */
	int (*auxv)(void *handle, uint64_t pid, uint8_t *buf, size_t cap, size_t *len, char *errbuf);
	/* The environment of process PID as the process holds it (NAME=VALUE strings, each
	 * NUL-terminated, as Linux's /proc/PID/environ gives them) into buf: at most cap
	 * bytes, the length in *len (a block longer than cap is cut at cap). */
	int (*environment)(void *handle, uint64_t pid, uint8_t *buf, size_t cap, size_t *len, char *errbuf);
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
