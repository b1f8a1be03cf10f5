/* pluginlib/vmcoreinfo.h: the Linux VMCOREINFO text (the kernel's "KEY=value\n" lines in an
 * ELF note or a kdump sub-header): lookup of a line, its values as strings and numbers,
 * the hints a dump connector derives from it, and the architecture it implies.
 *
 * Part of libmfplugin.la, the convenience library of code shared by plugins, libmf and
 * tools (every pluginlib header refers here for how to link it).  In a local.mk:
 *   foo_la_LIBADD = $(pluginlib)                  a plugin
 *   foo_LDADD = $(tool_ldadd) $(pluginlib)        a tool or a unit test
 * ($(pluginlib) is libcommon/pluginlib/libmfplugin.la; libmf.la links it already, in
 * libcommon/pluginlib/local.mk) and include "pluginlib/NAME.h".  It is built PIC with
 * -fvisibility=hidden: every program or shared object that links it gets its own copy
 * and exports none of it, so libmf's copy is not visible to the tools: a tool that calls
 * these functions links $(pluginlib) itself.
 *
 * The text is hostile input: every function accepts any NUL-terminated string, a key
 * matches only at the start of a line and only when followed by '=', a value ends at the
 * next '\n' (or the end of the text). */
#ifndef MF_PLUGINLIB_VMCOREINFO_H
#define MF_PLUGINLIB_VMCOREINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mftools/plugin.h>

/* The most VMCOREINFO text a reader keeps (the kernel writes at most a page). */
#define VMCI_MAX_BYTES ((size_t)1 << 20)

/* A NUL-terminated copy of a VMCOREINFO note descriptor of n bytes, cut at its first NUL
 * and at VMCI_MAX_BYTES.  The caller frees it; NULL when out of memory. */
char *vmci_dup(const void *desc, size_t n);

/* The value of the first line "KEY=value": a pointer into text (not NUL-terminated at the
 * value's end) with its length in *len, or NULL when no line has that key. */
const char *vmci_find(const char *text, const char *key, size_t *len);

/* The value of KEY copied into out (NUL-terminated, cut to outsz - 1 bytes; outsz > 0).
 * false when absent. */
bool vmci_get_str(const char *text, const char *key, char *out, size_t outsz);

/* The value of KEY as a number.  Each returns 0, MF_ERR_NOTFOUND when the key is absent,
 * or MF_ERR_FORMAT when the value is empty, has other characters, or overflows.
 *   hex: hexadecimal digits, with or without "0x" (SYMBOL(), KERNELOFFSET)
 *   dec: a signed decimal (NUMBER(phys_base) is negative under some KASLR layouts)
 *   num: "0x" hexadecimal, or a decimal; a negative decimal as its two's complement
 *        (NUMBER() values: the kernel prints most in decimal, some arm64 ones in 0x hex) */
int vmci_get_hex(const char *text, const char *key, uint64_t *out);
int vmci_get_dec(const char *text, const char *key, int64_t *out);
int vmci_get_num(const char *text, const char *key, uint64_t *out);

/* SYMBOL(name) (hexadecimal) and NUMBER(name) (as vmci_get_num); same returns. */
int vmci_symbol(const char *text, const char *name, uint64_t *out);
int vmci_number(const char *text, const char *name, uint64_t *out);

/* The well-known lines.  kernel_offset: KERNELOFFSET (hex); phys_base: NUMBER(phys_base)
 * (signed decimal, as its two's complement); pagesize: PAGESIZE (decimal, above 0).
 * osrelease: OSRELEASE copied as by vmci_get_str. */
int vmci_kernel_offset(const char *text, uint64_t *out);
int vmci_phys_base(const char *text, uint64_t *out);
int vmci_pagesize(const char *text, uint64_t *out);
bool vmci_osrelease(const char *text, char *out, size_t outsz);

/* x86 paging modes the kernel was running with: NUMBER(pgtable_l5_enabled)=1 (LA57) and
 * CONFIG_X86_PAE=y. */
bool vmci_la57(const char *text);
bool vmci_pae(const char *text);

/* The architecture of a kernel from its VMCOREINFO alone (for dumps whose header does not
 * say, e.g. QEMU's kdump with machine "Unknown" on arm64): NUMBER(kimage_voffset) or
 * NUMBER(TCR_EL1_T1SZ) -> MF_ARCH_AARCH64; SYMBOL(init_top_pgt) -> MF_ARCH_X86_64 (or
 * _LA57); a CONFIG_X86_PAE line (the kernel writes it only when PAE is built in) ->
 * MF_ARCH_X86_PAE; else MF_ARCH_UNKNOWN. */
uint32_t vmci_arch(const char *text);

/* The architecture named by a utsname machine string ("x86_64", "aarch64", "arm64",
 * "i386".."i686"), refined by the VMCOREINFO text (may be NULL): la57, PAE.  Any other
 * machine falls back to vmci_arch(text) (MF_ARCH_UNKNOWN when text is NULL). */
uint32_t vmci_arch_for_machine(const char *machine, const char *text);

/* Set the hints a dump connector derives from VMCOREINFO: "kernel_offset", "phys_base"
 * and "osrelease", each only when its line is present and well-formed.  0 or the first
 * negative MF_ERR_* of a host->hint_set_* call. */
int vmci_set_hints(const struct mf_host *host, struct mf_hints *hints, const char *text);

#endif
