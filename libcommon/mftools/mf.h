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

/* ---- progress ---------------------------------------------------------------------- */

/* A progress line on stderr for a long pass (a scan, a dump, a long read), redrawn in
 * place at most 5 times a second and erased by mf_progress_end:
 *     mf-dump [#########.........]  34% 1.4 GiB / 4.0 GiB  612.3 MiB/s  ETA 0:00:04
 * cut to the terminal's width.  Drawn only when stderr is a terminal, logging is not quiet
 * (mf_log_init's verbosity >= 0: -q silences it) and the pass's total is at least
 * MF_PROGRESS_MIN_DEFAULT bytes, or what the environment variable MF_PROGRESS_MIN says
 * (a byte count: "0", "64M"; an invalid one is warned about once and the default kept).
 * One line per process: while one is open, mf_progress_new returns NULL.  mf_log's
 * messages and mf_out's writes to a terminal erase the line first (it comes back at its
 * next update); a tool that prints to stderr itself brackets that with mf_progress_hold
 * and mf_progress_release. */
#define MF_PROGRESS_MIN_DEFAULT (UINT64_C(256) << 20)
struct mf_progress;
/* A line for a pass over `total` bytes (0: not known yet, see mf_progress_update); NULL
 * when none is to be drawn, or out of memory.  Every call below accepts NULL. */
struct mf_progress *mf_progress_new(uint64_t total);
/* n more bytes done: from any thread at once (an atomic count); the thread whose update
 * finds a redraw due draws, unless stderr is held meanwhile. */
void mf_progress_add(struct mf_progress *p, uint64_t n);
/* done of total bytes, absolutely (one thread; the shape of a writer's progress callback). */
void mf_progress_update(struct mf_progress *p, uint64_t done, uint64_t total);
/* Erase the line and free p: after every other call on p has returned. */
void mf_progress_end(struct mf_progress *p);
/* Lock stderr (flockfile) and erase a progress line being shown, to print on the terminal
 * without mixing with it; mf_progress_release unlocks.  Recursive, cheap when no line is. */
void mf_progress_hold(void);
void mf_progress_release(void);

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
/* What a number hint is, by its key, for every printer (target records, tables, JSON):
 * an address (hex), a count or id (decimal: cpus, qemu_pid, build) or a flag (true/false:
 * live).  Keys not in the table are addresses. */
enum mf_hint_kind { MF_HINT_ADDR = 0, MF_HINT_NUMBER, MF_HINT_FLAG };
enum mf_hint_kind mf_hint_kind(const char *key);

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
	MF_V_TIME,   /* a point in time, v.i nanoseconds since 1970-01-01 UTC: a msgpack
	              * timestamp (extension type -1), an RFC 3339 string in JSON and tables */
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
int mf_rec_add_time(struct mf_rec *r, const char *key, int64_t ns_since_epoch);
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

/* ---- typed values ------------------------------------------------------------------ */

/* The value types of mf-read -T and mf-scan: little-endian integers and IEEE floats of
 * fixed size, pointers of the address space's size, NUL-terminated strings (str: bytes,
 * wstr: UTF-16LE).  The enum order is part of no ABI; names are ("u8" ... "wstr"). */
enum mf_type {
	MF_T_NONE = 0, MF_T_U8, MF_T_U16, MF_T_U32, MF_T_U64, MF_T_I8, MF_T_I16, MF_T_I32, MF_T_I64,
	MF_T_F32, MF_T_F64, MF_T_PTR, MF_T_STR, MF_T_WSTR,
};

/* A number of one of the numeric types: u for unsigned and ptr, i for signed, f for floats
 * (f32 values held as the double they convert to). */
union mf_num {
	uint64_t u;
	int64_t i;
	double f;
};

/* "u32" -> MF_T_U32; 0 or MF_ERR_ARG.  mf_type_name(MF_T_NONE) is "". */
int mf_type_parse(const char *s, enum mf_type *t);
const char *mf_type_name(enum mf_type t);
/* Bytes of a value: 1..8 for numbers (ptr: ptr_size, 4 or 8), 0 for strings and NONE. */
unsigned mf_type_size(enum mf_type t, unsigned ptr_size);
bool mf_type_signed(enum mf_type t);
bool mf_type_float(enum mf_type t);
bool mf_type_string(enum mf_type t);   /* str, wstr */

