/* pluginlib/mapmods.h: the modules of a process from its memory maps, as every os layer
 * that has maps defines them: one module per mapped file, starting at the file's first
 * mapping at offset 0 and running over the mappings of the same file that follow it; a
 * candidate is a module when its first bytes are an ELF header.  The native layer feeds
 * it /proc/PID/maps lines, the linux layer the VMAs it walks; each reads the candidates'
 * ELF headers its own way (one batch), then mapmods_emit hands out the modules. */
#ifndef MF_PLUGINLIB_MAPMODS_H
#define MF_PLUGINLIB_MAPMODS_H

#include <stddef.h>
#include <stdint.h>

#include <mftools/plugin.h>

#define MAPMODS_HEAD 20        /* the ELF header bytes a candidate needs (e_machine) */

struct mapmod {
	uint64_t base, end;
	char *path;
	uint8_t head[MAPMODS_HEAD];   /* filled by the caller */
	int32_t err;                  /* the caller's read result for head: 0 = read */
};

struct mapmods {
	struct mapmod *mods;
	size_t n, cap;
	char **seen;                  /* open-addressing set of paths that had a candidate */
	size_t seen_cap, seen_n;
	int in_run;                   /* the previous mapping extended mods[n-1] */
};

/* Feed one mapping, in address order (m->path "" for anonymous memory): 0, or
 * MF_ERR_NOMEM.  mapmods_break: something that is not a mapping came between. */
int mapmods_add(struct mapmods *c, const struct mf_map *m);
void mapmods_break(struct mapmods *c);
/* The architecture an ELF header names: 32-bit x86 for ELFCLASS32 EM_386, AArch64 for
 * EM_AARCH64, x86_64 for EM_X86_64, else `dflt`. */
uint32_t mapmods_elf_arch(const uint8_t *head, uint32_t dflt);
/* One callback per candidate with err 0 and an ELF header (pid, name = the path's last
 * part, arch from the header, else dflt_arch): 0 or the callback's non-zero value. */
int mapmods_emit(const struct mapmods *c, uint64_t pid, uint32_t dflt_arch, mf_module_cb cb, void *ctx);
void mapmods_free(struct mapmods *c);

#endif
