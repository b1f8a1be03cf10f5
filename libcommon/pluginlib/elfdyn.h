/* pluginlib/elfdyn.h: the dynamic symbols of an ELF image mapped in a process's memory,
 * found as the dynamic linker finds them (program headers -> PT_DYNAMIC -> DT_SYMTAB,
 * DT_STRTAB, DT_STRSZ, and DT_HASH or DT_GNU_HASH for their number).  ELFCLASS32 and 64,
 * little-endian.  Dynamic-section pointers are taken either as the linker left them
 * (relocated in place, as glibc does) or as the file has them (plus the load bias).
 * Every count and size is capped (modsyms.h); a page that cannot be read loses the
 * symbols whose entry or name lies on it, nothing more. */
#ifndef MF_PLUGINLIB_ELFDYN_H
#define MF_PLUGINLIB_ELFDYN_H

#include <stdint.h>

#include "modsyms.h"

/* One defined symbol: global, weak or unique binding, not a section, file or TLS symbol,
 * not a hidden (non-default) version.  addr is where it is in the process. */
struct elfdyn_sym {
	const char *name;
	uint64_t addr, size;
	uint8_t type;           /* STT_* */
};
typedef int (*elfdyn_cb)(void *ctx, const struct elfdyn_sym *s);

/* The image mapped at BASE (SIZE bytes): 0, the callback's non-zero value, or MF_ERR_*
 * with the reason in errbuf. */
int elfdyn_symbols(modsyms_read_fn read, void *rctx, uint64_t base, uint64_t size, elfdyn_cb cb, void *ctx,
                   char *errbuf);

#endif
