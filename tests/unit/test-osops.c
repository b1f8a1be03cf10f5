/* test-osops.c: libmf's os operations (osops.c) through real targets: the test os layer
 * symos (tests/plugins/symos.c: a symbol list, no lookups of its own, a symbol file) and
 * the native os layer (threads, registers and suspending of a child, the auxiliary vector). */
#include "config.h"
#include <fcntl.h>

#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mftools/mf.h>
#include "tap.h"

struct found {
	int n;
	char module[32], name[32], forward[48];
	uint64_t addr, size;
	uint32_t kind;
};

static int
found_cb(void *ctx, const struct mf_symbol *s)
{
	struct found *f = ctx;

	f->n++;
	snprintf(f->module, sizeof f->module, "%s", s->module);
	snprintf(f->name, sizeof f->name, "%s", s->name);
	snprintf(f->forward, sizeof f->forward, "%s", s->forward ? s->forward : "");
	f->addr = s->addr;
	f->size = s->size;
	f->kind = s->kind;
	return 0;
}

static struct found
lookup(struct mf_target *t, uint64_t pid, const char *name, int *r, char *err)
{
	struct found f = { 0 };

	*r = mf_symbol_lookup(t, pid, name, found_cb, &f, err);
	return f;
}

static struct found
at(struct mf_target *t, uint64_t pid, uint64_t addr, int *r, char *err)
{
	struct found f = { 0 };

	*r = mf_symbol_at(t, pid, addr, found_cb, &f, err);
	return f;
}

static void
test_symbols(void)
{
	char err[MF_ERRBUF_SIZE];
	struct mf_target *t;
	struct found f;
	struct mf_regs regs;
	int r;

	if (!ok(mf_target_open(NULL, "symos", 0, &t, err) == 0, "open the symos test os layer (%s)", err))
		return;
	f = lookup(t, 0, "init_task", &r, err);
	ok(r == 0 && f.n == 1 && f.addr == 0xffffffff82000000ull && strcmp(f.module, "") == 0 && f.kind == MF_SYM_DATA,
	   "by name: the first init_task, the kernel's (0x%" PRIx64 ")", f.addr);
	f = lookup(t, 0, "ext4!init_task", &r, err);
	ok(r == 0 && f.addr == 0xffffffffc0001000ull && strcmp(f.module, "ext4") == 0, "by module!name");
	f = lookup(t, 0, "nosuch", &r, err);
	ok(r == MF_ERR_NOTFOUND && f.n == 0 && strcmp(err, "no symbol nosuch") == 0, "an unknown name (%s)", err);
	f = lookup(t, 0, "ext4!_stext", &r, err);
	ok(r == MF_ERR_NOTFOUND, "a name in another module");
	f = at(t, 0, 0xffffffff81000010ull, &r, err);
	ok(r == 0 && strcmp(f.name, "_stext") == 0 && 0xffffffff81000010ull - f.addr == 0x10, "by address: _stext+0x10");
	f = at(t, 0, 0xffffffff81000100ull, &r, err);
	ok(r == MF_ERR_NOTFOUND && strcmp(err, "no symbol at 0xffffffff81000100") == 0, "past the end of a sized symbol (%s)",
	   err);
	f = at(t, 0, 0xffffffffc0000500ull, &r, err);
	ok(r == 0 && strcmp(f.name, "ext4_init") == 0 && f.size == 0, "a symbol of unknown size covers what follows");
	f = at(t, 0, 0xffffffffc0001004ull, &r, err);
	ok(r == 0 && strcmp(f.name, "init_task") == 0 && strcmp(f.module, "ext4") == 0, "the nearest below wins");
	f = at(t, 0, 0xffffffff80000000ull, &r, err);
	ok(r == MF_ERR_NOTFOUND, "below every symbol");
	f = lookup(t, 1, "kernel32.dll!HeapAlloc", &r, err);
	ok(r == 0 && f.kind == MF_SYM_FORWARDER && strcmp(f.forward, "ntdll.RtlAllocateHeap") == 0,
	   "a process's forwarder, with its target (%s)", f.forward);
	f = lookup(t, 7, "malloc", &r, err);
	ok(r == MF_ERR_NOTFOUND && strcmp(err, "no process with pid 7") == 0, "the os layer's own error passes (%s)", err);
	is_int(mf_threads(t, 1, NULL, NULL, err), MF_ERR_UNSUPPORTED, "no threads in symos");
	ok(strcmp(err, "os layer symos cannot list threads") == 0, "says so (%s)", err);
	is_int(mf_thread_regs(t, 1, 1, &regs, err), MF_ERR_UNSUPPORTED, "no registers in symos");
	ok(strcmp(err, "os layer symos cannot read thread registers") == 0, "says so (%s)", err);
	is_int(mf_suspend(t, 1, err), MF_ERR_UNSUPPORTED, "no suspending in symos");
	ok(strcmp(err, "os layer symos cannot suspend processes") == 0, "says so (%s)", err);
	mf_resume(t, 1);   /* nothing to resume: no call, no crash */
	{
		uint8_t aux[16];
		size_t n = 99;

		is_int(mf_auxv(t, 1, aux, sizeof aux, &n, err), MF_ERR_UNSUPPORTED, "no auxiliary vectors in symos");
		ok(strcmp(err, "os layer symos cannot read auxiliary vectors") == 0 && n == 0, "says so, length 0 (%s)", err);
	}
	ok(!mf_target_reads_proc(t), "symos does not read processes itself");
	mf_target_close(t);
}

