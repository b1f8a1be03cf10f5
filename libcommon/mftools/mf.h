/* mftools/mf.h: libmf, the library every mftools tool is built on.
 *
 * Conventions: functions return 0 (or a count) on success and a negative MF_ERR_* code on
 * failure; those that can fail for reasons worth telling take `char *errbuf`
 * (MF_ERRBUF_SIZE bytes) and write a one-line lowercase message there.  A `char *`
 * result belongs to the caller (free with the named function), a `const char *` is
 * borrowed.  The library never prints and never exits.
 */
#ifndef MFTOOLS_MF_H
#define MFTOOLS_MF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mftools/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors, logging --------------------------------------------------------------- */

const char *mf_strerror(int code);
/* Format into errbuf and return `code`: `return mf_error(errbuf, MF_ERR_IO, "cannot ...")`. */
int mf_error(char *errbuf, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Like mf_error, appending ": strerror(errno)". */
int mf_error_errno(char *errbuf, int code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Messages from the library and plugins: the tool sets its name and verbosity once.
 * Level 0 warnings are shown unless quiet (-q); 1 with -v; 2 with -vv. */
void mf_log_init(const char *progname, int verbosity);
void mf_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *mf_progname(void);

/* ---- numbers and arguments --------------------------------------------------------- */

/* "0x1f00", "4096", "16K", "2M", "1G", "1T" (binary units).  MF_ERR_ARG if not a number,
 * MF_ERR_RANGE if it does not fit in 64 bits. */
int mf_parse_u64(const char *s, uint64_t *out);
int mf_parse_i64(const char *s, int64_t *out);

/* "name[:default][,key=value...]".  The result is one allocation: free with mf_spec_free. */
struct mf_spec {
	char *name;
	struct mf_args args;
};
int mf_spec_parse(const char *s, struct mf_spec **out, char *errbuf);
void mf_spec_free(struct mf_spec *spec);
const char *mf_args_get(const struct mf_args *args, const char *key);

const char *mf_arch_name(uint32_t arch);
int mf_arch_parse(const char *s, uint32_t *arch);

/* ---- hints ------------------------------------------------------------------------- */

struct mf_hints *mf_hints_new(void);
void mf_hints_free(struct mf_hints *h);
int mf_hints_set_u64(struct mf_hints *h, const char *key, uint64_t v);
int mf_hints_set_str(struct mf_hints *h, const char *key, const char *s);
int mf_hints_set_bin(struct mf_hints *h, const char *key, const void *p, size_t n);
int mf_hints_get_u64(const struct mf_hints *h, const char *key, uint64_t *v);
const char *mf_hints_get_str(const struct mf_hints *h, const char *key);
const void *mf_hints_get_bin(const struct mf_hints *h, const char *key, size_t *n);

/* ---- plugins ----------------------------------------------------------------------- */

enum mf_plugin_kind { MF_PLUGIN_CONNECTOR = 0, MF_PLUGIN_OS = 1 };

struct mf_plugin_info {
	enum mf_plugin_kind kind;
	const char *name;
	const char *path;          /* the file */
	const char *description;   /* NULL when refused */
	const char *help;
	uint32_t abi;              /* the plugin's ABI version, 0 if unknown */
	const char *refused;       /* NULL if usable, else why not */
	bool shadowed;             /* a plugin of the same name was found earlier in the path */
};

/* The directories searched, in order: each of $MF_PLUGIN_PATH (colon-separated; each
 * directory may hold the .so files directly or in connectors/ and os/ below it), then the
 * install directory.  Never the current directory. */
typedef int (*mf_plugin_info_cb)(void *ctx, const struct mf_plugin_info *info);
int mf_plugins_list(mf_plugin_info_cb cb, void *ctx);
const char *mf_plugin_dir(void);   /* the install directory */

/* ---- records ----------------------------------------------------------------------- */

enum mf_vtype {
	MF_V_NIL = 0, MF_V_BOOL, MF_V_INT, MF_V_UINT,
	MF_V_ADDR,   /* an unsigned 64-bit address: "0x..." in JSON and tables */
	MF_V_FLOAT, MF_V_STR, MF_V_BIN, MF_V_MAP, MF_V_ARRAY,
};

struct mf_rec;

struct mf_value {
	enum mf_vtype type;
	union {
		bool b;
		int64_t i;
		uint64_t u;
		double f;
		struct { const char *p; size_t n; } s;   /* STR and BIN; not NUL-terminated for BIN */
		struct mf_rec *map;                      /* MAP: a nested record without a type */
		struct { struct mf_value *v; size_t n; } arr;
	} v;
};

struct mf_field {
	const char *key;
	struct mf_value val;
};

/* A record: an ordered map of fields; its "type" field is the first.  Strings and bytes
 * are copied into the record's arena: callers' buffers need not outlive the call. */
struct mf_rec *mf_rec_new(const char *type);
void mf_rec_free(struct mf_rec *r);
void mf_rec_reset(struct mf_rec *r, const char *type);   /* reuse without freeing */
struct mf_rec *mf_rec_dup(const struct mf_rec *r);
const char *mf_rec_type(const struct mf_rec *r);         /* "" if none */

int mf_rec_add_uint(struct mf_rec *r, const char *key, uint64_t v);
int mf_rec_add_addr(struct mf_rec *r, const char *key, uint64_t v);
int mf_rec_add_int(struct mf_rec *r, const char *key, int64_t v);
int mf_rec_add_float(struct mf_rec *r, const char *key, double v);
int mf_rec_add_bool(struct mf_rec *r, const char *key, bool v);
int mf_rec_add_str(struct mf_rec *r, const char *key, const char *s);
int mf_rec_add_strn(struct mf_rec *r, const char *key, const char *s, size_t n);
int mf_rec_add_bin(struct mf_rec *r, const char *key, const void *p, size_t n);
int mf_rec_add_nil(struct mf_rec *r, const char *key);
/* A nested map (e.g. "hints"), owned by r; NULL on out of memory. */
struct mf_rec *mf_rec_add_map(struct mf_rec *r, const char *key);
/* Copy a value (deeply) from another record. */
int mf_rec_add_value(struct mf_rec *r, const char *key, const struct mf_value *v);

size_t mf_rec_count(const struct mf_rec *r);
const struct mf_field *mf_rec_field(const struct mf_rec *r, size_t i);
const struct mf_value *mf_rec_get(const struct mf_rec *r, const char *key);
/* Typed getters: 0, MF_ERR_NOTFOUND (absent) or MF_ERR_FORMAT (wrong type).  get_u64
 * accepts UINT, ADDR, non-negative INT and the strings "0x..."/decimal that JSON input
 * carries; get_bin accepts BIN and, from JSON, a hex string (decoded into the record's
 * arena). */
int mf_rec_get_u64(const struct mf_rec *r, const char *key, uint64_t *v);
int mf_rec_get_i64(const struct mf_rec *r, const char *key, int64_t *v);
int mf_rec_get_f64(const struct mf_rec *r, const char *key, double *v);
int mf_rec_get_str(const struct mf_rec *r, const char *key, const char **s, size_t *n);
int mf_rec_get_bin(const struct mf_rec *r, const char *key, const void **p, size_t *n);
struct mf_rec *mf_rec_get_map(const struct mf_rec *r, const char *key);

/* ---- output ------------------------------------------------------------------------ */

enum mf_format { MF_FMT_AUTO = 0, MF_FMT_TABLE, MF_FMT_JSON, MF_FMT_MSGPACK, MF_FMT_RAW };

/* "table", "json", "msgpack", "raw"; `allow_raw` for tools whose product is bytes. */
int mf_format_parse(const char *s, enum mf_format *out, bool allow_raw);
const char *mf_format_name(enum mf_format f);
/* The default for an output fd: $MF_FORMAT if set (an invalid value is an error), else
 * table on a terminal and msgpack otherwise. */
int mf_format_default(int fd, enum mf_format *out, char *errbuf);

/* Column layout of table output for one record type.  Fields not listed are not shown;
 * records of a type with no layout are shown as key=value pairs. */
struct mf_col {
	const char *key;
	const char *title;
	int width;      /* minimum width; negative = left-aligned */
};

struct mf_out;
struct mf_out *mf_out_new(int fd, enum mf_format fmt);   /* NULL on out of memory */
int mf_out_columns(struct mf_out *o, const char *type, const struct mf_col *cols, size_t ncols);
/* Write one record (buffered).  0 or MF_ERR_IO (EPIPE included: the tool should exit quietly). */
int mf_out_rec(struct mf_out *o, const struct mf_rec *r);
/* Raw bytes (for -f raw and for tools that print free text in table mode). */
int mf_out_raw(struct mf_out *o, const void *p, size_t n);
int mf_out_flush(struct mf_out *o);
enum mf_format mf_out_format(const struct mf_out *o);
/* Flush and free; returns the first error seen on this stream. */
int mf_out_close(struct mf_out *o);

/* ---- input ------------------------------------------------------------------------- */

struct mf_in;
/* Reads msgpack or JSON lines, detected from the first byte ('{' or whitespace: JSON). */
struct mf_in *mf_in_new(int fd);
/* 1 and *rec (borrowed, valid until the next call) when a record was read, 0 at a clean
 * end, or a negative code with "at byte N: ..." in errbuf for a malformed or truncated
 * stream. */
int mf_in_next(struct mf_in *in, const struct mf_rec **rec, char *errbuf);
/* Put the last record back, so that the next mf_in_next returns it again. */
void mf_in_unread(struct mf_in *in);
void mf_in_free(struct mf_in *in);

/* ---- targets ----------------------------------------------------------------------- */

struct mf_target;

#define MF_TARGET_WRITE 0x1u

/* Open a target.  conn and os are specs ("lime:/x.lime", "qemu:name=vm,qmp=/s") or NULL;
 * with neither, the native os layer (this machine).  A bare path as conn means
 * "file:PATH". */
int mf_target_open(const char *conn, const char *os, unsigned flags,
                   struct mf_target **out, char *errbuf);
/* Reopen from a target record (skipping discovery: the hints are passed in). */
int mf_target_open_rec(const struct mf_rec *rec, unsigned flags,
                       struct mf_target **out, char *errbuf);
void mf_target_close(struct mf_target *t);
/* Fill r (reset to type "target") with v, connector, connector_args, os, os_args, hints. */
int mf_target_rec(const struct mf_target *t, struct mf_rec *r);
/* "lime:/x.lime" or "native" etc.: for messages */
const char *mf_target_name(const struct mf_target *t);
struct mf_hints *mf_target_hints(struct mf_target *t);
bool mf_target_has_phys(const struct mf_target *t);
bool mf_target_has_os(const struct mf_target *t);

/* Physical memory: batched; entries are split at range boundaries internally; per-entry
 * results in iov[i].err (MF_ERR_UNMAPPED for holes).  Returns 0 or a batch failure. */
int mf_phys_read(struct mf_target *t, struct mf_iov *iov, size_t n, char *errbuf);
int mf_phys_write(struct mf_target *t, struct mf_iov *iov, size_t n, char *errbuf);
size_t mf_phys_ranges(struct mf_target *t, const struct mf_range **out);

/* Virtual memory of any address space, translated by libmf over physical memory. */
int mf_virt_read(struct mf_target *t, const struct mf_space *sp, struct mf_iov *iov, size_t n, char *errbuf);
int mf_virt_write(struct mf_target *t, const struct mf_space *sp, struct mf_iov *iov, size_t n, char *errbuf);

/* The kernel's address space, from the hints (arch, and kernel_dtb or dtb). */
int mf_target_kernel_space(struct mf_target *t, struct mf_space *sp, char *errbuf);
/* A process's address space (arch, dtb from the os layer); MF_ERR_UNSUPPORTED when the os
 * layer reads process memory itself (native). */
int mf_target_proc_space(struct mf_target *t, uint64_t pid, struct mf_space *sp, char *errbuf);

/* The os layer: processes, modules, maps, process memory. */
int mf_processes(struct mf_target *t, mf_process_cb cb, void *ctx, char *errbuf);
int mf_process(struct mf_target *t, uint64_t pid, mf_process_cb cb, void *ctx, char *errbuf);
int mf_modules(struct mf_target *t, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf);
int mf_maps(struct mf_target *t, uint64_t pid, mf_map_cb cb, void *ctx, char *errbuf);
int mf_proc_read(struct mf_target *t, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf);
int mf_proc_write(struct mf_target *t, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf);

/* Records for os objects (so that every tool writes the same fields). */
int mf_process_rec(const struct mf_process *p, struct mf_rec *r);
int mf_module_rec(const struct mf_module *m, struct mf_rec *r);
int mf_map_rec(const struct mf_map *m, struct mf_rec *r);

/* ---- os operations: symbols, threads, registers (plugin ABI 2) ------------------ */

/* Symbols of the kernel (pid 0) or of a process's modules, one callback each (strings
 * borrowed for the callback).  MF_ERR_UNSUPPORTED when the os layer has no symbols. */
int mf_symbols(struct mf_target *t, uint64_t pid, mf_symbol_cb cb, void *ctx, char *errbuf);
/* One callback with the symbol NAME ("name" or "module!name"), or MF_ERR_NOTFOUND.  Uses
 * the os layer's lookup, else searches its list. */
int mf_symbol_lookup(struct mf_target *t, uint64_t pid, const char *name, mf_symbol_cb cb, void *ctx,
                     char *errbuf);
/* One callback with the nearest symbol at or below ADDR that contains it (a symbol of
 * unknown size contains every address above it); the offset is addr - s->addr.
 * MF_ERR_NOTFOUND when there is none.  Uses the os layer's lookup, else its list. */
int mf_symbol_at(struct mf_target *t, uint64_t pid, uint64_t addr, mf_symbol_cb cb, void *ctx, char *errbuf);
/* Threads of a process, one callback each. */
int mf_threads(struct mf_target *t, uint64_t pid, mf_thread_cb cb, void *ctx, char *errbuf);
/* The registers of thread TID of process PID (the thread is stopped for the read and let
 * go).  *regs is reset first; on success regs->arch says which set is filled. */
int mf_thread_regs(struct mf_target *t, uint64_t pid, uint64_t tid, struct mf_regs *regs, char *errbuf);
/* Does the os layer read process memory itself (native: process_vm_readv), so that
 * processes are readable without physical memory?  (Else libmf translates over phys.) */
bool mf_target_reads_proc(struct mf_target *t);
/* Records for these objects ("symbol" and "thread" in the record stream). */
int mf_symbol_rec(const struct mf_symbol *s, struct mf_rec *r);
int mf_thread_rec(const struct mf_thread *th, struct mf_rec *r);

/* The host side of the symbol-file service (struct mf_host's open_symbol_file), for
 * programs that load a plugin themselves (test harnesses): mark the argument list built
 * from user input before passing it to the plugin's open, and remove the mark after its
 * close.  libmf does both for the targets it opens. */
int mf_args_trust(const struct mf_args *args);
void mf_args_untrust(const struct mf_args *args);
int mf_symbol_file_open(const struct mf_args *args, const char *key, struct mf_symfile *file, char *errbuf);
void mf_symbol_file_close(struct mf_symfile *file);

/* ---- tool support ------------------------------------------------------------------ */

/* How every tool finds its target: -c/-o when given; else -t FILE (a saved mf-attach
 * output); else a target record at the head of stdin (looked at only when stdin is a pipe
 * or a regular file, and `read_stdin` is set); else this machine (native).  On success
 * *in is the stdin reader positioned after any target record (NULL when stdin was not
 * looked at), and the tool owns t and in. */
struct mf_tool_target {
	const char *conn;       /* -c */
	const char *os;         /* -o */
	const char *tfile;      /* -t */
	unsigned flags;         /* MF_TARGET_WRITE */
	bool read_stdin;
};
int mf_tool_open(const struct mf_tool_target *opt, struct mf_target **t, struct mf_in **in, char *errbuf);

#ifdef __cplusplus
}
#endif
#endif
