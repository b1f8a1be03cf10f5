/* mf-syms: the symbols of the kernel (or of a process's modules) as `symbol` records, the
 * symbol that contains an address (--at), and the kernel's BTF saved to a file
 * (--save-btf).  The symbols come from the os layer (mf_symbols); the atomic output is
 * libcommon/snapshot's. */
#include "config.h"
#include "tool.h"
#include "snapshot/output.h"
#include "snapshot/snapshot.h"
#include "syms-pdb.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SYMS_OPT_AT = TOOL_OPT_FIRST_OWN, SYMS_OPT_FORCE, SYMS_OPT_SAVE_BTF, SYMS_OPT_PDB, SYMS_OPT_TYPE };

#define SYMS_BTF_MAX (256u << 20)   /* a larger BTF blob is not believed */

/* A symbol kept for sorting: strings copied out of the callback. */
struct syms_sym {
	struct mf_symbol s;
	size_t seq;                  /* the os layer's order, for equal addresses */
};

struct syms_state {
	struct tool *tl;
	uint64_t pid;                /* 0: the kernel */
	char *const *globs;          /* [MODULE!]GLOB operands */
	size_t nglobs;
	struct syms_sym *v;
	size_t n, cap;
	struct mf_rec *rec;
	uint64_t at;                 /* --at: the address asked for */
};

static struct tool syms_tool;

static void
syms_usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "usage: mf-syms [options] [--kernel | -p PID] [GLOB | MODULE!GLOB]...\n"
	           "       mf-syms [options] [--kernel | -p PID] --at ADDR...\n"
	           "       mf-syms [options] --save-btf FILE [--force]\n"
	           "       mf-syms [options] --pdb FILE [GLOB]...\n"
	           "       mf-syms [options] --pdb FILE --type NAME...\n");
	if (status) {
		fprintf(f, "Try 'mf-syms --help' for more information.\n");
		exit(status);
	}
	fprintf(f,
	        "\nList the symbols of the kernel (the default) or of a process's modules, sorted by\n"
	        "address, as `symbol` records; the GLOBs (fnmatch(3)) keep the names that match any\n"
	        "of them, MODULE!GLOB those of a module too (the kernel image is the module \"\" or\n"
	        "vmlinux); with -p a bare GLOB also keeps the symbols of the modules it names\n"
	        "(case-insensitive: kernel32 names kernel32.dll).  Nothing matching is an error\n"
	        "(exit 1).\n"
	        "\nSelection:\n"
	        "      --kernel           the kernel's symbols (pid 0; the default)\n"
	        "  -p, --pid=PID          the symbols of this process's modules\n"
	        "\nQueries:\n"
	        "      --at=ADDR          the symbol that contains ADDR (an address expression:\n"
	        "                         a number, SYMBOL+OFF, MODULE!SYMBOL), with the offset\n"
	        "                         (init_task+0x10); repeatable\n"
	        "      --save-btf=FILE    save the kernel's BTF (the blob the os layer found, read\n"
	        "                         out of kernel memory) to FILE, atomically; for bpftool\n"
	        "                         and pahole\n"
	        "      --force            with --save-btf: replace an existing FILE\n"
	        "\nPDB files (no target is opened):\n"
	        "      --pdb=FILE         the public and global symbols of a PDB file, addr = RVA\n"
	        "                         (-v states its GUID and age)\n"
	        "      --type=NAME        with --pdb: the layout of the struct, union, enum or\n"
	        "                         typedef NAME as a `type` record and its `member`\n"
	        "                         records; repeatable\n");
	tool_usage_common(f, false);
	exit(status);
}

/* "the kernel" or "pid N", for messages. */
static const char *
syms_space(const struct syms_state *st, char *buf, size_t size)
{
	if (st->pid == 0)
		return "the kernel";
	snprintf(buf, size, "pid %llu", (unsigned long long)st->pid);
	return buf;
}

/* ---- listing ---------------------------------------------------------------------------- */

/* A process's module named by a bare operand: case-insensitive, as Windows names
 * modules, and like MODULE!GLOB also a module whose name goes on with a "." after it
 * (kernel32 names kernel32.dll, libc libc.so.6). */
static bool
syms_module_named(const char *glob, const char *mod)
{
	char dot[256];

	if (mod[0] == '\0')
		return false;
	if (fnmatch(glob, mod, FNM_CASEFOLD) == 0)
		return true;
	return snprintf(dot, sizeof dot, "%s.*", glob) < (int)sizeof dot && fnmatch(dot, mod, FNM_CASEFOLD) == 0;
}

