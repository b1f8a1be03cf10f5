/* mf-vtop: virtual to physical translation, shown level by level; the page map of an
 * address space; the virtual addresses that map a physical address. */
#include "config.h"
#include "tool.h"

#include <mftools/vat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	VTOP_OPT_ARCH = TOOL_OPT_FIRST_OWN,
	VTOP_OPT_DTB,
	VTOP_OPT_DTB_HI,
	VTOP_OPT_GRANULE,
	VTOP_OPT_KERNEL,
	VTOP_OPT_MAP,
	VTOP_OPT_PHYS,
	VTOP_OPT_VA_BITS,
};

enum vtop_space { VTOP_SP_NONE, VTOP_SP_PID, VTOP_SP_KERNEL, VTOP_SP_DTB };
enum vtop_mode { VTOP_TRANSLATE, VTOP_MAP, VTOP_PHYS };

#define VTOP_MAXSTEPS 8
#define VTOP_P2V_MAX 4096    /* virtual addresses listed per physical address */

struct vtop_state {
	struct tool *tl;
	enum vtop_space space;
	enum vtop_mode mode;
	uint64_t pid;
	const char *dtb_arg, *dtb_hi_arg, *arch_arg, *va_bits_arg, *granule_arg;
	struct mf_space sp;
	struct mf_vat *vat;
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
	        "option: the process whose record arrives on stdin, else the kernel.\n"
	        "\nAddress space:\n"
	        "      --kernel           the kernel's address space (arch and root from the target)\n"
	        "  -p, --pid=PID          a process's address space (from the os layer)\n"
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

/* ---- formatting ---- */

static const char *
vtop_size_str(uint64_t n, char *buf, size_t size)
{
	static const char units[] = "KMGTPE";
	unsigned u = 0;

	if (n == 0 || (n & 1023) != 0) {
		snprintf(buf, size, "%llu", (unsigned long long)n);
		return buf;
	}
	n >>= 10;
	while ((n & 1023) == 0 && n >= 1024 && u < sizeof units - 2) {
		n >>= 10;
		u++;
	}
	snprintf(buf, size, "%llu%c", (unsigned long long)n, units[u]);
	return buf;
}

/* "rwxu": readable, writable, executable, user (u) or supervisor-only (s) */
static const char *
vtop_perms(uint32_t fl, char buf[5])
{
	buf[0] = fl & MF_VAT_R ? 'r' : '-';
	buf[1] = fl & MF_VAT_W ? 'w' : '-';
	buf[2] = fl & MF_VAT_X ? 'x' : '-';
	buf[3] = fl & MF_VAT_U ? 'u' : 's';
	buf[4] = '\0';
	return buf;
}

/* The other translation flags: "G A D". */
static const char *
vtop_xflags(uint32_t fl, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", fl & MF_VAT_GLOBAL ? "G " : "", fl & MF_VAT_ACCESSED ? "A " : "",
	         fl & MF_VAT_DIRTY ? "D " : "");
	if (buf[0] != '\0')
		buf[strlen(buf) - 1] = '\0';
	return buf;
}

struct vtop_bit {
	unsigned bit;
	const char *name;
};

static void
vtop_bits(const struct vtop_bit *b, size_t n, uint64_t e, char *buf, size_t size)
{
	size_t i, len = strlen(buf);

	for (i = 0; i < n && len + 1 < size; i++) {
		if (!(e >> b[i].bit & 1))
			continue;
		snprintf(buf + len, size - len, "%s%s", len ? " " : "", b[i].name);
		len = strlen(buf);
	}
}

