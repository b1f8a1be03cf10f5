/* pe.c: PE images read from memory through a callback (see pe.h).  Headers and sections
 * here; exports, imports and the debug record in the sections that follow. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mftools/plugin.h>

#include "pluginlib/bytes.h"
#include "pluginlib/checked.h"
#include "pluginlib/error.h"
#include "pluginlib/pe.h"

#define PE_HDR_READ 4096u              /* headers are read one page at a time */
#define PE_MAX_HEADERS (64u * 1024u)   /* SizeOfHeaders beyond this is not believed */

static int
pe_read_err(char *errbuf, int r, const char *what, uint64_t addr)
{
	return plib_error(errbuf, r < 0 ? r : MF_ERR_IO, "cannot read the %s at 0x%llx", what,
	                  (unsigned long long)addr);
}

int
pe_read_rva(const struct pe_image *pe, uint32_t rva, void *buf, size_t len, char *errbuf)
{
	int r;

	if (len > pe->size || rva > pe->size - len)
		return plib_error(errbuf, MF_ERR_FORMAT, "PE image at 0x%llx: rva 0x%x + %zu is past its size 0x%x",
		                  (unsigned long long)pe->base, rva, len, pe->size);
	if (len == 0)
		return 0;
	if ((r = pe->read(pe->ctx, pe->base + rva, buf, len)) < 0)
		return pe_read_err(errbuf, r, "PE image data", pe->base + rva);
	return 0;
}

int
pe_open(struct pe_image *pe, uint64_t base, pe_read_fn read, void *ctx, char *errbuf)
{
	uint8_t h[PE_HDR_READ], *sh;
	uint32_t lfanew, optsz, opt, nsec, i, hdrs;
	uint16_t magic;
	int r;

	memset(pe, 0, sizeof *pe);
	pe->read = read;
	pe->ctx = ctx;
	pe->base = base;
	if ((r = read(ctx, base, h, sizeof h)) < 0)
		return pe_read_err(errbuf, r, "PE headers", base);
	if (h[0] != 'M' || h[1] != 'Z')
		return plib_error(errbuf, MF_ERR_FORMAT, "no PE image at 0x%llx (no MZ header)", (unsigned long long)base);
	lfanew = get_le32(h + 0x3c);
	if (lfanew < 0x40 || lfanew > sizeof h - 24 || memcmp(h + lfanew, "PE\0\0", 4) != 0)
		return plib_error(errbuf, MF_ERR_FORMAT, "no PE image at 0x%llx (no PE signature)", (unsigned long long)base);
	pe->machine = get_le16(h + lfanew + 4);
	nsec = get_le16(h + lfanew + 6);
	pe->timestamp = get_le32(h + lfanew + 8);
	optsz = get_le16(h + lfanew + 20);
	pe->characteristics = get_le16(h + lfanew + 22);
	opt = lfanew + 24;
	if (optsz < 2 || opt + optsz > sizeof h)
		return plib_error(errbuf, MF_ERR_FORMAT, "PE image at 0x%llx: optional header of %u bytes does not fit",
		                  (unsigned long long)base, optsz);
	magic = get_le16(h + opt);
	if (magic == 0x20b) {
		if (optsz < 112)
			return plib_error(errbuf, MF_ERR_FORMAT, "PE image at 0x%llx: PE32+ optional header too short",
			                  (unsigned long long)base);
		pe->is64 = 1;
		pe->image_base = get_le64(h + opt + 24);
		pe->ndirs = get_le32(h + opt + 108);
	} else if (magic == 0x10b) {
		if (optsz < 96)
			return plib_error(errbuf, MF_ERR_FORMAT, "PE image at 0x%llx: PE32 optional header too short",
			                  (unsigned long long)base);
		pe->image_base = get_le32(h + opt + 28);
		pe->ndirs = get_le32(h + opt + 92);
	} else {
		return plib_error(errbuf, MF_ERR_FORMAT, "PE image at 0x%llx: unknown optional header magic 0x%x",
		                  (unsigned long long)base, magic);
	}
	pe->entry = get_le32(h + opt + 16);
	pe->size = get_le32(h + opt + 56);
	hdrs = get_le32(h + opt + 60);
	if (pe->size < sizeof h || pe->size > PE_MAX_IMAGE)
		return plib_error(errbuf, MF_ERR_FORMAT, "PE image at 0x%llx: SizeOfImage 0x%x is not believable",
		                  (unsigned long long)base, pe->size);
	if (hdrs > pe->size || hdrs > PE_MAX_HEADERS)
		return plib_error(errbuf, MF_ERR_FORMAT, "PE image at 0x%llx: SizeOfHeaders 0x%x is not believable",
		                  (unsigned long long)base, hdrs);
	if (pe->ndirs > PE_NDIRS)
		pe->ndirs = PE_NDIRS;
	{
		uint32_t dirs = opt + (pe->is64 ? 112 : 96);

		for (i = 0; i < pe->ndirs && dirs + 8 * (i + 1) <= opt + optsz; i++) {
			pe->dir[i].rva = get_le32(h + dirs + 8 * i);
			pe->dir[i].size = get_le32(h + dirs + 8 * i + 4);
		}
		pe->ndirs = i;
	}
	if (nsec > PE_MAX_SECTIONS)
		return plib_error(errbuf, MF_ERR_FORMAT, "PE image at 0x%llx: %u sections (at most %u)",
		                  (unsigned long long)base, nsec, PE_MAX_SECTIONS);
	if (opt + optsz + 40 * nsec > sizeof h)
		return plib_error(errbuf, MF_ERR_FORMAT, "PE image at 0x%llx: the section table does not fit its headers",
		                  (unsigned long long)base);
	sh = h + opt + optsz;
	for (i = 0; i < nsec; i++, sh += 40) {
		struct pe_section *s = &pe->sec[i];

		memcpy(s->name, sh, 8);
		s->name[8] = '\0';
		s->vsize = get_le32(sh + 8);
		s->rva = get_le32(sh + 12);
		s->raw_size = get_le32(sh + 16);
		s->raw_off = get_le32(sh + 20);
		s->flags = get_le32(sh + 36);
	}
	pe->nsections = nsec;
	return 0;
}

