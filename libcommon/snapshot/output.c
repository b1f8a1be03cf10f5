/* output.c: the atomic output of a snapshot: a temporary file in the destination directory,
 * fsynced, then linked or renamed to its final name, the directory fsynced.  A named
 * temporary (no O_TMPFILE, or MF_DUMP_NO_TMPFILE set: the test hook) is ".NAME.mf-dump-XXXXXX",
 * carries the marker and is flock()ed while written, so that a later run can tell a stale one
 * (its writer died: nobody holds the lock) from another's file. */
#include "config.h"
#include "snapshot/output.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <mftools/mf.h>

struct snap_out {
	int fd;
	int dirfd;
	char *path;                  /* the final name, for messages */
	char *base;                  /* its last component, relative to dirfd */
	char *tmpname;               /* named temporary (no O_TMPFILE), relative to dirfd; else NULL */
	bool force;
	bool active;                 /* the temporary exists and is not published */
	int mark_err;                /* errno of setting the marker, 0 when set */
};

#define TMP_TAG ".mf-dump-"
#define TMP_RAND 6u                  /* mkostemp's XXXXXX */

size_t
snap_tmp_base_len(const char *name)
{
	size_t n = strlen(name), t = strlen(TMP_TAG), i;

	if (name[0] != '.' || n < 1 + t + TMP_RAND + 1 || memcmp(name + n - TMP_RAND - t, TMP_TAG, t) != 0)
		return 0;
	for (i = n - TMP_RAND; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9')))
			return 0;
	return n - TMP_RAND - t - 1;
}

int
snap_tmp_remove_stale(int dirfd, const char *name, const char *mark)
{
	int fd, r = 0;

	if (snap_tmp_base_len(name) == 0 || !snap_mark_check(dirfd, name, mark))
		return 0;
	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
		return 0;
	/* its writer holds the lock while it lives */
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		r = unlinkat(dirfd, name, 0) == 0 ? 1 : 0;
	close(fd);
	return r;
}

/* The stale temporaries of this output in its directory. */
static void
snap_out_clean(struct snap_out *o, const char *mark)
{
	size_t bl = strlen(o->base);
	struct dirent *de;
	int fd = openat(o->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (snap_tmp_base_len(de->d_name) == bl && memcmp(de->d_name + 1, o->base, bl) == 0 &&
		    snap_tmp_remove_stale(o->dirfd, de->d_name, mark) == 1)
			mf_log(0, "removed %s, the temporary of an earlier mf-dump for %s that did not finish", de->d_name, o->path);
	closedir(d);
}

static int
snap_out_dirs(struct snap_out *o, const char *path, char **dir, char *errbuf)
{
	char *d = strdup(path), *b = strdup(path);

	*dir = NULL;
	if (d != NULL && b != NULL) {
		*dir = strdup(dirname(d));
		o->base = strdup(basename(b));
	}
	free(d);
	free(b);
	if (*dir == NULL || o->base == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	if (*o->base == '\0' || strcmp(o->base, "/") == 0 || strcmp(o->base, ".") == 0 || strcmp(o->base, "..") == 0 ||
	    path[strlen(path) - 1] == '/')
		return mf_error(errbuf, MF_ERR_ARG, "invalid output path '%s': not a file name", path);
	return 0;
}

int
snap_out_open(const char *path, bool force, const char *mark, struct snap_out **out, char *errbuf)
{
	struct snap_out *o = calloc(1, sizeof *o);
	struct stat st;
	char *dir = NULL;
	int r;

	*out = NULL;
	if (o == NULL || (o->path = strdup(path)) == NULL) {
		free(o);
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	o->fd = o->dirfd = -1;
	o->force = force;
	if ((r = snap_out_dirs(o, path, &dir, errbuf)) < 0)
		goto fail;
	if ((o->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = mf_error_errno(errbuf, MF_ERR_IO, errno, "cannot open directory %s", dir);
		goto fail;
	}
	if (fstatat(o->dirfd, o->base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		r = !force ? mf_error(errbuf, MF_ERR_GENERIC, "%s exists (use --force to replace it)", path)
		    : S_ISDIR(st.st_mode) ? mf_error(errbuf, MF_ERR_GENERIC, "%s is a directory", path) : 0;
		if (r < 0)
			goto fail;
	}
	if (mark != NULL)
		snap_out_clean(o, mark);
#ifdef O_TMPFILE
	if (getenv("MF_DUMP_NO_TMPFILE") == NULL)
		o->fd = openat(o->dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
	if (o->fd < 0) {
		/* no O_TMPFILE here: a hidden named temporary next to the target */
		size_t n = strlen(dir) + strlen(o->base) + 32;
		char *tmpl = malloc(n);

		if (tmpl == NULL) {
			r = mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
			goto fail;
		}
		snprintf(tmpl, n, "%s/.%s" TMP_TAG "XXXXXX", dir, o->base);
		if ((o->fd = mkostemp(tmpl, O_CLOEXEC)) < 0) {
			r = mf_error_errno(errbuf, MF_ERR_IO, errno, "cannot create a temporary file in %s", dir);
			free(tmpl);
			goto fail;
		}
		fchmod(o->fd, 0600);
		flock(o->fd, LOCK_EX | LOCK_NB);   /* alive: a later run leaves it alone */
		o->tmpname = strdup(strrchr(tmpl, '/') + 1);
		free(tmpl);
		if (o->tmpname == NULL) {
			r = mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
			goto fail;
		}
	}
	o->active = true;
	o->mark_err = mark != NULL ? snap_mark_set(o->fd, mark) : 0;
	free(dir);
	*out = o;
	return 0;
fail:
	free(dir);
	snap_out_free(o);
	return r;
}

int
snap_out_fd(const struct snap_out *o)
{
	return o->fd;
}

int
snap_out_marked(const struct snap_out *o)
{
	return o->mark_err;
}

int
snap_out_sync(struct snap_out *o, char *errbuf)
{
	if (fsync(o->fd) < 0)
		return mf_error_errno(errbuf, MF_ERR_IO, errno, "cannot write %s: fsync", o->path);
	return 0;
}

static int
snap_out_link_fail(struct snap_out *o, char *errbuf)
{
	if (errno == EEXIST)
		return mf_error(errbuf, MF_ERR_GENERIC, "cannot create %s: it appeared while dumping (use --force to replace it)",
		                o->path);
	return mf_error_errno(errbuf, MF_ERR_IO, errno, "cannot create %s", o->path);
}

/* O_TMPFILE: link the file in by its /proc/self/fd name (a fresh name first with force,
 * renamed over the old file). */
static int
snap_out_link_tmpfile(struct snap_out *o, char *errbuf)
{
	char proc[64], tmp[256];
	unsigned i;

	snprintf(proc, sizeof proc, "/proc/self/fd/%d", o->fd);
	if (!o->force)
		return linkat(AT_FDCWD, proc, o->dirfd, o->base, AT_SYMLINK_FOLLOW) < 0 ? snap_out_link_fail(o, errbuf) : 0;
	for (i = 0;; i++) {
		snprintf(tmp, sizeof tmp, ".mf-dump.%ld.%u", (long)getpid(), i);
		if (linkat(AT_FDCWD, proc, o->dirfd, tmp, AT_SYMLINK_FOLLOW) == 0)
			break;
		if (errno != EEXIST || i > 1000)
			return mf_error_errno(errbuf, MF_ERR_IO, errno, "cannot create %s", o->path);
	}
	if ((o->tmpname = strdup(tmp)) == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	if (renameat(o->dirfd, tmp, o->dirfd, o->base) < 0)
		return mf_error_errno(errbuf, MF_ERR_IO, errno, "cannot rename to %s", o->path);
	return 0;
}

/* A named temporary: rename it, without replacing unless force. */
static int
snap_out_link_named(struct snap_out *o, char *errbuf)
{
	int r;

	if (!o->force) {
		r = renameat2(o->dirfd, o->tmpname, o->dirfd, o->base, RENAME_NOREPLACE);
		if (r < 0 && (errno == EINVAL || errno == ENOSYS)) {
			/* no RENAME_NOREPLACE: link (fails if it exists) and unlink */
			if ((r = linkat(o->dirfd, o->tmpname, o->dirfd, o->base, 0)) == 0)
				unlinkat(o->dirfd, o->tmpname, 0);
		}
	} else {
		r = renameat(o->dirfd, o->tmpname, o->dirfd, o->base);
	}
	return r < 0 ? snap_out_link_fail(o, errbuf) : 0;
}

int
snap_out_publish(struct snap_out *o, char *errbuf)
{
	int r = o->tmpname == NULL ? snap_out_link_tmpfile(o, errbuf) : snap_out_link_named(o, errbuf);

	if (r < 0)
		return r;
	free(o->tmpname);
	o->tmpname = NULL;
	o->active = false;
	r = 0;
	if (fsync(o->dirfd) < 0) {
		mf_error_errno(errbuf, MF_ERR_IO, errno, "cannot fsync the directory of %s", o->path);
		r = 1;
	}
	close(o->fd);
	o->fd = -1;
	return r;
}

void
snap_out_abort(struct snap_out *o)
{
	if (o == NULL)
		return;
	if (o->active && o->tmpname != NULL)
		unlinkat(o->dirfd, o->tmpname, 0);
	o->active = false;
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
}

void
snap_out_free(struct snap_out *o)
{
	if (o == NULL)
		return;
	snap_out_abort(o);
	if (o->dirfd >= 0)
		close(o->dirfd);
	free(o->tmpname);
	free(o->path);
	free(o->base);
	free(o);
}

void
snap_out_discard(struct snap_out *o)
{
	snap_out_abort(o);
	snap_out_free(o);
}

int
snap_out_finish(struct snap_out *o, char *errbuf)
{
	int r = snap_out_sync(o, errbuf);

	if (r == 0)
		r = snap_out_publish(o, errbuf);
	if (r < 0)
		snap_out_discard(o);
	else
		snap_out_free(o);
	return r;
}
