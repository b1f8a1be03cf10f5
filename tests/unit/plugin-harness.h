/* plugin-harness.h: load a connector or os-layer plugin file directly (no tools), for unit
 * tests of plugins.  The host a test passes to a plugin is libmf's own (mf_host()). */
#ifndef MF_PLUGIN_HARNESS_H
#define MF_PLUGIN_HARNESS_H

#include <mftools/mf.h>

/* dlopen PATH and return its descriptor (NULL with a diagnostic on failure). */
const struct mf_connector *harness_connector(const char *path);
const struct mf_os *harness_os(const char *path);
/* The plugin file in the build tree: $MF_TOP_BUILDDIR/KIND/.libs/mf-KIND-NAME.so (KIND
 * "connector" or "os"); a static buffer, overwritten by the next call. */
const char *harness_plugin_path(const char *kind, const char *name);

#endif
