/* plugin-int.h: the loader's view of a plugin, shared by plugin.c and target.c. */
#ifndef MF_PLUGIN_INT_H
#define MF_PLUGIN_INT_H

#include "mf-int.h"

struct mfint_plugin {
	struct mfint_plugin *next;
	enum mf_plugin_kind kind;
	char *name;
	char *path;
	void *dl;
	uint32_t abi;
	union {   /* a zero-filled copy of the plugin's descriptor */
		struct mf_connector conn;
		struct mf_os os;
	} u;
};

/* Load (once per process) the plugin NAME of KIND; the result lives until exit. */
int mfint_plugin_load(enum mf_plugin_kind kind, const char *name, struct mfint_plugin **out, char *errbuf);
/* All loadable connectors with MF_CONN_FILE and a probe, in search order; free the array. */
int mfint_plugin_file_connectors(struct mfint_plugin ***out, size_t *n, char *errbuf);
const char *mfint_plugin_kind_word(enum mf_plugin_kind kind);

#endif
