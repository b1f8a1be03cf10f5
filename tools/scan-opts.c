/* scan-opts.c: mf-scan's options: the usage, the parser, and the checks of what goes with
 * what; the patterns, typed value or rules they give compiled into the scan state. */
#include "config.h"
#include "scan-tool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	SCAN_OPT_ALIGN = TOOL_OPT_FIRST_OWN,
	SCAN_OPT_ALL_REGIONS,
	SCAN_OPT_BETWEEN,
	SCAN_OPT_CONTEXT,
	SCAN_OPT_EQ,
	SCAN_OPT_GT,
	SCAN_OPT_LT,
	SCAN_OPT_MAX_HITS,
	SCAN_OPT_RESCAN,
	SCAN_OPT_THREADS,
	SCAN_OPT_UTF16,
	SCAN_OPT_CHUNK,
	SCAN_OPT_CARVE,
	SCAN_OPT_SNAPSHOT,
};

#define SCAN_CONTEXT_MAX 4096u
#define SCAN_THREADS_MAX 64

static void
scan_usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "usage: mf-scan [options] [--phys | --kernel | -p PID | -n NAME] -x HEX | -s TEXT...\n"
	           "       mf-scan [options] [--phys | --kernel | -p PID | -n NAME] -T TYPE [--eq|--gt|--lt] VALUE\n"
	           "       mf-scan [options] [--phys | --kernel | -p PID | -n NAME] -T TYPE --between LOW HIGH\n"
	           "       mf-scan [options] [--phys | --kernel | -p PID | -n NAME] -Y RULES.yar\n"
	           "       mf-scan [options] [--phys | --kernel | -p PID | -n NAME] -F PATTERNS.txt\n"
	           "       mf-scan [options] [--phys | --kernel | -p PID | -n NAME] -T TYPE --snapshot FILE\n"
	           "       mf-scan [options] --rescan MODE [VALUE...] < HITS\n"
	           "       mf-scan [options] --rescan MODE [VALUE...] --snapshot FILE\n"
	           "       mf-scan [options] [--phys | --kernel | -p PID | -n NAME] --carve net -w FILE\n");
	if (status) {
		fprintf(f, "Try 'mf-scan --help' for more information.\n");
		exit(status);
	}
	fprintf(f,
	        "\nSearch memory and write a hit record per match, in address order.  Without a\n"
	        "space option, the processes whose records arrive on stdin.  Only mapped memory is\n"
	        "searched, and of a process, as scanmem does, only its writable data (anonymous\n"
	        "memory, heap, stacks, the program's own data: not code, libraries' data or\n"
	        "read-only data; --all-regions: every readable mapping); unreadable parts are\n"
	        "skipped (counted; listed with -v).\n"
	        "Exit status: 0 when something was found, 1 when nothing was, 2 on usage errors.\n"
	        "\nSpace:\n"
	        "      --all-regions      of a process, every readable mapping (code, libraries,\n"
	        "                         read-only data), not only its writable data\n"
	        "      --kernel           the kernel's mapped memory (its page tables)\n"
	        "  -n, --name=NAME        every process whose name or argv[0] matches NAME (a glob)\n"
	        "  -p, --pid=PID[,PID]    processes (their writable data; see --all-regions)\n"
	        "      --phys             every range of physical memory\n"
	        "\nPatterns (-x and -s may be repeated):\n"
	        "  -F, --patterns=FILE    a list, one pattern a line, all found in one pass: TEXT,\n"
	        "                         str:TEXT, hex:BYTES or { BYTES } (as -x); # comments\n"
	        "  -i, --ignore-case      -s: ASCII letters in either case\n"
	        "  -s, --string=TEXT      a string (its bytes)\n"
	        "      --utf16            -s: also as UTF-16LE\n"
	        "  -x, --hex=HEX          bytes with wildcards: \"48 8b ?? ?? 05\"\n"
	        "  -Y, --yara=RULES       YARA rules (a source file): a hit per matched string\n"
	        "\nTyped values:\n"
	        "      --align=N          only at addresses that are multiples of N (default: the size)\n"
	        "      --between=LOW      LOW <= value <= HIGH (HIGH is the next argument)\n"
	        "      --eq=VALUE         value == VALUE (also a bare VALUE)\n"
	        "      --gt=VALUE         value > VALUE\n"
	        "      --lt=VALUE         value < VALUE\n"
	        "  -T, --type=TYPE        u8 u16 u32 u64 i8 i16 i32 i64 f32 f64\n"
	        "\nRescans (hit records on stdin, after the target record):\n"
	        "      --rescan=MODE      keep the hits whose value now is: unchanged (or equal),\n"
	        "                         changed, increased, decreased (than in the hit), or\n"
	        "                         eq VALUE, gt VALUE, lt VALUE, between LOW HIGH\n"
	        "      --snapshot=FILE    an unknown initial value: with -T TYPE and no value, save\n"
	        "                         the memory to search to FILE; with --rescan, compare\n"
	        "                         memory now with FILE instead of hits on stdin\n"
	        "\nCarving:\n"
	        "      --carve=net        network packets (IPv4, IPv6, in Ethernet frames or bare) with\n"
	        "                         valid headers: a hit per packet, the packets to -w FILE\n"
	        "  -w, --pcap=FILE        the pcap to write (LINKTYPE_RAW: IP packets, Ethernet\n"
	        "                         headers dropped), replaced when complete\n"
	        "\nScanning and output:\n"
	        "      --chunk=SIZE       bytes per chunk (default 1M, 16M in place; 4M with -Y)\n"
	        "      --context=N        bytes of data in each hit, from the match (default 16)\n"
	        "      --max-hits=N       stop after N hits\n"
	        "      --threads=N        scanning threads (default: online CPUs)\n");
	tool_usage_common(f, false);
	exit(status);
}

