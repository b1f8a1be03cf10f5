/* test-snapshot-output: the atomic output (libcommon/snapshot/output.c): nothing under the
 * final name before the publish or after an abort, no replacing without force; strftime names
 * as globs; --keep deletes the oldest beyond N and never the file just written. */
#include "config.h"
#include "snapshot/output.h"
#include "tap.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <mftools/mf.h>

static char dir[] = "/tmp/test-snapshot-out.XXXXXX";

static size_t
entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static bool
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int deleted, failed;

static void
count(void *ctx, const char *path, int err)
{
	(void)ctx;
	(void)path;
	if (err == 0)
		deleted++;
	else
		failed++;
}

static void
touch(const char *name, time_t mtime)
{
	char p[256];
	struct timeval tv[2] = { { .tv_sec = mtime }, { .tv_sec = mtime } };
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	if ((f = fopen(p, "w")) != NULL)
		fclose(f);
	utimes(p, tv);
}

int
main(void)
{
	char path[256], err[MF_ERRBUF_SIZE], *g, *name;
	struct snap_out *o;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/snap.raw", dir);
	ok(snap_out_open(path, false, &o, err) == 0, "open the temporary");
	ok(write(snap_out_fd(o), "data", 4) == 4, "write to it");
	ok(!exists(path), "nothing under the final name before the publish");
	ok(snap_out_sync(o, err) == 0, "fsync");
	is_int(snap_out_publish(o, err), 0, "publish");
	ok(exists(path), "the file is there");
	is_u64(entries(), 1, "and nothing else");
	snap_out_free(o);

	is_int(snap_out_open(path, false, &o, err), MF_ERR_GENERIC, "an existing file without force");
	ok(strstr(err, "exists (use --force to replace it)") != NULL, "says so");
	ok(snap_out_open(path, true, &o, err) == 0, "with force");
	snap_out_abort(o);
	snap_out_free(o);
	is_u64(entries(), 1, "an abort leaves only the old file");

	snprintf(path, sizeof path, "%s/", dir);
	is_int(snap_out_open(path, false, &o, err), MF_ERR_ARG, "a directory path is no file name");
	is_int(snap_out_open("/nonexistent-dir/x.raw", false, &o, err), MF_ERR_IO, "a missing directory");

	g = snap_name_glob("/srv/snap-%Y%m%d-%H%M.kdump");
	is_str(g, "/srv/snap-*-*.kdump", "conversions become one '*' each run");
	free(g);
	g = snap_name_glob("a[1]%%-%-d*.raw");
	is_str(g, "a\\[1\\]%-*\\*.raw", "glob characters escaped, %% kept, flags skipped");
	free(g);
	ok(snap_name_expand("plain.raw", false, &name, err) == 0 && strcmp(name, "plain.raw") == 0, "no conversion");
	free(name);
	ok(snap_name_expand("s-%Y.raw", true, &name, err) == 0 && strlen(name) == strlen("s-2026.raw"), "%%Y expanded");
	free(name);

	/* --keep 2 of four snapshots: the two oldest go, but never the one just written */
	touch("k-1.raw", 1000);
	touch("k-2.raw", 2000);
	touch("k-3.raw", 3000);
	touch("k-4.raw", 4000);
	snprintf(path, sizeof path, "%s/k-%%d.raw", dir);
	{
		char written[256];

		snprintf(written, sizeof written, "%s/k-1.raw", dir);
		ok(snap_keep(path, 2, written, count, NULL) == 0, "--keep 2");
		is_int(deleted, 1, "one deleted: the oldest is the file just written");
		snprintf(written, sizeof written, "%s/k-2.raw", dir);
		ok(!exists(written), "k-2 is gone");
		snprintf(written, sizeof written, "%s/k-1.raw", dir);
		ok(exists(written), "k-1 stays");
		is_int(failed, 0, "no failures");
	}
	{
		char cmd[300];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return done_testing();
}
