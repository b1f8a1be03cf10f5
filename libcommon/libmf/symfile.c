/* symfile.c: the symbol-file service of the plugin host, and the argument lists it trusts.
 *
 * An os layer never opens a file itself, and never a path it read from guest memory: it
 * asks the host to open the file the user named (-o linux:btf=/path).  The host checks
 * that the argument list it is shown is one it built from user input (marked with
 * mf_args_trust when the plugin was opened) and maps the file read-only. */
#include "mf-int.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

MF_API int
mf_symbol_file_open(const struct mf_args *args, const char *key, struct mf_symfile *file, char *errbuf)
{
	const char *path;
	struct stat st;
	void *p;
	int fd, e;

	if (file == NULL || file->struct_size < offsetof(struct mf_symfile, host_data) + sizeof(void *) || key == NULL)
		return mf_error(errbuf, MF_ERR_ARG, "open_symbol_file: no file struct or key");
	if (args == NULL || !symfile_is_trusted(args))
		return mf_error(errbuf, MF_ERR_PERM, "cannot open a %s file: only a file the user names as %s=PATH is opened",
		                key, key);
	if ((path = mf_args_get(args, key)) == NULL || path[0] == '\0')
		return mf_error(errbuf, MF_ERR_NOTFOUND, "no %s file given (%s=PATH)", key, key);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return mf_error_errno(errbuf, errno == ENOENT ? MF_ERR_ARG : errno == EACCES ? MF_ERR_PERM : MF_ERR_IO,
		                      errno, "cannot open %s file %s", key, path);
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
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	e = errno;
	close(fd);
	if (p == MAP_FAILED)
		return mf_error_errno(errbuf, e == ENOMEM ? MF_ERR_NOMEM : MF_ERR_IO, e, "cannot map %s", path);
	if (path[0] != '/') {
		size_t i;

		pthread_mutex_lock(&symfile_lock);
		for (i = 0; i < args->n; i++)
			if (args->kv[i].value == path)
				symfile_abs_note(&args->kv[i]);
		pthread_mutex_unlock(&symfile_lock);
	}
	file->data = p;
	file->size = (uint64_t)st.st_size;
	file->path = path;
	file->host_data = p;
	return 0;
}

MF_API void
mf_symbol_file_close(struct mf_symfile *file)
{
	if (file == NULL || file->host_data == NULL)
		return;
	munmap(file->host_data, (size_t)file->size);
	file->host_data = NULL;
	file->data = NULL;
	file->size = 0;
}
