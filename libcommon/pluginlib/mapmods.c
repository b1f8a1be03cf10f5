/* mapmods.c: process modules from memory maps (see mapmods.h). */
#include "pluginlib/mapmods.h"

#include <stdlib.h>
#include <string.h>

static uint64_t
mapmods_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h;
}

/* Add path to the seen set: 1 if added, 0 if it was there, -1 on out of memory. */
static int
mapmods_seen_add(struct mapmods *c, const char *path)
{
	size_t i;

	if (c->seen_n * 2 >= c->seen_cap) {
		size_t ncap = c->seen_cap ? c->seen_cap * 2 : 256, j;
		char **ns = calloc(ncap, sizeof *ns);

		if (ns == NULL)
			return -1;
		for (j = 0; j < c->seen_cap; j++) {
			if (c->seen[j] == NULL)
				continue;
			for (i = mapmods_hash(c->seen[j]) & (ncap - 1); ns[i] != NULL; i = (i + 1) & (ncap - 1))
				;
			ns[i] = c->seen[j];
		}
		free(c->seen);
		c->seen = ns;
		c->seen_cap = ncap;
	}
	for (i = mapmods_hash(path) & (c->seen_cap - 1); c->seen[i] != NULL; i = (i + 1) & (c->seen_cap - 1))
		if (strcmp(c->seen[i], path) == 0)
			return 0;
	if ((c->seen[i] = strdup(path)) == NULL)
		return -1;
	c->seen_n++;
	return 1;
}

void
mapmods_break(struct mapmods *c)
{
	c->in_run = 0;
}

int
mapmods_add(struct mapmods *c, const struct mf_map *m)
{
	const char *path = m->path != NULL ? m->path : "";
	struct mapmod *md;
	int r;

	if (c->in_run && c->n > 0 && strcmp(c->mods[c->n - 1].path, path) == 0) {
		if (m->end > c->mods[c->n - 1].end)
			c->mods[c->n - 1].end = m->end;
		return 0;
	}
	c->in_run = 0;
	if (m->offset != 0 || !(path[0] == '/' || strcmp(path, "[vdso]") == 0))
		return 0;
	if ((r = mapmods_seen_add(c, path)) < 0)
		return MF_ERR_NOMEM;
	if (r == 0)
		return 0;   /* one module per file: its first mapping at offset 0 */
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		struct mapmod *nm = realloc(c->mods, ncap * sizeof *nm);

		if (nm == NULL)
			return MF_ERR_NOMEM;
		c->mods = nm;
		c->cap = ncap;
	}
	md = &c->mods[c->n];
	memset(md, 0, sizeof *md);
	md->base = m->start;
	md->end = m->end;
	md->err = MF_ERR_NOTMAPPED;
	if ((md->path = strdup(path)) == NULL)
		return MF_ERR_NOMEM;
	c->n++;
	c->in_run = 1;
	return 0;
}

uint32_t
mapmods_elf_arch(const uint8_t *h, uint32_t dflt)
{
	unsigned machine = h[5] == 1 ? (unsigned)(h[18] | h[19] << 8) : 0;   /* little endian */

	if (h[4] == 1 /* ELFCLASS32 */ && machine == 3 /* EM_386 */)
		return MF_ARCH_X86_32;
	if (h[4] == 2 /* ELFCLASS64 */ && machine == 62 /* EM_X86_64 */)
		return MF_ARCH_X86_64;
	if (h[4] == 2 && machine == 183 /* EM_AARCH64 */)
		return MF_ARCH_AARCH64;
	return dflt;
}

int
mapmods_emit(const struct mapmods *c, uint64_t pid, uint32_t dflt_arch, mf_module_cb cb, void *ctx)
{
	size_t i;
	int r;

	for (i = 0; i < c->n; i++) {
		const struct mapmod *md = &c->mods[i];
		const char *slash = strrchr(md->path, '/');
		struct mf_module m = { .struct_size = sizeof m };

		if (md->err != 0 || memcmp(md->head, "\x7f" "ELF", 4) != 0)
			continue;
		m.pid = pid;
		m.name = slash ? slash + 1 : md->path;
		m.path = md->path;
		m.base = md->base;
		m.size = md->end - md->base;
		m.arch = mapmods_elf_arch(md->head, dflt_arch);
		m.format = "elf";
		if ((r = cb(ctx, &m)) != 0)
			return r;
	}
	return 0;
}

void
mapmods_free(struct mapmods *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->mods[i].path);
	for (i = 0; i < c->seen_cap; i++)
		free(c->seen[i]);
	free(c->mods);
	free(c->seen);
	memset(c, 0, sizeof *c);
}
