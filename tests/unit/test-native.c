/* test-native.c: the native os layer against a child process this test starts and knows:
 * its pid, name, command line, memory layout, and the bytes at known addresses. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mftools/mf.h>
#include <mftools/plugin.h>

#include "plugin-harness.h"
#include "tap.h"

#define CHILD_NAME "mf (t)\nx) y"     /* comm: spaces, parentheses, a newline */
#define CHILD_ARGV0 "test-native-child"
#define CHILD_MARKER "marker with  two spaces"
#define PAT_LEN (64 * 1024)
#define PAGE 4096
#define NPAGES 18                      /* 16 pattern pages, a hole, one more page */

struct report {
	uint64_t pat;      /* 64 KiB pattern; pat + PAT_LEN is unmapped; then one page */
	uint64_t victim;   /* a function in the child's text */
	uint64_t file;     /* the mapped non-ELF file */
};

static uint8_t
pat_byte(uint64_t i)
{
	return (uint8_t)(i * 131 + 7 + (i >> 12));
}

static uint8_t
page17_byte(uint64_t i)
{
	return (uint8_t)(0xa5 ^ i);
}

/* Never called: the test patches its first byte in the child. */
__attribute__((noinline, used)) static int
test_native_victim(int x)
{
	return x * 3 + 1;
}

static int
child_main(char **argv)
{
	int rep = atoi(argv[2]), cmd = atoi(argv[3]);
	struct report r;
	uint8_t *p, c;
	int fd;
	size_t i;

	prctl(PR_SET_NAME, CHILD_NAME, 0, 0, 0);
	p = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(3);
	for (i = 0; i < PAT_LEN; i++)
		p[i] = pat_byte(i);
	for (i = 0; i < PAGE; i++)
		p[17 * PAGE + i] = page17_byte(i);
	fd = open(argv[4], O_RDONLY);
	if (fd < 0)
		_exit(4);
	r.file = (uint64_t)(uintptr_t)mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	/* the hole last, so that no later mapping fills it */
	munmap(p + 16 * PAGE, PAGE);
	r.pat = (uint64_t)(uintptr_t)p;
	r.victim = (uint64_t)(uintptr_t)&test_native_victim;
	if (write(rep, &r, sizeof r) != (ssize_t)sizeof r)
		_exit(5);
	/* commands: 'v' = report the first byte of the victim function; EOF = exit */
	while (read(cmd, &c, 1) == 1) {
		if (c == 'v') {
			c = *(volatile uint8_t *)(uintptr_t)r.victim;
			if (write(rep, &c, 1) != 1)
				_exit(6);
		}
	}
	_exit(0);
}

/* ---- collecting callbacks ---------------------------------------------------------- */

struct proc_find {
	uint64_t pid;
	int found, count;
	uint64_t ppid;
	char name[64], path[4096], cmdline[4096], state[8];
	int64_t uid;
	uint32_t arch;
};

static int
proc_cb(void *ctx, const struct mf_process *p)
{
	struct proc_find *f = ctx;

	f->count++;
	if (p->pid != f->pid)
		return 0;
	f->found++;
	f->ppid = p->ppid;
	snprintf(f->name, sizeof f->name, "%s", p->name);
	snprintf(f->path, sizeof f->path, "%s", p->path);
	snprintf(f->cmdline, sizeof f->cmdline, "%s", p->cmdline);
	snprintf(f->state, sizeof f->state, "%s", p->state);
	f->uid = p->uid;
	f->arch = p->arch;
	return 0;
}

struct map_ent {
	uint64_t start, end, offset;
	char perms[8];
	char path[4200];
};

struct map_list {
	struct map_ent *v;
	size_t n;
};

static int
map_cb(void *ctx, const struct mf_map *m)
{
	struct map_list *l = ctx;
	struct map_ent *e;

	l->v = realloc(l->v, (l->n + 1) * sizeof *l->v);
	if (l->v == NULL)
		abort();
	e = &l->v[l->n++];
	e->start = m->start;
	e->end = m->end;
	e->offset = m->offset;
	snprintf(e->perms, sizeof e->perms, "%s", m->perms);
	snprintf(e->path, sizeof e->path, "%s", m->path);
	return 0;
}