/* A NUL-terminated string at rva: from blk when it lies there, else read up to a page at
 * a time (so a name next to an unreadable page still reads).  Cut at cap - 1 bytes. */
static int
pe_read_str(const struct pe_image *pe, const uint8_t *blk, uint32_t blk_rva, uint32_t blk_len, uint32_t rva,
            char *buf, size_t cap, char *errbuf)
{
	size_t got = 0;
	int r;

	if (blk != NULL && rva >= blk_rva && rva - blk_rva < blk_len) {
		const uint8_t *p = blk + (rva - blk_rva), *nul;
		size_t avail = blk_len - (rva - blk_rva);

		if ((nul = memchr(p, 0, avail < cap - 1 ? avail : cap - 1)) != NULL || avail >= cap - 1) {
			got = nul != NULL ? (size_t)(nul - p) : cap - 1;
			memcpy(buf, p, got);
			buf[got] = '\0';
			return 0;
		}
	}
	while (got < cap - 1) {
		uint64_t a = (uint64_t)rva + got;
		size_t n = 4096 - (size_t)((pe->base + a) & 4095), i;

		if (a >= pe->size)
			return plib_error(errbuf, MF_ERR_FORMAT, "PE image at 0x%llx: string at rva 0x%x runs past its end",
			                  (unsigned long long)pe->base, rva);
		if (n > cap - 1 - got)
			n = cap - 1 - got;
		if (n > pe->size - a)
			n = (size_t)(pe->size - a);
		if ((r = pe->read(pe->ctx, pe->base + a, buf + got, n)) < 0)
			return pe_read_err(errbuf, r, "string", pe->base + a);
		for (i = 0; i < n; i++)
			if (buf[got + i] == '\0')
				return 0;
		got += n;
	}
	buf[cap - 1] = '\0';
	return 0;
}

/* ---- exports ---------------------------------------------------------------------------- */

void
pe_exports_free(struct pe_exports *ex)
{
	free(ex->blk);
	free(ex->funcs);
	free(ex->name_rvas);
	free(ex->name_ords);
	memset(ex, 0, sizeof *ex);
}

