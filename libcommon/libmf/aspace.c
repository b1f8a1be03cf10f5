/* aspace.c: address spaces of a target (physical memory, the kernel, a process, a page-table
 * root): opening, batched I/O, names, and the `space` fields of records. */
#include "mf-int.h"

#include <mftools/vat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASPACE_X86_32_KERNEL_START 0xc0000000ull   /* the 3G/1G split */

struct mf_aspace {
	struct mf_target *t;
	struct mf_aspace_id id;  /* id.sp: the tables walked, when has_sp */
	bool has_sp;
	uint32_t arch;
	char name[48];
};

struct aspace_procinfo {
	uint32_t arch;
};

static int
aspace_proc_cb(void *ctx, const struct mf_process *p)
{
	struct aspace_procinfo *pi = ctx;

	pi->arch = p->arch;
	return 0;
}

static unsigned
aspace_arch_ptr(uint32_t arch)
{
	return arch == MF_ARCH_X86_32 || arch == MF_ARCH_X86_PAE ? 4 : 8;
}

MF_API uint64_t
mf_arch_kernel_start(uint32_t arch)
{
	return arch == MF_ARCH_X86_32 || arch == MF_ARCH_X86_PAE ? ASPACE_X86_32_KERNEL_START : 1ull << 63;
}

/* Reject a space the translator cannot walk before anything is read through it. */
MF_API int
mf_space_check(struct mf_target *t, const struct mf_space *sp, char *errbuf)
{
	struct mf_vat_xlat x = { .va = 0 };
	int r = mfint_translate(t, sp, &x, 1, errbuf);

	if (r < 0 && !mf_target_has_phys(t))
		return r;   /* errbuf says so */
	if (r == MF_ERR_ARG || r == MF_ERR_UNSUPPORTED)
		return mf_error(errbuf, r, "cannot walk %s address space (va bits %u, granule %u): %s", mf_arch_name(sp->arch),
		                sp->va_bits, sp->granule, mf_strerror(r));
	return 0;
}

static int
aspace_open_kind(struct mf_aspace *as, char *errbuf)
{
	struct mf_target *t = as->t;
	struct aspace_procinfo pi = { MF_ARCH_UNKNOWN };
	const char *a;
	int r;

	switch (as->id.kind) {
	case MF_ASPACE_PHYS:
		if (!mf_target_has_phys(t))
			return mf_error(errbuf, MF_ERR_UNSUPPORTED, "%s has no physical memory (give a connector with -c)",
			                mf_target_name(t));
		a = mf_hints_get_str(mf_target_hints(t), "arch");
		if (a == NULL || mf_arch_parse(a, &as->arch) < 0)
			as->arch = MF_ARCH_UNKNOWN;
		snprintf(as->name, sizeof as->name, "physical memory");
		return 0;
	case MF_ASPACE_KERNEL:
		snprintf(as->name, sizeof as->name, "the kernel");
		if (!mf_target_has_phys(t)) {
			/* an os layer without physical memory (native) reads the kernel as its pid 0 */
			if (!mf_target_has_os(t))
				return mf_error(errbuf, MF_ERR_UNSUPPORTED, "%s has no kernel to read", mf_target_name(t));
			return 0;
		}
		if ((r = mf_target_kernel_space(t, &as->id.sp, errbuf)) < 0)
			return r;
		as->has_sp = true;
		as->arch = as->id.sp.arch;
		return 0;
	case MF_ASPACE_PROCESS:
		snprintf(as->name, sizeof as->name, "pid %llu", (unsigned long long)as->id.pid);
		if ((r = mf_process(t, as->id.pid, aspace_proc_cb, &pi, errbuf)) < 0)
			return r;
		as->arch = pi.arch;
		if (mfint_target_os_reads(t))
			return 0;
		if ((r = mf_target_proc_space(t, as->id.pid, &as->id.sp, errbuf)) < 0)
			return r;
		as->has_sp = true;
		return 0;
	case MF_ASPACE_DTB:
		snprintf(as->name, sizeof as->name, "dtb 0x%llx", (unsigned long long)as->id.sp.root);
		as->has_sp = true;
		as->arch = as->id.sp.arch;
		return mf_space_check(t, &as->id.sp, errbuf);
	default:
		return mf_error(errbuf, MF_ERR_ARG, "no address space");
	}
}

