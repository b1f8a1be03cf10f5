/* fuzz-addr.c: libFuzzer target for libmf's address expressions (mf_aspace_addr): numbers,
 * MODULE+OFF and MODULE (exact names and NAME.so* prefixes) and pointer chains
 * ",O1,O2,...".  The input, one item a line: "m NAME BASE" adds a module (to the process
 * and to the kernel), "p32" makes the process 32-bit; every other line is an expression,
 * evaluated in the process (pid 1) and in the kernel (pid 0) of an os layer built in here,
 * whose memory is the input itself at FZ_MEM_BASE (pointer chains walk the input).  A
 * failure must say why; a number is itself; MODULE+OFF is the module's base plus OFF. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mftools/plugin.h>
#include "fuzz-util.h"
#include "libmf/plugin-int.h"

#define FZ_MEM_BASE 0x10000u
#define FZ_MODS 16

struct fz_mod {
	char *name;
	uint64_t base;
};

static struct {
	const uint8_t *mem;
	size_t size;
	struct fz_mod mod[FZ_MODS];
	size_t nmod;
	uint32_t arch;
} fz;

static int
fz_open(const struct mf_host *host, const struct mf_phys *phys, const struct mf_args *args, struct mf_hints *hints,
        void **handle, char *errbuf)
{
	(void)host, (void)phys, (void)args, (void)hints, (void)errbuf;
	*handle = &fz;
	return 0;
}

static void
fz_close(void *handle)
{
	(void)handle;
}

static int
fz_processes(void *handle, mf_process_cb cb, void *ctx, char *errbuf)
{
	struct mf_process p = { .struct_size = sizeof p, .pid = 1, .name = "fuzz", .path = "", .cmdline = "",
	                        .state = "S", .uid = 0, .arch = fz.arch };

	(void)handle, (void)errbuf;
	return cb(ctx, &p);
}

static int
fz_modules(void *handle, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf)
{
	(void)handle, (void)errbuf;
	for (size_t i = 0; i < fz.nmod; i++) {
		struct mf_module m = { .struct_size = sizeof m, .pid = pid, .name = fz.mod[i].name, .path = "",
		                       .base = fz.mod[i].base, .size = 0x1000, .arch = fz.arch };
		int r = cb(ctx, &m);

		if (r != 0)
			return r;
	}
	return 0;
}

static int
fz_read(void *handle, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf)
{
	(void)handle, (void)pid, (void)errbuf;
	for (size_t i = 0; i < n; i++) {
		uint64_t rel = iov[i].addr - FZ_MEM_BASE;

		iov[i].err = 0;
		if (iov[i].addr < FZ_MEM_BASE || rel >= fz.size || iov[i].len > fz.size - rel)
			iov[i].err = MF_ERR_NOTMAPPED;
		else
			memcpy(iov[i].buf, fz.mem + rel, iov[i].len);
	}
	return 0;
}

static const struct mf_os fz_os = {
	MF_OS_INIT,
	.name = "fuzzaddr",
	.description = "the fuzz input as one process",
	.keys = (const char *const[]){ NULL },
	.flags = MF_OS_NO_PHYS,
	.open = fz_open,
	.close = fz_close,
	.processes = fz_processes,
	.modules = fz_modules,
	.read = fz_read,
};

/* What MODULE+OFF (or MODULE) must give, when NAME is a module by its exact name: its
 * lowest base plus OFF.  0 when the oracle does not apply. */
static int
fz_expect_module(const char *expr, uint64_t *want)
{
	char *name = strdup(expr), *plus;
	uint64_t off = 0, base = 0;
	int found = 0;

	if (name == NULL)
		abort();
	plus = strrchr(name, '+');
	if (plus != NULL && plus[1] != '\0' && mf_parse_u64(plus + 1, &off) == 0)
		*plus = '\0';
	else if (plus != NULL)
		found = -1;   /* a '+' that is not an offset: the name keeps it, or it is an error */
	for (size_t i = 0; found >= 0 && i < fz.nmod; i++)
		if (strcmp(fz.mod[i].name, name) == 0 && (!found || fz.mod[i].base < base))
			base = fz.mod[i].base, found = 1;
	free(name);
	*want = base + off;
	return found > 0 && !(expr[0] >= '0' && expr[0] <= '9');
}

static void
fz_eval(struct mf_aspace *as, const char *expr)
{
	char err[MF_ERRBUF_SIZE];
	uint64_t addr = 0, want;
	int r;

	err[0] = '\0';
	r = mf_aspace_addr(as, expr, &addr, err);
	if (r > 0 || (r < 0 && err[0] == '\0')) {
		fprintf(stderr, "'%s': returned %d with no message\n", expr, r);
		abort();
	}
	if (strchr(expr, ',') != NULL)
		return;
	if (mf_parse_u64(expr, &want) == 0) {
		if (r != 0 || addr != want) {
			fprintf(stderr, "number '%s': returned %d, 0x%llx\n", expr, r, (unsigned long long)addr);
			abort();
		}
	} else if (fz_expect_module(expr, &want) && (r != 0 || addr != want)) {
		fprintf(stderr, "module '%s': returned %d (%s), 0x%llx, want 0x%llx\n", expr, r, err,
		        (unsigned long long)addr, (unsigned long long)want);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int registered;
	char err[MF_ERRBUF_SIZE];
	struct mf_target *t;
	struct mf_aspace *as[2];
	struct fz_parts in;

	mf_log_init("fuzz", -1);
	if (!registered && mfint_plugin_register(MF_PLUGIN_OS, "fuzzaddr", &fz_os, err) < 0) {
		fprintf(stderr, "fuzz-addr: %s\n", err);
		abort();
	}
	registered = 1;
	fz_split(data, size, "\n", &in);
	fz.mem = data;
	fz.size = size;
	fz.nmod = 0;
	fz.arch = MF_ARCH_X86_64;
	for (size_t i = 0; i < in.n; i++) {
		char name[64];
		unsigned long long base;

		if (strcmp(in.p[i], "p32") == 0)
			fz.arch = MF_ARCH_X86_32;
		else if (fz.nmod < FZ_MODS && sscanf(in.p[i], "m %63s %llx", name, &base) == 2 &&
		         (fz.mod[fz.nmod].name = strdup(name)) != NULL)
			fz.mod[fz.nmod++].base = base;
	}
	if (mf_target_open(NULL, "fuzzaddr", 0, &t, err) < 0) {
		fprintf(stderr, "fuzz-addr: %s\n", err);
		abort();
	}
	if (mf_aspace_open(t, &(struct mf_aspace_id){ .kind = MF_ASPACE_PROCESS, .pid = 1 }, &as[0], err) < 0 ||
	    mf_aspace_open(t, &(struct mf_aspace_id){ .kind = MF_ASPACE_KERNEL }, &as[1], err) < 0) {
		fprintf(stderr, "fuzz-addr: %s\n", err);
		abort();
	}
	for (size_t i = 0; i < in.n; i++)
		if (strcmp(in.p[i], "p32") != 0 && strncmp(in.p[i], "m ", 2) != 0)
			for (int s = 0; s < 2; s++)
				fz_eval(as[s], in.p[i]);
	mf_aspace_close(as[0]);
	mf_aspace_close(as[1]);
	mf_target_close(t);
	for (size_t i = 0; i < fz.nmod; i++)
		free(fz.mod[i].name);
	fz_parts_free(&in);
	return 0;
}
