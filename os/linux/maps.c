/* maps.c: the memory maps of a process: its VMAs from the maple tree (mm_struct.mm_mt,
 * 6.1+) or from the VMA list (mm_struct.mmap, before), whichever the kernel's BTF says
 * mm_struct has; perms, file offset and a name as /proc/PID/maps gives them (the file's
 * path, [heap], [stack], or a special mapping's own name such as [vdso]).
 *
 * Guest memory is hostile: every node and VMA pointer is checked, nodes are visited once
 * (a set of those seen), the tree is at most LX_MT_DEPTH deep, VMAs must come in
 * ascending order, and a process has at most LX_MAX_VMAS of them; a walk that breaks ends
 * with a warning and what it read. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "maps.h"
#include "pluginlib/bytes.h"

#define LX_MAX_VMAS (1u << 20)      /* vm.max_map_count defaults to 65530 */
#define LX_MT_DEPTH 32              /* MAPLE_HEIGHT_MAX is 31 */
#define LX_MT_NODE 256              /* sizeof(struct maple_node) */
#define LX_MT_ZERO_ENTRY 0x406ull   /* XA_ZERO_ENTRY: a reserved, empty slot */
#define LX_VM_READ 0x1ull
#define LX_VM_WRITE 0x2ull
#define LX_VM_EXEC 0x4ull
#define LX_VM_MAYSHARE 0x80ull

/* maple_type */
enum { LX_MT_DENSE, LX_MT_LEAF_64, LX_MT_RANGE_64, LX_MT_ARANGE_64 };

struct lx_vwalk {
	const struct lx *lx;
	lx_vma_cb cb;
	void *ctx;
	struct seen seen;
	uint8_t *vbuf;          /* one vm_area_struct */
	uint64_t prev_end;
	uint64_t next;          /* the VMA list: vm_next of the last VMA */
	size_t n;
	uint64_t pid;
	int stop;               /* the callback's value, or 1 after a warning */
	int warned;
};

static void
lx_vwalk_warn(struct lx_vwalk *w, const char *what, uint64_t at)
{
	w->lx->host->log(0, "linux: the memory maps of pid %" PRIu64 " break at 0x%" PRIx64 " (%s) after %zu mappings: stopped",
	                 w->pid, at, what, w->n);
	w->stop = 1;
	w->warned = 1;
}

/* One VMA by its address: read, checked, handed to the callback. */
static void
lx_vwalk_vma(struct lx_vwalk *w, uint64_t addr)
{
	const struct lx_off *o = &w->lx->types->off;
	struct lx_vma v;

	if (!lx_kptr_ok(addr)) {
		lx_vwalk_warn(w, "a wild VMA pointer", addr);
		return;
	}
	if (w->n >= LX_MAX_VMAS) {
		lx_vwalk_warn(w, "too many mappings", addr);
		return;
	}
	if (lx_kread(w->lx, addr, w->vbuf, o->vma_size) < 0) {
		lx_vwalk_warn(w, "an unreadable VMA", addr);
		return;
	}
	v.addr = addr;
	v.start = lx_get(w->vbuf, o->vma_size, o->vma_start);
	v.end = lx_get(w->vbuf, o->vma_size, o->vma_end);
	v.flags = lx_get(w->vbuf, o->vma_size, o->vma_flags);
	v.pgoff = lx_get(w->vbuf, o->vma_size, o->vma_pgoff);
	v.file = lx_get(w->vbuf, o->vma_size, o->vma_file);
	v.ops = lx_get(w->vbuf, o->vma_size, o->vma_ops);
	v.priv = lx_get(w->vbuf, o->vma_size, o->vma_private);
	if (v.start >= v.end || v.start < w->prev_end || (v.end >> 63) != 0) {
		lx_vwalk_warn(w, "a VMA out of order", addr);
		return;
	}
	w->n++;
	w->prev_end = v.end;
	w->next = lx_get(w->vbuf, o->vma_size, o->vma_next);
	w->stop = w->cb(w->ctx, &v);
}

static int
lx_mt_is_node(uint64_t e)
{
	return (e & 3) == 2 && e > 4096;
}

/* A maple node, in order: leaves hold VMAs, the others child nodes.  `max` is the
 * highest index the node covers (from its parent's pivot), for the last-slot rule. */