/* Parse a number of type t: "0x1f", "4096", "16K" (mf_parse_u64's forms), "-3" and "-0x10"
 * for signed types, strtod's forms for floats.  0, or MF_ERR_ARG ("invalid u32 value 'x'")
 * / MF_ERR_RANGE ("value '256' out of range for u8") with the message in errbuf. */
int mf_num_parse(enum mf_type t, unsigned ptr_size, const char *s, union mf_num *v, char *errbuf);
/* The value of the mf_type_size(t, ptr_size) bytes at p; store one there. */
union mf_num mf_num_decode(enum mf_type t, unsigned ptr_size, const uint8_t *p);
void mf_num_encode(enum mf_type t, unsigned ptr_size, union mf_num v, uint8_t *p);
/* -1, 0 or 1: x against y in t's domain; 2 when a float is NaN (unordered). */
int mf_num_cmp(enum mf_type t, union mf_num x, union mf_num y);
/* The value as text: "100", "-3", "-1.5" (%.9g for f32, %.17g for f64), "0x7ffd0000" (ptr). */
void mf_num_format(enum mf_type t, union mf_num v, char *buf, size_t size);
/* Add the value to a record: int, uint, float, or addr (ptr and u64: in JSON always a
 * "0x..." string, as addresses are; readers take numbers too). */
int mf_num_rec_add(struct mf_rec *r, const char *key, enum mf_type t, union mf_num v);

/* The bytes a value string stands for, for writing: numbers as mf_num_parse and encoded;
 * str as the UTF-8 bytes, wstr converted to UTF-16LE, each with a NUL unless no_nul;
 * MF_T_NONE: hex bytes ("deadbeef", "de ad be ef", "0xde:ad").  *out is the caller's (free()).
 * 0, or MF_ERR_ARG / MF_ERR_RANGE with a message, MF_ERR_NOMEM. */
int mf_value_bytes(enum mf_type t, unsigned ptr_size, const char *s, bool no_nul, uint8_t **out, size_t *n,
                   char *errbuf);
/* UTF-16LE (n bytes; an odd last byte is ignored) to UTF-8 in out, which holds at least
 * n / 2 * 3 bytes (pairs need 4 bytes for 4 input bytes); unpaired surrogates become U+FFFD.
 * Returns the bytes written (no NUL). */
size_t mf_utf16le_to_utf8(const uint8_t *p, size_t n, char *out);

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
/* Cut table lines to `width` display columns (the last column, as ps does): for a terminal
 * of that width.  0, the default: never. */
void mf_out_set_width(struct mf_out *o, size_t width);
/* Write one record (buffered).  0 or MF_ERR_IO (EPIPE included: the tool should exit quietly). */
int mf_out_rec(struct mf_out *o, const struct mf_rec *r);
/* A scalar field value as tables show it ("-" for nil, true/false, decimal integers, 0x-hex
 * addresses, %g floats, times to the second) into buf (32 bytes hold any): its length; -1 for strings, bytes,
 * maps and arrays, which are the caller's to show. */
int mf_value_scalar_text(const struct mf_value *v, char *buf, size_t n);
/* A time (nanoseconds since 1970-01-01 UTC) as RFC 3339 UTC text, "2026-12-03T12:01:02Z",
 * with ".NNNNNNNNN" before the Z when frac and the time is not a whole second (a 32-byte
 * buffer holds any): its length, as snprintf counts it. */
int mf_time_text(int64_t ns, bool frac, char *buf, size_t n);
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
/* Check the target strings as written, before opening: their syntax and the values of the
 * keys every plugin reads alike (pid= a process id), that a plugin has the name.  MF_ERR_ARG,
 * or MF_ERR_NOTFOUND ("unknown connector 'x' ..."), both usage errors, with the message;
 * what only the plugin can check (unknown keys, files) is left to the open. */
