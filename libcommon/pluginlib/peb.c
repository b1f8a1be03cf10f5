/* peb.c: the PEB, its process parameters and the loader's module lists (see peb.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <mftools/plugin.h>

#include "pluginlib/bytes.h"
#include "pluginlib/error.h"
#include "pluginlib/peb.h"

/* The public layouts (x64 / x86), as Windows and Wine 8 have them. */
struct peb_layout {
	unsigned ptr;                            /* pointer size */
	unsigned image_base, ldr, params;        /* PEB */
	unsigned lists[3];                       /* PEB_LDR_DATA: load, memory, init order heads */
	unsigned links[3];                       /* LDR_DATA_TABLE_ENTRY: the same lists' links */
	unsigned dll_base, entry_point, size_of_image, full_name, base_name;
	unsigned cwd, image_path, cmdline, env, env_size;   /* RTL_USER_PROCESS_PARAMETERS */
	unsigned ustr_buf;                       /* UNICODE_STRING.Buffer */
};

static const struct peb_layout peb_x64 = {
	8, 0x10, 0x18, 0x20, { 0x10, 0x20, 0x30 }, { 0x00, 0x10, 0x20 },
	0x30, 0x38, 0x40, 0x48, 0x58, 0x38, 0x60, 0x70, 0x80, 0x3f0, 8,
};
static const struct peb_layout peb_x86 = {
	4, 0x08, 0x0c, 0x10, { 0x0c, 0x14, 0x1c }, { 0x00, 0x08, 0x10 },
	0x18, 0x1c, 0x20, 0x24, 0x2c, 0x24, 0x38, 0x40, 0x48, 0x290, 4,
};

static uint64_t
peb_ptr(const struct peb_layout *l, const uint8_t *p)
{
	return l->ptr == 8 ? get_le64(p) : get_le32(p);
}

static int
peb_rd(pe_read_fn read, void *ctx, uint64_t addr, void *buf, size_t len, const char *what, char *errbuf)
{
	int r = read(ctx, addr, buf, len);

	if (r < 0)
		return plib_error(errbuf, r, "cannot read the %s at 0x%llx", what, (unsigned long long)addr);
	return 0;
}

static void
peb_put_utf8(char *o, size_t *k, uint32_t c)
{
	if (c < 0x80) {
		o[(*k)++] = (char)c;
	} else if (c < 0x800) {
		o[(*k)++] = (char)(0xc0 | c >> 6);
		o[(*k)++] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		o[(*k)++] = (char)(0xe0 | c >> 12);
		o[(*k)++] = (char)(0x80 | (c >> 6 & 0x3f));
		o[(*k)++] = (char)(0x80 | (c & 0x3f));
	} else {
		o[(*k)++] = (char)(0xf0 | c >> 18);
		o[(*k)++] = (char)(0x80 | (c >> 12 & 0x3f));
		o[(*k)++] = (char)(0x80 | (c >> 6 & 0x3f));
		o[(*k)++] = (char)(0x80 | (c & 0x3f));
	}
}

char *
peb_utf16_to_utf8(const uint8_t *s, size_t n, size_t *outlen)
{
	size_t i, k = 0, units = n / 2;
	char *o = malloc(units * 3 + 1);   /* a unit makes at most 3 bytes; a pair 4 for 2 units */

	if (o == NULL)
		return NULL;
	for (i = 0; i < units; i++) {
		uint32_t c = get_le16(s + 2 * i);

		if (c >= 0xd800 && c < 0xdc00 && i + 1 < units) {
			uint32_t lo = get_le16(s + 2 * i + 2);

			if (lo >= 0xdc00 && lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			} else {
				c = 0xfffd;
			}
		} else if (c >= 0xd800 && c < 0xe000) {
			c = 0xfffd;
		}
		peb_put_utf8(o, &k, c);
	}
	o[k] = '\0';
	if (outlen != NULL)
		*outlen = k;
	return o;
}

