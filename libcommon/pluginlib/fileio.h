/* pluginlib/fileio.h: whole reads and writes at an offset, and opening a dump file with its
 * size, for the file connectors.  Part of libmfplugin.la (see vmcoreinfo.h for how to link
 * it). */
#ifndef MF_PLUGINLIB_FILEIO_H
#define MF_PLUGINLIB_FILEIO_H

#include <stdint.h>
#include <sys/types.h>

/* Read len bytes at off, retrying short reads and EINTR.  Returns len, the short count
 * when the file ends first, or -errno. */
int64_t fio_pread_full(int fd, void *buf, uint64_t len, uint64_t off);

/* Write len bytes at off, retrying short writes and EINTR.  Returns len or -errno;
 * -ENOSPC when pwrite writes nothing (returns 0) before len bytes are done. */
int64_t fio_pwrite_full(int fd, const void *buf, uint64_t len, uint64_t off);

/* Read len bytes of page data at off of a file of fsize bytes: 0, MF_ERR_UNMAPPED when the
 * file ends before the last byte (a truncated dump), or MF_ERR_IO. */
int fio_pread_piece(int fd, uint64_t fsize, void *buf, uint64_t len, uint64_t off);

/* Answer a read batch from a file of fsize bytes, piece by piece: locate(ctx, addr, &foff,
 * &len) says where addr is in the file and how many bytes (> 0) from there are contiguous
 * (0), or why it is absent (MF_ERR_*: that entry's error); each piece is read with
 * fio_pread_piece.  Per-entry results in iov[i].err. */
struct mf_iov;
typedef int (*fio_locate_fn)(void *ctx, uint64_t addr, uint64_t *foff, uint64_t *len);
void fio_read_located(int fd, uint64_t fsize, struct mf_iov *iov, size_t n, fio_locate_fn locate, void *ctx);

/* Open path read-only (or read-write), close-on-exec, and report its size.  A directory
 * or an empty path is refused, and so is anything but a regular file or a block device (a
 * FIFO would block; a block device's size is where it ends).  0, or a negative MF_ERR_* with "cannot open PATH: reason"
 * (MF_ERRBUF_SIZE bytes) in errbuf. */
int fio_open(const char *path, int writable, int *fd_out, uint64_t *size_out, char *errbuf);

/* A whole file mapped read-only, for connectors' views (the view callback of struct
 * mf_connector).  fio_map: 0, or a negative MF_ERR_* when it cannot be mapped (an empty
 * file, a 32-bit address space too small, a file system without mmap): the connector then
 * offers no view and reads copy.  fio_unmap: nothing when m holds no mapping; m is zeroed. */
struct fio_map {
	const uint8_t *data;
	uint64_t size;
};
int fio_map(int fd, uint64_t size, struct fio_map *m);
void fio_unmap(struct fio_map *m);

/* What a file of st_mode `mode` is, for messages: "a FIFO", "a character device", ... */
const char *fio_kind(unsigned mode);

/* The first offset at or after off that may hold data (SEEK_DATA: holes of a sparse file
 * are skipped), off when the file system cannot say, UINT64_MAX when only a hole follows. */
uint64_t fio_next_data(int fd, uint64_t off);

/* Whole-file readers, for /proc files and other small text files.  Both retry EINTR and
 * return the length read, or -errno.
 * fio_read_file: at most cap bytes into a new NUL-terminated buffer *out (the caller
 * frees it; NULL on error); the buffer grows from 4 KiB as the file does.
 * fio_read_into: at most cap bytes into buf (not terminated).  With FIO_PROCFS a short
 * read is taken as the whole file (procfs answers a small file in one read, so no read
 * is spent on the EOF) and an error after some bytes returns those bytes. */
#define FIO_PROCFS 0x1u
ssize_t fio_read_file(const char *path, size_t cap, char **out);
ssize_t fio_read_into(const char *path, char *buf, size_t cap, unsigned flags);

#endif
