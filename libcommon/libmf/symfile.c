/* symfile.c: the file services of the plugin host (symbol files the user names, files in a
 * directory the user names, the data files installed with mftools), and the argument
 * lists it trusts.
 *
 * An os layer never opens a file itself, and never a path it read from guest memory: it
 * asks the host to open the file the user named (-o linux:btf=/path).  The host checks
 * that the argument list it is shown is one it built from user input (marked with
 * mf_args_trust when the plugin was opened) and maps the file read-only. */
#include "mf-int.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/syscall.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#define SYMFILE_MAX (4ull << 30)   /* a PDB or BTF blob larger than this is not one */

static pthread_mutex_t symfile_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct mf_args **symfile_trusted;
static size_t symfile_ntrusted, symfile_cap;

/* The arguments opened as files by a relative path, with the absolute path they named then,
 * so that a saved target names the same files from any directory (mfint_symfile_abs). */
struct symfile_abs {
	const struct mf_kv *kv;   /* the argument, in the list a plugin was opened with */
	char *abs;
	struct symfile_abs *next;
};
static struct symfile_abs *symfile_abs_list;

/* Remember that kv (a relative path) was opened as a file (under symfile_lock). */
static void
symfile_abs_note(const struct mf_kv *kv)
{
	char real[PATH_MAX];
	struct symfile_abs *a;

	for (a = symfile_abs_list; a != NULL; a = a->next)
		if (a->kv == kv)
			return;
	if (realpath(kv->value, real) == NULL || (a = calloc(1, sizeof *a)) == NULL)
		return;
	if ((a->abs = strdup(real)) == NULL) {
		free(a);
		return;
	}
	a->kv = kv;
	a->next = symfile_abs_list;
	symfile_abs_list = a;
}

/* Forget the arguments of args (under symfile_lock). */
static void
symfile_abs_forget(const struct mf_args *args)
{
	struct symfile_abs **pp = &symfile_abs_list, *a;

	while ((a = *pp) != NULL) {
		if (args->kv != NULL && a->kv >= args->kv && a->kv < args->kv + args->n) {
			*pp = a->next;
			free(a->abs);
			free(a);
		} else {
			pp = &a->next;
		}
	}
}

int
mfint_symfile_abs(const struct mf_kv *kv, char *buf, size_t size)
{
	const struct symfile_abs *a;
	int r = MF_ERR_NOTFOUND;

	pthread_mutex_lock(&symfile_lock);
	for (a = symfile_abs_list; a != NULL && r != 0; a = a->next)
		if (a->kv == kv && strlen(a->abs) < size) {
			memcpy(buf, a->abs, strlen(a->abs) + 1);
			r = 0;
		}
	pthread_mutex_unlock(&symfile_lock);
	return r;
}

MF_API int
mf_args_trust(const struct mf_args *args)
{
	int r = 0;

	pthread_mutex_lock(&symfile_lock);
	if (symfile_ntrusted == symfile_cap) {
		size_t cap = symfile_cap ? symfile_cap * 2 : 8;
		const struct mf_args **v = realloc(symfile_trusted, cap * sizeof *v);

		if (v == NULL)
			r = MF_ERR_NOMEM;
		else
			symfile_trusted = v, symfile_cap = cap;
	}
	if (r == 0)
		symfile_trusted[symfile_ntrusted++] = args;
	pthread_mutex_unlock(&symfile_lock);
	return r;
}

MF_API void
mf_args_untrust(const struct mf_args *args)
{
	size_t i;

	pthread_mutex_lock(&symfile_lock);
	for (i = symfile_ntrusted; i-- > 0;)
		if (symfile_trusted[i] == args) {
			symfile_trusted[i] = symfile_trusted[--symfile_ntrusted];
			break;
		}
	symfile_abs_forget(args);
	if (symfile_ntrusted == 0) {
		free(symfile_trusted);
		symfile_trusted = NULL;
		symfile_cap = 0;
	}
	pthread_mutex_unlock(&symfile_lock);
}

static bool
symfile_is_trusted(const struct mf_args *args)
{
	bool found = false;
	size_t i;

	pthread_mutex_lock(&symfile_lock);
	for (i = 0; i < symfile_ntrusted && !found; i++)
		found = symfile_trusted[i] == args;
	pthread_mutex_unlock(&symfile_lock);
	return found;
}

/* What the host keeps of an open symbol file (file->host_data): the mapping, and the
 * path shown in messages when the host built it (open_in). */
struct symfile_map {
	void *map;
	size_t len;
	char path[];
};

