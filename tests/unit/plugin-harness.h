/* plugin-harness.h: load a connector or os-layer plugin file directly (no tools) and give it
 * a host built from libmf's public functions.  For unit tests of plugins.  Header-only. */
#ifndef MF_PLUGIN_HARNESS_H
#define MF_PLUGIN_HARNESS_H

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <mftools/mf.h>

static void
harness_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# plugin log %d: ", level);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

static const struct mf_host harness_host = {
	.struct_size = sizeof(struct mf_host),
	.abi_version = MF_ABI_VERSION,
	.log = harness_log,
	.strerror = mf_strerror,
	.parse_u64 = mf_parse_u64,
	.arg = mf_args_get,
	.hint_set_u64 = mf_hints_set_u64,
	.hint_set_str = mf_hints_set_str,
	.hint_set_bin = mf_hints_set_bin,
	.hint_get_u64 = mf_hints_get_u64,
	.hint_get_str = mf_hints_get_str,
	.hint_get_bin = mf_hints_get_bin,
	.arch_name = mf_arch_name,
	.arch_parse = mf_arch_parse,
	.error = mf_error,
	.error_errno = mf_error_errno,
	.open_symbol_file = mf_symbol_file_open,   /* opens what the caller marked with mf_args_trust */
	.close_symbol_file = mf_symbol_file_close,
};

/* dlopen PATH and return its descriptor (NULL with a diagnostic on failure). */
static __attribute__((unused)) const struct mf_connector *
harness_connector(const char *path)
{
	const struct mf_connector *(*entry)(void);
	void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (dl == NULL) {
		printf("# dlopen %s: %s\n", path, dlerror());
		return NULL;
	}
	*(void **)&entry = dlsym(dl, MF_CONNECTOR_ENTRY_SYM);
	return entry ? entry() : NULL;
}

static __attribute__((unused)) const struct mf_os *
harness_os(const char *path)
{
	const struct mf_os *(*entry)(void);
	void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (dl == NULL) {
		printf("# dlopen %s: %s\n", path, dlerror());
		return NULL;
	}
	*(void **)&entry = dlsym(dl, MF_OS_ENTRY_SYM);
	return entry ? entry() : NULL;
}

/* The plugin file in the build tree: $MF_TOP_BUILDDIR/KIND/.libs/mf-KIND-NAME.so */
static __attribute__((unused)) const char *
harness_plugin_path(const char *kind, const char *name)
{
	static char buf[4096];
	const char *top = getenv("MF_TOP_BUILDDIR");

	snprintf(buf, sizeof buf, "%s/%s/.libs/mf-%s-%s.so", top ? top : ".",
	         kind[0] == 'c' ? "connectors" : "os", kind[0] == 'c' ? "connector" : "os", name);
	return buf;
}

#endif
