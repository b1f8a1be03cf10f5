/* fuzz-vmware.c: libFuzzer target for the vmware connector: the input is the state file
 * (.vmss/.vmsn), the memory (.vmem) a fixed 64 KiB pattern; opened, mapped and read
 * (fuzz-host.c). */
#include "config.h"

#include "fuzz-host.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t mem[16 * 4096];
	const char *vmss = fz_file(0, data, size), *vmem;

	for (size_t i = 0; i < sizeof mem; i++)
		mem[i] = (uint8_t)(i * 7 + (i >> 12));
	vmem = fz_file(1, mem, sizeof mem);
	if (vmss == NULL || vmem == NULL)
		return 0;
	{
		struct mf_kv kv[2] = { { "vmss", vmss }, { "vmem", vmem } };
		struct mf_args args = { NULL, 2, kv };

		mf_connector_entry()->probe(data, size < 65536 ? size : 65536, size);
		fz_run(&args);
	}
	return 0;
}
