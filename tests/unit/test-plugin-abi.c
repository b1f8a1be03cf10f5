/* test-plugin-abi.c: the loader's checks and conversions (libcommon/libmf/plugin-abi.c,
 * compiled in) on descriptors built here: ABI 1 and ABI 2 accepted, a newer ABI refused
 * with both numbers, fields a plugin lacks read as zero, mandatory callbacks checked,
 * ABI-1 records and tables converted, thread models enforced, and the symbol-file service
 * opening only what the user named. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mftools/mf.h>
#include "../../libcommon/libmf/plugin-int.h"
#include "tap.h"

/* ---- a connector: counts calls and how many run at once ---- */

static pthread_mutex_t t_mu = PTHREAD_MUTEX_INITIALIZER;
static int t_running, t_max_running, t_reads;
static const struct mf_args *t_seen_args;
static const struct mf_host *t_seen_host;
static const void *t_seen_phys;
static int t_symfile_r, t_forged_r;
static char t_symfile_bytes[16];
static struct mf_range t_range = { 0x1000, 0x1000 };
static int t_handle_a, t_handle_b;

static int
t_open(const struct mf_host *host, const struct mf_args *args, int writable, struct mf_hints *hints, void **handle,
       char *errbuf)
{
	struct mf_kv kv = { "btf", "/etc/passwd" };
	struct mf_args forged = { NULL, 1, &kv };
	struct mf_symfile f = { .struct_size = sizeof f };

	(void)writable;
	(void)hints;
	t_seen_args = args;
	t_seen_host = host;
	t_symfile_r = host->open_symbol_file(args, "btf", &f, errbuf);
	if (t_symfile_r == 0) {
		memset(t_symfile_bytes, 0, sizeof t_symfile_bytes);
		memcpy(t_symfile_bytes, f.data, f.size < sizeof t_symfile_bytes - 1 ? f.size : sizeof t_symfile_bytes - 1);
		host->close_symbol_file(&f);
	}
	t_forged_r = host->open_symbol_file(&forged, "btf", &f, errbuf);
	*handle = host->arg(args, "second") ? (void *)&t_handle_b : (void *)&t_handle_a;
	return 0;
}

static void
t_close(void *handle)
{
	(void)handle;
}

static int
t_read(void *handle, struct mf_iov *iov, size_t n, char *errbuf)
{
	(void)handle;
	(void)iov;
	(void)n;
	(void)errbuf;
	pthread_mutex_lock(&t_mu);
	t_reads++;
	if (++t_running > t_max_running)
		t_max_running = t_running;
	pthread_mutex_unlock(&t_mu);
	usleep(20000);
	pthread_mutex_lock(&t_mu);
	t_running--;
	pthread_mutex_unlock(&t_mu);
	return 0;
}

static size_t
t_ranges(void *handle, const struct mf_range **out)
{
	(void)handle;
	*out = &t_range;
	return 1;
}

/* A view of t_range: the bytes of t_view_bytes, of the handle it was asked through. */
static uint8_t t_view_bytes[0x1000];
static const void *t_view_handle;

static int
t_view(void *handle, uint64_t addr, uint64_t len, const void **data)
{
	t_view_handle = handle;
	if (addr < t_range.base || addr - t_range.base >= t_range.size || len > t_range.size - (addr - t_range.base))
		return MF_ERR_UNSUPPORTED;
	*data = t_view_bytes + (addr - t_range.base);
	return 0;
}

static const struct mf_connector t_conn2 = {
	MF_CONNECTOR_INIT,
	.name = "pat",
	.thread_model = MF_THREAD_PARALLEL,
	.open = t_open,
	.close = t_close,
	.read = t_read,
	.ranges = t_ranges,
};

/* An ABI-1 connector: the same layout up to probe_path, with garbage in what was then
 * the reserved field and beyond its end. */
struct t_conn1_file {
	struct mf_connector d;
	char after[64];
};

static int
t_adopt(struct mfint_plugin *p, enum mf_plugin_kind kind, const void *desc, const char *name, char *errbuf)
{
	mfint_plugin_drop(p);
	memset(p, 0, sizeof *p);
	errbuf[0] = '\0';
	return mfint_plugin_adopt(p, kind, desc, "/x/mf-plugin.so", name, errbuf);
}