/* n little-endian words of w bytes at rva into a new array of 32-bit (w 4) or 16-bit (w 2) values. */
static int
pe_read_table(const struct pe_image *pe, const struct pe_exports *ex, uint32_t rva, uint32_t n, unsigned w,
              void **out, char *errbuf)
{
	uint8_t *raw;
	uint32_t i;
	int r;

	*out = NULL;
	if (n == 0)
		return 0;
	if ((raw = malloc((size_t)n * w)) == NULL)
		return plib_error(errbuf, MF_ERR_NOMEM, "out of memory");
	if (rva >= ex->dir_rva && rva - ex->dir_rva <= ex->blk_len && (uint64_t)n * w <= ex->blk_len - (rva - ex->dir_rva))
		memcpy(raw, ex->blk + (rva - ex->dir_rva), (size_t)n * w);
	else if ((r = pe_read_rva(pe, rva, raw, (size_t)n * w, errbuf)) < 0) {
		free(raw);
		return r;
	}
	for (i = 0; i < n; i++) {
		if (w == 4)
			((uint32_t *)(void *)raw)[i] = get_le32(raw + 4 * i);
		else
			((uint16_t *)(void *)raw)[i] = get_le16(raw + 2 * i);
	}
	*out = raw;
	return 0;
}

int
pe_exports_load(const struct pe_image *pe, struct pe_exports *ex, char *errbuf)
{
	uint8_t d[40];
	uint32_t funcs_rva, names_rva, ords_rva;
	int r;

	memset(ex, 0, sizeof *ex);
	if (pe->ndirs <= PE_DIR_EXPORT || pe->dir[PE_DIR_EXPORT].rva == 0)
		return 0;
	ex->dir_rva = pe->dir[PE_DIR_EXPORT].rva;
	ex->dir_size = pe->dir[PE_DIR_EXPORT].size;
	if (ex->dir_rva >= pe->size || ex->dir_size > pe->size - ex->dir_rva || ex->dir_size < sizeof d)
		return plib_error(errbuf, MF_ERR_FORMAT,
		                  "PE image at 0x%llx: export directory 0x%x+0x%x is outside its size 0x%x",
		                  (unsigned long long)pe->base, ex->dir_rva, ex->dir_size, pe->size);
	ex->blk_len = ex->dir_size < PE_MAX_EXPORT_DIR ? ex->dir_size : PE_MAX_EXPORT_DIR;
	if ((ex->blk = malloc(ex->blk_len)) == NULL)
		return plib_error(errbuf, MF_ERR_NOMEM, "out of memory");
	if ((r = pe_read_rva(pe, ex->dir_rva, ex->blk, ex->blk_len, errbuf)) < 0)
		goto fail;
	memcpy(d, ex->blk, sizeof d);
	ex->ord_base = get_le32(d + 16);
	ex->nfuncs = get_le32(d + 20);
	ex->nnames = get_le32(d + 24);
	funcs_rva = get_le32(d + 28);
	names_rva = get_le32(d + 32);
	ords_rva = get_le32(d + 36);
	if (ex->nfuncs > PE_MAX_EXPORTS || ex->nnames > PE_MAX_EXPORTS) {
		r = plib_error(errbuf, MF_ERR_FORMAT, "PE image at 0x%llx: %u functions, %u names exported (at most %u)",
		               (unsigned long long)pe->base, ex->nfuncs, ex->nnames, PE_MAX_EXPORTS);
		goto fail;
	}
	if ((r = pe_read_str(pe, ex->blk, ex->dir_rva, ex->blk_len, get_le32(d + 12), ex->dll, sizeof ex->dll,
	                     errbuf)) < 0)
		ex->dll[0] = '\0';   /* a nameless directory still exports */
	if ((r = pe_read_table(pe, ex, funcs_rva, ex->nfuncs, 4, (void **)&ex->funcs, errbuf)) < 0 ||
	    (r = pe_read_table(pe, ex, names_rva, ex->nnames, 4, (void **)&ex->name_rvas, errbuf)) < 0 ||
	    (r = pe_read_table(pe, ex, ords_rva, ex->nnames, 2, (void **)&ex->name_ords, errbuf)) < 0)
		goto fail;
	return 0;
fail:
	pe_exports_free(ex);
	return r;
}

