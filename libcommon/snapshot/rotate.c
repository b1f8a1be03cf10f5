/* rotate.c: snapshot names from a strftime pattern, and --keep: the older files the pattern
 * matches are deleted beyond the newest N. */
#include "config.h"
#include "snapshot/output.h"

#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <mftools/mf.h>

int
snap_name_expand(const char *pattern, bool utc, char **out, char *errbuf)
{
	time_t now = time(NULL);
	struct tm tm;
	size_t size = strlen(pattern) * 4 + 256;
	char *s;

	*out = NULL;
	if (strchr(pattern, '%') == NULL) {
		if ((*out = strdup(pattern)) == NULL)
			return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
		return 0;
	}
	if ((utc ? gmtime_r(&now, &tm) : localtime_r(&now, &tm)) == NULL)
		return mf_error(errbuf, MF_ERR_GENERIC, "cannot get the time");
	if ((s = malloc(size)) == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	/* the pattern is the user's, as for date(1) */
	if (strftime(s, size, pattern, &tm) == 0) {
		free(s);
		return mf_error(errbuf, MF_ERR_ARG, "invalid output pattern '%s'", pattern);
	}
#pragma GCC diagnostic pop
	*out = s;
	return 0;
}

char *
snap_name_glob(const char *pattern)
{
	char *g = malloc(strlen(pattern) * 2 + 2);
	size_t o = 0;
	const char *p;

	if (g == NULL)
		return NULL;
	for (p = pattern; *p; p++) {
		if (*p == '%' && p[1] == '%') {
			g[o++] = '%';
			p++;
		} else if (*p == '%' && p[1] != '\0') {
			p++;
			while (*p && strchr("_-0^#EO", *p) != NULL && p[1] != '\0')
				p++;    /* flags and modifiers */
			if (o == 0 || g[o - 1] != '*')
				g[o++] = '*';
		} else {
			if (strchr("*?[]\\", *p) != NULL)
				g[o++] = '\\';
			g[o++] = *p;
		}
	}
	g[o] = '\0';
	return g;
}

struct snap_old {
	char *path;
	struct timespec mtime;
};

static int
snap_old_cmp(const void *a, const void *b)
{
	const struct snap_old *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->path, y->path);
}

int
snap_keep(const char *pattern, uint64_t keep, const char *written,
          void (*done)(void *ctx, const char *path, int err), void *ctx)
{
	char *g = snap_name_glob(pattern);
	glob_t gl;
	struct snap_old *old;
	size_t i, n = 0;

	if (g == NULL)
		return MF_ERR_NOMEM;
	if (glob(g, GLOB_NOSORT, NULL, &gl) != 0) {
		free(g);
		return 0;
	}
	if ((old = calloc(gl.gl_pathc, sizeof *old)) == NULL) {
		globfree(&gl);
		free(g);
		return MF_ERR_NOMEM;
	}
	for (i = 0; i < gl.gl_pathc; i++) {
		struct stat st;

		if (lstat(gl.gl_pathv[i], &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		old[n].path = gl.gl_pathv[i];
		old[n].mtime = st.st_mtim;
		n++;
	}
	qsort(old, n, sizeof *old, snap_old_cmp);
	for (i = 0; n > keep && i < n - keep; i++) {
		if (strcmp(old[i].path, written) == 0)
			continue;   /* never the file just written */
		done(ctx, old[i].path, unlink(old[i].path) < 0 ? errno : 0);
	}
	free(old);
	globfree(&gl);
	free(g);
	return 0;
}