struct mod_ent {
	char name[256], path[4200];
	uint64_t base, size;
	uint32_t arch;
};

struct mod_list {
	struct mod_ent *v;
	size_t n;
};

static int
mod_cb(void *ctx, const struct mf_module *m)
{
	struct mod_list *l = ctx;
	struct mod_ent *e;

	l->v = realloc(l->v, (l->n + 1) * sizeof *l->v);
	if (l->v == NULL)
		abort();
	e = &l->v[l->n++];
	snprintf(e->name, sizeof e->name, "%s", m->name);
	snprintf(e->path, sizeof e->path, "%s", m->path);
	e->base = m->base;
	e->size = m->size;
	e->arch = m->arch;
	return 0;
}

static const struct mod_ent *
mod_find(const struct mod_list *l, const char *path)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].path, path) == 0)
			return &l->v[i];
	return NULL;
}

struct cmdline_len {
	uint64_t pid;
	size_t len;
	char head[32];
	int head_ok, all_a;
};

static int
cmdline_len_cb(void *ctx, const struct mf_process *p)
{
	struct cmdline_len *c = ctx;
	size_t i;

	c->len = strlen(p->cmdline);
	snprintf(c->head, sizeof c->head, "%s", p->cmdline);
	c->head_ok = c->len > 11;
	c->all_a = 1;
	for (i = 11; i < c->len; i++)
		c->all_a &= p->cmdline[i] == 'A';
	return 0;
}

/* The test's own reading of /proc/PID/maps (stdio, sscanf: independent of the plugin). */
static struct map_list
own_maps(pid_t pid)
{
	struct map_list l = { 0 };
	char path[64], line[8192];
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return l;
	while (fgets(line, sizeof line, f) != NULL) {
		struct map_ent e;
		unsigned long s, en, off;
		int n = 0;
		char *p;

		memset(&e, 0, sizeof e);
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%lx-%lx %4s %lx %*s %*s %n", &s, &en, e.perms, &off, &n) < 4)
			continue;
		p = line + n;
		while (*p == ' ')
			p++;
		e.start = s;
		e.end = en;
		e.offset = off;
		snprintf(e.path, sizeof e.path, "%s", p);
		l.v = realloc(l.v, (l.n + 1) * sizeof *l.v);
		l.v[l.n++] = e;
	}
	fclose(f);
	return l;
}

/* ---- tests --------------------------------------------------------------------------- */

static void
test_gone(const struct mf_os *os, void *h)
{
	char errbuf[MF_ERRBUF_SIZE] = "", want[128];
	struct mf_iov iov;
	uint8_t b[16];
	pid_t pid = fork();
	int r;

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	iov = (struct mf_iov){ .addr = 0x400000, .buf = b, .len = sizeof b };
	r = os->read(h, (uint64_t)pid, &iov, 1, errbuf);
	is_int(r, MF_ERR_GONE, "read of an exited child is MF_ERR_GONE");
	is_int(iov.err, MF_ERR_GONE, "and its entry says so");
	snprintf(want, sizeof want, "process %d exited", (int)pid);
	is_str(errbuf, want, "message names the pid");
	errbuf[0] = '\0';
	r = os->write(h, (uint64_t)pid, &iov, 1, errbuf);
	is_int(r, MF_ERR_GONE, "write to an exited child is MF_ERR_GONE");
}

