/* test-target.c: opening targets through the plugin loader, splitting physical batches at
 * range boundaries, file detection by magic, target records, argument checking. */
#include "config.h"
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <mftools/mf.h>
#include "tap.h"

static unsigned long *test_calls, *test_entries;
static char test_dir[4096];

static unsigned char
test_byte(uint64_t a)
{
	return (unsigned char)(a * 7 + (a >> 12));
}

static int
test_bytes_ok(const unsigned char *b, uint64_t addr, uint64_t len)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		if (b[i] != test_byte(addr + i))
			return 0;
	return 1;
}

static void
test_stats(void)
{
	char path[4200];
	void *dl;

	snprintf(path, sizeof path, "%s/mf-connector-pattern.so", test_dir);
	dl = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	if (dl == NULL)
		return;
	test_calls = dlsym(dl, "pattern_calls");
	test_entries = dlsym(dl, "pattern_entries");
}

static void
test_split(void)
{
	static unsigned char a[0x100], b[0x200], c[0x200], d[0x10], e[0x1000], f[0x3000];
	struct mf_iov iov[7] = {
		{ .addr = 0x1000, .buf = a, .len = sizeof a },
		{ .addr = 0x2f00, .buf = b, .len = sizeof b },   /* spans two adjacent ranges */
		{ .addr = 0x4f00, .buf = c, .len = sizeof c },   /* runs into a hole */
		{ .addr = 0x0, .buf = d, .len = sizeof d },      /* before all ranges */
		{ .addr = 0x8000, .buf = e, .len = sizeof e },   /* a whole range */
		{ .addr = 0x1800, .buf = NULL, .len = 0 },       /* empty */
		{ .addr = 0x1000, .buf = f, .len = sizeof f },   /* three ranges' worth, spans two */
	};
	char err[MF_ERRBUF_SIZE];
	const struct mf_range *r;
	struct mf_target *t;
	unsigned long calls0, entries0;

	if (!ok(mf_target_open("pattern:ranges=0x1000-0x3000+0x3000-0x5000+0x8000-0x9000", NULL, 0, &t, err) == 0,
	        "open pattern connector")) {
		printf("# %s\n", err);
		return;
	}
	test_stats();
	ok(test_calls != NULL && test_entries != NULL, "connector statistics visible");
	is_int(mf_phys_ranges(t, &r), 3, "three ranges");
	ok(mf_target_has_phys(t) && !mf_target_has_os(t), "phys, no os");
	calls0 = test_calls ? *test_calls : 0;
	entries0 = test_entries ? *test_entries : 0;
	is_int(mf_phys_read(t, iov, 7, err), 0, "batch read");
	is_int(iov[0].err, 0, "in one range: ok");
	ok(test_bytes_ok(a, 0x1000, sizeof a), "in one range: bytes");
	is_int(iov[1].err, 0, "across adjacent ranges: ok");
	ok(test_bytes_ok(b, 0x2f00, sizeof b), "across adjacent ranges: bytes");
	is_int(iov[2].err, MF_ERR_UNMAPPED, "into a hole: unmapped");
	is_int(iov[3].err, MF_ERR_UNMAPPED, "before the first range: unmapped");
	is_int(iov[4].err, 0, "whole range: ok");
	ok(test_bytes_ok(e, 0x8000, sizeof e), "whole range: bytes");
	is_int(iov[5].err, 0, "empty entry: ok");
	is_int(iov[6].err, 0, "spanning entry: ok");
	ok(test_bytes_ok(f, 0x1000, sizeof f), "spanning entry: bytes");
	if (test_calls) {
		is_int(*test_calls - calls0, 1, "one connector call for the batch");
		/* a, b as 2 pieces, e, f as 2 pieces: the hole entries and the empty one never reach it */
		is_int(*test_entries - entries0, 6, "entries split at range boundaries only");
	}

	/* a batch where nothing needs splitting goes through untouched */
	calls0 = test_calls ? *test_calls : 0;
	iov[0].err = 1;
	is_int(mf_phys_read(t, iov, 1, err), 0, "fast path");
	is_int(iov[0].err, 0, "fast path result");

	/* writes need MF_TARGET_WRITE */
	is_int(mf_phys_write(t, iov, 1, err), MF_ERR_READONLY, "write refused without MF_TARGET_WRITE");
	ok(strstr(err, "not opened for writing") != NULL, "its message: %s", err);
	mf_target_close(t);
}

