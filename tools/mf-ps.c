/* mf-ps: list the processes of a target as `process` records, sorted by pid (with --env
 * their environments; with --threads their threads as `thread` records instead). */
#include "config.h"
#include "tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PS_OPT_TREE = TOOL_OPT_FIRST_OWN, PS_OPT_ENV, PS_OPT_THREADS, PS_OPT_TIMES };

#define PS_ENV_MAX (1u << 20)   /* an environment is cut here (Linux allows far less per string) */

struct ps_proc {
	uint64_t pid;
	uint64_t ppid;
	struct mf_rec *rec;
	size_t first_child;   /* index into ps_state.kids */
	size_t nkids;
	int done;
	bool selected;        /* matched -p/-n (with --tree every process is listed) */
};

struct ps_state {
	struct tool *tl;
	struct tool_spaces sel;   /* -p and -n */
	bool *pid_seen;   /* per -p pid: the process exists (selected or not) */
	bool tree;
	bool env;             /* --env: an "env" map in each process record */
	bool threads;         /* --threads: thread records instead of process records */
	bool times;           /* --times: the table shows start and exit times */
	uint8_t *envbuf;
	struct ps_proc *procs;
	size_t n, cap;
	size_t *kids;
};

static struct tool ps_tool;

static void
ps_usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "usage: mf-ps [options] [-p PID[,PID...]]... [-n NAME]... [--tree] [--env] [--threads]\n"
	           "       mf-ps [options] [-p PID[,PID...]]... [-n NAME]... [--times]\n");
	if (status) {
		fprintf(f, "Try 'mf-ps --help' for more information.\n");
		exit(status);
	}
	fprintf(f,
	        "\nList the processes of a target (default: this machine), sorted by pid.\n"
	        "\nSelection:\n"
	        "  -n, --name=NAME        processes whose name or argv[0] matches the glob NAME\n"
	        "                         (repeatable)\n"
	        "  -p, --pid=PID[,PID]    these processes (repeatable)\n"
	        "      --tree             show the process tree; with -p/-n the matches and their\n"
	        "                         descendants (json/msgpack: a \"depth\" field)\n"
	        "\nWhat to show:\n"
	        "      --env              each process's environment (an \"env\" map), read from\n"
	        "                         the process itself\n"
	        "      --threads          the threads of the processes (`thread` records) instead\n"
	        "      --times            table columns for when each process started and exited\n"
	        "                         and its exit status (every format carries them as\n"
	        "                         start_time, exit_time and exit_status where known)\n");
	tool_usage_common(f, false);
	exit(status);
}

static bool
ps_selected(const struct ps_state *st, const struct mf_process *p)
{
	const struct mf_select_opts *o = &st->sel.sel;
	size_t i;
	bool ok;

	if (o->npids > 0) {
		ok = false;
		for (i = 0; i < o->npids; i++)
			if (o->pids[i] == p->pid)
				ok = true;
		if (!ok)
			return false;
	}
	if (o->nnames > 0) {
		ok = false;
		for (i = 0; i < o->nnames; i++)
			if (mf_process_name_match(o->names[i], p))
				ok = true;
		if (!ok)
			return false;
	}
	return true;
}

static int
ps_cb(void *ctx, const struct mf_process *p)
{
	struct ps_state *st = ctx;
	struct ps_proc *pp;
	size_t i;

	for (i = 0; i < st->sel.sel.npids; i++)
		if (st->sel.sel.pids[i] == p->pid)
			st->pid_seen[i] = true;
	if (!ps_selected(st, p) && !st->tree)
		return 0;
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 512;
		st->procs = tool_xrealloc(st->procs, st->cap, sizeof *st->procs);
	}
	pp = &st->procs[st->n];
	memset(pp, 0, sizeof *pp);
	pp->pid = p->pid;
	pp->ppid = p->ppid;
	pp->selected = ps_selected(st, p);
	if ((pp->rec = mf_rec_new("process")) == NULL || mf_process_rec(p, pp->rec) < 0)
		tool_oom();
	st->n++;
	return 0;
}

