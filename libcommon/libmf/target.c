/* target.c: opening a target (connector + os layer), physical and virtual I/O through it,
 * and target records. */
#include "mf-int.h"
#include "plugin-int.h"

#include <mftools/vat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define TARGET_PROBE_BYTES (64 * 1024)
#define TARGET_SPLIT_CHUNK 1024

/* A plugin's arguments, owned: name, the positional argument, key=value pairs. */
struct target_args {
	char *name;
	char *def;
	size_t n;
	struct mf_kv *kv;   /* key and value strings owned */
};

struct mf_target {
	char *name;
	struct mfint_plugin *conn;
	void *ch;
	struct target_args cargs;
	struct mfint_plugin *os;
	void *oh;
	struct target_args oargs;
	struct mf_hints *hints;
	const struct mf_range *ranges;
	size_t nranges;
	struct mf_phys phys;
	struct mf_vat *vat;
	unsigned flags;
	bool space_valid;
	uint64_t space_pid;
	struct mf_space space;
	char errbuf[MF_ERRBUF_SIZE];
};

static void
target_args_clear(struct target_args *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free((char *)a->kv[i].key);
		free((char *)a->kv[i].value);
	}
	free(a->kv);
	free(a->name);
	free(a->def);
	memset(a, 0, sizeof *a);
}

static int
target_args_add(struct target_args *a, const char *key, const char *value)
{
	struct mf_kv *kv = realloc(a->kv, (a->n + 1) * sizeof *kv);
	char *k, *v;

	if (kv == NULL)
		return MF_ERR_NOMEM;
	a->kv = kv;
	k = strdup(key);
	v = strdup(value);
	if (k == NULL || v == NULL) {
		free(k);
		free(v);
		return MF_ERR_NOMEM;
	}
	kv[a->n].key = k;
	kv[a->n].value = v;
	a->n++;
	return 0;
}

static int
target_args_from_spec(struct target_args *a, const struct mf_spec *spec)
{
	size_t i;
	int r;

	if ((a->name = strdup(spec->name)) == NULL)
		return MF_ERR_NOMEM;
	if (spec->args.def && (a->def = strdup(spec->args.def)) == NULL)
		return MF_ERR_NOMEM;
	for (i = 0; i < spec->args.n; i++)
		if ((r = target_args_add(a, spec->args.kv[i].key, spec->args.kv[i].value)) < 0)
			return r;
	return 0;
}

static const char *
target_args_get(const struct target_args *a, const char *key)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->kv[i].key, key) == 0)
			return a->kv[i].value;
	return NULL;
}

/* Move the positional argument to keys[0], check every key against the plugin's list, and
 * make a "path" absolute so that a saved target works from any directory. */
static int
target_args_normalise(struct target_args *a, const char *kind, const char *const *keys, char *errbuf)
{
	size_t i, j;
	int r;

	if (a->def != NULL) {
		if (keys == NULL || keys[0] == NULL)
			return mf_error(errbuf, MF_ERR_ARG, "%s %s takes no arguments", kind, a->name);
		if (target_args_get(a, keys[0]) != NULL)
			return mf_error(errbuf, MF_ERR_ARG, "%s %s: '%s' given twice", kind, a->name, keys[0]);
		if ((r = target_args_add(a, keys[0], a->def)) < 0)
			return r;
		/* keep the positional argument first */
		if (a->n > 1) {
			struct mf_kv last = a->kv[a->n - 1];

			memmove(a->kv + 1, a->kv, (a->n - 1) * sizeof *a->kv);
			a->kv[0] = last;
		}
		free(a->def);
		a->def = NULL;
	}
	for (i = 0; i < a->n; i++) {
		int known = 0;

		for (j = 0; keys != NULL && keys[j] != NULL; j++)
			if (strcmp(keys[j], a->kv[i].key) == 0)
				known = 1;
		if (!known) {
			char list[160] = "";
			size_t len = 0;

			for (j = 0; keys != NULL && keys[j] != NULL && len < sizeof list - 1; j++)
				len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", j ? ", " : "", keys[j]);
			return mf_error(errbuf, MF_ERR_ARG, "unknown argument '%s' for %s %s (%s%s)", a->kv[i].key, kind,
			                a->name, len ? "accepted: " : "it takes none", list);
		}
		if (strcmp(a->kv[i].key, "path") == 0 && a->kv[i].value[0] != '/') {
			char real[PATH_MAX];

			if (realpath(a->kv[i].value, real) != NULL) {
				char *v = strdup(real);

				if (v == NULL)
					return MF_ERR_NOMEM;
				free((char *)a->kv[i].value);
				a->kv[i].value = v;
			}
		}
	}
	return 0;
}

static struct mf_args
target_args_view(const struct target_args *a)
{
	struct mf_args v = { NULL, a->n, a->kv };

	return v;
}

/* ---- physical memory ---- */