static void
test_symbol_rec(void)
{
	struct mf_symbol s = { .struct_size = sizeof s, .kind = MF_SYM_FORWARDER, .pid = 4, .module = "kernel32.dll",
	                       .name = "HeapAlloc", .addr = 0x7f0000002000ull, .forward = "ntdll.RtlAllocateHeap" };
	struct mf_thread th = { .struct_size = sizeof th, .pid = 4, .tid = 9, .name = "worker", .state = "S", .addr = 0x10 };
	struct mf_rec *r = mf_rec_new("x");
	const char *str;
	uint64_t v;
	size_t n;

	ok(mf_symbol_rec(&s, r) == 0 && strcmp(mf_rec_type(r), "symbol") == 0, "a symbol record");
	ok(mf_rec_get_str(r, "kind", &str, &n) == 0 && n == 9 && memcmp(str, "forwarder", 9) == 0, "its kind");
	ok(mf_rec_get_str(r, "forward", &str, &n) == 0 && n == 21, "its forward target");
	ok(mf_rec_get_u64(r, "addr", &v) == 0 && v == 0x7f0000002000ull, "its address");
	s.kind = MF_SYM_FUNCTION;
	ok(mf_symbol_rec(&s, r) == 0 && mf_rec_get(r, "forward") == NULL, "no forward field for a function");
	ok(mf_thread_rec(&th, r) == 0 && strcmp(mf_rec_type(r), "thread") == 0, "a thread record");
	ok(mf_rec_get_u64(r, "tid", &v) == 0 && v == 9 && mf_rec_get_u64(r, "pid", &v) == 0 && v == 4, "its pid and tid");
	mf_rec_free(r);
}

/* A symbol file named by a relative path is saved absolute: the record opens from /.
 * path: a free name in /tmp (the file is made here and removed). */
static void
test_symbol_file_saved(const char *path)
{
	char spec[96], cwd[4096], err[MF_ERRBUF_SIZE];
	const struct mf_rec *args;
	struct mf_target *t = NULL;
	struct mf_rec *rec = mf_rec_new("target");
	const char *btf;
	uint64_t v = 0;
	size_t n = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

	if (!ok(fd >= 0 && write(fd, "BTFDATA1234", 11) == 11 && getcwd(cwd, sizeof cwd) != NULL && chdir("/tmp") == 0,
	        "a symbol file, and /tmp as the working directory"))
		goto out;
	close(fd);
	fd = -1;
	snprintf(spec, sizeof spec, "symos:btf=%s", path + strlen("/tmp/"));
	if (!ok(mf_target_open(NULL, spec, 0, &t, err) == 0, "open with a relative btf=%s (%s)", spec + 10, err))
		goto out;
	ok(mf_target_rec(t, rec) == 0, "its target record");
	mf_target_close(t);
	t = NULL;
	args = mf_rec_get_map(rec, "os_args");
	ok(args != NULL && mf_rec_get_str(args, "btf", &btf, &n) == 0 && n == strlen(path) && memcmp(btf, path, n) == 0,
	   "saved with the absolute path %s", path);
	ok(chdir("/") == 0 && mf_target_open_rec(rec, 0, &t, err) == 0, "the record opens from / (%s)", err);
	ok(t != NULL && mf_hints_get_u64(mf_target_hints(t), "symfile_size", &v) == 0 && v == 11,
	   "and the plugin read the same file");
out:
	if (t != NULL)
		mf_target_close(t);
	if (fd >= 0)
		close(fd);
	mf_rec_free(rec);
	unlink(path);
	if (chdir(cwd) != 0)
		diag("cannot go back to the working directory");
}

static void
test_symbol_file(void)
{
	char path[] = "/tmp/test-osops-XXXXXX", spec[96], err[MF_ERRBUF_SIZE];
	struct mf_target *t;
	const void *head;
	uint64_t v = 0;
	size_t n = 0;
	int fd = mkstemp(path);

	if (!ok(fd >= 0 && write(fd, "BTFDATA1234", 11) == 11, "a symbol file"))
		return;
	close(fd);
	snprintf(spec, sizeof spec, "symos:btf=%s", path);
	if (ok(mf_target_open(NULL, spec, 0, &t, err) == 0, "open with btf=%s (%s)", path, err)) {
		ok(mf_hints_get_u64(mf_target_hints(t), "symfile_size", &v) == 0 && v == 11, "the plugin saw its size");
		head = mf_hints_get_bin(mf_target_hints(t), "symfile_head", &n);
		ok(head != NULL && n == 8 && memcmp(head, "BTFDATA1", 8) == 0, "and its bytes");
		mf_target_close(t);
	}
	unlink(path);
	ok(mf_target_open(NULL, spec, 0, &t, err) == MF_ERR_ARG, "a file that is not there");
	ok(strstr(err, "cannot open btf file /tmp/test-osops-") != NULL && strstr(err, "No such file or directory") != NULL,
	   "says which (%s)", err);
	test_symbol_file_saved(path);
	ok(mf_target_open(NULL, "symos:forge=1", 0, &t, err) == 0, "open with forge=1");
	ok(mf_hints_get_u64(mf_target_hints(t), "forged_refused", &v) == 0 && v == 1,
	   "a path the plugin made up is refused");
	mf_target_close(t);
}

