/* rotate.c: snapshot names from a pattern (strftime conversions and %{target}), and --keep:
 * of the files in the pattern's directory whose names the pattern can produce (a regular
 * expression built from the conversions used, never a wildcard) and that carry mftools'
 * marker naming the same target, the oldest are deleted beyond the newest N. */
#include "config.h"
#include "snapshot/output.h"
#include "snapshot/snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define KEEP_MAX_ENTRIES 1000000u   /* directory entries looked at, at most */

/* One piece of a pattern. */
struct pat_tok {
	enum { PAT_LIT, PAT_PERCENT, PAT_TARGET, PAT_CONV } kind;
	size_t len;                  /* bytes of the pattern it spans */
	char flag;                   /* '_', '-', '0', '^', '#' or 0 */
	char conv;
};

static int
pat_next(const char *p, struct pat_tok *t, char *errbuf, const char *pattern)
{
	size_t i = 1;

	memset(t, 0, sizeof *t);
	t->len = 1;
	if (p[0] != '%') {
		t->kind = PAT_LIT;
		return 0;
	}
	if (p[1] == '%') {
		t->kind = PAT_PERCENT;
		t->len = 2;
		return 0;
	}
	if (p[1] == '{') {
		if (strncmp(p, "%{target}", 9) != 0)
			return mf_error(errbuf, MF_ERR_ARG, "invalid output pattern '%s': unknown conversion %.*s (%%{target} is the only one)",
			                pattern, (int)(strcspn(p, "}") + (p[strcspn(p, "}")] == '}')), p);
		t->kind = PAT_TARGET;
		t->len = 9;
		return 0;
	}
	if (p[i] != '\0' && strchr("_-0^#", p[i]) != NULL)
		t->flag = p[i++];
	if (p[i] >= '1' && p[i] <= '9')
		return mf_error(errbuf, MF_ERR_ARG, "invalid output pattern '%s': no field widths in conversions", pattern);
	if (p[i] == 'E' || p[i] == 'O')
		i++;
	if (p[i] == '\0')
		return mf_error(errbuf, MF_ERR_ARG, "invalid output pattern '%s': it ends in a lone %%", pattern);
	t->kind = PAT_CONV;
	t->conv = p[i];
	t->len = i + 1;
	return 0;
}

int
snap_name_expand(const char *pattern, const char *target, bool utc, char **out, char *errbuf)
{
	time_t now = time(NULL);
	struct tm tm;
	size_t tlen = strlen(target), size = strlen(pattern) * (tlen + 4) + 256, o = 0;
	char *fmt, *s;
	const char *p;
	struct pat_tok t;

	*out = NULL;
	if ((fmt = malloc(size)) == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	/* %{target} first (the name has no '%'), the rest is strftime's */
	for (p = pattern; *p; p += t.len) {
		if (pat_next(p, &t, errbuf, pattern) < 0) {
			free(fmt);
			return MF_ERR_ARG;
		}
		if (t.kind == PAT_TARGET) {
			memcpy(fmt + o, target, tlen);
			o += tlen;
		} else {
			memcpy(fmt + o, p, t.len);
			o += t.len;
		}
	}
	fmt[o] = '\0';
	if ((utc ? gmtime_r(&now, &tm) : localtime_r(&now, &tm)) == NULL) {
		free(fmt);
		return mf_error(errbuf, MF_ERR_GENERIC, "cannot get the time");
	}
	if ((s = malloc(size)) == NULL) {
		free(fmt);
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	/* the pattern is the user's, as for date(1) */
	if (strftime(s, size, fmt, &tm) == 0) {
		free(s);
		free(fmt);
		return mf_error(errbuf, MF_ERR_ARG, "invalid output pattern '%s'", pattern);
	}
#pragma GCC diagnostic pop
	free(fmt);
	*out = s;
	return 0;
}

/* ---- the names a pattern can produce ------------------------------------------------- */

static const char *const pat_days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const pat_days_full[] = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	                                     "Saturday" };
static const char *const pat_months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	                                  "Nov", "Dec" };
static const char *const pat_months_full[] = { "January", "February", "March", "April", "May", "June", "July",
	                                       "August", "September", "October", "November", "December" };

struct rx {
	char *s;
	size_t len, cap;
	bool nomem;
};

static void
rx_add(struct rx *r, const char *s)
{
	size_t n = strlen(s);

	if (r->nomem)
		return;
	if (r->len + n + 1 > r->cap) {
		size_t cap = (r->len + n + 1) * 2;
		char *p = realloc(r->s, cap);

		if (p == NULL) {
			r->nomem = true;
			return;
		}
		r->s = p;
		r->cap = cap;
	}
	memcpy(r->s + r->len, s, n + 1);
	r->len += n;
}