static void
test_write(void)
{
	char err[MF_ERRBUF_SIZE];
	unsigned char buf[4] = { 1, 2, 3, 4 }, back[8];
	struct mf_iov w = { .addr = 0x1ffe, .buf = buf, .len = 4 };
	struct mf_iov rd = { .addr = 0x1ffc, .buf = back, .len = 8 };
	struct mf_target *t;

	ok(mf_target_open("pattern:ranges=0x1000-0x2000+0x2000-0x3000", NULL, MF_TARGET_WRITE, &t, err) == 0, "open writable");
	ok(mf_phys_write(t, &w, 1, err) == 0 && w.err == 0, "write across a range boundary");
	ok(mf_phys_read(t, &rd, 1, err) == 0 && rd.err == 0, "read back");
	ok(back[0] == test_byte(0x1ffc) && back[1] == test_byte(0x1ffd) && memcmp(back + 2, buf, 4) == 0 &&
	   back[6] == test_byte(0x2002), "written bytes in place, neighbours intact");
	mf_target_close(t);
}

static void
test_errors(void)
{
	char err[MF_ERRBUF_SIZE];
	struct mf_target *t;

	is_int(mf_target_open("nosuch", NULL, 0, &t, err), MF_ERR_NOTFOUND, "unknown connector");
	is_str(err, "unknown connector 'nosuch' (see mf-attach --list)", "its message");
	ok(t == NULL, "no target on failure");
	is_int(mf_target_open("pattern:ranges=0-0x1000,colour=red", NULL, 0, &t, err), MF_ERR_ARG, "unknown argument");
	is_str(err, "unknown argument 'colour' for connector pattern (accepted: ranges, path)", "its message");
	is_int(mf_target_open("pattern:ranges=0x5-0x1", NULL, 0, &t, err), MF_ERR_ARG, "open error from the plugin");
	is_str(err, "bad range '0x5'", "the plugin's message is passed on");
	is_int(mf_target_open(NULL, "nosuchos", 0, &t, err), MF_ERR_NOTFOUND, "unknown os layer");
	is_str(err, "unknown os layer 'nosuchos' (see mf-attach --list)", "its message");
	is_int(mf_target_open("pattern", "Bad", 0, &t, err), MF_ERR_ARG, "invalid os name");
	ok(mf_target_open("pattern:ranges=0-0x1000", NULL, 0, &t, err) == 0, "phys-only target");
	{
		struct mf_iov v = { 0 };
		struct mf_space sp = { .arch = MF_ARCH_X86_64 };

		is_int(mf_processes(t, NULL, NULL, err), MF_ERR_UNSUPPORTED, "no os layer: processes unsupported");
		ok(strstr(err, "has no os layer") != NULL, "its message: %s", err);
		(void)v;
		(void)sp;
	}
	mf_target_close(t);
}

