/* conn-test-util.h: shared bits of the dump connector tests (kdump, crashdump, vmware):
 * a host that records warnings, opening a file, reading and checking a page. */
#ifndef MF_CONN_TEST_UTIL_H
#define MF_CONN_TEST_UTIL_H

#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include "tap.h"
#include "plugin-harness.h"

static char ct_lastlog[1024];
static int ct_nlogs;

static void
ct_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ct_lastlog, sizeof ct_lastlog, fmt, ap);
	va_end(ap);
	ct_nlogs++;
	printf("# plugin log %d: %s\n", level, ct_lastlog);
}

static struct mf_host ct_host;
static const struct mf_connector *ct_conn;
static char ct_dir[] = "/tmp/mf-test-conn-XXXXXX";

static void
ct_init(const char *name)
{
	ct_host = *mf_host();
	ct_host.log = ct_log;
	ct_conn = harness_connector(harness_plugin_path("connector", name));
	if (mkdtemp(ct_dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
}

static void
ct_cleanup(void)
{
	char cmd[256];

	if (getenv("MF_TEST_KEEP")) {
		printf("# kept %s\n", ct_dir);
		return;
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", ct_dir);
	if (system(cmd) != 0)
		printf("# cleanup of %s failed\n", ct_dir);
}

static const char *
ct_path(const char *name)
{
	static char buf[8][512];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof buf[i], "%s/%s", ct_dir, name);
	return buf[i];
}

static void
ct_write(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		printf("# cannot write %s\n", path);
		exit(1);
	}
}

/* Open with key=value pairs (NULL-terminated); returns the code, handle in *h. */
static __attribute__((unused)) int
ct_open_kv(void **h, struct mf_hints *hints, char *errbuf, const char *k1, const char *v1, const char *k2,
           const char *v2)
{
	struct mf_kv kv[2] = { { k1, v1 }, { k2, v2 } };
	struct mf_args args = { NULL, k2 ? 2 : 1, kv };

	ct_nlogs = 0;
	ct_lastlog[0] = '\0';
	errbuf[0] = '\0';
	return ct_conn->open(&ct_host, &args, 0, hints, h, errbuf);
}

static int
ct_open(const char *path, void **h, struct mf_hints *hints, char *errbuf)
{
	return ct_open_kv(h, hints, errbuf, "path", path, NULL, NULL);
}

/* Read len bytes at addr; returns the entry's err. */
static int
ct_read(void *h, uint64_t addr, void *buf, uint64_t len)
{
	struct mf_iov iov = { addr, buf, len, 0, 0 };
	char errbuf[MF_ERRBUF_SIZE];
	int rc = ct_conn->read(h, &iov, 1, errbuf);

	return rc < 0 ? rc : iov.err;
}

static int
ct_probe_file(const char *path)
{
	uint8_t buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	return ct_conn->probe(buf, n, n);
}

static __attribute__((unused)) int
ct_has_hint_u64(struct mf_hints *hints, const char *key, uint64_t want)
{
	uint64_t v;

	return mf_hints_get_u64(hints, key, &v) == 0 && v == want;
}

#endif