static void
rx_lit(struct rx *r, const char *s, size_t n)
{
	char c[3] = { '\\', 0, 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		c[1] = s[i];
		rx_add(r, strchr(".[]()*+?{}|^$\\", s[i]) != NULL ? c : c + 1);
	}
}

/* A number of width w, padded with pad ('0' or ' ') unless the flag says otherwise. */
static void
rx_num(struct rx *r, char flag, unsigned w, char pad)
{
	char b[32];

	if (flag == '-')
		snprintf(b, sizeof b, "[0-9]{1,%u}", w);
	else if (flag == '_' || (flag != '0' && pad == ' '))
		snprintf(b, sizeof b, "[ 0-9]{%u}", w);
	else
		snprintf(b, sizeof b, "[0-9]{%u}", w);
	rx_add(r, b);
}

static void
rx_names(struct rx *r, const char *const *names, size_t n, bool upper)
{
	size_t i, k;

	rx_add(r, "(");
	for (i = 0; i < n; i++) {
		char b[16];

		for (k = 0; names[i][k] && k < sizeof b - 1; k++)
			b[k] = upper && names[i][k] >= 'a' && names[i][k] <= 'z' ? (char)(names[i][k] - 32) : names[i][k];
		b[k] = '\0';
		rx_add(r, i ? "|" : "");
		rx_add(r, b);
	}
	rx_add(r, ")");
}

/* One conversion: 0, or -1 when it has no fixed form to match. */
static int
rx_conv(struct rx *r, char flag, char c)
{
	bool up = flag == '^';

	if (flag == '#')
		return -1;
	switch (c) {
	case 'Y': case 'G': rx_num(r, flag, 4, '0'); break;
	case 'C': case 'd': case 'H': case 'I': case 'm': case 'M': case 'S': case 'U': case 'V': case 'W':
	case 'y': case 'g':
		rx_num(r, flag, 2, '0');
		break;
	case 'e': case 'k': case 'l': rx_num(r, flag, 2, ' '); break;
	case 'j': rx_num(r, flag, 3, '0'); break;
	case 'u': case 'w': rx_add(r, "[0-9]"); break;
	case 's': rx_add(r, "-?[0-9]+"); break;
	case 'F': rx_conv(r, 0, 'Y'); rx_add(r, "-"); rx_conv(r, 0, 'm'); rx_add(r, "-"); rx_conv(r, 0, 'd'); break;
	case 'T': rx_conv(r, 0, 'H'); rx_add(r, ":"); rx_conv(r, 0, 'M'); rx_add(r, ":"); rx_conv(r, 0, 'S'); break;
	case 'R': rx_conv(r, 0, 'H'); rx_add(r, ":"); rx_conv(r, 0, 'M'); break;
	case 'a': rx_names(r, pat_days, 7, up); break;
	case 'A': rx_names(r, pat_days_full, 7, up); break;
	case 'b': case 'h': rx_names(r, pat_months, 12, up); break;
	case 'B': rx_names(r, pat_months_full, 12, up); break;
	case 'p': rx_add(r, "(AM|PM)"); break;
	case 'P': rx_add(r, up ? "(AM|PM)" : "(am|pm)"); break;
	case 'z': rx_add(r, "[+-][0-9]{4}"); break;
	case 'Z': rx_add(r, "[A-Za-z0-9+-]+"); break;
	case 'n': rx_add(r, "\n"); break;
	case 't': rx_add(r, "\t"); break;
	default: return -1;      /* %c %x %X %r %D (a '/'), and what strftime does not know */
	}
	return 0;
}

/* The expression of the file names `base` (the pattern's last component) can produce for
 * target. */
