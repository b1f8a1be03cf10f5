/* test-pluginlib-fileio.c: whole reads and writes at an offset and opening dump files
 * (pluginlib/fileio.c).  pread and pwrite are wrapped here (this file's definitions take
 * the place of libc's for the code linked into the test) so that the test can make them
 * return what real files rarely do: EINTR, short counts, and a pwrite of 0 bytes, which
 * fio_pwrite_full must turn into an error instead of retrying for ever.  A size-limited
 * file (RLIMIT_FSIZE) checks a real short write followed by EFBIG.  read is wrapped the
 * same way for the whole-file readers. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <mftools/plugin.h>

#include "pluginlib/fileio.h"
#include "tap.h"

/* What the wrapped calls do next. */
static struct {
	int eintr;          /* fail this many calls with EINTR first */
	size_t max;         /* 0: any size; else at most this many bytes per call */
	int zero_after;     /* pwrite: -1 never; else return 0 once this many calls have written */
	int calls;          /* calls seen */
} fake;

static void
fake_reset(void)
{
	memset(&fake, 0, sizeof fake);
	fake.zero_after = -1;
}

/* Count the call; 0 when it is to fail with EINTR, else 1 with *n cut to fake.max. */
static int
fake_call(size_t *n)
{
	fake.calls++;
	if (fake.eintr > 0) {
		fake.eintr--;
		errno = EINTR;
		return 0;
	}
	if (fake.max && *n > fake.max)
		*n = fake.max;
	return 1;
}

ssize_t
pread(int fd, void *buf, size_t n, off_t off)
{
	if (!fake_call(&n))
		return -1;
	return syscall(SYS_pread64, fd, buf, n, off);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (!fake_call(&n))
		return -1;
	if (fake.zero_after >= 0 && fake.calls > fake.zero_after)
		return 0;
	return syscall(SYS_pwrite64, fd, buf, n, off);
}

ssize_t
read(int fd, void *buf, size_t n)
{
	if (!fake_call(&n))
		return -1;
	return syscall(SYS_read, fd, buf, n);
}

static char dir[] = "/tmp/mf-test-fileio-XXXXXX";

static const char *
tmp_path(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
	return buf[i];
}

/* A file of n bytes, byte k = k * 7 + 1. */
static int
make_file(const char *path, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	for (size_t k = 0; k < n; k++)
		b[k] = (uint8_t)(k * 7 + 1);
	if (fd < 0 || (n && syscall(SYS_pwrite64, fd, b, n, 0) != (ssize_t)n)) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	free(b);
	return fd;
}

static int
is_pattern(const uint8_t *b, size_t n, size_t from)
{
	for (size_t k = 0; k < n; k++)
		if (b[k] != (uint8_t)((from + k) * 7 + 1))
			return 0;
	return 1;
}

static void
test_pread(void)
{
	int fd = make_file(tmp_path("r"), 10000);
	uint8_t b[10000];

	fake_reset();
	is_int(fio_pread_full(fd, b, 4096, 100), 4096, "pread_full reads the whole length");
	ok(is_pattern(b, 4096, 100), "pread_full bytes");
	fake_reset();
	fake.max = 7;
	memset(b, 0, sizeof b);
	is_int(fio_pread_full(fd, b, 1000, 3), 1000, "pread_full retries short reads");
	ok(is_pattern(b, 1000, 3) && fake.calls == 143, "pread_full short-read bytes (%d calls)", fake.calls);
	fake_reset();
	fake.eintr = 3;
	is_int(fio_pread_full(fd, b, 16, 0), 16, "pread_full retries EINTR");
	ok(is_pattern(b, 16, 0), "pread_full bytes after EINTR");
	fake_reset();
	is_int(fio_pread_full(fd, b, 500, 9800), 200, "pread_full stops at end of file with the short count");
	is_int(fio_pread_full(fd, b, 500, 20000), 0, "pread_full past end of file reads 0");
	is_int(fio_pread_full(fd, b, 0, 0), 0, "pread_full of 0 bytes");
	is_int(fio_pread_full(-1, b, 16, 0), -EBADF, "pread_full on a bad fd is -EBADF");

	is_int(fio_pread_piece(fd, 10000, b, 100, 9900), 0, "pread_piece inside the file");
	ok(is_pattern(b, 100, 9900), "pread_piece bytes");
	is_int(fio_pread_piece(fd, 10000, b, 101, 9900), MF_ERR_UNMAPPED, "pread_piece past fsize is a hole");
	is_int(fio_pread_piece(fd, 10000, b, 1, 10000), MF_ERR_UNMAPPED, "pread_piece at fsize is a hole");
	is_int(fio_pread_piece(fd, 10000, b, UINT64_MAX, 1), MF_ERR_UNMAPPED, "pread_piece with a huge length");
	is_int(fio_pread_piece(fd, 20000, b, 100, 9950), MF_ERR_UNMAPPED, "pread_piece: file shorter than fsize");
	is_int(fio_pread_piece(-1, 10000, b, 10, 0), MF_ERR_IO, "pread_piece on a bad fd is MF_ERR_IO");
	close(fd);
}

