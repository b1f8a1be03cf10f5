/* fuzz-lime.c: libFuzzer target for the lime connector: LiME and AVML captures
 * opened from the input, mapped and read (fuzz-host.c). */
#include "config.h"

#include "fuzz-host.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_connector_file(data, size);
}
