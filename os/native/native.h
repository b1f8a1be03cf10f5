/* native.h: internals of the native os layer (os/native/): native.c (open, close, the
 * descriptor), procfs.c (reading /proc files), processes.c (the process list), maps.c
 * (memory maps), modules.c (modules of a process and of the kernel), auxv.c (the auxiliary
 * vector), mem.c (process memory through the process-memory engine), symbols.c (the
 * symbols of a process's modules), wine.c (the Windows side of Wine processes); threads.c
 * (threads, their registers, suspending a process) has threads.h. */
#ifndef MF_OS_NATIVE_H
#define MF_OS_NATIVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <mftools/plugin.h>

#include "pluginlib/error.h"
#include "pluginlib/fileio.h"

#define NATIVE_CMDLINE_MAX (64u * 1024u)    /* command lines are truncated here */
#define NATIVE_SMALL_MAX 4096u             /* stat, status */
#define NATIVE_MAPS_BUF (64u * 1024u)      /* line reader buffer; longer lines are truncated */
#define NATIVE_MAX_PROCS (1u << 23)        /* cap on a /proc walk (pid_max is at most 4 Mi) */
#define NATIVE_MAX_MAPS (1u << 24)         /* cap on maps lines of one process */
#define NATIVE_MAX_KMODS (1u << 16)        /* cap on /proc/modules lines */
#ifndef NATIVE_PROC_MODULES
#define NATIVE_PROC_MODULES "/proc/modules"
/* wine.c: Wine processes (their Windows side: PEB, PE modules, exports) */
struct peb_info;
/* 1 when pid runs Wine's loader (wine64, wine64-preloader; wine, wine-preloader for
 * i386), *is64 set; else 0. */
int wine_is_process(uint64_t pid, int *is64);
/* The same from the executable's path (the link /proc/PID/exe holds). */
int wine_exe(const char *exe, int *is64);
/* Its PEB (found from its main thread's TEB: gs_base for x64, fs_base for i386) and
 * process parameters, in the layout of its bitness (free with peb_info_free). */
int wine_process_info(void *handle, uint64_t pid, struct peb_info *info, char *errbuf);
/* Its PE modules from the loader's list (format "pe", Windows paths). */
int wine_modules(void *handle, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf);
/* The exports of its PE modules; MODULE!EXPORT (case-insensitive module names, ".dll"
 * added, forwarders followed); the export at or below an address. */
int wine_symbols(void *handle, uint64_t pid, mf_symbol_cb cb, void *ctx, char *errbuf);
int wine_symbol_lookup(void *handle, uint64_t pid, const char *name, mf_symbol_cb cb, void *ctx, char *errbuf);
int wine_symbol_at(void *handle, uint64_t pid, uint64_t addr, mf_symbol_cb cb, void *ctx, char *errbuf);

#endif

#if defined(__x86_64__)
#define NATIVE_ARCH MF_ARCH_X86_64
#elif defined(__i386__)
#define NATIVE_ARCH MF_ARCH_X86_32
#elif defined(__aarch64__)
#define NATIVE_ARCH MF_ARCH_AARCH64
#else
#define NATIVE_ARCH MF_ARCH_UNKNOWN
#endif

/* procfs.c */
/* "/proc/PID/WHAT" (or "/proc/WHAT" when pid < 0) into buf; no stdio on the hot path. */
void native_path(char *buf, size_t cap, long long pid, const char *what);
/* Up to cap bytes of path into buf (one open, reads until EOF or full).  Returns the
 * length, or -errno. */
/* Decimal and hex numbers in [s, end): 0 and the end in *next (if not NULL), or -1 when
 * there is no digit or the value overflows 64 bits. */
int native_parse_dec(const char *s, const char *end, uint64_t *out, const char **next);
int native_parse_hex(const char *s, const char *end, uint64_t *out, const char **next);
/* A pid that /proc can have. */
int native_pid_ok(uint64_t pid);
/* The architecture of an ELF header (20 bytes): 32-bit x86, else the host's. */
uint32_t native_elf_arch(const uint8_t *h);
typedef int (*native_line_cb)(void *ctx, char *line, size_t len);
/* A /proc text file line by line (lines NUL ended, without their newline); a line longer
 * than NATIVE_MAPS_BUF is truncated.  Returns 0, the callback's non-zero value, or -errno
 * from open; *over is set when the file has more than max_lines lines. */
int native_lines(const char *path, native_line_cb cb, void *ctx, unsigned max_lines, int *over);
/* The error for a /proc/PID file that could not be opened (-errno in err). */
int native_open_err(char *errbuf, int err, uint64_t pid, const char *what);

/* processes.c */
int native_processes(void *handle, mf_process_cb cb, void *ctx, char *errbuf);
int native_process(void *handle, uint64_t pid, mf_process_cb cb, void *ctx, char *errbuf);

/* maps.c */
/* One maps line "start-end perms offset dev inode   path" into m (perms in perms[],
 * m->path points into line).  0, or -1 when it does not parse. */
int native_parse_map_line(char *line, size_t len, struct mf_map *m, char perms[8]);
int native_maps(void *handle, uint64_t pid, mf_map_cb cb, void *ctx, char *errbuf);

/* modules.c */
int native_modules(void *handle, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf);
/* The mapped ELF files alone (a Wine process's PE modules left out). */
int native_map_modules(uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf);

/* auxv.c (and the environment) */
/* /proc/PID/auxv: at most cap bytes into buf, the length in *len. */
int native_auxv(void *handle, uint64_t pid, uint8_t *buf, size_t cap, size_t *len, char *errbuf);
/* /proc/PID/environ: at most cap bytes into buf, the length in *len. */
int native_environment(void *handle, uint64_t pid, uint8_t *buf, size_t cap, size_t *len, char *errbuf);

/* symbols.c: the symbols of a process's modules (pluginlib/modsyms.h) */
int native_symbols(void *handle, uint64_t pid, mf_symbol_cb cb, void *ctx, char *errbuf);
int native_symbol_lookup(void *handle, uint64_t pid, const char *name, mf_symbol_cb cb, void *ctx, char *errbuf);
int native_symbol_at(void *handle, uint64_t pid, uint64_t addr, mf_symbol_cb cb, void *ctx, char *errbuf);

/* mem.c */
/* Read or write process memory (wr 1); results per entry.  0 or the whole-call error. */
int native_rw(uint64_t pid, struct mf_iov *iov, size_t n, int wr, char *errbuf);
int native_read(void *handle, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf);
int native_write(void *handle, uint64_t pid, struct mf_iov *iov, size_t n, char *errbuf);

#endif