static void
test_pwrite(void)
{
	int fd = make_file(tmp_path("w"), 0);
	uint8_t b[4096], r[4096];

	for (size_t k = 0; k < sizeof b; k++)
		b[k] = (uint8_t)(k * 7 + 1);
	fake_reset();
	is_int(fio_pwrite_full(fd, b, 4096, 0), 4096, "pwrite_full writes the whole length");
	fake_reset();
	fake.max = 100;
	fake.eintr = 2;
	is_int(fio_pwrite_full(fd, b, 4096, 4096), 4096, "pwrite_full retries EINTR and short writes");
	ok(syscall(SYS_pread64, fd, r, 4096, 4096) == 4096 && memcmp(r, b, 4096) == 0, "pwrite_full bytes");
	fake_reset();
	fake.max = 1000;
	fake.zero_after = 2;
	is_int(fio_pwrite_full(fd, b, 4096, 0), -ENOSPC, "pwrite returning 0 fails with -ENOSPC, no endless retry");
	is_int(fake.calls, 3, "... after the two writes that made progress and the one that did not");
	fake_reset();
	fake.zero_after = 0;
	is_int(fio_pwrite_full(fd, b, 1, 0), -ENOSPC, "pwrite returning 0 at once");
	fake_reset();
	is_int(fio_pwrite_full(fd, b, 0, 0), 0, "pwrite_full of 0 bytes makes no call");
	is_int(fake.calls, 0, "... none");
	is_int(fio_pwrite_full(-1, b, 1, 0), -EBADF, "pwrite_full on a bad fd is -EBADF");
	close(fd);
}

/* A real size-limited file: the kernel writes up to the limit, then says EFBIG. */
static void
test_fsize_limit(void)
{
	struct rlimit old, lim;
	struct sigaction ign = { .sa_handler = SIG_IGN }, prev;
	int fd = make_file(tmp_path("limit"), 0);
	uint8_t b[8192];
	int64_t r;

	memset(b, 0x5a, sizeof b);
	if (getrlimit(RLIMIT_FSIZE, &old) < 0) {
		ok(0, "getrlimit: %s", strerror(errno));
		return;
	}
	lim = old;
	lim.rlim_cur = 4096;
	sigaction(SIGXFSZ, &ign, &prev);
	fake_reset();
	if (setrlimit(RLIMIT_FSIZE, &lim) < 0) {
		ok(0, "setrlimit: %s", strerror(errno));
		return;
	}
	r = fio_pwrite_full(fd, b, sizeof b, 0);
	setrlimit(RLIMIT_FSIZE, &old);
	sigaction(SIGXFSZ, &prev, NULL);
	is_int(r, -EFBIG, "pwrite_full past RLIMIT_FSIZE fails with -EFBIG");
	is_int(fake.calls, 2, "... after one short write up to the limit");
	ok(lseek(fd, 0, SEEK_END) == 4096, "the file holds the bytes below the limit");
	close(fd);
}