/* The flags of a raw entry, by architecture; `leaf` for the entry that maps the page. */
static void
vtop_entry_flags(const struct mf_space *sp, uint64_t e, bool leaf, char *buf, size_t size)
{
	static const struct vtop_bit x86[] = {
		{ 0, "P" }, { 1, "RW" }, { 2, "US" }, { 3, "PWT" }, { 4, "PCD" }, { 5, "A" }, { 6, "D" },
		{ 7, "PS" }, { 8, "G" }, { 63, "NX" },
	};
	static const struct vtop_bit rv[] = {
		{ 0, "V" }, { 1, "R" }, { 2, "W" }, { 3, "X" }, { 4, "U" }, { 5, "G" }, { 6, "A" }, { 7, "D" },
	};
	static const struct vtop_bit arm_table[] = {
		{ 59, "PXNTable" }, { 60, "UXNTable" }, { 61, "APTable0" }, { 62, "APTable1" }, { 63, "NSTable" },
	};
	static const struct vtop_bit arm_leaf[] = {
		{ 6, "AP1(EL0)" }, { 7, "AP2(RO)" }, { 10, "AF" }, { 11, "nG" }, { 51, "DBM" }, { 52, "Contig" },
		{ 53, "PXN" }, { 54, "UXN" },
	};

	buf[0] = '\0';
	switch (sp->arch) {
	case MF_ARCH_X86_32:
		vtop_bits(x86, sizeof x86 / sizeof *x86 - 1, e, buf, size);
		break;
	case MF_ARCH_X86_PAE:
	case MF_ARCH_X86_64:
	case MF_ARCH_X86_64_LA57:
		vtop_bits(x86, sizeof x86 / sizeof *x86, e, buf, size);
		break;
	case MF_ARCH_RISCV_SV39:
	case MF_ARCH_RISCV_SV48:
		vtop_bits(rv, sizeof rv / sizeof *rv, e, buf, size);
		break;
	case MF_ARCH_AARCH64:
		if (!(e & 1)) {
			snprintf(buf, size, "invalid");
		} else if (!leaf) {
			snprintf(buf, size, "table");
			vtop_bits(arm_table, sizeof arm_table / sizeof *arm_table, e, buf, size);
		} else {
			snprintf(buf, size, "%s AttrIdx%u", e & 2 ? "page" : "block", (unsigned)(e >> 2 & 7));
			vtop_bits(arm_leaf, sizeof arm_leaf / sizeof *arm_leaf, e, buf, size);
		}
		break;
	default:
		break;
	}
}

static const char *
vtop_space_name(const struct vtop_state *st, char *buf, size_t size)
{
	switch (st->space) {
	case VTOP_SP_PID:
		snprintf(buf, size, "pid %llu", (unsigned long long)st->pid);
		break;
	case VTOP_SP_KERNEL:
		snprintf(buf, size, "kernel");
		break;
	default:
		snprintf(buf, size, "dtb 0x%llx", (unsigned long long)st->sp.root);
		break;
	}
	return buf;
}

static void
vtop_space_fields(struct vtop_state *st, struct mf_rec *r)
{
	int e;

	if ((e = mf_rec_add_str(r, "space", st->space == VTOP_SP_PID ? "process"
	                                    : st->space == VTOP_SP_KERNEL ? "kernel" : "dtb")) < 0 ||
	    (st->space == VTOP_SP_PID && (e = mf_rec_add_uint(r, "pid", st->pid)) < 0) ||
	    (e = mf_rec_add_str(r, "arch", mf_arch_name(st->sp.arch))) < 0 ||
	    (e = mf_rec_add_addr(r, "dtb", st->sp.root)) < 0 ||
	    (st->sp.root_hi != 0 && (e = mf_rec_add_addr(r, "dtb_hi", st->sp.root_hi)) < 0))
		tool_oom();
}

/* Why a walk failed, for people. */
static const char *
vtop_why(const struct mf_space *sp, int err, const struct mf_vat_step *steps, size_t ns, char *buf, size_t size)
{
	const struct mf_vat_step *last = ns ? &steps[ns - 1] : NULL;

	switch (err) {
	case MF_ERR_NONCANONICAL:
		snprintf(buf, size, "non-canonical address for %s", mf_arch_name(sp->arch));
		break;
	case MF_ERR_NOTMAPPED:
		if (last == NULL)
			snprintf(buf, size, "not mapped: no page table for this half of the address space");
		else if (last->err == MF_ERR_NOTMAPPED && last->entry != 0)
			snprintf(buf, size, "not mapped: %s entry %u (0x%llx) is not valid or reserved bits are set",
			         mf_vat_level_name(sp, last->level), last->index, (unsigned long long)last->entry);
		else
			snprintf(buf, size, "not mapped: %s entry %u not present", mf_vat_level_name(sp, last->level),
			         last->index);
		break;
	default:
		if (last != NULL)
			snprintf(buf, size, "cannot read %s table at 0x%llx: %s", mf_vat_level_name(sp, last->level),
			         (unsigned long long)last->table_pa, mf_strerror(err));
		else
			snprintf(buf, size, "%s", mf_strerror(err));
		break;
	}
	return buf;
}

/* ---- translate ---- */

