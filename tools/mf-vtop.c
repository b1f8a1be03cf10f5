/* mf-vtop: virtual to physical translation, shown level by level; the page map of an
 * address space; the virtual addresses that map a physical address. */
#include "config.h"
#include "tool.h"
#include "vtop-fmt.h"

#include <mftools/vat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	VTOP_OPT_DTB_HI = TOOL_OPT_FIRST_OWN,
	VTOP_OPT_GRANULE,
	VTOP_OPT_MAP,
	VTOP_OPT_PHYS,
	VTOP_OPT_VA_BITS,
};

enum vtop_mode { VTOP_TRANSLATE, VTOP_MAP, VTOP_PHYS };

#define VTOP_P2V_MAX 4096    /* virtual addresses listed per physical address */

struct vtop_state {
	struct tool *tl;
	struct tool_spaces spaces;
	enum vtop_mode mode;
	const char *dtb_hi_arg, *va_bits_arg, *granule_arg;
	struct mf_aspace *as;
	struct mf_aspace_id id;  /* the space, with the tables walked in id.sp */
	struct mf_vat *vat;      /* the target's */
	struct mf_rec *rec;
	struct mf_rec *steprec[VTOP_MAXSTEPS];
	bool table;              /* text output */
	int status;
	/* page map totals */
	uint64_t nranges, mapped;
};

static struct tool vtop_tool;

static void
vtop_usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "usage: mf-vtop [options] [--kernel | -p PID | --dtb ROOT --arch ARCH] ADDR...\n"
	           "       mf-vtop [options] [--kernel | -p PID | --dtb ROOT --arch ARCH] --map [START [END]]\n"
	           "       mf-vtop [options] [--kernel | -p PID | --dtb ROOT --arch ARCH] --phys PA...\n");
	if (status) {
		fprintf(f, "Try 'mf-vtop --help' for more information.\n");
		exit(status);
	}
	fprintf(f,
	        "\nTranslate virtual addresses of an address space by walking its page tables, and\n"
	        "show each walk level by level: table address, index, entry address, raw entry\n"
	        "and its flags, then the physical address, page size and permissions, or where\n"
	        "and why the walk failed.  Records: `xlat` (json, msgpack).  Without a space\n"
	        "option: each process whose record arrives on stdin, in order, else the kernel.\n"
	        "\nAddress space:\n"
	        "      --kernel           the kernel's address space (arch and root from the target)\n"
	        "  -p, --pid=PID[,PID]    a process's address space (from the os layer)\n"
	        "      --dtb=ROOT         the address space with page-table root ROOT (x86: CR3;\n"
	        "                         aarch64: the root of both halves unless --dtb-hi)\n"
	        "      --dtb-hi=ROOT      aarch64: the root of the upper half (TTBR1)\n"
	        "      --arch=ARCH        x86_64, x86_64-la57, x86, x86-pae, aarch64, riscv-sv39,\n"
	        "                         riscv-sv48 (default: the target's)\n"
	        "      --va-bits=N        aarch64: virtual address size (default 48)\n"
	        "      --granule=SIZE     aarch64: 4K, 16K or 64K (default 4K)\n"
	        "\nWhat to show:\n"
	        "      --map              every mapped range of [START, END) (default: the whole\n"
	        "                         space), merged: `pagemap` records\n"
	        "      --phys             the arguments are physical addresses: list the virtual\n"
	        "                         addresses that map each (`p2v` records)\n");
	tool_usage_common(f, false);
	fprintf(f, "\nExit status: 0 if every address translated, 1 if one did not (or on error),\n"
	           "2 for usage errors.\n");
	exit(status);
}

/* ---- translate ---- */

