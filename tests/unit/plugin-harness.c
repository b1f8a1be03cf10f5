/* plugin-harness.c: load a connector or os-layer plugin file directly, for unit tests. */
#include "plugin-harness.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

/* The address of the entry point ENTRY of the plugin file PATH, or NULL with a TAP
 * diagnostic. */
static void *
harness_sym(const char *path, const char *entry)
{
	void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL), *sym;

	if (dl == NULL) {
		printf("# dlopen %s: %s\n", path, dlerror());
		return NULL;
	}
	if ((sym = dlsym(dl, entry)) == NULL)
		printf("# %s has no %s\n", path, entry);
	return sym;
}

const struct mf_connector *
harness_connector(const char *path)
{
	const struct mf_connector *(*fn)(void);

	if ((*(void **)&fn = harness_sym(path, MF_CONNECTOR_ENTRY_SYM)) == NULL)
		return NULL;
	return fn();
}

const struct mf_os *
harness_os(const char *path)
{
	const struct mf_os *(*fn)(void);

	if ((*(void **)&fn = harness_sym(path, MF_OS_ENTRY_SYM)) == NULL)
		return NULL;
	return fn();
}

const char *
harness_plugin_path(const char *kind, const char *name)
{
	static char buf[4096];
	const char *top = getenv("MF_TOP_BUILDDIR");
	int conn = kind[0] == 'c';

	snprintf(buf, sizeof buf, "%s/%s/.libs/mf-%s-%s.so", top ? top : ".", conn ? "connectors" : "os",
	         conn ? "connector" : "os", name);
	return buf;
}
