/* test-pluginlib-pe.c: PE images and the PEB/LDR walk (pluginlib/pe.c, peb.c) over
 * images crafted in memory: headers, sections, exports by name and ordinal, forwarders
 * followed across modules, imports, the RSDS record; then lying images (an export
 * directory past the image, wild name RVAs, absurd counts, a forwarder loop, unreadable
 * pages) and loader lists (x64 and x86, a cyclic one, a null link): right answers or
 * bounded errors. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <mftools/plugin.h>

#include "pluginlib/bytes.h"
#include "pluginlib/pe.h"
#include "pluginlib/peb.h"
#include "tap.h"

/* ---- a little address space: regions with unreadable pages ---- */
#define MEM_REGIONS 4
struct mem {
	struct {
		uint64_t base;
		uint8_t *b;
		size_t len;
		uint8_t bad[64];   /* 1 = page unreadable */
	} r[MEM_REGIONS];
	unsigned n, reads;
};

static int
mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct mem *m = ctx;
	unsigned i;

	m->reads++;
	for (i = 0; i < m->n; i++) {
		uint64_t off = addr - m->r[i].base, p;

		if (addr < m->r[i].base || off >= m->r[i].len || len > m->r[i].len - off)
			continue;
		for (p = off / 4096; p <= (off + len - 1) / 4096; p++)
			if (p < 64 && m->r[i].bad[p])
				return MF_ERR_NOTMAPPED;
		memcpy(buf, m->r[i].b + off, len);
		return 0;
	}
	return MF_ERR_NOTMAPPED;
}

static uint8_t *
mem_add(struct mem *m, uint64_t base, size_t len)
{
	uint8_t *b = calloc(1, len);

	m->r[m->n].base = base;
	m->r[m->n].b = b;
	m->r[m->n].len = len;
	memset(m->r[m->n].bad, 0, sizeof m->r[m->n].bad);
	m->n++;
	return b;
}

static void
mem_free(struct mem *m)
{
	unsigned i;

	for (i = 0; i < m->n; i++)
		free(m->r[i].b);
	memset(m, 0, sizeof *m);
}

/* ---- a PE32+ image builder ---- */
#define IMG_SIZE 0x6000u

struct exp_spec {
	const char *dll;
	unsigned n;
	const char *names[6];          /* NULL: by ordinal only */
	uint32_t rvas[6];              /* 0: a forwarder, from fwd[] */
	const char *fwd[6];
};

/* headers, one section, an export directory at 0x1000 (names and forwarder strings in
 * it), a debug directory with RSDS at 0x2000, an import directory at 0x2800 */
