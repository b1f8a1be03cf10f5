/* pdb.c: a PDB's streams: the PDB info stream, the DBI stream with its section headers
 * and the symbol-record stream (publics, globals, typedef names).  The types are in
 * pdb-types.c. */
#include "pluginlib/pdb-int.h"
#include "pluginlib/bytes.h"
#include "pluginlib/error.h"
#include "pluginlib/msf.h"

#include <mftools/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* fixed stream numbers */
#define PDB_STREAM_INFO 1u
#define PDB_STREAM_TPI 2u
#define PDB_STREAM_DBI 3u

#define PDB_DBI_HEADER 64u
#define PDB_DBG_SECTION_HDR 5u       /* the optional debug header's section header stream */
#define PDB_SECTION_HDR_SIZE 40u
#define PDB_NO_STREAM 0xffffu

/* symbol record kinds */
#define S_UDT 0x1108u
#define S_LDATA32 0x110cu
#define S_GDATA32 0x110du
#define S_PUB32 0x110eu

int
pdbint_str(const uint8_t *p, const uint8_t *end, const char **s, const uint8_t **next)
{
	const uint8_t *z;

	if (p >= end || (z = memchr(p, '\0', (size_t)(end - p))) == NULL)
		return -1;
	*s = (const char *)p;
	if (next != NULL)
		*next = z + 1;
	return 0;
}

static int
pdb_stream(const struct msf *m, uint32_t idx, const char *what, uint8_t **out, uint32_t *len, char *errbuf)
{
	char msg[MF_ERRBUF_SIZE];
	int r;

	if ((r = msf_stream(m, idx, out, len, msg)) < 0)
		return plib_error(errbuf, r, "%s stream: %s", what, msg);
	return 0;
}

static int
pdb_read_info(struct pdb *p, const struct msf *m, char *errbuf)
{
	uint8_t *s;
	uint32_t len;
	int r;

	if ((r = pdb_stream(m, PDB_STREAM_INFO, "PDB info", &s, &len, errbuf)) < 0)
		return r;
	if (len < 28) {
		free(s);
		return plib_error(errbuf, MF_ERR_FORMAT, "the PDB info stream holds %u bytes, not the 28 of its header", len);
	}
	p->info.version = get_le32(s);
	p->info.signature = get_le32(s + 4);
	p->info.age = get_le32(s + 8);
	memcpy(p->info.guid, s + 12, 16);
	free(s);
	return 0;
}

/* The section headers from the stream the DBI's optional debug header names. */
static int
pdb_read_sections(struct pdb *p, const struct msf *m, uint16_t idx, char *errbuf)
{
	uint32_t len, i;
	uint8_t *s;
	int r;

	if (idx == PDB_NO_STREAM)
		return 0;
	if ((r = pdb_stream(m, idx, "section header", &s, &len, errbuf)) < 0)
		return r;
	if (len % PDB_SECTION_HDR_SIZE != 0) {
		free(s);
		return plib_error(errbuf, MF_ERR_FORMAT, "the section header stream holds %u bytes, not a multiple of %u", len,
		                  PDB_SECTION_HDR_SIZE);
	}
	p->info.nsections = len / PDB_SECTION_HDR_SIZE;
	if ((p->secs = calloc(p->info.nsections + 1, sizeof *p->secs)) == NULL) {
		free(s);
		return plib_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < p->info.nsections; i++) {
		const uint8_t *h = s + (size_t)i * PDB_SECTION_HDR_SIZE;

		memcpy(p->secs[i].name, h, 8);
		p->secs[i].vsize = get_le32(h + 8);
		p->secs[i].va = get_le32(h + 12);
		p->secs[i].characteristics = get_le32(h + 36);
	}
	free(s);
	return 0;
}

/* Room for one more element in *v (n used of *cap): 0, or -1 out of memory. */
static int
pdb_grow(void **v, size_t *cap, size_t n, size_t elem)
{
	void *nv;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? 2 * *cap : 256;
	if ((nv = realloc(*v, ncap * elem)) == NULL)
		return -1;
	*v = nv;
	*cap = ncap;
	return 0;
}