int mf_target_spec_check(const char *conn, const char *os, char *errbuf);
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
/* [addr, addr + len) of physical memory without a copy, where the connector can hand it
 * out (its view callback: a stretch of a mapped dump file): 0 with *data pointing at the
 * len bytes, read-only, valid until the target is closed; MF_ERR_UNSUPPORTED (no view of
 * this range: read a copy instead) or MF_ERR_UNMAPPED (a byte lies outside the memory
 * map).  Sets no message: the caller falls back to mf_phys_read, which says what is wrong.
 * A dump file that shrinks while mapped raises SIGBUS when the lost bytes are touched. */
int mf_phys_view(struct mf_target *t, uint64_t addr, uint64_t len, const uint8_t **data);

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

/* ---- address spaces ---------------------------------------------------------------- */

/* An address space of a target: its physical memory, the kernel's virtual memory, a
 * process's, or any page-table root (an explicit arch + dtb).  Reads and writes are
 * batched scatter lists with per-entry errors, whatever is behind them (the connector, the
 * target's translators, or an os layer that reads process memory itself).  An address
 * space borrows its target: close it before the target.
 * Threads: once open, a target may be read and written from several threads at once
 * (mf_phys_*, mf_virt_*, mf_target_proc_space, the os operations, and spaces opened on it):
 * each translation uses a translator no other thread uses meanwhile, and every plugin call
 * is serialised as far as the plugin's thread model asks.  An open mf_aspace holds no
 * state, so threads may share one; mf_target_vat's translator is one thread's at a time.
 * Opening and closing a target or a space are not concurrent with anything else on it. */
enum mf_aspace_kind { MF_ASPACE_NONE = 0, MF_ASPACE_PHYS, MF_ASPACE_KERNEL, MF_ASPACE_PROCESS, MF_ASPACE_DTB };

/* Which space: what tools select (from options or records) before opening it. */
struct mf_aspace_id {
	enum mf_aspace_kind kind;
	uint64_t pid;            /* MF_ASPACE_PROCESS */
	struct mf_space sp;      /* MF_ASPACE_DTB: arch, root (and root_hi, va_bits, granule) */
};

struct mf_aspace;
struct mf_vat;

/* Open a space.  A process must exist (MF_ERR_NOTFOUND: "no process with pid N"); its
 * page-table root is looked up when the os layer does not read process memory itself.
 * The kernel needs the target's architecture and page-table root (hints, VMCOREINFO), or
 * an os layer without physical memory (native: the os layer's pid 0).  A DTB space is
 * checked by the translator (MF_ERR_ARG / MF_ERR_UNSUPPORTED for what it cannot walk). */
int mf_aspace_open(struct mf_target *t, const struct mf_aspace_id *id, struct mf_aspace **out, char *errbuf);
void mf_aspace_close(struct mf_aspace *as);

const struct mf_aspace_id *mf_aspace_id(const struct mf_aspace *as);
/* "pid 1234", "physical memory", "the kernel", "dtb 0x1000": for messages. */
const char *mf_aspace_name(const struct mf_aspace *as);
/* The page tables walked for this space (kernel, translated processes, dtb), or NULL
 * (physical memory; processes and the kernel of an os layer that reads them itself). */
const struct mf_space *mf_aspace_space(const struct mf_aspace *as);
/* The architecture (MF_ARCH_UNKNOWN if not known) and pointer size (4 or 8; 8 when the
 * architecture is unknown). */
uint32_t mf_aspace_arch(const struct mf_aspace *as);
unsigned mf_aspace_ptr_size(const struct mf_aspace *as);

/* Batched I/O: 0 with per-entry results in iov[i].err (MF_ERR_UNMAPPED, MF_ERR_NOTMAPPED
 * ... for holes), or a negative code when the whole batch failed (the process exited, the
 * source failed: message in errbuf).  Writes need a target opened with MF_TARGET_WRITE. */
int mf_aspace_read(struct mf_aspace *as, struct mf_iov *iov, size_t n, char *errbuf);
int mf_aspace_write(struct mf_aspace *as, struct mf_iov *iov, size_t n, char *errbuf);
/* mf_phys_view for physical memory; MF_ERR_UNSUPPORTED for every other space (translated
 * pages lie apart). */
