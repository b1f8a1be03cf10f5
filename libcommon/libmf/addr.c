/* addr.c: address expressions in a space: numbers, MODULE+OFF, SYMBOL+OFF, pointer chains. */
#include "mf-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct addr_modfind {
	const char *name;
	size_t len;
	uint64_t exact_base;
	int nexact;
	uint64_t prefix_base;
	int nprefix;
	char prefix_names[256];
};

static int
addr_mod_cb(void *ctx, const struct mf_module *m)
{
	struct addr_modfind *f = ctx;
	const char *name = m->name ? m->name : "";

	if (strcmp(name, f->name) == 0) {
		if (f->nexact == 0 || m->base < f->exact_base)
			f->exact_base = m->base;
		f->nexact++;
	} else if (strncmp(name, f->name, f->len) == 0 && strncmp(name + f->len, ".so", 3) == 0) {
		size_t used = strlen(f->prefix_names);

		if (f->nprefix == 0 || m->base != f->prefix_base)
			snprintf(f->prefix_names + used, sizeof f->prefix_names - used, "%s%s", used ? ", " : "", name);
		if (f->nprefix > 0 && m->base == f->prefix_base)
			return 0;
		f->prefix_base = m->base;
		f->nprefix++;
	}
	return 0;
}

/* The base of a module of the space by exact name, else as the unique NAME.so* prefix. */
static int
addr_module_base(struct mf_aspace *as, const char *name, uint64_t *base, char *errbuf)
{
	const struct mf_aspace_id *id = mf_aspace_id(as);
	struct addr_modfind f = { .name = name, .len = strlen(name) };
	char why[MF_ERRBUF_SIZE];
	int r;

	if (id->kind != MF_ASPACE_PROCESS && id->kind != MF_ASPACE_KERNEL)
		return mf_error(errbuf, MF_ERR_ARG, "a module address (%s) needs a process (-p, -n) or --kernel", name);
	why[0] = '\0';
	if ((r = mf_modules(mfint_aspace_target(as), id->pid, addr_mod_cb, &f, why)) < 0)
		return mf_error(errbuf, r, "cannot list modules of %s: %s", mf_aspace_name(as), why);
	if (f.nexact > 0) {
		*base = f.exact_base;
		return 0;
	}
	if (f.nprefix == 1) {
		*base = f.prefix_base;
		return 0;
	}
	if (f.nprefix > 1)
		return mf_error(errbuf, MF_ERR_NOTFOUND, "module name '%s' is ambiguous in %s: %s", name, mf_aspace_name(as),
		                f.prefix_names);
	return mf_error(errbuf, MF_ERR_NOTFOUND, "no module '%s' in %s", name, mf_aspace_name(as));
}

struct addr_symfind {
	uint64_t addr;
	bool found;
};

static int
addr_sym_cb(void *ctx, const struct mf_symbol *sym)
{
	struct addr_symfind *f = ctx;

	f->addr = sym->addr;
	f->found = true;
	return 0;
}

/* A symbol of the space's os layer (the kernel's for --kernel, a process's modules'). */
static int
addr_symbol(struct mf_aspace *as, const char *name, uint64_t *addr, char *errbuf)
{
	const struct mf_aspace_id *id = mf_aspace_id(as);
	struct addr_symfind f = { 0, false };
	int r;

	if (id->kind != MF_ASPACE_PROCESS && id->kind != MF_ASPACE_KERNEL)
		return mf_error(errbuf, MF_ERR_ARG, "a symbol (%s) needs a process (-p, -n) or --kernel", name);
	if ((r = mf_symbol_lookup(mfint_aspace_target(as), id->pid, name, addr_sym_cb, &f, errbuf)) < 0)
		return r;
	if (!f.found)
		return mf_error(errbuf, MF_ERR_NOTFOUND, "no symbol '%s'", name);
	*addr = f.addr;
	return 0;
}

/* NAME: in the kernel a symbol first (init_task, linux_banner), then a module; in a
 * process a module first, then a symbol; "MODULE!SYMBOL" is always a symbol.  When the
 * os layer has no symbols, the module's answer stands. */
static int
addr_name(struct mf_aspace *as, const char *name, uint64_t *addr, char *errbuf)
{
	const struct mf_aspace_id *id = mf_aspace_id(as);
	char why[MF_ERRBUF_SIZE];
	int r, rs;

	if (strchr(name, '!') != NULL)
		return addr_symbol(as, name, addr, errbuf);
	why[0] = '\0';
	if (id->kind == MF_ASPACE_KERNEL) {
		if ((rs = addr_symbol(as, name, addr, why)) == 0)
			return 0;
		if (rs != MF_ERR_NOTFOUND && rs != MF_ERR_UNSUPPORTED)
			return mf_error(errbuf, rs, "%s", why);
		if ((r = addr_module_base(as, name, addr, errbuf)) == 0 || rs == MF_ERR_UNSUPPORTED ||
		    (r != MF_ERR_NOTFOUND && r != MF_ERR_UNSUPPORTED))
			return r;
		return mf_error(errbuf, MF_ERR_NOTFOUND, "no symbol or module '%s' in %s", name, mf_aspace_name(as));
	}
	if ((r = addr_module_base(as, name, addr, errbuf)) == 0 || (r != MF_ERR_NOTFOUND && r != MF_ERR_UNSUPPORTED))
		return r;
	if ((rs = addr_symbol(as, name, addr, why)) == 0)
		return 0;
	if (rs == MF_ERR_UNSUPPORTED)
		return r;   /* errbuf still holds the module's answer */
	if (rs != MF_ERR_NOTFOUND)
		return mf_error(errbuf, rs, "%s", why);
	return mf_error(errbuf, MF_ERR_NOTFOUND, "no module or symbol '%s' in %s", name, mf_aspace_name(as));
}

