/* test-procmem.c: the process-memory engine (libcommon/pluginlib/procmem.c) against a
 * child process with known memory: 8 pages with a pattern, page 4 unmapped, page 6
 * read-only, page 7 PROT_NONE.
 *
 * This program defines process_vm_readv and process_vm_writev itself, so the engine's
 * calls land here: they count the calls and the iovecs, and can fail the next calls with
 * EINTR or ENOSYS, cut the next transfer short (what a signal does to a long copy), or
 * pretend to transfer without copying (to see how a 1.5 GiB piece is split).  Otherwise
 * they make the real system call. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pluginlib/procmem.h"
#include "tap.h"

#define PAGE 4096u
#define NPAGES 8u
#define HOLE 4u         /* munmap'd */
#define RDONLY 6u       /* PROT_READ */
#define NOACCESS 7u     /* PROT_NONE */

/* ---- the system calls, interposed ----------------------------------------------------- */

static struct {
	unsigned calls;            /* calls that reached us */
	unsigned eintr;            /* fail this many next calls with EINTR */
	unsigned enosys;           /* fail this many next calls with ENOSYS */
	uint64_t cut;              /* > 0: the next call transfers at most this many bytes */
	int fake;                  /* transfer nothing, report everything transferred */
	uint64_t bytes[8];         /* bytes asked for by the first calls */
	unsigned long iovs[8];     /* iovecs in the first calls */
} vm;

static ssize_t
test_vm(long nr, pid_t pid, const struct iovec *l, unsigned long ln, const struct iovec *r,
        unsigned long rn, unsigned long flags)
{
	struct iovec cl[PROCMEM_IOV_MAX], cr[PROCMEM_IOV_MAX];
	uint64_t total = 0;
	unsigned long i;

	for (i = 0; i < rn; i++)
		total += r[i].iov_len;
	if (vm.calls < 8) {
		vm.bytes[vm.calls] = total;
		vm.iovs[vm.calls] = rn;
	}
	vm.calls++;
	if (vm.eintr > 0) {
		vm.eintr--;
		errno = EINTR;
		return -1;
	}
	if (vm.enosys > 0) {
		vm.enosys--;
		errno = ENOSYS;
		return -1;
	}
	if (vm.fake)
		return (ssize_t)total;
	if (vm.cut > 0 && ln == rn && rn <= PROCMEM_IOV_MAX) {
		uint64_t left = vm.cut;
		unsigned long k = 0;

		vm.cut = 0;
		for (i = 0; i < rn && left > 0; i++, k++) {
			size_t len = r[i].iov_len < left ? r[i].iov_len : (size_t)left;

			cl[k] = (struct iovec){ l[i].iov_base, len };
			cr[k] = (struct iovec){ r[i].iov_base, len };
			left -= len;
		}
		return syscall(nr, pid, cl, k, cr, k, flags);
	}
	return syscall(nr, pid, l, ln, r, rn, flags);
}

ssize_t
process_vm_readv(pid_t pid, const struct iovec *l, unsigned long ln, const struct iovec *r,
                 unsigned long rn, unsigned long flags)
{
	return test_vm(SYS_process_vm_readv, pid, l, ln, r, rn, flags);
}

ssize_t
process_vm_writev(pid_t pid, const struct iovec *l, unsigned long ln, const struct iovec *r,
                  unsigned long rn, unsigned long flags)
{
	return test_vm(SYS_process_vm_writev, pid, l, ln, r, rn, flags);
}

/* ---- the child ------------------------------------------------------------------------ */

static uint8_t
pat(uint64_t off)
{
	return (uint8_t)(off * 7u + off / PAGE * 13u + 1u);
}

static pid_t child;
static uint64_t base;          /* the child's 8 pages */
static int hold[2];

