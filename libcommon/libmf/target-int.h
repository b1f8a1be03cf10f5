/* target-int.h: the target object, shared by the files of libmf that open it (target.c),
 * hold its arguments (target-args.c), detect file formats (detect.c), merge saved records
 * (saved.c), do its I/O (target-io.c) and talk to its os layer (target-os.c).  Never
 * installed. */
#ifndef MF_TARGET_INT_H
#define MF_TARGET_INT_H

#include "mf-int.h"
#include "plugin-int.h"

#include <pthread.h>

/* A plugin's arguments, owned: name, the positional argument, key=value pairs. */
struct mfint_targs {
	char *name;
	char *def;
	size_t n;
	struct mf_kv *kv;   /* key and value strings owned */
};


struct mf_target {
	char *name;
	struct mfint_plugin *conn;
	void *ch;
	struct mfint_targs cargs;
	struct mfint_plugin *os;
	void *oh;
	struct mfint_targs oargs;
	struct mf_hints *hints;
	const struct mf_range *ranges;
	size_t nranges;
	struct mf_phys phys;
	/* Translators (target-io.c): one per caller at a time, so that threads never share one;
	 * lock guards the lists and the process-space cache below. */
	pthread_mutex_t lock;
	struct mfint_xl *xl_free;    /* idle */
	struct mfint_xl *xl_all;     /* every one, freed with the target */
	struct mfint_xl *xl_own;     /* mf_target_vat's, never in xl_free */
	unsigned flags;
	bool space_valid;
	uint64_t space_pid;
	struct mf_space space;
	char errbuf[MF_ERRBUF_SIZE];
};

/* target-args.c: a plugin's arguments, owned */
void mfint_targs_clear(struct mfint_targs *a);
int mfint_targs_add(struct mfint_targs *a, const char *key, const char *value);
/* Move the positional argument to keys[0], check every key against the plugin's list, make
 * a "path" absolute. */
int mfint_targs_normalise(struct mfint_targs *a, const char *kind, const char *const *keys, char *errbuf);
struct mf_args mfint_targs_view(const struct mfint_targs *a);
const char *mfint_targs_get(const struct mfint_targs *a, const char *key);
/* From a spec string ("lime:/x", a bare path for a connector: "file:PATH"). */
int mfint_targs_from_string(struct mfint_targs *a, const char *s, bool conn, char *errbuf);
/* From and to a target record's "connector"/"connector_args" ("os"/"os_args") fields. */
int mfint_targs_from_rec(struct mfint_targs *a, const struct mf_rec *rec, const char *key, const char *argkey,
                         char *errbuf);
int mfint_targs_to_rec(struct mf_rec *r, const char *key, const char *argkey, const struct mfint_targs *a);

/* detect.c: "file:PATH": the connector that recognises the file, into a->name. */
int mfint_detect_file(struct mfint_targs *a, char *errbuf);

/* saved.c: hints of a saved target record (mf-dump's ELF note) fill what the dump lacks. */
void mfint_target_merge_saved(struct mf_target *t);

/* target-io.c: the struct mf_phys an os layer reads the target through; freeing the
 * translators. */
void mfint_target_os_phys(struct mf_target *t);
void mfint_target_free_vats(struct mf_target *t);

#endif