static void
vtop_translate(struct vtop_state *st, uint64_t va)
{
	struct tool *tl = st->tl;
	struct vtop_walk w = { .id = &st->id, .va = va, .ns = VTOP_MAXSTEPS };
	char fl[160], sz[32], pm[5], xf[16];
	size_t i;

	w.r = mf_vat_walk(st->vat, &st->id.sp, va, w.steps, &w.ns, &w.x);
	if (w.r < 0 && w.r != MF_ERR_NOTMAPPED && w.r != MF_ERR_NONCANONICAL && w.ns == 0 && w.x.err == 0)
		tool_die(tl, "cannot translate 0x%llx: %s", (unsigned long long)va, mf_strerror(w.r));
	if (w.r < 0) {
		vtop_why(&st->id.sp, w.r, w.steps, w.ns, w.why, sizeof w.why);
		mf_out_flush(tl->out);   /* keep the message after the walk before it */
		tool_err(tl, "0x%llx: %s", (unsigned long long)va, w.why);
		st->status = TOOL_EXIT_FAIL;
	}
	if (!st->table) {
		if (vtop_xlat_rec(st->rec, st->steprec, &w) < 0)
			tool_oom();
		tool_rec(tl, st->rec);
		return;
	}
	tool_printf(tl, "VA 0x%016llx\n", (unsigned long long)va);
	if (w.ns > 0)
		tool_printf(tl, "  %-6s %-18s %5s %-18s %-18s %s\n", "LEVEL", "TABLE", "INDEX", "ENTRY ADDRESS", "ENTRY",
		            "FLAGS");
	for (i = 0; i < w.ns; i++) {
		const struct mf_vat_step *s = &w.steps[i];

		vtop_entry_flags(&st->id.sp, s->entry, w.r == 0 && i + 1 == w.ns, fl, sizeof fl);
		tool_printf(tl, "  %-6s 0x%016llx %5u 0x%016llx ", mf_vat_level_name(&st->id.sp, s->level),
		            (unsigned long long)s->table_pa, s->index, (unsigned long long)s->entry_pa);
		if (s->err < 0 && s->err != MF_ERR_NOTMAPPED)
			tool_printf(tl, "%-18s %s\n", "?", mf_strerror(s->err));
		else
			tool_printf(tl, "0x%016llx %s\n", (unsigned long long)s->entry, fl);
	}
	if (w.r == 0)
		tool_printf(tl, "  => PA 0x%llx  page %s  %s%s%s\n", (unsigned long long)w.x.pa,
		            vtop_size_str(w.x.page_size, sz, sizeof sz), vtop_perms(w.x.flags, pm),
		            w.x.flags & (MF_VAT_GLOBAL | MF_VAT_ACCESSED | MF_VAT_DIRTY) ? "  " : "",
		            vtop_xflags(w.x.flags, xf, sizeof xf));
	else
		tool_printf(tl, "  => %s\n", w.why);
}

/* ---- page map ---- */

static int
vtop_map_cb(void *ctx, const struct mf_vat_range *rg)
{
	struct vtop_state *st = ctx;

	st->nranges++;
	st->mapped += rg->size;
	if (vtop_pagemap_rec(st->rec, rg) < 0)
		tool_oom();
	tool_rec(st->tl, st->rec);
	return 0;
}

static void
vtop_map(struct vtop_state *st, uint64_t start, uint64_t end)
{
	struct tool *tl = st->tl;
	char sz[32];
	int r;

	st->nranges = st->mapped = 0;
	r = mf_vat_page_map(st->vat, &st->id.sp, start, end, vtop_map_cb, st);
	if (r == MF_ERR_LIMIT) {
		tool_err(tl, "page map of %s stopped after visiting too many page tables (cyclic or corrupt tables?)",
		         mf_aspace_name(st->as));
		st->status = TOOL_EXIT_FAIL;
	} else if (r < 0) {
		tool_die(tl, "cannot walk the page tables of %s: %s", mf_aspace_name(st->as), mf_strerror(r));
	}
	mf_log(1, "%llu ranges, %s mapped, %llu physical reads, %zu bytes of translator memory",
	       (unsigned long long)st->nranges, vtop_size_str(st->mapped, sz, sizeof sz),
	       (unsigned long long)mf_vat_phys_calls(st->vat), mf_vat_memory(st->vat));
	if (st->nranges == 0 && r == 0) {
		char ebuf[24];

		if (end == 0)
			snprintf(ebuf, sizeof ebuf, "the top");
		else
			snprintf(ebuf, sizeof ebuf, "0x%llx", (unsigned long long)end);
		tool_err(tl, "nothing mapped in [0x%llx, %s) of %s", (unsigned long long)start, ebuf,
		         mf_aspace_name(st->as));
		st->status = TOOL_EXIT_FAIL;
	}
}

/* ---- physical to virtual ---- */

static void
vtop_phys(struct vtop_state *st, uint64_t pa, uint64_t *vas)
{
	struct tool *tl = st->tl;
	size_t found = 0, i;
	int r;

	r = mf_vat_phys_to_virt(st->vat, &st->id.sp, pa, vas, VTOP_P2V_MAX, &found);
	if (r < 0 && r != MF_ERR_LIMIT)
		tool_die(tl, "cannot walk the page tables of %s: %s", mf_aspace_name(st->as), mf_strerror(r));
	if (r == MF_ERR_LIMIT) {
		tool_err(tl, "0x%llx: page map stopped after visiting too many page tables (cyclic or corrupt tables?)",
		         (unsigned long long)pa);
		st->status = TOOL_EXIT_FAIL;
	}
	if (found == 0) {
		tool_err(tl, "0x%llx: not mapped in %s", (unsigned long long)pa, mf_aspace_name(st->as));
		st->status = TOOL_EXIT_FAIL;
		return;
	}
	if (found > VTOP_P2V_MAX)
		tool_warn(tl, "0x%llx: mapped at %zu addresses, only the first %u listed", (unsigned long long)pa, found,
		          VTOP_P2V_MAX);
	for (i = 0; i < found && i < VTOP_P2V_MAX; i++) {
		mf_rec_reset(st->rec, "p2v");
		if (mf_rec_add_addr(st->rec, "pa", pa) < 0 || mf_rec_add_addr(st->rec, "va", vas[i]) < 0)
			tool_oom();
		tool_rec(tl, st->rec);
	}
}