static void
img_build(uint8_t *b, const struct exp_spec *es)
{
	uint32_t lf = 0x80, opt = lf + 24, d = 0x1000, funcs = d + 40, names = funcs + 4 * 6, ords = names + 4 * 6;
	uint32_t str = ords + 2 * 6, i, k;

	memset(b, 0, IMG_SIZE);
	b[0] = 'M';
	b[1] = 'Z';
	put_le32(b + 0x3c, lf);
	memcpy(b + lf, "PE\0\0", 4);
	put_le16(b + lf + 4, 0x8664);
	put_le16(b + lf + 6, 1);
	put_le32(b + lf + 8, 0x5f000000);
	put_le16(b + lf + 20, 0xf0);
	put_le16(b + lf + 22, 0x2022);
	put_le16(b + opt, 0x20b);
	put_le32(b + opt + 16, 0x3000);            /* entry */
	put_le64(b + opt + 24, 0x180000000ull);    /* ImageBase */
	put_le32(b + opt + 56, IMG_SIZE);
	put_le32(b + opt + 60, 0x400);
	put_le32(b + opt + 108, 16);
	put_le32(b + opt + 112, d);                /* export */
	put_le32(b + opt + 116, 0x800);
	put_le32(b + opt + 120, 0x2800);           /* import */
	put_le32(b + opt + 124, 40);
	put_le32(b + opt + 112 + 6 * 8, 0x2000);   /* debug */
	put_le32(b + opt + 112 + 6 * 8 + 4, 28);
	memcpy(b + opt + 0xf0, ".text\0\0\0", 8);
	put_le32(b + opt + 0xf0 + 8, 0x3000);
	put_le32(b + opt + 0xf0 + 12, 0x3000);
	put_le32(b + opt + 0xf0 + 36, 0x60000020);
	/* exports */
	put_le32(b + d + 12, str);
	k = (uint32_t)strlen(es->dll) + 1;
	memcpy(b + str, es->dll, k);
	str += k;
	put_le32(b + d + 16, 1);                   /* ordinal base */
	put_le32(b + d + 20, es->n);
	put_le32(b + d + 28, funcs);
	put_le32(b + d + 32, names);
	put_le32(b + d + 36, ords);
	for (i = 0, k = 0; i < es->n; i++) {
		if (es->rvas[i] != 0) {
			put_le32(b + funcs + 4 * i, es->rvas[i]);
		} else if (es->fwd[i] == NULL) {
			put_le32(b + funcs + 4 * i, 0);   /* an empty slot that still has a name */
		} else {
			put_le32(b + funcs + 4 * i, str);
			memcpy(b + str, es->fwd[i], strlen(es->fwd[i]) + 1);
			str += (uint32_t)strlen(es->fwd[i]) + 1;
		}
		if (es->names[i] != NULL) {
			put_le32(b + names + 4 * k, str);
			put_le16(b + ords + 2 * k, (uint16_t)i);
			memcpy(b + str, es->names[i], strlen(es->names[i]) + 1);
			str += (uint32_t)strlen(es->names[i]) + 1;
			k++;
		}
	}
	put_le32(b + d + 24, k);
	/* debug: one CODEVIEW entry */
	put_le32(b + 0x2000 + 12, 2);
	put_le32(b + 0x2000 + 16, 24 + 9);
	put_le32(b + 0x2000 + 20, 0x2100);
	memcpy(b + 0x2100, "RSDS", 4);
	for (i = 0; i < 16; i++)
		b[0x2104 + i] = (uint8_t)(0x10 + i);
	put_le32(b + 0x2114, 3);
	memcpy(b + 0x2118, "test.pdb", 9);
	/* imports: other.dll: Target by name (hint 7), ordinal 5 */
	put_le32(b + 0x2800, 0x2900);              /* ILT */
	put_le32(b + 0x2800 + 12, 0x2a00);         /* name */
	put_le32(b + 0x2800 + 16, 0x2980);         /* IAT */
	memcpy(b + 0x2a00, "other.dll", 10);
	put_le64(b + 0x2900, 0x2a20);
	put_le64(b + 0x2908, 0x8000000000000005ull);
	put_le64(b + 0x2980, 0x7777);
	put_le64(b + 0x2988, 0x8888);
	put_le16(b + 0x2a20, 7);
	memcpy(b + 0x2a22, "Target", 7);
}

static const struct exp_spec spec_test = {
	"test.dll", 6,
	{ "Alpha", "Beta", "Fwd", NULL, "Loop2", "Hole" },
	{ 0x3000, 0x3010, 0, 0x3020, 0, 0 },
	{ NULL, NULL, "OTHER.Target", NULL, "OTHER.Loop", NULL },
};
static const struct exp_spec spec_other = {
	"other.dll", 3,
	{ "Target", "Loop", "ByOrd" },
	{ 0x3100, 0, 0 },
	{ NULL, "test.Loop2", "test.#4" },
};

#define BASE_TEST 0x180000000ull
#define BASE_OTHER 0x7b000000ull

struct two {
	struct pe_image pe[2];
	struct pe_exports ex[2];
	const char *names[2];
};

