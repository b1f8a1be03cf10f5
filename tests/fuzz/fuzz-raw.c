/* fuzz-raw.c: libFuzzer target for the raw connector: the input is the image; one that
 * starts with "base=" has that first line as the base= argument.  Opened, mapped and read
 * (fuzz-host.c). */
#include "config.h"

#include <string.h>
#include "fuzz-host.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_parts in;
	const char *path;

	if (size < 5 || memcmp(data, "base=", 5) != 0)
		return fz_connector_file(data, size);
	fz_split(data + 5, size - 5, "\n", &in);
	if (in.n == 2 && (path = fz_file(0, in.p[1], in.len[1])) != NULL) {
		struct mf_kv kv[2] = { { "path", path }, { "base", in.p[0] } };
		struct mf_args args = { NULL, 2, kv };

		fz_run(&args);
	}
	fz_parts_free(&in);
	return 0;
}