static int
peb_ustring_l(const struct peb_layout *l, uint64_t addr, pe_read_fn read, void *ctx, char **out, char *errbuf)
{
	uint8_t us[16], *buf;
	uint16_t len;
	uint64_t p;
	int r;

	*out = NULL;
	if ((r = peb_rd(read, ctx, addr, us, l->ustr_buf + l->ptr, "UNICODE_STRING", errbuf)) < 0)
		return r;
	len = get_le16(us) & (uint16_t)~1u;   /* bytes; at most 65534 by its type */
	p = peb_ptr(l, us + l->ustr_buf);
	if (len == 0 || p == 0) {
		*out = strdup("");
		return *out == NULL ? plib_error(errbuf, MF_ERR_NOMEM, "out of memory") : 0;
	}
	if ((buf = malloc(len)) == NULL)
		return plib_error(errbuf, MF_ERR_NOMEM, "out of memory");
	if ((r = peb_rd(read, ctx, p, buf, len, "string", errbuf)) == 0 &&
	    (*out = peb_utf16_to_utf8(buf, len, NULL)) == NULL)
		r = plib_error(errbuf, MF_ERR_NOMEM, "out of memory");
	free(buf);
	return r;
}

int
peb_ustring(uint64_t addr, int is64, pe_read_fn read, void *ctx, char **out, char *errbuf)
{
	return peb_ustring_l(is64 ? &peb_x64 : &peb_x86, addr, read, ctx, out, errbuf);
}

void
peb_info_free(struct peb_info *p)
{
	free(p->image_path);
	free(p->cmdline);
	free(p->cwd);
	free(p->env);
	memset(p, 0, sizeof *p);
}

/* Where the environment block in b[0, got) ends: the byte length of its strings (each
 * with its NUL) before the empty string that ends it, scanning from *pos on; or
 * (size_t)-1 when the end is not in it yet. */
static size_t
peb_env_end(const uint8_t *b, size_t got, size_t *pos)
{
	size_t i = *pos;

	if (i == 0 && got >= 2 && get_le16(b) == 0)
		return 0;
	for (i = i < 2 ? 2 : i; i + 1 < got; i += 2)
		if (get_le16(b + i) == 0 && get_le16(b + i - 2) == 0)
			return i;
	*pos = i;
	return (size_t)-1;
}

/* The environment block: UTF-16 strings ending at an empty one.  EnvironmentSize when it
 * is believable, else page by page up to its end (or PEB_MAX_ENV). */
static void
peb_env(const struct peb_layout *l, const uint8_t *pp, pe_read_fn read, void *ctx, struct peb_info *out)
{
	uint64_t env = peb_ptr(l, pp + l->env), size = 0;
	uint8_t *buf, sz[8];
	size_t got = 0, pos = 0, end = (size_t)-1;

	if (env == 0 || (buf = malloc(PEB_MAX_ENV)) == NULL)
		return;
	/* EnvironmentSize (Vista and later; Wine too) sits past the fields older ones have */
	if (read(ctx, out->params + l->env_size, sz, l->ptr) == 0)
		size = peb_ptr(l, sz);
	if (size >= 2 && size <= PEB_MAX_ENV && read(ctx, env, buf, (size_t)size) == 0) {
		got = (size_t)size & ~(size_t)1;
		end = peb_env_end(buf, got, &pos);
	} else {
		while (got < PEB_MAX_ENV && end == (size_t)-1) {
			size_t n = 4096 - (size_t)((env + got) & 4095);

			if (n > PEB_MAX_ENV - got)
				n = PEB_MAX_ENV - got;
			if (read(ctx, env + got, buf + got, n) < 0)
				break;
			got += n;
			end = peb_env_end(buf, got & ~(size_t)1, &pos);
		}
	}
	if (end != (size_t)-1)
		got = end;
	out->env = peb_utf16_to_utf8(buf, got & ~(size_t)1, &out->env_len);
	free(buf);
	if (out->env == NULL)
		out->env_len = 0;
}

