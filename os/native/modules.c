/* modules.c: the modules of a process (the mapped ELF files in /proc/PID/maps, one per
 * file, their headers read in one batch) and, for pid 0, of the kernel (/proc/kallsyms
 * _stext.._etext and /proc/modules). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "native.h"
#include "pluginlib/mapmods.h"

static int
native_mods_line(void *ctx, char *line, size_t len)
{
	struct mapmods *c = ctx;
	struct mf_map m = { .struct_size = sizeof m };
	char perms[8];

	if (native_parse_map_line(line, len, &m, perms) < 0) {
		mapmods_break(c);
		return 0;
	}
	return mapmods_add(c, &m) < 0 ? 1 : 0;
}

/* The first bytes of a mapped file from the file itself: /proc/PID/map_files (works for
 * deleted files and other mount namespaces), else its path. */
static int
native_file_head(uint64_t pid, const struct mapmod *md, uint8_t *head, size_t n)
{
	char path[96];
	int fd;
	ssize_t r;

	snprintf(path, sizeof path, "/proc/%llu/map_files/%llx-%llx", (unsigned long long)pid,
	         (unsigned long long)md->base, (unsigned long long)md->end);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && md->path[0] == '/')
		fd = open(md->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -1;
	r = pread(fd, head, n, 0);
	close(fd);
	return r == (ssize_t)n ? 0 : -1;
}

static int
native_kernel_modules(uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf);

/* A Wine process's PE modules after its ELF ones; one that cannot be walked (no ptrace
 * rights, the loader not up yet) is a warning: its ELF modules stand. */
static int
native_pe_modules(void *handle, uint64_t pid, mf_module_cb cb, void *ctx)
{
	const struct mf_host *host = *(const struct mf_host *const *)handle;
	char why[MF_ERRBUF_SIZE];
	int r, is64;

	if (!wine_is_process(pid, &is64))
		return 0;
	r = wine_modules(handle, pid, cb, ctx, why);
	if (r < 0 && host != NULL && host->log != NULL)
		host->log(0, "pid %llu: cannot list its PE modules: %s", (unsigned long long)pid, why);
	return r < 0 ? 0 : r;
}

int
native_modules(void *handle, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf)
{
	int r;

	if (pid == 0)
		return native_kernel_modules(pid, cb, ctx, errbuf);
	if ((r = native_map_modules(pid, cb, ctx, errbuf)) == 0)
		r = native_pe_modules(handle, pid, cb, ctx);
	return r;
}

