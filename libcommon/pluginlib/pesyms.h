/* pluginlib/pesyms.h: the exports of a process's PE modules as symbols, for every os layer
 * that knows a Windows process's modules (native: a Wine process's loader list; minidump:
 * the dump's module list).  A layer adds the modules (name, base, size), gives a reader
 * of the process's memory (pe.h's pe_read_fn), and answers the three symbol operations:
 * every export (forwarders with the address the forward leads to, as GetProcAddress
 * gives it), one by NAME or MODULE!NAME (module names as the loader matches them,
 * forwarders followed across modules), the nearest export at or below an address.  Each
 * module's headers and export directory are read once, on first use.  Part of
 * libmfplugin.la (see vmcoreinfo.h for how to link it). */
#ifndef MF_PLUGINLIB_PESYMS_H
#define MF_PLUGINLIB_PESYMS_H

#include <stddef.h>
#include <stdint.h>

#include <mftools/plugin.h>
#include "pluginlib/pe.h"

struct pesyms_mod {
	uint64_t base, size;
	char *name;
	int state;                 /* 0 not read yet, 1 read, < 0 the error reading it */
	struct pe_image pe;
	struct pe_exports ex;
};

struct pesyms {
	uint64_t pid;
	pe_read_fn read;
	void *rctx;
	struct pesyms_mod *m;
	size_t n, cap;
	char why[MF_ERRBUF_SIZE];
};

void pesyms_init(struct pesyms *s, uint64_t pid, pe_read_fn read, void *rctx);
/* Add a module (its name is copied): 0 or MF_ERR_NOMEM. */
int pesyms_add(struct pesyms *s, const char *name, uint64_t base, uint64_t size);
void pesyms_free(struct pesyms *s);

/* Every export of every module, in the order they were added: 0 or the callback's value
 * (a module whose headers do not read gives none). */
int pesyms_symbols(struct pesyms *s, mf_symbol_cb cb, void *ctx, char *errbuf);
/* NAME (the first module in order that exports it) or MODULE!NAME (NAME may be #ORDINAL):
 * one callback naming the module that finally holds it, or MF_ERR_NOTFOUND. */
int pesyms_lookup(struct pesyms *s, const char *name, mf_symbol_cb cb, void *ctx, char *errbuf);
/* The export nearest at or below ADDR of the module that holds ADDR (forwarders left
 * out): one callback, or MF_ERR_NOTFOUND. */
int pesyms_at(struct pesyms *s, uint64_t addr, mf_symbol_cb cb, void *ctx, char *errbuf);

#endif
