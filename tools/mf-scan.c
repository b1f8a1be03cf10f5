/* mf-scan: search physical memory, the kernel or processes for byte patterns, strings and
 * typed values (and rescan earlier hits: the CheatEngine workflow as a pipeline).  The main:
 * its options are scan-opts.c, its spaces and regions scan-space.c, the scan and its output
 * scan-out.c, rescans scan-rescan.c; the engine and the matchers are libcommon/scan/. */
#include "config.h"
#include "scan-tool.h"

#include <stdlib.h>

static struct tool scan_tool;

int
main(int argc, char **argv)
{
	struct scan_state st = { .tl = &scan_tool };
	struct tool *tl = &scan_tool;
	struct scan_rescan rs;
	size_t i;
	int c;

	scan_parse_opts(&st, &rs, argc, argv);
	tool_spaces_stdin(tl, &st.sp);
	if (st.rescan != NULL && st.snapshot != NULL) {
		/* the target is the snapshot's own unless named; stdin is not read */
		if (tl->topt.conn == NULL && tl->topt.os == NULL && tl->topt.tfile == NULL)
			tl->topt.tfile = st.snapshot;
		tl->topt.read_stdin = false;
	}
	tool_open(tl, false);
	if ((st.rec = mf_rec_new("hit")) == NULL)
		tool_oom();

	if (st.rescan != NULL) {
		tool_write_target(tl);
		if (st.snapshot != NULL) {
			if (tl->fmt == MF_FMT_MSGPACK)
				scan_pack_begin(&st);
			scan_snap_rescan(&st, &rs);
			scan_pack_end(&st);
		} else {
			if (tl->fmt == MF_FMT_MSGPACK)
				scan_pack_begin(&st);
			scan_rescan_run(&st, &rs);
			scan_pack_end(&st);
		}
	} else {
		scan_open_spaces(&st);
		tool_write_target(tl);
		if (st.carve != NULL)
			scan_carve_run(&st);
		else if (st.snapshot != NULL)
			scan_snap_write(&st);
		else {
			/* a first typed scan's dense hits, packed (see scan-pack.c) */
			if (tl->fmt == MF_FMT_MSGPACK && st.have_typed && !st.context_given)
				scan_pack_begin(&st);
			scan_run(&st);
			scan_pack_end(&st);
		}
	}
	if (st.stats.unreadable > 0 && tl->verbosity < 1)
		mf_log(1, "%llu bytes unreadable, skipped", (unsigned long long)st.stats.unreadable);
	for (i = 0; i < st.npats; i++)
		scan_pat_free(&st.pats[i]);
	free(st.pats);
	scan_typed_free(&st.typed);
	free(st.sp.pids);
	free(st.sp.names);
	scan_regions_free(&st.regions);
	for (i = 0; i < st.nspaces; i++)
		mf_aspace_close(st.spaces[i]);
	free(st.spaces);
	free(st.failed);
	mf_rec_free(st.rec);
	scan_yara_free(st.yara);
	scan_multi_free(st.multi);
	/* hits found: exit 0 even when every process they came from exited since (a warning) */
	c = tool_finish(tl, st.stats.emitted > 0 ? st.status : tool_spaces_status(tl, st.status));
	if (c != TOOL_EXIT_OK)
		return c;
	/* a snapshot saved is a success; a scan or rescan, when it found something */
	return st.stats.emitted > 0 || (st.snapshot != NULL && st.rescan == NULL) ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}
