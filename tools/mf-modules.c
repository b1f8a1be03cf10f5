/* mf-modules: the modules (or, with --maps, the memory maps) of the selected processes. */
#include "config.h"
#include "tool.h"

#include <mftools/vat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MODULES_OPT_KERNEL = TOOL_OPT_FIRST_OWN, MODULES_OPT_MAPS };

struct modules_state {
	struct tool *tl;
	uint64_t *pids;
	size_t npids;
	const char **names;
	size_t nnames;
	bool kernel;
	bool maps;
	struct mf_rec *rec;
	uint64_t *found;   /* pids selected by -n */
	size_t nfound;
	int status;
	/* --maps from the page tables: the pending merged range */
	struct mf_vat *vat;
	uint64_t pm_pid, pm_start, pm_end;
	char pm_perms[5];
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

static void
modules_pm_flush(struct modules_state *st)
{
	struct mf_map m = { .pid = st->pm_pid, .start = st->pm_start, .end = st->pm_end, .perms = st->pm_perms,
	                    .path = "" };

	if (st->pm_end == st->pm_start)
		return;
	modules_map_cb(st, &m);
	st->pm_start = st->pm_end = 0;
}

/* Page-map ranges merged into maps: contiguous in VA with the same permissions. */
static int
modules_pm_cb(void *ctx, const struct mf_vat_range *rg)
{
	struct modules_state *st = ctx;
	char perms[5] = { rg->flags & MF_VAT_R ? 'r' : '-', rg->flags & MF_VAT_W ? 'w' : '-',
	                  rg->flags & MF_VAT_X ? 'x' : '-', 'p', '\0' };

	if (st->pm_end != st->pm_start && (rg->va != st->pm_end || strcmp(perms, st->pm_perms) != 0))
		modules_pm_flush(st);
	if (st->pm_end == st->pm_start) {
		st->pm_start = rg->va;
		memcpy(st->pm_perms, perms, sizeof perms);
	}
	st->pm_end = rg->va + rg->size;
	return 0;
}

static int
modules_vat_read(void *ctx, struct mf_iov *iov, size_t n)
{
	struct tool *tl = ctx;

	return mf_phys_read(tl->t, iov, n, tl->errbuf);
}

/* --maps when the os layer offers none: the address space's page map (pid 0: the kernel). */
static int
modules_pagemap(struct modules_state *st, uint64_t pid)
{
	struct tool *tl = st->tl;
	struct mf_space sp;
	uint64_t start = 0;
	int r;

	r = pid == 0 ? mf_target_kernel_space(tl->t, &sp, tl->errbuf) : mf_target_proc_space(tl->t, pid, &sp, tl->errbuf);
	if (r < 0)
		return r;
	if (st->vat == NULL && (st->vat = mf_vat_new(modules_vat_read, tl)) == NULL)
		tool_oom();
	st->pm_pid = pid;
	st->pm_start = st->pm_end = 0;
	/* the kernel: its half only (the lower half is whichever process's the root is) */
	if (pid == 0)
		start = sp.arch == MF_ARCH_X86_32 || sp.arch == MF_ARCH_X86_PAE ? 0xc0000000ull : 1ull << 63;
	r = mf_vat_page_map(st->vat, &sp, start, 0, modules_pm_cb, st);
	modules_pm_flush(st);
	if (r == MF_ERR_LIMIT)
		return mf_error(tl->errbuf, r, "page map stopped after visiting too many page tables");
	if (r < 0)
		return mf_error(tl->errbuf, r, "cannot walk the page tables: %s", mf_strerror(r));
	return 0;
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
	if (r < 0) {
		/* a process that exited meanwhile: say so, go on, fail at the end */
		if (r == MF_ERR_NOTFOUND || r == MF_ERR_GONE)
			tool_warn(tl, "%s", tl->errbuf);
		else
			tool_err(tl, "cannot list %s of pid %llu: %s", st->maps ? "memory maps" : "modules",
			         (unsigned long long)pid, tl->errbuf);
		st->status = TOOL_EXIT_FAIL;
	}
}

static int
modules_name_cb(void *ctx, const struct mf_process *p)
{
	struct modules_state *st = ctx;
	size_t i;

	for (i = 0; i < st->nnames; i++) {
		if (tool_name_match(st->names[i], p)) {
			st->found = tool_xrealloc(st->found, st->nfound + 1, sizeof *st->found);
			st->found[st->nfound++] = p->pid;
			break;
		}
	}
	return 0;
}

static int
modules_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		TOOL_LONGOPTS_COMMON,
		{ "kernel", no_argument, NULL, MODULES_OPT_KERNEL },
		{ "maps", no_argument, NULL, MODULES_OPT_MAPS },
		{ "name", required_argument, NULL, 'n' },
		{ "pid", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct mf_col mod_cols[] = {
		{ "pid", "PID", 7 },
		{ "base", "BASE", 18 },
		{ "size", "SIZE", 10 },
		{ "name", "NAME", -24 },
		{ "path", "PATH", -1 },
	};
	static const struct mf_col map_cols[] = {
		{ "pid", "PID", 7 },
		{ "start", "START", 18 },
		{ "end", "END", 18 },
		{ "perms", "PERMS", -5 },
		{ "offset", "OFFSET", 10 },
		{ "path", "PATH", -1 },
	};
	struct modules_state st = { .tl = &modules_tool };
	struct tool *tl = &modules_tool;
	bool explicit_sel;
	size_t i;
	int c, r;

	tool_init(tl, argv, "mf-modules", modules_usage);
	while ((c = getopt_long(argc, argv, "c:f:hn:o:p:qt:v", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			st.names = tool_xrealloc(st.names, st.nnames + 1, sizeof *st.names);
			st.names[st.nnames++] = optarg;
			break;
		case 'p':
			tool_parse_pids(tl, optarg, &st.pids, &st.npids);
			break;
		case MODULES_OPT_KERNEL:
			st.kernel = true;
			break;
		case MODULES_OPT_MAPS:
			st.maps = true;
			break;
		default:
			tool_common_opt(tl, c, optarg);
			break;
		}
	}
	if (optind < argc)
		tool_usage_error(tl, "unexpected argument '%s'", argv[optind]);
	tool_options_done(tl);
	explicit_sel = st.npids > 0 || st.nnames > 0 || st.kernel;
	/* stdin: a target record and/or process records; not needed when both are given */
	tl->topt.read_stdin = !explicit_sel || (tl->topt.conn == NULL && tl->topt.os == NULL && tl->topt.tfile == NULL);
	tool_open(tl, false);
	if (!explicit_sel && tl->in == NULL)
		tool_usage_error(tl, "no processes selected: give -p, -n or --kernel, or pipe in process records (mf-ps | mf-modules)");
	if (st.maps)
		mf_out_columns(tl->out, "map", map_cols, sizeof map_cols / sizeof *map_cols);
	else
		mf_out_columns(tl->out, "module", mod_cols, sizeof mod_cols / sizeof *mod_cols);
	if ((st.rec = mf_rec_new("module")) == NULL)
		tool_oom();
	tool_write_target(tl);

	if (explicit_sel) {
		if (st.kernel)
			modules_one(&st, 0);
		for (i = 0; i < st.npids; i++)
			modules_one(&st, st.pids[i]);
		if (st.nnames > 0) {
			if ((r = mf_processes(tl->t, modules_name_cb, &st, tl->errbuf)) < 0)
				tool_die(tl, "cannot list processes of %s: %s", mf_target_name(tl->t), tl->errbuf);
			if (st.nfound > 0)
				qsort(st.found, st.nfound, sizeof *st.found, modules_u64_cmp);
			for (i = 0; i < st.nfound; i++)
				modules_one(&st, st.found[i]);
		}
	} else {
		const struct mf_rec *rec;
		uint64_t pid;

		while ((r = mf_in_next(tl->in, &rec, tl->errbuf)) > 0) {
			if (strcmp(mf_rec_type(rec), "process") != 0)
				continue;   /* not ours: ignored */
			if (mf_rec_get_u64(rec, "pid", &pid) < 0)
				tool_die(tl, "stdin: process record without a valid pid");
			modules_one(&st, pid);
		}
		if (r < 0)
			tool_die(tl, "stdin: %s", tl->errbuf);
	}
	mf_vat_free(st.vat);
	mf_rec_free(st.rec);
	free(st.pids);
	free(st.names);
	free(st.found);
	return tool_finish(tl, st.status);
}