/* The symbol records: publics, global and file-static data, typedef names.  Other kinds
 * (procedure references, constants) are stepped over. */
static int
pdb_parse_symbols(struct pdb *p, uint32_t len, char *errbuf)
{
	const uint8_t *s = p->symrec;
	size_t scap = 0, ucap = 0;
	uint32_t pos = 0;

	while (pos + 4 <= len) {
		const uint8_t *r = s + pos, *rend;
		uint16_t rlen = get_le16(r), kind = get_le16(r + 2);
		struct pdb_sym sym = { 0 };
		const char *name;

		if (rlen < 2 || (uint64_t)pos + 2 + rlen > len)
			return plib_error(errbuf, MF_ERR_FORMAT, "symbol record at byte %u: length %u runs past the stream's %u bytes",
			                  pos, rlen, len);
		rend = r + 2 + rlen;
		pos += 2u + rlen;
		if (kind == S_UDT) {
			if (rend - r < 9 || pdbint_str(r + 8, rend, &name, NULL) < 0)
				return plib_error(errbuf, MF_ERR_FORMAT, "S_UDT at byte %u: no name", (unsigned)(r - s));
			if (pdb_grow((void **)&p->udts, &ucap, p->nudts, sizeof *p->udts) < 0)
				return plib_error(errbuf, MF_ERR_NOMEM, "out of memory");
			p->udts[p->nudts++] = (struct pdb_name){ name, get_le32(r + 4) };
			continue;
		}
		if (kind != S_PUB32 && kind != S_GDATA32 && kind != S_LDATA32)
			continue;
		if (rend - r < 15 || pdbint_str(r + 14, rend, &name, NULL) < 0)
			return plib_error(errbuf, MF_ERR_FORMAT, "symbol record 0x%x at byte %u: no name", kind, (unsigned)(r - s));
		sym.name = name;
		sym.offset = get_le32(r + 8);
		sym.section = get_le16(r + 12);
		if (kind == S_PUB32) {
			sym.kind = PDB_SYM_PUBLIC;
			sym.function = (get_le32(r + 4) & 0x3u) != 0;   /* cvpsfCode | cvpsfFunction */
		} else {
			sym.kind = kind == S_GDATA32 ? PDB_SYM_GLOBAL : PDB_SYM_LOCAL;
			sym.type = get_le32(r + 4);
		}
		sym.has_rva = pdb_rva(p, sym.section, sym.offset, &sym.rva) == 0;
		if (pdb_grow((void **)&p->syms, &scap, p->nsyms, sizeof *p->syms) < 0)
			return plib_error(errbuf, MF_ERR_NOMEM, "out of memory");
		p->syms[p->nsyms++] = sym;
	}
	return 0;
}

static int
pdb_read_dbi(struct pdb *p, const struct msf *m, char *errbuf)
{
	uint64_t dbg = PDB_DBI_HEADER;
	uint16_t symidx, secidx = PDB_NO_STREAM;
	uint32_t len, symlen, dbg_size;
	uint8_t *s;
	int r, i;

	if (m->nstreams <= PDB_STREAM_DBI || m->sizes[PDB_STREAM_DBI] == 0)
		return 0;   /* a PDB with types only */
	if ((r = pdb_stream(m, PDB_STREAM_DBI, "DBI", &s, &len, errbuf)) < 0)
		return r;
	if (len < PDB_DBI_HEADER || get_le32(s) != 0xffffffffu) {
		free(s);
		return plib_error(errbuf, MF_ERR_FORMAT, "the DBI stream (%u bytes) has no DBI header", len);
	}
	symidx = get_le16(s + 20);
	p->info.machine = get_le16(s + 58);
	/* the substreams before the optional debug header: module info, section contributions,
	 * section map, file info, type server map, EC (in the stream in that order) */
	for (i = 24; i <= 40; i += 4)
		dbg += get_le32(s + i);
	dbg += get_le32(s + 52);
	dbg_size = get_le32(s + 48);
	if (dbg + dbg_size > len) {
		free(s);
		return plib_error(errbuf, MF_ERR_FORMAT, "the DBI substreams claim %llu bytes of the stream's %u",
		                  (unsigned long long)(dbg + dbg_size), len);
	}
	if (dbg_size >= 2 * (PDB_DBG_SECTION_HDR + 1))
		secidx = get_le16(s + dbg + 2 * PDB_DBG_SECTION_HDR);
	free(s);
	if ((r = pdb_read_sections(p, m, secidx, errbuf)) < 0)
		return r;
	if (symidx == PDB_NO_STREAM)
		return 0;
	if ((r = pdb_stream(m, symidx, "symbol record", &p->symrec, &symlen, errbuf)) < 0)
		return r;
	return pdb_parse_symbols(p, symlen, errbuf);
}

