/* fuzz-file-connector.h: the body of a libFuzzer target for one file connector (the fuzz
 * target .c file names the connector sources): the input is the file, written to a memfd
 * and opened as /proc/self/fd/N; probe, open, walk the memory map, read a few pages. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <mftools/mf.h>
#include <mftools/plugin.h>

#include "fuzz-host.h"

const struct mf_connector *mf_connector_entry(void);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fuzz_memfd(const void *p, size_t n)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd >= 0 && n && write(fd, p, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return fd;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct mf_connector *c = mf_connector_entry();
	char path[64], path2[64], errbuf[MF_ERRBUF_SIZE];
	static uint8_t mem[16 * 4096];
	struct mf_hints *hints;
	int fd = fuzz_memfd(data, size), fd2 = -1;
	void *h = NULL;

	if (fd < 0)
		return 0;
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	c->probe(data, size < 65536 ? size : 65536, size);
	hints = mf_hints_new();
	{
		struct mf_kv kv[2] = { { "path", path }, { NULL, NULL } };
		struct mf_args args = { NULL, 1, kv };

		if (strcmp(c->name, "vmware") == 0) {
			/* the input is the state file; the memory a fixed 64 KiB file */
			for (size_t i = 0; i < sizeof mem; i++)
				mem[i] = (uint8_t)(i * 7 + (i >> 12));
			fd2 = fuzz_memfd(mem, sizeof mem);
			snprintf(path2, sizeof path2, "/proc/self/fd/%d", fd2);
			kv[0].key = "vmss";
			kv[1].key = "vmem";
			kv[1].value = path2;
			args.n = 2;
		}
		if (c->open(fz_host(), &args, 0, hints, &h, errbuf) == 0) {
			const struct mf_range *r;
			size_t n = c->ranges(h, &r);
			static uint8_t buf[3 * 65536];
			struct mf_iov iov[8];
			size_t k = 0;

			for (size_t i = 1; i < n; i++)
				if (r[i].base < r[i - 1].base + r[i - 1].size)
					__builtin_trap();   /* the map must be sorted and disjoint */
			for (size_t i = 0; i < n && k < 6; i++) {
				uint64_t len = r[i].size < sizeof buf / 8 ? r[i].size : sizeof buf / 8;

				iov[k] = (struct mf_iov){ r[i].base, buf + k * (sizeof buf / 8), len, 0, 0 };
				k++;
			}
			iov[k] = (struct mf_iov){ 0, buf + k * (sizeof buf / 8), 4096, 0, 0 };
			k++;
			iov[k] = (struct mf_iov){ 0x5000 + 123, buf + k * (sizeof buf / 8), 100, 0, 0 };
			k++;
			c->read(h, iov, k, errbuf);
			c->read(h, iov, k, errbuf);   /* again: through the caches */
			c->close(h);
		}
	}
	mf_hints_free(hints);
	if (fd2 >= 0)
		close(fd2);
	close(fd);
	return 0;
}