static void
vtop_translate(struct vtop_state *st, uint64_t va)
{
	struct tool *tl = st->tl;
	struct mf_vat_step steps[VTOP_MAXSTEPS];
	struct mf_vat_xlat x;
	struct mf_value arr, items[VTOP_MAXSTEPS];
	size_t ns = VTOP_MAXSTEPS, i;
	char fl[160], why[200], sz[32], pm[5], xf[16];
	int r;

	r = mf_vat_walk(st->vat, &st->sp, va, steps, &ns, &x);
	if (r < 0 && r != MF_ERR_NOTMAPPED && r != MF_ERR_NONCANONICAL && ns == 0 && x.err == 0)
		tool_die(tl, "cannot translate 0x%llx: %s", (unsigned long long)va, mf_strerror(r));
	if (r < 0) {
		vtop_why(&st->sp, r, steps, ns, why, sizeof why);
		mf_out_flush(tl->out);   /* keep the message after the walk before it */
		tool_err(tl, "0x%llx: %s", (unsigned long long)va, why);
		st->status = TOOL_EXIT_FAIL;
	}
	if (st->table) {
		tool_printf(tl, "VA 0x%016llx\n", (unsigned long long)va);
		if (ns > 0)
			tool_printf(tl, "  %-6s %-18s %5s %-18s %-18s %s\n", "LEVEL", "TABLE", "INDEX", "ENTRY ADDRESS",
			            "ENTRY", "FLAGS");
		for (i = 0; i < ns; i++) {
			vtop_entry_flags(&st->sp, steps[i].entry, r == 0 && i + 1 == ns, fl, sizeof fl);
			tool_printf(tl, "  %-6s 0x%016llx %5u 0x%016llx ", mf_vat_level_name(&st->sp, steps[i].level),
			            (unsigned long long)steps[i].table_pa, steps[i].index,
			            (unsigned long long)steps[i].entry_pa);
			if (steps[i].err < 0 && steps[i].err != MF_ERR_NOTMAPPED)
				tool_printf(tl, "%-18s %s\n", "?", mf_strerror(steps[i].err));
			else
				tool_printf(tl, "0x%016llx %s\n", (unsigned long long)steps[i].entry, fl);
		}
		if (r == 0)
			tool_printf(tl, "  => PA 0x%llx  page %s  %s%s%s\n", (unsigned long long)x.pa,
			            vtop_size_str(x.page_size, sz, sizeof sz), vtop_perms(x.flags, pm),
			            x.flags & (MF_VAT_GLOBAL | MF_VAT_ACCESSED | MF_VAT_DIRTY) ? "  " : "",
			            vtop_xflags(x.flags, xf, sizeof xf));
		else
			tool_printf(tl, "  => %s\n", why);
		return;
	}
	mf_rec_reset(st->rec, "xlat");
	vtop_space_fields(st, st->rec);
	if (mf_rec_add_addr(st->rec, "va", va) < 0)
		tool_oom();
	if (r == 0) {
		if (mf_rec_add_addr(st->rec, "pa", x.pa) < 0 || mf_rec_add_addr(st->rec, "page_size", x.page_size) < 0 ||
		    mf_rec_add_str(st->rec, "perms", vtop_perms(x.flags, pm)) < 0 ||
		    mf_rec_add_str(st->rec, "flags", vtop_xflags(x.flags, xf, sizeof xf)) < 0)
			tool_oom();
	} else if (mf_rec_add_str(st->rec, "error", mf_strerror(r)) < 0 || mf_rec_add_str(st->rec, "message", why) < 0) {
		tool_oom();
	}
	for (i = 0; i < ns; i++) {
		struct mf_rec *s = st->steprec[i];

		mf_rec_reset(s, NULL);
		vtop_entry_flags(&st->sp, steps[i].entry, r == 0 && i + 1 == ns, fl, sizeof fl);
		if (mf_rec_add_str(s, "level", mf_vat_level_name(&st->sp, steps[i].level)) < 0 ||
		    mf_rec_add_addr(s, "table", steps[i].table_pa) < 0 || mf_rec_add_uint(s, "index", steps[i].index) < 0 ||
		    mf_rec_add_addr(s, "entry_addr", steps[i].entry_pa) < 0 ||
		    mf_rec_add_addr(s, "entry", steps[i].entry) < 0 || mf_rec_add_str(s, "flags", fl) < 0 ||
		    (steps[i].err < 0 && mf_rec_add_str(s, "error", mf_strerror(steps[i].err)) < 0))
			tool_oom();
		items[i].type = MF_V_MAP;
		items[i].v.map = s;
	}
	arr.type = MF_V_ARRAY;
	arr.v.arr.v = items;
	arr.v.arr.n = ns;
	if (mf_rec_add_value(st->rec, "steps", &arr) < 0)
		tool_oom();
	tool_rec(tl, st->rec);
}