static int
two_find(void *ctx, const char *module, const struct pe_image **pe, const struct pe_exports **ex, char *errbuf)
{
	struct two *t = ctx;
	int i;

	for (i = 0; i < 2; i++)
		if (pe_modname_eq(t->names[i], module)) {
			*pe = &t->pe[i];
			*ex = &t->ex[i];
			return 0;
		}
	(void)errbuf;
	return MF_ERR_NOTFOUND;
}

struct seen {
	unsigned n, fwd, byord;
	char names[8][32];
	uint32_t rvas[8];
};

static int
seen_cb(void *ctx, const struct pe_export *e)
{
	struct seen *s = ctx;

	if (s->n < 8) {
		snprintf(s->names[s->n], sizeof s->names[0], "%s", e->name ? e->name : "#");
		s->rvas[s->n] = e->rva;
	}
	s->n++;
	s->fwd += e->forward != NULL;
	s->byord += e->name == NULL;
	return 0;
}

static int
import_cb(void *ctx, const struct pe_import *im)
{
	struct seen *s = ctx;

	if (s->n < 8) {
		snprintf(s->names[s->n], sizeof s->names[0], "%s!%s", im->dll, im->name ? im->name : "#");
		s->rvas[s->n] = (uint32_t)(im->name ? im->ordinal : im->ordinal | 0x10000u);
	}
	s->n++;
	s->fwd += im->value == 0x7777 || im->value == 0x8888;
	return 0;
}