int
native_map_modules(uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf)
{
	struct mapmods c;
	struct mf_iov *iov = NULL;
	char path[64];
	size_t i;
	int r, over;

	if (!native_pid_ok(pid))
		return plib_error(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu", (unsigned long long)pid);
	memset(&c, 0, sizeof c);
	native_path(path, sizeof path, (long long)pid, "maps");
	r = native_lines(path, native_mods_line, &c, NATIVE_MAX_MAPS, &over);
	if (r < 0) {
		mapmods_free(&c);
		return native_open_err(errbuf, r, pid, "maps");
	}
	if (r > 0) {
		mapmods_free(&c);
		return plib_error(errbuf, MF_ERR_NOMEM, "cannot list modules of pid %llu: out of memory",
		                  (unsigned long long)pid);
	}
	if (over) {
		mapmods_free(&c);
		return plib_error(errbuf, MF_ERR_LIMIT, "cannot read maps of pid %llu: more than %u mappings",
		                  (unsigned long long)pid, NATIVE_MAX_MAPS);
	}
	/* the ELF headers of all candidates in one batched read */
	if (c.n > 0) {
		iov = calloc(c.n, sizeof *iov);
		if (iov == NULL) {
			mapmods_free(&c);
			return plib_error(errbuf, MF_ERR_NOMEM, "cannot list modules of pid %llu: out of memory",
			                  (unsigned long long)pid);
		}
		for (i = 0; i < c.n; i++) {
			iov[i].addr = c.mods[i].base;
			iov[i].buf = c.mods[i].head;
			iov[i].len = sizeof c.mods[i].head;
		}
		r = native_rw(pid, iov, c.n, 0, errbuf);
		if (r == MF_ERR_GONE) {
			free(iov);
			mapmods_free(&c);
			return r;
		}
		/* MF_ERR_PERM: no memory access, so look at the files */
		for (i = 0; i < c.n; i++)
			c.mods[i].err = r == 0 && iov[i].err == 0
			                        ? 0
			                        : native_file_head(pid, &c.mods[i], c.mods[i].head, sizeof c.mods[i].head);
		free(iov);
	}
	r = mapmods_emit(&c, pid, NATIVE_ARCH, cb, ctx);
	mapmods_free(&c);
	return r;
}

/* ---- kernel modules (pid 0) ---------------------------------------------------------- */

struct native_kmods_ctx {
	mf_module_cb cb;
	void *ctx;
	uint64_t stext, etext;
	int have_stext, have_etext;
};

/* "name size refcount deps state address [taint]" */
static int
native_kmods_line(void *ctx, char *line, size_t len)
{
	struct native_kmods_ctx *c = ctx;
	const char *end = line + len, *p = line, *name = line;
	struct mf_module m = { .struct_size = sizeof m };
	uint64_t size = 0, base = 0;
	int field;

	while (p < end && *p != ' ')
		p++;
	if (p == name || p >= end)
		return 0;
	line[p - line] = '\0';
	p++;
	if (native_parse_dec(p, end, &size, &p) < 0)
		return 0;
	/* skip refcount, deps, state to the address */
	for (field = 0; field < 3; field++) {
		while (p < end && *p == ' ')
			p++;
		while (p < end && *p != ' ')
			p++;
	}
	while (p < end && *p == ' ')
		p++;
	if (end - p > 2 && p[0] == '0' && p[1] == 'x')
		p += 2;
	if (native_parse_hex(p, end, &base, NULL) < 0)
		base = 0;
	m.pid = 0;
	m.name = name;
	m.path = "";
	m.base = base;
	m.size = size;
	m.arch = NATIVE_ARCH;
	m.reserved = 0;
	return c->cb(c->ctx, &m);
}

/* "ffffffff81000000 T _stext": stop once both ends of the kernel text are known. */
static int
native_kallsyms_line(void *ctx, char *line, size_t len)
{
	struct native_kmods_ctx *c = ctx;
	const char *end = line + len, *p;
	uint64_t a;

	if (native_parse_hex(line, end, &a, &p) < 0 || end - p < 4 || p[0] != ' ' || p[2] != ' ')
		return 0;
	p += 3;
	if ((size_t)(end - p) == 6 && memcmp(p, "_stext", 6) == 0) {
		c->stext = a;
		c->have_stext = 1;
	} else if ((size_t)(end - p) == 6 && memcmp(p, "_etext", 6) == 0) {
		c->etext = a;
		c->have_etext = 1;
	}
	return c->have_stext && c->have_etext ? 2 : 0;
}

static int
native_kernel_modules(uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf)
{
	struct native_kmods_ctx c = { .cb = cb, .ctx = ctx };
	int r, over;

	(void)pid;
	/* the kernel itself, when kallsyms shows addresses (kptr_restrict) */
	r = native_lines("/proc/kallsyms", native_kallsyms_line, &c, 1u << 24, &over);
	if (r == 2 && c.stext != 0 && c.etext > c.stext) {
		struct mf_module m = {
			.pid = 0, .name = "vmlinux", .path = "", .base = c.stext,
			.size = c.etext - c.stext, .arch = NATIVE_ARCH,
		};

		r = cb(ctx, &m);
		if (r != 0)
			return r;
	}
	r = native_lines(NATIVE_PROC_MODULES, native_kmods_line, &c, NATIVE_MAX_KMODS, &over);
	if (r == -ENOENT)
		return 0;   /* a kernel without loadable modules */
	if (r < 0)
		return plib_error_errno(errbuf, r == -EACCES || r == -EPERM ? MF_ERR_PERM : MF_ERR_IO, -r,
		                        "cannot read /proc/modules");
	if (over)
		return plib_error(errbuf, MF_ERR_LIMIT, "cannot read /proc/modules: more than %u modules",
		                  NATIVE_MAX_KMODS);
	return r;
}
