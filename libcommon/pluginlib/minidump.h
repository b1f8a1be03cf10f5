/* pluginlib/minidump.h: Windows process minidumps (MDMP, as dbghelp's MiniDumpWriteDump
 * writes them), read by the minidump connector (the memory ranges) and the minidump os
 * layer (the process, its modules, threads and memory regions).  Little-endian, 4-byte
 * packed:
 *   MINIDUMP_HEADER (32): "MDMP", u32 Version (low half 0xa793), u32 NumberOfStreams,
 *     u32 StreamDirectoryRva, u32 CheckSum, u32 TimeDateStamp, u64 Flags
 *   MINIDUMP_DIRECTORY (12): u32 StreamType, u32 DataSize, u32 Rva
 *   ThreadListStream 3: u32 count, MINIDUMP_THREAD (48): u32 ThreadId, SuspendCount,
 *     PriorityClass, Priority, u64 Teb, Stack {u64 start, u32 size, u32 rva},
 *     ThreadContext {u32 size, u32 rva}
 *   ModuleListStream 4: u32 count, MINIDUMP_MODULE (108): u64 BaseOfImage, u32 SizeOfImage,
 *     CheckSum, TimeDateStamp, ModuleNameRva @0x14, VS_FIXEDFILEINFO (52), CvRecord
 *     {u32 size, u32 rva} @0x4c, MiscRecord @0x54, 2 x u64 reserved
 *   MemoryListStream 5: u32 count, {u64 start, u32 size, u32 rva} (16)
 *   SystemInfoStream 7: u16 ProcessorArchitecture (0 x86, 9 AMD64, 12 ARM64), ...,
 *     u8 NumberOfProcessors @6, u32 Major/Minor/BuildNumber @8/0xc/0x10
 *   Memory64ListStream 9: u64 count, u64 BaseRva, {u64 start, u64 size} (16); the data of
 *     the ranges one after the other from BaseRva
 *   MiscInfoStream 15: u32 SizeOfInfo, u32 Flags1 (1: ProcessId valid), u32 ProcessId
 *   MemoryInfoListStream 16: u32 SizeOfHeader, u32 SizeOfEntry, u64 count, entries of
 *     MINIDUMP_MEMORY_INFO (48): u64 BaseAddress, AllocationBase, u32 AllocationProtect,
 *     pad, u64 RegionSize, u32 State, Protect, Type, pad
 *   MINIDUMP_STRING: u32 Length in bytes, then UTF-16LE
 *   CodeView records: "RSDS" GUID(16) u32 Age, PDB name; "NB10" u32 offset, u32 timestamp,
 *     u32 age, PDB name
 *   ThreadListStream, ModuleListStream and MemoryListStream may carry 4 bytes of padding
 *     after their count (a DataSize 4 larger than the entries need).
 * Every RVA and size is checked against the file's size, every count capped; the
 * metadata's reads all go through md_parse's reader, so the connector can record them
 * (md_blob) for the os layer, which parses the same bytes again from that record
 * (md_blob_read): the os layer never opens the file.  Part of libmfplugin.la (see
 * vmcoreinfo.h for how to link it). */
#ifndef MF_PLUGINLIB_MINIDUMP_H
#define MF_PLUGINLIB_MINIDUMP_H

#include <stddef.h>
#include <stdint.h>

#include <mftools/plugin.h>

#define MD_MAX_STREAMS (1u << 16)
#define MD_MAX_MODULES (1u << 16)
#define MD_MAX_THREADS (1u << 16)
#define MD_MAX_RANGES (1u << 20)        /* memory ranges (MemoryList, Memory64List) */
#define MD_MAX_INFOS (1u << 20)         /* MemoryInfoList entries */
#define MD_MAX_STRING (64u << 10)       /* bytes of one MINIDUMP_STRING */
#define MD_MAX_CV (64u << 10)           /* bytes of one CodeView record */
#define MD_MAX_CONTEXT 4096u            /* bytes of one thread CONTEXT kept */
#define MD_MAX_BLOB (64u << 20)         /* bytes of metadata recorded for the os layer */

/* stream types */
enum {
	MD_THREAD_LIST = 3, MD_MODULE_LIST = 4, MD_MEMORY_LIST = 5, MD_SYSTEM_INFO = 7,
	MD_MEMORY64_LIST = 9, MD_MISC_INFO = 15, MD_MEMORY_INFO_LIST = 16, MD_THREAD_INFO_LIST = 17,
};

