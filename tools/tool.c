/* tool.c: what every mf-* tool starts with: its name, the common options, messages and
 * exit codes, number parsing, allocation that exits.  Output: tool-out.c; spaces:
 * tool-space.c. */
#include "config.h"
#include "tool.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct tool *tool_current;   /* for tool_oom() */

void
tool_init(struct tool *tl, char **argv, const char *name, void (*usage)(int status))
{
	memset(tl, 0, sizeof *tl);
	tl->name = name;
	tl->usage = usage;
	tool_current = tl;
	/* getopt's messages name argv[0], which may be a path (or libtool's .libs/ one) */
	argv[0] = (char *)name;
	mf_log_init(name, 0);
}

static void
tool_verr(struct tool *tl, const char *prefix, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof buf, fmt, ap);
	fflush(stdout);
	mf_progress_hold();   /* never on the progress line's text */
	fprintf(stderr, "%s: %s%s\n", tl->name, prefix, buf);
	mf_progress_release();
}

void
tool_err(struct tool *tl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tool_verr(tl, "", fmt, ap);
	va_end(ap);
}

void
tool_warn(struct tool *tl, const char *fmt, ...)
{
	va_list ap;

	if (tl->verbosity < 0)
		return;
	va_start(ap, fmt);
	tool_verr(tl, "warning: ", fmt, ap);
	va_end(ap);
}

noreturn void
tool_die(struct tool *tl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tool_verr(tl, "", fmt, ap);
	va_end(ap);
	if (tl->out != NULL)
		mf_out_close(tl->out);
	exit(TOOL_EXIT_FAIL);
}

noreturn void
tool_usage_error(struct tool *tl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tool_verr(tl, "", fmt, ap);
	va_end(ap);
	exit(TOOL_EXIT_USAGE);
}

void
tool_oom(void)
{
	mf_progress_hold();
	fprintf(stderr, "%s: out of memory\n", tool_current ? tool_current->name : "mftools");
	mf_progress_release();
	exit(TOOL_EXIT_FAIL);
}

void *
tool_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		tool_oom();
	return p;
}

void *
tool_xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (p == NULL)
		tool_oom();
	return p;
}

void *
tool_xrealloc(void *p, size_t n, size_t m)
{
	void *q;

	if (m != 0 && n > SIZE_MAX / m)
		tool_oom();
	if ((q = realloc(p, n * m != 0 ? n * m : 1)) == NULL)
		tool_oom();
	return q;
}

char *
tool_xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		tool_oom();
	return p;
}

static noreturn void
tool_version(struct tool *tl)
{
	printf("%s (%s) %s\n", tl->name, PACKAGE_NAME, PACKAGE_VERSION);
	printf("plugin directory: %s\n", mf_plugin_dir());
	printf("plugin ABI: %d (loads plugins of ABI %d to %d)\n", MF_ABI_VERSION, MF_ABI_MIN_VERSION, MF_ABI_VERSION);
	exit(TOOL_EXIT_OK);
}

bool
tool_common_opt(struct tool *tl, int c, const char *arg)
{
	switch (c) {
	case 'c':
		tl->topt.conn = arg;
		return true;
	case 'f':
		tl->format = arg;
		return true;
	case 'h':
		tl->usage(TOOL_EXIT_OK);
		return true;
	case 'o':
		tl->topt.os = arg;
		return true;
	case 'q':
		tl->verbosity = -1;
		return true;
	case 't':
		tl->topt.tfile = arg;
		return true;
	case 'v':
		if (tl->verbosity < 2)
			tl->verbosity = tl->verbosity < 0 ? 1 : tl->verbosity + 1;
		return true;
	case TOOL_OPT_VERSION:
		tool_version(tl);
	case '?':
		tl->usage(TOOL_EXIT_USAGE);
		return true;
	default:
		return false;
	}
}

void
tool_options_done(struct tool *tl)
{
	mf_log_init(tl->name, tl->verbosity);
}

void
tool_usage_common(FILE *f, bool allow_raw)
{
	fprintf(f,
	        "\nTarget (default: this machine, or a target record on stdin):\n"
	        "  -c, --connector=CONN   connector spec: NAME[:ARG][,KEY=VALUE...] or a dump file\n"
	        "  -o, --os=OS            os layer spec: NAME[:ARG][,KEY=VALUE...]\n"
	        "  -t, --target=FILE      a target saved by mf-attach\n"
	        "\nOutput:\n"
	        "  -f, --format=FORMAT    table, json, msgpack%s (default: table on a terminal,\n"
	        "                         else msgpack; MF_FORMAT changes the default)\n"
	        "  -q, --quiet            no warnings, no progress line\n"
	        "  -v, --verbose          more messages (-vv: debug)\n"
	        "  -h, --help             this help\n"
	        "      --version          version and plugin directory\n",
	        allow_raw ? ", raw" : "");
}

static void
tool_parse_fail(struct tool *tl, const char *what, const char *s, int r)
{
	if (r == MF_ERR_RANGE)
		tool_usage_error(tl, "%s '%s' out of range", what, s);
	tool_usage_error(tl, "invalid %s '%s'", what, s);
}

uint64_t
tool_parse_u64(struct tool *tl, const char *what, const char *s)
{
	uint64_t v;
	int r = mf_parse_u64(s, &v);

	if (r < 0)
		tool_parse_fail(tl, what, s, r);
	return v;
}

int64_t
tool_parse_i64(struct tool *tl, const char *what, const char *s)
{
	int64_t v;
	int r = mf_parse_i64(s, &v);

	if (r < 0)
		tool_parse_fail(tl, what, s, r);
	return v;
}

void
tool_parse_pids(struct tool *tl, const char *s, uint64_t **pids, size_t *n)
{
	char *copy = tool_xstrdup(s), *tok, *save = NULL;

	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		uint64_t v;
		int r = mf_parse_u64(tok, &v);

		if (r < 0) {
			char what[64];

			snprintf(what, sizeof what, "pid");
			tool_parse_fail(tl, what, tok, r);
		}
		if (v > INT32_MAX)
			tool_usage_error(tl, "pid '%s' out of range", tok);
		*pids = tool_xrealloc(*pids, *n + 1, sizeof **pids);
		(*pids)[(*n)++] = v;
	}
	if (*s == '\0' || s[strlen(s) - 1] == ',')
		tool_usage_error(tl, "invalid pid list '%s'", s);
	free(copy);
}

const char *
tool_rec_str(const struct mf_rec *r, const char *key, char *buf, size_t size)
{
	const char *s;
	size_t n;

	if (mf_rec_get_str(r, key, &s, &n) < 0 || size == 0) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}
