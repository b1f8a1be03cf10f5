/* pluginlib/pdb.h: a PDB file's contents (over the MSF container of msf.h): the PDB info
 * stream (GUID, age), the type stream (TPI: structures, classes, unions, enums, their
 * members with nested and anonymous members, bitfields, arrays, pointers, modifiers;
 * forward references resolved to the definition), the DBI stream's section headers and
 * the symbol-record stream (publics S_PUB32, globals S_GDATA32 and S_LDATA32, type names
 * S_UDT).  For the win32 os layer (kernel structure offsets and symbols from ntkrnlmp.pdb)
 * and mf-syms --pdb.
 *
 * pdb_open copies the streams it needs out of the file's bytes: the caller may free (or
 * unmap: struct mf_symfile) them once it returns.  Strings a pdb_* call hands out are
 * borrowed from the struct pdb and live until pdb_close; nothing changes it after pdb_open,
 * so threads may call into one struct pdb at once.  Every record is checked against
 * its stream; every walk (modifier chains, field-list continuations, nested members) is
 * bounded, so a hostile PDB gives MF_ERR_FORMAT or MF_ERR_LIMIT with a message in errbuf
 * (MF_ERRBUF_SIZE bytes), never a crash or a hang.  Part of libmfplugin.la (see
 * vmcoreinfo.h for how to link it). */
#ifndef MF_PLUGINLIB_PDB_H
#define MF_PLUGINLIB_PDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PDB_TI_FIRST 0x1000u      /* type indexes below are the simple (built-in) types */
#define PDB_DEPTH_MAX 32          /* modifier chains, nested paths, type names */

struct pdb;

struct pdb_info {
	uint32_t version;        /* PDB info stream version (20000404: VC70) */
	uint32_t signature;      /* the old 32-bit time stamp */
	uint32_t age;            /* as a symbol server spells it: the PDB info stream's */
	uint8_t guid[16];        /* as stored: Data1..3 little-endian, then Data4 */
	uint16_t machine;        /* DBI: IMAGE_FILE_MACHINE_* (0x8664 x64, 0x14c x86), 0 if none */
	uint32_t ntypes;         /* TPI records: type indexes PDB_TI_FIRST .. PDB_TI_FIRST+ntypes-1 */
	uint32_t nsections;      /* section headers in the DBI's section header stream */
};

int pdb_open(const uint8_t *data, uint64_t size, struct pdb **out, char *errbuf);
void pdb_close(struct pdb *p);
const struct pdb_info *pdb_info(const struct pdb *p);
/* "8-4-4-4-12" hex (uppercase) GUID, as llvm-pdbutil and dbghelp print it: 37 bytes. */
void pdb_guid_str(const uint8_t guid[16], char buf[37]);
/* The symbol-server directory name: the GUID's 32 hex digits then the age in hex
 * (ntkrnlmp.pdb/GUIDAGE/ntkrnlmp.pdb): at most 41 bytes. */
void pdb_guid_age(const struct pdb_info *info, char buf[41]);

/* ---- types ---------------------------------------------------------------------------- */

enum pdb_kind {
	PDB_K_BASE = 1,          /* a simple type: void, char, int, ... (index < PDB_TI_FIRST) */
	PDB_K_POINTER,           /* elem: the referent */
	PDB_K_ARRAY,             /* elem: the element type; count, size: in elements, bytes */
	PDB_K_STRUCT,
	PDB_K_CLASS,
	PDB_K_UNION,
	PDB_K_ENUM,              /* elem: the underlying type */
	PDB_K_MODIFIER,          /* elem: the modified type; mods: PDB_MOD_* */
	PDB_K_BITFIELD,          /* elem: the storage type; bitpos, bits */
	PDB_K_FUNCTION,          /* LF_PROCEDURE, LF_MFUNCTION */
	PDB_K_OTHER,             /* a record this reader does not look into */
};

#define PDB_MOD_CONST 0x1u
#define PDB_MOD_VOLATILE 0x2u
#define PDB_MOD_UNALIGNED 0x4u

struct pdb_type {
	uint32_t ti;             /* this type: for a forward reference, its definition's */
	enum pdb_kind kind;
	const char *name;        /* struct/class/union/enum tag, a simple type's C name; else "" */
	uint64_t size;           /* bytes (functions 0; a forward reference never defined 0) */
	uint32_t elem;           /* see enum pdb_kind */
	uint64_t count;          /* arrays: elements (0 when the element size is 0) */
	uint32_t fields;         /* struct/class/union/enum: its LF_FIELDLIST, 0 if none */
	uint32_t nfields;        /* the record's member count */
	uint16_t mods;           /* modifiers */
	uint8_t bitpos, bits;    /* bitfields */
	bool forward;            /* a forward reference with no definition in this PDB */
	bool anonymous;          /* an unnamed struct/union ("<unnamed-tag>", "__unnamed") */
};

/* The type at index ti (< PDB_TI_FIRST: a simple type), forward references resolved.
 * MF_ERR_NOTFOUND for an index past the TPI stream, MF_ERR_FORMAT for a broken record. */