/* The file at fd (opened as PATH, named by argument KEY) mapped into *file; closes fd. */
static int
symfile_map_fd(int fd, const char *key, const char *path, bool own_path, struct mf_symfile *file, char *errbuf)
{
	struct symfile_map *m;
	struct stat st;
	size_t pl = own_path ? strlen(path) + 1 : 0;
	void *p;
	int e;

	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		return mf_error_errno(errbuf, MF_ERR_IO, e, "cannot stat %s", path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return mf_error(errbuf, MF_ERR_ARG, "%s file %s is not a regular file", key, path);
	}
	if (st.st_size == 0) {
		close(fd);
		return mf_error(errbuf, MF_ERR_FORMAT, "%s file %s is empty", key, path);
	}
	if ((uint64_t)st.st_size > SYMFILE_MAX) {
		close(fd);
		return mf_error(errbuf, MF_ERR_LIMIT, "%s file %s is larger than %llu bytes", key, path,
		                (unsigned long long)SYMFILE_MAX);
	}
	if ((m = malloc(sizeof *m + pl)) == NULL) {
		close(fd);
		return mf_error(errbuf, MF_ERR_NOMEM, "out of memory");
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	e = errno;
	close(fd);
	if (p == MAP_FAILED) {
		free(m);
		return mf_error_errno(errbuf, e == ENOMEM ? MF_ERR_NOMEM : MF_ERR_IO, e, "cannot map %s", path);
	}
	m->map = p;
	m->len = (size_t)st.st_size;
	memcpy(m->path, path, pl);
	file->data = p;
	file->size = (uint64_t)st.st_size;
	file->path = own_path ? m->path : path;
	file->host_data = m;
	return 0;
}

/* The checks both services make: the file struct, and args the host built from user
 * input.  The value of KEY in *value: 0, or an error (MF_ERR_NOTFOUND when not given). */
static int
symfile_arg(const struct mf_args *args, const char *key, const struct mf_symfile *file, bool dir,
            const char **value, char *errbuf)
{
	const char *noun = dir ? "directory" : "file", *what = dir ? "DIR" : "PATH";

	if (file == NULL || file->struct_size < offsetof(struct mf_symfile, host_data) + sizeof(void *) || key == NULL)
		return mf_error(errbuf, MF_ERR_ARG, "open_symbol_file: no file struct or key");
	if (args == NULL || !symfile_is_trusted(args))
		return mf_error(errbuf, MF_ERR_PERM, "cannot open a %s %s: only a %s the user names as %s=%s is opened",
		                key, noun, noun, key, what);
	if ((*value = mf_args_get(args, key)) == NULL || (*value)[0] == '\0')
		return mf_error(errbuf, MF_ERR_NOTFOUND, "no %s %s given (%s=%s)", key, noun, key, what);
	return 0;
}

/* A relative path the user gave (the value of one of args), once opened: remembered as
 * absolute for saved targets. */
static void
symfile_note_relative(const struct mf_args *args, const char *value)
{
	size_t i;

	if (value[0] == '/')
		return;
	pthread_mutex_lock(&symfile_lock);
	for (i = 0; i < args->n; i++)
		if (args->kv[i].value == value)
			symfile_abs_note(&args->kv[i]);
	pthread_mutex_unlock(&symfile_lock);
}

static int
symfile_open_error(int err, const char *key, const char *path, char *errbuf)
{
	return mf_error_errno(errbuf, err == ENOENT ? MF_ERR_ARG : err == EACCES ? MF_ERR_PERM : MF_ERR_IO, err,
	                      "cannot open %s file %s", key, path);
}

MF_API int
mf_symbol_file_open(const struct mf_args *args, const char *key, struct mf_symfile *file, char *errbuf)
{
	const char *path;
	int fd, r;

	if ((r = symfile_arg(args, key, file, false, &path, errbuf)) < 0)
		return r;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return symfile_open_error(errno, key, path, errbuf);
	if ((r = symfile_map_fd(fd, key, path, false, file, errbuf)) < 0)
		return r;
	symfile_note_relative(args, path);
	return 0;
}

/* Is NAME a relative path of plain components (no "", ".", ".." or a leading '/')? */
static bool
symfile_name_ok(const char *name)
{
	const char *p = name;

	if (name == NULL || name[0] == '\0' || strlen(name) >= PATH_MAX)
		return false;
	while (*p != '\0') {
		size_t l = strcspn(p, "/");

		if (l == 0 || (l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += l;
		if (*p == '/' && *++p == '\0')
			return false;
	}
	return true;
}

/* NAME beneath the directory dirfd: openat2's RESOLVE_BENEATH where the kernel has it
 * (symbolic links that stay inside are followed), else one component at a time with no
 * symbolic link followed.  A file descriptor, or -1 with errno set. */
static int
symfile_open_beneath(int dirfd, const char *name)
{
#ifdef SYS_openat2
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
	                        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
	long fd = syscall(SYS_openat2, dirfd, name, &how, sizeof how);

	if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
		return (int)fd;
#endif
	char part[PATH_MAX];
	const char *p = name;
	int cur = dirfd, next;

	for (;;) {
		size_t l = strcspn(p, "/");
		bool last = p[l] == '\0';

		memcpy(part, p, l);
		part[l] = '\0';
		next = openat(cur, part, (last ? O_RDONLY : O_RDONLY | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
		if (cur != dirfd) {
			int e = errno;

			close(cur);
			errno = e;
		}
		if (next < 0 || last)
			return next;
		cur = next;
		p += l + 1;
	}
}

MF_API int
mf_symbol_file_open_in(const struct mf_args *args, const char *key, const char *name, struct mf_symfile *file,
                       char *errbuf)
{
	char shown[2 * PATH_MAX + 2];
	const char *dir;
	int dfd, fd, e, r;

	if ((r = symfile_arg(args, key, file, true, &dir, errbuf)) < 0)
		return r;
	if (!symfile_name_ok(name))
		return mf_error(errbuf, MF_ERR_PERM, "cannot open '%s' in %s=%s: only a relative path of plain names",
		                name != NULL ? name : "", key, dir);
	snprintf(shown, sizeof shown, "%s/%s", dir, name);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return mf_error_errno(errbuf, errno == ENOENT || errno == ENOTDIR ? MF_ERR_ARG : MF_ERR_IO, errno,
		                      "cannot open %s directory %s", key, dir);
	fd = symfile_open_beneath(dfd, name);
	e = errno;
	close(dfd);
	if (fd < 0) {
		if (e == ENOENT)
			return mf_error(errbuf, MF_ERR_NOTFOUND, "%s has no %s", dir, name);
		if (e == ELOOP || e == EXDEV)
			return mf_error(errbuf, MF_ERR_PERM, "%s: a symbolic link that leads out of %s", shown, dir);
		return symfile_open_error(e, key, shown, errbuf);
	}
	if ((r = symfile_map_fd(fd, key, shown, true, file, errbuf)) < 0)
		return r;
	symfile_note_relative(args, dir);
	return 0;
}

/* ---- data files ---------------------------------------------------------------------- */

/* A single plain name: no '/', not "" "." or "..". */
static bool
datafile_name_ok(const char *name)
{
	return name != NULL && strchr(name, '/') == NULL && symfile_name_ok(name);
}

/* The i-th directory of KIND into buf: 0, or MF_ERR_NOTFOUND after the last.  Entries of
 * $MF_DATA_PATH that are empty or too long are skipped. */
static int
datafile_dir(const char *kind, unsigned i, char *buf, size_t cap)
{
	const char *env = getenv("MF_DATA_PATH"), *p;
	unsigned k = 0;

	if (env == NULL || env[0] == '\0')
		return i == 0 && (size_t)snprintf(buf, cap, "%s/%s", MF_PKGDATADIR, kind) < cap ? 0 : MF_ERR_NOTFOUND;
	for (p = env; *p != '\0'; p += strcspn(p, ":"), p += *p == ':') {
		size_t l = strcspn(p, ":");

		if (l == 0 || (size_t)snprintf(buf, cap, "%.*s/%s", (int)l, p, kind) >= cap)
			continue;
		if (k++ == i)
			return 0;
	}
	return MF_ERR_NOTFOUND;
}

MF_API int
mf_data_files(const char *kind, mf_data_file_cb cb, void *ctx)
{
	char dir[PATH_MAX];
	unsigned i;
	int r = 0;

	if (!datafile_name_ok(kind) || cb == NULL)
		return MF_ERR_ARG;
	for (i = 0; r == 0 && datafile_dir(kind, i, dir, sizeof dir) == 0; i++) {
		DIR *d;
		struct dirent *de;

		if ((r = cb(ctx, dir, NULL)) != 0 || (d = opendir(dir)) == NULL)
			continue;
		while (r == 0 && (de = readdir(d)) != NULL) {
			struct stat st;

			if (datafile_name_ok(de->d_name) && fstatat(dirfd(d), de->d_name, &st, 0) == 0 && S_ISREG(st.st_mode))
				r = cb(ctx, dir, de->d_name);
		}
		closedir(d);
	}
	return r;
}

MF_API int
mf_data_file_open(const char *kind, const char *name, struct mf_symfile *file, char *errbuf)
{
	char dir[PATH_MAX], path[2 * PATH_MAX + 2];
	unsigned i;
	int fd;

	if (file == NULL || file->struct_size < offsetof(struct mf_symfile, host_data) + sizeof(void *))
		return mf_error(errbuf, MF_ERR_ARG, "open_data_file: no file struct");
	if (!datafile_name_ok(kind) || !datafile_name_ok(name))
		return mf_error(errbuf, MF_ERR_PERM, "cannot open data file '%s' of '%s': only a plain file name",
		                name != NULL ? name : "", kind != NULL ? kind : "");
	for (i = 0; datafile_dir(kind, i, dir, sizeof dir) == 0; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW)) >= 0)
			return symfile_map_fd(fd, "data", path, true, file, errbuf);
		if (errno != ENOENT)
			return symfile_open_error(errno, "data", path, errbuf);
	}
	return mf_error(errbuf, MF_ERR_NOTFOUND, "no %s data file %s", kind, name);
}

MF_API void
mf_symbol_file_close(struct mf_symfile *file)
{
	struct symfile_map *m;

	if (file == NULL || (m = file->host_data) == NULL)
		return;
	munmap(m->map, m->len);
	free(m);
	file->host_data = NULL;
	file->data = NULL;
	file->size = 0;
	file->path = NULL;
}