static void
lx_mt_node(struct lx_vwalk *w, uint64_t entry, uint64_t max, int depth)
{
	uint8_t b[LX_MT_NODE];
	uint64_t node = entry & ~0xffull;
	unsigned type = (unsigned)(entry >> 3) & 0xf, nslots, npivots, slots, end, i;
	int a = -1;

	if (depth > LX_MT_DEPTH) {
		lx_vwalk_warn(w, "a maple tree too deep", node);
		return;
	}
	if (!lx_kptr_ok(node) || (a = seen_add(&w->seen, node)) <= 0) {
		/* -1: wild (or out of memory for the set), 0: a cycle */
		lx_vwalk_warn(w, a == 0 ? "a maple node seen twice" : "a wild maple node", node);
		return;
	}
	if (lx_kread(w->lx, node, b, sizeof b) < 0) {
		lx_vwalk_warn(w, "an unreadable maple node", node);
		return;
	}
	switch (type) {
	case LX_MT_LEAF_64:
	case LX_MT_RANGE_64:
		nslots = 16, npivots = 15, slots = 128;
		/* the last used slot: metadata when the node is not full */
		if (get_le64(b + 8 + 14 * 8) == 0)
			end = b[128 + 15 * 8];
		else if (get_le64(b + 8 + 14 * 8) == max)
			end = 14;
		else
			end = 15;
		break;
	case LX_MT_ARANGE_64:
		nslots = 10, npivots = 9, slots = 80;
		end = b[240];
		break;
	default:
		lx_vwalk_warn(w, "a maple node of an unknown type", node);
		return;
	}
	if (end >= nslots)
		end = nslots - 1;
	for (i = 0; i <= end && w->stop == 0; i++) {
		uint64_t e = get_le64(b + slots + 8 * i);
		uint64_t cmax = i < npivots && get_le64(b + 8 + 8 * i) != 0 ? get_le64(b + 8 + 8 * i) : max;

		if (e == 0 || e == LX_MT_ZERO_ENTRY)
			continue;
		if (type == LX_MT_LEAF_64)
			lx_vwalk_vma(w, e);
		else if (lx_mt_is_node(e))
			lx_mt_node(w, e, cmax, depth + 1);
		else
			lx_vwalk_warn(w, "a maple slot that is no node", node);
	}
}

int
lx_vma_walk(const struct lx *lx, const struct lx_task *t, lx_vma_cb cb, void *ctx, char *errbuf)
{
	const struct lx_off *o = &lx->types->off;
	struct lx_vwalk w = { .lx = lx, .cb = cb, .ctx = ctx, .pid = t->tgid };
	uint64_t root;

	if (t->mm == 0)
		return 0;   /* a kernel thread maps nothing (as its /proc/PID/maps is empty) */
	if (!lx_kptr_ok(t->mm))
		return lx->host->error(errbuf, MF_ERR_FORMAT, "pid %" PRIu64 ": a wild mm pointer 0x%" PRIx64, t->tgid, t->mm);
	if (o->vma_size == LX_NONE || !lx_has(o->vma_start) || !lx_has(o->vma_end) || !lx_has(o->vma_flags))
		return lx->host->error(errbuf, MF_ERR_UNSUPPORTED, "linux: BTF has no usable vm_area_struct");
	if ((w.vbuf = malloc(o->vma_size)) == NULL)
		return lx->host->error(errbuf, MF_ERR_NOMEM, "linux: out of memory reading maps");
	if (lx_has(o->mm_mt_root)) {
		if (lx_kread_u64(lx, t->mm + o->mm_mt_root.off, &root) < 0) {
			free(w.vbuf);
			return lx->host->error(errbuf, MF_ERR_NOTMAPPED, "linux: cannot read the maple tree of pid %" PRIu64, t->tgid);
		}
		if (lx_mt_is_node(root))
			lx_mt_node(&w, root, UINT64_MAX, 0);
		else if (root != 0)
			lx_vwalk_vma(&w, root);   /* a tree of one entry holds it in the root */
	} else if (lx_has(o->mm_mmap) && lx_has(o->vma_next)) {
		if (lx_kread_u64(lx, t->mm + o->mm_mmap.off, &w.next) < 0) {
			free(w.vbuf);
			return lx->host->error(errbuf, MF_ERR_NOTMAPPED, "linux: cannot read the VMA list of pid %" PRIu64, t->tgid);
		}
		while (w.next != 0 && w.stop == 0) {
			uint64_t at = w.next;

			lx_vwalk_vma(&w, at);   /* ascending order also ends a cycle */
		}
	} else {
		free(w.vbuf);
		return lx->host->error(errbuf, MF_ERR_UNSUPPORTED, "linux: BTF's mm_struct has neither a maple tree nor a VMA list");
	}
	free(w.vbuf);
	seen_free(&w.seen);
	return w.warned ? 0 : w.stop;
}

/* ---- map records ------------------------------------------------------------------------ */

