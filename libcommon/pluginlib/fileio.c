/* fileio.c: whole reads and writes at an offset; opening dump files. */
#include "pluginlib/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mftools/plugin.h>

#define FIO_CHUNK ((uint64_t)1 << 30)   /* bytes per call: below every kernel's cap */

int64_t
fio_pread_full(int fd, void *buf, uint64_t len, uint64_t off)
{
	uint64_t done = 0;

	while (done < len) {
		uint64_t want = len - done > FIO_CHUNK ? FIO_CHUNK : len - done;
		ssize_t r = pread(fd, (char *)buf + done, want, (off_t)(off + done));

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		done += (uint64_t)r;
	}
	return (int64_t)done;
}

int64_t
fio_pwrite_full(int fd, const void *buf, uint64_t len, uint64_t off)
{
	uint64_t done = 0;

	while (done < len) {
		uint64_t want = len - done > FIO_CHUNK ? FIO_CHUNK : len - done;
		ssize_t r = pwrite(fd, (const char *)buf + done, want, (off_t)(off + done));

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -ENOSPC;   /* nothing written: retrying would spin */
		done += (uint64_t)r;
	}
	return (int64_t)done;
}

int
fio_pread_piece(int fd, uint64_t fsize, void *buf, uint64_t len, uint64_t off)
{
	int64_t got;

	if (off >= fsize || len > fsize - off)
		return MF_ERR_UNMAPPED;
	got = fio_pread_full(fd, buf, len, off);
	if (got < 0)
		return MF_ERR_IO;
	return (uint64_t)got < len ? MF_ERR_UNMAPPED : 0;
}

int
fio_open(const char *path, int writable, int *fd_out, uint64_t *size_out, char *errbuf)
{
	struct stat st;
	int fd, e;

	if (path == NULL || *path == '\0') {
		snprintf(errbuf, MF_ERRBUF_SIZE, "no file given (path=FILE)");
		return MF_ERR_ARG;
	}
	fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		snprintf(errbuf, MF_ERRBUF_SIZE, "cannot open %s: %s", path, strerror(e));
		return e == ENOENT ? MF_ERR_NOTFOUND : e == EACCES || e == EPERM ? MF_ERR_PERM : MF_ERR_IO;
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		snprintf(errbuf, MF_ERRBUF_SIZE, "cannot stat %s: %s", path, strerror(e));
		return MF_ERR_IO;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		snprintf(errbuf, MF_ERRBUF_SIZE, "cannot open %s: Is a directory", path);
		return MF_ERR_ARG;
	}
	*fd_out = fd;
	*size_out = (uint64_t)st.st_size;
	return 0;
}