/* The export of function index i, its forwarder string (if any) into fwd. */
static void
pe_export_at(const struct pe_exports *ex, uint32_t i, struct pe_export *e, char *fwd)
{
	e->ordinal = ex->ord_base + i;
	e->rva = ex->funcs[i];
	e->forward = NULL;
	if (e->rva >= ex->dir_rva && e->rva - ex->dir_rva < ex->blk_len) {
		const uint8_t *p = ex->blk + (e->rva - ex->dir_rva);
		size_t avail = ex->blk_len - (e->rva - ex->dir_rva), n;
		const uint8_t *nul = memchr(p, 0, avail);

		n = nul != NULL ? (size_t)(nul - p) : avail;
		if (n > PE_MAX_NAME - 1)
			n = PE_MAX_NAME - 1;
		memcpy(fwd, p, n);
		fwd[n] = '\0';
		e->forward = fwd;
	}
}

int
pe_exports_each(const struct pe_image *pe, const struct pe_exports *ex, pe_export_cb cb, void *ctx,
                unsigned *bad, char *errbuf)
{
	char name[PE_MAX_NAME], fwd[PE_MAX_NAME], why[MF_ERRBUF_SIZE];
	uint8_t *named;
	uint32_t i;
	unsigned nbad = 0;
	int r = 0;

	if (ex->nfuncs == 0)
		goto out;
	if ((named = calloc(ex->nfuncs, 1)) == NULL)
		return plib_error(errbuf, MF_ERR_NOMEM, "out of memory");
	for (i = 0; i < ex->nnames && r == 0; i++) {
		struct pe_export e;

		if (ex->name_ords[i] >= ex->nfuncs ||
		    pe_read_str(pe, ex->blk, ex->dir_rva, ex->blk_len, ex->name_rvas[i], name, sizeof name, why) < 0) {
			nbad++;
			continue;
		}
		named[ex->name_ords[i]] = 1;
		pe_export_at(ex, ex->name_ords[i], &e, fwd);
		e.name = name;
		if (e.rva != 0)
			r = cb(ctx, &e);
	}
	for (i = 0; i < ex->nfuncs && r == 0; i++) {
		struct pe_export e;

		if (named[i] || ex->funcs[i] == 0)
			continue;
		pe_export_at(ex, i, &e, fwd);
		e.name = NULL;
		r = cb(ctx, &e);
	}
	free(named);
out:
	if (bad != NULL)
		*bad = nbad;
	(void)errbuf;
	return r;
}

int
pe_export_find(const struct pe_image *pe, const struct pe_exports *ex, const char *name, struct pe_export *out,
               char *namebuf, char *fwdbuf, char *errbuf)
{
	char why[MF_ERRBUF_SIZE];
	uint32_t i;

	/* linear: the names are sorted on a good image, but this one may lie; a name whose
	 * address slot is 0 exports nothing (pe_exports_each leaves it out too) */
	for (i = 0; i < ex->nnames; i++) {
		if (ex->name_ords[i] >= ex->nfuncs || ex->funcs[ex->name_ords[i]] == 0 ||
		    pe_read_str(pe, ex->blk, ex->dir_rva, ex->blk_len, ex->name_rvas[i], namebuf, PE_MAX_NAME, why) < 0 ||
		    strcmp(namebuf, name) != 0)
			continue;
		pe_export_at(ex, ex->name_ords[i], out, fwdbuf);
		out->name = namebuf;
		return 0;
	}
	/* "#N": by ordinal, when no name is "#N" itself */
	if (name[0] == '#') {
		char *end;
		unsigned long o = strtoul(name + 1, &end, 0);

		if (end == name + 1 || *end != '\0' || o < ex->ord_base || o - ex->ord_base >= ex->nfuncs ||
		    ex->funcs[o - ex->ord_base] == 0)
			return plib_error(errbuf, MF_ERR_NOTFOUND, "no export with ordinal %s", name + 1);
		pe_export_at(ex, (uint32_t)(o - ex->ord_base), out, fwdbuf);
		snprintf(namebuf, PE_MAX_NAME, "%s", name);
		out->name = namebuf;
		return 0;
	}
	return plib_error(errbuf, MF_ERR_NOTFOUND, "no export '%s'", name);
}

