/* yara.c: the libyara adapter of the scan engine. */
#include "config.h"
#include "scan/yara.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <mftools/mf.h>
#ifdef HAVE_YARA
#include <yara.h>
#endif

#ifdef HAVE_YARA
struct scan_yara {
	YR_RULES *rules;
};

struct scan_yara_comp {
	char msg[512];
	int errors;
};

static void
scan_yara_comp_cb(int level, const char *file, int line, const YR_RULE *rule, const char *message, void *user)
{
	struct scan_yara_comp *c = user;

	(void)rule;
	if (level != YARA_ERROR_LEVEL_ERROR)
		return;
	if (c->errors++ == 0)
		snprintf(c->msg, sizeof c->msg, "%s:%d: %s", file ? file : "?", line, message);
}

int
scan_yara_load(const char *path, struct scan_yara **out, char *errbuf)
{
	struct scan_yara_comp c = { .errors = 0 };
	struct scan_yara *y;
	YR_COMPILER *comp;
	FILE *f;
	int r;

	*out = NULL;
	if ((f = fopen(path, "r")) == NULL)
		return mf_error_errno(errbuf, MF_ERR_IO, errno, "cannot open %s", path);
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

void
scan_yara_free(struct scan_yara *y)
{
	if (y == NULL)
		return;
	yr_rules_destroy(y->rules);
	yr_finalize();
	free(y);
}

unsigned
scan_yara_max_threads(void)
{
	return YR_MAX_THREADS;
}

struct scan_yara_run_ctx {
	scan_yara_fn cb;
	void *ctx;
};

static int
scan_yara_match_cb(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *user)
{
	struct scan_yara_run_ctx *y = user;
	YR_RULE *rule = data;
	YR_STRING *str;
	YR_MATCH *m;
	int stop = 0;

	if (msg != CALLBACK_MSG_RULE_MATCHING)
		return CALLBACK_CONTINUE;
	yr_rule_strings_foreach(rule, str) {
		yr_string_matches_foreach(ctx, str, m) {
			if (m->base + m->offset < 0)
				continue;
			if (y->cb(y->ctx, (size_t)(m->base + m->offset), (size_t)m->match_length, rule->identifier,
			          str->identifier) != 0)
				stop = 1;
		}
	}
	return stop ? CALLBACK_ABORT : CALLBACK_CONTINUE;
}

int
scan_yara_run(const struct scan_yara *y, const uint8_t *buf, size_t n, scan_yara_fn cb, void *ctx)
{
	struct scan_yara_run_ctx c = { .cb = cb, .ctx = ctx };
	int r = yr_rules_scan_mem(y->rules, buf, n, SCAN_FLAGS_REPORT_RULES_MATCHING, scan_yara_match_cb, &c, 0);

	return r == ERROR_SUCCESS ? 0 : r;
}
#else
int
scan_yara_load(const char *path, struct scan_yara **out, char *errbuf)
{
	(void)path;
	*out = NULL;
	return mf_error(errbuf, MF_ERR_UNSUPPORTED, "YARA support not built (libyara missing)");
}

void
scan_yara_free(struct scan_yara *y)
{
	(void)y;
}

unsigned
scan_yara_max_threads(void)
{
	return UINT32_MAX;
}

int
scan_yara_run(const struct scan_yara *y, const uint8_t *buf, size_t n, scan_yara_fn cb, void *ctx)
{
	(void)y;
	(void)buf;
	(void)n;
	(void)cb;
	(void)ctx;
	return 0;
}
#endif
