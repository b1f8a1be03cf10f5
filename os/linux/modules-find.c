/* modules-find.c: the head of the kernel's module list (`modules`, a static list_head in
 * the image's data) when kallsyms does not name it: Debian's arm64 kernels are built
 * without KALLSYMS_ALL, so their kallsyms lists text symbols only.
 *
 * A loaded module's struct module lives in module memory, and its mkobj.mod points back to
 * the struct itself.  So RAM is scanned for a cacheline-aligned place whose mkobj.mod
 * holds a kernel address with the same offset in its page as the place (vmalloc keeps
 * offsets in pages) and that translates back to exactly that place: a struct module, found
 * with no name or symbol known.  Its list is then walked round; every node is a module
 * (its mkobj.mod is itself) but one: that one is the head.  No module loaded: nothing is
 * found, and the list is empty. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lxtypes.h"
#include "pluginlib/bytes.h"
#include "pluginlib/kfind.h"

#define LX_MODULE_ALIGN 64u          /* struct module is ____cacheline_aligned */
#define LX_MODULE_NAME_MAX 56        /* MODULE_NAME_LEN on 64-bit */
#define LX_MODULE_STATE_MAX 3        /* MODULE_STATE_UNFORMED */
#define LX_MODULES_MAX (1u << 16)

struct lx_modfind {
	const struct lx *lx;
	const struct lx_off *o;
	uint8_t *mod;                    /* module_size bytes */
	uint64_t found;                  /* the struct module's virtual address */
};

/* Is the struct module at VA (read into f->mod) one by its own account: mkobj.mod is VA,
 * state a module state, a printable name, and list neighbours that point back at it? */
static bool
lx_modfind_is_module(struct lx_modfind *f, uint64_t va)
{
	const struct lx_off *o = f->o;
	uint64_t next, prev, back;
	size_t i;

	if (lx_kread(f->lx, va, f->mod, o->module_size) < 0 || lx_get(f->mod, o->module_size, o->mod_mkobj_mod) != va)
		return false;
	if (lx_has(o->mod_state) && lx_get(f->mod, o->module_size, o->mod_state) > LX_MODULE_STATE_MAX)
		return false;
	for (i = 0; i < LX_MODULE_NAME_MAX; i++) {
		uint8_t c = f->mod[o->mod_name.off + i];

		if (c == '\0')
			break;
		if (c <= 0x20 || c > 0x7e)
			return false;
	}
	if (i == 0 || i == LX_MODULE_NAME_MAX)
		return false;
	next = lx_get(f->mod, o->module_size, (struct lx_field){ o->mod_list.off, 8 });
	prev = lx_get(f->mod, o->module_size, (struct lx_field){ o->mod_list.off + 8, 8 });
	return lx_kptr_ok(next) && lx_kptr_ok(prev) && lx_kread_u64(f->lx, next + 8, &back) == 0 &&
	       back == va + o->mod_list.off && lx_kread_u64(f->lx, prev, &back) == 0 && back == va + o->mod_list.off;
}

static int
lx_modfind_chunk(void *ctx, const struct kfind_src *src, uint64_t pa, const uint8_t *b, size_t n)
{
	struct lx_modfind *f = ctx;
	const struct lx *lx = f->lx;
	uint32_t off = f->o->mod_mkobj_mod.off;
	uint64_t place, q;

	(void)src;
	/* every aligned place whose mkobj.mod field lies in this chunk */
	place = pa >= off ? pa - off : 0;
	place = (place + LX_MODULE_ALIGN - 1) / LX_MODULE_ALIGN * LX_MODULE_ALIGN;
	for (; (q = place + off - pa) + 8 <= n; place += LX_MODULE_ALIGN) {
		uint64_t va = get_le64(b + q), got;

		if ((va & 0xfff) != (place & 0xfff) || !lx_kptr_ok(va) || lx->phys->vtop == NULL ||
		    lx->phys->vtop(lx->phys->ctx, &lx->kspace, va, &got) < 0 || got != place)
			continue;
		if (lx_modfind_is_module(f, va)) {
			f->found = va;
			return 1;
		}
	}
	return 0;
}

/* From the struct module at MOD round its list to the one node that is no module. */
static int
lx_modfind_head(struct lx_modfind *f, uint64_t mod, uint64_t *head)
{
	const struct lx_off *o = f->o;
	struct seen seen = { 0 };
	uint64_t node = mod + o->mod_list.off, start = node;
	size_t n = 0;
	int r = MF_ERR_NOTFOUND;

	*head = 0;
	do {
		if (++n > LX_MODULES_MAX || seen_add(&seen, node) != 1 || lx_kread_u64(f->lx, node, &node) < 0 ||
		    !lx_kptr_ok(node))
			break;
		if (node == start) {
			r = *head != 0 ? 0 : MF_ERR_NOTFOUND;
			break;
		}
		if (!lx_modfind_is_module(f, node - o->mod_list.off)) {
			if (*head != 0)
				break;   /* two nodes that are no module: not the module list */
			*head = node;
		}
	} while (true);
	seen_free(&seen);
	return r;
}

int
lx_modules_find(const struct lx *lx, uint64_t *head, char *errbuf)
{
	const struct lx_off *o = &lx->types->off;
	struct lx_modfind f = { .lx = lx, .o = o };
	struct kfind_src src;
	int r;

	if (!lx_has(o->mod_mkobj_mod) || o->mod_mkobj_mod.size != 8 || o->module_size == LX_NONE ||
	    o->mod_name.off + LX_MODULE_NAME_MAX > o->module_size || o->mod_list.off + 16 > o->module_size)
		return lx->host->error(errbuf, MF_ERR_UNSUPPORTED, "linux: BTF has no usable struct module");
	if ((f.mod = malloc(o->module_size)) == NULL)
		return lx->host->error(errbuf, MF_ERR_NOMEM, "linux: out of memory looking for the module list");
	kfind_src_phys(&src, lx->phys);
	r = kfind_scan(&src, 0, lx_modfind_chunk, &f);
	if (r == 1)
		r = lx_modfind_head(&f, f.found, head) < 0 ? MF_ERR_FORMAT : 1;
	free(f.mod);
	if (r == 0) {
		lx->host->log(1, "linux: no modules symbol, and no loaded module found in memory: no modules listed");
		return MF_ERR_NOTFOUND;
	}
	if (r == MF_ERR_FORMAT)
		return lx->host->error(errbuf, r, "linux: a struct module found at 0x%" PRIx64 ", but its list does not lead to a head",
		                       f.found);
	if (r < 0)
		return lx->host->error(errbuf, r, "linux: cannot scan memory for the module list: %s", lx->host->strerror(r));
	lx->host->log(1, "linux: no modules symbol: the module list's head at 0x%" PRIx64 ", from the module at 0x%" PRIx64
	              " found in memory", *head, f.found);
	return 0;
}