int mf_aspace_view(struct mf_aspace *as, uint64_t addr, uint64_t len, const uint8_t **data);

/* Read [addr, addr + len) in batches of `batch` pieces of `piece` bytes (0: 1 MiB and 16);
 * a piece that fails is read again page by page (4 KiB, batched) so that what is readable
 * is kept.  The callback gets, in address order, data pieces (data != NULL; each piece or
 * page as it was read, valid during the call) and gap pieces (data NULL, err the reason;
 * contiguous gaps with the same error merged).  It returns non-zero to stop (that value is
 * returned).  Returns 0, or a negative code when a batch failed as a whole, with "cannot
 * read 0xADDR in SPACE: why" in errbuf.  A span that wraps past 2^64 is MF_ERR_RANGE. */
struct mf_span_piece {
	uint64_t addr;
	uint64_t len;
	const uint8_t *data;     /* NULL: a gap */
	int err;                 /* a gap's error */
};
typedef int (*mf_span_cb)(void *ctx, const struct mf_span_piece *p);
int mf_aspace_read_span(struct mf_aspace *as, uint64_t addr, uint64_t len, uint64_t piece, size_t batch,
                        mf_span_cb cb, void *ctx, char *errbuf);
/* The first address at or after addr that may be mapped: for physical memory, by the
 * connector's ranges (addr itself when the connector lists none); other spaces: addr.
 * 0, or MF_ERR_NOTFOUND when nothing mapped follows.  Span reads use it to skip what is
 * not mapped without reading it; callers that step through a space themselves (typed
 * values) do the same. */
int mf_aspace_next_mapped(struct mf_aspace *as, uint64_t addr, uint64_t *next);
/* The same into the caller's buf of len bytes: each data piece is at buf + (p->addr - addr)
 * and stays there after the call (gaps leave their bytes undefined), for callers that keep
 * or hand on whole chunks (the scanners, the snapshot writers) without a copy. */
int mf_aspace_read_span_into(struct mf_aspace *as, uint64_t addr, uint64_t len, uint8_t *buf, uint64_t piece,
                             size_t batch, mf_span_cb cb, void *ctx, char *errbuf);

/* A NUL-terminated string at addr of at most max bytes (wide: UTF-16LE, whose NUL is two
 * zero bytes at an even offset), read in batches of pages until the terminator.  s->buf
 * (max + 2 bytes, the caller frees it) holds s->got readable bytes from addr; s->len of them
 * come before the terminator (s->term: one was found); s->err is the error of the first
 * unreadable page (0 if none).  Returns 0, or a whole-batch failure (message in errbuf). */
struct mf_str_read {
	uint8_t *buf;
	size_t got;
	size_t len;
	bool term;
	int err;
};
int mf_aspace_read_str(struct mf_aspace *as, uint64_t addr, uint64_t max, bool wide, struct mf_str_read *s,
                       char *errbuf);

/* An address in a space, from an expression: a number ("0x7ffd0000", "4096"); MODULE+OFF
 * or MODULE (a module of the process, or of the kernel, by its exact name or as the prefix
 * before ".so": "libc+0x10" is libc.so.6's; the last '+' followed by a number splits, as
 * names may hold '+'); then a pointer chain ",O1,O2,...": read a pointer (the space's
 * size) at the address, add the (signed) offset, up to MF_ADDR_CHAIN_MAX times.  Steps are
 * logged at level 1.  0; MF_ERR_ARG for a malformed expression (never for a failed read); or the
 * error of a lookup or read ("no module 'x' in pid 1", "cannot follow the pointer chain at
 * step 2: cannot read 0x0: address not mapped"), with the message in errbuf. */
#define MF_ADDR_CHAIN_MAX 64
int mf_aspace_addr(struct mf_aspace *as, const char *expr, uint64_t *addr, char *errbuf);

/* The mapped memory of a space, in address order, for tools that walk "all of it":
 * physical memory: the connector's ranges (perms "");
 * a process: the os layer's maps, or when it lists none, the page map;
 * the kernel: the page map of the kernel half (from mf_arch_kernel_start);
 * a dtb: the page map of the whole space.
 * Page-map regions merge contiguous pages of the same permissions ("rwxp" style, 'p'
 * always).  The callback returns non-zero to stop (returned).  Returns 0, MF_ERR_LIMIT
 * when the page map visited too many tables (regions found so far were given), or an error
 * (MF_ERR_UNSUPPORTED: the kernel of an os layer without physical memory). */
