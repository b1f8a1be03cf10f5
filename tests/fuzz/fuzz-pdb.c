/* fuzz-pdb.c: libFuzzer target for the MSF/PDB reader (libcommon/pluginlib/msf.c, pdb*.c):
 * the input is a PDB file.  When it opens, its symbols are listed and the first types are
 * looked at as mf-syms --pdb and the win32 layer do: record, size, C name, members, and
 * the path of each member found; names must be terminated and every call must return. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <mftools/plugin.h>
#include "pluginlib/pdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_PDB_TYPES 64   /* types looked at per input: each walk is bounded, not free */

struct fuzz_pdb {
	const struct pdb *p;
	uint32_t ti;
	int n;
};

static int
fuzz_pdb_sym(void *ctx, const struct pdb_sym *s)
{
	(void)ctx;
	if (strlen(s->name) > (1u << 20))
		abort();
	return 0;
}

static int
fuzz_pdb_member(void *ctx, const struct pdb_member *m)
{
	struct fuzz_pdb *f = ctx;
	struct pdb_member again;
	char err[MF_ERRBUF_SIZE], name[128];

	if (f->n++ > 16)
		return 1;
	pdb_type_name(f->p, m->type, name, sizeof name, err);
	if (memchr(name, '\0', sizeof name) == NULL)
		abort();
	/* a member the walk gave is found again by its name (the first of that name) */
	if (m->name[0] != '\0' && strpbrk(m->name, ".[") == NULL &&
	    pdb_member_path(f->p, f->ti, m->name, &again, err) == 0 && strcmp(again.name, m->name) != 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[MF_ERRBUF_SIZE], name[256];
	const struct pdb_info *info;
	struct pdb_type t;
	struct pdb *p;
	uint64_t tsize;
	uint32_t i, ti;

	err[0] = '\0';
	if (pdb_open(data, size, &p, err) < 0) {
		if (err[0] == '\0' || p != NULL)
			abort();   /* a failure says why and leaves nothing */
		return 0;
	}
	info = pdb_info(p);
	pdb_symbols(p, fuzz_pdb_sym, NULL);
	for (i = 0; i < info->ntypes && i < FUZZ_PDB_TYPES; i++) {
		struct fuzz_pdb f = { p, PDB_TI_FIRST + i, 0 };

		if (pdb_type(p, f.ti, &t, err) < 0)
			continue;
		pdb_type_size(p, f.ti, &tsize, err);
		pdb_type_name(p, f.ti, name, sizeof name, err);
		if (t.kind == PDB_K_STRUCT || t.kind == PDB_K_UNION || t.kind == PDB_K_CLASS) {
			pdb_members(p, f.ti, fuzz_pdb_member, &f, err);
			if (t.name[0] != '\0' && pdb_type_find(p, t.name, &ti, err) == 0 && pdb_type(p, ti, &t, err) < 0)
				abort();   /* what the index names can be read */
		}
	}
	pdb_close(p);
	return 0;
}