int
pe_modname_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la == lb)
		return strcasecmp(a, b) == 0;
	if (la + 4 == lb && strchr(a, '.') == NULL)
		return strncasecmp(a, b, la) == 0 && strcasecmp(b + la, ".dll") == 0;
	if (lb + 4 == la && strchr(b, '.') == NULL)
		return strncasecmp(a, b, lb) == 0 && strcasecmp(a + lb, ".dll") == 0;
	return 0;
}

int
pe_resolve(pe_module_find_fn find, void *ctx, const char *module, const char *name, uint64_t *addr,
           char *module_out, char *errbuf)
{
	char mod[PE_MAX_NAME], sym[PE_MAX_NAME], namebuf[PE_MAX_NAME], fwdbuf[PE_MAX_NAME];
	unsigned hop;
	int r;

	snprintf(mod, sizeof mod, "%s", module);
	snprintf(sym, sizeof sym, "%s", name);
	for (hop = 0; hop <= PE_MAX_HOPS; hop++) {
		const struct pe_image *pe;
		const struct pe_exports *ex;
		struct pe_export e;
		const char *dot;

		if ((r = find(ctx, mod, &pe, &ex, errbuf)) < 0)
			return r;
		if ((r = pe_export_find(pe, ex, sym, &e, namebuf, fwdbuf, errbuf)) < 0)
			return plib_error(errbuf, r, "no export '%s' in %s", sym, mod);
		if (e.forward == NULL) {
			*addr = pe->base + e.rva;
			if (module_out != NULL)
				snprintf(module_out, PE_MAX_NAME, "%s", mod);
			return 0;
		}
		/* "MODULE.NAME": the module part ends at the last dot ("api-ms-win-x.y.z.Name" has dots) */
		if ((dot = strrchr(e.forward, '.')) == NULL || dot == e.forward || dot[1] == '\0')
			return plib_error(errbuf, MF_ERR_FORMAT, "%s!%s: bad forwarder '%s'", mod, sym, e.forward);
		snprintf(mod, sizeof mod, "%.*s", (int)(dot - e.forward), e.forward);
		snprintf(sym, sizeof sym, "%s", dot + 1);
	}
	return plib_error(errbuf, MF_ERR_LIMIT, "%s!%s: more than %u forwarder hops (a loop)", module, name,
	                  PE_MAX_HOPS);
}

/* ---- imports ---------------------------------------------------------------------------- */

