/* syms-pdb.c: mf-syms --pdb FILE: a PDB file's public and global symbols as `symbol`
 * records (addr = the RVA), and with --type NAME a struct's layout as a `type` record and
 * its `member` records.  No target is opened: the PDB is read by pluginlib/pdb.c. */
#include "config.h"
#include "tool.h"
#include "syms-pdb.h"
#include "pluginlib/fileio.h"
#include "pluginlib/pdb.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#define SYMS_PDB_MAX (4ull << 30)   /* a larger file is not believed to be a PDB */

struct syms_pdb {
	struct tool *tl;
	const char *path;
	char module[256];            /* the PDB's name without directory and ".pdb" */
	struct pdb *pdb;
	char *const *globs;
	size_t nglobs;
	struct pdb_sym *v;           /* the symbols kept, for sorting */
	size_t n, cap, nosec;
	struct mf_rec *rec;
};

static struct pdb *
syms_pdb_open(struct tool *tl, const char *path)
{
	struct pdb *pdb;
	uint64_t size;
	void *map;
	int fd, r;

	if (fio_open(path, 0, &fd, &size, tl->errbuf) < 0)
		tool_die(tl, "%s", tl->errbuf);
	if (size == 0 || size > SYMS_PDB_MAX) {
		close(fd);
		tool_die(tl, "cannot read %s: %llu bytes is no PDB file", path, (unsigned long long)size);
	}
	if ((map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		close(fd);
		tool_die(tl, "cannot map %s: %s", path, strerror(errno));
	}
	close(fd);
	r = pdb_open(map, size, &pdb, tl->errbuf);
	munmap(map, (size_t)size);
	if (r < 0)
		tool_die(tl, "cannot read %s: %s", path, tl->errbuf);
	return pdb;
}

/* "ntkrnlmp" of "/x/ntkrnlmp.pdb" */
static void
syms_pdb_module(struct syms_pdb *st)
{
	const char *base = strrchr(st->path, '/');
	size_t n;

	base = base ? base + 1 : st->path;
	snprintf(st->module, sizeof st->module, "%s", base);
	n = strlen(st->module);
	if (n > 4 && strcasecmp(st->module + n - 4, ".pdb") == 0)
		st->module[n - 4] = '\0';
}

/* ---- symbols ---------------------------------------------------------------------------- */

static const char *const syms_pdb_scope[] = { "", "public", "global", "local" };

static int
syms_pdb_sym_cb(void *ctx, const struct pdb_sym *s)
{
	struct syms_pdb *st = ctx;
	size_t i;

	for (i = 0; i < st->nglobs; i++)
		if (fnmatch(st->globs[i], s->name, 0) == 0)
			break;
	if (st->nglobs > 0 && i == st->nglobs)
		return 0;
	if (!s->has_rva) {
		st->nosec++;
		return 0;
	}
	if (st->n == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 1024;
		st->v = tool_xrealloc(st->v, st->cap, sizeof *st->v);
	}
	st->v[st->n++] = *s;
	return 0;
}

static int
syms_pdb_sym_cmp(const void *a, const void *b)
{
	const struct pdb_sym *x = a, *y = b;
	int c;

	if (x->rva != y->rva)
		return x->rva < y->rva ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	c = strcmp(x->name, y->name);
	return c;
}

static int
syms_pdb_list(struct syms_pdb *st)
{
	struct tool *tl = st->tl;
	struct mf_symbol sym = { .struct_size = sizeof sym, .module = st->module, .forward = "" };
	size_t i;

	pdb_symbols(st->pdb, syms_pdb_sym_cb, st);
	if (st->nosec > 0)
		tool_warn(tl, "%s: %zu symbols name a section the PDB has no header for (skipped)", st->path, st->nosec);
	if (st->n > 1)
		qsort(st->v, st->n, sizeof *st->v, syms_pdb_sym_cmp);
	tool_columns(tl, "pdb-symbol");
	for (i = 0; i < st->n; i++) {
		const struct pdb_sym *s = &st->v[i];

		sym.kind = s->function ? MF_SYM_FUNCTION : MF_SYM_DATA;
		sym.name = s->name;
		sym.addr = s->rva;
		sym.size = 0;   /* publics name no type; a global's type may be one this reader cannot size */
		if (s->type != 0 && pdb_type_size(st->pdb, s->type, &sym.size, tl->errbuf) < 0)
			sym.size = 0;
		if (mf_symbol_rec(&sym, st->rec) < 0 || mf_rec_add_str(st->rec, "scope", syms_pdb_scope[s->kind]) < 0 ||
		    mf_rec_add_uint(st->rec, "section", s->section) < 0 || mf_rec_add_uint(st->rec, "offset", s->offset) < 0)
			tool_oom();
		tool_rec(tl, st->rec);
	}
	if (st->n > 0)
		return TOOL_EXIT_OK;
	if (st->nglobs == 0)
		tool_err(tl, "no public or global symbols in %s", st->path);
	else
		tool_err(tl, "no symbol matches '%s'%s", st->globs[0], st->nglobs > 1 ? " (nor the other globs)" : "");
	return TOOL_EXIT_FAIL;
}

/* ---- --type ------------------------------------------------------------------------------ */

struct syms_pdb_mem {
	struct syms_pdb *st;
	const char *parent;
	struct mf_rec **v;           /* member records, written after the type record */
	size_t n, cap;
};

static void
syms_pdb_keep(struct syms_pdb_mem *w, struct mf_rec *r)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 64;
		w->v = tool_xrealloc(w->v, w->cap, sizeof *w->v);
	}
	w->v[w->n++] = r;
}

