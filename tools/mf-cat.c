/* mf-cat: print record streams (msgpack or JSON lines, files or stdin) in another format,
 * reading no memory: tables with the tools' own columns (tool-cols.c) and mf-read's
 * hexdump for mem and gap records. */
#include "config.h"
#include "tool.h"
#include "hexdump.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cat_state {
	struct tool *tl;
	bool table;
	bool layout_chosen;      /* the process layout: plain, or the tree's */
	bool dumping;            /* a hexdump of mem/gap records is open */
	struct mf_aspace_id id;  /* ... of this space */
	struct hexdump hx;
	struct mf_rec *rec;      /* the record being printed, typed */
	int status;
};

static struct tool cat_tool;

static void
cat_usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "usage: mf-cat [options] [FILE...]\n");
	if (status) {
		fprintf(f, "Try 'mf-cat --help' for more information.\n");
		exit(status);
	}
	fprintf(f,
	        "\nPrint record streams (msgpack or JSON lines, as every mf-* tool writes them) in\n"
	        "another format; no memory is read.  FILE '-' or no FILE: stdin.\n"
	        "\nOutput:\n"
	        "  -f, --format=FORMAT    table, json or msgpack (default: table, also in a pipe;\n"
	        "                         MF_FORMAT changes the default)\n"
	        "  -q, --quiet            no warnings\n"
	        "  -v, --verbose          more messages (-vv: debug)\n"
	        "  -h, --help             this help\n"
	        "      --version          version and plugin directory\n");
	exit(status);
}

/* End the hexdump of mem and gap records (before another record or at the end). */
static void
cat_dump_end(struct cat_state *st)
{
	if (!st->dumping)
		return;
	hexdump_end(&st->hx);
	st->dumping = false;
}

static bool
cat_same_space(const struct mf_aspace_id *a, const struct mf_aspace_id *b)
{
	return a->kind == b->kind && a->pid == b->pid && a->sp.arch == b->sp.arch && a->sp.root == b->sp.root;
}

/* mem and gap records as mf-read shows them: a hexdump per space, gap lines in it.  False
 * when the record does not say enough (it is then shown as key=value). */
static bool
cat_dump(struct cat_state *st, const struct mf_rec *r, bool gap)
{
	char errbuf[MF_ERRBUF_SIZE], why[128];
	struct mf_aspace_id id;
	const void *data = NULL;
	uint64_t addr, len = 0;
	size_t n = 0;

	if (mf_aspace_id_from_rec(r, &id, errbuf) < 0 || mf_rec_get_u64(r, "addr", &addr) < 0)
		return false;
	if (gap ? mf_rec_get_u64(r, "len", &len) < 0 || len == 0 || addr + len - 1 < addr
	        : mf_rec_get_bin(r, "data", &data, &n) < 0 || n == 0 || addr + (n - 1) < addr)
		return false;
	if (st->dumping && !cat_same_space(&st->id, &id))
		cat_dump_end(st);
	if (!st->dumping) {
		hexdump_init(&st->hx, st->tl);
		st->id = id;
		st->dumping = true;
	}
	if (gap)
		hexdump_gap(&st->hx, addr, len, tool_rec_str(r, "error", why, sizeof why));
	else
		hexdump_data(&st->hx, addr, data, n);
	return true;
}

static void
cat_rec(struct cat_state *st, const struct mf_rec *in)
{
	const struct mf_rec *r = st->rec;
	const char *type = mf_rec_type(in);

	tool_rec_typed(in, st->rec);
	if (st->table) {
		bool mem = strcmp(type, "mem") == 0, gap = strcmp(type, "gap") == 0;

		if ((mem || gap) && cat_dump(st, r, gap))
			return;
		cat_dump_end(st);
		/* mf-ps --tree writes tree_name: its records get the tree's columns */
		if (!st->layout_chosen && strcmp(type, "process") == 0) {
			if (mf_rec_get(r, "tree_name") != NULL)
				tool_columns(st->tl, "process-tree");
			st->layout_chosen = true;
		}
	}
	tool_rec(st->tl, r);
}

/* One stream to the output; false (after the message) if it is malformed. */
static bool
cat_stream(struct cat_state *st, int fd, const char *name)
{
	char errbuf[MF_ERRBUF_SIZE];
	const struct mf_rec *r;
	struct mf_in *in;
	int e;

	if ((in = mf_in_new(fd)) == NULL)
		tool_oom();
	while ((e = mf_in_next(in, &r, errbuf)) > 0)
		cat_rec(st, r);
	mf_in_free(in);
	if (e < 0) {
		cat_dump_end(st);
		(void)mf_out_flush(st->tl->out);   /* the records before it, then the message */
		tool_err(st->tl, "%s: %s", name, errbuf);
		return false;
	}
	return true;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, TOOL_OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct cat_state st = { .tl = &cat_tool };
	struct tool *tl = &cat_tool;
	const char *env = getenv("MF_FORMAT");
	int c, i;

	tool_init(tl, argv, "mf-cat", cat_usage);
	while ((c = getopt_long(argc, argv, "f:hqv", longopts, NULL)) != -1)
		tool_common_opt(tl, c, optarg);
	tool_options_done(tl);
	/* mf-cat is the tool that makes a stream readable: a table unless told otherwise */
	if (tl->format == NULL && (env == NULL || *env == '\0'))
		tl->format = "table";
	tool_open_output(tl, false);
	st.table = tl->fmt == MF_FMT_TABLE;
	tool_columns(tl, "all");
	if ((st.rec = mf_rec_new(NULL)) == NULL)
		tool_oom();
	if (optind == argc && !cat_stream(&st, STDIN_FILENO, "stdin"))
		st.status = TOOL_EXIT_FAIL;
	/* like cat(1), a file that cannot be opened is skipped; a malformed stream ends all */
	for (i = optind; i < argc; i++) {
		bool ok;
		int fd;

		if (strcmp(argv[i], "-") == 0) {
			ok = cat_stream(&st, STDIN_FILENO, "stdin");
		} else if ((fd = open(argv[i], O_RDONLY | O_CLOEXEC)) < 0) {
			tool_err(tl, "cannot open %s: %s", argv[i], strerror(errno));
			st.status = TOOL_EXIT_FAIL;
			continue;
		} else {
			ok = cat_stream(&st, fd, argv[i]);
			close(fd);
		}
		if (!ok) {
			st.status = TOOL_EXIT_FAIL;
			break;
		}
	}
	cat_dump_end(&st);
	mf_rec_free(st.rec);
	return tool_finish(tl, st.status);
}
