/* symos: a test-only os layer (ABI 2) with a fixed symbol table and no lookups of its own,
 * so the host's lookups through the list are what the tests see.  Arguments: btf=PATH, a
 * symbol file the host opens for it (its size and first bytes become hints);
 * forge=1, which makes it try to open a path it made up (the refusal becomes a hint). */
#include <string.h>
#include <mftools/plugin.h>

struct symos {
	const struct mf_host *host;
};

static const struct mf_symbol symos_kernel[] = {
	{ .kind = MF_SYM_FUNCTION, .module = "", .name = "_stext", .addr = 0xffffffff81000000ull, .size = 0x100 },
	{ .kind = MF_SYM_DATA, .module = "", .name = "init_task", .addr = 0xffffffff82000000ull, .size = 0x40 },
	{ .kind = MF_SYM_FUNCTION, .module = "ext4", .name = "ext4_init", .addr = 0xffffffffc0000000ull },
	{ .kind = MF_SYM_FUNCTION, .module = "ext4", .name = "init_task", .addr = 0xffffffffc0001000ull, .size = 8 },
};

static const struct mf_symbol symos_user[] = {
	{ .kind = MF_SYM_EXPORT, .module = "libc.so.6", .name = "malloc", .addr = 0x7f0000001000ull, .size = 0x80 },
	{ .kind = MF_SYM_FORWARDER, .module = "kernel32.dll", .name = "HeapAlloc", .addr = 0x7f0000002000ull,
	  .forward = "ntdll.RtlAllocateHeap" },
};

static const char *const symos_keys[] = { "btf", "forge", NULL };

static int
symos_open(const struct mf_host *host, const struct mf_phys *phys, const struct mf_args *args, struct mf_hints *hints,
           void **handle, char *errbuf)
{
	static struct symos s;
	struct mf_symfile f = { .struct_size = sizeof f };
	int r;

	(void)phys;
	s.host = host;
	r = host->open_symbol_file(args, "btf", &f, errbuf);
	if (r == 0) {
		host->hint_set_u64(hints, "symfile_size", f.size);
		host->hint_set_bin(hints, "symfile_head", f.data, f.size < 8 ? f.size : 8);
		host->close_symbol_file(&f);
	} else if (r != MF_ERR_NOTFOUND) {
		return r;   /* the host's message is in errbuf */
	}
	if (host->arg(args, "forge") != NULL) {
		struct mf_kv kv = { "btf", "/etc/shadow" };
		struct mf_args made_up = { NULL, 1, &kv };

		host->hint_set_u64(hints, "forged_refused",
		                   host->open_symbol_file(&made_up, "btf", &f, errbuf) == MF_ERR_PERM);
	}
	*handle = &s;
	return 0;
}

static void
symos_close(void *handle)
{
	(void)handle;
}

static int
symos_processes(void *handle, mf_process_cb cb, void *ctx, char *errbuf)
{
	struct mf_process p = { .pid = 1, .name = "init", .path = "", .cmdline = "", .state = "S", .uid = 0 };

	(void)handle;
	(void)errbuf;
	return cb(ctx, &p);
}

static int
symos_symbols(void *handle, uint64_t pid, mf_symbol_cb cb, void *ctx, char *errbuf)
{
	struct symos *s = handle;
	const struct mf_symbol *tab = pid == 0 ? symos_kernel : symos_user;
	size_t i, n = pid == 0 ? sizeof symos_kernel / sizeof *tab : sizeof symos_user / sizeof *tab;
	int r;

	if (pid > 1)
		return s->host->error(errbuf, MF_ERR_NOTFOUND, "no process with pid %llu", (unsigned long long)pid);
	for (i = 0; i < n; i++) {
		struct mf_symbol sym = tab[i];

		sym.pid = pid;
		if ((r = cb(ctx, &sym)) != 0)
			return r;
	}
	return 0;
}

static const struct mf_os symos_os = {
	MF_OS_INIT,
	.name = "symos",
	.description = "test os layer with a fixed symbol table",
	.keys = symos_keys,
	.flags = MF_OS_NO_PHYS,
	.thread_model = MF_THREAD_SERIALIZE_HANDLE,
	.open = symos_open,
	.close = symos_close,
	.processes = symos_processes,
	.symbols = symos_symbols,
};

MF_REGISTER_OS(symos_os)