MF_API int
mf_aspace_open(struct mf_target *t, const struct mf_aspace_id *id, struct mf_aspace **out, char *errbuf)
{
	struct mf_aspace *as;
	int r;

	*out = NULL;
	if ((as = calloc(1, sizeof *as)) == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	as->t = t;
	as->id = *id;
	if (id->kind != MF_ASPACE_DTB)
		memset(&as->id.sp, 0, sizeof as->id.sp);
	if (id->kind != MF_ASPACE_PROCESS)
		as->id.pid = 0;
	if ((r = aspace_open_kind(as, errbuf)) < 0) {
		free(as);
		return r;
	}
	if (as->arch == MF_ARCH_UNKNOWN && as->has_sp)
		as->arch = as->id.sp.arch;
	*out = as;
	return 0;
}

MF_API void
mf_aspace_close(struct mf_aspace *as)
{
	free(as);
}

struct mf_target *
mfint_aspace_target(const struct mf_aspace *as)
{
	return as->t;
}

MF_API const struct mf_aspace_id *
mf_aspace_id(const struct mf_aspace *as)
{
	return &as->id;
}

MF_API const char *
mf_aspace_name(const struct mf_aspace *as)
{
	return as->name;
}

MF_API const struct mf_space *
mf_aspace_space(const struct mf_aspace *as)
{
	return as->has_sp ? &as->id.sp : NULL;
}

MF_API uint32_t
mf_aspace_arch(const struct mf_aspace *as)
{
	return as->arch;
}

MF_API unsigned
mf_aspace_ptr_size(const struct mf_aspace *as)
{
	return aspace_arch_ptr(as->arch);
}

static int
aspace_io(struct mf_aspace *as, bool wr, struct mf_iov *iov, size_t n, char *errbuf)
{
	struct mf_target *t = as->t;

	if (as->id.kind == MF_ASPACE_PHYS)
		return wr ? mf_phys_write(t, iov, n, errbuf) : mf_phys_read(t, iov, n, errbuf);
	if (as->has_sp)
		return wr ? mf_virt_write(t, &as->id.sp, iov, n, errbuf) : mf_virt_read(t, &as->id.sp, iov, n, errbuf);
	/* processes (and the kernel) of an os layer that reads them itself */
	return wr ? mf_proc_write(t, as->id.pid, iov, n, errbuf) : mf_proc_read(t, as->id.pid, iov, n, errbuf);
}

MF_API int
mf_aspace_read(struct mf_aspace *as, struct mf_iov *iov, size_t n, char *errbuf)
{
	return aspace_io(as, false, iov, n, errbuf);
}

MF_API int
mf_aspace_view(struct mf_aspace *as, uint64_t addr, uint64_t len, const uint8_t **data)
{
	if (as->id.kind != MF_ASPACE_PHYS)
		return MF_ERR_UNSUPPORTED;
	return mf_phys_view(as->t, addr, len, data);
}

MF_API int
mf_aspace_write(struct mf_aspace *as, struct mf_iov *iov, size_t n, char *errbuf)
{
	return aspace_io(as, true, iov, n, errbuf);
}

/* ---- records ---- */

static const char *
aspace_kind_word(enum mf_aspace_kind k)
{
	switch (k) {
	case MF_ASPACE_PHYS: return "phys";
	case MF_ASPACE_KERNEL: return "kernel";
	case MF_ASPACE_PROCESS: return "process";
	case MF_ASPACE_DTB: return "dtb";
	default: return NULL;
	}
}

MF_API int
mf_aspace_id_rec(const struct mf_aspace_id *id, unsigned flags, struct mf_rec *r)
{
	const char *word = aspace_kind_word(id->kind);
	int e;

	if (word == NULL)
		return MF_ERR_ARG;
	if ((e = mf_rec_add_str(r, "space", word)) < 0)
		return e;
	if (id->kind == MF_ASPACE_PROCESS && (e = mf_rec_add_uint(r, "pid", id->pid)) < 0)
		return e;
	if (flags & MF_ASPACE_REC_TABLES) {
		if ((e = mf_rec_add_str(r, "arch", mf_arch_name(id->sp.arch))) < 0 ||
		    (e = mf_rec_add_addr(r, "dtb", id->sp.root)) < 0)
			return e;
		return id->sp.root_hi != 0 ? mf_rec_add_addr(r, "dtb_hi", id->sp.root_hi) : 0;
	}
	if (id->kind == MF_ASPACE_DTB && ((e = mf_rec_add_addr(r, "dtb", id->sp.root)) < 0 ||
	                                  (e = mf_rec_add_str(r, "arch", mf_arch_name(id->sp.arch))) < 0))
		return e;
	return 0;
}

MF_API int
mf_mem_rec(const struct mf_aspace_id *id, uint64_t addr, const void *data, size_t n, struct mf_rec *r)
{
	int e;

	mf_rec_reset(r, "mem");
	if ((e = mf_aspace_id_rec(id, 0, r)) < 0 || (e = mf_rec_add_addr(r, "addr", addr)) < 0)
		return e;
	return mf_rec_add_bin(r, "data", data, n);
}

MF_API int
mf_gap_rec(const struct mf_aspace_id *id, uint64_t addr, uint64_t len, int err, struct mf_rec *r)
{
	int e;

	mf_rec_reset(r, "gap");
	if ((e = mf_aspace_id_rec(id, 0, r)) < 0 || (e = mf_rec_add_addr(r, "addr", addr)) < 0 ||
	    (e = mf_rec_add_addr(r, "len", len)) < 0)
		return e;
	return mf_rec_add_str(r, "error", mf_strerror(err));
}

MF_API int
mf_aspace_id_from_rec(const struct mf_rec *r, struct mf_aspace_id *id, char *errbuf)
{
	const char *s;
	char word[16];
	size_t n;
	uint64_t v;

	memset(id, 0, sizeof *id);
	if (mf_rec_get_str(r, "space", &s, &n) < 0)
		return mf_error(errbuf, MF_ERR_NOTFOUND, "%s record without a space", mf_rec_type(r));
	snprintf(word, sizeof word, "%.*s", n < sizeof word ? (int)n : (int)sizeof word - 1, s);
	for (id->kind = MF_ASPACE_PHYS; id->kind <= MF_ASPACE_DTB; id->kind++)
		if (n < sizeof word && strcmp(word, aspace_kind_word(id->kind)) == 0)
			break;
	switch (id->kind) {
	case MF_ASPACE_PHYS:
	case MF_ASPACE_KERNEL:
		return 0;
	case MF_ASPACE_PROCESS:
		if (mf_rec_get_u64(r, "pid", &id->pid) < 0)
			return mf_error(errbuf, MF_ERR_FORMAT, "%s record of a process without a valid pid", mf_rec_type(r));
		return 0;
	case MF_ASPACE_DTB:
		if (mf_rec_get_u64(r, "dtb", &id->sp.root) < 0 || mf_rec_get_str(r, "arch", &s, &n) < 0 || n >= sizeof word)
			return mf_error(errbuf, MF_ERR_FORMAT, "%s record of a dtb space without a valid dtb and arch", mf_rec_type(r));
		snprintf(word, sizeof word, "%.*s", (int)n, s);
		if (mf_arch_parse(word, &id->sp.arch) < 0 || id->sp.arch == MF_ARCH_UNKNOWN)
			return mf_error(errbuf, MF_ERR_FORMAT, "%s record: unknown architecture '%s'", mf_rec_type(r), word);
		if (mf_rec_get_u64(r, "dtb_hi", &v) == 0)
			id->sp.root_hi = v;
		return 0;
	default:
		id->kind = MF_ASPACE_NONE;
		return mf_error(errbuf, MF_ERR_FORMAT, "%s record with unknown space '%s'", mf_rec_type(r), word);
	}
}
