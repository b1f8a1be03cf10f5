/* pe-dump: print what pluginlib/pe.c reads of a PE file, mapped the way a loader maps it
 * (headers, then each section's raw data at its RVA), for tests/wine.bats to hold against
 * objdump and llvm-readobj:
 *   image MACHINE SIZE ENTRY NSECTIONS
 *   section NAME RVA VSIZE
 *   export NAME ORDINAL 0xRVA | forward NAME ORDINAL TARGET   (NAME #N when by ordinal)
 *   import DLL NAME HINT | import DLL #ORDINAL
 *   rsds PDB_ID PDBNAME
 * Usage: pe-dump FILE.  Exit 1 with one line on stderr when it is not a PE file. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mftools/plugin.h>

#include "pluginlib/bytes.h"
#include "pluginlib/pe.h"

#define BASE 0x140000000ull

struct img {
	uint8_t *b;
	size_t len;
};

static int
img_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct img *m = ctx;

	if (addr < BASE || addr - BASE > m->len || len > m->len - (addr - BASE))
		return MF_ERR_NOTMAPPED;
	memcpy(buf, m->b + (addr - BASE), len);
	return 0;
}

static int
export_cb(void *ctx, const struct pe_export *e)
{
	char ord[24];

	(void)ctx;
	snprintf(ord, sizeof ord, "#%u", e->ordinal);
	if (e->forward != NULL)
		printf("forward %s %u %s\n", e->name ? e->name : ord, e->ordinal, e->forward);
	else
		printf("export %s %u 0x%x\n", e->name ? e->name : ord, e->ordinal, e->rva);
	return 0;
}

static int
import_cb(void *ctx, const struct pe_import *im)
{
	(void)ctx;
	if (im->name != NULL)
		printf("import %s %s %u\n", im->dll, im->name, im->ordinal);
	else
		printf("import %s #%u\n", im->dll, im->ordinal);
	return 0;
}

/* The file mapped at BASE as a loader maps it: 0, or -1 with err set. */
static int
map_file(const uint8_t *file, size_t fsz, struct pe_image *pe, struct img *m, char *err)
{
	size_t i;

	m->b = (uint8_t *)file;
	m->len = fsz < 4096 ? fsz : 4096;
	if (pe_open(pe, BASE, img_read, m, err) < 0)
		return -1;
	m->len = pe->size;
	if ((m->b = calloc(1, m->len)) == NULL) {
		snprintf(err, MF_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	memcpy(m->b, file, fsz < 4096 ? fsz : 4096);
	for (i = 0; i < pe->nsections; i++) {
		const struct pe_section *s = &pe->sec[i];
		size_t n = s->raw_size < s->vsize || s->vsize == 0 ? s->raw_size : s->vsize;

		if (s->raw_off < fsz && n <= fsz - s->raw_off && s->rva <= m->len && n <= m->len - s->rva)
			memcpy(m->b + s->rva, file + s->raw_off, n);
	}
	return pe_open(pe, BASE, img_read, m, err) < 0 ? -1 : 0;
}

static int
dump(struct pe_image *pe, char *err)
{
	struct pe_exports ex;
	struct pe_rsds rs;
	char key[48];
	size_t i;
	int r;

	printf("image 0x%x 0x%x 0x%x %u\n", pe->machine, pe->size, pe->entry, pe->nsections);
	for (i = 0; i < pe->nsections; i++)
		printf("section %s 0x%x 0x%x\n", pe->sec[i].name, pe->sec[i].rva, pe->sec[i].vsize);
	if (pe_exports_load(pe, &ex, err) < 0)
		return -1;
	r = pe_exports_each(pe, &ex, export_cb, NULL, NULL, err);
	pe_exports_free(&ex);
	if (r < 0 || pe_imports_each(pe, import_cb, NULL, err) < 0)
		return -1;
	if (pe_rsds(pe, &rs, err) == 0) {
		pe_rsds_key(&rs, key, sizeof key);
		printf("rsds %s %s\n", key, rs.pdb);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct img m = { 0 };
	struct pe_image *pe = calloc(1, sizeof *pe);
	uint8_t *file = NULL;
	char err[MF_ERRBUF_SIZE] = "";
	long fsz = -1;
	int rc = 1;
	FILE *f;

	if (argc != 2 || pe == NULL || (f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: pe-dump FILE\n");
		free(pe);
		return 2;
	}
	if (fseek(f, 0, SEEK_END) == 0)
		fsz = ftell(f);
	rewind(f);
	if (fsz < 0x400 || (file = malloc((size_t)fsz)) == NULL || fread(file, 1, (size_t)fsz, f) != (size_t)fsz)
		snprintf(err, sizeof err, "cannot read %s", argv[1]);
	else if (map_file(file, (size_t)fsz, pe, &m, err) == 0 && dump(pe, err) == 0)
		rc = 0;
	if (rc != 0)
		fprintf(stderr, "pe-dump: %s\n", err);
	fclose(f);
	if (m.b != file)
		free(m.b);
	free(file);
	free(pe);
	return rc;
}