int
peb_read(uint64_t peb, int is64, pe_read_fn read, void *ctx, struct peb_info *out, char *errbuf)
{
	const struct peb_layout *l = is64 ? &peb_x64 : &peb_x86;
	uint8_t h[0x30], pp[0x90];
	char why[MF_ERRBUF_SIZE];
	int r;

	memset(out, 0, sizeof *out);
	out->peb = peb;
	out->is64 = is64;
	if ((r = peb_rd(read, ctx, peb, h, l->params + l->ptr, "PEB", errbuf)) < 0)
		return r;
	out->image_base = peb_ptr(l, h + l->image_base);
	out->ldr = peb_ptr(l, h + l->ldr);
	out->params = peb_ptr(l, h + l->params);
	if (out->params != 0 && peb_rd(read, ctx, out->params, pp, l->env + l->ptr, "parameters", why) == 0) {
		peb_ustring_l(l, out->params + l->image_path, read, ctx, &out->image_path, why);
		peb_ustring_l(l, out->params + l->cmdline, read, ctx, &out->cmdline, why);
		peb_ustring_l(l, out->params + l->cwd, read, ctx, &out->cwd, why);
		peb_env(l, pp, read, ctx, out);
	}
	if ((out->image_path == NULL && (out->image_path = strdup("")) == NULL) ||
	    (out->cmdline == NULL && (out->cmdline = strdup("")) == NULL) ||
	    (out->cwd == NULL && (out->cwd = strdup("")) == NULL)) {
		peb_info_free(out);
		return plib_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	return 0;
}

/* ---- the loader lists --------------------------------------------------------------- */

#define PEB_SEEN_CAP (2 * PEB_MAX_MODULES)

static int
peb_seen(uint64_t *set, uint64_t a)
{
	size_t i = (size_t)((a >> 4) * 0x9e3779b97f4a7c15ull >> 51) & (PEB_SEEN_CAP - 1);

	while (set[i] != 0) {
		if (set[i] == a)
			return 1;
		i = (i + 1) & (PEB_SEEN_CAP - 1);
	}
	set[i] = a;
	return 0;
}

int
peb_modules(uint64_t ldr, int is64, enum peb_list list, pe_read_fn read, void *ctx, peb_module_cb cb, void *cbctx,
            char *errbuf)
{
	const struct peb_layout *l = is64 ? &peb_x64 : &peb_x86;
	uint64_t head, link, *seen;
	uint8_t e[0x68], p[8];
	unsigned n;
	int r = 0;

	if (ldr == 0 || (unsigned)list > 2)
		return plib_error(errbuf, MF_ERR_ARG, "no loader data");
	head = ldr + l->lists[list];
	if ((r = peb_rd(read, ctx, head, p, l->ptr, "loader list head", errbuf)) < 0)
		return r;
	link = peb_ptr(l, p);
	if ((seen = calloc(PEB_SEEN_CAP, sizeof *seen)) == NULL)
		return plib_error(errbuf, MF_ERR_NOMEM, "out of memory");
	for (n = 0; link != head; n++) {
		struct peb_module m;
		char *path = NULL, *name = NULL;
		uint64_t ent;

		if (n == PEB_MAX_MODULES) {
			r = plib_error(errbuf, MF_ERR_LIMIT, "the loader list at 0x%llx has more than %u entries",
			               (unsigned long long)head, PEB_MAX_MODULES);
			break;
		}
		if (link == 0 || link < l->links[list]) {
			r = plib_error(errbuf, MF_ERR_FORMAT, "the loader list at 0x%llx has a null link",
			               (unsigned long long)head);
			break;
		}
		if (peb_seen(seen, link)) {
			r = plib_error(errbuf, MF_ERR_LIMIT, "the loader list at 0x%llx loops at 0x%llx",
			               (unsigned long long)head, (unsigned long long)link);
			break;
		}
		ent = link - l->links[list];
		if ((r = peb_rd(read, ctx, ent, e, l->base_name + l->ustr_buf + l->ptr, "loader entry", errbuf)) < 0)
			break;
		memset(&m, 0, sizeof m);
		m.entry = ent;
		m.base = peb_ptr(l, e + l->dll_base);
		m.entry_point = peb_ptr(l, e + l->entry_point);
		m.size = get_le32(e + l->size_of_image);
		if ((r = peb_ustring_l(l, ent + l->full_name, read, ctx, &path, errbuf)) < 0 ||
		    (r = peb_ustring_l(l, ent + l->base_name, read, ctx, &name, errbuf)) < 0) {
			free(path);
			break;
		}
		m.path = path;
		m.name = name;
		r = cb(cbctx, &m);
		free(path);
		free(name);
		if (r != 0)
			break;
		link = peb_ptr(l, e + l->links[list]);
	}
	free(seen);
	return r;
}
