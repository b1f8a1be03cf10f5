/* memfile: an mftools connector, built out of tree against the installed <mftools/plugin.h>.
 *
 * Serves physical memory from a window of any file or block device: `len` bytes at file
 * offset `offset` appear at physical address `base`.  Useful for memory carved out of a
 * larger image (a firmware blob, a RAM region inside a disk or a core file, a VM's memory
 * backend file such as /dev/shm/... or a hugetlbfs file), and for memory handed over as an
 * inherited descriptor (a memfd) with `fd=N`.  Arguments:
 *
 *   path=FILE     the file (the positional argument: -c memfile:/srv/ram.bin)
 *   fd=N          read an already open descriptor instead (e.g. a memfd: 3<&...)
 *   offset=N      file offset of the window (default 0)
 *   len=N         window length (default: to the end of the file)
 *   base=ADDR     physical address of the window's first byte (default 0)
 *   arch=NAME     hint: architecture (x86_64, aarch64, ...)
 *   dtb=ADDR      hint: kernel page-table root (CR3, TTBR1)
 *
 * Reads are batched: adjacent requests become one preadv().  The same source builds
 * against the plugin header of ABI 2 (the current one) and of ABI 1: see memfile_error.
 * With -DEXAMPLE_ABI=N the descriptor claims plugin ABI N, to see how mftools refuses a
 * plugin built for another ABI.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/fs.h>

#include <mftools/plugin.h>

#define MEMFILE_BATCH 1024   /* iovecs per preadv (IOV_MAX on Linux) */

struct memfile {
	int fd;
	int own_fd;                /* close fd at close (not for fd=N) */
	uint64_t offset;           /* file offset of the window */
	struct mf_range range;     /* base, len */
};

/* Errors: `return host->error(errbuf, code, fmt, ...)` formats the one-line message and
 * returns the code.  The host has it from plugin ABI 2 on; built against an ABI-1 header
 * (to run on an older mftools too) this file formats the message itself. */
#if MF_ABI_VERSION >= 2
#define memfile_error(host, ...) ((host)->error(__VA_ARGS__))
#else
static int __attribute__((format(printf, 3, 4)))
memfile_error_abi1(char *errbuf, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, MF_ERRBUF_SIZE, fmt, ap);
	va_end(ap);
	return code;
}
#define memfile_error(host, ...) ((void)(host), memfile_error_abi1(__VA_ARGS__))
#endif

static const char *const memfile_keys[] = { "path", "fd", "offset", "len", "base", "arch", "dtb", NULL };

static int
memfile_num(const struct mf_host *host, const struct mf_args *args, const char *key, uint64_t *v,
            char *errbuf)
{
	const char *s = host->arg(args, key);
	int r;

	if (s == NULL)
		return 0;
	if ((r = host->parse_u64(s, v)) < 0)
		return memfile_error(host, errbuf, r, "invalid %s '%s': %s", key, s, host->strerror(r));
	return 1;
}

/* Size of a regular file or a block device. */
static int
memfile_size(const struct mf_host *host, int fd, const char *what, uint64_t *size, char *errbuf)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return memfile_error(host, errbuf, MF_ERR_IO, "cannot stat %s: %s", what, strerror(errno));
	if (S_ISREG(st.st_mode)) {
		*size = (uint64_t)st.st_size;
		return 0;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, size) < 0)
			return memfile_error(host, errbuf, MF_ERR_IO, "cannot get the size of %s: %s", what, strerror(errno));
		return 0;
	}
	return memfile_error(host, errbuf, MF_ERR_ARG, "%s is not a regular file or block device", what);
}