static void
child_start(void)
{
	int ready[2];
	char c;

	if (pipe(ready) != 0 || pipe(hold) != 0)
		exit(99);
	child = fork();
	if (child == 0) {
		uint8_t *m = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint64_t a, off;

		close(ready[0]);
		close(hold[1]);
		if (m == MAP_FAILED)
			_exit(1);
		for (off = 0; off < NPAGES * PAGE; off++)
			m[off] = pat(off);
		if (munmap(m + HOLE * PAGE, PAGE) != 0 || mprotect(m + RDONLY * PAGE, PAGE, PROT_READ) != 0 ||
		    mprotect(m + NOACCESS * PAGE, PAGE, PROT_NONE) != 0)
			_exit(1);
		a = (uint64_t)(uintptr_t)m;
		if (write(ready[1], &a, sizeof a) != (ssize_t)sizeof a)
			_exit(1);
		while (read(hold[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	if (read(ready[0], &base, sizeof base) != (ssize_t)sizeof base)
		exit(99);
	close(ready[0]);
}

/* The child's bytes through /proc/PID/mem: the oracle for writes. */
static int
child_peek(uint64_t off, void *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/mem", (int)child);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pread(fd, buf, len, (off_t)(base + off));
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

static int
pat_ok(const uint8_t *b, uint64_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != pat(off + i))
			return 0;
	return 1;
}

static struct mf_iov
piece(uint64_t off, void *buf, uint64_t len)
{
	return (struct mf_iov){ .addr = base + off, .buf = buf, .len = len, .err = 12345 };
}

/* ---- tests ---------------------------------------------------------------------------- */

static void
test_holes(const struct procmem *pm)
{
	static uint8_t a[2 * PAGE], b[64], c[PAGE], d[PAGE], e[100], f[PAGE], g[PAGE];
	struct mf_iov p[8];
	char errbuf[MF_ERRBUF_SIZE] = "";
	int r;

	memset(d, 0xee, sizeof d);
	p[0] = piece(0, a, sizeof a);                                 /* pages 0-1 */
	p[1] = piece(HOLE * PAGE + 100, b, sizeof b);                 /* in the hole */
	p[2] = piece(5 * PAGE, c, sizeof c);                          /* page 5 */
	p[3] = piece(HOLE * PAGE - PAGE / 2, d, PAGE);                /* page 3 into the hole */
	p[4] = piece(NOACCESS * PAGE + 10, e, sizeof e);              /* PROT_NONE */
	p[5] = piece(RDONLY * PAGE, f, sizeof f);                     /* read-only page */
	p[6] = piece(0, NULL, 16);                                    /* no buffer */
	p[7] = piece(2 * PAGE + 1, g, PAGE - 1);                      /* after the failures */
	vm.calls = 0;
	r = procmem_read(pm, p, 8, errbuf);
	is_int(r, 0, "read across holes succeeds as a batch");
	is_int(p[0].err, 0, "two whole pages: ok");
	ok(pat_ok(a, 0, sizeof a), "and their bytes right");
	is_int(p[1].err, MF_ERR_NOTMAPPED, "a piece in the munmap'd page: NOTMAPPED");
	is_int(p[2].err, 0, "the page after the hole: ok");
	ok(pat_ok(c, 5 * PAGE, sizeof c), "and its bytes right");
	is_int(p[3].err, MF_ERR_NOTMAPPED, "a piece straddling into the hole gets its own NOTMAPPED");
	ok(pat_ok(d, HOLE * PAGE - PAGE / 2, PAGE / 2) && d[PAGE / 2] == 0xee,
	   "its bytes before the hole were read, none after");
	is_int(p[4].err, MF_ERR_NOTMAPPED, "a PROT_NONE page: NOTMAPPED");
	is_int(p[5].err, 0, "a read-only page reads");
	ok(pat_ok(f, RDONLY * PAGE, sizeof f), "and its bytes right");
	is_int(p[6].err, MF_ERR_ARG, "a NULL buffer: ARG");
	is_int(p[7].err, 0, "a piece after every failure: ok");
	ok(pat_ok(g, 2 * PAGE + 1, PAGE - 1), "and its bytes right");
	/* 1 batch (stops at p[1]), page retry, batch from p[2] (stops at p[3]'s hole half),
	 * retry, batch from p[4] (fails on it), retry, batch p[5], p[7] */
	is_int(vm.calls, 7, "seven calls for three failures");

	p[0] = piece(0, a, 0);
	p[1] = (struct mf_iov){ .addr = UINT64_MAX - 10, .buf = b, .len = 20, .err = 1 };
	vm.calls = 0;
	is_int(procmem_read(pm, p, 2, errbuf), 0, "empty and wrapping pieces");
	is_int(p[0].err, 0, "an empty piece is ok");
	is_int(p[1].err, MF_ERR_NOTMAPPED, "a piece wrapping around 2^64: NOTMAPPED");
	is_int(vm.calls, 0, "and neither asks the kernel");
}

static void
test_batching(const struct procmem *pm)
{
	enum { N = 3000 };
	static struct mf_iov p[N];
	static uint8_t bufs[N][16];
	char errbuf[MF_ERRBUF_SIZE] = "";
	size_t i, good = 0;
	int r;

	for (i = 0; i < N; i++) {
		uint64_t page = i % 6 < 4 ? i % 6 : i % 6 + 1;   /* 0 1 2 3 5 6 */

		p[i] = piece(page * PAGE + (i * 16) % (PAGE - 16), bufs[i], 16);
	}
	vm.calls = 0;
	memset(vm.iovs, 0, sizeof vm.iovs);
	r = procmem_read(pm, p, N, errbuf);
	is_int(r, 0, "3000 pieces read");
	for (i = 0; i < N; i++)
		good += p[i].err == 0 && pat_ok(bufs[i], p[i].addr - base, 16);
	is_int(good, N, "every piece right");
	is_int(vm.calls, 3, "in three calls");
	ok(vm.iovs[0] == PROCMEM_IOV_MAX && vm.iovs[1] == PROCMEM_IOV_MAX && vm.iovs[2] == N - 2 * PROCMEM_IOV_MAX,
	   "of %u, %u and %u iovecs", PROCMEM_IOV_MAX, PROCMEM_IOV_MAX, N - 2 * PROCMEM_IOV_MAX);

	/* one hole among 1000: the batch stops there, the page is retried, the rest goes on */
	for (i = 0; i < 1000; i++)
		p[i] = piece((i % 4) * PAGE + i % 100, bufs[i], 16);
	p[500] = piece(HOLE * PAGE, bufs[500], 16);
	vm.calls = 0;
	r = procmem_read(pm, p, 1000, errbuf);
	good = 0;
	for (i = 0; i < 1000; i++)
		good += i == 500 ? p[i].err == MF_ERR_NOTMAPPED : p[i].err == 0 && pat_ok(bufs[i], p[i].addr - base, 16);
	ok(r == 0 && good == 1000, "one hole among 1000 pieces fails only its piece");
	is_int(vm.calls, 3, "in three calls: batch, the page alone, the rest");

	/* a 1.5 GiB piece: split at PROCMEM_CALL_MAX (the calls only pretend to copy) */
	vm.fake = 1;
	vm.calls = 0;
	p[0] = (struct mf_iov){ .addr = base, .buf = bufs[0], .len = 3ull << 29 };
	p[1] = (struct mf_iov){ .addr = base, .buf = bufs[1], .len = 16 };
	r = procmem_read(pm, p, 2, errbuf);
	vm.fake = 0;
	ok(r == 0 && p[0].err == 0 && p[1].err == 0, "a 1.5 GiB piece and one more");
	is_int(vm.calls, 2, "in two calls");
	is_u64(vm.bytes[0], PROCMEM_CALL_MAX, "the first of PROCMEM_CALL_MAX bytes");
	is_u64(vm.bytes[1], (1ull << 29) + 16, "the second with the rest and the next piece");
	is_int(vm.iovs[1], 2, "in two iovecs");
}

static void
test_signals(const struct procmem *pm)
{
	static uint8_t a[4 * PAGE], b[PAGE];
	struct mf_iov p[2];
	char errbuf[MF_ERRBUF_SIZE] = "";
	int r;

	p[0] = piece(0, a, sizeof a);
	p[1] = piece(5 * PAGE, b, sizeof b);
	vm.calls = 0;
	vm.eintr = 3;
	r = procmem_read(pm, p, 2, errbuf);
	ok(r == 0 && p[0].err == 0 && p[1].err == 0 && pat_ok(a, 0, sizeof a) && pat_ok(b, 5 * PAGE, sizeof b),
	   "three EINTR are retried and the read completes");
	is_int(vm.calls, 4, "with one more call");

	/* a transfer cut short inside page 1 (what a signal does to a long copy): the page is
	 * retried alone, it works, and the rest goes on batched */
	memset(a, 0, sizeof a);
	memset(b, 0, sizeof b);
	vm.calls = 0;
	vm.cut = PAGE + 100;
	r = procmem_read(pm, p, 2, errbuf);
	ok(r == 0 && p[0].err == 0 && p[1].err == 0 && pat_ok(a, 0, sizeof a) && pat_ok(b, 5 * PAGE, sizeof b),
	   "a short transfer is resumed and every byte arrives");
	is_int(vm.calls, 3, "in three calls: the short one, the rest of its page, the rest");
	is_u64(vm.bytes[1], PAGE - 100, "the retry is the rest of the page it stopped in");
	is_u64(vm.bytes[2], 2 * PAGE + PAGE, "then the rest of the batch");

	/* cut exactly at the end of the first piece: the next piece's page is retried alone
	 * and that finishes the batch */
	vm.calls = 0;
	vm.cut = 4 * PAGE;
	r = procmem_read(pm, p, 2, errbuf);
	ok(r == 0 && p[0].err == 0 && p[1].err == 0, "a transfer cut at a piece boundary completes");
	is_int(vm.calls, 2, "in two calls");
}

static void
test_write(void)
{
	const struct procmem plain = { .pid = child }, memfile = { .pid = child, .flags = PROCMEM_MEMFILE };
	uint8_t w[300], back[300], ro[64];
	struct mf_iov p[3];
	char errbuf[MF_ERRBUF_SIZE] = "";
	size_t i;
	int r;

	for (i = 0; i < sizeof w; i++)
		w[i] = (uint8_t)(0xa5 ^ i);
	memset(ro, 0x5a, sizeof ro);
	p[0] = piece(PAGE - 150, w, sizeof w);              /* across pages 0 and 1 */
	p[1] = piece(HOLE * PAGE + 8, w, 8);
	p[2] = piece(RDONLY * PAGE + 64, ro, sizeof ro);
	r = procmem_write(&plain, p, 3, errbuf);
	is_int(r, 0, "write succeeds as a batch");
	is_int(p[0].err, 0, "write across two pages: ok");
	ok(child_peek(PAGE - 150, back, sizeof back) == 0 && memcmp(back, w, sizeof w) == 0,
	   "the child holds what was written");
	is_int(p[1].err, MF_ERR_NOTMAPPED, "write into the hole: NOTMAPPED");
	is_int(p[2].err, MF_ERR_NOTMAPPED, "write to a read-only page without PROCMEM_MEMFILE: NOTMAPPED");
	ok(child_peek(RDONLY * PAGE + 64, back, sizeof ro) == 0 && pat_ok(back, RDONLY * PAGE + 64, sizeof ro),
	   "and the page is unchanged");
	r = procmem_write(&memfile, p + 2, 1, errbuf);
	ok(r == 0 && p[2].err == 0, "with PROCMEM_MEMFILE it goes through /proc/PID/mem: %s", r ? errbuf : "ok");
	ok(child_peek(RDONLY * PAGE + 64, back, sizeof ro) == 0 && memcmp(back, ro, sizeof ro) == 0,
	   "and the read-only page holds it");
}

static void
test_enosys(void)
{
	const struct procmem plain = { .pid = child }, memfile = { .pid = child, .flags = PROCMEM_MEMFILE };
	static uint8_t a[PAGE], b[16], c[PAGE];
	struct mf_iov p[3];
	char errbuf[MF_ERRBUF_SIZE] = "", want[128];
	int r;

	p[0] = piece(2 * PAGE, a, sizeof a);
	p[1] = piece(HOLE * PAGE, b, sizeof b);
	p[2] = piece(5 * PAGE, c, sizeof c);
	vm.calls = 0;
	vm.enosys = 1;
	r = procmem_read(&memfile, p, 3, errbuf);
	is_int(r, 0, "no process_vm_readv: PROCMEM_MEMFILE reads through /proc/PID/mem");
	ok(p[0].err == 0 && pat_ok(a, 2 * PAGE, sizeof a) && p[2].err == 0 && pat_ok(c, 5 * PAGE, sizeof c),
	   "the mapped pieces right");
	is_int(p[1].err, MF_ERR_NOTMAPPED, "the hole NOTMAPPED");
	is_int(vm.calls, 1, "after one call");

	vm.enosys = 1;
	r = procmem_read(&plain, p, 3, errbuf);
	is_int(r, MF_ERR_IO, "no process_vm_readv and no fallback: MF_ERR_IO");
	snprintf(want, sizeof want, "cannot read memory of pid %d: %s", (int)child, strerror(ENOSYS));
	is_str(errbuf, want, "its message");
	ok(p[0].err == MF_ERR_IO && p[1].err == MF_ERR_IO && p[2].err == MF_ERR_IO, "in every piece");
}

/* After the child has exited and been reaped. */
static void
test_gone(pid_t pid)
{
	char errbuf[MF_ERRBUF_SIZE] = "", want[128];
	struct procmem pm = { .pid = pid, .flags = PROCMEM_MEMFILE };
	struct mf_iov p[2];
	uint8_t b[16];
	int r;

	p[0] = (struct mf_iov){ .addr = 0x400000, .buf = b, .len = sizeof b };
	p[1] = (struct mf_iov){ .addr = 0x500000, .buf = b, .len = sizeof b };
	r = procmem_read(&pm, p, 2, errbuf);
	is_int(r, MF_ERR_GONE, "read of an exited process: MF_ERR_GONE");
	ok(p[0].err == MF_ERR_GONE && p[1].err == MF_ERR_GONE, "in every piece");
	snprintf(want, sizeof want, "process %d exited", (int)pid);
	is_str(errbuf, want, "message names the pid");
	pm.kind = "qemu";
	r = procmem_write(&pm, p, 1, errbuf);
	is_int(r, MF_ERR_GONE, "write to an exited process: MF_ERR_GONE");
	snprintf(want, sizeof want, "qemu process %d exited", (int)pid);
	is_str(errbuf, want, "a kind names the process");
	vm.enosys = 1;
	r = procmem_read(&pm, p, 1, errbuf);
	is_int(r, MF_ERR_GONE, "through /proc/PID/mem too");
	vm.enosys = 0;
}

static void
test_perm(void)
{
	const struct procmem qemu = { .pid = 12, .kind = "qemu" };
	char errbuf[MF_ERRBUF_SIZE] = "";
	int yama = access("/proc/sys/kernel/yama/ptrace_scope", F_OK) == 0;
	const char *want = "cannot write memory of qemu process 12: permission denied (";

	is_int(procmem_perm_error(&qemu, 1, errbuf), MF_ERR_PERM, "the permission error");
	ok(strncmp(errbuf, want, strlen(want)) == 0, "names the process: %s", errbuf);
	ok(strstr(errbuf, yama ? "kernel.yama.ptrace_scope is " : "needs CAP_SYS_PTRACE") != NULL,
	   "and the cause");

	if (getuid() == 0) {
		struct { int r, err; char msg[MF_ERRBUF_SIZE]; } res;
		int pp[2];
		pid_t up;

		memset(&res, 0, sizeof res);
		if (pipe(pp) != 0)
			exit(99);
		fflush(stdout);
		up = fork();
		if (up == 0) {
			const struct procmem pm = { .pid = child };
			uint8_t b[8];
			struct mf_iov p = piece(0, b, sizeof b);

			close(pp[0]);
			if (setgid(65534) != 0 || setuid(65534) != 0)
				_exit(1);
			res.r = procmem_read(&pm, &p, 1, res.msg);
			res.err = p.err;
			if (write(pp[1], &res, sizeof res) != (ssize_t)sizeof res)
				_exit(1);
			_exit(0);
		}
		close(pp[1]);
		ok(read(pp[0], &res, sizeof res) == (ssize_t)sizeof res, "unprivileged reader reports");
		close(pp[0]);
		waitpid(up, NULL, 0);
		is_int(res.r, MF_ERR_PERM, "read without ptrace rights: MF_ERR_PERM");
		is_int(res.err, MF_ERR_PERM, "in the piece");
		snprintf(errbuf, sizeof errbuf, "cannot read memory of pid %d: permission denied (needs CAP_SYS_PTRACE",
		         (int)child);
		ok(strncmp(res.msg, errbuf, strlen(errbuf)) == 0, "message names the cause: %s", res.msg);
	} else {
		ok(1, "permission denied # SKIP needs root to drop privileges");
	}
}

int
main(void)
{
	struct procmem pm = { 0 };
	int st;

	child_start();
	pm.pid = child;
	test_holes(&pm);
	test_batching(&pm);
	test_signals(&pm);
	test_write();
	test_enosys();
	test_perm();
	close(hold[1]);
	waitpid(child, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child exits cleanly");
	test_gone(child);
	return done_testing();
}
