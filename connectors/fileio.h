/* fileio.h: small helpers the file connectors share (header-only, all static inline). */
#ifndef MF_CONNECTORS_FILEIO_H
#define MF_CONNECTORS_FILEIO_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <mftools/plugin.h>

/* Read exactly len bytes at off.  Returns len, the short count at end of file, or -errno. */
static inline int64_t
fio_pread_full(int fd, void *buf, uint64_t len, uint64_t off)
{
	uint64_t done = 0;

	while (done < len) {
		ssize_t r = pread(fd, (char *)buf + done, len - done > (1u << 30) ? (1u << 30) : len - done,
		                  (off_t)(off + done));
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

static inline int64_t
fio_pwrite_full(int fd, const void *buf, uint64_t len, uint64_t off)
{
	uint64_t done = 0;

	while (done < len) {
		ssize_t r = pwrite(fd, (const char *)buf + done, len - done, (off_t)(off + done));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (uint64_t)r;
	}
	return (int64_t)done;
}

/* Open a dump file read-only (or read-write) and report its size.  On failure writes
 * "cannot open PATH: reason" to errbuf and returns a negative MF_ERR_*. */
static inline int
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

#endif
