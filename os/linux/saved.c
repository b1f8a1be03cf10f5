/* saved.c: what the walkers need, kept in the target record (mf-attach), so that a saved
 * target opens without decoding kallsyms (~100k symbols) or parsing BTF (~4 MB): the
 * struct offsets (struct lx_off, as the binary hint `linux_offsets` with a layout id that
 * changes when the table of offsets does) and the few symbols the walkers look up (hint
 * `linux_walker_syms`).  kallsyms is still decoded on first use by anything else (a
 * symbol lookup, mf-syms).  A saved state that does not fit this kernel (its init_task
 * reads as no idle task) is not used. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "linux.h"
#include "lxtypes.h"
#include "pluginlib/bytes.h"
#include "tasks.h"

#define LX_OFF_MAGIC 0x314f584cu   /* "LXO1" */

const char *const lx_walker_sym_names[LX_NWSYMS] = { "init_task", "modules", "special_mapping_vmops",
	                                             "legacy_special_mapping_vmops", "_stext", "_etext" };

int
lx_walker_sym(const struct lx *lx, const char *name, uint64_t *va)
{
	size_t i;

	if (!lx->wsym_valid)
		return MF_ERR_UNSUPPORTED;
	for (i = 0; i < LX_NWSYMS; i++)
		if (strcmp(name, lx_walker_sym_names[i]) == 0) {
			if (lx->wsym[i] == 0)
				return MF_ERR_NOTFOUND;
			*va = lx->wsym[i];
			return 0;
		}
	return MF_ERR_UNSUPPORTED;
}

void
lx_saved_store(struct lx *lx)
{
	const struct mf_host *host = lx->host;
	uint8_t b[12 + sizeof(struct lx_off)], s[8 * LX_NWSYMS];
	size_t i;

	if (lx->types == NULL || lx->hints == NULL)
		return;
	put_le32(b, LX_OFF_MAGIC);
	put_le32(b + 4, (uint32_t)sizeof(struct lx_off));
	put_le32(b + 8, lx_off_layout_id());
	memcpy(b + 12, &lx->types->off, sizeof(struct lx_off));
	host->hint_set_bin(lx->hints, "linux_offsets", b, sizeof b);
	for (i = 0; i < LX_NWSYMS; i++) {
		uint64_t va = 0;

		if (i == 0)
			va = lx->init_task;
		else if (lx_sym(lx, lx_walker_sym_names[i], &va) < 0)
			va = 0;
		put_le64(s + 8 * i, va);
	}
	host->hint_set_bin(lx->hints, "linux_walker_syms", s, sizeof s);
}

int
lx_saved_load(struct lx *lx)
{
	const struct mf_host *host = lx->host;
	const uint8_t *b, *s;
	struct lx_types *t;
	struct lx_task init;
	size_t n, ns, i;

	if (lx->hints == NULL || (b = host->hint_get_bin(lx->hints, "linux_offsets", &n)) == NULL ||
	    (s = host->hint_get_bin(lx->hints, "linux_walker_syms", &ns)) == NULL || n != 12 + sizeof(struct lx_off) ||
	    ns != 8 * LX_NWSYMS || get_le32(b) != LX_OFF_MAGIC || get_le32(b + 4) != sizeof(struct lx_off) ||
	    get_le32(b + 8) != lx_off_layout_id())
		return MF_ERR_NOTFOUND;
	if ((t = calloc(1, sizeof *t)) == NULL)
		return MF_ERR_NOMEM;
	memcpy(&t->off, b + 12, sizeof t->off);
	if (t->off.task_size == 0 || t->off.task_size > (1u << 20) || t->off.mm_size > (1u << 20) ||
	    (t->off.vma_size != LX_NONE && t->off.vma_size > (1u << 16)) ||
	    (t->off.module_size != LX_NONE && t->off.module_size > (1u << 20))) {
		free(t);
		return MF_ERR_FORMAT;
	}
	for (i = 0; i < LX_NWSYMS; i++)
		lx->wsym[i] = get_le64(s + 8 * i);
	lx->types = t;
	lx->wsym_valid = true;
	lx->init_task = lx->wsym[0];
	/* this kernel's? its init_task must read as the boot CPU's idle task */
	if (lx->init_task == 0 || lx_task_read(lx, lx->init_task, &init) < 0 || init.pid != 0 ||
	    strncmp(init.comm, "swapper", 7) != 0) {
		lx_types_free(t);
		lx->types = NULL;
		lx->wsym_valid = false;
		lx->init_task = 0;
		return MF_ERR_FORMAT;
	}
	host->log(1, "linux: struct offsets and the walkers' symbols from the target record: kallsyms and BTF not read");
	return 0;
}
