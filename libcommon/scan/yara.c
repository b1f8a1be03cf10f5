/* yara.c: the libyara adapter of the scan engine: the module mf-scan-yara.so, its functions
 * reached through scan/yara.h's (optional.c; see scan/module.h). */
#include "config.h"
#include "scan/yara.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <mftools/mf.h>
#include <yara.h>

struct scan_yara {
	YR_RULES *rules;
};

#define SCAN_YARA_INCLUDE_MAX (16u << 20)   /* bytes in one included file */

struct scan_yara_comp {
	char msg[512];
	int errors;
	char dir[PATH_MAX];           /* the rules file's directory, resolved */
	char why[256];                /* why the last include was refused */
};

static void
scan_yara_comp_cb(int level, const char *file, int line, const YR_RULE *rule, const char *message, void *user)
{
	struct scan_yara_comp *c = user;
	const char *m = c->why[0] ? c->why : message;   /* our reason for a refused include */

	(void)rule;
	if (level != YARA_ERROR_LEVEL_ERROR)
		return;
	if (c->errors++ == 0)
		snprintf(c->msg, sizeof c->msg, "%s:%d: %s", file ? file : "?", line, m);
}

/* An included file, read from the rules file's directory (or below it) only: NULL (and why)
 * for anything else, an absolute path, a path with "..", or a symbolic link leading out. */
static const char *
scan_yara_include_cb(const char *name, const char *calling, const char *ns, void *user)
{
	struct scan_yara_comp *c = user;
	char path[2 * PATH_MAX + 2], real[PATH_MAX];
	size_t dl = strlen(c->dir), n;
	struct stat sb;
	char *text;
	FILE *f;

	(void)calling;
	(void)ns;
	snprintf(path, sizeof path, "%s/%s", c->dir, name);
	if (name[0] == '/' || realpath(path, real) == NULL || strncmp(real, c->dir, dl) != 0 || real[dl] != '/') {
		if (name[0] != '/' && errno == ENOENT)
			snprintf(c->why, sizeof c->why, "cannot include '%s': %s", name, strerror(errno));
		else
			snprintf(c->why, sizeof c->why, "include '%s' refused: only files in %s", name, c->dir);
		return NULL;
	}
	if ((f = fopen(real, "r")) == NULL || fstat(fileno(f), &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > SCAN_YARA_INCLUDE_MAX || (text = malloc((size_t)sb.st_size + 1)) == NULL) {
		snprintf(c->why, sizeof c->why, "cannot include '%s': %s", name,
		         f == NULL ? strerror(errno) : "not a regular file of at most 16 MiB");
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	n = fread(text, 1, (size_t)sb.st_size, f);
	fclose(f);
	text[n] = '\0';
	return text;
}

static void
scan_yara_include_free(const char *text, void *user)
{
	(void)user;
	free((char *)text);
}

/* The resolved directory of the rules file at path into c->dir: 0 or -1 (errno). */
static int
scan_yara_dir(const char *path, struct scan_yara_comp *c)
{
	char copy[PATH_MAX];

	snprintf(copy, sizeof copy, "%s", path);
	return realpath(dirname(copy), c->dir) == NULL ? -1 : 0;
}

static int
scan_yara_compile(const char *path, struct scan_yara **out, char *errbuf)
{
	struct scan_yara_comp c;
	struct scan_yara *y;
	YR_COMPILER *comp;
	FILE *f;
	int r;

	*out = NULL;
	memset(&c, 0, sizeof c);
	if ((f = fopen(path, "r")) == NULL || scan_yara_dir(path, &c) < 0) {
		int e = errno;

		if (f != NULL)
			fclose(f);
		return mf_error_errno(errbuf, MF_ERR_IO, e, "cannot open %s", path);
	}
	if ((y = calloc(1, sizeof *y)) == NULL) {
		fclose(f);
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	if (yr_initialize() != ERROR_SUCCESS) {
		fclose(f);
		free(y);
		return mf_error(errbuf, MF_ERR_GENERIC, "cannot initialise libyara");
	}
	if (yr_compiler_create(&comp) != ERROR_SUCCESS) {
		fclose(f);
		free(y);
		yr_finalize();
		return mf_error(errbuf, MF_ERR_GENERIC, "cannot initialise libyara");
	}
	yr_compiler_set_callback(comp, scan_yara_comp_cb, &c);
	yr_compiler_set_include_callback(comp, scan_yara_include_cb, scan_yara_include_free, &c);
	r = yr_compiler_add_file(comp, f, NULL, path);
	fclose(f);
	if (r > 0 || c.errors > 0)
		r = mf_error(errbuf, MF_ERR_FORMAT, "cannot compile %s: %s%s", path, c.msg,
		             c.errors > 1 ? " (and more errors)" : "");
	else if (yr_compiler_get_rules(comp, &y->rules) != ERROR_SUCCESS)
		r = mf_error(errbuf, MF_ERR_NOMEM, "cannot compile %s: out of memory", path);
	yr_compiler_destroy(comp);
	if (r < 0) {
		free(y);
		yr_finalize();
		return r;
	}
	*out = y;
	return 0;
}

static void
scan_yara_destroy(struct scan_yara *y)
{
	if (y == NULL)
		return;
	yr_rules_destroy(y->rules);
	yr_finalize();
	free(y);
}

struct scan_yara_run_ctx {
	scan_yara_fn cb;
	void *ctx;
	size_t n;                     /* the buffer's length */
};

static int
scan_yara_match_cb(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *user)
{
	struct scan_yara_run_ctx *y = user;
	YR_RULE *rule = data;
	YR_STRING *str;
	bool matched = false;
	int stop = 0;

	if (msg != CALLBACK_MSG_RULE_MATCHING)
		return CALLBACK_CONTINUE;
	yr_rule_strings_foreach(rule, str) {
		/* libyara 4.2 allocates each match and then its data (data_length bytes) from one
		 * notebook, unaligned: after data of odd length the next YR_MATCH is misaligned.
		 * Each is copied out instead of dereferenced (yr_string_matches_foreach would). */
		const YR_MATCH *p = ctx->matches[str->idx].head;
		size_t n = 0;

		while (p != NULL && n++ <= (size_t)YR_MAX_STRING_MATCHES) {
			YR_MATCH m;

			memcpy(&m, p, sizeof m);
			p = m.next;
			if (m.is_private || m.base + m.offset < 0 || m.match_length < 0)
				continue;
			matched = true;
			if (y->cb(y->ctx, (size_t)(m.base + m.offset), (size_t)m.match_length, rule->identifier,
			          str->identifier) != 0)
				stop = 1;
		}
	}
	/* a rule that matched without a string match (no strings, "condition: true"): the
	 * whole buffer */
	if (!matched && y->cb(y->ctx, 0, y->n, rule->identifier, NULL) != 0)
		stop = 1;
	return stop ? CALLBACK_ABORT : CALLBACK_CONTINUE;
}

static int
scan_yara_scan(const struct scan_yara *y, const uint8_t *buf, size_t n, scan_yara_fn cb, void *ctx)
{
	struct scan_yara_run_ctx c = { .cb = cb, .ctx = ctx, .n = n };
	int r = yr_rules_scan_mem(y->rules, buf, n, SCAN_FLAGS_REPORT_RULES_MATCHING, scan_yara_match_cb, &c, 0);

	return r == ERROR_SUCCESS ? 0 : r;
}

const struct scan_yara_module scan_yara_module = {
	.abi = SCAN_MODULE_ABI,
	.load = scan_yara_compile,
	.free = scan_yara_destroy,
	.max_threads = YR_MAX_THREADS,
	.run = scan_yara_scan,
};