int
pdb_open(const uint8_t *data, uint64_t size, struct pdb **out, char *errbuf)
{
	struct msf m;
	struct pdb *p;
	uint32_t len;
	int r;

	*out = NULL;
	if ((r = msf_open(&m, data, size, errbuf)) < 0)
		return r;
	if ((p = calloc(1, sizeof *p)) == NULL) {
		msf_close(&m);
		return plib_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	if ((r = pdb_read_info(p, &m, errbuf)) == 0 && (r = pdb_read_dbi(p, &m, errbuf)) == 0 &&
	    (r = pdb_stream(&m, PDB_STREAM_TPI, "TPI", &p->tpi, &len, errbuf)) == 0)
		r = pdbint_types_load(p, len, errbuf);
	msf_close(&m);
	if (r < 0) {
		pdb_close(p);
		return r;
	}
	*out = p;
	return 0;
}

void
pdb_close(struct pdb *p)
{
	if (p == NULL)
		return;
	free(p->tpi);
	free(p->recs);
	free(p->tags);
	free(p->uniq);
	free(p->udts);
	free(p->secs);
	free(p->symrec);
	free(p->syms);
	free(p);
}

const struct pdb_info *
pdb_info(const struct pdb *p)
{
	return &p->info;
}

void
pdb_guid_str(const uint8_t g[16], char buf[37])
{
	snprintf(buf, 37, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", (unsigned)get_le32(g),
	         (unsigned)get_le16(g + 4), (unsigned)get_le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

void
pdb_guid_age(const struct pdb_info *info, char buf[41])
{
	const uint8_t *g = info->guid;

	snprintf(buf, 41, "%08X%04X%04X%02X%02X%02X%02X%02X%02X%02X%02X%X", (unsigned)get_le32(g), (unsigned)get_le16(g + 4),
	         (unsigned)get_le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15], (unsigned)info->age);
}

/* ---- sections and symbols ---- */

int
pdb_section(const struct pdb *p, uint32_t n, struct pdb_section *s)
{
	if (n == 0 || n > p->info.nsections)
		return MF_ERR_NOTFOUND;
	*s = p->secs[n - 1];
	return 0;
}

int
pdb_rva(const struct pdb *p, uint32_t section, uint32_t offset, uint64_t *rva)
{
	if (section == 0 || section > p->info.nsections)
		return MF_ERR_NOTFOUND;
	*rva = (uint64_t)p->secs[section - 1].va + offset;
	if (*rva > UINT32_MAX)
		return MF_ERR_RANGE;
	return 0;
}

int
pdb_symbols(const struct pdb *p, pdb_sym_fn cb, void *ctx)
{
	size_t i;
	int r;

	for (i = 0; i < p->nsyms; i++)
		if ((r = cb(ctx, &p->syms[i])) != 0)
			return r;
	return 0;
}

int
pdb_symbol_find(const struct pdb *p, const char *name, struct pdb_sym *s)
{
	size_t i;

	for (i = 0; i < p->nsyms; i++)
		if (strcmp(p->syms[i].name, name) == 0) {
			*s = p->syms[i];
			return 0;
		}
	return MF_ERR_NOTFOUND;
}