/* The first part: a number, NAME+OFF or NAME (a module or a symbol); `s` is modified. */
static int
addr_base(struct mf_aspace *as, char *s, const char *expr, uint64_t *addr, char *errbuf)
{
	uint64_t off = 0;
	char *plus;
	int r;

	if (s[0] == '\0')
		return mf_error(errbuf, MF_ERR_ARG, "invalid address '%s'", expr);
	if ((r = mf_parse_u64(s, addr)) == 0)
		return 0;
	if (s[0] >= '0' && s[0] <= '9' && strchr(s, '+') == NULL)
		return mf_error(errbuf, MF_ERR_ARG, r == MF_ERR_RANGE ? "address '%s' out of range" : "invalid address '%s'", s);
	/* MODULE+OFF: the last '+' followed by a number (names may hold '+': libstdc++) */
	plus = strrchr(s, '+');
	if (plus != NULL && plus[1] != '\0' && mf_parse_u64(plus + 1, &off) == 0)
		*plus = '\0';
	else if (plus != NULL && plus[1] >= '0' && plus[1] <= '9')
		return mf_error(errbuf, MF_ERR_ARG, "invalid offset '%s' in '%s'", plus + 1, expr);
	else
		off = 0;
	if ((r = addr_name(as, s, addr, errbuf)) < 0)
		return r;
	mf_log(1, "%s at 0x%llx, +0x%llx = 0x%llx", s, (unsigned long long)*addr, (unsigned long long)off,
	       (unsigned long long)(*addr + off));
	*addr += off;
	return 0;
}

static int
addr_pointer(struct mf_aspace *as, uint64_t at, size_t step, uint64_t *p, char *errbuf)
{
	unsigned size = mf_aspace_ptr_size(as);
	uint8_t b[8];
	struct mf_iov iov = { .addr = at, .buf = b, .len = size };
	char why[MF_ERRBUF_SIZE];
	int r;

	why[0] = '\0';
	if ((r = mf_aspace_read(as, &iov, 1, why)) < 0)
		return mf_error(errbuf, r, "cannot read 0x%llx in %s: %s", (unsigned long long)at, mf_aspace_name(as), why);
	if (iov.err != 0)
		return mf_error(errbuf, iov.err, "cannot follow the pointer chain at step %zu: cannot read 0x%llx: %s", step,
		                (unsigned long long)at, mf_strerror(iov.err));
	*p = mf_num_decode(MF_T_PTR, size, b).u;
	return 0;
}

static int
addr_chain(struct mf_aspace *as, char *comma, const char *expr, uint64_t *addr, char *errbuf)
{
	size_t step = 0;
	int r;

	while (comma != NULL) {
		char *tok = comma + 1;
		int64_t o;
		uint64_t p;

		comma = strchr(tok, ',');
		if (comma != NULL)
			*comma = '\0';
		if (++step > MF_ADDR_CHAIN_MAX)
			return mf_error(errbuf, MF_ERR_ARG, "pointer chain longer than %d steps", MF_ADDR_CHAIN_MAX);
		if ((r = mf_parse_i64(tok, &o)) < 0)
			return r == MF_ERR_RANGE ? mf_error(errbuf, MF_ERR_ARG, "offset '%s' out of range", tok)
			                         : mf_error(errbuf, MF_ERR_ARG, "invalid offset '%s' in '%s'", tok, expr);
		if ((r = addr_pointer(as, *addr, step, &p, errbuf)) < 0)
			return r;
		mf_log(1, "[%zu] 0x%llx -> 0x%llx %c 0x%llx = 0x%llx", step, (unsigned long long)*addr, (unsigned long long)p,
		       o < 0 ? '-' : '+', (unsigned long long)(o < 0 ? -(uint64_t)o : (uint64_t)o),
		       (unsigned long long)(p + (uint64_t)o));
		*addr = p + (uint64_t)o;
	}
	return 0;
}

MF_API int
mf_aspace_addr(struct mf_aspace *as, const char *expr, uint64_t *addr, char *errbuf)
{
	char *copy = strdup(expr), *comma;
	int r;

	if (copy == NULL)
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	if ((comma = strchr(copy, ',')) != NULL)
		*comma = '\0';
	if ((r = addr_base(as, copy, expr, addr, errbuf)) == 0)
		r = addr_chain(as, comma, expr, addr, errbuf);
	free(copy);
	return r;
}
