/* A connector that claims plugin ABI 99 (newer than any mftools): the loader must refuse
 * it with its file, its ABI and ours.  Were it accepted, it would serve one page of 0xab
 * bytes at physical address 0, so a test would notice. */
#include <string.h>
#include <mftools/plugin.h>

#define BADABI_SIZE 4096

static const struct mf_range badabi_range = { 0, BADABI_SIZE };

static int
badabi_open(const struct mf_host *host, const struct mf_args *args, int writable, struct mf_hints *hints,
            void **handle, char *errbuf)
{
	*handle = (void *)&badabi_range;
	return 0;
}

static void
badabi_close(void *handle)
{
}

static int
badabi_read(void *handle, struct mf_iov *iov, size_t n, char *errbuf)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (iov[i].addr >= BADABI_SIZE || iov[i].len > BADABI_SIZE - iov[i].addr) {
			iov[i].err = MF_ERR_UNMAPPED;
			continue;
		}
		memset(iov[i].buf, 0xab, iov[i].len);
		iov[i].err = 0;
	}
	return 0;
}

static size_t
badabi_ranges(void *handle, const struct mf_range **out)
{
	*out = &badabi_range;
	return 1;
}

static const struct mf_connector badabi_connector = {
	.struct_size = sizeof(struct mf_connector),
	.abi_version = 99,
	.name = "badabi",
	.description = "test connector built for plugin ABI 99",
	.open = badabi_open,
	.close = badabi_close,
	.read = badabi_read,
	.ranges = badabi_ranges,
};

MF_REGISTER_CONNECTOR(badabi_connector)