static void
test_good(void)
{
	struct mem m = { 0 };
	struct two t = { .names = { "test.dll", "other.dll" } };
	struct pe_export e;
	struct pe_rsds rs;
	struct seen s = { 0 };
	char err[MF_ERRBUF_SIZE], nb[PE_MAX_NAME], fb[PE_MAX_NAME], key[48], mod[PE_MAX_NAME];
	uint64_t a;
	unsigned bad = 9;

	img_build(mem_add(&m, BASE_TEST, IMG_SIZE), &spec_test);
	img_build(mem_add(&m, BASE_OTHER, IMG_SIZE), &spec_other);
	is_int(pe_open(&t.pe[0], BASE_TEST, mem_read, &m, err), 0, "open the image (%s)", err);
	ok(t.pe[0].is64 && t.pe[0].machine == 0x8664 && t.pe[0].size == IMG_SIZE && t.pe[0].entry == 0x3000 &&
	   t.pe[0].image_base == 0x180000000ull && t.pe[0].timestamp == 0x5f000000, "headers: PE32+, amd64, sizes");
	ok(t.pe[0].nsections == 1 && strcmp(t.pe[0].sec[0].name, ".text") == 0 && t.pe[0].sec[0].rva == 0x3000 &&
	   t.pe[0].sec[0].flags == 0x60000020, "its section");
	is_int(pe_exports_load(&t.pe[0], &t.ex[0], err), 0, "exports load (%s)", err);
	is_str(t.ex[0].dll, "test.dll", "the directory's name");
	is_int(pe_exports_each(&t.pe[0], &t.ex[0], seen_cb, &s, &bad, err), 0, "every export");
	ok(s.n == 5 && s.fwd == 2 && s.byord == 1 && bad == 0, "5 exports, 2 forwarders, 1 by ordinal (%u %u %u)", s.n,
	   s.fwd, s.byord);
	ok(strcmp(s.names[0], "Alpha") == 0 && s.rvas[0] == 0x3000 && strcmp(s.names[4], "#") == 0 && s.rvas[4] == 0x3020,
	   "names first, then the ordinal-only one");
	is_int(pe_export_find(&t.pe[0], &t.ex[0], "Beta", &e, nb, fb, err), 0, "find by name");
	ok(e.rva == 0x3010 && e.ordinal == 2 && e.forward == NULL, "Beta: rva, ordinal");
	is_int(pe_export_find(&t.pe[0], &t.ex[0], "#4", &e, nb, fb, err), 0, "find by ordinal");
	is_u64(e.rva, 0x3020, "ordinal 4");
	is_int(pe_export_find(&t.pe[0], &t.ex[0], "#9", &e, nb, fb, err), MF_ERR_NOTFOUND, "no ordinal 9");
	is_int(pe_export_find(&t.pe[0], &t.ex[0], "Hole", &e, nb, fb, err), MF_ERR_NOTFOUND,
	       "a name whose slot is empty (address 0) is no export, as the listing has it");
	is_int(pe_export_find(&t.pe[0], &t.ex[0], "Fwd", &e, nb, fb, err), 0, "a forwarder");
	is_str(e.forward, "OTHER.Target", "names its target");

	is_int(pe_open(&t.pe[1], BASE_OTHER, mem_read, &m, err), 0, "open the other image");
	is_int(pe_exports_load(&t.pe[1], &t.ex[1], err), 0, "its exports");
	is_int(pe_resolve(two_find, &t, "TEST", "Fwd", &a, mod, err), 0, "resolve test!Fwd (%s)", err);
	is_u64(a, BASE_OTHER + 0x3100, "followed into other.dll (case-insensitive, .dll added)");
	is_str(mod, "OTHER", "the module that holds it");
	is_int(pe_resolve(two_find, &t, "other.dll", "ByOrd", &a, NULL, err), 0, "a forwarder by ordinal");
	is_u64(a, BASE_TEST + 0x3020, "to test.dll's ordinal 4");
	is_int(pe_resolve(two_find, &t, "test.dll", "Loop2", &a, NULL, err), MF_ERR_LIMIT, "a forwarder loop ends");
	ok(strstr(err, "forwarder hops") != NULL, "with an error that says so (%s)", err);
	is_int(pe_resolve(two_find, &t, "nosuch.dll", "X", &a, NULL, err), MF_ERR_NOTFOUND, "no such module");

	memset(&s, 0, sizeof s);
	is_int(pe_imports_each(&t.pe[0], import_cb, &s, err), 0, "imports (%s)", err);
	ok(s.n == 2 && strcmp(s.names[0], "other.dll!Target") == 0 && s.rvas[0] == 7 && strcmp(s.names[1], "other.dll!#") == 0 &&
	   s.rvas[1] == (5 | 0x10000u) && s.fwd == 2, "by name with its hint, by ordinal, the IAT values");

	is_int(pe_rsds(&t.pe[0], &rs, err), 0, "the RSDS record (%s)", err);
	pe_rsds_key(&rs, key, sizeof key);
	ok(rs.age == 3 && strcmp(rs.pdb, "test.pdb") == 0, "PDB name and age");
	is_str(key, "131211101514171618191A1B1C1D1E1F3", "the symbol server key (GUID text order, then age)");
	ok(pe_modname_eq("NTDLL", "ntdll.dll") && pe_modname_eq("Kernel32.DLL", "kernel32.dll") &&
	   !pe_modname_eq("ntdll.so", "ntdll.dll") && !pe_modname_eq("ntdl", "ntdll.dll"), "module name matching");
	pe_exports_free(&t.ex[0]);
	pe_exports_free(&t.ex[1]);
	mem_free(&m);
}

