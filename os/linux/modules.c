/* modules.c: modules of the kernel (pid 0: the kernel image itself, then every loaded
 * module from the `modules` list, as lsmod shows them; the list's head found in memory by
 * modules-find.c when kallsyms does not name it) and of a process (its mapped ELF
 * files, by the rule every os layer shares: pluginlib/mapmods.h, the ELF headers read
 * through the process's own page tables in one batch). */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "maps.h"
#include "pluginlib/mapmods.h"

#define LX_MAX_KMODS (1u << 16)
#define LX_MODULE_NAME_MAX 56       /* MODULE_NAME_LEN on 64-bit */
#define LX_MODULE_STATE_UNFORMED 3

/* The kernel image: _stext.._etext, as the native layer reports it. */
static int
lx_kernel_image(const struct lx *lx, mf_module_cb cb, void *ctx)
{
	struct mf_module m = { .struct_size = sizeof m, .pid = 0, .name = "vmlinux", .path = "" };
	uint64_t stext, etext;

	if (lx_sym(lx, "_stext", &stext) < 0 || lx_sym(lx, "_etext", &etext) < 0 || etext <= stext)
		return 0;
	m.base = stext;
	m.size = etext - stext;
	m.arch = lx->kspace.arch;
	return cb(ctx, &m);
}

/* Base and size of a module as /proc/modules gives them: core_layout before 6.4, else
 * mem[MOD_TEXT].base and the sum of every mem[] size. */
static void
lx_kmod_extent(const struct lx_off *o, const uint8_t *b, size_t len, uint64_t *base, uint64_t *size)
{
	uint32_t i;

	*base = *size = 0;
	if (lx_has(o->mod_core_base)) {
		*base = lx_get(b, len, o->mod_core_base);
		*size = lx_get(b, len, o->mod_core_size);
		return;
	}
	if (!lx_has(o->mod_mem) || !lx_has(o->mod_mem_base) || !lx_has(o->mod_mem_size))
		return;
	for (i = 0; i < o->mod_mem_count; i++) {
		uint64_t at = (uint64_t)o->mod_mem.off + (uint64_t)i * o->mod_mem_stride;
		struct lx_field fb = { (uint32_t)(at + o->mod_mem_base.off), o->mod_mem_base.size };
		struct lx_field fs = { (uint32_t)(at + o->mod_mem_size.off), o->mod_mem_size.size };

		if (i == 0)
			*base = lx_get(b, len, fb);
		*size += lx_get(b, len, fs);
	}
}

static int
lx_kernel_modules(const struct lx *lx, mf_module_cb cb, void *ctx, char *errbuf)
{
	const struct lx_off *o = &lx->types->off;
	struct seen seen = { 0 };
	uint64_t head, next;
	uint8_t *b;
	size_t n = 0;
	bool usable;
	int r;

	if ((r = lx_kernel_image(lx, cb, ctx)) != 0)
		return r;
	usable = o->module_size != LX_NONE && lx_has(o->mod_list) && lx_has(o->mod_name);
	if (lx_sym(lx, "modules", &head) < 0) {
		if (!usable)
			return 0;   /* a kernel without loadable modules */
		if ((r = lx_modules_find(lx, &head, errbuf)) < 0)
			return r == MF_ERR_NOTFOUND ? 0 : r;   /* no module loaded */
	}
	if (!usable)
		return lx->host->error(errbuf, MF_ERR_UNSUPPORTED, "linux: BTF has no usable struct module");
	if (lx_kread_u64(lx, head, &next) < 0)
		return lx->host->error(errbuf, MF_ERR_NOTMAPPED, "linux: cannot read the module list at 0x%" PRIx64, head);
	if ((b = malloc(o->module_size)) == NULL)
		return lx->host->error(errbuf, MF_ERR_NOMEM, "linux: out of memory listing modules");
	seen_add(&seen, head);
	r = 0;
	while (next != head && r == 0) {
		uint64_t mod = next - o->mod_list.off, base, size;
		struct mf_module m = { .struct_size = sizeof m, .pid = 0, .path = "", .arch = lx->kspace.arch };
		char name[LX_MODULE_NAME_MAX + 1];
		size_t i;

		if (++n > LX_MAX_KMODS || !lx_kptr_ok(next) || seen_add(&seen, next) != 1 ||
		    lx_kread(lx, mod, b, o->module_size) < 0) {
			lx->host->log(0, "linux: the module list breaks at 0x%" PRIx64 " after %zu modules: stopped", next, n - 1);
			break;
		}
		next = lx_get(b, o->module_size, (struct lx_field){ o->mod_list.off, 8 });
		if (lx_has(o->mod_state) && lx_get(b, o->module_size, o->mod_state) == LX_MODULE_STATE_UNFORMED)
			continue;
		if (o->mod_name.off + LX_MODULE_NAME_MAX > o->module_size)
			break;
		memcpy(name, b + o->mod_name.off, LX_MODULE_NAME_MAX);
		name[LX_MODULE_NAME_MAX] = '\0';
		for (i = 0; name[i] != '\0'; i++)
			if (name[i] <= 0x20 || name[i] > 0x7e)
				name[i] = '?';
		lx_kmod_extent(o, b, o->module_size, &base, &size);
		m.name = name;
		m.base = base;
		m.size = size;
		r = cb(ctx, &m);
	}
	free(b);
	seen_free(&seen);
	return r;
}

/* ---- process modules -------------------------------------------------------------------- */

static int
lx_mods_map_cb(void *ctx, const struct mf_map *m)
{
	return mapmods_add(ctx, m) < 0 ? MF_ERR_NOMEM : 0;
}

static int
lx_process_modules(const struct lx *lx, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf)
{
	struct mapmods c;
	struct mf_space sp;
	struct mf_iov *iov;
	struct lx_task t;
	size_t i;
	int r;

	if ((r = lx_task_find(lx, pid, &t, errbuf)) < 0)
		return r;
	if (t.mm == 0)
		return 0;   /* a kernel thread has no modules of its own */
	if (lx_task_space(lx, &t, &sp) < 0)
		return lx->host->error(errbuf, MF_ERR_NOTMAPPED, "pid %" PRIu64 ": its page tables cannot be read", pid);
	memset(&c, 0, sizeof c);
	if ((r = lx_task_maps(lx, &t, lx_mods_map_cb, &c, errbuf)) != 0) {
		mapmods_free(&c);
		return r == MF_ERR_NOMEM ? lx->host->error(errbuf, r, "linux: out of memory listing modules") : r;
	}
	if (c.n > 0) {
		if ((iov = calloc(c.n, sizeof *iov)) == NULL) {
			mapmods_free(&c);
			return lx->host->error(errbuf, MF_ERR_NOMEM, "linux: out of memory listing modules");
		}
		for (i = 0; i < c.n; i++)
			iov[i] = (struct mf_iov){ .addr = c.mods[i].base, .buf = c.mods[i].head, .len = MAPMODS_HEAD };
		r = lx->phys->vread(lx->phys->ctx, &sp, iov, c.n);
		for (i = 0; i < c.n; i++)
			c.mods[i].err = r < 0 ? r : iov[i].err;
		free(iov);
	}
	r = mapmods_emit(&c, pid, lx->kspace.arch, cb, ctx);
	mapmods_free(&c);
	return r;
}

int
lx_modules(void *handle, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf)
{
	struct lx *lx = handle;
	int r;

	if ((r = lx_need_types(lx, errbuf)) < 0)
		return r;

	if (pid == 0)
		return lx_kernel_modules(lx, cb, ctx, errbuf);
	return lx_process_modules(lx, pid, cb, ctx, errbuf);
}
