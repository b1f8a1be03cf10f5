/* module.c: finding and opening mf-scan's optional modules (scan/module.h). */
#include "config.h"
#include "scan/module.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <mftools/mf.h>

/* The module stays loaded for the life of the process (its table is its static data); a
 * second load of it is dlopen's own handle again. */
const void *
scan_module_load(const char *name, const char *what, char *errbuf)
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