static void
test_hostile(void)
{
	struct mem m = { 0 };
	struct pe_image pe;
	struct pe_exports ex;
	struct seen s = { 0 };
	char err[MF_ERRBUF_SIZE];
	uint8_t *b = mem_add(&m, BASE_TEST, IMG_SIZE);
	uint32_t opt = 0x80 + 24;
	unsigned bad = 0;

	img_build(b, &spec_test);
	b[0] = 'X';
	is_int(pe_open(&pe, BASE_TEST, mem_read, &m, err), MF_ERR_FORMAT, "no MZ: %s", err);
	img_build(b, &spec_test);
	put_le32(b + 0x3c, 0xfffffff0);
	is_int(pe_open(&pe, BASE_TEST, mem_read, &m, err), MF_ERR_FORMAT, "wild e_lfanew: %s", err);
	img_build(b, &spec_test);
	put_le16(b + 0x80 + 6, 200);
	is_int(pe_open(&pe, BASE_TEST, mem_read, &m, err), MF_ERR_FORMAT, "200 sections: %s", err);
	img_build(b, &spec_test);
	put_le32(b + opt + 56, 0xffffffff);
	is_int(pe_open(&pe, BASE_TEST, mem_read, &m, err), MF_ERR_FORMAT, "SizeOfImage 4 GiB: %s", err);
	img_build(b, &spec_test);
	m.r[0].bad[0] = 1;
	is_int(pe_open(&pe, BASE_TEST, mem_read, &m, err), MF_ERR_NOTMAPPED, "headers unreadable: %s", err);
	m.r[0].bad[0] = 0;

	/* an export directory past the image */
	img_build(b, &spec_test);
	put_le32(b + opt + 112, IMG_SIZE - 0x10);
	is_int(pe_open(&pe, BASE_TEST, mem_read, &m, err), 0, "headers fine");
	is_int(pe_exports_load(&pe, &ex, err), MF_ERR_FORMAT, "export directory past the image: %s", err);
	put_le32(b + opt + 112, 0x1000);
	put_le32(b + opt + 116, 0xfffff000);
	pe_open(&pe, BASE_TEST, mem_read, &m, err);
	is_int(pe_exports_load(&pe, &ex, err), MF_ERR_FORMAT, "export directory size that wraps: %s", err);
	/* absurd counts, tables past the image */
	img_build(b, &spec_test);
	put_le32(b + 0x1000 + 20, 0xffffffff);
	pe_open(&pe, BASE_TEST, mem_read, &m, err);
	is_int(pe_exports_load(&pe, &ex, err), MF_ERR_FORMAT, "4 G functions: %s", err);
	img_build(b, &spec_test);
	put_le32(b + 0x1000 + 28, IMG_SIZE - 8);
	is_int(pe_exports_load(&pe, &ex, err), MF_ERR_FORMAT, "function table past the image: %s", err);
	/* the export directory's page unreadable */
	img_build(b, &spec_test);
	m.r[0].bad[1] = 1;
	is_int(pe_exports_load(&pe, &ex, err), MF_ERR_NOTMAPPED, "export directory unreadable: %s", err);
	m.r[0].bad[1] = 0;
	/* wild name RVAs and ordinals: those names are skipped, the rest listed */
	img_build(b, &spec_test);
	put_le32(b + 0x1000 + 40 + 24, 0xfffffff0);        /* name 0 */
	put_le16(b + 0x1000 + 40 + 48 + 2, 0xffff);        /* name 1's ordinal index */
	put_le32(b + 0x1000 + 40 + 24 + 8, IMG_SIZE - 4);  /* name 2: runs to the end unterminated */
	memset(b + IMG_SIZE - 4, 'A', 4);
	is_int(pe_exports_load(&pe, &ex, err), 0, "exports with wild names load");
	is_int(pe_exports_each(&pe, &ex, seen_cb, &s, &bad, err), 0, "and list");
	ok(bad == 3 && s.n == 5, "3 bad names skipped, the other named export and the unnamed ones listed (%u, %u)", bad,
	   s.n);
	pe_exports_free(&ex);
	/* an import directory whose thunks run away */
	img_build(b, &spec_test);
	put_le32(b + 0x2800, IMG_SIZE - 4);
	memset(&s, 0, sizeof s);
	ok(pe_imports_each(&pe, import_cb, &s, err) == MF_ERR_FORMAT, "import thunks past the image: %s", err);
	img_build(b, &spec_test);
	put_le32(b + 0x2000 + 20, IMG_SIZE - 8);
	{
		struct pe_rsds rs;

		ok(pe_rsds(&pe, &rs, err) == MF_ERR_FORMAT, "an RSDS record past the image: %s", err);
	}
	mem_free(&m);
}

/* ---- the PEB ---- */

