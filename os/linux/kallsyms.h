/* kallsyms.h: the kallsyms decoder (kallsyms.c, pure: bytes in, a table out, so the fuzz
 * target drives it) and the table it builds; kallsyms-mem.c finds and reads the tables in
 * kernel memory and calls it. */
#ifndef MF_OS_LINUX_KALLSYMS_H
#define MF_OS_LINUX_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

#define LX_KSYM_NAME_MAX 512        /* KSYM_NAME_LEN since 6.1 (128 before) */
#define LX_KSYM_MAX_SYMS 4000000u   /* far above any kernel (Debian 6.1: 94,266) */

/* The raw tables, as copied out of memory. */
struct lx_kraw {
	uint32_t num_syms;
	const uint8_t *names;           /* kallsyms_names, names_len bytes (may run past the end) */
	size_t names_len;
	const uint8_t *token_table;     /* token_table_len bytes */
	size_t token_table_len;
	const uint8_t *token_index;     /* 256 little-endian u16 */
	const uint8_t *offsets;         /* kallsyms_offsets: num_syms s32, or NULL */
	uint64_t relative_base;
	const uint8_t *addresses;       /* the old kallsyms_addresses: num_syms longs, or NULL */
	unsigned long_size;             /* the kernel's unsigned long: 8, or 4 (32-bit); 0 = 8 */
};

struct lx_ksym {
	uint64_t addr;
	uint32_t name;                  /* offset in the pool */
	char type;                      /* as /proc/kallsyms shows it: 'T', 't', 'D', ... */
};

/* The decoded kernel symbol table: sorted by address, with a by-name index. */
struct lx_ksyms {
	size_t n;
	struct lx_ksym *sym;
	uint32_t *by_name;              /* indices into sym, by name then address */
	char *pool;
	size_t pool_len;
	int percpu;                     /* absolute per-CPU symbols (KALLSYMS_ABSOLUTE_PERCPU) */
	/* where the tables were (kernel virtual addresses), for the hints */
	uint64_t va_names, va_num_syms, va_token_table, va_token_index, va_offsets, va_relative_base,
		va_addresses;
};

/* Decode RAW into a table (*out; free with lx_ksyms_free).  0, or MF_ERR_CORRUPT /
 * MF_ERR_FORMAT / MF_ERR_NOMEM with errbuf set: every length and index is checked. */
int lx_ksyms_decode(const struct lx_kraw *raw, struct lx_ksyms **out, char *errbuf);

/* The symbol named NAME (the lowest address among equal names): its index, or -1. */
long lx_ksyms_find(const struct lx_ksyms *ks, const char *name);
/* The last symbol at or below ADDR: its index, or -1. */
long lx_ksyms_at(const struct lx_ksyms *ks, uint64_t addr);

/* The size of symbol I as the kernel itself counts it (kallsyms_lookup_size_offset, the
 * "/0x..." of a backtrace): up to the next higher address in the table; 0 for the last. */
uint64_t lx_ksym_size(const struct lx_ksyms *ks, size_t i);

struct lx;
/* kallsyms-mem.c: copy the tables at the addresses in WHERE (its va_* fields) out of
 * kernel memory and decode them; check a decoded table against the kernel (_text ==
 * _stext on x86, linux_banner reads "Linux version").  0 or MF_ERR_* with errbuf set. */
int lx_ksyms_read(const struct lx *lx, const struct lx_ksyms *where, struct lx_ksyms **out, char *errbuf);
int lx_ksyms_check(const struct lx *lx, const struct lx_ksyms *ks, char *errbuf);

static inline const char *
lx_ksym_name(const struct lx_ksyms *ks, size_t i)
{
	return ks->pool + ks->sym[i].name;
}

#endif
