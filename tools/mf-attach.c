/* mf-attach: open a target once (discovery) and write its target record; --list shows the
 * plugins found. */
#include "config.h"
#include "tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { ATTACH_OPT_LIST = TOOL_OPT_FIRST_OWN };

#define ATTACH_SHOW_RANGES 8
#define ATTACH_HINT_MAX 60

static struct tool attach_tool;

static void
attach_usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "usage: mf-attach [options]\n"
	           "       mf-attach --list [-f FORMAT]\n");
	if (status) {
		fprintf(f, "Try 'mf-attach --help' for more information.\n");
		exit(status);
	}
	fprintf(f,
	        "\nOpen a target and write its target record, for other tools to read from stdin\n"
	        "(mf-attach | mf-ps) or from a file (mf-attach > t.mp; mf-ps -t t.mp).  In table\n"
	        "format, a summary of the target instead.\n"
	        "\n"
	        "      --list             list the plugins found (connectors, os layers), where,\n"
	        "                         and why any was refused\n");
	tool_usage_common(f, false);
	exit(status);
}

/* ---- --list ---- */

struct attach_list {
	struct tool *tl;
	struct mf_rec *rec;
	size_t n;
};

static int
attach_list_cb(void *ctx, const struct mf_plugin_info *info)
{
	struct attach_list *l = ctx;
	struct tool *tl = l->tl;
	const char *kind = info->kind == MF_PLUGIN_CONNECTOR ? "connector" : "os";

	l->n++;
	if (tl->fmt == MF_FMT_TABLE) {
		char abi[16];

		if (info->abi)
			snprintf(abi, sizeof abi, "%u", info->abi);
		else
			snprintf(abi, sizeof abi, "?");
		tool_printf(tl, "%-9s  %-12s  %3s  %s%s\n", kind, info->name, abi, info->path,
		            info->shadowed ? "  (shadowed by an earlier one)" : "");
		if (info->refused != NULL)
			tool_printf(tl, "           REFUSED: %s\n", info->refused);
		else if (info->description != NULL)
			tool_printf(tl, "           %s\n", info->description);
		return 0;
	}
	mf_rec_reset(l->rec, "plugin");
	if (mf_rec_add_str(l->rec, "kind", kind) < 0 ||
	    mf_rec_add_str(l->rec, "name", info->name) < 0 ||
	    mf_rec_add_uint(l->rec, "abi", info->abi) < 0 ||
	    mf_rec_add_str(l->rec, "path", info->path) < 0 ||
	    mf_rec_add_str(l->rec, "description", info->description ? info->description : "") < 0 ||
	    (info->refused ? mf_rec_add_str(l->rec, "refused", info->refused) : mf_rec_add_nil(l->rec, "refused")) < 0 ||
	    mf_rec_add_bool(l->rec, "shadowed", info->shadowed) < 0)
		tool_oom();
	tool_rec(tl, l->rec);
	return 0;
}

static int
attach_list(struct tool *tl)
{
	struct attach_list l = { .tl = tl };

	tool_open_output(tl, false);
	if ((l.rec = mf_rec_new("plugin")) == NULL)
		tool_oom();
	if (tl->fmt == MF_FMT_TABLE)
		tool_printf(tl, "%-9s  %-12s  %3s  %s\n", "KIND", "NAME", "ABI", "PATH");
	mf_plugins_list(attach_list_cb, &l);
	if (tl->fmt == MF_FMT_TABLE) {
		if (l.n == 0)
			tool_printf(tl, "(no plugins found)\n");
		tool_printf(tl, "\nsearched: MF_PLUGIN_PATH=%s, then %s\nthis mftools has plugin ABI %d and loads ABI %d to %d\n",
		            getenv("MF_PLUGIN_PATH") ? getenv("MF_PLUGIN_PATH") : "(unset)", mf_plugin_dir(),
		            MF_ABI_VERSION, MF_ABI_MIN_VERSION, MF_ABI_VERSION);
	}
	mf_rec_free(l.rec);
	return tool_finish(tl, TOOL_EXIT_OK);
}

/* ---- the summary (table format) ---- */

static void
attach_size(char *buf, size_t n, uint64_t v)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double d = (double)v;
	int u = 0;

	while (d >= 1024 && u < 6) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, n, "%llu B", (unsigned long long)v);
	else
		snprintf(buf, n, "%.1f %s", d, unit[u]);
}