static int
syms_pdb_member_cb(void *ctx, const struct pdb_member *m)
{
	struct syms_pdb_mem *w = ctx;
	struct tool *tl = w->st->tl;
	char ctype[512];
	struct mf_rec *r;

	if (pdb_type_name(w->st->pdb, m->type, ctype, sizeof ctype, tl->errbuf) < 0)
		return -1;
	if ((r = mf_rec_new("member")) == NULL || mf_rec_add_str(r, "struct", w->parent) < 0 ||
	    mf_rec_add_str(r, "name", m->name) < 0 || mf_rec_add_uint(r, "offset", m->offset) < 0 ||
	    mf_rec_add_uint(r, "size", m->size) < 0 || mf_rec_add_str(r, "ctype", ctype) < 0)
		tool_oom();
	if (m->bits > 0 && (mf_rec_add_uint(r, "bit_pos", m->bitpos) < 0 || mf_rec_add_uint(r, "bits", m->bits) < 0))
		tool_oom();
	if (m->elem != 0 && mf_rec_add_uint(r, "count", m->count) < 0)
		tool_oom();
	syms_pdb_keep(w, r);
	return 0;
}

static int
syms_pdb_enum_cb(void *ctx, const char *name, int64_t value)
{
	struct syms_pdb_mem *w = ctx;
	struct mf_rec *r;

	if ((r = mf_rec_new("member")) == NULL || mf_rec_add_str(r, "struct", w->parent) < 0 ||
	    mf_rec_add_str(r, "name", name) < 0 || mf_rec_add_int(r, "value", value) < 0)
		tool_oom();
	syms_pdb_keep(w, r);
	return 0;
}

static const char *const syms_pdb_kind[] = {
	[PDB_K_STRUCT] = "struct", [PDB_K_CLASS] = "class", [PDB_K_UNION] = "union", [PDB_K_ENUM] = "enum",
};

static int
syms_pdb_type(struct syms_pdb *st, const char *name)
{
	struct tool *tl = st->tl;
	struct syms_pdb_mem w = { .st = st };
	struct pdb_type t;
	uint64_t size = 0;
	uint32_t ti;
	size_t i;
	int r;

	if (pdb_type_find(st->pdb, name, &ti, tl->errbuf) < 0 || pdb_type(st->pdb, ti, &t, tl->errbuf) < 0) {
		tool_err(tl, "%s: %s", st->path, tl->errbuf);
		return TOOL_EXIT_FAIL;
	}
	w.parent = t.name;
	if (t.kind == PDB_K_ENUM)
		r = pdb_enumerators(st->pdb, ti, syms_pdb_enum_cb, &w, tl->errbuf);
	else
		r = pdb_members(st->pdb, ti, syms_pdb_member_cb, &w, tl->errbuf);
	if (r == 0)
		r = pdb_type_size(st->pdb, ti, &size, tl->errbuf);
	if (r != 0)
		tool_err(tl, "%s: type '%s': %s", st->path, name, tl->errbuf);
	if (r == 0) {
		mf_rec_reset(st->rec, "type");
		if (mf_rec_add_str(st->rec, "name", t.name) < 0 || mf_rec_add_str(st->rec, "kind", syms_pdb_kind[t.kind]) < 0 ||
		    mf_rec_add_uint(st->rec, "size", size) < 0 || mf_rec_add_uint(st->rec, "members", w.n) < 0)
			tool_oom();
		tool_rec(tl, st->rec);
	}
	for (i = 0; i < w.n; i++) {
		if (r == 0)
			tool_rec(tl, w.v[i]);
		mf_rec_free(w.v[i]);
	}
	free(w.v);
	return r == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

/* The table columns of member records follow the first --type: an enum's are values. */
static bool
syms_pdb_is_enum(struct syms_pdb *st, const char *name)
{
	struct pdb_type t;
	uint32_t ti;

	return pdb_type_find(st->pdb, name, &ti, st->tl->errbuf) == 0 && pdb_type(st->pdb, ti, &t, st->tl->errbuf) == 0 &&
	       t.kind == PDB_K_ENUM;
}

/* ---- entry ------------------------------------------------------------------------------- */

int
syms_pdb(struct tool *tl, const char *path, char *const *types, size_t ntypes, char *const *globs, size_t nglobs)
{
	struct syms_pdb st = { .tl = tl, .path = path, .globs = globs, .nglobs = nglobs };
	const struct pdb_info *info;
	char guid[37], gage[41];
	int status = TOOL_EXIT_OK;
	size_t i;

	if (ntypes > 0 && nglobs > 0)
		tool_usage_error(tl, "--type takes no GLOB ('%s')", globs[0]);
	tool_open_output(tl, false);
	st.pdb = syms_pdb_open(tl, path);
	syms_pdb_module(&st);
	info = pdb_info(st.pdb);
	pdb_guid_str(info->guid, guid);
	pdb_guid_age(info, gage);
	mf_log(1, "%s: GUID {%s} age %u (symbol server path %s.pdb/%s/%s.pdb), %u types, %u sections", path, guid,
	       info->age, st.module, gage, st.module, info->ntypes, info->nsections);
	if ((st.rec = mf_rec_new("symbol")) == NULL)
		tool_oom();
	if (ntypes == 0) {
		status = syms_pdb_list(&st);
	} else {
		tool_columns(tl, "type");
		tool_columns(tl, syms_pdb_is_enum(&st, types[0]) ? "enumerator" : "member");
		for (i = 0; i < ntypes; i++)
			if (syms_pdb_type(&st, types[i]) != TOOL_EXIT_OK)
				status = TOOL_EXIT_FAIL;
	}
	mf_rec_free(st.rec);
	free(st.v);
	pdb_close(st.pdb);
	return status;
}
