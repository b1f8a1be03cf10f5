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

/* Open the target (mf_tool_open) and the output (format from -f / MF_FORMAT / TTY); exits
 * on failure. */
void tool_open(struct tool *tl, bool allow_raw);
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

/* Does the glob match the process's name, or the base name of its argv[0] (the first word
 * of its command line, which `exec -a NAME` sets)? */
bool tool_name_match(const char *glob, const struct mf_process *p);

/* A string field of a record as a NUL-terminated copy in buf (truncated); "" if absent. */
const char *tool_rec_str(const struct mf_rec *r, const char *key, char *buf, size_t size);

#endif
