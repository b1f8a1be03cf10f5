/* fuzz-pe.c: libFuzzer target for the PE reader and the PEB/LDR walk (pluginlib/pe.c,
 * peb.c), the parsers of images and loader structures read out of process or guest
 * memory.  Input: a flags byte (each bit an unreadable 4 KiB page among the first eight),
 * then the bytes of memory from BASE on.  The bytes are read as a PE image at BASE
 * (headers, exports, every name looked up again, forwarders resolved with every module
 * name meaning this image, so loops must end; imports; RSDS) and as a PEB at BASE + 0x800
 * in the x64 and the x86 layout (parameters, all three loader lists).  Reads outside the
 * input fail, as unmapped memory does. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <mftools/plugin.h>

#include "pluginlib/pe.h"
#include "pluginlib/peb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BASE 0x10000000ull

struct fz_mem {
	const uint8_t *b;
	size_t len;
	unsigned bad;
};

static int
fz_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct fz_mem *m = ctx;
	uint64_t off = addr - BASE, p;

	if (addr < BASE || off > m->len || len > m->len - off)
		return MF_ERR_NOTMAPPED;
	for (p = off / 4096; len > 0 && p <= (off + len - 1) / 4096 && p < 8; p++)
		if (m->bad & (1u << p))
			return MF_ERR_NOTMAPPED;
	memcpy(buf, m->b + off, len);
	return 0;
}

struct fz_img {
	struct pe_image pe;
	struct pe_exports ex;
};

static int
fz_find(void *ctx, const char *module, const struct pe_image **pe, const struct pe_exports **ex, char *errbuf)
{
	struct fz_img *im = ctx;

	(void)module;
	(void)errbuf;
	*pe = &im->pe;
	*ex = &im->ex;
	return 0;
}

struct fz_each {
	struct fz_img *im;
	unsigned n;
};

static int
fz_export_cb(void *ctx, const struct pe_export *e)
{
	struct fz_each *f = ctx;
	char nb[PE_MAX_NAME], fb[PE_MAX_NAME], err[MF_ERRBUF_SIZE], mod[PE_MAX_NAME];
	struct pe_export g;
	uint64_t a;

	if (e->rva == 0 && e->forward == NULL)
		abort();   /* empty slots are not exports */
	if (e->forward != NULL && strlen(e->forward) >= PE_MAX_NAME)
		abort();
	if (e->name != NULL && f->n++ < 8) {
		/* a listed name is found again (the first of equal names: the same or another) */
		if (pe_export_find(&f->im->pe, &f->im->ex, e->name, &g, nb, fb, err) != 0 || strcmp(g.name, e->name) != 0)
			abort();
		if (pe_resolve(fz_find, f->im, "self", e->name, &a, mod, err) < 0 && err[0] == '\0')
			abort();   /* a failure says why */
	}
	return 0;
}

static int
fz_import_cb(void *ctx, const struct pe_import *im)
{
	(void)ctx;
	if (im->dll == NULL || (im->name != NULL && strlen(im->name) >= PE_MAX_NAME))
		abort();
	return 0;
}

static int
fz_module_cb(void *ctx, const struct peb_module *m)
{
	unsigned *n = ctx;

	if (m->path == NULL || m->name == NULL || ++*n > PEB_MAX_MODULES)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_mem m;
	struct fz_img *im;
	struct fz_each f = { 0 };
	struct pe_rsds rs;
	struct peb_info info;
	char err[MF_ERRBUF_SIZE], key[48];
	unsigned bad, n;
	int is64, l;

	if (size < 1)
		return 0;
	m.bad = data[0];
	m.b = data + 1;
	m.len = size - 1;
	if ((im = calloc(1, sizeof *im)) == NULL)
		return 0;
	f.im = im;
	if (pe_open(&im->pe, BASE, fz_read, &m, err) == 0) {
		if (im->pe.size > PE_MAX_IMAGE || im->pe.nsections > PE_MAX_SECTIONS || im->pe.ndirs > PE_NDIRS)
			abort();
		if (pe_exports_load(&im->pe, &im->ex, err) == 0) {
			pe_exports_each(&im->pe, &im->ex, fz_export_cb, &f, &bad, err);
			pe_resolve(fz_find, im, "self", "#1", &(uint64_t){ 0 }, NULL, err);
			pe_exports_free(&im->ex);
		} else if (err[0] == '\0') {
			abort();
		}
		pe_imports_each(&im->pe, fz_import_cb, NULL, err);
		if (pe_rsds(&im->pe, &rs, err) == 0)
			pe_rsds_key(&rs, key, sizeof key);
	} else if (err[0] == '\0') {
		abort();
	}
	free(im);
	for (is64 = 0; is64 <= 1; is64++) {
		if (peb_read(BASE + 0x800, is64, fz_read, &m, &info, err) < 0)
			continue;
		if (info.image_path == NULL || info.cmdline == NULL || info.cwd == NULL || info.env_len > 3 * PEB_MAX_ENV)
			abort();
		for (l = 0; l < 3; l++) {
			n = 0;
			peb_modules(info.ldr, is64, (enum peb_list)l, fz_read, &m, fz_module_cb, &n, err);
		}
		peb_info_free(&info);
	}
	return 0;
}
