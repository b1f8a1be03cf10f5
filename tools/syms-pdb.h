/* syms-pdb.h: mf-syms --pdb (syms-pdb.c). */
#ifndef MF_TOOLS_SYMS_PDB_H
#define MF_TOOLS_SYMS_PDB_H

#include "tool.h"

/* List the public and global symbols of the PDB file at path matching the globs (all when
 * nglobs is 0), or with ntypes > 0 the layout of each of those types.  Opens the output
 * (no target); returns the exit status. */
int syms_pdb(struct tool *tl, const char *path, char *const *types, size_t ntypes, char *const *globs, size_t nglobs);

#endif