static void
attach_value(struct tool *tl, const struct mf_value *v)
{
	char buf[ATTACH_HINT_MAX + 1];
	size_t i, n;

	if (mf_value_scalar_text(v, buf, sizeof buf) >= 0) {
		tool_printf(tl, "%s", buf);
		return;
	}
	switch (v->type) {
	case MF_V_STR:
		/* long values (vmcoreinfo) shortened, one line */
		n = v->v.s.n < ATTACH_HINT_MAX ? v->v.s.n : ATTACH_HINT_MAX;
		for (i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)v->v.s.p[i];

			buf[i] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
		}
		buf[n] = '\0';
		if (v->v.s.n > ATTACH_HINT_MAX)
			tool_printf(tl, "%s... (%zu bytes)", buf, v->v.s.n);
		else
			tool_printf(tl, "%s", buf);
		break;
	case MF_V_BIN:
		tool_printf(tl, "(%zu bytes)", v->v.s.n);
		break;
	case MF_V_MAP:
		tool_printf(tl, "(map)");
		break;
	case MF_V_ARRAY:
		tool_printf(tl, "(%zu values)", v->v.arr.n);
		break;
	default:
		break;
	}
}

static void
attach_args(struct tool *tl, const struct mf_rec *rec, const char *key, const char *argkey)
{
	const struct mf_rec *args = mf_rec_get_map(rec, argkey);
	char name[128];
	size_t i, n;

	tool_rec_str(rec, key, name, sizeof name);
	if (name[0] == '\0') {
		tool_printf(tl, "(none)\n");
		return;
	}
	tool_printf(tl, "%s", name);
	n = args ? mf_rec_count(args) : 0;
	for (i = 0; i < n; i++) {
		const struct mf_field *f = mf_rec_field(args, i);

		tool_printf(tl, "%s%s=", i ? "," : " (", f->key);
		attach_value(tl, &f->val);
	}
	tool_printf(tl, "%s\n", n ? ")" : "");
}

static void
attach_summary(struct tool *tl, const struct mf_rec *rec)
{
	const struct mf_range *ranges;
	const struct mf_rec *hints = mf_rec_get_map(rec, "hints");
	const char *fmt = mf_hints_get_str(mf_target_hints(tl->t), "format");
	size_t nr = mf_phys_ranges(tl->t, &ranges), i, nh;
	uint64_t total = 0;
	char sz[32];

	tool_printf(tl, "target:     %s\n", mf_target_name(tl->t));
	tool_printf(tl, "connector:  ");
	attach_args(tl, rec, "connector", "connector_args");
	if (mf_target_has_phys(tl->t)) {
		tool_printf(tl, "format:     %s\n", fmt ? fmt : "(not reported)");
		for (i = 0; i < nr; i++)
			total += ranges[i].size;
		attach_size(sz, sizeof sz, total);
		tool_printf(tl, "memory:     %zu range%s, %s\n", nr, nr == 1 ? "" : "s", sz);
		for (i = 0; i < nr && i < ATTACH_SHOW_RANGES; i++) {
			attach_size(sz, sizeof sz, ranges[i].size);
			tool_printf(tl, "            0x%016llx-0x%016llx  %s\n", (unsigned long long)ranges[i].base,
			            (unsigned long long)(ranges[i].base + ranges[i].size - 1), sz);
		}
		if (nr > ATTACH_SHOW_RANGES)
			tool_printf(tl, "            ... %zu more\n", nr - ATTACH_SHOW_RANGES);
	}
	nh = hints ? mf_rec_count(hints) : 0;
	tool_printf(tl, "hints:      %s\n", nh ? "" : "(none)");
	for (i = 0; i < nh; i++) {
		const struct mf_field *f = mf_rec_field(hints, i);

		tool_printf(tl, "  %-16s ", f->key);
		attach_value(tl, &f->val);
		tool_printf(tl, "\n");
	}
	tool_printf(tl, "os layer:   ");
	attach_args(tl, rec, "os", "os_args");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		TOOL_LONGOPTS_COMMON,
		{ "list", no_argument, NULL, ATTACH_OPT_LIST },
		{ NULL, 0, NULL, 0 },
	};
	struct tool *tl = &attach_tool;
	struct mf_rec *rec;
	bool list = false;
	int c, e;

	tool_init(tl, argv, "mf-attach", attach_usage);
	while ((c = getopt_long(argc, argv, "c:f:ho:qt:v", longopts, NULL)) != -1) {
		switch (c) {
		case ATTACH_OPT_LIST:
			list = true;
			break;
		default:
			tool_common_opt(tl, c, optarg);
			break;
		}
	}
	if (optind < argc)
		tool_usage_error(tl, "unexpected argument '%s'", argv[optind]);
	tool_options_done(tl);
	if (list) {
		if (tl->topt.conn || tl->topt.os || tl->topt.tfile)
			tool_usage_error(tl, "--list takes no target");
		return attach_list(tl);
	}
	tl->topt.read_stdin = false;   /* mf-attach makes the target record; it does not read one */
	tool_open(tl, false);
	if ((rec = mf_rec_new("target")) == NULL)
		tool_oom();
	if ((e = mf_target_rec(tl->t, rec)) < 0)
		tool_die(tl, "cannot describe %s: %s", mf_target_name(tl->t), mf_strerror(e));
	if (tl->fmt == MF_FMT_TABLE)
		attach_summary(tl, rec);
	else
		tool_rec(tl, rec);
	mf_rec_free(rec);
	return tool_finish(tl, TOOL_EXIT_OK);
}