/* Does the symbol match one [MODULE!]GLOB?  The kernel image is the module "" or "vmlinux";
 * MODULE also names a module whose name goes on after it with a "." ("libc" and "libc.so"
 * name libc.so.6, as in address arguments).  In a process a bare GLOB also keeps the
 * symbols of the modules it names. */
static bool
syms_glob_match(const char *glob, const struct mf_symbol *s, uint64_t pid)
{
	const char *bang = strchr(glob, '!'), *mod = s->module ? s->module : "";
	char mglob[256];
	size_t n;

	if (bang == NULL)
		return fnmatch(glob, s->name, 0) == 0 || (pid != 0 && syms_module_named(glob, mod));
	if ((n = (size_t)(bang - glob)) >= sizeof mglob - 2)
		return false;
	memcpy(mglob, glob, n);
	mglob[n] = '\0';
	if (fnmatch(mglob, mod, 0) != 0 && !(mod[0] == '\0' && fnmatch(mglob, "vmlinux", 0) == 0)) {
		memcpy(mglob + n, ".*", 3);
		if (fnmatch(mglob, mod, 0) != 0)
			return false;
	}
	return fnmatch(bang + 1, s->name, 0) == 0;
}

static bool
syms_wanted(const struct syms_state *st, const struct mf_symbol *s)
{
	size_t i;

	if (st->nglobs == 0)
		return true;
	for (i = 0; i < st->nglobs; i++)
		if (syms_glob_match(st->globs[i], s, st->pid))
			return true;
	return false;
}

static int
syms_collect_cb(void *ctx, const struct mf_symbol *s)
{
	struct syms_state *st = ctx;
	struct syms_sym *k;

	if (!syms_wanted(st, s))
		return 0;
	if (st->n == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 4096;
		st->v = tool_xrealloc(st->v, st->cap, sizeof *st->v);
	}
	k = &st->v[st->n];
	k->s = *s;
	k->s.module = tool_xstrdup(s->module ? s->module : "");
	k->s.name = tool_xstrdup(s->name ? s->name : "");
	k->s.forward = tool_xstrdup(s->forward ? s->forward : "");
	k->seq = st->n++;
	return 0;
}

