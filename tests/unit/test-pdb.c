/* test-pdb.c: the MSF container and the PDB reader (pluginlib/msf.c, pdb*.c) on a PDB
 * built here byte by byte (512-byte blocks: info, TPI, DBI with section headers, symbol
 * records): types with forward references, continuations, anonymous unions, bitfields,
 * arrays and wide numeric leaves; symbols and RVAs; then hostile variants (blocks past
 * the file, a lying directory, TPI records past their stream, type and field-list loops,
 * truncations and single-byte corruptions of the whole file).  tests/pdb.bats checks the
 * reader against llvm-pdbutil on PDBs written by lld-link.
 *
 * With an argument, writes the built PDB to that file (the fuzz seed tests/fuzz/seeds/pdb). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <mftools/plugin.h>
#include "pluginlib/bytes.h"
#include "pluginlib/msf.h"
#include "pluginlib/pdb.h"
#include "tap.h"

#define BS 512u

/* ---- a growing byte buffer ---- */

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void
b_put(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		if (b->p == NULL)
			abort();
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void b_u8(struct buf *b, uint8_t v) { b_put(b, &v, 1); }
static void b_u16(struct buf *b, uint16_t v) { uint8_t x[2]; put_le16(x, v); b_put(b, x, 2); }
static void b_u32(struct buf *b, uint32_t v) { uint8_t x[4]; put_le32(x, v); b_put(b, x, 4); }
static void b_str(struct buf *b, const char *s) { b_put(b, s, strlen(s) + 1); }

/* ---- type records ---- */

/* Close a record started at `start` (its length field): LF_PAD to 4 bytes, the length. */
static void
rec_end(struct buf *b, size_t start)
{
	while ((b->n - start) % 4 != 0)
		b_u8(b, (uint8_t)(0xf0 + 4 - (b->n - start) % 4));
	put_le16(b->p + start, (uint16_t)(b->n - start - 2));
}

static size_t
rec_begin(struct buf *b, uint16_t kind)
{
	size_t start = b->n;

	b_u16(b, 0);
	b_u16(b, kind);
	return start;
}

static void
t_struct(struct buf *b, uint16_t kind, uint16_t prop, uint32_t fields, uint32_t size, const char *name)
{
	size_t s = rec_begin(b, kind);

	b_u16(b, 0);   /* count */
	b_u16(b, prop);
	b_u32(b, fields);
	if (kind != 0x1506) {
		b_u32(b, 0);
		b_u32(b, 0);
	}
	if (size < 0x8000) {
		b_u16(b, (uint16_t)size);
	} else {
		b_u16(b, 0x8004);   /* LF_ULONG */
		b_u32(b, size);
	}
	b_str(b, name);
	rec_end(b, s);
}

/* a field list: entries added with fl_member/fl_index, closed with rec_end */
static void
fl_member(struct buf *b, uint32_t type, uint32_t off, const char *name)
{
	b_u16(b, 0x150d);
	b_u16(b, 3);
	b_u32(b, type);
	if (off < 0x8000) {
		b_u16(b, (uint16_t)off);
	} else {
		b_u16(b, 0x8004);
		b_u32(b, off);
	}
	b_str(b, name);
	while (b->n % 4 != 0)   /* the field list starts 4-aligned in these buffers */
		b_u8(b, (uint8_t)(0xf0 + 4 - b->n % 4));
}

static void
fl_index(struct buf *b, uint32_t cont)
{
	b_u16(b, 0x1404);
	b_u16(b, 0);
	b_u32(b, cont);
}

/* The types (0x1000 ...) of the test PDB.  Record starts stay 4-aligned (the TPI header
 * is 56 bytes). */
static void
build_tpi(struct buf *t, uint32_t loop_target)
{
	struct buf r = { 0 };
	size_t s;

	/* 0x1000 */ t_struct(&r, 0x1505, 0x80, 0, 0, "_LIST_ENTRY");
	/* 0x1001 */ s = rec_begin(&r, 0x1002); b_u32(&r, 0x1000); b_u32(&r, (8u << 13) | 0x0c); rec_end(&r, s);
	/* 0x1002 */ s = rec_begin(&r, 0x1203); fl_member(&r, 0x1001, 0, "Flink"); fl_member(&r, 0x1001, 8, "Blink"); rec_end(&r, s);
	/* 0x1003 */ t_struct(&r, 0x1505, 0, 0x1002, 16, "_LIST_ENTRY");
	/* 0x1004 */ s = rec_begin(&r, 0x1205); b_u32(&r, 0x22); b_u8(&r, 3); b_u8(&r, 5); rec_end(&r, s);
	/* 0x1005 */ s = rec_begin(&r, 0x1503); b_u32(&r, 0x1000); b_u32(&r, 0x23); b_u16(&r, 48); b_str(&r, ""); rec_end(&r, s);
	/* 0x1006 */ s = rec_begin(&r, 0x1203); fl_member(&r, 0x23, 0x10000, "Tail"); rec_end(&r, s);
	/* 0x1007 */ s = rec_begin(&r, 0x1203); fl_member(&r, 0x1005, 0, "Links"); fl_member(&r, 0x1004, 48, "Bits");
	fl_member(&r, 0x1009, 52, ""); fl_index(&r, 0x1006); rec_end(&r, s);
	/* 0x1008 */ s = rec_begin(&r, 0x1203); fl_member(&r, 0x74, 0, "A"); fl_member(&r, 0x21, 0, "B"); rec_end(&r, s);
	/* 0x1009 */ t_struct(&r, 0x1506, 0x8, 0x1008, 4, "_BIG::<unnamed-tag>");
	/* 0x100a */ t_struct(&r, 0x1505, 0, 0x1007, 0x10008, "_BIG");
	/* 0x100b */ s = rec_begin(&r, 0x1001); b_u32(&r, 0x100a); b_u16(&r, 1); rec_end(&r, s);
	/* 0x100c: a field list that continues into loop_target (itself: a loop) */
	s = rec_begin(&r, 0x1203); fl_member(&r, 0x74, 0, "x"); fl_index(&r, loop_target); rec_end(&r, s);
	/* 0x100d */ t_struct(&r, 0x1505, 0, 0x100c, 4, "_LOOP");
	/* 0x100e: a modifier of itself */ s = rec_begin(&r, 0x1001); b_u32(&r, 0x100e); b_u16(&r, 2); rec_end(&r, s);
	/* 0x100f */ s = rec_begin(&r, 0x1203); fl_member(&r, 0x100e, 0, "m"); rec_end(&r, s);
	/* 0x1010 */ t_struct(&r, 0x1505, 0, 0x100f, 4, "_MODLOOP");
	/* 0x1011: a struct declared, never defined */ t_struct(&r, 0x1505, 0x80, 0, 0, "_EJOB");
	/* 0x1012 */ s = rec_begin(&r, 0x1002); b_u32(&r, 0x1011); b_u32(&r, (8u << 13) | 0x0c); rec_end(&r, s);
	/* 0x1013: enumerators, values as a short leaf, LF_CHAR -3, LF_ULONG */
	s = rec_begin(&r, 0x1203);
	b_u16(&r, 0x1502); b_u16(&r, 3); b_u16(&r, 5); b_str(&r, "E5"); b_u8(&r, 0xf1);
	b_u16(&r, 0x1502); b_u16(&r, 3); b_u16(&r, 0x8000); b_u8(&r, 0xfd); b_str(&r, "EN"); b_u8(&r, 0xf2); b_u8(&r, 0xf1);
	b_u16(&r, 0x1502); b_u16(&r, 3); b_u16(&r, 0x8004); b_u32(&r, 0x12345678); b_str(&r, "EL");
	rec_end(&r, s);
	/* 0x1014 */ s = rec_begin(&r, 0x1507); b_u16(&r, 3); b_u16(&r, 0); b_u32(&r, 0x74); b_u32(&r, 0x1013); b_str(&r, "_E");
	rec_end(&r, s);

	b_u32(t, 20040203);
	b_u32(t, 56);
	b_u32(t, 0x1000);
	b_u32(t, 0x1015);
	b_u32(t, (uint32_t)r.n);
	while (t->n < 56)
		b_u8(t, 0xff);
	b_put(t, r.p, r.n);
	free(r.p);
}

static void
sym_data(struct buf *b, uint16_t kind, uint32_t flags_or_type, uint16_t seg, uint32_t off, const char *name)
{
	size_t s = b->n;

	b_u16(b, 0);
	b_u16(b, kind);
	b_u32(b, flags_or_type);
	b_u32(b, off);
	b_u16(b, seg);
	b_str(b, name);
	while ((b->n - s) % 4 != 0)
		b_u8(b, 0);
	put_le16(b->p + s, (uint16_t)(b->n - s - 2));
}

static void
build_symbols(struct buf *b)
{
	size_t s;

	sym_data(b, 0x110e, 2, 1, 0x10, "pubfn");
	sym_data(b, 0x110d, 0x1003, 2, 8, "gvar");
	sym_data(b, 0x110c, 0x74, 2, 0x20, "lvar");
	sym_data(b, 0x110e, 0, 9, 0, "nosec");
	s = b->n;   /* S_UDT BIG -> _BIG */
	b_u16(b, 0);
	b_u16(b, 0x1108);
	b_u32(b, 0x100a);
	b_str(b, "BIG");
	while ((b->n - s) % 4 != 0)
		b_u8(b, 0);
	put_le16(b->p + s, (uint16_t)(b->n - s - 2));
	s = b->n;   /* S_PROCREF: stepped over */
	b_u16(b, 10);
	b_u16(b, 0x1125);
	b_u32(b, 0);
	b_u32(b, 0);
	b_u16(b, 0);
}

static void
build_sections(struct buf *b)
{
	static const struct { const char *name; uint32_t va; } s[] = { { ".text", 0x1000 }, { ".data", 0x3000 } };
	uint8_t h[40];
	size_t i;

	for (i = 0; i < 2; i++) {
		memset(h, 0, sizeof h);
		memcpy(h, s[i].name, strlen(s[i].name));
		put_le32(h + 8, 0x200);
		put_le32(h + 12, s[i].va);
		put_le32(h + 36, 0x60000020);
		b_put(b, h, sizeof h);
	}
}

static void
build_dbi(struct buf *b, uint16_t symidx, uint16_t secidx)
{
	int i;

	b_u32(b, 0xffffffff);
	b_u32(b, 19990903);
	b_u32(b, 3);
	b_u16(b, 0xffff);   /* globals hash: not read */
	b_u16(b, 0);
	b_u16(b, 0xffff);
	b_u16(b, 0);
	b_u16(b, symidx);
	b_u16(b, 0);
	for (i = 0; i < 5; i++)
		b_u32(b, 0);    /* module info .. type server map: empty */
	b_u32(b, 0);
	b_u32(b, 11 * 2);   /* optional debug header */
	b_u32(b, 0);        /* EC */
	b_u16(b, 0);
	b_u16(b, 0x8664);
	b_u32(b, 0);
	for (i = 0; i < 11; i++)
		b_u16(b, i == 5 ? secidx : 0xffff);
}

/* The MSF file of `n` streams: superblock, two free-page-map blocks, the block map, the
 * directory, then each stream's blocks in order. */
static void
build_msf(struct buf *out, struct buf *streams, uint32_t n)
{
	struct buf dir = { 0 };
	uint32_t i, j, next, nb, dirblocks, total;
	static const char magic[32] = "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS\0\0";

	/* the directory's size first: count, sizes, block lists */
	for (i = 0, total = 0; i < n; i++)
		total += (uint32_t)((streams[i].n + BS - 1) / BS);
	dirblocks = (4 + 4 * n + 4 * total + BS - 1) / BS;
	next = 4 + dirblocks;
	b_u32(&dir, n);
	for (i = 0; i < n; i++)
		b_u32(&dir, (uint32_t)streams[i].n);
	for (i = 0; i < n; i++)
		for (j = 0, nb = (uint32_t)((streams[i].n + BS - 1) / BS); j < nb; j++)
			b_u32(&dir, next++);
	out->n = 0;
	b_put(out, magic, 32);
	b_u32(out, BS);
	b_u32(out, 1);
	b_u32(out, next);
	b_u32(out, (uint32_t)dir.n);
	b_u32(out, 0);
	b_u32(out, 3);   /* the block map */
	while (out->n < 3 * BS)
		b_u8(out, 0);
	for (i = 0; i < dirblocks; i++)
		b_u32(out, 4 + i);
	while (out->n < 4 * BS)
		b_u8(out, 0);
	b_put(out, dir.p, dir.n);
	while (out->n % BS)
		b_u8(out, 0);
	for (i = 0; i < n; i++) {
		b_put(out, streams[i].p, streams[i].n);
		while (out->n % BS)
			b_u8(out, 0);
	}
	free(dir.p);
}

static const uint8_t test_guid[16] = { 0xc8, 0x9c, 0xa5, 0x6e, 0x67, 0x5b, 0xb8, 0xed,
	                                0x4c, 0x4c, 0x44, 0x20, 0x50, 0x44, 0x42, 0x2e };

/* streams 0 (empty), 1 info, 2 TPI, 3 DBI, 4 symbol records, 5 section headers */
static void
build_pdb(struct buf *out, uint32_t loop_target)
{
	struct buf s[6] = { { 0 } };
	int i;

	b_u32(&s[1], 20000404);
	b_u32(&s[1], 0x12345678);
	b_u32(&s[1], 3);
	b_put(&s[1], test_guid, 16);
	build_tpi(&s[2], loop_target);
	build_dbi(&s[3], 4, 5);
	build_symbols(&s[4]);
	build_sections(&s[5]);
	build_msf(out, s, 6);
	for (i = 0; i < 6; i++)
		free(s[i].p);
}

/* ---- the tests ---- */

struct collect {
	char names[64][32];
	uint64_t off[64];
	uint8_t bits[64], bitpos[64];
	int n;
};

static int
collect_cb(void *ctx, const struct pdb_member *m)
{
	struct collect *c = ctx;

	if (c->n < 64) {
		snprintf(c->names[c->n], sizeof c->names[0], "%s", m->name);
		c->off[c->n] = m->offset;
		c->bits[c->n] = m->bits;
		c->bitpos[c->n] = m->bitpos;
		c->n++;
	}
	return 0;
}

static int64_t enum_v[8];
static int enum_n;

static int
enum_cb(void *ctx, const char *name, int64_t value)
{
	(void)ctx;
	(void)name;
	if (enum_n < 8)
		enum_v[enum_n++] = value;
	return 0;
}

static struct pdb_sym test_syms[16];
static int test_nsyms;

static int
sym_cb(void *ctx, const struct pdb_sym *s)
{
	(void)ctx;
	if (test_nsyms < 16)
		test_syms[test_nsyms++] = *s;
	return 0;
}

static void
test_good(const struct buf *f)
{
	char err[MF_ERRBUF_SIZE], name[128], g[41];
	struct pdb_member m;
	struct collect c = { .n = 0 };
	struct pdb_type t;
	struct pdb *p;
	uint64_t size;
	uint32_t ti;

	ok(msf_probe(f->p, f->n), "the built file has the MSF 7.00 magic");
	if (!ok(pdb_open(f->p, f->n, &p, err) == 0, "the built PDB opens"))
		printf("# %s\n", err);
	if (p == NULL)
		return;
	is_u64(pdb_info(p)->age, 3, "age from the info stream");
	ok(memcmp(pdb_info(p)->guid, test_guid, 16) == 0, "GUID bytes as stored");
	pdb_guid_age(pdb_info(p), g);
	is_str(g, "6EA59CC85B67EDB84C4C44205044422E3", "symbol-server GUIDAGE");
	is_u64(pdb_info(p)->ntypes, 0x15, "type count");
	is_u64(pdb_info(p)->machine, 0x8664, "machine from the DBI");
	is_u64(pdb_info(p)->nsections, 2, "two section headers");

	ok(pdb_type_find(p, "_LIST_ENTRY", &ti, err) == 0 && ti == 0x1003, "a struct by name is its definition");
	ok(pdb_type(p, 0x1000, &t, err) == 0 && t.ti == 0x1003 && t.size == 16 && !t.forward,
	   "a forward reference resolves to the definition");
	ok(pdb_type(p, 0x1011, &t, err) == 0 && t.forward && t.size == 0, "a struct never defined stays a forward reference");
	ok(pdb_type_find(p, "BIG", &ti, err) == 0 && ti == 0x100a, "a typedef (S_UDT) names its type");
	ok(pdb_type_size(p, 0x100b, &size, err) == 0 && size == 0x10008, "size through a modifier, LF_ULONG size");
	is_int(pdb_type_find(p, "_NONE", &ti, err), MF_ERR_NOTFOUND, "an unknown type");
	is_str(err, "no type '_NONE' in the PDB", "its message");

	ok(pdb_members(p, 0x100a, collect_cb, &c, err) == 0, "members of _BIG");
	is_int(c.n, 5, "anonymous union flattened, continuation followed");
	if (c.n == 5) {
		is_str(c.names[0], "Links", "first");
		is_str(c.names[2], "A", "union member A flattened");
		is_u64(c.off[3], 52, "union member B at the union's offset");
		is_str(c.names[4], "Tail", "the continuation's member");
		is_u64(c.off[4], 0x10000, "LF_ULONG offset");
		ok(c.bits[1] == 3 && c.bitpos[1] == 5, "bitfield position and width");
	}
	ok(pdb_member_path(p, 0x100a, "Links[2].Blink", &m, err) == 0 && m.offset == 40 && m.size == 8,
	   "an array element's member: 2 * 16 + 8");
	ok(pdb_member_path(p, 0x100a, "Links", &m, err) == 0 && m.count == 3 && m.elem == 0x1000 && m.size == 48,
	   "an array member: element count and type");
	ok(pdb_member_path(p, 0x100a, "B", &m, err) == 0 && m.offset == 52 && m.size == 2, "a member of the anonymous union");
	ok(pdb_offset(p, "BIG", "Links[1].Flink", &size, NULL, err) == 0 && size == 16, "pdb_offset: a typedef and a path");
	is_int(pdb_offset(p, "_NONE", "x", &size, NULL, err), MF_ERR_NOTFOUND, "pdb_offset: an unknown type");
	is_int(pdb_member_path(p, 0x100a, "Links[3]", &m, err), MF_ERR_RANGE, "an index past the array");
	is_int(pdb_member_path(p, 0x100a, "Nope", &m, err), MF_ERR_NOTFOUND, "a missing member");
	is_str(err, "member path 'Nope': no member 'Nope'", "its message");
	is_int(pdb_member_path(p, 0x100a, "Links..Flink", &m, err), MF_ERR_ARG, "an empty path part");
	is_int(pdb_member_path(p, 0x100a, "Bits.x", &m, err), MF_ERR_ARG, "a member of a bitfield");
	is_int(pdb_members(p, 0x1012, collect_cb, &c, err), MF_ERR_ARG, "a pointer has no members");
	is_int(pdb_members(p, 0x1011, collect_cb, &c, err), MF_ERR_NOTFOUND, "a struct only declared");

	pdb_type_name(p, 0x1005, name, sizeof name, err);
	is_str(name, "struct _LIST_ENTRY[3]", "array name");
	pdb_type_name(p, 0x1004, name, sizeof name, err);
	is_str(name, "unsigned long : 3", "bitfield name");
	pdb_type_name(p, 0x100b, name, sizeof name, err);
	is_str(name, "const struct _BIG", "modifier name");
	pdb_type_name(p, 0x1001, name, sizeof name, err);
	is_str(name, "struct _LIST_ENTRY *", "pointer name");
	pdb_type_name(p, 0x0603, name, sizeof name, err);
	is_str(name, "void *", "simple pointer name");
	pdb_type_name(p, 0x1001, name, 8, err);
	is_str(name, "struct ", "a name truncated to the buffer");

	is_int(pdb_members(p, 0x100d, collect_cb, &c, err), MF_ERR_LIMIT, "a field list that continues into itself");
	is_int(pdb_members(p, 0x1010, collect_cb, &c, err), MF_ERR_LIMIT, "a modifier of itself");
	is_int(pdb_type(p, 0x1015, &t, err), MF_ERR_NOTFOUND, "a type index past the stream");
	enum_n = 0;
	ok(pdb_type_find(p, "_E", &ti, err) == 0 && pdb_enumerators(p, ti, enum_cb, NULL, err) == 0 && enum_n == 3,
	   "an enum's enumerators");
	ok(enum_n == 3 && enum_v[0] == 5 && enum_v[1] == -3 && enum_v[2] == 0x12345678, "short, LF_CHAR and LF_ULONG values");
	ok(pdb_type_size(p, ti, &size, err) == 0 && size == 4, "an enum's size is its underlying type's");
	is_int(pdb_enumerators(p, 0x100a, enum_cb, NULL, err), MF_ERR_ARG, "a struct has no enumerators");

	test_nsyms = 0;
	pdb_symbols(p, sym_cb, NULL);
	is_int(test_nsyms, 4, "publics, globals, file statics (S_UDT and S_PROCREF are no symbols)");
	if (test_nsyms == 4) {
		ok(test_syms[0].kind == PDB_SYM_PUBLIC && test_syms[0].function && test_syms[0].rva == 0x1010, "pubfn at .text+0x10");
		ok(test_syms[1].kind == PDB_SYM_GLOBAL && test_syms[1].rva == 0x3008 && test_syms[1].type == 0x1003,
		   "gvar at .data+8, its type");
		ok(test_syms[2].kind == PDB_SYM_LOCAL && test_syms[2].rva == 0x3020, "lvar a file static");
		ok(!test_syms[3].has_rva, "a symbol of a section with no header has no RVA");
	}
	ok(pdb_symbol_find(p, "gvar", &test_syms[15]) == 0 && test_syms[15].rva == 0x3008, "symbol by name");
	is_int(pdb_symbol_find(p, "none", &test_syms[15]), MF_ERR_NOTFOUND, "an unknown symbol");
	pdb_close(p);
}

/* Open a variant: it must fail with `code` and the message must start with `msg`. */
static void
hostile(const uint8_t *f, size_t n, int code, const char *msg, const char *what)
{
	char err[MF_ERRBUF_SIZE] = "";
	struct pdb *p = NULL;
	int r = pdb_open(f, n, &p, err);

	if (!ok(r == code && strncmp(err, msg, strlen(msg)) == 0, "%s: %s", what, msg))
		printf("#   got %d '%s'\n", r, err);
	pdb_close(p);
}

static void
test_hostile(const struct buf *good)
{
	uint8_t *f = malloc(good->n);
	size_t n = good->n;

	memcpy(f, good->p, n);
	hostile(f, n - BS, MF_ERR_FORMAT, "the MSF superblock claims", "a truncated file");
	hostile(f, 40, MF_ERR_FORMAT, "not a PDB file", "a file shorter than the superblock");
	hostile((const uint8_t *)"Microsoft C/C++ program database 2.00\r\n\x1a" "JG\0\0", 46, MF_ERR_UNSUPPORTED, "a PDB 2.00",
	        "the old format");
	put_le32(f + 32, 1000);
	hostile(f, n, MF_ERR_FORMAT, "MSF block size 1000", "a bad block size");
	memcpy(f, good->p, n);
	put_le32(f + 52, 0x7fffffff);
	hostile(f, n, MF_ERR_FORMAT, "the block map is at block", "a block map past the file");
	memcpy(f, good->p, n);
	put_le32(f + 3 * BS, 0xffff);
	hostile(f, n, MF_ERR_FORMAT, "stream directory block 0 is block 65535", "a directory block past the file");
	memcpy(f, good->p, n);
	put_le32(f + 4 * BS, 0x40000000);
	hostile(f, n, MF_ERR_FORMAT, "the stream directory", "a directory that claims 2^30 streams");
	memcpy(f, good->p, n);
	put_le32(f + 4 * BS + 4 + 4 * 2, 0x7ffffff0);   /* stream 2 (TPI) claims 2 GiB */
	hostile(f, n, MF_ERR_FORMAT, "the stream directory", "a stream that claims more blocks than listed");
	memcpy(f, good->p, n);
	put_le32(f + 4 * BS + 4 + 4 * 6, 0xfffff);   /* the first listed block, stream 1's */
	hostile(f, n, MF_ERR_FORMAT, "stream 1 block 0 is block 1048575", "a stream block past the file");
	memcpy(f, good->p, n);
	put_le32(f + 44, 0x100000);
	hostile(f, n, MF_ERR_FORMAT, "a stream directory of 1048576 bytes", "a directory larger than the file");
	free(f);
}

/* The TPI stream's first block in the built file (stream 2: after stream 1's one block). */
static size_t
tpi_at(const struct buf *good)
{
	return (size_t)get_le32(good->p + 4 * BS + 4 + 4 * 6 + 4) * BS;
}

static void
test_hostile_tpi(const struct buf *good)
{
	uint8_t *f = malloc(good->n);
	size_t n = good->n, tpi = tpi_at(good);

	memcpy(f, good->p, n);
	put_le32(f + tpi + 16, 0x100000);
	hostile(f, n, MF_ERR_FORMAT, "the TPI header (56 bytes) claims 1048576 bytes", "TPI records past the stream");
	memcpy(f, good->p, n);
	put_le32(f + tpi + 12, 0x2000);
	hostile(f, n, MF_ERR_FORMAT, "the TPI header claims type indexes", "more types than bytes");
	memcpy(f, good->p, n);
	put_le16(f + tpi + 56, 0xfff0);
	hostile(f, n, MF_ERR_FORMAT, "the TPI stream ends in type 0x1000", "a record longer than the stream");
	memcpy(f, good->p, n);
	/* the first record (the forward _LIST_ENTRY): its name (at byte 22) and padding to the
	 * record's end overwritten, no NUL left */
	memset(f + tpi + 56 + 22, 'x', get_le16(f + tpi + 56) + 2u - 22u);
	hostile(f, n, MF_ERR_FORMAT, "type 0x1000: a struct, union or enum without a name", "a name that runs past its record");
	free(f);
}

/* Every truncation and every byte set to 0xff of the whole file: each opens or fails
 * cleanly (the sanitizers watch), and what opens answers lookups without crashing. */
static void
test_mutations(const struct buf *good)
{
	char err[MF_ERRBUF_SIZE];
	uint8_t *f = malloc(good->n);
	struct collect c;
	struct pdb *p;
	size_t i, opened = 0, failed = 0;
	uint32_t ti;

	for (i = 0; i < good->n; i += 7) {
		if (pdb_open(good->p, i, &p, err) == 0) {
			opened++;
			pdb_close(p);
		} else {
			failed++;
		}
	}
	ok(opened == 0 && failed > 0, "truncations: every one fails (%zu opened)", opened);
	for (i = 0; i < good->n; i++) {
		memcpy(f, good->p, good->n);
		f[i] = (uint8_t)~f[i];
		if (pdb_open(f, good->n, &p, err) < 0)
			continue;
		opened++;
		c.n = 0;
		if (pdb_type_find(p, "_BIG", &ti, err) == 0)
			pdb_members(p, ti, collect_cb, &c, err);
		pdb_symbols(p, sym_cb, NULL);
		test_nsyms = 0;
		pdb_close(p);
	}
	ok(opened > 1, "byte flips: %zu variants opened, none crashed", opened);
	free(f);
}

int
main(int argc, char **argv)
{
	struct buf good = { 0 }, loop = { 0 };

	build_pdb(&good, 0x100c);
	if (argc > 1) {
		FILE *o = fopen(argv[1], "wb");
		int bad = o == NULL || fwrite(good.p, 1, good.n, o) != good.n || fclose(o) != 0;

		free(good.p);
		return bad;
	}
	test_good(&good);
	test_hostile(&good);
	test_hostile_tpi(&good);
	test_mutations(&good);
	build_pdb(&loop, 0x1006);   /* the same, no loop: the continuation of _BIG's list */
	{
		char err[MF_ERRBUF_SIZE];
		struct collect c = { .n = 0 };
		struct pdb *p;

		ok(pdb_open(loop.p, loop.n, &p, err) == 0 && pdb_members(p, 0x100d, collect_cb, &c, err) == 0 && c.n == 2,
		   "a field list continued into another's: both lists' members");
		pdb_close(p);
	}
	free(good.p);
	free(loop.p);
	return done_testing();
}