/* Index of the range holding addr, or -1. */
static long
target_range_find(const struct mf_target *t, uint64_t addr)
{
	size_t lo = 0, hi = t->nranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->ranges[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -1;
	lo--;
	if (addr - t->ranges[lo].base < t->ranges[lo].size)
		return (long)lo;
	return -1;
}

/* Does [addr, addr+len) lie in one range?  0 yes, 1 needs splitting over adjacent ranges,
 * -1 some byte is absent. */
static int
target_entry_class(const struct mf_target *t, uint64_t addr, uint64_t len)
{
	long r = target_range_find(t, addr);
	uint64_t cur, end;

	if (len == 0)
		return 0;
	if (r < 0 || addr + len < addr)
		return -1;
	if (len <= t->ranges[r].size - (addr - t->ranges[r].base))
		return 0;
	/* spans: every following byte must be in an adjacent range */
	cur = t->ranges[r].base + t->ranges[r].size;
	end = addr + len;
	for (r++; (size_t)r < t->nranges && cur < end; r++) {
		if (t->ranges[r].base != cur)
			return -1;
		cur += t->ranges[r].size;
	}
	return cur >= end ? 1 : -1;
}

typedef int (*target_io_fn)(void *h, struct mf_iov *iov, size_t n, char *errbuf);

/* Run a batch through the connector, splitting entries at range boundaries. */
static int
target_phys_io(struct mf_target *t, target_io_fn fn, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct mf_iov *pieces = NULL;
	size_t *owner = NULL, i, np = 0;
	int r = 0, any_split = 0;

	if (t->nranges == 0)
		return fn(t->ch, iov, n, errbuf);
	for (i = 0; i < n; i++) {
		int c = target_entry_class(t, iov[i].addr, iov[i].len);

		iov[i].err = c < 0 ? MF_ERR_UNMAPPED : 0;
		if (c != 0)
			any_split = 1;
	}
	if (!any_split)
		return fn(t->ch, iov, n, errbuf);

	pieces = malloc(TARGET_SPLIT_CHUNK * sizeof *pieces);
	owner = malloc(TARGET_SPLIT_CHUNK * sizeof *owner);
	if (pieces == NULL || owner == NULL) {
		free(pieces);
		free(owner);
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i <= n && r == 0; i++) {
		uint64_t addr, left;
		char *buf;

		/* flush when full or at the end */
		if (i == n || np + 64 > TARGET_SPLIT_CHUNK) {
			size_t k;

			if (np > 0 && (r = fn(t->ch, pieces, np, errbuf)) == 0)
				for (k = 0; k < np; k++)
					if (pieces[k].err != 0 && iov[owner[k]].err == 0)
						iov[owner[k]].err = pieces[k].err;
			np = 0;
			if (i == n)
				break;
		}
		if (iov[i].err != 0 || iov[i].len == 0)
			continue;
		addr = iov[i].addr;
		left = iov[i].len;
		buf = iov[i].buf;
		while (left > 0) {
			long ri = target_range_find(t, addr);
			uint64_t room = t->ranges[ri].size - (addr - t->ranges[ri].base);
			uint64_t len = left < room ? left : room;

			if (np == TARGET_SPLIT_CHUNK) {
				/* an entry spanning very many ranges: do it piece by piece */
				size_t k;

				if ((r = fn(t->ch, pieces, np, errbuf)) != 0)
					break;
				for (k = 0; k < np; k++)
					if (pieces[k].err != 0 && iov[owner[k]].err == 0)
						iov[owner[k]].err = pieces[k].err;
				np = 0;
			}
			pieces[np] = (struct mf_iov){ .addr = addr, .buf = buf, .len = len };
			owner[np++] = i;
			addr += len;
			buf += len;
			left -= len;
		}
	}
	free(pieces);
	free(owner);
	return r;
}

MF_API int
mf_phys_read(struct mf_target *t, struct mf_iov *iov, size_t n, char *errbuf)
{
	if (t->conn == NULL)
		return mf_error(errbuf, MF_ERR_UNSUPPORTED, "%s has no physical memory (give a connector with -c)", t->name);
	return target_phys_io(t, t->conn->u.conn.read, iov, n, errbuf);
}

MF_API int
mf_phys_write(struct mf_target *t, struct mf_iov *iov, size_t n, char *errbuf)
{
	if (t->conn == NULL)
		return mf_error(errbuf, MF_ERR_UNSUPPORTED, "%s has no physical memory (give a connector with -c)", t->name);
	if (!(t->flags & MF_TARGET_WRITE))
		return mf_error(errbuf, MF_ERR_READONLY, "%s is not opened for writing (use --write)", t->name);
	if (t->conn->u.conn.write == NULL)
		return mf_error(errbuf, MF_ERR_READONLY, "connector %s cannot write", t->conn->name);
	return target_phys_io(t, t->conn->u.conn.write, iov, n, errbuf);
}

MF_API size_t
mf_phys_ranges(struct mf_target *t, const struct mf_range **out)
{
	*out = t->ranges;
	return t->nranges;
}

/* ---- virtual memory ---- */

static int
target_vat_phys(void *ctx, struct mf_iov *iov, size_t n)
{
	struct mf_target *t = ctx;

	return mf_phys_read(t, iov, n, t->errbuf);
}

static int
target_vat_phys_write(void *ctx, struct mf_iov *iov, size_t n)
{
	struct mf_target *t = ctx;

	return mf_phys_write(t, iov, n, t->errbuf);
}

static int
target_vat(struct mf_target *t, char *errbuf)
{
	uint64_t live;

	if (t->conn == NULL)
		return mf_error(errbuf, MF_ERR_UNSUPPORTED, "%s has no physical memory to translate over (give a connector with -c)",
		                t->name);
	if (t->vat != NULL)
		return 0;
	if ((t->vat = mf_vat_new(target_vat_phys, t)) == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	/* live sources change under us: let cached translations expire */
	if (mf_hints_get_u64(t->hints, "live", &live) == 0 && live)
		mf_vat_set_ttl(t->vat, 100);
	return 0;
}

MF_API int
mf_virt_read(struct mf_target *t, const struct mf_space *sp, struct mf_iov *iov, size_t n, char *errbuf)
{
	int r;

	if ((r = target_vat(t, errbuf)) < 0)
		return r;
	t->errbuf[0] = '\0';
	r = mf_vat_read(t->vat, sp, iov, n);
	if (r < 0)
		mf_error(errbuf, r, "%s", t->errbuf[0] ? t->errbuf : mf_strerror(r));
	return r;
}

MF_API int
mf_virt_write(struct mf_target *t, const struct mf_space *sp, struct mf_iov *iov, size_t n, char *errbuf)
{
	int r;

	if (!(t->flags & MF_TARGET_WRITE))
		return mf_error(errbuf, MF_ERR_READONLY, "%s is not opened for writing (use --write)", t->name);
	if ((r = target_vat(t, errbuf)) < 0)
		return r;
	t->errbuf[0] = '\0';
	r = mf_vat_write(t->vat, target_vat_phys_write, t, sp, iov, n);
	if (r < 0)
		mf_error(errbuf, r, "%s", t->errbuf[0] ? t->errbuf : mf_strerror(r));
	return r;
}

/* struct mf_phys callbacks for os layers */
static int
target_os_read(void *ctx, struct mf_iov *iov, size_t n)
{
	struct mf_target *t = ctx;

	return mf_phys_read(t, iov, n, t->errbuf);
}

static int
target_os_write(void *ctx, struct mf_iov *iov, size_t n)
{
	struct mf_target *t = ctx;

	return mf_phys_write(t, iov, n, t->errbuf);
}

static size_t
target_os_ranges(void *ctx, const struct mf_range **out)
{
	return mf_phys_ranges(ctx, out);
}

static int
target_os_vread(void *ctx, const struct mf_space *sp, struct mf_iov *iov, size_t n)
{
	struct mf_target *t = ctx;

	return mf_virt_read(t, sp, iov, n, t->errbuf);
}

static int
target_os_vwrite(void *ctx, const struct mf_space *sp, struct mf_iov *iov, size_t n)
{
	struct mf_target *t = ctx;

	return mf_virt_write(t, sp, iov, n, t->errbuf);
}

static int
target_os_vtop(void *ctx, const struct mf_space *sp, uint64_t va, uint64_t *pa)
{
	struct mf_target *t = ctx;
	struct mf_vat_xlat x = { .va = va };
	int r;

	if ((r = target_vat(t, t->errbuf)) < 0)
		return r;
	if ((r = mf_vat_translate(t->vat, sp, &x, 1)) < 0)
		return r;
	if (x.err < 0)
		return x.err;
	*pa = x.pa;
	return 0;
}

/* The value of "KEY=value" in VMCOREINFO text, parsed as a number: "0x...", decimal, or
 * with `hex` bare hex (SYMBOL() values); negative decimals (NUMBER(phys_base) under KASLR)
 * as their two's complement.  0 or MF_ERR_NOTFOUND / MF_ERR_FORMAT. */
static int
target_vmci_u64(const char *vmci, const char *key, bool hex, uint64_t *out)
{
	size_t klen = strlen(key);
	const char *p = vmci;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			char num[40];
			const char *v = p + klen + 1;
			size_t n = strcspn(v, "\n");
			int64_t sv;

			if (n == 0 || n >= sizeof num - 2)
				return MF_ERR_FORMAT;
			if (hex && !(v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))) {
				num[0] = '0';
				num[1] = 'x';
				memcpy(num + 2, v, n);
				num[n + 2] = '\0';
			} else {
				memcpy(num, v, n);
				num[n] = '\0';
			}
			if (num[0] == '-') {
				if (mf_parse_i64(num, &sv) < 0)
					return MF_ERR_FORMAT;
				*out = (uint64_t)sv;
				return 0;
			}
			return mf_parse_u64(num, out) < 0 ? MF_ERR_FORMAT : 0;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return MF_ERR_NOTFOUND;
}

#define TARGET_START_KERNEL_MAP 0xffffffff80000000ull   /* x86-64 __START_KERNEL_map */
#define TARGET_X86_32_PAGE_OFFSET 0xc0000000ull         /* i386 default 3G/1G split */

/* The kernel's page-table root from a Linux VMCOREINFO (dumps without a CPU state:
 * kdump, arm64 ELF): x86-64 init_top_pgt - __START_KERNEL_map + phys_base; AArch64
 * swapper_pg_dir - kimage_voffset (VA size from TCR_EL1_T1SZ or VA_BITS); 32-bit x86
 * swapper_pg_dir - PAGE_OFFSET.  0 or MF_ERR_NOTFOUND. */
static int
target_vmci_root(struct mf_target *t, struct mf_space *sp)
{
	const char *vmci = mf_hints_get_str(t->hints, "vmcoreinfo");
	uint64_t sym, v;

	if (vmci == NULL)
		return MF_ERR_NOTFOUND;
	switch (sp->arch) {
	case MF_ARCH_X86_64:
	case MF_ARCH_X86_64_LA57:
		if (target_vmci_u64(vmci, "SYMBOL(init_top_pgt)", true, &sym) < 0 || sym < TARGET_START_KERNEL_MAP)
			return MF_ERR_NOTFOUND;
		/* NUMBER(phys_base) (signed); a kdump header's own value is not trusted */
		if (target_vmci_u64(vmci, "NUMBER(phys_base)", false, &v) < 0)
			v = 0;
		sp->root = (sym - TARGET_START_KERNEL_MAP + v) & ~0xfffull;
		return 0;
	case MF_ARCH_X86_32:
	case MF_ARCH_X86_PAE:
		if (target_vmci_u64(vmci, "SYMBOL(swapper_pg_dir)", true, &sym) < 0 || sym < TARGET_X86_32_PAGE_OFFSET ||
		    sym >= 1ull << 32)
			return MF_ERR_NOTFOUND;
		sp->root = sym - TARGET_X86_32_PAGE_OFFSET;
		return 0;
	case MF_ARCH_AARCH64:
		if (target_vmci_u64(vmci, "SYMBOL(swapper_pg_dir)", true, &sym) < 0 ||
		    target_vmci_u64(vmci, "NUMBER(kimage_voffset)", false, &v) < 0 || sym < v)
			return MF_ERR_NOTFOUND;
		sp->root = sp->root_hi = sym - v;
		if (target_vmci_u64(vmci, "NUMBER(TCR_EL1_T1SZ)", false, &v) == 0 && v >= 12 && v <= 39)
			sp->va_bits = (uint32_t)(64 - v);
		else if (target_vmci_u64(vmci, "NUMBER(VA_BITS)", false, &v) == 0 && v >= 25 && v <= 48)
			sp->va_bits = (uint32_t)v;
		if (target_vmci_u64(vmci, "PAGESIZE", false, &v) == 0 && (v == 4096 || v == 16384 || v == 65536))
			sp->granule = (uint32_t)v;
		return 0;
	default:
		return MF_ERR_NOTFOUND;
	}
}

MF_API int
mf_target_kernel_space(struct mf_target *t, struct mf_space *sp, char *errbuf)
{
	const char *arch = mf_hints_get_str(t->hints, "arch");
	uint64_t v;

	memset(sp, 0, sizeof *sp);
	if (arch == NULL || mf_arch_parse(arch, &sp->arch) < 0)
		return mf_error(errbuf, MF_ERR_NOTFOUND, "%s: architecture unknown (give --arch)", t->name);
	if (mf_hints_get_u64(t->hints, "kernel_dtb", &sp->root) < 0 && mf_hints_get_u64(t->hints, "dtb", &sp->root) < 0 &&
	    target_vmci_root(t, sp) < 0)
		return mf_error(errbuf, MF_ERR_NOTFOUND, "%s: kernel page-table root unknown (give --dtb)", t->name);
	if (mf_hints_get_u64(t->hints, "dtb_hi", &v) == 0)
		sp->root_hi = v;
	else if (sp->arch == MF_ARCH_AARCH64)
		sp->root_hi = sp->root;   /* the kernel lives in the upper half (TTBR1) */
	if (mf_hints_get_u64(t->hints, "va_bits", &v) == 0)
		sp->va_bits = (uint32_t)v;
	if (mf_hints_get_u64(t->hints, "granule", &v) == 0)
		sp->granule = (uint32_t)v;
	return 0;
}

/* ---- os layer ---- */

static int
target_need_os(struct mf_target *t, char *errbuf)
{
	if (t->os == NULL)
		return mf_error(errbuf, MF_ERR_UNSUPPORTED, "%s has no os layer (give one with -o)", t->name);
	return 0;
}

int
mfint_target_os(struct mf_target *t, struct mfint_plugin **os, void **handle, char *errbuf)
{
	int r = target_need_os(t, errbuf);

	*os = t->os;
	*handle = t->oh;
	return r;
}

MF_API int
mf_processes(struct mf_target *t, mf_process_cb cb, void *ctx, char *errbuf)
{
	int r = target_need_os(t, errbuf);

	return r < 0 ? r : t->os->u.os.processes(t->oh, cb, ctx, errbuf);
}

struct target_pid_find {
	uint64_t pid;
	mf_process_cb cb;
	void *ctx;
	int found;
};

static int
target_pid_cb(void *ctx, const struct mf_process *p)
{
	struct target_pid_find *f = ctx;

	if (p->pid != f->pid)
		return 0;
	f->found = 1;
	f->cb(f->ctx, p);
	return 1;   /* found: stop the walk */
}

MF_API int
mf_process(struct mf_target *t, uint64_t pid, mf_process_cb cb, void *ctx, char *errbuf)
{
	struct target_pid_find f = { pid, cb, ctx, 0 };
	int r = target_need_os(t, errbuf);

	if (r < 0)
		return r;
	if (t->os->u.os.process != NULL)
		return t->os->u.os.process(t->oh, pid, cb, ctx, errbuf);
	if ((r = t->os->u.os.processes(t->oh, target_pid_cb, &f, errbuf)) < 0)
		return r;
	if (!f.found)
		return mf_error(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu", (unsigned long long)pid);
	return 0;
}

MF_API int
mf_modules(struct mf_target *t, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf)
{
	int r = target_need_os(t, errbuf);

	if (r < 0)
		return r;
	if (t->os->u.os.modules == NULL)
		return mf_error(errbuf, MF_ERR_UNSUPPORTED, "os layer %s cannot list modules", t->os->name);
	return t->os->u.os.modules(t->oh, pid, cb, ctx, errbuf);
}

MF_API int
mf_maps(struct mf_target *t, uint64_t pid, mf_map_cb cb, void *ctx, char *errbuf)
{
	int r = target_need_os(t, errbuf);

	if (r < 0)
		return r;
	if (t->os->u.os.maps == NULL)
		return mf_error(errbuf, MF_ERR_UNSUPPORTED, "os layer %s cannot list memory maps", t->os->name);
	return t->os->u.os.maps(t->oh, pid, cb, ctx, errbuf);
}

static int
target_space_cb(void *ctx, const struct mf_process *p)
{
	struct mf_space *sp = ctx;

	sp->arch = p->arch;
	sp->root = p->dtb;
	return 0;
}

MF_API int
mf_target_proc_space(struct mf_target *t, uint64_t pid, struct mf_space *sp, char *errbuf)
{
	uint64_t v;
	int r;

	if ((r = target_need_os(t, errbuf)) < 0)
		return r;
	if (t->os->u.os.read != NULL)
		return mf_error(errbuf, MF_ERR_UNSUPPORTED, "os layer %s reads process memory itself", t->os->name);
	if (t->space_valid && t->space_pid == pid) {
		*sp = t->space;
		return 0;
	}
	memset(sp, 0, sizeof *sp);
	if ((r = mf_process(t, pid, target_space_cb, sp, errbuf)) < 0)
		return r;
	if (sp->root == 0)
		return mf_error(errbuf, MF_ERR_NOTFOUND, "process %llu has no address space (kernel thread?)", (unsigned long long)pid);
	if (mf_hints_get_u64(t->hints, "va_bits", &v) == 0)
		sp->va_bits = (uint32_t)v;
	if (mf_hints_get_u64(t->hints, "granule", &v) == 0)
		sp->granule = (uint32_t)v;
	if (mf_hints_get_u64(t->hints, "dtb_hi", &v) == 0)
		sp->root_hi = v;
	t->space = *sp;
	t->space_pid = pid;
	t->space_valid = true;
	return 0;
}

MF_API int
mf_proc_read(struct mf_target *t, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct mf_space sp;
	int r;

	if ((r = target_need_os(t, errbuf)) < 0)
		return r;
	if (t->os->u.os.read != NULL)
		return t->os->u.os.read(t->oh, pid, iov, n, errbuf);
	if ((r = mf_target_proc_space(t, pid, &sp, errbuf)) < 0)
		return r;
	return mf_virt_read(t, &sp, iov, n, errbuf);
}

MF_API int
mf_proc_write(struct mf_target *t, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct mf_space sp;
	int r;

	if ((r = target_need_os(t, errbuf)) < 0)
		return r;
	if (!(t->flags & MF_TARGET_WRITE))
		return mf_error(errbuf, MF_ERR_READONLY, "%s is not opened for writing (use --write)", t->name);
	if (t->os->u.os.read != NULL) {
		if (t->os->u.os.write == NULL)
			return mf_error(errbuf, MF_ERR_READONLY, "os layer %s cannot write process memory", t->os->name);
		return t->os->u.os.write(t->oh, pid, iov, n, errbuf);
	}
	if ((r = mf_target_proc_space(t, pid, &sp, errbuf)) < 0)
		return r;
	return mf_virt_write(t, &sp, iov, n, errbuf);
}

/* ---- opening ---- */

static const char *const target_compressed[][2] = {
	{ "\x1f\x8b", "gzip-compressed (gunzip it first)" },
	{ "\xfd" "7zXZ", "xz-compressed (unxz it first)" },
	{ "\x28\xb5\x2f\xfd", "zstd-compressed (unzstd it first)" },
	{ "BZh", "bzip2-compressed (bunzip2 it first)" },
	{ "\x04\x22\x4d\x18", "lz4-compressed (unlz4 it first)" },
	{ "PK\x03\x04", "a zip archive (unzip it first)" },
	{ "\x89HDF", "an HDF5 file, not a memory image" },
};

/* "file:PATH": read the head of the file, ask every file connector, take the most confident. */
static int
target_detect(struct target_args *a, char *errbuf)
{
	const char *path = a->def ? a->def : target_args_get(a, "path");
	struct mfint_plugin **cands = NULL, *best = NULL;
	unsigned char *head;
	size_t ncands = 0, i;
	ssize_t len;
	struct stat st;
	int fd, r, score = 0;

	if (path == NULL)
		return mf_error(errbuf, MF_ERR_ARG, "file: no path given (-c file:PATH)");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mf_error_errno(errbuf, errno == ENOENT ? MF_ERR_NOTFOUND : errno == EACCES ? MF_ERR_PERM : MF_ERR_IO,
		                      errno, "cannot open %s", path);
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		close(fd);
		return mf_error(errbuf, MF_ERR_ARG, "cannot open %s: not a file", path);
	}
	if ((head = calloc(1, TARGET_PROBE_BYTES)) == NULL) {
		close(fd);
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	do
		len = pread(fd, head, TARGET_PROBE_BYTES, 0);
	while (len < 0 && errno == EINTR);
	if (len < 0) {
		r = mf_error_errno(errbuf, MF_ERR_IO, errno, "cannot read %s", path);
		goto out;
	}
	if (len == 0) {
		r = mf_error(errbuf, MF_ERR_FORMAT, "cannot open %s: the file is empty", path);
		goto out;
	}
	for (i = 0; i < mf_countof(target_compressed); i++) {
		size_t ml = strlen(target_compressed[i][0]);

		if ((size_t)len >= ml && memcmp(head, target_compressed[i][0], ml) == 0) {
			r = mf_error(errbuf, MF_ERR_UNSUPPORTED, "cannot open %s: it is %s", path, target_compressed[i][1]);
			goto out;
		}
	}
	if ((r = mfint_plugin_file_connectors(&cands, &ncands, errbuf)) < 0)
		goto out;
	for (i = 0; i < ncands; i++) {
		const struct mf_connector *c = &cands[i]->u.conn;
		int s = c->probe_path ? c->probe_path(path, head, (size_t)len, (uint64_t)st.st_size)
		                      : c->probe(head, (size_t)len, (uint64_t)st.st_size);

		if (s > score) {
			score = s;
			best = cands[i];
		}
	}
	free(cands);
	if (best == NULL) {
		r = mf_error(errbuf, MF_ERR_FORMAT,
		             "cannot open %s: unknown format (first bytes %02x %02x %02x %02x %02x %02x %02x %02x)", path,
		             head[0], len > 1 ? head[1] : 0, len > 2 ? head[2] : 0, len > 3 ? head[3] : 0,
		             len > 4 ? head[4] : 0, len > 5 ? head[5] : 0, len > 6 ? head[6] : 0, len > 7 ? head[7] : 0);
		goto out;
	}
	mf_log(2, "%s: detected as %s (confidence %d)", path, best->name, score);
	free(a->name);
	if ((a->name = strdup(best->name)) == NULL)
		r = MF_ERR_NOMEM;
	/* file connectors take the file as "path" */
	else if (a->def != NULL && (r = target_args_add(a, "path", a->def)) == 0) {
		free(a->def);
		a->def = NULL;
	}
out:
	free(head);
	close(fd);
	return r;
}

static bool
target_looks_like_path(const char *s)
{
	size_t n = strcspn(s, ":,");

	return memchr(s, '/', n) != NULL || memchr(s, '.', n) != NULL || n == 0;
}

/* A snapshot written by mf-dump carries the source's target record (the elf connector
 * hands it over as the "mftools_record" hint): its hints fill what the file itself does not
 * say (kernel_base, os facts), without overriding what the connector found. */
static void
target_merge_saved_record(struct mf_target *t)
{
	const struct mf_rec *rec;
	struct mf_hints *saved;
	struct mf_rec *hints;
	struct mf_in *in;
	const void *p;
	size_t n;
	int fd;

	if ((p = mf_hints_get_bin(t->hints, "mftools_record", &n)) == NULL || n == 0)
		return;
	if ((fd = memfd_create("mftools_record", MFD_CLOEXEC)) < 0)
		return;
	if (write(fd, p, n) != (ssize_t)n || lseek(fd, 0, SEEK_SET) != 0 || (in = mf_in_new(fd)) == NULL) {
		close(fd);
		return;
	}
	if (mf_in_next(in, &rec, t->errbuf) > 0 && strcmp(mf_rec_type(rec), "target") == 0 &&
	    (hints = mf_rec_get_map(rec, "hints")) != NULL && (saved = mf_hints_new()) != NULL) {
		if (mfint_hints_from_rec(saved, hints) == 0)
			mfint_hints_merge_missing(t->hints, saved, "format");
		mf_hints_free(saved);
	} else {
		mf_log(1, "%s: ignoring an unreadable saved target record", t->cargs.name);
	}
	mf_in_free(in);
	close(fd);
}

static int
target_open_conn(struct mf_target *t, struct target_args *a, char *errbuf)
{
	struct mf_args view;
	char why[MF_ERRBUF_SIZE];
	int r;

	if (strcmp(a->name, "file") == 0 && (r = target_detect(a, errbuf)) < 0)
		return r;
	if ((r = mfint_plugin_load(MF_PLUGIN_CONNECTOR, a->name, &t->conn, errbuf)) < 0)
		return r;
	if ((r = target_args_normalise(a, "connector", t->conn->u.conn.keys, errbuf)) < 0)
		return r;
	if ((t->flags & MF_TARGET_WRITE) && !(t->conn->u.conn.flags & MF_CONN_WRITE) && t->conn->u.conn.write == NULL)
		return mf_error(errbuf, MF_ERR_READONLY, "connector %s cannot write", a->name);
	view = target_args_view(a);
	why[0] = '\0';
	r = t->conn->u.conn.open(&t->conn->host, &view, (t->flags & MF_TARGET_WRITE) != 0, t->hints, &t->ch, why);
	if (r < 0) {
		t->ch = NULL;
		return mf_error(errbuf, r, "%s", why[0] ? why : mf_strerror(r));
	}
	t->nranges = t->conn->u.conn.ranges(t->ch, &t->ranges);
	if (t->nranges > 0 && t->ranges == NULL)
		t->nranges = 0;
	target_merge_saved_record(t);
	return 0;
}

static int
target_open_os(struct mf_target *t, struct target_args *a, char *errbuf)
{
	struct mf_args view;
	char why[MF_ERRBUF_SIZE];
	int r;

	if ((r = mfint_plugin_load(MF_PLUGIN_OS, a->name, &t->os, errbuf)) < 0)
		return r;
	if ((r = target_args_normalise(a, "os layer", t->os->u.os.keys, errbuf)) < 0)
		return r;
	if (t->conn == NULL && !(t->os->u.os.flags & MF_OS_NO_PHYS))
		return mf_error(errbuf, MF_ERR_ARG, "os layer %s needs physical memory: give a connector with -c", a->name);
	t->phys = (struct mf_phys){
		.struct_size = sizeof t->phys,
		.ctx = t,
		.read = target_os_read,
		.write = (t->flags & MF_TARGET_WRITE) ? target_os_write : NULL,
		.ranges = target_os_ranges,
		.vread = target_os_vread,
		.vwrite = (t->flags & MF_TARGET_WRITE) ? target_os_vwrite : NULL,
		.vtop = target_os_vtop,
	};
	view = target_args_view(a);
	why[0] = '\0';
	r = t->os->u.os.open(&t->os->host, t->conn ? &t->phys : NULL, &view, t->hints, &t->oh, why);
	if (r < 0) {
		t->oh = NULL;
		return mf_error(errbuf, r, "%s", why[0] ? why : mf_strerror(r));
	}
	return 0;
}

static int
target_name(struct mf_target *t)
{
	char buf[1024];
	size_t len = 0;

	buf[0] = '\0';
	if (t->conn != NULL) {
		const char *path = target_args_get(&t->cargs, "path");

		len += (size_t)snprintf(buf, sizeof buf, "%s%s%s", t->cargs.name, path ? ":" : "", path ? path : "");
	}
	if (t->os != NULL && len < sizeof buf)
		snprintf(buf + len, sizeof buf - len, "%s%s", len ? "/" : "", t->oargs.name);
	return (t->name = strdup(buf)) ? 0 : MF_ERR_NOMEM;
}

/* Open with args already collected (from specs or a record). */
static int
target_open_args(struct mf_target *t, char *errbuf)
{
	int r;

	if (t->cargs.name != NULL && (r = target_open_conn(t, &t->cargs, errbuf)) < 0)
		return r;
	if (t->oargs.name != NULL && (r = target_open_os(t, &t->oargs, errbuf)) < 0)
		return r;
	return target_name(t);
}

static struct mf_target *
target_new(unsigned flags)
{
	struct mf_target *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	if ((t->hints = mf_hints_new()) == NULL) {
		free(t);
		return NULL;
	}
	t->flags = flags;
	t->name = NULL;
	return t;
}

static int
target_spec_args(struct target_args *a, const char *s, bool conn, char *errbuf)
{
	struct mf_spec *spec;
	int r;

	if (conn && target_looks_like_path(s)) {
		a->name = strdup("file");
		a->def = strdup(s);
		return a->name && a->def ? 0 : MF_ERR_NOMEM;
	}
	if ((r = mf_spec_parse(s, &spec, errbuf)) < 0)
		return r;
	r = target_args_from_spec(a, spec);
	mf_spec_free(spec);
	if (r < 0)
		return mf_error(errbuf, r, "out of memory");
	/* "name" that is no connector but an existing file: a bare relative path */
	if (conn && access(s, F_OK) == 0) {
		char why[MF_ERRBUF_SIZE];
		struct mfint_plugin *p;

		if (mfint_plugin_load(MF_PLUGIN_CONNECTOR, a->name, &p, why) == MF_ERR_NOTFOUND) {
			target_args_clear(a);
			a->name = strdup("file");
			a->def = strdup(s);
			return a->name && a->def ? 0 : MF_ERR_NOMEM;
		}
	}
	return 0;
}

MF_API int
mf_target_open(const char *conn, const char *os, unsigned flags, struct mf_target **out, char *errbuf)
{
	struct mf_target *t;
	int r;

	*out = NULL;
	if ((t = target_new(flags)) == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	if (conn == NULL && os == NULL)
		os = "native";
	if (conn != NULL && (r = target_spec_args(&t->cargs, conn, true, errbuf)) < 0)
		goto fail;
	if (os != NULL && (r = target_spec_args(&t->oargs, os, false, errbuf)) < 0)
		goto fail;
	if ((r = target_open_args(t, errbuf)) < 0)
		goto fail;
	*out = t;
	return 0;
fail:
	mf_target_close(t);
	return r;
}

/* connector/os name and args from a target record */
static int
target_rec_args(struct target_args *a, const struct mf_rec *rec, const char *key, const char *argkey, char *errbuf)
{
	const struct mf_value *v = mf_rec_get(rec, key);
	struct mf_rec *args;
	size_t i, n;
	int r;

	if (v == NULL || v->type == MF_V_NIL)
		return 0;
	if (v->type != MF_V_STR)
		return mf_error(errbuf, MF_ERR_FORMAT, "target record: \"%s\" is not a string", key);
	if ((a->name = strndup(v->v.s.p, v->v.s.n)) == NULL)
		return MF_ERR_NOMEM;
	if ((args = mf_rec_get_map(rec, argkey)) == NULL)
		return 0;
	n = mf_rec_count(args);
	for (i = 0; i < n; i++) {
		const struct mf_field *f = mf_rec_field(args, i);
		char num[32], *s;

		switch (f->val.type) {
		case MF_V_STR:
			if ((s = strndup(f->val.v.s.p, f->val.v.s.n)) == NULL)
				return MF_ERR_NOMEM;
			r = target_args_add(a, f->key, s);
			free(s);
			break;
		case MF_V_UINT:
		case MF_V_ADDR:
			snprintf(num, sizeof num, "0x%llx", (unsigned long long)f->val.v.u);
			r = target_args_add(a, f->key, num);
			break;
		case MF_V_INT:
			snprintf(num, sizeof num, "%lld", (long long)f->val.v.i);
			r = target_args_add(a, f->key, num);
			break;
		default:
			return mf_error(errbuf, MF_ERR_FORMAT, "target record: argument \"%s\" of %s is not a string", f->key, a->name);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

MF_API int
mf_target_open_rec(const struct mf_rec *rec, unsigned flags, struct mf_target **out, char *errbuf)
{
	struct mf_target *t;
	struct mf_rec *hints;
	uint64_t v;
	int r;

	*out = NULL;
	if (strcmp(mf_rec_type(rec), "target") != 0)
		return mf_error(errbuf, MF_ERR_FORMAT, "not a target record (type \"%s\")", mf_rec_type(rec));
	if (mf_rec_get_u64(rec, "v", &v) < 0)
		return mf_error(errbuf, MF_ERR_FORMAT, "target record without a version (\"v\")");
	if (v != 1)
		return mf_error(errbuf, MF_ERR_UNSUPPORTED, "target record version %llu is not supported (this mftools reads version 1)",
		                (unsigned long long)v);
	if ((t = target_new(flags)) == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	if ((r = target_rec_args(&t->cargs, rec, "connector", "connector_args", errbuf)) < 0 ||
	    (r = target_rec_args(&t->oargs, rec, "os", "os_args", errbuf)) < 0)
		goto fail;
	if (t->cargs.name == NULL && t->oargs.name == NULL) {
		r = mf_error(errbuf, MF_ERR_FORMAT, "target record names neither a connector nor an os layer");
		goto fail;
	}
	if ((hints = mf_rec_get_map(rec, "hints")) != NULL && (r = mfint_hints_from_rec(t->hints, hints)) < 0)
		goto fail;
	if ((r = target_open_args(t, errbuf)) < 0)
		goto fail;
	*out = t;
	return 0;
fail:
	if (r == MF_ERR_NOMEM)
		mf_error(errbuf, r, "out of memory");
	mf_target_close(t);
	return r;
}

MF_API void
mf_target_close(struct mf_target *t)
{
	if (t == NULL)
		return;
	if (t->oh != NULL)
		t->os->u.os.close(t->oh);
	if (t->ch != NULL)
		t->conn->u.conn.close(t->ch);
	mf_vat_free(t->vat);
	target_args_clear(&t->cargs);
	target_args_clear(&t->oargs);
	mf_hints_free(t->hints);
	free(t->name);
	free(t);
}

static int
target_rec_add_args(struct mf_rec *r, const char *key, const char *argkey, const struct target_args *a)
{
	struct mf_rec *m;
	size_t i;
	int e;

	if (a->name == NULL)
		return mf_rec_add_nil(r, key);
	if ((e = mf_rec_add_str(r, key, a->name)) < 0)
		return e;
	if ((m = mf_rec_add_map(r, argkey)) == NULL)
		return MF_ERR_NOMEM;
	for (i = 0; i < a->n; i++)
		if ((e = mf_rec_add_str(m, a->kv[i].key, a->kv[i].value)) < 0)
			return e;
	return 0;
}

MF_API int
mf_target_rec(const struct mf_target *t, struct mf_rec *r)
{
	struct mf_rec *h;
	int e;

	mf_rec_reset(r, "target");
	if ((e = mf_rec_add_uint(r, "v", 1)) < 0 ||
	    (e = target_rec_add_args(r, "connector", "connector_args", &t->cargs)) < 0 ||
	    (e = target_rec_add_args(r, "os", "os_args", &t->oargs)) < 0)
		return e;
	if ((h = mf_rec_add_map(r, "hints")) == NULL)
		return MF_ERR_NOMEM;
	return mfint_hints_to_rec(t->hints, h);
}

MF_API const char *
mf_target_name(const struct mf_target *t)
{
	return t->name ? t->name : "target";
}

MF_API struct mf_hints *
mf_target_hints(struct mf_target *t)
{
	return t->hints;
}

MF_API bool
mf_target_has_phys(const struct mf_target *t)
{
	return t->conn != NULL;
}

MF_API bool
mf_target_has_os(const struct mf_target *t)
{
	return t->os != NULL;
}

/* ---- tools ---- */

static int
target_read_file_rec(const char *path, unsigned flags, struct mf_target **t, char *errbuf)
{
	const struct mf_rec *rec;
	char why[MF_ERRBUF_SIZE];
	struct mf_in *in;
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return mf_error_errno(errbuf, errno == ENOENT ? MF_ERR_NOTFOUND : MF_ERR_IO, errno, "cannot open target file %s", path);
	if ((in = mf_in_new(fd)) == NULL) {
		close(fd);
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	r = mf_in_next(in, &rec, why);
	if (r == 0)
		r = mf_error(errbuf, MF_ERR_FORMAT, "target file %s is empty", path);
	else if (r < 0)
		mf_error(errbuf, r, "target file %s: %s", path, why);
	else if (strcmp(mf_rec_type(rec), "target") != 0)
		r = mf_error(errbuf, MF_ERR_FORMAT, "target file %s does not start with a target record (found \"%s\")", path,
		             mf_rec_type(rec));
	else
		r = mf_target_open_rec(rec, flags, t, errbuf);
	mf_in_free(in);
	close(fd);
	return r < 0 ? r : 0;
}

MF_API int
mf_tool_open(const struct mf_tool_target *opt, struct mf_target **t, struct mf_in **in, char *errbuf)
{
	const struct mf_rec *rec;
	char why[MF_ERRBUF_SIZE];
	struct stat st;
	int r;

	*t = NULL;
	*in = NULL;
	if (opt->read_stdin && fstat(STDIN_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode) || S_ISSOCK(st.st_mode))) {
		if ((*in = mf_in_new(STDIN_FILENO)) == NULL)
			return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	if (opt->conn != NULL || opt->os != NULL)
		r = mf_target_open(opt->conn, opt->os, opt->flags, t, errbuf);
	else if (opt->tfile != NULL)
		r = target_read_file_rec(opt->tfile, opt->flags, t, errbuf);
	else
		r = 1;
	if (r < 0)
		goto fail;
	if (*in != NULL) {
		/* a target record at the head of stdin: use it unless -c/-o/-t said otherwise */
		r = mf_in_next(*in, &rec, why);
		if (r < 0) {
			mf_error(errbuf, r, "stdin: %s", why);
			goto fail;
		}
		if (r > 0 && strcmp(mf_rec_type(rec), "target") == 0) {
			if (*t == NULL && (r = mf_target_open_rec(rec, opt->flags, t, errbuf)) < 0)
				goto fail;
		} else if (r > 0) {
			mf_in_unread(*in);
		}
	}
	if (*t == NULL && (r = mf_target_open(NULL, NULL, opt->flags, t, errbuf)) < 0)
		goto fail;
	return 0;
fail:
	mf_in_free(*in);
	*in = NULL;
	mf_target_close(*t);
	*t = NULL;
	return r;
}
