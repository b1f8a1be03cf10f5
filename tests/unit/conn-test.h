/* conn-test.h: helpers for the file connector unit tests: build files in a scratch
 * directory, open a connector on them, read one entry.  Header-only. */
#ifndef MF_CONN_TEST_H
#define MF_CONN_TEST_H

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pluginlib/bytes.h"
#include "tap.h"
#include "plugin-harness.h"

static char ct_dir[64];

static void
ct_cleanup(void)
{
	char cmd[128];

	if (ct_dir[0] != '\0') {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", ct_dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", ct_dir);
	}
}

static __attribute__((unused)) const char *
ct_path(const char *name)
{
	static char buf[8][256];
	static int k;
	char *p = buf[k++ % 8];

	if (ct_dir[0] == '\0') {
		strcpy(ct_dir, "/tmp/mf-conn-test-XXXXXX");
		if (mkdtemp(ct_dir) == NULL) {
			perror("mkdtemp");
			exit(1);
		}
		atexit(ct_cleanup);
	}
	snprintf(p, 256, "%s/%s", ct_dir, name);
	return p;
}

/* Write a file in the scratch directory; returns its path. */
static __attribute__((unused)) const char *
ct_write(const char *name, const void *data, size_t n)
{
	const char *path = ct_path(name);
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	return path;
}

/* A skipped test point, with the reason. */
static __attribute__((unused)) void
ct_skip(const char *why)
{
	tap_count++;
	printf("ok %d # skip %s\n", tap_count, why);
}

/* A third-party sample from $MF_TOP_SRCDIR/tests/fixtures/third-party, or NULL if absent
 * (a failure: the samples are in the tree). */
static __attribute__((unused)) const char *
ct_third_party(const char *name)
{
	static char buf[2][1024];
	static int k;
	const char *top = getenv("MF_TOP_SRCDIR");
	char *p = buf[k++ % 2];

	snprintf(p, 1024, "%s/tests/fixtures/third-party/%s", top ? top : ".", name);
	return access(p, R_OK) == 0 ? p : NULL;
}

/* A growable byte buffer. */
struct ct_buf {
	uint8_t *p;
	size_t n, cap;
};

static __attribute__((unused)) void *
ct_put(struct ct_buf *b, const void *data, size_t n)
{
	void *at;

	if (b->n + n > b->cap) {
		size_t nc = b->cap ? b->cap : 4096;

		while (nc < b->n + n)
			nc *= 2;
		b->p = realloc(b->p, nc);
		if (b->p == NULL)
			exit(1);
		b->cap = nc;
	}
	at = b->p + b->n;
	if (data)
		memcpy(at, data, n);
	else
		memset(at, 0, n);
	b->n += n;
	return at;
}

static __attribute__((unused)) void
ct_u8(struct ct_buf *b, uint8_t v) { ct_put(b, &v, 1); }
static __attribute__((unused)) void
ct_u16(struct ct_buf *b, uint16_t v) { put_le16(ct_put(b, NULL, 2), v); }
static __attribute__((unused)) void
ct_u32(struct ct_buf *b, uint32_t v) { put_le32(ct_put(b, NULL, 4), v); }
static __attribute__((unused)) void
ct_u64(struct ct_buf *b, uint64_t v) { put_le64(ct_put(b, NULL, 8), v); }

/* The test pattern: a byte that depends on the physical address. */
static __attribute__((unused)) uint8_t
ct_pat(uint64_t addr)
{
	uint64_t x = addr * 0x9E3779B97F4A7C15ull;

	return (uint8_t)(x >> 56);
}

static __attribute__((unused)) void
ct_put_pat(struct ct_buf *b, uint64_t addr, size_t n)
{
	uint8_t *p = ct_put(b, NULL, n);
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = ct_pat(addr + i);
}

static __attribute__((unused)) int
ct_is_pat(const uint8_t *p, uint64_t addr, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ct_pat(addr + i))
			return 0;
	return 1;
}

/* An open connector. */
struct ct_conn {
	const struct mf_connector *c;
	void *h;
	struct mf_hints *hints;
	int rc;
	char err[MF_ERRBUF_SIZE];
};

/* Open c on path (plus an optional key=value); rc and err hold the result. */
static __attribute__((unused)) int
ct_open2(struct ct_conn *o, const struct mf_connector *c, const char *path, const char *key,
         const char *val, int writable)
{
	struct mf_kv kv[2] = { { "path", path }, { key, val } };
	struct mf_args args = { NULL, key ? 2 : 1, kv };

	memset(o, 0, sizeof *o);
	o->c = c;
	o->hints = mf_hints_new();
	o->rc = c->open(mf_host(), &args, writable, o->hints, &o->h, o->err);
	if (o->rc < 0)
		o->h = NULL;
	return o->rc;
}

static __attribute__((unused)) int
ct_open(struct ct_conn *o, const struct mf_connector *c, const char *path)
{
	return ct_open2(o, c, path, NULL, NULL, 0);
}

static __attribute__((unused)) void
ct_close(struct ct_conn *o)
{
	if (o->h)
		o->c->close(o->h);
	mf_hints_free(o->hints);
	o->h = NULL;
	o->hints = NULL;
}

/* Read one entry; returns its err (or the batch error). */
static __attribute__((unused)) int
ct_read(struct ct_conn *o, uint64_t addr, void *buf, uint64_t len)
{
	struct mf_iov v = { .addr = addr, .buf = buf, .len = len, .err = 12345 };
	char err[MF_ERRBUF_SIZE] = "";
	int rc = o->c->read(o->h, &v, 1, err);

	return rc < 0 ? rc : v.err;
}

/* Does the open fail with this code and a message containing `want`? */
static __attribute__((unused)) void
ct_open_fails(const struct mf_connector *c, const char *path, int code, const char *want, const char *name)
{
	struct ct_conn o;

	ct_open(&o, c, path);
	if (!ok(o.rc == code && strstr(o.err, want) != NULL, "%s: open fails (%s)", name, mf_strerror(code)))
		printf("#   got %d '%s', want %d '...%s...'\n", o.rc, o.err, code, want);
	ct_close(&o);
}

static __attribute__((unused)) const char *
ct_hint_str(struct ct_conn *o, const char *key)
{
	return mf_hints_get_str(o->hints, key);
}

static __attribute__((unused)) uint64_t
ct_hint_u64(struct ct_conn *o, const char *key)
{
	uint64_t v = 0xdeadbeefdeadbeefull;

	if (mf_hints_get_u64(o->hints, key, &v) < 0)
		printf("#   hint %s absent\n", key);
	return v;
}

static __attribute__((unused)) const struct mf_connector *
ct_connector(const char *name)
{
	const struct mf_connector *c = harness_connector(harness_plugin_path("connector", name));

	if (c == NULL) {
		printf("Bail out! cannot load connector %s\n", name);
		exit(1);
	}
	return c;
}

#endif
