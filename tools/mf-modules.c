/* mf-modules: the modules (or, with --maps, the memory maps) of the selected processes. */
#include "config.h"
#include "tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MODULES_OPT_MAPS = TOOL_OPT_FIRST_OWN };

struct modules_state {
	struct tool *tl;
	struct tool_spaces spaces;
	bool maps;
	struct mf_rec *rec;
	uint64_t pid;      /* of the maps being listed */
	int status;
};

static struct tool modules_tool;

static void
modules_usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "usage: mf-modules [options] [-p PID[,PID...]]... [-n NAME]... [--kernel] [--maps]\n");
	if (status) {
		fprintf(f, "Try 'mf-modules --help' for more information.\n");
		exit(status);
	}
	fprintf(f,
	        "\nList the modules (mapped executables and libraries, or kernel modules) of the\n"
	        "selected processes: those given with -p/-n/--kernel, else the `process` records\n"
	        "on stdin (as written by mf-ps).  Other records on stdin are ignored.\n"
	        "\nSelection:\n"
	        "      --kernel           the kernel's modules (pid 0)\n"
	        "  -n, --name=NAME        processes whose name or argv[0] matches the glob NAME\n"
	        "                         (repeatable)\n"
	        "  -p, --pid=PID[,PID]    these processes (repeatable)\n"
	        "\nWhat to list:\n"
	        "      --maps             memory maps (start, end, permissions, file) instead; from\n"
	        "                         the page tables when the os layer lists none\n");
	tool_usage_common(f, false);
	exit(status);
}

static int
modules_module_cb(void *ctx, const struct mf_module *m)
{
	struct modules_state *st = ctx;

	if (mf_module_rec(m, st->rec) < 0)
		tool_oom();
	tool_rec(st->tl, st->rec);
	return 0;
}

static int
modules_map_cb(void *ctx, const struct mf_map *m)
{
	struct modules_state *st = ctx;

	if (mf_map_rec(m, st->rec) < 0)
		tool_oom();
	tool_rec(st->tl, st->rec);
	return 0;
}

static int
modules_region_cb(void *ctx, const struct mf_region *rg)
{
	struct modules_state *st = ctx;
	struct mf_map m = { .pid = st->pid, .start = rg->start, .end = rg->end, .perms = rg->perms,
	                    .offset = rg->offset, .path = rg->path };

	return modules_map_cb(st, &m);
}

/* --maps when the os layer offers none: the address space's regions (its page map; pid 0:
 * the kernel half). */
static int
modules_pagemap(struct modules_state *st, uint64_t pid)
{
	struct tool *tl = st->tl;
	struct mf_aspace_id id = { .kind = pid == 0 ? MF_ASPACE_KERNEL : MF_ASPACE_PROCESS, .pid = pid };
	struct mf_aspace *as;
	int r;

	if ((r = mf_aspace_open(tl->t, &id, &as, tl->errbuf)) < 0)
		return r;
	st->pid = pid;
	r = mf_aspace_regions(as, modules_region_cb, st, tl->errbuf);
	mf_aspace_close(as);
	return r;
}

static void
modules_one(struct modules_state *st, uint64_t pid)
{
	struct tool *tl = st->tl;
	int r;

	if (st->maps) {
		r = mf_target_has_os(tl->t) ? mf_maps(tl->t, pid, modules_map_cb, st, tl->errbuf) : MF_ERR_UNSUPPORTED;
		if (r == MF_ERR_UNSUPPORTED && mf_target_has_phys(tl->t))
			r = modules_pagemap(st, pid);
	} else
		r = mf_modules(tl->t, pid, modules_module_cb, st, tl->errbuf);
	if (r >= 0) {
		tool_space_worked(tl);
		return;
	}
	/* a process that exited since it was listed: a warning, go on */
	if (pid != 0 && tool_space_gone(tl, pid, r))
		return;
	if (r == MF_ERR_NOTFOUND)
		tool_err(tl, "%s", tl->errbuf);
	else
		tool_err(tl, "cannot list %s of pid %llu: %s", st->maps ? "memory maps" : "modules", (unsigned long long)pid,
		         tl->errbuf);
	st->status = TOOL_EXIT_FAIL;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		TOOL_LONGOPTS_COMMON,
		{ "kernel", no_argument, NULL, TOOL_OPT_KERNEL },
		{ "maps", no_argument, NULL, MODULES_OPT_MAPS },
		{ "name", required_argument, NULL, 'n' },
		{ "pid", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct modules_state st = { .tl = &modules_tool };
	struct tool *tl = &modules_tool;
	struct mf_aspace_id id;
	struct mf_select *sel;
	int c, r;

	tool_init(tl, argv, "mf-modules", modules_usage);
	while ((c = getopt_long(argc, argv, "c:f:hn:o:p:qt:v", longopts, NULL)) != -1) {
		switch (c) {
		case MODULES_OPT_MAPS:
			st.maps = true;
			break;
		default:
			if (!tool_space_opt(tl, &st.spaces, c, optarg))
				tool_common_opt(tl, c, optarg);
			break;
		}
	}
	if (optind < argc)
		tool_usage_error(tl, "unexpected argument '%s'", argv[optind]);
	tool_options_done(tl);
	tool_spaces_stdin(tl, &st.spaces);
	tool_open(tl, false);
	if (!tool_spaces_given(&st.spaces) && tl->in == NULL)
		tool_usage_error(tl, "no processes selected: give -p, -n or --kernel, or pipe in process records (mf-ps | mf-modules)");
	tool_columns(tl, st.maps ? "map" : "module");
	if ((st.rec = mf_rec_new("module")) == NULL)
		tool_oom();
	tool_write_target(tl);
	sel = tool_select(tl, &st.spaces, 0);
	while ((r = mf_select_next(sel, &id, tl->errbuf)) > 0)
		modules_one(&st, id.kind == MF_ASPACE_KERNEL ? 0 : id.pid);
	if (r < 0)
		tool_die(tl, "%s", tl->errbuf);
	if (tl->nworked == 0 && tl->ngone == 0 && st.status == TOOL_EXIT_OK)
		tool_spaces_empty(tl, "list");
	mf_select_free(sel);
	mf_rec_free(st.rec);
	free(st.spaces.pids);
	free(st.spaces.names);
	return tool_finish(tl, tool_spaces_status(tl, st.status));
}
