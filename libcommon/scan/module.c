/* module.c: finding and opening mf-scan's optional modules (scan/module.h). */
#include "config.h"
#include "scan/module.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mftools/mf.h>

#define SCAN_MODULES_MAX 8

struct scan_module {
	const char *name;             /* the caller's string (a literal) */
	const void *table;
};

static struct scan_module scan_modules[SCAN_MODULES_MAX];
static size_t scan_nmodules;
static pthread_mutex_t scan_modules_mu = PTHREAD_MUTEX_INITIALIZER;

/* dlopen and check one module file: its table, or NULL with the message in errbuf.  The
 * module stays loaded for the life of the process (its table is its static data). */
static const void *
scan_module_open(const char *name, const char *what, char *errbuf)
{
	const char *dir = getenv("MF_MODULE_DIR");
	char path[4096], sym[64];
	const uint32_t *table;
	void *dl;

	if (dir != NULL && dir[0] == '/')
		snprintf(path, sizeof path, "%s/mf-scan-%s.so", dir, name);
	else
		snprintf(path, sizeof path, "%s/%s/mf-scan-%s.so", mf_plugin_dir(), SCAN_MODULE_SUBDIR, name);
	if ((dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		mf_error(errbuf, MF_ERR_UNSUPPORTED, "cannot load %s: %s", what, dlerror());
		return NULL;
	}
	snprintf(sym, sizeof sym, "scan_%s_module", name);
	if ((table = dlsym(dl, sym)) == NULL || *table != SCAN_MODULE_ABI) {
		mf_error(errbuf, MF_ERR_UNSUPPORTED, "cannot load %s: %s is not this mf-scan's module (%s %s)", what,
		         path, sym, table == NULL ? "missing" : "of another version");
		dlclose(dl);
		return NULL;
	}
	return table;
}

const void *
scan_module_load(const char *name, const char *what, char *errbuf)
{
	const void *table = NULL;
	size_t i;

	pthread_mutex_lock(&scan_modules_mu);
	for (i = 0; i < scan_nmodules && table == NULL; i++)
		if (strcmp(scan_modules[i].name, name) == 0)
			table = scan_modules[i].table;
	if (table == NULL && (table = scan_module_open(name, what, errbuf)) != NULL && scan_nmodules < SCAN_MODULES_MAX) {
		scan_modules[scan_nmodules].name = name;
		scan_modules[scan_nmodules++].table = table;
	}
	pthread_mutex_unlock(&scan_modules_mu);
	return table;
}