int
pe_imports_each(const struct pe_image *pe, pe_import_cb cb, void *ctx, char *errbuf)
{
	uint32_t rva, end, n, w = pe->is64 ? 8 : 4;
	char dll[PE_MAX_NAME], name[PE_MAX_NAME];
	int r;

	if (pe->ndirs <= PE_DIR_IMPORT || pe->dir[PE_DIR_IMPORT].rva == 0)
		return 0;
	rva = pe->dir[PE_DIR_IMPORT].rva;
	if (rva >= pe->size)
		return plib_error(errbuf, MF_ERR_FORMAT, "PE image at 0x%llx: import directory at 0x%x is outside its size",
		                  (unsigned long long)pe->base, rva);
	end = pe->size;
	for (n = 0; n < PE_MAX_IMPORT_DLLS && rva <= end - 20; n++, rva += 20) {
		uint8_t d[20], t[8];
		uint32_t ilt, iat, k;

		if ((r = pe_read_rva(pe, rva, d, sizeof d, errbuf)) < 0)
			return r;
		ilt = get_le32(d);
		iat = get_le32(d + 16);
		if (get_le32(d + 12) == 0 && iat == 0)
			return 0;   /* the terminating descriptor */
		if ((r = pe_read_str(pe, NULL, 0, 0, get_le32(d + 12), dll, sizeof dll, errbuf)) < 0)
			return r;
		if (ilt == 0)
			ilt = iat;
		for (k = 0; k < PE_MAX_IMPORTS; k++) {
			struct pe_import im = { .dll = dll };
			uint64_t th, slot;
			uint8_t hint[2];

			if ((r = pe_read_rva(pe, ilt + k * w, t, w, errbuf)) < 0)
				return r;
			th = w == 8 ? get_le64(t) : get_le32(t);
			if (th == 0)
				break;
			if ((r = pe_read_rva(pe, iat + k * w, t, w, errbuf)) < 0)
				return r;
			slot = w == 8 ? get_le64(t) : get_le32(t);
			im.iat = pe->base + iat + (uint64_t)k * w;
			im.value = slot;
			if (th >> (w * 8 - 1)) {
				im.ordinal = (uint32_t)(th & 0xffff);
			} else {
				if (th > UINT32_MAX - 2 || (r = pe_read_rva(pe, (uint32_t)th, hint, 2, errbuf)) < 0 ||
				    (r = pe_read_str(pe, NULL, 0, 0, (uint32_t)th + 2, name, sizeof name, errbuf)) < 0)
					return r < 0 ? r : plib_error(errbuf, MF_ERR_FORMAT, "bad import name");
				im.ordinal = get_le16(hint);
				im.name = name;
			}
			if ((r = cb(ctx, &im)) != 0)
				return r;
		}
		if (k == PE_MAX_IMPORTS)
			return plib_error(errbuf, MF_ERR_LIMIT, "PE image at 0x%llx: more than %u imports from %s",
			                  (unsigned long long)pe->base, PE_MAX_IMPORTS, dll);
	}
	if (n == PE_MAX_IMPORT_DLLS)
		return plib_error(errbuf, MF_ERR_LIMIT, "PE image at 0x%llx: more than %u imported DLLs",
		                  (unsigned long long)pe->base, PE_MAX_IMPORT_DLLS);
	return plib_error(errbuf, MF_ERR_FORMAT, "PE image at 0x%llx: import directory runs past its end",
	                  (unsigned long long)pe->base);
}

/* ---- the debug directory: CodeView RSDS ------------------------------------------------- */

int
pe_rsds(const struct pe_image *pe, struct pe_rsds *out, char *errbuf)
{
	uint32_t rva, size, i;
	int r;

	memset(out, 0, sizeof *out);
	if (pe->ndirs <= PE_DIR_DEBUG || pe->dir[PE_DIR_DEBUG].rva == 0)
		return plib_error(errbuf, MF_ERR_NOTFOUND, "no debug directory");
	rva = pe->dir[PE_DIR_DEBUG].rva;
	size = pe->dir[PE_DIR_DEBUG].size;
	for (i = 0; i < size / 28 && i < 64; i++) {
		uint8_t d[28], cv[24];
		uint32_t data_rva, data_size;

		if ((r = pe_read_rva(pe, rva + i * 28, d, sizeof d, errbuf)) < 0)
			return r;
		if (get_le32(d + 12) != 2)   /* IMAGE_DEBUG_TYPE_CODEVIEW */
			continue;
		data_size = get_le32(d + 16);
		data_rva = get_le32(d + 20);
		if (data_rva == 0 || data_size < sizeof cv + 1)
			continue;
		if ((r = pe_read_rva(pe, data_rva, cv, sizeof cv, errbuf)) < 0)
			return r;
		if (memcmp(cv, "RSDS", 4) != 0)
			continue;
		memcpy(out->guid, cv + 4, 16);
		out->age = get_le32(cv + 20);
		if (data_rva > UINT32_MAX - sizeof cv)
			return plib_error(errbuf, MF_ERR_FORMAT, "bad CodeView record");
		return pe_read_str(pe, NULL, 0, 0, data_rva + (uint32_t)sizeof cv, out->pdb,
		                   data_size - sizeof cv < sizeof out->pdb ? data_size - sizeof cv + 1 : sizeof out->pdb,
		                   errbuf);
	}
	return plib_error(errbuf, MF_ERR_NOTFOUND, "no CodeView (RSDS) debug record");
}

void
pe_rsds_key(const struct pe_rsds *r, char *buf, size_t cap)
{
	const uint8_t *g = r->guid;

	snprintf(buf, cap, "%08X%04X%04X%02X%02X%02X%02X%02X%02X%02X%02X%X", get_le32(g), get_le16(g + 4),
	         get_le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15], r->age);
}