struct mf_region {
	uint64_t start;
	uint64_t end;            /* exclusive; 0 = the top of the 64-bit space */
	const char *perms;       /* "r-xp"; "" for physical ranges */
	uint64_t offset;         /* file offset of start (os maps), else 0 */
	const char *path;        /* "" when anonymous or unknown */
};
typedef int (*mf_region_cb)(void *ctx, const struct mf_region *r);
int mf_aspace_regions(struct mf_aspace *as, mf_region_cb cb, void *ctx, char *errbuf);

/* Where the kernel half of an architecture's virtual address space starts: 0xc0000000 on
 * 32-bit x86 (the 3G/1G split), 2^63 on 64-bit architectures (the upper half). */
uint64_t mf_arch_kernel_start(uint32_t arch);

/* The `space` fields of a record, written the same by every tool: "space" ("phys",
 * "kernel", "process" with "pid", "dtb" with "dtb" and "arch").  With MF_ASPACE_REC_TABLES
 * every space also says how it is translated: "arch", "dtb" and a non-zero "dtb_hi" after
 * "space" (and "pid"). */
#define MF_ASPACE_REC_TABLES 0x1u
int mf_aspace_id_rec(const struct mf_aspace_id *id, unsigned flags, struct mf_rec *r);
/* `mem` and `gap` records: type, the space fields, "addr", then "data" (bin) or "len" and
 * "error" (mf_strerror(err)).  r is reset first. */
int mf_mem_rec(const struct mf_aspace_id *id, uint64_t addr, const void *data, size_t n, struct mf_rec *r);
int mf_gap_rec(const struct mf_aspace_id *id, uint64_t addr, uint64_t len, int err, struct mf_rec *r);
/* The space a record names with those fields (mem, gap, hit, xlat ...): 0, MF_ERR_NOTFOUND
 * (no "space"), MF_ERR_FORMAT (an unknown space or a missing pid/dtb/arch), message in errbuf. */
int mf_aspace_id_from_rec(const struct mf_rec *r, struct mf_aspace_id *id, char *errbuf);

/* Can the target's translator walk sp?  0, or MF_ERR_ARG / MF_ERR_UNSUPPORTED with "cannot
 * walk aarch64 address space (va bits 60, granule 4096): bad argument" in errbuf. */
int mf_space_check(struct mf_target *t, const struct mf_space *sp, char *errbuf);

/* A translator of the target for the caller to use directly (always the same one, created
 * on first use; one thread at a time: libmf's own reads use others); NULL with a message
 * when the target has no physical memory or on out of memory. */
struct mf_vat *mf_target_vat(struct mf_target *t, char *errbuf);

/* ---- choosing spaces: the rule every tool follows ------------------------------------
 *
 * A tool works on the spaces its options name: --phys, --kernel, --dtb ROOT [--arch ARCH],
 * then each -p PID in the order given, then the processes whose name or argv[0] matches a
 * -n glob, in pid order (each once).  Without such options it works on the processes whose
 * `process` records arrive on stdin: several records mean every one, in the order they
 * arrive (a record without a valid pid is an error of the stream).  Records of other types
 * are handed to the tool's callback (to pass through or use) or ignored.  When neither
 * gives a space the tool's default applies (MF_SELECT_KERNEL: the kernel), else there is
 * none (an empty selection, not an error).  -n globs that match no process are an error,
 * as in pgrep ("no process matches 'x'").  MF_SELECT_ONE_NAME: a -n glob must match
 * exactly one process ("'x' matches 2 processes: 1 (a), 2 (b) (use -p PID)"). */
