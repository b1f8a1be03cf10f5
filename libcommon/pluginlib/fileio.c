/* fileio.c: whole reads and writes at an offset; opening dump files. */
#include "config.h"

#include "pluginlib/fileio.h"
#include "pluginlib/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

void
fio_read_located(int fd, uint64_t fsize, struct mf_iov *iov, size_t n, fio_locate_fn locate, void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t addr = iov[i].addr, left = iov[i].len;
		uint8_t *buf = iov[i].buf;

		iov[i].err = 0;
		while (left) {
			uint64_t foff, chunk;

			if ((iov[i].err = locate(ctx, addr, &foff, &chunk)) != 0)
				break;
			if (chunk > left)
				chunk = left;
			if ((iov[i].err = fio_pread_piece(fd, fsize, buf, chunk, foff)) != 0)
				break;   /* page data cut off, or an I/O error */
			buf += chunk;
			addr += chunk;
			left -= chunk;
		}
	}
}

int
fio_open(const char *path, int writable, int *fd_out, uint64_t *size_out, char *errbuf)
{
	struct stat st;
	int fd, e;

	if (path == NULL || *path == '\0')
		return plib_error(errbuf, MF_ERR_ARG, "no file given (path=FILE)");
	/* O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below) */
	fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		e = errno;
		return plib_error_errno(errbuf, e == ENOENT ? MF_ERR_NOTFOUND : e == EACCES || e == EPERM ? MF_ERR_PERM : MF_ERR_IO, e, "cannot open %s", path);
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		return plib_error_errno(errbuf, MF_ERR_IO, e, "cannot stat %s", path);
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return plib_error(errbuf, MF_ERR_ARG, "cannot open %s: Is a directory", path);
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		close(fd);
		return plib_error(errbuf, MF_ERR_ARG, "cannot open %s: not a regular file or block device (%s)", path,
		                  fio_kind(st.st_mode));
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		e = errno;
		close(fd);
		return plib_error_errno(errbuf, MF_ERR_IO, e, "cannot open %s", path);
	}
	*fd_out = fd;
	*size_out = (uint64_t)st.st_size;
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(fd, 0, SEEK_END);

		*size_out = end > 0 ? (uint64_t)end : 0;
	}
	return 0;
}

const char *
fio_kind(unsigned mode)
{
	return S_ISFIFO(mode) ? "a FIFO" : S_ISCHR(mode) ? "a character device" : S_ISSOCK(mode) ? "a socket"
	       : S_ISDIR(mode) ? "a directory" : S_ISBLK(mode) ? "a block device" : S_ISREG(mode) ? "a regular file"
	       : "not a file";
}

uint64_t
fio_next_data(int fd, uint64_t off)
{
	off_t d;

	if (off > (uint64_t)INT64_MAX)
		return UINT64_MAX;
	d = lseek(fd, (off_t)off, SEEK_DATA);
	if (d >= 0)
		return (uint64_t)d > off ? (uint64_t)d : off;
	return errno == ENXIO ? UINT64_MAX : off;   /* ENXIO: only a hole follows; else unknown */
}

/* Read fd into *buf (*size bytes, grown with realloc up to cap when grow is set). */
static ssize_t
fio_read_fd(int fd, char **buf, size_t *size, size_t cap, int grow, unsigned flags)
{
	size_t len = 0;

	for (;;) {
		size_t want;
		ssize_t n;

		if (len == *size) {
			char *nb;

			if (!grow || *size >= cap)
				break;   /* truncated at cap */
			*size = *size > cap / 2 ? cap : *size * 2;
			nb = realloc(*buf, *size + 1);
			if (nb == NULL)
				return -ENOMEM;
			*buf = nb;
		}
		want = *size - len;
		n = read(fd, *buf + len, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return (flags & FIO_PROCFS) && len > 0 ? (ssize_t)len : -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if ((flags & FIO_PROCFS) && (size_t)n < want)
			break;   /* short read: the whole file */
	}
	return (ssize_t)len;
}

ssize_t
fio_read_file(const char *path, size_t cap, char **out)
{
	size_t size = cap < 4096 ? cap : 4096;
	char *buf = malloc(size + 1);
	ssize_t len;
	int fd;

	*out = NULL;
	if (buf == NULL)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		len = -errno;
		free(buf);
		return len;
	}
	len = fio_read_fd(fd, &buf, &size, cap, 1, 0);
	close(fd);
	if (len < 0) {
		free(buf);
		return len;
	}
	buf[len] = '\0';
	*out = buf;
	return len;
}

ssize_t
fio_read_into(const char *path, char *buf, size_t cap, unsigned flags)
{
	ssize_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	len = fio_read_fd(fd, &buf, &cap, cap, 0, flags);
	close(fd);
	return len;
}

int
fio_map(int fd, uint64_t size, struct fio_map *m)
{
	void *p;

	m->data = NULL;
	m->size = 0;
	if (size == 0 || size > SIZE_MAX)
		return MF_ERR_UNSUPPORTED;
	if ((p = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED)
		return errno == ENOMEM ? MF_ERR_NOMEM : MF_ERR_UNSUPPORTED;
	m->data = p;
	m->size = size;
	return 0;
}

void
fio_unmap(struct fio_map *m)
{
	if (m->data != NULL)
		munmap((void *)m->data, (size_t)m->size);
	m->data = NULL;
	m->size = 0;
}