static int
memfile_open(const struct mf_host *host, const struct mf_args *args, int writable, struct mf_hints *hints,
             void **handle, char *errbuf)
{
	const char *path = host->arg(args, "path"), *arch = host->arg(args, "arch");
	uint64_t fdnum = 0, fsize, off = 0, len = 0, base = 0, dtb = 0;
	int r, has_fd, has_len, has_dtb;
	char what[PATH_MAX + 16];
	struct memfile *m;
	uint32_t archv;

	if ((has_fd = memfile_num(host, args, "fd", &fdnum, errbuf)) < 0 ||
	    (r = memfile_num(host, args, "offset", &off, errbuf)) < 0 ||
	    (has_len = memfile_num(host, args, "len", &len, errbuf)) < 0 ||
	    (r = memfile_num(host, args, "base", &base, errbuf)) < 0 ||
	    (has_dtb = memfile_num(host, args, "dtb", &dtb, errbuf)) < 0)
		return MF_ERR_ARG;
	if ((path != NULL) == (has_fd != 0))
		return memfile_error(host, errbuf, MF_ERR_ARG, "give a file (memfile:FILE or path=FILE) or fd=N, not %s",
		                     path != NULL ? "both" : "neither");
	if (arch != NULL && host->arch_parse(arch, &archv) < 0)
		return memfile_error(host, errbuf, MF_ERR_ARG, "unknown architecture '%s'", arch);
	if (has_fd && fdnum > INT_MAX)
		return memfile_error(host, errbuf, MF_ERR_ARG, "fd %llu out of range", (unsigned long long)fdnum);
	if ((m = calloc(1, sizeof *m)) == NULL)
		return memfile_error(host, errbuf, MF_ERR_NOMEM, "out of memory");
	if (has_fd) {
		snprintf(what, sizeof what, "fd %d", (int)fdnum);
		m->fd = (int)fdnum;
		if (fcntl(m->fd, F_GETFL) < 0) {
			r = memfile_error(host, errbuf, MF_ERR_ARG, "cannot use %s: %s", what, strerror(errno));
			free(m);
			return r;
		}
	} else {
		snprintf(what, sizeof what, "%s", path);
		m->fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
		if (m->fd < 0) {
			int e = errno;

			free(m);
			return memfile_error(host, errbuf,
			                     e == ENOENT ? MF_ERR_NOTFOUND : e == EACCES || e == EPERM ? MF_ERR_PERM : MF_ERR_IO,
			                     "cannot open %s: %s", path, strerror(e));
		}
		m->own_fd = 1;
	}
	if ((r = memfile_size(host, m->fd, what, &fsize, errbuf)) < 0)
		goto fail;
	if (!has_len && off <= fsize)
		len = fsize - off;
	if (off > fsize)
		r = memfile_error(host, errbuf, MF_ERR_RANGE, "offset 0x%llx is beyond the end of %s (0x%llx bytes)",
		                  (unsigned long long)off, what, (unsigned long long)fsize);
	else if (len > fsize - off)
		r = memfile_error(host, errbuf, MF_ERR_RANGE, "window 0x%llx+0x%llx runs beyond the end of %s (0x%llx bytes)",
		                  (unsigned long long)off, (unsigned long long)len, what, (unsigned long long)fsize);
	else if (len == 0)
		r = memfile_error(host, errbuf, MF_ERR_RANGE, "%s has no bytes at offset 0x%llx", what, (unsigned long long)off);
	else if (len - 1 > UINT64_MAX - base)
		r = memfile_error(host, errbuf, MF_ERR_RANGE, "base 0x%llx + len 0x%llx is beyond the 64-bit address space",
		                  (unsigned long long)base, (unsigned long long)len);
	else if (off > (uint64_t)INT64_MAX - len)
		r = memfile_error(host, errbuf, MF_ERR_RANGE, "offset 0x%llx out of range", (unsigned long long)off);
	if (r < 0)
		goto fail;
	m->offset = off;
	m->range.base = base;
	m->range.size = len;
	if ((r = host->hint_set_str(hints, "format", "memfile")) < 0 ||
	    (arch != NULL && (r = host->hint_set_str(hints, "arch", host->arch_name(archv))) < 0) ||
	    (has_dtb && (r = host->hint_set_u64(hints, "dtb", dtb)) < 0)) {
		memfile_error(host, errbuf, r, "cannot set hints: %s", host->strerror(r));
		goto fail;
	}
	*handle = m;
	return 0;
fail:
	if (m->own_fd)
		close(m->fd);
	free(m);
	return r;
}

static void
memfile_close(void *handle)
{
	struct memfile *m = handle;

	if (m == NULL)
		return;
	if (m->own_fd)
		close(m->fd);
	free(m);
}

/* Is [addr, addr+len) inside the window?  (The host splits at range boundaries, but a
 * plugin checks anyway.) */
static int
memfile_inside(const struct memfile *m, const struct mf_iov *v)
{
	return v->addr >= m->range.base && v->len <= m->range.size &&
	       v->addr - m->range.base <= m->range.size - v->len;
}