/* ---- page map ---- */

static int
vtop_map_cb(void *ctx, const struct mf_vat_range *rg)
{
	struct vtop_state *st = ctx;
	char pm[5], xf[16];

	st->nranges++;
	st->mapped += rg->size;
	mf_rec_reset(st->rec, "pagemap");
	if (mf_rec_add_addr(st->rec, "va", rg->va) < 0 || mf_rec_add_addr(st->rec, "end", rg->va + rg->size) < 0 ||
	    mf_rec_add_addr(st->rec, "pa", rg->pa) < 0 || mf_rec_add_addr(st->rec, "size", rg->size) < 0 ||
	    mf_rec_add_addr(st->rec, "page_size", rg->page_size) < 0 ||
	    mf_rec_add_str(st->rec, "perms", vtop_perms(rg->flags, pm)) < 0 ||
	    mf_rec_add_str(st->rec, "flags", vtop_xflags(rg->flags, xf, sizeof xf)) < 0)
		tool_oom();
	tool_rec(st->tl, st->rec);
	return 0;
}

static void
vtop_map(struct vtop_state *st, uint64_t start, uint64_t end)
{
	struct tool *tl = st->tl;
	char sbuf[64], sz[32];
	int r;

	r = mf_vat_page_map(st->vat, &st->sp, start, end, vtop_map_cb, st);
	if (r == MF_ERR_LIMIT) {
		tool_err(tl, "page map of %s stopped after visiting too many page tables (cyclic or corrupt tables?)",
		         vtop_space_name(st, sbuf, sizeof sbuf));
		st->status = TOOL_EXIT_FAIL;
	} else if (r < 0) {
		tool_die(tl, "cannot walk the page tables of %s: %s", vtop_space_name(st, sbuf, sizeof sbuf), mf_strerror(r));
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
		         vtop_space_name(st, sbuf, sizeof sbuf));
		st->status = TOOL_EXIT_FAIL;
	}
}

/* ---- physical to virtual ---- */

