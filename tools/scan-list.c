/* scan-list.c: mf-scan -F: a pattern list read and, with the -x and -s patterns, compiled
 * into one many-pattern pass. */
#include "config.h"
#include "scan-tool.h"

void
scan_list_load(struct scan_state *st)
{
	struct tool *tl = st->tl;
	size_t cap = st->npats;
	int r;

	if ((r = scan_pat_list(st->list_file, &st->pats, &st->npats, &cap, tl->errbuf)) == MF_ERR_NOMEM)
		tool_oom();
	else if (r == MF_ERR_ARG)
		tool_usage_error(tl, "%s", tl->errbuf);
	else if (r < 0)
		tool_die(tl, "%s", tl->errbuf);
	if (st->npats == 0)
		tool_usage_error(tl, "%s: no patterns (one a line; lines starting with # are comments)", st->list_file);
	if ((r = scan_multi_build(st->pats, st->npats, &st->multi, tl->errbuf)) == MF_ERR_NOMEM)
		tool_oom();
	else if (r < 0)
		tool_die(tl, "%s", tl->errbuf);
}
