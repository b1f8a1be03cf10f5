/* io.c: reads and writes of guest physical memory.  Each entry is checked against the
 * layout first (all of it RAM, and for a write none of it ROM), cut into pieces at region
 * boundaries, translated to host addresses and handed to the process-memory engine in
 * batches; a piece that cannot be transferred fails its entry. */
#include "config.h"

#include <stdint.h>

#include "pluginlib/procmem.h"
#include "qemu.h"

struct qemu_batch {
	struct mf_iov piece[PROCMEM_IOV_MAX];
	size_t owner[PROCMEM_IOV_MAX];   /* the entry each piece belongs to */
	size_t k;
};

/* Transfer the gathered pieces; a failed piece fails its entry (a host page QEMU has not
 * mapped is a hole in guest memory).  Returns 0 or the whole-call error. */
static int
qemu_flush(const struct qemu *q, struct qemu_batch *b, int wr, struct mf_iov *iov, char *errbuf)
{
	const struct procmem pm = { .pid = q->pid, .kind = "qemu" };
	int r = wr ? procmem_write(&pm, b->piece, b->k, errbuf) : procmem_read(&pm, b->piece, b->k, errbuf);
	size_t i;

	for (i = 0; i < b->k; i++) {
		int e = b->piece[i].err;

		if (e != 0 && iov[b->owner[i]].err == 0)
			iov[b->owner[i]].err = e == MF_ERR_NOTMAPPED ? MF_ERR_UNMAPPED : e;
	}
	b->k = 0;
	return r;
}

/* 0 when [addr, addr+len) is all guest RAM (and writable for a write), else the error. */
static int
qemu_check(const struct qemu *q, uint64_t addr, uint64_t len, int wr)
{
	uint64_t off = 0;

	while (off < len) {
		const struct qemu_region *g = qemu_lookup(q, addr + off);

		if (g == NULL)
			return MF_ERR_UNMAPPED;
		if (wr && g->readonly)
			return MF_ERR_READONLY;
		off += g->size - (addr + off - g->gpa);
	}
	return 0;
}

static int
qemu_rw(const struct qemu *q, struct mf_iov *iov, size_t n, int wr, char *errbuf)
{
	struct qemu_batch bb, *b = &bb;   /* 40 KiB on the stack */
	size_t i;
	int r = 0;

	b->k = 0;
	for (i = 0; i < n; i++) {
		uint64_t off;

		iov[i].err = 0;
		if (iov[i].len == 0)
			continue;
		if (iov[i].buf == NULL) {
			iov[i].err = MF_ERR_ARG;
			continue;
		}
		if (iov[i].addr + iov[i].len < iov[i].addr) {
			iov[i].err = MF_ERR_UNMAPPED;
			continue;
		}
		iov[i].err = qemu_check(q, iov[i].addr, iov[i].len, wr);
		if (iov[i].err != 0)
			continue;
		for (off = 0; off < iov[i].len; ) {
			const struct qemu_region *g = qemu_lookup(q, iov[i].addr + off);
			uint64_t in = iov[i].addr + off - g->gpa, take = g->size - in;

			if (take > iov[i].len - off)
				take = iov[i].len - off;
			if (b->k == PROCMEM_IOV_MAX) {
				r = qemu_flush(q, b, wr, iov, errbuf);
				if (r < 0)
					goto fail_rest;
			}
			b->piece[b->k] = (struct mf_iov){ .addr = g->hva + in, .buf = (uint8_t *)iov[i].buf + off,
			                                  .len = take };
			b->owner[b->k] = i;
			b->k++;
			off += take;
		}
	}
	if (b->k > 0)
		r = qemu_flush(q, b, wr, iov, errbuf);
	return r;

fail_rest:
	/* entry i is not done; the ones after it were not looked at */
	if (iov[i].err == 0)
		iov[i].err = r;
	for (i++; i < n; i++)
		iov[i].err = r;
	return r;
}

int
qemu_read(void *handle, struct mf_iov *iov, size_t n, char *errbuf)
{
	return qemu_rw(handle, iov, n, 0, errbuf);
}

int
qemu_write(void *handle, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct qemu *q = handle;

	if (!q->writable)
		return plib_error(errbuf, MF_ERR_READONLY, "qemu process %d was not opened writable", (int)q->pid);
	return qemu_rw(q, iov, n, 1, errbuf);
}
