/* win32.h: internals of the win32 os layer (os/win32/): a Windows kernel found in physical
 * memory.
 *
 * The parts, one file each:
 *   win32.c      the plugin descriptor, open (dtb, kernel, offsets in that order), close,
 *                kernel virtual reads, and storing what was found as hints
 *   dtb.c        the page-table root and its architecture: the target record, `dtb=`,
 *                the connector's hint (a crash dump's DirectoryTableBase), the x64
 *                low-memory processor start block, else a self-referencing table found
 *                by scanning (x64 PML4, x86 directory, PAE last directory)
 *   kernel.c     ntoskrnl.exe: a PE image in kernel space (the host's page map of it)
 *                whose export directory names it; the build from NtBuildNumber and
 *                KUSER_SHARED_DATA
 *   offsets.c    structure offsets as data: a PDB the user gives (pdb=), else the
 *                installed table of the build, else of the nearest lower build
 *   processes.c  processes from PsActiveProcessHead
 *   threads.c    a process's threads from its thread list
 *   maps.c       memory maps from the VAD tree: ranges, protections, mapped files
 *   modules.c    kernel modules from PsLoadedModuleList, their exports (symbols), and
 *                process modules from the PEB's loader lists (native and WoW64)
 *
 * x64, x86 (2-level) and x86 PAE (3-level) kernels: the architecture of w->kspace
 * decides the pointer size (w->ptr), what a kernel or a user pointer is, and the layout
 * of the public structures (UNICODE_STRING, the loader lists).  Guest memory is hostile:
 * every pointer read from it is checked, every list walk is bounded. */
#ifndef MF_OS_WIN32_H
#define MF_OS_WIN32_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mftools/plugin.h>

#include "pluginlib/bytes.h"
#include "pluginlib/pe.h"

#define W32_KUSER_SHARED_DATA 0xfffff78000000000ull
#define W32_KUSER_SHARED_DATA32 0xffdf0000ull     /* x86 and PAE */
#define W32_MAX_PROCESSES 65536u
#define W32_MAX_MODULES 4096u

/* The structure members the walkers read, in this order: the offsets table's keys, as
 * TYPE.MEMBER (the PDB's type and member path). */