/* ---- the space ---- */

/* Open the next space and apply --dtb-hi, --va-bits and --granule; false when done. */
static bool
vtop_next_space(struct vtop_state *st, struct mf_select *sel)
{
	struct tool *tl = st->tl;
	const struct mf_space *sp;
	uint64_t v;
	int r;

	if ((r = mf_select_next(sel, &st->id, tl->errbuf)) < 0)
		tool_die(tl, "%s", tl->errbuf);
	if (r == 0)
		return false;
	if (mf_aspace_open(tl->t, &st->id, &st->as, tl->errbuf) < 0) {
		if (st->id.kind == MF_ASPACE_PROCESS)
			tool_die(tl, "cannot find the address space of pid %llu: %s", (unsigned long long)st->id.pid, tl->errbuf);
		if (st->id.kind == MF_ASPACE_KERNEL)
			tool_die(tl, "cannot find the kernel's address space: %s", tl->errbuf);
		tool_die(tl, "%s", tl->errbuf);
	}
	if ((sp = mf_aspace_space(st->as)) == NULL)
		tool_die(tl, "cannot find the address space of %s: the os layer reads it itself", mf_aspace_name(st->as));
	st->id = *mf_aspace_id(st->as);
	if (st->dtb_hi_arg != NULL)
		st->id.sp.root_hi = tool_parse_u64(tl, "page-table root", st->dtb_hi_arg);
	if (st->va_bits_arg != NULL) {
		v = tool_parse_u64(tl, "VA size", st->va_bits_arg);
		if (v < 25 || v > 52)
			tool_usage_error(tl, "VA size '%s' out of range (25 to 52)", st->va_bits_arg);
		st->id.sp.va_bits = (uint32_t)v;
	}
	if (st->granule_arg != NULL) {
		v = tool_parse_u64(tl, "granule", st->granule_arg);
		if (v != 4096 && v != 16384 && v != 65536)
			tool_usage_error(tl, "invalid granule '%s' (4K, 16K or 64K)", st->granule_arg);
		st->id.sp.granule = (uint32_t)v;
	}
	if ((st->va_bits_arg || st->granule_arg || st->dtb_hi_arg) && st->id.sp.arch != MF_ARCH_AARCH64)
		tool_usage_error(tl, "--va-bits, --granule and --dtb-hi apply to aarch64, not %s", mf_arch_name(st->id.sp.arch));
	if (mf_space_check(tl->t, &st->id.sp, tl->errbuf) < 0)
		tool_die(tl, "%s", tl->errbuf);
	return true;
}