static void
test_open(void)
{
	char err[MF_ERRBUF_SIZE], want[512];
	int fd = -1;
	uint64_t size = 0;

	close(make_file(tmp_path("o"), 1234));
	is_int(fio_open(tmp_path("o"), 0, &fd, &size, err), 0, "open a file");
	is_u64(size, 1234, "its size");
	ok(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "close-on-exec");
	ok((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY, "read-only");
	close(fd);
	is_int(fio_open(tmp_path("o"), 1, &fd, &size, err), 0, "open a file writable");
	ok((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR, "read-write");
	close(fd);
	is_int(fio_open(tmp_path("missing"), 0, &fd, &size, err), MF_ERR_NOTFOUND, "a missing file");
	snprintf(want, sizeof want, "cannot open %s: No such file or directory", tmp_path("missing"));
	is_str(err, want, "... its message");
	is_int(fio_open(dir, 0, &fd, &size, err), MF_ERR_ARG, "a directory");
	snprintf(want, sizeof want, "cannot open %s: Is a directory", dir);
	is_str(err, want, "... its message");
	is_int(fio_open("", 0, &fd, &size, err), MF_ERR_ARG, "an empty path");
	is_str(err, "no file given (path=FILE)", "... its message");
	is_int(fio_open(NULL, 0, &fd, &size, err), MF_ERR_ARG, "no path");
	if (geteuid() != 0) {
		chmod(tmp_path("o"), 0);
		is_int(fio_open(tmp_path("o"), 0, &fd, &size, err), MF_ERR_PERM, "an unreadable file");
	} else {
		ok(1, "# SKIP root reads every file: no permission error to see");
	}
}

/* The bytes make_file writes. */
static int
file_bytes_ok(const char *p, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if ((uint8_t)p[k] != (uint8_t)(k * 7 + 1))
			return 0;
	return 1;
}

static void
test_read_file(void)
{
	char *out = (char *)1, buf[20000];
	ssize_t n;

	close(make_file(tmp_path("f"), 10000));
	fake_reset();
	fake.eintr = 2;
	fake.max = 777;   /* short reads do not end the file */
	n = fio_read_file(tmp_path("f"), 1 << 20, &out);
	is_int((int)n, 10000, "read_file: the whole file through EINTR and short reads, growing past 4 KiB");
	ok(out != NULL && file_bytes_ok(out, 10000) && out[10000] == '\0', "... its bytes, NUL-terminated");
	free(out);
	fake_reset();
	n = fio_read_file(tmp_path("f"), 5000, &out);
	is_int((int)n, 5000, "read_file: cut at cap");
	ok(out != NULL && file_bytes_ok(out, 5000) && out[5000] == '\0', "... the first cap bytes, NUL-terminated");
	free(out);
	n = fio_read_file(tmp_path("f"), 100, &out);
	is_int((int)n, 100, "read_file: a cap below the first 4 KiB");
	free(out);
	close(make_file(tmp_path("e"), 0));
	n = fio_read_file(tmp_path("e"), 100, &out);
	ok(n == 0 && out != NULL && out[0] == '\0', "read_file: an empty file is an empty string");
	free(out);
	out = (char *)1;
	n = fio_read_file(tmp_path("missing"), 100, &out);
	ok(n == -ENOENT && out == NULL, "read_file: a missing file is -ENOENT and no buffer");
	n = fio_read_file(dir, 100, &out);
	ok(n == -EISDIR && out == NULL, "read_file: a directory is -EISDIR");

	fake_reset();
	fake.eintr = 1;
	fake.max = 3000;
	n = fio_read_into(tmp_path("f"), buf, sizeof buf, 0);
	is_int((int)n, 10000, "read_into: short reads go on to the end");
	ok(file_bytes_ok(buf, 10000), "... its bytes");
	fake_reset();
	fake.max = 3000;
	n = fio_read_into(tmp_path("f"), buf, sizeof buf, FIO_PROCFS);
	is_int((int)n, 3000, "read_into FIO_PROCFS: a short read is the whole file");
	is_int(fake.calls, 1, "... in one read");
	fake_reset();
	n = fio_read_into(tmp_path("f"), buf, 64, FIO_PROCFS);
	is_int((int)n, 64, "read_into: cut at cap");
	ok(file_bytes_ok(buf, 64), "... its bytes");
	n = fio_read_into("/proc/self/stat", buf, sizeof buf - 1, FIO_PROCFS);
	ok(n > 0 && (buf[n] = '\0', strchr(buf, '(') != NULL), "read_into: /proc/self/stat");
	is_int((int)fio_read_into(tmp_path("missing"), buf, sizeof buf, 0), -ENOENT, "read_into: a missing file");
	n = fio_read_into(dir, buf, sizeof buf, FIO_PROCFS);
	is_int((int)n, -EISDIR, "read_into FIO_PROCFS: an error before any byte is the error");
	unlink(tmp_path("f"));
	unlink(tmp_path("e"));
}

int
main(void)
{
	alarm(60);   /* a write loop that never ends fails the test instead of hanging it */
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_pread();
	test_pwrite();
	test_fsize_limit();
	test_open();
	test_read_file();
	unlink(tmp_path("r"));
	unlink(tmp_path("w"));
	unlink(tmp_path("limit"));
	unlink(tmp_path("o"));
	rmdir(dir);
	return done_testing();
}