enum w32_off {
	W32_KPROCESS_DTB,               /* _KPROCESS.DirectoryTableBase */
	W32_EPROCESS_PID,               /* _EPROCESS.UniqueProcessId */
	W32_EPROCESS_LINKS,             /* _EPROCESS.ActiveProcessLinks */
	W32_EPROCESS_CREATE_TIME,       /* _EPROCESS.CreateTime */
	W32_EPROCESS_PPID,              /* _EPROCESS.InheritedFromUniqueProcessId */
	W32_EPROCESS_PEB,               /* _EPROCESS.Peb */
	W32_EPROCESS_WOW64,             /* _EPROCESS.WoW64Process */
	W32_EPROCESS_NAME,              /* _EPROCESS.ImageFileName */
	W32_EPROCESS_AUDIT,             /* _EPROCESS.SeAuditProcessCreationInfo */
	W32_EPROCESS_EXIT_STATUS,       /* _EPROCESS.ExitStatus */
	W32_EPROCESS_VAD_ROOT,          /* _EPROCESS.VadRoot */
	W32_EPROCESS_EXIT_TIME,         /* _EPROCESS.ExitTime */
	W32_LDR_LINKS,                  /* _KLDR_DATA_TABLE_ENTRY.InLoadOrderLinks */
	W32_LDR_BASE,                   /* _KLDR_DATA_TABLE_ENTRY.DllBase */
	W32_LDR_SIZE,                   /* _KLDR_DATA_TABLE_ENTRY.SizeOfImage */
	W32_LDR_FULL_NAME,              /* _KLDR_DATA_TABLE_ENTRY.FullDllName */
	W32_LDR_BASE_NAME,              /* _KLDR_DATA_TABLE_ENTRY.BaseDllName */
	W32_EWOW64_PEB,                 /* _EWOW64PROCESS.Peb: the 32-bit PEB of a WoW64 process (x64) */
	/* optional: without them (all of them) there are no memory maps */
	W32_VAD_LEFT,                   /* _RTL_BALANCED_NODE.Left */
	W32_VAD_RIGHT,                  /* _RTL_BALANCED_NODE.Right */
	W32_VAD_START,                  /* _MMVAD_SHORT.StartingVpn */
	W32_VAD_END,                    /* _MMVAD_SHORT.EndingVpn */
	W32_VAD_START_HIGH,             /* _MMVAD_SHORT.StartingVpnHigh */
	W32_VAD_END_HIGH,               /* _MMVAD_SHORT.EndingVpnHigh */
	W32_VAD_FLAGS,                  /* _MMVAD_SHORT.u (the _MMVAD_FLAGS word) */
	W32_VADF_PROTECTION,            /* _MMVAD_FLAGS.Protection: a bitfield, W32_BITS */
	W32_VADF_PRIVATE,               /* _MMVAD_FLAGS.PrivateMemory: a bitfield */
	W32_VAD_SUBSECTION,             /* _MMVAD.Subsection */
	W32_SUBSECTION_CA,              /* _SUBSECTION.ControlArea */
	W32_CA_FILE,                    /* _CONTROL_AREA.FilePointer (an _EX_FAST_REF) */
	W32_FILE_NAME,                  /* _FILE_OBJECT.FileName */
	/* optional: without them (all of them) there are no threads */
	W32_EPROCESS_THREADS,           /* _EPROCESS.ThreadListHead */
	W32_ETHREAD_LINKS,              /* _ETHREAD.ThreadListEntry */
	W32_ETHREAD_TID,                /* _ETHREAD.Cid.UniqueThread */
	W32_KTHREAD_STATE,              /* _KTHREAD.State (the ETHREAD's Tcb, at its start) */
	W32_ETHREAD_NAME,               /* _ETHREAD.ThreadName (a PUNICODE_STRING: 1607 and later) */
	W32_NOFFS
};
#define W32_FIRST_OPTIONAL W32_VAD_LEFT
/* The optional groups: a layer without one of its members goes without what it serves. */
#define W32_VAD_FIRST W32_VAD_LEFT
#define W32_VAD_END_ W32_EPROCESS_THREADS
#define W32_THREAD_FIRST W32_EPROCESS_THREADS
#define W32_THREAD_END_ W32_NOFFS
/* A bitfield member's value: its bit position and width, as BITPOS:BITS in a table. */
#define W32_BITS(pos, n) ((uint64_t)(pos) | (uint64_t)(n) << 8)
#define W32_BITPOS(v) ((unsigned)((v) & 0xff))
#define W32_NBITS(v) ((unsigned)((v) >> 8 & 0xff))
static inline bool
w32_off_is_bits(unsigned i)
{
	return i == W32_VADF_PROTECTION || i == W32_VADF_PRIVATE;
}
/* Members only x64 kernels have (no WoW64 on x86, no VPNs above 32 bits): an x86 table or
 * PDB need not give them, and the walkers do not read them there. */
static inline bool
w32_off_x64_only(unsigned i)
{
	return i == W32_EPROCESS_WOW64 || i == W32_EWOW64_PEB || i == W32_VAD_START_HIGH || i == W32_VAD_END_HIGH;
}
extern const char *const w32_off_names[W32_NOFFS];

