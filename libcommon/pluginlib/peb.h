/* pluginlib/peb.h: a Windows process from its PEB: the loader's module lists (PEB.Ldr)
 * and RTL_USER_PROCESS_PARAMETERS (image path, command line, environment, current
 * directory), in the x64 and the x86 layouts (the public structures' offsets, which
 * Windows and Wine share).  Reads go through pe.h's callback; the structures are hostile:
 * string lengths are capped, list walks end at a cap or at the first repeated entry with
 * MF_ERR_LIMIT.  Part of libmfplugin.la (see vmcoreinfo.h for how to link it). */
#ifndef MF_PLUGINLIB_PEB_H
#define MF_PLUGINLIB_PEB_H

#include <stddef.h>
#include <stdint.h>

#include "pluginlib/pe.h"

#define PEB_MAX_MODULES 4096           /* entries of one loader list */
#define PEB_MAX_ENV (1u << 20)         /* bytes of an environment block read (UTF-16) */

enum peb_list { PEB_LOAD_ORDER = 0, PEB_MEMORY_ORDER = 1, PEB_INIT_ORDER = 2 };

struct peb_info {
	uint64_t peb;
	int is64;
	uint64_t image_base;           /* PEB.ImageBaseAddress */
	uint64_t ldr;                  /* PEB.Ldr (0: the loader is not up yet) */
	uint64_t params;               /* PEB.ProcessParameters */
	/* UTF-8, allocated ("" when the field is empty or unreadable) */
	char *image_path, *cmdline, *cwd;
	/* NAME=VALUE strings in UTF-8, each NUL-terminated; env_len bytes (0 if unreadable) */
	char *env;
	size_t env_len;
};

/* Read the PEB at peb and its process parameters.  0, or an error (a PEB that cannot be
 * read); a parameter block that cannot be read leaves its strings "". */
int peb_read(uint64_t peb, int is64, pe_read_fn read, void *ctx, struct peb_info *out, char *errbuf);
void peb_info_free(struct peb_info *p);

struct peb_module {
	uint64_t entry;                /* the LDR_DATA_TABLE_ENTRY */
	uint64_t base, size, entry_point;
	const char *path;              /* FullDllName, UTF-8 */
	const char *name;              /* BaseDllName, UTF-8 */
};
typedef int (*peb_module_cb)(void *ctx, const struct peb_module *m);
/* Walk one of the loader's lists: 0 at its end, the callback's non-zero value, or an error
 * (MF_ERR_LIMIT: a list that loops or runs past PEB_MAX_MODULES; the modules before it
 * were given). */
int peb_modules(uint64_t ldr, int is64, enum peb_list list, pe_read_fn read, void *ctx, peb_module_cb cb,
                void *cbctx, char *errbuf);

/* A UNICODE_STRING at addr (Length, MaximumLength, Buffer) in UTF-8, allocated; "" when it
 * is empty.  0 or an error. */
int peb_ustring(uint64_t addr, int is64, pe_read_fn read, void *ctx, char **out, char *errbuf);
/* n bytes of UTF-16LE as UTF-8 (unpaired surrogates become U+FFFD; NULs kept), allocated,
 * NUL-terminated; the length in *outlen if not NULL.  NULL when out of memory. */
char *peb_utf16_to_utf8(const uint8_t *s, size_t n, size_t *outlen);

#endif
