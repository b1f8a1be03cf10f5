/* pluginlib/pdb-int.h: the inside of struct pdb, shared by pdb.c (streams, sections,
 * symbols) and pdb-types.c (the type stream).  Not for other files: use pdb.h. */
#ifndef MF_PLUGINLIB_PDB_INT_H
#define MF_PLUGINLIB_PDB_INT_H

#include "pluginlib/pdb.h"

/* leaf kinds */
#define LF_MODIFIER 0x1001u
#define LF_POINTER 0x1002u
#define LF_PROCEDURE 0x1008u
#define LF_MFUNCTION 0x1009u
#define LF_FIELDLIST 0x1203u
#define LF_BITFIELD 0x1205u
#define LF_BCLASS 0x1400u
#define LF_VBCLASS 0x1401u
#define LF_IVBCLASS 0x1402u
#define LF_INDEX 0x1404u
#define LF_VFUNCTAB 0x1409u
#define LF_ENUMERATE 0x1502u
#define LF_ARRAY 0x1503u
#define LF_CLASS 0x1504u
#define LF_STRUCTURE 0x1505u
#define LF_UNION 0x1506u
#define LF_ENUM 0x1507u
#define LF_MEMBER 0x150du
#define LF_STMEMBER 0x150eu
#define LF_METHOD 0x150fu
#define LF_NESTTYPE 0x1510u
#define LF_ONEMETHOD 0x1511u

#define PROP_FWDREF 0x80u
#define PROP_UNIQUE 0x200u

/* A TPI record: its bytes from the leaf kind on, len of them. */
struct pdb_rec {
	uint32_t off;
	uint16_t len;
};

/* A name and the type it names: definitions by tag, by unique name, typedefs (S_UDT). */
struct pdb_name {
	const char *name;
	uint32_t ti;
};

struct pdb {
	struct pdb_info info;
	uint8_t *tpi;              /* the TPI stream */
	struct pdb_rec *recs;      /* info.ntypes of them */
	struct pdb_name *tags, *uniq, *udts;
	size_t ntags, nuniq, nudts;
	struct pdb_section *secs;  /* info.nsections */
	uint8_t *symrec;           /* the symbol-record stream */
	struct pdb_sym *syms;
	size_t nsyms;
};

/* pdb-types.c: index the TPI stream p->tpi of len bytes (records and names).  UDT names
 * are sorted here too (pdb.c collects them before). */
int pdbint_types_load(struct pdb *p, uint32_t len, char *errbuf);
/* Sort a name table by name, then type index, for pdbint_name_find. */
void pdbint_names_sort(struct pdb_name *v, size_t n);
/* The lowest type index named `name` in v (sorted), or MF_ERR_NOTFOUND. */
int pdbint_name_find(const struct pdb_name *v, size_t n, const char *name, uint32_t *ti);
/* A NUL-terminated string at p, within end: 0 and *s, or -1 (no terminator). */
int pdbint_str(const uint8_t *p, const uint8_t *end, const char **s, const uint8_t **next);

/* pdb-types.c: type ti through modifiers (bounded) and forward references. */
int pdbint_strip(const struct pdb *p, uint32_t ti, struct pdb_type *t, char *errbuf);
/* A numeric leaf at *pp: 0, *v and *pp past it; -1 when it runs past end or is none. */
int pdbint_num(const uint8_t **pp, const uint8_t *end, uint64_t *v);
/* The bytes of record ti (from its leaf kind on): 0, or MF_ERR_NOTFOUND. */
int pdbint_rec(const struct pdb *p, uint32_t ti, const uint8_t **start, const uint8_t **end, char *errbuf);

#endif