struct w32 {
	const struct mf_host *host;
	const struct mf_phys *phys;
	const struct mf_args *args;
	struct mf_hints *hints;
	struct mf_space kspace;         /* the kernel's address space */
	bool is64;                      /* kspace is x86_64 (else x86 or x86-pae) */
	bool root_selfmap;              /* PAE: the root is the self-map's directory (dtb.c) */
	unsigned ptr;                   /* pointer size: 8 or 4 */
	uint64_t kbase;                 /* ntoskrnl.exe's image base */
	uint32_t ksize;                 /* its SizeOfImage */
	uint32_t build;                 /* NtBuildNumber & 0xffff */
	uint64_t ps_active_process_head;   /* 0 until found */
	uint64_t ps_initial_system_process; /* the variable's address, 0 if not exported */
	uint64_t ps_loaded_module_list;    /* 0 until found */
	struct pe_image kpe;            /* ntoskrnl.exe's headers and exports (kernel.c) */
	struct pe_exports kex;
	bool kex_ok;
	uint64_t off[W32_NOFFS];
	bool have_vad;                  /* the optional VAD members are all known */
	bool have_threads;              /* the optional thread members are all known */
	char offsets_from[MF_ERRBUF_SIZE];  /* where the offsets came from, for the log */
};

/* win32.c: kernel virtual memory, all LEN bytes or an error (MF_ERR_NOTMAPPED, MF_ERR_IO). */
int w32_kread(const struct w32 *w, uint64_t va, void *buf, size_t len);
/* A pointer-sized value (w->ptr bytes: pointers, ULONG_PTR, x86's ULONG DirectoryTableBase). */
int w32_kread_ptr(const struct w32 *w, uint64_t va, uint64_t *v);
/* The kernel's address space of architecture ARCH at ROOT (its root masked as the
 * architecture aligns it), with w->is64 and w->ptr to match. */
void w32_set_kspace(struct w32 *w, uint32_t arch, uint64_t root);
/* A page-table root as an EPROCESS or the user gives it, aligned as ARCH's CR3 is: 4 KiB
 * (x86_64, x86), 32 bytes (PAE: the PDPT). */
uint64_t w32_root_of(uint32_t arch, uint64_t cr3);
/* pe.h's reader over the kernel space (ctx: the struct w32) */
int w32_pe_read(void *ctx, uint64_t addr, void *buf, size_t len);
/* pe.h's reader over a process's address space (its PEB, loader lists) */
struct w32_uspace {
	const struct w32 *w;
	struct mf_space sp;
};
int w32_uread(void *ctx, uint64_t addr, void *buf, size_t len);

/* A pointer read from the guest that can be a kernel object: kernel half (x64: canonical
 * above 0xffff800000000000; x86: 0x80000000 and up), aligned to the pointer size. */
static inline bool
w32_kptr_ok(const struct w32 *w, uint64_t p)
{
	if (w->is64)
		return (p >> 47) == 0x1ffff && (p & 7) == 0;
	return p >= 0x80000000u && p <= 0xffffffffu && (p & 3) == 0;
}
/* The pointer at p, of w->ptr bytes (little-endian). */
static inline uint64_t
w32_ptr_at(const struct w32 *w, const uint8_t *p)
{
	return w->ptr == 8 ? get_le64(p) : get_le32(p);
}
/* A user-space pointer (a PEB): below the kernel half. */
static inline bool
w32_uptr_ok(const struct w32 *w, uint64_t p)
{
	return p != 0 && (w->is64 ? (p >> 47) == 0 : p < 0x80000000u);
}
/* The object an _EX_FAST_REF points to (its low bits are a reference count: 4 on x64, 3 on
 * x86). */
static inline uint64_t
w32_fast_ref(const struct w32 *w, uint64_t v)
{
	return v & ~(uint64_t)(w->is64 ? 0xf : 0x7);
}

/* One step of a bounded walk of a kernel list (win32.c): N entries read so far, at most
 * MAX; WHAT names the list in the warnings.  1: go on to entry E; 0: the list ends here
 * (too long, a wild pointer or a loop: a warning says which); MF_ERR_NOMEM (errbuf set). */
struct seen;
int w32_list_step(const struct w32 *w, struct seen *seen, uint64_t e, unsigned n, unsigned max, const char *what,
                  char *errbuf);