struct t_reader {
	struct mfint_plugin *p;
	void *h;
};

static void *
t_reader_main(void *arg)
{
	struct t_reader *r = arg;
	char err[MF_ERRBUF_SIZE];
	struct mf_iov v = { 0x1000, NULL, 0, 0, 0 };

	r->p->u.conn.read(r->h, &v, 1, err);
	return NULL;
}

/* Two reads at once (through handles a and b): how many ran at the same time. */
static int
t_concurrency(struct mfint_plugin *p, void *a, void *b)
{
	struct t_reader ra = { p, a }, rb = { p, b };
	pthread_t ta, tb;

	t_max_running = 0;
	pthread_create(&ta, NULL, t_reader_main, &ra);
	pthread_create(&tb, NULL, t_reader_main, &rb);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	return t_max_running;
}

static void
test_connectors(const char *symfile)
{
	struct mfint_plugin p = { 0 };
	struct t_conn1_file f1;
	struct mf_connector d;
	struct mf_kv kv[2] = { { "btf", symfile }, { "second", "1" } };
	struct mf_args args = { NULL, 1, kv }, args2 = { NULL, 2, kv };
	char err[MF_ERRBUF_SIZE];
	void *h = NULL, *h2 = NULL;
	char big[sizeof(struct mf_connector) + 64];

	/* ABI 2 */
	ok(t_adopt(&p, MF_PLUGIN_CONNECTOR, &t_conn2, "pat", err) == 0, "ABI-2 connector accepted (%s)", err);
	is_u64(p.abi, 2, "its ABI is kept");
	is_u64(p.thread_model, MF_THREAD_PARALLEL, "its thread model is kept");
	ok(p.u.conn.read != t_read && p.real.conn.read == t_read, "reads go through the host's wrapper");
	ok(p.u.conn.write == NULL, "an absent optional callback stays absent");
	ok(p.u.conn.open(&p.host, &args, 0, NULL, &h, err) == 0, "open through the wrapper");
	ok(t_seen_host == &p.host && t_seen_args != &args && t_seen_args->n == 1 && t_seen_args->kv == kv,
	   "the plugin gets its own host table and a kept copy of the arguments");
	ok(h != &t_handle_a && mfint_plugin_real_handle(h) == &t_handle_a, "the host holds a wrapped handle");
	is_u64(t_symfile_r, 0, "open_symbol_file opens the file the user named");
	ok(strcmp(t_symfile_bytes, "BTF-bytes") == 0, "and maps its bytes (%s)", t_symfile_bytes);
	is_u64((int64_t)t_forged_r, (int64_t)MF_ERR_PERM, "arguments the plugin made up are refused");
	ok(strstr(err, "only a file the user names as btf=PATH") != NULL, "with a message saying why (%s)", err);
	ok(p.u.conn.open(&p.host, &args2, 0, NULL, &h2, err) == 0, "a second handle");
	is_u64(t_concurrency(&p, h, h2), 2, "parallel: two reads at once");
	is_u64(t_concurrency(&p, h, h), 2, "parallel: also on one handle");
	p.u.conn.close(h2);
	p.u.conn.close(h);
	ok(mf_symbol_file_open(&args, "btf", &(struct mf_symfile){ .struct_size = sizeof(struct mf_symfile) }, err) ==
	   MF_ERR_PERM, "an argument list the host never gave a plugin is not trusted");

	/* the optional view (appended to the descriptor): through the wrapper when present,
	 * absent from an older descriptor whatever lies beyond its end */
	d = t_conn2;
	d.view = t_view;
	ok(t_adopt(&p, MF_PLUGIN_CONNECTOR, &d, "pat", err) == 0 && p.u.conn.view != NULL && p.u.conn.view != t_view,
	   "a connector's view goes through the host's wrapper");
	p.u.conn.open(&p.host, &args, 0, NULL, &h, err);
	{
		const void *v = NULL;

		ok(p.u.conn.view(h, 0x1010, 0x10, &v) == 0 && v == t_view_bytes + 0x10 && t_view_handle == &t_handle_a,
		   "the view answers with the plugin's pointer, asked through the plugin's own handle");
		is_u64((int64_t)p.u.conn.view(h, 0x1ff0, 0x20, &v), (int64_t)MF_ERR_UNSUPPORTED, "and its refusals");
	}
	p.u.conn.close(h);
	memset(big, 0x77, sizeof big);
	memcpy(big, &d, offsetof(struct mf_connector, view));
	((struct mf_connector *)big)->struct_size = offsetof(struct mf_connector, view);
	ok(t_adopt(&p, MF_PLUGIN_CONNECTOR, big, "pat", err) == 0 && p.u.conn.view == NULL,
	   "a descriptor that ends before view has none (the garbage after it is not read)");

	/* serialize-handle and serialize-all */
	d = t_conn2;
	d.thread_model = MF_THREAD_SERIALIZE_HANDLE;
	ok(t_adopt(&p, MF_PLUGIN_CONNECTOR, &d, "pat", err) == 0, "serialize-handle connector");
	p.u.conn.open(&p.host, &args, 0, NULL, &h, err);
	p.u.conn.open(&p.host, &args2, 0, NULL, &h2, err);
	is_u64(t_concurrency(&p, h, h2), 2, "serialize-handle: two handles in parallel");
	is_u64(t_concurrency(&p, h, h), 1, "serialize-handle: one handle one call at a time");
	p.u.conn.close(h2);
	p.u.conn.close(h);
	d.thread_model = MF_THREAD_SERIALIZE_ALL;
	ok(t_adopt(&p, MF_PLUGIN_CONNECTOR, &d, "pat", err) == 0, "serialize-all connector");
	p.u.conn.open(&p.host, &args, 0, NULL, &h, err);
	p.u.conn.open(&p.host, &args2, 0, NULL, &h2, err);
	is_u64(t_concurrency(&p, h, h2), 1, "serialize-all: one call at a time over all handles");
	p.u.conn.close(h2);
	p.u.conn.close(h);

	/* ABI 1: thread_model was reserved; whatever is there, and whatever follows, is ignored */
	memset(&f1, 0x5a, sizeof f1);
	f1.d = t_conn2;
	f1.d.struct_size = MFINT_CONNECTOR_V1_SIZE;
	f1.d.abi_version = 1;
	f1.d.thread_model = 7;
	f1.d.view = t_view;   /* past an ABI-1 descriptor's end: never read */
	ok(t_adopt(&p, MF_PLUGIN_CONNECTOR, &f1, "pat", err) == 0, "ABI-1 connector accepted (%s)", err);
	is_u64(p.abi, 1, "ABI 1 kept");
	is_u64(p.thread_model, MF_THREAD_SERIALIZE_ALL, "an ABI-1 plugin is serialised");
	ok(p.u.conn.view == NULL, "an ABI-1 plugin has no view");
	p.u.conn.open(&p.host, &args, 0, NULL, &h, err);
	p.u.conn.open(&p.host, &args2, 0, NULL, &h2, err);
	is_u64(t_concurrency(&p, h, h2), 1, "ABI 1: one call at a time");
	p.u.conn.close(h2);
	p.u.conn.close(h);

	/* a descriptor larger than ours: only our part is used */
	memset(big, 0x77, sizeof big);
	memcpy(big, &t_conn2, sizeof t_conn2);
	((struct mf_connector *)big)->struct_size = sizeof big;
	ok(t_adopt(&p, MF_PLUGIN_CONNECTOR, big, "pat", err) == 0, "a larger ABI-2 descriptor is accepted");

	/* refusals */
	d = t_conn2;
	d.abi_version = 99;
	is_u64((int64_t)t_adopt(&p, MF_PLUGIN_CONNECTOR, &d, "pat", err), (int64_t)MF_ERR_ABI, "ABI 99 refused");
	ok(strstr(err, "/x/mf-plugin.so has plugin ABI 99, this mftools has ABI 2") != NULL, "naming file and both ABIs (%s)",
	   err);
	is_u64(p.abi, 99, "the refused plugin's ABI is kept for --list");
	d.abi_version = 0;
	t_adopt(&p, MF_PLUGIN_CONNECTOR, &d, "pat", err);
	ok(strstr(err, "has plugin ABI 0, this mftools has ABI 2 and loads ABI 1 to 2") != NULL, "ABI 0 refused (%s)", err);
	d = t_conn2;
	d.read = NULL;
	t_adopt(&p, MF_PLUGIN_CONNECTOR, &d, "pat", err);
	ok(strcmp(err, "/x/mf-plugin.so: connector pat has no read callback") == 0, "a missing read callback (%s)", err);
	d = t_conn2;
	d.struct_size = offsetof(struct mf_connector, read);
	ok(t_adopt(&p, MF_PLUGIN_CONNECTOR, &d, "pat", err) == MF_ERR_ABI && strstr(err, "at least") != NULL,
	   "a truncated descriptor (%s)", err);
	d = t_conn2;
	d.thread_model = 9;
	ok(t_adopt(&p, MF_PLUGIN_CONNECTOR, &d, "pat", err) == MF_ERR_ABI && strstr(err, "thread model 9") != NULL,
	   "an unknown thread model (%s)", err);
	ok(t_adopt(&p, MF_PLUGIN_CONNECTOR, &t_conn2, "other", err) == MF_ERR_ABI && strstr(err, "calls itself 'pat'") != NULL,
	   "a name that does not match the file (%s)", err);
	mfint_plugin_drop(&p);
}

