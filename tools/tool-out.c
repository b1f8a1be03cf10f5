/* tool-out.c: the output of the mf-* tools: format choice, records, raw bytes, closing. */
#include "config.h"
#include "tool.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* The width of the terminal on stdout ($COLUMNS first, as ps(1) reads it); 0 when stdout
 * is not a terminal: piped or redirected output is never cut. */
static size_t
tool_term_width(void)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	uint64_t v;

	if (!isatty(STDOUT_FILENO))
		return 0;
	if (env != NULL && mf_parse_u64(env, &v) == 0 && v > 0 && v < 100000)
		return (size_t)v;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

void
tool_open_output(struct tool *tl, bool allow_raw)
{
	if (tl->format != NULL) {
		if (mf_format_parse(tl->format, &tl->fmt, allow_raw) < 0)
			tool_usage_error(tl, "unknown format '%s' (use table, json, msgpack%s)", tl->format,
			                 allow_raw ? " or raw" : "");
	} else {
		if (mf_format_default(STDOUT_FILENO, &tl->fmt, tl->errbuf) < 0)
			tool_usage_error(tl, "%s", tl->errbuf);
		if (tl->fmt == MF_FMT_RAW && !allow_raw)
			tool_usage_error(tl, "MF_FORMAT: format raw is not supported by %s", tl->name);
	}
	if ((tl->out = mf_out_new(STDOUT_FILENO, tl->fmt)) == NULL)
		tool_oom();
	if (tl->fmt == MF_FMT_TABLE)
		mf_out_set_width(tl->out, tool_term_width());
}

void
tool_open(struct tool *tl, bool allow_raw)
{
	int e;

	tool_open_output(tl, allow_raw);
	/* a target string that is wrong as written is a usage error */
	if ((tl->topt.conn != NULL || tl->topt.os != NULL) &&
	    (e = mf_target_spec_check(tl->topt.conn, tl->topt.os, tl->errbuf)) < 0) {
		if (e == MF_ERR_NOMEM)
			tool_oom();
		tool_usage_error(tl, "%s", tl->errbuf);
	}
	if (mf_tool_open(&tl->topt, &tl->t, &tl->in, tl->errbuf) < 0)
		tool_die(tl, "%s", tl->errbuf);
}

void
tool_rec(struct tool *tl, const struct mf_rec *r)
{
	if (mf_out_rec(tl->out, r) < 0) {
		if (errno == EPIPE)
			exit(TOOL_EXIT_FAIL);
		tool_die(tl, "cannot write output: %s", strerror(errno));
	}
}

void
tool_write_target(struct tool *tl)
{
	struct mf_rec *r;
	int e;

	if (tl->fmt != MF_FMT_JSON && tl->fmt != MF_FMT_MSGPACK)
		return;
	if ((r = mf_rec_new("target")) == NULL)
		tool_oom();
	if ((e = mf_target_rec(tl->t, r)) < 0)
		tool_die(tl, "cannot describe %s: %s", mf_target_name(tl->t), mf_strerror(e));
	tool_rec(tl, r);
	mf_rec_free(r);
}

void
tool_raw(struct tool *tl, const void *p, size_t n)
{
	if (mf_out_raw(tl->out, p, n) < 0) {
		if (errno == EPIPE)
			exit(TOOL_EXIT_FAIL);
		tool_die(tl, "cannot write output: %s", strerror(errno));
	}
}

void
tool_printf(struct tool *tl, const char *fmt, ...)
{
	char buf[4096], *p = buf;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof buf) {
		p = tool_xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	tool_raw(tl, p, (size_t)n);
	if (p != buf)
		free(p);
}

int
tool_finish(struct tool *tl, int status)
{
	int r = 0;

	if (tl->out != NULL) {
		r = mf_out_close(tl->out);
		tl->out = NULL;
		if (r < 0 && errno != EPIPE) {
			tool_err(tl, "cannot write output: %s", strerror(errno));
			status = TOOL_EXIT_FAIL;
		}
	}
	mf_in_free(tl->in);
	tl->in = NULL;
	mf_target_close(tl->t);
	tl->t = NULL;
	return status;
}
