/* test-stream.c: records, msgpack/JSON/table output and the stream reader: round trips of
 * every value type, exact table text, every reader error with its offset, partial reads. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <mftools/mf.h>
#include "tap.h"

static const char test_nul_str[] = "a\0b\"\\\n\x01z";   /* 9 bytes with the NUL */
#define TEST_NUL_LEN (sizeof test_nul_str - 1)

/* A file descriptor holding `n` bytes, positioned at 0. */
static int
test_fd_of(const void *p, size_t n)
{
	FILE *f = tmpfile();
	int fd;

	if (f == NULL)
		abort();
	fd = dup(fileno(f));
	fclose(f);
	if (n && write(fd, p, n) != (ssize_t)n)
		abort();
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* The whole content of fd from offset 0, NUL-terminated; *n its length. */
static char *
test_slurp(int fd, size_t *n)
{
	size_t cap = 1 << 16, len = 0;
	char *b = malloc(cap + 1);
	ssize_t r;

	lseek(fd, 0, SEEK_SET);
	while ((r = read(fd, b + len, cap - len)) > 0) {
		len += (size_t)r;
		if (len == cap)
			b = realloc(b, (cap *= 2) + 1);
	}
	b[len] = '\0';
	if (n)
		*n = len;
	return b;
}

static struct mf_rec *
test_full_rec(void)
{
	static unsigned char bytes[256];
	struct mf_rec *r = mf_rec_new("process"), *h, *in;
	struct mf_value arr[3], av;
	size_t i;

	for (i = 0; i < 256; i++)
		bytes[i] = (unsigned char)i;
	mf_rec_add_uint(r, "pid", 1234);
	mf_rec_add_uint(r, "umax", UINT64_MAX);
	mf_rec_add_addr(r, "addr", 0xffffffffffffffffULL);
	mf_rec_add_addr(r, "dtb", 0x1aa000);
	mf_rec_add_int(r, "neg", -1);
	mf_rec_add_int(r, "imin", INT64_MIN);
	mf_rec_add_int(r, "ipos", 300);
	mf_rec_add_float(r, "f", 1.5);
	mf_rec_add_float(r, "fone", 1.0);
	mf_rec_add_bool(r, "yes", true);
	mf_rec_add_bool(r, "no", false);
	mf_rec_add_nil(r, "nothing");
	mf_rec_add_strn(r, "name", test_nul_str, TEST_NUL_LEN);
	mf_rec_add_str(r, "utf8", "caf\xc3\xa9");
	mf_rec_add_str(r, "empty", "");
	mf_rec_add_bin(r, "data", bytes, sizeof bytes);
	h = mf_rec_add_map(r, "hints");
	mf_rec_add_str(h, "arch", "x86_64");
	mf_rec_add_addr(h, "kernel_base", 0xffffffff81000000ULL);
	in = mf_rec_add_map(h, "inner");
	mf_rec_add_uint(in, "x", 7);
	arr[0] = (struct mf_value){ .type = MF_V_UINT, .v.u = 1 };
	arr[1] = (struct mf_value){ .type = MF_V_STR, .v.s = { "two", 3 } };
	arr[2] = (struct mf_value){ .type = MF_V_MAP, .v.map = in };
	av = (struct mf_value){ .type = MF_V_ARRAY, .v.arr = { arr, 3 } };
	mf_rec_add_value(r, "list", &av);
	return r;
}

/* Check what a reader sees of test_full_rec(); json: the JSON forms of the values. */
static void
test_check_full(const struct mf_rec *r, int json, const char *how)
{
	const struct mf_value *v;
	const struct mf_rec *h, *in;
	const char *s;
	const void *p;
	uint64_t u = 0;
	int64_t i = 0;
	double f = 0;
	size_t n = 0, k;
	int allbytes = 1;

	is_str(mf_rec_type(r), "process", "%s: type", how);
	is_str(mf_rec_field(r, 0)->key, "type", "%s: type is the first field", how);
	is_int(mf_rec_count(r), 19, "%s: field count", how);
	ok(mf_rec_count(r) == 19 && strcmp(mf_rec_field(r, 1)->key, "pid") == 0 &&
	   strcmp(mf_rec_field(r, 16)->key, "data") == 0 && strcmp(mf_rec_field(r, 18)->key, "list") == 0,
	   "%s: fields in the order written", how);
	ok(mf_rec_get_u64(r, "pid", &u) == 0 && u == 1234, "%s: uint", how);
	ok(mf_rec_get_u64(r, "umax", &u) == 0 && u == UINT64_MAX, "%s: uint max", how);
	ok(mf_rec_get_u64(r, "addr", &u) == 0 && u == 0xffffffffffffffffULL, "%s: addr 0xffffffffffffffff", how);
	v = mf_rec_get(r, "addr");
	ok(v && v->type == (json ? MF_V_STR : MF_V_UINT), "%s: addr value type", how);
	ok(mf_rec_get_u64(r, "dtb", &u) == 0 && u == 0x1aa000, "%s: addr dtb", how);
	ok(mf_rec_get_i64(r, "neg", &i) == 0 && i == -1, "%s: int -1", how);
	ok(mf_rec_get_i64(r, "imin", &i) == 0 && i == INT64_MIN, "%s: int min", how);
	ok(mf_rec_get_i64(r, "ipos", &i) == 0 && i == 300, "%s: positive int", how);
	v = mf_rec_get(r, "ipos");
	ok(v && v->type == (json ? MF_V_UINT : MF_V_INT), "%s: positive int value type", how);
	is_int(mf_rec_get_u64(r, "neg", &u), MF_ERR_FORMAT, "%s: get_u64 of a negative int", how);
	ok(mf_rec_get_f64(r, "f", &f) == 0 && f == 1.5, "%s: float", how);
	v = mf_rec_get(r, "fone");
	ok(v && v->type == MF_V_FLOAT && v->v.f == 1.0, "%s: float 1.0 stays a float", how);
	v = mf_rec_get(r, "yes");
	ok(v && v->type == MF_V_BOOL && v->v.b, "%s: true", how);
	v = mf_rec_get(r, "no");
	ok(v && v->type == MF_V_BOOL && !v->v.b, "%s: false", how);
	v = mf_rec_get(r, "nothing");
	ok(v && v->type == MF_V_NIL, "%s: nil", how);
	ok(mf_rec_get_str(r, "name", &s, &n) == 0 && n == TEST_NUL_LEN && memcmp(s, test_nul_str, n) == 0,
	   "%s: string with NUL, quote, backslash, newline, control byte", how);
	ok(mf_rec_get_str(r, "utf8", &s, &n) == 0 && n == 5 && strcmp(s, "caf\xc3\xa9") == 0, "%s: utf-8 string", how);
	ok(mf_rec_get_str(r, "empty", &s, &n) == 0 && n == 0, "%s: empty string", how);
	v = mf_rec_get(r, "data");
	ok(v && v->type == (json ? MF_V_STR : MF_V_BIN), "%s: bin value type", how);
	ok(mf_rec_get_bin(r, "data", &p, &n) == 0 && n == 256, "%s: bin length", how);
	for (k = 0; k < n; k++)
		allbytes &= ((const unsigned char *)p)[k] == k;
	ok(allbytes, "%s: bin bytes 00..ff", how);
	h = mf_rec_get_map(r, "hints");
	ok(h != NULL && mf_rec_count(h) == 3, "%s: nested map", how);
	if (h != NULL) {
		is_str(mf_rec_type(h), "", "%s: nested map has no type", how);
		ok(mf_rec_get_str(h, "arch", &s, NULL) == 0 && strcmp(s, "x86_64") == 0, "%s: hints.arch", how);
		ok(mf_rec_get_u64(h, "kernel_base", &u) == 0 && u == 0xffffffff81000000ULL, "%s: hints.kernel_base", how);
		in = mf_rec_get_map(h, "inner");
		ok(in && mf_rec_get_u64(in, "x", &u) == 0 && u == 7, "%s: map in a map", how);
	}
	v = mf_rec_get(r, "list");
	ok(v && v->type == MF_V_ARRAY && v->v.arr.n == 3 &&
	   v->v.arr.v[0].type == MF_V_UINT && v->v.arr.v[0].v.u == 1 &&
	   v->v.arr.v[1].type == MF_V_STR && v->v.arr.v[1].v.s.n == 3 && memcmp(v->v.arr.v[1].v.s.p, "two", 3) == 0 &&
	   v->v.arr.v[2].type == MF_V_MAP && mf_rec_get_u64(v->v.arr.v[2].v.map, "x", &u) == 0 && u == 7,
	   "%s: array of uint, string, map", how);
}

/* Write records in fmt to a temporary file; return fd at 0. */
static int
test_write(enum mf_format fmt, struct mf_rec **recs, size_t n)
{
	int fd = test_fd_of(NULL, 0);
	struct mf_out *o = mf_out_new(fd, fmt);
	size_t i;

	for (i = 0; i < n; i++)
		if (mf_out_rec(o, recs[i]) != 0)
			ok(0, "mf_out_rec");
	if (mf_out_close(o) != 0)
		ok(0, "mf_out_close");
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static void
test_round_trips(void)
{
	struct mf_rec *full = test_full_rec(), *second = mf_rec_new("module"), *recs[3];
	const struct mf_rec *r;
	char err[MF_ERRBUF_SIZE] = "";
	enum mf_format fmts[2] = { MF_FMT_MSGPACK, MF_FMT_JSON };
	int k;

	mf_rec_add_str(second, "name", "libc.so.6");
	recs[0] = full;
	recs[1] = second;
	recs[2] = full;
	for (k = 0; k < 2; k++) {
		const char *how = mf_format_name(fmts[k]);
		int fd = test_write(fmts[k], recs, 3);
		struct mf_in *in = mf_in_new(fd);

		is_int(mf_in_next(in, &r, err), 1, "%s: first record (%s)", how, err);
		if (err[0]) return;
		test_check_full(r, k == 1, how);
		is_int(mf_in_next(in, &r, err), 1, "%s: second record", how);
		is_str(mf_rec_type(r), "module", "%s: second record's type", how);
		is_int(mf_rec_count(r), 2, "%s: the reused record holds only the second's fields", how);
		mf_in_unread(in);
		is_int(mf_in_next(in, &r, err), 1, "%s: unread record comes back", how);
		is_str(mf_rec_type(r), "module", "%s: ... the same one", how);
		is_int(mf_in_next(in, &r, err), 1, "%s: third record", how);
		test_check_full(r, k == 1, "third");
		is_int(mf_in_next(in, &r, err), 0, "%s: clean end", how);
		is_int(mf_in_next(in, &r, err), 0, "%s: still the end", how);
		mf_in_free(in);
		close(fd);
	}
	mf_rec_free(full);
	mf_rec_free(second);
}

static void
test_rec_api(void)
{
	struct mf_rec *r = mf_rec_new("hit"), *d, *m;
	const void *p;
	uint64_t u;
	int64_t i;
	size_t n, k;

	mf_rec_add_str(r, "a", "0x1F");
	mf_rec_add_str(r, "b", "18446744073709551615");
	mf_rec_add_str(r, "c", "18446744073709551616");
	mf_rec_add_str(r, "d", "0x");
	mf_rec_add_str(r, "e", "deadBEEF");
	mf_rec_add_str(r, "f", "abc");
	mf_rec_add_str(r, "g", "-42");
	ok(mf_rec_get_u64(r, "a", &u) == 0 && u == 0x1f, "get_u64 of \"0x1F\"");
	ok(mf_rec_get_u64(r, "b", &u) == 0 && u == UINT64_MAX, "get_u64 of the largest decimal string");
	is_int(mf_rec_get_u64(r, "c", &u), MF_ERR_FORMAT, "get_u64 of 2^64: format error, not wrapped");
	is_int(mf_rec_get_u64(r, "d", &u), MF_ERR_FORMAT, "get_u64 of \"0x\"");
	is_int(mf_rec_get_u64(r, "zz", &u), MF_ERR_NOTFOUND, "get_u64 of a missing key");
	ok(mf_rec_get_i64(r, "g", &i) == 0 && i == -42, "get_i64 of \"-42\"");
	ok(mf_rec_get_bin(r, "e", &p, &n) == 0 && n == 4 && memcmp(p, "\xde\xad\xbe\xef", 4) == 0,
	   "get_bin of a hex string");
	ok(mf_rec_get_bin(r, "e", &p, &n) == 0 && n == 4 && mf_rec_get(r, "e")->type == MF_V_BIN,
	   "get_bin again: the field is bytes now");
	is_int(mf_rec_get_bin(r, "f", &p, &n), MF_ERR_FORMAT, "get_bin of an odd-length string");
	is_int(mf_rec_get_str(r, "zz", (const char **)&p, &n), MF_ERR_NOTFOUND, "get_str of a missing key");
	m = mf_rec_add_map(r, "m");
	mf_rec_add_str(m, "k", "v");
	d = mf_rec_dup(r);
	mf_rec_reset(r, "other");
	ok(d != NULL && strcmp(mf_rec_type(d), "hit") == 0 && mf_rec_count(d) == 9, "dup survives a reset of the original");
	ok(d && mf_rec_get_map(d, "m") && strcmp(mf_rec_get(mf_rec_get_map(d, "m"), "k")->v.s.p, "v") == 0,
	   "dup copies nested maps");
	is_int(mf_rec_count(r), 1, "reset leaves only the type");
	is_str(mf_rec_type(r), "other", "reset sets the new type");
	/* steady state: reuse many times (ASan would see leaks or overruns) */
	for (k = 0; k < 1000; k++) {
		char big[3000];

		memset(big, 'x', sizeof big);
		mf_rec_reset(r, "process");
		mf_rec_add_strn(r, "name", big, k % 3 ? 10 : sizeof big);
		mf_rec_add_map(mf_rec_add_map(r, "a"), "b");
	}
	is_int(mf_rec_count(r), 3, "a record reused 1000 times");
	mf_rec_free(d);
	mf_rec_free(r);
}

static const struct mf_col test_cols[] = {
	{ "pid", "PID", 5 },
	{ "addr", "ADDR", -1 },
	{ "data", "DATA", -4 },
	{ "name", "NAME", -1 },
};

static void
test_table(void)
{
	static const char want[] =
		"# target: connector=lime connector_args={path=/x.lime} os=linux\n"
		"  PID  ADDR                DATA                                                                 NAME\n"
		"    1  0xffffffff81000000  00                                                                   init\n"
		"12345  0x10                000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f...  k?thread??\xc3\xa9\n"
		"    7  -                   -                                                                    -\n"
		"module name=libc.so.6 base=0x7f0000000000 size=4096 path=-\n"
		"  PID  ADDR  DATA  NAME\n"
		"    2  0x0   -     x\n"
		"text\n";
	struct mf_rec *r = mf_rec_new("target"), *a;
	unsigned char bytes[40];
	char *got;
	size_t i;
	int fd = test_fd_of(NULL, 0);
	struct mf_out *o = mf_out_new(fd, MF_FMT_TABLE);

	for (i = 0; i < sizeof bytes; i++)
		bytes[i] = (unsigned char)i;
	is_int(mf_out_columns(o, "process", test_cols, 4), 0, "table: columns");
	mf_rec_add_uint(r, "v", 1);
	mf_rec_add_str(r, "connector", "lime");
	mf_rec_add_str(mf_rec_add_map(r, "connector_args"), "path", "/x.lime");
	mf_rec_add_str(r, "os", "linux");
	mf_rec_add_str(r, "os_args", "");
	mf_rec_add_addr(mf_rec_add_map(r, "hints"), "dtb", 0x1000);
	mf_out_rec(o, r);
	mf_rec_reset(r, "process");
	mf_rec_add_uint(r, "pid", 1);
	mf_rec_add_addr(r, "addr", 0xffffffff81000000ULL);
	mf_rec_add_bin(r, "data", bytes, 1);
	mf_rec_add_str(r, "name", "init");
	mf_out_rec(o, r);
	mf_rec_reset(r, "process");
	mf_rec_add_str(r, "name", "k\x1bthread\xc2\x9b\xff\xc3\xa9");   /* ESC, C1 CSI, not UTF-8, é */
	mf_rec_add_bin(r, "data", bytes, sizeof bytes);
	mf_rec_add_addr(r, "addr", 0x10);
	mf_rec_add_uint(r, "pid", 12345);
	mf_out_rec(o, r);
	mf_rec_reset(r, "process");
	mf_rec_add_uint(r, "pid", 7);
	mf_out_rec(o, r);
	a = mf_rec_new("module");
	mf_rec_add_str(a, "name", "libc.so.6");
	mf_rec_add_addr(a, "base", 0x7f0000000000ULL);
	mf_rec_add_uint(a, "size", 4096);
	mf_rec_add_nil(a, "path");
	mf_out_rec(o, a);
	mf_rec_reset(r, "process");
	mf_rec_add_uint(r, "pid", 2);
	mf_rec_add_addr(r, "addr", 0);
	mf_rec_add_str(r, "name", "x");
	mf_out_rec(o, r);
	is_int(mf_out_raw(o, "text\n", 5), 0, "table: raw text after rows");
	is_int(mf_out_close(o), 0, "table: close");
	got = test_slurp(fd, NULL);
	is_str(got, want, "table: exact text (alignment, header per block, key=value, target line)");
	ok(strstr(got, " \n") == NULL, "table: no trailing spaces");
	free(got);
	close(fd);
	mf_rec_free(r);
	mf_rec_free(a);
}

static void
test_json_text(void)
{
	static const char want[] =
		"{\"type\":\"p\",\"name\":\"a\\u0000b\\\"\\\\\\n\\u0001z\",\"bad\":\"x\xef\xbf\xbd(y\xef\xbf\xbd\","
		"\"ok\":\"\xe2\x82\xac\",\"addr\":\"0xffffffffffffffff\",\"u\":9007199254740992,"
		"\"big\":\"0x20000000000001\",\"i\":-5,\"f\":2.0,\"nan\":null,\"bin\":\"00ff\",\"m\":{\"k\":[]}}\n";
	struct mf_rec *r = mf_rec_new("p");
	struct mf_value empty = { .type = MF_V_ARRAY };
	char *got;
	int fd = test_fd_of(NULL, 0);
	struct mf_out *o = mf_out_new(fd, MF_FMT_JSON);

	mf_rec_add_strn(r, "name", test_nul_str, TEST_NUL_LEN);
	mf_rec_add_str(r, "bad", "x\xc3\x28y\xed");   /* invalid UTF-8: each bad byte -> U+FFFD */
	mf_rec_add_str(r, "ok", "\xe2\x82\xac");
	mf_rec_add_addr(r, "addr", UINT64_MAX);
	mf_rec_add_uint(r, "u", UINT64_C(1) << 53);
	mf_rec_add_uint(r, "big", (UINT64_C(1) << 53) + 1);
	mf_rec_add_int(r, "i", -5);
	mf_rec_add_float(r, "f", 2.0);
	mf_rec_add_float(r, "nan", 0.0 / 0.0);
	mf_rec_add_bin(r, "bin", "\x00\xff", 2);
	mf_rec_add_value(mf_rec_add_map(r, "m"), "k", &empty);
	mf_out_rec(o, r);
	is_int(mf_out_close(o), 0, "json: close");
	got = test_slurp(fd, NULL);
	/* "bad": c3 28 is a broken 2-byte sequence: c3 -> U+FFFD, '(' stays */
	ok(strcmp(got, want) == 0, "json: exact text");
	if (strcmp(got, want) != 0)
		printf("# got  %s# want %s", got, want);
	free(got);
	close(fd);
	mf_rec_free(r);
}

static void
test_jq(void)
{
	struct mf_rec *full = test_full_rec(), *recs[2] = { full, NULL };
	char path[] = "/tmp/test-stream-XXXXXX", cmd[256];
	int fd, st;

	if (system("jq --version >/dev/null 2>&1") != 0) {
		printf("ok %d # SKIP jq not installed\n", ++tap_count);
		mf_rec_free(full);
		return;
	}
	if ((fd = mkstemp(path)) < 0)
		abort();
	{
		int wfd = test_write(MF_FMT_JSON, recs, 2);
		size_t n;
		char *b = test_slurp(wfd, &n);

		if (write(fd, b, n) != (ssize_t)n)
			abort();
		free(b);
		close(wfd);
	}
	close(fd);
	snprintf(cmd, sizeof cmd, "jq -c . %s >/dev/null", path);
	st = system(cmd);
	is_int(st, 0, "jq -c . accepts the JSON output");
	snprintf(cmd, sizeof cmd, "test \"$(jq -r .addr %s | head -1)\" = 0xffffffffffffffff", path);
	is_int(system(cmd), 0, "jq sees the address string intact");
	unlink(path);
	mf_rec_free(full);
}

/* Expect the reader to fail on the given bytes after `good` records. */
static void
test_bad(const void *p, size_t n, int good, int code, const char *msg, const char *name)
{
	int fd = test_fd_of(p, n), k, rc = 0;
	struct mf_in *in = mf_in_new(fd);
	const struct mf_rec *r;
	char err[MF_ERRBUF_SIZE] = "";

	for (k = 0; k < good; k++)
		if ((rc = mf_in_next(in, &r, err)) != 1)
			break;
	ok(k == good, "%s: %d good records first (%s)", name, good, rc < 0 ? err : "");
	is_int(mf_in_next(in, &r, err), code, "%s: error code", name);
	is_str(err, msg, "%s: message", name);
	err[0] = '\0';
	is_int(mf_in_next(in, &r, err), code, "%s: the error sticks", name);
	mf_in_free(in);
	close(fd);
}

/* Times: msgpack timestamps of each size back as the same nanoseconds, RFC 3339 in JSON
 * and tables; ext types that are not timestamps are refused. */
static void
test_times(void)
{
	static const struct { int64_t ns; const char *json, *table; } t[] = {
		{ INT64_C(1764763262) * 1000000000, "\"2025-12-03T12:01:02Z\"", "2025-12-03T12:01:02Z" },   /* timestamp 32 */
		{ INT64_C(1764763262123456789), "\"2025-12-03T12:01:02.123456789Z\"", "2025-12-03T12:01:02Z" },  /* 64 */
		{ -INT64_C(1500000000), "\"1969-12-31T23:59:58.500000000Z\"", "1969-12-31T23:59:58Z" },   /* 96 */
		{ INT64_C(9000000000) * 1000000000 + 1, "\"2255-03-14T16:00:00.000000001Z\"", "2255-03-14T16:00:00Z" },
	};
	char buf[128], err[MF_ERRBUF_SIZE];
	size_t k, n;

	for (k = 0; k < sizeof t / sizeof *t; k++) {
		struct mf_rec *r = mf_rec_new("process"), *recs[1] = { r };
		const struct mf_value *v;
		const struct mf_rec *got;
		struct mf_in *in;
		int64_t i = 0;
		char *b;
		int fd;

		mf_rec_add_time(r, "start_time", t[k].ns);
		fd = test_write(MF_FMT_MSGPACK, recs, 1);
		in = mf_in_new(fd);
		is_int(mf_in_next(in, &got, err), 1, "time %zu: read back (%s)", k, err);
		v = mf_rec_get(got, "start_time");
		ok(v != NULL && v->type == MF_V_TIME && v->v.i == t[k].ns, "time %zu: the same nanoseconds, typed", k);
		ok(mf_rec_get_i64(got, "start_time", &i) == 0 && i == t[k].ns, "time %zu: get_i64", k);
		mf_in_free(in);
		close(fd);
		fd = test_write(MF_FMT_JSON, recs, 1);
		b = test_slurp(fd, &n);
		snprintf(buf, sizeof buf, "{\"type\":\"process\",\"start_time\":%s}\n", t[k].json);
		is_str(b, buf, "time %zu: JSON text", k);
		free(b);
		close(fd);
		n = (size_t)mf_value_scalar_text(&(struct mf_value){ .type = MF_V_TIME, .v.i = t[k].ns }, buf, 32);
		is_str(buf, t[k].table, "time %zu: table text", k);
		ok(n == strlen(t[k].table), "time %zu: table text length", k);
		mf_rec_free(r);
	}
	test_bad("\x81\xa4type\xd6\x05\x01\x02\x03\x04", 12, 0, MF_ERR_FORMAT,
	         "at byte 0: msgpack extension type 5 is not supported", "fixext4 not a timestamp");
	test_bad("\x81\xa4type\xc7\x05\xff\x01\x02\x03\x04\x05", 14, 0, MF_ERR_FORMAT,
	         "at byte 0: a msgpack timestamp of 5 bytes", "timestamp of a wrong size");
	test_bad("\x81\xa4type\xd7\xff\xff\xff\xff\xff\x00\x00\x00\x00", 16, 0, MF_ERR_FORMAT,
	         "at byte 0: msgpack timestamp out of range", "timestamp of 1,073,741,823 ns");
}

static void
test_errors(void)
{
	static const unsigned char rec8[] = "\x81\xa4type\xa1p";   /* 8 bytes: {"type":"p"} */
	unsigned char buf[256];
	size_t n;

	test_bad("hello\n", 6, 0, MF_ERR_FORMAT,
	         "at byte 0: not a record stream (expected msgpack or JSON lines)", "garbage");
	test_bad("\x93\x01\x02\x03", 4, 0, MF_ERR_FORMAT,
	         "at byte 0: not a record stream (expected msgpack or JSON lines)", "msgpack array first");
	/* two records, then a third cut short */
	memcpy(buf, rec8, 8);
	memcpy(buf + 8, rec8, 8);
	memcpy(buf + 16, "\x82\xa4type\xa1p\xa1x", 10);
	test_bad(buf, 26, 2, MF_ERR_FORMAT, "at byte 16: truncated record", "truncated msgpack");
	memcpy(buf + 16, "\x93\x01\x02\x03", 4);
	test_bad(buf, 20, 2, MF_ERR_FORMAT, "at byte 16: record is not a map", "msgpack non-map");
	test_bad("\x81\xa4name\xa1p", 8, 0, MF_ERR_FORMAT, "at byte 0: record has no \"type\"", "msgpack no type");
	test_bad("\x81\xa4type\x05", 7, 0, MF_ERR_FORMAT, "at byte 0: record has no \"type\"", "msgpack type not a string");
	test_bad("\x81\x01\xa1p", 4, 0, MF_ERR_FORMAT, "at byte 0: map key is not a string", "msgpack int key");
	test_bad("\x81\xa4type\xc1", 7, 0, MF_ERR_FORMAT,
	         "at byte 0: invalid msgpack byte 0xc1 at offset 6 of the record", "msgpack 0xc1");
	test_bad("\x81\xa4type\xd4\x01\x02", 9, 0, MF_ERR_FORMAT,
	         "at byte 0: msgpack extension types are not supported", "msgpack ext");
	/* 1 GiB bin32 claim in a 20-byte file: truncated, nothing allocated for it */
	memcpy(buf, "\x82\xa4type\xa1p\xa1" "d\xc6\x40\x00\x00\x00xxxxx", 20);
	test_bad(buf, 20, 0, MF_ERR_FORMAT, "at byte 0: truncated record", "1 GiB bin32 claim");
	/* array32 claiming 4 G entries (msgpack-c's unpacker would allocate 96 GiB for it) */
	test_bad("\x81\xa1x\xdd\xff\xff\xff\xff\xc0", 9, 0, MF_ERR_FORMAT, "at byte 0: truncated record",
	         "array32 4G claim");
	/* nesting: 33 maps inside the record */
	n = 0;
	buf[n++] = 0x81;
	for (int d = 0; d < 33; d++) {
		buf[n++] = 0xa1;
		buf[n++] = 'k';
		buf[n++] = 0x81;
	}
	buf[n++] = 0xa1;
	buf[n++] = 'k';
	buf[n++] = 0xc0;
	test_bad(buf, n, 0, MF_ERR_LIMIT, "at byte 0: record nested deeper than 32 levels", "msgpack depth");

	/* JSON: error on line 3 names that line's start */
	{
		static const char j[] = "{\"type\":\"a\"}\n\n{\"type\":\"b\", oops}\n{\"type\":\"c\"}\n";

		test_bad(j, sizeof j - 1, 1, MF_ERR_FORMAT,
		         "at byte 14: invalid JSON: string or '}' expected near 'oops'", "json syntax error");
	}
	test_bad("{\"type\":\"a\"}\n[1,2]\n", 19, 1, MF_ERR_FORMAT, "at byte 13: record is not a map", "json array");
	test_bad("{\"type\":\"a\"}\n17\n", 16, 1, MF_ERR_FORMAT, "at byte 13: record is not a map", "json number");
	test_bad("{\"name\":\"a\"}\n", 13, 0, MF_ERR_FORMAT, "at byte 0: record has no \"type\"", "json no type");
	test_bad("{\"type\":\"a\",\"n\":18446744073709551615}\n", 38, 0, MF_ERR_FORMAT,
	         "at byte 0: invalid JSON: too big integer near '18446744073709551615'", "json integer beyond int64");
	test_bad("{\"type\":\"a\"}\n{\"type\":\"b\"", 24, 1, MF_ERR_FORMAT,
	         "at byte 13: invalid JSON: '}' expected near end of file", "json truncated");
	{
		char j[256] = "{\"type\":\"a\",\"x\":";

		for (int d = 0; d < 33; d++)
			strcat(j, "[");
		for (int d = 0; d < 33; d++)
			strcat(j, "]");
		strcat(j, "}\n");
		test_bad(j, strlen(j), 0, MF_ERR_LIMIT, "at byte 0: record nested deeper than 32 levels", "json depth");
	}
}

/* Records larger than the cap: the bytes really arrive (a writer child); 257 MiB. */
static void
test_oversize(void)
{
	int pfd[2], st;
	pid_t pid;
	struct mf_in *in;
	const struct mf_rec *r;
	char err[MF_ERRBUF_SIZE] = "";

	if (pipe(pfd) < 0)
		abort();
	if ((pid = fork()) == 0) {
		static char zero[1 << 16];
		unsigned char hdr[] = "\x82\xa4type\xa1p\xa1" "d\xc6\x10\x10\x00\x00";   /* 257 MiB bin */
		size_t left = (257u << 20);

		close(pfd[0]);
		if (write(pfd[1], hdr, 15) != 15)
			_exit(1);
		while (left > 0) {
			ssize_t w = write(pfd[1], zero, left < sizeof zero ? left : sizeof zero);

			if (w <= 0)
				_exit(0);   /* the reader gave up: fine */
			left -= (size_t)w;
		}
		_exit(0);
	}
	close(pfd[1]);
	in = mf_in_new(pfd[0]);
	is_int(mf_in_next(in, &r, err), MF_ERR_LIMIT, "257 MiB record: limit");
	is_str(err, "at byte 0: record larger than 256 MiB", "257 MiB record: message");
	mf_in_free(in);
	close(pfd[0]);
	waitpid(pid, &st, 0);
}

/* Bytes through a pipe in 3-byte writes, so the reader sees many partial reads. */
static int
test_pipe_chunks(const char *p, size_t n, pid_t *child)
{
	int pfd[2];

	if (pipe(pfd) < 0)
		abort();
	if ((*child = fork()) == 0) {
		size_t i;

		close(pfd[0]);
		for (i = 0; i < n; i += 3) {
			if (write(pfd[1], p + i, n - i < 3 ? n - i : 3) < 0)
				_exit(1);
			usleep(50);
		}
		_exit(0);
	}
	close(pfd[1]);
	return pfd[0];
}

static void
test_partial_reads(void)
{
	enum mf_format fmts[2] = { MF_FMT_MSGPACK, MF_FMT_JSON };
	struct mf_rec *full = test_full_rec(), *recs[2] = { full, full };
	int k;

	for (k = 0; k < 2; k++) {
		int wfd = test_write(fmts[k], recs, 2), fd, st, got = 0;
		size_t n;
		char *b = test_slurp(wfd, &n), err[MF_ERRBUF_SIZE] = "";
		pid_t pid;
		struct mf_in *in;
		const struct mf_rec *r;

		fd = test_pipe_chunks(b, n, &pid);
		in = mf_in_new(fd);
		while (mf_in_next(in, &r, err) == 1) {
			got++;
			if (got == 2)
				test_check_full(r, k == 1, k ? "json in 3-byte chunks" : "msgpack in 3-byte chunks");
		}
		is_int(got, 2, "%s in 3-byte chunks: both records (%s)", mf_format_name(fmts[k]), err);
		mf_in_free(in);
		close(fd);
		close(wfd);
		waitpid(pid, &st, 0);
		free(b);
	}
	mf_rec_free(full);
}

/* jq's default output: pretty-printed, several lines per object. */
static void
test_pretty_json(void)
{
	static const char j[] = "  {\n  \"name\": \"sshd\",\n  \"type\": \"process\",\n  \"s\": \"}{\\\"\"\n}\n"
	                        "{\n  \"type\": \"module\"\n}";
	int fd = test_fd_of(j, sizeof j - 1);
	struct mf_in *in = mf_in_new(fd);
	const struct mf_rec *r;
	char err[MF_ERRBUF_SIZE] = "";
	const char *s;

	ok(mf_in_next(in, &r, err) == 1 && strcmp(mf_rec_type(r), "process") == 0 &&
	   strcmp(mf_rec_field(r, 0)->key, "type") == 0, "pretty JSON: first object, type moved first (%s)", err);
	ok(mf_rec_get_str(r, "s", &s, NULL) == 0 && strcmp(s, "}{\"") == 0, "pretty JSON: braces inside strings");
	ok(mf_in_next(in, &r, err) == 1 && strcmp(mf_rec_type(r), "module") == 0, "pretty JSON: second object, no final newline");
	is_int(mf_in_next(in, &r, err), 0, "pretty JSON: end");
	mf_in_free(in);
	close(fd);

	fd = test_fd_of(" \n\n", 3);
	in = mf_in_new(fd);
	is_int(mf_in_next(in, &r, err), 0, "only white space: a clean end");
	mf_in_free(in);
	close(fd);
	fd = test_fd_of("", 0);
	in = mf_in_new(fd);
	is_int(mf_in_next(in, &r, err), 0, "empty input: a clean end");
	mf_in_free(in);
	close(fd);
}

/* A 1 MiB bin record through a pipe, written by a child: beyond the 64 KiB buffer. */
static void
test_big_pipe(void)
{
	int pfd[2], st;
	pid_t pid;
	size_t n = 1 << 20, i;
	unsigned char *data = malloc(n);

	for (i = 0; i < n; i++)
		data[i] = (unsigned char)(i * 7 + (i >> 12));
	if (pipe(pfd) < 0)
		abort();
	if ((pid = fork()) == 0) {
		struct mf_rec *r = mf_rec_new("mem");
		struct mf_out *o;
		int k;

		close(pfd[0]);
		o = mf_out_new(pfd[1], MF_FMT_MSGPACK);
		for (k = 0; k < 3; k++) {
			mf_rec_reset(r, "mem");
			mf_rec_add_addr(r, "addr", (uint64_t)k << 20);
			mf_rec_add_bin(r, "data", data, n);
			mf_out_rec(o, r);
		}
		_exit(mf_out_close(o) == 0 ? 0 : 1);
	}
	close(pfd[1]);
	{
		struct mf_in *in = mf_in_new(pfd[0]);
		const struct mf_rec *r;
		char err[MF_ERRBUF_SIZE] = "";
		int k = 0, good = 0;

		while (mf_in_next(in, &r, err) == 1) {
			const void *p;
			size_t len;
			uint64_t a;

			good += mf_rec_get_bin(r, "data", &p, &len) == 0 && len == n && memcmp(p, data, n) == 0 &&
			        mf_rec_get_u64(r, "addr", &a) == 0 && a == (uint64_t)k << 20;
			k++;
		}
		is_int(good, 3, "three 1 MiB mem records through a pipe (%s)", err);
		mf_in_free(in);
	}
	close(pfd[0]);
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer child closed cleanly");
	free(data);
}

static void
test_out_misc(void)
{
	enum mf_format f;
	char err[MF_ERRBUF_SIZE] = "";
	struct mf_rec *r = mf_rec_new("process");
	int pfd[2], fd, e;
	struct mf_out *o;
	char *got;

	ok(mf_format_parse("json", &f, false) == 0 && f == MF_FMT_JSON, "format_parse json");
	is_int(mf_format_parse("raw", &f, false), MF_ERR_ARG, "format_parse raw not allowed");
	ok(mf_format_parse("raw", &f, true) == 0 && f == MF_FMT_RAW, "format_parse raw allowed");
	is_int(mf_format_parse("xml", &f, true), MF_ERR_ARG, "format_parse xml");
	is_str(mf_format_name(MF_FMT_MSGPACK), "msgpack", "format_name");

	fd = test_fd_of(NULL, 0);
	unsetenv("MF_FORMAT");
	ok(mf_format_default(fd, &f, err) == 0 && f == MF_FMT_MSGPACK, "default on a file: msgpack");
	setenv("MF_FORMAT", "json", 1);
	ok(mf_format_default(fd, &f, err) == 0 && f == MF_FMT_JSON, "MF_FORMAT=json");
	setenv("MF_FORMAT", "yaml", 1);
	is_int(mf_format_default(fd, &f, err), MF_ERR_ARG, "MF_FORMAT=yaml: error");
	is_str(err, "invalid MF_FORMAT \"yaml\": expected table, json or msgpack", "MF_FORMAT=yaml: message");
	unsetenv("MF_FORMAT");

	o = mf_out_new(fd, MF_FMT_RAW);
	is_int(mf_out_rec(o, r), MF_ERR_UNSUPPORTED, "raw: mf_out_rec unsupported");
	is_int(mf_out_raw(o, "\x00\x01raw", 5), 0, "raw: bytes");
	is_int(mf_out_close(o), 0, "raw: close");
	got = test_slurp(fd, NULL);
	ok(memcmp(got, "\x00\x01raw", 5) == 0, "raw: the bytes written");
	free(got);
	close(fd);

	/* EPIPE: the reader is gone */
	signal(SIGPIPE, SIG_IGN);
	if (pipe(pfd) < 0)
		abort();
	close(pfd[0]);
	o = mf_out_new(pfd[1], MF_FMT_JSON);
	is_int(mf_out_rec(o, r), 0, "epipe: buffered write succeeds");
	errno = 0;
	e = mf_out_flush(o);
	is_int(e, MF_ERR_IO, "epipe: flush fails with MF_ERR_IO");
	is_int(errno, EPIPE, "epipe: errno is EPIPE");
	is_int(mf_out_rec(o, r), MF_ERR_IO, "epipe: the error sticks");
	errno = 0;
	is_int(mf_out_close(o), MF_ERR_IO, "epipe: close returns it");
	is_int(errno, EPIPE, "epipe: errno after close");
	close(pfd[1]);

	/* pipes get 1 MiB */
	if (pipe(pfd) < 0)
		abort();
	o = mf_out_new(pfd[1], MF_FMT_MSGPACK);
	{
		FILE *m = fopen("/proc/sys/fs/pipe-max-size", "r");
		long max = 0;

		if (m && fscanf(m, "%ld", &max) == 1 && max >= (1 << 20))
			is_int(fcntl(pfd[1], F_GETPIPE_SZ), 1 << 20, "output pipe enlarged to 1 MiB");
		else
			printf("ok %d # SKIP pipe-max-size below 1 MiB\n", ++tap_count);
		if (m)
			fclose(m);
	}
	mf_out_close(o);
	close(pfd[0]);
	close(pfd[1]);
	mf_rec_free(r);
}

/* A "hits" record (mf-scan's dense hits) comes out as its hit records, in msgpack and
 * JSON, put back with mf_in_unread like any record; a bad one fails at its offset. */
static struct mf_rec *
test_hits_rec(uint64_t count, const void *deltas, size_t n)
{
	struct mf_rec *r = mf_rec_new("hits");

	mf_rec_add_str(r, "space", "phys");
	mf_rec_add_addr(r, "addr", 0x1000);
	mf_rec_add_uint(r, "len", 1);
	mf_rec_add_str(r, "pattern", "u8 eq 0");
	mf_rec_add_bin(r, "data", "", 1);
	mf_rec_add_uint(r, "count", count);
	mf_rec_add_bin(r, "deltas", deltas, n);
	return r;
}

static void
test_hits(void)
{
	enum mf_format fmts[2] = { MF_FMT_MSGPACK, MF_FMT_JSON };
	static const uint64_t want[3] = { 0x1000, 0x1001, 0x1081 };
	struct mf_rec *recs[3], *bad[2];
	int k;

	recs[0] = mf_rec_new("first");
	recs[1] = test_hits_rec(3, "\x01\x80\x01", 3);
	recs[2] = mf_rec_new("last");
	for (k = 0; k < 2; k++) {
		int fd = test_write(fmts[k], recs, 3), got = 0, e;
		char err[MF_ERRBUF_SIZE] = "";
		struct mf_in *in = mf_in_new(fd);
		const struct mf_rec *r;
		const void *d;
		size_t dn;
		uint64_t a;

		ok(mf_in_next(in, &r, err) == 1 && strcmp(mf_rec_type(r), "first") == 0, "%s: the record before",
		   mf_format_name(fmts[k]));
		while ((e = mf_in_next(in, &r, err)) == 1 && strcmp(mf_rec_type(r), "hit") == 0) {
			if (got == 1 && k == 0) {
				mf_in_unread(in);   /* the same hit again */
				ok(mf_in_next(in, &r, err) == 1 && mf_rec_get_u64(r, "addr", &a) == 0 && a == 0x1001,
				   "msgpack: a hit put back comes again");
			}
			ok(got < 3 && mf_rec_get_u64(r, "addr", &a) == 0 && a == want[got] &&
			   mf_rec_get_bin(r, "data", &d, &dn) == 0 && dn == 1 && mf_rec_get(r, "count") == NULL &&
			   mf_rec_get(r, "deltas") == NULL && mf_rec_get(r, "pattern") != NULL,
			   "%s: hit %d at 0x%llx, its fields but count and deltas", mf_format_name(fmts[k]), got,
			   (unsigned long long)(got < 3 ? want[got] : 0));
			got++;
		}
		is_int(got, 3, "%s: three hits (%s)", mf_format_name(fmts[k]), err);
		ok(e == 1 && strcmp(mf_rec_type(r), "last") == 0, "%s: then the record after", mf_format_name(fmts[k]));
		mf_in_free(in);
		close(fd);
	}
	bad[0] = recs[0];
	bad[1] = test_hits_rec(2, "\x00", 1);
	for (k = 0; k < 2; k++) {
		int fd = test_write(fmts[k], bad, 2), e;
		char err[MF_ERRBUF_SIZE] = "";
		struct mf_in *in = mf_in_new(fd);
		const struct mf_rec *r;

		mf_in_next(in, &r, err);
		e = mf_in_next(in, &r, err);
		ok(e == MF_ERR_FORMAT && strstr(err, "hits record: delta 1 is 0") != NULL &&
		   strncmp(err, k == 0 ? "at byte 12: " : "at byte 17: ", 12) == 0,
		   "%s: a delta of 0 fails the stream at its offset (%s)", mf_format_name(fmts[k]), err);
		ok(mf_in_next(in, &r, err) == MF_ERR_FORMAT, "%s: and the error sticks", mf_format_name(fmts[k]));
		mf_in_free(in);
		close(fd);
	}
	mf_rec_free(bad[1]);
	for (k = 0; k < 3; k++)
		mf_rec_free(recs[k]);
}

int
main(void)
{
	test_rec_api();
	test_round_trips();
	test_table();
	test_json_text();
	test_jq();
	test_errors();
	test_oversize();
	test_partial_reads();
	test_pretty_json();
	test_big_pipe();
	test_out_misc();
	test_hits();
	test_times();
	return done_testing();
}
