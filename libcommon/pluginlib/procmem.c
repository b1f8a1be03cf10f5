/* procmem.c: the process-memory engine (see procmem.h): batched process_vm_readv and
 * process_vm_writev with a result per piece, and /proc/PID/mem where those cannot do the
 * job. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "procmem.h"
#include "pluginlib/error.h"

/* "cannot read memory of pid 12: WHY" (or "of qemu process 12") in errbuf; returns code. */
static int
procmem_fail(const struct procmem *pm, int wr, int code, const char *why, char *errbuf)
{
	if (pm->kind != NULL)
		return plib_error(errbuf, code, "cannot %s memory of %s process %d: %s", wr ? "write" : "read",
		                  pm->kind, (int)pm->pid, why);
	return plib_error(errbuf, code, "cannot %s memory of pid %d: %s", wr ? "write" : "read", (int)pm->pid, why);
}

/* kernel.yama.ptrace_scope (0-3), or -1 without Yama. */
static int
procmem_ptrace_scope(void)
{
	char c[4];
	ssize_t n;
	int fd = open("/proc/sys/kernel/yama/ptrace_scope", O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -1;
	do {
		n = read(fd, c, sizeof c);
	} while (n < 0 && errno == EINTR);
	close(fd);
	return n > 0 && c[0] >= '0' && c[0] <= '3' ? c[0] - '0' : -1;
}

int
procmem_perm_error(const struct procmem *pm, int wr, char *errbuf)
{
	static const char *const why[] = {
		"needs CAP_SYS_PTRACE, or the same uid and a dumpable process; kernel.yama.ptrace_scope is 0",
		"needs CAP_SYS_PTRACE, or kernel.yama.ptrace_scope is 1: ptrace_scope=1 allows only descendants",
		"needs CAP_SYS_PTRACE: kernel.yama.ptrace_scope is 2",
		"kernel.yama.ptrace_scope is 3: no process may be traced",
	};
	int scope = procmem_ptrace_scope();
	char text[160];

	snprintf(text, sizeof text, "permission denied (%s)",
	         scope < 0 ? "needs CAP_SYS_PTRACE, or the same uid and a dumpable process" : why[scope]);
	return procmem_fail(pm, wr, MF_ERR_PERM, text, errbuf);
}

#define PROCMEM_PF_KTHREAD 0x00200000ul   /* /proc/PID/stat flags: a kernel thread */

/* The state letter of /proc/PID/stat ('Z' a zombie), or 0 when the process is gone; its
 * flags (field 9) in *flags. */
static char
procmem_state(pid_t pid, unsigned long *flags)
{
	char path[64], buf[512], *p, *end;
	ssize_t n;
	int fd, field;

	*flags = 0;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return 0;
	do {
		n = read(fd, buf, sizeof buf - 1);
	} while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "PID (COMM) S PPID PGRP SESSION TTY TPGID FLAGS ...": COMM may hold anything, the
	 * state follows the last ')' */
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ' || p[2] == '\0')
		return 0;
	for (end = p + 2, field = 0; field < 6 && (end = strchr(end, ' ')) != NULL; field++)
		end++;
	if (end != NULL)
		*flags = strtoul(end, NULL, 10);
	return p[2];
}

/* A failed call's errno: the whole-call error (message in errbuf), or 0 when the failure
 * belongs to the piece it stopped in.  ESRCH also comes from a process that exists but
 * has no memory of its own: a kernel thread, or a process that is exiting (its memory gone
 * before its pid: a zombie, or one on its way to become one), which has exited as far as
 * its memory goes. */
static int
procmem_call_err(const struct procmem *pm, int wr, int err, char *errbuf)
{
	unsigned long flags;
	char state;

	if (err == ESRCH && (state = procmem_state(pm->pid, &flags)) != 0 && (flags & PROCMEM_PF_KTHREAD)) {
		return plib_error(errbuf, MF_ERR_UNSUPPORTED, "%s%sprocess %d has no user address space (kernel thread)",
		                  pm->kind ? pm->kind : "", pm->kind ? " " : "", (int)pm->pid);
	}
	if (err == ESRCH) {
		return plib_error(errbuf, MF_ERR_GONE, "%s%sprocess %d exited", pm->kind ? pm->kind : "",
		                  pm->kind ? " " : "", (int)pm->pid);
	}
	if (err == EPERM || err == EACCES)
		return procmem_perm_error(pm, wr, errbuf);
	return 0;
}

/* The result of a piece from the errno of the call that failed on it. */
static int
procmem_piece_err(int err)
{
	switch (err) {
	case EFAULT:
	case EIO:
	case EINVAL:   /* an offset /proc/PID/mem cannot take (beyond 2^63) */
		return MF_ERR_NOTMAPPED;
	case ENOMEM:
		return MF_ERR_NOMEM;
	default:
		return MF_ERR_IO;
	}
}

/* ---- /proc/PID/mem ----------------------------------------------------------------------- */

struct procmem_file {
	const struct procmem *pm;
	int wr;
	int fd;           /* opened on first need; -1 before */
};

static int
procmem_file_open(struct procmem_file *f, char *errbuf)
{
	char path[64];

	if (f->fd >= 0)
		return 0;
	snprintf(path, sizeof path, "/proc/%d/mem", (int)f->pm->pid);
	f->fd = open(path, (f->wr ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOCTTY);
	if (f->fd < 0) {
		int e = errno == ENOENT ? ESRCH : errno, r = procmem_call_err(f->pm, f->wr, e, errbuf);

		if (r < 0)
			return r;
		return plib_error_errno(errbuf, MF_ERR_IO, e, "cannot open %s", path);
	}
	return 0;
}

/* [addr, addr+len) with pread/pwrite on /proc/PID/mem.  Returns 0 or the piece's error;
 * *whole is set when the error is the whole call's (message in errbuf). */
static int
procmem_file_rw(struct procmem_file *f, uint64_t addr, uint8_t *buf, uint64_t len, int *whole,
                char *errbuf)
{
	int r;

	*whole = 0;
	r = procmem_file_open(f, errbuf);
	if (r < 0) {
		*whole = 1;
		return r;
	}
	while (len > 0) {
		size_t chunk = len > PROCMEM_CALL_MAX ? (size_t)PROCMEM_CALL_MAX : (size_t)len;
		ssize_t n;

		if (addr > (uint64_t)INT64_MAX)
			return MF_ERR_NOTMAPPED;
		n = f->wr ? pwrite(f->fd, buf, chunk, (off_t)addr) : pread(f->fd, buf, chunk, (off_t)addr);
		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			r = procmem_call_err(f->pm, f->wr, e, errbuf);
			if (r < 0) {
				*whole = 1;
				return r;
			}
			return procmem_piece_err(e);
		}
		if (n == 0)
			return MF_ERR_NOTMAPPED;
		addr += (uint64_t)n;
		buf += n;
		len -= (uint64_t)n;
	}
	return 0;
}

/* ---- process_vm_readv / process_vm_writev ------------------------------------------------ */

/* One call, EINTR retried. */
static ssize_t
procmem_call(int wr, pid_t pid, const struct iovec *l, const struct iovec *r, unsigned long n)
{
	ssize_t got;

	do {
		got = wr ? process_vm_writev(pid, l, n, r, n, 0) : process_vm_readv(pid, l, n, r, n, 0);
	} while (got < 0 && errno == EINTR);
	return got;
}

struct procmem_batch {
	struct iovec local[PROCMEM_IOV_MAX], remote[PROCMEM_IOV_MAX];
	size_t owner[PROCMEM_IOV_MAX];   /* the piece each iovec belongs to */
	size_t k;
	uint64_t bytes;
};

/* Gather the batch from piece e at offset off: up to PROCMEM_IOV_MAX iovecs and
 * PROCMEM_CALL_MAX bytes, over the pieces that are still to do. */
static void
procmem_gather(struct procmem_batch *b, const struct mf_iov *p, size_t n, size_t e, uint64_t off)
{
	uint64_t budget = PROCMEM_CALL_MAX;

	b->k = 0;
	b->bytes = 0;
	for (; e < n && b->k < PROCMEM_IOV_MAX && budget > 0; e++, off = 0) {
		uint64_t rest = p[e].len - off, take = rest < budget ? rest : budget;

		if (p[e].err != 0 || p[e].len == 0)
			continue;
		b->local[b->k].iov_base = (uint8_t *)p[e].buf + off;
		b->local[b->k].iov_len = (size_t)take;
		b->remote[b->k].iov_base = (void *)(uintptr_t)(p[e].addr + off);
		b->remote[b->k].iov_len = (size_t)take;
		b->owner[b->k] = e;
		b->k++;
		b->bytes += take;
		budget -= take;
		if (take < rest)
			break;   /* the budget ends inside this piece */
	}
}

/* Where `done` bytes into the batch are: piece *e at offset *off. */
static void
procmem_locate(const struct procmem_batch *b, const struct mf_iov *p, uint64_t done, size_t *e,
               uint64_t *off)
{
	size_t pos = 0;

	while (pos + 1 < b->k && done >= b->local[pos].iov_len) {
		done -= b->local[pos].iov_len;
		pos++;
	}
	*e = b->owner[pos];
	*off = (uint64_t)((uint8_t *)b->local[pos].iov_base - (uint8_t *)p[*e].buf) + done;
}

static int
procmem_rw(const struct procmem *pm, int wr, struct mf_iov *p, size_t n, char *errbuf)
{
	struct procmem_batch b;
	struct procmem_file f = { .pm = pm, .wr = wr, .fd = -1 };
	size_t e = 0, i;
	uint64_t off = 0;   /* progress within piece e */
	int use_file = 0, ret = 0;

	for (i = 0; i < n; i++) {
		p[i].err = 0;
		if (p[i].len == 0)
			continue;
		if (p[i].buf == NULL)
			p[i].err = MF_ERR_ARG;
		else if (p[i].addr + p[i].len < p[i].addr)
			p[i].err = MF_ERR_NOTMAPPED;
	}
	while (e < n) {
		uint64_t a, plen;
		struct iovec l1, r1;
		ssize_t got;
		int err, whole;

		if (off == 0 && (p[e].err != 0 || p[e].len == 0)) {
			e++;
			continue;
		}
		if (use_file) {
			p[e].err = procmem_file_rw(&f, p[e].addr + off, (uint8_t *)p[e].buf + off, p[e].len - off,
			                           &whole, errbuf);
			if (whole) {
				ret = p[e].err;
				goto fail_rest;
			}
			e++;
			off = 0;
			continue;
		}
		procmem_gather(&b, p, n, e, off);
		got = procmem_call(wr, pm->pid, b.local, b.remote, b.k);
		if (got < 0) {
			err = errno;
			if (err == ENOSYS && (pm->flags & PROCMEM_MEMFILE)) {
				use_file = 1;
				continue;
			}
			if (err == ENOSYS) {
				ret = procmem_fail(pm, wr, MF_ERR_IO, strerror(err), errbuf);
				goto fail_rest;
			}
			ret = procmem_call_err(pm, wr, err, errbuf);
			if (ret < 0)
				goto fail_rest;
			got = 0;
		}
		procmem_locate(&b, p, (uint64_t)got, &e, &off);
		if ((uint64_t)got == b.bytes) {
			/* all of it: go on after the batch */
			if (off == p[e].len) {
				e++;
				off = 0;
			}
			continue;
		}
		/* Stopped at (e, off).  Retry the page holding the stop alone: if it fails, the
		 * piece has a page that cannot be transferred and fails; if it works (a signal,
		 * a race), go on batched after it.  With PROCMEM_MEMFILE a write that hits a
		 * read-only mapping goes through /proc/PID/mem, which forces it. */
		a = p[e].addr + off;
		plen = PROCMEM_PAGE - (a & (PROCMEM_PAGE - 1));
		if (plen > p[e].len - off)
			plen = p[e].len - off;
		l1.iov_base = (uint8_t *)p[e].buf + off;
		l1.iov_len = (size_t)plen;
		r1.iov_base = (void *)(uintptr_t)a;
		r1.iov_len = (size_t)plen;
		got = procmem_call(wr, pm->pid, &l1, &r1, 1);
		if (got == (ssize_t)plen) {
			off += plen;
			if (off == p[e].len) {
				e++;
				off = 0;
			}
			continue;
		}
		err = got < 0 ? errno : EFAULT;
		if (got < 0) {
			ret = procmem_call_err(pm, wr, err, errbuf);
			if (ret < 0)
				goto fail_rest;
		}
		if (wr && err == EFAULT && (pm->flags & PROCMEM_MEMFILE)) {
			p[e].err = procmem_file_rw(&f, a, (uint8_t *)p[e].buf + off, p[e].len - off, &whole, errbuf);
			if (whole) {
				ret = p[e].err;
				goto fail_rest;
			}
		} else {
			p[e].err = procmem_piece_err(err);
		}
		e++;
		off = 0;
	}
	if (f.fd >= 0)
		close(f.fd);
	return 0;

fail_rest:
	for (; e < n; e++)
		if (p[e].err == 0)
			p[e].err = ret;
	if (f.fd >= 0)
		close(f.fd);
	return ret;
}

int
procmem_read(const struct procmem *pm, struct mf_iov *piece, size_t n, char *errbuf)
{
	return procmem_rw(pm, 0, piece, n, errbuf);
}

int
procmem_write(const struct procmem *pm, struct mf_iov *piece, size_t n, char *errbuf)
{
	return procmem_rw(pm, 1, piece, n, errbuf);
}