struct mf_select_opts {
	bool phys;
	bool kernel;
	const char *dtb;         /* --dtb ROOT, parsed here */
	const char *arch;        /* --arch, for --dtb (default: the target's) */
	const uint64_t *pids;
	size_t npids;
	const char *const *names;
	size_t nnames;
	unsigned flags;          /* MF_SELECT_* */
	/* records on stdin that are not `process` records; NULL: ignored.  Non-zero stops. */
	int (*other)(void *ctx, const struct mf_rec *r);
	void *ctx;
};
#define MF_SELECT_KERNEL   0x1u
#define MF_SELECT_ONE_NAME 0x2u

struct mf_select;
/* in: the stdin reader after the target record (mf_tool_open), or NULL.  Option errors
 * (bad --dtb or --arch, no --arch known) are MF_ERR_ARG; listing processes for -n can fail;
 * -n that matches no process is MF_ERR_NOTFOUND; one that must match one process and
 * matches several MF_ERR_GENERIC. */
int mf_select_new(struct mf_target *t, struct mf_in *in, const struct mf_select_opts *o, struct mf_select **out,
                  char *errbuf);
/* 1 and *id for the next space, 0 when there are no more, or a negative code (a malformed
 * stream: "stdin: ..."; a callback's non-zero value is returned as is). */
int mf_select_next(struct mf_select *s, struct mf_aspace_id *id, char *errbuf);
/* Did the spaces come from the options (false: from stdin or the default)? */
bool mf_select_explicit(const struct mf_select *s);
void mf_select_free(struct mf_select *s);

/* Does the glob match the process's name, or the base name of its argv[0] (the first word
 * of its command line, which `exec -a NAME` sets)? */
bool mf_process_name_match(const char *glob, const struct mf_process *p);

/* ---- os operations: symbols, threads, registers, suspend, auxv (plugin ABI 2) --- */

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
/* Stop every thread of process PID until mf_resume(PID), so that its memory and registers
 * stay consistent while they are read (mf_thread_regs works on the stopped threads).
 * Call mf_suspend, mf_thread_regs and mf_resume of one process from the same thread.
 * MF_ERR_UNSUPPORTED when the os layer cannot (a snapshot does not change anyway). */
int mf_suspend(struct mf_target *t, uint64_t pid, char *errbuf);
/* Let a process suspended by mf_suspend run again (nothing when it is not suspended). */
void mf_resume(struct mf_target *t, uint64_t pid);
/* The auxiliary vector of process PID (AT_* pairs as NT_AUXV holds them): at most cap
 * bytes into buf, the length in *len.  MF_ERR_UNSUPPORTED when the os layer has none. */
int mf_auxv(struct mf_target *t, uint64_t pid, uint8_t *buf, size_t cap, size_t *len, char *errbuf);
/* The environment of process PID (NAME=VALUE strings, each NUL-terminated): at most cap
 * bytes into buf, the length in *len.  MF_ERR_UNSUPPORTED when the os layer has none. */
int mf_environment(struct mf_target *t, uint64_t pid, uint8_t *buf, size_t cap, size_t *len, char *errbuf);
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
int mf_symbol_file_open_in(const struct mf_args *args, const char *key, const char *name, struct mf_symfile *file,
                           char *errbuf);
int mf_data_files(const char *kind, mf_data_file_cb cb, void *ctx);
int mf_data_file_open(const char *kind, const char *name, struct mf_symfile *file, char *errbuf);
void mf_symbol_file_close(struct mf_symfile *file);

/* The host services libmf gives every plugin it loads (logging through mf_log, errors,
 * arguments, hints, architectures, symbol files), for programs that load a plugin
 * themselves (test harnesses).  Borrowed, static: copy it to change a field (a log that
 * records messages). */
const struct mf_host *mf_host(void);

/* ---- tool support ------------------------------------------------------------------ */

/* How every tool finds its target: -c/-o when given; else -t FILE (a saved mf-attach
 * output); else a target record at the head of stdin, which is looked at when `read_stdin`
 * is set and stdin is a pipe, a socket or a regular file: then it must start with one
 * (MF_ERR_NOTFOUND "no target record on stdin" otherwise, an empty stdin included), so a
 * pipeline never silently falls back to this machine; else (stdin a terminal, /dev/null
 * or not looked at) this machine (native).  On success *in is the stdin reader positioned
 * after any target record (NULL when stdin was not looked at), and the tool owns t and in. */
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
