/* plugin-int.h: the loader's view of a plugin, shared by plugin.c, plugin-abi.c, osops.c
 * and target.c. */
#ifndef MF_PLUGIN_INT_H
#define MF_PLUGIN_INT_H

#include "mf-int.h"

#include <pthread.h>

struct mfint_plugin {
	struct mfint_plugin *next;
	enum mf_plugin_kind kind;
	char *name;
	char *path;
	void *dl;
	uint32_t abi;              /* what the plugin declared (also kept when refused) */
	uint32_t thread_model;     /* enum mf_thread_model, as the host applies it */
	pthread_mutex_t lock;      /* recursive: MF_THREAD_SERIALIZE_ALL */
	uint32_t magic;            /* MFINT_PLUGIN_MAGIC: checks that a host pointer is ours */
	/* The host services this plugin is given: a per-plugin copy of mfint_host, so that
	 * the open wrapper finds the plugin from the host pointer it is called with.  Pass
	 * &p->host to u.conn.open / u.os.open. */
	struct mf_host host;
	/* What the host calls: the plugin's callbacks behind wrappers (plugin-abi.c) that
	 * serialise per the thread model, convert ABI-1 records and keep the arguments. */
	union {
		struct mf_connector conn;
		struct mf_os os;
	} u;
	/* The plugin's own descriptor, zero-filled to our size. */
	union {
		struct mf_connector conn;
		struct mf_os os;
	} real;
};

#define MFINT_PLUGIN_MAGIC 0x6d66706cu

/* Load (once per process) the plugin NAME of KIND; the result lives until exit. */
int mfint_plugin_load(enum mf_plugin_kind kind, const char *name, struct mfint_plugin **out, char *errbuf);
/* Make the descriptor `desc`, linked into the program, the plugin NAME of KIND, found by
 * name before any file (for programs that load no plugin files: the fuzz targets). */
int mfint_plugin_register(enum mf_plugin_kind kind, const char *name, const void *desc, char *errbuf);
/* All loadable connectors with MF_CONN_FILE and a probe, in search order; free the array. */
int mfint_plugin_file_connectors(struct mfint_plugin ***out, size_t *n, char *errbuf);
const char *mfint_plugin_kind_word(enum mf_plugin_kind kind);

/* ---- plugin-abi.c: checking and adopting a descriptor ---- */

/* Check the descriptor `desc` of a plugin of KIND (from file PATH, expected to call itself
 * NAME), and fill p->abi, p->thread_model, p->real, p->u and p->host.  p->abi is set as
 * soon as the header was read, also when the descriptor is refused.  0 or MF_ERR_ABI with
 * the reason (naming PATH) in errbuf. */
int mfint_plugin_adopt(struct mfint_plugin *p, enum mf_plugin_kind kind, const void *desc,
                       const char *path, const char *name, char *errbuf);
/* Release what mfint_plugin_adopt set up (the lock). */
void mfint_plugin_drop(struct mfint_plugin *p);
/* The plugin's own handle behind a handle the host holds (for osops.c). */
void *mfint_plugin_real_handle(void *handle);

/* ---- target.c: the os layer of a target (for osops.c) ---- */

/* The target's os layer and the handle to call it with; MF_ERR_UNSUPPORTED (message in
 * errbuf, which may be NULL) when the target has none. */
int mfint_target_os(struct mf_target *t, struct mfint_plugin **os, void **handle, char *errbuf);
/* MF_ERR_UNSUPPORTED, "os layer NAME cannot WHAT" (an operation the layer lacks). */
int mfint_os_unsupported(const struct mfint_plugin *os, const char *what, char *errbuf);

/* ---- ABI 1: the records and tables of plugins built against the ABI-1 header ---- */

struct mfint_phys_v1 {
	void *ctx;
	int (*read)(void *ctx, struct mf_iov *iov, size_t n);
	int (*write)(void *ctx, struct mf_iov *iov, size_t n);
	size_t (*ranges)(void *ctx, const struct mf_range **out);
	int (*vread)(void *ctx, const struct mf_space *sp, struct mf_iov *iov, size_t n);
	int (*vwrite)(void *ctx, const struct mf_space *sp, struct mf_iov *iov, size_t n);
	int (*vtop)(void *ctx, const struct mf_space *sp, uint64_t va, uint64_t *pa);
};

struct mfint_process_v1 {
	uint64_t pid;
	uint64_t ppid;
	const char *name;
	const char *path;
	const char *cmdline;
	const char *state;
	int64_t uid;
	uint32_t arch;
	uint32_t reserved;
	uint64_t dtb;
	uint64_t addr;
};

struct mfint_module_v1 {
	uint64_t pid;
	const char *name;
	const char *path;
	uint64_t base;
	uint64_t size;
	uint32_t arch;
	uint32_t reserved;
};

struct mfint_map_v1 {
	uint64_t pid;
	uint64_t start;
	uint64_t end;
	const char *perms;
	uint64_t offset;
	const char *path;
};

/* The ABI-1 descriptors ended after these fields. */
#define MFINT_CONNECTOR_V1_SIZE (offsetof(struct mf_connector, probe_path) + sizeof(void *))
#define MFINT_OS_V1_SIZE (offsetof(struct mf_os, write) + sizeof(void *))

#endif