static void
test_detect(void)
{
	char path[4200], spec[4300], err[MF_ERRBUF_SIZE];
	struct mf_target *t;
	const struct mf_range *r;
	int fd;

	snprintf(path, sizeof path, "%s/detect-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(path);
	ok(fd >= 0 && write(fd, "MFPATTERN\n", 10) == 10, "write a pattern file");
	if (!ok(mf_target_open(path, NULL, 0, &t, err) == 0, "a bare path is detected by magic"))
		printf("# %s\n", err);
	if (t) {
		is_str(mf_hints_get_str(mf_target_hints(t), "format"), "pattern", "detected connector opened");
		ok(mf_phys_ranges(t, &r) == 1 && r[0].size == 0x100000, "with its default ranges");
		mf_target_close(t);
	}
	snprintf(spec, sizeof spec, "file:%s", path);
	ok(mf_target_open(spec, NULL, 0, &t, err) == 0, "file:PATH is detected too");
	mf_target_close(t);

	ok(lseek(fd, 0, SEEK_SET) == 0 && write(fd, "\x1f\x8b\x08\x00", 4) == 4, "make it gzip");
	is_int(mf_target_open(spec, NULL, 0, &t, err), MF_ERR_UNSUPPORTED, "gzip refused");
	ok(strstr(err, "it is gzip-compressed (gunzip it first)") != NULL, "its message: %s", err);
	ok(lseek(fd, 0, SEEK_SET) == 0 && write(fd, "ZZZZ", 4) == 4, "unknown magic");
	is_int(mf_target_open(spec, NULL, 0, &t, err), MF_ERR_FORMAT, "unknown format");
	ok(strstr(err, "unknown format (first bytes 5a 5a 5a 5a") != NULL, "its message: %s", err);
	ok(ftruncate(fd, 0) == 0, "empty it");
	is_int(mf_target_open(spec, NULL, 0, &t, err), MF_ERR_FORMAT, "empty file");
	ok(strstr(err, "the file is empty") != NULL, "its message: %s", err);
	close(fd);
	unlink(path);
	is_int(mf_target_open(spec, NULL, 0, &t, err), MF_ERR_NOTFOUND, "missing file");
	ok(strstr(err, "No such file or directory") != NULL, "its message: %s", err);
}

static void
test_record(void)
{
	char err[MF_ERRBUF_SIZE];
	struct mf_target *t, *t2;
	struct mf_rec *rec = mf_rec_new("x");
	const struct mf_range *r;
	uint64_t v;
	const char *s;
	size_t n;

	ok(mf_target_open("pattern:ranges=0x1000-0x2000+0x4000-0x5000", NULL, 0, &t, err) == 0, "open");
	mf_hints_set_u64(mf_target_hints(t), "dtb", 0x1aa000);
	ok(mf_target_rec(t, rec) == 0, "target record");
	is_str(mf_rec_type(rec), "target", "type target");
	ok(mf_rec_get_u64(rec, "v", &v) == 0 && v == 1, "version 1");
	ok(mf_rec_get_str(rec, "connector", &s, &n) == 0 && n == 7 && memcmp(s, "pattern", 7) == 0, "connector name");
	ok(mf_rec_get_map(rec, "hints") != NULL && mf_rec_get_u64(mf_rec_get_map(rec, "hints"), "dtb", &v) == 0 &&
	   v == 0x1aa000, "hints carried");
	ok(mf_target_open_rec(rec, 0, &t2, err) == 0, "reopen from the record");
	if (t2) {
		ok(mf_phys_ranges(t2, &r) == 2 && r[1].base == 0x4000, "same ranges");
		ok(mf_hints_get_u64(mf_target_hints(t2), "dtb", &v) == 0 && v == 0x1aa000, "hints restored");
		mf_target_close(t2);
	}
	mf_rec_reset(rec, "target");
	mf_rec_add_uint(rec, "v", 2);
	is_int(mf_target_open_rec(rec, 0, &t2, err), MF_ERR_UNSUPPORTED, "record version 2 refused");
	is_str(err, "target record version 2 is not supported (this mftools reads version 1)", "its message");
	mf_rec_reset(rec, "process");
	is_int(mf_target_open_rec(rec, 0, &t2, err), MF_ERR_FORMAT, "not a target record");
	mf_rec_free(rec);
	mf_target_close(t);
}

int
main(void)
{
	const char *top = getenv("MF_TOP_BUILDDIR");
	char env[4200];

	snprintf(test_dir, sizeof test_dir, "%s/tests/unit/.libs", top ? top : ".");
	snprintf(env, sizeof env, "%s", test_dir);
	setenv("MF_PLUGIN_PATH", env, 1);
	test_split();
	test_write();
	test_errors();
	test_detect();
	test_record();
	return done_testing();
}