static void
put_ustr(uint8_t *region, uint64_t base, uint32_t at, uint32_t strat, const char *s, int is64)
{
	size_t i, n = strlen(s);

	put_le16(region + at, (uint16_t)(2 * n));
	put_le16(region + at + 2, (uint16_t)(2 * n + 2));
	if (is64)
		put_le64(region + at + 8, base + strat);
	else
		put_le32(region + at + 4, (uint32_t)(base + strat));
	for (i = 0; i < n; i++)
		put_le16(region + strat + 2 * i, (uint8_t)s[i]);
}

static void
put_ptr(uint8_t *p, uint64_t v, int is64)
{
	if (is64)
		put_le64(p, v);
	else
		put_le32(p, (uint32_t)v);
}

struct modlist {
	unsigned n;
	char names[8][96];
	uint64_t bases[8], sizes[8];
};

static int
mod_cb(void *ctx, const struct peb_module *pm)
{
	struct modlist *l = ctx;

	if (l->n < 8) {
		snprintf(l->names[l->n], sizeof l->names[0], "%s|%s", pm->name, pm->path);
		l->bases[l->n] = pm->base;
		l->sizes[l->n] = pm->size;
	}
	l->n++;
	return 0;
}

/* A PEB at base+0x1000, Ldr at +0x2000, 3 entries at +0x3000.., parameters at +0x5000. */
static void
peb_build(uint8_t *r, uint64_t base, int is64)
{
	unsigned ptr = is64 ? 8 : 4, i;
	uint32_t ldr = 0x2000, head = ldr + (is64 ? 0x10 : 0x0c), pp = 0x5000;
	uint32_t dllbase = is64 ? 0x30 : 0x18, size = is64 ? 0x40 : 0x20, full = is64 ? 0x48 : 0x24,
	         bname = is64 ? 0x58 : 0x2c;
	static const char *const names[3] = { "app.exe", "ntdll.dll", "kernel32.dll" };
	static const uint16_t env[] = { 'A', '=', '1', 0, 'B', '=', 0xe9, 0, 0 };

	put_ptr(r + 0x1000 + (is64 ? 0x10 : 0x08), 0x400000, is64);
	put_ptr(r + 0x1000 + (is64 ? 0x18 : 0x0c), base + ldr, is64);
	put_ptr(r + 0x1000 + (is64 ? 0x20 : 0x10), base + pp, is64);
	/* the load-order list: head -> e0 -> e1 -> e2 -> head */
	put_ptr(r + head, base + 0x3000, is64);
	for (i = 0; i < 3; i++) {
		uint32_t e = 0x3000 + 0x200 * i;
		char path[64];

		put_ptr(r + e, i < 2 ? base + e + 0x200 : base + head, is64);
		put_ptr(r + e + ptr, i > 0 ? base + e - 0x200 : base + head, is64);
		put_ptr(r + e + dllbase, 0x10000000ull * (i + 1), is64);
		put_le32(r + e + size, 0x1000 * (i + 1));
		snprintf(path, sizeof path, "C:\\windows\\system32\\%s", names[i]);
		put_ustr(r, base, e + full, e + 0x80, path, is64);
		put_ustr(r, base, e + bname, e + 0x140, names[i], is64);
	}
	put_ustr(r, base, pp + (is64 ? 0x38 : 0x24), 0x5800, "C:\\work\\", is64);
	put_ustr(r, base, pp + (is64 ? 0x60 : 0x38), 0x5900, "C:\\app.exe", is64);
	put_ustr(r, base, pp + (is64 ? 0x70 : 0x40), 0x5a00, "\"C:\\app.exe\" -x \"a b\"", is64);
	put_ptr(r + pp + (is64 ? 0x80 : 0x48), base + 0x5c00, is64);
	memcpy(r + 0x5c00, env, sizeof env);
}