static void
vtop_set_mode(struct vtop_state *st, enum vtop_mode m)
{
	if (st->mode != VTOP_TRANSLATE && st->mode != m)
		tool_usage_error(st->tl, "--map and --phys exclude each other");
	st->mode = m;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		TOOL_LONGOPTS_COMMON,
		{ "arch", required_argument, NULL, TOOL_OPT_ARCH },
		{ "dtb", required_argument, NULL, TOOL_OPT_DTB },
		{ "dtb-hi", required_argument, NULL, VTOP_OPT_DTB_HI },
		{ "granule", required_argument, NULL, VTOP_OPT_GRANULE },
		{ "kernel", no_argument, NULL, TOOL_OPT_KERNEL },
		{ "map", no_argument, NULL, VTOP_OPT_MAP },
		{ "phys", no_argument, NULL, VTOP_OPT_PHYS },
		{ "pid", required_argument, NULL, 'p' },
		{ "va-bits", required_argument, NULL, VTOP_OPT_VA_BITS },
		{ NULL, 0, NULL, 0 },
	};
	struct vtop_state st = { .tl = &vtop_tool };
	struct tool *tl = &vtop_tool;
	uint64_t *addrs, *vas = NULL;
	struct mf_select *sel;
	size_t naddrs, i, shown = 0;
	int c;

	st.spaces.one = "give one address space (-p, --kernel or --dtb)";
	tool_init(tl, argv, "mf-vtop", vtop_usage);
	while ((c = getopt_long(argc, argv, "c:f:ho:p:qt:v", longopts, NULL)) != -1) {
		switch (c) {
		case VTOP_OPT_DTB_HI:
			st.dtb_hi_arg = optarg;
			break;
		case VTOP_OPT_GRANULE:
			st.granule_arg = optarg;
			break;
		case VTOP_OPT_MAP:
			vtop_set_mode(&st, VTOP_MAP);
			break;
		case VTOP_OPT_PHYS:
			vtop_set_mode(&st, VTOP_PHYS);
			break;
		case VTOP_OPT_VA_BITS:
			st.va_bits_arg = optarg;
			break;
		default:
			if (!tool_space_opt(tl, &st.spaces, c, optarg))
				tool_common_opt(tl, c, optarg);
			break;
		}
	}
	if (st.spaces.sel.arch != NULL && st.spaces.kind != MF_ASPACE_DTB)
		tool_usage_error(tl, "--arch goes with --dtb");
	naddrs = (size_t)(argc - optind);
	if (st.mode == VTOP_MAP && naddrs > 2)
		tool_usage_error(tl, "--map takes at most START and END");
	if (st.mode != VTOP_MAP && naddrs == 0)
		tool_usage_error(tl, "no address given");
	addrs = tool_xcalloc(naddrs ? naddrs : 1, sizeof *addrs);
	/* a virtual address may be a symbol or a module (linux_banner, init_task+0x10): those
	 * are resolved in each space; numbers are checked now */
	for (i = 0; i < naddrs; i++)
		if (st.mode != VTOP_TRANSLATE || (argv[optind + i][0] >= '0' && argv[optind + i][0] <= '9'))
			addrs[i] = tool_parse_u64(tl, st.mode == VTOP_PHYS ? "physical address" : "address", argv[optind + i]);
	if (st.mode == VTOP_MAP && naddrs == 2 && addrs[1] != 0 && addrs[1] <= addrs[0])
		tool_usage_error(tl, "empty range: END '%s' is not above START '%s'", argv[optind + 1], argv[optind]);
	tool_options_done(tl);
	tool_spaces_stdin(tl, &st.spaces);
	tool_open(tl, false);
	if (!mf_target_has_phys(tl->t))
		tool_die(tl, "%s has no physical memory to translate over (give a connector with -c)", mf_target_name(tl->t));
	if ((st.vat = mf_target_vat(tl->t, tl->errbuf)) == NULL)
		tool_die(tl, "%s", tl->errbuf);
	sel = tool_select(tl, &st.spaces, MF_SELECT_KERNEL);
	if (!vtop_next_space(&st, sel))
		tool_die(tl, "no address space");
	st.table = mf_out_format(tl->out) == MF_FMT_TABLE;
	if ((st.rec = mf_rec_new("xlat")) == NULL)
		tool_oom();
	for (i = 0; i < VTOP_MAXSTEPS; i++)
		if ((st.steprec[i] = mf_rec_new(NULL)) == NULL)
			tool_oom();
	tool_columns(tl, "pagemap");
	tool_columns(tl, "p2v");
	tool_write_target(tl);
	if (st.mode == VTOP_PHYS)
		vas = tool_xcalloc(VTOP_P2V_MAX, sizeof *vas);
	do {
		switch (st.mode) {
		case VTOP_TRANSLATE:
			for (i = 0; i < naddrs; i++) {
				const char *expr = argv[optind + i];

				if (!(expr[0] >= '0' && expr[0] <= '9') && mf_aspace_addr(st.as, expr, &addrs[i], tl->errbuf) < 0) {
					tool_err(tl, "%s", tl->errbuf);
					st.status = TOOL_EXIT_FAIL;
					continue;
				}
				if (st.table && shown++ > 0)
					tool_printf(tl, "\n");
				vtop_translate(&st, addrs[i]);
			}
			break;
		case VTOP_MAP:
			vtop_map(&st, naddrs > 0 ? addrs[0] : 0, naddrs > 1 ? addrs[1] : 0);
			break;
		case VTOP_PHYS:
			for (i = 0; i < naddrs; i++)
				vtop_phys(&st, addrs[i], vas);
			break;
		}
		mf_aspace_close(st.as);
	} while (vtop_next_space(&st, sel));
	mf_select_free(sel);
	free(st.spaces.pids);
	for (i = 0; i < VTOP_MAXSTEPS; i++)
		mf_rec_free(st.steprec[i]);
	mf_rec_free(st.rec);
	free(vas);
	free(addrs);
	return tool_finish(tl, st.status);
}