/* ---- os layers ---- */

static int
t_os_open(const struct mf_host *host, const struct mf_phys *phys, const struct mf_args *args, struct mf_hints *hints,
          void **handle, char *errbuf)
{
	(void)host;
	(void)args;
	(void)hints;
	(void)errbuf;
	t_seen_phys = phys;
	*handle = &t_handle_a;
	return 0;
}

/* ABI 1: records without struct_size */
static int
t_os1_processes(void *handle, mf_process_cb cb, void *ctx, char *errbuf)
{
	struct mfint_process_v1 p = {
		.pid = 42, .ppid = 1, .name = "init42", .path = "/sbin/x", .cmdline = "x -y", .state = "S", .uid = 7,
		.arch = MF_ARCH_X86_64, .dtb = 0x1234000, .addr = 0xffff888000001000ull,
	};

	(void)handle;
	(void)errbuf;
	return cb(ctx, (const struct mf_process *)(const void *)&p);
}

static int
t_os1_modules(void *handle, uint64_t pid, mf_module_cb cb, void *ctx, char *errbuf)
{
	struct mfint_module_v1 m = { .pid = pid, .name = "libc.so.6", .path = "/lib/libc.so.6", .base = 0x7f0000000000ull,
	                             .size = 0x200000, .arch = MF_ARCH_AARCH64 };

	(void)handle;
	(void)errbuf;
	return cb(ctx, (const struct mf_module *)(const void *)&m);
}

