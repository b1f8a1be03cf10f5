/* tool-open.c: how every tool finds its target (mf_tool_open): -c/-o, -t FILE, a target
 * record at the head of stdin, or this machine. */
#include "mf-int.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
target_read_file_rec(const char *path, unsigned flags, struct mf_target **t, char *errbuf)
{
	const struct mf_rec *rec;
	char why[MF_ERRBUF_SIZE];
	struct mf_in *in;
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return mf_error_errno(errbuf, errno == ENOENT ? MF_ERR_NOTFOUND : MF_ERR_IO, errno, "cannot open target file %s", path);
	if ((in = mf_in_new(fd)) == NULL) {
		close(fd);
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	r = mf_in_next(in, &rec, why);
	if (r == 0)
		r = mf_error(errbuf, MF_ERR_FORMAT, "target file %s is empty", path);
	else if (r < 0)
		mf_error(errbuf, r, "target file %s: %s", path, why);
	else if (strcmp(mf_rec_type(rec), "target") != 0)
		r = mf_error(errbuf, MF_ERR_FORMAT, "target file %s does not start with a target record (found \"%s\")", path,
		             mf_rec_type(rec));
	else
		r = mf_target_open_rec(rec, flags, t, errbuf);
	mf_in_free(in);
	close(fd);
	return r < 0 ? r : 0;
}

MF_API int
mf_tool_open(const struct mf_tool_target *opt, struct mf_target **t, struct mf_in **in, char *errbuf)
{
	const struct mf_rec *rec;
	char why[MF_ERRBUF_SIZE];
	struct stat st;
	int r;

	*t = NULL;
	*in = NULL;
	if (opt->read_stdin && fstat(STDIN_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode) || S_ISSOCK(st.st_mode))) {
		if ((*in = mf_in_new(STDIN_FILENO)) == NULL)
			return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	if (opt->conn != NULL || opt->os != NULL)
		r = mf_target_open(opt->conn, opt->os, opt->flags, t, errbuf);
	else if (opt->tfile != NULL)
		r = target_read_file_rec(opt->tfile, opt->flags, t, errbuf);
	else
		r = 1;
	if (r < 0)
		goto fail;
	if (*in != NULL) {
		/* a target record at the head of stdin: use it unless -c/-o/-t said otherwise */
		r = mf_in_next(*in, &rec, why);
		if (r < 0) {
			mf_error(errbuf, r, "stdin: %s", why);
			goto fail;
		}
		if (r > 0 && strcmp(mf_rec_type(rec), "target") == 0) {
			if (*t == NULL && (r = mf_target_open_rec(rec, opt->flags, t, errbuf)) < 0)
				goto fail;
		} else {
			if (r > 0)
				mf_in_unread(*in);
			/* a pipe or file without a target record never means "this machine" */
			if (*t == NULL) {
				r = mf_error(errbuf, MF_ERR_NOTFOUND, "no target record on stdin");
				goto fail;
			}
		}
	}
	if (*t == NULL && (r = mf_target_open(NULL, NULL, opt->flags, t, errbuf)) < 0)
		goto fail;
	return 0;
fail:
	mf_in_free(*in);
	*in = NULL;
	mf_target_close(*t);
	*t = NULL;
	return r;
}
