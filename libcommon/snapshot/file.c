/* file.c: the output file of a snapshot: full writes at an offset (a signal or a full disk
 * ends them with a message), sparse writes that skip zero pages. */
#include "config.h"
#include "snapshot-int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double
snap_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
snap_check_stop(struct snap_file *f)
{
	if (f->stop == NULL || *f->stop == 0)
		return 0;
	snprintf(f->err, MF_ERRBUF_SIZE, "interrupted by %s", strsignal(*f->stop));
	return -1;
}

int
snap_oom(struct snap_file *f)
{
	snprintf(f->err, MF_ERRBUF_SIZE, "out of memory");
	return -1;
}

int
snap_pwrite(struct snap_file *f, const void *p, size_t n, uint64_t off)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t k;

		if (snap_check_stop(f) < 0)
			return -1;
		if (off > (uint64_t)INT64_MAX - n) {
			snprintf(f->err, MF_ERRBUF_SIZE, "cannot write %s: offset 0x%" PRIx64 " too large", f->name, off);
			return -1;
		}
		k = pwrite(f->fd, b, n > (1u << 30) ? (1u << 30) : n, (off_t)off);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			snprintf(f->err, MF_ERRBUF_SIZE, "cannot write %s: %s", f->name, strerror(errno));
			return -1;
		}
		if (k == 0) {
			snprintf(f->err, MF_ERRBUF_SIZE, "cannot write %s: no progress", f->name);
			return -1;
		}
		b += k;
		off += (uint64_t)k;
		n -= (size_t)k;
	}
	return 0;
}

bool
snap_is_zero(const uint8_t *p, size_t n)
{
	static const uint8_t zero[256];

	while (n >= sizeof zero) {
		if (memcmp(p, zero, sizeof zero) != 0)
			return false;
		p += sizeof zero;
		n -= sizeof zero;
	}
	return n == 0 || memcmp(p, zero, n) == 0;
}

int
snap_pwrite_sparse(struct snap_file *f, const uint8_t *p, size_t n, uint64_t off)
{
	size_t i = 0, start = 0;
	bool in = false;

	/* write maximal runs of non-zero pages; pages are counted from `off` */
	while (i < n) {
		size_t k = n - i < SNAP_PAGE ? n - i : SNAP_PAGE;
		bool z = snap_is_zero(p + i, k);

		if (!z && !in) {
			start = i;
			in = true;
		} else if (z && in) {
			if (snap_pwrite(f, p + start, i - start, off + start) < 0)
				return -1;
			in = false;
		}
		i += k;
	}
	if (in && snap_pwrite(f, p + start, n - start, off + start) < 0)
		return -1;
	f->written += n;
	return 0;
}
