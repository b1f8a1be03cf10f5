/* pluginlib/modsyms.h: the symbols of a process's modules, read out of the process's own
 * memory, for every os layer that lists modules (native, linux).  An ELF module's symbols
 * are its dynamic symbols (what it exports: the defined, global or weak, default-version
 * entries of .dynsym), found from its program headers, PT_DYNAMIC and DT_HASH or
 * DT_GNU_HASH as the dynamic linker finds them, so nothing but the mapped image is needed.
 *
 * A layer fills a struct modsyms with the process's modules (modsyms_add as its module
 * callback), gives it a reader of the process's memory, and answers the three symbol
 * operations with modsyms_symbols, modsyms_lookup and modsyms_at.  Every size read out of
 * the image is bounded (ModSyms caps below); pages that cannot be read lose only the
 * symbols on them.  Part of libmfplugin.la. */
#ifndef MF_PLUGINLIB_MODSYMS_H
#define MF_PLUGINLIB_MODSYMS_H

#include <stddef.h>
#include <stdint.h>

#include <mftools/plugin.h>

/* Reads process memory: the per-entry contract of the read operations (each iov's err set,
 * 0 when all of it was read); a negative return fails every entry. */
typedef int (*modsyms_read_fn)(void *rctx, struct mf_iov *iov, size_t n);

struct modsyms_mod {
	char *name;
	uint64_t base, size;
};

struct modsyms {
	uint64_t pid;
	modsyms_read_fn read;
	void *rctx;
	struct modsyms_mod *mods;
	size_t n, cap;
};

/* Caps on what one module's image may claim. */
#define MODSYMS_MAX_SYMS   (1u << 20)
#define MODSYMS_MAX_STRTAB (32u << 20)
#define MODSYMS_MAX_DYN    4096u       /* dynamic entries */

void modsyms_init(struct modsyms *ms, uint64_t pid, modsyms_read_fn read, void *rctx);
/* An mf_module_cb: keeps the module (ctx is the struct modsyms); MF_ERR_NOMEM. */
int modsyms_add(void *ms, const struct mf_module *m);
void modsyms_free(struct modsyms *ms);

/* Every symbol of every module, module by module: 0 or the callback's non-zero value. */
int modsyms_symbols(struct modsyms *ms, mf_symbol_cb cb, void *ctx, char *errbuf);
/* NAME or MODULE!NAME (MODULE: the module's name, or that name up to ".so" or a "." after
 * it: "libc" and "libc.so" name libc.so.6): one callback, or MF_ERR_NOTFOUND. */
int modsyms_lookup(struct modsyms *ms, const char *name, mf_symbol_cb cb, void *ctx, char *errbuf);
/* The symbol of the module holding ADDR nearest at or below it that contains it (a symbol
 * of size 0 contains what follows it): one callback, or MF_ERR_NOTFOUND. */
int modsyms_at(struct modsyms *ms, uint64_t addr, mf_symbol_cb cb, void *ctx, char *errbuf);

/* One of the three, as a value: a layer's three operations share one path to it. */
enum modsyms_op { MODSYMS_LIST, MODSYMS_LOOKUP, MODSYMS_AT };
struct modsyms_query {
	enum modsyms_op op;
	const char *name;      /* MODSYMS_LOOKUP */
	uint64_t addr;         /* MODSYMS_AT */
};
int modsyms_answer(struct modsyms *ms, const struct modsyms_query *q, mf_symbol_cb cb, void *ctx, char *errbuf);

/* The symbols of one module image at BASE (SIZE bytes mapped), one callback each with
 * pid, module = NAME: 0, the callback's value, or MF_ERR_* with the reason in errbuf. */
int modsyms_module(const struct modsyms *ms, const struct modsyms_mod *m, mf_symbol_cb cb, void *ctx,
                   char *errbuf);

#endif