/* dtb.c: the kernel's page-table root into w->kspace, logged with its route; a candidate
 * is taken when w32_kernel_find finds ntoskrnl.exe through it (so w->kbase is set too).
 * 0 or MF_ERR_* with errbuf set. */
int w32_dtb_find(struct w32 *w, char *errbuf);

/* dtb.c, once the offsets are known: a PAE root found as the self-map's directory is
 * replaced by the System process's DirectoryTableBase (the PDPT) when ntoskrnl.exe is
 * mapped through it too.  0, or MF_ERR_NOTFOUND. */
int w32_dtb_refine(struct w32 *w);

/* kernel.c: ntoskrnl.exe in w->kspace (first just below near_va, an address inside it a
 * route knows, when it is not 0), found through the host's page map (mf_phys page_map) of
 * kernel space: w->kbase, ksize.  0, MF_ERR_NOTFOUND (message in errbuf), MF_ERR_NOMEM or
 * MF_ERR_UNSUPPORTED (a host without page_map). */
int w32_kernel_find(struct w32 *w, uint64_t near_va, char *errbuf);
/* Is the image at base ntoskrnl.exe (its export directory's name, and the machine of
 * w->kspace's architecture: 0x8664, or 0x14c for x86 and PAE)?  On success sets
 * w->kbase, w->ksize and w->kpe/kex (freed by w32_kernel_free). */
bool w32_kernel_at(struct w32 *w, uint64_t base);
/* The build (NtBuildNumber, checked against KUSER_SHARED_DATA) and the exported
 * variables the walkers start from.  0 or MF_ERR_* with errbuf set. */
int w32_kernel_facts(struct w32 *w, char *errbuf);
/* The address of ntoskrnl's export NAME: 0, or MF_ERR_NOTFOUND. */
int w32_kernel_export(struct w32 *w, const char *name, uint64_t *va);
void w32_kernel_free(struct w32 *w);

/* offsets.c: w->off from pdb= or the installed tables.  0 or MF_ERR_* with errbuf set
 * (nothing fits: one line naming the build and the PDB to fetch). */
int w32_offsets_load(struct w32 *w, char *errbuf);

/* maps.c: memory maps from a process's VAD tree */
int w32_maps(void *handle, uint64_t pid, mf_map_cb cb, void *ctx, char *errbuf);

/* processes.c.  w32_process_head: PsActiveProcessHead, found from the System process when
 * no hint or PDB named it (then kept in w and the hints): 0 or MF_ERR_NOTFOUND. */
int w32_process_head(struct w32 *w, char *errbuf);
int w32_processes(void *handle, mf_process_cb cb, void *ctx, char *errbuf);
int w32_process(void *handle, uint64_t pid, mf_process_cb cb, void *ctx, char *errbuf);
/* The EPROCESS of process PID and its page-table root: 0 or MF_ERR_* with errbuf set. */
int w32_process_object(struct w32 *w, uint64_t pid, uint64_t *ep, uint64_t *dtb, char *errbuf);
/* A FILETIME (100 ns units since 1601) as nanoseconds since 1970; 0 for 0 and for times
 * before 1970 or after 2262 (garbage). */
int64_t w32_filetime_ns(uint64_t ft);

/* threads.c: a process's threads from its EPROCESS's ThreadListHead */
int w32_threads(void *handle, uint64_t pid, mf_thread_cb cb, void *ctx, char *errbuf);

/* modules.c: kernel modules (pid 0) and their exports as the kernel's symbols; a
 * process's modules from its PEB's loader list (x64; WoW64's 32-bit list not yet) */
int w32_modules(void *handle, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf);
int w32_symbols(void *handle, uint64_t pid, mf_symbol_cb cb, void *ctx, char *errbuf);
/* PsLoadedModuleList found when no hint or PDB named it: a list head in ntoskrnl's image
 * whose first entry is ntoskrnl's own.  0 or MF_ERR_NOTFOUND. */
int w32_module_list_find(struct w32 *w);

#endif