static int
t_os1_maps(void *handle, uint64_t pid, mf_map_cb cb, void *ctx, char *errbuf)
{
	struct mfint_map_v1 m = { .pid = pid, .start = 0x400000, .end = 0x401000, .perms = "r-xp", .offset = 0x2000,
	                          .path = "/bin/x" };

	(void)handle;
	(void)errbuf;
	return cb(ctx, (const struct mf_map *)(const void *)&m);
}

/* ABI 2: a record with struct_size 0 (bytes after the first ABI-2 fields are not its own:
 * a plugin built before start_time was added has other data there) and one cut short
 * before `addr` */
static int
t_os2_processes(void *handle, mf_process_cb cb, void *ctx, char *errbuf)
{
	struct mf_process p = { .pid = 5, .name = "five", .dtb = 0x5000, .addr = 0x55, .start_time = 77, .exited = 1 };
	struct { struct mf_process p; uint64_t garbage; } q = { .p = { .struct_size = offsetof(struct mf_process, addr),
	                                                               .pid = 6, .name = "six", .addr = 0x66 } };
	int r;

	(void)handle;
	(void)errbuf;
	if ((r = cb(ctx, &p)) != 0)
		return r;
	return cb(ctx, &q.p);
}

struct t_got {
	struct mf_process p[2];
	char names[2][16];
	size_t n;
	struct mf_module m;
	struct mf_map map;
};

static int
t_got_process(void *ctx, const struct mf_process *p)
{
	struct t_got *g = ctx;

	if (g->n < 2) {
		g->p[g->n] = *p;
		snprintf(g->names[g->n], sizeof g->names[0], "%s", p->name);
		g->n++;
	}
	return 0;
}

static int
t_got_module(void *ctx, const struct mf_module *m)
{
	((struct t_got *)ctx)->m = *m;
	return 0;
}