/* One entry at a time: the fallback after a short or failed vectored transfer. */
static void
memfile_one(struct memfile *m, struct mf_iov *v, int write)
{
	uint64_t done = 0;

	while (done < v->len) {
		off_t pos = (off_t)(m->offset + (v->addr - m->range.base) + done);
		size_t want = v->len - done > (1u << 30) ? (1u << 30) : (size_t)(v->len - done);
		ssize_t n = write ? pwrite(m->fd, (const char *)v->buf + done, want, pos)
		                  : pread(m->fd, (char *)v->buf + done, want, pos);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			v->err = MF_ERR_IO;
			return;
		}
		if (n == 0) {   /* the file shrank since open */
			v->err = MF_ERR_UNMAPPED;
			return;
		}
		done += (uint64_t)n;
	}
	v->err = 0;
}

/* Transfer iov[0..n) in runs of file-contiguous entries, one preadv/pwritev per run. */
static int
memfile_xfer(struct memfile *m, struct mf_iov *iov, size_t n, int write)
{
	struct iovec vec[MEMFILE_BATCH];
	size_t i = 0;

	while (i < n) {
		size_t j = i, k, nv = 0;
		uint64_t total = 0, start;
		ssize_t got;

		if (!memfile_inside(m, &iov[i])) {
			iov[i++].err = MF_ERR_UNMAPPED;
			continue;
		}
		if (iov[i].len == 0) {
			iov[i++].err = 0;
			continue;
		}
		start = iov[i].addr;
		/* extend the run while the next entry starts where this one ends */
		while (j < n && nv < MEMFILE_BATCH && memfile_inside(m, &iov[j]) && iov[j].len > 0 &&
		       iov[j].addr == start + total && iov[j].len <= (1u << 30) && total <= (1u << 30)) {
			vec[nv].iov_base = iov[j].buf;
			vec[nv].iov_len = (size_t)iov[j].len;
			total += iov[j].len;
			nv++;
			j++;
		}
		if (nv == 0) {   /* one huge entry: let memfile_one chunk it */
			memfile_one(m, &iov[i], write);
			i++;
			continue;
		}
		do {
			off_t pos = (off_t)(m->offset + (start - m->range.base));

			got = write ? pwritev(m->fd, vec, (int)nv, pos) : preadv(m->fd, vec, (int)nv, pos);
		} while (got < 0 && errno == EINTR);
		if (got >= 0 && (uint64_t)got == total) {
			for (k = i; k < j; k++)
				iov[k].err = 0;
		} else {
			for (k = i; k < j; k++)
				memfile_one(m, &iov[k], write);
		}
		i = j;
	}
	return 0;
}

static int
memfile_read(void *handle, struct mf_iov *iov, size_t n, char *errbuf)
{
	(void)errbuf;   /* per-entry errors only: the file cannot fail as a whole */
	return memfile_xfer(handle, iov, n, 0);
}

static int
memfile_write(void *handle, struct mf_iov *iov, size_t n, char *errbuf)
{
	(void)errbuf;
	return memfile_xfer(handle, iov, n, 1);
}

static size_t
memfile_ranges(void *handle, const struct mf_range **out)
{
	struct memfile *m = handle;

	*out = &m->range;
	return 1;
}

static const struct mf_connector memfile_connector = {
#ifdef EXAMPLE_ABI
	.struct_size = sizeof(struct mf_connector),
	.abi_version = EXAMPLE_ABI,
#else
	MF_CONNECTOR_INIT,
#endif
	.name = "memfile",
	.description = "physical memory from a window of a file, block device or inherited fd (example)",
	.help = "  path=FILE     the file or block device (positional)\n"
	        "  fd=N          an already open descriptor instead (e.g. a memfd)\n"
	        "  offset=N      file offset of the window (default 0)\n"
	        "  len=N         window length (default: to the end of the file)\n"
	        "  base=ADDR     physical address of the window (default 0)\n"
	        "  arch=NAME     hint: architecture (x86_64, aarch64, ...)\n"
	        "  dtb=ADDR      hint: kernel page-table root\n",
	.keys = memfile_keys,
	.flags = MF_CONN_WRITE,
#if MF_ABI_VERSION >= 2
	.thread_model = MF_THREAD_PARALLEL,   /* pread/pwrite on one descriptor: no shared state */
#endif
	.open = memfile_open,
	.close = memfile_close,
	.read = memfile_read,
	.write = memfile_write,
	.ranges = memfile_ranges,
};

MF_REGISTER_CONNECTOR(memfile_connector)