int pdb_type(const struct pdb *p, uint32_t ti, struct pdb_type *t, char *errbuf);
/* The struct, class, union or enum NAME (its definition; the first in the TPI when several
 * share the name), else the type a typedef NAME (S_UDT in the symbol records) names,
 * through forward references.  MF_ERR_NOTFOUND. */
int pdb_type_find(const struct pdb *p, const char *name, uint32_t *ti, char *errbuf);
/* Bytes of type ti, through modifiers (bounded) and forward references. */
int pdb_type_size(const struct pdb *p, uint32_t ti, uint64_t *size, char *errbuf);
/* The C spelling of type ti: "unsigned long", "struct _LIST_ENTRY *",
 * "unsigned char[15]", "volatile long", "unsigned long : 1".  Truncated to size; always
 * terminated.  0, or an error (the name then is "?"). */
int pdb_type_name(const struct pdb *p, uint32_t ti, char *buf, size_t size, char *errbuf);

/* A data member, as the field list states it. */
struct pdb_member {
	const char *name;        /* borrowed */
	uint64_t offset;         /* bytes from the start of the struct asked about */
	uint64_t size;           /* bytes of its type (a bitfield: its storage unit's) */
	uint32_t type;           /* its type index (a bitfield: the LF_BITFIELD record) */
	uint32_t base;           /* the type through modifiers; bitfield: its storage type */
	uint8_t bitpos, bits;    /* bits 0: not a bitfield */
	uint64_t count;          /* arrays: elements, else 0 */
	uint32_t elem;           /* arrays: the element type */
};

/* Each data member (LF_MEMBER) of the struct/class/union ti in field-list order,
 * continuations (LF_INDEX) followed; anonymous unions and structs appear flattened, as the
 * compilers write them (a member with an empty name, which some write instead, is
 * flattened here).  cb returns non-zero to stop (returned).  Returns 0 or an error;
 * MF_ERR_ARG when ti is not a struct, class or union. */
typedef int (*pdb_member_fn)(void *ctx, const struct pdb_member *m);
int pdb_members(const struct pdb *p, uint32_t ti, pdb_member_fn cb, void *ctx, char *errbuf);
/* The member PATH of struct/union ti: names separated by '.', each with optional [N]
 * indexes into arrays ("Pcb.DirectoryTableBase", "Nested[1].Links[2].Blink"); its offset
 * from the start of ti.  MF_ERR_NOTFOUND for a name, MF_ERR_RANGE for an index past the
 * array, MF_ERR_ARG for a malformed path. */
int pdb_member_path(const struct pdb *p, uint32_t ti, const char *path, struct pdb_member *m, char *errbuf);

/* Each enumerator (LF_ENUMERATE) of enum ti, in field-list order: its name (borrowed) and
 * value (a signed leaf sign-extended).  cb returns non-zero to stop (returned).  Returns 0
 * or an error; MF_ERR_ARG when ti is not an enum. */
typedef int (*pdb_enum_fn)(void *ctx, const char *name, int64_t value);
int pdb_enumerators(const struct pdb *p, uint32_t ti, pdb_enum_fn cb, void *ctx, char *errbuf);

/* In one call, as the os layers ask for structure offsets: the offset and size of member
 * PATH (pdb_member_path) in the struct, union or typedef called TYPE (pdb_type_find). */
int pdb_offset(const struct pdb *p, const char *type, const char *path, uint64_t *off, uint64_t *size, char *errbuf);

/* ---- sections and symbols ------------------------------------------------------------- */

struct pdb_section {
	char name[9];
	uint32_t va;             /* RVA */
	uint32_t vsize;
	uint32_t characteristics;
};
/* Section number n (1-based, as symbols name them). MF_ERR_NOTFOUND. */
int pdb_section(const struct pdb *p, uint32_t n, struct pdb_section *s);
/* section:offset as an RVA: MF_ERR_NOTFOUND for a section that does not exist,
 * MF_ERR_RANGE for an offset that wraps. */
int pdb_rva(const struct pdb *p, uint32_t section, uint32_t offset, uint64_t *rva);

enum pdb_sym_kind {
	PDB_SYM_PUBLIC = 1,      /* S_PUB32 (decorated names on x86) */
	PDB_SYM_GLOBAL,          /* S_GDATA32 */
	PDB_SYM_LOCAL,           /* S_LDATA32 (file statics in the global stream) */
};

struct pdb_sym {
	const char *name;        /* borrowed */
	enum pdb_sym_kind kind;
	bool function;           /* publics: code or function flag */
	uint16_t section;
	uint32_t offset;
	bool has_rva;            /* false when its section is not in the section headers */
	uint64_t rva;
	uint32_t type;           /* globals: the variable's type index; publics 0 */
};

/* Each public and global data symbol, in the symbol-record stream's order.  cb returns
 * non-zero to stop (returned).  Returns 0. */
typedef int (*pdb_sym_fn)(void *ctx, const struct pdb_sym *s);
int pdb_symbols(const struct pdb *p, pdb_sym_fn cb, void *ctx);
/* The first public or global symbol called NAME. MF_ERR_NOTFOUND. */
int pdb_symbol_find(const struct pdb *p, const char *name, struct pdb_sym *s);

#endif