static int
t_got_map(void *ctx, const struct mf_map *m)
{
	((struct t_got *)ctx)->map = *m;
	return 0;
}

static int
t_phys_read(void *ctx, struct mf_iov *iov, size_t n)
{
	(void)ctx;
	(void)iov;
	(void)n;
	return 0;
}

static uint64_t t_suspended, t_resumed;

static int
t_os_suspend(void *handle, uint64_t pid, char *errbuf)
{
	(void)handle;
	(void)errbuf;
	t_suspended = pid;
	return 0;
}

static void
t_os_resume(void *handle, uint64_t pid)
{
	(void)handle;
	t_resumed = pid;
}

/* ABI 2 grows at the end: a descriptor from before suspend/resume/auxv loads without them;
 * suspend comes only with its resume. */
static void
test_os_suspend(void)
{
	struct { struct mf_os d; char after[128]; } f;
	struct mfint_plugin p = { 0 };
	char err[MF_ERRBUF_SIZE];
	void *h = NULL;

	memset(&f, 0x5a, sizeof f);
	f.d = (struct mf_os){ MF_OS_INIT, .name = "osx", .open = t_os_open, .close = t_close, .processes = t_os2_processes };
	f.d.struct_size = offsetof(struct mf_os, suspend);
	ok(t_adopt(&p, MF_PLUGIN_OS, &f, "osx", err) == 0, "an ABI-2 os layer from before suspend (%s)", err);
	ok(p.u.os.suspend == NULL && p.u.os.resume == NULL && p.u.os.auxv == NULL, "has no suspend, resume or auxv");
	mfint_plugin_drop(&p);
	f.d.struct_size = sizeof f.d;
	f.d.suspend = t_os_suspend;
	f.d.resume = NULL;
	f.d.auxv = NULL;
	ok(t_adopt(&p, MF_PLUGIN_OS, &f.d, "osx", err) == 0, "suspend without resume loads");
	ok(p.u.os.suspend == NULL && p.u.os.resume == NULL, "but suspend is not offered");
	mfint_plugin_drop(&p);
	f.d.resume = t_os_resume;
	ok(t_adopt(&p, MF_PLUGIN_OS, &f.d, "osx", err) == 0, "suspend and resume");
	p.u.os.open(&p.host, NULL, NULL, NULL, &h, err);
	ok(p.u.os.suspend != NULL && p.u.os.suspend(h, 77, err) == 0 && t_suspended == 77, "suspend reaches the plugin");
	p.u.os.resume(h, 78);
	is_u64(t_resumed, 78, "resume reaches the plugin");
	p.u.os.close(h);
	mfint_plugin_drop(&p);
}

