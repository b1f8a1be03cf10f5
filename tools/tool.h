/* tool.h: what every mf-* tool shares: the common options (-c -o -t -f -q -v -h
 * --version), messages and exit codes, opening the target and the output.  Tools only. */
#ifndef MF_TOOL_H
#define MF_TOOL_H

#include <getopt.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <mftools/mf.h>

/* Exit codes: 0 success, 1 runtime error (or something could not be read), 2 usage. */
#define TOOL_EXIT_OK 0
#define TOOL_EXIT_FAIL 1
#define TOOL_EXIT_USAGE 2

/* Long-only options shared by every tool get values above 255. */
enum {
	TOOL_OPT_VERSION = 256,
	TOOL_OPT_ARCH,              /* the space options of tool_space_opt() */
	TOOL_OPT_DTB,
	TOOL_OPT_KERNEL,
	TOOL_OPT_PHYS,
	TOOL_OPT_FIRST_OWN = 300,   /* a tool's own long-only options start here */
};

/* The common short options, to be merged (sorted) into each tool's option string. */
#define TOOL_LONGOPTS_COMMON \
	{ "connector", required_argument, NULL, 'c' }, \
	{ "format", required_argument, NULL, 'f' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "os", required_argument, NULL, 'o' }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "target", required_argument, NULL, 't' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "version", no_argument, NULL, TOOL_OPT_VERSION }

struct tool_spaces;

struct tool {
	const char *name;            /* "mf-ps" */
	int verbosity;               /* -q -1, default 0, -v 1, -vv 2 */
	const char *format;          /* -f, NULL = default */
	struct mf_tool_target topt;  /* -c -o -t, flags, read_stdin */
	struct mf_target *t;
	struct mf_in *in;            /* stdin records after the target record, or NULL */
	struct mf_out *out;
	enum mf_format fmt;
	void (*usage)(int status);
	struct tool_spaces *spaces;  /* set by tool_select */
	size_t nworked, ngone;       /* processes of the selection read, and gone meanwhile */
	size_t nother;               /* records on stdin that selected nothing */
	char errbuf[MF_ERRBUF_SIZE];
};

/* Set the name and logging; call first. */
void tool_init(struct tool *tl, char **argv, const char *name, void (*usage)(int status));
/* Handle a common option; returns true if `c` was one (exits for -h and --version). */
bool tool_common_opt(struct tool *tl, int c, const char *arg);
/* Call after option parsing: applies -q/-v to logging. */
void tool_options_done(struct tool *tl);
/* The help text of the common options, for usage(). */
void tool_usage_common(FILE *f, bool allow_raw);

