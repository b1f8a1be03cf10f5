/* fuzz-host.h: what the connector fuzz targets share (fuzz-host.c): libmf's own host
 * services (mfint_host, so ASan sees every byte a connector hands over as a hint), the
 * input as a file the connector opens, and a driver that opens a connector, checks its
 * memory map and reads it.  Each target links one connector, reached through
 * mf_connector_entry. */
#ifndef MF_FUZZ_HOST_H
#define MF_FUZZ_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <mftools/mf.h>
#include <mftools/plugin.h>

const struct mf_connector *mf_connector_entry(void);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Put `size` bytes in the memfd of `slot` (0 or 1, each made once) and return its path,
 * "/proc/self/fd/N" (a static buffer per slot), or NULL. */
const char *fz_file(int slot, const void *data, size_t size);

/* Open the connector with `args` (read-only), abort unless its memory map is sorted and
 * disjoint, read both edges, the middle and just past the end of each range (twice: the
 * second time through the connector's caches), then a few fixed addresses; close. */
void fz_run(const struct mf_args *args);

/* The whole test of a connector that reads one file: probe the input, then fz_run it as
 * path=FILE.  Returns 0 (libFuzzer's convention). */
int fz_connector_file(const uint8_t *data, size_t size);

#endif
