/* pagemap-os.c: a test-only os layer that hands on the page map of one address space as
 * the host's struct mf_phys gives it (page_map), so that a test sees what every os layer
 * sees.  Arguments: arch= and root= the space; stop=N makes the callback return 42 after
 * N runs.  maps(pid 0) gives one map per run: start/end the run's VAs, offset its PA,
 * perms "rwx" as MF_PAGE_W/X (read always), then 'u' for a user page or 'k', path the
 * page size in decimal. */
#include "config.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <mftools/plugin.h>

struct pagemap {
	const struct mf_host *host;
	const struct mf_phys *phys;
	struct mf_space sp;
	uint64_t stop;
};

struct pagemap_walk {
	const struct pagemap *pm;
	uint64_t n;
	mf_map_cb cb;
	void *ctx;
};

static int
pagemap_run(void *ctx, const struct mf_page_run *run)
{
	struct pagemap_walk *pw = ctx;
	char perms[5], size[24];
	int r;

	snprintf(perms, sizeof perms, "r%c%c%c", run->flags & MF_PAGE_W ? 'w' : '-', run->flags & MF_PAGE_X ? 'x' : '-',
	         run->flags & MF_PAGE_U ? 'u' : 'k');
	snprintf(size, sizeof size, "%" PRIu64, run->page_size);
	struct mf_map m = {
		.struct_size = sizeof m,
		.start = run->va,
		.end = run->va + run->len,
		.perms = perms,
		.offset = run->pa,
		.path = size,
	};
	if ((r = pw->cb(pw->ctx, &m)) != 0)
		return r;
	return ++pw->n == pw->pm->stop ? 42 : 0;
}

static int
pagemap_maps(void *handle, uint64_t pid, mf_map_cb cb, void *ctx, char *errbuf)
{
	struct pagemap *pm = handle;
	struct pagemap_walk pw = { pm, 0, cb, ctx };

	if (pid != 0)
		return pm->host->error(errbuf, MF_ERR_NOTFOUND, "no process %" PRIu64, pid);
	if (!MF_PHYS_HAS(pm->phys, page_map))
		return pm->host->error(errbuf, MF_ERR_UNSUPPORTED, "the host's struct mf_phys has no page_map");
	return pm->phys->page_map(pm->phys->ctx, &pm->sp, 0, 0, pagemap_run, &pw);
}

static int
pagemap_processes(void *handle, mf_process_cb cb, void *ctx, char *errbuf)
{
	(void)handle, (void)cb, (void)ctx, (void)errbuf;
	return 0;
}

static int
pagemap_open(const struct mf_host *host, const struct mf_phys *phys, const struct mf_args *args,
             struct mf_hints *hints, void **handle, char *errbuf)
{
	const char *arch = host->arg(args, "arch"), *root = host->arg(args, "root"), *stop = host->arg(args, "stop");
	struct pagemap *pm;

	(void)hints;
	if ((pm = calloc(1, sizeof *pm)) == NULL)
		return host->error(errbuf, MF_ERR_NOMEM, "out of memory");
	pm->host = host;
	pm->phys = phys;
	if (arch == NULL || root == NULL || host->arch_parse(arch, &pm->sp.arch) < 0 || host->parse_u64(root, &pm->sp.root) < 0 ||
	    (stop != NULL && host->parse_u64(stop, &pm->stop) < 0)) {
		free(pm);
		return host->error(errbuf, MF_ERR_ARG, "pagemap: give arch= and root=");
	}
	*handle = pm;
	return 0;
}

static void
pagemap_close(void *handle)
{
	free(handle);
}

static const char *const pagemap_keys[] = { "arch", "root", "stop", NULL };

static const struct mf_os pagemap_os = {
	MF_OS_INIT,
	.name = "pagemap",
	.description = "test: the page map of one address space, from the host's mf_phys page_map",
	.keys = pagemap_keys,
	.open = pagemap_open,
	.close = pagemap_close,
	.processes = pagemap_processes,
	.maps = pagemap_maps,
};

MF_REGISTER_OS(pagemap_os)