int
main(int argc, char **argv)
{
	char errbuf[MF_ERRBUF_SIZE] = "", want[4096], exe[4096], tmpl[] = "/tmp/mf native test XXXXXX";
	int rep[2], cmd[2], r, tfd;
	struct mf_hints *hints;
	const struct mf_os *os;
	struct report rp;
	struct utsname u;
	void *h = NULL;
	pid_t child;
	ssize_t n;

	if (argc >= 6 && strcmp(argv[1], "--child") == 0)
		return child_main(argv);
	if (argc >= 3 && strcmp(argv[1], "--wait") == 0) {
		char c;

		/* a child with a huge command line: wait for EOF on stdin */
		while (read(0, &c, 1) > 0)
			;
		_exit(0);
	}

	os = harness_os(harness_plugin_path("os", "native"));
	if (!ok(os != NULL, "plugin loads"))
		return done_testing();
	is_str(os->name, "native", "name");
	is_str(os->description, "this machine's processes (/proc)", "description");
	ok(os->flags & MF_OS_NO_PHYS, "works without a connector");
	ok(os->keys == NULL || os->keys[0] == NULL, "takes no keys");
	ok(os->help != NULL && strstr(os->help, "process_vm_readv") != NULL, "help says what it provides");

	hints = mf_hints_new();
	r = os->open(mf_host(), NULL, &(struct mf_args){ 0 }, hints, &h, errbuf);
	if (!ok(r == 0, "open: %s", r ? errbuf : "ok"))
		return done_testing();
	is_str(mf_hints_get_str(hints, "arch"), "x86_64", "hint arch");
	is_str(mf_hints_get_str(hints, "os"), "native", "hint os");
	uname(&u);
	is_str(mf_hints_get_str(hints, "kernel"), u.release, "hint kernel is the uname release");
	ok(mf_hints_get_str(hints, "hostname") != NULL && mf_hints_get_str(hints, "hostname")[0],
	   "hint hostname");

	/* the child: exec of ourselves with a marker argv, mapping a non-ELF file with spaces
	 * in its name that we delete while it is mapped */
	tfd = mkstemp(tmpl);
	if (tfd < 0 || write(tfd, "not an elf file\n", 16) != 16 || ftruncate(tfd, PAGE) != 0)
		return printf("Bail out! cannot create %s\n", tmpl), 1;
	close(tfd);
	if (pipe(rep) != 0 || pipe(cmd) != 0)
		return printf("Bail out! pipe\n"), 1;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = '\0';
	fflush(stdout);
	child = fork();
	if (child == 0) {
		char a2[16], a3[16];
		char *cargv[] = { CHILD_ARGV0, "--child", a2, a3, tmpl, CHILD_MARKER, NULL };

		close(rep[0]);
		close(cmd[1]);
		snprintf(a2, sizeof a2, "%d", rep[1]);
		snprintf(a3, sizeof a3, "%d", cmd[0]);
		execv("/proc/self/exe", cargv);
		_exit(127);
	}
	close(rep[1]);
	close(cmd[0]);
	if (read(rep[0], &rp, sizeof rp) != (ssize_t)sizeof rp)
		return printf("Bail out! child did not report\n"), 1;
	unlink(tmpl);
	printf("# child %d: pattern at 0x%" PRIx64 ", victim at 0x%" PRIx64 "\n", (int)child, rp.pat,
	       rp.victim);

	/* processes() and process() */
	{
		struct proc_find f = { .pid = (uint64_t)child };
		char cmdline[4096];

		/* the child sleeps in read() once it has reported; wait for that */
		for (int i = 0; i < 400 && strcmp(f.state, "S") != 0; i++) {
			if (os->process(h, (uint64_t)child, proc_cb, &f, errbuf) != 0)
				break;
			usleep(5000);
		}
		memset(&f, 0, sizeof f);
		f.pid = (uint64_t)child;
		r = os->processes(h, proc_cb, &f, errbuf);
		is_int(r, 0, "processes() succeeds");
		ok(f.count > 2, "processes() lists %d processes", f.count);
		is_int(f.found, 1, "the child is listed once");
		is_u64(f.ppid, (uint64_t)getpid(), "child ppid is us");
		is_str(f.name, CHILD_NAME, "child name (comm with spaces, ')' and a newline)");
		snprintf(cmdline, sizeof cmdline, "%s --child %d %d %s %s", CHILD_ARGV0, rep[1], cmd[0],
		         tmpl, CHILD_MARKER);
		is_str(f.cmdline, cmdline, "child cmdline");
		is_str(f.path, exe, "child path is the executable");
		is_str(f.state, "S", "child is sleeping");
		is_int(f.uid, (int64_t)getuid(), "child uid");
		is_int(f.arch, MF_ARCH_X86_64, "child arch");

		memset(&f, 0, sizeof f);
		f.pid = (uint64_t)child;
		r = os->process(h, (uint64_t)child, proc_cb, &f, errbuf);
		is_int(r, 0, "process(child) succeeds");
		is_int(f.found, 1, "process(child) reports the child");
		is_str(f.cmdline, cmdline, "process(child) cmdline");
		is_str(f.name, CHILD_NAME, "process(child) name");

		memset(&f, 0, sizeof f);
		f.pid = 1;
		r = os->process(h, 999999999, proc_cb, &f, errbuf);
		is_int(r, MF_ERR_NOTFOUND, "process(999999999) is NOTFOUND");
		is_str(errbuf, "no process with pid 999999999", "its message");
		is_int(f.count, 0, "and calls nothing");
	}

	/* a 100 KiB argument: the command line is capped at 64 KiB */
	{
		static char big[100001];
		int in[2], st;
		pid_t c2;

		memset(big, 'A', sizeof big - 1);
		if (pipe(in) != 0)
			return printf("Bail out! pipe\n"), 1;
		fflush(stdout);
		c2 = fork();
		if (c2 == 0) {
			char *cargv[] = { "big", "--wait", big, NULL };

			dup2(in[0], 0);
			close(in[1]);
			execv("/proc/self/exe", cargv);
			_exit(127);
		}
		close(in[0]);
		{
			struct cmdline_len cl = { .pid = (uint64_t)c2 };
			char want_head[] = "big --wait AAAA";

			/* wait until the exec has happened */
			for (st = 0; st < 500; st++) {
				r = os->process(h, (uint64_t)c2, cmdline_len_cb, &cl, errbuf);
				if (r == 0 && strncmp(cl.head, "big --wait", 10) == 0)
					break;
				usleep(10000);
			}
			is_int(r, 0, "process(huge-argv child)");
			is_u64(cl.len, 65536, "its cmdline is cut at 64 KiB");
			ok(cl.head_ok && strncmp(cl.head, want_head, strlen(want_head)) == 0 && cl.all_a,
			   "the kept part is the start of the command line");
		}
		close(in[1]);
		waitpid(c2, &st, 0);
	}

	/* kernel threads: no path, no command line */
	{
		struct proc_find f = { .pid = 2 };

		if (os->process(h, 2, proc_cb, &f, errbuf) == 0 && strcmp(f.name, "kthreadd") == 0) {
			is_str(f.path, "", "kthreadd has no path");
			is_str(f.cmdline, "", "kthreadd has no command line");
			is_u64(f.ppid, 0, "kthreadd's ppid is 0");
		} else {
			ok(1, "kernel threads # SKIP pid 2 is not kthreadd here");
		}
	}

	/* maps() against our own parse */
	{
		struct map_list got = { 0 }, own = own_maps(child);
		size_t i, same = 0, deleted = 0;

		r = os->maps(h, (uint64_t)child, map_cb, &got, errbuf);
		is_int(r, 0, "maps() succeeds");
		ok(own.n > 5, "own parse found %zu maps", own.n);
		is_int(got.n, own.n, "maps() line count matches /proc/PID/maps");
		for (i = 0; i < got.n && i < own.n; i++) {
			if (got.v[i].start == own.v[i].start && got.v[i].end == own.v[i].end
			    && got.v[i].offset == own.v[i].offset && strcmp(got.v[i].perms, own.v[i].perms) == 0
			    && strcmp(got.v[i].path, own.v[i].path) == 0)
				same++;
			else
				printf("# map %zu differs: %" PRIx64 "-%" PRIx64 " %s '%s' vs '%s'\n", i,
				       got.v[i].start, got.v[i].end, got.v[i].perms, got.v[i].path, own.v[i].path);
			if (got.v[i].start == rp.file) {
				snprintf(want, sizeof want, "%s (deleted)", tmpl);
				is_str(got.v[i].path, want, "deleted file with spaces keeps its path");
				deleted++;
			}
		}
		is_int(same, own.n, "every map matches (start, end, perms, offset, path)");
		is_int(deleted, 1, "the deleted file's map was seen");
		for (i = 0, same = 0; i < got.n; i++)
			if (got.v[i].start <= rp.pat && got.v[i].end == rp.pat + PAT_LEN
			    && strcmp(got.v[i].perms, "rw-p") == 0 && got.v[i].path[0] == '\0')
				same++;
		is_int(same, 1, "the pattern map is anonymous rw-p and ends at the hole");
		for (i = 0, same = 0; i < own.n; i++)
			same += own.v[i].start <= rp.pat + PAT_LEN && rp.pat + PAT_LEN < own.v[i].end;
		is_int(same, 0, "the hole after the pattern is unmapped");

		/* modules(): libc and the executable, based where their offset-0 mapping starts */
		{
			struct mod_list ml = { 0 };
			const struct mod_ent *m;
			uint64_t libc_base = 0, libc_end = 0, exe_base = 0;
			char libc_path[4200] = "";
			int in_libc = 0;

			for (i = 0; i < own.n; i++) {
				const char *b = strrchr(own.v[i].path, '/');

				if (in_libc && strcmp(own.v[i].path, libc_path) == 0)
					libc_end = own.v[i].end;
				else
					in_libc = 0;
				if (libc_base == 0 && b && strncmp(b, "/libc.so", 8) == 0 && own.v[i].offset == 0) {
					libc_base = own.v[i].start;
					libc_end = own.v[i].end;
					snprintf(libc_path, sizeof libc_path, "%s", own.v[i].path);
					in_libc = 1;
				}
				if (exe_base == 0 && strcmp(own.v[i].path, exe) == 0 && own.v[i].offset == 0)
					exe_base = own.v[i].start;
			}
			r = os->modules(h, (uint64_t)child, mod_cb, &ml, errbuf);
			is_int(r, 0, "modules() succeeds");
			ok(libc_base != 0, "own parse found libc at 0x%" PRIx64, libc_base);
			m = mod_find(&ml, libc_path);
			ok(m != NULL, "modules() lists libc");
			if (m != NULL) {
				is_u64(m->base, libc_base, "libc base identical");
				is_u64(m->size, libc_end - libc_base, "libc size spans its mappings");
				is_str(m->name, strrchr(libc_path, '/') + 1, "libc name is the basename");
				is_int(m->arch, MF_ARCH_X86_64, "libc arch");
			}
			m = mod_find(&ml, exe);
			ok(m != NULL && m->base == exe_base, "modules() lists the executable at its base");
			ok(mod_find(&ml, "[vdso]") != NULL, "modules() lists [vdso]");
			snprintf(want, sizeof want, "%s (deleted)", tmpl);
			ok(mod_find(&ml, want) == NULL, "a mapped non-ELF file is not a module");
			for (i = 0, same = 0; i < ml.n; i++)
				for (size_t j = i + 1; j < ml.n; j++)
					same += strcmp(ml.v[i].path, ml.v[j].path) == 0;
			is_int(same, 0, "one module per file");
			free(ml.v);
		}
		free(got.v);
		free(own.v);
	}

	/* modules(0): the kernel from kallsyms when it shows addresses */
	{
		struct mod_list ml = { 0 };
		uint64_t stext = 0, etext = 0;
		char line[512];
		FILE *f = fopen("/proc/kallsyms", "r");

		while (f != NULL && fgets(line, sizeof line, f) != NULL && !(stext && etext)) {
			unsigned long a;
			char t, sym[256];

			if (sscanf(line, "%lx %c %255s", &a, &t, sym) == 3) {
				if (strcmp(sym, "_stext") == 0)
					stext = a;
				else if (strcmp(sym, "_etext") == 0)
					etext = a;
			}
		}
		if (f != NULL)
			fclose(f);
		r = os->modules(h, 0, mod_cb, &ml, errbuf);
		is_int(r, 0, "modules(0) succeeds: %s", r ? errbuf : "ok");
		if (stext != 0 && etext > stext) {
			const struct mod_ent *m = ml.n > 0 ? &ml.v[0] : NULL;

			ok(m != NULL && strcmp(m->name, "vmlinux") == 0 && m->base == stext
			   && m->size == etext - stext, "modules(0) has the kernel at _stext..._etext");
		} else {
			ok(1, "modules(0) kernel # SKIP kallsyms hides addresses");
		}
		free(ml.v);
	}

	/* batched reads: [good, unmapped, good] */
	{
		static uint8_t a[PAT_LEN], b[PAGE], c[PAGE], d[200];
		struct mf_iov iov[3];
		int good = 1;
		size_t i;

		memset(a, 0, sizeof a);
		iov[0] = (struct mf_iov){ .addr = rp.pat, .buf = a, .len = PAT_LEN };
		iov[1] = (struct mf_iov){ .addr = rp.pat + PAT_LEN, .buf = b, .len = PAGE };
		iov[2] = (struct mf_iov){ .addr = rp.pat + 17 * PAGE, .buf = c, .len = PAGE };
		r = os->read(h, (uint64_t)child, iov, 3, errbuf);
		is_int(r, 0, "batched read succeeds as a batch");
		is_int(iov[0].err, 0, "good entry ok");
		is_int(iov[1].err, MF_ERR_NOTMAPPED, "unmapped entry NOTMAPPED");
		is_int(iov[2].err, 0, "entry after the hole ok");
		for (i = 0; i < PAT_LEN; i++)
			good &= a[i] == pat_byte(i);
		ok(good, "64 KiB pattern bytes right");
		for (i = 0, good = 1; i < PAGE; i++)
			good &= c[i] == page17_byte(i);
		ok(good, "page after the hole right");

		/* crossing from mapped into unmapped fails only that entry */
		iov[0] = (struct mf_iov){ .addr = rp.pat + 100, .buf = b, .len = 100 };
		iov[1] = (struct mf_iov){ .addr = rp.pat + PAT_LEN - 100, .buf = d, .len = sizeof d };
		iov[2] = (struct mf_iov){ .addr = rp.pat + 17 * PAGE + 10, .buf = c, .len = 10 };
		r = os->read(h, (uint64_t)child, iov, 3, errbuf);
		is_int(r, 0, "crossing read: batch ok");
		is_int(iov[0].err, 0, "entry before ok");
		is_int(iov[1].err, MF_ERR_NOTMAPPED, "entry crossing into the hole NOTMAPPED");
		is_int(iov[2].err, 0, "entry after ok");
		ok(b[0] == pat_byte(100) && b[99] == pat_byte(199) && c[0] == page17_byte(10)
		   && c[9] == page17_byte(19), "bytes of the good entries right");
	}

	/* more entries than one syscall takes, with holes in between */
	{
		enum { N = 3000 };
		static struct mf_iov iov[N];
		static uint8_t bufs[N][16];
		int good = 1, i;

		for (i = 0; i < N; i++) {
			uint64_t off = ((uint64_t)i * 37) % (PAT_LEN - 16);

			iov[i] = (struct mf_iov){ .addr = rp.pat + off, .buf = bufs[i], .len = 16 };
			if (i % 1000 == 500)
				iov[i].addr = rp.pat + PAT_LEN + 8;   /* in the hole */
		}
		iov[1023].len = 0;
		r = os->read(h, (uint64_t)child, iov, N, errbuf);
		is_int(r, 0, "3000-entry read succeeds");
		for (i = 0; i < N; i++) {
			uint64_t off = ((uint64_t)i * 37) % (PAT_LEN - 16);

			if (i % 1000 == 500)
				good &= iov[i].err == MF_ERR_NOTMAPPED;
			else if (i == 1023)
				good &= iov[i].err == 0;
			else
				good &= iov[i].err == 0 && bufs[i][0] == pat_byte(off) && bufs[i][15] == pat_byte(off + 15);
		}
		ok(good, "every entry right: holes NOTMAPPED, the rest the right bytes");
	}

	/* write then read back */
	{
		uint8_t w[32], back[32];
		struct mf_iov iov[2];
		size_t i;

		for (i = 0; i < sizeof w; i++)
			w[i] = (uint8_t)(0x30 + i);
		iov[0] = (struct mf_iov){ .addr = rp.pat + 17 * PAGE + 64, .buf = w, .len = sizeof w };
		iov[1] = (struct mf_iov){ .addr = rp.pat + 16 * PAGE + 64, .buf = w, .len = sizeof w };
		r = os->write(h, (uint64_t)child, iov, 2, errbuf);
		is_int(r, 0, "write succeeds as a batch");
		is_int(iov[0].err, 0, "write to rw memory ok");
		is_int(iov[1].err, MF_ERR_NOTMAPPED, "write into the hole NOTMAPPED");
		iov[0] = (struct mf_iov){ .addr = rp.pat + 17 * PAGE + 64, .buf = back, .len = sizeof back };
		r = os->read(h, (uint64_t)child, iov, 1, errbuf);
		ok(r == 0 && iov[0].err == 0 && memcmp(back, w, sizeof w) == 0, "read back what was written");
	}

	/* a write to read-only text goes through /proc/PID/mem */
	{
		uint8_t orig = 0, patched, back = 0, seen = 0;
		struct mf_iov iov = { .addr = rp.victim, .buf = &orig, .len = 1 };

		r = os->read(h, (uint64_t)child, &iov, 1, errbuf);
		is_int(r == 0 ? iov.err : r, 0, "read the victim's first byte");
		patched = (uint8_t)~orig;
		iov = (struct mf_iov){ .addr = rp.victim, .buf = &patched, .len = 1 };
		r = os->write(h, (uint64_t)child, &iov, 1, errbuf);
		is_int(r, 0, "write to text: call ok");
		is_int(iov.err, 0, "write to read-only text ok");
		iov = (struct mf_iov){ .addr = rp.victim, .buf = &back, .len = 1 };
		r = os->read(h, (uint64_t)child, &iov, 1, errbuf);
		is_u64(back, patched, "the text byte changed (read back)");
		ok(write(cmd[1], "v", 1) == 1 && read(rep[0], &seen, 1) == 1, "child answers");
		is_u64(seen, patched, "the child sees the patched byte");
		iov = (struct mf_iov){ .addr = rp.victim, .buf = &orig, .len = 1 };
		os->write(h, (uint64_t)child, &iov, 1, errbuf);
	}

	/* pid 0 memory and absurd pids */
	{
		uint8_t b[8];
		struct mf_iov iov = { .addr = 0x1000, .buf = b, .len = sizeof b };

		r = os->read(h, 0, &iov, 1, errbuf);
		is_int(r, MF_ERR_UNSUPPORTED, "kernel memory is not read by native");
		r = os->read(h, 1ull << 40, &iov, 1, errbuf);
		is_int(r, MF_ERR_NOTFOUND, "pid beyond int is NOTFOUND");
		r = os->maps(h, 999999999, map_cb, &(struct map_list){ 0 }, errbuf);
		is_int(r, MF_ERR_NOTFOUND, "maps of no process is NOTFOUND");
	}

	close(cmd[1]);
	waitpid(child, &r, 0);
	ok(WIFEXITED(r) && WEXITSTATUS(r) == 0, "child exits cleanly");
	close(rep[0]);

	test_gone(os, h);

	os->close(h);
	mf_hints_free(hints);
	return done_testing();
}
