/* fuzz-kdump.c: libFuzzer target for the kdump connector: kdump-compressed dumps (diskdump and makedumpfile's flattened form)
 * opened from the input, mapped and read (fuzz-host.c). */
#include "config.h"

#include "fuzz-host.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_connector_file(data, size);
}