static void
test_os(void)
{
	struct mf_os d = {
		.struct_size = MFINT_OS_V1_SIZE, .abi_version = 1, .name = "osx", .open = t_os_open, .close = t_close,
		.processes = t_os1_processes, .modules = t_os1_modules, .maps = t_os1_maps,
	};
	struct { struct mf_os d; char after[128]; } f;
	struct mf_phys phys = { .struct_size = sizeof phys, .ctx = &phys, .read = t_phys_read };
	const struct mfint_phys_v1 *p1;
	struct mfint_plugin p = { 0 };
	struct t_got g = { 0 };
	char err[MF_ERRBUF_SIZE];
	void *h = NULL;

	/* ABI 1, with garbage after its end: the ABI-2 operations read as absent */
	memset(&f, 0x5a, sizeof f);
	f.d = d;
	ok(t_adopt(&p, MF_PLUGIN_OS, &f, "osx", err) == 0, "ABI-1 os layer accepted (%s)", err);
	ok(p.u.os.symbols == NULL && p.u.os.symbol_lookup == NULL && p.u.os.symbol_at == NULL && p.u.os.threads == NULL &&
	   p.u.os.thread_regs == NULL, "operations beyond its descriptor are zero-filled");
	ok(p.u.os.process == NULL && p.u.os.read == NULL, "absent optional callbacks stay absent");
	ok(p.u.os.open(&p.host, &phys, NULL, NULL, &h, err) == 0, "open");
	p1 = t_seen_phys;
	ok(t_seen_phys != &phys && p1->ctx == &phys && p1->read == t_phys_read, "it gets physical memory in the ABI-1 layout");
	p.u.os.processes(h, t_got_process, &g, err);
	is_u64(g.n, 1, "one process");
	ok(g.p[0].struct_size == sizeof(struct mf_process) && g.p[0].pid == 42 && g.p[0].ppid == 1 && g.p[0].uid == 7 &&
	   g.p[0].arch == MF_ARCH_X86_64 && g.p[0].dtb == 0x1234000 && g.p[0].addr == 0xffff888000001000ull &&
	   strcmp(g.names[0], "init42") == 0, "an ABI-1 process record arrives in the ABI-2 shape");
	p.u.os.modules(h, 42, t_got_module, &g, err);
	ok(g.m.struct_size == sizeof g.m && g.m.pid == 42 && g.m.base == 0x7f0000000000ull && g.m.size == 0x200000 &&
	   g.m.arch == MF_ARCH_AARCH64, "an ABI-1 module record converted");
	p.u.os.maps(h, 42, t_got_map, &g, err);
	ok(g.map.struct_size == sizeof g.map && g.map.start == 0x400000 && g.map.end == 0x401000 && g.map.offset == 0x2000,
	   "an ABI-1 map record converted");
	p.u.os.close(h);

	/* ABI 2: records of struct_size 0 and shorter ones */
	d = (struct mf_os){ MF_OS_INIT, .name = "osx", .open = t_os_open, .close = t_close, .processes = t_os2_processes };
	ok(t_adopt(&p, MF_PLUGIN_OS, &d, "osx", err) == 0, "ABI-2 os layer accepted");
	p.u.os.open(&p.host, &phys, NULL, NULL, &h, err);
	ok(t_seen_phys == &phys, "an ABI-2 os layer gets the host's struct mf_phys");
	memset(&g, 0, sizeof g);
	p.u.os.processes(h, t_got_process, &g, err);
	ok(g.n == 2 && g.p[0].struct_size == sizeof(struct mf_process) && g.p[0].pid == 5 && g.p[0].addr == 0x55,
	   "struct_size 0 means the ABI-2 record");
	ok(g.p[0].start_time == 0 && g.p[0].exited == 0,
	   "struct_size 0: the fields added to ABI 2 later read as zero, not as what follows the record");
	ok(g.p[1].struct_size == sizeof(struct mf_process) && g.p[1].pid == 6 && g.p[1].addr == 0 &&
	   strcmp(g.names[1], "six") == 0, "a shorter record: what it lacks reads as zero");
	p.u.os.close(h);
	d.processes = NULL;
	t_adopt(&p, MF_PLUGIN_OS, &d, "osx", err);
	ok(strcmp(err, "/x/mf-plugin.so: os layer osx has no processes callback") == 0, "a missing processes callback (%s)",
	   err);
	mfint_plugin_drop(&p);
}

static void
test_host_services(void)
{
	char err[MF_ERRBUF_SIZE];
	struct mfint_plugin p = { 0 };

	ok(t_adopt(&p, MF_PLUGIN_CONNECTOR, &t_conn2, "pat", err) == 0, "a plugin for the host table");
	is_u64((int64_t)p.host.error(err, MF_ERR_IO, "cannot read %s at 0x%x", "x.img", 16), (int64_t)MF_ERR_IO,
	       "host->error returns its code");
	ok(strcmp(err, "cannot read x.img at 0x10") == 0, "and formats the message (%s)", err);
	is_u64((int64_t)p.host.error_errno(err, MF_ERR_PERM, 13, "cannot open %s", "y"), (int64_t)MF_ERR_PERM,
	       "host->error_errno returns its code");
	ok(strcmp(err, "cannot open y: Permission denied") == 0, "and appends strerror (%s)", err);
	ok(p.host.struct_size == sizeof(struct mf_host) && p.host.abi_version == MF_ABI_VERSION, "the host table's header");
	mfint_plugin_drop(&p);
}

int
main(void)
{
	char path[] = "/tmp/test-plugin-abi-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, "BTF-bytes", 9) != 9) {
		printf("Bail out! cannot write a temporary file\n");
		return 1;
	}
	close(fd);
	test_connectors(path);
	test_os();
	test_os_suspend();
	test_host_services();
	unlink(path);
	return done_testing();
}
