/* test-symfile.c: the host's symbol-file services as a plugin meets them: a file the user
 * names (open_symbol_file), and a file a plugin names inside a directory the user names
 * (open_symbol_file_in, symdir=): only plain relative names, resolved beneath the
 * directory; a symbolic link that stays inside is followed, one that leads out is not. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <mftools/mf.h>
#include <mftools/plugin.h>
#include "tap.h"

static char t_dir[] = "/tmp/test-symfile-XXXXXX";

static void
t_write(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", t_dir, rel);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

static void
t_mkdir(const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof path, "%s/%s", t_dir, rel);
	if (mkdir(path, 0755) != 0)
		abort();
}

/* open_in NAME: its result; its bytes in got (NUL-terminated) when it opened */
static int
t_open_in(const struct mf_args *args, const char *name, char *got, size_t cap, char *err)
{
	const struct mf_host *host = mf_host();
	struct mf_symfile f = { .struct_size = sizeof f };
	int r = host->open_symbol_file_in(args, "symdir", name, &f, err);

	got[0] = '\0';
	if (r == 0) {
		size_t n = f.size < cap - 1 ? (size_t)f.size : cap - 1;

		memcpy(got, f.data, n);
		got[n] = '\0';
		snprintf(err, MF_ERRBUF_SIZE, "%s", f.path);
		host->close_symbol_file(&f);
	}
	return r;
}

/* data_files: "D" NAME per directory, "F" NAME per file, in order */
static int
t_list_cb(void *ctx, const char *dir, const char *name)
{
	char *out = ctx;
	size_t l = strlen(out);

	snprintf(out + l, 1024 - l, "%s %s;", name == NULL ? "D" : "F", name == NULL ? dir + strlen(dir) - 11 : name);
	return 0;
}

/* The data files of a kind, from MF_DATA_PATH's directories in order. */
static void
test_data_files(void)
{
	const struct mf_host *host = mf_host();
	struct mf_symfile f = { .struct_size = sizeof f };
	char env[2 * PATH_MAX], list[1024] = "", err[MF_ERRBUF_SIZE], want[PATH_MAX + 64];

	t_mkdir("data1");
	t_mkdir("data1/win32");
	t_mkdir("data2");
	t_mkdir("data2/win32");
	t_write("data1/win32/a.offsets", "one");
	t_write("data2/win32/a.offsets", "two");
	t_write("data2/win32/b.offsets", "bee");
	t_mkdir("data2/win32/sub");
	snprintf(env, sizeof env, "%s/data1::%s/data2:%s/data3", t_dir, t_dir, t_dir);
	setenv("MF_DATA_PATH", env, 1);
	ok(MF_HOST_HAS(host, data_files) && MF_HOST_HAS(host, open_data_file), "the host has the data-file services");
	is_int(host->data_files("win32", t_list_cb, list), 0, "data_files");
	/* each directory (ending "dataN/win32": its last 11 characters shown), then its files;
	 * the directory with no files and the missing one are announced too */
	ok(strstr(list, "D data1/win32;F a.offsets;D data2/win32;") == list, "the first directory, its file, the second (%s)",
	   list);
	ok(strstr(list, "F a.offsets;") != NULL && strstr(list, "F b.offsets;") != NULL && strstr(list, "F sub;") == NULL,
	   "regular files only (%s)", list);
	ok(strstr(list, "D data3/win32;") != NULL, "a directory that is not there is named too (%s)", list);
	is_int(host->open_data_file("win32", "a.offsets", &f, err), 0, "open_data_file (%s)", err);
	ok(f.size == 3 && memcmp(f.data, "one", 3) == 0, "the first directory that has it wins");
	snprintf(want, sizeof want, "%s/data1/win32/a.offsets", t_dir);
	is_str(f.path, want, "its path");
	host->close_symbol_file(&f);
	is_int(host->open_data_file("win32", "b.offsets", &f, err), 0, "a file of the second directory");
	ok(f.size == 3 && memcmp(f.data, "bee", 3) == 0, "its bytes");
	host->close_symbol_file(&f);
	is_int(host->open_data_file("win32", "c.offsets", &f, err), MF_ERR_NOTFOUND, "a name none has");
	is_str(err, "no win32 data file c.offsets", "the message");
	is_int(host->open_data_file("win32", "../data1/win32/a.offsets", &f, err), MF_ERR_PERM, "a path is refused");
	is_int(host->open_data_file("..", "a.offsets", &f, err), MF_ERR_PERM, "a kind that is no plain name is refused");
	is_int(host->data_files("a/b", t_list_cb, list), MF_ERR_ARG, "data_files of such a kind too");
	unsetenv("MF_DATA_PATH");
}