struct lx_maps_ctx {
	const struct lx *lx;
	const struct lx_task *t;
	mf_map_cb cb;
	void *ctx;
	uint64_t start_brk, brk, start_stack, vdso;
	uint64_t special_ops[2];   /* special_mapping_vmops, legacy_special_mapping_vmops */
	char path[4096];
};

/* The name /proc/PID/maps gives an anonymous mapping, or "". */
static const char *
lx_anon_name(struct lx_maps_ctx *c, const struct lx_vma *v)
{
	uint64_t name;
	size_t i;

	if (v->start <= c->brk && v->end >= c->start_brk && c->start_brk != 0)
		return "[heap]";
	if (v->start <= c->start_stack && v->end >= c->start_stack)
		return "[stack]";
	if (v->ops != 0 && (v->ops == c->special_ops[0] || v->ops == c->special_ops[1]) && lx_kptr_ok(v->priv) &&
	    lx_kread_u64(c->lx, v->priv, &name) == 0 && (name >> 63) != 0 && lx_kread(c->lx, name, c->path, 32) == 0) {
		c->path[31] = '\0';
		for (i = 0; c->path[i] != '\0'; i++)
			if (c->path[i] < 0x20 || c->path[i] > 0x7e)
				return "";
		return c->path;
	}
	/* without the special mappings' vm_ops symbol (no data symbols in kallsyms): the vDSO
	 * is where mm->context.vdso says, its data pages (vvar) right below it */
	if (c->special_ops[0] == 0 && c->vdso != 0 && v->start == c->vdso)
		return "[vdso]";
	if (c->special_ops[0] == 0 && c->vdso != 0 && v->end == c->vdso)
		return "[vvar]";
	return "";
}

static int
lx_maps_cb(void *ctx, const struct lx_vma *v)
{
	struct lx_maps_ctx *c = ctx;
	struct mf_map m = { .struct_size = sizeof m };
	char perms[5];

	perms[0] = (v->flags & LX_VM_READ) ? 'r' : '-';
	perms[1] = (v->flags & LX_VM_WRITE) ? 'w' : '-';
	perms[2] = (v->flags & LX_VM_EXEC) ? 'x' : '-';
	perms[3] = (v->flags & LX_VM_MAYSHARE) ? 's' : 'p';
	perms[4] = '\0';
	m.pid = c->t->tgid;
	m.start = v->start;
	m.end = v->end;
	m.perms = perms;
	m.offset = 0;
	m.path = "";
	if (v->file != 0) {
		m.offset = v->pgoff << 12;
		if (lx_kptr_ok(v->file) && lx_file_path(c->lx, v->file, c->path, sizeof c->path) > 0)
			m.path = c->path;
	} else {
		m.path = lx_anon_name(c, v);
	}
	return c->cb(c->ctx, &m);
}

int
lx_task_maps(const struct lx *lx, const struct lx_task *t, mf_map_cb cb, void *ctx, char *errbuf)
{
	const struct lx_off *o = &lx->types->off;
	struct lx_maps_ctx *c = calloc(1, sizeof *c);
	int r;

	if (c == NULL)
		return lx->host->error(errbuf, MF_ERR_NOMEM, "linux: out of memory reading maps");
	c->lx = lx;
	c->t = t;
	c->cb = cb;
	c->ctx = ctx;
	if (t->mm != 0) {
		if (lx_has(o->mm_start_brk))
			lx_kread_u64(lx, t->mm + o->mm_start_brk.off, &c->start_brk);
		if (lx_has(o->mm_brk))
			lx_kread_u64(lx, t->mm + o->mm_brk.off, &c->brk);
		if (lx_has(o->mm_start_stack))
			lx_kread_u64(lx, t->mm + o->mm_start_stack.off, &c->start_stack);
		if (lx_has(o->mm_vdso))
			lx_kread_u64(lx, t->mm + o->mm_vdso.off, &c->vdso);
	}
	lx_sym(lx, "special_mapping_vmops", &c->special_ops[0]);
	lx_sym(lx, "legacy_special_mapping_vmops", &c->special_ops[1]);
	r = lx_vma_walk(lx, t, lx_maps_cb, c, errbuf);
	free(c);
	return r;
}

int
lx_maps(void *handle, uint64_t pid, mf_map_cb cb, void *ctx, char *errbuf)
{
	struct lx *lx = handle;
	struct lx_task t;
	int r;

	if ((r = lx_need_types(lx, errbuf)) < 0)
		return r;
	if ((r = lx_task_find(lx, pid, &t, errbuf)) < 0)
		return r;
	return lx_task_maps(lx, &t, cb, ctx, errbuf);
}