static void
scan_set_cmp(struct scan_state *st, enum scan_cmp c, bool *set)
{
	if (*set)
		tool_usage_error(st->tl, "give one comparison (--eq, --gt, --lt or --between)");
	*set = true;
	st->typed.cmp = c;
}

void
scan_parse_opts(struct scan_state *st, struct scan_rescan *rs, int argc, char **argv)
{
	static const struct option longopts[] = {
		TOOL_LONGOPTS_COMMON,
		{ "align", required_argument, NULL, SCAN_OPT_ALIGN },
		{ "all-regions", no_argument, NULL, SCAN_OPT_ALL_REGIONS },
		{ "between", required_argument, NULL, SCAN_OPT_BETWEEN },
		{ "carve", required_argument, NULL, SCAN_OPT_CARVE },
		{ "chunk", required_argument, NULL, SCAN_OPT_CHUNK },
		{ "context", required_argument, NULL, SCAN_OPT_CONTEXT },
		{ "eq", required_argument, NULL, SCAN_OPT_EQ },
		{ "gt", required_argument, NULL, SCAN_OPT_GT },
		{ "patterns", required_argument, NULL, 'F' },
		{ "hex", required_argument, NULL, 'x' },
		{ "ignore-case", no_argument, NULL, 'i' },
		{ "kernel", no_argument, NULL, TOOL_OPT_KERNEL },
		{ "lt", required_argument, NULL, SCAN_OPT_LT },
		{ "max-hits", required_argument, NULL, SCAN_OPT_MAX_HITS },
		{ "name", required_argument, NULL, 'n' },
		{ "pcap", required_argument, NULL, 'w' },
		{ "phys", no_argument, NULL, TOOL_OPT_PHYS },
		{ "pid", required_argument, NULL, 'p' },
		{ "rescan", required_argument, NULL, SCAN_OPT_RESCAN },
		{ "snapshot", required_argument, NULL, SCAN_OPT_SNAPSHOT },
		{ "string", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, SCAN_OPT_THREADS },
		{ "type", required_argument, NULL, 'T' },
		{ "utf16", no_argument, NULL, SCAN_OPT_UTF16 },
		{ "yara", required_argument, NULL, 'Y' },
		{ NULL, 0, NULL, 0 },
	};
	struct tool *tl = st->tl;
	const char **hexes = NULL, **strs = NULL, *cmp_a = NULL, *cmp_b = NULL, *align_arg = NULL;
	size_t nhex = 0, nstr = 0, i;
	bool icase = false, utf16 = false, cmp_set = false;
	char err[256];
	long ncpu;
	uint64_t v;
	int c;

	st->context = 16;
	rs->mode = RS_UNCHANGED;
	tool_init(tl, argv, "mf-scan", scan_usage);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	st->threads = ncpu < 1 ? 1 : ncpu > SCAN_THREADS_MAX ? SCAN_THREADS_MAX : (unsigned)ncpu;
	while ((c = tool_getopt_long(argc, argv, "F:T:Y:c:f:hin:o:p:qs:t:vw:x:", longopts)) != -1) {
		switch (c) {
		case 'T':
			if (mf_type_parse(optarg, &st->typed.type) < 0 || mf_type_size(st->typed.type, 8) == 0 ||
			    st->typed.type == MF_T_PTR)
				tool_usage_error(tl, "unknown type '%s' (u8 u16 u32 u64 i8 i16 i32 i64 f32 f64)", optarg);
			st->have_typed = true;
			break;
		case 'F':
			st->list_file = optarg;
			break;
		case 'Y':
			st->yara_file = optarg;
			break;
		case 'i':
			icase = true;
			break;
		case 'n':
		case 'p':
		case TOOL_OPT_KERNEL:
		case TOOL_OPT_PHYS:
			scan_space_opt(st, c, optarg);
			break;
		case 's':
			strs = tool_xrealloc(strs, nstr + 1, sizeof *strs);
			strs[nstr++] = optarg;
			break;
		case 'w':
			st->pcap_path = optarg;
			break;
		case 'x':
			hexes = tool_xrealloc(hexes, nhex + 1, sizeof *hexes);
			hexes[nhex++] = optarg;
			break;
		case SCAN_OPT_ALIGN:
			align_arg = optarg;
			break;
		case SCAN_OPT_ALL_REGIONS:
			st->all_regions = true;
			break;
		case SCAN_OPT_BETWEEN:
			scan_set_cmp(st, SCAN_BETWEEN, &cmp_set);
			cmp_a = optarg;
			if (optind >= argc)
				tool_usage_error(tl, "--between takes LOW and HIGH");
			cmp_b = argv[optind++];
			break;
		case SCAN_OPT_CARVE:
			st->carve = optarg;
			break;
		case SCAN_OPT_CHUNK:
			v = tool_parse_u64(tl, "chunk size", optarg);
			if (v < SCAN_PAGE || v > (1u << 30) || v % SCAN_PAGE != 0)
				tool_usage_error(tl, "invalid chunk size '%s' (4K to 1G, a multiple of 4K)", optarg);
			st->chunk = (size_t)v;
			break;
		case SCAN_OPT_CONTEXT:
			v = tool_parse_u64(tl, "context", optarg);
			if (v > SCAN_CONTEXT_MAX)
				tool_usage_error(tl, "context '%s' out of range (at most %u)", optarg, SCAN_CONTEXT_MAX);
			st->context = (size_t)v;
			st->context_given = true;
			break;
		case SCAN_OPT_EQ:
			scan_set_cmp(st, SCAN_EQ, &cmp_set);
			cmp_a = optarg;
			break;
		case SCAN_OPT_GT:
			scan_set_cmp(st, SCAN_GT, &cmp_set);
			cmp_a = optarg;
			break;
		case SCAN_OPT_LT:
			scan_set_cmp(st, SCAN_LT, &cmp_set);
			cmp_a = optarg;
			break;
		case SCAN_OPT_MAX_HITS:
			st->max_hits = tool_parse_u64(tl, "hit count", optarg);
			if (st->max_hits == 0)
				tool_usage_error(tl, "invalid hit count '%s'", optarg);
			break;
		case SCAN_OPT_RESCAN:
			st->rescan = optarg;
			break;
		case SCAN_OPT_SNAPSHOT:
			st->snapshot = optarg;
			break;
		case SCAN_OPT_THREADS:
			v = tool_parse_u64(tl, "thread count", optarg);
			if (v == 0 || v > SCAN_THREADS_MAX)
				tool_usage_error(tl, "thread count '%s' out of range (1 to %d)", optarg, SCAN_THREADS_MAX);
			st->threads = (unsigned)v;
			break;
		case SCAN_OPT_UTF16:
			utf16 = true;
			break;
		default:
			tool_common_opt(tl, c, optarg);
			break;
		}
	}
	/* -v applies to what compiling the patterns and rules says (the Hyperscan cache) */
	tool_options_done(tl);

	if (st->all_regions && (st->rescan != NULL || st->sp.kind == MF_ASPACE_PHYS || st->sp.kind == MF_ASPACE_KERNEL))
		tool_usage_error(tl, "--all-regions goes with process spaces (-p, -n or process records), not %s",
		                 st->rescan != NULL ? "--rescan" : st->sp.kind == MF_ASPACE_PHYS ? "--phys" : "--kernel");
	if (st->snapshot != NULL && st->rescan == NULL && !st->have_typed)
		tool_usage_error(tl, "--snapshot goes with -T TYPE (a first scan for an unknown value) or --rescan MODE");
	if (st->carve != NULL || st->pcap_path != NULL) {
		scan_carve_opts(st, nhex + nstr > 0 || st->list_file != NULL, st->have_typed || cmp_set || align_arg != NULL,
		                optind < argc ? argv[optind] : NULL);
	} else if (st->yara_file != NULL) {
		if (st->rescan != NULL || nhex || nstr || st->have_typed || cmp_set || st->list_file != NULL)
			tool_usage_error(tl, "-Y excludes -x, -s, -F, -T and --rescan");
		if (optind < argc)
			tool_usage_error(tl, "unexpected argument '%s'", argv[optind]);
		if (scan_yara_load(st->yara_file, &st->yara, tl->errbuf) < 0)
			tool_die(tl, "%s", tl->errbuf);
		if (st->threads > scan_yara_max_threads())
			st->threads = scan_yara_max_threads();
		st->maxlen = SCAN_YARA_OVERLAP;
	} else if (st->rescan != NULL) {
		if (nhex || nstr || st->have_typed || tool_spaces_given(&st->sp) || cmp_set || st->list_file != NULL)
			tool_usage_error(tl, "--rescan takes its hits from stdin: no patterns, types or spaces");
		st->rescan_args = argv + optind;
		st->nrescan_args = (size_t)(argc - optind);
		scan_parse_rescan(st, rs);
	} else if (st->have_typed) {
		if (nhex || nstr || st->list_file != NULL)
			tool_usage_error(tl, "-T excludes -x, -s and -F");
		if (st->snapshot != NULL && (cmp_set || optind < argc))
			tool_usage_error(tl, "-T %s --snapshot saves memory for an unknown value: no VALUE (compare later with "
			                 "--rescan MODE --snapshot FILE)", mf_type_name(st->typed.type));
		if (!cmp_set && optind < argc)
			cmp_a = argv[optind++];
		if (st->snapshot != NULL)
			cmp_a = "0";   /* the matcher is not run: memory is saved */
		if (cmp_a == NULL)
			tool_usage_error(tl, "-T %s needs a value (VALUE, --eq, --gt, --lt or --between)",
			                 mf_type_name(st->typed.type));
		if (optind < argc)
			tool_usage_error(tl, "unexpected argument '%s'", argv[optind]);
		st->typed.size = mf_type_size(st->typed.type, 8);
		if (cmp_b != NULL ? scan_between_parse(st->typed.type, cmp_a, cmp_b, &st->typed.a, &st->typed.b, tl->errbuf) < 0
		                  : mf_num_parse(st->typed.type, 8, cmp_a, &st->typed.a, tl->errbuf) < 0)
			tool_usage_error(tl, "%s", tl->errbuf);
		st->typed.align = st->typed.size;
		if (align_arg != NULL) {
			v = tool_parse_u64(tl, "alignment", align_arg);
			if (v == 0 || v > 4096)
				tool_usage_error(tl, "alignment '%s' out of range (1 to 4096)", align_arg);
			st->typed.align = (unsigned)v;
		}
		if (cmp_b != NULL)
			snprintf(st->typed_text, sizeof st->typed_text, "%s between %s %s", mf_type_name(st->typed.type),
			         cmp_a, cmp_b);
		else
			snprintf(st->typed_text, sizeof st->typed_text, "%s %s %s", mf_type_name(st->typed.type),
			         scan_cmp_names[st->typed.cmp], cmp_a);
		if (scan_typed_prepare(&st->typed) < 0)
			tool_oom();
		st->maxlen = st->typed.size;
	} else {
		if (cmp_set || align_arg != NULL)
			tool_usage_error(tl, "--eq, --gt, --lt, --between and --align go with -T");
		if (optind < argc)
			tool_usage_error(tl, "unexpected argument '%s'", argv[optind]);
		if (nhex + nstr == 0 && st->list_file == NULL)
			tool_usage_error(tl, "nothing to search for: give -x HEX, -s TEXT, -F FILE or -T TYPE VALUE");
		if ((icase || utf16) && nstr == 0)
			tool_usage_error(tl, "-i and --utf16 go with -s");
		st->pats = tool_xcalloc(nhex + nstr * 2, sizeof *st->pats);
		for (i = 0; i < nhex; i++)
			if (scan_pat_hex(&st->pats[st->npats++], hexes[i], err, sizeof err) < 0)
				tool_usage_error(tl, "%s", err);
		for (i = 0; i < nstr; i++) {
			if (scan_pat_str(&st->pats[st->npats++], strs[i], false, icase, err, sizeof err) < 0)
				tool_usage_error(tl, "%s", err);
			if (utf16 && scan_pat_str(&st->pats[st->npats++], strs[i], true, icase, err, sizeof err) < 0)
				tool_usage_error(tl, "%s", err);
		}
		if (st->list_file != NULL)
			scan_list_load(st);
		for (i = 0; i < st->npats; i++)
			if (st->pats[i].len > st->maxlen)
				st->maxlen = st->pats[i].len;
	}
	if (st->chunk == 0 && st->yara_file != NULL) {
		/* YARA's chunks stay one size: what its conditions see of the space is a chunk */
		st->chunk = SCAN_CHUNK_YARA_DEFAULT;
	} else if (st->chunk == 0) {
		st->chunk = SCAN_CHUNK_DEFAULT;
		st->view_chunk = SCAN_CHUNK_VIEW_DEFAULT;
	}
	if (st->context == 0)
		st->context = 1;   /* the overlap arithmetic needs one byte; data holds at least it */
	free(hexes);
	free(strs);
}