static int
ps_cmp(const void *a, const void *b)
{
	const struct ps_proc *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static struct ps_proc *
ps_find(struct ps_state *st, uint64_t pid)
{
	struct ps_proc key = { .pid = pid };

	return bsearch(&key, st->procs, st->n, sizeof *st->procs, ps_cmp);
}

/* The environment block (NAME=VALUE strings, NUL-terminated) as a map in the record.  A
 * process without one (a kernel thread, a process that exited) gets none. */
static void
ps_add_env(struct ps_state *st, struct ps_proc *p)
{
	struct tool *tl = st->tl;
	struct mf_rec *env;
	size_t len, i, next;

	if (mf_environment(tl->t, p->pid, st->envbuf, PS_ENV_MAX, &len, tl->errbuf) < 0) {
		mf_log(1, "no environment for pid %llu: %s", (unsigned long long)p->pid, tl->errbuf);
		return;
	}
	if ((env = mf_rec_add_map(p->rec, "env")) == NULL)
		tool_oom();
	for (i = 0; i < len; i = next + 1) {
		const char *s = (const char *)st->envbuf + i, *eq;
		const char *nul = memchr(s, '\0', len - i);
		size_t n = nul != NULL ? (size_t)(nul - s) : len - i;
		char key[256];

		next = i + n;
		if (n == 0 || (eq = memchr(s, '=', n)) == NULL || (size_t)(eq - s) >= sizeof key)
			continue;
		memcpy(key, s, (size_t)(eq - s));
		key[eq - s] = '\0';
		if (mf_rec_add_strn(env, key, eq + 1, n - (size_t)(eq - s) - 1) < 0)
			tool_oom();
	}
}

static int
ps_thread_cb(void *ctx, const struct mf_thread *th)
{
	struct ps_state *st = ctx;
	struct mf_rec *r = mf_rec_new("thread");

	if (r == NULL || mf_thread_rec(th, r) < 0)
		tool_oom();
	tool_rec(st->tl, r);
	mf_rec_free(r);
	return 0;
}

static void
ps_emit_threads(struct ps_state *st, const struct ps_proc *p)
{
	struct tool *tl = st->tl;

	if (mf_threads(tl->t, p->pid, ps_thread_cb, st, tl->errbuf) < 0)
		tool_warn(tl, "cannot list the threads of pid %llu: %s", (unsigned long long)p->pid, tl->errbuf);
}

static void
ps_emit(struct ps_state *st, struct ps_proc *p, unsigned depth)
{
	struct tool *tl = st->tl;

	if (st->threads) {
		ps_emit_threads(st, p);
		return;
	}
	if (st->env)
		ps_add_env(st, p);

	if (st->tree) {
		if (tl->fmt == MF_FMT_TABLE) {
			char buf[512];
			size_t nsp = depth * 2 < 200 ? depth * 2 : 200;

			memset(buf, ' ', nsp);
			tool_rec_str(p->rec, "name", buf + nsp, sizeof buf - nsp);
			if (mf_rec_add_str(p->rec, "tree_name", buf) < 0)
				tool_oom();
		} else if (mf_rec_add_uint(p->rec, "depth", depth) < 0) {
			tool_oom();
		}
	}
	tool_rec(tl, p->rec);
}

/* --tree with -p/-n: keep the matches and their descendants, as pstree does (a process
 * whose parent chain reaches a match; chains are bounded by the number of processes, so a
 * cycle ends).  procs is sorted. */
static void
ps_subtrees(struct ps_state *st)
{
	size_t i, j, k, steps;
	bool *keep = tool_xcalloc(st->n, sizeof *keep);

	for (i = 0; i < st->n; i++) {
		struct ps_proc *p = &st->procs[i];

		for (steps = 0; p != NULL && steps <= st->n; steps++) {
			if (p->selected) {
				keep[i] = true;
				break;
			}
			p = p->ppid != p->pid ? ps_find(st, p->ppid) : NULL;
		}
	}
	for (i = 0, k = 0; i < st->n; i++) {
		if (keep[i])
			st->procs[k++] = st->procs[i];
		else
			mf_rec_free(st->procs[i].rec);
	}
	st->n = k;
	for (j = 0; j < st->n; j++)
		st->procs[j].nkids = 0;
	free(keep);
}

/* Depth-first in pid order, without recursion (a hostile os layer could give a deep chain). */
static void
ps_tree(struct ps_state *st)
{
	size_t i, j, *nk, *stack, sp;
	unsigned *depth;

	/* children lists, in pid order since procs is sorted */
	nk = tool_xcalloc(st->n, sizeof *nk);
	st->kids = tool_xcalloc(st->n, sizeof *st->kids);
	for (i = 0; i < st->n; i++) {
		struct ps_proc *par = st->procs[i].ppid != st->procs[i].pid ? ps_find(st, st->procs[i].ppid) : NULL;

		if (par != NULL)
			par->nkids++;
	}
	for (i = 0, j = 0; i < st->n; i++) {
		st->procs[i].first_child = j;
		j += st->procs[i].nkids;
	}
	for (i = 0; i < st->n; i++) {
		struct ps_proc *par = st->procs[i].ppid != st->procs[i].pid ? ps_find(st, st->procs[i].ppid) : NULL;

		if (par != NULL) {
			size_t pi = (size_t)(par - st->procs);

			st->kids[par->first_child + nk[pi]++] = i;
		}
	}
	stack = tool_xcalloc(st->n + 1, sizeof *stack);
	depth = tool_xcalloc(st->n + 1, sizeof *depth);
	/* roots: parent not listed; then anything a cycle kept unreachable */
	for (int pass = 0; pass < 2; pass++) {
		for (i = 0; i < st->n; i++) {
			struct ps_proc *p = &st->procs[i];

			if (p->done)
				continue;
			if (pass == 0 && p->ppid != p->pid && ps_find(st, p->ppid) != NULL)
				continue;
			sp = 0;
			stack[sp] = i;
			depth[sp++] = 0;
			p->done = 1;
			while (sp > 0) {
				size_t cur = stack[--sp];
				unsigned d = depth[sp];
				struct ps_proc *c = &st->procs[cur];

				ps_emit(st, c, d);
				/* push children in reverse so the lowest pid comes out first */
				for (j = c->nkids; j-- > 0;) {
					size_t k = st->kids[c->first_child + j];

					if (st->procs[k].done)
						continue;
					st->procs[k].done = 1;
					stack[sp] = k;
					depth[sp++] = d + 1;
				}
			}
		}
	}
	free(stack);
	free(depth);
	free(nk);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		TOOL_LONGOPTS_COMMON,
		{ "name", required_argument, NULL, 'n' },
		{ "pid", required_argument, NULL, 'p' },
		{ "tree", no_argument, NULL, PS_OPT_TREE },
		{ "env", no_argument, NULL, PS_OPT_ENV },
		{ "threads", no_argument, NULL, PS_OPT_THREADS },
		{ "times", no_argument, NULL, PS_OPT_TIMES },
		{ NULL, 0, NULL, 0 },
	};
	struct ps_state st = { .tl = &ps_tool };
	struct tool *tl = &ps_tool;
	size_t i;
	int c, r, status = TOOL_EXIT_OK;

	tool_init(tl, argv, "mf-ps", ps_usage);
	while ((c = getopt_long(argc, argv, "c:f:hn:o:p:qt:v", longopts, NULL)) != -1) {
		switch (c) {
		case PS_OPT_TREE:
			st.tree = true;
			break;
		case PS_OPT_ENV:
			st.env = true;
			break;
		case PS_OPT_TIMES:
			st.times = true;
			break;
		case PS_OPT_THREADS:
			st.threads = true;
			break;
		default:
			if (!tool_space_opt(tl, &st.sel, c, optarg))
				tool_common_opt(tl, c, optarg);
			break;
		}
	}
	if (optind < argc)
		tool_usage_error(tl, "unexpected argument '%s'", argv[optind]);
	if (st.threads && (st.tree || st.env))
		tool_usage_error(tl, "--threads lists threads: it goes with neither --tree nor --env");
	tool_options_done(tl);
	/* stdin matters only for a target record: not when the target is given */
	tl->topt.read_stdin = tl->topt.conn == NULL && tl->topt.os == NULL && tl->topt.tfile == NULL;
	st.pid_seen = tool_xcalloc(st.sel.sel.npids, sizeof *st.pid_seen);
	tool_open(tl, false);
	tool_columns(tl, st.tree ? "process-tree" : st.env ? "process-env" : st.times ? "process-times" : "process");
	tool_columns(tl, "thread");
	if (st.env)
		st.envbuf = tool_xmalloc(PS_ENV_MAX);

	if ((r = mf_processes(tl->t, ps_cb, &st, tl->errbuf)) < 0)
		tool_die(tl, "cannot list processes of %s: %s", mf_target_name(tl->t), tl->errbuf);
	if (st.n > 0)
		qsort(st.procs, st.n, sizeof *st.procs, ps_cmp);
	tool_write_target(tl);
	if (st.tree) {
		if (st.sel.sel.npids > 0 || st.sel.sel.nnames > 0)
			ps_subtrees(&st);
		ps_tree(&st);
	} else {
		for (i = 0; i < st.n; i++)
			ps_emit(&st, &st.procs[i], 0);
	}
	/* an explicit pid that is not there is an error (after listing the others); so is a
	 * -n that matches nothing, as in pgrep */
	for (i = 0; i < st.sel.sel.npids; i++) {
		if (!st.pid_seen[i]) {
			tool_err(tl, "no process with pid %llu", (unsigned long long)st.sel.sel.pids[i]);
			status = TOOL_EXIT_FAIL;
		}
	}
	if (st.sel.sel.nnames > 0 && st.n == 0 && status == TOOL_EXIT_OK) {
		tool_err(tl, "no process matches '%s'%s", st.sel.sel.names[0], st.sel.sel.nnames > 1 ? " (nor the other -n)" : "");
		status = TOOL_EXIT_FAIL;
	}
	for (i = 0; i < st.n; i++)
		mf_rec_free(st.procs[i].rec);
	free(st.procs);
	free(st.kids);
	free(st.sel.pids);
	free(st.pid_seen);
	free(st.sel.names);
	free(st.envbuf);
	return tool_finish(tl, status);
}