struct tids {
	int n, self;
};

static int
tids_cb(void *ctx, const struct mf_thread *th)
{
	struct tids *s = ctx;

	s->n++;
	if (th->tid == (uint64_t)getpid() && th->pid == (uint64_t)getpid() && th->struct_size == sizeof *th)
		s->self = 1;
	return 0;
}

static void
test_native(void)
{
	char err[MF_ERRBUF_SIZE];
	struct tids s = { 0 };
	struct mf_target *t;
	struct mf_regs regs;
	struct found f;
	pid_t child;
	int r, st;

	if (!ok(mf_target_open(NULL, NULL, 0, &t, err) == 0, "open this machine"))
		return;
	ok(mf_target_reads_proc(t), "native reads processes itself");
	is_int(mf_threads(t, (uint64_t)getpid(), tids_cb, &s, err), 0, "threads of this process");
	ok(s.n >= 1 && s.self, "include its main thread");
	is_int(mf_symbols(t, 0, found_cb, &f, err), MF_ERR_UNSUPPORTED, "native has no kernel symbols");
	ok(strcmp(err, "native: kernel symbols are not listed here (read /proc/kallsyms, or use -c kcore -o linux)") == 0,
	   "says so (%s)", err);
	is_int(mf_symbol_lookup(t, 0, "x", found_cb, &f, err), MF_ERR_UNSUPPORTED, "and no lookups");
	if ((child = fork()) == 0) {
		for (;;)
			pause();
	}
	usleep(50000);
	r = mf_thread_regs(t, (uint64_t)child, (uint64_t)child, &regs, err);
	if (r == MF_ERR_PERM) {
		printf("ok %d # SKIP ptrace not permitted here: %s\n", ++tap_count, err);
	} else {
		ok(r == 0 && regs.arch != MF_ARCH_UNKNOWN && regs.tid == (uint64_t)child && regs.struct_size == sizeof regs,
		   "registers of a child through libmf (%s)", r < 0 ? err : "ok");
		r = mf_suspend(t, (uint64_t)child, err);
		is_int(r, 0, "suspend the child through libmf (%s)", r < 0 ? err : "ok");
		is_int(mf_suspend(t, (uint64_t)child, err), MF_ERR_ARG, "not twice");
		ok(strstr(err, "is suspended already") != NULL, "says so (%s)", err);
		r = mf_thread_regs(t, (uint64_t)child, (uint64_t)child, &regs, err);
		ok(r == 0 && regs.arch != MF_ARCH_UNKNOWN, "its registers while suspended (%s)", r < 0 ? err : "ok");
		mf_resume(t, (uint64_t)child);
		r = mf_suspend(t, (uint64_t)child, err);
		is_int(r, 0, "suspended again after the resume (%s)", r < 0 ? err : "ok");
		mf_resume(t, (uint64_t)child);
	}
	{
		uint8_t aux[4096];
		uint64_t *w = (uint64_t *)(void *)aux;
		size_t n = 0, i;
		bool pagesz = false;

		is_int(mf_auxv(t, (uint64_t)getpid(), aux, sizeof aux, &n, err), 0, "the auxiliary vector of this process");
		ok(n > 0 && n % 16 == 0, "whole AT_* pairs (%zu bytes)", n);
		for (i = 0; i + 1 < n / 8; i += 2)
			if (w[i] == 6 /* AT_PAGESZ */ && w[i + 1] == (uint64_t)sysconf(_SC_PAGESIZE))
				pagesz = true;
		ok(pagesz, "AT_PAGESZ is the page size");
		is_int(mf_auxv(t, (uint64_t)getpid(), aux, 8, &n, err), 0, "into a short buffer");
		is_u64(n, 8, "at most its size");
		is_int(mf_auxv(t, 0, aux, sizeof aux, &n, err), MF_ERR_NOTFOUND, "pid 0 has none");
	}
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	mf_target_close(t);
}

int
main(void)
{
	const char *top = getenv("MF_TOP_BUILDDIR"), *old = getenv("MF_PLUGIN_PATH");
	char path[8192];

	snprintf(path, sizeof path, "%s/tests/plugins/.libs:%s", top ? top : ".", old ? old : "");
	setenv("MF_PLUGIN_PATH", path, 1);
	test_symbols();
	test_symbol_rec();
	test_symbol_file();
	test_native();
	return done_testing();
}