/* Read len bytes at file offset off (which md_parse has checked lies in the file): 0, or
 * a negative MF_ERR_*. */
typedef int (*md_read_fn)(void *ctx, uint64_t off, void *buf, size_t len);

struct md_module {
	uint64_t base;
	uint32_t size, checksum, timestamp;
	char *path;                    /* UTF-8, "" when the name cannot be read */
	const char *name;              /* the path's last part */
	char *pdb;                     /* the CodeView record's PDB name, NULL if none */
	char pdb_id[48];               /* its GUID and age as symbol servers name them, "" if none */
};

struct md_thread {
	uint32_t tid, suspend_count, priority_class, priority;
	uint64_t teb;
	uint64_t stack, stack_size;
	uint8_t *context;              /* the CONTEXT bytes (at most MD_MAX_CONTEXT), NULL if none */
	uint32_t context_size;
};

struct md_range {                      /* memory held by the dump, sorted, disjoint */
	uint64_t va, size;
	uint64_t off;                  /* file offset of va */
};

struct md_info {                       /* a MemoryInfoList entry */
	uint64_t base, alloc_base, size;
	uint32_t alloc_protect, state, protect, type;
};

struct md {
	uint64_t fsize;
	uint32_t version;
	uint64_t flags;                /* MINIDUMP_TYPE the writer used */
	uint32_t arch;                 /* enum mf_arch, MF_ARCH_UNKNOWN without SystemInfo */
	uint32_t cpu_arch;             /* ProcessorArchitecture as stored (0xffff: no SystemInfo) */
	uint32_t os_major, os_minor, os_build, ncpus;
	int has_pid;
	uint32_t pid;
	struct md_module *mods;
	size_t nmods;
	struct md_thread *threads;
	size_t nthreads;
	struct md_range *mem;
	size_t nmem;
	int mem64;                     /* the ranges came from Memory64ListStream */
	uint64_t mem_cut;              /* bytes of ranges past the end of the file (left out) */
	size_t mem_overlaps;           /* ranges that overlapped others (their overlap left out) */
	struct md_info *infos;
	size_t ninfos;
	int has_infos;
	/* the recording (md_parse with record set) */
	int record;
	uint8_t *blob;
	size_t blob_len, blob_cap;
};

/* "Is this a minidump?": 100 for the MDMP signature and version, else 0. */
int md_probe(const uint8_t *head, size_t len);

/* Parse the dump (fsize bytes) through read.  With record set, every byte read is kept
 * for md_blob.  0, or MF_ERR_FORMAT / MF_ERR_LIMIT / the read's error with one line in
 * errbuf naming what is wrong (prefixed by `name`, the file in messages). */
int md_parse(struct md *m, const char *name, md_read_fn read, void *ctx, uint64_t fsize, int record, char *errbuf);
void md_free(struct md *m);

/* The recorded metadata as one byte string (owned by m, valid until md_free):
 * u64 file size, then pieces {u64 offset, u32 length, bytes} in increasing offset order. */
const uint8_t *md_blob(const struct md *m, size_t *len);

/* A reader over such a record (md_read_fn; ctx a struct md_blob_src), checked by
 * md_blob_open: pieces in order, within the file size.  0 or MF_ERR_FORMAT. */
struct md_blob_src {
	const uint8_t *p;
	size_t len;
	uint64_t fsize;
	size_t npieces;
	const uint8_t **piece;         /* each piece's header */
};
int md_blob_open(struct md_blob_src *b, const uint8_t *p, size_t len, char *errbuf);
int md_blob_read(void *ctx, uint64_t off, void *buf, size_t len);
void md_blob_close(struct md_blob_src *b);

/* A thread's registers from its CONTEXT (x64 only: AMD64 CONTEXT into mf_regs' x86_64
 * set, gs_base = the TEB): 0, MF_ERR_NOTFOUND (the dump holds no context for it) or
 * MF_ERR_UNSUPPORTED (another architecture). */
int md_thread_regs(const struct md *m, const struct md_thread *t, struct mf_regs *regs, char *errbuf);

/* "rwxp" from a MemoryInfo entry's Protect and Type ("---p" for reserved memory). */
void md_info_perms(const struct md_info *i, char perms[5]);

/* The thread with that id, or NULL; the module that holds addr, or NULL. */
const struct md_thread *md_thread_find(const struct md *m, uint64_t tid);
const struct md_module *md_module_at(const struct md *m, uint64_t addr);

#endif