/* "mf-ps: MESSAGE" on stderr. */
void tool_err(struct tool *tl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
noreturn void tool_die(struct tool *tl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A usage error: the message, then "Try 'mf-ps --help'", exit 2. */
noreturn void tool_usage_error(struct tool *tl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tool_warn(struct tool *tl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Numbers (0x hex, decimal, K/M/G): "invalid WHAT 'S'" or "WHAT 'S' out of range", exit 2. */
uint64_t tool_parse_u64(struct tool *tl, const char *what, const char *s);
int64_t tool_parse_i64(struct tool *tl, const char *what, const char *s);
/* "1,2,3" appended to a growing array of pids. */
void tool_parse_pids(struct tool *tl, const char *s, uint64_t **pids, size_t *n);

/* Open the output (format from -f / MF_FORMAT / TTY), then the target (mf_tool_open);
 * exits on failure.  tool_open_output: the output alone. */
void tool_open(struct tool *tl, bool allow_raw);
void tool_open_output(struct tool *tl, bool allow_raw);
/* Table columns for records, from the one table of layouts (tool-cols.c): a layout name
 * ("process", "process-tree", "module", "map", "hit", "xlat", "pagemap", "p2v", "symbol",
 * "thread", "pdb-symbol", "type", "member", "enumerator"), or "all" for the default layout of every record type. */
void tool_columns(struct tool *tl, const char *layout);
/* A record read from a stream into out (reset), its address fields and hints typed as the
 * tool that wrote it typed them (msgpack carries addresses as integers, JSON as strings). */
void tool_rec_typed(const struct mf_rec *in, struct mf_rec *out);
/* Write the target record when the format carries records (json, msgpack). */
void tool_write_target(struct tool *tl);
/* Write one record; exits on a write error. */
void tool_rec(struct tool *tl, const struct mf_rec *r);
/* Raw bytes / text to the output. */
void tool_raw(struct tool *tl, const void *p, size_t n);
void tool_printf(struct tool *tl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Flush and close the output, close the target and stdin; returns status unless the
 * output failed (then 1). */
int tool_finish(struct tool *tl, int status);

/* Allocation that exits on failure (tools only). */
void *tool_xmalloc(size_t n);
void *tool_xcalloc(size_t n, size_t m);
void *tool_xrealloc(void *p, size_t n, size_t m);
char *tool_xstrdup(const char *s);
void tool_oom(void);

/* mf_process_name_match(). */
bool tool_name_match(const char *glob, const struct mf_process *p);

/* The space options every tool spells the same: -p PID[,PID], -n NAME, --phys, --kernel,
 * --dtb ROOT, --arch ARCH (a tool lists those it takes in its getopt tables, with the codes
 * 'p', 'n', TOOL_OPT_PHYS, ...).  With `one` set (mf-read, mf-vtop) a second kind of space
 * is a usage error with that text ("give one address space (-p, -n, --phys, --kernel or
 * --dtb)"), and -n must match exactly one process. */
struct tool_spaces {
	const char *one;
	struct mf_select_opts sel;
	uint64_t *pids;
	const char **names;
	enum mf_aspace_kind kind;    /* the kind given first; NONE when no option was */
};
/* Handle a space option; true if `c` was one. */
bool tool_space_opt(struct tool *tl, struct tool_spaces *sp, int c, const char *arg);
/* Did the options name a space? */
bool tool_spaces_given(const struct tool_spaces *sp);
/* Stdin is looked at for the target record, and for process records when no space
 * option was given: set before tool_open. */
void tool_spaces_stdin(struct tool *tl, const struct tool_spaces *sp);
/* After tool_open: the selection (mf_select_new); exits on errors (option errors exit 2). */
struct mf_select *tool_select(struct tool *tl, struct tool_spaces *sp, unsigned flags);
/* An empty selection from stdin is not an error: tool_spaces_empty() says what stdin
 * carried ("stdin carried a target record and 3 other records, no process records: nothing
 * to VERB") when records were piped, else nothing (the caller's usage error follows).
 * tool_select() counts the records; a tool calling mf_select_new() itself passes its
 * options to tool_select_count() first. */
void tool_spaces_empty(struct tool *tl, const char *verb);
void tool_select_count(struct tool *tl, struct mf_select_opts *o);
/* The next space of the selection, opened; NULL when there are no more.  A process gone
 * meanwhile is skipped with tool_space_gone()'s warning; exits when stdin is malformed or
 * the space cannot be opened. */
struct mf_aspace *tool_next_space(struct tool *tl, struct mf_select *sel);
/* Live targets change while a tool reads them: a process of the selection that is gone
 * (MF_ERR_NOTFOUND or MF_ERR_GONE from opening or reading it) is a warning "pid N exited"
 * when it came from stdin or a -n match, and so is one the tool may not read (MF_ERR_PERM:
 * "cannot read pid N: permission denied (skipped)", as `mf-ps | mf-modules` meets other
 * users' processes); tool_space_gone() says so, counts it and returns true (go on with the
 * next).  A pid given with -p, or any other error, returns false: the caller reports it as
 * an error.  tool_space_worked() counts a process that was read;
 * tool_spaces_status() is the exit status: `status`, or 1 when processes exited and none
 * was read. */
bool tool_space_gone(struct tool *tl, uint64_t pid, int err);
void tool_space_worked(struct tool *tl);
int tool_spaces_status(struct tool *tl, int status);
/* Add the space fields (mf_aspace_id_rec); exits on out of memory. */
void tool_space_fields(const struct mf_aspace_id *id, unsigned flags, struct mf_rec *r);

/* A string field of a record as a NUL-terminated copy in buf (truncated); "" if absent. */
const char *tool_rec_str(const struct mf_rec *r, const char *key, char *buf, size_t size);

#endif