static void
vtop_phys(struct vtop_state *st, uint64_t pa, uint64_t *vas)
{
	struct tool *tl = st->tl;
	size_t found = 0, i;
	char sbuf[64];
	int r;

	r = mf_vat_phys_to_virt(st->vat, &st->sp, pa, vas, VTOP_P2V_MAX, &found);
	if (r < 0 && r != MF_ERR_LIMIT)
		tool_die(tl, "cannot walk the page tables of %s: %s", vtop_space_name(st, sbuf, sizeof sbuf), mf_strerror(r));
	if (r == MF_ERR_LIMIT) {
		tool_err(tl, "0x%llx: page map stopped after visiting too many page tables (cyclic or corrupt tables?)",
		         (unsigned long long)pa);
		st->status = TOOL_EXIT_FAIL;
	}
	if (found == 0) {
		tool_err(tl, "0x%llx: not mapped in %s", (unsigned long long)pa, vtop_space_name(st, sbuf, sizeof sbuf));
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

static void
vtop_select_space(struct vtop_state *st)
{
	struct tool *tl = st->tl;
	struct mf_hints *h = mf_target_hints(tl->t);
	uint64_t v;

	if (st->space == VTOP_SP_NONE && tl->in != NULL) {
		const struct mf_rec *rec;
		int r;

		/* a process record on stdin (mf-ps -p PID | mf-vtop ADDR) */
		while ((r = mf_in_next(tl->in, &rec, tl->errbuf)) > 0) {
			if (strcmp(mf_rec_type(rec), "process") != 0)
				continue;
			if (mf_rec_get_u64(rec, "pid", &st->pid) < 0)
				tool_die(tl, "stdin: process record without a valid pid");
			st->space = VTOP_SP_PID;
			break;
		}
		if (r < 0)
			tool_die(tl, "stdin: %s", tl->errbuf);
	}
	if (st->space == VTOP_SP_NONE)
		st->space = VTOP_SP_KERNEL;
	switch (st->space) {
	case VTOP_SP_PID:
		if (mf_target_proc_space(tl->t, st->pid, &st->sp, tl->errbuf) < 0)
			tool_die(tl, "cannot find the address space of pid %llu: %s", (unsigned long long)st->pid, tl->errbuf);
		break;
	case VTOP_SP_KERNEL:
		if (mf_target_kernel_space(tl->t, &st->sp, tl->errbuf) < 0)
			tool_die(tl, "cannot find the kernel's address space: %s", tl->errbuf);
		break;
	default:
		memset(&st->sp, 0, sizeof st->sp);
		st->sp.root = tool_parse_u64(tl, "page-table root", st->dtb_arg);
		if (st->arch_arg == NULL)
			st->arch_arg = mf_hints_get_str(h, "arch");
		if (st->arch_arg == NULL)
			tool_usage_error(tl, "--dtb needs --arch (the target does not know its architecture)");
		if (mf_arch_parse(st->arch_arg, &st->sp.arch) < 0 || st->sp.arch == MF_ARCH_UNKNOWN)
			tool_usage_error(tl, "unknown architecture '%s'", st->arch_arg);
		if (st->sp.arch == MF_ARCH_AARCH64) {
			st->sp.root_hi = st->dtb_hi_arg ? tool_parse_u64(tl, "page-table root", st->dtb_hi_arg) : st->sp.root;
			if (mf_hints_get_u64(h, "va_bits", &v) == 0)
				st->sp.va_bits = (uint32_t)v;
			if (mf_hints_get_u64(h, "granule", &v) == 0)
				st->sp.granule = (uint32_t)v;
		}
		break;
	}
	if (st->space != VTOP_SP_DTB && st->dtb_hi_arg != NULL)
		st->sp.root_hi = tool_parse_u64(tl, "page-table root", st->dtb_hi_arg);
	if (st->va_bits_arg != NULL) {
		v = tool_parse_u64(tl, "VA size", st->va_bits_arg);
		if (v < 25 || v > 52)
			tool_usage_error(tl, "VA size '%s' out of range (25 to 52)", st->va_bits_arg);
		st->sp.va_bits = (uint32_t)v;
	}
	if (st->granule_arg != NULL) {
		v = tool_parse_u64(tl, "granule", st->granule_arg);
		if (v != 4096 && v != 16384 && v != 65536)
			tool_usage_error(tl, "invalid granule '%s' (4K, 16K or 64K)", st->granule_arg);
		st->sp.granule = (uint32_t)v;
	}
	if ((st->va_bits_arg || st->granule_arg || st->dtb_hi_arg) && st->sp.arch != MF_ARCH_AARCH64)
		tool_usage_error(tl, "--va-bits, --granule and --dtb-hi apply to aarch64, not %s", mf_arch_name(st->sp.arch));
	{
		/* reject what the translator cannot walk before printing anything */
		struct mf_vat_xlat x = { .va = 0 };
		int r = mf_vat_translate(st->vat, &st->sp, &x, 1);

		if (r == MF_ERR_ARG || r == MF_ERR_UNSUPPORTED)
			tool_die(tl, "cannot walk %s address space (va bits %u, granule %u): %s", mf_arch_name(st->sp.arch),
			         st->sp.va_bits, st->sp.granule, mf_strerror(r));
	}
}

static int
vtop_phys_read(void *ctx, struct mf_iov *iov, size_t n)
{
	struct tool *tl = ctx;

	return mf_phys_read(tl->t, iov, n, tl->errbuf);
}

static void
vtop_set_space(struct vtop_state *st, enum vtop_space sp)
{
	if (st->space != VTOP_SP_NONE && st->space != sp)
		tool_usage_error(st->tl, "give one address space (-p, --kernel or --dtb)");
	st->space = sp;
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
		{ "arch", required_argument, NULL, VTOP_OPT_ARCH },
		{ "dtb", required_argument, NULL, VTOP_OPT_DTB },
		{ "dtb-hi", required_argument, NULL, VTOP_OPT_DTB_HI },
		{ "granule", required_argument, NULL, VTOP_OPT_GRANULE },
		{ "kernel", no_argument, NULL, VTOP_OPT_KERNEL },
		{ "map", no_argument, NULL, VTOP_OPT_MAP },
		{ "phys", no_argument, NULL, VTOP_OPT_PHYS },
		{ "pid", required_argument, NULL, 'p' },
		{ "va-bits", required_argument, NULL, VTOP_OPT_VA_BITS },
		{ NULL, 0, NULL, 0 },
	};
	static const struct mf_col map_cols[] = {
		{ "va", "VA", 18 },
		{ "end", "END", 18 },
		{ "pa", "PA", 18 },
		{ "size", "SIZE", 12 },
		{ "page_size", "PAGE", 10 },
		{ "perms", "PERMS", -5 },
		{ "flags", "FLAGS", -1 },
	};
	static const struct mf_col p2v_cols[] = {
		{ "pa", "PA", 18 },
		{ "va", "VA", -18 },
	};
	struct vtop_state st = { .tl = &vtop_tool };
	struct tool *tl = &vtop_tool;
	uint64_t *addrs, *vas = NULL;
	size_t naddrs, i;
	int c;

	tool_init(tl, argv, "mf-vtop", vtop_usage);
	while ((c = getopt_long(argc, argv, "c:f:ho:p:qt:v", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			vtop_set_space(&st, VTOP_SP_PID);
			st.pid = tool_parse_u64(tl, "pid", optarg);
			if (st.pid > INT32_MAX)
				tool_usage_error(tl, "pid '%s' out of range", optarg);
			break;
		case VTOP_OPT_ARCH:
			st.arch_arg = optarg;
			break;
		case VTOP_OPT_DTB:
			vtop_set_space(&st, VTOP_SP_DTB);
			st.dtb_arg = optarg;
			break;
		case VTOP_OPT_DTB_HI:
			st.dtb_hi_arg = optarg;
			break;
		case VTOP_OPT_GRANULE:
			st.granule_arg = optarg;
			break;
		case VTOP_OPT_KERNEL:
			vtop_set_space(&st, VTOP_SP_KERNEL);
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
			tool_common_opt(tl, c, optarg);
			break;
		}
	}
	if (st.arch_arg != NULL && st.space != VTOP_SP_DTB)
		tool_usage_error(tl, "--arch goes with --dtb");
	naddrs = (size_t)(argc - optind);
	if (st.mode == VTOP_MAP && naddrs > 2)
		tool_usage_error(tl, "--map takes at most START and END");
	if (st.mode != VTOP_MAP && naddrs == 0)
		tool_usage_error(tl, "no address given");
	addrs = tool_xcalloc(naddrs ? naddrs : 1, sizeof *addrs);
	for (i = 0; i < naddrs; i++)
		addrs[i] = tool_parse_u64(tl, st.mode == VTOP_PHYS ? "physical address" : "address", argv[optind + i]);
	if (st.mode == VTOP_MAP && naddrs == 2 && addrs[1] != 0 && addrs[1] <= addrs[0])
		tool_usage_error(tl, "empty range: END '%s' is not above START '%s'", argv[optind + 1], argv[optind]);
	tool_options_done(tl);
	tl->topt.read_stdin = st.space == VTOP_SP_NONE || (tl->topt.conn == NULL && tl->topt.os == NULL && tl->topt.tfile == NULL);
	tool_open(tl, false);
	if (!mf_target_has_phys(tl->t))
		tool_die(tl, "%s has no physical memory to translate over (give a connector with -c)", mf_target_name(tl->t));
	if ((st.vat = mf_vat_new(vtop_phys_read, tl)) == NULL)
		tool_oom();
	vtop_select_space(&st);
	st.table = mf_out_format(tl->out) == MF_FMT_TABLE;
	if ((st.rec = mf_rec_new("xlat")) == NULL)
		tool_oom();
	for (i = 0; i < VTOP_MAXSTEPS; i++)
		if ((st.steprec[i] = mf_rec_new(NULL)) == NULL)
			tool_oom();
	mf_out_columns(tl->out, "pagemap", map_cols, sizeof map_cols / sizeof *map_cols);
	mf_out_columns(tl->out, "p2v", p2v_cols, sizeof p2v_cols / sizeof *p2v_cols);
	tool_write_target(tl);

	switch (st.mode) {
	case VTOP_TRANSLATE:
		for (i = 0; i < naddrs; i++) {
			if (st.table && i > 0)
				tool_printf(tl, "\n");
			vtop_translate(&st, addrs[i]);
		}
		break;
	case VTOP_MAP:
		vtop_map(&st, naddrs > 0 ? addrs[0] : 0, naddrs > 1 ? addrs[1] : 0);
		break;
	case VTOP_PHYS:
		vas = tool_xcalloc(VTOP_P2V_MAX, sizeof *vas);
		for (i = 0; i < naddrs; i++)
			vtop_phys(&st, addrs[i], vas);
		break;
	}
	for (i = 0; i < VTOP_MAXSTEPS; i++)
		mf_rec_free(st.steprec[i]);
	mf_rec_free(st.rec);
	mf_vat_free(st.vat);
	free(vas);
	free(addrs);
	return tool_finish(tl, st.status);
}
