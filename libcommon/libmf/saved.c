/* saved.c: merging the target record a snapshot carries (mf-dump's ELF note). */
#include "target-int.h"

#include <string.h>

/* A snapshot written by mf-dump carries the source's target record (the elf connector
 * hands it over as the "mftools_record" hint): its hints fill what the file itself does not
 * say (kernel_base, os facts), without overriding what the connector found. */
void
mfint_target_merge_saved(struct mf_target *t)
{
	const struct mf_rec *rec;
	struct mf_hints *saved;
	struct mf_rec *hints;
	struct mf_in *in;
	const void *p;
	size_t n;

	if ((p = mf_hints_get_bin(t->hints, "mftools_record", &n)) == NULL || n == 0)
		return;
	if ((in = mfint_in_new_mem(p, n)) == NULL)
		return;
	if (mf_in_next(in, &rec, t->errbuf) > 0 && strcmp(mf_rec_type(rec), "target") == 0 &&
	    (hints = mf_rec_get_map(rec, "hints")) != NULL && (saved = mf_hints_new()) != NULL) {
		if (mfint_hints_from_rec(saved, hints) == 0)
			mfint_hints_merge_missing(t->hints, saved, "format");
		mf_hints_free(saved);
	} else {
		mf_log(1, "%s: ignoring an unreadable saved target record", t->cargs.name);
	}
	mf_in_free(in);
}
