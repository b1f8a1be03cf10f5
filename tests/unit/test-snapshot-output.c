/* test-snapshot-output: the atomic output (libcommon/snapshot/output.c): nothing under the
 * final name before the publish or after an abort, no replacing without force; names from
 * strftime and %{target}; --keep deletes the oldest of the files the pattern can produce that
 * carry the marker, beyond N, never the file just written, never another's file; stale named
 * temporaries go, live ones stay. */
#include "config.h"
#include "snapshot/output.h"
#include "tap.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
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

static int deleted, failed, skipped;

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
skip_cb(void *ctx, const char *path)
{
	(void)ctx;
	(void)path;
	skipped++;
}

static const char MARK[] = "mftools snapshot of connector=lime,path=/srv/a.lime";

/* A file with mtime, carrying mark (or none): its fd left open when keep_fd. */
static int
touch_mark(const char *name, time_t mtime, const char *mark, bool keep_fd)
{
	char p[256];
	struct timeval tv[2] = { { .tv_sec = mtime }, { .tv_sec = mtime } };
	int fd;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	if ((fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0)
		return -1;
	if (mark != NULL && snap_mark_set(fd, mark) != 0)
		fprintf(stderr, "# no extended attributes in %s\n", dir);
	utimes(p, tv);
	if (keep_fd)
		return fd;
	close(fd);
	return 0;
}

static void
touch(const char *name, time_t mtime)
{
	touch_mark(name, mtime, MARK, false);
}

static bool
there(const char *name)
{
	char p[256];

	snprintf(p, sizeof p, "%s/%s", dir, name);
	return exists(p);
}

int
main(void)
{
	char path[256], err[MF_ERRBUF_SIZE], *name;
	int live;
	struct snap_out *o;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/snap.raw", dir);
	ok(snap_out_open(path, false, NULL, &o, err) == 0, "open the temporary");
	ok(write(snap_out_fd(o), "data", 4) == 4, "write to it");
	ok(!exists(path), "nothing under the final name before the publish");
	ok(snap_out_sync(o, err) == 0, "fsync");
	is_int(snap_out_publish(o, err), 0, "publish");
	ok(exists(path), "the file is there");
	is_u64(entries(), 1, "and nothing else");
	snap_out_free(o);

	is_int(snap_out_open(path, false, NULL, &o, err), MF_ERR_GENERIC, "an existing file without force");
	ok(strstr(err, "exists (use --force to replace it)") != NULL, "says so");
	ok(snap_out_open(path, true, NULL, &o, err) == 0, "with force");
	snap_out_abort(o);
	snap_out_free(o);
	is_u64(entries(), 1, "an abort leaves only the old file");

	snprintf(path, sizeof path, "%s/", dir);
	is_int(snap_out_open(path, false, NULL, &o, err), MF_ERR_ARG, "a directory path is no file name");
	is_int(snap_out_open("/nonexistent-dir/x.raw", false, NULL, &o, err), MF_ERR_IO, "a missing directory");

	ok(snap_name_expand("plain.raw", "web2", false, &name, err) == 0 && strcmp(name, "plain.raw") == 0, "no conversion");
	free(name);
	ok(snap_name_expand("s-%Y.raw", "web2", true, &name, err) == 0 && strlen(name) == strlen("s-2026.raw"), "%%Y expanded");
	free(name);
	ok(snap_name_expand("%{target}-%Y.raw", "web2", true, &name, err) == 0 && strncmp(name, "web2-2", 6) == 0 &&
	   strlen(name) == strlen("web2-2026.raw"), "%%{target} expanded");
	free(name);
	ok(snap_name_expand("%%{target}", "web2", true, &name, err) == 0 && strcmp(name, "%{target}") == 0,
	   "%%%%{target} is the literal text");
	free(name);
	is_int(snap_name_expand("%{tagret}.raw", "web2", true, &name, err), MF_ERR_ARG, "an unknown %%{...}");
	is_str(err, "invalid output pattern '%{tagret}.raw': unknown conversion %{tagret} (%{target} is the only one)",
	       "names it");
	is_int(snap_keep_check("snap-%c.raw", err), MF_ERR_ARG, "--keep refuses %%c (no fixed form)");
	is_int(snap_keep_check("%Y/snap.raw", err), MF_ERR_ARG, "--keep refuses conversions in the directory");
	is_int(snap_keep_check("/srv/%{target}-%F_%T-%s-%j-%b%a.raw", err), 0, "--keep takes fixed-form conversions");

	/* --keep 2 of four snapshots: the two oldest go, but never the one just written; a file
	 * the pattern matches without the marker, one with another target's marker, one the
	 * pattern cannot produce: kept */
	touch("k-01.raw", 1000);
	touch("k-02.raw", 2000);
	touch("k-03.raw", 3000);
	touch("k-04.raw", 4000);
	touch_mark("k-05.raw", 500, NULL, false);
	touch_mark("k-06.raw", 600, "mftools snapshot of connector=lime,path=/srv/b.lime", false);
	touch("k-1.raw", 100);
	touch("k-xy.raw", 100);
	/* named temporaries: a dead writer's (ours), a live writer's, another program's */
	touch(".k-07.raw.mf-dump-aB3dE9", 100);
	live = touch_mark(".k-08.raw.mf-dump-Zz0000", 100, MARK, true);
	flock(live, LOCK_EX);
	touch_mark(".k-09.raw.mf-dump-Yy1111", 100, NULL, false);
	touch(".k-10.raw.aB3dE9", 100);
	snprintf(path, sizeof path, "%s/k-%%d.raw", dir);
	{
		char written[256];
		struct snap_keep_cb cb = { .done = count, .skipped = skip_cb };

		snprintf(written, sizeof written, "%s/k-01.raw", dir);
		ok(snap_keep(path, "a", MARK, 2, written, &cb, err) == 0, "--keep 2");
		is_int(deleted, 2, "two deleted: k-02 and the dead writer's temporary");
		ok(!there("k-02.raw"), "k-02 is gone");
		ok(there("k-01.raw") && there("k-03.raw") && there("k-04.raw"), "k-01 (just written), k-03, k-04 stay");
		ok(there("k-05.raw") && there("k-06.raw"), "the matching files that are not ours stay");
		is_int(skipped, 2, "and are reported");
		ok(there("k-1.raw") && there("k-xy.raw"), "names %%d cannot produce stay");
		ok(!there(".k-07.raw.mf-dump-aB3dE9"), "the dead writer's temporary is gone");
		ok(there(".k-08.raw.mf-dump-Zz0000"), "the live writer's stays");
		ok(there(".k-09.raw.mf-dump-Yy1111") && there(".k-10.raw.aB3dE9"), "others' temporaries stay");
		is_int(failed, 0, "no failures");
		close(live);
		touch(".k-11.raw.mf-dump-aB3dE9", 100);
		snprintf(path, sizeof path, "%s/k-11.raw", dir);
		ok(snap_out_open(path, false, MARK, &o, err) == 0, "open k-11");
		ok(!there(".k-11.raw.mf-dump-aB3dE9"), "the next run for the same output removes its stale temporary");
		snap_out_free(o);
	}
	{
		char cmd[300];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return done_testing();
}