static void
test_peb(int is64)
{
	struct mem m = { 0 };
	uint64_t base = is64 ? 0x7ff000000000ull : 0x7f000000ull;
	uint8_t *r = mem_add(&m, base, 0x8000);
	struct peb_info info;
	struct modlist l = { 0 };
	char err[MF_ERRBUF_SIZE];
	const char *arch = is64 ? "x64" : "x86";

	peb_build(r, base, is64);
	is_int(peb_read(base + 0x1000, is64, mem_read, &m, &info, err), 0, "%s: read the PEB (%s)", arch, err);
	ok(info.image_base == 0x400000 && info.ldr == base + 0x2000 && info.params == base + 0x5000,
	   "%s: image base, Ldr, parameters", arch);
	is_str(info.image_path, "C:\\app.exe", "%s: image path", arch);
	is_str(info.cmdline, "\"C:\\app.exe\" -x \"a b\"", "%s: command line", arch);
	is_str(info.cwd, "C:\\work\\", "%s: current directory", arch);
	ok(info.env_len == 9 && memcmp(info.env, "A=1\0B=\xc3\xa9\0", 9) == 0, "%s: environment in UTF-8 (%zu bytes)",
	   arch, info.env_len);
	is_int(peb_modules(info.ldr, is64, PEB_LOAD_ORDER, mem_read, &m, mod_cb, &l, err), 0, "%s: the loader list", arch);
	ok(l.n == 3 && strcmp(l.names[0], "app.exe|C:\\windows\\system32\\app.exe") == 0 &&
	   strcmp(l.names[2], "kernel32.dll|C:\\windows\\system32\\kernel32.dll") == 0 && l.bases[1] == 0x20000000 &&
	   l.sizes[2] == 0x3000, "%s: 3 modules, names, paths, bases, sizes", arch);
	/* a cycle that does not pass the head: e2 -> e1 */
	put_ptr(r + 0x3400, base + 0x3200, is64);
	memset(&l, 0, sizeof l);
	is_int(peb_modules(info.ldr, is64, PEB_LOAD_ORDER, mem_read, &m, mod_cb, &l, err), MF_ERR_LIMIT,
	       "%s: a cyclic list ends: %s", arch, err);
	is_int(l.n, 3, "%s: after the modules before the loop", arch);
	put_ptr(r + 0x3400, 0, is64);
	is_int(peb_modules(info.ldr, is64, PEB_LOAD_ORDER, mem_read, &m, mod_cb, &l, err), MF_ERR_FORMAT,
	       "%s: a null link: %s", arch, err);
	put_ptr(r + 0x3400, 0xdead0000, is64);
	ok(peb_modules(info.ldr, is64, PEB_LOAD_ORDER, mem_read, &m, mod_cb, &l, err) == MF_ERR_NOTMAPPED,
	   "%s: a wild link: %s", arch, err);
	/* a string whose buffer is unreadable: that module's walk fails, nothing garbage */
	peb_build(r, base, is64);
	put_ptr(r + 0x1000 + (is64 ? 0x20 : 0x10), 0xdead0000, is64);
	peb_info_free(&info);
	is_int(peb_read(base + 0x1000, is64, mem_read, &m, &info, err), 0, "%s: unreadable parameters", arch);
	ok(info.cmdline[0] == '\0' && info.image_path[0] == '\0' && info.env_len == 0, "%s: leave the strings empty", arch);
	peb_info_free(&info);
	is_int(peb_read(0xdead0000, is64, mem_read, &m, &info, err), MF_ERR_NOTMAPPED, "%s: no PEB: %s", arch, err);
	mem_free(&m);
}

static void
test_utf16(void)
{
	static const uint8_t s[] = { 'a', 0, 0xe9, 0, 0xac, 0x20, 0x3d, 0xd8, 0x00, 0xde, 0x00, 0xd8, 'b', 0 };
	size_t n;
	char *o = peb_utf16_to_utf8(s, sizeof s, &n);

	ok(o != NULL && n == 14 && memcmp(o, "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbd" "b", 14) == 0,
	   "UTF-16 to UTF-8: BMP, a surrogate pair, an unpaired surrogate");
	free(o);
}

int
main(void)
{
	test_good();
	test_hostile();
	test_peb(1);
	test_peb(0);
	test_utf16();
	return done_testing();
}
