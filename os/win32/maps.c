/* maps.c: a process's memory maps from its VAD tree.
 *
 * EPROCESS.VadRoot is the root of an AVL tree of _MMVAD_SHORT nodes (RTL_BALANCED_NODE
 * Left/Right), walked in order, so the maps come out by address.  A node's range is
 * (StartingVpn | StartingVpnHigh << 32) << 12 to the page after EndingVpn (x86 has no
 * High bytes); its
 * _MMVAD_FLAGS give the protection (MM_* values: the low 3 bits say read, write, execute)
 * and whether it is private; a mapped file's name is
 * _MMVAD.Subsection->ControlArea->FilePointer (an _EX_FAST_REF)->FileName.  The offsets
 * are optional members of the tables (offsets.c): without them there are no maps.  The
 * tree is hostile: the walk keeps a visited set, a depth cap and a count cap. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pluginlib/bytes.h"
#include "pluginlib/peb.h"
#include "pluginlib/seen.h"
#include "win32.h"

#define W32_MAX_VADS (1u << 20)
#define W32_VAD_DEPTH 64              /* an AVL tree of 2^20 nodes is < 30 deep */

/* MM_* protection (low 3 bits) as "rwx" */
static const char *const w32_prot[8] = { "---", "r--", "--x", "r-x", "rw-", "rw-", "rwx", "rwx" };

/* One node, read and handed on. */
static int
w32_vad_emit(struct w32 *w, uint64_t pid, uint64_t node, mf_map_cb cb, void *ctx)
{
	const uint64_t *o = w->off;
	uint8_t sv[4], ev[4], fl[4], sh = 0, eh = 0;
	uint64_t sub, ca, fp, start, end, flags;
	char perms[5], eb[MF_ERRBUF_SIZE], *path = NULL;
	unsigned prot, priv;
	int r;

	if (w32_kread(w, node + o[W32_VAD_START], sv, 4) < 0 || w32_kread(w, node + o[W32_VAD_END], ev, 4) < 0 ||
	    (w->is64 && (w32_kread(w, node + o[W32_VAD_START_HIGH], &sh, 1) < 0 ||
	                 w32_kread(w, node + o[W32_VAD_END_HIGH], &eh, 1) < 0)) ||
	    w32_kread(w, node + o[W32_VAD_FLAGS], fl, 4) < 0)
		return MF_ERR_NOTMAPPED;
	flags = get_le32(fl);
	prot = (unsigned)(flags >> W32_BITPOS(o[W32_VADF_PROTECTION]) & ((1ull << W32_NBITS(o[W32_VADF_PROTECTION])) - 1));
	priv = (unsigned)(flags >> W32_BITPOS(o[W32_VADF_PRIVATE]) & 1);
	start = ((uint64_t)sh << 32 | get_le32(sv)) << 12;
	end = (((uint64_t)eh << 32 | get_le32(ev)) + 1) << 12;
	if (end <= start)
		return 0;   /* a node that says nothing: skipped */
	snprintf(perms, sizeof perms, "%s%c", w32_prot[prot & 7], priv ? 'p' : 's');
	if (!priv && w32_kread_ptr(w, node + o[W32_VAD_SUBSECTION], &sub) == 0 && w32_kptr_ok(w, sub) &&
	    w32_kread_ptr(w, sub + o[W32_SUBSECTION_CA], &ca) == 0 && w32_kptr_ok(w, ca) &&
	    w32_kread_ptr(w, ca + o[W32_CA_FILE], &fp) == 0 && w32_kptr_ok(w, w32_fast_ref(w, fp)))
		peb_ustring(w32_fast_ref(w, fp) + o[W32_FILE_NAME], w->is64, w32_pe_read, w, &path, eb);
	struct mf_map m = {
		.struct_size = sizeof m,
		.pid = pid,
		.start = start,
		.end = end,
		.perms = perms,
		.path = path != NULL ? path : "",
	};
	r = cb(ctx, &m);
	free(path);
	return r;
}

int
w32_maps(void *handle, uint64_t pid, mf_map_cb cb, void *ctx, char *errbuf)
{
	struct w32 *w = handle;
	uint64_t ep;
	struct seen seen = { 0 };
	uint64_t stack[W32_VAD_DEPTH], node;
	unsigned depth = 0, n = 0;
	int r;

	if (!w->have_vad)
		return w->host->error(errbuf, MF_ERR_UNSUPPORTED, "win32: no VAD offsets in %s: no memory maps", w->offsets_from);
	if (pid == 0)
		return w->host->error(errbuf, MF_ERR_UNSUPPORTED, "win32: the kernel has no VAD tree (maps are per process)");
	if ((r = w32_process_object(w, pid, &ep, NULL, errbuf)) < 0)
		return r;
	if (w32_kread_ptr(w, ep + w->off[W32_EPROCESS_VAD_ROOT], &node) < 0)
		return w->host->error(errbuf, MF_ERR_NOTMAPPED, "win32: pid %" PRIu64 ": its VadRoot cannot be read", pid);
	/* in order: down the left spine, a node, then its right subtree */
	for (r = 0; r == 0 && (node != 0 || depth > 0);) {
		if (node != 0) {
			if (!w32_kptr_ok(w, node)) {
				w->host->log(0, "win32: pid %" PRIu64 ": the VAD tree leads to 0x%" PRIx64 ": that subtree is left out", pid,
				             node);
				node = 0;
				continue;
			}
			if ((r = seen_add(&seen, node)) <= 0) {
				if (r < 0) {
					r = w->host->error(errbuf, MF_ERR_NOMEM, "out of memory");
					break;
				}
				w->host->log(0, "win32: pid %" PRIu64 ": the VAD tree loops back to 0x%" PRIx64 ": the walk ends there",
				             pid, node);
				r = 0;
				break;
			}
			r = 0;
			if (depth == W32_VAD_DEPTH || n++ == W32_MAX_VADS) {
				w->host->log(0, "win32: pid %" PRIu64 ": the VAD tree is deeper than %u or larger than %u nodes: the"
				             " walk ends there", pid, W32_VAD_DEPTH, W32_MAX_VADS);
				break;
			}
			stack[depth++] = node;
			if (w32_kread_ptr(w, node + w->off[W32_VAD_LEFT], &node) < 0)
				node = 0;
			continue;
		}
		node = stack[--depth];
		if ((r = w32_vad_emit(w, pid, node, cb, ctx)) == MF_ERR_NOTMAPPED) {
			w->host->log(0, "win32: pid %" PRIu64 ": the VAD node at 0x%" PRIx64 " cannot be read: left out", pid, node);
			r = 0;
		}
		if (r != 0 || w32_kread_ptr(w, node + w->off[W32_VAD_RIGHT], &node) < 0)
			node = 0;
	}
	seen_free(&seen);
	return r;
}