static int
syms_cmp(const void *a, const void *b)
{
	const struct syms_sym *x = a, *y = b;

	if (x->s.addr != y->s.addr)
		return x->s.addr < y->s.addr ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
syms_free_all(struct syms_state *st)
{
	size_t i;

	for (i = 0; i < st->n; i++) {
		free((char *)st->v[i].s.module);
		free((char *)st->v[i].s.name);
		free((char *)st->v[i].s.forward);
	}
	free(st->v);
}

static int
syms_list(struct syms_state *st)
{
	struct tool *tl = st->tl;
	char sp[32];
	size_t i;
	int r;

	if ((r = mf_symbols(tl->t, st->pid, syms_collect_cb, st, tl->errbuf)) < 0) {
		tool_err(tl, "cannot list the symbols of %s: %s", syms_space(st, sp, sizeof sp), tl->errbuf);
		return TOOL_EXIT_FAIL;
	}
	if (st->n > 1)
		qsort(st->v, st->n, sizeof *st->v, syms_cmp);
	tool_write_target(tl);
	for (i = 0; i < st->n; i++) {
		if (mf_symbol_rec(&st->v[i].s, st->rec) < 0)
			tool_oom();
		tool_rec(tl, st->rec);
	}
	if (st->n > 0)
		return TOOL_EXIT_OK;
	if (st->nglobs == 0)
		tool_err(tl, "no symbols in %s", syms_space(st, sp, sizeof sp));
	else
		tool_err(tl, "no symbol matches '%s'%s", st->globs[0], st->nglobs > 1 ? " (nor the other globs)" : "");
	return TOOL_EXIT_FAIL;
}

/* ---- --at ------------------------------------------------------------------------------ */

static int
syms_at_cb(void *ctx, const struct mf_symbol *s)
{
	struct syms_state *st = ctx;
	uint64_t off = st->at - s->addr;
	char where[1024];

	if (s->module != NULL && s->module[0] != '\0')
		snprintf(where, sizeof where, "%s!%s+0x%llx", s->module, s->name, (unsigned long long)off);
	else
		snprintf(where, sizeof where, "%s+0x%llx", s->name, (unsigned long long)off);
	if (mf_symbol_rec(s, st->rec) < 0 || mf_rec_add_addr(st->rec, "at", st->at) < 0 ||
	    mf_rec_add_addr(st->rec, "offset", off) < 0 || mf_rec_add_str(st->rec, "where", where) < 0)
		tool_oom();
	tool_rec(st->tl, st->rec);
	return 0;
}

static int
syms_at(struct syms_state *st, char *const *exprs, size_t n)
{
	struct tool *tl = st->tl;
	struct mf_aspace_id id = { .kind = st->pid == 0 ? MF_ASPACE_KERNEL : MF_ASPACE_PROCESS, .pid = st->pid };
	struct mf_aspace *as;
	int r, status = TOOL_EXIT_OK;
	char sp[32];
	size_t i;

	if ((r = mf_aspace_open(tl->t, &id, &as, tl->errbuf)) < 0)
		tool_die(tl, "cannot open %s: %s", syms_space(st, sp, sizeof sp), tl->errbuf);
	tool_write_target(tl);
	for (i = 0; i < n; i++) {
		if ((r = mf_aspace_addr(as, exprs[i], &st->at, tl->errbuf)) < 0) {
			mf_aspace_close(as);
			if (r == MF_ERR_ARG)
				tool_usage_error(tl, "%s", tl->errbuf);
			tool_die(tl, "%s", tl->errbuf);
		}
		if ((r = mf_symbol_at(tl->t, st->pid, st->at, syms_at_cb, st, tl->errbuf)) < 0) {
			tool_err(tl, "%s", tl->errbuf);
			status = TOOL_EXIT_FAIL;
		}
	}
	mf_aspace_close(as);
	return status;
}

/* ---- --save-btf ------------------------------------------------------------------------ */

struct syms_gap { uint64_t addr; int err; bool seen; };

static int
syms_gap_cb(void *ctx, const struct mf_span_piece *p)
{
	struct syms_gap *g = ctx;

	if (p->data != NULL)
		return 0;
	g->addr = p->addr;
	g->err = p->err;
	g->seen = true;
	return 1;
}

static int
syms_save_btf(struct tool *tl, const char *path, bool force)
{
	struct mf_hints *h = mf_target_hints(tl->t);
	struct mf_aspace_id id = { .kind = MF_ASPACE_KERNEL };
	struct syms_gap gap = { 0 };
	struct snap_out *out = NULL;
	struct snap_file f = { 0 };
	struct mf_aspace *as;
	uint64_t addr, size;
	uint8_t *buf;
	int r;

	if (h == NULL || mf_hints_get_u64(h, "btf_addr", &addr) < 0 || mf_hints_get_u64(h, "btf_size", &size) < 0)
		tool_die(tl, "no kernel BTF in %s (the os layer gave no btf_addr and btf_size hints)", mf_target_name(tl->t));
	if (size < 24 || size > SYMS_BTF_MAX || addr + size < addr)
		tool_die(tl, "kernel BTF at 0x%llx: size %llu is not believable", (unsigned long long)addr,
		         (unsigned long long)size);
	if ((r = mf_aspace_open(tl->t, &id, &as, tl->errbuf)) < 0)
		tool_die(tl, "cannot open the kernel: %s", tl->errbuf);
	buf = tool_xmalloc((size_t)size);
	r = mf_aspace_read_span_into(as, addr, size, buf, 0, 0, syms_gap_cb, &gap, tl->errbuf);
	mf_aspace_close(as);
	if (r < 0)
		tool_die(tl, "%s", tl->errbuf);
	if (gap.seen)
		tool_die(tl, "cannot read the kernel BTF at 0x%llx: 0x%llx: %s", (unsigned long long)addr,
		         (unsigned long long)gap.addr, mf_strerror(gap.err));
	/* BTF_MAGIC 0xeB9F, little-endian on the kernels we read */
	if (buf[0] != 0x9f || buf[1] != 0xeb)
		tool_die(tl, "kernel BTF at 0x%llx: no BTF magic (bytes %02x %02x)", (unsigned long long)addr, buf[0], buf[1]);
	if ((r = snap_out_open(path, force, NULL, &out, tl->errbuf)) == MF_ERR_ARG)
		tool_usage_error(tl, "%s", tl->errbuf);
	if (r < 0)
		tool_die(tl, "%s", tl->errbuf);
	f.fd = snap_out_fd(out);
	f.name = path;
	f.err = tl->errbuf;
	if ((r = snap_pwrite(&f, buf, (size_t)size, 0)) == 0)
		r = snap_out_finish(out, tl->errbuf);
	else
		snap_out_discard(out);
	free(buf);
	if (r < 0)
		tool_die(tl, "%s", tl->errbuf);
	if (r > 0)
		tool_warn(tl, "%s", tl->errbuf);
	mf_log(1, "saved %llu bytes of kernel BTF from 0x%llx to %s", (unsigned long long)size, (unsigned long long)addr,
	       path);
	return TOOL_EXIT_OK;
}

/* ---- main -------------------------------------------------------------------------------- */

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		TOOL_LONGOPTS_COMMON,
		{ "at", required_argument, NULL, SYMS_OPT_AT },
		{ "force", no_argument, NULL, SYMS_OPT_FORCE },
		{ "kernel", no_argument, NULL, TOOL_OPT_KERNEL },
		{ "pdb", required_argument, NULL, SYMS_OPT_PDB },
		{ "pid", required_argument, NULL, 'p' },
		{ "save-btf", required_argument, NULL, SYMS_OPT_SAVE_BTF },
		{ "type", required_argument, NULL, SYMS_OPT_TYPE },
		{ NULL, 0, NULL, 0 },
	};
	static const struct mf_col sym_cols[] = {
		{ "addr", "ADDR", 18 },
		{ "size", "SIZE", 8 },
		{ "kind", "KIND", -8 },
		{ "module", "MODULE", -12 },
		{ "name", "NAME", -1 },
	};
	static const struct mf_col at_cols[] = {
		{ "at", "AT", 18 },
		{ "where", "SYMBOL", -32 },
		{ "addr", "ADDR", 18 },
		{ "kind", "KIND", -8 },
	};
	struct syms_state st = { .tl = &syms_tool };
	struct tool *tl = &syms_tool;
	const char *btf_path = NULL, *pdb_path = NULL;
	char **ats = NULL, **types = NULL;
	size_t nats = 0, ntypes = 0;
	bool kernel = false, have_pid = false, force = false;
	int c, status;

	tool_init(tl, argv, "mf-syms", syms_usage);
	while ((c = getopt_long(argc, argv, "c:f:ho:p:qt:v", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			st.pid = tool_parse_u64(tl, "pid", optarg);
			if (st.pid == 0 || st.pid > INT32_MAX)
				tool_usage_error(tl, "pid '%s' out of range (the kernel is --kernel)", optarg);
			have_pid = true;
			break;
		case SYMS_OPT_AT:
			ats = tool_xrealloc(ats, nats + 1, sizeof *ats);
			ats[nats++] = optarg;
			break;
		case SYMS_OPT_FORCE:
			force = true;
			break;
		case SYMS_OPT_SAVE_BTF:
			btf_path = optarg;
			break;
		case SYMS_OPT_PDB:
			pdb_path = optarg;
			break;
		case SYMS_OPT_TYPE:
			types = tool_xrealloc(types, ntypes + 1, sizeof *types);
			types[ntypes++] = optarg;
			break;
		case TOOL_OPT_KERNEL:
			kernel = true;
			break;
		default:
			tool_common_opt(tl, c, optarg);
			break;
		}
	}
	if (kernel && have_pid)
		tool_usage_error(tl, "give --kernel or -p, not both");
	if (btf_path != NULL && (have_pid || nats > 0 || optind < argc))
		tool_usage_error(tl, "--save-btf takes no -p, --at or GLOB");
	if (force && btf_path == NULL)
		tool_usage_error(tl, "--force goes with --save-btf");
	if (nats > 0 && optind < argc)
		tool_usage_error(tl, "--at takes no GLOB ('%s')", argv[optind]);
	st.globs = argv + optind;
	st.nglobs = (size_t)(argc - optind);
	tool_options_done(tl);
	if (pdb_path != NULL || ntypes > 0) {
		if (pdb_path == NULL || btf_path != NULL || nats > 0 || have_pid || kernel || tl->topt.conn != NULL ||
		    tl->topt.os != NULL || tl->topt.tfile != NULL)
			tool_usage_error(tl, "--type goes with --pdb, and --pdb takes no target, -p, --at or --save-btf");
		status = syms_pdb(tl, pdb_path, types, ntypes, st.globs, st.nglobs);
		free(types);
		return tool_finish(tl, status);
	}
	/* a target record on stdin (`mf-attach | mf-syms`) unless -c/-o/-t name one: no other
	 * records are read */
	tl->topt.read_stdin = tl->topt.conn == NULL && tl->topt.os == NULL && tl->topt.tfile == NULL;
	tool_open(tl, false);
	if (btf_path != NULL) {
		status = syms_save_btf(tl, btf_path, force);
	} else {
		if ((st.rec = mf_rec_new("symbol")) == NULL)
			tool_oom();
		if (nats > 0) {
			mf_out_columns(tl->out, "symbol", at_cols, sizeof at_cols / sizeof *at_cols);
			status = syms_at(&st, ats, nats);
		} else {
			mf_out_columns(tl->out, "symbol", sym_cols, sizeof sym_cols / sizeof *sym_cols);
			status = syms_list(&st);
		}
		mf_rec_free(st.rec);
	}
	syms_free_all(&st);
	free(ats);
	return tool_finish(tl, status);
}
