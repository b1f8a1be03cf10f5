/* fuzz-util.c: input helpers of the fuzz targets (see fuzz-util.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <mftools/plugin.h>

#include "fuzz-util.h"

void
fz_split(const uint8_t *data, size_t size, const char *sep, struct fz_parts *out)
{
	size_t sl = strlen(sep), off = 0;

	memset(out, 0, sizeof *out);
	if ((out->buf = malloc(size + 1)) == NULL)
		abort();
	if (size > 0)
		memcpy(out->buf, data, size);
	out->buf[size] = '\0';
	while (out->n < FZ_PARTS_MAX) {
		char *s = out->buf + off;
		char *e = sl > 0 && out->n + 1 < FZ_PARTS_MAX ? memmem(s, size - off, sep, sl) : NULL;

		out->p[out->n] = s;
		if (e == NULL) {
			out->len[out->n++] = size - off;
			break;
		}
		*e = '\0';
		out->len[out->n++] = (size_t)(e - s);
		off = (size_t)(e - out->buf) + sl;
	}
}

void
fz_parts_free(struct fz_parts *parts)
{
	free(parts->buf);
	memset(parts, 0, sizeof *parts);
}

int
fz_memfd(const void *p, size_t n)
{
	const uint8_t *b = p;
	int fd = memfd_create("mf-fuzz", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w <= 0)
			abort();
		b += w;
		n -= (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

int
fz_vread(void *ctx, const struct mf_space *sp, struct mf_iov *iov, size_t n)
{
	const struct fz_mem *m = ctx;
	size_t i;

	(void)sp;
	for (i = 0; i < n; i++) {
		uint64_t off = iov[i].addr >= m->kbase ? iov[i].addr - m->kbase : iov[i].addr;

		iov[i].err = MF_ERR_NOTMAPPED;
		if (off < m->len && iov[i].len <= m->len - off) {
			memcpy(iov[i].buf, m->img + off, iov[i].len);
			iov[i].err = 0;
		}
	}
	return 0;
}
