/* fuzz-elfdyn.c: libFuzzer target for the reader of a process module's dynamic symbols
 * (libcommon/pluginlib/elfdyn.c), which parses an ELF image out of process memory (a
 * guest's is hostile).  Input: 8 bytes of flags, one bit per page of the image that reads
 * as unmapped, then the image, mapped at a fixed base; everything outside it is unmapped.
 * Every symbol handed out must have a NUL-ended name. */
#include "config.h"

#include <string.h>

#include "pluginlib/bytes.h"
#include "pluginlib/elfdyn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_BASE 0x7f0000000000ull

struct fz_mem {
	const uint8_t *img;
	size_t len;
	uint64_t holes;
};

static int
fz_read(void *rctx, struct mf_iov *iov, size_t n)
{
	const struct fz_mem *m = rctx;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t off = iov[i].addr - FZ_BASE;

		iov[i].err = MF_ERR_NOTMAPPED;
		if (iov[i].addr < FZ_BASE || off >= m->len || iov[i].len > m->len - off)
			continue;
		if (off / 4096 < 64 && (m->holes >> (off / 4096) & 1))
			continue;
		memcpy(iov[i].buf, m->img + off, iov[i].len);
		iov[i].err = 0;
	}
	return 0;
}

static int
fz_sym(void *ctx, const struct elfdyn_sym *s)
{
	size_t *count = ctx;

	if (s->name == NULL || strlen(s->name) > (32u << 20))
		__builtin_trap();
	(*count)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_mem m;
	char err[256];
	size_t count = 0;

	if (size < 8)
		return 0;
	m.holes = get_le64(data);
	m.img = data + 8;
	m.len = size - 8;
	elfdyn_symbols(fz_read, &m, FZ_BASE, m.len, fz_sym, &count, err);
	return 0;
}
