/* pluginlib/pe.h: PE images (PE32 and PE32+) read from memory, as a loader maps them: the
 * headers, sections, exports (by name and ordinal, forwarders, followed across modules),
 * imports and the RSDS debug record (PDB name, GUID, age).  Every read goes through a
 * callback, so the same code reads a Wine process (the native layer), a guest's kernel
 * space or a minidump.  The image is hostile: every RVA and count is checked against
 * SizeOfImage and capped, a read that fails (an unreadable page) is an error of the field
 * that needed it, never garbage.  Part of libmfplugin.la (see vmcoreinfo.h for how to link
 * it). */
#ifndef MF_PLUGINLIB_PE_H
#define MF_PLUGINLIB_PE_H

#include <stddef.h>
#include <stdint.h>

/* Read len bytes at virtual address addr into buf: 0, or a negative MF_ERR_* (a message
 * in errbuf is optional: pe.c names the field and the address). */
typedef int (*pe_read_fn)(void *ctx, uint64_t addr, void *buf, size_t len);

#define PE_MAX_SECTIONS 96             /* the Windows loader's limit */
#define PE_MAX_IMAGE (1ull << 31)      /* a larger SizeOfImage is not believed */
#define PE_MAX_EXPORTS (1u << 16)      /* names and functions of one export directory */
#define PE_MAX_EXPORT_DIR (16u << 20)  /* bytes of an export directory read at once */
#define PE_MAX_IMPORT_DLLS 4096
#define PE_MAX_IMPORTS (1u << 16)      /* thunks of one imported DLL */
#define PE_MAX_NAME 512                /* a longer export or DLL name is cut here */
#define PE_MAX_HOPS 16                 /* forwarder hops before a loop is declared */

/* data directory indexes */
enum { PE_DIR_EXPORT = 0, PE_DIR_IMPORT = 1, PE_DIR_DEBUG = 6, PE_NDIRS = 16 };

struct pe_section {
	char name[9];                  /* NUL-terminated */
	uint32_t rva, vsize;
	uint32_t raw_off, raw_size;
	uint32_t flags;                /* IMAGE_SCN_* */
};

struct pe_image {
	pe_read_fn read;
	void *ctx;
	uint64_t base;                 /* where it is mapped */
	uint32_t size;                 /* SizeOfImage */
	uint16_t machine;              /* IMAGE_FILE_MACHINE_* */
	uint16_t characteristics;
	int is64;                      /* PE32+ */
	uint32_t timestamp;
	uint32_t entry;                /* RVA of the entry point, 0 if none */
	uint64_t image_base;           /* the header's preferred base */
	uint32_t ndirs;
	struct { uint32_t rva, size; } dir[PE_NDIRS];
	uint32_t nsections;
	struct pe_section sec[PE_MAX_SECTIONS];
};

/* Read the headers of the image mapped at base.  0, or MF_ERR_FORMAT (not a PE image, or
 * a header that lies), or the read's error; a message in errbuf either way. */
int pe_open(struct pe_image *pe, uint64_t base, pe_read_fn read, void *ctx, char *errbuf);
/* len bytes at rva (checked against SizeOfImage) into buf. */
int pe_read_rva(const struct pe_image *pe, uint32_t rva, void *buf, size_t len, char *errbuf);

/* ---- exports ---- */
struct pe_exports {
	uint32_t dir_rva, dir_size;    /* the export data directory (forwarders point into it) */
	uint8_t *blk;                  /* its bytes (names outside it are read one by one) */
	uint32_t blk_len;
	char dll[PE_MAX_NAME];         /* the directory's own name ("KERNEL32.dll") */
	uint32_t ord_base, nfuncs, nnames;
	uint32_t *funcs;               /* nfuncs RVAs */
	uint32_t *name_rvas;           /* nnames */
	uint16_t *name_ords;           /* nnames: indexes into funcs */
};

/* One export: name NULL for one by ordinal only; forward non-NULL ("NTDLL.RtlAllocateHeap"
 * or "NTDLL.#12") when rva points into the export directory. */
struct pe_export {
	const char *name;
	uint32_t ordinal;              /* ord_base + index */
	uint32_t rva;
	const char *forward;
};
typedef int (*pe_export_cb)(void *ctx, const struct pe_export *e);

/* Load the export directory: 0 (an image without exports has nfuncs 0) or an error. */
int pe_exports_load(const struct pe_image *pe, struct pe_exports *ex, char *errbuf);
void pe_exports_free(struct pe_exports *ex);
/* Every export, named ones by name, the rest by ordinal: 0, the callback's non-zero value,
 * or an error (a name that cannot be read is skipped, and counted in *bad if not NULL). */
int pe_exports_each(const struct pe_image *pe, const struct pe_exports *ex, pe_export_cb cb, void *ctx,
                    unsigned *bad, char *errbuf);
/* One export by name, or by ordinal with "#N" (when no export is named so): 0 and *out
 * (its strings in namebuf/fwdbuf, PE_MAX_NAME bytes each), or MF_ERR_NOTFOUND. */
int pe_export_find(const struct pe_image *pe, const struct pe_exports *ex, const char *name,
                   struct pe_export *out, char *namebuf, char *fwdbuf, char *errbuf);

/* Module names as the loader matches them: case-insensitive, ".dll" added to a name
 * without a dot ("NTDLL" is "ntdll.dll"). */
int pe_modname_eq(const char *a, const char *b);

/* Following forwarders across modules: find(ctx, module name) gives the image and its
 * loaded exports (borrowed, kept by the resolver), or MF_ERR_NOTFOUND. */
typedef int (*pe_module_find_fn)(void *ctx, const char *module, const struct pe_image **pe,
                                 const struct pe_exports **ex, char *errbuf);
/* Resolve MODULE's export NAME (or "#N") to an address, following forwarders through
 * find() at most PE_MAX_HOPS times (more is a loop: MF_ERR_LIMIT).  *module_out (if not
 * NULL) names, in a buffer of PE_MAX_NAME bytes, the module that finally holds it. */
int pe_resolve(pe_module_find_fn find, void *ctx, const char *module, const char *name, uint64_t *addr,
               char *module_out, char *errbuf);

/* ---- imports ---- */
struct pe_import {
	const char *dll;
	const char *name;              /* NULL when by ordinal */
	uint32_t ordinal;              /* by ordinal, or the hint of a named one */
	uint64_t iat;                  /* address of the IAT slot */
	uint64_t value;                /* what the slot holds now (the bound address) */
};
typedef int (*pe_import_cb)(void *ctx, const struct pe_import *im);
int pe_imports_each(const struct pe_image *pe, pe_import_cb cb, void *ctx, char *errbuf);

/* ---- the CodeView (RSDS) debug record ---- */
struct pe_rsds {
	uint8_t guid[16];              /* as stored (Data1..3 little-endian) */
	uint32_t age;
	char pdb[PE_MAX_NAME];         /* the PDB path the linker wrote */
};
/* 0, MF_ERR_NOTFOUND (no CodeView RSDS entry), or an error. */
int pe_rsds(const struct pe_image *pe, struct pe_rsds *out, char *errbuf);
/* "GUIDAGE" as symbol servers name the directory: 32 upper-case hex digits of the GUID in
 * its text order, then the age in hex (buf of at least 41 bytes). */
void pe_rsds_key(const struct pe_rsds *r, char *buf, size_t cap);

#endif
