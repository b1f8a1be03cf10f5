/* fuzz-kcore.c: libFuzzer target for the kcore connector: the input is the ELF core in
 * place of /proc/kcore (path=), opened, mapped and read (fuzz-host.c). */
#include "config.h"

#include "fuzz-host.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_connector_file(data, size);
}