static int
keep_regex(const char *pattern, const char *base, const char *target, regex_t *re, char *errbuf)
{
	struct rx r = { 0 };
	struct pat_tok t;
	const char *p;
	int e;

	rx_add(&r, "^");
	for (p = base; *p; p += t.len) {
		if (pat_next(p, &t, errbuf, pattern) < 0) {
			free(r.s);
			return MF_ERR_ARG;
		}
		if (t.kind == PAT_LIT)
			rx_lit(&r, p, 1);
		else if (t.kind == PAT_PERCENT)
			rx_add(&r, "%");
		else if (t.kind == PAT_TARGET)
			rx_lit(&r, target, strlen(target));
		else if (rx_conv(&r, t.flag, t.conv) < 0) {
			free(r.s);
			return mf_error(errbuf, MF_ERR_ARG,
			                "--keep cannot match %%%s%c in '%s': use conversions of a fixed form (%%Y %%m %%d %%H %%M %%S %%s %%F %%T ...)",
			                t.flag ? (char[]){ t.flag, 0 } : "", t.conv, pattern);
		}
	}
	rx_add(&r, "$");
	if (r.nomem) {
		free(r.s);
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	e = regcomp(re, r.s, REG_EXTENDED | REG_NOSUB);
	free(r.s);
	if (e != 0)
		return mf_error(errbuf, MF_ERR_ARG, "--keep cannot match the names of '%s'", pattern);
	return 0;
}

/* The pattern split at its last '/': the directory (no conversions allowed there) and the
 * name's pattern. */
static int
keep_split(const char *pattern, char **dir, const char **base, char *errbuf)
{
	const char *slash = strrchr(pattern, '/');

	*base = slash ? slash + 1 : pattern;
	*dir = slash == NULL ? strdup(".") : slash == pattern ? strdup("/") : strndup(pattern, (size_t)(slash - pattern));
	if (*dir == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	if (strchr(*dir, '%') != NULL) {
		free(*dir);
		*dir = NULL;
		return mf_error(errbuf, MF_ERR_ARG, "--keep needs the %%-conversions of '%s' in the file name, not in its directory",
		                pattern);
	}
	return 0;
}

int
snap_keep_check(const char *pattern, char *errbuf)
{
	const char *base;
	char *dir;
	regex_t re;
	int e;

	if ((e = keep_split(pattern, &dir, &base, errbuf)) < 0)
		return e;
	free(dir);
	if ((e = keep_regex(pattern, base, "target", &re, errbuf)) < 0)
		return e;
	regfree(&re);
	return 0;
}

struct snap_old {
	char *name;
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
	return strcmp(x->name, y->name);
}

/* A temporary of an earlier run for a name re matches, whose writer died: removed. */
static void
keep_stale(DIR *d, const char *path, const char *name, regex_t *re, const char *mark, const struct snap_keep_cb *cb)
{
	size_t bl = snap_tmp_base_len(name);
	char base[NAME_MAX + 1];

	if (bl == 0 || bl > NAME_MAX)
		return;
	memcpy(base, name + 1, bl);
	base[bl] = '\0';
	if (regexec(re, base, 0, NULL, 0) == 0 && snap_tmp_remove_stale(dirfd(d), name, mark) == 1)
		cb->done(cb->ctx, path, 0);
}

/* The files of dir that re matches and that carry mark: into *old (sorted oldest first). */
static int
keep_collect(DIR *d, const char *dir, regex_t *re, const char *mark, struct snap_old **old, size_t *n,
             const struct snap_keep_cb *cb)
{
	struct dirent *de;
	size_t cap = 0, seen = 0;
	char path[4096];

	*old = NULL;
	*n = 0;
	while ((de = readdir(d)) != NULL && seen++ < KEEP_MAX_ENTRIES) {
		struct stat st;
		struct snap_old *p;

		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.') {
			keep_stale(d, path, de->d_name, re, mark, cb);
			continue;
		}
		if (regexec(re, de->d_name, 0, NULL, 0) != 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (snap_mark_check(dirfd(d), de->d_name, mark) != 1) {
			if (cb->skipped)
				cb->skipped(cb->ctx, path);
			continue;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((p = realloc(*old, cap * sizeof *p)) == NULL)
				return MF_ERR_NOMEM;
			*old = p;
		}
		if (((*old)[*n].name = strdup(de->d_name)) == NULL)
			return MF_ERR_NOMEM;
		(*old)[(*n)++].mtime = st.st_mtim;
	}
	if (*n > 0)
		qsort(*old, *n, sizeof **old, snap_old_cmp);
	return 0;
}

int
snap_keep(const char *pattern, const char *target, const char *mark, uint64_t keep, const char *written,
          const struct snap_keep_cb *cb, char *errbuf)
{
	const char *base, *wbase = strrchr(written, '/');
	struct snap_old *old = NULL;
	char *dir, path[4096];
	size_t i, n = 0;
	regex_t re;
	DIR *d;
	int e;

	wbase = wbase ? wbase + 1 : written;
	if ((e = keep_split(pattern, &dir, &base, errbuf)) < 0)
		return e;
	if ((e = keep_regex(pattern, base, target, &re, errbuf)) < 0) {
		free(dir);
		return e;
	}
	if ((d = opendir(dir)) == NULL) {
		e = mf_error_errno(errbuf, MF_ERR_IO, errno, "--keep: cannot read the directory %s", dir);
		goto out;
	}
	if ((e = keep_collect(d, dir, &re, mark, &old, &n, cb)) < 0) {
		mf_error(errbuf, e, "out of memory");
		goto out;
	}
	for (i = 0; n > keep && i < n - keep; i++) {
		if (strcmp(old[i].name, wbase) == 0)
			continue;   /* never the file just written */
		snprintf(path, sizeof path, "%s/%s", dir, old[i].name);
		cb->done(cb->ctx, path, unlinkat(dirfd(d), old[i].name, 0) < 0 ? errno : 0);
	}
out:
	for (i = 0; i < n; i++)
		free(old[i].name);
	free(old);
	if (d != NULL)
		closedir(d);
	regfree(&re);
	free(dir);
	return e;
}
