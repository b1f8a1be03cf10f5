/* detect.c: file-format detection: the head of a file against every file connector's
 * probe, the most confident wins; compressed files and archives are named. */
#include "target-int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DETECT_PROBE_BYTES (64 * 1024)

static const char *const detect_compressed[][2] = {
	{ "\x1f\x8b", "gzip-compressed (gunzip it first)" },
	{ "\xfd" "7zXZ", "xz-compressed (unxz it first)" },
	{ "\x28\xb5\x2f\xfd", "zstd-compressed (unzstd it first)" },
	{ "BZh", "bzip2-compressed (bunzip2 it first)" },
	{ "\x04\x22\x4d\x18", "lz4-compressed (unlz4 it first)" },
	{ "PK\x03\x04", "a zip archive (unzip it first)" },
	{ "\x89HDF", "an HDF5 file, not a memory image" },
};

/* "file:PATH": read the head of the file, ask every file connector, take the most confident. */
int
mfint_detect_file(struct mfint_targs *a, char *errbuf)
{
	const char *path = a->def ? a->def : mfint_targs_get(a, "path");
	struct mfint_plugin **cands = NULL, *best = NULL;
	unsigned char *head;
	size_t ncands = 0, i;
	ssize_t len;
	struct stat st;
	int fd, r, score = 0;

	if (path == NULL)
		return mf_error(errbuf, MF_ERR_ARG, "file: no path given (-c file:PATH)");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);   /* a FIFO must not block: refused below */
	if (fd < 0)
		return mf_error_errno(errbuf, errno == ENOENT ? MF_ERR_NOTFOUND : errno == EACCES ? MF_ERR_PERM : MF_ERR_IO,
		                      errno, "cannot open %s", path);
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		close(fd);
		return mf_error(errbuf, MF_ERR_ARG, "cannot open %s: not a file", path);
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		close(fd);
		return mf_error(errbuf, MF_ERR_ARG, "cannot open %s: not a regular file or block device (%s)", path,
		                S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISCHR(st.st_mode) ? "a character device" :
		                S_ISSOCK(st.st_mode) ? "a socket" : "not a file");
	}
	if ((head = calloc(1, DETECT_PROBE_BYTES)) == NULL) {
		close(fd);
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	do
		len = pread(fd, head, DETECT_PROBE_BYTES, 0);
	while (len < 0 && errno == EINTR);
	if (len < 0) {
		r = mf_error_errno(errbuf, MF_ERR_IO, errno, "cannot read %s", path);
		goto out;
	}
	if (len == 0) {
		r = mf_error(errbuf, MF_ERR_FORMAT, "cannot open %s: the file is empty", path);
		goto out;
	}
	for (i = 0; i < mf_countof(detect_compressed); i++) {
		size_t ml = strlen(detect_compressed[i][0]);

		if ((size_t)len >= ml && memcmp(head, detect_compressed[i][0], ml) == 0) {
			r = mf_error(errbuf, MF_ERR_UNSUPPORTED, "cannot open %s: it is %s", path, detect_compressed[i][1]);
			goto out;
		}
	}
	if ((r = mfint_plugin_file_connectors(&cands, &ncands, errbuf)) < 0)
		goto out;
	for (i = 0; i < ncands; i++) {
		const struct mf_connector *c = &cands[i]->u.conn;
		int s = c->probe_path ? c->probe_path(path, head, (size_t)len, (uint64_t)st.st_size)
		                      : c->probe(head, (size_t)len, (uint64_t)st.st_size);

		if (s > score) {
			score = s;
			best = cands[i];
		}
	}
	free(cands);
	if (best == NULL) {
		r = mf_error(errbuf, MF_ERR_FORMAT,
		             "cannot open %s: unknown format (first bytes %02x %02x %02x %02x %02x %02x %02x %02x)", path,
		             head[0], len > 1 ? head[1] : 0, len > 2 ? head[2] : 0, len > 3 ? head[3] : 0,
		             len > 4 ? head[4] : 0, len > 5 ? head[5] : 0, len > 6 ? head[6] : 0, len > 7 ? head[7] : 0);
		goto out;
	}
	mf_log(2, "%s: detected as %s (confidence %d)", path, best->name, score);
	free(a->name);
	if ((a->name = strdup(best->name)) == NULL)
		r = MF_ERR_NOMEM;
	/* file connectors take the file as "path" */
	else if (a->def != NULL && (r = mfint_targs_add(a, "path", a->def)) == 0) {
		free(a->def);
		a->def = NULL;
	}
out:
	free(head);
	close(fd);
	return r;
}