int
main(void)
{
	const struct mf_host *host = mf_host();
	struct mf_kv kv[2] = { { "symdir", t_dir }, { "other", "x" } };
	struct mf_args args = { NULL, 2, kv }, untrusted = { NULL, 2, kv }, nodir = { NULL, 1, kv + 1 };
	char got[64], err[MF_ERRBUF_SIZE], path[PATH_MAX + 32], link[PATH_MAX + 32];
	static const char *const bad[] = { "../secret", "/etc/passwd", "a//b.pdb", "a/./b.pdb", "a/../a/b.pdb", "", "a/",
	                                   ".", ".." };
	size_t k;

	if (mkdtemp(t_dir) == NULL)
		abort();
	t_mkdir("ntkrnlmp.pdb");
	t_mkdir("ntkrnlmp.pdb/0123ABCD1");
	t_write("ntkrnlmp.pdb/0123ABCD1/ntkrnlmp.pdb", "MSF-bytes");
	ok(MF_HOST_HAS(host, open_symbol_file_in), "the host has open_symbol_file_in");
	mf_args_trust(&args);
	mf_args_trust(&nodir);

	is_int(t_open_in(&args, "ntkrnlmp.pdb/0123ABCD1/ntkrnlmp.pdb", got, sizeof got, err), 0, "a file in the directory (%s)",
	       err);
	is_str(got, "MSF-bytes", "its bytes");
	snprintf(path, sizeof path, "%s/ntkrnlmp.pdb/0123ABCD1/ntkrnlmp.pdb", t_dir);
	is_str(err, path, "its path, for messages, is DIR/NAME");

	is_int(t_open_in(&args, "ntkrnlmp.pdb/FFFF1/ntkrnlmp.pdb", got, sizeof got, err), MF_ERR_NOTFOUND,
	       "a name that is not there: not found");
	snprintf(path, sizeof path, "%s has no ntkrnlmp.pdb/FFFF1/ntkrnlmp.pdb", t_dir);
	is_str(err, path, "the message names the directory and the name");

	for (k = 0; k < sizeof bad / sizeof *bad; k++) {
		is_int(t_open_in(&args, bad[k], got, sizeof got, err), MF_ERR_PERM, "'%s' is refused", bad[k]);
		ok(strstr(err, "only a relative path of plain names") != NULL, "saying why (%s)", err);
	}
	is_int(t_open_in(&args, NULL, got, sizeof got, err), MF_ERR_PERM, "no name is refused");

	/* a symbolic link out of the directory: refused; one that stays inside: followed */
	snprintf(link, sizeof link, "%s/out", t_dir);
	if (symlink("/etc", link) != 0)
		abort();
	is_int(t_open_in(&args, "out/passwd", got, sizeof got, err), MF_ERR_PERM, "a link that leads out is refused");
	ok(strstr(err, "symbolic link") != NULL, "saying so (%s)", err);
	snprintf(link, sizeof link, "%s/alias", t_dir);
	if (symlink("ntkrnlmp.pdb", link) != 0)
		abort();
	is_int(t_open_in(&args, "alias/0123ABCD1/ntkrnlmp.pdb", got, sizeof got, err), 0,
	       "a link that stays inside is followed (%s)", err);
	is_str(got, "MSF-bytes", "to the same file");

	/* the argument lists: made up by the plugin, or without the key */
	is_int(t_open_in(&untrusted, "ntkrnlmp.pdb/0123ABCD1/ntkrnlmp.pdb", got, sizeof got, err), MF_ERR_PERM,
	       "an argument list the host did not build is refused");
	ok(strstr(err, "only a directory the user names as symdir=DIR") != NULL, "saying why (%s)", err);
	is_int(t_open_in(&nodir, "ntkrnlmp.pdb/0123ABCD1/ntkrnlmp.pdb", got, sizeof got, err), MF_ERR_NOTFOUND,
	       "no symdir= given: not found");
	is_str(err, "no symdir directory given (symdir=DIR)", "with that message");
	kv[0].value = "/nonexistent-symdir";
	is_int(t_open_in(&args, "a.pdb", got, sizeof got, err), MF_ERR_ARG, "a directory that does not exist");

	test_data_files();

	mf_args_untrust(&args);
	mf_args_untrust(&nodir);
	snprintf(path, sizeof path, "rm -rf '%s'", t_dir);
	if (system(path) != 0)
		abort();
	return done_testing();
}
