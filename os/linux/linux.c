/* linux.c: the `linux` os layer: a Linux kernel found in physical memory.  Open runs
 * discovery (discovery.c), decodes kallsyms (kallsyms.c) and reads the kernel's types
 * (btf.c), in that order; this file also reads kernel virtual memory for the other parts
 * and holds the descriptor. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "linux.h"
#include "lxtypes.h"
#include "maps.h"

int
lx_kread(const struct lx *lx, uint64_t va, void *buf, size_t len)
{
	struct mf_iov iov = { .addr = va, .buf = buf, .len = len };
	int r;

	if (len == 0)
		return 0;
	if (lx->phys->vread == NULL)
		return MF_ERR_UNSUPPORTED;
	r = lx->phys->vread(lx->phys->ctx, &lx->kspace, &iov, 1);
	return r < 0 ? r : iov.err;
}

int
lx_kread_u64(const struct lx *lx, uint64_t va, uint64_t *v)
{
	uint8_t b[8];
	int r = lx_kread(lx, va, b, sizeof b);

	if (r < 0)
		return r;
	/* both architectures the layer knows (x86_64, AArch64) are little-endian */
	*v = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24 |
	     (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40 | (uint64_t)b[6] << 48 | (uint64_t)b[7] << 56;
	return 0;
}

int
lx_need_types(const struct lx *lx, char *errbuf)
{
	if (lx->types != NULL)
		return 0;
	return lx->host->error(errbuf, MF_ERR_UNSUPPORTED, "linux: no kernel types (%s)", lx->types_why);
}

void
lx_kread_pages(const struct lx *lx, uint64_t va, uint8_t *buf, size_t npages)
{
	struct mf_iov iov[257];
	size_t done, i, n;

	for (done = 0; done < npages; done += n) {
		n = npages - done < sizeof iov / sizeof iov[0] ? npages - done : sizeof iov / sizeof iov[0];
		for (i = 0; i < n; i++)
			iov[i] = (struct mf_iov){ .addr = va + (done + i) * 4096, .buf = buf + (done + i) * 4096, .len = 4096 };
		if (lx->phys->vread == NULL || lx->phys->vread(lx->phys->ctx, &lx->kspace, iov, n) < 0) {
			memset(buf + done * 4096, 0, n * 4096);
			continue;
		}
		for (i = 0; i < n; i++)
			if (iov[i].err != 0)
				memset(iov[i].buf, 0, 4096);
	}
}

int
lx_image_scan(const struct lx *lx, const void *needle, size_t nlen, int (*hit)(void *ctx, uint64_t va), void *ctx)
{
	uint64_t lo = (lx->image_va & ~0xfffull) - LX_IMAGE_BEFORE, a;
	uint8_t *buf;
	int r = 0;

	if (lx->image_va == 0 || nlen == 0 || nlen > 4096)
		return 0;
	if ((buf = malloc(LX_IMAGE_CHUNK + 4096)) == NULL)
		return MF_ERR_NOMEM;
	for (a = lo; a < lo + LX_IMAGE_BEFORE + LX_IMAGE_AFTER && r == 0; a += LX_IMAGE_CHUNK) {
		const uint8_t *p = buf, *end = buf + LX_IMAGE_CHUNK;

		/* a needle across the seam starts in this chunk: seen once */
		lx_kread_pages(lx, a, buf, LX_IMAGE_CHUNK / 4096 + 1);
		while (r == 0 && p < end && (p = memmem(p, (size_t)(end - p) + nlen - 1, needle, nlen)) != NULL && p < end) {
			r = hit(ctx, a + (uint64_t)(p - buf));
			p++;
		}
	}
	free(buf);
	return r;
}

static void
linux_close(void *handle)
{
	struct lx *lx = handle;

	if (lx == NULL)
		return;
	lx_ksyms_free(lx->ksyms);
	lx_types_free(lx->types);
	free(lx);
}

static int
linux_open(const struct mf_host *host, const struct mf_phys *phys, const struct mf_args *args,
           struct mf_hints *hints, void **handle, char *errbuf)
{
	struct lx *lx;
	int r;

	(void)args;
	if (phys == NULL)
		return host->error(errbuf, MF_ERR_ARG, "the linux os layer reads physical memory: give a connector with -c");
	if ((lx = calloc(1, sizeof *lx)) == NULL)
		return host->error(errbuf, MF_ERR_NOMEM, "out of memory");
	lx->host = host;
	lx->phys = phys;
	lx->hints = hints;
	if ((r = lx_discover(lx, errbuf)) < 0)
		goto fail;
	/* a saved target: the offsets and symbols the walkers need are in the record */
	if ((r = lx_saved_load(lx)) == 0) {
		lx_store_hints(lx);
		*handle = lx;
		return 0;
	}
	if (r == MF_ERR_NOMEM || (r = lx_ksyms_load(lx, errbuf)) < 0 || (r = lx_discover_late(lx, errbuf)) < 0)
		goto fail;
	/* the kernel's BTF (btf.c), once symbols are known; without it the symbols and the
	 * kernel's memory still serve (a 32-bit kernel has no BTF) */
	if ((r = lx_types_load(lx, lx->types_why)) < 0) {
		if (r == MF_ERR_NOMEM)
			goto fail;
		host->log(1, "linux: %s: processes, maps and modules cannot be listed", lx->types_why);
	} else if (lx_init_task_find(lx) < 0) {
		host->log(1, "linux: no init_task symbol, and none found in the kernel image");
	}
	lx_store_hints(lx);
	*handle = lx;
	return 0;
fail:
	linux_close(lx);
	return r;
}

static const char *const linux_keys[] = { NULL };

static const struct mf_os linux_os = {
	MF_OS_INIT,
	.name = "linux",
	.description = "a Linux kernel in physical memory (no symbol files needed)",
	.help =
		"  (no arguments: nothing about the kernel needs to be known)\n"
		"  discovery: VMCOREINFO (the dump's note, else its text found in RAM), else the\n"
		"    \"Linux version\" banner and a page-table scan; x86_64 (4- and 5-level) and\n"
		"    AArch64, KASLR or not (mf-attach -v says how each part was found)\n"
		"  symbols: the kernel's kallsyms tables decoded from memory (pid 0; named by\n"
		"    VMCOREINFO on 6.0+, else found in the kernel image)\n"
		"  types: the kernel's own BTF (__start_BTF, else found in the image); without\n"
		"    it (32-bit kernels) only symbols and kernel memory\n"
		"  processes and threads (init_task's list), maps (maple tree or VMA list),\n"
		"  kernel modules (the module list), environments; process memory through\n"
		"  each process's page tables\n",
	.keys = linux_keys,
	.thread_model = MF_THREAD_SERIALIZE_HANDLE,
	.open = linux_open,
	.close = linux_close,
	.processes = lx_processes,
	.process = lx_process,
	.modules = lx_modules,
	.maps = lx_maps,
	.threads = lx_threads,
	.environment = lx_environment,
	.symbols = lx_symbols,
	.symbol_lookup = lx_symbol_lookup,
	.symbol_at = lx_symbol_at,
};

MF_REGISTER_OS(linux_os)
